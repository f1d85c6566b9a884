//! The three gateways against wiremock: request shape, every fault row of
//! the contract, the LGSP token, C06 signing, the provincial OTP round
//! trip, what is never logged, and the shared behaviour suite run against a
//! fake gateway backed by an in-memory registry and the server-side codec.

mod common;
use common::{cmnd_query, ctx, query, today};

use std::future::Future;
use std::io::Write as _;
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use dancu_core::registry::{
    CheckOutcome, LookupOutcome, Operation, PopulationRegistry, RegistryError,
};
use dancu_popdb::gateway::{Gateway, GatewayBuilder};
use dancu_popdb::suite::{SuiteFixture, behaviour_suite};
use dancu_popdb::{InMemoryRegistry, Secret};
use dancu_wire::fault::encode_fault;
use dancu_wire::response::{self, SoapReply};
use dancu_wire::server::{GatewaySide, ServerReply};
use dancu_wire::{
    Dialect, FaultCode, Limits, NameForm, TimestampUnit, WireBirth, WireKey, WireRequest, request,
};
use sha2::{Digest, Sha256};
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Match, Mock, MockServer, Request, Respond, ResponseTemplate};

const FOUND: &str = include_str!("../../dancu-wire/tests/fixtures/lookup-response-found.xml");
const NOT_FOUND: &str =
    include_str!("../../dancu-wire/tests/fixtures/lookup-response-not-found.xml");
const FAULT_CLIENT: &str = include_str!("../../dancu-wire/tests/fixtures/fault-client.xml");
const CHECK: &str = include_str!("../../dancu-wire/tests/fixtures/check-response.xml");
const XML: &str = "text/xml; charset=utf-8";
const AS_OF: &str = "2026-11-20T08:00:00";

const ACCESS_KEY: &str = "ak-7f3e9c";
const SECRET_KEY: &str = "sk-TOPSECRET-91d2";
const TOKEN: &str = "tok-AbC123xyz";
const C06_SECRET: &str = "c06-signing-secret-55";
const C06_KEY: &str = "c06-api-key-42";
const PROVINCE_KEY: &str = "province-key-8899";

fn sha(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Polls a future that never suspends (the in-memory registry's).
fn ready<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("the in-memory registry suspended"),
    }
}

// ---------------------------------------------------------------------------
// Fake gateways backed by an in-memory registry
// ---------------------------------------------------------------------------

fn template(reply: ServerReply) -> ResponseTemplate {
    ResponseTemplate::new(reply.status).set_body_raw(reply.body, reply.content_type)
}

/// A SOAP gateway over the registry: the server-side codec decodes the
/// request (a Client fault for a bad one), the registry answers, the codec
/// encodes the answer.
struct SoapRegistry(Arc<InMemoryRegistry>);

impl Respond for SoapRegistry {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        template(ready(GatewaySide::new(Dialect::default()).answer_soap(
            self.0.as_ref(),
            None,
            &request.body,
            today(),
            Some(AS_OF),
        )))
    }
}

/// A provincial JSON gateway over the registry, with OTP.
struct JsonRegistry {
    registry: Arc<InMemoryRegistry>,
    op: Operation,
}

impl Respond for JsonRegistry {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        template(ready(GatewaySide::new(Dialect::default()).answer_json(
            self.registry.as_ref(),
            self.op,
            &request.body,
            today(),
            Some(AS_OF),
        )))
    }
}

fn registry_for(fixture: &SuiteFixture) -> Arc<InMemoryRegistry> {
    let r = Arc::new(InMemoryRegistry::new("backing"));
    fixture.load(&r);
    r
}

fn token_reply(token: &str, expires_in: u64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "access_token": token, "token_type": "Bearer", "expires_in": expires_in
    }))
}

fn lgsp(server: &MockServer) -> GatewayBuilder {
    Gateway::builder("lgsp", &server.uri())
        .name("lgsp-test")
        .lookup_path("/dancu/tracuu")
        .verify_path("/dancu/xacthuc")
        .with_config("token_path", "/token")
        .lgsp_credentials(
            Secret::new(ACCESS_KEY),
            Secret::new(SECRET_KEY),
            "motcua",
            "000.00.21.H06",
            "H06-CUS",
        )
}

fn c06(server: &MockServer) -> GatewayBuilder {
    Gateway::builder("c06", &server.uri())
        .name("c06-test")
        .lookup_path("/c06/tracuu")
        .verify_path("/c06/xacthuc")
        .c06_credentials("motcua", Secret::new(C06_SECRET))
        .api_key(Secret::new(C06_KEY))
        .with_config("x_road_client", "VN/GOV/000.00.21.H06/MOTCUA")
        .with_config("auth_url", "https://c06.example.vn/auth")
}

fn provincial(server: &MockServer) -> GatewayBuilder {
    Gateway::builder("provincial_json", &server.uri())
        .name("province-test")
        .lookup_path("/api/tracuu")
        .verify_path("/api/xacthuc")
        .api_key(Secret::new(PROVINCE_KEY))
}

// ---------------------------------------------------------------------------
// The behaviour suite against every backend
// ---------------------------------------------------------------------------

#[tokio::test]
async fn suite_in_memory() {
    let fixture = SuiteFixture::standard(true);
    let registry = registry_for(&fixture);
    behaviour_suite(registry.as_ref(), &fixture).await;
}

#[tokio::test]
async fn suite_lgsp() {
    let fixture = SuiteFixture::standard(false);
    for form in [NameForm::Accented, NameForm::Unaccented] {
        let server = MockServer::start().await;
        // The whole suite runs on one cached token.
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(token_reply(TOKEN, 3600))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
            .respond_with(SoapRegistry(registry_for(&fixture)))
            .mount(&server)
            .await;
        let gw = lgsp(&server).name_form(form).build().expect("gateway");
        assert_eq!(gw.info().channel, "lgsp");
        behaviour_suite(&gw, &fixture).await;
    }
}

#[tokio::test]
async fn suite_c06() {
    let fixture = SuiteFixture::standard(false);
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(C06Signature {
            unit: TimestampUnit::Milliseconds,
        })
        .respond_with(SoapRegistry(registry_for(&fixture)))
        .mount(&server)
        .await;
    let gw = c06(&server).build().expect("gateway");
    assert_eq!(gw.info().channel, "c06");
    behaviour_suite(&gw, &fixture).await;
}

#[tokio::test]
async fn suite_provincial_with_otp() {
    let fixture = SuiteFixture::standard(true);
    let registry = registry_for(&fixture);
    let server = MockServer::start().await;
    for (p, op) in [
        ("/api/tracuu", Operation::Lookup),
        ("/api/xacthuc", Operation::Check),
    ] {
        Mock::given(method("POST"))
            .and(path(p))
            .and(header(
                "authorization",
                format!("Bearer {PROVINCE_KEY}").as_str(),
            ))
            .respond_with(JsonRegistry {
                registry: Arc::clone(&registry),
                op,
            })
            .mount(&server)
            .await;
    }
    let gw = provincial(&server).build().expect("gateway");
    assert_eq!(gw.info().channel, "provincial_json");
    behaviour_suite(&gw, &fixture).await;
}

