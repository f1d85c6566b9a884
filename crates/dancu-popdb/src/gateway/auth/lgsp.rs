//! The LGSP token: a token call (`POST {base}{token_path}`, form
//! `grant_type=client_credentials`, header `lgspaccesstoken`) gives a
//! bearer token, cached and shared by every caller with one refresh in
//! flight, refreshed `token_refresh_margin` before it expires and once more
//! when a data call answers 401. Used by LGSP SOAP gateways and by JSON
//! gateways behind the LGSP (OpenCPS Đồng Tháp).

use std::time::{Duration, Instant};

use async_trait::async_trait;
use dancu_core::registry::{RegistryError, RequestContext};
use dancu_wire::Secret;
use dancu_wire::auth::{LGSP_ACCESS_HEADER, LgspCredentials};
use reqwest::Url;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use tokio::sync::Mutex;

use super::{Auth, AuthSettings, Authorize};
use crate::gateway::builder::ConfigValue;
use crate::gateway::http::{self, Http, WireError};

#[derive(Clone, Debug, Default)]
pub(super) struct Settings {
    token_path: Option<String>,
    access_key: Option<Secret>,
    secret_key: Option<Secret>,
    app_name: Option<String>,
    partner_code: Option<String>,
    partner_code_cus: Option<String>,
    refresh_margin: Option<Duration>,
}

impl AuthSettings for Settings {
    fn set(&mut self, key: &str, value: &ConfigValue) -> Option<Result<(), String>> {
        Some(match key {
            "token_path" => value.path().map(|v| self.token_path = Some(v)),
            "access_key" => value.secret().map(|v| self.access_key = Some(v)),
            "secret_key" => value.secret().map(|v| self.secret_key = Some(v)),
            "app_name" => value.text().map(|v| self.app_name = Some(v.to_owned())),
            "partner_code" => value.text().map(|v| self.partner_code = Some(v.to_owned())),
            "partner_code_cus" => value
                .text()
                .map(|v| self.partner_code_cus = Some(v.to_owned())),
            "token_refresh_margin_ms" => value
                .int_at_most(crate::gateway::builder::MAX_MS)
                .map(|v| self.refresh_margin = Some(Duration::from_millis(v))),
            _ => return None,
        })
    }

    fn validate(&mut self, _base_url: &str) -> Result<(), String> {
        let missing =
            |k: &str| format!("missing `{k}` (or `{k}_env` naming an environment variable)");
        if self.access_key.as_ref().is_none_or(Secret::is_empty) {
            return Err(missing("access_key"));
        }
        if self.secret_key.as_ref().is_none_or(Secret::is_empty) {
            return Err(missing("secret_key"));
        }
        if self.app_name.as_deref().is_none_or(|a| a.trim().is_empty()) {
            return Err("missing `app_name`".to_owned());
        }
        if self.partner_code.is_none() {
            return Err("missing `partner_code`".to_owned());
        }
        Ok(())
    }

    fn build(&self, http: &Http) -> Result<Box<dyn Auth>, RegistryError> {
        let creds = LgspCredentials {
            access_key: self
                .access_key
                .as_ref()
                .map(|s| s.expose().to_owned())
                .unwrap_or_default(),
            secret_key: self.secret_key.clone().unwrap_or_else(|| Secret::new("")),
            app_name: self.app_name.clone().unwrap_or_default(),
            partner_code: self.partner_code.clone().unwrap_or_default(),
            partner_code_cus: self.partner_code_cus.clone().unwrap_or_default(),
        };
        let path = self.token_path.as_deref().unwrap_or("/token");
        let token_url = http::endpoint_url(http.base.as_str(), path, "token_path")?;
        let access_header = http::header_value(creds.to_header().expose(), "lgspaccesstoken")
            .map_err(RegistryError::from)?;
        Ok(Box::new(LgspToken {
            token_url,
            access_header,
            refresh_margin: self.refresh_margin.unwrap_or(Duration::from_secs(60)),
            token: Mutex::new(None),
        }))
    }

    fn clone_box(&self) -> Box<dyn AuthSettings> {
        Box::new(self.clone())
    }
}

