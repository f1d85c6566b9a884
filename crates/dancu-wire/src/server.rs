//! Playing a gateway of a dialect in front of any [`PopulationRegistry`]:
//! the one server implementation of the contract. The sandbox serves these
//! over HTTP; the connector's wiremock tests call them directly.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! use dancu_core::registry::{CitizenRecord, Operation};
//! use dancu_core::CalendarDate;
//! use dancu_wire::server::GatewaySide;
//! use dancu_wire::Preset;
//! # use dancu_core::registry::*;
//! # #[derive(Debug)] struct Nobody;
//! # #[async_trait::async_trait] impl PopulationRegistry for Nobody {
//! #   fn info(&self) -> RegistryInfo { RegistryInfo { name: "n".into(), channel: "in_memory" } }
//! #   async fn lookup(&self, _: &RequestContext, _: &IdentityQuery) -> Result<Reply<LookupOutcome>, RegistryError> { Ok(Reply::new(LookupOutcome::NotFound, ReplyMeta::single(None, None))) }
//! #   async fn check(&self, _: &RequestContext, _: &IdentityQuery) -> Result<Reply<CheckOutcome>, RegistryError> { Ok(Reply::new(CheckOutcome::NotConfirmed, ReplyMeta::single(None, None))) }
//! # }
//! let side = GatewaySide::new(Preset::OpencpsLgsp.dialect());
//! let today = CalendarDate::new(2026, 11, 27).unwrap();
//! let reply = side.answer_soap(&Nobody, None, b"not xml", today, None).await;
//! assert_eq!(reply.status, 500);
//! assert!(reply.body.contains("Client"));
//! # });
//! ```

use std::collections::BTreeMap;

use dancu_core::registry::{
    CheckOutcome, LookupOutcome, Operation, PopulationRegistry, RegistryError,
};
use dancu_core::{CalendarDate, ProcedureCode};

use crate::dialect::{Dialect, JsonCheckShape};
use crate::envelope::{OTP_REJECTED, OTP_REQUIRED, encode_data, encode_reply};
use crate::fault::{FaultCode, RequestFault, encode_fault};
use crate::media::{is_json, media_type};
use crate::request::{self, WireRequest};
use crate::response;

/// An HTTP answer: status, content type and body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerReply {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// The body.
    pub body: String,
}

/// The content type of the answers a SOAP gateway writes.
pub const SOAP_ANSWER_TYPE: &str = "text/xml; charset=utf-8";
/// The content type of the answers a JSON gateway writes.
pub const JSON_ANSWER_TYPE: &str = "application/json; charset=utf-8";

fn soap_fault(code: FaultCode, text: &str) -> ServerReply {
    ServerReply {
        status: 500,
        content_type: SOAP_ANSWER_TYPE,
        body: encode_fault(code, text),
    }
}

fn soap_ok(body: String) -> ServerReply {
    ServerReply {
        status: 200,
        content_type: SOAP_ANSWER_TYPE,
        body,
    }
}

fn json_ok(body: String) -> ServerReply {
    ServerReply {
        status: 200,
        content_type: JSON_ANSWER_TYPE,
        body,
    }
}

const UNSUPPORTED_MEDIA_TYPE: &str = "unsupported Content-Type for this gateway";

const OTP_OVER_SOAP: &str =
    "the citizen must confirm a one-time password, which this channel cannot carry";

/// One gateway of a dialect: what it validates and which service codes are
/// registered with it (each for the procedure it was registered for).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GatewaySide {
    /// The dialect it speaks and validates.
    pub dialect: Dialect,
    /// Registered service codes (`MaDVC`) and the procedure each was
    /// registered for.
    pub service_codes: BTreeMap<String, ProcedureCode>,
}

impl GatewaySide {
    /// A gateway of `dialect` with no service code registered.
    #[must_use]
    pub fn new(dialect: Dialect) -> Self {
        Self {
            dialect,
            service_codes: BTreeMap::new(),
        }
    }

    /// Registers a service code for a procedure.
    #[must_use]
    pub fn register(mut self, service_code: &str, procedure: ProcedureCode) -> Self {
        self.service_codes
            .insert(service_code.to_owned(), procedure);
        self
    }

    /// The procedure a `MaDVC` stands for: a registered service code; or,
    /// when the dialect does not require one, the procedure code itself.
    #[must_use]
    pub fn procedure_of(&self, madvc: &str) -> Option<ProcedureCode> {
        if let Some(p) = self.service_codes.get(madvc) {
            return Some(p.clone());
        }
        if self.dialect.service_code_required {
            return None;
        }
        madvc.parse().ok()
    }

