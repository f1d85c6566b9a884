//! The citizen record the population database returns.

use std::fmt;

use crate::{BirthDate, Cmnd, FullName, GenderCode, PersonalId};

/// Which administrative scheme an address's codes are in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AddressEra {
    /// The three-level scheme before 2025-07-01 (province 2 digits, district
    /// 3, commune 5).
    Legacy,
    /// The two-level scheme from 2025-07-01 (province, commune; no district).
    Current,
}

impl AddressEra {
    /// The stable key: `legacy` or `2025`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Legacy => "legacy",
            Self::Current => "2025",
        }
    }
}

impl serde::Serialize for AddressEra {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for AddressEra {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match String::deserialize(d)?.as_str() {
            "legacy" => Ok(Self::Legacy),
            "2025" => Ok(Self::Current),
            other => Err(serde::de::Error::custom(format!("unknown era {other:?}"))),
        }
    }
}

/// A unit code from a record, with its full name when the gazetteer knows
/// the code in the address's era.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct NamedUnit {
    /// The code as the record gave it.
    pub code: String,
    /// The unit's full name ("Xã Dương Quang"), or `None` for a code the
    /// gazetteer does not have in this era.
    pub name: Option<String>,
}

/// One of a record's four addresses: the codes the gateway returned (no
/// names come over the wire), their era, their names resolved through the
/// gazetteer, and the free-text detail. `Debug` hides the detail.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct RecordAddress {
    /// The scheme of the codes; `None` when there are no codes at all.
    pub era: Option<AddressEra>,
    /// `MaTinhThanh`.
    pub province: Option<NamedUnit>,
    /// `MaQuanHuyen` — legacy addresses only.
    pub district: Option<NamedUnit>,
    /// `MaPhuongXa`.
    pub commune: Option<NamedUnit>,
    /// `ChiTiet`: house number, street, hamlet.
    pub detail: Option<String>,
    /// `QuocGia`.
    pub country: Option<String>,
}

impl RecordAddress {
    /// An address from its wire codes (empty strings mean absent). The era
    /// is legacy when a district code is present, 2025 otherwise; names are
    /// resolved through the gazetteer of that era.
    #[must_use]
    pub fn from_codes(
        province: &str,
        district: &str,
        commune: &str,
        detail: &str,
        country: &str,
    ) -> Self {
        let opt = |s: &str| {
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_owned())
        };
        let (province, district, commune) = (opt(province), opt(district), opt(commune));
        let era = if district.is_some() {
            Some(AddressEra::Legacy)
        } else if province.is_some() || commune.is_some() {
            Some(AddressEra::Current)
        } else {
            None
        };
        let unit = |code: Option<String>| code.map(|code| NamedUnit { code, name: None });
        let mut address = Self {
            era,
            province: unit(province),
            district: unit(district),
            commune: unit(commune),
            detail: opt(detail),
            country: opt(country),
        };
        super::names::resolve_names(&mut address);
        address
    }
}

impl fmt::Debug for RecordAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = |u: &Option<NamedUnit>| u.as_ref().map(|u| u.code.clone());
        f.debug_struct("RecordAddress")
            .field("era", &self.era)
            .field("province", &code(&self.province))
            .field("district", &code(&self.district))
            .field("commune", &code(&self.commune))
            .field("detail", &self.detail.as_ref().map(|_| "<hidden>"))
            .finish()
    }
}

/// A relative named in a record (`Cha`, `Me`, `VoChong`, `NguoiDaiDien`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Relative {
    /// `HoVaTen`.
    pub name: Option<FullName>,
    /// `QuocTich`.
    pub nationality: Option<String>,
    /// `SoDinhDanh`.
    pub personal_id: Option<PersonalId>,
    /// `SoCMND`.
    pub cmnd: Option<Cmnd>,
}

/// The head of the household (`ChuHo`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct HouseholdHead {
    /// `QuanHe`: the citizen's relation to the head, as a raw code.
    pub relation: Option<String>,
    /// `SoDinhDanh`.
    pub personal_id: Option<PersonalId>,
    /// `SoCMND`.
    pub cmnd: Option<Cmnd>,
    /// `HoVaTen`.
    pub name: Option<FullName>,
}

