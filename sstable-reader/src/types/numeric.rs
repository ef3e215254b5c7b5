//! Text forms of numbers as Java prints them: `BigInteger.toString`, `BigDecimal.toString`,
//! `Double.toString` and `Float.toString` (what `sstabledump` shows for varint, decimal,
//! double and float), without a big-number dependency.

/// The decimal digits of a big-endian two's-complement integer (`IntegerType`), e.g. `-129`.
/// Empty input is zero.
pub fn varint_to_string(bytes: &[u8]) -> String {
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    let mut magnitude: Vec<u8> = bytes.to_vec();
    if negative {
        // Two's complement negation: invert, add one.
        for b in magnitude.iter_mut() {
            *b = !*b;
        }
        for b in magnitude.iter_mut().rev() {
            let (sum, carry) = b.overflowing_add(1);
            *b = sum;
            if !carry {
                break;
            }
        }
    }
    let digits = magnitude_to_decimal(&magnitude);
    if negative {
        format!("-{digits}")
    } else {
        digits
    }
}

/// Decimal digits of an unsigned big-endian magnitude.
fn magnitude_to_decimal(mag: &[u8]) -> String {
    // Base 10^9 limbs, least significant first, built by multiply-add per input byte.
    const BASE: u64 = 1_000_000_000;
    let mut limbs: Vec<u64> = vec![0];
    for &byte in mag {
        let mut carry = byte as u64;
        for limb in limbs.iter_mut() {
            let v = *limb * 256 + carry;
            *limb = v % BASE;
            carry = v / BASE;
        }
        while carry > 0 {
            limbs.push(carry % BASE);
            carry /= BASE;
        }
    }
    let mut out = String::new();
    let mut iter = limbs.iter().rev();
    if let Some(first) = iter.next() {
        out.push_str(&first.to_string());
    }
    for limb in iter {
        out.push_str(&format!("{limb:09}"));
    }
    out
}

/// `BigDecimal.toString()` of `unscaled × 10^-scale`: plain notation when the scale is not
/// negative and the adjusted exponent is at least -6, else scientific (`1.23E+5`).
pub fn decimal_to_string(scale: i32, unscaled: &[u8]) -> String {
    let int = varint_to_string(unscaled);
    let (sign, digits) = match int.strip_prefix('-') {
        Some(d) => ("-", d.to_string()),
        None => ("", int),
    };
    let adjusted = -(scale as i64) + (digits.len() as i64 - 1);
    if scale >= 0 && adjusted >= -6 {
        if scale == 0 {
            return format!("{sign}{digits}");
        }
        let scale = scale as usize;
        if digits.len() > scale {
            let (a, b) = digits.split_at(digits.len() - scale);
            format!("{sign}{a}.{b}")
        } else {
            format!("{sign}0.{}{digits}", "0".repeat(scale - digits.len()))
        }
    } else {
        let (first, rest) = digits.split_at(1);
        let mantissa = if rest.is_empty() { first.to_string() } else { format!("{first}.{rest}") };
        let exp_sign = if adjusted > 0 { "+" } else { "" };
        format!("{sign}{mantissa}E{exp_sign}{adjusted}")
    }
}

/// Java's `Double.toString`: `NaN`, `Infinity`, plain decimal with at least one fraction digit
/// for 10^-3 ≤ |x| < 10^7, else `d.dddE±n`.
pub fn java_double(x: f64) -> String {
    java_float_text(x.is_nan(), x.is_infinite(), x.is_sign_negative(), x == 0.0, format!("{x:e}"), format!("{x:.1e}"))
}

/// Java's `Float.toString` (same rules, shortest digits of the 32-bit value).
pub fn java_float(x: f32) -> String {
    java_float_text(x.is_nan(), x.is_infinite(), x.is_sign_negative(), x == 0.0, format!("{x:e}"), format!("{x:.1e}"))
}

