//! The end-of-run report: what the merge read and reconciled, what the writer did, which
//! units failed. Printed, and written as JSON with `--summary-json`.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use super::unit_reader::Fragments;
use crate::merge::MergeStats;
use crate::stats::summary::peak_memory_mib;
use crate::stats::WriteSummary;

/// A unit that stopped with an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedUnit {
    /// `keyspace.table`.
    pub table: String,
    /// The unit's id.
    pub unit: u32,
    /// Its token range.
    pub range: String,
    /// The error.
    pub error: String,
}

/// What the merge did, summed over the units run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MergeSummary {
    /// Rows read from all SSTables (every replica and generation; static rows included).
    pub rows_read: u64,
    /// Distinct partitions.
    pub partitions: u64,
    /// Distinct rows (static rows included) after reconciliation.
    pub rows_distinct: u64,
    /// Row versions merged into another (replica copies, overwrites across SSTables).
    pub rows_merged_away: u64,
    /// Rows entirely deleted by a tombstone.
    pub rows_deleted: u64,
    /// Cells shadowed by a newer cell or a deletion.
    pub cells_shadowed: u64,
    /// Cells expired by the time of the merge.
    pub cells_expired: u64,
    /// Row markers expired by the time of the merge.
    pub markers_expired: u64,
    /// Cells of dropped columns.
    pub dropped_column_cells: u64,
    /// Cells of columns the schema does not have.
    pub unknown_column_cells: u64,
    /// Range tombstones after reconciliation.
    pub range_tombstones: u64,
}

impl MergeSummary {
    /// The summary of merge counters `s`, with `rows_read` from every source.
    fn new(s: &MergeStats, rows_read: u64) -> MergeSummary {
        MergeSummary {
            rows_read,
            partitions: s.partitions,
            rows_distinct: s.rows,
            rows_merged_away: s.rows_merged_away,
            rows_deleted: s.rows_deleted,
            cells_shadowed: s.cells_shadowed,
            cells_expired: s.cells_expired,
            markers_expired: s.markers_expired,
            dropped_column_cells: s.dropped_column_cells,
            unknown_column_cells: s.unknown_column_cells,
            range_tombstones: s.range_tombstones,
        }
    }
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    /// Units finished by this run.
    pub units_done: usize,
    /// Units that were already done when it started (a resume).
    pub units_already_done: usize,
    /// Units that stopped with an error.
    pub units_failed: Vec<FailedUnit>,
    /// The merge.
    pub merge: MergeSummary,
    /// Fragments handed to the writer (its `rows_received` counts the same).
    pub fragments: Fragments,
    /// The writes.
    pub write: WriteSummary,
    /// Wall time of the run.
    pub wall_seconds: f64,
    /// Peak resident memory, MiB.
    pub peak_memory_mib: Option<f64>,
}

impl RunSummary {
    /// Assembles the summary.
    pub fn new(merge: &MergeStats, rows_read: u64, fragments: Fragments, write: WriteSummary, units_done: usize, units_already_done: usize, units_failed: Vec<FailedUnit>, wall: Duration) -> RunSummary {
        RunSummary { units_done, units_already_done, units_failed, merge: MergeSummary::new(merge, rows_read), fragments, write, wall_seconds: wall.as_secs_f64(), peak_memory_mib: peak_memory_mib() }
    }

    /// Whether every unit is done and every row written (none rejected).
    pub fn is_complete(&self) -> bool {
        self.units_failed.is_empty() && self.write.rows_rejected == 0
    }
}

impl fmt::Display for RunSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = &self.merge;
        writeln!(f, "units: {} done now, {} done before, {} failed", self.units_done, self.units_already_done, self.units_failed.len())?;
        writeln!(
            f,
            "merge: {} rows read, {} distinct rows in {} partitions, {} merged away as duplicates, {} deleted, {} cells expired, {} cells shadowed, {} cells of dropped columns",
            m.rows_read, m.rows_distinct, m.partitions, m.rows_merged_away, m.rows_deleted, m.cells_expired, m.cells_shadowed, m.dropped_column_cells
        )?;
        let s = &self.fragments;
        writeln!(f, "to write: {} rows, {} static rows, {} partition deletions, {} range deletions", s.rows, s.static_rows, s.partition_deletions, s.range_deletions)?;
        writeln!(f, "{}", self.write)?;
        for u in &self.units_failed {
            writeln!(f, "FAILED {} unit {} {}: {}", u.table, u.unit, u.range, u.error)?;
        }
        Ok(())
    }
}
