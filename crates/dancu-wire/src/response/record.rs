//! The citizen in an answer (`CongDan`), both directions.
//!
//! Decoding needs only the citizen's own ID (`SoDinhDanh`) and name
//! (`HoVaTen`) to call it a record. Every other field that is present but
//! does not decode — a relative's ID that is neither 12 nor 9 digits, a
//! registration code `100`, a missing `GioiTinh`, a birth date that does not
//! parse — is kept raw and flagged ([`CitizenRecord::undecodable`]); the
//! rest of the record is decoded as usual.

use std::str::FromStr;

use dancu_core::registry::{
    CitizenRecord, HouseholdHead, Person, RecordAddress, RecordField, Relative,
};
use dancu_core::{BirthDate, CalendarDate, Cmnd, FullName, GenderCode, PersonalId, Precision};

use crate::fault::{DecodeError, invalid};
use crate::xml::{self, Node, Ns};

pub(crate) const ANSWER_NS: &[Ns] = &[Ns::Mic, Ns::None];

fn opt_text(node: &Node, local: &str) -> Option<String> {
    node.child_text(ANSWER_NS, local).map(str::to_owned)
}

/// Why a field does not decode: its raw value and the reason.
type Bad = (String, String);

/// A name given either as text or as `Ho`/`ChuDem`/`Ten` children; the raw
/// text is kept (built) only when it does not parse.
fn name(node: &Node, field: &str) -> Option<Result<FullName, Bad>> {
    let n = node.child(ANSWER_NS, field)?;
    let has_parts = n
        .children
        .iter()
        .any(|c| matches!(c.local.as_ref(), "Ho" | "ChuDem" | "Ten"));
    if has_parts {
        let parts = ["Ho", "ChuDem", "Ten"].map(|p| n.child_text(ANSWER_NS, p).unwrap_or(""));
        if parts.iter().all(|p| p.is_empty()) {
            return None;
        }
        return Some(
            FullName::from_parts(parts[0], parts[1], parts[2])
                .map_err(|e| (parts.join(" ").trim().to_owned(), e.to_string())),
        );
    }
    match n.text.trim() {
        "" => None,
        t => Some(FullName::parse(t).map_err(|e| (t.to_owned(), e.to_string()))),
    }
}

fn birth_date(node: &Node) -> Result<BirthDate, (Option<String>, String)> {
    let Some(n) = node.child(ANSWER_NS, "NgayThangNamSinh") else {
        return Err((None, "missing".to_owned()));
    };
    let year = n.child_text(ANSWER_NS, "Nam");
    let full = n.child_text(ANSWER_NS, "NgayThangNam");
    let raw = full.or(year).map(str::to_owned);
    let fail = |why: &str| (raw.clone(), why.to_owned());
    let year = match year {
        Some(y) if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) => {
            Some(BirthDate::from_str(y).map_err(|e| fail(&format!("Nam: {e}")))?)
        }
        Some(_) => return Err(fail("Nam is not a 4-digit year")),
        None => None,
    };
    match (full, year) {
        (Some(f), year) => {
            let compact = crate::DateFormat::Compact
                .read(f)
                .or_else(|| crate::DateFormat::Iso.read(f))
                .ok_or_else(|| fail("NgayThangNam is not yyyyMMdd"))?;
            let date =
                BirthDate::from_str(&compact).map_err(|e| fail(&format!("NgayThangNam: {e}")))?;
            if date.precision() != Precision::Day {
                return Err(fail("NgayThangNam is not a full date"));
            }
            if year.is_some_and(|y| y.year() != date.year()) {
                return Err(fail("Nam and NgayThangNam disagree"));
            }
            Ok(date)
        }
        (None, Some(y)) => Ok(y),
        (None, None) => Err(fail("no Nam or NgayThangNam")),
    }
}

fn address(node: &Node, field: &str) -> Option<RecordAddress> {
    let a = node.child(ANSWER_NS, field)?;
    let t = |l: &str| a.child_text(ANSWER_NS, l).unwrap_or("");
    Some(RecordAddress::from_codes(
        t("MaTinhThanh"),
        t("MaQuanHuyen"),
        t("MaPhuongXa"),
        t("ChiTiet"),
        t("QuocGia"),
    ))
}

