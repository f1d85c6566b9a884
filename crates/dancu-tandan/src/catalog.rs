//! The unit's procedure catalogue: Lĩnh vực → Thủ tục → Trường hợp.

use dancu_core::intake::{IntakeError, Procedure, choose};

/// A case of a procedure (trường hợp).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
}

/// A procedure with its cases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcedureEntry {
    /// The procedure.
    pub procedure: Procedure,
    /// Its cases.
    pub cases: Vec<Case>,
}

/// A sector (lĩnh vực) and its procedures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sector {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Procedures.
    pub procedures: Vec<ProcedureEntry>,
}

impl Sector {
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

/// The catalogue a unit's one-stop software is configured with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalog {
    /// Sectors.
    pub sectors: Vec<Sector>,
}

impl Catalog {
    /// The sector with this code.
    ///
    /// # Errors
    ///
    /// [`IntakeError::UnknownChoice`].
    pub fn sector(&self, code: &str) -> Result<&Sector, IntakeError> {
        choose(&self.sectors, "sector", code, |s| s.code.as_str())
    }

    /// Finds a procedure by code in any sector.
    #[must_use]
    pub fn find_procedure(&self, code: &str) -> Option<(&Sector, &ProcedureEntry)> {
        self.sectors
            .iter()
            .find_map(|s| s.procedure(code).ok().map(|p| (s, p)))
    }
}

impl Catalog {
    /// An illustrative catalogue for examples, tests and the demo: two
    /// procedures identified by real-format codes, with made-up names and
    /// deadlines. A deployment loads its own from the one-stop software.
    #[must_use]
    pub fn sample() -> Self {
        let entry = |code: &str, name: &str, days: u32, fee: u64| ProcedureEntry {
            procedure: Procedure::illustrative(code, name, days, fee),
            cases: vec![
                Case {
                    code: "TH1".into(),
                    name: "Trường hợp thông thường".into(),
                },
                Case {
                    code: "TH2".into(),
                    name: "Trường hợp nộp thay (ủy quyền)".into(),
                },
            ],
        };
        Self {
            sectors: vec![Sector {
                code: "HT".into(),
                name: "Hộ tịch (minh họa)".into(),
                procedures: vec![
                    entry("1.001776", "Thủ tục minh họa 1.001776", 3, 0),
                    entry("2.000986", "Thủ tục minh họa 2.000986", 5, 30_000),
                ],
            }],
        }
    }
}
