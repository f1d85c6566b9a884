//! Name search over both eras, tolerant of case, diacritics, tone-mark
//! placement, NFC/NFD and type words with their abbreviations.

use std::sync::LazyLock;

use super::data::{Data, Entry, FastMap, Level, data};
use super::fold::Tokens;
use super::gazetteer::AdminUnit;
use super::units::{CommuneKind, DistrictKind, ProvinceKind};

// Kind bits: what a type word may denote, and what a unit is.
const PK_T: u16 = 1;
const PK_M: u16 = 1 << 1;
const DK_Q: u16 = 1 << 2;
const DK_H: u16 = 1 << 3;
const DK_X: u16 = 1 << 4;
const DK_C: u16 = 1 << 5;
const CK_P: u16 = 1 << 6;
const CK_X: u16 = 1 << 7;
const CK_T: u16 = 1 << 8;
const CK_D: u16 = 1 << 9;
pub(crate) const PROVINCE_BITS: u16 = PK_T | PK_M;
pub(crate) const DISTRICT_BITS: u16 = DK_Q | DK_H | DK_X | DK_C;
pub(crate) const COMMUNE_BITS: u16 = CK_P | CK_X | CK_T | CK_D;
/// Set on the kinds of an English type word ("Ward", "District").
const ENGLISH: u16 = 1 << 15;

/// Type words as folded words (see `fold.rs`), with the kinds they denote.
const TYPE_WORDS: &[(&str, u16)] = &[
    ("tinh", PK_T),
    ("t", PK_T),
    ("thanh pho", PK_M | DK_C),
    ("tp", PK_M | DK_C),
    ("thanhpho", PK_M | DK_C),
    ("quan", DK_Q),
    ("q", DK_Q),
    ("huyen", DK_H),
    ("h", DK_H),
    ("thi xa", DK_X),
    ("tx", DK_X),
    ("phuong", CK_P),
    ("p", CK_P),
    ("f", CK_P),
    ("ph", CK_P),
    ("xa", CK_X),
    ("x", CK_X),
    ("thi tran", CK_T),
    ("tt", CK_T),
    ("ttr", CK_T),
    ("dac khu", CK_D),
    // English, before or after the name, as on bilingual forms ("Ward 8,
    // District 10", "Hoan Kiem Ward", "Thu Duc City").
    ("ward", CK_P | ENGLISH),
    ("commune", CK_X | ENGLISH),
    ("district", DK_Q | DK_H | ENGLISH),
    ("town", DK_X | CK_T | ENGLISH),
    ("citi", PK_M | DK_C | ENGLISH), // "city", folded (final y after a consonant → i)
    ("province", PK_T | ENGLISH),
];

/// The kinds a folded type word (one or two words) denotes, 0 if it is none.
fn type_kinds(word: &str) -> u16 {
    // Most words are none: reject on length and first letter before looking.
    let b = word.as_bytes();
    if b.is_empty()
        || b.len() > 9
        || !matches!(
            b[0],
            b't' | b'q' | b'h' | b'p' | b'f' | b'x' | b'd' | b'w' | b'c'
        )
    {
        return 0;
    }
    TYPE_WORDS
        .iter()
        .find(|(w, _)| *w == word)
        .map_or(0, |&(_, k)| k)
}

/// Words that introduce a house number, a street or a hamlet: a name right
/// after one of them is not a unit name unless a type word says so. Matched
/// on their folded form, and on their diacritics where the word has some
/// ("Tổ" is a marker, "Tô" is not).
const MARKER_WORDS: &[&str] = &[
    "số",
    "đường",
    "phố",
    "ngõ",
    "hẻm",
    "kiệt",
    "ngách",
    "ql",
    "quốc",
    "tl",
    "lộ",
    "đt",
    "km",
    "kp",
    "thôn",
    "ấp",
    "xóm",
    "bản",
    "buôn",
    "tổ",
    "tdp",
    "khu",
    "khóm",
    "làng",
    "cụm",
    "kdc",
    "kdt",
    "kcn",
    "ccn",
    "chợ",
    "lô",
    "kiot",
    "ki",
    "tòa",
    "cc",
    "hxh",
    "nhà",
    "block",
    "lầu",
    "tầng",
    "street",
    "road",
    "alley",
    "lane",
    "hamlet",
    "village",
    "no",
];