/// The identity fields a relative or the household head carries, decoded
/// or flagged into `record`.
struct Identity {
    name: Option<FullName>,
    personal_id: Option<PersonalId>,
    cmnd: Option<Cmnd>,
    present: bool,
}

/// A field that came, parsed; or flagged in `record` with its raw value
/// when it does not parse.
fn decoded<T>(
    came: Option<Result<T, Bad>>,
    field: RecordField,
    present: &mut bool,
    record: &mut CitizenRecord,
) -> Option<T> {
    let parsed = came?;
    *present = true;
    parsed
        .map_err(|(raw, why)| record.flag(field, Some(&raw), why))
        .ok()
}

fn identity(node: &Node, who: Person, on: CalendarDate, record: &mut CitizenRecord) -> Identity {
    let mut present = false;
    let bad = |t: &str, e: &dyn std::fmt::Display| (t.to_owned(), e.to_string());
    let text = |local| node.child_text(ANSWER_NS, local);
    let id = text("SoDinhDanh").map(|t| PersonalId::parse_on(t, on).map_err(|e| bad(t, &e)));
    let cmnd = text("SoCMND").map(|t| t.parse::<Cmnd>().map_err(|e| bad(t, &e)));
    let name = name(node, "HoVaTen");
    Identity {
        name: decoded(name, RecordField::Name(who), &mut present, record),
        personal_id: decoded(id, RecordField::PersonalId(who), &mut present, record),
        cmnd: decoded(cmnd, RecordField::RelativeCmnd(who), &mut present, record),
        present,
    }
}

fn relative(
    node: &Node,
    field: &str,
    who: Person,
    on: CalendarDate,
    record: &mut CitizenRecord,
) -> Option<Relative> {
    let r = node.child(ANSWER_NS, field)?;
    let id = identity(r, who, on, record);
    let nationality = opt_text(r, "QuocTich");
    (id.present || nationality.is_some()).then_some(Relative {
        name: id.name,
        nationality,
        personal_id: id.personal_id,
        cmnd: id.cmnd,
    })
}

/// Decodes one `CongDan`; personal IDs are checked against `on`.
pub(crate) fn decode_citizen(c: &Node, on: CalendarDate) -> Result<CitizenRecord, DecodeError> {
    let id_text = c
        .child_text(ANSWER_NS, "SoDinhDanh")
        .ok_or(DecodeError::Missing("SoDinhDanh"))?;
    let id = PersonalId::parse_on(id_text, on).map_err(|e| invalid("SoDinhDanh", e))?;
    let full_name = match name(c, "HoVaTen") {
        None => return Err(DecodeError::Missing("HoVaTen")),
        Some(parsed) => parsed.map_err(|(_, why)| invalid("HoVaTen", why))?,
    };
    let mut r = CitizenRecord::with_identity(id, full_name);
    match c.child_text(ANSWER_NS, "GioiTinh") {
        None => r.flag(RecordField::Gender, None, "missing"),
        Some(t) => match t.parse::<GenderCode>() {
            Ok(g) => r.gender = Some(g),
            Err(e) => r.flag(RecordField::Gender, Some(t), e.to_string()),
        },
    }
    match birth_date(c) {
        Ok(b) => r.birth_date = Some(b),
        Err((raw, why)) => r.flag(RecordField::BirthDate, raw.as_deref(), why),
    }
    if let Some(t) = c.child_text(ANSWER_NS, "SoCMND") {
        match t.parse::<Cmnd>() {
            Ok(cmnd) => r.cmnd = Some(cmnd),
            Err(e) => r.flag(RecordField::Cmnd, Some(t), e.to_string()),
        }
    }
    for (slot, element) in [
        (&mut r.ethnicity, "DanToc"),
        (&mut r.religion, "TonGiao"),
        (&mut r.nationality, "QuocTich"),
        (&mut r.marital_status, "TinhTrangHonNhan"),
        (&mut r.blood_group, "NhomMau"),
        (&mut r.account_type, "LoaiTaiKhoan"),
        (&mut r.tax_code, "MaSoThue"),
        (&mut r.email, "ThuDienTu"),
    ] {
        *slot = opt_text(c, element);
    }
    for (slot, element) in [
        (&mut r.birth_registration, "NoiDangKyKhaiSinh"),
        (&mut r.hometown, "QueQuan"),
        (&mut r.permanent, "ThuongTru"),
        (&mut r.current, "NoiOHienTai"),
    ] {
        *slot = address(c, element);
    }
    let father = relative(c, "Cha", Person::Father, on, &mut r);
    let mother = relative(c, "Me", Person::Mother, on, &mut r);
    let spouse = relative(c, "VoChong", Person::Spouse, on, &mut r);
    let representative = relative(c, "NguoiDaiDien", Person::Representative, on, &mut r);
    (r.father, r.mother, r.spouse, r.representative) = (father, mother, spouse, representative);
    if let Some(h) = c.child(ANSWER_NS, "ChuHo") {
        let id = identity(h, Person::HouseholdHead, on, &mut r);
        let relation = opt_text(h, "QuanHe");
        if id.present || relation.is_some() {
            r.household_head = Some(HouseholdHead {
                relation,
                personal_id: id.personal_id,
                cmnd: id.cmnd,
                name: id.name,
            });
        }
        // Some gateways put SoSoHoKhau inside ChuHo.
        r.household_book = opt_text(h, "SoSoHoKhau");
    }
    if let Some(book) = opt_text(c, "SoSoHoKhau") {
        r.household_book = Some(book);
    }
    Ok(r)
}

