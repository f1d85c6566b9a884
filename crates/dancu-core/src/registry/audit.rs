//! The audit port: who looked a citizen up, when, and why.

use std::fmt;

use async_trait::async_trait;

use super::context::RequestContext;
use super::outcome::ExchangeDigest;
use crate::{Masked, Timestamp};

/// Which operation was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `TraCuuThongTinCongDan`: the full lookup.
    Lookup,
    /// `XacThucThongTinCongDan`: the yes/no check.
    Check,
}

impl Operation {
    /// The stable key: `lookup` or `check`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Lookup => "lookup",
            Self::Check => "check",
        }
    }
}

/// How the subject appears in the audit trail: the last four digits, and a
/// salted hash of the full number for exact search. Never the number itself.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct AuditSubject {
    /// `********0001`.
    pub masked: Masked,
    /// Lower-case hex of the salted hash (64 characters).
    pub hash: String,
    /// The check value of the salt the hash was made with: lower-case hex
    /// (64 characters) derived from the salt, never the salt itself. A
    /// trail is bound to one salt ([`AuditSink`]); a hash made with another
    /// would find nobody, so it is refused. Read back from a trail, it is
    /// the trail's check value (empty for a trail not yet bound, whose
    /// records all predate the check).
    pub salt_check: String,
}

/// What is written before the gateway call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    /// `MaYeuCau`.
    pub request_id: String,
    /// When the lookup started.
    pub started_at: Timestamp,
    /// `MaCanBo`.
    pub officer: String,
    /// The calling client: the one-stop system a service made the lookup
    /// for, by its configured name ([`RequestContext::client`]); `None`
    /// for a lookup made directly (the command line, a library caller that
    /// names none), and for records written before it was kept.
    pub client: Option<String>,
    /// `MaDonVi`.
    pub unit: Option<String>,
    /// `MaDVC`.
    pub procedure: String,
    /// The dossier, kept locally even where the wire has no slot for it.
    pub dossier: Option<String>,
    /// Purpose or legal basis.
    pub purpose: Option<String>,
    /// The gateway's configured name.
    pub gateway: String,
    /// The channel kind (`lgsp`, `c06`, `provincial_json`, `in_memory`).
    pub channel: String,
    /// Lookup or check.
    pub operation: Operation,
    /// The subject, masked and hashed.
    pub subject: AuditSubject,
}

impl AuditEntry {
    /// The entry for a lookup made under `ctx`.
    #[must_use]
    pub fn for_request(
        ctx: &RequestContext,
        gateway: &str,
        channel: &str,
        operation: Operation,
        subject: AuditSubject,
    ) -> Self {
        Self {
            request_id: ctx.request_id().to_string(),
            started_at: Timestamp::now(),
            officer: ctx.officer().to_string(),
            client: ctx.client().map(str::to_owned),
            unit: ctx.unit().map(ToString::to_string),
            procedure: ctx.procedure().to_string(),
            dossier: ctx.dossier().map(ToString::to_string),
            purpose: ctx.purpose().map(str::to_owned),
            gateway: gateway.to_owned(),
            channel: channel.to_owned(),
            operation,
            subject,
        }
    }
}

/// What is written after the call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditCompletion {
    /// When the answer came.
    pub completed_at: Timestamp,
    /// The outcome key (`found`, `not_found`, `confirmed`, …, or an error
    /// code such as `unavailable`).
    pub outcome: String,
    /// Attempts made, when the inner registry reported them (an error
    /// carries no count: `None`).
    pub attempts: Option<u32>,
    /// The data's as-of time.
    pub as_of: Option<String>,
    /// Digests of the request and response bytes.
    pub exchange: Option<ExchangeDigest>,
    /// The subject's other numbers, from the record the lookup returned —
    /// its personal ID and its CMND, when they differ from the number typed
    /// — masked and hashed. The trail indexes the record under each, so
    /// that a citizen finds every lookup of them with whichever number they
    /// hold. Empty when no record was returned.
    pub subjects: Vec<AuditSubject>,
}

/// The handle of a begun audit record, to complete it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AuditTicket(pub i64);

