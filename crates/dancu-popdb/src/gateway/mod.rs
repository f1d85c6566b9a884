//! The gateway: one implementation of [`PopulationRegistry`] over HTTP for
//! every channel, speaking a [`dancu_wire::Dialect`], with a small
//! authentication strategy per channel (the LGSP token with its shared
//! cache and one refresh on 401, the C06 signature, a static key, none).
//!
//! Every gateway is built through [`GatewayBuilder`], the only validator
//! of its settings; building never touches the network.
//!
//! ```
//! use dancu_popdb::Secret;
//! use dancu_popdb::gateway::Gateway;
//! use dancu_wire::Preset;
//! use dancu_core::PopulationRegistry;
//!
//! let lgsp = Gateway::builder("lgsp", "https://lgsp.example.vn")
//!     .name("lgsp-bac-kan")
//!     .preset(Preset::OpencpsLgsp)
//!     .lookup_path("/dancu/tracuu")
//!     .verify_path("/dancu/xacthuc")
//!     .lgsp_credentials(Secret::new("ACCESS"), Secret::new("SECRET"), "motcua", "000.00.21.H06", "H06")
//!     .service_code("1.001776", "G15-TP110")
//!     .build()?;
//! let tinh = Gateway::builder("provincial_json", "https://10.0.0.5")
//!     .preset(Preset::TandanJson)
//!     .lookup_path("/api/tracuu")
//!     .verify_path("/api/xacthuc")
//!     .default_service_code("G15-TP110")
//!     .tls_server_name("csdldc.thanhhoa.gov.vn")
//!     .build()?;
//! assert_eq!([lgsp.info().channel, tinh.info().channel], ["lgsp", "provincial_json"]);
//! assert!(!format!("{lgsp:?}").contains("SECRET"));
//! # Ok::<(), dancu_core::RegistryError>(())
//! ```

mod auth;
pub mod builder;
mod http;
mod tls;

use async_trait::async_trait;
use dancu_core::registry::{
    CheckOutcome, IdentityQuery, LookupOutcome, Operation, PopulationRegistry, RegistryError,
    RegistryInfo, Reply, ReplyMeta, RequestContext,
};
use dancu_core::{CalendarDate, mask_phrase};
use dancu_wire::envelope::{self, JsonReply};
use dancu_wire::response::{self, LookupAnswer, SoapReply};
use dancu_wire::{DECODE_INLINE_MAX_BYTES, DecodeError, Dialect, Limits, WireRequest, request};
use reqwest::header::HeaderMap;

pub use builder::{ConfigValue, GatewayBuilder, GatewayConfig};

use auth::{Auth, Authorize, Envelope, Kind};
use builder::ServiceCodes;
use http::{Exchange, Http, WireError};

use crate::layer::Answer;

/// A gateway to the population database. `Debug` never shows a credential
/// or token (secrets print redacted, header values carrying them are
/// marked sensitive).
#[derive(Debug)]
pub struct Gateway {
    name: String,
    kind: &'static Kind,
    dialect: Dialect,
    service_codes: ServiceCodes,
    headers: HeaderMap,
    http: Http,
    auth: Box<dyn Auth>,
}

impl Gateway {
    /// A builder for a gateway of `kind` (`lgsp`, `c06`,
    /// `provincial_json`) at `base_url`.
    #[must_use]
    pub fn builder(kind: &str, base_url: &str) -> GatewayBuilder {
        GatewayBuilder::new(kind, base_url)
    }

    /// The dialect the gateway speaks.
    #[must_use]
    pub const fn dialect(&self) -> &Dialect {
        &self.dialect
    }

