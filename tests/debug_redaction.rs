//! `Debug` output never shows a citizen's personal data in full.
//!
//! Real code prints its state with `{:?}` — in a `tracing` field, a
//! `dbg!`, a panic message, an `unwrap` on an error holding a screen. This
//! test walks every intake flow with synthetic citizens that have the whole
//! set of personal data (ID, CMND, name, full date of birth, address
//! detail, household book, relatives, phone, e-mail) and checks the `Debug`
//! form of every value a flow hands out: records, forms, screens, results,
//! owners and saved dossiers.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

use std::collections::BTreeMap;
use std::fmt::Debug;

use dancu_core::dossier::{
    Dossier, DossierAddress, Email, InMemoryDossierStore, Owner, OwnerType, PhoneNumber,
    WorkingCalendar,
};
use dancu_core::intake::{CheckForm, CheckResult};
use dancu_core::registry::CitizenRecord;
use dancu_core::{CalendarDate, IdNumber, Precision};
use dancu_popdb::InMemoryRegistry;
use dancu_sandbox::Person;
use dancu_sandbox::population::Population;
use dancu_tandan::{Catalog, DirectIntake, OnlineIntake, Role};
use dancu_vnpt::{Completion, IdentityOutcome, IgateCatalog, Reception};

const UNIT: &str = "000.00.21.H06";
const PHONE: &str = "0912 345 678";
const PHONE_DIGITS: &str = "0912345678";
const EMAIL: &str = "nguyen.thi.hoa.1986@example.vn";

fn today() -> CalendarDate {
    CalendarDate::new(2026, 11, 27).unwrap()
}

fn calendar() -> WorkingCalendar {
    WorkingCalendar::with_fixed_holidays([2026, 2027])
}

/// The personal data of one citizen, as the strings that must not appear.
struct Secrets(Vec<(String, String)>);

impl Secrets {
    fn of(p: &Person, record: &CitizenRecord) -> Self {
        let mut s = Vec::new();
        let mut add = |what: &str, value: String| {
            if !value.is_empty() {
                s.push((what.to_owned(), value));
            }
        };
        add("name", p.name.to_string());
        add("name (wire form)", p.name.to_string().to_uppercase());
        add("personal ID", p.id.to_string());
        if let Some(cmnd) = p.cmnd {
            add("CMND", cmnd.to_string());
        }
        if p.birth.precision() == Precision::Day {
            add("birth date", p.birth.to_string());
            let (y, m, d) = (p.birth.year(), p.birth.month(), p.birth.day());
            add(
                "birth date (ISO)",
                format!("{y:04}-{:02}-{:02}", m.unwrap(), d.unwrap()),
            );
        }
        add("address detail", p.detail.clone());
        if let Some(book) = &record.household_book {
            add("household book", book.clone());
        }
        for (what, relative) in [
            ("father", &record.father),
            ("mother", &record.mother),
            ("spouse", &record.spouse),
        ] {
            let Some(r) = relative else { continue };
            if let Some(name) = &r.name {
                add(&format!("{what}'s name"), name.to_string());
            }
            if let Some(id) = r.personal_id {
                add(&format!("{what}'s ID"), id.to_string());
            }
        }
        if let Some(name) = record.household_head.as_ref().and_then(|h| h.name.as_ref()) {
            add("household head's name", name.to_string());
        }
        add("phone", PHONE.to_owned());
        add("phone (digits)", PHONE_DIGITS.to_owned());
        add("e-mail", EMAIL.to_owned());
        add("e-mail (local part)", "nguyen.thi.hoa.1986".to_owned());
        Self(s)
    }

    /// Fails when `value`'s `Debug` form (plain or pretty) holds a secret.
    #[track_caller]
    fn assert_hidden(&self, label: &str, value: &impl Debug) {
        for shown in [format!("{value:?}"), format!("{value:#?}")] {
            for (what, secret) in &self.0 {
                assert!(
                    !shown.contains(secret.as_str()),
                    "{label}: Debug shows the {what}"
                );
            }
        }
    }
}

