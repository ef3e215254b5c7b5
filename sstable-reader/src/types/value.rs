//! Typed values, decoded on demand from their serialized bytes.
//!
//! Serialization (Cassandra's `serializers` package, protocol v3+ for collections):
//! integers big-endian two's complement; `date` unsigned days with the epoch at 2^31; `time`
//! nanoseconds; `duration` three zig-zag vints; `decimal` an int scale then a varint;
//! collections (frozen, or nested) an int count then int-length-prefixed elements (map: key
//! then value); tuples and UDTs int-length-prefixed fields, length -1 for null, possibly fewer
//! fields than the type has; vectors packed fixed-length elements, or vint-length-prefixed
//! variable-length ones.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use bytes::Bytes;

use super::CqlType;
use crate::data::vint;

/// A value that does not decode as its type says (wrong length, bad UTF-8, ...). Callers add
/// the file and offset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(pub String);

fn err<T>(msg: impl Into<String>) -> Result<T, ValueError> {
    Err(ValueError(msg.into()))
}

/// A decoded CQL value. Integers keep their exact width; big numbers keep their bytes.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CqlValue {
    /// A zero-length value (legal for most types: "empty", distinct from null).
    Empty,
    /// `ascii`.
    Ascii(String),
    /// `text` / `varchar`.
    Text(String),
    /// `bigint`.
    BigInt(i64),
    /// `blob` (and values of unknown custom types).
    Blob(Bytes),
    /// `boolean`.
    Boolean(bool),
    /// `counter`: the sum of the context's shards.
    Counter(i64),
    /// `date`: the raw unsigned day number (epoch at 2^31); see [`CqlValue::date_days_since_epoch`].
    Date(u32),
    /// `decimal`: unscaled big-endian two's-complement integer × 10^-scale.
    Decimal {
        /// Power-of-ten scale.
        scale: i32,
        /// Unscaled value bytes.
        unscaled: Bytes,
    },
    /// `double`.
    Double(f64),
    /// `duration`.
    Duration {
        /// Months.
        months: i32,
        /// Days.
        days: i32,
        /// Nanoseconds.
        nanos: i64,
    },
    /// `float`.
    Float(f32),
    /// `inet`.
    Inet(IpAddr),
    /// `int`.
    Int(i32),
    /// `smallint`.
    SmallInt(i16),
    /// `time`: nanoseconds since midnight.
    Time(i64),
    /// `timestamp`: milliseconds since the Unix epoch.
    Timestamp(i64),
    /// `timeuuid`.
    TimeUuid(u128),
    /// `tinyint`.
    TinyInt(i8),
    /// `uuid`.
    Uuid(u128),
    /// `varint`: big-endian two's-complement bytes.
    Varint(Bytes),
    /// `list` (and a non-frozen list gathered from its cells).
    List(Vec<CqlValue>),
    /// `set`.
    Set(Vec<CqlValue>),
    /// `map`, in stored (key) order.
    Map(Vec<(CqlValue, CqlValue)>),
    /// `tuple`: `None` for null fields; may be shorter than the type.
    Tuple(Vec<Option<CqlValue>>),
    /// A user-defined type: field names and values (`None` for null); may be shorter than the
    /// type.
    Udt(Vec<(String, Option<CqlValue>)>),
    /// `vector`.
    Vector(Vec<CqlValue>),
    /// A composite partition key's components.
    Composite(Vec<CqlValue>),
}

impl CqlValue {
    /// For a [`CqlValue::Date`]: days since 1970-01-01 (negative before).
    pub fn date_days_since_epoch(raw: u32) -> i64 {
        raw as i64 - (1i64 << 31)
    }
}

fn fixed<const N: usize>(bytes: &[u8], what: &str) -> Result<[u8; N], ValueError> {
    bytes.try_into().map_err(|_| ValueError(format!("{what} needs {N} bytes, got {}", bytes.len())))
}

