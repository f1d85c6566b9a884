//! The codec against the contract's samples: both directions, every
//! answer form, XSD-like request validation, and property tests that no
//! input makes a decoder panic.

#![allow(clippy::unwrap_used)]

use dancu_core::registry::{
    AddressEra, IdentityQuery, Operation, RecordField, RegistryError, RequestContext,
};
use dancu_core::{BirthDate, CalendarDate, FullName, IdNumber, Precision};
use dancu_wire::fault::encode_fault;
use dancu_wire::request::{json, soap};
use dancu_wire::response::{self, LookupAnswer, SoapReply};
use dancu_wire::{
    CheckElement, DecodeError, Dialect, FaultCode, Limits, NameForm, RequestFault, SoapFault,
    WireBirth, WireRequest,
};

const L: Limits = Limits {
    max_bytes: 4 * 1024 * 1024,
    max_depth: 32,
    max_elements: 20_000,
};

fn decode_lookup_response_(b: &[u8]) -> Result<SoapReply<LookupAnswer>, DecodeError> {
    response::decode_lookup(b, on(), &L)
}
fn decode_check_response_(b: &[u8]) -> Result<SoapReply<bool>, DecodeError> {
    response::decode_check(b, &L)
}
fn decode_collection_(b: &[u8]) -> Result<LookupAnswer, DecodeError> {
    response::decode_collection(b, on(), &L)
}
fn decode_check_document_(b: &[u8]) -> Result<bool, DecodeError> {
    response::decode_check_document(b, on(), &L)
}
fn decode_request_(b: &[u8]) -> Result<WireRequest, RequestFault> {
    soap::decode(b, &Dialect::default())
}
fn encode_request_(op: Operation, c: &RequestContext, q: &IdentityQuery, d: &Dialect) -> String {
    soap::encode(&WireRequest::new(op, c, q, d, c.procedure().as_str()), d)
}
fn encode_lookup_response_(r: Option<&dancu_core::registry::CitizenRecord>, as_of: &str) -> String {
    response::encode_lookup(r, Some(as_of))
}
fn encode_collection_(r: Option<&dancu_core::registry::CitizenRecord>, as_of: &str) -> String {
    response::encode_collection(r, Some(as_of))
}
fn encode_check_response_(b: bool) -> String {
    response::encode_check(b, CheckElement::default())
}

const FOUND: &[u8] = include_bytes!("fixtures/lookup-response-found.xml");
const NOT_FOUND: &[u8] = include_bytes!("fixtures/lookup-response-not-found.xml");
const WHOLE_NAME: &[u8] = include_bytes!("fixtures/lookup-response-whole-name-year-only.xml");
const CHECK: &[u8] = include_bytes!("fixtures/check-response.xml");
const FAULT: &[u8] = include_bytes!("fixtures/fault-client.xml");
const LOOKUP_REQ: &[u8] = include_bytes!("fixtures/lookup-request.xml");
const CHECK_REQ: &[u8] = include_bytes!("fixtures/check-request-cmnd-year-only.xml");

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
    match decode_lookup_response_(bytes) {
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
    let xml = encode_request_(Operation::Lookup, &c, &q, &Dialect::default());
    let ours = decode_request_(xml.as_bytes()).unwrap();
    let sample = decode_request_(LOOKUP_REQ).unwrap();
    assert_eq!(ours, sample);
    assert_eq!(ours.name, "NGUYỄN VĂN AN");
    // The exact order of the children.
    let mut order = dancu_wire::dialect::CONTRACT_ORDER.to_vec();
    order.push("NgayThangNam");
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
    let cfg = Dialect {
        name_form: NameForm::Unaccented,
        send_unit: false,
        // The sample is the contract's, with the mock's check code.
        verify_code: "033".into(),
        ..Dialect::default()
    };
    let xml = encode_request_(Operation::Check, &c, &q, &cfg);
    assert_eq!(
        decode_request_(xml.as_bytes()).unwrap(),
        decode_request_(CHECK_REQ).unwrap()
    );
    assert!(!xml.contains("MaDonVi"));
    let cfg = Dialect {
        verify_code: "003".into(),
        ..Dialect::default()
    };
    let xml = encode_request_(Operation::Check, &c, &q, &cfg);
    let w = decode_request_(xml.as_bytes()).unwrap();
    assert_eq!(w.integration_code, "003");
    assert_eq!(w.name, "TRẦN THỊ BÌNH");
    assert_eq!(w.unit.as_deref(), Some("000.00.21.H06"));
    let q = query("006089000001", "Đặng Văn Đức", "1989");
    let cfg = Dialect {
        name_form: NameForm::Unaccented,
        ..Dialect::default()
    };
    let w = decode_request_(encode_request_(Operation::Lookup, &c, &q, &cfg).as_bytes()).unwrap();
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
    let xml = encode_request_(Operation::Lookup, &c, &q, &Dialect::default());
    assert!(xml.contains("a&amp;b&lt;c&gt;&quot;&apos;"));
    let w = decode_request_(xml.as_bytes()).unwrap();
    assert_eq!(w.officer, "a&b<c>\"'");
    assert_eq!(w.name, "H'HEN NIÊ");
    assert_eq!(
        w.to_context(&|m| m.parse().ok())
            .unwrap()
            .officer()
            .as_str(),
        "a&b<c>\"'"
    );
}

