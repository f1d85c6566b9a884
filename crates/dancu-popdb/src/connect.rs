//! Building a ready-to-use registry from `dancu.toml`: the configured
//! gateway, wrapped in the resilience decorators and the audit trail.

use std::sync::Arc;

use dancu_core::registry::{
    AuditSink, PopulationRegistry, RegistryError, RequestContext, RequestRule, Ruled, UnitCode,
};

use crate::audit::{Audited, SubjectHasher};
use crate::config::{Config, GatewayConfig, GatewayKindConfig};
use crate::gateway::{C06Gateway, LgspGateway, ProvincialGateway};

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
    let c = &cfg.common;
    let ca = match &c.ca_cert {
        Some(path) => Some(std::fs::read(path).map_err(|e| {
            config_error(format!(
                "[gateway.{}].ca_cert: cannot read {}: {e}",
                cfg.name,
                path.display()
            ))
        })?),
        None => None,
    };
    macro_rules! common {
        ($builder:expr) => {{
            let mut b = $builder
                .name(cfg.name.clone())
                .lookup_path(c.lookup_path.clone())
                .verify_path(c.verify_path.clone())
                .lookup_code(c.lookup_code.clone())
                .verify_code(c.verify_code.clone())
                .name_form(c.name_form)
                .attempt_timeout(c.resilience.attempt_timeout);
            if let Some(pem) = &ca {
                b = b.root_ca_pem(pem.clone());
            }
            if let Some(client) = client {
                b = b.client(client.clone());
            }
            b
        }};
    }
    Ok(match &cfg.kind {
        GatewayKindConfig::Lgsp {
            token_path,
            access_key,
            secret_key,
            app_name,
            partner_code,
            partner_code_cus,
        } => Arc::new(
            common!(LgspGateway::builder(&c.base_url))
                .token_path(token_path.clone())
                .credentials(
                    access_key.expose(),
                    secret_key.clone(),
                    app_name.clone(),
                    partner_code.clone(),
                    partner_code_cus.clone(),
                )
                .build()?,
        ),
        GatewayKindConfig::C06 {
            username,
            secret,
            api_key,
            x_road_client,
            auth_url,
            timestamp_unit,
        } => Arc::new(
            common!(C06Gateway::builder(&c.base_url))
                .credentials(username.clone(), secret.clone(), api_key.clone())
                .x_road_client(x_road_client.clone())
                .auth_url(auth_url.clone())
                .timestamp_unit(*timestamp_unit)
                .build()?,
        ),
        GatewayKindConfig::ProvincialJson {
            api_key,
            auth_header,
        } => Arc::new(
            common!(ProvincialGateway::builder(&c.base_url))
                .api_key(api_key.clone())
                .auth_header(auth_header.clone())
                .build()?,
        ),
    })
}

/// Builds the full stack for one gateway:
/// `Audited(DefaultDeadline(Retrying(RateLimited(AttemptTimeout(gateway)))))`
/// — the audit record is written once per logical check, before the first
/// attempt. Without `audit`, the stack has no audit layer.
///
/// # Errors
///
/// [`RegistryError::Configuration`] naming the bad setting.
pub fn registry(
    cfg: &GatewayConfig,
    client: Option<&reqwest::Client>,
    audit: Option<(Arc<dyn AuditSink>, SubjectHasher)>,
) -> Result<Arc<dyn PopulationRegistry>, RegistryError> {
    let resilient = cfg.common.resilience.wrap(gateway(cfg, client)?);
    Ok(match audit {
        Some((sink, hasher)) => Arc::new(Audited::new(resilient, sink, hasher)),
        None => Arc::new(resilient),
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
    let stack = registry(gateway, client, audit)?;
    Ok(match unit {
        Some(unit) => Arc::new(Ruled::new(stack, DefaultUnit(unit))),
        None => stack,
    })
}

/// Gives a request the officer's unit (`MaDonVi`) when its context has
/// none — the `[officer] unit` of the configuration. A context with its own
/// unit keeps it. A [`RequestRule`], applied by [`Ruled`].
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
