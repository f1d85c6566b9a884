//! Free-text address resolution in either era.
//!
//! The text is split into words (see `fold.rs`), notes in parentheses set
//! aside; the province, district and commune are matched from the right
//! end, each ending where the next one starts, each with an optional type
//! word before it (or an English one after it); whatever is left on the
//! left is the detail (house number, street, hamlet). Every consistent
//! reading is scored; when readings that lead to different places score
//! alike, the result is ambiguous and lists them instead of guessing.
//!
//! Rules that keep answers honest (see `docs/address.md`):
//!
//! - a name right after a house number, street or hamlet word with no type
//!   word of its own is a street or hamlet: at most a candidate;
//! - a bare name that is both a legacy district and a 2025 commune of the
//!   province, after words that do not resolve, is not taken for the
//!   commune: the district is answered, unresolved, with the 2025 units as
//!   candidates;
//! - a commune merged away before 2025-06-30 (a [`HistoricalCommune`])
//!   resolves to its legacy district, unresolved, with the 2025 communes
//!   that cover that district as candidates;
//! - only when the text does not resolve as written: spelling variants and
//!   one or two wrong letters among the children of a unit that matched, a
//!   cut-off or unknown trailing part ignored, and a text written province
//!   first read backwards — each at a lower confidence.
//!
//! `resolved` is true only at a confidence of at least
//! [`RESOLVED_CONFIDENCE`]; the calibration behind that threshold is in
//! `docs/address.md`.

use std::cell::RefCell;

use super::data::{Data, Entry, Level, data};
use super::fold::Tokens;
use super::gazetteer::{
    Commune, HistoricalCommune, LegacyCommune, LegacyDistrict, LegacyProvince, Province,
};
use super::search::{
    Accent, COMMUNE_BITS, DISTRICT_BITS, Hit, PROVINCE_BITS, Typed, classify, hits_ending_at, mask,
    typed_as, types_before,
};
use super::units::Era;

/// A place named by an address, in the era it was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// A legacy (three-level) place.
    Legacy {
        /// The province.
        province: LegacyProvince,
        /// The district, when named or implied by the commune.
        district: Option<LegacyDistrict>,
        /// The commune, when determined.
        commune: Option<LegacyCommune>,
    },
    /// A place of the 2025 scheme.
    Current {
        /// The province.
        province: Province,
        /// The commune, when determined.
        commune: Option<Commune>,
    },
}

impl Place {
    /// The era the place was written in.
    #[must_use]
    pub fn era(&self) -> Era {
        match self {
            Self::Legacy { .. } => Era::Legacy,
            Self::Current { .. } => Era::Y2025,
        }
    }

    /// Whether the commune (or, for an island district, the district) is known.
    #[must_use]
    pub fn is_determined(&self) -> bool {
        match *self {
            Self::Legacy {
                commune: Some(_), ..
            }
            | Self::Current {
                commune: Some(_), ..
            } => true,
            Self::Legacy {
                district: Some(d),
                commune: None,
                ..
            } => d.communes().len() == 0 && d.special_zone().is_some(),
            _ => false,
        }
    }

    /// The 2025 province.
    #[must_use]
    pub fn current_province(&self) -> Province {
        match *self {
            Self::Current { province, .. } => province,
            Self::Legacy {
                commune: Some(c), ..
            } => c.default_successor().province(),
            Self::Legacy { province, .. } => province.successor(),
        }
    }

    /// The 2025 commune: the place itself, the default successor of a legacy
    /// commune, or the đặc khu of a commune-less island district.
    #[must_use]
    pub fn current_commune(&self) -> Option<Commune> {
        match *self {
            Self::Current { commune, .. } => commune,
            Self::Legacy {
                commune: Some(c), ..
            } => Some(c.default_successor()),
            Self::Legacy {
                district: Some(d),
                commune: None,
                ..
            } if d.communes().len() == 0 => d.special_zone(),
            Self::Legacy { .. } => None,
        }
    }

