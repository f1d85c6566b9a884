#![no_main]
//! `cargo fuzz run full_name`: see `dancu_fuzz::TARGETS`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (dancu_fuzz::target("full_name").expect("a target of dancu-fuzz").run)(data)
});
