//! `dancu audit`: answer "who looked this citizen up, when and why" from the
//! audit trail, list lookups by officer, dossier or time, and purge records
//! past their retention period.

use std::fmt::Write as _;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use dancu_core::registry::{AuditError, AuditQuery, AuditRecord, AuditSink, LookupKey};
use dancu_core::report::{audit_record, audit_record_subjects};
use dancu_core::{IdNumber, Timestamp};
use dancu_popdb::Secret;
use dancu_popdb::audit::{SqliteAuditSink, SubjectHasher};
use dancu_popdb::config::StoreLocation;

/// The configuration read when neither `--db` nor `--config` is given, as
/// `dancu verify` does.
const DEFAULT_CONFIG: &str = "dancu.toml";

/// The environment variable holding the salt, unless configured otherwise.
const DEFAULT_SALT_ENV: &str = "DANCU_AUDIT_SALT";

const DAY_MS: i64 = 86_400_000;

/// `dancu audit …`
#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    #[command(subcommand)]
    command: AuditCommand,
    /// The audit database: a SQLite file, or a PostgreSQL URL
    /// (postgres://user@host:port/database, without its password).
    #[arg(
        long,
        global = true,
        value_name = "PATH|URL",
        conflicts_with = "config"
    )]
    db: Option<String>,
    /// With a PostgreSQL `--db`: the environment variable that holds the
    /// database password.
    #[arg(long, global = true, value_name = "NAME", requires = "db")]
    password_env: Option<String>,
    /// Read the database (`path` or `url`, and the salt variable) from the
    /// `[audit]` table of this configuration file [default: dancu.toml, as
    /// `dancu verify`].
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The environment variable that holds the subject-hash salt
    /// [default: DANCU_AUDIT_SALT, or `salt_env` in the configuration].
    #[arg(long, global = true, value_name = "NAME")]
    salt_env: Option<String>,
    /// One JSON object per record instead of a table.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Who looked this citizen up: every lookup of one personal ID or CMND
    /// number (found through its salted hash; needs the salt).
    Who {
        /// The citizen's personal ID (12 digits) or CMND (9 digits).
        #[arg(long, value_name = "ID")]
        subject: String,
    },
    /// Every lookup made by one officer.
    ByOfficer {
        /// The officer identifier (`MaCanBo`).
        officer: String,
    },
    /// Every lookup made for one dossier.
    ByDossier {
        /// The dossier code, e.g. 000.00.21.H56-261127-0001.
        code: String,
    },
    /// Every lookup started between two instants: RFC 3339 (`TO` excluded)
    /// or YYYY-MM-DD (Vietnam days, both included).
    Between {
        /// The start: RFC 3339 or YYYY-MM-DD.
        from: String,
        /// The end: RFC 3339 (excluded) or YYYY-MM-DD (included).
        to: String,
    },
    /// Delete records of lookups started more than DAYS days ago.
    Purge {
        /// The retention period in days (at least 1).
        #[arg(long, value_name = "DAYS")]
        older_than: u32,
    },
}

/// Where the trail is and how subjects are hashed, from the flags or the
/// configuration file.
struct Settings {
    store: StoreLocation,
    salt_env: String,
}

impl Settings {
    /// The trail, for the messages: its file, or its URL (which holds no
    /// password).
    fn shown(&self) -> String {
        match &self.store {
            StoreLocation::Sqlite(p) => p.display().to_string(),
            StoreLocation::Postgres(pg) => pg.url.clone(),
        }
    }
}

