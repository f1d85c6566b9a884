//! The codec, both sides: answers as the connector decodes them, requests
//! as the gateway side the sandbox serves decodes and answers them.

use std::sync::OnceLock;

use dancu_core::registry::{
    CitizenRecord, IdentityQuery, Operation, Otp, RecordField, RequestContext,
};
use dancu_core::{BirthDate, CalendarDate, FullName, IdNumber, mask_numbers};
use dancu_popdb::memory::InMemoryRegistry;
use dancu_sandbox::server::{SERVICE_CODES, gateway_side as side};
use dancu_wire::envelope::{self, JsonReply, OTP_REJECTED, OTP_REQUIRED};
use dancu_wire::fault::encode_fault;
use dancu_wire::request::{self, WireRequest};
use dancu_wire::response::{self, LookupAnswer, SoapReply};
use dancu_wire::server::GatewaySide;
use dancu_wire::{CheckElement, Limits, Preset, SoapFault};

use crate::block_on;

/// The reference date for personal IDs: fixed, so a crash replays.
pub(crate) fn on() -> CalendarDate {
    CalendarDate::new(2026, 11, 27).unwrap_or_else(|_| unreachable!("a valid date"))
}

/// `ThoiDiemDuLieu` the gateway side writes.
const AS_OF: &str = "2026-11-27T08:00:00+07:00";

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../../dancu-wire/tests/fixtures/", $name)).as_slice()
    };
}

/// Every answer fixture of the codec's tests (SOAP or bare XML).
const SOAP_ANSWERS: &[&[u8]] = &[
    fixture!("lookup-response-found.xml"),
    fixture!("lookup-response-not-found.xml"),
    fixture!("lookup-response-whole-name-year-only.xml"),
    fixture!("check-response.xml"),
    fixture!("fault-client.xml"),
    fixture!("dialects/lookup-answer-bad-secondary.xml"),
    fixture!("dialects/mock-check-answer.xml"),
    fixture!("dialects/opencps_lgsp-check-answer.xml"),
];

/// Every JSON answer fixture.
const JSON_ANSWERS: &[&[u8]] = &[
    fixture!("dialects/tandan_json-lookup-answer.json"),
    fixture!("dialects/dongthap_json-check-answer.json"),
];

/// Every SOAP request fixture.
const SOAP_REQUESTS: &[&[u8]] = &[
    fixture!("lookup-request.xml"),
    fixture!("check-request-cmnd-year-only.xml"),
    fixture!("dialects/c06_csharp-lookup-request.xml"),
    fixture!("dialects/c06_php-lookup-request.xml"),
    fixture!("dialects/iso_date-lookup-request.xml"),
    fixture!("dialects/opencps_lgsp-check-request.xml"),
    fixture!("dialects/opencps_lgsp-lookup-request.xml"),
];

/// Every JSON request fixture, with its operation.
const JSON_REQUESTS: &[(Operation, &[u8])] = &[
    (
        Operation::Lookup,
        fixture!("dialects/tandan_json-lookup-request.json"),
    ),
    (
        Operation::Check,
        fixture!("dialects/dongthap_json-check-request.json"),
    ),
];

/// The presets a SOAP gateway side can speak, and the JSON ones.
const SOAP_PRESETS: [Preset; 4] = [
    Preset::Contract,
    Preset::OpencpsLgsp,
    Preset::C06Csharp,
    Preset::C06Php,
];
const JSON_PRESETS: [Preset; 3] = [Preset::Contract, Preset::TandanJson, Preset::DongthapJson];
const OPERATIONS: [Operation; 2] = [Operation::Lookup, Operation::Check];

struct Sides {
    soap: Vec<GatewaySide>,
    json: Vec<GatewaySide>,
    /// The fixture's citizen, and one behind the one-time password.
    registry: InMemoryRegistry,
    /// The same citizens without the one-time-password step (what a SOAP
    /// channel sees).
    without_otp: InMemoryRegistry,
    /// The fixture's citizen as decoded.
    citizen: CitizenRecord,
}

/// The OTP of the second citizen.
const OTP: &str = "246810";

