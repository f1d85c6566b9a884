//! Masked forms of identity numbers: safe to log, show or store.

use std::collections::BTreeMap;
use std::fmt;

/// An identity number with all but its last four characters hidden
/// (`********0001`). This is the only form of a subject's number that may
/// reach logs, errors or the audit trail.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Masked(String);

impl Masked {
    /// Masks `value`, keeping its last four characters (none when it is
    /// shorter than eight).
    #[must_use]
    pub fn new(value: &str) -> Self {
        let n = value.chars().count();
        // Short values (not a real ID) are hidden entirely.
        let keep = if n >= 8 { 4 } else { 0 };
        let mut s = String::with_capacity(n);
        for (i, c) in value.chars().enumerate() {
            s.push(if i + keep >= n { c } else { '*' });
        }
        Self(s)
    }

    /// The masked text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Masked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Masked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for Masked {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// Free text that may hold personal data — a typed name, an address, a
/// form value — in a `Debug` form that shows only whether it is empty and
/// how long it is (`<hidden: 24 chars>`). For hand-written `Debug` impls of
/// types that keep such text as a `String`.
#[derive(Clone, Copy)]
pub struct Redacted<'a>(pub &'a str);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("\"\"")
        } else {
            write!(f, "<hidden: {} chars>", self.0.chars().count())
        }
    }
}

/// A form (field name → value) in a `Debug` form that shows the field
/// names and hides the values, as [`Redacted`] does.
#[derive(Clone, Copy)]
pub struct RedactedForm<'a>(pub &'a BTreeMap<String, String>);

impl fmt::Debug for RedactedForm<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, v)| (k, Redacted(v))))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::Masked;

    #[test]
    fn keeps_last_four() {
        assert_eq!(Masked::new("006089000001").as_str(), "********0001");
        assert_eq!(Masked::new("095123456").as_str(), "*****3456");
        // Short values never show in full.
        assert_eq!(Masked::new("1234").as_str(), "****");
        assert_eq!(Masked::new("12345").as_str(), "*****");
    }

    #[test]
    fn redacted_text_and_forms_show_lengths_and_keys_only() {
        use super::{Redacted, RedactedForm};
        assert_eq!(
            format!("{:?}", Redacted("Nguyễn Thị Hoà")),
            "<hidden: 14 chars>"
        );
        assert_eq!(format!("{:?}", Redacted("")), "\"\"");
        let form = [("ngay_sinh".to_owned(), "10/03/1964".to_owned())]
            .into_iter()
            .collect();
        assert_eq!(
            format!("{:?}", RedactedForm(&form)),
            "{\"ngay_sinh\": <hidden: 10 chars>}"
        );
    }
}
