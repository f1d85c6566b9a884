//! `dancu verify`: one check of a citizen against the population database
//! through a configured gateway, audited.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, ValueEnum};
use dancu_core::registry::{
    AuditSink, CitizenRecord, IdentityQuery, LookupOutcome, Otp, PopulationRegistry, RegistryError,
    Reply, RequestContext, RequestId,
};
use dancu_core::report::LookupReport;
use dancu_core::{BirthDate, CalendarDate, FullName, IdNumber};
use dancu_popdb::audit::SubjectHasher;
use dancu_popdb::config::Config;
use dancu_popdb::{Secret, connect};

/// `dancu verify …`
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The configuration file.
    #[arg(long, default_value = "dancu.toml")]
    config: PathBuf,
    /// Which `[gateway.<name>]` to use.
    #[arg(long)]
    gateway: String,
    /// The personal ID (12 digits) or CMND (9 digits).
    #[arg(long)]
    id: String,
    /// The full name.
    #[arg(long)]
    name: String,
    /// The date of birth: dd/mm/yyyy, yyyy-mm-dd, mm/yyyy or yyyy.
    #[arg(long)]
    dob: String,
    /// The administrative procedure code (MaDVC), e.g. 1.001776.
    #[arg(long)]
    procedure: String,
    /// The dossier code the lookup is for (kept in the audit trail).
    #[arg(long)]
    dossier: Option<String>,
    /// The purpose or legal basis (kept in the audit trail).
    #[arg(long)]
    purpose: Option<String>,
    /// The officer (MaCanBo); defaults to `[officer] id`.
    #[arg(long)]
    officer: Option<String>,
    /// A full lookup (the record) or a yes/no check.
    #[arg(long, value_enum, default_value_t = Mode::Lookup)]
    mode: Mode,
    /// The one-time password the citizen received, answering an earlier
    /// `otp_required` (needs that run's `--request-id`).
    #[arg(long, requires = "request_id", value_name = "CODE")]
    otp: Option<String>,
    /// Continue a logical check (e.g. the one-time-password round trip)
    /// under its request id.
    #[arg(long)]
    request_id: Option<String>,
    /// One JSON object instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Mode {
    /// TraCuuThongTinCongDan.
    Lookup,
    /// XacThucThongTinCongDan.
    Check,
}

