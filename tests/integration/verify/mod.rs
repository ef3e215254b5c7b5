//! `ksbulk verify` against the real Cassandra started by `scripts/cassandra start`: a source
//! keyspace written with cqlsh-like CQL (writetimes, TTLs, statics, a static-only partition,
//! collections, a UDT, deletions, an expired row, counters), snapshotted with
//! `scripts/nodetool` and planned with `ksbulk plan`; a target keyspace gets the same
//! statements (so this test does not depend on `ksbulk run`). Verify must find nothing, then
//! exactly the three differences made by hand on the target: a changed value, a deleted row
//! and an altered writetime.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use ksbulk::checkpoint::Checkpoint;
use ksbulk::cli::conn::ConnArgs;
use ksbulk::verify::{verify_manifest, VerifyOptions, VerifyReport};
use ksbulk_tests::{cassandra_credentials, repo_root, require_cassandra, stack_dir, unique_name};
use scylla::client::session::Session;
use serde_json::Value;

/// Write timestamps of the data (µs), far from now so nothing collides with server time.
const BASE: i64 = 1_600_000_000_000_000;

const DDL: &[&str] = &[
    "CREATE TYPE {ks}.addr (street text, n int)",
    "CREATE TABLE {ks}.t (pk int, ck text, s text static, v text, n bigint, l list<int>, st set<text>, m map<text, int>, u addr, f frozen<list<int>>, \
     PRIMARY KEY (pk, ck)) WITH CLUSTERING ORDER BY (ck DESC)",
    "CREATE TABLE {ks}.c (pk int PRIMARY KEY, hits counter)",
];

/// The data, as cqlsh would write it; `{ks}` is the keyspace.
fn statements() -> Vec<String> {
    // Written first so that it has expired when verify runs.
    let mut out = vec!["INSERT INTO {ks}.t (pk, ck, v) VALUES (200, 'gone', 'x') USING TTL 1".to_string()];
    for pk in 0..40 {
        out.push(format!("INSERT INTO {{ks}}.t (pk, ck, v, n, f) VALUES ({pk}, 'a', 'v{pk}', {}, [{pk}, 1]) USING TIMESTAMP {}", pk * 10, BASE + pk));
        if pk % 2 == 0 {
            let ts = BASE + 100 + pk;
            out.push(format!("UPDATE {{ks}}.t USING TIMESTAMP {ts} SET l = [0], st = {{'x', 'y{pk}'}} WHERE pk = {pk} AND ck = 'b'"));
            out.push(format!(
                "UPDATE {{ks}}.t USING TIMESTAMP {} AND TTL 86400 SET l = l + [1, 2], m['k'] = {pk}, u = {{street: 'main', n: {pk}}} WHERE pk = {pk} AND ck = 'b'",
                ts + 1
            ));
        }
        if pk % 3 == 0 {
            out.push(format!("UPDATE {{ks}}.t USING TIMESTAMP {} AND TTL 7200 SET s = 'static{pk}' WHERE pk = {pk}", BASE + 200 + pk));
        }
    }
    out.push(format!("INSERT INTO {{ks}}.t (pk, s) VALUES (100, 'lonely') USING TIMESTAMP {}", BASE + 300));
    out.push(format!("DELETE FROM {{ks}}.t USING TIMESTAMP {} WHERE pk = 1 AND ck = 'a'", BASE + 1000));
    out.push(format!("DELETE v FROM {{ks}}.t USING TIMESTAMP {} WHERE pk = 2 AND ck = 'a'", BASE + 1000));
    out.push(format!("DELETE FROM {{ks}}.t USING TIMESTAMP {} WHERE pk = 4 AND ck > 'a'", BASE + 1000));
    for pk in 0..10 {
        out.push(format!("UPDATE {{ks}}.c SET hits = hits + {} WHERE pk = {pk}", pk + 1));
        if pk % 2 == 1 {
            out.push(format!("UPDATE {{ks}}.c SET hits = hits - 1 WHERE pk = {pk}"));
        }
    }
    out
}

/// Rows of `t` the source holds: 40 'a' rows but pk 1's, 20 'b' rows but pk 4's, and the
/// static-only row of pk 100.
const T_ROWS: u64 = 39 + 19 + 1;

fn on(ks: &str, cql: &str) -> String {
    cql.replace("{ks}", ks)
}

