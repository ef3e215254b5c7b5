//! Ordering of serialized values, as Cassandra orders clustering values and cell paths.
//!
//! Rows are stored in clustering order and a complex column's cells in cell-path order, both
//! given by the column types' comparators (`AbstractType.compare`). Merging several SSTables
//! needs the same order, so [`compare`] reproduces each type's comparator on serialized bytes:
//!
//! | types | order (Cassandra class) |
//! |---|---|
//! | ascii, text, blob, inet, date, custom | unsigned bytes (byte-order comparable types) |
//! | int, bigint, smallint, tinyint, varint, time, timestamp, counter | signed integer (`Int32Type`, `LongType`, `IntegerType`, ...) |
//! | float, double | `Float.compare` / `Double.compare`: -0.0 < 0.0, NaN last |
//! | decimal | `BigDecimal.compareTo`: numeric, so 1.0 == 1.00 |
//! | boolean | false < true (`BooleanType`) |
//! | uuid | version, then time for v1, then unsigned bytes (`UUIDType`) |
//! | timeuuid | time, then the low 8 bytes as signed bytes (`TimeUUIDType`) |
//! | frozen list/set/map, tuple, UDT, vector | element by element, then the count |
//! | `ReversedType(t)` | the reverse of `t` (DESC clustering) |
//!
//! An empty value sorts before every non-empty one (the fixed-length types'
//! `compareCustom`). Malformed bytes never panic: they fall back to unsigned byte order.
//!
//! Source: `org.apache.cassandra.db.marshal` (`*Type.compareCustom`, `CollectionType`,
//! `TupleType`, `ReversedType`) in <https://github.com/apache/cassandra>.

use std::cmp::Ordering;

use super::value::{collection_elements, tuple_fields, vector_elements};
use super::{varint_to_string, CqlType};

/// Compares two serialized values of type `ty` as Cassandra's comparator for that type does.
pub fn compare(ty: &CqlType, a: &[u8], b: &[u8]) -> Ordering {
    if let CqlType::Reversed(inner) = ty {
        return compare(inner, b, a);
    }
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Less,
        (false, true) => return Ordering::Greater,
        (false, false) => {}
    }
    match ty {
        CqlType::Int | CqlType::BigInt | CqlType::SmallInt | CqlType::TinyInt | CqlType::Varint | CqlType::Time | CqlType::Timestamp | CqlType::Counter => compare_signed(a, b),
        CqlType::Float => match (<[u8; 4]>::try_from(a), <[u8; 4]>::try_from(b)) {
            (Ok(x), Ok(y)) => compare_float(f32::from_be_bytes(x) as f64, f32::from_be_bytes(y) as f64),
            _ => a.cmp(b),
        },
        CqlType::Double => match (<[u8; 8]>::try_from(a), <[u8; 8]>::try_from(b)) {
            (Ok(x), Ok(y)) => compare_float(f64::from_be_bytes(x), f64::from_be_bytes(y)),
            _ => a.cmp(b),
        },
        CqlType::Decimal => compare_decimal(a, b).unwrap_or_else(|| a.cmp(b)),
        CqlType::Boolean => (a[0] != 0).cmp(&(b[0] != 0)),
        CqlType::Uuid => compare_uuid(a, b),
        CqlType::TimeUuid => compare_timeuuid(a, b),
        CqlType::LexicalUuid => match (<[u8; 16]>::try_from(a), <[u8; 16]>::try_from(b)) {
            // java.util.UUID.compareTo: signed most then least significant halves.
            (Ok(x), Ok(y)) => i128_halves(x).cmp(&i128_halves(y)),
            _ => a.cmp(b),
        },
        CqlType::Empty => Ordering::Equal,
        CqlType::List { element, .. } | CqlType::Set { element, .. } => compare_collection(a, b, false, element, element),
        CqlType::Map { key, value, .. } => compare_collection(a, b, true, key, value),
        CqlType::Tuple(types) => compare_fields(a, b, types.iter()),
        CqlType::Udt(udt) => compare_fields(a, b, udt.fields.iter().map(|(_, t)| t)),
        CqlType::Vector { element, dimension } => match (vector_elements(a, element, *dimension), vector_elements(b, element, *dimension)) {
            (Ok(xs), Ok(ys)) => xs.iter().zip(&ys).map(|(x, y)| compare(element, x, y)).find(|o| o.is_ne()).unwrap_or(Ordering::Equal),
            _ => a.cmp(b),
        },
        // Byte-order comparable: text, ascii, blob, inet, date, legacy timestamps, durations
        // (not orderable in CQL), composites and unknown custom types.
        _ => a.cmp(b),
    }
}

