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
            for_each_line(&mut input, out, &mut one)?;
        } else {
            one(text, out)?;
        }
    }
    Ok(all)
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
        let v = report::conversion(code.trim());
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

fn show_all(args: &ShowArgs, out: &mut impl Write) -> io::Result<bool> {
    let mut all = true;
    for code in &args.codes {
        let era = match args.era {
            EraArg::Legacy => UnitEra::Legacy,
            EraArg::Y2025 => UnitEra::Y2025,
        };
        let v = report::unit(era, code.trim());
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

fn write_pretty(out: &mut impl Write, v: &Value) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, v)?;
    writeln!(out)
}
