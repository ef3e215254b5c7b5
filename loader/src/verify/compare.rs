//! Comparing the expected rows of a unit with the target's, as two streams in the same order
//! — token, then partition key bytes, then clustering (Cassandra's `DecoratedKey` and
//! `ClusteringComparator` order, which both sides follow) — so memory holds one row of each
//! side, whatever the unit's size.
//!
//! A row on one side only is missing or extra. Rows on both sides are compared column by
//! column: value bytes, writetimes (exact) and TTLs. A target TTL may be up to a second
//! above the source's remaining TTL (the write stage rounds the remaining TTL up, and TTLs
//! are whole seconds) and up to the tolerance below it (time since the load). Static
//! columns are compared once per partition. Data that expires between the source read and
//! the target read is counted apart, not as a difference.

use std::cmp::Ordering;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use sstable_reader::Token;

use super::expected::{ExpectedRow, WantCell};
use super::layout::TableLayout;
use super::report::{value_text, CellText, Difference, DifferenceKind, Tally};
use super::target::{GotCell, TargetRow};
use super::VerifyError;
use crate::merge::model::Clustering;
use crate::write::ColumnSpec;
use sstable_reader::types::CqlType;
/// How far above the source's remaining TTL a target TTL may be (seconds). Measured: a
/// million-row load into a Cassandra node sharing 2 cores with the loader gave targets 2 s
/// above; 5 leaves room without hiding a TTL that restarted (that would be years off).
pub const TTL_ABOVE_SECS: i64 = 5;

/// How far TTLs may be off, and how close to expiry data may vanish unreported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tolerance {
    /// Seconds a target TTL may be below the source's remaining TTL.
    pub ttl_below_secs: i64,
    /// Seconds a target TTL may be above it: rounding up to whole seconds, and the target's
    /// coordinator counting the TTL from when it executes the write, which on a loaded node
    /// is some seconds after ksbulk sent it.
    pub ttl_above_secs: i64,
    /// Data expiring within this many seconds of the comparison may be absent on either side.
    pub expiry_slack_secs: i64,
}

impl Tolerance {
    /// `ttl_below_secs` below, [`TTL_ABOVE_SECS`] above, two seconds of expiry slack.
    pub fn new(ttl_below_secs: i64) -> Tolerance {
        Tolerance { ttl_below_secs, ttl_above_secs: TTL_ABOVE_SECS, expiry_slack_secs: 2 }
    }
}

/// Which parts of a cell differ.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CellMismatch {
    /// The value bytes.
    pub value: bool,
    /// The writetimes.
    pub writetime: bool,
    /// The TTLs.
    pub ttl: bool,
}

impl CellMismatch {
    /// The names of the parts that differ.
    pub fn names(&self) -> Vec<&'static str> {
        [(self.value, "value"), (self.writetime, "writetime"), (self.ttl, "ttl")].into_iter().filter(|(d, _)| *d).map(|(_, n)| n).collect()
    }

    fn any(&self) -> bool {
        self.value || self.writetime || self.ttl
    }
}

/// The outcome of comparing one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellVerdict {
    /// Equal (within the TTL tolerance).
    Same,
    /// These parts differ.
    Differs(CellMismatch),
    /// Present on one side only because it expired in between.
    Expired,
}

fn ttl_ok(expiry: Option<i64>, got: Option<i64>, now: i64, tol: &Tolerance) -> bool {
    match (expiry, got) {
        (None, None) => true,
        (Some(e), Some(g)) => {
            let remaining = e - now;
            g <= remaining + tol.ttl_above_secs && g >= remaining - tol.ttl_below_secs
        }
        _ => false,
    }
}

/// Compares one column at `now` (seconds).
pub fn compare_cell(want: &WantCell, got: &GotCell, now: i64, tol: &Tolerance) -> CellVerdict {
    let soon = now + tol.expiry_slack_secs;
    match (&want.value, &got.value) {
        (Some(_), None) if !want.expiries.is_empty() && want.expiries.iter().all(|e| e.is_some_and(|e| e <= soon)) => return CellVerdict::Expired,
        (None, Some(_)) if got.ttls.as_ref().is_some_and(|t| !t.is_empty() && t.iter().all(|t| t.is_some_and(|t| t <= tol.expiry_slack_secs))) => {
            return CellVerdict::Expired
        }
        _ => {}
    }
    let mismatch = CellMismatch {
        value: want.value != got.value,
        writetime: got.writetimes.as_ref().is_some_and(|w| *w != want.writetimes),
        ttl: got.ttls.as_ref().is_some_and(|t| t.len() != want.expiries.len() || want.expiries.iter().zip(t).any(|(e, g)| !ttl_ok(*e, *g, now, tol))),
    };
    if mismatch.any() {
        CellVerdict::Differs(mismatch)
    } else {
        CellVerdict::Same
    }
}