fn i128_halves(x: [u8; 16]) -> (i64, i64) {
    let (hi, lo) = x.split_at(8);
    let hi: [u8; 8] = hi.try_into().unwrap_or([0; 8]);
    let lo: [u8; 8] = lo.try_into().unwrap_or([0; 8]);
    (i64::from_be_bytes(hi), i64::from_be_bytes(lo))
}

/// Big-endian two's-complement integers of any lengths (redundant sign bytes allowed).
fn compare_signed(a: &[u8], b: &[u8]) -> Ordering {
    let (a, b) = (strip_sign_extension(a), strip_sign_extension(b));
    let neg_a = a[0] & 0x80 != 0;
    let neg_b = b[0] & 0x80 != 0;
    if neg_a != neg_b {
        return if neg_a { Ordering::Less } else { Ordering::Greater };
    }
    if a.len() != b.len() {
        // Same sign, minimal encodings: more bytes means a larger magnitude.
        let longer = a.len().cmp(&b.len());
        return if neg_a { longer.reverse() } else { longer };
    }
    // Same length and sign: unsigned byte order is numeric order.
    a.cmp(b)
}

/// Drops leading bytes that only repeat the sign; never returns an empty slice for a
/// non-empty input.
fn strip_sign_extension(mut v: &[u8]) -> &[u8] {
    while v.len() > 1 && ((v[0] == 0 && v[1] & 0x80 == 0) || (v[0] == 0xff && v[1] & 0x80 != 0)) {
        v = &v[1..];
    }
    v
}

/// `Double.compare`: NaN above everything (all NaNs equal), -0.0 below 0.0.
fn compare_float(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.total_cmp(&b),
    }
}

/// `BigDecimal.compareTo`: `scale(i32) unscaled(varint)`, compared by numeric value.
fn compare_decimal(a: &[u8], b: &[u8]) -> Option<Ordering> {
    let parse = |v: &[u8]| -> Option<(bool, Vec<u8>, i64)> {
        let scale = i32::from_be_bytes(v.get(0..4)?.try_into().ok()?) as i64;
        let text = varint_to_string(&v[4..]);
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.as_str()),
        };
        let digits: Vec<u8> = digits.trim_start_matches('0').bytes().collect();
        Some((negative && !digits.is_empty(), digits, scale))
    };
    let (neg_a, da, sa) = parse(a)?;
    let (neg_b, db, sb) = parse(b)?;
    let sign = |neg: bool, d: &[u8]| if d.is_empty() { 0 } else if neg { -1 } else { 1 };
    let (sign_a, sign_b) = (sign(neg_a, &da), sign(neg_b, &db));
    if sign_a != sign_b || sign_a == 0 {
        return Some(sign_a.cmp(&sign_b));
    }
    // Both non-zero with the same sign: compare magnitudes `digits × 10^-scale`. The number
    // of digits before the decimal point decides first, then the digits themselves.
    let int_a = da.len() as i64 - sa;
    let int_b = db.len() as i64 - sb;
    let magnitude = int_a.cmp(&int_b).then_with(|| {
        let n = da.len().max(db.len());
        (0..n).map(|i| da.get(i).copied().unwrap_or(b'0').cmp(&db.get(i).copied().unwrap_or(b'0'))).find(|o| o.is_ne()).unwrap_or(Ordering::Equal)
    });
    Some(if sign_a < 0 { magnitude.reverse() } else { magnitude })
}

fn uuid_halves(v: &[u8]) -> Option<(u64, u64)> {
    let v: [u8; 16] = v.try_into().ok()?;
    let (hi, lo) = i128_halves(v);
    Some((hi as u64, lo as u64))
}

/// The 60-bit timestamp of a version 1 UUID's high half, moved to the top
/// (`TimeUUIDType.reorderTimestampBytes`).
fn reorder_timestamp(msb: u64) -> i64 {
    ((msb << 48) | ((msb << 16) & 0xFFFF_0000_0000) | (msb >> 32)) as i64
}

