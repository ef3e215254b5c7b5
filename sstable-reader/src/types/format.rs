//! Text forms of values, as Cassandra's `sstabledump` prints them.
//!
//! Two forms exist: [`json`] follows `AbstractType.toJSONString` (cell values and clustering
//! values; numbers bare, text quoted, blobs `"0x…"`, timestamps `"yyyy-MM-dd HH:mm:ss.SSSZ"`),
//! and [`display`] follows `AbstractType.getString` (partition keys and collection cell paths;
//! blobs as bare hex, timestamps `yyyy-MM-dd HH:mmXX`). Counters print their value (the sum
//! of the shards), where `sstabledump` prints the first 8 bytes of the context.

use std::net::IpAddr;

use super::numeric::{decimal_to_string, push_java_double, push_java_float, varint_to_string};
use super::value::{collection_elements, composite_components, counter_total, tuple_fields, vector_elements};
use super::{CqlType, ValueError};

/// What each byte becomes inside a JSON string: 0 kept, `u` as `\u00XX`, else `\` and that
/// letter.
const ESCAPES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = b'u';
        b += 1;
    }
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t[b'\n' as usize] = b'n';
    t[b'\r' as usize] = b'r';
    t[b'\t' as usize] = b't';
    t[0x08] = b'b';
    t[0x0c] = b'f';
    t
};

/// Appends `s` as a JSON string literal (quotes included).
pub fn push_json_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('"');
    // Every character that needs escaping is ASCII, so scanning bytes finds them and every
    // cut falls on a character boundary; runs of plain text are copied whole.
    let mut plain_from = 0;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        let escape = ESCAPES[b as usize];
        if escape == 0 {
            continue;
        }
        out.push_str(&s[plain_from..i]);
        out.push('\\');
        if escape == b'u' {
            out.push_str("u00");
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        } else {
            out.push(escape as char);
        }
        plain_from = i + 1;
    }
    out.push_str(&s[plain_from..]);
    out.push('"');
}

/// A CQL identifier as `ColumnIdentifier.toCQLString` writes it: bare when it is lower-case
/// alphanumeric starting with a letter, else double-quoted with `"` doubled.
pub fn cql_identifier(name: &str) -> String {
    let mut chars = name.chars();
    let plain = matches!(chars.next(), Some(c) if c.is_ascii_lowercase()) && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    push_hex(&mut out, bytes);
    out
}

/// Appends the lower-case hex of `bytes` (blobs are hex-dumped whole: this is hot in `dump`).
pub fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    // SAFETY: only ASCII hex digits are appended, so the string stays UTF-8.
    let vec = unsafe { out.as_mut_vec() };
    let start = vec.len();
    vec.resize(start + bytes.len() * 2, 0);
    let dest = &mut vec[start..];
    let mut quads = bytes.chunks_exact(4);
    let mut eights = dest.chunks_exact_mut(8);
    for (quad, eight) in (&mut quads).zip(&mut eights) {
        eight.copy_from_slice(&hex_quad(u32::from_be_bytes([quad[0], quad[1], quad[2], quad[3]])).to_be_bytes());
    }
    for (pair, b) in eights.into_remainder().chunks_exact_mut(2).zip(quads.remainder()) {
        pair[0] = DIGITS[(b >> 4) as usize];
        pair[1] = DIGITS[(b & 15) as usize];
    }
}

