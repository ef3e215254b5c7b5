//! Fuzz target `bti_index`: see `drivers::bti_index`.
#![no_main]

#[path = "../drivers.rs"]
mod drivers;

libfuzzer_sys::fuzz_target!(|data: &[u8]| drivers::bti_index(data));
