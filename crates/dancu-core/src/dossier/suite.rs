//! The behaviour every [`DossierStore`] must have — the in-memory store
//! here, SQLite and PostgreSQL elsewhere — whatever its storage: the rules
//! the port documents, as named behaviours run against a fresh, empty
//! store, and the fixtures they use. Enabled by the `testkit` feature.
//!
//! Each behaviour panics (like a test) on the first difference, with a
//! message naming it.
//!
//! ```
//! use dancu_core::dossier::InMemoryDossierStore;
//! use dancu_core::dossier::suite::behaviour_suite;
//!
//! let store = InMemoryDossierStore::new();
//! let mut run = std::pin::pin!(behaviour_suite(&store));
//! // The in-memory store never waits: one poll runs the whole suite.
//! let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
//! assert!(run.as_mut().poll(&mut cx).is_ready());
//! ```

use std::collections::BTreeMap;

use super::{
    Channel, Dossier, DossierAddress, DossierStatus, DossierStore, MatchReportSummary, Owner,
    OwnerType, PaperFallback, StoreError, Submitter, Verification, WorkingCalendar,
};
use crate::registry::{RecordAddress, RequestId};
use crate::{BirthDate, CalendarDate, DossierCode, FullName, IdNumber};

/// The full ID number every sample owner carries.
pub const OWNER_ID: &str = "001089000001";

/// A calendar day of the suite's fixtures.
///
/// # Panics
///
/// When the date does not exist.
#[must_use]
pub fn day(y: u32, m: u32, d: u32) -> CalendarDate {
    CalendarDate::new(y, m, d).unwrap()
}

/// A dossier with every part filled in, built through the core API. It is
/// a function of `code` and `status` only, so a test can rebuild the exact
/// dossier it expects to find.
///
/// # Panics
///
/// Never for a code the store issued (its fixtures are valid).
pub fn full_dossier(code: &DossierCode, status: DossierStatus) -> Dossier {
    let id = IdNumber::parse_on(OWNER_ID, day(2026, 11, 27)).unwrap();
    let mut owner = Owner::typed(
        OwnerType::Citizen,
        id,
        FullName::parse("Nguyễn Thị Minh Khai").unwrap(),
    );
    owner
        .set_birth_date(BirthDate::from_parts(1989, 5, 19).unwrap())
        .unwrap();
    owner.set_phone("0912 345 678".parse().unwrap());
    owner.set_email("khai.nguyen@example.vn".parse().unwrap());
    owner.set_address(DossierAddress {
        text: "Thôn Nà Pài, Xã Phong Quang, Tỉnh Thái Nguyên".to_owned(),
        units: Some(RecordAddress::from_codes(
            "19",
            "",
            "05779",
            "Thôn Nà Pài",
            "VN",
        )),
    });
    let request_id: RequestId = format!("00000000-0000-4000-8000-{:012}", code.serial())
        .parse()
        .unwrap();
    let form = BTreeMap::from([
        ("ho_ten_cha".to_owned(), "Nguyễn Văn An".to_owned()),
        ("ho_ten_me".to_owned(), "Hoàng Thị Lụa".to_owned()),
        (
            "noi_sinh".to_owned(),
            "Bệnh viện Đa khoa Bắc Kạn".to_owned(),
        ),
    ]);
    Dossier {
        code: code.clone(),
        second_code: Some(
            format!("{}-{}", code.unit(), "261127-04321")
                .parse()
                .unwrap(),
        ),
        unit: code.unit().to_owned(),
        sector: "Hộ tịch".to_owned(),
        procedure: "1.001193.000.00.00.H06".parse().unwrap(),
        case: Some("Đăng ký khai sinh đúng hạn".to_owned()),
        status,
        channel: Channel::Direct,
        owner,
        submitter: Some(Submitter {
            name: FullName::parse("Trần Văn Bình").unwrap(),
            id: None,
            phone: Some("+84 987 654 321".parse().unwrap()),
            email: Some("binh.tran@example.vn".parse().unwrap()),
        }),
        summary: "Đăng ký khai sinh cho con thứ hai".to_owned(),
        intake_date: Some(code.date()),
        appointment_date: Some(
            WorkingCalendar::with_fixed_holidays([2026]).add_working_days(code.date(), 3),
        ),
        verification: Some(Verification {
            request_id,
            gateway: "lgsp".to_owned(),
            as_of: Some("2026-11-27T08:00:00Z".to_owned()),
            report: MatchReportSummary {
                id: "same".to_owned(),
                name: "identical".to_owned(),
                birth_date: "exact".to_owned(),
                gender: "agrees".to_owned(),
                all_agree: true,
            },
        }),
        paper_fallback: None,
        rejection_reason: None,
        form,
    }
}

