//! The officer's session (tài khoản công vụ): account, unit, roles, and the
//! phone the one-time code of [`crate::otp`] is sent to.

use dancu_core::dossier::PhoneNumber;

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
    phone: Option<PhoneNumber>,
}

impl Officer {
    /// An officer of `unit` with `roles`.
    #[must_use]
    pub fn new(account: &str, unit: &str, roles: &[Role]) -> Self {
        Self {
            account: account.trim().to_owned(),
            unit: unit.trim().to_owned(),
            roles: roles.to_vec(),
            phone: None,
        }
    }

    /// The officer's phone, where the account's one-time code is sent.
    #[must_use]
    pub fn with_phone(mut self, phone: PhoneNumber) -> Self {
        self.phone = Some(phone);
        self
    }

    /// The officer's phone, if the account has one.
    #[must_use]
    pub const fn phone(&self) -> Option<&PhoneNumber> {
        self.phone.as_ref()
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
