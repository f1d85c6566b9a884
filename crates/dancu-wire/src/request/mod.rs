//! The request, both directions: what a client puts on the wire for one
//! call ([`WireRequest::new`], then [`soap::encode`] or [`json::encode`]),
//! and what a gateway reads back ([`soap::decode`], [`json::decode`], then
//! [`WireRequest::to_query`] and [`WireRequest::to_context`]). One
//! [`Dialect`] drives both sides.

pub mod json;
pub mod soap;

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use dancu_core::registry::{IdentityQuery, LookupKey, Operation, RequestContext};
use dancu_core::{BirthDate, CalendarDate, Cmnd, FullName, IdNumber, PersonalId, ProcedureCode};

use crate::dialect::{Dialect, RequestIdFormat};
use crate::fault::RequestFault;

/// The number a request names.
#[derive(Clone, PartialEq, Eq)]
pub enum WireKey {
    /// `SoDinhDanh`: 12 digits.
    PersonalId(String),
    /// `SoCMND`: 9 digits.
    Cmnd(String),
}

/// The birth date a request carries.
#[derive(Clone, PartialEq, Eq)]
pub enum WireBirth {
    /// `Nam`: `yyyy`.
    Year(String),
    /// `NgayThangNam`, read back to `yyyyMMdd` whatever the dialect's
    /// format on the wire.
    Date(String),
}

impl fmt::Debug for WireKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PersonalId(_) => f.write_str("SoDinhDanh(<hidden>)"),
            Self::Cmnd(_) => f.write_str("SoCMND(<hidden>)"),
        }
    }
}

impl fmt::Debug for WireBirth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Year(_) => f.write_str("Nam(<hidden>)"),
            Self::Date(_) => f.write_str("NgayThangNam(<hidden>)"),
        }
    }
}

/// One request, as a client sends it and a gateway receives it. `Debug`
/// hides the ID, the name, the birth date and the one-time password.
#[derive(Clone, PartialEq, Eq)]
pub struct WireRequest {
    /// The operation.
    pub operation: Operation,
    /// `MaYeuCau`, as written on the wire.
    pub request_id: String,
    /// `MaDVC`: the procedure code, or the service code registered for it.
    pub service_code: String,
    /// `MaTichHop`.
    pub integration_code: String,
    /// `MaCanBo`.
    pub officer: String,
    /// `MaDonVi` (SOAP only).
    pub unit: Option<String>,
    /// `SoDinhDanh` or `SoCMND`.
    pub key: WireKey,
    /// `HoVaTen`, as sent.
    pub name: String,
    /// `NgayThangNamSinh`.
    pub birth: WireBirth,
    /// The dialect's extra elements, as sent.
    pub extras: Vec<(String, String)>,
    /// `MaHoSo` (JSON, with the citizen OTP only).
    pub dossier: Option<String>,
    /// `OTP` (JSON, with the citizen OTP only).
    pub otp: Option<String>,
}

impl fmt::Debug for WireRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WireRequest")
            .field("operation", &self.operation)
            .field("request_id", &self.request_id)
            .field("service_code", &self.service_code)
            .field("integration_code", &self.integration_code)
            .field("officer", &self.officer)
            .field("unit", &self.unit)
            .field("key", &self.key)
            .field("name", &"<hidden>")
            .field("birth", &self.birth)
            .field("extras", &self.extras.len())
            .field("dossier", &self.dossier)
            .field("otp", &self.otp.as_ref().map(|_| "<hidden>"))
            .finish()
    }
}

fn unix_millis() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

impl WireRequest {
    /// The request a client sends for `query` in `ctx`: `service_code` is
    /// what goes in `MaDVC` (the procedure code, or the code registered for
    /// it). `MaYeuCau` is the check's UUID, or — with
    /// [`RequestIdFormat::PrefixTime`] — the prefix and the time the check
    /// was first sent, kept in the context so that every retry carries the
    /// same.
    #[must_use]
    pub fn new(
        op: Operation,
        ctx: &RequestContext,
        query: &IdentityQuery,
        dialect: &Dialect,
        service_code: &str,
    ) -> Self {
        let request_id = match &dialect.request_id {
            RequestIdFormat::Uuid => ctx.request_id().to_string(),
            RequestIdFormat::PrefixTime { prefix } => ctx
                .wire_request_id(|| format!("{prefix}{}", unix_millis()))
                .to_owned(),
        };
        let key = match query.key() {
            LookupKey::PersonalId(p) => WireKey::PersonalId(p.as_str().to_owned()),
            LookupKey::Cmnd(c) => WireKey::Cmnd(c.as_str().to_owned()),
        };
        let birth = match query.birth_date().to_yyyymmdd() {
            Some(d) => WireBirth::Date(d),
            None => WireBirth::Year(format!("{:04}", query.birth_date().year())),
        };
        let otp_slot = dialect.citizen_otp;
        Self {
            operation: op,
            request_id,
            service_code: service_code.to_owned(),
            integration_code: dialect.integration_code(op).to_owned(),
            officer: ctx.officer().as_str().to_owned(),
            unit: ctx
                .unit()
                .filter(|_| dialect.send_unit)
                .map(|u| u.as_str().to_owned()),
            key,
            name: dialect.name_form.render(query.name()),
            birth,
            extras: dialect.extra_elements.clone(),
            dossier: ctx.dossier().filter(|_| otp_slot).map(ToString::to_string),
            otp: query
                .otp()
                .filter(|_| otp_slot)
                .map(|o| o.as_str().to_owned()),
        }
    }

