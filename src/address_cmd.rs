//! `dancu address`: resolve free-text addresses in either era, convert
//! legacy codes to the 2025 scheme, and show units by code.

use std::borrow::Cow;
use std::io::{self, BufReader, BufWriter, Write};
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use dancu_core::CalendarDate;
use dancu_core::admin::{Commune, Era, Place, Resolution, resolve};
use dancu_core::report::{self, AddressReport, UnitEra};
use serde_json::Value;

use crate::lines::{MAX_ADDRESS_LINE, for_each_line, too_long_line};

/// `dancu address …`
#[derive(Debug, Args)]
pub(crate) struct AddressArgs {
    #[command(subcommand)]
    command: AddressCommand,
}

#[derive(Debug, Subcommand)]
enum AddressCommand {
    /// Resolve free-text addresses (either era) to units of both eras.
    /// Exit status: 0 when every input resolved, 1 when any did not.
    Resolve(ResolveArgs),
    /// Convert legacy codes (5-digit commune, 3-digit district, 2-digit
    /// province) to the 2025 scheme. Exit status 1 when any is unknown.
    Convert(ConvertArgs),
    /// Show a unit by its code in the given era. Exit status 1 when unknown.
    Show(ShowArgs),
    /// Resolve and convert every address of a CSV or JSON Lines file, on
    /// every core: the input's columns, then era, legacy and 2025 codes and
    /// names, alternatives, confidence, resolved. Exit status 1 when some
    /// rows were malformed (kept, marked in `error`).
    ConvertFile(crate::convert_file::ConvertFileArgs),
}

#[derive(Debug, Args)]
struct ResolveArgs {
    /// Addresses to resolve; `-` reads one per line from standard input.
    #[arg(required = true, value_name = "TEXT")]
    texts: Vec<String>,
    /// One JSON object per input line instead of human-readable text.
    #[arg(long)]
    json: bool,
    /// Name 2025 units as on this date (YYYY-MM-DD), e.g. after Đồng Nai's
    /// 2026-04-30 changes; by default, as on 2025-07-01 (the data's names).
    #[arg(long, value_name = "YYYY-MM-DD")]
    on: Option<CalendarDate>,
}

#[derive(Debug, Args)]
struct ConvertArgs {
    /// Legacy codes: 5-digit commune, 3-digit district or 2-digit province.
    #[arg(required = true, value_name = "LEGACY_CODE")]
    codes: Vec<String>,
    /// One JSON object per code (errors included) instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct ShowArgs {
    /// The era the code belongs to.
    #[arg(long, value_enum)]
    era: EraArg,
    /// Unit codes (legacy: 2, 3 or 5 digits; 2025: 2 or 5 digits).
    #[arg(required = true, value_name = "CODE")]
    codes: Vec<String>,
    /// One JSON object per code (errors included) instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum EraArg {
    /// Before 2025-07-01: province / district / commune.
    Legacy,
    /// From 2025-07-01: province / commune.
    #[value(name = "2025")]
    Y2025,
}

/// Runs `dancu address …`.
pub(crate) fn run(args: AddressArgs) -> anyhow::Result<ExitCode> {
    if let AddressCommand::ConvertFile(a) = &args.command {
        return crate::convert_file::run(a);
    }
    let stdout = io::stdout().lock();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout);
    let ok = match args.command {
        AddressCommand::Resolve(a) => resolve_all(&a, &mut out)?,
        AddressCommand::Convert(a) => convert_all(&a, &mut out)?,
        AddressCommand::Show(a) => show_all(&a, &mut out)?,
        AddressCommand::ConvertFile(_) => true,
    };
    out.flush()?;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn resolve_all(args: &ResolveArgs, out: &mut impl Write) -> io::Result<bool> {
    let mut all = true;
    let mut any_too_long = false;
    let mut one = |text: &str, out: &mut dyn Write| -> io::Result<()> {
        let r = resolve(text);
        all &= r.is_resolved();
        if args.json {
            serde_json::to_writer(&mut *out, &AddressReport::new(text, &r, args.on))?;
            out.write_all(b"\n")
        } else {
            write_human(out, text, &r, args.on)
        }
    };
    for text in &args.texts {
        if text == "-" {
            let mut input = BufReader::with_capacity(64 * 1024, io::stdin().lock());
            let json = args.json;
            let mut too_long = |line: u64, out: &mut dyn Write| -> io::Result<()> {
                any_too_long = true;
                too_long_line(out, json, line, MAX_ADDRESS_LINE)
            };
            for_each_line(&mut input, out, MAX_ADDRESS_LINE, &mut one, &mut too_long)?;
        } else {
            one(text, out)?;
        }
    }
    Ok(all && !any_too_long)
}

