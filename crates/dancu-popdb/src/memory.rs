//! A first-class in-memory population registry.
//!
//! Real matching, the same as the sandbox's: the citizen is found by ID
//! (personal ID or old CMND), then the name must agree on the folded key
//! (no diacritics, Đ→D, upper case), then the birth date must agree at the
//! precision both have (a year-only query matches any date in that year).
//! Citizens flagged for a one-time password answer "OTP required" until the
//! query carries the right code.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use dancu_core::registry::{
    CheckOutcome, CitizenRecord, IdentityQuery, LookupKey, LookupOutcome, Otp, PopulationRegistry,
    RegistryError, RegistryInfo, Reply, ReplyMeta, RequestContext,
};
use dancu_core::{BirthDate, Cmnd, PersonalId};

/// What matching needs of one citizen, borrowed from a store.
#[derive(Clone, Copy, Debug)]
pub struct Candidate<'a> {
    /// The store's index of the citizen, for [`CitizenStore::record`].
    pub index: usize,
    /// The name's folded key ([`dancu_core::FullName::folded_key`]).
    pub folded_name: &'a str,
    /// The recorded birth date.
    pub birth_date: Option<&'a BirthDate>,
    /// The one-time password the citizen must confirm, if flagged.
    pub otp: Option<Otp>,
}

