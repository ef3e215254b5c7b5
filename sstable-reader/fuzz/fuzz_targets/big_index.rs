//! Fuzz target `big_index`: see `drivers::big_index`.
#![no_main]

#[path = "../drivers.rs"]
mod drivers;

libfuzzer_sys::fuzz_target!(|data: &[u8]| drivers::big_index(data));
