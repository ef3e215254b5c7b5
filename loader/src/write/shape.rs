//! Statement shapes: the CQL text of every statement the write stage sends, keyed by what
//! varies (columns, operations, TTL present or not), so each shape is prepared once and
//! cached.
//!
//! CQL reference: <https://cassandra.apache.org/doc/5.0/cassandra/developing/cql/dml.html>.
//! Bind-marker order of each shape is documented on its variant; [`super::statement`] binds
//! values in exactly that order.

use std::fmt::Write as _;

use super::mutation::{quote_ident, TargetTable};

/// How a regular or static column is assigned in an `UPDATE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AssignOp {
    /// `c = ?` (simple column).
    Set,
    /// `m = m + ?` binding a map of the new entries.
    MapAdd,
    /// `s = s + ?` binding a set of the new elements.
    SetAdd,
    /// `l = l + ?` binding a list of the elements, appended in the order bound.
    ListAppend,
    /// `u."field" = ?` for the field at this position of the UDT.
    UdtField(u16),
    /// `m = m - ?` binding a set of the keys removed.
    MapRemove,
    /// `s = s - ?` binding a set of the elements removed.
    SetRemove,
}

/// One `SET` clause item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Assignment {
    /// Index into [`TargetTable::columns`].
    pub column: u16,
    /// What is done to it.
    pub op: AssignOp,
}

/// One side of a clustering slice in a range delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SliceSide {
    /// Clustering columns this side restricts, after the equality prefix.
    pub len: u16,
    /// `>=` / `<=` when set, `>` / `<` otherwise.
    pub inclusive: bool,
}

/// What varies between statements; with the table, it determines the CQL text.
///
/// `clustering` fields say whether the `WHERE` clause names the clustering columns (a row)
/// or only the partition key (static row, partition-level fragment, or a table without
/// clustering columns).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Shape {
    /// `INSERT INTO t (pk.., ck.., cols..) VALUES (?..) USING TIMESTAMP ? [AND TTL ?]`.
    /// Binds: pk.., ck.., cols.., timestamp, [ttl].
    Insert {
        /// Simple columns written, indexes into [`TargetTable::columns`].
        columns: Vec<u16>,
        /// Whether `AND TTL ?` is present.
        ttl: bool,
        /// Whether the clustering columns are listed.
        clustering: bool,
    },
    /// `UPDATE t USING TIMESTAMP ? [AND TTL ?] SET a.. WHERE pk = ? [AND ck = ?..]`.
    /// Binds: timestamp, [ttl], one value per assignment, pk.., [ck..].
    Update {
        /// The `SET` items.
        assignments: Vec<Assignment>,
        /// Whether `AND TTL ?` is present.
        ttl: bool,
        /// Whether the `WHERE` clause names the clustering columns.
        clustering: bool,
    },
    /// `UPDATE t SET c = c + ?.. WHERE ..` (counters take no timestamp nor TTL).
    /// Binds: one bigint delta per column, pk.., [ck..].
    CounterAdd {
        /// Counter columns.
        columns: Vec<u16>,
        /// Whether the `WHERE` clause names the clustering columns.
        clustering: bool,
    },
    /// `DELETE FROM t USING TIMESTAMP ? WHERE pk = ?.. [AND ck = ?..]` (a partition or a
    /// row). Binds: timestamp, pk.., [ck..].
    DeleteRows {
        /// Whether the `WHERE` clause names the clustering columns (a row) or not (the
        /// whole partition).
        clustering: bool,
    },
    /// `DELETE FROM t USING TIMESTAMP ? WHERE pk = ?.. AND ck1 = ?.. AND <slice>`.
    /// Binds: timestamp, pk.., `eq` clustering values, lower values, upper values.
    DeleteRange {
        /// Leading clustering columns restricted by equality.
        eq: u16,
        /// Lower side of the slice, if bounded.
        lower: Option<SliceSide>,
        /// Upper side of the slice, if bounded.
        upper: Option<SliceSide>,
    },
    /// `DELETE c.. FROM t USING TIMESTAMP ? WHERE ..`. Binds: timestamp, pk.., [ck..].
    DeleteColumns {
        /// Columns deleted (simple cells or whole collections).
        columns: Vec<u16>,
        /// Whether the `WHERE` clause names the clustering columns.
        clustering: bool,
    },
}

impl Shape {
    /// Whether it is `INSERT` of `columns` (in this order) with or without TTL and clustering.
    pub fn is_insert_of(&self, mut columns: impl Iterator<Item = u16>, with_ttl: bool, with_clustering: bool) -> bool {
        match self {
            Shape::Insert { columns: c, ttl, clustering } => *ttl == with_ttl && *clustering == with_clustering && c.iter().all(|&x| columns.next() == Some(x)) && columns.next().is_none(),
            _ => false,
        }
    }

