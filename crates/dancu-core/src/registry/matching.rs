//! Field-by-field comparison of what the officer typed with the record.

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
