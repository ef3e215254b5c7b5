//! Merged rows into mutations: the hand-over from the merge stage to the write stage.
//!
//! One [`Mutation`] per row fragment: the static row, each clustered row, and (for
//! `--write-deletes`) the partition deletion and each range tombstone. Values stay the
//! SSTable's serialized bytes, slices of the chunk they were decoded from (the writer copies
//! them into its packed group on this same thread); live and expiring cells become [`Cell`]s carrying their
//! expiration time (the remaining TTL is computed when the statement is sent), tombstones
//! become [`Deletion`]s that the write stage sends or skips. Counter cells carry the sum of
//! their context's shards.

use std::cell::RefCell;
use std::sync::Arc;

use bytes::Bytes;
use rustc_hash::FxHashMap;
use sstable_reader::data::LivenessInfo;
use sstable_reader::types::format::hex;
use sstable_reader::types::{composite_components, counter_total};

use super::mutation::{Cell, CellValue, Deletion, Expiry, Liveness, Mutation, RangeBound, TargetTable};
use crate::merge::{CellKind, Column, MergedCell, MergedPartition, MergedRow, RangeTombstone};

/// A merged row that cannot be expressed as a mutation of the target table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    /// The partition key does not split into the table's key columns.
    #[error("partition key {key_hex}: {detail}")]
    PartitionKey {
        /// The key, hex.
        key_hex: String,
        /// What is wrong.
        detail: String,
    },
    /// A counter cell whose context does not parse.
    #[error("partition key {key_hex}, column {column}: malformed counter context: {detail}")]
    Counter {
        /// The key, hex.
        key_hex: String,
        /// The column.
        column: String,
        /// What is wrong.
        detail: String,
    },
}

/// Builds the mutations of merged partitions for one target table.
#[derive(Debug)]
pub struct MutationBuilder {
    table: Arc<TargetTable>,
    statics: FxHashMap<String, usize>,
    regulars: FxHashMap<String, usize>,
    /// Target column of each source column met so far, by the source's `Arc<Column>` (held,
    /// so its address is not reused): the rows of an SSTable repeat a few columns, whose
    /// names are then not hashed and compared for every cell.
    seen: RefCell<Vec<(Arc<Column>, Option<usize>)>>,
}

/// Source columns remembered by [`MutationBuilder::target_column`]; past it, names are
/// looked up every time (a unit reads a few SSTables of one table, so this is not reached).
const SEEN_COLUMNS: usize = 256;

impl MutationBuilder {
    /// A builder for `table`.
    pub fn new(table: Arc<TargetTable>) -> MutationBuilder {
        let mut statics = FxHashMap::default();
        let mut regulars = FxHashMap::default();
        for (i, c) in table.columns.iter().enumerate() {
            if c.is_static { &mut statics } else { &mut regulars }.insert(c.name.clone(), i);
        }
        MutationBuilder { table, statics, regulars, seen: RefCell::default() }
    }

    /// The target column of `column` (a static column among the target's statics), if the
    /// target has it.
    fn target_column(&self, column: &Arc<Column>) -> Option<usize> {
        let mut seen = self.seen.borrow_mut();
        if let Some((_, index)) = seen.iter().find(|(c, _)| Arc::ptr_eq(c, column)) {
            return *index;
        }
        let columns = if column.is_static { &self.statics } else { &self.regulars };
        let index = columns.get(&*column.name).copied();
        if seen.len() < SEEN_COLUMNS {
            seen.push((Arc::clone(column), index));
        }
        index
    }

    /// The target table.
    pub fn table(&self) -> &Arc<TargetTable> {
        &self.table
    }

