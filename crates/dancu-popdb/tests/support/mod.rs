//! Fixtures shared by the audit test binaries.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use dancu_core::registry::{
    AuditCompletion, AuditEntry, AuditError, AuditQuery, AuditRecord, AuditSink, AuditTicket,
    CitizenRecord, IdentityQuery, LookupKey, RequestContext,
};
use dancu_core::{CalendarDate, IdNumber, Timestamp};
use dancu_popdb::audit::{SqliteAuditSink, SubjectHasher};
use dancu_popdb::{InMemoryRegistry, Secret};

pub(crate) const ID: &str = "006089000001";
pub(crate) const NAME: &str = "Nguyễn Văn An";
pub(crate) const BIRTH: &str = "12/05/1989";
pub(crate) const SALT: &str = "test-salt-kept-secret-0123456789";

pub(crate) fn hasher() -> SubjectHasher {
    SubjectHasher::new(Secret::new(SALT)).expect("salt")
}

pub(crate) fn on() -> CalendarDate {
    CalendarDate::new(2026, 11, 27).expect("date")
}

pub(crate) fn query_for(id: &str) -> IdentityQuery {
    IdentityQuery::new(
        IdNumber::parse_on(id, on()).expect("id"),
        NAME.parse().expect("name"),
        BIRTH.parse().expect("birth date"),
    )
    .expect("query")
}

pub(crate) fn key(id: &str) -> LookupKey {
    *query_for(id).key()
}

pub(crate) fn ctx() -> RequestContext {
    RequestContext::new("canbo.motcua01", "1.001776".parse().expect("procedure"))
        .expect("ctx")
        .with_unit("000.00.21.H56".parse().expect("unit"))
        .with_dossier("000.00.21.H56-261127-0001".parse().expect("dossier"))
        .with_purpose("Đăng ký thường trú (Luật Cư trú 2020, Điều 20)")
        .expect("purpose")
}

pub(crate) fn population() -> InMemoryRegistry {
    let registry = InMemoryRegistry::new("memory");
    let mut record = CitizenRecord::new(
        ID.parse().expect("id"),
        NAME.parse().expect("name"),
        "1".parse().expect("gender"),
        BIRTH.parse().expect("birth"),
    );
    record.as_of = Some("2026-11-26T23:00:00+07:00".into());
    registry.insert(record);
    registry
}

pub(crate) fn open(dir: &Path) -> Arc<SqliteAuditSink> {
    Arc::new(SqliteAuditSink::open(dir.join("audit.sqlite")).expect("open audit db"))
}

/// A sink that delegates to SQLite but can fail `begin` or `complete`.
#[derive(Debug)]
pub(crate) struct Flaky {
    pub(crate) inner: Arc<SqliteAuditSink>,
    pub(crate) fail_begin: bool,
    pub(crate) fail_complete: bool,
}

#[async_trait]
impl AuditSink for Flaky {
    async fn begin(&self, entry: &AuditEntry) -> Result<AuditTicket, AuditError> {
        if self.fail_begin {
            return Err(AuditError::Store("disk full".into()));
        }
        self.inner.begin(entry).await
    }

    async fn complete(&self, t: AuditTicket, c: &AuditCompletion) -> Result<(), AuditError> {
        if self.fail_complete {
            return Err(AuditError::Store("disk full".into()));
        }
        self.inner.complete(t, c).await
    }

    async fn query(&self, q: &AuditQuery) -> Result<Vec<AuditRecord>, AuditError> {
        self.inner.query(q).await
    }

    async fn purge_before(&self, cutoff: Timestamp) -> Result<u64, AuditError> {
        self.inner.purge_before(cutoff).await
    }
}
