//! sstable-reader's integration tests: one binary, one module per area.
//!
//! * `fuzz_regressions`: every input the fuzzer found a bug with, replayed.
//! * `seek`: seeking by token or key lands on every partition of real SSTables with
//!   thousands of partitions, in both index formats.

// The fuzz drivers (`sstable-reader/fuzz`), shared so crash inputs replay on stable.
#[path = "../../fuzz/drivers.rs"]
mod drivers;

mod fuzz_regressions;
mod seek;
