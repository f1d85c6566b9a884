//! Tiếp nhận trực tuyến: open from "Chờ tiếp nhận trực tuyến" → check
//! (year of birth only) → accept 1 → 2 or reject 1 → 3.

use std::collections::BTreeMap;

use dancu_core::dossier::{
    Channel, Dossier, DossierStatus, DossierStore, InMemoryDossierStore, Owner, OwnerType,
    PaperFallback, Provenance,
};
use dancu_core::intake::{CheckResult, IntakeError};
use dancu_core::{DateAgreement, IdNumber, Precision};
use dancu_tandan::{Officer, OnlineIntake, Role, submit_online};

use crate::support::{
    Counting, FailingRegistry, LAN_ID, NOBODY_ID, SON_ID, SON_OTP, UNIT, calendar, date, one_stop,
    population, today,
};

/// Hoàng Thị Lan applies online, declaring only her year of birth.
async fn submitted(store: &dyn DossierStore, id: &str, name: &str, year: &str) -> Dossier {
    let owner = Owner::typed(
        OwnerType::Citizen,
        IdNumber::parse_on(id, today()).unwrap(),
        name.parse().unwrap(),
    );
    let form: BTreeMap<String, String> = [
        ("ho_ten", name),
        ("so_dinh_danh", id),
        ("ngay_sinh", year),
        ("noi_dung", "Đề nghị cấp bản sao"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    submit_online(
        store,
        UNIT,
        "Hộ tịch (minh họa)",
        "2.000986".parse().unwrap(),
        owner,
        "Nộp trực tuyến",
        form,
        date(2026, 11, 25),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn a_submitted_dossier_waits_with_status_1_channel_2() {
    let store = InMemoryDossierStore::new();
    let d = submitted(&store, LAN_ID, "Hoàng Thị Lan", "1975").await;
    assert_eq!(d.code.to_string(), "000.00.21.H06-261125-0001");
    assert_eq!((d.status.code(), d.channel.code()), (1, 2));
    assert!(d.intake_date.is_none() && d.appointment_date.is_none());
    let desk = OnlineIntake::new(one_stop(), &store);
    assert_eq!(desk.waiting().await.unwrap(), vec![d.code.clone()]);
    let opened = desk.open(&d.code).await.unwrap();
    assert_eq!(opened.dossier(), &d);
    assert_eq!(opened.application()["ngay_sinh"], "1975");
    // Another unit's desk does not list it.
    let elsewhere = Officer::new("canbo.khac", "000.00.22.H06", &[Role::OneStop]);
    assert!(
        OnlineIntake::new(elsewhere, &store)
            .waiting()
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn open_refuses_unknown_other_units_and_not_waiting_dossiers() {
    let store = InMemoryDossierStore::new();
    let d = submitted(&store, LAN_ID, "Hoàng Thị Lan", "1975").await;
    let desk = OnlineIntake::new(one_stop(), &store);

    let unknown = "000.00.21.H06-261125-0099".parse().unwrap();
    assert!(matches!(
        desk.open(&unknown).await,
        Err(IntakeError::WrongState(m)) if m.contains("no dossier")
    ));

    let elsewhere = Officer::new("canbo.khac", "000.00.22.H06", &[Role::OneStop]);
    assert!(matches!(
        OnlineIntake::new(elsewhere, &store).open(&d.code).await,
        Err(IntakeError::WrongState(m)) if m.contains("another unit")
    ));

    // Status 1 but received by post (channel 3).
    let mut by_post = submitted(&store, LAN_ID, "Hoàng Thị Lan", "1975").await;
    by_post.channel = Channel::PublicPost;
    store.save(&by_post).await.unwrap();
    assert!(matches!(
        desk.open(&by_post.code).await,
        Err(IntakeError::WrongState(m)) if m.contains("channel 3")
    ));
    assert_eq!(desk.waiting().await.unwrap(), vec![d.code.clone()]);

    // Status 2: already received.
    let mut received = submitted(&store, LAN_ID, "Hoàng Thị Lan", "1975").await;
    received.status = DossierStatus::Received;
    store.save(&received).await.unwrap();
    assert!(matches!(
        desk.open(&received.code).await,
        Err(IntakeError::WrongState(m)) if m.contains("status 2")
    ));
}

#[tokio::test]
async fn the_check_needs_a_lookup_role_and_no_gateway_call_is_made_without_it() {
    let store = InMemoryDossierStore::new();
    let d = submitted(&store, LAN_ID, "Hoàng Thị Lan", "1975").await;
    let registry = Counting::new(population());
    let clerk = Officer::new("canbo.xuly02", UNIT, &[Role::Processing]);
    let mut opened = OnlineIntake::new(clerk, &store)
        .open(&d.code)
        .await
        .unwrap();
    assert!(matches!(
        opened.population_check(),
        Err(IntakeError::NotAllowed(_))
    ));
    // Nor may a dossier be accepted unverified instead.
    assert!(matches!(
        opened.accept(today(), 5, &calendar()).await,
        Err(IntakeError::WrongState(_))
    ));
    assert_eq!(registry.calls(), 0);
    assert_eq!(
        store.load(&d.code).await.unwrap().unwrap().status,
        DossierStatus::NewlyRegistered
    );
}

#[tokio::test]
async fn a_year_of_birth_verifies_and_accepting_moves_1_to_2() {
    let store = InMemoryDossierStore::new();
    let d = submitted(&store, LAN_ID, "Hoàng Thị Lan", "1975").await;
    let registry = Counting::new(population());
    let desk = OnlineIntake::new(one_stop(), &store);
    let mut opened = desk.open(&d.code).await.unwrap();
    let mut check = opened.population_check().unwrap();
    assert_eq!(check.form.birth_date, "1975");
    assert_eq!(check.form.id_number, LAN_ID);
    let result = check.check(&registry, today()).await.unwrap().clone();
    let CheckResult::Verified(v) = result else {
        panic!("not verified: {result:?}");
    };
    assert_eq!(v.report.birth_date, Some(DateAgreement::Exact));
    assert_eq!(
        v.record.birth_date.expect("birth date").precision(),
        Precision::Year
    );
    check.accept().unwrap();
    assert_eq!(registry.calls(), 1);

    let accepted = opened.accept(today(), 5, &calendar()).await.unwrap();
    assert_eq!(accepted.status, DossierStatus::Received);
    assert_eq!(accepted.channel, Channel::Online);
    assert_eq!(accepted.intake_date, Some(today()));
    // Friday + 5 working days.
    assert_eq!(accepted.appointment_date, Some(date(2026, 12, 4)));
    assert_eq!(
        accepted.verification.as_ref().unwrap().request_id,
        v.request_id
    );
    assert!(accepted.owner.is_locked());
    assert!(matches!(
        accepted.owner.name().provenance,
        Provenance::PopulationDb { .. }
    ));
    assert_eq!(store.load(&d.code).await.unwrap(), Some(accepted.clone()));
    assert!(desk.waiting().await.unwrap().is_empty());
    // Once received it cannot be opened for intake again.
    assert!(matches!(
        desk.open(&d.code).await,
        Err(IntakeError::WrongState(_))
    ));
}

#[tokio::test]
async fn a_dossier_with_a_different_year_is_not_found() {
    let store = InMemoryDossierStore::new();
    let d = submitted(&store, LAN_ID, "Hoàng Thị Lan", "1976").await;
    let mut opened = OnlineIntake::new(one_stop(), &store)
        .open(&d.code)
        .await
        .unwrap();
    let mut check = opened.population_check().unwrap();
    let result = check.check(&population(), today()).await.unwrap();
    assert!(matches!(result, CheckResult::NotFound { times: 1 }));
    assert!(matches!(check.accept(), Err(IntakeError::WrongState(_))));
}

#[tokio::test]
async fn an_empty_birth_year_is_a_field_error_and_no_call() {
    let store = InMemoryDossierStore::new();
    let d = submitted(&store, LAN_ID, "Hoàng Thị Lan", "").await;
    let registry = Counting::new(population());
    let mut opened = OnlineIntake::new(one_stop(), &store)
        .open(&d.code)
        .await
        .unwrap();
    let mut check = opened.population_check().unwrap();
    let Err(IntakeError::Fields(errors)) = check.check(&registry, today()).await else {
        panic!("expected field errors");
    };
    assert_eq!(errors[0].field, "birth_date");
    assert_eq!(registry.calls(), 0);
}

#[tokio::test]
async fn rejecting_needs_a_reason_and_moves_1_to_3() {
    let store = InMemoryDossierStore::new();
    let d = submitted(&store, LAN_ID, "Hoàng Thị Lan", "1975").await;
    let desk = OnlineIntake::new(one_stop(), &store);
    let opened = desk.open(&d.code).await.unwrap();
    let Err(IntakeError::Fields(errors)) = opened.reject("  ").await else {
        panic!("an empty reason was accepted");
    };
    assert_eq!(errors[0].field, "rejection_reason");
    assert_eq!(errors[0].label_vi, "Lý do không tiếp nhận");
    assert_eq!(
        store.load(&d.code).await.unwrap().unwrap().status,
        DossierStatus::NewlyRegistered
    );
    let opened = desk.open(&d.code).await.unwrap();
    let rejected = opened
        .reject(" Hồ sơ không thuộc thẩm quyền ")
        .await
        .unwrap();
    assert_eq!(rejected.status.code(), 3);
    assert_eq!(
        rejected.rejection_reason.as_deref(),
        Some("Hồ sơ không thuộc thẩm quyền")
    );
    assert_eq!(store.load(&d.code).await.unwrap(), Some(rejected));
    assert!(desk.open(&d.code).await.is_err());
}

#[tokio::test]
async fn a_dossier_is_accepted_only_once() {
    let store = InMemoryDossierStore::new();
    let d = submitted(&store, LAN_ID, "Hoàng Thị Lan", "1975").await;
    let registry = population();
    let desk = OnlineIntake::new(one_stop(), &store);
    // Two officers open the same dossier before either accepts it.
    let mut first = desk.open(&d.code).await.unwrap();
    let mut second = desk.open(&d.code).await.unwrap();
    let third = desk.open(&d.code).await.unwrap();
    for opened in [&mut first, &mut second] {
        let mut check = opened.population_check().unwrap();
        check.check(&registry, today()).await.unwrap();
        check.accept().unwrap();
    }
    let accepted = first.accept(today(), 5, &calendar()).await.unwrap();
    let later = date(2026, 11, 30);
    let again = second.accept(later, 5, &calendar()).await;
    assert!(
        matches!(again, Err(IntakeError::WrongState(ref m)) if m.contains("already decided")),
        "accepted twice: {again:?}"
    );
    // Nor can it be refused afterwards.
    assert!(matches!(
        third.reject("Thiếu giấy tờ").await,
        Err(IntakeError::WrongState(_))
    ));
    // The first acceptance stands.
    assert_eq!(store.load(&d.code).await.unwrap(), Some(accepted));
}

#[tokio::test]
async fn paper_fallback_online_after_the_gateway_fails() {
    let store = InMemoryDossierStore::new();
    let d = submitted(&store, NOBODY_ID, "Hà Thị Mai", "1990").await;
    let mut opened = OnlineIntake::new(one_stop(), &store)
        .open(&d.code)
        .await
        .unwrap();
    // Not found once: no paper yet.
    let mut check = opened.population_check().unwrap();
    check.check(&population(), today()).await.unwrap();
    assert_eq!(check.use_paper_fallback(), None);
    assert!(opened.population_check().is_ok());
    let mut check = opened.population_check().unwrap();
    check
        .check(&FailingRegistry::down(), today())
        .await
        .unwrap();
    assert_eq!(
        check.use_paper_fallback(),
        Some(PaperFallback::GatewayUnavailable {
            error: "unavailable".into()
        })
    );
    let accepted = opened.accept(today(), 5, &calendar()).await.unwrap();
    assert_eq!(accepted.status, DossierStatus::Received);
    assert!(accepted.verification.is_none());
    assert!(accepted.paper_fallback.is_some());
}

#[tokio::test]
async fn opening_the_check_again_does_not_forget_a_successful_lookup() {
    let store = InMemoryDossierStore::new();
    let d = submitted(&store, LAN_ID, "Hoàng Thị Lan", "1975").await;
    let mut opened = OnlineIntake::new(one_stop(), &store)
        .open(&d.code)
        .await
        .unwrap();
    let mut check = opened.population_check().unwrap();
    let result = check.check(&population(), today()).await.unwrap();
    assert!(matches!(result, CheckResult::Verified(_)));
    drop(check); // not accepted
    let mut check = opened.population_check().unwrap();
    check
        .check(&FailingRegistry::down(), today())
        .await
        .unwrap();
    assert_eq!(check.use_paper_fallback(), None);
    assert!(matches!(
        opened.accept(today(), 5, &calendar()).await,
        Err(IntakeError::WrongState(_))
    ));
}

#[tokio::test]
async fn a_one_time_password_online() {
    let store = InMemoryDossierStore::new();
    let d = submitted(&store, SON_ID, "Lý Văn Sơn", "1992").await;
    let registry = Counting::new(population());
    let mut opened = OnlineIntake::new(one_stop(), &store)
        .open(&d.code)
        .await
        .unwrap();
    let mut check = opened.population_check().unwrap();
    assert!(matches!(
        check.submit_otp(&registry, SON_OTP.parse().unwrap()).await,
        Err(IntakeError::WrongState(_))
    ));
    assert!(matches!(
        check.check(&registry, today()).await.unwrap(),
        CheckResult::OtpRequired(_)
    ));
    assert!(matches!(
        check
            .submit_otp(&registry, "999999".parse().unwrap())
            .await
            .unwrap(),
        CheckResult::OtpRejected(_)
    ));
    assert!(matches!(
        check
            .submit_otp(&registry, SON_OTP.parse().unwrap())
            .await
            .unwrap(),
        CheckResult::Verified(_)
    ));
    check.accept().unwrap();
    assert_eq!(registry.calls(), 3);
    let accepted = opened.accept(today(), 5, &calendar()).await.unwrap();
    assert!(accepted.owner.is_locked());
}