#[tokio::test]
async fn fake_gateways_refuse_what_a_real_one_would() {
    let fixture = SuiteFixture::standard(true);
    let registry = registry_for(&fixture);
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(SoapRegistry(Arc::clone(&registry)))
        .mount(&server)
        .await;
    // An OTP citizen over SOAP, which has no OTP slot: a Client fault.
    let gw = c06(&server).build().expect("gateway");
    let q = fixture.query("001301004567", "Đặng Thị Hoa", "03/02/2001");
    let err = gw.lookup(&ctx(), &q).await.unwrap_err();
    assert!(
        matches!(&err, RegistryError::Rejected { fault } if fault.contains("one-time password")),
        "{err:?}"
    );
    // Schema violations and unparseable fields come back as Client faults.
    for body in [
        &b"<x/>"[..],
        include_bytes!("../../dancu-wire/tests/fixtures/lookup-request.xml").as_slice(),
    ] {
        let reply = GatewaySide::new(Dialect::default())
            .answer_soap(registry.as_ref(), None, body, today(), Some(AS_OF))
            .await;
        let decoded = response::decode_lookup(reply.body.as_bytes(), today(), &Limits::default())
            .expect("envelope");
        if body.len() < 10 {
            assert_eq!(reply.status, 500);
            assert!(matches!(decoded, SoapReply::Fault(f) if f.code == FaultCode::Client));
        } else {
            // The sample request names the fixture's citizen: found.
            assert_eq!(reply.status, 200);
            assert!(matches!(decoded, SoapReply::Answer(a) if a.record.is_some()));
        }
    }
    let reply = GatewaySide::new(Dialect::default())
        .answer_json(
            registry.as_ref(),
            Operation::Lookup,
            br#"{"MaYeuCau":"x","MaDVC":"1.001776","MaTichHop":"037","MaCanBo":"c","HoVaTen":"A","SoDinhDanh":"006089000001","Nam":"1989"}"#,
            today(),
            Some(AS_OF),
        )
        .await;
    let v: serde_json::Value = serde_json::from_str(&reply.body).expect("json");
    assert_eq!(v["error_code"], 2);
    assert!(v["message"].as_str().expect("text").contains("MaYeuCau"));
}

// ---------------------------------------------------------------------------
// Request shape
// ---------------------------------------------------------------------------

#[tokio::test]
async fn lgsp_token_and_data_requests_have_the_contract_shape() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string("grant_type=client_credentials"))
        .respond_with(token_reply(TOKEN, 3600))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/dancu/tracuu"))
        .and(header("content-type", XML))
        .and(header("soapaction", "\"\""))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_raw(FOUND, XML))
        .expect(1)
        .mount(&server)
        .await;
    let gw = lgsp(&server).build().expect("gateway");
    let c = ctx();
    let reply = gw.lookup(&c, &query()).await.expect("lookup");
    let LookupOutcome::Found(record) = reply.outcome else {
        panic!("expected found");
    };
    assert_eq!(record.personal_id.as_str(), "006089000001");
    assert_eq!(reply.meta.as_of.as_deref(), Some(AS_OF));
    assert_eq!(reply.meta.attempts, 1);

    let requests = server.received_requests().await.expect("recorded");
    assert_eq!(requests.len(), 2);
    // The same lgspaccesstoken on both calls, carrying the five credentials.
    let access: Vec<&str> = requests
        .iter()
        .map(|r| {
            r.headers
                .get("lgspaccesstoken")
                .and_then(|v| v.to_str().ok())
                .expect("lgspaccesstoken header")
        })
        .collect();
    assert_eq!(access[0], access[1]);
    let creds = dancu_wire::auth::LgspCredentials::from_header(access[0]).expect("header");
    assert_eq!(creds.secret_key.expose(), SECRET_KEY);
    assert!(!format!("{creds:?}").contains(SECRET_KEY));
    let json: serde_json::Value =
        serde_json::from_slice(&STANDARD.decode(access[0]).expect("base64")).expect("json");
    assert_eq!(
        json,
        serde_json::json!({
            "AccessKey": ACCESS_KEY, "SecretKey": SECRET_KEY, "AppName": "motcua",
            "PartnerCode": "000.00.21.H06", "PartnerCodeCus": "H06-CUS"
        })
    );
    // The SOAP body: namespace, order, values.
    let data = &requests[1];
    let body = std::str::from_utf8(&data.body).expect("utf-8");
    assert!(body.contains(r#"xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/""#));
    assert!(body.contains(r#"xmlns:dan="http://dancuquocgia.bca""#));
    let wire =
        request::soap::decode(&data.body, &Dialect::default()).expect("schema-valid request");
    assert_eq!(wire.operation, Operation::Lookup);
    assert_eq!(wire.request_id, c.request_id().to_string());
    assert_eq!(wire.service_code, "1.001776");
    assert_eq!(wire.integration_code, "037");
    assert_eq!(wire.officer, "canbo.motcua01");
    assert_eq!(wire.unit.as_deref(), Some("000.00.21.H06"));
    assert_eq!(wire.key, WireKey::PersonalId("006089000001".into()));
    assert_eq!(wire.name, "NGUYỄN VĂN AN");
    assert_eq!(wire.birth, WireBirth::Date("19890512".into()));
    // The digests are of the bytes on the wire.
    let digest = reply.meta.exchange.expect("digest");
    assert_eq!(digest.request, sha(&data.body));
    assert_eq!(digest.response, sha(FOUND.as_bytes()));
}

#[tokio::test]
async fn configured_codes_and_name_form_reach_the_wire() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/c06/xacthuc"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(CHECK, XML))
        .mount(&server)
        .await;
    let gw = c06(&server)
        .verify_code("003")
        .name_form(NameForm::Unaccented)
        .send_unit(false)
        .build()
        .expect("gateway");
    let q = cmnd_query();
    let reply = gw.check(&ctx(), &q).await.expect("check");
    assert_eq!(reply.outcome, CheckOutcome::Confirmed);
    let requests = server.received_requests().await.expect("recorded");
    let wire = request::soap::decode(&requests[0].body, &Dialect::default()).expect("valid");
    assert_eq!(wire.operation, Operation::Check);
    assert_eq!(wire.integration_code, "003");
    assert_eq!(wire.name, "DANG THI BINH");
    assert_eq!(wire.key, WireKey::Cmnd("095123456".into()));
    assert_eq!(wire.birth, WireBirth::Year("1962".into()));
    assert!(wire.unit.is_none());
}

/// Recomputes the C06 signature from the received `Timestamp`.
struct C06Signature {
    unit: TimestampUnit,
}

impl Match for C06Signature {
    fn matches(&self, request: &Request) -> bool {
        let h = |n: &str| request.headers.get(n).and_then(|v| v.to_str().ok());
        let (Some(ts), Some(auth), Some(key), Some(xroad)) = (
            h("timestamp"),
            h("authorization"),
            h("apikey"),
            h("x-road-client"),
        ) else {
            return false;
        };
        let Ok(ts_num) = ts.parse::<u128>() else {
            return false;
        };
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .expect("clock");
        let fresh = match self.unit {
            TimestampUnit::Milliseconds => now.as_millis().abs_diff(ts_num) < 60_000,
            TimestampUnit::Seconds => u128::from(now.as_secs()).abs_diff(ts_num) < 60,
        };
        let hash = Sha256::digest(format!("https://c06.example.vn/authmotcua{ts}{C06_SECRET}"));
        let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        let expected = format!("Basic {}", STANDARD.encode(format!("motcua:{hex}")));
        fresh
            && auth == expected
            && key == C06_KEY
            && xroad == "VN/GOV/000.00.21.H06/MOTCUA"
            && h("content-type") == Some(XML)
            && h("soapaction") == Some("\"\"")
    }
}

#[tokio::test]
async fn c06_signs_each_request_in_either_timestamp_unit() {
    for unit in [TimestampUnit::Milliseconds, TimestampUnit::Seconds] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/c06/tracuu"))
            .and(C06Signature { unit })
            .respond_with(ResponseTemplate::new(200).set_body_raw(NOT_FOUND, XML))
            .expect(2)
            .mount(&server)
            .await;
        let gw = c06(&server)
            .with_config("timestamp_unit", unit.as_str())
            .build()
            .expect("gateway");
        for _ in 0..2 {
            let reply = gw.lookup(&ctx(), &query()).await.expect("signed lookup");
            assert_eq!(reply.outcome, LookupOutcome::NotFound);
        }
        let digits = server.received_requests().await.expect("recorded")[0]
            .headers
            .get("timestamp")
            .expect("timestamp")
            .len();
        assert_eq!(
            digits,
            if unit == TimestampUnit::Seconds {
                10
            } else {
                13
            }
        );
    }
    // A wrong secret fails the same matcher.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(C06Signature {
            unit: TimestampUnit::Milliseconds,
        })
        .respond_with(ResponseTemplate::new(200).set_body_raw(NOT_FOUND, XML))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401))
        .with_priority(10)
        .mount(&server)
        .await;
    let gw = c06(&server)
        .c06_credentials("motcua", Secret::new("wrong"))
        .build()
        .expect("gateway");
    assert_eq!(
        gw.lookup(&ctx(), &query()).await.unwrap_err(),
        RegistryError::Unauthorized
    );
}

