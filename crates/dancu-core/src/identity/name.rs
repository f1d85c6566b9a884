//! Vietnamese full names, as data.

use std::fmt;
use std::str::FromStr;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::scan::ShowChar;

/// The longest name accepted, in characters (after normalisation).
pub const MAX_NAME_CHARS: usize = 150;

/// A person's full name (họ và tên), normalised: NFC, trimmed, single
/// spaces. Letters of any script, combining marks, apostrophes (H'Hen Niê)
/// and hyphens are kept as given; digits, control characters and other
/// symbols are rejected. Invisible format characters (zero-width space,
/// BOM, soft hyphen) are dropped, and the look-alike Ð (U+00D0, left by
/// legacy-encoding converters) becomes Đ.
///
/// The parts follow the Kinh order: họ is the first word, chữ đệm the
/// middle words, tên the last word. (Ê Đê and Jrai names put the family name
/// last; the parts are positions, not a claim about which word is the
/// family name.)
///
/// `Debug` shows only initials.
///
/// ```
/// use dancu_core::{FullName, NameAgreement};
/// let name: FullName = "  nguyễn   văn  an ".parse().unwrap();
/// assert_eq!(name.as_str(), "nguyễn văn an");
/// assert_eq!((name.family(), name.middle(), name.given()), ("nguyễn", "văn", "an"));
/// assert_eq!(name.to_wire_upper(), "NGUYỄN VĂN AN");
/// assert_eq!(name.folded_key(), "NGUYEN VAN AN");
/// let a: FullName = "Lê Thị Hòa".parse().unwrap();
/// let b: FullName = "LÊ THỊ HOÀ".parse().unwrap();
/// assert_eq!(a.agreement(&b), NameAgreement::CaseAndTonePlacement);
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FullName {
    text: String,
}

/// Why a name was rejected. Messages never contain the name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// Nothing but whitespace.
    #[error("the name is empty")]
    Empty,
    /// A digit (of any script).
    #[error("a name cannot contain digits (position {position})")]
    Digit {
        /// 1-based character position in the normalised input.
        position: usize,
    },
    /// A control character (tab, newline inside the name …).
    #[error("a name cannot contain control characters (position {position})")]
    ControlCharacter {
        /// 1-based character position in the normalised input.
        position: usize,
    },
    /// A symbol that is not part of a name.
    #[error("a name cannot contain {} (position {position})", ShowChar(*character))]
    InvalidCharacter {
        /// 1-based character position in the normalised input.
        position: usize,
        /// The character.
        character: char,
    },
    /// No letters at all (only apostrophes or hyphens).
    #[error("a name must contain letters")]
    NoLetters,
    /// Longer than [`MAX_NAME_CHARS`].
    #[error("a name is at most {MAX_NAME_CHARS} characters")]
    TooLong,
}

/// How two names agree, from closest to farthest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NameAgreement {
    /// The same text (after normalisation to NFC and single spaces).
    Identical,
    /// The same letters and marks, differing only in letter case
    /// (`Nguyễn Văn An` / `NGUYỄN VĂN AN`).
    Case,
    /// Equal ignoring tone-mark placement (Hòa/Hoà, Thủy/Thuỷ) and
    /// apostrophe style, and letter case.
    CaseAndTonePlacement,
    /// Equal only once diacritics are removed (Đ→D): a weaker match that an
    /// officer must look at.
    FoldedOnly,
    /// Different names.
    Different,
}

impl NameAgreement {
    /// The stable key: `identical`, `case`, `tone_placement`, `folded`,
    /// `different`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Identical => "identical",
            Self::Case => "case",
            Self::CaseAndTonePlacement => "tone_placement",
            Self::FoldedOnly => "folded",
            Self::Different => "different",
        }
    }
}

const fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{02B9}' | '`' | '\u{00B4}'
    )
}

const fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

/// The five Vietnamese tone marks as combining characters, numbered `'1'`
/// (huyền) to `'5'` (nặng).
const fn tone_index(c: char) -> Option<char> {
    match c {
        '\u{0300}' | '\u{0340}' => Some('1'), // huyền
        '\u{0301}' | '\u{0341}' => Some('2'), // sắc
        '\u{0309}' => Some('3'),              // hỏi
        '\u{0303}' => Some('4'),              // ngã
        '\u{0323}' => Some('5'),              // nặng
        _ => None,
    }
}

impl FullName {
    /// Parses and normalises a full name.
    ///
    /// # Errors
    ///
    /// [`NameError`] says what is wrong, by position.
    pub fn parse(input: &str) -> Result<Self, NameError> {
        let mut text = String::with_capacity(input.len().min(4 * MAX_NAME_CHARS));
        let mut pending_space = false;
        let mut letters = false;
        // `kept`: the characters of the normalised name, which the length
        // limit is about (a run of spaces counts as one, as `from_parts`
        // relies on); positions in errors count every character read.
        let mut kept = 0usize;
        // Invisible format characters go before normalising: one between
        // two combining marks would otherwise keep them out of canonical
        // order, and the name would not be NFC. Ð/ð (U+00D0/U+00F0,
        // Icelandic eth) stand in for Đ/đ in text converted from legacy
        // Vietnamese encodings.
        let chars = input
            .trim()
            .chars()
            .filter(|&c| !is_invisible_format(c))
            .map(|c| match c {
                '\u{00D0}' => 'Đ',
                '\u{00F0}' => 'đ',
                c => c,
            });
        for (read, c) in chars.nfc().enumerate() {
            let position = read.saturating_add(1);
            if c.is_control() {
                return Err(NameError::ControlCharacter { position });
            }
            if c.is_whitespace() {
                pending_space = true;
                continue;
            }
            if c.is_numeric() {
                return Err(NameError::Digit { position });
            }
            if c.is_alphabetic() {
                letters = true;
            } else if !(is_combining_mark(c) || is_apostrophe(c) || c == '-') {
                return Err(NameError::InvalidCharacter {
                    position,
                    character: c,
                });
            }
            let space = pending_space && !text.is_empty();
            kept = kept.saturating_add(1).saturating_add(usize::from(space));
            if kept > MAX_NAME_CHARS {
                return Err(NameError::TooLong);
            }
            if space {
                text.push(' ');
            }
            pending_space = false;
            text.push(c);
        }
        if text.is_empty() {
            return Err(NameError::Empty);
        }
        if !letters {
            return Err(NameError::NoLetters);
        }
        Ok(Self { text })
    }

    /// Assembles a name from the gateway's `Ho`, `ChuDem`, `Ten` parts, any
    /// of which may be empty (some gateways put the whole name in `Ten`).
    ///
    /// # Errors
    ///
    /// As [`FullName::parse`] on the joined parts.
    pub fn from_parts(ho: &str, chu_dem: &str, ten: &str) -> Result<Self, NameError> {
        Self::parse(&format!("{ho} {chu_dem} {ten}"))
    }

    /// The normalised name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The words of the name.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.text.split(' ')
    }

    /// Họ: the first word, or "" for a one-word name.
    #[must_use]
    pub fn family(&self) -> &str {
        match self.text.split_once(' ') {
            Some((first, _)) => first,
            None => "",
        }
    }

    /// Chữ đệm: the words between the first and the last, or "".
    #[must_use]
    pub fn middle(&self) -> &str {
        self.text
            .split_once(' ')
            .and_then(|(_, rest)| rest.rsplit_once(' '))
            .map_or("", |(middle, _)| middle)
    }

    /// Tên: the last word.
    #[must_use]
    pub fn given(&self) -> &str {
        self.text.rsplit(' ').next().unwrap_or(&self.text)
    }

    /// The upper-case form sent to the gateway (`NGUYỄN VĂN AN`), NFC.
    #[must_use]
    pub fn to_wire_upper(&self) -> String {
        self.text.to_uppercase().nfc().collect()
    }

    /// The folded matching key: no diacritics, Đ→D, upper case, apostrophes
    /// as `'` (`NGUYEN VAN AN`, `H'HEN NIE`).
    #[must_use]
    pub fn folded_key(&self) -> String {
        fold(&self.text)
    }

    /// A key equal for names that differ only in case, tone-mark placement
    /// or apostrophe style: each word's tone mark is moved to its end.
    #[must_use]
    pub fn tone_insensitive_key(&self) -> String {
        let mut key = String::with_capacity(self.text.len().saturating_add(8));
        for (i, word) in self.text.split(' ').enumerate() {
            if i > 0 {
                key.push(' ');
            }
            let mut tone = None;
            let mut base = String::with_capacity(word.len());
            for c in word.nfd() {
                if let Some(t) = tone_index(c) {
                    tone = Some(t);
                } else if is_apostrophe(c) {
                    base.push('\'');
                } else {
                    base.push(c);
                }
            }
            key.extend(base.nfc().flat_map(char::to_lowercase));
            if let Some(t) = tone {
                key.push(t);
            }
        }
        key
    }

    /// How this name agrees with `other`.
    #[must_use]
    pub fn agreement(&self, other: &Self) -> NameAgreement {
        if self.text == other.text {
            NameAgreement::Identical
        } else if self.text.to_lowercase() == other.text.to_lowercase() {
            NameAgreement::Case
        } else if self.tone_insensitive_key() == other.tone_insensitive_key() {
            NameAgreement::CaseAndTonePlacement
        } else if self.folded_key() == other.folded_key() {
            NameAgreement::FoldedOnly
        } else {
            NameAgreement::Different
        }
    }
}

/// Folds Vietnamese text for matching: strips diacritics, Đ/đ→D, upper case,
/// apostrophes as `'`. Characters without an ASCII base are upper-cased.
#[must_use]
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    if text.is_ascii() {
        out.extend(text.chars().map(|c| {
            if is_apostrophe(c) {
                '\''
            } else {
                c.to_ascii_uppercase()
            }
        }));
        return out;
    }
    for c in text.nfd() {
        match c {
            'đ' | 'Đ' | '\u{00D0}' | '\u{00F0}' => out.push('D'),
            c if is_combining_mark(c) => {}
            c if is_apostrophe(c) => out.push('\''),
            c if c.is_ascii() => out.push(c.to_ascii_uppercase()),
            // A capital may bring marks or an apostrophe of its own
            // (ŉ → ʼN, ǰ → J̌): they fold as well, so folding twice changes
            // nothing.
            c => {
                for u in c.to_uppercase().nfd() {
                    match u {
                        u if is_combining_mark(u) => {}
                        u if is_apostrophe(u) => out.push('\''),
                        '\u{00D0}' | 'Đ' => out.push('D'),
                        u => out.push(u),
                    }
                }
            }
        }
    }
    out
}

