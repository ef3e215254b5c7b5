//! The statements `schema.cql` holds, one parser each: `CREATE TYPE`, `CREATE TABLE`,
//! `ALTER TABLE … DROP … USING TIMESTAMP` / `ADD`, `CREATE INDEX`, and, so that a schema
//! translator can report them, `CREATE KEYSPACE`, `CREATE MATERIALIZED VIEW`,
//! `CREATE TRIGGER`, `CREATE FUNCTION` and `CREATE AGGREGATE`.
//!
//! What Cassandra writes: `SchemaCQLHelper.reCreateStatementsForSchemaCql` (4.0+,
//! `TableMetadata.appendCqlTo`) and `ColumnFamilyStoreCQLHelper`/`TableCQLHelper` (3.x),
//! <https://github.com/apache/cassandra/blob/trunk/src/java/org/apache/cassandra/db/SchemaCQLHelper.java>.

use super::cql_type::{cql_type, CqlType};
use super::lex::{
    balanced_until_comma_or_paren, cut, fail, failure, ident, kw, peek_kw, punct, qualified_name, rest_of_statement, signed, sp,
    string_literal, term, uuid_literal, OptionValue, QualifiedName, Res,
};

/// One statement of the file.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Statement {
    /// `CREATE KEYSPACE`.
    CreateKeyspace {
        /// Keyspace name.
        name: String,
        /// `replication`, `durable_writes`, … in written order.
        options: Vec<TableOption>,
    },
    /// `CREATE TYPE`.
    CreateType(UserType),
    /// `CREATE TABLE`.
    CreateTable(CreateTable),
    /// `ALTER TABLE t DROP c [USING TIMESTAMP n]` (one or several columns).
    AlterTableDrop {
        /// The table.
        table: QualifiedName,
        /// The dropped columns.
        columns: Vec<String>,
        /// The drop time in microseconds since the epoch, when given.
        timestamp: Option<i64>,
    },
    /// `ALTER TABLE t ADD c type [static]` (one or several columns).
    AlterTableAdd {
        /// The table.
        table: QualifiedName,
        /// The added columns.
        columns: Vec<ColumnDef>,
    },
    /// `ALTER TABLE t WITH options`.
    AlterTableWith {
        /// The table.
        table: QualifiedName,
        /// The options set.
        options: Vec<TableOption>,
    },
    /// `ALTER TABLE t RENAME a TO b [AND c TO d]`.
    AlterTableRename {
        /// The table.
        table: QualifiedName,
        /// (old, new) name pairs.
        renames: Vec<(String, String)>,
    },
    /// `CREATE [CUSTOM] INDEX`.
    CreateIndex {
        /// Index name (Cassandra always writes one).
        name: Option<String>,
        /// Indexed table.
        table: QualifiedName,
        /// The targets as written: `reg2`, `values(reg1)`, `keys(m)`, `entries(m)`, `full(f)`.
        targets: Vec<String>,
        /// The index class of a custom index (`USING '…'`).
        custom_class: Option<String>,
        /// `WITH OPTIONS = {…}`.
        options: Option<OptionValue>,
    },
    /// `CREATE MATERIALIZED VIEW`.
    CreateMaterializedView {
        /// The view.
        name: QualifiedName,
        /// Its base table (`FROM`).
        base_table: QualifiedName,
    },
    /// `CREATE TRIGGER name ON table USING 'class'`.
    CreateTrigger {
        /// Trigger name.
        name: String,
        /// The table.
        table: QualifiedName,
        /// The Java class.
        class: String,
    },
    /// `CREATE [OR REPLACE] FUNCTION`.
    CreateFunction {
        /// Function name.
        name: QualifiedName,
    },
    /// `CREATE [OR REPLACE] AGGREGATE`.
    CreateAggregate {
        /// Aggregate name.
        name: QualifiedName,
    },
}

