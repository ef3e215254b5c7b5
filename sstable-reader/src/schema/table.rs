//! The table a `schema.cql` describes, after its statements are applied in order: the
//! `CREATE TABLE`, then every `ALTER TABLE … DROP … USING TIMESTAMP` and re-`ADD`.
//!
//! Cassandra writes a dropped column twice: in the `CREATE TABLE` column list (with the type
//! it had) and in an `ALTER TABLE … DROP c USING TIMESTAMP t` after it; a column re-added
//! after a drop gets an `ALTER TABLE … ADD` after the `DROP`. Applying the statements in file
//! order therefore gives the live columns and, for each dropped column, its drop time.
//! Facts from `TableMetadata.appendCqlTo`/`appendDropColumns` and `DroppedColumn`,
//! <https://github.com/apache/cassandra/blob/trunk/src/java/org/apache/cassandra/schema/TableMetadata.java>.

use super::cql_type::CqlType;
use super::lex::{maybe_quote, OptionValue, QualifiedName};
use super::statement::{ClusteringOrder, ColumnDef, CreateTable, TableOption, UserType};

/// A non-clustering column of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Column name (case kept when it was quoted).
    pub name: String,
    /// Its CQL type.
    pub cql_type: CqlType,
    /// Whatever follows the type in its definition, as written (`MASKED WITH …`).
    pub extra: Option<String>,
}

/// A clustering column with its order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusteringColumn {
    /// Column name.
    pub name: String,
    /// Its CQL type (without the reversal: `order` says that).
    pub cql_type: CqlType,
    /// `ASC` or `DESC`.
    pub order: ClusteringOrder,
}

/// A column that was dropped, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DroppedColumn {
    /// Column name.
    pub name: String,
    /// The type it had, when the file says.
    pub cql_type: Option<CqlType>,
    /// Whether it was a static column.
    pub is_static: bool,
    /// Drop time in microseconds since the epoch (`USING TIMESTAMP`). Cells of this column
    /// with a timestamp at or before it are dead, even if a column of the same name exists
    /// again.
    pub dropped_at: i64,
}

/// What a column is in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Part of the partition key, at this position.
    PartitionKey(usize),
    /// A clustering column, at this position.
    Clustering(usize),
    /// A static column.
    Static,
    /// A regular column.
    Regular,
}

/// The definition of one table as `schema.cql` gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct TableSchema {
    /// Keyspace name.
    pub keyspace: String,
    /// Table name.
    pub name: String,
    /// The table id (`WITH ID = …`), lower-case UUID text; the data directory is
    /// `<table>-<id without dashes>`.
    pub id: Option<String>,
    /// Partition key columns in key order.
    pub partition_key: Vec<Column>,
    /// Clustering columns in key order.
    pub clustering: Vec<ClusteringColumn>,
    /// Static columns in the order written.
    pub static_columns: Vec<Column>,
    /// Regular columns in the order written.
    pub regular_columns: Vec<Column>,
    /// Dropped columns with their drop times.
    pub dropped_columns: Vec<DroppedColumn>,
    /// `WITH` options other than `ID`, `COMPACT STORAGE` and `CLUSTERING ORDER`, in written order.
    pub options: Vec<TableOption>,
    /// `WITH COMPACT STORAGE`.
    pub compact_storage: bool,
    /// Whether Cassandra wrote the table inside its "not compatible with CQL (was created via
    /// legacy API)" warning comment. The data is real; the DDL cannot be replayed as is.
    pub legacy_warning: bool,
    /// The user-defined types of the file, in the order defined (dependencies first).
    pub user_types: Vec<UserType>,
}

/// Why a `TableSchema` could not be built from a `CREATE TABLE` and its `ALTER`s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApplyError(pub String);

