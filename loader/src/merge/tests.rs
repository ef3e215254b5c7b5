//! Tests of the whole merge on hand-built sources: partition order, duplicates, range
//! tombstones across sources, and properties (input order does not matter; the result equals
//! a naive "every version, pick the winner" model).

use std::sync::Arc;

use bytes::Bytes;
use proptest::prelude::*;
use sstable_reader::data::{BoundKind, DeletionTime, Expiration, LivenessInfo, RowDeletion};
use sstable_reader::types::CqlType;
use sstable_reader::Partitioner;

use super::reconcile::{compare_regular, deletes, liveness_supersedes, max_deletion, opt_supersedes};
use super::*;

fn int(v: i32) -> Option<Bytes> {
    Some(Bytes::copy_from_slice(&v.to_be_bytes()))
}

fn key(k: &str) -> sstable_reader::DecoratedKey {
    Partitioner::Murmur3.decorate(Bytes::copy_from_slice(k.as_bytes()))
}

fn dt(at: i64) -> DeletionTime {
    DeletionTime { marked_for_delete_at: at, local_deletion_time: 1000 + at }
}

fn partition(k: &str, deletion: Option<DeletionTime>) -> SourcePartition {
    SourcePartition { key: key(k), deletion, static_row: None }
}

fn row(c: i32, ts: i64, col: &Arc<Column>, value: &str) -> SourceUnfiltered {
    let mut r = MergedRow::new(vec![int(c)]);
    r.liveness = LivenessInfo { timestamp: Some(ts), expiration: None };
    r.cells.push(MergedCell::regular(col, ts, Bytes::copy_from_slice(value.as_bytes())));
    SourceUnfiltered::Row(r)
}

fn marker(c: i32, kind: BoundKind, close: Option<i64>, open: Option<i64>) -> SourceUnfiltered {
    SourceUnfiltered::Marker(MergedMarker { clustering: vec![int(c)], kind, close: close.map(dt), open: open.map(dt) })
}

fn comparator() -> ClusteringComparator {
    ClusteringComparator::new(vec![CqlType::Int])
}

fn run(sources: Vec<VecSource>, now: i64) -> (Vec<(MergedPartition, Vec<MergedUnfiltered>)>, MergeStats) {
    let mut m = PartitionMerger::new(sources, comparator(), MergeOptions { now, ..MergeOptions::default() });
    let mut out = Vec::new();
    while let Some(p) = m.next_partition_collected(10_000).unwrap() {
        out.push(p);
    }
    (out, m.into_stats())
}

#[test]
fn the_same_source_three_times_gives_each_row_once() {
    let v = Column::new("v", CqlType::Text, false);
    let parts = vec![
        (partition("a", None), vec![row(1, 10, &v, "x"), row(2, 10, &v, "y")]),
        (partition("b", None), vec![row(1, 11, &v, "z")]),
    ];
    let mut sorted = parts.clone();
    sorted.sort_by(|a, b| a.0.key.cmp(&b.0.key));
    let sources = (0..3).map(|i| VecSource::new(format!("s{i}"), sorted.clone())).collect();
    let (out, stats) = run(sources, 0);
    assert_eq!(out.len(), 2);
    assert_eq!(out.iter().map(|(_, rows)| rows.len()).sum::<usize>(), 3);
    assert!(out.iter().all(|(p, _)| p.sources == 3));
    assert_eq!(stats.rows_read(), 9);
    assert_eq!(stats.rows, 3);
    assert_eq!(stats.rows_merged_away, 6);
    assert_eq!(stats.cells_shadowed, 6);
    assert!(out[0].0.token < out[1].0.token);
}

#[test]
fn partitions_come_out_in_token_order_across_sources() {
    let v = Column::new("v", CqlType::Text, false);
    let mut keys: Vec<_> = ["a", "b", "c", "d", "e"].into_iter().map(key).collect();
    keys.sort();
    let src = |ks: &[usize]| {
        let parts = ks.iter().map(|&i| (SourcePartition { key: keys[i].clone(), deletion: None, static_row: None }, vec![row(0, 1, &v, "v")])).collect();
        VecSource::new("s", parts)
    };
    let (out, _) = run(vec![src(&[0, 2, 4]), src(&[1, 2]), src(&[3])], 0);
    assert_eq!(out.iter().map(|(p, _)| p.key.clone()).collect::<Vec<_>>(), keys.iter().map(|k| k.key.clone()).collect::<Vec<_>>());
    assert_eq!(out[2].0.sources, 2);
}

