//! The C06 direct gateway: SOAP over HTTPS to the national data-exchange
//! adapter, signed per request.
//!
//! Every request carries `Timestamp` (Unix time in milliseconds or seconds,
//! per deployment), `ApiKey`, `X-Road-Client`, and
//! `Authorization: Basic base64(user ":" hex(sha256(auth_url user timestamp secret)))`.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use dancu_core::registry::{
    CheckOutcome, ExchangeDigest, IdentityQuery, LookupOutcome, Operation, PopulationRegistry,
    RegistryError, RegistryInfo, Reply, RequestContext,
};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};

use super::http::{
    self, CommonConfig, Endpoint, Exchange, SOAP_CONTENT_TYPE, WireError, common_setters,
    config_error,
};
use super::soap;
use crate::Secret;

/// The unit of the `Timestamp` header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TimestampUnit {
    /// Milliseconds since the Unix epoch (the default).
    #[default]
    Milliseconds,
    /// Seconds since the Unix epoch.
    Seconds,
}

/// Why a C06 call failed, before it is mapped to [`RegistryError`].
#[derive(Debug)]
enum C06Error {
    /// The system clock is before 1970.
    Clock,
    /// The exchange.
    Wire(WireError),
}

impl From<WireError> for C06Error {
    fn from(e: WireError) -> Self {
        Self::Wire(e)
    }
}

impl From<C06Error> for RegistryError {
    fn from(e: C06Error) -> Self {
        match e {
            C06Error::Clock => Self::Configuration {
                reason: "the system clock is before the Unix epoch".to_owned(),
            },
            C06Error::Wire(w) => w.into(),
        }
    }
}

/// Builds a [`C06Gateway`]; [`C06Builder::build`] validates everything.
///
/// ```
/// use dancu_popdb::gateway::{C06Gateway, TimestampUnit};
/// use dancu_popdb::Secret;
/// let gw = C06Gateway::builder("https://c06.example.vn")
///     .lookup_path("/dancu/tracuu")
///     .verify_path("/dancu/xacthuc")
///     .credentials("motcua", Secret::new("s3cret"), Secret::new("k3y"))
///     .x_road_client("VN/GOV/000.00.21.H06/MOTCUA")
///     .auth_url("https://c06.example.vn/dancu")
///     .timestamp_unit(TimestampUnit::Seconds)
///     .build()
///     .unwrap();
/// let debug = format!("{gw:?}");
/// assert!(!debug.contains("s3cret") && !debug.contains("k3y"));
/// ```
pub struct C06Builder {
    common: CommonConfig,
    user: String,
    secret: Secret,
    api_key: Secret,
    x_road_client: String,
    auth_url: Option<String>,
    timestamp_unit: TimestampUnit,
}

impl fmt::Debug for C06Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("C06Builder")
            .field("common", &self.common)
            .field("user", &self.user)
            .field("secret", &self.secret)
            .field("api_key", &self.api_key)
            .field("x_road_client", &self.x_road_client)
            .field("auth_url", &self.auth_url)
            .field("timestamp_unit", &self.timestamp_unit)
            .finish()
    }
}

impl C06Builder {
    common_setters!();

    /// The user, the signing secret and the API key.
    #[must_use]
    pub fn credentials(mut self, user: impl Into<String>, secret: Secret, api_key: Secret) -> Self {
        self.user = user.into();
        self.secret = secret;
        self.api_key = api_key;
        self
    }

    /// The `X-Road-Client` header value (required).
    #[must_use]
    pub fn x_road_client(mut self, client: impl Into<String>) -> Self {
        self.x_road_client = client.into();
        self
    }

    /// The authentication URL string hashed into the signature (default: the
    /// base URL exactly as given).
    #[must_use]
    pub fn auth_url(mut self, url: impl Into<String>) -> Self {
        self.auth_url = Some(url.into());
        self
    }

    /// The unit of the `Timestamp` header (default milliseconds).
    #[must_use]
    pub fn timestamp_unit(mut self, unit: TimestampUnit) -> Self {
        self.timestamp_unit = unit;
        self
    }

