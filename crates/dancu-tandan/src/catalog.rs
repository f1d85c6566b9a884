//! The unit's procedure catalogue: Lĩnh vực → Thủ tục → Trường hợp.

use dancu_core::intake::{IntakeError, Procedure};

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
        self.procedures
            .iter()
            .find(|p| p.procedure.code.as_str() == code.trim())
            .ok_or_else(|| IntakeError::UnknownChoice {
                what: "procedure",
                code: code.to_owned(),
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
        self.sectors
            .iter()
            .find(|s| s.code == code.trim())
            .ok_or_else(|| IntakeError::UnknownChoice {
                what: "sector",
                code: code.to_owned(),
            })
    }

    /// Finds a procedure by code in any sector.
    #[must_use]
    pub fn find_procedure(&self, code: &str) -> Option<(&Sector, &ProcedureEntry)> {
        self.sectors
            .iter()
            .find_map(|s| s.procedure(code).ok().map(|p| (s, p)))
    }
}
