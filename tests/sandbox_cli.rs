//! `dancu sandbox serve` and `dancu sandbox export` as a vendor scripts
//! them: the first line, the written config, a lookup through it, a clean
//! stop on SIGTERM, and a deterministic export.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;

fn dancu() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dancu"))
}

/// Serves a sandbox with `dialects` (`--dialect` arguments), checks a
/// lookup through each channel of the config it writes, stops it with
/// SIGTERM, and returns its first line.
fn serve_verify_and_stop(tag: &str, dialects: &[&str]) -> Value {
    let dir = std::env::temp_dir().join(format!("dancu-sandbox-cli-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let config = dir.join("dancu.toml");
    let mut child = dancu()
        .args([
            "sandbox",
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--seed",
            "3",
            "--citizens",
            "300",
        ])
        .args(dialects.iter().flat_map(|d| ["--dialect", d]))
        .arg("--write-config")
        .arg(&config)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sandbox starts");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("first line");
    let line: Value = serde_json::from_str(&first).expect("the first line is one JSON object");
    verify_each_channel(&dir, &line);
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = child.wait().expect("the sandbox exits");
    assert_eq!(status.code(), Some(0), "a clean shutdown on SIGTERM");
    let _ = std::fs::remove_dir_all(&dir);
    line
}

#[test]
fn serve_prints_channels_writes_a_config_and_stops_cleanly() {
    let line = serve_verify_and_stop("contract", &[]);
    let base = line["base_url"].as_str().expect("base_url");
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    let lgsp = &line["channels"]["lgsp"];
    for key in [
        "kind",
        "base_url",
        "lookup_path",
        "verify_path",
        "token_path",
        "access_key",
        "secret_key",
        "app_name",
        "partner_code",
    ] {
        assert!(lgsp[key].is_string(), "lgsp.{key}");
    }
    let c06 = &line["channels"]["c06"];
    for key in [
        "username",
        "secret",
        "api_key",
        "x_road_client",
        "auth_url",
        "timestamp_unit",
    ] {
        assert!(c06[key].is_string(), "c06.{key}");
    }
    assert!(line["channels"]["provincial_json"]["api_key"].is_string());
}

#[test]
fn serve_speaks_the_dialects_it_is_given() {
    let line = serve_verify_and_stop(
        "dialects",
        &[
            "lgsp=opencps_lgsp",
            "c06=c06_php",
            "provincial_json=tandan_json",
        ],
    );
    let ch = &line["channels"];
    assert_eq!(ch["lgsp"]["preset"], "opencps_lgsp");
    assert_eq!(ch["lgsp"]["service_codes"]["1.001776"], "G15-TP110");
    assert_eq!(ch["c06"]["timestamp_unit"], "s");
    assert!(
        ch["c06"]["api_key"].is_null(),
        "the PHP client sends no ApiKey"
    );
    assert!(
        ch["provincial_json"]["api_key"].is_null(),
        "Tân Dân takes no key"
    );
    // A preset for another channel is a usage error.
    let out = dancu()
        .args(["sandbox", "serve", "--dialect", "c06=tandan_json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("tandan_json is for the provincial_json channel")
    );
}

/// `dancu verify` of a sandbox citizen through each channel of the written
/// config.
fn verify_each_channel(dir: &std::path::Path, line: &Value) {
    assert!(line["channels"].is_object());
    // Someone to look up: the export of the same seed and size.
    let export = dancu()
        .args(["sandbox", "export", "--seed", "3", "--citizens", "300"])
        .output()
        .expect("export runs");
    let citizen: Value = String::from_utf8(export.stdout)
        .expect("UTF-8")
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("JSON line"))
        .find(|c| c["otp_required"] == false)
        .expect("a citizen without OTP");
    for gateway in ["lgsp", "c06", "provincial_json"] {
        let out = dancu()
            .current_dir(dir)
            .env("DANCU_AUDIT_SALT", "sandbox-cli-test-salt-0123")
            .args([
                "verify",
                "--config",
                "dancu.toml",
                "--gateway",
                gateway,
                "--procedure",
                "1.001776",
                "--json",
            ])
            .args(["--id", citizen["personal_id"].as_str().expect("id")])
            .args(["--name", citizen["name"].as_str().expect("name")])
            .args(["--dob", citizen["birth_date"].as_str().expect("dob")])
            .output()
            .expect("verify runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{gateway}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(
            v["record"]["undecodable"],
            serde_json::json!([]),
            "{gateway}"
        );
        assert_eq!(
            v["match"]["undecodable"],
            serde_json::json!([]),
            "{gateway}"
        );
    }
}

#[test]
fn export_is_deterministic_and_complete() {
    let run = |seed: &str| {
        dancu()
            .args(["sandbox", "export", "--seed", seed, "--citizens", "200"])
            .output()
            .expect("export runs")
            .stdout
    };
    let a = run("9");
    assert_eq!(a, run("9"), "the same seed gives the same population");
    assert_ne!(a, run("10"));
    let text = String::from_utf8(a).expect("UTF-8");
    let rows: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert_eq!(rows.len(), 200);
    for r in &rows {
        assert_eq!(r["personal_id"].as_str().map(str::len), Some(12));
        assert!(r["cmnd"].is_null() || r["cmnd"].as_str().map(str::len) == Some(9));
        assert!(r["name"].is_string() && r["gender"].is_string());
        let dob = r["birth_date"].as_str().expect("birth_date");
        assert!([4, 7, 10].contains(&dob.len()), "{dob}");
        assert!(r["addresses"]["current"]["era"].is_string());
        assert_eq!(r["otp_required"].as_bool(), Some(!r["otp"].is_null()));
    }
}

/// Starts `dancu sandbox serve` with `args`, reads its first line, stops it
/// with SIGTERM; returns the first line (`None` if it never started) and the
/// exit status.
fn serve_briefly(args: &[&str]) -> (Option<Value>, Option<i32>) {
    let mut child = dancu()
        .args(["sandbox", "serve", "--citizens", "50"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("dancu runs");
    let mut first = String::new();
    let _ = BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut first);
    let line = serde_json::from_str(&first).ok();
    if line.is_some() {
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
    }
    (line, child.wait().expect("the sandbox exits").code())
}

#[test]
fn serve_resolves_a_host_name() {
    let (line, code) = serve_briefly(&["--addr", "localhost:0"]);
    let line = line.expect("the sandbox started on localhost:0");
    let base = line["base_url"].as_str().expect("base_url");
    assert!(
        base.starts_with("http://127.0.0.1:") || base.starts_with("http://[::1]:"),
        "{base}"
    );
    assert_eq!(code, Some(0));
    let (line, code) = serve_briefly(&["--addr", "no-such-host.invalid:0"]);
    assert!(line.is_none());
    assert_eq!(code, Some(2));
}

#[test]
fn write_config_keeps_an_existing_file_unless_forced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("dancu.toml");
    std::fs::write(&config, "# mine\n").expect("write");
    let path = config.to_str().expect("UTF-8 path");
    let out = dancu()
        .args([
            "sandbox",
            "serve",
            "--citizens",
            "50",
            "--write-config",
            path,
        ])
        .output()
        .expect("dancu runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--force"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&config).expect("read"), "# mine\n");
    let (line, code) = serve_briefly(&["--write-config", path, "--force"]);
    assert!(line.is_some());
    assert_eq!(code, Some(0));
    let written = std::fs::read_to_string(&config).expect("read");
    assert!(written.contains("[gateway.c06]"), "{written}");
}

#[test]
fn more_citizens_than_the_maximum_are_refused() {
    for sub in ["serve", "export"] {
        let out = dancu()
            .args(["sandbox", sub, "--citizens", "5000000000"])
            .output()
            .expect("dancu runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{sub}: {stderr}");
        assert!(stderr.contains("at most 10000000"), "{sub}: {stderr}");
    }
}
