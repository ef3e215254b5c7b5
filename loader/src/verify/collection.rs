//! Whole values of multi-cell columns in native-protocol form, so a non-frozen collection or
//! UDT read from SSTable cells compares byte for byte with what the target returns for it,
//! and the lists Cassandra 5.0 returns for `WRITETIME`/`TTL` of such columns.
//!
//! Native protocol v4 §6 (<https://github.com/apache/cassandra/blob/cassandra-5.0/doc/native_protocol_v4.spec>):
//! list and set are `[int n]` then `n` × `[int len][bytes]`; map is `[int n]` then `n` ×
//! (key, value) each `[int len][bytes]`; a UDT is its fields in order, each `[int len][bytes]`
//! with `-1` for null and no count. Cassandra serializes a non-frozen UDT with every field of
//! its type (`UserType.serializeForNativeProtocol`: trailing unset fields as nulls), so UDT
//! values are compared without their trailing null fields ([`trim_udt`]).

use bytes::Bytes;

pub use crate::write::value::{serialize_elements as list_value, serialize_entries as map_value};

/// A value from the target that does not have the shape its column's type promises.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ShapeError(pub String);

/// A non-frozen UDT's value from its fields by position (`None`: null field).
pub fn udt_value(fields: &[Option<&[u8]>]) -> Bytes {
    let mut out = Vec::with_capacity(fields.iter().map(|f| 4 + f.map_or(0, <[u8]>::len)).sum());
    for f in fields {
        match f {
            Some(b) => {
                out.extend_from_slice(&(b.len() as i32).to_be_bytes());
                out.extend_from_slice(b);
            }
            None => out.extend_from_slice(&(-1i32).to_be_bytes()),
        }
    }
    Bytes::from(out)
}

/// Splits `[int len][bytes]` items (`-1` length: null) until `bytes` ends.
fn items<'a>(mut bytes: &'a [u8], what: &str) -> Result<Vec<Option<&'a [u8]>>, ShapeError> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (len, rest) = take_int(bytes, what)?;
        bytes = rest;
        if len < 0 {
            out.push(None);
            continue;
        }
        let len = len as usize;
        let item = bytes.get(..len).ok_or_else(|| ShapeError(format!("{what}: item of {len} bytes, {} left", bytes.len())))?;
        out.push(Some(item));
        bytes = &bytes[len..];
    }
    Ok(out)
}

fn take_int<'a>(bytes: &'a [u8], what: &str) -> Result<(i32, &'a [u8]), ShapeError> {
    let head: [u8; 4] = bytes.get(..4).and_then(|b| b.try_into().ok()).ok_or_else(|| ShapeError(format!("{what}: truncated length")))?;
    Ok((i32::from_be_bytes(head), &bytes[4..]))
}

/// A non-frozen UDT value without its trailing null fields, and how many fields are left.
///
/// # Errors
/// When the value is not a sequence of length-prefixed fields.
pub fn trim_udt(value: &Bytes) -> Result<(Bytes, usize), ShapeError> {
    let fields = items(value, "UDT value")?;
    let kept = fields.iter().rposition(Option::is_some).map_or(0, |i| i + 1);
    let len: usize = fields[..kept].iter().map(|f| 4 + f.map_or(0, <[u8]>::len)).sum();
    Ok((value.slice(..len), kept))
}

/// A `list<bigint>` (`width` 8) or `list<int>` (`width` 4) as numbers, nulls kept.
///
/// # Errors
/// When the count does not match the items or an item has another width.
pub fn parse_number_list(bytes: &[u8], width: usize) -> Result<Vec<Option<i64>>, ShapeError> {
    let (n, rest) = take_int(bytes, "list")?;
    let elements = items(rest, "list")?;
    if elements.len() != n.max(0) as usize {
        return Err(ShapeError(format!("list says {n} elements, holds {}", elements.len())));
    }
    elements.into_iter().map(|e| e.map(|b| number(b, width)).transpose()).collect()
}

/// A big-endian `bigint` (8 bytes) or `int` (4 bytes).
///
/// # Errors
/// When `bytes` is not `width` long.
pub fn number(bytes: &[u8], width: usize) -> Result<i64, ShapeError> {
    match (width, bytes.len()) {
        (8, 8) => Ok(i64::from_be_bytes(bytes.try_into().unwrap_or([0; 8]))),
        (4, 4) => Ok(i64::from(i32::from_be_bytes(bytes.try_into().unwrap_or([0; 4])))),
        _ => Err(ShapeError(format!("{} bytes where a {width}-byte number belongs", bytes.len()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_sets_and_maps_have_a_count_then_length_prefixed_items() {
        let list = list_value([&[0, 0, 0, 1][..], &[0, 0, 0, 2][..]].into_iter());
        assert_eq!(&list[..], &[0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 2]);
        let map = map_value([(&b"k"[..], &[0, 0, 0, 9][..])].into_iter());
        assert_eq!(&map[..], &[0, 0, 0, 1, 0, 0, 0, 1, b'k', 0, 0, 0, 4, 0, 0, 0, 9]);
        let empty_set_element = list_value([&b""[..]].into_iter());
        assert_eq!(&empty_set_element[..], &[0, 0, 0, 1, 0, 0, 0, 0]);
    }

    #[test]
    fn udt_fields_have_no_count_and_nulls_are_minus_one() {
        // What Cassandra 5.0.8 returned for `u addr (street text, n int)` with only street set.
        let got = Bytes::from_static(&[0, 0, 0, 4, b'm', b'a', b'i', b'n', 0xff, 0xff, 0xff, 0xff]);
        assert_eq!(udt_value(&[Some(b"main"), None]), got);
        let (trimmed, n) = trim_udt(&got).unwrap();
        assert_eq!(n, 1);
        assert_eq!(trimmed, udt_value(&[Some(b"main")]));
        // A gap stays, only trailing nulls go.
        let gap = udt_value(&[None, Some(b""), None]);
        let (trimmed, n) = trim_udt(&gap).unwrap();
        assert_eq!((n, &trimmed[..]), (2, &[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0][..]));
        assert!(trim_udt(&Bytes::from_static(&[0, 0, 0, 9, 1])).is_err());
    }

    #[test]
    fn writetime_and_ttl_lists_parse_with_nulls() {
        // `ttl(l)` of [1, 2, 3] where only the last element has a TTL (Cassandra 5.0.8).
        let ttl = [0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 4, 0, 0, 0x12, 0xd0];
        assert_eq!(parse_number_list(&ttl, 4).unwrap(), vec![None, None, Some(4816)]);
        let wt = [0, 0, 0, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0x0b, 0xb8];
        assert_eq!(parse_number_list(&wt, 8).unwrap(), vec![Some(3000)]);
        assert!(parse_number_list(&wt, 4).is_err(), "an 8-byte item is not an int");
        assert!(parse_number_list(&[0, 0, 0, 2, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1], 8).is_err(), "count says 2");
        assert_eq!(number(&[0xff, 0xff, 0xff, 0xfe], 4).unwrap(), -2);
    }
}
