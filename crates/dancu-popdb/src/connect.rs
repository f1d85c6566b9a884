//! Building a ready-to-use registry from `dancu.toml`: the configured
//! gateway, wrapped in the resilience decorators and the audit trail.

use std::sync::Arc;

use dancu_core::registry::{
    AuditSink, GatewayQuota, PopulationRegistry, RegistryError, RequestContext, RequestRule,
    UnitCode,
};

use crate::audit::{Audited, SubjectHasher};
use crate::config::{Config, GatewayConfig};
use crate::layer::Ruled;

fn config_error(reason: String) -> RegistryError {
    RegistryError::Configuration { reason }
}

/// Builds the bare gateway a `[gateway.<name>]` table describes, sharing
/// `client` when given (one connection pool for every gateway).
///
/// # Errors
///
/// [`RegistryError::Configuration`] naming the bad setting.
pub fn gateway(
    cfg: &GatewayConfig,
    client: Option<&reqwest::Client>,
) -> Result<Arc<dyn PopulationRegistry>, RegistryError> {
    Ok(Arc::new(cfg.build(client)?))
}

/// Builds the full stack for one gateway:
/// `Audited(DefaultDeadline(Retrying(RateLimited(gateway))))` — the audit
/// record is written once per logical check, before the first attempt, and
/// only for a request the gateway can send (a procedure without a
/// registered service code is refused before anything is recorded). The
/// gateway bounds each HTTP exchange by its attempt timeout. Without
/// `audit`, the stack has no audit layer.
///
/// # Errors
///
/// [`RegistryError::Configuration`] naming the bad setting.
pub fn registry(
    cfg: &GatewayConfig,
    client: Option<&reqwest::Client>,
    audit: Option<(Arc<dyn AuditSink>, SubjectHasher)>,
) -> Result<Arc<dyn PopulationRegistry>, RegistryError> {
    registry_sharing(cfg, client, audit, None)
}

/// As [`registry`]; with `quota`, the gateway's `rate_per_second` and
/// `max_concurrency` are kept by that shared quota for every instance
/// ([`crate::resilience::ResilienceConfig::wrap_shared`]) instead of by this process.
///
/// # Errors
///
/// As [`registry`].
pub fn registry_sharing(
    cfg: &GatewayConfig,
    client: Option<&reqwest::Client>,
    audit: Option<(Arc<dyn AuditSink>, SubjectHasher)>,
    quota: Option<Arc<dyn GatewayQuota>>,
) -> Result<Arc<dyn PopulationRegistry>, RegistryError> {
    let gateway = cfg.build(client)?;
    let resilient: Arc<dyn PopulationRegistry> = match quota {
        Some(q) => Arc::new(cfg.resilience().wrap_shared(gateway, q)),
        None => Arc::new(cfg.resilience().wrap(gateway)),
    };
    Ok(match audit {
        Some((sink, hasher)) => Arc::new(Audited::new(resilient, sink, hasher)),
        None => resilient,
    })
}

/// Builds the full stack for the gateway `name` of a whole `dancu.toml`:
/// [`registry`], with the `[officer]` unit given to every request whose
/// context names none ([`DefaultUnit`], outside the audit layer) — so the
/// audit trail never misses the unit the configuration names.
///
/// # Errors
///
/// [`RegistryError::Configuration`] for an unknown gateway, a bad
/// `[officer] unit` or a bad gateway setting.
pub fn configured(
    config: &Config,
    name: &str,
    client: Option<&reqwest::Client>,
    audit: Option<(Arc<dyn AuditSink>, SubjectHasher)>,
) -> Result<Arc<dyn PopulationRegistry>, RegistryError> {
    configured_sharing(config, name, client, audit, None)
}

/// As [`configured`], with the gateway's limits kept by a shared `quota`
/// when one is given ([`registry_sharing`]).
///
/// # Errors
///
/// As [`configured`].
pub fn configured_sharing(
    config: &Config,
    name: &str,
    client: Option<&reqwest::Client>,
    audit: Option<(Arc<dyn AuditSink>, SubjectHasher)>,
    quota: Option<Arc<dyn GatewayQuota>>,
) -> Result<Arc<dyn PopulationRegistry>, RegistryError> {
    let gateway = config
        .gateway(name)
        .map_err(|e| config_error(e.to_string()))?;
    let unit = match config.officer.as_ref().and_then(|o| o.unit.as_deref()) {
        Some(unit) => Some(
            unit.parse::<UnitCode>()
                .map_err(|e| config_error(format!("[officer] unit: {e}")))?,
        ),
        None => None,
    };
    let stack = registry_sharing(gateway, client, audit, quota)?;
    Ok(match unit {
        Some(unit) => Arc::new(Ruled::new(stack, DefaultUnit(unit))),
        None => stack,
    })
}

/// Gives a request the officer's unit (`MaDonVi`) when its context has
/// none — the `[officer] unit` of the configuration. A context with its own
/// unit keeps it. A [`RequestRule`], run by the rule layer ([`Ruled`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefaultUnit(pub UnitCode);

impl RequestRule for DefaultUnit {
    fn apply(&self, ctx: &RequestContext) -> Result<Option<RequestContext>, RegistryError> {
        // A clone shares the request id and the attempt counters.
        Ok(ctx
            .unit()
            .is_none()
            .then(|| ctx.clone().with_unit(self.0.clone())))
    }
}
