//! Tiếp nhận trực tiếp: choose → fill → check → accept → save.

use dancu_core::dossier::{
    Channel, DossierAddress, DossierStatus, DossierStore, InMemoryDossierStore, OwnerError,
    OwnerType, PaperFallback, Provenance,
};
use dancu_core::intake::{CheckResult, FieldError, IntakeError};
use dancu_core::registry::PopulationRegistry;
use dancu_core::{BirthDate, CalendarDate, DateAgreement, FullName, IdNumber, NameAgreement};
use dancu_popdb::InMemoryRegistry;
use dancu_tandan::{Catalog, CheckScreen, DirectIntake, DraftForm, Officer, Role};

use crate::support::{
    AN_ID, Counting, FailingRegistry, LAN_ID, NOBODY_ID, SON_ID, SON_OTP, UNIT, an, calendar, date,
    one_stop, population, today,
};

fn form_for(officer: Officer, catalog: &Catalog, on: CalendarDate) -> DraftForm {
    DirectIntake::new(officer, catalog)
        .choose_sector("HT")
        .unwrap()
        .choose_procedure("1.001776")
        .unwrap()
        .choose_case("TH1", on, &calendar())
        .unwrap()
}

/// A complete form for a citizen, as the officer types it.
fn filled(officer: Officer, catalog: &Catalog, id: &str, name: &str) -> DraftForm {
    let mut form = form_for(officer, catalog, today());
    form.id_number = id.into();
    form.owner_name = name.into();
    form.phone = "0912 345 678".into();
    form.address = "Thôn Nà Pài, Dương Quang".into();
    form.summary = "Đề nghị cấp bản sao trích lục".into();
    form
}

fn screen(officer: Officer, id: &str, name: &str, birth: &str) -> CheckScreen {
    let catalog = Catalog::sample();
    let mut screen = filled(officer, &catalog, id, name)
        .validate()
        .unwrap()
        .open_population_check()
        .unwrap();
    screen.form.birth_date = birth.into();
    screen
}

fn fields(e: IntakeError) -> Vec<FieldError> {
    match e {
        IntakeError::Fields(f) => f,
        other => panic!("expected field errors, got {other:?}"),
    }
}

fn names(errors: &[FieldError]) -> Vec<(&'static str, &'static str)> {
    errors.iter().map(|e| (e.field, e.label_vi)).collect()
}

async fn checked(screen: &mut CheckScreen, registry: &dyn PopulationRegistry) -> CheckResult {
    screen.check(registry).await.unwrap().clone()
}

#[test]
fn unknown_sector_procedure_or_case_is_refused() {
    let catalog = Catalog::sample();
    let e = DirectIntake::new(one_stop(), &catalog)
        .choose_sector("XX")
        .unwrap_err();
    assert_eq!(
        e,
        IntakeError::UnknownChoice {
            what: "sector",
            code: "XX".into()
        }
    );
    let sector = DirectIntake::new(one_stop(), &catalog)
        .choose_sector("HT")
        .unwrap();
    let offered: Vec<String> = sector
        .procedures()
        .iter()
        .map(|p| p.code.to_string())
        .collect();
    assert_eq!(offered, ["1.001776", "2.000986"]);
    let e = sector.choose_procedure("1.000001").unwrap_err();
    assert!(matches!(
        e,
        IntakeError::UnknownChoice {
            what: "procedure",
            ..
        }
    ));
    let procedure = DirectIntake::new(one_stop(), &catalog)
        .choose_sector("HT")
        .unwrap()
        .choose_procedure("1.001776")
        .unwrap();
    assert_eq!(procedure.cases().len(), 2);
    let e = procedure
        .choose_case("TH9", today(), &calendar())
        .unwrap_err();
    assert!(matches!(e, IntakeError::UnknownChoice { what: "case", code } if code == "TH9"));
}

#[test]
fn the_case_opens_a_form_with_intake_and_appointment_dates() {
    let catalog = Catalog::sample();
    let form = form_for(one_stop(), &catalog, today());
    assert_eq!(form.procedure().deadline_working_days, 3);
    assert_eq!(form.intake_date, today());
    // Friday + 3 working days, over the weekend.
    assert_eq!(form.appointment_date, date(2026, 12, 2));
}

