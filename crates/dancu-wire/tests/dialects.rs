//! Each dialect's fixtures (written from `gateway-dialects.md`): what the
//! codec writes for a preset is exactly the fixture, the preset's gateway
//! side accepts it as written and refuses the other dialects' forms, and
//! every answer shape decodes.

#![allow(clippy::unwrap_used)]

use dancu_core::registry::{IdentityQuery, Operation, Person, RecordField, RequestContext};
use dancu_core::{CalendarDate, IdNumber};
use dancu_wire::envelope::{JsonReply, decode_reply};
use dancu_wire::request::{json, soap};
use dancu_wire::response::{self, SoapReply};
use dancu_wire::server::GatewaySide;
use dancu_wire::{
    CheckElement, DateFormat, Dialect, Limits, Preset, RequestIdFormat, WireBirth, WireKey,
    WireRequest,
};

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("fixtures/dialects/", $name)).as_slice()
    };
}

fn on() -> CalendarDate {
    CalendarDate::new(2026, 11, 27).unwrap()
}

fn ctx() -> RequestContext {
    RequestContext::new("canbo.motcua01", "1.001776".parse().unwrap())
        .unwrap()
        .with_unit("000.00.21.H06".parse().unwrap())
}

fn query(birth: &str) -> IdentityQuery {
    IdentityQuery::new(
        IdNumber::parse_on("006089000001", on()).unwrap(),
        "Nguyễn Văn An".parse().unwrap(),
        birth.parse().unwrap(),
    )
    .unwrap()
}

/// The dialect of a preset with its extra elements given the fixtures'
/// values.
fn dialect(preset: Preset) -> Dialect {
    let mut d = preset.dialect();
    for (name, value) in &mut d.extra_elements {
        if name == "userNameService" {
            "motcua.dongthap".clone_into(value);
        }
    }
    d
}

/// What a client of dialect `d` writes for the standard query (born `birth`),
/// `MaDVC` the registered service code `G15-TP110`.
fn writes(op: Operation, birth: &str, d: &Dialect) -> WireRequest {
    WireRequest::new(op, &ctx(), &query(birth), d, "G15-TP110")
}

/// A JSON request fixture as the dialect's gateway reads and checks it.
fn read_json(op: Operation, bytes: &[u8], d: &Dialect) -> WireRequest {
    let read = json::decode(op, bytes, d).unwrap();
    read.check_metadata(d).unwrap();
    read
}

/// Everything but `MaYeuCau`, which carries the time.
fn same_but_id(a: &WireRequest, b: &WireRequest) {
    let strip = |w: &WireRequest| WireRequest {
        request_id: String::new(),
        ..w.clone()
    };
    assert_eq!(strip(a), strip(b));
}

#[test]
fn soap_requests_of_every_soap_preset_are_the_fixtures() {
    for (preset, op, fixture) in [
        (
            Preset::OpencpsLgsp,
            Operation::Lookup,
            fixture!("opencps_lgsp-lookup-request.xml"),
        ),
        (
            Preset::OpencpsLgsp,
            Operation::Check,
            fixture!("opencps_lgsp-check-request.xml"),
        ),
        (
            Preset::C06Csharp,
            Operation::Lookup,
            fixture!("c06_csharp-lookup-request.xml"),
        ),
        (
            Preset::C06Php,
            Operation::Lookup,
            fixture!("c06_php-lookup-request.xml"),
        ),
    ] {
        let d = dialect(preset);
        let written = WireRequest::new(op, &ctx(), &query("12/05/1989"), &d, "G15-TP110");
        let ours = soap::decode(soap::encode(&written, &d).as_bytes(), &d).unwrap();
        let theirs = soap::decode(fixture, &d).unwrap_or_else(|f| panic!("{preset}: {f}"));
        same_but_id(&ours, &theirs);
        assert_eq!(theirs.service_code, "G15-TP110");
        assert_eq!(
            theirs.integration_code,
            if op == Operation::Check { "003" } else { "037" }
        );
        // Both ids are the time in milliseconds, and pass the gateway's check.
        for w in [&ours, &theirs] {
            assert_eq!(w.request_id.len(), 13, "{preset}");
            w.check_metadata(&d).unwrap();
        }
        // The contract's gateway refuses a request id that is not a UUID.
        assert!(theirs.check_metadata(&Dialect::default()).is_err());
    }
}

