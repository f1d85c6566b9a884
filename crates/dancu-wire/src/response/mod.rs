//! Answers, both directions: the full lookup's `CongdanCollection` and the
//! yes/no check's answer, in a SOAP envelope or bare (as the provincial
//! JSON gateways carry them in `message`).
//!
//! Decoders are namespace-aware (any prefix, default namespaces), ignore
//! whitespace and element order, treat empty and missing elements alike,
//! accept the check answer as `KetQuaXacThucResponse`,
//! `XacThucThongTinCongDanResponse` or `KetQuaXacThuc`, and convert every
//! field through the core's parsers. They never panic: bad input is a
//! [`DecodeError`].
//!
//! ```
//! use dancu_core::CalendarDate;
//! use dancu_wire::response::{decode_lookup, LookupAnswer, SoapReply};
//! use dancu_wire::Limits;
//! let body = br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
//!   <CongdanCollection xmlns="http://www.mic.gov.vn/dancu/1.0" SoCongDan="0"/></s:Body></s:Envelope>"#;
//! let on = CalendarDate::new(2026, 11, 27).unwrap();
//! let SoapReply::Answer(LookupAnswer { record, as_of }) = decode_lookup(body, on, &Limits::default()).unwrap()
//! else { panic!("not an answer") };
//! assert!(record.is_none() && as_of.is_none()); // no ThoiDiemDuLieu: unknown, not an error
//! ```

mod record;

use dancu_core::CalendarDate;
use dancu_core::registry::{CitizenRecord, RecordField};

use crate::dialect::CheckElement;
use crate::fault::{DecodeError, SoapFault, envelope_close, envelope_open, fault, invalid};
use crate::xml::{self, BCA_NS, Limits, MIC_NS, Node, Ns};

/// What a decoder gives.
pub type Decoded<T> = Result<T, DecodeError>;

/// An answer or a fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SoapReply<T> {
    /// The answer the operation defines.
    Answer(T),
    /// A SOAP fault.
    Fault(SoapFault),
}

/// A decoded full-lookup answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LookupAnswer {
    /// The citizen, or `None` for "not found" (`SoCongDan="0"` or no
    /// `CongDan`).
    pub record: Option<Box<CitizenRecord>>,
    /// `ThoiDiemDuLieu`, the data's as-of time, as sent; `None` when absent
    /// (or, for a found record, flagged as undecodable).
    pub as_of: Option<String>,
}

fn parse<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Node<'a>, DecodeError> {
    xml::parse(bytes, limits).map_err(|e| DecodeError::Syntax(e.to_string()))
}

fn body<'n, 'a>(root: &'n Node<'a>) -> Result<&'n Node<'a>, DecodeError> {
    if !root.is(Ns::Soap, "Envelope") {
        return Err(DecodeError::NotSoap);
    }
    let body = root
        .children
        .iter()
        .find(|c| c.is(Ns::Soap, "Body"))
        .ok_or(DecodeError::NotSoap)?;
    body.children.first().ok_or(DecodeError::Unexpected {
        expected: "an answer in the SOAP body",
        found: "nothing".to_owned(),
    })
}

/// Decodes a full-lookup answer: a `CongdanCollection` or a SOAP fault.
/// Personal IDs are checked against `on` (today in Vietnam, for a client).
///
/// # Errors
///
/// [`DecodeError`] when the bytes are not the contract's answer, or the
/// citizen's own `SoDinhDanh` or `HoVaTen` is missing or does not parse.
pub fn decode_lookup(
    bytes: &[u8],
    on: CalendarDate,
    limits: &Limits,
) -> Result<SoapReply<LookupAnswer>, DecodeError> {
    let root = parse(bytes, limits)?;
    let node = body(&root)?;
    if let Some(f) = fault(node) {
        return Ok(SoapReply::Fault(f));
    }
    decode_collection_node(node, on).map(SoapReply::Answer)
}

