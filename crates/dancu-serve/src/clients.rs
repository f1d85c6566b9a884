//! The callers of the service (`[serve.clients.<name>]`): their keys (kept
//! only as SHA-256 digests, compared in constant time), scopes and rate
//! limits.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use sha2::{Digest, Sha256};

/// What a client may do; each `/v1` operation needs one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// `POST /v1/identity/inspect`.
    Identity,
    /// `POST /v1/addresses/resolve` and `GET /v1/units/…`.
    Address,
    /// `POST /v1/citizens/lookup` and `/check`.
    Lookup,
    /// `GET /v1/audit…`.
    Audit,
    /// `POST /v1/dossier-codes`.
    DossierCodes,
}

impl Scope {
    /// Every scope.
    pub const ALL: [Self; 5] = [
        Self::Identity,
        Self::Address,
        Self::Lookup,
        Self::Audit,
        Self::DossierCodes,
    ];

    /// The name used in the configuration.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Address => "address",
            Self::Lookup => "lookup",
            Self::Audit => "audit",
            Self::DossierCodes => "dossier_codes",
        }
    }

    /// The scope of a configuration name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// The SHA-256 digest of a client key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct KeyDigest([u8; 32]);

impl KeyDigest {
    /// The digest of a key.
    #[must_use]
    pub fn of(key: &[u8]) -> Self {
        Self(Sha256::digest(key).into())
    }

    /// A digest written as 64 hexadecimal digits (`key_sha256`).
    #[must_use]
    pub fn from_hex(hex: &str) -> Option<Self> {
        let hex = hex.trim().as_bytes();
        if hex.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (byte, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
            let pair = std::str::from_utf8(pair).ok()?;
            *byte = u8::from_str_radix(pair, 16).ok()?;
        }
        Some(Self(out))
    }

    /// Equality in constant time: every byte is compared.
    fn matches(&self, other: &Self) -> bool {
        let diff = self
            .0
            .iter()
            .zip(other.0.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        // Keeps the comparison from being short-circuited by the optimiser.
        std::hint::black_box(diff) == 0
    }
}

impl fmt::Debug for KeyDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyDigest(…)")
    }
}

/// Whether `name` can name a client: 1 to 64 ASCII letters, digits, `-`,
/// `_` or `.` (it is written into audit records and metrics).
#[must_use]
pub fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// One configured caller.
#[derive(Debug)]
pub struct Client {
    name: String,
    key: KeyDigest,
    scopes: u8,
    bucket: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    at: Instant,
}

impl Client {
    /// A client with its key digest, scopes and rate limit (requests per
    /// second, and how many may come at once).
    #[must_use]
    pub fn new(name: &str, key: KeyDigest, scopes: &[Scope], rate: f64, burst: f64) -> Self {
        Self {
            name: name.to_owned(),
            key,
            scopes: scopes.iter().fold(0, |acc, s| acc | s.bit()),
            bucket: Mutex::new(Bucket {
                rate,
                burst,
                tokens: burst,
                at: Instant::now(),
            }),
        }
    }

    /// Its name in the configuration.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether it may use `scope`.
    #[must_use]
    pub const fn may(&self, scope: Scope) -> bool {
        self.scopes & scope.bit() != 0
    }

    /// Takes one request from its rate limit: `Err(wait)` when it must wait.
    ///
    /// # Errors
    ///
    /// How long until a request would be allowed.
    pub fn take(&self) -> Result<(), Duration> {
        let mut b = match self.bucket.lock() {
            Ok(b) => b,
            Err(poisoned) => poisoned.into_inner(),
        };
        let now = Instant::now();
        let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
        b.tokens = (b.tokens + elapsed * b.rate).min(b.burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - b.tokens) / b.rate))
        }
    }
}

/// Why a request was not let in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denied {
    /// No key, or a key no client has (`401`).
    Unauthenticated,
    /// The client lacks the scope (`403`).
    Forbidden(Scope),
    /// The client is over its rate (`429`), with how long to wait.
    RateLimited(Duration),
}

/// Every configured client.
#[derive(Debug, Default)]
pub struct Clients {
    clients: Vec<Client>,
}