/// Where an [`InMemoryRegistry`] keeps its citizens: records held as they
/// are ([`Records`], the default), or a compact store that builds a record
/// when one is found (the sandbox's synthetic population). The matching
/// rules are the registry's, whatever the store.
pub trait CitizenStore: Send + Sync + fmt::Debug {
    /// Calls `f` with the citizen a key names, if any.
    fn with_candidate<T>(&self, key: &LookupKey, f: impl FnOnce(Candidate<'_>) -> T) -> Option<T>;

    /// The full record of the citizen at `index`.
    fn record(&self, index: usize) -> Option<CitizenRecord>;
}

/// A shared or borrowed store is a store.
macro_rules! forward_store {
    ($($ty:ty),+) => {$(
        impl<S: CitizenStore> CitizenStore for $ty {
            fn with_candidate<T>(&self, key: &LookupKey, f: impl FnOnce(Candidate<'_>) -> T) -> Option<T> {
                (**self).with_candidate(key, f)
            }

            fn record(&self, index: usize) -> Option<CitizenRecord> {
                (**self).record(index)
            }
        }
    )+};
}

forward_store!(Arc<S>, &S);

#[derive(Debug)]
struct Entry {
    record: Arc<CitizenRecord>,
    folded_name: String,
    otp: Option<Otp>,
}

#[derive(Debug, Default)]
struct Population {
    entries: Vec<Entry>,
    by_id: HashMap<PersonalId, usize>,
    by_cmnd: HashMap<Cmnd, usize>,
}

/// Records held as they are, indexed by personal ID and CMND.
#[derive(Debug, Default)]
pub struct Records {
    population: RwLock<Population>,
}

impl Records {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Population> {
        self.population
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl CitizenStore for Records {
    fn with_candidate<T>(&self, key: &LookupKey, f: impl FnOnce(Candidate<'_>) -> T) -> Option<T> {
        let p = self.read();
        let index = match key {
            LookupKey::PersonalId(id) => p.by_id.get(id),
            LookupKey::Cmnd(c) => p.by_cmnd.get(c),
        };
        let &index = index?;
        let e = &p.entries[index];
        Some(f(Candidate {
            index,
            folded_name: &e.folded_name,
            birth_date: e.record.birth_date.as_ref(),
            otp: e.otp,
        }))
    }

    fn record(&self, index: usize) -> Option<CitizenRecord> {
        self.read().entries.get(index).map(|e| (*e.record).clone())
    }
}

/// A population held in memory, implementing [`PopulationRegistry`].
///
/// ```
/// # tokio_test_block(async {
/// use dancu_core::registry::{CitizenRecord, IdentityQuery, LookupOutcome, RequestContext};
/// use dancu_core::{CalendarDate, IdNumber, PopulationRegistry};
/// use dancu_popdb::InMemoryRegistry;
///
/// let on = CalendarDate::new(2026, 11, 27).unwrap();
/// let registry = InMemoryRegistry::new("memory");
/// registry.insert(CitizenRecord::new(
///     "006089000001".parse().unwrap(),
///     "Nguyễn Văn An".parse().unwrap(),
///     "1".parse().unwrap(),
///     "12/05/1989".parse().unwrap(),
/// ));
/// let ctx = RequestContext::new("canbo.motcua01", "1.001776".parse().unwrap()).unwrap();
/// let query = IdentityQuery::new(
///     IdNumber::parse_on("006089000001", on).unwrap(),
///     "NGUYEN VAN AN".parse().unwrap(),
///     "1989".parse().unwrap(),
/// ).unwrap();
/// let reply = registry.lookup(&ctx, &query).await.unwrap();
/// assert!(matches!(reply.outcome, LookupOutcome::Found(_)));
/// # });
/// # fn tokio_test_block(f: impl std::future::Future<Output = ()>) {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
#[derive(Debug)]
pub struct InMemoryRegistry<S = Records> {
    name: String,
    store: S,
    otp_step: bool,
}

impl<S: CitizenStore> InMemoryRegistry<S> {
    /// A registry over `store`, with the one-time-password step.
    #[must_use]
    pub fn over(name: impl Into<String>, store: S) -> Self {
        Self {
            name: name.into(),
            store,
            otp_step: true,
        }
    }

    /// The same registry without the one-time-password step: OTP-flagged
    /// citizens answer like any other (what a channel without the citizen
    /// OTP sees).
    #[must_use]
    pub fn without_otp(mut self) -> Self {
        self.otp_step = false;
        self
    }

    /// The store.
    #[must_use]
    pub const fn store(&self) -> &S {
        &self.store
    }

    /// Finds the citizen a query names, applying the matching rules.
    fn find(&self, query: &IdentityQuery) -> Match {
        self.store
            .with_candidate(query.key(), |c| {
                let Some(birth) = c.birth_date else {
                    return Match::None;
                };
                if !query.matches(c.folded_name, birth) {
                    return Match::None;
                }
                match (c.otp.filter(|_| self.otp_step), query.otp()) {
                    (None, _) => Match::Citizen(c.index),
                    (Some(_), None) => Match::OtpRequired,
                    (Some(expected), Some(given)) if expected == *given => Match::Citizen(c.index),
                    (Some(_), Some(_)) => Match::OtpRejected,
                }
            })
            .unwrap_or(Match::None)
    }
}

impl InMemoryRegistry {
    /// An empty registry with a name (for audit records).
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        Self::over(name, Records::default())
    }

    /// Adds (or replaces, by personal ID) a citizen.
    pub fn insert(&self, record: CitizenRecord) {
        self.insert_entry(record, None);
    }

    /// Adds a citizen who must confirm the one-time password `otp`.
    pub fn insert_with_otp(&self, record: CitizenRecord, otp: Otp) {
        self.insert_entry(record, Some(otp));
    }

    fn insert_entry(&self, record: CitizenRecord, otp: Option<Otp>) {
        let mut p = self
            .store
            .population
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = Entry {
            folded_name: record.name.folded_key(),
            otp,
            record: Arc::new(record),
        };
        let id = entry.record.personal_id;
        let cmnd = entry.record.cmnd;
        let index = match p.by_id.get(&id) {
            Some(&i) => {
                if let Some(old) = p.entries[i].record.cmnd {
                    p.by_cmnd.remove(&old);
                }
                p.entries[i] = entry;
                i
            }
            None => {
                let at = p.entries.len();
                p.entries.push(entry);
                at
            }
        };
        p.by_id.insert(id, index);
        if let Some(c) = cmnd {
            p.by_cmnd.insert(c, index);
        }
    }

    /// How many citizens are held.
    #[must_use]
    pub fn len(&self) -> usize {
        self.store.read().entries.len()
    }

    /// Whether no citizen is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

enum Match {
    None,
    Citizen(usize),
    OtpRequired,
    OtpRejected,
}

#[async_trait]
impl<S: CitizenStore> PopulationRegistry for InMemoryRegistry<S> {
    fn info(&self) -> RegistryInfo {
        RegistryInfo {
            name: self.name.clone(),
            channel: "in_memory",
        }
    }

    async fn lookup(
        &self,
        _ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Result<Reply<LookupOutcome>, RegistryError> {
        Ok(match self.find(query) {
            Match::Citizen(index) => match self.store.record(index) {
                Some(record) => {
                    let as_of = record.as_of.clone();
                    Reply::new(
                        LookupOutcome::Found(Box::new(record)),
                        ReplyMeta::single(None, as_of),
                    )
                }
                None => Reply::new(LookupOutcome::NotFound, ReplyMeta::single(None, None)),
            },
            Match::None => Reply::new(LookupOutcome::NotFound, ReplyMeta::single(None, None)),
            Match::OtpRequired => {
                Reply::new(LookupOutcome::OtpRequired, ReplyMeta::single(None, None))
            }
            Match::OtpRejected => {
                Reply::new(LookupOutcome::OtpRejected, ReplyMeta::single(None, None))
            }
        })
    }

    async fn check(
        &self,
        _ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Result<Reply<CheckOutcome>, RegistryError> {
        let outcome = match self.find(query) {
            Match::Citizen(_) => CheckOutcome::Confirmed,
            Match::None => CheckOutcome::NotConfirmed,
            Match::OtpRequired => CheckOutcome::OtpRequired,
            Match::OtpRejected => CheckOutcome::OtpRejected,
        };
        Ok(Reply::new(outcome, ReplyMeta::single(None, None)))
    }
}
