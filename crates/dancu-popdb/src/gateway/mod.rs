//! The gateways: LGSP, C06 direct and the provincial JSON API, over HTTP,
//! and the SOAP codec they share (public, so the sandbox can play the
//! server side: [`soap`], [`json`], [`serve`]).
//!
//! Each gateway is built through a validating builder; building never
//! touches the network.
//!
//! ```
//! use std::time::Duration;
//! use dancu_popdb::Secret;
//! use dancu_popdb::gateway::{C06Gateway, LgspGateway, NameForm, ProvincialGateway, TimestampUnit};
//! use dancu_core::PopulationRegistry;
//!
//! let lgsp = LgspGateway::builder("https://lgsp.example.vn")
//!     .name("lgsp-bac-kan")
//!     .lookup_path("/dancu/tracuu")
//!     .verify_path("/dancu/xacthuc")
//!     .credentials("ACCESS", Secret::new("SECRET"), "motcua", "000.00.21.H06", "H06")
//!     .token_refresh_margin(Duration::from_secs(60))
//!     .build()?;
//! let c06 = C06Gateway::builder("https://c06.example.vn")
//!     .lookup_path("/dancu/tracuu")
//!     .verify_path("/dancu/xacthuc")
//!     .credentials("motcua", Secret::new("SIGNING-SECRET"), Secret::new("API-KEY"))
//!     .x_road_client("VN/GOV/000.00.21.H06/MOTCUA")
//!     .auth_url("https://c06.example.vn/auth")
//!     .timestamp_unit(TimestampUnit::Seconds)
//!     .verify_code("003")
//!     .build()?;
//! let province = ProvincialGateway::builder("https://api.tinh.example.vn")
//!     .lookup_path("/dancu/tracuu")
//!     .verify_path("/dancu/xacthuc")
//!     .api_key(Secret::new("KEY"))
//!     .auth_header("X-Api-Key")
//!     .auth_scheme(None)
//!     .name_form(NameForm::Unaccented)
//!     .attempt_timeout(Duration::from_secs(5))
//!     .build()?;
//! assert_eq!(
//!     [lgsp.info().channel, c06.info().channel, province.info().channel],
//!     ["lgsp", "c06", "provincial_json"]
//! );
//! # Ok::<(), dancu_core::RegistryError>(())
//! ```

pub mod json;
pub mod serve;
pub mod soap;
mod xml;

mod c06;
mod http;
mod lgsp;
mod provincial;

pub use c06::{
    C06AuthError, C06Builder, C06Gateway, C06Verifier, TimestampUnit, c06_authorization,
};
pub use lgsp::{LgspBuilder, LgspCredentials, LgspGateway};
pub use provincial::{ProvincialBuilder, ProvincialGateway};
pub use soap::NameForm;

use dancu_core::registry::{CheckOutcome, ExchangeDigest, LookupOutcome, Reply, ReplyMeta};

fn lookup_reply(answer: soap::LookupAnswer, digest: ExchangeDigest) -> Reply<LookupOutcome> {
    let outcome = match answer.record {
        Some(r) => LookupOutcome::Found(r),
        None => LookupOutcome::NotFound,
    };
    Reply::new(outcome, ReplyMeta::single(Some(digest), answer.as_of))
}

fn check_reply(exists: bool, digest: ExchangeDigest) -> Reply<CheckOutcome> {
    let outcome = if exists {
        CheckOutcome::Confirmed
    } else {
        CheckOutcome::NotConfirmed
    };
    Reply::new(outcome, ReplyMeta::single(Some(digest), None))
}