/// A citizen record with every field of the contract. Codes are kept raw
/// next to their meaning; `Debug` never shows the full ID, name, birth date,
/// address detail or household book number, nor the sensitive codes
/// (ethnicity, religion, marital status, blood group).
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct CitizenRecord {
    /// `SoDinhDanh`.
    pub personal_id: PersonalId,
    /// `SoCMND`, the old 9-digit number if any.
    pub cmnd: Option<Cmnd>,
    /// `HoVaTen`.
    pub name: FullName,
    /// `GioiTinh`, raw (1 = Nam, 2 = Nữ, others kept); `None` when the
    /// answer has none or one that is not a code (then flagged in
    /// [`CitizenRecord::undecodable`]).
    pub gender: Option<GenderCode>,
    /// `DanToc`, raw (01 = Kinh in the 2008 list).
    pub ethnicity: Option<String>,
    /// `TonGiao`, raw.
    pub religion: Option<String>,
    /// `QuocTich`, raw.
    pub nationality: Option<String>,
    /// `TinhTrangHonNhan`, raw.
    pub marital_status: Option<String>,
    /// `NhomMau`, raw.
    pub blood_group: Option<String>,
    /// `NgayThangNamSinh`, at the precision recorded; `None` when the
    /// answer has none or one that does not parse (then flagged).
    pub birth_date: Option<BirthDate>,
    /// `NoiDangKyKhaiSinh`.
    pub birth_registration: Option<RecordAddress>,
    /// `QueQuan`.
    pub hometown: Option<RecordAddress>,
    /// `ThuongTru`.
    pub permanent: Option<RecordAddress>,
    /// `NoiOHienTai`.
    pub current: Option<RecordAddress>,
    /// `Cha`.
    pub father: Option<Relative>,
    /// `Me`.
    pub mother: Option<Relative>,
    /// `VoChong`.
    pub spouse: Option<Relative>,
    /// `NguoiDaiDien`.
    pub representative: Option<Relative>,
    /// `ChuHo`.
    pub household_head: Option<HouseholdHead>,
    /// `SoSoHoKhau`.
    pub household_book: Option<String>,
    /// `ThoiDiemDuLieu`: the data's as-of time (xs:dateTime, as sent).
    pub as_of: Option<String>,
    /// `LoaiTaiKhoan`, raw (`2` is an enterprise account), when sent.
    pub account_type: Option<String>,
    /// `MaSoThue`, the tax code, raw, when sent.
    pub tax_code: Option<String>,
    /// `ThuDienTu`, the e-mail address, when sent (`Debug` shows its domain only).
    pub email: Option<String>,
    /// The secondary fields the answer carried but that could not be
    /// decoded: kept raw and flagged here instead of failing the lookup.
    pub undecodable: Vec<Undecodable>,
}

/// A field of a citizen record, by its place in the answer: what a flag
/// of [`Undecodable`] names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum RecordField {
    /// `SoCMND` of the citizen.
    Cmnd,
    /// `GioiTinh`.
    Gender,
    /// `NgayThangNamSinh`.
    BirthDate,
    /// `ThoiDiemDuLieu`.
    AsOf,
    /// `HoVaTen` of a relative or the household head.
    Name(Person),
    /// `SoDinhDanh` of a relative or the household head.
    PersonalId(Person),
    /// `SoCMND` of a relative or the household head.
    RelativeCmnd(Person),
}

/// Whose field: a relative or the household head.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Person {
    /// `Cha`.
    Father,
    /// `Me`.
    Mother,
    /// `VoChong`.
    Spouse,
    /// `NguoiDaiDien`.
    Representative,
    /// `ChuHo`.
    HouseholdHead,
}

impl Person {
    /// The element name (`Cha`, `Me`, `VoChong`, `NguoiDaiDien`, `ChuHo`).
    #[must_use]
    pub const fn element(self) -> &'static str {
        match self {
            Self::Father => "Cha",
            Self::Mother => "Me",
            Self::Spouse => "VoChong",
            Self::Representative => "NguoiDaiDien",
            Self::HouseholdHead => "ChuHo",
        }
    }
}

impl RecordField {
    /// The field's path in the answer: `GioiTinh`, `Cha/SoDinhDanh`, …
    #[must_use]
    pub const fn path(self) -> &'static str {
        use Person::{Father, HouseholdHead, Mother, Representative, Spouse};
        match self {
            Self::Cmnd => "SoCMND",
            Self::Gender => "GioiTinh",
            Self::BirthDate => "NgayThangNamSinh",
            Self::AsOf => "ThoiDiemDuLieu",
            Self::Name(Father) => "Cha/HoVaTen",
            Self::Name(Mother) => "Me/HoVaTen",
            Self::Name(Spouse) => "VoChong/HoVaTen",
            Self::Name(Representative) => "NguoiDaiDien/HoVaTen",
            Self::Name(HouseholdHead) => "ChuHo/HoVaTen",
            Self::PersonalId(Father) => "Cha/SoDinhDanh",
            Self::PersonalId(Mother) => "Me/SoDinhDanh",
            Self::PersonalId(Spouse) => "VoChong/SoDinhDanh",
            Self::PersonalId(Representative) => "NguoiDaiDien/SoDinhDanh",
            Self::PersonalId(HouseholdHead) => "ChuHo/SoDinhDanh",
            Self::RelativeCmnd(Father) => "Cha/SoCMND",
            Self::RelativeCmnd(Mother) => "Me/SoCMND",
            Self::RelativeCmnd(Spouse) => "VoChong/SoCMND",
            Self::RelativeCmnd(Representative) => "NguoiDaiDien/SoCMND",
            Self::RelativeCmnd(HouseholdHead) => "ChuHo/SoCMND",
        }
    }
}

