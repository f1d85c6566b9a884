//! The synthetic population: consistent, deterministic, real places.

#![allow(clippy::unwrap_used)]

use std::collections::HashSet;

use dancu_core::PopulationRegistry;
use dancu_core::registry::{AddressEra, IdentityQuery, Otp, RecordAddress};
use dancu_core::registry::{LookupOutcome, RequestContext};
use dancu_core::{CalendarDate, Gender, IdNumber, Precision, Registration};
use dancu_popdb::InMemoryRegistry;
use dancu_sandbox::Population;
use dancu_sandbox::population::Relation;

/// What the in-memory registry over the population answers: the outcome
/// and, when found, the citizen's ID.
fn find(
    registry: &InMemoryRegistry<&Population>,
    query: &IdentityQuery,
) -> (String, Option<String>) {
    let ctx = RequestContext::new("canbo.test", "1.001776".parse().unwrap()).unwrap();
    let fut = registry.lookup(&ctx, query);
    let reply = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(fut)
        .unwrap();
    let id = match &reply.outcome {
        LookupOutcome::Found(r) => Some(r.personal_id.to_string()),
        _ => None,
    };
    (reply.outcome.as_str().to_owned(), id)
}

fn population() -> Population {
    Population::generate(42, 5_000)
}

fn all_named(a: &RecordAddress) -> bool {
    let named =
        |u: &Option<dancu_core::registry::NamedUnit>| u.as_ref().is_some_and(|u| u.name.is_some());
    match a.era {
        Some(AddressEra::Legacy) => named(&a.province) && named(&a.district) && named(&a.commune),
        Some(AddressEra::Current) => {
            named(&a.province) && named(&a.commune) && a.district.is_none()
        }
        None => false,
    }
}

#[test]
fn every_id_parses_and_agrees_with_its_person() {
    let pop = population();
    assert_eq!(pop.len(), 5_000);
    let on = CalendarDate::new(2025, 12, 31).unwrap();
    let mut ids = HashSet::new();
    for p in pop.people() {
        let parsed = IdNumber::parse_on(p.id.as_str(), on).unwrap();
        assert_eq!(parsed.as_personal_id(), Some(&p.id));
        assert!(ids.insert(p.id), "duplicate ID");
        assert_eq!(p.id.gender(), p.gender);
        assert_eq!(p.id.birth_year(), p.birth.year());
        assert!(p.birth.is_consistent_with(&p.id));
        match p.id.registration() {
            Registration::Province(r) => {
                assert_eq!(u32::from(r.code()), p.birth_place.province().code().get());
            }
            Registration::Abroad { code, .. } => assert!((101..=295).contains(&code)),
            _ => unreachable!("a registration is a province or abroad"),
        }
        if let Some(c) = p.cmnd {
            assert_eq!(c.as_str().len(), 9);
            assert!(p.birth.year() <= 1995);
        }
    }
}

#[test]
fn every_address_code_exists_in_its_era() {
    let pop = population();
    let mut eras = HashSet::new();
    for i in 0..pop.len() as u32 {
        let r = pop.record(i).unwrap();
        for a in [&r.birth_registration, &r.hometown, &r.permanent, &r.current] {
            let a = a.as_ref().unwrap();
            assert!(all_named(a), "unnamed code in {a:?}");
            eras.insert(a.era);
        }
        assert!(r.permanent.as_ref().unwrap().detail.is_some());
    }
    assert!(eras.contains(&Some(AddressEra::Legacy)) && eras.contains(&Some(AddressEra::Current)));
}

#[test]
fn the_same_seed_gives_the_same_population() {
    let a = Population::generate(7, 2_000);
    let b = Population::generate(7, 2_000);
    let c = Population::generate(8, 2_000);
    for i in 0..2_000u32 {
        assert_eq!(a.record(i), b.record(i));
        assert_eq!(a.people()[i as usize].otp, b.people()[i as usize].otp);
    }
    let same = (0..2_000u32)
        .filter(|&i| a.record(i) == c.record(i))
        .count();
    assert!(same < 10, "{same} identical records across seeds");
}

#[test]
fn families_agree_with_each_other() {
    let pop = population();
    let people = pop.people();
    for (i, p) in people.iter().enumerate() {
        let head = &people[p.head as usize];
        assert_eq!(head.relation, Relation::Head);
        assert_eq!(head.home, p.home);
        let r = pop.record(i as u32).unwrap();
        let hh = r.household_head.as_ref().unwrap();
        assert_eq!(hh.personal_id, Some(head.id));
        assert_eq!(r.household_book, pop.record(p.head).unwrap().household_book);
        if let Some(s) = p.spouse {
            assert_eq!(people[s as usize].spouse, Some(i as u32));
            assert_ne!(people[s as usize].gender, p.gender);
            assert_eq!(
                r.spouse.as_ref().unwrap().personal_id,
                Some(people[s as usize].id)
            );
        }
        if let Some(f) = p.father {
            let father = &people[f as usize];
            assert_eq!(father.gender, Gender::Male);
            assert!(father.birth.year() + 15 <= p.birth.year());
            assert_eq!(r.father.as_ref().unwrap().personal_id, Some(father.id));
        }
        if let Some(m) = p.mother {
            assert_eq!(people[m as usize].gender, Gender::Female);
        }
    }
}

