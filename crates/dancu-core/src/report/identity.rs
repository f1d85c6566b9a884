//! `dancu id inspect --json`.

use serde::{Serialize, Serializer};

use super::ErrorReport;
use crate::CalendarDate;
use crate::identity::{Cmnd, IdNumber, IdNumberError, Registration};

/// One inspected identity number: the object `dancu id inspect --json`
/// prints, with exactly these keys in this order:
///
/// - `input`: the text as given;
/// - `valid`: whether it parsed;
/// - `kind`: `personal_id`, `cmnd`, `passport`, `tax_code`, or `null` when
///   no shape fits (set for invalid inputs too);
/// - `canonical`: the canonical form, `null` when invalid;
/// - `registration`: for a personal ID, `{code, province,
///   province_since_2025, abroad}` (the provinces `null` when registered
///   abroad);
/// - `gender`, `birth_year`: what a personal ID encodes;
/// - `document_valid_on`: for a CMND, whether it was still a valid identity
///   document on the reference date (`true`/`false`); `null` otherwise;
/// - `document_valid_until`: for a CMND, the last day any CMND was valid
///   (`"2024-12-31"`); `null` otherwise;
/// - `error`: `{code, message}` with a stable code, or `null`.
///
/// Serialising allocates nothing for a valid input.
///
/// ```
/// use dancu_core::report::IdReport;
/// use dancu_core::{CalendarDate, IdNumber};
///
/// let on = CalendarDate::new(2026, 11, 27)?;
/// let parsed = IdNumber::parse_on("006 089 000 001", on);
/// let json = serde_json::to_value(IdReport::new("006 089 000 001", &parsed, on))?;
/// assert_eq!(json["canonical"], "006089000001");
/// assert_eq!(json["registration"]["code"], "006");
/// assert_eq!(json["registration"]["province_since_2025"], "Thái Nguyên");
/// assert_eq!(json["birth_year"], 1989);
/// assert_eq!(json["document_valid_on"], serde_json::Value::Null);
///
/// let cmnd = IdNumber::parse_on("095123456", on);
/// let json = serde_json::to_value(IdReport::new("095123456", &cmnd, on))?;
/// assert_eq!(json["document_valid_on"], false);
/// assert_eq!(json["document_valid_until"], "2024-12-31");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct IdReport<'a> {
    input: &'a str,
    valid: bool,
    kind: Option<&'static str>,
    canonical: Option<&'a IdNumber>,
    registration: Option<RegistrationReport>,
    gender: Option<&'static str>,
    birth_year: Option<u16>,
    document_valid_on: Option<bool>,
    document_valid_until: Option<CalendarDate>,
    error: Option<ErrorReport>,
}

/// Where a personal ID's birth was registered, as [`IdReport`] prints it.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct RegistrationReport {
    #[serde(serialize_with = "three_digits")]
    code: u16,
    province: Option<&'static str>,
    province_since_2025: Option<&'static str>,
    abroad: bool,
}

/// The three ASCII digits of a registration code (0–999).
fn three(code: u16) -> [u8; 3] {
    let digit = |n: u16| b"0123456789"[usize::from(n % 10)];
    [digit(code / 100), digit(code / 10), digit(code)]
}

fn three_digits<S: Serializer>(code: &u16, s: S) -> Result<S::Ok, S::Error> {
    let digits = three(*code);
    s.serialize_str(std::str::from_utf8(&digits).unwrap_or("???"))
}

