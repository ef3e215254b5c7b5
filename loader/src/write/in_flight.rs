//! The bound on requests in flight, adapted with AIMD.
//!
//! Like TCP congestion control: each success adds `1 / limit` (so a window's worth of
//! successes adds one request), each pushback (server timeout, overload, throttling, client
//! timeout) multiplies the limit by `decrease` — at most once per `cooldown`, because one
//! congestion event surfaces as many failures of the requests already in flight.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// AIMD arithmetic, without synchronization.
#[derive(Debug, Clone)]
pub struct Aimd {
    limit: f64,
    min: f64,
    max: f64,
    decrease: f64,
    cooldown: Duration,
    last_decrease: Option<Instant>,
    low: f64,
    high: f64,
}

impl Aimd {
    /// Starts at `initial`, kept within `[min, max]`; pushback multiplies by `decrease`.
    pub fn new(initial: usize, min: usize, max: usize, decrease: f64, cooldown: Duration) -> Self {
        let min = min.max(1) as f64;
        let max = (max as f64).max(min);
        let limit = (initial as f64).clamp(min, max);
        Aimd { limit, min, max, decrease, cooldown, last_decrease: None, low: limit, high: limit }
    }

    /// Additive increase after a success.
    pub fn on_success(&mut self) {
        self.limit = (self.limit + 1.0 / self.limit).min(self.max);
        self.high = self.high.max(self.limit);
    }

    /// Multiplicative decrease after pushback at `now`; returns whether the limit changed.
    pub fn on_pushback(&mut self, now: Instant) -> bool {
        if let Some(last) = self.last_decrease {
            if now.duration_since(last) < self.cooldown {
                return false;
            }
        }
        self.last_decrease = Some(now);
        self.limit = (self.limit * self.decrease).max(self.min);
        self.low = self.low.min(self.limit);
        true
    }

    /// Requests allowed in flight now.
    pub fn limit(&self) -> usize {
        self.limit as usize
    }

    /// Lowest and highest limit reached.
    pub fn range(&self) -> (usize, usize) {
        (self.low as usize, self.high as usize)
    }
}

/// A semaphore whose size follows an [`Aimd`].
#[derive(Debug)]
pub struct InFlight {
    state: Mutex<(Aimd, usize)>,
    released: Notify,
}

/// One request slot; released on drop.
#[derive(Debug)]
pub struct Slot<'a> {
    gate: &'a InFlight,
}

impl InFlight {
    /// A gate following `aimd`.
    pub fn new(aimd: Aimd) -> Self {
        InFlight { state: Mutex::new((aimd, 0)), released: Notify::new() }
    }

    /// Waits for a free slot.
    pub async fn acquire(&self) -> Slot<'_> {
        loop {
            let notified = self.released.notified();
            {
                let mut s = self.lock();
                if s.1 < s.0.limit() {
                    s.1 += 1;
                    return Slot { gate: self };
                }
            }
            notified.await;
        }
    }

    /// Waits for a free slot; the slot keeps the gate alive (for spawned tasks).
    pub async fn acquire_owned(self: &Arc<Self>) -> OwnedSlot {
        std::mem::forget(self.acquire().await);
        OwnedSlot { gate: Arc::clone(self) }
    }

    /// Records a success (additive increase).
    pub fn on_success(&self) {
        let grew = {
            let mut s = self.lock();
            let before = s.0.limit();
            s.0.on_success();
            s.0.limit() > before
        };
        if grew {
            self.released.notify_one();
        }
    }

    /// Records pushback (multiplicative decrease).
    pub fn on_pushback(&self) {
        self.lock().0.on_pushback(Instant::now());
    }

    /// (current limit, lowest, highest, in flight now).
    pub fn snapshot(&self) -> (usize, usize, usize, usize) {
        let s = self.lock();
        let (low, high) = s.0.range();
        (s.0.limit(), low, high, s.1)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (Aimd, usize)> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.gate.release();
    }
}

/// A request slot owning a handle on its gate; released on drop.
#[derive(Debug)]
pub struct OwnedSlot {
    gate: Arc<InFlight>,
}

impl Drop for OwnedSlot {
    fn drop(&mut self) {
        self.gate.release();
    }
}

impl InFlight {
    fn release(&self) {
        self.lock().1 -= 1;
        self.released.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn additive_increase_adds_one_per_window() {
        let mut a = Aimd::new(10, 1, 100, 0.5, Duration::from_millis(100));
        for _ in 0..10 {
            a.on_success();
        }
        // 10 successes at limit ~10 add ~1
        assert_eq!(a.limit(), 10);
        a.on_success();
        assert_eq!(a.limit(), 11);
        for _ in 0..10_000 {
            a.on_success();
        }
        assert_eq!(a.limit(), 100, "capped at max");
    }

    #[test]
    fn multiplicative_decrease_once_per_cooldown() {
        let mut a = Aimd::new(64, 2, 100, 0.5, Duration::from_millis(100));
        let t0 = Instant::now();
        assert!(a.on_pushback(t0));
        assert_eq!(a.limit(), 32);
        assert!(!a.on_pushback(t0 + Duration::from_millis(50)), "within cooldown");
        assert_eq!(a.limit(), 32);
        assert!(a.on_pushback(t0 + Duration::from_millis(150)));
        assert_eq!(a.limit(), 16);
        for i in 0..10 {
            a.on_pushback(t0 + Duration::from_secs(1 + i));
        }
        assert_eq!(a.limit(), 2, "floored at min");
        assert_eq!(a.range(), (2, 64));
    }

    #[tokio::test]
    async fn gate_admits_up_to_limit() {
        let gate = InFlight::new(Aimd::new(2, 1, 2, 0.5, Duration::ZERO));
        let a = gate.acquire().await;
        let _b = gate.acquire().await;
        assert_eq!(gate.snapshot().3, 2);
        let third = tokio::time::timeout(Duration::from_millis(50), gate.acquire()).await;
        assert!(third.is_err(), "third request must wait");
        drop(a);
        let c = tokio::time::timeout(Duration::from_millis(500), gate.acquire()).await;
        assert!(c.is_ok(), "released slot is reused");
    }
}
