//! Reconciliation of the versions of one row, as Cassandra's read path and compaction do it.
//!
//! Sources (<https://github.com/apache/cassandra>, 4.0 – 5.0):
//! - `db.DeletionTime.supersedes`: the higher `markedForDeleteAt` wins; on a tie the later
//!   local deletion time. A deletion deletes everything written at or before it.
//! - `db.LivenessInfo.supersedes`: the higher timestamp wins; on a tie an expired
//!   (view) marker wins, then the later expiration (an expiring marker beats a
//!   non-expiring one).
//! - `db.rows.Row.Merger.merge`: the row's liveness and deletion are the superseding ones; a
//!   shadowable deletion is dropped when the marker is newer; the row deletion joins the
//!   active deletion (partition deletion, range tombstones) only if it supersedes it; the
//!   marker is dropped if the active deletion deletes it; cells deleted by the active
//!   deletion are dropped before reconciling; a complex deletion that supersedes the active
//!   deletion is kept and becomes the active deletion for that column's cells.
//! - `db.rows.Cells.reconcile` (`resolveRegular`): the higher timestamp wins; on a tie a
//!   tombstone or expiring cell beats a regular cell (CASSANDRA-14592), then a tombstone
//!   beats an expiring cell, then the later local deletion time, then the greater value
//!   (unsigned bytes; Cassandra 3.x compared signed bytes here). `resolveCounter`: a
//!   tombstone always wins (CASSANDRA-7346), an empty value loses, otherwise the contexts
//!   merge ([`super::counter`]) with the larger timestamp.
//!
//! After reconciliation the merge looks at the clock (`now`): a winning expiring cell that
//! has expired becomes the tombstone Cassandra turns it into (same timestamp, deleted at
//! expiration − TTL), so it still hides older versions but no data comes back; an expired row
//! marker is removed.

use std::cmp::Ordering;
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::Arc;

use bytes::Bytes;
use sstable_reader::data::{DeletionTime, LivenessInfo, RowDeletion};
use sstable_reader::types::compare::compare;

use super::counter;
use super::error::MergeError;
use super::model::{CellKind, Column, MergedCell, MergedRow};
use super::stats::MergeStats;

/// `DeletionTime.supersedes`.
pub fn deletion_supersedes(a: &DeletionTime, b: &DeletionTime) -> bool {
    a.marked_for_delete_at > b.marked_for_delete_at || (a.marked_for_delete_at == b.marked_for_delete_at && a.local_deletion_time > b.local_deletion_time)
}

/// Whether `a` supersedes `b`, where `None` is "live" (supersedes nothing).
pub fn opt_supersedes(a: Option<&DeletionTime>, b: Option<&DeletionTime>) -> bool {
    match (a, b) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(a), Some(b)) => deletion_supersedes(a, b),
    }
}

/// The superseding one of two optional deletions.
pub fn max_deletion(a: Option<DeletionTime>, b: Option<DeletionTime>) -> Option<DeletionTime> {
    if opt_supersedes(b.as_ref(), a.as_ref()) {
        b
    } else {
        a
    }
}

/// Whether `deletion` deletes something written at `timestamp`.
pub fn deletes(deletion: Option<&DeletionTime>, timestamp: i64) -> bool {
    deletion.is_some_and(|d| timestamp <= d.marked_for_delete_at)
}

/// TTL Cassandra gives a marker that a view update expired (`EXPIRED_LIVENESS_TTL`).
const EXPIRED_LIVENESS_TTL: i32 = i32::MAX;

fn marker_is_expired_view(l: &LivenessInfo) -> bool {
    l.expiration.is_some_and(|e| e.ttl == EXPIRED_LIVENESS_TTL)
}

/// `LivenessInfo.supersedes`; the empty marker has the lowest timestamp.
pub fn liveness_supersedes(a: &LivenessInfo, b: &LivenessInfo) -> bool {
    let (ta, tb) = (a.timestamp.unwrap_or(i64::MIN), b.timestamp.unwrap_or(i64::MIN));
    if ta != tb {
        return ta > tb;
    }
    let (xa, xb) = (marker_is_expired_view(a), marker_is_expired_view(b));
    if xa != xb {
        return xa;
    }
    match (a.expiration, b.expiration) {
        (Some(ea), Some(eb)) => ea.local_expiration_time > eb.local_expiration_time,
        (None, None) => false,
        (ea, _) => ea.is_some(),
    }
}

