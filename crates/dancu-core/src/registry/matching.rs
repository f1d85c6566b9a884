//! Field-by-field comparison of what the officer typed with the record.

use std::fmt;

use serde::Serialize;

use super::query::{IdentityQuery, LookupKey};
use super::record::{CitizenRecord, RecordField};
use crate::{DateAgreement, NameAgreement, Precision};

/// How the ID typed agrees with the record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdAgreement {
    /// The personal ID typed is the record's.
    Same,
    /// The CMND typed is the record's old CMND.
    SameCmnd,
    /// They differ.
    Different,
}

/// How the gender implied by the personal ID agrees with the record's code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GenderAgreement {
    /// The ID's gender digit and the record agree.
    Agrees,
    /// They disagree.
    Differs,
    /// Nothing to compare: a CMND carries no gender, or the record's code
    /// is not one of the two known ones.
    NotComparable,
}

/// The officer's view of a verification: what agrees, field by field, and
/// which of the record's fields could not be decoded.
///
/// `Display` says it in English words, on one line; [`MatchReport::vi`] in
/// Vietnamese, as the intake screens show it. Both name the fields that
/// could not be decoded.
///
/// ```
/// use dancu_core::registry::{GenderAgreement, IdAgreement, MatchReport, Person, RecordField};
/// use dancu_core::{DateAgreement, NameAgreement, Precision};
///
/// let mut report = MatchReport {
///     id: IdAgreement::Same,
///     name: NameAgreement::Case,
///     birth_date: Some(DateAgreement::AtSharedPrecision(Precision::Year)),
///     gender: GenderAgreement::Agrees,
///     undecodable: Vec::new(),
/// };
/// assert_eq!(
///     report.to_string(),
///     "ID same · name differs only in letter case · birth date same year \
///      (all both dates give) · gender agrees with the ID — all agree"
/// );
/// assert_eq!(
///     report.vi().to_string(),
///     "số định danh trùng khớp · họ tên trùng khớp (khác chữ hoa) · ngày sinh \
///      khớp ở mức năm · giới tính phù hợp số định danh"
/// );
///
/// // A father's ID that could not be decoded is named, the rest still agrees.
/// report.undecodable.push(RecordField::PersonalId(Person::Father));
/// assert!(report.to_string().ends_with(
///     "· not decodable Cha/SoDinhDanh (kept as sent: CHECK IT) — all agree"
/// ));
/// assert!(report.vi().to_string().ends_with(
///     "· không đọc được Cha/SoDinhDanh (giữ nguyên giá trị gốc, cần xem lại)"
/// ));
///
/// // A record without a birth date that could be decoded: nothing to compare, never "all agree".
/// report.birth_date = None;
/// report.undecodable.push(RecordField::BirthDate);
/// let line = report.to_string();
/// assert!(line.contains("birth date NOT COMPARED (the record has none that could be read)"));
/// assert!(line.ends_with("not decodable Cha/SoDinhDanh, NgayThangNamSinh (kept as sent: CHECK IT) \
///     — CHECK THE DIFFERENCES"));
/// assert!(report.vi().to_string().contains("ngày sinh KHÔNG so sánh được"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MatchReport {
    /// The ID.
    pub id: IdAgreement,
    /// The name: identical, tone placement, folded or different.
    pub name: NameAgreement,
    /// The birth date at the precision both have; `None` when the record
    /// has no birth date that could be decoded (nothing to compare).
    pub birth_date: Option<DateAgreement>,
    /// The gender the personal ID implies vs the record.
    pub gender: GenderAgreement,
    /// The record's fields that came but could not be decoded
    /// ([`CitizenRecord::undecodable`]), in the answer's terms.
    pub undecodable: Vec<RecordField>,
}

impl MatchReport {
    /// Compares a query with the record it found.
    #[must_use]
    pub fn compare(query: &IdentityQuery, record: &CitizenRecord) -> Self {
        let id = match query.key() {
            LookupKey::PersonalId(p) if *p == record.personal_id => IdAgreement::Same,
            LookupKey::Cmnd(c) if record.cmnd.as_ref() == Some(c) => IdAgreement::SameCmnd,
            _ => IdAgreement::Different,
        };
        let gender = match (query.key(), record.gender_meaning()) {
            (LookupKey::PersonalId(p), Some(g)) if p.gender() == g => GenderAgreement::Agrees,
            (LookupKey::PersonalId(_), Some(_)) => GenderAgreement::Differs,
            _ => GenderAgreement::NotComparable,
        };
        Self {
            id,
            name: query.name().agreement(&record.name),
            birth_date: record
                .birth_date
                .as_ref()
                .map(|b| query.birth_date().agreement(b)),
            gender,
            undecodable: record.undecodable.iter().map(|u| u.field).collect(),
        }
    }

    /// Whether every field agrees (names may differ in case and tone
    /// placement; dates at the shared precision). A record without a
    /// decodable birth date never agrees: there is nothing to compare.
    #[must_use]
    pub fn all_agree(&self) -> bool {
        self.id != IdAgreement::Different
            && self.name <= NameAgreement::CaseAndTonePlacement
            && self.birth_date.is_some_and(|d| d.is_compatible())
            && self.gender != GenderAgreement::Differs
    }
}

