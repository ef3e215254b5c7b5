//! The rows the target should hold for one work unit: the unit's SSTables merged exactly as
//! `ksbulk run` merges them ([`crate::merge::open_unit`]), then shaped the way a `SELECT`
//! returns them at `now`.
//!
//! Cassandra's read path (`db.filter.ColumnFilter`, `cql3.selection`): a row is returned
//! when it has live data (a live row marker or a live cell); cells that are tombstones or
//! expired are null; every row of a partition carries the partition's static values; a
//! partition with no live row but a live static row is one row whose clustering columns are
//! null. Non-frozen collections and UDTs become one value from their live cells
//! ([`super::collection`]); a counter is the sum of its context's shards.

use std::sync::Arc;

use bytes::Bytes;
use sstable_reader::{SSTable, Token};

use super::collection::{list_value, map_value, udt_value};
use super::layout::TableLayout;
use super::VerifyError;
use crate::merge::counter::context_total;
use crate::merge::model::{liveness_is_live, Clustering};
use crate::merge::{open_unit, MergeOptions, MergedCell, MergedRow, MergedUnfiltered, PartitionMerger, PartitionSource, SSTableSource};
use crate::plan::manifest::{TablePlan, WorkUnit};
use crate::write::{ColumnKind, ColumnSpec};

/// Where data lives forever (no TTL).
pub const FOREVER: i64 = i64::MAX;

/// One column of an expected row: its value (`None`: null) and, per cell (one for a simple
/// column, one per element or field position of a multi-cell column), the writetime and
/// the expiration time (`None`: no TTL; for a UDT, `None` also marks a null field).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WantCell {
    /// The serialized value.
    pub value: Option<Bytes>,
    /// Writetimes in µs (empty for counters and nulls).
    pub writetimes: Vec<Option<i64>>,
    /// Local expiration times in seconds.
    pub expiries: Vec<Option<i64>>,
}

impl WantCell {
    /// When the last of its cells expires ([`FOREVER`] if one has no TTL).
    fn live_until(&self) -> i64 {
        if self.value.is_none() {
            return i64::MIN;
        }
        if self.expiries.is_empty() {
            return FOREVER;
        }
        self.expiries.iter().zip(&self.writetimes).filter(|(_, w)| w.is_some()).map(|(e, _)| e.unwrap_or(FOREVER)).max().unwrap_or(FOREVER)
    }
}

/// One row the target should return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedRow {
    /// The partition's token.
    pub token: Token,
    /// The serialized partition key.
    pub key: Bytes,
    /// Clustering values (all `None` for a partition's static-only row).
    pub clustering: Clustering,
    /// The partition's static columns (shared by its rows).
    pub statics: Arc<[WantCell]>,
    /// The regular columns.
    pub regulars: Vec<WantCell>,
    /// When the row stops having live data (seconds; [`FOREVER`] when it never does), so a
    /// row that expires while verify runs is not reported missing.
    pub live_until: i64,
}

/// Builds one compared column from a row's cells of that column that are live at `now`.
///
/// # Errors
/// [`VerifyError::Counter`] for a counter context that does not parse.
pub fn want_cell(column: &ColumnSpec, live: &[&MergedCell], table: &str) -> Result<WantCell, VerifyError> {
    if live.is_empty() {
        return Ok(WantCell::default());
    }
    let expiry = |c: &MergedCell| c.is_expiring().then_some(c.local_deletion_time);
    let per_cell = |cells: &[&MergedCell]| (cells.iter().map(|c| Some(c.timestamp)).collect(), cells.iter().map(|c| expiry(c)).collect());
    let value = match column.kind {
        ColumnKind::Simple => live[0].value.clone(),
        ColumnKind::Counter => {
            let total = context_total(&live[0].value).map_err(|source| VerifyError::Counter { table: table.to_string(), column: column.name.clone(), source })?;
            return Ok(WantCell { value: Some(Bytes::copy_from_slice(&total.to_be_bytes())), writetimes: Vec::new(), expiries: Vec::new() });
        }
        ColumnKind::List => list_value(live.iter().map(|c| &c.value[..])),
        ColumnKind::Set => list_value(live.iter().map(|c| c.path.as_deref().unwrap_or_default())),
        ColumnKind::Map => map_value(live.iter().map(|c| (c.path.as_deref().unwrap_or_default(), &c.value[..]))),
        ColumnKind::Udt { .. } => return Ok(udt_cell(live)),
    };
    let (writetimes, expiries) = if column.kind == ColumnKind::Simple { (vec![Some(live[0].timestamp)], vec![expiry(live[0])]) } else { per_cell(live) };
    Ok(WantCell { value: Some(value), writetimes, expiries })
}

