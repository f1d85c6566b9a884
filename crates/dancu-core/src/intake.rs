//! The population check every intake flow shares: the lookup form, the
//! lookup through any [`PopulationRegistry`], its outcomes (verified,
//! one-time password, not found, unavailable), and the one legal way to
//! paper: a CT07 residence proof may be requested only when the database
//! could not be used.

use std::time::Duration;

use crate::dossier::{MatchReportSummary, PaperFallback, Verification};
use crate::registry::{
    CitizenRecord, IdentityQuery, LookupOutcome, MatchReport, Otp, PopulationRegistry,
    RegistryError, RequestContext, RequestId,
};
use crate::{BirthDate, CalendarDate, FullName, IdKind, IdNumber, Masked, ProcedureCode, Redacted};

/// A field the officer must correct, named as on screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field's key (`owner_name`, `id_number`, …).
    pub field: &'static str,
    /// The field's Vietnamese label ("Họ và tên").
    pub label_vi: &'static str,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.label_vi, self.field, self.message)
    }
}

/// The lookup form: name, CCCD/CMND and date of birth as typed. `Debug`
/// shows the number masked and only the lengths of the name and date.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct CheckForm {
    /// Họ và tên.
    pub name: String,
    /// Số CCCD/CMND.
    pub id_number: String,
    /// Ngày sinh (a full date, or a year where only the year is known).
    pub birth_date: String,
}

impl std::fmt::Debug for CheckForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckForm")
            .field("name", &Redacted(&self.name))
            .field("id_number", &Masked::new(&self.id_number))
            .field("birth_date", &Redacted(&self.birth_date))
            .finish()
    }
}

impl CheckForm {
    /// Parses the form into a query; every invalid field is reported.
    /// `full_date_required` is the direct-intake rule (a full date of
    /// birth); online dossiers often carry only the year.
    ///
    /// # Errors
    ///
    /// The list of fields to correct.
    pub fn to_query(
        &self,
        on: CalendarDate,
        full_date_required: bool,
    ) -> Result<IdentityQuery, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = FullName::parse(&self.name)
            .map_err(|e| errors.push(field_error("name", "Họ và tên", e)))
            .ok();
        let id = IdNumber::parse_on(&self.id_number, on)
            .map_err(|e| errors.push(field_error("id_number", "Số CCCD/CMND", e)))
            .ok();
        let birth = self
            .birth_date
            .parse::<BirthDate>()
            .map_err(|e| errors.push(field_error("birth_date", "Ngày sinh", e)))
            .ok();
        if let Some(b) = birth {
            if full_date_required && b.precision() != crate::Precision::Day {
                errors.push(field_error(
                    "birth_date",
                    "Ngày sinh",
                    "a full date of birth (dd/mm/yyyy) is required here",
                ));
            } else if b.is_after(on) {
                errors.push(field_error(
                    "birth_date",
                    "Ngày sinh",
                    "the date of birth is in the future",
                ));
            }
        }
        if let Some(id) = &id
            && !matches!(id.kind(), IdKind::PersonalId | IdKind::Cmnd)
        {
            errors.push(field_error(
                "id_number",
                "Số CCCD/CMND",
                format!(
                    "a {} cannot be looked up in the population database",
                    id.kind()
                ),
            ));
        }
        match (name, id, birth) {
            (Some(n), Some(i), Some(b)) if errors.is_empty() => IdentityQuery::new(i, n, b)
                .map_err(|e| vec![field_error("id_number", "Số CCCD/CMND", e)]),
            _ => Err(errors),
        }
    }
}

fn field_error(field: &'static str, label_vi: &'static str, e: impl ToString) -> FieldError {
    FieldError {
        field,
        label_vi,
        message: e.to_string(),
    }
}

/// A verified citizen: the record, how the typed data agreed, and the
/// lookup's provenance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The record.
    pub record: Box<CitizenRecord>,
    /// Field-by-field agreement of what was typed with the record.
    pub report: MatchReport,
    /// The lookup's request id.
    pub request_id: RequestId,
    /// The gateway's name.
    pub gateway: String,
    /// Attempts made.
    pub attempts: u32,
}

impl Verified {
    /// What the dossier keeps of this verification.
    #[must_use]
    pub fn to_verification(&self) -> Verification {
        Verification {
            request_id: self.request_id,
            gateway: self.gateway.clone(),
            as_of: self.record.as_of.clone(),
            report: MatchReportSummary::from(&self.report),
        }
    }
}

/// A lookup waiting for the citizen's one-time password.
#[derive(Clone, Debug)]
pub struct OtpChallenge {
    query: IdentityQuery,
    context: RequestContext,
}

