//! The `[serve]` and `[dossiers]` tables of `dancu.toml`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::clients::{Client, Clients, KeyDigest, Scope};
use crate::error::ServeError;
use dancu_popdb::config::{STORE_KEYS, StoreLocation};

/// What `[serve]` says, with its defaults.
#[derive(Clone, Debug)]
pub struct ServeSettings {
    /// Where to listen when `--addr` is not given (default `127.0.0.1:8080`).
    pub addr: SocketAddr,
    /// Serve plain HTTP on an address other than loopback (behind a proxy
    /// that terminates TLS). Off by default.
    pub allow_plain_http: bool,
    /// The certificate chain and key files (PEM) for TLS.
    pub tls: Option<TlsFiles>,
    /// The largest request body, in bytes (default 16 MiB).
    pub max_body_bytes: usize,
    /// Lookups and checks in flight at most; more are answered `503`
    /// `too_many_lookups` (default 64).
    pub max_concurrent_lookups: usize,
    /// Each request's deadline, gateway retries included (default 30 s).
    pub request_timeout: Duration,
    /// How long shutdown waits for requests in flight (default 30 s).
    pub shutdown_grace: Duration,
    /// Open connections at most (default 1,024).
    pub max_connections: usize,
    /// The reference intake console under `/console/` (`[serve.console]`).
    pub console: ConsoleSettings,
}

/// `[serve.console]`: the reference intake console, off by default.
///
/// The console holds no key of its own: the officer types a client key
/// into its sign-in form, and the page keeps it in memory only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsoleSettings {
    /// Serve `/console/` (default false: every `/console` path is `404`).
    pub enabled: bool,
    /// The `[gateway.<name>]` the console's lookups use; the first
    /// configured gateway by default.
    pub gateway: Option<String>,
    /// The procedure code (`MaDVC`) its lookups are made for (default
    /// `1.001776`).
    pub procedure: String,
    /// The receiving unit offered in the sign-in form (the prefix of the
    /// dossier codes it issues); the officer may change it.
    pub unit: Option<String>,
}

impl Default for ConsoleSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            gateway: None,
            procedure: "1.001776".to_owned(),
            unit: None,
        }
    }
}

/// The PEM files of `[serve.tls]`.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    /// The certificate chain.
    pub cert: PathBuf,
    /// The private key.
    pub key: PathBuf,
}

impl Default for ServeSettings {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            allow_plain_http: false,
            tls: None,
            max_body_bytes: 16 * 1024 * 1024,
            max_concurrent_lookups: 64,
            request_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(30),
            max_connections: 1024,
            console: ConsoleSettings::default(),
        }
    }
}

fn bad(key: &str, what: impl std::fmt::Display) -> ServeError {
    ServeError::Config(format!("{key}: {what}"))
}

/// A view of one TOML table that names its keys in errors.
struct Table<'a> {
    at: String,
    table: &'a toml::Table,
}

impl<'a> Table<'a> {
    fn key(&self, key: &str) -> String {
        format!("{}.{key}", self.at)
    }

    fn check_keys(&self, known: &[&str]) -> Result<(), ServeError> {
        for key in self.table.keys() {
            if !known.contains(&key.as_str()) {
                return Err(bad(
                    &self.key(key),
                    format!("unknown key (known: {})", known.join(", ")),
                ));
            }
        }
        Ok(())
    }

