//! The shared gateway quota port: one `rate_per_second` and
//! `max_concurrency` for every instance calling one gateway.

use std::fmt;
use std::time::Instant;

use async_trait::async_trait;

/// A gateway's quota shared by every instance that calls it (the LGSP
/// gives a province one quota, not one per instance), kept somewhere all
/// of them reach — a database.
///
/// Implementations fail closed: when the shared state cannot be reached,
/// [`GatewayQuota::acquire`] is an error and the call is not made.
#[async_trait]
pub trait GatewayQuota: Send + Sync + fmt::Debug {
    /// Waits until one more call may start within the gateway's shared
    /// rate and concurrency, and returns its lease; dropping the lease
    /// releases its concurrency slot. Gives up at `deadline`.
    ///
    /// # Errors
    ///
    /// [`QuotaError::TimedOut`] when no slot comes before `deadline`;
    /// [`QuotaError::Unavailable`] when the shared state cannot be reached.
    async fn acquire(&self, deadline: Option<Instant>) -> Result<QuotaLease, QuotaError>;
}

/// A call's hold on the shared quota: its concurrency slot, released when
/// the lease is dropped.
pub struct QuotaLease(Option<Box<dyn Send + Sync>>);

impl fmt::Debug for QuotaLease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("QuotaLease")
            .field(&self.0.as_ref().map(|_| "held"))
            .finish()
    }
}

impl QuotaLease {
    /// A lease holding nothing (no concurrency limit).
    #[must_use]
    pub fn none() -> Self {
        Self(None)
    }

    /// A lease whose `guard` releases the slot when dropped.
    #[must_use]
    pub fn new(guard: impl Send + Sync + 'static) -> Self {
        Self(Some(Box::new(guard)))
    }
}

/// Why the shared quota gave no slot.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QuotaError {
    /// No slot before the deadline.
    #[error("the gateway's shared quota gave no slot before the deadline")]
    TimedOut,
    /// The shared state cannot be reached: no call is made beyond it.
    #[error("the gateway's shared quota cannot be checked: {0}")]
    Unavailable(String),
}
