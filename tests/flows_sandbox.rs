//! End to end: the three intake flows against an in-process sandbox over
//! real HTTP, with the SQLite audit trail and the SQLite dossier store —
//! plus code issuance under concurrency and after a crash.
//!
//! The crash test re-executes this test binary with `CRASH_ENV` set: one
//! test then turns into the child process that the parent kills.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dancu_core::dossier::{
    Channel, Dossier, DossierStatus, DossierStore, Owner, OwnerType, PaperFallback, Provenance,
    WorkingCalendar,
};
use dancu_core::intake::{CheckResult, IntakeError};
use dancu_core::registry::{AuditSink, LookupKey, PopulationRegistry};
use dancu_core::{CalendarDate, DossierCode, IdNumber, Precision};
use dancu_dossier_sqlite::SqliteDossierStore;
use dancu_popdb::audit::{SqliteAuditSink, SubjectHasher};
use dancu_popdb::{InMemoryRegistry, Secret};
use dancu_sandbox::population::{Population, RecordVintage};
use dancu_sandbox::{Person, Sandbox, SandboxConfig};
use dancu_tandan::{Catalog, DirectIntake, OnlineIntake, Role};
use dancu_vnpt::{Completion, IdentityOutcome, IgateCatalog, Reception};

const UNIT: &str = "000.00.21.H06";
const OFFICER: &str = "canbo.motcua01";

/// Friday 27/11/2026.
fn today() -> CalendarDate {
    CalendarDate::new(2026, 11, 27).unwrap()
}

fn calendar() -> WorkingCalendar {
    WorkingCalendar::with_fixed_holidays([2026, 2027])
}

fn officer() -> dancu_tandan::Officer {
    dancu_tandan::Officer::new(OFFICER, UNIT, &[Role::OneStop])
}

/// A sandbox, the two gateways configured from it with the audit trail,
/// and a SQLite dossier store, all in a temporary directory.
struct Env {
    sandbox: Sandbox,
    dir: tempfile::TempDir,
    audit: Arc<SqliteAuditSink>,
    hasher: SubjectHasher,
    c06: Arc<dyn PopulationRegistry>,
    provincial: Arc<dyn PopulationRegistry>,
    store: Arc<SqliteDossierStore>,
}

impl Env {
    async fn start() -> Self {
        let sandbox = Sandbox::start(SandboxConfig {
            seed: 2026,
            citizens: 3_000,
            ..SandboxConfig::default()
        })
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let audit = Arc::new(SqliteAuditSink::open(dir.path().join("audit.sqlite")).unwrap());
        let hasher = SubjectHasher::new(Secret::new("flows-e2e-salt-0123456789abcdef")).unwrap();
        let sink: Arc<dyn AuditSink> = audit.clone();
        let gateway = |name: &str| {
            sandbox
                .registry(name, Some((Arc::clone(&sink), hasher.clone())))
                .unwrap()
        };
        let c06 = gateway("c06");
        let provincial = gateway("provincial_json");
        let store = Arc::new(SqliteDossierStore::open(dir.path().join("dossiers.sqlite")).unwrap());
        Self {
            sandbox,
            dir,
            audit,
            hasher,
            c06,
            provincial,
            store,
        }
    }

    fn person(&self, f: impl Fn(&Person) -> bool) -> Person {
        self.sandbox
            .population()
            .people()
            .iter()
            .find(|p| f(p))
            .cloned()
            .expect("such a citizen in the sandbox population")
    }

    /// Submits an online dossier for `p` (status 1, channel 2), the
    /// declared date of birth (or year) in its e-form.
    async fn submit_online(&self, p: &Person, declared_birth: String) -> Dossier {
        let owner = Owner::typed(
            OwnerType::Citizen,
            IdNumber::PersonalId(p.id),
            p.name.clone(),
        );
        let form = [("ngay_sinh".to_owned(), declared_birth)]
            .into_iter()
            .collect();
        dancu_tandan::submit_online(
            self.store.as_ref(),
            UNIT,
            "Hộ tịch (minh họa)",
            "2.000986".parse().unwrap(),
            owner,
            "Nộp trực tuyến",
            form,
            today(),
        )
        .await
        .unwrap()
    }