    /// The other 2025 targets of a split legacy commune.
    #[must_use]
    pub fn alternatives(&self) -> Vec<Commune> {
        match *self {
            Self::Legacy {
                commune: Some(c), ..
            } => c
                .successors()
                .into_iter()
                .filter(|s| !s.is_default)
                .map(|s| s.commune)
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// One possible reading of an address.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candidate {
    /// The place.
    pub place: Place,
    /// A relative score (higher is better; comparable within one result).
    pub score: f32,
}

/// The confidence from which a determined reading is `resolved`: on the
/// calibration corpus (`bench/address/real.tsv`, see `docs/address.md`) no
/// answer at or above it was wrong.
pub const RESOLVED_CONFIDENCE: f32 = 0.7;

/// The outcome of [`resolve`].
#[derive(Clone, Debug, PartialEq)]
pub struct Resolution {
    place: Option<Place>,
    resolved: bool,
    detail: Option<String>,
    confidence: f32,
    candidates: Vec<Candidate>,
    historical: Option<HistoricalCommune>,
    former: Option<Place>,
}

impl Resolution {
    /// What the text names for certain: the whole place when resolved; when
    /// not, only the levels it names for certain (if any).
    #[must_use]
    pub fn place(&self) -> Option<&Place> {
        self.place.as_ref()
    }

    /// Whether the commune (or an island district) is determined, with a
    /// confidence of at least [`RESOLVED_CONFIDENCE`].
    #[must_use]
    pub fn is_resolved(&self) -> bool {
        self.resolved
    }

    /// The era the text was written in, when known.
    #[must_use]
    pub fn era(&self) -> Option<Era> {
        self.place.map(|p| p.era())
    }

    /// The part before the commune: house number, street, hamlet.
    #[must_use]
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    /// 0..=1: how sure the reading is (see `docs/address.md` for what each
    /// band means on the calibration corpus).
    #[must_use]
    pub fn confidence(&self) -> f32 {
        self.confidence
    }

    /// The possible readings when not resolved (and close runners-up when
    /// resolved), best first.
    #[must_use]
    pub fn candidates(&self) -> &[Candidate] {
        &self.candidates
    }

    /// The commune the text names when that commune had been merged away
    /// before 2025-06-30: [`Resolution::place`] is then its legacy district
    /// (or province), and the candidates are the 2025 communes covering it.
    #[must_use]
    pub fn historical(&self) -> Option<HistoricalCommune> {
        self.historical
    }

    /// A second, legacy reading taken from a note in parentheses ending in
    /// "cũ" (former): "Phường Ba Đình, Thành phố Hà Nội (Phường Điện Biên,
    /// Quận Ba Đình cũ)" is the 2025 Phường Ba Đình, formerly Phường Điện
    /// Biên of Quận Ba Đình.
    #[must_use]
    pub fn former(&self) -> Option<&Place> {
        self.former.as_ref()
    }

    fn nothing() -> Self {
        Self {
            place: None,
            resolved: false,
            detail: None,
            confidence: 0.0,
            candidates: Vec::new(),
            historical: None,
            former: None,
        }
    }
}

const MARGIN: f32 = 0.5;
/// Readings this far below the best are not looked at.
const FAR: f32 = 3.0;
const MAX_CANDIDATES: usize = 20;
const PROVINCES: u8 = mask(Level::LegacyProvince) | mask(Level::Province);

#[derive(Clone, Copy, Debug)]
struct Reading {
    place: Place,
    score: f32,
    start: usize,
    inconsistent: bool,
    /// How many of its names are written with other diacritics.
    mismatches: u8,
    has_province: bool,
    has_district: bool,
    /// The commune (or, without one, the lowest unit) had a type word.
    typed: bool,
    /// A bare commune name after other words, with no type word and no
    /// province or district ("12 Nguyễn Huệ"): a candidate, never an answer.
    weak: bool,
    /// Its lowest name is a street or hamlet name ("123 Nguyễn Trãi"), or
    /// a bare name the text types as another level ("Huyện Lộc Hà").
    street: bool,
    /// The worst spelling of its names (see [`Hit::fuzzy`]).
    fuzzy: u8,
    /// A commune merged away before 2025-06-30.
    hist: Option<HistoricalCommune>,
    /// A bare 2025 commune name that is also this legacy district's.
    clash: Option<LegacyDistrict>,
    /// Trailing words were left unread.
    dropped: bool,
    /// `place.is_determined()`, computed once.
    det: bool,
}

impl Reading {
    fn determined(&self) -> bool {
        self.det
    }
}

fn weight(h: &Hit, t: &Tokens, base: f32) -> f32 {
    // Every hit's name starts at or before its end.
    let mut s = base + h.name_end.wrapping_sub(h.name_start) as f32;
    s += match h.typed {
        Typed::Consistent => 0.5,
        Typed::Absent => 0.0,
        Typed::Inconsistent => -0.8,
    };
    s += match h.accent {
        Accent::Exact => 0.3,
        Accent::Neutral => 0.0,
        Accent::Mismatch => -0.6,
        Accent::Unmarked => -0.3,
    };
    if h.entry.alias {
        s -= 0.1;
    }
    s -= 0.6 * f32::from(h.fuzzy);
    if h.start == 0 || t.toks[h.start].hard_before {
        s += 0.2;
    }
    s
}

/// How one attempt reads the text.
#[derive(Clone, Copy, Debug, Default)]
struct Mode {
    /// Spelling variants and wrong letters among the children of a match.
    fuzzy: bool,
    /// Words from here to the end are left unread (a cut-off province).
    end: Option<usize>,
}

struct Ctx<'a> {
    d: &'a Data,
    t: &'a Tokens,
    out: Vec<Reading>,
    /// Hits of every level ending at a word, computed once per word.
    cache: Vec<(usize, Vec<Hit>)>,
    /// Emptied hit lists, kept for their capacity.
    spare: Vec<Vec<Hit>>,
    mode: Mode,
}

/// Buffers reused from one resolution to the next on a thread.
#[derive(Default)]
struct Scratch {
    tokens: Tokens,
    cache: Vec<(usize, Vec<Hit>)>,
    spare: Vec<Vec<Hit>>,
    out: Vec<Reading>,
}

/// The extra facts of a reading beyond its place and hits.
#[derive(Clone, Copy, Default)]
struct Extra {
    hist: Option<HistoricalCommune>,
    clash: Option<LegacyDistrict>,
}

impl Ctx<'_> {
    /// The index in the cache of the hits of every level ending at word
    /// `end` (none at 0), computed on first use.
    fn at(&mut self, end: usize) -> usize {
        if let Some(i) = self.cache.iter().position(|(e, _)| *e == end) {
            return i;
        }
        let mut v = self.spare.pop().unwrap_or_default();
        v.clear();
        if end > 0 {
            hits_ending_at(self.d, self.t, end, u8::MAX, &mut v);
        }
        let at = self.cache.len();
        self.cache.push((end, v));
        at
    }

    /// The hits of `levels` ending at word `end`.
    fn hits(&mut self, end: usize, levels: u8) -> Vec<Hit> {
        let ci = self.at(end);
        self.cache[ci]
            .1
            .iter()
            .filter(|h| levels & mask(h.entry.level) != 0)
            .copied()
            .collect()
    }

    fn push(&mut self, place: Place, hits: [Option<&Hit>; 3], bonus: f32, extra: Extra) {
        let weights = [0.6, 0.6, 0.8];
        // The era preference only breaks ties: it never outweighs
        // diacritics that disagree with the name.
        let misspelt = hits.iter().flatten().any(|h| h.accent == Accent::Mismatch);
        let mut score = if misspelt { bonus.min(0.0) } else { bonus };
        let Some(leftmost) = hits.iter().flatten().min_by_key(|h| h.start).copied() else {
            return;
        };
        let commas = self.t.any_hard;
        for h in hits.iter().flatten() {
            if h.start == leftmost.start {
                // A type word left unread just before the leftmost name.
                if self
                    .t
                    .before(h.start)
                    .is_some_and(|p| (p.kind1 | p.kind2) != 0 && !self.t.toks[h.start].hard_before)
                {
                    score -= 1.0;
                }
            } else if commas && !self.t.toks[h.start].hard_before {
                // The text uses commas, yet two levels meet without one.
                score -= 0.8;
            }
        }
        let (mut inconsistent, mut mismatches, mut fuzzy) = (false, 0u8, 0);
        for (h, w) in hits.iter().zip(weights) {
            if let Some(h) = h {
                score += weight(h, self.t, w);
                inconsistent |= h.typed == Typed::Inconsistent;
                mismatches = mismatches.saturating_add(u8::from(h.accent == Accent::Mismatch));
                fuzzy = fuzzy.max(h.fuzzy);
            }
        }
        let start = leftmost.start;
        let has_province = hits[0].is_some();
        let has_district = hits[1].is_some();
        // A bare commune name alone ranks below a province or district of
        // the same name; after other words ("12 Nguyễn Huệ") it is more
        // likely a street than a commune, so it is never taken as an answer.
        let bare = matches!(hits, [None, None, Some(c)] if c.typed == Typed::Absent);
        if bare {
            score -= 1.0;
        }
        let street = leftmost.street && hits[0].is_none_or(|p| p.start != leftmost.start);
        if street {
            score -= 1.5;
        }
        if extra.clash.is_some() {
            // The name is as much the legacy district's: never a strong reading.
            score -= 0.5;
        }
        let lowest = hits[2].or(hits[1]).or(hits[0]);
        self.out.push(Reading {
            place,
            score,
            start,
            inconsistent,
            mismatches,
            has_province,
            has_district,
            typed: lowest.is_some_and(|h| h.typed != Typed::Absent),
            weak: bare && start > 0,
            street,
            fuzzy,
            hist: extra.hist,
            clash: extra.clash,
            dropped: self.mode.end.is_some(),
            det: place.is_determined(),
        });
    }

