//! `CREATE TYPE`, `CREATE TABLE` and `CREATE INDEX` for the target, from the parsed
//! schema: same columns, types, primary key, static columns and clustering order; options
//! filtered by [`super::options`]; anything the target cannot hold reported.
//!
//! Column types are written without keyspace qualifiers: a table's user-defined types live
//! in its own keyspace, and the keyspace may be renamed.

use sstable_reader::schema::{maybe_quote, ClusteringOrder, Column, CqlType, NativeType, OptionValue, QualifiedName, TableSchema, UserType};

use super::options::{disposition, keyspaces_custom_properties, render, Capacity, Disposition};
use super::report::{Report, Severity};
use crate::cli::schema::TargetKind;

/// How one table is written, decided by the caller.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TableSettings {
    /// The target.
    pub target: TargetKind,
    /// Keyspaces throughput mode.
    pub capacity: Capacity,
    /// Keyspaces: enable TTL on the table.
    pub ttl: bool,
}

/// The type without keyspace qualifiers on user-defined type names.
pub fn unqualified(t: &CqlType) -> CqlType {
    let inner = |b: &CqlType| Box::new(unqualified(b));
    match t {
        CqlType::Udt(name) => CqlType::Udt(QualifiedName { keyspace: None, name: name.name.clone() }),
        CqlType::List(e) => CqlType::List(inner(e)),
        CqlType::Set(e) => CqlType::Set(inner(e)),
        CqlType::Map(k, v) => CqlType::Map(inner(k), inner(v)),
        CqlType::Tuple(ts) => CqlType::Tuple(ts.iter().map(unqualified).collect()),
        CqlType::Vector(e, n) => CqlType::Vector(inner(e), *n),
        CqlType::Frozen(e) => CqlType::Frozen(inner(e)),
        CqlType::Native(_) | CqlType::Custom(_) => t.clone(),
    }
}

/// Why Keyspaces cannot hold a value of type `t` (looking into the user-defined types of
/// `udts`), if it cannot.
pub(crate) fn keyspaces_type_problem(t: &CqlType, udts: &[UserType]) -> Option<String> {
    type_problem(t, udts, 0)
}

fn type_problem(t: &CqlType, udts: &[UserType], depth: usize) -> Option<String> {
    // Cassandra refuses recursive types; the bound only guards against a malformed file.
    if depth > 32 {
        return None;
    }
    match t {
        CqlType::Vector(..) => Some(format!("{t}: Keyspaces has no vector type")),
        CqlType::Custom(class) => Some(format!("custom type '{class}': Keyspaces has no custom types")),
        CqlType::Native(_) => None,
        CqlType::List(e) | CqlType::Set(e) | CqlType::Frozen(e) => type_problem(e, udts, depth + 1),
        CqlType::Map(k, v) => type_problem(k, udts, depth + 1).or_else(|| type_problem(v, udts, depth + 1)),
        CqlType::Tuple(ts) => ts.iter().find_map(|e| type_problem(e, udts, depth + 1)),
        CqlType::Udt(name) => udts
            .iter()
            .find(|u| u.name.name == name.name)
            .and_then(|u| u.fields.iter().find_map(|(_, f)| type_problem(f, udts, depth + 1)))
            .map(|p| format!("type {}: {p}", maybe_quote(&name.name))),
    }
}

/// The hidden value column of a legacy dense COMPACT STORAGE table: it holds no data.
pub(crate) fn is_empty_type(t: &CqlType) -> bool {
    match t {
        CqlType::Native(NativeType::Empty) => true,
        CqlType::Custom(class) => class.ends_with("EmptyType"),
        _ => false,
    }
}

/// `CREATE TYPE IF NOT EXISTS ks.name (…)`, or `None` (reported) when Keyspaces cannot hold it.
pub(crate) fn create_type(target: TargetKind, keyspace: &str, t: &UserType, udts: &[UserType], report: &mut Report) -> Option<String> {
    let object = format!("{}.{}", maybe_quote(keyspace), maybe_quote(&t.name.name));
    if target == TargetKind::Keyspaces {
        if let Some((field, why)) = t.fields.iter().find_map(|(n, ft)| keyspaces_type_problem(ft, udts).map(|p| (n, p))) {
            report.push(&object, Severity::NotCarried, format!("type (field {})", maybe_quote(field)), why);
            return None;
        }
    }
    let fields: Vec<String> = t.fields.iter().map(|(n, ft)| format!("    {} {}", maybe_quote(n), unqualified(ft))).collect();
    Some(format!("CREATE TYPE IF NOT EXISTS {object} (\n{}\n)", fields.join(",\n")))
}

