//! The SOAP 1.1 codec of the population-database contract, both directions.
//!
//! The client side ([`encode_request`], [`decode_lookup_response`],
//! [`decode_check_response`]) is what the LGSP and C06 gateways put on the
//! wire. The server side ([`decode_request`], [`encode_lookup_response`],
//! [`encode_check_response`], [`encode_fault`]) is what a gateway would do:
//! the sandbox and the wiremock responders use it to play the other end.
//!
//! Decoders are namespace-aware (any prefix, default namespaces), ignore
//! whitespace and element order in answers, treat empty and missing
//! elements alike, and convert every field through the core's parsers. They
//! never panic: bad input is a [`DecodeError`] (answers) or a
//! [`RequestFault`] (requests).
//!
//! ```
//! use dancu_popdb::gateway::soap::{decode_lookup_response, LookupAnswer, SoapReply};
//! let body = br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
//!   <CongdanCollection xmlns="http://www.mic.gov.vn/dancu/1.0" SoCongDan="0"
//!     ThoiDiemDuLieu="2026-11-20T08:00:00"/></s:Body></s:Envelope>"#;
//! let SoapReply::Answer(LookupAnswer { record, as_of }) = decode_lookup_response(body).unwrap()
//! else { panic!("not an answer") };
//! assert!(record.is_none());
//! assert_eq!(as_of.as_deref(), Some("2026-11-20T08:00:00"));
//! ```

use std::fmt;
use std::str::FromStr;

use dancu_core::registry::{
    CitizenRecord, HouseholdHead, IdentityQuery, LookupKey, Operation, RecordAddress,
    RegistryError, Relative, RequestContext,
};
use dancu_core::{
    BirthDate, CalendarDate, Cmnd, FullName, GenderCode, IdNumber, PersonalId, Precision,
};

use super::xml::{self, Node, Ns};

pub use super::xml::{BCA_NS, MIC_NS, SOAP_NS};

/// How the name is written in `HoVaTen`: always upper case with single
/// spaces; with diacritics (`NGUYỄN VĂN AN`) or folded to ASCII
/// (`NGUYEN VAN AN`, Đ→D), per gateway.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum NameForm {
    /// With diacritics (the default).
    #[default]
    Accented,
    /// Folded to ASCII.
    Unaccented,
}

impl NameForm {
    /// `accented` or `unaccented`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Accented => "accented",
            Self::Unaccented => "unaccented",
        }
    }

    /// The name as this form sends it.
    #[must_use]
    pub fn render(self, name: &FullName) -> String {
        match self {
            Self::Accented => name.to_wire_upper(),
            Self::Unaccented => name.folded_key(),
        }
    }
}

impl FromStr for NameForm {
    type Err = RegistryError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "accented" => Ok(Self::Accented),
            "unaccented" => Ok(Self::Unaccented),
            _ => Err(RegistryError::Configuration {
                reason: "name_form is `accented` or `unaccented`".to_owned(),
            }),
        }
    }
}

/// What a gateway's requests carry besides the query: integration codes,
/// the name form, and whether `MaDonVi` is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodeConfig {
    /// `MaTichHop` of the full lookup (default `037`).
    pub lookup_code: String,
    /// `MaTichHop` of the yes/no check (default `033`).
    pub verify_code: String,
    /// How `HoVaTen` is written.
    pub name_form: NameForm,
    /// Whether `MaDonVi` is sent when the context has a unit (default true).
    pub send_unit: bool,
}

impl Default for EncodeConfig {
    fn default() -> Self {
        Self {
            lookup_code: "037".to_owned(),
            verify_code: "033".to_owned(),
            name_form: NameForm::Accented,
            send_unit: true,
        }
    }
}

impl EncodeConfig {
    /// The `MaTichHop` of an operation.
    #[must_use]
    pub fn integration_code(&self, op: Operation) -> &str {
        match op {
            Operation::Lookup => &self.lookup_code,
            Operation::Check => &self.verify_code,
        }
    }
}

/// The SOAP body element of an operation.
#[must_use]
pub const fn operation_element(op: Operation) -> &'static str {
    match op {
        Operation::Lookup => "TraCuuThongTinCongDan",
        Operation::Check => "XacThucThongTinCongDan",
    }
}

/// Encodes a request envelope, children in the contract's order: `MaYeuCau`,
/// `MaDVC`, `MaTichHop`, `MaCanBo`, `MaDonVi` (when configured and known),
/// `SoDinhDanh` or `SoCMND`, `HoVaTen`, `NgayThangNamSinh` (`NgayThangNam`
/// for a full date, `Nam` otherwise). Everything is XML-escaped.
#[must_use]
pub fn encode_request(
    op: Operation,
    ctx: &RequestContext,
    query: &IdentityQuery,
    cfg: &EncodeConfig,
) -> String {
    let mut out = String::with_capacity(768);
    out.push_str(r#"<?xml version="1.0" encoding="utf-8"?>"#);
    out.push_str(r#"<soapenv:Envelope xmlns:soapenv=""#);
    out.push_str(SOAP_NS);
    out.push_str(r#"" xmlns:dan=""#);
    out.push_str(BCA_NS);
    out.push_str(r#""><soapenv:Body>"#);
    let root = operation_element(op);
    xml::open(&mut out, "dan", root);
    xml::element(&mut out, "dan", "MaYeuCau", &ctx.request_id().to_string());
    xml::element(&mut out, "dan", "MaDVC", ctx.procedure().as_str());
    xml::element(&mut out, "dan", "MaTichHop", cfg.integration_code(op));
    xml::element(&mut out, "dan", "MaCanBo", ctx.officer().as_str());
    if let (true, Some(unit)) = (cfg.send_unit, ctx.unit()) {
        xml::element(&mut out, "dan", "MaDonVi", unit.as_str());
    }
    match query.key() {
        LookupKey::PersonalId(p) => xml::element(&mut out, "dan", "SoDinhDanh", p.as_str()),
        LookupKey::Cmnd(c) => xml::element(&mut out, "dan", "SoCMND", c.as_str()),
    }
    xml::element(
        &mut out,
        "dan",
        "HoVaTen",
        &cfg.name_form.render(query.name()),
    );
    xml::open(&mut out, "dan", "NgayThangNamSinh");
    match query.birth_date().to_yyyymmdd() {
        Some(d) => xml::element(&mut out, "dan", "NgayThangNam", &d),
        None => xml::element(
            &mut out,
            "dan",
            "Nam",
            &format!("{:04}", query.birth_date().year()),
        ),
    }
    xml::close_tag(&mut out, "dan", "NgayThangNamSinh");
    xml::close_tag(&mut out, "dan", root);
    out.push_str("</soapenv:Body></soapenv:Envelope>");
    out
}

/// Why an answer could not be decoded. Messages name the problem, never a
/// value from the answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// Not XML the codec can read.
    #[error("{0}")]
    Xml(String),
    /// Not a SOAP 1.1 envelope with a body.
    #[error("not a SOAP 1.1 envelope with a body")]
    NotSoap,
    /// The body holds something other than the expected answer.
    #[error("expected {expected}, found element {found}")]
    Unexpected {
        /// What was expected.
        expected: &'static str,
        /// The local name found.
        found: String,
    },
    /// A mandatory element is missing or empty.
    #[error("missing element {0}")]
    Missing(&'static str),
    /// A field does not parse.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The element or attribute.
        field: &'static str,
        /// What is wrong (from the core's parsers; never the value).
        reason: String,
    },
}

impl From<DecodeError> for RegistryError {
    fn from(e: DecodeError) -> Self {
        Self::InvalidResponse {
            reason: e.to_string(),
        }
    }
}

fn invalid(field: &'static str, reason: impl fmt::Display) -> DecodeError {
    DecodeError::Invalid {
        field,
        reason: reason.to_string(),
    }
}

/// The kind of a SOAP fault, from its `faultcode` (any prefix, any dotted
/// sub-code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FaultCode {
    /// `Client`: the gateway refused the request; do not retry.
    Client,
    /// `Server`: the gateway failed; transient.
    Server,
    /// Another code (`VersionMismatch`, `MustUnderstand`, …): our envelope
    /// is not what the gateway speaks; not transient.
    Other,
}

impl FaultCode {
    /// Classifies a `faultcode` value such as `soapenv:Client` or
    /// `SOAP-ENV:Server.Timeout`.
    #[must_use]
    pub fn classify(code: &str) -> Self {
        let local = code.trim().rsplit(':').next().unwrap_or("");
        match local.split('.').next().unwrap_or("") {
            "Client" => Self::Client,
            "Server" => Self::Server,
            _ => Self::Other,
        }
    }

    /// The unprefixed code written by [`encode_fault`].
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Client => "Client",
            Self::Server => "Server",
            Self::Other => "VersionMismatch",
        }
    }
}