fn sides() -> &'static Sides {
    static SIDES: OnceLock<Sides> = OnceLock::new();
    SIDES.get_or_init(|| {
        let citizen = |bytes: &[u8]| match response::decode_lookup(bytes, on(), &Limits::default())
        {
            Ok(SoapReply::Answer(LookupAnswer {
                record: Some(r), ..
            })) => *r,
            other => panic!("a fixture citizen does not decode: {other:?}"),
        };
        let first = citizen(fixture!("lookup-response-found.xml"));
        let second = citizen(fixture!("lookup-response-whole-name-year-only.xml"));
        let otp: Otp = OTP.parse().unwrap_or_else(|e| panic!("{e}"));
        let registry = InMemoryRegistry::new("fuzz");
        let without_otp = InMemoryRegistry::new("fuzz").without_otp();
        for r in [&registry, &without_otp] {
            r.insert(first.clone());
            if second.personal_id != first.personal_id {
                r.insert_with_otp(second.clone(), otp);
            }
        }
        Sides {
            soap: SOAP_PRESETS.into_iter().map(side).collect(),
            json: JSON_PRESETS.into_iter().map(side).collect(),
            registry,
            without_otp,
            citizen: first,
        }
    })
}

/// A name as the encoder writes it: upper case (`to_wire_upper`).
fn upper(name: &FullName) -> FullName {
    FullName::parse(&name.to_wire_upper()).unwrap_or_else(|_| name.clone())
}

/// The answer as the encoder can write it again: every name upper case.
fn in_wire_case(answer: &LookupAnswer) -> LookupAnswer {
    let mut a = answer.clone();
    if let Some(r) = a.record.as_deref_mut() {
        r.name = upper(&r.name);
        for relative in [
            &mut r.father,
            &mut r.mother,
            &mut r.spouse,
            &mut r.representative,
        ]
        .into_iter()
        .flatten()
        {
            relative.name = relative.name.as_ref().map(upper);
        }
        if let Some(h) = r.household_head.as_mut() {
            h.name = h.name.as_ref().map(upper);
        }
    }
    a
}

/// `decode(encode(answer)) == answer` for a full lookup, names in the
/// wire's upper case. A field the decoder flagged as undecodable is
/// written back as its one raw value, which need not bring the flag back
/// (a `Nam` that disagreed with `NgayThangNam` is not kept): such a record
/// must only decode again. A `ThoiDiemDuLieu` that did not decode is the
/// record's flag, not `as_of`: it is written back as sent.
fn lookup_round_trips(answer: &LookupAnswer, on: CalendarDate, limits: &Limits) {
    let flagged = answer.record.as_ref().and_then(|r| {
        r.undecodable()
            .iter()
            .find(|u| u.field == RecordField::AsOf)
            .and_then(|u| u.raw.as_deref())
    });
    let as_of = answer.as_of.as_deref().or(flagged);
    let exact = answer
        .record
        .as_ref()
        .is_none_or(|r| r.undecodable().iter().all(|u| u.field == RecordField::AsOf));
    let expected = in_wire_case(answer);
    let check = |decoded: LookupAnswer, what: &str| {
        if exact {
            assert_eq!(decoded, expected, "a re-encoded {what} decodes otherwise");
        }
    };
    let again = response::encode_lookup(answer.record.as_deref(), as_of);
    match response::decode_lookup(again.as_bytes(), on, limits) {
        Ok(SoapReply::Answer(b)) => check(b, "answer"),
        other => panic!("a re-encoded answer does not decode: {other:?}"),
    }
    let bare = response::encode_collection(answer.record.as_deref(), as_of);
    match response::decode_collection(bare.as_bytes(), on, limits) {
        Ok(b) => check(b, "collection"),
        Err(e) => panic!("a re-encoded collection does not decode: {e}"),
    }
}

/// A decoded fault re-encoded decodes the same; its text is masked already
/// (masking again changes nothing, so nothing personal is left in it).
fn fault_round_trips(f: &SoapFault, limits: &Limits) {
    assert_eq!(
        mask_numbers(&f.text),
        f.text,
        "a fault text keeps numbers masking would hide"
    );
    let again = encode_fault(f.code, &f.text);
    match response::decode_check(again.as_bytes(), limits) {
        Ok(SoapReply::Fault(g)) => assert_eq!(&g, f, "a re-encoded fault decodes otherwise"),
        other => panic!("a re-encoded fault does not decode: {other:?}"),
    }
}

