//! The gateway builder: the only validator of a gateway's settings. Typed
//! setters and [`GatewayBuilder::with_config`] (what the `dancu.toml`
//! reader calls for each key of a `[gateway.<name>]` table, as
//! object_store's `with_config` does) record settings; [`GatewayBuilder::validate`]
//! checks them all, preset first, then every key in order, and names the
//! bad one as `[gateway.<name>].<key>: …`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use dancu_core::ProcedureCode;
use dancu_core::registry::RegistryError;
use dancu_wire::{Dialect, NameForm, Preset, RequestIdFormat, Secret};
use reqwest::Client;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

use super::Gateway;
use super::auth::{self, AuthSettings, Envelope, Kind};
use super::http::{self, Http};
use super::tls::{self, TlsSettings};
use crate::resilience::{ResilienceConfig, RetryPolicy};

/// A setting's value, as `dancu.toml` writes it or a program gives it.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub enum ConfigValue {
    /// A string.
    Str(String),
    /// A secret given inline.
    Secret(Secret),
    /// The value of a `<key>_env` setting: the variable it names and its
    /// value (`None`: not set).
    Env {
        /// The variable's name.
        var: String,
        /// Its value.
        value: Option<Secret>,
    },
    /// An integer.
    Int(i64),
    /// A number.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// An array.
    List(Vec<ConfigValue>),
    /// A table, in the order written.
    Table(Vec<(String, ConfigValue)>),
}

impl fmt::Debug for ConfigValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Str(s) => write!(f, "{s:?}"),
            Self::Secret(s) => write!(f, "{s:?}"),
            Self::Env { var, .. } => write!(f, "${var}"),
            Self::Int(i) => write!(f, "{i}"),
            Self::Float(x) => write!(f, "{x}"),
            Self::Bool(b) => write!(f, "{b}"),
            Self::List(l) => f.debug_list().entries(l).finish(),
            Self::Table(t) => f
                .debug_map()
                .entries(t.iter().map(|(k, v)| (k, v)))
                .finish(),
        }
    }
}

/// Values convert into settings.
macro_rules! config_values {
    ($($from:ty => |$v:ident| $make:expr;)+) => {$(
        impl From<$from> for ConfigValue {
            fn from($v: $from) -> Self {
                $make
            }
        }
    )+};
}

config_values! {
    &str => |s| Self::Str(s.to_owned());
    String => |s| Self::Str(s);
    Secret => |s| Self::Secret(s);
    i64 => |i| Self::Int(i);
    bool => |b| Self::Bool(b);
}

/// The longest `deadline_ms`, `attempt_timeout_ms` and
/// `token_refresh_margin_ms`: one day.
pub(crate) const MAX_MS: u64 = 24 * 3600 * 1000;
/// The lowest `rate_per_second`: one call every 1,000 s.
pub(crate) const MIN_RATE: f64 = 0.001;
/// The highest `rate_per_second`.
pub(crate) const MAX_RATE: f64 = 1_000_000.0;
/// The highest `max_concurrency` (0 disables the cap).
pub(crate) const MAX_CONCURRENCY: u64 = 100_000;
/// The highest `max_retries`.
pub(crate) const MAX_RETRIES: u64 = 100;

impl ConfigValue {
    /// A string (an inline secret is a string too).
    pub(crate) fn text(&self) -> Result<&str, String> {
        match self {
            Self::Str(s) => Ok(s),
            Self::Secret(s) => Ok(s.expose()),
            _ => Err("expected a string".to_owned()),
        }
    }

    /// A secret: a string, an inline secret, or an `_env` value.
    pub(crate) fn secret(&self) -> Result<Secret, String> {
        match self {
            Self::Str(s) => Ok(Secret::new(s.clone())),
            Self::Secret(s) => Ok(s.clone()),
            _ => Err("expected a string".to_owned()),
        }
    }

