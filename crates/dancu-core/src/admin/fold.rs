//! Text folding and tokenising for name matching.
//!
//! Two keys are made for every word: the *folded* key (ASCII lower case, no
//! diacritics, đ → d, apostrophes joined, numbers without leading zeros),
//! used to find candidates, and the *accent* key (lower case, vowel marks
//! kept, the tone mark moved to the end of the word), used to rank an
//! exact-diacritic match above a match that only agrees once folded. Both
//! ignore NFC/NFD and tone-mark placement (Hoà = Hòa).

use std::sync::LazyLock;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{compose, decompose_canonical, is_combining_mark};

/// One word of the input.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Token {
    /// Byte range of the folded form in [`Tokens::folded`].
    pub(crate) f: (u32, u32),
    /// Byte range of the accent form in [`Tokens::accent`].
    pub(crate) a: (u32, u32),
    /// Byte range in the original text.
    pub(crate) src: (u32, u32),
    /// A comma, semicolon or line break comes before this word.
    pub(crate) hard_before: bool,
    /// The word carries diacritics (other than on đ alone).
    pub(crate) accented: bool,
    /// The word has letters and all of them are upper case ("BD", "KG").
    pub(crate) upper: bool,
    /// Type-word kinds of this word alone (see `search.rs`), 0 if none.
    pub(crate) kind1: u16,
    /// Type-word kinds of this word with the one before ("thị xã"), 0 if none.
    pub(crate) kind2: u16,
    /// A house number, street or hamlet word stands earlier in this
    /// comma-separated part of the text ("123 Nguyễn Trãi", "thôn Phú Lộc").
    pub(crate) after_marker: bool,
    /// Type-word kinds seen earlier in this comma-separated part, not just
    /// before this word: a bare name there may be the end of a longer,
    /// unknown name ("X. Bình Thạnh Đông" is not Xã Thạnh Đông).
    pub(crate) kinds_earlier: u16,
    /// This word introduces a house number, street or hamlet ("số", "chợ",
    /// "thôn", a house number).
    pub(crate) marker: bool,
}

/// Words of a text with their keys; reusable between calls.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tokens {
    /// Folded words separated by single spaces.
    pub(crate) folded: String,
    /// Accent keys separated by single spaces.
    pub(crate) accent: String,
    pub(crate) toks: Vec<Token>,
    /// Some word of the text carries diacritics: the writer used them, so
    /// unaccented words are taken as written.
    pub(crate) accented: bool,
    /// Every word with letters is upper case.
    pub(crate) all_upper: bool,
    /// A comma-like separator stands between some words.
    pub(crate) any_hard: bool,
    /// Byte ranges of the text inside parentheses, set aside (not words).
    pub(crate) notes: Vec<(u32, u32)>,
    scratch: String,
    scratch_accent: String,
    scratch_word: String,
}

const TONES: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | 'ʼ' | '`' | '´' | 'ʻ' | '′')
}

fn is_hard_separator(c: char) -> bool {
    matches!(c, ',' | ';' | '\n' | '\r' | '|' | '，')
}

/// What folding needs to know of a letter with an ASCII base in
/// U+00C0..U+1EFF (Latin-1, Latin Extended, Vietnamese), precomputed once.
#[derive(Clone, Copy, Default)]
struct CharInfo {
    /// Lower case without its tone mark ('Ữ' → 'ư'); '\0': not such a letter.
    lower: char,
    /// The ASCII base, lower case ('Ữ' → b'u').
    base: u8,
    /// 1 + the index of its tone mark in [`TONES`]; 0 without one.
    tone: u8,
    upper: bool,
    /// Carries diacritics other than the stroke of đ.
    marked: bool,
}

const TABLE_START: u32 = 0xC0;
const TABLE_END: u32 = 0x1F00;

static TABLE: LazyLock<Vec<CharInfo>> = LazyLock::new(|| {
    (TABLE_START..TABLE_END)
        .map(|cp| char::from_u32(cp).map_or_else(CharInfo::default, char_info))
        .collect()
});

