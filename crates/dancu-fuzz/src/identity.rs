//! The identity model: ID numbers (what `dancu id inspect` reports), birth
//! dates and the other dates the command line reads, and full names.

use std::str::FromStr;

use dancu_core::identity::fold;
use dancu_core::report::IdReport;
use dancu_core::{
    BirthDate, CalendarDate, DateAgreement, FullName, IdKind, IdNumber, NameAgreement, NameError,
    Timestamp, mask_numbers,
};
use unicode_normalization::is_nfc;

/// The reference dates an ID is inspected on (the first byte picks one):
/// today in the fixtures, the day before the CMND stopped being valid, the
/// first day of the 2025 scheme, the year 2000 and the far future.
fn reference_date(b: u8) -> CalendarDate {
    let (y, m, d) = match b % 5 {
        0 => (2026, 11, 27),
        1 => (2024, 12, 31),
        2 => (2025, 7, 1),
        3 => (2000, 1, 1),
        _ => (2199, 12, 31),
    };
    CalendarDate::new(y, m, d).unwrap_or_else(|_| unreachable!("a valid date"))
}

/// The report `dancu id inspect --json` prints, parsed back.
fn report(
    input: &str,
    parsed: &Result<IdNumber, dancu_core::IdNumberError>,
    on: CalendarDate,
) -> serde_json::Value {
    let mut buf = Vec::new();
    IdReport::new(input, parsed, on).write_json(&mut buf);
    serde_json::from_slice(&buf).unwrap_or_else(|e| panic!("the inspect report is not JSON: {e}"))
}

/// An ID number, as `dancu id inspect` reads it: the first byte picks the
/// reference date. A valid number's canonical form parses to the same
/// number and inspects alike; its report is valid JSON; masking the input
/// leaves nothing that parses to the same personal ID or CMND.
pub(crate) fn id_number(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(input) = std::str::from_utf8(rest) else {
        return;
    };
    let on = reference_date(first);
    let parsed = IdNumber::parse_on(input, on);
    let original = report(input, &parsed, on);
    match &parsed {
        Ok(id) => {
            let canonical = id.to_string();
            let again = IdNumber::parse_on(&canonical, on);
            assert_eq!(
                again.as_ref(),
                Ok(id),
                "the canonical form parses otherwise"
            );
            let mut canonical_report = report(&canonical, &again, on);
            if let (Some(a), Some(b)) = (canonical_report.as_object_mut(), original.as_object()) {
                a.insert("input".into(), b.get("input").cloned().unwrap_or_default());
            }
            assert_eq!(
                canonical_report, original,
                "the canonical form inspects otherwise"
            );
            if matches!(id.kind(), IdKind::PersonalId | IdKind::Cmnd) {
                let masked = mask_numbers(input);
                assert_ne!(
                    IdNumber::parse_on(&masked, on).as_ref(),
                    Ok(id),
                    "masking leaves the number readable"
                );
                assert_ne!(
                    id.masked().as_str(),
                    canonical,
                    "the masked form is the number"
                );
            }
        }
        Err(e) => {
            assert!(!e.code().is_empty());
            drop(e.to_string());
        }
    }
}

/// Seeds: valid numbers of each kind, grouped as people write them, and
/// near misses (a digit short, a letter, a bad check digit, odd spaces).
pub(crate) fn id_number_seeds() -> Vec<Vec<u8>> {
    let inputs = [
        "006089000001",
        "006 089 000 001",
        "006-089-000-001",
        "006.089.000.001",
        " 001 2 04 000123 ",
        "079305012345",
        "00608900000",
        "0060890000012",
        "006O89000001",
        "100089000001",
        "006989000001",
        "095000111",
        "095 000 111",
        "B1234567",
        "c7654321",
        "0100109106",
        "0100109106-001",
        "0100109106001",
        "0100109107",
        "0100109106-01",
        "",
        "\u{a0}006089000001\u{2009}",
        "０06089000001",
        "067 157 167 034",
    ];
    let mut seeds = Vec::new();
    for (i, s) in inputs.iter().enumerate() {
        let mut seed = vec![u8::try_from(i % 5).unwrap_or(0)];
        seed.extend_from_slice(s.as_bytes());
        seeds.push(seed);
    }
    seeds
}

