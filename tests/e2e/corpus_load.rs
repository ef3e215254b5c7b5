//! Every table of the generated corpus (every format, compression and CQL type) planned and
//! loaded into a fresh keyspace, then read back with the query that made its `select.json`:
//! values, writetimes and TTLs equal what the source Cassandra returned.

use ksbulk_tests::corpus::{corpus_dir, Index};

use super::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_corpus_table_loads_as_cassandra_returned_it() {
    let corpus = corpus_dir();
    let index = Index::load(&corpus).expect("corpus index");
    let s = session().await;
    let addr = cassandra_addr();
    let work = temp_dir("corpus");
    let mut failures = Vec::new();
    let mut tables = 0;
    // KSBULK_E2E_FORMATS=oa limits the formats (development); CI runs them all.
    let only: Option<String> = std::env::var("KSBULK_E2E_FORMATS").ok();
    for format in index.formats.iter().filter(|f| only.as_ref().is_none_or(|o| o.split(',').any(|x| x == f.as_str()))) {
        for compression in &index.compressions {
            let entries: Vec<_> = index.entries.iter().filter(|e| &e.format == format && &e.compression == compression).collect();
            let Some(first) = entries.first() else { continue };
            let source_ks = first.keyspace.clone();
            let target_ks = format!("e2e_{format}_{compression}");
            let schemas: Vec<_> = entries.iter().map(|e| e.snapshot_dir(&corpus).join("schema.cql")).collect();
            create_target(&s, &source_ks, &target_ks, &schemas).await;

            let manifest = work.join(format!("{target_ks}.json"));
            let summary = work.join(format!("{target_ks}-summary.json"));
            let rejects = work.join(format!("{target_ks}-rejects.jsonl"));
            let source = corpus.join(format).join(&source_ks);
            ksbulk_ok(&["plan", "--source", source.to_str().unwrap(), "--manifest", manifest.to_str().unwrap()]);
            let out = ksbulk(&[
                "run", manifest.to_str().unwrap(), "--target", &addr, "--target-keyspace", &target_ks, "--no-progress",
                "--summary-json", summary.to_str().unwrap(), "--rejects", rejects.to_str().unwrap(),
            ]);
            let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&summary).unwrap_or_default()).unwrap_or_default();
            if !out.status.success() {
                failures.push(format!("{target_ks}: run exited {} ({}): {}", out.status, String::from_utf8_lossy(&out.stderr), std::fs::read_to_string(&rejects).unwrap_or_default()));
                continue;
            }
            assert_eq!(report["units_failed"].as_array().map(Vec::len), Some(0), "{report}");
            assert_eq!(report["write"]["rows_rejected"], 0, "{report}");
            for e in &entries {
                let oracle = SelectOracle::read(&e.select_path(&corpus));
                failures.extend(compare_with_oracle(&s, &oracle, &target_ks, 0.0).await.into_iter().map(|d| format!("{format}/{compression}: {d}")));
                tables += 1;
            }
            // Keeps the node's heap for the next keyspace (hundreds of tables in all).
            ddl(&s, &format!("DROP KEYSPACE IF EXISTS {target_ks}")).await;
        }
    }
    assert!(only.is_some() || tables >= 400, "only {tables} tables compared; is the corpus complete?");
    assert!(failures.is_empty(), "{} differences over {tables} tables:\n{}", failures.len(), failures.iter().take(60).cloned().collect::<Vec<_>>().join("\n"));
}