fn char_info(c: char) -> CharInfo {
    if !c.is_alphabetic() {
        return CharInfo::default();
    }
    if matches!(c, 'đ' | 'Đ' | 'ð' | 'Ð') {
        return CharInfo {
            lower: 'đ',
            base: b'd',
            tone: 0,
            upper: c.is_uppercase(),
            marked: false,
        };
    }
    let mut parts = Vec::with_capacity(3);
    decompose_canonical(c, |d| parts.push(d));
    let Some((&first, rest)) = parts.split_first() else {
        return CharInfo::default();
    };
    if !first.is_ascii_alphabetic() {
        return CharInfo::default();
    }
    let base = first.to_ascii_lowercase();
    let tone = rest.iter().find_map(|&m| tone_number(m)).unwrap_or(0);
    let marks: Vec<char> = rest
        .iter()
        .copied()
        .filter(|m| !TONES.contains(m))
        .collect();
    let lower = match marks.as_slice() {
        [] => Some(base),
        [m] => compose(base, *m),
        _ => None,
    };
    let Some(lower) = lower else {
        return CharInfo::default();
    };
    CharInfo {
        lower,
        base: base as u8,
        tone,
        upper: c.is_uppercase(),
        marked: !rest.is_empty(),
    }
}

/// The precomputed facts of a non-ASCII letter, when it has them.
fn info(c: char) -> Option<CharInfo> {
    let cp = c as u32;
    if !(TABLE_START..TABLE_END).contains(&cp) {
        return None;
    }
    TABLE
        .get(cp.checked_sub(TABLE_START)? as usize)
        .copied()
        .filter(|i| i.lower != '\0')
}

/// The lower case of a capital with diacritics ('Ỉ' → 'ỉ').
fn lower_toned(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// A combining mark, quickly for the common ones.
fn is_mark(c: char) -> bool {
    if c.is_ascii() {
        return false;
    }
    ('\u{300}'..='\u{36f}').contains(&c) || (info(c).is_none() && is_combining_mark(c))
}

/// Upper case, quickly for ASCII and the precomputed letters.
fn is_upper(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_uppercase();
    }
    info(c).map_or_else(|| c.is_uppercase(), |i| i.upper)
}

/// Lower case, quickly for ASCII and the precomputed letters.
fn is_lower(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_lowercase();
    }
    info(c).map_or_else(|| c.is_lowercase(), |i| !i.upper)
}

/// The ASCII base of a letter, lower case (`None` when it has none).
fn base_ascii(c: char) -> Option<u8> {
    if c.is_ascii() {
        return Some(c.to_ascii_lowercase() as u8);
    }
    if let Some(i) = info(c) {
        return Some(i.base);
    }
    if matches!(c, 'đ' | 'Đ' | 'ð' | 'Ð') {
        return Some(b'd');
    }
    let mut first = None;
    decompose_canonical(c, |d| {
        if first.is_none() {
            first = Some(d);
        }
    });
    first
        .filter(char::is_ascii)
        .map(|d| d.to_ascii_lowercase() as u8)
}

fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    info(c).is_some() || c.is_alphanumeric() || is_mark(c)
}

/// Type words that may run into a capitalised name ("XãTân Lập",
/// "HuyệnBa Bể", "TTPhú Mỹ"), as folded words.
fn is_glued_type(s: &str) -> bool {
    matches!(
        s,
        "xa" | "phuong"
            | "huyen"
            | "quan"
            | "tinh"
            | "tran"
            | "pho"
            | "khu"
            | "tp"
            | "tt"
            | "tx"
            | "ttr"
            | "p"
            | "q"
            | "h"
            | "x"
            | "f"
    )
}

/// Where a type word runs into a capitalised name, the byte index in `word`
/// where the name starts: a lower-case letter then a capital ("XãTân"), or
/// capitals then a capitalised word ("TTPhú").
fn glued_split(word: &str) -> Option<usize> {
    if let Some(i) = glued_accented(word) {
        return Some(i);
    }
    // Fast path: no capital after the first letter.
    if !word.chars().skip(1).any(is_upper) {
        return None;
    }
    let letters: Vec<(usize, char)> = word
        .char_indices()
        .filter(|&(_, c)| !is_combining_mark(c))
        .collect();
    if letters.iter().any(|&(_, c)| !c.is_alphabetic()) {
        return None;
    }
    // Whether every letter before `k` is a capital, kept as `k` moves on
    // (recounting it at each capital was quadratic: 100,000 "P"s took seconds).
    let mut head_upper = true;
    for k in 1..letters.len() {
        let (before, rest) = letters.split_at(k);
        let (Some(&(_, p)), [(i, c), after @ ..]) = (before.last(), rest) else {
            continue;
        };
        let (i, c) = (*i, *c);
        head_upper &= is_upper(p);
        if !is_upper(c) || base_ascii(c).is_none() {
            continue;
        }
        let next_lower = after.first().is_some_and(|&(_, n)| is_lower(n));
        if is_lower(p) || (head_upper && next_lower) {
            let head: String = word[..i]
                .chars()
                .filter_map(base_ascii)
                .map(char::from)
                .collect();
            return is_glued_type(&head).then_some(i);
        }
    }
    None
}