// ---------------------------------------------------------------------------
// Server side
// ---------------------------------------------------------------------------

fn opt_element(out: &mut String, name: &str, value: Option<&str>) {
    xml::element(out, "ns1", name, value.unwrap_or(""));
}

fn raw_of(record: &CitizenRecord, field: RecordField) -> Option<&str> {
    record
        .undecodable
        .iter()
        .find(|u| u.field == field)
        .and_then(|u| u.raw.as_deref())
}

fn encode_name_parts(out: &mut String, name: &FullName) {
    xml::open(out, "ns1", "HoVaTen");
    let upper = name.to_wire_upper();
    let wire = FullName::parse(&upper).unwrap_or_else(|_| name.clone());
    xml::element(out, "ns1", "Ho", wire.family());
    xml::element(out, "ns1", "ChuDem", wire.middle());
    xml::element(out, "ns1", "Ten", wire.given());
    xml::close_tag(out, "ns1", "HoVaTen");
}

fn encode_address(out: &mut String, name: &str, a: Option<&RecordAddress>) {
    let Some(a) = a else { return };
    let code = |u: &Option<dancu_core::registry::NamedUnit>| {
        u.as_ref().map(|u| u.code.clone()).unwrap_or_default()
    };
    xml::open(out, "ns1", name);
    xml::element(out, "ns1", "MaTinhThanh", &code(&a.province));
    xml::element(out, "ns1", "MaQuanHuyen", &code(&a.district));
    xml::element(out, "ns1", "MaPhuongXa", &code(&a.commune));
    opt_element(out, "ChiTiet", a.detail.as_deref());
    opt_element(out, "QuocGia", a.country.as_deref());
    xml::close_tag(out, "ns1", name);
}

/// The identity elements of a relative or the head; a flagged field is
/// written back as it came.
fn encode_identity(
    r: &CitizenRecord,
    who: Person,
    name: Option<&FullName>,
    id: Option<&PersonalId>,
    cmnd: Option<&Cmnd>,
) -> [String; 3] {
    [
        name.map(FullName::to_wire_upper)
            .or_else(|| raw_of(r, RecordField::Name(who)).map(str::to_owned))
            .unwrap_or_default(),
        id.map(|p| p.as_str().to_owned())
            .or_else(|| raw_of(r, RecordField::PersonalId(who)).map(str::to_owned))
            .unwrap_or_default(),
        cmnd.map(|c| c.as_str().to_owned())
            .or_else(|| raw_of(r, RecordField::RelativeCmnd(who)).map(str::to_owned))
            .unwrap_or_default(),
    ]
}