/// The marker words by folded form, with their accent keys.
static MARKERS: LazyLock<FastMap<Box<str>, Vec<Box<str>>>> = LazyLock::new(|| {
    let mut t = Tokens::default();
    let mut map: FastMap<Box<str>, Vec<Box<str>>> = FastMap::default();
    for w in MARKER_WORDS {
        let (f, a) = t.keys(w);
        map.entry(f.into()).or_default().push(a.into());
    }
    map
});

/// Whether word `i` introduces a house number, street or hamlet: a marker
/// word, or a number that is not a unit's ("Phường 3" names a ward).
fn is_marker(t: &Tokens, i: usize) -> bool {
    let tok = &t.toks[i];
    let f = t.word(i);
    if f.bytes().any(|b| b.is_ascii_digit()) {
        let after_type = !tok.hard_before
            && t.before(i)
                .is_some_and(|p| (p.kind1 | p.kind2) & (COMMUNE_BITS | DISTRICT_BITS) != 0);
        return !after_type;
    }
    if tok.kind2 != 0 {
        // The end of a two-word type word ("thành phố", "đặc khu").
        return false;
    }
    MARKERS.get(f).is_some_and(|accents| {
        !tok.accented || {
            let a = t.word_accent(i);
            accents.iter().any(|m| **m == *a)
        }
    })
}

/// Fills each word's type-word kinds and whether a marker stands before it
/// in its comma-separated part.
pub(crate) fn classify(t: &mut Tokens) {
    let mut seen = false;
    let mut kinds = 0u16;
    for i in 0..t.len() {
        let hard = t.toks[i].hard_before;
        if hard {
            seen = false;
            kinds = 0;
        }
        let k1 = type_kinds(t.word(i));
        // Words i - 1 and i (i > 0; i < t.len(), so i + 1 cannot wrap).
        let k2 = if i > 0 && !hard {
            type_kinds(t.folded(i.saturating_sub(1), i.saturating_add(1)))
        } else {
            0
        };
        let tok = &mut t.toks[i];
        tok.kind1 = k1;
        tok.kind2 = k2;
        tok.after_marker = seen;
        // The kinds of type words up to the one before the previous word.
        tok.kinds_earlier = kinds;
        if let Some(p) = t.before(i).filter(|_| !hard) {
            kinds |= p.kind1 | p.kind2;
        }
        let marker = is_marker(t, i);
        t.toks[i].marker = marker;
        seen |= marker;
    }
}

fn province_bits(k: ProvinceKind) -> u16 {
    match k {
        ProvinceKind::Province => PK_T,
        ProvinceKind::CentralCity => PK_M,
    }
}

fn district_bits(k: DistrictKind) -> u16 {
    match k {
        DistrictKind::UrbanDistrict => DK_Q,
        DistrictKind::RuralDistrict => DK_H,
        DistrictKind::Town => DK_X,
        DistrictKind::ProvincialCity | DistrictKind::MunicipalCity => DK_C,
    }
}

fn commune_bits(k: CommuneKind) -> u16 {
    match k {
        CommuneKind::Ward => CK_P,
        CommuneKind::Commune => CK_X,
        CommuneKind::Township => CK_T,
        CommuneKind::SpecialZone => CK_D,
    }
}

/// The kinds a unit has had (a 2025 unit's later kind counts too).
fn unit_bits(d: &Data, e: Entry) -> u16 {
    let i = usize::from(e.idx);
    match e.level {
        Level::LegacyProvince => province_bits(d.lp[i].kind),
        Level::Province => {
            let r = &d.np[i];
            province_bits(r.kind) | r.change.map_or(0, |(_, k)| province_bits(k))
        }
        Level::LegacyDistrict => district_bits(d.ld[i].kind),
        Level::LegacyCommune => commune_bits(d.lc[i].kind),
        Level::Commune => {
            let r = &d.nc[i];
            commune_bits(r.kind) | r.change.map_or(0, |(_, k)| commune_bits(k))
        }
        Level::HistoricalCommune => commune_bits(d.hc[i].kind),
    }
}

fn level_bits(l: Level) -> u16 {
    match l {
        Level::LegacyProvince | Level::Province => PROVINCE_BITS,
        Level::LegacyDistrict => DISTRICT_BITS,
        Level::LegacyCommune | Level::Commune | Level::HistoricalCommune => COMMUNE_BITS,
    }
}