/// A non-frozen UDT: fields by position (the cell path, a big-endian short), null in gaps,
/// up to the last field present.
fn udt_cell(live: &[&MergedCell]) -> WantCell {
    let position = |c: &MergedCell| c.path.as_deref().and_then(|p| <[u8; 2]>::try_from(p).ok()).map(|p| u16::from_be_bytes(p) as usize);
    let size = live.iter().filter_map(|c| position(c)).max().map_or(0, |m| m + 1);
    let mut fields: Vec<Option<&MergedCell>> = vec![None; size];
    for c in live {
        if let Some(p) = position(c) {
            fields[p] = Some(c);
        }
    }
    WantCell {
        value: Some(udt_value(&fields.iter().map(|f| f.map(|c| &c.value[..])).collect::<Vec<_>>())),
        writetimes: fields.iter().map(|f| f.map(|c| c.timestamp)).collect(),
        expiries: fields.iter().map(|f| f.and_then(|c| c.is_expiring().then_some(c.local_deletion_time))).collect(),
    }
}

/// The compared cells of `columns` in `row` (all null when there is no row).
///
/// # Errors
/// As [`want_cell`].
pub fn want_cells(row: Option<&MergedRow>, columns: &[ColumnSpec], now: i64, table: &str) -> Result<Vec<WantCell>, VerifyError> {
    columns
        .iter()
        .map(|col| {
            let live: Vec<&MergedCell> = row.map(|r| r.cells_of(&col.name).filter(|c| c.is_live(now)).collect()).unwrap_or_default();
            want_cell(col, &live, table)
        })
        .collect()
}

/// When a row's live data ends: its marker's expiry or the latest of its cells'.
fn row_live_until(row: &MergedRow, cells: &[WantCell], now: i64) -> i64 {
    let marker = if liveness_is_live(&row.liveness, now) { row.liveness.expiration.map_or(FOREVER, |e| e.local_expiration_time) } else { i64::MIN };
    cells.iter().map(WantCell::live_until).fold(marker, i64::max)
}

struct Partition {
    token: Token,
    key: Bytes,
    statics: Arc<[WantCell]>,
    static_until: i64,
    rows: u64,
}

/// The expected rows of one unit, in (token, key, clustering) order.
pub struct ExpectedRows<S = SSTableSource> {
    merger: PartitionMerger<S>,
    layout: Arc<TableLayout>,
    unit: u32,
    now: i64,
    partition: Option<Partition>,
}

impl ExpectedRows<SSTableSource> {
    /// Opens the merge of `unit`'s SSTables (local files named by the manifest).
    ///
    /// # Errors
    /// [`VerifyError::UnsupportedStore`], [`VerifyError::OpenSSTable`], [`VerifyError::Merge`].
    pub fn open(table: &TablePlan, unit: &WorkUnit, layout: Arc<TableLayout>, now: i64) -> Result<ExpectedRows, VerifyError> {
        let mut sstables = Vec::with_capacity(unit.sstables.len());
        for id in &unit.sstables {
            let record = table.sstables.iter().find(|s| s.id == *id).ok_or_else(|| VerifyError::Manifest { table: table.name(), what: format!("unit {} names SSTable {id}, which it does not list", unit.id) })?;
            sstables.push(open_sstable(table, record)?);
        }
        let range = unit.range(layout.partitioner).ok_or_else(|| VerifyError::Manifest { table: table.name(), what: format!("unit {} has tokens ({}, {}] that do not parse", unit.id, unit.start, unit.end) })?;
        let inputs: Vec<(&SSTable, Option<u64>)> = sstables.iter().map(|s| (s, None)).collect();
        let options = MergeOptions { now, columns: layout.filter.clone() };
        let merger = open_unit(&inputs, Some(range), options).map_err(|source| VerifyError::Merge { table: table.name(), unit: unit.id, source })?;
        Ok(ExpectedRows::new(merger, layout, unit.id, now))
    }
}

