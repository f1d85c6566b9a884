//! Masked forms of identity numbers: safe to log, show or store.

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
}