/// Whether a type word came before the name, and whether it fits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Typed {
    Absent,
    Consistent,
    Inconsistent,
}

/// How the diacritics of the text compare with the unit's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Accent {
    /// The text has no diacritics there.
    Neutral,
    /// Same diacritics (tone placement aside).
    Exact,
    /// Equal only once folded.
    Mismatch,
    /// Typed without diacritics in a text that has some; the name has some.
    Unmarked,
}

/// A unit whose name (with an optional type word before or after it)
/// occupies words `start..end` of the text, the name itself
/// `name_start..name_end`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Hit {
    pub(crate) entry: Entry,
    pub(crate) start: usize,
    pub(crate) name_start: usize,
    pub(crate) name_end: usize,
    pub(crate) typed: Typed,
    pub(crate) accent: Accent,
    /// No type word, and a house number, street or hamlet word stands
    /// before it in its part of the text: a street or hamlet name.
    pub(crate) street: bool,
    /// 0: the name as written; 1: a spelling variant (spacing, c/k, y/i);
    /// 2: one or two wrong letters.
    pub(crate) fuzzy: u8,
}

/// Bit mask of levels.
pub(crate) const fn mask(l: Level) -> u8 {
    1 << (l as u8)
}

/// How the diacritics of words `s..e` compare with the unit's.
fn accent_of(d: &Data, t: &Tokens, entry: Entry, s: usize, e: usize) -> Accent {
    // In a text written with diacritics, a word typed without them is taken
    // as written only when the name has none either.
    let name = if entry.alias {
        match d.alias_accents.get(t.folded(s, e)) {
            Some(a) => a,
            None => return Accent::Neutral,
        }
    } else {
        d.accent(entry)
    };
    if !t.accented {
        Accent::Neutral
    } else if t.accent(s, e) == name {
        Accent::Exact
    } else if t.any_accented(s, e) {
        Accent::Mismatch
    } else {
        Accent::Unmarked
    }
}

/// Whether `tb` (a type word's kinds) fits the unit, if it is of its level.
pub(crate) fn typed_as(d: &Data, entry: Entry, tb: u16) -> Option<Typed> {
    if tb & level_bits(entry.level) == 0 {
        return None;
    }
    Some(if tb & unit_bits(d, entry) != 0 {
        Typed::Consistent
    } else {
        Typed::Inconsistent
    })
}

/// Type words just before word `s`, as (kinds, words): at most a one-word
/// and a two-word one.
pub(crate) fn types_before(t: &Tokens, s: usize) -> [(u16, usize); 2] {
    let mut before = [(0u16, 0usize); 2];
    if let Some(p) = t.before(s).filter(|_| !t.toks[s].hard_before) {
        if p.kind2 != 0 {
            // "Thị xã Nghi Sơn": the town, not "Xã Nghi Sơn".
            before[1] = (p.kind2, 2);
        } else {
            before[0] = (p.kind1, 1);
        }
    }
    before
}

/// Every unit of a level in `levels` whose name ends at word `end` (or at
/// `end - 1` followed by an English type word).
pub(crate) fn hits_ending_at(d: &Data, t: &Tokens, end: usize, levels: u8, out: &mut Vec<Hit>) {
    names_ending_at(d, t, end, 0, levels, out);
    if let Some(before_end) = end.checked_sub(1).filter(|&e| e >= 1) {
        let last = &t.toks[before_end];
        if last.kind1 & ENGLISH != 0 && !last.hard_before {
            names_ending_at(d, t, before_end, last.kind1, levels, out);
        }
    }
}

