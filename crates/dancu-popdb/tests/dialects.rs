//! The gateway in every dialect against wiremock: the behaviour suite per
//! preset (a fake gateway of that dialect — the wire crate's gateway side
//! over an in-memory registry — checking each request as that gateway
//! would), and one test per dialect setting.

mod common;
use common::{cmnd_query, ctx, query, today};

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use dancu_core::registry::{
    AuditSink, CheckOutcome, LookupOutcome, Operation, Person, PopulationRegistry, RecordField,
    RegistryError, RequestContext,
};
use dancu_popdb::audit::{Audited, SqliteAuditSink, SubjectHasher};
use dancu_popdb::gateway::{ConfigValue, Gateway, GatewayBuilder};
use dancu_popdb::layer::Layer as _;
use dancu_popdb::resilience::{Retry, RetryPolicy};
use dancu_popdb::suite::{SuiteFixture, behaviour_suite};
use dancu_popdb::{InMemoryRegistry, Secret};
use dancu_wire::auth::{C06Verifier, LgspCredentials};
use dancu_wire::server::GatewaySide;
use dancu_wire::{Dialect, JsonAuth, Preset, request};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const TOKEN: &str = "tok-dialects-1";
const C06_SECRET: &str = "c06-secret-dialects";
const C06_KEY: &str = "c06-key-dialects";
const JSON_KEY: &str = "json-key-dialects";
const AS_OF: &str = "2026-11-20T08:00:00";
const BAD_SECONDARY: &str =
    include_str!("../../dancu-wire/tests/fixtures/dialects/lookup-answer-bad-secondary.xml");

/// A gateway of a preset's dialect in front of the fixture's citizens: it
/// checks the channel's authentication as that gateway does, then answers
/// through the one server implementation of the contract.
struct FakeGateway {
    kind: &'static str,
    preset: Preset,
    side: GatewaySide,
    registry: Arc<InMemoryRegistry>,
}

impl FakeGateway {
    fn new(preset: Preset, kind: &'static str, fixture: &SuiteFixture) -> Self {
        let registry = InMemoryRegistry::new("backing");
        fixture.load(&registry);
        let mut dialect = preset.dialect();
        for (_, value) in &mut dialect.extra_elements {
            "motcua.test".clone_into(value);
        }
        let side = GatewaySide::new(dialect).register("G15-TP110", "1.001776".parse().expect("p"));
        Self {
            kind,
            preset,
            side,
            registry: Arc::new(registry),
        }
    }

    /// Why the request's authentication is refused, if it is.
    fn refuse(&self, request: &Request, kind: &str) -> Option<&'static str> {
        let h = |n: &str| request.headers.get(n).and_then(|v| v.to_str().ok());
        let channel = self.preset.channel();
        let lgsp = || {
            let ok = h("authorization") == Some(&format!("Bearer {TOKEN}"))
                && h("lgspaccesstoken").is_some_and(|v| LgspCredentials::from_header(v).is_ok());
            (!ok).then_some("bad LGSP token")
        };
        match kind {
            "lgsp" => lgsp(),
            "c06" => {
                let verifier = C06Verifier {
                    auth_url: "https://c06.example.vn/auth".into(),
                    user: "motcua".into(),
                    secret: Secret::new(C06_SECRET),
                    unit: channel.timestamp_unit,
                    skew: Duration::from_secs(60),
                };
                let signed = verifier
                    .verify(h("timestamp")?, h("authorization")?, SystemTime::now())
                    .is_ok();
                let headers_as_expected = if channel.c06_api_headers {
                    h("apikey") == Some(C06_KEY) && h("x-road-client").is_some()
                } else {
                    h("apikey").is_none() && h("x-road-client").is_none()
                };
                (!(signed && headers_as_expected)).then_some("bad C06 signature or headers")
            }
            _ => match channel.json_auth {
                JsonAuth::None => h("authorization")
                    .is_some()
                    .then_some("unexpected credentials"),
                JsonAuth::BearerKey => {
                    (h("authorization") != Some(&format!("Bearer {JSON_KEY}"))).then_some("bad key")
                }
                JsonAuth::LgspToken => lgsp(),
            },
        }
    }
}

