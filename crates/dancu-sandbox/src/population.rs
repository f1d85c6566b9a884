//! A deterministic synthetic population of Vietnamese citizens.
//!
//! Citizens are generated household by household from a seed: the same
//! seed and size always give the same people. Each household lives in a
//! real legacy commune of the embedded gazetteer; its members' personal ID
//! numbers agree with their birth-registration province, gender, century
//! and birth year; names follow the real family-name frequencies (with the
//! southern forms Huỳnh and Võ in the south) and, in the Central Highlands
//! and the northern mountains, ethnic-minority naming patterns. Parents,
//! spouses, household heads and household book numbers agree with each
//! other. Records updated before 2025-07-01 keep legacy address codes,
//! newer ones carry 2025 codes.
//!
//! People are stored compactly; a full [`CitizenRecord`] is built when a
//! citizen is looked up or exported. The population is a
//! [`CitizenStore`]: the sandbox matches queries against it with the
//! in-memory registry's rules (one matcher for every registry).

use std::collections::{HashMap, HashSet};

use dancu_core::admin::{Commune, LegacyCommune, LegacyProvince};
use dancu_core::registry::{CitizenRecord, HouseholdHead, LookupKey, Otp, RecordAddress, Relative};
use dancu_core::{BirthDate, CalendarDate, Cmnd, FullName, Gender, GenderCode, PersonalId};
use dancu_popdb::memory::{Candidate, CitizenStore};

use crate::names_data::{
    FAMILY, GIVEN_FEMALE, GIVEN_MALE, MIDDLE_FEMALE, MIDDLE_MALE, MINORITY, SOUTHERN_FORMS,
};
use crate::rng::Rng;

/// The latest birth year generated: every ID is valid from 2025 on, so
/// the population does not depend on the day it is generated.
const LAST_BIRTH_YEAR: u32 = 2025;
/// The data's as-of time reported by the sandbox.
pub const AS_OF: &str = "2026-11-20T08:00:00";

/// How a member relates to the household head (`QuanHe`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// The head (chủ hộ).
    Head,
    /// The head's spouse.
    Spouse,
    /// A child of the head.
    Child,
    /// A parent of the head.
    Parent,
}

impl Relation {
    /// The raw relation code the sandbox sends.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::Head => "CH01",
            Self::Spouse => "CH02",
            Self::Child => "CH03",
            Self::Parent => "CH04",
        }
    }
}

/// Which scheme a record's residence addresses are coded in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordVintage {
    /// Updated before 2025-07-01: every address in legacy codes.
    Legacy,
    /// Permanent residence still legacy, current residence in 2025 codes.
    Mixed,
    /// Permanent and current residence in 2025 codes.
    Current,
}

/// The largest population the sandbox generates (10,000,000 citizens, a
/// few GB of memory): `dancu sandbox --citizens` refuses more, and
/// [`Population::generate`] stops there.
pub const MAX_CITIZENS: usize = 10_000_000;

/// One synthetic citizen, stored compactly.
#[derive(Clone, Debug)]
pub struct Person {
    /// Personal ID number.
    pub id: PersonalId,
    /// Old 9-digit CMND, for some older people.
    pub cmnd: Option<Cmnd>,
    /// Full name.
    pub name: FullName,
    /// Gender.
    pub gender: Gender,
    /// Birth date (about 5 % year-only).
    pub birth: BirthDate,
    /// `DanToc` code (2008 list).
    pub ethnicity: &'static str,
    /// `TonGiao` code.
    pub religion: &'static str,
    /// Where the birth was registered.
    pub birth_place: LegacyCommune,
    /// Hometown (quê quán).
    pub hometown: LegacyCommune,
    /// The household's commune.
    pub home: LegacyCommune,
    /// How the record's residence addresses are coded.
    pub vintage: RecordVintage,
    /// House number, lane, hamlet.
    pub detail: String,
    /// Index of the household head.
    pub head: u32,
    /// Relation to the head.
    pub relation: Relation,
    /// Index of the father, if in the population.
    pub father: Option<u32>,
    /// Index of the mother.
    pub mother: Option<u32>,
    /// Index of the spouse.
    pub spouse: Option<u32>,
    /// The one-time password this citizen must confirm, if flagged.
    pub otp: Option<Otp>,
}