/// A birth date, and the other dates the command line reads (`--on`,
/// audit ranges): each parsed value's canonical form parses back to it,
/// agrees with itself exactly, and survives serde; a calendar date
/// survives the day count.
pub(crate) fn birth_date(data: &[u8]) {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    match BirthDate::from_str(input) {
        Ok(b) => {
            let canonical = b.to_string();
            assert_eq!(
                canonical.parse::<BirthDate>(),
                Ok(b),
                "the canonical form parses otherwise"
            );
            assert_eq!(b.agreement(&b), DateAgreement::Exact);
            if let Some(compact) = b.to_yyyymmdd() {
                assert_eq!(
                    compact.parse::<BirthDate>(),
                    Ok(b),
                    "yyyymmdd parses otherwise"
                );
            }
            let json = serde_json::to_string(&b).unwrap_or_else(|e| panic!("{e}"));
            let back: BirthDate = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(back, b, "serde reads the birth date otherwise");
        }
        Err(e) => drop(e.to_string()),
    }
    if let Ok(d) = CalendarDate::from_str(input) {
        assert_eq!(d.to_string().parse::<CalendarDate>(), Ok(d));
        assert_eq!(CalendarDate::from_unix_days(d.to_unix_days()), Ok(d));
    }
    for end_of_range in [false, true] {
        if let Ok(t) = Timestamp::parse_instant(input, end_of_range) {
            let shown = t.to_string();
            if !shown.starts_with('@') {
                assert_eq!(
                    Timestamp::parse_instant(&shown, false),
                    Ok(t),
                    "an instant's canonical form reads otherwise"
                );
            }
        }
    }
}

/// Seeds: each layout of a birth date, dates and instants, and near misses.
pub(crate) fn birth_date_seeds() -> Vec<Vec<u8>> {
    [
        "12/05/1989",
        "1/2/1989",
        "05/1989",
        "1989",
        "19890512",
        "1989-05-12",
        "29/02/2000",
        "29/02/1900",
        "31/04/1989",
        "00/00/1989",
        "1989-5-12",
        "12.05.1989",
        "9999",
        "0000",
        "2026-11-27",
        "2026-11-27T08:00:00Z",
        "2026-11-27T15:00:00.123+07:00",
        "2026-11-27T23:59:60-12:00",
        "",
        " 12 / 05 / 1989 ",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

/// Full names, two to an input (split at the first newline): a parsed name
/// is NFC and parses to itself, its parts reassemble it, its folded key is
/// a fixed point of folding, the upper-case form sent to gateways is a name
/// already in canonical form and agrees with it, and it agrees with
/// itself.
pub(crate) fn full_name(data: &[u8]) {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let (a, b) = input.split_once('\n').unwrap_or((input, ""));
    let names: Vec<FullName> = [a, b].into_iter().filter_map(check_name).collect();
    if let [x, y] = names.as_slice() {
        let xy = x.agreement(y);
        if xy != NameAgreement::Different {
            assert_eq!(
                fold(x.as_str()),
                fold(y.as_str()),
                "names agree but fold apart"
            );
        }
    }
}

fn check_name(input: &str) -> Option<FullName> {
    let name = match FullName::parse(input) {
        Ok(n) => n,
        Err(e) => {
            drop(e.to_string());
            return None;
        }
    };
    let text = name.as_str();
    assert!(is_nfc(text), "a name is not NFC");
    assert_eq!(
        FullName::parse(text).as_ref(),
        Ok(&name),
        "normalising is not idempotent"
    );
    assert_eq!(
        FullName::from_parts(name.family(), name.middle(), name.given()).as_ref(),
        Ok(&name),
        "the parts reassemble another name"
    );
    let key = name.folded_key();
    assert_eq!(fold(&key), key, "folding is not idempotent");
    let upper = name.to_wire_upper();
    match FullName::parse(&upper) {
        Ok(u) => assert_eq!(u.as_str(), upper, "the wire form is not canonical"),
        // A letter whose capital is several (ΰ, ß; never in a Vietnamese
        // name) can take the wire form past the limit: only that is fine.
        Err(NameError::TooLong) if upper.chars().count() > text.chars().count() => {}
        Err(e) => panic!("the wire form is not a name: {e}"),
    }
    assert_eq!(name.agreement(&name), NameAgreement::Identical);
    Some(name)
}

/// Seeds: Vietnamese names in NFC and NFD, with both tone placements, the
/// legacy Ð, apostrophes and hyphens of minority names, invisible and
/// odd spaces, and near misses.
pub(crate) fn full_name_seeds() -> Vec<Vec<u8>> {
    [
        "Nguyễn Văn An\nNGUYỄN VĂN AN",
        "Nguyê\u{0303}n Va\u{0306}n An\nNguyen Van An",
        "Lê Thị Hoà\nLê Thị Hòa",
        "Trần Thuỷ\nTRẦN THỦY",
        "Ðặng Ðức\nĐặng Đức",
        "H’Hen Niê\nH'Hen Nie",
        "Y-Moan Ênuôl\nY Moan Enuol",
        "  Phạm\u{00a0}\u{200b}Minh   Châu ",
        "Ksor H'Bơ\nKSOR H’BƠ",
        "Nguyễn Văn 3",
        "Nguyễn\tVăn\u{7}An",
        "'-'",
        "Âu Dương Phong\nÂU DƯƠNG PHONG",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}