impl<S: PartitionSource> ExpectedRows<S> {
    /// The expected rows of `merger`'s partitions (unit `unit`, for messages) at `now`.
    pub fn new(merger: PartitionMerger<S>, layout: Arc<TableLayout>, unit: u32, now: i64) -> ExpectedRows<S> {
        ExpectedRows { merger, layout, unit, now, partition: None }
    }

    fn merge_err(&self, source: crate::merge::MergeError) -> VerifyError {
        VerifyError::Merge { table: self.layout.source.clone(), unit: self.unit, source }
    }

    fn next_row(&mut self) -> Result<Option<ExpectedRow>, VerifyError> {
        let layout = Arc::clone(&self.layout);
        loop {
            if let Some(p) = &mut self.partition {
                let next = self.merger.next_unfiltered();
                match next.map_err(|e| VerifyError::Merge { table: layout.source.clone(), unit: self.unit, source: e })? {
                    Some(MergedUnfiltered::Row(row)) if row.has_live_data(self.now) => {
                        let regulars = want_cells(Some(&row), layout.regular_columns(), self.now, &layout.source)?;
                        let live_until = row_live_until(&row, &regulars, self.now);
                        p.rows += 1;
                        return Ok(Some(ExpectedRow { token: p.token.clone(), key: p.key.clone(), clustering: row.clustering, statics: Arc::clone(&p.statics), regulars, live_until }));
                    }
                    Some(_) => continue,
                    None => {
                        let Some(p) = self.partition.take() else { continue };
                        if p.rows == 0 && p.static_until > self.now && !layout.target.clustering.is_empty() {
                            return Ok(Some(ExpectedRow {
                                token: p.token,
                                key: p.key,
                                clustering: vec![None; layout.target.clustering.len()],
                                statics: p.statics,
                                regulars: vec![WantCell::default(); layout.regular_columns().len()],
                                live_until: p.static_until,
                            }));
                        }
                        continue;
                    }
                }
            }
            let Some(header) = self.merger.next_partition().map_err(|e| self.merge_err(e))? else { return Ok(None) };
            let statics = want_cells(header.static_row.as_ref(), layout.static_columns(), self.now, &layout.source)?;
            let static_until = match &header.static_row {
                Some(row) if row.has_live_data(self.now) => row_live_until(row, &statics, self.now),
                _ => i64::MIN,
            };
            self.partition = Some(Partition { token: header.token, key: header.key, statics: statics.into(), static_until, rows: 0 });
        }
    }
}

impl<S: PartitionSource> Iterator for ExpectedRows<S> {
    type Item = Result<ExpectedRow, VerifyError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_row().transpose()
    }
}

