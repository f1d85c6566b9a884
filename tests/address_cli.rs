//! End-to-end tests of `dancu address`: the JSON contract, streaming from
//! standard input, and exit statuses.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

fn dancu(args: &[&str], stdin: Option<&str>) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dancu"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the dancu binary runs");
    let mut pipe = child.stdin.take().expect("stdin is piped");
    if let Some(text) = stdin {
        pipe.write_all(text.as_bytes())
            .expect("stdin accepts the input");
    }
    drop(pipe);
    let out = child.wait_with_output().expect("dancu finishes");
    let code = out.status.code().expect("dancu exits normally");
    (
        code,
        String::from_utf8(out.stdout).expect("stdout is UTF-8"),
    )
}

fn lines(s: &str) -> Vec<Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

#[test]
fn resolve_json_has_the_documented_shape() {
    let (code, out) = dancu(
        &[
            "address",
            "resolve",
            "Xã Dương Quang, TP. Bắc Kạn, Bắc Kạn",
            "--json",
        ],
        None,
    );
    assert_eq!(code, 0);
    let v = &lines(&out)[0];
    for key in [
        "input",
        "resolved",
        "era",
        "legacy",
        "current",
        "detail",
        "confidence",
        "candidates",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["resolved"], true);
    assert_eq!(v["era"], "legacy");
    assert_eq!(v["legacy"]["commune"]["code"], "01849");
    assert_eq!(v["legacy"]["commune"]["name"], "Xã Dương Quang");
    assert_eq!(v["legacy"]["district"]["code"], "058");
    assert_eq!(v["legacy"]["province"]["code"], "06");
    assert_eq!(v["legacy"]["province"]["name"], "Tỉnh Bắc Kạn");
    assert_eq!(v["current"]["commune"]["code"], "01849");
    assert_eq!(v["current"]["commune"]["name"], "Xã Phong Quang");
    assert_eq!(v["current"]["province"]["code"], "19");
    assert_eq!(v["current"]["province"]["name"], "Tỉnh Thái Nguyên");
    assert!(v["current"]["alternatives"].as_array().unwrap().is_empty());
    let c = v["confidence"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&c));
}

#[test]
fn resolve_streams_stdin_one_object_per_line() {
    let input = "Phường Sài Gòn, TP.HCM\nxa hoa binh, lang son\n\nSố 12, ngõ 4, thôn Nà Pài, Xã Dương Quang, TP Bắc Kạn, Bắc Kạn\r\nhuyện Côn Đảo, BR-VT\n";
    let (code, out) = dancu(&["address", "resolve", "-", "--json"], Some(input));
    assert_eq!(code, 1, "two lines do not resolve");
    let v = lines(&out);
    assert_eq!(v.len(), 5);
    assert_eq!(v[0]["era"], "2025");
    assert_eq!(v[0]["legacy"], Value::Null);
    assert_eq!(v[0]["current"]["commune"]["code"], "26740");
    assert_eq!(v[1]["resolved"], false);
    assert!(v[1]["candidates"].as_array().unwrap().len() >= 4);
    assert_eq!(v[2]["resolved"], false);
    assert_eq!(v[2]["input"], "");
    assert_eq!(v[3]["detail"], "Số 12, ngõ 4, thôn Nà Pài");
    assert_eq!(
        v[3]["input"],
        "Số 12, ngõ 4, thôn Nà Pài, Xã Dương Quang, TP Bắc Kạn, Bắc Kạn"
    );
    assert_eq!(v[4]["resolved"], true);
    assert_eq!(v[4]["current"]["commune"]["name"], "Đặc khu Côn Đảo");
}

#[test]
fn split_communes_list_alternatives() {
    // Phường Ngọc Thụy (00118) was split between Hồng Hà and Bồ Đề.
    let (code, out) = dancu(&["address", "convert", "00118", "--json"], None);
    assert_eq!(code, 0);
    let v = &lines(&out)[0];
    assert_eq!(v["split"], true);
    let targets = v["targets"].as_array().unwrap();
    assert!(targets.len() >= 2);
    assert_eq!(targets.iter().filter(|t| t["default"] == true).count(), 1);
    assert!(targets.iter().all(|t| t["kind"] == "partial"));
    let text = "P. Ngọc Thụy, Q. Long Biên, Hà Nội";
    let (_, out) = dancu(&["address", "resolve", text, "--json"], None);
    let r = &lines(&out)[0];
    assert_eq!(r["current"]["commune"]["code"], v["default"]["code"]);
    assert_eq!(
        r["current"]["alternatives"].as_array().unwrap().len(),
        targets.len() - 1
    );
}

