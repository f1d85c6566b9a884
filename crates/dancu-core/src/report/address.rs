//! `dancu address … --json`.

use std::borrow::Cow;

use serde::Serialize;
use serde_json::{Value, json};

use super::round3;
use crate::CalendarDate;
use crate::admin::{
    Candidate, Commune, CommuneCode, Era, LegacyCommune, LegacyCommuneCode, LegacyDistrict,
    LegacyDistrictCode, LegacyProvince, LegacyProvinceCode, Place, Predecessor, Province,
    ProvinceCode, Resolution, Source,
};

/// Which era a code given to [`unit()`] belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitEra {
    /// Before 2025-07-01: province (2 digits), district (3), commune (5).
    Legacy,
    /// From 2025-07-01: province (2 digits), commune (5).
    Y2025,
}

fn unit_json(code: impl ToString, name: &str) -> Value {
    json!({ "code": code.to_string(), "name": name })
}

/// `{"code", "name"}` of a unit; the code serialises through its type.
#[derive(Serialize)]
struct UnitOut<C> {
    code: C,
    name: Cow<'static, str>,
}

#[derive(Serialize)]
struct LegacyOut {
    province: UnitOut<LegacyProvinceCode>,
    district: Option<UnitOut<LegacyDistrictCode>>,
    commune: Option<UnitOut<LegacyCommuneCode>>,
}

#[derive(Serialize)]
struct CurrentOut {
    province: UnitOut<ProvinceCode>,
    commune: Option<UnitOut<CommuneCode>>,
    alternatives: Vec<UnitOut<CommuneCode>>,
}

#[derive(Serialize)]
struct CandidateOut {
    era: &'static str,
    legacy: Option<LegacyOut>,
    current: CurrentOut,
    score: f64,
}

/// One resolved free-text address: the object `dancu address resolve
/// --json` prints, keys in this order.
///
/// ```
/// use dancu_core::admin::resolve;
/// use dancu_core::report::AddressReport;
///
/// let text = "Xã Dương Quang, TP. Bắc Kạn, Bắc Kạn";
/// let r = resolve(text);
/// let json = serde_json::to_value(AddressReport::new(text, &r, None))?;
/// assert_eq!(json["era"], "legacy");
/// assert_eq!(json["legacy"]["commune"]["code"], "01849");
/// assert_eq!(json["current"]["province"]["name"], "Tỉnh Thái Nguyên");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Serialize)]
pub struct AddressReport<'a> {
    input: &'a str,
    resolved: bool,
    era: Option<&'static str>,
    legacy: Option<LegacyOut>,
    current: Option<CurrentOut>,
    detail: Option<&'a str>,
    confidence: f64,
    candidates: Vec<CandidateOut>,
}

/// A 2025 commune, named as on `on` (as in the data when `None`).
fn commune_out(c: Commune, on: Option<CalendarDate>) -> UnitOut<CommuneCode> {
    UnitOut {
        code: c.code(),
        name: on.map_or(Cow::Borrowed(c.full_name()), |d| {
            Cow::Owned(c.full_name_on(d))
        }),
    }
}

fn legacy_out(p: &Place) -> Option<LegacyOut> {
    match *p {
        Place::Legacy {
            province,
            district,
            commune,
        } => Some(LegacyOut {
            province: UnitOut {
                code: province.code(),
                name: province.full_name().into(),
            },
            district: district.map(|d| UnitOut {
                code: d.code(),
                name: d.full_name().into(),
            }),
            commune: commune.map(|c| UnitOut {
                code: c.code(),
                name: c.full_name().into(),
            }),
        }),
        Place::Current { .. } => None,
    }
}

fn current_out(p: &Place, on: Option<CalendarDate>) -> CurrentOut {
    let province = p.current_province();
    CurrentOut {
        province: UnitOut {
            code: province.code(),
            name: on.map_or(Cow::Borrowed(province.full_name()), |d| {
                Cow::Owned(province.full_name_on(d))
            }),
        },
        commune: p.current_commune().map(|c| commune_out(c, on)),
        alternatives: p
            .alternatives()
            .into_iter()
            .map(|c| commune_out(c, on))
            .collect(),
    }
}

