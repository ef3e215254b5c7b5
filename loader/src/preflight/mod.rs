//! `ksbulk preflight`: before a load writes anything, checks that the target can take it,
//! and stops at the first problem with a message that says what differs and what to run.
//!
//! ```text
//!  manifest ──> per table: schema.cql (from the plan)
//!  target   ──> system.local             partitioner vs routing            (mod.rs)
//!               system_schema.*          keyspace, table, columns, key     (compare.rs)
//!               PREPARE probe            INSERT … USING TIMESTAMP ? AND TTL ?, or the
//!                                        counter UPDATE: the write shapes of the load,
//!                                        prepared only, so no data is left behind
//!               system_schema_mcs.tables Keyspaces: ACTIVE, client-side timestamps, TTL
//!                                        (keyspaces.rs)
//!  manifest ──> write units, on-demand and provisioned cost, duration at --rate (cost.rs)
//! ```
//!
//! [`run_checks`] is what `ksbulk run` calls first, on its own session.

pub mod compare;
pub mod cost;
mod error;
pub mod keyspaces;
pub mod system;

pub use error::PreflightError;

use scylla::client::session::Session;
use sstable_reader::schema::{maybe_quote, SchemaFile, TableSchema};

use crate::cli::conn::Routing;
use crate::cli::schema::TargetKind;
use crate::plan::manifest::{Manifest, TablePlan};
use crate::schema_translate::is_empty_type;
use crate::write::mutation::quote_ident;

/// The partitioner whose tokens the driver computes for token-aware routing.
const MURMUR3: &str = "org.apache.cassandra.dht.Murmur3Partitioner";

/// What the checks need besides the manifest.
#[derive(Debug, Clone)]
pub struct PreflightOptions {
    /// How the load routes requests (token-aware needs a partitioner the driver knows).
    pub routing: Routing,
    /// The kind of target; `None` finds out (Keyspaces has `system_schema_mcs`).
    pub target: Option<TargetKind>,
    /// The keyspace the tables are loaded into, when not their source keyspace
    /// (`ksbulk run --target-keyspace`).
    pub target_keyspace: Option<String>,
}

/// What the checks found when they all passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreflightReport {
    /// The kind of target.
    pub target: TargetKind,
    /// The target's partitioner class.
    pub partitioner: String,
    /// The tables checked (`ks.t`).
    pub tables: Vec<String>,
    /// Things worth knowing that are not problems.
    pub notes: Vec<String>,
}

impl std::fmt::Display for PreflightReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.target {
            TargetKind::Keyspaces => "Amazon Keyspaces",
            TargetKind::Cassandra => "Cassandra/ScyllaDB",
        };
        writeln!(f, "target: {kind}, partitioner {}", self.partitioner)?;
        for t in &self.tables {
            writeln!(f, "ok: {t}: table, columns, types, primary key, timestamped/TTL writes")?;
        }
        for n in &self.notes {
            writeln!(f, "note: {n}")?;
        }
        Ok(())
    }
}

/// Checks that the target can take the load of `manifest`; the first problem is the error.
///
/// # Errors
/// [`PreflightError`] naming the table, column or setting at fault.
pub async fn run_checks(session: &Session, manifest: &Manifest, opts: &PreflightOptions) -> Result<PreflightReport, PreflightError> {
    let target = match opts.target {
        Some(t) => t,
        None if system::is_keyspaces(session).await? => TargetKind::Keyspaces,
        None => TargetKind::Cassandra,
    };
    let partitioner = system::partitioner(session).await?;
    let mut notes = Vec::new();
    if opts.routing == Routing::TokenAware {
        if target == TargetKind::Keyspaces {
            return Err(PreflightError::TokenAwareOnKeyspaces);
        }
        if !partitioner.is_empty() && partitioner != MURMUR3 {
            return Err(PreflightError::PartitionerForRouting { partitioner });
        }
    }
    let mut tables = Vec::new();
    for plan in &manifest.tables {
        if target == TargetKind::Cassandra && !partitioner.is_empty() && plan.partitioner != partitioner {
            notes.push(format!(
                "{}: the source's partitioner is {}, the target's {}: rows land on other nodes than on the source (fine for the load)",
                plan.name(),
                plan.partitioner,
                partitioner
            ));
        }
        tables.push(check_table(session, target, plan, opts.target_keyspace.as_deref().unwrap_or(&plan.keyspace)).await?);
    }
    Ok(PreflightReport { target, partitioner, tables, notes })
}

/// The source table of a plan, from the schema.cql the plan recorded.
fn source_table(plan: &TablePlan) -> Result<TableSchema, PreflightError> {
    let name = plan.name();
    let schema = plan.schema.as_ref().ok_or_else(|| PreflightError::NoSchema { table: name.clone() })?;
    let file = SchemaFile::parse(&schema.cql, &schema.path).map_err(|e| PreflightError::BadSchema { table: name.clone(), message: e.to_string() })?;
    let table = file.find_table(&plan.keyspace, &plan.table).or_else(|| file.table());
    table.cloned().ok_or_else(|| PreflightError::BadSchema { table: name, message: "it does not define this table".into() })
}