fn encode_relative(
    out: &mut String,
    record: &CitizenRecord,
    name: &str,
    who: Person,
    r: Option<&Relative>,
) {
    let Some(r) = r else { return };
    let [n, id, cmnd] = encode_identity(
        record,
        who,
        r.name.as_ref(),
        r.personal_id.as_ref(),
        r.cmnd.as_ref(),
    );
    xml::open(out, "ns1", name);
    xml::element(out, "ns1", "HoVaTen", &n);
    opt_element(out, "QuocTich", r.nationality.as_deref());
    xml::element(out, "ns1", "SoDinhDanh", &id);
    xml::element(out, "ns1", "SoCMND", &cmnd);
    xml::close_tag(out, "ns1", name);
}

/// Writes one `CongDan`.
pub(crate) fn encode_citizen(out: &mut String, r: &CitizenRecord) {
    xml::open(out, "ns1", "CongDan");
    xml::element(out, "ns1", "SoDinhDanh", r.personal_id.as_str());
    let cmnd = r.cmnd.map(|c| c.as_str().to_owned());
    opt_element(
        out,
        "SoCMND",
        cmnd.as_deref().or(raw_of(r, RecordField::Cmnd)),
    );
    encode_name_parts(out, &r.name);
    let gender = r.gender.map(|g| g.as_str().to_owned());
    if let Some(g) = gender.as_deref().or(raw_of(r, RecordField::Gender)) {
        xml::element(out, "ns1", "GioiTinh", g);
    }
    opt_element(out, "DanToc", r.ethnicity.as_deref());
    opt_element(out, "TonGiao", r.religion.as_deref());
    opt_element(out, "QuocTich", r.nationality.as_deref());
    opt_element(out, "TinhTrangHonNhan", r.marital_status.as_deref());
    opt_element(out, "NhomMau", r.blood_group.as_deref());
    match (&r.birth_date, raw_of(r, RecordField::BirthDate)) {
        (Some(b), _) => {
            xml::open(out, "ns1", "NgayThangNamSinh");
            xml::element(out, "ns1", "Nam", &format!("{:04}", b.year()));
            opt_element(out, "NgayThangNam", b.to_yyyymmdd().as_deref());
            xml::close_tag(out, "ns1", "NgayThangNamSinh");
        }
        (None, Some(raw)) => {
            xml::open(out, "ns1", "NgayThangNamSinh");
            xml::element(out, "ns1", "NgayThangNam", raw);
            xml::close_tag(out, "ns1", "NgayThangNamSinh");
        }
        (None, None) => {}
    }
    encode_address(out, "NoiDangKyKhaiSinh", r.birth_registration.as_ref());
    encode_address(out, "QueQuan", r.hometown.as_ref());
    encode_address(out, "ThuongTru", r.permanent.as_ref());
    encode_address(out, "NoiOHienTai", r.current.as_ref());
    encode_relative(out, r, "Cha", Person::Father, r.father.as_ref());
    encode_relative(out, r, "Me", Person::Mother, r.mother.as_ref());
    encode_relative(out, r, "VoChong", Person::Spouse, r.spouse.as_ref());
    encode_relative(
        out,
        r,
        "NguoiDaiDien",
        Person::Representative,
        r.representative.as_ref(),
    );
    if let Some(h) = &r.household_head {
        let [n, id, cmnd] = encode_identity(
            r,
            Person::HouseholdHead,
            h.name.as_ref(),
            h.personal_id.as_ref(),
            h.cmnd.as_ref(),
        );
        xml::open(out, "ns1", "ChuHo");
        opt_element(out, "QuanHe", h.relation.as_deref());
        xml::element(out, "ns1", "SoDinhDanh", &id);
        xml::element(out, "ns1", "SoCMND", &cmnd);
        xml::element(out, "ns1", "HoVaTen", &n);
        xml::close_tag(out, "ns1", "ChuHo");
    }
    if r.household_head.is_some() || r.household_book.is_some() {
        opt_element(out, "SoSoHoKhau", r.household_book.as_deref());
    }
    for (element, value) in [
        ("LoaiTaiKhoan", &r.account_type),
        ("MaSoThue", &r.tax_code),
        ("ThuDienTu", &r.email),
    ] {
        if let Some(v) = value {
            xml::element(out, "ns1", element, v);
        }
    }
    xml::close_tag(out, "ns1", "CongDan");
}
