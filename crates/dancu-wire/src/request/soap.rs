//! The SOAP request: encoded by a client, decoded and validated by a
//! gateway as an XSD-validating gateway of the same dialect would.
//!
//! ```
//! use dancu_core::registry::{IdentityQuery, Operation, RequestContext};
//! use dancu_core::{CalendarDate, IdNumber};
//! use dancu_wire::{Preset, WireRequest, request::soap};
//! let on = CalendarDate::new(2026, 11, 27).unwrap();
//! let ctx = RequestContext::new("canbo.motcua01", "1.001776".parse().unwrap()).unwrap();
//! let query = IdentityQuery::new(
//!     IdNumber::parse_on("006089000001", on).unwrap(),
//!     "Nguyễn Văn An".parse().unwrap(),
//!     "12/05/1989".parse().unwrap(),
//! ).unwrap();
//! let dialect = Preset::OpencpsLgsp.dialect();
//! let sent = WireRequest::new(Operation::Check, &ctx, &query, &dialect, "G15-TP110");
//! let xml = soap::encode(&sent, &dialect);
//! let read = soap::decode(xml.as_bytes(), &dialect).unwrap();
//! assert_eq!((read.integration_code.as_str(), read.service_code.as_str()), ("003", "G15-TP110"));
//! assert!(read.request_id.bytes().all(|b| b.is_ascii_digit()));
//! ```

use dancu_core::registry::Operation;

use super::{WireBirth, WireKey, WireRequest, digits_of, read_date, write_birth};
use crate::dialect::Dialect;
use crate::fault::RequestFault;
use crate::xml::{self, BCA_NS, Node, Ns};

/// The SOAP body element of an operation.
#[must_use]
pub const fn operation_element(op: Operation) -> &'static str {
    match op {
        Operation::Lookup => "TraCuuThongTinCongDan",
        Operation::Check => "XacThucThongTinCongDan",
    }
}

