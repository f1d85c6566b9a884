//! SOAP faults, both directions, and what the codec's errors say.

use dancu_core::mask_numbers;
use dancu_core::registry::RegistryError;

use crate::xml::{self, Node, Ns};

/// The kind of a SOAP fault, from its `faultcode` (any prefix, any dotted
/// sub-code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FaultCode {
    /// `Client`: the gateway refused the request; do not retry.
    Client,
    /// `Server`: the gateway failed; transient.
    Server,
    /// Another code (`VersionMismatch`, `MustUnderstand`, …): our envelope
    /// is not what the gateway speaks; not transient.
    Other,
}

impl FaultCode {
    /// Classifies a `faultcode` value such as `soapenv:Client` or
    /// `SOAP-ENV:Server.Timeout`.
    #[must_use]
    pub fn classify(code: &str) -> Self {
        let local = code.trim().rsplit(':').next().unwrap_or("");
        match local.split('.').next().unwrap_or("") {
            "Client" => Self::Client,
            "Server" => Self::Server,
            _ => Self::Other,
        }
    }

    /// The unprefixed code written by [`encode_fault`].
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Client => "Client",
            Self::Server => "Server",
            Self::Other => "VersionMismatch",
        }
    }
}

/// A SOAP fault from a gateway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SoapFault {
    /// The classified `faultcode`.
    pub code: FaultCode,
    /// `faultstring`, its ID numbers and dates masked by
    /// [`dancu_core::mask_numbers`] (a gateway may echo them).
    pub text: String,
}

impl SoapFault {
    /// The error a caller sees: `Client` → rejected, `Server` →
    /// unavailable (transient), anything else → rejected.
    #[must_use]
    pub fn into_error(self) -> RegistryError {
        match self.code {
            FaultCode::Server => RegistryError::Unavailable {
                reason: format!("server fault: {}", self.text),
            },
            FaultCode::Client | FaultCode::Other => RegistryError::Rejected { fault: self.text },
        }
    }
}

/// Why an answer could not be decoded. Messages name the problem, never a
/// value from the answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// Not XML (or JSON) the codec can read.
    #[error("{0}")]
    Syntax(String),
    /// Not a SOAP 1.1 envelope with a body.
    #[error("not a SOAP 1.1 envelope with a body")]
    NotSoap,
    /// The body holds something other than the expected answer.
    #[error("expected {expected}, found {found}")]
    Unexpected {
        /// What was expected.
        expected: &'static str,
        /// What was found (an element's local name, a JSON shape).
        found: String,
    },
    /// A mandatory element is missing or empty.
    #[error("missing element {0}")]
    Missing(&'static str),
    /// A field does not parse.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The element or attribute.
        field: &'static str,
        /// What is wrong (from the core's parsers; never the value).
        reason: String,
    },
}

impl From<DecodeError> for RegistryError {
    fn from(e: DecodeError) -> Self {
        Self::InvalidResponse {
            reason: e.to_string(),
        }
    }
}

pub(crate) fn invalid(field: &'static str, reason: impl std::fmt::Display) -> DecodeError {
    DecodeError::Invalid {
        field,
        reason: reason.to_string(),
    }
}

/// Why a gateway refuses a request: the fault (SOAP) or refusal (JSON) it
/// answers with.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code:?} fault: {text}")]
pub struct RequestFault {
    /// `Client` for a bad request.
    pub code: FaultCode,
    /// The fault text, naming the problem.
    pub text: String,
    /// The JSON `error_code` a provincial gateway answers with (2 for a bad
    /// request, 4 for a procedure without a registered service code).
    pub json_code: i64,
}

impl RequestFault {
    /// A `Client` fault (JSON `error_code` 2).
    #[must_use]
    pub fn client(text: impl Into<String>) -> Self {
        Self {
            code: FaultCode::Client,
            text: text.into(),
            json_code: 2,
        }
    }

    /// The fault as a SOAP envelope ([`encode_fault`]).
    #[must_use]
    pub fn to_envelope(&self) -> String {
        encode_fault(self.code, &self.text)
    }
}

/// The fault in a SOAP body element, if it is one.
pub(crate) fn fault(node: &Node) -> Option<SoapFault> {
    if !node.is(Ns::Soap, "Fault") {
        return None;
    }
    // faultcode and faultstring are unqualified in SOAP 1.1; accept them
    // qualified too.
    let nss = [Ns::None, Ns::Soap];
    let code = node.child_text(&nss, "faultcode").unwrap_or("");
    let text = node.child_text(&nss, "faultstring").unwrap_or("");
    Some(SoapFault {
        code: FaultCode::classify(code),
        text: mask_numbers(text),
    })
}

pub(crate) fn envelope_open(out: &mut String) {
    out.push_str(r#"<?xml version="1.0" encoding="utf-8"?>"#);
    out.push_str(r#"<soapenv:Envelope xmlns:soapenv=""#);
    out.push_str(xml::SOAP_NS);
    out.push_str(r#""><soapenv:Body>"#);
}

pub(crate) fn envelope_close(out: &mut String) {
    out.push_str("</soapenv:Body></soapenv:Envelope>");
}

/// Encodes a SOAP fault with `faultcode` `soapenv:<code>` and the text.
#[must_use]
pub fn encode_fault(code: FaultCode, text: &str) -> String {
    let mut out = String::with_capacity(text.len().saturating_add(256));
    envelope_open(&mut out);
    out.push_str("<soapenv:Fault><faultcode>soapenv:");
    out.push_str(code.as_str());
    out.push_str("</faultcode><faultstring>");
    xml::escape_into(&mut out, text);
    out.push_str("</faultstring></soapenv:Fault>");
    envelope_close(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digit_runs_are_masked() {
        assert_eq!(
            mask_numbers("id 006089000001 x 12345678 y095123456"),
            "id ********0001 x 12345678 y*****3456"
        );
    }

    #[test]
    fn codes_classify_with_any_prefix() {
        assert_eq!(FaultCode::classify("Client"), FaultCode::Client);
        assert_eq!(
            FaultCode::classify("SOAP-ENV:Server.Timeout"),
            FaultCode::Server
        );
        assert_eq!(FaultCode::classify("env:VersionMismatch"), FaultCode::Other);
        let f = SoapFault {
            code: FaultCode::Server,
            text: "x".into(),
        };
        assert!(f.into_error().is_transient());
    }
}
