//! The sandbox HTTP server: the three gateway channels over one loopback
//! listener, each speaking a dialect (the contract by default, or any
//! preset of the gateways seen in public integrations), with fault
//! injection and an admin endpoint.
//!
//! Requests are validated and answered by the wire crate's one server
//! implementation of the contract ([`GatewaySide`]), and matched by the
//! in-memory registry's rules over the synthetic population.
//!
//! | path | channel |
//! |---|---|
//! | `POST /lgsp/token`, `/lgsp/tracuu`, `/lgsp/xacthuc` | LGSP (token, lookup, check) |
//! | `POST /c06/tracuu`, `/c06/xacthuc` | C06 direct |
//! | `POST /tinh/tracuu`, `/tinh/xacthuc` (`/tinh/token` when it uses the LGSP token) | provincial JSON |
//! | `GET`/`PUT /admin/faults`, `GET /admin/stats` | fault injection, counters |

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use dancu_core::CalendarDate;
use dancu_core::registry::{
    AuditSink, CheckOutcome, IdentityQuery, LookupOutcome, Operation, PopulationRegistry,
    RegistryError, RegistryInfo, Reply, RequestContext,
};
use dancu_popdb::InMemoryRegistry;
use dancu_popdb::audit::SubjectHasher;
use dancu_popdb::config::Config;
use dancu_popdb::connect;
use dancu_wire::auth::{C06Verifier, LgspCredentials};
use dancu_wire::fault::encode_fault;
use dancu_wire::server::{GatewaySide, ServerReply};
use dancu_wire::{FaultCode, JsonAuth, Preset, Secret};
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use crate::faults::{Faults, REJECTION_TEXT};
use crate::population::{AS_OF, Population};
use dancu_http::{Accept, BodyLimit, BodyRejection, ServerLimits, read_body_within, serve};

/// The service codes registered with the sandbox's gateways (for the
/// dialects that send a registered service code as `MaDVC`), and the
/// procedure each was registered for.
pub const SERVICE_CODES: &[(&str, &str)] = &[("G15-TP110", "1.001776"), ("G18-YT04", "2.000986")];

/// The value the sandbox's written configuration gives to the extra
/// elements a dialect names (`userNameService`).
pub const EXTRA_ELEMENT_VALUE: &str = "motcua.sandbox";

/// The dialect each channel speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dialects {
    /// The LGSP channel (`contract` or `opencps_lgsp`).
    pub lgsp: Preset,
    /// The C06 channel (`contract`, `c06_csharp` or `c06_php`).
    pub c06: Preset,
    /// The provincial JSON channel (`contract`, `tandan_json` or `dongthap_json`).
    pub provincial_json: Preset,
}

impl Default for Dialects {
    fn default() -> Self {
        Self {
            lgsp: Preset::Contract,
            c06: Preset::Contract,
            provincial_json: Preset::Contract,
        }
    }
}

/// The channels' names, as `dancu.toml` and `--dialect` write them.
pub const CHANNELS: [&str; 3] = ["lgsp", "c06", "provincial_json"];

