//! What is compared for one table: the target table as `ksbulk run` derives it from the
//! manifest's `schema.cql` (key columns; static then regular columns with how their cells
//! are stored), plus what an SSTable's serialization header adds: marshal types, to order
//! clustering values and print keys and values.
//!
//! The target query selects the columns in that order, and expected rows hold their cells
//! in that order.

use std::sync::Arc;

use sstable_reader::metadata::serialization_header::SerializationHeader;
use sstable_reader::types::CqlType;
use sstable_reader::Partitioner;

use super::VerifyError;
use crate::merge::{ClusteringComparator, ColumnFilter};
use crate::plan::manifest::TablePlan;
use crate::run::table::TableRun;
use crate::write::{ColumnKind, ColumnSpec, TargetTable};

/// The compared shape of one table.
#[derive(Debug, Clone)]
pub struct TableLayout {
    /// `keyspace.table` of the source.
    pub source: String,
    /// The table read on the target, described as `ksbulk run` writes it: key columns, then
    /// static and regular columns with how their cells are stored.
    pub target: Arc<TargetTable>,
    /// The source partitioner (the target must order partitions the same way).
    pub partitioner: Partitioner,
    /// The partition key's marshal type, for printing keys.
    pub key_type: Option<CqlType>,
    /// Orders clustering values (DESC columns included).
    pub comparator: ClusteringComparator,
    /// Marshal type of each of `target.columns`, for printing values (`None` when the header
    /// does not list the column).
    pub types: Vec<Option<CqlType>>,
    /// How many of `target.columns` are static (they come first).
    pub statics: usize,
    /// Dropped and unknown columns, for the merge.
    pub filter: ColumnFilter,
}

impl TableLayout {
    /// The layout of `plan`'s table, read as `target_keyspace` (default: the source keyspace)
    /// on the target, from its schema.cql the way the run reads it. `header` is the
    /// serialization header of one of its SSTables.
    ///
    /// # Errors
    /// [`VerifyError::Schema`] when the manifest has no usable `schema.cql` for the table or
    /// names a partitioner ksbulk does not read.
    pub fn new(plan: &TablePlan, target_keyspace: Option<&str>, header: &SerializationHeader) -> Result<TableLayout, VerifyError> {
        let run = TableRun::new(plan, target_keyspace).map_err(|e| VerifyError::Schema { table: plan.name(), what: e.to_string() })?;
        Ok(TableLayout::from_parts(plan.name(), run.target, run.partitioner, run.columns, header))
    }

    fn from_parts(source: String, target: Arc<TargetTable>, partitioner: Partitioner, filter: ColumnFilter, header: &SerializationHeader) -> TableLayout {
        let header_type = |c: &ColumnSpec| {
            let specs = if c.is_static { &header.static_columns } else { &header.regular_columns };
            specs.iter().find(|h| h.name_str() == c.name).and_then(|h| CqlType::parse(&h.type_name).ok())
        };
        let clustering_types = header.clustering_types.iter().map(|t| CqlType::parse(t).unwrap_or(CqlType::Blob)).collect();
        TableLayout {
            source,
            types: target.columns.iter().map(header_type).collect(),
            statics: target.columns.iter().take_while(|c| c.is_static).count(),
            target,
            partitioner,
            key_type: CqlType::parse(&header.key_type).ok(),
            comparator: ClusteringComparator::new(clustering_types),
            filter,
        }
    }

    /// `keyspace.table` on the target, unquoted, for messages.
    pub fn target_name(&self) -> String {
        format!("{}.{}", self.target.keyspace, self.target.name)
    }

    /// Static columns, then regular columns.
    pub fn columns(&self) -> &[ColumnSpec] {
        &self.target.columns
    }

    /// The static columns.
    pub fn static_columns(&self) -> &[ColumnSpec] {
        &self.target.columns[..self.statics]
    }

    /// The regular columns.
    pub fn regular_columns(&self) -> &[ColumnSpec] {
        &self.target.columns[self.statics..]
    }

    /// Whether any column is a non-frozen collection or UDT.
    pub fn has_multi_cell(&self) -> bool {
        self.target.columns.iter().any(|c| c.kind.is_multi_cell())
    }

    /// Whether a column is a counter (no writetime or TTL to compare).
    pub fn is_counter(column: &ColumnSpec) -> bool {
        column.kind == ColumnKind::Counter
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use sstable_reader::metadata::serialization_header::{ColumnSpec as HeaderColumn, EncodingStats};
    use sstable_reader::schema::SchemaFile;

    /// A serialization header (types by marshal name).
    pub(crate) fn header(key: &str, clustering: &[&str], statics: &[(&str, &str)], regulars: &[(&str, &str)]) -> SerializationHeader {
        let spec = |(n, t): &(&str, &str)| HeaderColumn { name: bytes::Bytes::copy_from_slice(n.as_bytes()), type_name: t.to_string() };
        SerializationHeader {
            encoding_stats: EncodingStats { min_timestamp_delta: 0, min_local_deletion_time_delta: 0, min_ttl_delta: 0 },
            key_type: key.to_string(),
            clustering_types: clustering.iter().map(|s| s.to_string()).collect(),
            static_columns: statics.iter().map(spec).collect(),
            regular_columns: regulars.iter().map(spec).collect(),
        }
    }

    /// The layout of a `schema.cql` text with one table.
    pub(crate) fn layout(cql: &str, header: &SerializationHeader) -> TableLayout {
        let file = SchemaFile::parse(cql, "schema.cql").expect("schema parses");
        let schema = file.table().expect("one table");
        let target = crate::write::target::target_table(schema, None).expect("target table");
        TableLayout::from_parts(format!("{}.{}", schema.keyspace, schema.name), Arc::new(target), Partitioner::Murmur3, ColumnFilter::from_schema(schema), header)
    }

    const M: &str = "org.apache.cassandra.db.marshal.";

    #[test]
    fn columns_are_statics_first_with_their_types() {
        let h = header(&format!("{M}Int32Type"), &[&format!("{M}ReversedType({M}Int32Type)")], &[("s", &format!("{M}UTF8Type"))], &[("v", &format!("{M}UTF8Type"))]);
        let l = layout(
            "CREATE TYPE ks.a (f int);\nCREATE TABLE ks.t (pk int, ck int, v text, l list<int>, u a, fl frozen<list<int>>, s text static, PRIMARY KEY (pk, ck)) WITH CLUSTERING ORDER BY (ck DESC);",
            &h,
        );
        let names: Vec<(&str, bool)> = l.columns().iter().map(|c| (c.name.as_str(), c.is_static)).collect();
        assert_eq!(names, vec![("s", true), ("v", false), ("l", false), ("u", false), ("fl", false)]);
        assert_eq!((l.statics, l.static_columns().len(), l.regular_columns().len()), (1, 1, 4));
        assert!(l.has_multi_cell());
        assert_eq!(l.types[1], Some(CqlType::Text));
        assert_eq!(l.types[2], None, "not in the header");
        assert_eq!(l.comparator.types(), &[CqlType::Reversed(Box::new(CqlType::Int))]);
        assert_eq!(l.target_name(), "ks.t");
    }

    #[test]
    fn counters_have_no_writetime() {
        let h = header(&format!("{M}Int32Type"), &[], &[], &[]);
        let l = layout("CREATE TABLE ks.c (pk int PRIMARY KEY, n counter);", &h);
        assert!(TableLayout::is_counter(&l.columns()[0]));
        assert!(!l.has_multi_cell());
    }
}
