//! Request latency in an HDR histogram (microseconds, 3 significant digits, 1 µs – 10 min).

use std::sync::Mutex;
use std::time::Duration;

use hdrhistogram::Histogram;

use super::summary::LatencySummary;

/// A thread-safe latency recorder.
#[derive(Debug)]
pub struct LatencyHistogram {
    hist: Mutex<Histogram<u64>>,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self::new()
    }
}

impl LatencyHistogram {
    /// An empty histogram.
    pub fn new() -> Self {
        let hist = Histogram::new_with_bounds(1, 600_000_000, 3).unwrap_or_else(|_| Histogram::new(3).unwrap_or_else(|_| unreachable!("3 significant digits is valid")));
        LatencyHistogram { hist: Mutex::new(hist) }
    }

    /// Records one request's latency.
    pub fn record(&self, d: Duration) {
        let us = (d.as_micros() as u64).max(1);
        self.hist.lock().unwrap_or_else(|e| e.into_inner()).saturating_record(us);
    }

    /// Percentiles so far, in milliseconds.
    pub fn summary(&self) -> LatencySummary {
        let h = self.hist.lock().unwrap_or_else(|e| e.into_inner());
        let ms = |us: u64| us as f64 / 1000.0;
        LatencySummary {
            count: h.len(),
            mean_ms: h.mean() / 1000.0,
            p50_ms: ms(h.value_at_quantile(0.50)),
            p90_ms: ms(h.value_at_quantile(0.90)),
            p99_ms: ms(h.value_at_quantile(0.99)),
            p999_ms: ms(h.value_at_quantile(0.999)),
            max_ms: ms(h.max()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_known_distribution() {
        let h = LatencyHistogram::new();
        for ms in 1..=1000u64 {
            h.record(Duration::from_millis(ms));
        }
        let s = h.summary();
        assert_eq!(s.count, 1000);
        assert!((s.p50_ms - 500.0).abs() < 1.0, "{}", s.p50_ms);
        assert!((s.p99_ms - 990.0).abs() < 1.5, "{}", s.p99_ms);
        assert!((s.max_ms - 1000.0).abs() < 1.5, "{}", s.max_ms);
    }
}
