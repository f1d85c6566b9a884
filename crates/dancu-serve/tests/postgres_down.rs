//! `dancu serve` with its audit trail, dossier store and gateway quota in
//! PostgreSQL, when the database stops answering: lookups are refused (none
//! may go unaudited, none may pass the quota unchecked), no dossier code
//! is issued, and `/readyz` says which store fails.
//!
//! The database is reached through a TCP relay the test cuts. Needs
//! `DANCU_TEST_POSTGRES_URL` (`bash .ci/postgres run cargo test -p
//! dancu-serve --test postgres_down`); skips without it, unless `CI` is set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests panic on purpose

mod common;

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use dancu_popdb::config::Config;
use dancu_postgres::testkit;
use dancu_sandbox::{Sandbox, SandboxConfig};
use dancu_serve::Service;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

const SALT: &str = "postgres-down-test-salt-0123456789";
const KEY: &str = "postgres-down-test-key-0123456789";

fn server_url() -> Option<String> {
    testkit::server_url(
        "postgres_down",
        "cargo test -p dancu-serve --test postgres_down",
    )
}

/// Relays loopback connections to the database; [`Relay::cut`] drops every
/// relayed connection and refuses new ones until [`Relay::restore`].
struct Relay {
    port: u16,
    open: Arc<AtomicBool>,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accept: JoinHandle<()>,
}

impl Relay {
    async fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let tasks: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let open = Arc::new(AtomicBool::new(true));
        let (inner, is_open) = (Arc::clone(&tasks), Arc::clone(&open));
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !is_open.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let target = target.clone();
                let relay = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                inner.lock().unwrap().push(relay);
            }
        });
        Self {
            port,
            open,
            tasks,
            accept,
        }
    }

    /// Drops every relayed connection and refuses new ones.
    fn cut(&self) {
        self.open.store(false, Ordering::SeqCst);
        for t in self.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
    }

    /// Relays new connections again.
    fn restore(&self) {
        self.open.store(true, Ordering::SeqCst);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.cut();
        self.accept.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookups_are_refused_and_readyz_says_so_while_postgres_is_down() {
    let Some(base) = server_url() else {
        return;
    };
    let url = url::Url::parse(&base).expect("the test server's URL");
    let target = format!(
        "{}:{}",
        url.host_str().expect("host"),
        url.port().unwrap_or(5432)
    );
    let relay = Relay::start(target).await;
    let schema = format!("down_{}", std::process::id());
    let created = Command::new(testkit::program("psql"))
        .args([
            "-q",
            "-c",
            &format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"),
            &base,
        ])
        .status()
        .expect("psql runs");
    assert!(created.success());
    let mut relayed = url.clone();
    relayed.set_port(Some(relay.port)).unwrap();
    relayed
        .query_pairs_mut()
        .append_pair("options", &format!("-csearch_path={schema}"))
        .append_pair("connect_timeout", "2");
    let pg = relayed.to_string();

    let sandbox = Sandbox::start(SandboxConfig {
        citizens: 200,
        ..SandboxConfig::default()
    })
    .await
    .expect("the sandbox starts");
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.sqlite");
    let audit = audit.to_str().unwrap();
    let toml = sandbox.config_toml(audit);
    // Over verified TLS when the test server serves it (.ci/postgres does).
    let store = testkit::store_toml(&pg);
    let toml = toml.replace(&format!("path = \"{audit}\""), &store);
    assert!(toml.contains(&pg), "{toml}");
    let toml = format!(
        "{toml}\n[dossiers]\n{store}\n\n[quota]\n{store}\n\n\
         [serve.clients.t]\nkey_env = \"KEY\"\nscopes = [\"lookup\", \"dossier_codes\"]\n"
    );
    let vars: BTreeMap<&str, &str> = [("DANCU_AUDIT_SALT", SALT), ("KEY", KEY)]
        .into_iter()
        .collect();
    let env = move |v: &str| vars.get(v).map(|s| (*s).to_owned());
    let config = Config::parse(&toml, dir.path(), &env).expect("dancu.toml parses");
    let service = Service::open(&config, dir.path(), &env)
        .await
        .expect("the service opens its PostgreSQL stores");
    let (listening, stop, server) = common::serving(service).await;
    let at = listening.url();
    let at = at.trim_end_matches('/');
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let citizen = sandbox
        .population()
        .people()
        .iter()
        .find(|p| p.otp.is_none() && p.birth.day().is_some())
        .expect("a citizen")
        .clone();
    let lookup = json!({
        "gateway": "provincial_json",
        "id": citizen.id.as_str(),
        "name": citizen.name.as_str(),
        "birth_date": citizen.birth.to_string(),
        "procedure": "1.001776",
        "officer": {"id": "canbo.down", "unit": "000.00.21.H06"},
    });
    let ready = |http: reqwest::Client| async move {
        let r = http.get(format!("{at}/readyz")).send().await.unwrap();
        (r.status().as_u16(), r.json::<Value>().await.unwrap())
    };
    let post = |http: reqwest::Client, path: &'static str, body: Value| async move {
        let r = http
            .post(format!("{at}{path}"))
            .bearer_auth(KEY)
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json::<Value>().await.unwrap())
    };

    let (status, body) = ready(http.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["checks"]["quota"], "ok: shared in PostgreSQL",
        "{body}"
    );
    let (status, body) = post(http.clone(), "/v1/citizens/lookup", lookup.clone()).await;
    assert_eq!((status, &body["outcome"]), (200, &json!("found")), "{body}");

    relay.cut();
    let (status, body) = ready(http.clone()).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "not_ready", "{body}");
    for check in ["audit", "dossiers", "quota"] {
        let text = body["checks"][check].as_str().unwrap_or_default();
        assert!(text.starts_with("failing: PostgreSQL"), "{check}: {body}");
    }
    assert!(!body.to_string().contains(SALT), "{body}");
    let (status, body) = post(http.clone(), "/v1/citizens/lookup", lookup.clone()).await;
    assert_eq!(
        status, 503,
        "a lookup that cannot be audited is refused: {body}"
    );
    let (status, body) = post(
        http.clone(),
        "/v1/dossier-codes",
        json!({"unit": "000.00.21.H06", "date": "2026-12-03"}),
    )
    .await;
    assert!(
        status >= 500,
        "no code without the counter: {status} {body}"
    );
    let all = body.to_string();
    assert!(
        !all.contains(citizen.id.as_str()) && !all.contains(citizen.name.as_str()),
        "{all}"
    );

    // The database answers again: the pools reconnect, /readyz is ready
    // again, and lookups are audited and answered.
    relay.restore();
    let mut last = (0, Value::Null);
    for _ in 0..100 {
        last = ready(http.clone()).await;
        if last.0 == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        last.0, 200,
        "ready again once PostgreSQL answers: {}",
        last.1
    );
    let (status, body) = post(http.clone(), "/v1/citizens/lookup", lookup.clone()).await;
    assert_eq!((status, &body["outcome"]), (200, &json!("found")), "{body}");
    let (status, body) = post(
        http.clone(),
        "/v1/dossier-codes",
        json!({"unit": "000.00.21.H06", "date": "2026-12-03"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");

    let _ = stop.send(());
    let _ = server.await;
}
