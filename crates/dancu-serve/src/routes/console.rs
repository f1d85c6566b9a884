//! `/console/`: the reference intake console, static files embedded in the
//! binary, served only when `[serve.console] enabled = true`. The page is a
//! client of `/v1` like any other: it holds no key of its own (the officer
//! types one into its sign-in form; it stays in the page's memory).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::json_value;
use crate::problem::Problem;
use crate::state::Shared;

/// What the browser may do on a console page: load the page's own scripts,
/// styles and images, call this origin, nothing else (no inline script or
/// style, no frames, no form posts elsewhere, no plug-ins).
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'none'; \
     frame-ancestors 'none'; base-uri 'none'";

/// One embedded file: its name under `/console/`, media type and bytes.
struct Asset {
    name: &'static str,
    media_type: &'static str,
    body: &'static [u8],
}

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

const ASSETS: &[Asset] = &[
    Asset {
        name: "index.html",
        media_type: HTML,
        body: include_bytes!("../../console/index.html"),
    },
    Asset {
        name: "console.css",
        media_type: CSS,
        body: include_bytes!("../../console/console.css"),
    },
    Asset {
        name: "app.js",
        media_type: JS,
        body: include_bytes!("../../console/app.js"),
    },
    Asset {
        name: "api.js",
        media_type: JS,
        body: include_bytes!("../../console/api.js"),
    },
    Asset {
        name: "forms.js",
        media_type: JS,
        body: include_bytes!("../../console/forms.js"),
    },
    Asset {
        name: "tandan.js",
        media_type: JS,
        body: include_bytes!("../../console/tandan.js"),
    },
    Asset {
        name: "igate.js",
        media_type: JS,
        body: include_bytes!("../../console/igate.js"),
    },
    Asset {
        name: "audit.js",
        media_type: JS,
        body: include_bytes!("../../console/audit.js"),
    },
];

/// The headers every console answer, page or settings, carries: the
/// policy, no sniffing, no caching.
fn protect(h: &mut HeaderMap) {
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// A console file's answer: [`protect`]ed, and never shown in a frame or
/// sent a referrer.
fn guarded(status: StatusCode, media_type: &'static str, body: Body) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    protect(h);
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    r
}

/// `GET /console`: to `/console/`, so the page's relative links resolve.
pub(crate) async fn redirect() -> Response {
    let mut r = guarded(StatusCode::PERMANENT_REDIRECT, HTML, Body::empty());
    r.headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static("/console/"));
    r
}

/// `GET /console/`: the page.
pub(crate) async fn index() -> Response {
    file(Path("index.html".to_owned())).await
}

/// `GET /console/{file}`: one embedded file, or `404`.
pub(crate) async fn file(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(a) => guarded(StatusCode::OK, a.media_type, Body::from(a.body)),
        None => {
            Problem::new(StatusCode::NOT_FOUND, "not_found", "no such console file").into_response()
        }
    }
}

/// `GET /console/settings.json`: what the page needs to know of the
/// configuration — the gateway and procedure its lookups use, the unit
/// offered at sign-in. No secret: the key is the officer's to type.
pub(crate) async fn settings(State(shared): State<Arc<Shared>>) -> Response {
    let c = &shared.settings.console;
    let mut r = json_value(
        StatusCode::OK,
        &serde_json::json!({
            "gateway": c.gateway,
            "procedure": c.procedure,
            "unit": c.unit,
        }),
    );
    protect(r.headers_mut());
    r
}
