//! `dancu address`: resolve free-text addresses in either era, convert
//! legacy codes to the 2025 scheme, and show units by code.

use std::borrow::Cow;
use std::io::{self, BufReader, BufWriter, Write};
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use dancu_core::CalendarDate;
use dancu_core::admin::{
    Candidate, Commune, CommuneCode, Era, LegacyCommune, LegacyCommuneCode, LegacyDistrict,
    LegacyDistrictCode, LegacyProvince, LegacyProvinceCode, Place, Predecessor, Province,
    ProvinceCode, Resolution, Source, resolve,
};
use serde::Serialize;
use serde_json::{Value, json};

use crate::lines::for_each_line;

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
    /// One JSON object per code.
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
    /// One JSON object per code.
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
    let stdout = io::stdout().lock();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout);
    let ok = match args.command {
        AddressCommand::Resolve(a) => resolve_all(&a, &mut out)?,
        AddressCommand::Convert(a) => convert_all(&a, &mut out)?,
        AddressCommand::Show(a) => show_all(&a, &mut out)?,
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
    let mut one = |text: &str, out: &mut dyn Write| -> io::Result<()> {
        let r = resolve(text);
        all &= r.is_resolved();
        if args.json {
            serde_json::to_writer(&mut *out, &resolution_out(text, &r, args.on))?;
            out.write_all(b"\n")
        } else {
            write_human(out, text, &r, args.on)
        }
    };
    for text in &args.texts {
        if text == "-" {
            let mut input = BufReader::with_capacity(64 * 1024, io::stdin().lock());
            for_each_line(&mut input, out, &mut one)?;
        } else {
            one(text, out)?;
        }
    }
    Ok(all)
}

fn unit(code: impl ToString, name: &str) -> Value {
    json!({ "code": code.to_string(), "name": name })
}

/// `{"code", "name"}` of a unit; the code serialises through its type.
#[derive(Serialize)]
struct UnitOut<C> {
    code: C,
    name: Cow<'static, str>,
}

#[derive(Serialize)]
struct LegacyOut {
    province: UnitOut<LegacyProvinceCode>,
    district: Option<UnitOut<LegacyDistrictCode>>,
    commune: Option<UnitOut<LegacyCommuneCode>>,
}

#[derive(Serialize)]
struct CurrentOut {
    province: UnitOut<ProvinceCode>,
    commune: Option<UnitOut<CommuneCode>>,
    alternatives: Vec<UnitOut<CommuneCode>>,
}

#[derive(Serialize)]
struct CandidateOut {
    era: &'static str,
    legacy: Option<LegacyOut>,
    current: CurrentOut,
    score: f64,
}

/// The documented object, keys in the documented order.
#[derive(Serialize)]
struct ResolveOut<'a> {
    input: &'a str,
    resolved: bool,
    era: Option<&'static str>,
    legacy: Option<LegacyOut>,
    current: Option<CurrentOut>,
    detail: Option<&'a str>,
    confidence: f64,
    candidates: Vec<CandidateOut>,
}

/// A 2025 commune, named as on `on` (as in the data when `None`).
fn commune_out(c: Commune, on: Option<CalendarDate>) -> UnitOut<CommuneCode> {
    UnitOut {
        code: c.code(),
        name: on.map_or(Cow::Borrowed(c.full_name()), |d| {
            Cow::Owned(c.full_name_on(d))
        }),
    }
}

fn legacy_out(p: &Place) -> Option<LegacyOut> {
    match *p {
        Place::Legacy {
            province,
            district,
            commune,
        } => Some(LegacyOut {
            province: UnitOut {
                code: province.code(),
                name: province.full_name().into(),
            },
            district: district.map(|d| UnitOut {
                code: d.code(),
                name: d.full_name().into(),
            }),
            commune: commune.map(|c| UnitOut {
                code: c.code(),
                name: c.full_name().into(),
            }),
        }),
        Place::Current { .. } => None,
    }
}

fn current_out(p: &Place, on: Option<CalendarDate>) -> CurrentOut {
    let province = p.current_province();
    CurrentOut {
        province: UnitOut {
            code: province.code(),
            name: on.map_or(Cow::Borrowed(province.full_name()), |d| {
                Cow::Owned(province.full_name_on(d))
            }),
        },
        commune: p.current_commune().map(|c| commune_out(c, on)),
        alternatives: p
            .alternatives()
            .into_iter()
            .map(|c| commune_out(c, on))
            .collect(),
    }
}

fn candidate_out(c: &Candidate, on: Option<CalendarDate>) -> CandidateOut {
    CandidateOut {
        era: c.place.era().as_str(),
        legacy: legacy_out(&c.place),
        current: current_out(&c.place, on),
        score: round(c.score),
    }
}

