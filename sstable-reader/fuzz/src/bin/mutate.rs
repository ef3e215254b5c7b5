//! A stable-Rust byte-mutation harness, for machines without a nightly toolchain (where
//! `cargo fuzz` cannot run): blind mutations (no coverage feedback) of the seed and corpus
//! inputs, fed to the same drivers. Weaker than libFuzzer, but it finds the shallow panics.
//!
//! `mutate TARGET SECONDS ARTIFACT_DIR INPUT_DIR...`: runs for SECONDS; each input that makes
//! the driver panic is written to `ARTIFACT_DIR/crash-<hash>`, one that runs longer than
//! 10 s to `ARTIFACT_DIR/timeout-<hash>` (then the process exits: a hang cannot be
//! interrupted). Exit status 1 when anything was found.

#[path = "../../drivers.rs"]
mod drivers;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// xorshift64*: seeded, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3))
}

const INTERESTING: [u8; 8] = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff, 0x40, 0x20];

fn mutate(rng: &mut Rng, input: &mut Vec<u8>, pool: &[Vec<u8>]) {
    for _ in 0..1 + rng.below(4) {
        let len = input.len();
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                input[i] = rng.next() as u8;
            }
            2 if len > 0 => {
                let i = rng.below(len);
                input[i] = INTERESTING[rng.below(INTERESTING.len())];
            }
            3 if len > 0 => {
                // A big-endian length or offset field: set 2, 4 or 8 bytes to an extreme.
                let n = [2, 4, 8][rng.below(3)].min(len);
                let i = rng.below(len - n + 1);
                let v = [0u8, 0xff, 0x7f][rng.below(3)];
                input[i..i + n].fill(v);
            }
            4 if len > 0 => input.truncate(rng.below(len)),
            5 if len > 1 => {
                let a = rng.below(len);
                let b = (a + 1 + rng.below(64)).min(len);
                input.drain(a..b);
            }
            6 => {
                let at = rng.below(len + 1);
                let extra: Vec<u8> = (0..1 + rng.below(16)).map(|_| rng.next() as u8).collect();
                input.splice(at..at, extra);
            }
            _ => {
                // Splice in a piece of another input.
                let other = &pool[rng.below(pool.len())];
                if !other.is_empty() && len > 0 {
                    let a = rng.below(other.len());
                    let b = (a + 1 + rng.below(256)).min(other.len());
                    let at = rng.below(len);
                    let end = (at + (b - a)).min(len);
                    input.splice(at..end, other[a..b].iter().copied());
                }
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        eprintln!("usage: mutate TARGET SECONDS ARTIFACT_DIR INPUT_DIR...");
        std::process::exit(2);
    }
    let target = args[1].clone();
    let seconds: u64 = args[2].parse().expect("SECONDS");
    let artifacts = PathBuf::from(&args[3]);
    std::fs::create_dir_all(&artifacts).unwrap();
    let mut pool: Vec<Vec<u8>> = Vec::new();
    for dir in &args[4..] {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            pool.push(std::fs::read(e.path()).unwrap());
        }
    }
    if pool.is_empty() {
        pool.push(Vec::new());
    }
    // Quiet panics: they are expected finds, reported below.
    std::panic::set_hook(Box::new(|_| {}));

    // The watchdog: one input may run at most 10 s.
    let current: Arc<Mutex<Vec<u8>>> = Arc::default();
    let started = Arc::new(AtomicU64::new(u64::MAX));
    let epoch = Instant::now();
    {
        let (current, started, artifacts) = (Arc::clone(&current), Arc::clone(&started), artifacts.clone());
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_millis(500));
            let s = started.load(Ordering::Relaxed);
            if s != u64::MAX && epoch.elapsed().as_millis() as u64 > s + 10_000 {
                let input = current.lock().map(|g| g.clone()).unwrap_or_default();
                let path = artifacts.join(format!("timeout-{:016x}", fnv(&input)));
                std::fs::write(&path, &input).unwrap();
                eprintln!("timeout (>10 s): {}", path.display());
                std::process::exit(1);
            }
        });
    }

    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ epoch.elapsed().as_nanos() as u64 ^ std::process::id() as u64);
    let deadline = Duration::from_secs(seconds);
    let (mut runs, mut found) = (0u64, 0u64);
    while epoch.elapsed() < deadline {
        let mut input = pool[rng.below(pool.len())].clone();
        mutate(&mut rng, &mut input, &pool);
        *current.lock().unwrap() = input.clone();
        started.store(epoch.elapsed().as_millis() as u64, Ordering::Relaxed);
        let result = std::panic::catch_unwind(|| drivers::run(&target, &input));
        started.store(u64::MAX, Ordering::Relaxed);
        runs += 1;
        if result.is_err() {
            let path = artifacts.join(format!("crash-{:016x}", fnv(&input)));
            if !path.exists() {
                found += 1;
                eprintln!("crash: {}", path.display());
                std::fs::write(&path, &input).unwrap();
            }
        } else if pool.len() < 4096 && rng.below(64) == 0 {
            // Keep some mutants to mutate further (no coverage to tell the useful ones).
            pool.push(input);
        }
    }
    println!("{target}: {runs} runs in {seconds} s, {found} new crash inputs");
    std::process::exit(if found > 0 { 1 } else { 0 });
}
