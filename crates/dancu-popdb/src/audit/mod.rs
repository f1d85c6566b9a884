//! The audit trail: a decorator that records every lookup before it is made,
//! and the SQLite store behind it.
//!
//! [`Audited`] wraps any [`PopulationRegistry`]. For each lookup or check it
//! durably writes a pending record to an [`AuditSink`] — request id, time,
//! officer, unit, procedure, dossier, purpose, gateway, channel, operation,
//! the subject's masked number and a salted hash of it — and only then calls
//! the registry. When the answer comes it completes the record with the
//! outcome, attempts, the data's as-of time and the exchange digests, and
//! indexes it under the subject's other numbers on the record returned
//! (personal ID and CMND), so "who looked me up" finds it by either. If the
//! record cannot be written — or the salt is not the trail's — the lookup is
//! not made.
//!
//! The full ID number, the name, the birth date, the record returned and
//! any secret are never written.

mod memory;
mod sqlite;
#[cfg(feature = "testkit")]
// A behaviour suite for tests: its checks fail by panicking, as assertions do
// (and its arithmetic is on its own small fixtures).
#[allow(
    clippy::panic,
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::arithmetic_side_effects
)]
pub mod suite;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use dancu_core::registry::{
    AuditCompletion, AuditEntry, AuditQuery, AuditSink, AuditSubject, AuditTicket, CitizenRecord,
    LookupKey, PopulationRegistry, RegistryError, RequestContext,
};
use dancu_core::{Timestamp, mask_numbers, mask_phrase};
use sha2::{Digest, Sha256};

pub use memory::InMemoryAuditSink;
pub use sqlite::{OpenError, SCHEMA_VERSION, SqliteAuditSink, WriterStats};

use crate::Secret;
use crate::layer::{Answer, Call, Layer, Layered, Next, Outcome};

/// Separates the subject hash from any other use of the same salt.
const SUBJECT_DOMAIN: &[u8] = b"dancu/audit-subject/v1\0";

/// Separates the salt's check value from the subject hashes.
const SALT_CHECK_DOMAIN: &[u8] = b"dancu/audit-salt-check/v1\0";

/// The shortest salt accepted, in bytes.
pub const MIN_SALT_LEN: usize = 16;

/// Why a [`SubjectHasher`] could not be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SaltError {
    /// The salt is too short to resist guessing.
    #[error("the audit salt must be at least {min} bytes long")]
    TooShort {
        /// [`MIN_SALT_LEN`].
        min: usize,
    },
}

/// Computes the salted hash of a subject's number that the audit trail
/// stores for exact search: lower-case hex of HMAC-SHA-256 keyed with the
/// salt, over a domain separator and the canonical number.
///
/// The salt is a secret: with it, anyone holding the database could try
/// every plausible ID number. Keep it out of the database, and keep it
/// stable. The trail stores only a check value derived from it
/// ([`SubjectHasher::salt_check`], an HMAC of a fixed label), so that a
/// different salt is refused instead of silently finding nobody. (The check
/// value lets whoever holds the database test guesses of the salt, as the
/// subject hashes already do with guesses of salt and number: the salt must
/// be random, [`MIN_SALT_LEN`] bytes or more.) `Debug` never shows it.
///
/// ```
/// use dancu_core::registry::LookupKey;
/// use dancu_popdb::Secret;
/// use dancu_popdb::audit::SubjectHasher;
///
/// let hasher = SubjectHasher::new(Secret::new("a-long-and-secret-salt")).unwrap();
/// let key = LookupKey::PersonalId("006089000001".parse().unwrap());
/// let subject = hasher.subject(&key);
/// assert_eq!(subject.masked.as_str(), "********0001");
/// assert_eq!(subject.hash.len(), 64);
/// assert_eq!(subject.salt_check, hasher.salt_check());
/// assert!(!format!("{hasher:?}").contains("a-long-and-secret-salt"));
/// ```
#[derive(Clone)]
pub struct SubjectHasher {
    salt: Secret,
    /// Lower-case hex of the salt's check value.
    check: String,
}

impl fmt::Debug for SubjectHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubjectHasher")
            .field("salt", &self.salt)
            .finish()
    }
}

