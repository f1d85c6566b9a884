//! A small RFC 4180 reader: enough for the project's reference CSV files.

use std::path::Path;

use anyhow::{Context, bail};

/// A parsed CSV file: header names and rows of fields.
pub(crate) struct Table {
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
}

impl Table {
    /// Reads and parses `path`, checking every row has the header's width.
    pub(crate) fn read(path: &Path) -> anyhow::Result<Self> {
        Self::read_with(path, false)
    }

    /// Like [`Table::read`], but a row with too many fields has the excess
    /// joined into its last column: for files whose free-text last column
    /// holds unquoted commas ("Tày/Nùng (Bắc Kạn, Cao Bằng)").
    pub(crate) fn read_joining_last(path: &Path) -> anyhow::Result<Self> {
        Self::read_with(path, true)
    }

    fn read_with(path: &Path, join_last: bool) -> anyhow::Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let mut records = parse(text.trim_start_matches('\u{feff}'))
            .with_context(|| format!("parsing {}", path.display()))?;
        if records.is_empty() {
            bail!("{} has no header row", path.display());
        }
        let header = records.remove(0);
        if join_last {
            for row in &mut records {
                if row.len() > header.len() {
                    let tail = row.split_off(header.len() - 1).join(",");
                    row.push(tail);
                }
            }
        }
        for (i, row) in records.iter().enumerate() {
            if row.len() != header.len() {
                bail!(
                    "{} row {}: {} fields, header has {}",
                    path.display(),
                    i + 2,
                    row.len(),
                    header.len()
                );
            }
        }
        Ok(Self {
            header,
            rows: records,
        })
    }

    /// The index of column `name`.
    pub(crate) fn column(&self, name: &str) -> anyhow::Result<usize> {
        self.header
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("missing column {name:?}"))
    }
}

/// Splits CSV text into records of fields (quotes, doubled quotes, CRLF).
pub(crate) fn parse(text: &str) -> anyhow::Result<Vec<Vec<String>>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut in_quotes = false;
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => in_quotes = true,
            ',' => record.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                any = false;
            }
            _ => field.push(c),
        }
    }
    if in_quotes {
        bail!("unterminated quoted field");
    }
    if any {
        record.push(field);
        records.push(record);
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn quotes_and_line_endings() {
        let rows = parse("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n1,\n").unwrap();
        assert_eq!(
            rows,
            vec![vec!["a", "b"], vec!["x, y", "say \"hi\""], vec!["1", ""],]
        );
        assert!(parse("\"open").is_err());
    }
}