#[tokio::test]
async fn provincial_request_shape_and_configurable_header() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/tracuu"))
        .and(header("x-api-key", PROVINCE_KEY))
        .and(header("content-type", "application/json; charset=utf-8"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "error_code": 0,
            "message": FOUND[FOUND.find("<ns1:CongdanCollection").expect("collection")
                ..FOUND.find("</soapenv:Body>").expect("body")].trim()
        })))
        .expect(1)
        .mount(&server)
        .await;
    let gw = provincial(&server)
        .with_config("auth_header", "X-Api-Key")
        .with_config("auth_scheme", "")
        .build()
        .expect("gateway");
    let dossier: dancu_core::DossierCode = "000.00.21.H06-261127-0001".parse().expect("dossier");
    let c = ctx().with_dossier(dossier);
    let reply = gw.lookup(&c, &query()).await.expect("lookup");
    assert!(matches!(reply.outcome, LookupOutcome::Found(_)));
    assert_eq!(reply.meta.as_of.as_deref(), Some(AS_OF));
    let req = &server.received_requests().await.expect("recorded")[0];
    let json: serde_json::Value = serde_json::from_slice(&req.body).expect("json");
    assert_eq!(
        json,
        serde_json::json!({
            "MaYeuCau": c.request_id().to_string(), "MaDVC": "1.001776", "MaTichHop": "037",
            "MaCanBo": "canbo.motcua01", "HoVaTen": "NGUYỄN VĂN AN", "SoDinhDanh": "006089000001",
            "NgayThangNam": "19890512", "MaHoSo": "000.00.21.H06-261127-0001"
        })
    );
    assert_eq!(reply.meta.exchange.expect("digest").request, sha(&req.body));
}

#[tokio::test]
async fn provincial_otp_round_trip_keeps_the_request_id() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(wiremock::matchers::body_partial_json(
            serde_json::json!({"OTP": "482913"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "error_code": 0,
            "message": response::encode_collection(None, Some(AS_OF))
        })))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(wiremock::matchers::body_partial_json(
            serde_json::json!({"OTP": "111111"}),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"error_code": 1, "message": "01"})),
        )
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"error_code": 1, "message": "00"})),
        )
        .with_priority(5)
        .mount(&server)
        .await;
    let gw = provincial(&server).build().expect("gateway");
    let c = ctx();
    let first = gw.lookup(&c, &query()).await.expect("first");
    assert_eq!(first.outcome, LookupOutcome::OtpRequired);
    let wrong = gw
        .lookup(&c, &query().with_otp("111111".parse().expect("otp")))
        .await
        .expect("wrong");
    assert_eq!(wrong.outcome, LookupOutcome::OtpRejected);
    let right = gw
        .lookup(&c, &query().with_otp("482913".parse().expect("otp")))
        .await
        .expect("right");
    assert_eq!(right.outcome, LookupOutcome::NotFound);
    let check = gw.check(&c, &query()).await.expect("check");
    assert_eq!(check.outcome, CheckOutcome::OtpRequired);
    let ids: Vec<String> = server
        .received_requests()
        .await
        .expect("recorded")
        .iter()
        .map(|r| {
            let v: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
            assert!(v.get("MaTichHop").is_some());
            v["MaYeuCau"].as_str().expect("id").to_owned()
        })
        .collect();
    assert!(ids.iter().all(|i| *i == c.request_id().to_string()));
}

// ---------------------------------------------------------------------------
// Status and fault rows
// ---------------------------------------------------------------------------

fn retry_date(secs: u64) -> String {
    httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(secs))
}

/// What each row expects, as a predicate with a label.
fn expect_rejected(text: &'static str) -> impl Fn(&RegistryError) -> bool {
    move |e| matches!(e, RegistryError::Rejected { fault } if fault == text)
}

/// A row: label, what the gateway answers, what the caller must see.
type Row = (
    &'static str,
    ResponseTemplate,
    Box<dyn Fn(&RegistryError) -> bool>,
);

