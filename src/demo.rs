//! `dancu demo`: the three intake flows against an in-process sandbox, with
//! a real audit trail and dossier store, printed step by step with the
//! screens' Vietnamese labels.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, anyhow};
use clap::Args;
use dancu_core::dossier::{Dossier, DossierStore, Owner, OwnerType, Provenance, WorkingCalendar};
use dancu_core::intake::{CheckResult, Verified};
use dancu_core::registry::{AuditError, AuditSink, LookupKey, PopulationRegistry};
use dancu_core::{CalendarDate, IdNumber, Precision};
use dancu_dossier_sqlite::SqliteDossierStore;
use dancu_popdb::Secret;
use dancu_popdb::audit::{Audited, SqliteAuditSink, SubjectHasher};
use dancu_popdb::layer::Ruled;
use dancu_sandbox::population::RecordVintage;
use dancu_sandbox::{Person, Sandbox, SandboxConfig};
use dancu_tandan::otp::{InMemoryOtpSender, OfficerOtpGate};
use dancu_tandan::{Catalog, DirectIntake, OnlineIntake, Role};
use dancu_vnpt::{Completion, IdentityOutcome, IgateCatalog, Reception};

const UNIT: &str = "000.00.21.H06";
const OFFICER: &str = "canbo.motcua01";
const OFFICER_PHONE: &str = "0912345678";

/// `dancu demo`
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Keep the audit trail and dossier store here (default: a new
    /// temporary directory, removed at the end).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Population seed of the sandbox.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
}

struct Demo<'o> {
    out: &'o mut dyn Write,
    today: CalendarDate,
    calendar: WorkingCalendar,
    store: Arc<dyn DossierStore>,
    audit: Arc<SqliteAuditSink>,
    hasher: SubjectHasher,
    /// The C06 channel for VNPT iGate.
    direct: Arc<dyn PopulationRegistry>,
    /// The C06 channel for Tân Dân, behind the officer's OTP gate (inside
    /// the audit layer: a refused lookup is recorded, never sent).
    tandan: Arc<dyn PopulationRegistry>,
    /// The provincial JSON channel for Tân Dân, behind the same gate.
    provincial: Arc<dyn PopulationRegistry>,
    gate: Arc<OfficerOtpGate>,
    /// The officer's phone.
    phone: Arc<InMemoryOtpSender>,
    /// How to ask the kept trail again from the command line.
    audit_hint: Option<String>,
}

pub(crate) fn run(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let (dir, temporary) = match &args.data_dir {
        Some(d) => (d.clone(), false),
        None => (
            std::env::temp_dir().join(format!("dancu-demo-{}", std::process::id())),
            true,
        ),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let result =
        demo_salt(&dir, temporary).and_then(|salt| runtime.block_on(demo(&dir, args.seed, salt)));
    if temporary {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result?;
    Ok(ExitCode::SUCCESS)
}

fn pick<'p>(
    people: &'p [Person],
    what: &str,
    f: impl Fn(&Person) -> bool,
) -> anyhow::Result<&'p Person> {
    people
        .iter()
        .find(|p| f(p))
        .ok_or_else(|| anyhow!("the sandbox population has no {what}"))
}

/// The environment variable the demo's salt is read from, if set.
const SALT_ENV: &str = "DANCU_AUDIT_SALT";
/// Where a kept data directory holds the salt the demo made for it.
const SALT_FILE: &str = "audit-salt";

/// Where the demo's subject-hash salt comes from.
enum DemoSalt {
    /// `DANCU_AUDIT_SALT`.
    Environment(Secret),
    /// `DIR/audit-salt`, made on the first run with this data directory.
    File(Secret, PathBuf),
    /// A fresh one for a temporary directory, thrown away with it.
    Fresh(Secret),
}

