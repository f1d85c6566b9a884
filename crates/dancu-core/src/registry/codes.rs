//! Tables that give raw population-record codes their meaning. Systems
//! differ (two statistical lists of ethnic groups are in use), so records
//! keep the raw code and meanings come from a table the integrator can
//! replace.

use std::collections::BTreeMap;

/// Code → name for one coded field (e.g. `DanToc`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeTable {
    names: BTreeMap<String, String>,
}

impl CodeTable {
    /// A table from `(code, name)` pairs.
    pub fn new<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self {
            names: entries
                .into_iter()
                .map(|(c, n)| (c.trim().to_owned(), n.to_owned()))
                .collect(),
        }
    }

    /// The ethnic groups of the 2008 statistical list referenced by the
    /// e-government data standard, for the codes 01–12 (the most common
    /// groups; a deployment adds the rest of the 54 from its own list).
    #[must_use]
    pub fn ethnicity_2008() -> Self {
        Self::new([
            ("01", "Kinh"),
            ("02", "Tày"),
            ("03", "Thái"),
            ("04", "Mường"),
            ("05", "Khơ me"),
            ("06", "Hoa"),
            ("07", "Nùng"),
            ("08", "H'Mông"),
            ("09", "Dao"),
            ("10", "Gia-rai"),
            ("11", "Ê-đê"),
            ("12", "Ba-na"),
        ])
    }

    /// The name of `code`, if the table has it (`"1"` and `"01"` are the
    /// same code).
    #[must_use]
    pub fn name(&self, code: &str) -> Option<&str> {
        let code = code.trim();
        self.names
            .get(code)
            .or_else(|| {
                (code.len() == 1)
                    .then(|| self.names.get(&format!("0{code}")))
                    .flatten()
            })
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::CodeTable;

    #[test]
    fn looks_up_and_keeps_unknown_codes_unnamed() {
        let t = CodeTable::ethnicity_2008();
        assert_eq!(t.name("01"), Some("Kinh"));
        assert_eq!(t.name("2"), Some("Tày"));
        assert_eq!(t.name("11"), Some("Ê-đê"));
        assert_eq!(t.name("54"), None);
        let custom = CodeTable::new([("K", "Kinh")]);
        assert_eq!(custom.name("K"), Some("Kinh"));
    }
}
