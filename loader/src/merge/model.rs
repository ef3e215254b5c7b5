//! The owned row model the merge works on and hands to the write stage.
//!
//! Decoded SSTable rows borrow their chunk; the merge needs rows from several SSTables at
//! once and the write stage needs them after the chunks are gone, so each row is converted
//! once into this model: values are [`Bytes`] slices (no copy of the chunk data), columns are
//! shared [`Column`]s identified by name, so SSTables whose serialization headers differ
//! (columns added or dropped over time) meet in one namespace. Tests build these rows by
//! hand.
//!
//! Cassandra counterparts: `db.rows.Row`, `db.rows.Cell`, `db.LivenessInfo`,
//! `db.DeletionTime`, `db.rows.RangeTombstoneMarker` in <https://github.com/apache/cassandra>.

use std::sync::Arc;

use bytes::Bytes;
use sstable_reader::data::{BoundKind, DeletionTime, LivenessInfo, RowDeletion, NO_DELETION_TIME};
use sstable_reader::types::CqlType;
use sstable_reader::{DecoratedKey, Token};

/// A static or regular column, as the merge knows it: by name, with the type it was
/// written with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Column {
    /// The column name.
    pub name: Arc<str>,
    /// The column type (from the serialization header).
    pub ty: CqlType,
    /// Whether it is a static column.
    pub is_static: bool,
}

impl Column {
    /// A column named `name` of type `ty`.
    pub fn new(name: &str, ty: CqlType, is_static: bool) -> Arc<Column> {
        Arc::new(Column { name: name.into(), ty, is_static })
    }

    /// Whether the column stores one cell per element (non-frozen collection or UDT).
    pub fn is_complex(&self) -> bool {
        self.ty.is_multi_cell()
    }

    /// Whether it is a counter column.
    pub fn is_counter(&self) -> bool {
        self.ty.is_counter()
    }
}

/// What kind of cell: live forever, live until it expires, or a tombstone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CellKind {
    /// A live cell without TTL.
    Regular,
    /// A cell with a TTL; `local_deletion_time` is when it expires.
    Expiring,
    /// A deleted cell; `local_deletion_time` is when it was deleted.
    Tombstone,
}

/// One cell, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedCell {
    /// The column it belongs to.
    pub column: Arc<Column>,
    /// The cell path of a complex column's cell (list: timeuuid; set: element; map: key;
    /// UDT: field index).
    pub path: Option<Bytes>,
    /// Write timestamp (microseconds).
    pub timestamp: i64,
    /// TTL in seconds (0 unless expiring).
    pub ttl: i32,
    /// Expiration time of an expiring cell, deletion time of a tombstone, else
    /// [`NO_DELETION_TIME`] (seconds).
    pub local_deletion_time: i64,
    /// The serialized value (a counter context for counters; empty for tombstones).
    pub value: Bytes,
    /// Regular, expiring or tombstone.
    pub kind: CellKind,
}

impl MergedCell {
    /// A live cell without TTL.
    pub fn regular(column: &Arc<Column>, timestamp: i64, value: impl Into<Bytes>) -> MergedCell {
        MergedCell { column: Arc::clone(column), path: None, timestamp, ttl: 0, local_deletion_time: NO_DELETION_TIME, value: value.into(), kind: CellKind::Regular }
    }

    /// A cell with a TTL expiring at `expires_at` (seconds).
    pub fn expiring(column: &Arc<Column>, timestamp: i64, ttl: i32, expires_at: i64, value: impl Into<Bytes>) -> MergedCell {
        MergedCell { column: Arc::clone(column), path: None, timestamp, ttl, local_deletion_time: expires_at, value: value.into(), kind: CellKind::Expiring }
    }

    /// A tombstone written at `deleted_at` (seconds).
    pub fn tombstone(column: &Arc<Column>, timestamp: i64, deleted_at: i64) -> MergedCell {
        MergedCell { column: Arc::clone(column), path: None, timestamp, ttl: 0, local_deletion_time: deleted_at, value: Bytes::new(), kind: CellKind::Tombstone }
    }

    /// The same cell with a cell path.
    pub fn with_path(mut self, path: impl Into<Bytes>) -> MergedCell {
        self.path = Some(path.into());
        self
    }

    /// Whether it is a tombstone.
    pub fn is_tombstone(&self) -> bool {
        self.kind == CellKind::Tombstone
    }

    /// Whether it has a TTL.
    pub fn is_expiring(&self) -> bool {
        self.kind == CellKind::Expiring
    }

