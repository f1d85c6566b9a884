//! `dancu`: verify citizens against Vietnam's National Population Database
//! from one-stop systems, and inspect the identity data they carry.
//!
//! The binary stays thin: every rule lives in the library crates.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod audit_cmd;
mod id_cmd;

/// dancu: check citizens against the National Population Database.
#[derive(Debug, Parser)]
#[command(name = "dancu", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Inspect identity numbers (CCCD/personal ID, CMND, passport, tax code).
    Id(id_cmd::IdArgs),
    /// Read the audit trail: who looked a citizen up, by officer, by
    /// dossier, by time; purge old records.
    Audit(audit_cmd::AuditArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Id(args) => id_cmd::run(args),
        Command::Audit(args) => audit_cmd::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // A broken pipe (`dancu … | head`) is a normal way to stop.
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("dancu: {e:#}");
            ExitCode::from(2)
        }
    }
}
