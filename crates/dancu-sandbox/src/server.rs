//! The sandbox HTTP server: the three gateway channels over one loopback
//! listener, with fault injection and an admin endpoint.
//!
//! | path | channel |
//! |---|---|
//! | `POST /lgsp/token`, `/lgsp/tracuu`, `/lgsp/xacthuc` | LGSP (token, lookup, check) |
//! | `POST /c06/tracuu`, `/c06/xacthuc` | C06 direct |
//! | `POST /tinh/tracuu`, `/tinh/xacthuc` | provincial JSON |
//! | `GET`/`PUT /admin/faults`, `GET /admin/stats` | fault injection, counters |

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use dancu_core::CalendarDate;
use dancu_core::registry::{AuditSink, Operation, PopulationRegistry, RegistryError};
use dancu_popdb::audit::SubjectHasher;
use dancu_popdb::config::Config;
use dancu_popdb::connect;
use dancu_popdb::gateway::json;
use dancu_popdb::gateway::soap::{self, FaultCode, RequestFault, WireRequest};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use crate::faults::Faults;
use crate::population::{AS_OF, Match, Population};

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
        }
    }
}

struct ActiveFaults {
    faults: Faults,
    set_at: Instant,
}

struct Shared {
    population: Population,
    creds: Credentials,
    base_url: String,
    skew: Duration,
    faults: RwLock<ActiveFaults>,
    tokens: Mutex<HashMap<String, Instant>>,
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

/// A listener that resets a share of connections (`reset_rate`) at accept
/// time: the socket is closed with `SO_LINGER` 0, so the client sees a
/// connection reset before any answer.
struct ResettingListener {
    inner: TcpListener,
    shared: Arc<Shared>,
}

impl axum::serve::Listener for ResettingListener {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, addr)) => {
                    let rate = self.shared.faults().0.reset_rate;
                    if rate > 0.0 && rand::random::<f64>() < rate {
                        self.shared.faulted.fetch_add(1, Ordering::Relaxed);
                        // A zero linger sends RST at once and never blocks
                        // (the deprecation is about non-zero lingers).
                        #[allow(deprecated)]
                        let _ = stream.set_linger(Some(Duration::ZERO));
                        drop(stream);
                        continue;
                    }
                    let _ = stream.set_nodelay(true);
                    return (stream, addr);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

impl Sandbox {
    /// Generates the population and starts serving.
    ///
    /// # Errors
    ///
    /// When the address cannot be bound.
    pub async fn start(config: SandboxConfig) -> io::Result<Self> {
        let listener = TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        let population =
            tokio::task::spawn_blocking(move || Population::generate(config.seed, config.citizens))
                .await
                .map_err(io::Error::other)?;
        let shared = Arc::new(Shared {
            population,
            creds: config.credentials,
            base_url: format!("http://{addr}"),
            skew: config.skew,
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
            .route("/lgsp/tracuu", post(lgsp_lookup))
            .route("/lgsp/xacthuc", post(lgsp_check))
            .route("/c06/tracuu", post(c06_lookup))
            .route("/c06/xacthuc", post(c06_check))
            .route("/tinh/tracuu", post(json_lookup))
            .route("/tinh/xacthuc", post(json_check))
            .route("/admin/faults", get(get_faults).put(put_faults))
            .route("/admin/stats", get(stats))
            .layer(axum::middleware::map_response_with_state(
                Arc::clone(&shared),
                close_when_resetting,
            ))
            .with_state(Arc::clone(&shared));
        let (stop, stopped) = oneshot::channel::<()>();
        let listener = ResettingListener {
            inner: listener,
            shared: Arc::clone(&shared),
        };
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
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

    /// The connection settings of each channel, keyed like the
    /// `[gateway.<name>]` tables of `dancu.toml`.
    #[must_use]
    pub fn channels(&self) -> serde_json::Value {
        let c = &self.shared.creds;
        let base = &self.shared.base_url;
        json!({
            "base_url": base,
            "channels": {
                "lgsp": {
                    "kind": "lgsp", "base_url": base,
                    "lookup_path": "/lgsp/tracuu", "verify_path": "/lgsp/xacthuc",
                    "token_path": "/lgsp/token",
                    "access_key": c.lgsp_access_key, "secret_key": c.lgsp_secret_key,
                    "app_name": c.lgsp_app_name, "partner_code": c.lgsp_partner_code,
                    "partner_code_cus": c.lgsp_partner_code_cus,
                },
                "c06": {
                    "kind": "c06", "base_url": base,
                    "lookup_path": "/c06/tracuu", "verify_path": "/c06/xacthuc",
                    "username": c.c06_username, "secret": c.c06_secret,
                    "api_key": c.c06_api_key, "x_road_client": c.c06_x_road_client,
                    "auth_url": self.shared.auth_url(), "timestamp_unit": "ms",
                },
                "provincial_json": {
                    "kind": "provincial_json", "base_url": base,
                    "lookup_path": "/tinh/tracuu", "verify_path": "/tinh/xacthuc",
                    "api_key": c.json_api_key,
                },
            },
        })
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
            "[audit]\npath = {audit_path:?}\nsalt_env = \"DANCU_AUDIT_SALT\"\n"
        ));
        let channels = self.channels();
        if let Some(map) = channels["channels"].as_object() {
            for (name, table) in map {
                out.push_str(&format!("\n[gateway.{name}]\n"));
                if let Some(fields) = table.as_object() {
                    for (k, v) in fields {
                        out.push_str(&format!("{k} = {v}\n"));
                    }
                }
            }
        }
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
        if since >= start && since < start + Duration::from_millis(o.duration_ms) {
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
            q.1 += 1;
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
            soap::encode_fault(FaultCode::Server, "Loi xu ly tai he thong CSDLQG ve dan cu"),
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

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LgspAccess {
    access_key: String,
    secret_key: String,
    app_name: String,
    partner_code: String,
    #[serde(default)]
    partner_code_cus: String,
}

fn lgsp_access_ok(shared: &Shared, headers: &HeaderMap) -> bool {
    let Some(raw) = headers.get("lgspaccesstoken").and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Ok(json) = B64.decode(raw.trim()) else {
        return false;
    };
    let Ok(a) = serde_json::from_slice::<LgspAccess>(&json) else {
        return false;
    };
    let c = &shared.creds;
    a.access_key == c.lgsp_access_key
        && a.secret_key == c.lgsp_secret_key
        && a.app_name == c.lgsp_app_name
        && a.partner_code == c.lgsp_partner_code
        && a.partner_code_cus == c.lgsp_partner_code_cus
}

async fn lgsp_token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(r) = before(&shared).await {
        return r;
    }
    let form = String::from_utf8_lossy(&body);
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
    if !lgsp_access_ok(&shared, &headers) {
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
        tokens.retain(|_, expiry| *expiry > now);
        tokens.insert(token.clone(), now + lifetime);
    }
    shared.served.fetch_add(1, Ordering::Relaxed);
    axum::Json(json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": lifetime.as_secs(),
    }))
    .into_response()
}

fn lgsp_authorized(shared: &Shared, headers: &HeaderMap) -> bool {
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    let valid = shared
        .tokens
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(token.trim())
        .is_some_and(|expiry| *expiry > Instant::now());
    valid && lgsp_access_ok(shared, headers)
}

fn c06_authorized(shared: &Shared, headers: &HeaderMap) -> Result<(), &'static str> {
    let h = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let c = &shared.creds;
    if h("ApiKey") != Some(c.c06_api_key.as_str()) {
        return Err("invalid ApiKey");
    }
    if h("X-Road-Client") != Some(c.c06_x_road_client.as_str()) {
        return Err("invalid X-Road-Client");
    }
    let ts_text = h("Timestamp").ok_or("missing Timestamp")?;
    let ts: u64 = ts_text.trim().parse().map_err(|_| "invalid Timestamp")?;
    // Milliseconds in some deployments, seconds in others.
    let secs = if ts > 100_000_000_000 { ts / 1000 } else { ts };
    if now_secs().abs_diff(secs) > shared.skew.as_secs() {
        return Err("Timestamp outside the skew window");
    }
    let basic = h("Authorization")
        .and_then(|v| v.strip_prefix("Basic "))
        .ok_or("missing Basic authorization")?;
    let decoded = B64
        .decode(basic.trim())
        .map_err(|_| "invalid Basic authorization")?;
    let decoded = String::from_utf8(decoded).map_err(|_| "invalid Basic authorization")?;
    let (user, hash) = decoded
        .split_once(':')
        .ok_or("invalid Basic authorization")?;
    let expected = Sha256::digest(
        format!(
            "{}{}{}{}",
            shared.auth_url(),
            user,
            ts_text.trim(),
            c.c06_secret
        )
        .as_bytes(),
    );
    let expected: String = expected.iter().map(|b| format!("{b:02x}")).collect();
    if user != c.c06_username || hash != expected {
        return Err("invalid credentials");
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// SOAP channels
// ---------------------------------------------------------------------------

fn fault_response(fault: &RequestFault) -> Response {
    xml_response(StatusCode::INTERNAL_SERVER_ERROR, fault.to_envelope())
}

fn client_fault(text: &str) -> Response {
    xml_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        soap::encode_fault(FaultCode::Client, text),
    )
}

fn check_codes(request: &WireRequest, expected: Operation) -> Result<(), String> {
    if request.operation != expected {
        return Err(format!(
            "{} is not served at this address",
            match request.operation {
                Operation::Lookup => "TraCuuThongTinCongDan",
                Operation::Check => "XacThucThongTinCongDan",
            }
        ));
    }
    let ok = match expected {
        Operation::Lookup => request.integration_code == "037",
        Operation::Check => matches!(request.integration_code.as_str(), "033" | "003"),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "MaTichHop {} is not registered for this operation",
            request.integration_code
        ))
    }
}

