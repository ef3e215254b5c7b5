//! Fuzz target `compression_info`: see `drivers::compression_info`.
#![no_main]

#[path = "../drivers.rs"]
mod drivers;

libfuzzer_sys::fuzz_target!(|data: &[u8]| drivers::compression_info(data));