    async fn stop(self) {
        self.sandbox.shutdown().await.unwrap();
    }
}

fn plain(p: &Person) -> bool {
    p.otp.is_none() && p.cmnd.is_none() && p.birth.precision() == Precision::Day
}

/// Tân Dân direct intake, up to the check screen with the date of birth.
fn direct_screen(
    catalog: &Catalog,
    id: &str,
    name: &str,
    birth: &str,
) -> dancu_tandan::CheckScreen {
    direct_screen_by(officer(), catalog, id, name, birth)
}

/// [`direct_screen`] by `officer`.
fn direct_screen_by(
    officer: dancu_tandan::Officer,
    catalog: &Catalog,
    id: &str,
    name: &str,
    birth: &str,
) -> dancu_tandan::CheckScreen {
    let mut form = DirectIntake::new(officer, catalog)
        .choose_sector("HT")
        .unwrap()
        .choose_procedure("1.001776")
        .unwrap()
        .choose_case("TH1", today(), &calendar())
        .unwrap();
    form.id_number = id.into();
    form.owner_name = name.into();
    form.phone = "0912345678".into();
    form.address = "(theo CSDLQG về dân cư)".into();
    form.summary = "Đề nghị giải quyết thủ tục".into();
    let mut screen = form.validate().unwrap().open_population_check().unwrap();
    screen.form.birth_date = birth.into();
    screen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tandan_direct_verifies_over_http_and_the_audit_answers_who_looked_up() {
    let env = Env::start().await;
    let p = env.person(plain);
    let catalog = Catalog::sample();
    let mut screen = direct_screen(
        &catalog,
        &p.id.to_string(),
        &p.name.to_string(),
        &p.birth.to_string(),
    );
    let result = screen.check(env.c06.as_ref()).await.unwrap().clone();
    let CheckResult::Verified(v) = result else {
        panic!("not verified: {}", result.label_vi());
    };
    assert!(v.report.all_agree());
    assert_eq!(v.record.personal_id, p.id);
    let dossier = screen
        .accept()
        .unwrap()
        .save(env.store.as_ref())
        .await
        .unwrap();
    assert_eq!(dossier.code.to_string(), "000.00.21.H06-261127-0001");
    assert_eq!((dossier.status.code(), dossier.channel.code()), (2, 1));
    assert!(dossier.owner.is_locked());
    assert!(matches!(
        dossier.owner.address().unwrap().provenance,
        Provenance::PopulationDb { .. }
    ));
    assert_eq!(
        dossier.verification.as_ref().unwrap().request_id,
        v.request_id
    );
    assert_eq!(env.store.load(&dossier.code).await.unwrap(), Some(dossier));

    // "Who looked up this citizen?"
    let records = env
        .audit
        .query(&env.hasher.query(&LookupKey::PersonalId(p.id)))
        .await
        .unwrap();
    assert_eq!(records.len(), 1);
    let e = &records[0].entry;
    assert_eq!(e.officer, OFFICER);
    assert_eq!(e.unit.as_deref(), Some(UNIT));
    assert_eq!(e.procedure, "1.001776");
    assert_eq!(e.request_id, v.request_id.to_string());
    assert_eq!(records[0].completion.as_ref().unwrap().outcome, "found");
    // Nobody else's lookups are mixed in.
    let other = env.person(|q| plain(q) && q.id != p.id);
    assert!(
        env.audit
            .query(&env.hasher.query(&LookupKey::PersonalId(other.id)))
            .await
            .unwrap()
            .is_empty()
    );
    env.stop().await;
}

/// Requests the sandbox answered so far (its `/admin/stats` counter).
async fn served(sandbox: &Sandbox) -> u64 {
    let body = reqwest::get(format!("{}/admin/stats", sandbox.base_url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let stats: serde_json::Value = serde_json::from_str(&body).unwrap();
    stats["served"].as_u64().unwrap()
}

/// Tân Dân's officer OTP gate, over the real C06 channel: an officer who
/// has not confirmed the one-time code sent to their phone is refused —
/// recorded in the audit trail as refused, and nothing sent to the gateway;
/// once confirmed the same screen verifies the citizen; ten minutes later
/// the officer is refused again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tandan_refuses_lookups_until_the_officer_confirms_the_otp() {
    use std::sync::Mutex;

    use dancu_core::registry::RegistryError;
    use dancu_popdb::audit::Audited;
    use dancu_popdb::layer::Ruled;
    use dancu_tandan::otp::{InMemoryOtpSender, OfficerOtpGate, OtpGateError};

    let env = Env::start().await;
    let p = env.person(plain);
    let now = Arc::new(Mutex::new(Instant::now()));
    let clock = Arc::clone(&now);
    let phone = Arc::new(InMemoryOtpSender::default());
    let gate = Arc::new(
        OfficerOtpGate::new(phone.clone()).with_clock(Arc::new(move || *clock.lock().unwrap())),
    );
    let sink: Arc<dyn AuditSink> = env.audit.clone();
    let bare = env.sandbox.registry("c06", None).unwrap();
    let registry = Audited::new(
        Ruled::new(bare, Arc::clone(&gate)),
        sink,
        env.hasher.clone(),
    );
    let officer = officer().with_phone("0912345678".parse().unwrap());
    let catalog = Catalog::sample();
    let (id, name, birth) = (p.id.to_string(), p.name.to_string(), p.birth.to_string());
    let screen_for =
        |officer: dancu_tandan::Officer| direct_screen_by(officer, &catalog, &id, &name, &birth);

    // Not confirmed: refused, audited as refused, never sent.
    let mut screen = screen_for(officer.clone());
    let before = served(&env.sandbox).await;
    let result = screen.check(&registry).await.unwrap().clone();
    let CheckResult::Rejected(RegistryError::Refused { reason }) = &result else {
        panic!("expected a refusal, got {}", result.label_vi());
    };
    assert!(reason.contains("one-time code"), "{reason}");
    assert_eq!(served(&env.sandbox).await, before, "nothing was sent");
    let key = LookupKey::PersonalId(p.id);
    let records = env.audit.query(&env.hasher.query(&key)).await.unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].entry.officer, OFFICER);
    let refused = records[0].completion.as_ref().unwrap();
    assert_eq!(refused.outcome, "refused");
    assert_eq!(refused.exchange, None, "no exchange with the gateway");
    assert!(
        screen.paper_fallback().is_none(),
        "a refusal is no reason for paper"
    );

    // The code sent to the officer's phone; a wrong one is not enough.
    gate.request_code(&officer).await.unwrap();
    let code = phone.last_code_for(OFFICER).unwrap();
    let wrong = if code.as_str() == "000000" {
        "111111"
    } else {
        "000000"
    };
    assert!(matches!(
        gate.confirm(&officer, wrong),
        Err(OtpGateError::WrongCode { .. })
    ));
    let mut screen = screen_for(officer.clone());
    assert!(matches!(
        screen.check(&registry).await.unwrap(),
        CheckResult::Rejected(RegistryError::Refused { .. })
    ));
    gate.confirm(&officer, code.as_str()).unwrap();
    let result = screen.check(&registry).await.unwrap().clone();
    let CheckResult::Verified(v) = result else {
        panic!("not verified: {}", result.label_vi());
    };
    assert_eq!(v.record.personal_id, p.id);
    assert_eq!(
        served(&env.sandbox).await,
        before + 1,
        "one call, once confirmed"
    );

    // Ten minutes later the confirmation has lapsed.
    *now.lock().unwrap() += Duration::from_secs(10 * 60);
    let mut screen = screen_for(officer.clone());
    assert!(matches!(
        screen.check(&registry).await.unwrap(),
        CheckResult::Rejected(RegistryError::Refused { .. })
    ));
    let outcomes: Vec<String> = env
        .audit
        .query(&env.hasher.query(&key))
        .await
        .unwrap()
        .iter()
        .map(|r| r.completion.as_ref().unwrap().outcome.clone())
        .collect();
    assert_eq!(outcomes, ["refused", "refused", "found", "refused"]);
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tandan_online_verifies_a_year_of_birth_and_records_the_dossier_in_the_audit() {
    let env = Env::start().await;
    let p = env.person(|p| p.otp.is_none() && p.birth.precision() == Precision::Year);
    let submitted = env.submit_online(&p, p.birth.year().to_string()).await;
    let desk = OnlineIntake::new(officer(), env.store.as_ref());
    assert_eq!(desk.waiting().await.unwrap(), vec![submitted.code.clone()]);
    let mut online = desk.open(&submitted.code).await.unwrap();
    let mut check = online.population_check().unwrap();
    assert_eq!(check.form.birth_date.len(), 4);
    let result = check.check(env.c06.as_ref(), today()).await.unwrap();
    assert!(
        matches!(result, CheckResult::Verified(_)),
        "{}",
        result.label_vi()
    );
    check.accept().unwrap();
    let accepted = online.accept(today(), 5, &calendar()).await.unwrap();
    assert_eq!(accepted.status, DossierStatus::Received);
    assert_eq!(accepted.channel, Channel::Online);
    assert_eq!(
        accepted.appointment_date,
        Some(CalendarDate::new(2026, 12, 4).unwrap())
    );
    assert_eq!(
        env.store.load(&submitted.code).await.unwrap(),
        Some(accepted)
    );

    let records = env
        .audit
        .query(&env.hasher.query(&LookupKey::PersonalId(p.id)))
        .await
        .unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0].entry.dossier.as_deref(),
        Some(submitted.code.to_string().as_str())
    );
    env.stop().await;
}

