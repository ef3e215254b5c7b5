//! Fuzz target `summary`: see `drivers::summary`.
#![no_main]

#[path = "../drivers.rs"]
mod drivers;

libfuzzer_sys::fuzz_target!(|data: &[u8]| drivers::summary(data));
