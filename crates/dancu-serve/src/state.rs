//! The service built from `dancu.toml`: one registry stack per gateway
//! over one audit trail, the dossier store, the clients and the counters.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use async_trait::async_trait;
use axum::Router;
use dancu_core::Timestamp;
use dancu_core::dossier::DossierStore;
use dancu_core::registry::{
    AuditCompletion, AuditEntry, AuditError, AuditQuery, AuditRecord, AuditSink, AuditTicket,
    GatewayQuota, PopulationRegistry,
};
use dancu_dossier_sqlite::SqliteDossierStore;
use dancu_popdb::Secret;
use dancu_popdb::audit::{SqliteAuditSink, SubjectHasher};
use dancu_popdb::config::{Config, StoreLocation};
use dancu_postgres::Database;
use tokio::sync::Semaphore;

use crate::clients::Clients;
use crate::error::ServeError;
use crate::metrics::Metrics;
use crate::settings::{self, ServeSettings};
use crate::stores;

/// The service: build it from a configuration file with
/// [`Service::from_config`], then serve its [`Service::router`] (or let
/// [`crate::run`] do both).
#[derive(Clone, Debug)]
pub struct Service {
    pub(crate) shared: Arc<Shared>,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) settings: ServeSettings,
    pub(crate) clients: Clients,
    pub(crate) gateways: BTreeMap<String, Arc<dyn PopulationRegistry>>,
    pub(crate) audit: Arc<dyn AuditSink>,
    pub(crate) hasher: SubjectHasher,
    pub(crate) dossiers: Option<Arc<dyn DossierStore>>,
    pub(crate) lookups: Semaphore,
    pub(crate) metrics: Arc<Metrics>,
    /// Cleared when the audit trail fails a write, set again when one
    /// succeeds: `/readyz` says whether lookups can be audited.
    pub(crate) audit_ok: Arc<AtomicBool>,
    /// The PostgreSQL databases the stores are in, by store: `/readyz`
    /// asks each whether it answers.
    pub(crate) databases: Vec<(&'static str, Database)>,
}

/// What the configuration says, before any store is opened.
struct Read {
    settings: ServeSettings,
    clients: Clients,
    dossiers: Option<StoreLocation>,
    quota: Option<StoreLocation>,
    audit: StoreLocation,
    hasher: SubjectHasher,
}

impl Read {
    /// `[serve]` and `[dossiers]` first, then `[audit]` and its salt.
    fn of(
        config: &Config,
        base: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ServeError> {
        let (settings, clients) = settings::parse_serve(config.section("serve"), base, env)?;
        let dossiers = settings::parse_dossiers(config.section("dossiers"), base)?;
        let quota = settings::parse_quota(config.section("quota"), base)?;
        let audit_cfg = config.audit.as_ref().ok_or_else(|| {
            ServeError::Config("no [audit] table: every lookup must be audited".into())
        })?;
        let salt = env(&audit_cfg.salt_env).ok_or_else(|| {
            ServeError::Config(format!(
                "[audit].salt_env: environment variable {} is not set",
                audit_cfg.salt_env
            ))
        })?;
        let hasher = SubjectHasher::new(Secret::new(salt)).map_err(|e| {
            ServeError::Config(format!("[audit] salt in {}: {e}", audit_cfg.salt_env))
        })?;
        Ok(Self {
            settings,
            clients,
            dossiers,
            quota,
            audit: audit_cfg.store.clone(),
            hasher,
        })
    }
}

impl Service {
    /// Reads `path` (`dancu.toml`: its gateways, `[audit]`, `[officer]`,
    /// `[serve]` and `[dossiers]`), opens the audit trail and the dossier
    /// store, and builds every gateway's stack. Secrets come from the
    /// process environment. SQLite stores only: a PostgreSQL one needs
    /// [`Service::open_config`].
    ///
    /// # Errors
    ///
    /// [`ServeError`], naming the setting or file to fix.
    pub fn from_config(path: &Path) -> Result<Self, ServeError> {
        let config = Config::load(path).map_err(|e| ServeError::Config(e.to_string()))?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        Self::new(&config, base, &|v| std::env::var(v).ok())
    }

