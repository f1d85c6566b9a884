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
use dancu_popdb::audit::SqliteAuditSink;
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
    } else {
        print_human(&mut io::stdout().lock(), &report, record.as_deref())?;
    }
    Ok(ExitCode::from(exit_status(report.outcome)))
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

fn print_human(
    out: &mut impl Write,
    report: &LookupReport,
    record: Option<&CitizenRecord>,
) -> io::Result<()> {
    writeln!(
        out,
        "request {} — {} ({} attempt(s))",
        report.request_id, report.outcome, report.attempts
    )?;
    if let Some(e) = &report.error {
        writeln!(out, "  error         {} ({})", e.message, e.code)?;
    }
    if let Some(r) = record {
        writeln!(out, "  họ và tên     {}", r.name)?;
        writeln!(out, "  số định danh  {}", r.personal_id)?;
        writeln!(out, "  ngày sinh     {}", r.birth_date)?;
        if let Some(g) = r.gender.gender() {
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
    }
    if let Some(m) = &report.match_report {
        writeln!(
            out,
            "  match         id {:?}, name {}, birth date {:?}, gender {:?} — {}",
            m.id,
            m.name.as_str(),
            m.birth_date,
            m.gender,
            if m.all_agree() {
                "all agree"
            } else {
                "CHECK THE DIFFERENCES"
            }
        )?;
    }
    Ok(())
}
