//! Tân Dân — tiếp nhận trực tiếp (direct intake at the one-stop counter).
//!
//! Starts a sandbox of the population database on 127.0.0.1, picks a
//! synthetic citizen from it, and walks the officer's screens: choose the
//! procedure, fill the mandatory fields, "Kiểm tra CSDL Dân cư", accept the
//! verified fields, save.
//!
//! ```text
//! cargo run --release --example tandan_direct
//! ```

use std::sync::Arc;

use anyhow::anyhow;
use dancu_core::dossier::{InMemoryDossierStore, OwnerType, WorkingCalendar};
use dancu_core::intake::CheckResult;
use dancu_core::registry::{AuditSink, PopulationRegistry};
use dancu_core::{CalendarDate, Precision};
use dancu_popdb::Secret;
use dancu_popdb::audit::{SqliteAuditSink, SubjectHasher};
use dancu_sandbox::{Sandbox, SandboxConfig};
use dancu_tandan::{Catalog, DirectIntake, Officer, Role};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A sandbox of the population database, and the "c06" gateway to it,
    // audited into a SQLite file (subjects hashed with a fresh salt).
    let sandbox = Sandbox::start(SandboxConfig {
        citizens: 1_000,
        ..SandboxConfig::default()
    })
    .await?;
    let dir = tempfile::tempdir()?;
    let registry = audited_gateway(&sandbox, dir.path(), "c06")?;
    let store = InMemoryDossierStore::new();
    let today = CalendarDate::today_in_vietnam();
    let calendar = WorkingCalendar::with_fixed_holidays([today.year(), today.year() + 1]);

    let citizen = sandbox
        .population()
        .people()
        .iter()
        .find(|p| p.otp.is_none() && p.cmnd.is_none() && p.birth.precision() == Precision::Day)
        .ok_or_else(|| anyhow!("no suitable citizen in the sandbox"))?;

    // 1. Lĩnh vực → Thủ tục → Trường hợp
    let officer = Officer::new("canbo.motcua01", "000.00.21.H06", &[Role::OneStop]);
    let catalog = Catalog::sample();
    let mut form = DirectIntake::new(officer, &catalog)
        .choose_sector("HT")?
        .choose_procedure("1.001776")?
        .choose_case("TH1", today, &calendar)?;
    println!(
        "[Lĩnh vực → Thủ tục → Trường hợp] {} — hạn giải quyết {} ngày làm việc, hẹn trả {}",
        form.procedure().code,
        form.procedure().deadline_working_days,
        form.appointment_date
    );

    // 2. The mandatory fields (red *).
    form.owner_type = OwnerType::Citizen;
    form.id_number = citizen.id.to_string();
    form.owner_name = citizen.name.to_string();
    form.phone = "0912 345 678".into();
    form.address = "(sẽ lấy từ CSDLQG về dân cư)".into();
    form.summary = "Đề nghị giải quyết thủ tục".into();
    let draft = form.validate()?;
    println!(
        "[Thông tin chủ hồ sơ (*)] {} · {}",
        citizen.name,
        citizen.id.masked()
    );

    // 3–4. "Kiểm tra CSDL Dân cư": name and ID are pre-filled; enter the
    // full date of birth and press "Kiểm tra".
    let mut screen = draft.open_population_check()?;
    screen.form.birth_date = citizen.birth.to_string();
    let result = screen.check(registry.as_ref()).await?;
    println!("[Kiểm tra CSDL Dân cư] {}", result.label_vi());
    if let CheckResult::Verified(v) = result {
        let agreement = if v.report.all_agree() {
            "dữ liệu nhập khớp với CSDL"
        } else {
            "dữ liệu nhập chưa khớp hoàn toàn — cán bộ kiểm tra lại"
        };
        println!("    {agreement}");
    }

    // 5. Accept the verified fields: ID, name, birth date, owner type lock.
    let verified = screen.accept()?;
    let owner = verified.owner();
    println!(
        "[Cập nhật vào hồ sơ] {} · sinh {} · {} (đã khóa: {})",
        owner.name().value,
        owner
            .birth_date()
            .map_or(String::new(), |b| b.value.to_string()),
        owner.address().map_or("", |a| a.value.text.as_str()),
        owner.is_locked()
    );

    // 6. Save: the dossier code is issued, status 2, channel 1.
    let dossier = verified.save(&store).await?;
    println!(
        "[Lưu] mã hồ sơ {} · trạng thái {} · kênh {} · hẹn trả {}",
        dossier.code,
        dossier.status,
        dossier.channel.code(),
        dossier
            .appointment_date
            .map_or(String::new(), |d| d.to_string())
    );
    sandbox.shutdown().await?;
    Ok(())
}

/// The sandbox's gateway `name`, with every lookup written to an audit
/// trail in `dir` before it is sent.
fn audited_gateway(
    sandbox: &Sandbox,
    dir: &std::path::Path,
    name: &str,
) -> anyhow::Result<Arc<dyn PopulationRegistry>> {
    let audit: Arc<dyn AuditSink> = Arc::new(SqliteAuditSink::open(dir.join("audit.sqlite"))?);
    let salt = format!("example-{}", uuid::Uuid::new_v4().simple());
    let hasher = SubjectHasher::new(Secret::new(salt)).map_err(|e| anyhow!("{e}"))?;
    Ok(sandbox.registry(name, Some((audit, hasher)))?)
}
