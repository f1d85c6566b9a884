//! `dancu serve`: the HTTP service for one-stop systems written in other
//! languages (see the `dancu-serve` crate).

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use dancu_serve::{Service, run, shutdown_signal};

use crate::verify_cmd::UsageError;

/// `dancu serve …`
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The configuration: gateways, `[audit]`, `[serve]` (clients, TLS,
    /// limits) and optionally `[dossiers]`.
    #[arg(long, value_name = "FILE", default_value = "dancu.toml")]
    config: PathBuf,
    /// Listen here instead of `[serve] addr`, `HOST:PORT` (port 0: any
    /// free port). Anything but loopback needs `[serve.tls]` or
    /// `allow_plain_http`.
    #[arg(long, value_name = "HOST:PORT")]
    addr: Option<String>,
    /// The log format on standard error: one line per request.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for a log collector.
    Json,
}

/// Logs at `info` (or the `DANCU_LOG` filter) to standard error. The
/// request lines never carry ID numbers, names, birth dates or keys.
fn init_logging(format: LogFormat) {
    let filter = std::env::var("DANCU_LOG")
        .ok()
        .and_then(|f| tracing_subscriber::EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

fn parse_addr(text: &str) -> anyhow::Result<SocketAddr> {
    text.to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| UsageError(format!("--addr {text:?}: not HOST:PORT")).into())
}

pub(crate) fn run_serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    init_logging(args.log_format);
    let addr = args.addr.as_deref().map(parse_addr).transpose()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let service = Service::open_config(&args.config).await?;
        run(
            service,
            addr,
            |at| eprintln!("dancu serve: listening on {}", at.url()),
            shutdown_signal(),
        )
        .await
    })?;
    Ok(ExitCode::SUCCESS)
}
