//! `POST /v1/addresses/resolve` and the unit lookups of both eras.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use dancu_core::admin::resolve;
use dancu_core::report::{self, AddressReport, UnitEra};
use serde::Deserialize;
use serde_json::Value;

use super::identity::{check_batch, reference_date};
use super::{Tag, authorize, json_body, json_bytes, json_value};
use crate::clients::Scope;
use crate::problem::Problem;
use crate::state::Shared;

/// The most addresses one request may carry.
pub(crate) const MAX_ADDRESSES: usize = 10_000;

/// Batches at least this large are resolved off the async threads.
const BLOCKING_FROM: usize = 16;

/// `POST /v1/addresses/resolve`: free-text addresses of either era.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ResolveRequest {
    /// The addresses as written, at most 10,000.
    pub inputs: Vec<String>,
    /// Name 2025 units as on this date (YYYY-MM-DD); as on 2025-07-01 by
    /// default.
    #[schema(example = "2026-12-03")]
    pub on: Option<String>,
}

pub(crate) async fn resolve_addresses(
    shared: &Shared,
    tag: &Tag,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response, Problem> {
    authorize(shared, tag, headers, Scope::Address)?;
    let req: ResolveRequest = json_body(headers, body)?;
    check_batch(req.inputs.len(), MAX_ADDRESSES)?;
    let on = reference_date(req.on.as_deref())?;
    let inputs = req.inputs;
    let write = move || -> Vec<u8> {
        let mut out = Vec::with_capacity(inputs.len().saturating_mul(600).saturating_add(16));
        out.extend_from_slice(b"{\"results\":[");
        for (i, text) in inputs.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let r = resolve(text);
            // Writing to a Vec cannot fail.
            let _ = serde_json::to_writer(&mut out, &AddressReport::new(text, &r, on));
        }
        out.extend_from_slice(b"]}");
        out
    };
    let out = if !body.is_empty() && BLOCKING_FROM <= inputs_hint(body) {
        tokio::task::spawn_blocking(write).await.map_err(|_| {
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the batch could not be answered",
            )
        })?
    } else {
        write()
    };
    Ok(json_bytes(StatusCode::OK, out))
}

/// About how many strings a body holds (its quotes, halved): enough to
/// choose where to run the batch.
fn inputs_hint(body: &[u8]) -> usize {
    body.iter().filter(|&&b| b == b'"').count() / 2
}

pub(crate) async fn resolve_route(
    State(shared): State<Arc<Shared>>,
    Extension(tag): Extension<Tag>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    resolve_addresses(&shared, &tag, &headers, &body)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

/// A code's shape: digits only, of a length the era has.
fn check_code(era: UnitEra, code: &str) -> Result<(), Problem> {
    let lengths: &[usize] = match era {
        UnitEra::Legacy => &[2, 3, 5],
        UnitEra::Y2025 => &[2, 5],
    };
    if code.bytes().all(|b| b.is_ascii_digit()) && lengths.contains(&code.len()) {
        return Ok(());
    }
    let era_words = match era {
        UnitEra::Legacy => "a legacy code is 2 (province), 3 (district) or 5 (commune) digits",
        UnitEra::Y2025 => "a 2025 code is 2 (province) or 5 (commune) digits",
    };
    Err(Problem::invalid(
        "code",
        format!("{era_words}, leading zeros kept"),
    ))
}

/// The answer of a unit lookup: the object, or `404 unknown_unit`.
fn unit_answer(v: &Value) -> Response {
    match v.get("error").and_then(Value::as_str) {
        Some(e) => Problem::new(StatusCode::NOT_FOUND, "unknown_unit", e).into_response(),
        None => json_value(StatusCode::OK, v),
    }
}

fn unit_of(
    shared: &Shared,
    tag: &Tag,
    headers: &HeaderMap,
    era: UnitEra,
    code: &str,
) -> Result<Value, Problem> {
    authorize(shared, tag, headers, Scope::Address)?;
    check_code(era, code)?;
    Ok(report::unit(era, code))
}

pub(crate) async fn legacy_unit(
    State(shared): State<Arc<Shared>>,
    Extension(tag): Extension<Tag>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    match unit_of(&shared, &tag, &headers, UnitEra::Legacy, &code) {
        Ok(v) => unit_answer(&v),
        Err(p) => p.into_response(),
    }
}

pub(crate) async fn unit_2025(
    State(shared): State<Arc<Shared>>,
    Extension(tag): Extension<Tag>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    match unit_of(&shared, &tag, &headers, UnitEra::Y2025, &code) {
        Ok(v) => unit_answer(&v),
        Err(p) => p.into_response(),
    }
}

/// `GET /v1/units/legacy/{code}/successors`: the object of `dancu address
/// convert --json`.
pub(crate) async fn successors(
    State(shared): State<Arc<Shared>>,
    Extension(tag): Extension<Tag>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    let answer = || -> Result<Value, Problem> {
        authorize(&shared, &tag, &headers, Scope::Address)?;
        check_code(UnitEra::Legacy, &code)?;
        Ok(report::conversion(&code))
    };
    match answer() {
        Ok(v) => unit_answer(&v),
        Err(p) => p.into_response(),
    }
}

/// `GET /v1/units/2025/{code}/predecessors`: the unit's code, name and the
/// legacy units it was formed from.
pub(crate) async fn predecessors(
    State(shared): State<Arc<Shared>>,
    Extension(tag): Extension<Tag>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    match unit_of(&shared, &tag, &headers, UnitEra::Y2025, &code) {
        Ok(v) if v.get("error").is_some() => unit_answer(&v),
        Ok(v) => json_value(
            StatusCode::OK,
            &serde_json::json!({
                "code": v["code"],
                "name": v["name"],
                "level": v["level"],
                "predecessors": v.get("predecessors").cloned().unwrap_or(Value::Array(Vec::new())),
            }),
        ),
        Err(p) => p.into_response(),
    }
}