/// Two counters (two store handles on one file, as two processes would
/// have) open the same online dossier, verify it, and decide it at the same
/// moment, one accepting and one refusing: exactly one decision lands and
/// the other officer is told the dossier was already decided.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_online_decisions_on_one_dossier_land_once() {
    let env = Env::start().await;
    let people: Vec<Person> = env
        .sandbox
        .population()
        .people()
        .iter()
        .filter(|p| plain(p))
        .take(10)
        .cloned()
        .collect();
    let other_counter: Arc<dyn DossierStore> =
        Arc::new(SqliteDossierStore::open(env.dir.path().join("dossiers.sqlite")).unwrap());
    for p in people {
        let submitted = env.submit_online(&p, p.birth.to_string()).await;
        let first_desk = OnlineIntake::new(officer(), env.store.as_ref());
        let second_desk = OnlineIntake::new(officer(), other_counter.as_ref());
        let mut first = first_desk.open(&submitted.code).await.unwrap();
        let mut second = second_desk.open(&submitted.code).await.unwrap();
        for opened in [&mut first, &mut second] {
            let mut check = opened.population_check().unwrap();
            let result = check.check(env.c06.as_ref(), today()).await.unwrap();
            assert!(
                matches!(result, CheckResult::Verified(_)),
                "{}",
                result.label_vi()
            );
            check.accept().unwrap();
        }
        let calendar = calendar();
        let (accepted, refused) = tokio::join!(
            first.accept(today(), 5, &calendar),
            second.reject("Hồ sơ không thuộc thẩm quyền")
        );
        let stored = env.store.load(&submitted.code).await.unwrap();
        match (accepted, refused) {
            (Ok(winner), Err(IntakeError::WrongState(m)))
            | (Err(IntakeError::WrongState(m)), Ok(winner)) => {
                assert!(m.contains("already decided"), "{m}");
                assert_eq!(stored, Some(winner));
            }
            (a, r) => panic!("both or neither decision landed: {a:?} / {r:?}"),
        }
    }
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vnpt_shows_a_legacy_bac_kan_citizen_in_thai_nguyen_today() {
    let env = Env::start().await;
    let p = env.person(|p| {
        plain(p)
            && p.vintage == RecordVintage::Legacy
            && p.home.province().code().to_string() == "06"
    });
    let catalog = IgateCatalog::sample(UNIT);
    let officer = dancu_vnpt::Officer {
        account: OFFICER.into(),
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
    let outcome = form
        .check_digital_identity(env.c06.as_ref(), today())
        .await
        .unwrap();
    let IdentityOutcome::Filled(applicant) = outcome else {
        panic!("not filled: {outcome:?}");
    };
    let a = applicant.address.clone();
    let legacy = a.legacy.as_ref().unwrap();
    assert_eq!(legacy.province.name, "Tỉnh Bắc Kạn");
    assert_eq!(
        legacy.ward.as_ref().unwrap().code,
        p.home.code().to_string()
    );
    assert_eq!(
        legacy.district.as_ref().unwrap().code,
        p.home.district().code().to_string()
    );
    assert_eq!(
        a.current.as_ref().unwrap().province.name,
        "Tỉnh Thái Nguyên"
    );
    let saved = applicant
        .complete(Completion {
            is_owner_dossier: true,
            phone: "0987654321".into(),
            content: "Đề nghị giải quyết thủ tục".into(),
            ..Completion::default()
        })
        .unwrap()
        .save(env.store.as_ref(), &calendar())
        .await
        .unwrap();
    assert_eq!(saved.eform["data[tinhThanh]"], "Tỉnh Thái Nguyên");
    assert_eq!(saved.eform["data[tinhThanhCu]"], "Tỉnh Bắc Kạn");
    assert_eq!(saved.dossier.status, saved.igate_status.to_national());
    assert_eq!(
        env.store.load(&saved.dossier.code).await.unwrap(),
        Some(saved.dossier)
    );
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_found_after_a_recheck_falls_back_to_paper() {
    let env = Env::start().await;
    let catalog = Catalog::sample();
    let mut screen = direct_screen(&catalog, "006190000123", "Hà Thị Không Có", "15/08/1990");
    let first = screen.check(env.c06.as_ref()).await.unwrap();
    assert!(
        matches!(first, CheckResult::NotFound { times: 1 }),
        "{}",
        first.label_vi()
    );
    let second = screen.check(env.c06.as_ref()).await.unwrap();
    assert!(matches!(second, CheckResult::NotFound { times: 2 }));
    let fallback = screen.paper_fallback().expect("paper may now be requested");
    let dossier = fallback.save(env.store.as_ref()).await.unwrap();
    assert_eq!(
        dossier.paper_fallback,
        Some(PaperFallback::NotFoundAfterRecheck { attempts: 2 })
    );
    assert_eq!(env.store.load(&dossier.code).await.unwrap(), Some(dossier));
    // Both lookups are in the audit trail.
    let key = LookupKey::PersonalId("006190000123".parse().unwrap());
    let records = env.audit.query(&env.hasher.query(&key)).await.unwrap();
    assert_eq!(records.len(), 2);
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_time_password_through_the_provincial_json_gateway() {
    let env = Env::start().await;
    let p = env
        .person(|p| p.otp.is_some() && p.cmnd.is_none() && p.birth.precision() == Precision::Day);
    let catalog = Catalog::sample();
    let mut screen = direct_screen(
        &catalog,
        &p.id.to_string(),
        &p.name.to_string(),
        &p.birth.to_string(),
    );
    let first = screen.check(env.provincial.as_ref()).await.unwrap();
    assert!(
        matches!(first, CheckResult::OtpRequired(_)),
        "{}",
        first.label_vi()
    );
    let right = p.otp.unwrap();
    let wrong = if right.as_str() == "000000" {
        "111111"
    } else {
        "000000"
    };
    let rejected = screen
        .submit_otp(env.provincial.as_ref(), wrong.parse().unwrap())
        .await
        .unwrap();
    assert!(
        matches!(rejected, CheckResult::OtpRejected(_)),
        "{}",
        rejected.label_vi()
    );
    let verified = screen
        .submit_otp(env.provincial.as_ref(), right)
        .await
        .unwrap();
    assert!(
        matches!(verified, CheckResult::Verified(_)),
        "{}",
        verified.label_vi()
    );
    let dossier = screen
        .accept()
        .unwrap()
        .save(env.store.as_ref())
        .await
        .unwrap();
    assert!(dossier.owner.is_locked());
    assert_eq!(dossier.verification.unwrap().gateway, "provincial_json");
    env.stop().await;
}

/// 300 direct intakes at one unit on one day, in parallel, through the
/// sandbox, saving into one SQLite file through three store handles.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_direct_intakes_get_distinct_contiguous_serials() {
    const N: usize = 300;
    let env = Env::start().await;
    let people: Vec<Person> = env
        .sandbox
        .population()
        .people()
        .iter()
        .filter(|p| plain(p))
        .take(N)
        .cloned()
        .collect();
    assert_eq!(people.len(), N);
    let path = env.dir.path().join("dossiers.sqlite");
    let handles: Vec<Arc<dyn DossierStore>> = vec![
        env.store.clone(),
        Arc::new(SqliteDossierStore::open(&path).unwrap()),
        Arc::new(SqliteDossierStore::open(&path).unwrap()),
    ];
    let mut tasks = tokio::task::JoinSet::new();
    for (i, p) in people.into_iter().enumerate() {
        let store = Arc::clone(&handles[i % handles.len()]);
        let registry = Arc::clone(&env.c06);
        tasks.spawn(async move {
            let catalog = Catalog::sample();
            let mut screen = direct_screen(
                &catalog,
                &p.id.to_string(),
                &p.name.to_string(),
                &p.birth.to_string(),
            );
            let result = screen.check(registry.as_ref()).await.unwrap();
            assert!(
                matches!(result, CheckResult::Verified(_)),
                "{}",
                result.label_vi()
            );
            let dossier = screen.accept().unwrap().save(store.as_ref()).await.unwrap();
            (dossier.code, p.id)
        });
    }
    let mut serials = BTreeSet::new();
    let mut saved = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (code, id) = done.unwrap();
        assert_eq!((code.unit(), code.date()), (UNIT, today()));
        assert!(
            serials.insert(code.serial()),
            "serial {} issued twice",
            code.serial()
        );
        saved.push((code, id));
    }
    let expected: BTreeSet<u32> = (1..=N as u32).collect();
    assert_eq!(serials, expected);
    // Every dossier is stored under its own code, with its own owner.
    let reopened = SqliteDossierStore::open(&path).unwrap();
    for (code, id) in &saved {
        let d = reopened.load(code).await.unwrap().unwrap();
        assert_eq!(d.owner.id().value, IdNumber::PersonalId(*id));
    }
    assert_eq!(
        reopened
            .list(UNIT, DossierStatus::Received)
            .await
            .unwrap()
            .len(),
        N
    );
    env.stop().await;
}

const CRASH_ENV: &str = "DANCU_FLOWS_CRASH_DB";
const MARK: &str = "@@ ";
const CRASH_TEST: &str = "a_killed_intake_process_leaves_whole_dossiers_and_fresh_codes";
const CRASH_SEED: u64 = 77;

/// The child: direct intakes in a loop (lookups against an in-memory copy
/// of a generated population) until killed, printing each saved code.
fn crash_child(path: &Path) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let population = Population::generate(CRASH_SEED, 200);
        let registry = InMemoryRegistry::new("memory");
        let mut people = Vec::new();
        for (i, p) in population.people().iter().enumerate() {
            if plain(p) {
                registry.insert(population.record(u32::try_from(i).unwrap()).unwrap());
                people.push(p.clone());
            }
        }
        let store = SqliteDossierStore::open(path).unwrap();
        let catalog = Catalog::sample();
        let started = Instant::now();
        let mut out = std::io::stdout();
        for p in people.iter().cycle() {
            if started.elapsed() > Duration::from_secs(60) {
                break;
            }
            let mut screen = direct_screen(
                &catalog,
                &p.id.to_string(),
                &p.name.to_string(),
                &p.birth.to_string(),
            );
            let result = screen.check(&registry).await.unwrap();
            assert!(
                matches!(result, CheckResult::Verified(_)),
                "{}",
                result.label_vi()
            );
            let dossier = screen.accept().unwrap().save(&store).await.unwrap();
            writeln!(out, "{MARK}saved {}", dossier.code).unwrap();
            out.flush().unwrap();
        }
    });
}