/// The eight lower-case hex digits of `v`, most significant first, as the bytes of a
/// big-endian `u64` (SWAR: every nibble to its own byte, then to its digit, no lookups).
fn hex_quad(v: u32) -> u64 {
    const LOW_NIBBLES: u64 = 0x0f0f_0f0f_0f0f_0f0f;
    let mut x = v as u64;
    x = (x | (x << 16)) & 0x0000_ffff_0000_ffff;
    x = (x | (x << 8)) & 0x00ff_00ff_00ff_00ff;
    x = (x | (x << 4)) & LOW_NIBBLES;
    // 0x01 in each byte whose nibble is 10 or more; those get `'a' - '0' - 10` more.
    let letters = ((x + 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101;
    x + 0x3030_3030_3030_3030 + letters * (b'a' - b'0' - 10) as u64
}

/// Appends `v` in decimal.
pub(crate) fn push_int(out: &mut String, v: impl itoa::Integer) {
    out.push_str(itoa::Buffer::new().format(v));
}

/// Appends `v` (not negative) in decimal with at least `width` digits.
fn push_padded(out: &mut String, v: u64, width: usize) {
    let mut buf = itoa::Buffer::new();
    let digits = buf.format(v);
    for _ in digits.len()..width {
        out.push('0');
    }
    out.push_str(digits);
}

/// `8-4-4-4-12` hex groups of a 16-byte UUID.
fn push_uuid(out: &mut String, bytes: &[u8; 16]) {
    for (i, group) in [&bytes[0..4], &bytes[4..6], &bytes[6..8], &bytes[8..10], &bytes[10..16]].into_iter().enumerate() {
        if i > 0 {
            out.push('-');
        }
        push_hex(out, group);
    }
}

/// Java's `InetAddress.getHostAddress`: dotted IPv4, or eight uncompressed hex groups.
fn inet_string(addr: &IpAddr) -> String {
    match addr {
        IpAddr::V4(a) => a.to_string(),
        IpAddr::V6(a) => a.segments().iter().map(|s| format!("{s:x}")).collect::<Vec<_>>().join(":"),
    }
}

/// Civil date (proleptic Gregorian) of a day number relative to 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `yyyy-MM-dd` as `DateTimeFormatter.ISO_LOCAL_DATE` writes it (years past 9999 get `+`).
#[cfg(test)]
pub(crate) fn iso_date(days_since_epoch: i64) -> String {
    let mut out = String::new();
    push_iso_date(&mut out, days_since_epoch);
    out
}

/// Appends [`iso_date`].
pub(crate) fn push_iso_date(out: &mut String, days_since_epoch: i64) {
    let (y, m, d) = civil_from_days(days_since_epoch);
    if y > 9999 {
        out.push('+');
    } else if y < 0 {
        out.push('-');
    }
    push_padded(out, y.unsigned_abs(), 4);
    push_month_day(out, m, d);
}

fn push_month_day(out: &mut String, m: u32, d: u32) {
    out.push('-');
    push_padded(out, m as u64, 2);
    out.push('-');
    push_padded(out, d as u64, 2);
}

/// `HH:mm:ss` of a time of day in seconds.
pub(crate) fn push_hms(out: &mut String, secs_of_day: i64) {
    push_padded(out, (secs_of_day / 3600) as u64, 2);
    out.push(':');
    push_padded(out, (secs_of_day / 60 % 60) as u64, 2);
    out.push(':');
    push_padded(out, (secs_of_day % 60) as u64, 2);
}

/// A millisecond timestamp as Cassandra 5.0 prints it: `yyyy-MM-dd` (proleptic Gregorian,
/// year of era without a sign), `separator`, `HH:mm:ss.SSSZ`, in UTC.
fn push_timestamp(out: &mut String, millis: i64, separator: char) {
    let days = millis.div_euclid(86_400_000);
    let ms = millis.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    push_padded(out, if y <= 0 { 1 - y } else { y } as u64, 4);
    push_month_day(out, m, d);
    out.push(separator);
    push_hms(out, ms / 1000);
    out.push('.');
    push_padded(out, (ms % 1000) as u64, 3);
    out.push('Z');
}

/// `TimestampType.toJSONString` body: `yyyy-MM-dd HH:mm:ss.SSSZ` in UTC.
pub fn timestamp_json(millis: i64) -> String {
    let mut out = String::new();
    push_timestamp(&mut out, millis, ' ');
    out
}

/// `TimestampSerializer.toString` (Cassandra 5.0): `yyyy-MM-dd'T'HH:mm:ss.SSSZ` in UTC.
pub fn timestamp_display(millis: i64) -> String {
    let mut out = String::new();
    push_timestamp(&mut out, millis, 'T');
    out
}

/// `TimeSerializer.toString`: `HH:mm:ss.nnnnnnnnn`.
fn time_string(nanos: i64) -> String {
    let (secs, frac) = (nanos / 1_000_000_000, nanos % 1_000_000_000);
    format!("{:02}:{:02}:{:02}.{frac:09}", secs / 3600, secs / 60 % 60, secs % 60)
}

/// Cassandra's `Duration.toString`, e.g. `1y2mo3d4h5m6s7ms8us9ns`, `-3d`.
fn duration_string(months: i32, days: i32, nanos: i64) -> String {
    let mut out = String::new();
    if months < 0 || days < 0 || nanos < 0 {
        out.push('-');
    }
    let part = |out: &mut String, value: u64, divisor: u64, unit: &str| -> u64 {
        if value == 0 || value < divisor {
            return value;
        }
        out.push_str(&(value / divisor).to_string());
        out.push_str(unit);
        value % divisor
    };
    let m = part(&mut out, months.unsigned_abs() as u64, 12, "y");
    part(&mut out, m, 1, "mo");
    part(&mut out, days.unsigned_abs() as u64, 1, "d");
    if nanos != 0 {
        let mut r = nanos.unsigned_abs();
        r = part(&mut out, r, 3_600_000_000_000, "h");
        r = part(&mut out, r, 60_000_000_000, "m");
        r = part(&mut out, r, 1_000_000_000, "s");
        r = part(&mut out, r, 1_000_000, "ms");
        r = part(&mut out, r, 1000, "us");
        part(&mut out, r, 1, "ns");
    }
    out
}

fn be<const N: usize>(bytes: &[u8], what: &str) -> Result<[u8; N], ValueError> {
    bytes.try_into().map_err(|_| ValueError(format!("{what} needs {N} bytes, got {}", bytes.len())))
}

fn text(bytes: &[u8]) -> Result<&str, ValueError> {
    std::str::from_utf8(bytes).map_err(|e| ValueError(format!("invalid UTF-8: {e}")))
}

/// Renders a value the way `sstabledump` writes cell and clustering values
/// (`AbstractType.toJSONString`): a JSON fragment appended to `out`.
///
/// # Errors
/// When the bytes do not decode as `ty`.
pub fn json(ty: &CqlType, bytes: &[u8], out: &mut String) -> Result<(), ValueError> {
    use CqlType as T;
    match ty {
        T::Reversed(inner) => return json(inner, bytes, out),
        T::Text | T::Ascii => push_json_string(out, text(bytes)?),
        T::Blob | T::Custom(_) | T::DynamicComposite(_) => {
            out.push_str("\"0x");
            push_hex(out, bytes);
            out.push('"');
        }
        T::Counter => push_int(out, counter_total(bytes)?),
        T::Empty => out.push_str("\"\""),
        _ if bytes.is_empty() => out.push_str("\"\""),
        T::BigInt | T::Int | T::SmallInt | T::TinyInt | T::Varint | T::Decimal | T::Boolean => display_into(ty, bytes, out)?,
        T::Double => {
            // Jackson writes NaN and infinities as null.
            let v = f64::from_be_bytes(be(bytes, "double")?);
            if v.is_finite() {
                push_java_double(out, v);
            } else {
                out.push_str("null");
            }
        }
        T::Float => {
            let v = f32::from_be_bytes(be(bytes, "float")?);
            if v.is_finite() {
                push_java_float(out, v);
            } else {
                out.push_str("null");
            }
        }
        T::Timestamp | T::LegacyTimestamp => {
            out.push('"');
            push_timestamp(out, i64::from_be_bytes(be(bytes, "timestamp")?), ' ');
            out.push('"');
        }
        // Digits, hex, `-`, `:`, `.` and unit letters: nothing to escape.
        T::Date | T::Time | T::Uuid | T::TimeUuid | T::LexicalUuid | T::Inet | T::Duration => {
            out.push('"');
            display_into(ty, bytes, out)?;
            out.push('"');
        }
        T::List { element, .. } | T::Set { element, .. } => {
            let elems = collection_elements(bytes, false)?;
            out.push('[');
            for (i, e) in elems.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                json(element, e.ok_or_else(|| ValueError("null collection element".into()))?, out)?;
            }
            out.push(']');
        }
        T::Map { key, value, .. } => {
            let elems = collection_elements(bytes, true)?;
            out.push('{');
            for (i, pair) in elems.chunks_exact(2).enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let mut k = String::new();
                json(key, pair[0].ok_or_else(|| ValueError("null map key".into()))?, &mut k)?;
                // JSON object keys must be strings: non-string keys are quoted as they are.
                if k.starts_with('"') {
                    out.push_str(&k);
                } else {
                    push_json_string(out, &k);
                }
                out.push_str(": ");
                json(value, pair[1].ok_or_else(|| ValueError("null map value".into()))?, out)?;
            }
            out.push('}');
        }
        T::Tuple(types) => {
            let fields = tuple_fields(bytes, types.len())?;
            out.push('[');
            for (i, (f, t)) in fields.iter().zip(types).enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                match f {
                    Some(b) => json(t, b, out)?,
                    None => out.push_str("null"),
                }
            }
            out.push(']');
        }
        T::Udt(udt) => {
            let fields = tuple_fields(bytes, udt.fields.len())?;
            out.push('{');
            for (i, (name, t)) in udt.fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let shown = if name.chars().any(|c| c.is_uppercase()) { format!("\"{name}\"") } else { name.clone() };
                push_json_string(out, &shown);
                out.push_str(": ");
                match fields.get(i).copied().flatten() {
                    Some(b) => json(t, b, out)?,
                    None => out.push_str("null"),
                }
            }
            out.push('}');
        }
        T::Vector { element, dimension } => {
            out.push('[');
            for (i, e) in vector_elements(bytes, element, *dimension)?.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                json(element, e, out)?;
            }
            out.push(']');
        }
        T::Composite(_) => push_json_string(out, &display(ty, bytes)?),
    }
    Ok(())
}