/// Type words written in full with their diacritics, which no Vietnamese
/// syllable continues: "xãdương thủy", "HUYỆNYÊN LẠC" split in any case.
const ACCENTED_TYPES: [&str; 6] = ["xã", "phường", "huyện", "tỉnh", "quận", "trấn"];

/// Where a type word written in full runs into the next word, in any case.
fn glued_accented(word: &str) -> Option<usize> {
    let first = word.as_bytes().first()?.to_ascii_lowercase();
    if !matches!(first, b'x' | b'p' | b'h' | b't' | b'q') || word.len() < 4 {
        return None;
    }
    // Lower case, for the letters a type word is made of.
    let lower = |c: char| {
        if c.is_ascii() {
            c.to_ascii_lowercase()
        } else {
            info(c).map_or(c, |i| if i.upper { lower_toned(c) } else { c })
        }
    };
    'types: for ty in ACCENTED_TYPES {
        if ty.as_bytes()[0] != first {
            continue;
        }
        let mut chars = word.char_indices();
        for want in ty.chars() {
            match chars.next() {
                Some((_, c)) if lower(c) == want => {}
                _ => continue 'types,
            }
        }
        let rest = chars.as_str();
        let vowel = rest
            .chars()
            .any(|c| base_ascii(c).is_some_and(|b| b"aeiouy".contains(&b)));
        if vowel && rest.chars().next().is_some_and(char::is_alphabetic) {
            // `rest` is a suffix of `word`.
            return word.len().checked_sub(rest.len());
        }
    }
    None
}

/// Abbreviations that may be glued to a number ("P8Q10", "f4", "Q.1").
fn is_glue_prefix(s: &str) -> bool {
    matches!(
        s,
        "p" | "f" | "q" | "x" | "h" | "tt" | "tx" | "tp" | "phuong" | "quan" | "huyen" | "xa"
    )
}

impl Tokens {
    /// Tokenises `text`, replacing the previous contents.
    pub(crate) fn fill(&mut self, text: &str) {
        self.folded.clear();
        self.accent.clear();
        self.toks.clear();
        self.notes.clear();
        self.accented = false;
        let mut hard = false;
        let mut chars = text.char_indices().peekable();
        let mut word = std::mem::take(&mut self.scratch_word);
        while let Some(&(i, c)) = chars.peek() {
            if matches!(c, '(' | '（' | '[') {
                // A note in parentheses is set aside: "(Phường Điện Biên,
                // Quận Ba Đình cũ)", "(gần chợ)".
                chars.next();
                // The end of a character of `text`: at most text.len().
                let from = i.wrapping_add(c.len_utf8());
                let mut to = text.len();
                for (j, d) in chars.by_ref() {
                    if matches!(d, ')' | '）' | ']') {
                        to = j;
                        break;
                    }
                }
                self.notes.push((to32(from), to32(to)));
                hard = true;
                continue;
            }
            if !is_word_char(c) {
                if is_hard_separator(c) {
                    hard = true;
                }
                chars.next();
                continue;
            }
            // A word: letters, digits and marks; an apostrophe joins what
            // follows it, even across spaces ("K' Dang" = "K'Dang").
            word.clear();
            let start = i;
            let mut end = i;
            // Whether a capital follows the first letter (a glued type word
            // may start there), and whether the word has combining marks.
            let (mut capital_inside, mut marks) = (false, false);
            while let Some(&(j, c)) = chars.peek() {
                let (word_char, upper) = if c.is_ascii() {
                    (c.is_ascii_alphanumeric(), c.is_ascii_uppercase())
                } else if let Some(inf) = info(c) {
                    (true, inf.upper)
                } else if is_word_char(c) {
                    marks |= is_mark(c);
                    (true, c.is_uppercase())
                } else {
                    (false, false)
                };
                if word_char {
                    capital_inside |= upper && !word.is_empty();
                    word.push(c);
                    // The end of a character of `text`: at most text.len().
                    end = j.wrapping_add(c.len_utf8());
                    chars.next();
                } else if is_apostrophe(c) {
                    chars.next();
                    while chars.peek().is_some_and(|&(_, c)| c == ' ') {
                        chars.next();
                    }
                    if !chars.peek().is_some_and(|&(_, c)| is_word_char(c)) {
                        break;
                    }
                } else {
                    break;
                }
            }
            let glued_candidate = capital_inside
                || (word.len() >= 4
                    && matches!(
                        word.as_bytes()[0].to_ascii_lowercase(),
                        b'x' | b'p' | b'h' | b't' | b'q'
                    ));
            let before = self.toks.len();
            // Decomposed text splits where its composed form would.
            let split = if !glued_candidate && !marks {
                None
            } else if marks {
                let nfc: String = word.nfc().collect();
                glued_split(&nfc).and_then(|k| {
                    let bases = nfc[..k].chars().count();
                    word.char_indices()
                        .filter(|&(_, c)| !is_mark(c))
                        .nth(bases)
                        .map(|(i, _)| i)
                })
            } else {
                glued_split(&word)
            };
            match split.filter(|_| end.checked_sub(start) == Some(word.len())) {
                Some(k) => {
                    let (head, tail) = word.split_at(k);
                    // k < word.len() == end - start: no overflow.
                    let at = start.saturating_add(k);
                    self.push_word(head, start, at, hard);
                    self.push_word(tail, at, end, false);
                }
                None => self.push_word(&word, start, end, hard),
            }
            if self.toks.len() > before {
                hard = false;
            }
        }
        self.scratch_word = word;
        self.any_hard = self.toks.iter().any(|t| t.hard_before);
        self.all_upper = (0..self.toks.len())
            .all(|i| self.toks[i].upper || !self.word(i).bytes().any(|b| b.is_ascii_alphabetic()));
    }