fn compare_uuid(a: &[u8], b: &[u8]) -> Ordering {
    let (Some((msb_a, lsb_a)), Some((msb_b, lsb_b))) = (uuid_halves(a), uuid_halves(b)) else {
        // Cassandra orders 16-byte values after anything else.
        return (a.len() == 16).cmp(&(b.len() == 16)).then_with(|| a.cmp(b));
    };
    let version_a = (msb_a >> 12) & 0xf;
    let version_b = (msb_b >> 12) & 0xf;
    version_a
        .cmp(&version_b)
        .then_with(|| if version_a == 1 { reorder_timestamp(msb_a).cmp(&reorder_timestamp(msb_b)) } else { msb_a.cmp(&msb_b) })
        .then_with(|| lsb_a.cmp(&lsb_b))
}

fn compare_timeuuid(a: &[u8], b: &[u8]) -> Ordering {
    let (Some((msb_a, lsb_a)), Some((msb_b, lsb_b))) = (uuid_halves(a), uuid_halves(b)) else {
        return (a.len() == 16).cmp(&(b.len() == 16)).then_with(|| a.cmp(b));
    };
    // The low half compares as signed bytes (kept for compatibility in Cassandra).
    let signed_bytes = |x: u64| (x ^ 0x0080_8080_8080_8080) as i64;
    reorder_timestamp(msb_a).cmp(&reorder_timestamp(msb_b)).then_with(|| signed_bytes(lsb_a).cmp(&signed_bytes(lsb_b)))
}

/// Frozen list/set (`pairs == false`) or map: element by element (key then value for maps),
/// then the element count (`ListType.compareListOrSet`, `MapType.compareMaps`).
fn compare_collection(a: &[u8], b: &[u8], pairs: bool, first: &CqlType, second: &CqlType) -> Ordering {
    let (Ok(xs), Ok(ys)) = (collection_elements(a, pairs), collection_elements(b, pairs)) else {
        return a.cmp(b);
    };
    for (i, (x, y)) in xs.iter().zip(&ys).enumerate() {
        let ty = if pairs && i % 2 == 1 { second } else { first };
        let o = compare_optional(ty, *x, *y);
        if o.is_ne() {
            return o;
        }
    }
    xs.len().cmp(&ys.len())
}

/// Tuples and frozen UDTs: field by field (a null field first), then the field count.
fn compare_fields<'t>(a: &[u8], b: &[u8], types: impl Iterator<Item = &'t CqlType>) -> Ordering {
    let types: Vec<&CqlType> = types.collect();
    let (Ok(xs), Ok(ys)) = (tuple_fields(a, types.len()), tuple_fields(b, types.len())) else {
        return a.cmp(b);
    };
    for ((x, y), ty) in xs.iter().zip(&ys).zip(&types) {
        let o = compare_optional(ty, *x, *y);
        if o.is_ne() {
            return o;
        }
    }
    xs.len().cmp(&ys.len())
}

