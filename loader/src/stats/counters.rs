//! Counters of every write outcome, shared by all writer tasks (relaxed atomics: they are
//! only read for progress and the summary).

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use crate::write::error::RetryCause;
use crate::write::rejects::RejectReason;

use super::latency::LatencyHistogram;

/// Everything the write stage counts.
#[derive(Debug, Default)]
pub struct WriteStats {
    /// Mutations received.
    pub rows_received: AtomicU64,
    /// Rows whose every statement was acknowledged.
    pub rows_written: AtomicU64,
    /// Rows with nothing left to write (all cells expired, only skipped tombstones).
    pub rows_empty: AtomicU64,
    /// Rows rejected (pre-check or by the target), any reason.
    pub rows_rejected: AtomicU64,
    /// Statements acknowledged.
    pub statements: AtomicU64,
    /// Acknowledged unlogged batches (their statements count in `statements`).
    pub batches: AtomicU64,
    /// Estimated Keyspaces write units of acknowledged statements.
    pub write_units: AtomicU64,
    /// Encoded bytes of rows written (Keyspaces estimate).
    pub bytes: AtomicU64,
    /// Cells and row markers dropped because they had expired.
    pub expired: AtomicU64,
    /// Tombstones not written (no `--write-deletes`).
    pub deletions_skipped: AtomicU64,
    /// Failed attempts that were pushback (timeouts, overload, throttling).
    pub pushbacks: AtomicU64,
    /// Server and client timeouts.
    pub timeouts: AtomicU64,
    retries: [AtomicU64; RetryCause::ALL.len()],
    rejects: [AtomicU64; RejectReason::ALL.len()],
    /// Latency of acknowledged attempts.
    pub latency: LatencyHistogram,
}

impl WriteStats {
    /// Counts one retry for `cause`.
    pub fn retry(&self, cause: RetryCause) {
        self.retries[cause as usize].fetch_add(1, Relaxed);
    }

    /// Counts one failed attempt with a retryable `cause` (retried or not): pushback and
    /// timeouts.
    pub fn attempt_failed(&self, cause: RetryCause) {
        if cause.is_pushback() {
            self.pushbacks.fetch_add(1, Relaxed);
        }
        if matches!(cause, RetryCause::WriteTimeout | RetryCause::ClientTimeout) {
            self.timeouts.fetch_add(1, Relaxed);
        }
    }

    /// Counts one rejected row for `reason` (parts of rows count too: unsupported deletes).
    pub fn reject(&self, reason: RejectReason) {
        self.rejects[reason as usize].fetch_add(1, Relaxed);
        if reason != RejectReason::UnsupportedDelete {
            self.rows_rejected.fetch_add(1, Relaxed);
        }
    }

    /// Retries so far for `cause`.
    pub fn retries(&self, cause: RetryCause) -> u64 {
        self.retries[cause as usize].load(Relaxed)
    }

    /// All retries so far.
    pub fn total_retries(&self) -> u64 {
        self.retries.iter().map(|r| r.load(Relaxed)).sum()
    }

    /// Rejects so far for `reason`.
    pub fn rejects(&self, reason: RejectReason) -> u64 {
        self.rejects[reason as usize].load(Relaxed)
    }

    /// Rejects of whole rows plus unsupported parts: what `--max-errors` counts.
    pub fn errors(&self) -> u64 {
        self.rejects.iter().map(|r| r.load(Relaxed)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_and_rejects_are_counted_by_cause() {
        let s = WriteStats::default();
        for c in [RetryCause::WriteTimeout, RetryCause::Overloaded, RetryCause::Connection] {
            s.attempt_failed(c);
            s.retry(c);
        }
        assert_eq!(s.total_retries(), 3);
        assert_eq!(s.pushbacks.load(Relaxed), 2);
        assert_eq!(s.timeouts.load(Relaxed), 1);
        s.reject(RejectReason::TooLarge);
        s.reject(RejectReason::UnsupportedDelete);
        assert_eq!(s.rejects(RejectReason::TooLarge), 1);
        assert_eq!(s.rows_rejected.load(Relaxed), 1, "an unsupported tombstone does not reject the row");
        assert_eq!(s.errors(), 2);
    }
}
