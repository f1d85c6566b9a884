#![no_main]
//! `cargo fuzz run json_request`: see `dancu_fuzz::TARGETS`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (dancu_fuzz::target("json_request").expect("a target of dancu-fuzz").run)(data)
});
