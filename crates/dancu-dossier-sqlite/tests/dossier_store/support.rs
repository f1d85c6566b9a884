//! Shared helpers: scratch directories, dossiers built through the core API,
//! and a way to spawn this test binary as a child process.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

pub(crate) use dancu_core::dossier::suite::{OWNER_ID, day, full_dossier};

/// A directory under the system temp dir, removed on drop.
pub(crate) struct Scratch(PathBuf);

impl Scratch {
    pub(crate) fn new(label: &str) -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!(
            "dancu-dossier-sqlite-{label}-{}-{nanos}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    pub(crate) fn db(&self) -> PathBuf {
        self.0.join("dossiers.sqlite")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs this test binary as a child running only `test` (its full path in
/// the binary), with `env` set so the test takes its child branch.
pub(crate) fn spawn_self(test: &str, env: (&str, &Path)) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(env.0, env.1)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// What a child process reported with `println!("{MARK}{tag} {value}")`.
/// libtest may print the test's name on the same line, before the mark.
pub(crate) fn reported<'a>(line: &'a str, tag: &str) -> Option<&'a str> {
    let start = line.find(MARK)? + MARK.len();
    line[start..].strip_prefix(tag)?.strip_prefix(' ')
}

/// Starts a child's report line.
pub(crate) const MARK: &str = "@@ ";
