//! The provincial JSON wire format, server side: what a provincial gateway
//! receives and answers. The sandbox and the wiremock responders use it to
//! play the provincial gateway; [`super::ProvincialGateway`] is the client.
//!
//! ```
//! use dancu_core::registry::Operation;
//! use dancu_popdb::gateway::json::{decode_json_request, encode_json_reply, OTP_REQUIRED};
//! let body = br#"{"MaYeuCau":"7f0c2a9e-3b1d-4c55-9a61-0d2f6f1e8b42","MaDVC":"1.001776",
//!   "MaTichHop":"037","MaCanBo":"canbo.motcua01","HoVaTen":"NGUYEN VAN AN",
//!   "SoDinhDanh":"006089000001","Nam":"1989"}"#;
//! let request = decode_json_request(Operation::Lookup, body).unwrap();
//! assert!(request.otp.is_none());
//! assert_eq!(encode_json_reply(1, OTP_REQUIRED), r#"{"error_code":1,"message":"00"}"#);
//! ```

use std::fmt;

use dancu_core::registry::{CitizenRecord, IdentityQuery, Operation, RequestContext};
use dancu_core::{CalendarDate, DossierCode};

use super::soap::{self, FaultCode, RequestFault, WireBirth, WireKey, WireRequest};

/// `message` of a reply asking for the citizen's one-time password.
pub const OTP_REQUIRED: &str = "00";
/// `message` of a reply refusing a wrong one-time password.
pub const OTP_REJECTED: &str = "01";

/// A provincial request: the fields it shares with the SOAP request, plus
/// the dossier code and the one-time password. `Debug` hides the ID, name,
/// birth date and password.
#[derive(Clone, PartialEq, Eq)]
pub struct JsonRequest {
    /// The common fields (`unit` is always `None`: the JSON has no slot).
    pub request: WireRequest,
    /// `MaHoSo`.
    pub dossier: Option<String>,
    /// `OTP`.
    pub otp: Option<String>,
}

impl fmt::Debug for JsonRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonRequest")
            .field("request", &self.request)
            .field("dossier", &self.dossier)
            .field("otp", &self.otp.as_ref().map(|_| "<hidden>"))
            .finish()
    }
}

fn refuse(text: impl Into<String>) -> RequestFault {
    RequestFault {
        code: FaultCode::Client,
        text: text.into(),
    }
}

impl JsonRequest {
    /// The query, with the one-time password when one was sent.
    ///
    /// # Errors
    ///
    /// A [`RequestFault`] naming the field that does not parse.
    pub fn to_query(&self, on: CalendarDate) -> Result<IdentityQuery, RequestFault> {
        let q = self.request.to_query(on)?;
        match &self.otp {
            Some(otp) => Ok(q.with_otp(otp.parse().map_err(|e| refuse(format!("OTP: {e}")))?)),
            None => Ok(q),
        }
    }

    /// The request context, with the dossier when one was sent.
    ///
    /// # Errors
    ///
    /// A [`RequestFault`] naming the field that does not parse.
    pub fn to_context(&self) -> Result<RequestContext, RequestFault> {
        let ctx = self.request.to_context()?;
        match &self.dossier {
            Some(d) => Ok(ctx.with_dossier(
                d.parse::<DossierCode>()
                    .map_err(|e| refuse(format!("MaHoSo: {e}")))?,
            )),
            None => Ok(ctx),
        }
    }
}

/// Decodes and validates a provincial request for `op` (the path decides
/// the operation): a JSON object with non-empty strings `MaYeuCau`,
/// `MaDVC`, `MaTichHop`, `MaCanBo`, `HoVaTen`; exactly one of
/// `SoDinhDanh` (12 digits) and `SoCMND` (9 digits); exactly one of
/// `NgayThangNam` (8 digits) and `Nam` (4 digits); optional `MaHoSo` and
/// `OTP` strings.
///
/// # Errors
///
/// A [`RequestFault`] whose text names the problem (the gateway answers it
/// as a refusal).
pub fn decode_json_request(op: Operation, bytes: &[u8]) -> Result<JsonRequest, RequestFault> {
    let json: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|_| refuse("the request is not JSON"))?;
    let obj = json
        .as_object()
        .ok_or_else(|| refuse("the request is not a JSON object"))?;
    let opt = |k: &str| -> Result<Option<String>, RequestFault> {
        match obj.get(k) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) if s.trim().is_empty() => {
                Err(refuse(format!("{k} is empty")))
            }
            Some(serde_json::Value::String(s)) => Ok(Some(s.trim().to_owned())),
            Some(_) => Err(refuse(format!("{k} must be a string"))),
        }
    };
    let req = |k: &str| opt(k)?.ok_or_else(|| refuse(format!("missing field {k}")));
    let digits = |v: String, n: usize, k: &str| {
        if v.len() == n && v.bytes().all(|b| b.is_ascii_digit()) {
            Ok(v)
        } else {
            Err(refuse(format!("{k} must be {n} digits")))
        }
    };
    let key = match (opt("SoDinhDanh")?, opt("SoCMND")?) {
        (Some(id), None) => WireKey::PersonalId(digits(id, 12, "SoDinhDanh")?),
        (None, Some(c)) => WireKey::Cmnd(digits(c, 9, "SoCMND")?),
        _ => return Err(refuse("exactly one of SoDinhDanh and SoCMND must be given")),
    };
    let birth = match (opt("NgayThangNam")?, opt("Nam")?) {
        (Some(d), None) => WireBirth::Date(digits(d, 8, "NgayThangNam")?),
        (None, Some(y)) => WireBirth::Year(digits(y, 4, "Nam")?),
        _ => return Err(refuse("exactly one of NgayThangNam and Nam must be given")),
    };
    Ok(JsonRequest {
        request: WireRequest {
            operation: op,
            request_id: req("MaYeuCau")?,
            procedure: req("MaDVC")?,
            integration_code: req("MaTichHop")?,
            officer: req("MaCanBo")?,
            unit: None,
            key,
            name: req("HoVaTen")?,
            birth,
        },
        dossier: opt("MaHoSo")?,
        otp: opt("OTP")?,
    })
}

