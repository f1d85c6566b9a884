//! The provincial JSON answers, both directions: `{"error_code": …,
//! "message": …}` with the XML answer inside `message` (the contract, Tân
//! Dân), and `{"data": "true"}` / `{"data": "false"}` for a yes/no check
//! (OpenCPS Đồng Tháp).
//!
//! ```
//! use dancu_wire::envelope::{decode_reply, encode_data, encode_reply, JsonReply};
//! let v: serde_json::Value = serde_json::from_str(&encode_data(true)).unwrap();
//! assert_eq!(decode_reply(&v, false).unwrap(), JsonReply::Data(true));
//! let v: serde_json::Value = serde_json::from_str(&encode_reply(1, "00")).unwrap();
//! assert_eq!(decode_reply(&v, true).unwrap(), JsonReply::OtpRequired);
//! assert!(matches!(decode_reply(&v, false).unwrap(), JsonReply::Refused { .. }));
//! ```

use dancu_core::mask_numbers;

use crate::fault::DecodeError;

/// `message` of a reply asking for the citizen's one-time password.
pub const OTP_REQUIRED: &str = "00";
/// `message` of a reply refusing a wrong one-time password.
pub const OTP_REJECTED: &str = "01";

/// What a provincial reply says, once read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JsonReply<'a> {
    /// `error_code` 0: `message` holds the XML answer.
    Xml(&'a str),
    /// `{"data": …}`: a yes/no answer.
    Data(bool),
    /// `"00"`: the citizen must confirm a one-time password (dialects with
    /// the citizen OTP only).
    OtpRequired,
    /// `"01"`: the one-time password was wrong (same).
    OtpRejected,
    /// A refusal: the code and the text, ID numbers and dates masked.
    Refused {
        /// `error_code`.
        code: i64,
        /// `message`.
        text: String,
    },
}

fn not_json(what: &'static str) -> DecodeError {
    DecodeError::Unexpected {
        expected: "the gateway's JSON reply",
        found: what.to_owned(),
    }
}

/// Reads a reply object. `citizen_otp`: whether `"00"`/`"01"` mean the
/// one-time-password round trip (otherwise they are refusals like any
/// other text).
///
/// # Errors
///
/// [`DecodeError`] when the object is neither shape.
pub fn decode_reply(
    json: &serde_json::Value,
    citizen_otp: bool,
) -> Result<JsonReply<'_>, DecodeError> {
    let obj = json.as_object().ok_or_else(|| not_json("not an object"))?;
    if let Some(data) = obj.get("data")
        && !obj.contains_key("error_code")
    {
        let text = match data {
            serde_json::Value::Bool(b) => return Ok(JsonReply::Data(*b)),
            serde_json::Value::String(s) => s.trim(),
            _ => return Err(not_json("data that is not true or false")),
        };
        return crate::response::parse_boolean(Some(text))
            .map(JsonReply::Data)
            .map_err(|_| not_json("data that is not true or false"));
    }
    let code = match obj.get("error_code") {
        Some(serde_json::Value::Number(n)) => n
            .as_i64()
            .ok_or_else(|| not_json("an error_code that is not an integer"))?,
        Some(serde_json::Value::String(s)) => s
            .trim()
            .parse()
            .map_err(|_| not_json("an error_code that is not an integer"))?,
        _ => return Err(not_json("a reply without error_code")),
    };
    let message = obj
        .get("message")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| not_json("a reply without a message string"))?;
    Ok(match (code, message.trim()) {
        (0, xml) => JsonReply::Xml(xml),
        (_, OTP_REQUIRED) if citizen_otp => JsonReply::OtpRequired,
        (_, OTP_REJECTED) if citizen_otp => JsonReply::OtpRejected,
        (code, text) => JsonReply::Refused {
            code,
            text: mask_numbers(text),
        },
    })
}

/// `{"error_code": code, "message": message}`.
#[must_use]
pub fn encode_reply(error_code: i64, message: &str) -> String {
    serde_json::json!({ "error_code": error_code, "message": message }).to_string()
}

/// `{"data": "true"}` or `{"data": "false"}`.
#[must_use]
pub fn encode_data(exists: bool) -> String {
    serde_json::json!({ "data": if exists { "true" } else { "false" } }).to_string()
}
