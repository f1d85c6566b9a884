//! Shared helpers: scratch directories, dossiers built through the core API,
//! and a way to spawn this test binary as a child process.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use dancu_core::dossier::{
    Channel, Dossier, DossierAddress, DossierStatus, MatchReportSummary, Owner, OwnerType,
    PaperFallback, Submitter, Verification, WorkingCalendar,
};
use dancu_core::registry::{RecordAddress, RequestId};
use dancu_core::{BirthDate, CalendarDate, DossierCode, FullName, IdNumber};

/// The full ID number every sample owner carries.
pub(crate) const OWNER_ID: &str = "001089000001";

/// A directory under the system temp dir, removed on drop.
pub(crate) struct Scratch(PathBuf);

impl Scratch {
    pub(crate) fn new(label: &str) -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!(
            "dancu-dossier-sqlite-{label}-{}-{nanos}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    pub(crate) fn db(&self) -> PathBuf {
        self.0.join("dossiers.sqlite")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(crate) fn day(y: u32, m: u32, d: u32) -> CalendarDate {
    CalendarDate::new(y, m, d).unwrap()
}

/// A dossier with every part filled in, built through the core API. It is
/// a function of `code` and `status` only, so a test can rebuild the exact
/// dossier it expects to find.
pub(crate) fn full_dossier(code: &DossierCode, status: DossierStatus) -> Dossier {
    let id = IdNumber::parse_on(OWNER_ID, day(2026, 11, 27)).unwrap();
    let mut owner = Owner::typed(
        OwnerType::Citizen,
        id,
        FullName::parse("Nguyễn Thị Minh Khai").unwrap(),
    );
    owner
        .set_birth_date(BirthDate::from_parts(1989, 5, 19).unwrap())
        .unwrap();
    owner.set_phone("0912 345 678".parse().unwrap());
    owner.set_email("khai.nguyen@example.vn".parse().unwrap());
    owner.set_address(DossierAddress {
        text: "Thôn Nà Pài, Xã Phong Quang, Tỉnh Thái Nguyên".to_owned(),
        units: Some(RecordAddress::from_codes(
            "19",
            "",
            "05779",
            "Thôn Nà Pài",
            "VN",
        )),
    });
    let request_id: RequestId = format!("00000000-0000-4000-8000-{:012}", code.serial())
        .parse()
        .unwrap();
    let form = BTreeMap::from([
        ("ho_ten_cha".to_owned(), "Nguyễn Văn An".to_owned()),
        ("ho_ten_me".to_owned(), "Hoàng Thị Lụa".to_owned()),
        (
            "noi_sinh".to_owned(),
            "Bệnh viện Đa khoa Bắc Kạn".to_owned(),
        ),
    ]);
    Dossier {
        code: code.clone(),
        second_code: Some(
            format!("{}-{}", code.unit(), "261127-04321")
                .parse()
                .unwrap(),
        ),
        unit: code.unit().to_owned(),
        sector: "Hộ tịch".to_owned(),
        procedure: "1.001193.000.00.00.H06".parse().unwrap(),
        case: Some("Đăng ký khai sinh đúng hạn".to_owned()),
        status,
        channel: Channel::Direct,
        owner,
        submitter: Some(Submitter {
            name: FullName::parse("Trần Văn Bình").unwrap(),
            id: None,
            phone: Some("+84 987 654 321".parse().unwrap()),
            email: Some("binh.tran@example.vn".parse().unwrap()),
        }),
        summary: "Đăng ký khai sinh cho con thứ hai".to_owned(),
        intake_date: Some(code.date()),
        appointment_date: Some(
            WorkingCalendar::with_fixed_holidays([2026]).add_working_days(code.date(), 3),
        ),
        verification: Some(Verification {
            request_id,
            gateway: "lgsp".to_owned(),
            as_of: Some("2026-11-27T08:00:00Z".to_owned()),
            report: MatchReportSummary {
                id: "same".to_owned(),
                name: "identical".to_owned(),
                birth_date: "exact".to_owned(),
                gender: "agrees".to_owned(),
                all_agree: true,
            },
        }),
        paper_fallback: None,
        rejection_reason: None,
        form,
    }
}

/// A dossier that differs from [`full_dossier`] in many places, to check
/// that a save replaces the whole dossier.
pub(crate) fn revised(mut dossier: Dossier) -> Dossier {
    dossier.status = DossierStatus::NotReceived;
    dossier.channel = Channel::PublicPost;
    dossier.second_code = None;
    dossier.verification = None;
    dossier.paper_fallback = Some(PaperFallback::GatewayUnavailable {
        error: "unavailable".to_owned(),
    });
    dossier.rejection_reason = Some("Thiếu giấy tờ".to_owned());
    dossier.form.clear();
    dossier
}

/// Runs this test binary as a child running only `test` (its full path in
/// the binary), with `env` set so the test takes its child branch.
pub(crate) fn spawn_self(test: &str, env: (&str, &Path)) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(env.0, env.1)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// What a child process reported with `println!("{MARK}{tag} {value}")`.
/// libtest may print the test's name on the same line, before the mark.
pub(crate) fn reported<'a>(line: &'a str, tag: &str) -> Option<&'a str> {
    let start = line.find(MARK)? + MARK.len();
    line[start..].strip_prefix(tag)?.strip_prefix(' ')
}

/// Starts a child's report line.
pub(crate) const MARK: &str = "@@ ";
