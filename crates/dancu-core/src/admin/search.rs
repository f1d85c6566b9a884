//! Name search over both eras, tolerant of case, diacritics, tone-mark
//! placement, NFC/NFD and type words with their abbreviations.

use super::data::{Data, Entry, Level, data};
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
const PROVINCE_BITS: u16 = PK_T | PK_M;
const DISTRICT_BITS: u16 = DK_Q | DK_H | DK_X | DK_C;
const COMMUNE_BITS: u16 = CK_P | CK_X | CK_T | CK_D;

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
    // English, as on bilingual forms ("Ward 8, District 10").
    ("ward", CK_P),
    ("commune", CK_X),
    ("district", DK_Q | DK_H),
    ("town", DK_X | CK_T),
    ("citi", PK_M | DK_C), // "city", folded (final y after a consonant → i)
    ("province", PK_T),
];

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

/// A unit whose name (with an optional type word) occupies words
/// `start..end` of the text.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Hit {
    pub(crate) entry: Entry,
    pub(crate) start: usize,
    pub(crate) name_start: usize,
    pub(crate) end: usize,
    pub(crate) typed: Typed,
    pub(crate) accent: Accent,
}

/// Bit mask of levels.
pub(crate) const fn mask(l: Level) -> u8 {
    1 << (l as u8)
}

/// Every unit of a level in `levels` whose name ends at word `end`.
pub(crate) fn hits_ending_at(d: &Data, t: &Tokens, end: usize, levels: u8, out: &mut Vec<Hit>) {
    let longest = d.max_words.min(end);
    for len in 1..=longest {
        let s = end - len;
        if len > 1 && t.crosses_hard(s, end) {
            break;
        }
        let key = t.folded(s, end);
        let Some(list) = d.names.get(key) else {
            continue;
        };
        // Type words just before the name: (kinds, words).
        let mut before = [(0u16, 0usize); 2];
        let mut found = 0;
        for &(word, tb) in TYPE_WORDS {
            let n = if word.contains(' ') { 2 } else { 1 };
            if found < before.len()
                && n <= s
                && !t.crosses_hard(s - n, s + 1)
                && t.folded(s - n, s) == word
            {
                before[found] = (tb, n);
                found += 1;
            }
        }
        let numeric = key.bytes().all(|b| b.is_ascii_digit());
        let typed_accent = t.accent(s, end);
        let any_accented = t.any_accented(s, end);
        for &entry in list {
            if levels & mask(entry.level) == 0 {
                continue;
            }
            // In a text written with diacritics, a word typed without them
            // is taken as written only when the name has none either.
            let accent = if !t.accented || entry.alias {
                Accent::Neutral
            } else if typed_accent == d.accent(entry) {
                Accent::Exact
            } else if any_accented {
                Accent::Mismatch
            } else {
                Accent::Unmarked
            };
            let base = Hit {
                entry,
                start: s,
                name_start: s,
                end,
                typed: Typed::Absent,
                accent,
            };
            if !numeric {
                out.push(base);
            }
            let lb = level_bits(entry.level);
            for &(tb, n) in &before[..found] {
                if tb & lb == 0 {
                    continue;
                }
                let typed = if tb & unit_bits(d, entry) != 0 {
                    Typed::Consistent
                } else {
                    Typed::Inconsistent
                };
                out.push(Hit {
                    start: s - n,
                    typed,
                    ..base
                });
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
