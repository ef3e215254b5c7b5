//! Remaining TTL at write time.
//!
//! Cassandra stores an expiring cell's *local expiration time* (`localDeletionTime`, seconds
//! since the epoch; `ExpirationDateOverflowHandling` caps it). A backfill must keep that
//! expiry, so the TTL sent is `expiry − now` at the moment the statement is built, rounded up
//! to whole seconds so the target never expires data before the source would have. Data whose
//! expiry is not after `now` is already dead: it is dropped and counted, never written.

use std::time::{SystemTime, UNIX_EPOCH};

use super::mutation::Expiry;

/// The remaining TTL of an expiring cell or row marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RemainingTtl {
    /// Not expiring: written without a TTL.
    None,
    /// Still alive: written with this TTL, in seconds (≥ 1).
    Seconds(i32),
    /// Already expired at `now`: drop.
    Expired,
}

/// Milliseconds since the epoch, the clock remaining TTLs are computed against.
pub fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The TTL left on data with `expiry`, at `now_ms` (milliseconds since the epoch): `None`
/// when the data does not expire, the ceiling of the seconds left otherwise, `Expired` when
/// none are left.
pub fn remaining_ttl(expiry: Option<Expiry>, now_ms: i64) -> RemainingTtl {
    let Some(expiry) = expiry else {
        return RemainingTtl::None;
    };
    let left_ms = expiry.local_expiration_time.saturating_mul(1000).saturating_sub(now_ms);
    if left_ms <= 0 {
        return RemainingTtl::Expired;
    }
    // Ceil: 0.2 s left is written as 1 s, never as 0 (which would mean "no TTL").
    let secs = (left_ms + 999) / 1000;
    RemainingTtl::Seconds(secs.min(i32::MAX as i64) as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exp(at: i64) -> Option<Expiry> {
        Some(Expiry { ttl: 3600, local_expiration_time: at })
    }

    #[test]
    fn no_expiry_means_no_ttl() {
        assert_eq!(remaining_ttl(None, 123), RemainingTtl::None);
    }

    #[test]
    fn remaining_is_rounded_up() {
        // expires at t=1000 s; now 990.001 s → 9.999 s left → 10
        assert_eq!(remaining_ttl(exp(1000), 990_001), RemainingTtl::Seconds(10));
        // exactly 10 s left → 10
        assert_eq!(remaining_ttl(exp(1000), 990_000), RemainingTtl::Seconds(10));
        // 1 ms left → 1, never 0
        assert_eq!(remaining_ttl(exp(1000), 999_999), RemainingTtl::Seconds(1));
    }

    #[test]
    fn expired_at_or_after_expiry() {
        assert_eq!(remaining_ttl(exp(1000), 1_000_000), RemainingTtl::Expired);
        assert_eq!(remaining_ttl(exp(1000), 2_000_000), RemainingTtl::Expired);
    }
}