#[test]
fn convert_and_show() {
    let (code, out) = dancu(
        &["address", "convert", "01849", "755", "77", "--json"],
        None,
    );
    assert_eq!(code, 0);
    let v = lines(&out);
    assert_eq!(v[0]["default"]["name"], "Xã Phong Quang");
    assert_eq!(v[1]["special_zone"]["name"], "Đặc khu Côn Đảo");
    assert_eq!(v[2]["province_2025"]["code"], "79");
    let (code, out) = dancu(&["address", "convert", "99999", "--json"], None);
    assert_eq!(code, 1);
    assert!(lines(&out)[0]["error"].is_string());
    let (code, out) = dancu(
        &["address", "show", "--era", "2025", "01849", "--json"],
        None,
    );
    assert_eq!(code, 0);
    let v = &lines(&out)[0];
    assert_eq!(v["name"], "Xã Phong Quang");
    assert!(
        v["predecessors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["code"] == "01849")
    );
    let (code, out) = dancu(
        &["address", "show", "--era", "legacy", "01849", "--json"],
        None,
    );
    assert_eq!(code, 0);
    assert_eq!(lines(&out)[0]["name"], "Xã Dương Quang");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(dancu(&["address", "resolve"], None).0, 2);
    assert_eq!(dancu(&["address", "show", "01849"], None).0, 2);
    assert_eq!(
        dancu(&["address", "show", "--era", "1999", "01849"], None).0,
        2
    );
    assert_eq!(dancu(&["address", "frobnicate"], None).0, 2);
}

#[test]
fn human_output_mentions_both_eras() {
    let (code, out) = dancu(&["address", "resolve", "P8Q10 HCM"], None);
    assert_eq!(code, 0);
    assert!(out.contains("Phường 8"), "{out}");
    assert!(out.contains("Quận 10"), "{out}");
    assert!(out.contains("2025:"), "{out}");
}

#[test]
fn answers_each_line_before_the_next_arrives() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_dancu"))
        .args(["address", "resolve", "-", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the dancu binary runs");
    let id = child.id();
    // A watchdog: if answers were held back, the reads below would block.
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(20));
        let _ = Command::new("kill").arg(id.to_string()).status();
    });
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
    for (text, code) in [("P8Q10 HCM", "27187"), ("Xã Dương Quang, Bắc Kạn", "01849")] {
        writeln!(stdin, "{text}").expect("a line is written");
        stdin.flush().expect("the line is sent");
        let mut answer = String::new();
        stdout.read_line(&mut answer).expect("an answer arrives");
        let v: Value = serde_json::from_str(&answer).expect("one JSON object");
        assert_eq!(v["legacy"]["commune"]["code"], code, "{answer}");
    }
    drop(stdin);
    assert!(child.wait().expect("dancu finishes").success());
}

#[test]
fn on_names_2025_units_as_on_a_date() {
    let text = "Phường Trảng Bom, Thành phố Đồng Nai";
    let (_, out) = dancu(&["address", "resolve", text, "--json"], None);
    let v = &lines(&out)[0];
    assert_eq!(v["current"]["commune"]["code"], "26248");
    assert_eq!(v["current"]["commune"]["name"], "Xã Trảng Bom");
    assert_eq!(v["current"]["province"]["name"], "Tỉnh Đồng Nai");
    let (_, out) = dancu(
        &["address", "resolve", text, "--json", "--on", "2026-04-30"],
        None,
    );
    let v = &lines(&out)[0];
    assert_eq!(v["current"]["commune"]["name"], "Phường Trảng Bom");
    assert_eq!(v["current"]["province"]["name"], "Thành phố Đồng Nai");
    assert_eq!(
        dancu(&["address", "resolve", text, "--on", "2026-02-30"], None).0,
        2
    );
}