pub(crate) fn run(args: AuditArgs) -> anyhow::Result<ExitCode> {
    let settings = settings(&args)?;
    let query = match &args.command {
        AuditCommand::Who { subject } => {
            let key = subject_key(subject)?;
            let hasher = SubjectHasher::new(salt(&settings.salt_env)?)
                .with_context(|| format!("the salt in {} is unusable", settings.salt_env))?;
            hasher.query(&key)
        }
        AuditCommand::ByOfficer { officer } => {
            let officer = officer.trim();
            if officer.is_empty() {
                bail!("the officer identifier is empty");
            }
            AuditQuery::Officer(officer.to_owned())
        }
        AuditCommand::ByDossier { code } => {
            let code: dancu_core::DossierCode = code
                .parse()
                .with_context(|| format!("{:?} is not a dossier code", code.trim()))?;
            AuditQuery::Dossier(code.to_string())
        }
        AuditCommand::Between { from, to } => {
            let from = parse_instant(from, false).context("FROM")?;
            let to = parse_instant(to, true).context("TO")?;
            if to <= from {
                bail!("TO ({to}) must be later than FROM ({from})");
            }
            AuditQuery::Between(from, to)
        }
        AuditCommand::Purge { older_than } => {
            return purge(&settings, *older_than, args.json);
        }
    };
    let runtime = runtime()?;
    let sink = open(&settings, &runtime, false)?;
    let records = match runtime.block_on(sink.query(&query)) {
        Ok(records) => records,
        Err(AuditError::SaltMismatch) => bail!(
            "the salt in {} is not the one the audit trail {} was created with, so it \
             cannot tell who looked this citizen up: set {} to the trail's salt",
            settings.salt_env,
            settings.shown(),
            settings.salt_env
        ),
        Err(e) => return Err(anyhow::Error::new(e).context("cannot read the audit trail")),
    };
    let mut out = BufWriter::new(io::stdout().lock());
    if args.json {
        for r in &records {
            serde_json::to_writer(&mut out, &audit_record(r))?;
            out.write_all(b"\n")?;
        }
    } else {
        write_table(&mut out, &records)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn settings(args: &AuditArgs) -> anyhow::Result<Settings> {
    let (store, configured_salt_env) = match (&args.db, &args.config) {
        (Some(db), _) => (db_flag(db, args.password_env.as_deref())?, None),
        (None, Some(config)) => read_config(config)?,
        (None, None) => read_config(Path::new(DEFAULT_CONFIG))
            .context("no --db PATH or --config FILE given, and the default configuration")?,
    };
    let salt_env = args
        .salt_env
        .clone()
        .or(configured_salt_env)
        .unwrap_or_else(|| DEFAULT_SALT_ENV.to_owned());
    Ok(Settings { store, salt_env })
}

/// `--db`: a PostgreSQL URL, or a SQLite file.
fn db_flag(db: &str, password_env: Option<&str>) -> anyhow::Result<StoreLocation> {
    let mut table = toml::Table::new();
    let key = if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        "url"
    } else {
        "path"
    };
    table.insert(key.into(), db.into());
    if let Some(var) = password_env {
        table.insert("password_env".into(), var.into());
    }
    StoreLocation::from_table("--db", &table, Path::new(""))
        .map_err(anyhow::Error::msg)?
        .context("--db is empty")
}

/// Reads `[audit]` (`path` or `url`, and `salt_env`) from a configuration
/// file; a relative path is taken from the file's directory.
fn read_config(file: &Path) -> anyhow::Result<(StoreLocation, Option<String>)> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the configuration {}", file.display()))?;
    let table: toml::Table = text
        .parse()
        .with_context(|| format!("{} is not valid TOML", file.display()))?;
    let Some(audit) = table.get("audit") else {
        bail!("{} has no [audit] table", file.display());
    };
    let Some(audit) = audit.as_table() else {
        bail!("`audit` in {} is not a table", file.display());
    };
    let base = file.parent().unwrap_or_else(|| Path::new(""));
    let store = StoreLocation::from_table("[audit]", audit, base)
        .map_err(|e| anyhow::anyhow!("{e} (in {})", file.display()))?
        .with_context(|| {
            format!(
                "[audit] in {} has no `path` (a SQLite file) or `url` (a PostgreSQL database)",
                file.display()
            )
        })?;
    let salt_env = match audit.get("salt_env") {
        None => None,
        Some(toml::Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(_) => bail!(
            "[audit] salt_env in {} must be an environment variable name",
            file.display()
        ),
    };
    Ok((store, salt_env))
}

/// Opens the trail: a SQLite file read-only unless `write` (it must exist
/// either way); a PostgreSQL database that must hold a dancu trail (it is
/// never created here: `dancu db migrate` or `dancu serve` does that).
fn open(
    settings: &Settings,
    runtime: &tokio::runtime::Runtime,
    write: bool,
) -> anyhow::Result<Box<dyn AuditSink>> {
    match &settings.store {
        StoreLocation::Sqlite(db) => {
            check_exists(db)?;
            Ok(if write {
                Box::new(SqliteAuditSink::open(db)?)
            } else {
                Box::new(SqliteAuditSink::open_read_only(db)?)
            })
        }
        StoreLocation::Postgres(pg) => {
            let url: dancu_postgres::PostgresUrl = pg.url.parse()?;
            let options = dancu_serve::stores::connect_options("[audit]", pg, &|var: &str| {
                std::env::var(var).ok()
            })?;
            let db = dancu_postgres::Database::connect_unmigrated(&url, &options)?;
            let version = runtime.block_on(db.schema_version())?;
            if version == 0 {
                bail!(
                    "no dancu audit trail in the PostgreSQL database {url} (dancu db migrate creates one)"
                );
            }
            if version > dancu_postgres::SCHEMA_VERSION {
                bail!(
                    "the PostgreSQL database {url} has dancu schema version {version}; this dancu knows up to {}",
                    dancu_postgres::SCHEMA_VERSION
                );
            }
            let _entered = runtime.enter();
            Ok(Box::new(dancu_postgres::PgAuditSink::new(db)))
        }
    }
}

fn salt(var: &str) -> anyhow::Result<Secret> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Ok(Secret::new(v)),
        Ok(_) | Err(std::env::VarError::NotPresent) => bail!(
            "the audit salt is not set: set the environment variable {var} to the salt the \
             trail was written with"
        ),
        Err(std::env::VarError::NotUnicode(_)) => {
            bail!("the environment variable {var} is not valid UTF-8")
        }
    }
}

