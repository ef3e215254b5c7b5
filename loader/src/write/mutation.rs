//! What the write stage consumes: one [`Mutation`] per row fragment of a target table.
//!
//! The merge stage builds these from reconciled SSTable rows (Cassandra's `Row`, `Cell`,
//! `LivenessInfo`, `DeletionTime` and `RangeTombstoneMarker`, see
//! <https://github.com/apache/cassandra/tree/cassandra-5.0/src/java/org/apache/cassandra/db/rows>),
//! so the types mirror them: values stay the raw serialized bytes read from the SSTable (the
//! source and target column types are the same), timestamps are microseconds, and expiring
//! data carries its *local expiration time* (seconds since the epoch) so the remaining TTL can
//! be computed when the statement is sent, not when the row was read.

use std::sync::Arc;

use bytes::Bytes;

/// The table mutations are written to, with its columns in a fixed order: a [`Cell`] names
/// its column by index into [`TargetTable::columns`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetTable {
    /// Keyspace name, as stored in the schema (case preserved, quoted in CQL).
    pub keyspace: String,
    /// Table name, as stored in the schema.
    pub name: String,
    /// Partition key columns in key order.
    pub partition_key: Vec<ColumnSpec>,
    /// Clustering columns in clustering order.
    pub clustering: Vec<ColumnSpec>,
    /// Regular and static columns.
    pub columns: Vec<ColumnSpec>,
    /// Whether the table has a `default_time_to_live`: data without a TTL is then written
    /// with `TTL 0`, as the source had it, instead of taking the default.
    pub default_ttl: bool,
}

/// One column of a [`TargetTable`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSpec {
    /// Column name as stored in the schema.
    pub name: String,
    /// How cells of this column are written.
    pub kind: ColumnKind,
    /// Whether the column is `STATIC` (written by row fragments without clustering).
    pub is_static: bool,
}

/// How the cells of a column turn into CQL. Frozen collections and frozen UDTs are
/// [`ColumnKind::Simple`]: their value is one serialized blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnKind {
    /// A single-value column (any native type, frozen collection, frozen UDT, tuple).
    Simple,
    /// A counter column: written as `c = c + delta`, never with a timestamp or TTL.
    Counter,
    /// Non-frozen `list<T>`: cell paths are timeuuids, values are elements.
    List,
    /// Non-frozen `set<T>`: cell paths are the elements, values are empty.
    Set,
    /// Non-frozen `map<K, V>`: cell paths are keys, values are values.
    Map,
    /// Non-frozen user-defined type: cell paths are field positions (a big-endian `short`),
    /// values are field values.
    Udt {
        /// Field names in declaration order, indexed by the cell path.
        fields: Vec<String>,
    },
}

impl ColumnKind {
    /// Whether cells of this column carry a cell path (one cell per element or field).
    pub fn is_multi_cell(&self) -> bool {
        matches!(
            self,
            ColumnKind::List | ColumnKind::Set | ColumnKind::Map | ColumnKind::Udt { .. }
        )
    }
}

impl TargetTable {
    /// A new table description; `columns` are the regular and static columns.
    pub fn new(
        keyspace: impl Into<String>,
        name: impl Into<String>,
        partition_key: Vec<ColumnSpec>,
        clustering: Vec<ColumnSpec>,
        columns: Vec<ColumnSpec>,
    ) -> Self {
        TargetTable {
            keyspace: keyspace.into(),
            name: name.into(),
            partition_key,
            clustering,
            columns,
            default_ttl: false,
        }
    }

    /// Whether any column is a counter (then the whole table is a counter table).
    pub fn is_counter_table(&self) -> bool {
        self.columns.iter().any(|c| c.kind == ColumnKind::Counter)
    }

    /// `"ks"."table"`, quoted for CQL.
    pub fn qualified_name(&self) -> String {
        format!("{}.{}", quote_ident(&self.keyspace), quote_ident(&self.name))
    }
}

impl ColumnSpec {
    /// A regular column of the given kind.
    pub fn new(name: impl Into<String>, kind: ColumnKind) -> Self {
        ColumnSpec { name: name.into(), kind, is_static: false }
    }

    /// A static column of the given kind.
    pub fn new_static(name: impl Into<String>, kind: ColumnKind) -> Self {
        ColumnSpec { name: name.into(), kind, is_static: true }
    }

    /// A primary-key column (partition key or clustering); key columns are always simple.
    pub fn key(name: impl Into<String>) -> Self {
        ColumnSpec::new(name, ColumnKind::Simple)
    }
}