#[test]
fn decodes_the_found_sample() {
    let a = found(FOUND);
    assert_eq!(a.as_of.as_deref(), Some("2026-11-20T08:00:00"));
    let r = a.record.unwrap();
    assert_eq!(r.personal_id.as_str(), "006089000001");
    assert_eq!(r.cmnd.unwrap().as_str(), "095000111");
    assert_eq!(r.name.as_str(), "NGUYỄN VĂN AN");
    assert_eq!(r.gender.unwrap().as_str(), "1");
    assert_eq!(r.ethnicity.as_deref(), Some("01"));
    assert_eq!(r.religion.as_deref(), Some("00"));
    assert_eq!(r.nationality.as_deref(), Some("VN"));
    assert_eq!(r.marital_status.as_deref(), Some("2"));
    assert_eq!(r.blood_group.as_deref(), Some("00"));
    assert_eq!(
        r.birth_date.unwrap().to_yyyymmdd().as_deref(),
        Some("19890512")
    );
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
    assert_eq!(r.birth_date.unwrap().precision(), Precision::Year);
    assert_eq!(r.birth_date.unwrap().year(), 1962);
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
    assert_eq!(r.gender.unwrap().as_str(), "1");
    assert_eq!(
        r.birth_date.unwrap().to_yyyymmdd().as_deref(),
        Some("19890512")
    );
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
fn only_the_citizens_id_and_name_are_mandatory() {
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
            "<ns1:Ho>NGUYỄN</ns1:Ho><ns1:ChuDem>VĂN</ns1:ChuDem><ns1:Ten>AN</ns1:Ten>",
            "<ns1:Ho/><ns1:ChuDem/><ns1:Ten/>",
            "missing element HoVaTen",
        ),
        (
            "<ns1:Ten>AN</ns1:Ten>",
            "<ns1:Ten>AN2</ns1:Ten>",
            "invalid HoVaTen",
        ),
        ("SoCongDan=\"1\"", "SoCongDan=\"0\"", "invalid SoCongDan"),
        ("SoCongDan=\"1\"", "SoCongDan=\"one\"", "invalid SoCongDan"),
    ];
    for (from, to, expected) in cases {
        let err = decode_lookup_response_(&replace(from, to)).unwrap_err();
        assert!(err.to_string().contains(expected), "{from} -> {to}: {err}");
        // Never a value in the message.
        assert!(!err.to_string().contains("006089000001"));
    }
    // Every other field that does not decode is flagged, raw value kept.
    let flagged = [
        (
            "<ns1:GioiTinh>1</ns1:GioiTinh>",
            "",
            RecordField::Gender,
            None,
        ),
        (
            "<ns1:GioiTinh>1</ns1:GioiTinh>",
            "<ns1:GioiTinh>x y</ns1:GioiTinh>",
            RecordField::Gender,
            Some("x y"),
        ),
        (
            "<ns1:NgayThangNam>19890512</ns1:NgayThangNam>",
            "<ns1:NgayThangNam>19890231</ns1:NgayThangNam>",
            RecordField::BirthDate,
            Some("19890231"),
        ),
        (
            "<ns1:Nam>1989</ns1:Nam>",
            "<ns1:Nam>1990</ns1:Nam>",
            RecordField::BirthDate,
            Some("19890512"),
        ),
        (
            "<ns1:Nam>1989</ns1:Nam><ns1:NgayThangNam>19890512</ns1:NgayThangNam>",
            "",
            RecordField::BirthDate,
            None,
        ),
        (
            "<ns1:SoCMND>095000111</ns1:SoCMND>",
            "<ns1:SoCMND>0950</ns1:SoCMND>",
            RecordField::Cmnd,
            Some("0950"),
        ),
        (
            "ThoiDiemDuLieu=\"2026-11-20T08:00:00\"",
            "ThoiDiemDuLieu=\"yesterday\"",
            RecordField::AsOf,
            Some("yesterday"),
        ),
        (
            "<ns1:SoDinhDanh>006058000321</ns1:SoDinhDanh>",
            "<ns1:SoDinhDanh>0060580003</ns1:SoDinhDanh>",
            RecordField::PersonalId(dancu_core::registry::Person::Father),
            Some("0060580003"),
        ),
    ];
    for (from, to, field, raw) in flagged {
        let a = found(&replace(from, to));
        let r = a.record.unwrap();
        let u = r.undecodable();
        assert_eq!(u.len(), 1, "{from} -> {to}: {u:?}");
        assert_eq!(
            (u[0].field, u[0].raw.as_deref()),
            (field, raw),
            "{from} -> {to}"
        );
        assert!(r.is_undecodable(field));
        assert_eq!(r.personal_id.as_str(), "006089000001");
    }
    // ISO dates in answers are read too.
    let r = found(&replace(
        "<ns1:NgayThangNam>19890512</ns1:NgayThangNam>",
        "<ns1:NgayThangNam>1989-05-12</ns1:NgayThangNam>",
    ))
    .record
    .unwrap();
    assert_eq!(
        r.birth_date.unwrap().to_yyyymmdd().as_deref(),
        Some("19890512")
    );
    let doc = std::str::from_utf8(NOT_FOUND)
        .unwrap()
        .replace("SoCongDan=\"0\"", "SoCongDan=\"1\"");
    assert!(decode_lookup_response_(doc.as_bytes()).is_err());
    let s = std::str::from_utf8(FOUND).unwrap();
    let start = s.find("<ns1:CongDan>").unwrap();
    let end = s.find("</ns1:CongDan>").unwrap() + "</ns1:CongDan>".len();
    let two = format!("{}{}{}", &s[..end], &s[start..end], &s[end..]);
    assert!(
        decode_lookup_response_(two.as_bytes())
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
            assert!(decode_lookup_response_(doc).is_err());
        }
    assert!(decode_check_response_(FOUND).is_err());
}

