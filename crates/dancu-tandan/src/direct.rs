//! Tiếp nhận trực tiếp: direct intake at the counter.
//!
//! | step | type |
//! |---|---|
//! | 1 choose Lĩnh vực → Thủ tục → Trường hợp | [`DirectIntake`] → [`SectorChosen`] → [`ProcedureChosen`] → [`DraftForm`] |
//! | 2 fill the mandatory fields (red *) | [`DraftForm::validate`] → [`Draft`] |
//! | 3 "Kiểm tra CSDL Dân cư" | [`Draft::open_population_check`] → [`CheckScreen`] |
//! | 4 enter name, CCCD/CMND, date of birth; "Kiểm tra" | [`CheckScreen::check`] |
//! | 5 the verified fields appear; accept them (or not) | [`CheckScreen::accept`] → [`VerifiedDraft`] |
//! | 6 update and save: code issued, status 2, channel 1 | [`VerifiedDraft::save`] |
//!
//! A citizen's dossier can only be saved from a [`VerifiedDraft`], or from
//! a [`Draft`] with the [`PaperFallback`] the check produced when the
//! database could not be used.

use std::collections::BTreeMap;
use std::fmt;

use dancu_core::dossier::{
    Channel, Dossier, DossierAddress, DossierStatus, DossierStore, Email, Owner, OwnerType,
    PaperFallback, PhoneNumber, WorkingCalendar,
};
use dancu_core::intake::{
    CheckForm, CheckResult, FieldError, IntakeError, PopulationCheck, Procedure, Verified, choose,
};
use dancu_core::registry::{Otp, PopulationRegistry};
use dancu_core::{CalendarDate, FullName, IdNumber, Masked, Redacted};

use crate::catalog::{Case, Catalog, Sector};
use crate::session::Officer;

/// Step 1: the intake screen, choosing the sector.
#[derive(Debug)]
pub struct DirectIntake<'c> {
    officer: Officer,
    catalog: &'c Catalog,
}

impl<'c> DirectIntake<'c> {
    /// Starts a direct intake by `officer` with the unit's catalogue.
    #[must_use]
    pub fn new(officer: Officer, catalog: &'c Catalog) -> Self {
        Self { officer, catalog }
    }

    /// Lĩnh vực.
    ///
    /// # Errors
    ///
    /// [`IntakeError::UnknownChoice`].
    pub fn choose_sector(self, code: &str) -> Result<SectorChosen<'c>, IntakeError> {
        let sector = self.catalog.sector(code)?;
        Ok(SectorChosen {
            officer: self.officer,
            sector,
        })
    }
}

/// Step 1, after the sector: choose the procedure.
#[derive(Debug)]
pub struct SectorChosen<'c> {
    officer: Officer,
    sector: &'c Sector,
}

impl<'c> SectorChosen<'c> {
    /// The procedures of the sector.
    #[must_use]
    pub fn procedures(&self) -> Vec<&'c Procedure> {
        self.sector
            .procedures
            .iter()
            .map(|p| &p.procedure)
            .collect()
    }

    /// Thủ tục.
    ///
    /// # Errors
    ///
    /// [`IntakeError::UnknownChoice`].
    pub fn choose_procedure(self, code: &str) -> Result<ProcedureChosen<'c>, IntakeError> {
        let entry = self.sector.procedure(code)?;
        Ok(ProcedureChosen {
            officer: self.officer,
            sector: self.sector,
            procedure: &entry.procedure,
            cases: &entry.cases,
        })
    }
}

/// Step 1, after the procedure: choose the case.
#[derive(Debug)]
pub struct ProcedureChosen<'c> {
    officer: Officer,
    sector: &'c Sector,
    procedure: &'c Procedure,
    cases: &'c [Case],
}

impl ProcedureChosen<'_> {
    /// The cases (trường hợp) of the procedure.
    #[must_use]
    pub fn cases(&self) -> &[Case] {
        self.cases
    }

    /// Trường hợp: opens the dossier form, with the intake date and the
    /// appointment date (from the procedure's deadline in working days)
    /// filled in.
    ///
    /// # Errors
    ///
    /// [`IntakeError::UnknownChoice`].
    pub fn choose_case(
        self,
        code: &str,
        today: CalendarDate,
        calendar: &WorkingCalendar,
    ) -> Result<DraftForm, IntakeError> {
        let case = choose(self.cases, "case", code, |c| c.code.as_str())?;
        Ok(DraftForm {
            officer: self.officer,
            sector: self.sector.name.clone(),
            procedure: self.procedure.clone(),
            case: case.name.clone(),
            owner_type: OwnerType::Citizen,
            id_number: String::new(),
            owner_name: String::new(),
            phone: String::new(),
            email: String::new(),
            address: String::new(),
            intake_date: today,
            appointment_date: calendar
                .add_working_days(today, self.procedure.deadline_working_days),
            summary: String::new(),
        })
    }
}

