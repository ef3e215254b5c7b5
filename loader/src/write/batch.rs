//! Unlogged batches: which rows of a submitted group go out together as one request, and
//! which are sent alone.
//!
//! Why: each request costs the client a fixed amount (a task, framing, a wake-up, a
//! response) whatever it carries, so thirty rows sent as one request cost about a thirtieth.
//! A single-partition unlogged batch is applied by its replicas as one mutation, is not
//! written to the batchlog, and is exempt from Cassandra's batch size thresholds. A batch may
//! also span partitions whose replicas are the same (the group's *route*, see
//! `Writer::route`), so its coordinator is a replica of every row; Cassandra then checks it
//! against `batch_size_warn_threshold` (5 KiB of mutation data) and
//! `unlogged_batch_across_partitions_warn_threshold` (10 partitions), and such batches stay
//! under both ([`MAX_MULTI_PARTITION_BATCH_SIZE`], [`DEFAULT_BATCH_PARTITIONS`]). Amazon
//! Keyspaces takes up to 30 statements per batch, of any partitions.
//!
//! Statements keep their own `USING TIMESTAMP` and TTL inside a batch, so a batch leaves
//! exactly the cells its statements would leave sent one by one. Two kinds are sent alone:
//! - list appends: the coordinator gives each appended element a path from its clock, and the
//!   order of statements inside a batch is not promised, so the source order could be lost;
//! - counter additions: not idempotent (never retried), and they need a `COUNTER` batch.

use std::ops::Range;

use super::planned::PlannedGroup;
use super::shape::{AssignOp, Shape};

/// Most statements one batch carries (Amazon Keyspaces' limit).
pub const DEFAULT_BATCH_STATEMENTS: u16 = 30;

/// Most bound bytes one batch carries: far under the native protocol's frame limit and
/// Keyspaces' 1 MB row limit, so one oversized batch never hides a row that alone is fine.
pub const MAX_BATCH_BYTES: usize = 512 * 1024;

/// Most partitions one batch spans (Cassandra warns about unlogged batches over 10).
pub const DEFAULT_BATCH_PARTITIONS: u16 = 10;

/// Most data one batch spanning partitions carries, as Cassandra sizes it
/// (`PartitionUpdate.dataSize`: clustering values, and each cell's value plus 20 bytes of
/// timestamp, TTL and deletion time; the partition key and `USING` values do not count; see
/// `PlannedRow::cassandra_size`): under Cassandra's default `batch_size_warn_threshold` of
/// 5 KiB, so loads leave no warnings in the target's log.
pub const MAX_MULTI_PARTITION_BATCH_SIZE: usize = 5000;

/// What one request may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchLimits {
    /// Most statements (≤ 1: every row alone).
    pub statements: usize,
    /// Most partitions (1: batches never span partitions).
    pub partitions: usize,
}

/// Whether a statement of `shape` may share a batch (see the module doc).
pub fn batchable(shape: &Shape) -> bool {
    match shape {
        Shape::CounterAdd { .. } => false,
        Shape::Update { assignments, .. } => assignments.iter().all(|a| a.op != AssignOp::ListAppend),
        _ => true,
    }
}

/// One request of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// These rows' statements, all in one unlogged batch.
    Batch(Range<usize>),
    /// This row's statements one after another.
    Alone(usize),
}

/// The batch being filled by [`requests`].
struct OpenBatch {
    rows: Range<usize>,
    statements: usize,
    bytes: usize,
    partitions: usize,
    cassandra_size: usize,
}

impl OpenBatch {
    fn request(self) -> Request {
        if self.statements > 1 {
            Request::Batch(self.rows)
        } else {
            Request::Alone(self.rows.start)
        }
    }
}

