//! Building a ready-to-use registry from `dancu.toml`: the configured
//! gateway, wrapped in the resilience decorators and the audit trail.

use std::sync::Arc;

use dancu_core::registry::{AuditSink, PopulationRegistry, RegistryError};

use crate::audit::{Audited, SubjectHasher};
use crate::config::GatewayConfig;

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
    let resilient = cfg.resilience().wrap(cfg.build(client)?);
    Ok(match audit {
        Some((sink, hasher)) => Arc::new(Audited::new(resilient, sink, hasher)),
        None => Arc::new(resilient),
    })
}