/// Step 2: the dossier form. Fields marked * are mandatory. `Debug` masks
/// the ID number and hides the other typed text.
#[derive(Clone)]
pub struct DraftForm {
    officer: Officer,
    sector: String,
    procedure: Procedure,
    case: String,
    /// Loại chủ hồ sơ *.
    pub owner_type: OwnerType,
    /// Số CCCD/CMND/Hộ chiếu (or mã số thuế for an enterprise) *.
    pub id_number: String,
    /// Tên chủ hồ sơ *.
    pub owner_name: String,
    /// Số điện thoại * (10–13 digits).
    pub phone: String,
    /// Email (optional, but checked).
    pub email: String,
    /// Địa chỉ *.
    pub address: String,
    /// Ngày tiếp nhận *.
    pub intake_date: CalendarDate,
    /// Ngày hẹn trả *.
    pub appointment_date: CalendarDate,
    /// Trích yếu *.
    pub summary: String,
}

impl fmt::Debug for DraftForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DraftForm")
            .field("officer", &self.officer)
            .field("sector", &self.sector)
            .field("procedure", &self.procedure.code)
            .field("case", &self.case)
            .field("owner_type", &self.owner_type)
            .field("id_number", &Masked::new(&self.id_number))
            .field("owner_name", &Redacted(&self.owner_name))
            .field("phone", &Masked::new(&self.phone))
            .field("email", &Redacted(&self.email))
            .field("address", &Redacted(&self.address))
            .field("intake_date", &self.intake_date)
            .field("appointment_date", &self.appointment_date)
            .field("summary", &Redacted(&self.summary))
            .finish()
    }
}

fn required(
    errors: &mut Vec<FieldError>,
    field: &'static str,
    label: &'static str,
    v: &str,
) -> bool {
    if v.trim().is_empty() {
        errors.push(FieldError {
            field,
            label_vi: label,
            message: "bắt buộc (required)".into(),
        });
        false
    } else {
        true
    }
}

fn invalid(
    errors: &mut Vec<FieldError>,
    field: &'static str,
    label: &'static str,
    e: impl ToString,
) {
    errors.push(FieldError {
        field,
        label_vi: label,
        message: e.to_string(),
    });
}

impl DraftForm {
    /// The procedure chosen (deadline, fee, components).
    #[must_use]
    pub fn procedure(&self) -> &Procedure {
        &self.procedure
    }

    /// Checks every mandatory field; each missing or invalid one is
    /// reported by name with its Vietnamese label.
    ///
    /// # Errors
    ///
    /// [`IntakeError::Fields`].
    pub fn validate(self) -> Result<Draft, IntakeError> {
        let mut errors = Vec::new();
        let on = self.intake_date;
        let mut id = None;
        if required(
            &mut errors,
            "id_number",
            "Số CCCD/CMND/Hộ chiếu/MST",
            &self.id_number,
        ) {
            match IdNumber::parse_on(&self.id_number, on) {
                Ok(n) => {
                    let fits = match self.owner_type {
                        OwnerType::Citizen => !matches!(n, IdNumber::TaxCode(_)),
                        OwnerType::Enterprise => matches!(n, IdNumber::TaxCode(_)),
                        _ => true,
                    };
                    if fits {
                        id = Some(n);
                    } else {
                        invalid(
                            &mut errors,
                            "id_number",
                            "Số CCCD/CMND/Hộ chiếu/MST",
                            format!(
                                "a {} does not identify an owner of type {}",
                                n.kind(),
                                self.owner_type.label_vi()
                            ),
                        );
                    }
                }
                Err(e) => invalid(&mut errors, "id_number", "Số CCCD/CMND/Hộ chiếu/MST", e),
            }
        }
        let mut name = None;
        if required(&mut errors, "owner_name", "Tên chủ hồ sơ", &self.owner_name) {
            match FullName::parse(&self.owner_name) {
                Ok(n) => name = Some(n),
                Err(e) => invalid(&mut errors, "owner_name", "Tên chủ hồ sơ", e),
            }
        }
        let mut phone = None;
        if required(&mut errors, "phone", "Số điện thoại", &self.phone) {
            match self.phone.parse::<PhoneNumber>() {
                Ok(p) => phone = Some(p),
                Err(e) => invalid(&mut errors, "phone", "Số điện thoại", e),
            }
        }
        let mut email = None;
        if !self.email.trim().is_empty() {
            match self.email.parse::<Email>() {
                Ok(e) => email = Some(e),
                Err(e) => invalid(&mut errors, "email", "Email", e),
            }
        }
        required(&mut errors, "address", "Địa chỉ", &self.address);
        required(&mut errors, "summary", "Trích yếu", &self.summary);
        if self.appointment_date < self.intake_date {
            invalid(
                &mut errors,
                "appointment_date",
                "Ngày hẹn trả",
                "before the intake date",
            );
        }
        match (id, name, phone) {
            (Some(id), Some(name), Some(phone)) if errors.is_empty() => {
                let mut owner = Owner::typed(self.owner_type, id, name);
                owner.set_phone(phone);
                if let Some(e) = email {
                    owner.set_email(e);
                }
                owner.set_address(DossierAddress {
                    text: self.address.trim().to_owned(),
                    units: None,
                });
                Ok(Draft {
                    officer: self.officer,
                    sector: self.sector,
                    procedure: self.procedure,
                    case: self.case,
                    owner,
                    intake_date: self.intake_date,
                    appointment_date: self.appointment_date,
                    summary: self.summary.trim().to_owned(),
                    check: None,
                })
            }
            _ => Err(IntakeError::Fields(errors)),
        }
    }
}

