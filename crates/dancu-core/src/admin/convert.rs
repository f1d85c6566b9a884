//! Old → new conversion (and back), following the national statistics
//! office's conversion table.
//!
//! A legacy commune has one or more 2025 targets. With one target the kind
//! is `full` (merged whole with others), `unchanged` or `renamed`. The 440
//! *split* communes have 2–5 targets, each `partial`: the legacy territory
//! was divided and only part of it lies in each target, so an address in it
//! cannot be converted with certainty from the commune alone. One target is
//! the *default*: the row flagged `vietnamadminunits_default` in the data
//! (every split commune has exactly one); if a future table flags none, the
//! target that keeps the legacy code wins, then the one that keeps the name,
//! then the first row in the table's order.

use super::data::{ConversionKind, data};
use super::gazetteer::{Commune, LegacyCommune, LegacyDistrict, LegacyProvince, Province};

/// One 2025 target of a legacy commune.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Successor {
    /// The 2025 commune.
    pub commune: Commune,
    /// How the legacy commune passed into it.
    pub kind: ConversionKind,
    /// Whether this is the default pick among several targets.
    pub is_default: bool,
}

/// Where a 2025 commune came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// A legacy commune (whole or part of it).
    Commune(LegacyCommune),
    /// An area without a commune code: a commune-less island district, or
    /// a named area of a district (the Kim Sơn coastal area).
    Area {
        /// The legacy district.
        district: LegacyDistrict,
        /// The area's label in the table ("" for a whole island district).
        label: &'static str,
    },
}

/// One legacy source of a 2025 commune.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Predecessor {
    /// The source.
    pub source: Source,
    /// How it passed into the 2025 commune.
    pub kind: ConversionKind,
}

impl LegacyCommune {
    /// Every 2025 target, in the table's order (one for most communes,
    /// 2–5 for the 440 split ones).
    #[must_use]
    pub fn successors(self) -> Vec<Successor> {
        let d = data();
        let rec = self.rec();
        rec.moves
            .iter()
            .map(|&m| {
                let mv = d.moves[m as usize];
                Successor {
                    commune: Commune { i: mv.to },
                    kind: mv.kind,
                    is_default: m == rec.default_move,
                }
            })
            .collect()
    }

    /// The default 2025 target (the only one unless [`Self::is_split`]).
    #[must_use]
    pub fn default_successor(self) -> Commune {
        let d = data();
        let m = self.rec().default_move as usize;
        // Every legacy commune has a default (checked when loading).
        Commune {
            i: d.moves.get(m).map_or(0, |mv| mv.to),
        }
    }

    /// Whether the commune was split among several 2025 communes.
    #[must_use]
    pub fn is_split(self) -> bool {
        self.rec().moves.len() > 1
    }
}

impl LegacyDistrict {
    /// For a commune-less island district, the đặc khu it became.
    #[must_use]
    pub fn special_zone(self) -> Option<Commune> {
        let d = data();
        self.rec()
            .areas
            .iter()
            .map(|&a| d.areas[usize::from(a)])
            .find(|a| a.kind == ConversionKind::DistrictToSpecialZone)
            .map(|a| Commune { i: a.to })
    }

    /// Conversion rows of areas without a commune code (the island
    /// districts and the Kim Sơn coastal area): label, target and kind.
    #[must_use]
    pub fn uncoded_areas(self) -> Vec<(&'static str, Commune, ConversionKind)> {
        let d = data();
        self.rec()
            .areas
            .iter()
            .map(|&a| d.areas[usize::from(a)])
            .map(|a| (a.label, Commune { i: a.to }, a.kind))
            .collect()
    }
}

impl LegacyProvince {
    /// The 2025 province it became part of.
    #[must_use]
    pub fn successor(self) -> Province {
        Province {
            i: self.rec().links.first().copied().unwrap_or(0),
        }
    }
}

impl Commune {
    /// Its legacy sources: communes (whole or part) and uncoded areas.
    #[must_use]
    pub fn predecessors(self) -> Vec<Predecessor> {
        let d = data();
        let rec = self.rec();
        let communes = rec.moves.iter().map(|&m| {
            let mv = d.moves[m as usize];
            Predecessor {
                source: Source::Commune(LegacyCommune { i: mv.from }),
                kind: mv.kind,
            }
        });
        let areas = rec.areas.iter().map(|&a| {
            let a = d.areas[usize::from(a)];
            Predecessor {
                source: Source::Area {
                    district: LegacyDistrict { i: a.district },
                    label: a.label,
                },
                kind: a.kind,
            }
        });
        communes.chain(areas).collect()
    }
}
