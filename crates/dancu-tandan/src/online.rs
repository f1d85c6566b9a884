//! Tiếp nhận trực tuyến: online intake of a dossier the citizen submitted
//! on the portal.
//!
//! | step | call |
//! |---|---|
//! | 1 log in with the official account | [`Officer`] |
//! | 2 open the dossier from "Chờ tiếp nhận trực tuyến" (status 1, channel 2) | [`OnlineIntake::waiting`], [`OnlineIntake::open`] |
//! | 3 view the application (xem thông tin đơn) | [`OnlineDossier::application`] |
//! | 4 "Hồ sơ cần kiểm tra CSDLDC" | [`OnlineDossier::population_check`] |
//! | 5 verify (a year of birth only is common here) | [`OnlineCheck::check`], [`OnlineCheck::accept`] |
//! | 6 accept (1 → 2) or reject (1 → 3) | [`OnlineDossier::accept`], [`OnlineDossier::reject`] |

use std::collections::BTreeMap;

use dancu_core::dossier::{
    Channel, Dossier, DossierStatus, DossierStore, Owner, PaperFallback, StoreError,
    WorkingCalendar,
};
use dancu_core::intake::{CheckForm, CheckResult, IntakeError, PopulationCheck, Verified};
use dancu_core::registry::{Otp, PopulationRegistry};
use dancu_core::{CalendarDate, DossierCode, ProcedureCode};

use crate::session::Officer;

/// Submits a dossier online, as the national or provincial portal does
/// when a citizen applies: a code is issued, status 1, channel 2.
///
/// # Errors
///
/// A store error; nothing is saved then.
#[allow(clippy::too_many_arguments)]
pub async fn submit_online(
    store: &dyn DossierStore,
    unit: &str,
    sector: &str,
    procedure: ProcedureCode,
    owner: Owner,
    summary: &str,
    form: BTreeMap<String, String>,
    today: CalendarDate,
) -> Result<Dossier, IntakeError> {
    let code = store.issue_code(unit, today).await?;
    let dossier = Dossier {
        code,
        second_code: None,
        unit: unit.to_owned(),
        sector: sector.to_owned(),
        procedure,
        case: None,
        status: DossierStatus::NewlyRegistered,
        channel: Channel::Online,
        owner,
        submitter: None,
        summary: summary.to_owned(),
        intake_date: None,
        appointment_date: None,
        verification: None,
        paper_fallback: None,
        rejection_reason: None,
        form,
    };
    store.save(&dossier).await?;
    Ok(dossier)
}

/// The online-intake desk of a logged-in officer.
#[derive(Debug)]
pub struct OnlineIntake<'s> {
    officer: Officer,
    store: &'s dyn DossierStore,
}

impl<'s> OnlineIntake<'s> {
    /// Step 1: the officer's session.
    #[must_use]
    pub fn new(officer: Officer, store: &'s dyn DossierStore) -> Self {
        Self { officer, store }
    }

    /// "Chờ tiếp nhận trực tuyến": the unit's dossiers in status 1.
    ///
    /// # Errors
    ///
    /// A store error.
    pub async fn waiting(&self) -> Result<Vec<DossierCode>, IntakeError> {
        let list = self
            .store
            .list(self.officer.unit(), DossierStatus::NewlyRegistered)
            .await?;
        Ok(list
            .into_iter()
            .filter(|d| d.channel == Channel::Online)
            .map(|d| d.code)
            .collect())
    }

    /// Step 2: opens a dossier waiting for online intake.
    ///
    /// # Errors
    ///
    /// [`IntakeError::WrongState`] when it does not exist, belongs to
    /// another unit, or is not a status-1 online dossier.
    pub async fn open(&self, code: &DossierCode) -> Result<OnlineDossier<'s>, IntakeError> {
        let dossier = self
            .store
            .load(code)
            .await?
            .ok_or_else(|| IntakeError::WrongState(format!("no dossier {code}")))?;
        if dossier.unit != self.officer.unit() {
            return Err(IntakeError::WrongState(format!(
                "dossier {code} belongs to another unit"
            )));
        }
        if dossier.status != DossierStatus::NewlyRegistered || dossier.channel != Channel::Online {
            return Err(IntakeError::WrongState(format!(
                "dossier {code} is not waiting for online intake (status {}, channel {})",
                dossier.status.code(),
                dossier.channel.code()
            )));
        }
        Ok(OnlineDossier {
            officer: self.officer.clone(),
            store: self.store,
            dossier,
            verified: None,
            fallback: None,
            check: None,
        })
    }
}

