//! Turning one [`Mutation`] into the fewest CQL statements that reproduce it on the target.
//!
//! Rules (DESIGN.md, "write"):
//! - Cells are grouped by (write timestamp, remaining TTL); each group is one statement,
//!   because `USING TIMESTAMP` / `TTL` apply to a whole statement.
//! - The group matching the row's primary-key liveness (same timestamp and TTL) is an
//!   `INSERT`, which recreates the row marker; every other group is an `UPDATE`, which does
//!   not. A liveness with no cells of its own is an `INSERT` of the key alone.
//! - Non-frozen collections and UDTs are written element by element through `UPDATE` (also in
//!   the liveness group): an `INSERT` of a whole collection would add a collection tombstone
//!   at `timestamp − 1` and delete older elements written by other groups.
//! - Lists: Cassandra appends with a fresh timeuuid path taken from the coordinator's clock
//!   (`Lists.Appender`), so the source paths cannot be kept. Elements are appended in cell-path
//!   order inside a statement and groups are sent in timestamp order, which reproduces the
//!   source order whenever later elements were written later (plain appends). Prepends and
//!   set-by-index over older elements can come out in another order; the elements and their
//!   writetimes are still exact.
//! - Under Keyspaces limits (`--keyspaces-limits`): keys over 2048 B (partition) or 850 B
//!   (clustering) are rejected before sending, and no statement writes more than 225 regular
//!   columns: a larger group becomes an `INSERT` of the first 225 plus `UPDATE`s of the rest,
//!   all with the group's timestamp and TTL, so every cell keeps its own.
//! - Counters: `c = c + total`, no timestamp or TTL (Cassandra refuses both on counters).
//! - Expired cells and row markers are dropped and counted. Tombstones become `DELETE`s (and
//!   `m = m - ?` / `s = s - ?` for collection elements) only with `--write-deletes`; list
//!   element tombstones have no CQL form (lists delete by index or value, not by path) and
//!   are reported.

use std::collections::BTreeMap;

use bytes::Bytes;

use super::mutation::{Cell, CellValue, ColumnKind, Deletion, Mutation, RangeBound, TargetTable};
use super::rejects::RejectReason;
use super::row_size::{
    clustering_bytes, partition_key_bytes, RowSize, KEYSPACES_MAX_CLUSTERING_BYTES, KEYSPACES_MAX_COLUMNS_PER_WRITE,
    KEYSPACES_MAX_PARTITION_KEY_BYTES, KEYSPACES_MAX_ROW_BYTES,
};
use super::shape::{AssignOp, Assignment, Shape, SliceSide};
use super::ttl::{remaining_ttl, RemainingTtl};
use super::value::{serialize_elements, serialize_entries, BoundValue};

/// Options that change which statements a mutation becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanOptions {
    /// Write tombstones as `DELETE`s (`--write-deletes`).
    pub write_deletes: bool,
    /// Rows whose encoded size exceeds this are rejected (Keyspaces: 1 MB).
    pub max_row_bytes: usize,
    /// The target enforces Amazon Keyspaces' key-size and columns-per-write limits
    /// (`--keyspaces-limits`): check keys before sending, split wide statements. Off for
    /// Cassandra and ScyllaDB, which have neither limit.
    pub keyspaces_limits: bool,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions { write_deletes: false, max_row_bytes: KEYSPACES_MAX_ROW_BYTES, keyspaces_limits: false }
    }
}

impl PlanOptions {
    /// Most regular columns one statement may write.
    pub fn max_columns(&self) -> usize {
        if self.keyspaces_limits {
            KEYSPACES_MAX_COLUMNS_PER_WRITE
        } else {
            usize::MAX
        }
    }
}

/// One statement ready to execute: its shape (prepared once per table) and bound values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The shape, which with the table gives the CQL text.
    pub shape: Shape,
    /// Values in the shape's bind-marker order.
    pub values: Vec<BoundValue>,
    /// Estimated Keyspaces write units of this statement.
    pub write_units: u32,
}


/// What a mutation becomes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatementPlan {
    /// Statements to send, in order.
    pub statements: Vec<Statement>,
    /// Cells and row markers dropped because they had expired.
    pub expired: u64,
    /// Tombstones not written (no `--write-deletes`).
    pub deletions_skipped: u64,
    /// Encoded size of the row as written (Keyspaces estimate).
    pub row_bytes: usize,
    /// Set when the row cannot be written at all; `statements` is then empty.
    pub reject: Option<(RejectReason, String)>,
    /// Parts that cannot be expressed in CQL and were left out (reported as rejects while
    /// the rest of the row is written).
    pub unsupported: Vec<String>,
}

/// Group key: statements carry one timestamp and one TTL.
type GroupKey = (i64, RemainingTtl);

/// The cells of group `key`, made empty if new. Groups stay in key order; a row has few of
/// them, so a sorted `Vec` costs less than a map (one allocation per row, not per node).
fn group_mut<'g, 'c>(groups: &'g mut Vec<(GroupKey, Vec<&'c Cell>)>, key: GroupKey) -> &'g mut Vec<&'c Cell> {
    let i = match groups.binary_search_by(|(k, _)| k.cmp(&key)) {
        Ok(i) => i,
        Err(i) => {
            groups.insert(i, (key, Vec::new()));
            i
        }
    };
    &mut groups[i].1
}

