//! The iGate direct-intake wizard.
//!
//! | # | step | type |
//! |---|---|---|
//! | 1 | Tiếp nhận | [`Reception`] |
//! | 2 | Lĩnh vực | [`Reception::choose_sector`] → [`SectorStep`] |
//! | 3 | Thủ tục | [`SectorStep::choose_procedure`] → [`ProcedureStep`] |
//! | 4 | Quy trình | [`ProcedureStep::choose_process`] → [`ProcessStep`] |
//! | 5 | Tiếp tục | [`ProcessStep::proceed`] → [`ApplicantForm`] |
//! | 6 | "Thông tin người nộp" | the form's fields |
//! | 7 | "Kiểm tra danh tính số" | [`ApplicantForm::check_digital_identity`] → [`Applicant`] |
//! | 8 | complete and save | [`Applicant::complete`] → [`Completed::save`] |

use std::collections::BTreeMap;
use std::fmt;

use dancu_core::dossier::{
    Channel, Dossier, DossierAddress, DossierStore, Owner, OwnerType, PaperFallback, PhoneNumber,
    Submitter, WorkingCalendar, address_text,
};
use dancu_core::intake::{
    CheckForm, CheckResult, FieldError, IntakeError, PopulationCheck, Procedure, Verified, choose,
};
use dancu_core::registry::{Otp, PopulationRegistry};
use dancu_core::{CalendarDate, FullName, IdNumber, Masked, Redacted, RedactedForm};

use crate::address::{IgateAddress, both_eras};
use crate::catalog::{IgateCatalog, IgateSector, ProcedureEntry, ProcessDefinition};
use crate::status::IgateStatus;

/// The officer at the reception desk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Officer {
    /// Account (sent as `MaCanBo`).
    pub account: String,
    /// Agency code (the dossier codes' prefix, `MaDonVi`).
    pub agency: String,
}

/// Step 1, Tiếp nhận.
#[derive(Debug)]
pub struct Reception<'c> {
    officer: Officer,
    catalog: &'c IgateCatalog,
}

impl<'c> Reception<'c> {
    /// An empty intake.
    #[must_use]
    pub fn new(officer: Officer, catalog: &'c IgateCatalog) -> Self {
        Self { officer, catalog }
    }

    /// Step 2, Lĩnh vực.
    ///
    /// # Errors
    ///
    /// [`IntakeError::UnknownChoice`].
    pub fn choose_sector(self, code: &str) -> Result<SectorStep<'c>, IntakeError> {
        let sector = self.catalog.sector(code)?;
        Ok(SectorStep {
            officer: self.officer,
            sector,
        })
    }
}

/// After Lĩnh vực: the sector's procedures.
#[derive(Debug)]
pub struct SectorStep<'c> {
    officer: Officer,
    sector: &'c IgateSector,
}

impl<'c> SectorStep<'c> {
    /// The procedures of the sector.
    #[must_use]
    pub fn procedures(&self) -> Vec<&'c Procedure> {
        self.sector
            .procedures
            .iter()
            .map(|p| &p.procedure)
            .collect()
    }

    /// Step 3, Thủ tục.
    ///
    /// # Errors
    ///
    /// [`IntakeError::UnknownChoice`].
    pub fn choose_procedure(self, code: &str) -> Result<ProcedureStep<'c>, IntakeError> {
        let entry = self.sector.procedure(code)?;
        Ok(ProcedureStep {
            officer: self.officer,
            sector: self.sector,
            entry,
        })
    }
}

/// After Thủ tục: the process definitions applied to the officer's agency.
#[derive(Debug)]
pub struct ProcedureStep<'c> {
    officer: Officer,
    sector: &'c IgateSector,
    entry: &'c ProcedureEntry,
}

