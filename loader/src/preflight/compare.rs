//! Does the target table have the source's columns, types and primary key? Compares the
//! source `TableSchema` (from the manifest's schema.cql) with `system_schema.columns`.
//!
//! Types are compared on a canonical form, since the two sides spell one type differently:
//! `system_schema` writes `frozen<tuple<…>>` and `frozen<udt>` where schema.cql may not,
//! drops keyspace qualifiers of user-defined types and writes `varchar` as `text`. Only the
//! outermost `frozen` changes what a column is (one cell or several); everything inside a
//! collection, tuple or UDT is frozen anyway, so inner `frozen` markers are dropped.

use sstable_reader::schema::{maybe_quote, ClusteringOrder, CqlType, SchemaFile, TableSchema};

use super::error::PreflightError;
use super::system::TargetColumn;
use crate::schema_translate::{is_empty_type, unqualified};

/// The canonical form of `t` for comparison.
pub fn canonical(t: &CqlType) -> CqlType {
    match unqualified(t) {
        CqlType::Frozen(inner) => match *inner {
            c @ (CqlType::List(_) | CqlType::Set(_) | CqlType::Map(..) | CqlType::Udt(_)) => CqlType::Frozen(Box::new(strip_frozen(&c))),
            other => strip_frozen(&other),
        },
        other => strip_frozen(&other),
    }
}

fn strip_frozen(t: &CqlType) -> CqlType {
    let inner = |b: &CqlType| Box::new(strip_frozen(b));
    match t {
        CqlType::Frozen(e) => strip_frozen(e),
        CqlType::List(e) => CqlType::List(inner(e)),
        CqlType::Set(e) => CqlType::Set(inner(e)),
        CqlType::Map(k, v) => CqlType::Map(inner(k), inner(v)),
        CqlType::Tuple(ts) => CqlType::Tuple(ts.iter().map(strip_frozen).collect()),
        CqlType::Vector(e, n) => CqlType::Vector(inner(e), *n),
        CqlType::Native(_) | CqlType::Custom(_) | CqlType::Udt(_) => t.clone(),
    }
}

/// Parses a type as `system_schema.columns` writes it, through the schema.cql parser (a
/// one-column table around it).
pub fn parse_type(text: &str) -> Option<CqlType> {
    let cql = format!("CREATE TABLE k.t (k int PRIMARY KEY, c {text})");
    let file = SchemaFile::parse(&cql, "system_schema.columns").ok()?;
    file.tables.first()?.regular_columns.first().map(|c| c.cql_type.clone())
}

/// Whether a source type and a target type text are the same CQL type.
fn same_type(source: &CqlType, target: &str) -> bool {
    match parse_type(target) {
        Some(t) => canonical(source) == canonical(&t),
        None => source.to_string().replace(' ', "") == target.replace(' ', ""),
    }
}

/// `PRIMARY KEY ((a, b), c)` from partition key and clustering names.
fn key_text(pk: &[String], ck: &[String]) -> String {
    let q = |n: &String| maybe_quote(n).into_owned();
    let partition = match pk {
        [one] => q(one),
        many => format!("({})", many.iter().map(q).collect::<Vec<_>>().join(", ")),
    };
    let mut parts = vec![partition];
    parts.extend(ck.iter().map(q));
    format!("PRIMARY KEY ({})", parts.join(", "))
}

