//! Citizens, registries (counting, unavailable) and officers for the tests.

use dancu_core::dossier::WorkingCalendar;
use dancu_core::registry::{CitizenRecord, RecordAddress};
use dancu_core::{CalendarDate, PersonalId};
use dancu_popdb::InMemoryRegistry;
use dancu_tandan::{Officer, Role};

pub(crate) const UNIT: &str = "000.00.21.H06";

/// Friday 27/11/2026: three working days later is Wednesday 02/12/2026.
pub(crate) fn today() -> CalendarDate {
    CalendarDate::new(2026, 11, 27).unwrap()
}

pub(crate) fn date(y: u32, m: u32, d: u32) -> CalendarDate {
    CalendarDate::new(y, m, d).unwrap()
}

pub(crate) fn calendar() -> WorkingCalendar {
    WorkingCalendar::with_fixed_holidays([2026, 2027])
}

pub(crate) fn one_stop() -> Officer {
    Officer::new("canbo.motcua01", UNIT, &[Role::OneStop])
}

/// Nguyễn Văn An, born 12/05/1989, living in legacy Bắc Kạn (06/058/01849).
pub(crate) const AN_ID: &str = "006089000001";
/// Hoàng Thị Lan, born in 1975 (year only), 2025 address in Thái Nguyên.
pub(crate) const LAN_ID: &str = "019175000002";
/// Lý Văn Sơn, born 02/09/1992, must confirm a one-time password.
pub(crate) const SON_ID: &str = "006092000003";
pub(crate) const SON_OTP: &str = "246810";
/// Nobody has this number.
pub(crate) const NOBODY_ID: &str = "006190000123";

fn record(id: &str, name: &str, gender: &str, birth: &str) -> CitizenRecord {
    let mut r = CitizenRecord::new(
        PersonalId::parse_on(id, today()).unwrap(),
        name.parse().unwrap(),
        gender.parse().unwrap(),
        birth.parse().unwrap(),
    );
    r.as_of = Some("2026-11-01T08:00:00".into());
    r
}

pub(crate) fn an() -> CitizenRecord {
    let mut r = record(AN_ID, "Nguyễn Văn An", "1", "12/05/1989");
    r.current = Some(RecordAddress::from_codes(
        "06",
        "058",
        "01849",
        "Thôn Nà Pài",
        "VN",
    ));
    r
}

pub(crate) fn lan() -> CitizenRecord {
    let mut r = record(LAN_ID, "Hoàng Thị Lan", "2", "1975");
    r.current = Some(RecordAddress::from_codes("19", "", "01849", "Tổ 3", "VN"));
    r
}

pub(crate) fn son() -> CitizenRecord {
    record(SON_ID, "Lý Văn Sơn", "1", "02/09/1992")
}

pub(crate) fn population() -> InMemoryRegistry {
    let r = InMemoryRegistry::new("memory");
    r.insert(an());
    r.insert(lan());
    r.insert_with_otp(son(), SON_OTP.parse().unwrap());
    r
}

pub(crate) use dancu_popdb::suite::{CountingRegistry as Counting, FailingRegistry};