impl<'c> ProcedureStep<'c> {
    /// The process definitions this agency may use.
    #[must_use]
    pub fn processes(&self) -> Vec<&'c ProcessDefinition> {
        self.entry
            .processes
            .iter()
            .filter(|p| p.agencies.is_empty() || p.agencies.contains(&self.officer.agency))
            .collect()
    }

    /// Step 4, Quy trình.
    ///
    /// # Errors
    ///
    /// [`IntakeError::UnknownChoice`] when the process does not exist or is
    /// not applied to the officer's agency.
    pub fn choose_process(self, id: &str) -> Result<ProcessStep<'c>, IntakeError> {
        let process = *choose(&self.processes(), "process", id, |p| p.id.as_str())?;
        Ok(ProcessStep {
            officer: self.officer,
            sector: self.sector,
            procedure: &self.entry.procedure,
            process,
        })
    }
}

/// After Quy trình: deadline, applicant e-form and tasks are known.
#[derive(Debug)]
pub struct ProcessStep<'c> {
    officer: Officer,
    sector: &'c IgateSector,
    procedure: &'c Procedure,
    process: &'c ProcessDefinition,
}

impl<'c> ProcessStep<'c> {
    /// The chosen process definition.
    #[must_use]
    pub fn process(&self) -> &'c ProcessDefinition {
        self.process
    }

    /// Step 5, Tiếp tục: the applicant form.
    #[must_use]
    pub fn proceed(self) -> ApplicantForm<'c> {
        ApplicantForm {
            officer: self.officer,
            sector: self.sector,
            procedure: self.procedure,
            process: self.process,
            ho_va_ten: String::new(),
            cccd_cmnd: String::new(),
            ngay_sinh: String::new(),
            check: None,
            last: None,
        }
    }
}

/// Step 6, "Thông tin người nộp": the three fields to check.
pub struct ApplicantForm<'c> {
    officer: Officer,
    sector: &'c IgateSector,
    procedure: &'c Procedure,
    process: &'c ProcessDefinition,
    /// Họ và tên.
    pub ho_va_ten: String,
    /// CCCD/CMND.
    pub cccd_cmnd: String,
    /// Ngày sinh, dd/mm/yyyy.
    pub ngay_sinh: String,
    check: Option<PopulationCheck>,
    last: Option<CheckResult>,
}

impl fmt::Debug for ApplicantForm<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApplicantForm")
            .field("officer", &self.officer)
            .field("sector", &self.sector.code)
            .field("procedure", &self.procedure.code)
            .field("process", &self.process.id)
            .field("ho_va_ten", &Redacted(&self.ho_va_ten))
            .field("cccd_cmnd", &Masked::new(&self.cccd_cmnd))
            .field("ngay_sinh", &Redacted(&self.ngay_sinh))
            .field("check", &self.check)
            .field("last", &self.last)
            .finish()
    }
}

