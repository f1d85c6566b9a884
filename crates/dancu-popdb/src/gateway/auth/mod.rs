//! How a channel authenticates its calls: one small strategy per way, and
//! the table of gateway kinds that registers them. A new channel is one
//! strategy file and its line in [`KINDS`] (and [`strategy`]).

mod c06;
mod key;
mod lgsp;

use std::fmt;

use async_trait::async_trait;
use dancu_core::registry::{RegistryError, RequestContext};
use dancu_wire::PresetChannel;
use reqwest::header::HeaderMap;

use super::builder::ConfigValue;
use super::http::Http;

/// One data call as a strategy sees it.
pub(crate) struct Authorize<'a> {
    /// The gateway's transport (for a token call).
    pub(crate) http: &'a Http,
    /// The call's context (its deadline bounds a token call).
    pub(crate) ctx: &'a RequestContext,
    /// The request's headers, to add to.
    pub(crate) headers: &'a mut HeaderMap,
    /// The gateway just answered 401 to the previous try of this call.
    pub(crate) refused: bool,
}

/// What a strategy does for each data call.
#[async_trait]
pub(crate) trait Auth: Send + Sync + fmt::Debug {
    /// Adds the strategy's headers for one data call. After a 401
    /// (`refused`), a strategy that can refresh its credentials does so
    /// (once) and returns `true`; any other returns `false` and the call
    /// fails as unauthorized.
    async fn authorize(&self, call: Authorize<'_>) -> Result<bool, RegistryError>;
}

/// A strategy's settings, before the gateway is built: the keys it takes
/// from `[gateway.<name>]`, their validation, and the strategy they make.
pub(crate) trait AuthSettings: Send + Sync + fmt::Debug {
    /// Applies a preset's defaults (before any explicit key).
    fn preset(&mut self, _channel: &PresetChannel) {}
    /// Takes a setting: `None` when `key` is not one of this strategy's.
    fn set(&mut self, key: &str, value: &ConfigValue) -> Option<Result<(), String>>;
    /// Checks the settings (the gateway's base URL as given, for defaults).
    fn validate(&mut self, base_url: &str) -> Result<(), String>;
    /// The strategy (after [`AuthSettings::validate`]).
    fn build(&self, http: &Http) -> Result<Box<dyn Auth>, RegistryError>;
    /// A copy.
    fn clone_box(&self) -> Box<dyn AuthSettings>;
}

impl Clone for Box<dyn AuthSettings> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

/// How a kind's requests and answers are framed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Envelope {
    /// SOAP 1.1.
    Soap,
    /// The provincial JSON object.
    Json,
}

/// A gateway kind: its name in `dancu.toml`, the channel it reports, its
/// framing, and the authentication strategies it may use (the first is the
/// default).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Kind {
    pub(crate) name: &'static str,
    pub(crate) channel: &'static str,
    pub(crate) envelope: Envelope,
    pub(crate) auths: &'static [&'static str],
}

/// Every gateway kind.
pub(crate) const KINDS: &[Kind] = &[
    Kind {
        name: "lgsp",
        channel: "lgsp",
        envelope: Envelope::Soap,
        auths: &["lgsp_token"],
    },
    Kind {
        name: "c06",
        channel: "c06",
        envelope: Envelope::Soap,
        auths: &["c06_signature"],
    },
    Kind {
        name: "provincial_json",
        channel: "provincial_json",
        envelope: Envelope::Json,
        auths: &["bearer_key", "none", "lgsp_token"],
    },
];

/// The settings of an authentication strategy, by its name.
pub(crate) fn strategy(name: &str) -> Option<Box<dyn AuthSettings>> {
    match name {
        "lgsp_token" => Some(Box::new(lgsp::Settings::default())),
        "c06_signature" => Some(Box::new(c06::Settings::default())),
        "bearer_key" => Some(Box::new(key::Settings::default())),
        "none" => Some(Box::new(NoAuth)),
        _ => None,
    }
}

/// The kind called `name`.
pub(crate) fn kind(name: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.name == name)
}

/// Whether `key` belongs to some strategy (to tell a key of another kind
/// from an unknown one).
pub(crate) fn is_strategy_key(key: &str) -> bool {
    KINDS
        .iter()
        .flat_map(|k| k.auths.iter())
        .filter_map(|a| strategy(a))
        .any(|mut s| s.set(key, &ConfigValue::Str(String::new())).is_some())
}

/// Nothing on the request: the gateway trusts the network (Tân Dân).
#[derive(Clone, Debug)]
struct NoAuth;

#[async_trait]
impl Auth for NoAuth {
    async fn authorize(&self, call: Authorize<'_>) -> Result<bool, RegistryError> {
        Ok(!call.refused)
    }
}

impl AuthSettings for NoAuth {
    fn set(&mut self, _key: &str, _value: &ConfigValue) -> Option<Result<(), String>> {
        None
    }

    fn validate(&mut self, _base_url: &str) -> Result<(), String> {
        Ok(())
    }

    fn build(&self, _http: &Http) -> Result<Box<dyn Auth>, RegistryError> {
        Ok(Box::new(Self))
    }

    fn clone_box(&self) -> Box<dyn AuthSettings> {
        Box::new(self.clone())
    }
}
