//! `dancu db migrate`: bring every store `dancu.toml` names to this
//! build's schema, explicitly (`dancu serve` does it when it starts).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use dancu_popdb::config::StoreLocation;

/// `dancu db …`
#[derive(Debug, Args)]
pub(crate) struct DbArgs {
    #[command(subcommand)]
    command: DbCommand,
}

#[derive(Debug, Subcommand)]
enum DbCommand {
    /// Apply the schema migrations each store of `[audit]` and `[dossiers]`
    /// lacks: a PostgreSQL database (`url`) or a SQLite file (`path`).
    Migrate {
        /// The configuration file.
        #[arg(long, value_name = "FILE", default_value = "dancu.toml")]
        config: PathBuf,
    },
}

pub(crate) fn run(args: DbArgs) -> anyhow::Result<ExitCode> {
    let DbCommand::Migrate { config } = args.command;
    let text = std::fs::read_to_string(&config)
        .with_context(|| format!("cannot read the configuration {}", config.display()))?;
    let table: toml::Table = text
        .parse()
        .with_context(|| format!("{} is not valid TOML", config.display()))?;
    let base = config.parent().unwrap_or_else(|| Path::new(""));
    let mut stores = Vec::new();
    for (name, at) in [("audit", "[audit]"), ("dossiers", "[dossiers]")] {
        let Some(t) = table.get(name) else { continue };
        let Some(t) = t.as_table() else {
            bail!("`{name}` in {} is not a table", config.display());
        };
        if let Some(location) = StoreLocation::from_table(at, t, base)
            .map_err(|e| anyhow::anyhow!("{e} (in {})", config.display()))?
        {
            stores.push((at, location));
        }
    }
    if stores.is_empty() {
        bail!(
            "{} names no store: no `path` or `url` in [audit] or [dossiers]",
            config.display()
        );
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let env = |v: &str| std::env::var(v).ok();
    for (at, location) in stores {
        match &location {
            StoreLocation::Postgres(pg) => {
                let db = runtime.block_on(dancu_serve::stores::connect_postgres(at, pg, &env))?;
                // `connect` applied what was missing; report where it stands.
                let version = runtime.block_on(db.schema_version())?;
                println!("{at} {}: PostgreSQL schema version {version}", pg.url);
            }
            StoreLocation::Sqlite(path) => {
                // Opening a SQLite store migrates it.
                if at == "[audit]" {
                    dancu_popdb::audit::SqliteAuditSink::open(path)
                        .with_context(|| format!("{at} {}", path.display()))?;
                } else {
                    dancu_dossier_sqlite::SqliteDossierStore::open(path)
                        .with_context(|| format!("{at} {}", path.display()))?;
                }
                println!("{at} {}: SQLite schema up to date", path.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
