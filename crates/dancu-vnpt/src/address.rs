//! The address iGate fills after "Kiểm tra danh tính số": the current
//! two-level address (Tỉnh, Xã/Phường) and the legacy three-level one
//! (Tỉnh, Quận/Huyện, Xã/Phường) side by side. The slots are typed by era
//! and level, so a ward can never land in the district slot.

use dancu_core::admin::{
    Commune, CommuneCode, LegacyCommune, LegacyCommuneCode, LegacyDistrict, LegacyDistrictCode,
    LegacyProvince, LegacyProvinceCode, Province, ProvinceCode, Source,
};
use dancu_core::registry::{AddressEra, RecordAddress};
use serde::Serialize;

/// A unit as shown in a form slot: code and full name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Slot {
    /// The code.
    pub code: String,
    /// The full name ("Xã Phong Quang").
    pub name: String,
}

/// The two-level address in force since 2025-07-01.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CurrentAddress {
    /// Tỉnh/Thành phố.
    pub province: Slot,
    /// Xã/Phường/Đặc khu.
    pub ward: Slot,
    /// Other 2025 communes a split legacy commune also went to (the
    /// officer may pick one of them instead of the default).
    pub alternatives: Vec<Slot>,
}

/// The legacy three-level address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LegacyAddress {
    /// Tỉnh/Thành phố (legacy).
    pub province: Slot,
    /// Quận/Huyện — a district, or nothing when it cannot be known.
    pub district: Option<Slot>,
    /// Xã/Phường/Thị trấn (legacy), or nothing when several legacy
    /// communes formed the 2025 one.
    pub ward: Option<Slot>,
}

/// The applicant's address in both schemes, plus the free-text detail.
/// `Debug` hides the detail.
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
pub struct IgateAddress {
    /// The current two-level address.
    pub current: Option<CurrentAddress>,
    /// The legacy three-level address.
    pub legacy: Option<LegacyAddress>,
    /// House number, street, hamlet.
    pub detail: Option<String>,
    /// The era the population record's codes were in.
    pub source_era: Option<&'static str>,
}

impl std::fmt::Debug for IgateAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IgateAddress")
            .field("current", &self.current)
            .field("legacy", &self.legacy)
            .field("detail", &self.detail.as_deref().map(dancu_core::Redacted))
            .field("source_era", &self.source_era)
            .finish()
    }
}

fn slot_legacy_province(p: LegacyProvince) -> Slot {
    Slot {
        code: p.code().to_string(),
        name: p.full_name().to_owned(),
    }
}

fn slot_legacy_district(d: LegacyDistrict) -> Slot {
    Slot {
        code: d.code().to_string(),
        name: d.full_name().to_owned(),
    }
}

fn slot_legacy_commune(c: LegacyCommune) -> Slot {
    Slot {
        code: c.code().to_string(),
        name: c.full_name().to_owned(),
    }
}

fn slot_province(p: Province) -> Slot {
    Slot {
        code: p.code().to_string(),
        name: p.full_name().to_owned(),
    }
}

fn slot_commune(c: Commune) -> Slot {
    Slot {
        code: c.code().to_string(),
        name: c.full_name().to_owned(),
    }
}

fn parse<C: std::str::FromStr>(code: Option<&dancu_core::registry::NamedUnit>) -> Option<C> {
    code.and_then(|u| u.code.parse().ok())
}