    /// A reading naming historical commune `h` (the hit last in `hits`):
    /// its legacy district (the one written, else its own) and province.
    fn push_historical(&mut self, hits: [Option<&Hit>; 3], h: HistoricalCommune, bonus: f32) {
        let district = hits[1]
            .map(|dh| LegacyDistrict { i: dh.entry.idx })
            .or(h.district());
        let place = Place::Legacy {
            province: district.map_or(h.province(), LegacyDistrict::province),
            district,
            commune: None,
        };
        let extra = Extra {
            hist: Some(h),
            ..Extra::default()
        };
        self.push(place, hits, bonus, extra);
    }

    /// A reading naming 2025 commune `c` (hit `ch`), under the 2025
    /// province `p` when written; a bare name after unread words that is
    /// also a legacy district of the province is a clash (rule 2).
    fn push_current(&mut self, p: Option<&Hit>, ch: &Hit, c: Commune, bonus: f32) {
        let place = Place::Current {
            province: c.province(),
            commune: Some(c),
        };
        let clash = if ch.typed == Typed::Absent && ch.start > 0 {
            self.district_named_like(ch, Some(c.province()))
        } else {
            None
        };
        let extra = Extra {
            clash,
            ..Extra::default()
        };
        self.push(place, [p, None, Some(ch)], bonus, extra);
    }

    /// The communes of `district` (and its historical communes) ending at
    /// `end`, then the district alone.
    fn district_below(&mut self, p: Option<&Hit>, dh: &Hit, district: LegacyDistrict, bonus: f32) {
        let lp = district.province();
        let mut any = false;
        let levels = mask(Level::LegacyCommune) | mask(Level::HistoricalCommune);
        let ci = self.at(dh.start);
        for k in 0..self.cache[ci].1.len() {
            let ch = self.cache[ci].1[k];
            if levels & mask(ch.entry.level) == 0 {
                continue;
            }
            if ch.entry.level == Level::HistoricalCommune {
                let h = HistoricalCommune { i: ch.entry.idx };
                if h.district() == Some(district) {
                    self.push_historical([p, Some(dh), Some(&ch)], h, bonus);
                }
                continue;
            }
            let c = LegacyCommune { i: ch.entry.idx };
            if c.district() == district {
                any = true;
                let place = Place::Legacy {
                    province: lp,
                    district: Some(district),
                    commune: Some(c),
                };
                self.push(place, [p, Some(dh), Some(&ch)], bonus, Extra::default());
            }
        }
        if self.mode.fuzzy && !any {
            let children: Vec<u16> = district.communes().map(|c| c.i).collect();
            if let Some(ch) = self.fuzzy_child(dh.start, Level::LegacyCommune, &children) {
                let place = Place::Legacy {
                    province: lp,
                    district: Some(district),
                    commune: Some(LegacyCommune { i: ch.entry.idx }),
                };
                self.push(place, [p, Some(dh), Some(&ch)], bonus, Extra::default());
            }
        }
        let place = Place::Legacy {
            province: lp,
            district: Some(district),
            commune: None,
        };
        self.push(place, [p, Some(dh), None], bonus, Extra::default());
    }

    /// Reads every legacy district ending at `end` that `within` accepts,
    /// and the communes below it. Whether there was one.
    fn districts_at(
        &mut self,
        end: usize,
        p: Option<&Hit>,
        within: impl Fn(LegacyDistrict) -> bool,
        bonus: f32,
    ) -> bool {
        let mut any = false;
        let ci = self.at(end);
        for k in 0..self.cache[ci].1.len() {
            let dh = self.cache[ci].1[k];
            if dh.entry.level != Level::LegacyDistrict {
                continue;
            }
            let district = LegacyDistrict { i: dh.entry.idx };
            if within(district) {
                any = true;
                self.district_below(p, &dh, district, bonus);
            }
        }
        any
    }

    fn legacy_below(&mut self, p: &Hit, lp: LegacyProvince, end: usize, bonus: f32) {
        let mut any_district = self.districts_at(end, Some(p), |d| d.province() == lp, bonus);
        if self.mode.fuzzy && !any_district {
            let children: Vec<u16> = lp.districts().map(|d| d.i).collect();
            if let Some(dh) = self.fuzzy_child(end, Level::LegacyDistrict, &children) {
                any_district = true;
                self.district_below(Some(p), &dh, LegacyDistrict { i: dh.entry.idx }, bonus);
            }
        }
        let mut any_commune = false;
        let ci = self.at(end);
        for k in 0..self.cache[ci].1.len() {
            let ch = self.cache[ci].1[k];
            if (mask(Level::LegacyCommune) | mask(Level::HistoricalCommune)) & mask(ch.entry.level)
                == 0
            {
                continue;
            }
            if ch.entry.level == Level::HistoricalCommune {
                let h = HistoricalCommune { i: ch.entry.idx };
                if h.province() == lp {
                    self.push_historical([Some(p), None, Some(&ch)], h, bonus);
                }
                continue;
            }
            let c = LegacyCommune { i: ch.entry.idx };
            if c.province() == lp {
                any_commune = true;
                let place = Place::Legacy {
                    province: lp,
                    district: Some(c.district()),
                    commune: Some(c),
                };
                self.push(place, [Some(p), None, Some(&ch)], bonus, Extra::default());
            }
        }
        if self.mode.fuzzy && !any_commune && !any_district {
            let children: Vec<u16> = lp.communes().map(|c| c.i).collect();
            if let Some(ch) = self.fuzzy_child(end, Level::LegacyCommune, &children) {
                let c = LegacyCommune { i: ch.entry.idx };
                let place = Place::Legacy {
                    province: lp,
                    district: Some(c.district()),
                    commune: Some(c),
                };
                self.push(place, [Some(p), None, Some(&ch)], bonus, Extra::default());
            }
        }
    }

    /// The legacy district, of a province that became `np` (any, when
    /// `None`), whose name occupies exactly the words of `h`.
    fn district_named_like(&mut self, h: &Hit, np: Option<Province>) -> Option<LegacyDistrict> {
        let ci = self.at(h.name_end);
        self.cache[ci]
            .1
            .iter()
            .filter(|dh| dh.entry.level == Level::LegacyDistrict && dh.name_start == h.name_start)
            .map(|dh| LegacyDistrict { i: dh.entry.idx })
            .find(|d| np.is_none_or(|np| d.province().successor() == np))
    }

