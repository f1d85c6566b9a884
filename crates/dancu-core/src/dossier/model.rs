//! The dossier: status, channel, owner and submitter, and where each owner
//! field came from.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::codes::{DossierCode, ProcedureCode};
use crate::registry::{CitizenRecord, MatchReport, RecordAddress, RequestId};
use crate::{BirthDate, CalendarDate, FullName, Gender, IdNumber, Masked, Redacted, RedactedForm};

/// National portal status codes (1–10).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum DossierStatus {
    /// 1 Mới đăng ký.
    NewlyRegistered,
    /// 2 Được tiếp nhận.
    Received,
    /// 3 Không được tiếp nhận.
    NotReceived,
    /// 4 Đang xử lý.
    Processing,
    /// 5 Yêu cầu bổ sung giấy tờ.
    SupplementRequested,
    /// 6 Yêu cầu thực hiện nghĩa vụ tài chính.
    FinancialObligation,
    /// 7 Công dân yêu cầu rút hồ sơ.
    WithdrawalRequested,
    /// 8 Dừng xử lý.
    Stopped,
    /// 9 Đã xử lý xong.
    Processed,
    /// 10 Đã trả kết quả.
    ResultReturned,
}

const STATUSES: [(DossierStatus, &str); 10] = [
    (DossierStatus::NewlyRegistered, "Mới đăng ký"),
    (DossierStatus::Received, "Được tiếp nhận"),
    (DossierStatus::NotReceived, "Không được tiếp nhận"),
    (DossierStatus::Processing, "Đang xử lý"),
    (
        DossierStatus::SupplementRequested,
        "Yêu cầu bổ sung giấy tờ",
    ),
    (
        DossierStatus::FinancialObligation,
        "Yêu cầu thực hiện nghĩa vụ tài chính",
    ),
    (
        DossierStatus::WithdrawalRequested,
        "Công dân yêu cầu rút hồ sơ",
    ),
    (DossierStatus::Stopped, "Dừng xử lý"),
    (DossierStatus::Processed, "Đã xử lý xong"),
    (DossierStatus::ResultReturned, "Đã trả kết quả"),
];

/// A status transition that intake does not allow.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a dossier cannot go from status {from} to status {to} at intake")]
pub struct TransitionError {
    /// The current status code.
    pub from: u8,
    /// The requested status code.
    pub to: u8,
}

impl DossierStatus {
    /// The national code (1–10).
    #[must_use]
    pub fn code(self) -> u8 {
        STATUSES
            .iter()
            .zip(1u8..)
            .find_map(|((s, _), code)| (*s == self).then_some(code))
            .unwrap_or(0)
    }

    /// The status with a national code.
    #[must_use]
    pub fn from_code(code: u8) -> Option<Self> {
        STATUSES
            .get(usize::from(code).checked_sub(1)?)
            .map(|(s, _)| *s)
    }

    /// The Vietnamese label.
    #[must_use]
    pub fn label_vi(self) -> &'static str {
        STATUSES
            .iter()
            .find(|(s, _)| *s == self)
            .map_or("", |(_, l)| l)
    }

    /// Whether intake may move a dossier from `self` to `next`: an online
    /// dossier (1) is accepted (2) or refused (3); nothing else changes at
    /// intake.
    #[must_use]
    pub fn intake_allows(self, next: Self) -> bool {
        matches!(
            (self, next),
            (Self::NewlyRegistered, Self::Received | Self::NotReceived)
        )
    }

    /// Moves to `next` if intake allows it.
    ///
    /// # Errors
    ///
    /// [`TransitionError`] otherwise.
    pub fn transition(self, next: Self) -> Result<Self, TransitionError> {
        if self.intake_allows(next) {
            Ok(next)
        } else {
            Err(TransitionError {
                from: self.code(),
                to: next.code(),
            })
        }
    }
}

impl fmt::Display for DossierStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code(), self.label_vi())
    }
}

impl Serialize for DossierStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.code())
    }
}

impl<'de> Deserialize<'de> for DossierStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = u8::deserialize(d)?;
        Self::from_code(code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown dossier status {code}")))
    }
}