/// Builds the statements of `m` at `now_ms` (milliseconds since the epoch).
pub fn plan_mutation(m: &Mutation, now_ms: i64, opts: &PlanOptions) -> StatementPlan {
    let mut plan = StatementPlan::default();
    let table = &*m.table;
    if m.partition_key.len() != table.partition_key.len() {
        plan.reject = Some((
            RejectReason::InvalidKey,
            format!("{} partition key values for {} key columns", m.partition_key.len(), table.partition_key.len()),
        ));
        return plan;
    }
    let has_clustering = !m.clustering.is_empty();
    if has_clustering && m.clustering.len() != table.clustering.len() {
        plan.reject = Some((
            RejectReason::InvalidKey,
            format!("{} clustering values for {} clustering columns", m.clustering.len(), table.clustering.len()),
        ));
        return plan;
    }
    if opts.keyspaces_limits {
        if let Some(why) = key_over_limits(m) {
            plan.reject = Some((RejectReason::InvalidKey, why));
            return plan;
        }
    }
    // A fragment without clustering in a table that has clustering columns is the static row
    // (or partition-level deletions): only static columns can be set there.
    let static_row = !has_clustering && !table.clustering.is_empty();
    for c in &m.cells {
        let Some(spec) = table.columns.get(c.column) else {
            plan.reject = Some((RejectReason::Invalid, format!("cell names column #{} of {}", c.column, table.columns.len())));
            return plan;
        };
        if static_row && !spec.is_static {
            plan.reject = Some((RejectReason::InvalidKey, format!("regular column {:?} without clustering values", spec.name)));
            return plan;
        }
    }

    let (ncols, key_size) = key_size(m);

    // Liveness: an INSERT is only possible for full rows (and tables without clustering).
    let liveness_key: Option<GroupKey> = match m.liveness {
        Some(l) if !static_row => match remaining_ttl(l.expiry, now_ms) {
            RemainingTtl::Expired => {
                plan.expired += 1;
                None
            }
            ttl => Some((l.timestamp, ttl)),
        },
        _ => None,
    };

    let mut groups: Vec<(GroupKey, Vec<&Cell>)> = Vec::new();
    let mut counters: Vec<&Cell> = Vec::new();
    let mut lists: Vec<Vec<(GroupKey, &Cell)>> = Vec::new();
    for c in &m.cells {
        if let CellValue::Counter(_) = c.value {
            counters.push(c);
            continue;
        }
        match remaining_ttl(c.expiry, now_ms) {
            RemainingTtl::Expired => plan.expired += 1,
            ttl if table.columns[c.column].kind == ColumnKind::List => match lists.last_mut() {
                Some(l) if l[0].1.column == c.column => l.push(((c.timestamp, ttl), c)),
                _ => lists.push(vec![((c.timestamp, ttl), c)]),
            },
            ttl => group_mut(&mut groups, (c.timestamp, ttl)).push(c),
        }
    }
    // The target orders list elements by when they are appended, so a list's elements must be
    // appended in their source order. Grouped statements go out in (timestamp, TTL) order:
    // lists whose runs of equal (timestamp, TTL) already come in that order join the groups;
    // the others are appended run by run, in order, after them.
    let mut ordered_lists: Vec<Vec<(GroupKey, Vec<&Cell>)>> = Vec::new();
    for list in lists {
        let mut runs: Vec<(GroupKey, Vec<&Cell>)> = Vec::new();
        for (key, c) in list {
            match runs.last_mut() {
                Some((k, cells)) if *k == key => cells.push(c),
                _ => runs.push((key, vec![c])),
            }
        }
        if runs.windows(2).all(|w| w[0].0 < w[1].0) {
            for (key, cells) in runs {
                let group = group_mut(&mut groups, key);
                group.extend(cells);
                group.sort_by_key(|c| c.column); // stable: path order within a column stays
            }
        } else {
            ordered_lists.push(runs);
        }
    }
    if let Some(k) = liveness_key {
        group_mut(&mut groups, k);
    }

    let mut row_size = key_size;
    let keys = || m.partition_key.iter().chain(m.clustering.iter()).map(|v| BoundValue::Raw(v.clone()));
    let max_columns = opts.max_columns();
    for ((timestamp, ttl), cells) in &groups {
        let ttl_value = ttl_binding(*ttl, table, now_ms);
        let (simple, multi): (Vec<&Cell>, Vec<&Cell>) =
            cells.iter().partition(|c| !table.columns[c.column].kind.is_multi_cell());
        let is_insert = liveness_key == Some((*timestamp, *ttl));
        let mut rest: &[&Cell] = &simple;
        if is_insert {
            // The INSERT carries the row marker and as many simple cells as one write may.
            let (inserted, more) = simple.split_at(simple.len().min(max_columns));
            rest = more;
            let mut size = key_size;
            let mut values: Vec<BoundValue> = keys().collect();
            let mut columns = Vec::with_capacity(inserted.len());
            for c in inserted {
                let v = simple_value(c);
                size.column(v.len(), ncols);
                row_size.column(v.len(), ncols);
                columns.push(c.column as u16);
                values.push(BoundValue::Raw(v));
            }
            values.push(BoundValue::BigInt(*timestamp));
            values.extend(ttl_value.clone());
            plan.statements.push(Statement {
                shape: Shape::Insert { columns, ttl: ttl_value.is_some(), clustering: has_clustering },
                values,
                write_units: size.write_units(),
            });
        }
        if rest.is_empty() && multi.is_empty() {
            continue;
        }
        // The rest of the group: UPDATEs of at most `max_columns` columns each, simple cells
        // first, then multi-cell columns (a column's elements stay in one statement).
        let new_update = || UpdateBuilder::new(*timestamp, ttl_value.clone(), key_size);
        let finish = |u: UpdateBuilder| u.finish(keys(), ttl_value.is_some(), has_clustering);
        let mut update = new_update();
        for c in rest {
            if update.columns >= max_columns {
                plan.statements.extend(finish(std::mem::replace(&mut update, new_update())));
            }
            let v = simple_value(c);
            update.size.column(v.len(), ncols);
            row_size.column(v.len(), ncols);
            update.columns += 1;
            update.assignments.push(Assignment { column: c.column as u16, op: AssignOp::Set });
            update.values.push(BoundValue::Raw(v));
        }
        // Multi-cell columns: cells of one column are contiguous and in path order.
        let mut i = 0;
        while i < multi.len() {
            let column = multi[i].column;
            let mut j = i;
            while j < multi.len() && multi[j].column == column {
                j += 1;
            }
            if update.columns >= max_columns {
                plan.statements.extend(finish(std::mem::replace(&mut update, new_update())));
            }
            update.columns += 1;
            let elements = &multi[i..j];
            for c in elements {
                let (path, value) = element(c);
                update.size.column(path.len() + value.len(), ncols);
                row_size.column(path.len() + value.len(), ncols);
            }
            let col = column as u16;
            let (assignments, values) = (&mut update.assignments, &mut update.values);
            match &table.columns[column].kind {
                ColumnKind::Map => {
                    assignments.push(Assignment { column: col, op: AssignOp::MapAdd });
                    values.push(BoundValue::Raw(serialize_entries(elements.iter().map(|c| element(c)).map(|(p, v)| (&p[..], &v[..])))));
                }
                ColumnKind::Set => {
                    assignments.push(Assignment { column: col, op: AssignOp::SetAdd });
                    values.push(BoundValue::Raw(serialize_elements(elements.iter().map(|c| &element(c).0[..]))));
                }
                ColumnKind::List => {
                    assignments.push(Assignment { column: col, op: AssignOp::ListAppend });
                    values.push(BoundValue::Raw(serialize_elements(elements.iter().map(|c| &element(c).1[..]))));
                }
                ColumnKind::Udt { fields } => {
                    for c in elements {
                        let (path, value) = element(c);
                        match udt_field(path, fields.len()) {
                            Some(f) => {
                                assignments.push(Assignment { column: col, op: AssignOp::UdtField(f) });
                                values.push(BoundValue::Raw(value.clone()));
                            }
                            None => {
                                plan.statements.clear();
                                plan.reject = Some((
                                    RejectReason::Invalid,
                                    format!("UDT column {:?}: cell path {} is not a field position", table.columns[column].name, hex(path)),
                                ));
                                return plan;
                            }
                        }
                    }
                }
                ColumnKind::Simple | ColumnKind::Counter => unreachable!("partitioned as multi-cell"),
            }
            i = j;
        }
        plan.statements.extend(finish(update));
    }
    for runs in &ordered_lists {
        for ((timestamp, ttl), cells) in runs {
            let ttl_value = ttl_binding(*ttl, table, now_ms);
            let mut size = key_size;
            for c in cells {
                let (path, value) = element(c);
                size.column(path.len() + value.len(), ncols);
                row_size.column(path.len() + value.len(), ncols);
            }
            let mut values = vec![BoundValue::BigInt(*timestamp)];
            values.extend(ttl_value.clone());
            values.push(BoundValue::Raw(serialize_elements(cells.iter().map(|c| &element(c).1[..]))));
            values.extend(keys());
            plan.statements.push(Statement {
                shape: Shape::Update { assignments: vec![Assignment { column: cells[0].column as u16, op: AssignOp::ListAppend }], ttl: ttl_value.is_some(), clustering: has_clustering },
                values,
                write_units: size.write_units(),
            });
        }
    }

    for counters in counters.chunks(max_columns) {
        let mut size = key_size;
        let mut values = Vec::with_capacity(counters.len() + m.partition_key.len() + m.clustering.len());
        let mut columns = Vec::with_capacity(counters.len());
        for c in counters {
            if let CellValue::Counter(v) = c.value {
                size.column(8, ncols);
                row_size.column(8, ncols);
                columns.push(c.column as u16);
                values.push(BoundValue::BigInt(v));
            }
        }
        values.extend(keys());
        plan.statements.push(Statement {
            shape: Shape::CounterAdd { columns, clustering: has_clustering },
            values,
            write_units: size.write_units(),
        });
    }

    if opts.write_deletes {
        plan_deletions(m, key_size, ncols, max_columns, &mut plan);
    } else {
        plan.deletions_skipped += m.deletions.len() as u64;
    }

    plan.row_bytes = row_size.bytes();
    if plan.row_bytes > opts.max_row_bytes {
        plan.statements.clear();
        plan.reject = Some((
            RejectReason::TooLarge,
            format!("row of about {} bytes exceeds the {} byte limit", plan.row_bytes, opts.max_row_bytes),
        ));
    }
    plan
}