/// A parsed statement with where it is in the file and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedStatement {
    /// Byte offset of the statement's first keyword.
    pub offset: usize,
    /// The statement's text, without the final `;`.
    pub text: String,
    /// Whether the statement sits inside the `/* Warning: Table … omitted because it has
    /// constructs not compatible with CQL … */` comment Cassandra writes around tables it
    /// cannot express in CQL (COMPACT STORAGE tables on 4.0+, super columns). Such a table
    /// still has data on disk.
    pub in_warning_comment: bool,
    /// The statement.
    pub statement: Statement,
}

/// A user-defined type (`CREATE TYPE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserType {
    /// The type's name, qualified when the statement qualified it.
    pub name: QualifiedName,
    /// Its fields in order.
    pub fields: Vec<(String, CqlType)>,
}

/// One column as `CREATE TABLE` or `ALTER TABLE … ADD` define it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnDef {
    /// Column name (case kept when quoted).
    pub name: String,
    /// Its type.
    pub cql_type: CqlType,
    /// Whether it is a static column.
    pub is_static: bool,
    /// Whether the definition says `PRIMARY KEY` (single-column primary key form).
    pub primary_key: bool,
    /// Whatever else follows the type, as written (`MASKED WITH …`, constraints).
    pub extra: Option<String>,
}

/// A `name = value` option of a `WITH` clause.
#[derive(Debug, Clone, PartialEq)]
pub struct TableOption {
    /// Option name, lower case.
    pub name: String,
    /// The value as written.
    pub raw: String,
    /// The value parsed.
    pub value: OptionValue,
}

/// Clustering order of one clustering column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClusteringOrder {
    /// `ASC` (the default).
    Asc,
    /// `DESC` (the column's type is reversed on disk).
    Desc,
}

/// The parts of a `CREATE TABLE` statement, as written.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateTable {
    /// The table.
    pub name: QualifiedName,
    /// Column definitions in written order.
    pub columns: Vec<ColumnDef>,
    /// Partition key column names (from `PRIMARY KEY` or a column's own `PRIMARY KEY`).
    pub partition_key: Vec<String>,
    /// Clustering column names in key order.
    pub clustering: Vec<String>,
    /// `ID = …`, lower case.
    pub id: Option<String>,
    /// `COMPACT STORAGE`.
    pub compact_storage: bool,
    /// `CLUSTERING ORDER BY (…)`.
    pub clustering_order: Vec<(String, ClusteringOrder)>,
    /// Every other `WITH` option in written order.
    pub options: Vec<TableOption>,
}

/// Parses one statement (blanks before it already skipped), up to but not including `;`.
pub(crate) fn statement(i: &str) -> Res<'_, Statement> {
    if peek_kw(i, "create") {
        let (r, _) = kw("create")(i)?;
        if peek_kw(r, "keyspace") {
            return create_keyspace(kw("keyspace")(r)?.0);
        }
        if peek_kw(r, "type") {
            return create_type(kw("type")(r)?.0);
        }
        if peek_kw(r, "table") || peek_kw(r, "columnfamily") {
            let r = kw("table")(r).or_else(|_| kw("columnfamily")(r))?.0;
            return create_table(r);
        }
        if peek_kw(r, "custom") || peek_kw(r, "index") {
            return create_index(r);
        }
        if peek_kw(r, "materialized") {
            let (r, _) = kw("materialized")(r)?;
            let (r, _) = cut(kw("view")(r))?;
            return create_view(r);
        }
        if peek_kw(r, "trigger") {
            return create_trigger(kw("trigger")(r)?.0);
        }
        let (r2, _) = or_replace(r)?;
        if peek_kw(r2, "function") {
            let (r3, name) = routine_name(kw("function")(r2)?.0)?;
            return Ok((r3, Statement::CreateFunction { name }));
        }
        if peek_kw(r2, "aggregate") {
            let (r3, name) = routine_name(kw("aggregate")(r2)?.0)?;
            return Ok((r3, Statement::CreateAggregate { name }));
        }
        return failure(sp(r)?.0, "KEYSPACE, TYPE, TABLE, INDEX, MATERIALIZED VIEW, TRIGGER, FUNCTION or AGGREGATE after CREATE");
    }
    if peek_kw(i, "alter") {
        let (r, _) = kw("alter")(i)?;
        let (r, _) = cut(kw("table")(r).or_else(|_| kw("columnfamily")(r)))
            .map_err(|_| nom::Err::Failure(super::lex::PError::new(sp(r).map_or(r, |x| x.0), "TABLE after ALTER")))?;
        return alter_table(r);
    }
    fail(i, "a CREATE or ALTER statement")
}