/// `Row.Deletion.supersedes`, with a tie broken towards the regular (non-shadowable) one so
/// the result does not depend on input order.
fn row_deletion_supersedes(a: &RowDeletion, b: Option<&RowDeletion>) -> bool {
    match b {
        None => true,
        Some(b) => deletion_supersedes(&a.time, &b.time) || (a.time == b.time && !a.shadowable && b.shadowable),
    }
}

fn is_expiring_or_tombstone(c: &MergedCell) -> bool {
    c.kind != CellKind::Regular
}

/// `Cells.resolveRegular`: which of two versions of a non-counter cell wins. `Greater` means
/// `a`. Ties that are complete (same timestamp, kind, time and value) are `Equal`.
pub fn compare_regular(a: &MergedCell, b: &MergedCell) -> Ordering {
    a.timestamp
        .cmp(&b.timestamp)
        .then_with(|| {
            let (ea, eb) = (is_expiring_or_tombstone(a), is_expiring_or_tombstone(b));
            if !ea && !eb {
                return Ordering::Equal;
            }
            ea.cmp(&eb)
                .then_with(|| a.is_tombstone().cmp(&b.is_tombstone()))
                .then_with(|| a.local_deletion_time.cmp(&b.local_deletion_time))
        })
        .then_with(|| a.value.cmp(&b.value))
}

/// `Cells.reconcile`: the winning version of one cell (or, for counters, the merged one).
///
/// # Errors
/// A counter context that does not parse.
pub fn reconcile(a: MergedCell, b: MergedCell) -> Result<MergedCell, MergeError> {
    if a.column.is_counter() && !(a.is_tombstone() && b.is_tombstone()) {
        return reconcile_counter(a, b);
    }
    Ok(if compare_regular(&a, &b).is_ge() { a } else { b })
}

fn reconcile_counter(a: MergedCell, b: MergedCell) -> Result<MergedCell, MergeError> {
    if a.is_tombstone() {
        return Ok(a);
    }
    if b.is_tombstone() {
        return Ok(b);
    }
    match (a.value.is_empty(), b.value.is_empty()) {
        (true, false) => return Ok(b),
        (false, true) => return Ok(a),
        (true, true) => return Ok(if a.timestamp >= b.timestamp { a } else { b }),
        (false, false) => {}
    }
    let merged = counter::merge_contexts(&a.value, &b.value).map_err(|e| MergeError::Counter { column: a.column.name.to_string(), error: e })?;
    let timestamp = a.timestamp.max(b.timestamp);
    Ok(MergedCell { value: merged, timestamp, ttl: 0, local_deletion_time: sstable_reader::data::NO_DELETION_TIME, kind: CellKind::Regular, ..a })
}

/// What the merge filters by schema: dropped columns and, when known, the table's columns.
/// Looked up for every cell, so with a fast hash.
#[derive(Debug, Clone, Default)]
pub struct ColumnFilter {
    /// Dropped columns: name → drop time (µs). Cells written at or before it are dead.
    pub dropped: FxHashMap<String, i64>,
    /// The table's static and regular column names; cells of other columns are dropped
    /// (counted) when set.
    pub known: Option<FxHashSet<String>>,
}

impl ColumnFilter {
    /// The filter a `schema.cql` table implies.
    pub fn from_schema(table: &sstable_reader::schema::TableSchema) -> ColumnFilter {
        let dropped = table.dropped_columns.iter().map(|d| (d.name.clone(), d.dropped_at)).collect();
        let known = table.static_columns.iter().chain(&table.regular_columns).map(|c| c.name.clone()).collect();
        ColumnFilter { dropped, known: Some(known) }
    }

    /// Whether it keeps every cell of `columns` (none dropped, all known): the merge of a
    /// unit with only such columns then skips the per-cell lookups.
    pub fn keeps_all<'a>(&self, mut columns: impl Iterator<Item = &'a Column>) -> bool {
        columns.all(|c| !self.dropped.contains_key(&*c.name) && !self.is_unknown(c))
    }

    /// Whether it filters nothing.
    fn is_empty(&self) -> bool {
        self.dropped.is_empty() && self.known.is_none()
    }

    fn is_dropped(&self, column: &Column, timestamp: i64) -> bool {
        self.dropped.get(&*column.name).is_some_and(|&at| timestamp <= at)
    }

    fn is_unknown(&self, column: &Column) -> bool {
        self.known.as_ref().is_some_and(|k| !k.contains(&*column.name))
    }
}

