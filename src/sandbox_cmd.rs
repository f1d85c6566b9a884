//! `dancu sandbox`: serve the local population-DB simulator, or export its
//! synthetic population.

use std::io::{self, BufWriter, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use dancu_sandbox::Population;
use dancu_sandbox::export::citizen_json;
use dancu_sandbox::faults::Faults;
use dancu_sandbox::server::{Dialects, Sandbox, SandboxConfig};

use crate::verify_cmd::UsageError;

/// `dancu sandbox …`
#[derive(Debug, Args)]
pub(crate) struct SandboxArgs {
    #[command(subcommand)]
    command: SandboxCommand,
}

#[derive(Debug, Subcommand)]
enum SandboxCommand {
    /// Serve the three gateway channels on loopback until interrupted.
    /// The first line on stdout is a JSON object with the base URL and each
    /// channel's settings.
    Serve(ServeArgs),
    /// Write the synthetic population as JSON Lines, one citizen per line.
    Export(ExportArgs),
}

#[derive(Debug, Args)]
struct PopulationArgs {
    /// Population seed: the same seed gives the same citizens.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of citizens (at most 10,000,000).
    #[arg(long, default_value_t = 10_000, value_parser = citizens)]
    citizens: usize,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on, `HOST:PORT` (a name such as `localhost` is
    /// resolved; port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:0", value_name = "HOST:PORT")]
    addr: String,
    #[command(flatten)]
    population: PopulationArgs,
    /// Faults to inject from the start (TOML or JSON; see the README).
    #[arg(long, value_name = "FILE")]
    faults: Option<PathBuf>,
    /// The dialect a channel speaks, as `<channel>=<preset>` (repeatable):
    /// e.g. `lgsp=opencps_lgsp`, `c06=c06_php`, `provincial_json=tandan_json`.
    #[arg(long = "dialect", value_name = "CHANNEL=PRESET")]
    dialects: Vec<String>,
    /// Settings (TOML or JSON): a `dialect` table of `channel = "preset"`;
    /// `--dialect` overrides it.
    #[arg(long, value_name = "FILE")]
    settings: Option<PathBuf>,
    /// Write a dancu.toml that `dancu verify` can use against this sandbox
    /// (an existing file is kept unless `--force`).
    #[arg(long, value_name = "PATH")]
    write_config: Option<PathBuf>,
    /// Let `--write-config` overwrite an existing file.
    #[arg(long, requires = "write_config")]
    force: bool,
}

#[derive(Debug, Args)]
struct ExportArgs {
    #[command(flatten)]
    population: PopulationArgs,
}

pub(crate) fn run(args: SandboxArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        SandboxCommand::Serve(a) => serve(a),
        SandboxCommand::Export(a) => export(&a),
    }
}

/// The address to listen on: `HOST:PORT` resolved, an IPv4 loopback
/// address first when the name has several (`localhost`).
fn listen_address(addr: &str) -> anyhow::Result<SocketAddr> {
    let mut found: Vec<SocketAddr> = addr
        .to_socket_addrs()
        .map_err(|e| UsageError(format!("--addr {addr}: {e} (expected HOST:PORT)")))?
        .collect();
    found.sort_by_key(|a| (!a.ip().is_loopback(), !a.is_ipv4()));
    found
        .first()
        .copied()
        .ok_or_else(|| UsageError(format!("--addr {addr}: the name has no address")).into())
}

/// Writes the configuration, keeping an existing file unless `force`.
fn write_config(path: &Path, text: &str, force: bool) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == io::ErrorKind::AlreadyExists {
            anyhow::Error::new(UsageError(format!(
                "--write-config: {} exists; pass --force to overwrite it",
                path.display()
            )))
        } else {
            anyhow::Error::new(e).context(format!("writing {}", path.display()))
        }
    })?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let addr = listen_address(&args.addr)?;
    if let Some(path) = &args.write_config
        && path.exists()
        && !args.force
    {
        return Err(UsageError(format!(
            "--write-config: {} exists; pass --force to overwrite it",
            path.display()
        ))
        .into());
    }
    if !addr.ip().is_loopback() {
        eprintln!("dancu: warning: serving synthetic data on a non-loopback address ({addr})");
    }
    let faults = match &args.faults {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            Faults::parse(&text).with_context(|| format!("in {}", path.display()))?
        }
        None => Faults::default(),
    };
    let mut dialects = match &args.settings {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            Dialects::parse_settings(&text)
                .map_err(|e| UsageError(format!("{}: {e}", path.display())))?
        }
        None => Dialects::default(),
    };
    for d in &args.dialects {
        dialects
            .apply(d)
            .map_err(|e| UsageError(format!("--dialect {d}: {e}")))?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let sandbox = Sandbox::start(SandboxConfig {
            addr,
            seed: args.population.seed,
            citizens: args.population.citizens,
            faults,
            dialects,
            ..SandboxConfig::default()
        })
        .await
        .with_context(|| format!("listening on {addr}"))?;
        let stop = shutdown_signal().context("listening for Ctrl-C and SIGTERM")?;
        if let Some(path) = &args.write_config {
            // Relative to the config file: the audit trail sits beside it.
            write_config(path, &sandbox.config_toml("dancu-audit.sqlite"), args.force)?;
        }
        {
            let mut out = io::stdout().lock();
            writeln!(out, "{}", sandbox.channels())?;
            out.flush()?;
        }
        let d = sandbox.dialects();
        eprintln!(
            "dancu sandbox: {} synthetic citizens (seed {}) at {} (dialects: lgsp={}, c06={}, provincial_json={}); Ctrl-C to stop",
            sandbox.population().len(),
            args.population.seed,
            sandbox.base_url(),
            d.lgsp,
            d.c06,
            d.provincial_json
        );
        stop.await;
        sandbox.shutdown().await.context("shutting down")?;
        eprintln!("dancu sandbox: stopped");
        Ok(ExitCode::SUCCESS)
    })
}

/// Registers the stop signals (Ctrl-C, and SIGTERM on Unix) and gives the
/// future that ends when one arrives. Called before the first line is
/// printed, so a signal sent as soon as that line is read stops the sandbox
/// cleanly rather than killing it.
fn shutdown_signal() -> io::Result<impl Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

fn export(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let population = Population::generate(args.population.seed, args.population.citizens);
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    for i in 0..population.len() {
        let line = citizen_json(&population, i as u32);
        serde_json::to_writer(&mut out, &line)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `--citizens`: a count up to the sandbox's maximum.
fn citizens(text: &str) -> Result<usize, String> {
    let max = dancu_sandbox::population::MAX_CITIZENS;
    match text.trim().parse::<u64>() {
        Ok(n) if n <= max as u64 => usize::try_from(n).map_err(|_| format!("at most {max}")),
        Ok(_) => Err(format!("at most {max} citizens")),
        Err(_) => Err("expected a number of citizens".to_owned()),
    }
}
