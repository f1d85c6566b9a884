//! Criterion benchmarks of the identity model: parse + decode.
#![allow(missing_docs)] // criterion_group! generates undocumented items

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dancu_core::{BirthDate, CalendarDate, FullName, IdNumber, PersonalId};

fn identity(c: &mut Criterion) {
    let on = CalendarDate::new(2026, 11, 27).expect("valid date");
    let mut g = c.benchmark_group("identity");
    g.throughput(Throughput::Elements(1));
    g.bench_function("personal_id_parse_decode", |b| {
        b.iter(|| {
            let id = PersonalId::parse_on(black_box("006089000001"), on).expect("valid");
            black_box((id.registration(), id.gender(), id.birth_year()))
        });
    });
    g.bench_function("personal_id_parse_decode_with_separators", |b| {
        b.iter(|| {
            let id = PersonalId::parse_on(black_box(" 079 303 012 345 "), on).expect("valid");
            black_box((id.registration(), id.gender(), id.birth_year()))
        });
    });
    g.bench_function("id_number_classify", |b| {
        b.iter(|| black_box(IdNumber::parse_on(black_box("095123456"), on)));
    });
    g.bench_function("birth_date_parse", |b| {
        b.iter(|| black_box(black_box("12/05/1989").parse::<BirthDate>()));
    });
    g.bench_function("full_name_parse_fold", |b| {
        b.iter(|| {
            let n: FullName = black_box("Nguyễn Thị Thanh Thủy").parse().expect("valid");
            black_box(n.folded_key())
        });
    });
    g.finish();
}

criterion_group!(benches, identity);
criterion_main!(benches);
