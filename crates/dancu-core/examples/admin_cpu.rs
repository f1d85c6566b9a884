//! CPU time per operation (code lookup, name search, address resolution),
//! measured with this thread's CPU clock (/proc/self/schedstat) so the
//! figures hold on a shared, loaded machine where wall-clock benchmarks
//! (`cargo bench --bench admin`) are inflated by waiting for a core.
//!
//! `cargo run --release -p dancu-core --example admin_cpu`
//!
//! `admin_cpu messy N` (or `corpus N`, `real N`) runs only that loop, N
//! times, for an instruction count: `valgrind --tool=callgrind
//! target/release/examples/admin_cpu messy 20000` (divide by N; the data
//! load is a fixed ≈ 0.1 G instructions, measured with N = 0).

use std::hint::black_box;

use dancu_core::admin::{LegacyCommune, resolve, search};

/// CPU time of this thread in nanoseconds (0 where unavailable).
fn cpu_ns() -> u64 {
    let s = std::fs::read_to_string("/proc/self/schedstat").unwrap_or_default();
    s.split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Runs `f` `n` times; prints and returns the CPU nanoseconds per call.
fn per_call(label: &str, n: u64, mut f: impl FnMut(u64)) -> f64 {
    let start = cpu_ns();
    for i in 0..n {
        f(i);
    }
    let ns = cpu_ns().saturating_sub(start) as f64 / n as f64;
    if ns >= 1000.0 {
        println!("{label:<40} {:>9.2} µs CPU", ns / 1000.0);
    } else {
        println!("{label:<40} {ns:>9.1} ns CPU");
    }
    ns
}

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

/// The inputs of a TSV corpus under `bench/address/` (second column).
fn corpus_inputs(name: &str) -> Vec<String> {
    let path = format!("{}/../../bench/address/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').nth(1).map(str::to_owned))
        .collect()
}

fn main() {
    dancu_core::admin::load();
    let mut args = std::env::args().skip(1);
    if let Some(what) = args.next() {
        let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10_000);
        let inputs: Vec<String> = match what.as_str() {
            "messy" => MESSY.iter().map(|s| (*s).to_owned()).collect(),
            "corpus" => corpus_inputs("corpus.tsv"),
            _ => corpus_inputs("real.tsv"),
        };
        for i in 0..n {
            black_box(resolve(black_box(&inputs[i % inputs.len()])));
        }
        return;
    }
    let codes: Vec<_> = LegacyCommune::all().map(LegacyCommune::code).collect();
    per_call("legacy commune lookup by code", 10_000_000, |i| {
        black_box(LegacyCommune::lookup(black_box(
            codes[(i as usize * 7919) % codes.len()],
        )));
    });
    let names = [
        "Xã Văn Lăng",
        "phuong 1",
        "Ea H’Leo",
        "thanh pho bac kan",
        "Hòa Bình",
        "Q.3",
    ];
    per_call("name search", 200_000, |i| {
        black_box(search(black_box(names[i as usize % names.len()])));
    });
    per_call("resolve a messy address (16 forms)", 200_000, |i| {
        black_box(resolve(black_box(MESSY[i as usize % MESSY.len()])));
    });
    for (label, file) in [
        ("resolve the bench/address corpus", "corpus.tsv"),
        ("resolve the calibration corpus", "real.tsv"),
    ] {
        let inputs = corpus_inputs(file);
        if inputs.is_empty() {
            continue;
        }
        let n = inputs.len() as u64 * 20;
        let ns = per_call(label, n, |i| {
            black_box(resolve(black_box(&inputs[i as usize % inputs.len()])));
        });
        println!("{:<40} {:>9.0} addresses/s per core", "", 1e9 / ns);
    }
}
