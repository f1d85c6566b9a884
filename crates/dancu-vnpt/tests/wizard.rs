//! The iGate direct-intake wizard, step by step: every transition and
//! every refusal, against the in-memory registry and dossier store.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

use dancu_core::dossier::{
    Channel, DossierStatus, DossierStore, InMemoryDossierStore, OwnerType, PaperFallback,
    Provenance, WorkingCalendar,
};
use dancu_core::intake::{CheckResult, IntakeError, Procedure};
use dancu_core::registry::{CitizenRecord, RecordAddress};
use dancu_core::{
    CalendarDate, Commune, DossierCode, LegacyCommune, LegacyDistrict, NameAgreement, PersonalId,
};
use dancu_popdb::InMemoryRegistry;
use dancu_popdb::suite::{CountingRegistry, FailingRegistry};
use dancu_vnpt::{
    ApplicantForm, Completion, IdentityOutcome, IgateCatalog, IgateSector, IgateStatus, Officer,
    ProcedureEntry, ProcessDefinition, Reception, TimeUnit, both_eras,
};

const AGENCY: &str = "000.00.21.H06";
/// Nguyễn Văn An, 12/05/1989, legacy Bắc Kạn address (06/058/01849).
const AN_ID: &str = "006089000001";
/// Hoàng Thị Lan, 03/03/1975, 2025 address (Thái Nguyên, Xã Phong Quang).
const LAN_ID: &str = "019175000002";

/// Friday 27/11/2026.
fn today() -> CalendarDate {
    CalendarDate::new(2026, 11, 27).unwrap()
}

fn calendar() -> WorkingCalendar {
    WorkingCalendar::with_fixed_holidays([2026, 2027])
}

fn officer() -> Officer {
    Officer {
        account: "canbo.motcua01".into(),
        agency: AGENCY.into(),
    }
}

fn record(id: &str, name: &str, gender: &str, birth: &str, home: RecordAddress) -> CitizenRecord {
    let mut r = CitizenRecord::new(
        PersonalId::parse_on(id, today()).unwrap(),
        name.parse().unwrap(),
        gender.parse().unwrap(),
        birth.parse().unwrap(),
    );
    r.current = Some(home);
    r
}

fn population() -> InMemoryRegistry {
    let r = InMemoryRegistry::new("memory");
    r.insert(record(
        AN_ID,
        "Nguyễn Văn An",
        "1",
        "12/05/1989",
        RecordAddress::from_codes("06", "058", "01849", "Thôn Nà Pài", "VN"),
    ));
    r.insert(record(
        LAN_ID,
        "Hoàng Thị Lan",
        "2",
        "03/03/1975",
        RecordAddress::from_codes("19", "", "01849", "Tổ 3", "VN"),
    ));
    r
}

fn form<'c>(catalog: &'c IgateCatalog, name: &str, id: &str, dob: &str) -> ApplicantForm<'c> {
    let step = Reception::new(officer(), catalog)
        .choose_sector("HT")
        .unwrap()
        .choose_procedure("1.001776")
        .unwrap();
    let mut form = step.choose_process("QT-1.001776-3N").unwrap().proceed();
    form.ho_va_ten = name.into();
    form.cccd_cmnd = id.into();
    form.ngay_sinh = dob.into();
    form
}

fn owner_completion() -> Completion {
    Completion {
        is_owner_dossier: true,
        phone: "0987654321".into(),
        content: "Đề nghị cấp bản sao trích lục".into(),
        ..Completion::default()
    }
}

