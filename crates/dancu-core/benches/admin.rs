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

criterion_group!(benches, admin);
criterion_main!(benches);
