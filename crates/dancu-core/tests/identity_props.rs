//! Property tests of the identity model: values are generated from their
//! parts, then parsed back.

#![allow(clippy::unwrap_used)] // test helpers panic on purpose
use dancu_core::{
    BirthDate, CalendarDate, Cmnd, FullName, Gender, GenderCode, IdKind, IdNumber, NameAgreement,
    Passport, PersonalId, Precision, ProvinceRegistration, Registration, TaxCode,
};
use proptest::prelude::*;
use unicode_normalization::UnicodeNormalization;

fn far_future() -> CalendarDate {
    CalendarDate::new(2399, 12, 31).unwrap()
}

fn registration_code() -> impl Strategy<Value = u16> {
    let provinces: Vec<u16> = ProvinceRegistration::all()
        .iter()
        .map(|p| p.code())
        .collect();
    prop_oneof![proptest::sample::select(provinces), 101u16..=295]
}

/// (code, G, YY, random part)
fn personal_id_parts() -> impl Strategy<Value = (u16, u8, u8, u32)> {
    (registration_code(), 0u8..=9, 0u8..=99, 0u32..=999_999)
}

fn id_text((code, g, yy, rand): (u16, u8, u8, u32)) -> String {
    format!("{code:03}{g}{yy:02}{rand:06}")
}

/// Inserts single separators between some digits.
fn with_separators(digits: &str, seps: &[Option<char>]) -> String {
    let mut s = String::new();
    for (i, c) in digits.chars().enumerate() {
        if let (true, Some(Some(sep))) = (i > 0, seps.get(i)) {
            s.push(*sep);
        }
        s.push(c);
    }
    s
}

/// A separator people type between groups.
fn separator() -> impl Strategy<Value = char> {
    proptest::sample::select(vec![' ', '.', '-'])
}

/// The groupings of a personal ID people write, as the group lengths.
const PERSONAL_ID_GROUPINGS: &[&[usize]] = &[&[12], &[3, 3, 3, 3], &[3, 1, 2, 6], &[4, 4, 4]];

/// `digits` split into groups of `lengths`, joined by `sep`.
fn grouped(digits: &str, lengths: &[usize], sep: char) -> String {
    let mut out = String::new();
    let mut at = 0;
    for (i, n) in lengths.iter().enumerate() {
        if i > 0 {
            out.push(sep);
        }
        out.push_str(&digits[at..at + n]);
        at += n;
    }
    out
}

fn separators(n: usize) -> impl Strategy<Value = Vec<Option<char>>> {
    proptest::collection::vec(
        proptest::option::weighted(0.3, proptest::sample::select(vec![' ', '.', '-'])),
        n,
    )
}

fn valid_date() -> impl Strategy<Value = (u32, u32, u32)> {
    (1900u32..=2100, 1u32..=12).prop_flat_map(|(y, m)| {
        let last = u32::from(dancu_core::days_in_month(y as u16, m as u8));
        (Just(y), Just(m), 1..=last)
    })
}

const SYLLABLES: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
    "Dương", "Lý", "Văn", "Thị", "Hữu", "Đức", "Ngọc", "Thanh", "Minh", "Hòa", "Thủy", "Khỏe",
    "Quý", "Thụy", "Xoan", "Ánh", "Hương", "Nguyệt", "Tuyết", "H'Hen", "Niê", "Y", "Ksor", "Ênuôl",
    "Kbuôr", "Rơ", "Châm", "Lò", "Sùng", "Giàng", "Mùa", "Chi", "Hạnh", "Ðông",
];

fn name_words() -> impl Strategy<Value = Vec<&'static str>> {
    proptest::collection::vec(proptest::sample::select(SYLLABLES), 1..6)
}