/// The lookup key of a subject; the number itself never appears in errors.
fn subject_key(input: &str) -> anyhow::Result<LookupKey> {
    match input.parse::<IdNumber>() {
        Ok(IdNumber::PersonalId(p)) => Ok(LookupKey::PersonalId(p)),
        Ok(IdNumber::Cmnd(c)) => Ok(LookupKey::Cmnd(c)),
        Ok(other) => bail!(
            "lookups are recorded by personal ID or CMND number, not by {}",
            other.kind()
        ),
        Err(e) => Err(anyhow::Error::new(e).context("the subject is not a valid ID number")),
    }
}

fn check_exists(db: &Path) -> anyhow::Result<()> {
    if !db.is_file() {
        bail!("no audit database at {}", db.display());
    }
    Ok(())
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn purge(settings: &Settings, days: u32, json: bool) -> anyhow::Result<ExitCode> {
    if days == 0 {
        bail!("--older-than must be at least 1 day");
    }
    let runtime = runtime()?;
    let sink = open(settings, &runtime, true)?;
    let cutoff = Timestamp::from_unix_millis(
        Timestamp::now()
            .unix_millis()
            .saturating_sub(i64::from(days).saturating_mul(DAY_MS)),
    );
    let purged = runtime
        .block_on(sink.purge_before(cutoff))
        .context("cannot purge the audit trail")?;
    drop(sink);
    let mut out = io::stdout().lock();
    if json {
        let line = serde_json::json!({ "purged": purged, "before": cutoff.to_string() });
        writeln!(out, "{line}")?;
    } else {
        writeln!(
            out,
            "purged {purged} audit record(s) of lookups started before {cutoff}"
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Parses RFC 3339 or a date (the start of that Vietnam day, or of the next
/// for the end of a range): [`Timestamp::parse_instant`].
fn parse_instant(input: &str, end_of_range: bool) -> anyhow::Result<Timestamp> {
    Ok(Timestamp::parse_instant(input, end_of_range)?)
}

fn write_table(out: &mut impl Write, records: &[AuditRecord]) -> io::Result<()> {
    if records.is_empty() {
        return writeln!(out, "no audit records");
    }
    let header = [
        "STARTED (UTC)",
        "OPERATION",
        "SUBJECT",
        "OUTCOME",
        "OFFICER",
        "CLIENT",
        "UNIT",
        "PROCEDURE",
        "DOSSIER",
        "GATEWAY",
        "REQUEST ID",
        "PURPOSE",
    ];
    let or_dash = |v: Option<&str>| v.unwrap_or("-").to_owned();
    let rows: Vec<[String; 12]> = records
        .iter()
        .map(|r| {
            let e = &r.entry;
            [
                e.started_at.to_string(),
                e.operation.as_str().to_owned(),
                match audit_record_subjects(r).as_slice() {
                    [] => e.subject.masked.to_string(),
                    others => format!("{} (record: {})", e.subject.masked, others.join(", ")),
                },
                r.completion
                    .as_ref()
                    .map_or_else(|| "PENDING".to_owned(), |c| c.outcome.clone()),
                e.officer.clone(),
                or_dash(e.client.as_deref()),
                or_dash(e.unit.as_deref()),
                e.procedure.clone(),
                or_dash(e.dossier.as_deref()),
                format!("{} ({})", e.gateway, e.channel),
                e.request_id.clone(),
                or_dash(e.purpose.as_deref()),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[&str]| {
        let mut s = String::new();
        let last = cells.len().saturating_sub(1);
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i == last {
                s.push_str(cell);
            } else {
                // Every width is at least its cells' (computed above).
                let pad = w.saturating_sub(cell.chars().count());
                let _ = write!(s, "{cell}{:pad$}  ", "");
            }
        }
        s
    };
    writeln!(out, "{}", line(&header))?;
    for row in &rows {
        writeln!(out, "{}", line(&row.each_ref().map(String::as_str)))?;
    }
    let pending = records.iter().filter(|r| r.completion.is_none()).count();
    writeln!(
        out,
        "{} record(s), {pending} pending (a pending record is a lookup that never completed)",
        records.len()
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn any_text_is_an_instant_or_an_error(s in "\\PC{0,40}", end: bool) {
            let _ = parse_instant(&s, end);
        }

        #[test]
        fn near_misses_are_an_instant_or_an_error(
            s in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,12})?([Zz]|[+-][0-9]{2}:[0-9]{2})?.?",
        ) {
            let _ = parse_instant(&s, false);
        }

        #[test]
        fn displayed_timestamps_parse_back(ms in -30_610_224_000_000i64..253_402_300_799_999) {
            let t = Timestamp::from_unix_millis(ms);
            prop_assert_eq!(parse_instant(&t.to_string(), false).ok(), Some(t));
        }
    }

    fn at(s: &str, end: bool) -> Option<String> {
        parse_instant(s, end).ok().map(|t| t.to_string())
    }

    #[test]
    fn instants() {
        assert_eq!(
            at("2026-11-27T08:00:00Z", false).as_deref(),
            Some("2026-11-27T08:00:00.000Z")
        );
        assert_eq!(
            at("2026-11-27t15:00:00.1234+07:00", true).as_deref(),
            Some("2026-11-27T08:00:00.123Z")
        );
        assert_eq!(
            at("2026-11-27 01:30:00-02:30", false).as_deref(),
            Some("2026-11-27T04:00:00.000Z")
        );
        // A date is a Vietnam day; as an end it includes the whole day.
        assert_eq!(
            at("2026-11-27", false).as_deref(),
            Some("2026-11-26T17:00:00.000Z")
        );
        assert_eq!(
            at("2026-11-27", true).as_deref(),
            Some("2026-11-27T17:00:00.000Z")
        );
        for bad in [
            "",
            "2026-11-27T08:00:00",
            "2026-11-27T24:00:00Z",
            "2026-11-27T08:00:00.Z",
            "2026-11-27T08:00:00+0700",
            "2026-02-30T08:00:00Z",
            "2026-11-27T0８:00:00Z",
            "27/11/2026",
            "2026-11-27T08:00:00Zjunk",
        ] {
            assert_eq!(at(bad, false), None, "{bad:?}");
        }
    }
}