    /// As [`Service::from_config`], with stores of either kind: SQLite
    /// files or PostgreSQL databases (connected to, and migrated, here).
    ///
    /// # Errors
    ///
    /// [`ServeError`], naming the setting, file or database to fix.
    pub async fn open_config(path: &Path) -> Result<Self, ServeError> {
        let config = Config::load(path).map_err(|e| ServeError::Config(e.to_string()))?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        Self::open(&config, base, &|v| std::env::var(v).ok()).await
    }

    /// Builds the service from a loaded configuration; `base` anchors the
    /// relative paths of `[serve]` and `[dossiers]`, `env` reads variables.
    /// SQLite stores only (opening one blocks briefly); a PostgreSQL one
    /// needs [`Service::open`].
    ///
    /// # Errors
    ///
    /// [`ServeError`], naming the setting or file to fix.
    pub fn new(
        config: &Config,
        base: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ServeError> {
        let read = Read::of(config, base, env)?;
        let postgres = |what: &'static str| ServeError::Postgres {
            what,
            reason: "a PostgreSQL store is opened by Service::open (async), not Service::new"
                .into(),
        };
        let audit = match &read.audit {
            StoreLocation::Sqlite(path) => {
                Arc::new(SqliteAuditSink::open(path).map_err(|e| ServeError::Audit {
                    path: path.clone(),
                    reason: e.to_string(),
                })?) as Arc<dyn AuditSink>
            }
            StoreLocation::Postgres(_) => return Err(postgres("[audit]")),
        };
        let dossiers = match &read.dossiers {
            Some(StoreLocation::Sqlite(p)) => {
                let store = SqliteDossierStore::open(p).map_err(|e| ServeError::Dossiers {
                    path: p.clone(),
                    reason: e.to_string(),
                })?;
                Some(Arc::new(store) as Arc<dyn DossierStore>)
            }
            Some(StoreLocation::Postgres(_)) => return Err(postgres("[dossiers]")),
            None => None,
        };
        if read.quota.is_some() {
            return Err(postgres("[quota]"));
        }
        Self::assemble(config, read, audit, dossiers, BTreeMap::new(), Vec::new())
    }