    /// Pushes the commune-level hits ending at `end` of every era — 2025,
    /// legacy, historical — that lie in the 2025 province `np` (any, when
    /// `None`), below province hit `p` when written, with `bonus` for each
    /// era in that order. Whether a 2025 commune was among them.
    fn communes_at(
        &mut self,
        end: usize,
        p: Option<&Hit>,
        np: Option<Province>,
        bonus: [f32; 3],
    ) -> bool {
        let levels =
            mask(Level::Commune) | mask(Level::LegacyCommune) | mask(Level::HistoricalCommune);
        let within = |q: Province| np.is_none_or(|np| q == np);
        let mut any = false;
        let ci = self.at(end);
        for k in 0..self.cache[ci].1.len() {
            let ch = self.cache[ci].1[k];
            if levels & mask(ch.entry.level) == 0 {
                continue;
            }
            match ch.entry.level {
                Level::Commune => {
                    let c = Commune { i: ch.entry.idx };
                    if within(c.province()) {
                        any = true;
                        self.push_current(p, &ch, c, bonus[0]);
                    }
                }
                Level::LegacyCommune => {
                    let c = LegacyCommune { i: ch.entry.idx };
                    if within(c.province().successor()) {
                        let place = Place::Legacy {
                            province: c.province(),
                            district: Some(c.district()),
                            commune: Some(c),
                        };
                        self.push(place, [p, None, Some(&ch)], bonus[1], Extra::default());
                    }
                }
                _ => {
                    let h = HistoricalCommune { i: ch.entry.idx };
                    if within(h.province().successor()) {
                        self.push_historical([p, None, Some(&ch)], h, bonus[2]);
                    }
                }
            }
        }
        any
    }

    fn current_below(&mut self, ph: &Hit, np: Province, end: usize, bonus: f32) {
        // A legacy or historical commune written with its 2025 province
        // reads at a lower score.
        let any = self.communes_at(
            end,
            Some(ph),
            Some(np),
            [bonus + 0.6, bonus - 0.8, bonus - 0.8],
        );
        // A legacy district (and commune) written with its 2025 province.
        let any_district = self.districts_at(
            end,
            Some(ph),
            |d| d.province().successor() == np,
            bonus - 0.8,
        );
        if self.mode.fuzzy && !any && !any_district {
            let children: Vec<u16> = np.communes().map(|c| c.i).collect();
            if let Some(ch) = self.fuzzy_child(end, Level::Commune, &children) {
                let place = Place::Current {
                    province: np,
                    commune: Some(Commune { i: ch.entry.idx }),
                };
                self.push(
                    place,
                    [Some(ph), None, Some(&ch)],
                    bonus + 0.6,
                    Extra::default(),
                );
            }
        }
    }

    fn below_province(&mut self, ph: &Hit, bonus: f32) {
        if ph.entry.level == Level::LegacyProvince {
            let lp = LegacyProvince { i: ph.entry.idx };
            let place = Place::Legacy {
                province: lp,
                district: None,
                commune: None,
            };
            self.push(place, [Some(ph), None, None], bonus, Extra::default());
            self.legacy_below(ph, lp, ph.start, bonus);
        } else {
            let np = Province { i: ph.entry.idx };
            let place = Place::Current {
                province: np,
                commune: None,
            };
            self.push(place, [Some(ph), None, None], bonus + 0.1, Extra::default());
            self.current_below(ph, np, ph.start, bonus);
        }
    }

    fn run(&mut self, n: usize) {
        if n == 0 {
            return;
        }
        let mut provinces = self.hits(n, PROVINCES);
        if self.mode.fuzzy && provinces.is_empty() {
            provinces = self.fuzzy_provinces(n);
        }
        for ph in &provinces {
            self.below_province(ph, 0.0);
            // The province written twice ("…, Hà Nội, Thành phố Hà Nội"),
            // or the legacy province then its 2025 one.
            let ci = self.at(ph.start);
            for k in 0..self.cache[ci].1.len() {
                let rh = self.cache[ci].1[k];
                if PROVINCES & mask(rh.entry.level) == 0 {
                    continue;
                }
                if successor_of(rh.entry) == successor_of(ph.entry) {
                    self.below_province(&rh, 0.3);
                }
            }
        }
        // No province in the text: a district (and commune), or a commune alone.
        self.districts_at(n, None, |_| true, 0.0);
        // Without a district, a 2025 reading comes first (2025 addresses
        // have no district level).
        self.communes_at(n, None, None, [0.6, 0.0, 0.0]);
    }

    /// The one child of a matched unit (`children`, indexes at `level`)
    /// whose name, written differently, ends at `end`: spacing, c/k and y/i
    /// variants (`fuzzy` 1) or one wrong letter (two in a long name; `fuzzy`
    /// 2). Only a name with a type word of its level, or making up a whole
    /// part of the text, and only when exactly one child fits.
    fn fuzzy_child(&mut self, end: usize, level: Level, children: &[u16]) -> Option<Hit> {
        let t = self.t;
        if end == 0 {
            return None;
        }
        let bits = match level {
            Level::LegacyProvince | Level::Province => PROVINCE_BITS,
            Level::LegacyDistrict => DISTRICT_BITS,
            _ => COMMUNE_BITS,
        };
        // The best hit per child, then how many children fit at each distance.
        let mut found: Vec<(Hit, u8)> = Vec::new();
        // Names of `len` words start at `s = end - len`; `next_hard` is
        // whether the word after `s` starts a new part.
        let mut next_hard = false;
        for (len, s) in (1..=4.min(end)).zip((0..end).rev()) {
            if len > 1 && next_hard {
                break;
            }
            next_hard = t.toks[s].hard_before;
            let first = &t.toks[s];
            if (first.kind1 | first.kind2) != 0 || first.marker {
                continue; // a type word, street or hamlet word is not part of a name
            }
            let before = types_before(t, s);
            let typed = before.iter().find(|(k, _)| k & bits != 0).copied();
            let aligned = s == 0 || first.hard_before;
            if typed.is_none() && (!aligned || first.after_marker) {
                continue;
            }
            let text = loose(t.folded(s, end));
            for &idx in children {
                let name = &*self.d.loose[level as usize][usize::from(idx)];
                let allowed = match name.len() {
                    0..=4 => 0,
                    5..=8 => 1,
                    _ => 2,
                };
                if name.len().abs_diff(text.len()) > allowed {
                    continue;
                }
                let Some(dist) = distance(&text, name, allowed) else {
                    continue;
                };
                let entry = Entry {
                    level,
                    idx,
                    alias: false,
                    short: false,
                };
                let (start, typed) = match typed {
                    // `n` type words stand before `s` (types_before).
                    Some((k, n)) => (
                        s.saturating_sub(n),
                        typed_as(self.d, entry, k).unwrap_or(Typed::Absent),
                    ),
                    None => (s, Typed::Absent),
                };
                let hit = Hit {
                    entry,
                    start,
                    name_start: s,
                    name_end: end,
                    typed,
                    accent: Accent::Neutral,
                    street: false,
                    fuzzy: if dist == 0 { 1 } else { 2 },
                };
                match found.iter_mut().find(|(h, _)| h.entry.idx == idx) {
                    Some(f) if f.1 <= dist => {}
                    Some(f) => *f = (hit, dist),
                    None => found.push((hit, dist)),
                }
            }
        }
        // A variant (same letters once spacing, c/k and y/i are set aside)
        // must be the only variant; a misspelling the only child in reach.
        let variants: Vec<&(Hit, u8)> = found.iter().filter(|f| f.1 == 0).collect();
        match (variants.as_slice(), found.as_slice()) {
            ([one], _) => Some(one.0),
            ([], [one]) => Some(one.0),
            _ => None,
        }
    }