fn if_not_exists(i: &str) -> Res<'_, bool> {
    if peek_kw(i, "if") {
        let (r, _) = kw("if")(i)?;
        let (r, _) = cut(kw("not")(r))?;
        let (r, _) = cut(kw("exists")(r))?;
        return Ok((r, true));
    }
    Ok((i, false))
}

fn or_replace(i: &str) -> Res<'_, bool> {
    if peek_kw(i, "or") {
        let (r, _) = kw("or")(i)?;
        let (r, _) = cut(kw("replace")(r))?;
        return Ok((r, true));
    }
    Ok((i, false))
}

fn routine_name(i: &str) -> Res<'_, QualifiedName> {
    let (r, _) = if_not_exists(i)?;
    let (r, name) = cut(qualified_name(r))?;
    // Arguments, body and options are kept only as text.
    let (r, _) = rest_of_statement(r)?;
    Ok((r, name))
}

fn create_keyspace(i: &str) -> Res<'_, Statement> {
    let (r, _) = if_not_exists(i)?;
    let (r, name) = cut(ident(r))?;
    let (r, options) = if peek_kw(r, "with") { with_options(kw("with")(r)?.0)? } else { (r, Vec::new()) };
    Ok((r, Statement::CreateKeyspace { name, options }))
}

/// `name = term (AND name = term)*`.
fn with_options(i: &str) -> Res<'_, Vec<TableOption>> {
    let mut out = Vec::new();
    let mut r = i;
    loop {
        let (r2, opt) = cut(option(r))?;
        out.push(opt);
        if !peek_kw(r2, "and") {
            return Ok((r2, out));
        }
        r = kw("and")(r2)?.0;
    }
}

fn option(i: &str) -> Res<'_, TableOption> {
    let (r, name) = ident(i)?;
    let (r, _) = cut(punct("=")(r))?;
    let (r, _) = sp(r)?;
    let start = r;
    let (r2, value) = cut(term(r))?;
    let raw = start[..start.len() - r2.len()].trim_end().to_string();
    Ok((r2, TableOption { name, raw, value }))
}

fn create_type(i: &str) -> Res<'_, Statement> {
    let (r, _) = if_not_exists(i)?;
    let (r, name) = cut(qualified_name(r))?;
    let (mut r, _) = cut(punct("(")(r))?;
    let mut fields = Vec::new();
    if let Ok((r2, _)) = punct(")")(r) {
        return Ok((r2, Statement::CreateType(UserType { name, fields })));
    }
    loop {
        let (r2, field) = cut(ident(r))?;
        let (r2, t) = cut(cql_type(r2))?;
        fields.push((field, t));
        if let Ok((r3, _)) = punct(")")(r2) {
            return Ok((r3, Statement::CreateType(UserType { name, fields })));
        }
        r = cut(punct(",")(r2))?.0;
    }
}