/// A SOAP fault from a gateway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SoapFault {
    /// The classified `faultcode`.
    pub code: FaultCode,
    /// `faultstring`, with any run of 9 or more digits masked (a gateway
    /// may echo an ID number).
    pub text: String,
}

impl SoapFault {
    /// The error a caller sees: `Client` → rejected, `Server` →
    /// unavailable (transient), anything else → rejected.
    #[must_use]
    pub fn into_error(self) -> RegistryError {
        match self.code {
            FaultCode::Server => RegistryError::Unavailable {
                reason: format!("server fault: {}", self.text),
            },
            FaultCode::Client | FaultCode::Other => RegistryError::Rejected { fault: self.text },
        }
    }
}

/// Masks every run of 9 or more ASCII digits but its last 4, so fault
/// texts that echo an ID number do not carry it into logs or errors.
#[must_use]
pub fn mask_digit_runs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= 9 {
            out.extend(std::iter::repeat_n('*', run.len() - 4));
            out.push_str(&run[run.len() - 4..]);
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// An answer or a fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SoapReply<T> {
    /// The answer the operation defines.
    Answer(T),
    /// A SOAP fault.
    Fault(SoapFault),
}

/// A decoded full-lookup answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LookupAnswer {
    /// The citizen, or `None` for "not found" (`SoCongDan="0"` or no
    /// `CongDan`).
    pub record: Option<Box<CitizenRecord>>,
    /// `ThoiDiemDuLieu`, the data's as-of time, as sent.
    pub as_of: Option<String>,
}

const ANSWER_NS: &[Ns] = &[Ns::Mic, Ns::None];

fn body<'n, 'a>(root: &'n Node<'a>) -> Result<&'n Node<'a>, DecodeError> {
    if !root.is(Ns::Soap, "Envelope") {
        return Err(DecodeError::NotSoap);
    }
    let body = root
        .children
        .iter()
        .find(|c| c.is(Ns::Soap, "Body"))
        .ok_or(DecodeError::NotSoap)?;
    body.children.first().ok_or(DecodeError::Unexpected {
        expected: "an answer in the SOAP body",
        found: "nothing".to_owned(),
    })
}

fn fault(node: &Node) -> Option<SoapFault> {
    if !node.is(Ns::Soap, "Fault") {
        return None;
    }
    // faultcode and faultstring are unqualified in SOAP 1.1; accept them
    // qualified too.
    let nss = [Ns::None, Ns::Soap];
    let code = node.child_text(&nss, "faultcode").unwrap_or("");
    let text = node.child_text(&nss, "faultstring").unwrap_or("");
    Some(SoapFault {
        code: FaultCode::classify(code),
        text: mask_digit_runs(text),
    })
}

fn parse_xml(bytes: &[u8]) -> Result<Node<'_>, DecodeError> {
    xml::parse(bytes).map_err(|e| DecodeError::Xml(e.to_string()))
}

/// Decodes a full-lookup answer: a `CongdanCollection` or a SOAP fault.
///
/// # Errors
///
/// [`DecodeError`] when the bytes are not the contract's answer, or a
/// mandatory field (`SoDinhDanh`, `HoVaTen`, `GioiTinh`, `NgayThangNamSinh`)
/// is missing or does not parse.
pub fn decode_lookup_response(bytes: &[u8]) -> Result<SoapReply<LookupAnswer>, DecodeError> {
    let root = parse_xml(bytes)?;
    let node = body(&root)?;
    if let Some(f) = fault(node) {
        return Ok(SoapReply::Fault(f));
    }
    decode_collection_node(node).map(SoapReply::Answer)
}

/// Decodes a bare `CongdanCollection` document (as the provincial JSON
/// gateway sends it inside `message`), or one wrapped in a SOAP envelope.
///
/// # Errors
///
/// As [`decode_lookup_response`]; a SOAP fault here is an error too.
pub fn decode_collection(bytes: &[u8]) -> Result<LookupAnswer, DecodeError> {
    let root = parse_xml(bytes)?;
    if root.is(Ns::Soap, "Envelope") {
        let node = body(&root)?;
        if let Some(f) = fault(node) {
            return Err(DecodeError::Unexpected {
                expected: "CongdanCollection",
                found: format!("Fault ({})", f.code.as_str()),
            });
        }
        return decode_collection_node(node);
    }
    decode_collection_node(&root)
}

/// Decodes a yes/no answer (`KetQuaXacThucResponse`/`TonTai`) or a fault.
///
/// # Errors
///
/// [`DecodeError`] when the bytes are not that answer, or `TonTai` is not an
/// `xs:boolean`.
pub fn decode_check_response(bytes: &[u8]) -> Result<SoapReply<bool>, DecodeError> {
    let root = parse_xml(bytes)?;
    let node = body(&root)?;
    if let Some(f) = fault(node) {
        return Ok(SoapReply::Fault(f));
    }
    decode_check_node(node).map(SoapReply::Answer)
}

/// Whether the answer document is a yes: a `KetQuaXacThucResponse` with
/// `TonTai`, or a `CongdanCollection` that holds a citizen. Used by the
/// provincial gateway, whose check answer carries either.
///
/// # Errors
///
/// As [`decode_check_response`] and [`decode_collection`].
pub fn decode_check_document(bytes: &[u8]) -> Result<bool, DecodeError> {
    let root = parse_xml(bytes)?;
    let node = if root.is(Ns::Soap, "Envelope") {
        body(&root)?
    } else {
        &root
    };
    if node.local == "CongdanCollection" {
        return decode_collection_node(node).map(|a| a.record.is_some());
    }
    decode_check_node(node)
}

fn decode_check_node(node: &Node) -> Result<bool, DecodeError> {
    if !(node.is(Ns::Bca, "KetQuaXacThucResponse")) {
        return Err(DecodeError::Unexpected {
            expected: "KetQuaXacThucResponse",
            found: node.local.to_string(),
        });
    }
    // xs:boolean is `true`/`false`/`1`/`0`; some stacks capitalise it.
    match node.child_text(&[Ns::Bca, Ns::None], "TonTai") {
        Some(t) if t.eq_ignore_ascii_case("true") || t == "1" => Ok(true),
        Some(t) if t.eq_ignore_ascii_case("false") || t == "0" => Ok(false),
        Some(_) => Err(invalid("TonTai", "not true or false")),
        None => Err(DecodeError::Missing("TonTai")),
    }
}