#[test]
fn faults_are_classified_with_any_prefix() {
    let SoapReply::Fault(f) = decode_lookup_response_(FAULT).unwrap() else {
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
    let SoapReply::Fault(f) = decode_check_response_(server.as_bytes()).unwrap() else {
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
        decode_check_response_(CHECK).unwrap(),
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
        let doc = encode_check_response_(true).replace(">true<", &format!(">{value}<"));
        match expected {
            Some(b) => assert_eq!(
                decode_check_response_(doc.as_bytes()).unwrap(),
                SoapReply::Answer(b)
            ),
            None => assert!(decode_check_response_(doc.as_bytes()).is_err(), "{value}"),
        }
    }
    assert!(!decode_check_document_(br#"<n:KetQuaXacThucResponse xmlns:n="http://dancuquocgia.bca"><n:TonTai>false</n:TonTai></n:KetQuaXacThucResponse>"#).unwrap());
    assert!(decode_check_document_(FOUND).unwrap());
    assert!(!decode_check_document_(NOT_FOUND).unwrap());
}

#[test]
fn server_side_round_trips() {
    let a = found(FOUND);
    let record = a.record.unwrap();
    let back = found(encode_lookup_response_(Some(&record), "2026-11-20T08:00:00").as_bytes());
    assert_eq!(back.record.as_deref(), Some(&*record));
    let bare = encode_collection_(Some(&record), "2026-11-20T08:00:00");
    assert_eq!(
        decode_collection_(bare.as_bytes())
            .unwrap()
            .record
            .as_deref(),
        Some(&*record)
    );
    let r2 = found(WHOLE_NAME).record.unwrap();
    let back = found(encode_lookup_response_(Some(&r2), "2026-10-02T14:30:00").as_bytes());
    assert_eq!(back.record.as_deref(), Some(&*r2));
    assert!(
        found(encode_lookup_response_(None, "2026-10-02T14:30:00").as_bytes())
            .record
            .is_none()
    );
    assert_eq!(
        decode_check_response_(encode_check_response_(false).as_bytes()).unwrap(),
        SoapReply::Answer(false)
    );
    let fault = encode_fault(FaultCode::Client, "bad <MaDVC> & more");
    assert_eq!(
        decode_lookup_response_(fault.as_bytes()).unwrap(),
        SoapReply::Fault(SoapFault {
            code: FaultCode::Client,
            text: "bad <MaDVC> & more".into()
        })
    );
}

fn request_with(edit: impl Fn(&str) -> String) -> Result<WireRequest, RequestFault> {
    decode_request_(edit(std::str::from_utf8(LOOKUP_REQ).unwrap()).as_bytes())
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
            Box::new(|s: &str| s.replace("<dan:MaDonVi>", "<dan:Extra>x</dan:Extra><dan:MaDonVi>")),
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
            decode_lookup_response_(env.as_bytes()),
            Ok(SoapReply::Fault(_))
        ));
    }
    // Without the optional MaDonVi the request is valid.
    let w = request_with(|s| s.replace("<dan:MaDonVi>000.00.21.H06</dan:MaDonVi>", "")).unwrap();
    assert!(w.unit.is_none());
    let q = w.to_query(on()).unwrap();
    assert_eq!(q.name().as_str(), "NGUYỄN VĂN AN");
    let debug = format!("{w:?}");
    assert!(!debug.contains("006089000001") && !debug.contains("NGUY") && !debug.contains("1989"));
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn all_decoders(bytes: &[u8]) {
        let _ = decode_lookup_response_(bytes);
        let _ = decode_check_response_(bytes);
        let _ = decode_collection_(bytes);
        let _ = decode_check_document_(bytes);
        let _ = decode_request_(bytes);
        let _ = json::decode(Operation::Lookup, bytes, &Dialect::default());
        if let Ok(text) = std::str::from_utf8(bytes) {
            let _ = dancu_wire::auth::LgspCredentials::from_header(text);
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
            let cfg = Dialect {
                name_form: if unaccented { NameForm::Unaccented } else { NameForm::Accented },
                ..Dialect::default()
            };
            let xml = encode_request_(Operation::Lookup, &c, &q, &cfg);
            let w = decode_request_(xml.as_bytes()).unwrap();
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

/// Inputs the fuzz targets (`fuzz/`, `crates/dancu-fuzz`) found: a NUL in
/// a `faultstring` (answer side) and NULs inside `MaYeuCau` (request side)
/// were accepted, then dropped when written again. XML 1.0 cannot carry
/// them: both documents are not well-formed.
#[test]
fn characters_xml_cannot_carry_are_refused_on_both_sides() {
    let fault = include_bytes!("fixtures/fuzz/nul-in-faultstring.xml");
    assert!(matches!(
        decode_check_response_(fault),
        Err(DecodeError::Syntax(_))
    ));
    assert!(matches!(
        decode_lookup_response_(fault),
        Err(DecodeError::Syntax(_))
    ));
    let request = include_bytes!("fixtures/fuzz/nul-in-request-id.xml");
    let refused = soap::decode(request, &dancu_wire::Preset::Contract.dialect())
        .expect_err("a NUL in MaYeuCau");
    assert!(refused.text.contains("not well-formed"), "{}", refused.text);
    // Without the NULs, the same documents decode.
    let clean = |b: &[u8]| -> Vec<u8> { b.iter().copied().filter(|&c| c != 0).collect() };
    assert!(matches!(
        decode_check_response_(&clean(fault)),
        Ok(SoapReply::Fault(_))
    ));
    assert!(soap::decode(&clean(request), &dancu_wire::Preset::Contract.dialect()).is_ok());
}
