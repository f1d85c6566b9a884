//! Listening: loopback by default, any other address only over TLS or with
//! `allow_plain_http`; graceful shutdown on SIGTERM or Ctrl-C.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use dancu_http::{ServerLimits, TlsAcceptor};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;

use crate::error::ServeError;
use crate::settings::TlsFiles;
use crate::state::Service;

/// Where the service listens, once it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Listening {
    /// The bound address (the port chosen, for `:0`).
    pub addr: SocketAddr,
    /// Whether it speaks TLS.
    pub tls: bool,
}

impl Listening {
    /// `http://addr` or `https://addr`.
    #[must_use]
    pub fn url(&self) -> String {
        format!(
            "{}://{}",
            if self.tls { "https" } else { "http" },
            self.addr
        )
    }
}

fn tls_acceptor(files: &TlsFiles) -> Result<TlsAcceptor, ServeError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.cert)
        .and_then(Iterator::collect)
        .map_err(|e| ServeError::Tls(format!("{}: {e}", files.cert.display())))?;
    if certs.is_empty() {
        return Err(ServeError::Tls(format!(
            "{}: no certificate in the file",
            files.cert.display()
        )));
    }
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .map_err(|e| ServeError::Tls(format!("{}: {e}", files.key.display())))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| ServeError::Tls(e.to_string()))?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .map_err(|e| ServeError::Tls(format!("the certificate and key: {e}")))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Binds `addr` (or `[serve] addr`), checking the listening rule, and
/// serves until `stop` resolves; `listening` is told the address first.
/// Requests in flight then finish (their audit records too) within the
/// shutdown grace.
///
/// # Errors
///
/// [`ServeError`]: a non-loopback address without TLS or
/// `allow_plain_http`, unusable TLS files, an address that cannot be bound.
pub async fn run(
    service: Service,
    addr: Option<SocketAddr>,
    listening: impl FnOnce(Listening),
    stop: impl Future<Output = ()>,
) -> Result<(), ServeError> {
    let s = service.settings().clone();
    let addr = addr.unwrap_or(s.addr);
    let tls = s.tls.as_ref().map(tls_acceptor).transpose()?;
    if !addr.ip().is_loopback() && tls.is_none() && !s.allow_plain_http {
        return Err(ServeError::Config(format!(
            "{addr} is not a loopback address: configure [serve.tls] cert and key, or set \
             [serve] allow_plain_http = true behind a proxy that terminates TLS"
        )));
    }
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Listen { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| ServeError::Listen { addr, source })?;
    listening(Listening {
        addr: bound,
        tls: tls.is_some(),
    });
    let limits = ServerLimits {
        max_connections: s.max_connections,
        shutdown_grace: s.shutdown_grace,
        ..ServerLimits::default()
    };
    let app = service.router();
    dancu_http::serve(listener, app, limits, tls, stop)
        .await
        .map_err(|source| ServeError::Listen {
            addr: bound,
            source,
        })?;
    tracing::info!("stopped: requests in flight finished");
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C (SIGINT).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("shutting down: no new connections, finishing requests in flight");
}