    /// Validates the settings and builds the gateway.
    ///
    /// # Errors
    ///
    /// [`RegistryError::Configuration`] naming the bad setting.
    pub fn build(self) -> Result<C06Gateway, RegistryError> {
        if self.user.is_empty() || self.user.contains(':') {
            return Err(config_error(
                "the C06 user is required and cannot contain ':'",
            ));
        }
        if self.secret.is_empty() || self.api_key.is_empty() {
            return Err(config_error("the C06 secret and API key are required"));
        }
        if self.x_road_client.trim().is_empty() {
            return Err(config_error("X-Road-Client is required"));
        }
        let check = |v: &str, what: &'static str| {
            http::header_value(v, what)
                .map_err(|_| config_error(format!("{what} cannot be sent as an HTTP header value")))
        };
        check(self.api_key.expose(), "ApiKey")?;
        check(&self.x_road_client, "X-Road-Client")?;
        check(&self.user, "user")?;
        let auth_url = self
            .auth_url
            .clone()
            .unwrap_or_else(|| self.common.base_url.clone());
        let endpoint = self.common.validate()?;
        Ok(C06Gateway {
            endpoint,
            user: self.user,
            secret: self.secret,
            api_key: self.api_key,
            x_road_client: self.x_road_client,
            auth_url,
            timestamp_unit: self.timestamp_unit,
        })
    }
}

/// The C06 direct gateway. `Debug` never shows the secret or the key.
pub struct C06Gateway {
    endpoint: Endpoint,
    user: String,
    secret: Secret,
    api_key: Secret,
    x_road_client: String,
    auth_url: String,
    timestamp_unit: TimestampUnit,
}

impl fmt::Debug for C06Gateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("C06Gateway")
            .field("endpoint", &self.endpoint)
            .field("user", &self.user)
            .field("secret", &self.secret)
            .field("api_key", &self.api_key)
            .field("x_road_client", &self.x_road_client)
            .field("auth_url", &self.auth_url)
            .field("timestamp_unit", &self.timestamp_unit)
            .finish()
    }
}

/// The `Authorization` value for a timestamp:
/// `Basic base64(user ":" lowercase_hex(sha256(auth_url user timestamp secret)))`.
#[must_use]
pub fn c06_authorization(auth_url: &str, user: &str, timestamp: &str, secret: &str) -> String {
    let digest = http::sha256(format!("{auth_url}{user}{timestamp}{secret}").as_bytes());
    let hex = ExchangeDigest::hex(&digest);
    format!("Basic {}", STANDARD.encode(format!("{user}:{hex}")))
}

/// Why a C06 signature is refused (server side).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum C06AuthError {
    /// `Timestamp` is missing or not a number.
    #[error("Timestamp is missing or not a Unix time")]
    BadTimestamp,
    /// `Timestamp` is outside the skew window.
    #[error("Timestamp is outside the allowed clock skew")]
    OutsideSkew,
    /// `Authorization` does not match the signature.
    #[error("the signature does not match")]
    BadSignature,
}

/// What the adapter checks a C06 request against (server side, for
/// sandboxes and tests playing the adapter). `Debug` hides the secret.
#[derive(Clone, Debug)]
pub struct C06Verifier {
    /// The authentication URL string hashed into the signature.
    pub auth_url: String,
    /// The user.
    pub user: String,
    /// The signing secret.
    pub secret: Secret,
    /// The unit of `Timestamp`.
    pub unit: TimestampUnit,
    /// The allowed clock skew (the contract's default is 300 s).
    pub skew: Duration,
}

impl C06Verifier {
    /// Checks `timestamp` (within `skew` of `now`) and `authorization`
    /// (equal to [`c06_authorization`] of it).
    ///
    /// # Errors
    ///
    /// [`C06AuthError`] saying which check failed.
    pub fn verify(
        &self,
        timestamp: &str,
        authorization: &str,
        now: SystemTime,
    ) -> Result<(), C06AuthError> {
        let ts: u128 = timestamp
            .trim()
            .parse()
            .map_err(|_| C06AuthError::BadTimestamp)?;
        let now = now
            .duration_since(UNIX_EPOCH)
            .map_err(|_| C06AuthError::BadTimestamp)?;
        let (now, skew) = match self.unit {
            TimestampUnit::Milliseconds => (now.as_millis(), self.skew.as_millis()),
            TimestampUnit::Seconds => (u128::from(now.as_secs()), u128::from(self.skew.as_secs())),
        };
        if now.abs_diff(ts) > skew {
            return Err(C06AuthError::OutsideSkew);
        }
        let expected = c06_authorization(
            &self.auth_url,
            &self.user,
            timestamp.trim(),
            self.secret.expose(),
        );
        // Compare without an early exit.
        let same = expected.len() == authorization.len()
            && expected
                .bytes()
                .zip(authorization.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if same {
            Ok(())
        } else {
            Err(C06AuthError::BadSignature)
        }
    }
}

impl C06Gateway {
    /// A builder for the gateway at `base_url`.
    #[must_use]
    pub fn builder(base_url: &str) -> C06Builder {
        C06Builder {
            common: CommonConfig::new("c06", base_url),
            user: String::new(),
            secret: Secret::new(""),
            api_key: Secret::new(""),
            x_road_client: String::new(),
            auth_url: None,
            timestamp_unit: TimestampUnit::Milliseconds,
        }
    }