/// `sci` is the shortest round-trip form; `two` the value correctly rounded to two significant
/// digits, which Java prints instead when one digit would do in scientific notation (its
/// `d.d` form always shows a fraction digit: `4.9E-324`, `1.4E-45`, `1.0E10`).
fn java_float_text(nan: bool, inf: bool, neg: bool, zero: bool, sci: String, two: String) -> String {
    if nan {
        return "NaN".into();
    }
    if inf {
        return if neg { "-Infinity".into() } else { "Infinity".into() };
    }
    if zero {
        return if neg { "-0.0".into() } else { "0.0".into() };
    }
    // `sci` is Rust's shortest round-trip form, e.g. "-1.2345e-5" or "3e2".
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if (-3..7).contains(&exp) {
        let point = exp + 1; // digits before the decimal point
        if point <= 0 {
            format!("{sign}0.{}{digits}", "0".repeat((-point) as usize))
        } else {
            let point = point as usize;
            if digits.len() > point {
                format!("{sign}{}.{}", &digits[..point], &digits[point..])
            } else {
                format!("{sign}{}{}.0", digits, "0".repeat(point - digits.len()))
            }
        }
    } else if digits.len() == 1 {
        // Two significant digits, correctly rounded, with that form's exponent.
        let (m2, e2) = two.split_once('e').unwrap_or((&two, "0"));
        format!("{sign}{}E{e2}", m2.trim_start_matches('-'))
    } else {
        let (first, rest) = digits.split_at(1);
        format!("{sign}{first}.{rest}E{exp}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_print_like_big_integer() {
        assert_eq!(varint_to_string(&[]), "0");
        assert_eq!(varint_to_string(&[0x00]), "0");
        assert_eq!(varint_to_string(&[0x7f]), "127");
        assert_eq!(varint_to_string(&[0xff]), "-1");
        assert_eq!(varint_to_string(&[0xff, 0x7f]), "-129");
        assert_eq!(varint_to_string(&[0x80]), "-128");
        assert_eq!(varint_to_string(&[0x00, 0x80]), "128");
        // 2^64 = 18446744073709551616
        assert_eq!(varint_to_string(&[0x01, 0, 0, 0, 0, 0, 0, 0, 0]), "18446744073709551616");
        assert_eq!(varint_to_string(&[0xff, 0, 0, 0, 0, 0, 0, 0, 0]), "-18446744073709551616");
    }

    #[test]
    fn decimals_print_like_big_decimal() {
        assert_eq!(decimal_to_string(2, &[0x30, 0x39]), "123.45");
        assert_eq!(decimal_to_string(0, &[0x7b]), "123");
        assert_eq!(decimal_to_string(5, &[0x7b]), "0.00123");
        assert_eq!(decimal_to_string(2, &[0xff]), "-0.01");
        assert_eq!(decimal_to_string(-3, &[0x7b]), "1.23E+5");
        assert_eq!(decimal_to_string(10, &[0x01]), "1E-10");
        assert_eq!(decimal_to_string(0, &[0x00]), "0");
    }

    #[test]
    fn doubles_and_floats_print_like_java() {
        assert_eq!(java_double(1.0), "1.0");
        assert_eq!(java_double(3.5), "3.5");
        assert_eq!(java_double(-0.001), "-0.001");
        assert_eq!(java_double(1234567.0), "1234567.0");
        assert_eq!(java_double(12345678.0), "1.2345678E7");
        assert_eq!(java_double(1e-4), "1.0E-4");
        assert_eq!(java_double(100.0), "100.0");
        assert_eq!(java_double(f64::NAN), "NaN");
        assert_eq!(java_double(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(java_float(1.1), "1.1");
        assert_eq!(java_float(3.4028235e38), "3.4028235E38");
        assert_eq!(java_float(-0.0), "-0.0");
        assert_eq!(java_float(f32::from_bits(1)), "1.4E-45");
        assert_eq!(java_double(f64::from_bits(1)), "4.9E-324");
        assert_eq!(java_double(1e10), "1.0E10");
        assert_eq!(java_double(-2e-5), "-2.0E-5");
    }
}