/// Step 2 done: a valid draft dossier. `Debug` shows the owner masked and
/// hides the summary.
#[derive(Clone)]
pub struct Draft {
    officer: Officer,
    sector: String,
    procedure: Procedure,
    case: String,
    owner: Owner,
    intake_date: CalendarDate,
    appointment_date: CalendarDate,
    summary: String,
    /// The population check, kept when the officer declines and reopens
    /// it: a successful lookup, or a first "not found", is not forgotten.
    check: Option<PopulationCheck>,
}

impl fmt::Debug for Draft {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Draft")
            .field("officer", &self.officer)
            .field("sector", &self.sector)
            .field("procedure", &self.procedure.code)
            .field("case", &self.case)
            .field("owner", &self.owner)
            .field("intake_date", &self.intake_date)
            .field("appointment_date", &self.appointment_date)
            .field("summary", &Redacted(&self.summary))
            .field("check", &self.check)
            .finish()
    }
}

impl Draft {
    /// The owner as typed.
    #[must_use]
    pub fn owner(&self) -> &Owner {
        &self.owner
    }

    /// Step 3, "Kiểm tra CSDL Dân cư": the lookup form, pre-filled from
    /// the draft (name and ID; the date of birth is entered on it).
    ///
    /// # Errors
    ///
    /// [`IntakeError::NotAllowed`] when the officer has neither the
    /// one-stop nor the population-lookup role.
    pub fn open_population_check(mut self) -> Result<CheckScreen, IntakeError> {
        if !self.officer.may_look_up() {
            return Err(IntakeError::NotAllowed("one-stop or population-lookup"));
        }
        let form = CheckForm {
            name: self.owner.name().value.to_string(),
            id_number: self.owner.id().value.to_string(),
            birth_date: String::new(),
        };
        let check = match self.check.take() {
            Some(check) => check,
            None => PopulationCheck::new(
                self.officer.account(),
                Some(self.officer.unit()),
                self.procedure.code.clone(),
            ),
        };
        Ok(CheckScreen {
            draft: self,
            form,
            check,
            last: None,
        })
    }

    /// Saves a dossier whose owner is not a citizen (an enterprise, an
    /// agency…): the population database does not apply.
    ///
    /// # Errors
    ///
    /// [`IntakeError::WrongState`] for a citizen owner, or a store error.
    pub async fn save_non_citizen(self, store: &dyn DossierStore) -> Result<Dossier, IntakeError> {
        if self.owner.owner_type().value.is_person() {
            return Err(IntakeError::WrongState(
                "a citizen's dossier is saved after the population check".into(),
            ));
        }
        save(self, store, None, None).await
    }
}

async fn save(
    draft: Draft,
    store: &dyn DossierStore,
    verified: Option<&Verified>,
    fallback: Option<PaperFallback>,
) -> Result<Dossier, IntakeError> {
    let unit = draft.officer.unit().to_owned();
    let code = store.issue_code(&unit, draft.intake_date).await?;
    let dossier = Dossier {
        code,
        second_code: None,
        unit,
        sector: draft.sector,
        procedure: draft.procedure.code,
        case: Some(draft.case),
        status: DossierStatus::Received,
        channel: Channel::Direct,
        owner: draft.owner,
        submitter: None,
        summary: draft.summary,
        intake_date: Some(draft.intake_date),
        appointment_date: Some(draft.appointment_date),
        verification: verified.map(Verified::to_verification),
        paper_fallback: fallback,
        rejection_reason: None,
        form: BTreeMap::new(),
    };
    store.save(&dossier).await?;
    Ok(dossier)
}