    fn timestamp(&self) -> Result<String, C06Error> {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|_| C06Error::Clock)?;
        Ok(match self.timestamp_unit {
            TimestampUnit::Milliseconds => since.as_millis().to_string(),
            TimestampUnit::Seconds => since.as_secs().to_string(),
        })
    }

    async fn call(
        &self,
        op: Operation,
        ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Result<Exchange, C06Error> {
        let body = soap::encode_request(op, ctx, query, &self.endpoint.encode);
        let url = match op {
            Operation::Lookup => &self.endpoint.lookup_url,
            Operation::Check => &self.endpoint.verify_url,
        };
        let timestamp = self.timestamp()?;
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(SOAP_CONTENT_TYPE));
        headers.insert("SOAPAction", HeaderValue::from_static("\"\""));
        headers.insert("Timestamp", http::header_value(&timestamp, "Timestamp")?);
        headers.insert(
            "ApiKey",
            http::header_value(self.api_key.expose(), "ApiKey")?,
        );
        headers.insert(
            "X-Road-Client",
            http::header_value(&self.x_road_client, "X-Road-Client")?,
        );
        headers.insert(
            AUTHORIZATION,
            http::header_value(
                &c06_authorization(&self.auth_url, &self.user, &timestamp, self.secret.expose()),
                "Authorization",
            )?,
        );
        let timeout = self.endpoint.attempt_timeout(ctx)?;
        let exchange = http::post(&self.endpoint, url, headers, body.into_bytes(), timeout).await?;
        ctx.note_exchange(exchange.digest);
        Ok(exchange)
    }
}

#[async_trait]
impl PopulationRegistry for C06Gateway {
    fn info(&self) -> RegistryInfo {
        RegistryInfo {
            name: self.endpoint.name.clone(),
            channel: "c06",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_is_basic_user_and_hex_sha256() {
        let v = c06_authorization(
            "https://c06.example.vn/auth",
            "motcua",
            "1764230400000",
            "s3cret",
        );
        let decoded =
            String::from_utf8(STANDARD.decode(v.strip_prefix("Basic ").unwrap()).unwrap()).unwrap();
        let (user, hex) = decoded.split_once(':').unwrap();
        assert_eq!(user, "motcua");
        assert_eq!(hex.len(), 64);
        assert!(
            hex.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        // sha256("abc") is the FIPS 180-2 test vector.
        let abc = c06_authorization("a", "b", "c", "");
        let decoded = String::from_utf8(
            STANDARD
                .decode(abc.strip_prefix("Basic ").unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            decoded,
            "b:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn server_side_verification() {
        let now = UNIX_EPOCH + Duration::from_secs(1_764_230_400);
        let verifier = |unit| C06Verifier {
            auth_url: "u".into(),
            user: "motcua".into(),
            secret: Secret::new("s3cr3t"),
            unit,
            skew: Duration::from_secs(300),
        };
        let ok = |ts: &str, unit| {
            let auth = c06_authorization("u", "motcua", ts, "s3cr3t");
            verifier(unit).verify(ts, &auth, now)
        };
        assert_eq!(ok("1764230400000", TimestampUnit::Milliseconds), Ok(()));
        assert_eq!(ok("1764230699", TimestampUnit::Seconds), Ok(()));
        assert_eq!(
            ok("1764230701", TimestampUnit::Seconds),
            Err(C06AuthError::OutsideSkew)
        );
        assert_eq!(
            ok("1764230400", TimestampUnit::Milliseconds),
            Err(C06AuthError::OutsideSkew)
        );
        assert_eq!(
            ok("soon", TimestampUnit::Seconds),
            Err(C06AuthError::BadTimestamp)
        );
        let auth = c06_authorization("u", "motcua", "1764230400", "other");
        assert_eq!(
            verifier(TimestampUnit::Seconds).verify("1764230400", &auth, now),
            Err(C06AuthError::BadSignature)
        );
        assert!(!format!("{:?}", verifier(TimestampUnit::Seconds)).contains("s3cr3t"));
    }
}