/// The salt of the demo's audit trail. A trail is bound to its salt, so a
/// kept data directory keeps it: from `DANCU_AUDIT_SALT` when set, or in
/// `DIR/audit-salt` (made on the first run; synthetic data, so a file beside
/// the trail is fine here — a real installation keeps its salt out of the
/// data directory).
fn demo_salt(dir: &std::path::Path, temporary: bool) -> anyhow::Result<DemoSalt> {
    if let Ok(salt) = std::env::var(SALT_ENV)
        && !salt.is_empty()
    {
        return Ok(DemoSalt::Environment(Secret::new(salt)));
    }
    let fresh = || format!("demo-salt-{}", dancu_core::registry::RequestId::generate());
    if temporary {
        return Ok(DemoSalt::Fresh(Secret::new(fresh())));
    }
    let path = dir.join(SALT_FILE);
    match std::fs::read_to_string(&path) {
        Ok(salt) => Ok(DemoSalt::File(Secret::new(salt.trim()), path)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let salt = fresh();
            let mut file = std::fs::OpenOptions::new();
            file.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
            file.open(&path)
                .and_then(|mut f| writeln!(f, "{salt}"))
                .with_context(|| format!("keeping the demo's audit salt in {}", path.display()))?;
            Ok(DemoSalt::File(Secret::new(salt), path))
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!("reading {}", path.display()))),
    }
}

async fn demo(dir: &std::path::Path, seed: u64, salt: DemoSalt) -> anyhow::Result<()> {
    let stdout = io::stdout();
    let mut lock = stdout.lock();
    let sandbox = Sandbox::start(SandboxConfig {
        seed,
        citizens: 10_000,
        ..SandboxConfig::default()
    })
    .await
    .context("starting the sandbox")?;
    let db = dir.join("audit.sqlite");
    let audit = Arc::new(SqliteAuditSink::open(&db).context("opening the audit trail")?);
    let (secret, salt_note, audit_hint) = match salt {
        DemoSalt::Environment(s) => (
            s,
            format!("muối từ {SALT_ENV}"),
            Some(format!("dancu audit who --db {} --subject", db.display())),
        ),
        DemoSalt::File(s, path) => {
            let hint = format!(
                "{SALT_ENV}=$(cat {}) dancu audit who --db {} --subject",
                path.display(),
                db.display()
            );
            (s, format!("muối lưu tại {}", path.display()), Some(hint))
        }
        DemoSalt::Fresh(s) => (
            s,
            "muối ngẫu nhiên, bỏ đi cùng thư mục tạm".to_owned(),
            None,
        ),
    };
    let hasher = SubjectHasher::new(secret).map_err(|e| anyhow!("{SALT_ENV}: {e}"))?;
    // A kept trail answers only to its own salt: say so before any scene.
    let probe = sandbox
        .population()
        .people()
        .first()
        .map(|p| LookupKey::PersonalId(p.id))
        .ok_or_else(|| anyhow!("the sandbox population is empty"))?;
    if let Err(AuditError::SaltMismatch) = audit.query(&hasher.query(&probe)).await {
        return Err(anyhow!(
            "the audit trail {} was created with another salt ({salt_note}): {}",
            db.display(),
            AuditError::SaltMismatch
        ));
    }
    let sink: Arc<dyn AuditSink> = audit.clone();
    let direct = sandbox.registry("c06", Some((Arc::clone(&sink), hasher.clone())))?;
    let phone = Arc::new(InMemoryOtpSender::default());
    let gate = Arc::new(OfficerOtpGate::new(phone.clone()));
    let gated = |channel: &str| -> anyhow::Result<Arc<dyn PopulationRegistry>> {
        let bare = sandbox.registry(channel, None)?;
        Ok(Arc::new(Audited::new(
            Ruled::new(bare, Arc::clone(&gate)),
            Arc::clone(&sink),
            hasher.clone(),
        )))
    };
    let tandan = gated("c06")?;
    let provincial = gated("provincial_json")?;
    let store: Arc<dyn DossierStore> = Arc::new(
        SqliteDossierStore::open(dir.join("dossiers.sqlite"))
            .context("opening the dossier store")?,
    );
    let today = CalendarDate::today_in_vietnam();
    let calendar =
        WorkingCalendar::with_fixed_holidays([today.year(), today.year().saturating_add(1)]);
    writeln!(
        lock,
        "dancu demo — sandbox: {} công dân tổng hợp (seed {seed}) tại {}; dữ liệu: {} ({salt_note})",
        sandbox.population().len(),
        sandbox.base_url(),
        dir.display()
    )?;
    let people = sandbox.population().people();
    let full = pick(people, "citizen with a full birth date", |p| {
        p.otp.is_none() && p.birth.precision() == Precision::Day && p.cmnd.is_none()
    })?;
    let year_only = pick(people, "citizen with a year-only birth date", |p| {
        p.otp.is_none() && p.birth.precision() == Precision::Year
    })?;
    let bac_kan = pick(people, "citizen with a legacy Bắc Kạn address", |p| {
        p.otp.is_none()
            && p.vintage == RecordVintage::Legacy
            && p.home.province().code().to_string() == "06"
            && p.birth.precision() == Precision::Day
    })?;
    let otp = pick(
        people,
        "citizen who must confirm a one-time password",
        |p| p.otp.is_some() && p.birth.precision() == Precision::Day,
    )?;
    let mut demo = Demo {
        out: &mut lock,
        today,
        calendar,
        store,
        audit,
        hasher,
        direct,
        tandan,
        provincial,
        gate,
        phone,
        audit_hint,
    };
    demo.tandan_direct(full).await?;
    demo.tandan_online(year_only).await?;
    demo.vnpt_direct(bac_kan).await?;
    demo.not_found().await?;
    demo.otp(otp).await?;
    demo.who_looked_up(full).await?;
    drop(demo);
    sandbox.shutdown().await.context("stopping the sandbox")?;
    Ok(())
}