/// What "Kiểm tra danh tính số" came back with.
#[derive(Debug)]
#[non_exhaustive]
pub enum IdentityOutcome<'c> {
    /// Verified: the applicant's fields are filled.
    Filled(Applicant<'c>),
    /// Found, but what was typed does not fully agree with the record: the
    /// officer sees the differences and may still take the record's data.
    Mismatch(Applicant<'c>),
    /// Not verified (not found, one-time password needed, unavailable…):
    /// the form comes back with the result to show.
    NotVerified(ApplicantForm<'c>),
}

fn strict_dmy(s: &str) -> bool {
    let b = s.trim().as_bytes();
    b.len() == 10
        && b[2] == b'/'
        && b[5] == b'/'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 2 || i == 5 || c.is_ascii_digit())
}

impl<'c> ApplicantForm<'c> {
    /// The last check's result, if any.
    #[must_use]
    pub fn result(&self) -> Option<&CheckResult> {
        self.last.as_ref()
    }

    fn population_check(&mut self) -> &mut PopulationCheck {
        let (officer, procedure) = (&self.officer, self.procedure);
        self.check.get_or_insert_with(|| {
            PopulationCheck::new(
                &officer.account,
                Some(&officer.agency),
                procedure.code.clone(),
            )
        })
    }

    /// Step 7, "Kiểm tra danh tính số": looks the applicant up.
    ///
    /// # Errors
    ///
    /// [`IntakeError::Fields`] when a field is missing or the date is not
    /// dd/mm/yyyy (no lookup is made then).
    pub async fn check_digital_identity(
        mut self,
        registry: &dyn PopulationRegistry,
        today: CalendarDate,
    ) -> Result<IdentityOutcome<'c>, IntakeError> {
        if !strict_dmy(&self.ngay_sinh) {
            return Err(IntakeError::Fields(vec![FieldError {
                field: "ngay_sinh",
                label_vi: "Ngày sinh",
                message: "nhập theo dạng dd/mm/yyyy".into(),
            }]));
        }
        let form = CheckForm {
            name: self.ho_va_ten.clone(),
            id_number: self.cccd_cmnd.clone(),
            birth_date: self.ngay_sinh.clone(),
        };
        let query = form.to_query(today, true).map_err(IntakeError::Fields)?;
        let result = self.population_check().run(registry, query).await;
        Ok(self.settle(result, today))
    }

    /// Sends the citizen's one-time password.
    ///
    /// # Errors
    ///
    /// [`IntakeError::WrongState`] when no password was asked for.
    pub async fn submit_otp(
        mut self,
        registry: &dyn PopulationRegistry,
        otp: Otp,
        today: CalendarDate,
    ) -> Result<IdentityOutcome<'c>, IntakeError> {
        let challenge = CheckResult::take_otp_challenge(&mut self.last)?;
        let result = self
            .population_check()
            .submit_otp(registry, challenge, otp)
            .await;
        Ok(self.settle(result, today))
    }

    fn settle(mut self, result: CheckResult, today: CalendarDate) -> IdentityOutcome<'c> {
        match result {
            CheckResult::Verified(verified) => {
                let agree = verified.report.all_agree();
                let applicant = Applicant::fill(self, verified, today);
                if agree {
                    IdentityOutcome::Filled(applicant)
                } else {
                    IdentityOutcome::Mismatch(applicant)
                }
            }
            other => {
                self.last = Some(other);
                IdentityOutcome::NotVerified(self)
            }
        }
    }

    /// When the database could not be used (not found after a recheck, or
    /// unavailable within the deadline): why paper (CT07) may be requested.
    #[must_use]
    pub fn paper_fallback(&self) -> Option<PaperFallback> {
        self.check
            .as_ref()
            .and_then(PopulationCheck::paper_fallback)
    }

    /// Continues on paper when the database could not be used: the dossier
    /// is received with the data as typed and the reason recorded.
    /// `None` when paper may not be requested (never after a lookup
    /// succeeded).
    #[must_use]
    pub fn into_paper_fallback(self) -> Option<PaperApplicant<'c>> {
        let fallback = self.paper_fallback()?;
        Some(PaperApplicant {
            form: self,
            fallback,
        })
    }
}

/// An applicant who could not be looked up, to be received on paper.
#[derive(Debug)]
pub struct PaperApplicant<'c> {
    form: ApplicantForm<'c>,
    fallback: PaperFallback,
}

fn field_error(field: &'static str, label_vi: &'static str, e: impl ToString) -> FieldError {
    FieldError {
        field,
        label_vi,
        message: e.to_string(),
    }
}