async fn run(session: &Session, cql: &str) {
    session.query_unpaged(cql, &[]).await.unwrap_or_else(|e| panic!("{cql}: {e}"));
}

async fn create_keyspace(session: &Session, ks: &str) {
    run(session, &format!("CREATE KEYSPACE {ks} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}")).await;
    for ddl in DDL {
        run(session, &on(ks, ddl)).await;
    }
    session.await_schema_agreement().await.expect("schema agreement");
}

fn conn_flags(addr: &str) -> Vec<String> {
    let mut flags = vec!["--target".to_string(), addr.to_string()];
    if let Some((user, password)) = cassandra_credentials() {
        flags.extend(["--username".into(), user, "--password".into(), password]);
    }
    flags
}

fn conn_args(addr: &str) -> ConnArgs {
    #[derive(Parser)]
    struct Flags {
        #[command(flatten)]
        conn: ConnArgs,
    }
    let mut argv = vec!["x".to_string()];
    argv.extend(conn_flags(addr));
    Flags::try_parse_from(argv).expect("connection flags").conn
}

/// Runs a ksbulk command line as the binary would (outside any async runtime).
fn ksbulk(args: &[&str]) -> ExitCode {
    let mut argv = vec!["ksbulk"];
    argv.extend_from_slice(args);
    let cli = ksbulk::cli::Cli::try_parse_from(&argv).unwrap_or_else(|e| panic!("{argv:?}: {e}"));
    ksbulk::commands::dispatch(cli).unwrap_or_else(|e| panic!("{argv:?}: {e:#}"))
}

/// `scripts/nodetool snapshot -t tag ks` (it flushes first), on the node of the stack dir.
fn snapshot(ks: &str, tag: &str) {
    let out = Command::new(repo_root().join("scripts").join("nodetool"))
        .args(["snapshot", "-t", tag, ks])
        .env("KSBULK_STACK_DIR", stack_dir())
        .output()
        .expect("run scripts/nodetool");
    assert!(out.status.success(), "nodetool snapshot failed: {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

fn keyspace_dir(ks: &str) -> PathBuf {
    let dir = stack_dir().join("cassandra").join("data").join("data").join(ks);
    assert!(dir.is_dir(), "{} missing: is the node at KSBULK_CASSANDRA the one of KSBULK_STACK_DIR ({})?", dir.display(), stack_dir().display());
    dir
}

fn table<'a>(report: &'a VerifyReport, name: &str) -> &'a ksbulk::verify::TableReport {
    report.tables.iter().find(|t| t.table.ends_with(name)).unwrap_or_else(|| panic!("no table {name} in {report:#?}"))
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).expect("report is JSON")
}

