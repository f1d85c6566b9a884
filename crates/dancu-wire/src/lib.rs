#![doc = include_str!("../README.md")]
// Nothing from the network, a file or the command line may panic this crate:
// no unwrap, expect or panic outside tests, and no arithmetic that can
// overflow (checked or saturating where a value comes from outside; an
// `allow` with its bound stated where it is provably bounded), denied by
// clippy under `-D warnings` in CI.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::arithmetic_side_effects
    )
)]
//!
//! ```
//! use dancu_wire::{Dialect, Preset};
//! let d: Dialect = Preset::C06Php.dialect();
//! assert_eq!(d.content_type, "application/xml");
//! assert_eq!(Preset::C06Php.channel().kind, Some("c06"));
//! ```

pub mod auth;
pub mod dialect;
pub mod envelope;
pub mod fault;
pub mod media;
pub mod request;
pub mod response;
mod secret;
pub mod server;
mod xml;

pub use dialect::{
    CheckElement, DateFormat, Dialect, DialectError, JsonAuth, JsonCheckShape, KeyCase, NameForm,
    Preset, PresetChannel, RequestIdFormat, TimestampUnit,
};
pub use fault::{DecodeError, FaultCode, RequestFault, SoapFault};
pub use request::{WireBirth, WireKey, WireRequest};
pub use secret::Secret;
pub use xml::{
    BCA_NS, DECODE_INLINE_MAX_BYTES, Limits, MAX_ATTRIBUTES, MAX_NAMESPACES, MIC_NS, SOAP_NS,
};