#[test]
fn only_the_processes_applied_to_the_agency_are_offered() {
    let process = |id: &str, agencies: &[&str]| ProcessDefinition {
        id: id.into(),
        name: id.into(),
        processing_time: 16,
        time_unit: TimeUnit::WorkingHours,
        eform_fields: vec!["hoTen".into()],
        tasks: vec!["Tiếp nhận".into()],
        agencies: agencies.iter().map(|s| (*s).to_owned()).collect(),
    };
    let catalog = IgateCatalog {
        sectors: vec![IgateSector {
            code: "HT".into(),
            name: "Hộ tịch".into(),
            procedures: vec![ProcedureEntry {
                procedure: Procedure {
                    code: "1.001776".parse().unwrap(),
                    name: "Thủ tục".into(),
                    deadline_working_days: 2,
                    fee_vnd: 0,
                    components: Vec::new(),
                },
                processes: vec![
                    process("QT-ours", &[AGENCY]),
                    process("QT-theirs", &["000.00.22.H06"]),
                    process("QT-everyone", &[]),
                ],
            }],
        }],
    };
    let reception = Reception::new(officer(), &catalog);
    assert!(matches!(
        Reception::new(officer(), &catalog).choose_sector("DD"),
        Err(IntakeError::UnknownChoice { what: "sector", .. })
    ));
    let sector = reception.choose_sector("HT").unwrap();
    assert_eq!(sector.procedures().len(), 1);
    let offered = |catalog| {
        Reception::new(officer(), catalog)
            .choose_sector("HT")
            .unwrap()
            .choose_procedure("1.001776")
            .unwrap()
    };
    let ids: Vec<&str> = offered(&catalog)
        .processes()
        .iter()
        .map(|p| p.id.as_str())
        .collect();
    assert_eq!(ids, ["QT-ours", "QT-everyone"]);
    assert!(matches!(
        offered(&catalog).choose_process("QT-theirs"),
        Err(IntakeError::UnknownChoice {
            what: "process",
            ..
        })
    ));
    assert!(matches!(
        sector.choose_procedure("2.000986"),
        Err(IntakeError::UnknownChoice {
            what: "procedure",
            ..
        })
    ));
    // 16 working hours: two working days from a Friday.
    let step = offered(&catalog).choose_process("QT-ours").unwrap();
    assert_eq!(
        step.process().appointment(today(), &calendar()),
        CalendarDate::new(2026, 12, 1).unwrap()
    );
}

#[tokio::test]
async fn the_date_of_birth_must_be_dd_mm_yyyy_and_nothing_is_sent_otherwise() {
    let catalog = IgateCatalog::sample(AGENCY);
    let registry = CountingRegistry::new(population());
    for dob in [
        "1989",
        "1989-05-12",
        "12/5/1989",
        "12-05-1989",
        "",
        "05/1989",
    ] {
        let f = form(&catalog, "Nguyễn Văn An", AN_ID, dob);
        let Err(IntakeError::Fields(errors)) = f.check_digital_identity(&registry, today()).await
        else {
            panic!("{dob:?} was accepted");
        };
        assert_eq!(
            (errors[0].field, errors[0].label_vi),
            ("ngay_sinh", "Ngày sinh"),
            "{dob:?}"
        );
    }
    // A well-formed date that is not a date, a missing name: still no call.
    for (name, dob) in [("Nguyễn Văn An", "31/02/1989"), ("", "12/05/1989")] {
        let f = form(&catalog, name, AN_ID, dob);
        assert!(matches!(
            f.check_digital_identity(&registry, today()).await,
            Err(IntakeError::Fields(_))
        ));
    }
    assert_eq!(registry.calls(), 0);
}