fn ready<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    match f
        .as_mut()
        .poll(&mut std::task::Context::from_waker(std::task::Waker::noop()))
    {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => panic!("the in-memory registry suspended"),
    }
}

impl Respond for FakeGateway {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let kind = self.kind;
        if let Some(why) = self.refuse(request, kind) {
            return ResponseTemplate::new(401).set_body_string(why);
        }
        let op = if request.url.path().ends_with("xacthuc") {
            Operation::Check
        } else {
            Operation::Lookup
        };
        let reply = if kind == "provincial_json" {
            ready(self.side.answer_json(
                self.registry.as_ref(),
                op,
                &request.body,
                today(),
                Some(AS_OF),
            ))
        } else {
            let ct = request
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok());
            if ct != Some(self.side.dialect.content_type.as_str()) {
                return ResponseTemplate::new(415);
            }
            ready(self.side.answer_soap(
                self.registry.as_ref(),
                Some(op),
                &request.body,
                today(),
                Some(AS_OF),
            ))
        };
        ResponseTemplate::new(reply.status).set_body_raw(reply.body, reply.content_type)
    }
}

fn token_reply() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600
    }))
}

/// The builder a client of `preset` needs against `server`.
fn client(preset: Preset, kind: &str, server: &MockServer) -> GatewayBuilder {
    let mut b = Gateway::builder(kind, &server.uri())
        .name(format!("{preset}-test"))
        .preset(preset)
        .lookup_path("/dancu/tracuu")
        .verify_path("/dancu/xacthuc");
    let channel = preset.channel();
    let lgsp = |b: GatewayBuilder| {
        b.with_config("token_path", "/token").lgsp_credentials(
            Secret::new("ak"),
            Secret::new("sk"),
            "motcua",
            "000.00.21.H06",
            "",
        )
    };
    b = match kind {
        "lgsp" => lgsp(b),
        "c06" => {
            let b = b
                .c06_credentials("motcua", Secret::new(C06_SECRET))
                .with_config("auth_url", "https://c06.example.vn/auth");
            if channel.c06_api_headers {
                b.api_key(Secret::new(C06_KEY))
                    .with_config("x_road_client", "VN/GOV/000.00.21.H06/MOTCUA")
            } else {
                b
            }
        }
        _ => match channel.json_auth {
            JsonAuth::BearerKey => b.api_key(Secret::new(JSON_KEY)),
            JsonAuth::LgspToken => lgsp(b),
            JsonAuth::None => b,
        },
    };
    if preset.dialect().service_code_required {
        b = b.service_code("1.001776", "G15-TP110");
    }
    for (name, _) in preset.dialect().extra_elements {
        b = b.with_config(
            "extra_elements",
            ConfigValue::Table(vec![(name, "motcua.test".into())]),
        );
    }
    b
}

async fn fake(preset: Preset, kind: &'static str, fixture: &SuiteFixture) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(token_reply())
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(wiremock::matchers::path_regex("^/dancu/"))
        .respond_with(FakeGateway::new(preset, kind, fixture))
        .mount(&server)
        .await;
    server
}

/// Every preset, with the kinds it serves.
fn presets() -> Vec<(Preset, &'static str)> {
    let mut out = vec![
        (Preset::Contract, "lgsp"),
        (Preset::Contract, "c06"),
        (Preset::Contract, "provincial_json"),
    ];
    for p in Preset::ALL {
        if let Some(kind) = p.channel().kind {
            out.push((p, kind));
        }
    }
    out
}

