//! `dancu verify`: one check of a citizen against the population database
//! through a configured gateway, audited.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, ValueEnum};
use dancu_core::registry::{
    AuditSink, CitizenRecord, IdentityQuery, LookupOutcome, MatchReport, Otp, PopulationRegistry,
    RecordAddress, RegistryError, Relative, RequestContext, RequestId,
};
use dancu_core::{BirthDate, CalendarDate, FullName, IdNumber};
use dancu_popdb::audit::SqliteAuditSink;
use dancu_popdb::audit::SubjectHasher;
use dancu_popdb::config::Config;
use dancu_popdb::{Secret, connect};
use serde_json::{Value, json};

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
    /// The one-time password the citizen received.
    #[arg(long)]
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
pub(crate) fn open_audit(config: &Config) -> anyhow::Result<(Arc<SqliteAuditSink>, SubjectHasher)> {
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
    let sink = SqliteAuditSink::open(&audit.path)
        .with_context(|| format!("opening the audit trail {}", audit.path.display()))?;
    Ok((Arc::new(sink), hasher))
}

struct Prepared {
    registry: Arc<dyn PopulationRegistry>,
    ctx: RequestContext,
    query: IdentityQuery,
}

fn prepare(args: &VerifyArgs) -> anyhow::Result<Prepared> {
    let config = Config::load(&args.config).map_err(|e| usage(e.to_string()))?;
    let gw = config
        .gateway(&args.gateway)
        .map_err(|e| usage(e.to_string()))?;
    let on = CalendarDate::today_in_vietnam();
    let id = IdNumber::parse_on(&args.id, on).map_err(|e| usage(format!("--id: {e}")))?;
    let name = FullName::parse(&args.name).map_err(|e| usage(format!("--name: {e}")))?;
    let dob: BirthDate = args.dob.parse().map_err(|e| usage(format!("--dob: {e}")))?;
    let mut query = IdentityQuery::new(id, name, dob).map_err(|e| usage(format!("--id: {e}")))?;
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
    let mut ctx =
        RequestContext::new(&officer, procedure).map_err(|e| usage(format!("officer: {e}")))?;
    if let Some(unit) = config.officer.as_ref().and_then(|o| o.unit.as_deref()) {
        ctx = ctx.with_unit(
            unit.parse()
                .map_err(|e| usage(format!("[officer] unit: {e}")))?,
        );
    }
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
    let (sink, hasher) = open_audit(&config)?;
    let sink: Arc<dyn AuditSink> = sink;
    let registry =
        connect::registry(gw, None, Some((sink, hasher))).map_err(|e| usage(e.to_string()))?;
    Ok(Prepared {
        registry,
        ctx,
        query,
    })
}

pub(crate) fn run(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let prepared = prepare(&args)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let Prepared {
        registry,
        ctx,
        query,
    } = prepared;
    let (outcome, record, report, error) = runtime.block_on(async {
        match args.mode {
            Mode::Lookup => match registry.lookup(&ctx, &query).await {
                Ok(reply) => match reply.outcome {
                    LookupOutcome::Found(record) => {
                        let report = MatchReport::compare(&query, &record);
                        ("found", Some(record), Some(report), None)
                    }
                    other => (other.as_str(), None, None, None),
                },
                Err(e) => (error_outcome(&e), None, None, Some(e)),
            },
            Mode::Check => match registry.check(&ctx, &query).await {
                Ok(reply) => (reply.outcome.as_str(), None, None, None),
                Err(e) => (error_outcome(&e), None, None, Some(e)),
            },
        }
    });
    if let Some(RegistryError::Configuration { reason }) = &error {
        return Err(usage(reason.clone()));
    }
    let attempts = ctx.attempts();
    if args.json {
        let out = json!({
            "request_id": ctx.request_id().to_string(),
            "outcome": outcome,
            "attempts": attempts,
            "record": record.as_deref().map_or(Value::Null, record_json),
            "match": report.map_or(Value::Null, |r| serde_json::to_value(r).unwrap_or(Value::Null)),
            "error": error.as_ref().map_or(Value::Null, |e| json!({"code": e.code(), "message": e.to_string()})),
        });
        writeln!(io::stdout().lock(), "{out}")?;
    } else {
        print_human(
            &mut io::stdout().lock(),
            &ctx,
            outcome,
            attempts,
            record.as_deref(),
            report.as_ref(),
            error.as_ref(),
        )?;
    }
    Ok(ExitCode::from(exit_status(outcome)))
}

/// The `outcome` of a failed call.
fn error_outcome(e: &RegistryError) -> &'static str {
    match e {
        RegistryError::Rejected { .. } | RegistryError::Unauthorized => "rejected",
        RegistryError::InvalidResponse { .. } => "invalid_response",
        _ => "unavailable",
    }
}

/// The documented exit statuses.
fn exit_status(outcome: &str) -> u8 {
    match outcome {
        "found" | "confirmed" => 0,
        "not_found" | "not_confirmed" => 3,
        "otp_required" | "otp_rejected" => 4,
        "rejected" => 5,
        "unavailable" => 6,
        "invalid_response" => 7,
        _ => 2,
    }
}