    /// A misspelt province at the end of the text: one name (of either era)
    /// within the distance [`Ctx::fuzzy_child`] allows.
    fn fuzzy_provinces(&mut self, n: usize) -> Vec<Hit> {
        let all: Vec<u16> = LegacyProvince::all().map(|p| p.i).collect();
        let legacy = self.fuzzy_child(n, Level::LegacyProvince, &all);
        let all: Vec<u16> = Province::all().map(|p| p.i).collect();
        let current = self.fuzzy_child(n, Level::Province, &all);
        // Both eras may name the same province; two different names are no answer.
        match (legacy, current) {
            (Some(l), Some(c)) => {
                let same =
                    LegacyProvince { i: l.entry.idx }.name() == Province { i: c.entry.idx }.name();
                if same { vec![l, c] } else { Vec::new() }
            }
            (l, c) => l.into_iter().chain(c).collect(),
        }
    }
}

/// The 2025 province a province entry of either era is (or became).
fn successor_of(e: Entry) -> Province {
    match e.level {
        Level::LegacyProvince => LegacyProvince { i: e.idx }.successor(),
        _ => Province { i: e.idx },
    }
}

/// A folded name without spaces, k written c (not in kh), y written i:
/// the key spelling variants agree on (Eakar/Ea Kar, Bắc Cạn/Bắc Kạn,
/// Sỹ/Sĩ).
pub(crate) fn loose(folded: &str) -> String {
    let b = folded.as_bytes();
    let mut out = String::with_capacity(b.len());
    for (i, &c) in b.iter().enumerate() {
        match c {
            b' ' => {}
            b'k' if !b[i..].starts_with(b"kh") => out.push('c'),
            b'y' => out.push('i'),
            _ => out.push(char::from(c)),
        }
    }
    out
}