/// Quotes a CQL identifier so names are taken exactly as stored (case, reserved words).
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// When an expiring cell or row marker dies: Cassandra's `localExpirationTime`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Expiry {
    /// The TTL the data was written with, in seconds (for reports; the remaining TTL is
    /// computed from `local_expiration_time`).
    pub ttl: u32,
    /// Seconds since the epoch at which the data expires.
    pub local_expiration_time: i64,
}

/// The primary-key liveness of a row (the "row marker" an `INSERT` writes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Liveness {
    /// Write timestamp in microseconds.
    pub timestamp: i64,
    /// Set when the row was inserted with a TTL.
    pub expiry: Option<Expiry>,
}

/// The value a [`Cell`] carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellValue {
    /// The whole value of a simple column, serialized as in the SSTable.
    Simple(Bytes),
    /// One element of a multi-cell column: `path` is the cell path (list timeuuid, set
    /// element, map key, UDT field position), `value` the element value (empty for sets).
    Element {
        /// The cell path.
        path: Bytes,
        /// The element value.
        value: Bytes,
    },
    /// A counter's total value (the merge stage sums the counter context's shards).
    Counter(i64),
}

/// A live cell of a regular or static column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// Index into [`TargetTable::columns`].
    pub column: usize,
    /// Write timestamp in microseconds.
    pub timestamp: i64,
    /// Set for cells written with a TTL.
    pub expiry: Option<Expiry>,
    /// The value.
    pub value: CellValue,
}

/// One side of a clustering range: a prefix of clustering values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeBound {
    /// Clustering values, a prefix of the clustering columns (never empty).
    pub prefix: Vec<Bytes>,
    /// Whether rows equal to the prefix are part of the range.
    pub inclusive: bool,
}

/// A tombstone of the source. Written only with `--write-deletes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deletion {
    /// The whole partition (`DELETE FROM t WHERE pk = ?`).
    Partition {
        /// Deletion timestamp in microseconds.
        timestamp: i64,
    },
    /// The row at the mutation's clustering.
    Row {
        /// Deletion timestamp in microseconds.
        timestamp: i64,
    },
    /// A range of rows of the partition: clustering prefix `start` .. `end`; `None` is
    /// unbounded on that side.
    Range {
        /// Lower bound.
        start: Option<RangeBound>,
        /// Upper bound.
        end: Option<RangeBound>,
        /// Deletion timestamp in microseconds.
        timestamp: i64,
    },
    /// A simple cell, or a whole multi-cell column (a collection's complex deletion).
    Column {
        /// Index into [`TargetTable::columns`].
        column: usize,
        /// Deletion timestamp in microseconds.
        timestamp: i64,
    },
    /// One element of a multi-cell column.
    Element {
        /// Index into [`TargetTable::columns`].
        column: usize,
        /// The element's cell path.
        path: Bytes,
        /// Deletion timestamp in microseconds.
        timestamp: i64,
    },
}

/// Everything to write for one row fragment: a row (full clustering), the static row or a
/// partition-level fragment (no clustering), with its live cells and its tombstones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mutation {
    /// The table written to.
    pub table: Arc<TargetTable>,
    /// Serialized partition key values, one per partition key column (shared by the
    /// partition's rows).
    pub partition_key: Arc<[Bytes]>,
    /// Serialized clustering values: one per clustering column for a row, empty for the
    /// static row and partition-level fragments.
    pub clustering: Vec<Bytes>,
    /// The row's primary-key liveness, if it had one (it was written by `INSERT`).
    pub liveness: Option<Liveness>,
    /// Live cells (in column order, then cell path order for multi-cell columns).
    pub cells: Vec<Cell>,
    /// Tombstones of this fragment.
    pub deletions: Vec<Deletion>,
}

impl Mutation {
    /// An empty mutation of the row at `partition_key` / `clustering`.
    pub fn new(table: Arc<TargetTable>, partition_key: impl Into<Arc<[Bytes]>>, clustering: Vec<Bytes>) -> Self {
        Mutation {
            table,
            partition_key: partition_key.into(),
            clustering,
            liveness: None,
            cells: Vec::new(),
            deletions: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_ident_doubles_embedded_quotes() {
        assert_eq!(quote_ident("Weird\"Name"), "\"Weird\"\"Name\"");
        assert_eq!(quote_ident("select"), "\"select\"");
    }

    #[test]
    fn multi_cell_kinds() {
        assert!(ColumnKind::Map.is_multi_cell());
        assert!(ColumnKind::Udt { fields: vec![] }.is_multi_cell());
        assert!(!ColumnKind::Simple.is_multi_cell());
        assert!(!ColumnKind::Counter.is_multi_cell());
    }
}
