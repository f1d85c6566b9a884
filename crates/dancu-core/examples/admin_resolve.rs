//! Prints how each argument resolves (a debugging aid).
//!
//! `cargo run -p dancu-core --example admin_resolve -- "Xã Dương Quang, Bắc Kạn"`

use dancu_core::admin::{Place, resolve};

fn show(p: &Place) -> String {
    match *p {
        Place::Legacy {
            province,
            district,
            commune,
        } => format!(
            "legacy {} / {} / {}",
            province,
            district.map_or("-".into(), |d| format!("{} {}", d.code(), d)),
            commune.map_or("-".into(), |c| format!("{} {}", c.code(), c))
        ),
        Place::Current { province, commune } => format!(
            "2025 {} / {}",
            province,
            commune.map_or("-".into(), |c| format!("{} {}", c.code(), c))
        ),
    }
}

fn main() {
    for text in std::env::args().skip(1) {
        let r = resolve(&text);
        println!(
            "{text:?}: resolved={} conf={:.2} detail={:?}",
            r.is_resolved(),
            r.confidence(),
            r.detail()
        );
        if let Some(p) = r.place() {
            println!("  place: {}", show(p));
        }
        if let Some(h) = r.historical() {
            println!("  historical: {} {} until {}", h.code(), h, h.until());
        }
        if let Some(p) = r.former() {
            println!("  former: {}", show(p));
        }
        for c in r.candidates() {
            println!("  cand {:.2} {}", c.score, show(&c.place));
        }
    }
}
