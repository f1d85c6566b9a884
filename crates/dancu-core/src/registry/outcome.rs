//! What a lookup or a check comes back with.

use std::fmt;

use super::record::CitizenRecord;

/// The answer to a full lookup (`TraCuuThongTinCongDan`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LookupOutcome {
    /// The citizen's record.
    Found(Box<CitizenRecord>),
    /// No citizen matches the ID, name and birth date.
    NotFound,
    /// The citizen must confirm a one-time password; re-send with it.
    OtpRequired,
    /// The one-time password was wrong.
    OtpRejected,
}

impl LookupOutcome {
    /// The stable key: `found`, `not_found`, `otp_required`, `otp_rejected`.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Found(_) => "found",
            Self::NotFound => "not_found",
            Self::OtpRequired => "otp_required",
            Self::OtpRejected => "otp_rejected",
        }
    }
}

/// The answer to a yes/no check (`XacThucThongTinCongDan`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CheckOutcome {
    /// `TonTai` true: the ID, name and birth date belong together.
    Confirmed,
    /// `TonTai` false.
    NotConfirmed,
    /// The citizen must confirm a one-time password.
    OtpRequired,
    /// The one-time password was wrong.
    OtpRejected,
}

impl CheckOutcome {
    /// The stable key: `confirmed`, `not_confirmed`, `otp_required`, `otp_rejected`.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::NotConfirmed => "not_confirmed",
            Self::OtpRequired => "otp_required",
            Self::OtpRejected => "otp_rejected",
        }
    }
}

/// SHA-256 digests of the bytes sent and received, for the audit trail.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExchangeDigest {
    /// Digest of the request body.
    pub request: [u8; 32],
    /// Digest of the response body.
    pub response: [u8; 32],
}

impl ExchangeDigest {
    /// Lower-case hex of a digest.
    #[must_use]
    pub fn hex(d: &[u8; 32]) -> String {
        use fmt::Write as _;
        d.iter().fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
    }
}

impl fmt::Debug for ExchangeDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ExchangeDigest {{ request: {}, response: {} }}",
            Self::hex(&self.request),
            Self::hex(&self.response)
        )
    }
}

/// What is known about how an answer was obtained.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReplyMeta {
    /// How many attempts were made (1 without retries).
    pub attempts: u32,
    /// Digests of the last exchange on the wire, when there was one.
    pub exchange: Option<ExchangeDigest>,
    /// The data's as-of time, as the gateway sent it.
    pub as_of: Option<String>,
}

impl ReplyMeta {
    /// Metadata of a single attempt.
    #[must_use]
    pub fn single(exchange: Option<ExchangeDigest>, as_of: Option<String>) -> Self {
        Self {
            attempts: 1,
            exchange,
            as_of,
        }
    }
}

/// An outcome with its metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply<T> {
    /// The outcome.
    pub outcome: T,
    /// How it was obtained.
    pub meta: ReplyMeta,
}

impl<T> Reply<T> {
    /// An outcome obtained in one attempt.
    #[must_use]
    pub fn new(outcome: T, meta: ReplyMeta) -> Self {
        Self { outcome, meta }
    }
}