fn spawn_child(db: &Path) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([CRASH_TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env(CRASH_ENV, db)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

fn saved_code(line: &str) -> Option<DossierCode> {
    let start = line.find(MARK)? + MARK.len();
    line[start..].strip_prefix("saved ")?.trim().parse().ok()
}

#[test]
fn a_killed_intake_process_leaves_whole_dossiers_and_fresh_codes() {
    if let Some(db) = std::env::var_os(CRASH_ENV) {
        crash_child(Path::new(&db));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dossiers.sqlite");
    let ids: BTreeSet<String> = Population::generate(CRASH_SEED, 200)
        .people()
        .iter()
        .filter(|p| plain(p))
        .map(|p| p.id.to_string())
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut acknowledged = BTreeSet::new();
    for round in 0..3_u64 {
        let mut child = spawn_child(&db);
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let target = 15 + 10 * round;
        let mut seen = 0;
        while seen < target {
            let line = lines
                .next()
                .unwrap_or_else(|| panic!("the child stopped after {seen} saves"))
                .unwrap();
            if let Some(code) = saved_code(&line) {
                acknowledged.insert(code);
                seen += 1;
            }
        }
        std::thread::sleep(Duration::from_millis(2 * round));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        for line in lines.map_while(Result::ok) {
            if let Some(code) = saved_code(&line) {
                acknowledged.insert(code);
            }
        }
        runtime.block_on(async {
            let store = SqliteDossierStore::open(&db).unwrap();
            // Every stored dossier loads whole: verified, locked, one of
            // the population, stored under its own code.
            let stored: Vec<Dossier> = store.list(UNIT, DossierStatus::Received).await.unwrap();
            let codes: BTreeSet<DossierCode> = stored.iter().map(|d| d.code.clone()).collect();
            for d in &stored {
                assert_eq!(store.load(&d.code).await.unwrap().as_ref(), Some(d));
                assert!(d.owner.is_locked(), "{}", d.code);
                assert!(d.verification.is_some(), "{}", d.code);
                assert!(ids.contains(&d.owner.id().value.to_string()), "{}", d.code);
                assert_eq!(d.channel, Channel::Direct);
            }
            let lost: Vec<_> = acknowledged.difference(&codes).collect();
            assert!(lost.is_empty(), "acknowledged dossiers lost: {lost:?}");
            // The next code is new.
            let next = store.issue_code(UNIT, today()).await.unwrap();
            assert!(!codes.contains(&next), "{next} issued again");
            assert!(codes.iter().all(|c| c.serial() < next.serial()));
            assert_eq!(store.load(&next).await.unwrap(), None);
        });
    }
    assert!(acknowledged.len() >= 15 + 25 + 35);
}
