//! The behaviour suite every `DossierStore` must pass
//! (`dancu_core::dossier::suite`), run against the in-memory store and the
//! SQLite store.

use dancu_core::dossier::InMemoryDossierStore;
use dancu_core::dossier::suite::{UNIT_A, behaviour_suite, exhaustion_after};
use dancu_dossier_sqlite::SqliteDossierStore;

use crate::support::Scratch;

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