/// Renders a value the way `sstabledump` writes partition keys and cell paths
/// (`AbstractType.getString`).
///
/// # Errors
/// When the bytes do not decode as `ty`.
pub fn display(ty: &CqlType, bytes: &[u8]) -> Result<String, ValueError> {
    let mut out = String::new();
    display_into(ty, bytes, &mut out)?;
    Ok(out)
}

/// Appends [`display`]'s text. On error, `out` may hold part of it.
///
/// # Errors
/// As [`display`].
pub fn display_into(ty: &CqlType, bytes: &[u8], out: &mut String) -> Result<(), ValueError> {
    use CqlType as T;
    if bytes.is_empty() && !matches!(ty.base(), T::Text | T::Ascii | T::Blob | T::Custom(_)) {
        return Ok(());
    }
    match ty {
        T::Reversed(inner) => display_into(inner, bytes, out)?,
        T::Text | T::Ascii => out.push_str(text(bytes)?),
        T::Blob | T::Custom(_) | T::DynamicComposite(_) | T::Counter => push_hex(out, bytes),
        T::Empty => {}
        T::BigInt => push_int(out, i64::from_be_bytes(be(bytes, "bigint")?)),
        T::Int => push_int(out, i32::from_be_bytes(be(bytes, "int")?)),
        T::SmallInt => push_int(out, i16::from_be_bytes(be(bytes, "smallint")?)),
        T::TinyInt => push_int(out, i8::from_be_bytes(be(bytes, "tinyint")?)),
        T::Varint => out.push_str(&varint_to_string(bytes)),
        T::Decimal => {
            if bytes.len() < 4 {
                return Err(ValueError("decimal needs at least 4 bytes".into()));
            }
            out.push_str(&decimal_to_string(i32::from_be_bytes(be(&bytes[..4], "decimal scale")?), &bytes[4..]));
        }
        T::Boolean => out.push_str(if be::<1>(bytes, "boolean")?[0] != 0 { "true" } else { "false" }),
        T::Double => push_java_double(out, f64::from_be_bytes(be(bytes, "double")?)),
        T::Float => push_java_float(out, f32::from_be_bytes(be(bytes, "float")?)),
        T::Timestamp | T::LegacyTimestamp => push_timestamp(out, i64::from_be_bytes(be(bytes, "timestamp")?), 'T'),
        T::Date => push_iso_date(out, u32::from_be_bytes(be(bytes, "date")?) as i64 - (1i64 << 31)),
        T::Time => out.push_str(&time_string(i64::from_be_bytes(be(bytes, "time")?))),
        T::Uuid | T::TimeUuid | T::LexicalUuid => push_uuid(out, &be::<16>(bytes, "uuid")?),
        T::Inet => match ty.decode(bytes)? {
            super::CqlValue::Inet(addr) => out.push_str(&inet_string(&addr)),
            _ => return Err(ValueError("inet".into())),
        },
        T::Duration => match ty.decode(bytes)? {
            super::CqlValue::Duration { months, days, nanos } => out.push_str(&duration_string(months, days, nanos)),
            _ => return Err(ValueError("duration".into())),
        },
        // Cassandra 5.0 has no getString of its own for these: they print as hex.
        T::List { .. } | T::Set { .. } | T::Map { .. } | T::Vector { .. } => push_hex(out, bytes),
        T::Tuple(types) => {
            let fields = tuple_fields(bytes, types.len())?;
            out.push_str(&escaped_fields(fields.iter().zip(types).map(|(f, t)| f.map(|b| display(t, b)).transpose()))?);
        }
        T::Udt(udt) => {
            let fields = tuple_fields(bytes, udt.fields.len())?;
            out.push_str(&escaped_fields(fields.iter().zip(&udt.fields).map(|(f, (_, t))| f.map(|b| display(t, b)).transpose()))?);
        }
        T::Composite(types) => {
            let parts = composite_components(bytes)?;
            let mut texts = Vec::new();
            for (b, t) in parts.iter().zip(types) {
                texts.push(display(t, b)?.replace('\\', "\\\\").replace(':', "\\:"));
            }
            out.push_str(&texts.join(":"));
        }
    }
    Ok(())
}