/// `{"error_code": code, "message": message}`.
#[must_use]
pub fn encode_json_reply(error_code: i64, message: &str) -> String {
    serde_json::json!({ "error_code": error_code, "message": message }).to_string()
}

/// A lookup answer: `error_code` 0 with the `CongdanCollection` (empty for
/// `None`).
#[must_use]
pub fn encode_lookup_reply(record: Option<&CitizenRecord>, as_of: &str) -> String {
    encode_json_reply(0, &soap::encode_collection(record, as_of))
}

/// A check answer: `error_code` 0 with a bare `KetQuaXacThucResponse`.
#[must_use]
pub fn encode_check_reply(exists: bool) -> String {
    encode_json_reply(0, &soap::encode_check_document(exists))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"MaYeuCau":"7f0c2a9e-3b1d-4c55-9a61-0d2f6f1e8b42","MaDVC":"1.001776","MaTichHop":"037","MaCanBo":"canbo.motcua01","HoVaTen":"NGUYỄN VĂN AN","SoDinhDanh":"006089000001","NgayThangNam":"19890512","MaHoSo":"000.00.21.H06-261127-0001","OTP":"482913"}"#;

    fn on() -> CalendarDate {
        CalendarDate::new(2026, 11, 27).unwrap()
    }

    #[test]
    fn decodes_a_request_with_dossier_and_otp() {
        let r = decode_json_request(Operation::Lookup, GOOD.as_bytes()).unwrap();
        let q = r.to_query(on()).unwrap();
        assert_eq!(q.otp().unwrap().as_str(), "482913");
        assert_eq!(q.birth_date().to_yyyymmdd().as_deref(), Some("19890512"));
        let c = r.to_context().unwrap();
        assert_eq!(
            c.dossier().unwrap().to_string(),
            "000.00.21.H06-261127-0001"
        );
        assert_eq!(
            c.request_id().to_string(),
            "7f0c2a9e-3b1d-4c55-9a61-0d2f6f1e8b42"
        );
        let debug = format!("{r:?}");
        for hidden in ["006089000001", "NGUY", "19890512", "482913"] {
            assert!(!debug.contains(hidden), "{hidden}");
        }
    }

    #[test]
    fn refuses_bad_requests_naming_the_problem() {
        let edit = |from: &str, to: &str| GOOD.replace(from, to);
        for (body, expected) in [
            ("[1]".to_owned(), "not a JSON object"),
            ("nope".to_owned(), "not JSON"),
            (
                edit(r#""MaCanBo":"canbo.motcua01","#, ""),
                "missing field MaCanBo",
            ),
            (
                edit(r#""MaYeuCau":"7f0c2a9e-3b1d-4c55-9a61-0d2f6f1e8b42","#, ""),
                "missing field MaYeuCau",
            ),
            (
                edit(r#""MaCanBo":"canbo.motcua01""#, r#""MaCanBo":" ""#),
                "MaCanBo is empty",
            ),
            (
                edit(r#""MaDVC":"1.001776""#, r#""MaDVC":1"#),
                "MaDVC must be a string",
            ),
            (
                edit(
                    r#""SoDinhDanh":"006089000001","#,
                    r#""SoDinhDanh":"006089000001","SoCMND":"095000111","#,
                ),
                "exactly one of SoDinhDanh",
            ),
            (
                edit(r#""SoDinhDanh":"006089000001","#, ""),
                "exactly one of SoDinhDanh",
            ),
            (
                edit(
                    r#""NgayThangNam":"19890512","#,
                    r#""NgayThangNam":"1989-05-12","#,
                ),
                "NgayThangNam must be 8 digits",
            ),
            (
                edit(
                    r#""NgayThangNam":"19890512","#,
                    r#""NgayThangNam":"19890512","Nam":"1989","#,
                ),
                "exactly one of NgayThangNam",
            ),
        ] {
            let fault = decode_json_request(Operation::Check, body.as_bytes()).unwrap_err();
            assert!(fault.text.contains(expected), "{expected}: {}", fault.text);
        }
        let r = decode_json_request(Operation::Lookup, edit("482913", "48291").as_bytes()).unwrap();
        assert!(r.to_query(on()).unwrap_err().text.starts_with("OTP"));
    }

    #[test]
    fn replies_decode_with_the_client_side() {
        let v: serde_json::Value = serde_json::from_str(&encode_check_reply(true)).unwrap();
        assert_eq!(v["error_code"], 0);
        assert!(soap::decode_check_document(v["message"].as_str().unwrap().as_bytes()).unwrap());
        let v: serde_json::Value =
            serde_json::from_str(&encode_lookup_reply(None, "2026-11-20T08:00:00")).unwrap();
        let a = soap::decode_collection(v["message"].as_str().unwrap().as_bytes()).unwrap();
        assert!(a.record.is_none());
    }
}