fn candidate_out(c: &Candidate, on: Option<CalendarDate>) -> CandidateOut {
    CandidateOut {
        era: c.place.era().as_str(),
        legacy: legacy_out(&c.place),
        current: current_out(&c.place, on),
        score: round3(c.score),
    }
}

impl<'a> AddressReport<'a> {
    /// The report of `input`, resolved as `r`; 2025 units are named as on
    /// `on` (as in the data when `None`).
    #[must_use]
    pub fn new(input: &'a str, r: &'a Resolution, on: Option<CalendarDate>) -> Self {
        let era = r.era().or_else(|| {
            let mut eras = r.candidates().iter().map(|c| c.place.era());
            let first = eras.next()?;
            eras.all(|e| e == first).then_some(first)
        });
        let place = r.place();
        Self {
            input,
            resolved: r.is_resolved(),
            era: era.map(Era::as_str),
            legacy: place.and_then(legacy_out),
            current: place.map(|p| current_out(p, on)),
            detail: r.detail(),
            confidence: round3(r.confidence()),
            candidates: r
                .candidates()
                .iter()
                .map(|c| candidate_out(c, on))
                .collect(),
        }
    }
}

fn error_json(input: &str, msg: String) -> Value {
    json!({ "input": input, "error": msg })
}

fn target_json(c: Commune) -> Value {
    let p = c.province();
    json!({ "code": c.code().to_string(), "name": c.full_name(), "province": unit_json(p.code(), p.full_name()) })
}

/// Converts a legacy code to the 2025 scheme: the object `dancu address
/// convert --json` prints. A 5-digit commune code gives every 2025 target
/// (kind, default); a 3-digit district code its 2025 province, special
/// zone and uncoded areas; a 2-digit province code its successor. An
/// unknown or malformed code gives `{"input", "error"}`.
#[must_use]
pub fn conversion(code: &str) -> Value {
    match code.len() {
        5 => match code.parse().map(LegacyCommune::lookup) {
            Ok(Some(c)) => {
                let d = c.district();
                let p = d.province();
                let targets: Vec<Value> = c
                    .successors()
                    .iter()
                    .map(|s| {
                        let mut t = target_json(s.commune);
                        t["kind"] = json!(s.kind.as_str());
                        t["default"] = json!(s.is_default);
                        t
                    })
                    .collect();
                json!({
                    "input": code,
                    "legacy": {
                        "province": unit_json(p.code(), p.full_name()),
                        "district": unit_json(d.code(), d.full_name()),
                        "commune": unit_json(c.code(), c.full_name()),
                    },
                    "split": c.is_split(),
                    "default": target_json(c.default_successor()),
                    "targets": targets,
                })
            }
            Ok(None) => error_json(code, format!("no legacy commune has code {code}")),
            Err(e) => error_json(code, e.to_string()),
        },
        3 => match code.parse().map(LegacyDistrict::lookup) {
            Ok(Some(d)) => {
                let p = d.province();
                let areas: Vec<Value> = d
                    .uncoded_areas()
                    .iter()
                    .map(|(label, c, kind)| {
                        let mut t = target_json(*c);
                        t["kind"] = json!(kind.as_str());
                        t["area"] = json!(label);
                        t
                    })
                    .collect();
                json!({
                    "input": code,
                    "legacy": {
                        "province": unit_json(p.code(), p.full_name()),
                        "district": unit_json(d.code(), d.full_name()),
                    },
                    "special_zone": d.special_zone().map(target_json),
                    "province_2025": unit_json(p.successor().code(), p.successor().full_name()),
                    "communes": d.communes().len(),
                    "uncoded_areas": areas,
                })
            }
            Ok(None) => error_json(code, format!("no legacy district has code {code}")),
            Err(e) => error_json(code, e.to_string()),
        },
        2 => match code.parse().map(LegacyProvince::lookup) {
            Ok(Some(p)) => {
                let s = p.successor();
                json!({
                    "input": code,
                    "legacy": { "province": unit_json(p.code(), p.full_name()) },
                    "province_2025": unit_json(s.code(), s.full_name()),
                })
            }
            Ok(None) => error_json(code, format!("no legacy province has code {code}")),
            Err(e) => error_json(code, e.to_string()),
        },
        _ => error_json(code, "expected a 5-, 3- or 2-digit legacy code".to_owned()),
    }
}

