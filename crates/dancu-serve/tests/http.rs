//! `dancu serve` over real HTTP on loopback: an in-process sandbox gateway,
//! a `dancu.toml` in a temporary directory, the service from it, reqwest.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use dancu_popdb::config::Config;
use dancu_sandbox::{Person, Sandbox, SandboxConfig};
use dancu_serve::Service;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use serde_json::{Value, json};
use tokio::sync::oneshot;

const SALT: &str = "http-test-audit-salt-0123456789";
const FULL_KEY: &str = "http-test-full-key-0123456789";
const IDENTITY_KEY: &str = "http-test-identity-key-0123456789";
const SLOW_KEY: &str = "http-test-slow-key-0123456789";
/// `[serve] max_body_bytes` of the test service.
const MAX_BODY: usize = 4096;

/// A sandbox, the service in front of it, and a client.
struct Harness {
    url: String,
    http: reqwest::Client,
    sandbox: Option<Sandbox>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<Result<(), dancu_serve::ServeError>>>,
    dir: tempfile::TempDir,
}

impl Harness {
    async fn start() -> Self {
        Self::start_with("").await
    }

    /// As [`Harness::start`], with `serve` added to the `[serve]` table.
    async fn start_with(serve: &str) -> Self {
        let sandbox = Sandbox::start(SandboxConfig {
            citizens: 500,
            ..SandboxConfig::default()
        })
        .await
        .expect("the sandbox starts");
        let dir = tempfile::tempdir().expect("a temporary directory");
        let audit = dir.path().join("audit.sqlite");
        let mut toml = sandbox.config_toml(audit.to_str().expect("a UTF-8 path"));
        toml.push_str(&format!(
            r#"
[dossiers]
path = "dossiers.sqlite"

[serve]
max_body_bytes = {MAX_BODY}
{serve}

[serve.clients.full]
key_env = "KEY_FULL"
scopes = ["identity", "address", "lookup", "audit", "dossier_codes"]
rate_per_second = 100000

[serve.clients.identity_only]
key_env = "KEY_IDENTITY"
scopes = ["identity"]

[serve.clients.slow]
key_env = "KEY_SLOW"
scopes = ["identity", "address"]
rate_per_second = 1
burst = 1
"#
        ));
        let path = dir.path().join("dancu.toml");
        std::fs::write(&path, &toml).expect("dancu.toml written");
        let vars: BTreeMap<&str, &str> = [
            ("DANCU_AUDIT_SALT", SALT),
            ("KEY_FULL", FULL_KEY),
            ("KEY_IDENTITY", IDENTITY_KEY),
            ("KEY_SLOW", SLOW_KEY),
        ]
        .into_iter()
        .collect();
        let env = move |v: &str| vars.get(v).map(|s| (*s).to_owned());
        let text = std::fs::read_to_string(&path).expect("dancu.toml read");
        let base: &Path = dir.path();
        let config = Config::parse(&text, base, &env).expect("dancu.toml parses");
        let service = Service::new(&config, base, &env).expect("the service builds");
        let (listening, stop_tx, server) = common::serving(service).await;
        assert!(!listening.tls);
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("a client");
        Self {
            url: listening.url(),
            http,
            sandbox: Some(sandbox),
            stop: Some(stop_tx),
            server: Some(server),
            dir,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    fn get(&self, path: &str, key: Option<&str>) -> reqwest::RequestBuilder {
        let r = self.http.get(self.url(path));
        match key {
            Some(k) => r.bearer_auth(k),
            None => r,
        }
    }

    fn post(&self, path: &str, key: Option<&str>, body: &Value) -> reqwest::RequestBuilder {
        let r = self.http.post(self.url(path)).json(body);
        match key {
            Some(k) => r.bearer_auth(k),
            None => r,
        }
    }

    fn sandbox(&self) -> &Sandbox {
        self.sandbox.as_ref().expect("the sandbox runs")
    }

    /// A citizen with a full birth date and no one-time password.
    fn citizen(&self) -> Person {
        self.sandbox()
            .population()
            .people()
            .iter()
            .find(|p| p.otp.is_none() && p.birth.day().is_some())
            .expect("a citizen with a full birth date and no OTP")
            .clone()
    }

    /// Stops the service and the sandbox; the directory of the
    /// configuration and the stores outlives them.
    async fn stop(mut self) -> tempfile::TempDir {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.server.take() {
            t.await
                .expect("the server task")
                .expect("the server stops cleanly");
        }
        if let Some(s) = self.sandbox.take() {
            s.shutdown().await.expect("the sandbox stops");
        }
        self.dir
    }
}

/// The status, the content type and the JSON body of a response.
async fn answer(r: reqwest::RequestBuilder) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let resp = r.send().await.expect("a response");
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("a body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, headers, body)
}

fn content_type(h: &reqwest::header::HeaderMap) -> &str {
    h.get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Sends `r` and asserts that the answer is the problem `want` / `code`
/// ([`assert_problem`]); its headers and body.
async fn problem(
    r: reqwest::RequestBuilder,
    want: StatusCode,
    code: &str,
) -> (reqwest::header::HeaderMap, Value) {
    let (s, hd, b) = answer(r).await;
    assert_problem(s, &hd, &b, want, code);
    (hd, b)
}

/// Asserts a problem answer: status, media type, `code`, a request id that
/// is also the `X-Request-Id` answered.
fn assert_problem(
    status: StatusCode,
    headers: &reqwest::header::HeaderMap,
    body: &Value,
    want: StatusCode,
    code: &str,
) {
    assert_eq!(status, want, "{body}");
    assert_eq!(content_type(headers), "application/problem+json", "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], want.as_u16(), "{body}");
    assert_eq!(body["type"], format!("urn:dancu:problem:{code}"), "{body}");
    let id = body["request_id"]
        .as_str()
        .expect("request_id in the problem");
    assert!(!id.is_empty());
    assert_eq!(
        headers.get("x-request-id").and_then(|v| v.to_str().ok()),
        Some(id),
        "the problem's request id is the X-Request-Id answered"
    );
}

#[tokio::test]
async fn health_and_readiness_answer_200() {
    let h = Harness::start().await;
    let (s, hd, b) = answer(h.get("/healthz", None)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(content_type(&hd).starts_with("application/json"));
    assert_eq!(b["status"], "ok");
    let (s, _, b) = answer(h.get("/readyz", None)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["status"], "ready", "{b}");
    assert_eq!(b["checks"]["audit"], "ok", "{b}");
    assert_eq!(b["checks"]["dossiers"], "ok", "{b}");
    let gateways: Vec<&str> = b["checks"]["gateways"]
        .as_array()
        .expect("gateways")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for g in ["c06", "lgsp", "provincial_json"] {
        assert!(gateways.contains(&g), "{b}");
    }
    h.stop().await;
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let h = Harness::start().await;
    let (s, _, _) = answer(h.get("/healthz", None)).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _, _) = answer(h.get("/no/such/route", None)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let resp = h.get("/metrics", None).send().await.expect("a response");
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(content_type(resp.headers()).starts_with("text/plain"));
    let text = resp.text().await.expect("a body");
    assert!(
        text.contains("# TYPE dancu_http_requests_total counter"),
        "{text}"
    );
    assert!(
        text.contains(r#"dancu_http_requests_total{route="/healthz",status="200"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"dancu_http_requests_total{route="unmatched",status="404"} 1"#),
        "{text}"
    );
    h.stop().await;
}

#[tokio::test]
async fn openapi_document_lists_every_api_route() {
    let h = Harness::start().await;
    let (s, hd, doc) = answer(h.get("/openapi.json", None)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(content_type(&hd).starts_with("application/json"));
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
        "{doc}"
    );
    let paths = doc["paths"].as_object().expect("paths");
    // Every route of routes/mod.rs but `/metrics` and `/openapi.json`, which
    // the document does not describe.
    let routes = [
        ("post", "/v1/identity/inspect"),
        ("post", "/v1/addresses/resolve"),
        ("get", "/v1/units/legacy/{code}"),
        ("get", "/v1/units/2025/{code}"),
        ("get", "/v1/units/legacy/{code}/successors"),
        ("get", "/v1/units/2025/{code}/predecessors"),
        ("post", "/v1/citizens/lookup"),
        ("post", "/v1/citizens/check"),
        ("get", "/v1/audit"),
        ("post", "/v1/audit/subjects"),
        ("get", "/v1/audit/subjects/{id}"),
        ("get", "/v1/audit/officers/{officer}"),
        ("get", "/v1/audit/dossiers/{code}"),
        ("post", "/v1/dossier-codes"),
        ("get", "/healthz"),
        ("get", "/readyz"),
    ];
    for (method, path) in routes {
        let item = paths
            .get(path)
            .unwrap_or_else(|| panic!("{path} missing from paths"));
        assert!(item.get(method).is_some(), "{method} {path}: {item}");
    }
    // And nothing the router does not serve.
    let known: HashSet<&str> = routes.iter().map(|(_, p)| *p).collect();
    for p in paths.keys() {
        assert!(
            known.contains(p.as_str()),
            "{p} is documented but not routed"
        );
    }
    h.stop().await;
}

#[tokio::test]
async fn missing_key_is_401_problem_with_www_authenticate() {
    let h = Harness::start().await;
    let (hd, _) = problem(
        h.post("/v1/identity/inspect", None, &json!({"inputs": []})),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    let www = hd
        .get(WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .expect("WWW-Authenticate");
    assert!(www.starts_with("Bearer"), "{www}");
    // A wrong key is no better.
    problem(
        h.post(
            "/v1/identity/inspect",
            Some("not-a-configured-key-0000"),
            &json!({"inputs": []}),
        ),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    h.stop().await;
}

#[tokio::test]
async fn client_without_the_scope_is_403() {
    let h = Harness::start().await;
    // identity_only may inspect…
    let (s, _, b) = answer(h.post(
        "/v1/identity/inspect",
        Some(IDENTITY_KEY),
        &json!({"inputs": ["001089012345"]}),
    ))
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // …but not resolve addresses, look citizens up or read the audit trail.
    let (_, b) = problem(
        h.get("/v1/units/2025/01", Some(IDENTITY_KEY)),
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert!(b["detail"].as_str().unwrap().contains("address"), "{b}");
    let (_, b) = problem(
        h.get("/v1/audit/subjects/001089012345", Some(IDENTITY_KEY)),
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert!(b["detail"].as_str().unwrap().contains("audit"), "{b}");
    h.stop().await;
}

#[tokio::test]
async fn client_over_its_rate_is_429_with_retry_after() {
    let h = Harness::start().await;
    let (s, _, b) = answer(h.get("/v1/units/2025/01", Some(SLOW_KEY))).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (hd, b) = problem(
        h.get("/v1/units/2025/01", Some(SLOW_KEY)),
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
    let retry: u64 = hd
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in whole seconds");
    assert!((1..=2).contains(&retry), "Retry-After: {retry}");
    assert_eq!(b["retry_after"], retry, "{b}");
    // Another client is not held back by it.
    let (s, _, b) = answer(h.get("/v1/units/2025/01", Some(FULL_KEY))).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    h.stop().await;
}

#[tokio::test]
async fn unknown_path_is_404_and_wrong_method_is_405_problems() {
    let h = Harness::start().await;
    problem(
        h.get("/v1/nothing-here", Some(FULL_KEY)),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let (_, b) = problem(
        h.get("/v1/identity/inspect", Some(FULL_KEY)),
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;
    assert!(b["detail"].as_str().unwrap().contains("GET"), "{b}");
    problem(
        h.http.delete(h.url("/healthz")),
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;
    h.stop().await;
}

#[tokio::test]
async fn malformed_json_is_400_invalid_json() {
    let h = Harness::start().await;
    let r = h
        .http
        .post(h.url("/v1/identity/inspect"))
        .bearer_auth(FULL_KEY)
        .header(CONTENT_TYPE, "application/json")
        .body(r#"{"inputs": ["0010890"#);
    let (_, b) = problem(r, StatusCode::BAD_REQUEST, "invalid_json").await;
    // Where, never what.
    assert!(!b["detail"].as_str().unwrap().contains("0010890"), "{b}");
    h.stop().await;
}

#[tokio::test]
async fn wrong_content_type_is_415() {
    let h = Harness::start().await;
    let r = h
        .http
        .post(h.url("/v1/identity/inspect"))
        .bearer_auth(FULL_KEY)
        .header(CONTENT_TYPE, "text/plain")
        .body(r#"{"inputs": []}"#);
    problem(
        r,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    // A `+json` type is JSON.
    let r = h
        .http
        .post(h.url("/v1/identity/inspect"))
        .bearer_auth(FULL_KEY)
        .header(CONTENT_TYPE, "application/vnd.test+json; charset=utf-8")
        .body(r#"{"inputs": []}"#);
    let (s, _, b) = answer(r).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    h.stop().await;
}

#[tokio::test]
async fn body_over_max_body_bytes_is_413() {
    let h = Harness::start().await;
    let big: Vec<String> = (0..MAX_BODY / 10).map(|_| "001089012345".into()).collect();
    problem(
        h.post(
            "/v1/identity/inspect",
            Some(FULL_KEY),
            &json!({ "inputs": big }),
        ),
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
    )
    .await;
    // Just under the limit is fine.
    let small: Vec<String> = (0..MAX_BODY / 20).map(|_| "001089012345".into()).collect();
    let (s, _, b) = answer(h.post(
        "/v1/identity/inspect",
        Some(FULL_KEY),
        &json!({ "inputs": small }),
    ))
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    h.stop().await;
}

#[tokio::test]
async fn missing_field_is_422_naming_it() {
    let h = Harness::start().await;
    let (_, b) = problem(
        h.post("/v1/identity/inspect", Some(FULL_KEY), &json!({})),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(b["field"], "inputs", "{b}");
    assert!(b["detail"].as_str().unwrap().contains("inputs"), "{b}");
    let (_, b) = problem(
        h.post(
            "/v1/dossier-codes",
            Some(FULL_KEY),
            &json!({"date": "2026-12-03"}),
        ),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(b["field"], "unit", "{b}");
    // An unknown field is named too.
    let (_, b) = problem(
        h.post(
            "/v1/identity/inspect",
            Some(FULL_KEY),
            &json!({"inputs": [], "extra": 1}),
        ),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(b["field"], "extra", "{b}");
    h.stop().await;
}

#[tokio::test]
async fn request_id_given_is_echoed_and_invalid_is_400() {
    let h = Harness::start().await;
    let id = "0b6f3d1e-8c1a-4d7e-9f59-2f6a1c2b3d4e";
    let resp = h
        .get("/healthz", None)
        .header("X-Request-Id", id)
        .send()
        .await
        .expect("a response");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some(id)
    );
    // Echoed in problems too.
    let (_, b) = problem(
        h.post("/v1/identity/inspect", None, &json!({"inputs": []}))
            .header("X-Request-Id", id),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    assert_eq!(b["request_id"], id, "{b}");
    // Without one, each request gets its own.
    let a = h.get("/healthz", None).send().await.expect("a response");
    let c = h.get("/healthz", None).send().await.expect("a response");
    let (a, c) = (
        a.headers().get("x-request-id").cloned().expect("an id"),
        c.headers().get("x-request-id").cloned().expect("an id"),
    );
    assert_ne!(a, c);
    let (_, b) = problem(
        h.get("/healthz", None).header("X-Request-Id", "not-a-uuid"),
        StatusCode::BAD_REQUEST,
        "invalid_request_id",
    )
    .await;
    assert_eq!(b["field"], "X-Request-Id", "{b}");
    assert_ne!(b["request_id"], "not-a-uuid");
    h.stop().await;
}

#[tokio::test]
async fn identity_inspect_decodes_a_personal_id() {
    let h = Harness::start().await;
    let p = h.citizen();
    let id = p.id.as_str().to_owned();
    assert_eq!(id.len(), 12);
    let (s, hd, b) = answer(h.post(
        "/v1/identity/inspect",
        Some(FULL_KEY),
        &json!({"inputs": [id, "12345"], "on": "2026-12-03"}),
    ))
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(content_type(&hd).starts_with("application/json"));
    let results = b["results"].as_array().expect("results");
    assert_eq!(results.len(), 2, "{b}");
    assert_eq!(results[0]["kind"], "personal_id", "{b}");
    assert_eq!(results[0]["valid"], true, "{b}");
    assert_eq!(results[1]["valid"], false, "{b}");
    // A bad `on` is refused.
    let (_, b) = problem(
        h.post(
            "/v1/identity/inspect",
            Some(FULL_KEY),
            &json!({"inputs": [], "on": "03/12/2026x"}),
        ),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(b["field"], "on", "{b}");
    h.stop().await;
}

#[tokio::test]
async fn address_resolve_and_unit_lookups_agree() {
    let h = Harness::start().await;
    let (s, _, b) = answer(h.post(
        "/v1/addresses/resolve",
        Some(FULL_KEY),
        &json!({"inputs": ["Xã Ea H'Leo, Tỉnh Đắk Lắk"]}),
    ))
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let r = &b["results"][0];
    assert_eq!(r["resolved"], true, "{b}");
    let current = &r["current"];
    assert!(
        current["commune"]["name"]
            .as_str()
            .is_some_and(|n| n.contains("Ea H'Leo")),
        "{b}"
    );
    assert!(
        current["province"]["name"]
            .as_str()
            .is_some_and(|n| n.contains("Đắk Lắk")),
        "{b}"
    );
    let commune_2025 = current["commune"]["code"]
        .as_str()
        .expect("a 2025 commune code")
        .to_owned();
    let province_2025 = current["province"]["code"]
        .as_str()
        .expect("a 2025 province code")
        .to_owned();

    // The 2025 unit, by its code.
    let (s, _, u) = answer(h.get(&format!("/v1/units/2025/{commune_2025}"), Some(FULL_KEY))).await;
    assert_eq!(s, StatusCode::OK, "{u}");
    assert_eq!(u["code"], commune_2025.as_str(), "{u}");
    assert!(
        u["name"].as_str().is_some_and(|n| n.contains("Ea H'Leo")),
        "{u}"
    );
    let (s, _, u) = answer(h.get(&format!("/v1/units/2025/{province_2025}"), Some(FULL_KEY))).await;
    assert_eq!(s, StatusCode::OK, "{u}");
    assert!(
        u["name"].as_str().is_some_and(|n| n.contains("Đắk Lắk")),
        "{u}"
    );

    // Its predecessors, and back: each legacy predecessor has it among its
    // successors.
    let (s, _, pre) = answer(h.get(
        &format!("/v1/units/2025/{commune_2025}/predecessors"),
        Some(FULL_KEY),
    ))
    .await;
    assert_eq!(s, StatusCode::OK, "{pre}");
    assert_eq!(pre["code"], commune_2025.as_str(), "{pre}");
    let preds = pre["predecessors"].as_array().expect("predecessors");
    assert!(!preds.is_empty(), "{pre}");
    let legacy = preds[0]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("a predecessor code: {pre}"))
        .to_owned();
    assert_eq!(legacy.len(), 5, "{pre}");

    let (s, _, u) = answer(h.get(&format!("/v1/units/legacy/{legacy}"), Some(FULL_KEY))).await;
    assert_eq!(s, StatusCode::OK, "{u}");
    assert_eq!(u["code"], legacy.as_str(), "{u}");

    let (s, _, succ) = answer(h.get(
        &format!("/v1/units/legacy/{legacy}/successors"),
        Some(FULL_KEY),
    ))
    .await;
    assert_eq!(s, StatusCode::OK, "{succ}");
    assert!(
        succ.to_string().contains(&format!("\"{commune_2025}\"")),
        "the successors of {legacy} name {commune_2025}: {succ}"
    );

    // Legacy province 01 is Hà Nội.
    let (s, _, u) = answer(h.get("/v1/units/legacy/01", Some(FULL_KEY))).await;
    assert_eq!(s, StatusCode::OK, "{u}");
    assert!(
        u["name"].as_str().is_some_and(|n| n.contains("Hà Nội")),
        "{u}"
    );
    h.stop().await;
}

#[tokio::test]
async fn unknown_or_malformed_unit_codes_are_refused() {
    let h = Harness::start().await;
    for path in [
        "/v1/units/legacy/99999",
        "/v1/units/2025/99999",
        "/v1/units/legacy/99999/successors",
        "/v1/units/2025/99999/predecessors",
    ] {
        problem(
            h.get(path, Some(FULL_KEY)),
            StatusCode::NOT_FOUND,
            "unknown_unit",
        )
        .await;
    }
    // A 2025 code has no district level.
    let (_, b) = problem(
        h.get("/v1/units/2025/001", Some(FULL_KEY)),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(b["field"], "code", "{b}");
    h.stop().await;
}

fn lookup_body(p: &Person, birth_date: &str) -> Value {
    json!({
        "gateway": "provincial_json",
        "id": p.id.as_str(),
        "name": p.name.as_str(),
        "birth_date": birth_date,
        "procedure": "1.001776",
        "purpose": "Tiếp nhận hồ sơ đăng ký thường trú",
        "officer": {"id": "canbo.http", "unit": "000.00.21.H06"},
    })
}

#[tokio::test]
async fn citizen_lookup_is_found_checked_and_audited() {
    let h = Harness::start().await;
    let p = h.citizen();
    let dob = p.birth.to_string();
    let (s, _, b) = answer(h.post(
        "/v1/citizens/lookup",
        Some(FULL_KEY),
        &lookup_body(&p, &dob),
    ))
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["outcome"], "found", "{b}");
    let full = b["record"]["name"]["full"]
        .as_str()
        .expect("record.name.full");
    assert_eq!(full.to_lowercase(), p.name.as_str().to_lowercase(), "{b}");
    assert_eq!(b["record"]["personal_id"], p.id.as_str(), "{b}");
    let request_id = b["request_id"].as_str().expect("request_id").to_owned();

    // Another day of the same month and year: the ID's birth year still
    // agrees, the date does not.
    let day = p.birth.day().expect("a day");
    let wrong_day = if day == 1 { 2 } else { 1 };
    let wrong = format!(
        "{wrong_day:02}/{:02}/{}",
        p.birth.month().expect("a month"),
        p.birth.year()
    );
    let (s, _, w) = answer(h.post(
        "/v1/citizens/lookup",
        Some(FULL_KEY),
        &lookup_body(&p, &wrong),
    ))
    .await;
    assert_eq!(s, StatusCode::OK, "{w}");
    // The sandbox matches on ID, name and birth date together: a wrong
    // date is no citizen, answered 200 `not_found` without a record.
    assert_eq!(w["outcome"], "not_found", "{w}");
    assert!(w["record"].is_null(), "{w}");
    assert!(w["error"].is_null(), "{w}");
    let (s, _, c) = answer(h.post(
        "/v1/citizens/check",
        Some(FULL_KEY),
        &lookup_body(&p, &wrong),
    ))
    .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["outcome"], "not_confirmed", "{c}");

    // Who looked this citizen up.
    let (s, _, a) = answer(h.get(
        &format!("/v1/audit/subjects/{}?limit=100", p.id.as_str()),
        Some(FULL_KEY),
    ))
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let records = a["records"].as_array().expect("records");
    assert_eq!(records.len(), 3, "{a}");
    let ours = records
        .iter()
        .find(|r| r["request_id"] == request_id.as_str())
        .unwrap_or_else(|| panic!("the lookup {request_id} in the trail: {a}"));
    assert_eq!(ours["client"], "full", "{ours}");
    assert_eq!(ours["outcome"], "found", "{ours}");
    // The trail never gives the subject back.
    assert!(!a.to_string().contains(p.name.as_str()), "{a}");
    // The same question with the number in the body, paged.
    let (s, _, b) = answer(h.post(
        "/v1/audit/subjects",
        Some(FULL_KEY),
        &json!({"id": p.id.as_str(), "limit": 2}),
    ))
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["records"].as_array().map(Vec::len), Some(2), "{b}");
    let cursor = b["next_cursor"].as_str().expect("a next page").to_owned();
    let (s, _, c) = answer(h.post(
        "/v1/audit/subjects",
        Some(FULL_KEY),
        &json!({"id": p.id.as_str(), "limit": 2, "cursor": cursor}),
    ))
    .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["records"], json!([records[2]]), "{c}");
    assert!(c["next_cursor"].is_null(), "{c}");
    let (_, e) = problem(
        h.post(
            "/v1/audit/subjects",
            Some(FULL_KEY),
            &json!({"id": "12345"}),
        ),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(e["field"], "id", "{e}");
    assert!(!e.to_string().contains("12345"), "{e}");
    problem(
        h.post(
            "/v1/audit/subjects",
            Some(IDENTITY_KEY),
            &json!({"id": p.id.as_str()}),
        ),
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    h.stop().await;
}

#[tokio::test]
async fn citizen_lookup_refuses_bad_input_before_the_gateway() {
    let h = Harness::start().await;
    let p = h.citizen();
    let mut body = lookup_body(&p, &p.birth.to_string());
    body["gateway"] = json!("nowhere");
    let (_, b) = problem(
        h.post("/v1/citizens/lookup", Some(FULL_KEY), &body),
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_gateway",
    )
    .await;
    assert_eq!(b["field"], "gateway", "{b}");
    // A birth year the ID contradicts.
    let mut body = lookup_body(&p, &format!("{}", p.birth.year() - 30));
    body["gateway"] = json!("provincial_json");
    let (_, b) = problem(
        h.post("/v1/citizens/lookup", Some(FULL_KEY), &body),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(b["field"], "birth_date", "{b}");
    // Nothing of it reached the audit trail.
    let (s, _, a) = answer(h.get(
        &format!("/v1/audit/subjects/{}", p.id.as_str()),
        Some(FULL_KEY),
    ))
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["records"].as_array().map(Vec::len), Some(0), "{a}");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_dossier_codes_are_distinct() {
    let h = Harness::start().await;
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let r = h.post(
            "/v1/dossier-codes",
            Some(FULL_KEY),
            &json!({"unit": "000.00.21.H56", "date": "2026-12-03"}),
        );
        tasks.push(tokio::spawn(answer(r)));
    }
    let mut codes = HashSet::new();
    for t in tasks {
        let (s, _, b) = t.await.expect("the request task");
        assert_eq!(s, StatusCode::CREATED, "{b}");
        assert_eq!(b["unit"], "000.00.21.H56", "{b}");
        assert_eq!(b["date"], "2026-12-03", "{b}");
        let code = b["code"].as_str().expect("a code").to_owned();
        assert!(code.starts_with("000.00.21.H56-261203-"), "{code}");
        codes.insert(code);
    }
    assert_eq!(codes.len(), 50, "{codes:?}");
    h.stop().await;
}

#[tokio::test]
async fn citizen_lookup_is_found_on_every_channel() {
    let h = Harness::start().await;
    let p = h.citizen();
    for channel in ["lgsp", "c06", "provincial_json"] {
        let mut body = lookup_body(&p, &p.birth.to_string());
        body["gateway"] = json!(channel);
        let (s, _, b) = answer(h.post("/v1/citizens/lookup", Some(FULL_KEY), &body)).await;
        assert_eq!(s, StatusCode::OK, "{channel}: {b}");
        assert_eq!(b["outcome"], "found", "{channel}: {b}");
        assert_eq!(b["record"]["personal_id"], p.id.as_str(), "{channel}: {b}");
        let (s, _, c) = answer(h.post("/v1/citizens/check", Some(FULL_KEY), &body)).await;
        assert_eq!(s, StatusCode::OK, "{channel}: {c}");
        assert_eq!(c["outcome"], "confirmed", "{channel}: {c}");
    }
    // Six lookups, one trail.
    let (s, _, a) = answer(h.get(
        &format!("/v1/audit/subjects/{}?limit=100", p.id.as_str()),
        Some(FULL_KEY),
    ))
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let gateways: HashSet<&str> = a["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter_map(|r| r["gateway"].as_str())
        .collect();
    assert_eq!(a["records"].as_array().map(Vec::len), Some(6), "{a}");
    assert_eq!(gateways.len(), 3, "{a}");
    h.stop().await;
}

#[tokio::test]
async fn gateway_off_contract_is_502_and_down_is_503() {
    let h = Harness::start().await;
    let p = h.citizen();
    let body = lookup_body(&p, &p.birth.to_string());

    h.sandbox().set_faults(dancu_sandbox::Faults {
        malformed_rate: 1.0,
        ..dancu_sandbox::Faults::default()
    });
    let (_, b) = problem(
        h.post("/v1/citizens/lookup", Some(FULL_KEY), &body),
        StatusCode::BAD_GATEWAY,
        "invalid_response",
    )
    .await;
    assert!(b["attempts"].as_u64().is_some_and(|n| n >= 1), "{b}");
    assert!(!b.to_string().contains(p.id.as_str()), "{b}");

    h.sandbox().set_faults(dancu_sandbox::Faults {
        outage: Some(dancu_sandbox::faults::Outage {
            start_after_ms: 0,
            duration_ms: 600_000,
        }),
        ..dancu_sandbox::Faults::default()
    });
    let (s, hd, b) = answer(h.post("/v1/citizens/lookup", Some(FULL_KEY), &body)).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{b}");
    assert_eq!(content_type(&hd), "application/problem+json", "{b}");
    let code = b["code"].as_str().expect("a code");
    assert!(["unavailable", "circuit_open"].contains(&code), "{b}");
    assert!(!b.to_string().contains(p.id.as_str()), "{b}");

    // Both failures are in the trail, completed.
    let (s, _, a) = answer(h.get(
        &format!("/v1/audit/subjects/{}?limit=100", p.id.as_str()),
        Some(FULL_KEY),
    ))
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["records"].as_array().map(Vec::len), Some(2), "{a}");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_the_lookup_in_flight_and_its_audit_record() {
    let h = Harness::start().await;
    let p = h.citizen();
    h.sandbox().set_faults(dancu_sandbox::Faults {
        latency_ms: Some(dancu_sandbox::faults::Latency::Fixed(700)),
        ..dancu_sandbox::Faults::default()
    });
    let mut body = lookup_body(&p, &p.birth.to_string());
    body["officer"]["id"] = json!("canbo.shutdown");
    let in_flight = tokio::spawn(answer(h.post("/v1/citizens/lookup", Some(FULL_KEY), &body)));
    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    let url = h.url.clone();
    let dir = h.stop().await;
    let audit = dir.path().join("audit.sqlite");
    let (s, _, b) = in_flight.await.expect("the lookup task");
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["outcome"], "found", "{b}");
    // Stopped: no longer accepting.
    let refused = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client")
        .get(format!("{url}/healthz"))
        .send()
        .await;
    assert!(refused.is_err(), "still accepting after shutdown");
    // The record was completed before the service exited.
    let sink = dancu_popdb::audit::SqliteAuditSink::open_read_only(&audit).expect("the trail");
    let records = dancu_core::registry::AuditSink::query(
        &sink,
        &dancu_core::registry::AuditQuery::Officer("canbo.shutdown".into()),
    )
    .await
    .expect("the query");
    assert_eq!(records.len(), 1);
    assert!(
        records[0].completion.is_some(),
        "the record is still pending"
    );
}

#[tokio::test]
async fn audit_queries_by_officer_dossier_and_time_are_paged() {
    let h = Harness::start().await;
    let p = h.citizen();
    let (s, _, d) = answer(h.post(
        "/v1/dossier-codes",
        Some(FULL_KEY),
        &json!({"unit": "000.00.21.H56"}),
    ))
    .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let dossier = d["code"].as_str().expect("a code").to_owned();
    let mut ids = Vec::new();
    for _ in 0..5 {
        let mut body = lookup_body(&p, &p.birth.to_string());
        body["officer"]["id"] = json!("canbo.trang");
        body["dossier"] = json!(dossier);
        let (s, _, b) = answer(h.post("/v1/citizens/lookup", Some(FULL_KEY), &body)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        ids.push(b["request_id"].as_str().expect("request_id").to_owned());
    }
    // By officer, two at a time, following the cursor.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let path = match &cursor {
            Some(c) => format!("/v1/audit/officers/canbo.trang?limit=2&cursor={c}"),
            None => "/v1/audit/officers/canbo.trang?limit=2".to_owned(),
        };
        let (s, _, a) = answer(h.get(&path, Some(FULL_KEY))).await;
        assert_eq!(s, StatusCode::OK, "{a}");
        let page = a["records"].as_array().expect("records");
        assert!(page.len() <= 2, "{a}");
        seen.extend(
            page.iter()
                .map(|r| r["request_id"].as_str().unwrap().to_owned()),
        );
        match a["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, ids, "every lookup once, oldest first");
    // By dossier and by time.
    let (s, _, a) = answer(h.get(
        &format!("/v1/audit/dossiers/{dossier}?limit=100"),
        Some(FULL_KEY),
    ))
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["records"].as_array().map(Vec::len), Some(5), "{a}");
    assert!(a["next_cursor"].is_null(), "{a}");
    let (s, _, a) = answer(h.get(
        "/v1/audit?from=2000-01-01&to=2100-01-01&limit=100",
        Some(FULL_KEY),
    ))
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["records"].as_array().map(Vec::len), Some(5), "{a}");
    // A range that ends before it starts, a bad limit, no audit scope.
    let (_, b) = problem(
        h.get("/v1/audit?from=2026-02-01&to=2026-01-01", Some(FULL_KEY)),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(b["field"], "to", "{b}");
    let (s, _, b) = answer(h.get("/v1/audit/officers/canbo.trang?limit=0", Some(FULL_KEY))).await;
    assert!(s.is_client_error(), "{s} {b}");
    let (s, _, b) = answer(h.get("/v1/audit/officers/canbo.trang", Some(IDENTITY_KEY))).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deadline_is_503_timed_out_and_too_many_lookups_503() {
    let h = Harness::start_with("request_timeout_s = 1\nmax_concurrent_lookups = 1").await;
    let p = h.citizen();
    h.sandbox().set_faults(dancu_sandbox::Faults {
        latency_ms: Some(dancu_sandbox::faults::Latency::Fixed(3000)),
        ..dancu_sandbox::Faults::default()
    });
    let body = lookup_body(&p, &p.birth.to_string());
    let first = tokio::spawn(answer(h.post("/v1/citizens/lookup", Some(FULL_KEY), &body)));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    // The one lookup slot is taken.
    let (hd, _) = problem(
        h.post("/v1/citizens/lookup", Some(FULL_KEY), &body),
        StatusCode::SERVICE_UNAVAILABLE,
        "too_many_lookups",
    )
    .await;
    assert!(hd.get(RETRY_AFTER).is_some(), "{hd:?}");
    // The first ends at the deadline: 503 timed_out, never 504.
    let started = std::time::Instant::now();
    let (s, hd, b) = first.await.expect("the lookup task");
    assert_problem(s, &hd, &b, StatusCode::SERVICE_UNAVAILABLE, "timed_out");
    assert!(started.elapsed() < std::time::Duration::from_secs(3), "{b}");
    // Its audit record is complete, with the outcome.
    let (s, _, a) = answer(h.get(
        &format!("/v1/audit/subjects/{}", p.id.as_str()),
        Some(FULL_KEY),
    ))
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let records = a["records"].as_array().expect("records");
    assert_eq!(records.len(), 1, "{a}");
    assert_eq!(records[0]["outcome"], "timed_out", "{a}");
    h.stop().await;
}

/// Every `/console` path of a service without `[serve.console]`.
const CONSOLE_PATHS: [&str; 6] = [
    "/console",
    "/console/",
    "/console/index.html",
    "/console/app.js",
    "/console/console.css",
    "/console/settings.json",
];

#[tokio::test]
async fn the_console_is_off_by_default() {
    let h = Harness::start().await;
    for path in CONSOLE_PATHS {
        let r = h.get(path, None).send().await.expect("an answer");
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    h.stop().await;
}

#[tokio::test]
async fn the_console_is_served_with_its_types_and_a_strict_policy() {
    let h = Harness::start_with(
        "[serve.console]\nenabled = true\ngateway = \"provincial_json\"\nunit = \"000.00.21.H06\"\n",
    )
    .await;
    for (path, media) in [
        ("/console/", "text/html; charset=utf-8"),
        ("/console/index.html", "text/html; charset=utf-8"),
        ("/console/console.css", "text/css; charset=utf-8"),
        ("/console/app.js", "text/javascript; charset=utf-8"),
        ("/console/api.js", "text/javascript; charset=utf-8"),
        ("/console/forms.js", "text/javascript; charset=utf-8"),
        ("/console/tandan.js", "text/javascript; charset=utf-8"),
        ("/console/igate.js", "text/javascript; charset=utf-8"),
        ("/console/audit.js", "text/javascript; charset=utf-8"),
        ("/console/settings.json", "application/json"),
    ] {
        let r = h.get(path, None).send().await.expect("an answer");
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let headers = r.headers().clone();
        assert_eq!(headers[CONTENT_TYPE], media, "{path}");
        let csp = headers["content-security-policy"].to_str().expect("ASCII");
        for rule in [
            "default-src 'none'",
            "script-src 'self'",
            "connect-src 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(rule), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe"), "{path}: {csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["cache-control"], "no-store", "{path}");
        let body = r.text().await.expect("a body");
        assert!(!body.is_empty(), "{path}");
        if path == "/console/" {
            // No inline script or style (the policy would block them), no
            // other origin.
            assert!(body.contains(r#"<script type="module" src="app.js"></script>"#));
            assert!(!body.contains("<style"), "inline style");
            assert!(!body.contains("http://") && !body.contains("https://"));
        }
    }
    // Every file of the console's folder is served as it is on disk, and
    // nothing else is: a file added there but not embedded fails here.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("console");
    for entry in std::fs::read_dir(&dir).expect("the console folder") {
        let path = entry.expect("an entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).expect("a name");
        let r = h
            .get(&format!("/console/{name}"), None)
            .send()
            .await
            .expect("an answer");
        assert_eq!(r.status(), StatusCode::OK, "{name} is embedded");
        let served = r.bytes().await.expect("a body");
        assert_eq!(served, std::fs::read(&path).expect("the file"), "{name}");
    }
    for absent in [
        "/console/../Cargo.toml",
        "/console/secret.js",
        "/console/%2e%2e%2fCargo.toml",
    ] {
        let r = h.get(absent, None).send().await.expect("an answer");
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{absent}");
    }
    // The page's settings name the gateway, never a key.
    let s: Value = h
        .get("/console/settings.json", None)
        .send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        s,
        json!({"gateway": "provincial_json", "procedure": "1.001776", "unit": "000.00.21.H06"})
    );
    let r = h.get("/console", None).send().await.expect("an answer");
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "the redirect to /console/ is followed"
    );
    assert!(r.url().path().ends_with("/console/"), "{}", r.url());
    let r = h
        .get("/console/nothing.js", None)
        .send()
        .await
        .expect("an answer");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    h.stop().await;
}
