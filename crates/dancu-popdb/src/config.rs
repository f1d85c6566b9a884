//! `dancu.toml`: the officer, the audit trail and the gateways.
//!
//! Every secret is given either inline (`secret_key = "…"`) or as the name
//! of an environment variable (`secret_key_env = "LGSP_SECRET"`). Unknown
//! keys, keys of another gateway kind, and missing credentials are errors
//! that name the key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::Secret;
pub use crate::gateway::{NameForm, TimestampUnit};
use crate::resilience::{ResilienceConfig, RetryPolicy};

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not valid TOML.
    #[error("{0}")]
    Syntax(String),
    /// A key or value is wrong; the message names it.
    #[error("{0}")]
    Invalid(String),
}

fn invalid(msg: impl Into<String>) -> ConfigError {
    ConfigError::Invalid(msg.into())
}

/// `[officer]`: who makes lookups from this installation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfficerConfig {
    /// `id`, sent as `MaCanBo`.
    pub id: String,
    /// `unit`, sent as `MaDonVi`.
    pub unit: Option<String>,
}

/// `[audit]`: where the audit trail is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditConfig {
    /// `path`: the SQLite file (relative paths are relative to the config file).
    pub path: PathBuf,
    /// `salt_env`: the environment variable holding the hashing salt.
    pub salt_env: String,
}

/// Settings shared by every gateway kind.
#[derive(Clone, Debug, PartialEq)]
pub struct CommonGatewayConfig {
    /// `base_url`.
    pub base_url: String,
    /// `lookup_path`.
    pub lookup_path: String,
    /// `verify_path`.
    pub verify_path: String,
    /// `lookup_code` (`MaTichHop` of the full lookup; default `037`).
    pub lookup_code: String,
    /// `verify_code` (`MaTichHop` of the yes/no check; default `033`).
    pub verify_code: String,
    /// `name_form`.
    pub name_form: NameForm,
    /// `deadline_ms`, `attempt_timeout_ms`, `max_retries`, `rate_per_second`,
    /// `max_concurrency`.
    pub resilience: ResilienceConfig,
    /// `ca_cert`: a PEM file of a private CA to trust in addition to the
    /// system's roots (certificate checks are never switched off).
    pub ca_cert: Option<PathBuf>,
}

/// The kind-specific part of a gateway.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum GatewayKindConfig {
    /// `kind = "lgsp"`.
    Lgsp {
        /// `token_path`.
        token_path: String,
        /// `access_key`.
        access_key: Secret,
        /// `secret_key`.
        secret_key: Secret,
        /// `app_name`.
        app_name: String,
        /// `partner_code`.
        partner_code: String,
        /// `partner_code_cus`.
        partner_code_cus: String,
    },
    /// `kind = "c06"`.
    C06 {
        /// `username`.
        username: String,
        /// `secret`.
        secret: Secret,
        /// `api_key`.
        api_key: Secret,
        /// `x_road_client`.
        x_road_client: String,
        /// `auth_url`: the string hashed into the Basic credentials.
        auth_url: String,
        /// `timestamp_unit`.
        timestamp_unit: TimestampUnit,
    },
    /// `kind = "provincial_json"`.
    ProvincialJson {
        /// `api_key`.
        api_key: Secret,
        /// `auth_header` (default `Authorization`, sent as `Bearer <key>`).
        auth_header: String,
    },
}

impl GatewayKindConfig {
    /// The kind's name as written in the file.
    #[must_use]
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::Lgsp { .. } => "lgsp",
            Self::C06 { .. } => "c06",
            Self::ProvincialJson { .. } => "provincial_json",
        }
    }
}

/// One `[gateway.<name>]` table.
#[derive(Clone, Debug, PartialEq)]
pub struct GatewayConfig {
    /// `<name>`.
    pub name: String,
    /// Settings every kind has.
    pub common: CommonGatewayConfig,
    /// Settings of its kind.
    pub kind: GatewayKindConfig,
}

/// A whole `dancu.toml`.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// `[officer]`.
    pub officer: Option<OfficerConfig>,
    /// `[audit]`.
    pub audit: Option<AuditConfig>,
    /// `[gateway.<name>]`, by name.
    pub gateways: BTreeMap<String, GatewayConfig>,
    /// The sections other components own ([`Config::OTHER_SECTIONS`]),
    /// kept as written for their owner to read.
    pub other: BTreeMap<String, toml::Table>,
}