/// A usage or configuration error: exit status 2.
#[derive(Debug)]
pub(crate) struct UsageError(pub(crate) String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

fn usage(msg: impl Into<String>) -> anyhow::Error {
    UsageError(msg.into()).into()
}

/// Opens the audit trail a configuration names, with its salt from the
/// environment.
/// A PostgreSQL trail is connected to on `runtime`, whose tasks then carry
/// its writes.
pub(crate) fn open_audit(
    config: &Config,
    runtime: &tokio::runtime::Runtime,
) -> anyhow::Result<(Arc<dyn AuditSink>, SubjectHasher)> {
    let audit = config.audit.as_ref().ok_or_else(|| {
        usage("the configuration has no [audit] table: every lookup must be audited")
    })?;
    let salt = std::env::var(&audit.salt_env).map_err(|_| {
        usage(format!(
            "[audit].salt_env: environment variable {} is not set",
            audit.salt_env
        ))
    })?;
    let hasher = SubjectHasher::new(Secret::new(salt))
        .map_err(|e| usage(format!("[audit] salt in {}: {e}", audit.salt_env)))?;
    let env = |v: &str| std::env::var(v).ok();
    let (sink, _) = runtime.block_on(dancu_serve::stores::open_audit(&audit.store, &env))?;
    Ok((sink, hasher))
}

struct Prepared {
    registry: Arc<dyn PopulationRegistry>,
    ctx: RequestContext,
    query: IdentityQuery,
}

fn prepare(args: &VerifyArgs, runtime: &tokio::runtime::Runtime) -> anyhow::Result<Prepared> {
    let config = Config::load(&args.config).map_err(|e| usage(e.to_string()))?;
    // An unknown gateway is named before anything else is checked.
    config
        .gateway(&args.gateway)
        .map_err(|e| usage(e.to_string()))?;
    let on = CalendarDate::today_in_vietnam();
    let id = IdNumber::parse_on(&args.id, on).map_err(|e| usage(format!("--id: {e}")))?;
    let name = FullName::parse(&args.name).map_err(|e| usage(format!("--name: {e}")))?;
    let dob: BirthDate = args.dob.parse().map_err(|e| usage(format!("--dob: {e}")))?;
    let mut query = IdentityQuery::new(id, name, dob).map_err(|e| usage(format!("--id: {e}")))?;
    // Refused here, before any gateway call or audit record: the database
    // could only answer "not found".
    if query.birth_year_contradicts_id() {
        return Err(usage(
            "--dob contradicts --id: the personal ID encodes another birth year (check both)",
        ));
    }
    if let Some(otp) = &args.otp {
        let otp: Otp = otp.parse().map_err(|e| usage(format!("--otp: {e}")))?;
        query = query.with_otp(otp);
    }
    let officer = args
        .officer
        .clone()
        .or_else(|| config.officer.as_ref().map(|o| o.id.clone()))
        .ok_or_else(|| usage("no officer: give --officer or [officer] id"))?;
    let procedure = args
        .procedure
        .parse()
        .map_err(|e| usage(format!("--procedure: {e}")))?;
    // The `[officer] unit` is given by the connector (connect::configured).
    let mut ctx =
        RequestContext::new(&officer, procedure).map_err(|e| usage(format!("officer: {e}")))?;
    if let Some(d) = &args.dossier {
        ctx = ctx.with_dossier(d.parse().map_err(|e| usage(format!("--dossier: {e}")))?);
    }
    if let Some(p) = &args.purpose {
        ctx = ctx
            .with_purpose(p)
            .map_err(|e| usage(format!("--purpose: {e}")))?;
    }
    if let Some(r) = &args.request_id {
        let id: RequestId = r.parse().map_err(|e| usage(format!("--request-id: {e}")))?;
        ctx = ctx.with_request_id(id);
    }
    let (sink, hasher) = open_audit(&config, runtime)?;
    let registry = connect::configured(&config, &args.gateway, None, Some((sink, hasher)))
        .map_err(|e| usage(e.to_string()))?;
    Ok(Prepared {
        registry,
        ctx,
        query,
    })
}

pub(crate) fn run(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let prepared = prepare(&args, &runtime)?;
    let Prepared {
        registry,
        ctx,
        query,
    } = prepared;
    let (report, record) = runtime.block_on(async {
        match args.mode {
            Mode::Lookup => {
                let result = registry.lookup(&ctx, &query).await;
                let report = LookupReport::lookup(&ctx, &query, &result);
                let record = match result {
                    Ok(Reply {
                        outcome: LookupOutcome::Found(record),
                        ..
                    }) => Some(record),
                    Ok(_) => None,
                    Err(RegistryError::Configuration { reason }) => return Err(usage(reason)),
                    Err(_) => None,
                };
                Ok((report, record))
            }
            Mode::Check => {
                let result = registry.check(&ctx, &query).await;
                if let Err(RegistryError::Configuration { reason }) = result {
                    return Err(usage(reason));
                }
                Ok((LookupReport::check(&ctx, &result), None))
            }
        }
    })?;
    if args.json {
        let mut out = io::stdout().lock();
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
        if matches!(report.outcome, "otp_required" | "otp_rejected") {
            eprintln!(
                "dancu: to continue, run again with --otp CODE --request-id {}",
                report.request_id
            );
        }
    } else {
        print_human(&mut io::stdout().lock(), &report, record.as_deref())?;
    }
    Ok(ExitCode::from(exit_status(&report)))
}

/// The documented exit statuses. An audit trail that cannot record the
/// lookup (a salt that is not the trail's, a file that cannot be written)
/// is a problem of the installation, as a configuration error is: 2.
fn exit_status(report: &LookupReport) -> u8 {
    if report
        .error
        .as_ref()
        .is_some_and(|e| e.code == "audit_failed")
    {
        return 2;
    }
    match report.outcome {
        "found" | "confirmed" => 0,
        "not_found" | "not_confirmed" => 3,
        "otp_required" | "otp_rejected" => 4,
        "rejected" => 5,
        "unavailable" => 6,
        "invalid_response" => 7,
        _ => 2,
    }
}

fn print_human(
    out: &mut impl Write,
    report: &LookupReport,
    record: Option<&CitizenRecord>,
) -> io::Result<()> {
    let attempts = match report.attempts {
        1 => "1 attempt".to_owned(),
        n => format!("{n} attempts"),
    };
    writeln!(
        out,
        "{} (request {}, {attempts})",
        outcome_words(report.outcome),
        report.request_id
    )?;
    if let Some(e) = &report.error {
        writeln!(out, "  error           {} ({})", e.message, e.code)?;
    }
    match report.outcome {
        "otp_required" => writeln!(
            out,
            "  to continue     run again with --otp CODE --request-id {} (the code the citizen received)",
            report.request_id
        )?,
        "otp_rejected" => writeln!(
            out,
            "  to continue     run again with the right --otp CODE and --request-id {}",
            report.request_id
        )?,
        _ => {}
    }
    if let Some(r) = record {
        writeln!(out, "  name            {}", r.name)?;
        writeln!(out, "  personal ID     {}", r.personal_id)?;
        if let Some(c) = &r.cmnd {
            writeln!(out, "  former CMND     {c}")?;
        }
        match r.birth_date {
            Some(b) => writeln!(out, "  birth date      {b}")?,
            None => writeln!(out, "  birth date      — (none that could be read)")?,
        }
        if let Some(g) = r.gender_meaning() {
            writeln!(out, "  gender          {g}")?;
        }
        if let Some(a) = &r.current {
            let era = match a.era.map(|e| e.as_str()) {
                Some("legacy") => " (legacy units)",
                Some("2025") => " (2025 units)",
                _ => "",
            };
            writeln!(
                out,
                "  current address {}{era}",
                dancu_core::dossier::address_text(a)
            )?;
        }
        if let Some(t) = &r.as_of {
            writeln!(out, "  data as of      {t}")?;
        }
        for u in r.undecodable() {
            writeln!(
                out,
                "  NOT DECODABLE   {}: {} (the value as sent is kept in --json; check it)",
                u.field, u.reason
            )?;
        }
    }
    if let Some(m) = &report.match_report {
        writeln!(out, "  match           {m}")?;
    }
    Ok(())
}

/// The outcome key in words.
fn outcome_words(outcome: &str) -> &'static str {
    match outcome {
        "found" => "found",
        "not_found" => "not found",
        "confirmed" => "confirmed",
        "not_confirmed" => "not confirmed",
        "otp_required" => "one-time password required",
        "otp_rejected" => "one-time password rejected",
        "rejected" => "rejected",
        "unavailable" => "unavailable",
        "invalid_response" => "invalid response",
        _ => "failed",
    }
}