/// Moves each word's tone mark to the other conventional position where one
/// exists (Hòa ↔ Hoà, Thủy ↔ Thuỷ), as old and new orthography differ.
fn other_tone_placement(word: &str) -> String {
    const PAIRS: &[(&str, &str)] = &[
        ("òa", "oà"),
        ("óa", "oá"),
        ("ỏa", "oả"),
        ("õa", "oã"),
        ("ọa", "oạ"),
        ("òe", "oè"),
        ("óe", "oé"),
        ("ỏe", "oẻ"),
        ("õe", "oẽ"),
        ("ọe", "oẹ"),
        ("ùy", "uỳ"),
        ("úy", "uý"),
        ("ủy", "uỷ"),
        ("ũy", "uỹ"),
        ("ụy", "uỵ"),
    ];
    let mut w = word.to_owned();
    for (a, b) in PAIRS {
        if w.contains(a) {
            w = w.replace(a, b);
        } else if w.contains(b) {
            w = w.replace(b, a);
        }
    }
    w
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn personal_id_round_trips_and_decodes(
        parts in personal_id_parts(),
        grouping in proptest::sample::select(PERSONAL_ID_GROUPINGS),
        sep in separator(),
    ) {
        let text = id_text(parts);
        let id = PersonalId::parse_on(&text, far_future()).unwrap();
        prop_assert_eq!(id.to_string(), text.clone());
        let (code, g, yy, _) = parts;
        prop_assert_eq!(id.registration().code(), code);
        prop_assert_eq!(id.registration().is_abroad(), code > 100);
        prop_assert_eq!(id.birth_year(), 1900 + 100 * u16::from(g / 2) + u16::from(yy));
        prop_assert_eq!(id.gender(), if g % 2 == 0 { Gender::Male } else { Gender::Female });
        // Lenient input normalises to the same canonical form (idempotent).
        let spaced = format!("  {}\t", grouped(&text, grouping, sep));
        let again = PersonalId::parse_on(&spaced, far_future()).unwrap();
        prop_assert_eq!(again, id);
        prop_assert_eq!(PersonalId::parse_on(&again.to_string(), far_future()).unwrap(), id);
        // serde goes through the same parser.
        let json = serde_json::to_string(&id).unwrap();
        prop_assert_eq!(json, format!("\"{text}\""));
        // IdNumber classifies it as a personal ID.
        let n = IdNumber::parse_on(&spaced, far_future()).unwrap();
        prop_assert_eq!(n.kind(), IdKind::PersonalId);
        // Debug never shows the whole number.
        let debug = format!("{id:?}");
        prop_assert!(!debug.contains(&text[..8]));
    }

    /// Any other grouping of 12 digits is refused: separators never make a
    /// personal ID, and a separator after the tenth digit makes a tax code.
    #[test]
    fn other_groupings_are_not_personal_ids(parts in personal_id_parts(), seps in separators(12)) {
        let text = id_text(parts);
        let typed = with_separators(&text, &seps);
        let lengths: Vec<usize> = typed.split([' ', '.', '-']).map(str::len).collect();
        let accepted = PERSONAL_ID_GROUPINGS.contains(&lengths.as_slice());
        let parsed = IdNumber::parse_on(&typed, far_future());
        prop_assert_eq!(parsed.is_ok(), accepted, "{:?}", typed);
        prop_assert_eq!(PersonalId::parse_on(&typed, far_future()).is_ok(), accepted);
        if let Err(e) = parsed {
            let branch = seps.get(10).is_some_and(Option::is_some);
            let kind = if branch { IdKind::TaxCode } else { IdKind::PersonalId };
            prop_assert_eq!(e.kind(), Some(kind), "{:?}", typed);
        }
    }

    #[test]
    fn birth_year_after_the_reference_date_is_rejected(parts in personal_id_parts(), (y, m, d) in valid_date()) {
        let on = CalendarDate::new(y, m, d).unwrap();
        let text = id_text(parts);
        let expected_year = 1900 + 100 * u32::from(parts.1 / 2) + u32::from(parts.2);
        let result = PersonalId::parse_on(&text, on);
        prop_assert_eq!(result.is_ok(), expected_year <= y);
        if let Err(e) = result {
            prop_assert_eq!(e.code(), "implausible_birth_year");
        }
    }

    #[test]
    fn cmnd_round_trips(n in 0u32..=999_999_999, seps in separators(9)) {
        let text = format!("{n:09}");
        let c: Cmnd = with_separators(&text, &seps).parse().unwrap();
        prop_assert_eq!(c.to_string(), text.clone());
        let back: Cmnd = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        prop_assert_eq!(back, c);
        prop_assert_eq!(IdNumber::parse_on(&text, far_future()).unwrap().kind(), IdKind::Cmnd);
    }

    #[test]
    fn tax_code_round_trips(
        first in proptest::collection::vec(0u32..=9, 9),
        branch in proptest::option::of(1u32..=999),
        sep in proptest::option::of(separator()),
    ) {
        const W: [u32; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];
        let sum: u32 = first.iter().zip(W).map(|(d, w)| d * w).sum();
        let check = 10 - sum % 11;
        let digits: String = first.iter().map(|d| char::from(b'0' + *d as u8)).collect();
        let text = match branch {
            Some(b) => format!("{digits}{}-{b:03}", check % 10),
            None => format!("{digits}{}", check % 10),
        };
        let parsed = text.parse::<TaxCode>();
        // A check value of 10 cannot be written as one digit: never issued;
        // nor is a serial (digits 3-9) of zeros.
        let serial_zero = first[2..].iter().all(|&d| d == 0);
        prop_assert_eq!(parsed.is_ok(), check < 10 && !serial_zero);
        if let Ok(t) = parsed {
            prop_assert_eq!(t.to_string(), text.clone());
            prop_assert_eq!(t.branch(), branch.map(|b| b as u16));
            prop_assert_eq!(IdNumber::parse_on(&text, far_future()).unwrap().kind(), IdKind::TaxCode);
            // A branch code with any separator, or none, is the same code.
            if branch.is_some() {
                let typed = match sep {
                    Some(c) => text.replace('-', &c.to_string()),
                    None => text.replace('-', ""),
                };
                prop_assert_eq!(typed.parse::<TaxCode>().unwrap(), t);
                prop_assert_eq!(IdNumber::parse_on(&typed, far_future()).unwrap(), IdNumber::TaxCode(t));
            }
        }
    }

    #[test]
    fn passport_round_trips(letter in proptest::char::range('A', 'Z'), n in 0u32..=9_999_999, lower in any::<bool>()) {
        let text = format!("{letter}{n:07}");
        let typed = if lower { text.to_lowercase() } else { text.clone() };
        let p: Passport = typed.parse().unwrap();
        prop_assert_eq!(p.to_string(), text);
        prop_assert_eq!(IdNumber::parse_on(&typed, far_future()).unwrap().kind(), IdKind::Passport);
    }

    #[test]
    fn birth_date_layouts_round_trip((y, m, d) in valid_date(), precision in 0u8..3) {
        let date = match precision {
            0 => BirthDate::year_only(y).unwrap(),
            1 => BirthDate::month_and_year(y, m).unwrap(),
            _ => BirthDate::from_parts(y, m, d).unwrap(),
        };
        let shown = date.to_string();
        prop_assert_eq!(shown.parse::<BirthDate>().unwrap(), date);
        let layouts = match date.precision() {
            Precision::Day => vec![
                format!("{d}/{m}/{y}"), format!("{y}-{m:02}-{d:02}"), format!("{y}{m:02}{d:02}"),
                format!("{d:02}.{m:02}.{y}"),
            ],
            Precision::Month => vec![format!("{m}/{y}"), format!("00/{m:02}/{y}"), format!("{y}{m:02}00")],
            Precision::Year => vec![format!("{y}"), format!("00/00/{y}"), format!("{y}0000")],
        };
        for l in layouts {
            prop_assert_eq!(l.parse::<BirthDate>().unwrap(), date, "{}", l);
        }
        let json = serde_json::to_string(&date).unwrap();
        prop_assert_eq!(serde_json::from_str::<BirthDate>(&json).unwrap(), date);
        // A date always agrees exactly with itself and with its own year.
        prop_assert_eq!(date.agreement(&date), dancu_core::DateAgreement::Exact);
        prop_assert!(date.agreement(&BirthDate::year_only(y).unwrap()).is_compatible());
        prop_assert!(!date.agreement(&BirthDate::year_only(y + 1).unwrap()).is_compatible());
    }

    #[test]
    fn names_normalise_idempotently(words in name_words(), gaps in proptest::collection::vec(" {1,3}|\u{a0}", 6)) {
        let mut typed = String::from(" ");
        for (i, w) in words.iter().enumerate() {
            if i > 0 {
                typed.push_str(&gaps[i % gaps.len()]);
            }
            typed.push_str(w);
        }
        typed.push_str("  ");
        let name: FullName = typed.parse().unwrap();
        let canonical = words.join(" ").replace('\u{00D0}', "Đ").nfc().collect::<String>();
        prop_assert_eq!(name.as_str(), canonical.as_str());
        prop_assert_eq!(name.to_string().parse::<FullName>().unwrap(), name.clone());
        // NFD input is the same name.
        let nfd: String = typed.nfd().collect();
        prop_assert_eq!(nfd.parse::<FullName>().unwrap().agreement(&name), NameAgreement::Identical);
        // Upper case and the other tone placement agree at the second level.
        let moved: Vec<String> = words.iter().map(|w| other_tone_placement(w)).collect();
        let moved: FullName = moved.join(" ").to_uppercase().parse().unwrap();
        prop_assert!(name.agreement(&moved) <= NameAgreement::CaseAndTonePlacement);
        prop_assert_eq!(moved.folded_key(), name.folded_key());
        prop_assert!(name.folded_key().is_ascii());
        let json = serde_json::to_string(&name).unwrap();
        prop_assert_eq!(serde_json::from_str::<FullName>(&json).unwrap(), name);
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC*|[0-9 .\\-]{0,40}|.{0,400}") {
        let on = far_future();
        let _ = PersonalId::parse_on(&s, on);
        let _ = IdNumber::parse_on(&s, on);
        let _ = s.parse::<Cmnd>();
        let _ = s.parse::<Passport>();
        let _ = s.parse::<TaxCode>();
        let _ = s.parse::<BirthDate>();
        let _ = s.parse::<CalendarDate>();
        let _ = s.parse::<GenderCode>();
        if let Ok(n) = s.parse::<FullName>() {
            // Normalisation is idempotent on whatever it accepts.
            prop_assert_eq!(n.as_str().parse::<FullName>().unwrap(), n.clone());
            let _ = (n.folded_key(), n.tone_insensitive_key(), n.to_wire_upper());
        }
        if let Ok(b) = s.parse::<BirthDate>() {
            prop_assert_eq!(b.to_string().parse::<BirthDate>().unwrap(), b);
        }
        if let Ok(id) = IdNumber::parse_on(&s, on) {
            prop_assert_eq!(IdNumber::parse_on(&id.to_string(), on).unwrap(), id);
        }
    }
}