/// How a dossier was submitted (kênh nộp).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    /// 1 Trực tiếp: at the counter.
    Direct,
    /// 2 Trực tuyến: online.
    Online,
    /// 3 Bưu chính công ích: by public post.
    PublicPost,
}

impl Channel {
    /// The national code (1–3).
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            Self::Direct => 1,
            Self::Online => 2,
            Self::PublicPost => 3,
        }
    }

    /// The channel with a national code.
    #[must_use]
    pub const fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::Direct),
            2 => Some(Self::Online),
            3 => Some(Self::PublicPost),
            _ => None,
        }
    }
}

impl Serialize for Channel {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.code())
    }
}

impl<'de> Deserialize<'de> for Channel {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = u8::deserialize(d)?;
        Self::from_code(code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown channel {code}")))
    }
}

/// Who owns a dossier (chủ hồ sơ).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnerType {
    /// Công dân: the ID is a personal ID, CMND or passport.
    Citizen,
    /// Doanh nghiệp: the ID is a tax code.
    Enterprise,
    /// Cơ quan nhà nước.
    StateAgency,
    /// Tổ chức.
    Organisation,
    /// Khác.
    Other,
}

impl OwnerType {
    /// The Vietnamese label.
    #[must_use]
    pub const fn label_vi(self) -> &'static str {
        match self {
            Self::Citizen => "Công dân",
            Self::Enterprise => "Doanh nghiệp",
            Self::StateAgency => "Cơ quan nhà nước",
            Self::Organisation => "Tổ chức",
            Self::Other => "Khác",
        }
    }

    /// Whether the owner is looked up in the population database (citizens).
    #[must_use]
    pub const fn is_person(self) -> bool {
        matches!(self, Self::Citizen)
    }
}

/// Where an owner field's value came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum Provenance {
    /// The officer (or the citizen online) typed it.
    Typed,
    /// It came from the population database.
    PopulationDb {
        /// The lookup's request id.
        request_id: RequestId,
        /// The data's as-of time.
        as_of: Option<String>,
    },
    /// It came from the population database, then the officer changed it.
    EditedAfterVerification {
        /// The lookup's request id.
        request_id: RequestId,
    },
}

/// A value with its provenance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field<T> {
    /// The value.
    pub value: T,
    /// Where it came from.
    pub provenance: Provenance,
}

impl<T> Field<T> {
    /// A value the officer typed.
    pub const fn typed(value: T) -> Self {
        Self {
            value,
            provenance: Provenance::Typed,
        }
    }
}

/// A phone number: 10 to 13 digits (a leading `+` and separators allowed).
/// `Debug` shows only the last four digits.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", Masked::new(&self.0))
    }
}

/// An e-mail address (checked for shape only). `Debug` shows only the
/// domain.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let domain = self.0.rsplit_once('@').map_or("", |(_, d)| d);
        write!(f, "Email(***@{domain})")
    }
}

/// Why a contact value was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContactError {
    /// Not 10–13 digits.
    #[error("a phone number has 10 to 13 digits")]
    Phone,
    /// Not an e-mail address.
    #[error("not an e-mail address")]
    Email,
}

impl FromStr for PhoneNumber {
    type Err = ContactError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let body = s.strip_prefix('+').unwrap_or(s);
        let mut digits = String::with_capacity(body.len());
        for c in body.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '.' | '-' => {}
                _ => return Err(ContactError::Phone),
            }
        }
        if !(10..=13).contains(&digits.len()) {
            return Err(ContactError::Phone);
        }
        Ok(Self(if s.starts_with('+') {
            format!("+{digits}")
        } else {
            digits
        }))
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

crate::serde_via_str!(PhoneNumber, "a phone number");

impl FromStr for Email {
    type Err = ContactError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let ok = s.len() <= 254
            && s.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !s.chars().any(|c| c.is_whitespace() || c.is_control())
                    && !domain.contains('@')
            });
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(ContactError::Email)
        }
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

crate::serde_via_str!(Email, "an e-mail address");

