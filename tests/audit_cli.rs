//! End-to-end tests of `dancu audit`, against a trail written by the
//! library as a one-stop system would write it.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use dancu_core::registry::{AuditEntry, AuditSink, CitizenRecord, Operation};
use dancu_core::{
    CalendarDate, IdNumber, IdentityQuery, PopulationRegistry, RequestContext, Timestamp,
};
use dancu_popdb::audit::{Audited, SqliteAuditSink, SubjectHasher};
use dancu_popdb::{InMemoryRegistry, Secret};

const SALT: &str = "cli-test-salt-0123456789abcdef";
const ID: &str = "006089000001";
const OTHER: &str = "001200012345";
const DAY_MS: i64 = 86_400_000;

fn hasher() -> SubjectHasher {
    SubjectHasher::new(Secret::new(SALT)).expect("salt")
}

fn query(id: &str) -> IdentityQuery {
    let on = CalendarDate::new(2026, 11, 27).expect("date");
    IdentityQuery::new(
        IdNumber::parse_on(id, on).expect("id"),
        "Nguyễn Văn An".parse().expect("name"),
        "12/05/1989".parse().expect("birth date"),
    )
    .expect("query")
}

fn ctx(officer: &str, dossier: Option<&str>) -> RequestContext {
    let ctx = RequestContext::new(officer, "1.001776".parse().expect("procedure"))
        .expect("ctx")
        .with_purpose("Đăng ký thường trú")
        .expect("purpose");
    match dossier {
        Some(d) => ctx.with_dossier(d.parse().expect("dossier")),
        None => ctx,
    }
}

/// Three completed lookups today (one made for the calling client
/// `tandan`, as the HTTP service makes them), one pending, and one from
/// 400 days ago.
fn populate(path: &Path) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let sink = Arc::new(SqliteAuditSink::open(path).expect("open"));
        let registry = InMemoryRegistry::new("memory");
        registry.insert(CitizenRecord::new(
            ID.parse().expect("id"),
            "Nguyễn Văn An".parse().expect("name"),
            "1".parse().expect("gender"),
            "12/05/1989".parse().expect("birth"),
        ));
        let audited = Audited::new(registry, sink.clone(), hasher());
        let dossier = Some("000.00.21.H56-261127-0001");
        audited
            .lookup(&ctx("canbo.a", dossier), &query(ID))
            .await
            .expect("lookup");
        let for_tandan = ctx("canbo.b", dossier)
            .with_client("tandan")
            .expect("client");
        audited.check(&for_tandan, &query(ID)).await.expect("check");
        audited
            .check(&ctx("canbo.a", None), &query(OTHER))
            .await
            .expect("check");
        // A lookup whose process died: begun, never completed.
        let pending = AuditEntry::for_request(
            &ctx("canbo.c", None),
            "lgsp-hanoi",
            "lgsp",
            Operation::Lookup,
            hasher().subject(query(ID).key()),
        );
        sink.begin(&pending).await.expect("begin");
        let mut old = AuditEntry::for_request(
            &ctx("canbo.old", None),
            "memory",
            "in_memory",
            Operation::Check,
            hasher().subject(query(ID).key()),
        );
        old.started_at = Timestamp::from_unix_millis(Timestamp::now().unix_millis() - 400 * DAY_MS);
        sink.begin(&old).await.expect("begin");
    });
}

fn dancu(args: &[&str], salt: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dancu"));
    cmd.args(args).env_remove("DANCU_AUDIT_SALT");
    if let Some(s) = salt {
        cmd.env("DANCU_AUDIT_SALT", s);
    }
    cmd.output().expect("dancu runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("UTF-8")
}

fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

fn officers(o: &Output) -> Vec<String> {
    json_lines(o)
        .iter()
        .map(|v| v["officer"].as_str().expect("officer").to_owned())
        .collect()
}

fn setup() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("audit.sqlite");
    populate(&db);
    let db = db.to_str().expect("UTF-8 path").to_owned();
    (dir, db)
}

