//! The LGSP gateway: SOAP over HTTPS behind a provincial integration
//! platform, with a cached bearer token.
//!
//! A token call (`POST {base}{token_path}`, form `grant_type=client_credentials`,
//! header `lgspaccesstoken: base64(JSON credentials)`) gives a bearer token.
//! The token is cached and shared: concurrent callers wait for the one
//! refresh in flight. It is refreshed `token_refresh_margin` before it
//! expires, and once more when a data call answers 401 (that call is then
//! retried once).

use std::fmt;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use dancu_core::registry::{
    CheckOutcome, IdentityQuery, LookupOutcome, Operation, PopulationRegistry, RegistryError,
    RegistryInfo, Reply, RequestContext,
};
use reqwest::Url;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use tokio::sync::Mutex;

use super::http::{
    self, CommonConfig, Endpoint, Exchange, SOAP_CONTENT_TYPE, WireError, common_setters,
    config_error,
};
use super::soap;
use crate::Secret;

const ACCESS_HEADER: &str = "lgspaccesstoken";

/// Why an LGSP call failed, before it is mapped to [`RegistryError`].
#[derive(Debug)]
enum LgspError {
    /// The token endpoint refused our credentials.
    TokenRefused,
    /// The token endpoint answered something that is not a token.
    TokenInvalid(&'static str),
    /// The token endpoint answered with an unexpected status.
    TokenStatus(u16),
    /// The data call, or the token call's transport.
    Wire(WireError),
}

impl From<WireError> for LgspError {
    fn from(e: WireError) -> Self {
        Self::Wire(e)
    }
}

impl From<LgspError> for RegistryError {
    fn from(e: LgspError) -> Self {
        match e {
            LgspError::TokenRefused => Self::Unauthorized,
            LgspError::TokenInvalid(what) => Self::InvalidResponse {
                reason: format!("token endpoint: {what}"),
            },
            LgspError::TokenStatus(s) if s >= 500 => Self::Unavailable {
                reason: format!("token endpoint: HTTP {s}"),
            },
            LgspError::TokenStatus(s) => Self::InvalidResponse {
                reason: format!("token endpoint: unexpected HTTP status {s}"),
            },
            LgspError::Wire(w) => w.into(),
        }
    }
}

/// Builds an [`LgspGateway`]; [`LgspBuilder::build`] validates everything.
///
/// ```
/// use dancu_popdb::gateway::LgspGateway;
/// use dancu_popdb::Secret;
/// let gw = LgspGateway::builder("https://lgsp.example.vn")
///     .lookup_path("/dancu/tracuu")
///     .verify_path("/dancu/xacthuc")
///     .credentials("access", Secret::new("s3cret"), "motcua", "000.00.21.H06", "H06")
///     .build()
///     .unwrap();
/// assert!(!format!("{gw:?}").contains("s3cret"));
/// assert!(LgspGateway::builder("http://lgsp.example.vn").lookup_path("/a").verify_path("/b")
///     .credentials("a", Secret::new("s"), "n", "p", "c").build().is_err());
/// ```
pub struct LgspBuilder {
    common: CommonConfig,
    token_path: String,
    access_key: String,
    secret_key: Secret,
    app_name: String,
    partner_code: String,
    partner_code_cus: String,
    refresh_margin: Duration,
}

impl fmt::Debug for LgspBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LgspBuilder")
            .field("common", &self.common)
            .field("token_path", &self.token_path)
            .field("access_key", &"<redacted>")
            .field("secret_key", &self.secret_key)
            .field("app_name", &self.app_name)
            .field("partner_code", &self.partner_code)
            .field("partner_code_cus", &self.partner_code_cus)
            .field("refresh_margin", &self.refresh_margin)
            .finish()
    }
}

impl LgspBuilder {
    common_setters!();

    /// The token endpoint's path (default `/token`).
    #[must_use]
    pub fn token_path(mut self, path: impl Into<String>) -> Self {
        self.token_path = path.into();
        self
    }

    /// The five values of the `lgspaccesstoken` header: `AccessKey`,
    /// `SecretKey`, `AppName`, `PartnerCode`, `PartnerCodeCus`.
    #[must_use]
    pub fn credentials(
        mut self,
        access_key: impl Into<String>,
        secret_key: Secret,
        app_name: impl Into<String>,
        partner_code: impl Into<String>,
        partner_code_cus: impl Into<String>,
    ) -> Self {
        self.access_key = access_key.into();
        self.secret_key = secret_key;
        self.app_name = app_name.into();
        self.partner_code = partner_code.into();
        self.partner_code_cus = partner_code_cus.into();
        self
    }

