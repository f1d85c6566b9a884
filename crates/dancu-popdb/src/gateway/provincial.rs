//! The provincial JSON gateway: a province's own API in front of the
//! population database.
//!
//! Request: a JSON object with `MaYeuCau`, `MaDVC`, `MaTichHop`, `MaCanBo`,
//! `HoVaTen`, `SoDinhDanh` or `SoCMND`, `NgayThangNam` or `Nam`, and the
//! optional `MaHoSo` (dossier) and `OTP`. Authentication: `Authorization:
//! Bearer <key>` (header name and scheme configurable).
//!
//! Reply: `{"error_code": <int>, "message": <string>}`. `error_code` 0:
//! `message` is XML — for the lookup a `CongdanCollection`; for the check
//! either a `KetQuaXacThucResponse` (`TonTai`) or a `CongdanCollection`, in
//! which case a citizen in it means "confirmed". Otherwise `message` `"00"`
//! means a one-time password is required, `"01"` that it was wrong, and
//! anything else is a rejection carrying that text.

use std::fmt;

use async_trait::async_trait;
use dancu_core::registry::{
    CheckOutcome, IdentityQuery, LookupKey, LookupOutcome, Operation, PopulationRegistry,
    RegistryError, RegistryInfo, Reply, ReplyMeta, RequestContext,
};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

use super::http::{
    self, CommonConfig, Endpoint, Exchange, WireError, common_setters, config_error,
};
use super::soap::{self, DecodeError};
use crate::Secret;

/// Why a provincial call failed, before it is mapped to [`RegistryError`].
#[derive(Debug)]
enum ProvincialError {
    /// The reply is not the `{error_code, message}` object.
    NotJson(&'static str),
    /// `error_code` 0 but `message` is not the XML answer.
    Message(DecodeError),
    /// A refusal with its text.
    Refused(String),
    /// The exchange.
    Wire(WireError),
}

impl From<WireError> for ProvincialError {
    fn from(e: WireError) -> Self {
        Self::Wire(e)
    }
}

impl From<ProvincialError> for RegistryError {
    fn from(e: ProvincialError) -> Self {
        match e {
            ProvincialError::NotJson(what) => Self::InvalidResponse {
                reason: what.to_owned(),
            },
            ProvincialError::Message(d) => d.into(),
            ProvincialError::Refused(text) => Self::Rejected { fault: text },
            ProvincialError::Wire(w) => w.into(),
        }
    }
}

/// Builds a [`ProvincialGateway`]; [`ProvincialBuilder::build`] validates.
///
/// ```
/// use dancu_popdb::gateway::ProvincialGateway;
/// use dancu_popdb::Secret;
/// let gw = ProvincialGateway::builder("https://api.tinh.example.vn")
///     .lookup_path("/dancu/tracuu")
///     .verify_path("/dancu/xacthuc")
///     .api_key(Secret::new("k3y"))
///     .build()
///     .unwrap();
/// assert!(!format!("{gw:?}").contains("k3y"));
/// ```
pub struct ProvincialBuilder {
    common: CommonConfig,
    api_key: Secret,
    auth_header: String,
    auth_scheme: Option<String>,
}

impl fmt::Debug for ProvincialBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProvincialBuilder")
            .field("common", &self.common)
            .field("api_key", &self.api_key)
            .field("auth_header", &self.auth_header)
            .field("auth_scheme", &self.auth_scheme)
            .finish()
    }
}

impl ProvincialBuilder {
    common_setters!();

    /// The API key (required).
    #[must_use]
    pub fn api_key(mut self, key: Secret) -> Self {
        self.api_key = key;
        self
    }

    /// The header that carries the key (default `Authorization`).
    #[must_use]
    pub fn auth_header(mut self, name: impl Into<String>) -> Self {
        self.auth_header = name.into();
        self
    }