#[test]
fn who_looked_this_citizen_up() {
    let (_dir, db) = setup();
    let out = dancu(
        &["audit", "who", "--subject", ID, "--db", &db, "--json"],
        Some(SALT),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = json_lines(&out);
    // Oldest first; the other citizen's lookup is not there.
    assert_eq!(
        officers(&out),
        ["canbo.old", "canbo.a", "canbo.b", "canbo.c"]
    );
    let outcomes: Vec<_> = lines.iter().map(|v| v["outcome"].clone()).collect();
    assert_eq!(
        outcomes,
        [
            serde_json::Value::Null,
            "found".into(),
            "confirmed".into(),
            serde_json::Value::Null
        ]
    );
    assert_eq!(lines[3]["pending"], true);
    assert_eq!(lines[1]["pending"], false);
    assert_eq!(lines[1]["operation"], "lookup");
    assert_eq!(lines[1]["dossier"], "000.00.21.H56-261127-0001");
    assert_eq!(lines[1]["purpose"], "Đăng ký thường trú");
    assert_eq!(lines[1]["attempts"], 1);
    let clients: Vec<_> = lines.iter().map(|v| v["client"].clone()).collect();
    assert_eq!(
        clients,
        [
            serde_json::Value::Null,
            serde_json::Value::Null,
            "tandan".into(),
            serde_json::Value::Null
        ],
        "the calling client, null for lookups made for none"
    );
    for line in &lines {
        assert!(line.get("client").is_some(), "always there: {line}");
        assert_eq!(line["subject"], "********0001");
        assert!(line.get("subject_hash").is_none());
    }
    assert!(!stdout(&out).contains(ID));

    // The human table says the same.
    let out = dancu(&["audit", "who", "--subject", ID, "--db", &db], Some(SALT));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("STARTED (UTC)"), "{text}");
    assert!(text.contains("PENDING") && text.contains("found") && text.contains("confirmed"));
    assert!(text.contains("4 record(s), 2 pending"), "{text}");
    // The CLIENT column, next to OFFICER: the client's name, "-" for none.
    let header = text.lines().next().unwrap_or("");
    assert!(
        header.contains("OFFICER") && header.contains(" CLIENT  UNIT"),
        "{header}"
    );
    let at = header.find("CLIENT").expect("a CLIENT column");
    assert!(header[..at].trim_end().ends_with("OFFICER"), "{header}");
    let column: Vec<String> = text
        .lines()
        .skip(1)
        .take(4)
        .map(|line| {
            let cell: String = line.chars().skip(at).collect();
            cell.split_whitespace().next().unwrap_or("").to_owned()
        })
        .collect();
    assert_eq!(column, ["-", "-", "tandan", "-"], "{text}");
    assert!(
        text.contains("********0001") && !text.contains(ID),
        "{text}"
    );

    // The same citizen by a number with spaces; a CMND-era citizen not looked up.
    let out = dancu(
        &[
            "audit",
            "who",
            "--subject",
            "001 200 012 345",
            "--db",
            &db,
            "--json",
        ],
        Some(SALT),
    );
    assert_eq!(officers(&out), ["canbo.a"]);
    let out = dancu(
        &["audit", "who", "--subject", "095123456", "--db", &db],
        Some(SALT),
    );
    assert!(out.status.success());
    assert_eq!(stdout(&out), "no audit records\n");

    // A different salt would find nothing (the hash is keyed): it is
    // refused, not answered with "nobody".
    let out = dancu(
        &["audit", "who", "--subject", ID, "--db", &db, "--json"],
        Some("another-salt-0123456789abcdef"),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(json_lines(&out).is_empty());
}

/// `dancu audit --json` prints exactly `dancu_core::report::audit_record` of
/// each record, the object the HTTP service answers with.
#[test]
fn the_json_is_the_core_report_of_each_record() {
    let (_dir, db) = setup();
    let out = dancu(
        &[
            "audit",
            "between",
            "2000-01-01",
            "2100-01-01",
            "--db",
            &db,
            "--json",
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let records = rt.block_on(async {
        let sink = SqliteAuditSink::open_read_only(&db).expect("open");
        sink.query(&dancu_core::registry::AuditQuery::Between(
            Timestamp::from_unix_millis(0),
            Timestamp::from_unix_millis(Timestamp::now().unix_millis() + DAY_MS),
        ))
        .await
        .expect("query")
    });
    assert_eq!(records.len(), 5);
    let expected: Vec<String> = records
        .iter()
        .map(|r| dancu_core::report::audit_record(r).to_string())
        .collect();
    let printed: Vec<&str> = std::str::from_utf8(&out.stdout)
        .expect("UTF-8")
        .lines()
        .collect();
    assert_eq!(printed, expected);
    assert_eq!(
        records
            .iter()
            .filter_map(|r| r.entry.client.as_deref())
            .collect::<Vec<_>>(),
        ["tandan"]
    );
}

#[test]
fn the_salt_must_be_given() {
    let (_dir, db) = setup();
    let out = dancu(&["audit", "who", "--subject", ID, "--db", &db], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("DANCU_AUDIT_SALT"),
        "{}",
        stderr(&out)
    );
    let out = dancu(
        &[
            "audit",
            "who",
            "--subject",
            ID,
            "--db",
            &db,
            "--salt-env",
            "MY_AUDIT_SALT",
        ],
        Some(SALT),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("MY_AUDIT_SALT"), "{}", stderr(&out));
    let out = dancu(
        &["audit", "who", "--subject", ID, "--db", &db],
        Some("short"),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("at least 16 bytes"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("short"), "the salt is never echoed");
    // A salt that is not the trail's is an error, not "no audit records".
    let out = dancu(
        &["audit", "who", "--subject", ID, "--db", &db],
        Some("a-different-salt-0123456789"),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("not the one the audit trail"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("a-different-salt"), "never echoed");
}

/// A lookup by the old CMND returned the citizen's record: `audit who`
/// with the personal ID finds it, and says which numbers it is indexed by.
#[test]
fn who_finds_a_cmnd_lookup_by_the_personal_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("audit.sqlite");
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let sink = Arc::new(SqliteAuditSink::open(&db).expect("open"));
        let registry = InMemoryRegistry::new("memory");
        let mut record = CitizenRecord::new(
            ID.parse().expect("id"),
            "Nguyễn Văn An".parse().expect("name"),
            "1".parse().expect("gender"),
            "12/05/1989".parse().expect("birth"),
        );
        record.cmnd = Some("095000111".parse().expect("cmnd"));
        registry.insert(record);
        let audited = Audited::new(registry, sink, hasher());
        audited
            .lookup(&ctx("canbo.cmnd", None), &query("095000111"))
            .await
            .expect("lookup");
    });
    let db = db.to_str().expect("UTF-8 path");
    for subject in [ID, "095000111"] {
        let out = dancu(
            &["audit", "who", "--subject", subject, "--db", db, "--json"],
            Some(SALT),
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let lines = json_lines(&out);
        assert_eq!(lines.len(), 1, "{subject}: {lines:?}");
        assert_eq!(lines[0]["officer"], "canbo.cmnd");
        assert_eq!(lines[0]["subject"], "*****0111");
        assert_eq!(
            lines[0]["record_subjects"],
            serde_json::json!(["********0001"])
        );
    }
    let out = dancu(&["audit", "who", "--subject", ID, "--db", db], Some(SALT));
    assert!(
        stdout(&out).contains("*****0111 (record: ********0001)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn by_officer_dossier_and_time() {
    let (_dir, db) = setup();
    let out = dancu(
        &["audit", "by-officer", "canbo.a", "--db", &db, "--json"],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = json_lines(&out);
    let subjects: Vec<_> = lines.iter().map(|v| v["subject"].clone()).collect();
    assert_eq!(subjects, ["********0001", "********2345"]);

    let out = dancu(
        &[
            "audit",
            "by-dossier",
            "000.00.21.H56-261127-0001",
            "--db",
            &db,
            "--json",
        ],
        None,
    );
    assert_eq!(officers(&out), ["canbo.a", "canbo.b"]);

    // From a year ago to tomorrow (Vietnam days, both included): all but
    // the 400-day-old record.
    let today = Timestamp::now().date_utc().expect("today");
    let from = today.add_days(-365).expect("date").to_string();
    let to = today.add_days(1).expect("date").to_string();
    let out = dancu(
        &["audit", "between", &from, &to, "--db", &db, "--json"],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(officers(&out), ["canbo.a", "canbo.b", "canbo.a", "canbo.c"]);
    // RFC 3339 bounds.
    let out = dancu(
        &[
            "audit",
            "between",
            "2000-01-01T00:00:00Z",
            "2000-01-02T00:00:00+07:00",
            "--db",
            &db,
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "no audit records\n");
}

#[test]
fn purge_old_records() {
    let (_dir, db) = setup();
    let out = dancu(
        &["audit", "purge", "--older-than", "365", "--db", &db],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("purged 1 audit record(s)"),
        "{}",
        stdout(&out)
    );
    let out = dancu(
        &[
            "audit",
            "purge",
            "--older-than",
            "365",
            "--db",
            &db,
            "--json",
        ],
        None,
    );
    assert_eq!(json_lines(&out)[0]["purged"], 0);
    let out = dancu(
        &["audit", "by-officer", "canbo.old", "--db", &db, "--json"],
        None,
    );
    assert!(json_lines(&out).is_empty());
    let out = dancu(&["audit", "purge", "--older-than", "0", "--db", &db], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn configuration_file() {
    let (dir, _db) = setup();
    let config = dir.path().join("dancu.toml");
    std::fs::write(
        &config,
        "[gateway.hanoi]\nchannel = \"lgsp\"\n\n[audit]\npath = \"audit.sqlite\"\nsalt_env = \"HANOI_AUDIT_SALT\"\n",
    )
    .expect("write config");
    let config = config.to_str().expect("UTF-8 path");
    let out = Command::new(env!("CARGO_BIN_EXE_dancu"))
        .args([
            "audit",
            "who",
            "--subject",
            ID,
            "--config",
            config,
            "--json",
        ])
        .env_remove("DANCU_AUDIT_SALT")
        .env("HANOI_AUDIT_SALT", SALT)
        .output()
        .expect("dancu runs");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json_lines(&out).len(), 4);
    // The configured variable is the one asked for.
    let out = dancu(
        &["audit", "who", "--subject", ID, "--config", config],
        Some(SALT),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("HANOI_AUDIT_SALT"),
        "{}",
        stderr(&out)
    );

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[audit]\nsalt_env = \"X\"\n").expect("write");
    let out = dancu(
        &[
            "audit",
            "by-officer",
            "a",
            "--config",
            bad.to_str().expect("path"),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no `path`"), "{}", stderr(&out));
}

/// Without `--db` or `--config`, `dancu audit` reads `dancu.toml` in the
/// working directory, as `dancu verify` does.
#[test]
fn the_default_configuration_is_dancu_toml() {
    let (dir, _db) = setup();
    std::fs::write(
        dir.path().join("dancu.toml"),
        "[audit]\npath = \"audit.sqlite\"\nsalt_env = \"HANOI_AUDIT_SALT\"\n",
    )
    .expect("write config");
    let out = Command::new(env!("CARGO_BIN_EXE_dancu"))
        .current_dir(dir.path())
        .args(["audit", "who", "--subject", ID, "--json"])
        .env("HANOI_AUDIT_SALT", SALT)
        .output()
        .expect("dancu runs");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json_lines(&out).len(), 4);
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_dancu"))
        .current_dir(elsewhere.path())
        .args(["audit", "by-officer", "canbo.a"])
        .output()
        .expect("dancu runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("dancu.toml"), "{}", stderr(&out));
    assert!(stderr(&out).contains("--db PATH or --config FILE"));
}

#[test]
fn bad_input_is_a_clear_error() {
    let (dir, db) = setup();
    let missing = dir.path().join("nope.sqlite");
    let missing = missing.to_str().expect("path");
    for (args, needle) in [
        (
            vec!["audit", "by-officer", "a", "--db", missing],
            "no audit database",
        ),
        (
            vec!["audit", "who", "--subject", "12345", "--db", &db],
            "not a valid ID",
        ),
        (
            vec!["audit", "who", "--subject", "C1234567", "--db", &db],
            "not by passport",
        ),
        (
            vec!["audit", "by-dossier", "nope", "--db", &db],
            "not a dossier code",
        ),
        (
            vec!["audit", "between", "2026-13-01", "2026-12-01", "--db", &db],
            "FROM",
        ),
        (
            vec!["audit", "between", "2026-12-02", "2026-12-01", "--db", &db],
            "later than",
        ),
        (
            vec!["audit", "between", "yesterday", "2026-12-01", "--db", &db],
            "RFC 3339",
        ),
    ] {
        let out = dancu(&args, Some(SALT));
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{args:?}");
    }
    // Not an audit database.
    let other = dir.path().join("other.txt");
    std::fs::write(&other, "hello, this is not SQLite at all, just some text").expect("write");
    let out = dancu(
        &[
            "audit",
            "by-officer",
            "a",
            "--db",
            other.to_str().expect("path"),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot open the audit database"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_damaged_trail_is_reported_not_read() {
    let (_dir, db) = setup();
    // Every page but the first overwritten: the header still says SQLite.
    let len = std::fs::metadata(&db).expect("metadata").len();
    assert!(len > 4096, "the trail has more than one page");
    std::fs::write(
        &db,
        [
            std::fs::read(&db).expect("read")[..4096].to_vec(),
            vec![0x5a; usize::try_from(len - 4096).expect("size")],
        ]
        .concat(),
    )
    .expect("overwrite");
    let out = dancu(&["audit", "who", "--subject", ID, "--db", &db], Some(SALT));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("is damaged"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty(), "nothing is answered from it");
    assert!(
        !stderr(&out).contains(ID),
        "no personal data: {}",
        stderr(&out)
    );
}
