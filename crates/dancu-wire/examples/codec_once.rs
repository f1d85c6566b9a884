//! Encodes a request and decodes the full-record sample `N` times (default
//! 1000): the codec's work per call, for an instruction count that does not
//! depend on the machine's load:
//! `valgrind --tool=callgrind target/release/examples/codec_once 1000`.
use std::hint::black_box;

use dancu_core::registry::{IdentityQuery, Operation, RequestContext};
use dancu_core::{CalendarDate, IdNumber};
use dancu_wire::request::soap::encode;
use dancu_wire::response::decode_lookup;
use dancu_wire::{Dialect, Limits, WireRequest};

const FOUND: &[u8] = include_bytes!("../tests/fixtures/lookup-response-found.xml");

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let on = CalendarDate::new(2026, 11, 27).expect("date");
    let ctx = RequestContext::new("canbo.motcua01", "1.001776".parse().expect("procedure"))
        .expect("context")
        .with_unit("000.00.21.H06".parse().expect("unit"));
    let query = IdentityQuery::new(
        IdNumber::parse_on("006089000001", on).expect("id"),
        "Nguyễn Văn An".parse().expect("name"),
        "12/05/1989".parse().expect("date"),
    )
    .expect("query");
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
