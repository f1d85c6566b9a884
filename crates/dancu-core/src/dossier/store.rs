//! The dossier store port and its in-memory implementation.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Mutex;

use async_trait::async_trait;

use super::codes::DossierCode;
use super::model::{Dossier, DossierStatus};
use crate::CalendarDate;

/// Why the store failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The unit issued every serial of the day (9,999).
    #[error("unit {unit} has used every dossier serial for {date}")]
    SerialsExhausted {
        /// The unit.
        unit: String,
        /// The day.
        date: CalendarDate,
    },
    /// The store could not be read or written; nothing was changed.
    #[error("dossier store error: {0}")]
    Backend(String),
    /// A conditional replace found the dossier missing or in another
    /// status than expected (someone else decided it first); nothing was
    /// changed.
    #[error("{}", status_changed(code, *expected, *found))]
    StatusChanged {
        /// The dossier code.
        code: String,
        /// The status the caller expected it to still have.
        expected: DossierStatus,
        /// The status it has in the store, or `None` when it is not there.
        found: Option<DossierStatus>,
    },
}

fn status_changed(code: &str, expected: DossierStatus, found: Option<DossierStatus>) -> String {
    match found {
        Some(found) => format!(
            "dossier {code} is in status {} now, not {}",
            found.code(),
            expected.code()
        ),
        None => format!("no dossier {code} in the store"),
    }
}

/// Where dossiers live. Issuing a code is atomic (concurrent intakes at one
/// unit on one day never share a serial; serials restart each day) and
/// saving is all-or-nothing.
#[async_trait]
pub trait DossierStore: Send + Sync + fmt::Debug {
    /// Issues the next dossier code of `unit` for `date`.
    async fn issue_code(&self, unit: &str, date: CalendarDate) -> Result<DossierCode, StoreError>;
    /// Saves (inserts or replaces) a dossier, whole.
    async fn save(&self, dossier: &Dossier) -> Result<(), StoreError>;
    /// Replaces a stored dossier, whole, only if its stored status is still
    /// `expected` — checked and written as one atomic step, so of two
    /// officers deciding one dossier at once exactly one succeeds.
    ///
    /// # Errors
    ///
    /// [`StoreError::StatusChanged`] when the dossier is missing or in
    /// another status; nothing is written then.
    async fn replace_if_status(
        &self,
        dossier: &Dossier,
        expected: DossierStatus,
    ) -> Result<(), StoreError>;
    /// Loads a dossier by code.
    async fn load(&self, code: &DossierCode) -> Result<Option<Dossier>, StoreError>;
    /// Dossiers of a unit in a status, oldest code first.
    async fn list(&self, unit: &str, status: DossierStatus) -> Result<Vec<Dossier>, StoreError>;
}

/// A dossier store in memory.
#[derive(Debug, Default)]
pub struct InMemoryDossierStore {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    serials: HashMap<(String, CalendarDate), u32>,
    dossiers: BTreeMap<String, Dossier>,
}

impl InMemoryDossierStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait]
impl DossierStore for InMemoryDossierStore {
    async fn issue_code(&self, unit: &str, date: CalendarDate) -> Result<DossierCode, StoreError> {
        // Refuse a bad unit or year before touching the counter.
        DossierCode::new(unit, date, 1).map_err(|e| StoreError::Backend(e.to_string()))?;
        let mut inner = self.lock();
        let serial = inner.serials.entry((unit.to_owned(), date)).or_insert(0);
        if *serial >= 9_999 {
            return Err(StoreError::SerialsExhausted {
                unit: unit.to_owned(),
                date,
            });
        }
        // Below 9,999 (checked above).
        *serial = serial.saturating_add(1);
        DossierCode::new(unit, date, *serial).map_err(|e| StoreError::Backend(e.to_string()))
    }

    async fn save(&self, dossier: &Dossier) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let code = &dossier.code;
        if !code.is_reissued() {
            // A code issued elsewhere (an import) is never issued again.
            let last = inner
                .serials
                .entry((code.unit().to_owned(), code.date()))
                .or_insert(0);
            *last = (*last).max(code.serial());
        }
        inner.dossiers.insert(code.to_string(), dossier.clone());
        Ok(())
    }

    async fn replace_if_status(
        &self,
        dossier: &Dossier,
        expected: DossierStatus,
    ) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let code = dossier.code.to_string();
        match inner.dossiers.get_mut(&code) {
            Some(stored) if stored.status == expected => {
                *stored = dossier.clone();
                Ok(())
            }
            stored => Err(StoreError::StatusChanged {
                found: stored.map(|d| d.status),
                code,
                expected,
            }),
        }
    }

    async fn load(&self, code: &DossierCode) -> Result<Option<Dossier>, StoreError> {
        Ok(self.lock().dossiers.get(&code.to_string()).cloned())
    }

    async fn list(&self, unit: &str, status: DossierStatus) -> Result<Vec<Dossier>, StoreError> {
        Ok(self
            .lock()
            .dossiers
            .values()
            .filter(|d| d.unit == unit && d.status == status)
            .cloned()
            .collect())
    }
}

/// What is wrong with a stored dossier's JSON, for a store's error: the
/// kind and the place, never serde's message, which can quote a value from
/// the body — and bodies hold personal data.
#[must_use]
pub fn describe_stored_json(e: &serde_json::Error) -> String {
    let kind = match e.classify() {
        serde_json::error::Category::Io => "an I/O error",
        serde_json::error::Category::Syntax => "invalid JSON",
        serde_json::error::Category::Data => "JSON that is not a valid dossier",
        serde_json::error::Category::Eof => "truncated JSON",
    };
    if e.line() == 0 {
        kind.to_owned()
    } else {
        format!("{kind} at line {} column {}", e.line(), e.column())
    }
}
