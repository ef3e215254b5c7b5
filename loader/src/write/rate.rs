//! Throughput limits: token buckets (`governor`, GCRA) on rows/s and on Keyspaces write
//! units/s, a per-partition pacer for Keyspaces' 1,000 write units/s per partition, and the
//! `--rate auto` controller that looks for the highest rate the target takes.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use governor::clock::Clock;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// How fast to write rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RateSpec {
    /// No row rate limit.
    Unlimited,
    /// At most this many rows per second.
    Fixed(u32),
    /// Find the target's rate: ramp up until it pushes back, hold, re-probe.
    Auto,
}

impl std::str::FromStr for RateSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(RateSpec::Auto),
            "unlimited" | "0" => Ok(RateSpec::Unlimited),
            n => n
                .replace('_', "")
                .parse::<u32>()
                .map(RateSpec::Fixed)
                .map_err(|_| format!("rate must be a number of rows per second, `unlimited` or `auto`, not {s:?}")),
        }
    }
}

impl RateSpec {
    /// The fixed row rate, if one was given (sizes the Keyspaces connection pool).
    pub fn fixed(self) -> Option<u64> {
        match self {
            RateSpec::Fixed(r) => Some(u64::from(r)),
            RateSpec::Unlimited | RateSpec::Auto => None,
        }
    }
}

fn limiter(per_second: u32) -> Option<Arc<DefaultDirectRateLimiter>> {
    let rate = NonZeroU32::new(per_second)?;
    // Burst of 1/20 s keeps the flow smooth while letting a batch of rows through.
    let burst = NonZeroU32::new((per_second / 20).max(1)).unwrap_or(NonZeroU32::MIN);
    Some(Arc::new(RateLimiter::direct(Quota::per_second(rate).allow_burst(burst))))
}

/// Token buckets every row passes before it is sent.
#[derive(Debug)]
pub struct RateGate {
    rows: RwLock<(Option<Arc<DefaultDirectRateLimiter>>, u32)>,
    write_units: Option<Arc<DefaultDirectRateLimiter>>,
}

impl RateGate {
    /// Gates at `rows_per_s` rows and `wu_per_s` write units per second (0 = unlimited).
    pub fn new(rows_per_s: u32, wu_per_s: u32) -> Self {
        RateGate { rows: RwLock::new((limiter(rows_per_s), rows_per_s)), write_units: limiter(wu_per_s) }
    }

    /// Changes the row rate (`--rate auto`); 0 = unlimited.
    pub fn set_rows_per_second(&self, rows_per_s: u32) {
        let mut r = self.rows.write().unwrap_or_else(|e| e.into_inner());
        if r.1 != rows_per_s {
            *r = (limiter(rows_per_s), rows_per_s);
        }
    }

    /// The current row rate (0 = unlimited).
    pub fn rows_per_second(&self) -> u32 {
        self.rows.read().unwrap_or_else(|e| e.into_inner()).1
    }

    /// Waits until `rows` rows of `write_units` units in all may be sent.
    pub async fn admit(&self, rows: u32, write_units: u32) {
        let limiter = self.rows.read().unwrap_or_else(|e| e.into_inner()).0.clone();
        if let Some(limiter) = limiter {
            take(&limiter, rows).await;
        }
        if let Some(wu) = &self.write_units {
            take(wu, write_units).await;
        }
    }
}

/// Takes `n` (at least 1) cells from `bucket`, in bucket-sized bites when `n` is more than the
/// bucket holds: a batch of rows, or one large row, is paced rather than refused.
async fn take(bucket: &DefaultDirectRateLimiter, n: u32) {
    let mut left = n.max(1);
    while left > 0 {
        let mut bite = left;
        loop {
            match bucket.check_n(NonZeroU32::new(bite).unwrap_or(NonZeroU32::MIN)) {
                Ok(Ok(())) => break,
                // Waits on the runtime's own timer: governor's async wait runs a timer thread of
                // its own, woken and waking for every wait (a fifth of the CPU of a paced run).
                Ok(Err(not_until)) => sleep_ticks(Instant::now() + not_until.wait_time_from(bucket.clock().now())).await,
                Err(e) => bite = e.0.max(1),
            }
        }
        left -= bite;
    }
}

