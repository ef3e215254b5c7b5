//! The corpus's three-node layout (one table's SSTables from three replicas that differ as
//! unrepaired replicas do) loaded once: each distinct row written once, the newest version
//! winning, the target equal to the merge Cassandra made of the three (`expected/select.json`).

use ksbulk_tests::corpus::{corpus_dir, Index};

use super::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_merge_into_one_write_per_row() {
    let corpus = corpus_dir();
    let index = Index::load(&corpus).expect("corpus index");
    let s = session().await;
    let addr = cassandra_addr();
    let work = temp_dir("threenode");
    assert!(!index.threenode.is_empty(), "the corpus has no three-node layout");
    for entry in &index.threenode {
        let dir = corpus.join(&entry.dir);
        let target_ks = format!("e2e_threenode_{}", entry.format);
        let schema = dir.join("node1").join("schema.cql");
        create_target(&s, &entry.keyspace, &target_ks, &[schema]).await;
        let manifest = work.join(format!("{target_ks}.json"));
        let summary = work.join(format!("{target_ks}-summary.json"));
        ksbulk_ok(&["plan", "--source", dir.to_str().unwrap(), "--manifest", manifest.to_str().unwrap()]);
        let rejects = work.join(format!("{target_ks}-rejects.jsonl"));
        // On two I/O threads: the other tests run on the default one.
        ksbulk_ok(&["run", manifest.to_str().unwrap(), "--target", &addr, "--target-keyspace", &target_ks, "--no-progress", "--io-threads", "2", "--summary-json", summary.to_str().unwrap(), "--rejects", rejects.to_str().unwrap()]);
        let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
        let read = report["merge"]["rows_read"].as_u64().unwrap();
        let distinct = report["merge"]["rows_distinct"].as_u64().unwrap();
        let merged_away = report["merge"]["rows_merged_away"].as_u64().unwrap();
        let received = report["write"]["rows_received"].as_u64().unwrap();
        let written = report["write"]["rows_written"].as_u64().unwrap();
        let empty = report["write"]["rows_empty"].as_u64().unwrap();
        assert!(merged_away > 0 && distinct < read, "replica copies were not merged: {report}");
        assert_eq!(written + empty, received, "{report}");
        // Exactly one write per distinct row: the writer received each merged row once
        // (plus static rows and partition-level fragments), none per replica copy.
        let (rows, statics) = (report["fragments"]["rows"].as_u64().unwrap(), report["fragments"]["static_rows"].as_u64().unwrap());
        assert_eq!(rows + statics, distinct, "{report}");
        let fragments = ["rows", "static_rows", "partition_deletions", "range_deletions"].iter().map(|k| report["fragments"][k].as_u64().unwrap()).sum::<u64>();
        assert_eq!(received, fragments, "{report}");
        let oracle = SelectOracle::read(&corpus.join(&entry.expected));
        let diffs = compare_with_oracle(&s, &oracle, &target_ks, 120.0).await;
        assert!(diffs.is_empty(), "{}: {} differences:\n{}", entry.format, diffs.len(), diffs.join("\n"));
    }
}
