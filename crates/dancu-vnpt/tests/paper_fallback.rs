//! The legal fallback in the iGate wizard: paper only when the database
//! could not be used, never after a successful lookup.

#![allow(clippy::unwrap_used)]

use dancu_core::CalendarDate;
use dancu_core::dossier::{DossierStore, InMemoryDossierStore, PaperFallback, WorkingCalendar};
use dancu_core::registry::{CitizenRecord, RegistryError};
use dancu_popdb::InMemoryRegistry;
use dancu_popdb::suite::FailingRegistry;
use dancu_vnpt::{ApplicantForm, IdentityOutcome, IgateCatalog, Officer, Reception};

const AGENCY: &str = "000.00.21.H06";

fn today() -> CalendarDate {
    CalendarDate::new(2026, 11, 27).unwrap()
}

fn form<'c>(catalog: &'c IgateCatalog, name: &str, id: &str, dob: &str) -> ApplicantForm<'c> {
    let officer = Officer {
        account: "canbo.motcua01".into(),
        agency: AGENCY.into(),
    };
    let mut f = Reception::new(officer, catalog)
        .choose_sector("HT")
        .unwrap()
        .choose_procedure("1.001776")
        .unwrap()
        .choose_process("QT-1.001776-3N")
        .unwrap()
        .proceed();
    f.ho_va_ten = name.into();
    f.cccd_cmnd = id.into();
    f.ngay_sinh = dob.into();
    f
}

fn not_verified(o: IdentityOutcome<'_>) -> ApplicantForm<'_> {
    match o {
        IdentityOutcome::NotVerified(f) => f,
        _ => panic!("expected a not-verified outcome"),
    }
}

#[tokio::test]
async fn not_found_twice_then_paper_with_typed_data() {
    let catalog = IgateCatalog::sample(AGENCY);
    let registry = InMemoryRegistry::new("memory");
    let store = InMemoryDossierStore::new();
    let f = form(&catalog, "Hà Thị Không Có", "006190000123", "15/08/1990");
    let f = not_verified(f.check_digital_identity(&registry, today()).await.unwrap());
    assert!(
        f.paper_fallback().is_none(),
        "one miss is not enough: re-check the input first"
    );
    let f = not_verified(f.check_digital_identity(&registry, today()).await.unwrap());
    let paper = f.into_paper_fallback().expect("not found after a recheck");
    assert!(matches!(
        paper.fallback(),
        PaperFallback::NotFoundAfterRecheck { attempts: 2 }
    ));
    let saved = paper
        .save(
            &store,
            &WorkingCalendar::default(),
            today(),
            "0912000111",
            "Đề nghị",
        )
        .await
        .unwrap();
    assert_eq!(saved.dossier.code.to_string(), "000.00.21.H06-261127-0001");
    assert!(saved.dossier.verification.is_none());
    assert!(!saved.dossier.owner.is_locked());
    assert_eq!(
        store.load(&saved.dossier.code).await.unwrap().unwrap(),
        saved.dossier
    );
}

#[tokio::test]
async fn unavailable_gateway_allows_paper_at_once() {
    let catalog = IgateCatalog::sample(AGENCY);
    let f = form(&catalog, "Nguyễn Văn An", "006089000001", "12/05/1989");
    let f = not_verified(
        f.check_digital_identity(&FailingRegistry::down(), today())
            .await
            .unwrap(),
    );
    assert!(matches!(
        f.paper_fallback(),
        Some(PaperFallback::GatewayUnavailable { .. })
    ));
}

#[tokio::test]
async fn never_paper_after_a_successful_lookup() {
    let catalog = IgateCatalog::sample(AGENCY);
    let registry = InMemoryRegistry::new("memory");
    registry.insert(CitizenRecord::new(
        "006089000001".parse().unwrap(),
        "Nguyễn Văn An".parse().unwrap(),
        "1".parse().unwrap(),
        "12/05/1989".parse().unwrap(),
    ));
    let f = form(&catalog, "Nguyễn Văn An", "006089000001", "12/05/1989");
    match f.check_digital_identity(&registry, today()).await.unwrap() {
        IdentityOutcome::Filled(a) => assert_eq!(a.name().as_str(), "Nguyễn Văn An"),
        _ => panic!("expected the applicant to be filled"),
    }
    // A form that only ever saw successful lookups has no paper path.
    let f = form(&catalog, "Nguyễn Văn An", "006089000001", "12/05/1989");
    assert!(f.into_paper_fallback().is_none());
}

#[tokio::test]
async fn our_own_failures_never_open_the_paper_path() {
    let catalog = IgateCatalog::sample(AGENCY);
    let f = form(&catalog, "Nguyễn Văn An", "006089000001", "12/05/1989");
    let f = not_verified(
        f.check_digital_identity(&FailingRegistry(RegistryError::Unauthorized), today())
            .await
            .unwrap(),
    );
    assert!(
        f.paper_fallback().is_none(),
        "bad credentials are fixed, not worked around"
    );
}