    /// Whether a statement of this shape may be sent twice with the same effect. Only
    /// counter additions are not.
    pub fn is_idempotent(&self) -> bool {
        !matches!(self, Shape::CounterAdd { .. })
    }

    /// The CQL text of this shape on `table`.
    pub fn cql(&self, table: &TargetTable) -> String {
        let name = table.qualified_name();
        let col = |i: u16| quote_ident(&table.columns[i as usize].name);
        let mut q = String::with_capacity(128);
        match self {
            Shape::Insert { columns, ttl, clustering } => {
                let mut names: Vec<String> = table.partition_key.iter().map(|c| quote_ident(&c.name)).collect();
                if *clustering {
                    names.extend(table.clustering.iter().map(|c| quote_ident(&c.name)));
                }
                names.extend(columns.iter().map(|&i| col(i)));
                let marks = vec!["?"; names.len()].join(", ");
                let _ = write!(q, "INSERT INTO {name} ({}) VALUES ({marks}) USING TIMESTAMP ?", names.join(", "));
                if *ttl {
                    q.push_str(" AND TTL ?");
                }
            }
            Shape::Update { assignments, ttl, clustering } => {
                let _ = write!(q, "UPDATE {name} USING TIMESTAMP ?");
                if *ttl {
                    q.push_str(" AND TTL ?");
                }
                q.push_str(" SET ");
                let items: Vec<String> = assignments
                    .iter()
                    .map(|a| {
                        let c = col(a.column);
                        match a.op {
                            AssignOp::Set => format!("{c} = ?"),
                            AssignOp::MapAdd | AssignOp::SetAdd | AssignOp::ListAppend => format!("{c} = {c} + ?"),
                            AssignOp::MapRemove | AssignOp::SetRemove => format!("{c} = {c} - ?"),
                            AssignOp::UdtField(f) => {
                                let field = match &table.columns[a.column as usize].kind {
                                    super::mutation::ColumnKind::Udt { fields } => {
                                        fields.get(f as usize).map(|s| quote_ident(s)).unwrap_or_default()
                                    }
                                    _ => String::new(),
                                };
                                format!("{c}.{field} = ?")
                            }
                        }
                    })
                    .collect();
                q.push_str(&items.join(", "));
                push_where(&mut q, table, *clustering);
            }
            Shape::CounterAdd { columns, clustering } => {
                let items: Vec<String> = columns.iter().map(|&i| { let c = col(i); format!("{c} = {c} + ?") }).collect();
                let _ = write!(q, "UPDATE {name} SET {}", items.join(", "));
                push_where(&mut q, table, *clustering);
            }
            Shape::DeleteRows { clustering } => {
                let _ = write!(q, "DELETE FROM {name} USING TIMESTAMP ?");
                push_where(&mut q, table, *clustering);
            }
            Shape::DeleteColumns { columns, clustering } => {
                let names: Vec<String> = columns.iter().map(|&i| col(i)).collect();
                let _ = write!(q, "DELETE {} FROM {name} USING TIMESTAMP ?", names.join(", "));
                push_where(&mut q, table, *clustering);
            }
            Shape::DeleteRange { eq, lower, upper } => {
                let _ = write!(q, "DELETE FROM {name} USING TIMESTAMP ?");
                push_where(&mut q, table, false);
                let ck = |i: usize| quote_ident(&table.clustering[i].name);
                for i in 0..*eq as usize {
                    let _ = write!(q, " AND {} = ?", ck(i));
                }
                // Cassandra refuses to mix single-column and multi-column relations on
                // clustering columns, so once one side spans several columns both sides use
                // the tuple notation.
                let tuple = lower.is_some_and(|s| s.len > 1) || upper.is_some_and(|s| s.len > 1);
                let start = *eq as usize;
                let mut side = |s: SliceSide, op_incl: &str, op_excl: &str| {
                    let op = if s.inclusive { op_incl } else { op_excl };
                    if tuple {
                        let names: Vec<String> = (start..start + s.len as usize).map(ck).collect();
                        let marks = vec!["?"; s.len as usize].join(", ");
                        let _ = write!(q, " AND ({}) {op} ({marks})", names.join(", "));
                    } else {
                        let _ = write!(q, " AND {} {op} ?", ck(start));
                    }
                };
                if let Some(s) = lower {
                    side(*s, ">=", ">");
                }
                if let Some(s) = upper {
                    side(*s, "<=", "<");
                }
            }
        }
        q
    }
}

