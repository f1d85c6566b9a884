//! Masked forms of identity numbers: safe to log, show or store.

use std::collections::BTreeMap;
use std::fmt;

/// An identity number with all but its last four characters hidden
/// (`********0001`). This is the only form of a subject's number that may
/// reach logs, errors or the audit trail.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Masked(String);

impl Masked {
    /// Masks `value`, keeping its last four characters (none when it is
    /// shorter than eight).
    #[must_use]
    pub fn new(value: &str) -> Self {
        let n = value.chars().count();
        // Short values (not a real ID) are hidden entirely.
        let hidden = if n >= 8 { n.saturating_sub(4) } else { n };
        let mut s = String::with_capacity(n);
        for (i, c) in value.chars().enumerate() {
            s.push(if i >= hidden { c } else { '*' });
        }
        Self(s)
    }

    /// The masked text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Masked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Masked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for Masked {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// Free text that may hold personal data — a typed name, an address, a
/// form value — in a `Debug` form that shows only whether it is empty and
/// how long it is (`<hidden: 24 chars>`). For hand-written `Debug` impls of
/// types that keep such text as a `String`.
#[derive(Clone, Copy)]
pub struct Redacted<'a>(pub &'a str);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("\"\"")
        } else {
            write!(f, "<hidden: {} chars>", self.0.chars().count())
        }
    }
}

/// A form (field name → value) in a `Debug` form that shows the field
/// names and hides the values, as [`Redacted`] does.
#[derive(Clone, Copy)]
pub struct RedactedForm<'a>(pub &'a BTreeMap<String, String>);

impl fmt::Debug for RedactedForm<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, v)| (k, Redacted(v))))
            .finish()
    }
}

/// Masks the numbers in free text that may be personal data — a gateway's
/// fault text, an officer's purpose — keeping everything else:
///
/// - an ID number, phone or other number of 9 or more digits, whole or in
///   the groups people write (`067 157 167 034`, `067-157-167-034`,
///   `067.157.167.034`), keeps only its last 4 digits (`*** *** **7 034`);
/// - a date (`19570927`, `27/09/1957`, `27-9-1957`, `1957.09.27`) is
///   masked whole (`**/**/****`).
///
/// Separators are kept, so the text stays readable; shorter numbers (an
/// error code, a procedure code such as `1.001776`) are left as they are.
#[must_use]
#[allow(
    clippy::arithmetic_side_effects,
    reason = "`i` only steps by one while `i < b.len()` (or `i + 1 < b.len()`), so it stays \
              <= b.len(); the digit counts are at most b.len(), and `seen <= digits`"
)]
pub fn mask_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        // A group: digit runs joined by single separators.
        let start = i;
        let mut parts: Vec<usize> = Vec::new();
        loop {
            let run = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            parts.push(i - run);
            if i + 1 < b.len()
                && matches!(b[i], b' ' | b'-' | b'.' | b'/')
                && b[i + 1].is_ascii_digit()
            {
                i += 1;
            } else {
                break;
            }
        }
        let digits: usize = parts.iter().sum();
        let date = match parts.as_slice() {
            [8] => compact_date(&b[start..i]),
            [1 | 2, 1 | 2, 4] | [4, 1 | 2, 1 | 2] => true,
            _ => false,
        };
        let keep = if digits >= 9 {
            4
        } else if date {
            0
        } else {
            continue;
        };
        out.push_str(&text[copied..start]);
        let mut seen = 0;
        for &c in &b[start..i] {
            if c.is_ascii_digit() {
                seen += 1;
                out.push(if seen + keep > digits {
                    char::from(c)
                } else {
                    '*'
                });
            } else {
                out.push(char::from(c));
            }
        }
        copied = i;
    }
    out.push_str(&text[copied..]);
    out
}

/// Whether 8 digits read as a date, `YYYYMMDD` or `DDMMYYYY`, of a year
/// from 1900 to 2099.
fn compact_date(d: &[u8]) -> bool {
    let n = |r: std::ops::Range<usize>| crate::date::parse_digits(&d[r]).unwrap_or(0);
    let day_month = |day: u32, month: u32| (1..=31).contains(&day) && (1..=12).contains(&month);
    let year = |y: u32| (1900..=2099).contains(&y);
    (year(n(0..4)) && day_month(n(6..8), n(4..6))) || (year(n(4..8)) && day_month(n(0..2), n(2..4)))
}