fn compare_optional(ty: &CqlType, a: Option<&[u8]>, b: Option<&[u8]>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => compare(ty, x, y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn integers_compare_signed_whatever_the_length() {
        assert_eq!(compare(&CqlType::Int, &(-1i32).to_be_bytes(), &1i32.to_be_bytes()), Less);
        assert_eq!(compare(&CqlType::BigInt, &i64::MIN.to_be_bytes(), &i64::MAX.to_be_bytes()), Less);
        assert_eq!(compare(&CqlType::SmallInt, &300i16.to_be_bytes(), &200i16.to_be_bytes()), Greater);
        // varint: 128 is [0x00, 0x80], -129 is [0xff, 0x7f], 1 is [0x01].
        assert_eq!(compare(&CqlType::Varint, &[0x00, 0x80], &[0x01]), Greater);
        assert_eq!(compare(&CqlType::Varint, &[0xff, 0x7f], &[0xff]), Less);
        assert_eq!(compare(&CqlType::Varint, &[0x00, 0x01], &[0x01]), Equal);
        assert_eq!(compare(&CqlType::Int, &[], &0i32.to_be_bytes()), Less);
    }

    #[test]
    fn reversed_flips_the_order() {
        let desc = CqlType::Reversed(Box::new(CqlType::Int));
        assert_eq!(compare(&desc, &1i32.to_be_bytes(), &2i32.to_be_bytes()), Greater);
        assert_eq!(compare(&CqlType::Reversed(Box::new(CqlType::Text)), b"a", b"b"), Greater);
    }

    #[test]
    fn floats_follow_java_compare() {
        let f = |x: f32| x.to_be_bytes();
        assert_eq!(compare(&CqlType::Float, &f(-0.0), &f(0.0)), Less);
        assert_eq!(compare(&CqlType::Float, &f(f32::NAN), &f(f32::INFINITY)), Greater);
        assert_eq!(compare(&CqlType::Float, &f(-2.5), &f(1.0)), Less);
        let d = |x: f64| x.to_be_bytes();
        assert_eq!(compare(&CqlType::Double, &d(1e300), &d(-1e300)), Greater);
    }

    #[test]
    fn decimals_compare_by_value_not_scale() {
        let dec = |scale: i32, unscaled: &[u8]| [&scale.to_be_bytes()[..], unscaled].concat();
        // 1.0 (10, scale 1) == 1.00 (100, scale 2)
        assert_eq!(compare(&CqlType::Decimal, &dec(1, &[10]), &dec(2, &[100])), Equal);
        // 0.5 < 1
        assert_eq!(compare(&CqlType::Decimal, &dec(1, &[5]), &dec(0, &[1])), Less);
        // -1.5 < -1.25
        assert_eq!(compare(&CqlType::Decimal, &dec(1, &[0xf1]), &dec(2, &[0x83])), Less);
        // 12 (scale -1 of 1.2e1 → unscaled 12, scale 0) > 1.2e0
        assert_eq!(compare(&CqlType::Decimal, &dec(-1, &[12]), &dec(0, &[12])), Greater);
        assert_eq!(compare(&CqlType::Decimal, &dec(3, &[0]), &dec(0, &[0])), Equal);
    }

    #[test]
    fn uuids_order_by_version_then_time() {
        // v1 timeuuids: time_low differs; the later time has the smaller first byte.
        let early = hex16("00000001-0000-1000-8000-000000000000");
        let late = hex16("00000000-0001-1000-8000-000000000000");
        assert_eq!(compare(&CqlType::TimeUuid, &early, &late), Less);
        assert_eq!(compare(&CqlType::Uuid, &early, &late), Less);
        let v4 = hex16("00000000-0000-4000-8000-000000000000");
        assert_eq!(compare(&CqlType::Uuid, &v4, &early), Greater);
        // Low half as signed bytes for timeuuid: 0x80 < 0x7f.
        let a = hex16("00000000-0000-1000-8000-000000000000");
        let b = hex16("00000000-0000-1000-7f00-000000000000");
        assert_eq!(compare(&CqlType::TimeUuid, &a, &b), Less);
        assert_eq!(compare(&CqlType::Uuid, &a, &b), Greater);
    }

    fn hex16(s: &str) -> [u8; 16] {
        let hex: String = s.chars().filter(|c| *c != '-').collect();
        let mut out = [0u8; 16];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
        }
        out
    }

    #[test]
    fn frozen_collections_and_tuples_compare_elementwise() {
        let list = |xs: &[i32]| {
            let mut out = (xs.len() as i32).to_be_bytes().to_vec();
            for x in xs {
                out.extend(4i32.to_be_bytes());
                out.extend(x.to_be_bytes());
            }
            out
        };
        let ty = CqlType::List { element: Box::new(CqlType::Int), frozen: true };
        assert_eq!(compare(&ty, &list(&[1, 2]), &list(&[1, 3])), Less);
        assert_eq!(compare(&ty, &list(&[1, 2]), &list(&[1])), Greater);
        assert_eq!(compare(&ty, &list(&[-1]), &list(&[0, 0])), Less);
        let tuple = CqlType::Tuple(vec![CqlType::Int, CqlType::Text]);
        let t = |x: i32, s: Option<&str>| {
            let mut out = 4i32.to_be_bytes().to_vec();
            out.extend(x.to_be_bytes());
            match s {
                Some(s) => {
                    out.extend((s.len() as i32).to_be_bytes());
                    out.extend(s.as_bytes());
                }
                None => out.extend((-1i32).to_be_bytes()),
            }
            out
        };
        assert_eq!(compare(&tuple, &t(1, Some("b")), &t(1, Some("a"))), Greater);
        assert_eq!(compare(&tuple, &t(1, None), &t(1, Some(""))), Less);
        assert_eq!(compare(&tuple, &t(-5, Some("z")), &t(1, None)), Less);
    }

    #[test]
    fn booleans_and_text() {
        assert_eq!(compare(&CqlType::Boolean, &[0], &[1]), Less);
        assert_eq!(compare(&CqlType::Boolean, &[2], &[1]), Equal);
        assert_eq!(compare(&CqlType::Text, "é".as_bytes(), b"z"), Greater);
    }
}