impl Dialects {
    /// Sets one channel's dialect.
    ///
    /// # Errors
    ///
    /// When the channel is unknown or the preset is for another kind.
    pub fn set(&mut self, channel: &str, preset: Preset) -> Result<(), String> {
        if let Some(kind) = preset.channel().kind
            && kind != channel
        {
            return Err(format!(
                "preset {preset} is for the {kind} channel, not {channel}"
            ));
        }
        match channel {
            "lgsp" => self.lgsp = preset,
            "c06" => self.c06 = preset,
            "provincial_json" => self.provincial_json = preset,
            other => {
                return Err(format!(
                    "unknown channel {other:?} (expected {})",
                    CHANNELS.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// Applies `channel=preset` (what `--dialect` takes).
    ///
    /// # Errors
    ///
    /// When the text is not `channel=preset` of a known channel and preset.
    pub fn apply(&mut self, text: &str) -> Result<(), String> {
        let (channel, preset) = text
            .split_once('=')
            .ok_or_else(|| format!("{text:?}: expected <channel>=<preset>"))?;
        let preset = Preset::from_str(preset).map_err(|e| e.0)?;
        self.set(channel.trim(), preset)
    }

    /// The dialect of a channel.
    #[must_use]
    pub fn of(&self, channel: &str) -> Preset {
        match channel {
            "lgsp" => self.lgsp,
            "c06" => self.c06,
            _ => self.provincial_json,
        }
    }

    /// Reads the sandbox's settings (TOML or JSON): a `dialect` table of
    /// `channel = "preset"`.
    ///
    /// # Errors
    ///
    /// A message naming the bad key.
    pub fn parse_settings(text: &str) -> Result<Self, String> {
        let value: serde_json::Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(_) => {
                let t: toml::Table = text
                    .parse()
                    .map_err(|e: toml::de::Error| format!("settings: {e}"))?;
                serde_json::to_value(t).map_err(|e| format!("settings: {e}"))?
            }
        };
        let obj = value.as_object().ok_or("settings: expected a table")?;
        let mut out = Self::default();
        for (k, v) in obj {
            if k != "dialect" {
                return Err(format!("settings: unknown key `{k}` (expected dialect)"));
            }
            let table = v
                .as_object()
                .ok_or("settings: `dialect` is a table of channel = \"preset\"")?;
            for (channel, preset) in table {
                let preset = preset.as_str().ok_or_else(|| {
                    format!("settings: dialect.{channel}: expected a preset name")
                })?;
                let preset = Preset::from_str(preset)
                    .map_err(|e| format!("settings: dialect.{channel}: {}", e.0))?;
                out.set(channel, preset)
                    .map_err(|e| format!("settings: dialect.{channel}: {e}"))?;
            }
        }
        Ok(out)
    }
}

/// The credentials the sandbox accepts (they protect nothing: the data is
/// synthetic). The same values are printed and written into `dancu.toml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// LGSP `AccessKey`.
    pub lgsp_access_key: String,
    /// LGSP `SecretKey`.
    pub lgsp_secret_key: String,
    /// LGSP `AppName`.
    pub lgsp_app_name: String,
    /// LGSP `PartnerCode`.
    pub lgsp_partner_code: String,
    /// LGSP `PartnerCodeCus`.
    pub lgsp_partner_code_cus: String,
    /// C06 user.
    pub c06_username: String,
    /// C06 secret (hashed into the Basic credentials).
    pub c06_secret: String,
    /// C06 `ApiKey`.
    pub c06_api_key: String,
    /// C06 `X-Road-Client`.
    pub c06_x_road_client: String,
    /// Provincial JSON bearer key.
    pub json_api_key: String,
}

impl Default for Credentials {
    fn default() -> Self {
        Self {
            lgsp_access_key: "sandbox-access-key".into(),
            lgsp_secret_key: "sandbox-secret-key".into(),
            lgsp_app_name: "dancu-sandbox".into(),
            lgsp_partner_code: "000.00.21.H06".into(),
            lgsp_partner_code_cus: "000.00.21.H06".into(),
            c06_username: "motcua.sandbox".into(),
            c06_secret: "sandbox-c06-secret".into(),
            c06_api_key: "sandbox-c06-api-key".into(),
            c06_x_road_client: "VN/GOV/000.00.21.H06/motcua".into(),
            json_api_key: "sandbox-json-api-key".into(),
        }
    }
}

/// How to start a sandbox.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// Where to listen (default `127.0.0.1:0`: a free loopback port).
    pub addr: SocketAddr,
    /// Population seed.
    pub seed: u64,
    /// Population size.
    pub citizens: usize,
    /// Faults active from the start.
    pub faults: Faults,
    /// Accepted credentials.
    pub credentials: Credentials,
    /// The C06 timestamp skew window.
    pub skew: Duration,
    /// The dialect of each channel.
    pub dialects: Dialects,
    /// Connection cap, header and body deadlines, shutdown grace.
    pub limits: ServerLimits,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: 1,
            citizens: 10_000,
            faults: Faults::default(),
            credentials: Credentials::default(),
            skew: Duration::from_secs(300),
            dialects: Dialects::default(),
            limits: ServerLimits::default(),
        }
    }
}

/// One channel: its dialect's preset and the gateway side playing it.
struct Channel {
    preset: Preset,
    side: GatewaySide,
}

impl Channel {
    fn new(preset: Preset) -> Self {
        Self {
            preset,
            side: gateway_side(preset),
        }
    }
}

/// The gateway side of a preset as the sandbox serves it: the dialect's
/// extra elements given [`EXTRA_ELEMENT_VALUE`] where they have no value,
/// and the [`SERVICE_CODES`] registered.
#[must_use]
pub fn gateway_side(preset: Preset) -> GatewaySide {
    let mut dialect = preset.dialect();
    for (_, value) in &mut dialect.extra_elements {
        if value.is_empty() {
            EXTRA_ELEMENT_VALUE.clone_into(value);
        }
    }
    let mut side = GatewaySide::new(dialect);
    for (code, procedure) in SERVICE_CODES {
        if let Ok(p) = procedure.parse() {
            side = side.register(code, p);
        }
    }
    side
}

/// The live LGSP tokens: looked up in O(1), expired in O(1) amortised per
/// mint (the oldest first; a token outliving one minted after it, when the
/// lifetime was lowered, waits for that one to expire, and is refused by
/// its own expiry meanwhile).
#[derive(Default)]
struct Tokens {
    expiry: HashMap<String, Instant>,
    order: std::collections::VecDeque<(Instant, String)>,
}

