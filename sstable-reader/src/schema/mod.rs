//! `schema.cql`: the CQL Cassandra writes beside every snapshot (`snapshots/<tag>/schema.cql`),
//! parsed into the table definition the reader and loader need — partition key and
//! clustering column names and types, clustering order, static/regular columns, dropped
//! columns with their drop times, COMPACT STORAGE, options — plus the other statements
//! (keyspace, types, indexes, views, triggers, functions) so a schema translator can report
//! what a target cannot carry.
//!
//! ```text
//!  schema.cql ──> statements (lex.rs, cql_type.rs, statement.rs)
//!             ──> CREATE TYPE …            → UserType
//!                 CREATE TABLE … WITH ID …  → TableSchema ──┐
//!                 ALTER TABLE … DROP … USING TIMESTAMP t ──┤ applied in file order (table.rs)
//!                 ALTER TABLE … ADD …  ────────────────────┘
//!                 CREATE INDEX / MATERIALIZED VIEW / …      → kept as statements
//! ```
//!
//! What Cassandra writes: 3.x `TableCQLHelper` (`ColumnFamilyStoreCQLHelper` in 3.0): columns
//! indented with tabs, `CREATE TYPE ks.t(…)`, options `WITH ID = … AND COMPACT STORAGE AND
//! CLUSTERING ORDER BY (…) AND …`; 4.0–5.0 `SchemaCQLHelper.reCreateStatementsForSchemaCql`
//! with `TableMetadata.appendCqlTo`: `CREATE TYPE IF NOT EXISTS`, four-space indent,
//! `WITH ID = …`, and COMPACT STORAGE tables inside a `/* Warning: … */` comment. See
//! <https://github.com/apache/cassandra/blob/trunk/src/java/org/apache/cassandra/db/SchemaCQLHelper.java>.
//!
//! The parser is strict: a statement it does not know is an error naming the file and byte
//! offset, so that an unparsed `ALTER TABLE … DROP` can never be silently ignored.

mod cql_type;
mod error;
mod lex;
mod statement;
mod table;

use std::path::Path;

pub use cql_type::{CqlType, NativeType};
pub use error::SchemaError;
pub use lex::{maybe_quote, OptionValue, QualifiedName};
pub use statement::{ClusteringOrder, ColumnDef, CreateTable, ParsedStatement, Statement, TableOption, UserType};
pub use table::{ClusteringColumn, Column, ColumnKind, DroppedColumn, TableSchema};

use lex::{PError, Res};

/// Everything one `schema.cql` file holds.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaFile {
    /// Every statement in file order, with its offset and text.
    pub statements: Vec<ParsedStatement>,
    /// The tables, after all `ALTER TABLE` statements were applied.
    pub tables: Vec<TableSchema>,
}

impl SchemaFile {
    /// Parses the content of a `schema.cql` file. `file` is used in error messages only.
    ///
    /// # Errors
    /// A [`SchemaError`] with the byte offset of the first statement, clause or token that is
    /// not what Cassandra writes, or of an `ALTER TABLE` that cannot apply.
    pub fn parse(text: &str, file: impl AsRef<Path>) -> Result<SchemaFile, SchemaError> {
        let file = file.as_ref();
        let mut statements = Vec::new();
        parse_statements(text, text, false, &mut statements).map_err(|e| {
            let offset = offset_in(text, e.input);
            let found = snippet(e.input);
            SchemaError::at(file, text, offset, format!("expected {}, found {found}", e.expected))
        })?;
        let tables = build_tables(&statements).map_err(|(offset, message)| SchemaError::at(file, text, offset, message))?;
        Ok(SchemaFile { statements, tables })
    }

    /// Parses the bytes of a `schema.cql` file (UTF-8).
    ///
    /// # Errors
    /// As [`SchemaFile::parse`]; also when the bytes are not UTF-8 (at the first bad byte).
    pub fn parse_bytes(bytes: &[u8], file: impl AsRef<Path>) -> Result<SchemaFile, SchemaError> {
        match std::str::from_utf8(bytes) {
            Ok(text) => SchemaFile::parse(text, file),
            Err(e) => {
                let good = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or("");
                Err(SchemaError::at(file.as_ref(), good, e.valid_up_to(), "expected UTF-8 text, found an invalid byte"))
            }
        }
    }

    /// The one table of a snapshot's `schema.cql` (a snapshot holds one table per file).
    /// `None` when the file defines no table (a materialized view's snapshot) or several.
    pub fn table(&self) -> Option<&TableSchema> {
        match self.tables.as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }

    /// The table named `keyspace.name`.
    pub fn find_table(&self, keyspace: &str, name: &str) -> Option<&TableSchema> {
        self.tables.iter().find(|t| t.keyspace == keyspace && t.name == name)
    }

    /// The user-defined types, in file order.
    pub fn user_types(&self) -> impl Iterator<Item = &UserType> {
        self.statements.iter().filter_map(|s| match &s.statement {
            Statement::CreateType(t) => Some(t),
            _ => None,
        })
    }
}

