//! The officer's one-time-code gate (xác thực OTP tài khoản cán bộ).
//!
//! In Tân Dân's one-stop system an officer's account may query the
//! population database only after the officer has confirmed a one-time
//! code sent to their phone; the confirmation is valid for 10 minutes.
//! Without it the one-stop system refuses the lookup and makes no call.
//!
//! [`OfficerOtpGate`] keeps that state for each officer's session:
//!
//! | state | how it is reached |
//! |---|---|
//! | unconfirmed | sign-in; the confirmation window has passed; too many wrong codes |
//! | code sent | [`OfficerOtpGate::request_code`]: a 6-digit code goes to the officer's phone through an [`OtpSender`] |
//! | confirmed, until a moment | [`OfficerOtpGate::confirm`] with that code before it expires |
//!
//! The gate is a [`RequestRule`]: put it in a registry stack through the
//! rule layer of `dancu-popdb`, **inside the audit layer** —
//! `Audited::new(Ruled::new(gateway, Arc::clone(&gate)), sink, hasher)`
//! (`dancu_popdb::layer::Ruled`). A lookup by an unconfirmed officer is
//! then recorded in the audit trail — outcome `refused` — and never sent
//! to the gateway
//! ([`RegistryError::Refused`]); the intake flows show it as a refusal
//! (no paper fallback: the officer confirms the code and checks again).
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! use std::sync::Arc;
//! use dancu_tandan::otp::{InMemoryOtpSender, OfficerOtpGate, OtpGateStatus};
//! use dancu_tandan::{Officer, Role};
//!
//! let phone = Arc::new(InMemoryOtpSender::default());
//! let gate = Arc::new(OfficerOtpGate::new(phone.clone()));
//! let officer = Officer::new("canbo.motcua01", "000.00.21.H06", &[Role::OneStop])
//!     .with_phone("0912345678".parse().unwrap());
//! assert_eq!(gate.status(&officer), OtpGateStatus::Unconfirmed);
//!
//! gate.request_code(&officer).await.unwrap();
//! let code = phone.last_code_for("canbo.motcua01").unwrap();
//! gate.confirm(&officer, code.as_str()).unwrap();
//! assert!(matches!(gate.status(&officer), OtpGateStatus::Confirmed { .. }));
//! # });
//! ```

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use dancu_core::dossier::PhoneNumber;
use dancu_core::registry::{Otp, RegistryError, RequestContext, RequestRule};

use crate::session::Officer;

/// How long a confirmation lets the officer look citizens up: 10 minutes.
pub const CONFIRMATION_WINDOW: Duration = Duration::from_secs(10 * 60);

/// How long a code sent may be confirmed: 5 minutes.
pub const CODE_LIFETIME: Duration = Duration::from_secs(5 * 60);

/// Wrong codes accepted before the code is void and a new one is needed.
pub const MAX_WRONG_CODES: u32 = 5;

/// Why a code could not be sent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OtpSendError {
    /// The message service could not deliver it (try again later).
    #[error("the one-time code could not be sent: {0}")]
    Unavailable(String),
}

/// Sends an officer's one-time code to their phone: an SMS gateway in
/// production, [`InMemoryOtpSender`] in tests and the demo.
#[async_trait]
pub trait OtpSender: Send + Sync + fmt::Debug {
    /// Sends `code` to `phone`, the phone of the officer `account`.
    ///
    /// # Errors
    ///
    /// [`OtpSendError`] when it could not be sent.
    async fn send(
        &self,
        account: &str,
        phone: &PhoneNumber,
        code: &Otp,
    ) -> Result<(), OtpSendError>;
}

/// An [`OtpSender`] that keeps what it "sent" in memory: the officer's
/// phone, for tests and the demo. `Debug` never shows a code.
#[derive(Default)]
pub struct InMemoryOtpSender {
    sent: Mutex<Vec<(String, PhoneNumber, Otp)>>,
}