impl fmt::Display for RecordField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.path())
    }
}

impl serde::Serialize for RecordField {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.path())
    }
}

/// A secondary field that came in an answer but could not be decoded: the
/// raw value as sent (`None` when the element was missing), and why.
/// `Debug` masks digit runs of the raw value (it may be an ID number).
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
pub struct Undecodable {
    /// Which field.
    pub field: RecordField,
    /// The value as sent, trimmed; `None` when absent.
    pub raw: Option<String>,
    /// What is wrong with it (from the core's parsers; never the value).
    pub reason: String,
}

impl fmt::Debug for Undecodable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Undecodable")
            .field("field", &self.field)
            .field("raw", &self.raw.as_ref().map(|r| crate::Redacted(r)))
            .field("reason", &self.reason)
            .finish()
    }
}

/// Shows what kind of value a field holds, never the value: for the
/// household book number and the sensitive codes (ethnicity, religion,
/// marital status, blood group — sensitive personal data in law).
fn hidden(value: Option<&String>) -> Option<crate::Redacted<'_>> {
    value.map(|v| crate::Redacted(v))
}

impl fmt::Debug for CitizenRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CitizenRecord")
            .field("personal_id", &self.personal_id)
            .field("cmnd", &self.cmnd)
            .field("name", &self.name)
            .field("gender", &self.gender)
            .field("ethnicity", &hidden(self.ethnicity.as_ref()))
            .field("religion", &hidden(self.religion.as_ref()))
            .field("nationality", &self.nationality)
            .field("marital_status", &hidden(self.marital_status.as_ref()))
            .field("blood_group", &hidden(self.blood_group.as_ref()))
            .field("birth_date", &self.birth_date)
            .field("birth_registration", &self.birth_registration)
            .field("hometown", &self.hometown)
            .field("permanent", &self.permanent)
            .field("current", &self.current)
            .field("father", &self.father)
            .field("mother", &self.mother)
            .field("spouse", &self.spouse)
            .field("representative", &self.representative)
            .field("household_head", &self.household_head)
            .field("household_book", &hidden(self.household_book.as_ref()))
            .field("as_of", &self.as_of)
            .field("account_type", &self.account_type)
            .field("tax_code", &hidden(self.tax_code.as_ref()))
            .field("email", &self.email.as_deref().map(masked_email))
            .field("undecodable", &self.undecodable)
            .finish()
    }
}

/// `***@domain`: what `Debug` shows of an e-mail address.
fn masked_email(e: &str) -> String {
    format!("***@{}", e.rsplit_once('@').map_or("", |(_, d)| d))
}

impl CitizenRecord {
    /// A record with the usual fields; the rest start empty.
    #[must_use]
    pub fn new(
        personal_id: PersonalId,
        name: FullName,
        gender: GenderCode,
        birth_date: BirthDate,
    ) -> Self {
        let mut r = Self::with_identity(personal_id, name);
        r.gender = Some(gender);
        r.birth_date = Some(birth_date);
        r
    }

    /// A record with only what makes it one: the citizen's own ID and name.
    #[must_use]
    pub fn with_identity(personal_id: PersonalId, name: FullName) -> Self {
        Self {
            personal_id,
            cmnd: None,
            name,
            gender: None,
            ethnicity: None,
            religion: None,
            nationality: None,
            marital_status: None,
            blood_group: None,
            birth_date: None,
            birth_registration: None,
            hometown: None,
            permanent: None,
            current: None,
            father: None,
            mother: None,
            spouse: None,
            representative: None,
            household_head: None,
            household_book: None,
            as_of: None,
            account_type: None,
            tax_code: None,
            email: None,
            undecodable: Vec::new(),
        }
    }

    /// The secondary fields that came but could not be decoded.
    #[must_use]
    pub fn undecodable(&self) -> &[Undecodable] {
        &self.undecodable
    }

    /// Whether `field` came but could not be decoded.
    #[must_use]
    pub fn is_undecodable(&self, field: RecordField) -> bool {
        self.undecodable.iter().any(|u| u.field == field)
    }

    /// Flags a field that could not be decoded, keeping its raw value.
    pub fn flag(&mut self, field: RecordField, raw: Option<&str>, reason: impl Into<String>) {
        self.undecodable.push(Undecodable {
            field,
            raw: raw.map(|r| r.trim().to_owned()),
            reason: reason.into(),
        });
    }

    /// The gender the record's code means, when it has a known one.
    #[must_use]
    pub fn gender_meaning(&self) -> Option<crate::Gender> {
        self.gender.and_then(|g| g.gender())
    }
}