impl PaperApplicant<'_> {
    /// Why paper may be requested.
    #[must_use]
    pub fn fallback(&self) -> &PaperFallback {
        &self.fallback
    }

    /// Saves the dossier with the data as typed (provenance: typed) and the
    /// paper-fallback reason.
    ///
    /// # Errors
    ///
    /// [`IntakeError::Fields`] for a typed field that does not parse or a
    /// bad phone; a store error.
    pub async fn save(
        self,
        store: &dyn DossierStore,
        calendar: &WorkingCalendar,
        today: CalendarDate,
        phone: &str,
        content: &str,
    ) -> Result<IgateDossier, IntakeError> {
        let f = &self.form;
        let mut errors = Vec::new();
        let id = IdNumber::parse_on(&f.cccd_cmnd, today)
            .map_err(|e| errors.push(field_error("cccd_cmnd", "CCCD/CMND", e)))
            .ok();
        let name = FullName::parse(&f.ho_va_ten)
            .map_err(|e| errors.push(field_error("ho_va_ten", "Họ và tên", e)))
            .ok();
        let phone = phone
            .parse::<PhoneNumber>()
            .map_err(|e| errors.push(field_error("phone", "Số điện thoại", e)))
            .ok();
        let (Some(id), Some(name), Some(phone), true) = (id, name, phone, errors.is_empty()) else {
            return Err(IntakeError::Fields(errors));
        };
        let mut owner = Owner::typed(OwnerType::Citizen, id, name);
        if let Ok(b) = f.ngay_sinh.parse() {
            owner.set_birth_date(b)?;
        }
        owner.set_phone(phone);
        let code = store.issue_code(&f.officer.agency, today).await?;
        let igate_status = IgateStatus::Received;
        let eform: BTreeMap<String, String> = [
            ("data[hoTen]", f.ho_va_ten.trim()),
            ("data[soGiayTo]", f.cccd_cmnd.trim()),
            ("data[ngaySinh]", f.ngay_sinh.trim()),
            ("data[noiDungYeuCau]", content.trim()),
            ("data[isOwnerDossier]", "true"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let dossier = Dossier {
            code,
            second_code: None,
            unit: f.officer.agency.clone(),
            sector: f.sector.name.clone(),
            procedure: f.procedure.code.clone(),
            case: Some(f.process.name.clone()),
            status: igate_status.to_national(),
            channel: Channel::Direct,
            owner,
            submitter: None,
            summary: content.trim().to_owned(),
            intake_date: Some(today),
            appointment_date: Some(f.process.appointment(today, calendar)),
            verification: None,
            paper_fallback: Some(self.fallback),
            rejection_reason: None,
            form: eform.clone(),
        };
        store.save(&dossier).await?;
        Ok(IgateDossier {
            dossier,
            igate_status,
            eform,
        })
    }
}

/// Step 7 done: the applicant's name, ID, date of birth and address are
/// filled from the population database.
#[derive(Debug)]
pub struct Applicant<'c> {
    officer: Officer,
    sector: &'c IgateSector,
    procedure: &'c Procedure,
    process: &'c ProcessDefinition,
    verified: Verified,
    /// The address in both schemes.
    pub address: IgateAddress,
    today: CalendarDate,
}

impl<'c> Applicant<'c> {
    fn fill(form: ApplicantForm<'c>, verified: Verified, today: CalendarDate) -> Self {
        let r = &verified.record;
        let address = r
            .current
            .as_ref()
            .or(r.permanent.as_ref())
            .map(both_eras)
            .unwrap_or_default();
        Self {
            officer: form.officer,
            sector: form.sector,
            procedure: form.procedure,
            process: form.process,
            verified,
            address,
            today,
        }
    }

    /// The verification (record, match report, request id).
    #[must_use]
    pub fn verified(&self) -> &Verified {
        &self.verified
    }

    /// Họ và tên, from the database.
    #[must_use]
    pub fn name(&self) -> &FullName {
        &self.verified.record.name
    }