fn is_datetime(s: &str) -> bool {
    // xs:dateTime: yyyy-mm-ddThh:mm:ss, optional fraction and zone.
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() < 19
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
        || b[10] != b'T'
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest.as_bytes() {
        [] | [b'Z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit()),
        _ => false,
    }
}

fn decode_collection_node(node: &Node) -> Result<LookupAnswer, DecodeError> {
    if !node.is(Ns::Mic, "CongdanCollection") {
        return Err(DecodeError::Unexpected {
            expected: "CongdanCollection",
            found: node.local.to_string(),
        });
    }
    let as_of = match node.attr("ThoiDiemDuLieu").map(str::trim) {
        None | Some("") => None,
        Some(t) if is_datetime(t) => Some(t.to_owned()),
        Some(_) => return Err(invalid("ThoiDiemDuLieu", "not an xs:dateTime")),
    };
    let count = match node.attr("SoCongDan").map(str::trim) {
        None | Some("") => None,
        Some(n) => Some(
            n.parse::<u32>()
                .map_err(|_| invalid("SoCongDan", "not a count"))?,
        ),
    };
    let citizens: Vec<&Node> = node
        .children
        .iter()
        .filter(|c| c.local == "CongDan" && c.ns.is_some_and(|n| ANSWER_NS.contains(&n)))
        .collect();
    let record = match (count, citizens.as_slice()) {
        (Some(0) | None, []) => None,
        (Some(n), []) => {
            return Err(invalid(
                "SoCongDan",
                format!("says {n} citizens but none is given"),
            ));
        }
        (Some(0), [_, ..]) => {
            return Err(invalid("SoCongDan", "says 0 but a citizen is given"));
        }
        (_, [one]) => {
            let mut record = decode_citizen(one)?;
            record.as_of.clone_from(&as_of);
            Some(Box::new(record))
        }
        (_, [_, _, ..]) => {
            return Err(invalid(
                "CongdanCollection",
                "more than one citizen in a lookup answer",
            ));
        }
    };
    Ok(LookupAnswer { record, as_of })
}

fn today() -> CalendarDate {
    CalendarDate::today_in_vietnam()
}

fn opt_text(node: &Node, local: &str) -> Option<String> {
    node.child_text(ANSWER_NS, local).map(str::to_owned)
}

fn personal_id(node: &Node, field: &'static str) -> Result<Option<PersonalId>, DecodeError> {
    node.child_text(ANSWER_NS, field)
        .map(|t| PersonalId::parse_on(t, today()).map_err(|e| invalid(field, e)))
        .transpose()
}

fn cmnd(node: &Node) -> Result<Option<Cmnd>, DecodeError> {
    node.child_text(ANSWER_NS, "SoCMND")
        .map(|t| t.parse::<Cmnd>().map_err(|e| invalid("SoCMND", e)))
        .transpose()
}

/// A name given either as text or as `Ho`/`ChuDem`/`Ten` children.
fn name(node: &Node, field: &'static str) -> Result<Option<FullName>, DecodeError> {
    let Some(n) = node.child(ANSWER_NS, field) else {
        return Ok(None);
    };
    let parts = ["Ho", "ChuDem", "Ten"].map(|p| n.child_text(ANSWER_NS, p).unwrap_or(""));
    let has_parts = n
        .children
        .iter()
        .any(|c| matches!(c.local.as_ref(), "Ho" | "ChuDem" | "Ten"));
    if has_parts {
        if parts.iter().all(|p| p.is_empty()) {
            return Ok(None);
        }
        return FullName::from_parts(parts[0], parts[1], parts[2])
            .map(Some)
            .map_err(|e| invalid(field, e));
    }
    match n.text.trim() {
        "" => Ok(None),
        t => FullName::parse(t).map(Some).map_err(|e| invalid(field, e)),
    }
}

fn birth_date(node: &Node) -> Result<BirthDate, DecodeError> {
    let n = node
        .child(ANSWER_NS, "NgayThangNamSinh")
        .ok_or(DecodeError::Missing("NgayThangNamSinh"))?;
    let year = n.child_text(ANSWER_NS, "Nam");
    let full = n.child_text(ANSWER_NS, "NgayThangNam");
    let year = year
        .map(|y| {
            if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) {
                BirthDate::from_str(y).map_err(|e| invalid("Nam", e))
            } else {
                Err(invalid("Nam", "not a 4-digit year"))
            }
        })
        .transpose()?;
    match (full, year) {
        (Some(f), year) => {
            if f.len() != 8 || !f.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid("NgayThangNam", "not yyyyMMdd"));
            }
            let date = BirthDate::from_str(f).map_err(|e| invalid("NgayThangNam", e))?;
            if date.precision() != Precision::Day {
                return Err(invalid("NgayThangNam", "not a full date"));
            }
            if year.is_some_and(|y| y.year() != date.year()) {
                return Err(invalid("NgayThangNamSinh", "Nam and NgayThangNam disagree"));
            }
            Ok(date)
        }
        (None, Some(y)) => Ok(y),
        (None, None) => Err(DecodeError::Missing("Nam")),
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

fn relative(node: &Node, field: &'static str) -> Result<Option<Relative>, DecodeError> {
    let Some(r) = node.child(ANSWER_NS, field) else {
        return Ok(None);
    };
    let rel = Relative {
        name: name(r, "HoVaTen")?,
        nationality: opt_text(r, "QuocTich"),
        personal_id: personal_id(r, "SoDinhDanh")?,
        cmnd: cmnd(r)?,
    };
    let empty = rel.name.is_none()
        && rel.nationality.is_none()
        && rel.personal_id.is_none()
        && rel.cmnd.is_none();
    Ok((!empty).then_some(rel))
}

fn decode_citizen(c: &Node) -> Result<CitizenRecord, DecodeError> {
    let id = personal_id(c, "SoDinhDanh")?.ok_or(DecodeError::Missing("SoDinhDanh"))?;
    let full_name = name(c, "HoVaTen")?.ok_or(DecodeError::Missing("HoVaTen"))?;
    let gender = c
        .child_text(ANSWER_NS, "GioiTinh")
        .ok_or(DecodeError::Missing("GioiTinh"))?
        .parse::<GenderCode>()
        .map_err(|e| invalid("GioiTinh", e))?;
    let birth = birth_date(c)?;
    let mut r = CitizenRecord::new(id, full_name, gender, birth);
    r.cmnd = cmnd(c)?;
    r.ethnicity = opt_text(c, "DanToc");
    r.religion = opt_text(c, "TonGiao");
    r.nationality = opt_text(c, "QuocTich");
    r.marital_status = opt_text(c, "TinhTrangHonNhan");
    r.blood_group = opt_text(c, "NhomMau");
    r.birth_registration = address(c, "NoiDangKyKhaiSinh");
    r.hometown = address(c, "QueQuan");
    r.permanent = address(c, "ThuongTru");
    r.current = address(c, "NoiOHienTai");
    r.father = relative(c, "Cha")?;
    r.mother = relative(c, "Me")?;
    r.spouse = relative(c, "VoChong")?;
    r.representative = relative(c, "NguoiDaiDien")?;
    if let Some(h) = c.child(ANSWER_NS, "ChuHo") {
        let head = HouseholdHead {
            relation: opt_text(h, "QuanHe"),
            personal_id: personal_id(h, "SoDinhDanh")?,
            cmnd: cmnd(h)?,
            name: name(h, "HoVaTen")?,
        };
        let empty = head.relation.is_none()
            && head.personal_id.is_none()
            && head.cmnd.is_none()
            && head.name.is_none();
        if !empty {
            r.household_head = Some(head);
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

/// The number a request names.
#[derive(Clone, PartialEq, Eq)]
pub enum WireKey {
    /// `SoDinhDanh`: 12 digits.
    PersonalId(String),
    /// `SoCMND`: 9 digits.
    Cmnd(String),
}

/// The birth date a request carries.
#[derive(Clone, PartialEq, Eq)]
pub enum WireBirth {
    /// `Nam`: `yyyy`.
    Year(String),
    /// `NgayThangNam`: `yyyyMMdd`.
    Date(String),
}

impl fmt::Debug for WireKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PersonalId(_) => f.write_str("SoDinhDanh(<hidden>)"),
            Self::Cmnd(_) => f.write_str("SoCMND(<hidden>)"),
        }
    }
}

impl fmt::Debug for WireBirth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Year(_) => f.write_str("Nam(<hidden>)"),
            Self::Date(_) => f.write_str("NgayThangNam(<hidden>)"),
        }
    }
}

/// A request as a gateway receives it, validated against the contract's
/// schema (element order, required elements, exactly one key). `Debug`
/// hides the ID, the name and the birth date.
#[derive(Clone, PartialEq, Eq)]
pub struct WireRequest {
    /// The operation.
    pub operation: Operation,
    /// `MaYeuCau`.
    pub request_id: String,
    /// `MaDVC`.
    pub procedure: String,
    /// `MaTichHop`.
    pub integration_code: String,
    /// `MaCanBo`.
    pub officer: String,
    /// `MaDonVi`.
    pub unit: Option<String>,
    /// `SoDinhDanh` or `SoCMND`.
    pub key: WireKey,
    /// `HoVaTen`, as sent.
    pub name: String,
    /// `NgayThangNamSinh`.
    pub birth: WireBirth,
}

impl fmt::Debug for WireRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WireRequest")
            .field("operation", &self.operation)
            .field("request_id", &self.request_id)
            .field("procedure", &self.procedure)
            .field("integration_code", &self.integration_code)
            .field("officer", &self.officer)
            .field("unit", &self.unit)
            .field("key", &self.key)
            .field("name", &"<hidden>")
            .field("birth", &self.birth)
            .finish()
    }
}

/// Why a gateway refuses a request: the fault it answers with.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code:?} fault: {text}")]
pub struct RequestFault {
    /// `Client` for a bad request.
    pub code: FaultCode,
    /// The fault text, naming the problem.
    pub text: String,
}

impl RequestFault {
    fn client(text: impl Into<String>) -> Self {
        Self {
            code: FaultCode::Client,
            text: text.into(),
        }
    }

    /// The fault as a SOAP envelope ([`encode_fault`]).
    #[must_use]
    pub fn to_envelope(&self) -> String {
        encode_fault(self.code, &self.text)
    }
}