/// Orders rows by token, key bytes, then clustering.
pub fn row_order(layout: &TableLayout, a: (&Token, &Bytes, &Clustering), b: (&Token, &Bytes, &Clustering)) -> Ordering {
    a.0.cmp(b.0).then_with(|| a.1[..].cmp(&b.1[..])).then_with(|| layout.comparator.compare_rows(a.2, b.2))
}

/// Seconds since the epoch.
pub fn now_secs() -> i64 {
    crate::write::ttl::now_millis() / 1000
}

/// The comparison of one unit.
pub struct UnitCheck<'a> {
    layout: &'a TableLayout,
    unit: u32,
    tolerance: Tolerance,
    clock: fn() -> i64,
    /// What was found.
    pub tally: Tally,
    last_target: Option<(Token, Bytes, Clustering)>,
    statics_checked: Option<Bytes>,
}

impl<'a> UnitCheck<'a> {
    /// A comparison of unit `unit` of `layout`, keeping at most `max_differences`, reading
    /// the time from `clock` (seconds).
    pub fn new(layout: &'a TableLayout, unit: u32, tolerance: Tolerance, max_differences: usize, clock: fn() -> i64) -> UnitCheck<'a> {
        UnitCheck { layout, unit, tolerance, clock, tally: Tally::new(max_differences), last_target: None, statics_checked: None }
    }

    /// Compares the two streams to their ends.
    ///
    /// # Errors
    /// The first error of either stream; [`VerifyError::TargetOrder`] when the target's rows
    /// are not in the source's order.
    pub async fn run(&mut self, expected: impl Stream<Item = Result<ExpectedRow, VerifyError>>, target: impl Stream<Item = Result<TargetRow, VerifyError>>) -> Result<(), VerifyError> {
        futures::pin_mut!(expected);
        futures::pin_mut!(target);
        let mut want = expected.next().await.transpose()?;
        let mut got = self.next_target(target.next().await)?;
        loop {
            let order = match (&want, &got) {
                (None, None) => return Ok(()),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some(w), Some(g)) => row_order(self.layout, (&w.token, &w.key, &w.clustering), (&g.token, &g.key, &g.clustering)),
            };
            match order {
                Ordering::Less => {
                    if let Some(w) = want.take() {
                        self.missing(&w);
                    }
                    want = expected.next().await.transpose()?;
                }
                Ordering::Greater => {
                    if let Some(g) = got.take() {
                        self.extra(&g);
                    }
                    got = self.next_target(target.next().await)?;
                }
                Ordering::Equal => {
                    if let (Some(w), Some(g)) = (want.take(), got.take()) {
                        self.matched(&w, &g);
                    }
                    want = expected.next().await.transpose()?;
                    got = self.next_target(target.next().await)?;
                }
            }
        }
    }

    /// Takes the next target row, checking it comes after the previous one.
    fn next_target(&mut self, next: Option<Result<TargetRow, VerifyError>>) -> Result<Option<TargetRow>, VerifyError> {
        let Some(row) = next.transpose()? else { return Ok(None) };
        self.tally.counts.rows_read += 1;
        if let Some((t, k, c)) = &self.last_target {
            if row_order(self.layout, (t, k, c), (&row.token, &row.key, &row.clustering)).is_ge() {
                return Err(VerifyError::TargetOrder {
                    table: self.layout.target_name(),
                    key: sstable_reader::types::format::hex(&row.key),
                    partitioner: self.layout.partitioner.class_name(),
                });
            }
        }
        self.last_target = Some((row.token.clone(), row.key.clone(), row.clustering.clone()));
        Ok(Some(row))
    }

    fn difference(&self, kind: DifferenceKind, token: &Token, key: &Bytes, clustering: &Clustering) -> Difference {
        Difference::at(self.layout, self.unit, kind, token, key, clustering)
    }