    /// Step 8: who owns the dossier and how to reach them.
    ///
    /// # Errors
    ///
    /// [`IntakeError::Fields`] for a bad phone or e-mail, a missing request
    /// content, or a missing owner when the applicant is not the owner.
    pub fn complete(self, details: Completion) -> Result<Completed<'c>, IntakeError> {
        let mut errors = Vec::new();
        let phone = match details.phone.parse::<PhoneNumber>() {
            Ok(p) => Some(p),
            Err(e) => {
                errors.push(FieldError {
                    field: "phone",
                    label_vi: "Số điện thoại",
                    message: e.to_string(),
                });
                None
            }
        };
        let email = if details.email.trim().is_empty() {
            None
        } else {
            match details.email.parse() {
                Ok(e) => Some(e),
                Err(e) => {
                    errors.push(FieldError {
                        field: "email",
                        label_vi: "Email",
                        message: format!("{e}"),
                    });
                    None
                }
            }
        };
        if details.content.trim().is_empty() {
            errors.push(FieldError {
                field: "content",
                label_vi: "Nội dung yêu cầu",
                message: "bắt buộc (required)".into(),
            });
        }
        let record = &self.verified.record;
        let applicant_id = IdNumber::PersonalId(record.personal_id);
        let owner = if details.is_owner_dossier {
            let mut owner = Owner::typed(OwnerType::Citizen, applicant_id, record.name.clone());
            owner.accept_verification(record, self.verified.request_id)?;
            Some(owner)
        } else {
            match &details.owner {
                Some((owner_type, id, name)) => {
                    match (IdNumber::parse_on(id, self.today), FullName::parse(name)) {
                        (Ok(id), Ok(name)) => Some(Owner::typed(*owner_type, id, name)),
                        (id, name) => {
                            if let Err(e) = id {
                                errors.push(FieldError {
                                    field: "owner_id",
                                    label_vi: "Số giấy tờ chủ hồ sơ",
                                    message: e.to_string(),
                                });
                            }
                            if let Err(e) = name {
                                errors.push(FieldError {
                                    field: "owner_name",
                                    label_vi: "Tên chủ hồ sơ",
                                    message: e.to_string(),
                                });
                            }
                            None
                        }
                    }
                }
                None => {
                    errors.push(FieldError {
                        field: "owner",
                        label_vi: "Chủ hồ sơ",
                        message: "the applicant is not the owner: the owner is required".into(),
                    });
                    None
                }
            }
        };
        let (Some(mut owner), Some(phone), true) = (owner, phone, errors.is_empty()) else {
            return Err(IntakeError::Fields(errors));
        };
        let submitter = (!details.is_owner_dossier).then(|| Submitter {
            name: record.name.clone(),
            id: Some(applicant_id),
            phone: Some(phone.clone()),
            email: email.clone(),
        });
        if details.is_owner_dossier {
            owner.set_phone(phone);
            if let Some(e) = email {
                owner.set_email(e);
            }
            if let Some(detail) = details.address_detail.filter(|d| !d.trim().is_empty()) {
                let text = match owner.address() {
                    Some(a) => match &a.value.units {
                        Some(units) => {
                            let mut u = units.clone();
                            u.detail = Some(detail.trim().to_owned());
                            address_text(&u)
                        }
                        None => detail.trim().to_owned(),
                    },
                    None => detail.trim().to_owned(),
                };
                let units = owner.address().and_then(|a| a.value.units.clone());
                owner.set_address(DossierAddress { text, units });
            }
        }
        Ok(Completed {
            applicant: self,
            owner,
            submitter,
            content: details.content.trim().to_owned(),
            is_owner_dossier: details.is_owner_dossier,
        })
    }
}

/// Step 8's inputs. `Debug` masks the numbers and hides the other text.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Completion {
    /// `isOwnerDossier`: the applicant owns the dossier.
    pub is_owner_dossier: bool,
    /// When not: the owner's type, ID and name.
    pub owner: Option<(OwnerType, String, String)>,
    /// Số điện thoại.
    pub phone: String,
    /// Email.
    pub email: String,
    /// Nội dung yêu cầu.
    pub content: String,
    /// A corrected house number/street (the address detail stays editable).
    pub address_detail: Option<String>,
}

impl fmt::Debug for Completion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let owner = self
            .owner
            .as_ref()
            .map(|(t, id, name)| (t, Masked::new(id), Redacted(name)));
        f.debug_struct("Completion")
            .field("is_owner_dossier", &self.is_owner_dossier)
            .field("owner", &owner)
            .field("phone", &Masked::new(&self.phone))
            .field("email", &Redacted(&self.email))
            .field("content", &Redacted(&self.content))
            .field(
                "address_detail",
                &self.address_detail.as_deref().map(Redacted),
            )
            .finish()
    }
}

/// Ready to save.
pub struct Completed<'c> {
    applicant: Applicant<'c>,
    owner: Owner,
    submitter: Option<Submitter>,
    content: String,
    is_owner_dossier: bool,
}

impl fmt::Debug for Completed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Completed")
            .field("applicant", &self.applicant)
            .field("owner", &self.owner)
            .field("submitter", &self.submitter)
            .field("content", &Redacted(&self.content))
            .field("is_owner_dossier", &self.is_owner_dossier)
            .finish()
    }
}

/// A dossier as iGate holds it: the national dossier, iGate's own status,
/// and the applicant e-form. `Debug` hides the e-form's values.
#[derive(Clone, PartialEq, Eq)]
pub struct IgateDossier {
    /// The national-model dossier (its status is mapped from iGate's only
    /// at the national-portal boundary: [`IgateStatus::to_national`]).
    pub dossier: Dossier,
    /// iGate's status.
    pub igate_status: IgateStatus,
    /// The applicant e-form as iGate's `data[...]` keys.
    pub eform: BTreeMap<String, String>,
}