/// `dancu address` with its standard error.
fn dancu_with_stderr(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dancu"))
        .args(args)
        .output()
        .expect("the dancu binary runs");
    (
        out.status.code().expect("dancu exits normally"),
        String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    )
}

/// `convert` and `show` print words by default (JSON only with `--json`),
/// errors on standard error, and a code that lost its leading zero gets
/// the code it meant.
#[test]
fn convert_and_show_print_text_by_default() {
    let (code, out, err) = dancu_with_stderr(&["address", "convert", "01849", "00118"]);
    assert_eq!(code, 0, "{err}");
    assert!(serde_json::from_str::<Value>(out.lines().next().unwrap_or("")).is_err());
    assert!(
        out.contains(
            "01849 (legacy): Xã Dương Quang (01849), Thành phố Bắc Kạn (058), Tỉnh Bắc Kạn (06)"
        ),
        "{out}"
    );
    assert!(
        out.contains("2025:    Xã Phong Quang (01849), Tỉnh Thái Nguyên (19) — merged whole"),
        "{out}"
    );
    assert!(out.contains("split between 2 2025 units"), "{out}");
    assert!(err.is_empty(), "{err}");

    let (code, out, err) = dancu_with_stderr(&["address", "show", "--era", "2025", "01849"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("Xã Phong Quang (01849) — 2025 commune"),
        "{out}"
    );
    assert!(
        out.contains("Xã Đôn Phong (01984), Huyện Bạch Thông (063)"),
        "{out}"
    );
    assert!(err.is_empty());

    let (code, out, err) = dancu_with_stderr(&["address", "convert", "1849", "06"]);
    assert_eq!(code, 1);
    assert!(out.contains("06 (legacy): Tỉnh Bắc Kạn (06)"), "{out}");
    assert!(!out.contains("1849:"), "the error is not on stdout: {out}");
    assert!(
        err.contains("did you mean 01849 (Xã Dương Quang)?"),
        "{err}"
    );
    let (code, out, err) = dancu_with_stderr(&["address", "show", "--era", "legacy", "1849"]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(err.contains("did you mean 01849"), "{err}");
    let (code, _, err) = dancu_with_stderr(&["address", "convert", "99999"]);
    assert_eq!(code, 1);
    assert!(err.contains("no legacy commune has code 99999"), "{err}");
    assert!(!err.contains("did you mean"), "{err}");

    // --json keeps one object per code, errors included, on stdout.
    let (code, out, _) = dancu_with_stderr(&["address", "convert", "1849", "--json"]);
    assert_eq!(code, 1);
    assert_eq!(lines(&out)[0]["input"], "1849");
}

/// A numbered ward the named district does not have is said so.
#[test]
fn a_ward_the_district_does_not_have_is_named() {
    let (code, out) = dancu(&["address", "resolve", "f4 q6"], None);
    assert_eq!(code, 1);
    assert!(out.contains("Quận 6 has no Phường 4"), "{out}");
    for (text, note) in [("p.4, quận 6, tp hcm", true), ("phường 4 quận 6", true)] {
        let (_, out) = dancu(&["address", "resolve", text], None);
        assert_eq!(
            out.contains("Quận 6 has no Phường 4"),
            note,
            "{text}: {out}"
        );
    }
    let (code, out) = dancu(&["address", "resolve", "f4 q5"], None);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Phường 4 (27301), Quận 5 (774)"), "{out}");
    assert!(!out.contains("has no"), "{out}");
}

#[test]
fn resolve_json_names_historical_communes_and_former_readings() {
    let input = "Phường Sài Đồng, Long Biên, Hà Nội\nPhường Ba Đình, Thành phố Hà Nội (Phường Điện Biên, Quận Ba Đình cũ)\n123 Nguyễn Trãi, Hà Nội\n";
    let (code, out) = dancu(&["address", "resolve", "-", "--json"], Some(input));
    assert_eq!(code, 1);
    let v = lines(&out);
    // A commune merged away before 2025-06-30: its district, unresolved,
    // the 2025 communes covering the district as candidates.
    assert_eq!(v[0]["resolved"], false);
    assert_eq!(v[0]["historical"]["code"], "00142");
    assert_eq!(v[0]["historical"]["name"], "Phường Sài Đồng");
    assert_eq!(v[0]["historical"]["until"], "2025-01-01");
    assert_eq!(v[0]["historical"]["until_exact"], false);
    assert_eq!(v[0]["legacy"]["district"]["code"], "004");
    assert!(!v[0]["candidates"].as_array().unwrap().is_empty());
    // A 2025 address with its former name in a note: both readings.
    assert_eq!(v[1]["resolved"], true);
    assert_eq!(v[1]["era"], "2025");
    assert_eq!(v[1]["current"]["commune"]["code"], "00004");
    assert_eq!(v[1]["legacy"]["commune"]["code"], "00019");
    assert_eq!(v[1]["historical"], Value::Null);
    // A street named like a commune: no confident answer.
    assert_eq!(v[2]["resolved"], false);
    assert_eq!(v[2]["detail"], "123 Nguyễn Trãi");
    // The keys, in the documented order.
    let line = out.lines().nth(2).unwrap();
    let at = |k: &str| line.find(&format!("\"{k}\":")).unwrap_or(usize::MAX);
    let keys = [
        "input",
        "resolved",
        "era",
        "legacy",
        "current",
        "historical",
        "detail",
        "confidence",
        "candidates",
    ];
    assert!(keys.windows(2).all(|w| at(w[0]) < at(w[1])), "{line}");
}

/// Runs `dancu address convert-file` on `input` written to a file named
/// `name`, with `args`; returns the exit status, the output and stderr.
fn convert_file(name: &str, input: &str, args: &[&str]) -> (i32, String, String) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join(name);
    std::fs::write(&path, input).expect("the input is written");
    let out_path = dir.path().join("out");
    let mut all = vec![
        "address",
        "convert-file",
        path.to_str().expect("a UTF-8 path"),
        "--output",
        out_path.to_str().expect("a UTF-8 path"),
    ];
    all.extend_from_slice(args);
    let out = Command::new(env!("CARGO_BIN_EXE_dancu"))
        .args(&all)
        .stdin(Stdio::null())
        .output()
        .expect("dancu runs");
    (
        out.status.code().expect("dancu exits normally"),
        std::fs::read_to_string(&out_path).unwrap_or_default(),
        String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    )
}

#[test]
fn convert_file_keeps_every_row_in_order_and_reports_malformed_ones() {
    let mut input = String::from("id,address,note\n");
    input.push_str("1,\"Xã Dương Quang, TP. Bắc Kạn, Bắc Kạn\",a\n");
    input.push_str("2,\"P. Ngọc Thụy, Q. Long Biên, HN\",b\n");
    input.push_str("3,\"123 Nguyễn Trãi, Hà Nội\",c,surplus\n");
    input.push_str("4,short\n");
    // Enough rows for several batches on several threads.
    for i in 5..6000 {
        let text = [
            "Phường Sài Gòn, TP.HCM",
            "xa hoa binh, lang son",
            "Phường Sài Đồng, Long Biên, Hà Nội",
        ][i % 3];
        input.push_str(&format!("{i},\"{text}\",x\n"));
    }
    let (code, out, err) =
        convert_file("in.csv", &input, &["--column", "address", "--threads", "3"]);
    assert_eq!(code, 1, "malformed rows make the status 1: {err}");
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(out.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[0], "id");
    assert_eq!(&header[3], "status");
    assert_eq!(header.len(), 3 + dancu_core::report::ROW_COLUMNS.len() + 1);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 5999, "no row is dropped");
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row[0], (i + 1).to_string(), "rows keep their order");
    }
    assert_eq!(&rows[0][col("legacy_commune_code")], "01849");
    assert_eq!(&rows[0][col("commune")], "Xã Phong Quang");
    assert_eq!(&rows[0][col("resolved")], "true");
    // A split commune: the default target, the others in alternatives.
    assert!(!rows[1][col("alternatives")].is_empty());
    // Malformed rows: kept, unresolved, their line in the error column.
    assert_eq!(&rows[2][col("status")], "unresolved");
    assert!(
        rows[2][col("error")].starts_with("line 4: 4 fields"),
        "{:?}",
        &rows[2]
    );
    assert!(rows[2][col("error")].contains("surplus"));
    assert!(rows[3][col("error")].starts_with("line 5: 2 fields"));
    assert_eq!(&rows[3][col("resolved")], "false");
    assert!(err.contains("line 4:") && err.contains("line 5:"), "{err}");
    // The summary.
    assert!(err.contains("5,999 rows:"), "{err}");
    assert!(err.contains("2 malformed rows"), "{err}");
    let historical = rows
        .iter()
        .filter(|r| !r[col("historical_code")].is_empty())
        .count();
    assert_eq!(historical, 1999);
    assert!(rows.iter().any(|r| &r[col("status")] == "ambiguous"));
}

