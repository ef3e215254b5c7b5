//! A group of rows whose statements are planned, packed for the trip from the reader's
//! thread to the send task: every byte string the group binds in one buffer, statements and
//! rows as ranges into it, and each statement's shape as an id of the writer's registry.
//!
//! Why: a planned row used to be a mutation, a vector of statements and a vector of values per
//! statement, all allocated on the reader's thread and freed on the send task's. Memory freed
//! by another thread is the allocator's slow path, and it was the largest single cost of a
//! load. Packed, a group of thirty rows crosses threads in four allocations, and the row's
//! planning scratch is freed where it was made.

use std::ops::Range;
use std::sync::Arc;

use scylla::serialize::row::{RowSerializationContext, SerializeRow};
use scylla::serialize::writers::RowWriter;
use scylla::serialize::SerializationError;

use super::executor::RowOutcome;
use super::mutation::{Mutation, TargetTable};
use super::statement::Statement;
use super::ttl::now_millis;
use super::value::{ttl_left, BoundValue, ValueTooLarge};

/// One bound value, its bytes (if any) in [`PlannedGroup::bytes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    Bytes { start: u32, end: u32 },
    BigInt(i64),
    Int(i32),
    ExpiresAt(i64),
    Null,
}

/// A statement of a planned row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedStatement {
    /// Its shape in the writer's registry (prepared once).
    pub shape: u32,
    /// Its values in [`PlannedGroup`]'s value list.
    values: Range<u32>,
    /// Estimated Keyspaces write units.
    pub write_units: u32,
}

/// A row to send: its key and statements, and what batching needs to know of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRow {
    /// Its place in the submitted group (the index of its outcome).
    pub index: usize,
    /// Its table in [`PlannedGroup::table`].
    table: u32,
    /// Partition key then clustering values, in the group's value list.
    key: Range<u32>,
    /// How many of the key values are the partition key.
    partition_key: u32,
    /// Its statements in [`PlannedGroup::statements`], in order.
    pub statements: Range<usize>,
    /// Encoded size (Keyspaces estimate).
    pub row_bytes: usize,
    /// Bytes its statements bind, with their length prefixes.
    pub bound_bytes: usize,
    /// About its size in Cassandra's measure of a batch (see `batch.rs`).
    pub cassandra_size: usize,
    /// Whether none of its statements must be sent alone (list appends, counters).
    pub batchable: bool,
}

impl PlannedRow {
    /// How many statements it has.
    pub fn statement_count(&self) -> usize {
        self.statements.len()
    }
}

/// Planned rows of one submitted group; see the module doc.
#[derive(Debug, Default)]
pub struct PlannedGroup {
    /// One per submitted row: final for rows with nothing to send, else replaced once written.
    pub(crate) outcomes: Vec<RowOutcome>,
    /// The rows to send, in order.
    pub(crate) rows: Vec<PlannedRow>,
    /// Set when every row has this route (`Writer::route`): batches may span partitions.
    pub(crate) route: Option<i64>,
    statements: Vec<PlannedStatement>,
    values: Vec<Bound>,
    bytes: Vec<u8>,
    tables: Vec<Arc<TargetTable>>,
}

impl PlannedGroup {
    /// An empty group for `rows` submitted rows, all written until planned otherwise.
    pub fn new(rows: usize, route: Option<i64>) -> PlannedGroup {
        PlannedGroup { outcomes: vec![RowOutcome::Written; rows], rows: Vec::with_capacity(rows), route, bytes: Vec::with_capacity(rows * 128), ..PlannedGroup::default() }
    }

    /// Rows in the group (sent or not).
    pub fn len(&self) -> usize {
        self.outcomes.len()
    }

    /// Whether the group has no rows.
    pub fn is_empty(&self) -> bool {
        self.outcomes.is_empty()
    }

