//! What the end-to-end tests share: the `ksbulk` binary, the test Cassandra, target DDL made
//! from a snapshot's `schema.cql`, and the comparison of a table with its SELECT oracle.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use futures::TryStreamExt;
use scylla::client::session::Session;
use scylla::client::session_builder::SessionBuilder;
use ksbulk_tests::corpus::Select;
use serde_json::Value;

/// Address of the test Cassandra (`KSBULK_CASSANDRA`, default 127.0.0.1:9042).
pub fn cassandra_addr() -> String {
    ksbulk_tests::require_cassandra()
}

/// The `ksbulk` binary: `$KSBULK_BIN`, else the one of this build, beside the test binary's
/// `deps/` directory.
pub fn ksbulk_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("KSBULK_BIN") {
        return PathBuf::from(bin);
    }
    let exe = std::env::current_exe().expect("path of the test binary");
    let dir = exe.parent().and_then(Path::parent).expect("test binary lives in target/<profile>/deps");
    let bin = dir.join("ksbulk");
    assert!(bin.is_file(), "the ksbulk binary is not built at {}; run cargo build -p ksbulk", bin.display());
    bin
}

/// Runs `ksbulk ARGS` to completion, returning its output.
pub fn ksbulk(args: &[&str]) -> Output {
    Command::new(ksbulk_bin()).args(args).output().expect("ksbulk runs")
}

/// Runs `ksbulk ARGS` and panics, showing its output, unless it exits 0.
pub fn ksbulk_ok(args: &[&str]) -> Output {
    let out = ksbulk(args);
    assert!(out.status.success(), "ksbulk {args:?} failed ({}):\n{}\n{}", out.status, String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    out
}

/// A fresh temporary directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ksbulk-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// A session on the test Cassandra; fails (never skips) when it is not running.
pub async fn session() -> Arc<Session> {
    let addr = cassandra_addr();
    Arc::new(SessionBuilder::new().known_node(&addr).build().await.unwrap_or_else(|e| panic!("no Cassandra at {addr}: {e}")))
}

/// Runs one DDL statement and waits for schema agreement.
pub async fn ddl(s: &Session, cql: &str) {
    s.query_unpaged(cql, &[]).await.unwrap_or_else(|e| panic!("{cql}: {e}"));
    s.await_schema_agreement().await.expect("schema agreement");
}

/// (Re)creates keyspace `target` with the types and tables of the `schema.cql` files given,
/// their keyspace `source` renamed to `target` and the source table ids left out.
pub async fn create_target(s: &Session, source: &str, target: &str, schema_files: &[PathBuf]) {
    ddl(s, &format!("DROP KEYSPACE IF EXISTS {target}")).await;
    ddl(s, &format!("CREATE KEYSPACE {target} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}")).await;
    let mut types = Vec::new();
    let mut tables = Vec::new();
    for f in schema_files {
        let text = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        for stmt in text.split(";\n").map(str::trim).filter(|s| !s.is_empty()) {
            let stmt = rename_keyspace(stmt, source, target);
            if stmt.starts_with("CREATE TYPE") {
                if !types.contains(&stmt) {
                    types.push(stmt);
                }
            } else if stmt.starts_with("CREATE TABLE") {
                tables.push(stmt);
            }
        }
    }
    for stmt in types.iter().chain(&tables) {
        ddl(s, stmt).await;
    }
}

fn rename_keyspace(stmt: &str, source: &str, target: &str) -> String {
    let stmt = stmt.trim_end_matches(';').replace(&format!("{source}."), &format!("{target}."));
    // `WITH ID = <uuid>` names the source table; the target makes its own.
    match stmt.find("WITH ID = ") {
        Some(at) => {
            let rest = &stmt[at + "WITH ID = ".len()..];
            let after_id = rest.find(char::is_whitespace).map_or("", |i| rest[i..].trim_start());
            match after_id.strip_prefix("AND ") {
                Some(options) => format!("{}WITH {options}", &stmt[..at]),
                None => stmt[..at].to_string(),
            }
        }
        None => stmt,
    }
}

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_millis() as i64
}

/// A table's `select.json` oracle (written by `scripts/corpus`), and whether the table
/// counts (counter updates cannot carry a writetime).
#[derive(Debug)]
pub struct SelectOracle {
    /// The oracle.
    pub select: Select,
    /// Whether the table has counter columns (from the `schema.cql` beside the oracle).
    pub is_counter_table: bool,
}

impl SelectOracle {
    /// Reads `path`.
    pub fn read(path: &Path) -> SelectOracle {
        let select = Select::load(path).unwrap_or_else(|e| panic!("{e}"));
        let dir = path.parent().expect("oracle in a table directory");
        let schema = [dir.join("snapshot").join("schema.cql"), dir.join("..").join("node1").join("schema.cql")].into_iter().find(|p| p.is_file());
        let is_counter_table = schema.and_then(|p| std::fs::read_to_string(p).ok()).is_some_and(|cql| cql.contains(" counter,") || cql.contains(" counter\n"));
        SelectOracle { select, is_counter_table }
    }
}