/// A 2025 commune's name as on `on` (as in the data when `None`).
fn commune_name(c: Commune, on: Option<CalendarDate>) -> Cow<'static, str> {
    on.map_or(Cow::Borrowed(c.full_name()), |d| {
        Cow::Owned(c.full_name_on(d))
    })
}

fn describe(p: &Place) -> String {
    match *p {
        Place::Legacy {
            province,
            district,
            commune,
        } => {
            let mut parts = Vec::new();
            if let Some(c) = commune {
                parts.push(format!("{} ({})", c.full_name(), c.code()));
            }
            if let Some(d) = district {
                parts.push(format!("{} ({})", d.full_name(), d.code()));
            }
            parts.push(format!("{} ({})", province.full_name(), province.code()));
            parts.join(", ")
        }
        Place::Current { province, commune } => {
            let mut parts = Vec::new();
            if let Some(c) = commune {
                parts.push(format!("{} ({})", c.full_name(), c.code()));
            }
            parts.push(format!("{} ({})", province.full_name(), province.code()));
            parts.join(", ")
        }
    }
}

/// The 2025 commune and province of `p`, named as on `on`.
fn describe_current(p: &Place, on: Option<CalendarDate>) -> String {
    let province = p.current_province();
    let province_name = on.map_or(Cow::Borrowed(province.full_name()), |d| {
        Cow::Owned(province.full_name_on(d))
    });
    match p.current_commune() {
        Some(c) => format!(
            "{} ({}), {} ({})",
            commune_name(c, on),
            c.code(),
            province_name,
            province.code()
        ),
        None => format!("{} ({})", province_name, province.code()),
    }
}

fn write_human(
    out: &mut dyn Write,
    input: &str,
    r: &Resolution,
    on: Option<CalendarDate>,
) -> io::Result<()> {
    writeln!(out, "{input}")?;
    let status = if r.is_resolved() {
        "resolved"
    } else {
        "not resolved"
    };
    writeln!(out, "  {status} (confidence {:.2})", r.confidence())?;
    if let Some(p) = r.place() {
        match p.era() {
            Era::Legacy => {
                writeln!(out, "  legacy:  {}", describe(p))?;
                writeln!(out, "  2025:    {}", describe_current(p, on))?;
                for c in p.alternatives() {
                    writeln!(out, "           or {} ({})", commune_name(c, on), c.code())?;
                }
            }
            _ => {
                writeln!(out, "  2025:    {}", describe_current(p, on))?;
                if let Some(former) = r.former() {
                    writeln!(out, "  formerly: {}", describe(former))?;
                }
            }
        }
    }
    if let Some(h) = r.historical() {
        let until = if h.until_is_exact() {
            "until"
        } else {
            "gone by"
        };
        writeln!(
            out,
            "  historical: {} ({}), {} {}, merged away {until} {}",
            h.full_name(),
            h.code(),
            h.district_full_name(),
            h.province().full_name(),
            h.until()
        )?;
    }
    if let Some(d) = r.detail() {
        writeln!(out, "  detail:  {d}")?;
    }
    if let Some(note) = missing_numbered_ward(r) {
        writeln!(out, "  note:    {note}")?;
    }
    if !r.is_resolved() {
        for c in r.candidates() {
            writeln!(
                out,
                "  candidate ({}): {}",
                c.place.era(),
                describe(&c.place)
            )?;
        }
    }
    Ok(())
}

/// When the text names a legacy district and a numbered ward (`f4`, `P.4`,
/// `phường 4`) that the district does not have, says so: "Quận 6 has no
/// Phường 4" — rather than leaving the officer to wonder why the ward was
/// not found.
fn missing_numbered_ward(r: &Resolution) -> Option<String> {
    let Some(Place::Legacy {
        district: Some(district),
        commune: None,
        ..
    }) = r.place()
    else {
        return None;
    };
    let number = numbered_ward(r.detail()?)?;
    let ward = format!("Phường {number}");
    let exists = district.communes().any(|c| c.full_name() == ward);
    (!exists).then(|| format!("{} has no {ward} (legacy units)", district.full_name()))
}