impl MatchReport {
    /// The report in Vietnamese, on one line, as the intake screens show it
    /// ("số định danh trùng khớp · họ tên trùng khớp · …").
    #[must_use]
    pub const fn vi(&self) -> MatchReportVi<'_> {
        MatchReportVi(self)
    }
}

/// The Vietnamese words of a [`MatchReport`] ([`MatchReport::vi`]).
#[derive(Clone, Copy, Debug)]
pub struct MatchReportVi<'a>(&'a MatchReport);

/// Words in the two languages of a report: (English, Vietnamese).
type Words = (&'static str, &'static str);

const fn id_words(a: IdAgreement) -> Words {
    match a {
        IdAgreement::Same => ("same", "trùng khớp"),
        IdAgreement::SameCmnd => ("the record's former CMND", "trùng khớp (CMND cũ)"),
        IdAgreement::Different => ("DIFFERENT", "KHÁC"),
    }
}

const fn name_words(a: NameAgreement) -> Words {
    match a {
        NameAgreement::Identical => ("identical", "trùng khớp"),
        NameAgreement::Case => ("differs only in letter case", "trùng khớp (khác chữ hoa)"),
        NameAgreement::CaseAndTonePlacement => (
            "differs only in letter case or tone-mark placement",
            "trùng khớp (khác chữ hoa/vị trí dấu)",
        ),
        NameAgreement::FoldedOnly => (
            "same only without diacritics: CHECK IT",
            "chỉ khớp khi bỏ dấu — cần xem lại",
        ),
        NameAgreement::Different => ("DIFFERENT", "KHÁC"),
    }
}

/// A birth date at the shared precision (one of the two dates may have
/// only the year, or the month and year); `None`: the record had none that
/// could be decoded.
const fn birth_words(a: Option<DateAgreement>) -> Words {
    match a {
        Some(DateAgreement::Exact) => ("same", "trùng khớp"),
        Some(DateAgreement::AtSharedPrecision(Precision::Year)) => {
            ("same year (all both dates give)", "khớp ở mức năm")
        }
        Some(DateAgreement::AtSharedPrecision(Precision::Month)) => (
            "same month and year (all both dates give)",
            "khớp ở mức tháng",
        ),
        Some(DateAgreement::AtSharedPrecision(Precision::Day)) => ("same day", "khớp ở mức ngày"),
        Some(DateAgreement::Different) => ("DIFFERENT", "KHÁC"),
        None => (
            "NOT COMPARED (the record has none that could be read)",
            "KHÔNG so sánh được (hồ sơ không có ngày sinh đọc được)",
        ),
    }
}

const fn gender_words(a: GenderAgreement) -> Words {
    match a {
        GenderAgreement::Agrees => ("agrees with the ID", "phù hợp số định danh"),
        GenderAgreement::Differs => ("DIFFERS from the ID", "KHÔNG phù hợp số định danh"),
        GenderAgreement::NotComparable => (
            "not compared (no gender in the number or record)",
            "không so sánh được",
        ),
    }
}

impl MatchReport {
    /// The report on one line, in English (`en`) or Vietnamese; the
    /// English line ends with the verdict.
    fn write_line(&self, f: &mut fmt::Formatter<'_>, en: bool) -> fmt::Result {
        let say = |w: Words| if en { w.0 } else { w.1 };
        let labels = if en {
            ["ID", "name", "birth date", "gender"]
        } else {
            ["số định danh", "họ tên", "ngày sinh", "giới tính"]
        };
        let fields = [
            id_words(self.id),
            name_words(self.name),
            birth_words(self.birth_date),
            gender_words(self.gender),
        ];
        for (i, (label, words)) in labels.into_iter().zip(fields).enumerate() {
            let sep = if i == 0 { "" } else { " · " };
            write!(f, "{sep}{label} {}", say(words))?;
        }
        if !self.undecodable.is_empty() {
            write!(f, " · {} ", say(("not decodable", "không đọc được")))?;
            for (i, field) in self.undecodable.iter().enumerate() {
                let sep = if i == 0 { "" } else { ", " };
                write!(f, "{sep}{}", field.path())?;
            }
            let kept = (
                "(kept as sent: CHECK IT)",
                "(giữ nguyên giá trị gốc, cần xem lại)",
            );
            write!(f, " {}", say(kept))?;
        }
        if en {
            let verdict = if self.all_agree() {
                "all agree"
            } else {
                "CHECK THE DIFFERENCES"
            };
            write!(f, " — {verdict}")?;
        }
        Ok(())
    }
}

impl fmt::Display for MatchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_line(f, true)
    }
}

impl fmt::Display for MatchReportVi<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.write_line(f, false)
    }
}

impl Serialize for MatchReport {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let (date, precision) = match self.birth_date {
            Some(DateAgreement::Exact) => ("exact", None),
            Some(DateAgreement::AtSharedPrecision(p)) => ("shared_precision", Some(p)),
            Some(DateAgreement::Different) => ("different", None),
            None => ("not_comparable", None),
        };
        let mut st = s.serialize_struct("MatchReport", 7)?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("name", self.name.as_str())?;
        st.serialize_field("birth_date", date)?;
        st.serialize_field("birth_date_precision", &precision.map(Precision::as_str))?;
        st.serialize_field("gender", &self.gender)?;
        st.serialize_field("all_agree", &self.all_agree())?;
        st.serialize_field("undecodable", &self.undecodable)?;
        st.end()
    }
}
