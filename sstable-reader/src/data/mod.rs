//! Data.db: partitions → rows and range tombstone markers → cells, for formats `ma` to `nb`,
//! `oa` and `da` (all share Cassandra 3.0's "unfiltered" serialization; `oa`/`da` change how
//! deletion times are stored).
//!
//! ```text
//! partition  := key-length(u16) key deletion-time [static-row] unfiltered* 0x01
//! unfiltered := row | marker
//! row        := flags [ext-flags] [clustering] size(vint) prev-size(vint)
//!               [timestamp] [ttl local-expiration] [deletion] [column-subset] column-data
//! marker     := flags(0x02) kind count(u16) clustering size prev-size deletion [deletion]
//! ```
//! Timestamps, TTLs and local times are vints relative to the serialization header's
//! minimums ([`EncodingStats`]). Values are kept as byte slices of the decompressed chunk:
//! decoding a row allocates nothing, and values are converted only on request
//! ([`crate::types`]).
//!
//! Sources: `db.rows.UnfilteredSerializer`, `db.rows.Cell`, `db.ClusteringPrefix`,
//! `db.DeletionTime`, `db.SerializationHeader`, `db.Columns` in
//! <https://github.com/apache/cassandra>.

mod clustering;
mod cursor;
mod deletion;
mod header;
mod marker;
mod partition;
mod row;
pub mod vint;

pub use clustering::{BoundKind, ClusteringIter, ClusteringValues};
pub use deletion::{DeletionTime, Expiration, LivenessInfo, RowDeletion, MAX_DELETION_TIME, NO_DELETION_TIME};
pub use header::{ColumnSpec, DataHeader, DecodeOptions, EncodingStats, InvalidDeletionTimes};
pub use marker::RangeTombstoneMarker;
pub use partition::{PartitionHeader, PartitionReader, Unfiltered};
pub use row::{Cell, Row, RowItem, RowItems};

#[cfg(test)]
mod fixture_tests;
