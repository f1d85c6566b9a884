#![no_main]
//! `cargo fuzz run config`: see `dancu_fuzz::TARGETS`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (dancu_fuzz::target("config").expect("a target of dancu-fuzz").run)(data)
});
