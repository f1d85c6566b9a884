//! `dancu address … --json`.

use std::borrow::Cow;

use serde::Serialize;
use serde_json::{Value, json};

use super::round3;
use crate::CalendarDate;
use crate::admin::{
    Candidate, Commune, CommuneCode, Era, HistoricalCommune, LegacyCommune, LegacyCommuneCode,
    LegacyDistrict, LegacyDistrictCode, LegacyProvince, LegacyProvinceCode, Place, Predecessor,
    Province, ProvinceCode, Resolution, Source,
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

/// A commune merged away before 2025-06-30.
#[derive(Serialize)]
struct HistoricalOut {
    code: LegacyCommuneCode,
    name: &'static str,
    /// The first day without it (exact), or the first list it is absent from.
    until: CalendarDate,
    until_exact: bool,
    district: UnitOut<LegacyDistrictCode>,
}

impl From<HistoricalCommune> for HistoricalOut {
    fn from(h: HistoricalCommune) -> Self {
        Self {
            code: h.code(),
            name: h.full_name(),
            until: h.until(),
            until_exact: h.until_is_exact(),
            district: UnitOut {
                code: h.district_code(),
                name: h.district_full_name().into(),
            },
        }
    }
}

#[derive(Serialize)]
struct CandidateOut {
    era: &'static str,
    legacy: Option<LegacyOut>,
    current: CurrentOut,
    score: f64,
}

/// One resolved free-text address: the object `dancu address resolve
/// --json` prints, keys in this order: `input`, `resolved`, `era`, `legacy`,
/// `current`, `historical` (`{"code", "name", "until", "until_exact",
/// "district"}` for a commune merged away before 2025-06-30, else null),
/// `detail`, `confidence`, `candidates`.
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
    historical: Option<HistoricalOut>,
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
            // A 2025 address whose note says what it was formerly ("… (Phường
            // Điện Biên, Quận Ba Đình cũ)") has that legacy reading.
            legacy: place
                .and_then(legacy_out)
                .or_else(|| r.former().and_then(legacy_out)),
            current: place.map(|p| current_out(p, on)),
            historical: r.historical().map(HistoricalOut::from),
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

/// A confidence as printed in a row: three decimals, without allocating.
fn confidence_text(c: f32) -> &'static str {
    static TEXTS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
        (0..=1000)
            .map(|i| format!("{:.3}", f64::from(i) / 1000.0))
            .collect()
    });
    let i = (f64::from(c.clamp(0.0, 1.0)) * 1000.0).round() as usize;
    TEXTS.get(i).map_or("0.000", String::as_str)
}

/// What became of one address in a bulk conversion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RowStatus {
    /// Resolved to one commune.
    Resolved,
    /// Not resolved; several communes are possible (listed as candidates).
    Ambiguous,
    /// Not resolved, with at most one candidate (including a commune merged
    /// away before 2025-06-30, and text that names no commune).
    Unresolved,
}

impl RowStatus {
    /// The status of a resolution.
    #[must_use]
    pub fn of(r: &Resolution) -> Self {
        if r.is_resolved() {
            Self::Resolved
        } else if r.historical().is_none()
            && r.candidates()
                .iter()
                .filter(|c| c.place.is_determined())
                .count()
                >= 2
        {
            Self::Ambiguous
        } else {
            Self::Unresolved
        }
    }

    /// `"resolved"`, `"ambiguous"` or `"unresolved"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Resolved => "resolved",
            Self::Ambiguous => "ambiguous",
            Self::Unresolved => "unresolved",
        }
    }
}

/// The columns `dancu address convert-file` adds to every row, in order
/// (see [`AddressRow`]).
pub const ROW_COLUMNS: [&str; 18] = [
    "status",
    "era",
    "legacy_province_code",
    "legacy_province",
    "legacy_district_code",
    "legacy_district",
    "legacy_commune_code",
    "legacy_commune",
    "province_code",
    "province",
    "commune_code",
    "commune",
    "alternatives",
    "historical_code",
    "historical",
    "historical_until",
    "confidence",
    "resolved",
];

/// The index of `confidence` in [`ROW_COLUMNS`].
const CONFIDENCE: usize = 16;
/// The index of `resolved` in [`ROW_COLUMNS`].
const RESOLVED: usize = 17;

const fn same(a: &str, b: &str) -> bool {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a, b) {
            ([], []) => return true,
            ([x, rest_a @ ..], [y, rest_b @ ..]) if *x == *y => (a, b) = (rest_a, rest_b),
            _ => return false,
        }
    }
}

const _: () = assert!(same(ROW_COLUMNS[CONFIDENCE], "confidence"));
const _: () = assert!(same(ROW_COLUMNS[RESOLVED], "resolved"));

/// One value of an [`AddressRow`] with its type ([`AddressRow::values`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RowValue<'a> {
    /// The field does not apply: an empty CSV field, JSON `null`, Python
    /// `None`.
    Null,
    /// `resolved`.
    Bool(bool),
    /// `confidence`, as its text with three decimals (`"0.950"`).
    Number(&'a str),
    /// A code, a name or a label. `Cow::Borrowed` text is `'static` (the
    /// gazetteer's one copy of each unit's name and code, the labels), so
    /// a caller may keep one converted copy of it by its address.
    Text(&'a Cow<'static, str>),
}

