//! `ksbulk schema` on every schema.cql of the corpus (3 formats × 5 compressions × every
//! table): for Cassandra the DDL is the same whatever the SSTable format and Cassandra
//! 5.0 accepts it; for Keyspaces no table keeps an option Keyspaces refuses.
//!
//! Applying costs about half a second per statement on the test node, so one keyspace's
//! tables are applied in full (lz4, the one with every table) and one table of each other
//! compression (their DDL differs only in the compression option); the others are checked
//! to be the same DDL.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ksbulk::preflight::{run_checks, PreflightOptions};
use ksbulk_tests::corpus::{corpus_dir, Entry, Index};
use ksbulk_tests::unique_name;

use super::*;

/// Runs `ksbulk schema` with `args`; returns its exit code.
fn schema(args: &[&str]) -> ExitCode {
    ksbulk::commands::schema::run(schema_args(args)).unwrap_or_else(|e| panic!("ksbulk schema {args:?}: {e:#}"))
}

fn is_success(code: ExitCode) -> bool {
    format!("{code:?}") == format!("{:?}", ExitCode::SUCCESS)
}

fn snapshot(dir: &Path, e: &Entry) -> String {
    e.snapshot_dir(dir).display().to_string()
}

/// Option names of every `CREATE TABLE` of a script, by table: what follows `) WITH`,
/// split at `AND`.
fn table_options(script: &str) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for st in script.split(";\n").filter(|s| s.trim_start().starts_with("CREATE TABLE")) {
        let name = st.trim_start().trim_start_matches("CREATE TABLE IF NOT EXISTS ").split(' ').next().unwrap_or_default().to_string();
        let opts = match st.split_once("\n) WITH ") {
            Some((_, with)) => with
                .split("\n    AND ")
                .map(|o| if o.starts_with("CLUSTERING ORDER BY") { "CLUSTERING ORDER BY".to_string() } else { o.split(" = ").next().unwrap_or_default().to_string() })
                .collect(),
            None => vec![],
        };
        out.insert(name, opts);
    }
    out
}