fn soap_rows() -> Vec<Row> {
    let server_fault = encode_fault(FaultCode::Server, "CSDL tam thoi gian doan")
        .replace("soapenv:Server", "env:Server")
        .replace(
            "xmlns:soapenv=",
            "xmlns:env=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:soapenv=",
        );
    let is_unavailable =
        |e: &RegistryError| matches!(e, RegistryError::Unavailable { .. }) && e.is_transient();
    let is_invalid = |e: &RegistryError| matches!(e, RegistryError::InvalidResponse { .. });
    vec![
        (
            "200 + Client fault",
            ResponseTemplate::new(200).set_body_raw(FAULT_CLIENT, XML),
            Box::new(expect_rejected("MaCanBo chua duoc dang ky su dung dich vu")),
        ),
        (
            "500 + Client fault",
            ResponseTemplate::new(500).set_body_raw(FAULT_CLIENT, XML),
            Box::new(expect_rejected("MaCanBo chua duoc dang ky su dung dich vu")),
        ),
        (
            "500 + Server fault",
            ResponseTemplate::new(500).set_body_raw(server_fault.clone(), XML),
            Box::new(is_unavailable),
        ),
        (
            "200 + Server fault",
            ResponseTemplate::new(200).set_body_raw(server_fault, XML),
            Box::new(is_unavailable),
        ),
        (
            "403",
            ResponseTemplate::new(403),
            Box::new(|e: &RegistryError| *e == RegistryError::Unauthorized),
        ),
        (
            "429 + Retry-After seconds",
            ResponseTemplate::new(429).insert_header("Retry-After", "7"),
            Box::new(|e: &RegistryError| {
                *e == RegistryError::RateLimited {
                    retry_after: Some(Duration::from_secs(7)),
                }
            }),
        ),
        (
            "429 + Retry-After date",
            ResponseTemplate::new(429).insert_header("Retry-After", retry_date(90).as_str()),
            Box::new(|e: &RegistryError| {
                matches!(e, RegistryError::RateLimited { retry_after: Some(d) }
                    if *d > Duration::from_secs(80) && *d <= Duration::from_secs(90))
            }),
        ),
        (
            "429 without Retry-After",
            ResponseTemplate::new(429),
            Box::new(|e: &RegistryError| *e == RegistryError::RateLimited { retry_after: None }),
        ),
        (
            "500 without fault",
            ResponseTemplate::new(500).set_body_raw("<html>Internal error</html>", "text/html"),
            Box::new(is_unavailable),
        ),
        ("502", ResponseTemplate::new(502), Box::new(is_unavailable)),
        ("503", ResponseTemplate::new(503), Box::new(is_unavailable)),
        ("504", ResponseTemplate::new(504), Box::new(is_unavailable)),
        (
            "200 + malformed XML",
            ResponseTemplate::new(200).set_body_raw("<soapenv:Envelope><oops", XML),
            Box::new(is_invalid),
        ),
        (
            "200 + HTML content type",
            ResponseTemplate::new(200)
                .set_body_raw("<html><body>maintenance</body></html>", "text/html"),
            Box::new(is_invalid),
        ),
        (
            "200 + JSON body",
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true})),
            Box::new(is_invalid),
        ),
        (
            "200 + check answer to a lookup",
            ResponseTemplate::new(200).set_body_raw(CHECK, XML),
            Box::new(is_invalid),
        ),
        ("404", ResponseTemplate::new(404), Box::new(is_invalid)),
        (
            "200 + an answer larger than 4 MiB",
            ResponseTemplate::new(200).set_body_raw(" ".repeat(5 * 1024 * 1024), XML),
            Box::new(
                |e: &RegistryError| matches!(e, RegistryError::InvalidResponse { reason } if reason.contains("larger")),
            ),
        ),
    ]
}

#[tokio::test]
async fn soap_status_and_fault_rows_c06() {
    for (label, response, expected) in soap_rows() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(response)
            .expect(1)
            .mount(&server)
            .await;
        let gw = c06(&server).build().expect("gateway");
        let err = gw.lookup(&ctx(), &query()).await.expect_err(label);
        assert!(expected(&err), "{label}: got {err:?}");
    }
    // C06 has no token to refresh: 401 is unauthorized at once.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    let gw = c06(&server).build().expect("gateway");
    assert_eq!(
        gw.check(&ctx(), &query()).await.unwrap_err(),
        RegistryError::Unauthorized
    );
}

#[tokio::test]
async fn soap_status_and_fault_rows_lgsp() {
    for (label, response, expected) in soap_rows() {
        let server = MockServer::start().await;
        Mock::given(path("/token"))
            .respond_with(token_reply(TOKEN, 3600))
            .mount(&server)
            .await;
        Mock::given(path("/dancu/tracuu"))
            .respond_with(response)
            .expect(1)
            .mount(&server)
            .await;
        let gw = lgsp(&server).build().expect("gateway");
        let err = gw.lookup(&ctx(), &query()).await.expect_err(label);
        assert!(expected(&err), "{label}: got {err:?}");
    }
}

#[tokio::test]
async fn lgsp_401_refreshes_the_token_once_and_retries_once() {
    let server = MockServer::start().await;
    // The first token is refused once; the second works.
    Mock::given(path("/token"))
        .respond_with(token_reply("tok-old", 3600))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/token"))
        .respond_with(token_reply("tok-new", 3600))
        .with_priority(2)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/dancu/tracuu"))
        .and(header("authorization", "Bearer tok-old"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/dancu/tracuu"))
        .and(header("authorization", "Bearer tok-new"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(FOUND, XML))
        .expect(2)
        .mount(&server)
        .await;
    let gw = lgsp(&server).build().expect("gateway");
    let reply = gw.lookup(&ctx(), &query()).await.expect("retried lookup");
    assert!(matches!(reply.outcome, LookupOutcome::Found(_)));
    assert_eq!(reply.meta.attempts, 1);
    // The refreshed token is cached.
    gw.lookup(&ctx(), &query()).await.expect("second lookup");
}

#[tokio::test]
async fn lgsp_401_twice_is_unauthorized_and_token_refusal_too() {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(token_reply(TOKEN, 3600))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(path("/dancu/xacthuc"))
        .respond_with(ResponseTemplate::new(401))
        .expect(2)
        .mount(&server)
        .await;
    let gw = lgsp(&server).build().expect("gateway");
    assert_eq!(
        gw.check(&ctx(), &query()).await.unwrap_err(),
        RegistryError::Unauthorized
    );

    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    let gw = lgsp(&server).build().expect("gateway");
    assert_eq!(
        gw.check(&ctx(), &query()).await.unwrap_err(),
        RegistryError::Unauthorized
    );

    for (label, reply) in [
        (
            "not JSON",
            ResponseTemplate::new(200).set_body_string("token please"),
        ),
        (
            "no access_token",
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"expires_in": 10})),
        ),
    ] {
        let server = MockServer::start().await;
        Mock::given(path("/token"))
            .respond_with(reply)
            .mount(&server)
            .await;
        let gw = lgsp(&server).build().expect("gateway");
        let err = gw.check(&ctx(), &query()).await.unwrap_err();
        assert!(
            matches!(err, RegistryError::InvalidResponse { .. }),
            "{label}: {err:?}"
        );
    }
}