#[cfg(test)]
mod tests {
    use dancu_core::registry::{LookupOutcome, Person, RecordField, ReplyMeta};

    use super::*;

    /// A found record whose birth date and father's ID could not be
    /// decoded: the text says so, line by line and in the match line, and
    /// never calls it "all agree".
    #[test]
    fn the_text_names_the_fields_that_could_not_be_decoded() {
        let on = CalendarDate::new(2026, 11, 27).expect("date");
        let mut record = CitizenRecord::with_identity(
            "006089000001".parse().expect("id"),
            "Nguyễn Văn An".parse().expect("name"),
        );
        record.gender = Some("1".parse().expect("code"));
        record.flag(RecordField::BirthDate, Some("32/13/1989"), "not a date");
        record.flag(
            RecordField::PersonalId(Person::Father),
            Some("12345"),
            "wrong length",
        );
        let query = IdentityQuery::new(
            IdNumber::parse_on("006089000001", on).expect("id"),
            "Nguyễn Văn An".parse().expect("name"),
            "12/05/1989".parse().expect("dob"),
        )
        .expect("query");
        let ctx = RequestContext::new("canbo.motcua01", "1.001776".parse().expect("procedure"))
            .expect("ctx");
        let result = Ok(Reply::new(
            LookupOutcome::Found(Box::new(record.clone())),
            ReplyMeta::single(None, None),
        ));
        let report = LookupReport::lookup(&ctx, &query, &result);
        let mut out = Vec::new();
        print_human(&mut out, &report, Some(&record)).expect("written");
        let text = String::from_utf8(out).expect("UTF-8");
        assert!(
            text.contains("  birth date      — (none that could be read)"),
            "{text}"
        );
        assert!(
            text.contains("  NOT DECODABLE   NgayThangNamSinh: not a date"),
            "{text}"
        );
        assert!(
            text.contains("  NOT DECODABLE   Cha/SoDinhDanh: wrong length"),
            "{text}"
        );
        assert!(
            text.contains("birth date NOT COMPARED") && text.contains("CHECK THE DIFFERENCES"),
            "{text}"
        );
        assert!(
            text.contains("not decodable NgayThangNamSinh, Cha/SoDinhDanh"),
            "{text}"
        );
        assert!(!text.contains("12345"), "no raw value in the text: {text}");
        // The JSON carries the raw values and the flags, the match the paths.
        let json = serde_json::to_value(&report).expect("json");
        assert_eq!(json["record"]["birth_date"], serde_json::Value::Null);
        assert_eq!(json["record"]["undecodable"][1]["raw"], "12345");
        assert_eq!(json["match"]["birth_date"], "not_comparable");
        assert_eq!(
            json["match"]["undecodable"],
            serde_json::json!(["NgayThangNamSinh", "Cha/SoDinhDanh"])
        );
    }
}
