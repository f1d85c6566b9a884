//! Fault injection: what can go wrong on purpose, configurable at start
//! (`--faults FILE`, TOML or JSON) and while running (`PUT /admin/faults`).

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Added latency before each answer.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum Latency {
    /// Always this many milliseconds: `latency_ms = 50`.
    Fixed(u64),
    /// Uniformly between two bounds: `latency_ms = { min = 10, max = 200 }`.
    Uniform {
        /// Lower bound, ms.
        min: u64,
        /// Upper bound, ms.
        max: u64,
    },
    /// Exponentially distributed (a long tail): `latency_ms = { mean = 40 }`.
    Exponential {
        /// Mean, ms.
        mean: u64,
    },
}

impl Latency {
    /// A delay drawn from the distribution; `u` is uniform in `[0, 1)`.
    #[must_use]
    pub fn sample(&self, u: f64) -> Duration {
        let ms = match *self {
            Self::Fixed(ms) => ms as f64,
            Self::Uniform { min, max } => {
                let (lo, hi) = (min.min(max) as f64, min.max(max) as f64);
                lo + (hi - lo) * u
            }
            Self::Exponential { mean } => -(mean as f64) * (1.0 - u).ln(),
        };
        Duration::from_secs_f64((ms / 1000.0).clamp(0.0, 600.0))
    }
}

/// An outage: every request answers 503 inside the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outage {
    /// Starts this long after the faults are set.
    #[serde(default)]
    pub start_after_ms: u64,
    /// Lasts this long.
    pub duration_ms: u64,
}

/// The fault knobs. Every share is a probability in `[0, 1]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Added latency.
    pub latency_ms: Option<Latency>,
    /// Share of requests answered with HTTP 500/502/503/504.
    pub error_rate: f64,
    /// Share of requests answered with a SOAP `Server` fault (HTTP 500).
    pub server_fault_rate: f64,
    /// Share of well-formed requests the gateway reads and then refuses, in
    /// its dialect (a SOAP `Client` fault, a provincial refusal code), with
    /// [`REJECTION_TEXT`]: what a gateway answers for an officer or
    /// procedure it has not registered.
    pub rejected_rate: f64,
    /// Share of connections reset before any answer.
    pub reset_rate: f64,
    /// Share of answers replaced by a malformed body.
    pub malformed_rate: f64,
    /// Requests per second allowed; above it, HTTP 429 with `Retry-After`.
    pub quota_per_second: Option<u32>,
    /// The `Retry-After` seconds sent with a 429.
    pub retry_after_s: Option<u64>,
    /// LGSP token lifetime in seconds (default 3600, at most
    /// [`MAX_TOKEN_LIFETIME_S`]).
    pub token_lifetime_s: Option<u64>,
    /// An outage window.
    pub outage: Option<Outage>,
}

/// The gateway's text when `rejected_rate` refuses a request.
pub const REJECTION_TEXT: &str =
    "Cán bộ chưa được cấp quyền khai thác thông tin công dân cho thủ tục này";

/// The longest LGSP token lifetime the sandbox issues (seven days); a
/// longer `token_lifetime_s` is refused by [`Faults::validate`] and clamped
/// by [`Faults::token_lifetime`].
pub const MAX_TOKEN_LIFETIME_S: u64 = 7 * 24 * 3600;

/// Why a faults file or body was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FaultsError {
    /// Not valid TOML or JSON of the expected shape.
    #[error("invalid faults: {0}")]
    Parse(String),
    /// A share outside `[0, 1]`.
    #[error("{0} must be between 0 and 1")]
    Share(&'static str),
    /// A setting outside its range.
    #[error("{key} must be at most {max}")]
    TooLarge {
        /// The setting.
        key: &'static str,
        /// Its largest value.
        max: u64,
    },
}