#[test]
fn a_dialect_with_another_order_a_date_format_and_extra_elements() {
    // MaDonVi before MaCanBo, the extra elements after it.
    let order: Vec<String> = [
        "MaYeuCau",
        "MaDVC",
        "MaTichHop",
        "MaDonVi",
        "MaCanBo",
        "TaiKhoan",
        "SoDienThoai",
        "SoDinhDanh",
        "HoVaTen",
        "NgayThangNamSinh",
    ]
    .map(str::to_owned)
    .to_vec();
    let d = Dialect {
        request_id: RequestIdFormat::PrefixTime {
            prefix: "MC-".into(),
        },
        element_order: order,
        extra_elements: vec![
            ("TaiKhoan".into(), "motcua.thanhhoa".into()),
            ("SoDienThoai".into(), "0912345678".into()),
        ],
        date_format: DateFormat::Iso,
        service_code_required: true,
        ..Dialect::default()
    };
    d.validate().unwrap();
    let fixture = fixture!("iso_date-lookup-request.xml");
    let theirs = soap::decode(fixture, &d).unwrap();
    assert_eq!(theirs.birth, WireBirth::Date("19890512".into()));
    assert_eq!(
        theirs.extras[0],
        ("TaiKhoan".into(), "motcua.thanhhoa".into())
    );
    theirs.check_metadata(&d).unwrap();
    let written = writes(Operation::Lookup, "12/05/1989", &d);
    let xml = soap::encode(&written, &d);
    assert!(
        xml.contains("<dan:NgayThangNam>1989-05-12</dan:NgayThangNam>"),
        "{xml}"
    );
    assert!(xml.find("<dan:MaDonVi>").unwrap() < xml.find("<dan:MaCanBo>").unwrap());
    assert!(xml.find("<dan:SoDienThoai>").unwrap() < xml.find("<dan:SoDinhDanh>").unwrap());
    assert!(written.request_id.starts_with("MC-"));
    same_but_id(&soap::decode(xml.as_bytes(), &d).unwrap(), &theirs);
    // The contract's gateway refuses this order and date format.
    let e = soap::decode(fixture, &Dialect::default()).unwrap_err();
    assert!(
        e.text.contains("missing element MaCanBo before MaDonVi"),
        "{}",
        e.text
    );
    // And this gateway refuses a request without its extra elements.
    let contract_xml = soap::encode(
        &WireRequest::new(
            Operation::Lookup,
            &ctx(),
            &query("1989"),
            &Dialect::default(),
            "G15-TP110",
        ),
        &Dialect::default(),
    );
    let e = soap::decode(contract_xml.as_bytes(), &d).unwrap_err();
    assert!(
        e.text.contains("missing element") || e.text.contains("out of order"),
        "{}",
        e.text
    );
}

#[test]
fn json_requests_of_the_json_presets_are_the_fixtures() {
    // Tân Dân: camelCase, absent values as null.
    let d = dialect(Preset::TandanJson);
    let written = writes(Operation::Lookup, "12/05/1989", &d);
    let body = json::encode(&written, &d);
    let ours: serde_json::Value = serde_json::from_str(&body).unwrap();
    let theirs: serde_json::Value =
        serde_json::from_slice(fixture!("tandan_json-lookup-request.json")).unwrap();
    let keys =
        |v: &serde_json::Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(keys(&ours), keys(&theirs));
    for (k, v) in theirs.as_object().unwrap() {
        if k != "maYeuCau" {
            assert_eq!(&ours[k], v, "{k}");
        }
    }
    assert!(ours["soCMND"].is_null() && ours["nam"].is_null());
    // Keys are written in the element order, not a map's.
    assert!(body.find("\"maYeuCau\"").unwrap() < body.find("\"maDVC\"").unwrap());
    let read = read_json(
        Operation::Lookup,
        fixture!("tandan_json-lookup-request.json"),
        &d,
    );
    same_but_id(
        &json::decode(Operation::Lookup, body.as_bytes(), &d).unwrap(),
        &read,
    );
    // No OTP or dossier slot in this dialect.
    assert!(!body.contains("otp") && !body.contains("maHoSo"));
    // The contract's PascalCase gateway does not find its fields.
    let e = json::decode(Operation::Lookup, body.as_bytes(), &Dialect::default()).unwrap_err();
    assert!(e.text.contains("SoDinhDanh"), "{}", e.text);

    // Đồng Tháp: camelCase without nulls, plus userNameService.
    let d = dialect(Preset::DongthapJson);
    let written = writes(Operation::Check, "1989", &d);
    let ours: serde_json::Value = serde_json::from_str(&json::encode(&written, &d)).unwrap();
    let theirs: serde_json::Value =
        serde_json::from_slice(fixture!("dongthap_json-check-request.json")).unwrap();
    assert_eq!(keys(&ours), keys(&theirs));
    assert_eq!(ours["userNameService"], "motcua.dongthap");
    assert!(ours.get("soCMND").is_none(), "no nulls in this dialect");
    let read = read_json(
        Operation::Check,
        fixture!("dongthap_json-check-request.json"),
        &d,
    );
    assert_eq!(read.key, WireKey::PersonalId("006089000001".into()));
    assert_eq!(read.birth, WireBirth::Year("1989".into()));
}