/// Steps 3–5: the "Kiểm tra CSDL Dân cư" screen.
#[derive(Debug)]
pub struct CheckScreen {
    draft: Draft,
    /// The lookup form (name and ID pre-filled; enter the date of birth).
    pub form: CheckForm,
    check: PopulationCheck,
    last: Option<CheckResult>,
}

impl CheckScreen {
    /// Step 4, "Kiểm tra": all three fields are required, with a full date
    /// of birth. The audit record is written (by the registry's audit
    /// decorator) before the gateway is called.
    ///
    /// # Errors
    ///
    /// [`IntakeError::Fields`] when the form is incomplete (no lookup made).
    pub async fn check(
        &mut self,
        registry: &dyn PopulationRegistry,
    ) -> Result<&CheckResult, IntakeError> {
        let query = self
            .form
            .to_query(self.draft.intake_date, true)
            .map_err(IntakeError::Fields)?;
        let result = self.check.run(registry, query).await;
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
        let result = self.check.submit_otp(registry, challenge, otp).await;
        Ok(self.last.insert(result))
    }

    /// The last result.
    #[must_use]
    pub fn result(&self) -> Option<&CheckResult> {
        self.last.as_ref()
    }

    /// Step 5: the officer accepts the verified fields into the dossier.
    /// ID, name, date of birth and owner type are locked from now on.
    ///
    /// # Errors
    ///
    /// [`IntakeError::WrongState`] when the last check did not verify the
    /// citizen; [`IntakeError::Owner`] when the record is for another ID.
    pub fn accept(self) -> Result<VerifiedDraft, IntakeError> {
        let Some(CheckResult::Verified(verified)) = self.last else {
            return Err(IntakeError::WrongState("nothing verified to accept".into()));
        };
        let mut draft = self.draft;
        draft
            .owner
            .accept_verification(&verified.record, verified.request_id)?;
        Ok(VerifiedDraft { draft, verified })
    }

    /// The officer does not take the verified data: back to the draft
    /// (which cannot be saved without a verification or a paper fallback).
    /// The draft keeps the check's history: reopening the check does not
    /// forget a successful lookup or a first "not found".
    #[must_use]
    pub fn decline(self) -> Draft {
        let mut draft = self.draft;
        draft.check = Some(self.check);
        draft
    }

    /// When the database could not be used — not found after a recheck, or
    /// the gateway unavailable within the deadline — the draft and the
    /// reason a paper residence proof (CT07) may now be requested. `None`
    /// otherwise, and always after a successful lookup.
    #[must_use]
    pub fn paper_fallback(self) -> Option<PaperFallbackDraft> {
        let fallback = self.check.paper_fallback()?;
        Some(PaperFallbackDraft {
            draft: self.draft,
            fallback,
        })
    }
}

/// A draft whose owner was verified against the population database.
#[derive(Debug)]
pub struct VerifiedDraft {
    draft: Draft,
    verified: Verified,
}

impl VerifiedDraft {
    /// The owner, with provenance per field.
    #[must_use]
    pub fn owner(&self) -> &Owner {
        &self.draft.owner
    }

    /// The verification.
    #[must_use]
    pub fn verified(&self) -> &Verified {
        &self.verified
    }

    /// Step 6: the officer may still edit phone, e-mail and address (an
    /// address from the database becomes "edited after verification").
    pub fn owner_mut(&mut self) -> &mut Owner {
        &mut self.draft.owner
    }

    /// Step 6: save — the dossier code is issued, status 2, channel 1.
    ///
    /// # Errors
    ///
    /// A store error; nothing is saved then.
    pub async fn save(self, store: &dyn DossierStore) -> Result<Dossier, IntakeError> {
        save(self.draft, store, Some(&self.verified), None).await
    }
}

/// A draft whose owner could not be looked up, with the reason a paper
/// residence proof (CT07) may be requested. Only a [`CheckScreen`] makes
/// one, and never after a successful lookup.
#[derive(Debug)]
pub struct PaperFallbackDraft {
    draft: Draft,
    fallback: PaperFallback,
}

impl PaperFallbackDraft {
    /// Why paper may be requested.
    #[must_use]
    pub fn fallback(&self) -> &PaperFallback {
        &self.fallback
    }

    /// Saves the dossier with the typed owner data and the reason.
    ///
    /// # Errors
    ///
    /// A store error; nothing is saved then.
    pub async fn save(self, store: &dyn DossierStore) -> Result<Dossier, IntakeError> {
        save(self.draft, store, None, Some(self.fallback)).await
    }
}