/// Splits the rows of `group` into requests, in row order (ranges index `group.rows`):
/// consecutive batchable rows share a batch of at most `limits.statements` statements and
/// [`MAX_BATCH_BYTES`], of one partition, or, when the group has a route (all its rows have
/// the same replicas), of up to
/// `limits.partitions` partitions and [`MAX_MULTI_PARTITION_BATCH_SIZE`]; a row of a single
/// statement with no company is sent alone.
pub fn requests(group: &PlannedGroup, limits: BatchLimits) -> Vec<Request> {
    let rows = &group.rows;
    let max_partitions = if group.route.is_some() { limits.partitions.max(1) } else { 1 };
    let mut out = Vec::new();
    let mut open: Option<OpenBatch> = None;
    for (i, row) in rows.iter().enumerate() {
        let (n, bytes) = (row.statement_count(), row.bound_bytes);
        if limits.statements <= 1 || !row.batchable || n > limits.statements || bytes > MAX_BATCH_BYTES {
            out.extend(open.take().map(OpenBatch::request));
            out.push(Request::Alone(i));
            continue;
        }
        let size = row.cassandra_size;
        if let Some(b) = &mut open {
            let partitions = b.partitions + usize::from(!group.same_partition(&rows[i - 1], row));
            let fits = b.statements + n <= limits.statements
                && b.bytes + bytes <= MAX_BATCH_BYTES
                && partitions <= max_partitions
                && (partitions == 1 || b.cassandra_size + size <= MAX_MULTI_PARTITION_BATCH_SIZE);
            if fits {
                b.rows.end = i + 1;
                b.statements += n;
                b.bytes += bytes;
                b.partitions = partitions;
                b.cassandra_size += size;
                continue;
            }
            out.extend(open.take().map(OpenBatch::request));
        }
        open = Some(OpenBatch { rows: i..i + 1, statements: n, bytes, partitions: 1, cassandra_size: size });
    }
    out.extend(open.map(OpenBatch::request));
    out
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use std::sync::Arc;

    use super::*;
    use crate::write::mutation::{ColumnKind, ColumnSpec, Mutation, TargetTable};
    use crate::write::statement::Statement;
    use crate::write::shape::Assignment;
    use crate::write::value::BoundValue;

    /// `(pk, ck)` with a simple column, a list and a counter (batching looks at shapes only).
    fn table() -> Arc<TargetTable> {
        let columns = [("v", ColumnKind::Simple), ("l", ColumnKind::List), ("c", ColumnKind::Counter)].map(|(n, k)| ColumnSpec::new(n, k));
        Arc::new(TargetTable::new("ks", "t", vec![ColumnSpec::key("pk")], vec![ColumnSpec::key("ck")], columns.into()))
    }

    fn statement(shape: Shape, bytes: usize) -> Statement {
        Statement { shape, values: vec![BoundValue::Raw(Bytes::from(vec![0u8; bytes]))], write_units: 1 }
    }

    fn insert() -> Statement {
        statement(Shape::Insert { columns: vec![0], ttl: false, clustering: true }, 8)
    }

    fn update(op: AssignOp, column: u16) -> Statement {
        statement(Shape::Update { assignments: vec![Assignment { column, op }], ttl: false, clustering: true }, 8)
    }

    fn limits(statements: usize, partitions: usize) -> BatchLimits {
        BatchLimits { statements, partitions }
    }

    fn row(table: &Arc<TargetTable>, pk: &'static [u8], statements: Vec<Statement>) -> (Mutation, Vec<Statement>) {
        (Mutation::new(Arc::clone(table), vec![Bytes::from_static(pk)], vec![Bytes::from_static(b"c")]), statements)
    }

    /// The rows packed as the writer packs them; `same_route`: all of one route.
    fn group(rows: &[(Mutation, Vec<Statement>)], same_route: bool) -> PlannedGroup {
        let mut g = PlannedGroup::new(rows.len(), same_route.then_some(0));
        for (i, (m, statements)) in rows.iter().enumerate() {
            g.push(i, m, statements.clone(), 10, |_, st| (0, batchable(&st.shape)));
        }
        g
    }

    #[test]
    fn one_partitions_rows_share_a_batch_up_to_the_statement_limit() {
        let t = table();
        let rows: Vec<_> = (0..7).map(|_| row(&t, b"a", vec![insert()])).collect();
        assert_eq!(requests(&group(&rows, false), limits(3, 1)), vec![Request::Batch(0..3), Request::Batch(3..6), Request::Alone(6)]);
        assert_eq!(requests(&group(&rows, false), limits(30, 1)), vec![Request::Batch(0..7)]);
    }

    #[test]
    fn a_new_partition_or_table_starts_a_new_batch() {
        let (t, u) = (table(), table());
        let rows = vec![row(&t, b"a", vec![insert()]), row(&t, b"a", vec![insert()]), row(&t, b"b", vec![insert()]), row(&u, b"b", vec![insert()])];
        assert_eq!(requests(&group(&rows, false), limits(30, 1)), vec![Request::Batch(0..2), Request::Alone(2), Request::Alone(3)]);
    }

    #[test]
    fn a_lone_row_of_several_statements_is_one_batch() {
        let t = table();
        let rows = vec![row(&t, b"a", vec![insert(), update(AssignOp::Set, 0)])];
        assert_eq!(requests(&group(&rows, false), limits(30, 1)), vec![Request::Batch(0..1)]);
        assert_eq!(requests(&group(&rows, false), limits(1, 1)), vec![Request::Alone(0)], "batches off");
    }

    #[test]
    fn list_appends_and_counters_go_alone_and_split_batches() {
        let t = table();
        let counter = statement(Shape::CounterAdd { columns: vec![2], clustering: true }, 8);
        let rows = vec![
            row(&t, b"a", vec![insert()]),
            row(&t, b"a", vec![insert()]),
            row(&t, b"a", vec![insert(), update(AssignOp::ListAppend, 1)]),
            row(&t, b"a", vec![insert()]),
            row(&t, b"a", vec![counter]),
            row(&t, b"a", vec![insert(), update(AssignOp::SetAdd, 1)]),
        ];
        assert_eq!(requests(&group(&rows, false), limits(30, 1)), vec![Request::Batch(0..2), Request::Alone(2), Request::Alone(3), Request::Alone(4), Request::Batch(5..6)]);
    }

    #[test]
    fn batches_stay_under_the_byte_limit_and_big_rows_go_alone() {
        let t = table();
        let big = |n| row(&t, b"a", vec![statement(Shape::Insert { columns: vec![0], ttl: false, clustering: true }, n)]);
        let rows = vec![big(MAX_BATCH_BYTES / 2), big(MAX_BATCH_BYTES / 2), big(MAX_BATCH_BYTES + 1), big(10)];
        assert_eq!(requests(&group(&rows, false), limits(30, 1)), vec![Request::Alone(0), Request::Alone(1), Request::Alone(2), Request::Alone(3)]);
    }

    #[test]
    fn a_row_with_more_statements_than_a_batch_holds_goes_alone() {
        let t = table();
        let rows = vec![row(&t, b"a", vec![insert()]), row(&t, b"a", (0..4).map(|_| update(AssignOp::Set, 0)).collect()), row(&t, b"a", vec![insert()])];
        assert_eq!(requests(&group(&rows, false), limits(3, 1)), vec![Request::Alone(0), Request::Alone(1), Request::Alone(2)]);
    }

    #[test]
    fn partitions_of_one_route_share_a_batch_up_to_the_partition_limit() {
        let t = table();
        let rows: Vec<_> = [b"a", b"a", b"b", b"c", b"c", b"d"].iter().map(|pk| row(&t, *pk, vec![insert()])).collect();
        assert_eq!(requests(&group(&rows, true), limits(30, 10)), vec![Request::Batch(0..6)]);
        assert_eq!(requests(&group(&rows, true), limits(30, 2)), vec![Request::Batch(0..3), Request::Batch(3..6)]);
        assert_eq!(requests(&group(&rows, false), limits(30, 10)), vec![Request::Batch(0..2), Request::Alone(2), Request::Batch(3..5), Request::Alone(5)], "no route: one partition per batch");
        assert_eq!(requests(&group(&rows, true), limits(4, 10)), vec![Request::Batch(0..4), Request::Batch(4..6)]);
    }

    #[test]
    fn batches_spanning_partitions_stay_under_cassandras_warning_size() {
        let t = table();
        // Binds pk (1 byte), ck (1 byte), an 8-byte value and a timestamp. Cassandra counts
        // the clustering value (1) and one cell (8 + 20), not the key or the timestamp.
        let full = |pk: &'static [u8]| {
            let values = vec![BoundValue::Raw(Bytes::from_static(pk)), BoundValue::Raw(Bytes::from_static(b"c")), BoundValue::Raw(Bytes::from(vec![0u8; 8])), BoundValue::BigInt(1)];
            row(&t, pk, vec![Statement { shape: Shape::Insert { columns: vec![0], ttl: false, clustering: true }, values, write_units: 1 }])
        };
        let per_row = 29;
        assert_eq!(group(&[full(b"a")], true).rows[0].cassandra_size, per_row);
        let fit = MAX_MULTI_PARTITION_BATCH_SIZE / per_row;
        let rows: Vec<_> = (0..fit + 1).map(|i| full(if i % 2 == 0 { b"a" } else { b"b" })).collect();
        assert_eq!(requests(&group(&rows, true), limits(1000, 1000)), vec![Request::Batch(0..fit), Request::Alone(fit)]);
        // One partition's rows are exempt: they share a batch however many.
        let same: Vec<_> = (0..fit + 1).map(|_| full(b"a")).collect();
        assert_eq!(requests(&group(&same, true), limits(1000, 1000)), vec![Request::Batch(0..fit + 1)]);
    }
}
