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
#[cfg(test)]
pub fn java_double(x: f64) -> String {
    let mut out = String::new();
    push_java_double(&mut out, x);
    out
}

/// Java's `Float.toString` (same rules, shortest digits of the 32-bit value).
#[cfg(test)]
pub fn java_float(x: f32) -> String {
    let mut out = String::new();
    push_java_float(&mut out, x);
    out
}

/// Appends [`java_double`].
pub fn push_java_double(out: &mut String, x: f64) {
    push_java_number(out, x);
}

/// Appends [`java_float`].
pub fn push_java_float(out: &mut String, x: f32) {
    push_java_number(out, x);
}

/// Java's `Double.toString` / `Float.toString` of `x`, with the shortest digits of its own
/// width (an `f32` widens to `f64` exactly, so the tests on the value hold for both).
fn push_java_number<F: ryu::Float + Into<f64> + std::fmt::LowerExp + Copy>(out: &mut String, x: F) {
    let wide: f64 = x.into();
    if !wide.is_finite() || wide == 0.0 {
        return push_special(out, wide.is_nan(), wide.is_sign_negative(), wide == 0.0);
    }
    let mut buf = ryu::Buffer::new();
    let text = buf.format_finite(x);
    // Away from the edges of Java's plain range (where the shortest digits may round up to
    // 10^7), ryu's plain form is Java's: shortest digits, at least one after the point.
    if (1e-3..9.999e6).contains(&wide.abs()) {
        return out.push_str(text);
    }
    push_java_text(out, &Digits::shortest(text), || format!("{x:.1e}"));
}

fn push_special(out: &mut String, nan: bool, neg: bool, zero: bool) {
    out.push_str(match (nan, neg, zero) {
        (true, _, _) => "NaN",
        (false, true, true) => "-0.0",
        (false, false, true) => "0.0",
        (false, true, false) => "-Infinity",
        (false, false, false) => "Infinity",
    });
}

/// A finite non-zero number as `±0.d₁d₂…dₙ × 10^(exp+1)`: its significant digits, without
/// leading or trailing zeros, and the exponent of the first one.
struct Digits {
    neg: bool,
    buf: [u8; 40],
    len: usize,
    exp: i32,
}

impl Digits {
    /// Reads a shortest round-trip form: `ryu`'s (`1.5e-7`, `123.0`, `0.001`) or Rust's `{:e}`
    /// (`1.5e-7`, `3e2`).
    fn shortest(text: &str) -> Digits {
        let (neg, text) = match text.strip_prefix('-') {
            Some(t) => (true, t),
            None => (false, text),
        };
        let (mantissa, exp) = text.split_once('e').unwrap_or((text, "0"));
        let mut d = Digits { neg, buf: [0; 40], len: 0, exp: exp.parse().unwrap_or(0) - 1 };
        let mut before_point = true;
        for b in mantissa.bytes() {
            match b {
                b'.' => before_point = false,
                b'0' if d.len == 0 => {
                    if !before_point {
                        d.exp -= 1;
                    }
                }
                _ => {
                    if before_point {
                        d.exp += 1;
                    }
                    if d.len < d.buf.len() {
                        d.buf[d.len] = b;
                        d.len += 1;
                    }
                }
            }
        }
        while d.len > 1 && d.buf[d.len - 1] == b'0' {
            d.len -= 1;
        }
        d
    }

    fn digits(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).expect("ASCII digits")
    }
}

/// Java's layout of the shortest digits. `two` gives the value correctly rounded to two
/// significant digits (Rust's `{:.1e}`), which Java prints instead when one digit would do in
/// scientific notation (its `d.d` form always shows a fraction digit: `4.9E-324`, `1.4E-45`,
/// `1.0E10`).
fn push_java_text(out: &mut String, d: &Digits, two: impl FnOnce() -> String) {
    let digits = d.digits();
    if d.neg {
        out.push('-');
    }
    if (-3..7).contains(&d.exp) {
        let point = d.exp + 1; // digits before the decimal point
        if point <= 0 {
            out.push_str("0.");
            for _ in 0..-point {
                out.push('0');
            }
            out.push_str(digits);
        } else {
            let point = point as usize;
            if digits.len() > point {
                out.push_str(&digits[..point]);
                out.push('.');
                out.push_str(&digits[point..]);
            } else {
                out.push_str(digits);
                for _ in digits.len()..point {
                    out.push('0');
                }
                out.push_str(".0");
            }
        }
    } else if digits.len() == 1 {
        // Two significant digits, correctly rounded, with that form's exponent.
        let two = two();
        let (m2, e2) = two.split_once('e').unwrap_or((&two, "0"));
        out.push_str(m2.trim_start_matches('-'));
        out.push('E');
        out.push_str(e2);
    } else {
        out.push_str(&digits[..1]);
        out.push('.');
        out.push_str(&digits[1..]);
        out.push('E');
        super::format::push_int(out, d.exp);
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
        assert_eq!(java_double(1e-3), "0.001");
        assert_eq!(java_double(1e7), "1.0E7");
        assert_eq!(java_double(9999999.5), "9999999.5");
        assert_eq!(java_double(-123.25e-300), "-1.2325E-298");
        assert_eq!(java_double(1e22), "1.0E22");
        assert_eq!(java_double(1.5e300), "1.5E300");
    }

    fn java_float_general(x: f32) -> String {
        let mut out = String::new();
        if x == 0.0 {
            return java_float(x);
        }
        push_java_text(&mut out, &Digits::shortest(ryu::Buffer::new().format_finite(x)), || format!("{x:.1e}"));
        out
    }

    /// Shortest digits that read back as the same number; of two equally close, the even one
    /// (`ryu` and Java 17's `Double.toString` choose it; Rust's `{:e}` rounds half up). The last
    /// cases are what sstabledump's JVM printed for those bits.
    #[test]
    fn digits_are_the_shortest_that_round_trip_and_ties_go_to_even() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..100_000 {
            // xorshift64*: bit patterns of every magnitude.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let bits = state.wrapping_mul(0x2545_F491_4F6C_DD1D);
            let (x, y) = (f64::from_bits(bits), f32::from_bits(bits as u32));
            for plain in [(bits % 20_000_000) as f64 / 1000.0 + 1e-3, (bits % 1000) as f64 / 1e6 + 1e-3, -((bits % 9_999_000) as f64) - 0.5] {
                let mut general = String::new();
                push_java_text(&mut general, &Digits::shortest(ryu::Buffer::new().format_finite(plain)), || unreachable!());
                assert_eq!(java_double(plain), general);
                assert_eq!(java_float(plain as f32), java_float_general(plain as f32));
            }
            if x.is_finite() && x != 0.0 {
                assert_eq!(java_double(x).parse::<f64>().unwrap(), x);
                assert_eq!(Digits::shortest(ryu::Buffer::new().format_finite(x)).len, Digits::shortest(&format!("{x:e}")).len, "{x:e}");
            }
            if y.is_finite() && y != 0.0 {
                assert_eq!(java_float(y).parse::<f32>().unwrap(), y);
                assert_eq!(Digits::shortest(ryu::Buffer::new().format_finite(y)).len, Digits::shortest(&format!("{y:e}")).len, "{y:e}");
            }
        }
        assert_eq!(java_float(f32::from_bits(0x4899_a224)), "314641.12");
        assert_eq!(java_double(f64::from_bits(4_833_438_262_241_265_857)), "1.3948654250235362E15");
    }
}
