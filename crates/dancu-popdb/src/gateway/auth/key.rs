//! A static key in a header: `Authorization: Bearer <key>` by default
//! (the contract's provincial JSON gateway); header and scheme
//! configurable.

use std::fmt;

use async_trait::async_trait;
use dancu_core::registry::{RegistryError, RequestContext};
use dancu_wire::Secret;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};

use super::{Auth, AuthSettings};
use crate::gateway::builder::ConfigValue;
use crate::gateway::http::{self, Http};

const KEYS: &[&str] = &["api_key", "auth_header", "auth_scheme"];

#[derive(Clone)]
pub(super) struct Settings {
    key: Option<Secret>,
    header: String,
    scheme: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            key: None,
            header: AUTHORIZATION.as_str().to_owned(),
            scheme: Some("Bearer".to_owned()),
        }
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerKey")
            .field("key", &self.key)
            .field("header", &self.header)
            .field("scheme", &self.scheme)
            .finish()
    }
}

impl AuthSettings for Settings {
    fn keys(&self) -> &'static [&'static str] {
        KEYS
    }

    fn set(&mut self, key: &str, value: &ConfigValue) -> Result<(), String> {
        match key {
            "api_key" => self.key = Some(value.secret()?),
            "auth_header" => self.header = value.text()?.to_owned(),
            // An empty scheme sends the bare key.
            "auth_scheme" => {
                let s = value.text()?.trim().to_owned();
                self.scheme = (!s.is_empty()).then_some(s);
            }
            _ => return Err(format!("unknown key `{key}`")),
        }
        Ok(())
    }

    fn validate(&mut self, _base_url: &str) -> Result<(), String> {
        let key = self
            .key
            .as_ref()
            .filter(|k| !k.is_empty())
            .ok_or("missing `api_key` (or `api_key_env` naming an environment variable)")?;
        HeaderName::from_bytes(self.header.as_bytes())
            .map_err(|_| format!("auth_header: {:?} is not an HTTP header name", self.header))?;
        HeaderValue::from_str(&self.value(key))
            .map_err(|_| "api_key: cannot be sent as an HTTP header value".to_owned())?;
        Ok(())
    }

    fn build(&self, _http: &Http) -> Result<Box<dyn Auth>, RegistryError> {
        let key = self.key.clone().unwrap_or_else(|| Secret::new(""));
        let name = HeaderName::from_bytes(self.header.as_bytes())
            .map_err(|_| http::config_error("auth_header is not an HTTP header name"))?;
        let value = http::header_value(&self.value(&key), "api_key")?;
        Ok(Box::new(BearerKey { name, value }))
    }

    fn clone_box(&self) -> Box<dyn AuthSettings> {
        Box::new(self.clone())
    }
}

impl Settings {
    fn value(&self, key: &Secret) -> String {
        match &self.scheme {
            Some(s) => format!("{s} {}", key.expose()),
            None => key.expose().to_owned(),
        }
    }
}

/// The strategy. `Debug` never shows the key.
struct BearerKey {
    name: HeaderName,
    value: HeaderValue,
}

impl fmt::Debug for BearerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerKey")
            .field("header", &self.name.as_str())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Auth for BearerKey {
    async fn authorize(
        &self,
        _http: &Http,
        _ctx: &RequestContext,
        headers: &mut HeaderMap,
        refused: bool,
    ) -> Result<bool, RegistryError> {
        headers.insert(self.name.clone(), self.value.clone());
        Ok(!refused)
    }
}