/// An online dossier being received. Owner fields are read-only except
/// through an accepted verification.
#[derive(Debug)]
pub struct OnlineDossier<'s> {
    officer: Officer,
    store: &'s dyn DossierStore,
    dossier: Dossier,
    verified: Option<Verified>,
    fallback: Option<PaperFallback>,
    /// The population check of this dossier, kept across the check screens
    /// opened on it: a successful lookup, or a first "not found", is not
    /// forgotten by opening the screen again.
    check: Option<PopulationCheck>,
}

impl<'s> OnlineDossier<'s> {
    /// The dossier as it stands.
    #[must_use]
    pub fn dossier(&self) -> &Dossier {
        &self.dossier
    }

    /// Step 3: the application's e-form.
    #[must_use]
    pub fn application(&self) -> &BTreeMap<String, String> {
        &self.dossier.form
    }

    /// Step 4, "Hồ sơ cần kiểm tra CSDLDC": the lookup form pre-filled from
    /// the application (name, ID, and the date or year of birth declared).
    ///
    /// # Errors
    ///
    /// [`IntakeError::NotAllowed`] without the one-stop or
    /// population-lookup role: no gateway call is made.
    pub fn population_check(&mut self) -> Result<OnlineCheck<'_, 's>, IntakeError> {
        if !self.officer.may_look_up() {
            return Err(IntakeError::NotAllowed("one-stop or population-lookup"));
        }
        let owner = &self.dossier.owner;
        let birth = owner
            .birth_date()
            .map(|b| b.value.to_string())
            .or_else(|| self.dossier.form.get("ngay_sinh").cloned())
            .unwrap_or_default();
        let form = CheckForm {
            name: owner.name().value.to_string(),
            id_number: owner.id().value.to_string(),
            birth_date: birth,
        };
        if self.check.is_none() {
            self.check = Some(
                PopulationCheck::new(
                    self.officer.account(),
                    Some(self.officer.unit()),
                    self.dossier.procedure.clone(),
                )
                .for_dossier(self.dossier.code.clone()),
            );
        }
        Ok(OnlineCheck {
            dossier: self,
            form,
            last: None,
        })
    }

    /// Saves the decision only if the stored dossier is still waiting
    /// (status 1): the store checks and writes in one atomic step, so of
    /// two officers deciding the same dossier at once, exactly one wins and
    /// the other is told it was already decided.
    async fn save_decision(&self) -> Result<(), IntakeError> {
        let saved = self
            .store
            .replace_if_status(&self.dossier, DossierStatus::NewlyRegistered)
            .await;
        match saved {
            Ok(()) => Ok(()),
            Err(StoreError::StatusChanged {
                code,
                found: Some(found),
                ..
            }) => Err(IntakeError::WrongState(format!(
                "dossier {code} was already decided (status {})",
                found.code()
            ))),
            Err(StoreError::StatusChanged {
                code, found: None, ..
            }) => Err(IntakeError::WrongState(format!("no dossier {code}"))),
            Err(e) => Err(e.into()),
        }
    }

    /// Step 6: accepts the dossier (1 → 2): intake date today, appointment
    /// date from the procedure's deadline in working days. Needs an
    /// accepted verification, or the paper fallback the check produced.
    ///
    /// # Errors
    ///
    /// [`IntakeError::WrongState`] without either, or when the dossier was
    /// received or refused since it was opened; a store error.
    pub async fn accept(
        mut self,
        today: CalendarDate,
        deadline_working_days: u32,
        calendar: &WorkingCalendar,
    ) -> Result<Dossier, IntakeError> {
        if self.verified.is_none() && self.fallback.is_none() {
            return Err(IntakeError::WrongState(
                "verify the owner against the population database before accepting".into(),
            ));
        }
        self.dossier.status = self.dossier.status.transition(DossierStatus::Received)?;
        self.dossier.intake_date = Some(today);
        self.dossier.appointment_date =
            Some(calendar.add_working_days(today, deadline_working_days));
        self.dossier.verification = self.verified.as_ref().map(Verified::to_verification);
        self.dossier.paper_fallback = self.fallback.take();
        self.save_decision().await?;
        Ok(self.dossier)
    }