impl Tokens {
    /// Records a new token valid until `expires`, dropping the expired.
    fn mint(&mut self, token: String, now: Instant, expires: Instant) {
        while let Some((at, _)) = self.order.front() {
            if *at > now {
                break;
            }
            if let Some((_, old)) = self.order.pop_front() {
                self.expiry.remove(&old);
            }
        }
        self.expiry.insert(token.clone(), expires);
        self.order.push_back((expires, token));
    }

    /// Whether `token` is live at `now`.
    fn valid(&self, token: &str, now: Instant) -> bool {
        self.expiry.get(token).is_some_and(|expiry| *expiry > now)
    }
}

struct ActiveFaults {
    faults: Faults,
    set_at: Instant,
}

struct Shared {
    population: Arc<Population>,
    /// The registry over the population, with the citizen OTP step (JSON
    /// dialects that have it) and without (every other).
    with_otp: InMemoryRegistry<Arc<Population>>,
    without_otp: InMemoryRegistry<Arc<Population>>,
    lgsp: Channel,
    c06: Channel,
    /// What the C06 channel checks signatures against.
    c06_verifier: C06Verifier,
    json: Channel,
    creds: Credentials,
    base_url: String,
    faults: RwLock<ActiveFaults>,
    tokens: Mutex<Tokens>,
    quota: Mutex<(u64, u32)>,
    served: AtomicU64,
    faulted: AtomicU64,
}

impl Shared {
    fn faults(&self) -> (Faults, Instant) {
        let f = self
            .faults
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        (f.faults.clone(), f.set_at)
    }

    fn auth_url(&self) -> String {
        format!("{}/c06", self.base_url)
    }
}

/// A running sandbox.
pub struct Sandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<io::Result<()>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("addr", &self.addr)
            .field("citizens", &self.shared.population.len())
            .finish_non_exhaustive()
    }
}

fn merge(into: &mut serde_json::Value, from: &serde_json::Value) {
    if let (Some(into), Some(from)) = (into.as_object_mut(), from.as_object()) {
        for (k, v) in from {
            into.insert(k.clone(), v.clone());
        }
    }
}

/// What a client of a channel set to a preset needs besides the paths and
/// credentials.
fn dialect_settings(table: &mut serde_json::Value, channel: &Channel) {
    if channel.preset == Preset::Contract {
        return;
    }
    merge(table, &json!({ "preset": channel.preset.as_str() }));
    let dialect = &channel.side.dialect;
    if dialect.service_code_required {
        let codes: serde_json::Map<String, serde_json::Value> = SERVICE_CODES
            .iter()
            .map(|(code, procedure)| ((*procedure).to_owned(), json!(code)))
            .collect();
        merge(
            table,
            &json!({ "service_codes": codes, "default_service_code": SERVICE_CODES[0].0 }),
        );
    }
    if !dialect.extra_elements.is_empty() {
        let extras: serde_json::Map<String, serde_json::Value> = dialect
            .extra_elements
            .iter()
            .map(|(n, v)| (n.clone(), json!(v)))
            .collect();
        merge(table, &json!({ "extra_elements": extras }));
    }
}

/// The largest request body the sandbox reads (a real request is a few
/// kilobytes; axum's default limit).
const MAX_BODY: usize = 2 * 1024 * 1024;

/// A listener that resets a share of connections (`reset_rate`) at accept
/// time: the socket is closed with `SO_LINGER` 0, so the client sees a
/// connection reset before any answer. Resets apply to the gateway routes
/// only: a connection picked for a reset is first peeked at (in its own
/// task, so a slow client never holds up the accept loop) and one whose
/// request is for `/admin/` is served, so `PUT /admin/faults` can always
/// undo a `reset_rate` of 1.
struct ResettingListener {
    inner: TcpListener,
    shared: Arc<Shared>,
    spared_tx: tokio::sync::mpsc::UnboundedSender<(TcpStream, SocketAddr)>,
    spared_rx: tokio::sync::mpsc::UnboundedReceiver<(TcpStream, SocketAddr)>,
}

impl ResettingListener {
    fn new(inner: TcpListener, shared: Arc<Shared>) -> Self {
        let (spared_tx, spared_rx) = tokio::sync::mpsc::unbounded_channel();
        Self {
            inner,
            shared,
            spared_tx,
            spared_rx,
        }
    }
}

/// How long a connection picked for a reset may take to send its request
/// line's start before it is reset anyway.
const PEEK_TIMEOUT: Duration = Duration::from_secs(2);

