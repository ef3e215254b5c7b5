//! The target table of a run, described from the source's `schema.cql`.
//!
//! The run writes each source table to a table of the same name and columns (optionally in
//! another keyspace), so the source schema says everything the write stage needs: key
//! columns in order, and how each regular or static column's cells are written (simple,
//! counter, or one cell per element of a non-frozen collection or UDT).

use sstable_reader::schema::{CqlType, NativeType, TableSchema};

use super::mutation::{ColumnKind, ColumnSpec, TargetTable};

/// What makes a schema unusable as a write target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetSchemaError {
    /// A non-frozen UDT column whose type the schema file does not define.
    #[error("table {table}: column {column} has user type {udt}, which schema.cql does not define")]
    UnknownUserType {
        /// `keyspace.table`.
        table: String,
        /// The column.
        column: String,
        /// The type name.
        udt: String,
    },
}

/// The target table for `schema`, written into `keyspace` (the source's keyspace when
/// `None`). Columns are the schema's static then regular columns; a cell names its column
/// by index into that list.
///
/// # Errors
/// [`TargetSchemaError::UnknownUserType`] for a non-frozen UDT column without its type.
pub fn target_table(schema: &TableSchema, keyspace: Option<&str>) -> Result<TargetTable, TargetSchemaError> {
    let mut columns = Vec::with_capacity(schema.static_columns.len() + schema.regular_columns.len());
    for (is_static, c) in schema.static_columns.iter().map(|c| (true, c)).chain(schema.regular_columns.iter().map(|c| (false, c))) {
        let kind = column_kind(schema, &c.name, &c.cql_type)?;
        columns.push(ColumnSpec { name: c.name.clone(), kind, is_static });
    }
    let mut table = TargetTable::new(
        keyspace.unwrap_or(&schema.keyspace),
        schema.name.clone(),
        schema.partition_key.iter().map(|c| ColumnSpec::key(c.name.clone())).collect(),
        schema.clustering.iter().map(|c| ColumnSpec::key(c.name.clone())).collect(),
        columns,
    );
    table.default_ttl = schema.default_time_to_live() > 0;
    Ok(table)
}

fn column_kind(schema: &TableSchema, column: &str, ty: &CqlType) -> Result<ColumnKind, TargetSchemaError> {
    Ok(match ty {
        CqlType::Native(NativeType::Counter) => ColumnKind::Counter,
        CqlType::List(_) => ColumnKind::List,
        CqlType::Set(_) => ColumnKind::Set,
        CqlType::Map(..) => ColumnKind::Map,
        CqlType::Udt(name) => {
            let udt = schema.user_type(name).ok_or_else(|| TargetSchemaError::UnknownUserType {
                table: schema.qualified_name(),
                column: column.to_string(),
                udt: name.to_string(),
            })?;
            ColumnKind::Udt { fields: udt.fields.iter().map(|(n, _)| n.clone()).collect() }
        }
        _ => ColumnKind::Simple,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sstable_reader::schema::SchemaFile;

    const SCHEMA: &str = "CREATE TYPE IF NOT EXISTS ks.addr (street text, zip int);\n\
        CREATE TABLE IF NOT EXISTS ks.t (a int, b text, c int, s text static, l list<int>, fl frozen<list<int>>, \
        m map<text, int>, st set<text>, u addr, fu frozen<addr>, PRIMARY KEY ((a, b), c)) WITH CLUSTERING ORDER BY (c DESC);";

    #[test]
    fn kinds_keys_and_order_follow_the_schema() {
        let file = SchemaFile::parse(SCHEMA, "schema.cql").unwrap();
        let t = target_table(file.table().unwrap(), Some("other")).unwrap();
        assert_eq!(t.keyspace, "other");
        assert_eq!(t.partition_key.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(t.clustering.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["c"]);
        let kinds: Vec<(&str, &ColumnKind, bool)> = t.columns.iter().map(|c| (c.name.as_str(), &c.kind, c.is_static)).collect();
        assert_eq!(kinds[0], ("s", &ColumnKind::Simple, true));
        assert_eq!(kinds[1], ("l", &ColumnKind::List, false));
        assert_eq!(kinds[2], ("fl", &ColumnKind::Simple, false));
        assert_eq!(kinds[3], ("m", &ColumnKind::Map, false));
        assert_eq!(kinds[4], ("st", &ColumnKind::Set, false));
        assert_eq!(kinds[5].1, &ColumnKind::Udt { fields: vec!["street".into(), "zip".into()] });
        assert_eq!(kinds[6].1, &ColumnKind::Simple);
    }

    #[test]
    fn counters_and_missing_udt() {
        let file = SchemaFile::parse("CREATE TABLE ks.c (k int PRIMARY KEY, n counter);", "schema.cql").unwrap();
        let t = target_table(file.table().unwrap(), None).unwrap();
        assert_eq!(t.keyspace, "ks");
        assert!(t.is_counter_table());
        assert!(!t.default_ttl);
        let file = SchemaFile::parse("CREATE TABLE ks.d (k int PRIMARY KEY, v int) WITH default_time_to_live = 60;", "schema.cql").unwrap();
        assert!(target_table(file.table().unwrap(), None).unwrap().default_ttl);
        let file = SchemaFile::parse("CREATE TABLE ks.u (k int PRIMARY KEY, u missing);", "schema.cql").unwrap();
        let err = target_table(file.table().unwrap(), None).unwrap_err();
        assert!(err.to_string().contains("user type missing"), "{err}");
    }
}