#[test]
fn range_tombstones_merge_across_sources() {
    let v = Column::new("v", CqlType::Text, false);
    // A: [2, 4] deleted at 10. B: rows 3 and 5 at 5. C: [3, 6] deleted at 20, row 7 at 5.
    let a = VecSource::new("a", vec![(partition("k", None), vec![marker(2, BoundKind::InclusiveStart, None, Some(10)), marker(4, BoundKind::InclusiveEnd, Some(10), None)])]);
    let b = VecSource::new("b", vec![(partition("k", None), vec![row(3, 5, &v, "x"), row(5, 5, &v, "y")])]);
    let c = VecSource::new("c", vec![(partition("k", None), vec![marker(3, BoundKind::InclusiveStart, None, Some(20)), marker(6, BoundKind::InclusiveEnd, Some(20), None), row(7, 5, &v, "z")])]);
    let (out, stats) = run(vec![a, b, c], 0);
    let rows = &out[0].1;
    let rt = |s: i32, si: bool, e: i32, ei: bool, d: i64| MergedUnfiltered::RangeTombstone(RangeTombstone { start: RangeBound { clustering: vec![int(s)], inclusive: si }, end: RangeBound { clustering: vec![int(e)], inclusive: ei }, deletion: dt(d) });
    let expected_rows: Vec<MergedUnfiltered> = vec![rt(2, true, 3, false, 10), rt(3, true, 6, true, 20)];
    let (rts, live): (Vec<_>, Vec<_>) = rows.iter().cloned().partition(|u| matches!(u, MergedUnfiltered::RangeTombstone(_)));
    assert_eq!(rts, expected_rows);
    let live_keys: Vec<_> = live.iter().map(|u| match u {
        MergedUnfiltered::Row(r) => r.clustering.clone(),
        MergedUnfiltered::RangeTombstone(_) => unreachable!(),
    }).collect();
    assert_eq!(live_keys, vec![vec![int(7)]]);
    assert_eq!(stats.rows_deleted, 2);
    assert_eq!(stats.range_tombstones, 2);
}

#[test]
fn partition_deletion_hides_older_range_tombstones_and_rows() {
    let v = Column::new("v", CqlType::Text, false);
    let a = VecSource::new("a", vec![(partition("k", Some(dt(15))), vec![])]);
    let b = VecSource::new("b", vec![(partition("k", None), vec![marker(1, BoundKind::InclusiveStart, None, Some(10)), row(2, 12, &v, "old"), marker(3, BoundKind::InclusiveEnd, Some(10), None), row(4, 16, &v, "new")])]);
    let (out, _) = run(vec![a, b], 0);
    assert_eq!(out[0].0.deletion, Some(dt(15)));
    assert_eq!(out[0].1.len(), 1);
    assert!(matches!(&out[0].1[0], MergedUnfiltered::Row(r) if r.clustering == vec![int(4)]));
}

#[test]
fn static_rows_merge_under_the_partition_deletion() {
    let s = Column::new("s", CqlType::Text, true);
    let with_static = |ts: i64, value: &str, deletion| {
        let mut r = MergedRow::new(vec![]);
        r.cells.push(MergedCell::regular(&s, ts, Bytes::copy_from_slice(value.as_bytes())));
        (SourcePartition { key: key("k"), deletion, static_row: Some(r) }, vec![])
    };
    let (out, _) = run(vec![VecSource::new("a", vec![with_static(5, "old", None)]), VecSource::new("b", vec![with_static(7, "new", Some(dt(6)))])], 0);
    let st = out[0].0.static_row.as_ref().unwrap();
    assert_eq!(st.cells.len(), 1);
    assert_eq!(&st.cells[0].value[..], b"new");
}