/// A dossier that differs from [`full_dossier`] in many places, to check
/// that a save replaces the whole dossier.
#[must_use]
pub fn revised(mut dossier: Dossier) -> Dossier {
    dossier.status = DossierStatus::NotReceived;
    dossier.channel = Channel::PublicPost;
    dossier.second_code = None;
    dossier.verification = None;
    dossier.paper_fallback = Some(PaperFallback::GatewayUnavailable {
        error: "unavailable".to_owned(),
    });
    dossier.rejection_reason = Some("Thiếu giấy tờ".to_owned());
    dossier.form.clear();
    dossier
}

/// The unit most behaviours issue codes for.
pub const UNIT_A: &str = "000.00.21.H56";
/// Another unit, counting on its own.
pub const UNIT_B: &str = "000.00.22.H56";

/// Every behaviour below, in turn, on one store. `store` must be empty.
///
/// # Panics
///
/// When `store` behaves otherwise.
pub async fn behaviour_suite(store: &dyn DossierStore) {
    codes_count_per_unit_per_day(store).await;
    bad_input_is_an_error(store).await;
    dossiers_round_trip_and_replace(store).await;
    listing_filters_by_unit_and_status(store).await;
    conditional_replace_checks_the_stored_status(store).await;
}

async fn issued(store: &dyn DossierStore, unit: &str, date: CalendarDate) -> String {
    store.issue_code(unit, date).await.unwrap().to_string()
}

/// Serials count from 1 per unit and per day; another unit and another day count on their own.
///
/// # Panics
///
/// When `store` behaves otherwise.
pub async fn codes_count_per_unit_per_day(store: &dyn DossierStore) {
    let (d1, d2) = (day(2026, 11, 27), day(2026, 11, 28));
    for n in 1..=3 {
        assert_eq!(
            issued(store, UNIT_A, d1).await,
            format!("{UNIT_A}-261127-000{n}")
        );
    }
    // Another unit counts on its own.
    assert_eq!(
        issued(store, UNIT_B, d1).await,
        format!("{UNIT_B}-261127-0001")
    );
    // A new day starts at 1 again; the earlier day goes on where it was.
    assert_eq!(
        issued(store, UNIT_A, d2).await,
        format!("{UNIT_A}-261128-0001")
    );
    assert_eq!(
        issued(store, UNIT_A, d1).await,
        format!("{UNIT_A}-261127-0004")
    );
    let code = store.issue_code(UNIT_A, d2).await.unwrap();
    assert_eq!((code.unit(), code.date(), code.serial()), (UNIT_A, d2, 2));
}

/// A malformed unit or a date outside 2000–2099 is an error and leaves the counter as it was.
///
/// # Panics
///
/// When `store` behaves otherwise.
pub async fn bad_input_is_an_error(store: &dyn DossierStore) {
    let d1 = day(2026, 11, 27);
    for unit in ["", "H 56", "Hà.Giang", &"H".repeat(41)] {
        let result = store.issue_code(unit, d1).await;
        assert!(
            matches!(result, Err(StoreError::Backend(_))),
            "unit {unit:?}: {result:?}"
        );
    }
    // A dossier code's year has two digits: 2000–2099.
    for date in [day(1999, 12, 31), day(2100, 1, 1)] {
        let result = store.issue_code(UNIT_A, date).await;
        assert!(
            matches!(result, Err(StoreError::Backend(_))),
            "{date}: {result:?}"
        );
    }
    // The rejected calls did not touch the unit's counter.
    assert_eq!(
        issued(store, UNIT_A, d1).await,
        format!("{UNIT_A}-261127-0005")
    );
}

/// A saved dossier loads back equal; saving again replaces it whole.
///
/// # Panics
///
/// When `store` behaves otherwise.
pub async fn dossiers_round_trip_and_replace(store: &dyn DossierStore) {
    let d = day(2026, 12, 1);
    let code = store.issue_code(UNIT_A, d).await.unwrap();
    assert_eq!(store.load(&code).await.unwrap(), None);
    let dossier = full_dossier(&code, DossierStatus::NewlyRegistered);
    store.save(&dossier).await.unwrap();
    assert_eq!(store.load(&code).await.unwrap(), Some(dossier.clone()));

    let changed = revised(dossier);
    store.save(&changed).await.unwrap();
    assert_eq!(store.load(&code).await.unwrap(), Some(changed.clone()));
    // Replaced, not added: the old status no longer lists it.
    let listed = store
        .list(UNIT_A, DossierStatus::NewlyRegistered)
        .await
        .unwrap();
    assert!(listed.iter().all(|x| x.code != code), "{listed:?}");
    let listed = store
        .list(UNIT_A, DossierStatus::NotReceived)
        .await
        .unwrap();
    assert_eq!(listed, vec![changed]);

    // A code never saved loads as nothing.
    let unknown = store.issue_code(UNIT_A, d).await.unwrap();
    assert_eq!(store.load(&unknown).await.unwrap(), None);
}