#[test]
fn realistic_shares() {
    let pop = Population::generate(1, 20_000);
    let people = pop.people();
    let n = people.len() as f64;
    let share = |f: &dyn Fn(&dancu_sandbox::Person) -> bool| {
        people.iter().filter(|p| f(p)).count() as f64 / n
    };
    let year_only = share(&|p| p.birth.precision() == Precision::Year);
    assert!((0.03..0.07).contains(&year_only), "{year_only}");
    let nguyen = share(&|p| p.name.family() == "Nguyễn");
    assert!((0.25..0.45).contains(&nguyen), "{nguyen}");
    assert!(share(&|p| p.cmnd.is_some()) > 0.05);
    assert!(share(&|p| p.otp.is_some()) > 0.005);
    assert!(
        people.iter().any(|p| p.name.as_str().contains('\'')),
        "some Ê Đê/Jrai names"
    );
    assert!(
        people
            .iter()
            .any(|p| p.name.family() == "Huỳnh" || p.name.family() == "Võ")
    );
    assert!(share(&|p| p.gender == Gender::Female) > 0.4);
}

#[test]
fn matching_follows_the_database_rules() {
    let pop = population();
    let on = CalendarDate::new(2026, 11, 27).unwrap();
    let i = pop
        .people()
        .iter()
        .position(|p| p.otp.is_none() && p.birth.precision() == Precision::Day)
        .unwrap();
    let p = &pop.people()[i];
    let q = |id: &str, name: &str, dob: &str| {
        IdentityQuery::new(
            IdNumber::parse_on(id, on).unwrap(),
            name.parse().unwrap(),
            dob.parse().unwrap(),
        )
        .unwrap()
    };
    let registry = InMemoryRegistry::over("sandbox", &pop);
    let found = |i: usize| ("found".to_owned(), Some(pop.people()[i].id.to_string()));
    let none = || ("not_found".to_owned(), None);
    let id = p.id.as_str();
    assert_eq!(
        find(&registry, &q(id, p.name.as_str(), &p.birth.to_string())),
        found(i)
    );
    assert_eq!(
        find(
            &registry,
            &q(id, &p.name.folded_key(), &p.birth.year().to_string())
        ),
        found(i)
    );
    assert_eq!(
        find(&registry, &q(id, "Không Phải Tên", &p.birth.to_string())),
        none()
    );
    assert_eq!(
        find(
            &registry,
            &q(id, p.name.as_str(), &(p.birth.year() - 1).to_string())
        ),
        none()
    );

    let j = pop.people().iter().position(|p| p.otp.is_some()).unwrap();
    let p = &pop.people()[j];
    let base = q(p.id.as_str(), p.name.as_str(), &p.birth.year().to_string());
    assert_eq!(find(&registry, &base).0, "otp_required");
    let wrong: Otp = if p.otp.unwrap().as_str() == "000000" {
        "111111"
    } else {
        "000000"
    }
    .parse()
    .unwrap();
    assert_eq!(
        find(&registry, &base.clone().with_otp(wrong)).0,
        "otp_rejected"
    );
    assert_eq!(
        find(&registry, &base.clone().with_otp(p.otp.unwrap())),
        found(j)
    );
    // A channel without the citizen OTP answers for the same citizen at once.
    let plain = InMemoryRegistry::over("sandbox", &pop).without_otp();
    assert_eq!(find(&plain, &base), found(j));

    let k = pop
        .people()
        .iter()
        .position(|p| p.cmnd.is_some() && p.otp.is_none())
        .unwrap();
    let p = &pop.people()[k];
    assert_eq!(
        find(
            &registry,
            &q(
                p.cmnd.unwrap().as_str(),
                p.name.as_str(),
                &p.birth.to_string()
            )
        ),
        found(k)
    );
}

#[test]
fn any_seed_generates_without_overflow() {
    // The household book number added the seed: `--seed
    // 18446744073709551615` overflowed.
    for seed in [u64::MAX, u64::MAX - 1, 1 << 63] {
        let pop = Population::generate(seed, 200);
        assert_eq!(pop.len(), 200);
        for i in 0..200u32 {
            let book = pop.record(i).unwrap().household_book.unwrap();
            assert!(book.bytes().all(|b| b.is_ascii_digit()), "{book}");
        }
    }
}