#[test]
fn every_missing_mandatory_field_is_reported_by_name_and_label() {
    let catalog = Catalog::sample();
    let e = form_for(one_stop(), &catalog, today())
        .validate()
        .unwrap_err();
    assert_eq!(
        names(&fields(e)),
        [
            ("id_number", "Số CCCD/CMND/Hộ chiếu/MST"),
            ("owner_name", "Tên chủ hồ sơ"),
            ("phone", "Số điện thoại"),
            ("address", "Địa chỉ"),
            ("summary", "Trích yếu"),
        ]
    );
}

#[test]
fn several_invalid_fields_are_reported_at_once() {
    let catalog = Catalog::sample();
    let mut form = filled(one_stop(), &catalog, "00608900000", "Nguyễn Văn An");
    form.phone = "09123".into();
    form.email = "an@".into();
    form.summary = "   ".into();
    form.appointment_date = date(2026, 11, 26);
    let errors = fields(form.validate().unwrap_err());
    let keys: Vec<&str> = errors.iter().map(|e| e.field).collect();
    assert_eq!(
        keys,
        ["id_number", "phone", "email", "summary", "appointment_date"]
    );
    let email = errors.iter().find(|e| e.field == "email").unwrap();
    assert_eq!(email.label_vi, "Email");
    assert!(!email.message.is_empty());
    assert!(
        errors
            .iter()
            .any(|e| e.label_vi == "Ngày hẹn trả" && e.message.contains("before"))
    );
}

#[test]
fn email_is_optional_but_checked() {
    let catalog = Catalog::sample();
    let draft = filled(one_stop(), &catalog, AN_ID, "Nguyễn Văn An")
        .validate()
        .unwrap();
    assert!(draft.owner().email().is_none());

    let mut form = filled(one_stop(), &catalog, AN_ID, "Nguyễn Văn An");
    form.email = "an.nguyen@example.vn".into();
    let draft = form.validate().unwrap();
    assert_eq!(
        draft.owner().email().unwrap().value.to_string(),
        "an.nguyen@example.vn"
    );

    let mut form = filled(one_stop(), &catalog, AN_ID, "Nguyễn Văn An");
    form.email = "an.nguyen at example.vn".into();
    assert_eq!(
        names(&fields(form.validate().unwrap_err())),
        [("email", "Email")]
    );
}

#[test]
fn the_id_must_fit_the_owner_type() {
    let catalog = Catalog::sample();
    // A citizen is not identified by a tax code…
    let form = filled(one_stop(), &catalog, "0100109106", "Nguyễn Văn An");
    let errors = fields(form.validate().unwrap_err());
    assert_eq!(names(&errors), [("id_number", "Số CCCD/CMND/Hộ chiếu/MST")]);
    // …an enterprise is, and by nothing else.
    let mut form = filled(one_stop(), &catalog, AN_ID, "Công ty TNHH Minh Họa");
    form.owner_type = OwnerType::Enterprise;
    assert_eq!(fields(form.validate().unwrap_err())[0].field, "id_number");
    let mut form = filled(one_stop(), &catalog, "0100109106", "Công ty TNHH Minh Họa");
    form.owner_type = OwnerType::Enterprise;
    let draft = form.validate().unwrap();
    assert!(matches!(draft.owner().id().value, IdNumber::TaxCode(_)));
    // A tax code with a wrong check digit is invalid whatever the type.
    let mut form = filled(one_stop(), &catalog, "0100109107", "Công ty TNHH Minh Họa");
    form.owner_type = OwnerType::Enterprise;
    assert_eq!(fields(form.validate().unwrap_err())[0].field, "id_number");
    // A 9-digit CMND still identifies a citizen.
    let draft = filled(one_stop(), &catalog, "095123456", "Nguyễn Văn An")
        .validate()
        .unwrap();
    assert!(matches!(draft.owner().id().value, IdNumber::Cmnd(_)));
}

