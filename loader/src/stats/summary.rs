//! The end-of-run summary: one serializable struct, printed for people and written as JSON.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use serde::Serialize;

use crate::write::error::RetryCause;
use crate::write::rejects::RejectReason;

use super::counters::WriteStats;

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct LatencySummary {
    /// Requests recorded.
    pub count: u64,
    /// Mean.
    pub mean_ms: f64,
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p999_ms: f64,
    /// Largest.
    pub max_ms: f64,
}

/// The in-flight limit over the run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct InFlightSummary {
    /// At the end.
    pub current: usize,
    /// Lowest reached.
    pub min: usize,
    /// Highest reached.
    pub max: usize,
}

/// Everything the write stage reports at the end.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WriteSummary {
    /// Wall time of the write stage.
    pub wall_seconds: f64,
    /// Rows received from the previous stage.
    pub rows_received: u64,
    /// Rows fully written.
    pub rows_written: u64,
    /// Rows with nothing to write (expired, or only tombstones without `--write-deletes`).
    pub rows_empty: u64,
    /// Rows rejected, all reasons.
    pub rows_rejected: u64,
    /// Rejects by reason (unsupported tombstones count here, not in `rows_rejected`).
    pub rejects: BTreeMap<&'static str, u64>,
    /// Statements acknowledged.
    pub statements: u64,
    /// Unlogged batches acknowledged (each carrying several of the statements).
    pub batches: u64,
    /// Estimated Keyspaces write units.
    pub write_units: u64,
    /// Encoded bytes written (Keyspaces estimate).
    pub bytes: u64,
    /// Expired cells and row markers dropped.
    pub expired: u64,
    /// Tombstones not written.
    pub deletions_skipped: u64,
    /// Retries by cause.
    pub retries: BTreeMap<&'static str, u64>,
    /// All retries.
    pub retries_total: u64,
    /// Server and client timeouts.
    pub timeouts: u64,
    /// Requests-in-flight limit (AIMD).
    pub in_flight: InFlightSummary,
    /// Rows per second over the wall time.
    pub rows_per_second: f64,
    /// Write units per second over the wall time.
    pub write_units_per_second: f64,
    /// The rate `--rate auto` found (rows/s), if it ran.
    pub auto_rate_found: Option<u32>,
    /// Statement latency.
    pub latency: LatencySummary,
    /// Peak resident memory of the process, MiB (Linux `VmHWM`).
    pub peak_memory_mib: Option<f64>,
}

impl WriteSummary {
    /// Collects the counters of `stats` after `wall`.
    pub fn collect(stats: &WriteStats, wall: Duration, in_flight: InFlightSummary, auto_rate_found: Option<u32>) -> Self {
        let secs = wall.as_secs_f64().max(1e-9);
        let rows_written = stats.rows_written.load(Relaxed);
        let write_units = stats.write_units.load(Relaxed);
        WriteSummary {
            wall_seconds: wall.as_secs_f64(),
            rows_received: stats.rows_received.load(Relaxed),
            rows_written,
            rows_empty: stats.rows_empty.load(Relaxed),
            rows_rejected: stats.rows_rejected.load(Relaxed),
            rejects: RejectReason::ALL.iter().map(|r| (r.as_str(), stats.rejects(*r))).collect(),
            statements: stats.statements.load(Relaxed),
            batches: stats.batches.load(Relaxed),
            write_units,
            bytes: stats.bytes.load(Relaxed),
            expired: stats.expired.load(Relaxed),
            deletions_skipped: stats.deletions_skipped.load(Relaxed),
            retries: RetryCause::ALL.iter().map(|c| (c.as_str(), stats.retries(*c))).collect(),
            retries_total: stats.total_retries(),
            timeouts: stats.timeouts.load(Relaxed),
            in_flight,
            rows_per_second: rows_written as f64 / secs,
            write_units_per_second: write_units as f64 / secs,
            auto_rate_found,
            latency: stats.latency.summary(),
            peak_memory_mib: peak_memory_mib(),
        }
    }
}

/// Peak resident set size of this process in MiB, from `/proc/self/status` (`VmHWM`).
pub fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

impl fmt::Display for WriteSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "rows: {} received, {} written, {} empty, {} rejected", self.rows_received, self.rows_written, self.rows_empty, self.rows_rejected)?;
        writeln!(f, "statements: {} ({} batches), write units: {}, bytes: {}, expired cells: {}, tombstones skipped: {}", self.statements, self.batches, self.write_units, self.bytes, self.expired, self.deletions_skipped)?;
        writeln!(f, "throughput: {:.0} rows/s, {:.0} WU/s over {:.1} s", self.rows_per_second, self.write_units_per_second, self.wall_seconds)?;
        if let Some(r) = self.auto_rate_found {
            writeln!(f, "rate found by --rate auto: {r} rows/s")?;
        }
        let l = &self.latency;
        writeln!(f, "latency ms: p50 {:.2}  p90 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}  (mean {:.2}, n={})", l.p50_ms, l.p90_ms, l.p99_ms, l.p999_ms, l.max_ms, l.mean_ms, l.count)?;
        let nonzero = |m: &BTreeMap<&'static str, u64>| m.iter().filter(|(_, v)| **v > 0).map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
        writeln!(f, "retries: {} ({}), timeouts: {}", self.retries_total, nonzero(&self.retries), self.timeouts)?;
        writeln!(f, "rejects: {}", if self.rejects.values().all(|v| *v == 0) { "none".to_string() } else { nonzero(&self.rejects) })?;
        write!(f, "in-flight limit: {} (min {}, max {})", self.in_flight.current, self.in_flight.min, self.in_flight.max)?;
        if let Some(m) = self.peak_memory_mib {
            write!(f, ", peak memory {m:.0} MiB")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_serializes_counters_by_name() {
        let s = WriteStats::default();
        s.rows_written.store(10, Relaxed);
        s.write_units.store(20, Relaxed);
        s.retry(RetryCause::Overloaded);
        s.reject(RejectReason::TooLarge);
        let sum = WriteSummary::collect(&s, Duration::from_secs(2), InFlightSummary { current: 8, min: 4, max: 16 }, Some(5000));
        assert_eq!(sum.rows_per_second, 5.0);
        assert_eq!(sum.write_units_per_second, 10.0);
        let v = serde_json::to_value(&sum).unwrap();
        assert_eq!(v["retries"]["overloaded"], 1);
        assert_eq!(v["rejects"]["too_large"], 1);
        assert_eq!(v["in_flight"]["max"], 16);
        assert_eq!(v["auto_rate_found"], 5000);
        let text = sum.to_string();
        assert!(text.contains("retries: 1 (overloaded 1)"), "{text}");
    }
}