/// Reads an int-length-prefixed element (`length < 0` is null) from `bytes` at `*pos`.
fn read_int_prefixed<'a>(bytes: &'a [u8], pos: &mut usize) -> Result<Option<&'a [u8]>, ValueError> {
    let len_bytes = bytes.get(*pos..*pos + 4).ok_or_else(|| ValueError("truncated element length".into()))?;
    let len = i32::from_be_bytes([len_bytes[0], len_bytes[1], len_bytes[2], len_bytes[3]]);
    *pos += 4;
    if len < 0 {
        return Ok(None);
    }
    let end = pos.checked_add(len as usize).filter(|&e| e <= bytes.len()).ok_or_else(|| ValueError(format!("element of {len} bytes overruns the value")))?;
    let out = &bytes[*pos..end];
    *pos = end;
    Ok(Some(out))
}

/// Splits a frozen collection's serialized form into its elements (`pairs`: two per entry).
pub(crate) fn collection_elements(bytes: &[u8], pairs: bool) -> Result<Vec<Option<&[u8]>>, ValueError> {
    let mut pos = 0;
    let count_bytes: [u8; 4] = bytes.get(0..4).and_then(|b| b.try_into().ok()).ok_or_else(|| ValueError("truncated collection size".into()))?;
    let count = i32::from_be_bytes(count_bytes);
    pos += 4;
    if count < 0 {
        return err(format!("negative collection size {count}"));
    }
    let per = if pairs { 2 } else { 1 };
    // Each element takes at least 4 bytes: bound the allocation by what the bytes can hold.
    let n = (count as usize)
        .checked_mul(per)
        .filter(|n| n * 4 <= bytes.len())
        .ok_or_else(|| ValueError(format!("collection size {count} exceeds its {} bytes", bytes.len())))?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(read_int_prefixed(bytes, &mut pos)?);
    }
    if pos != bytes.len() {
        return err(format!("{} bytes after the last collection element", bytes.len() - pos));
    }
    Ok(out)
}

/// Splits a tuple or UDT value into its fields (`None` for null); at most `max` fields.
pub(crate) fn tuple_fields(bytes: &[u8], max: usize) -> Result<Vec<Option<&[u8]>>, ValueError> {
    let mut pos = 0;
    let mut out = Vec::new();
    while pos < bytes.len() {
        if out.len() == max {
            return err(format!("more than the type's {max} fields"));
        }
        out.push(read_int_prefixed(bytes, &mut pos)?);
    }
    Ok(out)
}

/// Splits a vector value into its `dimension` elements.
pub(crate) fn vector_elements<'a>(bytes: &'a [u8], element: &CqlType, dimension: u32) -> Result<Vec<&'a [u8]>, ValueError> {
    let mut out = Vec::with_capacity((dimension as usize).min(bytes.len() + 1));
    let mut pos = 0;
    for _ in 0..dimension {
        let len = match element.fixed_length() {
            Some(n) => n,
            None => {
                let (len, used) = vint::read_unsigned(&bytes[pos..]).ok_or_else(|| ValueError("truncated vector element length".into()))?;
                pos += used;
                usize::try_from(len).map_err(|_| ValueError("vector element too long".into()))?
            }
        };
        let end = pos.checked_add(len).filter(|&e| e <= bytes.len()).ok_or_else(|| ValueError("vector element overruns the value".into()))?;
        out.push(&bytes[pos..end]);
        pos = end;
    }
    if pos != bytes.len() {
        return err(format!("{} bytes after the vector's {dimension} elements", bytes.len() - pos));
    }
    Ok(out)
}

/// Splits a `CompositeType` value: each component is a 2-byte length, the bytes, and an
/// end-of-component byte. A leading `0xFFFF` marks a static composite and is skipped.
pub fn composite_components(bytes: &[u8]) -> Result<Vec<&[u8]>, ValueError> {
    let mut pos = 0;
    if bytes.len() >= 2 && bytes[0] == 0xff && bytes[1] == 0xff {
        pos = 2;
    }
    let mut out = Vec::new();
    while pos < bytes.len() {
        let len_bytes = bytes.get(pos..pos + 2).ok_or_else(|| ValueError("truncated composite component length".into()))?;
        let len = u16::from_be_bytes([len_bytes[0], len_bytes[1]]) as usize;
        pos += 2;
        let end = pos + len;
        if end + 1 > bytes.len() {
            return err("composite component overruns the key");
        }
        out.push(&bytes[pos..end]);
        pos = end + 1; // end-of-component byte
    }
    Ok(out)
}

