//! A group of rows whose statements are planned, packed for the trip from the reader's
//! thread to the send task: every byte string the group binds in one buffer, statements and
//! rows as ranges into it, and each statement's shape as an id of the writer's registry.
//!
//! Why: a planned row used to be a mutation, a vector of statements and a vector of values per
//! statement, all allocated on the reader's thread and freed on the send task's. Memory freed
//! by another thread is the allocator's slow path, and it was the largest single cost of a
//! load. Packed, a group of thirty rows crosses threads in six allocations, and the row's
//! planning scratch is freed where it was made.

use std::ops::Range;
use std::sync::Arc;

use scylla::serialize::row::{RowSerializationContext, SerializeRow};
use scylla::serialize::writers::RowWriter;
use scylla::serialize::SerializationError;

use super::executor::RowOutcome;
use super::mutation::{CellValue, Mutation, TargetTable};
use super::statement::{SimpleInsert, Statement};
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

impl Bound {
    /// A value without bytes of its own (not [`BoundValue::Raw`]).
    fn of_fixed(v: &BoundValue) -> Bound {
        match v {
            BoundValue::BigInt(x) => Bound::BigInt(*x),
            BoundValue::Int(x) => Bound::Int(*x),
            BoundValue::ExpiresAt(x) => Bound::ExpiresAt(*x),
            BoundValue::Null | BoundValue::Raw(_) => Bound::Null,
        }
    }

    /// Bytes it takes on the wire, without its length prefix.
    fn len(self) -> usize {
        match self {
            Bound::Bytes { start, end } => (end - start) as usize,
            Bound::BigInt(_) => 8,
            Bound::Int(_) | Bound::ExpiresAt(_) => 4,
            Bound::Null => 0,
        }
    }
}

/// A value on its way into a group: bytes to copy, or a value without bytes.
enum Value<'v> {
    Bytes(&'v [u8]),
    Fixed(Bound),
}

