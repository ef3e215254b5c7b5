//! The write stage against the real Cassandra started by `scripts/cassandra start`
//! (address from `KSBULK_CASSANDRA`, default 127.0.0.1:9042): what lands on the server, read
//! back with WRITETIME() and TTL(), for every statement shape, counters, deletes and rejects.

mod bench;
mod counters;
mod deletes;
mod faults;
mod keyspaces_limits;
mod rejects;
mod timestamps_ttl;

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use ksbulk::cli::conn::ConnArgs;
use ksbulk::write::rejects::RejectsFile;
use ksbulk::write::{Writer, WriterConfig};
use scylla::client::session::Session;
use scylla::client::session_builder::SessionBuilder;

/// Keyspace the write tests create their tables in.
pub const KEYSPACE: &str = "ksbulk_it_write";

/// Address of the test Cassandra.
pub fn cassandra_addr() -> String {
    std::env::var("KSBULK_CASSANDRA").unwrap_or_else(|_| "127.0.0.1:9042".into())
}

/// Connection flags for the test Cassandra, as a user would give them.
pub fn conn_args() -> ConnArgs {
    use clap::Parser;
    #[derive(clap::Parser)]
    struct Flags {
        #[command(flatten)]
        conn: ConnArgs,
    }
    Flags::try_parse_from(["ksbulk", "--target", &cassandra_addr()]).expect("valid flags").conn
}

/// A session for DDL and reading back; fails (never skips) when the server is missing.
pub async fn session() -> Arc<Session> {
    let addr = cassandra_addr();
    let s = SessionBuilder::new().known_node(&addr).build().await.unwrap_or_else(|e| {
        panic!("no Cassandra at {addr} (start it with scripts/cassandra start, or set KSBULK_CASSANDRA): {e}")
    });
    Arc::new(s)
}

/// Runs DDL, waiting for schema agreement.
pub async fn ddl(s: &Session, cql: &str) {
    s.query_unpaged(cql, &[]).await.unwrap_or_else(|e| panic!("{cql}: {e}"));
    s.await_schema_agreement().await.expect("schema agreement");
}

/// Creates the test keyspace and (re)creates `table` with `columns` (the text inside the
/// parentheses of CREATE TABLE).
pub async fn fresh_table(s: &Session, table: &str, columns: &str) {
    ddl(s, &format!("CREATE KEYSPACE IF NOT EXISTS {KEYSPACE} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}")).await;
    ddl(s, &format!("DROP TABLE IF EXISTS {KEYSPACE}.{table}")).await;
    ddl(s, &format!("CREATE TABLE {KEYSPACE}.{table} ({columns})")).await;
}

/// A temporary directory for rejects files, removed by the test.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ksbulk-it-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// A writer on the test Cassandra through the same session code `ksbulk` uses.
pub async fn writer(cfg: WriterConfig, rejects: &std::path::Path) -> Writer {
    let session = ksbulk::write::session::connect(&conn_args()).await.expect("connect");
    Writer::new(session, cfg, RejectsFile::create(rejects).expect("rejects file"))
}

/// Serialized CQL `int`.
pub fn int(v: i32) -> Bytes {
    Bytes::copy_from_slice(&v.to_be_bytes())
}

/// Serialized CQL `text`.
pub fn text(v: &str) -> Bytes {
    Bytes::copy_from_slice(v.as_bytes())
}

/// Seconds since the epoch.
pub fn now_secs() -> i64 {
    ksbulk::write::ttl::now_millis() / 1000
}