impl TableSchema {
    /// Builds the table from its `CREATE TABLE` statement.
    pub(crate) fn from_create(create: &CreateTable, in_warning_comment: bool) -> Result<TableSchema, ApplyError> {
        let Some(keyspace) = create.name.keyspace.clone() else {
            return Err(ApplyError(format!("table {} is not qualified with its keyspace", create.name)));
        };
        let find = |name: &str| create.columns.iter().find(|c| c.name == name);
        let mut partition_key = Vec::new();
        for name in &create.partition_key {
            let def = find(name).ok_or_else(|| ApplyError(format!("partition key column {} is not defined", maybe_quote(name))))?;
            partition_key.push(column_of(def));
        }
        let mut clustering = Vec::new();
        for name in &create.clustering {
            let def = find(name).ok_or_else(|| ApplyError(format!("clustering column {} is not defined", maybe_quote(name))))?;
            let order = create.clustering_order.iter().find(|(n, _)| n == name).map_or(ClusteringOrder::Asc, |(_, o)| *o);
            clustering.push(ClusteringColumn { name: name.clone(), cql_type: def.cql_type.clone(), order });
        }
        for (name, _) in &create.clustering_order {
            if !create.clustering.contains(name) {
                return Err(ApplyError(format!("CLUSTERING ORDER BY names {}, which is not a clustering column", maybe_quote(name))));
            }
        }
        let mut table = TableSchema {
            keyspace,
            name: create.name.name.clone(),
            id: create.id.clone(),
            partition_key,
            clustering,
            static_columns: Vec::new(),
            regular_columns: Vec::new(),
            dropped_columns: Vec::new(),
            options: create.options.clone(),
            compact_storage: create.compact_storage,
            legacy_warning: in_warning_comment,
            user_types: Vec::new(),
        };
        for def in &create.columns {
            if create.partition_key.contains(&def.name) || create.clustering.contains(&def.name) {
                continue;
            }
            table.add_column(def)?;
        }
        Ok(table)
    }

    /// Whether `name` is this table (keyspace and table name).
    pub(crate) fn is_named(&self, name: &QualifiedName, default_keyspace: Option<&str>) -> bool {
        let ks = name.keyspace.as_deref().or(default_keyspace);
        name.name == self.name && ks.is_none_or(|k| k == self.keyspace)
    }

    /// Adds a static or regular column (`ALTER TABLE … ADD`).
    pub(crate) fn add_column(&mut self, def: &ColumnDef) -> Result<(), ApplyError> {
        if self.column(&def.name).is_some() {
            return Err(ApplyError(format!("column {} is defined twice", maybe_quote(&def.name))));
        }
        if def.primary_key {
            return Err(ApplyError(format!("column {} cannot be added as PRIMARY KEY", maybe_quote(&def.name))));
        }
        let col = column_of(def);
        if def.is_static {
            self.static_columns.push(col);
        } else {
            self.regular_columns.push(col);
        }
        Ok(())
    }

    /// Drops a static or regular column at `timestamp` (`ALTER TABLE … DROP … USING TIMESTAMP`).
    pub(crate) fn drop_column(&mut self, name: &str, timestamp: i64) -> Result<(), ApplyError> {
        let (cql_type, is_static) = match self.column(name) {
            Some((ColumnKind::PartitionKey(_) | ColumnKind::Clustering(_), _)) => {
                return Err(ApplyError(format!("primary key column {} cannot be dropped", maybe_quote(name))));
            }
            Some((kind, col)) => (Some(col.cql_type.clone()), kind == ColumnKind::Static),
            // A drop of a column the file does not define still kills its older cells.
            None => (None, false),
        };
        self.static_columns.retain(|c| c.name != name);
        self.regular_columns.retain(|c| c.name != name);
        // Cassandra keeps one drop record per name: the latest.
        match self.dropped_columns.iter_mut().find(|d| d.name == name) {
            Some(d) => {
                d.dropped_at = d.dropped_at.max(timestamp);
                if cql_type.is_some() {
                    d.cql_type = cql_type;
                    d.is_static = is_static;
                }
            }
            None => self.dropped_columns.push(DroppedColumn { name: name.to_string(), cql_type, is_static, dropped_at: timestamp }),
        }
        Ok(())
    }

    /// Sets options (`ALTER TABLE … WITH`), replacing options of the same name.
    pub(crate) fn set_options(&mut self, options: &[TableOption]) {
        for opt in options {
            match self.options.iter_mut().find(|o| o.name == opt.name) {
                Some(o) => *o = opt.clone(),
                None => self.options.push(opt.clone()),
            }
        }
    }

    /// Renames a primary key column (`ALTER TABLE … RENAME`).
    pub(crate) fn rename_column(&mut self, from: &str, to: &str) -> Result<(), ApplyError> {
        if self.column(to).is_some() {
            return Err(ApplyError(format!("cannot rename {} to {}: that name exists", maybe_quote(from), maybe_quote(to))));
        }
        if let Some(c) = self.partition_key.iter_mut().find(|c| c.name == from) {
            c.name = to.to_string();
        } else if let Some(c) = self.clustering.iter_mut().find(|c| c.name == from) {
            c.name = to.to_string();
        } else {
            return Err(ApplyError(format!("only primary key columns can be renamed; {} is not one", maybe_quote(from))));
        }
        Ok(())
    }