fn predecessor_json(p: &Predecessor) -> Value {
    match p.source {
        Source::Commune(c) => {
            let mut v = unit_json(c.code(), c.full_name());
            v["district"] = unit_json(c.district().code(), c.district().full_name());
            v["province"] = unit_json(c.province().code(), c.province().full_name());
            v["kind"] = json!(p.kind.as_str());
            v
        }
        Source::Area { district, label } => json!({
            "area": label,
            "district": unit_json(district.code(), district.full_name()),
            "province": unit_json(district.province().code(), district.province().full_name()),
            "kind": p.kind.as_str(),
        }),
    }
}

/// A unit by its code in `era`: the object `dancu address show --json`
/// prints (level, name, kind, parents, children, successors or
/// predecessors). An unknown or malformed code gives `{"input", "error"}`.
#[must_use]
pub fn unit(era: UnitEra, code: &str) -> Value {
    let not_found = |what: &str| error_json(code, format!("no {what} has code {code}"));
    match (era, code.len()) {
        (UnitEra::Legacy, 2) => match code.parse().map(LegacyProvince::lookup) {
            Ok(Some(p)) => json!({
                "era": "legacy", "level": "province",
                "code": p.code().to_string(), "name": p.full_name(), "kind": p.kind().label(),
                "districts": p.districts().map(|d| unit_json(d.code(), d.full_name())).collect::<Vec<_>>(),
                "successor": unit_json(p.successor().code(), p.successor().full_name()),
            }),
            Ok(None) => not_found("legacy province"),
            Err(e) => error_json(code, e.to_string()),
        },
        (UnitEra::Legacy, 3) => match code.parse().map(LegacyDistrict::lookup) {
            Ok(Some(d)) => json!({
                "era": "legacy", "level": "district",
                "code": d.code().to_string(), "name": d.full_name(), "kind": d.kind().label(),
                "province": unit_json(d.province().code(), d.province().full_name()),
                "communes": d.communes().map(|c| unit_json(c.code(), c.full_name())).collect::<Vec<_>>(),
                "special_zone": d.special_zone().map(target_json),
            }),
            Ok(None) => not_found("legacy district"),
            Err(e) => error_json(code, e.to_string()),
        },
        (UnitEra::Legacy, 5) => match code.parse().map(LegacyCommune::lookup) {
            Ok(Some(c)) => json!({
                "era": "legacy", "level": "commune",
                "code": c.code().to_string(), "name": c.full_name(), "kind": c.kind().label(),
                "district": unit_json(c.district().code(), c.district().full_name()),
                "province": unit_json(c.province().code(), c.province().full_name()),
                "successors": c.successors().iter().map(|s| {
                    let mut t = target_json(s.commune);
                    t["kind"] = json!(s.kind.as_str());
                    t["default"] = json!(s.is_default);
                    t
                }).collect::<Vec<_>>(),
            }),
            Ok(None) => not_found("legacy commune"),
            Err(e) => error_json(code, e.to_string()),
        },
        (UnitEra::Y2025, 2) => match code.parse().map(Province::lookup) {
            Ok(Some(p)) => json!({
                "era": "2025", "level": "province",
                "code": p.code().to_string(), "name": p.full_name(), "kind": p.kind().label(),
                "communes": p.communes().len(),
                "predecessors": p.predecessors().map(|l| unit_json(l.code(), l.full_name())).collect::<Vec<_>>(),
            }),
            Ok(None) => not_found("2025 province"),
            Err(e) => error_json(code, e.to_string()),
        },
        (UnitEra::Y2025, 5) => match code.parse().map(Commune::lookup) {
            Ok(Some(c)) => json!({
                "era": "2025", "level": "commune",
                "code": c.code().to_string(), "name": c.full_name(), "kind": c.kind().label(),
                "province": unit_json(c.province().code(), c.province().full_name()),
                "predecessors": c.predecessors().iter().map(predecessor_json).collect::<Vec<_>>(),
            }),
            Ok(None) => not_found("2025 commune"),
            Err(e) => error_json(code, e.to_string()),
        },
        (UnitEra::Legacy, _) => {
            error_json(code, "expected a 2-, 3- or 5-digit legacy code".to_owned())
        }
        (UnitEra::Y2025, _) => error_json(code, "expected a 2- or 5-digit 2025 code".to_owned()),
    }
}
