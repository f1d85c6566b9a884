//! Handles to the units of both eras: lookups by code, names, kinds, parents
//! and children. A handle is a small `Copy` index into the embedded tables.

use std::fmt;

use super::data::{CommRec, DistRec, HistRec, Level, ProvRec, data};
use super::units::{
    CommuneCode, CommuneKind, DistrictKind, Era, LegacyCommuneCode, LegacyDistrictCode,
    LegacyProvinceCode, ProvinceCode, ProvinceKind,
};
use crate::CalendarDate;

fn find(index: &[u16], code: u32) -> Option<u16> {
    index
        .get(code as usize)
        .copied()
        .filter(|&i| i != super::data::NONE)
}

fn name_of(full: &'static str, at: u8) -> &'static str {
    full.get(usize::from(at)..).unwrap_or(full)
}

fn iter_idx(n: usize) -> impl ExactSizeIterator<Item = u16> {
    0..u16::try_from(n).unwrap_or(0)
}

macro_rules! handle {
    ($(#[$doc:meta])* $name:ident, $rec:ty, $table:ident, $index:ident, $code:ty) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name {
            pub(crate) i: u16,
        }

        impl $name {
            /// The unit with this code, if it exists.
            #[must_use]
            pub fn lookup(code: $code) -> Option<Self> {
                find(&data().$index, code.get()).map(|i| Self { i })
            }

            /// Every unit of this level, in the official order.
            pub fn all() -> impl ExactSizeIterator<Item = Self> {
                iter_idx(data().$table.len()).map(|i| Self { i })
            }

            pub(crate) fn rec(self) -> &'static $rec {
                &data().$table[usize::from(self.i)]
            }

            /// The full official name, e.g. "Xã Dương Quang".
            #[must_use]
            pub fn full_name(self) -> &'static str {
                self.rec().full
            }

            /// The name without its type word, e.g. "Dương Quang".
            #[must_use]
            pub fn name(self) -> &'static str {
                let r = self.rec();
                name_of(r.full, r.name_at)
            }

            /// The era of this unit.
            #[must_use]
            pub const fn era(self) -> Era {
                <$code>::ERA
            }

            /// The code.
            #[must_use]
            pub fn code(self) -> $code {
                <$code>::from_raw(self.rec().code)
            }

            /// The zero-padded code as text, without allocating.
            #[must_use]
            pub fn code_str(self) -> &'static str {
                self.rec().code_text
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({} {})"), self.code(), self.full_name())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.full_name())
            }
        }
    };
}

handle!(
    /// A province of the legacy scheme (63, valid until 2025-06-30).
    LegacyProvince, ProvRec, lp, lp_by_code, LegacyProvinceCode
);
handle!(
    /// A district of the legacy scheme (696).
    LegacyDistrict, DistRec, ld, ld_by_code, LegacyDistrictCode
);
handle!(
    /// A commune, ward or township of the legacy scheme (10,035).
    LegacyCommune, CommRec, lc, lc_by_code, LegacyCommuneCode
);
handle!(
    /// A province of the 2025 scheme (34, from 2025-07-01).
    Province, ProvRec, np, np_by_code, ProvinceCode
);
handle!(
    /// A commune, ward or special zone of the 2025 scheme (3,321).
    Commune, CommRec, nc, nc_by_code, CommuneCode
);

handle!(
    /// A commune, ward or township that no longer existed on 2025-06-30: it
    /// was merged away (or re-coded) in an earlier round, mostly the
    /// 2019–2021 and 2023–2025 ones (1,170, from `historical_communes.csv`).
    /// Its code is a legacy-era code that no [`LegacyCommune`] has. No
    /// successor is known: the 2025 communes that cover its district are
    /// the closest answer ([`HistoricalCommune::covering`]).
    HistoricalCommune, HistRec, hc, hc_by_code, LegacyCommuneCode
);

impl HistoricalCommune {
    /// Phường, xã or thị trấn.
    #[must_use]
    pub fn kind(self) -> CommuneKind {
        self.rec().kind
    }

    /// The legacy district it was in, when that district still existed on
    /// 2025-06-30 (20 of the 1,170 were in districts dissolved since).
    #[must_use]
    pub fn district(self) -> Option<LegacyDistrict> {
        self.rec().district.map(|i| LegacyDistrict { i })
    }