impl fmt::Debug for InMemoryOtpSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryOtpSender")
            .field("sent", &lock(&self.sent).len())
            .finish()
    }
}

impl InMemoryOtpSender {
    /// The last code sent to the officer `account`, if any.
    #[must_use]
    pub fn last_code_for(&self, account: &str) -> Option<Otp> {
        lock(&self.sent)
            .iter()
            .rev()
            .find(|(a, _, _)| a == account)
            .map(|&(_, _, code)| code)
    }

    /// How many codes were sent, to anyone.
    #[must_use]
    pub fn sent(&self) -> usize {
        lock(&self.sent).len()
    }
}

#[async_trait]
impl OtpSender for InMemoryOtpSender {
    async fn send(
        &self,
        account: &str,
        phone: &PhoneNumber,
        code: &Otp,
    ) -> Result<(), OtpSendError> {
        lock(&self.sent).push((account.to_owned(), phone.clone(), *code));
        Ok(())
    }
}

/// Why a code was not sent or not accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OtpGateError {
    /// The officer's account has no phone number to send the code to.
    #[error("the officer's account has no phone number for the one-time code")]
    NoPhone,
    /// The code could not be sent.
    #[error(transparent)]
    Send(#[from] OtpSendError),
    /// No code was requested (or it was used, or voided).
    #[error("no one-time code was requested for this account: request one")]
    NoCode,
    /// The code expired before it was confirmed.
    #[error("the one-time code expired: request a new one")]
    Expired,
    /// Not the code sent; the officer may try again.
    #[error("wrong one-time code ({attempts_left} attempt(s) left)")]
    WrongCode {
        /// Attempts left before the code is void.
        attempts_left: u32,
    },
    /// Too many wrong codes: this one is void.
    #[error("too many wrong one-time codes: request a new one")]
    TooManyAttempts,
}

/// Where an officer's session stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OtpGateStatus {
    /// No valid confirmation: lookups are refused.
    Unconfirmed,
    /// A code was sent and may be confirmed for this long.
    CodeSent {
        /// Time left to confirm it.
        expires_in: Duration,
    },
    /// Lookups are allowed for this long.
    Confirmed {
        /// Time left in the confirmation window.
        remaining: Duration,
    },
}

/// One officer's session: a running confirmation, a code waiting to be
/// confirmed, or both (a new code asked for before the window ends).
#[derive(Default)]
struct Session {
    confirmed_until: Option<Instant>,
    code: Option<PendingCode>,
}

struct PendingCode {
    code: Otp,
    expires: Instant,
    attempts_left: u32,
}

/// A source of the current instant (a test clock, or [`Instant::now`]).
pub type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

/// The officers' one-time-code gate: each officer session's state, the
/// sender of the codes, and the windows. Share it as `Arc`.
pub struct OfficerOtpGate {
    sender: Arc<dyn OtpSender>,
    window: Duration,
    code_lifetime: Duration,
    clock: Clock,
    sessions: Mutex<HashMap<String, Session>>,
}

impl fmt::Debug for OfficerOtpGate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OfficerOtpGate")
            .field("sender", &self.sender)
            .field("window", &self.window)
            .field("code_lifetime", &self.code_lifetime)
            .field("sessions", &lock(&self.sessions).len())
            .finish_non_exhaustive()
    }
}

