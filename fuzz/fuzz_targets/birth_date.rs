#![no_main]
//! `cargo fuzz run birth_date`: see `dancu_fuzz::TARGETS`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (dancu_fuzz::target("birth_date").expect("a target of dancu-fuzz").run)(data)
});
