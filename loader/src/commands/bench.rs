//! `ksbulk bench`: a throughput benchmark of the CQL target through the whole write stage.
//!
//! Creates `<keyspace>.<table> (pk bigint, ck int, v blob, PRIMARY KEY (pk, ck))`, writes
//! `--rows` synthetic rows (row marker + one blob of `--row-size` bytes, written with
//! `USING TIMESTAMP` like a backfill) and prints rows/s, write units/s and the HDR latency
//! percentiles.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use bytes::Bytes;
use serde::Serialize;

pub use crate::cli::bench::BenchArgs;
use crate::stats::progress::Progress;
use crate::stats::WriteSummary;
use crate::write::mutation::{Cell, CellValue, ColumnKind, ColumnSpec, Liveness, Mutation, TargetTable};
use crate::write::rejects::RejectsFile;
use crate::write::session::connect_resolved;
use crate::write::{WriteError, Writer, WriterConfig};

/// The JSON report of a bench run.
#[derive(Debug, Serialize)]
struct BenchReport<'a> {
    rows: u64,
    row_size: usize,
    rows_per_partition: u64,
    concurrency: usize,
    rate: String,
    summary: &'a WriteSummary,
}

/// Runs `ksbulk bench`.
pub fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")?;
    rt.block_on(bench(args))
}

async fn bench(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let rate = args.write.rate.fixed();
    let target = args.conn.resolve(rate)?;
    let session = connect_resolved(&target, |b| b).await?;
    let ks = crate::write::mutation::quote_ident(&args.keyspace);
    let table_name = format!("{ks}.{}", crate::write::mutation::quote_ident(&args.table));
    let mut ddl = vec![format!(
        "CREATE KEYSPACE IF NOT EXISTS {ks} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': {}}}",
        args.replication_factor
    )];
    if args.recreate {
        ddl.push(format!("DROP TABLE IF EXISTS {table_name}"));
    }
    ddl.push(format!("CREATE TABLE IF NOT EXISTS {table_name} (pk bigint, ck int, v blob, PRIMARY KEY (pk, ck))"));
    for cql in ddl {
        session
            .query_unpaged(cql.as_str(), &[])
            .await
            .map_err(|e| WriteError::Setup { cql: cql.clone(), source: Box::new(e) })?;
    }
    session.await_schema_agreement().await.context("waiting for schema agreement")?;

    let table = Arc::new(TargetTable::new(
        args.keyspace.clone(),
        args.table.clone(),
        vec![ColumnSpec::key("pk")],
        vec![ColumnSpec::key("ck")],
        vec![ColumnSpec::new("v", ColumnKind::Simple)],
    ));
    let rejects = RejectsFile::create(&args.write.rejects)?;
    let writer = Writer::new(session, WriterConfig::for_target(&args.write, &target), rejects);
    let progress = (!args.write.no_progress).then(|| Progress::start(writer.stats(), args.rows, writer.in_flight_probe()));

    // One random buffer; each row's value is a slice of it (no per-row allocation).
    let pool = random_bytes(args.row_size + 4096, 0x5eed);
    let base_ts = crate::write::ttl::now_millis() * 1000;
    let rpp = args.rows_per_partition.max(1);
    let mut outcome = Ok(());
    for i in 0..args.rows {
        let pk = splitmix64(i / rpp) as i64;
        let ck = (i % rpp) as i32;
        let off = (splitmix64(i) % 4096) as usize;
        let ts = base_ts + i as i64;
        let mut m = Mutation::new(
            Arc::clone(&table),
            vec![Bytes::copy_from_slice(&pk.to_be_bytes())],
            vec![Bytes::copy_from_slice(&ck.to_be_bytes())],
        );
        m.liveness = Some(Liveness { timestamp: ts, expiry: None });
        m.cells.push(Cell { column: 0, timestamp: ts, expiry: None, value: CellValue::Simple(pool.slice(off..off + args.row_size)) });
        if let Err(e) = writer.submit(m).await {
            outcome = Err(e);
            break;
        }
    }
    let finished = writer.finish().await;
    if let Some(p) = progress {
        p.finish();
    }
    let summary = finished?;
    outcome?;
    println!("{summary}");
    if let Some(path) = args.write.summary_json.as_ref().or(args.report_json.as_ref()) {
        let report = BenchReport {
            rows: args.rows,
            row_size: args.row_size,
            rows_per_partition: rpp,
            concurrency: args.write.concurrency,
            rate: format!("{:?}", args.write.rate),
            summary: &summary,
        };
        std::fs::write(path, serde_json::to_vec_pretty(&report)?).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(if summary.rows_rejected > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// SplitMix64: spreads sequential row numbers over the token ring.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn random_bytes(n: usize, seed: u64) -> Bytes {
    let mut out = Vec::with_capacity(n + 8);
    let mut i = seed;
    while out.len() < n {
        out.extend_from_slice(&splitmix64(i).to_le_bytes());
        i += 1;
    }
    out.truncate(n);
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_keys_are_spread_and_deterministic() {
        assert_ne!(splitmix64(0), splitmix64(1));
        assert_eq!(splitmix64(42), splitmix64(42));
        assert_eq!(random_bytes(100, 1).len(), 100);
        assert_eq!(random_bytes(10, 1), random_bytes(10, 1));
    }
}
