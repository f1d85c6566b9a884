//! The lenient digit scanner shared by every numeric identity document.
//!
//! Accepts surrounding whitespace and single spaces, dots or dashes between
//! digits ("006 089 000 001", "006.089.000.001"); anything else is an
//! invalid character, reported by position. Where the separators stood is
//! kept, so that each document can accept only the groupings people write.

/// The digits of an input (the first [`DigitRun::CAP`] kept), how many there
/// were, and after which digits a separator stood.
pub(crate) struct DigitRun {
    buf: [u8; Self::CAP],
    count: usize,
    /// Bit `k` is set when a separator followed the `k`-th digit (`k` up to
    /// [`DigitRun::CAP`]).
    separators: u32,
}

impl DigitRun {
    pub(crate) const CAP: usize = 16;

    /// How many digits the input had.
    pub(crate) const fn len(&self) -> usize {
        self.count
    }

    /// The grouping as a bit set: bit `k` is set when a separator followed
    /// the `k`-th digit. `0` for contiguous digits.
    pub(crate) const fn separators(&self) -> u32 {
        self.separators
    }

    /// Whether a separator followed the `k`-th digit.
    pub(crate) const fn separator_after(&self, k: usize) -> bool {
        k < 32 && self.separators & (1 << k) != 0
    }

    /// The digits, when there were at most [`Self::CAP`].
    pub(crate) fn digits(&self) -> &[u8] {
        &self.buf[..self.count.min(Self::CAP)]
    }
}

/// What the scanner found wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ScanError {
    /// Nothing but whitespace.
    Empty,
    /// A character that is not an ASCII digit or an allowed separator.
    InvalidCharacter { position: usize, character: char },
}

pub(crate) const fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '.' | '-')
}

/// Scans `input` (already trimmed by the caller or not).
pub(crate) fn scan(input: &str) -> Result<DigitRun, ScanError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(ScanError::Empty);
    }
    let mut run = DigitRun {
        buf: [0; DigitRun::CAP],
        count: 0,
        separators: 0,
    };
    // Fast path: nothing but ASCII digits.
    if s.len() <= DigitRun::CAP && s.bytes().all(|b| b.is_ascii_digit()) {
        run.buf[..s.len()].copy_from_slice(s.as_bytes());
        run.count = s.len();
        return Ok(run);
    }
    let mut previous_was_digit = false;
    let mut chars = s.chars().enumerate().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_ascii_digit() {
            if run.count < DigitRun::CAP {
                run.buf[run.count] = c as u8;
            }
            // Counted on past CAP only to report the length; at most the
            // number of characters seen, so it never wraps.
            run.count = run.count.wrapping_add(1);
            previous_was_digit = true;
        } else if is_separator(c)
            && previous_was_digit
            && chars.peek().is_some_and(|&(_, n)| n.is_ascii_digit())
        {
            if run.count < 32 {
                run.separators |= 1 << run.count;
            }
            previous_was_digit = false;
        } else {
            return Err(ScanError::InvalidCharacter {
                position: i.saturating_add(1),
                character: c,
            });
        }
    }
    Ok(run)
}

/// The 1-based position, in the trimmed `input`, of the separator that
/// followed the `k`-th digit; `None` when there is none.
pub(crate) fn separator_position(input: &str, k: usize) -> Option<usize> {
    let mut digits = 0usize;
    for (i, c) in input.trim().chars().enumerate() {
        if c.is_ascii_digit() {
            digits = digits.saturating_add(1);
        } else if is_separator(c) && digits == k {
            return Some(i.saturating_add(1));
        }
    }
    None
}

/// `digits` (ASCII, as scanned) as a number; 0 for more than 9 digits.
pub(crate) fn number(digits: &[u8]) -> u32 {
    crate::date::parse_digits(digits).unwrap_or(0)
}

/// Shows a character in an error message: printable ones as themselves,
/// others (controls, invisible marks) as `U+XXXX`.
pub(crate) struct ShowChar(pub(crate) char);

impl std::fmt::Display for ShowChar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = self.0;
        if c.is_control() || c.is_whitespace() || unicode_normalization::char::is_combining_mark(c)
        {
            write!(f, "U+{:04X}", u32::from(c))
        } else {
            write!(f, "{c:?} (U+{:04X})", u32::from(c))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_only_between_digits() {
        assert_eq!(scan(" 006 089-000.001 ").unwrap().digits(), b"006089000001");
        assert!(matches!(
            scan("006  089"),
            Err(ScanError::InvalidCharacter { position: 4, .. })
        ));
        assert!(matches!(
            scan("-006"),
            Err(ScanError::InvalidCharacter { position: 1, .. })
        ));
        assert!(matches!(
            scan("006-"),
            Err(ScanError::InvalidCharacter { position: 4, .. })
        ));
        assert!(matches!(scan(" \t "), Err(ScanError::Empty)));
    }

    #[test]
    fn remembers_where_the_separators_stood() {
        assert_eq!(scan("006089000001").unwrap().separators(), 0);
        let run = scan("006 089.000-001").unwrap();
        assert_eq!(run.separators(), 1 << 3 | 1 << 6 | 1 << 9);
        assert!(run.separator_after(6) && !run.separator_after(5));
        assert_eq!(separator_position(" 0100047516-01", 10), Some(11));
        assert_eq!(separator_position("0100047516-01", 4), None);
    }

    #[test]
    fn counts_digits_past_capacity() {
        let long = "1".repeat(100);
        let run = scan(&long).unwrap();
        assert_eq!(run.len(), 100);
        assert_eq!(run.digits().len(), DigitRun::CAP);
    }
}