/// Compares the source table with the target's columns; the first difference is the error.
///
/// `object` names the target table in messages (`ks.t`).
///
/// # Errors
/// [`PreflightError::PrimaryKeyDiffers`], [`PreflightError::ClusteringOrderDiffers`],
/// [`PreflightError::MissingColumn`], [`PreflightError::TypeMismatch`],
/// [`PreflightError::ColumnKindDiffers`].
pub fn compare(object: &str, source: &TableSchema, target: &[TargetColumn]) -> Result<(), PreflightError> {
    let keyed = |kind: &str| -> Vec<&TargetColumn> {
        let mut cols: Vec<&TargetColumn> = target.iter().filter(|c| c.kind == kind).collect();
        cols.sort_by_key(|c| c.position);
        cols
    };
    let names = |cols: &[&TargetColumn]| cols.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
    let (target_pk, target_ck) = (keyed("partition_key"), keyed("clustering"));
    let source_pk: Vec<String> = source.partition_key.iter().map(|c| c.name.clone()).collect();
    let source_ck: Vec<String> = source.clustering.iter().map(|c| c.name.clone()).collect();
    if names(&target_pk) != source_pk || names(&target_ck) != source_ck {
        return Err(PreflightError::PrimaryKeyDiffers {
            table: object.to_string(),
            in_source: key_text(&source_pk, &source_ck),
            in_target: key_text(&names(&target_pk), &names(&target_ck)),
        });
    }
    for (c, t) in source.clustering.iter().zip(&target_ck) {
        let want = if c.order == ClusteringOrder::Desc { "desc" } else { "asc" };
        if !t.clustering_order.eq_ignore_ascii_case(want) {
            return Err(PreflightError::ClusteringOrderDiffers {
                table: object.to_string(),
                column: c.name.clone(),
                in_source: want.to_uppercase(),
                in_target: t.clustering_order.to_uppercase(),
            });
        }
    }
    for (kind, col) in source.all_columns() {
        // The translator leaves this column out: it holds no data.
        if is_empty_type(&col.cql_type) {
            continue;
        }
        let Some(t) = target.iter().find(|t| t.name == col.name) else {
            return Err(PreflightError::MissingColumn { table: object.to_string(), column: col.name.clone(), cql_type: col.cql_type.to_string() });
        };
        if !same_type(&col.cql_type, &t.cql_type) {
            return Err(PreflightError::TypeMismatch {
                table: object.to_string(),
                column: col.name.clone(),
                in_source: col.cql_type.to_string(),
                in_target: t.cql_type.clone(),
            });
        }
        let source_static = kind == sstable_reader::schema::ColumnKind::Static;
        if source_static != (t.kind == "static") {
            let word = |s: bool| if s { "static" } else { "regular" };
            return Err(PreflightError::ColumnKindDiffers {
                table: object.to_string(),
                column: col.name.clone(),
                in_source: word(source_static).to_string(),
                in_target: word(t.kind == "static").to_string(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(cql: &str) -> TableSchema {
        SchemaFile::parse(cql, "s").unwrap().tables.remove(0)
    }

    fn col(name: &str, kind: &str, position: i32, t: &str, order: &str) -> TargetColumn {
        TargetColumn { name: name.into(), kind: kind.into(), position, cql_type: t.into(), clustering_order: order.into() }
    }

    const SOURCE: &str = "CREATE TABLE ks.t (pk1 int, pk2 text, ck timeuuid, st set<text> static, v frozen<ks.addr>, \
         tu tuple<int, text>, m map<text, frozen<list<int>>>, \"Name\" varchar, PRIMARY KEY ((pk1, pk2), ck)) \
         WITH CLUSTERING ORDER BY (ck DESC)";

    /// What Cassandra 5.0's system_schema.columns says for SOURCE.
    fn target() -> Vec<TargetColumn> {
        vec![
            col("pk1", "partition_key", 0, "int", "none"),
            col("pk2", "partition_key", 1, "text", "none"),
            col("ck", "clustering", 0, "timeuuid", "desc"),
            col("st", "static", -1, "set<text>", "none"),
            col("v", "regular", -1, "frozen<addr>", "none"),
            col("tu", "regular", -1, "frozen<tuple<int, text>>", "none"),
            col("m", "regular", -1, "map<text, frozen<list<int>>>", "none"),
            col("Name", "regular", -1, "text", "none"),
        ]
    }

    #[test]
    fn the_same_table_spelled_as_system_schema_spells_it_matches() {
        compare("ks.t", &table(SOURCE), &target()).unwrap();
        let mut extra = target();
        extra.push(col("added_later", "regular", -1, "blob", "none"));
        compare("ks.t", &table(SOURCE), &extra).unwrap();
    }

    #[test]
    fn missing_column_is_named_with_its_type() {
        let t: Vec<TargetColumn> = target().into_iter().filter(|c| c.name != "m").collect();
        let e = compare("ks.t", &table(SOURCE), &t).unwrap_err();
        assert_eq!(e.to_string(), "target table ks.t has no column m (map<text, frozen<list<int>>>) of the source; add it: ALTER TABLE ks.t ADD m map<text, frozen<list<int>>>");
    }

    #[test]
    fn type_mismatch_names_both_types() {
        let mut t = target();
        t[6].cql_type = "frozen<map<text, frozen<list<int>>>>".into();
        let e = compare("ks.t", &table(SOURCE), &t).unwrap_err();
        assert_eq!(e.to_string(), "column m of ks.t: the source has type map<text, frozen<list<int>>>, the target frozen<map<text, frozen<list<int>>>>");
        let mut t = target();
        t[7].cql_type = "ascii".into();
        assert!(matches!(compare("ks.t", &table(SOURCE), &t), Err(PreflightError::TypeMismatch { column, .. }) if column == "Name"));
    }

    #[test]
    fn primary_key_and_clustering_order_differences() {
        let mut t = target();
        t[1].kind = "clustering".into();
        t[1].position = 0;
        t[2].position = 1;
        let e = compare("ks.t", &table(SOURCE), &t).unwrap_err();
        assert_eq!(e.to_string(), "ks.t: primary key differs: the source has PRIMARY KEY ((pk1, pk2), ck), the target PRIMARY KEY (pk1, pk2, ck)");
        let mut t = target();
        t[2].clustering_order = "asc".into();
        let e = compare("ks.t", &table(SOURCE), &t).unwrap_err();
        assert_eq!(e.to_string(), "ks.t: clustering order of ck differs: DESC on the source, ASC on the target");
    }

    #[test]
    fn static_versus_regular() {
        let mut t = target();
        t[3].kind = "regular".into();
        let e = compare("ks.t", &table(SOURCE), &t).unwrap_err();
        assert_eq!(e.to_string(), "column st of ks.t is static on the source but regular on the target");
    }

    #[test]
    fn canonical_types_ignore_inner_frozen_and_qualifiers() {
        let p = |s: &str| canonical(&parse_type(s).unwrap());
        assert_eq!(p("frozen<tuple<int, frozen<ks.u>>>"), p("tuple<int, u>"));
        assert_eq!(p("list<frozen<set<int>>>"), p("list<set<int>>"));
        assert_ne!(p("frozen<list<int>>"), p("list<int>"));
        assert_ne!(p("frozen<u>"), p("u"));
        assert_eq!(p("varchar"), p("text"));
        assert_eq!(p("vector<float, 3>"), p("frozen<vector<float, 3>>"));
    }
}