/// One resolved address as flat fields, for tables: the values of
/// [`ROW_COLUMNS`], empty where they do not apply. `legacy_*` is what a
/// legacy text names (or a "cũ" note's reading); `province`/`commune` the
/// 2025 units (the default target of a split commune, the other targets in
/// `alternatives` as "code name" separated by "; "); for an unresolved text
/// only the levels it names for certain are filled. Built from the same
/// domain types as [`AddressReport`], with the same meaning.
///
/// ```
/// use dancu_core::admin::resolve;
/// use dancu_core::report::{AddressRow, ROW_COLUMNS};
///
/// let r = resolve("Xã Dương Quang, TP. Bắc Kạn, Bắc Kạn");
/// let row = AddressRow::new(&r, None);
/// let fields = row.fields();
/// let get = |name| fields[ROW_COLUMNS.iter().position(|c| *c == name).unwrap()].as_ref();
/// assert_eq!(get("legacy_commune_code"), "01849");
/// assert_eq!(get("commune"), "Xã Phong Quang");
/// assert_eq!(get("resolved"), "true");
/// ```
#[derive(Debug)]
pub struct AddressRow {
    fields: [Cow<'static, str>; ROW_COLUMNS.len()],
    status: RowStatus,
}

impl AddressRow {
    /// The row of resolution `r`; 2025 units named as on `on` (as in the
    /// data when `None`).
    #[must_use]
    pub fn new(r: &Resolution, on: Option<CalendarDate>) -> Self {
        let status = RowStatus::of(r);
        let mut f: [Cow<'static, str>; ROW_COLUMNS.len()] = Default::default();
        f[0] = status.as_str().into();
        let place = r.place();
        if let Some(era) = r.era() {
            f[1] = era.as_str().into();
        }
        let legacy = place
            .filter(|p| p.era() == Era::Legacy)
            .or_else(|| r.former());
        if let Some(&Place::Legacy {
            province,
            district,
            commune,
        }) = legacy
        {
            f[2] = province.code_str().into();
            f[3] = province.full_name().into();
            if let Some(d) = district {
                f[4] = d.code_str().into();
                f[5] = d.full_name().into();
            }
            if let Some(c) = commune {
                f[6] = c.code_str().into();
                f[7] = c.full_name().into();
            }
        }
        if let Some(p) = place {
            let province = p.current_province();
            f[8] = province.code_str().into();
            f[9] = on.map_or(Cow::Borrowed(province.full_name()), |d| {
                Cow::Owned(province.full_name_on(d))
            });
            if let Some(c) = p.current_commune() {
                f[10] = c.code_str().into();
                f[11] = commune_out(c, on).name;
            }
            let alternatives = p.alternatives();
            if !alternatives.is_empty() {
                let list: Vec<String> = alternatives
                    .into_iter()
                    .map(|c| format!("{} {}", c.code_str(), commune_out(c, on).name))
                    .collect();
                f[12] = list.join("; ").into();
            }
        }
        if let Some(h) = r.historical() {
            f[13] = h.code_str().into();
            f[14] = h.full_name().into();
            f[15] = h.until().to_string().into();
        }
        f[CONFIDENCE] = confidence_text(r.confidence()).into();
        f[RESOLVED] = if r.is_resolved() { "true" } else { "false" }.into();
        Self { fields: f, status }
    }

    /// The values, in [`ROW_COLUMNS`] order, as text (a CSV row's fields).
    #[must_use]
    pub fn fields(&self) -> &[Cow<'static, str>; ROW_COLUMNS.len()] {
        &self.fields
    }

    /// The values, in [`ROW_COLUMNS`] order, typed as formats with types
    /// write them (JSON Lines, the Python package's columns): an empty
    /// field is [`RowValue::Null`], `resolved` a [`RowValue::Bool`],
    /// `confidence` a [`RowValue::Number`], the rest [`RowValue::Text`].
    ///
    /// ```
    /// use dancu_core::admin::resolve;
    /// use dancu_core::report::{AddressRow, RowValue};
    ///
    /// let r = resolve("Phường Sài Gòn, TP Hồ Chí Minh");
    /// let row = AddressRow::new(&r, None);
    /// let values = row.values();
    /// assert_eq!(values[1], RowValue::Text(&"2025".into()));
    /// assert_eq!(values[2], RowValue::Null); // no legacy reading
    /// assert_eq!(values[16], RowValue::Number("0.950"));
    /// assert_eq!(values[17], RowValue::Bool(true));
    /// ```
    #[must_use]
    pub fn values(&self) -> [RowValue<'_>; ROW_COLUMNS.len()] {
        std::array::from_fn(|i| match (i, &self.fields[i]) {
            (_, f) if f.is_empty() => RowValue::Null,
            (CONFIDENCE, f) => RowValue::Number(f),
            (RESOLVED, f) => RowValue::Bool(f == "true"),
            (_, f) => RowValue::Text(f),
        })
    }

    /// What became of the address.
    #[must_use]
    pub fn status(&self) -> RowStatus {
        self.status
    }
}