/// The SOAP (and bare XML) answers a connector decodes.
pub(crate) fn soap_answer(data: &[u8]) {
    let on = on();
    let limits = Limits::default();
    match response::decode_lookup(data, on, &limits) {
        Ok(SoapReply::Answer(a)) => lookup_round_trips(&a, on, &limits),
        Ok(SoapReply::Fault(f)) => fault_round_trips(&f, &limits),
        Err(e) => drop(e.to_string()),
    }
    if let Ok(SoapReply::Answer(yes)) = response::decode_check(data, &limits) {
        for element in CheckElement::ALL {
            let again = response::encode_check(yes, element);
            assert_eq!(
                response::decode_check(again.as_bytes(), &limits),
                Ok(SoapReply::Answer(yes)),
                "a re-encoded check answer decodes otherwise"
            );
        }
    }
    if let Ok(a) = response::decode_collection(data, on, &limits) {
        lookup_round_trips(&a, on, &limits);
    }
    if let Ok(yes) = response::decode_check_document(data, on, &limits) {
        let again = response::encode_check_document(yes, CheckElement::ALL[0]);
        assert_eq!(
            response::decode_check_document(again.as_bytes(), on, &limits),
            Ok(yes),
            "a re-encoded check document decodes otherwise"
        );
    }
}

/// Seeds: the answer fixtures, the not-found and found answers the
/// encoder writes, a fault, and each check element.
pub(crate) fn soap_answer_seeds() -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = SOAP_ANSWERS.iter().map(|s| s.to_vec()).collect();
    let citizen = &sides().citizen;
    seeds.push(response::encode_lookup(Some(citizen), Some(AS_OF)).into_bytes());
    seeds.push(response::encode_collection(Some(citizen), None).into_bytes());
    seeds.push(response::encode_lookup(None, None).into_bytes());
    seeds
        .push(encode_fault(dancu_wire::FaultCode::Server, "067 157 167 034 19570927").into_bytes());
    for element in CheckElement::ALL {
        seeds.push(response::encode_check(true, element).into_bytes());
        seeds.push(response::encode_check_document(false, element).into_bytes());
    }
    seeds
}

/// One reply read again, checking it survives encoding and decoding.
fn json_reply_round_trips(reply: &JsonReply<'_>, citizen_otp: bool) {
    let again = match reply {
        JsonReply::Xml(_) => return,
        JsonReply::Data(b) => envelope::encode_data(*b),
        JsonReply::OtpRequired => envelope::encode_reply(1, OTP_REQUIRED),
        JsonReply::OtpRejected => envelope::encode_reply(1, OTP_REJECTED),
        JsonReply::Refused { code, text } => {
            assert_eq!(
                &mask_numbers(text),
                text,
                "a refusal keeps numbers masking would hide"
            );
            envelope::encode_reply(*code, text)
        }
    };
    let value: serde_json::Value = serde_json::from_str(&again)
        .unwrap_or_else(|e| panic!("an encoded reply is not JSON: {e}"));
    assert_eq!(
        envelope::decode_reply(&value, citizen_otp).as_ref(),
        Ok(reply),
        "a re-encoded reply decodes otherwise"
    );
}

/// The provincial JSON answers a connector decodes: the reply object, then
/// the XML document in `message`.
pub(crate) fn json_answer(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let on = on();
    let limits = Limits::default();
    for citizen_otp in [false, true] {
        let Ok(reply) = envelope::decode_reply(&value, citizen_otp) else {
            continue;
        };
        json_reply_round_trips(&reply, citizen_otp);
        if let JsonReply::Xml(xml) = reply {
            if let Ok(a) = response::decode_collection(xml.as_bytes(), on, &limits) {
                lookup_round_trips(&a, on, &limits);
            }
            let _ = response::decode_check_document(xml.as_bytes(), on, &limits);
        }
    }
}

