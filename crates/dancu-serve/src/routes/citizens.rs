//! `POST /v1/citizens/lookup` and `POST /v1/citizens/check`: one audited
//! check of a citizen through a configured gateway.

use std::sync::Arc;
use std::time::Instant;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use dancu_core::registry::{
    IdentityQuery, Otp, PopulationRegistry, RegistryError, RequestContext, RequestId, UnitCode,
};
use dancu_core::report::LookupReport;
use dancu_core::{BirthDate, CalendarDate, FullName, IdNumber, mask_numbers, mask_phrase};
use serde::Deserialize;
use serde_json::Value;

use super::{Tag, authorize, json_body, json_value};
use crate::clients::Scope;
use crate::problem::Problem;
use crate::state::Shared;

/// The officer making the lookup: no officer, no lookup.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Officer {
    /// The officer identifier (`MaCanBo`).
    #[schema(example = "canbo.motcua01")]
    pub id: String,
    /// The officer's unit (`MaDonVi`); `[officer] unit` of the
    /// configuration by default.
    #[schema(example = "000.00.21.H06")]
    pub unit: Option<String>,
}

/// A lookup or check of one citizen.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LookupRequest {
    /// Which `[gateway.<name>]` to use.
    #[schema(example = "provincial_json")]
    pub gateway: String,
    /// The personal ID (12 digits) or CMND (9 digits), as typed.
    #[schema(example = "001089012345")]
    pub id: String,
    /// The full name.
    #[schema(example = "Nguyễn Văn An")]
    pub name: String,
    /// The date of birth: dd/mm/yyyy, yyyy-mm-dd, mm/yyyy or yyyy.
    #[schema(example = "12/05/1989")]
    pub birth_date: String,
    /// The administrative procedure code (`MaDVC`).
    #[schema(example = "1.001776")]
    pub procedure: String,
    /// The dossier code the lookup is for (kept in the audit trail).
    pub dossier: Option<String>,
    /// The purpose or legal basis (kept in the audit trail).
    pub purpose: Option<String>,
    /// Continues a logical check (the one-time-password round trip) under
    /// its request id; by default the request's `X-Request-Id`, or a new one.
    pub request_id: Option<String>,
    /// The one-time password the citizen received (with `request_id`).
    pub otp: Option<String>,
    /// The officer.
    pub officer: Officer,
}

impl std::fmt::Debug for LookupRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LookupRequest")
            .field("gateway", &self.gateway)
            .field("procedure", &self.procedure)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Lookup,
    Check,
}