/// Reconciliation settings.
#[derive(Debug, Clone, Default)]
pub struct MergeOptions {
    /// The clock, in seconds since the epoch: cells and markers expiring at or before it are
    /// expired.
    pub now: i64,
    /// Schema filter.
    pub columns: ColumnFilter,
}

/// Orders cells by column name, then cell path in the column's path order.
fn cell_order(a: &MergedCell, b: &MergedCell) -> Ordering {
    a.column.name.cmp(&b.column.name).then_with(|| match (&a.path, &b.path) {
        (Some(pa), Some(pb)) => match a.column.ty.cell_path_type() {
            Some(t) => compare(&t, pa, pb),
            None => pa.cmp(pb),
        },
        (pa, pb) => pa.is_some().cmp(&pb.is_some()),
    })
}

/// Cassandra's `ExpiringCell.purge`: a cell expired by `now` is a tombstone from when it
/// was written.
fn purge_expired(cell: &mut MergedCell, now: i64, stats: &mut MergeStats) {
    if cell.kind == CellKind::Expiring && cell.local_deletion_time <= now {
        stats.cells_expired += 1;
        cell.kind = CellKind::Tombstone;
        cell.local_deletion_time -= i64::from(cell.ttl);
        cell.ttl = 0;
        cell.value = Bytes::new();
    }
}

/// Merges the versions of one row (same clustering, or static rows) under `active`, the
/// deletion already covering it (partition deletion and range tombstones). Returns `None`
/// when nothing is left.
///
/// # Errors
/// A malformed counter context.
pub fn merge_row(mut versions: Vec<MergedRow>, active: Option<DeletionTime>, options: &MergeOptions, stats: &mut MergeStats) -> Result<Option<MergedRow>, MergeError> {
    if versions.len() <= 1 {
        return Ok(versions.pop().and_then(|row| merge_one(row, active, options, stats)));
    }
    let clustering = std::mem::take(&mut versions[0].clustering);
    stats.rows_merged_away += versions.len() as u64 - 1;
    let (liveness, deletion, active) = row_header(&versions, active);

    // Complex deletions: the superseding one per column, kept if it supersedes `active`.
    let mut complex: Vec<(Arc<Column>, DeletionTime)> = Vec::new();
    for v in &mut versions {
        for (column, d) in v.complex_deletions.drain(..) {
            match complex.iter_mut().find(|(c, _)| c.name == column.name) {
                Some((_, cur)) => {
                    if deletion_supersedes(&d, cur) {
                        *cur = d;
                    }
                }
                None => complex.push((column, d)),
            }
        }
    }
    keep_complex_deletions(&mut complex, active);

    let mut cells: Vec<MergedCell> = versions.iter_mut().flat_map(|v| std::mem::take(&mut v.cells)).collect();
    drop_unknown_columns(&mut cells, options, stats);
    cells.sort_by(cell_order);
    // The deletion covering a cell: its column's complex deletion, else the row's.
    let covering = |cell: &MergedCell| complex.iter().find(|(c, _)| c.name == cell.column.name).map(|(_, d)| *d).or(active);
    let mut out: Vec<MergedCell> = Vec::with_capacity(cells.len());
    let mut iter = cells.into_iter().peekable();
    while let Some(cell) = iter.next() {
        let column_deletion = covering(&cell);
        let shadowed = deletes(column_deletion.as_ref(), cell.timestamp);
        if shadowed {
            stats.cells_shadowed += 1;
        }
        if iter.peek().is_none_or(|n| cell_order(n, &cell).is_ne()) {
            // No other version of this cell: it wins unless shadowed, no copy needed.
            if !shadowed {
                out.push(cell);
            }
            continue;
        }
        let mut winner = if shadowed { None } else { Some(cell.clone()) };
        while let Some(next) = iter.next_if(|n| cell_order(n, &cell).is_eq()) {
            if deletes(column_deletion.as_ref(), next.timestamp) {
                stats.cells_shadowed += 1;
                continue;
            }
            winner = Some(match winner {
                None => next,
                Some(w) => {
                    stats.cells_shadowed += 1;
                    reconcile(w, next)?
                }
            });
        }
        out.extend(winner);
    }
    for c in &mut out {
        purge_expired(c, options.now, stats);
    }
    Ok(finish_row(MergedRow { clustering, liveness, deletion, cells: out, complex_deletions: complex }, options, stats))
}

