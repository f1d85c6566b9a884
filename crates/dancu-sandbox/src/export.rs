//! The population as JSON Lines, so a tester knows whom to look up.

use dancu_core::registry::RecordAddress;
use serde_json::{Value, json};

use crate::population::Population;

fn address(a: Option<&RecordAddress>) -> Value {
    a.map_or(Value::Null, |a| {
        serde_json::to_value(a).unwrap_or(Value::Null)
    })
}

/// One citizen as a JSON object: `personal_id`, `cmnd`, `name`,
/// `birth_date` (dd/mm/yyyy, mm/yyyy or yyyy), `gender`, `addresses`
/// (permanent, current, birth registration, hometown, each with era, codes
/// and names), `otp_required` and `otp`, and the family links.
#[must_use]
pub fn citizen_json(population: &Population, i: u32) -> Value {
    let Some(p) = population.people().get(i as usize) else {
        return Value::Null;
    };
    let Some(r) = population.record(i) else {
        return Value::Null;
    };
    let id_of = |j: Option<u32>| {
        j.and_then(|j| population.people().get(j as usize))
            .map(|q| q.id.to_string())
    };
    json!({
        "personal_id": p.id.as_str(),
        "cmnd": p.cmnd.map(|c| c.to_string()),
        "name": p.name.as_str(),
        "birth_date": p.birth.to_string(),
        "gender": p.gender.as_str(),
        "ethnicity": p.ethnicity,
        "addresses": {
            "permanent": address(r.permanent.as_ref()),
            "current": address(r.current.as_ref()),
            "birth_registration": address(r.birth_registration.as_ref()),
            "hometown": address(r.hometown.as_ref()),
        },
        "otp_required": p.otp.is_some(),
        "otp": p.otp.map(|o| o.as_str().to_owned()),
        "household_head": id_of(Some(p.head)),
        "relation_to_head": p.relation.code(),
        "father": id_of(p.father),
        "mother": id_of(p.mother),
        "spouse": id_of(p.spouse),
    })
}
