//! Two `dancu serve` processes on one PostgreSQL database, in front of one
//! sandbox gateway: they issue one sequence of dossier codes, keep the
//! gateway's one quota between them, keep one audit trail (an instance
//! killed with SIGKILL in the middle of lookups leaves every lookup it had
//! started visible through the other), and the database holds no personal
//! data or secret.
//!
//! Needs `DANCU_TEST_POSTGRES_URL` (`bash .ci/postgres run cargo test
//! --test postgres_instances`); skips without it, unless `CI` is set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests panic on purpose

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dancu_postgres::testkit;
use serde_json::{Value, json};

const SALT: &str = "instances-test-salt-0123456789abcdef";
const KEY: &str = "instances-test-client-key-0123456789";
const UNIT: &str = "000.00.21.H06";
const CODES: usize = 1000;
/// Lookups in flight on the instance that is killed.
const IN_FLIGHT: usize = 12;
/// The sandbox's answer time: long enough for every lookup to be in the
/// gateway's hands when the instance is killed.
const LATENCY_MS: u64 = 3000;
/// What the sandbox lets through a second (more are answered 429 and
/// counted as faulted).
const SANDBOX_QUOTA: u32 = 12;
/// The gateway's `rate_per_second` in `dancu.toml`, shared by both
/// instances: under the sandbox's quota, while each instance alone at that
/// rate would exceed it together.
const RATE: u32 = 8;
/// Lookups in the burst across both instances.
const BURST: usize = 32;

fn server_url() -> Option<String> {
    testkit::server_url("postgres_instances", "cargo test --test postgres_instances")
}

/// A child process killed (SIGKILL) and reaped when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn dancu() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dancu"))
}