/// One version of a row (the common case: one SSTable holds it) under `active`: its cells
/// filtered in place, no copies. Returns `None` when nothing is left.
pub fn merge_one(mut row: MergedRow, active: Option<DeletionTime>, options: &MergeOptions, stats: &mut MergeStats) -> Option<MergedRow> {
    let (liveness, deletion, active) = row_header(std::slice::from_ref(&row), active);
    let mut complex = std::mem::take(&mut row.complex_deletions);
    keep_complex_deletions(&mut complex, active);
    let mut cells = std::mem::take(&mut row.cells);
    drop_unknown_columns(&mut cells, options, stats);
    // One version's cells are in order already; a malformed SSTable's may not be.
    if !cells.is_sorted_by(|a, b| cell_order(a, b).is_le()) {
        cells.sort_by(cell_order);
    }
    cells.retain(|c| {
        let covering = complex.iter().find(|(col, _)| col.name == c.column.name).map(|(_, d)| *d).or(active);
        let shadowed = deletes(covering.as_ref(), c.timestamp);
        stats.cells_shadowed += u64::from(shadowed);
        !shadowed
    });
    for c in &mut cells {
        purge_expired(c, options.now, stats);
    }
    finish_row(MergedRow { clustering: row.clustering, liveness, deletion, cells, complex_deletions: complex }, options, stats)
}

/// The winning row marker and row deletion of `versions`, and the deletion then covering the
/// row's cells (`active`, or the row's deletion when it supersedes it).
fn row_header(versions: &[MergedRow], active: Option<DeletionTime>) -> (LivenessInfo, Option<RowDeletion>, Option<DeletionTime>) {
    let mut liveness = LivenessInfo::default();
    let mut deletion: Option<RowDeletion> = None;
    for v in versions {
        if liveness_supersedes(&v.liveness, &liveness) {
            liveness = v.liveness;
        }
        if let Some(d) = &v.deletion {
            if row_deletion_supersedes(d, deletion.as_ref()) {
                deletion = Some(*d);
            }
        }
    }
    if deletion.is_some_and(|d| d.shadowable && liveness.timestamp.is_some_and(|t| t > d.time.marked_for_delete_at)) {
        deletion = None;
    }
    let mut active = active;
    match deletion {
        Some(d) if opt_supersedes(Some(&d.time), active.as_ref()) => active = Some(d.time),
        _ => deletion = None,
    }
    if let Some(t) = liveness.timestamp {
        if deletes(active.as_ref(), t) {
            liveness = LivenessInfo::default();
        }
    }
    (liveness, deletion, active)
}

/// Drops cells of columns dropped after they were written, and of columns the target does not
/// have, counting them.
fn drop_unknown_columns(cells: &mut Vec<MergedCell>, options: &MergeOptions, stats: &mut MergeStats) {
    if options.columns.is_empty() {
        return;
    }
    cells.retain(|c| {
        if options.columns.is_dropped(&c.column, c.timestamp) {
            stats.dropped_column_cells += 1;
            false
        } else if options.columns.is_unknown(&c.column) {
            stats.unknown_column_cells += 1;
            false
        } else {
            true
        }
    });
}

/// Keeps the complex deletions that supersede `active`, in column order.
fn keep_complex_deletions(complex: &mut Vec<(Arc<Column>, DeletionTime)>, active: Option<DeletionTime>) {
    complex.retain(|(_, d)| opt_supersedes(Some(d), active.as_ref()));
    if complex.len() > 1 {
        complex.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    }
}

/// Drops an expired row marker; `None` when nothing is left of the row.
fn finish_row(mut row: MergedRow, options: &MergeOptions, stats: &mut MergeStats) -> Option<MergedRow> {
    if row.liveness.expiration.is_some_and(|e| e.local_expiration_time <= options.now) {
        stats.markers_expired += 1;
        row.liveness = LivenessInfo::default();
    }
    (!row.is_empty()).then_some(row)
}

#[cfg(test)]
mod tests {
    use sstable_reader::data::{Expiration, NO_DELETION_TIME};
    use sstable_reader::types::CqlType;

    use super::*;

    fn col(name: &str) -> Arc<Column> {
        Column::new(name, CqlType::Text, false)
    }

    fn dt(at: i64, ldt: i64) -> DeletionTime {
        DeletionTime { marked_for_delete_at: at, local_deletion_time: ldt }
    }

    fn opts(now: i64) -> MergeOptions {
        MergeOptions { now, ..MergeOptions::default() }
    }