    fn push_word(&mut self, word: &str, start: usize, end: usize, hard: bool) {
        if word.chars().any(is_mark) {
            // Decomposed (NFD) text: compose it first.
            let nfc: String = word.nfc().collect();
            if !nfc.chars().any(is_mark) || nfc.len() < word.len() {
                return self.push_word(&nfc, start, end, hard);
            }
        }
        let mut folded = std::mem::take(&mut self.scratch);
        folded.clear();
        let mut accent = std::mem::take(&mut self.scratch_accent);
        accent.clear();
        let (mut accented, mut letters, mut all_upper, mut tone) = (false, false, true, 0u8);
        for c in word.chars() {
            if c.is_ascii() {
                if c.is_ascii_alphabetic() {
                    letters = true;
                    all_upper &= c.is_ascii_uppercase();
                }
                let l = c.to_ascii_lowercase();
                folded.push(l);
                accent.push(l);
            } else if let Some(i) = info(c) {
                letters = true;
                all_upper &= i.upper;
                accented |= i.marked;
                if i.tone != 0 {
                    tone = i.tone;
                }
                folded.push(char::from(i.base));
                accent.push(i.lower);
            } else if is_mark(c) {
                accented = true;
                match tone_number(c) {
                    Some(k) => tone = k,
                    None => accent.push(c),
                }
            } else {
                letters |= c.is_alphabetic();
                all_upper &= !c.is_lowercase();
                for l in c.to_lowercase() {
                    // A letter outside the table whose lower case is in it
                    // (Å, the Ångström sign, → å) folds as that letter, so
                    // folding twice changes nothing.
                    match info(l) {
                        Some(i) => {
                            accented |= i.marked;
                            if i.tone != 0 {
                                tone = i.tone;
                            }
                            folded.push(char::from(i.base));
                            accent.push(i.lower);
                        }
                        // A mark it brings (İ → i and a dot above) is read
                        // as a mark.
                        None if is_mark(l) => {
                            accented = true;
                            match tone_number(l) {
                                Some(k) => tone = k,
                                None => accent.push(l),
                            }
                        }
                        None => {
                            folded.push(l);
                            accent.push(l);
                        }
                    }
                }
            }
        }
        if let Some(&mark) = usize::from(tone).checked_sub(1).and_then(|k| TONES.get(k)) {
            accent.push(mark);
        }
        let upper = letters && all_upper;
        // Final i and y after a consonant are spelling variants (Kỳ/Kì,
        // Lý/Lí, Quý/Quí): fold both to i.
        if let [.., prev, b'y'] = *folded.as_bytes() {
            let after_qu = folded.ends_with("quy");
            if after_qu || (prev.is_ascii_lowercase() && !b"aeiouy".contains(&prev)) {
                folded.pop();
                folded.push('i');
            }
        }
        if folded.is_empty() {
            // Only combining marks: nothing to match.
            self.scratch = folded;
            self.scratch_accent = accent;
            return;
        }
        // Split glued abbreviations and numbers: "p8q10" → p 8 q 10.
        let bytes = folded.as_bytes();
        if bytes.iter().any(u8::is_ascii_digit) && bytes.iter().any(u8::is_ascii_alphabetic) {
            let runs = split_runs(&folded);
            let glued = runs.len() > 1
                && runs
                    .iter()
                    .all(|r| r.bytes().all(|b| b.is_ascii_digit()) || is_glue_prefix(r));
            if glued {
                for (k, r) in runs.iter().enumerate() {
                    self.push_token(r, r, (start, end), hard && k == 0, false, upper);
                }
                self.scratch = folded;
                self.scratch_accent = accent;
                return;
            }
        }
        self.accented |= accented;
        if accented {
            self.push_token(&folded, &accent, (start, end), hard, accented, upper);
        } else {
            self.push_token(&folded, &folded, (start, end), hard, accented, upper);
        }
        self.scratch = folded;
        self.scratch_accent = accent;
    }

