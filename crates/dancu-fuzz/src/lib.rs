//! Fuzz targets for every surface of dancu that reads untrusted input: the
//! SOAP and JSON answers a gateway sends (the connector's decoders), the
//! SOAP and JSON requests a client sends (the gateway side the sandbox
//! serves), `dancu.toml` and the sandbox's settings, identity numbers,
//! birth dates, full names and free-text addresses.
//!
//! Each target is a plain function of the input bytes that panics only when
//! a property fails: the code under test panicked, or an oracle disagreed
//! (a decoded answer that does not survive encoding and decoding again, a
//! canonical form that parses differently, a name that is not NFC…). The
//! functions build on stable Rust; `cargo fuzz` (libFuzzer) drives
//! them from the `fuzz/` directory at the root of the repository, and this
//! crate's tests replay every seed and every kept crash input.
//!
//! ```
//! for target in dancu_fuzz::TARGETS {
//!     for seed in (target.seeds)() {
//!         (target.run)(&seed);
//!     }
//! }
//! ```

mod address;
mod config;
mod identity;
mod wire;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// One fuzz target: its name (the `cargo fuzz` target's), the function
/// that checks one input, the seed inputs that start its corpus, and the
/// largest input worth trying.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// The target's name, as `cargo fuzz run <name>` takes it.
    pub name: &'static str,
    /// Checks one input; panics when a property fails.
    pub run: fn(&[u8]),
    /// Seed inputs: real samples and near misses.
    pub seeds: fn() -> Vec<Vec<u8>>,
    /// The largest input the fuzzer should generate (libFuzzer's
    /// `-max_len`): above what the surface accepts, so limits are hit too.
    pub max_len: usize,
}

/// Every target, in the order `.ci/run` runs them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "soap_answer",
        run: wire::soap_answer,
        seeds: wire::soap_answer_seeds,
        max_len: 64 * 1024,
    },
    Target {
        name: "json_answer",
        run: wire::json_answer,
        seeds: wire::json_answer_seeds,
        max_len: 64 * 1024,
    },
    Target {
        name: "soap_request",
        run: wire::soap_request,
        seeds: wire::soap_request_seeds,
        max_len: 64 * 1024,
    },
    Target {
        name: "json_request",
        run: wire::json_request,
        seeds: wire::json_request_seeds,
        max_len: 16 * 1024,
    },
    Target {
        name: "config",
        run: config::config,
        seeds: config::config_seeds,
        max_len: 16 * 1024,
    },
    Target {
        name: "id_number",
        run: identity::id_number,
        seeds: identity::id_number_seeds,
        max_len: 256,
    },
    Target {
        name: "birth_date",
        run: identity::birth_date,
        seeds: identity::birth_date_seeds,
        max_len: 128,
    },
    Target {
        name: "full_name",
        run: identity::full_name,
        seeds: identity::full_name_seeds,
        max_len: 1024,
    },
    Target {
        name: "address",
        run: address::address,
        seeds: address::address_seeds,
        max_len: 4096,
    },
];

/// The target called `name`.
#[must_use]
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// Runs a future that never waits (the in-memory registry's answers) to
/// completion, without an async runtime.
///
/// # Panics
///
/// When the future is not ready at its first poll.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("the in-memory registry waited"),
    }
}