/// Every check of one table; returns its name.
async fn check_table(session: &Session, target: TargetKind, plan: &TablePlan, keyspace: &str) -> Result<String, PreflightError> {
    let source = source_table(plan)?;
    let object = format!("{}.{}", maybe_quote(keyspace), maybe_quote(&plan.table));
    if !system::keyspace_exists(session, keyspace).await? {
        return Err(PreflightError::KeyspaceMissing { keyspace: maybe_quote(keyspace).into_owned() });
    }
    if !system::table_exists(session, keyspace, &plan.table).await? {
        return Err(PreflightError::TableMissing { table: object });
    }
    let columns = system::table_columns(session, keyspace, &plan.table).await?;
    compare::compare(&object, &source, &columns)?;
    if target == TargetKind::Keyspaces {
        let (status, props) = system::keyspaces_table(session, keyspace, &plan.table).await?.unwrap_or_default();
        let ttls = ttl_evidence(&source, plan);
        keyspaces::check_table(&object, &status, &props, plan.counter || source.is_counter(), ttls.as_deref())?;
    }
    let probe = write_probe(&source, &object);
    session
        .prepare(probe.as_str())
        .await
        .map_err(|e| PreflightError::WriteRefused { table: object.clone(), cql: probe.clone(), message: e.to_string() })?;
    Ok(object)
}

/// Where the data is seen to have TTLs, if it is.
fn ttl_evidence(source: &TableSchema, plan: &TablePlan) -> Option<String> {
    let default_ttl = source.default_time_to_live();
    if default_ttl > 0 {
        return Some(format!("default_time_to_live = {default_ttl}"));
    }
    plan.sstables.iter().find(|s| s.has_ttls).map(|s| format!("TTL'd cells in {}", s.data_path))
}

/// The statement shape the load writes with, to prepare (never execute): an INSERT with
/// `USING TIMESTAMP ? AND TTL ?` of every column, or for a counter table the increment.
pub fn write_probe(source: &TableSchema, object: &str) -> String {
    let keys: Vec<String> = source.partition_key.iter().map(|c| c.name.clone()).chain(source.clustering.iter().map(|c| c.name.clone())).collect();
    let values: Vec<&str> = source
        .static_columns
        .iter()
        .chain(&source.regular_columns)
        .filter(|c| !is_empty_type(&c.cql_type))
        .map(|c| c.name.as_str())
        .collect();
    if source.is_counter() {
        let set: Vec<String> = values.iter().map(|c| format!("{0} = {0} + ?", quote_ident(c))).collect();
        let wher: Vec<String> = keys.iter().map(|k| format!("{} = ?", quote_ident(k))).collect();
        return format!("UPDATE {object} SET {} WHERE {}", set.join(", "), wher.join(" AND "));
    }
    let names: Vec<String> = keys.iter().map(|k| quote_ident(k)).chain(values.iter().map(|c| quote_ident(c))).collect();
    let marks = vec!["?"; names.len()].join(", ");
    format!("INSERT INTO {object} ({}) VALUES ({marks}) USING TIMESTAMP ? AND TTL ?", names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(cql: &str) -> TableSchema {
        SchemaFile::parse(cql, "s").unwrap().tables.remove(0)
    }

    #[test]
    fn probe_inserts_every_column_with_timestamp_and_ttl() {
        let t = table("CREATE TABLE ks.t (pk int, ck int, s text static, v blob, PRIMARY KEY (pk, ck))");
        assert_eq!(
            write_probe(&t, "ks.t"),
            "INSERT INTO ks.t (\"pk\", \"ck\", \"s\", \"v\") VALUES (?, ?, ?, ?) USING TIMESTAMP ? AND TTL ?"
        );
        let t = table("CREATE TABLE ks.k (pk int PRIMARY KEY)");
        assert_eq!(write_probe(&t, "ks.k"), "INSERT INTO ks.k (\"pk\") VALUES (?) USING TIMESTAMP ? AND TTL ?");
    }

    #[test]
    fn counter_probe_increments_without_timestamp() {
        let t = table("CREATE TABLE ks.c (pk int, ck int, n counter, PRIMARY KEY (pk, ck))");
        assert_eq!(write_probe(&t, "ks.c"), "UPDATE ks.c SET \"n\" = \"n\" + ? WHERE \"pk\" = ? AND \"ck\" = ?");
    }

    #[test]
    fn ttl_evidence_from_default_ttl_or_sstables() {
        let t = table("CREATE TABLE ks.t (pk int PRIMARY KEY) WITH default_time_to_live = 60");
        let plan = plan(1, Default::default());
        assert_eq!(ttl_evidence(&t, &plan).as_deref(), Some("default_time_to_live = 60"));
        let t = table("CREATE TABLE ks.t (pk int PRIMARY KEY)");
        assert_eq!(ttl_evidence(&t, &plan), None);
    }

    /// A plan of table `ks.t` found on `nodes` nodes, without SSTables or schema.
    pub(super) fn plan(nodes: usize, estimate: crate::plan::manifest::Estimate) -> TablePlan {
        TablePlan {
            keyspace: "ks".into(),
            table: "t".into(),
            id: None,
            schema: None,
            partitioner: MURMUR3.into(),
            counter: false,
            nodes: (0..nodes).map(|n| format!("node{n}")).collect(),
            snapshot_time: None,
            sstables: vec![],
            units: vec![],
            estimate,
        }
    }

    #[test]
    fn a_plan_without_schema_cannot_be_checked() {
        let e = source_table(&plan(1, Default::default())).unwrap_err();
        assert!(e.to_string().starts_with("ks.t: the manifest has no schema.cql"), "{e}");
    }
}