/// Decodes a bare `CongdanCollection` document (as a provincial JSON
/// gateway sends it inside `message`), or one wrapped in a SOAP envelope.
///
/// # Errors
///
/// As [`decode_lookup`]; a SOAP fault here is an error too.
pub fn decode_collection(bytes: &[u8], on: CalendarDate, limits: &Limits) -> Decoded<LookupAnswer> {
    let root = parse(bytes, limits)?;
    if root.is(Ns::Soap, "Envelope") {
        let node = body(&root)?;
        if let Some(f) = fault(node) {
            return Err(DecodeError::Unexpected {
                expected: "CongdanCollection",
                found: format!("Fault ({})", f.code.as_str()),
            });
        }
        return decode_collection_node(node, on);
    }
    decode_collection_node(&root, on)
}

/// Decodes a yes/no answer (any of the three elements, any prefix, child
/// `TonTai`) or a fault.
///
/// # Errors
///
/// [`DecodeError`] when the bytes are not that answer, or `TonTai` is not an
/// `xs:boolean`.
pub fn decode_check(bytes: &[u8], limits: &Limits) -> Result<SoapReply<bool>, DecodeError> {
    let root = parse(bytes, limits)?;
    let node = body(&root)?;
    if let Some(f) = fault(node) {
        return Ok(SoapReply::Fault(f));
    }
    decode_check_node(node).map(SoapReply::Answer)
}

/// Whether the answer document is a yes: a check answer with `TonTai`, or
/// a `CongdanCollection` that holds a citizen, bare or in an envelope.
///
/// # Errors
///
/// As [`decode_check`] and [`decode_collection`].
pub fn decode_check_document(bytes: &[u8], on: CalendarDate, limits: &Limits) -> Decoded<bool> {
    let root = parse(bytes, limits)?;
    let node = if root.is(Ns::Soap, "Envelope") {
        body(&root)?
    } else {
        &root
    };
    if let Some(f) = fault(node) {
        return Err(DecodeError::Unexpected {
            expected: "a check answer",
            found: format!("Fault ({})", f.code.as_str()),
        });
    }
    if node.local == "CongdanCollection" {
        return decode_collection_node(node, on).map(|a| a.record.is_some());
    }
    decode_check_node(node)
}

fn decode_check_node(node: &Node) -> Result<bool, DecodeError> {
    if !CheckElement::ALL.iter().any(|e| node.local == e.as_str()) {
        return Err(DecodeError::Unexpected {
            expected: "XacThucThongTinCongDanResponse, KetQuaXacThuc or KetQuaXacThucResponse",
            found: node.local.to_string(),
        });
    }
    // xs:boolean is `true`/`false`/`1`/`0`; some stacks capitalise it.
    let ton_tai = node
        .children
        .iter()
        .find(|c| c.local == "TonTai")
        .map(|c| c.text.trim())
        .filter(|t| !t.is_empty());
    parse_boolean(ton_tai)
}

pub(crate) fn parse_boolean(value: Option<&str>) -> Result<bool, DecodeError> {
    match value {
        Some(t) if t.eq_ignore_ascii_case("true") || t == "1" => Ok(true),
        Some(t) if t.eq_ignore_ascii_case("false") || t == "0" => Ok(false),
        Some(_) => Err(invalid("TonTai", "not true or false")),
        None => Err(DecodeError::Missing("TonTai")),
    }
}

