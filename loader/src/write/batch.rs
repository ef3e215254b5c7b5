//! Unlogged batches of one partition's rows: which rows of a submitted group go out
//! together as one request, and which are sent alone.
//!
//! Why: each request costs the client a fixed amount (a task, framing, a wake-up, a
//! response) whatever it carries, so a partition's ten rows sent as one request cost about a
//! tenth. A single-partition unlogged batch is applied by its replicas as one mutation, is not
//! written to the batchlog, and is exempt from Cassandra's batch size thresholds (those apply
//! to batches spanning partitions); Amazon Keyspaces takes up to 30 statements per batch.
//!
//! Statements keep their own `USING TIMESTAMP` and TTL inside a batch, so a batch leaves
//! exactly the cells its statements would leave sent one by one. Two kinds are sent alone:
//! - list appends: the coordinator gives each appended element a path from its clock, and the
//!   order of statements inside a batch is not promised, so the source order could be lost;
//! - counter additions: not idempotent (never retried), and they need a `COUNTER` batch.

use std::ops::Range;
use std::sync::Arc;

use super::mutation::Mutation;
use super::shape::{AssignOp, Shape};
use super::statement::Statement;

/// Most statements one batch carries (Amazon Keyspaces' limit).
pub const DEFAULT_BATCH_STATEMENTS: u16 = 30;

/// Most bound bytes one batch carries: far under the native protocol's frame limit and
/// Keyspaces' 1 MB row limit, so one oversized batch never hides a row that alone is fine.
pub const MAX_BATCH_BYTES: usize = 512 * 1024;

/// A row whose statements are planned, ready to send.
#[derive(Debug)]
pub struct PlannedRow {
    /// The row.
    pub mutation: Mutation,
    /// Its statements, in order.
    pub statements: Vec<Statement>,
    /// Its encoded size (Keyspaces estimate).
    pub row_bytes: usize,
}

impl PlannedRow {
    /// Estimated write units of all its statements.
    pub fn write_units(&self) -> u32 {
        self.statements.iter().map(|s| s.write_units).sum()
    }

    /// Bytes its statements bind (the bulk of the request).
    fn bound_bytes(&self) -> usize {
        self.statements.iter().flat_map(|s| &s.values).map(|v| v.len() + 4).sum()
    }

    /// Whether its statements, binding `bytes`, may share a batch with other rows' (see the
    /// module doc).
    fn batchable(&self, bytes: usize, max_statements: usize) -> bool {
        self.statements.len() <= max_statements
            && bytes <= MAX_BATCH_BYTES
            && self.statements.iter().all(|s| match &s.shape {
                Shape::CounterAdd { .. } => false,
                Shape::Update { assignments, .. } => assignments.iter().all(|a| a.op != AssignOp::ListAppend),
                _ => true,
            })
    }

    /// Whether both rows are of one partition of one table.
    pub fn same_partition(&self, other: &PlannedRow) -> bool {
        Arc::ptr_eq(&self.mutation.table, &other.mutation.table) && self.mutation.partition_key == other.mutation.partition_key
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

/// Splits `rows` into requests, in row order: consecutive batchable rows of one partition
/// share a batch of at most `max_statements` statements and [`MAX_BATCH_BYTES`]; a row of a
/// single statement with no company is sent alone. `max_statements` ≤ 1 sends every row alone.
pub fn requests(rows: &[PlannedRow], max_statements: usize) -> Vec<Request> {
    let mut out = Vec::new();
    let mut open: Option<(Range<usize>, usize, usize)> = None; // rows, statements, bytes
    let close = |open: &mut Option<(Range<usize>, usize, usize)>, out: &mut Vec<Request>| {
        if let Some((range, statements, _)) = open.take() {
            out.push(if statements > 1 { Request::Batch(range) } else { Request::Alone(range.start) });
        }
    };
    for (i, row) in rows.iter().enumerate() {
        let (n, bytes) = (row.statements.len(), row.bound_bytes());
        if max_statements <= 1 || !row.batchable(bytes, max_statements) {
            close(&mut open, &mut out);
            out.push(Request::Alone(i));
            continue;
        }
        if let Some((range, statements, size)) = &open {
            if !rows[range.start].same_partition(row) || statements + n > max_statements || size + bytes > MAX_BATCH_BYTES {
                close(&mut open, &mut out);
            }
        }
        match &mut open {
            Some((range, statements, size)) => {
                range.end = i + 1;
                *statements += n;
                *size += bytes;
            }
            None => open = Some((i..i + 1, n, bytes)),
        }
    }
    close(&mut open, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::write::mutation::{ColumnKind, ColumnSpec, TargetTable};
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

    fn row(table: &Arc<TargetTable>, pk: &'static [u8], statements: Vec<Statement>) -> PlannedRow {
        PlannedRow { mutation: Mutation::new(Arc::clone(table), vec![Bytes::from_static(pk)], vec![Bytes::from_static(b"c")]), statements, row_bytes: 10 }
    }

    #[test]
    fn one_partitions_rows_share_a_batch_up_to_the_statement_limit() {
        let t = table();
        let rows: Vec<_> = (0..7).map(|_| row(&t, b"a", vec![insert()])).collect();
        assert_eq!(requests(&rows, 3), vec![Request::Batch(0..3), Request::Batch(3..6), Request::Alone(6)]);
        assert_eq!(requests(&rows, 30), vec![Request::Batch(0..7)]);
    }

    #[test]
    fn a_new_partition_or_table_starts_a_new_batch() {
        let (t, u) = (table(), table());
        let rows = vec![row(&t, b"a", vec![insert()]), row(&t, b"a", vec![insert()]), row(&t, b"b", vec![insert()]), row(&u, b"b", vec![insert()])];
        assert_eq!(requests(&rows, 30), vec![Request::Batch(0..2), Request::Alone(2), Request::Alone(3)]);
    }

    #[test]
    fn a_lone_row_of_several_statements_is_one_batch() {
        let t = table();
        let rows = vec![row(&t, b"a", vec![insert(), update(AssignOp::Set, 0)])];
        assert_eq!(requests(&rows, 30), vec![Request::Batch(0..1)]);
        assert_eq!(requests(&rows, 1), vec![Request::Alone(0)], "batches off");
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
        assert_eq!(requests(&rows, 30), vec![Request::Batch(0..2), Request::Alone(2), Request::Alone(3), Request::Alone(4), Request::Batch(5..6)]);
    }

    #[test]
    fn batches_stay_under_the_byte_limit_and_big_rows_go_alone() {
        let t = table();
        let big = |n| row(&t, b"a", vec![statement(Shape::Insert { columns: vec![0], ttl: false, clustering: true }, n)]);
        let rows = vec![big(MAX_BATCH_BYTES / 2), big(MAX_BATCH_BYTES / 2), big(MAX_BATCH_BYTES + 1), big(10)];
        assert_eq!(requests(&rows, 30), vec![Request::Alone(0), Request::Alone(1), Request::Alone(2), Request::Alone(3)]);
    }

    #[test]
    fn a_row_with_more_statements_than_a_batch_holds_goes_alone() {
        let t = table();
        let rows = vec![row(&t, b"a", vec![insert()]), row(&t, b"a", (0..4).map(|_| update(AssignOp::Set, 0)).collect()), row(&t, b"a", vec![insert()])];
        assert_eq!(requests(&rows, 3), vec![Request::Alone(0), Request::Alone(1), Request::Alone(2)]);
    }
}
