//! `dancu-fuzz`: what `.ci/run` and the README's fuzzing commands need
//! besides `cargo fuzz` itself.
//!
//! - `dancu-fuzz list`: each target's name and largest input, one a line;
//! - `dancu-fuzz seeds DIR`: writes each target's seed inputs into
//!   `DIR/<target>/`, the corpus `cargo fuzz run` starts from;
//! - `dancu-fuzz replay TARGET FILE…`: runs one target on files (a crash
//!   input `cargo fuzz` saved), on stable Rust.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["list"] => {
            for t in dancu_fuzz::TARGETS {
                println!("{} {}", t.name, t.max_len);
            }
            Ok(())
        }
        ["seeds", dir] => write_seeds(Path::new(dir)),
        ["replay", name, files @ ..] if !files.is_empty() => replay(name, files),
        _ => Err("usage: dancu-fuzz list | seeds DIR | replay TARGET FILE...".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dancu-fuzz: {e}");
            ExitCode::from(2)
        }
    }
}

fn write_seeds(dir: &Path) -> Result<(), String> {
    for t in dancu_fuzz::TARGETS {
        let at = dir.join(t.name);
        std::fs::create_dir_all(&at).map_err(|e| format!("{}: {e}", at.display()))?;
        for (i, seed) in (t.seeds)().iter().enumerate() {
            let file = at.join(format!("seed-{i:03}"));
            std::fs::write(&file, seed).map_err(|e| format!("{}: {e}", file.display()))?;
        }
    }
    Ok(())
}

fn replay(name: &str, files: &[&str]) -> Result<(), String> {
    let target = dancu_fuzz::target(name).ok_or_else(|| format!("no target {name:?}"))?;
    for file in files {
        let data = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
        (target.run)(&data);
        println!("{file}: ok");
    }
    Ok(())
}