pub(crate) async fn lookup(
    State(shared): State<Arc<Shared>>,
    Extension(tag): Extension<Tag>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    run(&shared, &tag, &headers, &body, Mode::Lookup)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

pub(crate) async fn check(
    State(shared): State<Arc<Shared>>,
    Extension(tag): Extension<Tag>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    run(&shared, &tag, &headers, &body, Mode::Check)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

/// The typed request, checked before any gateway call or audit record.
struct Prepared {
    registry: Arc<dyn PopulationRegistry>,
    ctx: RequestContext,
    query: IdentityQuery,
}

fn prepare(
    shared: &Shared,
    tag: &Tag,
    client: &str,
    req: &LookupRequest,
) -> Result<Prepared, Problem> {
    // Whatever a message says, the typed number and name never go out.
    let safe = |field: &str, e: &dyn std::fmt::Display| {
        Problem::invalid(
            field,
            mask_phrase(&mask_numbers(&format!("{field}: {e}")), req.name.trim()),
        )
    };
    let registry = shared
        .gateways
        .get(req.gateway.trim())
        .cloned()
        .ok_or_else(|| {
            let known: Vec<&str> = shared.gateways.keys().map(String::as_str).collect();
            Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_gateway",
                format!(
                    "no such gateway (configured: {})",
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                ),
            )
            .with_field("gateway")
        })?;
    let on = CalendarDate::today_in_vietnam();
    let id = IdNumber::parse_on(&req.id, on).map_err(|e| safe("id", &e))?;
    let name = FullName::parse(&req.name).map_err(|e| safe("name", &e))?;
    let dob: BirthDate = req.birth_date.parse().map_err(|e| safe("birth_date", &e))?;
    let mut query = IdentityQuery::new(id, name, dob).map_err(|e| safe("id", &e))?;
    if query.birth_year_contradicts_id() {
        return Err(Problem::invalid(
            "birth_date",
            "birth_date contradicts id: the personal ID encodes another birth year (check both)",
        ));
    }
    if let Some(otp) = &req.otp {
        if req.request_id.is_none() {
            return Err(Problem::invalid(
                "request_id",
                "an otp continues an earlier check: give its request_id",
            ));
        }
        let otp: Otp = otp.parse().map_err(|e| safe("otp", &e))?;
        query = query.with_otp(otp);
    }
    let procedure = req.procedure.parse().map_err(|e| safe("procedure", &e))?;
    let mut ctx = RequestContext::new(&req.officer.id, procedure)
        .map_err(|e| safe("officer.id", &e))?
        .with_client(client)
        .map_err(|e| safe("client", &e))?;
    if let Some(unit) = &req.officer.unit {
        let unit: UnitCode = unit.parse().map_err(|e| safe("officer.unit", &e))?;
        ctx = ctx.with_unit(unit);
    }
    if let Some(d) = &req.dossier {
        ctx = ctx.with_dossier(d.parse().map_err(|e| safe("dossier", &e))?);
    }
    if let Some(p) = &req.purpose {
        ctx = ctx.with_purpose(p).map_err(|e| safe("purpose", &e))?;
    }
    let request_id = match &req.request_id {
        Some(r) => r.parse::<RequestId>().map_err(|e| safe("request_id", &e))?,
        None => tag.request_id,
    };
    ctx = ctx
        .with_request_id(request_id)
        .with_timeout(shared.settings.request_timeout);
    Ok(Prepared {
        registry,
        ctx,
        query,
    })
}

async fn run(
    shared: &Shared,
    tag: &Tag,
    headers: &HeaderMap,
    body: &Bytes,
    mode: Mode,
) -> Result<Response, Problem> {
    let client = authorize(shared, tag, headers, Scope::Lookup)?;
    let req: LookupRequest = json_body(headers, body)?;
    let Prepared {
        registry,
        ctx,
        query,
    } = prepare(shared, tag, client.name(), &req)?;
    let _slot = shared.lookups.try_acquire().map_err(|_| {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "too_many_lookups",
            format!(
                "{} lookups are in progress, the most this service makes at once",
                shared.settings.max_concurrent_lookups
            ),
        )
        .with_retry_after(std::time::Duration::from_secs(1))
    })?;
    shared.metrics.lookups_in_flight(1);
    let started = Instant::now();
    let (report, retry_after) = match mode {
        Mode::Lookup => {
            let result = registry.lookup(&ctx, &query).await;
            (
                LookupReport::lookup(&ctx, &query, &result),
                retry_of(&result),
            )
        }
        Mode::Check => {
            let result = registry.check(&ctx, &query).await;
            (LookupReport::check(&ctx, &result), retry_of(&result))
        }
    };
    shared.metrics.lookups_in_flight(-1);
    shared.metrics.lookup(
        req.gateway.trim(),
        report.outcome,
        started.elapsed(),
        report.attempts,
    );
    Ok(answer(&report, retry_after))
}

fn retry_of<T>(r: &Result<T, RegistryError>) -> Option<std::time::Duration> {
    match r {
        Err(RegistryError::RateLimited { retry_after }) => *retry_after,
        _ => None,
    }
}

/// `200` with the report for every answer the gateway gave; otherwise a
/// problem carrying the report's fields (`outcome`, `attempts`, `error`):
/// `502` when the gateway refused or answered off contract, `503` when it
/// could not be used (or the audit trail could not record the lookup),
/// `422` for a request the gateway cannot be sent.
fn answer(report: &LookupReport, retry_after: Option<std::time::Duration>) -> Response {
    let Some(error) = &report.error else {
        return json_value(StatusCode::OK, report);
    };
    let (status, title) = match error.code {
        "configuration" => (StatusCode::UNPROCESSABLE_ENTITY, "Unprocessable Entity"),
        "rejected" | "unauthorized" | "invalid_response" | "refused" => {
            (StatusCode::BAD_GATEWAY, "Bad Gateway")
        }
        _ => (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable"),
    };
    let mut problem =
        Problem::new(status, error.code, error.message.clone()).with_request_id(&report.request_id);
    problem.title = title.to_owned();
    if let Some(wait) = retry_after {
        problem = problem.with_retry_after(wait);
    }
    let mut response = problem.clone().into_response();
    // The report's fields ride along (RFC 9457 extension members).
    let mut body = serde_json::to_value(&problem).unwrap_or(Value::Null);
    if let (Value::Object(b), Ok(Value::Object(r))) = (&mut body, serde_json::to_value(report)) {
        for (k, v) in r {
            b.entry(k).or_insert(v);
        }
    }
    if let Ok(bytes) = serde_json::to_vec(&body) {
        *response.body_mut() = axum::body::Body::from(bytes);
    }
    response
}