impl fmt::Debug for IgateDossier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IgateDossier")
            .field("dossier", &self.dossier)
            .field("igate_status", &self.igate_status)
            .field("eform", &RedactedForm(&self.eform))
            .finish()
    }
}

impl Completed<'_> {
    /// The applicant e-form, as iGate's `data[...]` keys.
    #[must_use]
    pub fn eform(&self) -> BTreeMap<String, String> {
        let r = &self.applicant.verified.record;
        let mut f = BTreeMap::new();
        let mut put = |k: &str, v: String| {
            f.insert(format!("data[{k}]"), v);
        };
        put("hoTen", r.name.to_string());
        put("soGiayTo", r.personal_id.to_string());
        if let Some(c) = r.cmnd {
            put("soCMND", c.to_string());
        }
        if let Some(b) = r.birth_date {
            put("ngaySinh", b.to_string());
        }
        if let Some(g) = r.gender_meaning() {
            put("gioiTinh", g.label_vi().to_owned());
        }
        let a = &self.applicant.address;
        if let Some(c) = &a.current {
            put("tinhThanh", c.province.name.clone());
            put("maTinhThanh", c.province.code.clone());
            put("phuongXa", c.ward.name.clone());
            put("maPhuongXa", c.ward.code.clone());
        }
        if let Some(l) = &a.legacy {
            put("tinhThanhCu", l.province.name.clone());
            put("maTinhThanhCu", l.province.code.clone());
            if let Some(d) = &l.district {
                put("quanHuyenCu", d.name.clone());
                put("maQuanHuyenCu", d.code.clone());
            }
            if let Some(w) = &l.ward {
                put("phuongXaCu", w.name.clone());
                put("maPhuongXaCu", w.code.clone());
            }
        }
        if let Some(d) = &a.detail {
            put("diaChiChiTiet", d.clone());
        }
        // The contact is the owner's, or the submitter's when the
        // applicant files for someone else.
        let phone = self.owner.phone().map(|p| p.value.to_string()).or_else(|| {
            self.submitter
                .as_ref()
                .and_then(|s| s.phone.as_ref().map(ToString::to_string))
        });
        if let Some(p) = phone {
            put("soDienThoai", p);
        }
        let email = self.owner.email().map(|e| e.value.to_string()).or_else(|| {
            self.submitter
                .as_ref()
                .and_then(|s| s.email.as_ref().map(ToString::to_string))
        });
        if let Some(e) = email {
            put("email", e);
        }
        put("noiDungYeuCau", self.content.clone());
        put("isOwnerDossier", self.is_owner_dossier.to_string());
        f
    }

    /// Saves: a national-format code is issued, iGate status "Đã tiếp
    /// nhận", national status 2, channel 1, the appointment date from the
    /// process's deadline.
    ///
    /// # Errors
    ///
    /// A store error; nothing is saved then.
    pub async fn save(
        self,
        store: &dyn DossierStore,
        calendar: &WorkingCalendar,
    ) -> Result<IgateDossier, IntakeError> {
        let eform = self.eform();
        let a = &self.applicant;
        let today = a.today;
        let code = store.issue_code(&a.officer.agency, today).await?;
        let igate_status = IgateStatus::Received;
        let dossier = Dossier {
            code,
            second_code: None,
            unit: a.officer.agency.clone(),
            sector: a.sector.name.clone(),
            procedure: a.procedure.code.clone(),
            case: Some(a.process.name.clone()),
            status: igate_status.to_national(),
            channel: Channel::Direct,
            owner: self.owner,
            submitter: self.submitter,
            summary: self.content,
            intake_date: Some(today),
            appointment_date: Some(a.process.appointment(today, calendar)),
            verification: Some(a.verified.to_verification()),
            paper_fallback: None,
            rejection_reason: None,
            form: eform.clone(),
        };
        store.save(&dossier).await?;
        Ok(IgateDossier {
            dossier,
            igate_status,
            eform,
        })
    }
}
