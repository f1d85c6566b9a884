//! `POST /v1/identity/inspect`.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use dancu_core::report::IdReport;
use dancu_core::{CalendarDate, IdNumber};
use serde::Deserialize;

use super::{Tag, authorize, json_body, json_bytes};
use crate::clients::Scope;
use crate::problem::Problem;
use crate::state::Shared;

/// The most inputs one request may carry.
pub(crate) const MAX_INPUTS: usize = 100_000;

/// Batches at least this large are answered off the async threads.
const BLOCKING_FROM: usize = 256;

/// `POST /v1/identity/inspect`: identity numbers to classify and decode.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct InspectRequest {
    /// The numbers as typed (personal ID, CMND, passport, tax code), at
    /// most 100,000.
    pub inputs: Vec<String>,
    /// The reference date (YYYY-MM-DD) for birth-year and CMND validity
    /// checks; today in Vietnam by default.
    #[schema(example = "2026-12-03")]
    pub on: Option<String>,
}

pub(crate) async fn inspect(
    State(shared): State<Arc<Shared>>,
    Extension(tag): Extension<Tag>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match answer(&shared, &tag, &headers, &body).await {
        Ok(r) => r,
        Err(p) => p.into_response(),
    }
}

/// The `on` date of a batch request.
pub(crate) fn reference_date(on: Option<&str>) -> Result<Option<CalendarDate>, Problem> {
    on.map(|d| {
        d.parse::<CalendarDate>()
            .map_err(|e| Problem::invalid("on", format!("on: {e} (YYYY-MM-DD)")))
    })
    .transpose()
}

/// The batch size rule shared by the batch endpoints.
pub(crate) fn check_batch(n: usize, max: usize) -> Result<(), Problem> {
    if n > max {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_many_inputs",
            format!("at most {max} inputs per request ({n} sent): split the batch"),
        )
        .with_field("inputs"));
    }
    Ok(())
}

async fn answer(
    shared: &Shared,
    tag: &Tag,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response, Problem> {
    authorize(shared, tag, headers, Scope::Identity)?;
    let req: InspectRequest = json_body(headers, body)?;
    check_batch(req.inputs.len(), MAX_INPUTS)?;
    let on = reference_date(req.on.as_deref())?.unwrap_or_else(CalendarDate::today_in_vietnam);
    let inputs = req.inputs;
    let out = if inputs.len() >= BLOCKING_FROM {
        tokio::task::spawn_blocking(move || write_results(&inputs, on))
            .await
            .map_err(|_| {
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the batch could not be answered",
                )
            })?
    } else {
        write_results(&inputs, on)
    };
    Ok(json_bytes(StatusCode::OK, out))
}

/// `{"results": [...]}`: the objects of `dancu id inspect --json`, in order.
fn write_results(inputs: &[String], on: CalendarDate) -> Vec<u8> {
    let mut out = Vec::with_capacity(inputs.len().saturating_mul(320).saturating_add(16));
    out.extend_from_slice(b"{\"results\":[");
    for (i, input) in inputs.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let parsed = IdNumber::parse_on(input, on);
        IdReport::new(input, &parsed, on).write_json(&mut out);
    }
    out.extend_from_slice(b"]}");
    out
}
