//! The routes, and what every request goes through: a request id, one log
//! line, the counters, a deadline, and problems for every refusal.

mod address;
mod audit;
mod citizens;
mod console;
mod dossiers;
mod identity;

pub(crate) use address::ResolveRequest;
pub(crate) use audit::SubjectQuery;
pub(crate) use citizens::{LookupRequest, Officer};
pub(crate) use dossiers::DossierCodeRequest;
pub(crate) use identity::InspectRequest;

use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use dancu_core::registry::RequestId;
use dancu_http::{BodyLimit, BodyRejection, read_body_within};
use serde::de::DeserializeOwned;

use crate::clients::{Client, Denied, Scope};
use crate::problem::{Problem, Unstamped};
use crate::state::{Service, Shared};

/// The header carrying the request id, in both directions.
pub(crate) const REQUEST_ID: &str = "x-request-id";

/// What the middleware knows of a request, for its handler: the request
/// id, and a slot for the client's name (for the log line).
#[derive(Clone, Debug)]
pub(crate) struct Tag {
    pub(crate) request_id: RequestId,
    client: Arc<OnceLock<String>>,
}

pub(crate) fn router(service: Service) -> Router {
    let shared = Arc::clone(&service.shared);
    let limit = BodyLimit {
        max_bytes: shared.settings.max_body_bytes,
        deadline: Duration::from_secs(30),
    };
    let v1 = Router::new()
        .route("/v1/identity/inspect", post(identity::inspect))
        .route("/v1/addresses/resolve", post(address::resolve_route))
        .route("/v1/units/legacy/{code}", get(address::legacy_unit))
        .route("/v1/units/2025/{code}", get(address::unit_2025))
        .route(
            "/v1/units/legacy/{code}/successors",
            get(address::successors),
        )
        .route(
            "/v1/units/2025/{code}/predecessors",
            get(address::predecessors),
        )
        .route("/v1/citizens/lookup", post(citizens::lookup))
        .route("/v1/citizens/check", post(citizens::check))
        .route("/v1/audit", get(audit::between))
        .route("/v1/audit/subjects", post(audit::subject_post))
        .route("/v1/audit/subjects/{id}", get(audit::subject))
        .route("/v1/audit/officers/{officer}", get(audit::officer))
        .route("/v1/audit/dossiers/{code}", get(audit::dossier))
        .route("/v1/dossier-codes", post(dossiers::issue));
    let mut routes = Router::new().merge(v1);
    if shared.settings.console.enabled {
        routes = routes
            .route("/console", get(console::redirect))
            .route("/console/", get(console::index))
            .route("/console/settings.json", get(console::settings))
            .route("/console/{file}", get(console::file));
    }
    routes
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(
            move |req: Request, next: Next| read_body_within(limit, body_problem, req, next),
        ))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&shared),
            around,
        ))
        .with_state(shared)
}

fn body_problem(r: BodyRejection) -> Response {
    let code = match r {
        BodyRejection::TooLarge { .. } => "body_too_large",
        BodyRejection::TooSlow => "body_timeout",
    };
    Problem::new(r.status(), code, r.to_string()).into_response()
}

/// Every request: its id (the caller's `X-Request-Id` when it is a UUID),
/// a deadline, the id stamped on problems and echoed, one log line, the
/// counters.
async fn around(State(shared): State<Arc<Shared>>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route: &'static str = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| route_name(p.as_str()));
    let method = req.method().clone();
    let given = req.headers().get(REQUEST_ID).cloned();
    let request_id = match given
        .as_ref()
        .map(|v| v.to_str().map(str::parse::<RequestId>))
    {
        None => Ok(RequestId::generate()),
        Some(Ok(Ok(id))) => Ok(id),
        Some(_) => Err(()),
    };
    let tag = Tag {
        request_id: request_id.unwrap_or_else(|()| RequestId::generate()),
        client: Arc::default(),
    };
    let id_text = tag.request_id.to_string();
    let mut response = if request_id.is_err() {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid_request_id",
            "X-Request-Id must be a UUID (e.g. 0b6f3d1e-8c1a-4d7e-9f59-2f6a1c2b3d4e)",
        )
        .with_field("X-Request-Id")
        .into_response()
    } else {
        req.extensions_mut().insert(tag.clone());
        // Lookups carry their own deadline (the same), and answer
        // `timed_out` themselves; this one is for everything else.
        let deadline = shared
            .settings
            .request_timeout
            .saturating_add(Duration::from_secs(2));
        match tokio::time::timeout(deadline, next.run(req)).await {
            Ok(r) => r,
            Err(_) => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "timed_out",
                "the request did not finish within the deadline",
            )
            .into_response(),
        }
    };
    if let Some(Unstamped(p)) = response.extensions_mut().remove::<Unstamped>() {
        let headers = response.headers().clone();
        response = p.with_request_id(&id_text).into_response();
        for (k, v) in &headers {
            response.headers_mut().insert(k, v.clone());
        }
    }
    if let Ok(v) = HeaderValue::from_str(&id_text) {
        response.headers_mut().insert(REQUEST_ID, v);
    }
    let status = response.status().as_u16();
    shared.metrics.request(route, status);
    let client = tag.client.get().map_or("-", String::as_str);
    tracing::info!(
        target: "dancu_serve::request",
        method = %method,
        route,
        status,
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        client,
        request_id = %id_text,
        "request"
    );
    response
}