#[test]
fn cassandra_ddl_of_every_corpus_schema_is_format_independent_and_applies() {
    let dir = corpus_dir();
    let index = Index::load(&dir).unwrap_or_else(|e| panic!("{e}"));
    let out = temp_dir("corpus-cassandra");
    let base = unique_name("ksb_sch");
    let renames: Vec<String> = index.compressions.iter().map(|c| format!("corpus_{c}={base}_{c}")).collect();
    let common = |extra: &[String]| -> Vec<String> {
        let mut a: Vec<String> = vec!["--for".into(), "cassandra".into(), "--replication".into(), RF1.into()];
        for r in &renames {
            a.extend(["--rename-keyspace".to_string(), r.clone()]);
        }
        a.extend(extra.iter().cloned());
        a
    };

    // Every schema.cql translates, and the DDL depends on the table, not on the format.
    let mut ddl_of: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
    for e in &index.entries {
        let file = out.join(format!("{}-{}-{}.cql", e.format, e.compression, e.table));
        let args = common(&[snapshot(&dir, e), "-o".into(), file.display().to_string(), "--strict".into()]);
        let code = schema(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(is_success(code), "{}: {code:?}", e.dir);
        let text = read(&file);
        assert!(text.contains(&format!("CREATE TABLE IF NOT EXISTS {base}_{}.", e.compression)), "{}:\n{text}", e.dir);
        let autocompaction_off = text.lines().any(|l| l.contains("compaction = ") && l.contains("'enabled'"));
        assert!(!text.contains(" ID =") && !autocompaction_off && !text.contains("memtable ="), "{}:\n{text}", e.dir);
        match ddl_of.get(&(e.compression.clone(), e.table.clone())) {
            Some((format, first)) => assert_eq!(&text, first, "{} differs from the {format} DDL", e.dir),
            None => {
                ddl_of.insert((e.compression.clone(), e.table.clone()), (e.format.clone(), text));
            }
        }
    }
    assert!(ddl_of.len() >= 5 * 30, "only {} distinct tables in the corpus", ddl_of.len());

    // Apply: every table of one compression, one table of each other compression.
    let chosen: Vec<&Entry> = index
        .entries
        .iter()
        .filter(|e| e.format == "oa" && (e.compression == "lz4" || e.table == "scalar_int"))
        .collect();
    let mut args = common(&["--apply".into(), "--target".into(), ksbulk_tests::require_cassandra(), "-o".into(), out.join("applied.cql").display().to_string()]);
    args.extend(chosen.iter().map(|e| snapshot(&dir, e)));
    let code = schema(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(is_success(code), "apply: {code:?}");

    // What landed has the source's columns, types and keys: preflight passes on it.
    let texts: Vec<(String, String, String, bool)> = chosen
        .iter()
        .map(|e| {
            let cql = read(&PathBuf::from(snapshot(&dir, e)).join("schema.cql")).replace(&format!("{}.", e.keyspace), &format!("{base}_{}.", e.compression));
            (format!("{base}_{}", e.compression), e.table.clone(), cql, e.table == "counters")
        })
        .collect();
    let tables: Vec<(&str, &str, &str, bool)> = texts.iter().map(|(k, t, c, n)| (k.as_str(), t.as_str(), c.as_str(), *n)).collect();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let s = session().await;
        let report = run_checks(&s, &manifest(&tables), &PreflightOptions { routing: conn_args().routing, target: None, target_keyspace: None })
            .await
            .unwrap_or_else(|e| panic!("preflight on the applied corpus tables: {e}"));
        assert_eq!(report.tables.len(), chosen.len());
        drop_keyspaces(&s, &index.compressions.iter().map(|c| format!("{base}_{c}")).collect::<Vec<_>>()).await;
    });
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn keyspaces_ddl_of_every_corpus_schema_keeps_no_refused_option() {
    let dir = corpus_dir();
    let index = Index::load(&dir).unwrap_or_else(|e| panic!("{e}"));
    let out = temp_dir("corpus-keyspaces");
    let allowed = ["CLUSTERING ORDER BY", "comment", "default_time_to_live", "custom_properties"];
    for e in &index.entries {
        let file = out.join(format!("{}-{}-{}.cql", e.format, e.compression, e.table));
        let code = schema(&["--for", "keyspaces", &snapshot(&dir, e), "-o", &file.display().to_string()]);
        assert!(is_success(code), "{}: {code:?}", e.dir);
        let text = read(&file);
        assert!(text.starts_with(&format!("CREATE KEYSPACE IF NOT EXISTS {} WITH replication = {{'class': 'SingleRegionStrategy'}};\n", e.keyspace)), "{}:\n{text}", e.dir);
        let tables = table_options(&text);
        if e.table == "vectors" {
            // A vector partition key: Keyspaces cannot hold the table; reported, and --strict fails.
            assert!(tables.is_empty(), "{}:\n{text}", e.dir);
            assert!(!is_success(schema(&["--for", "keyspaces", "--strict", &snapshot(&dir, e), "-o", &file.display().to_string()])));
            continue;
        }
        let options = tables.get(&format!("{}.{}", e.keyspace, e.table)).unwrap_or_else(|| panic!("{}: no table in\n{text}", e.dir));
        for o in options {
            assert!(allowed.contains(&o.as_str()), "{}: option {o} kept for Keyspaces:\n{text}", e.dir);
        }
        assert!(options.iter().any(|o| o == "custom_properties"), "{}:\n{text}", e.dir);
        let counter = e.table == "counters";
        assert_eq!(text.contains("'client_side_timestamps': {'status': 'enabled'}"), !counter, "{}:\n{text}", e.dir);
        if e.table == "ttls" {
            assert!(text.contains("'ttl': {'status': 'enabled'}"), "{}:\n{text}", e.dir);
        }
        assert!(!text.contains(" ID ="), "{}:\n{text}", e.dir);
    }
    let _ = std::fs::remove_dir_all(&out);
}
