//! What a run needs to know about one table of the manifest: its plan, partitioner, the
//! target table derived from its `schema.cql`, and the schema filter of the merge.

use std::sync::Arc;

use sstable_reader::schema::SchemaFile;
use sstable_reader::Partitioner;

use super::error::RunError;
use crate::merge::ColumnFilter;
use crate::plan::manifest::TablePlan;
use crate::write::target::target_table;
use crate::write::TargetTable;

/// One table being loaded.
#[derive(Debug)]
pub struct TableRun {
    /// The table's plan, as the manifest had it when the run started.
    pub plan: TablePlan,
    /// Its partitioner.
    pub partitioner: Partitioner,
    /// Where its rows go.
    pub target: Arc<TargetTable>,
    /// Dropped and unknown columns, filtered by the merge.
    pub columns: ColumnFilter,
}

impl TableRun {
    /// Prepares table `plan`, written into `keyspace` (the source keyspace when `None`).
    ///
    /// # Errors
    /// [`RunError::Schema`] when the plan has no usable schema.cql (the target's column
    /// names and collection kinds come from it), or names an unknown partitioner.
    pub fn new(plan: &TablePlan, keyspace: Option<&str>) -> Result<TableRun, RunError> {
        let table = plan.name();
        let schema_error = |detail: String| RunError::Schema { table: table.clone(), detail };
        let record = plan.schema.as_ref().ok_or_else(|| schema_error("the plan found no schema.cql for it (snapshots have one; copy it beside the SSTables and plan again)".into()))?;
        let file = SchemaFile::parse(&record.cql, &record.path).map_err(|e| schema_error(e.to_string()))?;
        let schema = file
            .find_table(&plan.keyspace, &plan.table)
            .or_else(|| file.table())
            .ok_or_else(|| schema_error(format!("{} has no CREATE TABLE", record.path)))?;
        let partitioner = plan.partitioner().map_err(|e| schema_error(e.to_string()))?;
        Ok(TableRun {
            plan: plan.clone(),
            partitioner,
            target: Arc::new(target_table(schema, keyspace)?),
            columns: ColumnFilter::from_schema(schema),
        })
    }
}
