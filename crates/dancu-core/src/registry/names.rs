//! Resolving record address codes to unit names through the gazetteer.

use super::record::{AddressEra, NamedUnit, RecordAddress};
use crate::admin::{
    Commune, CommuneCode, LegacyCommune, LegacyCommuneCode, LegacyDistrict, LegacyDistrictCode,
    LegacyProvince, LegacyProvinceCode, Province, ProvinceCode,
};

fn name<C: std::str::FromStr, U>(
    unit: &mut Option<NamedUnit>,
    lookup: impl Fn(C) -> Option<U>,
    full_name: impl Fn(U) -> &'static str,
) {
    if let Some(u) = unit {
        u.name = u
            .code
            .parse::<C>()
            .ok()
            .and_then(&lookup)
            .map(|x| full_name(x).to_owned());
    }
}

/// Fills in the names of an address's units from the gazetteer of its era.
/// Codes the gazetteer does not know keep `name: None`.
pub(crate) fn resolve_names(address: &mut RecordAddress) {
    match address.era {
        Some(AddressEra::Legacy) => {
            name::<LegacyProvinceCode, _>(
                &mut address.province,
                LegacyProvince::lookup,
                LegacyProvince::full_name,
            );
            name::<LegacyDistrictCode, _>(
                &mut address.district,
                LegacyDistrict::lookup,
                LegacyDistrict::full_name,
            );
            name::<LegacyCommuneCode, _>(
                &mut address.commune,
                LegacyCommune::lookup,
                LegacyCommune::full_name,
            );
        }
        Some(AddressEra::Current) => {
            name::<ProvinceCode, _>(&mut address.province, Province::lookup, Province::full_name);
            name::<CommuneCode, _>(&mut address.commune, Commune::lookup, Commune::full_name);
        }
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_resolve_in_their_era() {
        let legacy = RecordAddress::from_codes("06", "058", "01849", "THÔN NÀ PÀI", "VN");
        assert_eq!(legacy.era, Some(AddressEra::Legacy));
        assert_eq!(
            legacy.province.unwrap().name.as_deref(),
            Some("Tỉnh Bắc Kạn")
        );
        assert_eq!(
            legacy.district.unwrap().name.as_deref(),
            Some("Thành phố Bắc Kạn")
        );
        assert_eq!(
            legacy.commune.unwrap().name.as_deref(),
            Some("Xã Dương Quang")
        );

        // The same commune code means another unit in the 2025 scheme.
        let current = RecordAddress::from_codes("19", "", "01849", "THÔN NÀ PÀI", "VN");
        assert_eq!(current.era, Some(AddressEra::Current));
        assert_eq!(
            current.province.unwrap().name.as_deref(),
            Some("Tỉnh Thái Nguyên")
        );
        assert_eq!(
            current.commune.unwrap().name.as_deref(),
            Some("Xã Phong Quang")
        );

        let unknown = RecordAddress::from_codes("99", "", "99999", "", "");
        assert_eq!(unknown.commune.unwrap().name, None);
        let empty = RecordAddress::from_codes("", "", "", "", "");
        assert_eq!(empty.era, None);
    }
}