/// `CREATE TABLE IF NOT EXISTS` of `table` in `keyspace` (the possibly renamed keyspace),
/// or `None` (reported) when the target cannot hold the table at all.
pub(crate) fn create_table(table: &TableSchema, keyspace: &str, settings: TableSettings, report: &mut Report) -> Option<String> {
    let object = format!("{}.{}", maybe_quote(keyspace), maybe_quote(&table.name));
    let target = settings.target;
    let keyspaces = target == TargetKind::Keyspaces;
    if keyspaces {
        let keys = table.partition_key.iter().map(|c| (&c.name, &c.cql_type)).chain(table.clustering.iter().map(|c| (&c.name, &c.cql_type)));
        for (name, t) in keys {
            if let Some(why) = keyspaces_type_problem(t, &table.user_types) {
                report.push(&object, Severity::NotCarried, "table", format!("primary key column {}: {why}", maybe_quote(name)));
                return None;
            }
        }
    }
    if table.compact_storage {
        report.push(
            &object,
            Severity::DroppedOption,
            "COMPACT STORAGE",
            "the target creates CQL tables only (Cassandra 4.0+ and Keyspaces refuse COMPACT STORAGE); the data loads into the same CQL columns",
        );
    }
    if table.id.is_some() {
        report.push(&object, Severity::DroppedOption, format!("ID = {}", table.id.as_deref().unwrap_or_default()), "the new table gets its own id");
    }

    let mut lines: Vec<String> = Vec::new();
    for c in &table.partition_key {
        lines.push(format!("    {} {}", maybe_quote(&c.name), unqualified(&c.cql_type)));
    }
    for c in &table.clustering {
        lines.push(format!("    {} {}", maybe_quote(&c.name), unqualified(&c.cql_type)));
    }
    let mut column = |c: &Column, is_static: bool, lines: &mut Vec<String>| {
        if is_empty_type(&c.cql_type) {
            report.push(&object, Severity::Note, format!("column {} left out", maybe_quote(&c.name)), "the hidden value column of a legacy COMPACT STORAGE table holds no data");
            return;
        }
        if keyspaces {
            if let Some(why) = keyspaces_type_problem(&c.cql_type, &table.user_types) {
                report.push(&object, Severity::NotCarried, format!("column {}", maybe_quote(&c.name)), format!("{why}; its data cannot be loaded"));
                return;
            }
        }
        let mut line = format!("    {} {}", maybe_quote(&c.name), unqualified(&c.cql_type));
        if is_static {
            line.push_str(" static");
        }
        if let Some(extra) = &c.extra {
            if keyspaces {
                report.push(&object, Severity::DroppedOption, format!("{} {extra}", maybe_quote(&c.name)), "Keyspaces has no dynamic data masking");
            } else {
                line.push(' ');
                line.push_str(extra);
            }
        }
        lines.push(line);
    };
    for c in &table.static_columns {
        column(c, true, &mut lines);
    }
    for c in &table.regular_columns {
        column(c, false, &mut lines);
    }
    lines.push(format!("    PRIMARY KEY ({})", primary_key(table)));

    let mut with: Vec<String> = Vec::new();
    if !table.clustering.is_empty() {
        let order: Vec<String> = table
            .clustering
            .iter()
            .map(|c| format!("{} {}", maybe_quote(&c.name), if c.order == ClusteringOrder::Desc { "DESC" } else { "ASC" }))
            .collect();
        with.push(format!("CLUSTERING ORDER BY ({})", order.join(", ")));
    }
    for opt in &table.options {
        if keyspaces && opt.name == "default_time_to_live" && !settings.ttl && table.default_time_to_live() > 0 {
            report.push(
                &object,
                Severity::NotCarried,
                format!("default_time_to_live = {}", opt.raw),
                "TTL is off for this table (--ttl off): rows would not expire; use --ttl on or auto",
            );
            continue;
        }
        match disposition(target, opt) {
            Disposition::Keep => with.push(format!("{} = {}", opt.name, opt.raw)),
            Disposition::Rewrite(value, why) => {
                report.push(&object, Severity::DroppedOption, format!("{} = {}", opt.name, opt.raw), format!("written as {value}: {why}"));
                with.push(format!("{} = {value}", opt.name));
            }
            Disposition::Drop(why) => report.push(&object, Severity::DroppedOption, format!("{} = {}", opt.name, opt.raw), why),
        }
    }
    if keyspaces {
        let counter = table.is_counter();
        if counter {
            report.push(&object, Severity::Note, "no client-side timestamps or TTL", "counter updates carry neither a timestamp nor a TTL");
        } else {
            report.push(&object, Severity::Note, "client_side_timestamps enabled", "needed to keep every cell's writetime (USING TIMESTAMP); irreversible");
        }
        with.push(format!("custom_properties = {}", keyspaces_custom_properties(settings.capacity, !counter, settings.ttl && !counter)));
    }
    let mut cql = format!("CREATE TABLE IF NOT EXISTS {object} (\n{}\n)", lines.join(",\n"));
    for (n, w) in with.iter().enumerate() {
        cql.push_str(if n == 0 { " WITH " } else { "\n    AND " });
        cql.push_str(w);
    }
    Some(cql)
}