    fn string(&self, key: &str) -> Result<Option<&'a str>, ServeError> {
        match self.table.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim())),
            Some(_) => Err(bad(&self.key(key), "must be a non-empty string")),
        }
    }

    fn bool(&self, key: &str) -> Result<Option<bool>, ServeError> {
        match self.table.get(key) {
            None => Ok(None),
            Some(toml::Value::Boolean(b)) => Ok(Some(*b)),
            Some(_) => Err(bad(&self.key(key), "must be true or false")),
        }
    }

    /// An integer in `min..=max`.
    fn int(&self, key: &str, min: i64, max: i64) -> Result<Option<i64>, ServeError> {
        match self.table.get(key) {
            None => Ok(None),
            Some(toml::Value::Integer(n)) if (min..=max).contains(n) => Ok(Some(*n)),
            Some(_) => Err(bad(
                &self.key(key),
                format!("must be a whole number from {min} to {max}"),
            )),
        }
    }

    /// A number of seconds in `(0, max]`.
    fn seconds(&self, key: &str, max: f64) -> Result<Option<Duration>, ServeError> {
        let v = match self.table.get(key) {
            None => return Ok(None),
            Some(toml::Value::Integer(n)) => *n as f64,
            Some(toml::Value::Float(f)) => *f,
            Some(_) => return Err(bad(&self.key(key), "must be a number of seconds")),
        };
        if v.is_finite() && v > 0.0 && v <= max {
            Ok(Some(Duration::from_secs_f64(v)))
        } else {
            Err(bad(
                &self.key(key),
                format!("must be more than 0 and at most {max} seconds"),
            ))
        }
    }

    fn sub(&self, key: &str) -> Result<Option<Table<'a>>, ServeError> {
        match self.table.get(key) {
            None => Ok(None),
            Some(toml::Value::Table(t)) => Ok(Some(Table {
                at: format!("{}.{key}", self.at),
                table: t,
            })),
            Some(_) => Err(bad(&self.key(key), "must be a table")),
        }
    }
}

fn path_from(base: &Path, p: &str) -> PathBuf {
    let p = PathBuf::from(p);
    if p.is_relative() { base.join(p) } else { p }
}