    /// One call: encode, authorize, send; on a 401 the strategy may refresh
    /// its credentials and the call is sent once more.
    async fn exchange(
        &self,
        op: Operation,
        ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Result<Exchange, RegistryError> {
        self.precheck(op, ctx, query)?;
        let service_code = self.service_codes.resolve(ctx.procedure())?;
        let wire = WireRequest::new(op, ctx, query, &self.dialect, &service_code);
        let body = match self.kind.envelope {
            Envelope::Soap => request::soap::encode(&wire, &self.dialect),
            Envelope::Json => request::json::encode(&wire, &self.dialect),
        }
        .into_bytes();
        let url = match op {
            Operation::Lookup => &self.http.lookup_url,
            Operation::Check => &self.http.verify_url,
        };
        let mut headers = self.headers.clone();
        let mut refused = false;
        loop {
            let call = Authorize {
                http: &self.http,
                ctx,
                headers: &mut headers,
                refused,
            };
            if !self.auth.authorize(call).await? {
                return Err(RegistryError::Unauthorized);
            }
            let timeout = self.http.attempt_timeout(ctx)?;
            let ex = http::post(&self.http, url, headers.clone(), body.clone(), timeout).await?;
            ctx.note_exchange(ex.digest);
            if ex.status == 401 && !refused {
                refused = true;
                continue;
            }
            return Ok(ex);
        }
    }

    fn read_soap<T>(
        ex: &Exchange,
        decode: impl FnOnce(&[u8]) -> Result<SoapReply<T>, DecodeError>,
    ) -> Result<T, RegistryError> {
        match ex.status {
            429 => return Err(WireError::RateLimited(ex.retry_after).into()),
            401 | 403 => return Err(RegistryError::Unauthorized),
            _ => {}
        }
        let decoded = http::is_xml(ex.content_type.as_deref()).then(|| decode(&ex.body));
        if let Some(Ok(SoapReply::Fault(f))) = decoded {
            return Err(f.into_error());
        }
        Err(match ex.status {
            200 => match decoded {
                Some(Ok(SoapReply::Answer(a))) => return Ok(a),
                Some(Ok(SoapReply::Fault(_))) => WireError::UnexpectedStatus(200),
                Some(Err(e)) => WireError::Decode(e),
                None => WireError::ContentType(ex.content_type.clone().unwrap_or_default()),
            },
            s @ 500..=599 => WireError::Unavailable(s),
            s => WireError::UnexpectedStatus(s),
        }
        .into())
    }

    fn read_json(ex: &Exchange) -> Result<serde_json::Value, RegistryError> {
        let err = match ex.status {
            200 => None,
            401 | 403 => Some(WireError::Unauthorized),
            429 => Some(WireError::RateLimited(ex.retry_after)),
            s @ 500..=599 => Some(WireError::Unavailable(s)),
            s => Some(WireError::UnexpectedStatus(s)),
        };
        if let Some(e) = err {
            return Err(e.into());
        }
        if let Some(ct) = &ex.content_type
            && !ct.to_ascii_lowercase().contains("json")
        {
            return Err(WireError::ContentType(ct.clone()).into());
        }
        serde_json::from_slice(&ex.body).map_err(|_| RegistryError::InvalidResponse {
            reason: "the reply is not JSON".to_owned(),
        })
    }

    fn reply<T>(outcome: T, ex: &Exchange, as_of: Option<String>) -> Reply<T> {
        Reply::new(outcome, ReplyMeta::single(Some(ex.digest), as_of))
    }
}

fn found(answer: LookupAnswer, ex: &Exchange) -> Reply<LookupOutcome> {
    let outcome = match answer.record {
        Some(r) => LookupOutcome::Found(r),
        None => LookupOutcome::NotFound,
    };
    Gateway::reply(outcome, ex, answer.as_of)
}

fn refused(_code: i64, text: String) -> RegistryError {
    RegistryError::Rejected { fault: text }
}

#[async_trait]
impl PopulationRegistry for Gateway {
    fn info(&self) -> RegistryInfo {
        RegistryInfo {
            name: self.name.clone(),
            channel: self.kind.channel,
        }
    }