impl SubjectHasher {
    /// A hasher with this salt.
    ///
    /// # Errors
    ///
    /// [`SaltError::TooShort`] when the salt has fewer than
    /// [`MIN_SALT_LEN`] bytes.
    pub fn new(salt: Secret) -> Result<Self, SaltError> {
        if salt.expose().len() < MIN_SALT_LEN {
            return Err(SaltError::TooShort { min: MIN_SALT_LEN });
        }
        let check = dancu_core::registry::ExchangeDigest::hex(&hmac_sha256(
            salt.expose().as_bytes(),
            &[SALT_CHECK_DOMAIN],
        ));
        Ok(Self { salt, check })
    }

    /// The salt's check value (lower-case hex, 64 characters): what the
    /// trail stores to recognise its salt. Never the salt, and not a
    /// subject hash.
    #[must_use]
    pub fn salt_check(&self) -> &str {
        &self.check
    }

    /// The salted hash of the subject's canonical number, in lower-case hex.
    #[must_use]
    pub fn hash(&self, key: &LookupKey) -> String {
        let mac = hmac_sha256(
            self.salt.expose().as_bytes(),
            &[SUBJECT_DOMAIN, key.as_str().as_bytes()],
        );
        dancu_core::registry::ExchangeDigest::hex(&mac)
    }

    /// The subject as the audit trail records it: masked, and hashed.
    #[must_use]
    pub fn subject(&self, key: &LookupKey) -> AuditSubject {
        AuditSubject {
            masked: key.masked(),
            hash: self.hash(key),
            salt_check: self.check.clone(),
        }
    }

    /// The subject's numbers on the `record` a lookup by `typed` returned,
    /// other than `typed`: its personal ID and its CMND, each once.
    #[must_use]
    pub fn record_subjects(&self, typed: &LookupKey, record: &CitizenRecord) -> Vec<AuditSubject> {
        let mut keys = vec![LookupKey::PersonalId(record.personal_id)];
        keys.extend(record.cmnd.map(LookupKey::Cmnd));
        keys.into_iter()
            .filter(|k| k != typed)
            .map(|k| self.subject(&k))
            .collect()
    }

    /// The query for "who looked this citizen up", by any of their numbers.
    #[must_use]
    pub fn query(&self, key: &LookupKey) -> AuditQuery {
        AuditQuery::Subject {
            hash: self.hash(key),
            salt_check: self.check.clone(),
        }
    }
}

/// HMAC-SHA-256 (RFC 2104) over the concatenation of `parts`.
fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    for p in parts {
        inner.update(p);
    }
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner);
    outer.finalize().into()
}

/// A registry whose every lookup and check is recorded in an audit trail
/// before it is made, and completed after.
///
/// * If the pending record cannot be written, the inner registry is not
///   called and the caller gets [`RegistryError::AuditFailed`].
/// * If the completion cannot be written, the answer is still returned;
///   the record stays visibly pending and a warning (without personal data)
///   is logged.
/// * A request the registry refuses without a call
///   ([`PopulationRegistry::precheck`]: a procedure without a registered
///   service code, say) is refused before any record is written.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use std::sync::Arc;
/// use dancu_core::registry::{AuditSink, IdentityQuery, LookupKey, RequestContext};
/// use dancu_core::{CalendarDate, IdNumber, PopulationRegistry};
/// use dancu_popdb::audit::{Audited, SqliteAuditSink, SubjectHasher};
/// use dancu_popdb::{InMemoryRegistry, Secret};
///
/// let dir = tempfile::tempdir().unwrap();
/// let sink = Arc::new(SqliteAuditSink::open(dir.path().join("audit.sqlite")).unwrap());
/// let hasher = SubjectHasher::new(Secret::new("a-long-and-secret-salt")).unwrap();
/// let registry = Audited::new(InMemoryRegistry::new("memory"), sink.clone(), hasher.clone());
///
/// let ctx = RequestContext::new("canbo.motcua01", "1.001776".parse().unwrap()).unwrap();
/// let on = CalendarDate::new(2026, 11, 27).unwrap();
/// let id = IdNumber::parse_on("006089000001", on).unwrap();
/// let query = IdentityQuery::new(id, "Nguyễn Văn An".parse().unwrap(), "1989".parse().unwrap())
///     .unwrap();
/// registry.check(&ctx, &query).await.unwrap();
///
/// let records = sink.query(&hasher.query(query.key())).await.unwrap();
/// assert_eq!(records.len(), 1);
/// assert_eq!(records[0].completion.as_ref().unwrap().outcome, "not_confirmed");
/// # });
/// ```
pub type Audited<R> = Layered<Audit, R>;

