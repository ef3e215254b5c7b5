//! Flags of `ksbulk bench`.

use std::path::PathBuf;

use clap::Args;

use super::conn::ConnArgs;
use super::write::WriteArgs;

/// `ksbulk bench`: writes synthetic rows to a table it creates, through the whole write stage
/// (statement building, rate gate, AIMD window, retries), and reports throughput and latency.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Where to write.
    #[command(flatten)]
    pub conn: ConnArgs,
    /// How to write (rate, concurrency, retries, rejects file).
    #[command(flatten)]
    pub write: WriteArgs,
    /// Rows to write.
    #[arg(long, default_value_t = 100_000)]
    pub rows: u64,
    /// Bytes of the blob value of each row.
    #[arg(long, default_value_t = 100)]
    pub row_size: usize,
    /// Rows per partition (clustering rows under one partition key).
    #[arg(long, default_value_t = 1)]
    pub rows_per_partition: u64,
    /// Keyspace the benchmark table is created in.
    #[arg(long, default_value = "ksbulk_bench")]
    pub keyspace: String,
    /// Benchmark table name.
    #[arg(long, default_value = "bench")]
    pub table: String,
    /// Replication factor of the keyspace when ksbulk creates it (SimpleStrategy).
    #[arg(long, default_value_t = 1)]
    pub replication_factor: u32,
    /// Drop and recreate the table first (otherwise rows overwrite earlier runs' rows).
    #[arg(long)]
    pub recreate: bool,
    /// Write the report (summary and settings) as JSON here.
    #[arg(long)]
    pub report_json: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::rate::RateSpec;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        bench: BenchArgs,
    }

    #[test]
    fn bench_flags() {
        let t = T::try_parse_from(["x", "--target", "127.0.0.1", "--rows", "5000", "--rate", "auto", "--concurrency", "64", "--row-size", "200"])
            .unwrap();
        assert_eq!(t.bench.rows, 5000);
        assert_eq!(t.bench.write.rate, RateSpec::Auto);
        assert_eq!(t.bench.write.concurrency, 64);
        assert_eq!(t.bench.row_size, 200);
        assert_eq!(t.bench.keyspace, "ksbulk_bench");
    }
}