    /// Builds the service from a loaded configuration, as [`Service::new`],
    /// with stores of either kind: a PostgreSQL store is connected to and
    /// its schema migrated before the service is built, so a service that
    /// starts can audit.
    ///
    /// # Errors
    ///
    /// [`ServeError`], naming the setting, file or database to fix.
    pub async fn open(
        config: &Config,
        base: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ServeError> {
        let read = Read::of(config, base, env)?;
        let mut databases = Vec::new();
        let (audit, db) = stores::open_audit(&read.audit, env).await?;
        databases.extend(db.map(|d| ("audit", d)));
        let dossiers = match &read.dossiers {
            Some(location) => {
                let (store, db) = stores::open_dossiers(location, env).await?;
                databases.extend(db.map(|d| ("dossiers", d)));
                Some(store)
            }
            None => None,
        };
        let mut quotas = BTreeMap::new();
        if let Some(StoreLocation::Postgres(pg)) = &read.quota {
            let db = stores::connect_postgres("[quota]", pg, env).await?;
            for (name, gateway) in &config.gateways {
                let r = gateway.resilience();
                if r.rate_per_second.is_none() && r.max_concurrency.is_none() {
                    continue;
                }
                // A claim outlives any call of the gateway: a slot of an
                // instance that died is free again soon after.
                let lease = r.deadline.saturating_add(std::time::Duration::from_secs(5));
                let quota = dancu_postgres::PgGatewayQuota::new(
                    db.clone(),
                    name,
                    r.rate_per_second,
                    r.max_concurrency,
                    lease,
                )
                .await
                .map_err(|e| ServeError::Postgres {
                    what: "[quota]",
                    reason: e.to_string(),
                })?;
                quotas.insert(name.clone(), Arc::new(quota) as Arc<dyn GatewayQuota>);
            }
            databases.push(("quota", db));
        }
        Self::assemble(config, read, audit, dossiers, quotas, databases)
    }

    fn assemble(
        config: &Config,
        read: Read,
        audit: Arc<dyn AuditSink>,
        dossiers: Option<Arc<dyn DossierStore>>,
        mut quotas: BTreeMap<String, Arc<dyn GatewayQuota>>,
        databases: Vec<(&'static str, Database)>,
    ) -> Result<Self, ServeError> {
        let Read {
            settings,
            clients,
            hasher,
            ..
        } = read;
        let metrics = Arc::new(Metrics::default());
        let audit_ok = Arc::new(AtomicBool::new(true));
        let audit: Arc<dyn AuditSink> = Arc::new(Metered {
            inner: audit,
            metrics: Arc::clone(&metrics),
            ok: Arc::clone(&audit_ok),
        });
        // One connection pool for every gateway.
        let client = reqwest::Client::builder()
            .build()
            .map_err(|e| ServeError::Config(format!("the HTTP client: {e}")))?;
        let mut gateways = BTreeMap::new();
        for name in config.gateways.keys() {
            let stack = dancu_popdb::connect::configured_sharing(
                config,
                name,
                Some(&client),
                Some((Arc::clone(&audit), hasher.clone())),
                quotas.remove(name),
            )
            .map_err(|e| ServeError::Config(e.to_string()))?;
            gateways.insert(name.clone(), stack);
        }
        let mut settings = settings;
        if settings.console.enabled {
            match &settings.console.gateway {
                Some(g) if !gateways.contains_key(g) => {
                    return Err(ServeError::Config(format!(
                        "[serve.console].gateway: no [gateway.{g}] is configured"
                    )));
                }
                Some(_) => {}
                None => {
                    let first = gateways.keys().next().cloned().ok_or_else(|| {
                        ServeError::Config(
                            "[serve.console]: the console needs a configured [gateway.<name>]"
                                .into(),
                        )
                    })?;
                    settings.console.gateway = Some(first);
                }
            }
        }
        let lookups = Semaphore::new(settings.max_concurrent_lookups);
        Ok(Self {
            shared: Arc::new(Shared {
                settings,
                clients,
                gateways,
                audit,
                hasher,
                dossiers,
                lookups,
                metrics,
                audit_ok,
                databases,
            }),
        })
    }

    /// The settings of `[serve]`.
    #[must_use]
    pub fn settings(&self) -> &ServeSettings {
        &self.shared.settings
    }

    /// The HTTP routes: `/v1/…`, `/healthz`, `/readyz`, `/metrics`,
    /// `/openapi.json`, and `/console/` when `[serve.console]` enables it.
    pub fn router(&self) -> Router {
        crate::routes::router(self.clone())
    }
}

/// The audit trail as the service uses it: every write timed and counted
/// (the queue depth and commit latency of `/metrics`), and its health kept
/// for `/readyz`.
#[derive(Debug)]
struct Metered {
    inner: Arc<dyn AuditSink>,
    metrics: Arc<Metrics>,
    ok: Arc<AtomicBool>,
}

impl Metered {
    fn observe<T>(&self, started: Instant, result: &Result<T, AuditError>) {
        self.metrics.audit_in_flight(-1);
        self.metrics.audit_commit(started.elapsed());
        match result {
            Ok(_) => self.ok.store(true, Ordering::Relaxed),
            Err(AuditError::Store(_)) => self.ok.store(false, Ordering::Relaxed),
            Err(_) => {}
        }
    }
}

#[async_trait]
impl AuditSink for Metered {
    async fn begin(&self, entry: &AuditEntry) -> Result<AuditTicket, AuditError> {
        self.metrics.audit_in_flight(1);
        let started = Instant::now();
        let r = self.inner.begin(entry).await;
        self.observe(started, &r);
        r
    }

    async fn complete(
        &self,
        ticket: AuditTicket,
        completion: &AuditCompletion,
    ) -> Result<(), AuditError> {
        self.metrics.audit_in_flight(1);
        let started = Instant::now();
        let r = self.inner.complete(ticket, completion).await;
        self.observe(started, &r);
        r
    }

    async fn query(&self, query: &AuditQuery) -> Result<Vec<AuditRecord>, AuditError> {
        self.inner.query(query).await
    }

    async fn purge_before(&self, cutoff: Timestamp) -> Result<u64, AuditError> {
        self.inner.purge_before(cutoff).await
    }
}