/// A generated population with lookup indexes.
#[derive(Debug)]
pub struct Population {
    seed: u64,
    people: Vec<Person>,
    folded: Vec<Box<str>>,
    by_id: HashMap<PersonalId, u32>,
    by_cmnd: HashMap<Cmnd, u32>,
}

struct Generator {
    rng: Rng,
    on: CalendarDate,
    communes_of: HashMap<LegacyProvince, Vec<LegacyCommune>>,
    provinces: Vec<LegacyProvince>,
    communes: Vec<LegacyCommune>,
    family_total: u32,
    used_ids: HashSet<u64>,
    used_cmnd: HashSet<u32>,
    people: Vec<Person>,
}

const HIGHLANDS: &[&str] = &["62", "64", "66", "67"];
const NORTHERN_MOUNTAINS: &[&str] = &["02", "04", "06", "08", "10", "11", "12", "14", "15", "20"];
const HAMLETS: &[&str] = &[
    "Nà Pài",
    "Bản Tàn",
    "Phiêng Luông",
    "Khuổi Cuồng",
    "Nà Làng",
    "Đông",
    "Trung",
    "Bắc Sơn",
    "Tân Lập",
    "Hòa Bình",
    "Quyết Tiến",
    "Đoàn Kết",
    "Thống Nhất",
    "Phú Lợi",
    "An Hòa",
    "Bình Thạnh",
    "Long Hưng",
    "Ko Sier",
    "Ea Kmar",
    "Tơ Nung",
];
const STREETS: &[&str] = &[
    "Lê Lợi",
    "Trần Hưng Đạo",
    "Nguyễn Trãi",
    "Hùng Vương",
    "Quang Trung",
    "Lý Thường Kiệt",
    "Hai Bà Trưng",
    "Điện Biên Phủ",
    "Phan Đình Phùng",
    "Võ Thị Sáu",
];
const CMND_PREFIXES: &[&str] = &[
    "01", "02", "03", "05", "07", "10", "12", "13", "14", "16", "18", "19", "20", "21", "22", "24",
    "26", "27", "29", "32", "35", "36", "38",
];

impl Generator {
    fn new(seed: u64) -> Self {
        let mut communes_of: HashMap<LegacyProvince, Vec<LegacyCommune>> = HashMap::new();
        let communes: Vec<LegacyCommune> = LegacyCommune::all().collect();
        for &c in &communes {
            communes_of.entry(c.province()).or_default().push(c);
        }
        Self {
            rng: Rng::new(seed),
            on: CalendarDate::new(LAST_BIRTH_YEAR, 12, 31)
                .unwrap_or_else(|_| CalendarDate::today_in_vietnam()),
            provinces: LegacyProvince::all().collect(),
            communes,
            communes_of,
            family_total: FAMILY.iter().map(|(_, w)| w).sum(),
            used_ids: HashSet::new(),
            used_cmnd: HashSet::new(),
            people: Vec::new(),
        }
    }

