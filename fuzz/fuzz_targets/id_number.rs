#![no_main]
//! `cargo fuzz run id_number`: see `dancu_fuzz::TARGETS`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (dancu_fuzz::target("id_number").expect("a target of dancu-fuzz").run)(data)
});
