//! The HEADER component of Statistics.db: the table's shape as the writer saw it, and the
//! minimum timestamp / local deletion time / TTL that Data.db stores its values relative to.
//!
//! Layout (`SerializationHeader.Component` and `EncodingStats.Serializer` in Cassandra,
//! <https://github.com/apache/cassandra/blob/cassandra-5.0/src/java/org/apache/cassandra/db/SerializationHeader.java>):
//!
//! ```text
//! uvint minTimestamp − TIMESTAMP_EPOCH; uvint minLocalDeletionTime − DELETION_TIME_EPOCH; uvint minTTL
//! type keyType                                   type = uvint length + UTF-8 AbstractType string
//! uvint n; n × type clusteringType
//! uvint n; n × (uvint length + name bytes, type)  static columns
//! uvint n; n × (uvint length + name bytes, type)  regular columns
//! ```
//! Type names are kept as the raw strings (`org.apache.cassandra.db.marshal.UTF8Type`, …);
//! the `types` module parses them.

use bytes::Bytes;

use crate::metadata::cursor::Cursor;
use crate::Result;

/// `EncodingStats.TIMESTAMP_EPOCH`: 2015-09-22T00:00:00Z in microseconds.
pub const TIMESTAMP_EPOCH: i64 = 1_442_880_000_000_000;
/// `EncodingStats.DELETION_TIME_EPOCH`: 2015-09-22T00:00:00Z in seconds.
pub const DELETION_TIME_EPOCH: i64 = 1_442_880_000;
/// `EncodingStats.TTL_EPOCH`.
pub const TTL_EPOCH: i64 = 0;

/// The delta-encoding bases of Data.db, exactly as stored (unsigned vints relative to the
/// epochs above). Use the methods for the values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodingStats {
    /// Stored `minTimestamp - TIMESTAMP_EPOCH`, as a raw unsigned vint.
    pub min_timestamp_delta: u64,
    /// Stored `minLocalDeletionTime - DELETION_TIME_EPOCH`, as a raw unsigned vint.
    pub min_local_deletion_time_delta: u64,
    /// Stored `minTTL - TTL_EPOCH`, as a raw unsigned vint.
    pub min_ttl_delta: u64,
}

impl EncodingStats {
    /// The minimum timestamp, computed as Cassandra does (64-bit, wrapping).
    pub fn min_timestamp(&self) -> i64 {
        (self.min_timestamp_delta as i64).wrapping_add(TIMESTAMP_EPOCH)
    }

    /// The minimum local deletion time as a 64-bit value (delta + epoch, no wrapping).
    pub fn min_local_deletion_time(&self) -> i64 {
        (self.min_local_deletion_time_delta as i64).wrapping_add(DELETION_TIME_EPOCH)
    }

    /// The minimum local deletion time computed in 32-bit signed arithmetic, as Cassandra
    /// 3.x/4.x does (`(int) delta + DELETION_TIME_EPOCH`, wrapping).
    pub fn min_local_deletion_time_i32(&self) -> i32 {
        (self.min_local_deletion_time_delta as u32 as i32).wrapping_add(DELETION_TIME_EPOCH as i32)
    }

    /// The minimum TTL in 32-bit arithmetic, as Cassandra computes it.
    pub fn min_ttl(&self) -> i32 {
        (self.min_ttl_delta as u32 as i32).wrapping_add(TTL_EPOCH as i32)
    }
}

/// A static or regular column: its name bytes and its raw type name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSpec {
    /// The column name as stored (UTF-8 for CQL tables).
    pub name: Bytes,
    /// The `AbstractType` string, e.g. `org.apache.cassandra.db.marshal.Int32Type`.
    pub type_name: String,
}

impl ColumnSpec {
    /// The name as text (lossy for non-UTF-8 names of old thrift tables).
    pub fn name_str(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.name)
    }
}

/// The decoded HEADER component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerializationHeader {
    /// Delta-encoding bases of Data.db.
    pub encoding_stats: EncodingStats,
    /// Partition key type (a `CompositeType(...)` for composite keys).
    pub key_type: String,
    /// Clustering column types, in clustering order (`ReversedType(...)` for DESC).
    pub clustering_types: Vec<String>,
    /// Static columns, in stored order.
    pub static_columns: Vec<ColumnSpec>,
    /// Regular columns, in stored order.
    pub regular_columns: Vec<ColumnSpec>,
}

impl SerializationHeader {
    pub(crate) fn parse(c: &mut Cursor<'_>) -> Result<SerializationHeader> {
        let encoding_stats = EncodingStats { min_timestamp_delta: c.uvint()?, min_local_deletion_time_delta: c.uvint()?, min_ttl_delta: c.uvint()? };
        let key_type = c.vint_string("key type")?;
        let n = c.uvint_len("clustering type list")?;
        let mut clustering_types = Vec::with_capacity(n);
        for _ in 0..n {
            clustering_types.push(c.vint_string("clustering type")?);
        }
        let static_columns = columns(c)?;
        let regular_columns = columns(c)?;
        Ok(SerializationHeader { encoding_stats, key_type, clustering_types, static_columns, regular_columns })
    }
}

fn columns(c: &mut Cursor<'_>) -> Result<Vec<ColumnSpec>> {
    // Each column takes at least two bytes (two empty lengths), which bounds the count.
    let at = c.offset();
    let n = c.uvint()?;
    let n = usize::try_from(n).ok().filter(|&n| n.saturating_mul(2) <= c.remaining());
    let n = n.ok_or_else(|| c.malformed_at(at, "column count exceeds the bytes left"))?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let name = Bytes::copy_from_slice(c.vint_bytes("column name")?);
        let type_name = c.vint_string("column type")?;
        out.push(ColumnSpec { name, type_name });
    }
    Ok(out)
}