fn create_table(i: &str) -> Res<'_, Statement> {
    let (r, _) = if_not_exists(i)?;
    let (r, name) = cut(qualified_name(r))?;
    let (mut r, _) = cut(punct("(")(r))?;
    let mut columns: Vec<ColumnDef> = Vec::new();
    let mut key: Option<(Vec<String>, Vec<String>)> = None;
    loop {
        if peek_kw(r, "primary") {
            let at = sp(r)?.0;
            if key.is_some() {
                return failure(at, "one PRIMARY KEY clause only");
            }
            let (r2, k) = primary_key_clause(r)?;
            key = Some(k);
            r = r2;
        } else {
            let (r2, col) = cut(column_def(r))?;
            columns.push(col);
            r = r2;
        }
        if let Ok((r2, _)) = punct(")")(r) {
            r = r2;
            break;
        }
        r = cut(punct(",")(r))?.0;
        // Cassandra 4.0+ writes a comma after the last column of a single-key table that
        // lists dropped columns; tolerate a trailing comma before `)`.
        if let Ok((r2, _)) = punct(")")(r) {
            r = r2;
            break;
        }
    }
    let inline_keys: Vec<String> = columns.iter().filter(|c| c.primary_key).map(|c| c.name.clone()).collect();
    let (partition_key, clustering) = match (key, inline_keys.as_slice()) {
        (Some(k), []) => k,
        (None, [one]) => (vec![one.clone()], Vec::new()),
        (Some(_), _) => return failure(i, "either a PRIMARY KEY clause or a column marked PRIMARY KEY, not both"),
        (None, []) => return failure(i, "a primary key in this CREATE TABLE"),
        (None, _) => return failure(i, "only one column marked PRIMARY KEY"),
    };
    let mut table = CreateTable {
        name,
        columns,
        partition_key,
        clustering,
        id: None,
        compact_storage: false,
        clustering_order: Vec::new(),
        options: Vec::new(),
    };
    if !peek_kw(r, "with") {
        return Ok((r, Statement::CreateTable(table)));
    }
    r = kw("with")(r)?.0;
    loop {
        r = table_property(r, &mut table)?.0;
        if !peek_kw(r, "and") {
            return Ok((r, Statement::CreateTable(table)));
        }
        r = kw("and")(r)?.0;
    }
}

fn table_property<'a>(i: &'a str, table: &mut CreateTable) -> Res<'a, ()> {
    if peek_kw(i, "compact") {
        let (r, _) = kw("compact")(i)?;
        let (r, _) = cut(kw("storage")(r))?;
        table.compact_storage = true;
        return Ok((r, ()));
    }
    if peek_kw(i, "clustering") {
        let (r, _) = kw("clustering")(i)?;
        let (r, _) = cut(kw("order")(r))?;
        let (r, _) = cut(kw("by")(r))?;
        let (mut r, _) = cut(punct("(")(r))?;
        loop {
            let (r2, col) = cut(ident(r))?;
            let (r2, order) = if peek_kw(r2, "desc") {
                (kw("desc")(r2)?.0, ClusteringOrder::Desc)
            } else if peek_kw(r2, "asc") {
                (kw("asc")(r2)?.0, ClusteringOrder::Asc)
            } else {
                (r2, ClusteringOrder::Asc)
            };
            table.clustering_order.push((col, order));
            if let Ok((r3, _)) = punct(")")(r2) {
                return Ok((r3, ()));
            }
            r = cut(punct(",")(r2))?.0;
        }
    }
    if peek_kw(i, "id") {
        let (r, _) = kw("id")(i)?;
        let (r, _) = cut(punct("=")(r))?;
        let (r2, id) = match uuid_literal(r) {
            Ok(ok) => ok,
            // Older writers quote it.
            Err(_) => match string_literal(r) {
                Ok((r2, s)) if uuid_literal(&s).is_ok_and(|(rest, _)| rest.is_empty()) => (r2, s.to_ascii_lowercase()),
                _ => return failure(sp(r)?.0, "a table id (UUID)"),
            },
        };
        table.id = Some(id);
        return Ok((r2, ()));
    }
    let (r, opt) = cut(option(i))?;
    table.options.push(opt);
    Ok((r, ()))
}

