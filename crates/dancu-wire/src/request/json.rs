//! The provincial JSON request: one object, its keys in the dialect's case
//! (`HoVaTen` or `hoVaTen`), absent values omitted or sent as `null`, the
//! dialect's extra elements, and — with the citizen OTP only — `MaHoSo`
//! and `OTP`. Keys are written in the dialect's element order, never
//! serialised from a map.
//!
//! ```
//! use dancu_core::registry::{IdentityQuery, Operation, RequestContext};
//! use dancu_core::{CalendarDate, IdNumber};
//! use dancu_wire::{Preset, WireRequest, request::json};
//! let on = CalendarDate::new(2026, 11, 27).unwrap();
//! let ctx = RequestContext::new("canbo.motcua01", "1.001776".parse().unwrap()).unwrap();
//! let query = IdentityQuery::new(
//!     IdNumber::parse_on("006089000001", on).unwrap(),
//!     "Nguyễn Văn An".parse().unwrap(),
//!     "1989".parse().unwrap(),
//! ).unwrap();
//! let dialect = Preset::TandanJson.dialect();
//! let body = json::encode(&WireRequest::new(Operation::Lookup, &ctx, &query, &dialect, "G15-TP110"), &dialect);
//! let v: serde_json::Value = serde_json::from_str(&body).unwrap();
//! assert_eq!((v["soDinhDanh"].as_str(), v["soCMND"].is_null(), v["nam"].as_str()),
//!            (Some("006089000001"), true, Some("1989")));
//! ```

use dancu_core::registry::Operation;

use super::{WireBirth, WireKey, WireRequest, digits_of, read_date};
use crate::dialect::Dialect;
use crate::fault::RequestFault;

fn push_key(out: &mut String, dialect: &Dialect, element: &str) {
    if out.len() > 1 {
        out.push(',');
    }
    // Element names are ASCII letters and digits (checked by the dialect):
    // nothing to escape.
    out.push('"');
    out.push_str(&dialect.json_keys.key(element));
    out.push('"');
    out.push(':');
}

fn push(out: &mut String, dialect: &Dialect, element: &str, value: Option<&str>) {
    match value {
        Some(v) => {
            push_key(out, dialect, element);
            out.push_str(&serde_json::Value::String(v.to_owned()).to_string());
        }
        None if dialect.json_nulls => {
            push_key(out, dialect, element);
            out.push_str("null");
        }
        None => {}
    }
}

/// Encodes the request as the dialect's JSON object.
#[must_use]
pub fn encode(request: &WireRequest, dialect: &Dialect) -> String {
    let mut out = String::with_capacity(384);
    out.push('{');
    for name in dialect.sequence() {
        match name {
            "MaYeuCau" => push(&mut out, dialect, name, Some(&request.request_id)),
            "MaDVC" => push(&mut out, dialect, name, Some(&request.service_code)),
            "MaTichHop" => push(&mut out, dialect, name, Some(&request.integration_code)),
            "MaCanBo" => push(&mut out, dialect, name, Some(&request.officer)),
            // The JSON has no unit slot.
            "MaDonVi" => {}
            "SoDinhDanh" => {
                let (id, cmnd) = match &request.key {
                    WireKey::PersonalId(p) => (Some(p.as_str()), None),
                    WireKey::Cmnd(c) => (None, Some(c.as_str())),
                };
                push(&mut out, dialect, "SoDinhDanh", id);
                push(&mut out, dialect, "SoCMND", cmnd);
            }
            "HoVaTen" => push(&mut out, dialect, name, Some(&request.name)),
            "NgayThangNamSinh" => {
                let (date, year) = match &request.birth {
                    WireBirth::Date(d) => (Some(dialect.date_format.write(d)), None),
                    WireBirth::Year(y) => (None, Some(y.as_str())),
                };
                push(&mut out, dialect, "NgayThangNam", date.as_deref());
                push(&mut out, dialect, "Nam", year);
            }
            extra => {
                if let Some((_, v)) = request.extras.iter().find(|(n, _)| n == extra) {
                    // Extra elements keep the name they were given.
                    if out.len() > 1 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::Value::String(extra.to_owned()).to_string());
                    out.push(':');
                    out.push_str(&serde_json::Value::String(v.clone()).to_string());
                }
            }
        }
    }
    if dialect.citizen_otp {
        push(&mut out, dialect, "MaHoSo", request.dossier.as_deref());
        push(&mut out, dialect, "OTP", request.otp.as_deref());
    }
    out.push('}');
    out
}

