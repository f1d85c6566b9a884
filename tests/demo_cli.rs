//! `dancu demo` as a new user runs it: the officer's OTP gate of Tân Dân,
//! and a kept data directory whose audit trail stays queryable.

use std::process::{Command, Output};

fn demo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dancu"))
        .arg("demo")
        .args(args)
        .env_remove("DANCU_AUDIT_SALT")
        .output()
        .expect("dancu demo runs")
}

fn text(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8")
}

/// How many lookups the demo's "who looked up" lists.
fn lookups_listed(shown: &str) -> usize {
    shown
        .lines()
        .find_map(|l| l.split(" — ").nth(1)?.split(' ').next()?.parse().ok())
        .expect("the who-looked-up count")
}

#[test]
fn the_officer_confirms_the_otp_before_tan_dan_looks_anyone_up() {
    let out = demo(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown = text(&out);
    let first_scene: Vec<&str> = shown
        .lines()
        .skip_while(|l| !l.contains("1. Tân Dân"))
        .take_while(|l| !l.contains("2. Tân Dân"))
        .collect();
    let at = |needle: &str| {
        first_scene
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle:?} not in {first_scene:#?}"))
    };
    let refused = at("chưa xác nhận mã OTP");
    let sent = at("Gửi mã OTP tới điện thoại cán bộ");
    let confirmed = at("[Nhập mã OTP]");
    let verified = at("Đã xác thực");
    assert!(refused < sent && sent < confirmed && confirmed < verified);
    assert!(!shown.contains("0912345678 ("), "the phone is masked");
    // The refusal is in the audit trail, before the lookup that found them.
    let who: Vec<&str> = shown
        .lines()
        .skip_while(|l| !l.contains("Ai đã tra cứu"))
        .filter(|l| l.contains("kết quả"))
        .collect();
    assert_eq!(who.len(), 2, "{who:#?}");
    assert!(who[0].contains("(refused)") && who[1].contains("(found)"));
}

#[test]
fn a_kept_data_directory_keeps_its_salt_and_stays_queryable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("UTF-8 path");
    let first = demo(&["--data-dir", data]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let second = demo(&["--data-dir", data]);
    assert!(
        second.status.success(),
        "a second run on the same trail: {}",
        String::from_utf8_lossy(&second.stderr)
    );
    let (first, second) = (text(&first), text(&second));
    assert_eq!(lookups_listed(&second), 2 * lookups_listed(&first));

    // The command the demo prints finds the same lookups.
    let hint = second
        .lines()
        .find(|l| l.contains("dancu audit who"))
        .expect("how to ask again");
    let subject = hint
        .trim_end_matches(')')
        .rsplit(' ')
        .next()
        .expect("the subject");
    let salt = std::fs::read_to_string(dir.path().join("audit-salt")).expect("the kept salt");
    let out = Command::new(env!("CARGO_BIN_EXE_dancu"))
        .args(["audit", "who", "--subject", subject, "--json", "--db"])
        .arg(dir.path().join("audit.sqlite"))
        .env("DANCU_AUDIT_SALT", salt.trim())
        .output()
        .expect("dancu audit runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(text(&out).lines().count(), lookups_listed(&second));

    // With the salt in the environment, the demo uses it: another salt on
    // the same trail is refused, not silently answered.
    let out = Command::new(env!("CARGO_BIN_EXE_dancu"))
        .args(["demo", "--data-dir", data])
        .env("DANCU_AUDIT_SALT", "not-the-demo-salt-0123456789")
        .output()
        .expect("dancu demo runs");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("salt"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
