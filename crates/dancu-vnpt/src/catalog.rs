//! iGate's catalogue: sectors, procedures, and the process definitions
//! (quy trình) each agency applies.

use dancu_core::CalendarDate;
use dancu_core::dossier::WorkingCalendar;
use dancu_core::intake::{IntakeError, Procedure, choose};

/// How a processing time is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeUnit {
    /// Working days.
    WorkingDays,
    /// Working hours (8 per working day).
    WorkingHours,
}

/// A process definition (quy trình): deadline, e-form and tasks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessDefinition {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Processing time.
    pub processing_time: u32,
    /// Its unit.
    pub time_unit: TimeUnit,
    /// The applicant e-form's fields (`data[...]` keys without the wrapper).
    pub eform_fields: Vec<String>,
    /// The tasks (bước xử lý) after intake.
    pub tasks: Vec<String>,
    /// Agencies the definition is applied to (empty: every agency).
    pub agencies: Vec<String>,
}

impl ProcessDefinition {
    /// The appointment date of a dossier received on `today`.
    #[must_use]
    pub fn appointment(&self, today: CalendarDate, calendar: &WorkingCalendar) -> CalendarDate {
        let days = match self.time_unit {
            TimeUnit::WorkingDays => self.processing_time,
            TimeUnit::WorkingHours => self.processing_time.div_ceil(8),
        };
        calendar.add_working_days(today, days)
    }
}

/// A procedure with its process definitions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcedureEntry {
    /// The procedure.
    pub procedure: Procedure,
    /// Its process definitions.
    pub processes: Vec<ProcessDefinition>,
}

/// A sector (lĩnh vực).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgateSector {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Procedures.
    pub procedures: Vec<ProcedureEntry>,
}

impl IgateSector {
    /// The procedure with this code.
    ///
    /// # Errors
    ///
    /// [`IntakeError::UnknownChoice`].
    pub fn procedure(&self, code: &str) -> Result<&ProcedureEntry, IntakeError> {
        choose(&self.procedures, "procedure", code, |p| {
            p.procedure.code.as_str()
        })
    }
}

/// The catalogue.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IgateCatalog {
    /// Sectors.
    pub sectors: Vec<IgateSector>,
}

impl IgateCatalog {
    /// The sector with this code.
    ///
    /// # Errors
    ///
    /// [`IntakeError::UnknownChoice`].
    pub fn sector(&self, code: &str) -> Result<&IgateSector, IntakeError> {
        choose(&self.sectors, "sector", code, |s| s.code.as_str())
    }
}

impl IgateCatalog {
    /// An illustrative catalogue for examples, tests and the demo: two
    /// procedures identified by real-format codes, with made-up names and
    /// deadlines. A deployment loads its own from iGate.
    #[must_use]
    pub fn sample(agency: &str) -> Self {
        let process = |id: &str, days: u32| ProcessDefinition {
            id: id.to_owned(),
            name: format!("Quy trình {days} ngày làm việc"),
            processing_time: days,
            time_unit: TimeUnit::WorkingDays,
            eform_fields: vec!["hoTen".into(), "soGiayTo".into(), "ngaySinh".into()],
            tasks: vec!["Tiếp nhận".into(), "Xử lý".into(), "Trả kết quả".into()],
            agencies: vec![agency.to_owned()],
        };
        Self {
            sectors: vec![IgateSector {
                code: "HT".into(),
                name: "Hộ tịch (minh họa)".into(),
                procedures: vec![
                    ProcedureEntry {
                        procedure: Procedure::illustrative(
                            "1.001776",
                            "Thủ tục minh họa 1.001776",
                            3,
                            0,
                        ),
                        processes: vec![process("QT-1.001776-3N", 3)],
                    },
                    ProcedureEntry {
                        procedure: Procedure::illustrative(
                            "2.000986",
                            "Thủ tục minh họa 2.000986",
                            5,
                            30_000,
                        ),
                        processes: vec![process("QT-2.000986-5N", 5)],
                    },
                ],
            }],
        }
    }
}
