//! The behaviour suite every [`PopulationRegistry`] implementation must
//! pass: the in-memory registry, each gateway against a fake gateway, the
//! sandbox over real HTTP. Enabled by the `testkit` feature.
//!
//! The suite panics (like a test) on the first behaviour that differs, with
//! a message naming the behaviour.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! use dancu_popdb::InMemoryRegistry;
//! use dancu_popdb::suite::{SuiteFixture, behaviour_suite};
//! let fixture = SuiteFixture::standard(true);
//! let registry = InMemoryRegistry::new("memory");
//! fixture.load(&registry);
//! behaviour_suite(&registry, &fixture).await;
//! # });
//! ```

use std::time::Duration;

use dancu_core::registry::{
    CheckOutcome, CitizenRecord, IdentityQuery, LookupOutcome, Otp, PopulationRegistry,
    RecordAddress, RegistryError, Reply, RequestContext,
};
use dancu_core::{BirthDate, CalendarDate, FullName, GenderCode, IdNumber, PersonalId};

use crate::InMemoryRegistry;
use crate::layer::{Answer, Call, Layer, Layered, Next, Outcome};
use dancu_core::registry::RegistryInfo;

/// A citizen who must confirm a one-time password.
#[derive(Clone, Debug)]
pub struct OtpCitizen {
    /// The record.
    pub record: CitizenRecord,
    /// The password the registry expects.
    pub otp: Otp,
    /// A different, wrong password.
    pub wrong_otp: Otp,
}

/// The population the suite expects the registry under test to hold, and
/// what the channel supports.
#[derive(Clone, Debug)]
pub struct SuiteFixture {
    /// A citizen with a full birth date and an old CMND.
    pub citizen: CitizenRecord,
    /// A citizen whose birth date is recorded by year only.
    pub year_only: CitizenRecord,
    /// A valid personal ID that is nobody's.
    pub unknown_id: PersonalId,
    /// A citizen behind a one-time password, when the channel supports
    /// OTP (only the provincial JSON gateway and the in-memory registry).
    pub otp: Option<OtpCitizen>,
    /// The reference date for parsing personal IDs.
    pub today: CalendarDate,
}

fn parse<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse()
        .unwrap_or_else(|e| panic!("suite fixture value does not parse: {e:?}"))
}

impl SuiteFixture {
    /// The standard population: NGUYỄN VĂN AN (12/05/1989, CMND 095000111),
    /// H'HEN NIÊ (1962, year only), and with `with_otp` ĐẶNG THỊ HOA who
    /// must confirm OTP `482913`.
    #[must_use]
    pub fn standard(with_otp: bool) -> Self {
        let today = CalendarDate::new(2026, 11, 27).unwrap_or_else(|e| panic!("{e}"));
        let id = |s: &str| PersonalId::parse_on(s, today).unwrap_or_else(|e| panic!("{e}"));
        let mut citizen = CitizenRecord::new(
            id("006089000001"),
            parse::<FullName>("Nguyễn Văn An"),
            parse::<GenderCode>("1"),
            parse::<BirthDate>("12/05/1989"),
        );
        citizen.cmnd = Some(parse("095000111"));
        citizen.ethnicity = Some("01".to_owned());
        citizen.nationality = Some("VN".to_owned());
        citizen.permanent = Some(RecordAddress::from_codes(
            "06",
            "058",
            "01849",
            "THÔN NÀ PÀI",
            "VN",
        ));
        let mut year_only = CitizenRecord::new(
            id("066162000777"),
            parse::<FullName>("H'Hen Niê"),
            parse::<GenderCode>("2"),
            parse::<BirthDate>("1962"),
        );
        year_only.ethnicity = Some("11".to_owned());
        let otp = with_otp.then(|| OtpCitizen {
            record: CitizenRecord::new(
                id("001301004567"),
                parse::<FullName>("Đặng Thị Hoa"),
                parse::<GenderCode>("2"),
                parse::<BirthDate>("03/02/2001"),
            ),
            otp: parse("482913"),
            wrong_otp: parse("000000"),
        });
        Self {
            citizen,
            year_only,
            unknown_id: id("079203999999"),
            otp,
            today,
        }
    }

    /// Puts the fixture's citizens into an in-memory registry.
    pub fn load(&self, registry: &InMemoryRegistry) {
        registry.insert(self.citizen.clone());
        registry.insert(self.year_only.clone());
        if let Some(o) = &self.otp {
            registry.insert_with_otp(o.record.clone(), o.otp);
        }
    }