/// The layer of [`Audited`]: the sink records go to and the hasher of
/// subjects.
#[derive(Debug)]
pub struct Audit {
    sink: Arc<dyn AuditSink>,
    hasher: SubjectHasher,
}

impl<R: PopulationRegistry> Audited<R> {
    /// Wraps `inner`, recording into `sink` with subjects hashed by `hasher`.
    #[must_use]
    pub fn new(inner: R, sink: Arc<dyn AuditSink>, hasher: SubjectHasher) -> Self {
        Layered::wrap(Audit { sink, hasher }, inner)
    }

    /// The audit sink.
    #[must_use]
    pub fn sink(&self) -> &Arc<dyn AuditSink> {
        &self.layer().sink
    }

    /// The subject hasher, to query the trail by subject.
    #[must_use]
    pub fn hasher(&self) -> &SubjectHasher {
        &self.layer().hasher
    }
}

impl Audit {
    async fn begin(&self, call: &Call<'_>) -> Result<AuditTicket, RegistryError> {
        let (ctx, info, operation) = (call.ctx, call.info(), call.operation);
        let mut entry = AuditEntry::for_request(
            ctx,
            &info.name,
            info.channel,
            operation,
            self.hasher.subject(call.query.key()),
        );
        // The officer's free text may hold what the trail never stores in
        // full: numbers, dates, the citizen's name.
        entry.purpose = entry
            .purpose
            .map(|p| mask_phrase(&mask_numbers(&p), call.query.name().as_str()));
        match self.sink.begin(&entry).await {
            Ok(ticket) => {
                tracing::debug!(
                    request_id = %ctx.request_id(),
                    operation = operation.as_str(),
                    gateway = %info.name,
                    subject = %entry.subject.masked,
                    record = ticket.0,
                    "audit record written; calling the registry"
                );
                Ok(ticket)
            }
            Err(e) => {
                tracing::warn!(
                    request_id = %ctx.request_id(),
                    operation = operation.as_str(),
                    error = %e,
                    "audit record could not be written; the lookup is not made"
                );
                Err(RegistryError::AuditFailed {
                    reason: e.to_string(),
                })
            }
        }
    }

    /// Completes the record. A failed call is recorded with the digests of
    /// its last answered exchange, when the gateway got as far as one
    /// (`before` holds [`RequestContext::exchanges`] and
    /// [`RequestContext::attempts`] before the call), and with the attempts
    /// the gateway saw.
    /// `subjects` are the subject's other numbers on the record returned.
    async fn complete<T: Outcome>(
        &self,
        ctx: &RequestContext,
        ticket: AuditTicket,
        before: Before,
        result: &Answer<T>,
        subjects: Vec<AuditSubject>,
    ) {
        let completion = match result {
            Ok(reply) => AuditCompletion {
                completed_at: Timestamp::now(),
                outcome: reply.outcome.key().to_owned(),
                attempts: Some(reply.meta.attempts),
                as_of: reply.meta.as_of.clone(),
                exchange: reply.meta.exchange,
                subjects,
            },
            Err(e) => unanswered(e.code(), ctx, before),
        };
        if let Err(e) = self.sink.complete(ticket, &completion).await {
            tracing::warn!(
                request_id = %ctx.request_id(),
                record = ticket.0,
                outcome = %completion.outcome,
                error = %e,
                "audit record could not be completed; it stays pending"
            );
        }
    }
}

#[async_trait]
impl Layer for Audit {
    async fn around<T: Outcome>(&self, call: Call<'_>, next: &dyn Next<T>) -> Answer<T> {
        // A request the registry would refuse without a call is neither
        // sent nor recorded.
        next.precheck(call.ctx)?;
        let ticket = self.begin(&call).await?;
        let ctx = call.ctx;
        let before = Before {
            exchanges: ctx.exchanges(),
            attempts: ctx.attempts(),
        };
        let guard = CancelGuard::new(&self.sink, ctx, ticket, before);
        let result = next.call(ctx).await;
        guard.disarm();
        // Every number of the subject on the record returned indexes the
        // record, so "who looked me up" finds it by any of them.
        let subjects = match &result {
            Ok(reply) => reply.outcome.record().map_or_else(Vec::new, |record| {
                self.hasher.record_subjects(call.query.key(), record)
            }),
            Err(_) => Vec::new(),
        };
        self.complete(ctx, ticket, before, &result, subjects).await;
        result
    }
}