/// `PRIMARY KEY (pk, ck1, ck2)` / `PRIMARY KEY ((pk1, pk2), ck1)`.
fn primary_key_clause(i: &str) -> Res<'_, (Vec<String>, Vec<String>)> {
    let (r, _) = kw("primary")(i)?;
    let (r, _) = cut(kw("key")(r))?;
    let (r, _) = cut(punct("(")(r))?;
    let names = |mut r| -> Res<'_, Vec<String>> {
        let mut out = Vec::new();
        loop {
            let (r2, n) = cut(ident(r))?;
            out.push(n);
            if let Ok((r3, _)) = punct(")")(r2) {
                return Ok((r3, out));
            }
            r = cut(punct(",")(r2))?.0;
        }
    };
    let (r, partition) = if let Ok((r2, _)) = punct("(")(r) {
        let (r2, pk) = names(r2)?;
        (r2, pk)
    } else {
        let (r2, pk) = cut(ident(r))?;
        (r2, vec![pk])
    };
    if let Ok((r2, _)) = punct(")")(r) {
        return Ok((r2, (partition, Vec::new())));
    }
    let (r, _) = cut(punct(",")(r))?;
    let (r, clustering) = names(r)?;
    Ok((r, (partition, clustering)))
}

/// `name type [static] [PRIMARY KEY] [extras…]`.
fn column_def(i: &str) -> Res<'_, ColumnDef> {
    let (r, name) = ident(i)?;
    let (mut r, cql_type) = cut(cql_type(r))?;
    let mut col = ColumnDef { name, cql_type, is_static: false, primary_key: false, extra: None };
    loop {
        if peek_kw(r, "static") {
            r = kw("static")(r)?.0;
            col.is_static = true;
        } else if peek_kw(r, "primary") {
            r = kw("primary")(r)?.0;
            r = cut(kw("key")(r))?.0;
            col.primary_key = true;
        } else {
            break;
        }
    }
    let (r2, _) = sp(r)?;
    if !(r2.is_empty() || r2.starts_with([',', ')', ';']) || r2.starts_with(|c: char| c.is_ascii_alphabetic())) {
        return failure(r2, "`,` or `)` after the column's type");
    }
    let (r, extra) = balanced_until_comma_or_paren(r2)?;
    if !extra.is_empty() {
        col.extra = Some(extra.to_string());
    }
    Ok((r, col))
}

fn alter_table(i: &str) -> Res<'_, Statement> {
    let (r, table) = cut(qualified_name(i))?;
    if peek_kw(r, "drop") {
        let (r, _) = kw("drop")(r)?;
        let (r, columns) = if let Ok((r2, _)) = punct("(")(r) {
            let mut cols = Vec::new();
            let mut r2 = r2;
            loop {
                let (r3, c) = cut(ident(r2))?;
                cols.push(c);
                if let Ok((r4, _)) = punct(")")(r3) {
                    break (r4, cols);
                }
                r2 = cut(punct(",")(r3))?.0;
            }
        } else {
            let (r2, c) = cut(ident(r))?;
            (r2, vec![c])
        };
        let (r, timestamp) = if peek_kw(r, "using") {
            let (r, _) = kw("using")(r)?;
            let (r, _) = cut(kw("timestamp")(r))?;
            let (r, ts) = cut(signed(r))?;
            (r, Some(ts))
        } else {
            (r, None)
        };
        return Ok((r, Statement::AlterTableDrop { table, columns, timestamp }));
    }
    if peek_kw(r, "add") {
        let (r, _) = kw("add")(r)?;
        let (r, _) = if_not_exists(r)?;
        if let Ok((mut r2, _)) = punct("(")(r) {
            let mut columns = Vec::new();
            loop {
                let (r3, c) = cut(column_def(r2))?;
                columns.push(c);
                if let Ok((r4, _)) = punct(")")(r3) {
                    return Ok((r4, Statement::AlterTableAdd { table, columns }));
                }
                r2 = cut(punct(",")(r3))?.0;
            }
        }
        let (r, c) = cut(column_def(r))?;
        return Ok((r, Statement::AlterTableAdd { table, columns: vec![c] }));
    }
    if peek_kw(r, "with") {
        let (r, options) = with_options(kw("with")(r)?.0)?;
        return Ok((r, Statement::AlterTableWith { table, options }));
    }
    if peek_kw(r, "rename") {
        let (mut r, _) = kw("rename")(r)?;
        let mut renames = Vec::new();
        loop {
            let (r2, from) = cut(ident(r))?;
            let (r2, _) = cut(kw("to")(r2))?;
            let (r2, to) = cut(ident(r2))?;
            renames.push((from, to));
            if !peek_kw(r2, "and") {
                return Ok((r2, Statement::AlterTableRename { table, renames }));
            }
            r = kw("and")(r2)?.0;
        }
    }
    failure(sp(r)?.0, "DROP, ADD, WITH or RENAME in ALTER TABLE")
}