/// An address in a dossier: the free-text detail plus, when it came from
/// the population database, the coded units of both eras. `Debug` hides
/// the text (it holds the house number and hamlet) and shows the units.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierAddress {
    /// The whole address as text ("Thôn Nà Pài, Xã Phong Quang, Tỉnh Thái Nguyên").
    pub text: String,
    /// The coded units, when known.
    pub units: Option<RecordAddress>,
}

impl fmt::Debug for DossierAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DossierAddress")
            .field("text", &Redacted(&self.text))
            .field("units", &self.units)
            .finish()
    }
}

/// A verified field was about to change.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OwnerError {
    /// ID, name, birth date and owner type are locked once a verification
    /// was accepted.
    #[error("{0} was verified against the population database and cannot be changed")]
    Locked(&'static str),
    /// The record does not belong to this owner's ID.
    #[error("the verified record is for another ID number")]
    WrongRecord,
}

/// The owner of a dossier (chủ hồ sơ), field by field with provenance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    owner_type: Field<OwnerType>,
    id: Field<IdNumber>,
    name: Field<FullName>,
    birth_date: Option<Field<BirthDate>>,
    gender: Option<Field<Gender>>,
    address: Option<Field<DossierAddress>>,
    phone: Option<Field<PhoneNumber>>,
    email: Option<Field<Email>>,
    locked: bool,
}

impl Owner {
    /// An owner as typed.
    #[must_use]
    pub fn typed(owner_type: OwnerType, id: IdNumber, name: FullName) -> Self {
        Self {
            owner_type: Field::typed(owner_type),
            id: Field::typed(id),
            name: Field::typed(name),
            birth_date: None,
            gender: None,
            address: None,
            phone: None,
            email: None,
            locked: false,
        }
    }

    /// The owner type.
    #[must_use]
    pub const fn owner_type(&self) -> &Field<OwnerType> {
        &self.owner_type
    }

    /// The ID number.
    #[must_use]
    pub const fn id(&self) -> &Field<IdNumber> {
        &self.id
    }

    /// The name.
    #[must_use]
    pub const fn name(&self) -> &Field<FullName> {
        &self.name
    }

    /// The birth date.
    #[must_use]
    pub const fn birth_date(&self) -> Option<&Field<BirthDate>> {
        self.birth_date.as_ref()
    }

    /// The gender.
    #[must_use]
    pub const fn gender(&self) -> Option<&Field<Gender>> {
        self.gender.as_ref()
    }

    /// The address.
    #[must_use]
    pub const fn address(&self) -> Option<&Field<DossierAddress>> {
        self.address.as_ref()
    }

    /// The phone number.
    #[must_use]
    pub const fn phone(&self) -> Option<&Field<PhoneNumber>> {
        self.phone.as_ref()
    }

    /// The e-mail address.
    #[must_use]
    pub const fn email(&self) -> Option<&Field<Email>> {
        self.email.as_ref()
    }

    /// Whether the identity fields are locked by an accepted verification.
    #[must_use]
    pub const fn is_locked(&self) -> bool {
        self.locked
    }

    fn guard(&self, what: &'static str) -> Result<(), OwnerError> {
        if self.locked {
            Err(OwnerError::Locked(what))
        } else {
            Ok(())
        }
    }

    /// Changes the owner type.
    ///
    /// # Errors
    ///
    /// [`OwnerError::Locked`] after verification.
    pub fn set_owner_type(&mut self, t: OwnerType) -> Result<(), OwnerError> {
        self.guard("the owner type")?;
        self.owner_type = Field::typed(t);
        Ok(())
    }

    /// Changes the ID number.
    ///
    /// # Errors
    ///
    /// [`OwnerError::Locked`] after verification.
    pub fn set_id(&mut self, id: IdNumber) -> Result<(), OwnerError> {
        self.guard("the ID number")?;
        self.id = Field::typed(id);
        Ok(())
    }

    /// Changes the name.
    ///
    /// # Errors
    ///
    /// [`OwnerError::Locked`] after verification.
    pub fn set_name(&mut self, name: FullName) -> Result<(), OwnerError> {
        self.guard("the name")?;
        self.name = Field::typed(name);
        Ok(())
    }