    /// A source row the target lacks.
    pub fn missing(&mut self, w: &ExpectedRow) {
        self.tally.counts.rows_expected += 1;
        if w.live_until <= (self.clock)() + self.tolerance.expiry_slack_secs {
            self.tally.counts.expired_while_verifying += 1;
            return;
        }
        self.tally.counts.missing_rows += 1;
        let d = self.difference(DifferenceKind::MissingRow, &w.token, &w.key, &w.clustering);
        self.tally.keep(|| d);
    }

    /// A target row the source lacks.
    pub fn extra(&mut self, g: &TargetRow) {
        self.tally.counts.extra_rows += 1;
        let d = self.difference(DifferenceKind::ExtraRow, &g.token, &g.key, &g.clustering);
        self.tally.keep(|| d);
    }

    /// A row on both sides: compares its columns (static ones once per partition).
    pub fn matched(&mut self, w: &ExpectedRow, g: &TargetRow) {
        self.tally.counts.rows_expected += 1;
        self.tally.counts.rows_matched += 1;
        let now = (self.clock)();
        let statics = self.layout.statics;
        let check_statics = self.statics_checked.as_ref() != Some(&w.key);
        if check_statics {
            self.statics_checked = Some(w.key.clone());
        }
        let wants = w.statics.iter().chain(&w.regulars);
        for (i, ((want, got), column)) in wants.zip(&g.cells).zip(self.layout.columns()).enumerate() {
            if i < statics && !check_statics {
                continue;
            }
            self.tally.counts.cells_compared += 1;
            match compare_cell(want, got, now, &self.tolerance) {
                CellVerdict::Same => {}
                CellVerdict::Expired => self.tally.counts.expired_while_verifying += 1,
                CellVerdict::Differs(m) => {
                    let c = &mut self.tally.counts;
                    c.cells_differing += 1;
                    c.value_differences += u64::from(m.value);
                    c.writetime_differences += u64::from(m.writetime);
                    c.ttl_differences += u64::from(m.ttl);
                    let mut d = self.difference(DifferenceKind::Cell, &w.token, &w.key, &w.clustering);
                    d.column = Some(column.name.clone());
                    d.differs = m.names();
                    let ty = self.layout.types.get(i).and_then(Option::as_ref);
                    d.source = Some(want_text(column, ty, want, got, now));
                    d.target = Some(got_text(column, ty, got));
                    self.tally.keep(|| d);
                }
            }
        }
    }
}

fn want_text(column: &ColumnSpec, ty: Option<&CqlType>, want: &WantCell, got: &GotCell, now: i64) -> CellText {
    CellText {
        value: value_text(column, ty, want.value.as_ref()),
        writetime: got.writetimes.as_ref().map(|_| want.writetimes.clone()),
        ttl: got.ttls.as_ref().map(|_| want.expiries.iter().map(|e| e.map(|e| e - now)).collect()),
    }
}

