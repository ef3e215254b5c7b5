//! Merge stage: one work unit's SSTables (all replicas, all generations) merged into distinct
//! partitions and rows, reconciled the way Cassandra's compaction and read path reconcile
//! them, so each row is written once with its winning cells.
//!
//! ```text
//! SSTableSource ─┐                                    (token, key) order
//! SSTableSource ─┼─> PartitionMerger ──> MergedPartition, then MergedUnfiltered* (rows, range tombstones)
//! VecSource ─────┘        │
//!                         └─ reconcile::merge_row (deletions, liveness, Cells.reconcile, counters, TTL at `now`)
//! ```
//!
//! - [`model`]: the owned rows the stage reads and yields.
//! - [`source`]: the [`PartitionSource`] seam; [`sstable_source`] implements it on SSTables.
//! - [`clustering`]: clustering order from the clustering types (DESC included).
//! - [`reconcile`]: the rules, with their Cassandra sources.
//! - [`counter`]: counter contexts merged shard by shard.
//! - [`merger`]: the streaming k-way merge.
//!
//! Cassandra sources: `db.rows.Rows`, `db.rows.Row.Merger`, `db.rows.Cells`,
//! `db.rows.UnfilteredRowIterators`, `db.context.CounterContext` in
//! <https://github.com/apache/cassandra>.

pub mod clustering;
pub mod counter;
pub mod error;
pub mod merger;
pub mod model;
pub mod reconcile;
pub mod source;
pub mod sstable_source;
pub mod stats;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod fixture_tests;
#[cfg(test)]
mod corpus_tests;

pub use clustering::ClusteringComparator;
pub use error::MergeError;
pub use merger::PartitionMerger;
pub use model::{CellKind, Column, MergedCell, MergedMarker, MergedPartition, MergedRow, MergedUnfiltered, RangeBound, RangeTombstone, SourcePartition, SourceUnfiltered};
pub use reconcile::{ColumnFilter, MergeOptions};
pub use source::{PartitionSource, VecSource};
pub use sstable_source::{open_unit, ColumnRegistry, SSTableSource};
pub use stats::{MergeStats, SourceStats};