fn is_datetime(s: &str) -> bool {
    // xs:dateTime: yyyy-mm-ddThh:mm:ss, optional fraction and zone.
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() < 19
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
        || b[10] != b'T'
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest.as_bytes() {
        [] | [b'Z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit()),
        _ => false,
    }
}

fn decode_collection_node(node: &Node, on: CalendarDate) -> Result<LookupAnswer, DecodeError> {
    if !node.is(Ns::Mic, "CongdanCollection") {
        return Err(DecodeError::Unexpected {
            expected: "CongdanCollection",
            found: node.local.to_string(),
        });
    }
    // An as-of time that is not an xs:dateTime is unknown: dropped, and
    // flagged on a found record.
    let raw_as_of = node
        .attr("ThoiDiemDuLieu")
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let as_of = raw_as_of.filter(|t| is_datetime(t)).map(str::to_owned);
    let count = match node.attr("SoCongDan").map(str::trim) {
        None | Some("") => None,
        Some(n) => Some(
            n.parse::<u32>()
                .map_err(|_| invalid("SoCongDan", "not a count"))?,
        ),
    };
    let citizens: Vec<&Node> = node
        .children
        .iter()
        .filter(|c| c.local == "CongDan" && c.ns.is_some_and(|n| record::ANSWER_NS.contains(&n)))
        .collect();
    let record = match (count, citizens.as_slice()) {
        (Some(0) | None, []) => None,
        (Some(n), []) => {
            return Err(invalid(
                "SoCongDan",
                format!("says {n} citizens but none is given"),
            ));
        }
        (Some(0), [_, ..]) => {
            return Err(invalid("SoCongDan", "says 0 but a citizen is given"));
        }
        (_, [one]) => {
            let mut record = record::decode_citizen(one, on)?;
            record.as_of.clone_from(&as_of);
            if let (Some(raw), None) = (raw_as_of, &as_of) {
                record.flag(RecordField::AsOf, Some(raw), "not an xs:dateTime");
            }
            Some(Box::new(record))
        }
        (_, [_, _, ..]) => {
            return Err(invalid(
                "CongdanCollection",
                "more than one citizen in a lookup answer",
            ));
        }
    };
    Ok(LookupAnswer { record, as_of })
}

// ---------------------------------------------------------------------------
// Server side
// ---------------------------------------------------------------------------

/// `write` in a SOAP envelope.
fn enveloped(capacity: usize, write: impl FnOnce(&mut String)) -> String {
    let mut out = String::with_capacity(capacity);
    envelope_open(&mut out);
    write(&mut out);
    envelope_close(&mut out);
    out
}

/// `write` alone.
fn bare(capacity: usize, write: impl FnOnce(&mut String)) -> String {
    let mut out = String::with_capacity(capacity);
    write(&mut out);
    out
}

/// Encodes a full-lookup answer: a `CongdanCollection` with the citizen, or
/// an empty one (`SoCongDan="0"`) for `None`. `as_of` is `ThoiDiemDuLieu`
/// (not written when `None`).
#[must_use]
pub fn encode_lookup(record: Option<&CitizenRecord>, as_of: Option<&str>) -> String {
    enveloped(3072, |out| encode_collection_into(out, record, as_of))
}

/// Encodes the bare `CongdanCollection` document.
#[must_use]
pub fn encode_collection(record: Option<&CitizenRecord>, as_of: Option<&str>) -> String {
    bare(3072, |out| encode_collection_into(out, record, as_of))
}

fn encode_collection_into(out: &mut String, record: Option<&CitizenRecord>, as_of: Option<&str>) {
    out.push_str(r#"<ns1:CongdanCollection xmlns:ns1=""#);
    out.push_str(MIC_NS);
    out.push_str(r#"" SoCongDan=""#);
    out.push_str(if record.is_some() { "1" } else { "0" });
    out.push('"');
    if let Some(t) = as_of {
        out.push_str(r#" ThoiDiemDuLieu=""#);
        xml::escape_into(out, t);
        out.push('"');
    }
    let Some(r) = record else {
        out.push_str("/>");
        return;
    };
    out.push('>');
    record::encode_citizen(out, r);
    xml::close_tag(out, "ns1", "CongdanCollection");
}

/// Encodes a yes/no answer as `element`/`TonTai` in an envelope.
#[must_use]
pub fn encode_check(exists: bool, element: CheckElement) -> String {
    enveloped(320, |out| encode_check_into(out, exists, element))
}

/// Encodes the bare yes/no answer element.
#[must_use]
pub fn encode_check_document(exists: bool, element: CheckElement) -> String {
    bare(160, |out| encode_check_into(out, exists, element))
}

fn encode_check_into(out: &mut String, exists: bool, element: CheckElement) {
    out.push_str("<ns2:");
    out.push_str(element.as_str());
    out.push_str(r#" xmlns:ns2=""#);
    out.push_str(BCA_NS);
    out.push_str(r#"">"#);
    xml::element(out, "ns2", "TonTai", if exists { "true" } else { "false" });
    xml::close_tag(out, "ns2", element.as_str());
}
