//! Field-by-field comparison of what the officer typed with the record.

use std::fmt;

use serde::Serialize;

use super::query::{IdentityQuery, LookupKey};
use super::record::CitizenRecord;
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

/// The officer's view of a verification: what agrees, field by field.
///
/// `Display` says it in English words, on one line; [`MatchReport::vi`] in
/// Vietnamese, as the intake screens show it.
///
/// ```
/// use dancu_core::registry::{GenderAgreement, IdAgreement, MatchReport};
/// use dancu_core::{DateAgreement, NameAgreement, Precision};
///
/// let report = MatchReport {
///     id: IdAgreement::Same,
///     name: NameAgreement::Case,
///     birth_date: DateAgreement::AtSharedPrecision(Precision::Year),
///     gender: GenderAgreement::Agrees,
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
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MatchReport {
    /// The ID.
    pub id: IdAgreement,
    /// The name: identical, tone placement, folded or different.
    pub name: NameAgreement,
    /// The birth date at the precision both have.
    pub birth_date: DateAgreement,
    /// The gender the personal ID implies vs the record.
    pub gender: GenderAgreement,
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
        let gender = match (query.key(), record.gender.gender()) {
            (LookupKey::PersonalId(p), Some(g)) if p.gender() == g => GenderAgreement::Agrees,
            (LookupKey::PersonalId(_), Some(_)) => GenderAgreement::Differs,
            _ => GenderAgreement::NotComparable,
        };
        Self {
            id,
            name: query.name().agreement(&record.name),
            birth_date: query.birth_date().agreement(&record.birth_date),
            gender,
        }
    }

    /// Whether every field agrees (names may differ in case and tone
    /// placement; dates at the shared precision).
    #[must_use]
    pub fn all_agree(&self) -> bool {
        self.id != IdAgreement::Different
            && self.name <= NameAgreement::CaseAndTonePlacement
            && self.birth_date.is_compatible()
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

/// How a birth date agreed at the shared precision, in words (one of the
/// two dates has only the year, or the month and year).
const fn shared_precision_en(p: Precision) -> &'static str {
    match p {
        Precision::Year => "same year (all both dates give)",
        Precision::Month => "same month and year (all both dates give)",
        Precision::Day => "same day",
    }
}

impl fmt::Display for MatchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = match self.id {
            IdAgreement::Same => "same",
            IdAgreement::SameCmnd => "the record's former CMND",
            IdAgreement::Different => "DIFFERENT",
        };
        let name = match self.name {
            NameAgreement::Identical => "identical",
            NameAgreement::Case => "differs only in letter case",
            NameAgreement::CaseAndTonePlacement => {
                "differs only in letter case or tone-mark placement"
            }
            NameAgreement::FoldedOnly => "same only without diacritics: CHECK IT",
            NameAgreement::Different => "DIFFERENT",
        };
        let birth = match self.birth_date {
            DateAgreement::Exact => "same",
            DateAgreement::AtSharedPrecision(p) => shared_precision_en(p),
            DateAgreement::Different => "DIFFERENT",
        };
        let gender = match self.gender {
            GenderAgreement::Agrees => "agrees with the ID",
            GenderAgreement::Differs => "DIFFERS from the ID",
            GenderAgreement::NotComparable => "not compared (no gender in the number or record)",
        };
        let verdict = if self.all_agree() {
            "all agree"
        } else {
            "CHECK THE DIFFERENCES"
        };
        write!(
            f,
            "ID {id} · name {name} · birth date {birth} · gender {gender} — {verdict}"
        )
    }
}

impl fmt::Display for MatchReportVi<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self.0;
        let id = match r.id {
            IdAgreement::Same => "trùng khớp",
            IdAgreement::SameCmnd => "trùng khớp (CMND cũ)",
            IdAgreement::Different => "KHÁC",
        };
        let name = match r.name {
            NameAgreement::Identical => "trùng khớp",
            NameAgreement::Case => "trùng khớp (khác chữ hoa)",
            NameAgreement::CaseAndTonePlacement => "trùng khớp (khác chữ hoa/vị trí dấu)",
            NameAgreement::FoldedOnly => "chỉ khớp khi bỏ dấu — cần xem lại",
            NameAgreement::Different => "KHÁC",
        };
        let birth = match r.birth_date {
            DateAgreement::Exact => "trùng khớp",
            DateAgreement::AtSharedPrecision(Precision::Year) => "khớp ở mức năm",
            DateAgreement::AtSharedPrecision(Precision::Month) => "khớp ở mức tháng",
            DateAgreement::AtSharedPrecision(Precision::Day) => "khớp ở mức ngày",
            DateAgreement::Different => "KHÁC",
        };
        let gender = match r.gender {
            GenderAgreement::Agrees => "phù hợp số định danh",
            GenderAgreement::Differs => "KHÔNG phù hợp số định danh",
            GenderAgreement::NotComparable => "không so sánh được",
        };
        write!(
            f,
            "số định danh {id} · họ tên {name} · ngày sinh {birth} · giới tính {gender}"
        )
    }
}

impl Serialize for MatchReport {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let (date, precision) = match self.birth_date {
            DateAgreement::Exact => ("exact", None),
            DateAgreement::AtSharedPrecision(p) => ("shared_precision", Some(p)),
            DateAgreement::Different => ("different", None),
        };
        let mut st = s.serialize_struct("MatchReport", 6)?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("name", self.name.as_str())?;
        st.serialize_field("birth_date", date)?;
        st.serialize_field("birth_date_precision", &precision.map(Precision::as_str))?;
        st.serialize_field("gender", &self.gender)?;
        st.serialize_field("all_agree", &self.all_agree())?;
        st.end()
    }
}
