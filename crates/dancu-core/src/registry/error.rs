//! What can go wrong talking to the population database.

use std::time::Duration;

/// Why a lookup or check failed. The variants say what the caller can do.
/// Messages never carry an ID number, name, birth date, token or key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// The gateway refused the request (a SOAP `Client` fault or a provincial
    /// refusal): fix the request; do not retry.
    #[error("the gateway rejected the request: {fault}")]
    Rejected {
        /// The gateway's fault text.
        fault: String,
    },
    /// Authentication failed even after refreshing credentials.
    #[error("the gateway refused our credentials")]
    Unauthorized,
    /// Quota exceeded (HTTP 429).
    #[error("the gateway's quota is exceeded{}", retry_after.map(|d| format!(" (retry after {} s)", d.as_secs())).unwrap_or_default())]
    RateLimited {
        /// How long the gateway asked us to wait.
        retry_after: Option<Duration>,
    },
    /// The gateway failed or could not be reached (5xx, `Server` fault,
    /// connection reset).
    #[error("the gateway is unavailable: {reason}")]
    Unavailable {
        /// What happened.
        reason: String,
    },
    /// The deadline passed.
    #[error("the gateway did not answer within the deadline")]
    TimedOut,
    /// The gateway answered with something that is not the contract.
    #[error("the gateway sent an invalid response: {reason}")]
    InvalidResponse {
        /// What was wrong.
        reason: String,
    },
    /// The connector is misconfigured.
    #[error("configuration error: {reason}")]
    Configuration {
        /// What is wrong.
        reason: String,
    },
    /// The audit trail could not record the lookup, so it was not made.
    #[error("the audit trail could not record the lookup: {reason}")]
    AuditFailed {
        /// What happened.
        reason: String,
    },
    /// Refused on our side before any call, by a rule of the one-stop
    /// system (an officer whose account has not confirmed its one-time
    /// code, say): nothing was sent. Meet the rule, then look up again.
    #[error("refused before any call: {reason}")]
    Refused {
        /// The rule that refused it.
        reason: String,
    },
}

impl RegistryError {
    /// Whether retrying the same request later may succeed.
    #[must_use]
    pub const fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. } | Self::Unavailable { .. } | Self::TimedOut
        )
    }

    /// The stable key, used as the `outcome` of `dancu verify`: `rejected`,
    /// `unauthorized`, `rate_limited`, `unavailable`, `timed_out`,
    /// `invalid_response`, `configuration`, `audit_failed`, `refused`.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Rejected { .. } => "rejected",
            Self::Unauthorized => "unauthorized",
            Self::RateLimited { .. } => "rate_limited",
            Self::Unavailable { .. } => "unavailable",
            Self::TimedOut => "timed_out",
            Self::InvalidResponse { .. } => "invalid_response",
            Self::Configuration { .. } => "configuration",
            Self::AuditFailed { .. } => "audit_failed",
            Self::Refused { .. } => "refused",
        }
    }
}