#[tokio::test]
async fn lgsp_refreshes_a_token_before_it_expires() {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(token_reply(TOKEN, 61))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(path("/dancu/tracuu"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(NOT_FOUND, XML))
        .mount(&server)
        .await;
    // 61 s lifetime - 60 s margin: stale after one second.
    let gw = lgsp(&server).build().expect("gateway");
    gw.lookup(&ctx(), &query()).await.expect("first");
    gw.lookup(&ctx(), &query()).await.expect("cached");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    gw.lookup(&ctx(), &query()).await.expect("refreshed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_lookups_share_one_token_call() {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(token_reply(TOKEN, 3600).set_delay(Duration::from_millis(200)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/dancu/tracuu"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_raw(NOT_FOUND, XML))
        .expect(50)
        .mount(&server)
        .await;
    let gw = Arc::new(lgsp(&server).build().expect("gateway"));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let gw = Arc::clone(&gw);
        set.spawn(async move { gw.lookup(&ctx(), &query()).await });
    }
    while let Some(r) = set.join_next().await {
        assert_eq!(
            r.expect("task").expect("lookup").outcome,
            LookupOutcome::NotFound
        );
    }
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_waiting_for_a_hanging_token_call_time_out_on_their_own_clock() {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(token_reply(TOKEN, 3600).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let gw = Arc::new(
        lgsp(&server)
            .attempt_timeout(Duration::from_millis(300))
            .build()
            .expect("gateway"),
    );
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..5 {
        let gw = Arc::clone(&gw);
        set.spawn(async move { gw.lookup(&ctx(), &query()).await });
    }
    while let Some(r) = set.join_next().await {
        assert_eq!(r.expect("task").unwrap_err(), RegistryError::TimedOut);
    }
    // Serialised behind the lock they would take 5 x 300 ms at least.
    assert!(
        started.elapsed() < Duration::from_millis(1200),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn invalid_header_bytes_are_an_invalid_response_not_unavailable() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    for answer in [
        &b"HTTP/1.1 200 OK\r\nX-B\x01d: 1\r\nContent-Length: 0\r\n\r\n"[..],
        &b"HTTP/1.1 200 OK\r\nX-Bad: a\x7fb\r\nContent-Length: 0\r\n\r\n"[..],
        &b"HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n"[..],
    ] {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = Arc::clone(&connections);
        let server = tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let mut buf = vec![0_u8; 64 * 1024];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(answer).await;
                let _ = socket.shutdown().await;
            }
        });
        let gw = dancu_popdb::gateway::Gateway::builder("c06", &format!("http://{addr}"))
            .lookup_path("/a")
            .verify_path("/b")
            .c06_credentials("u", Secret::new("s"))
            .api_key(Secret::new("k"))
            .with_config("x_road_client", "x")
            .build()
            .expect("gateway");
        let err = gw.lookup(&ctx(), &query()).await.unwrap_err();
        assert!(
            matches!(err, RegistryError::InvalidResponse { .. }),
            "{:?}: {err:?}",
            String::from_utf8_lossy(answer)
        );
        // Not transient: the retry layer does not try again.
        assert!(!err.is_transient());
        assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 1);
        server.abort();
    }
}

#[tokio::test]
async fn connection_reset_and_refused_are_unavailable() {
    // A server that accepts and drops every connection.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let acceptor = tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            drop(socket);
        }
    });
    let gw = dancu_popdb::gateway::Gateway::builder("c06", &format!("http://{addr}"))
        .lookup_path("/a")
        .verify_path("/b")
        .c06_credentials("u", Secret::new("s"))
        .api_key(Secret::new("k"))
        .with_config("x_road_client", "x")
        .build()
        .expect("gateway");
    let err = gw.lookup(&ctx(), &query()).await.unwrap_err();
    assert!(
        matches!(err, RegistryError::Unavailable { .. }),
        "reset: {err:?}"
    );
    acceptor.abort();

    // Nobody listening.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let gw = dancu_popdb::gateway::Gateway::builder(
        "provincial_json",
        &format!("http://127.0.0.1:{port}"),
    )
    .lookup_path("/a")
    .verify_path("/b")
    .api_key(Secret::new("k"))
    .build()
    .expect("gateway");
    let err = gw.lookup(&ctx(), &query()).await.unwrap_err();
    assert!(
        matches!(err, RegistryError::Unavailable { .. }),
        "refused: {err:?}"
    );
    assert!(err.is_transient());
}

#[tokio::test]
async fn a_slow_gateway_times_out_per_attempt_and_within_the_deadline() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(FOUND, XML)
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let gw = c06(&server)
        .attempt_timeout(Duration::from_millis(200))
        .build()
        .expect("gateway");
    let started = Instant::now();
    assert_eq!(
        gw.lookup(&ctx(), &query()).await.unwrap_err(),
        RegistryError::TimedOut
    );
    assert!(started.elapsed() < Duration::from_secs(2));

    // The context's remaining time caps a long attempt timeout.
    let gw = c06(&server)
        .attempt_timeout(Duration::from_secs(30))
        .build()
        .expect("gateway");
    let c = ctx().with_timeout(Duration::from_millis(250));
    let started = Instant::now();
    assert_eq!(
        gw.check(&c, &query()).await.unwrap_err(),
        RegistryError::TimedOut
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    // A passed deadline sends nothing.
    let before = server.received_requests().await.expect("recorded").len();
    let c = ctx().with_deadline(Instant::now());
    assert_eq!(
        gw.check(&c, &query()).await.unwrap_err(),
        RegistryError::TimedOut
    );
    assert_eq!(
        server.received_requests().await.expect("recorded").len(),
        before
    );
}