    /// How long before expiry a token is refreshed (default 60 s).
    #[must_use]
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// Validates the settings and builds the gateway.
    ///
    /// # Errors
    ///
    /// [`RegistryError::Configuration`] naming the bad setting: a non-https
    /// URL for a non-loopback host, a missing path, empty credentials, a
    /// bad CA certificate.
    pub fn build(self) -> Result<LgspGateway, RegistryError> {
        if self.access_key.is_empty() || self.secret_key.is_empty() {
            return Err(config_error("LGSP AccessKey and SecretKey are required"));
        }
        if self.app_name.is_empty() {
            return Err(config_error("LGSP AppName is required"));
        }
        let endpoint = self.common.validate()?;
        let token_url = http::endpoint_url(endpoint.base.as_str(), &self.token_path, "token_path")?;
        let json = format!(
            "{{\"AccessKey\":{},\"SecretKey\":{},\"AppName\":{},\"PartnerCode\":{},\"PartnerCodeCus\":{}}}",
            json_string(&self.access_key),
            json_string(self.secret_key.expose()),
            json_string(&self.app_name),
            json_string(&self.partner_code),
            json_string(&self.partner_code_cus),
        );
        let access_header = Secret::new(STANDARD.encode(json));
        Ok(LgspGateway {
            endpoint,
            token_url,
            access_header,
            refresh_margin: self.refresh_margin,
            token: Mutex::new(None),
        })
    }
}

/// The five credentials of an `lgspaccesstoken` header, as a gateway
/// (sandbox) reads them. `Debug` hides the keys.
#[derive(Clone, PartialEq, Eq)]
pub struct LgspCredentials {
    /// `AccessKey`.
    pub access_key: String,
    /// `SecretKey`.
    pub secret_key: Secret,
    /// `AppName`.
    pub app_name: String,
    /// `PartnerCode`.
    pub partner_code: String,
    /// `PartnerCodeCus`.
    pub partner_code_cus: String,
}

impl fmt::Debug for LgspCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LgspCredentials")
            .field("access_key", &"<redacted>")
            .field("secret_key", &self.secret_key)
            .field("app_name", &self.app_name)
            .field("partner_code", &self.partner_code)
            .field("partner_code_cus", &self.partner_code_cus)
            .finish()
    }
}

impl LgspCredentials {
    /// Reads an `lgspaccesstoken` header value: base64 of the JSON object
    /// with the five fields (all strings; a missing one is empty).
    ///
    /// # Errors
    ///
    /// A short reason (never the header's content) when the value is not
    /// base64 of such an object.
    pub fn from_header(value: &str) -> Result<Self, &'static str> {
        let bytes = STANDARD
            .decode(value.trim())
            .map_err(|_| "lgspaccesstoken is not base64")?;
        let json: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|_| "lgspaccesstoken is not JSON")?;
        let obj = json
            .as_object()
            .ok_or("lgspaccesstoken is not a JSON object")?;
        let field = |k: &str| -> Result<String, &'static str> {
            match obj.get(k) {
                None | Some(serde_json::Value::Null) => Ok(String::new()),
                Some(serde_json::Value::String(s)) => Ok(s.clone()),
                Some(_) => Err("an lgspaccesstoken field is not a string"),
            }
        };
        Ok(Self {
            access_key: field("AccessKey")?,
            secret_key: Secret::new(field("SecretKey")?),
            app_name: field("AppName")?,
            partner_code: field("PartnerCode")?,
            partner_code_cus: field("PartnerCodeCus")?,
        })
    }
}

fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

#[derive(Clone)]
struct CachedToken {
    value: Secret,
    refresh_at: Instant,
}

/// The LGSP gateway. `Debug` never shows a credential or token.
pub struct LgspGateway {
    endpoint: Endpoint,
    token_url: Url,
    access_header: Secret,
    refresh_margin: Duration,
    token: Mutex<Option<CachedToken>>,
}

impl fmt::Debug for LgspGateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LgspGateway")
            .field("endpoint", &self.endpoint)
            .field("token_url", &self.token_url.as_str())
            .field("access_header", &self.access_header)
            .field("refresh_margin", &self.refresh_margin)
            .finish_non_exhaustive()
    }
}

impl LgspGateway {
    /// A builder for the gateway at `base_url`.
    #[must_use]
    pub fn builder(base_url: &str) -> LgspBuilder {
        LgspBuilder {
            common: CommonConfig::new("lgsp", base_url),
            token_path: "/token".to_owned(),
            access_key: String::new(),
            secret_key: Secret::new(""),
            app_name: String::new(),
            partner_code: String::new(),
            partner_code_cus: String::new(),
            refresh_margin: Duration::from_secs(60),
        }
    }

    fn access_header(&self) -> Result<(HeaderName, HeaderValue), WireError> {
        Ok((
            HeaderName::from_static(ACCESS_HEADER),
            http::header_value(self.access_header.expose(), "lgspaccesstoken")?,
        ))
    }