    /// `keyspace.table`, quoted where CQL needs it.
    pub fn qualified_name(&self) -> String {
        format!("{}.{}", maybe_quote(&self.keyspace), maybe_quote(&self.name))
    }

    /// The table id without dashes, as in the data directory name `<table>-<id>`.
    pub fn id_hex(&self) -> Option<String> {
        self.id.as_ref().map(|id| id.replace('-', ""))
    }

    /// Partition key column names in key order.
    pub fn partition_key_names(&self) -> Vec<&str> {
        self.partition_key.iter().map(|c| c.name.as_str()).collect()
    }

    /// Clustering column names in key order.
    pub fn clustering_names(&self) -> Vec<&str> {
        self.clustering.iter().map(|c| c.name.as_str()).collect()
    }

    /// Finds a live column by name, with what it is. Clustering columns are returned as a
    /// [`Column`] without their order.
    pub fn column(&self, name: &str) -> Option<(ColumnKind, Column)> {
        if let Some(n) = self.partition_key.iter().position(|c| c.name == name) {
            return Some((ColumnKind::PartitionKey(n), self.partition_key[n].clone()));
        }
        if let Some(n) = self.clustering.iter().position(|c| c.name == name) {
            let c = &self.clustering[n];
            return Some((ColumnKind::Clustering(n), Column { name: c.name.clone(), cql_type: c.cql_type.clone(), extra: None }));
        }
        if let Some(c) = self.static_columns.iter().find(|c| c.name == name) {
            return Some((ColumnKind::Static, c.clone()));
        }
        self.regular_columns.iter().find(|c| c.name == name).map(|c| (ColumnKind::Regular, c.clone()))
    }

    /// The drop record of `name`, if that column was ever dropped.
    pub fn dropped(&self, name: &str) -> Option<&DroppedColumn> {
        self.dropped_columns.iter().find(|d| d.name == name)
    }

    /// Whether a cell of column `name` written at `timestamp` (µs) was killed by a column drop:
    /// Cassandra skips such cells when reading (`timestamp <= dropped time`), even when the
    /// column was added again later.
    pub fn is_dropped_cell(&self, name: &str, timestamp: i64) -> bool {
        self.dropped(name).is_some_and(|d| timestamp <= d.dropped_at)
    }

    /// Whether the table has counter columns (then all its non-key columns are counters).
    pub fn is_counter(&self) -> bool {
        self.static_columns.iter().chain(&self.regular_columns).any(|c| c.cql_type.is_counter())
    }

    /// Whether this is a "static" COMPACT STORAGE table (compact, no clustering columns): on
    /// disk its columns are stored as static cells of the partition, which CQL shows as
    /// regular columns.
    pub fn is_static_compact(&self) -> bool {
        self.compact_storage && self.clustering.is_empty()
    }

    /// The option named `name` (lower case), if written.
    pub fn option(&self, name: &str) -> Option<&TableOption> {
        self.options.iter().find(|o| o.name == name)
    }

    /// `default_time_to_live` in seconds (0 when absent).
    pub fn default_time_to_live(&self) -> i64 {
        match self.option("default_time_to_live").map(|o| &o.value) {
            Some(OptionValue::Number(n)) => n.parse().unwrap_or(0),
            _ => 0,
        }
    }

    /// Every live column in the order Cassandra lists them: partition key, clustering,
    /// static, regular.
    pub fn all_columns(&self) -> Vec<(ColumnKind, Column)> {
        let mut out = Vec::new();
        for (n, c) in self.partition_key.iter().enumerate() {
            out.push((ColumnKind::PartitionKey(n), c.clone()));
        }
        for (n, c) in self.clustering.iter().enumerate() {
            out.push((ColumnKind::Clustering(n), Column { name: c.name.clone(), cql_type: c.cql_type.clone(), extra: None }));
        }
        out.extend(self.static_columns.iter().map(|c| (ColumnKind::Static, c.clone())));
        out.extend(self.regular_columns.iter().map(|c| (ColumnKind::Regular, c.clone())));
        out
    }

    /// The definition of the user-defined type `name`, if the file has it.
    pub fn user_type(&self, name: &QualifiedName) -> Option<&UserType> {
        self.user_types.iter().find(|t| t.name.name == name.name && t.name.keyspace.as_deref().unwrap_or(&self.keyspace) == name.keyspace.as_deref().unwrap_or(&self.keyspace))
    }
}

fn column_of(def: &ColumnDef) -> Column {
    Column { name: def.name.clone(), cql_type: def.cql_type.clone(), extra: def.extra.clone() }
}