    /// Whether it holds data at `now` (seconds): not a tombstone and not expired.
    pub fn is_live(&self, now: i64) -> bool {
        match self.kind {
            CellKind::Regular => true,
            CellKind::Expiring => self.local_deletion_time > now,
            CellKind::Tombstone => false,
        }
    }

    /// The TTL left at `now` for an expiring cell (what `TTL(col)` returns then).
    pub fn remaining_ttl(&self, now: i64) -> Option<i64> {
        self.is_expiring().then(|| (self.local_deletion_time - now).max(0))
    }
}

/// A clustering prefix: one value per clustering column (`None` for a null component).
pub type Clustering = Vec<Option<Bytes>>;

/// One row, owned: clustering, row marker, row deletion, cells and complex deletions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MergedRow {
    /// The clustering values (empty for the static row and tables without clustering).
    pub clustering: Clustering,
    /// The primary-key liveness ("row marker"): set for rows written by INSERT.
    pub liveness: LivenessInfo,
    /// The row deletion, if any.
    pub deletion: Option<RowDeletion>,
    /// Cells, ordered by column name then cell path (type order).
    pub cells: Vec<MergedCell>,
    /// Deletions of whole complex columns (a collection overwritten or deleted).
    pub complex_deletions: Vec<(Arc<Column>, DeletionTime)>,
}

impl MergedRow {
    /// An empty row at `clustering`.
    pub fn new(clustering: Clustering) -> MergedRow {
        MergedRow { clustering, ..MergedRow::default() }
    }

    /// Whether the row holds nothing at all (no marker, deletion, cell or complex deletion).
    pub fn is_empty(&self) -> bool {
        self.liveness.is_empty() && self.deletion.is_none() && self.cells.is_empty() && self.complex_deletions.is_empty()
    }

    /// Whether the row has anything live at `now`: a live row marker or a live cell.
    pub fn has_live_data(&self, now: i64) -> bool {
        liveness_is_live(&self.liveness, now) || self.cells.iter().any(|c| c.is_live(now))
    }

    /// The cells of column `name`.
    pub fn cells_of<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a MergedCell> + 'a {
        self.cells.iter().filter(move |c| &*c.column.name == name)
    }
}

/// Whether a row marker is live at `now` (present and not expired).
pub fn liveness_is_live(liveness: &LivenessInfo, now: i64) -> bool {
    liveness.timestamp.is_some() && liveness.expiration.is_none_or(|e| e.local_expiration_time > now)
}

/// A range tombstone bound or boundary, owned. For a bound, only one of `close`/`open` is
/// set; a boundary has both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedMarker {
    /// The clustering prefix of the bound.
    pub clustering: Clustering,
    /// Which bound or boundary.
    pub kind: BoundKind,
    /// The deletion of the range this marker closes.
    pub close: Option<DeletionTime>,
    /// The deletion of the range this marker opens.
    pub open: Option<DeletionTime>,
}

/// A row or a range tombstone marker of one source partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceUnfiltered {
    /// A row.
    Row(MergedRow),
    /// A range tombstone bound or boundary.
    Marker(MergedMarker),
}

/// One end of a range tombstone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeBound {
    /// The clustering prefix (possibly shorter than the clustering; empty = unbounded).
    pub clustering: Clustering,
    /// Whether rows equal to the prefix are inside the range.
    pub inclusive: bool,
}

/// A range deletion of the merged partition: rows between `start` and `end` written at or
/// before `deletion.marked_for_delete_at` are deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeTombstone {
    /// Where the range starts.
    pub start: RangeBound,
    /// Where it ends.
    pub end: RangeBound,
    /// Its deletion time.
    pub deletion: DeletionTime,
}

/// What the merged partition yields after its header: rows and range tombstones, in
/// clustering order (a range tombstone comes out when it closes, after the rows it covers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergedUnfiltered {
    /// A distinct row with its winning cells.
    Row(MergedRow),
    /// A range deletion that survived reconciliation.
    RangeTombstone(RangeTombstone),
}

/// The start of a partition in one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePartition {
    /// Key and token.
    pub key: DecoratedKey,
    /// Partition deletion.
    pub deletion: Option<DeletionTime>,
    /// The static row (absent when the table has no static columns or the row is empty).
    pub static_row: Option<MergedRow>,
}

/// A merged partition's header: its rows follow from
/// [`crate::merge::PartitionMerger::next_unfiltered`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedPartition {
    /// The serialized partition key.
    pub key: Bytes,
    /// Its token.
    pub token: Token,
    /// The winning partition deletion.
    pub deletion: Option<DeletionTime>,
    /// The merged static row, when it holds anything.
    pub static_row: Option<MergedRow>,
    /// How many sources hold this partition.
    pub sources: usize,
}