    #[test]
    fn higher_timestamp_wins_then_tombstone_then_expiring_then_ldt_then_value() {
        let c = col("v");
        let live = MergedCell::regular(&c, 10, &b"b"[..]);
        let older = MergedCell::regular(&c, 9, &b"z"[..]);
        assert_eq!(reconcile(live.clone(), older.clone()).unwrap(), live);
        assert_eq!(reconcile(older, live.clone()).unwrap(), live);
        let tomb = MergedCell::tombstone(&c, 10, 100);
        let exp = MergedCell::expiring(&c, 10, 60, 200, &b"a"[..]);
        // Tie: a tombstone or an expiring cell beats a regular cell.
        assert_eq!(reconcile(live.clone(), tomb.clone()).unwrap(), tomb);
        assert_eq!(reconcile(live.clone(), exp.clone()).unwrap(), exp);
        // Tombstone beats expiring even with an earlier local time.
        assert_eq!(reconcile(exp.clone(), tomb.clone()).unwrap(), tomb);
        // Two expiring: later expiration, not the value.
        let exp_later = MergedCell::expiring(&c, 10, 60, 300, &b"0"[..]);
        assert_eq!(reconcile(exp.clone(), exp_later.clone()).unwrap(), exp_later);
        // Two regular: the greater value, unsigned.
        let high = MergedCell::regular(&c, 10, &[0x80u8][..]);
        assert_eq!(reconcile(live.clone(), high.clone()).unwrap(), high);
    }

    #[test]
    fn row_deletion_shadows_older_cells_and_marker() {
        let c = col("v");
        let mut old = MergedRow::new(vec![]);
        old.liveness = LivenessInfo { timestamp: Some(5), expiration: None };
        old.cells.push(MergedCell::regular(&c, 5, &b"old"[..]));
        let mut del = MergedRow::new(vec![]);
        del.deletion = Some(RowDeletion { time: dt(6, 1000), shadowable: false });
        let mut newer = MergedRow::new(vec![]);
        newer.cells.push(MergedCell::regular(&c, 7, &b"new"[..]));
        let mut stats = MergeStats::default();
        let row = merge_row(vec![old, del, newer], None, &opts(0), &mut stats).unwrap().unwrap();
        assert!(row.liveness.is_empty());
        assert_eq!(row.deletion.unwrap().time, dt(6, 1000));
        assert_eq!(row.cells, vec![MergedCell::regular(&c, 7, &b"new"[..])]);
        assert_eq!(stats.rows_merged_away, 2);
        assert_eq!(stats.cells_shadowed, 1);
    }

    #[test]
    fn active_deletion_drops_weaker_row_deletion_and_everything_under_it() {
        let c = col("v");
        let mut r = MergedRow::new(vec![]);
        r.deletion = Some(RowDeletion { time: dt(3, 1), shadowable: false });
        r.cells.push(MergedCell::regular(&c, 4, &b"x"[..]));
        let mut stats = MergeStats::default();
        assert_eq!(merge_row(vec![r], Some(dt(4, 2)), &opts(0), &mut stats).unwrap(), None);
    }

    #[test]
    fn shadowable_deletion_yields_to_a_newer_marker() {
        let mut a = MergedRow::new(vec![]);
        a.deletion = Some(RowDeletion { time: dt(5, 1), shadowable: true });
        let mut b = MergedRow::new(vec![]);
        b.liveness = LivenessInfo { timestamp: Some(6), expiration: None };
        let row = merge_row(vec![a, b], None, &opts(0), &mut MergeStats::default()).unwrap().unwrap();
        assert_eq!(row.deletion, None);
        assert_eq!(row.liveness.timestamp, Some(6));
    }

    #[test]
    fn complex_deletion_shadows_older_elements_only() {
        let m = Column::new("m", CqlType::Map { key: Box::new(CqlType::Int), value: Box::new(CqlType::Text), frozen: false }, false);
        let key = |k: i32| Bytes::copy_from_slice(&k.to_be_bytes());
        let mut a = MergedRow::new(vec![]);
        a.cells.push(MergedCell::regular(&m, 5, &b"a"[..]).with_path(key(2)));
        a.cells.push(MergedCell::regular(&m, 5, &b"b"[..]).with_path(key(-1)));
        let mut b = MergedRow::new(vec![]);
        b.complex_deletions.push((Arc::clone(&m), dt(6, 1)));
        b.cells.push(MergedCell::regular(&m, 7, &b"c"[..]).with_path(key(1)));
        let row = merge_row(vec![a, b], None, &opts(0), &mut MergeStats::default()).unwrap().unwrap();
        assert_eq!(row.complex_deletions.len(), 1);
        assert_eq!(row.cells, vec![MergedCell::regular(&m, 7, &b"c"[..]).with_path(key(1))]);
    }

