//! The resolver on the calibration corpus `bench/address/real.tsv`:
//! addresses as businesses, post offices, shops and the 2025 units' head
//! offices write them (see `bench/address/make_real.py`).
//!
//! It fails on any confident wrong answer, and prints per rule what was
//! right, refused and wrong, and the calibration table of `docs/address.md`:
//!
//! ```text
//! cargo test --release -p dancu-core --test real_corpus -- --nocapture
//! DANCU_SHOW=spelling_letter cargo test … -- --nocapture   # the rows of one rule
//! ```

use std::collections::BTreeMap;

use dancu_core::admin::{Place, RESOLVED_CONFIDENCE, Resolution, resolve};

struct Row<'a> {
    id: &'a str,
    input: &'a str,
    era: &'a str,
    expect: &'a str,
    commune: &'a str,
    historical: &'a str,
    rule: &'a str,
}

fn rows(text: &str) -> Vec<Row<'_>> {
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 10, "{l}");
            Row {
                id: f[0],
                input: f[1],
                era: f[2],
                expect: f[3],
                commune: f[6],
                historical: f[7],
                rule: f[8],
            }
        })
        .collect()
}

/// The commune a reading names, as "legacy:code" or "2025:code", and the
/// same place in the other era when a legacy commune merged whole.
fn names(p: &Place) -> Vec<String> {
    match *p {
        Place::Legacy {
            commune: Some(c), ..
        } => {
            let mut v = vec![format!("legacy:{}", c.code())];
            if !c.is_split() {
                v.push(format!("2025:{}", c.default_successor().code()));
            }
            v
        }
        Place::Current {
            commune: Some(c), ..
        } => {
            let mut v = vec![format!("2025:{}", c.code())];
            // A legacy commune merged whole into it is the same place.
            for s in c.predecessors() {
                if let dancu_core::admin::Source::Commune(l) = s.source
                    && !l.is_split()
                {
                    v.push(format!("legacy:{}", l.code()));
                }
            }
            v
        }
        _ => Vec::new(),
    }
}

/// The reading the result leans to: its place when resolved, else its
/// first determined candidate.
fn top(r: &Resolution) -> Option<Place> {
    if r.is_resolved() {
        return r.place().copied();
    }
    r.candidates()
        .iter()
        .map(|c| c.place)
        .find(Place::is_determined)
}

#[derive(Default)]
struct Tally {
    n: usize,
    right: usize,
    refused: usize,
    wrong: usize,
}

#[test]
fn no_confident_wrong_answer_on_the_calibration_corpus() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/address/real.tsv");
    let text = std::fs::read_to_string(path).expect("bench/address/real.tsv is committed");
    let show = std::env::var("DANCU_SHOW").ok();
    let mut by_rule: BTreeMap<&str, Tally> = BTreeMap::new();
    // Confidence band (tenths) -> (rows leaning to a commune, right ones).
    let mut bands = [(0usize, 0usize); 10];
    let mut wrong = Vec::new();
    let mut total = Tally::default();
    for row in rows(&text) {
        let r = resolve(row.input);
        let lean = top(&r);
        let right_lean = lean.is_some_and(|p| {
            row.expect == "commune" && names(&p).contains(&format!("{}:{}", row.era, row.commune))
        });
        let outcome = match row.expect {
            "commune" if r.is_resolved() && right_lean => "right",
            "commune" if r.is_resolved() => "wrong",
            "commune" => "refused",
            _ if r.is_resolved() => "wrong",
            "historical"
                if r.historical()
                    .is_some_and(|h| h.code().to_string() == row.historical) =>
            {
                "right"
            }
            "historical" => "refused",
            _ => "right",
        };
        if lean.is_some() {
            let band = ((r.confidence() * 10.0) as usize).min(9);
            bands[band].0 += 1;
            bands[band].1 += usize::from(right_lean);
        }
        for t in [by_rule.entry(row.rule).or_default(), &mut total] {
            t.n += 1;
            match outcome {
                "right" => t.right += 1,
                "wrong" => t.wrong += 1,
                _ => t.refused += 1,
            }
        }
        if outcome == "wrong" {
            wrong.push(format!(
                "{} {:?} ({}): {:?}",
                row.id,
                row.input,
                row.rule,
                r.place()
            ));
        }
        if show.as_deref() == Some(row.rule) && outcome != "right" {
            println!(
                "{outcome}: {} {:?} -> {:?} {:.2}",
                row.id,
                row.input,
                r.place(),
                r.confidence()
            );
        }
    }
    println!("| rule | rows | right | refused | confident wrong |");
    println!("|---|---|---|---|---|");
    for (rule, t) in by_rule
        .iter()
        .map(|(r, t)| (*r, t))
        .chain([("all", &total)])
    {
        println!(
            "| {rule} | {} | {:.1} % | {:.1} % | {} |",
            t.n,
            100.0 * t.right as f64 / t.n as f64,
            100.0 * t.refused as f64 / t.n as f64,
            t.wrong
        );
    }
    println!();
    println!("| confidence | rows leaning to a commune | of which right | resolved |");
    println!("|---|---|---|---|");
    // The threshold in tenths (0.7 → 7): bands from it up resolve.
    let threshold = (RESOLVED_CONFIDENCE * 10.0).round() as usize;
    for (i, (n, right)) in bands.iter().enumerate() {
        if *n == 0 {
            continue;
        }
        let resolved = if i >= threshold { "yes" } else { "no" };
        println!(
            "| {:.1}–{:.1} | {n} | {:.1} % | {resolved} |",
            i as f64 / 10.0,
            (i + 1) as f64 / 10.0,
            100.0 * *right as f64 / *n as f64
        );
    }
    assert!(
        wrong.is_empty(),
        "{} confident wrong answers:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