/// The plan of the commonest row, worked out without building it: a row written by one
/// `INSERT` (its row marker and every cell share one timestamp and TTL, all cells simple).
/// Its statement is `INSERT` of the cells' columns in cell order, binding the keys, the cell
/// values, the timestamp and then `ttl`: exactly what [`plan_mutation`] plans for the row
/// (tested), so the writer may pack it without the plan's vectors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleInsert {
    /// The statement's timestamp.
    pub timestamp: i64,
    /// Its `TTL` binding, if any.
    pub ttl: Option<BoundValue>,
    /// Its estimated write units.
    pub write_units: u32,
    /// The row's encoded size.
    pub row_bytes: usize,
    /// Tombstones not written (no `--write-deletes`).
    pub deletions_skipped: u64,
}

/// `m`'s plan when `m` is a [`SimpleInsert`] row whose plan has nothing to reject; `None`
/// for every other row (then [`plan_mutation`]).
pub fn simple_insert(m: &Mutation, now_ms: i64, opts: &PlanOptions) -> Option<SimpleInsert> {
    let table = &*m.table;
    let full_key = m.partition_key.len() == table.partition_key.len() && m.clustering.len() == table.clustering.len();
    let liveness = m.liveness?;
    if !full_key || (opts.write_deletes && !m.deletions.is_empty()) || m.cells.len() > opts.max_columns() {
        return None;
    }
    if opts.keyspaces_limits && key_over_limits(m).is_some() {
        return None;
    }
    let ttl = remaining_ttl(liveness.expiry, now_ms);
    if ttl == RemainingTtl::Expired {
        return None;
    }
    let (ncols, mut size) = key_size(m);
    for c in &m.cells {
        let CellValue::Simple(v) = &c.value else { return None };
        let simple = table.columns.get(c.column).is_some_and(|spec| spec.kind == ColumnKind::Simple && !spec.is_static);
        if !simple || c.timestamp != liveness.timestamp || remaining_ttl(c.expiry, now_ms) != ttl {
            return None;
        }
        size.column(v.len(), ncols);
    }
    let row_bytes = size.bytes();
    if row_bytes > opts.max_row_bytes {
        return None;
    }
    Some(SimpleInsert {
        timestamp: liveness.timestamp,
        ttl: ttl_binding(ttl, table, now_ms),
        write_units: size.write_units(),
        row_bytes,
        deletions_skipped: if opts.write_deletes { 0 } else { m.deletions.len() as u64 },
    })
}

/// The encoded size of `m`'s partition key.
fn partition_key_size(m: &Mutation) -> RowSize {
    let mut size = RowSize::new();
    for v in m.partition_key.iter() {
        size.partition_key(v.len());
    }
    size
}

/// The table's column count (all kinds) and the encoded size of `m`'s key.
fn key_size(m: &Mutation) -> (usize, RowSize) {
    let table = &*m.table;
    let mut size = partition_key_size(m);
    for v in &m.clustering {
        size.clustering(v.len());
    }
    (table.partition_key.len() + table.clustering.len() + table.columns.len(), size)
}

/// An `UPDATE` of one (timestamp, TTL) group being filled, at most a statement's worth of
/// columns.
struct UpdateBuilder {
    assignments: Vec<Assignment>,
    /// Timestamp, TTL, then one value per assignment; keys are appended by `finish`.
    values: Vec<BoundValue>,
    size: RowSize,
    /// Distinct columns written so far (a UDT's fields count as one column).
    columns: usize,
}

impl UpdateBuilder {
    fn new(timestamp: i64, ttl: Option<BoundValue>, key_size: RowSize) -> Self {
        let mut values = vec![BoundValue::BigInt(timestamp)];
        values.extend(ttl);
        UpdateBuilder { assignments: Vec::new(), values, size: key_size, columns: 0 }
    }

    /// The statement, or `None` when nothing was assigned.
    fn finish(mut self, keys: impl Iterator<Item = BoundValue>, ttl: bool, clustering: bool) -> Option<Statement> {
        if self.assignments.is_empty() {
            return None;
        }
        self.values.extend(keys);
        Some(Statement {
            shape: Shape::Update { assignments: self.assignments, ttl, clustering },
            values: self.values,
            write_units: self.size.write_units(),
        })
    }
}

/// Why `m`'s key breaks Keyspaces' key size limits (sizes as `row_size` encodes them), if it
/// does: the target would refuse every statement of the row.
fn key_over_limits(m: &Mutation) -> Option<String> {
    let pk = partition_key_bytes(m.partition_key.iter().map(|v| &v[..]));
    if pk > KEYSPACES_MAX_PARTITION_KEY_BYTES {
        return Some(format!(
            "partition key of about {pk} encoded bytes exceeds the Keyspaces limit of {KEYSPACES_MAX_PARTITION_KEY_BYTES} bytes"
        ));
    }
    let ck = clustering_bytes(m.clustering.iter().map(|v| &v[..]));
    if ck > KEYSPACES_MAX_CLUSTERING_BYTES {
        return Some(format!(
            "clustering columns of about {ck} encoded bytes exceed the Keyspaces limit of {KEYSPACES_MAX_CLUSTERING_BYTES} bytes"
        ));
    }
    None
}