const COMMON_KEYS: &[&str] = &[
    "kind",
    "base_url",
    "lookup_path",
    "verify_path",
    "lookup_code",
    "verify_code",
    "name_form",
    "deadline_ms",
    "attempt_timeout_ms",
    "max_retries",
    "rate_per_second",
    "max_concurrency",
    "ca_cert",
];
const LGSP_KEYS: &[&str] = &[
    "token_path",
    "access_key",
    "access_key_env",
    "secret_key",
    "secret_key_env",
    "app_name",
    "partner_code",
    "partner_code_cus",
];
const C06_KEYS: &[&str] = &[
    "username",
    "secret",
    "secret_env",
    "api_key",
    "api_key_env",
    "x_road_client",
    "auth_url",
    "timestamp_unit",
];
const JSON_KEYS: &[&str] = &["api_key", "api_key_env", "auth_header"];

/// Reads typed values out of one TOML table, naming keys in errors.
struct Table<'a> {
    at: String,
    table: &'a toml::Table,
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl Table<'_> {
    fn check_keys(&self, allowed: &[&[&str]]) -> Result<(), ConfigError> {
        for key in self.table.keys() {
            if !allowed.iter().any(|set| set.contains(&key.as_str())) {
                return Err(invalid(format!("{}: unknown key `{key}`", self.at)));
            }
        }
        Ok(())
    }

    fn string(&self, key: &str) -> Result<Option<String>, ConfigError> {
        match self.table.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(invalid(format!("{}.{key}: expected a string", self.at))),
        }
    }

    fn required(&self, key: &str) -> Result<String, ConfigError> {
        self.string(key)?
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| invalid(format!("{}: missing `{key}`", self.at)))
    }

    fn string_or(&self, key: &str, default: &str) -> Result<String, ConfigError> {
        Ok(self.string(key)?.unwrap_or_else(|| default.to_owned()))
    }

    fn integer(&self, key: &str) -> Result<Option<u64>, ConfigError> {
        match self.table.get(key) {
            None => Ok(None),
            Some(toml::Value::Integer(i)) if *i >= 0 => Ok(Some(*i as u64)),
            Some(_) => Err(invalid(format!(
                "{}.{key}: expected a non-negative integer",
                self.at
            ))),
        }
    }

    fn number(&self, key: &str) -> Result<Option<f64>, ConfigError> {
        match self.table.get(key) {
            None => Ok(None),
            Some(toml::Value::Integer(i)) if *i > 0 => Ok(Some(*i as f64)),
            Some(toml::Value::Float(f)) if f.is_finite() && *f > 0.0 => Ok(Some(*f)),
            Some(_) => Err(invalid(format!(
                "{}.{key}: expected a positive number",
                self.at
            ))),
        }
    }

    /// A secret given inline as `key` or through the variable named by `key_env`.
    fn secret(&self, key: &str) -> Result<Secret, ConfigError> {
        let env_key = format!("{key}_env");
        match (self.string(key)?, self.string(&env_key)?) {
            (Some(_), Some(_)) => Err(invalid(format!(
                "{}: give `{key}` or `{env_key}`, not both",
                self.at
            ))),
            (Some(v), None) if !v.is_empty() => Ok(Secret::new(v)),
            (None, Some(var)) => match (self.env)(&var) {
                Some(v) if !v.is_empty() => Ok(Secret::new(v)),
                _ => Err(invalid(format!(
                    "{}.{env_key}: environment variable {var} is not set",
                    self.at
                ))),
            },
            _ => Err(invalid(format!(
                "{}: missing `{key}` (or `{env_key}` naming an environment variable)",
                self.at
            ))),
        }
    }
}