/// The optimal-string-alignment distance of `a` and `b` (ASCII), when it
/// is at most `max`.
#[allow(
    clippy::arithmetic_side_effects,
    reason = "b.len() < 64 and a.len() <= b.len() + max are checked first (max is at most 2 \
              where called), so every cell is below 70 and fits a u8; `i - 1`, `j - 1` with \
              i, j >= 1 and `i - 2`, `j - 2` only when i, j > 1"
)]
fn distance(a: &str, b: &str, max: usize) -> Option<u8> {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    if a == b {
        return Some(0);
    }
    if max == 0 {
        return None;
    }
    let w = b.len() + 1;
    if w > 64 {
        return None; // no unit name is that long
    }
    let (mut r0, mut r1, mut r2) = ([0u8; 64], [0u8; 64], [0u8; 64]);
    let (mut prev2, mut prev, mut cur) = (&mut r0, &mut r1, &mut r2);
    for (j, v) in prev.iter_mut().enumerate().take(w) {
        *v = j as u8;
    }
    for i in 1..=a.len() {
        cur[0] = i as u8;
        let mut row_min = cur[0];
        for j in 1..w {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if usize::from(row_min) > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[w - 1];
    (usize::from(d) <= max).then_some(d)
}

/// Whether two readings name the same place (a legacy commune merged whole
/// into a 2025 commune and that 2025 commune count as one).
fn same_place(a: &Place, b: &Place) -> bool {
    if a == b {
        return true;
    }
    let pair = match (a, b) {
        (
            Place::Legacy {
                commune: Some(l), ..
            },
            Place::Current {
                commune: Some(c), ..
            },
        )
        | (
            Place::Current {
                commune: Some(c), ..
            },
            Place::Legacy {
                commune: Some(l), ..
            },
        ) => (l, c),
        _ => return false,
    };
    !pair.0.is_split() && pair.0.default_successor() == *pair.1
}

/// The levels that all `places` share.
fn common(places: &[Place]) -> Option<Place> {
    let first = *places.first()?;
    match first {
        Place::Legacy {
            province,
            district,
            commune,
        } => {
            let mut district = district;
            let mut commune = commune;
            for p in places {
                match *p {
                    Place::Legacy {
                        province: q,
                        district: dq,
                        commune: cq,
                    } if q == province => {
                        if dq != district {
                            district = None;
                        }
                        if cq != commune {
                            commune = None;
                        }
                    }
                    _ => return None,
                }
            }
            if commune.is_some() {
                return None;
            }
            Some(Place::Legacy {
                province,
                district,
                commune,
            })
        }
        Place::Current { province, .. } => places
            .iter()
            .all(|p| matches!(p, Place::Current { province: q, .. } if *q == province))
            .then_some(Place::Current {
                province,
                commune: None,
            }),
    }
}

/// The levels of a reading the text names itself (its province and
/// district, when written), without the commune.
fn named_levels(r: &Reading) -> Option<Place> {
    match r.place {
        Place::Legacy {
            province, district, ..
        } if r.has_province || r.has_district => Some(Place::Legacy {
            province,
            district: district.filter(|_| r.has_district),
            commune: None,
        }),
        Place::Current { province, .. } if r.has_province => Some(Place::Current {
            province,
            commune: None,
        }),
        _ => None,
    }
}

/// How sure a determined reading with no close rival is, 0..=1.
fn confidence(r: &Reading, runner_up: Option<f32>) -> f32 {
    let mut c: f32 = 0.55;
    if r.has_province {
        c += 0.2;
    } else if r.has_district {
        // A commune and district pair needs no province when unique.
        c += 0.1;
    }
    if r.has_district || matches!(r.place, Place::Current { .. }) {
        c += 0.1;
    }
    if !r.inconsistent {
        c += 0.1;
    }
    // Diacritics that disagree with a name: another name, or a typo.
    c -= 0.15 * f32::from(r.mismatches);
    match runner_up {
        Some(gap) if gap < 2.0 * MARGIN => c -= 0.15,
        Some(_) => {}
        None => c += 0.05,
    }
    if !r.typed {
        c -= 0.05;
    }
    c -= 0.1 * f32::from(r.fuzzy);
    if r.dropped {
        c -= 0.05;
    }
    c.clamp(0.0, 1.0)
}

fn candidate(r: &Reading) -> Candidate {
    Candidate {
        place: r.place,
        score: r.score,
    }
}

/// Adds the 2025 communes `covering` to `list` (without repeats, at most
/// [`MAX_CANDIDATES`] in all), scored `score`.
fn add_covering(list: &mut Vec<Candidate>, covering: Vec<Commune>, score: f32) {
    for c in covering {
        if list.len() >= MAX_CANDIDATES {
            break;
        }
        if !list.iter().any(|k| k.place.current_commune() == Some(c)) {
            list.push(Candidate {
                place: Place::Current {
                    province: c.province(),
                    commune: Some(c),
                },
                score,
            });
        }
    }
}

/// Chooses among the readings of one attempt: the result, and whether
/// another reading of the text may do better (nothing or no commune was
/// found, or only at a low confidence; not when the text is ambiguous or a
/// rule declined it on purpose).
fn decide(text: &str, t: &Tokens, readings: &mut Vec<Reading>) -> (Resolution, bool) {
    // Readings far below the best decide nothing: drop them before sorting.
    let max = readings.iter().map(|r| r.score).fold(f32::MIN, f32::max);
    let before = readings.len();
    readings.retain(|r| r.score >= max - FAR);
    let dropped_far = readings.len() < before;
    readings.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| b.determined().cmp(&a.determined()))
    });
    // Every distinct determined reading, for the candidate list.
    let mut distinct: Vec<Reading> = Vec::with_capacity(readings.len());
    for r in readings.iter() {
        if r.determined() && !distinct.iter().any(|d| d.place == r.place) {
            distinct.push(*r);
        }
    }
    // The best reading of each distinct place. When a text reads the same in
    // both eras (a legacy commune merged whole into the 2025 commune it also
    // names, written without a district), the best reading stands: without a
    // district that is the 2025 one; the legacy reading stays a candidate.
    let mut best: Vec<Reading> = Vec::with_capacity(readings.len());
    for r in readings.drain(..) {
        if !best.iter().any(|b| same_place(&b.place, &r.place)) {
            best.push(r);
        }
    }
    let Some(top) = best.first().copied() else {
        return (Resolution::nothing(), true);
    };
    let detail = detail_of(text, t, top.start);
    let close: Vec<Reading> = best[1..]
        .iter()
        .filter(|r| {
            r.score >= top.score - MARGIN
                && (r.determined() || r.hist.is_some() || !top.determined())
        })
        .copied()
        .collect();
    let close_determined = || -> Vec<Candidate> {
        close
            .iter()
            .filter(|r| r.determined())
            .take(MAX_CANDIDATES)
            .map(candidate)
            .collect()
    };
    let unresolved = |place, confidence, candidates| Resolution {
        place,
        resolved: false,
        detail: detail.clone(),
        confidence,
        candidates,
        historical: None,
        former: None,
    };
    if let Some(h) = top.hist {
        // A commune merged away before 2025-06-30: its legacy district, and
        // the 2025 communes that cover it.
        let mut list = close_determined();
        add_covering(&mut list, h.covering(), top.score);
        let r = Resolution {
            historical: Some(h),
            ..unresolved(Some(top.place), 0.3, list)
        };
        return (r, false);
    }
    if let (Some(district), true) = (top.clash, top.determined()) {
        // A bare name that is a 2025 commune and also a legacy district of
        // the province: the district is answered, the 2025 units listed.
        let mut list = vec![candidate(&top)];
        list.extend(close_determined());
        add_covering(&mut list, district.covering(), top.score - MARGIN);
        let place = Place::Legacy {
            province: district.province(),
            district: Some(district),
            commune: None,
        };
        return (unresolved(Some(place), 0.25, list), false);
    }
    if top.determined() && (top.street || top.weak) {
        // A street or hamlet name, or a bare name after other words: what it
        // may be is listed; the answer is what else the text names.
        let mut list = vec![candidate(&top)];
        list.extend(close_determined());
        list.truncate(MAX_CANDIDATES);
        let share = 0.3 / list.len() as f32;
        // The street or hamlet name belongs to the detail: it runs to the
        // levels the text does name, or is the whole text.
        let place = named_levels(&top);
        let detail_start = match place {
            None => t.len(),
            Some(p) => best
                .iter()
                .find(|r| r.place == p && !r.street)
                .map_or(top.start, |r| r.start),
        };
        let r = Resolution {
            detail: detail_of(text, t, detail_start),
            ..unresolved(place, share, list)
        };
        return (r, false);
    }
    if top.determined() && close.is_empty() {
        // The closest other reading, of any level (a district-only reading
        // of the same words also makes the answer less certain).
        let runner_up = best
            .get(1)
            .map(|r| top.score - r.score)
            .or(dropped_far.then_some(FAR));
        let c = confidence(&top, runner_up);
        let mut list = vec![candidate(&top)];
        list.extend(
            distinct
                .iter()
                .filter(|r| r.place != top.place && r.score >= top.score - 2.0 * MARGIN)
                .take(MAX_CANDIDATES)
                .map(candidate),
        );
        if c < RESOLVED_CONFIDENCE {
            return (unresolved(named_levels(&top), c, list), true);
        }
        let r = Resolution {
            place: Some(top.place),
            resolved: true,
            detail,
            confidence: c,
            candidates: list,
            historical: None,
            former: None,
        };
        return (r, false);
    }
    if top.determined() {
        // Several determined readings score alike: ambiguous.
        let mut tied = vec![top];
        tied.extend(close.iter().filter(|r| r.determined()).copied());
        let places: Vec<Place> = tied.iter().map(|r| r.place).collect();
        let share = 0.5 / tied.len() as f32;
        // List every reading of the tied places, in both eras when a text
        // reads the same in both.
        let floor = top.score - MARGIN - 0.7;
        let listed: Vec<Candidate> = distinct
            .iter()
            .filter(|r| r.score >= floor && tied.iter().any(|t| same_place(&t.place, &r.place)))
            .take(MAX_CANDIDATES)
            .map(candidate)
            .collect();
        return (unresolved(common(&places), share, listed), false);
    }
    // Only a province or district: list the close readings that name a
    // commune, then the communes below the district.
    let mut list = close_determined();
    if let Place::Legacy {
        province,
        district: Some(dist),
        ..
    } = top.place
    {
        list.extend(dist.communes().take(MAX_CANDIDATES).map(|c| Candidate {
            place: Place::Legacy {
                province,
                district: Some(dist),
                commune: Some(c),
            },
            score: top.score,
        }));
    }
    list.truncate(MAX_CANDIDATES);
    (unresolved(Some(top.place), 0.2, list), true)
}

