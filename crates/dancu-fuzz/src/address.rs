//! Free-text addresses, as `dancu address resolve` and the search read
//! them.

use dancu_core::CalendarDate;
use dancu_core::admin::{Place, RESOLVED_CONFIDENCE, resolve, search};
use dancu_core::report::AddressReport;

/// The longest line `dancu address resolve -` reads (4 KiB); the target
/// reads no more either.
const MAX_LINE: usize = 4096;

/// An address: resolving is deterministic (the same answer twice: the
/// buffers reused between calls leak nothing), the confidence is in
/// `0..=1` and `resolved` only at [`RESOLVED_CONFIDENCE`] or above with a
/// place, the `--json` report serialises, and search hits are scored in
/// `0..=1`, best first. A 2025 commune resolved from the text resolves
/// again from its own canonical name and province.
pub(crate) fn address(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(&data[..data.len().min(MAX_LINE)]) else {
        return;
    };
    let r = resolve(text);
    let c = r.confidence();
    assert!((0.0..=1.0).contains(&c), "confidence {c} out of range");
    if r.is_resolved() {
        assert!(c >= RESOLVED_CONFIDENCE, "resolved at confidence {c}");
        assert!(r.place().is_some(), "resolved without a place");
    }
    assert_eq!(resolve(text), r, "resolving twice gives two answers");
    let on = CalendarDate::new(2026, 11, 27).ok();
    if let Err(e) = serde_json::to_string(&AddressReport::new(text, &r, on)) {
        panic!("the address report does not serialise: {e}");
    }
    let hits = search(text);
    for pair in hits.windows(2) {
        assert!(pair[0].score >= pair[1].score, "search hits out of order");
    }
    for h in &hits {
        assert!(
            (0.0..=1.0).contains(&h.score),
            "search score {} out of range",
            h.score
        );
    }
    if r.is_resolved()
        && let Some(Place::Current {
            province,
            commune: Some(commune),
        }) = r.place()
    {
        let canonical = format!("{}, {}", commune.full_name(), province.full_name());
        let again = resolve(&canonical);
        assert!(
            again.is_resolved() && again.place().and_then(Place::current_commune) == Some(*commune),
            "{canonical:?} (from {text:?}) does not resolve to itself"
        );
    }
}

/// Seeds: addresses of both eras as people write them — abbreviations,
/// glued forms, no diacritics, NFD, tone placement, notes in parentheses,
/// province first, numbered units — and near misses.
pub(crate) fn address_seeds() -> Vec<Vec<u8>> {
    [
        "Số 12, thôn Nà Pài, Xã Dương Quang, TP. Bắc Kạn, Bắc Kạn",
        "Xã Phong Quang, Tỉnh Thái Nguyên",
        "xa hoa binh, lang son",
        "123 Nguyễn Trãi, Hà Nội",
        "P8Q10 TPHCM",
        "f4 q6 tp.hcm",
        "Phường 1, Quận 3, TP. Hồ Chí Minh",
        "Phường Ba Đình, Thành phố Hà Nội (Phường Điện Biên, Quận Ba Đình cũ)",
        "Thành phố Hà Nội, Quận Ba Đình, Phường Điện Biên",
        "Xa Ea H’Leo, Dak Lak",
        "Thị Trấn  Ea Drăng,  huyện Ea H'Leo, tỉnh Đắk Lắk",
        "Hoà Bình, Thuỷ Nguyên, Hải Phòng",
        "Phu\u{0300}ng Sa\u{0300}i Go\u{0300}n, TP HCM",
        "ấp 3, xã Tân Phú, BR-VT",
        "Xã A Lưới 3, Huế",
        "Phường Móng Cái 2, Quảng Ninh, Vietnam",
        "Đặc khu Phú Quốc, An Giang",
        "Xã Văn Lăng",
        "Q.1 HCM",
        ",,,,",
        "",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}