/// Sum of the shards of a counter context: a header (signed 16-bit element count, then that
/// many 16-bit shard indexes), then 34-byte shards of counter id (16), clock (8) and count (8).
/// See Cassandra's `db.context.CounterContext`.
pub fn counter_total(context: &[u8]) -> Result<i64, ValueError> {
    if context.is_empty() {
        return Ok(0);
    }
    let header = fixed::<2>(context.get(0..2).unwrap_or(&[]), "counter context header")?;
    let elements = i16::from_be_bytes(header).unsigned_abs() as usize;
    let start = 2 + elements * 2;
    const SHARD: usize = 16 + 8 + 8;
    let body = context.get(start..).ok_or_else(|| ValueError("counter context shorter than its header".into()))?;
    if body.len() % SHARD != 0 {
        return err(format!("counter context body of {} bytes is not whole shards", body.len()));
    }
    let mut total: i64 = 0;
    for shard in body.chunks_exact(SHARD) {
        let count = i64::from_be_bytes(fixed::<8>(&shard[24..32], "counter shard")?);
        total = total.wrapping_add(count);
    }
    Ok(total)
}

fn utf8(bytes: &[u8], what: &str) -> Result<String, ValueError> {
    std::str::from_utf8(bytes).map(str::to_string).map_err(|e| ValueError(format!("invalid {what}: {e}")))
}