/// What a population check came back with.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum CheckResult {
    /// The citizen was found.
    Verified(Verified),
    /// The citizen must confirm a one-time password.
    OtpRequired(OtpChallenge),
    /// The one-time password was wrong; the citizen may try again.
    OtpRejected(OtpChallenge),
    /// No citizen matches what was typed.
    NotFound {
        /// How many lookups have not found the citizen in this check.
        times: u32,
    },
    /// The request was refused, or the problem is on our side (credentials,
    /// configuration, the audit trail): fix it; paper is not an option.
    Rejected(RegistryError),
    /// The gateway could not be used within the deadline.
    Unavailable(RegistryError),
}

impl CheckResult {
    /// Takes the one-time-password challenge out of a screen's last result
    /// (the password is then sent with [`PopulationCheck::submit_otp`]).
    ///
    /// # Errors
    ///
    /// [`IntakeError::WrongState`] when the last result did not ask for a
    /// password; `last` is left as it was.
    pub fn take_otp_challenge(last: &mut Option<Self>) -> Result<OtpChallenge, IntakeError> {
        match last.take() {
            Some(Self::OtpRequired(c) | Self::OtpRejected(c)) => Ok(c),
            other => {
                *last = other;
                Err(IntakeError::WrongState(
                    "no one-time password was asked for".into(),
                ))
            }
        }
    }

    /// A short Vietnamese description for the officer's screen.
    #[must_use]
    pub fn label_vi(&self) -> String {
        match self {
            Self::Verified(_) => "Đã xác thực với CSDLQG về dân cư".into(),
            Self::OtpRequired(_) => "Công dân cần xác nhận mã OTP".into(),
            Self::OtpRejected(_) => "Mã OTP không đúng".into(),
            Self::NotFound { .. } => "Không tìm thấy thông tin công dân".into(),
            Self::Rejected(RegistryError::Refused { .. }) => {
                "Hệ thống một cửa từ chối, không gửi yêu cầu tra cứu".into()
            }
            Self::Rejected(e) => format!("Yêu cầu bị từ chối: {e}"),
            Self::Unavailable(e) => format!("Không kết nối được CSDLQG về dân cư: {e}"),
        }
    }
}

/// One population check of one intake, across rechecks and the
/// one-time-password round trip. It decides when paper may be requested.
#[derive(Clone, Debug)]
pub struct PopulationCheck {
    officer: String,
    unit: Option<String>,
    procedure: ProcedureCode,
    dossier: Option<crate::DossierCode>,
    purpose: String,
    deadline: Duration,
    not_found: u32,
    unavailable: Option<String>,
    verified: bool,
}

impl PopulationCheck {
    /// A check made by `officer` of `unit` for `procedure`.
    #[must_use]
    pub fn new(officer: &str, unit: Option<&str>, procedure: ProcedureCode) -> Self {
        Self {
            officer: officer.to_owned(),
            unit: unit.map(str::to_owned),
            procedure,
            dossier: None,
            purpose: "Nghị định 104/2022/NĐ-CP: khai thác thông tin CSDLQG về dân cư khi tiếp nhận hồ sơ TTHC".into(),
            deadline: Duration::from_secs(15),
            not_found: 0,
            unavailable: None,
            verified: false,
        }
    }

    /// Records the dossier the check is for.
    #[must_use]
    pub fn for_dossier(mut self, dossier: crate::DossierCode) -> Self {
        self.dossier = Some(dossier);
        self
    }

    /// Sets the overall deadline of each lookup.
    #[must_use]
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    fn context(&self) -> Result<RequestContext, RegistryError> {
        let config = |e: crate::registry::ContextError| RegistryError::Configuration {
            reason: e.to_string(),
        };
        let mut ctx = RequestContext::new(&self.officer, self.procedure.clone())
            .map_err(config)?
            .with_purpose(&self.purpose)
            .map_err(config)?
            .with_timeout(self.deadline);
        if let Some(unit) = &self.unit {
            ctx = ctx.with_unit(unit.parse().map_err(config)?);
        }
        if let Some(d) = &self.dossier {
            ctx = ctx.with_dossier(d.clone());
        }
        Ok(ctx)
    }

    async fn lookup(
        &mut self,
        registry: &dyn PopulationRegistry,
        ctx: RequestContext,
        query: IdentityQuery,
    ) -> CheckResult {
        let reply = registry.lookup(&ctx, &query).await;
        match reply {
            Ok(reply) => match reply.outcome {
                LookupOutcome::Found(record) => {
                    self.verified = true;
                    let report = MatchReport::compare(&query, &record);
                    CheckResult::Verified(Verified {
                        record,
                        report,
                        request_id: ctx.request_id(),
                        gateway: registry.info().name,
                        attempts: reply.meta.attempts.max(1),
                    })
                }
                LookupOutcome::NotFound => {
                    self.not_found = self.not_found.saturating_add(1);
                    CheckResult::NotFound {
                        times: self.not_found,
                    }
                }
                LookupOutcome::OtpRequired => CheckResult::OtpRequired(OtpChallenge {
                    query,
                    context: ctx,
                }),
                LookupOutcome::OtpRejected => CheckResult::OtpRejected(OtpChallenge {
                    query,
                    context: ctx,
                }),
            },
            // Problems on our side — a refused request, bad credentials, a
            // misconfiguration, an audit trail that cannot be written, a
            // rule of the one-stop system not met — are fixed, not worked
            // around with paper.
            Err(
                e @ (RegistryError::Rejected { .. }
                | RegistryError::Configuration { .. }
                | RegistryError::Unauthorized
                | RegistryError::AuditFailed { .. }
                | RegistryError::Refused { .. }),
            ) => CheckResult::Rejected(e),
            Err(e) => {
                self.unavailable = Some(e.code().to_owned());
                CheckResult::Unavailable(e)
            }
        }
    }