/// Byte offset of `part` (a slice of `whole`) in `whole`.
fn offset_in(whole: &str, part: &str) -> usize {
    let start = whole.as_ptr() as usize;
    let at = part.as_ptr() as usize;
    if at >= start && at <= start + whole.len() {
        at - start
    } else {
        whole.len()
    }
}

/// What was found at an error: the next few characters, or "end of file".
fn snippet(at: &str) -> String {
    let t = at.trim_start();
    if t.is_empty() {
        return "end of file".to_string();
    }
    let line = t.lines().next().unwrap_or("");
    let short: String = line.chars().take(40).collect();
    format!("`{short}`")
}

/// Parses the statements of `part` (a slice of `whole`): blanks, comments, statements ending
/// in `;` (the last may omit it). Statements inside Cassandra's "not compatible with CQL"
/// warning comment are parsed too and flagged.
fn parse_statements<'a>(whole: &'a str, part: &'a str, in_warning: bool, out: &mut Vec<ParsedStatement>) -> Result<(), PError<'a>> {
    let mut rest = part;
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("--").or_else(|| rest.strip_prefix("//")) {
            rest = r.find('\n').map_or("", |n| &r[n..]);
            continue;
        }
        if let Some(body) = rest.strip_prefix("/*") {
            let Some(end) = body.find("*/") else { return Err(PError::new(rest, "the end `*/` of this block comment")) };
            let inner = &body[..end];
            if inner.trim_start().starts_with("Warning: Table") {
                if let Some(n) = inner.find("\nCREATE ") {
                    parse_statements(whole, &inner[n + 1..], true, out)?;
                }
            }
            rest = &body[end + 2..];
            continue;
        }
        if rest.is_empty() {
            return Ok(());
        }
        let start = rest;
        let (after, statement) = unwrap_res(statement::statement(rest))?;
        let (after_blank, _) = unwrap_res(lex::sp(after))?;
        let text = start[..start.len() - after.len()].trim_end().to_string();
        rest = if let Some(r) = after_blank.strip_prefix(';') {
            r
        } else if after_blank.is_empty() {
            after_blank
        } else {
            return Err(PError::new(after_blank, "`;` ending the statement"));
        };
        out.push(ParsedStatement { offset: offset_in(whole, start), text, in_warning_comment: in_warning, statement });
    }
}

fn unwrap_res<'a, O>(r: Res<'a, O>) -> Result<(&'a str, O), PError<'a>> {
    r.map_err(|e| match e {
        nom::Err::Error(e) | nom::Err::Failure(e) => e,
        nom::Err::Incomplete(_) => PError::new("", "more input"),
    })
}

/// Applies the statements in order: tables from `CREATE TABLE`, then their `ALTER`s.
fn build_tables(statements: &[ParsedStatement]) -> Result<Vec<TableSchema>, (usize, String)> {
    let mut tables: Vec<TableSchema> = Vec::new();
    let mut types: Vec<UserType> = Vec::new();
    for st in statements {
        let err = |m: String| (st.offset, m);
        let find = |tables: &mut Vec<TableSchema>, name: &QualifiedName| -> Result<usize, (usize, String)> {
            tables
                .iter()
                .position(|t| t.is_named(name, None))
                .ok_or_else(|| (st.offset, format!("ALTER TABLE {name}: no CREATE TABLE for it before this statement")))
        };
        match &st.statement {
            Statement::CreateType(t) => types.push(t.clone()),
            Statement::CreateTable(create) => {
                let mut table = TableSchema::from_create(create, st.in_warning_comment).map_err(|e| err(e.0))?;
                table.user_types = types.clone();
                if tables.iter().any(|t| t.keyspace == table.keyspace && t.name == table.name) {
                    return Err(err(format!("table {} is created twice", table.qualified_name())));
                }
                tables.push(table);
            }
            Statement::AlterTableDrop { table, columns, timestamp } => {
                let n = find(&mut tables, table)?;
                let Some(ts) = timestamp else {
                    return Err(err(format!(
                        "ALTER TABLE {table} DROP without USING TIMESTAMP: the drop time is needed to know which cells it removed"
                    )));
                };
                for c in columns {
                    tables[n].drop_column(c, *ts).map_err(|e| err(e.0))?;
                }
            }
            Statement::AlterTableAdd { table, columns } => {
                let n = find(&mut tables, table)?;
                for c in columns {
                    tables[n].add_column(c).map_err(|e| err(e.0))?;
                }
            }
            Statement::AlterTableWith { table, options } => {
                let n = find(&mut tables, table)?;
                tables[n].set_options(options);
            }
            Statement::AlterTableRename { table, renames } => {
                let n = find(&mut tables, table)?;
                for (from, to) in renames {
                    tables[n].rename_column(from, to).map_err(|e| err(e.0))?;
                }
            }
            _ => {}
        }
    }
    Ok(tables)
}

#[cfg(test)]
mod tests;