#[test]
fn every_check_answer_element_decodes() {
    let limits = Limits::default();
    assert_eq!(
        response::decode_check(fixture!("opencps_lgsp-check-answer.xml"), &limits).unwrap(),
        SoapReply::Answer(true)
    );
    assert_eq!(
        response::decode_check(fixture!("mock-check-answer.xml"), &limits).unwrap(),
        SoapReply::Answer(false)
    );
    for element in CheckElement::ALL {
        for yes in [true, false] {
            let doc = response::encode_check(yes, element);
            assert!(doc.contains(element.as_str()));
            assert_eq!(
                response::decode_check(doc.as_bytes(), &limits).unwrap(),
                SoapReply::Answer(yes)
            );
            let bare = response::encode_check_document(yes, element);
            assert_eq!(
                response::decode_check_document(bare.as_bytes(), on(), &limits).unwrap(),
                yes
            );
        }
    }
}

#[test]
fn every_json_answer_shape_decodes() {
    let v: serde_json::Value =
        serde_json::from_slice(fixture!("dongthap_json-check-answer.json")).unwrap();
    assert_eq!(decode_reply(&v, false).unwrap(), JsonReply::Data(true));
    for (text, expected) in [
        (r#"{"data": "false"}"#, Some(false)),
        (r#"{"data": true}"#, Some(true)),
        (r#"{"data": "maybe"}"#, None),
    ] {
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        match expected {
            Some(b) => assert_eq!(decode_reply(&v, false).unwrap(), JsonReply::Data(b)),
            None => assert!(decode_reply(&v, false).is_err()),
        }
    }
    let v: serde_json::Value =
        serde_json::from_slice(fixture!("tandan_json-lookup-answer.json")).unwrap();
    let JsonReply::Xml(xml) = decode_reply(&v, false).unwrap() else {
        panic!("an envelope");
    };
    // The message is the whole SOAP envelope, as a string.
    let a = response::decode_collection(xml.as_bytes(), on(), &Limits::default()).unwrap();
    assert_eq!(a.record.unwrap().personal_id.as_str(), "006089000001");
}

#[test]
fn bad_secondary_fields_are_flagged_not_fatal() {
    let SoapReply::Answer(a) = response::decode_lookup(
        fixture!("lookup-answer-bad-secondary.xml"),
        on(),
        &Limits::default(),
    )
    .unwrap() else {
        panic!("an answer");
    };
    // No SoCongDan and no ThoiDiemDuLieu: unknown, not an error.
    assert!(a.as_of.is_none());
    let r = a.record.unwrap();
    assert_eq!(r.personal_id.as_str(), "006089000001");
    assert_eq!(r.name.as_str(), "NGUYỄN VĂN AN");
    assert!(r.gender.is_none());
    let flagged: Vec<RecordField> = r.undecodable().iter().map(|u| u.field).collect();
    assert_eq!(
        flagged,
        [
            RecordField::Gender,
            RecordField::PersonalId(Person::Father),
            RecordField::PersonalId(Person::HouseholdHead),
        ]
    );
    let raw = |f: RecordField| {
        r.undecodable()
            .iter()
            .find(|u| u.field == f)
            .and_then(|u| u.raw.clone())
    };
    assert_eq!(raw(RecordField::Gender), None);
    assert_eq!(
        raw(RecordField::PersonalId(Person::Father)).as_deref(),
        Some("0060580003")
    );
    assert_eq!(
        raw(RecordField::PersonalId(Person::HouseholdHead)).as_deref(),
        Some("100058000321")
    );
    // The rest decodes: the father's name, the mother, the head, the extras.
    let father = r.father.as_ref().unwrap();
    assert!(father.personal_id.is_none());
    assert_eq!(father.name.as_ref().unwrap().as_str(), "NGUYỄN VĂN BÌNH");
    assert_eq!(
        r.mother.as_ref().unwrap().personal_id.unwrap().as_str(),
        "006161000654"
    );
    assert_eq!(
        r.household_head.as_ref().unwrap().relation.as_deref(),
        Some("CH02")
    );
    assert_eq!(r.account_type.as_deref(), Some("1"));
    assert_eq!(r.tax_code.as_deref(), Some("006089000001"));
    assert_eq!(r.email.as_deref(), Some("nguyen.van.an@example.vn"));
    assert!(r.birth_date.is_some() && r.permanent.is_some());
    // Debug shows neither the raw values nor the e-mail's local part.
    let debug = format!("{r:?}");
    for hidden in ["0060580003", "100058000321", "nguyen.van.an"] {
        assert!(!debug.contains(hidden), "{hidden}: {debug}");
    }
    assert!(debug.contains("***@example.vn"));
    // A server writes flagged fields back as they came: the round trip keeps them.
    let again = response::encode_lookup(Some(&r), None);
    let SoapReply::Answer(b) =
        response::decode_lookup(again.as_bytes(), on(), &Limits::default()).unwrap()
    else {
        panic!("an answer");
    };
    assert_eq!(b.record.unwrap().undecodable(), r.undecodable());
    // The citizen's own ID and name stay required.
    let text = std::str::from_utf8(fixture!("lookup-answer-bad-secondary.xml")).unwrap();
    let no_id = text.replacen("<ns1:SoDinhDanh>006089000001</ns1:SoDinhDanh>", "", 1);
    assert!(response::decode_lookup(no_id.as_bytes(), on(), &Limits::default()).is_err());
    let bad_id = text.replacen(
        "006089000001</ns1:SoDinhDanh>",
        "100089000001</ns1:SoDinhDanh>",
        1,
    );
    assert!(response::decode_lookup(bad_id.as_bytes(), on(), &Limits::default()).is_err());
}

#[tokio::test]
async fn a_gateway_side_refuses_an_unregistered_service_code_as_real_ones_do() {
    use dancu_core::registry::{
        CheckOutcome as C, LookupOutcome as L, RegistryInfo, Reply, ReplyMeta,
    };
    type Answer<T> = Result<Reply<T>, dancu_core::RegistryError>;
    /// Nobody is found: the registry behind the gateway side.
    #[derive(Debug)]
    struct Nobody;
    #[async_trait::async_trait]
    impl dancu_core::PopulationRegistry for Nobody {
        fn info(&self) -> RegistryInfo {
            RegistryInfo {
                name: "nobody".into(),
                channel: "in_memory",
            }
        }
        async fn lookup(&self, _: &RequestContext, _: &IdentityQuery) -> Answer<L> {
            Ok(Reply::new(L::NotFound, ReplyMeta::single(None, None)))
        }
        async fn check(&self, _: &RequestContext, _: &IdentityQuery) -> Answer<C> {
            Ok(Reply::new(C::NotConfirmed, ReplyMeta::single(None, None)))
        }
    }
    let side = GatewaySide::new(dialect(Preset::TandanJson));
    let body = fixture!("tandan_json-lookup-request.json");
    let reply = side
        .answer_json(&Nobody, Operation::Lookup, body, on(), None)
        .await;
    let v: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(v["error_code"], 4);
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("chưa được cấp phép")
    );
    let side = side.register("G15-TP110", "1.001776".parse().unwrap());
    let reply = side
        .answer_json(&Nobody, Operation::Lookup, body, on(), None)
        .await;
    let v: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(v["error_code"], 0, "{v}");
}
