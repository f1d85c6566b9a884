//! Who is looking a citizen up, why, and until when.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::ExchangeDigest;
use crate::{DossierCode, ProcedureCode};

/// Why a request context could not be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContextError {
    /// No officer: every lookup is made by a named officer (`MaCanBo`).
    #[error("no officer given: every lookup must name the officer making it")]
    MissingOfficer,
    /// The officer identifier has characters a gateway cannot carry.
    #[error("an officer identifier is 1-64 visible ASCII characters without spaces")]
    InvalidOfficer,
    /// The unit code has characters a gateway cannot carry.
    #[error("a unit code is 1-64 ASCII letters, digits, dots, dashes or underscores")]
    InvalidUnit,
    /// The request id is not a UUID.
    #[error("a request id is a UUID")]
    InvalidRequestId,
    /// The purpose text is empty or too long.
    #[error("the purpose is 1-500 characters without control characters")]
    InvalidPurpose,
    /// The calling client's name is empty, too long, or has characters
    /// other than those allowed.
    #[error("a client name is 1-64 ASCII letters, digits, dots, dashes or underscores")]
    InvalidClient,
}

/// The id of one logical check (`MaYeuCau`): a UUID, generated once and kept
/// on every retry of that check.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(uuid::Uuid);

impl RequestId {
    /// A new random (version 4) request id.
    #[must_use]
    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4())
    }
}

impl FromStr for RequestId {
    type Err = ContextError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        uuid::Uuid::try_parse(s.trim())
            .map(Self)
            .map_err(|_| ContextError::InvalidRequestId)
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RequestId({self})")
    }
}

crate::serde_via_str!(RequestId, "a UUID");

/// The officer making a lookup (`MaCanBo`): an LGSP username or the
/// officer's own identifier.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct OfficerId(String);

impl OfficerId {
    /// The identifier.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for OfficerId {
    type Err = ContextError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() {
            return Err(ContextError::MissingOfficer);
        }
        if s.len() > 64 || !s.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ContextError::InvalidOfficer);
        }
        Ok(Self(s.to_owned()))
    }
}

impl fmt::Display for OfficerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

crate::serde_via_str!(OfficerId, "an officer identifier");

/// The officer's unit code (`MaDonVi`), e.g. `000.00.21.H06`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct UnitCode(String);

impl UnitCode {
    /// The code.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for UnitCode {
    type Err = ContextError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(ContextError::InvalidUnit)
        }
    }
}

impl fmt::Display for UnitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

crate::serde_via_str!(UnitCode, "a unit code");

/// Everything about a lookup that is not the citizen: the request id, the
/// officer and unit, the calling client (the one-stop system that asked,
/// when a service makes lookups for several), the procedure (the purpose,
/// `MaDVC`), the dossier, the legal basis, and the overall deadline. No officer, no lookup: the only
/// constructor requires one.
///
/// ```
/// use std::time::Duration;
/// use dancu_core::RequestContext;
/// let ctx = RequestContext::new("canbo.motcua01", "1.001776".parse().unwrap())
///     .unwrap()
///     .with_timeout(Duration::from_secs(10));
/// assert_eq!(ctx.officer().as_str(), "canbo.motcua01");
/// assert!(RequestContext::new("  ", "1.001776".parse().unwrap()).is_err());
/// ```
#[derive(Clone, Debug)]
pub struct RequestContext {
    request_id: RequestId,
    officer: OfficerId,
    unit: Option<UnitCode>,
    /// The calling system's configured name, recorded next to the officer.
    client: Option<String>,
    procedure: ProcedureCode,
    dossier: Option<DossierCode>,
    purpose: Option<String>,
    deadline: Option<Instant>,
    /// Attempts made on the wire for this logical check, shared by clones.
    attempts: Arc<AtomicU32>,
    /// Answered exchanges on the wire so far and the digests of the last
    /// one, shared by clones.
    exchanges: Arc<Mutex<(u32, Option<ExchangeDigest>)>>,
    /// The id this check goes by on the wire, when a gateway's dialect
    /// writes one of its own (prefix and time): fixed on first use and
    /// shared by clones, so every retry carries the same.
    wire_id: Arc<OnceLock<String>>,
}

impl RequestContext {
    /// A context for one logical check, with a fresh request id.
    ///
    /// # Errors
    ///
    /// [`ContextError::MissingOfficer`] when `officer` is empty, or
    /// [`ContextError::InvalidOfficer`].
    pub fn new(officer: &str, procedure: ProcedureCode) -> Result<Self, ContextError> {
        Ok(Self {
            request_id: RequestId::generate(),
            officer: officer.parse()?,
            unit: None,
            client: None,
            procedure,
            dossier: None,
            purpose: None,
            deadline: None,
            attempts: Arc::default(),
            exchanges: Arc::default(),
            wire_id: Arc::default(),
        })
    }

