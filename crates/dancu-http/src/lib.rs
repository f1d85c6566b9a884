//! The HTTP server loop dancu's sandbox and its integration service share:
//! a cap on open connections, a deadline for a request's headers and a
//! middleware bounding its body in time and size, optional TLS, and a grace
//! period at shutdown after which the connections still open are dropped. A
//! slow or stalled client holds at most one connection slot, for a bounded
//! time.

// Nothing from the network may panic this crate: no unwrap, expect or panic
// outside tests (clippy, under `-D warnings` in CI).
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

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

pub use tokio_rustls::TlsAcceptor;

/// How long clients may take, and how many may be connected at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerLimits {
    /// Open connections at most; further clients wait in the listen backlog
    /// until one closes (default 1,024).
    pub max_connections: usize,
    /// From a connection's first byte (or the end of its previous request)
    /// to the end of a request's headers, TLS handshake included (default
    /// 10 s); then the connection is closed.
    pub header_read_timeout: Duration,
    /// From the end of the headers to the end of the body (default 30 s);
    /// then `408 Request Timeout` and the connection is closed.
    pub body_read_timeout: Duration,
    /// How long shutdown waits for requests in flight before it drops the
    /// connections still open (default 5 s).
    pub shutdown_grace: Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

/// Why a request body was refused by [`read_body_within`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyRejection {
    /// The body is larger than the limit (`413`).
    TooLarge {
        /// The limit, in bytes.
        max_bytes: usize,
    },
    /// The body did not arrive within the deadline (`408`).
    TooSlow,
}

impl BodyRejection {
    /// The status the rejection is answered with.
    #[must_use]
    pub const fn status(self) -> StatusCode {
        match self {
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooSlow => StatusCode::REQUEST_TIMEOUT,
        }
    }

    /// A plain-text answer closing the connection.
    #[must_use]
    pub fn plain_response(self) -> Response {
        (
            self.status(),
            [(header::CONNECTION, "close")],
            self.to_string(),
        )
            .into_response()
    }
}

impl fmt::Display for BodyRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { max_bytes } => write!(
                f,
                "the request body is larger than {}",
                human_bytes(*max_bytes)
            ),
            Self::TooSlow => f.write_str("the request body did not arrive in time"),
        }
    }
}

fn human_bytes(n: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= 1024 && n.is_multiple_of(1024) {
        format!("{} KiB", n / 1024)
    } else {
        format!("{n} bytes")
    }
}

/// How much body a request may carry, and how long it may take to arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BodyLimit {
    /// The largest body read, in bytes.
    pub max_bytes: usize,
    /// From the end of the headers to the end of the body.
    pub deadline: Duration,
}

/// Reads the whole body within `limit`, before any handler runs: a client
/// that stops sending, or sends too much, gets `reject`'s answer (which
/// should close the connection: the rest of the body is never read).
pub async fn read_body_within(
    limit: BodyLimit,
    reject: fn(BodyRejection) -> Response,
    req: Request,
    next: Next,
) -> Response {
    let (parts, body) = req.into_parts();
    match tokio::time::timeout(limit.deadline, axum::body::to_bytes(body, limit.max_bytes)).await {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Ok(Err(_)) => closing(reject(BodyRejection::TooLarge {
            max_bytes: limit.max_bytes,
        })),
        Err(_) => closing(reject(BodyRejection::TooSlow)),
    }
}

fn closing(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    response
}

/// A source of accepted connections.
pub trait Accept {
    /// The next connection to serve.
    fn accept(&mut self) -> impl Future<Output = (TcpStream, SocketAddr)> + Send;
}

impl Accept for TcpListener {
    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            match TcpListener::accept(self).await {
                Ok((stream, addr)) => {
                    let _ = stream.set_nodelay(true);
                    return (stream, addr);
                }
                // Out of file descriptors, or a connection reset before it
                // was accepted: wait a moment rather than spin.
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }
}

/// Serves `app` on connections from `listener` (over TLS when `tls` is
/// given) until `stop` resolves, then waits up to the grace period for the
/// requests in flight and drops what is still open.
///
/// # Errors
///
/// Only when the connection slots cannot be taken (never in practice).
pub async fn serve(
    mut listener: impl Accept,
    app: Router,
    limits: ServerLimits,
    tls: Option<TlsAcceptor>,
    stop: impl Future<Output = ()>,
) -> io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let http = Arc::new(http);
    let mut connections = JoinSet::new();
    tokio::pin!(stop);
    loop {
        // Finished connections are reaped as we go: the set stays as large
        // as the connections open.
        while connections.try_join_next().is_some() {}
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => slot.map_err(io::Error::other)?,
            () = &mut stop => break,
        };
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut stop => break,
        };
        let service = TowerToHyperService::new(app.clone());
        match &tls {
            None => {
                let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
                connections.spawn(async move {
                    let _ = conn.await;
                    drop(slot);
                });
            }
            Some(tls) => {
                // The handshake runs in the connection's task, bounded by the
                // header deadline: a silent client cannot stall the loop.
                let (tls, http, watcher) = (tls.clone(), Arc::clone(&http), graceful.watcher());
                connections.spawn(async move {
                    let handshake =
                        tokio::time::timeout(limits.header_read_timeout, tls.accept(stream)).await;
                    if let Ok(Ok(stream)) = handshake {
                        let conn =
                            watcher.watch(http.serve_connection(TokioIo::new(stream), service));
                        let _ = conn.await;
                    }
                    drop(slot);
                });
            }
        }
    }
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::info!("shutdown grace over: dropping open connections");
        }
    }
    connections.abort_all();
    while connections.join_next().await.is_some() {}
    Ok(())
}
