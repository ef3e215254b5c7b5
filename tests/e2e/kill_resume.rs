//! A run of one million rows killed with SIGKILL at random instants, five times, each time
//! resumed from its manifest: the final target holds every row exactly as the source, and
//! the re-done work stays bounded (rows are rewritten only from the last checkpoint on).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::common::*;

const ROWS: u64 = 1_000_000;

/// The synthetic table (`scripts/synthetic-sstables`, cached under target/).
fn synthetic_table() -> std::path::PathBuf {
    let repo = ksbulk_tests::repo_root();
    let out = repo.join("target").join("synthetic").join(format!("events-{ROWS}"));
    let status = Command::new(repo.join("scripts").join("synthetic-sstables")).arg(&out).arg(ROWS.to_string()).arg("10").arg("40").status().expect("scripts/synthetic-sstables runs");
    assert!(status.success(), "scripts/synthetic-sstables failed");
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_five_times_and_resumed_loads_every_row() {
    let source = synthetic_table();
    let s = session().await;
    let addr = cassandra_addr();
    let work = temp_dir("kill");
    let schema = source.join("corpus_bench").join("events").join("schema.cql");
    create_target(&s, "corpus_bench", "e2e_kill", &[schema]).await;
    let manifest = work.join("m.json");
    ksbulk_ok(&["plan", "--source", source.to_str().unwrap(), "--manifest", manifest.to_str().unwrap(), "--units", "16"]);

    // Seeded, so a failure can be replayed: kill after 2-9 s of each run.
    let mut seed: u64 = std::env::var("KSBULK_KILL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_1234);
    let mut kills = 0;
    let rejects = work.join("rejects.jsonl");
    // 20,000 rows/s: five runs of at most 9 s write at most 900,000 rows, so all five kills
    // land before the end however fast the machine is.
    let run_args = [
        "run", manifest.to_str().unwrap(), "--target", &addr, "--target-keyspace", "e2e_kill", "--no-progress", "--checkpoint-every", "500ms", "--rate", "20000",
        "--rejects", rejects.to_str().unwrap(),
    ];
    while kills < 5 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let after = Duration::from_millis(2000 + (seed >> 33) % 7000);
        let mut child = Command::new(ksbulk_bin()).args(run_args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("ksbulk run starts");
        let started = Instant::now();
        while started.elapsed() < after {
            if child.try_wait().expect("wait").is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if child.try_wait().expect("wait").is_some() {
            break; // finished before the kill: nothing left to interrupt
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        kills += 1;
        let m: serde_json::Value = serde_json::from_slice(&std::fs::read(&manifest).unwrap()).expect("the manifest is whole after a kill");
        assert!(m["tables"][0]["units"].is_array());
    }
    assert_eq!(kills, 5, "the run finished after {kills} kills; it should take longer than that");
    let summary = work.join("summary.json");
    let mut args = run_args.to_vec();
    args.extend(["--summary-json", summary.to_str().unwrap()]);
    ksbulk_ok(&args);
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    assert_eq!(report["units_failed"].as_array().map(Vec::len), Some(0), "{report}");

    // Every row, with its value and writetime: compare the target with the source rows'
    // generator facts (pk = n * golden, ck, name = "event-" + i, writetime = base + i).
    let mut count = 0u64;
    let mut bad = Vec::new();
    let mut pager = s.query_iter("SELECT pk, ck, name, writetime(name) FROM e2e_kill.events", &[]).await.unwrap().rows_stream::<(i64, i32, String, i64)>().unwrap();
    use futures::TryStreamExt;
    while let Some((pk, ck, name, wt)) = pager.try_next().await.unwrap() {
        count += 1;
        let i: u64 = name.strip_prefix("event-").and_then(|n| n.parse().ok()).unwrap_or(u64::MAX);
        let partition = (i / 10) as i64;
        if pk != partition.wrapping_mul(0x9E37_79B9_7F4A_7C15_u64 as i64) || ck as u64 != i % 10 || wt != 1_700_000_000_000_000 + i as i64 {
            bad.push(format!("pk {pk} ck {ck} name {name} writetime {wt}"));
        }
    }
    assert!(bad.is_empty(), "{} rows differ from the source, e.g. {:?}", bad.len(), &bad[..bad.len().min(5)]);
    assert_eq!(count, ROWS, "rows in the target after {kills} kills and resumes");

    // And ksbulk's own read-back: every row, value, writetime and TTL against the source.
    let verify_report = work.join("verify.json");
    let out = ksbulk(&["verify", manifest.to_str().unwrap(), "--target", &addr, "--target-keyspace", "e2e_kill", "--report", verify_report.to_str().unwrap()]);
    assert!(out.status.success(), "verify found differences ({}):\n{}", out.status, String::from_utf8_lossy(&out.stdout));
}