    #[test]
    fn map_paths_come_out_in_key_type_order() {
        let m = Column::new("m", CqlType::Map { key: Box::new(CqlType::Int), value: Box::new(CqlType::Text), frozen: false }, false);
        let key = |k: i32| Bytes::copy_from_slice(&k.to_be_bytes());
        let mut a = MergedRow::new(vec![]);
        a.cells.push(MergedCell::regular(&m, 5, &b"x"[..]).with_path(key(3)));
        let mut b = MergedRow::new(vec![]);
        b.cells.push(MergedCell::regular(&m, 5, &b"y"[..]).with_path(key(-3)));
        let row = merge_row(vec![a, b], None, &opts(0), &mut MergeStats::default()).unwrap().unwrap();
        assert_eq!(row.cells.iter().map(|c| c.path.clone().unwrap()).collect::<Vec<_>>(), vec![key(-3), key(3)]);
    }

    #[test]
    fn expired_cells_become_tombstones_and_still_shadow_older_data() {
        let c = col("v");
        let mut a = MergedRow::new(vec![]);
        a.cells.push(MergedCell::regular(&c, 5, &b"old"[..]));
        let mut b = MergedRow::new(vec![]);
        b.cells.push(MergedCell::expiring(&c, 6, 100, 1100, &b"ttl"[..]));
        b.liveness = LivenessInfo { timestamp: Some(6), expiration: Some(Expiration { ttl: 100, local_expiration_time: 1100 }) };
        let mut stats = MergeStats::default();
        let row = merge_row(vec![a.clone(), b.clone()], None, &opts(2000), &mut stats).unwrap().unwrap();
        assert_eq!(row.cells, vec![MergedCell::tombstone(&c, 6, 1000)]);
        assert!(row.liveness.is_empty());
        assert_eq!((stats.cells_expired, stats.markers_expired), (1, 1));
        // Before expiry the TTL'd cell is live and wins.
        let row = merge_row(vec![a, b], None, &opts(1000), &mut MergeStats::default()).unwrap().unwrap();
        assert!(row.cells[0].is_live(1000));
        assert_eq!(row.cells[0].remaining_ttl(1000), Some(100));
    }

    #[test]
    fn dropped_and_unknown_columns_are_filtered() {
        let gone = col("gone");
        let back = col("back");
        let other = col("other");
        let mut r = MergedRow::new(vec![]);
        r.cells.push(MergedCell::regular(&gone, 5, &b"x"[..]));
        r.cells.push(MergedCell::regular(&back, 5, &b"old"[..]));
        r.cells.push(MergedCell::regular(&back, 50, &b"new"[..]).with_path(Bytes::new()));
        r.cells.push(MergedCell::regular(&other, 5, &b"o"[..]));
        let mut options = opts(0);
        options.columns.dropped = [("gone".to_string(), 10), ("back".to_string(), 10)].into_iter().collect();
        options.columns.known = Some(["back".to_string(), "gone".to_string()].into_iter().collect());
        let mut stats = MergeStats::default();
        let row = merge_row(vec![r], None, &options, &mut stats).unwrap().unwrap();
        assert_eq!(row.cells.len(), 1);
        assert_eq!(row.cells[0].timestamp, 50);
        assert_eq!((stats.dropped_column_cells, stats.unknown_column_cells), (2, 1));
    }

    #[test]
    fn counters_merge_contexts_and_tombstones_win() {
        use super::super::counter::{context_total, write_context, Shard, ShardKind};
        let c = Column::new("c", CqlType::Counter, false);
        let ctx = |id: u8, clock, count| write_context(&[Shard { id: [id; 16], clock, count, kind: ShardKind::Global }]);
        let a = MergedCell::regular(&c, 10, ctx(1, 2, 5));
        let b = MergedCell::regular(&c, 20, ctx(2, 1, 3));
        let merged = reconcile(a.clone(), b).unwrap();
        assert_eq!(merged.timestamp, 20);
        assert_eq!(context_total(&merged.value).unwrap(), 8);
        let tomb = MergedCell::tombstone(&c, 1, 5);
        assert_eq!(reconcile(a, tomb.clone()).unwrap(), tomb);
        assert_eq!(tomb.local_deletion_time, 5);
        assert_ne!(merged.local_deletion_time, 5);
        assert_eq!(merged.local_deletion_time, NO_DELETION_TIME);
    }
}
