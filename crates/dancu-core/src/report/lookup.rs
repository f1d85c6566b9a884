//! `dancu verify --json`.

use serde::Serialize;
use serde_json::{Value, json};

use super::ErrorReport;
use crate::registry::{
    CheckOutcome, CitizenRecord, CodeTable, IdentityQuery, LookupOutcome, MatchReport,
    RecordAddress, RegistryError, Relative, Reply, RequestContext,
};

/// One check of a citizen: the object `dancu verify --json` prints.
///
/// `outcome` is what the gateway said (`found`, `not_found`, `confirmed`,
/// `not_confirmed`, `otp_required`, `otp_rejected`) or, for a failed call,
/// `rejected`, `unavailable` or `invalid_response` ([`LookupReport::outcome_of`]),
/// with the precise [`RegistryError::code`] in `error`.
#[derive(Clone, Debug, Serialize)]
pub struct LookupReport {
    /// The logical check's request id (the same on every retry).
    pub request_id: String,
    /// The outcome key.
    pub outcome: &'static str,
    /// How many attempts were made.
    pub attempts: u32,
    /// The record, for `found` ([`record`]).
    pub record: Option<Value>,
    /// The match report: what was typed against the record, field by field.
    #[serde(rename = "match")]
    pub match_report: Option<MatchReport>,
    /// Why the call failed.
    pub error: Option<ErrorReport>,
}

impl LookupReport {
    /// The report of a full lookup of `query` under `ctx`.
    #[must_use]
    pub fn lookup(
        ctx: &RequestContext,
        query: &IdentityQuery,
        result: &Result<Reply<LookupOutcome>, RegistryError>,
    ) -> Self {
        match result {
            Ok(reply) => match &reply.outcome {
                LookupOutcome::Found(r) => Self {
                    record: Some(record(r)),
                    match_report: Some(MatchReport::compare(query, r)),
                    ..Self::answered(ctx, reply.outcome.as_str())
                },
                other => Self::answered(ctx, other.as_str()),
            },
            Err(e) => Self::failed(ctx, e),
        }
    }

    /// The report of a yes/no check under `ctx`.
    #[must_use]
    pub fn check(
        ctx: &RequestContext,
        result: &Result<Reply<CheckOutcome>, RegistryError>,
    ) -> Self {
        match result {
            Ok(reply) => Self::answered(ctx, reply.outcome.as_str()),
            Err(e) => Self::failed(ctx, e),
        }
    }

    /// The `outcome` of a failed call: `rejected` (a refusal by the gateway
    /// or on our side before the call, or refused credentials),
    /// `invalid_response`, otherwise `unavailable`.
    #[must_use]
    pub const fn outcome_of(e: &RegistryError) -> &'static str {
        match e {
            RegistryError::Rejected { .. }
            | RegistryError::Refused { .. }
            | RegistryError::Unauthorized => "rejected",
            RegistryError::InvalidResponse { .. } => "invalid_response",
            _ => "unavailable",
        }
    }

    fn answered(ctx: &RequestContext, outcome: &'static str) -> Self {
        Self {
            request_id: ctx.request_id().to_string(),
            outcome,
            attempts: ctx.attempts(),
            record: None,
            match_report: None,
            error: None,
        }
    }

    fn failed(ctx: &RequestContext, e: &RegistryError) -> Self {
        Self {
            error: Some(ErrorReport {
                code: e.code(),
                message: e.to_string(),
            }),
            ..Self::answered(ctx, Self::outcome_of(e))
        }
    }
}

fn address_json(a: Option<&RecordAddress>) -> Value {
    a.map_or(Value::Null, |a| {
        serde_json::to_value(a).unwrap_or(Value::Null)
    })
}

fn relative_json(r: Option<&Relative>) -> Value {
    r.map_or(Value::Null, |r| {
        json!({
            "name": r.name.as_ref().map(ToString::to_string),
            "nationality": r.nationality,
            "personal_id": r.personal_id.map(|p| p.to_string()),
            "cmnd": r.cmnd.map(|c| c.to_string()),
        })
    })
}

/// A citizen record as `dancu verify --json` prints it: identity, name
/// parts, birth date and its precision, gender (each `null` when the answer
/// had none that could be decoded), the raw codes with the ethnicity's
/// name, the four addresses (era, codes and names, detail), relatives,
/// household head and book, the data's as-of time, the account type, tax
/// code and e-mail when sent, and `undecodable`: the fields that came but
/// could not be decoded (`field` path, `raw` value as sent, `reason`).
#[must_use]
pub fn record(r: &CitizenRecord) -> Value {
    let ethnicity = CodeTable::ethnicity_2008();
    json!({
        "personal_id": r.personal_id.as_str(),
        "cmnd": r.cmnd.map(|c| c.to_string()),
        "name": {
            "full": r.name.as_str(),
            "family": r.name.family(),
            "middle": r.name.middle(),
            "given": r.name.given(),
        },
        "birth_date": r.birth_date.map(|b| b.to_string()),
        "birth_date_precision": r.birth_date.map(|b| b.precision().as_str()),
        "gender": r.gender_meaning().map(|g| g.as_str()),
        "gender_code": r.gender.map(|g| g.as_str().to_owned()),
        "ethnicity": r.ethnicity,
        "ethnicity_name": r.ethnicity.as_deref().and_then(|c| ethnicity.name(c)),
        "religion": r.religion,
        "nationality": r.nationality,
        "marital_status": r.marital_status,
        "blood_group": r.blood_group,
        "addresses": {
            "current": address_json(r.current.as_ref()),
            "permanent": address_json(r.permanent.as_ref()),
            "birth_registration": address_json(r.birth_registration.as_ref()),
            "hometown": address_json(r.hometown.as_ref()),
        },
        "father": relative_json(r.father.as_ref()),
        "mother": relative_json(r.mother.as_ref()),
        "spouse": relative_json(r.spouse.as_ref()),
        "representative": relative_json(r.representative.as_ref()),
        "household_head": r.household_head.as_ref().map(|h| json!({
            "relation": h.relation,
            "personal_id": h.personal_id.map(|p| p.to_string()),
            "cmnd": h.cmnd.map(|c| c.to_string()),
            "name": h.name.as_ref().map(ToString::to_string),
        })),
        "household_book": r.household_book,
        "as_of": r.as_of,
        "account_type": r.account_type,
        "tax_code": r.tax_code,
        "email": r.email,
        "undecodable": r.undecodable(),
    })
}