/// Masks every occurrence of `phrase` in `text` (letter case aside, e.g. a
/// citizen's name echoed in capitals) with `***`. An empty phrase masks
/// nothing.
#[must_use]
#[allow(
    clippy::arithmetic_side_effects,
    reason = "`k + needle.len() <= hay.len()` holds in the loop (both are lengths of vectors \
              in memory), so every index sum and `k - 1` (k > 0) is in range"
)]
pub fn mask_phrase(text: &str, phrase: &str) -> String {
    let needle: Vec<char> = phrase.chars().flat_map(char::to_lowercase).collect();
    if needle.is_empty() {
        return text.to_owned();
    }
    // Each character of the text, lower-cased, with the byte offset of the
    // character it came from.
    let hay: Vec<(usize, char)> = text
        .char_indices()
        .flat_map(|(at, c)| c.to_lowercase().map(move |l| (at, l)))
        .collect();
    let mut out = String::with_capacity(text.len());
    let (mut k, mut copied) = (0, 0);
    while k + needle.len() <= hay.len() {
        let window = &hay[k..k + needle.len()];
        let starts_char = k == 0 || hay[k - 1].0 != hay[k].0;
        let end = hay.get(k + needle.len()).map_or(text.len(), |&(at, _)| at);
        let ends_char = end > window[needle.len() - 1].0;
        if starts_char && ends_char && window.iter().map(|&(_, c)| c).eq(needle.iter().copied()) {
            out.push_str(&text[copied..hay[k].0]);
            out.push_str("***");
            copied = end;
            k += needle.len();
        } else {
            k += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::{Masked, mask_numbers, mask_phrase};

    #[test]
    fn numbers_in_free_text_are_masked_in_every_form_people_write() {
        for (text, masked) in [
            ("ID 067157167034 không khớp", "ID ********7034 không khớp"),
            (
                "ID 067 157 167 034 không khớp",
                "ID *** *** **7 034 không khớp",
            ),
            ("số 067-157-167-034.", "số ***-***-**7-034."),
            ("CMND 095.123.456", "CMND ***.**3.456"),
            ("ngày sinh 19570927", "ngày sinh ********"),
            ("sinh 27/09/1957, nữ", "sinh **/**/****, nữ"),
            ("sinh 7-9-1957", "sinh *-*-****"),
            ("1957.09.27", "****.**.**"),
            ("ĐT 0912 345 678", "ĐT **** **5 678"),
        ] {
            assert_eq!(mask_numbers(text), masked, "{text}");
        }
        for kept in [
            "Mã lỗi 500: thủ tục 1.001776",
            "lúc 10:30, lần 3",
            "năm 2025",
            "mã 12345678",
            "",
            "Đắk Lắk",
        ] {
            assert_eq!(mask_numbers(kept), kept);
        }
    }

    #[test]
    fn a_phrase_is_masked_whatever_its_case() {
        assert_eq!(
            mask_phrase("Công dân NGUYỄN VĂN AN không tồn tại", "Nguyễn Văn An"),
            "Công dân *** không tồn tại"
        );
        assert_eq!(
            mask_phrase("mã 123456 sai; 123456", "123456"),
            "mã *** sai; ***"
        );
        assert_eq!(mask_phrase("Đặng Thị Bé", ""), "Đặng Thị Bé");
        assert_eq!(mask_phrase("Đặng", "Nguyễn Văn An"), "Đặng");
    }

    #[test]
    fn keeps_last_four() {
        assert_eq!(Masked::new("006089000001").as_str(), "********0001");
        assert_eq!(Masked::new("095123456").as_str(), "*****3456");
        // Short values never show in full.
        assert_eq!(Masked::new("1234").as_str(), "****");
        assert_eq!(Masked::new("12345").as_str(), "*****");
    }

    #[test]
    fn redacted_text_and_forms_show_lengths_and_keys_only() {
        use super::{Redacted, RedactedForm};
        assert_eq!(
            format!("{:?}", Redacted("Nguyễn Thị Hoà")),
            "<hidden: 14 chars>"
        );
        assert_eq!(format!("{:?}", Redacted("")), "\"\"");
        let form = [("ngay_sinh".to_owned(), "10/03/1964".to_owned())]
            .into_iter()
            .collect();
        assert_eq!(
            format!("{:?}", RedactedForm(&form)),
            "{\"ngay_sinh\": <hidden: 10 chars>}"
        );
    }
}
