//! Values bound to prepared statements: the raw serialized bytes read from the SSTable, sent
//! as they are.
//!
//! The source and target column types are the same, so the SSTable's cell value *is* the CQL
//! protocol's `[value]` body (native protocol v4 §6). [`BoundValue`] implements scylla's
//! `SerializeValue` by copying those bytes, with no per-value conversion and no type check
//! (the planner checks the schemas match). Collection element updates bind a collection
//! built from element bytes: `[int n]` then each element as `[int len][bytes]` (§6.2–6.4).

use bytes::Bytes;
use scylla::cluster::metadata::ColumnType;
use scylla::serialize::value::SerializeValue;
use scylla::serialize::writers::{CellWriter, WrittenCellProof};
use scylla::serialize::SerializationError;

/// One value bound to a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoundValue {
    /// Serialized bytes sent as they are (a cell value, a key component, a built collection).
    Raw(Bytes),
    /// A `bigint` (write timestamps, counter deltas).
    BigInt(i64),
    /// An `int` (TTLs).
    Int(i32),
    /// A TTL given by when the data expires (seconds since the epoch): serialized as the
    /// seconds left at the moment the request is written to the connection, each attempt
    /// again, so time spent queued or retrying never extends the data's life. At least 1
    /// (0 would mean "no TTL").
    ExpiresAt(i64),
    /// CQL `null` (a UDT field deletion: `SET u.f = null USING TIMESTAMP t`).
    Null,
}

impl BoundValue {
    /// Bytes this value takes on the wire (without its length prefix).
    pub fn len(&self) -> usize {
        match self {
            BoundValue::Raw(b) => b.len(),
            BoundValue::BigInt(_) => 8,
            BoundValue::Int(_) | BoundValue::ExpiresAt(_) => 4,
            BoundValue::Null => 0,
        }
    }

    /// Whether the value has no bytes (an empty blob or string).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A value too large for the protocol's 32-bit length.
#[derive(Debug, thiserror::Error)]
#[error("bound value of {0} bytes exceeds the CQL protocol limit")]
pub struct ValueTooLarge(pub usize);

impl SerializeValue for BoundValue {
    fn serialize<'b>(
        &self,
        _typ: &ColumnType,
        writer: CellWriter<'b>,
    ) -> Result<WrittenCellProof<'b>, SerializationError> {
        let written = match self {
            BoundValue::Raw(b) => writer.set_value(b),
            BoundValue::BigInt(v) => writer.set_value(&v.to_be_bytes()),
            BoundValue::Int(v) => writer.set_value(&v.to_be_bytes()),
            BoundValue::ExpiresAt(at) => writer.set_value(&ttl_left(*at, super::ttl::now_millis()).to_be_bytes()),
            BoundValue::Null => Ok(writer.set_null()),
        };
        written.map_err(|_| SerializationError::new(ValueTooLarge(self.len())))
    }
}

/// Seconds left until `expires_at` at `now_ms`, rounded up, at least 1: the server adds
/// it to its own clock (seconds, rounded down), so the data expires when it did in the source.
pub(crate) fn ttl_left(expires_at: i64, now_ms: i64) -> i32 {
    let left_ms = expires_at.saturating_mul(1000).saturating_sub(now_ms);
    ((left_ms + 999) / 1000).clamp(1, i64::from(i32::MAX)) as i32
}

/// Builds a serialized `set<T>` or `list<T>` from element bytes.
pub fn serialize_elements<'a>(elements: impl ExactSizeIterator<Item = &'a [u8]>) -> Bytes {
    let mut out = Vec::with_capacity(4 + elements.len() * 8);
    out.extend_from_slice(&(elements.len() as i32).to_be_bytes());
    for e in elements {
        out.extend_from_slice(&(e.len() as i32).to_be_bytes());
        out.extend_from_slice(e);
    }
    Bytes::from(out)
}

/// Builds a serialized `map<K, V>` from (key, value) bytes.
pub fn serialize_entries<'a>(entries: impl ExactSizeIterator<Item = (&'a [u8], &'a [u8])>) -> Bytes {
    let mut out = Vec::with_capacity(4 + entries.len() * 16);
    out.extend_from_slice(&(entries.len() as i32).to_be_bytes());
    for (k, v) in entries {
        out.extend_from_slice(&(k.len() as i32).to_be_bytes());
        out.extend_from_slice(k);
        out.extend_from_slice(&(v.len() as i32).to_be_bytes());
        out.extend_from_slice(v);
    }
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use scylla::cluster::metadata::NativeType;

    fn serialize(v: &BoundValue) -> Vec<u8> {
        let mut buf = Vec::new();
        let typ = ColumnType::Native(NativeType::Blob);
        v.serialize(&typ, CellWriter::new(&mut buf)).unwrap();
        buf
    }

    #[test]
    fn expiry_is_bound_as_the_seconds_left_when_sent() {
        assert_eq!(ttl_left(1000, 990_000), 10);
        assert_eq!(ttl_left(1000, 990_001), 10, "rounded up");
        assert_eq!(ttl_left(1000, 1_000_500), 1, "expired while queued: shortest TTL, never 0");
        let now_s = super::super::ttl::now_millis() / 1000;
        let bytes = serialize(&BoundValue::ExpiresAt(now_s + 100));
        let ttl = i32::from_be_bytes(bytes[4..].try_into().unwrap());
        assert!((99..=101).contains(&ttl), "{ttl}");
    }

    #[test]
    fn raw_bytes_are_written_as_is_with_length_prefix() {
        assert_eq!(serialize(&BoundValue::Raw(Bytes::from_static(b"\x01\x02\x03"))), vec![0, 0, 0, 3, 1, 2, 3]);
        assert_eq!(serialize(&BoundValue::Raw(Bytes::new())), vec![0, 0, 0, 0]);
        assert_eq!(serialize(&BoundValue::Null), vec![255, 255, 255, 255]);
    }

    #[test]
    fn bigint_and_int_are_big_endian() {
        assert_eq!(serialize(&BoundValue::BigInt(-2)), vec![0, 0, 0, 8, 255, 255, 255, 255, 255, 255, 255, 254]);
        assert_eq!(serialize(&BoundValue::Int(86400)), vec![0, 0, 0, 4, 0, 1, 0x51, 0x80]);
    }

    #[test]
    fn collections_follow_protocol_v4_layout() {
        let set = serialize_elements([&b"a"[..], &b"bc"[..]].into_iter());
        assert_eq!(&set[..], &[0, 0, 0, 2, 0, 0, 0, 1, b'a', 0, 0, 0, 2, b'b', b'c']);
        let map = serialize_entries([(&b"k"[..], &b""[..])].into_iter());
        assert_eq!(&map[..], &[0, 0, 0, 1, 0, 0, 0, 1, b'k', 0, 0, 0, 0]);
    }
}