fn round(x: f32) -> f64 {
    (f64::from(x) * 1000.0).round() / 1000.0
}

fn resolution_out<'a>(
    input: &'a str,
    r: &'a Resolution,
    on: Option<CalendarDate>,
) -> ResolveOut<'a> {
    let era = r.era().or_else(|| {
        let mut eras = r.candidates().iter().map(|c| c.place.era());
        let first = eras.next()?;
        eras.all(|e| e == first).then_some(first)
    });
    let place = r.place();
    ResolveOut {
        input,
        resolved: r.is_resolved(),
        era: era.map(Era::as_str),
        legacy: place.and_then(legacy_out),
        current: place.map(|p| current_out(p, on)),
        detail: r.detail(),
        confidence: round(r.confidence()),
        candidates: r
            .candidates()
            .iter()
            .map(|c| candidate_out(c, on))
            .collect(),
    }
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
            commune_out(c, on).name,
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
                    writeln!(
                        out,
                        "           or {} ({})",
                        commune_out(c, on).name,
                        c.code()
                    )?;
                }
            }
            _ => writeln!(out, "  2025:    {}", describe_current(p, on))?,
        }
    }
    if let Some(d) = r.detail() {
        writeln!(out, "  detail:  {d}")?;
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

fn convert_all(args: &ConvertArgs, out: &mut impl Write) -> io::Result<bool> {
    let mut all = true;
    for code in &args.codes {
        let v = convert_json(code.trim());
        all &= v.get("error").is_none_or(Value::is_null);
        if args.json {
            serde_json::to_writer(&mut *out, &v)?;
            writeln!(out)?;
        } else {
            write_pretty(out, &v)?;
        }
    }
    Ok(all)
}

fn error_json(input: &str, msg: String) -> Value {
    json!({ "input": input, "error": msg })
}

fn target_json(c: Commune) -> Value {
    let p = c.province();
    json!({ "code": c.code().to_string(), "name": c.full_name(), "province": unit(p.code(), p.full_name()) })
}

fn convert_json(code: &str) -> Value {
    match code.len() {
        5 => match code.parse().map(LegacyCommune::lookup) {
            Ok(Some(c)) => {
                let d = c.district();
                let p = d.province();
                let targets: Vec<Value> = c
                    .successors()
                    .iter()
                    .map(|s| {
                        let mut t = target_json(s.commune);
                        t["kind"] = json!(s.kind.as_str());
                        t["default"] = json!(s.is_default);
                        t
                    })
                    .collect();
                json!({
                    "input": code,
                    "legacy": {
                        "province": unit(p.code(), p.full_name()),
                        "district": unit(d.code(), d.full_name()),
                        "commune": unit(c.code(), c.full_name()),
                    },
                    "split": c.is_split(),
                    "default": target_json(c.default_successor()),
                    "targets": targets,
                })
            }
            Ok(None) => error_json(code, format!("no legacy commune has code {code}")),
            Err(e) => error_json(code, e.to_string()),
        },
        3 => match code.parse().map(LegacyDistrict::lookup) {
            Ok(Some(d)) => {
                let p = d.province();
                let areas: Vec<Value> = d
                    .uncoded_areas()
                    .iter()
                    .map(|(label, c, kind)| {
                        let mut t = target_json(*c);
                        t["kind"] = json!(kind.as_str());
                        t["area"] = json!(label);
                        t
                    })
                    .collect();
                json!({
                    "input": code,
                    "legacy": {
                        "province": unit(p.code(), p.full_name()),
                        "district": unit(d.code(), d.full_name()),
                    },
                    "special_zone": d.special_zone().map(target_json),
                    "province_2025": unit(p.successor().code(), p.successor().full_name()),
                    "communes": d.communes().len(),
                    "uncoded_areas": areas,
                })
            }
            Ok(None) => error_json(code, format!("no legacy district has code {code}")),
            Err(e) => error_json(code, e.to_string()),
        },
        2 => match code.parse().map(LegacyProvince::lookup) {
            Ok(Some(p)) => {
                let s = p.successor();
                json!({
                    "input": code,
                    "legacy": { "province": unit(p.code(), p.full_name()) },
                    "province_2025": unit(s.code(), s.full_name()),
                })
            }
            Ok(None) => error_json(code, format!("no legacy province has code {code}")),
            Err(e) => error_json(code, e.to_string()),
        },
        _ => error_json(code, "expected a 5-, 3- or 2-digit legacy code".to_owned()),
    }
}

fn show_all(args: &ShowArgs, out: &mut impl Write) -> io::Result<bool> {
    let mut all = true;
    for code in &args.codes {
        let v = show_json(args.era, code.trim());
        all &= v.get("error").is_none_or(Value::is_null);
        if args.json {
            serde_json::to_writer(&mut *out, &v)?;
            writeln!(out)?;
        } else {
            write_pretty(out, &v)?;
        }
    }
    Ok(all)
}

fn predecessor_json(p: &Predecessor) -> Value {
    match p.source {
        Source::Commune(c) => {
            let mut v = unit(c.code(), c.full_name());
            v["district"] = unit(c.district().code(), c.district().full_name());
            v["province"] = unit(c.province().code(), c.province().full_name());
            v["kind"] = json!(p.kind.as_str());
            v
        }
        Source::Area { district, label } => json!({
            "area": label,
            "district": unit(district.code(), district.full_name()),
            "province": unit(district.province().code(), district.province().full_name()),
            "kind": p.kind.as_str(),
        }),
        _ => Value::Null,
    }
}

fn show_json(era: EraArg, code: &str) -> Value {
    let not_found = |what: &str| error_json(code, format!("no {what} has code {code}"));
    match (era, code.len()) {
        (EraArg::Legacy, 2) => match code.parse().map(LegacyProvince::lookup) {
            Ok(Some(p)) => json!({
                "era": "legacy", "level": "province",
                "code": p.code().to_string(), "name": p.full_name(), "kind": p.kind().label(),
                "districts": p.districts().map(|d| unit(d.code(), d.full_name())).collect::<Vec<_>>(),
                "successor": unit(p.successor().code(), p.successor().full_name()),
            }),
            Ok(None) => not_found("legacy province"),
            Err(e) => error_json(code, e.to_string()),
        },
        (EraArg::Legacy, 3) => match code.parse().map(LegacyDistrict::lookup) {
            Ok(Some(d)) => json!({
                "era": "legacy", "level": "district",
                "code": d.code().to_string(), "name": d.full_name(), "kind": d.kind().label(),
                "province": unit(d.province().code(), d.province().full_name()),
                "communes": d.communes().map(|c| unit(c.code(), c.full_name())).collect::<Vec<_>>(),
                "special_zone": d.special_zone().map(target_json),
            }),
            Ok(None) => not_found("legacy district"),
            Err(e) => error_json(code, e.to_string()),
        },
        (EraArg::Legacy, 5) => match code.parse().map(LegacyCommune::lookup) {
            Ok(Some(c)) => json!({
                "era": "legacy", "level": "commune",
                "code": c.code().to_string(), "name": c.full_name(), "kind": c.kind().label(),
                "district": unit(c.district().code(), c.district().full_name()),
                "province": unit(c.province().code(), c.province().full_name()),
                "successors": c.successors().iter().map(|s| {
                    let mut t = target_json(s.commune);
                    t["kind"] = json!(s.kind.as_str());
                    t["default"] = json!(s.is_default);
                    t
                }).collect::<Vec<_>>(),
            }),
            Ok(None) => not_found("legacy commune"),
            Err(e) => error_json(code, e.to_string()),
        },
        (EraArg::Y2025, 2) => match code.parse().map(Province::lookup) {
            Ok(Some(p)) => json!({
                "era": "2025", "level": "province",
                "code": p.code().to_string(), "name": p.full_name(), "kind": p.kind().label(),
                "communes": p.communes().len(),
                "predecessors": p.predecessors().map(|l| unit(l.code(), l.full_name())).collect::<Vec<_>>(),
            }),
            Ok(None) => not_found("2025 province"),
            Err(e) => error_json(code, e.to_string()),
        },
        (EraArg::Y2025, 5) => match code.parse().map(Commune::lookup) {
            Ok(Some(c)) => json!({
                "era": "2025", "level": "commune",
                "code": c.code().to_string(), "name": c.full_name(), "kind": c.kind().label(),
                "province": unit(c.province().code(), c.province().full_name()),
                "predecessors": c.predecessors().iter().map(predecessor_json).collect::<Vec<_>>(),
            }),
            Ok(None) => not_found("2025 commune"),
            Err(e) => error_json(code, e.to_string()),
        },
        (EraArg::Legacy, _) => {
            error_json(code, "expected a 2-, 3- or 5-digit legacy code".to_owned())
        }
        (EraArg::Y2025, _) => error_json(code, "expected a 2- or 5-digit 2025 code".to_owned()),
    }
}

fn write_pretty(out: &mut impl Write, v: &Value) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, v)?;
    writeln!(out)
}