    /// Sets the officer's unit.
    #[must_use]
    pub fn with_unit(mut self, unit: UnitCode) -> Self {
        self.unit = Some(unit);
        self
    }

    /// Sets the name of the calling client: the system a service makes
    /// this lookup for (e.g. `tandan`, as named in its configuration),
    /// recorded in the audit trail next to the officer. Surrounding spaces
    /// are trimmed.
    ///
    /// ```
    /// use dancu_core::RequestContext;
    /// let ctx = RequestContext::new("canbo.motcua01", "1.001776".parse().unwrap())
    ///     .unwrap()
    ///     .with_client("tandan")
    ///     .unwrap();
    /// assert_eq!(ctx.client(), Some("tandan"));
    /// ```
    ///
    /// # Errors
    ///
    /// [`ContextError::InvalidClient`] when the name is empty, longer than
    /// 64 characters, or has characters other than ASCII letters, digits,
    /// `-`, `_` and `.`.
    pub fn with_client(mut self, client: &str) -> Result<Self, ContextError> {
        let c = client.trim();
        let ok = !c.is_empty()
            && c.len() <= 64
            && c.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
        if !ok {
            return Err(ContextError::InvalidClient);
        }
        self.client = Some(c.to_owned());
        Ok(self)
    }

    /// Sets the dossier the lookup is for.
    #[must_use]
    pub fn with_dossier(mut self, dossier: DossierCode) -> Self {
        self.dossier = Some(dossier);
        self
    }

    /// Sets the purpose or legal basis, recorded in the audit trail.
    ///
    /// # Errors
    ///
    /// When the text is empty, longer than 500 characters or has control
    /// characters.
    pub fn with_purpose(mut self, purpose: &str) -> Result<Self, ContextError> {
        let p = purpose.trim();
        if p.is_empty() || p.chars().count() > 500 || p.chars().any(char::is_control) {
            return Err(ContextError::InvalidPurpose);
        }
        self.purpose = Some(p.to_owned());
        Ok(self)
    }