    /// The scheme before the key (default `Some("Bearer")`; `None` sends
    /// the bare key).
    #[must_use]
    pub fn auth_scheme(mut self, scheme: Option<String>) -> Self {
        self.auth_scheme = scheme;
        self
    }

    /// Validates the settings and builds the gateway.
    ///
    /// # Errors
    ///
    /// [`RegistryError::Configuration`] naming the bad setting.
    pub fn build(self) -> Result<ProvincialGateway, RegistryError> {
        if self.api_key.is_empty() {
            return Err(config_error("the provincial API key is required"));
        }
        let header = HeaderName::from_bytes(self.auth_header.as_bytes())
            .map_err(|_| config_error("auth_header is not an HTTP header name"))?;
        let value = match &self.auth_scheme {
            Some(s) => format!("{s} {}", self.api_key.expose()),
            None => self.api_key.expose().to_owned(),
        };
        let value = http::header_value(&value, "api_key")
            .map_err(|_| config_error("the API key cannot be sent as an HTTP header value"))?;
        let endpoint = self.common.validate()?;
        Ok(ProvincialGateway {
            endpoint,
            auth: (header, value),
        })
    }
}

/// The provincial JSON gateway. `Debug` never shows the key.
pub struct ProvincialGateway {
    endpoint: Endpoint,
    auth: (HeaderName, HeaderValue),
}

impl fmt::Debug for ProvincialGateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProvincialGateway")
            .field("endpoint", &self.endpoint)
            .field("auth_header", &self.auth.0.as_str())
            .finish_non_exhaustive()
    }
}

/// What a provincial reply says, once read.
enum Answer<'a> {
    Xml(&'a str),
    OtpRequired,
    OtpRejected,
}

impl ProvincialGateway {
    /// A builder for the gateway at `base_url`.
    #[must_use]
    pub fn builder(base_url: &str) -> ProvincialBuilder {
        ProvincialBuilder {
            common: CommonConfig::new("provincial", base_url),
            api_key: Secret::new(""),
            auth_header: AUTHORIZATION.as_str().to_owned(),
            auth_scheme: Some("Bearer".to_owned()),
        }
    }

    fn body(&self, op: Operation, ctx: &RequestContext, query: &IdentityQuery) -> Vec<u8> {
        let mut m = serde_json::Map::new();
        let s = |v: &str| serde_json::Value::String(v.to_owned());
        m.insert("MaYeuCau".into(), s(&ctx.request_id().to_string()));
        m.insert("MaDVC".into(), s(ctx.procedure().as_str()));
        m.insert(
            "MaTichHop".into(),
            s(self.endpoint.encode.integration_code(op)),
        );
        m.insert("MaCanBo".into(), s(ctx.officer().as_str()));
        m.insert(
            "HoVaTen".into(),
            s(&self.endpoint.name_form().render(query.name())),
        );
        match query.key() {
            LookupKey::PersonalId(p) => m.insert("SoDinhDanh".into(), s(p.as_str())),
            LookupKey::Cmnd(c) => m.insert("SoCMND".into(), s(c.as_str())),
        };
        match query.birth_date().to_yyyymmdd() {
            Some(d) => m.insert("NgayThangNam".into(), s(&d)),
            None => m.insert(
                "Nam".into(),
                s(&format!("{:04}", query.birth_date().year())),
            ),
        };
        if let Some(d) = ctx.dossier() {
            m.insert("MaHoSo".into(), s(&d.to_string()));
        }
        if let Some(otp) = query.otp() {
            m.insert("OTP".into(), s(otp.as_str()));
        }
        serde_json::Value::Object(m).to_string().into_bytes()
    }