    /// Adds row `index` of the group, `m`, to send with `statements`. `shape_of` gives each
    /// statement's shape id and whether it may share a batch.
    pub fn push(&mut self, index: usize, m: &Mutation, statements: Vec<Statement>, row_bytes: usize, mut shape_of: impl FnMut(&Arc<TargetTable>, &Statement) -> (u32, bool)) {
        let table = match self.tables.iter().position(|t| Arc::ptr_eq(t, &m.table)) {
            Some(i) => i,
            None => {
                self.tables.push(Arc::clone(&m.table));
                self.tables.len() - 1
            }
        } as u32;
        let key_start = self.values.len() as u32;
        for v in m.partition_key.iter().chain(&m.clustering) {
            self.push_bytes(v);
        }
        let key = key_start..self.values.len() as u32;
        let key_cells: usize = m.partition_key.iter().map(|v| v.len() + CELL_OVERHEAD).sum::<usize>() + m.clustering.len() * CELL_OVERHEAD;
        let first = self.statements.len();
        let (mut bound_bytes, mut cassandra_size, mut batchable) = (0, 0, true);
        for st in &statements {
            let (shape, may_batch) = shape_of(&m.table, st);
            batchable &= may_batch;
            let start = self.values.len() as u32;
            let mut cells = 0;
            for v in &st.values {
                bound_bytes += v.len() + 4;
                if matches!(v, BoundValue::Raw(_) | BoundValue::Null) {
                    cells += v.len() + CELL_OVERHEAD;
                }
                match v {
                    BoundValue::Raw(b) => self.push_bytes(b),
                    BoundValue::BigInt(x) => self.values.push(Bound::BigInt(*x)),
                    BoundValue::Int(x) => self.values.push(Bound::Int(*x)),
                    BoundValue::ExpiresAt(x) => self.values.push(Bound::ExpiresAt(*x)),
                    BoundValue::Null => self.values.push(Bound::Null),
                }
            }
            cassandra_size += cells.saturating_sub(key_cells);
            self.statements.push(PlannedStatement { shape, values: start..self.values.len() as u32, write_units: st.write_units });
        }
        self.rows.push(PlannedRow {
            index,
            table,
            key,
            partition_key: m.partition_key.len() as u32,
            statements: first..self.statements.len(),
            row_bytes,
            bound_bytes,
            cassandra_size,
            batchable,
        });
    }

    fn push_bytes(&mut self, b: &[u8]) {
        let start = self.bytes.len() as u32;
        self.bytes.extend_from_slice(b);
        self.values.push(Bound::Bytes { start, end: self.bytes.len() as u32 });
    }

    /// The statements of `row`.
    pub fn statements_of(&self, row: &PlannedRow) -> &[PlannedStatement] {
        &self.statements[row.statements.clone()]
    }

    /// Estimated write units of all of `row`'s statements.
    pub fn write_units(&self, row: &PlannedRow) -> u32 {
        self.statements_of(row).iter().map(|s| s.write_units).sum()
    }

    /// The table `row` belongs to.
    pub fn table(&self, row: &PlannedRow) -> &Arc<TargetTable> {
        &self.tables[row.table as usize]
    }

    fn bytes_of(&self, v: Bound) -> &[u8] {
        match v {
            Bound::Bytes { start, end } => &self.bytes[start as usize..end as usize],
            _ => &[],
        }
    }

    /// The partition key values of `row`.
    pub fn partition_key(&self, row: &PlannedRow) -> impl Iterator<Item = &[u8]> + Clone + '_ {
        let split = (row.key.start + row.partition_key) as usize;
        self.values[row.key.start as usize..split].iter().map(|v| self.bytes_of(*v))
    }

    /// The clustering values of `row`.
    pub fn clustering(&self, row: &PlannedRow) -> impl Iterator<Item = &[u8]> + Clone + '_ {
        let split = (row.key.start + row.partition_key) as usize;
        self.values[split..row.key.end as usize].iter().map(|v| self.bytes_of(*v))
    }

    /// Whether rows `a` and `b` are of one partition of one table.
    pub fn same_partition(&self, a: &PlannedRow, b: &PlannedRow) -> bool {
        a.table == b.table && a.partition_key == b.partition_key && self.partition_key(a).eq(self.partition_key(b))
    }

    /// The values `statement` binds, for the driver.
    pub fn values_of<'g>(&'g self, statement: &PlannedStatement) -> StatementValues<'g> {
        StatementValues { group: self, values: &self.values[statement.values.start as usize..statement.values.end as usize] }
    }
}

/// A cell's timestamp, TTL and local deletion time in Cassandra's measure of a batch.
pub const CELL_OVERHEAD: usize = 20;

/// The values of one planned statement, serialized as they are (TTLs as the seconds left at
/// the moment of serialization, each attempt again).
#[derive(Debug, Clone, Copy)]
pub struct StatementValues<'g> {
    group: &'g PlannedGroup,
    values: &'g [Bound],
}