#[tokio::test]
async fn the_behaviour_suite_passes_in_every_dialect() {
    for (preset, kind) in presets() {
        let with_otp = preset.dialect().citizen_otp && kind == "provincial_json";
        let fixture = SuiteFixture::standard(with_otp);
        let server = fake(preset, kind, &fixture).await;
        let gw = client(preset, kind, &server)
            .build()
            .unwrap_or_else(|e| panic!("{preset}/{kind}: {e}"));
        assert_eq!(gw.info().channel, kind);
        behaviour_suite(&gw, &fixture).await;
        // What went on the wire is that dialect's.
        let requests = server.received_requests().await.expect("recorded");
        let data: Vec<&Request> = requests
            .iter()
            .filter(|r| r.url.path().starts_with("/dancu/"))
            .collect();
        assert!(!data.is_empty());
        let d = preset.dialect();
        for r in data {
            if kind == "provincial_json" {
                let v: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
                let id_key = d.json_keys.key("MaYeuCau");
                assert!(v.get(id_key.as_ref()).is_some(), "{preset}: {v}");
                if d.service_code_required {
                    assert_eq!(v[d.json_keys.key("MaDVC").as_ref()], "G15-TP110");
                }
            } else {
                assert_eq!(
                    r.headers.get("content-type").and_then(|v| v.to_str().ok()),
                    Some(d.content_type.as_str())
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------
// One test per setting
// ---------------------------------------------------------------------------

/// A server that answers every data call "not found" (SOAP) and records.
async fn recording_soap() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            dancu_wire::response::encode_lookup(None, Some(AS_OF)),
            "text/xml; charset=utf-8",
        ))
        .mount(&server)
        .await;
    server
}

fn c06_plain(server: &MockServer) -> GatewayBuilder {
    Gateway::builder("c06", &server.uri())
        .lookup_path("/c06/tracuu")
        .verify_path("/c06/xacthuc")
        .c06_credentials("motcua", Secret::new(C06_SECRET))
}

async fn sent(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.expect("recorded")
}

#[tokio::test]
async fn service_codes_map_procedures_and_an_unmapped_one_is_refused_before_anything() {
    let server = recording_soap().await;
    let gw = c06_plain(&server)
        .service_code("1.001776", "G15-TP110")
        .build()
        .expect("gateway");
    gw.lookup(&ctx(), &query()).await.expect("mapped");
    let wire = request::soap::decode(&sent(&server).await[0].body, &Dialect::default()).expect("w");
    assert_eq!(wire.service_code, "G15-TP110");

    // Another procedure, no mapping, no default: a local error, nothing sent.
    let other = RequestContext::new("canbo.motcua01", "2.000986".parse().expect("p")).expect("c");
    let err = gw.lookup(&other, &query()).await.unwrap_err();
    assert!(
        matches!(&err, RegistryError::Configuration { reason } if reason.contains("2.000986") && reason.contains("service_codes")),
        "{err:?}"
    );
    assert_eq!(sent(&server).await.len(), 1);

    // And nothing is half-audited: the audit trail has no record of it.
    let dir = tempfile::tempdir().expect("dir");
    let sink: Arc<SqliteAuditSink> =
        Arc::new(SqliteAuditSink::open(dir.path().join("a.sqlite")).expect("sink"));
    let hasher = SubjectHasher::new(Secret::new("a-long-and-secret-salt")).expect("salt");
    let audited = Audited::new(
        Retry(RetryPolicy::default()).over(gw),
        sink.clone() as Arc<dyn AuditSink>,
        hasher.clone(),
    );
    assert!(matches!(
        audited.lookup(&other, &query()).await,
        Err(RegistryError::Configuration { .. })
    ));
    assert!(
        sink.query(&hasher.query(query().key()))
            .await
            .expect("q")
            .is_empty()
    );
    assert_eq!(sent(&server).await.len(), 1);
    // The mapped procedure is audited under its procedure code, sent as the service code.
    audited.lookup(&ctx(), &query()).await.expect("audited");
    let records = sink.query(&hasher.query(query().key())).await.expect("q");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].entry.procedure.as_str(), "1.001776");

    // A default covers every procedure without its own code.
    let gw = c06_plain(&server)
        .service_code("1.001776", "G15-TP110")
        .default_service_code("VPCP")
        .build()
        .expect("gateway");
    gw.lookup(&other, &query()).await.expect("default");
    let last = sent(&server).await.pop().expect("one more");
    let wire = request::soap::decode(&last.body, &Dialect::default()).expect("w");
    assert_eq!(wire.service_code, "VPCP");
}