/// Citizens with every kind of personal data, and a registry holding them.
fn population() -> (Vec<(Person, CitizenRecord)>, InMemoryRegistry) {
    let population = Population::generate(20_261_127, 2_000);
    let registry = InMemoryRegistry::new("memory");
    let mut chosen = Vec::new();
    for (i, p) in population.people().iter().enumerate() {
        let record = population.record(u32::try_from(i).unwrap()).unwrap();
        registry.insert(record.clone());
        let rich = p.otp.is_none()
            && p.birth.precision() == Precision::Day
            && record.household_book.is_some()
            && record.father.is_some()
            && record.spouse.is_some();
        if rich && chosen.len() < 6 {
            chosen.push((p.clone(), record));
        }
    }
    // One with an old CMND as well.
    let with_cmnd = population
        .people()
        .iter()
        .enumerate()
        .find(|(_, p)| p.cmnd.is_some() && p.otp.is_none() && p.birth.precision() == Precision::Day)
        .map(|(i, p)| {
            (
                p.clone(),
                population.record(u32::try_from(i).unwrap()).unwrap(),
            )
        })
        .unwrap();
    chosen.push(with_cmnd);
    assert!(chosen.len() >= 4, "the population has rich citizens");
    (chosen, registry)
}

#[test]
fn records_queries_and_dossier_parts_hide_personal_data() {
    let (people, _) = population();
    for (p, record) in &people {
        let secrets = Secrets::of(p, record);
        secrets.assert_hidden("CitizenRecord", record);
        secrets.assert_hidden("Person's ID", &p.id);
        secrets.assert_hidden("Person's name", &p.name);
        secrets.assert_hidden("Person's birth date", &p.birth);
        secrets.assert_hidden(
            "CheckForm",
            &CheckForm {
                name: p.name.to_string(),
                id_number: p.id.to_string(),
                birth_date: p.birth.to_string(),
            },
        );
        let phone: PhoneNumber = PHONE.parse().unwrap();
        let email: Email = EMAIL.parse().unwrap();
        secrets.assert_hidden("PhoneNumber", &phone);
        secrets.assert_hidden("Email", &email);
        secrets.assert_hidden(
            "DossierAddress",
            &DossierAddress {
                text: format!("{}, Xã Ea H'Leo, Tỉnh Đắk Lắk", p.detail),
                units: record.current.clone(),
            },
        );
        let mut owner = Owner::typed(
            OwnerType::Citizen,
            IdNumber::PersonalId(p.id),
            p.name.clone(),
        );
        owner.set_phone(phone);
        owner.set_email(email);
        secrets.assert_hidden("Owner", &owner);
    }
}

#[tokio::test]
async fn the_tandan_direct_flow_hides_personal_data() {
    let (people, registry) = population();
    let catalog = Catalog::sample();
    for (p, record) in &people {
        let secrets = Secrets::of(p, record);
        let officer = dancu_tandan::Officer::new("canbo.motcua01", UNIT, &[Role::OneStop]);
        let mut form = DirectIntake::new(officer, &catalog)
            .choose_sector("HT")
            .unwrap()
            .choose_procedure("1.001776")
            .unwrap()
            .choose_case("TH1", today(), &calendar())
            .unwrap();
        form.owner_type = OwnerType::Citizen;
        form.id_number = p.id.to_string();
        form.owner_name = p.name.to_string();
        form.phone = PHONE.into();
        form.email = EMAIL.into();
        form.address = format!("{}, Xã Ea H'Leo, Tỉnh Đắk Lắk", p.detail);
        form.summary = format!("Đăng ký khai sinh cho con của {}", p.name);
        secrets.assert_hidden("DraftForm", &form);
        let draft = form.validate().unwrap();
        secrets.assert_hidden("Draft", &draft);
        let mut screen = draft.open_population_check().unwrap();
        screen.form.birth_date = p.birth.to_string();
        secrets.assert_hidden("CheckScreen (before)", &screen);
        let result = screen.check(&registry).await.unwrap();
        assert!(
            matches!(result, CheckResult::Verified(_)),
            "{}",
            result.label_vi()
        );
        secrets.assert_hidden("CheckResult", &result);
        secrets.assert_hidden("CheckScreen (after)", &screen);
        let verified = screen.accept().unwrap();
        secrets.assert_hidden("VerifiedDraft", &verified);
        let store = InMemoryDossierStore::new();
        let dossier = verified.save(&store).await.unwrap();
        secrets.assert_hidden("Dossier (direct)", &dossier);
    }
}

