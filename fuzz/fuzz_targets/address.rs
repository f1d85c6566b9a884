#![no_main]
//! `cargo fuzz run address`: see `dancu_fuzz::TARGETS`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (dancu_fuzz::target("address").expect("a target of dancu-fuzz").run)(data)
});