#[test]
fn huge_inputs_are_rejected_without_panicking() {
    let on = far_future();
    let digits = "1".repeat(1 << 20);
    assert_eq!(
        IdNumber::parse_on(&digits, on).unwrap_err().code(),
        "wrong_length"
    );
    assert_eq!(
        PersonalId::parse_on(&digits, on).unwrap_err().code(),
        "wrong_length"
    );
    let letters = "ă".repeat(1 << 20);
    assert!(letters.parse::<FullName>().is_err());
    assert!(letters.parse::<BirthDate>().is_err());
}

#[test]
fn serde_rejects_invalid_values() {
    assert!(serde_json::from_str::<PersonalId>("\"000089000001\"").is_err());
    assert!(serde_json::from_str::<PersonalId>("6089000001").is_err());
    assert!(serde_json::from_str::<Cmnd>("\"12345\"").is_err());
    assert!(serde_json::from_str::<TaxCode>("\"0100109107\"").is_err());
    assert!(serde_json::from_str::<BirthDate>("\"31/02/1989\"").is_err());
    assert!(serde_json::from_str::<FullName>("\"Nguyễn 3\"").is_err());
    assert!(serde_json::from_str::<IdNumber>("\"\"").is_err());
    assert!(serde_json::from_str::<Gender>("\"x\"").is_err());
    assert!(serde_json::from_str::<CalendarDate>("\"2025-02-30\"").is_err());
}