#[tokio::test]
async fn a_legacy_record_fills_both_address_schemes() {
    let catalog = IgateCatalog::sample(AGENCY);
    let f = form(&catalog, "Nguyễn Văn An", AN_ID, "12/05/1989");
    let outcome = f
        .check_digital_identity(&population(), today())
        .await
        .unwrap();
    let IdentityOutcome::Filled(applicant) = outcome else {
        panic!("not filled: {outcome:?}");
    };
    assert_eq!(applicant.name().to_string(), "Nguyễn Văn An");
    let a = &applicant.address;
    assert_eq!(a.source_era, Some("legacy"));
    let current = a.current.as_ref().unwrap();
    assert_eq!(current.province.name, "Tỉnh Thái Nguyên");
    assert_eq!(current.ward.name, "Xã Phong Quang");
    let legacy = a.legacy.as_ref().unwrap();
    assert_eq!(
        (
            legacy.province.name.as_str(),
            legacy.district.as_ref().unwrap().name.as_str(),
            legacy.ward.as_ref().unwrap().name.as_str()
        ),
        ("Tỉnh Bắc Kạn", "Thành phố Bắc Kạn", "Xã Dương Quang")
    );
    assert_eq!(a.detail.as_deref(), Some("Thôn Nà Pài"));

    let completed = applicant.complete(owner_completion()).unwrap();
    let eform = completed.eform();
    for (k, v) in [
        ("data[hoTen]", "Nguyễn Văn An"),
        ("data[soGiayTo]", AN_ID),
        ("data[ngaySinh]", "12/05/1989"),
        ("data[tinhThanh]", "Tỉnh Thái Nguyên"),
        ("data[phuongXa]", "Xã Phong Quang"),
        ("data[tinhThanhCu]", "Tỉnh Bắc Kạn"),
        ("data[maTinhThanhCu]", "06"),
        ("data[quanHuyenCu]", "Thành phố Bắc Kạn"),
        ("data[maQuanHuyenCu]", "058"),
        ("data[phuongXaCu]", "Xã Dương Quang"),
        ("data[maPhuongXaCu]", "01849"),
        ("data[diaChiChiTiet]", "Thôn Nà Pài"),
        ("data[soDienThoai]", "0987654321"),
        ("data[isOwnerDossier]", "true"),
        ("data[noiDungYeuCau]", "Đề nghị cấp bản sao trích lục"),
    ] {
        assert_eq!(eform.get(k).map(String::as_str), Some(v), "{k}");
    }
    assert!(
        eform
            .keys()
            .all(|k| k.starts_with("data[") && k.ends_with(']'))
    );
}

#[tokio::test]
async fn a_2025_record_gets_only_the_legacy_levels_that_can_be_known() {
    let catalog = IgateCatalog::sample(AGENCY);
    let f = form(&catalog, "Hoàng Thị Lan", LAN_ID, "03/03/1975");
    let IdentityOutcome::Filled(applicant) = f
        .check_digital_identity(&population(), today())
        .await
        .unwrap()
    else {
        panic!("not filled");
    };
    let a = &applicant.address;
    assert_eq!(a.source_era, Some("2025"));
    assert_eq!(a.current.as_ref().unwrap().ward.name, "Xã Phong Quang");
    let legacy = a.legacy.as_ref().unwrap();
    assert_eq!(legacy.province.name, "Tỉnh Bắc Kạn");
    if let Some(d) = &legacy.district {
        assert_eq!(d.code.len(), 3, "{d:?}");
    }
}

/// Over every 2025 commune of Thái Nguyên: the legacy district slot holds
/// a real legacy district or nothing — never a ward — and the ward slot is
/// empty when several legacy communes formed the new one.
#[test]
fn a_2025_address_never_puts_a_ward_in_the_district_slot() {
    let mut with_district = 0;
    let mut without_district = 0;
    let mut without_ward = 0;
    for c in Commune::all().filter(|c| c.province().code().to_string() == "19") {
        let a = RecordAddress::from_codes("19", "", &c.code().to_string(), "", "VN");
        let both = both_eras(&a);
        assert_eq!(both.current.as_ref().unwrap().ward.name, c.full_name());
        let Some(legacy) = both.legacy else { continue };
        match &legacy.district {
            Some(d) => {
                with_district += 1;
                let real = LegacyDistrict::lookup(d.code.parse().unwrap())
                    .unwrap_or_else(|| panic!("{d:?} is not a legacy district"));
                assert_eq!(real.full_name(), d.name, "{d:?}");
            }
            None => without_district += 1,
        }
        match &legacy.ward {
            Some(w) => {
                let lc = LegacyCommune::lookup(w.code.parse().unwrap()).unwrap();
                assert_eq!(lc.full_name(), w.name);
                // The ward's own district is the one shown.
                assert_eq!(
                    legacy.district.as_ref().map(|d| d.code.clone()),
                    Some(lc.district().code().to_string())
                );
            }
            None => without_ward += 1,
        }
    }
    assert!(with_district > 0, "no 2025 commune kept a known district");
    assert!(
        without_district > 0,
        "no 2025 commune spans several districts"
    );
    assert!(without_ward > 0, "no 2025 commune merged several communes");
}