    /// The query the request asks, through the core's parsers (personal IDs
    /// checked against `on`), with the one-time password when one was sent.
    ///
    /// # Errors
    ///
    /// A `Client` [`RequestFault`] naming the field that does not parse.
    pub fn to_query(&self, on: CalendarDate) -> Result<IdentityQuery, RequestFault> {
        let id = match &self.key {
            WireKey::PersonalId(s) => PersonalId::parse_on(s, on)
                .map(IdNumber::PersonalId)
                .map_err(|e| RequestFault::client(format!("SoDinhDanh: {e}")))?,
            WireKey::Cmnd(s) => s
                .parse::<Cmnd>()
                .map(IdNumber::Cmnd)
                .map_err(|e| RequestFault::client(format!("SoCMND: {e}")))?,
        };
        let name = FullName::parse(&self.name)
            .map_err(|e| RequestFault::client(format!("HoVaTen: {e}")))?;
        let birth = match &self.birth {
            WireBirth::Year(y) | WireBirth::Date(y) => y
                .parse::<BirthDate>()
                .map_err(|e| RequestFault::client(format!("NgayThangNamSinh: {e}")))?,
        };
        let q =
            IdentityQuery::new(id, name, birth).map_err(|e| RequestFault::client(e.to_string()))?;
        match &self.otp {
            Some(otp) => Ok(q.with_otp(
                otp.parse()
                    .map_err(|e| RequestFault::client(format!("OTP: {e}")))?,
            )),
            None => Ok(q),
        }
    }

    /// The request context the request carries: the officer, the unit, the
    /// dossier, and the procedure — `procedure_of` maps the `MaDVC` sent
    /// to it (a gateway knows what each registered service code was
    /// registered for; `None`: not registered). A UUID `MaYeuCau` becomes
    /// the context's request id; any other form leaves a fresh one.
    ///
    /// # Errors
    ///
    /// A `Client` [`RequestFault`] naming the field that does not parse;
    /// for an unregistered `MaDVC`, the refusal real gateways answer
    /// (JSON `error_code` 4).
    pub fn to_context(
        &self,
        procedure_of: &dyn Fn(&str) -> Option<ProcedureCode>,
    ) -> Result<RequestContext, RequestFault> {
        let procedure = procedure_of(&self.service_code).ok_or_else(|| RequestFault {
            json_code: 4,
            ..RequestFault::client(format!(
                "MaDVC {}: Thủ tục chưa được cấp phép khai thác CSDL dân cư",
                self.service_code
            ))
        })?;
        let mut ctx = RequestContext::new(&self.officer, procedure)
            .map_err(|e| RequestFault::client(format!("MaCanBo: {e}")))?;
        if let Ok(id) = self.request_id.parse() {
            ctx = ctx.with_request_id(id);
        }
        if let Some(unit) = &self.unit {
            ctx = ctx.with_unit(
                unit.parse()
                    .map_err(|e| RequestFault::client(format!("MaDonVi: {e}")))?,
            );
        }
        if let Some(d) = &self.dossier {
            ctx = ctx.with_dossier(
                d.parse()
                    .map_err(|e| RequestFault::client(format!("MaHoSo: {e}")))?,
            );
        }
        Ok(ctx)
    }

    /// Checks the metadata a gateway of `dialect` checks besides the schema:
    /// `MaYeuCau`'s form and length, `MaTichHop` for the operation, and the
    /// extra elements.
    ///
    /// # Errors
    ///
    /// A `Client` [`RequestFault`] naming the problem.
    pub fn check_metadata(&self, dialect: &Dialect) -> Result<(), RequestFault> {
        if self.request_id.len() > dialect.request_id_max_len {
            return Err(RequestFault::client(format!(
                "MaYeuCau is longer than {} characters",
                dialect.request_id_max_len
            )));
        }
        let well_formed = match &dialect.request_id {
            RequestIdFormat::Uuid => uuid_like(&self.request_id),
            RequestIdFormat::PrefixTime { prefix } => self
                .request_id
                .strip_prefix(prefix.as_str())
                .is_some_and(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())),
        };
        if !well_formed {
            return Err(RequestFault::client(format!(
                "MaYeuCau is not a {} request id",
                dialect.request_id.as_str()
            )));
        }
        let expected = dialect.integration_code(self.operation);
        if self.integration_code != expected {
            return Err(RequestFault::client(format!(
                "MaTichHop {} is not registered for this operation",
                self.integration_code
            )));
        }
        for (name, _) in &dialect.extra_elements {
            if !self.extras.iter().any(|(n, v)| n == name && !v.is_empty()) {
                return Err(RequestFault::client(format!("missing element {name}")));
            }
        }
        Ok(())
    }
}

fn uuid_like(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// `value` is `n` ASCII digits.
pub(crate) fn digits_of(value: &str, n: usize, field: &str) -> Result<String, RequestFault> {
    if value.len() == n && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(value.to_owned())
    } else {
        Err(RequestFault::client(format!("{field} must be {n} digits")))
    }
}

/// Reads the full date of a request in the dialect's format.
pub(crate) fn read_date(value: &str, dialect: &Dialect) -> Result<WireBirth, RequestFault> {
    dialect
        .date_format
        .read(value)
        .map(WireBirth::Date)
        .ok_or_else(|| {
            RequestFault::client(format!(
                "NgayThangNam must be {}",
                dialect.date_format.as_str()
            ))
        })
}

/// Writes the full date of a request in the dialect's format.
pub(crate) fn write_birth(birth: &WireBirth, dialect: &Dialect) -> (&'static str, String) {
    match birth {
        WireBirth::Date(d) => ("NgayThangNam", dialect.date_format.write(d)),
        WireBirth::Year(y) => ("Nam", y.clone()),
    }
}