#[tokio::test]
async fn provincial_status_and_reply_rows() {
    let rows: Vec<Row> = vec![
        (
            "refusal",
            ResponseTemplate::new(200).set_body_json(
                serde_json::json!({"error_code": 2, "message": "Can bo khong co quyen tra cuu"}),
            ),
            Box::new(expect_rejected("Can bo khong co quyen tra cuu")),
        ),
        (
            "error_code as string",
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"error_code": "3", "message": "Sai MaDVC"})),
            Box::new(expect_rejected("Sai MaDVC")),
        ),
        (
            "401",
            ResponseTemplate::new(401),
            Box::new(|e: &RegistryError| *e == RegistryError::Unauthorized),
        ),
        (
            "429",
            ResponseTemplate::new(429).insert_header("Retry-After", "3"),
            Box::new(|e: &RegistryError| {
                *e == RegistryError::RateLimited {
                    retry_after: Some(Duration::from_secs(3)),
                }
            }),
        ),
        (
            "503",
            ResponseTemplate::new(503),
            Box::new(|e: &RegistryError| matches!(e, RegistryError::Unavailable { .. })),
        ),
        (
            "not JSON",
            ResponseTemplate::new(200).set_body_raw("<html>gateway</html>", "text/html"),
            Box::new(|e: &RegistryError| matches!(e, RegistryError::InvalidResponse { .. })),
        ),
        (
            "JSON without error_code",
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"message": "x"})),
            Box::new(|e: &RegistryError| matches!(e, RegistryError::InvalidResponse { .. })),
        ),
        (
            "error_code 0 with a message that is not the XML",
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"error_code": 0, "message": "OK"})),
            Box::new(|e: &RegistryError| matches!(e, RegistryError::InvalidResponse { .. })),
        ),
    ];
    for (label, response, expected) in rows {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(response)
            .expect(1)
            .mount(&server)
            .await;
        let gw = provincial(&server).build().expect("gateway");
        let err = gw.lookup(&ctx(), &query()).await.expect_err(label);
        assert!(expected(&err), "{label}: got {err:?}");
    }
}

#[tokio::test]
async fn provincial_check_reads_either_answer_document() {
    for (message, expected) in [
        (
            r#"<n:KetQuaXacThucResponse xmlns:n="http://dancuquocgia.bca"><n:TonTai>false</n:TonTai></n:KetQuaXacThucResponse>"#.to_owned(),
            CheckOutcome::NotConfirmed,
        ),
        (
            response::encode_collection(None, Some(AS_OF)),
            CheckOutcome::NotConfirmed,
        ),
        (CHECK.to_owned(), CheckOutcome::Confirmed),
    ] {
        let server = MockServer::start().await;
        Mock::given(path("/api/xacthuc"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                serde_json::json!({"error_code": 0, "message": message}),
            ))
            .mount(&server)
            .await;
        let gw = provincial(&server).build().expect("gateway");
        assert_eq!(gw.check(&ctx(), &query()).await.expect("check").outcome, expected);
    }
}

// ---------------------------------------------------------------------------
// TLS: a private CA works, and certificate checks are on
// ---------------------------------------------------------------------------

/// A one-answer HTTPS server with a certificate for `localhost` and
/// `127.0.0.1` issued by the throw-away test CA (`fixtures/test-ca.pem`).
async fn tls_server(answer: &'static str) -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    tls_server_with(
        include_bytes!("fixtures/test-server.der").to_vec(),
        include_bytes!("fixtures/test-server.key.der").to_vec(),
        answer,
    )
    .await
}

/// A one-answer HTTPS server on 127.0.0.1 with the given certificate and
/// PKCS#8 key (DER).
async fn tls_server_with(
    cert: Vec<u8>,
    key: Vec<u8>,
    answer: &'static str,
) -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio_rustls::rustls::ServerConfig;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

    let certs = vec![CertificateDer::from(cert)];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key));
    let config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server certificate");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let n = tls.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                        let len = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + len {
                            break;
                        }
                    }
                }
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: {XML}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                let _ = tls.write_all(response.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (addr, task)
}

#[tokio::test]
async fn https_with_a_private_ca_and_never_without_it() {
    let (addr, server) = tls_server(NOT_FOUND).await;
    let ca = include_bytes!("fixtures/test-ca.pem").to_vec();
    for host in [
        format!("https://localhost:{}", addr.port()),
        format!("https://{addr}"),
    ] {
        let gw = dancu_popdb::gateway::Gateway::builder("c06", &host)
            .lookup_path("/a")
            .verify_path("/b")
            .c06_credentials("u", Secret::new("s"))
            .api_key(Secret::new("k"))
            .with_config("x_road_client", "x")
            .root_ca_pem(ca.clone())
            .build()
            .expect("gateway");
        let reply = gw.lookup(&ctx(), &query()).await.expect("lookup over TLS");
        assert_eq!(reply.outcome, LookupOutcome::NotFound, "{host}");
        // Without the private CA the certificate is not trusted.
        let untrusting = dancu_popdb::gateway::Gateway::builder("provincial_json", &host)
            .lookup_path("/a")
            .verify_path("/b")
            .api_key(Secret::new("k"))
            .build()
            .expect("gateway");
        let err = untrusting.lookup(&ctx(), &query()).await.unwrap_err();
        assert!(
            matches!(&err, RegistryError::Configuration { reason } if reason.contains("ca_cert")),
            "{host}: {err:?}"
        );
        assert!(!err.is_transient());
    }
    server.abort();
}

/// A CA and a gateway certificate it issued for `name` only (no IP
/// address), generated for the test.
fn ca_and_leaf(name: &str) -> (String, Vec<u8>, Vec<u8>) {
    let ca_key = rcgen::KeyPair::generate().expect("key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Test CA of a province");
    let ca = ca_params.self_signed(&ca_key).expect("CA");
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf_key = rcgen::KeyPair::generate().expect("key");
    let leaf = rcgen::CertificateParams::new(vec![name.to_owned()])
        .expect("params")
        .signed_by(&leaf_key, &issuer)
        .expect("leaf");
    (ca.pem(), leaf.der().to_vec(), leaf_key.serialize_der())
}

/// The error a lookup through `builder`'s gateway ends in.
async fn refused(builder: dancu_popdb::gateway::GatewayBuilder) -> RegistryError {
    let gw = builder.build().expect("gateway");
    let err = gw.lookup(&ctx(), &query()).await.expect_err("refused");
    assert!(
        matches!(err, RegistryError::Configuration { .. }),
        "{err:?}"
    );
    err
}

fn c06_at(url: &str) -> dancu_popdb::gateway::GatewayBuilder {
    dancu_popdb::gateway::Gateway::builder("c06", url)
        .lookup_path("/a")
        .verify_path("/b")
        .c06_credentials("u", Secret::new("s"))
}