fn names_ending_at(
    d: &Data,
    t: &Tokens,
    name_end: usize,
    after: u16,
    levels: u8,
    out: &mut Vec<Hit>,
) {
    let Some(&lengths) = name_end
        .checked_sub(1)
        .and_then(|last| d.last_words.get(t.word(last)))
    else {
        return;
    };
    let longest = d.max_words.min(name_end);
    // Names of `len` words start at `s = name_end - len`; `next_hard` is
    // whether the word after `s` starts a new part.
    let mut next_hard = false;
    for (len, s) in (1..=longest).zip((0..name_end).rev()) {
        if len > 1 && next_hard {
            break;
        }
        next_hard = t.toks[s].hard_before;
        if lengths & (1 << len) == 0 {
            continue;
        }
        let key = t.folded(s, name_end);
        let Some(list) = d.names.get(key) else {
            continue;
        };
        let before = types_before(t, s);
        let numeric = key.bytes().all(|b| b.is_ascii_digit());
        let after_marker = t.toks[s].after_marker;
        let segment_start = s == 0 || t.toks[s].hard_before;
        for &entry in list {
            if levels & mask(entry.level) == 0 {
                continue;
            }
            if entry.short && !(segment_start || (t.toks[s].upper && !t.all_upper)) {
                // "BD", "KG": initials count only as their own part of the
                // text or written in capitals.
                continue;
            }
            let base = Hit {
                entry,
                start: s,
                name_start: s,
                name_end,
                typed: Typed::Absent,
                accent: accent_of(d, t, entry, s, name_end),
                street: false,
                fuzzy: 0,
            };
            if after != 0 {
                if let Some(typed) = typed_as(d, entry, after) {
                    out.push(Hit { typed, ..base });
                }
                continue;
            }
            if !numeric {
                // A bare name after a house number or street word, inside a
                // longer name typed with a type word of its level, or right
                // after a type word of another level ("Huyện Lộc Hà" is no
                // Xã Lộc Hà) is no unit of this level on its own.
                let lb = level_bits(entry.level);
                let inside = t.toks[s].kinds_earlier & lb != 0;
                let other = before.iter().any(|&(k, _)| k != 0 && k & lb == 0);
                out.push(Hit {
                    street: after_marker || inside || other,
                    ..base
                });
            }
            for &(tb, n) in &before {
                if let Some(typed) = typed_as(d, entry, tb) {
                    // `n` type words stand before `s` (types_before).
                    out.push(Hit {
                        start: s.saturating_sub(n),
                        typed,
                        ..base
                    });
                }
            }
        }
    }
}

/// One search result.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SearchHit {
    /// The unit.
    pub unit: AdminUnit,
    /// 0..=1: 1 for the same diacritics and a fitting type word; lower for
    /// unaccented text, diacritics that differ, an alias or a type word of
    /// another kind.
    pub score: f32,
    /// Whether the diacritics match exactly (tone placement aside).
    pub exact: bool,
}

pub(crate) fn hit_score(h: &Hit) -> f32 {
    let mut s = match h.accent {
        Accent::Exact => 1.0,
        Accent::Neutral => 0.9,
        Accent::Mismatch => 0.7,
        Accent::Unmarked => 0.85,
    };
    s -= match h.typed {
        Typed::Consistent => 0.0,
        Typed::Absent => 0.02,
        Typed::Inconsistent => 0.25,
    };
    if h.entry.alias {
        s -= 0.05;
    }
    s
}

/// Finds every unit, of both eras and all levels, whose name is `query`
/// (with an optional type word such as "Xã", "TP." or "Q."), best first.
///
/// ```
/// use dancu_core::admin::{AdminUnit, search};
///
/// let hits = search("xa van lang");
/// assert!(hits.len() >= 2); // Văn Lang and Văn Lăng fold alike
/// let exact = search("Xã Văn Lăng");
/// assert!(exact[0].exact && exact[0].unit.full_name() == "Xã Văn Lăng");
/// ```
#[must_use]
pub fn search(query: &str) -> Vec<SearchHit> {
    let d = data();
    let mut t = Tokens::default();
    t.fill(query);
    classify(&mut t);
    let mut hits = Vec::new();
    if t.len() > 0 {
        hits_ending_at(d, &t, t.len(), u8::MAX, &mut hits);
    }
    let mut out: Vec<(Entry, SearchHit)> = Vec::new();
    for h in hits.iter().filter(|h| h.start == 0) {
        let hit = SearchHit {
            unit: AdminUnit::from_entry(h.entry.level, h.entry.idx),
            score: hit_score(h),
            exact: h.accent == Accent::Exact,
        };
        match out
            .iter_mut()
            .find(|(e, _)| e.level == h.entry.level && e.idx == h.entry.idx)
        {
            Some((_, old)) if old.score < hit.score => *old = hit,
            Some(_) => {}
            None => out.push((h.entry, hit)),
        }
    }
    out.sort_by(|(ea, a), (eb, b)| {
        b.score
            .total_cmp(&a.score)
            .then(ea.level.cmp(&eb.level))
            .then(ea.idx.cmp(&eb.idx))
    });
    out.into_iter().map(|(_, h)| h).collect()
}
