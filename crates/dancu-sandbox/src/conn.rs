//! The sandbox's HTTP server loop: a cap on open connections, a deadline
//! for a request's headers and one for its body, and a grace period at
//! shutdown after which the connections still open are dropped. A slow or
//! stalled client holds at most one connection slot, for a bounded time.

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
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// How long clients may take, and how many may be connected at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerLimits {
    /// Open connections at most; further clients wait in the listen backlog
    /// until one closes (default 1,024).
    pub max_connections: usize,
    /// From a connection's first byte (or the end of its previous request)
    /// to the end of a request's headers (default 10 s); then the
    /// connection is closed.
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

/// The largest request body the sandbox reads (a real request is a few
/// kilobytes; axum's default limit).
pub(crate) const MAX_BODY: usize = 2 * 1024 * 1024;

/// Reads the whole body within `limit`, before any handler runs: a client
/// that stops sending gets `408`, one that sends too much gets `413`.
pub(crate) async fn read_body_within(limit: Duration, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    match tokio::time::timeout(limit, axum::body::to_bytes(body, MAX_BODY)).await {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Ok(Err(_)) => closing(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the request body is larger than 2 MiB",
        ),
        Err(_) => closing(
            StatusCode::REQUEST_TIMEOUT,
            "the request body did not arrive in time",
        ),
    }
}

fn closing(status: StatusCode, text: &'static str) -> Response {
    (status, [(header::CONNECTION, "close")], text).into_response()
}

/// A source of accepted connections.
pub(crate) trait Accept {
    /// The next connection to serve.
    fn accept(&mut self) -> impl Future<Output = (TcpStream, SocketAddr)> + Send;
}

/// Serves `app` on connections from `listener` until `stop` resolves, then
/// waits up to the grace period and drops what is still open.
pub(crate) async fn serve(
    mut listener: impl Accept,
    app: Router,
    limits: ServerLimits,
    stop: impl Future<Output = ()>,
) -> io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
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
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        connections.spawn(async move {
            let _ = conn.await;
            drop(slot);
        });
    }
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::info!(open = connections.len(), "shutdown grace over: dropping open connections");
        }
    }
    connections.abort_all();
    while connections.join_next().await.is_some() {}
    Ok(())
}
