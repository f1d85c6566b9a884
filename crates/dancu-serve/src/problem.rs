//! Error answers: `application/problem+json` (RFC 9457) with a stable
//! `code` and the request id. A problem's `detail` never carries an ID
//! number, a name or a birth date.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The media type of problem answers.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One problem answer. Boxed: it travels in every `Err` of the handlers.
#[derive(Clone, Debug)]
pub struct Problem(Box<ProblemBody>);

/// The fields of a [`Problem`], as its JSON carries them.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Problem)]
pub struct ProblemBody {
    /// A URI naming the problem type: `urn:dancu:problem:<code>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the problem type.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What happened in this request, without personal data.
    pub detail: String,
    /// The stable code (the codes `dancu` prints): `invalid_json`,
    /// `invalid_input`, `unauthorized`, `forbidden`, `rate_limited`,
    /// `not_found`, `unknown_unit`, `timed_out`, `unavailable`, …
    pub code: String,
    /// The request id (the `X-Request-Id` answered).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Which input of a batch, or which field, the problem is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Seconds to wait before trying again (also in `Retry-After`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl Problem {
    /// A problem with its status, stable code and detail.
    #[must_use]
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        Self(Box::new(ProblemBody {
            kind: format!("urn:dancu:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.to_owned(),
            request_id: None,
            field: None,
            retry_after: None,
        }))
    }

    /// `422`: the input is not valid, before any gateway call or audit.
    #[must_use]
    pub fn invalid(field: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", detail).with_field(field)
    }

    /// With the field it is about.
    #[must_use]
    pub fn with_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    /// With a `Retry-After`, rounded up to whole seconds (at least 1).
    #[must_use]
    pub fn with_retry_after(mut self, wait: std::time::Duration) -> Self {
        let secs = wait
            .as_secs()
            .saturating_add(u64::from(wait.subsec_nanos() > 0));
        self.retry_after = Some(secs.max(1));
        self
    }

    /// With the request id.
    #[must_use]
    pub fn with_request_id(mut self, id: &str) -> Self {
        self.request_id = Some(id.to_owned());
        self
    }

    /// The status.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl std::ops::Deref for Problem {
    type Target = ProblemBody;
    fn deref(&self) -> &ProblemBody {
        &self.0
    }
}

impl std::ops::DerefMut for Problem {
    fn deref_mut(&mut self) -> &mut ProblemBody {
        &mut self.0
    }
}

impl Serialize for Problem {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut r = (status, body).into_response();
        let h = r.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(s) = self.retry_after {
            h.insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        if status == StatusCode::UNAUTHORIZED {
            h.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"dancu\""),
            );
        }
        if status == StatusCode::FORBIDDEN {
            h.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"dancu\", error=\"insufficient_scope\""),
            );
        }
        // The request-id middleware answers it again with the id when the
        // problem does not carry it yet.
        if self.request_id.is_none() {
            r.extensions_mut().insert(Unstamped(self));
        }
        r
    }
}

/// A problem answered without its request id, kept so that the request-id
/// middleware can answer it again with the id.
#[derive(Clone, Debug)]
pub(crate) struct Unstamped(pub(crate) Problem);

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn retry_after_rounds_up_without_overflow() {
        let at = |wait| {
            Problem::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "")
                .with_retry_after(wait)
                .0
                .retry_after
        };
        assert_eq!(at(Duration::from_millis(1500)), Some(2));
        assert_eq!(at(Duration::ZERO), Some(1));
        // u64::MAX seconds and a fraction: `as_secs() + 1` overflowed.
        assert_eq!(at(Duration::MAX), Some(u64::MAX));
    }
}
