//! A corrupt SSTable in the source: the unit that reads it stops with the reader's error
//! (file, component, byte offset), the run ends non-zero, and the other units' progress is
//! saved in the manifest.

use ksbulk_tests::corpus::{corpus_dir, Index};

use super::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_chunk_fails_its_unit_and_names_the_spot() {
    let corpus = corpus_dir();
    let index = Index::load(&corpus).expect("corpus index");
    let s = session().await;
    let addr = cassandra_addr();
    let work = temp_dir("bad");
    // Two tables: one intact, one whose LZ4 Data.db gets a flipped byte in its first chunk.
    let good = index.entry("oa", "lz4", "scalar_int").expect("scalar_int in the corpus");
    let bad = index.entry("oa", "lz4", "scalar_text").expect("scalar_text in the corpus");
    let source = work.join("source");
    for e in [good, bad] {
        let dst = source.join(&e.keyspace).join(&e.table);
        std::fs::create_dir_all(&dst).unwrap();
        for f in std::fs::read_dir(e.snapshot_dir(&corpus)).unwrap() {
            let f = f.unwrap().path();
            std::fs::copy(&f, dst.join(f.file_name().unwrap())).unwrap();
        }
    }
    let bad_data = std::fs::read_dir(source.join(&bad.keyspace).join(&bad.table))
        .unwrap()
        .map(|f| f.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("-Data.db"))
        .expect("Data.db");
    let mut bytes = std::fs::read(&bad_data).unwrap();
    bytes[10] ^= 0x5a;
    std::fs::write(&bad_data, &bytes).unwrap();

    let schemas = [good.snapshot_dir(&corpus).join("schema.cql"), bad.snapshot_dir(&corpus).join("schema.cql")];
    create_target(&s, &good.keyspace, "e2e_bad", &schemas).await;
    let manifest = work.join("m.json");
    ksbulk_ok(&["plan", "--source", source.to_str().unwrap(), "--manifest", manifest.to_str().unwrap()]);
    let rejects = work.join("rejects.jsonl");
    let out = ksbulk(&["run", manifest.to_str().unwrap(), "--target", &addr, "--target-keyspace", "e2e_bad", "--no-progress", "--rejects", rejects.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "a failed unit ends the run with 2:\n{stdout}");
    let name = bad_data.file_name().unwrap().to_string_lossy().to_string();
    let failed = stdout.lines().find(|l| l.starts_with("FAILED")).unwrap_or_else(|| panic!("no FAILED line:\n{stdout}"));
    assert!(failed.contains(&name) && failed.contains("Data.db") && failed.contains("byte"), "the error names file, component and offset: {failed}");

    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    let states: Vec<(String, String)> = m["tables"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["units"].as_array().unwrap().iter().map(move |u| (t["table"].as_str().unwrap().to_string(), u["status"]["state"].as_str().unwrap().to_string())))
        .collect();
    assert!(states.iter().any(|(t, s)| t == "scalar_int" && s == "done"), "{states:?}");
    assert!(states.iter().any(|(t, s)| t == "scalar_text" && s == "failed"), "{states:?}");
    let oracle = SelectOracle::read(&good.select_path(&corpus));
    let diffs = compare_with_oracle(&s, &oracle, "e2e_bad", 0.0).await;
    assert!(diffs.is_empty(), "the intact table still loads: {diffs:?}");
}