    /// The partition key's column values.
    ///
    /// # Errors
    /// [`ConvertError::PartitionKey`] when a composite key does not split into as many
    /// components as the table has key columns.
    pub fn partition_key(&self, partition: &MergedPartition) -> Result<Arc<[Bytes]>, ConvertError> {
        let columns = self.table.partition_key.len();
        if columns <= 1 {
            return Ok(Arc::from([partition.key.clone()]));
        }
        let error = |detail: String| ConvertError::PartitionKey { key_hex: hex(&partition.key), detail };
        let parts = composite_components(&partition.key).map_err(|e| error(e.to_string()))?;
        if parts.len() != columns {
            return Err(error(format!("{} components for {columns} partition key columns", parts.len())));
        }
        Ok(parts.into_iter().map(|p| partition.key.slice_ref(p)).collect())
    }

    /// The partition-level fragment: the partition deletion, if any.
    pub fn partition_deletion(&self, pk: &Arc<[Bytes]>, partition: &MergedPartition) -> Option<Mutation> {
        let deletion = partition.deletion?;
        let mut m = Mutation::new(Arc::clone(&self.table), Arc::clone(pk), Vec::new());
        m.deletions.push(Deletion::Partition { timestamp: deletion.marked_for_delete_at });
        Some(m)
    }

    /// The mutation of the static row or of a clustered row.
    ///
    /// # Errors
    /// [`ConvertError::Counter`] for a malformed counter context.
    /// Takes the row's values over without copying them.
    pub fn row(&self, pk: &Arc<[Bytes]>, row: MergedRow) -> Result<Mutation, ConvertError> {
        // A clustering component that is absent (`None`) cannot be bound: the shorter key is
        // then rejected by the write stage, with the row recorded in the rejects file.
        let clustering = row.clustering.into_iter().flatten().collect();
        let mut m = Mutation::new(Arc::clone(&self.table), Arc::clone(pk), clustering);
        m.cells.reserve_exact(row.cells.len());
        m.liveness = liveness(&row.liveness);
        if let Some(d) = &row.deletion {
            m.deletions.push(Deletion::Row { timestamp: d.time.marked_for_delete_at });
        }
        for (column, deletion) in &row.complex_deletions {
            if let Some(index) = self.target_column(column) {
                m.deletions.push(Deletion::Column { column: index, timestamp: deletion.marked_for_delete_at });
            }
        }
        for cell in row.cells {
            // Columns the target does not have were already dropped (and counted) by the merge.
            let Some(index) = self.target_column(&cell.column) else { continue };
            if cell.kind == CellKind::Tombstone {
                m.deletions.push(match cell.path {
                    Some(path) => Deletion::Element { column: index, path, timestamp: cell.timestamp },
                    None => Deletion::Column { column: index, timestamp: cell.timestamp },
                });
                continue;
            }
            let (timestamp, expiry) = (cell.timestamp, expiry(&cell));
            let value = self.cell_value(pk, cell)?;
            m.cells.push(Cell { column: index, timestamp, expiry, value });
        }
        Ok(m)
    }

    /// The mutation of a range tombstone.
    pub fn range_tombstone(&self, pk: &Arc<[Bytes]>, rt: &RangeTombstone) -> Mutation {
        let side = |b: &crate::merge::RangeBound| -> Option<RangeBound> {
            (!b.clustering.is_empty()).then(|| RangeBound { prefix: b.clustering.iter().flatten().cloned().collect(), inclusive: b.inclusive })
        };
        let mut m = Mutation::new(Arc::clone(&self.table), Arc::clone(pk), Vec::new());
        m.deletions.push(Deletion::Range { start: side(&rt.start), end: side(&rt.end), timestamp: rt.deletion.marked_for_delete_at });
        m
    }

    fn cell_value(&self, pk: &[Bytes], cell: MergedCell) -> Result<CellValue, ConvertError> {
        if cell.column.is_counter() {
            let total = counter_total(&cell.value).map_err(|e| ConvertError::Counter {
                key_hex: pk.iter().map(|k| hex(k)).collect::<Vec<_>>().join(":"),
                column: cell.column.name.to_string(),
                detail: e.to_string(),
            })?;
            return Ok(CellValue::Counter(total));
        }
        Ok(match cell.path {
            Some(path) => CellValue::Element { path, value: cell.value },
            None => CellValue::Simple(cell.value),
        })
    }
}