/// The route template as a `'static` label (known routes only).
fn route_name(path: &str) -> &'static str {
    const ROUTES: &[&str] = &[
        "/v1/identity/inspect",
        "/v1/addresses/resolve",
        "/v1/units/legacy/{code}",
        "/v1/units/2025/{code}",
        "/v1/units/legacy/{code}/successors",
        "/v1/units/2025/{code}/predecessors",
        "/v1/citizens/lookup",
        "/v1/citizens/check",
        "/v1/audit",
        "/v1/audit/subjects",
        "/v1/audit/subjects/{id}",
        "/v1/audit/officers/{officer}",
        "/v1/audit/dossiers/{code}",
        "/v1/dossier-codes",
        "/healthz",
        "/readyz",
        "/metrics",
        "/openapi.json",
        "/console",
        "/console/",
        "/console/settings.json",
        "/console/{file}",
    ];
    ROUTES
        .iter()
        .find(|r| **r == path)
        .copied()
        .unwrap_or("unmatched")
}

/// Lets in the client whose key the request carries, if it has `scope`
/// and is under its rate.
pub(crate) fn authorize<'a>(
    shared: &'a Shared,
    tag: &Tag,
    headers: &HeaderMap,
    scope: Scope,
) -> Result<&'a Client, Problem> {
    match shared.clients.authorize(headers, scope) {
        Ok(client) => {
            let _ = tag.client.set(client.name().to_owned());
            Ok(client)
        }
        Err(Denied::Unauthenticated) => {
            shared.metrics.refused("unauthenticated", "-");
            Err(Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "a client key is required: send `Authorization: Bearer <key>`",
            ))
        }
        Err(Denied::Forbidden(scope)) => {
            let name = known_client(shared, headers);
            shared.metrics.refused("forbidden", &name);
            let _ = tag.client.set(name);
            Err(Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!(
                    "this client key does not have the `{}` scope",
                    scope.as_str()
                ),
            ))
        }
        Err(Denied::RateLimited(wait)) => {
            let name = known_client(shared, headers);
            shared.metrics.refused("rate_limited", &name);
            let _ = tag.client.set(name);
            Err(Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "this client is over its rate limit",
            )
            .with_retry_after(wait))
        }
    }
}

/// The name of the client a key belongs to, scopes and rate aside.
fn known_client(shared: &Shared, headers: &HeaderMap) -> String {
    shared
        .clients
        .identify(headers)
        .map_or_else(|| "-".to_owned(), |c| c.name().to_owned())
}

/// Reads a JSON body into `T`. Errors say where, never what was sent (it may
/// be an ID number or a name).
pub(crate) fn json_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<T, Problem> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(dancu_wire::media::is_json);
    if !is_json {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "the body must be JSON, sent with `Content-Type: application/json`",
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        let at = format!("line {}, column {}", e.line(), e.column());
        match e.classify() {
            serde_json::error::Category::Data => {
                let msg = e.to_string();
                // Missing and unknown fields are named; other type errors
                // would quote the value, so only the place is said.
                let field = ["missing field `", "unknown field `"]
                    .iter()
                    .find_map(|p| msg.strip_prefix(p))
                    .and_then(|rest| rest.split('`').next())
                    .filter(|f| f.len() <= 40);
                match field {
                    Some(f) if msg.starts_with("missing") => {
                        Problem::invalid(f, format!("the field `{f}` is required"))
                    }
                    Some(f) => Problem::invalid(f, format!("the field `{f}` is not known")),
                    None => Problem::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid_input",
                        format!("a value has the wrong type or form ({at})"),
                    ),
                }
            }
            _ => Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                format!("the body is not valid JSON ({at})"),
            ),
        }
    })
}

