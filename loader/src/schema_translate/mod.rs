//! `ksbulk schema`: turns the `schema.cql` files of a snapshot into DDL a target accepts,
//! and says what could not be carried.
//!
//! ```text
//!  schema.cql … ──> SchemaFile (sstable-reader)
//!                     keyspaces ──> CREATE KEYSPACE IF NOT EXISTS     keyspace.rs
//!                     types     ──> CREATE TYPE IF NOT EXISTS         table.rs
//!                     tables    ──> CREATE TABLE IF NOT EXISTS        table.rs + options.rs
//!                     indexes   ──> CREATE INDEX (Cassandra only)     table.rs
//!                     views, triggers, functions, aggregates ──> report only
//!                   every option dropped, object left out, decision taken ──> Report (report.rs)
//! ```
//!
//! For Amazon Keyspaces the tables get `custom_properties` with the capacity mode,
//! client-side timestamps (needed for `USING TIMESTAMP`) and TTL when the data has TTLs
//! (`--ttl auto` reads the SSTables' Statistics.db beside each schema file, ttl.rs). See
//! `../shared/DESIGN.md`, "Amazon Keyspaces facts".

mod apply;
mod keyspace;
mod options;
mod report;
mod table;
pub mod ttl;

use std::path::PathBuf;

pub use apply::{apply, ApplyError};
pub use keyspace::{DEFAULT_CASSANDRA_REPLICATION, KEYSPACES_REPLICATION};
pub use options::Capacity;
pub use report::{Report, ReportItem, Severity};
pub use table::unqualified;
pub(crate) use table::is_empty_type;

use sstable_reader::schema::{maybe_quote, QualifiedName, SchemaFile, Statement, TableOption, UserType};

use crate::cli::schema::{TargetKind, TtlArg};
use table::{IndexDef, TableSettings};

/// One schema file to translate.
#[derive(Debug, Clone)]
pub struct SchemaInput {
    /// Where it was read (for messages).
    pub path: PathBuf,
    /// Its statements and tables.
    pub file: SchemaFile,
    /// Whether the SSTables beside it hold TTLs (`None`: no SSTables there).
    pub data_has_ttls: Option<bool>,
}

/// How to translate.
#[derive(Debug, Clone)]
pub struct TranslateOptions {
    /// The target database.
    pub target: TargetKind,
    /// Keyspaces throughput mode.
    pub capacity: Capacity,
    /// Keyspaces TTL: decided from the data, forced on, or off.
    pub ttl: TtlArg,
    /// Cassandra replication map (CQL text), overriding the source's.
    pub replication: Option<String>,
    /// Keyspaces to create under another name: (source, target).
    pub rename: Vec<(String, String)>,
}

/// What a statement creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DdlKind {
    /// A keyspace.
    Keyspace,
    /// A user-defined type.
    Type,
    /// A table.
    Table,
    /// A secondary index.
    Index,
}

/// One DDL statement (without the final `;`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ddl {
    /// What it creates.
    pub kind: DdlKind,
    /// Keyspace of the object (target name).
    pub keyspace: String,
    /// Name of the object (the keyspace's own name for a keyspace).
    pub name: String,
    /// The statement.
    pub cql: String,
}

/// The DDL and the report.
#[derive(Debug, Clone, Default)]
pub struct Translation {
    /// Statements in the order to run them: keyspaces, types, tables, indexes.
    pub statements: Vec<Ddl>,
    /// Everything dropped, left out or decided.
    pub report: Report,
}

impl Translation {
    /// The statements as a CQL script (each ending in `;`, a blank line between).
    pub fn script(&self) -> String {
        self.statements.iter().map(|d| format!("{};\n", d.cql)).collect::<Vec<_>>().join("\n")
    }
}

/// Why the schema files could not be translated.
#[derive(Debug, thiserror::Error)]
pub enum SchemaTranslateError {
    /// Two files define one type differently.
    #[error("type {name} is defined differently in {first} and {second}; translate them separately")]
    TypeConflict {
        /// `ks.type`.
        name: String,
        /// A file defining it.
        first: String,
        /// Another file defining it otherwise.
        second: String,
    },
    /// Two files define one table differently.
    #[error("table {name} is defined differently in {first} and {second}; translate them separately")]
    TableConflict {
        /// `ks.table`.
        name: String,
        /// A file defining it.
        first: String,
        /// Another file defining it otherwise.
        second: String,
    },
    /// A type is not qualified and its file has no table to take the keyspace from.
    #[error("{file}: type {name} names no keyspace and the file has no table to take it from")]
    UnqualifiedType {
        /// The file.
        file: String,
        /// The type.
        name: String,
    },
}