impl Clients {
    /// The clients of the configuration, by name.
    #[must_use]
    pub fn new(clients: BTreeMap<String, Client>) -> Self {
        Self {
            clients: clients.into_values().collect(),
        }
    }

    /// Whether no client is configured (then every `/v1` call is `401`).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }

    /// The client whose key the request carries (`Authorization: Bearer
    /// <key>` or `X-Api-Key: <key>`), if it may use `scope` and is under
    /// its rate.
    ///
    /// # Errors
    ///
    /// [`Denied`], saying why.
    pub fn authorize(&self, headers: &HeaderMap, scope: Scope) -> Result<&Client, Denied> {
        let client = self.identify(headers).ok_or(Denied::Unauthenticated)?;
        if !client.may(scope) {
            return Err(Denied::Forbidden(scope));
        }
        client.take().map_err(Denied::RateLimited)?;
        Ok(client)
    }
}

impl Clients {
    /// The client whose key the request carries, scopes and rate aside.
    #[must_use]
    pub fn identify(&self, headers: &HeaderMap) -> Option<&Client> {
        let digest = KeyDigest::of(presented_key(headers)?);
        // Every client's digest is compared, so the time taken does not say
        // which one (if any) matched.
        let mut found = None;
        for c in &self.clients {
            if c.key.matches(&digest) {
                found = Some(c);
            }
        }
        found
    }
}

fn presented_key(headers: &HeaderMap) -> Option<&[u8]> {
    if let Some(v) = headers.get(AUTHORIZATION) {
        let v = v.as_bytes();
        let (scheme, rest) = v.split_at(v.iter().position(|&b| b == b' ')?);
        if scheme.eq_ignore_ascii_case(b"bearer") {
            let key = rest.trim_ascii();
            return (!key.is_empty()).then_some(key);
        }
        return None;
    }
    let key = headers.get("x-api-key")?.as_bytes().trim_ascii();
    (!key.is_empty()).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clients() -> Clients {
        let mut m = BTreeMap::new();
        m.insert(
            "tandan".to_owned(),
            Client::new(
                "tandan",
                KeyDigest::of(b"key-of-tandan-0001"),
                &[Scope::Lookup],
                1.0,
                2.0,
            ),
        );
        Clients::new(m)
    }

    fn headers(auth: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, auth.parse().expect("header"));
        h
    }

    #[test]
    fn keys_scopes_and_rates() {
        let c = clients();
        assert_eq!(
            c.authorize(&HeaderMap::new(), Scope::Lookup).err(),
            Some(Denied::Unauthenticated)
        );
        assert_eq!(
            c.authorize(&headers("Bearer wrong-key-0000000"), Scope::Lookup)
                .err(),
            Some(Denied::Unauthenticated)
        );
        assert_eq!(
            c.authorize(&headers("Basic key-of-tandan-0001"), Scope::Lookup)
                .err(),
            Some(Denied::Unauthenticated)
        );
        assert_eq!(
            c.authorize(&headers("bearer key-of-tandan-0001"), Scope::Audit)
                .err(),
            Some(Denied::Forbidden(Scope::Audit))
        );
        let ok = c.authorize(&headers("Bearer key-of-tandan-0001"), Scope::Lookup);
        assert_eq!(ok.map(Client::name).ok(), Some("tandan"));
        let mut x = HeaderMap::new();
        x.insert("x-api-key", "key-of-tandan-0001".parse().expect("header"));
        assert!(c.authorize(&x, Scope::Lookup).is_ok());
        // The burst of 2 is spent: the third call waits about a second.
        match c.authorize(&x, Scope::Lookup) {
            Err(Denied::RateLimited(wait)) => assert!(wait <= Duration::from_secs(1)),
            other => panic!("expected a rate limit, got {other:?}"),
        }
    }

    #[test]
    fn hex_digests() {
        let d = KeyDigest::of(b"abc");
        let hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert!(KeyDigest::from_hex(hex).is_some_and(|h| h.matches(&d)));
        assert!(KeyDigest::from_hex(&hex.to_uppercase()).is_some_and(|h| h.matches(&d)));
        assert!(KeyDigest::from_hex(&hex[1..]).is_none());
        assert!(KeyDigest::from_hex(&format!("{}g", &hex[1..])).is_none());
        assert_eq!(format!("{d:?}"), "KeyDigest(…)");
    }
}