    /// A path: a string starting with `/`.
    pub(crate) fn path(&self) -> Result<String, String> {
        let p = self.text()?;
        if p.starts_with('/') {
            Ok(p.to_owned())
        } else {
            Err("a path starts with /".to_owned())
        }
    }

    /// A non-negative integer.
    pub(crate) fn int(&self) -> Result<u64, String> {
        match self {
            Self::Int(i) if *i >= 0 => Ok(*i as u64),
            _ => Err("expected a non-negative integer".to_owned()),
        }
    }

    /// A non-negative integer at most `max`.
    pub(crate) fn int_at_most(&self, max: u64) -> Result<u64, String> {
        match self.int()? {
            n if n > max => Err(format!("must be at most {max}")),
            n => Ok(n),
        }
    }

    /// Milliseconds, at least 1 and at most [`MAX_MS`].
    fn positive_ms(&self) -> Result<Duration, String> {
        match self.int_at_most(MAX_MS)? {
            0 => Err("must be greater than 0".to_owned()),
            n => Ok(Duration::from_millis(n)),
        }
    }

    /// A finite number in `[MIN_RATE, MAX_RATE]` (NaN and infinities refused).
    fn rate(&self) -> Result<f64, String> {
        let r = match self {
            Self::Int(i) if *i > 0 => *i as f64,
            Self::Float(f) if f.is_finite() && *f > 0.0 => *f,
            _ => return Err("expected a positive number".to_owned()),
        };
        if (MIN_RATE..=MAX_RATE).contains(&r) {
            Ok(r)
        } else {
            Err(format!("must be between {MIN_RATE} and {MAX_RATE}"))
        }
    }

    /// A keyword of the wire crate's (`camel`, `yyyy-MM-dd`, `s`, …).
    pub(crate) fn keyword<T: std::str::FromStr<Err = dancu_wire::DialectError>>(
        &self,
    ) -> Result<T, String> {
        self.text()?
            .parse()
            .map_err(|e: dancu_wire::DialectError| e.0)
    }

    fn boolean(&self) -> Result<bool, String> {
        match self {
            Self::Bool(b) => Ok(*b),
            _ => Err("expected true or false".to_owned()),
        }
    }

    fn strings(&self) -> Result<Vec<String>, String> {
        match self {
            Self::List(items) => items
                .iter()
                .map(|v| v.text().map(str::to_owned))
                .collect::<Result<_, _>>()
                .map_err(|_| "expected an array of strings".to_owned()),
            _ => Err("expected an array of strings".to_owned()),
        }
    }

    /// A table whose values are strings or secrets (an `_env` table's
    /// values are resolved by then).
    fn pairs(&self) -> Result<Vec<(String, Secret)>, String> {
        match self {
            Self::Table(t) => t
                .iter()
                .map(|(k, v)| match v {
                    Self::Env { var, value: None } => {
                        Err(format!("{k}: environment variable {var} is not set"))
                    }
                    Self::Env { value: Some(s), .. } => Ok((k.clone(), s.clone())),
                    v => v
                        .secret()
                        .map(|s| (k.clone(), s))
                        .map_err(|_| format!("{k}: expected a string")),
                })
                .collect(),
            _ => Err("expected a table of strings".to_owned()),
        }
    }
}

/// Maps a procedure to the service code sent as `MaDVC`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ServiceCodes {
    pub(crate) by_procedure: BTreeMap<String, String>,
    pub(crate) default: Option<String>,
}

impl ServiceCodes {
    /// The `MaDVC` for `procedure`: its mapped code, the default, or — when
    /// no mapping is configured at all — the procedure code itself.
    pub(crate) fn resolve(&self, procedure: &ProcedureCode) -> Result<String, RegistryError> {
        if let Some(code) = self.by_procedure.get(procedure.as_str()) {
            return Ok(code.clone());
        }
        if let Some(code) = &self.default {
            return Ok(code.clone());
        }
        if self.by_procedure.is_empty() {
            return Ok(procedure.as_str().to_owned());
        }
        Err(RegistryError::Configuration {
            reason: format!(
                "procedure {procedure} has no registered service code (MaDVC): add it to \
                 service_codes or set default_service_code; nothing was sent"
            ),
        })
    }
}