/// Trailing words that name no unit: the country, a postal code, a phone
/// number ("ĐT: 0382 285 700").
#[allow(
    clippy::arithmetic_side_effects,
    reason = "n and k only decrease, and only while n >= 2 and k > 1: every `- 1` and `- 2` \
              stays at 0 or above; `count` adds word lengths of the text"
)]
fn country_suffix(t: &Tokens) -> usize {
    let digits = |i: usize| t.word(i).bytes().all(|b| b.is_ascii_digit());
    let mut n = t.len();
    while n >= 2 {
        let last = t.folded(n - 1, n);
        // A run of numbers after a phone word, or of seven digits or more.
        let mut k = n;
        let mut count = 0;
        while k > 1 && digits(k - 1) {
            count += t.folded(k - 1, k).len();
            k -= 1;
        }
        let phone_word = matches!(
            t.folded(k - 1, k),
            "dt" | "sdt" | "dd" | "tel" | "fax" | "hotline" | "phone" | "mobile" | "lh"
        );
        if k < n && phone_word {
            n = k - 1;
        } else if k < n && count >= 7 {
            n = k;
        } else if t.folded(n - 2, n) == "viet nam" {
            n -= 2;
        } else if matches!(last, "vietnam" | "vn")
            || (matches!(last.len(), 5 | 6) && last.bytes().all(|b| b.is_ascii_digit()))
        {
            n -= 1;
        } else {
            break;
        }
    }
    n
}

/// Resolves a free-text address written in either era.
///
/// ```
/// use dancu_core::admin::{Era, Place, resolve};
///
/// let r = resolve("Số 12, thôn Nà Pài, Xã Dương Quang, TP. Bắc Kạn, Bắc Kạn");
/// assert!(r.is_resolved());
/// assert_eq!(r.era(), Some(Era::Legacy));
/// assert_eq!(r.detail(), Some("Số 12, thôn Nà Pài"));
/// let place = r.place().unwrap();
/// assert_eq!(place.current_commune().unwrap().full_name(), "Xã Phong Quang");
///
/// // Four communes are called Hòa Bình in Lạng Sơn: ambiguous, not a guess.
/// let r = resolve("xa hoa binh, lang son");
/// assert!(!r.is_resolved());
/// assert!(r.candidates().len() >= 4);
///
/// // Nguyễn Trãi is a street here, not Xã Nguyễn Trãi of Thường Tín.
/// let r = resolve("123 Nguyễn Trãi, Hà Nội");
/// assert!(!r.is_resolved());
/// ```
#[must_use]
pub fn resolve(text: &str) -> Resolution {
    thread_local! {
        /// Buffers reused between calls on one thread.
        static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
    }
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut s) => {
            let r = resolve_in(text, &mut s, 0);
            if s.tokens.folded.capacity() > 1 << 16 {
                // Do not keep a huge input's buffers alive.
                *s = Scratch::default();
            }
            r
        }
        Err(_) => resolve_in(text, &mut Scratch::default(), 0),
    })
}

/// `depth` is 0 for the text as given, 1 for a text derived from it (a
/// note, the parts reversed), which is not derived from again.
fn resolve_in(text: &str, s: &mut Scratch, depth: u8) -> Resolution {
    let d = data();
    s.tokens.fill(text);
    classify(&mut s.tokens);
    let n = country_suffix(&s.tokens);
    s.tokens.toks.truncate(n);
    s.tokens.any_hard = s.tokens.toks.iter().any(|t| t.hard_before);
    let t = &s.tokens;
    let mut ctx = Ctx {
        d,
        t,
        out: std::mem::take(&mut s.out),
        cache: std::mem::take(&mut s.cache),
        spare: std::mem::take(&mut s.spare),
        mode: Mode::default(),
    };
    ctx.run(n);
    let (mut r, retry) = decide(text, t, &mut ctx.out);
    if !r.resolved {
        r = fallback(text, &mut ctx, r, retry, n, depth);
    }
    if depth == 0 && !t.notes.is_empty() {
        r = with_notes(text, t, r);
    }
    let Ctx {
        mut out,
        mut cache,
        mut spare,
        ..
    } = ctx;
    out.clear();
    spare.extend(cache.drain(..).map(|(_, v)| v));
    s.out = out;
    s.cache = cache;
    s.spare = spare;
    r
}

/// How much an unresolved result says: a historical commune, then the
/// deepest level named for certain, then candidates.
fn informative(r: &Resolution) -> u8 {
    let level = match r.place {
        Some(Place::Legacy {
            district: Some(_), ..
        }) => 3,
        Some(_) => 2,
        None => u8::from(!r.candidates.is_empty()),
    };
    // level is at most 3.
    if r.historical.is_some() {
        level.saturating_add(2)
    } else {
        level
    }
}

/// The readings tried when the text does not resolve as written, in order;
/// the first that resolves is the answer, else the most informative result.
/// `retry`: the first reading found no commune (or only a doubtful one), so
/// spelling variants are worth a look; the other readings are tried when
/// the text's shape calls for them (no province at the end, a province at
/// the start, notes).
fn fallback(
    text: &str,
    ctx: &mut Ctx<'_>,
    first: Resolution,
    retry: bool,
    n: usize,
    depth: u8,
) -> Resolution {
    let t = ctx.t;
    let mut keep = first;
    let consider = |r: Resolution, keep: &mut Resolution| -> Option<Resolution> {
        if r.resolved {
            return Some(r);
        }
        if informative(&r) > informative(keep) {
            *keep = r;
        }
        None
    };
    // Spelling variants and wrong letters below the units that matched.
    if retry {
        ctx.mode = Mode {
            fuzzy: true,
            end: None,
        };
        ctx.run(n);
        let (r, _) = decide(text, t, &mut ctx.out);
        if let Some(r) = consider(r, &mut keep) {
            return r;
        }
    }
    // A cut-off or unknown trailing part ("…, tỉnh Quảng"): left unread; a
    // cut-off province name still rules out the provinces it cannot start.
    // Not when the text ends with a province.
    let ends = if ctx.hits(n, PROVINCES).is_empty() {
        trailing_ends(t, n)
    } else {
        Vec::new()
    };
    for e in ends {
        ctx.mode = Mode {
            fuzzy: false,
            end: Some(e),
        };
        ctx.run(e);
        if let Some(prefix) = province_prefix(ctx.d, t, e, n) {
            let d = ctx.d;
            ctx.out
                .retain(|r| province_starts_with(d, &r.place, &prefix));
        }
        if let Some(r) = consider(decide(text, t, &mut ctx.out).0, &mut keep) {
            return r;
        }
    }
    if depth == 0 {
        // Written province first ("Hà Nội, Quận Hoàn Kiếm, Phường Hàng Bạc").
        if let Some(rev) = reversed(ctx.d, text, t) {
            let r = resolve_in(&rev, &mut Scratch::default(), 1);
            if let Some(r) = consider(r, &mut keep) {
                return r;
            }
        }
        // The unit may be in a note ("Khách sạn A (P. Bến Nghé), Q.1, HCM").
        if !t.notes.is_empty() {
            let inline: String = text
                .chars()
                .map(|c| {
                    if matches!(c, '(' | ')' | '（' | '）' | '[' | ']') {
                        ','
                    } else {
                        c
                    }
                })
                .collect();
            let r = resolve_in(&inline, &mut Scratch::default(), 1);
            if let Some(r) = consider(r, &mut keep) {
                return r;
            }
        }
    }
    keep
}