/// Whether the request on `stream` is for the admin API (`GET`/`PUT
/// /admin/…`), by peeking at its first bytes (nothing is consumed).
async fn is_admin_request(stream: &TcpStream) -> bool {
    const PREFIXES: [&[u8]; 2] = [b"GET /admin/", b"PUT /admin/"];
    let mut buf = [0_u8; 11];
    let peek = async {
        loop {
            let n = stream.peek(&mut buf).await.ok()?;
            if n == 0 {
                return None;
            }
            let seen = buf.get(..n)?;
            if !PREFIXES.iter().any(|p| p.starts_with(seen)) {
                return Some(false);
            }
            if n == buf.len() {
                return Some(true);
            }
            // Not all there yet: wait for more.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(PEEK_TIMEOUT, peek)
        .await
        .ok()
        .flatten()
        .unwrap_or(false)
}

fn reset(stream: TcpStream) {
    // A zero linger sends RST at once and never blocks (the deprecation is
    // about non-zero lingers).
    #[allow(deprecated)]
    let _ = stream.set_linger(Some(Duration::ZERO));
    drop(stream);
}

impl Accept for ResettingListener {
    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            let accepted = tokio::select! {
                spared = self.spared_rx.recv() => match spared {
                    Some((stream, addr)) => return (stream, addr),
                    None => continue,
                },
                accepted = self.inner.accept() => accepted,
            };
            match accepted {
                Ok((stream, addr)) => {
                    let _ = stream.set_nodelay(true);
                    let rate = self.shared.faults().0.reset_rate;
                    if rate > 0.0 && rand::random::<f64>() < rate {
                        let shared = Arc::clone(&self.shared);
                        let spared = self.spared_tx.clone();
                        tokio::spawn(async move {
                            if is_admin_request(&stream).await {
                                let _ = spared.send((stream, addr));
                            } else {
                                shared.faulted.fetch_add(1, Ordering::Relaxed);
                                reset(stream);
                            }
                        });
                        continue;
                    }
                    return (stream, addr);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        }
    }
}

impl Sandbox {
    /// Generates the population and starts serving.
    ///
    /// # Errors
    ///
    /// When the address cannot be bound.
    pub async fn start(config: SandboxConfig) -> io::Result<Self> {
        let limits = config.limits;
        let listener = TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        let population =
            tokio::task::spawn_blocking(move || Population::generate(config.seed, config.citizens))
                .await
                .map_err(io::Error::other)?;
        let population = Arc::new(population);
        let d = config.dialects;
        let shared = Arc::new(Shared {
            with_otp: InMemoryRegistry::over("sandbox", Arc::clone(&population)),
            without_otp: InMemoryRegistry::over("sandbox", Arc::clone(&population)).without_otp(),
            population,
            lgsp: Channel::new(d.lgsp),
            c06: Channel::new(d.c06),
            c06_verifier: C06Verifier {
                auth_url: format!("http://{addr}/c06"),
                user: config.credentials.c06_username.clone(),
                secret: Secret::new(config.credentials.c06_secret.clone()),
                unit: d.c06.channel().timestamp_unit,
                skew: config.skew,
            },
            json: Channel::new(d.provincial_json),
            creds: config.credentials,
            base_url: format!("http://{addr}"),
            faults: RwLock::new(ActiveFaults {
                faults: config.faults,
                set_at: Instant::now(),
            }),
            tokens: Mutex::default(),
            quota: Mutex::default(),
            served: AtomicU64::new(0),
            faulted: AtomicU64::new(0),
        });
        let app = Router::new()
            .route("/lgsp/token", post(lgsp_token))
            .route("/lgsp/tracuu", route(Which::Lgsp, Operation::Lookup))
            .route("/lgsp/xacthuc", route(Which::Lgsp, Operation::Check))
            .route("/c06/tracuu", route(Which::C06, Operation::Lookup))
            .route("/c06/xacthuc", route(Which::C06, Operation::Check))
            .route("/tinh/token", post(json_token))
            .route("/tinh/tracuu", route(Which::Json, Operation::Lookup))
            .route("/tinh/xacthuc", route(Which::Json, Operation::Check))
            .route("/admin/faults", get(get_faults).put(put_faults))
            .route("/admin/stats", get(stats))
            .layer(axum::middleware::map_response_with_state(
                Arc::clone(&shared),
                close_when_resetting,
            ))
            .layer(axum::middleware::from_fn(
                move |req: axum::extract::Request, next: axum::middleware::Next| {
                    read_body_within(
                        BodyLimit {
                            max_bytes: MAX_BODY,
                            deadline: limits.body_read_timeout,
                        },
                        BodyRejection::plain_response,
                        req,
                        next,
                    )
                },
            ))
            .with_state(Arc::clone(&shared));
        let (stop, stopped) = oneshot::channel::<()>();
        let listener = ResettingListener::new(listener, Arc::clone(&shared));
        let task = tokio::spawn(serve(listener, app, limits, None, async {
            let _ = stopped.await;
        }));
        Ok(Self {
            addr,
            shared,
            stop: Some(stop),
            task,
        })
    }

    /// The address it listens on.
    #[must_use]
    pub const fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`.
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// The synthetic population it serves.
    #[must_use]
    pub fn population(&self) -> &Population {
        &self.shared.population
    }

    /// Replaces the active faults (as `PUT /admin/faults` does).
    pub fn set_faults(&self, faults: Faults) {
        let mut f = self
            .shared
            .faults
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *f = ActiveFaults {
            faults,
            set_at: Instant::now(),
        };
    }

    /// The dialect of each channel.
    #[must_use]
    pub fn dialects(&self) -> Dialects {
        Dialects {
            lgsp: self.shared.lgsp.preset,
            c06: self.shared.c06.preset,
            provincial_json: self.shared.json.preset,
        }
    }

    /// The connection settings of each channel, keyed like the
    /// `[gateway.<name>]` tables of `dancu.toml`: paths, credentials, and
    /// for a channel set to a preset, the preset and what it needs (the
    /// registered service codes, the extra elements' values).
    #[must_use]
    pub fn channels(&self) -> serde_json::Value {
        let c = &self.shared.creds;
        let base = &self.shared.base_url;
        let lgsp_creds = json!({
            "access_key": c.lgsp_access_key, "secret_key": c.lgsp_secret_key,
            "app_name": c.lgsp_app_name, "partner_code": c.lgsp_partner_code,
            "partner_code_cus": c.lgsp_partner_code_cus,
        });
        let mut lgsp = json!({
            "kind": "lgsp", "base_url": base,
            "lookup_path": "/lgsp/tracuu", "verify_path": "/lgsp/xacthuc",
            "token_path": "/lgsp/token",
        });
        merge(&mut lgsp, &lgsp_creds);
        let c06_preset = self.shared.c06.preset.channel();
        let mut c06 = json!({
            "kind": "c06", "base_url": base,
            "lookup_path": "/c06/tracuu", "verify_path": "/c06/xacthuc",
            "username": c.c06_username, "secret": c.c06_secret,
            "auth_url": self.shared.auth_url(),
            "timestamp_unit": c06_preset.timestamp_unit.as_str(),
        });
        if c06_preset.c06_api_headers {
            merge(
                &mut c06,
                &json!({"api_key": c.c06_api_key, "x_road_client": c.c06_x_road_client}),
            );
        }
        let mut tinh = json!({
            "kind": "provincial_json", "base_url": base,
            "lookup_path": "/tinh/tracuu", "verify_path": "/tinh/xacthuc",
        });
        match self.shared.json.preset.channel().json_auth {
            JsonAuth::BearerKey => merge(&mut tinh, &json!({"api_key": c.json_api_key})),
            JsonAuth::LgspToken => {
                merge(&mut tinh, &json!({"token_path": "/tinh/token"}));
                merge(&mut tinh, &lgsp_creds);
            }
            JsonAuth::None => {}
        }
        let mut channels = serde_json::Map::new();
        for (name, mut table, channel) in [
            ("lgsp", lgsp, &self.shared.lgsp),
            ("c06", c06, &self.shared.c06),
            ("provincial_json", tinh, &self.shared.json),
        ] {
            dialect_settings(&mut table, channel);
            channels.insert(name.to_owned(), table);
        }
        json!({ "base_url": base, "channels": channels })
    }

    /// A `dancu.toml` that `dancu verify` can use against this sandbox
    /// directly: the three channels as gateways `lgsp`, `c06` and
    /// `provincial_json`, an officer, and an audit file next to it.
    #[must_use]
    pub fn config_toml(&self, audit_path: &str) -> String {
        let mut out = String::from(
            "# dancu.toml for a local sandbox (synthetic data; these credentials protect nothing).\n\n\
             [officer]\nid = \"canbo.sandbox\"\nunit = \"000.00.21.H06\"\n\n",
        );
        out.push_str(&format!(
            "[audit]\npath = {audit_path:?}\nsalt_env = \"DANCU_AUDIT_SALT\"\n\n"
        ));
        let channels = self.channels();
        let gateways: toml::Value =
            toml::Value::try_from(json!({ "gateway": channels["channels"] }))
                .unwrap_or_else(|_| toml::Value::Table(toml::Table::new()));
        out.push_str(&toml::to_string(&gateways).unwrap_or_default());
        out
    }

    /// The registry of one channel (`lgsp`, `c06` or `provincial_json`),
    /// configured exactly as the `dancu.toml` of [`Sandbox::config_toml`]
    /// would configure it, with the full resilience stack and, when given,
    /// the audit trail.
    ///
    /// # Errors
    ///
    /// [`RegistryError::Configuration`] for an unknown channel.
    pub fn registry(
        &self,
        channel: &str,
        audit: Option<(Arc<dyn AuditSink>, SubjectHasher)>,
    ) -> Result<Arc<dyn PopulationRegistry>, RegistryError> {
        let configuration = |reason: String| RegistryError::Configuration { reason };
        let config = Config::parse(&self.config_toml("audit.sqlite"), Path::new("."), &|_| None)
            .map_err(|e| configuration(e.to_string()))?;
        let gateway = config
            .gateway(channel)
            .map_err(|e| configuration(e.to_string()))?;
        connect::registry(gateway, None, audit)
    }

    /// Stops accepting, finishes in-flight requests and shuts down.
    ///
    /// # Errors
    ///
    /// When the server failed.
    pub async fn shutdown(mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task).await.map_err(io::Error::other)?
    }
}

// ---------------------------------------------------------------------------
// Faults applied before answering
// ---------------------------------------------------------------------------

fn xml_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Outage, quota, latency and injected 5xx. `Some(response)` short-cuts.
async fn before(shared: &Shared) -> Option<Response> {
    let (faults, set_at) = shared.faults();
    if let Some(o) = faults.outage {
        let since = set_at.elapsed();
        let start = Duration::from_millis(o.start_after_ms);
        if since >= start && since < start.saturating_add(Duration::from_millis(o.duration_ms)) {
            shared.faulted.fetch_add(1, Ordering::Relaxed);
            return Some((StatusCode::SERVICE_UNAVAILABLE, "outage").into_response());
        }
    }
    if let Some(limit) = faults.quota_per_second {
        let second = now_secs();
        let over = {
            let mut q = shared
                .quota
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if q.0 != second {
                *q = (second, 0);
            }
            q.1 = q.1.saturating_add(1);
            q.1 > limit
        };
        if over {
            shared.faulted.fetch_add(1, Ordering::Relaxed);
            let after = faults.retry_after_s.unwrap_or(1);
            return Some(
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, after.to_string())],
                    "quota exceeded",
                )
                    .into_response(),
            );
        }
    }
    if let Some(latency) = faults.latency_ms {
        tokio::time::sleep(latency.sample(rand::random())).await;
    }
    if faults.error_rate > 0.0 && rand::random::<f64>() < faults.error_rate {
        shared.faulted.fetch_add(1, Ordering::Relaxed);
        let status = [
            StatusCode::INTERNAL_SERVER_ERROR,
            StatusCode::BAD_GATEWAY,
            StatusCode::SERVICE_UNAVAILABLE,
            StatusCode::GATEWAY_TIMEOUT,
        ][rand::random_range(0..4)];
        return Some((status, "injected failure").into_response());
    }
    if faults.server_fault_rate > 0.0 && rand::random::<f64>() < faults.server_fault_rate {
        shared.faulted.fetch_add(1, Ordering::Relaxed);
        return Some(xml_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            encode_fault(FaultCode::Server, "Loi xu ly tai he thong CSDLQG ve dan cu"),
        ));
    }
    None
}

/// Replaces a share of successful answers with a malformed body.
fn after(shared: &Shared, response: Response) -> Response {
    let rate = shared.faults().0.malformed_rate;
    if rate > 0.0 && rand::random::<f64>() < rate {
        shared.faulted.fetch_add(1, Ordering::Relaxed);
        let body = match rand::random_range(0..3) {
            0 => {
                "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><ns1:CongdanCollection"
            }
            1 => "<html><body><h1>502 Bad Gateway</h1></body></html>",
            _ => "{\"error\": \"unexpected\"}",
        };
        return (StatusCode::OK, [(header::CONTENT_TYPE, "text/xml")], body).into_response();
    }
    shared.served.fetch_add(1, Ordering::Relaxed);
    response
}

/// While connection resets are injected, every answer closes its
/// connection, so each request comes on a fresh one and gets its chance of
/// being reset (resets happen at accept time).
async fn close_when_resetting(
    State(shared): State<Arc<Shared>>,
    mut response: Response,
) -> Response {
    if shared.faults().0.reset_rate > 0.0 {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

fn unauthorized(why: &'static str) -> Response {
    (StatusCode::UNAUTHORIZED, why).into_response()
}

// ---------------------------------------------------------------------------
// Authentication per channel
// ---------------------------------------------------------------------------

fn lgsp_access_ok(shared: &Shared, headers: &HeaderMap) -> bool {
    let Some(raw) = headers.get("lgspaccesstoken").and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Ok(a) = LgspCredentials::from_header(raw) else {
        return false;
    };
    let c = &shared.creds;
    a.access_key == c.lgsp_access_key
        && a.secret_key.expose() == c.lgsp_secret_key
        && a.app_name == c.lgsp_app_name
        && a.partner_code == c.lgsp_partner_code
        && a.partner_code_cus == c.lgsp_partner_code_cus
}

async fn lgsp_token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    issue_token(&shared, &headers, &body).await
}

async fn json_token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if shared.json.preset.channel().json_auth != JsonAuth::LgspToken {
        return (StatusCode::NOT_FOUND, "this channel issues no token").into_response();
    }
    issue_token(&shared, &headers, &body).await
}

async fn issue_token(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Response {
    if let Some(r) = before(shared).await {
        return r;
    }
    let form = String::from_utf8_lossy(body);
    let grant_ok = form
        .split('&')
        .any(|kv| kv.trim() == "grant_type=client_credentials");
    if !grant_ok {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": "unsupported_grant_type"})),
        )
            .into_response();
    }
    if !lgsp_access_ok(shared, headers) {
        return unauthorized("invalid lgspaccesstoken");
    }
    let lifetime = shared.faults().0.token_lifetime();
    let token = format!("{:032x}", rand::random::<u128>());
    {
        let mut tokens = shared
            .tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        tokens.mint(token.clone(), now, now.checked_add(lifetime).unwrap_or(now));
    }
    shared.served.fetch_add(1, Ordering::Relaxed);
    axum::Json(json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": lifetime.as_secs(),
    }))
    .into_response()
}

fn lgsp_auth(shared: &Shared, headers: &HeaderMap) -> Result<(), &'static str> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let valid = token.is_some_and(|t| {
        shared
            .tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .valid(t.trim(), Instant::now())
    });
    if valid && lgsp_access_ok(shared, headers) {
        Ok(())
    } else {
        Err("missing, invalid or expired token")
    }
}

fn c06_auth(shared: &Shared, headers: &HeaderMap) -> Result<(), &'static str> {
    let h = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let c = &shared.creds;
    let channel = shared.c06.preset.channel();
    // Only the dialects whose client sends them check ApiKey and X-Road-Client.
    if channel.c06_api_headers {
        if h("ApiKey") != Some(c.c06_api_key.as_str()) {
            return Err("invalid ApiKey");
        }
        if h("X-Road-Client") != Some(c.c06_x_road_client.as_str()) {
            return Err("invalid X-Road-Client");
        }
    }
    let timestamp = h("Timestamp").ok_or("missing Timestamp")?;
    let authorization = h("Authorization").ok_or("missing Basic authorization")?;
    shared
        .c06_verifier
        .verify(timestamp, authorization, SystemTime::now())
        .map_err(|e| match e {
            dancu_wire::auth::C06AuthError::BadTimestamp => "invalid Timestamp",
            dancu_wire::auth::C06AuthError::OutsideSkew => "Timestamp outside the skew window",
            _ => "invalid credentials",
        })
}

fn json_auth(shared: &Shared, headers: &HeaderMap) -> Result<(), &'static str> {
    match shared.json.preset.channel().json_auth {
        JsonAuth::None => Ok(()),
        JsonAuth::LgspToken => lgsp_auth(shared, headers),
        JsonAuth::BearerKey => {
            let bearer = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "));
            if bearer.map(str::trim) == Some(shared.creds.json_api_key.as_str()) {
                Ok(())
            } else {
                Err("invalid API key")
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Channels: authentication, then the one server implementation
// ---------------------------------------------------------------------------

fn respond(reply: ServerReply) -> Response {
    (
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        [(header::CONTENT_TYPE, reply.content_type)],
        reply.body,
    )
        .into_response()
}

/// A channel's check of a request's credentials.
type Authenticate = fn(&Shared, &HeaderMap) -> Result<(), &'static str>;

#[derive(Clone, Copy)]
enum Which {
    Lgsp,
    C06,
    Json,
}

impl Which {
    /// The channel this names.
    fn of(self, shared: &Shared) -> &Channel {
        match self {
            Self::Lgsp => &shared.lgsp,
            Self::C06 => &shared.c06,
            Self::Json => &shared.json,
        }
    }
}

async fn channel(
    shared: Arc<Shared>,
    headers: HeaderMap,
    body: Bytes,
    which: Which,
    op: Operation,
) -> Response {
    if let Some(r) = before(&shared).await {
        return r;
    }
    let auth: Authenticate = match which {
        Which::Lgsp => lgsp_auth,
        Which::C06 => c06_auth,
        Which::Json => json_auth,
    };
    let channel = which.of(&shared);
    // A gateway's HTTP binding reads its own format only, before anything
    // else: SOAP as XML, JSON as JSON.
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let refused = match which {
        Which::Lgsp | Which::C06 => channel.side.refuse_soap_media_type(content_type),
        Which::Json => channel.side.refuse_json_media_type(content_type),
    };
    if let Some(reply) = refused {
        return after(&shared, respond(reply));
    }
    if let Err(why) = auth(&shared, &headers) {
        return unauthorized(why);
    }
    let today = CalendarDate::today_in_vietnam();
    // A share of requests the gateway reads, then refuses in its dialect.
    let rejected_rate = shared.faults().0.rejected_rate;
    let refuse = rejected_rate > 0.0 && rand::random::<f64>() < rejected_rate;
    let reply = if body.len() <= dancu_wire::DECODE_INLINE_MAX_BYTES {
        answer(&shared, which, op, &body, today, refuse).await
    } else {
        // Reading a large request is CPU work: off the executor, so it never
        // stalls the requests sharing it.
        let handle = tokio::runtime::Handle::current();
        let on = Arc::clone(&shared);
        tokio::task::spawn_blocking(move || {
            handle.block_on(answer(&on, which, op, &body, today, refuse))
        })
        .await
        .unwrap_or_else(|_| ServerReply {
            status: 500,
            content_type: "text/plain; charset=utf-8",
            body: "the request could not be read".to_owned(),
        })
    };
    if refuse {
        shared.faulted.fetch_add(1, Ordering::Relaxed);
        return respond(reply);
    }
    after(&shared, respond(reply))
}

/// One channel's answer to a request that passed its binding and
/// credentials; with `refuse`, the gateway's refusal of it.
async fn answer(
    shared: &Shared,
    which: Which,
    op: Operation,
    body: &[u8],
    today: CalendarDate,
    refuse: bool,
) -> ServerReply {
    let channel = which.of(shared);
    if refuse {
        return match which {
            Which::Lgsp | Which::C06 => {
                let side = &channel.side;
                side.answer_soap(&Refusing, Some(op), body, today, Some(AS_OF))
                    .await
            }
            Which::Json => {
                let side = &channel.side;
                side.answer_json(&Refusing, op, body, today, Some(AS_OF))
                    .await
            }
        };
    }
    match which {
        // SOAP has no slot for the citizen OTP: OTP-flagged citizens answer
        // like any other.
        Which::Lgsp | Which::C06 => {
            channel
                .side
                .answer_soap(&shared.without_otp, Some(op), body, today, Some(AS_OF))
                .await
        }
        Which::Json => {
            let registry = if channel.side.dialect.citizen_otp {
                &shared.with_otp
            } else {
                &shared.without_otp
            };
            channel
                .side
                .answer_json(registry, op, body, today, Some(AS_OF))
                .await
        }
    }
}

/// The registry behind a channel when `rejected_rate` picks a request: it
/// refuses every lookup and check with [`REJECTION_TEXT`].
#[derive(Debug)]
struct Refusing;

#[async_trait::async_trait]
impl PopulationRegistry for Refusing {
    fn info(&self) -> RegistryInfo {
        RegistryInfo {
            name: "sandbox".to_owned(),
            channel: "in_memory",
        }
    }

    async fn lookup(
        &self,
        _ctx: &RequestContext,
        _query: &IdentityQuery,
    ) -> Result<Reply<LookupOutcome>, RegistryError> {
        Err(RegistryError::Rejected {
            fault: REJECTION_TEXT.to_owned(),
        })
    }

    async fn check(
        &self,
        _ctx: &RequestContext,
        _query: &IdentityQuery,
    ) -> Result<Reply<CheckOutcome>, RegistryError> {
        Err(RegistryError::Rejected {
            fault: REJECTION_TEXT.to_owned(),
        })
    }
}

/// The route of one channel's operation.
fn route(which: Which, op: Operation) -> MethodRouter<Arc<Shared>> {
    post(move |State(s): State<Arc<Shared>>, h: HeaderMap, b: Bytes| channel(s, h, b, which, op))
}

// ---------------------------------------------------------------------------
// Admin
// ---------------------------------------------------------------------------

async fn get_faults(State(shared): State<Arc<Shared>>) -> Response {
    axum::Json(shared.faults().0).into_response()
}

async fn put_faults(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let text = String::from_utf8_lossy(&body);
    match Faults::parse(&text) {
        Ok(faults) => {
            let mut f = shared
                .faults
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *f = ActiveFaults {
                faults: faults.clone(),
                set_at: Instant::now(),
            };
            axum::Json(faults).into_response()
        }
        Err(e) => (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    }
}

async fn stats(State(shared): State<Arc<Shared>>) -> Response {
    let mut r = axum::Json(json!({
        "citizens": shared.population.len(),
        "served": shared.served.load(Ordering::Relaxed),
        "faulted": shared.faulted.load(Ordering::Relaxed),
    }))
    .into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_expire_and_minting_stays_constant_time() {
        let mut tokens = Tokens::default();
        let t0 = Instant::now();
        let later = t0 + Duration::from_secs(10);
        tokens.mint("a".into(), t0, t0);
        tokens.mint("b".into(), t0, later);
        assert!(!tokens.valid("a", t0), "expired at once");
        assert!(tokens.valid("b", t0));
        assert_eq!(tokens.expiry.len(), 1, "the expired token was dropped");
        // 300,000 live tokens: each mint is O(1), not a scan of them all
        // (a scan per mint is 4.5e10 steps).
        let started = Instant::now();
        for i in 0..300_000_u32 {
            tokens.mint(format!("{i:032x}"), t0, later);
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(tokens.expiry.len(), 300_001);
        assert!(tokens.valid(&format!("{:032x}", 299_999), t0));
        // Once they have all expired, the next mint drops every one.
        tokens.mint("c".into(), later, later + Duration::from_secs(1));
        assert_eq!(tokens.expiry.len(), 1);
        assert_eq!(tokens.order.len(), 1);
        assert!(tokens.valid("c", later));
    }
}