/// `at + d`; a century later when that is beyond what the clock can hold
/// (`with_window(Duration::MAX)`), never a panic.
fn later(at: Instant, d: Duration) -> Instant {
    at.checked_add(d)
        .or_else(|| at.checked_add(Duration::from_secs(100 * 365 * 24 * 3600)))
        .unwrap_or(at)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The state stays consistent even if a holder panicked: every update
    // is a single assignment.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl OfficerOtpGate {
    /// A gate sending codes through `sender`, with the 10-minute
    /// confirmation window and 5-minute codes.
    #[must_use]
    pub fn new(sender: Arc<dyn OtpSender>) -> Self {
        Self {
            sender,
            window: CONFIRMATION_WINDOW,
            code_lifetime: CODE_LIFETIME,
            clock: Arc::new(Instant::now),
            sessions: Mutex::new(HashMap::new()),
        }
    }

    /// How long a confirmation lasts (default [`CONFIRMATION_WINDOW`]).
    #[must_use]
    pub fn with_window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// How long a code may be confirmed (default [`CODE_LIFETIME`]).
    #[must_use]
    pub fn with_code_lifetime(mut self, lifetime: Duration) -> Self {
        self.code_lifetime = lifetime;
        self
    }

    /// Reads the time from `clock` instead of [`Instant::now`] (tests).
    #[must_use]
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Sends a new 6-digit code to the officer's phone; any earlier code
    /// is void. Returns how long it may be confirmed.
    ///
    /// # Errors
    ///
    /// [`OtpGateError::NoPhone`], or [`OtpGateError::Send`].
    pub async fn request_code(&self, officer: &Officer) -> Result<Duration, OtpGateError> {
        let phone = officer.phone().ok_or(OtpGateError::NoPhone)?;
        let code = random_code();
        self.sender.send(officer.account(), phone, &code).await?;
        let expires = later((self.clock)(), self.code_lifetime);
        // A confirmation still running stays: asking for a new code (to
        // extend the window) does not stop the officer's work meanwhile.
        lock(&self.sessions)
            .entry(officer.account().to_owned())
            .or_default()
            .code = Some(PendingCode {
            code,
            expires,
            attempts_left: MAX_WRONG_CODES,
        });
        Ok(self.code_lifetime)
    }

    /// Confirms the code the officer received. Returns how long lookups
    /// are now allowed.
    ///
    /// # Errors
    ///
    /// [`OtpGateError::NoCode`], [`OtpGateError::Expired`],
    /// [`OtpGateError::WrongCode`] (the officer may try again), or
    /// [`OtpGateError::TooManyAttempts`].
    pub fn confirm(&self, officer: &Officer, code: &str) -> Result<Duration, OtpGateError> {
        let now = (self.clock)();
        let mut sessions = lock(&self.sessions);
        let Some(session) = sessions.get_mut(officer.account()) else {
            return Err(OtpGateError::NoCode);
        };
        let Some(pending) = session.code.as_mut() else {
            return Err(OtpGateError::NoCode);
        };
        if now >= pending.expires {
            session.code = None;
            return Err(OtpGateError::Expired);
        }
        let matches = code
            .trim()
            .parse::<Otp>()
            .is_ok_and(|typed| constant_time_eq(typed.as_str(), pending.code.as_str()));
        if !matches {
            pending.attempts_left = pending.attempts_left.saturating_sub(1);
            if pending.attempts_left == 0 {
                session.code = None;
                return Err(OtpGateError::TooManyAttempts);
            }
            return Err(OtpGateError::WrongCode {
                attempts_left: pending.attempts_left,
            });
        }
        session.code = None;
        session.confirmed_until = Some(later(now, self.window));
        Ok(self.window)
    }

    /// Where the officer's session stands.
    #[must_use]
    pub fn status(&self, officer: &Officer) -> OtpGateStatus {
        self.status_of(officer.account())
    }

    /// Ends the officer's confirmation (sign-out).
    pub fn sign_out(&self, officer: &Officer) {
        lock(&self.sessions).remove(officer.account());
    }

    fn status_of(&self, account: &str) -> OtpGateStatus {
        let now = (self.clock)();
        let sessions = lock(&self.sessions);
        let Some(session) = sessions.get(account) else {
            return OtpGateStatus::Unconfirmed;
        };
        match (session.confirmed_until, &session.code) {
            (Some(until), _) if until > now => OtpGateStatus::Confirmed {
                remaining: until.saturating_duration_since(now),
            },
            (_, Some(p)) if p.expires > now => OtpGateStatus::CodeSent {
                expires_in: p.expires.saturating_duration_since(now),
            },
            _ => OtpGateStatus::Unconfirmed,
        }
    }
}