/// Translates the schema files for the target.
///
/// # Errors
/// [`SchemaTranslateError`] when files disagree on a type or table, or a type's keyspace
/// is unknown.
pub fn translate(inputs: &[SchemaInput], opts: &TranslateOptions) -> Result<Translation, SchemaTranslateError> {
    let mut out = Translation::default();
    let rename = |ks: &str| -> String { opts.rename.iter().find(|(from, _)| from == ks).map_or_else(|| ks.to_string(), |(_, to)| to.clone()) };

    // Collect in first-seen order, merging what several files repeat.
    let mut keyspaces: Vec<(String, Option<Vec<TableOption>>)> = Vec::new();
    let mut types: Vec<(String, UserType, Vec<UserType>, String)> = Vec::new(); // (target ks, type, sibling types, file)
    let mut tables: Vec<(String, &sstable_reader::schema::TableSchema, &SchemaInput)> = Vec::new();
    let note_keyspace = |ks: String, keyspaces: &mut Vec<(String, Option<Vec<TableOption>>)>| {
        if !keyspaces.iter().any(|(k, _)| *k == ks) {
            keyspaces.push((ks, None));
        }
    };
    for input in inputs {
        let file = input.path.display().to_string();
        let default_ks = input.file.tables.first().map(|t| t.keyspace.clone());
        let file_types: Vec<UserType> = input.file.user_types().cloned().collect();
        for st in &input.file.statements {
            match &st.statement {
                Statement::CreateKeyspace { name, options } => {
                    let target = rename(name);
                    match keyspaces.iter_mut().find(|(k, _)| *k == target) {
                        Some((_, o)) if o.is_none() => *o = Some(options.clone()),
                        Some(_) => {}
                        None => keyspaces.push((target, Some(options.clone()))),
                    }
                }
                Statement::CreateType(t) => {
                    let Some(ks) = t.name.keyspace.clone().or_else(|| default_ks.clone()) else {
                        return Err(SchemaTranslateError::UnqualifiedType { file, name: t.name.to_string() });
                    };
                    let ks = rename(&ks);
                    note_keyspace(ks.clone(), &mut keyspaces);
                    match types.iter().find(|(k, u, _, _)| *k == ks && u.name.name == t.name.name) {
                        Some((_, u, _, first)) => {
                            if u.fields.iter().map(|(n, f)| (n, unqualified(f))).ne(t.fields.iter().map(|(n, f)| (n, unqualified(f)))) {
                                return Err(SchemaTranslateError::TypeConflict {
                                    name: format!("{}.{}", maybe_quote(&ks), maybe_quote(&t.name.name)),
                                    first: first.clone(),
                                    second: file,
                                });
                            }
                        }
                        None => types.push((ks, t.clone(), file_types.clone(), file.clone())),
                    }
                }
                _ => {}
            }
        }
        for t in &input.file.tables {
            let ks = rename(&t.keyspace);
            note_keyspace(ks.clone(), &mut keyspaces);
            match tables.iter().find(|(k, other, _)| *k == ks && other.name == t.name) {
                Some((_, other, first)) => {
                    if !same_table(other, t) {
                        return Err(SchemaTranslateError::TableConflict {
                            name: format!("{}.{}", maybe_quote(&ks), maybe_quote(&t.name)),
                            first: first.path.display().to_string(),
                            second: file.clone(),
                        });
                    }
                }
                None => tables.push((ks, t, input)),
            }
        }
    }

    for (ks, source) in &keyspaces {
        let cql = keyspace::create_keyspace(opts.target, ks, source.as_deref(), opts.replication.as_deref(), &mut out.report);
        out.statements.push(Ddl { kind: DdlKind::Keyspace, keyspace: ks.clone(), name: ks.clone(), cql });
    }
    for (ks, t, siblings, _) in &types {
        if let Some(cql) = table::create_type(opts.target, ks, t, siblings, &mut out.report) {
            out.statements.push(Ddl { kind: DdlKind::Type, keyspace: ks.clone(), name: t.name.name.clone(), cql });
        }
    }
    for (ks, t, input) in &tables {
        let ttl = ttl_decision(opts, ks, t, input, &mut out.report);
        let settings = TableSettings { target: opts.target, capacity: opts.capacity, ttl };
        if let Some(cql) = table::create_table(t, ks, settings, &mut out.report) {
            out.statements.push(Ddl { kind: DdlKind::Table, keyspace: ks.clone(), name: t.name.clone(), cql });
        }
    }
    for input in inputs {
        other_statements(opts, &rename, input, &mut out);
    }
    Ok(out)
}