/// Rate waits end on a multiple of this tick, so that the waiting groups wake together.
/// Waiting each for its own tokens, every group would wake the runtime on its own (thousands
/// of times a second when paced), and a wake-up costs more than sending the group. Tokens
/// keep accruing meanwhile (the buckets hold a twentieth of a second), so the rate is kept;
/// it is only let through in steps of a tick.
pub const WAIT_TICK: Duration = Duration::from_millis(5);

/// Sleeps until `deadline`, rounded up to the next [`WAIT_TICK`] of the process's clock.
async fn sleep_ticks(deadline: Instant) {
    static ORIGIN: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let origin = *ORIGIN.get_or_init(Instant::now);
    tokio::time::sleep_until(on_tick(origin, deadline, WAIT_TICK).into()).await;
}

/// The first instant at or after `deadline` that is a whole number of `tick`s after `origin`
/// (`origin` itself for a deadline before it).
fn on_tick(origin: Instant, deadline: Instant, tick: Duration) -> Instant {
    let tick = tick.as_nanos().max(1);
    let ticks = deadline.saturating_duration_since(origin).as_nanos().div_ceil(tick);
    origin + Duration::from_nanos(u64::try_from(ticks * tick).unwrap_or(u64::MAX))
}

/// Keeps each partition under `per_second` write units per second (Keyspaces throttles a
/// partition above 1,000 WU/s, and a wide partition's rows arrive back to back).
///
/// GCRA per partition, by reservation: each partition has a theoretical arrival time `tat`;
/// a row of `n` units waits until `tat − burst`, and moves `tat` on by `n / per_second`.
/// Rows of one partition are thus spaced at the partition's rate whatever their order of
/// arrival, with a burst of `burst` (a tenth of a second's worth) at most, and a row larger
/// than the burst is paced, not refused. Reservations are taken under a lock held for a map
/// lookup; the wait happens outside it.
///
/// Only partitions written recently are kept: an entry whose `tat` has passed has a full
/// bucket, the same as no entry, so it is dropped when the map is swept. The map sweeps itself
/// when it has doubled since the last sweep, so its size follows the partitions in flight.
/// Time is a parameter of [`PartitionPacer::reserve_at`], so tests run on a simulated clock.
#[derive(Debug)]
pub struct PartitionPacer {
    per_second: f64,
    burst: Duration,
    state: Mutex<PacerState>,
}

#[derive(Debug, Default)]
struct PacerState {
    tat: HashMap<Vec<u8>, Instant>,
    sweep_at: usize,
}

/// Fewest entries before the pacer's map is swept.
const PACER_MIN_SWEEP: usize = 1024;

impl PartitionPacer {
    /// At most `per_second` write units per second to one partition (must be > 0).
    pub fn new(per_second: u32) -> Self {
        let per_second = f64::from(per_second.max(1));
        PartitionPacer {
            per_second,
            burst: Duration::from_millis(100),
            state: Mutex::new(PacerState { tat: HashMap::new(), sweep_at: PACER_MIN_SWEEP }),
        }
    }

    /// Reserves `write_units` for `partition` (any byte string that tells partitions apart)
    /// at `now` and returns when they may be sent.
    pub fn reserve_at(&self, partition: &[u8], write_units: u32, now: Instant) -> Instant {
        let cost = Duration::from_secs_f64(f64::from(write_units.max(1)) / self.per_second);
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let ready = match st.tat.get_mut(partition) {
            Some(tat) if *tat > now => {
                let ready = tat.checked_sub(self.burst).map_or(now, |t| t.max(now));
                *tat += cost;
                ready
            }
            Some(tat) => {
                *tat = now + cost;
                now
            }
            None => {
                st.tat.insert(partition.to_vec(), now + cost);
                now
            }
        };
        if st.tat.len() >= st.sweep_at {
            st.tat.retain(|_, tat| *tat > now);
            st.sweep_at = (st.tat.len() * 2).max(PACER_MIN_SWEEP);
        }
        ready
    }