#[test]
fn convert_file_reads_and_writes_json_lines() {
    let input = "{\"id\": 1, \"dia_chi\": \"Phường Sài Gòn, TP.HCM\"}\n\n{\"id\": 2}\nnot json\n{\"dia_chi\":\"Xã Dương Quang, TP. Bắc Kạn, Bắc Kạn\",\"tags\":[1,2]}\n";
    let (code, out, err) = convert_file(
        "in.jsonl",
        input,
        &["--column", "dia_chi", "--prefix", "dc_"],
    );
    assert_eq!(code, 1, "{err}");
    let v = lines(&out);
    assert_eq!(
        v.len(),
        4,
        "blank lines are no rows; the others are all kept"
    );
    assert_eq!(v[0]["id"], 1);
    assert_eq!(v[0]["dc_status"], "resolved");
    assert_eq!(v[0]["dc_commune_code"], "26740");
    assert_eq!(v[0]["dc_resolved"], true);
    assert_eq!(v[0]["dc_legacy_commune_code"], Value::Null);
    assert!(v[0]["dc_confidence"].as_f64().unwrap() > 0.5);
    assert_eq!(v[1]["dc_resolved"], false);
    assert!(
        v[1]["dc_error"]
            .as_str()
            .unwrap()
            .contains("no string field")
    );
    assert_eq!(v[2]["input_line"], "not json");
    assert!(
        v[2]["dc_error"]
            .as_str()
            .unwrap()
            .starts_with("line 4: not a JSON object")
    );
    assert_eq!(v[3]["tags"], serde_json::json!([1, 2]));
    assert_eq!(v[3]["dc_legacy_commune_code"], "01849");
    assert!(err.contains("line 4:"), "{err}");
}