/// `(pk)`, `(pk, ck1, ck2)` or `((pk1, pk2), ck1)`, names quoted where needed.
fn primary_key(table: &TableSchema) -> String {
    let pk: Vec<String> = table.partition_key.iter().map(|c| maybe_quote(&c.name).into_owned()).collect();
    let partition = if pk.len() == 1 { pk[0].clone() } else { format!("({})", pk.join(", ")) };
    let mut parts = vec![partition];
    parts.extend(table.clustering.iter().map(|c| maybe_quote(&c.name).into_owned()));
    parts.join(", ")
}

/// An index of the source, as the schema file has it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IndexDef<'a> {
    /// Index name.
    pub name: Option<&'a str>,
    /// Targets as written (`v`, `values(l)`, `keys(m)`, `full(f)`).
    pub targets: &'a [String],
    /// The class of a custom index.
    pub custom_class: Option<&'a str>,
    /// `WITH OPTIONS`.
    pub options: Option<&'a OptionValue>,
}

/// Whether the custom index class is the storage-attached index, which Cassandra 5.0 and
/// later create without extra configuration (SASI and others are off by default or need
/// their jar on every node).
fn is_sai(class: &str) -> bool {
    class.eq_ignore_ascii_case("sai") || class.ends_with("StorageAttachedIndex")
}

/// `CREATE [CUSTOM] INDEX IF NOT EXISTS` on `table_object` (`ks.t`), or `None` (reported).
pub(crate) fn create_index(target: TargetKind, table_object: &str, index: IndexDef<'_>, report: &mut Report) -> Option<String> {
    let label = format!("index {}", index.name.map_or_else(|| "(unnamed)".to_string(), |n| maybe_quote(n).into_owned()));
    if target == TargetKind::Keyspaces {
        report.push(table_object, Severity::NotCarried, label, "Keyspaces has no secondary indexes");
        return None;
    }
    if let Some(class) = index.custom_class.filter(|c| !is_sai(c)) {
        report.push(table_object, Severity::NotCarried, label, format!("custom index class '{class}' must be enabled on every target node; create it after the load"));
        return None;
    }
    let mut cql = String::from(if index.custom_class.is_some() { "CREATE CUSTOM INDEX IF NOT EXISTS " } else { "CREATE INDEX IF NOT EXISTS " });
    if let Some(n) = index.name {
        cql.push_str(&maybe_quote(n));
        cql.push(' ');
    }
    cql.push_str(&format!("ON {table_object} ({})", index.targets.join(", ")));
    if let Some(class) = index.custom_class {
        cql.push_str(&format!(" USING '{}'", class.replace('\'', "''")));
    }
    if let Some(opts) = index.options {
        cql.push_str(&format!(" WITH OPTIONS = {}", render(opts)));
    }
    Some(cql)
}