    /// Waits until `write_units` more may be sent to `partition`.
    pub async fn admit(&self, partition: &[u8], write_units: u32) {
        let now = Instant::now();
        let ready = self.reserve_at(partition, write_units, now);
        if ready > now {
            sleep_ticks(ready).await;
        }
    }

    /// Partitions currently tracked (written to recently).
    pub fn tracked(&self) -> usize {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).tat.len()
    }
}

/// What happened during one observation window of `--rate auto`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Window {
    /// Window length.
    pub elapsed: Duration,
    /// Statements that succeeded.
    pub ok: u64,
    /// Failures that mean pushback (timeouts, overload, throttling).
    pub pushbacks: u64,
    /// Rows acknowledged.
    pub rows: u64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    Ramp,
    Hold { since: Instant },
    Probe,
}

/// The `--rate auto` controller: multiplies the rate by `ramp` each clean window until the
/// pushback ratio passes `max_error_ratio`, then holds the best clean rate, re-probing 10 %
/// higher every `reprobe_every`. A window whose achieved rate is well under the set rate
/// (the client, not the target, is the bottleneck) does not raise the rate.
#[derive(Debug, Clone)]
pub struct AutoRate {
    rate: f64,
    best: f64,
    phase: Phase,
    /// Multiplier per clean window while ramping.
    pub ramp: f64,
    /// Largest pushback ratio (pushbacks / requests) still counted as clean.
    pub max_error_ratio: f64,
    /// How long to hold before probing higher again.
    pub reprobe_every: Duration,
    /// Lowest rate ever set.
    pub min_rate: f64,
}

impl AutoRate {
    /// Starts ramping from `initial` rows/s.
    pub fn new(initial: u32) -> Self {
        AutoRate {
            rate: initial.max(1) as f64,
            best: 0.0,
            phase: Phase::Ramp,
            ramp: 1.5,
            max_error_ratio: 0.01,
            reprobe_every: Duration::from_secs(30),
            min_rate: 10.0,
        }
    }

    /// The rate to set now, rows/s.
    pub fn rate(&self) -> u32 {
        self.rate as u32
    }

    /// The best rate found so far: the highest rate that ran a whole window without pushback
    /// above the threshold, or the achieved rate when the client was the bottleneck.
    pub fn best(&self) -> u32 {
        self.best as u32
    }