#[tokio::test]
async fn tls_server_name_verifies_a_gateway_called_by_ip_address() {
    let (ca, cert, key) = ca_and_leaf("csdldc.tinh.example.vn");
    let (addr, server) = tls_server_with(cert, key, NOT_FOUND).await;
    let url = format!("https://{addr}");
    // The certificate names no IP address: by IP alone it is refused…
    let err = refused(c06_at(&url).root_ca_pem(ca.clone())).await;
    assert!(
        matches!(&err, RegistryError::Configuration { reason } if reason.contains("tls_server_name")),
        "{err:?}"
    );
    // …verified against the configured name it is accepted…
    let gw = c06_at(&url)
        .root_ca_pem(ca.clone())
        .tls_server_name("csdldc.tinh.example.vn")
        .build()
        .expect("gateway");
    let reply = gw
        .lookup(&ctx(), &query())
        .await
        .expect("lookup by IP with a server name");
    assert_eq!(reply.outcome, LookupOutcome::NotFound);
    // …and a name the certificate does not carry is refused, as is the
    // right name without the private CA.
    refused(
        c06_at(&url)
            .root_ca_pem(ca)
            .tls_server_name("other.example.vn"),
    )
    .await;
    refused(c06_at(&url).tls_server_name("csdldc.tinh.example.vn")).await;
    server.abort();
}

#[tokio::test]
async fn pin_sha256_accepts_exactly_the_pinned_certificate() {
    use sha2::Digest as _;
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = rcgen::CertificateParams::new(vec!["gateway.self-signed.invalid".to_owned()])
        .expect("params")
        .self_signed(&key)
        .expect("self-signed");
    let der = cert.der().to_vec();
    let pin: String = sha2::Sha256::digest(&der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":");
    let (addr, server) = tls_server_with(der, key.serialize_der(), NOT_FOUND).await;
    let url = format!("https://{addr}");
    // Self-signed and for another name: refused without the pin.
    refused(c06_at(&url)).await;
    // The right pin (colon-separated, as openssl prints it) is accepted.
    let gw = c06_at(&url).pin_sha256(&pin).build().expect("gateway");
    assert_eq!(
        gw.lookup(&ctx(), &query()).await.expect("pinned").outcome,
        LookupOutcome::NotFound
    );
    // A wrong pin is refused, even for a certificate a CA would vouch for.
    let wrong = "00".repeat(32);
    let err = refused(c06_at(&url).pin_sha256(&wrong)).await;
    assert!(
        matches!(&err, RegistryError::Configuration { reason } if reason.contains("pin_sha256")),
        "{err:?}"
    );
    let (ca_addr, ca_server) = tls_server(NOT_FOUND).await;
    refused(
        c06_at(&format!("https://{ca_addr}"))
            .root_ca_pem(include_bytes!("fixtures/test-ca.pem").to_vec())
            .pin_sha256(&wrong),
    )
    .await;
    server.abort();
    ca_server.abort();
}

// ---------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------

#[test]
fn builders_validate() {
    let bad = |r: Result<(), RegistryError>, what: &str| {
        assert!(
            matches!(r, Err(RegistryError::Configuration { .. })),
            "{what}: {r:?}"
        );
    };
    let lg = |url: &str| {
        dancu_popdb::gateway::Gateway::builder("lgsp", url)
            .lookup_path("/a")
            .verify_path("/b")
            .lgsp_credentials(Secret::new("a"), Secret::new("s"), "app", "p", "c")
    };
    bad(
        lg("http://lgsp.example.vn").build().map(drop),
        "plain http, remote",
    );
    assert!(lg("http://127.0.0.1:9").build().is_ok());
    assert!(lg("http://localhost:9").build().is_ok());
    assert!(lg("http://[::1]:9").build().is_ok());
    bad(
        lg("https://x.vn")
            .with_config("token_path", "token")
            .build()
            .map(drop),
        "relative token path",
    );
    bad(
        lg("https://x.vn").lookup_code("").build().map(drop),
        "empty code",
    );
    bad(
        lg("https://x.vn")
            .attempt_timeout(Duration::ZERO)
            .build()
            .map(drop),
        "zero timeout",
    );
    bad(
        lg("https://x.vn")
            .root_ca_pem("not a pem")
            .build()
            .map(drop),
        "bad CA",
    );
    bad(
        lg("https://x.vn")
            .client(reqwest::Client::new())
            .root_ca_pem("x")
            .build()
            .map(drop),
        "CA with a given client",
    );
    assert!(
        lg("https://x.vn")
            .client(reqwest::Client::new())
            .build()
            .is_ok()
    );
    bad(
        dancu_popdb::gateway::Gateway::builder("lgsp", "https://x.vn")
            .lookup_path("/a")
            .verify_path("/b")
            .build()
            .map(drop),
        "no credentials",
    );
    bad(
        dancu_popdb::gateway::Gateway::builder("lgsp", "https://x.vn")
            .verify_path("/b")
            .lgsp_credentials(Secret::new("a"), Secret::new("s"), "app", "p", "c")
            .build()
            .map(drop),
        "no lookup path",
    );
    // ApiKey and X-Road-Client are optional (the PHP client sends
    // neither), except in the preset of the client that sends both.
    let c06_without_headers = || {
        dancu_popdb::gateway::Gateway::builder("c06", "https://x.vn")
            .lookup_path("/a")
            .verify_path("/b")
            .c06_credentials("u", Secret::new("s"))
    };
    assert!(c06_without_headers().build().is_ok());
    bad(
        c06_without_headers()
            .preset(dancu_wire::Preset::C06Csharp)
            .default_service_code("G15-TP110")
            .build()
            .map(drop),
        "c06_csharp without X-Road-Client",
    );
    bad(
        dancu_popdb::gateway::Gateway::builder("provincial_json", "https://x.vn")
            .lookup_path("/a")
            .verify_path("/b")
            .api_key(Secret::new("k"))
            .with_config("auth_header", "bad header")
            .build()
            .map(drop),
        "bad header name",
    );
    bad(
        dancu_popdb::gateway::Gateway::builder("provincial_json", "https://x.vn")
            .lookup_path("/a")
            .verify_path("/b")
            .api_key(Secret::new("line\nbreak"))
            .build()
            .map(drop),
        "key that is not a header value",
    );
}