#[tokio::test]
async fn a_name_equal_only_without_diacritics_is_a_mismatch_to_review() {
    let catalog = IgateCatalog::sample(AGENCY);
    let f = form(&catalog, "NGUYEN VAN AN", AN_ID, "12/05/1989");
    let outcome = f
        .check_digital_identity(&population(), today())
        .await
        .unwrap();
    let IdentityOutcome::Mismatch(applicant) = outcome else {
        panic!("expected a mismatch: {outcome:?}");
    };
    assert_eq!(applicant.verified().report.name, NameAgreement::FoldedOnly);
    // The record's spelling is what gets filled.
    assert_eq!(applicant.name().to_string(), "Nguyễn Văn An");
    // Case and tone placement alone are not a mismatch.
    let f = form(&catalog, "nguyễn văn an", AN_ID, "12/05/1989");
    assert!(matches!(
        f.check_digital_identity(&population(), today())
            .await
            .unwrap(),
        IdentityOutcome::Filled(_)
    ));
}

#[tokio::test]
async fn not_found_twice_allows_paper_once_does_not() {
    let catalog = IgateCatalog::sample(AGENCY);
    let registry = CountingRegistry::new(population());
    let f = form(&catalog, "Hà Thị Mai", "006190000123", "15/08/1990");
    let IdentityOutcome::NotVerified(f) =
        f.check_digital_identity(&registry, today()).await.unwrap()
    else {
        panic!("found a citizen who does not exist");
    };
    assert!(matches!(
        f.result(),
        Some(CheckResult::NotFound { times: 1 })
    ));
    assert_eq!(f.paper_fallback(), None);
    let IdentityOutcome::NotVerified(f) =
        f.check_digital_identity(&registry, today()).await.unwrap()
    else {
        panic!("found a citizen who does not exist");
    };
    assert_eq!(
        f.paper_fallback(),
        Some(PaperFallback::NotFoundAfterRecheck { attempts: 2 })
    );
    assert_eq!(registry.calls(), 2);
}

#[tokio::test]
async fn the_applicant_owns_the_dossier_or_names_its_owner() {
    let catalog = IgateCatalog::sample(AGENCY);
    let filled = || async {
        match form(&catalog, "Nguyễn Văn An", AN_ID, "12/05/1989")
            .check_digital_identity(&population(), today())
            .await
            .unwrap()
        {
            IdentityOutcome::Filled(a) => a,
            other => panic!("{other:?}"),
        }
    };

    // isOwnerDossier = true: the applicant is the owner, verified and locked.
    let mut details = owner_completion();
    details.address_detail = Some("Số 12, Thôn Nà Pài".into());
    let completed = filled().await.complete(details).unwrap();
    let store = InMemoryDossierStore::new();
    let saved = completed.save(&store, &calendar()).await.unwrap();
    let owner = &saved.dossier.owner;
    assert!(owner.is_locked());
    assert!(saved.dossier.submitter.is_none());
    assert!(matches!(
        owner.name().provenance,
        Provenance::PopulationDb { .. }
    ));
    let address = owner.address().unwrap();
    assert!(matches!(
        address.provenance,
        Provenance::EditedAfterVerification { .. }
    ));
    assert!(address.value.text.starts_with("Số 12, Thôn Nà Pài"));

    // isOwnerDossier = false without an owner: refused.
    let mut details = owner_completion();
    details.is_owner_dossier = false;
    let Err(IntakeError::Fields(errors)) = filled().await.complete(details.clone()) else {
        panic!("no owner, yet completed");
    };
    assert_eq!(
        (errors[0].field, errors[0].label_vi),
        ("owner", "Chủ hồ sơ")
    );

    // An owner with an invalid ID and no name: both reported.
    details.owner = Some((OwnerType::Citizen, "12345".into(), " ".into()));
    let Err(IntakeError::Fields(errors)) = filled().await.complete(details.clone()) else {
        panic!("invalid owner accepted");
    };
    let keys: Vec<&str> = errors.iter().map(|e| e.field).collect();
    assert_eq!(keys, ["owner_id", "owner_name"]);

    // isOwnerDossier = false with an owner: the applicant is the submitter.
    details.owner = Some((
        OwnerType::Enterprise,
        "0100109106".into(),
        "Công ty TNHH Minh Họa".into(),
    ));
    let saved = filled()
        .await
        .complete(details)
        .unwrap()
        .save(&store, &calendar())
        .await
        .unwrap();
    let d = &saved.dossier;
    assert_eq!(d.owner.owner_type().value, OwnerType::Enterprise);
    assert!(!d.owner.is_locked());
    assert_eq!(d.owner.id().provenance, Provenance::Typed);
    let submitter = d.submitter.as_ref().unwrap();
    assert_eq!(submitter.name.to_string(), "Nguyễn Văn An");
    assert_eq!(submitter.id.as_ref().unwrap().to_string(), AN_ID);
    assert_eq!(submitter.phone.as_ref().unwrap().to_string(), "0987654321");
    assert_eq!(saved.eform["data[isOwnerDossier]"], "false");
}