fn is_service_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 32
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
}

/// A gateway's validated settings: what a `[gateway.<name>]` table of
/// `dancu.toml` describes. Build the gateway with [`GatewayConfig::build`]
/// (or the whole stack with [`crate::connect::registry`]). `Debug` never
/// shows a secret.
#[derive(Clone, Debug)]
pub struct GatewayConfig {
    name: String,
    kind: &'static Kind,
    preset: Preset,
    base_url: String,
    lookup_path: String,
    verify_path: String,
    dialect: Dialect,
    service_codes: ServiceCodes,
    headers: Vec<(HeaderName, HeaderValue)>,
    attempt_timeout: Duration,
    resilience: ResilienceConfig,
    tls: TlsSettings,
    auth_name: &'static str,
    auth: Box<dyn AuthSettings>,
}

impl GatewayConfig {
    /// `<name>` of `[gateway.<name>]`.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The kind (`lgsp`, `c06`, `provincial_json`).
    #[must_use]
    pub fn kind(&self) -> &'static str {
        self.kind.name
    }

    /// The preset the dialect started from.
    #[must_use]
    pub const fn preset(&self) -> Preset {
        self.preset
    }

    /// The base URL as given.
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The dialect, after the preset and every explicit key.
    #[must_use]
    pub const fn dialect(&self) -> &Dialect {
        &self.dialect
    }

    /// The authentication strategy (`lgsp_token`, `c06_signature`,
    /// `bearer_key`, `none`).
    #[must_use]
    pub const fn auth(&self) -> &'static str {
        self.auth_name
    }

    /// The retry, deadline and limit settings.
    #[must_use]
    pub const fn resilience(&self) -> &ResilienceConfig {
        &self.resilience
    }

    /// The timeout of one HTTP exchange.
    #[must_use]
    pub const fn attempt_timeout(&self) -> Duration {
        self.attempt_timeout
    }

    /// Builds the gateway, with `client` when given (one connection pool
    /// for several gateways; its TLS settings are the caller's).
    ///
    /// # Errors
    ///
    /// [`RegistryError::Configuration`]: TLS settings together with a given
    /// client, or a client that cannot be built.
    pub fn build(&self, client: Option<&Client>) -> Result<Gateway, RegistryError> {
        let at = |e: String| http::config_error(format!("[gateway.{}]: {e}", self.name));
        let client = match client {
            Some(_) if !self.tls.is_default() => {
                return Err(at(
                    "ca_cert, tls_server_name and pin_sha256 apply to the client the gateway \
                     builds; configure them on the given client instead"
                        .to_owned(),
                ));
            }
            Some(c) => c.clone(),
            None => self.tls.client().map_err(at)?,
        };
        let base =
            reqwest::Url::parse(&self.base_url).map_err(|_| at("base_url: not a URL".into()))?;
        let http = Http {
            name: self.name.clone(),
            client,
            lookup_url: http::endpoint_url(&self.base_url, &self.lookup_path, "lookup_path")?,
            verify_url: http::endpoint_url(&self.base_url, &self.verify_path, "verify_path")?,
            base,
            attempt_timeout: self.attempt_timeout,
            max_response_bytes: self.dialect.limits.max_bytes,
        };
        let auth = self.auth.build(&http)?;
        let mut headers = HeaderMap::new();
        match self.kind.envelope {
            Envelope::Soap => {
                let ct = HeaderValue::from_str(&self.dialect.content_type)
                    .map_err(|_| at("content_type: not a header value".into()))?;
                headers.insert(CONTENT_TYPE, ct);
                headers.insert("SOAPAction", HeaderValue::from_static("\"\""));
            }
            Envelope::Json => {
                headers.insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/json; charset=utf-8"),
                );
            }
        }
        for (name, value) in &self.headers {
            headers.insert(name.clone(), value.clone());
        }
        Ok(Gateway {
            name: self.name.clone(),
            kind: self.kind,
            dialect: self.dialect.clone(),
            service_codes: self.service_codes.clone(),
            headers,
            http,
            auth,
        })
    }
}