#[test]
fn registration_covers_exactly_the_documented_codes() {
    let provinces = ProvinceRegistration::all();
    assert_eq!(provinces.len(), 63);
    let valid: usize = (0..1000u16)
        .filter(|&c| Registration::from_code(c).is_some())
        .count();
    assert_eq!(valid, 63 + 195);
}

#[test]
fn types_are_thread_safe() {
    fn check<T: Send + Sync + 'static>() {}
    check::<PersonalId>();
    check::<IdNumber>();
    check::<dancu_core::IdNumberError>();
    check::<FullName>();
    check::<dancu_core::NameError>();
    check::<BirthDate>();
    check::<dancu_core::BirthDateError>();
}

/// Inputs shaped like every kind of number, and anything at all.
fn any_id_input() -> impl Strategy<Value = String> {
    prop_oneof![
        personal_id_parts().prop_map(id_text),
        "[0-9]{9}",
        "[0-9]{10}(-[0-9]{3})?",
        "[A-Z][0-9]{7}",
        "[0-9 .\\-]{0,20}",
        any::<String>(),
    ]
}

proptest! {
    /// The batch writer of `id inspect --json` gives exactly the bytes the
    /// serde serialisation of the same report gives.
    #[test]
    fn id_report_fast_writer_equals_serde(input in any_id_input(), (y, m, d) in valid_date()) {
        // Reference dates on both sides of the CMND expiry (2024-12-31).
        let on = CalendarDate::new(y, m, d).unwrap();
        let parsed = IdNumber::parse_on(&input, on);
        let report = dancu_core::report::IdReport::new(&input, &parsed, on);
        let mut fast = Vec::new();
        report.write_json(&mut fast);
        prop_assert_eq!(String::from_utf8(fast).unwrap(), serde_json::to_string(&report).unwrap());
    }
}