/// Both schemes of a record address, converted through the gazetteer.
#[must_use]
pub fn both_eras(a: &RecordAddress) -> IgateAddress {
    let detail = a.detail.clone();
    match a.era {
        Some(AddressEra::Legacy) => {
            let commune =
                parse::<LegacyCommuneCode>(a.commune.as_ref()).and_then(LegacyCommune::lookup);
            let district =
                parse::<LegacyDistrictCode>(a.district.as_ref()).and_then(LegacyDistrict::lookup);
            let province =
                parse::<LegacyProvinceCode>(a.province.as_ref()).and_then(LegacyProvince::lookup);
            let legacy = province.map(|p| LegacyAddress {
                province: slot_legacy_province(p),
                district: district.map(slot_legacy_district),
                ward: commune.map(slot_legacy_commune),
            });
            let current = commune.map(|c| {
                let default = c.default_successor();
                CurrentAddress {
                    province: slot_province(default.province()),
                    ward: slot_commune(default),
                    alternatives: c
                        .successors()
                        .into_iter()
                        .filter(|s| !s.is_default)
                        .map(|s| slot_commune(s.commune))
                        .collect(),
                }
            });
            IgateAddress {
                current,
                legacy,
                detail,
                source_era: Some("legacy"),
            }
        }
        Some(AddressEra::Current) => {
            let commune = parse::<CommuneCode>(a.commune.as_ref()).and_then(Commune::lookup);
            let province = parse::<ProvinceCode>(a.province.as_ref())
                .and_then(Province::lookup)
                .or_else(|| commune.map(Commune::province));
            let current = match (province, commune) {
                (Some(p), Some(c)) => Some(CurrentAddress {
                    province: slot_province(p),
                    ward: slot_commune(c),
                    alternatives: Vec::new(),
                }),
                _ => None,
            };
            let legacy = commune.and_then(legacy_of);
            IgateAddress {
                current,
                legacy,
                detail,
                source_era: Some("2025"),
            }
        }
        None => IgateAddress {
            detail,
            ..IgateAddress::default()
        },
    }
}

/// The legacy address of a 2025 commune: exact when one legacy commune
/// formed it; otherwise only the levels all its sources share.
fn legacy_of(c: Commune) -> Option<LegacyAddress> {
    let sources: Vec<LegacyCommune> = c
        .predecessors()
        .into_iter()
        .filter_map(|p| match p.source {
            Source::Commune(lc) => Some(lc),
            _ => None,
        })
        .collect();
    let first = *sources.first()?;
    if sources.len() == 1 {
        return Some(LegacyAddress {
            province: slot_legacy_province(first.province()),
            district: Some(slot_legacy_district(first.district())),
            ward: Some(slot_legacy_commune(first)),
        });
    }
    let same_province = sources.iter().all(|s| s.province() == first.province());
    let same_district = sources.iter().all(|s| s.district() == first.district());
    same_province.then(|| LegacyAddress {
        province: slot_legacy_province(first.province()),
        district: same_district.then(|| slot_legacy_district(first.district())),
        ward: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_record_gets_its_current_unit_beside_it() {
        let a = RecordAddress::from_codes("06", "058", "01849", "Thôn Nà Pài", "VN");
        let both = both_eras(&a);
        let legacy = both.legacy.unwrap();
        assert_eq!(legacy.province.name, "Tỉnh Bắc Kạn");
        assert_eq!(legacy.district.unwrap().name, "Thành phố Bắc Kạn");
        assert_eq!(legacy.ward.unwrap().name, "Xã Dương Quang");
        let current = both.current.unwrap();
        assert_eq!(current.province.name, "Tỉnh Thái Nguyên");
        assert_eq!(current.ward.name, "Xã Phong Quang");
        assert_eq!(both.detail.as_deref(), Some("Thôn Nà Pài"));
    }

    #[test]
    fn current_record_gets_legacy_levels_it_can_know() {
        let a = RecordAddress::from_codes("19", "", "01849", "", "VN");
        let both = both_eras(&a);
        assert_eq!(both.current.unwrap().ward.name, "Xã Phong Quang");
        let legacy = both.legacy.unwrap();
        assert_eq!(legacy.province.name, "Tỉnh Bắc Kạn");
        // Never a ward in the district slot.
        if let Some(d) = &legacy.district {
            assert!(
                !d.name.starts_with("Phường") && !d.name.starts_with("Xã"),
                "{d:?}"
            );
            assert_eq!(d.code.len(), 3);
        }
    }
}