    /// The folded and accent keys of a unit name (words joined by spaces).
    pub(crate) fn keys(&mut self, name: &str) -> (&str, &str) {
        self.fill(name);
        (&self.folded, &self.accent)
    }

    fn push_token(
        &mut self,
        f: &str,
        a: &str,
        (start, end): (usize, usize),
        hard: bool,
        accented: bool,
        upper: bool,
    ) {
        let f = strip_zeros(f);
        let a = if f.len() < a.len() && a.bytes().all(|b| b.is_ascii_digit()) {
            f
        } else {
            a
        };
        if !self.folded.is_empty() {
            self.folded.push(' ');
            self.accent.push(' ');
        }
        let fs = self.folded.len();
        self.folded.push_str(f);
        let as_ = self.accent.len();
        self.accent.push_str(a);
        self.toks.push(Token {
            f: (to32(fs), to32(self.folded.len())),
            a: (to32(as_), to32(self.accent.len())),
            src: (to32(start), to32(end)),
            hard_before: hard,
            accented,
            upper,
            kind1: 0,
            kind2: 0,
            after_marker: false,
            kinds_earlier: 0,
            marker: false,
        });
    }

    /// Number of words.
    pub(crate) fn len(&self) -> usize {
        self.toks.len()
    }

    /// The folded key of words `i..j` ("" for an empty or out-of-range one).
    #[inline]
    pub(crate) fn folded(&self, i: usize, j: usize) -> &str {
        match self.toks.get(i..j) {
            Some([first, .., last]) => span(&self.folded, first.f.0, last.f.1),
            Some([only]) => span(&self.folded, only.f.0, only.f.1),
            _ => "",
        }
    }

    /// The word before word `i`, when there is one.
    #[inline]
    pub(crate) fn before(&self, i: usize) -> Option<&Token> {
        self.toks.get(i.checked_sub(1)?)
    }

    /// The folded key of word `i` ("" when there is none).
    #[inline]
    pub(crate) fn word(&self, i: usize) -> &str {
        self.toks
            .get(i)
            .map_or("", |t| span(&self.folded, t.f.0, t.f.1))
    }

    /// The accent key of words `i..j` ("" for an empty or out-of-range one).
    #[inline]
    pub(crate) fn accent(&self, i: usize, j: usize) -> &str {
        match self.toks.get(i..j) {
            Some([first, .., last]) => span(&self.accent, first.a.0, last.a.1),
            Some([only]) => span(&self.accent, only.a.0, only.a.1),
            _ => "",
        }
    }

    /// The accent key of word `i` ("" when there is none).
    #[inline]
    pub(crate) fn word_accent(&self, i: usize) -> &str {
        self.toks
            .get(i)
            .map_or("", |t| span(&self.accent, t.a.0, t.a.1))
    }

    /// Whether any of words `i..j` carries diacritics.
    pub(crate) fn any_accented(&self, i: usize, j: usize) -> bool {
        self.toks[i..j].iter().any(|t| t.accented)
    }

    /// Whether a comma-like separator falls between words `i..j`.
    #[cfg(test)]
    pub(crate) fn crosses_hard(&self, i: usize, j: usize) -> bool {
        self.toks[i + 1..j].iter().any(|t| t.hard_before)
    }
}

/// `s[from..to]`, or "" when that is not a range of `s`.
#[inline]
fn span(s: &str, from: u32, to: u32) -> &str {
    s.get(from as usize..to as usize).unwrap_or("")
}

