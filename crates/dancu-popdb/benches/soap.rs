//! Criterion benchmarks of the SOAP codec: encoding a request, decoding the
//! full-record sample, and the two together (the codec's cost per lookup).
#![allow(missing_docs)] // criterion_group! generates undocumented items

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dancu_core::registry::{IdentityQuery, Operation, RequestContext};
use dancu_core::{CalendarDate, IdNumber};
use dancu_popdb::gateway::soap::{EncodeConfig, SoapReply, decode_lookup_response, encode_request};

const FOUND: &[u8] = include_bytes!("../tests/fixtures/lookup-response-found.xml");

fn soap(c: &mut Criterion) {
    let on = CalendarDate::new(2026, 11, 27).expect("valid date");
    let ctx = RequestContext::new("canbo.motcua01", "1.001776".parse().expect("procedure"))
        .expect("context")
        .with_unit("000.00.21.H06".parse().expect("unit"));
    let query = IdentityQuery::new(
        IdNumber::parse_on("006089000001", on).expect("id"),
        "Nguyễn Văn An".parse().expect("name"),
        "12/05/1989".parse().expect("date"),
    )
    .expect("query");
    let cfg = EncodeConfig::default();
    assert!(matches!(
        decode_lookup_response(FOUND),
        Ok(SoapReply::Answer(ref a)) if a.record.is_some()
    ));

    let mut g = c.benchmark_group("soap");
    g.throughput(Throughput::Elements(1));
    g.bench_function("encode_request", |b| {
        b.iter(|| {
            black_box(encode_request(
                Operation::Lookup,
                black_box(&ctx),
                black_box(&query),
                &cfg,
            ))
        });
    });
    g.bench_function("decode_found_record", |b| {
        b.iter(|| black_box(decode_lookup_response(black_box(FOUND))));
    });
    g.bench_function("encode_request_and_decode_found_record", |b| {
        b.iter(|| {
            let req = encode_request(Operation::Lookup, black_box(&ctx), black_box(&query), &cfg);
            let answer = decode_lookup_response(black_box(FOUND));
            black_box((req, answer))
        });
    });
    g.finish();
}

criterion_group!(benches, soap);
criterion_main!(benches);