    /// Sets the birth date.
    ///
    /// # Errors
    ///
    /// [`OwnerError::Locked`] after verification.
    pub fn set_birth_date(&mut self, date: BirthDate) -> Result<(), OwnerError> {
        self.guard("the birth date")?;
        self.birth_date = Some(Field::typed(date));
        Ok(())
    }

    /// Sets the phone number (always editable).
    pub fn set_phone(&mut self, phone: PhoneNumber) {
        self.phone = Some(Field::typed(phone));
    }

    /// Sets the e-mail address (always editable).
    pub fn set_email(&mut self, email: Email) {
        self.email = Some(Field::typed(email));
    }

    /// Sets the address. An address that came from the population database
    /// stays editable (the citizen may live elsewhere now) but is then
    /// marked as edited after verification.
    pub fn set_address(&mut self, address: DossierAddress) {
        let provenance = match self.address.as_ref().map(|a| &a.provenance) {
            Some(
                Provenance::PopulationDb { request_id, .. }
                | Provenance::EditedAfterVerification { request_id },
            ) => Provenance::EditedAfterVerification {
                request_id: *request_id,
            },
            _ => Provenance::Typed,
        };
        self.address = Some(Field {
            value: address,
            provenance,
        });
    }

    /// Accepts a verified record: name, birth date, gender and current
    /// residence are filled from it (provenance: the population database)
    /// and ID, name, birth date and owner type are locked.
    ///
    /// # Errors
    ///
    /// [`OwnerError::WrongRecord`] when the record is not for this ID (a
    /// CMND owner matches the record's old CMND).
    pub fn accept_verification(
        &mut self,
        record: &CitizenRecord,
        request_id: RequestId,
    ) -> Result<(), OwnerError> {
        let same = match &self.id.value {
            IdNumber::PersonalId(p) => *p == record.personal_id,
            IdNumber::Cmnd(c) => record.cmnd.as_ref() == Some(c),
            _ => false,
        };
        if !same {
            return Err(OwnerError::WrongRecord);
        }
        let from_db = || Provenance::PopulationDb {
            request_id,
            as_of: record.as_of.clone(),
        };
        // A CMND owner gets the personal ID the database holds for them.
        self.id = Field {
            value: IdNumber::PersonalId(record.personal_id),
            provenance: from_db(),
        };
        self.owner_type = Field {
            value: OwnerType::Citizen,
            provenance: from_db(),
        };
        self.name = Field {
            value: record.name.clone(),
            provenance: from_db(),
        };
        // A record whose birth date could not be decoded leaves the typed
        // one (and its provenance) in place.
        if let Some(birth) = record.birth_date {
            self.birth_date = Some(Field {
                value: birth,
                provenance: from_db(),
            });
        }
        self.gender = record.gender_meaning().map(|g| Field {
            value: g,
            provenance: from_db(),
        });
        if let Some(current) = record.current.as_ref().or(record.permanent.as_ref()) {
            self.address = Some(Field {
                value: DossierAddress {
                    text: address_text(current),
                    units: Some(current.clone()),
                },
                provenance: from_db(),
            });
        }
        self.locked = true;
        Ok(())
    }
}

/// "Detail, Commune, \[District,\] Province" from a record address's names.
#[must_use]
pub fn address_text(a: &RecordAddress) -> String {
    let mut parts: Vec<&str> = Vec::new();
    if let Some(d) = a.detail.as_deref() {
        parts.push(d);
    }
    for u in [&a.commune, &a.district, &a.province].into_iter().flatten() {
        parts.push(u.name.as_deref().unwrap_or(&u.code));
    }
    parts.join(", ")
}

/// The person submitting a dossier for its owner (người nộp), when not
/// the owner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submitter {
    /// Name.
    pub name: FullName,
    /// ID number.
    pub id: Option<IdNumber>,
    /// Phone.
    pub phone: Option<PhoneNumber>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<Email>,
}

/// The verification a dossier carries: which lookup, when, and how the
/// typed data agreed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// The lookup's request id.
    pub request_id: RequestId,
    /// The gateway's name.
    pub gateway: String,
    /// The data's as-of time.
    pub as_of: Option<String>,
    /// The field-by-field comparison.
    pub report: MatchReportSummary,
}