/// One stored audit record; `completion` is `None` while the lookup is
/// pending — or when the process died before it could complete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    /// The record's id in the store.
    pub id: i64,
    /// What was written before the call.
    pub entry: AuditEntry,
    /// What was written after, if anything.
    pub completion: Option<AuditCompletion>,
}

/// Which records to read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuditQuery {
    /// Every lookup of the subject with this salted hash: looked up by this
    /// number, or returning a record that carries it.
    Subject {
        /// Lower-case hex of the salted hash of one of the subject's numbers.
        hash: String,
        /// The check value of the salt the hash was made with
        /// ([`AuditSubject::salt_check`]).
        salt_check: String,
    },
    /// Every lookup by this officer.
    Officer(String),
    /// Every lookup for this dossier.
    Dossier(String),
    /// Every lookup started in `[from, to)`.
    Between(Timestamp, Timestamp),
}

/// Why the audit trail failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// The store could not be written or read.
    #[error("audit store error: {0}")]
    Store(String),
    /// The ticket does not name a pending record.
    #[error("no pending audit record {0}")]
    UnknownTicket(i64),
    /// The subject hashes were made with another salt than the one this
    /// trail was created with: searching would find nobody, and records
    /// written would be unfindable with the trail's salt. Use the trail's
    /// salt.
    #[error(
        "the audit salt is not the one this audit trail was created with (its check value differs): use the trail's salt"
    )]
    SaltMismatch,
}

/// Where audit records go. `begin` must not return before the record is
/// durable: a lookup is only made once it is recorded.
///
/// Every implementation (SQLite, PostgreSQL, …) has the same semantics,
/// checked by the shared behaviour tests (`dancu_popdb::audit::suite`):
///
/// * **One salt per trail.** The first record written binds the trail to
///   its subject's [`AuditSubject::salt_check`] (stored; never the salt).
///   From then on a `begin` or a [`AuditQuery::Subject`] with another check
///   value fails with [`AuditError::SaltMismatch`] and writes nothing: a
///   wrong salt is an error, never "nobody looked this citizen up".
/// * **Every number of the subject is indexed.** A record is found by
///   [`AuditQuery::Subject`] with the hash of the number typed, and, once
///   completed, with the hash of each of [`AuditCompletion::subjects`] (the
///   personal ID and CMND of the record returned). Each record is returned
///   once, however many of its numbers match.
/// * A trail written before these rules keeps its records under their one
///   hash, and is bound by its next record.
#[async_trait]
pub trait AuditSink: Send + Sync + fmt::Debug {
    /// Durably records a lookup about to be made, indexed under the
    /// subject's hash; the first record binds the trail to its salt check.
    ///
    /// # Errors
    ///
    /// [`AuditError::SaltMismatch`] when the trail is bound to another
    /// salt; [`AuditError::Store`] when the record could not be made
    /// durable. The lookup must then not be made.
    async fn begin(&self, entry: &AuditEntry) -> Result<AuditTicket, AuditError>;
    /// Durably records how the lookup ended, and indexes the record under
    /// the completion's other subject numbers.
    ///
    /// # Errors
    ///
    /// [`AuditError::UnknownTicket`] when the ticket names no pending
    /// record (unknown, or already completed); [`AuditError::SaltMismatch`]
    /// when a subject was hashed with another salt; [`AuditError::Store`]
    /// when the write failed. The record then stays pending.
    async fn complete(
        &self,
        ticket: AuditTicket,
        completion: &AuditCompletion,
    ) -> Result<(), AuditError>;
    /// Reads records, oldest first.
    ///
    /// # Errors
    ///
    /// [`AuditError::SaltMismatch`] for a subject query with another salt
    /// than the trail's; [`AuditError::Store`] when the store could not be
    /// read.
    async fn query(&self, query: &AuditQuery) -> Result<Vec<AuditRecord>, AuditError>;
    /// Deletes records started before `cutoff`; returns how many.
    ///
    /// # Errors
    ///
    /// [`AuditError::Store`] when the store could not be written.
    async fn purge_before(&self, cutoff: Timestamp) -> Result<u64, AuditError>;
}