#[test]
fn convert_file_refuses_a_missing_column_and_a_clash() {
    let (code, _, err) = convert_file("in.csv", "id,addr\n1,x\n", &["--column", "address"]);
    assert_eq!(code, 2);
    assert!(err.contains("no column \"address\""), "{err}");
    let (code, _, err) = convert_file(
        "in.csv",
        "address,province\nx,y\n",
        &["--column", "address"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("--prefix"), "{err}");
    let (code, out, _) = convert_file(
        "in.csv",
        "address,province\nx,y\n",
        &["--column", "address", "--prefix", "dc_"],
    );
    assert_eq!(code, 0);
    assert!(out.starts_with("address,province,dc_status,"));
}

#[test]
fn an_over_long_address_line_is_reported_and_the_next_is_resolved() {
    let stdin = format!(
        "{}\nPhường Bến Nghé, Quận 1, TP Hồ Chí Minh\n",
        "Phường ".repeat(2_000)
    );
    let (code, out) = dancu(&["address", "resolve", "-", "--json"], Some(&stdin));
    assert_eq!(code, 1, "{out}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(lines[0]["line"], 1);
    assert_eq!(lines[0]["code"], "line_too_long");
    assert!(lines[1].get("input").is_some(), "{}", lines[1]);
}

#[test]
fn convert_file_refuses_a_thread_count_out_of_range() {
    let input = "address\n\"Xã Ea H'Leo, Đắk Lắk\"\n";
    for n in ["0", "257", "18446744073709551616", "nan"] {
        let (code, out, err) =
            convert_file("in.csv", input, &["--column", "address", "--threads", n]);
        assert_eq!(code, 2, "--threads {n}: {err}");
        assert!(err.contains("--threads"), "--threads {n}: {err}");
        assert!(out.is_empty(), "--threads {n}: nothing is written");
    }
}