    fn family_name(&mut self, south: bool) -> &'static str {
        let mut x = self.rng.below(u64::from(self.family_total)) as u32;
        let mut name = FAMILY[0].0;
        for &(n, w) in FAMILY {
            if x < w {
                name = n;
                break;
            }
            x = x.saturating_sub(w); // x >= w here
        }
        if south
            && self.rng.chance(700)
            && let Some(&(_, s)) = SOUTHERN_FORMS.iter().find(|(n, _)| *n == name)
        {
            return s;
        }
        name
    }

    fn kinh_name(&mut self, family: &str, gender: Gender) -> FullName {
        let (middle, given) = match gender {
            Gender::Male => (MIDDLE_MALE, GIVEN_MALE),
            Gender::Female => (MIDDLE_FEMALE, GIVEN_FEMALE),
        };
        let mut text = format!("{family} {}", *self.rng.pick(middle));
        if self.rng.chance(150) {
            let second = *self.rng.pick(middle);
            if !text.ends_with(second) {
                text.push(' ');
                text.push_str(second);
            }
        }
        text.push(' ');
        let given = *self.rng.pick(given);
        text.push_str(given);
        FullName::parse(&text).unwrap_or_else(|_| fallback_name(gender))
    }

    fn minority_name(
        &mut self,
        groups: &[&str],
        gender: Gender,
    ) -> Option<(FullName, &'static str)> {
        let female = gender == Gender::Female;
        let options: Vec<&(&str, bool, &str)> = MINORITY
            .iter()
            .filter(|(_, f, g)| *f == female && groups.contains(g))
            .collect();
        if options.is_empty() {
            return None;
        }
        let &&(name, _, group) = self.rng.pick(&options);
        let code = match group {
            "Tày" => "02",
            "Hmông" => "08",
            "Dao" => "09",
            "Jrai" => "10",
            "Ê Đê" => "11",
            "Ba Na" => "12",
            _ => "01",
        };
        FullName::parse(name).ok().map(|n| (n, code))
    }

    fn birth(&mut self, year: u32) -> BirthDate {
        if self.rng.chance(50) {
            return BirthDate::year_only(year).unwrap_or_else(|_| fallback_birth());
        }
        let month = (self.rng.below(12) as u32).saturating_add(1);
        let last = u32::from(dancu_core::days_in_month(year as u16, month as u8));
        let day = (self.rng.below(u64::from(last)) as u32).saturating_add(1);
        BirthDate::from_parts(year, month, day).unwrap_or_else(|_| fallback_birth())
    }

    fn personal_id(
        &mut self,
        birth_place: LegacyCommune,
        gender: Gender,
        year: u32,
        abroad: bool,
    ) -> PersonalId {
        let code: u32 = if abroad {
            (self.rng.below(195) as u32).saturating_add(101)
        } else {
            birth_place.province().code().get()
        };
        // Generated years are 1926..=2025: g is 0..=3.
        let century = year.saturating_sub(1900) / 100;
        let g = century
            .saturating_mul(2)
            .saturating_add(u32::from(gender == Gender::Female));
        loop {
            let random = self.rng.below(1_000_000) as u32;
            let text = format!("{code:03}{g}{:02}{random:06}", year % 100);
            let Ok(n) = text.parse::<u64>() else { continue };
            if !self.used_ids.insert(n) {
                continue;
            }
            if let Ok(id) = PersonalId::parse_on(&text, self.on) {
                return id;
            }
        }
    }

    fn cmnd(&mut self, year: u32, home: LegacyCommune) -> Option<Cmnd> {
        if year > 1995 || !self.rng.chance(350) {
            return None;
        }
        let at = (home.province().code().get() as usize).checked_rem(CMND_PREFIXES.len());
        let prefix = CMND_PREFIXES[at.unwrap_or(0)];
        loop {
            let rest = self.rng.below(10_000_000) as u32;
            let text = format!("{prefix}{rest:07}");
            let Ok(n) = text.parse::<u32>() else { continue };
            if self.used_cmnd.insert(n) {
                return text.parse().ok();
            }
        }
    }

    fn detail(&mut self, home: LegacyCommune) -> String {
        let urban = matches!(home.full_name().split(' ').next(), Some("Phường"));
        let hamlet = *self.rng.pick(HAMLETS);
        if urban {
            let street = *self.rng.pick(STREETS);
            format!(
                "Số {}, ngõ {}, đường {street}",
                self.rng.below(300).saturating_add(1),
                self.rng.below(40).saturating_add(1)
            )
        } else if HIGHLANDS.contains(&home.province().code().to_string().as_str()) {
            format!("Buôn {hamlet}")
        } else if home.province().code().get() >= 70 {
            format!("Ấp {hamlet}")
        } else {
            format!("Thôn {hamlet}")
        }
    }

    fn commune_in(&mut self, province: LegacyProvince) -> LegacyCommune {
        match self.communes_of.get(&province) {
            Some(list) if !list.is_empty() => *self.rng.pick(list),
            _ => *self.rng.pick(&self.communes),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn person(
        &mut self,
        name: FullName,
        gender: Gender,
        year: u32,
        ethnicity: &'static str,
        home: LegacyCommune,
        hometown: Option<LegacyCommune>,
        vintage: RecordVintage,
        detail: &str,
        head: u32,
        relation: Relation,
    ) -> u32 {
        let birth_place = if self.rng.chance(850) {
            self.commune_in(home.province())
        } else {
            let p = *self.rng.pick(&self.provinces);
            self.commune_in(p)
        };
        let abroad = self.rng.chance(3);
        let id = self.personal_id(birth_place, gender, year, abroad);
        let cmnd = self.cmnd(year, home);
        let birth = self.birth(year);
        let otp = self.rng.chance(20).then(|| {
            let code = format!("{:06}", self.rng.below(1_000_000));
            code.parse().ok()
        });
        let religion = if self.rng.chance(900) {
            "00"
        } else {
            ["01", "02", "03", "04"][self.rng.below(4) as usize]
        };
        let at = self.people.len() as u32;
        self.people.push(Person {
            id,
            cmnd,
            name,
            gender,
            birth,
            ethnicity,
            religion,
            birth_place,
            hometown: hometown.unwrap_or(birth_place),
            home,
            vintage,
            detail: detail.to_owned(),
            head,
            relation,
            father: None,
            mother: None,
            spouse: None,
            otp: otp.flatten(),
        });
        at
    }

    fn household(&mut self, max: usize) {
        let size = match self.rng.below(100) {
            0..15 => 1,
            15..35 => 2,
            35..60 => 3,
            60..85 => 4,
            85..95 => 5,
            _ => 6,
        }
        .min(max);
        let home = *self.rng.pick(&self.communes);
        let province = home.province().code().to_string();
        let south = province.as_str() >= "48";
        let minority_groups: &[&str] =
            if HIGHLANDS.contains(&province.as_str()) && self.rng.chance(300) {
                &["Ê Đê", "Jrai", "Ba Na"]
            } else if NORTHERN_MOUNTAINS.contains(&province.as_str()) && self.rng.chance(300) {
                &["Tày", "Dao", "Hmông"]
            } else {
                &[]
            };
        let vintage = match self.rng.below(10) {
            0..4 => RecordVintage::Legacy,
            4..7 => RecordVintage::Mixed,
            _ => RecordVintage::Current,
        };
        let detail = self.detail(home);
        let head_index = self.people.len() as u32;
        let head_gender = if self.rng.chance(620) {
            Gender::Male
        } else {
            Gender::Female
        };
        let head_year = LAST_BIRTH_YEAR
            .saturating_sub(25)
            .saturating_sub(self.rng.below(50) as u32);
        let family = self.family_name(south);
        let make_name = |g: &mut Self, family: &str, gender: Gender| -> (FullName, &'static str) {
            if !minority_groups.is_empty()
                && let Some(n) = g.minority_name(minority_groups, gender)
            {
                return n;
            }
            (g.kinh_name(family, gender), "01")
        };
        let (name, eth) = make_name(self, family, head_gender);
        let head = self.person(
            name,
            head_gender,
            head_year,
            eth,
            home,
            None,
            vintage,
            &detail,
            head_index,
            Relation::Head,
        );
        let mut members = 1usize;
        let mut spouse = None;
        if size >= 2 && self.rng.chance(800) {
            let g = opposite(head_gender);
            let year = (head_year as i64)
                .saturating_add(self.rng.below(11) as i64)
                .saturating_sub(5)
                .clamp(1930, 2000) as u32;
            let spouse_family = self.family_name(south);
            let (name, eth) = make_name(self, spouse_family, g);
            let s = self.person(
                name,
                g,
                year,
                eth,
                home,
                None,
                vintage,
                &detail,
                head_index,
                Relation::Spouse,
            );
            self.people[head as usize].spouse = Some(s);
            self.people[s as usize].spouse = Some(head);
            spouse = Some(s);
            members = members.saturating_add(1);
        }
        let (father, mother) = match (head_gender, spouse) {
            (Gender::Male, s) => (Some(head), s),
            (Gender::Female, s) => (s, Some(head)),
        };
        let child_family = father.map_or(family, |f| {
            let n = &self.people[f as usize].name;
            // Children carry their father's family name (Kinh order).
            if n.family().is_empty() {
                family
            } else {
                leak_family(n.family())
            }
        });
        let youngest_parent = [father, mother]
            .into_iter()
            .flatten()
            .map(|i| self.people[i as usize].birth.year() as u32)
            .max()
            .unwrap_or(head_year);
        if members < size && self.rng.chance(150) && head_year > 1950 {
            // An elderly parent of the head lives with the household.
            let g = if self.rng.chance(600) {
                Gender::Female
            } else {
                Gender::Male
            };
            let year = head_year
                .saturating_sub(20)
                .saturating_sub(self.rng.below(15) as u32);
            let (name, eth) = make_name(self, family, g);
            let p = self.person(
                name,
                g,
                year.max(1926),
                eth,
                home,
                None,
                vintage,
                &detail,
                head_index,
                Relation::Parent,
            );
            let head_person = &mut self.people[head as usize];
            match g {
                Gender::Male => head_person.father = Some(p),
                Gender::Female => head_person.mother = Some(p),
            }
            members = members.saturating_add(1);
        }
        while members < size {
            let age_gap = (self.rng.below(20) as u32).saturating_add(20);
            let year = youngest_parent.saturating_add(age_gap).min(LAST_BIRTH_YEAR);
            let g = if self.rng.chance(510) {
                Gender::Male
            } else {
                Gender::Female
            };
            let (name, eth) = make_name(self, child_family, g);
            let hometown = father.map(|f| self.people[f as usize].hometown);
            let c = self.person(
                name,
                g,
                year,
                eth,
                home,
                hometown,
                vintage,
                &detail,
                head_index,
                Relation::Child,
            );
            self.people[c as usize].father = father;
            self.people[c as usize].mother = mother;
            members = members.saturating_add(1);
        }
    }
}

/// Family names are `&'static` in the tables; a child's comes from the
/// father's parsed name, so look it up there to stay allocation-free.
fn leak_family(family: &str) -> &'static str {
    FAMILY
        .iter()
        .map(|(n, _)| *n)
        .chain(SOUTHERN_FORMS.iter().map(|(_, s)| *s))
        .find(|n| *n == family)
        .unwrap_or("Nguyễn")
}