fn usize_of(n: i64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Reads `[serve]`: the settings and the clients. `base` anchors relative
/// paths; `env` reads the `key_env` variables.
pub(crate) fn parse_serve(
    serve: Option<&toml::Table>,
    base: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(ServeSettings, Clients), ServeError> {
    let mut s = ServeSettings::default();
    let empty = toml::Table::new();
    let t = Table {
        at: "[serve]".into(),
        table: serve.unwrap_or(&empty),
    };
    t.check_keys(&[
        "addr",
        "allow_plain_http",
        "tls",
        "max_body_bytes",
        "max_concurrent_lookups",
        "request_timeout_s",
        "shutdown_grace_s",
        "max_connections",
        "clients",
        "console",
    ])?;
    if let Some(a) = t.string("addr")? {
        s.addr = a
            .parse()
            .map_err(|_| bad(&t.key("addr"), "must be an IP address and port"))?;
    }
    if let Some(b) = t.bool("allow_plain_http")? {
        s.allow_plain_http = b;
    }
    if let Some(tls) = t.sub("tls")? {
        tls.check_keys(&["cert", "key"])?;
        let need = |k: &str| {
            tls.string(k)?
                .ok_or_else(|| bad(&tls.key(k), "missing (a PEM file path)"))
        };
        s.tls = Some(TlsFiles {
            cert: path_from(base, need("cert")?),
            key: path_from(base, need("key")?),
        });
    }
    if let Some(n) = t.int("max_body_bytes", 1024, 1 << 30)? {
        s.max_body_bytes = usize_of(n);
    }
    if let Some(n) = t.int("max_concurrent_lookups", 1, 100_000)? {
        s.max_concurrent_lookups = usize_of(n);
    }
    if let Some(n) = t.int("max_connections", 1, 1_000_000)? {
        s.max_connections = usize_of(n);
    }
    if let Some(d) = t.seconds("request_timeout_s", 600.0)? {
        s.request_timeout = d;
    }
    if let Some(d) = t.seconds("shutdown_grace_s", 600.0)? {
        s.shutdown_grace = d;
    }
    if let Some(c) = t.sub("console")? {
        s.console = console(&c)?;
    }
    let mut clients = BTreeMap::new();
    if let Some(c) = t.sub("clients")? {
        for name in c.table.keys() {
            let Some(ct) = c.sub(name)? else { continue };
            clients.insert(name.clone(), client(name, &ct, env)?);
        }
    }
    Ok((s, Clients::new(clients)))
}

fn console(t: &Table<'_>) -> Result<ConsoleSettings, ServeError> {
    t.check_keys(&["enabled", "gateway", "procedure", "unit"])?;
    let mut c = ConsoleSettings::default();
    if let Some(b) = t.bool("enabled")? {
        c.enabled = b;
    }
    c.gateway = t.string("gateway")?.map(str::to_owned);
    if let Some(p) = t.string("procedure")? {
        p.parse::<dancu_core::ProcedureCode>()
            .map_err(|e| bad(&t.key("procedure"), e))?;
        c.procedure = p.to_owned();
    }
    if let Some(u) = t.string("unit")? {
        dancu_core::DossierCode::new(u, dancu_core::CalendarDate::today_in_vietnam(), 1)
            .map_err(|e| bad(&t.key("unit"), e))?;
        c.unit = Some(u.to_owned());
    }
    Ok(c)
}

fn client(
    name: &str,
    t: &Table<'_>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Client, ServeError> {
    t.check_keys(&[
        "key_sha256",
        "key_env",
        "scopes",
        "rate_per_second",
        "burst",
    ])?;
    if !crate::clients::valid_name(name) {
        return Err(bad(
            &t.at,
            "a client name is 1 to 64 ASCII letters, digits, '-', '_' or '.'",
        ));
    }
    let key = match (t.string("key_sha256")?, t.string("key_env")?) {
        (Some(hex), None) => KeyDigest::from_hex(hex).ok_or_else(|| {
            bad(
                &t.key("key_sha256"),
                "must be the SHA-256 of the key, 64 hexadecimal digits",
            )
        })?,
        (None, Some(var)) => {
            let key = env(var).ok_or_else(|| {
                bad(
                    &t.key("key_env"),
                    format!("environment variable {var} is not set"),
                )
            })?;
            if key.len() < 16 {
                return Err(bad(
                    &t.key("key_env"),
                    format!("the key in {var} is shorter than 16 characters"),
                ));
            }
            KeyDigest::of(key.as_bytes())
        }
        (Some(_), Some(_)) => {
            return Err(bad(&t.at, "give key_sha256 or key_env, not both"));
        }
        (None, None) => return Err(bad(&t.at, "missing key_sha256 (or key_env)")),
    };
    let scopes = match t.table.get("scopes") {
        Some(toml::Value::Array(items)) if !items.is_empty() => {
            let mut scopes = Vec::new();
            for item in items {
                let scope = item.as_str().and_then(Scope::parse).ok_or_else(|| {
                    bad(
                        &t.key("scopes"),
                        format!(
                            "{item} is not a scope (known: {})",
                            Scope::ALL.map(Scope::as_str).join(", ")
                        ),
                    )
                })?;
                scopes.push(scope);
            }
            scopes
        }
        _ => {
            return Err(bad(
                &t.key("scopes"),
                "missing: a non-empty list of identity, address, lookup, audit, dossier_codes",
            ));
        }
    };
    let rate = match t.table.get("rate_per_second") {
        None => 100.0,
        Some(toml::Value::Integer(n)) if (1..=10_000_000).contains(n) => *n as f64,
        Some(toml::Value::Float(f)) if f.is_finite() && *f > 0.0 && *f <= 1e7 => *f,
        Some(_) => {
            return Err(bad(
                &t.key("rate_per_second"),
                "must be a number above 0 and at most 10,000,000",
            ));
        }
    };
    let burst = match t.int("burst", 1, 10_000_000)? {
        Some(b) => b as f64,
        None => rate.max(1.0),
    };
    Ok(Client::new(name, key, &scopes, rate, burst))
}

/// Reads `[dossiers]`: the SQLite file (`path`) or PostgreSQL database
/// (`url`, `password_env`) dossier codes are issued from.
pub(crate) fn parse_dossiers(
    t: Option<&toml::Table>,
    base: &Path,
) -> Result<Option<StoreLocation>, ServeError> {
    let Some(table) = t else { return Ok(None) };
    let t = Table {
        at: "[dossiers]".into(),
        table,
    };
    t.check_keys(STORE_KEYS)?;
    let location = StoreLocation::from_table("[dossiers]", table, base)
        .map_err(ServeError::Config)?
        .ok_or_else(|| {
            bad(
                "[dossiers]",
                "missing `path` (a SQLite file) or `url` (a PostgreSQL database)",
            )
        })?;
    Ok(Some(location))
}

/// Reads `[quota]`: the PostgreSQL database (`url`, `password_env`, `ca_file`) that
/// keeps every gateway's `rate_per_second` and `max_concurrency` for all
/// the instances sharing it.
pub(crate) fn parse_quota(
    t: Option<&toml::Table>,
    base: &Path,
) -> Result<Option<StoreLocation>, ServeError> {
    let Some(table) = t else { return Ok(None) };
    let t = Table {
        at: "[quota]".into(),
        table,
    };
    t.check_keys(&["url", "password_env", "ca_file"])?;
    match StoreLocation::from_table("[quota]", table, base).map_err(ServeError::Config)? {
        Some(location @ StoreLocation::Postgres(_)) => Ok(Some(location)),
        _ => Err(bad(
            "[quota]",
            "missing `url`: the shared quota is kept in a PostgreSQL database",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<(ServeSettings, Clients), ServeError> {
        let t: toml::Table = text.parse().expect("toml");
        let env = |v: &str| (v == "KEY").then(|| "a-client-key-of-20-chars".to_owned());
        parse_serve(
            t.get("serve").and_then(toml::Value::as_table),
            Path::new("/etc/dancu"),
            &env,
        )
    }

    #[test]
    fn defaults_and_overrides() {
        let (s, c) = parse("").expect("empty");
        assert_eq!(s.max_body_bytes, 16 * 1024 * 1024);
        assert!(c.is_empty());
        let (s, c) = parse(
            "[serve]\nmax_concurrent_lookups = 8\nrequest_timeout_s = 2.5\n\
             [serve.tls]\ncert = \"c.pem\"\nkey = \"/k.pem\"\n\
             [serve.clients.tandan]\nkey_env = \"KEY\"\nscopes = [\"lookup\", \"audit\"]\n",
        )
        .expect("parsed");
        assert_eq!(s.max_concurrent_lookups, 8);
        assert_eq!(s.request_timeout, Duration::from_millis(2500));
        let tls = s.tls.expect("tls");
        assert_eq!(tls.cert, Path::new("/etc/dancu/c.pem"));
        assert_eq!(tls.key, Path::new("/k.pem"));
        assert!(!c.is_empty());
        assert_eq!(s.console, ConsoleSettings::default());
        assert!(!s.console.enabled, "the console is off by default");
        let (s, _) = parse(
            "[serve.console]\nenabled = true\ngateway = \"lgsp\"\nprocedure = \"2.000986\"\nunit = \"000.00.21.H56\"\n",
        )
        .expect("parsed");
        assert!(s.console.enabled);
        assert_eq!(s.console.gateway.as_deref(), Some("lgsp"));
        assert_eq!(s.console.procedure, "2.000986");
        assert_eq!(s.console.unit.as_deref(), Some("000.00.21.H56"));
    }

    #[test]
    fn bad_settings_name_their_key() {
        for (text, key) in [
            ("[serve]\nmax_body_bytes = -1", "[serve].max_body_bytes"),
            (
                "[serve]\nrequest_timeout_s = nan",
                "[serve].request_timeout_s",
            ),
            ("[serve]\nbogus = 1", "[serve].bogus"),
            ("[serve.console]\nbogus = 1", "[serve].console.bogus"),
            (
                "[serve.console]\nenabled = \"yes\"",
                "[serve].console.enabled",
            ),
            (
                "[serve.console]\nprocedure = \"1776\"",
                "[serve].console.procedure",
            ),
            ("[serve.console]\nunit = \"a b\"", "[serve].console.unit"),
            (
                "[serve.clients.a]\nkey_env = \"NOPE\"\nscopes = [\"lookup\"]",
                "[serve].clients.a.key_env",
            ),
            (
                "[serve.clients.a]\nkey_sha256 = \"abc\"\nscopes = [\"lookup\"]",
                "[serve].clients.a.key_sha256",
            ),
            (
                "[serve.clients.a]\nkey_env = \"KEY\"\nscopes = [\"everything\"]",
                "[serve].clients.a.scopes",
            ),
            (
                "[serve.clients.a]\nkey_env = \"KEY\"\nscopes = [\"lookup\"]\nrate_per_second = 0",
                "[serve].clients.a.rate_per_second",
            ),
        ] {
            let e = parse(text).expect_err(text).to_string();
            assert!(e.contains(key), "{text}: {e}");
        }
    }
}