fn plan_deletions(m: &Mutation, key_size: RowSize, ncols: usize, max_columns: usize, plan: &mut StatementPlan) {
    let table = &*m.table;
    let has_clustering = !m.clustering.is_empty();
    let pk = || m.partition_key.iter().map(|v| BoundValue::Raw(v.clone()));
    let keys = || m.partition_key.iter().chain(m.clustering.iter()).map(|v| BoundValue::Raw(v.clone()));
    // Cell and element deletions sharing a timestamp go into one statement each.
    let mut columns_by_ts: BTreeMap<i64, Vec<u16>> = BTreeMap::new();
    let mut removals_by_ts: BTreeMap<i64, BTreeMap<usize, Vec<&Bytes>>> = BTreeMap::new();
    for d in &m.deletions {
        match d {
            Deletion::Partition { timestamp } => {
                let mut values = vec![BoundValue::BigInt(*timestamp)];
                values.extend(pk());
                plan.statements.push(Statement { shape: Shape::DeleteRows { clustering: false }, values, write_units: partition_key_size(m).write_units() });
            }
            Deletion::Row { timestamp } => {
                if !has_clustering && !table.clustering.is_empty() {
                    plan.unsupported.push("row deletion without clustering values".into());
                    continue;
                }
                let mut values = vec![BoundValue::BigInt(*timestamp)];
                values.extend(keys());
                plan.statements.push(Statement { shape: Shape::DeleteRows { clustering: has_clustering }, values, write_units: key_size.write_units() });
            }
            Deletion::Range { start, end, timestamp } => match range_delete(start.as_ref(), end.as_ref(), table.clustering.len()) {
                Ok(Some((shape, bound_values))) => {
                    let mut values = vec![BoundValue::BigInt(*timestamp)];
                    values.extend(pk());
                    let mut size = partition_key_size(m);
                    for v in &bound_values {
                        size.clustering(v.len());
                    }
                    values.extend(bound_values.into_iter().map(BoundValue::Raw));
                    plan.statements.push(Statement { shape, values, write_units: size.write_units() });
                }
                Ok(None) => {} // an empty range deletes nothing
                Err(why) => plan.unsupported.push(why),
            },
            Deletion::Column { column, timestamp } => match table.columns.get(*column) {
                Some(_) => columns_by_ts.entry(*timestamp).or_default().push(*column as u16),
                None => plan.unsupported.push(format!("deletion of unknown column #{column}")),
            },
            Deletion::Element { column, path, timestamp } => match table.columns.get(*column).map(|c| &c.kind) {
                Some(ColumnKind::Map | ColumnKind::Set | ColumnKind::Udt { .. }) => {
                    removals_by_ts.entry(*timestamp).or_default().entry(*column).or_default().push(path)
                }
                Some(ColumnKind::List) => plan.unsupported.push(format!(
                    "list {:?}: an element tombstone (path {}) has no CQL form",
                    table.columns[*column].name,
                    hex(path)
                )),
                _ => plan.unsupported.push(format!("element deletion on non-collection column #{column}")),
            },
        }
    }
    for (timestamp, columns) in columns_by_ts {
        for columns in columns.chunks(max_columns) {
            let mut size = key_size;
            for _ in columns {
                size.column(0, ncols);
            }
            let mut values = vec![BoundValue::BigInt(timestamp)];
            values.extend(keys());
            let shape = Shape::DeleteColumns { columns: columns.to_vec(), clustering: has_clustering };
            plan.statements.push(Statement { shape, values, write_units: size.write_units() });
        }
    }
    for (timestamp, by_column) in removals_by_ts {
        let mut size = key_size;
        let mut assignments = Vec::new();
        let mut values = vec![BoundValue::BigInt(timestamp)];
        for (column, paths) in by_column {
            let col = column as u16;
            for p in &paths {
                size.column(p.len(), ncols);
            }
            match &table.columns[column].kind {
                ColumnKind::Map => {
                    assignments.push(Assignment { column: col, op: AssignOp::MapRemove });
                    values.push(BoundValue::Raw(serialize_elements(paths.iter().map(|p| &p[..]))));
                }
                ColumnKind::Set => {
                    assignments.push(Assignment { column: col, op: AssignOp::SetRemove });
                    values.push(BoundValue::Raw(serialize_elements(paths.iter().map(|p| &p[..]))));
                }
                ColumnKind::Udt { fields } => {
                    for p in paths {
                        match udt_field(p, fields.len()) {
                            Some(f) => {
                                assignments.push(Assignment { column: col, op: AssignOp::UdtField(f) });
                                values.push(BoundValue::Null);
                            }
                            None => plan.unsupported.push(format!("UDT field deletion with path {}", hex(p))),
                        }
                    }
                }
                _ => {}
            }
        }
        if !assignments.is_empty() {
            values.extend(keys());
            plan.statements.push(Statement { shape: Shape::Update { assignments, ttl: false, clustering: has_clustering }, values, write_units: size.write_units() });
        }
    }
}

/// The shape and clustering values of a range delete from `start` to `end`: the longest
/// common prefix of equal values becomes `ck = ?`, the rest a slice. `Ok(None)` for a range
/// that cannot contain any row (same prefix, an exclusive side).
fn range_delete(
    start: Option<&RangeBound>,
    end: Option<&RangeBound>,
    clustering_columns: usize,
) -> Result<Option<(Shape, Vec<Bytes>)>, String> {
    for b in [start, end].into_iter().flatten() {
        if b.prefix.is_empty() || b.prefix.len() > clustering_columns {
            return Err(format!("range bound with {} values for {} clustering columns", b.prefix.len(), clustering_columns));
        }
    }
    let eq = match (start, end) {
        (Some(s), Some(e)) => s.prefix.iter().zip(&e.prefix).take_while(|(a, b)| a == b).count(),
        _ => 0,
    };
    let mut values: Vec<Bytes> = start.or(end).map(|b| b.prefix[..eq].to_vec()).unwrap_or_default();
    let side = |b: Option<&RangeBound>| -> Option<SliceSide> {
        b.filter(|b| b.prefix.len() > eq).map(|b| SliceSide { len: (b.prefix.len() - eq) as u16, inclusive: b.inclusive })
    };
    let lower = side(start);
    let upper = side(end);
    // A side made only of the equality prefix: inclusive covers every row with that prefix
    // (no slice on that side); exclusive means "after" (start) or "before" (end) all those
    // rows, which leaves nothing between the two bounds.
    for b in [start, end].into_iter().flatten() {
        if b.prefix.len() == eq && !b.inclusive {
            return Ok(None);
        }
    }
    if let Some(s) = start {
        values.extend(s.prefix[eq..].iter().cloned());
    }
    if let Some(e) = end {
        values.extend(e.prefix[eq..].iter().cloned());
    }
    Ok(Some((Shape::DeleteRange { eq: eq as u16, lower, upper }, values)))
}

/// The TTL to bind: the remaining TTL of expiring data; `0` for data without a TTL in a
/// table with a default TTL (which would otherwise expire it); none otherwise.
fn ttl_binding(ttl: RemainingTtl, table: &TargetTable, now_ms: i64) -> Option<BoundValue> {
    match ttl {
        // Same expiry for every cell of the group: the TTL was rounded up from it.
        RemainingTtl::Seconds(s) => Some(BoundValue::ExpiresAt(now_ms.div_euclid(1000) + i64::from(s))),
        RemainingTtl::None if table.default_ttl => Some(BoundValue::Int(0)),
        _ => None,
    }
}

fn simple_value(c: &Cell) -> Bytes {
    match &c.value {
        CellValue::Simple(v) => v.clone(),
        CellValue::Element { value, .. } => value.clone(),
        CellValue::Counter(v) => Bytes::copy_from_slice(&v.to_be_bytes()),
    }
}

fn element(c: &Cell) -> (&Bytes, &Bytes) {
    static EMPTY: Bytes = Bytes::new();
    match &c.value {
        CellValue::Element { path, value } => (path, value),
        CellValue::Simple(v) => (v, &EMPTY),
        CellValue::Counter(_) => (&EMPTY, &EMPTY),
    }
}

