//! `dancu.toml`: the officer, the audit trail and the gateways.
//!
//! A `[gateway.<name>]` table is handed key by key to the
//! [`GatewayBuilder`], the only validator of gateway settings: this reader
//! knows no gateway key. Any string setting may instead be given as the
//! name of an environment variable (`secret_key_env = "LGSP_SECRET"`; a
//! table of them for `headers_env`), resolved here. Unknown keys, keys of
//! another gateway kind, and missing credentials are errors that name the
//! gateway and the key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::Secret;
pub use crate::gateway::GatewayConfig;
use crate::gateway::{ConfigValue, GatewayBuilder};
pub use dancu_wire::{NameForm, Preset, TimestampUnit};

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
    /// `path` (a SQLite file) or `url` (a PostgreSQL database).
    pub store: StoreLocation,
    /// `salt_env`: the environment variable holding the hashing salt.
    pub salt_env: String,
}

/// Where a store lives, as a table of `dancu.toml` names it (`[audit]`,
/// `[dossiers]`): `path = "…"`, a SQLite file on this machine (relative
/// paths are relative to the config file), or `url = "postgres://…"`, a
/// PostgreSQL database every instance shares, with its password in the
/// environment variable `password_env` names (never in the URL).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreLocation {
    /// `path`: a SQLite file.
    Sqlite(PathBuf),
    /// `url` and `password_env`: a PostgreSQL database.
    Postgres(PostgresLocation),
}

/// A PostgreSQL database as configured: its URL (without a password) and
/// the environment variable holding the password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostgresLocation {
    /// `url`: `postgres://user@host:port/database?…`, without a password.
    pub url: String,
    /// `password_env`: the environment variable holding the password, if
    /// the server asks for one.
    pub password_env: Option<String>,
    /// `ca_file`: a PEM file of the certificate authorities to trust for
    /// TLS to the server (a province's own), instead of the public ones.
    pub ca_file: Option<PathBuf>,
}

/// The keys [`StoreLocation::from_table`] reads.
pub const STORE_KEYS: &[&str] = &["path", "url", "password_env", "ca_file"];

impl StoreLocation {
    /// Reads `path`, or `url`, `password_env` and `ca_file`, from the table `at`
    /// (`[audit]`, say); `None` when it has neither. Other keys are the
    /// caller's to check.
    ///
    /// # Errors
    ///
    /// A message naming the key when both or a malformed one is given, or
    /// a URL holds a password. The message never repeats the URL.
    pub fn from_table(at: &str, table: &toml::Table, base: &Path) -> Result<Option<Self>, String> {
        let text = |key: &str| match table.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_owned())),
            Some(_) => Err(format!("{at}: `{key}` must be a non-empty string")),
        };
        let (path, url, password_env) = (text("path")?, text("url")?, text("password_env")?);
        let ca_file = text("ca_file")?.map(|f| {
            let f = PathBuf::from(f);
            if f.is_relative() { base.join(f) } else { f }
        });
        if ca_file.is_some() && url.is_none() {
            return Err(format!("{at}: `ca_file` goes with a PostgreSQL `url`"));
        }
        match (path, url) {
            (Some(_), Some(_)) => Err(format!(
                "{at}: give `path` (a SQLite file) or `url` (a PostgreSQL database), not both"
            )),
            (Some(path), None) => {
                if password_env.is_some() {
                    return Err(format!(
                        "{at}: `password_env` goes with `url`, not with a SQLite `path`"
                    ));
                }
                let path = PathBuf::from(path);
                Ok(Some(Self::Sqlite(if path.is_relative() {
                    base.join(path)
                } else {
                    path
                })))
            }
            (None, Some(url)) => {
                if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                    return Err(format!(
                        "{at}: `url` must be a PostgreSQL URL, postgres://user@host:port/database"
                    ));
                }
                let parsed =
                    url::Url::parse(&url).map_err(|e| format!("{at}: `url` is not a URL: {e}"))?;
                if parsed.password().is_some() {
                    return Err(format!(
                        "{at}: `url` holds a password: leave it out and name the environment \
                         variable that holds it with `password_env`"
                    ));
                }
                Ok(Some(Self::Postgres(PostgresLocation {
                    url,
                    password_env,
                    ca_file,
                })))
            }
            (None, None) => {
                if password_env.is_some() {
                    return Err(format!("{at}: `password_env` without a `url`"));
                }
                Ok(None)
            }
        }
    }
}

