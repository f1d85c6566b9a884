//! What the three gateways share: the common settings and their
//! validation, the HTTP client, one timed POST with digests, and the mapping
//! of statuses and SOAP faults to errors.

use std::fmt;
use std::time::{Duration, Instant, SystemTime};

use dancu_core::registry::{ExchangeDigest, RegistryError, RequestContext};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{Client, Url};
use sha2::{Digest, Sha256};

use super::soap::{DecodeError, EncodeConfig, NameForm, SoapFault, SoapReply};

/// The largest answer read (the codec reads no more either).
pub(crate) const MAX_RESPONSE_BYTES: usize = super::xml::MAX_BYTES;

/// The SOAP content type the contract names.
pub(crate) const SOAP_CONTENT_TYPE: &str = "text/xml; charset=utf-8";

/// Settings every gateway has. Built through a gateway's builder.
#[derive(Clone)]
pub(crate) struct CommonConfig {
    pub(crate) name: String,
    pub(crate) base_url: String,
    pub(crate) lookup_path: Option<String>,
    pub(crate) verify_path: Option<String>,
    pub(crate) encode: EncodeConfig,
    pub(crate) attempt_timeout: Duration,
    pub(crate) root_ca_pem: Option<Vec<u8>>,
    pub(crate) client: Option<Client>,
}

impl CommonConfig {
    pub(crate) fn new(name: &str, base_url: &str) -> Self {
        Self {
            name: name.to_owned(),
            base_url: base_url.to_owned(),
            lookup_path: None,
            verify_path: None,
            encode: EncodeConfig::default(),
            attempt_timeout: Duration::from_secs(10),
            root_ca_pem: None,
            client: None,
        }
    }
}

impl fmt::Debug for CommonConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommonConfig")
            .field("name", &self.name)
            .field("base_url", &self.base_url)
            .field("lookup_path", &self.lookup_path)
            .field("verify_path", &self.verify_path)
            .field("encode", &self.encode)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("root_ca_pem", &self.root_ca_pem.as_ref().map(|_| "<set>"))
            .field("client", &self.client.as_ref().map(|_| "<given>"))
            .finish()
    }
}

/// Generates the builder setters every gateway shares; the builder has a
/// `common: CommonConfig` field.
macro_rules! common_setters {
    () => {
        /// The registry's name, for the audit trail and logs.
        #[must_use]
        pub fn name(mut self, name: impl Into<String>) -> Self {
            self.common.name = name.into();
            self
        }

        /// The path of the full lookup, appended to the base URL (required).
        #[must_use]
        pub fn lookup_path(mut self, path: impl Into<String>) -> Self {
            self.common.lookup_path = Some(path.into());
            self
        }

        /// The path of the yes/no check, appended to the base URL (required).
        #[must_use]
        pub fn verify_path(mut self, path: impl Into<String>) -> Self {
            self.common.verify_path = Some(path.into());
            self
        }

        /// `MaTichHop` of the full lookup (default `037`).
        #[must_use]
        pub fn lookup_code(mut self, code: impl Into<String>) -> Self {
            self.common.encode.lookup_code = code.into();
            self
        }

        /// `MaTichHop` of the yes/no check (default `033`; some use `003`).
        #[must_use]
        pub fn verify_code(mut self, code: impl Into<String>) -> Self {
            self.common.encode.verify_code = code.into();
            self
        }

        /// How `HoVaTen` is written (default accented).
        #[must_use]
        pub fn name_form(mut self, form: $crate::gateway::soap::NameForm) -> Self {
            self.common.encode.name_form = form;
            self
        }

        /// Whether `MaDonVi` is sent when the context has a unit (default true).
        #[must_use]
        pub fn send_unit(mut self, send: bool) -> Self {
            self.common.encode.send_unit = send;
            self
        }

        /// The timeout of one HTTP attempt (default 10 s), capped by the
        /// context's remaining time.
        #[must_use]
        pub fn attempt_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.common.attempt_timeout = timeout;
            self
        }

        /// An extra root certificate (PEM) to trust, for a private CA. Not
        /// combinable with [`Self::client`].
        #[must_use]
        pub fn root_ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
            self.common.root_ca_pem = Some(pem.into());
            self
        }

        /// Uses an existing client (its TLS settings are the caller's).
        #[must_use]
        pub fn client(mut self, client: reqwest::Client) -> Self {
            self.common.client = Some(client);
            self
        }
    };
}
pub(crate) use common_setters;

