//! The behaviour suite every `DossierStore` must pass, run against the
//! in-memory store and the SQLite store.

use dancu_core::dossier::{DossierStatus, DossierStore, InMemoryDossierStore, StoreError};
use dancu_dossier_sqlite::SqliteDossierStore;

use crate::support::{Scratch, day, full_dossier, revised};

const UNIT_A: &str = "000.00.21.H56";
const UNIT_B: &str = "000.00.22.H56";

/// The contract of the port. `store` must be empty.
pub(crate) async fn behaviour_suite(store: &dyn DossierStore) {
    codes_count_per_unit_per_day(store).await;
    bad_input_is_an_error(store).await;
    dossiers_round_trip_and_replace(store).await;
    listing_filters_by_unit_and_status(store).await;
    conditional_replace_checks_the_stored_status(store).await;
}

async fn issued(store: &dyn DossierStore, unit: &str, date: dancu_core::CalendarDate) -> String {
    store.issue_code(unit, date).await.unwrap().to_string()
}

async fn codes_count_per_unit_per_day(store: &dyn DossierStore) {
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

async fn bad_input_is_an_error(store: &dyn DossierStore) {
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

async fn dossiers_round_trip_and_replace(store: &dyn DossierStore) {
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

async fn listing_filters_by_unit_and_status(store: &dyn DossierStore) {
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
    let codes = |v: Vec<dancu_core::dossier::Dossier>| {
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

async fn conditional_replace_checks_the_stored_status(store: &dyn DossierStore) {
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
pub(crate) async fn exhaustion_after(store: &dyn DossierStore, unit: &str, issued_so_far: u32) {
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

#[tokio::test]
async fn in_memory_store_passes_the_suite() {
    behaviour_suite(&InMemoryDossierStore::new()).await;
}

#[tokio::test]
async fn sqlite_store_passes_the_suite() {
    let dir = Scratch::new("suite");
    let store = SqliteDossierStore::open(dir.db()).unwrap();
    behaviour_suite(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_store_passes_the_suite_on_a_multi_thread_runtime() {
    let dir = Scratch::new("suite-mt");
    let store = SqliteDossierStore::open(dir.db()).unwrap();
    behaviour_suite(&store).await;
}

#[tokio::test]
async fn in_memory_serials_run_out_after_9999() {
    exhaustion_after(&InMemoryDossierStore::new(), UNIT_A, 0).await;
}