/// A JSON string, escaped exactly as serde_json escapes it.
fn json_string(out: &mut Vec<u8>, s: &str) {
    // Writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

fn opt_string(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => json_string(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

impl<'a> IdReport<'a> {
    /// The report of `input`, parsed as `parsed`, on the reference date
    /// `on` (the date a CMND's validity is given for; the one `parsed` was
    /// parsed against).
    #[must_use]
    pub fn new(
        input: &'a str,
        parsed: &'a Result<IdNumber, IdNumberError>,
        on: CalendarDate,
    ) -> Self {
        match parsed {
            Ok(id) => {
                let person = id.as_personal_id();
                let cmnd = match id {
                    IdNumber::Cmnd(c) => Some(c),
                    _ => None,
                };
                Self {
                    input,
                    valid: true,
                    kind: Some(id.kind().as_str()),
                    canonical: Some(id),
                    registration: person.map(|p| match p.registration() {
                        Registration::Province(r) => RegistrationReport {
                            code: r.code(),
                            province: Some(r.province()),
                            province_since_2025: Some(r.province_since_2025()),
                            abroad: false,
                        },
                        other => RegistrationReport {
                            code: other.code(),
                            province: None,
                            province_since_2025: None,
                            abroad: true,
                        },
                    }),
                    gender: person.map(|p| p.gender().as_str()),
                    birth_year: person.map(|p| p.birth_year()),
                    document_valid_on: cmnd.map(|c| c.is_valid_document_on(on)),
                    document_valid_until: cmnd.map(|_| Cmnd::last_valid_day()),
                    error: None,
                }
            }
            Err(e) => Self {
                input,
                valid: false,
                kind: e.kind().map(|k| k.as_str()),
                canonical: None,
                registration: None,
                gender: None,
                birth_year: None,
                document_valid_on: None,
                document_valid_until: None,
                error: Some(ErrorReport::new(e.code(), e)),
            },
        }
    }

    /// Appends the report as one line of JSON (no newline) to `out`:
    /// exactly the bytes `serde_json::to_writer` gives, written without the
    /// serialiser's per-key escaping, for batch output (millions of lines a
    /// second). A test checks the two agree on arbitrary input.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"input\":");
        json_string(out, self.input);
        out.extend_from_slice(if self.valid {
            b",\"valid\":true,\"kind\":"
        } else {
            b",\"valid\":false,\"kind\":"
        });
        match self.kind {
            Some(k) => json_string(out, k),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"canonical\":");
        match self.canonical {
            Some(id) => {
                use std::io::Write as _;
                out.push(b'"');
                // A canonical number is ASCII digits, letters and a dash:
                // nothing to escape.
                let _ = write!(out, "{id}");
                out.push(b'"');
            }
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"registration\":");
        match &self.registration {
            Some(r) => {
                out.extend_from_slice(b"{\"code\":\"");
                out.extend_from_slice(&three(r.code));
                out.extend_from_slice(b"\",\"province\":");
                opt_string(out, r.province);
                out.extend_from_slice(b",\"province_since_2025\":");
                opt_string(out, r.province_since_2025);
                out.extend_from_slice(if r.abroad {
                    b",\"abroad\":true}"
                } else {
                    b",\"abroad\":false}"
                });
            }
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"gender\":");
        opt_string(out, self.gender);
        out.extend_from_slice(b",\"birth_year\":");
        match self.birth_year {
            Some(y) => {
                use std::io::Write as _;
                let _ = write!(out, "{y}");
            }
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(match self.document_valid_on {
            Some(true) => b",\"document_valid_on\":true",
            Some(false) => b",\"document_valid_on\":false",
            None => b",\"document_valid_on\":null",
        });
        out.extend_from_slice(b",\"document_valid_until\":");
        match self.document_valid_until {
            Some(d) => {
                use std::io::Write as _;
                // YYYY-MM-DD: nothing to escape.
                let _ = write!(out, "\"{d}\"");
            }
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"error\":");
        match &self.error {
            Some(e) => {
                out.extend_from_slice(b"{\"code\":");
                json_string(out, e.code);
                out.extend_from_slice(b",\"message\":");
                json_string(out, &e.message);
                out.push(b'}');
            }
            None => out.extend_from_slice(b"null"),
        }
        out.push(b'}');
    }

    /// Whether the input parsed.
    #[must_use]
    pub const fn is_valid(&self) -> bool {
        self.valid
    }
}