fn create_index(i: &str) -> Res<'_, Statement> {
    let (r, custom) = if peek_kw(i, "custom") { (kw("custom")(i)?.0, true) } else { (i, false) };
    let (r, _) = cut(kw("index")(r))?;
    let (r, _) = if_not_exists(r)?;
    let (r, name) = if peek_kw(r, "on") { (r, None) } else { cut(ident(r)).map(|(r, n)| (r, Some(n)))? };
    let (r, _) = cut(kw("on")(r))?;
    let (r, table) = cut(qualified_name(r))?;
    let (mut r, _) = cut(punct("(")(r))?;
    let mut targets = Vec::new();
    loop {
        let (r2, _) = sp(r)?;
        let (r3, target) = balanced_until_comma_or_paren(r2)?;
        if target.is_empty() {
            return failure(r2, "an index target");
        }
        targets.push(target.to_string());
        if let Ok((r4, _)) = punct(")")(r3) {
            r = r4;
            break;
        }
        r = cut(punct(",")(r3))?.0;
    }
    let (r, custom_class) = if peek_kw(r, "using") {
        let (r, _) = kw("using")(r)?;
        let (r, class) = cut(string_literal(r))?;
        (r, Some(class))
    } else {
        (r, None)
    };
    if custom && custom_class.is_none() {
        return failure(sp(r)?.0, "USING '<class>' for a custom index");
    }
    let (r, options) = if peek_kw(r, "with") {
        let (r, _) = kw("with")(r)?;
        let (r, _) = cut(kw("options")(r))?;
        let (r, _) = cut(punct("=")(r))?;
        let (r, v) = cut(term(r))?;
        (r, Some(v))
    } else {
        (r, None)
    };
    Ok((r, Statement::CreateIndex { name, table, targets, custom_class, options }))
}

fn create_view(i: &str) -> Res<'_, Statement> {
    let (r, _) = if_not_exists(i)?;
    let (r, name) = cut(qualified_name(r))?;
    let (r, _) = cut(kw("as")(r))?;
    let (r, _) = cut(kw("select")(r))?;
    // Skip the selection up to FROM (column names only; no strings or keywords named FROM).
    let mut r = r;
    loop {
        if peek_kw(r, "from") {
            r = kw("from")(r)?.0;
            break;
        }
        let (r2, _) = sp(r)?;
        if r2.is_empty() || r2.starts_with(';') {
            return failure(r2, "FROM in CREATE MATERIALIZED VIEW");
        }
        r = match ident(r2) {
            Ok((r3, _)) => r3,
            Err(_) => &r2[r2.chars().next().map_or(1, char::len_utf8)..],
        };
    }
    let (r, base_table) = cut(qualified_name(r))?;
    let (r, _) = rest_of_statement(r)?;
    Ok((r, Statement::CreateMaterializedView { name, base_table }))
}