fn liveness(l: &LivenessInfo) -> Option<Liveness> {
    let timestamp = l.timestamp?;
    let expiry = l.expiration.map(|e| Expiry { ttl: u32::try_from(e.ttl).unwrap_or(0), local_expiration_time: e.local_expiration_time });
    Some(Liveness { timestamp, expiry })
}

fn expiry(cell: &MergedCell) -> Option<Expiry> {
    (cell.kind == CellKind::Expiring).then(|| Expiry { ttl: u32::try_from(cell.ttl).unwrap_or(0), local_expiration_time: cell.local_deletion_time })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merge::{Column, RangeBound as MergedBound};
    use crate::write::mutation::{ColumnKind, ColumnSpec};
    use sstable_reader::data::{DeletionTime, Expiration, RowDeletion};
    use sstable_reader::types::CqlType;
    use sstable_reader::Token;

    fn table(pk: usize) -> Arc<TargetTable> {
        Arc::new(TargetTable::new(
            "ks",
            "t",
            (0..pk).map(|i| ColumnSpec::key(format!("k{i}"))).collect(),
            vec![ColumnSpec::key("c")],
            vec![ColumnSpec::new_static("s", ColumnKind::Simple), ColumnSpec::new("v", ColumnKind::Simple), ColumnSpec::new("m", ColumnKind::Map), ColumnSpec::new("n", ColumnKind::Counter)],
        ))
    }

    fn partition(key: &[u8]) -> MergedPartition {
        MergedPartition { key: Bytes::copy_from_slice(key), token: Token::Murmur3(0), deletion: None, static_row: None, sources: 1 }
    }

    #[test]
    fn composite_partition_keys_split_into_columns() {
        let b = MutationBuilder::new(table(2));
        let key = [0, 1, b'a', 0, 0, 2, 0, 5, 0];
        assert_eq!(&*b.partition_key(&partition(&key)).unwrap(), &[Bytes::from_static(b"a"), Bytes::from_static(&[0, 5])]);
        let err = b.partition_key(&partition(&[0, 1, b'a', 0])).unwrap_err();
        assert!(err.to_string().contains("1 components for 2"), "{err}");
        let single = MutationBuilder::new(table(1));
        assert_eq!(&*single.partition_key(&partition(&key)).unwrap(), &[Bytes::copy_from_slice(&key)]);
    }

    #[test]
    fn cells_markers_and_tombstones_become_cells_and_deletions() {
        let b = MutationBuilder::new(table(1));
        let v = Column::new("v", CqlType::Int, false);
        let m = Column::new("m", CqlType::Map { key: Box::new(CqlType::Text), value: Box::new(CqlType::Int), frozen: false }, false);
        let unknown = Column::new("gone", CqlType::Int, false);
        let mut row = MergedRow::new(vec![Some(Bytes::from_static(&[0, 0, 0, 7]))]);
        row.liveness = LivenessInfo { timestamp: Some(10), expiration: Some(Expiration { ttl: 60, local_expiration_time: 1000 }) };
        row.deletion = Some(RowDeletion { time: DeletionTime { marked_for_delete_at: 5, local_deletion_time: 1 }, shadowable: false });
        row.complex_deletions.push((Arc::clone(&m), DeletionTime { marked_for_delete_at: 9, local_deletion_time: 1 }));
        row.cells.push(MergedCell::expiring(&v, 11, 30, 2000, Bytes::from_static(&[0, 0, 0, 1])));
        row.cells.push(MergedCell::regular(&m, 12, Bytes::from_static(&[0, 0, 0, 2])).with_path(Bytes::from_static(b"x")));
        row.cells.push(MergedCell::tombstone(&m, 13, 1).with_path(Bytes::from_static(b"y")));
        row.cells.push(MergedCell::regular(&unknown, 14, Bytes::from_static(&[0, 0, 0, 3])));
        let pk: Arc<[Bytes]> = Arc::from([Bytes::from_static(b"k")]);
        let out = b.row(&pk, row.clone()).unwrap();
        assert_eq!(out.clustering, vec![Bytes::from_static(&[0, 0, 0, 7])]);
        assert_eq!(out.liveness, Some(Liveness { timestamp: 10, expiry: Some(Expiry { ttl: 60, local_expiration_time: 1000 }) }));
        assert_eq!(
            out.cells,
            vec![
                Cell { column: 1, timestamp: 11, expiry: Some(Expiry { ttl: 30, local_expiration_time: 2000 }), value: CellValue::Simple(Bytes::from_static(&[0, 0, 0, 1])) },
                Cell { column: 2, timestamp: 12, expiry: None, value: CellValue::Element { path: Bytes::from_static(b"x"), value: Bytes::from_static(&[0, 0, 0, 2]) } },
            ]
        );
        assert_eq!(
            out.deletions,
            vec![
                Deletion::Row { timestamp: 5 },
                Deletion::Column { column: 2, timestamp: 9 },
                Deletion::Element { column: 2, path: Bytes::from_static(b"y"), timestamp: 13 },
            ]
        );
    }

    #[test]
    fn static_rows_counters_partition_and_range_deletions() {
        let b = MutationBuilder::new(table(1));
        let s = Column::new("s", CqlType::Text, true);
        let n = Column::new("n", CqlType::Counter, false);
        let pk: Arc<[Bytes]> = Arc::from([Bytes::from_static(b"k")]);
        let mut st = MergedRow::new(Vec::new());
        st.cells.push(MergedCell::regular(&s, 3, Bytes::from_static(b"hi")));
        let out = b.row(&pk, st).unwrap();
        assert!(out.clustering.is_empty());
        assert_eq!(out.cells[0].column, 0);

        // One local shard of count 42: header (1 element, index 0), then id, clock, count.
        let mut ctx = vec![0, 1, 0, 0];
        ctx.extend_from_slice(&[1; 16]);
        ctx.extend_from_slice(&7i64.to_be_bytes());
        ctx.extend_from_slice(&42i64.to_be_bytes());
        let mut row = MergedRow::new(vec![Some(Bytes::from_static(&[0, 0, 0, 1]))]);
        row.cells.push(MergedCell::regular(&n, 3, ctx.clone()));
        assert_eq!(b.row(&pk, row.clone()).unwrap().cells[0].value, CellValue::Counter(42));
        row.cells[0].value = Bytes::copy_from_slice(&ctx[..ctx.len() - 3]);
        assert!(matches!(b.row(&pk, row.clone()), Err(ConvertError::Counter { .. })));

        let mut p = partition(b"k");
        assert!(b.partition_deletion(&pk, &p).is_none());
        p.deletion = Some(DeletionTime { marked_for_delete_at: 77, local_deletion_time: 1 });
        assert_eq!(b.partition_deletion(&pk, &p).unwrap().deletions, vec![Deletion::Partition { timestamp: 77 }]);

        let rt = RangeTombstone {
            start: MergedBound { clustering: vec![Some(Bytes::from_static(&[0, 0, 0, 1]))], inclusive: true },
            end: MergedBound { clustering: Vec::new(), inclusive: true },
            deletion: DeletionTime { marked_for_delete_at: 8, local_deletion_time: 1 },
        };
        assert_eq!(
            b.range_tombstone(&pk, &rt).deletions,
            vec![Deletion::Range { start: Some(RangeBound { prefix: vec![Bytes::from_static(&[0, 0, 0, 1])], inclusive: true }), end: None, timestamp: 8 }]
        );
    }
}
