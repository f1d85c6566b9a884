//! `dancu id inspect`: classify and decode identity numbers, one per
//! argument or one per line of standard input (streamed).

use std::io::{self, BufReader, BufWriter, Write};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use dancu_core::identity::{IdNumber, IdNumberError};
use dancu_core::report::IdReport;
use dancu_core::{CalendarDate, Cmnd, IdKind};

use crate::lines::{MAX_ID_LINE, for_each_input_line, too_long_line};

/// `dancu id …`
#[derive(Debug, Args)]
pub(crate) struct IdArgs {
    #[command(subcommand)]
    command: IdCommand,
}

#[derive(Debug, Subcommand)]
enum IdCommand {
    /// Classify and decode identity numbers. Exit status: 0 when every
    /// input is valid, 1 when any is invalid, 2 on a usage error.
    Inspect(InspectArgs),
}

#[derive(Debug, Args)]
struct InspectArgs {
    /// Numbers to inspect; `-` reads one per line from standard input
    /// (blank lines are skipped).
    #[arg(required = true, value_name = "ID")]
    ids: Vec<String>,
    /// The reference date (YYYY-MM-DD) for birth-year and CMND validity
    /// checks; defaults to today in Vietnam.
    #[arg(long, value_name = "YYYY-MM-DD")]
    on: Option<CalendarDate>,
    /// One JSON object per input line instead of human-readable text.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: IdArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        IdCommand::Inspect(a) => inspect(&a),
    }
}

fn inspect(args: &InspectArgs) -> anyhow::Result<ExitCode> {
    let on = args.on.unwrap_or_else(CalendarDate::today_in_vietnam);
    let stdout = io::stdout().lock();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout);
    let mut all_valid = true;
    let mut any_too_long = false;
    // Each object is serialised into this buffer, then written at once: the
    // serialiser's many small writes stay off the dynamic `Write`.
    let mut buf = Vec::with_capacity(512);
    let mut report = |input: &str, out: &mut dyn Write| -> io::Result<()> {
        let parsed = IdNumber::parse_on(input, on);
        all_valid &= parsed.is_ok();
        if args.json {
            write_json(&mut buf, out, input, &parsed, on)
        } else {
            write_human(out, input, &parsed, on)
        }
    };
    for id in &args.ids {
        if id == "-" {
            let mut input = BufReader::with_capacity(64 * 1024, io::stdin().lock());
            let json = args.json;
            let mut too_long = |line: u64, out: &mut dyn Write| -> io::Result<()> {
                any_too_long = true;
                too_long_line(out, json, line, MAX_ID_LINE)
            };
            for_each_input_line(
                &mut input,
                &mut out,
                MAX_ID_LINE,
                &mut report,
                &mut too_long,
            )?;
        } else {
            report(id, &mut out)?;
        }
    }
    out.flush()?;
    Ok(if all_valid && !any_too_long {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Writes the documented object ([`IdReport`]) and a newline, assembled
/// in `buf`.
fn write_json(
    buf: &mut Vec<u8>,
    out: &mut (impl Write + ?Sized),
    input: &str,
    parsed: &Result<IdNumber, IdNumberError>,
    on: CalendarDate,
) -> io::Result<()> {
    buf.clear();
    IdReport::new(input, parsed, on).write_json(buf);
    buf.push(b'\n');
    out.write_all(buf)
}

fn kind_label(kind: IdKind) -> &'static str {
    match kind {
        IdKind::PersonalId => "personal ID number (CCCD / thẻ căn cước)",
        IdKind::Cmnd => "CMND (9-digit identity card)",
        IdKind::Passport => "passport number",
        IdKind::TaxCode => "tax code (mã số thuế)",
    }
}

fn write_human(
    out: &mut (impl Write + ?Sized),
    input: &str,
    parsed: &Result<IdNumber, IdNumberError>,
    on: CalendarDate,
) -> io::Result<()> {
    match parsed {
        Err(e) => {
            let what = e.kind().map_or("unrecognised input", kind_label);
            writeln!(out, "{input:?}: invalid — {what}")?;
            writeln!(out, "  error         {} ({})", e, e.code())
        }
        Ok(id) => {
            writeln!(out, "{id}: valid {}", kind_label(id.kind()))?;
            match id {
                IdNumber::PersonalId(p) => {
                    writeln!(out, "  registered    {}", p.registration())?;
                    writeln!(
                        out,
                        "  gender        {} ({})",
                        p.gender(),
                        p.gender().label_vi()
                    )?;
                    writeln!(
                        out,
                        "  birth year    {} (century digit {})",
                        p.birth_year(),
                        p.gender_century_digit()
                    )
                }
                IdNumber::Cmnd(c) => write_cmnd(out, c, on),
                IdNumber::TaxCode(t) => match t.branch() {
                    Some(b) => writeln!(out, "  branch        {b:03} of {}", t.enterprise()),
                    None => writeln!(out, "  check digit   ok"),
                },
                _ => Ok(()),
            }
        }
    }
}

fn write_cmnd(out: &mut (impl Write + ?Sized), c: &Cmnd, on: CalendarDate) -> io::Result<()> {
    let hints = c.issuing_province_hints();
    if hints.is_empty() {
        writeln!(
            out,
            "  issued by     unknown (prefix not in the partial table)"
        )?;
    } else {
        writeln!(
            out,
            "  issued by     {} (hint from the prefix)",
            hints.join(" or ")
        )?;
    }
    if c.is_valid_document_on(on) {
        writeln!(
            out,
            "  document      valid on {on} (every CMND expires after 2024-12-31)"
        )
    } else {
        writeln!(
            out,
            "  document      expired on 2024-12-31 (still usable as a lookup key)"
        )
    }
}