fn opposite(g: Gender) -> Gender {
    match g {
        Gender::Male => Gender::Female,
        Gender::Female => Gender::Male,
    }
}

fn fallback_name(gender: Gender) -> FullName {
    let text = match gender {
        Gender::Male => "Nguyễn Văn An",
        Gender::Female => "Nguyễn Thị Lan",
    };
    FullName::parse(text).unwrap_or_else(|_| unreachable_name())
}

#[allow(clippy::panic)]
fn unreachable_name() -> FullName {
    panic!("a fixed, valid name failed to parse")
}

fn fallback_birth() -> BirthDate {
    BirthDate::year_only(1990).unwrap_or_else(|_| unreachable_birth())
}

#[allow(clippy::panic)]
fn unreachable_birth() -> BirthDate {
    panic!("a fixed, valid year failed to parse")
}

impl Population {
    /// Generates `citizens` people from `seed`.
    #[must_use]
    pub fn generate(seed: u64, citizens: usize) -> Self {
        let citizens = citizens.min(MAX_CITIZENS);
        let mut g = Generator::new(seed);
        g.people.reserve(citizens);
        while g.people.len() < citizens {
            let left = citizens.saturating_sub(g.people.len());
            g.household(left);
        }
        let people = g.people;
        let mut by_id = HashMap::with_capacity(people.len());
        let mut by_cmnd = HashMap::new();
        let mut folded = Vec::with_capacity(people.len());
        for (i, p) in people.iter().enumerate() {
            by_id.insert(p.id, i as u32);
            if let Some(c) = p.cmnd {
                by_cmnd.insert(c, i as u32);
            }
            folded.push(p.name.folded_key().into_boxed_str());
        }
        Self {
            seed,
            people,
            folded,
            by_id,
            by_cmnd,
        }
    }