/// Builds a gateway; [`GatewayBuilder::validate`] (or `build`) checks
/// everything. `Debug` never shows a secret.
#[derive(Clone)]
pub struct GatewayBuilder {
    name: Option<String>,
    values: Vec<(String, ConfigValue)>,
    root_ca_pem: Option<Vec<u8>>,
    dir: PathBuf,
    client: Option<Client>,
}

impl fmt::Debug for GatewayBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatewayBuilder")
            .field("name", &self.name)
            .field("values", &self.values)
            .finish_non_exhaustive()
    }
}

/// String settings, each a setter that records its key.
macro_rules! string_settings {
    ($($(#[$doc:meta])* $key:ident;)+) => {$(
        $(#[$doc])*
        #[must_use]
        pub fn $key(self, value: &str) -> Self {
            self.with_config(stringify!($key), value)
        }
    )+};
}

impl GatewayBuilder {
    string_settings! {
        /// The path of the full lookup, appended to the base URL (required).
        lookup_path;
        /// The path of the yes/no check (required).
        verify_path;
        /// `MaTichHop` of the full lookup (default `037`).
        lookup_code;
        /// `MaTichHop` of the yes/no check (default `003`).
        verify_code;
        /// The service code for procedures without their own.
        default_service_code;
        /// The name the gateway's certificate must be valid for, when the URL
        /// holds an IP address.
        tls_server_name;
        /// Accept exactly the certificate with this SHA-256 fingerprint.
        pin_sha256;
    }

    /// A builder for a gateway of `kind` (`lgsp`, `c06`, `provincial_json`)
    /// at `base_url`.
    #[must_use]
    pub fn new(kind: &str, base_url: &str) -> Self {
        Self::named(None)
            .with_config("kind", kind)
            .with_config("base_url", base_url)
    }

    /// An empty builder for `[gateway.<name>]` (what the `dancu.toml`
    /// reader starts from; `kind` and `base_url` come as keys).
    #[must_use]
    pub fn named(name: Option<&str>) -> Self {
        Self {
            name: name.map(str::to_owned),
            values: Vec::new(),
            root_ca_pem: None,
            dir: PathBuf::from("."),
            client: None,
        }
    }

    /// Records one setting, as `dancu.toml` writes it: `key` is any key of
    /// a `[gateway.<name>]` table (a `<key>_env` with a
    /// [`ConfigValue::Env`]). Nothing is checked until
    /// [`GatewayBuilder::validate`]; a later value of a key replaces an
    /// earlier one.
    #[must_use]
    pub fn with_config(mut self, key: &str, value: impl Into<ConfigValue>) -> Self {
        self.values.push((key.to_owned(), value.into()));
        self
    }

    /// The directory relative paths (`ca_cert`) are resolved from.
    #[must_use]
    pub fn config_dir(mut self, dir: &Path) -> Self {
        dir.clone_into(&mut self.dir);
        self
    }

    /// The registry's name, for the audit trail and logs (default: the kind).
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Starts the dialect from a preset (explicit settings override it,
    /// whatever their order).
    #[must_use]
    pub fn preset(self, preset: Preset) -> Self {
        self.with_config("preset", preset.as_str())
    }

    /// How `HoVaTen` is written.
    #[must_use]
    pub fn name_form(self, form: NameForm) -> Self {
        self.with_config("name_form", form.as_str())
    }

    /// Whether `MaDonVi` is sent when the context has a unit (default true).
    #[must_use]
    pub fn send_unit(self, send: bool) -> Self {
        self.with_config("send_unit", send)
    }

    /// The service code sent as `MaDVC` for `procedure`.
    #[must_use]
    pub fn service_code(self, procedure: &str, code: &str) -> Self {
        self.with_config(
            "service_codes",
            ConfigValue::Table(vec![(procedure.to_owned(), code.into())]),
        )
    }

    /// An extra fixed header (the value may be a [`Secret`]).
    #[must_use]
    pub fn header(self, name: &str, value: impl Into<ConfigValue>) -> Self {
        self.with_config(
            "headers",
            ConfigValue::Table(vec![(name.to_owned(), value.into())]),
        )
    }

    /// The timeout of one HTTP exchange (default 5 s), capped by the
    /// context's remaining time.
    #[must_use]
    pub fn attempt_timeout(self, timeout: Duration) -> Self {
        let ms = i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX);
        self.with_config("attempt_timeout_ms", ms)
    }

    /// Extra root certificate(s) (PEM) to trust, for a private CA.
    #[must_use]
    pub fn root_ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_ca_pem = Some(pem.into());
        self
    }

    /// Uses an existing client (its TLS settings are the caller's).
    #[must_use]
    pub fn client(mut self, client: Client) -> Self {
        self.client = Some(client);
        self
    }

    /// The LGSP credentials: the five fields of the `lgspaccesstoken`
    /// header (LGSP gateways and JSON gateways with `auth = "lgsp_token"`).
    #[must_use]
    pub fn lgsp_credentials(
        self,
        access_key: Secret,
        secret_key: Secret,
        app_name: &str,
        partner_code: &str,
        partner_code_cus: &str,
    ) -> Self {
        self.with_config("access_key", access_key)
            .with_config("secret_key", secret_key)
            .with_config("app_name", app_name)
            .with_config("partner_code", partner_code)
            .with_config("partner_code_cus", partner_code_cus)
    }

    /// The C06 user and signing secret.
    #[must_use]
    pub fn c06_credentials(self, user: &str, secret: Secret) -> Self {
        self.with_config("username", user)
            .with_config("secret", secret)
    }

    /// The API key (C06 `ApiKey`; a JSON gateway's bearer key).
    #[must_use]
    pub fn api_key(self, key: Secret) -> Self {
        self.with_config("api_key", key)
    }

    fn at(&self, key: Option<&str>) -> String {
        // Without a name, the gateway goes by its kind.
        let kind = self.last("kind").and_then(|v| v.text().ok());
        let name = self.name.as_deref().or(kind).unwrap_or("?");
        match key {
            Some(k) => format!("[gateway.{name}].{k}"),
            None => format!("[gateway.{name}]"),
        }
    }

    fn last(&self, key: &str) -> Option<&ConfigValue> {
        self.values
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Checks every setting and returns them validated.
    ///
    /// # Errors
    ///
    /// [`RegistryError::Configuration`] whose reason names the gateway and
    /// the key: `[gateway.lgsp].verify_code: …`.
    pub fn validate(&self) -> Result<GatewayConfig, RegistryError> {
        self.validate_inner().map_err(http::config_error)
    }

    /// Validates and builds the gateway.
    ///
    /// # Errors
    ///
    /// As [`GatewayBuilder::validate`] and [`GatewayConfig::build`].
    pub fn build(&self) -> Result<Gateway, RegistryError> {
        self.validate()?.build(self.client.as_ref())
    }

    #[allow(clippy::too_many_lines)]
    fn validate_inner(&self) -> Result<GatewayConfig, String> {
        let at = |key: &str, e: String| format!("{}: {e}", self.at(Some(key)));
        let missing = |key: &str| format!("{}: missing `{key}`", self.at(None));
        let text = |key: &str| -> Result<Option<String>, String> {
            self.last(key)
                .map(|v| v.text().map(str::to_owned).map_err(|e| at(key, e)))
                .transpose()
        };
        // `<key>` and `<key>_env` together are ambiguous (tables merge).
        for (key, value) in &self.values {
            if let Some(base) = key.strip_suffix("_env")
                && matches!(value, ConfigValue::Env { .. })
                && self.values.iter().any(|(k, _)| k == base)
            {
                return Err(format!(
                    "{}: give `{base}` or `{key}`, not both",
                    self.at(None)
                ));
            }
        }
        let kind_name = text("kind")?.ok_or_else(|| missing("kind"))?;
        let kind = auth::kind(&kind_name).ok_or_else(|| {
            let known: Vec<&str> = auth::KINDS.iter().map(|k| k.name).collect();
            at(
                "kind",
                format!("unknown kind {kind_name:?} (expected {})", known.join(", ")),
            )
        })?;
        let preset = match text("preset")? {
            Some(p) => p.parse::<Preset>().map_err(|e| at("preset", e.0))?,
            None => Preset::Contract,
        };
        let channel = preset.channel();
        if let Some(k) = channel.kind
            && k != kind.name
        {
            return Err(at(
                "preset",
                format!(
                    "{preset} is a preset for a gateway of kind {k}, not {}",
                    kind.name
                ),
            ));
        }
        let auth_name: &'static str = match text("auth")? {
            Some(a) => kind
                .auths
                .iter()
                .find(|n| **n == a)
                .copied()
                .ok_or_else(|| {
                    at(
                        "auth",
                        format!(
                            "{a:?} is not an authentication of a {} gateway (expected {})",
                            kind.name,
                            kind.auths.join(", ")
                        ),
                    )
                })?,
            None if kind.envelope == Envelope::Json => match channel.json_auth {
                dancu_wire::JsonAuth::None => "none",
                dancu_wire::JsonAuth::BearerKey => "bearer_key",
                dancu_wire::JsonAuth::LgspToken => "lgsp_token",
            },
            None => kind.auths[0],
        };
        let mut auth = auth::strategy(auth_name).ok_or_else(|| at("auth", "unknown".into()))?;
        auth.preset(&channel);
        let mut dialect = preset.dialect();
        let mut prefix: Option<String> = None;
        let mut request_id: Option<String> = None;
        let mut service_codes = ServiceCodes::default();
        let mut headers: Vec<(HeaderName, HeaderValue)> = Vec::new();
        let mut tls = TlsSettings {
            ca_pem: self.root_ca_pem.clone(),
            ..TlsSettings::default()
        };
        let mut attempt_timeout = Duration::from_secs(5);
        let defaults = ResilienceConfig::default();
        let mut resilience = ResilienceConfig {
            retry: RetryPolicy { ..defaults.retry },
            ..defaults
        };
        let (mut base_url, mut lookup_path, mut verify_path) = (None, None, None);
        for (raw_key, raw_value) in &self.values {
            // `<key>_env`: the variable's value stands for the key's.
            let resolved;
            let (key, value) = match (raw_key.strip_suffix("_env"), raw_value) {
                (Some(base), ConfigValue::Env { value: Some(v), .. }) => {
                    resolved = ConfigValue::Secret(v.clone());
                    (base, &resolved)
                }
                (Some(_), ConfigValue::Env { var, value: None }) => {
                    return Err(format!(
                        "{}: environment variable {var} is not set",
                        self.at(Some(raw_key))
                    ));
                }
                (Some(base), ConfigValue::Table(_)) => (base, raw_value),
                _ => (raw_key.as_str(), raw_value),
            };
            let shown = raw_key.as_str();
            let r: Result<(), String> = match key {
                "kind" | "preset" | "auth" => Ok(()),
                "base_url" => value.text().map(|v| base_url = Some(v.to_owned())),
                "lookup_path" => value.path().map(|v| lookup_path = Some(v)),
                "verify_path" => value.path().map(|v| verify_path = Some(v)),
                "lookup_code" => value.text().map(|v| v.clone_into(&mut dialect.lookup_code)),
                "verify_code" => value.text().map(|v| v.clone_into(&mut dialect.verify_code)),
                "name_form" => value.keyword().map(|v| dialect.name_form = v),
                "send_unit" => value.boolean().map(|b| dialect.send_unit = b),
                "request_id" => value.text().map(|v| request_id = Some(v.to_owned())),
                "request_id_prefix" => value.text().map(|v| prefix = Some(v.to_owned())),
                "request_id_max_len" => value.int().map(|n| {
                    dialect.request_id_max_len = usize::try_from(n).unwrap_or(usize::MAX);
                }),
                "element_order" => value.strings().map(|o| dialect.element_order = o),
                "extra_elements" => value.pairs().map(|pairs| {
                    for (name, v) in pairs {
                        dialect.extra_elements.retain(|(n, _)| *n != name);
                        dialect.extra_elements.push((name, v.expose().to_owned()));
                    }
                }),
                "date_format" => value.keyword().map(|v| dialect.date_format = v),
                "content_type" => value.text().map(|v| v.clone_into(&mut dialect.content_type)),
                "json_keys" => value.keyword().map(|v| dialect.json_keys = v),
                "json_nulls" => value.boolean().map(|b| dialect.json_nulls = b),
                "citizen_otp" => value.boolean().map(|b| dialect.citizen_otp = b),
                "service_codes" => value.pairs().and_then(|pairs| {
                    for (procedure, code) in pairs {
                        procedure
                            .parse::<ProcedureCode>()
                            .map_err(|e| format!("{procedure:?} is not a procedure code: {e}"))?;
                        if !is_service_code(code.expose()) {
                            return Err(format!(
                                "{procedure}: {:?} is not a service code (1-32 letters, digits, '-', '.', '_')",
                                code.expose()
                            ));
                        }
                        service_codes
                            .by_procedure
                            .insert(procedure, code.expose().to_owned());
                    }
                    Ok(())
                }),
                "default_service_code" => value.text().and_then(|v| {
                    if is_service_code(v) {
                        service_codes.default = Some(v.to_owned());
                        Ok(())
                    } else {
                        Err(format!("{v:?} is not a service code (1-32 letters, digits, '-', '.', '_')"))
                    }
                }),
                "headers" => value.pairs().and_then(|pairs| {
                    for (name, v) in pairs {
                        let n = HeaderName::from_bytes(name.as_bytes())
                            .map_err(|_| format!("{name:?} is not an HTTP header name"))?;
                        let mut hv = HeaderValue::from_str(v.expose())
                            .map_err(|_| format!("{name}: cannot be sent as an HTTP header value"))?;
                        hv.set_sensitive(true);
                        headers.retain(|(h, _)| *h != n);
                        headers.push((n, hv));
                    }
                    Ok(())
                }),
                "ca_cert" => value.text().and_then(|p| {
                    let path = Path::new(p);
                    let path = if path.is_relative() { self.dir.join(path) } else { path.to_owned() };
                    let pem = std::fs::read(&path)
                        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                    tls.ca_pem = Some(pem);
                    Ok(())
                }),
                "tls_server_name" => value.text().map(|v| tls.server_name = Some(v.to_owned())),
                "pin_sha256" => value
                    .text()
                    .and_then(tls::parse_pin)
                    .map(|p| tls.pin = Some(p)),
                "deadline_ms" => value.positive_ms().map(|d| resilience.deadline = d),
                "attempt_timeout_ms" => value.positive_ms().map(|d| attempt_timeout = d),
                "max_retries" => value.int_at_most(MAX_RETRIES).and_then(|n| {
                    resilience.retry.max_retries =
                        u32::try_from(n).map_err(|_| "too large".to_owned())?;
                    Ok(())
                }),
                "rate_per_second" => value
                    .rate()
                    .map(|r| resilience.rate_per_second = Some(r)),
                "max_concurrency" => value.int_at_most(MAX_CONCURRENCY).and_then(|n| {
                    resilience.max_concurrency = Some(
                        usize::try_from(n).map_err(|_| "too large".to_owned())?,
                    )
                    .filter(|&n| n > 0);
                    Ok(())
                }),
                k => match auth.set(k, value) {
                    Some(taken) => taken,
                    None if auth::is_strategy_key(k) => {
                        return Err(format!(
                            "{}: key `{shown}` does not apply to a {} gateway{}",
                            self.at(None),
                            kind.name,
                            if kind.envelope == Envelope::Json {
                                format!(" with auth = {auth_name:?}")
                            } else {
                                String::new()
                            }
                        ));
                    }
                    None => return Err(format!("{}: unknown key `{shown}`", self.at(None))),
                },
            };
            r.map_err(|e| at(shown, e))?;
        }
        if self.values.iter().any(|(k, _)| k == "auth") && kind.auths.len() == 1 {
            return Err(format!(
                "{}: key `auth` does not apply to a gateway of kind {}",
                self.at(None),
                kind.name
            ));
        }
        match (request_id.as_deref(), prefix) {
            (Some("uuid"), Some(_)) => {
                return Err(at(
                    "request_id_prefix",
                    "applies to request_id = \"prefix_time\"".into(),
                ));
            }
            (Some("uuid"), None) => dialect.request_id = RequestIdFormat::Uuid,
            (Some("prefix_time"), p) => {
                dialect.request_id = RequestIdFormat::PrefixTime {
                    prefix: p.unwrap_or_default(),
                };
            }
            (Some(other), _) => {
                return Err(at(
                    "request_id",
                    format!("{other:?} is not uuid or prefix_time"),
                ));
            }
            (None, Some(p)) => match &mut dialect.request_id {
                RequestIdFormat::PrefixTime { prefix } => *prefix = p,
                RequestIdFormat::Uuid => {
                    return Err(at(
                        "request_id_prefix",
                        "applies to request_id = \"prefix_time\"".into(),
                    ));
                }
            },
            (None, None) => {}
        }
        let base_url = base_url.ok_or_else(|| missing("base_url"))?;
        let base_url = base_url.trim_end_matches('/').to_owned();
        let lookup_path = lookup_path.ok_or_else(|| missing("lookup_path"))?;
        let verify_path = verify_path.ok_or_else(|| missing("verify_path"))?;
        for (key, path) in [("lookup_path", &lookup_path), ("verify_path", &verify_path)] {
            http::endpoint_url(&base_url, path, key).map_err(|e| at(key, reason(e)))?;
        }
        dialect
            .validate()
            .map_err(|e| format!("{}.{}", self.at(None), e.0))?;
        if dialect.citizen_otp
            && kind.envelope == Envelope::Soap
            && self.last("citizen_otp").is_some()
        {
            return Err(at(
                "citizen_otp",
                "the SOAP channels have no slot for the citizen one-time password".into(),
            ));
        }
        if dialect.service_code_required
            && service_codes.by_procedure.is_empty()
            && service_codes.default.is_none()
        {
            return Err(format!(
                "{}: the {preset} preset sends a registered service code as MaDVC: set \
                 service_codes (procedure = code) and/or default_service_code",
                self.at(None)
            ));
        }
        tls.validate()
            .map_err(|e| format!("{}.{e}", self.at(None)))?;
        auth.validate(&base_url).map_err(|e| {
            if e.starts_with("missing") {
                format!("{}: {e}", self.at(None))
            } else {
                format!("{}.{e}", self.at(None))
            }
        })?;
        let name = self.name.clone().unwrap_or_else(|| match kind.name {
            "provincial_json" => "provincial".to_owned(),
            other => other.to_owned(),
        });
        if name.trim().is_empty() {
            return Err("the gateway name is empty".to_owned());
        }
        Ok(GatewayConfig {
            name,
            kind,
            preset,
            base_url,
            lookup_path,
            verify_path,
            dialect,
            service_codes,
            headers,
            attempt_timeout,
            resilience,
            tls,
            auth_name,
            auth,
        })
    }
}

fn reason(e: RegistryError) -> String {
    match e {
        RegistryError::Configuration { reason } => reason,
        other => other.to_string(),
    }
}