    /// Presses "Kiểm tra": one lookup (a new request id each time).
    pub async fn run(
        &mut self,
        registry: &dyn PopulationRegistry,
        query: IdentityQuery,
    ) -> CheckResult {
        match self.context() {
            Ok(ctx) => self.lookup(registry, ctx, query).await,
            Err(e) => CheckResult::Rejected(e),
        }
    }

    /// Re-sends the lookup with the citizen's one-time password, under the
    /// same request id (it is the same logical check).
    pub async fn submit_otp(
        &mut self,
        registry: &dyn PopulationRegistry,
        challenge: OtpChallenge,
        otp: Otp,
    ) -> CheckResult {
        let ctx = challenge.context.with_timeout(self.deadline);
        self.lookup(registry, ctx, challenge.query.with_otp(otp))
            .await
    }

    /// Whether paper (CT07) may now be requested, and why: only when the
    /// citizen was not found after a recheck (two lookups), or the gateway
    /// could not be used; never after a successful lookup.
    #[must_use]
    pub fn paper_fallback(&self) -> Option<PaperFallback> {
        if self.verified {
            return None;
        }
        if let Some(error) = &self.unavailable {
            return Some(PaperFallback::GatewayUnavailable {
                error: error.clone(),
            });
        }
        (self.not_found >= 2).then_some(PaperFallback::NotFoundAfterRecheck {
            attempts: self.not_found,
        })
    }
}

/// What a procedure requires at intake (from the procedure catalogue).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Procedure {
    /// Mã TTHC.
    pub code: ProcedureCode,
    /// The procedure's name.
    pub name: String,
    /// Processing deadline in working days.
    pub deadline_working_days: u32,
    /// Fee in đồng.
    pub fee_vnd: u64,
    /// Required dossier components (thành phần hồ sơ).
    pub components: Vec<String>,
}

impl Procedure {
    /// An illustrative procedure for samples, examples and tests: a real-
    /// format code with a made-up name, deadline and fee, and the two
    /// components every sample asks for.
    ///
    /// # Panics
    ///
    /// When `code` is not a procedure code — samples pass literals.
    #[must_use]
    pub fn illustrative(code: &str, name: &str, deadline_working_days: u32, fee_vnd: u64) -> Self {
        #[allow(clippy::panic)]
        let code = code
            .parse()
            .unwrap_or_else(|e| panic!("sample procedure code {code:?}: {e}"));
        Self {
            code,
            name: name.to_owned(),
            deadline_working_days,
            fee_vnd,
            components: vec![
                "Tờ khai theo mẫu".into(),
                "Thông tin nhân thân: khai thác từ CSDLQG về dân cư (không yêu cầu bản sao giấy tờ)"
                    .into(),
            ],
        }
    }
}

/// The catalogue item (sector, procedure, case, process) whose code is
/// `code`, ignoring surrounding spaces.
///
/// # Errors
///
/// [`IntakeError::UnknownChoice`] naming `what` and the code given.
pub fn choose<'a, T>(
    items: &'a [T],
    what: &'static str,
    code: &str,
    code_of: impl Fn(&T) -> &str,
) -> Result<&'a T, IntakeError> {
    items
        .iter()
        .find(|item| code_of(item) == code.trim())
        .ok_or_else(|| IntakeError::UnknownChoice {
            what,
            code: code.to_owned(),
        })
}

/// Why an intake step was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IntakeError {
    /// Not in the catalogue.
    #[error("no {what} with code {code:?}")]
    UnknownChoice {
        /// Sector, procedure, case or process.
        what: &'static str,
        /// The code given.
        code: String,
    },
    /// Mandatory fields are missing or invalid.
    #[error("{} field(s) to correct: {}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Fields(Vec<FieldError>),
    /// The officer lacks the role for this step (no gateway call was made).
    #[error("the officer's account has no {0} role")]
    NotAllowed(&'static str),
    /// The dossier is not in the state this step needs.
    #[error("{0}")]
    WrongState(String),
    /// The verified record is not for this dossier's owner.
    #[error(transparent)]
    Owner(#[from] crate::dossier::OwnerError),
    /// A status change intake does not allow.
    #[error(transparent)]
    Transition(#[from] crate::dossier::TransitionError),
    /// The dossier store failed; nothing was saved.
    #[error(transparent)]
    Store(#[from] crate::dossier::StoreError),
}
