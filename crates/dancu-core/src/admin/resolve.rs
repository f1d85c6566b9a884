//! Free-text address resolution in either era.
//!
//! The text is split into words (see `fold.rs`); the province, district and
//! commune are matched from the right end, each ending where the next one
//! starts, each with an optional type word; whatever is left on the left is
//! the detail (house number, street, hamlet). Every consistent reading is
//! scored; when readings that lead to different places score alike, the
//! result is ambiguous and lists them instead of guessing.

use std::cell::RefCell;

use super::data::{Data, Level, data};
use super::fold::Tokens;
use super::gazetteer::{Commune, LegacyCommune, LegacyDistrict, LegacyProvince, Province};
use super::search::{Accent, Hit, Typed, hits_ending_at, mask};
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

/// The outcome of [`resolve`].
#[derive(Clone, Debug, PartialEq)]
pub struct Resolution {
    place: Option<Place>,
    resolved: bool,
    detail: Option<String>,
    confidence: f32,
    candidates: Vec<Candidate>,
}

impl Resolution {
    /// What the text names for certain: the whole place when resolved; when
    /// ambiguous, only the levels all close readings share (if any).
    #[must_use]
    pub fn place(&self) -> Option<&Place> {
        self.place.as_ref()
    }

    /// Whether the commune (or an island district) is determined.
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

    /// 0..=1: how sure the reading is.
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
}

const MARGIN: f32 = 0.5;
const MAX_CANDIDATES: usize = 20;

#[derive(Clone, Copy, Debug)]
struct Reading {
    place: Place,
    score: f32,
    start: usize,
    inconsistent: bool,
    mismatch: bool,
    has_province: bool,
    /// A bare commune name after other words, with no type word and no
    /// province or district ("12 Nguyễn Huệ"): a candidate, never an answer.
    weak: bool,
}

fn weight(h: &Hit, t: &Tokens, base: f32) -> f32 {
    let mut s = base + (h.end - h.name_start) as f32;
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
    if h.start == 0 || t.toks[h.start].hard_before {
        s += 0.2;
    }
    s
}

struct Ctx<'a> {
    d: &'a Data,
    t: &'a Tokens,
    out: Vec<Reading>,
    /// Hits of every level ending at a word, computed once per word.
    cache: Vec<(usize, Vec<Hit>)>,
}

