//! What the channels' authentication puts in headers, both directions: the
//! LGSP `lgspaccesstoken` header and the C06 signature.
//!
//! ```
//! use std::time::{Duration, SystemTime, UNIX_EPOCH};
//! use dancu_wire::{Secret, TimestampUnit};
//! use dancu_wire::auth::{C06Verifier, LgspCredentials, c06_authorization};
//! let creds = LgspCredentials {
//!     access_key: "ak".into(), secret_key: Secret::new("sk"), app_name: "motcua".into(),
//!     partner_code: "000.00.21.H06".into(), partner_code_cus: String::new(),
//! };
//! assert_eq!(LgspCredentials::from_header(creds.to_header().expose()).unwrap(), creds);
//! let now = UNIX_EPOCH + Duration::from_secs(1_764_230_400);
//! let auth = c06_authorization("https://c06.example.vn/api", "motcua", "1764230400", "s3cret");
//! let verifier = C06Verifier {
//!     auth_url: "https://c06.example.vn/api".into(), user: "motcua".into(),
//!     secret: Secret::new("s3cret"), unit: TimestampUnit::Seconds, skew: Duration::from_secs(300),
//! };
//! assert!(verifier.verify("1764230400", &auth, now).is_ok());
//! ```

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use crate::{Secret, TimestampUnit};

/// The name of the LGSP credentials header.
pub const LGSP_ACCESS_HEADER: &str = "lgspaccesstoken";

/// The five credentials of an `lgspaccesstoken` header. `Debug` hides the
/// keys.
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

fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

impl LgspCredentials {
    /// The header value: base64 of the JSON object with the five fields, in
    /// the order `AccessKey`, `SecretKey`, `AppName`, `PartnerCode`,
    /// `PartnerCodeCus`.
    #[must_use]
    pub fn to_header(&self) -> Secret {
        let json = format!(
            "{{\"AccessKey\":{},\"SecretKey\":{},\"AppName\":{},\"PartnerCode\":{},\"PartnerCodeCus\":{}}}",
            json_string(&self.access_key),
            json_string(self.secret_key.expose()),
            json_string(&self.app_name),
            json_string(&self.partner_code),
            json_string(&self.partner_code_cus),
        );
        Secret::new(STANDARD.encode(json))
    }

    /// Reads an `lgspaccesstoken` header value (all strings; a missing one
    /// is empty).
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

/// Lower-case hex of bytes.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    use fmt::Write as _;
    let mut s = String::with_capacity(bytes.len().saturating_mul(2));
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The C06 `Authorization` value for a timestamp:
/// `Basic base64(user ":" lowercase_hex(sha256(auth_url + user + timestamp + secret)))`.
#[must_use]
pub fn c06_authorization(auth_url: &str, user: &str, timestamp: &str, secret: &str) -> String {
    let digest = Sha256::digest(format!("{auth_url}{user}{timestamp}{secret}").as_bytes());
    format!(
        "Basic {}",
        STANDARD.encode(format!("{user}:{}", hex(&digest)))
    )
}

/// The C06 `Timestamp` for `now`, in `unit`.
///
/// # Errors
///
/// When the clock is before 1970.
pub fn c06_timestamp(now: SystemTime, unit: TimestampUnit) -> Result<String, &'static str> {
    let since = now
        .duration_since(UNIX_EPOCH)
        .map_err(|_| "the system clock is before the Unix epoch")?;
    Ok(match unit {
        TimestampUnit::Milliseconds => since.as_millis().to_string(),
        TimestampUnit::Seconds => since.as_secs().to_string(),
    })
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
    /// Checks `timestamp` (within `skew` of `now`, in the verifier's unit)
    /// and `authorization` (equal to [`c06_authorization`] of it).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_is_basic_user_and_hex_sha256() {
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
        // A timestamp in the wrong unit is outside the window.
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
        let ts = c06_timestamp(now, TimestampUnit::Seconds).unwrap();
        assert_eq!(ts, "1764230400");
    }
}
