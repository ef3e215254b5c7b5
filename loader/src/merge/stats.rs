//! Counters of the merge, for the run summary.

/// What one source contributed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceStats {
    /// The source's name (the Data.db path for SSTables).
    pub name: String,
    /// Partitions read in the unit's range.
    pub partitions: u64,
    /// Rows read (static rows included).
    pub rows: u64,
    /// Range tombstone markers read.
    pub markers: u64,
}

/// Counters of one merge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeStats {
    /// Per source, in the order the sources were given.
    pub sources: Vec<SourceStats>,
    /// Distinct partitions that came out.
    pub partitions: u64,
    /// Rows that came out (static rows included).
    pub rows: u64,
    /// Range tombstones that came out.
    pub range_tombstones: u64,
    /// Row versions folded into another version of the same row (replicas, overwrites).
    pub rows_merged_away: u64,
    /// Rows whose versions left nothing (all deleted or shadowed).
    pub rows_deleted: u64,
    /// Cell versions that lost reconciliation or were deleted by a tombstone.
    pub cells_shadowed: u64,
    /// Winning cells whose TTL had passed (turned into tombstones).
    pub cells_expired: u64,
    /// Row markers whose TTL had passed.
    pub markers_expired: u64,
    /// Cells of dropped columns written before the drop.
    pub dropped_column_cells: u64,
    /// Cells of columns the table schema does not have.
    pub unknown_column_cells: u64,
}

impl MergeStats {
    /// Rows read from all sources.
    pub fn rows_read(&self) -> u64 {
        self.sources.iter().map(|s| s.rows).sum()
    }

    /// Adds another merge's counters (sources are appended).
    pub fn add(&mut self, other: &MergeStats) {
        self.sources.extend(other.sources.iter().cloned());
        self.partitions += other.partitions;
        self.rows += other.rows;
        self.range_tombstones += other.range_tombstones;
        self.rows_merged_away += other.rows_merged_away;
        self.rows_deleted += other.rows_deleted;
        self.cells_shadowed += other.cells_shadowed;
        self.cells_expired += other.cells_expired;
        self.markers_expired += other.markers_expired;
        self.dropped_column_cells += other.dropped_column_cells;
        self.unknown_column_cells += other.unknown_column_cells;
    }
}
