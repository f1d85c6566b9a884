//! Maintenance tasks for the dancu workspace.
//!
//! Usage: `cargo run -p xtask -- <task> [args]`:
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

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("import-identity") => {
            let dir = PathBuf::from(args.next().context("usage: import-identity <DIR>")?);
            let out = workspace_root().join(identity::OUTPUT);
            std::fs::write(&out, identity::generate(&dir)?)
                .with_context(|| format!("writing {}", out.display()))?;
            eprintln!("wrote {}", out.display());
            Ok(())
        }
        Some("import-admin") => {
            let dir = PathBuf::from(args.next().context("usage: import-admin <DIR>")?);
            let out = workspace_root().join(admin::OUTPUT);
            std::fs::write(&out, admin::generate(&dir)?)
                .with_context(|| format!("writing {}", out.display()))?;
            eprintln!("wrote {}", out.display());
            Ok(())
        }
        Some("import-names") => {
            let dir = PathBuf::from(args.next().context("usage: import-names <DIR>")?);
            let out = workspace_root().join(names::OUTPUT);
            std::fs::write(&out, names::generate(&dir)?)
                .with_context(|| format!("writing {}", out.display()))?;
            eprintln!("wrote {}", out.display());
            Ok(())
        }
        Some(other) => {
            bail!("unknown task {other:?}; known: import-identity, import-admin, import-names")
        }
        None => {
            bail!("usage: cargo run -p xtask -- import-identity|import-admin|import-names <DIR>")
        }
    }
}

/// The workspace root (the parent of this crate's directory).
pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}