    /// Step 6: refuses the dossier (1 → 3) with a reason.
    ///
    /// # Errors
    ///
    /// [`IntakeError::Fields`] for an empty reason;
    /// [`IntakeError::WrongState`] when the dossier was received or refused
    /// since it was opened; a store error.
    pub async fn reject(mut self, reason: &str) -> Result<Dossier, IntakeError> {
        if reason.trim().is_empty() {
            return Err(IntakeError::Fields(vec![dancu_core::intake::FieldError {
                field: "rejection_reason",
                label_vi: "Lý do không tiếp nhận",
                message: "bắt buộc (required)".into(),
            }]));
        }
        self.dossier.status = self.dossier.status.transition(DossierStatus::NotReceived)?;
        self.dossier.rejection_reason = Some(reason.trim().to_owned());
        self.save_decision().await?;
        Ok(self.dossier)
    }
}

/// Step 5: verifying an online dossier's owner.
#[derive(Debug)]
pub struct OnlineCheck<'d, 's> {
    dossier: &'d mut OnlineDossier<'s>,
    /// The lookup form, pre-filled from the application.
    pub form: CheckForm,
    last: Option<CheckResult>,
}

impl OnlineCheck<'_, '_> {
    fn population_check(&mut self) -> &mut PopulationCheck {
        let d = &mut *self.dossier;
        let (officer, dossier) = (&d.officer, &d.dossier);
        d.check.get_or_insert_with(|| {
            PopulationCheck::new(
                officer.account(),
                Some(officer.unit()),
                dossier.procedure.clone(),
            )
            .for_dossier(dossier.code.clone())
        })
    }

    /// Runs the lookup; a year of birth alone is accepted here.
    ///
    /// # Errors
    ///
    /// [`IntakeError::Fields`] when the form is incomplete (no lookup made).
    pub async fn check(
        &mut self,
        registry: &dyn PopulationRegistry,
        today: CalendarDate,
    ) -> Result<&CheckResult, IntakeError> {
        let query = self
            .form
            .to_query(today, false)
            .map_err(IntakeError::Fields)?;
        let result = self.population_check().run(registry, query).await;
        Ok(self.last.insert(result))
    }

    /// Sends the one-time password the citizen received.
    ///
    /// # Errors
    ///
    /// [`IntakeError::WrongState`] when no password was asked for.
    pub async fn submit_otp(
        &mut self,
        registry: &dyn PopulationRegistry,
        otp: Otp,
    ) -> Result<&CheckResult, IntakeError> {
        let challenge = CheckResult::take_otp_challenge(&mut self.last)?;
        let result = self
            .population_check()
            .submit_otp(registry, challenge, otp)
            .await;
        Ok(self.last.insert(result))
    }

    /// The last result.
    #[must_use]
    pub fn result(&self) -> Option<&CheckResult> {
        self.last.as_ref()
    }

    /// Accepts the verified data: the dossier gets the personal ID number,
    /// name, date of birth and address from the database; they are locked.
    ///
    /// # Errors
    ///
    /// [`IntakeError::WrongState`] when nothing was verified;
    /// [`IntakeError::Owner`] when the record is for another ID.
    pub fn accept(self) -> Result<(), IntakeError> {
        let Some(CheckResult::Verified(verified)) = self.last else {
            return Err(IntakeError::WrongState("nothing verified to accept".into()));
        };
        self.dossier
            .dossier
            .owner
            .accept_verification(&verified.record, verified.request_id)?;
        self.dossier.verified = Some(verified);
        Ok(())
    }

    /// Records that the database could not be used (not found after a
    /// recheck, or unavailable), so the dossier may proceed on paper.
    /// Returns the reason, or `None` when paper may not be requested.
    pub fn use_paper_fallback(self) -> Option<PaperFallback> {
        let fallback = self.dossier.check.as_ref()?.paper_fallback()?;
        self.dossier.fallback = Some(fallback.clone());
        Some(fallback)
    }
}