impl CqlType {
    /// Decodes the serialized `bytes` of one value of this type.
    ///
    /// # Errors
    /// A [`ValueError`] when the bytes do not fit the type.
    pub fn decode(&self, bytes: &[u8]) -> Result<CqlValue, ValueError> {
        use CqlType as T;
        use CqlValue as V;
        if bytes.is_empty() && !matches!(self.base(), T::Ascii | T::Text | T::Blob | T::Custom(_) | T::Counter) {
            return Ok(V::Empty);
        }
        Ok(match self {
            T::Reversed(inner) => return inner.decode(bytes),
            T::Ascii => {
                if !bytes.is_ascii() {
                    return err("non-ASCII byte in an ascii value");
                }
                V::Ascii(utf8(bytes, "ascii")?)
            }
            T::Text => V::Text(utf8(bytes, "UTF-8 text")?),
            T::Blob | T::Custom(_) => V::Blob(Bytes::copy_from_slice(bytes)),
            T::BigInt => V::BigInt(i64::from_be_bytes(fixed(bytes, "bigint")?)),
            T::Boolean => V::Boolean(fixed::<1>(bytes, "boolean")?[0] != 0),
            T::Counter => V::Counter(counter_total(bytes)?),
            T::Date => V::Date(u32::from_be_bytes(fixed(bytes, "date")?)),
            T::Decimal => {
                if bytes.len() < 4 {
                    return err("decimal needs at least 4 bytes");
                }
                V::Decimal { scale: i32::from_be_bytes(fixed(&bytes[..4], "decimal scale")?), unscaled: Bytes::copy_from_slice(&bytes[4..]) }
            }
            T::Double => V::Double(f64::from_be_bytes(fixed(bytes, "double")?)),
            T::Float => V::Float(f32::from_be_bytes(fixed(bytes, "float")?)),
            T::Duration => {
                let mut pos = 0;
                let mut next = || -> Result<i64, ValueError> {
                    let (v, used) = vint::read_signed(&bytes[pos..]).ok_or_else(|| ValueError("truncated duration".into()))?;
                    pos += used;
                    Ok(v)
                };
                let months = next()?;
                let days = next()?;
                let nanos = next()?;
                if pos != bytes.len() {
                    return err("bytes after a duration");
                }
                let months = i32::try_from(months).map_err(|_| ValueError("duration months out of range".into()))?;
                let days = i32::try_from(days).map_err(|_| ValueError("duration days out of range".into()))?;
                V::Duration { months, days, nanos }
            }
            T::Inet => match bytes.len() {
                4 => V::Inet(IpAddr::V4(Ipv4Addr::from(fixed::<4>(bytes, "inet")?))),
                16 => V::Inet(IpAddr::V6(Ipv6Addr::from(fixed::<16>(bytes, "inet")?))),
                n => return err(format!("inet needs 4 or 16 bytes, got {n}")),
            },
            T::Int => V::Int(i32::from_be_bytes(fixed(bytes, "int")?)),
            T::SmallInt => V::SmallInt(i16::from_be_bytes(fixed(bytes, "smallint")?)),
            T::TinyInt => V::TinyInt(i8::from_be_bytes(fixed(bytes, "tinyint")?)),
            T::Time => {
                let nanos = i64::from_be_bytes(fixed(bytes, "time")?);
                if !(0..86_400_000_000_000).contains(&nanos) {
                    return err(format!("time {nanos} ns is outside one day"));
                }
                V::Time(nanos)
            }
            T::Timestamp | T::LegacyTimestamp => V::Timestamp(i64::from_be_bytes(fixed(bytes, "timestamp")?)),
            T::TimeUuid => V::TimeUuid(u128::from_be_bytes(fixed(bytes, "timeuuid")?)),
            T::Uuid | T::LexicalUuid => V::Uuid(u128::from_be_bytes(fixed(bytes, "uuid")?)),
            T::Varint => V::Varint(Bytes::copy_from_slice(bytes)),
            T::Empty => return err(format!("{} bytes in an empty-type value", bytes.len())),
            T::List { element, .. } => V::List(decode_elements(element, &collection_elements(bytes, false)?)?),
            T::Set { element, .. } => V::Set(decode_elements(element, &collection_elements(bytes, false)?)?),
            T::Map { key, value, .. } => {
                let elems = collection_elements(bytes, true)?;
                let mut out = Vec::with_capacity(elems.len() / 2);
                for pair in elems.chunks_exact(2) {
                    let k = pair[0].ok_or_else(|| ValueError("null map key".into()))?;
                    let v = pair[1].ok_or_else(|| ValueError("null map value".into()))?;
                    out.push((key.decode(k)?, value.decode(v)?));
                }
                V::Map(out)
            }
            T::Tuple(types) => {
                let fields = tuple_fields(bytes, types.len())?;
                V::Tuple(fields.iter().zip(types).map(|(f, t)| f.map(|b| t.decode(b)).transpose()).collect::<Result<_, _>>()?)
            }
            T::Udt(udt) => {
                let fields = tuple_fields(bytes, udt.fields.len())?;
                V::Udt(
                    fields
                        .iter()
                        .zip(&udt.fields)
                        .map(|(f, (name, t))| Ok((name.clone(), f.map(|b| t.decode(b)).transpose()?)))
                        .collect::<Result<_, ValueError>>()?,
                )
            }
            T::Vector { element, dimension } => {
                V::Vector(vector_elements(bytes, element, *dimension)?.into_iter().map(|b| element.decode(b)).collect::<Result<_, _>>()?)
            }
            T::Composite(types) => {
                let parts = composite_components(bytes)?;
                if parts.len() > types.len() {
                    return err("more composite components than types");
                }
                V::Composite(parts.iter().zip(types).map(|(b, t)| t.decode(b)).collect::<Result<_, _>>()?)
            }
            T::DynamicComposite(_) => V::Blob(Bytes::copy_from_slice(bytes)),
        })
    }
}