    /// Sets the overall deadline `timeout` from now. A timeout too long for
    /// the clock to represent (`Duration::MAX`, a lifetime from a
    /// configuration file) means no deadline.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        match Instant::now().checked_add(timeout) {
            Some(deadline) => self.with_deadline(deadline),
            None => {
                self.deadline = None;
                self
            }
        }
    }

    /// Sets the overall deadline.
    #[must_use]
    pub fn with_deadline(mut self, deadline: Instant) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Uses a given request id (to continue a logical check, e.g. the
    /// one-time-password round trip).
    #[must_use]
    pub fn with_request_id(mut self, id: RequestId) -> Self {
        self.request_id = id;
        self.wire_id = Arc::default();
        self
    }

    /// The request id (`MaYeuCau`).
    #[must_use]
    pub const fn request_id(&self) -> RequestId {
        self.request_id
    }

    /// The id this logical check goes by on the wire when a gateway writes
    /// its own form of it (`make` is called on first use only): every retry
    /// — every clone of this context — gets the same.
    pub fn wire_request_id(&self, make: impl FnOnce() -> String) -> &str {
        self.wire_id.get_or_init(make)
    }

    /// The officer (`MaCanBo`).
    #[must_use]
    pub const fn officer(&self) -> &OfficerId {
        &self.officer
    }

    /// The officer's unit (`MaDonVi`).
    #[must_use]
    pub const fn unit(&self) -> Option<&UnitCode> {
        self.unit.as_ref()
    }

    /// The calling client's name, when a service makes the lookup for one
    /// ([`RequestContext::with_client`]).
    #[must_use]
    pub fn client(&self) -> Option<&str> {
        self.client.as_deref()
    }

    /// The procedure code (`MaDVC`).
    #[must_use]
    pub const fn procedure(&self) -> &ProcedureCode {
        &self.procedure
    }

    /// The dossier code, kept locally even where the wire has no slot for it.
    #[must_use]
    pub const fn dossier(&self) -> Option<&DossierCode> {
        self.dossier.as_ref()
    }

    /// The purpose or legal basis.
    #[must_use]
    pub fn purpose(&self) -> Option<&str> {
        self.purpose.as_deref()
    }

    /// The overall deadline.
    #[must_use]
    pub const fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Counts one more attempt on the wire (called by the retry layer);
    /// returns the new count.
    pub fn note_attempt(&self) -> u32 {
        self.attempts
            .fetch_add(1, Ordering::Relaxed)
            .saturating_add(1)
    }

    /// How many attempts have been made for this logical check so far.
    #[must_use]
    pub fn attempts(&self) -> u32 {
        self.attempts.load(Ordering::Relaxed)
    }

    /// Records the digests of one answered exchange on the wire (called by
    /// gateways for every data call that got a response, whatever it said),
    /// so that a failed call can still be audited with what was sent and
    /// received.
    pub fn note_exchange(&self, digest: ExchangeDigest) {
        let mut slot = self.lock_exchanges();
        slot.0 = slot.0.saturating_add(1);
        slot.1 = Some(digest);
    }

    /// How many answered exchanges have been noted for this logical check;
    /// a mark for [`RequestContext::exchange_since`].
    #[must_use]
    pub fn exchanges(&self) -> u32 {
        self.lock_exchanges().0
    }

    /// The digests of the last answered exchange, if one was noted after
    /// `mark` (a value of [`RequestContext::exchanges`] taken before a call).
    #[must_use]
    pub fn exchange_since(&self, mark: u32) -> Option<ExchangeDigest> {
        let slot = self.lock_exchanges();
        if slot.0 > mark { slot.1 } else { None }
    }

    fn lock_exchanges(&self) -> std::sync::MutexGuard<'_, (u32, Option<ExchangeDigest>)> {
        self.exchanges
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Time left before the deadline (`None`: no deadline; zero: passed).
    #[must_use]
    pub fn remaining(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(n: u8) -> ExchangeDigest {
        ExchangeDigest {
            request: [n; 32],
            response: [n.wrapping_add(1); 32],
        }
    }

    fn context() -> RequestContext {
        RequestContext::new("canbo.motcua01", "1.001776".parse().unwrap()).unwrap()
    }

    #[test]
    fn a_timeout_too_long_for_the_clock_means_no_deadline() {
        // `Instant::now() + Duration::MAX` panicked.
        let ctx = context().with_timeout(Duration::from_secs(10));
        assert!(ctx.deadline().is_some());
        assert_eq!(ctx.with_timeout(Duration::MAX).deadline(), None);
        let far = Duration::from_secs(u64::MAX / 2);
        assert_eq!(context().with_timeout(far).deadline(), None);
    }

    #[test]
    fn a_client_name_is_validated() {
        assert_eq!(context().client(), None, "no client unless one is set");
        let ctx = context().with_client("  tandan  ").unwrap();
        assert_eq!(ctx.client(), Some("tandan"), "trimmed");
        let retry = ctx.clone();
        assert_eq!(retry.client(), Some("tandan"), "clones keep it");
        for ok in ["a", "vnpt-igate_2.hcm", "TANDAN", &"x".repeat(64)] {
            assert_eq!(
                context().with_client(ok).unwrap().client(),
                Some(ok),
                "{ok:?}"
            );
        }
        let too_long = "x".repeat(65);
        for bad in [
            "",
            "   ",
            "tan dan",
            "tân-dân",
            "Tân Dân",
            "môtcửa",
            "tandan/1",
            "tan\ndan",
            "tandan\u{0}",
            "tandan;drop",
            "ｔａｎｄａｎ",
            too_long.as_str(),
        ] {
            assert_eq!(
                context()
                    .with_client(bad)
                    .map(|c| c.client().map(str::to_owned)),
                Err(ContextError::InvalidClient),
                "{bad:?}"
            );
        }
        // 22 two-byte letters: few characters, but not ASCII.
        assert!(context().with_client(&"đ".repeat(22)).is_err());
        let message = ContextError::InvalidClient.to_string();
        assert!(message.contains("1-64"), "{message}");
    }

    #[test]
    fn attempts_and_exchanges_are_shared_by_clones() {
        let ctx = RequestContext::new("canbo.motcua01", "1.001776".parse().unwrap()).unwrap();
        let retry = ctx.clone();
        assert_eq!(retry.note_attempt(), 1);
        assert_eq!(ctx.attempts(), 1);

        let mark = ctx.exchanges();
        assert_eq!(ctx.exchange_since(mark), None);
        retry.note_exchange(digest(1));
        retry.note_exchange(digest(7));
        // The last exchange after the mark, seen through either handle.
        assert_eq!(ctx.exchange_since(mark), Some(digest(7)));
        assert_eq!(ctx.exchanges(), mark + 2);
        // Nothing noted after a later mark: an earlier exchange is not
        // taken for a later call.
        assert_eq!(ctx.exchange_since(ctx.exchanges()), None);
    }
}