    /// A query from parts, through the core's parsers.
    ///
    /// # Panics
    ///
    /// When a part does not parse (a bug in the suite).
    #[must_use]
    pub fn query(&self, id: &str, name: &str, birth: &str) -> IdentityQuery {
        IdentityQuery::new(
            IdNumber::parse_on(id, self.today).unwrap_or_else(|e| panic!("{e}")),
            parse(name),
            parse(birth),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }
}

fn context() -> RequestContext {
    RequestContext::new("canbo.suite", parse("1.001776"))
        .unwrap_or_else(|e| panic!("{e}"))
        .with_unit(parse("000.00.21.H06"))
        .with_timeout(Duration::from_secs(10))
}

async fn lookup(
    registry: &dyn PopulationRegistry,
    query: &IdentityQuery,
    what: &str,
) -> LookupOutcome {
    let reply: Result<Reply<LookupOutcome>, RegistryError> =
        registry.lookup(&context(), query).await;
    match reply {
        Ok(r) => {
            assert!(r.meta.attempts >= 1, "{what}: attempts must be at least 1");
            r.outcome
        }
        Err(e) => panic!("{what}: lookup failed: {e}"),
    }
}

async fn check(
    registry: &dyn PopulationRegistry,
    query: &IdentityQuery,
    what: &str,
) -> CheckOutcome {
    match registry.check(&context(), query).await {
        Ok(r) => r.outcome,
        Err(e) => panic!("{what}: check failed: {e}"),
    }
}

fn assert_found(outcome: LookupOutcome, expected: &CitizenRecord, what: &str) {
    let LookupOutcome::Found(record) = outcome else {
        panic!("{what}: expected found, got {}", outcome.as_str());
    };
    assert_eq!(
        record.personal_id, expected.personal_id,
        "{what}: personal ID"
    );
    assert_eq!(record.cmnd, expected.cmnd, "{what}: CMND");
    assert_eq!(
        record.name.folded_key(),
        expected.name.folded_key(),
        "{what}: name"
    );
    assert_eq!(
        record.name.tone_insensitive_key(),
        expected.name.tone_insensitive_key(),
        "{what}: name diacritics"
    );
    assert_eq!(record.birth_date, expected.birth_date, "{what}: birth date");
    assert_eq!(record.gender, expected.gender, "{what}: gender");
    assert_eq!(record.ethnicity, expected.ethnicity, "{what}: ethnicity");
}

fn assert_not_found(outcome: &LookupOutcome, what: &str) {
    assert!(
        matches!(outcome, LookupOutcome::NotFound),
        "{what}: expected not_found, got {}",
        outcome.as_str()
    );
}

/// Runs every behaviour against `registry`, which must hold `fixture`'s
/// population.
///
/// # Panics
///
/// On the first behaviour that differs, naming it.
pub async fn behaviour_suite(registry: &dyn PopulationRegistry, fixture: &SuiteFixture) {
    let c = &fixture.citizen;
    let id = c.personal_id.as_str();
    let cmnd = c.cmnd.map(|x| x.as_str().to_owned());
    let name = c.name.as_str();
    let birth = c
        .birth_date
        .unwrap_or_else(|| panic!("the suite's citizen has a birth date"));
    let date = birth.to_string();
    let year = format!("{:04}", birth.year());
    let other_year = format!("{:04}", birth.year() - 1);

    let q = fixture.query(id, name, &date);
    assert_found(
        lookup(registry, &q, "full date").await,
        c,
        "found with a full date",
    );

    let q = fixture.query(id, name, &year);
    assert_found(
        lookup(registry, &q, "year only").await,
        c,
        "found with a year-only query",
    );

    if let Some(cmnd) = &cmnd {
        let q = fixture.query(cmnd, name, &date);
        assert_found(lookup(registry, &q, "by CMND").await, c, "found by CMND");
    }

    let q = fixture.query(fixture.unknown_id.as_str(), name, &year);
    assert_not_found(&lookup(registry, &q, "unknown ID").await, "unknown ID");

    let q = fixture.query(id, "Nguyễn Văn Bình", &date);
    assert_not_found(&lookup(registry, &q, "wrong name").await, "wrong name");

    let q = fixture.query(id, name, &other_year);
    assert_not_found(
        &lookup(registry, &q, "wrong birth year").await,
        "wrong birth year",
    );

    let folded_lower = c.name.folded_key().to_lowercase();
    let q = fixture.query(id, &folded_lower, &date);
    assert_found(
        lookup(registry, &q, "folded name").await,
        c,
        "name matching ignores diacritics and case",
    );

    let y = &fixture.year_only;
    let y_birth = y
        .birth_date
        .unwrap_or_else(|| panic!("the suite's year-only citizen has a birth year"));
    let q = fixture.query(
        y.personal_id.as_str(),
        y.name.as_str(),
        &format!("15/06/{:04}", y_birth.year()),
    );
    assert_found(
        lookup(registry, &q, "year-only record").await,
        y,
        "a year-only record matches a full date in that year",
    );

    let q = fixture.query(id, name, &date);
    assert_eq!(
        check(registry, &q, "check").await,
        CheckOutcome::Confirmed,
        "check confirmed"
    );
    let q = fixture.query(id, "Nguyễn Văn Bình", &date);
    assert_eq!(
        check(registry, &q, "check wrong name").await,
        CheckOutcome::NotConfirmed,
        "check not confirmed"
    );

    if let Some(o) = &fixture.otp {
        let r = &o.record;
        let q = fixture.query(
            r.personal_id.as_str(),
            r.name.as_str(),
            &r.birth_date.map(|b| b.to_string()).unwrap_or_default(),
        );
        let outcome = lookup(registry, &q, "OTP required").await;
        assert!(
            matches!(outcome, LookupOutcome::OtpRequired),
            "OTP required: got {}",
            outcome.as_str()
        );
        let outcome = lookup(registry, &q.clone().with_otp(o.wrong_otp), "OTP wrong").await;
        assert!(
            matches!(outcome, LookupOutcome::OtpRejected),
            "OTP wrong: got {}",
            outcome.as_str()
        );
        let outcome = lookup(registry, &q.with_otp(o.otp), "OTP right").await;
        assert_found(outcome, r, "OTP right");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn in_memory_registry_passes_the_suite() {
        for with_otp in [false, true] {
            let fixture = SuiteFixture::standard(with_otp);
            let registry = InMemoryRegistry::new("memory");
            fixture.load(&registry);
            behaviour_suite(&registry, &fixture).await;
        }
    }

    #[tokio::test]
    #[should_panic(expected = "found with a full date")]
    async fn the_suite_fails_an_empty_registry() {
        let fixture = SuiteFixture::standard(false);
        behaviour_suite(&InMemoryRegistry::new("empty"), &fixture).await;
    }
}

/// The layer of [`CountingRegistry`].
#[derive(Debug, Default)]
pub struct Counter(std::sync::atomic::AtomicUsize);

#[async_trait::async_trait]
impl Layer for Counter {
    async fn around<T: Outcome>(&self, call: Call<'_>, next: &dyn Next<T>) -> Answer<T> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        next.call(call.ctx).await
    }
}

/// A registry wrapper that counts the calls reaching the wrapped registry:
/// tests use it to prove that a refused step made no gateway call.
pub type CountingRegistry<R> = Layered<Counter, R>;

impl<R> CountingRegistry<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> Self {
        Layered::wrap(Counter::default(), inner)
    }

    /// Lookups and checks made so far.
    pub fn calls(&self) -> usize {
        self.layer().0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// A registry that always fails with the same error: a gateway that is
/// down (`RegistryError::Unavailable`), refuses our credentials, …
#[derive(Debug)]
pub struct FailingRegistry(pub RegistryError);

impl FailingRegistry {
    /// A gateway that cannot be reached.
    #[must_use]
    pub fn down() -> Self {
        Self(RegistryError::Unavailable {
            reason: "connection refused".into(),
        })
    }
}

#[async_trait::async_trait]
impl PopulationRegistry for FailingRegistry {
    fn info(&self) -> RegistryInfo {
        RegistryInfo {
            name: "failing".into(),
            channel: "in_memory",
        }
    }

    async fn lookup(&self, _: &RequestContext, _: &IdentityQuery) -> Answer<LookupOutcome> {
        Err(self.0.clone())
    }

    async fn check(&self, _: &RequestContext, _: &IdentityQuery) -> Answer<CheckOutcome> {
        Err(self.0.clone())
    }
}