impl Config {
    /// Top-level sections of `dancu.toml` that this reader does not
    /// interpret but hands, as written, to the component that owns them:
    /// the HTTP service (`[serve]`), the dossier store (`[dossiers]`) and
    /// the shared gateway quota (`[quota]`). Any other unknown section is
    /// an error.
    pub const OTHER_SECTIONS: &'static [&'static str] = &["serve", "dossiers", "quota"];

    /// The section `name` (one of [`Config::OTHER_SECTIONS`]) as written,
    /// when the file has it.
    #[must_use]
    pub fn section(&self, name: &str) -> Option<&toml::Table> {
        self.other.get(name)
    }

    /// Loads a file, resolving `_env` secrets from the process environment
    /// and relative paths from the file's directory.
    ///
    /// # Errors
    ///
    /// [`ConfigError`], naming the file or the key.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        Self::parse(&text, base, &|var| std::env::var(var).ok())
    }

    /// Parses configuration text; `env` resolves environment variables and
    /// `base` anchors relative paths.
    ///
    /// # Errors
    ///
    /// [`ConfigError`], naming the key.
    pub fn parse(
        text: &str,
        base: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let root: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| ConfigError::Syntax(format!("dancu.toml: {e}")))?;
        let top = Table {
            at: "dancu.toml".into(),
            table: &root,
            env,
        };
        top.check_keys(&[&["officer", "audit", "gateway"], Self::OTHER_SECTIONS])?;
        let sub = |key: &str| -> Result<Option<Table<'_>>, ConfigError> {
            match root.get(key) {
                None => Ok(None),
                Some(toml::Value::Table(t)) => Ok(Some(Table {
                    at: format!("[{key}]"),
                    table: t,
                    env,
                })),
                Some(_) => Err(invalid(format!("`{key}` must be a table"))),
            }
        };
        let officer = match sub("officer")? {
            Some(t) => {
                t.check_keys(&[&["id", "unit"]])?;
                Some(OfficerConfig {
                    id: t.required("id")?,
                    unit: t.string("unit")?,
                })
            }
            None => None,
        };
        let audit = match sub("audit")? {
            Some(t) => {
                t.check_keys(&[&["path", "salt_env"]])?;
                let path = PathBuf::from(t.required("path")?);
                Some(AuditConfig {
                    path: if path.is_relative() {
                        base.join(path)
                    } else {
                        path
                    },
                    salt_env: t.string_or("salt_env", "DANCU_AUDIT_SALT")?,
                })
            }
            None => None,
        };
        let mut gateways = BTreeMap::new();
        if let Some(g) = sub("gateway")? {
            for (name, value) in g.table {
                let toml::Value::Table(t) = value else {
                    return Err(invalid(format!("[gateway.{name}] must be a table")));
                };
                let t = Table {
                    at: format!("[gateway.{name}]"),
                    table: t,
                    env,
                };
                gateways.insert(name.clone(), gateway(name, &t, base)?);
            }
        }
        let mut other = BTreeMap::new();
        for &name in Self::OTHER_SECTIONS {
            if let Some(t) = sub(name)? {
                other.insert(name.to_owned(), t.table.clone());
            }
        }
        Ok(Self {
            officer,
            audit,
            gateways,
            other,
        })
    }

    /// The gateway called `name`.
    ///
    /// # Errors
    ///
    /// When there is no such gateway; the message lists the configured ones.
    pub fn gateway(&self, name: &str) -> Result<&GatewayConfig, ConfigError> {
        self.gateways.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.gateways.keys().map(String::as_str).collect();
            invalid(format!(
                "no [gateway.{name}] in the configuration (configured: {})",
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            ))
        })
    }
}

