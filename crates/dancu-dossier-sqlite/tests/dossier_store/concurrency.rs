//! Concurrent intakes: many tasks on several handles of one file, and
//! several processes on one file, never get the same serial.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use dancu_core::DossierCode;
use dancu_core::dossier::{DossierStatus, DossierStore, StoreError};
use dancu_dossier_sqlite::SqliteDossierStore;

use crate::support::{MARK, Scratch, day, full_dossier, reported, spawn_self};

const UNIT: &str = "000.00.21.H56";
const HANDLES: usize = 4;
const INTAKES: u32 = 400;

/// Opens `HANDLES` stores on one file at once, from separate threads, as
/// processes starting together would.
fn open_together(path: &std::path::Path) -> Vec<Arc<SqliteDossierStore>> {
    let threads: Vec<_> = (0..HANDLES)
        .map(|_| {
            let path = path.to_owned();
            std::thread::spawn(move || SqliteDossierStore::open(path).unwrap())
        })
        .collect();
    threads
        .into_iter()
        .map(|t| Arc::new(t.join().unwrap()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_intakes_on_several_handles_get_contiguous_distinct_serials() {
    let dir = Scratch::new("parallel");
    let stores = open_together(&dir.db());
    let d = day(2026, 11, 27);
    let tasks: Vec<_> = (0..INTAKES)
        .map(|i| {
            let store = Arc::clone(&stores[i as usize % HANDLES]);
            tokio::spawn(async move {
                let code = store.issue_code(UNIT, d).await.unwrap();
                store
                    .save(&full_dossier(&code, DossierStatus::Received))
                    .await
                    .unwrap();
                code
            })
        })
        .collect();
    let mut codes = Vec::new();
    for task in tasks {
        codes.push(task.await.unwrap());
    }
    let serials: BTreeSet<u32> = codes.iter().map(DossierCode::serial).collect();
    assert_eq!(serials.len(), codes.len(), "a serial was issued twice");
    assert_eq!(serials, (1..=INTAKES).collect());

    // Every dossier is whole, read through a handle other than its writer's.
    for (i, code) in codes.iter().enumerate() {
        let reader = &stores[(i + 1) % HANDLES];
        assert_eq!(
            reader.load(code).await.unwrap(),
            Some(full_dossier(code, DossierStatus::Received))
        );
    }
    let listed = stores[0].list(UNIT, DossierStatus::Received).await.unwrap();
    let listed: Vec<u32> = listed.iter().map(|x| x.code.serial()).collect();
    assert_eq!(listed, (1..=INTAKES).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_racing_decisions_on_one_dossier_exactly_one_lands() {
    let dir = Scratch::new("race");
    let stores = open_together(&dir.db());
    let d = day(2026, 11, 27);
    for round in 0..20 {
        let code = stores[0].issue_code(UNIT, d).await.unwrap();
        stores[0]
            .save(&full_dossier(&code, DossierStatus::NewlyRegistered))
            .await
            .unwrap();
        // Each racer writes a different decision: received or refused.
        let racers: Vec<_> = (0..8)
            .map(|i| {
                let store = Arc::clone(&stores[i % HANDLES]);
                let status = if i % 2 == 0 {
                    DossierStatus::Received
                } else {
                    DossierStatus::NotReceived
                };
                let decision = full_dossier(&code, status);
                tokio::spawn(async move {
                    let result = store
                        .replace_if_status(&decision, DossierStatus::NewlyRegistered)
                        .await;
                    (decision, result)
                })
            })
            .collect();
        let mut winners = Vec::new();
        for racer in racers {
            let (decision, result) = racer.await.unwrap();
            match result {
                Ok(()) => winners.push(decision),
                Err(StoreError::StatusChanged { found: Some(_), .. }) => {}
                Err(e) => panic!("round {round}: {e}"),
            }
        }
        assert_eq!(
            winners.len(),
            1,
            "round {round}: {} decisions landed",
            winners.len()
        );
        for store in &stores {
            assert_eq!(store.load(&code).await.unwrap().as_ref(), Some(&winners[0]));
        }
    }
}

const ISSUER_ENV: &str = "DANCU_DOSSIER_SQLITE_ISSUER_DB";
const PROCESSES: usize = 3;
const PER_PROCESS: u32 = 100;

/// Issues `PER_PROCESS` codes from `PER_PROCESS` parallel tasks on one
/// handle and returns them.
async fn issue_many(path: PathBuf) -> Vec<DossierCode> {
    let store = Arc::new(SqliteDossierStore::open(path).unwrap());
    let tasks: Vec<_> = (0..PER_PROCESS)
        .map(|_| {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.issue_code(UNIT, day(2026, 11, 27)).await.unwrap() })
        })
        .collect();
    let mut codes = Vec::new();
    for task in tasks {
        codes.push(task.await.unwrap());
    }
    codes
}

#[test]
fn processes_sharing_the_file_never_share_a_serial() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    if let Some(path) = std::env::var_os(ISSUER_ENV) {
        // Child: issue codes and print them for the parent.
        for code in runtime.block_on(issue_many(PathBuf::from(path))) {
            println!("{MARK}issued {code}");
        }
        return;
    }
    let dir = Scratch::new("processes");
    let db = dir.db();
    let children: Vec<_> = (0..PROCESSES)
        .map(|_| {
            spawn_self(
                "concurrency::processes_sharing_the_file_never_share_a_serial",
                (ISSUER_ENV, &db),
            )
        })
        .collect();
    let mut codes = runtime.block_on(issue_many(db.clone()));
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "a child failed: {:?}",
            output.status
        );
        let stdout = String::from_utf8(output.stdout).unwrap();
        let theirs: Vec<DossierCode> = stdout
            .lines()
            .filter_map(|line| reported(line, "issued"))
            .map(|code| code.parse().unwrap())
            .collect();
        assert_eq!(theirs.len(), PER_PROCESS as usize, "{stdout}");
        codes.extend(theirs);
    }
    let serials: BTreeSet<u32> = codes.iter().map(DossierCode::serial).collect();
    assert_eq!(serials.len(), codes.len(), "a serial was issued twice");
    let total = PER_PROCESS * (PROCESSES as u32 + 1);
    assert_eq!(serials, (1..=total).collect());
}