#[tokio::test]
async fn optional_c06_headers_extra_headers_and_the_content_type() {
    let server = recording_soap().await;
    let gw = c06_plain(&server)
        .preset(Preset::C06Php)
        .default_service_code("G15-TP110")
        .header("ESB_SOURCE_TYPE", "MOTCUA")
        .header("ESB_SOURCE_USERNAME", Secret::new("motcua.esb"))
        .build()
        .expect("gateway");
    gw.lookup(&ctx(), &query()).await.expect("lookup");
    let r = &sent(&server).await[0];
    let h = |n: &str| r.headers.get(n).and_then(|v| v.to_str().ok());
    assert!(h("apikey").is_none() && h("x-road-client").is_none());
    assert_eq!(h("esb_source_type"), Some("MOTCUA"));
    assert_eq!(h("esb_source_username"), Some("motcua.esb"));
    assert_eq!(h("content-type"), Some("application/xml"));
    assert_eq!(
        h("timestamp").map(str::len),
        Some(10),
        "seconds, as the PHP client"
    );
    assert!(!format!("{gw:?}").contains("motcua.esb"));

    // The contract's content type by default, another one configured.
    for (ct, expected) in [
        (None, "text/xml; charset=utf-8"),
        (Some("application/soap+xml"), "application/soap+xml"),
    ] {
        let server = recording_soap().await;
        let mut b = c06_plain(&server);
        if let Some(ct) = ct {
            b = b.with_config("content_type", ct);
        }
        b.build()
            .expect("gateway")
            .check(&ctx(), &query())
            .await
            .ok();
        let r = &sent(&server).await[0];
        assert_eq!(
            r.headers.get("content-type").and_then(|v| v.to_str().ok()),
            Some(expected)
        );
    }
    // A content type that is not XML, or a header that cannot be sent, is refused.
    let server = recording_soap().await;
    for (key, value) in [
        ("content_type", ConfigValue::from("application/json")),
        (
            "headers",
            ConfigValue::Table(vec![("bad header".into(), "x".into())]),
        ),
    ] {
        let e = c06_plain(&server)
            .with_config(key, value)
            .build()
            .unwrap_err();
        assert!(
            matches!(e, RegistryError::Configuration { ref reason } if reason.contains(key)),
            "{e:?}"
        );
    }
}

#[tokio::test]
async fn date_format_and_request_id_formats() {
    let server = recording_soap().await;
    let gw = c06_plain(&server)
        .with_config("date_format", "yyyy-MM-dd")
        .with_config("request_id", "prefix_time")
        .with_config("request_id_prefix", "HG-")
        .build()
        .expect("gateway");
    gw.lookup(&ctx(), &query()).await.expect("lookup");
    let body = String::from_utf8(sent(&server).await[0].body.clone()).expect("utf-8");
    assert!(
        body.contains("<dan:NgayThangNam>1989-05-12</dan:NgayThangNam>"),
        "{body}"
    );
    let id = body
        .split("<dan:MaYeuCau>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("id");
    assert!(
        id.starts_with("HG-") && id.len() == 16 && id[3..].bytes().all(|b| b.is_ascii_digit()),
        "{id}"
    );

    // The same id on every retry of one logical check, whatever the format.
    for format in ["uuid", "prefix_time"] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(2)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                dancu_wire::response::encode_lookup(None, Some(AS_OF)),
                "text/xml",
            ))
            .with_priority(2)
            .mount(&server)
            .await;
        let gw = c06_plain(&server)
            .with_config("request_id", format)
            .build()
            .expect("gateway");
        let retrying = Retry(RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(10),
        })
        .over(gw);
        let c = ctx();
        retrying.lookup(&c, &query()).await.expect("third attempt");
        let ids: Vec<String> = sent(&server)
            .await
            .iter()
            .map(|r| {
                request::soap::decode(
                    &r.body,
                    &Dialect {
                        request_id_max_len: 64,
                        ..Dialect::default()
                    },
                )
                .expect("w")
                .request_id
            })
            .collect();
        assert_eq!(ids.len(), 3);
        assert!(ids.iter().all(|i| *i == ids[0]), "{format}: {ids:?}");
        if format == "uuid" {
            assert_eq!(ids[0], c.request_id().to_string());
        }
    }

    // A prefix too long for the gateway's limit is refused, naming both.
    let e = c06_plain(&server)
        .with_config("request_id", "prefix_time")
        .with_config("request_id_prefix", "X".repeat(40))
        .with_config("request_id_max_len", 50i64)
        .build()
        .unwrap_err();
    assert!(
        matches!(&e, RegistryError::Configuration { reason } if reason.contains("request_id_max_len")),
        "{e:?}"
    );
    let e = c06_plain(&server)
        .with_config("request_id", "epoch")
        .build()
        .unwrap_err();
    assert!(
        matches!(&e, RegistryError::Configuration { reason } if reason.contains("[gateway.c06].request_id")),
        "{e:?}"
    );
}