fn address_json(a: Option<&RecordAddress>) -> Value {
    a.map_or(Value::Null, |a| {
        serde_json::to_value(a).unwrap_or(Value::Null)
    })
}

fn relative_json(r: Option<&Relative>) -> Value {
    r.map_or(Value::Null, |r| {
        json!({
            "name": r.name.as_ref().map(ToString::to_string),
            "nationality": r.nationality,
            "personal_id": r.personal_id.map(|p| p.to_string()),
            "cmnd": r.cmnd.map(|c| c.to_string()),
        })
    })
}

/// The record as `dancu verify --json` prints it.
pub(crate) fn record_json(r: &CitizenRecord) -> Value {
    let ethnicity = dancu_core::registry::CodeTable::ethnicity_2008();
    json!({
        "personal_id": r.personal_id.as_str(),
        "cmnd": r.cmnd.map(|c| c.to_string()),
        "name": {
            "full": r.name.as_str(),
            "family": r.name.family(),
            "middle": r.name.middle(),
            "given": r.name.given(),
        },
        "birth_date": r.birth_date.map(|b| b.to_string()),
        "birth_date_precision": r.birth_date.map(|b| b.precision().as_str()),
        "gender": r.gender_meaning().map(|g| g.as_str()),
        "gender_code": r.gender.map(|g| g.as_str().to_owned()),
        "ethnicity": r.ethnicity,
        "ethnicity_name": r.ethnicity.as_deref().and_then(|c| ethnicity.name(c)),
        "religion": r.religion,
        "nationality": r.nationality,
        "marital_status": r.marital_status,
        "blood_group": r.blood_group,
        "addresses": {
            "current": address_json(r.current.as_ref()),
            "permanent": address_json(r.permanent.as_ref()),
            "birth_registration": address_json(r.birth_registration.as_ref()),
            "hometown": address_json(r.hometown.as_ref()),
        },
        "father": relative_json(r.father.as_ref()),
        "mother": relative_json(r.mother.as_ref()),
        "spouse": relative_json(r.spouse.as_ref()),
        "representative": relative_json(r.representative.as_ref()),
        "household_head": r.household_head.as_ref().map(|h| json!({
            "relation": h.relation,
            "personal_id": h.personal_id.map(|p| p.to_string()),
            "cmnd": h.cmnd.map(|c| c.to_string()),
            "name": h.name.as_ref().map(ToString::to_string),
        })),
        "household_book": r.household_book,
        "as_of": r.as_of,
        "account_type": r.account_type,
        "tax_code": r.tax_code,
        "email": r.email,
        "undecodable": r.undecodable(),
    })
}

fn print_human(
    out: &mut impl Write,
    ctx: &RequestContext,
    outcome: &str,
    attempts: u32,
    record: Option<&CitizenRecord>,
    report: Option<&MatchReport>,
    error: Option<&RegistryError>,
) -> io::Result<()> {
    writeln!(
        out,
        "request {} — {outcome} ({attempts} attempt(s))",
        ctx.request_id()
    )?;
    if let Some(e) = error {
        writeln!(out, "  error         {} ({})", e, e.code())?;
    }
    if let Some(r) = record {
        writeln!(out, "  họ và tên     {}", r.name)?;
        writeln!(out, "  số định danh  {}", r.personal_id)?;
        match r.birth_date {
            Some(b) => writeln!(out, "  ngày sinh     {b}")?,
            None => writeln!(out, "  ngày sinh     — (không đọc được)")?,
        }
        if let Some(g) = r.gender_meaning() {
            writeln!(out, "  giới tính     {}", g.label_vi())?;
        }
        if let Some(a) = &r.current {
            writeln!(
                out,
                "  nơi ở hiện tại {} [{}]",
                dancu_core::dossier::address_text(a),
                a.era.map_or("?", |e| e.as_str())
            )?;
        }
        if let Some(t) = &r.as_of {
            writeln!(out, "  dữ liệu tại   {t}")?;
        }
        for u in r.undecodable() {
            writeln!(
                out,
                "  KHÔNG ĐỌC ĐƯỢC {} ({}): giữ nguyên giá trị gốc, cần xem lại",
                u.field, u.reason
            )?;
        }
    }
    if let Some(m) = report {
        writeln!(
            out,
            "  match         id {:?}, name {}, birth date {}, gender {:?} — {}",
            m.id,
            m.name.as_str(),
            m.birth_date
                .map_or_else(|| "not comparable".to_owned(), |d| format!("{d:?}")),
            m.gender,
            if m.all_agree() {
                "all agree"
            } else {
                "CHECK THE DIFFERENCES"
            }
        )?;
        if !m.undecodable.is_empty() {
            let fields: Vec<&str> = m.undecodable.iter().map(|f| f.path()).collect();
            writeln!(out, "  undecodable   {}", fields.join(", "))?;
        }
    }
    Ok(())
}