/// Where a text may end once a trailing fragment is left unread: before its
/// last comma-separated part (when that is short), or one or two words
/// earlier.
fn trailing_ends(t: &Tokens, n: usize) -> Vec<usize> {
    let mut ends = Vec::with_capacity(3);
    if let Some(last) = (1..n).rev().find(|&i| t.toks[i].hard_before)
        && n.saturating_sub(last) <= 3
    {
        ends.push(last);
    }
    for e in [n.saturating_sub(1), n.saturating_sub(2)] {
        if e > 0 && !ends.contains(&e) {
            ends.push(e);
        }
    }
    ends
}

/// The words `e..n` as the start of a province name ("tỉnh Quảng" →
/// "quang"), when some province's name starts so.
fn province_prefix(d: &Data, t: &Tokens, e: usize, n: usize) -> Option<String> {
    let mut s = e;
    while s < n && (t.toks[s].kind1 & PROVINCE_BITS != 0 || t.word(s) == "thanh") {
        s = s.saturating_add(1); // s < n
    }
    if s == n {
        return None;
    }
    let prefix = t.folded(s, n).to_owned();
    let levels = [Level::LegacyProvince, Level::Province];
    levels
        .iter()
        .any(|&l| d.folded[l as usize].iter().any(|f| f.starts_with(&*prefix)))
        .then_some(prefix)
}

fn province_starts_with(d: &Data, p: &Place, prefix: &str) -> bool {
    let names = match *p {
        Place::Legacy { province, .. } => [
            &d.folded[Level::LegacyProvince as usize][usize::from(province.i)],
            &d.folded[Level::Province as usize][usize::from(province.successor().i)],
        ],
        Place::Current { province, .. } => {
            let f = &d.folded[Level::Province as usize][usize::from(province.i)];
            [f, f]
        }
    };
    names.iter().any(|f| f.starts_with(prefix))
}

/// The text with its comma-separated parts in reverse order, when its first
/// part is a province.
fn reversed(d: &Data, text: &str, t: &Tokens) -> Option<String> {
    let starts: Vec<usize> = (0..t.len())
        .filter(|&i| i == 0 || t.toks[i].hard_before)
        .collect();
    if starts.len() < 2 {
        return None;
    }
    let first_end = starts[1];
    let mut hits = Vec::new();
    hits_ending_at(d, t, first_end, PROVINCES, &mut hits);
    if !hits.iter().any(|h| h.start == 0) {
        return None;
    }
    let mut parts: Vec<&str> = Vec::with_capacity(starts.len());
    let ends = starts.iter().skip(1).copied().chain([t.len()]);
    for (&s, e) in starts.iter().zip(ends) {
        let from = t.toks[s].src.0 as usize;
        let to = t.toks.get(s..e)?.last()?.src.1 as usize;
        parts.push(text.get(from..to)?);
    }
    parts.reverse();
    Some(parts.join(", "))
}

/// The inside of a note that says what a place was formerly, without the
/// word that says so: "Phường Điện Biên, Quận Ba Đình cũ", "cũ: Xã Tân
/// Lập", "trụ sở Xã Minh Quang cũ, Huyện Kiến Xương", "trước đây là xã Tân
/// Lập". Unaccented, "cu" counts only as the first or last word.
fn former_note(note: &str) -> Option<String> {
    let mut t = Tokens::default();
    t.fill(note);
    let n = t.len();
    if n < 2 {
        return None;
    }
    let is_cu = |i: usize| {
        t.word(i) == "cu"
            && if t.toks[i].accented {
                t.word_accent(i) == "cu\u{303}"
            } else {
                i == 0 || i == n.saturating_sub(1)
            }
    };
    // The note without words i..j (a non-empty range).
    let cut = |i: usize, j: usize| -> Option<String> {
        let words = t.toks.get(i..j)?;
        let (from, to) = (words.first()?.src.0 as usize, words.last()?.src.1 as usize);
        Some(format!("{}, {}", &note[..from], &note[to..]))
    };
    if let Some(i) = (0..n).find(|&i| is_cu(i)) {
        return cut(i, i.saturating_add(1));
    }
    let lead = [
        "truoc day la",
        "truoc kia la",
        "truoc la",
        "truoc day",
        "truoc kia",
    ];
    lead.iter()
        .map(|l| l.split(' ').count())
        .zip(lead)
        .find(|&(words, l)| n > words && t.folded(0, words) == l)
        .and_then(|(words, _)| cut(0, words))
}

/// Whether a legacy reading from a "cũ" note fits the main answer: its
/// commune went (at least partly) into the main 2025 commune, or into its
/// province.
fn fits(former: &Place, main: Option<&Place>) -> bool {
    let Place::Legacy {
        province,
        commune: Some(c),
        ..
    } = *former
    else {
        return false;
    };
    match main {
        Some(&Place::Current {
            commune: Some(m), ..
        }) => c.successors().iter().any(|s| s.commune == m),
        Some(&Place::Current { province: np, .. }) => province.successor() == np,
        Some(&Place::Legacy { province: lp, .. }) => province == lp,
        None => true,
    }
}

/// Reads the notes in parentheses that say what the place was formerly.
fn with_notes(text: &str, t: &Tokens, mut r: Resolution) -> Resolution {
    for &(from, to) in &t.notes {
        let Some(inner) = text.get(from as usize..to as usize).and_then(former_note) else {
            continue;
        };
        let n = resolve_in(&inner, &mut Scratch::default(), 1);
        let places: Vec<Place> = if n.resolved {
            n.place.into_iter().collect()
        } else {
            n.candidates.iter().map(|c| c.place).collect()
        };
        let mut fitting: Vec<Place> = Vec::new();
        for p in places {
            if fits(&p, r.place.as_ref()) && !fitting.contains(&p) {
                fitting.push(p);
            }
        }
        let main_determined = r.place.is_some_and(|p| p.is_determined());
        match fitting.as_slice() {
            [one] if main_determined => r.former = Some(*one),
            [one] if n.resolved => {
                // The main text names no commune: the note does.
                r = Resolution {
                    place: Some(*one),
                    resolved: true,
                    detail: r.detail,
                    confidence: n.confidence,
                    candidates: n.candidates,
                    historical: None,
                    former: None,
                };
            }
            [] if n.resolved && r.resolved => {
                // The note names another place than the text: no answer.
                r.resolved = false;
                r.confidence = r.confidence.min(0.3);
                if let Some(p) = n.place {
                    r.candidates.push(Candidate {
                        place: p,
                        score: 0.0,
                    });
                }
            }
            _ => {}
        }
    }
    r
}

fn detail_of(text: &str, t: &Tokens, start: usize) -> Option<String> {
    let end = t
        .toks
        .get(start)
        .map_or(text.len(), |tok| tok.src.0 as usize);
    let s = text
        .get(..end)?
        .trim_end_matches(|c: char| c.is_whitespace() || ",;:-–.|/(".contains(c));
    let s = s.trim_start();
    (!s.is_empty()).then(|| s.to_owned())
}