pub(crate) fn config_error(reason: impl Into<String>) -> RegistryError {
    RegistryError::Configuration {
        reason: reason.into(),
    }
}

/// Validated common settings.
#[derive(Clone)]
pub(crate) struct Endpoint {
    pub(crate) name: String,
    pub(crate) client: Client,
    pub(crate) base: Url,
    pub(crate) lookup_url: Url,
    pub(crate) verify_url: Url,
    pub(crate) encode: EncodeConfig,
    pub(crate) attempt_timeout: Duration,
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint")
            .field("name", &self.name)
            .field("lookup_url", &self.lookup_url.as_str())
            .field("verify_url", &self.verify_url.as_str())
            .field("lookup_code", &self.encode.lookup_code)
            .field("verify_code", &self.encode.verify_code)
            .field("name_form", &self.encode.name_form.as_str())
            .field("attempt_timeout", &self.attempt_timeout)
            .finish_non_exhaustive()
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn check_code(code: &str, what: &str) -> Result<(), RegistryError> {
    if code.is_empty() || code.len() > 16 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(config_error(format!(
            "{what} is 1-16 ASCII letters or digits"
        )));
    }
    Ok(())
}

/// Joins a base URL and a path, and checks the scheme: `https`, or `http`
/// for loopback hosts only.
pub(crate) fn endpoint_url(base: &str, path: &str, what: &str) -> Result<Url, RegistryError> {
    if !path.starts_with('/') {
        return Err(config_error(format!("{what} must start with '/'")));
    }
    let joined = format!("{}{path}", base.trim_end_matches('/'));
    let url = Url::parse(&joined).map_err(|_| config_error(format!("{what}: not a URL")))?;
    check_scheme(&url)?;
    Ok(url)
}

fn check_scheme(url: &Url) -> Result<(), RegistryError> {
    if !url.username().is_empty() || url.password().is_some() {
        return Err(config_error("credentials do not belong in the base URL"));
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(config_error(
            "plain http is accepted only for loopback hosts (127.0.0.0/8, ::1, localhost); use https",
        )),
        _ => Err(config_error("the base URL must be https")),
    }
}

impl CommonConfig {
    /// Validates the settings and builds (or takes) the client.
    pub(crate) fn validate(self) -> Result<Endpoint, RegistryError> {
        if self.name.trim().is_empty() {
            return Err(config_error("the gateway name is empty"));
        }
        let base = Url::parse(&self.base_url).map_err(|_| config_error("base_url: not a URL"))?;
        check_scheme(&base)?;
        let lookup_path = self
            .lookup_path
            .ok_or_else(|| config_error("lookup_path is required"))?;
        let verify_path = self
            .verify_path
            .ok_or_else(|| config_error("verify_path is required"))?;
        let lookup_url = endpoint_url(&self.base_url, &lookup_path, "lookup_path")?;
        let verify_url = endpoint_url(&self.base_url, &verify_path, "verify_path")?;
        check_code(&self.encode.lookup_code, "lookup_code")?;
        check_code(&self.encode.verify_code, "verify_code")?;
        if self.attempt_timeout.is_zero() {
            return Err(config_error("attempt_timeout must be positive"));
        }
        let client = match (self.client, self.root_ca_pem) {
            (Some(_), Some(_)) => {
                return Err(config_error(
                    "root_ca_pem applies to the client the gateway builds; add the CA to the given client instead",
                ));
            }
            (Some(c), None) => c,
            (None, pem) => {
                let mut b = Client::builder()
                    .use_rustls_tls()
                    .https_only(false)
                    .redirect(reqwest::redirect::Policy::none());
                if let Some(pem) = pem {
                    let certs = reqwest::Certificate::from_pem_bundle(&pem)
                        .map_err(|_| config_error("root_ca_pem is not a PEM certificate"))?;
                    if certs.is_empty() {
                        return Err(config_error("root_ca_pem holds no certificate"));
                    }
                    for c in certs {
                        b = b.add_root_certificate(c);
                    }
                }
                b.build()
                    .map_err(|_| config_error("the HTTP client could not be built"))?
            }
        };
        Ok(Endpoint {
            name: self.name,
            client,
            base,
            lookup_url,
            verify_url,
            encode: self.encode,
            attempt_timeout: self.attempt_timeout,
        })
    }
}