/// A stored form of a [`MatchReport`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchReportSummary {
    /// `same`, `same_cmnd` or `different`.
    pub id: String,
    /// `identical`, `case`, `tone_placement`, `folded` or `different`.
    pub name: String,
    /// `exact`, `shared_precision` or `different`.
    pub birth_date: String,
    /// `agrees`, `differs` or `not_comparable`.
    pub gender: String,
    /// Whether every field agrees.
    pub all_agree: bool,
}

impl From<&MatchReport> for MatchReportSummary {
    fn from(r: &MatchReport) -> Self {
        let v = serde_json::to_value(r).unwrap_or_default();
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
        Self {
            id: s("id"),
            name: s("name"),
            birth_date: s("birth_date"),
            gender: s("gender"),
            all_agree: r.all_agree(),
        }
    }
}

/// Why a dossier may fall back to paper (a CT07 residence confirmation):
/// only when the database could not be used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum PaperFallback {
    /// Not found, after the officer re-checked the input.
    NotFoundAfterRecheck {
        /// Lookups made.
        attempts: u32,
    },
    /// The gateway could not answer within the deadline.
    GatewayUnavailable {
        /// What happened (an error code such as `unavailable`).
        error: String,
    },
}

impl PaperFallback {
    /// The explanation shown to the officer, in Vietnamese.
    #[must_use]
    pub fn explain_vi(&self) -> String {
        match self {
            Self::NotFoundAfterRecheck { attempts } => format!(
                "Không tìm thấy thông tin công dân trong CSDLQG về dân cư sau {attempts} lần kiểm tra: có thể yêu cầu giấy xác nhận thông tin về cư trú (CT07)."
            ),
            Self::GatewayUnavailable { error } => format!(
                "Không kết nối được CSDLQG về dân cư trong thời hạn ({error}): có thể yêu cầu giấy xác nhận thông tin về cư trú (CT07)."
            ),
        }
    }
}

/// A dossier (hồ sơ thủ tục hành chính). `Debug` shows the owner and
/// submitter in their masked forms, and hides the free text (summary,
/// rejection reason) and the e-form's values.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dossier {
    /// The national-format code.
    pub code: DossierCode,
    /// A second code, re-issued for the national portal.
    pub second_code: Option<DossierCode>,
    /// The receiving unit.
    pub unit: String,
    /// Lĩnh vực.
    pub sector: String,
    /// Mã TTHC.
    pub procedure: ProcedureCode,
    /// Trường hợp.
    pub case: Option<String>,
    /// Status.
    pub status: DossierStatus,
    /// Channel.
    pub channel: Channel,
    /// The owner.
    pub owner: Owner,
    /// The submitter, when not the owner.
    pub submitter: Option<Submitter>,
    /// Trích yếu.
    pub summary: String,
    /// Ngày tiếp nhận.
    pub intake_date: Option<CalendarDate>,
    /// Ngày hẹn trả.
    pub appointment_date: Option<CalendarDate>,
    /// The accepted verification.
    pub verification: Option<Verification>,
    /// Why paper may be requested, when the database could not be used.
    pub paper_fallback: Option<PaperFallback>,
    /// Why the dossier was refused (status 3).
    pub rejection_reason: Option<String>,
    /// The application e-form (online dossiers), field name → value.
    pub form: std::collections::BTreeMap<String, String>,
}

impl fmt::Debug for Dossier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dossier")
            .field("code", &self.code)
            .field("second_code", &self.second_code)
            .field("unit", &self.unit)
            .field("sector", &self.sector)
            .field("procedure", &self.procedure)
            .field("case", &self.case)
            .field("status", &self.status)
            .field("channel", &self.channel)
            .field("owner", &self.owner)
            .field("submitter", &self.submitter)
            .field("summary", &Redacted(&self.summary))
            .field("intake_date", &self.intake_date)
            .field("appointment_date", &self.appointment_date)
            .field("verification", &self.verification)
            .field("paper_fallback", &self.paper_fallback)
            .field(
                "rejection_reason",
                &self.rejection_reason.as_deref().map(Redacted),
            )
            .field("form", &RedactedForm(&self.form))
            .finish()
    }
}

/// Working days: Monday to Friday, minus public holidays.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    holidays: std::collections::BTreeSet<CalendarDate>,
}

