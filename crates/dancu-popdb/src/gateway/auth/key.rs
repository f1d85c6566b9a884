//! A static key in a header: `Authorization: Bearer <key>` by default
//! (the contract's provincial JSON gateway); header and scheme
//! configurable.

use async_trait::async_trait;
use dancu_core::registry::RegistryError;
use dancu_wire::Secret;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};

use super::{Auth, AuthSettings, Authorize};
use crate::gateway::builder::ConfigValue;
use crate::gateway::http::{self, Http};

impl AuthSettings for Settings {
    fn set(&mut self, key: &str, value: &ConfigValue) -> Option<Result<(), String>> {
        Some(match key {
            "api_key" => value.secret().map(|v| self.key = Some(v)),
            "auth_header" => value.text().map(|v| self.header = Some(v.to_owned())),
            "auth_scheme" => value
                .text()
                .map(|v| self.scheme = Some(v.trim().to_owned())),
            _ => return None,
        })
    }

    fn validate(&mut self, _base_url: &str) -> Result<(), String> {
        let key = self
            .key
            .as_ref()
            .filter(|k| !k.is_empty())
            .ok_or("missing `api_key` (or `api_key_env` naming an environment variable)")?;
        HeaderName::from_bytes(self.header().as_bytes()).map_err(|_| {
            format!(
                "auth_header: {:?} is not an HTTP header name",
                self.header()
            )
        })?;
        HeaderValue::from_str(&self.value(key))
            .map_err(|_| "api_key: cannot be sent as an HTTP header value".to_owned())?;
        Ok(())
    }

    fn build(&self, _http: &Http) -> Result<Box<dyn Auth>, RegistryError> {
        let key = self.key.clone().unwrap_or_else(|| Secret::new(""));
        let name = HeaderName::from_bytes(self.header().as_bytes())
            .map_err(|_| http::config_error("auth_header is not an HTTP header name"))?;
        let value = http::header_value(&self.value(&key), "api_key")?;
        Ok(Box::new(BearerKey { name, value }))
    }

    fn clone_box(&self) -> Box<dyn AuthSettings> {
        Box::new(self.clone())
    }
}

/// The key; the header (default `Authorization`) and the scheme (default
/// `Bearer`; empty: the bare key).
#[derive(Clone, Debug, Default)]
pub(super) struct Settings {
    key: Option<Secret>,
    header: Option<String>,
    scheme: Option<String>,
}

impl Settings {
    fn header(&self) -> &str {
        self.header.as_deref().unwrap_or(AUTHORIZATION.as_str())
    }

    fn value(&self, key: &Secret) -> String {
        match self.scheme.as_deref().unwrap_or("Bearer") {
            "" => key.expose().to_owned(),
            s => format!("{s} {}", key.expose()),
        }
    }
}

/// The strategy. `Debug` never shows the key (a sensitive header value).
#[derive(Debug)]
struct BearerKey {
    name: HeaderName,
    value: HeaderValue,
}

#[async_trait]
impl Auth for BearerKey {
    async fn authorize(&self, call: Authorize<'_>) -> Result<bool, RegistryError> {
        call.headers.insert(self.name.clone(), self.value.clone());
        Ok(!call.refused)
    }
}