/// Encodes a request envelope, its elements in the dialect's order
/// ([`Dialect::sequence`]); `MaDonVi` only when the request has a unit.
/// Everything is XML-escaped.
#[must_use]
pub fn encode(request: &WireRequest, dialect: &Dialect) -> String {
    let mut out = String::with_capacity(768);
    out.push_str(r#"<?xml version="1.0" encoding="utf-8"?>"#);
    out.push_str(r#"<soapenv:Envelope xmlns:soapenv=""#);
    out.push_str(xml::SOAP_NS);
    out.push_str(r#"" xmlns:dan=""#);
    out.push_str(BCA_NS);
    out.push_str(r#""><soapenv:Body>"#);
    let root = operation_element(request.operation);
    xml::open(&mut out, "dan", root);
    for name in dialect.sequence() {
        match name {
            "MaYeuCau" => xml::element(&mut out, "dan", name, &request.request_id),
            "MaDVC" => xml::element(&mut out, "dan", name, &request.service_code),
            "MaTichHop" => xml::element(&mut out, "dan", name, &request.integration_code),
            "MaCanBo" => xml::element(&mut out, "dan", name, &request.officer),
            "MaDonVi" => {
                if let Some(unit) = &request.unit {
                    xml::element(&mut out, "dan", name, unit);
                }
            }
            "SoDinhDanh" => match &request.key {
                WireKey::PersonalId(p) => xml::element(&mut out, "dan", "SoDinhDanh", p),
                WireKey::Cmnd(c) => xml::element(&mut out, "dan", "SoCMND", c),
            },
            "HoVaTen" => xml::element(&mut out, "dan", name, &request.name),
            "NgayThangNamSinh" => {
                xml::open(&mut out, "dan", name);
                let (element, value) = write_birth(&request.birth, dialect);
                xml::element(&mut out, "dan", element, &value);
                xml::close_tag(&mut out, "dan", name);
            }
            extra => {
                if let Some((_, value)) = request.extras.iter().find(|(n, _)| n == extra) {
                    xml::element(&mut out, "dan", extra, value);
                }
            }
        }
    }
    xml::close_tag(&mut out, "dan", root);
    out.push_str("</soapenv:Body></soapenv:Envelope>");
    out
}

fn simple_text<'n>(node: &'n Node<'_>) -> Result<&'n str, RequestFault> {
    if let Some(c) = node.children.first() {
        return Err(RequestFault::client(format!(
            "element {} cannot contain element {}",
            node.local, c.local
        )));
    }
    Ok(node.text.trim())
}

/// Decodes and validates a request as an XSD-validating gateway of
/// `dialect` would: a SOAP 1.1 envelope whose body holds one operation
/// element in `http://dancuquocgia.bca`, its children in the dialect's
/// order, every element but `MaDonVi` present and non-empty (the
/// dialect's extra elements too), exactly one of `SoDinhDanh` and
/// `SoCMND`, exactly one of `Nam` and `NgayThangNam` (in the dialect's date
/// format). The metadata checks of [`WireRequest::check_metadata`] are the
/// caller's.
///
/// # Errors
///
/// A `Client` [`RequestFault`] whose text names the problem.
pub fn decode(bytes: &[u8], dialect: &Dialect) -> Result<WireRequest, RequestFault> {
    let root =
        xml::parse(bytes, &dialect.limits).map_err(|e| RequestFault::client(e.to_string()))?;
    if !root.is(Ns::Soap, "Envelope") {
        return Err(RequestFault::client("not a SOAP 1.1 envelope"));
    }
    let mut parts = root.children.iter();
    let mut next = parts.next();
    if next.is_some_and(|n| n.is(Ns::Soap, "Header")) {
        next = parts.next();
    }
    let body = next
        .filter(|n| n.is(Ns::Soap, "Body"))
        .ok_or_else(|| RequestFault::client("the envelope has no Body"))?;
    if let Some(extra) = parts.next() {
        return Err(RequestFault::client(format!(
            "unexpected element {} after Body",
            extra.local
        )));
    }
    let op_node = match body.children.as_slice() {
        [one] => one,
        [] => return Err(RequestFault::client("the Body is empty")),
        _ => return Err(RequestFault::client("the Body holds more than one element")),
    };
    let operation = match (op_node.ns, op_node.local.as_ref()) {
        (Some(Ns::Bca), "TraCuuThongTinCongDan") => Operation::Lookup,
        (Some(Ns::Bca), "XacThucThongTinCongDan") => Operation::Check,
        _ => {
            return Err(RequestFault::client(format!(
                "unknown operation {}",
                op_node.local
            )));
        }
    };
    if !op_node.text.trim().is_empty() {
        return Err(RequestFault::client(format!(
            "text is not allowed between the elements of {}",
            op_node.local
        )));
    }
    let sequence = dialect.sequence();
    let required = |name: &str| name != "MaDonVi";
    let slot = |local: &str| match local {
        "SoDinhDanh" | "SoCMND" => sequence.iter().position(|n| *n == "SoDinhDanh"),
        _ => sequence.iter().position(|n| *n == local),
    };
    let mut values: Vec<Option<&Node>> = vec![None; sequence.len()];
    let mut cursor = 0;
    for child in &op_node.children {
        if child.ns != Some(Ns::Bca) {
            return Err(RequestFault::client(format!(
                "element {} is not in namespace {BCA_NS}",
                child.local
            )));
        }
        let pos = slot(&child.local)
            .ok_or_else(|| RequestFault::client(format!("unexpected element {}", child.local)))?;
        if pos < cursor {
            return Err(if sequence[pos] == "SoDinhDanh" && values[pos].is_some() {
                RequestFault::client("exactly one of SoDinhDanh and SoCMND must be given")
            } else {
                RequestFault::client(format!(
                    "element {} is repeated or out of order (this gateway's order is {})",
                    child.local,
                    sequence
                        .join(", ")
                        .replace("SoDinhDanh", "SoDinhDanh|SoCMND")
                ))
            });
        }
        if let Some(missing) = sequence[cursor..pos].iter().find(|n| required(n)) {
            return Err(RequestFault::client(format!(
                "missing element {} before {}",
                display_name(missing),
                child.local
            )));
        }
        values[pos] = Some(child);
        cursor = pos.saturating_add(1); // pos < sequence.len()
    }
    if let Some(missing) = sequence[cursor..].iter().find(|n| required(n)) {
        return Err(RequestFault::client(format!(
            "missing element {}",
            display_name(missing)
        )));
    }
    let node_of = |name: &str| -> Result<&Node, RequestFault> {
        sequence
            .iter()
            .position(|n| *n == name)
            .and_then(|i| values[i])
            .ok_or_else(|| RequestFault::client(format!("missing element {name}")))
    };
    let text_of = |node: &Node| -> Result<String, RequestFault> {
        let t = simple_text(node)?;
        if t.is_empty() {
            return Err(RequestFault::client(format!(
                "element {} is empty",
                node.local
            )));
        }
        Ok(t.to_owned())
    };
    let text = |name: &str| node_of(name).and_then(text_of);
    let unit = match sequence
        .iter()
        .position(|n| *n == "MaDonVi")
        .and_then(|i| values[i])
    {
        Some(n) => Some(text_of(n)?),
        None => None,
    };
    let key_node = node_of("SoDinhDanh")?;
    let key_text = text_of(key_node)?;
    let key = if key_node.local == "SoDinhDanh" {
        WireKey::PersonalId(digits_of(&key_text, 12, "SoDinhDanh")?)
    } else {
        WireKey::Cmnd(digits_of(&key_text, 9, "SoCMND")?)
    };
    let birth_node = node_of("NgayThangNamSinh")?;
    let birth = match birth_node.children.as_slice() {
        [one] if one.ns == Some(Ns::Bca) && one.local == "Nam" => {
            WireBirth::Year(digits_of(simple_text(one)?, 4, "Nam")?)
        }
        [one] if one.ns == Some(Ns::Bca) && one.local == "NgayThangNam" => {
            read_date(simple_text(one)?, dialect)?
        }
        [] => {
            return Err(RequestFault::client(
                "NgayThangNamSinh must contain Nam or NgayThangNam",
            ));
        }
        [one] => {
            return Err(RequestFault::client(format!(
                "unexpected element {} in NgayThangNamSinh",
                one.local
            )));
        }
        _ => {
            return Err(RequestFault::client(
                "NgayThangNamSinh must contain exactly one of Nam and NgayThangNam",
            ));
        }
    };
    let mut extras = Vec::with_capacity(dialect.extra_elements.len());
    for (name, _) in &dialect.extra_elements {
        extras.push((name.clone(), text(name)?));
    }
    Ok(WireRequest {
        operation,
        request_id: text("MaYeuCau")?,
        service_code: text("MaDVC")?,
        integration_code: text("MaTichHop")?,
        officer: text("MaCanBo")?,
        unit,
        key,
        name: text("HoVaTen")?,
        birth,
        extras,
        dossier: None,
        otp: None,
    })
}

fn display_name(name: &str) -> &str {
    if name == "SoDinhDanh" {
        "SoDinhDanh|SoCMND"
    } else {
        name
    }
}
