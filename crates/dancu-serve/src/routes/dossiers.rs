//! `POST /v1/dossier-codes`: the next national dossier code of a unit and
//! day, issued atomically by the dossier store.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use dancu_core::dossier::StoreError;
use dancu_core::{CalendarDate, DossierCode};
use serde::Deserialize;

use super::{Tag, authorize, json_body, json_value};
use crate::clients::Scope;
use crate::problem::Problem;
use crate::state::Shared;

/// A dossier code to issue.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DossierCodeRequest {
    /// The receiving unit's code (the prefix of its dossier codes).
    #[schema(example = "000.00.21.H56")]
    pub unit: String,
    /// The day of receipt (YYYY-MM-DD); today in Vietnam by default.
    #[schema(example = "2026-12-03")]
    pub date: Option<String>,
}

pub(crate) async fn issue(
    State(shared): State<Arc<Shared>>,
    Extension(tag): Extension<Tag>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    run(&shared, &tag, &headers, &body)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn run(
    shared: &Shared,
    tag: &Tag,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response, Problem> {
    authorize(shared, tag, headers, Scope::DossierCodes)?;
    let req: DossierCodeRequest = json_body(headers, body)?;
    let date = match &req.date {
        Some(d) => d
            .parse::<CalendarDate>()
            .map_err(|e| Problem::invalid("date", format!("date: {e} (YYYY-MM-DD)")))?,
        None => CalendarDate::today_in_vietnam(),
    };
    let unit = req.unit.trim();
    // A bad unit or year is refused before the store is touched.
    DossierCode::new(unit, date, 1).map_err(|e| Problem::invalid("unit", e.to_string()))?;
    let store = shared.dossiers.as_ref().ok_or_else(|| {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_configured",
            "no dossier store is configured: add [dossiers] path = \"dossiers.sqlite\"",
        )
    })?;
    let code = store.issue_code(unit, date).await.map_err(|e| match e {
        StoreError::SerialsExhausted { .. } => {
            Problem::new(StatusCode::CONFLICT, "serials_exhausted", e.to_string())
        }
        _ => Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "store_unavailable",
            "the dossier store cannot issue a code now",
        ),
    })?;
    Ok(json_value(
        StatusCode::CREATED,
        &serde_json::json!({
            "code": code.to_string(),
            "unit": code.unit(),
            "date": date.to_string(),
        }),
    ))
}