impl WorkingCalendar {
    /// Weekends plus the fixed-date national holidays of the years given
    /// (1/1, 30/4, 1/5, 2/9). Lunar holidays (Tết, Giỗ Tổ) move every year:
    /// add them with [`WorkingCalendar::with_holidays`].
    #[must_use]
    pub fn with_fixed_holidays(years: impl IntoIterator<Item = u16>) -> Self {
        let mut holidays = std::collections::BTreeSet::new();
        for y in years {
            for (m, d) in [(1, 1), (4, 30), (5, 1), (9, 2)] {
                if let Ok(date) = CalendarDate::new(u32::from(y), m, d) {
                    holidays.insert(date);
                }
            }
        }
        Self { holidays }
    }

    /// Adds holidays.
    #[must_use]
    pub fn with_holidays(mut self, days: impl IntoIterator<Item = CalendarDate>) -> Self {
        self.holidays.extend(days);
        self
    }

    /// Whether `d` is a working day.
    #[must_use]
    pub fn is_working_day(&self, d: CalendarDate) -> bool {
        d.weekday_from_monday() < 5 && !self.holidays.contains(&d)
    }

    /// The date `days` working days after `from` (the appointment date of a
    /// procedure whose deadline is `days` working days).
    #[must_use]
    pub fn add_working_days(&self, from: CalendarDate, days: u32) -> CalendarDate {
        let mut d = from;
        let mut left = days;
        while left > 0 {
            match d.add_days(1) {
                Ok(next) => d = next,
                Err(_) => return d,
            }
            if self.is_working_day(d) {
                left = left.saturating_sub(1);
            }
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_intake_transitions() {
        for code in 1..=10u8 {
            assert_eq!(DossierStatus::from_code(code).unwrap().code(), code);
        }
        assert_eq!(DossierStatus::from_code(0), None);
        assert_eq!(DossierStatus::from_code(11), None);
        let new = DossierStatus::NewlyRegistered;
        assert_eq!(
            new.transition(DossierStatus::Received),
            Ok(DossierStatus::Received)
        );
        assert_eq!(
            new.transition(DossierStatus::NotReceived),
            Ok(DossierStatus::NotReceived)
        );
        assert!(new.transition(DossierStatus::Processed).is_err());
        assert!(
            DossierStatus::Received
                .transition(DossierStatus::NotReceived)
                .is_err()
        );
        assert!(
            DossierStatus::NotReceived
                .transition(DossierStatus::Received)
                .is_err()
        );
        assert_eq!(DossierStatus::Received.to_string(), "2 Được tiếp nhận");
    }

    #[test]
    fn contacts() {
        assert_eq!(
            "0912 345 678".parse::<PhoneNumber>().unwrap().to_string(),
            "0912345678"
        );
        assert_eq!(
            "+84 912 345 678"
                .parse::<PhoneNumber>()
                .unwrap()
                .to_string(),
            "+84912345678"
        );
        assert!("091234567".parse::<PhoneNumber>().is_err());
        assert!("09123456789012".parse::<PhoneNumber>().is_err());
        assert!("0912a45678".parse::<PhoneNumber>().is_err());
        assert!("an.nguyen@backan.gov.vn".parse::<Email>().is_ok());
        for bad in ["", "an", "an@", "@x.vn", "an@x", "an @x.vn", "a@b@c.vn"] {
            assert!(bad.parse::<Email>().is_err(), "{bad}");
        }
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let cal = WorkingCalendar::with_fixed_holidays([2026]);
        // Friday 2026-11-27 + 3 working days = Wednesday 2026-12-02.
        let fri = CalendarDate::new(2026, 11, 27).unwrap();
        assert_eq!(cal.add_working_days(fri, 3).to_string(), "2026-12-02");
        // Wednesday 2026-04-29 + 2: 30/4 and 1/5 are holidays, then the weekend.
        let wed = CalendarDate::new(2026, 4, 29).unwrap();
        assert_eq!(cal.add_working_days(wed, 2).to_string(), "2026-05-05");
        assert_eq!(cal.add_working_days(fri, 0), fri);
    }
}