    /// The refusal of a SOAP request whose `Content-Type` is not XML: HTTP
    /// 415 with a `Client` fault. A SOAP gateway reads the dialect's own
    /// type, `text/xml`, `application/xml` and `application/soap+xml`, with
    /// any parameters; `None` when `content_type` is one of them.
    #[must_use]
    pub fn refuse_soap_media_type(&self, content_type: Option<&str>) -> Option<ServerReply> {
        let ours = media_type(&self.dialect.content_type);
        let xml = ["text/xml", "application/xml", "application/soap+xml"];
        match content_type.map(media_type) {
            Some(t)
                if t.eq_ignore_ascii_case(ours)
                    || xml.iter().any(|x| t.eq_ignore_ascii_case(x)) =>
            {
                None
            }
            _ => Some(ServerReply {
                status: 415,
                ..soap_fault(FaultCode::Client, UNSUPPORTED_MEDIA_TYPE)
            }),
        }
    }

    /// The refusal of a JSON request whose `Content-Type` is not JSON
    /// (`application/json` or a `+json` type): HTTP 415 with `error_code`
    /// 2; `None` when it is JSON.
    #[must_use]
    pub fn refuse_json_media_type(&self, content_type: Option<&str>) -> Option<ServerReply> {
        match content_type {
            Some(t) if is_json(t) => None,
            _ => Some(ServerReply {
                status: 415,
                content_type: JSON_ANSWER_TYPE,
                body: encode_reply(2, UNSUPPORTED_MEDIA_TYPE),
            }),
        }
    }

    fn read(
        &self,
        request: Result<WireRequest, RequestFault>,
        expected: Option<Operation>,
        today: CalendarDate,
    ) -> Result<
        (
            Operation,
            dancu_core::registry::IdentityQuery,
            dancu_core::registry::RequestContext,
        ),
        RequestFault,
    > {
        let request = request?;
        if let Some(op) = expected
            && op != request.operation
        {
            return Err(RequestFault::client(format!(
                "{} is not served at this address",
                request::soap::operation_element(request.operation)
            )));
        }
        request.check_metadata(&self.dialect)?;
        let query = request.to_query(today)?;
        let ctx = request.to_context(&|m| self.procedure_of(m))?;
        Ok((request.operation, query, ctx))
    }

    /// Answers a SOAP request as a gateway of this dialect would: a
    /// `Client` fault (HTTP 500) for a request that fails the dialect's
    /// schema, its metadata checks or the core's parsers, or is for another
    /// operation than `expected` (the path's); the `CongdanCollection` or
    /// the dialect's check element otherwise. `today` is the reference date
    /// for personal IDs; `as_of` is `ThoiDiemDuLieu` when the record carries
    /// none. A citizen behind a one-time password gets a `Client` fault:
    /// SOAP has no slot for it.
    pub async fn answer_soap(
        &self,
        registry: &dyn PopulationRegistry,
        expected: Option<Operation>,
        body: &[u8],
        today: CalendarDate,
        as_of: Option<&str>,
    ) -> ServerReply {
        let (op, query, ctx) =
            match self.read(request::soap::decode(body, &self.dialect), expected, today) {
                Ok(x) => x,
                Err(f) => return soap_fault(f.code, &f.text),
            };
        let failed = |e: RegistryError| match e {
            RegistryError::Rejected { fault } => soap_fault(FaultCode::Client, &fault),
            other => soap_fault(FaultCode::Server, &other.to_string()),
        };
        match op {
            Operation::Lookup => match registry.lookup(&ctx, &query).await {
                Ok(r) => match r.outcome {
                    LookupOutcome::Found(rec) => {
                        let at = rec.as_of.clone();
                        soap_ok(response::encode_lookup(Some(&rec), at.as_deref().or(as_of)))
                    }
                    LookupOutcome::NotFound => soap_ok(response::encode_lookup(None, as_of)),
                    _ => soap_fault(FaultCode::Client, OTP_OVER_SOAP),
                },
                Err(e) => failed(e),
            },
            Operation::Check => match registry.check(&ctx, &query).await {
                Ok(r) => match r.outcome {
                    CheckOutcome::Confirmed => {
                        soap_ok(response::encode_check(true, self.dialect.check_element))
                    }
                    CheckOutcome::NotConfirmed => {
                        soap_ok(response::encode_check(false, self.dialect.check_element))
                    }
                    _ => soap_fault(FaultCode::Client, OTP_OVER_SOAP),
                },
                Err(e) => failed(e),
            },
        }
    }