#[test]
fn verify_finds_nothing_then_exactly_the_differences_made() {
    let addr = require_cassandra();
    let src = unique_name("verify_src");
    let tgt = unique_name("verify_tgt");
    let work = std::env::temp_dir().join(unique_name("ksbulk-verify"));
    std::fs::create_dir_all(&work).expect("work dir");
    let manifest = work.join("manifest.json");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");

    // Source and target get the same statements, one right after the other, so TTLs count
    // down from (nearly) the same instant on both.
    let session: Arc<Session> = rt.block_on(async {
        let session = ksbulk::write::session::connect(&conn_args(&addr)).await.expect("connect");
        create_keyspace(&session, &src).await;
        create_keyspace(&session, &tgt).await;
        for cql in statements() {
            run(&session, &on(&src, &cql)).await;
            run(&session, &on(&tgt, &cql)).await;
        }
        session
    });
    let written = Instant::now();

    snapshot(&src, "verify");
    let source_dir = keyspace_dir(&src);
    let source = source_dir.to_string_lossy();
    assert_eq!(ksbulk(&["plan", "--source", &source, "--keyspace", &src, "--snapshot", "verify", "--units", "4", "--manifest", &manifest.to_string_lossy()]), ExitCode::SUCCESS);
    // The TTL 1 row must be gone everywhere.
    std::thread::sleep(Duration::from_millis(2100).saturating_sub(written.elapsed()));

    let checkpoint = Checkpoint::load(&manifest).expect("manifest");
    let (on_source, on_target, sampled) = rt.block_on(async {
        let options = VerifyOptions::default();
        let on_source = verify_manifest(&checkpoint, &session, &options).await.expect("verify source");
        let to_target = VerifyOptions { target_keyspace: Some(tgt.clone()), ..options.clone() };
        let on_target = verify_manifest(&checkpoint, &session, &to_target).await.expect("verify target");
        let sampled = verify_manifest(&checkpoint, &session, &VerifyOptions { sample: 0.25, ..to_target }).await.expect("verify sample");
        (on_source, on_target, sampled)
    });
    for report in [&on_source, &on_target] {
        assert!(report.is_clean(), "{}", report.summary());
        let t = table(report, ".t");
        assert_eq!(t.counts.rows_matched, T_ROWS, "{}", report.summary());
        assert_eq!((t.counts.rows_read, t.counts.rows_expected), (T_ROWS, T_ROWS));
        assert!(t.multi_cell_writetime_ttl, "Cassandra 5.0 reads WRITETIME/TTL of collections: {:?}", t.notes);
        assert_eq!(t.units_verified.len(), t.units_total);
        assert!(t.units_total > 1, "several units, so ranges are split");
        assert_eq!(table(report, ".c").counts.rows_matched, 10);
    }
    assert_eq!(table(&on_target, ".t").target, format!("{tgt}.t"));
    for t in &sampled.tables {
        assert_eq!(t.units_verified.len(), t.units_total.div_ceil(4), "--sample 0.25 of {} units", t.units_total);
    }

    // Three differences: a value (same writetime, greater value wins the tie), a row, a
    // writetime (same value, later timestamp).
    rt.block_on(async {
        run(&session, &format!("UPDATE {tgt}.t USING TIMESTAMP {} SET v = 'zzz' WHERE pk = 10 AND ck = 'a'", BASE + 10)).await;
        run(&session, &format!("DELETE FROM {tgt}.t USING TIMESTAMP {} WHERE pk = 6 AND ck = 'b'", BASE + 5000)).await;
        run(&session, &format!("UPDATE {tgt}.t USING TIMESTAMP {} SET n = 200 WHERE pk = 20 AND ck = 'a'", BASE + 21)).await;
    });
    let report_path = work.join("verify.json");
    let mut args: Vec<String> = vec!["verify".into(), manifest.to_string_lossy().into(), "--target-keyspace".into(), tgt.clone(), "--report".into(), report_path.to_string_lossy().into()];
    args.extend(conn_flags(&addr));
    let code = ksbulk(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let report = read_json(&report_path);
    assert_eq!(code, ExitCode::from(1), "{report:#}");
    let totals = &report["totals"];
    assert_eq!(totals["missing_rows"], 1, "{report:#}");
    assert_eq!(totals["extra_rows"], 0, "{report:#}");
    assert_eq!(totals["cells_differing"], 2, "{report:#}");
    assert_eq!((totals["value_differences"].as_u64(), totals["writetime_differences"].as_u64(), totals["ttl_differences"].as_u64()), (Some(1), Some(1), Some(0)));
    let differences = report["differences"].as_array().expect("differences");
    assert_eq!(differences.len(), 3, "{report:#}");
    let find = |kind: &str, key: &str| differences.iter().find(|d| d["kind"] == kind && d["key"] == key).unwrap_or_else(|| panic!("no {kind} at {key}: {report:#}"));
    let missing = find("missing_row", "(6)");
    assert_eq!(missing["clustering"], "(b)");
    let value = find("cell", "(10)");
    assert_eq!((value["column"].as_str(), value["differs"][0].as_str()), (Some("v"), Some("value")));
    assert_eq!((value["source"]["value"].as_str(), value["target"]["value"].as_str()), (Some("\"v10\""), Some("\"zzz\"")));
    let writetime = find("cell", "(20)");
    assert_eq!((writetime["column"].as_str(), writetime["differs"][0].as_str()), (Some("n"), Some("writetime")));
    assert_eq!(writetime["target"]["writetime"][0], BASE + 21);
    assert!(!std::fs::read_to_string(&report_path).unwrap().contains("password"));

    rt.block_on(async {
        for ks in [&src, &tgt] {
            let _ = session.query_unpaged(format!("DROP KEYSPACE IF EXISTS {ks}"), &[]).await;
        }
    });
    let _ = std::fs::remove_dir_all(&work);
}
