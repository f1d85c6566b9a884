//! Playing a gateway: answering a wire request from any
//! [`PopulationRegistry`]. The sandbox serves these over HTTP; the wiremock
//! responders of the tests call them directly.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! use dancu_core::CalendarDate;
//! use dancu_popdb::InMemoryRegistry;
//! use dancu_popdb::gateway::serve::answer_soap;
//! let registry = InMemoryRegistry::new("memory");
//! let today = CalendarDate::new(2026, 11, 27).unwrap();
//! let reply = answer_soap(&registry, b"not xml", today, "2026-11-20T08:00:00").await;
//! assert_eq!(reply.status, 500);
//! assert!(reply.body.contains("Client"));
//! # });
//! ```

use dancu_core::CalendarDate;
use dancu_core::registry::{
    CheckOutcome, LookupOutcome, Operation, PopulationRegistry, RegistryError,
};

use super::json;
use super::soap::{self, FaultCode};

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

const SOAP_TYPE: &str = "text/xml; charset=utf-8";
const JSON_TYPE: &str = "application/json; charset=utf-8";

fn soap_fault(code: FaultCode, text: &str) -> ServerReply {
    ServerReply {
        status: 500,
        content_type: SOAP_TYPE,
        body: soap::encode_fault(code, text),
    }
}

fn soap_ok(body: String) -> ServerReply {
    ServerReply {
        status: 200,
        content_type: SOAP_TYPE,
        body,
    }
}

fn registry_fault(e: &RegistryError) -> ServerReply {
    match e {
        RegistryError::Rejected { fault } => soap_fault(FaultCode::Client, fault),
        other => soap_fault(FaultCode::Server, &other.to_string()),
    }
}

/// Answers a SOAP request as a gateway would: a `Client` fault (HTTP 500)
/// for a request that fails schema validation or the core's parsers, the
/// `CongdanCollection` or `KetQuaXacThucResponse` otherwise. `today` is the
/// reference date for personal IDs; `as_of` is `ThoiDiemDuLieu` when the
/// record carries none. The SOAP channels have no OTP slot: a citizen
/// behind a one-time password gets a `Client` fault.
pub async fn answer_soap(
    registry: &dyn PopulationRegistry,
    request: &[u8],
    today: CalendarDate,
    as_of: &str,
) -> ServerReply {
    let parsed = soap::decode_request(request)
        .and_then(|w| Ok((w.operation, w.to_query(today)?, w.to_context()?)));
    let (op, query, ctx) = match parsed {
        Ok(x) => x,
        Err(f) => return soap_fault(f.code, &f.text),
    };
    let otp = "the citizen must confirm a one-time password, which this channel cannot carry";
    match op {
        Operation::Lookup => match registry.lookup(&ctx, &query).await {
            Ok(r) => match r.outcome {
                LookupOutcome::Found(rec) => {
                    let at = rec.as_of.clone().unwrap_or_else(|| as_of.to_owned());
                    soap_ok(soap::encode_lookup_response(Some(&rec), &at))
                }
                LookupOutcome::NotFound => soap_ok(soap::encode_lookup_response(None, as_of)),
                _ => soap_fault(FaultCode::Client, otp),
            },
            Err(e) => registry_fault(&e),
        },
        Operation::Check => match registry.check(&ctx, &query).await {
            Ok(r) => match r.outcome {
                CheckOutcome::Confirmed => soap_ok(soap::encode_check_response(true)),
                CheckOutcome::NotConfirmed => soap_ok(soap::encode_check_response(false)),
                _ => soap_fault(FaultCode::Client, otp),
            },
            Err(e) => registry_fault(&e),
        },
    }
}

/// Answers a provincial JSON request for `op` (the path decides): a
/// refusal (`error_code` 2) for a bad request or a rejected one,
/// `"00"`/`"01"` for the one-time password, the XML answer with
/// `error_code` 0 otherwise; HTTP 503 when the registry is unavailable.
pub async fn answer_json(
    registry: &dyn PopulationRegistry,
    op: Operation,
    request: &[u8],
    today: CalendarDate,
    as_of: &str,
) -> ServerReply {
    let ok = |body: String| ServerReply {
        status: 200,
        content_type: JSON_TYPE,
        body,
    };
    let parsed = json::decode_json_request(op, request)
        .and_then(|r| Ok((r.to_query(today)?, r.to_context()?)));
    let (query, ctx) = match parsed {
        Ok(x) => x,
        Err(f) => return ok(json::encode_json_reply(2, &f.text)),
    };
    let failed = |e: RegistryError| match e {
        RegistryError::Rejected { fault } => ok(json::encode_json_reply(2, &fault)),
        other => ServerReply {
            status: 503,
            content_type: JSON_TYPE,
            body: json::encode_json_reply(3, &other.to_string()),
        },
    };
    match op {
        Operation::Lookup => match registry.lookup(&ctx, &query).await {
            Ok(r) => ok(match r.outcome {
                LookupOutcome::Found(rec) => {
                    let at = rec.as_of.clone().unwrap_or_else(|| as_of.to_owned());
                    json::encode_lookup_reply(Some(&rec), &at)
                }
                LookupOutcome::OtpRequired => json::encode_json_reply(1, json::OTP_REQUIRED),
                LookupOutcome::OtpRejected => json::encode_json_reply(1, json::OTP_REJECTED),
                _ => json::encode_lookup_reply(None, as_of),
            }),
            Err(e) => failed(e),
        },
        Operation::Check => match registry.check(&ctx, &query).await {
            Ok(r) => ok(match r.outcome {
                CheckOutcome::Confirmed => json::encode_check_reply(true),
                CheckOutcome::OtpRequired => json::encode_json_reply(1, json::OTP_REQUIRED),
                CheckOutcome::OtpRejected => json::encode_json_reply(1, json::OTP_REJECTED),
                _ => json::encode_check_reply(false),
            }),
            Err(e) => failed(e),
        },
    }
}