impl WireRequest {
    /// The query the request asks, through the core's parsers (personal IDs
    /// checked against `on`).
    ///
    /// # Errors
    ///
    /// A `Client` [`RequestFault`] naming the field that does not parse.
    pub fn to_query(&self, on: CalendarDate) -> Result<IdentityQuery, RequestFault> {
        let id = match &self.key {
            WireKey::PersonalId(s) => PersonalId::parse_on(s, on)
                .map(IdNumber::PersonalId)
                .map_err(|e| RequestFault::client(format!("SoDinhDanh: {e}")))?,
            WireKey::Cmnd(s) => s
                .parse::<Cmnd>()
                .map(IdNumber::Cmnd)
                .map_err(|e| RequestFault::client(format!("SoCMND: {e}")))?,
        };
        let name = FullName::parse(&self.name)
            .map_err(|e| RequestFault::client(format!("HoVaTen: {e}")))?;
        let birth = match &self.birth {
            WireBirth::Year(y) | WireBirth::Date(y) => y
                .parse::<BirthDate>()
                .map_err(|e| RequestFault::client(format!("NgayThangNamSinh: {e}")))?,
        };
        IdentityQuery::new(id, name, birth).map_err(|e| RequestFault::client(e.to_string()))
    }

    /// The request context the request carries (request id, officer, unit,
    /// procedure).
    ///
    /// # Errors
    ///
    /// A `Client` [`RequestFault`] naming the field that does not parse.
    pub fn to_context(&self) -> Result<RequestContext, RequestFault> {
        let procedure = self
            .procedure
            .parse()
            .map_err(|e| RequestFault::client(format!("MaDVC: {e}")))?;
        let id = self
            .request_id
            .parse()
            .map_err(|e| RequestFault::client(format!("MaYeuCau: {e}")))?;
        let mut ctx = RequestContext::new(&self.officer, procedure)
            .map_err(|e| RequestFault::client(format!("MaCanBo: {e}")))?
            .with_request_id(id);
        if let Some(unit) = &self.unit {
            ctx = ctx.with_unit(
                unit.parse()
                    .map_err(|e| RequestFault::client(format!("MaDonVi: {e}")))?,
            );
        }
        Ok(ctx)
    }
}

/// The request's elements in schema order; `SoDinhDanh`/`SoCMND` share slot 5.
const SEQUENCE: [(&str, bool); 8] = [
    ("MaYeuCau", true),
    ("MaDVC", true),
    ("MaTichHop", true),
    ("MaCanBo", true),
    ("MaDonVi", false),
    ("SoDinhDanh|SoCMND", true),
    ("HoVaTen", true),
    ("NgayThangNamSinh", true),
];

fn slot(local: &str) -> Option<usize> {
    match local {
        "SoDinhDanh" | "SoCMND" => Some(5),
        _ => SEQUENCE.iter().position(|(n, _)| *n == local),
    }
}

fn simple_text<'n>(node: &'n Node<'_>) -> Result<&'n str, RequestFault> {
    if let Some(c) = node.children.first() {
        return Err(RequestFault::client(format!(
            "element {} cannot contain element {}",
            node.local, c.local
        )));
    }
    Ok(node.text.trim())
}

fn digits_of(value: &str, n: usize, field: &str) -> Result<String, RequestFault> {
    if value.len() == n && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(value.to_owned())
    } else {
        Err(RequestFault::client(format!("{field} must be {n} digits")))
    }
}

/// Decodes and validates a request as an XSD-validating gateway would:
/// a SOAP 1.1 envelope whose body holds one operation element in
/// `http://dancuquocgia.bca`, children in the contract's order, every
/// required element present and non-empty, exactly one of `SoDinhDanh` and
/// `SoCMND`, and exactly one of `Nam` and `NgayThangNam`.
///
/// # Errors
///
/// A `Client` [`RequestFault`] whose text names the problem.
pub fn decode_request(bytes: &[u8]) -> Result<WireRequest, RequestFault> {
    let root = xml::parse(bytes).map_err(|e| RequestFault::client(e.to_string()))?;
    if !root.is(Ns::Soap, "Envelope") {
        return Err(RequestFault::client("not a SOAP 1.1 envelope"));
    }
    let mut parts = root.children.iter();
    let mut next = parts.next();
    if next.is_some_and(|n| n.is(Ns::Soap, "Header")) {
        next = parts.next();
    }
    let body = next
        .filter(|n| n.is(Ns::Soap, "Body"))
        .ok_or_else(|| RequestFault::client("the envelope has no Body"))?;
    if let Some(extra) = parts.next() {
        return Err(RequestFault::client(format!(
            "unexpected element {} after Body",
            extra.local
        )));
    }
    let op_node = match body.children.as_slice() {
        [one] => one,
        [] => return Err(RequestFault::client("the Body is empty")),
        _ => return Err(RequestFault::client("the Body holds more than one element")),
    };
    let operation = match (op_node.ns, op_node.local.as_ref()) {
        (Some(Ns::Bca), "TraCuuThongTinCongDan") => Operation::Lookup,
        (Some(Ns::Bca), "XacThucThongTinCongDan") => Operation::Check,
        _ => {
            return Err(RequestFault::client(format!(
                "unknown operation {}",
                op_node.local
            )));
        }
    };
    if !op_node.text.trim().is_empty() {
        return Err(RequestFault::client(format!(
            "text is not allowed between the elements of {}",
            op_node.local
        )));
    }
    let mut values: [Option<&Node>; 8] = [None; 8];
    let mut cursor = 0;
    for child in &op_node.children {
        if child.ns != Some(Ns::Bca) {
            return Err(RequestFault::client(format!(
                "element {} is not in namespace {BCA_NS}",
                child.local
            )));
        }
        let pos = slot(&child.local)
            .ok_or_else(|| RequestFault::client(format!("unexpected element {}", child.local)))?;
        if pos < cursor {
            return Err(if pos == 5 && values[5].is_some() {
                RequestFault::client("exactly one of SoDinhDanh and SoCMND must be given")
            } else {
                RequestFault::client(format!(
                    "element {} is repeated or out of order (the contract's order is \
                     MaYeuCau, MaDVC, MaTichHop, MaCanBo, MaDonVi, SoDinhDanh|SoCMND, \
                     HoVaTen, NgayThangNamSinh)",
                    child.local
                ))
            });
        }
        if let Some((missing, _)) = SEQUENCE[cursor..pos].iter().find(|(_, req)| *req) {
            return Err(RequestFault::client(format!(
                "missing element {missing} before {}",
                child.local
            )));
        }
        values[pos] = Some(child);
        cursor = pos + 1;
    }
    if let Some((missing, _)) = SEQUENCE[cursor..].iter().find(|(_, req)| *req) {
        return Err(RequestFault::client(format!("missing element {missing}")));
    }
    let text = |i: usize| -> Result<String, RequestFault> {
        let node = values[i].ok_or_else(|| RequestFault::client("missing element"))?;
        let t = simple_text(node)?;
        if t.is_empty() {
            return Err(RequestFault::client(format!(
                "element {} is empty",
                node.local
            )));
        }
        Ok(t.to_owned())
    };
    let request_id = text(0)?;
    let procedure = text(1)?;
    let integration_code = text(2)?;
    let officer = text(3)?;
    let unit = values[4].map(|_| text(4)).transpose()?;
    let key_node = values[5].ok_or_else(|| RequestFault::client("missing element SoDinhDanh"))?;
    let key_text = text(5)?;
    let key = if key_node.local == "SoDinhDanh" {
        WireKey::PersonalId(digits_of(&key_text, 12, "SoDinhDanh")?)
    } else {
        WireKey::Cmnd(digits_of(&key_text, 9, "SoCMND")?)
    };
    let name = text(6)?;
    let birth_node =
        values[7].ok_or_else(|| RequestFault::client("missing element NgayThangNamSinh"))?;
    let birth = match birth_node.children.as_slice() {
        [one] if one.ns == Some(Ns::Bca) && one.local == "Nam" => {
            WireBirth::Year(digits_of(simple_text(one)?, 4, "Nam")?)
        }
        [one] if one.ns == Some(Ns::Bca) && one.local == "NgayThangNam" => {
            WireBirth::Date(digits_of(simple_text(one)?, 8, "NgayThangNam")?)
        }
        [] => {
            return Err(RequestFault::client(
                "NgayThangNamSinh must contain Nam or NgayThangNam",
            ));
        }
        [one] => {
            return Err(RequestFault::client(format!(
                "unexpected element {} in NgayThangNamSinh",
                one.local
            )));
        }
        _ => {
            return Err(RequestFault::client(
                "NgayThangNamSinh must contain exactly one of Nam and NgayThangNam",
            ));
        }
    };
    Ok(WireRequest {
        operation,
        request_id,
        procedure,
        integration_code,
        officer,
        unit,
        key,
        name,
        birth,
    })
}

