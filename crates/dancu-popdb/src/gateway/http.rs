//! The gateway's transport: one timed POST with digests, URL checks, and
//! the errors of the wire before the answer is read.

use std::fmt;
use std::time::{Duration, Instant, SystemTime};

use dancu_core::registry::{ExchangeDigest, RegistryError, RequestContext};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{Client, Url};
use sha2::{Digest, Sha256};

use dancu_wire::DecodeError;

/// The HTTP side of a gateway: the client, the two data URLs, and the
/// timeout of one exchange (the one owner of the attempt timeout).
#[derive(Clone)]
pub(crate) struct Http {
    pub(crate) name: String,
    pub(crate) client: Client,
    pub(crate) base: Url,
    pub(crate) lookup_url: Url,
    pub(crate) verify_url: Url,
    pub(crate) attempt_timeout: Duration,
    pub(crate) max_response_bytes: usize,
}

impl fmt::Debug for Http {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Http")
            .field("lookup_url", &self.lookup_url.as_str())
            .field("verify_url", &self.verify_url.as_str())
            .field("attempt_timeout", &self.attempt_timeout)
            .finish_non_exhaustive()
    }
}

pub(crate) fn config_error(reason: impl Into<String>) -> RegistryError {
    RegistryError::Configuration {
        reason: reason.into(),
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

impl Http {
    /// The timeout of the next exchange: the configured one, capped by the
    /// context's remaining time.
    pub(crate) fn attempt_timeout(&self, ctx: &RequestContext) -> Result<Duration, WireError> {
        match ctx.remaining() {
            Some(r) if r.is_zero() => Err(WireError::TimedOut),
            Some(r) => Ok(r.min(self.attempt_timeout)),
            None => Ok(self.attempt_timeout),
        }
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
    /// An answer larger than the limit.
    TooLarge(usize),
    /// The gateway's TLS certificate is not trusted.
    UntrustedCertificate,
    /// An answer that is not valid HTTP (bad status line or header bytes,
    /// headers too large).
    MalformedHttp,
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
                         private CA, configure ca_cert (root_ca_pem); if the URL holds an IP \
                         address, tls_server_name; or pin it with pin_sha256"
                    .to_owned(),
            },
            WireError::TooLarge(max) => Self::InvalidResponse {
                reason: format!("the answer is larger than {max} bytes"),
            },
            WireError::MalformedHttp => Self::InvalidResponse {
                reason: "the answer is not valid HTTP (status line or headers)".to_owned(),
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

/// The longest `Retry-After` taken from a gateway: a day. A longer wait
/// (`18446744073709551615`, a date in the year 9999) is read as a day, so
/// no timer, sum or header built from it can overflow.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// Parses `Retry-After`: delay seconds or an HTTP-date, at most
/// [`MAX_RETRY_AFTER`]; digits too many for a `u64` are that maximum too.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        let secs = v.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO)
            .min(MAX_RETRY_AFTER),
    )
}

/// POSTs `body` with `headers`, within `timeout` for sending and reading
/// the whole answer.
pub(crate) async fn post(
    endpoint: &Http,
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
            if bytes.len().saturating_add(chunk.len()) > endpoint.max_response_bytes {
                return Err(WireError::TooLarge(endpoint.max_response_bytes));
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

/// Whether an error chain holds hyper's refusal of what it parsed (an
/// invalid status line or header bytes, headers too large).
fn malformed_http(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(e);
    while let Some(err) = next {
        if let Some(h) = err.downcast_ref::<hyper::Error>()
            && (h.is_parse() || h.is_parse_status())
        {
            return true;
        }
        next = err.source();
    }
    false
}

fn classify(e: reqwest::Error) -> WireError {
    if untrusted_certificate(&e) {
        WireError::UntrustedCertificate
    } else if malformed_http(&e) {
        WireError::MalformedHttp
    } else if e.is_timeout() {
        WireError::TimedOut
    } else if e.is_connect() {
        WireError::Connection("could not connect to the gateway")
    } else {
        WireError::Connection("the connection to the gateway failed")
    }
}

pub(crate) fn is_xml(content_type: Option<&str>) -> bool {
    content_type.is_none_or(|ct| ct.to_ascii_lowercase().contains("xml"))
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
        assert_eq!(parse_retry_after("-5"), None);
        assert_eq!(parse_retry_after(""), None);
        // Absurd waits are a day, never an overflow.
        for absurd in [
            "18446744073709551615",
            "99999999999999999999999999",
            "86401",
            "Fri, 31 Dec 9999 23:59:59 GMT",
        ] {
            assert_eq!(parse_retry_after(absurd), Some(MAX_RETRY_AFTER), "{absurd}");
        }
    }
}
