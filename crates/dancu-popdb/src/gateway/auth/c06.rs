//! The C06 signature: every request carries `Timestamp` (Unix time in
//! milliseconds or seconds) and `Authorization: Basic base64(user ":"
//! hex(sha256(auth_url user timestamp secret)))`; `ApiKey` and
//! `X-Road-Client` when configured (the C# client sends them, the PHP
//! client neither).

use std::time::SystemTime;

use async_trait::async_trait;
use dancu_core::registry::RegistryError;
use dancu_wire::auth::{c06_authorization, c06_timestamp};
use dancu_wire::{PresetChannel, Secret, TimestampUnit};
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};

use super::{Auth, AuthSettings, Authorize};
use crate::gateway::builder::ConfigValue;
use crate::gateway::http::{self, Http};

#[derive(Clone, Debug, Default)]
pub(super) struct Settings {
    user: Option<String>,
    secret: Option<Secret>,
    api_key: Option<Secret>,
    x_road_client: Option<String>,
    auth_url: Option<String>,
    timestamp_unit: TimestampUnit,
    /// The preset sends `ApiKey` and `X-Road-Client`, so both are required.
    api_headers_required: bool,
}

impl AuthSettings for Settings {
    fn preset(&mut self, channel: &PresetChannel) {
        self.timestamp_unit = channel.timestamp_unit;
        self.api_headers_required = channel.c06_api_headers && channel.kind == Some("c06");
    }

    fn set(&mut self, key: &str, value: &ConfigValue) -> Option<Result<(), String>> {
        Some(match key {
            "username" => value.text().map(|v| self.user = Some(v.to_owned())),
            "secret" => value.secret().map(|v| self.secret = Some(v)),
            "api_key" => value.secret().map(|v| self.api_key = Some(v)),
            "x_road_client" => value
                .text()
                .map(|v| self.x_road_client = Some(v.to_owned())),
            "auth_url" => value.text().map(|v| self.auth_url = Some(v.to_owned())),
            "timestamp_unit" => value.keyword().map(|v| self.timestamp_unit = v),
            _ => return None,
        })
    }

    fn validate(&mut self, base_url: &str) -> Result<(), String> {
        let user = self.user.as_deref().unwrap_or("");
        if user.is_empty() {
            return Err("missing `username`".to_owned());
        }
        if user.contains(':') {
            return Err("username: cannot contain ':'".to_owned());
        }
        if self.secret.as_ref().is_none_or(Secret::is_empty) {
            return Err(
                "missing `secret` (or `secret_env` naming an environment variable)".to_owned(),
            );
        }
        if self.api_headers_required && (self.api_key.is_none() || self.x_road_client.is_none()) {
            return Err(
                "the c06_csharp preset sends ApiKey and X-Road-Client: set `api_key` (or `api_key_env`) and `x_road_client`"
                    .to_owned(),
            );
        }
        for (what, value) in [
            ("api_key", self.api_key.as_ref().map(Secret::expose)),
            ("x_road_client", self.x_road_client.as_deref()),
            ("username", Some(user)),
        ] {
            if let Some(v) = value
                && (v.trim().is_empty() || HeaderValue::from_str(v).is_err())
            {
                return Err(format!("{what}: cannot be sent as an HTTP header value"));
            }
        }
        self.auth_url.get_or_insert_with(|| base_url.to_owned());
        Ok(())
    }

    fn build(&self, _http: &Http) -> Result<Box<dyn Auth>, RegistryError> {
        let header = |v: &str, what| http::header_value(v, what).map_err(RegistryError::from);
        Ok(Box::new(C06Signature {
            api_key: self
                .api_key
                .as_ref()
                .map(|k| header(k.expose(), "ApiKey"))
                .transpose()?,
            x_road_client: self
                .x_road_client
                .as_deref()
                .map(|x| header(x, "X-Road-Client"))
                .transpose()?,
            settings: self.clone(),
        }))
    }

    fn clone_box(&self) -> Box<dyn AuthSettings> {
        Box::new(self.clone())
    }
}

/// The strategy: the settings, and the two optional headers ready to send.
/// `Debug` never shows the secret or the key.
#[derive(Debug)]
struct C06Signature {
    settings: Settings,
    api_key: Option<HeaderValue>,
    x_road_client: Option<HeaderValue>,
}

#[async_trait]
impl Auth for C06Signature {
    async fn authorize(&self, call: Authorize<'_>) -> Result<bool, RegistryError> {
        if call.refused {
            return Ok(false);
        }
        let (s, headers) = (&self.settings, call.headers);
        let timestamp = c06_timestamp(SystemTime::now(), s.timestamp_unit).map_err(|reason| {
            RegistryError::Configuration {
                reason: reason.to_owned(),
            }
        })?;
        headers.insert(
            HeaderName::from_static("timestamp"),
            http::header_value(&timestamp, "Timestamp")?,
        );
        if let Some(k) = &self.api_key {
            headers.insert(HeaderName::from_static("apikey"), k.clone());
        }
        if let Some(x) = &self.x_road_client {
            headers.insert(HeaderName::from_static("x-road-client"), x.clone());
        }
        let signature = c06_authorization(
            s.auth_url.as_deref().unwrap_or(""),
            s.user.as_deref().unwrap_or(""),
            &timestamp,
            s.secret.as_ref().map_or("", Secret::expose),
        );
        headers.insert(
            AUTHORIZATION,
            http::header_value(&signature, "Authorization")?,
        );
        Ok(true)
    }
}