/// Runs the oracle's query against `target_keyspace` and compares every row with the
/// oracle: values and writetimes exactly; TTLs as the oracle's TTL counted down to now
/// (±3 s, and up to `ttl_slack_s` lower: an oracle table written after the source SSTables
/// counts its TTLs from later). A cell whose TTL ran out since the oracle was taken is
/// expected absent. Returns the differences, one line each.
///
/// Counter tables: counter updates cannot carry a writetime, so `writetime(…)` is not
/// compared there.
pub async fn compare_with_oracle(s: &Session, oracle: &SelectOracle, target_keyspace: &str, ttl_slack_s: f64) -> Vec<String> {
    let (counter, oracle) = (oracle.is_counter_table, &oracle.select);
    let query = oracle.query.replace(&format!(" FROM {}.{}", oracle.keyspace, oracle.table), &format!(" FROM {target_keyspace}.{}", oracle.table));
    assert_ne!(query, oracle.query, "query of {}.{} does not name its table as expected", oracle.keyspace, oracle.table);
    let now = now_ms();
    let elapsed_s = (now - oracle.selected_at_ms as i64) as f64 / 1000.0;
    let mut expected: Vec<serde_json::Map<String, Value>> = oracle.rows.iter().map(|r| serde_json::from_str(r).expect("oracle row is JSON")).collect();
    for row in &mut expected {
        expire(row, elapsed_s);
    }
    let mut actual: Vec<serde_json::Map<String, Value>> = Vec::new();
    let mut pager = s.query_iter(query.as_str(), &[]).await.unwrap_or_else(|e| panic!("{query}: {e}")).rows_stream::<(String,)>().expect("one text column");
    while let Some((json,)) = pager.try_next().await.unwrap_or_else(|e| panic!("{query}: {e}")) {
        actual.push(serde_json::from_str(&json).expect("row is JSON"));
    }
    let mut ttl_keys: Vec<&String> = oracle.writetime_ttl.iter().filter(|k| k.starts_with("ttl(")).collect();
    if counter {
        ttl_keys.extend(oracle.writetime_ttl.iter().filter(|k| k.starts_with("writetime(")));
    }
    let key_of = |row: &serde_json::Map<String, Value>| -> String {
        let mut r = row.clone();
        for k in &ttl_keys {
            r.remove(k.as_str());
        }
        Value::Object(r).to_string()
    };
    let mut expected: Vec<(String, serde_json::Map<String, Value>)> = expected.into_iter().map(|r| (key_of(&r), r)).collect();
    let mut actual: Vec<(String, serde_json::Map<String, Value>)> = actual.into_iter().map(|r| (key_of(&r), r)).collect();
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    actual.sort_by(|a, b| a.0.cmp(&b.0));
    let mut diffs = Vec::new();
    let (mut i, mut j) = (0, 0);
    let name = format!("{}.{}", oracle.keyspace, oracle.table);
    while i < expected.len() || j < actual.len() {
        match (expected.get(i), actual.get(j)) {
            (Some(e), Some(a)) if e.0 == a.0 => {
                for k in ttl_keys.iter().filter(|k| k.starts_with("ttl(")) {
                    let (ev, av) = (e.1.get(k.as_str()).and_then(Value::as_f64), a.1.get(k.as_str()).and_then(Value::as_f64));
                    match (ev, av) {
                        (None, None) => {}
                        (Some(ev), Some(av)) if av <= ev + 3.0 && av >= ev - 3.0 - ttl_slack_s => {}
                        _ => diffs.push(format!("{name}: {k} is {av:?}, expected about {ev:?} in row {}", e.0)),
                    }
                }
                i += 1;
                j += 1;
            }
            (Some(e), a) if a.is_none_or(|a| e.0 < a.0) => {
                diffs.push(format!("{name}: missing row {}", e.0));
                i += 1;
            }
            (_, Some(a)) => {
                diffs.push(format!("{name}: unexpected row {}", a.0));
                j += 1;
            }
            (None, None) => break,
            (Some(_), None) => unreachable!(),
        }
    }
    diffs
}

/// Applies `elapsed_s` seconds to a row's TTLs: a TTL counts down; a cell whose TTL ran
/// out is gone (value, writetime and TTL null).
fn expire(row: &mut serde_json::Map<String, Value>, elapsed_s: f64) {
    let ttl_columns: Vec<String> = row.keys().filter_map(|k| k.strip_prefix("ttl(").and_then(|c| c.strip_suffix(')')).map(str::to_string)).collect();
    for c in ttl_columns {
        let key = format!("ttl({c})");
        let Some(ttl) = row.get(&key).and_then(Value::as_f64) else { continue };
        let left = ttl - elapsed_s;
        if left <= 0.0 {
            for k in [c.clone(), key.clone(), format!("writetime({c})")] {
                row.insert(k, Value::Null);
            }
        } else {
            row.insert(key, serde_json::json!(left));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyspace_renamed_and_id_dropped() {
        let s = "CREATE TABLE IF NOT EXISTS corpus_lz4.t (\n    a int PRIMARY KEY\n) WITH ID = f7064c00-ed8e-11f1-bdb1-9df40962878f\n    AND comment = ''";
        assert_eq!(rename_keyspace(s, "corpus_lz4", "x"), "CREATE TABLE IF NOT EXISTS x.t (\n    a int PRIMARY KEY\n) WITH comment = ''");
        let only_id = "CREATE TABLE ks.t (a int PRIMARY KEY) WITH ID = f7064c00-ed8e-11f1-bdb1-9df40962878f;";
        assert_eq!(rename_keyspace(only_id, "ks", "y"), "CREATE TABLE y.t (a int PRIMARY KEY) ");
    }

    #[test]
    fn expired_cells_are_expected_absent() {
        let mut row: serde_json::Map<String, Value> = serde_json::from_str(r#"{"a": 1, "ttl(a)": 10, "writetime(a)": 5, "b": 2, "ttl(b)": 100}"#).unwrap();
        expire(&mut row, 20.0);
        assert_eq!(row["a"], Value::Null);
        assert_eq!(row["writetime(a)"], Value::Null);
        assert_eq!(row["ttl(b)"], serde_json::json!(80.0));
    }
}
