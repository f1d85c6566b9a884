//! `dancu`: verify citizens against Vietnam's National Population Database
//! from one-stop systems, and inspect the identity data they carry.
//!
//! The binary stays thin: every rule lives in the library crates.

// Nothing from the network, a file or the command line may panic the binary:
// no unwrap, expect or panic outside tests (clippy, under `-D warnings` in CI).
// No arithmetic that can overflow either: checked or saturating operations,
// or an `allow` that states the bound.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::arithmetic_side_effects
    )
)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod address_cmd;
mod audit_cmd;
mod convert_file;
mod db_cmd;
mod demo;
mod id_cmd;
mod lines;
mod sandbox_cmd;
mod serve_cmd;
mod verify_cmd;

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
    /// Administrative units of both eras: resolve addresses, convert codes.
    Address(address_cmd::AddressArgs),
    /// A local population-DB gateway simulator with synthetic citizens.
    Sandbox(sandbox_cmd::SandboxArgs),
    /// Check a citizen against the population database through a gateway.
    Verify(verify_cmd::VerifyArgs),
    /// Run the intake flows end to end against an in-process sandbox.
    Demo(demo::DemoArgs),
    /// Read the audit trail: who looked a citizen up, by officer, by
    /// dossier, by time; purge old records.
    Audit(audit_cmd::AuditArgs),
    /// The stores' databases: apply schema migrations.
    Db(db_cmd::DbArgs),
    /// Serve identity, address, lookup, audit and dossier-code endpoints
    /// over HTTP for one-stop systems in any language.
    Serve(serve_cmd::ServeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `dancu serve` always logs (one line per request), in its own format.
    if !matches!(cli.command, Command::Serve(_)) {
        init_logging();
    }
    let result = match cli.command {
        Command::Id(args) => id_cmd::run(args),
        Command::Address(args) => address_cmd::run(args),
        Command::Sandbox(args) => sandbox_cmd::run(args),
        Command::Verify(args) => verify_cmd::run(args),
        Command::Demo(args) => demo::run(&args),
        Command::Audit(args) => audit_cmd::run(args),
        Command::Db(args) => db_cmd::run(args),
        Command::Serve(args) => serve_cmd::run_serve(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // A broken pipe (`dancu … | head`) is a normal way to stop.
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("dancu: {e:#}");
            // Usage and configuration errors are 2; any other failure
            // before an outcome (a file that cannot be opened…) too.
            ExitCode::from(2)
        }
    }
}

/// Whether an error is a closed standard output (`dancu … | head`).
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            .or_else(|| {
                cause
                    .downcast_ref::<serde_json::Error>()
                    .and_then(serde_json::Error::io_error_kind)
            })
            == Some(std::io::ErrorKind::BrokenPipe)
    })
}

/// Logs to standard error when `DANCU_LOG` is set (a tracing filter such as
/// `debug` or `dancu_popdb=trace`). Log lines never carry ID numbers,
/// names, birth dates or secrets.
fn init_logging() {
    if let Ok(filter) = std::env::var("DANCU_LOG") {
        let filter = tracing_subscriber::EnvFilter::try_new(filter)
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .try_init();
    }
}