#[test]
fn out_of_order_sources_are_errors() {
    let v = Column::new("v", CqlType::Text, false);
    let bad = VecSource::new("bad", vec![(partition("k", None), vec![row(2, 1, &v, "x"), row(1, 1, &v, "y")])]);
    let mut m = PartitionMerger::new(vec![bad], comparator(), MergeOptions::default());
    m.next_partition().unwrap();
    let mut result = Ok(None);
    for _ in 0..3 {
        result = m.next_unfiltered();
        if result.is_err() {
            break;
        }
    }
    assert!(matches!(result, Err(MergeError::OutOfOrder { .. })), "{result:?}");
}

#[test]
fn collecting_refuses_oversized_partitions() {
    let v = Column::new("v", CqlType::Text, false);
    let rows = (0..5).map(|c| row(c, 1, &v, "x")).collect();
    let mut m = PartitionMerger::new(vec![VecSource::new("a", vec![(partition("k", None), rows)])], comparator(), MergeOptions::default());
    assert!(matches!(m.next_partition_collected(4), Err(MergeError::PartitionTooLarge { limit: 4, .. })));
}

// ---- properties ----

const CLUSTERINGS: i32 = 6;

#[derive(Debug, Clone)]
struct GenCell {
    column: usize,
    ts: i64,
    kind: u8,
    value: u8,
    ldt: i64,
}

#[derive(Debug, Clone)]
struct GenRow {
    c: i32,
    marker: Option<(i64, Option<i64>)>,
    deletion: Option<i64>,
    cells: Vec<GenCell>,
}

#[derive(Debug, Clone)]
struct GenPartition {
    key: usize,
    deletion: Option<i64>,
    rows: Vec<GenRow>,
    ranges: Vec<(i32, bool, i32, bool, i64)>,
}

fn gen_cell() -> impl Strategy<Value = GenCell> {
    (0usize..2, 0i64..6, 0u8..3, 0u8..3, 0i64..3).prop_map(|(column, ts, kind, value, ldt)| GenCell { column, ts, kind, value, ldt })
}

fn gen_row() -> impl Strategy<Value = GenRow> {
    (0..CLUSTERINGS, proptest::option::of((0i64..6, proptest::option::of(0i64..3))), proptest::option::of(0i64..6), proptest::collection::vec(gen_cell(), 0..3))
        .prop_map(|(c, marker, deletion, cells)| GenRow { c, marker, deletion, cells })
}

fn gen_ranges() -> impl Strategy<Value = Vec<(i32, bool, i32, bool, i64)>> {
    // Up to two disjoint ranges over sorted cut points.
    (proptest::collection::btree_set(0..CLUSTERINGS, 0..5), any::<[bool; 4]>(), 0i64..6, 0i64..6).prop_map(|(points, incl, d1, d2)| {
        let p: Vec<i32> = points.into_iter().collect();
        let mut out = Vec::new();
        if p.len() >= 2 {
            out.push((p[0], incl[0], p[1], incl[1], d1));
        }
        if p.len() >= 4 {
            out.push((p[2], incl[2], p[3], incl[3], d2));
        }
        out
    })
}

fn gen_partition() -> impl Strategy<Value = GenPartition> {
    (0usize..3, proptest::option::of(0i64..6), proptest::collection::vec(gen_row(), 0..6), gen_ranges()).prop_map(|(key, deletion, rows, ranges)| GenPartition { key, deletion, rows, ranges })
}

fn gen_source() -> impl Strategy<Value = Vec<GenPartition>> {
    proptest::collection::vec(gen_partition(), 0..3)
}

struct World {
    columns: Vec<Arc<Column>>,
    keys: Vec<sstable_reader::DecoratedKey>,
}

impl World {
    fn new() -> World {
        let mut keys: Vec<_> = ["p0", "p1", "p2"].into_iter().map(key).collect();
        keys.sort();
        World { columns: vec![Column::new("a", CqlType::Text, false), Column::new("b", CqlType::Text, false)], keys }
    }

    fn cell(&self, g: &GenCell) -> MergedCell {
        let col = &self.columns[g.column];
        let value = Bytes::from(vec![g.value]);
        match g.kind {
            0 => MergedCell::regular(col, g.ts, value),
            1 => MergedCell::expiring(col, g.ts, 10, 95 + g.ldt * 5, value),
            _ => MergedCell::tombstone(col, g.ts, 90 + g.ldt),
        }
    }