/// The longest token lifetime believed (24 hours): a longer `expires_in`,
/// an absurd one (`18446744073709551615`, `9.3e18`, `"inf"`) or none at
/// all is taken as this; the token is still refreshed when a data call
/// answers 401.
pub(crate) const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// The lifetime an `expires_in` gives: seconds as a JSON number or a
/// string, whole or fractional. Negative is zero (the token serves this
/// call only); missing, not a number, not finite or above
/// [`MAX_TOKEN_LIFETIME`] is [`MAX_TOKEN_LIFETIME`]. Never panics.
fn token_lifetime(expires_in: Option<&serde_json::Value>) -> Duration {
    let secs = match expires_in {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match secs {
        Some(s) if s.is_finite() => {
            if s <= 0.0 {
                Duration::ZERO
            } else {
                Duration::try_from_secs_f64(s)
                    .unwrap_or(MAX_TOKEN_LIFETIME)
                    .min(MAX_TOKEN_LIFETIME)
            }
        }
        _ => MAX_TOKEN_LIFETIME,
    }
}

/// When a token obtained at `now` with `lifetime` is refreshed: `margin`
/// before it expires, never before `now`, and with no overflow.
fn refresh_at(now: Instant, lifetime: Duration, margin: Duration) -> Instant {
    now.checked_add(lifetime.saturating_sub(margin))
        .unwrap_or(now)
}

#[derive(Clone, Debug)]
struct CachedToken {
    value: Secret,
    header: HeaderValue,
    refresh_at: Instant,
}

/// The strategy. `Debug` never shows a credential or token (secrets and
/// sensitive header values print redacted).
#[derive(Debug)]
struct LgspToken {
    token_url: Url,
    access_header: HeaderValue,
    refresh_margin: Duration,
    token: Mutex<Option<CachedToken>>,
}

fn token_error(what: &str) -> RegistryError {
    RegistryError::InvalidResponse {
        reason: format!("token endpoint: {what}"),
    }
}

impl LgspToken {
    /// The cached token, or a new one. `refused` replaces the cached token
    /// if it is still `stale` (the one the gateway just refused). Callers
    /// wait on the lock while one of them refreshes, so there is one token
    /// call in flight at most.
    async fn token(
        &self,
        http: &Http,
        ctx: &RequestContext,
        stale: Option<&Secret>,
    ) -> Result<CachedToken, RegistryError> {
        // Waiting for another caller's refresh counts against this call's
        // own attempt timeout and deadline.
        let wait = http.attempt_timeout(ctx)?;
        let mut cached = tokio::time::timeout(wait, self.token.lock())
            .await
            .map_err(|_| WireError::TimedOut)?;
        if let Some(t) = cached.as_ref() {
            let refused = stale.is_some_and(|s| *s == t.value);
            if !refused && Instant::now() < t.refresh_at {
                return Ok(t.clone());
            }
        }
        let fresh = self.fetch(http, ctx).await?;
        *cached = Some(fresh.clone());
        Ok(fresh)
    }

    async fn fetch(&self, http: &Http, ctx: &RequestContext) -> Result<CachedToken, RegistryError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            HeaderName::from_static(LGSP_ACCESS_HEADER),
            self.access_header.clone(),
        );
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        let timeout = http.attempt_timeout(ctx)?;
        let ex = http::post(
            http,
            &self.token_url,
            headers,
            b"grant_type=client_credentials".to_vec(),
            timeout,
        )
        .await?;
        match ex.status {
            200 => {}
            401 | 403 => return Err(RegistryError::Unauthorized),
            429 => return Err(WireError::RateLimited(ex.retry_after).into()),
            s @ 500..=599 => {
                return Err(RegistryError::Unavailable {
                    reason: format!("token endpoint: HTTP {s}"),
                });
            }
            s => return Err(token_error(&format!("unexpected HTTP status {s}"))),
        }
        let json: serde_json::Value =
            serde_json::from_slice(&ex.body).map_err(|_| token_error("the answer is not JSON"))?;
        let token = json
            .get("access_token")
            .and_then(serde_json::Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| token_error("no access_token"))?;
        let header = http::header_value(&format!("Bearer {token}"), "access_token")
            .map_err(|_| token_error("access_token is not a header value"))?;
        if let Some(kind) = json.get("token_type").and_then(serde_json::Value::as_str)
            && !kind.eq_ignore_ascii_case("bearer")
        {
            return Err(token_error("token_type is not bearer"));
        }
        let lifetime = token_lifetime(json.get("expires_in"));
        tracing::debug!(gateway = %http.name, lifetime_s = lifetime.as_secs(), "LGSP token obtained");
        Ok(CachedToken {
            value: Secret::new(token),
            header,
            refresh_at: refresh_at(Instant::now(), lifetime, self.refresh_margin),
        })
    }
}

#[async_trait]
impl Auth for LgspToken {
    async fn authorize(&self, call: Authorize<'_>) -> Result<bool, RegistryError> {
        let Authorize {
            http,
            ctx,
            headers,
            refused,
        } = call;
        let stale = if refused {
            tracing::debug!(gateway = %http.name, request_id = %ctx.request_id(), "LGSP answered 401; refreshing the token once");
            headers
                .get(AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(Secret::new)
        } else {
            None
        };
        let token = self.token(http, ctx, stale.as_ref()).await?;
        headers.insert(AUTHORIZATION, token.header);
        headers.insert(
            HeaderName::from_static(LGSP_ACCESS_HEADER),
            self.access_header.clone(),
        );
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn absurd_lifetimes_are_clamped_and_never_panic() {
        let lt = |v: serde_json::Value| token_lifetime(Some(&v));
        assert_eq!(lt(json!(3600)), Duration::from_secs(3600));
        assert_eq!(lt(json!("3600")), Duration::from_secs(3600));
        assert_eq!(lt(json!(1.5)), Duration::from_millis(1500));
        assert_eq!(lt(json!(0)), Duration::ZERO);
        assert_eq!(lt(json!(-5)), Duration::ZERO);
        assert_eq!(token_lifetime(None), MAX_TOKEN_LIFETIME);
        for huge in [
            json!(u64::MAX),
            json!(i64::MAX),
            json!(9.3e18),
            json!(f64::MAX),
            json!("18446744073709551615"),
            json!("9223372036854775807"),
            json!("9.3e18"),
            json!("1e400"),
            json!("inf"),
            json!("NaN"),
            json!("soon"),
            json!(null),
            json!([1]),
        ] {
            let lifetime = lt(huge.clone());
            assert_eq!(lifetime, MAX_TOKEN_LIFETIME, "{huge}");
            let now = Instant::now();
            assert!(refresh_at(now, lifetime, Duration::from_secs(60)) > now);
        }
        let now = Instant::now();
        assert_eq!(refresh_at(now, Duration::MAX, Duration::ZERO), now);
        assert_eq!(refresh_at(now, Duration::from_secs(10), Duration::MAX), now);
    }
}