/// Decodes and validates a provincial request for `op` (the path decides
/// the operation): a JSON object with non-empty strings for `MaYeuCau`,
/// `MaDVC`, `MaTichHop`, `MaCanBo`, `HoVaTen` and the dialect's extra
/// elements, keys in the dialect's case (`null` counts as absent);
/// exactly one of `SoDinhDanh` (12 digits) and `SoCMND` (9 digits);
/// exactly one of `NgayThangNam` (the dialect's date format) and `Nam`
/// (4 digits); with the citizen OTP, optional `MaHoSo` and `OTP`.
///
/// # Errors
///
/// A [`RequestFault`] whose text names the problem (the gateway answers it
/// as a refusal).
pub fn decode(op: Operation, bytes: &[u8], dialect: &Dialect) -> Result<WireRequest, RequestFault> {
    let json: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|_| RequestFault::client("the request is not JSON"))?;
    let obj = json
        .as_object()
        .ok_or_else(|| RequestFault::client("the request is not a JSON object"))?;
    let opt_raw = |k: &str| -> Result<Option<String>, RequestFault> {
        match obj.get(k) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) if s.trim().is_empty() => {
                Err(RequestFault::client(format!("{k} is empty")))
            }
            Some(serde_json::Value::String(s)) => Ok(Some(s.trim().to_owned())),
            Some(_) => Err(RequestFault::client(format!("{k} must be a string"))),
        }
    };
    let opt = |element: &str| opt_raw(&dialect.json_keys.key(element));
    let req = |element: &str| {
        let k = dialect.json_keys.key(element);
        opt_raw(&k)?.ok_or_else(|| RequestFault::client(format!("missing field {k}")))
    };
    let keys = |a: &str, b: &str| {
        format!(
            "{} and {}",
            dialect.json_keys.key(a),
            dialect.json_keys.key(b)
        )
    };
    let key = match (opt("SoDinhDanh")?, opt("SoCMND")?) {
        (Some(id), None) => {
            WireKey::PersonalId(digits_of(&id, 12, &dialect.json_keys.key("SoDinhDanh"))?)
        }
        (None, Some(c)) => WireKey::Cmnd(digits_of(&c, 9, &dialect.json_keys.key("SoCMND"))?),
        _ => {
            return Err(RequestFault::client(format!(
                "exactly one of {} must be given",
                keys("SoDinhDanh", "SoCMND")
            )));
        }
    };
    let birth = match (opt("NgayThangNam")?, opt("Nam")?) {
        (Some(d), None) => read_date(&d, dialect)?,
        (None, Some(y)) => WireBirth::Year(digits_of(&y, 4, &dialect.json_keys.key("Nam"))?),
        _ => {
            return Err(RequestFault::client(format!(
                "exactly one of {} must be given",
                keys("NgayThangNam", "Nam")
            )));
        }
    };
    let mut extras = Vec::with_capacity(dialect.extra_elements.len());
    for (name, _) in &dialect.extra_elements {
        let v =
            opt_raw(name)?.ok_or_else(|| RequestFault::client(format!("missing field {name}")))?;
        extras.push((name.clone(), v));
    }
    let (dossier, otp) = if dialect.citizen_otp {
        (opt("MaHoSo")?, opt("OTP")?)
    } else {
        (None, None)
    };
    Ok(WireRequest {
        operation: op,
        request_id: req("MaYeuCau")?,
        service_code: req("MaDVC")?,
        integration_code: req("MaTichHop")?,
        officer: req("MaCanBo")?,
        unit: None,
        key,
        name: req("HoVaTen")?,
        birth,
        extras,
        dossier,
        otp,
    })
}
