//! Where `dancu serve` listens: loopback by default, any other address only
//! over TLS (or when told it sits behind a proxy), and HTTPS for real.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::serving;
use dancu_popdb::config::Config;
use dancu_serve::{ServeError, Service};

const SALT: &str = "listen-test-audit-salt-0123456789";
const KEY: &str = "listen-test-client-key-0123456789";

/// A service whose `dancu.toml` is `serve` after a minimal audit section.
fn service(dir: &Path, serve: &str) -> Service {
    let text = format!(
        "[audit]\npath = \"audit.sqlite\"\nsalt_env = \"SALT\"\n\n{serve}\n\n\
         [serve.clients.console]\nkey_env = \"KEY\"\nscopes = [\"identity\", \"address\", \"dossier_codes\"]\n"
    );
    let env = |v: &str| match v {
        "SALT" => Some(SALT.to_owned()),
        "KEY" => Some(KEY.to_owned()),
        _ => None,
    };
    let config = Config::parse(&text, dir, &env).expect("dancu.toml parses");
    Service::new(&config, dir, &env).expect("the service builds")
}

/// POSTs `body` as JSON with the client key; the status and the JSON
/// answered.
async fn post(
    http: &reqwest::Client,
    url: &str,
    body: &serde_json::Value,
) -> (reqwest::StatusCode, serde_json::Value) {
    let answer = http
        .post(url)
        .bearer_auth(KEY)
        .json(body)
        .send()
        .await
        .expect("an answer");
    let status = answer.status();
    (status, answer.json().await.expect("JSON"))
}

#[tokio::test]
async fn a_public_address_without_tls_is_refused_before_binding() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let s = service(dir.path(), "[serve]");
    let err = dancu_serve::run(
        s,
        Some("0.0.0.0:0".parse().expect("an address")),
        |_| panic!("must not listen"),
        std::future::pending(),
    )
    .await
    .expect_err("refused");
    assert!(matches!(err, ServeError::Config(_)), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("not a loopback address"), "{text}");
    assert!(text.contains("[serve.tls]"), "{text}");
}

#[tokio::test]
async fn unusable_tls_files_name_the_file() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("cert.pem"), "not a certificate").expect("written");
    std::fs::write(dir.path().join("key.pem"), "not a key").expect("written");
    let s = service(
        dir.path(),
        "[serve.tls]\ncert = \"cert.pem\"\nkey = \"key.pem\"",
    );
    let err = dancu_serve::run(
        s,
        None,
        |_| panic!("must not listen"),
        std::future::pending(),
    )
    .await
    .expect_err("refused");
    assert!(matches!(err, ServeError::Tls(_)), "{err:?}");
    assert!(err.to_string().contains("cert.pem"), "{err}");
}

#[tokio::test]
async fn with_tls_it_answers_https_only() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let key = rcgen::KeyPair::generate().expect("a key");
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .expect("params")
        .self_signed(&key)
        .expect("a certificate");
    std::fs::write(dir.path().join("cert.pem"), cert.pem()).expect("written");
    std::fs::write(dir.path().join("key.pem"), key.serialize_pem()).expect("written");
    let s = service(
        dir.path(),
        "[serve.tls]\ncert = \"cert.pem\"\nkey = \"key.pem\"",
    );
    let (listening, stop_tx, server) = serving(s).await;
    assert!(listening.tls);
    assert!(
        listening.url().starts_with("https://"),
        "{}",
        listening.url()
    );
    let port = listening.addr.port();

    let trusting = reqwest::Client::builder()
        .no_proxy()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.pem().as_bytes()).expect("PEM"))
        .resolve("localhost", listening.addr)
        .build()
        .expect("a client");
    let (status, body) = post(
        &trusting,
        &format!("https://localhost:{port}/v1/identity/inspect"),
        &serde_json::json!({"inputs": ["001089012345"]}),
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert_eq!(body["results"][0]["kind"], "personal_id", "{body}");

    // Plain HTTP on the TLS port gets no HTTP answer.
    let plain = reqwest::Client::builder()
        .no_proxy()
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .expect("a client")
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await;
    assert!(plain.is_err(), "plain HTTP answered: {plain:?}");
    // A client that does not trust the certificate is refused.
    let untrusting = reqwest::Client::builder()
        .no_proxy()
        .resolve("localhost", listening.addr)
        .build()
        .expect("a client")
        .get(format!("https://localhost:{port}/healthz"))
        .send()
        .await;
    assert!(untrusting.is_err(), "an untrusted certificate was accepted");

    let _ = stop_tx.send(());
    server.await.expect("the task").expect("stops cleanly");
}

#[tokio::test]
async fn without_a_dossier_store_codes_are_503_not_configured() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (listening, stop, server) = serving(service(dir.path(), "[serve]")).await;
    let url = listening.url();
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client");
    let (status, body) = post(
        &http,
        &format!("{url}/v1/dossier-codes"),
        &serde_json::json!({"unit": "000.00.21.H56"}),
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["code"], "not_configured", "{body}");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("[dossiers]")),
        "{body}"
    );
    let _ = stop.send(());
    server.await.expect("the task").expect("stops cleanly");
}

#[tokio::test]
async fn more_than_100000_inputs_is_422_too_many_inputs() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (listening, stop, server) = serving(service(dir.path(), "[serve]")).await;
    let url = listening.url();
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client");
    for (path, input) in [
        ("/v1/identity/inspect", "001089012345"),
        ("/v1/addresses/resolve", "Bắc Kạn"),
    ] {
        let inputs = vec![input; 100_001];
        let (status, body) = post(
            &http,
            &format!("{url}{path}"),
            &serde_json::json!({ "inputs": inputs }),
        )
        .await;
        assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert_eq!(body["code"], "too_many_inputs", "{path}: {body}");
        assert_eq!(body["field"], "inputs", "{path}: {body}");
    }
    // 100,000 are answered, in order.
    let inputs: Vec<String> = (0..100_000).map(|i| format!("{i:012}")).collect();
    let (status, body) = post(
        &http,
        &format!("{url}/v1/identity/inspect"),
        &serde_json::json!({ "inputs": inputs }),
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let results = body["results"].as_array().expect("results");
    assert_eq!(results.len(), 100_000);
    assert_eq!(
        results[99_999]["input"], "000000099999",
        "{}",
        results[99_999]
    );
    let _ = stop.send(());
    server.await.expect("the task").expect("stops cleanly");
}

#[test]
fn an_enabled_console_needs_a_configured_gateway() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (serve, says) in [
        (
            "[serve.console]\nenabled = true\ngateway = \"nowhere\"",
            "[serve.console].gateway: no [gateway.nowhere]",
        ),
        (
            "[serve.console]\nenabled = true",
            "the console needs a configured [gateway.<name>]",
        ),
    ] {
        let text = format!("[audit]\npath = \"audit.sqlite\"\nsalt_env = \"SALT\"\n\n{serve}\n");
        let env = |v: &str| (v == "SALT").then(|| SALT.to_owned());
        let config = Config::parse(&text, dir.path(), &env).expect("dancu.toml parses");
        let err = Service::new(&config, dir.path(), &env).expect_err(serve);
        assert!(err.to_string().contains(says), "{serve}: {err}");
    }
    // Off, it asks for nothing.
    let _ = service(dir.path(), "[serve.console]\nenabled = false");
}