/// Opens one SSTable of the manifest.
///
/// # Errors
/// [`VerifyError::UnsupportedStore`] for a store other than local files;
/// [`VerifyError::OpenSSTable`].
pub fn open_sstable(table: &TablePlan, record: &crate::plan::manifest::SSTableRecord) -> Result<SSTable, VerifyError> {
    if record.store != "local" {
        return Err(VerifyError::UnsupportedStore { table: table.name(), store: record.store.clone() });
    }
    SSTable::open(&record.data_path).map_err(|source| VerifyError::OpenSSTable { file: record.data_path.clone(), source })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merge::Column;
    use sstable_reader::types::CqlType;

    fn col(name: &str, kind: ColumnKind) -> ColumnSpec {
        ColumnSpec::new(name, kind)
    }

    fn int(v: i32) -> Bytes {
        Bytes::copy_from_slice(&v.to_be_bytes())
    }

    #[test]
    fn simple_cells_keep_value_writetime_and_expiry() {
        let c = Column::new("v", CqlType::Int, false);
        let cell = MergedCell::expiring(&c, 7, 100, 5000, int(3));
        let w = want_cell(&col("v", ColumnKind::Simple), &[&cell], "ks.t").unwrap();
        assert_eq!(w, WantCell { value: Some(int(3)), writetimes: vec![Some(7)], expiries: vec![Some(5000)] });
        assert_eq!(want_cell(&col("v", ColumnKind::Simple), &[], "ks.t").unwrap(), WantCell::default());
    }

    #[test]
    fn collections_are_built_from_live_elements_in_path_order() {
        let l = Column::new("l", CqlType::List { element: Box::new(CqlType::Int), frozen: false }, false);
        let a = MergedCell::regular(&l, 1, int(10)).with_path(Bytes::from_static(&[1; 16]));
        let b = MergedCell::expiring(&l, 2, 60, 900, int(20)).with_path(Bytes::from_static(&[2; 16]));
        let w = want_cell(&col("l", ColumnKind::List), &[&a, &b], "ks.t").unwrap();
        assert_eq!(w.value.unwrap(), list_value([&int(10)[..], &int(20)[..]].into_iter()));
        assert_eq!((w.writetimes, w.expiries), (vec![Some(1), Some(2)], vec![None, Some(900)]));

        let s = Column::new("s", CqlType::Set { element: Box::new(CqlType::Text), frozen: false }, false);
        let x = MergedCell::regular(&s, 1, Bytes::new()).with_path(Bytes::from_static(b"x"));
        let w = want_cell(&col("s", ColumnKind::Set), &[&x], "ks.t").unwrap();
        assert_eq!(&w.value.unwrap()[..], &[0, 0, 0, 1, 0, 0, 0, 1, b'x']);

        let m = Column::new("m", CqlType::Map { key: Box::new(CqlType::Text), value: Box::new(CqlType::Int), frozen: false }, false);
        let k = MergedCell::regular(&m, 1, int(9)).with_path(Bytes::from_static(b"k"));
        let w = want_cell(&col("m", ColumnKind::Map), &[&k], "ks.t").unwrap();
        assert_eq!(&w.value.unwrap()[..], &[0, 0, 0, 1, 0, 0, 0, 1, b'k', 0, 0, 0, 4, 0, 0, 0, 9]);
    }

    #[test]
    fn udt_fields_go_by_position_with_null_gaps() {
        let u = Column::new("u", CqlType::Blob, false);
        let f2 = MergedCell::regular(&u, 5, Bytes::from_static(b"z")).with_path(Bytes::from_static(&[0, 2]));
        let f0 = MergedCell::expiring(&u, 4, 10, 77, int(1)).with_path(Bytes::from_static(&[0, 0]));
        let w = want_cell(&col("u", ColumnKind::Udt { fields: vec!["a".into(), "b".into(), "c".into()] }), &[&f0, &f2], "ks.t").unwrap();
        assert_eq!(w.value.unwrap(), udt_value(&[Some(&int(1)[..]), None, Some(b"z")]));
        assert_eq!(w.writetimes, vec![Some(4), None, Some(5)]);
        assert_eq!(w.expiries, vec![Some(77), None, None]);
    }

    #[test]
    fn counters_are_the_sum_of_their_shards() {
        use crate::merge::counter::{write_context, Shard, ShardKind};
        let c = Column::new("n", CqlType::Counter, false);
        let ctx = write_context(&[
            Shard { id: [1; 16], clock: 1, count: 5, kind: ShardKind::Global },
            Shard { id: [2; 16], clock: 1, count: -2, kind: ShardKind::Global },
        ]);
        let w = want_cell(&col("n", ColumnKind::Counter), &[&MergedCell::regular(&c, 1, ctx)], "ks.t").unwrap();
        assert_eq!(w, WantCell { value: Some(Bytes::copy_from_slice(&3i64.to_be_bytes())), writetimes: vec![], expiries: vec![] });
    }

    #[test]
    fn rows_come_out_as_select_returns_them() {
        use crate::merge::{ClusteringComparator, SourcePartition, SourceUnfiltered, VecSource};
        use crate::verify::layout::tests::{header, layout};
        let m = "org.apache.cassandra.db.marshal.";
        let h = header(&format!("{m}Int32Type"), &[&format!("{m}Int32Type")], &[("s", &format!("{m}UTF8Type"))], &[("v", &format!("{m}Int32Type"))]);
        let l = Arc::new(layout("CREATE TABLE ks.t (pk int, ck int, s text static, v int, PRIMARY KEY (pk, ck));", &h));
        let s = Column::new("s", CqlType::Text, true);
        let v = Column::new("v", CqlType::Int, false);
        let now = 1000;
        let statics = |value: &'static [u8]| {
            let mut r = MergedRow::new(vec![]);
            r.cells.push(MergedCell::regular(&s, 1, Bytes::from_static(value)));
            Some(r)
        };
        let row = |ck: i32, cell: MergedCell| {
            let mut r = MergedRow::new(vec![Some(int(ck))]);
            r.cells.push(cell);
            SourceUnfiltered::Row(r)
        };
        let part = |pk: i32, static_row: Option<MergedRow>| SourcePartition { key: sstable_reader::Partitioner::Murmur3.decorate(int(pk)), deletion: None, static_row };
        let mut parts = vec![
            // Only a static row: one row with a null clustering.
            (part(1, statics(b"alone")), vec![]),
            // A static row and rows, one of them dead (expired): the live row carries the statics.
            (part(2, statics(b"shared")), vec![row(1, MergedCell::expiring(&v, 1, 10, 900, int(5))), row(2, MergedCell::regular(&v, 1, int(6)))]),
            // A live marker and nothing else: a row of nulls.
            (part(3, None), vec![SourceUnfiltered::Row(MergedRow { liveness: sstable_reader::data::LivenessInfo { timestamp: Some(1), expiration: None }, ..MergedRow::new(vec![Some(int(1))]) })]),
        ];
        parts.sort_by(|a, b| a.0.key.cmp(&b.0.key));
        let merger = PartitionMerger::new(vec![VecSource::new("a", parts)], ClusteringComparator::new(vec![CqlType::Int]), MergeOptions { now, ..MergeOptions::default() });
        let rows: Vec<ExpectedRow> = ExpectedRows::new(merger, l, 0, now).collect::<Result<_, _>>().unwrap();
        let by_key = |pk: i32| rows.iter().filter(|r| r.key == int(pk)).collect::<Vec<_>>();
        let alone = by_key(1);
        assert_eq!(alone.len(), 1);
        assert_eq!(alone[0].clustering, vec![None]);
        assert_eq!(alone[0].statics[0].value.as_deref(), Some(&b"alone"[..]));
        assert_eq!(alone[0].regulars, vec![WantCell::default()]);
        let shared = by_key(2);
        assert_eq!(shared.len(), 1, "the expired row is not returned");
        assert_eq!((shared[0].clustering.clone(), shared[0].regulars[0].value.clone()), (vec![Some(int(2))], Some(int(6))));
        assert_eq!(shared[0].statics[0].value.as_deref(), Some(&b"shared"[..]));
        let marker = by_key(3);
        assert_eq!((marker.len(), marker[0].live_until), (1, FOREVER));
        assert_eq!(marker[0].regulars, vec![WantCell::default()]);
        assert!(rows.windows(2).all(|w| (&w[0].token, &w[0].key) <= (&w[1].token, &w[1].key)));
    }

    #[test]
    fn rows_live_until_their_last_expiry() {
        let c = Column::new("v", CqlType::Int, false);
        let mut row = MergedRow::new(vec![]);
        row.cells.push(MergedCell::expiring(&c, 1, 10, 500, int(1)));
        let cells = want_cells(Some(&row), &[col("v", ColumnKind::Simple)], 100, "ks.t").unwrap();
        assert_eq!(row_live_until(&row, &cells, 100), 500);
        row.liveness.timestamp = Some(1);
        assert_eq!(row_live_until(&row, &cells, 100), FOREVER);
    }
}