/// Listing returns the unit's dossiers in one status, whole, by code.
///
/// # Panics
///
/// When `store` behaves otherwise.
pub async fn listing_filters_by_unit_and_status(store: &dyn DossierStore) {
    let d = day(2026, 12, 2);
    let mut a = Vec::new();
    for _ in 0..4 {
        a.push(store.issue_code(UNIT_A, d).await.unwrap());
    }
    let b = store.issue_code(UNIT_B, d).await.unwrap();
    // Saved out of order; listed by code.
    for (code, status) in [
        (&a[3], DossierStatus::Received),
        (&a[0], DossierStatus::Received),
        (&a[1], DossierStatus::Processing),
        (&a[2], DossierStatus::Received),
        (&b, DossierStatus::Received),
    ] {
        store.save(&full_dossier(code, status)).await.unwrap();
    }
    let codes = |v: Vec<Dossier>| {
        v.into_iter()
            .map(|x| x.code.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        codes(store.list(UNIT_A, DossierStatus::Received).await.unwrap()),
        [&a[0], &a[2], &a[3]].map(ToString::to_string)
    );
    assert_eq!(
        codes(store.list(UNIT_A, DossierStatus::Processing).await.unwrap()),
        [a[1].to_string()]
    );
    assert_eq!(
        codes(store.list(UNIT_B, DossierStatus::Received).await.unwrap()),
        [b.to_string()]
    );
    assert!(
        store
            .list(UNIT_B, DossierStatus::Processing)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .list("000.00.99.H56", DossierStatus::Received)
            .await
            .unwrap()
            .is_empty()
    );
    let full = store.list(UNIT_A, DossierStatus::Processing).await.unwrap();
    assert_eq!(full, vec![full_dossier(&a[1], DossierStatus::Processing)]);
}

/// `replace_if_status` writes only when the stored status is the one expected, and writes nothing otherwise (nor inserts).
///
/// # Panics
///
/// When `store` behaves otherwise.
pub async fn conditional_replace_checks_the_stored_status(store: &dyn DossierStore) {
    let d = day(2026, 12, 3);
    let code = store.issue_code(UNIT_A, d).await.unwrap();
    let waiting = full_dossier(&code, DossierStatus::NewlyRegistered);

    // Not stored yet: nothing to replace, and nothing is inserted.
    assert_eq!(
        store
            .replace_if_status(&waiting, DossierStatus::NewlyRegistered)
            .await,
        Err(StoreError::StatusChanged {
            code: code.to_string(),
            expected: DossierStatus::NewlyRegistered,
            found: None,
        })
    );
    assert_eq!(store.load(&code).await.unwrap(), None);

    store.save(&waiting).await.unwrap();
    let decided = revised(waiting.clone());
    store
        .replace_if_status(&decided, DossierStatus::NewlyRegistered)
        .await
        .unwrap();
    assert_eq!(store.load(&code).await.unwrap(), Some(decided.clone()));

    // A second decision expecting the old status changes nothing.
    let other = full_dossier(&code, DossierStatus::Received);
    let refused = store
        .replace_if_status(&other, DossierStatus::NewlyRegistered)
        .await;
    assert_eq!(
        refused,
        Err(StoreError::StatusChanged {
            code: code.to_string(),
            expected: DossierStatus::NewlyRegistered,
            found: Some(DossierStatus::NotReceived),
        })
    );
    let message = refused.unwrap_err().to_string();
    assert_eq!(message, format!("dossier {code} is in status 3 now, not 1"));
    assert_eq!(store.load(&code).await.unwrap(), Some(decided.clone()));
    let listed = store.list(UNIT_A, DossierStatus::Received).await.unwrap();
    assert!(listed.iter().all(|x| x.code != code), "{listed:?}");

    // Expecting the status it has now works.
    store
        .replace_if_status(&other, DossierStatus::NotReceived)
        .await
        .unwrap();
    assert_eq!(store.load(&code).await.unwrap(), Some(other));
}

/// Exhausts a unit's serials of one day in `store` through the port: the
/// 9,999th code is issued, the next call fails, other days still work.
/// `issued_so_far` codes of the unit on 2026-11-27 were issued before.
///
/// # Panics
///
/// When `store` behaves otherwise.
pub async fn exhaustion_after(store: &dyn DossierStore, unit: &str, issued_so_far: u32) {
    let d = day(2026, 11, 27);
    for _ in issued_so_far..9_998 {
        store.issue_code(unit, d).await.unwrap();
    }
    let last = store.issue_code(unit, d).await.unwrap();
    assert_eq!(last.to_string(), format!("{unit}-261127-9999"));
    for _ in 0..2 {
        assert_eq!(
            store.issue_code(unit, d).await,
            Err(StoreError::SerialsExhausted {
                unit: unit.to_owned(),
                date: d
            })
        );
    }
    let next_day = store.issue_code(unit, day(2026, 11, 28)).await.unwrap();
    assert_eq!(next_day.serial(), 1);
}