    /// The code of the district it was in, as last listed.
    #[must_use]
    pub fn district_code(self) -> LegacyDistrictCode {
        LegacyDistrictCode::from_raw(self.rec().district_code)
    }

    /// The full name of the district it was in, as last listed.
    #[must_use]
    pub fn district_full_name(self) -> &'static str {
        self.rec().district_full
    }

    /// The legacy province (as of 2025-06-30) its district belongs to.
    #[must_use]
    pub fn province(self) -> LegacyProvince {
        LegacyProvince {
            i: self.rec().province,
        }
    }

    /// The date it ceased to exist (the first day without it) when known
    /// exactly; otherwise the date of the first official list it is absent
    /// from, so it ceased on or before that date
    /// ([`HistoricalCommune::until_is_exact`] tells which).
    #[must_use]
    pub fn until(self) -> CalendarDate {
        self.rec().until
    }

    /// Whether [`HistoricalCommune::until`] is the exact date of the change.
    #[must_use]
    pub fn until_is_exact(self) -> bool {
        self.rec().until_exact
    }

    /// The date of the last official list it appears in.
    #[must_use]
    pub fn last_seen(self) -> CalendarDate {
        self.rec().last_seen
    }

    /// Whether a listed commune of its district still has its name (it was
    /// re-coded rather than merged away); the name then resolves to that
    /// commune.
    #[must_use]
    pub fn name_still_listed(self) -> bool {
        self.rec().shadowed
    }

    /// The 2025 communes that cover its district (every target of every
    /// commune of the district, in the table's order, without repeats);
    /// empty when the district itself no longer existed.
    #[must_use]
    pub fn covering(self) -> Vec<Commune> {
        self.district()
            .map_or_else(Vec::new, LegacyDistrict::covering)
    }
}

impl LegacyProvince {
    /// Tỉnh or thành phố trực thuộc trung ương.
    #[must_use]
    pub fn kind(self) -> ProvinceKind {
        self.rec().kind
    }

    /// Its districts, in the official order.
    pub fn districts(self) -> impl ExactSizeIterator<Item = LegacyDistrict> {
        self.rec().children.iter().map(|&i| LegacyDistrict { i })
    }

    /// All its communes, district by district.
    pub fn communes(self) -> impl Iterator<Item = LegacyCommune> {
        self.districts().flat_map(LegacyDistrict::communes)
    }
}

impl LegacyDistrict {
    /// Quận, huyện, thị xã or thành phố.
    #[must_use]
    pub fn kind(self) -> DistrictKind {
        self.rec().kind
    }

    /// The province it belonged to.
    #[must_use]
    pub fn province(self) -> LegacyProvince {
        LegacyProvince {
            i: self.rec().province,
        }
    }

    /// Its communes, in the official order (none for the 5 island districts).
    pub fn communes(self) -> impl ExactSizeIterator<Item = LegacyCommune> {
        self.rec().communes.iter().map(|&i| LegacyCommune { i })
    }

    /// The 2025 communes that cover it: every target of each of its
    /// communes (and its uncoded areas), in order, without repeats.
    #[must_use]
    pub fn covering(self) -> Vec<Commune> {
        let mut out: Vec<Commune> = Vec::new();
        let targets = self
            .communes()
            .flat_map(|c| c.successors().into_iter().map(|s| s.commune))
            .chain(self.uncoded_areas().into_iter().map(|a| a.1));
        for c in targets {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }
}

impl LegacyCommune {
    /// Phường, xã or thị trấn.
    #[must_use]
    pub fn kind(self) -> CommuneKind {
        self.rec().kind
    }

    /// The district it belonged to.
    #[must_use]
    pub fn district(self) -> LegacyDistrict {
        LegacyDistrict {
            i: self.rec().parent,
        }
    }

    /// The province it belonged to.
    #[must_use]
    pub fn province(self) -> LegacyProvince {
        self.district().province()
    }
}

impl Province {
    /// The kind on 2025-07-01.
    #[must_use]
    pub fn kind(self) -> ProvinceKind {
        self.rec().kind
    }

    /// The kind on `date` (Đồng Nai became a centrally-run city on 2026-04-30).
    #[must_use]
    pub fn kind_on(self, date: CalendarDate) -> ProvinceKind {
        match self.rec().change {
            Some((from, kind)) if date >= from => kind,
            _ => self.rec().kind,
        }
    }