    fn row(&self, g: &GenRow) -> MergedRow {
        let mut r = MergedRow::new(vec![int(g.c)]);
        if let Some((ts, exp)) = g.marker {
            r.liveness = LivenessInfo { timestamp: Some(ts), expiration: exp.map(|e| Expiration { ttl: 10, local_expiration_time: 95 + e * 5 }) };
        }
        r.deletion = g.deletion.map(|d| RowDeletion { time: dt(d), shadowable: false });
        let mut cells: Vec<GenCell> = g.cells.clone();
        cells.sort_by_key(|c| c.column);
        cells.dedup_by_key(|c| c.column);
        r.cells = cells.iter().map(|c| self.cell(c)).collect();
        r
    }

    fn source(&self, name: &str, parts: &[GenPartition]) -> VecSource {
        let mut parts: Vec<GenPartition> = parts.to_vec();
        parts.sort_by_key(|p| p.key);
        parts.dedup_by_key(|p| p.key);
        let out = parts
            .iter()
            .map(|p| {
                let mut rows: Vec<GenRow> = p.rows.clone();
                rows.sort_by_key(|r| r.c);
                rows.dedup_by_key(|r| r.c);
                // Interleave rows and range markers in clustering order.
                let mut items: Vec<(i32, u8, SourceUnfiltered)> = rows.iter().map(|r| (r.c, 1, SourceUnfiltered::Row(self.row(r)))).collect();
                for &(s, si, e, ei, d) in &p.ranges {
                    let (sk, srank) = if si { (BoundKind::InclusiveStart, 0) } else { (BoundKind::ExclusiveStart, 2) };
                    let (ek, erank) = if ei { (BoundKind::InclusiveEnd, 2) } else { (BoundKind::ExclusiveEnd, 0) };
                    items.push((s, srank, marker(s, sk, None, Some(d))));
                    items.push((e, erank, marker(e, ek, Some(d), None)));
                }
                items.sort_by_key(|(c, rank, _)| (*c, *rank));
                (SourcePartition { key: self.keys[p.key].clone(), deletion: p.deletion.map(dt), static_row: None }, items.into_iter().map(|(_, _, u)| u).collect())
            })
            .collect();
        VecSource::new(name, out)
    }
}

fn covers(range: &(i32, bool, i32, bool, i64), c: i32) -> bool {
    let &(s, si, e, ei, _) = range;
    (c > s || (si && c == s)) && (c < e || (ei && c == e))
}

const NOW: i64 = 100;

/// Every version of everything, the winner picked per cell: what the merge must equal.
fn naive(world: &World, sources: &[Vec<GenPartition>]) -> Vec<(usize, Option<DeletionTime>, Vec<MergedRow>, Vec<Option<DeletionTime>>)> {
    let mut out = Vec::new();
    for k in 0..world.keys.len() {
        // Each source holds a key once (the first generated one wins, as in `source`).
        let parts: Vec<GenPartition> = sources
            .iter()
            .filter_map(|s| {
                let mut s = s.clone();
                s.sort_by_key(|p| p.key);
                s.into_iter().find(|p| p.key == k)
            })
            .collect();
        if parts.is_empty() {
            continue;
        }
        let pdel = parts.iter().fold(None, |acc, p| max_deletion(acc, p.deletion.map(dt)));
        let range_at = |c: i32| {
            let d = parts.iter().flat_map(|p| p.ranges.iter()).filter(|r| covers(r, c)).fold(None, |acc, r| max_deletion(acc, Some(dt(r.4))));
            d.filter(|d| opt_supersedes(Some(d), pdel.as_ref()))
        };
        let mut rows = Vec::new();
        for c in 0..CLUSTERINGS {
            let versions: Vec<MergedRow> = parts
                .iter()
                .filter_map(|p| {
                    let mut rs = p.rows.clone();
                    rs.sort_by_key(|r| r.c);
                    rs.into_iter().find(|r| r.c == c).map(|r| world.row(&r))
                })
                .collect();
            if versions.is_empty() {
                continue;
            }
            let mut active = max_deletion(pdel, range_at(c));
            let rd = versions.iter().fold(None, |acc, v| max_deletion(acc, v.deletion.map(|d| d.time)));
            let row_deletion = rd.filter(|d| opt_supersedes(Some(d), active.as_ref()));
            active = max_deletion(active, row_deletion);
            let mut liveness = LivenessInfo::default();
            for v in &versions {
                if liveness_supersedes(&v.liveness, &liveness) {
                    liveness = v.liveness;
                }
            }
            if liveness.timestamp.is_some_and(|t| deletes(active.as_ref(), t)) || liveness.expiration.is_some_and(|e| e.local_expiration_time <= NOW) {
                liveness = LivenessInfo::default();
            }
            let mut cells = Vec::new();
            for col in &world.columns {
                let winner = versions
                    .iter()
                    .flat_map(|v| v.cells.iter())
                    .filter(|cell| cell.column.name == col.name && !deletes(active.as_ref(), cell.timestamp))
                    .max_by(|a, b| compare_regular(a, b))
                    .cloned();
                if let Some(mut w) = winner {
                    if w.kind == CellKind::Expiring && w.local_deletion_time <= NOW {
                        w = MergedCell { kind: CellKind::Tombstone, local_deletion_time: w.local_deletion_time - w.ttl as i64, ttl: 0, value: Bytes::new(), ..w };
                    }
                    cells.push(w);
                }
            }
            let row = MergedRow { clustering: vec![int(c)], liveness, deletion: row_deletion.map(|time| RowDeletion { time, shadowable: false }), cells, complex_deletions: vec![] };
            if !row.is_empty() {
                rows.push(row);
            }
        }
        out.push((k, pdel, rows, (0..CLUSTERINGS).map(range_at).collect()));
    }
    out
}

