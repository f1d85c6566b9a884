//! Encodes a request and decodes the full-record sample `N` times (default
//! 1000): the codec's work per call, for an instruction count that does not
//! depend on the machine's load:
//! `valgrind --tool=callgrind target/release/examples/codec_once 1000`.
use std::hint::black_box;

use dancu_core::registry::Operation;
use dancu_wire::request::soap::encode;
use dancu_wire::response::decode_lookup;
use dancu_wire::{Dialect, Limits, WireRequest};

#[path = "../benches/common/mod.rs"]
mod common;
use common::FOUND;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let (on, ctx, query) = common::lookup();
    let dialect = Dialect::default();
    let limits = Limits::default();
    for _ in 0..n {
        let wire = WireRequest::new(
            Operation::Lookup,
            black_box(&ctx),
            black_box(&query),
            &dialect,
            "1.001776",
        );
        black_box(encode(&wire, &dialect));
        black_box(decode_lookup(black_box(FOUND), on, &limits).is_ok());
    }
}