    /// The cached token, or a new one. `stale` is a token the gateway just
    /// refused: if it is still the cached one, it is replaced. Callers wait
    /// on the lock while one of them refreshes, so there is one token call
    /// in flight at most.
    async fn token(
        &self,
        ctx: &RequestContext,
        stale: Option<&Secret>,
    ) -> Result<Secret, LgspError> {
        // Waiting for another caller's refresh counts against this call's
        // own attempt timeout and deadline.
        let wait = self.endpoint.attempt_timeout(ctx)?;
        let mut cached = tokio::time::timeout(wait, self.token.lock())
            .await
            .map_err(|_| WireError::TimedOut)?;
        if let Some(t) = cached.as_ref() {
            let refused = stale.is_some_and(|s| *s == t.value);
            if !refused && Instant::now() < t.refresh_at {
                return Ok(t.value.clone());
            }
        }
        let fresh = self.fetch_token(ctx).await?;
        let value = fresh.value.clone();
        *cached = Some(fresh);
        Ok(value)
    }

    async fn fetch_token(&self, ctx: &RequestContext) -> Result<CachedToken, LgspError> {
        let mut headers = HeaderMap::new();
        let (name, value) = self.access_header()?;
        headers.insert(name, value);
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        let timeout = self.endpoint.attempt_timeout(ctx)?;
        let ex = http::post(
            &self.endpoint,
            &self.token_url,
            headers,
            b"grant_type=client_credentials".to_vec(),
            timeout,
        )
        .await?;
        match ex.status {
            200 => {}
            401 | 403 => return Err(LgspError::TokenRefused),
            429 => return Err(WireError::RateLimited(ex.retry_after).into()),
            s => return Err(LgspError::TokenStatus(s)),
        }
        let json: serde_json::Value = serde_json::from_slice(&ex.body)
            .map_err(|_| LgspError::TokenInvalid("the answer is not JSON"))?;
        let token = json
            .get("access_token")
            .and_then(serde_json::Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or(LgspError::TokenInvalid("no access_token"))?;
        // Validate that the token can be sent.
        http::header_value(token, "access_token")
            .map_err(|_| LgspError::TokenInvalid("access_token is not a header value"))?;
        if let Some(kind) = json.get("token_type").and_then(serde_json::Value::as_str)
            && !kind.eq_ignore_ascii_case("bearer")
        {
            return Err(LgspError::TokenInvalid("token_type is not bearer"));
        }
        let expires_in = match json.get("expires_in") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::Number(n)) => n.as_u64(),
            Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
            Some(_) => None,
        };
        // Without a lifetime, the token is used until the gateway refuses it.
        let lifetime = expires_in.map_or(Duration::from_secs(24 * 3600), Duration::from_secs);
        tracing::debug!(gateway = %self.endpoint.name, lifetime_s = lifetime.as_secs(), "LGSP token obtained");
        Ok(CachedToken {
            value: Secret::new(token),
            refresh_at: Instant::now() + lifetime.saturating_sub(self.refresh_margin),
        })
    }

    async fn send(
        &self,
        ctx: &RequestContext,
        url: &Url,
        body: &str,
        token: &Secret,
    ) -> Result<Exchange, LgspError> {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(SOAP_CONTENT_TYPE));
        headers.insert("SOAPAction", HeaderValue::from_static("\"\""));
        headers.insert(
            AUTHORIZATION,
            http::header_value(&format!("Bearer {}", token.expose()), "access_token")?,
        );
        let (name, value) = self.access_header()?;
        headers.insert(name, value);
        let timeout = self.endpoint.attempt_timeout(ctx)?;
        let exchange = http::post(
            &self.endpoint,
            url,
            headers,
            body.as_bytes().to_vec(),
            timeout,
        )
        .await?;
        ctx.note_exchange(exchange.digest);
        Ok(exchange)
    }

    /// One data call, with one token refresh and one retry on 401.
    async fn call(
        &self,
        op: Operation,
        ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Result<Exchange, LgspError> {
        let body = soap::encode_request(op, ctx, query, &self.endpoint.encode);
        let url = match op {
            Operation::Lookup => &self.endpoint.lookup_url,
            Operation::Check => &self.endpoint.verify_url,
        };
        let token = self.token(ctx, None).await?;
        let ex = self.send(ctx, url, &body, &token).await?;
        if ex.status != 401 {
            return Ok(ex);
        }
        tracing::debug!(gateway = %self.endpoint.name, request_id = %ctx.request_id(), "LGSP answered 401; refreshing the token once");
        let token = self.token(ctx, Some(&token)).await?;
        self.send(ctx, url, &body, &token).await
    }
}

#[async_trait]
impl PopulationRegistry for LgspGateway {
    fn info(&self) -> RegistryInfo {
        RegistryInfo {
            name: self.endpoint.name.clone(),
            channel: "lgsp",
        }
    }

    async fn lookup(
        &self,
        ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Result<Reply<LookupOutcome>, RegistryError> {
        let ex = self.call(Operation::Lookup, ctx, query).await?;
        let answer = http::read_soap(&ex, soap::decode_lookup_response)?;
        Ok(super::lookup_reply(answer, ex.digest))
    }

    async fn check(
        &self,
        ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Result<Reply<CheckOutcome>, RegistryError> {
        let ex = self.call(Operation::Check, ctx, query).await?;
        let exists = http::read_soap(&ex, soap::decode_check_response)?;
        Ok(super::check_reply(exists, ex.digest))
    }
}