// ---------------------------------------------------------------------------
// Nothing sensitive in logs, Debug output or errors
// ---------------------------------------------------------------------------

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buffer {
    type Writer = Self;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn nothing_sensitive_is_logged_or_printed() {
    let buffer = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(buffer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // reqwest and hyper-util log through `log`: route those records to the
    // subscriber above as well (this thread's only; the mock servers run on
    // their own threads).
    tracing_log::LogTracer::init().expect("the only log bridge in this binary");

    let fixture = SuiteFixture::standard(true);
    let registry = registry_for(&fixture);
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(token_reply(TOKEN, 3600))
        .mount(&server)
        .await;
    // LGSP answers 401 once, to exercise the refresh path.
    Mock::given(path("/dancu/tracuu"))
        .respond_with(ResponseTemplate::new(401))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/dancu/tracuu"))
        .respond_with(SoapRegistry(Arc::clone(&registry)))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(path("/dancu/xacthuc"))
        .respond_with(ResponseTemplate::new(500).set_body_raw(
            encode_fault(FaultCode::Client, "SoDinhDanh 006089000001 khong hop le"),
            XML,
        ))
        .mount(&server)
        .await;
    Mock::given(path("/c06/tracuu"))
        .respond_with(SoapRegistry(Arc::clone(&registry)))
        .mount(&server)
        .await;
    Mock::given(path("/api/tracuu"))
        .respond_with(JsonRegistry {
            registry: Arc::clone(&registry),
            op: Operation::Lookup,
        })
        .mount(&server)
        .await;

    let lgsp_gw = lgsp(&server).build().expect("lgsp");
    let c06_gw = c06(&server).build().expect("c06");
    let prov_gw = provincial(&server).build().expect("provincial");
    let q = query();
    let mut printed = String::new();
    let r = lgsp_gw.lookup(&ctx(), &q).await.expect("lgsp lookup");
    assert!(matches!(r.outcome, LookupOutcome::Found(_)));
    printed.push_str(&format!("{r:?}"));
    let e = lgsp_gw.check(&ctx(), &q).await.unwrap_err();
    assert!(matches!(e, RegistryError::Rejected { .. }));
    printed.push_str(&format!("{e:?} {e}"));
    let r = c06_gw.lookup(&ctx(), &q).await.expect("c06 lookup");
    printed.push_str(&format!("{r:?}"));
    let r = prov_gw.lookup(&ctx(), &q).await.expect("provincial lookup");
    printed.push_str(&format!("{r:?}"));
    let otp_q = fixture
        .query("001301004567", "Đặng Thị Hoa", "03/02/2001")
        .with_otp("482913".parse().expect("otp"));
    let r = prov_gw.lookup(&ctx(), &otp_q).await.expect("otp lookup");
    printed.push_str(&format!("{r:?}"));
    printed.push_str(&format!("{lgsp_gw:?}{c06_gw:?}{prov_gw:?}"));
    printed.push_str(&format!(
        "{:?}{:?}{:?}",
        lgsp(&server),
        c06(&server),
        provincial(&server)
    ));
    let d = Dialect::default();
    let sent = WireRequest::new(Operation::Lookup, &ctx(), &q, &d, "1.001776");
    let wire =
        request::soap::decode(request::soap::encode(&sent, &d).as_bytes(), &d).expect("wire");
    printed.push_str(&format!("{wire:?}"));
    drop(_guard);

    let logs = String::from_utf8(buffer.0.lock().expect("buffer").clone()).expect("utf-8");
    assert!(
        logs.contains("gateway exchange"),
        "the capture works: {logs}"
    );
    let access_header = STANDARD.encode(format!(
        "{{\"AccessKey\":\"{ACCESS_KEY}\",\"SecretKey\":\"{SECRET_KEY}\",\"AppName\":\"motcua\",\"PartnerCode\":\"000.00.21.H06\",\"PartnerCodeCus\":\"H06-CUS\"}}"
    ));
    let forbidden = [
        "006089000001",
        "095000111",
        "001301004567",
        "NGUYỄN VĂN AN",
        "NGUYEN VAN AN",
        "Nguyễn Văn An",
        "Đặng Thị Hoa",
        "19890512",
        "12/05/1989",
        "482913",
        TOKEN,
        SECRET_KEY,
        ACCESS_KEY,
        &access_header,
        C06_SECRET,
        C06_KEY,
        PROVINCE_KEY,
    ];
    for f in forbidden {
        assert!(!logs.contains(f), "the logs contain {f:?}");
        assert!(
            !printed.contains(f),
            "Debug/Display output contains {f:?}: {printed}"
        );
    }
    let _ = std::io::stderr().flush();
}

#[tokio::test]
async fn fault_texts_reach_the_caller_without_the_citizens_data() {
    let echo = "Cong dan NGUYỄN VĂN AN (CCCD 006 089 000 001, 006-089-000-001, sinh 12/05/1989 \
                hay 19890512) khong khop";
    let soap = encode_fault(FaultCode::Client, echo);
    let json = serde_json::json!({"error_code": 7, "message": echo});
    for (label, gw, response) in [
        (
            "SOAP Client fault",
            c06 as fn(&MockServer) -> GatewayBuilder,
            ResponseTemplate::new(200).set_body_raw(soap.clone(), XML),
        ),
        (
            "JSON refusal",
            provincial,
            ResponseTemplate::new(200).set_body_json(json.clone()),
        ),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(response)
            .mount(&server)
            .await;
        let err = gw(&server)
            .build()
            .expect("gateway")
            .lookup(&ctx(), &query())
            .await
            .expect_err(label);
        let RegistryError::Rejected { fault } = &err else {
            panic!("{label}: {err:?}");
        };
        assert_eq!(
            fault,
            "Cong dan *** (CCCD *** *** **0 001, ***-***-**0-001, sinh **/**/**** hay ********) \
             khong khop",
            "{label}"
        );
        let shown = format!("{err} {err:?}");
        for secret in ["NGUYỄN", "089 000", "1989"] {
            assert!(!shown.contains(secret), "{label}: {secret} in {shown}");
        }
    }
}

/// A SOAP answer of nearly 4 MiB that the XML limits let through (each
/// element within the attribute cap) and that costs real work to read.
fn heavy_answer() -> String {
    let attrs: String = (0..60).map(|i| format!(" a{i:02}=\"\"")).collect();
    let mut xml = String::from(
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><x>",
    );
    for _ in 0..9_000 {
        xml.push_str(&format!("<y{attrs}/>"));
    }
    xml.push_str("</x></soap:Body></soap:Envelope>");
    xml
}

#[tokio::test]
async fn a_large_answer_is_decoded_off_the_executor() {
    let body = heavy_answer();
    assert!(body.len() < 4 * 1024 * 1024, "{}", body.len());
    // What reading it costs here, on this thread.
    let started = Instant::now();
    let _ = response::decode_lookup(body.as_bytes(), today(), &dancu_wire::Limits::default());
    let cost = started.elapsed();

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, XML))
        .mount(&server)
        .await;
    let gw = c06(&server).build().expect("gateway");
    // A task sharing this (single-threaded) runtime keeps ticking while the
    // answer is read.
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let ticker = tokio::spawn({
        let done = Arc::clone(&done);
        async move {
            let mut last = Instant::now();
            let mut longest = Duration::ZERO;
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_millis(1)).await;
                longest = longest.max(last.elapsed());
                last = Instant::now();
            }
            longest
        }
    });
    let err = gw
        .lookup(&ctx(), &query())
        .await
        .expect_err("not an answer");
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let longest = ticker.await.expect("the ticker");
    assert!(
        matches!(err, RegistryError::InvalidResponse { .. }),
        "{err:?}"
    );
    assert!(
        longest < cost / 2,
        "the executor stalled {longest:?} while an answer that costs {cost:?} was read"
    );
}
