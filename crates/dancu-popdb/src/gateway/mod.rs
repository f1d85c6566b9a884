//! The gateways: LGSP, C06 direct and the provincial JSON API, over HTTP,
//! and the SOAP codec they share (public, so the sandbox can play the
//! server side).

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