fn push_where(q: &mut String, table: &TargetTable, clustering: bool) {
    let mut first = true;
    let keys = table
        .partition_key
        .iter()
        .chain(table.clustering.iter().take(if clustering { usize::MAX } else { 0 }));
    for c in keys {
        q.push_str(if first { " WHERE " } else { " AND " });
        first = false;
        let _ = write!(q, "{} = ?", quote_ident(&c.name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::mutation::{ColumnKind, ColumnSpec};

    fn table() -> TargetTable {
        TargetTable::new(
            "ks",
            "T",
            vec![ColumnSpec::key("pk")],
            vec![ColumnSpec::key("c1"), ColumnSpec::key("c2")],
            vec![
                ColumnSpec::new("v", ColumnKind::Simple),
                ColumnSpec::new("m", ColumnKind::Map),
                ColumnSpec::new("u", ColumnKind::Udt { fields: vec!["a".into(), "b".into()] }),
                ColumnSpec::new_static("s", ColumnKind::Simple),
            ],
        )
    }

    #[test]
    fn insert_lists_keys_then_columns() {
        let s = Shape::Insert { columns: vec![0, 3], ttl: true, clustering: true };
        assert_eq!(
            s.cql(&table()),
            r#"INSERT INTO "ks"."T" ("pk", "c1", "c2", "v", "s") VALUES (?, ?, ?, ?, ?) USING TIMESTAMP ? AND TTL ?"#
        );
        let s = Shape::Insert { columns: vec![], ttl: false, clustering: true };
        assert_eq!(s.cql(&table()), r#"INSERT INTO "ks"."T" ("pk", "c1", "c2") VALUES (?, ?, ?) USING TIMESTAMP ?"#);
    }

    #[test]
    fn update_with_collection_and_udt_operations() {
        let s = Shape::Update {
            assignments: vec![
                Assignment { column: 0, op: AssignOp::Set },
                Assignment { column: 1, op: AssignOp::MapAdd },
                Assignment { column: 2, op: AssignOp::UdtField(1) },
            ],
            ttl: false,
            clustering: true,
        };
        assert_eq!(
            s.cql(&table()),
            r#"UPDATE "ks"."T" USING TIMESTAMP ? SET "v" = ?, "m" = "m" + ?, "u"."b" = ? WHERE "pk" = ? AND "c1" = ? AND "c2" = ?"#
        );
        let s = Shape::Update { assignments: vec![Assignment { column: 3, op: AssignOp::Set }], ttl: true, clustering: false };
        assert_eq!(s.cql(&table()), r#"UPDATE "ks"."T" USING TIMESTAMP ? AND TTL ? SET "s" = ? WHERE "pk" = ?"#);
        let s = Shape::Update { assignments: vec![Assignment { column: 1, op: AssignOp::MapRemove }], ttl: false, clustering: true };
        assert!(s.cql(&table()).contains(r#"SET "m" = "m" - ? WHERE"#));
    }

    #[test]
    fn counter_add_has_no_timestamp_and_is_not_idempotent() {
        let s = Shape::CounterAdd { columns: vec![0], clustering: true };
        assert_eq!(s.cql(&table()), r#"UPDATE "ks"."T" SET "v" = "v" + ? WHERE "pk" = ? AND "c1" = ? AND "c2" = ?"#);
        assert!(!s.is_idempotent());
        assert!(Shape::DeleteRows { clustering: true }.is_idempotent());
    }

    #[test]
    fn deletes() {
        assert_eq!(Shape::DeleteRows { clustering: false }.cql(&table()), r#"DELETE FROM "ks"."T" USING TIMESTAMP ? WHERE "pk" = ?"#);
        assert_eq!(
            Shape::DeleteColumns { columns: vec![0, 1], clustering: true }.cql(&table()),
            r#"DELETE "v", "m" FROM "ks"."T" USING TIMESTAMP ? WHERE "pk" = ? AND "c1" = ? AND "c2" = ?"#
        );
    }

    #[test]
    fn range_delete_single_column_slice() {
        let s = Shape::DeleteRange {
            eq: 1,
            lower: Some(SliceSide { len: 1, inclusive: true }),
            upper: Some(SliceSide { len: 1, inclusive: false }),
        };
        assert_eq!(
            s.cql(&table()),
            r#"DELETE FROM "ks"."T" USING TIMESTAMP ? WHERE "pk" = ? AND "c1" = ? AND "c2" >= ? AND "c2" < ?"#
        );
    }

    #[test]
    fn range_delete_uses_tuples_on_both_sides_when_one_spans_columns() {
        let s = Shape::DeleteRange {
            eq: 0,
            lower: Some(SliceSide { len: 2, inclusive: false }),
            upper: Some(SliceSide { len: 1, inclusive: true }),
        };
        assert_eq!(
            s.cql(&table()),
            r#"DELETE FROM "ks"."T" USING TIMESTAMP ? WHERE "pk" = ? AND ("c1", "c2") > (?, ?) AND ("c1") <= (?)"#
        );
        let prefix_only = Shape::DeleteRange { eq: 1, lower: None, upper: None };
        assert_eq!(prefix_only.cql(&table()), r#"DELETE FROM "ks"."T" USING TIMESTAMP ? WHERE "pk" = ? AND "c1" = ?"#);
    }
}