    /// The seed it was generated from.
    #[must_use]
    pub const fn seed(&self) -> u64 {
        self.seed
    }

    /// Every citizen, in generation order.
    #[must_use]
    pub fn people(&self) -> &[Person] {
        &self.people
    }

    /// How many citizens there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.people.len()
    }

    /// Whether the population is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
    }

    fn relative(&self, i: Option<u32>) -> Option<Relative> {
        let p = &self.people[i? as usize];
        Some(Relative {
            name: Some(p.name.clone()),
            nationality: Some("VN".into()),
            personal_id: Some(p.id),
            cmnd: p.cmnd,
        })
    }

    /// The full record of citizen `i`, as the gateway returns it.
    #[must_use]
    pub fn record(&self, i: u32) -> Option<CitizenRecord> {
        let p = self.people.get(i as usize)?;
        let mut r = CitizenRecord::new(p.id, p.name.clone(), GenderCode::of(p.gender), p.birth);
        r.cmnd = p.cmnd;
        r.ethnicity = Some(p.ethnicity.to_owned());
        r.religion = Some(p.religion.to_owned());
        r.nationality = Some("VN".to_owned());
        r.marital_status = Some(if p.spouse.is_some() { "2" } else { "1" }.to_owned());
        r.blood_group = Some("00".to_owned());
        r.birth_registration = Some(legacy_address(p.birth_place, ""));
        r.hometown = Some(legacy_address(p.hometown, ""));
        let (permanent, current) = match p.vintage {
            RecordVintage::Legacy => (
                legacy_address(p.home, &p.detail),
                legacy_address(p.home, &p.detail),
            ),
            RecordVintage::Mixed => (
                legacy_address(p.home, &p.detail),
                current_address(p.home.default_successor(), &p.detail),
            ),
            RecordVintage::Current => (
                current_address(p.home.default_successor(), &p.detail),
                current_address(p.home.default_successor(), &p.detail),
            ),
        };
        r.permanent = Some(permanent);
        r.current = Some(current);
        r.father = self.relative(p.father);
        r.mother = self.relative(p.mother);
        r.spouse = self.relative(p.spouse);
        let minor = p.birth.year() > 2011;
        r.representative = if minor {
            self.relative(p.father.or(p.mother))
        } else {
            None
        };
        let head = &self.people[p.head as usize];
        r.household_head = Some(HouseholdHead {
            relation: Some(p.relation.code().to_owned()),
            personal_id: Some(head.id),
            cmnd: head.cmnd,
            name: Some(head.name.clone()),
        });
        r.household_book = Some(format!(
            "{}{:07}",
            p.home.province().code(),
            // Any seed (`--seed 18446744073709551615`): a hash, wrapping.
            u64::from(p.head)
                .wrapping_mul(7_919)
                .wrapping_add(self.seed)
                % 10_000_000
        ));
        r.as_of = Some(AS_OF.to_owned());
        Some(r)
    }
}

fn legacy_address(c: LegacyCommune, detail: &str) -> RecordAddress {
    RecordAddress::from_codes(
        &c.province().code().to_string(),
        &c.district().code().to_string(),
        &c.code().to_string(),
        detail,
        "VN",
    )
}

fn current_address(c: Commune, detail: &str) -> RecordAddress {
    RecordAddress::from_codes(
        &c.province().code().to_string(),
        "",
        &c.code().to_string(),
        detail,
        "VN",
    )
}

impl CitizenStore for Population {
    fn with_candidate<T>(&self, key: &LookupKey, f: impl FnOnce(Candidate<'_>) -> T) -> Option<T> {
        let index = match key {
            LookupKey::PersonalId(id) => self.by_id.get(id),
            LookupKey::Cmnd(c) => self.by_cmnd.get(c),
        };
        let i = *index? as usize;
        let p = &self.people[i];
        Some(f(Candidate {
            index: i,
            folded_name: &self.folded[i],
            birth_date: Some(&p.birth),
            otp: p.otp,
        }))
    }

    fn record(&self, index: usize) -> Option<CitizenRecord> {
        Population::record(self, u32::try_from(index).ok()?)
    }
}