/// A UDT cell path is the field position as a big-endian unsigned short.
fn udt_field(path: &[u8], nfields: usize) -> Option<u16> {
    let f = u16::from_be_bytes(path.try_into().ok()?);
    ((f as usize) < nfields).then_some(f)
}

/// Lower-case hex of `b`, for reports.
pub fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(2 + b.len() * 2);
    s.push_str("0x");
    sstable_reader::types::format::push_hex(&mut s, b);
    s
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::write::mutation::{ColumnSpec, Expiry, Liveness};

    const NOW_MS: i64 = 1_700_000_000_000;

    fn table() -> Arc<TargetTable> {
        Arc::new(TargetTable::new(
            "ks",
            "t",
            vec![ColumnSpec::key("pk")],
            vec![ColumnSpec::key("ck")],
            vec![
                ColumnSpec::new("a", ColumnKind::Simple),
                ColumnSpec::new("b", ColumnKind::Simple),
                ColumnSpec::new("m", ColumnKind::Map),
                ColumnSpec::new("s", ColumnKind::Set),
                ColumnSpec::new("l", ColumnKind::List),
                ColumnSpec::new_static("st", ColumnKind::Simple),
                ColumnSpec::new("u", ColumnKind::Udt { fields: vec!["x".into(), "y".into()] }),
            ],
        ))
    }

    fn b(s: &'static [u8]) -> Bytes {
        Bytes::from_static(s)
    }

    fn row() -> Mutation {
        Mutation::new(table(), vec![b(b"P")], vec![b(b"C")])
    }

    fn cell(column: usize, timestamp: i64, expiry: Option<Expiry>, v: &'static [u8]) -> Cell {
        Cell { column, timestamp, expiry, value: CellValue::Simple(b(v)) }
    }

    fn elem(column: usize, timestamp: i64, path: &'static [u8], v: &'static [u8]) -> Cell {
        Cell { column, timestamp, expiry: None, value: CellValue::Element { path: b(path), value: b(v) } }
    }

    fn expires_in(secs: i64) -> Option<Expiry> {
        Some(Expiry { ttl: 1000, local_expiration_time: NOW_MS / 1000 + secs })
    }

    fn raw(v: &'static [u8]) -> BoundValue {
        BoundValue::Raw(b(v))
    }

    #[test]
    fn liveness_group_becomes_one_insert() {
        let mut m = row();
        m.liveness = Some(Liveness { timestamp: 10, expiry: None });
        m.cells = vec![cell(0, 10, None, b"A"), cell(1, 10, None, b"B")];
        let p = plan_mutation(&m, NOW_MS, &PlanOptions::default());
        assert_eq!(p.statements.len(), 1);
        let st = &p.statements[0];
        assert_eq!(st.shape, Shape::Insert { columns: vec![0, 1], ttl: false, clustering: true });
        assert_eq!(st.values, vec![raw(b"P"), raw(b"C"), raw(b"A"), raw(b"B"), BoundValue::BigInt(10)]);
        assert_eq!(st.write_units, 1);
    }

    #[test]
    fn list_elements_are_appended_in_source_order_across_timestamps() {
        // Elements in path order written at 5, 5, 9, 5: the target orders elements by when
        // they are appended, so the runs go out in that order, one statement each.
        let mut m = row();
        m.cells = vec![cell(0, 5, None, b"A"), elem(4, 5, b"1", b"x"), elem(4, 5, b"2", b"y"), elem(4, 9, b"3", b"z"), elem(4, 5, b"4", b"w")];
        let p = plan_mutation(&m, NOW_MS, &PlanOptions::default());
        let appends: Vec<(i64, usize)> = p
            .statements
            .iter()
            .filter(|s| matches!(&s.shape, Shape::Update { assignments, .. } if assignments.iter().any(|a| a.op == AssignOp::ListAppend)))
            .map(|s| match (&s.values[0], &s.values[1]) {
                (BoundValue::BigInt(ts), BoundValue::Raw(list)) => (*ts, u32::from_be_bytes(list[..4].try_into().unwrap()) as usize),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(appends, vec![(5, 2), (9, 1), (5, 1)]);
        assert_eq!(p.statements.len(), 4, "the simple cell keeps its own group statement");

        // In timestamp order already: the elements join their groups.
        m.cells = vec![elem(4, 5, b"1", b"x"), elem(4, 9, b"2", b"y")];
        let p = plan_mutation(&m, NOW_MS, &PlanOptions::default());
        assert_eq!(p.statements.len(), 2);
        assert_eq!(p.statements[0].values[0], BoundValue::BigInt(5));
    }

    #[test]
    fn data_without_ttl_is_written_with_ttl_zero_where_the_table_has_a_default() {
        let mut t = (*table()).clone();
        t.default_ttl = true;
        let mut m = Mutation::new(Arc::new(t), vec![b(b"P")], vec![b(b"C")]);
        m.liveness = Some(Liveness { timestamp: 10, expiry: None });
        m.cells = vec![cell(0, 10, None, b"A"), cell(1, 10, expires_in(50), b"B")];
        let p = plan_mutation(&m, NOW_MS, &PlanOptions::default());
        assert_eq!(p.statements[0].shape, Shape::Insert { columns: vec![0], ttl: true, clustering: true });
        assert_eq!(p.statements[0].values.last(), Some(&BoundValue::Int(0)));
        assert!(matches!(p.statements[1].values[1], BoundValue::ExpiresAt(at) if at > NOW_MS / 1000));
    }

    #[test]
    fn cells_group_by_timestamp_and_ttl() {
        let mut m = row();
        m.liveness = Some(Liveness { timestamp: 10, expiry: None });
        m.cells = vec![
            cell(0, 10, None, b"A"),          // insert group
            cell(1, 20, None, b"B"),          // update at 20
            cell(5, 20, expires_in(50), b"S"), // update at 20 with TTL: another statement
        ];
        let p = plan_mutation(&m, NOW_MS, &PlanOptions::default());
        let shapes: Vec<&Shape> = p.statements.iter().map(|s| &s.shape).collect();
        assert_eq!(shapes.len(), 3, "{shapes:?}");
        assert_eq!(*shapes[0], Shape::Insert { columns: vec![0], ttl: false, clustering: true });
        assert_eq!(
            *shapes[1],
            Shape::Update { assignments: vec![Assignment { column: 1, op: AssignOp::Set }], ttl: false, clustering: true }
        );
        assert_eq!(
            *shapes[2],
            Shape::Update { assignments: vec![Assignment { column: 5, op: AssignOp::Set }], ttl: true, clustering: true }
        );
        // UPDATE binds: timestamp, ttl, value, keys
        assert_eq!(p.statements[2].values, vec![BoundValue::BigInt(20), BoundValue::ExpiresAt(NOW_MS / 1000 + 50), raw(b"S"), raw(b"P"), raw(b"C")]);
    }

    #[test]
    fn row_without_liveness_is_updates_only() {
        let mut m = row();
        m.cells = vec![cell(0, 10, None, b"A")];
        let p = plan_mutation(&m, NOW_MS, &PlanOptions::default());
        assert!(matches!(p.statements[0].shape, Shape::Update { .. }));
        assert_eq!(p.statements.len(), 1);
    }

    #[test]
    fn liveness_alone_inserts_the_key() {
        let mut m = row();
        m.liveness = Some(Liveness { timestamp: 7, expiry: expires_in(100) });
        m.cells = vec![cell(0, 8, None, b"A")];
        let p = plan_mutation(&m, NOW_MS, &PlanOptions::default());
        assert_eq!(p.statements.len(), 2);
        assert_eq!(p.statements[0].shape, Shape::Insert { columns: vec![], ttl: true, clustering: true });
        assert_eq!(p.statements[0].values, vec![raw(b"P"), raw(b"C"), BoundValue::BigInt(7), BoundValue::ExpiresAt(NOW_MS / 1000 + 100)]);
    }

    #[test]
    fn insert_with_ttl_keeps_remaining_ttl() {
        let mut m = row();
        let e = Some(Expiry { ttl: 3600, local_expiration_time: NOW_MS / 1000 + 1200 });
        m.liveness = Some(Liveness { timestamp: 5, expiry: e });
        m.cells = vec![cell(0, 5, e, b"A")];
        let p = plan_mutation(&m, NOW_MS + 500, &PlanOptions::default());
        assert_eq!(p.statements.len(), 1);
        // 1199.5 s left, rounded up
        assert_eq!(p.statements[0].values.last(), Some(&BoundValue::ExpiresAt(NOW_MS / 1000 + 1200)));
    }

    #[test]
    fn expired_cells_and_markers_are_dropped_and_counted() {
        let mut m = row();
        m.liveness = Some(Liveness { timestamp: 5, expiry: expires_in(-1) });
        m.cells = vec![cell(0, 5, expires_in(-10), b"A"), cell(1, 5, expires_in(0), b"B")];
        let p = plan_mutation(&m, NOW_MS, &PlanOptions::default());
        assert!(p.statements.is_empty());
        assert_eq!(p.expired, 3);
        assert!(p.reject.is_none());
    }

    #[test]
    fn collections_become_element_updates_even_in_the_insert_group() {
        let mut m = row();
        m.liveness = Some(Liveness { timestamp: 10, expiry: None });
        m.cells = vec![
            cell(0, 10, None, b"A"),
            elem(2, 10, b"k1", b"v1"),
            elem(2, 10, b"k2", b"v2"),
            elem(3, 10, b"e", b""),
            elem(4, 10, b"uuid1", b"x"),
            elem(4, 10, b"uuid2", b"y"),
            elem(6, 10, &[0, 1], b"Y"),
        ];
        let p = plan_mutation(&m, NOW_MS, &PlanOptions::default());
        assert_eq!(p.statements.len(), 2);
        assert_eq!(p.statements[0].shape, Shape::Insert { columns: vec![0], ttl: false, clustering: true });
        let Shape::Update { assignments, .. } = &p.statements[1].shape else { panic!("{:?}", p.statements[1].shape) };
        let ops: Vec<AssignOp> = assignments.iter().map(|a| a.op).collect();
        assert_eq!(ops, vec![AssignOp::MapAdd, AssignOp::SetAdd, AssignOp::ListAppend, AssignOp::UdtField(1)]);
        let v = &p.statements[1].values;
        assert_eq!(v[0], BoundValue::BigInt(10));
        assert_eq!(v[1], BoundValue::Raw(serialize_entries([(&b"k1"[..], &b"v1"[..]), (&b"k2"[..], &b"v2"[..])].into_iter())));
        assert_eq!(v[2], BoundValue::Raw(serialize_elements([&b"e"[..]].into_iter())));
        // list elements keep path order
        assert_eq!(v[3], BoundValue::Raw(serialize_elements([&b"x"[..], &b"y"[..]].into_iter())));
        assert_eq!(v[4], raw(b"Y"));
    }

    #[test]
    fn invalid_udt_path_rejects_the_row() {
        let mut m = row();
        m.cells = vec![elem(6, 10, &[0, 9], b"Y")];
        let p = plan_mutation(&m, NOW_MS, &PlanOptions::default());
        assert_eq!(p.reject.as_ref().map(|r| r.0), Some(RejectReason::Invalid));
        assert!(p.statements.is_empty());
    }

    #[test]
    fn counters_add_without_timestamp() {
        let t = Arc::new(TargetTable::new(
            "ks",
            "c",
            vec![ColumnSpec::key("pk")],
            vec![],
            vec![ColumnSpec::new("n", ColumnKind::Counter), ColumnSpec::new("k", ColumnKind::Counter)],
        ));
        let mut m = Mutation::new(t, vec![b(b"P")], vec![]);
        m.cells = vec![
            Cell { column: 0, timestamp: 1, expiry: None, value: CellValue::Counter(5) },
            Cell { column: 1, timestamp: 2, expiry: None, value: CellValue::Counter(-3) },
        ];
        let p = plan_mutation(&m, NOW_MS, &PlanOptions::default());
        assert_eq!(p.statements.len(), 1);
        assert_eq!(p.statements[0].shape, Shape::CounterAdd { columns: vec![0, 1], clustering: false });
        assert!(!p.statements[0].shape.is_idempotent());
        assert_eq!(p.statements[0].values, vec![BoundValue::BigInt(5), BoundValue::BigInt(-3), raw(b"P")]);
    }

    #[test]
    fn static_row_updates_by_partition_key() {
        let mut m = Mutation::new(table(), vec![b(b"P")], vec![]);
        m.liveness = Some(Liveness { timestamp: 1, expiry: None }); // ignored: no row marker on static rows
        m.cells = vec![cell(5, 3, None, b"S")];
        let p = plan_mutation(&m, NOW_MS, &PlanOptions::default());
        assert_eq!(p.statements.len(), 1);
        assert_eq!(
            p.statements[0].shape,
            Shape::Update { assignments: vec![Assignment { column: 5, op: AssignOp::Set }], ttl: false, clustering: false }
        );
        assert_eq!(p.statements[0].values, vec![BoundValue::BigInt(3), raw(b"S"), raw(b"P")]);
    }

    #[test]
    fn regular_cell_without_clustering_is_rejected() {
        let mut m = Mutation::new(table(), vec![b(b"P")], vec![]);
        m.cells = vec![cell(0, 3, None, b"A")];
        let p = plan_mutation(&m, NOW_MS, &PlanOptions::default());
        assert_eq!(p.reject.map(|r| r.0), Some(RejectReason::InvalidKey));
    }

    #[test]
    fn wrong_key_arity_is_rejected() {
        let m = Mutation::new(table(), vec![b(b"P"), b(b"Q")], vec![b(b"C")]);
        let p = plan_mutation(&m, NOW_MS, &PlanOptions::default());
        assert_eq!(p.reject.map(|r| r.0), Some(RejectReason::InvalidKey));
    }

    #[test]
    fn oversized_row_is_rejected_whole() {
        static BIG: [u8; 1_100_000] = [7; 1_100_000];
        let mut m = row();
        m.liveness = Some(Liveness { timestamp: 1, expiry: None });
        m.cells = vec![cell(0, 1, None, &BIG[..])];
        let p = plan_mutation(&m, NOW_MS, &PlanOptions::default());
        assert!(p.statements.is_empty());
        let (reason, details) = p.reject.unwrap();
        assert_eq!(reason, RejectReason::TooLarge);
        assert!(details.contains("1048576"), "{details}");
        // a row just under the limit passes, and costs one unit per started KB
        static OK: [u8; 900_000] = [7; 900_000];
        m.cells = vec![cell(0, 1, None, &OK[..])];
        let p = plan_mutation(&m, NOW_MS, &PlanOptions::default());
        assert!(p.reject.is_none());
        assert_eq!(p.statements[0].write_units, ((900_000 + 100 + 4 + 2 + 21 + 1023) / 1024) as u32);
    }

    #[test]
    fn tombstones_are_skipped_without_write_deletes() {
        let mut m = row();
        m.deletions = vec![Deletion::Row { timestamp: 4 }, Deletion::Column { column: 0, timestamp: 5 }];
        let p = plan_mutation(&m, NOW_MS, &PlanOptions::default());
        assert!(p.statements.is_empty());
        assert_eq!(p.deletions_skipped, 2);
    }

    #[test]
    fn deletes_with_write_deletes() {
        let opts = PlanOptions { write_deletes: true, ..PlanOptions::default() };
        let mut m = row();
        m.deletions = vec![
            Deletion::Row { timestamp: 4 },
            Deletion::Column { column: 0, timestamp: 5 },
            Deletion::Column { column: 1, timestamp: 5 },
            Deletion::Element { column: 2, path: b(b"k1"), timestamp: 6 },
            Deletion::Element { column: 3, path: b(b"e"), timestamp: 6 },
            Deletion::Element { column: 4, path: b(b"uuid"), timestamp: 6 },
            Deletion::Element { column: 6, path: b(&[0, 0]), timestamp: 6 },
        ];
        let p = plan_mutation(&m, NOW_MS, &opts);
        let shapes: Vec<&Shape> = p.statements.iter().map(|s| &s.shape).collect();
        assert_eq!(*shapes[0], Shape::DeleteRows { clustering: true });
        assert_eq!(p.statements[0].values, vec![BoundValue::BigInt(4), raw(b"P"), raw(b"C")]);
        assert_eq!(*shapes[1], Shape::DeleteColumns { columns: vec![0, 1], clustering: true });
        assert_eq!(
            *shapes[2],
            Shape::Update {
                assignments: vec![
                    Assignment { column: 2, op: AssignOp::MapRemove },
                    Assignment { column: 3, op: AssignOp::SetRemove },
                    Assignment { column: 6, op: AssignOp::UdtField(0) },
                ],
                ttl: false,
                clustering: true
            }
        );
        assert_eq!(p.statements[2].values[3], BoundValue::Null);
        assert_eq!(p.unsupported.len(), 1, "list element tombstone reported: {:?}", p.unsupported);
        assert!(p.unsupported[0].contains("list"));
    }

    #[test]
    fn partition_and_range_deletes() {
        let t = Arc::new(TargetTable::new(
            "ks",
            "r",
            vec![ColumnSpec::key("pk")],
            vec![ColumnSpec::key("c1"), ColumnSpec::key("c2")],
            vec![],
        ));
        let opts = PlanOptions { write_deletes: true, ..PlanOptions::default() };
        let bound = |prefix: Vec<&'static [u8]>, inclusive| Some(RangeBound { prefix: prefix.into_iter().map(b).collect(), inclusive });
        let mut m = Mutation::new(t, vec![b(b"P")], vec![]);
        m.deletions = vec![
            Deletion::Partition { timestamp: 1 },
            // c1 = 1 AND c2 >= 2 AND c2 < 5
            Deletion::Range { start: bound(vec![b"1", b"2"], true), end: bound(vec![b"1", b"5"], false), timestamp: 2 },
            // c1 = 3 (all rows of the prefix)
            Deletion::Range { start: bound(vec![b"3"], true), end: bound(vec![b"3"], true), timestamp: 3 },
            // empty range: after all c1 = 4 rows, before them
            Deletion::Range { start: bound(vec![b"4"], false), end: bound(vec![b"4", b"9"], true), timestamp: 4 },
            // open start: c1 < 0
            Deletion::Range { start: None, end: bound(vec![b"0"], false), timestamp: 5 },
        ];
        let p = plan_mutation(&m, NOW_MS, &opts);
        assert_eq!(p.statements.len(), 4, "{:?}", p.statements);
        assert_eq!(p.statements[0].shape, Shape::DeleteRows { clustering: false });
        assert_eq!(
            p.statements[1].shape,
            Shape::DeleteRange {
                eq: 1,
                lower: Some(SliceSide { len: 1, inclusive: true }),
                upper: Some(SliceSide { len: 1, inclusive: false })
            }
        );
        assert_eq!(p.statements[1].values, vec![BoundValue::BigInt(2), raw(b"P"), raw(b"1"), raw(b"2"), raw(b"5")]);
        assert_eq!(p.statements[2].shape, Shape::DeleteRange { eq: 1, lower: None, upper: None });
        assert_eq!(p.statements[2].values, vec![BoundValue::BigInt(3), raw(b"P"), raw(b"3")]);
        assert_eq!(
            p.statements[3].shape,
            Shape::DeleteRange { eq: 0, lower: None, upper: Some(SliceSide { len: 1, inclusive: false }) }
        );
    }

    #[test]
    fn write_units_are_per_statement() {
        // 2900 + 100 row metadata + 4 + 2 key bytes + 1 + 20 column bytes = 3027: 3 units
        static KB3: [u8; 2900] = [1; 2900];
        let mut m = row();
        m.liveness = Some(Liveness { timestamp: 1, expiry: None });
        m.cells = vec![cell(0, 1, None, &KB3[..]), cell(1, 2, None, b"x")];
        let p = plan_mutation(&m, NOW_MS, &PlanOptions::default());
        assert_eq!(p.statements[0].write_units, 3);
        assert_eq!(p.statements[1].write_units, 1);
    }

    fn limits() -> PlanOptions {
        PlanOptions { keyspaces_limits: true, ..PlanOptions::default() }
    }

    /// A table of `n` simple regular columns and one map.
    fn wide_table(n: usize) -> Arc<TargetTable> {
        let mut columns: Vec<ColumnSpec> = (0..n).map(|i| ColumnSpec::new(format!("c{i}"), ColumnKind::Simple)).collect();
        columns.push(ColumnSpec::new("m", ColumnKind::Map));
        Arc::new(TargetTable::new("ks", "wide", vec![ColumnSpec::key("pk")], vec![ColumnSpec::key("ck")], columns))
    }

    fn int_cell(column: usize, timestamp: i64, expiry: Option<Expiry>) -> Cell {
        Cell { column, timestamp, expiry, value: CellValue::Simple(Bytes::copy_from_slice(&(column as i32).to_be_bytes())) }
    }

    /// (column, timestamp, value) of every simple cell a statement binds.
    fn bound_cells(st: &Statement, nkeys: usize) -> Vec<(u16, i64, BoundValue)> {
        match &st.shape {
            Shape::Insert { columns, .. } => {
                let BoundValue::BigInt(ts) = st.values[nkeys + columns.len()] else { panic!("{:?}", st.values) };
                columns.iter().zip(&st.values[nkeys..]).map(|(c, v)| (*c, ts, v.clone())).collect()
            }
            Shape::Update { assignments, ttl, .. } => {
                let BoundValue::BigInt(ts) = st.values[0] else { panic!("{:?}", st.values) };
                let first = 1 + usize::from(*ttl);
                assignments
                    .iter()
                    .zip(&st.values[first..])
                    .filter(|(a, _)| a.op == AssignOp::Set)
                    .map(|(a, v)| (a.column, ts, v.clone()))
                    .collect()
            }
            other => panic!("{other:?}"),
        }
    }

    fn written_columns(st: &Statement) -> usize {
        match &st.shape {
            Shape::Insert { columns, .. } => columns.len(),
            Shape::Update { assignments, .. } => {
                assignments.iter().map(|a| a.column).collect::<std::collections::BTreeSet<_>>().len()
            }
            Shape::CounterAdd { columns, .. } | Shape::DeleteColumns { columns, .. } => columns.len(),
            _ => 0,
        }
    }

    #[test]
    fn a_300_column_row_is_split_into_statements_of_at_most_225_columns() {
        let t = wide_table(300);
        let mut m = Mutation::new(t, vec![b(b"P")], vec![b(b"C")]);
        m.liveness = Some(Liveness { timestamp: 10, expiry: None });
        // 300 cells, each with its own timestamp (10 is the row marker's); a map at 10 too.
        m.cells = (0..300).map(|i| int_cell(i, 10 + i as i64, None)).collect();
        m.cells.push(elem(300, 10, b"k", b"v"));
        let p = plan_mutation(&m, NOW_MS, &limits());
        assert!(p.reject.is_none());
        assert_eq!(p.statements.len(), 301, "one per timestamp, and the map's UPDATE beside the INSERT");
        assert!(matches!(p.statements[0].shape, Shape::Insert { .. }));

        // One (timestamp, TTL) group of 300 columns and a map: INSERT of 225, UPDATE of 76.
        m.cells = (0..300).map(|i| int_cell(i, 10, None)).collect();
        m.cells.push(elem(300, 10, b"k", b"v"));
        let p = plan_mutation(&m, NOW_MS, &limits());
        let counts: Vec<usize> = p.statements.iter().map(written_columns).collect();
        assert_eq!(counts, vec![225, 76]);
        assert_eq!(p.statements[0].shape, Shape::Insert { columns: (0..225).collect(), ttl: false, clustering: true });
        let Shape::Update { assignments, .. } = &p.statements[1].shape else { panic!("{:?}", p.statements[1].shape) };
        assert_eq!(assignments.last(), Some(&Assignment { column: 300, op: AssignOp::MapAdd }));

        // Two groups over the limit, one with a TTL and no row marker: every statement ≤ 225
        // columns, every cell bound exactly once with its own timestamp, TTL kept.
        m.liveness = None;
        m.cells = (0..300).map(|i| if i % 2 == 0 { int_cell(i, 10, None) } else { int_cell(i, 20, expires_in(60)) }).collect();
        let p = plan_mutation(&m, NOW_MS, &limits());
        assert!(p.statements.iter().all(|s| written_columns(s) <= 225));
        let mut seen: Vec<(u16, i64, BoundValue)> = p.statements.iter().flat_map(|s| bound_cells(s, 2)).collect();
        seen.sort_by_key(|c| c.0);
        let expected: Vec<(u16, i64, BoundValue)> = m
            .cells
            .iter()
            .map(|c| (c.column as u16, c.timestamp, BoundValue::Raw(simple_value(c))))
            .collect();
        assert_eq!(seen, expected);
        for st in &p.statements {
            let Shape::Update { ttl, .. } = &st.shape else { panic!("{:?}", st.shape) };
            assert_eq!(*ttl, st.values[0] == BoundValue::BigInt(20), "TTL only on the TTL group");
        }
        // All 300 in one UPDATE group: 225 + 75.
        m.cells = (0..300).map(|i| int_cell(i, 30, None)).collect();
        let p = plan_mutation(&m, NOW_MS, &limits());
        assert_eq!(p.statements.iter().map(written_columns).collect::<Vec<_>>(), vec![225, 75]);
        let units: u32 = p.statements.iter().map(|s| s.write_units).sum();
        assert!(units >= 2, "each statement is billed");
    }

    #[test]
    fn without_keyspaces_limits_a_wide_group_stays_one_statement() {
        let mut m = Mutation::new(wide_table(300), vec![b(b"P")], vec![b(b"C")]);
        m.liveness = Some(Liveness { timestamp: 10, expiry: None });
        m.cells = (0..300).map(|i| int_cell(i, 10, None)).collect();
        let p = plan_mutation(&m, NOW_MS, &PlanOptions::default());
        assert_eq!(p.statements.iter().map(written_columns).collect::<Vec<_>>(), vec![300]);
    }

    #[test]
    fn wide_counter_rows_and_column_deletes_are_split_too() {
        let columns = (0..300).map(|i| ColumnSpec::new(format!("n{i}"), ColumnKind::Counter)).collect();
        let t = Arc::new(TargetTable::new("ks", "c", vec![ColumnSpec::key("pk")], vec![], columns));
        let mut m = Mutation::new(t, vec![b(b"P")], vec![]);
        m.cells = (0..300).map(|i| Cell { column: i, timestamp: 1, expiry: None, value: CellValue::Counter(1) }).collect();
        let p = plan_mutation(&m, NOW_MS, &limits());
        assert_eq!(p.statements.iter().map(written_columns).collect::<Vec<_>>(), vec![225, 75]);

        let mut m = Mutation::new(wide_table(300), vec![b(b"P")], vec![b(b"C")]);
        m.deletions = (0..300).map(|column| Deletion::Column { column, timestamp: 5 }).collect();
        let opts = PlanOptions { write_deletes: true, ..limits() };
        let p = plan_mutation(&m, NOW_MS, &opts);
        assert_eq!(p.statements.iter().map(written_columns).collect::<Vec<_>>(), vec![225, 75]);
    }

    #[test]
    fn keys_over_keyspaces_limits_are_rejected_naming_the_limit() {
        static PK: [u8; 2046] = [1; 2046];
        static CK: [u8; 709] = [2; 709];
        let with = |pk: &'static [u8], ck: &'static [u8]| {
            let mut m = Mutation::new(table(), vec![b(pk)], vec![b(ck)]);
            m.cells = vec![cell(0, 1, None, b"A")];
            m
        };
        // 2045 + 3 = 2048 encoded bytes: at the limit, written
        assert!(plan_mutation(&with(&PK[..2045], b"C"), NOW_MS, &limits()).reject.is_none());
        let p = plan_mutation(&with(&PK[..], b"C"), NOW_MS, &limits());
        let (reason, details) = p.reject.expect("partition key over 2048 bytes");
        assert_eq!(reason, RejectReason::InvalidKey);
        assert!(details.contains("partition key") && details.contains("2048") && details.contains("2049"), "{details}");
        assert!(p.statements.is_empty());
        // 708 + 142 = 850 encoded bytes: at the limit; 709 + 142 = 851: over
        assert!(plan_mutation(&with(b"P", &CK[..708]), NOW_MS, &limits()).reject.is_none());
        let (reason, details) = plan_mutation(&with(b"P", &CK[..]), NOW_MS, &limits()).reject.expect("clustering over 850 bytes");
        assert_eq!(reason, RejectReason::InvalidKey);
        assert!(details.contains("clustering") && details.contains("850"), "{details}");
        // Cassandra has no such limits: without the flag both rows are written.
        assert!(plan_mutation(&with(&PK[..], &CK[..]), NOW_MS, &PlanOptions::default()).reject.is_none());
    }
}
