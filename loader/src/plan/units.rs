//! Splitting a table's token ring into work units of about equal Data.db bytes.
//!
//! The ring `(min, max]` is cut into a fine grid of equal token widths; each SSTable's index
//! gives the Data.db position at every grid point inside its token span, so the bytes of
//! every grid cell are known to a partition. Consecutive cells are then grouped so each unit
//! holds about `total / units` bytes. Together the units cover the ring without gap or
//! overlap. ByteOrdered tables (no ring arithmetic) get one unit, the whole ring.

use sstable_reader::{Partitioner, TokenRange};

use super::manifest::{token_text, Estimate, UnitStatus, WorkUnit};
use super::sstable_meta::SSTableMeta;

/// Grid cells per unit: enough to balance units to a few percent.
const CELLS_PER_UNIT: usize = 16;
/// Bounds on the grid size.
const MIN_CELLS: usize = 64;
const MAX_CELLS: usize = 4096;

/// Per-table settings for the estimate.
#[derive(Debug, Clone, Copy)]
pub struct UnitSettings {
    /// Number of units wanted.
    pub units: usize,
    /// How many replicas hold each row (rows read ÷ this = distinct rows written).
    pub replicas: u32,
    /// Keyspaces write units per row (1 per started KB of the mean row).
    pub write_units_per_row: u64,
}

/// Splits the ring of a table whose SSTables are `metas` into units.
///
/// # Errors
/// When an index cannot be read at a grid point.
pub fn split(partitioner: Partitioner, metas: &[SSTableMeta], settings: UnitSettings) -> Result<Vec<WorkUnit>, String> {
    let want = settings.units.max(1);
    let Ok(grid) = partitioner.split_ring(want.saturating_mul(CELLS_PER_UNIT).clamp(MIN_CELLS, MAX_CELLS)) else {
        // ByteOrdered: one unit over the whole ring.
        let ring = partitioner.full_ring();
        let (bytes, rows) = metas.iter().fold((0u64, 0f64), |(b, r), m| (b + m.data_size, r + m.rows as f64));
        let ids = (0..metas.len() as u32).collect();
        return Ok(vec![unit(0, &ring, ids, bytes, rows, settings)]);
    };
    // bytes[c] and rows[c]: estimates of grid cell c, summed over SSTables.
    let mut bytes = vec![0f64; grid.len()];
    let mut rows = vec![0f64; grid.len()];
    for m in metas {
        if m.uncompressed_size == 0 {
            continue;
        }
        let ratio = m.disk_ratio();
        let rows_per_byte = m.rows as f64 / m.uncompressed_size as f64;
        let mut prev = 0u64;
        for (c, cell) in grid.iter().enumerate() {
            let end = if c + 1 == grid.len() { m.uncompressed_size } else { m.position_after(&cell.end)? };
            let b = end.saturating_sub(prev) as f64;
            bytes[c] += b * ratio;
            rows[c] += b * rows_per_byte;
            prev = prev.max(end);
        }
    }
    let total: f64 = bytes.iter().sum();
    // Cut where the running sum passes k × total / want; without data, cut the grid evenly.
    let mut units = Vec::new();
    let mut start = grid[0].start.clone();
    let (mut acc_b, mut acc_r, mut run) = (0f64, 0f64, 0f64);
    for (c, cell) in grid.iter().enumerate() {
        acc_b += bytes[c];
        acc_r += rows[c];
        run += bytes[c];
        let k = units.len() + 1;
        let last = c + 1 == grid.len();
        let cut = if total > 0.0 { run >= total * k as f64 / want as f64 } else { (c + 1) * want >= grid.len() * k };
        if (cut && units.len() + 1 < want) || last {
            let range = TokenRange::new(start.clone(), cell.end.clone());
            let ids = overlapping(metas, &range);
            units.push(unit(units.len() as u32, &range, ids, acc_b.round() as u64, acc_r, settings));
            start = cell.end.clone();
            acc_b = 0.0;
            acc_r = 0.0;
        }
    }
    Ok(units)
}

/// Ids of the SSTables whose token span overlaps `range` (non-wrapping).
fn overlapping(metas: &[SSTableMeta], range: &TokenRange) -> Vec<u32> {
    metas
        .iter()
        .enumerate()
        .filter(|(_, m)| m.span.as_ref().is_some_and(|(first, last)| *last > range.start && *first <= range.end))
        .map(|(n, _)| n as u32)
        .collect()
}

fn unit(id: u32, range: &TokenRange, sstables: Vec<u32>, bytes: u64, rows: f64, s: UnitSettings) -> WorkUnit {
    let rows = rows.round() as u64;
    let distinct = rows.div_ceil(u64::from(s.replicas.max(1)));
    WorkUnit {
        id,
        start: token_text(&range.start),
        end: token_text(&range.end),
        sstables,
        estimate: Estimate { bytes, rows, write_units: distinct * s.write_units_per_row },
        status: UnitStatus::Pending,
        low_watermark: None,
        writes_started: false,
    }
}