/// The merge's output, with its range tombstones turned into the deletion at each clustering.
fn merged(world: &World, sources: &[Vec<GenPartition>], order: &[usize]) -> Vec<(usize, Option<DeletionTime>, Vec<MergedRow>, Vec<Option<DeletionTime>>)> {
    let vs: Vec<VecSource> = order.iter().map(|&i| world.source(&format!("s{i}"), &sources[i])).collect();
    let (out, _) = run(vs, NOW);
    let cmp = comparator();
    out.into_iter()
        .map(|(p, items)| {
            let k = world.keys.iter().position(|key| key.key == p.key).unwrap();
            let mut rows = Vec::new();
            let mut rts = Vec::new();
            for u in items {
                match u {
                    MergedUnfiltered::Row(r) => rows.push(r),
                    MergedUnfiltered::RangeTombstone(rt) => rts.push(rt),
                }
            }
            let at = (0..CLUSTERINGS)
                .map(|c| {
                    let cl = vec![int(c)];
                    let inside = |rt: &RangeTombstone| {
                        let after_start = match cmp.compare_rows(&cl, &rt.start.clustering) {
                            std::cmp::Ordering::Greater => true,
                            std::cmp::Ordering::Equal => rt.start.inclusive,
                            std::cmp::Ordering::Less => false,
                        };
                        let before_end = match cmp.compare_rows(&cl, &rt.end.clustering) {
                            std::cmp::Ordering::Less => true,
                            std::cmp::Ordering::Equal => rt.end.inclusive,
                            std::cmp::Ordering::Greater => false,
                        };
                        after_start && before_end
                    };
                    let covering: Vec<&RangeTombstone> = rts.iter().filter(|rt| inside(rt)).collect();
                    assert!(covering.len() <= 1, "merged range tombstones overlap: {rts:?}");
                    covering.first().map(|rt| rt.deletion)
                })
                .collect();
            (k, p.deletion, rows, at)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn merge_equals_the_naive_model_in_any_input_order(sources in proptest::collection::vec(gen_source(), 1..4), rotate in 0usize..4) {
        let world = World::new();
        let n = sources.len();
        let forward: Vec<usize> = (0..n).collect();
        let mut other: Vec<usize> = forward.iter().rev().copied().collect();
        other.rotate_left(rotate % n);
        let a = merged(&world, &sources, &forward);
        let b = merged(&world, &sources, &other);
        prop_assert_eq!(&a, &b);
        let expected: Vec<_> = naive(&world, &sources).into_iter().filter(|(k, ..)| a.iter().any(|(ak, ..)| ak == k)).collect();
        prop_assert_eq!(a.len(), naive(&world, &sources).len());
        prop_assert_eq!(a, expected);
    }
}