/// Whether two files' definitions of a table create the same table (ids and options may
/// differ between snapshots of one table; columns and key may not).
fn same_table(a: &sstable_reader::schema::TableSchema, b: &sstable_reader::schema::TableSchema) -> bool {
    let cols = |t: &sstable_reader::schema::TableSchema| {
        t.all_columns().into_iter().map(|(k, c)| (k, c.name, unqualified(&c.cql_type))).collect::<Vec<_>>()
    };
    cols(a) == cols(b) && a.clustering.iter().map(|c| c.order).eq(b.clustering.iter().map(|c| c.order))
}

/// Keyspaces: whether the table gets TTL enabled, with the reason reported.
fn ttl_decision(opts: &TranslateOptions, ks: &str, t: &sstable_reader::schema::TableSchema, input: &SchemaInput, report: &mut Report) -> bool {
    if opts.target != TargetKind::Keyspaces || t.is_counter() {
        return false;
    }
    let object = format!("{}.{}", maybe_quote(ks), maybe_quote(&t.name));
    let default_ttl = t.default_time_to_live();
    let dir = input.path.parent().map_or_else(|| ".".to_string(), |p| p.display().to_string());
    match opts.ttl {
        TtlArg::On => {
            report.push(&object, Severity::Note, "ttl enabled", "--ttl on; irreversible");
            true
        }
        TtlArg::Off => {
            if input.data_has_ttls == Some(true) {
                report.push(&object, Severity::NotCarried, "TTLs of the data", format!("the SSTables in {dir} hold TTL'd cells but --ttl off: Keyspaces will refuse their writes"));
            }
            false
        }
        TtlArg::Auto if default_ttl > 0 => {
            report.push(&object, Severity::Note, "ttl enabled", format!("the table has default_time_to_live = {default_ttl}; irreversible"));
            true
        }
        TtlArg::Auto => match input.data_has_ttls {
            Some(true) => {
                report.push(&object, Severity::Note, "ttl enabled", format!("the SSTables in {dir} hold TTL'd cells; irreversible"));
                true
            }
            Some(false) => false,
            None => {
                report.push(
                    &object,
                    Severity::Note,
                    "ttl not enabled",
                    format!("no SSTables in {dir} to look at; pass --ttl on if the data has TTLs (TTL can also be enabled later, irreversibly)"),
                );
                false
            }
        },
    }
}

/// Indexes (Cassandra), and the report lines of views, triggers, functions and aggregates.
fn other_statements(opts: &TranslateOptions, rename: &dyn Fn(&str) -> String, input: &SchemaInput, out: &mut Translation) {
    let default_ks = input.file.tables.first().map(|t| t.keyspace.clone()).unwrap_or_default();
    let object_of = |name: &QualifiedName| format!("{}.{}", maybe_quote(&rename(name.keyspace.as_deref().unwrap_or(&default_ks))), maybe_quote(&name.name));
    let keyspaces = opts.target == TargetKind::Keyspaces;
    for st in &input.file.statements {
        match &st.statement {
            Statement::CreateIndex { name, table, targets, custom_class, options } => {
                let table_object = object_of(table);
                let def = IndexDef { name: name.as_deref(), targets, custom_class: custom_class.as_deref(), options: options.as_ref() };
                if let Some(cql) = table::create_index(opts.target, &table_object, def, &mut out.report) {
                    let ks = rename(table.keyspace.as_deref().unwrap_or(&default_ks));
                    let ddl = Ddl { kind: DdlKind::Index, keyspace: ks, name: name.clone().unwrap_or_default(), cql };
                    if !out.statements.contains(&ddl) {
                        out.statements.push(ddl);
                    }
                }
            }
            Statement::CreateMaterializedView { name, base_table } => {
                let why = if keyspaces {
                    "Keyspaces has no materialized views".to_string()
                } else {
                    format!("create it after the load from its base table {} (materialized views are off by default in Cassandra 4.0+)", object_of(base_table))
                };
                out.report.push(object_of(name), Severity::NotCarried, "materialized view", why);
            }
            Statement::CreateTrigger { name, table, class } => {
                let why = if keyspaces { "Keyspaces has no triggers".to_string() } else { format!("its class '{class}' must be installed on every target node; create it after the load") };
                out.report.push(object_of(table), Severity::NotCarried, format!("trigger {}", maybe_quote(name)), why);
            }
            Statement::CreateFunction { name } => {
                let why = if keyspaces { "Keyspaces has no user-defined functions" } else { "user-defined functions are off by default; recreate it from the source after the load" };
                out.report.push(object_of(name), Severity::NotCarried, "function", why);
            }
            Statement::CreateAggregate { name } => {
                let why = if keyspaces { "Keyspaces has no user-defined aggregates" } else { "user-defined aggregates need user-defined functions, off by default; recreate it from the source after the load" };
                out.report.push(object_of(name), Severity::NotCarried, "aggregate", why);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
