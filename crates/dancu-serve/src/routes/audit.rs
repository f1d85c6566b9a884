//! `GET /v1/audit…`: who looked a citizen up, by officer, by dossier, by
//! time; paged.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use dancu_core::registry::{AuditError, AuditQuery, LookupKey};
use dancu_core::report::audit_record;
use dancu_core::{DossierCode, IdNumber, Timestamp};
use serde::Deserialize;

use super::{Page, Tag, authorize, json_body, json_value};
use crate::clients::Scope;
use crate::problem::Problem;
use crate::state::Shared;

type Params = Query<HashMap<String, String>>;

async fn answer(
    shared: &Shared,
    tag: &Tag,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
    query: impl FnOnce(&Shared) -> Result<AuditQuery, Problem>,
) -> Result<Response, Problem> {
    authorize(shared, tag, headers, Scope::Audit)?;
    let page = Page::parse(
        params.get("limit").map(String::as_str),
        params.get("cursor").map(String::as_str),
    )?;
    let query = query(shared)?;
    records(shared, page, &query).await
}

/// One page of the records `query` selects.
async fn records(shared: &Shared, page: Page, query: &AuditQuery) -> Result<Response, Problem> {
    let records = shared.audit.query(query).await.map_err(|e| match e {
        AuditError::SaltMismatch => Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "salt_mismatch",
            "the configured audit salt is not the one the trail was created with",
        ),
        _ => Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "audit_unavailable",
            "the audit trail cannot be read",
        ),
    })?;
    // Oldest first; the cursor is the id of the last record of a page.
    let mut rest = records
        .iter()
        .filter(|r| page.after.is_none_or(|after| r.id > after));
    let page_records: Vec<_> = rest.by_ref().take(page.limit).collect();
    let next = match (rest.next(), page_records.last()) {
        (Some(_), Some(last)) => Some(last.id.to_string()),
        _ => None,
    };
    let body = serde_json::json!({
        "records": page_records.iter().map(|r| audit_record(r)).collect::<Vec<_>>(),
        "next_cursor": next,
    });
    Ok(json_value(StatusCode::OK, &body))
}

/// `POST /v1/audit/subjects`: who looked a citizen up, the number in the
/// body (so it is in no URL, proxy log or browser history).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SubjectQuery {
    /// The citizen's personal ID (12 digits) or CMND (9 digits).
    #[schema(example = "001089012345")]
    pub id: String,
    /// Records a page, 1 to 1000 (default 100).
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl std::fmt::Debug for SubjectQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubjectQuery")
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

pub(crate) async fn subject_post(
    State(shared): State<Arc<Shared>>,
    Extension(tag): Extension<Tag>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let run = async {
        authorize(&shared, &tag, &headers, Scope::Audit)?;
        let req: SubjectQuery = json_body(&headers, &body)?;
        let limit = req.limit.map(|l| l.to_string());
        let page = Page::parse(limit.as_deref(), req.cursor.as_deref())?;
        let query = subject_query(&shared, &req.id)?;
        records(&shared, page, &query).await
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}

/// The query for "who looked this number up".
fn subject_query(s: &Shared, id: &str) -> Result<AuditQuery, Problem> {
    let key = match id.parse::<IdNumber>() {
        Ok(IdNumber::PersonalId(p)) => LookupKey::PersonalId(p),
        Ok(IdNumber::Cmnd(c)) => LookupKey::Cmnd(c),
        Ok(other) => {
            return Err(Problem::invalid(
                "id",
                format!(
                    "lookups are recorded by personal ID or CMND number, not by {}",
                    other.kind()
                ),
            ));
        }
        Err(e) => {
            return Err(Problem::invalid(
                "id",
                format!("not a personal ID or CMND number ({})", e.code()),
            ));
        }
    };
    Ok(s.hasher.query(&key))
}

pub(crate) async fn subject(
    State(shared): State<Arc<Shared>>,
    Extension(tag): Extension<Tag>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Params,
) -> Response {
    answer(&shared, &tag, &headers, &params, |s| subject_query(s, &id))
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

pub(crate) async fn officer(
    State(shared): State<Arc<Shared>>,
    Extension(tag): Extension<Tag>,
    headers: HeaderMap,
    Path(officer): Path<String>,
    Query(params): Params,
) -> Response {
    answer(&shared, &tag, &headers, &params, |_| {
        let officer = officer.trim();
        if officer.is_empty() || officer.len() > 64 {
            return Err(Problem::invalid(
                "officer",
                "an officer identifier is 1-64 characters",
            ));
        }
        Ok(AuditQuery::Officer(officer.to_owned()))
    })
    .await
    .unwrap_or_else(IntoResponse::into_response)
}

pub(crate) async fn dossier(
    State(shared): State<Arc<Shared>>,
    Extension(tag): Extension<Tag>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(params): Params,
) -> Response {
    answer(&shared, &tag, &headers, &params, |_| {
        let code: DossierCode = code
            .parse()
            .map_err(|e| Problem::invalid("code", format!("not a dossier code: {e}")))?;
        Ok(AuditQuery::Dossier(code.to_string()))
    })
    .await
    .unwrap_or_else(IntoResponse::into_response)
}

pub(crate) async fn between(
    State(shared): State<Arc<Shared>>,
    Extension(tag): Extension<Tag>,
    headers: HeaderMap,
    Query(params): Params,
) -> Response {
    let range = || -> Result<AuditQuery, Problem> {
        let read = |key: &str, end: bool| -> Result<Timestamp, Problem> {
            let v = params.get(key).ok_or_else(|| {
                Problem::invalid(key, format!("`{key}` is required: RFC 3339 or YYYY-MM-DD"))
            })?;
            Timestamp::parse_instant(v, end).map_err(|e| Problem::invalid(key, e.to_string()))
        };
        let (from, to) = (read("from", false)?, read("to", true)?);
        if to <= from {
            return Err(Problem::invalid("to", "`to` must be later than `from`"));
        }
        Ok(AuditQuery::Between(from, to))
    };
    answer(&shared, &tag, &headers, &params, |_| range())
        .await
        .unwrap_or_else(IntoResponse::into_response)
}