/// The number of a ward written `f4`, `F.4`, `p4`, `P. 4` or `phường 4`
/// in `text`, if any.
fn numbered_ward(text: &str) -> Option<u32> {
    let folded = dancu_core::identity::fold(text);
    let words: Vec<&str> = folded
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let digits = |s: &str| {
        let s = s.trim_start_matches('.');
        (!s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    words.iter().enumerate().find_map(|(i, w)| {
        let rest = w
            .strip_prefix("PHUONG")
            .or_else(|| w.strip_prefix('P'))
            .or_else(|| w.strip_prefix('F'))?;
        match rest.trim_start_matches('.') {
            "" => words.get(i.saturating_add(1)).and_then(|n| digits(n)),
            r => digits(r),
        }
    })
}

fn convert_all(args: &ConvertArgs, out: &mut impl Write) -> io::Result<bool> {
    let mut all = true;
    for code in &args.codes {
        let code = code.trim();
        let v = report::conversion(code);
        let ok = v.get("error").is_none_or(Value::is_null);
        all &= ok;
        if args.json {
            serde_json::to_writer(&mut *out, &v)?;
            writeln!(out)?;
        } else if ok {
            write_conversion(out, &v)?;
        } else {
            report_error(out, &v, padded(code, report::conversion))?;
        }
    }
    Ok(all)
}

fn show_all(args: &ShowArgs, out: &mut impl Write) -> io::Result<bool> {
    let mut all = true;
    let era = match args.era {
        EraArg::Legacy => UnitEra::Legacy,
        EraArg::Y2025 => UnitEra::Y2025,
    };
    for code in &args.codes {
        let code = code.trim();
        let v = report::unit(era, code);
        let ok = v.get("error").is_none_or(Value::is_null);
        all &= ok;
        if args.json {
            serde_json::to_writer(&mut *out, &v)?;
            writeln!(out)?;
        } else if ok {
            write_unit(out, &v)?;
        } else {
            report_error(out, &v, padded(code, |c| report::unit(era, c)))?;
        }
    }
    Ok(all)
}

/// A code that lost its leading zero (`1849`, a spreadsheet's doing):
/// the code with it, and what it names, when that is a unit.
fn padded(code: &str, answer: impl Fn(&str) -> Value) -> Option<(String, Value)> {
    if !code.bytes().all(|b| b.is_ascii_digit()) || !matches!(code.len(), 1 | 4) {
        return None;
    }
    let padded = format!("0{code}");
    let v = answer(&padded);
    v.get("error")
        .is_none_or(Value::is_null)
        .then_some((padded, v))
}

/// An unknown or malformed code: said on standard error (the output stays
/// for answers), with the code it probably meant.
fn report_error(
    out: &mut impl Write,
    v: &Value,
    suggestion: Option<(String, Value)>,
) -> io::Result<()> {
    // What was answered so far goes out before the error.
    out.flush()?;
    let input = v["input"].as_str().unwrap_or_default();
    let error = v["error"].as_str().unwrap_or("unknown code");
    match suggestion {
        Some((code, unit)) => eprintln!(
            "dancu: {input}: {error}; did you mean {code} ({})? Codes keep their leading zeros.",
            named(&unit)
        ),
        None => eprintln!("dancu: {input}: {error}"),
    }
    Ok(())
}

/// `name (code)` of a `{"code", "name"}` object.
fn unit_text(v: &Value) -> String {
    format!(
        "{} ({})",
        v["name"].as_str().unwrap_or("?"),
        v["code"].as_str().unwrap_or("?")
    )
}

/// A 2025 target: `Xã Phong Quang (01849), Tỉnh Thái Nguyên (19)`.
fn target_text(v: &Value) -> String {
    match v.get("province").filter(|p| !p.is_null()) {
        Some(p) => format!("{}, {}", unit_text(v), unit_text(p)),
        None => unit_text(v),
    }
}

/// The unit an answer of `conversion` or `unit` names, for a suggestion.
fn named(v: &Value) -> String {
    let legacy = &v["legacy"];
    ["commune", "district", "province"]
        .iter()
        .find_map(|k| legacy.get(*k).filter(|u| !u.is_null()))
        .map_or_else(
            || v["name"].as_str().unwrap_or("?").to_owned(),
            |u| u["name"].as_str().unwrap_or("?").to_owned(),
        )
}

/// A conversion kind in words.
fn kind_words(kind: &str) -> &'static str {
    match kind {
        "full" => "merged whole",
        "partial" => "part of its territory",
        "unchanged" => "unchanged",
        "renamed" => "renamed or retyped",
        "special_zone" => "became a special zone",
        _ => "",
    }
}

fn write_conversion(out: &mut impl Write, v: &Value) -> io::Result<()> {
    let legacy = &v["legacy"];
    let input = v["input"].as_str().unwrap_or_default();
    let parts: Vec<String> = ["commune", "district", "province"]
        .iter()
        .filter_map(|k| legacy.get(*k).filter(|u| !u.is_null()).map(unit_text))
        .collect();
    writeln!(out, "{input} (legacy): {}", parts.join(", "))?;
    if let Some(targets) = v["targets"].as_array() {
        if v["split"].as_bool() == Some(true) {
            writeln!(
                out,
                "  split between {} 2025 units; the default first",
                targets.len()
            )?;
        }
        let mut targets: Vec<&Value> = targets.iter().collect();
        targets.sort_by_key(|t| t["default"].as_bool() != Some(true));
        for (i, t) in targets.iter().enumerate() {
            writeln!(
                out,
                "  {}{} — {}",
                if i == 0 { "2025:    " } else { "      or " },
                target_text(t),
                kind_words(t["kind"].as_str().unwrap_or_default())
            )?;
        }
    } else if let Some(p) = v.get("province_2025") {
        writeln!(out, "  2025:    {}", unit_text(p))?;
        if let Some(n) = v["communes"].as_u64() {
            writeln!(
                out,
                "  {n} communes; districts no longer exist in 2025 (convert each commune)"
            )?;
        }
        if let Some(z) = v.get("special_zone").filter(|z| !z.is_null()) {
            writeln!(out, "  special zone: {}", target_text(z))?;
        }
        for a in v["uncoded_areas"].as_array().into_iter().flatten() {
            writeln!(
                out,
                "  area {:?}: {} — {}",
                a["area"].as_str().unwrap_or_default(),
                target_text(a),
                kind_words(a["kind"].as_str().unwrap_or_default())
            )?;
        }
    }
    Ok(())
}

fn write_unit(out: &mut impl Write, v: &Value) -> io::Result<()> {
    let era = v["era"].as_str().unwrap_or_default();
    let level = v["level"].as_str().unwrap_or_default();
    writeln!(
        out,
        "{} — {era} {level} ({})",
        unit_text(v),
        v["kind"].as_str().unwrap_or_default()
    )?;
    for parent in ["district", "province"] {
        if let Some(u) = v.get(parent).filter(|u| !u.is_null()) {
            writeln!(out, "  {parent}: {}", unit_text(u))?;
        }
    }
    if let Some(s) = v.get("successor") {
        writeln!(out, "  2025:     {}", unit_text(s))?;
    }
    if let Some(z) = v.get("special_zone").filter(|z| !z.is_null()) {
        writeln!(out, "  special zone: {}", target_text(z))?;
    }
    for (key, label) in [("districts", "districts"), ("communes", "communes")] {
        match &v[key] {
            Value::Array(units) => {
                writeln!(out, "  {} {label}:", units.len())?;
                for u in units {
                    writeln!(out, "    {}", unit_text(u))?;
                }
            }
            Value::Number(n) => writeln!(out, "  {n} {label}")?,
            _ => {}
        }
    }
    for s in v["successors"].as_array().into_iter().flatten() {
        writeln!(
            out,
            "  2025:     {} — {}{}",
            target_text(s),
            kind_words(s["kind"].as_str().unwrap_or_default()),
            if s["default"].as_bool() == Some(true) {
                " (default)"
            } else {
                ""
            }
        )?;
    }
    if let Some(preds) = v["predecessors"].as_array() {
        writeln!(out, "  formed from:")?;
        for p in preds {
            let what = match p.get("area").and_then(Value::as_str) {
                Some(area) => format!("area {area:?}"),
                None => unit_text(p),
            };
            let whence = ["district", "province"]
                .iter()
                .filter_map(|k| p.get(*k).filter(|u| !u.is_null()).map(unit_text))
                .collect::<Vec<_>>();
            let kind = kind_words(p["kind"].as_str().unwrap_or_default());
            let mut line = format!("    {what}");
            if !whence.is_empty() {
                line.push_str(&format!(", {}", whence.join(", ")));
            }
            if !kind.is_empty() {
                line.push_str(&format!(" — {kind}"));
            }
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}
