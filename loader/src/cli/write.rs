//! Flags of the write stage: throughput, retries, error tolerance, outputs.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::conn::parse_duration;
use crate::write::rate::RateSpec;

/// How rows are written.
#[derive(Debug, Clone, Args)]
pub struct WriteArgs {
    /// Rows per second: a number, `unlimited`, or `auto` (ramp up until the target pushes
    /// back, hold the best rate, re-probe; the rate found is reported).
    #[arg(long, default_value = "unlimited")]
    pub rate: RateSpec,
    /// Keyspaces write units per second (1 per started KB of row); 0 = unlimited.
    #[arg(long, default_value_t = 0)]
    pub write_units_per_second: u32,
    /// Most requests in flight. Timeouts and overload shrink the window (AIMD), successes
    /// grow it back up to this.
    #[arg(long, default_value_t = 256)]
    pub concurrency: usize,
    /// Most statements in one unlogged batch (consecutive rows go out as one request; Amazon
    /// Keyspaces takes at most 30). 1 sends every row alone.
    #[arg(long, default_value_t = crate::write::batch::DEFAULT_BATCH_STATEMENTS, value_parser = clap::value_parser!(u16).range(1..))]
    pub batch_statements: u16,
    /// Most partitions one batch spans. With token-aware routing only partitions of one
    /// token range (same replicas) share a batch, and a batch spanning partitions stays under
    /// Cassandra's 5 KiB batch-size warning. 1 keeps every batch to one partition.
    #[arg(long, default_value_t = crate::write::batch::DEFAULT_BATCH_PARTITIONS, value_parser = clap::value_parser!(u16).range(1..))]
    pub batch_partitions: u16,
    /// Fewest requests in flight the window shrinks to.
    #[arg(long, default_value_t = 2)]
    pub min_concurrency: usize,
    /// Retries of one idempotent statement before its row is rejected.
    #[arg(long, default_value_t = 10)]
    pub max_retries: u32,
    /// Ceiling of the first retry delay (exponential backoff with full jitter).
    #[arg(long, value_parser = parse_duration, default_value = "20ms")]
    pub retry_base: Duration,
    /// Largest retry delay.
    #[arg(long, value_parser = parse_duration, default_value = "5s")]
    pub retry_max: Duration,
    /// Stop the run when more rows than this have failed (rejected by the target or out of
    /// retries, or over the size limit).
    #[arg(long, default_value_t = 1000)]
    pub max_errors: u64,
    /// Write the source's tombstones as timestamped DELETEs (off: the target is empty).
    #[arg(long)]
    pub write_deletes: bool,
    /// Enforce Amazon Keyspaces' limits before sending: rows whose partition key encodes to
    /// over 2048 bytes or clustering columns to over 850 are rejected (`invalid_key`), no
    /// statement writes more than 225 columns (wider rows become several statements, each
    /// cell keeping its timestamp and TTL), and each partition gets at most 1,000 write
    /// units/s. Set it when the target is Keyspaces (`--target keyspaces:<region>`); Cassandra
    /// and ScyllaDB have none of these limits.
    #[arg(long)]
    pub keyspaces_limits: bool,
    /// Rows larger than this (Keyspaces' encoded size estimate) are rejected.
    #[arg(long, default_value_t = crate::write::row_size::KEYSPACES_MAX_ROW_BYTES)]
    pub max_row_bytes: usize,
    /// Where rows that cannot be written are listed (JSON lines: key, reason, details).
    #[arg(long, default_value = "ksbulk-rejects.jsonl")]
    pub rejects: PathBuf,
    /// Also write the end-of-run summary as JSON here.
    #[arg(long)]
    pub summary_json: Option<PathBuf>,
    /// No progress line, even on a terminal.
    #[arg(long)]
    pub no_progress: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        write: WriteArgs,
    }

    #[test]
    fn defaults() {
        let t = T::try_parse_from(["x"]).unwrap();
        assert_eq!(t.write.rate, RateSpec::Unlimited);
        assert_eq!(t.write.concurrency, 256);
        assert_eq!(t.write.max_retries, 10);
        assert!(!t.write.write_deletes);
        assert_eq!(t.write.max_row_bytes, 1024 * 1024);
        assert!(!t.write.keyspaces_limits);
    }

    #[test]
    fn keyspaces_limits_flag() {
        let t = T::try_parse_from(["x", "--keyspaces-limits"]).unwrap();
        assert!(t.write.keyspaces_limits);
        let cfg = crate::write::WriterConfig::from_args(&t.write);
        assert!(cfg.plan.keyspaces_limits);
    }

    #[test]
    fn rate_auto_and_fixed() {
        assert_eq!(T::try_parse_from(["x", "--rate", "auto"]).unwrap().write.rate, RateSpec::Auto);
        assert_eq!(T::try_parse_from(["x", "--rate", "5000"]).unwrap().write.rate, RateSpec::Fixed(5000));
        assert!(T::try_parse_from(["x", "--rate", "fast"]).is_err());
    }

    #[test]
    fn write_deletes_and_retry_flags() {
        let t = T::try_parse_from(["x", "--write-deletes", "--max-retries", "3", "--retry-base", "5ms"]).unwrap();
        assert!(t.write.write_deletes);
        assert_eq!(t.write.max_retries, 3);
        assert_eq!(t.write.retry_base, Duration::from_millis(5));
    }
}
