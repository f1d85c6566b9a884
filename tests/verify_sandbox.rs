//! End to end: a sandbox on port 0, and `dancu verify` against it over real
//! HTTP on every channel, for every outcome and every injected fault.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use dancu_core::Precision;
use dancu_sandbox::faults::{Faults, Latency, Outage};
use dancu_sandbox::{Person, Sandbox, SandboxConfig};
use serde_json::Value;

const SALT: &str = "e2e-test-salt-0123456789";

struct Env {
    runtime: tokio::runtime::Runtime,
    sandbox: Option<Sandbox>,
    dir: PathBuf,
}

impl Env {
    fn start(seed: u64) -> Self {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let sandbox = runtime
            .block_on(Sandbox::start(SandboxConfig {
                seed,
                citizens: 3_000,
                ..SandboxConfig::default()
            }))
            .expect("sandbox starts");
        let dir = std::env::temp_dir().join(format!(
            "dancu-e2e-{}-{}",
            std::process::id(),
            sandbox.addr().port()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        // Short deadlines so fault tests finish quickly (with room for a loaded
        // machine: an answer rarely takes 1.5 s, four attempts fit in 5 s).
        let config = sandbox.config_toml("audit.sqlite").replace(
            "kind = ",
            "deadline_ms = 5000\nattempt_timeout_ms = 1500\nmax_retries = 3\nkind = ",
        );
        std::fs::write(dir.join("dancu.toml"), config).expect("config written");
        Self {
            runtime,
            sandbox: Some(sandbox),
            dir,
        }
    }

    fn sandbox(&self) -> &Sandbox {
        self.sandbox.as_ref().expect("running")
    }

    fn person(&self, f: impl Fn(&Person) -> bool) -> Person {
        self.sandbox()
            .population()
            .people()
            .iter()
            .find(|p| f(p))
            .cloned()
            .expect("such a citizen in the population")
    }

    fn verify(
        &self,
        gateway: &str,
        id: &str,
        name: &str,
        dob: &str,
        extra: &[&str],
    ) -> (i32, Value) {
        let out = self.run(gateway, id, name, dob, extra);
        let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
            panic!(
                "one JSON object on stdout, got {:?} / {:?}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code().unwrap_or(-1), json)
    }

    fn run(&self, gateway: &str, id: &str, name: &str, dob: &str, extra: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_dancu"))
            .current_dir(&self.dir)
            .env("DANCU_AUDIT_SALT", SALT)
            .args(["verify", "--config", "dancu.toml", "--gateway", gateway])
            .args([
                "--id",
                id,
                "--name",
                name,
                "--dob",
                dob,
                "--procedure",
                "1.001776",
                "--json",
            ])
            .args(extra)
            .output()
            .expect("dancu runs")
    }

    fn faults(&self, faults: Faults) {
        self.sandbox().set_faults(faults);
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        if let Some(s) = self.sandbox.take() {
            let _ = self.runtime.block_on(s.shutdown());
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn dir_has(dir: &Path, name: &str) -> bool {
    dir.join(name).exists()
}

#[test]
fn found_on_every_channel_with_the_record_and_match() {
    let env = Env::start(11);
    let p = env.person(|p| p.otp.is_none() && p.birth.precision() == Precision::Day);
    for gateway in ["lgsp", "c06", "provincial_json"] {
        let (code, out) = env.verify(
            gateway,
            p.id.as_str(),
            p.name.as_str(),
            &p.birth.to_string(),
            &[],
        );
        assert_eq!(code, 0, "{gateway}: {out}");
        assert_eq!(out["outcome"], "found");
        assert_eq!(out["attempts"], 1);
        assert!(out["error"].is_null());
        let r = &out["record"];
        assert_eq!(r["personal_id"], p.id.as_str());
        assert_eq!(r["name"]["full"], p.name.to_wire_upper());
        assert_eq!(r["birth_date"], p.birth.to_string());
        assert_eq!(r["gender"], p.gender.as_str());
        let current = &r["addresses"]["current"];
        assert!(
            current["era"] == "legacy" || current["era"] == "2025",
            "{current}"
        );
        assert!(current["province"]["code"].is_string());
        assert!(
            current["commune"]["name"]
                .as_str()
                .is_some_and(|n| !n.is_empty())
        );
        assert_eq!(out["match"]["all_agree"], true);
        assert_eq!(out["match"]["id"], "same");
        assert!(out["request_id"].as_str().is_some_and(|s| s.len() == 36));
    }
    assert!(dir_has(&env.dir, "audit.sqlite"));
}

#[test]
fn not_found_year_only_cmnd_and_check() {
    let env = Env::start(12);
    let (code, out) = env.verify("c06", "001089000001", "Không Có Ai", "1989", &[]);
    assert_eq!((code, out["outcome"].as_str()), (3, Some("not_found")));
    assert!(out["record"].is_null());

    let y = env.person(|p| p.otp.is_none() && p.birth.precision() == Precision::Year);
    let (code, out) = env.verify(
        "lgsp",
        y.id.as_str(),
        &y.name.folded_key(),
        &y.birth.to_string(),
        &[],
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["record"]["birth_date"], y.birth.to_string());
    assert_eq!(out["match"]["name"], "folded");

    // A year-only query finds a citizen whose full date is recorded.
    let f = env.person(|p| p.otp.is_none() && p.birth.precision() == Precision::Day);
    let (code, out) = env.verify(
        "c06",
        f.id.as_str(),
        f.name.as_str(),
        &f.birth.year().to_string(),
        &[],
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["match"]["birth_date"], "shared_precision");

    let c = env.person(|p| p.otp.is_none() && p.cmnd.is_some());
    let cmnd = c.cmnd.expect("cmnd").to_string();
    let (code, out) = env.verify("lgsp", &cmnd, c.name.as_str(), &c.birth.to_string(), &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["record"]["cmnd"], cmnd);
    assert_eq!(out["match"]["id"], "same_cmnd");

    let (code, out) = env.verify(
        "c06",
        &cmnd,
        c.name.as_str(),
        &c.birth.to_string(),
        &["--mode", "check"],
    );
    assert_eq!((code, out["outcome"].as_str()), (0, Some("confirmed")));
    assert!(out["record"].is_null());
    let (code, out) = env.verify(
        "provincial_json",
        &cmnd,
        "Tên Khác Hẳn",
        &c.birth.to_string(),
        &["--mode", "check"],
    );
    assert_eq!((code, out["outcome"].as_str()), (3, Some("not_confirmed")));
}

#[test]
fn one_time_password_round_trip() {
    let env = Env::start(13);
    let p = env.person(|p| p.otp.is_some());
    let otp = p.otp.expect("flagged").as_str().to_owned();
    let dob = p.birth.to_string();
    let (code, first) = env.verify("provincial_json", p.id.as_str(), p.name.as_str(), &dob, &[]);
    assert_eq!((code, first["outcome"].as_str()), (4, Some("otp_required")));
    let request_id = first["request_id"].as_str().expect("request id").to_owned();
    let wrong = if otp == "000000" { "111111" } else { "000000" };
    let (code, out) = env.verify(
        "provincial_json",
        p.id.as_str(),
        p.name.as_str(),
        &dob,
        &["--otp", wrong, "--request-id", &request_id],
    );
    assert_eq!((code, out["outcome"].as_str()), (4, Some("otp_rejected")));
    let (code, out) = env.verify(
        "provincial_json",
        p.id.as_str(),
        p.name.as_str(),
        &dob,
        &["--otp", &otp, "--request-id", &request_id],
    );
    assert_eq!((code, out["outcome"].as_str()), (0, Some("found")), "{out}");
    assert_eq!(out["request_id"], request_id.as_str());
}

#[test]
fn injected_faults_map_to_outcomes_and_exit_statuses() {
    let env = Env::start(14);
    let p = env.person(|p| p.otp.is_none() && p.birth.precision() == Precision::Day);
    let (id, name, dob) = (p.id.to_string(), p.name.to_string(), p.birth.to_string());
    let run = |gateway: &str| env.verify(gateway, &id, &name, &dob, &[]);

    env.faults(Faults {
        latency_ms: Some(Latency::Fixed(5_000)),
        ..Faults::default()
    });
    let (code, out) = run("c06");
    assert_eq!(
        (code, out["outcome"].as_str()),
        (6, Some("unavailable")),
        "{out}"
    );
    assert_eq!(out["error"]["code"], "timed_out");

    env.faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let (code, out) = run("lgsp");
    assert_eq!(
        (code, out["outcome"].as_str()),
        (6, Some("unavailable")),
        "{out}"
    );
    assert_eq!(out["attempts"], 4, "the first attempt and 3 retries");

    env.faults(Faults {
        error_rate: 0.5,
        ..Faults::default()
    });
    let found = (0..5).filter(|_| run("c06").0 == 0).count();
    assert!(
        found >= 3,
        "retries get through a 50 % failure rate ({found}/5)"
    );

    env.faults(Faults {
        reset_rate: 1.0,
        ..Faults::default()
    });
    let (code, out) = run("provincial_json");
    assert_eq!(
        (code, out["outcome"].as_str()),
        (6, Some("unavailable")),
        "{out}"
    );

    env.faults(Faults {
        server_fault_rate: 1.0,
        ..Faults::default()
    });
    let (code, out) = run("c06");
    assert_eq!(
        (code, out["outcome"].as_str()),
        (6, Some("unavailable")),
        "{out}"
    );

    // A gateway that reads the request and refuses it, in each dialect: a
    // rejection with the gateway's own text, sent once, never retried.
    env.faults(Faults {
        rejected_rate: 1.0,
        ..Faults::default()
    });
    for gateway in ["lgsp", "c06", "provincial_json"] {
        let (code, out) = run(gateway);
        assert_eq!(
            (code, out["outcome"].as_str()),
            (5, Some("rejected")),
            "{gateway}: {out}"
        );
        assert_eq!(out["attempts"], 1, "{gateway}: a refusal is not retried");
        let text = out.to_string();
        assert!(
            text.contains(dancu_sandbox::faults::REJECTION_TEXT),
            "{gateway}: the gateway's text reaches the officer: {out}"
        );
    }

    env.faults(Faults {
        malformed_rate: 1.0,
        ..Faults::default()
    });
    let (code, out) = run("c06");
    assert_eq!(
        (code, out["outcome"].as_str()),
        (7, Some("invalid_response")),
        "{out}"
    );
    assert_eq!(out["attempts"], 1, "a broken answer is not retried");

    env.faults(Faults {
        quota_per_second: Some(0),
        retry_after_s: Some(5),
        ..Faults::default()
    });
    let (code, out) = run("c06");
    assert_eq!(
        (code, out["outcome"].as_str()),
        (6, Some("unavailable")),
        "{out}"
    );
    assert_eq!(out["error"]["code"], "rate_limited");

    env.faults(Faults {
        outage: Some(Outage {
            start_after_ms: 0,
            duration_ms: 60_000,
        }),
        ..Faults::default()
    });
    let (code, _) = run("provincial_json");
    assert_eq!(code, 6);

    // A short token lifetime: the LGSP connector refreshes its token.
    env.faults(Faults {
        token_lifetime_s: Some(1),
        ..Faults::default()
    });
    assert_eq!(run("lgsp").0, 0);
    std::thread::sleep(Duration::from_millis(1_200));
    assert_eq!(run("lgsp").0, 0);

    env.faults(Faults::default());
    assert_eq!(run("c06").0, 0);
}

#[test]
fn usage_and_configuration_errors_exit_2() {
    let env = Env::start(15);
    let p = env.person(|p| p.otp.is_none());
    let out = env.run(
        "nope",
        p.id.as_str(),
        p.name.as_str(),
        &p.birth.to_string(),
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("gateway.nope"));
    let out = env.run("c06", "12345", p.name.as_str(), &p.birth.to_string(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(env!("CARGO_BIN_EXE_dancu"))
        .current_dir(&env.dir)
        .env_remove("DANCU_AUDIT_SALT")
        .args([
            "verify",
            "--gateway",
            "c06",
            "--id",
            p.id.as_str(),
            "--name",
            "An",
            "--dob",
        ])
        .arg(p.birth.year().to_string())
        .args(["--procedure", "1.001776"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("DANCU_AUDIT_SALT"));
}

#[test]
fn numeric_settings_that_used_to_panic_exit_2_naming_the_key() {
    let env = Env::start(16);
    let p = env.person(|p| p.otp.is_none());
    let config = std::fs::read_to_string(env.dir.join("dancu.toml")).expect("config");
    for (setting, key) in [
        ("rate_per_second = 1e-300", "rate_per_second"),
        ("max_concurrency = 9223372036854775807", "max_concurrency"),
        ("rate_per_second = nan", "rate_per_second"),
    ] {
        let bad = config.replace(
            "max_retries = 3\n",
            &format!("max_retries = 3\n{setting}\n"),
        );
        std::fs::write(env.dir.join("bad.toml"), bad).expect("written");
        let out = Command::new(env!("CARGO_BIN_EXE_dancu"))
            .current_dir(&env.dir)
            .env("DANCU_AUDIT_SALT", SALT)
            .args(["verify", "--config", "bad.toml", "--gateway", "c06"])
            .args(["--id", p.id.as_str(), "--name", p.name.as_str(), "--dob"])
            .arg(p.birth.to_string())
            .args(["--procedure", "1.001776", "--json"])
            .output()
            .expect("dancu runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{setting}: {stderr}");
        assert!(stderr.contains(key), "{setting}: {stderr}");
        assert!(!stderr.contains("panicked"), "{setting}: {stderr}");
    }
}

/// How many lookups the audit trail of `env` holds (0 when it does not
/// exist yet).
fn audited(env: &Env) -> usize {
    if !env.dir.join("audit.sqlite").exists() {
        return 0;
    }
    let out = Command::new(env!("CARGO_BIN_EXE_dancu"))
        .current_dir(&env.dir)
        .args(["audit", "between", "2000-01-01", "2100-01-01", "--json"])
        .output()
        .expect("dancu audit runs");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    out.stdout.iter().filter(|&&b| b == b'\n').count()
}

/// The human text is words, never Rust names; a name in another letter
/// case agrees as `case`; an OTP request says how to continue; `--otp`
/// needs `--request-id`; a birth date against the ID's birth year is
/// refused before any call or audit record.
#[test]
fn the_command_line_speaks_words_and_refuses_early() {
    let env = Env::start(17);
    let text = |out: &Output| String::from_utf8_lossy(&out.stdout).into_owned();
    let rust_names = [
        "AtSharedPrecision",
        "SameCmnd",
        "NotComparable",
        "CaseAndTonePlacement",
        "Some(",
        "Year)",
    ];

    // A CMND lookup with the name upper-cased and a year-only record.
    let c = env.person(|p| p.otp.is_none() && p.cmnd.is_some());
    let cmnd = c.cmnd.expect("has a CMND").to_string();
    let upper = c.name.as_str().to_lowercase();
    let (code, json) = env.verify("c06", &cmnd, &upper, &c.birth.to_string(), &[]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["match"]["name"], "case");
    assert_eq!(json["match"]["id"], "same_cmnd");
    let out = Command::new(env!("CARGO_BIN_EXE_dancu"))
        .current_dir(&env.dir)
        .env("DANCU_AUDIT_SALT", SALT)
        .args(["verify", "--config", "dancu.toml", "--gateway", "c06"])
        .args(["--id", &cmnd, "--name", &upper, "--dob"])
        .arg(c.birth.year().to_string())
        .args(["--procedure", "1.001776"])
        .output()
        .expect("runs");
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    for name in rust_names {
        assert!(!shown.contains(name), "{name} in {shown}");
    }
    assert!(shown.contains("the record's former CMND"), "{shown}");
    assert!(shown.contains("differs only in letter case"), "{shown}");
    assert!(shown.contains("gender not compared"), "{shown}");
    assert!(shown.contains("same year"), "{shown}");

    // The one-time password: how to continue, in text.
    let p = env.person(|p| p.otp.is_some());
    let out = Command::new(env!("CARGO_BIN_EXE_dancu"))
        .current_dir(&env.dir)
        .env("DANCU_AUDIT_SALT", SALT)
        .args([
            "verify",
            "--config",
            "dancu.toml",
            "--gateway",
            "provincial_json",
        ])
        .args(["--id", p.id.as_str(), "--name", p.name.as_str(), "--dob"])
        .arg(p.birth.to_string())
        .args(["--procedure", "1.001776"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(4));
    let shown = text(&out);
    let request_id = shown
        .split("request ")
        .nth(1)
        .and_then(|r| r.split(',').next())
        .expect("the request id is shown");
    assert!(
        shown.contains(&format!("--otp CODE --request-id {request_id}")),
        "{shown}"
    );

    // --otp without --request-id: a usage error, no call, no record.
    let before = audited(&env);
    let out = env.run(
        "provincial_json",
        p.id.as_str(),
        p.name.as_str(),
        &p.birth.to_string(),
        &["--otp", "123456"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--request-id"));

    // A birth year the personal ID contradicts: refused before the call.
    let f = env.person(|p| p.otp.is_none() && p.birth.precision() == Precision::Day);
    let other_year = (f.id.birth_year() + 1).to_string();
    let out = env.run("c06", f.id.as_str(), f.name.as_str(), &other_year, &[]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--dob contradicts --id"), "{err}");
    assert!(
        !err.contains(f.id.as_str()),
        "the number is not repeated: {err}"
    );
    assert_eq!(audited(&env), before, "no audit record, so no lookup");
}

/// The audit trail is bound to the salt it was created with: `verify`
/// with another salt is refused before the gateway is called (exit 2, the
/// message says why), and the trail keeps answering with its own salt.
#[test]
fn a_wrong_salt_is_refused_before_the_lookup() {
    let env = Env::start(19);
    let p = env.person(|p| p.otp.is_none() && p.birth.precision() == Precision::Day);
    let birth = p.birth.to_string();
    let (code, _) = env.verify("c06", p.id.as_str(), p.name.as_str(), &birth, &[]);
    assert_eq!(code, 0);
    let before = audited(&env);
    let out = Command::new(env!("CARGO_BIN_EXE_dancu"))
        .current_dir(&env.dir)
        .env("DANCU_AUDIT_SALT", "not-the-trail-salt-0123456789")
        .args(["verify", "--config", "dancu.toml", "--gateway", "c06"])
        .args([
            "--id",
            p.id.as_str(),
            "--name",
            p.name.as_str(),
            "--dob",
            &birth,
        ])
        .args(["--procedure", "1.001776", "--json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let json: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(json["error"]["code"], "audit_failed");
    assert!(
        json["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("salt"),
        "{json}"
    );
    assert_eq!(json["attempts"], 0, "no call was made");
    assert_eq!(
        audited(&env),
        before,
        "nothing recorded with the wrong salt"
    );
    let who = Command::new(env!("CARGO_BIN_EXE_dancu"))
        .current_dir(&env.dir)
        .env("DANCU_AUDIT_SALT", SALT)
        .args(["audit", "who", "--subject", p.id.as_str(), "--json"])
        .output()
        .expect("runs");
    assert_eq!(who.status.code(), Some(0));
    assert_eq!(who.stdout.iter().filter(|&&b| b == b'\n').count(), 1);
    let record: Value = serde_json::from_slice(&who.stdout).expect("one JSON object");
    assert_eq!(
        record.get("client"),
        Some(&Value::Null),
        "a lookup from the command line is made for no calling client: {record}"
    );
}

/// `connect::configured` gives a request without a unit the configuration's
/// `[officer] unit`, so the audit record has it; a request with its own unit
/// keeps it.
#[test]
fn the_configured_officer_unit_reaches_the_audit_trail() {
    use std::sync::Arc;

    use dancu_core::registry::{AuditQuery, AuditSink, IdentityQuery, RequestContext};
    use dancu_popdb::audit::{SqliteAuditSink, SubjectHasher};
    use dancu_popdb::config::Config;

    let env = Env::start(21);
    let p = env.person(|p| p.otp.is_none() && p.birth.precision() == Precision::Day);
    let config = Config::parse(
        &env.sandbox().config_toml("audit.sqlite"),
        &env.dir,
        &|_| None,
    )
    .expect("the sandbox's configuration");
    let sink = Arc::new(SqliteAuditSink::open(env.dir.join("units.sqlite")).expect("open"));
    let hasher = SubjectHasher::new(dancu_popdb::Secret::new(SALT)).expect("salt");
    let audit: Arc<dyn AuditSink> = sink.clone();
    let registry = dancu_popdb::connect::configured(&config, "lgsp", None, Some((audit, hasher)))
        .expect("the stack");
    let query = IdentityQuery::new(
        dancu_core::IdNumber::PersonalId(p.id),
        p.name.clone(),
        p.birth,
    )
    .expect("query");
    let procedure = || "1.001776".parse().expect("procedure");
    let records = env.runtime.block_on(async {
        let bare = RequestContext::new("canbo.a", procedure()).expect("ctx");
        registry.lookup(&bare, &query).await.expect("lookup");
        let own = RequestContext::new("canbo.b", procedure())
            .expect("ctx")
            .with_unit("000.00.22.H10".parse().expect("unit"));
        registry.lookup(&own, &query).await.expect("lookup");
        let from = dancu_core::Timestamp::from_unix_millis(0);
        let to = dancu_core::Timestamp::from_unix_millis(i64::MAX / 2);
        sink.query(&AuditQuery::Between(from, to))
            .await
            .expect("query")
    });
    let units: Vec<_> = records
        .iter()
        .map(|r| (r.entry.officer.as_str(), r.entry.unit.as_deref()))
        .collect();
    assert_eq!(
        units,
        [
            ("canbo.a", Some("000.00.21.H06")),
            ("canbo.b", Some("000.00.22.H10"))
        ]
    );
    assert!(
        dancu_popdb::connect::configured(&config, "nope", None, None).is_err(),
        "an unknown gateway is a configuration error"
    );
}