/// The gate as a [`RequestRule`]: a request by an officer without a running
/// confirmation is refused ([`RegistryError::Refused`]) without calling the
/// registry below the rule layer. Inside the audit layer, the refusal is
/// recorded: `Audited::new(Ruled::new(gateway, Arc::clone(&gate)), sink,
/// hasher)`.
impl RequestRule for OfficerOtpGate {
    fn apply(&self, ctx: &RequestContext) -> Result<Option<RequestContext>, RegistryError> {
        match self.status_of(ctx.officer().as_str()) {
            OtpGateStatus::Confirmed { .. } => Ok(None),
            _ => Err(RegistryError::Refused {
                reason: format!(
                    "the officer's account has not confirmed its one-time code in the last {} minutes: confirm it, then look up again",
                    self.window.as_secs() / 60
                ),
            }),
        }
    }
}

/// A 6-digit code from the operating system's random source.
fn random_code() -> Otp {
    use rand::Rng as _;
    let n: u32 = rand::rng().random_range(0..1_000_000);
    // Six digits always parse.
    format!("{n:06}")
        .parse()
        .unwrap_or_else(|_| unreachable!("six digits"))
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Role;

    #[derive(Clone)]
    struct TestClock(Arc<Mutex<Instant>>);

    impl TestClock {
        fn new() -> Self {
            Self(Arc::new(Mutex::new(Instant::now())))
        }
        fn advance(&self, d: Duration) {
            *lock(&self.0) += d;
        }
        fn clock(&self) -> Clock {
            let c = Arc::clone(&self.0);
            Arc::new(move || *lock(&c))
        }
    }

    fn officer() -> Officer {
        Officer::new("canbo.a", "000.00.21.H06", &[Role::OneStop])
            .with_phone("0912345678".parse().expect("phone"))
    }

    fn gate(clock: &TestClock) -> (Arc<InMemoryOtpSender>, OfficerOtpGate) {
        let phone = Arc::new(InMemoryOtpSender::default());
        let gate = OfficerOtpGate::new(phone.clone()).with_clock(clock.clock());
        (phone, gate)
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    #[test]
    fn a_confirmation_lasts_ten_minutes() {
        let clock = TestClock::new();
        let (phone, gate) = gate(&clock);
        let o = officer();
        assert_eq!(gate.confirm(&o, "123456"), Err(OtpGateError::NoCode));
        block_on(gate.request_code(&o)).expect("sent");
        assert_eq!(
            gate.status(&o),
            OtpGateStatus::CodeSent {
                expires_in: CODE_LIFETIME
            }
        );
        let code = phone.last_code_for("canbo.a").expect("a code on the phone");
        assert_eq!(gate.confirm(&o, code.as_str()), Ok(CONFIRMATION_WINDOW));
        clock.advance(Duration::from_secs(599));
        assert_eq!(
            gate.status(&o),
            OtpGateStatus::Confirmed {
                remaining: Duration::from_secs(1)
            }
        );
        clock.advance(Duration::from_secs(1));
        assert_eq!(gate.status(&o), OtpGateStatus::Unconfirmed);
        assert_eq!(gate.confirm(&o, code.as_str()), Err(OtpGateError::NoCode));
    }

    #[test]
    fn lifetimes_too_long_for_the_clock_do_not_panic() {
        // `now + Duration::MAX` panicked in request_code and confirm.
        let clock = TestClock::new();
        let phone = Arc::new(InMemoryOtpSender::default());
        let gate = OfficerOtpGate::new(phone.clone())
            .with_clock(clock.clock())
            .with_window(Duration::MAX)
            .with_code_lifetime(Duration::MAX);
        let o = officer();
        block_on(gate.request_code(&o)).expect("sent");
        assert!(matches!(gate.status(&o), OtpGateStatus::CodeSent { .. }));
        let code = phone.last_code_for("canbo.a").expect("a code on the phone");
        assert_eq!(gate.confirm(&o, code.as_str()), Ok(Duration::MAX));
        clock.advance(Duration::from_secs(365 * 24 * 3600));
        assert!(matches!(gate.status(&o), OtpGateStatus::Confirmed { .. }));
    }

    /// A new code asked for before the window ends leaves the running
    /// confirmation alone; confirming it starts a new window.
    #[test]
    fn a_new_code_extends_a_running_confirmation() {
        let clock = TestClock::new();
        let (phone, gate) = gate(&clock);
        let o = officer();
        block_on(gate.request_code(&o)).expect("sent");
        let first = phone.last_code_for("canbo.a").expect("code");
        gate.confirm(&o, first.as_str()).expect("confirmed");
        clock.advance(Duration::from_secs(540));
        block_on(gate.request_code(&o)).expect("sent again");
        assert!(matches!(gate.status(&o), OtpGateStatus::Confirmed { .. }));
        let second = phone.last_code_for("canbo.a").expect("code");
        gate.confirm(&o, second.as_str()).expect("confirmed again");
        clock.advance(Duration::from_secs(540));
        assert_eq!(
            gate.status(&o),
            OtpGateStatus::Confirmed {
                remaining: Duration::from_secs(60)
            }
        );
    }

    #[test]
    fn codes_expire_and_wrong_ones_run_out() {
        let clock = TestClock::new();
        let (phone, gate) = gate(&clock);
        let o = officer();
        block_on(gate.request_code(&o)).expect("sent");
        let code = phone.last_code_for("canbo.a").expect("code");
        let wrong = if code.as_str() == "000000" {
            "111111"
        } else {
            "000000"
        };
        for left in (1..MAX_WRONG_CODES).rev() {
            assert_eq!(
                gate.confirm(&o, wrong),
                Err(OtpGateError::WrongCode {
                    attempts_left: left
                })
            );
        }
        assert_eq!(gate.confirm(&o, "12x"), Err(OtpGateError::TooManyAttempts));
        assert_eq!(
            gate.confirm(&o, code.as_str()),
            Err(OtpGateError::NoCode),
            "a voided code is gone"
        );
        block_on(gate.request_code(&o)).expect("sent again");
        let code = phone.last_code_for("canbo.a").expect("code");
        clock.advance(CODE_LIFETIME);
        assert_eq!(gate.confirm(&o, code.as_str()), Err(OtpGateError::Expired));
        assert_eq!(gate.status(&o), OtpGateStatus::Unconfirmed);
        assert_eq!(phone.sent(), 2);
    }

    #[test]
    fn no_phone_no_code_and_nothing_secret_in_debug() {
        let clock = TestClock::new();
        let (phone, gate) = gate(&clock);
        let no_phone = Officer::new("canbo.b", "000.00.21.H06", &[Role::OneStop]);
        assert_eq!(
            block_on(gate.request_code(&no_phone)),
            Err(OtpGateError::NoPhone)
        );
        let o = officer();
        block_on(gate.request_code(&o)).expect("sent");
        let code = phone.last_code_for("canbo.a").expect("code");
        for debug in [format!("{gate:?}"), format!("{phone:?}"), format!("{o:?}")] {
            assert!(!debug.contains(code.as_str()), "{debug}");
            assert!(!debug.contains("0912345678"), "{debug}");
        }
        // Another officer's confirmation is not this one's.
        gate.confirm(&o, code.as_str()).expect("confirmed");
        assert_eq!(gate.status(&no_phone), OtpGateStatus::Unconfirmed);
        gate.sign_out(&o);
        assert_eq!(gate.status(&o), OtpGateStatus::Unconfirmed);
    }
}