fn got_text(column: &ColumnSpec, ty: Option<&CqlType>, got: &GotCell) -> CellText {
    CellText { value: value_text(column, ty, got.value.as_ref()), writetime: got.writetimes.clone(), ttl: got.ttls.clone() }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::verify::layout::tests::{header, layout};
    use crate::verify::report::Counts;

    const M: &str = "org.apache.cassandra.db.marshal.";
    const NOW: i64 = 1_000_000;

    fn clock() -> i64 {
        NOW
    }

    fn table() -> TableLayout {
        let h = header(&format!("{M}Int32Type"), &[&format!("{M}Int32Type")], &[("s", &format!("{M}UTF8Type"))], &[("v", &format!("{M}UTF8Type"))]);
        layout("CREATE TABLE ks.t (pk int, ck int, s text static, v text, c counter, PRIMARY KEY (pk, ck));", &h)
    }

    fn int(v: i32) -> Bytes {
        Bytes::copy_from_slice(&v.to_be_bytes())
    }

    fn want(v: &str, ts: i64, expiry: Option<i64>) -> WantCell {
        WantCell { value: Some(Bytes::copy_from_slice(v.as_bytes())), writetimes: vec![Some(ts)], expiries: vec![expiry] }
    }

    fn got(v: &str, ts: i64, ttl: Option<i64>) -> GotCell {
        GotCell { value: Some(Bytes::copy_from_slice(v.as_bytes())), writetimes: Some(vec![Some(ts)]), ttls: Some(vec![ttl]) }
    }

    fn null() -> GotCell {
        GotCell { value: None, writetimes: Some(vec![]), ttls: Some(vec![]) }
    }

    fn counter(n: i64) -> (WantCell, GotCell) {
        let b = Bytes::copy_from_slice(&n.to_be_bytes());
        (WantCell { value: Some(b.clone()), ..WantCell::default() }, GotCell { value: Some(b), writetimes: None, ttls: None })
    }

    fn exp_row(pk: i32, ck: Option<i32>, s: WantCell, v: WantCell) -> ExpectedRow {
        let key = int(pk);
        ExpectedRow {
            token: sstable_reader::Partitioner::Murmur3.token(&key),
            key,
            clustering: vec![ck.map(int)],
            statics: Arc::from(vec![s]),
            regulars: vec![v, counter(1).0],
            live_until: super::super::expected::FOREVER,
        }
    }

    fn tgt_row(pk: i32, ck: Option<i32>, s: GotCell, v: GotCell) -> TargetRow {
        let key = int(pk);
        TargetRow { token: sstable_reader::Partitioner::Murmur3.token(&key), key, clustering: vec![ck.map(int)], cells: vec![s, v, counter(1).1] }
    }

    fn sorted<T>(mut rows: Vec<T>, key: impl Fn(&T) -> (Token, Bytes, Clustering), l: &TableLayout) -> Vec<T> {
        rows.sort_by(|a, b| {
            let (ta, ka, ca) = key(a);
            let (tb, kb, cb) = key(b);
            row_order(l, (&ta, &ka, &ca), (&tb, &kb, &cb))
        });
        rows
    }

    fn run(l: &TableLayout, e: Vec<ExpectedRow>, t: Vec<TargetRow>) -> Result<Tally, VerifyError> {
        let e = sorted(e, |r| (r.token.clone(), r.key.clone(), r.clustering.clone()), l);
        let t = sorted(t, |r| (r.token.clone(), r.key.clone(), r.clustering.clone()), l);
        let mut check = UnitCheck::new(l, 0, Tolerance::new(5), 10, clock);
        futures::executor::block_on(check.run(futures::stream::iter(e.into_iter().map(Ok)), futures::stream::iter(t.into_iter().map(Ok))))?;
        Ok(check.tally)
    }

    #[test]
    fn equal_streams_have_no_difference() {
        let l = table();
        let e = vec![exp_row(1, Some(1), want("s", 1, None), want("a", 2, Some(NOW + 100))), exp_row(1, Some(2), want("s", 1, None), WantCell::default()), exp_row(2, None, want("only", 3, None), WantCell::default())];
        let t = vec![tgt_row(1, Some(1), got("s", 1, None), got("a", 2, Some(100))), tgt_row(1, Some(2), got("s", 1, None), null()), tgt_row(2, None, got("only", 3, None), null())];
        let tally = run(&l, e, t).unwrap();
        assert_eq!(tally.counts, Counts { rows_expected: 3, rows_read: 3, rows_matched: 3, cells_compared: 8, ..Counts::default() });
        assert!(tally.differences.is_empty());
    }

    #[test]
    fn missing_extra_and_differing_rows_are_each_one_difference() {
        let l = table();
        let e = vec![exp_row(1, Some(1), want("s", 1, None), want("a", 2, None)), exp_row(1, Some(2), want("s", 1, None), want("b", 2, None)), exp_row(3, Some(1), WantCell::default(), want("c", 5, None))];
        let t = vec![
            // value changed and rewritten later: one cell, two parts.
            tgt_row(1, Some(1), got("s", 1, None), got("A", 9, None)),
            tgt_row(3, Some(1), null(), got("c", 6, None)),
            tgt_row(4, Some(1), null(), null()),
        ];
        let tally = run(&l, e, t).unwrap();
        let c = tally.counts;
        assert_eq!((c.missing_rows, c.extra_rows, c.cells_differing), (1, 1, 2));
        assert_eq!((c.value_differences, c.writetime_differences, c.ttl_differences), (1, 2, 0));
        assert_eq!(c.differences(), 4);
        let kinds: Vec<DifferenceKind> = tally.differences.iter().map(|d| d.kind).collect();
        assert_eq!(kinds.iter().filter(|k| **k == DifferenceKind::Cell).count(), 2);
        let v = tally.differences.iter().find(|d| d.differs == vec!["value", "writetime"]).unwrap();
        assert_eq!(v.column.as_deref(), Some("v"));
        assert_eq!(v.clustering.as_deref(), Some("(1)"));
    }

    #[test]
    fn statics_are_compared_once_per_partition() {
        let l = table();
        let e = vec![exp_row(1, Some(1), want("s", 1, None), WantCell::default()), exp_row(1, Some(2), want("s", 1, None), WantCell::default())];
        let t = vec![tgt_row(1, Some(1), got("x", 1, None), null()), tgt_row(1, Some(2), got("x", 1, None), null())];
        let tally = run(&l, e, t).unwrap();
        assert_eq!(tally.counts.cells_differing, 1);
        assert_eq!(tally.counts.cells_compared, 5);
    }

    #[test]
    fn ttls_may_be_a_few_seconds_above_and_the_tolerance_below() {
        let tol = Tolerance::new(5);
        let w = want("a", 1, Some(NOW + 100));
        let above = 100 + TTL_ABOVE_SECS;
        for (ttl, same) in [(100, true), (101, true), (above, true), (above + 1, false), (95, true), (94, false)] {
            let verdict = compare_cell(&w, &got("a", 1, Some(ttl)), NOW, &tol);
            assert_eq!(verdict == CellVerdict::Same, same, "ttl {ttl}: {verdict:?}");
        }
        let no_ttl = compare_cell(&w, &got("a", 1, None), NOW, &tol);
        assert_eq!(no_ttl, CellVerdict::Differs(CellMismatch { ttl: true, ..CellMismatch::default() }));
        let unexpected = compare_cell(&want("a", 1, None), &got("a", 1, Some(50)), NOW, &tol);
        assert_eq!(unexpected, CellVerdict::Differs(CellMismatch { ttl: true, ..CellMismatch::default() }));
    }

    #[test]
    fn data_expiring_meanwhile_is_not_a_difference() {
        let tol = Tolerance::new(5);
        assert_eq!(compare_cell(&want("a", 1, Some(NOW + 1)), &null(), NOW, &tol), CellVerdict::Expired);
        assert_eq!(compare_cell(&WantCell::default(), &got("a", 1, Some(1)), NOW, &tol), CellVerdict::Expired);
        assert!(matches!(compare_cell(&want("a", 1, Some(NOW + 60)), &null(), NOW, &tol), CellVerdict::Differs(_)));
        let l = table();
        let mut row = exp_row(1, Some(1), WantCell::default(), want("a", 1, Some(NOW + 1)));
        row.live_until = NOW + 1;
        let tally = run(&l, vec![row], vec![]).unwrap();
        assert_eq!((tally.counts.missing_rows, tally.counts.expired_while_verifying), (0, 1));
    }

    #[test]
    fn counters_compare_values_only_and_multi_cell_meta_only_when_read() {
        let tol = Tolerance::new(5);
        let (w, g) = counter(7);
        assert_eq!(compare_cell(&w, &g, NOW, &tol), CellVerdict::Same);
        let list = WantCell { value: Some(int(1)), writetimes: vec![Some(1), Some(2)], expiries: vec![None, None] };
        let values_only = GotCell { value: Some(int(1)), writetimes: None, ttls: None };
        assert_eq!(compare_cell(&list, &values_only, NOW, &tol), CellVerdict::Same);
        let with_meta = GotCell { value: Some(int(1)), writetimes: Some(vec![Some(1), Some(3)]), ttls: Some(vec![None, None]) };
        assert_eq!(compare_cell(&list, &with_meta, NOW, &tol), CellVerdict::Differs(CellMismatch { writetime: true, ..CellMismatch::default() }));
    }

    #[test]
    fn target_rows_out_of_order_are_an_error() {
        let l = table();
        let a = tgt_row(1, Some(1), null(), null());
        let b = tgt_row(1, Some(2), null(), null());
        let mut check = UnitCheck::new(&l, 0, Tolerance::new(5), 10, clock);
        let out = futures::executor::block_on(check.run(futures::stream::empty(), futures::stream::iter(vec![Ok(b), Ok(a)])));
        assert!(matches!(out, Err(VerifyError::TargetOrder { .. })), "{out:?}");
    }

    #[test]
    fn desc_clustering_orders_rows_backwards() {
        let h = header(&format!("{M}Int32Type"), &[&format!("{M}ReversedType({M}Int32Type)")], &[], &[]);
        let l = layout("CREATE TABLE ks.d (pk int, ck int, v int, PRIMARY KEY (pk, ck)) WITH CLUSTERING ORDER BY (ck DESC);", &h);
        let k = int(1);
        let t = sstable_reader::Partitioner::Murmur3.token(&k);
        assert_eq!(row_order(&l, (&t, &k, &vec![Some(int(2))]), (&t, &k, &vec![Some(int(1))])), Ordering::Less);
    }
}
