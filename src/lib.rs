// The workspace README is the `dancu` package's front page, and its
// examples are compiled and run as this package's doctests — from the
// repository as from the packaged crate. The command-line program is the
// `dancu` binary (`src/main.rs`); every rule lives in the `crates/`
// libraries.
#![doc = include_str!("../README.md")]