    async fn call(
        &self,
        op: Operation,
        ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Result<Exchange, ProvincialError> {
        let url = match op {
            Operation::Lookup => &self.endpoint.lookup_url,
            Operation::Check => &self.endpoint.verify_url,
        };
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        headers.insert(self.auth.0.clone(), self.auth.1.clone());
        let timeout = self.endpoint.attempt_timeout(ctx)?;
        let body = self.body(op, ctx, query);
        let exchange = http::post(&self.endpoint, url, headers, body, timeout).await?;
        ctx.note_exchange(exchange.digest);
        Ok(exchange)
    }
}

/// Reads the HTTP status and the `{error_code, message}` object.
fn read(ex: &Exchange, json: &mut serde_json::Value) -> Result<(), ProvincialError> {
    match ex.status {
        200 => {}
        401 | 403 => return Err(WireError::Unauthorized.into()),
        429 => return Err(WireError::RateLimited(ex.retry_after).into()),
        s @ 500..=599 => return Err(WireError::Unavailable(s).into()),
        s => return Err(WireError::UnexpectedStatus(s).into()),
    }
    if let Some(ct) = &ex.content_type
        && !ct.to_ascii_lowercase().contains("json")
    {
        return Err(WireError::ContentType(ct.clone()).into());
    }
    *json = serde_json::from_slice(&ex.body)
        .map_err(|_| ProvincialError::NotJson("the reply is not JSON"))?;
    Ok(())
}

fn answer(json: &serde_json::Value) -> Result<Answer<'_>, ProvincialError> {
    let code = match json.get("error_code") {
        Some(serde_json::Value::Number(n)) => n
            .as_i64()
            .ok_or(ProvincialError::NotJson("error_code is not an integer"))?,
        Some(serde_json::Value::String(s)) => s
            .trim()
            .parse()
            .map_err(|_| ProvincialError::NotJson("error_code is not an integer"))?,
        _ => return Err(ProvincialError::NotJson("the reply has no error_code")),
    };
    let message = json
        .get("message")
        .and_then(serde_json::Value::as_str)
        .ok_or(ProvincialError::NotJson("the reply has no message string"))?;
    Ok(match (code, message.trim()) {
        (0, xml) => Answer::Xml(xml),
        (_, "00") => Answer::OtpRequired,
        (_, "01") => Answer::OtpRejected,
        (_, text) => {
            return Err(ProvincialError::Refused(soap::mask_digit_runs(text)));
        }
    })
}

#[async_trait]
impl PopulationRegistry for ProvincialGateway {
    fn info(&self) -> RegistryInfo {
        RegistryInfo {
            name: self.endpoint.name.clone(),
            channel: "provincial_json",
        }
    }

    async fn lookup(
        &self,
        ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Result<Reply<LookupOutcome>, RegistryError> {
        let ex = self.call(Operation::Lookup, ctx, query).await?;
        let mut json = serde_json::Value::Null;
        read(&ex, &mut json)?;
        Ok(match answer(&json)? {
            Answer::Xml(xml) => {
                let a =
                    soap::decode_collection(xml.as_bytes()).map_err(ProvincialError::Message)?;
                super::lookup_reply(a, ex.digest)
            }
            Answer::OtpRequired => Reply::new(
                LookupOutcome::OtpRequired,
                ReplyMeta::single(Some(ex.digest), None),
            ),
            Answer::OtpRejected => Reply::new(
                LookupOutcome::OtpRejected,
                ReplyMeta::single(Some(ex.digest), None),
            ),
        })
    }

    async fn check(
        &self,
        ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Result<Reply<CheckOutcome>, RegistryError> {
        let ex = self.call(Operation::Check, ctx, query).await?;
        let mut json = serde_json::Value::Null;
        read(&ex, &mut json)?;
        Ok(match answer(&json)? {
            Answer::Xml(xml) => {
                let yes = soap::decode_check_document(xml.as_bytes())
                    .map_err(ProvincialError::Message)?;
                super::check_reply(yes, ex.digest)
            }
            Answer::OtpRequired => Reply::new(
                CheckOutcome::OtpRequired,
                ReplyMeta::single(Some(ex.digest), None),
            ),
            Answer::OtpRejected => Reply::new(
                CheckOutcome::OtpRejected,
                ReplyMeta::single(Some(ex.digest), None),
            ),
        })
    }
}