fn envelope_open(out: &mut String) {
    out.push_str(r#"<?xml version="1.0" encoding="utf-8"?>"#);
    out.push_str(r#"<soapenv:Envelope xmlns:soapenv=""#);
    out.push_str(SOAP_NS);
    out.push_str(r#""><soapenv:Body>"#);
}

fn envelope_close(out: &mut String) {
    out.push_str("</soapenv:Body></soapenv:Envelope>");
}

fn opt_element(out: &mut String, name: &str, value: Option<&str>) {
    xml::element(out, "ns1", name, value.unwrap_or(""));
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

fn encode_relative(out: &mut String, name: &str, r: Option<&Relative>) {
    let Some(r) = r else { return };
    xml::open(out, "ns1", name);
    opt_element(
        out,
        "HoVaTen",
        r.name.as_ref().map(FullName::to_wire_upper).as_deref(),
    );
    opt_element(out, "QuocTich", r.nationality.as_deref());
    opt_element(
        out,
        "SoDinhDanh",
        r.personal_id.as_ref().map(PersonalId::as_str),
    );
    opt_element(out, "SoCMND", r.cmnd.as_ref().map(Cmnd::as_str));
    xml::close_tag(out, "ns1", name);
}

/// Encodes a full-lookup answer: a `CongdanCollection` with the citizen, or
/// an empty one (`SoCongDan="0"`) for `None`. `as_of` is `ThoiDiemDuLieu`.
#[must_use]
pub fn encode_lookup_response(record: Option<&CitizenRecord>, as_of: &str) -> String {
    let mut out = String::with_capacity(3072);
    envelope_open(&mut out);
    encode_collection_into(&mut out, record, as_of);
    envelope_close(&mut out);
    out
}

/// Encodes the bare `CongdanCollection` document (what the provincial
/// JSON gateway puts in `message`).
#[must_use]
pub fn encode_collection(record: Option<&CitizenRecord>, as_of: &str) -> String {
    let mut out = String::with_capacity(3072);
    encode_collection_into(&mut out, record, as_of);
    out
}

fn encode_collection_into(out: &mut String, record: Option<&CitizenRecord>, as_of: &str) {
    out.push_str(r#"<ns1:CongdanCollection xmlns:ns1=""#);
    out.push_str(MIC_NS);
    out.push_str(r#"" SoCongDan=""#);
    out.push_str(if record.is_some() { "1" } else { "0" });
    out.push_str(r#"" ThoiDiemDuLieu=""#);
    xml::escape_into(out, as_of);
    out.push('"');
    let Some(r) = record else {
        out.push_str("/>");
        return;
    };
    out.push('>');
    xml::open(out, "ns1", "CongDan");
    xml::element(out, "ns1", "SoDinhDanh", r.personal_id.as_str());
    opt_element(out, "SoCMND", r.cmnd.as_ref().map(Cmnd::as_str));
    encode_name_parts(out, &r.name);
    xml::element(out, "ns1", "GioiTinh", r.gender.as_str());
    opt_element(out, "DanToc", r.ethnicity.as_deref());
    opt_element(out, "TonGiao", r.religion.as_deref());
    opt_element(out, "QuocTich", r.nationality.as_deref());
    opt_element(out, "TinhTrangHonNhan", r.marital_status.as_deref());
    opt_element(out, "NhomMau", r.blood_group.as_deref());
    xml::open(out, "ns1", "NgayThangNamSinh");
    xml::element(out, "ns1", "Nam", &format!("{:04}", r.birth_date.year()));
    opt_element(out, "NgayThangNam", r.birth_date.to_yyyymmdd().as_deref());
    xml::close_tag(out, "ns1", "NgayThangNamSinh");
    encode_address(out, "NoiDangKyKhaiSinh", r.birth_registration.as_ref());
    encode_address(out, "QueQuan", r.hometown.as_ref());
    encode_address(out, "ThuongTru", r.permanent.as_ref());
    encode_address(out, "NoiOHienTai", r.current.as_ref());
    encode_relative(out, "Cha", r.father.as_ref());
    encode_relative(out, "Me", r.mother.as_ref());
    encode_relative(out, "VoChong", r.spouse.as_ref());
    encode_relative(out, "NguoiDaiDien", r.representative.as_ref());
    if let Some(h) = &r.household_head {
        xml::open(out, "ns1", "ChuHo");
        opt_element(out, "QuanHe", h.relation.as_deref());
        opt_element(
            out,
            "SoDinhDanh",
            h.personal_id.as_ref().map(PersonalId::as_str),
        );
        opt_element(out, "SoCMND", h.cmnd.as_ref().map(Cmnd::as_str));
        opt_element(
            out,
            "HoVaTen",
            h.name.as_ref().map(FullName::to_wire_upper).as_deref(),
        );
        xml::close_tag(out, "ns1", "ChuHo");
    }
    if r.household_head.is_some() || r.household_book.is_some() {
        opt_element(out, "SoSoHoKhau", r.household_book.as_deref());
    }
    xml::close_tag(out, "ns1", "CongDan");
    xml::close_tag(out, "ns1", "CongdanCollection");
}

/// Encodes a yes/no answer (`KetQuaXacThucResponse`/`TonTai`) in an
/// envelope.
#[must_use]
pub fn encode_check_response(exists: bool) -> String {
    let mut out = String::with_capacity(320);
    envelope_open(&mut out);
    encode_check_into(&mut out, exists);
    envelope_close(&mut out);
    out
}

/// Encodes the bare `KetQuaXacThucResponse` element (what the provincial
/// JSON gateway may put in `message`).
#[must_use]
pub fn encode_check_document(exists: bool) -> String {
    let mut out = String::with_capacity(160);
    encode_check_into(&mut out, exists);
    out
}

fn encode_check_into(out: &mut String, exists: bool) {
    out.push_str(r#"<ns2:KetQuaXacThucResponse xmlns:ns2=""#);
    out.push_str(BCA_NS);
    out.push_str(r#"">"#);
    xml::element(out, "ns2", "TonTai", if exists { "true" } else { "false" });
    out.push_str("</ns2:KetQuaXacThucResponse>");
}

/// Encodes a SOAP fault with `faultcode` `soapenv:<code>` and the text.
#[must_use]
pub fn encode_fault(code: FaultCode, text: &str) -> String {
    let mut out = String::with_capacity(256 + text.len());
    envelope_open(&mut out);
    out.push_str("<soapenv:Fault><faultcode>soapenv:");
    out.push_str(code.as_str());
    out.push_str("</faultcode><faultstring>");
    xml::escape_into(&mut out, text);
    out.push_str("</faultstring></soapenv:Fault>");
    envelope_close(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use dancu_core::registry::AddressEra;

    const FOUND: &[u8] = include_bytes!("../../tests/fixtures/lookup-response-found.xml");
    const NOT_FOUND: &[u8] = include_bytes!("../../tests/fixtures/lookup-response-not-found.xml");
    const WHOLE_NAME: &[u8] =
        include_bytes!("../../tests/fixtures/lookup-response-whole-name-year-only.xml");
    const CHECK: &[u8] = include_bytes!("../../tests/fixtures/check-response.xml");
    const FAULT: &[u8] = include_bytes!("../../tests/fixtures/fault-client.xml");
    const LOOKUP_REQ: &[u8] = include_bytes!("../../tests/fixtures/lookup-request.xml");
    const CHECK_REQ: &[u8] =
        include_bytes!("../../tests/fixtures/check-request-cmnd-year-only.xml");

    fn on() -> CalendarDate {
        CalendarDate::new(2026, 11, 27).unwrap()
    }

    fn ctx(id: &str, officer: &str, procedure: &str, unit: Option<&str>) -> RequestContext {
        let mut c = RequestContext::new(officer, procedure.parse().unwrap())
            .unwrap()
            .with_request_id(id.parse().unwrap());
        if let Some(u) = unit {
            c = c.with_unit(u.parse().unwrap());
        }
        c
    }

    fn query(id: &str, name: &str, birth: &str) -> IdentityQuery {
        IdentityQuery::new(
            IdNumber::parse_on(id, on()).unwrap(),
            name.parse().unwrap(),
            birth.parse().unwrap(),
        )
        .unwrap()
    }

    fn found(bytes: &[u8]) -> LookupAnswer {
        match decode_lookup_response(bytes) {
            Ok(SoapReply::Answer(a)) => a,
            other => panic!("expected an answer, got {other:?}"),
        }
    }

    #[test]
    fn lookup_request_matches_the_sample() {
        let c = ctx(
            "7f0c2a9e-3b1d-4c55-9a61-0d2f6f1e8b42",
            "canbo.motcua01",
            "1.001776",
            Some("000.00.21.H06"),
        );
        let q = query("006089000001", "nguyễn  văn an", "12/05/1989");
        let xml = encode_request(Operation::Lookup, &c, &q, &EncodeConfig::default());
        let ours = decode_request(xml.as_bytes()).unwrap();
        let sample = decode_request(LOOKUP_REQ).unwrap();
        assert_eq!(ours, sample);
        assert_eq!(ours.name, "NGUYỄN VĂN AN");
        // The exact order of the children.
        let order = [
            "MaYeuCau",
            "MaDVC",
            "MaTichHop",
            "MaCanBo",
            "MaDonVi",
            "SoDinhDanh",
            "HoVaTen",
            "NgayThangNamSinh",
            "NgayThangNam",
        ];
        let positions: Vec<usize> = order
            .iter()
            .map(|e| xml.find(&format!("<dan:{e}>")).unwrap())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{xml}");
        assert!(xml.contains(r#"xmlns:dan="http://dancuquocgia.bca""#));
    }

    #[test]
    fn check_request_matches_the_sample_and_options_apply() {
        let c = ctx(
            "c1d8e0b7-5a0e-4e8e-8f73-2b8f0f6b6d11",
            "canbo.motcua01",
            "2.000986",
            Some("000.00.21.H06"),
        );
        let q = query("095123456", "Trần Thị Bình", "1962");
        let cfg = EncodeConfig {
            name_form: NameForm::Unaccented,
            send_unit: false,
            ..EncodeConfig::default()
        };
        let xml = encode_request(Operation::Check, &c, &q, &cfg);
        assert_eq!(
            decode_request(xml.as_bytes()).unwrap(),
            decode_request(CHECK_REQ).unwrap()
        );
        assert!(!xml.contains("MaDonVi"));
        let cfg = EncodeConfig {
            verify_code: "003".into(),
            ..EncodeConfig::default()
        };
        let xml = encode_request(Operation::Check, &c, &q, &cfg);
        let w = decode_request(xml.as_bytes()).unwrap();
        assert_eq!(w.integration_code, "003");
        assert_eq!(w.name, "TRẦN THỊ BÌNH");
        assert_eq!(w.unit.as_deref(), Some("000.00.21.H06"));
        let q = query("006089000001", "Đặng Văn Đức", "1989");
        let cfg = EncodeConfig {
            name_form: NameForm::Unaccented,
            ..EncodeConfig::default()
        };
        let w = decode_request(encode_request(Operation::Lookup, &c, &q, &cfg).as_bytes()).unwrap();
        assert_eq!(w.name, "DANG VAN DUC");
        assert_eq!(w.birth, WireBirth::Year("1989".into()));
    }

    #[test]
    fn request_fields_are_escaped() {
        let c = ctx(
            "7f0c2a9e-3b1d-4c55-9a61-0d2f6f1e8b42",
            "a&b<c>\"'",
            "1.001776",
            None,
        );
        let q = query("006089000001", "H'Hen Niê", "1962");
        let xml = encode_request(Operation::Lookup, &c, &q, &EncodeConfig::default());
        assert!(xml.contains("a&amp;b&lt;c&gt;&quot;&apos;"));
        let w = decode_request(xml.as_bytes()).unwrap();
        assert_eq!(w.officer, "a&b<c>\"'");
        assert_eq!(w.name, "H'HEN NIÊ");
        assert_eq!(w.to_context().unwrap().officer().as_str(), "a&b<c>\"'");
    }

    #[test]
    fn decodes_the_found_sample() {
        let a = found(FOUND);
        assert_eq!(a.as_of.as_deref(), Some("2026-11-20T08:00:00"));
        let r = a.record.unwrap();
        assert_eq!(r.personal_id.as_str(), "006089000001");
        assert_eq!(r.cmnd.unwrap().as_str(), "095000111");
        assert_eq!(r.name.as_str(), "NGUYỄN VĂN AN");
        assert_eq!(r.gender.as_str(), "1");
        assert_eq!(r.ethnicity.as_deref(), Some("01"));
        assert_eq!(r.religion.as_deref(), Some("00"));
        assert_eq!(r.nationality.as_deref(), Some("VN"));
        assert_eq!(r.marital_status.as_deref(), Some("2"));
        assert_eq!(r.blood_group.as_deref(), Some("00"));
        assert_eq!(r.birth_date.to_yyyymmdd().as_deref(), Some("19890512"));
        let birth = r.birth_registration.as_ref().unwrap();
        assert_eq!(birth.era, Some(AddressEra::Legacy));
        assert_eq!(birth.district.as_ref().unwrap().code, "058");
        let current = r.current.as_ref().unwrap();
        assert_eq!(current.era, Some(AddressEra::Current));
        assert!(current.district.is_none());
        assert_eq!(current.detail.as_deref(), Some("THÔN NÀ PÀI"));
        assert!(r.hometown.is_some() && r.permanent.is_some());
        let father = r.father.as_ref().unwrap();
        assert_eq!(father.name.as_ref().unwrap().as_str(), "NGUYỄN VĂN BÌNH");
        assert_eq!(father.personal_id.unwrap().as_str(), "006058000321");
        assert!(father.cmnd.is_none());
        assert!(r.mother.is_some() && r.spouse.is_some() && r.representative.is_none());
        let head = r.household_head.as_ref().unwrap();
        assert_eq!(head.relation.as_deref(), Some("CH01"));
        assert_eq!(head.personal_id.unwrap().as_str(), "006089000001");
        assert!(r.household_book.is_none());
        assert_eq!(r.as_of.as_deref(), Some("2026-11-20T08:00:00"));
    }

    #[test]
    fn decodes_whole_name_year_only_and_not_found() {
        let r = found(WHOLE_NAME).record.unwrap();
        assert_eq!(r.name.as_str(), "H'HEN NIÊ");
        assert_eq!(r.birth_date.precision(), Precision::Year);
        assert_eq!(r.birth_date.year(), 1962);
        assert!(r.cmnd.is_none() && r.nationality.is_none() && r.father.is_none());
        let a = found(NOT_FOUND);
        assert!(a.record.is_none());
        assert_eq!(a.as_of.as_deref(), Some("2026-11-20T08:00:00"));
    }

    #[test]
    fn prefixes_default_namespaces_order_and_whitespace_do_not_matter() {
        let doc = r#"<?xml version="1.0"?>
<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Header/>
 <S:Body>
  <CongdanCollection xmlns="http://www.mic.gov.vn/dancu/1.0"
      ThoiDiemDuLieu="2026-10-02T14:30:00+07:00" SoCongDan=" 1 ">
   <CongDan>
     <NgayThangNamSinh> <NgayThangNam> 19890512 </NgayThangNam> </NgayThangNamSinh>
     <GioiTinh>
       1
     </GioiTinh>
     <HoVaTen><Ten>AN</Ten><Ho>NGUYỄN</Ho><ChuDem>VĂN</ChuDem></HoVaTen>
     <x:Extra xmlns:x="urn:other">ignored</x:Extra>
     <SoDinhDanh>
        006089000001
     </SoDinhDanh>
   </CongDan>
  </CongdanCollection>
 </S:Body>
</S:Envelope>"#;
        let a = found(doc.as_bytes());
        let r = a.record.unwrap();
        // The order of Ho/ChuDem/Ten children is irrelevant: parts are looked up by name.
        assert_eq!(r.name.as_str(), "NGUYỄN VĂN AN");
        assert_eq!(r.gender.as_str(), "1");
        assert_eq!(r.birth_date.to_yyyymmdd().as_deref(), Some("19890512"));
        assert_eq!(a.as_of.as_deref(), Some("2026-10-02T14:30:00+07:00"));
        // No SoCongDan and no CongDan: not found.
        let doc = r#"<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><m:CongdanCollection xmlns:m="http://www.mic.gov.vn/dancu/1.0"></m:CongdanCollection></e:Body></e:Envelope>"#;
        assert!(found(doc.as_bytes()).record.is_none());
    }

    fn replace(from: &str, to: &str) -> Vec<u8> {
        let s = std::str::from_utf8(FOUND).unwrap();
        assert!(s.contains(from), "{from}");
        s.replacen(from, to, 1).into_bytes()
    }

    #[test]
    fn unparseable_mandatory_fields_are_invalid() {
        let cases = [
            (
                "<ns1:SoDinhDanh>006089000001</ns1:SoDinhDanh>",
                "",
                "missing element SoDinhDanh",
            ),
            (
                "<ns1:SoDinhDanh>006089000001</ns1:SoDinhDanh>",
                "<ns1:SoDinhDanh>12345</ns1:SoDinhDanh>",
                "invalid SoDinhDanh",
            ),
            (
                "<ns1:GioiTinh>1</ns1:GioiTinh>",
                "<ns1:GioiTinh></ns1:GioiTinh>",
                "missing element GioiTinh",
            ),
            (
                "<ns1:GioiTinh>1</ns1:GioiTinh>",
                "<ns1:GioiTinh>x y</ns1:GioiTinh>",
                "invalid GioiTinh",
            ),
            (
                "<ns1:NgayThangNam>19890512</ns1:NgayThangNam>",
                "<ns1:NgayThangNam>19890231</ns1:NgayThangNam>",
                "invalid NgayThangNam",
            ),
            (
                "<ns1:NgayThangNam>19890512</ns1:NgayThangNam>",
                "<ns1:NgayThangNam>1989-05-12</ns1:NgayThangNam>",
                "invalid NgayThangNam",
            ),
            (
                "<ns1:Nam>1989</ns1:Nam>",
                "<ns1:Nam>1990</ns1:Nam>",
                "disagree",
            ),
            (
                "<ns1:Nam>1989</ns1:Nam><ns1:NgayThangNam>19890512</ns1:NgayThangNam>",
                "",
                "missing element Nam",
            ),
            (
                "<ns1:Ho>NGUYỄN</ns1:Ho><ns1:ChuDem>VĂN</ns1:ChuDem><ns1:Ten>AN</ns1:Ten>",
                "<ns1:Ho/><ns1:ChuDem/><ns1:Ten/>",
                "missing element HoVaTen",
            ),
            (
                "<ns1:Ten>AN</ns1:Ten>",
                "<ns1:Ten>AN2</ns1:Ten>",
                "invalid HoVaTen",
            ),
            (
                "<ns1:SoCMND>095000111</ns1:SoCMND>",
                "<ns1:SoCMND>0950</ns1:SoCMND>",
                "invalid SoCMND",
            ),
            ("SoCongDan=\"1\"", "SoCongDan=\"0\"", "invalid SoCongDan"),
            ("SoCongDan=\"1\"", "SoCongDan=\"one\"", "invalid SoCongDan"),
            (
                "ThoiDiemDuLieu=\"2026-11-20T08:00:00\"",
                "ThoiDiemDuLieu=\"yesterday\"",
                "invalid ThoiDiemDuLieu",
            ),
            (
                "<ns1:SoDinhDanh>006058000321</ns1:SoDinhDanh>",
                "<ns1:SoDinhDanh>0060580003</ns1:SoDinhDanh>",
                "invalid SoDinhDanh",
            ),
        ];
        for (from, to, expected) in cases {
            let err = decode_lookup_response(&replace(from, to)).unwrap_err();
            assert!(err.to_string().contains(expected), "{from} -> {to}: {err}");
            // Never a value in the message.
            assert!(!err.to_string().contains("006089000001"));
        }
        let doc = std::str::from_utf8(NOT_FOUND)
            .unwrap()
            .replace("SoCongDan=\"0\"", "SoCongDan=\"1\"");
        assert!(decode_lookup_response(doc.as_bytes()).is_err());
        let s = std::str::from_utf8(FOUND).unwrap();
        let start = s.find("<ns1:CongDan>").unwrap();
        let end = s.find("</ns1:CongDan>").unwrap() + "</ns1:CongDan>".len();
        let two = format!("{}{}{}", &s[..end], &s[start..end], &s[end..]);
        assert!(
            decode_lookup_response(two.as_bytes())
                .unwrap_err()
                .to_string()
                .contains("more than one")
        );
    }

    #[test]
    fn wrong_documents_are_invalid() {
        for doc in [
            &b""[..],
            b"<html><body>502 Bad Gateway</body></html>",
            b"{\"error\": 1}",
            br#"<Envelope xmlns="urn:x"><Body/></Envelope>"#,
            br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>"#,
            br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><CongdanCollection/></s:Body></s:Envelope>"#,
            CHECK,
        ] {
            assert!(decode_lookup_response(doc).is_err());
        }
        assert!(decode_check_response(FOUND).is_err());
    }

    #[test]
    fn faults_are_classified_with_any_prefix() {
        let SoapReply::Fault(f) = decode_lookup_response(FAULT).unwrap() else {
            panic!("expected a fault")
        };
        assert_eq!(f.code, FaultCode::Client);
        assert_eq!(f.text, "MaCanBo chua duoc dang ky su dung dich vu");
        assert_eq!(
            f.clone().into_error(),
            RegistryError::Rejected {
                fault: f.text.clone()
            }
        );
        let server = encode_fault(FaultCode::Server, "DB timeout for 006089000001")
            .replace("soapenv:Server", "SOAP-ENV:Server.Timeout")
            .replace("<soapenv:Envelope xmlns:soapenv=", "<soapenv:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:soapenv=");
        let SoapReply::Fault(f) = decode_check_response(server.as_bytes()).unwrap() else {
            panic!("expected a fault")
        };
        assert_eq!(f.code, FaultCode::Server);
        assert_eq!(f.text, "DB timeout for ********0001");
        assert!(f.into_error().is_transient());
        assert_eq!(FaultCode::classify("Client"), FaultCode::Client);
        assert_eq!(FaultCode::classify("env:VersionMismatch"), FaultCode::Other);
    }

    #[test]
    fn check_answers() {
        assert_eq!(
            decode_check_response(CHECK).unwrap(),
            SoapReply::Answer(true)
        );
        for (value, expected) in [
            ("false", Some(false)),
            ("True", Some(true)),
            ("FALSE", Some(false)),
            ("1", Some(true)),
            (" 0 ", Some(false)),
            ("yes", None),
            ("", None),
        ] {
            let doc = encode_check_response(true).replace(">true<", &format!(">{value}<"));
            match expected {
                Some(b) => assert_eq!(
                    decode_check_response(doc.as_bytes()).unwrap(),
                    SoapReply::Answer(b)
                ),
                None => assert!(decode_check_response(doc.as_bytes()).is_err(), "{value}"),
            }
        }
        assert!(!decode_check_document(br#"<n:KetQuaXacThucResponse xmlns:n="http://dancuquocgia.bca"><n:TonTai>false</n:TonTai></n:KetQuaXacThucResponse>"#).unwrap());
        assert!(decode_check_document(FOUND).unwrap());
        assert!(!decode_check_document(NOT_FOUND).unwrap());
    }

    #[test]
    fn server_side_round_trips() {
        let a = found(FOUND);
        let record = a.record.unwrap();
        let back = found(encode_lookup_response(Some(&record), "2026-11-20T08:00:00").as_bytes());
        assert_eq!(back.record.as_deref(), Some(&*record));
        let bare = encode_collection(Some(&record), "2026-11-20T08:00:00");
        assert_eq!(
            decode_collection(bare.as_bytes())
                .unwrap()
                .record
                .as_deref(),
            Some(&*record)
        );
        let r2 = found(WHOLE_NAME).record.unwrap();
        let back = found(encode_lookup_response(Some(&r2), "2026-10-02T14:30:00").as_bytes());
        assert_eq!(back.record.as_deref(), Some(&*r2));
        assert!(
            found(encode_lookup_response(None, "2026-10-02T14:30:00").as_bytes())
                .record
                .is_none()
        );
        assert_eq!(
            decode_check_response(encode_check_response(false).as_bytes()).unwrap(),
            SoapReply::Answer(false)
        );
        let fault = encode_fault(FaultCode::Client, "bad <MaDVC> & more");
        assert_eq!(
            decode_lookup_response(fault.as_bytes()).unwrap(),
            SoapReply::Fault(SoapFault {
                code: FaultCode::Client,
                text: "bad <MaDVC> & more".into()
            })
        );
    }

    fn request_with(edit: impl Fn(&str) -> String) -> Result<WireRequest, RequestFault> {
        decode_request(edit(std::str::from_utf8(LOOKUP_REQ).unwrap()).as_bytes())
    }

    #[test]
    fn requests_are_validated_like_an_xsd() {
        let id = "<dan:MaYeuCau>7f0c2a9e-3b1d-4c55-9a61-0d2f6f1e8b42</dan:MaYeuCau>";
        let officer = "<dan:MaCanBo>canbo.motcua01</dan:MaCanBo>";
        let key = "<dan:SoDinhDanh>006089000001</dan:SoDinhDanh>";
        type Edit = Box<dyn Fn(&str) -> String>;
        let cases: Vec<(Edit, &str)> = vec![
            (
                Box::new(move |s: &str| s.replace(officer, "")),
                "missing element MaCanBo",
            ),
            (
                Box::new(move |s: &str| s.replace(id, "")),
                "missing element MaYeuCau",
            ),
            (
                Box::new(move |s: &str| s.replace(officer, "<dan:MaCanBo> </dan:MaCanBo>")),
                "MaCanBo is empty",
            ),
            (
                Box::new(move |s: &str| {
                    s.replace(id, "")
                        .replace(officer, &format!("{officer}{id}"))
                }),
                "missing element MaYeuCau",
            ),
            (
                Box::new(|s: &str| {
                    s.replace("<dan:MaDVC>1.001776</dan:MaDVC>", "").replace(
                        "<dan:MaTichHop>037</dan:MaTichHop>",
                        "<dan:MaTichHop>037</dan:MaTichHop><dan:MaDVC>1.001776</dan:MaDVC>",
                    )
                }),
                "missing element MaDVC",
            ),
            (
                Box::new(move |s: &str| {
                    s.replace(key, &format!("{key}<dan:SoCMND>095000111</dan:SoCMND>"))
                }),
                "exactly one of SoDinhDanh and SoCMND",
            ),
            (
                Box::new(move |s: &str| s.replace(key, "")),
                "missing element SoDinhDanh|SoCMND",
            ),
            (
                Box::new(move |s: &str| s.replace(key, "<dan:SoDinhDanh>12345</dan:SoDinhDanh>")),
                "SoDinhDanh must be 12 digits",
            ),
            (
                Box::new(|s: &str| {
                    s.replace(
                        "<dan:NgayThangNam>19890512</dan:NgayThangNam>",
                        "<dan:NgayThangNam>19890512</dan:NgayThangNam><dan:Nam>1989</dan:Nam>",
                    )
                }),
                "exactly one of Nam and NgayThangNam",
            ),
            (
                Box::new(|s: &str| s.replace("<dan:NgayThangNam>19890512</dan:NgayThangNam>", "")),
                "must contain Nam or NgayThangNam",
            ),
            (
                Box::new(|s: &str| {
                    s.replace("<dan:MaDonVi>", "<dan:Extra>x</dan:Extra><dan:MaDonVi>")
                }),
                "unexpected element Extra",
            ),
            (
                Box::new(|s: &str| {
                    s.replace(
                        "<dan:HoVaTen>NGUYỄN VĂN AN</dan:HoVaTen>",
                        "<HoVaTen>NGUYỄN VĂN AN</HoVaTen>",
                    )
                }),
                "not in namespace",
            ),
            (
                Box::new(|s: &str| s.replace("dan:TraCuuThongTinCongDan", "dan:XoaCongDan")),
                "unknown operation XoaCongDan",
            ),
            (
                Box::new(|s: &str| {
                    s.replace(
                        "http://schemas.xmlsoap.org/soap/envelope/",
                        "http://www.w3.org/2003/05/soap-envelope",
                    )
                }),
                "not a SOAP 1.1 envelope",
            ),
            (
                Box::new(|s: &str| s.replace("</dan:HoVaTen>", "")),
                "well-formed",
            ),
        ];
        for (edit, expected) in cases {
            let fault = request_with(edit).unwrap_err();
            assert_eq!(fault.code, FaultCode::Client);
            assert!(fault.text.contains(expected), "{expected}: {}", fault.text);
            let env = fault.to_envelope();
            assert!(matches!(
                decode_lookup_response(env.as_bytes()),
                Ok(SoapReply::Fault(_))
            ));
        }
        // Without the optional MaDonVi the request is valid.
        let w =
            request_with(|s| s.replace("<dan:MaDonVi>000.00.21.H06</dan:MaDonVi>", "")).unwrap();
        assert!(w.unit.is_none());
        let q = w.to_query(on()).unwrap();
        assert_eq!(q.name().as_str(), "NGUYỄN VĂN AN");
        let debug = format!("{w:?}");
        assert!(
            !debug.contains("006089000001") && !debug.contains("NGUY") && !debug.contains("1989")
        );
    }

    #[test]
    fn digit_runs_are_masked() {
        assert_eq!(
            mask_digit_runs("id 006089000001 x 12345678 y095123456"),
            "id ********0001 x 12345678 y*****3456"
        );
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn all_decoders(bytes: &[u8]) {
            let _ = decode_lookup_response(bytes);
            let _ = decode_check_response(bytes);
            let _ = decode_collection(bytes);
            let _ = decode_check_document(bytes);
            let _ = decode_request(bytes);
            let _ = crate::gateway::json::decode_json_request(Operation::Lookup, bytes);
            if let Ok(text) = std::str::from_utf8(bytes) {
                let _ = crate::gateway::LgspCredentials::from_header(text);
            }
        }

        const JSON_REQ: &[u8] = r#"{"MaYeuCau":"7f0c2a9e-3b1d-4c55-9a61-0d2f6f1e8b42","MaDVC":"1.001776","MaTichHop":"037","MaCanBo":"canbo.motcua01","HoVaTen":"NGUYỄN VĂN AN","SoDinhDanh":"006089000001","NgayThangNam":"19890512","OTP":"482913"}"#.as_bytes();
        const SAMPLES: [&[u8]; 8] = [
            FOUND, NOT_FOUND, WHOLE_NAME, CHECK, FAULT, LOOKUP_REQ, CHECK_REQ, JSON_REQ,
        ];

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn requests_round_trip_through_the_server_side(
                officer in "[!-~]{1,64}",
                words in proptest::collection::vec(
                    prop::sample::select(vec!["Nguyễn", "Đặng", "thị", "Hoà", "H'Hen", "Niê", "văn", "ÂU", "Lê", "Ý"]),
                    1..6,
                ),
                year in 1900u32..2020,
                full in any::<bool>(),
                unaccented in any::<bool>(),
                cmnd in any::<bool>(),
            ) {
                let Ok(c) = RequestContext::new(&officer, "1.001776".parse().unwrap()) else {
                    return Ok(());
                };
                let name: FullName = words.join(" ").parse().unwrap();
                let birth = if full { BirthDate::from_parts(year, 2, 28).unwrap() } else { BirthDate::year_only(year).unwrap() };
                let id = if cmnd { "095123456" } else { "006089000001" };
                let q = IdentityQuery::new(IdNumber::parse_on(id, on()).unwrap(), name.clone(), birth).unwrap();
                let cfg = EncodeConfig {
                    name_form: if unaccented { NameForm::Unaccented } else { NameForm::Accented },
                    ..EncodeConfig::default()
                };
                let xml = encode_request(Operation::Lookup, &c, &q, &cfg);
                let w = decode_request(xml.as_bytes()).unwrap();
                prop_assert_eq!(&w.officer, c.officer().as_str());
                prop_assert_eq!(&w.request_id, &c.request_id().to_string());
                let back = w.to_query(on()).unwrap();
                prop_assert_eq!(back.key(), q.key());
                prop_assert_eq!(back.birth_date(), q.birth_date());
                prop_assert_eq!(back.name().folded_key(), name.folded_key());
                if !unaccented {
                    prop_assert_eq!(back.name().as_str(), name.to_wire_upper());
                }
            }

            #[test]
            fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
                all_decoders(&bytes);
            }

            #[test]
            fn mutated_samples_never_panic(
                which in 0..SAMPLES.len(),
                edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..4u8), 1..12),
            ) {
                let mut bytes = SAMPLES[which].to_vec();
                for (at, byte, kind) in edits {
                    if bytes.is_empty() { break; }
                    let i = at.index(bytes.len());
                    match kind {
                        0 => bytes[i] = byte,
                        1 => { bytes.remove(i); }
                        2 => bytes.insert(i, byte),
                        _ => bytes.truncate(i),
                    }
                }
                all_decoders(&bytes);
            }

            #[test]
            fn structural_mutations_never_panic(
                which in 0..SAMPLES.len(),
                cut in any::<prop::sample::Index>(),
                len in 0usize..200,
                at in any::<prop::sample::Index>(),
            ) {
                // Move a slice of the document elsewhere: reorders elements and breaks nesting.
                let src = SAMPLES[which];
                let a = cut.index(src.len());
                let b = (a + len).min(src.len());
                let piece = src[a..b].to_vec();
                let mut rest = [&src[..a], &src[b..]].concat();
                let i = at.index(rest.len() + 1);
                rest.splice(i..i, piece);
                all_decoders(&rest);
            }
        }
    }
}
