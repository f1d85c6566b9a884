//! Maintenance tasks for the dancu workspace.
//!
//! Usage: `cargo run -p xtask -- <task> <DIR>`:
//!
//! - `import-identity <DIR>` — regenerate `crates/dancu-core/src/identity/tables.rs`
//!   from the identity CSV tables in `DIR` (normally `../shared/data/identity`).
//! - `import-admin <DIR>` — regenerate `crates/dancu-core/src/admin/data.tsv`
//!   from the administrative-unit CSVs in `DIR` (normally `../shared/data/admin`).
//! - `import-names <DIR>` — regenerate `crates/dancu-sandbox/src/names_data.rs`
//!   from the name lists in `DIR` (normally `../shared/data/names`).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

mod admin;
mod csv;
mod identity;
mod names;

/// One importer: the task name, the shared data folder it reads, the
/// generated file it writes (relative to the workspace root), and how.
struct Importer {
    task: &'static str,
    data: &'static str,
    output: &'static str,
    generate: fn(&Path) -> anyhow::Result<String>,
}

const IMPORTERS: [Importer; 3] = [
    Importer {
        task: "import-identity",
        data: "identity",
        output: identity::OUTPUT,
        generate: identity::generate,
    },
    Importer {
        task: "import-admin",
        data: "admin",
        output: admin::OUTPUT,
        generate: admin::generate,
    },
    Importer {
        task: "import-names",
        data: "names",
        output: names::OUTPUT,
        generate: names::generate,
    },
];

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let tasks = || {
        IMPORTERS
            .iter()
            .map(|i| i.task)
            .collect::<Vec<_>>()
            .join("|")
    };
    let Some(task) = args.next() else {
        bail!("usage: cargo run -p xtask -- {} <DIR>", tasks());
    };
    let Some(importer) = IMPORTERS.iter().find(|i| i.task == task) else {
        bail!("unknown task {task:?}; known: {}", tasks());
    };
    let dir = PathBuf::from(args.next().with_context(|| {
        format!(
            "usage: {task} <DIR> (normally ../shared/data/{})",
            importer.data
        )
    })?);
    let out = workspace_root().join(importer.output);
    std::fs::write(&out, (importer.generate)(&dir)?)
        .with_context(|| format!("writing {}", out.display()))?;
    eprintln!("wrote {}", out.display());
    Ok(())
}

/// The workspace root (the parent of this crate's directory).
pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every committed generated file equals a fresh import whenever the
    /// shared data is present (as in CI).
    #[test]
    fn committed_tables_match_a_fresh_import() {
        for importer in &IMPORTERS {
            let dir = workspace_root().join("../shared/data").join(importer.data);
            if !dir.exists() {
                eprintln!("skipped {}: {} not present", importer.task, dir.display());
                continue;
            }
            let fresh = (importer.generate)(&dir).unwrap();
            let committed =
                std::fs::read_to_string(workspace_root().join(importer.output)).unwrap();
            assert!(
                fresh == committed,
                "{} is stale: run `cargo run -p xtask -- {} ../shared/data/{}`",
                importer.output,
                importer.task,
                importer.data
            );
        }
    }
}