fn answer_soap(shared: &Shared, body: &[u8], op: Operation) -> Response {
    let request = match soap::decode_request(body) {
        Ok(r) => r,
        Err(fault) => return fault_response(&fault),
    };
    if let Err(text) = check_codes(&request, op) {
        return client_fault(&text);
    }
    let query = match request.to_query(CalendarDate::today_in_vietnam()) {
        Ok(q) => q,
        Err(fault) => return fault_response(&fault),
    };
    // The one-time password is a step of the provincial JSON channel only;
    // the SOAP channels answer for OTP-flagged citizens like any other.
    let found = match shared.population.find_ignoring_otp(&query) {
        Some(i) => shared.population.record(i),
        None => None,
    };
    let body = match op {
        Operation::Lookup => soap::encode_lookup_response(found.as_ref(), AS_OF),
        Operation::Check => soap::encode_check_response(found.is_some()),
    };
    after(shared, xml_response(StatusCode::OK, body))
}

async fn soap_channel(
    shared: Arc<Shared>,
    headers: HeaderMap,
    body: Bytes,
    op: Operation,
    auth: fn(&Shared, &HeaderMap) -> Result<(), &'static str>,
) -> Response {
    if let Some(r) = before(&shared).await {
        return r;
    }
    if let Err(why) = auth(&shared, &headers) {
        return unauthorized(why);
    }
    answer_soap(&shared, &body, op)
}