#[tokio::test]
async fn an_enterprise_is_saved_without_the_population_check_a_citizen_is_not() {
    let catalog = Catalog::sample();
    let store = InMemoryDossierStore::new();
    let mut form = filled(one_stop(), &catalog, "0100109106", "Công ty TNHH Minh Họa");
    form.owner_type = OwnerType::Enterprise;
    let dossier = form
        .validate()
        .unwrap()
        .save_non_citizen(&store)
        .await
        .unwrap();
    assert_eq!(dossier.status, DossierStatus::Received);
    assert!(dossier.verification.is_none() && dossier.paper_fallback.is_none());

    let citizen = filled(one_stop(), &catalog, AN_ID, "Nguyễn Văn An")
        .validate()
        .unwrap();
    let e = citizen.save_non_citizen(&store).await.unwrap_err();
    assert!(matches!(e, IntakeError::WrongState(_)));
    // Only the enterprise's dossier exists; no code was spent on the refusal.
    assert_eq!(
        store
            .list(UNIT, DossierStatus::Received)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(store.issue_code(UNIT, today()).await.unwrap().serial(), 2);
}

#[tokio::test]
async fn the_check_needs_a_lookup_role_and_no_gateway_call_is_made_without_it() {
    let registry = Counting::new(population());
    let catalog = Catalog::sample();
    for roles in [&[][..], &[Role::Processing][..]] {
        let officer = Officer::new("canbo.xuly02", UNIT, roles);
        let draft = filled(officer, &catalog, AN_ID, "Nguyễn Văn An")
            .validate()
            .unwrap();
        assert_eq!(
            draft.open_population_check().unwrap_err(),
            IntakeError::NotAllowed("one-stop or population-lookup")
        );
    }
    assert_eq!(registry.calls(), 0);
    // The population-lookup role alone is enough.
    let officer = Officer::new("canbo.tracuu03", UNIT, &[Role::PopulationLookup]);
    let mut s = screen(officer, AN_ID, "Nguyễn Văn An", "12/05/1989");
    assert!(matches!(
        checked(&mut s, &registry).await,
        CheckResult::Verified(_)
    ));
    assert_eq!(registry.calls(), 1);
}

#[tokio::test]
async fn the_check_form_is_prefilled_and_an_incomplete_one_makes_no_call() {
    let registry = Counting::new(population());
    let mut s = screen(one_stop(), AN_ID, "Nguyễn Văn An", "");
    assert_eq!(s.form.name, "Nguyễn Văn An");
    assert_eq!(s.form.id_number, AN_ID);
    for birth in ["", "1989", "05/1989", "31/02/1989", "12/05/2030"] {
        s.form.birth_date = birth.into();
        let errors = fields(s.check(&registry).await.unwrap_err());
        assert_eq!(
            names(&errors),
            [("birth_date", "Ngày sinh")],
            "birth date {birth:?}"
        );
    }
    s.form.birth_date = "12/05/1989".into();
    s.form.name = " ".into();
    s.form.id_number = "0100109106".into();
    let errors = fields(s.check(&registry).await.unwrap_err());
    assert_eq!(
        names(&errors),
        [("name", "Họ và tên"), ("id_number", "Số CCCD/CMND")]
    );
    assert_eq!(registry.calls(), 0);
    assert!(s.result().is_none());
}

#[tokio::test]
async fn accepting_the_verified_record_fills_and_locks_the_identity() {
    let registry = population();
    let mut s = screen(one_stop(), AN_ID, "nguyễn văn an", "12/05/1989");
    let CheckResult::Verified(v) = checked(&mut s, &registry).await else {
        panic!("not verified");
    };
    assert_eq!(v.report.birth_date, Some(DateAgreement::Exact));
    assert_eq!(v.report.name, NameAgreement::Case);
    let mut verified = s.accept().unwrap();
    let request_id = verified.verified().request_id;
    assert_eq!(request_id, v.request_id);
    let owner = verified.owner_mut();
    assert!(owner.is_locked());
    let from_db = Provenance::PopulationDb {
        request_id,
        as_of: Some("2026-11-01T08:00:00".into()),
    };
    assert_eq!(owner.name().value.to_string(), "Nguyễn Văn An");
    for p in [
        &owner.owner_type().provenance,
        &owner.id().provenance,
        &owner.name().provenance,
        &owner.birth_date().unwrap().provenance,
        &owner.address().unwrap().provenance,
    ] {
        assert_eq!(p, &from_db);
    }
    // The address is the record's, resolved to names, with its codes.
    let address = &owner.address().unwrap().value;
    assert!(address.text.contains("Xã Dương Quang"), "{}", address.text);
    assert_eq!(address.units, an().current);
    // The phone stays what the officer typed.
    assert_eq!(owner.phone().unwrap().provenance, Provenance::Typed);

    let other_name: FullName = "Nguyễn Văn Bình".parse().unwrap();
    assert_eq!(
        owner.set_name(other_name),
        Err(OwnerError::Locked("the name"))
    );
    assert!(matches!(
        owner.set_id(IdNumber::parse_on(NOBODY_ID, today()).unwrap()),
        Err(OwnerError::Locked(_))
    ));
    assert!(matches!(
        owner.set_birth_date("1990".parse::<BirthDate>().unwrap()),
        Err(OwnerError::Locked(_))
    ));
    assert!(matches!(
        owner.set_owner_type(OwnerType::Enterprise),
        Err(OwnerError::Locked(_))
    ));
    assert_eq!(owner.name().value.to_string(), "Nguyễn Văn An");

    // The address stays editable, and says so.
    owner.set_address(DossierAddress {
        text: "Số 5, Tổ 2, Phường Đức Xuân".into(),
        units: None,
    });
    assert_eq!(
        owner.address().unwrap().provenance,
        Provenance::EditedAfterVerification { request_id }
    );
    owner.set_phone("0987654321".parse().unwrap());

    let store = InMemoryDossierStore::new();
    let dossier = verified.save(&store).await.unwrap();
    assert_eq!(
        dossier.owner.address().unwrap().provenance,
        Provenance::EditedAfterVerification { request_id }
    );
    let verification = dossier.verification.clone().unwrap();
    assert_eq!(verification.request_id, request_id);
    assert_eq!(verification.gateway, "memory");
    assert_eq!(store.load(&dossier.code).await.unwrap(), Some(dossier));
}

#[tokio::test]
async fn a_cmnd_owner_gets_the_personal_id_from_the_database() {
    let registry = InMemoryRegistry::new("memory");
    let mut record = an();
    record.cmnd = Some("095123456".parse().unwrap());
    registry.insert(record);
    let mut s = screen(one_stop(), "095123456", "Nguyễn Văn An", "12/05/1989");
    assert!(matches!(
        checked(&mut s, &registry).await,
        CheckResult::Verified(_)
    ));
    let verified = s.accept().unwrap();
    assert_eq!(verified.owner().id().value.to_string(), AN_ID);
}

#[tokio::test]
async fn nothing_to_accept_without_a_verified_result_and_a_declined_draft_cannot_be_saved() {
    let registry = population();
    // Accept before any check.
    let s = screen(one_stop(), AN_ID, "Nguyễn Văn An", "12/05/1989");
    assert!(matches!(s.accept(), Err(IntakeError::WrongState(_))));
    // Accept after "not found".
    let mut s = screen(one_stop(), NOBODY_ID, "Hà Thị Mai", "15/08/1990");
    checked(&mut s, &registry).await;
    assert!(matches!(s.accept(), Err(IntakeError::WrongState(_))));
    // Verified, then declined: back to an unlocked draft that only the
    // non-citizen path could save, and it refuses a citizen.
    let mut s = screen(one_stop(), AN_ID, "Nguyễn Văn An", "12/05/1989");
    checked(&mut s, &registry).await;
    let draft = s.decline();
    assert!(!draft.owner().is_locked());
    assert_eq!(draft.owner().name().provenance, Provenance::Typed);
    let store = InMemoryDossierStore::new();
    assert!(matches!(
        draft.save_non_citizen(&store).await,
        Err(IntakeError::WrongState(_))
    ));
    assert!(
        store
            .list(UNIT, DossierStatus::Received)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn not_found_once_is_no_reason_for_paper() {
    let registry = population();
    let mut s = screen(one_stop(), NOBODY_ID, "Hà Thị Mai", "15/08/1990");
    assert!(matches!(
        checked(&mut s, &registry).await,
        CheckResult::NotFound { times: 1 }
    ));
    assert!(s.paper_fallback().is_none());
}

#[tokio::test]
async fn not_found_after_a_recheck_allows_paper_and_is_recorded() {
    let registry = Counting::new(population());
    let mut s = screen(one_stop(), NOBODY_ID, "Hà Thị Mai", "15/08/1990");
    checked(&mut s, &registry).await;
    s.form.name = "Hà Thị Mai".into();
    s.form.birth_date = "15/8/1990".into();
    assert!(matches!(
        checked(&mut s, &registry).await,
        CheckResult::NotFound { times: 2 }
    ));
    assert_eq!(registry.calls(), 2);
    let fallback = s.paper_fallback().expect("paper may be requested");
    assert_eq!(
        fallback.fallback(),
        &PaperFallback::NotFoundAfterRecheck { attempts: 2 }
    );
    assert!(fallback.fallback().explain_vi().contains("CT07"));
    let store = InMemoryDossierStore::new();
    let dossier = fallback.save(&store).await.unwrap();
    assert_eq!(dossier.status, DossierStatus::Received);
    assert_eq!(dossier.channel, Channel::Direct);
    assert!(dossier.verification.is_none());
    assert_eq!(
        dossier.paper_fallback,
        Some(PaperFallback::NotFoundAfterRecheck { attempts: 2 })
    );
    assert!(!dossier.owner.is_locked());
}

#[tokio::test]
async fn an_unavailable_gateway_allows_paper() {
    let mut s = screen(one_stop(), AN_ID, "Nguyễn Văn An", "12/05/1989");
    let result = checked(&mut s, &FailingRegistry::down()).await;
    assert!(matches!(result, CheckResult::Unavailable(_)));
    assert!(result.label_vi().contains("Không kết nối được"));
    assert_eq!(
        s.paper_fallback().unwrap().fallback(),
        &PaperFallback::GatewayUnavailable {
            error: "unavailable".into()
        }
    );
}

#[tokio::test]
async fn after_a_successful_lookup_paper_is_never_allowed() {
    let registry = population();
    let mut s = screen(one_stop(), AN_ID, "Nguyễn Văn An", "12/05/1989");
    assert!(matches!(
        checked(&mut s, &registry).await,
        CheckResult::Verified(_)
    ));
    // The officer then mistypes twice, and the gateway goes down.
    s.form.birth_date = "13/05/1989".into();
    checked(&mut s, &registry).await;
    assert!(matches!(
        checked(&mut s, &registry).await,
        CheckResult::NotFound { times: 2 }
    ));
    checked(&mut s, &FailingRegistry::down()).await;
    assert!(s.paper_fallback().is_none());
}

#[tokio::test]
async fn a_one_time_password_is_asked_refused_when_wrong_then_accepted() {
    let registry = Counting::new(population());
    let mut s = screen(one_stop(), SON_ID, "Lý Văn Sơn", "02/09/1992");
    assert!(matches!(
        s.submit_otp(&registry, "000000".parse().unwrap()).await,
        Err(IntakeError::WrongState(_))
    ));
    assert_eq!(registry.calls(), 0);
    assert!(matches!(
        checked(&mut s, &registry).await,
        CheckResult::OtpRequired(_)
    ));
    let wrong = s
        .submit_otp(&registry, "135791".parse().unwrap())
        .await
        .unwrap();
    assert!(matches!(wrong, CheckResult::OtpRejected(_)));
    let right = s
        .submit_otp(&registry, SON_OTP.parse().unwrap())
        .await
        .unwrap();
    let CheckResult::Verified(v) = right else {
        panic!("not verified: {right:?}");
    };
    assert_eq!(v.record.personal_id.to_string(), SON_ID);
    assert_eq!(registry.calls(), 3);
    // A password is not asked for any more.
    assert!(matches!(
        s.submit_otp(&registry, SON_OTP.parse().unwrap()).await,
        Err(IntakeError::WrongState(_))
    ));
    let dossier = s
        .accept()
        .unwrap()
        .save(&InMemoryDossierStore::new())
        .await
        .unwrap();
    assert!(dossier.owner.is_locked());
}

#[tokio::test]
async fn saving_issues_the_units_codes_in_order_status_2_channel_1() {
    let registry = population();
    let store = InMemoryDossierStore::new();
    let mut codes = Vec::new();
    for _ in 0..2 {
        let mut s = screen(one_stop(), AN_ID, "Nguyễn Văn An", "12/05/1989");
        checked(&mut s, &registry).await;
        let dossier = s.accept().unwrap().save(&store).await.unwrap();
        assert_eq!(dossier.status, DossierStatus::Received);
        assert_eq!(dossier.status.code(), 2);
        assert_eq!(dossier.channel, Channel::Direct);
        assert_eq!(dossier.channel.code(), 1);
        assert_eq!(dossier.unit, UNIT);
        assert_eq!(dossier.procedure.to_string(), "1.001776");
        assert_eq!(dossier.intake_date, Some(today()));
        assert_eq!(dossier.appointment_date, Some(date(2026, 12, 2)));
        assert_eq!(dossier.case.as_deref(), Some("Trường hợp thông thường"));
        assert_eq!(dossier.summary, "Đề nghị cấp bản sao trích lục");
        assert_eq!(
            store.load(&dossier.code).await.unwrap().as_ref(),
            Some(&dossier)
        );
        codes.push(dossier.code.to_string());
    }
    assert_eq!(
        codes,
        ["000.00.21.H06-261127-0001", "000.00.21.H06-261127-0002"]
    );
    // The next working day starts again at 0001; its appointment skips the
    // fixed holiday (Tết Dương lịch, 01/01/2027).
    let catalog = Catalog::sample();
    let mut form = form_for(one_stop(), &catalog, date(2026, 12, 30));
    form.id_number = "0100109106".into();
    form.owner_type = OwnerType::Enterprise;
    form.owner_name = "Công ty TNHH Minh Họa".into();
    form.phone = "02093870000".into();
    form.address = "Tổ 1, Phường Đức Xuân".into();
    form.summary = "Hồ sơ doanh nghiệp".into();
    let dossier = form
        .validate()
        .unwrap()
        .save_non_citizen(&store)
        .await
        .unwrap();
    assert_eq!(dossier.code.to_string(), "000.00.21.H06-261230-0001");
    assert_eq!(dossier.appointment_date, Some(date(2027, 1, 5)));
}

#[tokio::test]
async fn declining_and_reopening_the_check_does_not_forget_a_successful_lookup() {
    let registry = population();
    let mut s = screen(one_stop(), AN_ID, "Nguyễn Văn An", "12/05/1989");
    assert!(matches!(
        checked(&mut s, &registry).await,
        CheckResult::Verified(_)
    ));
    // The officer declines the data, opens the check again, and now the
    // gateway is down: the citizen was found, so paper may not be asked.
    let mut s = s.decline().open_population_check().unwrap();
    s.form.birth_date = "12/05/1989".into();
    assert!(matches!(
        checked(&mut s, &FailingRegistry::down()).await,
        CheckResult::Unavailable(_)
    ));
    assert!(s.paper_fallback().is_none());
}

#[tokio::test]
async fn a_not_found_before_declining_counts_towards_the_recheck() {
    let registry = population();
    let mut s = screen(one_stop(), NOBODY_ID, "Hà Thị Mai", "15/08/1990");
    checked(&mut s, &registry).await;
    let mut s = s.decline().open_population_check().unwrap();
    s.form.birth_date = "15/08/1990".into();
    assert!(matches!(
        checked(&mut s, &registry).await,
        CheckResult::NotFound { times: 2 }
    ));
    assert!(s.paper_fallback().is_some());
}

#[tokio::test]
async fn a_record_for_another_id_cannot_be_accepted_into_this_dossier() {
    let registry = population();
    // The draft is for An; on the check screen someone else is looked up.
    let mut s = screen(one_stop(), AN_ID, "Nguyễn Văn An", "12/05/1989");
    s.form.id_number = LAN_ID.into();
    s.form.name = "Hoàng Thị Lan".into();
    s.form.birth_date = "03/03/1975".into();
    let result = checked(&mut s, &registry).await;
    assert!(matches!(result, CheckResult::Verified(_)), "{result:?}");
    assert_eq!(
        s.accept().unwrap_err(),
        IntakeError::Owner(OwnerError::WrongRecord)
    );
}
