//! `ksbulk bench` through the library entry point: creates its table, writes every row,
//! reports them.

use clap::Parser;
use ksbulk::cli::bench::BenchArgs;

use super::*;

#[derive(clap::Parser)]
struct Flags {
    #[command(flatten)]
    bench: BenchArgs,
}

#[test]
fn bench_writes_every_row_and_reports() {
    let dir = temp_dir("bench");
    let report = dir.join("report.json");
    let rejects = dir.join("rejects.jsonl");
    let args = Flags::try_parse_from([
        "ksbulk",
        "--target",
        &cassandra_addr(),
        "--keyspace",
        "ksbulk_it_bench",
        "--recreate",
        "--rows",
        "3000",
        "--rows-per-partition",
        "3",
        "--rate",
        "auto",
        "--concurrency",
        "32",
        "--no-progress",
        "--rejects",
        rejects.to_str().unwrap(),
        "--report-json",
        report.to_str().unwrap(),
    ])
    .unwrap()
    .bench;
    let code = ksbulk::commands::bench::run(args).expect("bench runs");
    assert_eq!(code, std::process::ExitCode::SUCCESS);
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(r["summary"]["rows_written"], 3000);
    assert_eq!(r["summary"]["latency"]["count"], 3000);
    assert!(r["summary"]["auto_rate_found"].is_u64());

    let rt = tokio::runtime::Runtime::new().unwrap();
    let count = rt.block_on(async {
        let s = session().await;
        s.query_unpaged("SELECT COUNT(*) FROM ksbulk_it_bench.bench", &[])
            .await
            .unwrap()
            .into_rows_result()
            .unwrap()
            .single_row::<(i64,)>()
            .unwrap()
            .0
    });
    assert_eq!(count, 3000);
    std::fs::remove_dir_all(dir).ok();
}
