//! Tân Dân — tiếp nhận trực tuyến (online intake).
//!
//! A citizen applies on the portal with only a year of birth; the officer
//! opens the dossier from "Chờ tiếp nhận trực tuyến", verifies the owner
//! against a sandbox of the population database ("Hồ sơ cần kiểm tra
//! CSDLDC"), and accepts it (status 1 → 2).
//!
//! ```text
//! cargo run --release --example tandan_online
//! ```

use std::sync::Arc;

use anyhow::anyhow;
use dancu_core::dossier::{InMemoryDossierStore, Owner, OwnerType, WorkingCalendar};
use dancu_core::registry::{AuditSink, PopulationRegistry};
use dancu_core::{CalendarDate, IdNumber, Precision};
use dancu_popdb::Secret;
use dancu_popdb::audit::{SqliteAuditSink, SubjectHasher};
use dancu_sandbox::{Sandbox, SandboxConfig};
use dancu_tandan::{Officer, OnlineIntake, Role, submit_online};

const UNIT: &str = "000.00.21.H06";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
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
        .find(|p| p.otp.is_none() && p.birth.precision() == Precision::Year)
        .ok_or_else(|| anyhow!("no citizen with a year-only birth date in the sandbox"))?;

    // The portal: the citizen applies; status 1, channel 2.
    let owner = Owner::typed(
        OwnerType::Citizen,
        IdNumber::PersonalId(citizen.id),
        citizen.name.clone(),
    );
    let application = [("ngay_sinh".to_owned(), citizen.birth.year().to_string())]
        .into_iter()
        .collect();
    let submitted = submit_online(
        &store,
        UNIT,
        "Hộ tịch (minh họa)",
        "2.000986".parse()?,
        owner,
        "Nộp trực tuyến trên Cổng dịch vụ công",
        application,
        today,
    )
    .await?;
    println!(
        "[Cổng dịch vụ công] hồ sơ {} · trạng thái {} · kênh {}",
        submitted.code,
        submitted.status.code(),
        submitted.channel.code()
    );

    // 1–2. Log in with the official account; open the waiting dossier.
    let officer = Officer::new("canbo.motcua01", UNIT, &[Role::OneStop]);
    let desk = OnlineIntake::new(officer, &store);
    let waiting = desk.waiting().await?;
    println!("[Chờ tiếp nhận trực tuyến] {} hồ sơ", waiting.len());
    let mut dossier = desk.open(&submitted.code).await?;

    // 3. View the application.
    println!("[Xem thông tin đơn] {:?}", dossier.application());

    // 4–5. "Hồ sơ cần kiểm tra CSDLDC": a year of birth is enough here.
    let mut check = dossier.population_check()?;
    println!(
        "[Hồ sơ cần kiểm tra CSDLDC] năm sinh: {}",
        check.form.birth_date
    );
    let result = check.check(registry.as_ref(), today).await?;
    println!("[Kiểm tra] {}", result.label_vi());
    check.accept()?;

    // 6. Accept: 1 → 2, intake date today, appointment from working days.
    let accepted = dossier.accept(today, 5, &calendar).await?;
    println!(
        "[Tiếp nhận] {} · trạng thái {} · tiếp nhận {} · hẹn trả {} · chủ hồ sơ {} (đã khóa: {})",
        accepted.code,
        accepted.status,
        accepted
            .intake_date
            .map_or(String::new(), |d| d.to_string()),
        accepted
            .appointment_date
            .map_or(String::new(), |d| d.to_string()),
        accepted.owner.name().value,
        accepted.owner.is_locked()
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