#[tokio::test]
async fn the_tandan_online_flow_hides_personal_data() {
    let (people, registry) = population();
    for (p, record) in &people {
        let secrets = Secrets::of(p, record);
        let store = InMemoryDossierStore::new();
        let owner = Owner::typed(
            OwnerType::Citizen,
            IdNumber::PersonalId(p.id),
            p.name.clone(),
        );
        let form: BTreeMap<String, String> = [
            ("ngay_sinh".to_owned(), p.birth.to_string()),
            ("dia_chi".to_owned(), p.detail.clone()),
            ("so_dien_thoai".to_owned(), PHONE.to_owned()),
        ]
        .into_iter()
        .collect();
        let submitted: Dossier = dancu_tandan::submit_online(
            &store,
            UNIT,
            "Hộ tịch",
            "2.000986".parse().unwrap(),
            owner,
            &format!("Hồ sơ của {}", p.name),
            form,
            today(),
        )
        .await
        .unwrap();
        secrets.assert_hidden("Dossier (submitted online)", &submitted);
        let officer = dancu_tandan::Officer::new("canbo.motcua01", UNIT, &[Role::OneStop]);
        let desk = OnlineIntake::new(officer, &store);
        let mut opened = desk.open(&submitted.code).await.unwrap();
        secrets.assert_hidden("OnlineDossier", &opened);
        let mut check = opened.population_check().unwrap();
        secrets.assert_hidden("OnlineCheck", &check);
        let result = check.check(&registry, today()).await.unwrap();
        secrets.assert_hidden("CheckResult (online)", &result);
        check.accept().unwrap();
        let accepted = opened.accept(today(), 5, &calendar()).await.unwrap();
        secrets.assert_hidden("Dossier (accepted online)", &accepted);
    }
}

#[tokio::test]
async fn the_vnpt_flow_hides_personal_data() {
    let (people, registry) = population();
    let catalog = IgateCatalog::sample(UNIT);
    for (p, record) in &people {
        let secrets = Secrets::of(p, record);
        let officer = dancu_vnpt::Officer {
            account: "canbo.motcua01".into(),
            agency: UNIT.into(),
        };
        let mut form = Reception::new(officer, &catalog)
            .choose_sector("HT")
            .unwrap()
            .choose_procedure("1.001776")
            .unwrap()
            .choose_process("QT-1.001776-3N")
            .unwrap()
            .proceed();
        form.ho_va_ten = p.name.to_string();
        form.cccd_cmnd = p.id.to_string();
        form.ngay_sinh = p.birth.to_string();
        secrets.assert_hidden("ApplicantForm", &form);
        let outcome = form
            .check_digital_identity(&registry, today())
            .await
            .unwrap();
        secrets.assert_hidden("IdentityOutcome", &outcome);
        let applicant = match outcome {
            IdentityOutcome::Filled(a) | IdentityOutcome::Mismatch(a) => a,
            other => panic!("not verified: {}", std::any::type_name_of_val(&other)),
        };
        secrets.assert_hidden("Applicant", &applicant);
        secrets.assert_hidden("IgateAddress", &applicant.address);
        let details = Completion {
            is_owner_dossier: true,
            phone: PHONE.into(),
            email: EMAIL.into(),
            content: format!("Đề nghị cấp bản sao cho {}", p.name),
            address_detail: Some(p.detail.clone()),
            ..Completion::default()
        };
        secrets.assert_hidden("Completion", &details);
        let completed = applicant.complete(details).unwrap();
        secrets.assert_hidden("Completed", &completed);
        let store = InMemoryDossierStore::new();
        let saved = completed.save(&store, &calendar()).await.unwrap();
        secrets.assert_hidden("IgateDossier", &saved);
    }
}