    /// Answers a provincial JSON request for `op` (the path decides): a
    /// refusal (`error_code` 2, or 4 for an unregistered service code) for a
    /// bad or rejected request; with the citizen OTP, `"00"`/`"01"`; the
    /// XML answer with `error_code` 0 otherwise (a check in the dialect's
    /// shape: the envelope, or `{"data": …}`); HTTP 503 when the registry is
    /// unavailable.
    pub async fn answer_json(
        &self,
        registry: &dyn PopulationRegistry,
        op: Operation,
        body: &[u8],
        today: CalendarDate,
        as_of: Option<&str>,
    ) -> ServerReply {
        let otp = self.dialect.citizen_otp;
        let (_, query, ctx) = match self.read(
            request::json::decode(op, body, &self.dialect),
            Some(op),
            today,
        ) {
            Ok(x) => x,
            Err(f) if otp && f.text.starts_with("OTP") => {
                return json_ok(encode_reply(1, OTP_REJECTED));
            }
            Err(f) => return json_ok(encode_reply(f.json_code, &f.text)),
        };
        let failed = |e: RegistryError| match e {
            RegistryError::Rejected { fault } => json_ok(encode_reply(2, &fault)),
            other => ServerReply {
                status: 503,
                content_type: JSON_ANSWER_TYPE,
                body: encode_reply(3, &other.to_string()),
            },
        };
        let behind_otp = |required: bool| {
            if otp {
                encode_reply(1, if required { OTP_REQUIRED } else { OTP_REJECTED })
            } else {
                encode_reply(2, OTP_OVER_SOAP)
            }
        };
        let check = |yes: bool| match self.dialect.json_check_shape {
            JsonCheckShape::Envelope => encode_reply(
                0,
                &response::encode_check_document(yes, self.dialect.check_element),
            ),
            JsonCheckShape::Data => encode_data(yes),
        };
        match op {
            Operation::Lookup => match registry.lookup(&ctx, &query).await {
                Ok(r) => json_ok(match r.outcome {
                    LookupOutcome::Found(rec) => {
                        let at = rec.as_of.clone();
                        encode_reply(
                            0,
                            &response::encode_lookup(Some(&rec), at.as_deref().or(as_of)),
                        )
                    }
                    LookupOutcome::OtpRequired => behind_otp(true),
                    LookupOutcome::OtpRejected => behind_otp(false),
                    _ => encode_reply(0, &response::encode_lookup(None, as_of)),
                }),
                Err(e) => failed(e),
            },
            Operation::Check => match registry.check(&ctx, &query).await {
                Ok(r) => json_ok(match r.outcome {
                    CheckOutcome::Confirmed => check(true),
                    CheckOutcome::OtpRequired => behind_otp(true),
                    CheckOutcome::OtpRejected => behind_otp(false),
                    _ => check(false),
                }),
                Err(e) => failed(e),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::Preset;

    #[test]
    fn soap_gateways_read_xml_only() {
        let side = GatewaySide::new(Dialect::default());
        for ok in [
            "text/xml; charset=utf-8",
            "TEXT/XML",
            "application/xml",
            "application/soap+xml; charset=utf-8; action=\"\"",
        ] {
            assert_eq!(side.refuse_soap_media_type(Some(ok)), None, "{ok}");
        }
        for refused in [None, Some("text/plain"), Some("application/json"), Some("")] {
            let r = side.refuse_soap_media_type(refused).expect("refused");
            assert_eq!(r.status, 415, "{refused:?}");
            assert_eq!(r.content_type, SOAP_ANSWER_TYPE);
            assert!(r.body.contains("Client"), "{}", r.body);
        }
        // A dialect's own type is read whatever it is.
        let side = GatewaySide::new(Dialect {
            content_type: "application/x-vendor-soap".to_owned(),
            ..Dialect::default()
        });
        assert_eq!(
            side.refuse_soap_media_type(Some("application/x-vendor-soap")),
            None
        );
        // The presets of real clients send what their gateways read.
        for preset in Preset::ALL {
            let d = preset.dialect();
            let side = GatewaySide::new(d.clone());
            assert_eq!(
                side.refuse_soap_media_type(Some(&d.content_type)),
                None,
                "{preset:?}"
            );
        }
    }

    #[test]
    fn json_gateways_read_json_only() {
        let side = GatewaySide::new(Dialect::default());
        for ok in [
            "application/json",
            "application/json; charset=utf-8",
            "application/problem+json",
        ] {
            assert_eq!(side.refuse_json_media_type(Some(ok)), None, "{ok}");
        }
        for refused in [
            None,
            Some("text/xml"),
            Some("text/plain"),
            Some("application/jsonx"),
        ] {
            let r = side.refuse_json_media_type(refused).expect("refused");
            assert_eq!(r.status, 415, "{refused:?}");
            assert_eq!(r.content_type, JSON_ANSWER_TYPE);
        }
    }
}