/// A whole `dancu.toml`.
#[derive(Clone, Debug)]
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
                t.check_keys(&[STORE_KEYS, &["salt_env"]])?;
                let store = StoreLocation::from_table("[audit]", t.table, base)
                    .map_err(invalid)?
                    .ok_or_else(|| {
                        invalid(
                            "[audit]: missing `path` (a SQLite file) or `url` (a PostgreSQL \
                             database)"
                                .to_owned(),
                        )
                    })?;
                Some(AuditConfig {
                    store,
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

/// A TOML value as the builder takes it; `<key>_env` values name
/// environment variables, resolved through `env`.
fn value(key: &str, v: &toml::Value, env: &dyn Fn(&str) -> Option<String>) -> ConfigValue {
    let is_env = key.ends_with("_env");
    let resolve = |var: &str| ConfigValue::Env {
        var: var.to_owned(),
        value: env(var).filter(|v| !v.is_empty()).map(Secret::new),
    };
    match v {
        toml::Value::String(s) if is_env => resolve(s),
        toml::Value::String(s) => ConfigValue::Str(s.clone()),
        toml::Value::Integer(i) => ConfigValue::Int(*i),
        toml::Value::Float(f) => ConfigValue::Float(*f),
        toml::Value::Boolean(b) => ConfigValue::Bool(*b),
        toml::Value::Datetime(d) => ConfigValue::Str(d.to_string()),
        toml::Value::Array(items) => {
            ConfigValue::List(items.iter().map(|i| value("", i, env)).collect())
        }
        toml::Value::Table(t) => ConfigValue::Table(
            t.iter()
                .map(|(k, v)| {
                    let v = match v {
                        toml::Value::String(s) if is_env => resolve(s),
                        other => value("", other, env),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
    }
}

fn gateway(name: &str, t: &Table<'_>, base: &Path) -> Result<GatewayConfig, ConfigError> {
    let mut builder = GatewayBuilder::named(Some(name)).config_dir(base);
    for (key, v) in t.table {
        builder = builder.with_config(key, value(key, v, t.env));
    }
    builder.validate().map_err(|e| match e {
        dancu_core::registry::RegistryError::Configuration { reason } => invalid(reason),
        other => invalid(other.to_string()),
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
verify_code = "033"

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
            c.audit.as_ref().unwrap().store,
            StoreLocation::Sqlite(PathBuf::from("/etc/dancu/audit.sqlite"))
        );
        let lgsp = c.gateway("lgsp").unwrap();
        assert_eq!(lgsp.base_url(), "https://lgsp.example.gov.vn");
        assert_eq!(lgsp.dialect().lookup_code, "037");
        // The default check code is 003 now (was 033): documented.
        assert_eq!(lgsp.dialect().verify_code, "003");
        assert_eq!(
            lgsp.resilience().deadline,
            std::time::Duration::from_secs(8)
        );
        assert_eq!(lgsp.resilience().retry.max_retries, 2);
        assert_eq!(lgsp.resilience().max_concurrency, Some(8));
        assert_eq!(lgsp.attempt_timeout(), std::time::Duration::from_secs(5));
        assert_eq!(lgsp.auth(), "lgsp_token");
        let c06 = c.gateway("c06").unwrap();
        assert_eq!(c06.dialect().name_form, dancu_wire::NameForm::Unaccented);
        assert_eq!(c06.dialect().verify_code, "033");
        assert_eq!(c.gateway("tinh").unwrap().kind(), "provincial_json");
        assert_eq!(c.gateway("tinh").unwrap().auth(), "bearer_key");
        // Secrets never show in Debug.
        let debug = format!("{c:?}");
        assert!(
            !debug.contains("s3cr3t")
                && !debug.contains("c06-secret")
                && !debug.contains("tinh-key"),
            "{debug}"
        );
    }

    #[test]
    fn dialect_keys_reach_the_builder() {
        let text = r#"
[gateway.tinh]
kind = "provincial_json"
preset = "tandan_json"
base_url = "https://10.1.2.3"
lookup_path = "/a"
verify_path = "/b"
service_codes = { "1.001776" = "G15-TP110" }
default_service_code = "VPCP"
request_id_prefix = "MC-"
json_nulls = false
tls_server_name = "csdldc.thanhhoa.gov.vn"
headers = { "X-Unit" = "000.00.21.H06" }
headers_env = { "X-Key" = "TINH_KEY" }
"#;
        let c = parse(text).unwrap();
        let g = c.gateway("tinh").unwrap();
        assert_eq!(g.preset(), dancu_wire::Preset::TandanJson);
        assert_eq!(g.auth(), "none");
        assert_eq!(g.dialect().json_keys, dancu_wire::KeyCase::Camel);
        assert!(
            !g.dialect().json_nulls,
            "an explicit key overrides the preset"
        );
        assert_eq!(
            g.dialect().request_id,
            dancu_wire::RequestIdFormat::PrefixTime {
                prefix: "MC-".into()
            }
        );
        assert!(!format!("{g:?}").contains("tinh-key"));
        let e = parse(&text.replace("TINH_KEY", "NOPE"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("[gateway.tinh].headers_env: X-Key: environment variable NOPE is not set"),
            "{e}"
        );
        let e = parse(&text.replace("preset = \"tandan_json\"", "preset = \"c06_php\""))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("[gateway.tinh].preset: c06_php is a preset for a gateway of kind c06"),
            "{e}"
        );
        let e = parse(
            &text
                .replace("default_service_code = \"VPCP\"\n", "")
                .replace("service_codes = { \"1.001776\" = \"G15-TP110\" }\n", ""),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("set service_codes"), "{e}");
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
                "[gateway.c06]: key `token_path` does not apply to a c06 gateway",
            ),
            (
                &FULL.replace("verify_code = \"033\"", "verify_code = \"0 3\""),
                "[gateway.c06].verify_code: \"0 3\" is not 1-16 ASCII letters or digits",
            ),
            (
                &FULL.replace("max_retries = 2", "max_retries = \"2\""),
                "[gateway.lgsp].max_retries: expected a non-negative integer",
            ),
            (
                &FULL.replace(
                    "secret_key_env = \"LGSP_SECRET\"",
                    "secret_key_env = \"LGSP_SECRET\"\nsecret_key = \"x\"",
                ),
                "[gateway.lgsp]: give `secret_key` or `secret_key_env`, not both",
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
    fn numeric_settings_out_of_range_name_the_key() {
        let set = |line: &str| {
            FULL.replace(
                "deadline_ms = 8000\nmax_retries = 2\nrate_per_second = 20\nmax_concurrency = 8\n",
                &format!("{line}\n"),
            )
        };
        for (line, expected) in [
            (
                "rate_per_second = 1e-300",
                "[gateway.lgsp].rate_per_second: must be between 0.001 and 1000000",
            ),
            (
                "rate_per_second = 1e300",
                "[gateway.lgsp].rate_per_second: must be between",
            ),
            (
                "rate_per_second = nan",
                "[gateway.lgsp].rate_per_second: expected a positive number",
            ),
            (
                "rate_per_second = inf",
                "[gateway.lgsp].rate_per_second: expected a positive number",
            ),
            (
                "max_concurrency = 9223372036854775807",
                "[gateway.lgsp].max_concurrency: must be at most 100000",
            ),
            (
                "max_retries = 4294967295",
                "[gateway.lgsp].max_retries: must be at most 100",
            ),
            (
                "deadline_ms = 9223372036854775807",
                "[gateway.lgsp].deadline_ms: must be at most 86400000",
            ),
            (
                "attempt_timeout_ms = 9223372036854775807",
                "[gateway.lgsp].attempt_timeout_ms: must be at most 86400000",
            ),
            (
                "token_refresh_margin_ms = 9223372036854775807",
                "[gateway.lgsp].token_refresh_margin_ms: must be at most 86400000",
            ),
        ] {
            let text = set(line);
            let e = parse(&text).unwrap_err().to_string();
            assert!(
                e.contains(expected),
                "{line}: {e:?} should contain {expected:?}"
            );
        }
        for ok in [
            "rate_per_second = 0.001",
            "rate_per_second = 1000000",
            "max_concurrency = 100000",
            "max_concurrency = 0",
            "max_retries = 100",
        ] {
            parse(&set(ok)).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
    }

    #[test]
    fn the_audit_trail_is_a_sqlite_path_or_a_postgres_url_without_a_password() {
        let c =
            parse("[audit]\nurl = \"postgres://dancu@db.local/dancu\"\npassword_env = \"PG_PW\"\n")
                .unwrap();
        assert_eq!(
            c.audit.unwrap().store,
            StoreLocation::Postgres(PostgresLocation {
                url: "postgres://dancu@db.local/dancu".into(),
                password_env: Some("PG_PW".into()),
                ca_file: None,
            })
        );
        let c = parse(
            "[audit]\nurl = \"postgres://dancu@db.local/dancu?sslmode=require\"\nca_file = \"tinh-ca.pem\"\n",
        )
        .unwrap();
        let StoreLocation::Postgres(pg) = c.audit.unwrap().store else {
            panic!("a PostgreSQL store");
        };
        assert!(
            pg.ca_file
                .as_deref()
                .is_some_and(|f| f.ends_with("tinh-ca.pem") && f.is_absolute()),
            "relative to the config file: {:?}",
            pg.ca_file
        );
        for (text, expected) in [
            (
                "[audit]\nurl = \"postgres://dancu:topsecret@db/dancu\"\n",
                "holds a password",
            ),
            (
                "[audit]\nurl = \"mysql://dancu@db/dancu\"\n",
                "must be a PostgreSQL URL",
            ),
            (
                "[audit]\npath = \"a.sqlite\"\nurl = \"postgres://d@db/d\"\n",
                "not both",
            ),
            (
                "[audit]\npath = \"a.sqlite\"\nca_file = \"ca.pem\"\n",
                "`ca_file` goes with a PostgreSQL `url`",
            ),
            (
                "[audit]\npath = \"a.sqlite\"\npassword_env = \"X\"\n",
                "goes with `url`",
            ),
            ("[audit]\nsalt_env = \"S\"\n", "missing `path`"),
        ] {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.contains(expected), "{text}: {e}");
            assert!(!e.contains("topsecret"), "{e}");
        }
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
