//! An audit trail in memory, for tests and examples.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use dancu_core::Timestamp;
use dancu_core::registry::{
    AuditCompletion, AuditEntry, AuditError, AuditQuery, AuditRecord, AuditSink, AuditSubject,
    AuditTicket,
};

/// An [`AuditSink`] that keeps its records in memory, with the rules every
/// sink follows (one salt per trail, every number of the subject indexed,
/// a record completed once). Nothing survives the process: for tests and
/// examples, never for lookups that must stay accountable.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use dancu_core::registry::{AuditEntry, AuditSink, LookupKey, Operation, RequestContext};
/// use dancu_popdb::Secret;
/// use dancu_popdb::audit::{InMemoryAuditSink, SubjectHasher};
///
/// let sink = InMemoryAuditSink::new();
/// let hasher = SubjectHasher::new(Secret::new("a-long-and-secret-salt")).unwrap();
/// let key = LookupKey::PersonalId("006089000001".parse().unwrap());
/// let ctx = RequestContext::new("canbo.a", "1.001776".parse().unwrap()).unwrap();
/// let entry = AuditEntry::for_request(&ctx, "g", "in_memory", Operation::Check, hasher.subject(&key));
/// sink.begin(&entry).await.unwrap();
/// assert_eq!(sink.query(&hasher.query(&key)).await.unwrap().len(), 1);
/// # });
/// ```
#[derive(Debug, Default)]
pub struct InMemoryAuditSink {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    salt_check: Option<String>,
    last_id: i64,
    records: BTreeMap<i64, AuditRecord>,
}

impl InMemoryAuditSink {
    /// An empty trail, bound to no salt yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Inner {
    /// Checks `check` against the trail's salt, binding an unbound trail.
    fn bind(&mut self, check: &str) -> Result<(), AuditError> {
        match &self.salt_check {
            Some(bound) if bound == check => Ok(()),
            Some(_) => Err(AuditError::SaltMismatch),
            None => {
                self.salt_check = Some(check.to_owned());
                Ok(())
            }
        }
    }

    /// Whether `record` is indexed under `hash`.
    fn indexed(record: &AuditRecord, hash: &str) -> bool {
        record.entry.subject.hash == hash
            || record
                .completion
                .as_ref()
                .is_some_and(|c| c.subjects.iter().any(|s| s.hash == hash))
    }
}

/// The subject as read back: with the trail's check value.
fn read_back(subject: &mut AuditSubject, salt_check: &str) {
    salt_check.clone_into(&mut subject.salt_check);
}

#[async_trait]
impl AuditSink for InMemoryAuditSink {
    async fn begin(&self, entry: &AuditEntry) -> Result<AuditTicket, AuditError> {
        let mut inner = self.lock();
        inner.bind(&entry.subject.salt_check)?;
        let id = inner
            .last_id
            .checked_add(1)
            .ok_or_else(|| AuditError::Store("the in-memory trail is full".into()))?;
        inner.last_id = id;
        inner.records.insert(
            id,
            AuditRecord {
                id,
                entry: entry.clone(),
                completion: None,
            },
        );
        Ok(AuditTicket(id))
    }

    async fn complete(
        &self,
        ticket: AuditTicket,
        completion: &AuditCompletion,
    ) -> Result<(), AuditError> {
        if completion.outcome.trim().is_empty() {
            return Err(AuditError::Store("the outcome must not be empty".into()));
        }
        let mut inner = self.lock();
        if inner
            .records
            .get(&ticket.0)
            .is_none_or(|r| r.completion.is_some())
        {
            return Err(AuditError::UnknownTicket(ticket.0));
        }
        for subject in &completion.subjects {
            inner.bind(&subject.salt_check)?;
        }
        let mut completion = completion.clone();
        // Each number once, and not the one typed: as a store indexes them.
        let typed = inner
            .records
            .get(&ticket.0)
            .map(|r| r.entry.subject.hash.clone())
            .unwrap_or_default();
        let mut seen = std::collections::BTreeSet::new();
        completion
            .subjects
            .retain(|s| s.hash != typed && seen.insert(s.hash.clone()));
        if let Some(record) = inner.records.get_mut(&ticket.0) {
            record.completion = Some(completion);
        }
        Ok(())
    }

    async fn query(&self, query: &AuditQuery) -> Result<Vec<AuditRecord>, AuditError> {
        let inner = self.lock();
        let keep: Box<dyn Fn(&AuditRecord) -> bool> = match query {
            AuditQuery::Subject { hash, salt_check } => {
                if inner.salt_check.as_ref().is_some_and(|b| b != salt_check) {
                    return Err(AuditError::SaltMismatch);
                }
                let hash = hash.clone();
                Box::new(move |r| Inner::indexed(r, &hash))
            }
            AuditQuery::Officer(officer) => {
                let officer = officer.clone();
                Box::new(move |r| r.entry.officer == officer)
            }
            AuditQuery::Dossier(code) => {
                let code = code.clone();
                Box::new(move |r| r.entry.dossier.as_deref() == Some(code.as_str()))
            }
            AuditQuery::Between(from, to) => {
                let (from, to) = (*from, *to);
                Box::new(move |r| r.entry.started_at >= from && r.entry.started_at < to)
            }
            _ => {
                return Err(AuditError::Store(
                    "this kind of audit query is not supported by the in-memory store".into(),
                ));
            }
        };
        let check = inner.salt_check.clone().unwrap_or_default();
        let mut out: Vec<AuditRecord> = inner
            .records
            .values()
            .filter(|r| keep(r))
            .cloned()
            .collect();
        out.sort_by_key(|r| (r.entry.started_at, r.id));
        for r in &mut out {
            read_back(&mut r.entry.subject, &check);
            if let Some(c) = &mut r.completion {
                for s in &mut c.subjects {
                    read_back(s, &check);
                }
            }
        }
        Ok(out)
    }

    async fn purge_before(&self, cutoff: Timestamp) -> Result<u64, AuditError> {
        let mut inner = self.lock();
        let before = inner.records.len();
        inner.records.retain(|_, r| r.entry.started_at >= cutoff);
        Ok(u64::try_from(before.saturating_sub(inner.records.len())).unwrap_or(u64::MAX))
    }
}