    fn precheck(
        &self,
        _operation: Operation,
        ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Result<(), RegistryError> {
        if query.otp().is_some()
            && !(self.dialect.citizen_otp && self.kind.envelope == Envelope::Json)
        {
            return Err(RegistryError::Configuration {
                reason: format!(
                    "gateway {}: its dialect has no citizen one-time password, so an OTP cannot be \
                     sent (the round trip is an opt-in setting, citizen_otp, of JSON gateways); \
                     nothing was sent",
                    self.name
                ),
            });
        }
        self.service_codes.resolve(ctx.procedure()).map(drop)
    }

    async fn lookup(&self, ctx: &RequestContext, query: &IdentityQuery) -> Answer<LookupOutcome> {
        self.lookup_once(ctx, query)
            .await
            .map_err(|e| scrub(e, query))
    }

    async fn check(&self, ctx: &RequestContext, query: &IdentityQuery) -> Answer<CheckOutcome> {
        self.check_once(ctx, query)
            .await
            .map_err(|e| scrub(e, query))
    }
}

/// A gateway's texts in an error — fault text, reason — with what the
/// query itself holds masked: its name (in any letter case) and one-time
/// password, on top of the ID numbers and dates the codec masks already.
fn scrub(e: RegistryError, query: &IdentityQuery) -> RegistryError {
    let clean = |t: String| {
        let t = mask_phrase(&t, query.name().as_str());
        match query.otp() {
            Some(otp) => mask_phrase(&t, otp.as_str()),
            None => t,
        }
    };
    match e {
        RegistryError::Rejected { fault } => RegistryError::Rejected {
            fault: clean(fault),
        },
        RegistryError::Unavailable { reason } => RegistryError::Unavailable {
            reason: clean(reason),
        },
        RegistryError::InvalidResponse { reason } => RegistryError::InvalidResponse {
            reason: clean(reason),
        },
        other => other,
    }
}

/// Runs `read` on the exchange: inline for a small answer, on the blocking
/// pool for one over [`DECODE_INLINE_MAX_BYTES`], so decoding a few
/// megabytes never stalls the other lookups sharing the executor, and the
/// attempt's deadline (a timer around the awaited decode) still ends the
/// lookup on time.
async fn decode<T: Send + 'static>(
    ex: Exchange,
    read: impl FnOnce(&Exchange) -> Answer<T> + Send + 'static,
) -> Answer<T> {
    if ex.body.len() <= DECODE_INLINE_MAX_BYTES {
        return read(&ex);
    }
    tokio::task::spawn_blocking(move || read(&ex))
        .await
        .unwrap_or_else(|_| {
            Err(RegistryError::InvalidResponse {
                reason: "the answer could not be decoded".to_owned(),
            })
        })
}

/// A lookup's answer, read.
fn read_lookup(
    ex: &Exchange,
    envelope: Envelope,
    citizen_otp: bool,
    limits: &Limits,
) -> Answer<LookupOutcome> {
    let today = CalendarDate::today_in_vietnam();
    match envelope {
        Envelope::Soap => {
            let answer = Gateway::read_soap(ex, |b| response::decode_lookup(b, today, limits))?;
            Ok(found(answer, ex))
        }
        Envelope::Json => {
            let json = Gateway::read_json(ex)?;
            match envelope::decode_reply(&json, citizen_otp)? {
                JsonReply::Xml(xml) => {
                    let a = response::decode_collection(xml.as_bytes(), today, limits)?;
                    Ok(found(a, ex))
                }
                JsonReply::OtpRequired => Ok(Gateway::reply(LookupOutcome::OtpRequired, ex, None)),
                JsonReply::OtpRejected => Ok(Gateway::reply(LookupOutcome::OtpRejected, ex, None)),
                JsonReply::Refused { code, text } => Err(refused(code, text)),
                JsonReply::Data(_) => Err(RegistryError::InvalidResponse {
                    reason: "a yes/no answer ({\"data\": …}) to a full lookup".to_owned(),
                }),
            }
        }
    }
}

/// A check's answer, read.
fn read_check(
    ex: &Exchange,
    envelope: Envelope,
    citizen_otp: bool,
    limits: &Limits,
) -> Answer<CheckOutcome> {
    let yes = |b: bool| {
        if b {
            CheckOutcome::Confirmed
        } else {
            CheckOutcome::NotConfirmed
        }
    };
    match envelope {
        Envelope::Soap => {
            let b = Gateway::read_soap(ex, |b| response::decode_check(b, limits))?;
            Ok(Gateway::reply(yes(b), ex, None))
        }
        Envelope::Json => {
            let json = Gateway::read_json(ex)?;
            match envelope::decode_reply(&json, citizen_otp)? {
                JsonReply::Xml(xml) => {
                    let today = CalendarDate::today_in_vietnam();
                    let b = response::decode_check_document(xml.as_bytes(), today, limits)?;
                    Ok(Gateway::reply(yes(b), ex, None))
                }
                JsonReply::Data(b) => Ok(Gateway::reply(yes(b), ex, None)),
                JsonReply::OtpRequired => Ok(Gateway::reply(CheckOutcome::OtpRequired, ex, None)),
                JsonReply::OtpRejected => Ok(Gateway::reply(CheckOutcome::OtpRejected, ex, None)),
                JsonReply::Refused { code, text } => Err(refused(code, text)),
            }
        }
    }
}

impl Gateway {
    async fn lookup_once(
        &self,
        ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Answer<LookupOutcome> {
        let ex = self.exchange(Operation::Lookup, ctx, query).await?;
        let (envelope, otp, limits) = (
            self.kind.envelope,
            self.dialect.citizen_otp,
            self.dialect.limits,
        );
        decode(ex, move |ex| read_lookup(ex, envelope, otp, &limits)).await
    }

    async fn check_once(
        &self,
        ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Answer<CheckOutcome> {
        let ex = self.exchange(Operation::Check, ctx, query).await?;
        let (envelope, otp, limits) = (
            self.kind.envelope,
            self.dialect.citizen_otp,
            self.dialect.limits,
        );
        decode(ex, move |ex| read_check(ex, envelope, otp, &limits)).await
    }
}

#[cfg(test)]
mod tests {
    use dancu_core::registry::Otp;
    use dancu_core::{CalendarDate, IdNumber};

    use super::*;

    #[test]
    fn scrub_masks_the_querys_name_and_otp_in_every_text_kind() {
        let on = CalendarDate::new(2026, 12, 1).expect("date");
        let query = IdentityQuery::new(
            IdNumber::parse_on("006089000001", on).expect("id"),
            "Đặng Thị Bình".parse().expect("name"),
            "1962".parse().expect("birth"),
        )
        .expect("query")
        .with_otp("482913".parse::<Otp>().expect("otp"));
        let text = "OTP 482913 sai cho ĐẶNG THỊ BÌNH".to_owned();
        for e in [
            RegistryError::Rejected {
                fault: text.clone(),
            },
            RegistryError::Unavailable {
                reason: text.clone(),
            },
            RegistryError::InvalidResponse {
                reason: text.clone(),
            },
        ] {
            let shown = scrub(e, &query).to_string();
            assert!(shown.ends_with("OTP *** sai cho ***"), "{shown}");
        }
        assert_eq!(
            scrub(RegistryError::TimedOut, &query),
            RegistryError::TimedOut
        );
    }
}