impl Endpoint {
    /// The timeout of the next attempt: the configured one, capped by the
    /// context's remaining time.
    pub(crate) fn attempt_timeout(&self, ctx: &RequestContext) -> Result<Duration, WireError> {
        match ctx.remaining() {
            Some(r) if r.is_zero() => Err(WireError::TimedOut),
            Some(r) => Ok(r.min(self.attempt_timeout)),
            None => Ok(self.attempt_timeout),
        }
    }

    /// The name form requests use.
    pub(crate) fn name_form(&self) -> NameForm {
        self.encode.name_form
    }
}

/// One HTTP exchange: the answer and the digests of both bodies.
pub(crate) struct Exchange {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) body: Vec<u8>,
    pub(crate) digest: ExchangeDigest,
}

/// What went wrong on the wire, before the backend's own reading.
#[derive(Debug)]
pub(crate) enum WireError {
    /// The attempt's timeout (or the deadline) passed.
    TimedOut,
    /// Connection refused, reset or otherwise broken.
    Connection(&'static str),
    /// HTTP 401 (after any refresh) or 403.
    Unauthorized,
    /// HTTP 429.
    RateLimited(Option<Duration>),
    /// A SOAP fault.
    Fault(SoapFault),
    /// A transient HTTP status.
    Unavailable(u16),
    /// A status the contract does not know.
    UnexpectedStatus(u16),
    /// A content type that is not the contract's.
    ContentType(String),
    /// A body that does not decode.
    Decode(DecodeError),
    /// A request header value that cannot be sent.
    BadHeader(&'static str),
    /// An answer larger than [`MAX_RESPONSE_BYTES`].
    TooLarge,
    /// The gateway's TLS certificate is not trusted.
    UntrustedCertificate,
}

impl From<WireError> for RegistryError {
    fn from(e: WireError) -> Self {
        match e {
            WireError::TimedOut => Self::TimedOut,
            WireError::Connection(what) => Self::Unavailable {
                reason: what.to_owned(),
            },
            WireError::Unauthorized => Self::Unauthorized,
            WireError::RateLimited(retry_after) => Self::RateLimited { retry_after },
            WireError::Fault(f) => f.into_error(),
            WireError::Unavailable(status) => Self::Unavailable {
                reason: format!("HTTP {status}"),
            },
            WireError::UnexpectedStatus(status) => Self::InvalidResponse {
                reason: format!("unexpected HTTP status {status}"),
            },
            WireError::ContentType(ct) => Self::InvalidResponse {
                reason: format!("unexpected content type {ct}"),
            },
            WireError::Decode(d) => d.into(),
            WireError::UntrustedCertificate => Self::Configuration {
                reason: "the gateway's TLS certificate is not trusted; if it is issued by a \
                         private CA, configure root_ca_pem"
                    .to_owned(),
            },
            WireError::TooLarge => Self::InvalidResponse {
                reason: format!("the answer is larger than {MAX_RESPONSE_BYTES} bytes"),
            },
            WireError::BadHeader(what) => Self::Configuration {
                reason: format!("{what} cannot be sent as an HTTP header"),
            },
        }
    }
}

pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Parses `Retry-After`: delay seconds or an HTTP-date.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// POSTs `body` with `headers`, within `timeout` for sending and reading
/// the whole answer.
pub(crate) async fn post(
    endpoint: &Endpoint,
    url: &Url,
    headers: HeaderMap,
    body: Vec<u8>,
    timeout: Duration,
) -> Result<Exchange, WireError> {
    let request_digest = sha256(&body);
    let started = Instant::now();
    let send = async {
        let resp = endpoint
            .client
            .post(url.clone())
            .headers(headers)
            .body(body)
            .send()
            .await
            .map_err(classify)?;
        let status = resp.status().as_u16();
        let header = |name| {
            resp.headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header(CONTENT_TYPE);
        let retry_after = header(RETRY_AFTER).as_deref().and_then(parse_retry_after);
        let mut resp = resp;
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(classify)? {
            if bytes.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(WireError::TooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok::<_, WireError>((status, content_type, retry_after, bytes))
    };
    let (status, content_type, retry_after, bytes) = tokio::time::timeout(timeout, send)
        .await
        .map_err(|_| WireError::TimedOut)??;
    tracing::debug!(
        gateway = %endpoint.name,
        path = url.path(),
        status,
        elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        response_bytes = bytes.len(),
        "gateway exchange"
    );
    let body = bytes;
    Ok(Exchange {
        status,
        content_type,
        retry_after,
        digest: ExchangeDigest {
            request: request_digest,
            response: sha256(&body),
        },
        body,
    })
}

/// Whether an error chain holds a rustls certificate refusal (hyper-util
/// wraps it in `io::Error`s).
fn untrusted_certificate(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(e);
    while let Some(err) = next {
        let mut inner: Option<&(dyn std::error::Error + 'static)> = Some(err);
        while let Some(x) = inner {
            if let Some(tls) = x.downcast_ref::<rustls::Error>() {
                return matches!(
                    tls,
                    rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented
                );
            }
            inner = x
                .downcast_ref::<std::io::Error>()
                .and_then(std::io::Error::get_ref)
                .map(|r| r as &(dyn std::error::Error + 'static));
        }
        next = err.source();
    }
    false
}

fn classify(e: reqwest::Error) -> WireError {
    if untrusted_certificate(&e) {
        WireError::UntrustedCertificate
    } else if e.is_timeout() {
        WireError::TimedOut
    } else if e.is_connect() {
        WireError::Connection("could not connect to the gateway")
    } else {
        WireError::Connection("the connection to the gateway failed")
    }
}

fn is_xml(content_type: Option<&str>) -> bool {
    content_type.is_none_or(|ct| {
        let ct = ct.to_ascii_lowercase();
        ct.contains("xml")
    })
}

/// Reads a SOAP exchange: 429 → rate limited; 401/403 → unauthorized; a
/// SOAP fault with any status → the fault; 200 → the answer; 5xx →
/// unavailable; anything else → invalid response.
pub(crate) fn read_soap<T>(
    ex: &Exchange,
    decode: fn(&[u8]) -> Result<SoapReply<T>, DecodeError>,
) -> Result<T, WireError> {
    match ex.status {
        429 => return Err(WireError::RateLimited(ex.retry_after)),
        401 | 403 => return Err(WireError::Unauthorized),
        _ => {}
    }
    let decoded = is_xml(ex.content_type.as_deref()).then(|| decode(&ex.body));
    if let Some(Ok(SoapReply::Fault(f))) = decoded {
        return Err(WireError::Fault(f));
    }
    match ex.status {
        200 => match decoded {
            Some(Ok(SoapReply::Answer(a))) => Ok(a),
            Some(Ok(SoapReply::Fault(_))) => Err(WireError::UnexpectedStatus(200)),
            Some(Err(e)) => Err(WireError::Decode(e)),
            None => Err(WireError::ContentType(
                ex.content_type.clone().unwrap_or_default(),
            )),
        },
        500..=599 => Err(WireError::Unavailable(ex.status)),
        s => Err(WireError::UnexpectedStatus(s)),
    }
}

/// A header value from configuration or a secret; an error names only the
/// setting.
pub(crate) fn header_value(value: &str, what: &'static str) -> Result<HeaderValue, WireError> {
    let mut v = HeaderValue::from_str(value).map_err(|_| WireError::BadHeader(what))?;
    v.set_sensitive(true);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_may_be_plain_http() {
        for ok in [
            "https://lgsp.example.vn",
            "http://127.0.0.1:8080",
            "http://127.9.9.9",
            "http://localhost:1234",
            "http://[::1]:99",
        ] {
            assert!(endpoint_url(ok, "/x", "p").is_ok(), "{ok}");
        }
        for bad in [
            "http://lgsp.example.vn",
            "http://10.0.0.1",
            "ftp://127.0.0.1",
            "https://user:pw@lgsp.example.vn",
            "not a url",
        ] {
            assert!(
                matches!(
                    endpoint_url(bad, "/x", "p"),
                    Err(RegistryError::Configuration { .. })
                ),
                "{bad}"
            );
        }
        assert!(endpoint_url("https://a.vn", "x", "p").is_err());
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        let future = SystemTime::now() + Duration::from_secs(120);
        let d = parse_retry_after(&httpdate::fmt_http_date(future)).unwrap();
        assert!(d > Duration::from_secs(100) && d <= Duration::from_secs(120));
        let past = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(60));
        assert_eq!(parse_retry_after(&past), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon"), None);
    }
}
