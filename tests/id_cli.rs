//! End-to-end tests of `dancu id inspect`, run as users script it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn dancu(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dancu"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dancu runs");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_owned();
    let writer = std::thread::spawn(move || input.write_all(data.as_bytes()));
    let out = child.wait_with_output().expect("dancu finishes");
    writer.join().expect("writer").expect("stdin written");
    out
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(out.stdout.clone())
        .expect("UTF-8 output")
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

const KEYS: [&str; 10] = [
    "input",
    "valid",
    "kind",
    "canonical",
    "registration",
    "gender",
    "birth_year",
    "document_valid_on",
    "document_valid_until",
    "error",
];

#[test]
fn json_objects_have_exactly_the_documented_keys() {
    let out = dancu(
        &["id", "inspect", "-", "--json", "--on", "2026-11-27"],
        "006089000001\n066162000777\n201089000001\n095123456\nC1234567\n0100109106-001\n00608900000x\n\n",
    );
    assert_eq!(out.status.code(), Some(1), "one input is invalid");
    let mut rows = json_lines(&out);
    assert_eq!(
        rows.len(),
        7,
        "one object per input line; the blank line is not an input"
    );
    let empty = dancu(&["id", "inspect", "", "--json"], "");
    rows.extend(json_lines(&empty));
    for row in &rows {
        let keys: Vec<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = KEYS.to_vec();
        expected.sort_unstable();
        let mut keys_sorted = keys.clone();
        keys_sorted.sort_unstable();
        assert_eq!(keys_sorted, expected);
    }
    assert_eq!(
        rows[0],
        serde_json::json!({
            "input": "006089000001", "valid": true, "kind": "personal_id",
            "canonical": "006089000001",
            "registration": {"code": "006", "province": "Bắc Kạn",
                             "province_since_2025": "Thái Nguyên", "abroad": false},
            "gender": "male", "birth_year": 1989,
            "document_valid_on": null, "document_valid_until": null, "error": null
        })
    );
    assert_eq!(
        (
            &rows[3]["document_valid_on"],
            &rows[3]["document_valid_until"]
        ),
        (&serde_json::json!(false), &serde_json::json!("2024-12-31")),
        "a CMND expired on 2024-12-31"
    );
    assert_eq!(rows[1]["registration"]["province"], "Đắk Lắk");
    assert_eq!(rows[1]["gender"], "female");
    assert_eq!(rows[1]["birth_year"], 1962);
    assert_eq!(
        rows[2]["registration"],
        serde_json::json!({"code": "201", "province": null, "province_since_2025": null, "abroad": true})
    );
    for (row, kind, canonical) in [
        (&rows[3], "cmnd", "095123456"),
        (&rows[4], "passport", "C1234567"),
        (&rows[5], "tax_code", "0100109106-001"),
    ] {
        assert_eq!(
            (row["kind"].as_str(), row["canonical"].as_str()),
            (Some(kind), Some(canonical))
        );
        assert!(
            row["registration"].is_null() && row["gender"].is_null() && row["birth_year"].is_null()
        );
    }
    assert_eq!(rows[6]["kind"], "personal_id");
    assert_eq!(rows[6]["canonical"], serde_json::Value::Null);
    assert_eq!(rows[6]["error"]["code"], "invalid_character");
    assert_eq!(rows[7]["error"]["code"], "empty");
    assert_eq!(rows[7]["kind"], serde_json::Value::Null);
}

/// Blank lines (empty, or spaces only, with CRLF too) are not inputs: no
/// object, and they do not make the run fail.
#[test]
fn blank_lines_are_skipped() {
    let out = dancu(
        &["id", "inspect", "-", "--json", "--on", "2026-11-27"],
        "\n006089000001\r\n   \n\t\r\n\n095123456\n\n",
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let rows = json_lines(&out);
    let inputs: Vec<&str> = rows.iter().map(|r| r["input"].as_str().unwrap()).collect();
    assert_eq!(inputs, ["006089000001", "095123456"]);
    let text = dancu(&["id", "inspect", "-"], "\n\n006089000001\n\n");
    assert_eq!(text.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&text.stdout).contains("invalid"));
}

/// A CMND's validity on the reference date, in JSON as in the text.
#[test]
fn cmnd_validity_on_the_reference_date() {
    for (on, valid) in [("2024-12-31", true), ("2025-01-01", false)] {
        let out = dancu(&["id", "inspect", "095123456", "--json", "--on", on], "");
        let row = &json_lines(&out)[0];
        assert_eq!(row["document_valid_on"], valid, "{on}");
        assert_eq!(row["document_valid_until"], "2024-12-31");
        let text = dancu(&["id", "inspect", "095123456", "--on", on], "");
        let text = String::from_utf8(text.stdout).unwrap();
        assert_eq!(text.contains("expired on 2024-12-31"), !valid, "{text}");
    }
}