fn provenance(p: &Provenance) -> String {
    match p {
        Provenance::Typed => "cán bộ nhập".into(),
        Provenance::PopulationDb { request_id, as_of } => format!(
            "CSDLQG về dân cư (yêu cầu {}, dữ liệu tại {})",
            short(&request_id.to_string()),
            as_of.as_deref().unwrap_or("?")
        ),
        Provenance::EditedAfterVerification { .. } => "sửa sau khi xác thực".into(),
    }
}

/// An audit outcome key in Vietnamese, with the key.
fn outcome_vi(key: &str) -> &str {
    match key {
        "found" => "tìm thấy (found)",
        "not_found" => "không tìm thấy (not_found)",
        "otp_required" => "cần OTP công dân (otp_required)",
        "refused" => "từ chối tại hệ thống một cửa, không gửi (refused)",
        other => other,
    }
}

fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

impl Demo<'_> {
    fn title(&mut self, t: &str) -> io::Result<()> {
        writeln!(self.out, "\n━━ {t} ━━")
    }

    fn step(&mut self, label: &str, text: impl std::fmt::Display) -> io::Result<()> {
        writeln!(self.out, "  [{label}] {text}")
    }

    fn report(&mut self, v: &Verified) -> io::Result<()> {
        writeln!(self.out, "      Đối chiếu: {}", v.report.vi())?;
        let rec = &v.record;
        writeln!(
            self.out,
            "      Dữ liệu: {} · {} · ngày sinh {} · nơi ở hiện tại: {}",
            rec.name,
            rec.personal_id,
            rec.birth_date
                .map_or_else(|| "—".to_owned(), |b| b.to_string()),
            rec.current
                .as_ref()
                .map_or_else(|| "—".to_owned(), dancu_core::dossier::address_text)
        )
    }

    fn dossier(&mut self, d: &Dossier) -> io::Result<()> {
        writeln!(
            self.out,
            "      Hồ sơ {} · trạng thái {} · kênh {} · tiếp nhận {} · hẹn trả {}",
            d.code,
            d.status,
            d.channel.code(),
            d.intake_date.map_or_else(|| "—".into(), |x| x.to_string()),
            d.appointment_date
                .map_or_else(|| "—".into(), |x| x.to_string()),
        )?;
        let o: &Owner = &d.owner;
        let field = |label: &str, v: String, p: &Provenance| {
            format!("        {label:<14} {v:<48} ← {}", provenance(p))
        };
        let mut lines = vec![
            field(
                "Loại chủ hồ sơ",
                o.owner_type().value.label_vi().into(),
                &o.owner_type().provenance,
            ),
            field("Số giấy tờ", o.id().value.to_string(), &o.id().provenance),
            field(
                "Họ và tên",
                o.name().value.to_string(),
                &o.name().provenance,
            ),
        ];
        if let Some(b) = o.birth_date() {
            lines.push(field("Ngày sinh", b.value.to_string(), &b.provenance));
        }
        if let Some(a) = o.address() {
            lines.push(field("Địa chỉ", a.value.text.clone(), &a.provenance));
        }
        if let Some(p) = o.phone() {
            lines.push(field("Điện thoại", p.value.to_string(), &p.provenance));
        }
        for l in lines {
            writeln!(self.out, "{l}")?;
        }
        writeln!(
            self.out,
            "        (số giấy tờ, họ tên, ngày sinh, loại chủ hồ sơ {})",
            if o.is_locked() {
                "đã khóa sau xác thực"
            } else {
                "chưa xác thực"
            }
        )
    }

    fn officer(&self) -> dancu_tandan::Officer {
        dancu_tandan::Officer::new(OFFICER, UNIT, &[Role::OneStop]).with_phone(
            OFFICER_PHONE
                .parse()
                .unwrap_or_else(|_| unreachable!("a phone number")),
        )
    }

    /// Tân Dân's gate: the officer confirms the one-time code sent to
    /// their phone, valid for 10 minutes.
    async fn confirm_officer_otp(&mut self) -> anyhow::Result<()> {
        let officer = self.officer();
        let lifetime = self.gate.request_code(&officer).await?;
        self.step(
            "Gửi mã OTP tới điện thoại cán bộ",
            format!(
                "{} (mã có hiệu lực {} phút)",
                dancu_core::Masked::new(OFFICER_PHONE),
                lifetime.as_secs() / 60
            ),
        )?;
        let code = self
            .phone
            .last_code_for(OFFICER)
            .ok_or_else(|| anyhow!("no code reached the officer's phone"))?;
        let window = self.gate.confirm(&officer, code.as_str())?;
        self.step(
            "Nhập mã OTP",
            format!(
                "****** → tài khoản được tra cứu CSDL dân cư trong {} phút",
                window.as_secs() / 60
            ),
        )?;
        Ok(())
    }

    async fn tandan_direct(&mut self, p: &Person) -> anyhow::Result<()> {
        self.title("1. Tân Dân — Tiếp nhận trực tiếp (công dân có ngày sinh đầy đủ)")?;
        let catalog = Catalog::sample();
        let mut form = DirectIntake::new(self.officer(), &catalog)
            .choose_sector("HT")?
            .choose_procedure("1.001776")?
            .choose_case("TH1", self.today, &self.calendar)?;
        self.step(
            "Lĩnh vực → Thủ tục → Trường hợp",
            format!(
                "Hộ tịch (minh họa) → {} → Trường hợp thông thường (hạn {} ngày làm việc)",
                form.procedure().code,
                form.procedure().deadline_working_days
            ),
        )?;
        form.owner_type = OwnerType::Citizen;
        form.id_number = p.id.to_string();
        form.owner_name = p.name.to_string();
        form.phone = "0912 345 678".into();
        form.address = "(theo CSDLQG về dân cư)".into();
        form.summary = "Đề nghị giải quyết thủ tục minh họa".into();
        self.step(
            "Nhập các trường bắt buộc (*)",
            format!("{} · {} · 0912345678", p.name, p.id),
        )?;
        let draft = form.validate()?;
        let mut screen = draft.open_population_check()?;
        self.step(
            "Kiểm tra CSDL Dân cư",
            format!(
                "biểu mẫu điền sẵn: {} · {}",
                screen.form.name, screen.form.id_number
            ),
        )?;
        screen.form.birth_date = p.birth.to_string();
        let refused = screen.check(self.tandan.as_ref()).await?.label_vi();
        self.step(
            "Kiểm tra",
            format!(
                "{refused}: tài khoản cán bộ chưa xác nhận mã OTP (ghi nhật ký, không gọi CSDL)"
            ),
        )?;
        self.confirm_officer_otp().await?;
        let result = screen.check(self.tandan.as_ref()).await?;
        self.step("Kiểm tra", result.label_vi())?;
        let CheckResult::Verified(v) = result else {
            return Err(anyhow!(
                "the demo citizen was not verified: {}",
                result.label_vi()
            ));
        };
        let v = v.clone();
        self.report(&v)?;
        let verified = screen.accept()?;
        self.step("Cập nhật vào hồ sơ", "đã nhận dữ liệu từ CSDLQG về dân cư")?;
        let dossier = verified.save(self.store.as_ref()).await?;
        self.step("Lưu", format!("cấp mã {}", dossier.code))?;
        self.dossier(&dossier)?;
        Ok(())
    }

    async fn tandan_online(&mut self, p: &Person) -> anyhow::Result<()> {
        self.title("2. Tân Dân — Tiếp nhận trực tuyến (hồ sơ chỉ có năm sinh)")?;
        let owner = Owner::typed(
            OwnerType::Citizen,
            IdNumber::PersonalId(p.id),
            p.name.clone(),
        );
        let form = [
            ("ho_ten".to_owned(), p.name.to_string()),
            ("so_dinh_danh".to_owned(), p.id.to_string()),
            ("ngay_sinh".to_owned(), p.birth.year().to_string()),
        ]
        .into_iter()
        .collect();
        let submitted = dancu_tandan::submit_online(
            self.store.as_ref(),
            UNIT,
            "Hộ tịch (minh họa)",
            "2.000986".parse()?,
            owner,
            "Nộp trực tuyến trên Cổng dịch vụ công",
            form,
            self.today,
        )
        .await?;
        self.step(
            "Cổng DVC",
            format!(
                "công dân nộp hồ sơ {} (trạng thái {}, kênh 2)",
                submitted.code, submitted.status
            ),
        )?;
        let store = Arc::clone(&self.store);
        let desk = OnlineIntake::new(self.officer(), store.as_ref());
        self.step(
            "Đăng nhập tài khoản công vụ",
            format!("{OFFICER} · {UNIT} · Một cửa"),
        )?;
        let waiting = desk.waiting().await?;
        self.step(
            "Chờ tiếp nhận trực tuyến",
            format!("{} hồ sơ", waiting.len()),
        )?;
        let mut online = desk.open(&submitted.code).await?;
        self.step(
            "Xem thông tin đơn",
            format!("{:?}", online.application().keys().collect::<Vec<_>>()),
        )?;
        let mut check = online.population_check()?;
        self.step(
            "Hồ sơ cần kiểm tra CSDLDC",
            format!("năm sinh khai: {}", check.form.birth_date),
        )?;
        let result = check.check(self.tandan.as_ref(), self.today).await?;
        self.step("Kiểm tra", result.label_vi())?;
        if let CheckResult::Verified(v) = result {
            let v = v.clone();
            self.report(&v)?;
        }
        check.accept()?;
        let accepted = online.accept(self.today, 5, &self.calendar).await?;
        self.step("Tiếp nhận", "1 → 2, ngày hẹn trả tính theo ngày làm việc")?;
        self.dossier(&accepted)?;
        Ok(())
    }

    async fn vnpt_direct(&mut self, p: &Person) -> anyhow::Result<()> {
        self.title("3. VNPT iGate — Tiếp nhận trực tiếp (địa chỉ cũ ở Bắc Kạn)")?;
        let catalog = IgateCatalog::sample(UNIT);
        let officer = dancu_vnpt::Officer {
            account: OFFICER.into(),
            agency: UNIT.into(),
        };
        let step = Reception::new(officer, &catalog)
            .choose_sector("HT")?
            .choose_procedure("1.001776")?;
        let process_id = step
            .processes()
            .first()
            .map(|p| p.id.clone())
            .unwrap_or_default();
        let mut form = step.choose_process(&process_id)?.proceed();
        self.step(
            "Tiếp nhận → Lĩnh vực → Thủ tục → Quy trình → Tiếp tục",
            format!("1.001776 · {process_id}"),
        )?;
        form.ho_va_ten = p.name.to_string();
        form.cccd_cmnd = p.id.to_string();
        form.ngay_sinh = p.birth.to_string();
        self.step(
            "Thông tin người nộp",
            format!(
                "{} · {} · {}",
                form.ho_va_ten, form.cccd_cmnd, form.ngay_sinh
            ),
        )?;
        let applicant = match form
            .check_digital_identity(self.direct.as_ref(), self.today)
            .await?
        {
            IdentityOutcome::Filled(a) | IdentityOutcome::Mismatch(a) => a,
            IdentityOutcome::NotVerified(f) => {
                let label = f.result().map_or_else(String::new, CheckResult::label_vi);
                return Err(anyhow!("the demo citizen was not verified: {label}"));
            }
            _ => return Err(anyhow!("unexpected outcome")),
        };
        self.step(
            "Kiểm tra danh tính số",
            "đã lấy tự động họ tên, CCCD, ngày sinh, địa chỉ",
        )?;
        let v = applicant.verified().clone();
        self.report(&v)?;
        let a = applicant.address.clone();
        if let Some(l) = &a.legacy {
            writeln!(
                self.out,
                "      Địa chỉ cũ (3 cấp):  {} · {} · {}",
                l.province.name,
                l.district
                    .as_ref()
                    .map_or("(Quận/Huyện: không xác định)", |d| d.name.as_str()),
                l.ward
                    .as_ref()
                    .map_or("(Xã/Phường: không xác định)", |w| w.name.as_str())
            )?;
        }
        if let Some(c) = &a.current {
            writeln!(
                self.out,
                "      Địa chỉ mới (2 cấp): {} · {}{}",
                c.province.name,
                c.ward.name,
                if c.alternatives.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (hoặc: {})",
                        c.alternatives
                            .iter()
                            .map(|s| s.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            )?;
        }
        let completed = applicant.complete(Completion {
            is_owner_dossier: true,
            phone: "0987654321".into(),
            content: "Đề nghị giải quyết thủ tục minh họa".into(),
            ..Completion::default()
        })?;
        let saved = completed.save(self.store.as_ref(), &self.calendar).await?;
        self.step(
            "Lưu",
            format!(
                "mã {} · trạng thái iGate \"{}\" (cổng quốc gia: {})",
                saved.dossier.code,
                saved.igate_status.label_vi(),
                saved.igate_status.to_national()
            ),
        )?;
        let keys: Vec<String> = saved
            .eform
            .iter()
            .filter(|(k, _)| {
                k.contains("Cu]") || k.contains("tinhThanh]") || k.contains("phuongXa]")
            })
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        writeln!(self.out, "      e-form: {}", keys.join(" · "))?;
        self.dossier(&saved.dossier)?;
        Ok(())
    }

    async fn not_found(&mut self) -> anyhow::Result<()> {
        self.title(
            "4. Không tìm thấy sau khi kiểm tra lại → được yêu cầu giấy xác nhận cư trú (CT07)",
        )?;
        let catalog = Catalog::sample();
        let mut form = DirectIntake::new(self.officer(), &catalog)
            .choose_sector("HT")?
            .choose_procedure("1.001776")?
            .choose_case("TH1", self.today, &self.calendar)?;
        form.id_number = "006190000123".into();
        form.owner_name = "Hà Thị Không Có".into();
        form.phone = "0912000111".into();
        form.address = "Tổ 1, phường Đức Xuân, TP. Bắc Kạn".into();
        form.summary = "Đề nghị giải quyết thủ tục minh họa".into();
        let mut screen = form.validate()?.open_population_check()?;
        screen.form.birth_date = "15/08/1990".into();
        let first = screen.check(self.tandan.as_ref()).await?.label_vi();
        self.step("Kiểm tra", first)?;
        screen.form.name = "Hà Thị Không Có".into();
        screen.form.birth_date = "15/08/1990".into();
        let second = screen.check(self.tandan.as_ref()).await?.label_vi();
        self.step("Kiểm tra lại", second)?;
        let Some(fallback) = screen.paper_fallback() else {
            return Err(anyhow!("no paper fallback after two failed checks"));
        };
        self.step("Kết quả", fallback.fallback().explain_vi())?;
        let dossier = fallback.save(self.store.as_ref()).await?;
        self.step(
            "Lưu",
            format!("mã {} với lý do yêu cầu giấy tờ được ghi lại", dossier.code),
        )?;
        Ok(())
    }

    async fn otp(&mut self, p: &Person) -> anyhow::Result<()> {
        self.title("5. Công dân xác nhận mã OTP (kênh API JSON của tỉnh)")?;
        let catalog = Catalog::sample();
        let mut form = DirectIntake::new(self.officer(), &catalog)
            .choose_sector("HT")?
            .choose_procedure("1.001776")?
            .choose_case("TH1", self.today, &self.calendar)?;
        form.id_number = p.id.to_string();
        form.owner_name = p.name.to_string();
        form.phone = "0911222333".into();
        form.address = "(theo CSDLQG về dân cư)".into();
        form.summary = "Đề nghị giải quyết thủ tục minh họa".into();
        let mut screen = form.validate()?.open_population_check()?;
        screen.form.birth_date = p.birth.to_string();
        let first = screen.check(self.provincial.as_ref()).await?.label_vi();
        self.step("Kiểm tra", first)?;
        let code = p.otp.ok_or_else(|| anyhow!("no OTP"))?;
        self.step("Nhập mã OTP công dân nhận được", "******")?;
        let result = screen.submit_otp(self.provincial.as_ref(), code).await?;
        self.step("Xác nhận", result.label_vi())?;
        let dossier = screen.accept()?.save(self.store.as_ref()).await?;
        self.step("Lưu", format!("mã {}", dossier.code))?;
        Ok(())
    }

    async fn who_looked_up(&mut self, p: &Person) -> anyhow::Result<()> {
        self.title("Ai đã tra cứu thông tin của công dân này? (nhật ký, Luật 91/2025/QH15)")?;
        let key = LookupKey::PersonalId(p.id);
        let records = self.audit.query(&self.hasher.query(&key)).await?;
        writeln!(
            self.out,
            "  công dân {} — {} lần tra cứu:",
            key.masked(),
            records.len()
        )?;
        for r in records {
            let e = &r.entry;
            let outcome = r
                .completion
                .as_ref()
                .map_or("đang chờ (chưa hoàn tất)", |c| {
                    outcome_vi(&c.outcome)
                });
            writeln!(
                self.out,
                "    {} · cán bộ {} · đơn vị {} · thủ tục {} · hồ sơ {} · kênh {} · kết quả {}",
                e.started_at,
                e.officer,
                e.unit.as_deref().unwrap_or("—"),
                e.procedure,
                e.dossier.as_deref().unwrap_or("—"),
                e.channel,
                outcome
            )?;
        }
        if let Some(hint) = &self.audit_hint {
            writeln!(self.out, "  (hỏi lại từ dòng lệnh: {hint} {})", p.id)?;
        }
        let stored = self
            .store
            .list(UNIT, dancu_core::dossier::DossierStatus::Received)
            .await?;
        writeln!(
            self.out,
            "\n  {} hồ sơ đã tiếp nhận tại {UNIT} hôm nay.",
            stored.len()
        )?;
        Ok(())
    }
}
