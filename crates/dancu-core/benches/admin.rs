//! Criterion benchmarks of the administrative units: code lookup, name
//! search and free-text address resolution (data loaded beforehand; see
//! `examples/admin_load.rs` for first use and memory).
#![allow(missing_docs)] // criterion_group! generates undocumented items

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use dancu_core::admin::{Commune, LegacyCommune, resolve, search};

/// Messy real-world-style addresses: abbreviations, no diacritics, glued
/// numbers, aliases, NFD text, details, both eras.
const MESSY: &[&str] = &[
    "Số 12, ngõ 4, thôn Nà Pài, Xã Dương Quang, TP. Bắc Kạn, Bắc Kạn",
    "xa duong quang tp bac kan bac kan",
    "P8Q10 HCM",
    "f4 q6 tphcm",
    "123/4 Lê Lợi, P. Bến Nghé, Q.1, TP.HCM",
    "Phường Sài Gòn, TP Hồ Chí Minh",
    "Xã A Lưới 3, Thành phố Huế",
    "Thôn 3, X. Ea H’Leo, H. Ea H'leo, T. Đắk Lắk",
    "TT. Phong Châu, H. Phù Ninh, T. Phú Thọ",
    "Phường 1, Quận 3, SG",
    "xã hoà bình, huyện chi lăng, lạng sơn",
    "Ấp Bình Hòa, Xã Tân Phú, Tỉnh Đồng Nai",
    "Tổ 5, khu phố 3, Phường Bạch Đằng, Hai Bà Trưng, HN",
    "Xã Hòa Bình, Tỉnh Lạng Sơn",
    "huyện Côn Đảo, BR-VT",
    "Thị trấn Sa Pa Huyện Sa Pa Tỉnh Lào Cai",
];

fn admin(c: &mut Criterion) {
    dancu_core::admin::load();
    let codes: Vec<_> = LegacyCommune::all()
        .map(LegacyCommune::code)
        .step_by(97)
        .collect();
    let texts: Vec<String> = codes.iter().map(ToString::to_string).collect();
    c.bench_function("admin/legacy_commune_lookup_by_code", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % codes.len();
            black_box(LegacyCommune::lookup(black_box(codes[i])))
        })
    });
    c.bench_function("admin/parse_and_lookup_code_text", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % texts.len();
            let code = black_box(texts[i].as_str()).parse().ok();
            black_box(code.and_then(Commune::lookup))
        })
    });
    let names = [
        "Xã Văn Lăng",
        "phuong 1",
        "Ea H’Leo",
        "thanh pho bac kan",
        "Hòa Bình",
        "Q.3",
    ];
    c.bench_function("admin/name_search", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % names.len();
            black_box(search(black_box(names[i])))
        })
    });
    c.bench_function("admin/resolve_messy_address", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % MESSY.len();
            black_box(resolve(black_box(MESSY[i])))
        })
    });
}

/// The whole messy-address corpus of `bench/address/corpus.tsv`, when present.
fn corpus(c: &mut Criterion) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../bench/address/corpus.tsv"
    );
    let Ok(text) = std::fs::read_to_string(path) else {
        eprintln!("skipped: {path} not present");
        return;
    };
    let inputs: Vec<&str> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').nth(1))
        .collect();
    dancu_core::admin::load();
    let mut group = c.benchmark_group("admin/corpus");
    group.sample_size(20);
    group.throughput(criterion::Throughput::Elements(inputs.len() as u64));
    group.bench_function("resolve_all", |b| {
        b.iter(|| {
            for text in &inputs {
                black_box(resolve(black_box(text)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, admin, corpus);
criterion_main!(benches);