    /// The full name on `date`, e.g. "Thành phố Đồng Nai" from 2026-04-30.
    #[must_use]
    pub fn full_name_on(self, date: CalendarDate) -> String {
        format!("{} {}", self.kind_on(date).prefix(), self.name())
    }

    /// Its communes, in the official order.
    pub fn communes(self) -> impl ExactSizeIterator<Item = Commune> {
        self.rec().children.iter().map(|&i| Commune { i })
    }

    /// The legacy provinces it was formed from.
    pub fn predecessors(self) -> impl ExactSizeIterator<Item = LegacyProvince> {
        self.rec().links.iter().map(|&i| LegacyProvince { i })
    }
}

impl Commune {
    /// The kind on 2025-07-01.
    #[must_use]
    pub fn kind(self) -> CommuneKind {
        self.rec().kind
    }

    /// The kind on `date` (10 xã of Đồng Nai became phường on 2026-04-30).
    #[must_use]
    pub fn kind_on(self, date: CalendarDate) -> CommuneKind {
        match self.rec().change {
            Some((from, kind)) if date >= from => kind,
            _ => self.rec().kind,
        }
    }

    /// The full name on `date`, e.g. "Phường Trảng Bom" from 2026-04-30.
    #[must_use]
    pub fn full_name_on(self, date: CalendarDate) -> String {
        format!("{} {}", self.kind_on(date).prefix(), self.name())
    }

    /// The province.
    #[must_use]
    pub fn province(self) -> Province {
        Province {
            i: self.rec().parent,
        }
    }
}

/// A unit of either era and any level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AdminUnit {
    /// A legacy province.
    LegacyProvince(LegacyProvince),
    /// A legacy district.
    LegacyDistrict(LegacyDistrict),
    /// A legacy commune.
    LegacyCommune(LegacyCommune),
    /// A 2025 province.
    Province(Province),
    /// A 2025 commune.
    Commune(Commune),
    /// A commune gone before 2025-06-30.
    HistoricalCommune(HistoricalCommune),
}

impl AdminUnit {
    pub(crate) fn from_entry(level: Level, i: u16) -> Self {
        match level {
            Level::LegacyProvince => Self::LegacyProvince(LegacyProvince { i }),
            Level::LegacyDistrict => Self::LegacyDistrict(LegacyDistrict { i }),
            Level::LegacyCommune => Self::LegacyCommune(LegacyCommune { i }),
            Level::Province => Self::Province(Province { i }),
            Level::Commune => Self::Commune(Commune { i }),
            Level::HistoricalCommune => Self::HistoricalCommune(HistoricalCommune { i }),
        }
    }

    /// The era.
    #[must_use]
    pub fn era(self) -> Era {
        match self {
            Self::LegacyProvince(_)
            | Self::LegacyDistrict(_)
            | Self::LegacyCommune(_)
            | Self::HistoricalCommune(_) => Era::Legacy,
            Self::Province(_) | Self::Commune(_) => Era::Y2025,
        }
    }

    /// The zero-padded code.
    #[must_use]
    pub fn code(self) -> String {
        match self {
            Self::LegacyProvince(u) => u.code().to_string(),
            Self::LegacyDistrict(u) => u.code().to_string(),
            Self::LegacyCommune(u) => u.code().to_string(),
            Self::Province(u) => u.code().to_string(),
            Self::Commune(u) => u.code().to_string(),
            Self::HistoricalCommune(u) => u.code().to_string(),
        }
    }

    /// The full official name.
    #[must_use]
    pub fn full_name(self) -> &'static str {
        match self {
            Self::LegacyProvince(u) => u.full_name(),
            Self::LegacyDistrict(u) => u.full_name(),
            Self::LegacyCommune(u) => u.full_name(),
            Self::Province(u) => u.full_name(),
            Self::Commune(u) => u.full_name(),
            Self::HistoricalCommune(u) => u.full_name(),
        }
    }

    /// `"province"`, `"district"` or `"commune"`.
    #[must_use]
    pub fn level(self) -> &'static str {
        match self {
            Self::LegacyProvince(_) | Self::Province(_) => "province",
            Self::LegacyDistrict(_) => "district",
            Self::LegacyCommune(_) | Self::Commune(_) | Self::HistoricalCommune(_) => "commune",
        }
    }
}

impl fmt::Display for AdminUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.full_name())
    }
}