fn gateway(name: &str, t: &Table<'_>, base: &Path) -> Result<GatewayConfig, ConfigError> {
    let kind = t.required("kind")?;
    let specific = match kind.as_str() {
        "lgsp" => LGSP_KEYS,
        "c06" => C06_KEYS,
        "provincial_json" => JSON_KEYS,
        other => {
            return Err(invalid(format!(
                "{}.kind: unknown kind {other:?} (expected lgsp, c06 or provincial_json)",
                t.at
            )));
        }
    };
    for key in t.table.keys() {
        if !COMMON_KEYS.contains(&key.as_str()) && !specific.contains(&key.as_str()) {
            let elsewhere = [LGSP_KEYS, C06_KEYS, JSON_KEYS]
                .iter()
                .any(|set| set.contains(&key.as_str()));
            return Err(invalid(if elsewhere {
                format!(
                    "{}: key `{key}` does not apply to a gateway of kind {kind}",
                    t.at
                )
            } else {
                format!("{}: unknown key `{key}`", t.at)
            }));
        }
    }
    let ms = |key: &str, default: u64| -> Result<Duration, ConfigError> {
        let v = t.integer(key)?.unwrap_or(default);
        if v == 0 {
            return Err(invalid(format!("{}.{key}: must be greater than 0", t.at)));
        }
        Ok(Duration::from_millis(v))
    };
    let defaults = ResilienceConfig::default();
    let resilience = ResilienceConfig {
        deadline: ms("deadline_ms", defaults.deadline.as_millis() as u64)?,
        attempt_timeout: ms(
            "attempt_timeout_ms",
            defaults.attempt_timeout.as_millis() as u64,
        )?,
        retry: RetryPolicy {
            max_retries: u32::try_from(
                t.integer("max_retries")?
                    .unwrap_or(u64::from(defaults.retry.max_retries)),
            )
            .map_err(|_| invalid(format!("{}.max_retries: too large", t.at)))?,
            ..defaults.retry
        },
        rate_per_second: t.number("rate_per_second")?,
        max_concurrency: t
            .integer("max_concurrency")?
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
            .filter(|&n| n > 0),
    };
    let name_form = match t.string_or("name_form", "accented")?.as_str() {
        "accented" => NameForm::Accented,
        "unaccented" => NameForm::Unaccented,
        other => {
            return Err(invalid(format!(
                "{}.name_form: {other:?} is not accented or unaccented",
                t.at
            )));
        }
    };
    let code = |key: &str, default: &str| -> Result<String, ConfigError> {
        let c = t.string_or(key, default)?;
        if c.is_empty() || c.len() > 10 || !c.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(invalid(format!("{}.{key}: {c:?} is not a code", t.at)));
        }
        Ok(c)
    };
    let path = |key: &str| -> Result<String, ConfigError> {
        let p = t.required(key)?;
        if !p.starts_with('/') {
            return Err(invalid(format!("{}.{key}: a path starts with /", t.at)));
        }
        Ok(p)
    };
    let common = CommonGatewayConfig {
        base_url: t.required("base_url")?.trim_end_matches('/').to_owned(),
        lookup_path: path("lookup_path")?,
        verify_path: path("verify_path")?,
        lookup_code: code("lookup_code", "037")?,
        verify_code: code("verify_code", "033")?,
        name_form,
        resilience,
        ca_cert: t.string("ca_cert")?.map(|p| {
            let p = PathBuf::from(p);
            if p.is_relative() { base.join(p) } else { p }
        }),
    };
    let kind = match kind.as_str() {
        "lgsp" => GatewayKindConfig::Lgsp {
            token_path: path("token_path")?,
            access_key: t.secret("access_key")?,
            secret_key: t.secret("secret_key")?,
            app_name: t.required("app_name")?,
            partner_code: t.required("partner_code")?,
            partner_code_cus: t.string_or("partner_code_cus", "")?,
        },
        "c06" => GatewayKindConfig::C06 {
            username: t.required("username")?,
            secret: t.secret("secret")?,
            api_key: t.secret("api_key")?,
            x_road_client: t.required("x_road_client")?,
            auth_url: t.required("auth_url")?,
            timestamp_unit: match t.string_or("timestamp_unit", "ms")?.as_str() {
                "ms" => TimestampUnit::Milliseconds,
                "s" => TimestampUnit::Seconds,
                other => {
                    return Err(invalid(format!(
                        "{}.timestamp_unit: {other:?} is not ms or s",
                        t.at
                    )));
                }
            },
        },
        _ => GatewayKindConfig::ProvincialJson {
            api_key: t.secret("api_key")?,
            auth_header: t.string_or("auth_header", "Authorization")?,
        },
    };
    Ok(GatewayConfig {
        name: name.to_owned(),
        common,
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"
[officer]
id = "canbo.motcua01"
unit = "000.00.21.H06"

[audit]
path = "audit.sqlite"
salt_env = "DANCU_AUDIT_SALT"

[gateway.lgsp]
kind = "lgsp"
base_url = "https://lgsp.example.gov.vn/"
lookup_path = "/dancu/tracuu"
verify_path = "/dancu/xacthuc"
token_path = "/token"
access_key = "ak"
secret_key_env = "LGSP_SECRET"
app_name = "motcua"
partner_code = "000.00.21.H06"
partner_code_cus = "000.00.21.H06"
deadline_ms = 8000
max_retries = 2
rate_per_second = 20
max_concurrency = 8

[gateway.c06]
kind = "c06"
base_url = "https://c06.example.gov.vn"
lookup_path = "/api/tracuu"
verify_path = "/api/xacthuc"
username = "motcua"
secret_env = "C06_SECRET"
api_key = "key"
x_road_client = "VN/GOV/000.00.21.H06/motcua"
auth_url = "https://c06.example.gov.vn/api"
timestamp_unit = "s"
name_form = "unaccented"
verify_code = "003"

[gateway.tinh]
kind = "provincial_json"
base_url = "http://127.0.0.1:8080"
lookup_path = "/csdldc/tracuu"
verify_path = "/csdldc/xacthuc"
api_key_env = "TINH_KEY"
"#;

    fn env(var: &str) -> Option<String> {
        match var {
            "LGSP_SECRET" => Some("s3cr3t".into()),
            "C06_SECRET" => Some("c06-secret".into()),
            "TINH_KEY" => Some("tinh-key".into()),
            _ => None,
        }
    }

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("/etc/dancu"), &env)
    }

    #[test]
    fn parses_every_kind() {
        let c = parse(FULL).unwrap();
        assert_eq!(c.officer.as_ref().unwrap().id, "canbo.motcua01");
        assert_eq!(
            c.audit.as_ref().unwrap().path,
            PathBuf::from("/etc/dancu/audit.sqlite")
        );
        let lgsp = c.gateway("lgsp").unwrap();
        assert_eq!(lgsp.common.base_url, "https://lgsp.example.gov.vn");
        assert_eq!(lgsp.common.lookup_code, "037");
        assert_eq!(lgsp.common.resilience.deadline, Duration::from_secs(8));
        assert_eq!(lgsp.common.resilience.retry.max_retries, 2);
        assert_eq!(lgsp.common.resilience.max_concurrency, Some(8));
        let GatewayKindConfig::Lgsp { secret_key, .. } = &lgsp.kind else {
            panic!("lgsp")
        };
        assert_eq!(secret_key.expose(), "s3cr3t");
        let c06 = c.gateway("c06").unwrap();
        assert_eq!(
            (c06.common.name_form, c06.common.verify_code.as_str()),
            (NameForm::Unaccented, "003")
        );
        assert!(matches!(
            c06.kind,
            GatewayKindConfig::C06 {
                timestamp_unit: TimestampUnit::Seconds,
                ..
            }
        ));
        assert_eq!(c.gateway("tinh").unwrap().kind.kind(), "provincial_json");
        // Secrets never show in Debug.
        let debug = format!("{c:?}");
        assert!(
            !debug.contains("s3cr3t")
                && !debug.contains("c06-secret")
                && !debug.contains("tinh-key")
        );
    }

    #[test]
    fn errors_name_the_key() {
        let cases = [
            (
                "[officer]\nid = \"a\"\nfoo = 1\n",
                "[officer]: unknown key `foo`",
            ),
            (
                "[gateway.x]\nkind = \"lgsp\"\n",
                "[gateway.x]: missing `base_url`",
            ),
            (
                &FULL.replace("secret_key_env = \"LGSP_SECRET\"\n", ""),
                "[gateway.lgsp]: missing `secret_key` (or `secret_key_env`",
            ),
            (
                &FULL.replace("LGSP_SECRET", "NOPE"),
                "[gateway.lgsp].secret_key_env: environment variable NOPE is not set",
            ),
            (
                &FULL.replace("timestamp_unit = \"s\"", "token_path = \"/t\""),
                "[gateway.c06]: key `token_path` does not apply to a gateway of kind c06",
            ),
            (
                &FULL.replace("kind = \"provincial_json\"", "kind = \"soap\""),
                "[gateway.tinh].kind: unknown kind \"soap\"",
            ),
            (
                &FULL.replace("max_retries = 2", "max_retries = -1"),
                "[gateway.lgsp].max_retries: expected a non-negative integer",
            ),
            (
                &FULL.replace("deadline_ms = 8000", "deadline_ms = 0"),
                "[gateway.lgsp].deadline_ms: must be greater than 0",
            ),
            (
                &FULL.replace("lookup_path = \"/api/tracuu\"", "lookup_path = \"api\""),
                "[gateway.c06].lookup_path: a path starts with /",
            ),
            ("officer = 3\n", "`officer` must be a table"),
            ("[nope]\n", "dancu.toml: unknown key `nope`"),
        ];
        for (text, expected) in cases {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.contains(expected), "{e:?} should contain {expected:?}");
        }
        assert!(
            parse("[officer\n")
                .unwrap_err()
                .to_string()
                .starts_with("dancu.toml:")
        );
        let e = parse(FULL)
            .unwrap()
            .gateway("lgps")
            .unwrap_err()
            .to_string();
        assert!(e.contains("configured: c06, lgsp, tinh"), "{e}");
    }

    #[test]
    fn other_sections_are_kept_for_their_owners() {
        let text = format!(
            "{FULL}\n[serve]\naddr = \"127.0.0.1:8080\"\n[dossiers]\npath = \"d.sqlite\"\n"
        );
        let c = parse(&text).unwrap();
        assert_eq!(
            c.section("serve")
                .and_then(|t| t.get("addr"))
                .and_then(|v| v.as_str()),
            Some("127.0.0.1:8080")
        );
        assert!(c.section("dossiers").is_some());
        assert!(c.section("quota").is_none());
        let e = parse("serve = 1\n").unwrap_err().to_string();
        assert!(e.contains("`serve` must be a table"), "{e}");
    }
}