/// Starts `dancu serve` on a free loopback port; its base URL.
fn serve(dir: &Path) -> (Proc, String) {
    let mut child = dancu()
        .args(["serve", "--config", "dancu.toml", "--addr", "127.0.0.1:0"])
        .current_dir(dir)
        .env("DANCU_AUDIT_SALT", SALT)
        .env("DANCU_TEST_KEY", KEY)
        .env("DANCU_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dancu serve starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("dancu serve says where it listens")
            .expect("stderr line");
        if let Some(url) = line.strip_prefix("dancu serve: listening on ") {
            break url.trim().trim_end_matches('/').to_owned();
        }
    };
    // Keep draining its log so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (Proc(child), url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_codes_and_the_trail_and_a_killed_one_loses_no_lookup() {
    let Some(base) = server_url() else {
        return;
    };
    let schema = format!(
        "inst_{}_{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
    );
    let created = Command::new(testkit::program("psql"))
        .args([
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            &format!("CREATE SCHEMA {schema}"),
            &base,
        ])
        .status()
        .expect("psql runs");
    assert!(created.success(), "CREATE SCHEMA");
    let sep = if base.contains('?') { '&' } else { '?' };
    let pg_url = format!("{base}{sep}options=-csearch_path%3D{schema}");

    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("faults.toml"),
        format!("latency_ms = {LATENCY_MS}\nquota_per_second = {SANDBOX_QUOTA}\n"),
    )
    .expect("faults");
    let mut sandbox = dancu()
        .args([
            "sandbox",
            "serve",
            "--citizens",
            "200",
            "--addr",
            "127.0.0.1:0",
        ])
        .args(["--faults", "faults.toml", "--write-config", "dancu.toml"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the sandbox starts");
    let mut first = String::new();
    BufReader::new(sandbox.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("the sandbox's first line");
    let _sandbox = Proc(sandbox);
    let sandbox_url = serde_json::from_str::<Value>(&first).expect("JSON")["base_url"]
        .as_str()
        .expect("base_url")
        .to_owned();

    // Both instances: the audit trail and the dossier store in PostgreSQL.
    let config_path = dir.path().join("dancu.toml");
    let config = std::fs::read_to_string(&config_path).expect("dancu.toml");
    assert!(config.contains("path = \"dancu-audit.sqlite\""), "{config}");
    assert!(config.contains("[gateway.provincial_json]\n"), "{config}");
    // Over verified TLS when the test server serves it (.ci/postgres does,
    // with an authority of its own).
    let store = testkit::store_toml(&pg_url);
    let config = config
        .replace("path = \"dancu-audit.sqlite\"", &store)
        .replace(
            "[gateway.provincial_json]\n",
            &format!("[gateway.provincial_json]\nrate_per_second = {RATE}\n"),
        )
        + &format!(
            "\n[dossiers]\n{store}\n\n[quota]\n{store}\n\n[serve.clients.t]\nkey_env = \"DANCU_TEST_KEY\"\n\
         scopes = [\"lookup\", \"audit\", \"dossier_codes\"]\nrate_per_second = 1000000\n"
        );
    std::fs::write(&config_path, config).expect("dancu.toml");
    let (a, a_url) = serve(dir.path());
    let (_b, b_url) = serve(dir.path());
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    for url in [&a_url, &b_url] {
        let ready = http
            .get(format!("{url}/readyz"))
            .send()
            .await
            .expect("readyz");
        assert_eq!(ready.status(), 200, "{url} is ready");
    }

    // 1,000 dossier codes asked of both instances at once: 1,000 distinct,
    // contiguous serials.
    let started = Instant::now();
    let permits = Arc::new(tokio::sync::Semaphore::new(32));
    let tasks: Vec<_> = (0..CODES)
        .map(|i| {
            let (http, permits) = (http.clone(), Arc::clone(&permits));
            let url = if i % 2 == 0 {
                a_url.clone()
            } else {
                b_url.clone()
            };
            tokio::spawn(async move {
                let _p = permits.acquire_owned().await.expect("permit");
                let r = http
                    .post(format!("{url}/v1/dossier-codes"))
                    .bearer_auth(KEY)
                    .json(&json!({"unit": UNIT, "date": "2026-12-03"}))
                    .send()
                    .await
                    .expect("POST /v1/dossier-codes");
                let status = r.status();
                let body: Value = r.json().await.expect("JSON");
                assert!(status.is_success(), "{status}: {body}");
                body["code"].as_str().expect("code").to_owned()
            })
        })
        .collect();
    let mut serials = BTreeSet::new();
    for t in tasks {
        let code = t.await.expect("task");
        let prefix = format!("{UNIT}-261203-");
        let serial: u32 = code
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("{code}"))
            .parse()
            .expect("serial");
        assert!(serials.insert(serial), "serial {serial} was issued twice");
    }
    assert_eq!(serials, (1..=u32::try_from(CODES).unwrap()).collect());
    eprintln!(
        "{CODES} dossier codes across two instances in {:.2} s",
        started.elapsed().as_secs_f64()
    );

    let export = dancu()
        .args(["sandbox", "export", "--citizens", "200"])
        .output()
        .expect("export");
    let citizens: Vec<Value> = String::from_utf8(export.stdout)
        .expect("UTF-8")
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("JSON line"))
        .filter(|c| c["otp_required"] != true)
        .take(IN_FLIGHT.saturating_add(1))
        .collect();
    assert!(citizens.len() > IN_FLIGHT, "enough citizens without OTP");
    let lookup = |c: &Value| {
        json!({
            "gateway": "provincial_json",
            "id": c["personal_id"],
            "name": c["name"],
            "birth_date": c["birth_date"],
            "procedure": "1.001776",
            "purpose": "Tiếp nhận hồ sơ đăng ký thường trú",
            "officer": {"id": "canbo.instances", "unit": UNIT},
        })
    };
    // A burst of lookups over both instances: the sandbox never counts more
    // than its quota, since both keep the gateway's one rate.
    let started = Instant::now();
    let tasks: Vec<_> = (0..BURST)
        .map(|i| {
            let http = http.clone();
            let url = if i % 2 == 0 {
                a_url.clone()
            } else {
                b_url.clone()
            };
            let body = lookup(&citizens[i % citizens.len()]);
            tokio::spawn(async move {
                let r = http
                    .post(format!("{url}/v1/citizens/lookup"))
                    .bearer_auth(KEY)
                    .json(&body)
                    .send()
                    .await
                    .expect("lookup");
                let status = r.status();
                let answer: Value = r.json().await.expect("JSON");
                assert_eq!(status, 200, "{answer}");
                assert_eq!(answer["outcome"], "found", "{answer}");
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("lookup task");
    }
    let elapsed = started.elapsed();
    let stats: Value = http
        .get(format!("{sandbox_url}/admin/stats"))
        .send()
        .await
        .expect("stats")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        stats["faulted"], 0,
        "the sandbox refused calls over its quota: {stats}"
    );
    assert_eq!(stats["served"], BURST, "{stats}");
    // Evenly spaced at RATE a second across both: (BURST - 1) / RATE
    // seconds at least, plus one answer's latency.
    let least = Duration::from_millis(
        u64::try_from(BURST - 1).unwrap() * 1000 / u64::from(RATE) + LATENCY_MS,
    );
    assert!(
        elapsed >= least.saturating_sub(Duration::from_millis(300)),
        "{BURST} lookups at {RATE}/s shared took {elapsed:?}"
    );
    eprintln!("{BURST} lookups over both instances in {elapsed:?}: {stats}");

    // Lookups in flight on a, which is then killed: each is in the trail,
    // pending, through b.
    let mut sent = Vec::new();
    for c in &citizens[..IN_FLIGHT] {
        let request_id = uuid::Uuid::new_v4().to_string();
        let request = http
            .post(format!("{a_url}/v1/citizens/lookup"))
            .bearer_auth(KEY)
            .header("X-Request-Id", &request_id)
            .json(&lookup(c));
        sent.push((
            c["personal_id"].as_str().expect("id").to_owned(),
            request_id,
        ));
        // The answers never come: a is killed first.
        tokio::spawn(async move { drop(request.send().await) });
    }
    // Each lookup's record is committed before the gateway call, and the
    // gateway takes LATENCY_MS to answer: well within it, every one is in
    // the gateway's hands and none has completed.
    tokio::time::sleep(Duration::from_millis(LATENCY_MS / 3)).await;
    drop(a); // SIGKILL
    for (id, request_id) in &sent {
        let r = http
            .get(format!("{b_url}/v1/audit/subjects/{id}?limit=100"))
            .bearer_auth(KEY)
            .send()
            .await
            .expect("audit query");
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.expect("JSON");
        let records = body["records"].as_array().expect("records");
        let ours = records
            .iter()
            .find(|r| r["request_id"] == request_id.as_str())
            .unwrap_or_else(|| panic!("lookup {request_id} is not in the trail through b: {body}"));
        assert_eq!(ours["pending"], true, "{ours}");
    }
    // The survivor keeps serving, and completes its own lookups.
    let last = &citizens[IN_FLIGHT];
    let r = http
        .post(format!("{b_url}/v1/citizens/lookup"))
        .bearer_auth(KEY)
        .json(&lookup(last))
        .send()
        .await
        .expect("lookup on b");
    assert_eq!(r.status(), 200);
    let answered: Value = r.json().await.expect("JSON");
    assert_eq!(answered["outcome"], "found", "{answered}");
    let id = last["personal_id"].as_str().expect("id");
    let trail: Value = http
        .get(format!("{b_url}/v1/audit/subjects/{id}"))
        .bearer_auth(KEY)
        .send()
        .await
        .expect("audit query")
        .json()
        .await
        .expect("JSON");
    assert_eq!(trail["records"][0]["outcome"], "found", "{trail}");

    // The command line reads the same trail, and migrates explicitly.
    let migrate = dancu()
        .args(["db", "migrate", "--config", "dancu.toml"])
        .current_dir(dir.path())
        .output()
        .expect("dancu db migrate");
    let said = String::from_utf8_lossy(&migrate.stdout);
    assert!(
        migrate.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    let version = format!(
        "PostgreSQL schema version {}",
        dancu_postgres::SCHEMA_VERSION
    );
    assert!(
        said.contains("[audit]") && said.contains("[dossiers]") && said.contains(&version),
        "{said}"
    );
    let who = dancu()
        .args([
            "audit",
            "who",
            "--subject",
            id,
            "--config",
            "dancu.toml",
            "--json",
        ])
        .current_dir(dir.path())
        .env("DANCU_AUDIT_SALT", SALT)
        .output()
        .expect("dancu audit who");
    assert!(
        who.status.success(),
        "{}",
        String::from_utf8_lossy(&who.stderr)
    );
    let lines: Vec<Value> = String::from_utf8(who.stdout)
        .expect("UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON record"))
        .collect();
    assert_eq!(
        lines.len(),
        trail["records"].as_array().expect("records").len(),
        "dancu audit finds what the service finds"
    );

    // Every table, dumped: no ID number, name, birth date, salt, client key
    // or gateway credential.
    let out = Command::new(testkit::program("pg_dump"))
        .args(["--data-only", "--schema", &schema, "--dbname", &base])
        .output()
        .expect("pg_dump runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dump = out.stdout;
    let contains = |needle: &[u8]| dump.windows(needle.len()).any(|w| w == needle);
    assert!(contains(b"dancu_audit_record"), "the dump has the trail");
    assert!(contains(b"canbo.instances"), "the dump has the lookups");
    assert!(contains(UNIT.as_bytes()), "the dump has the serials");
    let mut forbidden: Vec<String> = vec![
        SALT.into(),
        KEY.into(),
        "sandbox-c06-secret".into(),
        "sandbox-c06-api-key".into(),
    ];
    for c in &citizens {
        for field in ["personal_id", "name"] {
            forbidden.push(c[field].as_str().expect("field").to_owned());
        }
        forbidden.push(c["name"].as_str().expect("name").to_uppercase());
        // A full birth date, as given and in ISO form (a birth year alone,
        // four digits, would be found by chance in hashes and times).
        let birth = c["birth_date"].as_str().expect("birth_date");
        if let [d, m, y] = birth.split('/').collect::<Vec<_>>()[..] {
            forbidden.push(birth.to_owned());
            forbidden.push(format!("{y}-{m}-{d}"));
        }
    }
    for f in &forbidden {
        assert!(!contains(f.as_bytes()), "found {f:?} in the database dump");
    }
}
