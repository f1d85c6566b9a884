//! The officer's session (tài khoản công vụ): account, unit and roles.

/// What an officer's account may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Role {
    /// Bộ phận Một cửa: receives dossiers and may look citizens up.
    OneStop,
    /// Khai thác CSDL dân cư: may look citizens up.
    PopulationLookup,
    /// Processes dossiers after intake.
    Processing,
}

/// A logged-in officer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Officer {
    account: String,
    unit: String,
    roles: Vec<Role>,
}

impl Officer {
    /// An officer of `unit` with `roles`.
    #[must_use]
    pub fn new(account: &str, unit: &str, roles: &[Role]) -> Self {
        Self {
            account: account.trim().to_owned(),
            unit: unit.trim().to_owned(),
            roles: roles.to_vec(),
        }
    }

    /// The account (sent as `MaCanBo`).
    #[must_use]
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The unit code (sent as `MaDonVi`; the dossier codes' prefix).
    #[must_use]
    pub fn unit(&self) -> &str {
        &self.unit
    }

    /// Whether the officer may look citizens up in the population database.
    #[must_use]
    pub fn may_look_up(&self) -> bool {
        self.roles
            .iter()
            .any(|r| matches!(r, Role::OneStop | Role::PopulationLookup))
    }
}