/// What the context had counted before a call: exchanges and attempts.
#[derive(Clone, Copy, Debug)]
struct Before {
    exchanges: u32,
    attempts: u32,
}

/// The completion of a call that brought no answer (an error, or the
/// caller gave up): the outcome key, the attempts made during the call
/// (`None` when no layer counted any) and the digests of the last exchange
/// that got a response during the call, if any.
fn unanswered(outcome: &str, ctx: &RequestContext, before: Before) -> AuditCompletion {
    let attempts = ctx.attempts().saturating_sub(before.attempts);
    AuditCompletion {
        completed_at: Timestamp::now(),
        outcome: outcome.to_owned(),
        attempts: (attempts > 0).then_some(attempts),
        as_of: None,
        exchange: ctx.exchange_since(before.exchanges),
        subjects: Vec::new(),
    }
}

/// The outcome recorded when the caller stopped waiting (dropped the
/// lookup's future) while the registry was being called.
pub const CANCELLED: &str = "cancelled";

/// Completes a begun record as [`CANCELLED`] if the lookup's future is
/// dropped while the registry is being called — an outer timeout, a
/// one-stop request handler whose client went away. The completion is
/// written by a task spawned on the current tokio runtime (a destructor
/// cannot wait); without a runtime, or if that write fails, the record
/// stays pending, which the contract allows.
struct CancelGuard {
    armed: Option<(Arc<dyn AuditSink>, AuditTicket, RequestContext, Before)>,
}

impl CancelGuard {
    fn new(
        sink: &Arc<dyn AuditSink>,
        ctx: &RequestContext,
        ticket: AuditTicket,
        before: Before,
    ) -> Self {
        Self {
            armed: Some((Arc::clone(sink), ticket, ctx.clone(), before)),
        }
    }

    /// The lookup finished (with an answer or an error): nothing to do on
    /// drop.
    fn disarm(mut self) {
        self.armed = None;
    }
}

impl Drop for CancelGuard {
    fn drop(&mut self) {
        let Some((sink, ticket, ctx, before)) = self.armed.take() else {
            return;
        };
        let request_id = ctx.request_id().to_string();
        let completion = unanswered(CANCELLED, &ctx, before);
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!(
                request_id = %request_id,
                record = ticket.0,
                "lookup cancelled outside a runtime; its audit record stays pending"
            );
            return;
        };
        runtime.spawn(async move {
            match sink.complete(ticket, &completion).await {
                Ok(()) => tracing::debug!(
                    request_id = %request_id,
                    record = ticket.0,
                    "lookup cancelled; audit record completed as cancelled"
                ),
                Err(e) => tracing::warn!(
                    request_id = %request_id,
                    record = ticket.0,
                    error = %e,
                    "lookup cancelled and its audit record could not be completed; it stays pending"
                ),
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(d: &[u8; 32]) -> String {
        dancu_core::registry::ExchangeDigest::hex(d)
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2.
        assert_eq!(
            hex(&hmac_sha256(
                b"Jefe",
                &[b"what do ya want ", b"for nothing?"]
            )),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block is hashed first.
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                &[b"Test Using Larger Than Block-Size Key - Hash Key First"]
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn hashes_depend_on_salt_and_number_only() {
        let a = SubjectHasher::new(Secret::new("salt-one-0123456789")).expect("salt");
        let b = SubjectHasher::new(Secret::new("salt-two-0123456789")).expect("salt");
        let k1 = LookupKey::PersonalId("006089000001".parse().expect("id"));
        let k2 = LookupKey::PersonalId("006089000002".parse().expect("id"));
        assert_eq!(a.hash(&k1), a.clone().hash(&k1));
        assert_ne!(a.hash(&k1), a.hash(&k2));
        assert_ne!(a.hash(&k1), b.hash(&k1));
        assert_eq!(a.hash(&k1).len(), 64);
        assert!(!a.hash(&k1).contains("006089000001"));
    }

    #[test]
    fn short_salts_are_refused_and_salts_never_print() {
        assert_eq!(
            SubjectHasher::new(Secret::new("short")).err(),
            Some(SaltError::TooShort { min: MIN_SALT_LEN })
        );
        let h = SubjectHasher::new(Secret::new("do-not-print-this-salt")).expect("salt");
        assert!(!format!("{h:?}").contains("do-not-print-this-salt"));
    }
}