/// The inputs, through the command line.
#[test]
fn tax_codes_and_separators_from_the_command_line() {
    let cases = [
        ("0100000003", "tax_code", false, "invalid_serial"),
        ("7900000005", "tax_code", false, "invalid_serial"),
        ("3100000009", "tax_code", false, "invalid_serial"),
        ("0100112437011", "tax_code", true, "0100112437-011"),
        ("0100112437 011", "tax_code", true, "0100112437-011"),
        ("0100047516-01", "tax_code", false, "wrong_length"),
        ("006 0 89 000001", "personal_id", true, "006089000001"),
        ("0060 8900 0001", "personal_id", true, "006089000001"),
        ("006-089-000001", "personal_id", false, "invalid_character"),
    ];
    let input: String = cases.iter().map(|c| format!("{}\n", c.0)).collect();
    let out = dancu(
        &["id", "inspect", "-", "--json", "--on", "2026-11-27"],
        &input,
    );
    let rows = json_lines(&out);
    assert_eq!(rows.len(), cases.len());
    for ((input, kind, valid, what), row) in cases.iter().zip(&rows) {
        assert_eq!(row["kind"], *kind, "{input}");
        assert_eq!(row["valid"], *valid, "{input}");
        if *valid {
            assert_eq!(row["canonical"], *what, "{input}");
        } else {
            assert_eq!(row["error"]["code"], *what, "{input}");
            assert!(
                row["registration"].is_null(),
                "{input}: no birthplace decoded"
            );
        }
    }
}

#[test]
fn every_error_code_from_the_command_line() {
    let cases = [
        ("0060890000ab", "invalid_character"),
        ("٠٠٦٠٨٩٠٠٠٠٠١", "invalid_character"),
        ("0060890001", "invalid_check_digit"),
        ("00608900001", "wrong_length"),
        ("003089000001", "unknown_registration_code"),
        ("097089000001", "unknown_registration_code"),
        ("296089000001", "unknown_registration_code"),
        ("006427000001", "implausible_birth_year"),
        ("006227000001", "implausible_birth_year"),
        ("0100000003", "invalid_serial"),
        ("0100109106-000", "invalid_branch_suffix"),
    ];
    let input: String = cases.iter().map(|(i, _)| format!("{i}\n")).collect();
    let out = dancu(
        &["id", "inspect", "-", "--json", "--on", "2026-11-27"],
        &input,
    );
    let rows = json_lines(&out);
    for ((input, code), row) in cases.iter().zip(&rows) {
        assert_eq!(row["input"], *input);
        assert_eq!(row["valid"], false, "{input}");
        assert_eq!(row["error"]["code"], *code, "{input}");
        let message = row["error"]["message"].as_str().unwrap();
        assert!(!message.is_empty());
        if input.len() == 12 {
            assert!(
                !message.contains(input),
                "the message repeats the number: {message}"
            );
        }
    }
}

#[test]
fn reference_date_moves_the_birth_year_limit() {
    let args = |on| vec!["id", "inspect", "006226000001", "--json", "--on", on];
    assert_eq!(dancu(&args("2025-12-31"), "").status.code(), Some(1));
    assert_eq!(dancu(&args("2026-01-01"), "").status.code(), Some(0));
}

#[test]
fn exit_status_and_usage_errors() {
    let ok = dancu(&["id", "inspect", "006089000001", "079303012345"], "");
    assert_eq!(ok.status.code(), Some(0));
    let text = String::from_utf8(ok.stdout).unwrap();
    assert!(
        text.contains("Bắc Kạn") && text.contains("Thái Nguyên"),
        "{text}"
    );
    assert!(text.contains("2003"), "{text}");
    assert_eq!(dancu(&["id", "inspect", "12"], "").status.code(), Some(1));
    assert_eq!(dancu(&["id", "inspect"], "").status.code(), Some(2));
    assert_eq!(
        dancu(&["id", "inspect", "x", "--on", "2026-02-30"], "")
            .status
            .code(),
        Some(2)
    );
    assert_eq!(dancu(&["id", "frobnicate"], "").status.code(), Some(2));
}

#[test]
fn streams_crlf_and_invalid_utf8_lines() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dancu"))
        .args(["id", "inspect", "-", "--json", "--on", "2026-11-27"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"006089000001\r\n\xff\xfe\n095123456")
        .unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let rows = json_lines(&out);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["valid"], true);
    assert_eq!(rows[1]["error"]["code"], "invalid_character");
    assert_eq!(rows[2]["kind"], "cmnd");
}

#[test]
fn a_large_stream_gives_one_line_per_input() {
    let input: String = (0..50_000u32)
        .map(|i| format!("0010{:02}{:06}\n", i % 100, i))
        .collect();
    let out = dancu(
        &["id", "inspect", "-", "--json", "--on", "2026-11-27"],
        &input,
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout.iter().filter(|&&b| b == b'\n').count(), 50_000);
}

#[test]
fn an_over_long_line_is_an_invalid_input_with_its_line_number() {
    // 1 MiB of digits without a newline, then a valid ID.
    let stdin = format!("{}\n001089000001\n", "1".repeat(1 << 20));
    let out = dancu(
        &["id", "inspect", "-", "--json", "--on", "2026-11-27"],
        &stdin,
    );
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["line"], 1);
    assert_eq!(lines[0]["valid"], false);
    assert_eq!(lines[0]["code"], "line_too_long");
    assert!(
        !lines[0].to_string().contains("1111111111"),
        "the input is not echoed"
    );
    assert_eq!(lines[1]["valid"], true, "{:?}", lines[1]);
    let human = dancu(&["id", "inspect", "-"], &stdin);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.starts_with("line 1: invalid"), "{text}");
}
