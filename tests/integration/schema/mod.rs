//! `ksbulk schema` and `ksbulk preflight` against the real Cassandra started by
//! `scripts/cassandra start` (address from `KSBULK_CASSANDRA`): the DDL made from every
//! schema.cql of the corpus applies, the Keyspaces DDL carries no option Keyspaces refuses,
//! and preflight fails on each problem it checks, with its message, and passes on a correct
//! target. Every test works in keyspaces of its own (`ksb_sch_<pid>_…`), dropped at the end.

mod corpus;
mod preflight;

use std::path::Path;
use std::sync::Arc;

use clap::Parser;
use ksbulk::cli::conn::ConnArgs;
use ksbulk::cli::schema::SchemaArgs;
use ksbulk::plan::manifest::{Estimate, Manifest, PlanOptions, SchemaRecord, TablePlan, ToolInfo, MANIFEST_FORMAT};
use scylla::client::session::Session;

/// Replication for test keyspaces on the one-node test cluster.
pub const RF1: &str = "{'class': 'SimpleStrategy', 'replication_factor': 1}";

/// Connection flags for the test Cassandra; fails (never skips) when it is not running.
pub fn conn_args() -> ConnArgs {
    #[derive(Parser)]
    struct Flags {
        #[command(flatten)]
        conn: ConnArgs,
    }
    let addr = ksbulk_tests::require_cassandra();
    Flags::try_parse_from(["ksbulk", "--target", &addr]).expect("valid flags").conn
}

/// `ksbulk schema` flags as a user would type them.
pub fn schema_args(args: &[&str]) -> SchemaArgs {
    #[derive(Parser)]
    struct Flags {
        #[command(flatten)]
        args: SchemaArgs,
    }
    Flags::try_parse_from(std::iter::once("ksbulk").chain(args.iter().copied())).unwrap_or_else(|e| panic!("{args:?}: {e}")).args
}

/// A session on the test Cassandra through the code `ksbulk` uses.
pub async fn session() -> Arc<Session> {
    ksbulk::write::session::connect(&conn_args()).await.expect("connect to the test Cassandra")
}

/// Runs one statement, waiting for schema agreement.
pub async fn ddl(s: &Session, cql: &str) {
    s.query_unpaged(cql, &[]).await.unwrap_or_else(|e| panic!("{cql}: {e}"));
    s.await_schema_agreement().await.expect("schema agreement");
}

/// Drops the keyspaces a test made (best effort: a failed test leaves them for inspection
/// only when the drop itself fails).
pub async fn drop_keyspaces(s: &Session, names: &[String]) {
    for ks in names {
        let _ = s.query_unpaged(format!("DROP KEYSPACE IF EXISTS {ks}"), &[]).await;
    }
}

/// A manifest of one table per schema text, as `ksbulk plan` records it (no SSTables).
pub fn manifest(tables: &[(&str, &str, &str, bool)]) -> Manifest {
    let tables = tables
        .iter()
        .map(|(keyspace, table, cql, counter)| TablePlan {
            keyspace: keyspace.to_string(),
            table: table.to_string(),
            id: None,
            schema: Some(SchemaRecord { path: format!("/snap/{table}/schema.cql"), cql: cql.to_string() }),
            partitioner: "org.apache.cassandra.dht.Murmur3Partitioner".into(),
            counter: *counter,
            nodes: vec!["node1".into()],
            snapshot_time: None,
            sstables: vec![],
            units: vec![],
            estimate: Estimate { bytes: 1 << 20, rows: 1000, write_units: 1000 },
        })
        .collect();
    Manifest {
        format: MANIFEST_FORMAT,
        tool: ToolInfo::current(),
        created_at_ms: 0,
        options: PlanOptions::default(),
        tables,
        estimate: Estimate { bytes: 1 << 20, rows: 1000, write_units: 1000 },
    }
}

/// A scratch directory for the test's files.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("ksbulk-it-schema-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// Reads a file to text.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