/// A JSON answer from bytes already serialised.
pub(crate) fn json_bytes(status: StatusCode, body: Vec<u8>) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// A JSON answer.
pub(crate) fn json_value(status: StatusCode, value: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => json_bytes(status, body),
        Err(_) => Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the answer could not be written",
        )
        .into_response(),
    }
}

async fn healthz() -> Response {
    json_value(StatusCode::OK, &serde_json::json!({ "status": "ok" }))
}

async fn readyz(State(shared): State<Arc<Shared>>) -> Response {
    let mut audit_ok = shared.audit_ok.load(Ordering::Relaxed);
    let mut audit = if audit_ok {
        "ok".to_owned()
    } else {
        "failing: the last audit write failed, lookups are refused".to_owned()
    };
    let mut dossiers = if shared.dossiers.is_some() {
        "ok".to_owned()
    } else {
        "not configured".to_owned()
    };
    // A PostgreSQL store is asked whether it answers now: when it does
    // not, no lookup can be audited (or no code issued), so the instance
    // is not ready.
    let mut dossiers_ok = true;
    let mut quota = "local to this instance".to_owned();
    let mut quota_ok = true;
    for (store, db) in &shared.databases {
        let answered = tokio::time::timeout(READYZ_DB_TIMEOUT, db.ping()).await;
        let failure = match answered {
            Ok(Ok(())) => {
                if *store == "audit" && !audit_ok {
                    // The database answers again: the trail is given its
                    // chance (the next write tells), or an instance the
                    // load balancer no longer sends to would never recover.
                    shared.audit_ok.store(true, Ordering::Relaxed);
                    audit_ok = true;
                    "ok".clone_into(&mut audit);
                }
                continue;
            }
            Ok(Err(e)) => format!("failing: PostgreSQL does not answer ({e})"),
            Err(_) => format!(
                "failing: PostgreSQL did not answer within {} ms",
                READYZ_DB_TIMEOUT.as_millis()
            ),
        };
        if *store == "audit" {
            audit_ok = false;
            audit = format!("{failure}; lookups are refused, since none may go unaudited");
        } else if *store == "quota" {
            quota_ok = false;
            quota = format!("{failure}; lookups are refused, since the gateway's quota is shared");
        } else {
            dossiers_ok = false;
            dossiers = format!("{failure}; no dossier code can be issued");
        }
    }
    if quota_ok && shared.databases.iter().any(|(s, _)| *s == "quota") {
        "ok: shared in PostgreSQL".clone_into(&mut quota);
    }
    let ready = audit_ok && dossiers_ok && quota_ok;
    let body = serde_json::json!({
        "status": if ready { "ready" } else { "not_ready" },
        "checks": {
            "configuration": "ok",
            "audit": audit,
            "dossiers": dossiers,
            "quota": quota,
            "gateways": shared.gateways.keys().collect::<Vec<_>>(),
        }
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    json_value(status, &body)
}

/// How long `/readyz` waits for a PostgreSQL store to answer.
const READYZ_DB_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        shared.metrics.render(),
    )
        .into_response()
}

async fn openapi() -> Response {
    json_bytes(StatusCode::OK, crate::openapi::document_json().into_bytes())
}

async fn not_found() -> Response {
    Problem::new(StatusCode::NOT_FOUND, "not_found", "no such route").into_response()
}

async fn method_not_allowed(method: Method) -> Response {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed on this route"),
    )
    .into_response()
}

/// A page of `items`: those after `cursor`, at most `limit`, and the cursor
/// of the next page.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Page {
    pub(crate) limit: usize,
    pub(crate) after: Option<i64>,
}

impl Page {
    pub(crate) const DEFAULT_LIMIT: usize = 100;
    pub(crate) const MAX_LIMIT: usize = 1000;

    pub(crate) fn parse(limit: Option<&str>, cursor: Option<&str>) -> Result<Self, Problem> {
        let limit = match limit {
            None => Self::DEFAULT_LIMIT,
            Some(l) => l
                .parse::<usize>()
                .ok()
                .filter(|l| (1..=Self::MAX_LIMIT).contains(l))
                .ok_or_else(|| {
                    Problem::invalid("limit", "limit must be a whole number from 1 to 1000")
                })?,
        };
        let after = match cursor {
            None | Some("") => None,
            Some(c) => Some(c.parse::<i64>().ok().filter(|c| *c >= 0).ok_or_else(|| {
                Problem::invalid(
                    "cursor",
                    "cursor must be a `next_cursor` of an earlier page",
                )
            })?),
        };
        Ok(Self { limit, after })
    }
}
