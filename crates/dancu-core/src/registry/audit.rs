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
    /// Lower-case hex of the salted hash.
    pub hash: String,
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
    /// Every lookup of the subject with this salted hash.
    Subject(String),
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
}

/// Where audit records go. `begin` must not return before the record is
/// durable: a lookup is only made once it is recorded.
#[async_trait]
pub trait AuditSink: Send + Sync + fmt::Debug {
    /// Durably records a lookup about to be made.
    ///
    /// # Errors
    ///
    /// [`AuditError::Store`] when the record could not be made durable:
    /// the lookup must then not be made.
    async fn begin(&self, entry: &AuditEntry) -> Result<AuditTicket, AuditError>;
    /// Durably records how the lookup ended.
    ///
    /// # Errors
    ///
    /// [`AuditError::UnknownTicket`] when the ticket names no pending
    /// record (unknown, or already completed); [`AuditError::Store`] when
    /// the write failed (the record stays pending).
    async fn complete(
        &self,
        ticket: AuditTicket,
        completion: &AuditCompletion,
    ) -> Result<(), AuditError>;
    /// Reads records, oldest first.
    ///
    /// # Errors
    ///
    /// [`AuditError::Store`] when the store could not be read.
    async fn query(&self, query: &AuditQuery) -> Result<Vec<AuditRecord>, AuditError>;
    /// Deletes records started before `cutoff`; returns how many.
    ///
    /// # Errors
    ///
    /// [`AuditError::Store`] when the store could not be written.
    async fn purge_before(&self, cutoff: Timestamp) -> Result<u64, AuditError>;
}
