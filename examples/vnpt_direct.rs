//! VNPT iGate — tiếp nhận trực tiếp (the direct-intake wizard).
//!
//! Tiếp nhận → Lĩnh vực → Thủ tục → Quy trình → Tiếp tục → "Thông tin người
//! nộp" → "Kiểm tra danh tính số" → save, for a citizen whose record still
//! holds a legacy Bắc Kạn address: the form shows the current two-level
//! address (Thái Nguyên since 2025-07-01) beside the legacy three-level one.
//!
//! ```text
//! cargo run --release --example vnpt_direct
//! ```

use std::sync::Arc;

use anyhow::anyhow;
use dancu_core::dossier::{InMemoryDossierStore, WorkingCalendar};
use dancu_core::registry::{AuditSink, PopulationRegistry};
use dancu_core::{CalendarDate, Precision};
use dancu_popdb::Secret;
use dancu_popdb::audit::{SqliteAuditSink, SubjectHasher};
use dancu_sandbox::population::RecordVintage;
use dancu_sandbox::{Sandbox, SandboxConfig};
use dancu_vnpt::{Completion, IdentityOutcome, IgateCatalog, Officer, Reception};

const AGENCY: &str = "000.00.21.H06";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(SandboxConfig {
        citizens: 2_000,
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
        .find(|p| {
            p.otp.is_none()
                && p.birth.precision() == Precision::Day
                && p.vintage == RecordVintage::Legacy
                && p.home.province().code().to_string() == "06"
        })
        .ok_or_else(|| anyhow!("no legacy Bắc Kạn citizen in the sandbox"))?;

    // 1–5. Tiếp nhận → Lĩnh vực → Thủ tục → Quy trình → Tiếp tục
    let catalog = IgateCatalog::sample(AGENCY);
    let officer = Officer {
        account: "canbo.motcua01".into(),
        agency: AGENCY.into(),
    };
    let procedure = Reception::new(officer, &catalog)
        .choose_sector("HT")?
        .choose_procedure("1.001776")?;
    let offered: Vec<&str> = procedure
        .processes()
        .iter()
        .map(|p| p.id.as_str())
        .collect();
    println!("[Quy trình] áp dụng cho đơn vị: {offered:?}");
    let mut form = procedure.choose_process("QT-1.001776-3N")?.proceed();

    // 6. "Thông tin người nộp": Họ và tên, CCCD/CMND, Ngày sinh (dd/mm/yyyy).
    form.ho_va_ten = citizen.name.to_string();
    form.cccd_cmnd = citizen.id.to_string();
    form.ngay_sinh = citizen.birth.to_string();
    println!(
        "[Thông tin người nộp] {} · {} · {}",
        form.ho_va_ten,
        citizen.id.masked(),
        form.ngay_sinh
    );

    // 7. "Kiểm tra danh tính số".
    let applicant = match form
        .check_digital_identity(registry.as_ref(), today)
        .await?
    {
        IdentityOutcome::Filled(a) => a,
        IdentityOutcome::Mismatch(a) => {
            println!("    (dữ liệu nhập chưa khớp hoàn toàn — cán bộ kiểm tra lại)");
            a
        }
        IdentityOutcome::NotVerified(f) => {
            let why = f.result().map_or(String::new(), |r| r.label_vi());
            return Err(anyhow!("not verified: {why}"));
        }
        _ => return Err(anyhow!("unexpected outcome")),
    };
    println!(
        "[Kiểm tra danh tính số] đã điền tự động: {}",
        applicant.name()
    );
    let address = &applicant.address;
    if let Some(c) = &address.current {
        println!(
            "    Địa chỉ hiện hành (2 cấp): {} · {}",
            c.province.name, c.ward.name
        );
    }
    if let Some(l) = &address.legacy {
        let unknown = "(không xác định)";
        println!(
            "    Địa chỉ cũ (3 cấp):        {} · {} · {}",
            l.province.name,
            l.district.as_ref().map_or(unknown, |d| d.name.as_str()),
            l.ward.as_ref().map_or(unknown, |w| w.name.as_str())
        );
    }

    // 8. Complete (the applicant owns the dossier) and save.
    let saved = applicant
        .complete(Completion {
            is_owner_dossier: true,
            phone: "0987654321".into(),
            content: "Đề nghị giải quyết thủ tục".into(),
            ..Completion::default()
        })?
        .save(&store, &calendar)
        .await?;
    println!(
        "[Lưu] mã hồ sơ {} · trạng thái iGate \"{}\" → cổng quốc gia {} · hẹn trả {}",
        saved.dossier.code,
        saved.igate_status.label_vi(),
        saved.igate_status.to_national().code(),
        saved
            .dossier
            .appointment_date
            .map_or(String::new(), |d| d.to_string())
    );
    for key in [
        "data[tinhThanh]",
        "data[phuongXa]",
        "data[tinhThanhCu]",
        "data[quanHuyenCu]",
        "data[phuongXaCu]",
    ] {
        if let Some(v) = saved.eform.get(key) {
            println!("    {key} = {v}");
        }
    }
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