impl Ctx<'_> {
    fn hits(&mut self, end: usize, levels: u8) -> Vec<Hit> {
        if end == 0 {
            return Vec::new();
        }
        let i = match self.cache.iter().position(|(e, _)| *e == end) {
            Some(i) => i,
            None => {
                let mut v = Vec::new();
                hits_ending_at(self.d, self.t, end, u8::MAX, &mut v);
                self.cache.push((end, v));
                self.cache.len() - 1
            }
        };
        self.cache[i]
            .1
            .iter()
            .filter(|h| levels & mask(h.entry.level) != 0)
            .copied()
            .collect()
    }

    fn push(&mut self, place: Place, hits: &[Option<&Hit>], bonus: f32) {
        let weights = [0.6, 0.6, 0.8];
        // The era preference only breaks ties: it never outweighs
        // diacritics that disagree with the name.
        let misspelt = hits.iter().flatten().any(|h| h.accent == Accent::Mismatch);
        let mut score = if misspelt { bonus.min(0.0) } else { bonus };
        let mut start = usize::MAX;
        let leftmost = hits.iter().flatten().map(|h| h.start).min().unwrap_or(0);
        let commas = self.t.toks.iter().any(|t| t.hard_before);
        for h in hits.iter().flatten() {
            if h.start == leftmost {
                // A type word left unread just before the leftmost name.
                if h.start > 0 && is_type_word(self.t, h.start) {
                    score -= 1.0;
                }
            } else if commas && !self.t.toks[h.start].hard_before {
                // The text uses commas, yet two levels meet without one.
                score -= 0.8;
            }
        }
        let (mut inconsistent, mut mismatch) = (false, false);
        for (h, w) in hits.iter().zip(weights) {
            if let Some(h) = h {
                score += weight(h, self.t, w);
                start = start.min(h.start);
                inconsistent |= h.typed == Typed::Inconsistent;
                mismatch |= h.accent == Accent::Mismatch;
            }
        }
        if start == usize::MAX {
            return;
        }
        let has_province = hits.first().is_some_and(Option::is_some);
        // A bare commune name alone ranks below a province or district of
        // the same name; after other words ("12 Nguyễn Huệ") it is more
        // likely a street than a commune, so it is never taken as an answer.
        let bare = matches!(hits, [None, None, Some(c)] if c.typed == Typed::Absent);
        if bare {
            score -= 1.0;
        }
        let weak = bare && start > 0;
        self.out.push(Reading {
            place,
            score,
            start,
            inconsistent,
            mismatch,
            has_province,
            weak,
        });
    }

    fn legacy_below(&mut self, p: Option<&Hit>, lp: LegacyProvince, end: usize) {
        let d = self.d;
        for dh in self.hits(end, mask(Level::LegacyDistrict)) {
            let district = LegacyDistrict { i: dh.entry.idx };
            if district.rec().province != lp.i {
                continue;
            }
            for ch in self.hits(dh.start, mask(Level::LegacyCommune)) {
                if d.lc[usize::from(ch.entry.idx)].parent == district.i {
                    let commune = Some(LegacyCommune { i: ch.entry.idx });
                    let place = Place::Legacy {
                        province: lp,
                        district: Some(district),
                        commune,
                    };
                    self.push(place, &[p, Some(&dh), Some(&ch)], 0.0);
                }
            }
            let place = Place::Legacy {
                province: lp,
                district: Some(district),
                commune: None,
            };
            self.push(place, &[p, Some(&dh), None], 0.0);
        }
        for ch in self.hits(end, mask(Level::LegacyCommune)) {
            let c = LegacyCommune { i: ch.entry.idx };
            if c.province() == lp {
                let place = Place::Legacy {
                    province: lp,
                    district: Some(c.district()),
                    commune: Some(c),
                };
                self.push(place, &[p, None, Some(&ch)], 0.0);
            }
        }
    }

    fn run(&mut self) {
        let d = self.d;
        let n = self.t.len();
        if n == 0 {
            return;
        }
        let provinces = self.hits(n, mask(Level::LegacyProvince) | mask(Level::Province));
        for ph in &provinces {
            match ph.entry.level {
                Level::LegacyProvince => {
                    let lp = LegacyProvince { i: ph.entry.idx };
                    self.push(
                        Place::Legacy {
                            province: lp,
                            district: None,
                            commune: None,
                        },
                        &[Some(ph), None, None],
                        0.0,
                    );
                    self.legacy_below(Some(ph), lp, ph.start);
                }
                _ => {
                    let np = Province { i: ph.entry.idx };
                    self.push(
                        Place::Current {
                            province: np,
                            commune: None,
                        },
                        &[Some(ph), None, None],
                        0.1,
                    );
                    let communes =
                        self.hits(ph.start, mask(Level::Commune) | mask(Level::LegacyCommune));
                    for ch in &communes {
                        if ch.entry.level == Level::Commune {
                            let c = Commune { i: ch.entry.idx };
                            if c.province() == np {
                                let place = Place::Current {
                                    province: np,
                                    commune: Some(c),
                                };
                                self.push(place, &[Some(ph), None, Some(ch)], 0.6);
                            }
                        } else {
                            // A legacy commune written with its 2025 province.
                            let c = LegacyCommune { i: ch.entry.idx };
                            if c.province().successor() == np {
                                let place = Place::Legacy {
                                    province: c.province(),
                                    district: Some(c.district()),
                                    commune: Some(c),
                                };
                                self.push(place, &[Some(ph), None, Some(ch)], -0.8);
                            }
                        }
                    }
                    // A legacy district (and commune) written with its 2025 province.
                    for dh in self.hits(ph.start, mask(Level::LegacyDistrict)) {
                        let district = LegacyDistrict { i: dh.entry.idx };
                        let lp = district.province();
                        if lp.successor() != np {
                            continue;
                        }
                        for ch in self.hits(dh.start, mask(Level::LegacyCommune)) {
                            if d.lc[usize::from(ch.entry.idx)].parent == district.i {
                                let commune = Some(LegacyCommune { i: ch.entry.idx });
                                let place = Place::Legacy {
                                    province: lp,
                                    district: Some(district),
                                    commune,
                                };
                                self.push(place, &[Some(ph), Some(&dh), Some(&ch)], -0.8);
                            }
                        }
                        let place = Place::Legacy {
                            province: lp,
                            district: Some(district),
                            commune: None,
                        };
                        self.push(place, &[Some(ph), Some(&dh), None], -0.8);
                    }
                }
            }
        }
        // No province in the text: a district (and commune), or a commune alone.
        for dh in self.hits(n, mask(Level::LegacyDistrict)) {
            let district = LegacyDistrict { i: dh.entry.idx };
            let lp = district.province();
            for ch in self.hits(dh.start, mask(Level::LegacyCommune)) {
                if d.lc[usize::from(ch.entry.idx)].parent == district.i {
                    let commune = Some(LegacyCommune { i: ch.entry.idx });
                    let place = Place::Legacy {
                        province: lp,
                        district: Some(district),
                        commune,
                    };
                    self.push(place, &[None, Some(&dh), Some(&ch)], 0.0);
                }
            }
            let place = Place::Legacy {
                province: lp,
                district: Some(district),
                commune: None,
            };
            self.push(place, &[None, Some(&dh), None], 0.0);
        }
        for ch in self.hits(n, mask(Level::LegacyCommune) | mask(Level::Commune)) {
            // Without a district, a 2025 reading comes first (2025
            // addresses have no district level).
            let (place, bonus) = if ch.entry.level == Level::Commune {
                let c = Commune { i: ch.entry.idx };
                let place = Place::Current {
                    province: c.province(),
                    commune: Some(c),
                };
                (place, 0.6)
            } else {
                let c = LegacyCommune { i: ch.entry.idx };
                let place = Place::Legacy {
                    province: c.province(),
                    district: Some(c.district()),
                    commune: Some(c),
                };
                (place, 0.0)
            };
            self.push(place, &[None, None, Some(&ch)], bonus);
        }
    }
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