/// 1 + the index of the tone mark `m` in [`TONES`], when it is one.
fn tone_number(m: char) -> Option<u8> {
    TONES
        .iter()
        .zip(1u8..)
        .find_map(|(&t, k)| (t == m).then_some(k))
}

fn to32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn strip_zeros(s: &str) -> &str {
    if s.len() > 1 && s.bytes().all(|b| b.is_ascii_digit()) {
        let t = s.trim_start_matches('0');
        if t.is_empty() { "0" } else { t }
    } else {
        s
    }
}

/// Splits "p8q10" into letter and digit runs.
fn split_runs(s: &str) -> Vec<&str> {
    let mut runs = Vec::new();
    let mut start = 0;
    let b = s.as_bytes();
    // Each `i` with the bytes at `i - 1` and `i`.
    for (i, pair) in (1..).zip(b.windows(2)) {
        if pair[0].is_ascii_digit() != pair[1].is_ascii_digit() {
            runs.push(&s[start..i]);
            start = i;
        }
    }
    runs.push(&s[start..]);
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    /// The folded and accent keys of `name`.
    fn keys_of(name: &str) -> (String, String) {
        let mut t = Tokens::default();
        let (f, a) = t.keys(name);
        (f.to_owned(), a.to_owned())
    }

    fn folded(s: &str) -> String {
        keys_of(s).0
    }

    #[test]
    fn folding_ignores_case_marks_placement_and_normal_form() {
        assert_eq!(folded("Xã Dương Quang"), "xa duong quang");
        assert_eq!(folded("ĐẮK LẮK"), "dak lak");
        assert_eq!(keys_of("Hoà Bình").1, keys_of("Hòa Bình").1);
        assert_eq!(keys_of("Thuỷ").1, keys_of("Thủy").1);
        let nfd: String = "Đắk Lắk".nfd().collect();
        assert_eq!(keys_of(&nfd), keys_of("Đắk Lắk"));
        assert_ne!(keys_of("Văn Lang").1, keys_of("Văn Lăng").1);
        assert_eq!(folded("Văn Lang"), folded("Văn Lăng"));
    }

    #[test]
    fn apostrophes_join_and_numbers_unglue() {
        assert_eq!(folded("Ea H’Leo"), "ea hleo");
        assert_eq!(folded("Ea H'Leo"), "ea hleo");
        assert_eq!(folded("Xã K' Dang"), "xa kdang");
        assert_eq!(folded("P8Q10"), "p 8 q 10");
        assert_eq!(folded("f4 q6"), "f 4 q 6");
        assert_eq!(folded("TP.HCM"), "tp hcm");
        assert_eq!(folded("Phường 01"), "phuong 1");
        assert_eq!(folded("Bà Rịa - Vũng Tàu"), "ba ria vung tau");
        assert_eq!(folded("ap1"), "ap1");
        assert_eq!(folded("Kỳ Anh"), folded("Kì Anh"));
        assert_eq!(folded("Quý"), "qui");
        // Only the folded key unifies them: written diacritics still rank.
        assert_ne!(keys_of("Kỳ Anh").1, keys_of("Kì Anh").1);
        assert_eq!(folded("Thủy"), "thuy");
        // The Ångström sign lower-cases to å, which folds to a.
        assert_eq!(folded("\u{212B}"), folded("å"));
        assert_eq!(folded("İ"), "i");
    }

    proptest::proptest! {
        #[test]
        fn folding_is_idempotent_and_never_panics(s in "\\PC{0,40}") {
            let (folded, _) = keys_of(&s);
            let (again, _) = keys_of(&folded);
            proptest::prop_assert_eq!(again, folded);
        }

        #[test]
        fn nfc_and_nfd_fold_alike(s in "[a-zA-Zàáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ ]{0,30}") {
            let nfd: String = s.nfd().collect();
            proptest::prop_assert_eq!(keys_of(&nfd), keys_of(&s));
        }
    }

    #[test]
    fn commas_are_hard_boundaries() {
        let mut t = Tokens::default();
        t.fill("Số 12, ngõ 4 thôn Nà Pài");
        assert_eq!(t.len(), 7);
        assert!(t.toks[2].hard_before);
        assert!(t.crosses_hard(0, 3));
        assert!(!t.crosses_hard(2, 7));
        assert_eq!(t.folded(5, 7), "na pai");
        assert!(t.accented && t.any_accented(5, 7) && !t.any_accented(1, 2));
    }
}