#[tokio::test]
async fn completing_reports_bad_contact_details_and_a_missing_request() {
    let catalog = IgateCatalog::sample(AGENCY);
    let IdentityOutcome::Filled(applicant) = form(&catalog, "Nguyễn Văn An", AN_ID, "12/05/1989")
        .check_digital_identity(&population(), today())
        .await
        .unwrap()
    else {
        panic!("not filled");
    };
    let Err(IntakeError::Fields(errors)) = applicant.complete(Completion {
        is_owner_dossier: true,
        phone: "123".into(),
        email: "an@@example".into(),
        content: String::new(),
        ..Completion::default()
    }) else {
        panic!("bad details accepted");
    };
    let keys: Vec<(&str, &str)> = errors.iter().map(|e| (e.field, e.label_vi)).collect();
    assert_eq!(
        keys,
        [
            ("phone", "Số điện thoại"),
            ("email", "Email"),
            ("content", "Nội dung yêu cầu")
        ]
    );
}

#[tokio::test]
async fn saving_issues_national_codes_and_maps_igate_status_at_the_boundary() {
    let catalog = IgateCatalog::sample(AGENCY);
    let store = InMemoryDossierStore::new();
    let mut codes = Vec::new();
    for _ in 0..2 {
        let IdentityOutcome::Filled(applicant) =
            form(&catalog, "Nguyễn Văn An", AN_ID, "12/05/1989")
                .check_digital_identity(&population(), today())
                .await
                .unwrap()
        else {
            panic!("not filled");
        };
        let saved = applicant
            .complete(owner_completion())
            .unwrap()
            .save(&store, &calendar())
            .await
            .unwrap();
        let d = &saved.dossier;
        assert_eq!(saved.igate_status, IgateStatus::Received);
        assert_eq!(saved.igate_status.label_vi(), "Đã tiếp nhận");
        assert_eq!(d.status, saved.igate_status.to_national());
        assert_eq!((d.status.code(), d.channel), (2, Channel::Direct));
        assert_eq!(d.intake_date, Some(today()));
        assert_eq!(
            d.appointment_date,
            Some(CalendarDate::new(2026, 12, 2).unwrap())
        );
        assert_eq!(d.form, saved.eform);
        assert!(d.verification.is_some());
        // The code is the national format and reads back the same.
        let reparsed: DossierCode = d.code.to_string().parse().unwrap();
        assert_eq!(reparsed, d.code);
        assert_eq!((d.code.unit(), d.code.date()), (AGENCY, today()));
        assert!(!d.code.is_reissued());
        assert_eq!(store.load(&d.code).await.unwrap().as_ref(), Some(d));
        codes.push(d.code.to_string());
    }
    assert_eq!(
        codes,
        ["000.00.21.H06-261127-0001", "000.00.21.H06-261127-0002"]
    );
    assert_eq!(
        store
            .list(AGENCY, DossierStatus::Received)
            .await
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn igate_statuses_map_to_national_codes_row_by_row() {
    let rows = [
        (IgateStatus::WaitingForIntake, 1),
        (IgateStatus::Received, 2),
        (IgateStatus::Cancelled, 3),
        (IgateStatus::InProgress, 4),
        (IgateStatus::WaitingForSupplement, 5),
        (IgateStatus::Withdrawn, 7),
        (IgateStatus::Paused, 8),
        (IgateStatus::HasResult, 9),
        (IgateStatus::Returned, 10),
    ];
    for (igate, national) in rows {
        assert_eq!(igate.to_national().code(), national, "{igate:?}");
        assert!(!igate.label_vi().is_empty());
    }
}

#[tokio::test]
async fn an_unavailable_gateway_allows_paper() {
    let catalog = IgateCatalog::sample(AGENCY);
    let f = form(&catalog, "Nguyễn Văn An", AN_ID, "12/05/1989");
    let IdentityOutcome::NotVerified(f) = f
        .check_digital_identity(&FailingRegistry::down(), today())
        .await
        .unwrap()
    else {
        panic!("verified through a dead gateway");
    };
    assert!(matches!(f.result(), Some(CheckResult::Unavailable(_))));
    assert_eq!(
        f.paper_fallback(),
        Some(PaperFallback::GatewayUnavailable {
            error: "unavailable".into()
        })
    );
}

#[tokio::test]
async fn a_different_day_in_the_same_year_is_not_found() {
    let catalog = IgateCatalog::sample(AGENCY);
    let f = form(&catalog, "Nguyễn Văn An", AN_ID, "13/05/1989");
    let IdentityOutcome::NotVerified(f) = f
        .check_digital_identity(&population(), today())
        .await
        .unwrap()
    else {
        panic!("a wrong birth date was verified");
    };
    assert!(matches!(
        f.result(),
        Some(CheckResult::NotFound { times: 1 })
    ));
}

#[tokio::test]
async fn a_one_time_password_is_asked_refused_then_accepted() {
    let catalog = IgateCatalog::sample(AGENCY);
    let registry = population();
    registry.insert_with_otp(
        record(
            "006092000003",
            "Lý Văn Sơn",
            "1",
            "02/09/1992",
            RecordAddress::from_codes("06", "058", "01849", "", "VN"),
        ),
        "246810".parse().unwrap(),
    );
    let f = form(&catalog, "Lý Văn Sơn", "006092000003", "02/09/1992");
    let Err(IntakeError::WrongState(_)) = f
        .submit_otp(&registry, "246810".parse().unwrap(), today())
        .await
    else {
        panic!("a password was taken before it was asked for");
    };
    let f = form(&catalog, "Lý Văn Sơn", "006092000003", "02/09/1992");
    let IdentityOutcome::NotVerified(f) =
        f.check_digital_identity(&registry, today()).await.unwrap()
    else {
        panic!("verified without the password");
    };
    assert!(matches!(f.result(), Some(CheckResult::OtpRequired(_))));
    let IdentityOutcome::NotVerified(f) = f
        .submit_otp(&registry, "135791".parse().unwrap(), today())
        .await
        .unwrap()
    else {
        panic!("verified with a wrong password");
    };
    assert!(matches!(f.result(), Some(CheckResult::OtpRejected(_))));
    // Waiting for a password is not a reason for paper.
    assert_eq!(f.paper_fallback(), None);
    let outcome = f
        .submit_otp(&registry, "246810".parse().unwrap(), today())
        .await
        .unwrap();
    let IdentityOutcome::Filled(applicant) = outcome else {
        panic!("not filled: {outcome:?}");
    };
    assert_eq!(applicant.name().to_string(), "Lý Văn Sơn");
}