impl Faults {
    /// Parses faults from TOML or JSON text (JSON when it starts with `{`).
    ///
    /// # Errors
    ///
    /// [`FaultsError`] naming the problem.
    pub fn parse(text: &str) -> Result<Self, FaultsError> {
        let faults: Self = if text.trim_start().starts_with('{') {
            serde_json::from_str(text).map_err(|e| FaultsError::Parse(e.to_string()))?
        } else {
            toml::from_str(text).map_err(|e| FaultsError::Parse(e.to_string()))?
        };
        faults.validate()?;
        Ok(faults)
    }

    /// Checks every share is a probability and the token lifetime is at
    /// most [`MAX_TOKEN_LIFETIME_S`].
    ///
    /// # Errors
    ///
    /// [`FaultsError::Share`] or [`FaultsError::TooLarge`] naming the knob.
    pub fn validate(&self) -> Result<(), FaultsError> {
        for (name, v) in [
            ("error_rate", self.error_rate),
            ("server_fault_rate", self.server_fault_rate),
            ("rejected_rate", self.rejected_rate),
            ("reset_rate", self.reset_rate),
            ("malformed_rate", self.malformed_rate),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(FaultsError::Share(name));
            }
        }
        if self
            .token_lifetime_s
            .is_some_and(|s| s > MAX_TOKEN_LIFETIME_S)
        {
            return Err(FaultsError::TooLarge {
                key: "token_lifetime_s",
                max: MAX_TOKEN_LIFETIME_S,
            });
        }
        Ok(())
    }

    /// The LGSP token lifetime, at most [`MAX_TOKEN_LIFETIME_S`] (faults
    /// set without [`Faults::validate`] are clamped).
    #[must_use]
    pub fn token_lifetime(&self) -> Duration {
        Duration::from_secs(
            self.token_lifetime_s
                .unwrap_or(3600)
                .min(MAX_TOKEN_LIFETIME_S),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_toml_and_json() {
        let t = Faults::parse(
            "error_rate = 0.1\nlatency_ms = { min = 5, max = 20 }\nquota_per_second = 100\n[outage]\nduration_ms = 500\n",
        )
        .unwrap();
        assert_eq!(t.latency_ms, Some(Latency::Uniform { min: 5, max: 20 }));
        assert_eq!(t.outage.unwrap().duration_ms, 500);
        let j = Faults::parse(r#"{"latency_ms": 30, "reset_rate": 0.5}"#).unwrap();
        assert_eq!(j.latency_ms, Some(Latency::Fixed(30)));
        assert!(Faults::parse(r#"{"error_rate": 2}"#).is_err());
        assert!(Faults::parse(r#"{"eror_rate": 0.1}"#).is_err());
    }

    #[test]
    fn an_absurd_token_lifetime_is_refused_or_clamped() {
        let err = Faults::parse("token_lifetime_s = 9223372036854775807").unwrap_err();
        assert!(err.to_string().contains("token_lifetime_s"), "{err}");
        let err = Faults::parse(r#"{"token_lifetime_s": 18446744073709551615}"#).unwrap_err();
        assert!(err.to_string().contains("token_lifetime_s"), "{err}");
        let ok = Faults::parse(&format!("token_lifetime_s = {MAX_TOKEN_LIFETIME_S}")).unwrap();
        assert_eq!(ok.token_lifetime().as_secs(), MAX_TOKEN_LIFETIME_S);
        let unchecked = Faults {
            token_lifetime_s: Some(u64::MAX),
            ..Faults::default()
        };
        assert_eq!(unchecked.token_lifetime().as_secs(), MAX_TOKEN_LIFETIME_S);
    }

    #[test]
    fn latency_samples() {
        assert_eq!(Latency::Fixed(50).sample(0.3), Duration::from_millis(50));
        let u = Latency::Uniform { min: 10, max: 20 };
        assert_eq!(u.sample(0.5), Duration::from_millis(15));
        assert!(Latency::Exponential { mean: 40 }.sample(0.999) > Duration::from_millis(200));
    }
}