fn decode_elements(element: &CqlType, elems: &[Option<&[u8]>]) -> Result<Vec<CqlValue>, ValueError> {
    elems.iter().map(|e| e.ok_or_else(|| ValueError("null collection element".into())).and_then(|b| element.decode(b))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frozen_list(elems: &[&[u8]]) -> Vec<u8> {
        let mut out = (elems.len() as i32).to_be_bytes().to_vec();
        for e in elems {
            out.extend_from_slice(&(e.len() as i32).to_be_bytes());
            out.extend_from_slice(e);
        }
        out
    }

    #[test]
    fn decodes_scalars() {
        assert_eq!(CqlType::Int.decode(&[0xff, 0xff, 0xff, 0xfe]).unwrap(), CqlValue::Int(-2));
        assert_eq!(CqlType::SmallInt.decode(&[0x01, 0x00]).unwrap(), CqlValue::SmallInt(256));
        assert_eq!(CqlType::Boolean.decode(&[1]).unwrap(), CqlValue::Boolean(true));
        assert_eq!(CqlType::Int.decode(&[]).unwrap(), CqlValue::Empty);
        assert_eq!(CqlType::Text.decode(b"").unwrap(), CqlValue::Text(String::new()));
        assert!(CqlType::Int.decode(&[1, 2]).is_err());
        assert!(CqlType::Text.decode(&[0xff]).is_err());
        assert_eq!(CqlType::Inet.decode(&[127, 0, 0, 1]).unwrap(), CqlValue::Inet("127.0.0.1".parse().unwrap()));
        // duration 1mo 2d 3ns: zig-zag 2, 4, 6
        assert_eq!(CqlType::Duration.decode(&[2, 4, 6]).unwrap(), CqlValue::Duration { months: 1, days: 2, nanos: 3 });
        assert_eq!(CqlType::Duration.decode(&[1, 0, 0]).unwrap(), CqlValue::Duration { months: -1, days: 0, nanos: 0 });
        assert!(CqlType::Time.decode(&(-1i64).to_be_bytes()).is_err());
    }

    #[test]
    fn decodes_collections_tuples_udts_vectors() {
        let list = CqlType::List { element: Box::new(CqlType::Int), frozen: true };
        let bytes = frozen_list(&[&1i32.to_be_bytes(), &2i32.to_be_bytes()]);
        assert_eq!(list.decode(&bytes).unwrap(), CqlValue::List(vec![CqlValue::Int(1), CqlValue::Int(2)]));
        assert!(list.decode(&bytes[..bytes.len() - 1]).is_err());
        // A huge count with few bytes must fail, not allocate.
        assert!(list.decode(&[0x7f, 0xff, 0xff, 0xff]).is_err());

        let tuple = CqlType::Tuple(vec![CqlType::Int, CqlType::Text, CqlType::Int]);
        // Third field: null. Fewer bytes than fields is legal: it is what the type grew after.
        let tuple_bytes = {
            let mut b = 4i32.to_be_bytes().to_vec();
            b.extend_from_slice(&7i32.to_be_bytes());
            b.extend_from_slice(&(-1i32).to_be_bytes());
            b
        };
        assert_eq!(tuple.decode(&tuple_bytes).unwrap(), CqlValue::Tuple(vec![Some(CqlValue::Int(7)), None]));

        let vec_f = CqlType::Vector { element: Box::new(CqlType::Float), dimension: 2 };
        let mut vb = 1.5f32.to_be_bytes().to_vec();
        vb.extend_from_slice(&2.5f32.to_be_bytes());
        assert_eq!(vec_f.decode(&vb).unwrap(), CqlValue::Vector(vec![CqlValue::Float(1.5), CqlValue::Float(2.5)]));
        let vec_t = CqlType::Vector { element: Box::new(CqlType::Text), dimension: 2 };
        assert_eq!(vec_t.decode(&[1, b'a', 2, b'b', b'c']).unwrap(), CqlValue::Vector(vec![CqlValue::Text("a".into()), CqlValue::Text("bc".into())]));
        assert!(vec_t.decode(&[1, b'a']).is_err());
    }

    #[test]
    fn counter_total_sums_shards() {
        // header: 1 element (a local shard index 0), then one shard with count 5, and a second
        // remote shard with count 7.
        let mut ctx = 1i16.to_be_bytes().to_vec();
        ctx.extend_from_slice(&(-32768i16).to_be_bytes());
        for count in [5i64, 7] {
            ctx.extend_from_slice(&[0u8; 16]);
            ctx.extend_from_slice(&1i64.to_be_bytes());
            ctx.extend_from_slice(&count.to_be_bytes());
        }
        assert_eq!(counter_total(&ctx).unwrap(), 12);
        assert!(counter_total(&ctx[..ctx.len() - 1]).is_err());
    }

    #[test]
    fn composite_keys_split() {
        let key = [0, 1, b'a', 0, 0, 2, 0, 5, 0];
        assert_eq!(composite_components(&key).unwrap(), vec![&b"a"[..], &[0u8, 5][..]]);
        assert!(composite_components(&key[..3]).is_err());
    }
}