impl FromStr for FullName {
    type Err = NameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for FullName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for FullName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FullName(")?;
        for (i, w) in self.words().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            let initial = w.chars().find(|c| c.is_alphabetic()).unwrap_or('?');
            write!(f, "{initial}.")?;
        }
        f.write_str(")")
    }
}

crate::serde_via_str!(FullName, "a full name");

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> FullName {
        s.parse().unwrap()
    }

    #[test]
    fn folding_twice_changes_nothing_when_a_capital_brings_marks() {
        // ŉ capitalises to ʼN, ǰ to J and a combining caron, ΐ to Ϊ́ (found
        // by the full_name fuzz target).
        for text in [
            "'-Trần TY-MOAN ENUOL'Kŉ'hu",
            "ǰ Nguyễn",
            "ΐ Đặng",
            "H\u{2019}Hen Niê",
        ] {
            let once = fold(text);
            assert_eq!(fold(&once), once, "{text}");
            assert!(!once.chars().any(is_combining_mark), "{once}");
            assert!(!once.contains('\u{02BC}'), "{once}");
        }
        assert_eq!(fold("Kŉ"), "K'N");
    }

    #[test]
    fn normalises_and_keeps_apostrophes() {
        assert_eq!(n("H'Hen Niê").as_str(), "H'Hen Niê");
        assert_eq!(n("Y Moan Ênuôl").given(), "Ênuôl");
        assert_eq!(
            n("Nguye\u{0302}\u{0303}n Va\u{0306}n An").as_str(),
            "Nguyễn Văn An"
        );
        assert_eq!(
            n("\u{feff}Đặng\u{00a0}Thị\u{200b} Mai").as_str(),
            "Đặng Thị Mai"
        );
        assert_eq!(n("Ksor H’Bia").folded_key(), "KSOR H'BIA");
        assert_eq!(n("Đặng Thùy Trâm").folded_key(), "DANG THUY TRAM");
        assert_eq!(n("Lò Văn Pá").family(), "Lò");
        assert_eq!(n("\u{00D0}ỗ Văn Ðông").as_str(), "Đỗ Văn Đông");
        assert_eq!(n("Mai").family(), "");
        assert_eq!(n("Mai").given(), "Mai");
        assert_eq!(n("Trần Thị Ngọc Bích").middle(), "Thị Ngọc");
        assert_eq!(n("Tôn Nữ Thị Ánh").to_wire_upper(), "TÔN NỮ THỊ ÁNH");
    }

    #[test]
    fn rejects_junk() {
        assert_eq!(FullName::parse("  "), Err(NameError::Empty));
        assert_eq!(
            FullName::parse("Nguyễn Văn 2"),
            Err(NameError::Digit { position: 12 })
        );
        assert_eq!(
            FullName::parse("An\tBình"),
            Err(NameError::ControlCharacter { position: 3 })
        );
        assert!(matches!(
            FullName::parse("An@Bình"),
            Err(NameError::InvalidCharacter { .. })
        ));
        assert_eq!(FullName::parse("'-'"), Err(NameError::NoLetters));
        assert_eq!(FullName::parse(&"a".repeat(200)), Err(NameError::TooLong));
        let longest = "a".repeat(MAX_NAME_CHARS);
        assert!(FullName::parse(&longest).is_ok());
        assert!(FullName::parse(&format!("{longest}b")).is_err());
    }

    /// A name is NFC whatever invisible characters the input held. Found by
    /// the `full_name` fuzz target: a zero-width non-joiner between
    /// combining marks was removed after normalising, which left the marks
    /// out of canonical order.
    #[test]
    fn invisible_characters_between_marks_leave_an_nfc_name() {
        let found = "g\u{303}\u{313}\u{316}\u{200c}\u{316}UUUU";
        let name = FullName::parse(found).unwrap();
        assert!(unicode_normalization::is_nfc(name.as_str()));
        assert_eq!(
            name,
            FullName::parse("g\u{316}\u{316}\u{303}\u{313}UUUU").unwrap()
        );
        // Composition across a removed character, and the legacy eth.
        let nguyen = FullName::parse("Nguye\u{200b}\u{302}\u{303}n \u{d0}a\u{301}").unwrap();
        assert_eq!(nguyen.as_str(), "Nguyễn Đá");
    }

    /// The limit is on the normalised name: a run of spaces counts as one.
    /// Found by the `full_name` fuzz target: a name just under the limit
    /// parsed whole, but not from its parts (`from_parts` joins them with
    /// single spaces, so an empty `ChuDem` leaves two), so the gateway's
    /// answer for that citizen failed to decode.
    #[test]
    fn the_length_limit_counts_the_normalised_name() {
        let found = "  PgggdgggDDDDDDDDrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrDDDtDDDDDDDDDNDDӪ̓n hâgd";
        let name = FullName::parse(found).unwrap();
        assert_eq!(name.middle(), "");
        assert_eq!(
            FullName::from_parts(name.family(), name.middle(), name.given()).as_ref(),
            Ok(&name)
        );
        let words = format!("{}  {}", "a".repeat(70), "b".repeat(MAX_NAME_CHARS - 71));
        assert_eq!(
            FullName::parse(&words).unwrap().as_str().chars().count(),
            MAX_NAME_CHARS
        );
        assert!(FullName::parse(&format!("{words}   ")).is_ok());
        assert_eq!(
            FullName::parse(&format!("{words}c")),
            Err(NameError::TooLong)
        );
        assert!(matches!(
            FullName::parse("Văn ٣"),
            Err(NameError::Digit { .. })
        ));
    }

    #[test]
    fn agreement_levels() {
        use NameAgreement::*;
        assert_eq!(n("Lê Thị Hòa").agreement(&n("Lê Thị Hòa")), Identical);
        // NFD input is identical once normalised.
        assert_eq!(
            n("Lê Thị Hòa").agreement(&n("Le\u{0302} Thi\u{0323} Ho\u{0300}a")),
            Identical
        );
        assert_eq!(n("Lê Thị Hòa").agreement(&n("LÊ THỊ HÒA")), Case);
        assert_eq!(n("Nguyễn Văn An").agreement(&n("nguyễn văn an")), Case);
        assert_eq!(n("Đặng Thị Ánh").agreement(&n("ĐẶNG THỊ ÁNH")), Case);
        assert_eq!(
            n("Lê Thị Hòa").agreement(&n("Lê Thị Hoà")),
            CaseAndTonePlacement
        );
        assert_eq!(
            n("Lê Thị Hòa").agreement(&n("LÊ THỊ HOÀ")),
            CaseAndTonePlacement
        );
        assert_eq!(
            n("Phạm Thu Thủy").agreement(&n("PHẠM THU THUỶ")),
            CaseAndTonePlacement
        );
        assert_eq!(
            n("H'Hen Niê").agreement(&n("H’Hen Niê")),
            CaseAndTonePlacement
        );
        assert_eq!(
            n("Nguyễn Văn An").agreement(&n("NGUYEN VAN AN")),
            FoldedOnly
        );
        assert_eq!(
            n("Nguyễn Văn An").agreement(&n("Nguyễn Văn Ân")),
            FoldedOnly
        );
        // Same letters, different tone: not the same name.
        assert_eq!(n("Lê Thị Hòa").agreement(&n("Lê Thị Hóa")), FoldedOnly);
        assert_eq!(
            n("Nguyễn Văn An").agreement(&n("Nguyễn Văn Anh")),
            Different
        );
    }

    #[test]
    fn debug_shows_initials_only() {
        assert_eq!(format!("{:?}", n("Đặng Văn Ngữ")), "FullName(Đ. V. N.)");
    }
}