/// `TupleType.getString`: fields joined by `:`, with `:` and `@` escaped and null as `@`.
fn escaped_fields(fields: impl Iterator<Item = Result<Option<String>, ValueError>>) -> Result<String, ValueError> {
    let mut out = Vec::new();
    for f in fields {
        out.push(match f? {
            Some(s) => s.replace(':', "\\:").replace('@', "\\@"),
            None => "@".to_string(),
        });
    }
    Ok(out.join(":"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(ty: &CqlType, bytes: &[u8]) -> String {
        let mut s = String::new();
        json(ty, bytes, &mut s).unwrap();
        s
    }

    #[test]
    fn json_strings_escape_quotes_backslashes_and_controls_and_keep_the_rest() {
        let mut out = String::new();
        push_json_string(&mut out, "a\"b\\c\n\r\t\u{8}\u{c}\u{1}\u{1f} é€😀 end");
        assert_eq!(out, "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001F é€😀 end\"");
        out.clear();
        push_json_string(&mut out, "");
        assert_eq!(out, "\"\"");
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(hex(&[]), "");
        let all: Vec<u8> = (0..=255u8).chain([0x9a, 0x5f, 0xe1]).collect();
        let slow: String = all.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex(&all), slow);
    }

    #[test]
    fn json_forms_match_sstabledump() {
        assert_eq!(j(&CqlType::Text, b"a\"b"), r#""a\"b""#);
        assert_eq!(j(&CqlType::Blob, &[0xca, 0xfe]), r#""0xcafe""#);
        assert_eq!(j(&CqlType::Int, &7i32.to_be_bytes()), "7");
        assert_eq!(j(&CqlType::Int, &[]), r#""""#);
        assert_eq!(j(&CqlType::Double, &f64::NAN.to_be_bytes()), "null");
        assert_eq!(j(&CqlType::Timestamp, &1_600_000_000_123i64.to_be_bytes()), r#""2020-09-13 12:26:40.123Z""#);
        assert_eq!(j(&CqlType::Date, &((1u32 << 31) + 1).to_be_bytes()), r#""1970-01-02""#);
        assert_eq!(j(&CqlType::Time, &3_723_000_000_004i64.to_be_bytes()), r#""01:02:03.000000004""#);
        assert_eq!(j(&CqlType::Inet, &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), r#""0:0:0:0:0:0:0:1""#);
        let uuid: Vec<u8> = (0u8..16).collect();
        assert_eq!(j(&CqlType::Uuid, &uuid), r#""00010203-0405-0607-0809-0a0b0c0d0e0f""#);
        assert_eq!(j(&CqlType::Duration, &[28, 6, 0]), r#""1y2mo3d""#);
        let map = CqlType::Map { key: Box::new(CqlType::Int), value: Box::new(CqlType::Text), frozen: true };
        let mut m = 1i32.to_be_bytes().to_vec();
        m.extend_from_slice(&4i32.to_be_bytes());
        m.extend_from_slice(&5i32.to_be_bytes());
        m.extend_from_slice(&1i32.to_be_bytes());
        m.extend_from_slice(b"x");
        assert_eq!(j(&map, &m), r#"{"5": "x"}"#);
        assert_eq!(display(&map, &m).unwrap(), hex(&m));
    }

    #[test]
    fn durations_print_like_cassandra() {
        assert_eq!(duration_string(14, 3, 3_600_000_000_000 + 5_000_000 + 7), "1y2mo3d1h5ms7ns");
        assert_eq!(duration_string(0, -3, 0), "-3d");
        assert_eq!(duration_string(12, 0, 0), "1y");
        assert_eq!(duration_string(0, 0, 90_000_000_000), "1m30s");
    }

    #[test]
    fn display_forms_match_get_string() {
        assert_eq!(display(&CqlType::Blob, &[0xca, 0xfe]).unwrap(), "cafe");
        assert_eq!(display(&CqlType::Timestamp, &0i64.to_be_bytes()).unwrap(), "1970-01-01T00:00:00.000Z");
        // Proleptic Gregorian, as the 5.0 sstabledump prints year 1 (corpus scalar_timestamp).
        assert_eq!(timestamp_json(-62_135_596_800_000), "0001-01-01 00:00:00.000Z");
        assert_eq!(cql_identifier("val"), "val");
        assert_eq!(cql_identifier("Val"), "\"Val\"");
        assert_eq!(iso_date(-1), "1969-12-31");
        assert_eq!(iso_date(2_932_896), "9999-12-31");
        assert_eq!(iso_date(2_932_897), "+10000-01-01");
    }
}
