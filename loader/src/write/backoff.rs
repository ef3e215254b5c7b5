//! Retry delays: exponential backoff with full jitter.
//!
//! The n-th retry (from 0) waits a uniformly random time in `[0, min(max, base · 2ⁿ)]`
//! ("full jitter"), so clients retrying after the same overload spread out instead of
//! hitting the target again together.

use std::time::Duration;

use rand::Rng;

/// Retry policy of idempotent statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Ceiling of the first retry's delay.
    pub base: Duration,
    /// Largest ceiling.
    pub max: Duration,
    /// Retries per statement before the row is rejected.
    pub max_retries: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { base: Duration::from_millis(20), max: Duration::from_secs(5), max_retries: 10 }
    }
}

impl Backoff {
    /// The ceiling of the delay before retry number `attempt` (0 = first retry).
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.max)
    }

    /// A random delay in `[0, ceiling(attempt)]`.
    pub fn delay(&self, attempt: u32, rng: &mut impl Rng) -> Duration {
        let ceiling = self.ceiling(attempt).as_micros() as u64;
        Duration::from_micros(rng.random_range(0..=ceiling))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceiling_doubles_then_caps() {
        let b = Backoff { base: Duration::from_millis(10), max: Duration::from_millis(100), max_retries: 5 };
        assert_eq!(b.ceiling(0), Duration::from_millis(10));
        assert_eq!(b.ceiling(1), Duration::from_millis(20));
        assert_eq!(b.ceiling(3), Duration::from_millis(80));
        assert_eq!(b.ceiling(4), Duration::from_millis(100));
        assert_eq!(b.ceiling(1000), Duration::from_millis(100));
    }

    #[test]
    fn delays_stay_within_bounds_and_spread() {
        let b = Backoff { base: Duration::from_millis(10), max: Duration::from_millis(100), max_retries: 5 };
        let mut rng = rand::rng();
        let delays: Vec<Duration> = (0..1000).map(|_| b.delay(2, &mut rng)).collect();
        assert!(delays.iter().all(|d| *d <= Duration::from_millis(40)));
        // full jitter: both halves of the interval are used
        assert!(delays.iter().any(|d| *d < Duration::from_millis(10)));
        assert!(delays.iter().any(|d| *d > Duration::from_millis(30)));
    }
}