#[tokio::test]
async fn camel_case_keys_with_nulls_and_without() {
    for nulls in [true, false] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "error_code": 0, "message": dancu_wire::response::encode_lookup(None, Some(AS_OF))
            })))
            .mount(&server)
            .await;
        let gw = Gateway::builder("provincial_json", &server.uri())
            .preset(Preset::TandanJson)
            .lookup_path("/a")
            .verify_path("/b")
            .default_service_code("G15-TP110")
            .with_config("json_nulls", nulls)
            .build()
            .expect("gateway");
        let q = cmnd_query();
        let reply = gw.lookup(&ctx(), &q).await.expect("lookup");
        assert_eq!(reply.outcome, LookupOutcome::NotFound);
        let r = &sent(&server).await[0];
        assert!(
            r.headers.get("authorization").is_none(),
            "Tân Dân takes no credentials"
        );
        let v: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
        assert_eq!(v["soCMND"], "095123456");
        assert_eq!(v["nam"], "1962");
        assert_eq!(v["maDVC"], "G15-TP110");
        assert!(v.get("SoCMND").is_none());
        assert_eq!(
            v.get("soDinhDanh").is_some_and(serde_json::Value::is_null),
            nulls
        );
        assert_eq!(
            v.get("ngayThangNam")
                .is_some_and(serde_json::Value::is_null),
            nulls
        );
        assert_eq!(v.get("soDinhDanh").is_none(), !nulls);
    }
}

