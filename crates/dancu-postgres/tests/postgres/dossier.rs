//! `PgDossierStore`: the behaviour suite, serials across instances, and
//! compare-and-swap under contention.

use std::collections::BTreeSet;
use std::sync::Arc;

use dancu_core::DossierCode;
use dancu_core::dossier::suite::{UNIT_A, behaviour_suite, day, exhaustion_after, full_dossier};
use dancu_core::dossier::{DossierStatus, DossierStore, StoreError};
use dancu_postgres::PgDossierStore;

use crate::support::Scratch;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_postgres_store_passes_the_suite() {
    let Some(scratch) = Scratch::new("dossier suite").await else {
        return;
    };
    behaviour_suite(&PgDossierStore::new(scratch.database().await)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_serials_run_out_after_9999() {
    let Some(scratch) = Scratch::new("exhaustion").await else {
        return;
    };
    let store = PgDossierStore::new(scratch.database().await);
    // An import of serial 9,990 moves the counter there in one step.
    let code: DossierCode = format!("{UNIT_A}-261127-9990").parse().unwrap();
    store
        .save(&full_dossier(&code, DossierStatus::Received))
        .await
        .unwrap();
    exhaustion_after(&store, UNIT_A, 9_990).await;
}

/// Two instances (two pools) issuing at once for one unit and day get
/// distinct, contiguous serials.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_issues_on_two_instances_are_contiguous_and_distinct() {
    const ISSUES: u32 = 400;
    let Some(scratch) = Scratch::new("parallel serials").await else {
        return;
    };
    let stores = [
        Arc::new(PgDossierStore::new(scratch.database().await)),
        Arc::new(PgDossierStore::new(scratch.database().await)),
    ];
    let d = day(2026, 11, 27);
    let tasks: Vec<_> = (0..ISSUES)
        .map(|i| {
            let store = Arc::clone(&stores[usize::try_from(i % 2).unwrap()]);
            tokio::spawn(async move { store.issue_code(UNIT_A, d).await.unwrap() })
        })
        .collect();
    let mut serials = BTreeSet::new();
    for t in tasks {
        assert!(
            serials.insert(t.await.unwrap().serial()),
            "a serial was issued twice"
        );
    }
    assert_eq!(serials, (1..=ISSUES).collect());
}

/// Of many officers deciding one dossier at once, on two instances, exactly
/// one succeeds; the others are told the status changed, and the stored
/// dossier is the winner's, whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replace_if_status_is_a_compare_and_swap() {
    const OFFICERS: usize = 16;
    let Some(scratch) = Scratch::new("cas").await else {
        return;
    };
    let stores = [
        Arc::new(PgDossierStore::new(scratch.database().await)),
        Arc::new(PgDossierStore::new(scratch.database().await)),
    ];
    let code = stores[0]
        .issue_code(UNIT_A, day(2026, 11, 27))
        .await
        .unwrap();
    stores[0]
        .save(&full_dossier(&code, DossierStatus::NewlyRegistered))
        .await
        .unwrap();
    let tasks: Vec<_> = (0..OFFICERS)
        .map(|i| {
            let store = Arc::clone(&stores[i % 2]);
            let mut decided = full_dossier(&code, DossierStatus::Received);
            decided.summary = format!("decided by officer {i}");
            tokio::spawn(async move {
                let r = store
                    .replace_if_status(&decided, DossierStatus::NewlyRegistered)
                    .await;
                (decided, r)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            (d, Ok(())) => winners.push(d),
            (_, Err(StoreError::StatusChanged { found, .. })) => {
                assert_eq!(found, Some(DossierStatus::Received));
            }
            (_, Err(e)) => panic!("{e}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one decision wins");
    assert_eq!(stores[1].load(&code).await.unwrap(), winners.pop());
}

/// Outside the dossier's body (which is the dossier, the store's purpose),
/// the indexed columns hold the owner's ID masked only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_id_is_kept_masked_outside_the_body() {
    let Some(scratch) = Scratch::new("masked columns").await else {
        return;
    };
    let store = PgDossierStore::new(scratch.database().await);
    let code = store.issue_code(UNIT_A, day(2026, 11, 27)).await.unwrap();
    store
        .save(&full_dossier(&code, DossierStatus::Received))
        .await
        .unwrap();
    let raw = scratch.raw().await;
    let row = raw
        .query_one(
            "SELECT unit, status, channel, procedure_code, owner_id_masked, intake_date::text \
             FROM dancu_dossier",
            &[],
        )
        .await
        .unwrap();
    let owner: &str = row.get(4);
    assert_eq!(owner, "********0001");
    let columns = format!(
        "{} {} {} {} {} {:?}",
        row.get::<_, &str>(0),
        row.get::<_, i16>(1),
        row.get::<_, i16>(2),
        row.get::<_, &str>(3),
        owner,
        row.get::<_, Option<&str>>(5)
    );
    assert!(
        !columns.contains(dancu_core::dossier::suite::OWNER_ID),
        "{columns}"
    );
}