/// What batching needs to know of a row, summed over its statements as they are pushed.
struct RowSums {
    /// What the row's key counts for in Cassandra's measure when bound as cells.
    key_cells: usize,
    bound_bytes: usize,
    cassandra_size: usize,
    batchable: bool,
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
    /// Its table in the group's table list.
    table: u32,
    /// Partition key then clustering values, in the group's value list.
    key: Range<u32>,
    /// How many of the key values are the partition key.
    partition_key: u32,
    /// Its statements in the group's statement list, in order.
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
#[derive(Debug, Default, PartialEq, Eq)]
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
        // Room for the common row (a statement of a few columns) without regrowing.
        PlannedGroup {
            outcomes: vec![RowOutcome::Written; rows],
            rows: Vec::with_capacity(rows),
            route,
            statements: Vec::with_capacity(rows),
            values: Vec::with_capacity(rows * 12),
            bytes: Vec::with_capacity(rows * 160),
            tables: Vec::with_capacity(1),
        }
    }

    /// Empties the group for `rows` other rows, keeping its buffers.
    fn reset(&mut self, rows: usize, route: Option<i64>) {
        self.outcomes.clear();
        self.outcomes.resize(rows, RowOutcome::Written);
        self.rows.clear();
        self.route = route;
        self.statements.clear();
        self.values.clear();
        self.bytes.clear();
        self.tables.clear();
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
        self.push_row(index, m, row_bytes, |group, sums| {
            for st in &statements {
                let (shape, may_batch) = shape_of(&m.table, st);
                sums.batchable &= may_batch;
                let values = st.values.iter().map(|v| match v {
                    BoundValue::Raw(b) => Value::Bytes(b),
                    fixed => Value::Fixed(Bound::of_fixed(fixed)),
                });
                group.push_statement(shape, st.write_units, values, sums);
            }
        });
    }

    /// Adds row `index` of the group, `m`, whose plan is `insert` (see [`SimpleInsert`]): the
    /// same packing [`PlannedGroup::push`] gives its planned statement, without the plan.
    pub fn push_insert(&mut self, index: usize, m: &Mutation, insert: &SimpleInsert, shape: u32) {
        self.push_row(index, m, insert.row_bytes, |group, sums| {
            let cells = m.cells.iter().filter_map(|c| match &c.value {
                CellValue::Simple(v) => Some(&v[..]),
                _ => None,
            });
            let values = m.partition_key.iter().chain(&m.clustering).map(|v| &v[..]).chain(cells).map(Value::Bytes);
            let using = std::iter::once(Bound::BigInt(insert.timestamp)).chain(insert.ttl.as_ref().map(Bound::of_fixed));
            group.push_statement(shape, insert.write_units, values.chain(using.map(Value::Fixed)), sums);
        });
    }

    /// Adds row `index`, `m`: its key, then the statements `statements` pushes.
    fn push_row(&mut self, index: usize, m: &Mutation, row_bytes: usize, statements: impl FnOnce(&mut Self, &mut RowSums)) {
        let table = self.table_index(&m.table);
        let key_start = self.values.len() as u32;
        for v in m.partition_key.iter().chain(&m.clustering) {
            self.push_bytes(v);
        }
        let key = key_start..self.values.len() as u32;
        let key_cells = m.partition_key.iter().map(|v| v.len() + CELL_OVERHEAD).sum::<usize>() + m.clustering.len() * CELL_OVERHEAD;
        let mut sums = RowSums { key_cells, bound_bytes: 0, cassandra_size: 0, batchable: true };
        let first = self.statements.len();
        statements(self, &mut sums);
        self.rows.push(PlannedRow {
            index,
            table,
            key,
            partition_key: m.partition_key.len() as u32,
            statements: first..self.statements.len(),
            row_bytes,
            bound_bytes: sums.bound_bytes,
            cassandra_size: sums.cassandra_size,
            batchable: sums.batchable,
        });
    }

    /// Adds a statement binding `values` to the row being pushed.
    fn push_statement<'v>(&mut self, shape: u32, write_units: u32, values: impl Iterator<Item = Value<'v>>, sums: &mut RowSums) {
        let start = self.values.len() as u32;
        // Every byte string bound counts as a cell in Cassandra's measure, then the key's
        // share is taken off (see `batch.rs`).
        let mut cells = 0;
        for v in values {
            match v {
                Value::Bytes(b) => {
                    self.push_bytes(b);
                    sums.bound_bytes += b.len() + 4;
                    cells += b.len() + CELL_OVERHEAD;
                }
                Value::Fixed(f) => {
                    self.values.push(f);
                    sums.bound_bytes += f.len() + 4;
                    cells += if f == Bound::Null { CELL_OVERHEAD } else { 0 };
                }
            }
        }
        sums.cassandra_size += cells.saturating_sub(sums.key_cells);
        self.statements.push(PlannedStatement { shape, values: start..self.values.len() as u32, write_units });
    }

    fn table_index(&mut self, table: &Arc<TargetTable>) -> u32 {
        (match self.tables.iter().position(|t| Arc::ptr_eq(t, table)) {
            Some(i) => i,
            None => {
                self.tables.push(Arc::clone(table));
                self.tables.len() - 1
            }
        }) as u32
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

/// Spent groups whose buffers later groups reuse. A group is filled on a unit reader's
/// thread and dropped on one of the runtime's, and memory freed on another thread than the
/// one that took it is the allocator's slow path, on both sides.
#[derive(Debug)]
pub struct GroupPool {
    spare: crossbeam_queue::ArrayQueue<PlannedGroup>,
}

/// Groups kept for reuse: more than the default window holds in flight. With
/// [`MAX_POOLED_BYTES`] this bounds the pool at 32 MiB of bound bytes; 30 rows of a few
/// columns take about 5 KiB.
const POOLED_GROUPS: usize = 512;

/// A group whose bytes grew past this (a rare large row) is dropped rather than kept.
const MAX_POOLED_BYTES: usize = 64 * 1024;

impl Default for GroupPool {
    fn default() -> Self {
        GroupPool { spare: crossbeam_queue::ArrayQueue::new(POOLED_GROUPS) }
    }
}

impl GroupPool {
    /// An empty group for `rows` submitted rows: a spent group's buffers when one is spare.
    pub fn take(&self, rows: usize, route: Option<i64>) -> PlannedGroup {
        match self.spare.pop() {
            Some(mut group) => {
                group.reset(rows, route);
                group
            }
            None => PlannedGroup::new(rows, route),
        }
    }

    /// Keeps `group`'s buffers for a later [`GroupPool::take`], unless they grew large or
    /// enough are kept.
    pub fn give_back(&self, group: PlannedGroup) {
        if group.bytes.capacity() <= MAX_POOLED_BYTES {
            let _ = self.spare.push(group);
        }
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
        Mutation::new(Arc::clone(t), pk.iter().map(|v| Bytes::from_static(v)).collect::<Vec<_>>(), vec![Bytes::from_static(b"C")])
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
        // Per statement: "k1", "k2", "C", "val", the bigint, the int, the null (no bytes) and
        // the TTL, each with its 4-byte length.
        assert_eq!(a.bound_bytes, 2 * (2 + 2 + 1 + 3 + 8 + 4 + 4 + 8 * 4));
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

    #[test]
    fn a_pooled_group_starts_as_empty_as_a_new_one() {
        let t = table();
        let raw = |b: &'static [u8]| BoundValue::Raw(Bytes::from_static(b));
        let st = Statement { shape: Shape::Insert { columns: vec![0], ttl: false, clustering: true }, values: vec![raw(b"k1"), raw(b"k2"), raw(b"C"), raw(b"v")], write_units: 1 };
        let pool = GroupPool::default();
        let mut g = pool.take(2, Some(1));
        g.push(1, &mutation(&t, [b"k1", b"k2"]), vec![st], 10, |_, _| (0, true));
        g.outcomes[0] = RowOutcome::Empty;
        let buffer = g.bytes.as_ptr();
        pool.give_back(g);
        let reused = pool.take(3, None);
        assert_eq!(reused, PlannedGroup::new(3, None));
        assert_eq!(reused.bytes.as_ptr(), buffer, "the spent group's buffers were taken");
        let mut big = PlannedGroup::new(1, None);
        big.bytes.reserve(MAX_POOLED_BYTES + 1);
        pool.give_back(big);
        assert!(pool.spare.is_empty(), "a grown buffer is not kept");
    }

    /// A little deterministic generator (no dependency for one test).
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }
    }

    #[test]
    fn simple_inserts_pack_exactly_as_their_general_plan() {
        use crate::write::mutation::{Cell, Deletion, Expiry, Liveness};
        use crate::write::statement::{plan_mutation, simple_insert, PlanOptions};
        use crate::write::ColumnKind;

        let now_ms = 1_700_000_000_000;
        let now_s = now_ms / 1000;
        let columns = vec![
            ColumnSpec::new("a", ColumnKind::Simple),
            ColumnSpec::new("b", ColumnKind::Simple),
            ColumnSpec::new("c", ColumnKind::Simple),
            ColumnSpec::new_static("s", ColumnKind::Simple),
            ColumnSpec::new("l", ColumnKind::List),
        ];
        let mut tables = Vec::new();
        for (clustering, default_ttl) in [(true, false), (true, true), (false, false)] {
            let ck = if clustering { vec![ColumnSpec::key("ck")] } else { vec![] };
            let mut t = TargetTable::new("ks", "t", vec![ColumnSpec::key("pk")], ck, columns.clone());
            t.default_ttl = default_ttl;
            tables.push(Arc::new(t));
        }
        let mut rng = Lcg(7);
        let mut shapes: Vec<Shape> = Vec::new();
        let mut id_of = |shape: &Shape| match shapes.iter().position(|s| s == shape) {
            Some(i) => i as u32,
            None => {
                shapes.push(shape.clone());
                (shapes.len() - 1) as u32
            }
        };
        let (mut fast, mut general) = (0, 0);
        for case in 0..3000 {
            let table = &tables[rng.below(3) as usize];
            let expiry = |rng: &mut Lcg| match rng.below(4) {
                0 => Some(Expiry { ttl: 100, local_expiration_time: now_s + 100 }),
                1 => Some(Expiry { ttl: 100, local_expiration_time: now_s - 1 }),
                _ => None,
            };
            let ts = 1000 + rng.below(2) as i64;
            let clustering = if table.clustering.is_empty() || rng.below(8) == 0 { vec![] } else { vec![Bytes::from(vec![1u8; 1 + rng.below(4) as usize])] };
            let mut m = Mutation::new(Arc::clone(table), vec![Bytes::from(vec![7u8; 1 + rng.below(2400) as usize])], clustering);
            if rng.below(6) != 0 {
                m.liveness = Some(Liveness { timestamp: 1000, expiry: expiry(&mut rng) });
            }
            for (column, spec) in columns.iter().enumerate() {
                let rare = spec.is_static || spec.kind == ColumnKind::List;
                let keep = if rare { rng.below(12) == 0 } else { rng.below(5) != 0 };
                if !keep {
                    continue;
                }
                let value = Bytes::from(vec![3u8; rng.below(600) as usize]);
                let value = if spec.kind == ColumnKind::List { CellValue::Element { path: Bytes::from_static(b"p"), value } } else { CellValue::Simple(value) };
                let expiry = if rng.below(4) != 0 { m.liveness.and_then(|l| l.expiry) } else { expiry(&mut rng) };
                m.cells.push(Cell { column, timestamp: if rng.below(8) == 0 { ts } else { 1000 }, expiry, value });
            }
            if rng.below(5) == 0 {
                m.deletions.push(Deletion::Row { timestamp: 5 });
            }
            let opts = PlanOptions { write_deletes: rng.below(2) == 0, max_row_bytes: if rng.below(4) == 0 { 1500 } else { 1 << 20 }, keyspaces_limits: rng.below(2) == 0 };

            let plan = plan_mutation(&m, now_ms, &opts);
            let mut want = PlannedGroup::new(1, None);
            let sendable = plan.reject.is_none() && !plan.statements.is_empty();
            if sendable {
                want.push(0, &m, plan.statements.clone(), plan.row_bytes, |_, st| (id_of(&st.shape), crate::write::batch::batchable(&st.shape)));
            }
            let Some(insert) = simple_insert(&m, now_ms, &opts) else {
                general += 1;
                continue;
            };
            fast += 1;
            assert!(sendable && plan.expired == 0 && plan.unsupported.is_empty(), "case {case}: {m:?} planned as {plan:?}");
            assert_eq!(insert.deletions_skipped, plan.deletions_skipped, "case {case}");
            let shape = Shape::Insert { columns: m.cells.iter().map(|c| c.column as u16).collect(), ttl: insert.ttl.is_some(), clustering: !m.clustering.is_empty() };
            let mut got = PlannedGroup::new(1, None);
            got.push_insert(0, &m, &insert, id_of(&shape));
            assert_eq!(got, want, "case {case}: {m:?}");
        }
        assert!(fast > 300 && general > 300, "both paths exercised: {fast} fast, {general} general");
    }
}