fn lgsp_auth(shared: &Shared, headers: &HeaderMap) -> Result<(), &'static str> {
    if lgsp_authorized(shared, headers) {
        Ok(())
    } else {
        Err("missing, invalid or expired token")
    }
}

async fn lgsp_lookup(State(s): State<Arc<Shared>>, h: HeaderMap, b: Bytes) -> Response {
    soap_channel(s, h, b, Operation::Lookup, lgsp_auth).await
}

async fn lgsp_check(State(s): State<Arc<Shared>>, h: HeaderMap, b: Bytes) -> Response {
    soap_channel(s, h, b, Operation::Check, lgsp_auth).await
}

async fn c06_lookup(State(s): State<Arc<Shared>>, h: HeaderMap, b: Bytes) -> Response {
    soap_channel(s, h, b, Operation::Lookup, c06_authorized).await
}

async fn c06_check(State(s): State<Arc<Shared>>, h: HeaderMap, b: Bytes) -> Response {
    soap_channel(s, h, b, Operation::Check, c06_authorized).await
}

// ---------------------------------------------------------------------------
// Provincial JSON channel
// ---------------------------------------------------------------------------

fn json_reply(code: i64, message: &str) -> Response {
    axum::Json(json!({"error_code": code, "message": message})).into_response()
}

async fn json_channel(
    shared: Arc<Shared>,
    headers: HeaderMap,
    body: Bytes,
    op: Operation,
) -> Response {
    if let Some(r) = before(&shared).await {
        return r;
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if bearer.map(str::trim) != Some(shared.creds.json_api_key.as_str()) {
        return unauthorized("invalid API key");
    }
    let request = match json::decode_json_request(op, &body) {
        Ok(r) => r,
        Err(fault) => return json_reply(2, &fault.text),
    };
    if let Err(text) = check_codes(&request.request, op) {
        return json_reply(2, &text);
    }
    let query = match request.to_query(CalendarDate::today_in_vietnam()) {
        Ok(q) => q,
        Err(fault) if fault.text.starts_with("OTP") => return json_reply(1, json::OTP_REJECTED),
        Err(fault) => return json_reply(2, &fault.text),
    };
    let body = match shared.population.find(&query) {
        Match::OtpRequired => json::encode_json_reply(1, json::OTP_REQUIRED),
        Match::OtpRejected => json::encode_json_reply(1, json::OTP_REJECTED),
        Match::Citizen(i) => match op {
            Operation::Lookup => {
                json::encode_lookup_reply(shared.population.record(i).as_ref(), AS_OF)
            }
            Operation::Check => json::encode_check_reply(true),
        },
        Match::None => match op {
            Operation::Lookup => json::encode_lookup_reply(None, AS_OF),
            Operation::Check => json::encode_check_reply(false),
        },
    };
    let response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response();
    after(&shared, response)
}

async fn json_lookup(State(s): State<Arc<Shared>>, h: HeaderMap, b: Bytes) -> Response {
    json_channel(s, h, b, Operation::Lookup).await
}

async fn json_check(State(s): State<Arc<Shared>>, h: HeaderMap, b: Bytes) -> Response {
    json_channel(s, h, b, Operation::Check).await
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