#[tokio::test]
async fn every_check_answer_element_and_json_shape() {
    for element in dancu_wire::CheckElement::ALL {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                dancu_wire::response::encode_check(true, element),
                "text/xml",
            ))
            .mount(&server)
            .await;
        let gw = c06_plain(&server).build().expect("gateway");
        assert_eq!(
            gw.check(&ctx(), &query()).await.expect("check").outcome,
            CheckOutcome::Confirmed,
            "{element:?}"
        );
    }
    for (body, expected) in [
        (serde_json::json!({"data": "true"}), CheckOutcome::Confirmed),
        (
            serde_json::json!({"data": "false"}),
            CheckOutcome::NotConfirmed,
        ),
        (
            serde_json::json!({"error_code": 0, "message": dancu_wire::response::encode_check_document(true, dancu_wire::CheckElement::KetQuaXacThuc)}),
            CheckOutcome::Confirmed,
        ),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_json(body.clone()))
            .mount(&server)
            .await;
        let gw = Gateway::builder("provincial_json", &server.uri())
            .lookup_path("/a")
            .verify_path("/b")
            .api_key(Secret::new(JSON_KEY))
            .build()
            .expect("gateway");
        assert_eq!(
            gw.check(&ctx(), &query()).await.expect("check").outcome,
            expected,
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_bad_secondary_field_is_flagged_on_every_channel() {
    let json_reply = serde_json::json!({"error_code": 0, "message": BAD_SECONDARY});
    for kind in ["lgsp", "c06", "provincial_json"] {
        let server = MockServer::start().await;
        Mock::given(path("/token"))
            .respond_with(token_reply())
            .mount(&server)
            .await;
        let answer = if kind == "provincial_json" {
            ResponseTemplate::new(200).set_body_json(json_reply.clone())
        } else {
            ResponseTemplate::new(200).set_body_raw(BAD_SECONDARY, "text/xml")
        };
        Mock::given(path("/dancu/tracuu"))
            .respond_with(answer)
            .mount(&server)
            .await;
        let gw = client(Preset::Contract, kind, &server)
            .build()
            .expect("gateway");
        let reply = gw
            .lookup(&ctx(), &query())
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        let LookupOutcome::Found(record) = reply.outcome else {
            panic!("{kind}: expected found");
        };
        let fields: Vec<RecordField> = record.undecodable().iter().map(|u| u.field).collect();
        assert_eq!(
            fields,
            [
                RecordField::Gender,
                RecordField::PersonalId(Person::Father),
                RecordField::PersonalId(Person::HouseholdHead)
            ],
            "{kind}"
        );
        assert!(
            reply.meta.as_of.is_none(),
            "{kind}: no ThoiDiemDuLieu is an unknown as-of time"
        );
        let report = dancu_core::registry::MatchReport::compare(&query(), &record);
        assert_eq!(report.undecodable, fields);
        assert!(report.all_agree(), "the citizen's own fields agree");
        let json = serde_json::to_value(&report).expect("json");
        assert_eq!(
            json["undecodable"],
            serde_json::json!(["GioiTinh", "Cha/SoDinhDanh", "ChuHo/SoDinhDanh"])
        );
    }
}

#[test]
fn no_setting_switches_certificate_checks_off() {
    for key in [
        "danger_accept_invalid_certs",
        "tls_verify",
        "insecure",
        "accept_invalid_hostnames",
    ] {
        let e = Gateway::builder("c06", "https://10.0.0.1")
            .lookup_path("/a")
            .verify_path("/b")
            .c06_credentials("u", Secret::new("s"))
            .with_config(key, false)
            .build()
            .unwrap_err();
        assert!(
            matches!(&e, RegistryError::Configuration { reason } if reason.contains("unknown key")),
            "{key}: {e:?}"
        );
    }
    let bad_pin = Gateway::builder("c06", "https://10.0.0.1")
        .lookup_path("/a")
        .verify_path("/b")
        .c06_credentials("u", Secret::new("s"))
        .pin_sha256("not-a-fingerprint")
        .build()
        .unwrap_err();
    assert!(
        matches!(&bad_pin, RegistryError::Configuration { reason } if reason.contains("pin_sha256"))
    );
}

#[tokio::test]
async fn the_citizen_otp_is_an_opt_in_of_json_gateways() {
    let server = recording_soap().await;
    let otp = query().with_otp("482913".parse().expect("otp"));
    // SOAP has no slot for it, and the field presets do not have it: refused
    // before anything is sent.
    let soap = c06_plain(&server).build().expect("gateway");
    let tan_dan = Gateway::builder("provincial_json", &server.uri())
        .preset(Preset::TandanJson)
        .lookup_path("/a")
        .verify_path("/b")
        .default_service_code("G15-TP110")
        .build()
        .expect("gateway");
    for gw in [&soap, &tan_dan] {
        let e = gw.lookup(&ctx(), &otp).await.unwrap_err();
        assert!(
            matches!(&e, RegistryError::Configuration { reason } if reason.contains("citizen_otp")),
            "{e:?}"
        );
    }
    assert!(sent(&server).await.is_empty());
    // Opting in on a JSON gateway sends it (the contract preset has it on).
    let opted = Gateway::builder("provincial_json", &server.uri())
        .preset(Preset::TandanJson)
        .lookup_path("/a")
        .verify_path("/b")
        .default_service_code("G15-TP110")
        .with_config("citizen_otp", true)
        .build()
        .expect("gateway");
    let _ = opted.lookup(&ctx(), &otp).await;
    let v: serde_json::Value = serde_json::from_slice(&sent(&server).await[0].body).expect("json");
    assert_eq!(v["otp"], "482913");
    // And a SOAP gateway cannot opt in.
    let e = c06_plain(&server)
        .with_config("citizen_otp", true)
        .build()
        .unwrap_err();
    assert!(
        matches!(&e, RegistryError::Configuration { reason } if reason.contains("citizen_otp")),
        "{e:?}"
    );
}