/// Whether the word before `at` is a bare type word (of any level).
fn is_type_word(t: &Tokens, at: usize) -> bool {
    matches!(
        t.folded(at - 1, at),
        "xa" | "phuong"
            | "p"
            | "f"
            | "tt"
            | "x"
            | "huyen"
            | "quan"
            | "q"
            | "tx"
            | "tinh"
            | "tp"
            | "ward"
            | "district"
    ) || (at >= 2
        && matches!(
            t.folded(at - 2, at),
            "thi tran" | "dac khu" | "thi xa" | "thanh pho"
        ))
}

/// Trailing words that name no unit: the country, a postal code, an
/// English "City"/"Province" after the name.
fn country_suffix(t: &Tokens) -> usize {
    let mut n = t.len();
    while n >= 2 {
        let last = t.folded(n - 1, n);
        if t.folded(n - 2, n) == "viet nam" {
            n -= 2;
        } else if matches!(last, "vietnam" | "vn" | "citi" | "province") // citi: "city" folded
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
/// ```
#[must_use]
pub fn resolve(text: &str) -> Resolution {
    thread_local! {
        /// Word buffers reused between calls on one thread.
        static TOKENS: RefCell<Tokens> = RefCell::new(Tokens::default());
    }
    TOKENS.with(|cell| match cell.try_borrow_mut() {
        Ok(mut t) => {
            let r = resolve_in(text, &mut t);
            if t.folded.capacity() > 1 << 16 {
                // Do not keep a huge input's buffers alive.
                *t = Tokens::default();
            }
            r
        }
        Err(_) => resolve_in(text, &mut Tokens::default()),
    })
}

fn resolve_in(text: &str, t: &mut Tokens) -> Resolution {
    let d = data();
    t.fill(text);
    let n = country_suffix(t);
    t.toks.truncate(n);
    let t = &*t;
    let mut ctx = Ctx {
        d,
        t,
        out: Vec::new(),
        cache: Vec::new(),
    };
    ctx.run();
    let mut readings = ctx.out;
    readings.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| (b.place.is_determined()).cmp(&a.place.is_determined()))
    });
    // Keep the best reading of each distinct place. When a text reads the
    // same in both eras (a legacy commune merged whole into the 2025 commune
    // it also names, written without a district), the best reading stands:
    // without a district that is the 2025 one, as the text is written in the
    // 2025 scheme; the legacy reading stays among the candidates.
    let mut best: Vec<Reading> = Vec::new();
    // Every distinct determined reading, for the candidate list.
    let mut distinct: Vec<Reading> = Vec::new();
    for r in &readings {
        if r.place.is_determined() && !distinct.iter().any(|d| d.place == r.place) {
            distinct.push(*r);
        }
    }
    for r in readings {
        if !best.iter().any(|b| same_place(&b.place, &r.place)) {
            best.push(r);
        }
    }
    let Some(top) = best.first().copied() else {
        return Resolution {
            place: None,
            resolved: false,
            detail: None,
            confidence: 0.0,
            candidates: Vec::new(),
        };
    };
    let detail = detail_of(text, t, top.start);
    let close: Vec<&Reading> = best[1..]
        .iter()
        .filter(|r| {
            r.score >= top.score - MARGIN && (r.place.is_determined() || !top.place.is_determined())
        })
        .collect();
    let candidates = |list: &[Reading]| -> Vec<Candidate> {
        list.iter()
            .filter(|r| r.place.is_determined())
            .take(MAX_CANDIDATES)
            .map(|r| Candidate {
                place: r.place,
                score: r.score,
            })
            .collect()
    };
    if top.weak && top.place.is_determined() {
        // A bare name alone: list what it may be, commit to nothing.
        let mut list = vec![top];
        list.extend(close.iter().map(|r| **r));
        let share = 0.3 / list.len() as f32;
        return Resolution {
            place: None,
            resolved: false,
            detail,
            confidence: share,
            candidates: candidates(&list),
        };
    }
    if top.place.is_determined() && close.is_empty() {
        // The closest other reading, of any level (a district-only reading
        // of the same words also makes the answer less certain).
        let runner_up = best.get(1).map(|r| top.score - r.score);
        let mut c = 0.5;
        if top.has_province {
            c += 0.2;
        }
        if matches!(
            top.place,
            Place::Current { .. }
                | Place::Legacy {
                    district: Some(_),
                    ..
                }
        ) {
            c += 0.1;
        }
        if !top.inconsistent {
            c += 0.1;
        }
        if !top.mismatch {
            c += 0.05;
        }
        match runner_up {
            Some(gap) if gap < 2.0 * MARGIN => c -= 0.15,
            Some(_) => {}
            None => c += 0.05,
        }
        let alternates = distinct
            .iter()
            .filter(|r| r.place != top.place && r.score >= top.score - 2.0 * MARGIN)
            .copied()
            .collect::<Vec<_>>();
        let mut list = vec![Candidate {
            place: top.place,
            score: top.score,
        }];
        list.extend(candidates(&alternates));
        return Resolution {
            place: Some(top.place),
            resolved: true,
            detail,
            confidence: c,
            candidates: list,
        };
    }
    if top.place.is_determined() {
        // Several determined readings score alike: ambiguous.
        let mut tied = vec![top];
        tied.extend(close.iter().map(|r| **r));
        let places: Vec<Place> = tied.iter().map(|r| r.place).collect();
        let share = 0.5 / tied.len() as f32;
        // List every reading of the tied places, in both eras when a text
        // reads the same in both.
        let floor = top.score - MARGIN - 0.7;
        let listed: Vec<Reading> = distinct
            .iter()
            .filter(|r| r.score >= floor && tied.iter().any(|t| same_place(&t.place, &r.place)))
            .copied()
            .collect();
        return Resolution {
            place: common(&places),
            resolved: false,
            detail,
            confidence: share,
            candidates: candidates(&listed),
        };
    }
    // Only a province or district: list the close readings that name a
    // commune, then the communes below the district.
    let mut list: Vec<Candidate> = best[1..]
        .iter()
        .filter(|r| r.place.is_determined() && r.score >= top.score - MARGIN)
        .map(|r| Candidate {
            place: r.place,
            score: r.score,
        })
        .collect();
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
    Resolution {
        place: Some(top.place),
        resolved: false,
        detail,
        confidence: 0.2,
        candidates: list,
    }
}

fn detail_of(text: &str, t: &Tokens, start: usize) -> Option<String> {
    let end = t
        .toks
        .get(start)
        .map_or(text.len(), |tok| tok.src.0 as usize);
    let s = text
        .get(..end)?
        .trim_end_matches(|c: char| c.is_whitespace() || ",;:-–.|/".contains(c));
    let s = s.trim_start();
    (!s.is_empty()).then(|| s.to_owned())
}