impl SerializeRow for StatementValues<'_> {
    fn serialize(&self, _ctx: &RowSerializationContext<'_>, writer: &mut RowWriter) -> Result<(), SerializationError> {
        let mut now = None;
        for v in self.values {
            let cell = writer.make_cell_writer();
            let written = match *v {
                Bound::Bytes { .. } => cell.set_value(self.group.bytes_of(*v)).map(|_| ()),
                Bound::BigInt(x) => cell.set_value(&x.to_be_bytes()).map(|_| ()),
                Bound::Int(x) => cell.set_value(&x.to_be_bytes()).map(|_| ()),
                Bound::ExpiresAt(at) => cell.set_value(&ttl_left(at, *now.get_or_insert_with(now_millis)).to_be_bytes()).map(|_| ()),
                Bound::Null => {
                    cell.set_null();
                    Ok(())
                }
            };
            written.map_err(|_| SerializationError::new(ValueTooLarge(self.group.bytes_of(*v).len())))?;
        }
        Ok(())
    }

    fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::write::mutation::ColumnSpec;
    use crate::write::shape::Shape;

    fn table() -> Arc<TargetTable> {
        Arc::new(TargetTable::new("ks", "t", vec![ColumnSpec::key("a"), ColumnSpec::key("b")], vec![ColumnSpec::key("c")], vec![ColumnSpec::new("v", crate::write::ColumnKind::Simple)]))
    }

    fn mutation(t: &Arc<TargetTable>, pk: [&'static [u8]; 2]) -> Mutation {
        Mutation::new(Arc::clone(t), pk.iter().map(|v| Bytes::from_static(v)).collect(), vec![Bytes::from_static(b"C")])
    }

    /// Splits serialized `[int len][bytes]` values (len -1: null).
    fn cells(buf: &[u8]) -> Vec<Option<Vec<u8>>> {
        let mut out = Vec::new();
        let mut at = 0;
        while at < buf.len() {
            let len = i32::from_be_bytes(buf[at..at + 4].try_into().unwrap());
            at += 4;
            if len < 0 {
                out.push(None);
            } else {
                out.push(Some(buf[at..at + len as usize].to_vec()));
                at += len as usize;
            }
        }
        out
    }

    #[test]
    fn packed_rows_keep_their_keys_statements_and_values() {
        let t = table();
        let shape = Shape::Insert { columns: vec![0], ttl: true, clustering: true };
        let raw = |b: &'static [u8]| BoundValue::Raw(Bytes::from_static(b));
        let statement = |pk2: &'static [u8]| {
            let values = vec![raw(b"k1"), raw(pk2), raw(b"C"), raw(b"val"), BoundValue::BigInt(-2), BoundValue::Int(7), BoundValue::Null, BoundValue::ExpiresAt(now_millis() / 1000 + 100)];
            Statement { shape: shape.clone(), values, write_units: 3 }
        };
        let mut g = PlannedGroup::new(3, Some(5));
        g.push(0, &mutation(&t, [b"k1", b"k2"]), vec![statement(b"k2"), statement(b"k2")], 40, |_, _| (9, true));
        g.push(2, &mutation(&t, [b"k1", b"k2"]), vec![statement(b"k2")], 20, |_, _| (9, false));
        g.push(1, &mutation(&t, [b"k1", b"zz"]), vec![statement(b"zz")], 20, |_, _| (9, true));
        let [a, b, c] = [&g.rows[0], &g.rows[1], &g.rows[2]];
        assert_eq!((a.index, b.index, c.index), (0, 2, 1));
        assert!(g.same_partition(a, b) && !g.same_partition(a, c));
        assert_eq!(g.partition_key(c).collect::<Vec<_>>(), vec![&b"k1"[..], &b"zz"[..]]);
        assert_eq!(g.clustering(c).collect::<Vec<_>>(), vec![&b"C"[..]]);
        assert_eq!((g.statements_of(a).len(), g.write_units(a), g.statements_of(a)[0].shape), (2, 6, 9));
        assert!(a.batchable && !b.batchable);
        assert_eq!(a.bound_bytes, 2 * (2 + 2 + 1 + 3 + 8 + 4 + 0 + 4 + 8 * 4));
        // Cassandra counts the clustering value (1) and the cells "val" (3 + 20) and null (20),
        // not the partition key, the timestamp or the TTL.
        assert_eq!(a.cassandra_size, 2 * 44);

        let mut buf = Vec::new();
        let mut writer = RowWriter::new(&mut buf);
        g.values_of(&g.statements_of(c)[0]).serialize(&RowSerializationContext::empty(), &mut writer).unwrap();
        assert_eq!(writer.value_count(), 8);
        let cells = cells(&buf);
        let some = |b: &[u8]| Some(b.to_vec());
        assert_eq!(cells[..7], [some(b"k1"), some(b"zz"), some(b"C"), some(b"val"), some(&(-2i64).to_be_bytes()), some(&7i32.to_be_bytes()), None]);
        let ttl = i32::from_be_bytes(cells[7].clone().unwrap().try_into().unwrap());
        assert!((99..=101).contains(&ttl), "seconds left when serialized: {ttl}");
    }
}