/// Seeds: the JSON fixtures, each reply shape the encoders write (the
/// found answer inside `message`, refusals, the OTP codes, `{"data"}` as a
/// string and as a boolean) and near misses.
pub(crate) fn json_answer_seeds() -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = JSON_ANSWERS.iter().map(|s| s.to_vec()).collect();
    let citizen = &sides().citizen;
    for message in [
        response::encode_lookup(Some(citizen), Some(AS_OF)),
        response::encode_collection(Some(citizen), None),
        response::encode_collection(None, None),
        response::encode_check_document(true, CheckElement::ALL[1]),
    ] {
        seeds.push(envelope::encode_reply(0, &message).into_bytes());
    }
    for (code, message) in [
        (1, OTP_REQUIRED),
        (1, OTP_REJECTED),
        (2, "Không tìm thấy 067157167034"),
        (4, "MaDVC not registered"),
    ] {
        seeds.push(envelope::encode_reply(code, message).into_bytes());
    }
    seeds.push(envelope::encode_data(true).into_bytes());
    seeds.push(br#"{"data": false}"#.to_vec());
    seeds.push(br#"{"error_code": "0", "message": " <KetQuaXacThuc/> "}"#.to_vec());
    seeds.push(br#"{"error_code": 9223372036854775808, "message": "x"}"#.to_vec());
    seeds
}

/// The standard query of the seeds: the fixture's citizen, born on a full
/// date, a year, or named by CMND.
fn queries() -> Vec<IdentityQuery> {
    let on = on();
    let name: FullName = "Nguyễn Văn An".parse().unwrap_or_else(|e| panic!("{e}"));
    let mut out = Vec::new();
    for (id, birth) in [
        ("006089000001", "12/05/1989"),
        ("006089000001", "1989"),
        ("095000111", "05/1989"),
    ] {
        let id = IdNumber::parse_on(id, on).unwrap_or_else(|e| panic!("{e}"));
        let birth: BirthDate = birth.parse().unwrap_or_else(|e| panic!("{e}"));
        match IdentityQuery::new(id, name.clone(), birth) {
            Ok(q) => out.push(q),
            Err(e) => panic!("{e}"),
        }
    }
    let otp: Otp = OTP.parse().unwrap_or_else(|e| panic!("{e}"));
    if let Some(q) = out.first() {
        out.push(q.clone().with_otp(otp));
    }
    out
}

/// What a client of `side`'s dialect writes for each seed query and
/// operation.
fn client_requests(side: &GatewaySide) -> Vec<WireRequest> {
    let procedure = "1.001776".parse().unwrap_or_else(|e| panic!("{e}"));
    let ctx = match RequestContext::new("canbo.motcua01", procedure) {
        Ok(c) => c.with_unit("000.00.21.H06".parse().unwrap_or_else(|e| panic!("{e}"))),
        Err(e) => panic!("{e}"),
    };
    let code = if side.dialect.service_code_required {
        SERVICE_CODES[0].0
    } else {
        "1.001776"
    };
    let mut out = Vec::new();
    for query in queries() {
        for op in OPERATIONS {
            out.push(WireRequest::new(op, &ctx, &query, &side.dialect, code));
        }
    }
    out
}

/// The first byte of a server-side input picks the gateway side (and, for
/// JSON, the operation); the rest is the body.
fn split(data: &[u8], choices: usize) -> Option<(usize, &[u8])> {
    let (&first, body) = data.split_first()?;
    Some((usize::from(first) % choices, body))
}

/// The SOAP requests a gateway side (the sandbox) decodes and answers.
pub(crate) fn soap_request(data: &[u8]) {
    let s = sides();
    let Some((i, body)) = split(data, s.soap.len()) else {
        return;
    };
    let side = &s.soap[i];
    let on = on();
    let decoded = request::soap::decode(body, &side.dialect);
    if let Ok(req) = &decoded {
        let again = request::soap::encode(req, &side.dialect);
        assert_eq!(
            request::soap::decode(again.as_bytes(), &side.dialect).as_ref(),
            Ok(req),
            "a re-encoded request decodes otherwise"
        );
    }
    let reply = block_on(side.answer_soap(&s.without_otp, None, body, on, Some(AS_OF)));
    let limits = Limits::default();
    let op = decoded.as_ref().map(|r| r.operation).ok();
    match (reply.status, op) {
        (200, Some(Operation::Lookup)) => {
            match response::decode_lookup(reply.body.as_bytes(), on, &limits) {
                Ok(SoapReply::Answer(a)) => lookup_round_trips(&a, on, &limits),
                other => panic!("the side's lookup answer does not decode: {other:?}"),
            }
        }
        (200, Some(Operation::Check)) => {
            match response::decode_check(reply.body.as_bytes(), &limits) {
                Ok(SoapReply::Answer(_)) => {}
                other => panic!("the side's check answer does not decode: {other:?}"),
            }
        }
        (200, None) => panic!("a request that does not decode was answered 200"),
        (500, _) => match response::decode_check(reply.body.as_bytes(), &limits) {
            Ok(SoapReply::Fault(f)) => fault_round_trips(&f, &limits),
            other => panic!("the side's fault does not decode: {other:?}"),
        },
        (status, _) => panic!("a SOAP side answered HTTP {status}"),
    }
}

/// Seeds: each SOAP preset's side given every request fixture and what a
/// client of its dialect writes for each seed query.
pub(crate) fn soap_request_seeds() -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    for (i, side) in sides().soap.iter().enumerate() {
        let tag = u8::try_from(i).unwrap_or(0);
        let mut push = |body: &[u8]| {
            let mut seed = vec![tag];
            seed.extend_from_slice(body);
            seeds.push(seed);
        };
        for body in SOAP_REQUESTS {
            push(body);
        }
        for req in client_requests(side) {
            push(request::soap::encode(&req, &side.dialect).as_bytes());
        }
    }
    seeds
}

/// The provincial JSON requests a gateway side decodes and answers.
pub(crate) fn json_request(data: &[u8]) {
    let s = sides();
    let Some((i, body)) = split(data, s.json.len() * OPERATIONS.len()) else {
        return;
    };
    let side = &s.json[i / OPERATIONS.len()];
    let op = OPERATIONS[i % OPERATIONS.len()];
    let on = on();
    let decoded = request::json::decode(op, body, &side.dialect);
    if let Ok(req) = &decoded {
        let again = request::json::encode(req, &side.dialect);
        assert_eq!(
            request::json::decode(op, again.as_bytes(), &side.dialect).as_ref(),
            Ok(req),
            "a re-encoded request decodes otherwise"
        );
    }
    let reply = block_on(side.answer_json(&s.registry, op, body, on, Some(AS_OF)));
    assert!(
        matches!(reply.status, 200 | 503),
        "a JSON side answered HTTP {}",
        reply.status
    );
    let value: serde_json::Value = serde_json::from_str(&reply.body)
        .unwrap_or_else(|e| panic!("the side's reply is not JSON: {e}"));
    let limits = Limits::default();
    match envelope::decode_reply(&value, side.dialect.citizen_otp) {
        Ok(JsonReply::Xml(xml)) => {
            assert!(
                decoded.is_ok(),
                "a request that does not decode was answered"
            );
            match op {
                Operation::Lookup => {
                    if let Err(e) = response::decode_collection(xml.as_bytes(), on, &limits) {
                        panic!("the side's lookup answer does not decode: {e}");
                    }
                }
                Operation::Check => {
                    if let Err(e) = response::decode_check_document(xml.as_bytes(), on, &limits) {
                        panic!("the side's check answer does not decode: {e}");
                    }
                }
            }
        }
        Ok(reply) => json_reply_round_trips(&reply, side.dialect.citizen_otp),
        Err(e) => panic!("the side's reply does not decode: {e}"),
    }
}

/// Seeds: each JSON preset's side, for each operation, given the JSON
/// fixtures and what a client of its dialect writes.
pub(crate) fn json_request_seeds() -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    for (i, side) in sides().json.iter().enumerate() {
        for (j, op) in OPERATIONS.into_iter().enumerate() {
            let tag = u8::try_from(i * OPERATIONS.len() + j).unwrap_or(0);
            let mut push = |body: &[u8]| {
                let mut seed = vec![tag];
                seed.extend_from_slice(body);
                seeds.push(seed);
            };
            for (fixture_op, body) in JSON_REQUESTS {
                if *fixture_op == op {
                    push(body);
                }
            }
            for req in client_requests(side) {
                if req.operation == op {
                    push(request::json::encode(&req, &side.dialect).as_bytes());
                }
            }
        }
    }
    seeds
}