fn create_trigger(i: &str) -> Res<'_, Statement> {
    let (r, _) = if_not_exists(i)?;
    let (r, name) = cut(ident(r))?;
    let (r, _) = cut(kw("on")(r))?;
    let (r, table) = cut(qualified_name(r))?;
    let (r, _) = cut(kw("using")(r))?;
    let (r, class) = cut(string_literal(r))?;
    Ok((r, Statement::CreateTrigger { name, table, class }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Statement {
        let (rest, st) = statement(s).unwrap_or_else(|e| panic!("{s}: {e:?}"));
        assert!(rest.trim().is_empty() || rest.trim() == ";", "{s}: left {rest:?}");
        st
    }

    #[test]
    fn alter_drop_and_add_forms() {
        assert_eq!(
            parse("ALTER TABLE ks.t DROP reg1 USING TIMESTAMP 10000;"),
            Statement::AlterTableDrop {
                table: QualifiedName { keyspace: Some("ks".into()), name: "t".into() },
                columns: vec!["reg1".into()],
                timestamp: Some(10000)
            }
        );
        let Statement::AlterTableAdd { columns, .. } = parse("ALTER TABLE ks.t ADD st1 varint static;") else { panic!() };
        assert!(columns[0].is_static);
        let Statement::AlterTableDrop { columns, timestamp: None, .. } = parse("alter table t drop (a, \"B\")") else { panic!() };
        assert_eq!(columns, ["a", "B"]);
    }

    #[test]
    fn index_forms_from_cassandra_tests() {
        let Statement::CreateIndex { name, targets, custom_class, options, .. } =
            parse("CREATE CUSTOM INDEX \"indexName5\" ON ks.t (entries(reg1)) USING 'org.apache.cassandra.index.sasi.SASIIndex' WITH OPTIONS = {'is_literal': 'false'};")
        else {
            panic!()
        };
        assert_eq!(name.as_deref(), Some("indexName5"));
        assert_eq!(targets, ["entries(reg1)"]);
        assert_eq!(custom_class.as_deref(), Some("org.apache.cassandra.index.sasi.SASIIndex"));
        assert!(options.is_some());
        let Statement::CreateIndex { name, targets, .. } = parse("CREATE INDEX IF NOT EXISTS t_reg2_idx ON ks.t (reg2);") else { panic!() };
        assert_eq!((name.as_deref(), targets), (Some("t_reg2_idx"), vec!["reg2".to_string()]));
    }

    #[test]
    fn view_trigger_function_keyspace() {
        let Statement::CreateMaterializedView { name, base_table } = parse(
            "CREATE MATERIALIZED VIEW IF NOT EXISTS ks.v AS\n    SELECT k, c, \"From\"\n    FROM ks.t\n    WHERE k IS NOT NULL AND c IS NOT NULL\n    PRIMARY KEY (c, k)\n WITH ID = 5a1c395e-b41f-11e5-9f22-ba0be0483c18\n    AND CLUSTERING ORDER BY (k ASC)\n    AND comment = '';",
        ) else {
            panic!()
        };
        assert_eq!((name.name.as_str(), base_table.name.as_str()), ("v", "t"));
        assert!(matches!(parse("CREATE TRIGGER trg ON ks.t USING 'org.Foo';"), Statement::CreateTrigger { .. }));
        let Statement::CreateFunction { name } = parse(
            "CREATE OR REPLACE FUNCTION ks.f (a int) CALLED ON NULL INPUT RETURNS int LANGUAGE java AS $$ return a; $$;",
        ) else {
            panic!()
        };
        assert_eq!(name.name, "f");
        assert!(matches!(parse("CREATE AGGREGATE ks.agg (int) SFUNC f STYPE int INITCOND 0;"), Statement::CreateAggregate { .. }));
        let Statement::CreateKeyspace { name, options } =
            parse("CREATE KEYSPACE IF NOT EXISTS ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'} AND durable_writes = true;")
        else {
            panic!()
        };
        assert_eq!(name, "ks");
        assert_eq!(options[1].value, OptionValue::Bool(true));
    }

    #[test]
    fn unknown_statement_is_reported() {
        assert!(statement("SELECT * FROM t").is_err());
        assert!(matches!(statement("CREATE ROLE r"), Err(nom::Err::Failure(_))));
        assert!(matches!(statement("ALTER TABLE t FROB x"), Err(nom::Err::Failure(_))));
    }
}