    /// Takes one window's outcome at `now`, returns the rate to set.
    pub fn observe(&mut self, w: Window, now: Instant) -> u32 {
        let total = w.ok + w.pushbacks;
        if total == 0 {
            return self.rate();
        }
        let clean = (w.pushbacks as f64 / total as f64) <= self.max_error_ratio;
        let achieved = w.rows as f64 / w.elapsed.as_secs_f64().max(1e-3);
        let saturating = achieved >= 0.8 * self.rate;
        match (self.phase, clean) {
            (Phase::Ramp, true) | (Phase::Probe, true) => {
                if saturating {
                    self.best = self.best.max(self.rate);
                    let factor = if self.phase == Phase::Ramp { self.ramp } else { 1.1 };
                    self.rate *= factor;
                } else {
                    // Client-bound: the target took everything offered.
                    self.best = self.best.max(achieved);
                }
            }
            (Phase::Ramp, false) | (Phase::Probe, false) => {
                let fallback = if self.best > 0.0 { self.best } else { (self.rate * 0.5).max(self.min_rate) };
                self.rate = fallback.min(self.rate * 0.9);
                self.phase = Phase::Hold { since: now };
            }
            (Phase::Hold { since }, true) => {
                if now.duration_since(since) >= self.reprobe_every {
                    self.best = self.best.max(self.rate.min(achieved.max(self.rate * 0.8)));
                    self.rate *= 1.1;
                    self.phase = Phase::Probe;
                }
            }
            (Phase::Hold { .. }, false) => {
                // Even the held rate is too much now: step down and remember it.
                self.rate = (self.rate * 0.8).max(self.min_rate);
                self.best = self.rate;
                self.phase = Phase::Hold { since: now };
            }
        }
        self.rate = self.rate.max(self.min_rate);
        self.rate()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(rows: u64, pushbacks: u64) -> Window {
        Window { elapsed: Duration::from_secs(1), ok: rows, pushbacks, rows }
    }

    #[test]
    fn rate_spec_parses() {
        assert_eq!("auto".parse::<RateSpec>().unwrap(), RateSpec::Auto);
        assert_eq!("20_000".parse::<RateSpec>().unwrap(), RateSpec::Fixed(20_000));
        assert_eq!("unlimited".parse::<RateSpec>().unwrap(), RateSpec::Unlimited);
        assert!("fast".parse::<RateSpec>().is_err());
    }

    #[test]
    fn auto_ramps_until_pushback_then_holds_best() {
        let t0 = Instant::now();
        let mut a = AutoRate::new(1000);
        // the target takes up to 5000 rows/s cleanly
        let target = |rate: u32| if rate <= 5000 { window(rate as u64, 0) } else { window(5000, 500) };
        let mut rate = a.rate();
        for i in 0..10 {
            rate = a.observe(target(rate), t0 + Duration::from_secs(i));
        }
        assert!(a.best() >= 3375 && a.best() <= 5000, "best {}", a.best());
        assert!(rate <= 5000, "holds at or under the clean rate, got {rate}");
        // re-probe after the hold period: 10 % steps up while clean, back to the best on
        // pushback, so the best found approaches the real capacity
        let mut t = t0 + Duration::from_secs(100);
        let probe = a.observe(target(rate), t);
        assert!(probe > rate, "probes higher");
        rate = probe;
        for _ in 0..10 {
            t += Duration::from_secs(1);
            rate = a.observe(target(rate), t);
        }
        assert!(a.best() > 4500 && a.best() <= 5000, "best {}", a.best());
        assert!(rate <= 5000, "settles at or under capacity, got {rate}");
    }

    #[test]
    fn client_bound_windows_do_not_raise_the_rate() {
        let mut a = AutoRate::new(10_000);
        let r = a.observe(window(2_000, 0), Instant::now());
        assert_eq!(r, 10_000);
        assert_eq!(a.best(), 2_000);
    }

    #[tokio::test]
    async fn gate_paces_rows() {
        let gate = RateGate::new(200, 0);
        let start = Instant::now();
        for _ in 0..50 {
            gate.admit(1, 1).await;
        }
        // 50 rows at 200/s with a burst of 10: at least ~0.2 s
        assert!(start.elapsed() >= Duration::from_millis(180), "{:?}", start.elapsed());
    }

    #[tokio::test]
    async fn batches_larger_than_the_row_bucket_are_paced_not_refused() {
        let gate = RateGate::new(200, 0); // burst of 10 rows
        let start = Instant::now();
        for _ in 0..4 {
            gate.admit(30, 30).await;
        }
        // 120 rows at 200/s, of which 10 pass at once: at least ~0.55 s
        assert!(start.elapsed() >= Duration::from_millis(500), "{:?}", start.elapsed());
    }

    #[tokio::test]
    async fn write_units_larger_than_the_bucket_are_paced_not_refused() {
        let gate = RateGate::new(0, 2000); // bucket of 100 units
        let start = Instant::now();
        gate.admit(1, 1024).await;
        gate.admit(1, 1024).await;
        assert!(start.elapsed() >= Duration::from_millis(400), "{:?}", start.elapsed());
    }

    /// A submitter that sends rows one after another on a simulated clock.
    struct Sim {
        pacer: PartitionPacer,
        now: Instant,
    }

    impl Sim {
        fn new() -> Self {
            Sim { pacer: PartitionPacer::new(1000), now: Instant::now() }
        }

        /// Admits a row, advancing the clock to when it may be sent.
        fn admit(&mut self, partition: &[u8], write_units: u32) {
            let ready = self.pacer.reserve_at(partition, write_units, self.now);
            self.now = self.now.max(ready);
        }

        fn advance(&mut self, d: Duration) {
            self.now += d;
        }
    }

    #[test]
    fn one_partition_is_held_to_its_rate() {
        let mut sim = Sim::new();
        let start = sim.now;
        // 100 rows of 30 units: 3000 units, minus the 100-unit burst and the last row
        for _ in 0..100 {
            sim.admit(b"hot", 30);
        }
        let took = sim.now - start;
        assert!(took >= Duration::from_millis(2869) && took <= Duration::from_millis(2871), "{took:?}");
        // Over any window the partition gets at most rate × window + burst + one row.
        let (mut sent, t0) = (0u32, sim.now);
        while sim.now - t0 < Duration::from_secs(1) {
            sim.admit(b"hot", 7);
            sent += 7;
        }
        assert!(sent <= 1000 + 100 + 7, "{sent} units in a second");
        assert!(sent >= 900, "{sent} units in a second");
    }

    #[test]
    fn other_partitions_are_not_held_back_by_a_hot_one() {
        let mut sim = Sim::new();
        for _ in 0..50 {
            sim.admit(b"hot", 100); // 5000 units: ~5 s of the hot partition's time
        }
        let start = sim.now;
        for i in 0..100u32 {
            sim.admit(&i.to_be_bytes(), 100);
        }
        assert_eq!(sim.now, start, "each cold partition is within its burst");
    }

    #[test]
    fn a_row_larger_than_the_burst_is_paced_not_refused() {
        let mut sim = Sim::new();
        let start = sim.now;
        sim.admit(b"p", 1024);
        sim.admit(b"p", 1024);
        sim.admit(b"p", 1);
        // the second waits for the first's 1.024 s less the burst; the third for both
        let took = sim.now - start;
        assert!(took >= Duration::from_millis(1947) && took <= Duration::from_millis(1949), "{took:?}");
    }

    #[test]
    fn idle_partitions_are_evicted() {
        let mut sim = Sim::new();
        for i in 0..PACER_MIN_SWEEP as u32 - 1 {
            sim.admit(&i.to_be_bytes(), 1);
        }
        assert_eq!(sim.pacer.tracked(), PACER_MIN_SWEEP - 1);
        sim.advance(Duration::from_millis(10));
        // the sweep at the limit drops every partition whose bucket has refilled
        sim.admit(b"new", 1);
        assert_eq!(sim.pacer.tracked(), 1);
        // a partition still paying off its units is kept, refilled ones go
        sim.admit(b"busy", 500);
        sim.advance(Duration::from_millis(10));
        for i in 0..PACER_MIN_SWEEP as u32 - 2 {
            sim.admit(&i.to_be_bytes(), 1);
        }
        let st = sim.pacer.state.lock().unwrap();
        assert!(st.tat.contains_key(&b"busy"[..]), "busy partition kept while its units are owed");
        assert!(!st.tat.contains_key(&b"new"[..]), "refilled partition evicted");
        assert_eq!(st.tat.len(), PACER_MIN_SWEEP - 1);
    }

    #[test]
    fn waits_end_together_on_the_next_tick() {
        let origin = Instant::now();
        let tick = Duration::from_millis(5);
        let at = |ms: u64, us: u64| origin + Duration::from_millis(ms) + Duration::from_micros(us);
        assert_eq!(on_tick(origin, at(10, 1), tick), at(15, 0));
        assert_eq!(on_tick(origin, at(14, 999), tick), at(15, 0), "deadlines of one tick wake together");
        assert_eq!(on_tick(origin, at(15, 0), tick), at(15, 0), "a deadline on a tick is kept");
        assert_eq!(on_tick(origin + Duration::from_millis(1), origin, tick), origin + Duration::from_millis(1));
    }

    #[tokio::test]
    async fn admit_sleeps_until_the_reservation() {
        let pacer = PartitionPacer::new(1000);
        let start = Instant::now();
        pacer.admit(b"p", 150).await; // immediate, leaves 150 ms owed
        pacer.admit(b"p", 1).await; // waits for 150 − 100 ms
        assert!(start.elapsed() >= Duration::from_millis(45), "{:?}", start.elapsed());
    }
}
