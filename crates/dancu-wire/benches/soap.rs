//! Criterion benchmarks of the SOAP codec: encoding a request, decoding the
//! full-record sample, and the two together (the codec's cost per lookup).
#![allow(missing_docs)] // criterion_group! generates undocumented items

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dancu_core::registry::{IdentityQuery, Operation, RequestContext};
use dancu_wire::request::soap::encode;
use dancu_wire::response::{SoapReply, decode_lookup};
use dancu_wire::{Dialect, Limits, WireRequest};

mod common;
use common::FOUND;

fn soap(c: &mut Criterion) {
    let (on, ctx, query) = common::lookup();
    let cfg = Dialect::default();
    let limits = Limits::default();
    // What a gateway does per call: build the wire request, encode it; then
    // decode the answer.
    let encode_request = |op, ctx: &RequestContext, query: &IdentityQuery, cfg: &Dialect| {
        encode(&WireRequest::new(op, ctx, query, cfg, "1.001776"), cfg)
    };
    let decode_lookup_response = |bytes: &[u8]| decode_lookup(bytes, on, &limits);
    assert!(matches!(
        decode_lookup_response(FOUND),
        Ok(SoapReply::Answer(ref a)) if a.record.is_some()
    ));

    // Criterion reports means, which a machine shared with other builds
    // inflates; the fastest of many short batches is the codec's own cost.
    let batch = |f: &mut dyn FnMut()| {
        let mut best = Duration::MAX;
        for _ in 0..300 {
            let t = Instant::now();
            for _ in 0..100 {
                f();
            }
            best = best.min(t.elapsed() / 100);
        }
        best
    };
    let encode = batch(&mut || {
        black_box(encode_request(
            Operation::Lookup,
            black_box(&ctx),
            black_box(&query),
            &cfg,
        ));
    });
    let decode = batch(&mut || {
        black_box(decode_lookup_response(black_box(FOUND)).is_ok());
    });
    let both = batch(&mut || {
        let req = encode_request(Operation::Lookup, black_box(&ctx), black_box(&query), &cfg);
        black_box((req, decode_lookup_response(black_box(FOUND)).is_ok()));
    });
    println!(
        "fastest batch (300 x 100 iterations): encode_request {encode:?}, decode_found_record {decode:?}, both {both:?}"
    );

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
