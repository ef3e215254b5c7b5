//! Fuzz target `statistics`: see `drivers::statistics`.
#![no_main]

#[path = "../drivers.rs"]
mod drivers;

libfuzzer_sys::fuzz_target!(|data: &[u8]| drivers::statistics(data));
