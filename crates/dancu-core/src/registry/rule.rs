//! A rule applied to each request before the registry is called: give the
//! context a default, or refuse the lookup without any call.

use std::fmt;

use async_trait::async_trait;

use super::{
    CheckOutcome, IdentityQuery, LookupOutcome, PopulationRegistry, RegistryError, RegistryInfo,
    Reply, RequestContext,
};

/// What a one-stop system decides about a request before it reaches the
/// population database: the `[officer] unit` of a configuration given to a
/// context without one, an officer who has not confirmed their one-time
/// code refused. Applied by [`Ruled`].
pub trait RequestRule: Send + Sync + fmt::Debug {
    /// `Ok(None)`: the request goes on as it is; `Ok(Some(ctx))`: it goes on
    /// under `ctx` (a clone of the one given, so it keeps its request id
    /// and counters); `Err`: it is refused and the inner registry is not
    /// called.
    ///
    /// # Errors
    ///
    /// The refusal, typically [`RegistryError::Refused`].
    fn apply(&self, ctx: &RequestContext) -> Result<Option<RequestContext>, RegistryError>;
}

/// A shared rule is the rule.
impl<T: RequestRule + ?Sized> RequestRule for std::sync::Arc<T> {
    fn apply(&self, ctx: &RequestContext) -> Result<Option<RequestContext>, RegistryError> {
        (**self).apply(ctx)
    }
}

/// A registry whose every lookup and check passes a [`RequestRule`] first.
/// Put it inside the audit layer when a refusal must be on the record.
#[derive(Debug)]
pub struct Ruled<R, U> {
    inner: R,
    rule: U,
}

impl<R, U> Ruled<R, U> {
    /// `inner`, behind `rule`.
    pub const fn new(inner: R, rule: U) -> Self {
        Self { inner, rule }
    }

    /// The rule.
    pub const fn rule(&self) -> &U {
        &self.rule
    }

    /// The wrapped registry.
    pub const fn inner(&self) -> &R {
        &self.inner
    }
}

#[async_trait]
impl<R: PopulationRegistry, U: RequestRule> PopulationRegistry for Ruled<R, U> {
    fn info(&self) -> RegistryInfo {
        self.inner.info()
    }

    async fn lookup(
        &self,
        ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Result<Reply<LookupOutcome>, RegistryError> {
        let ruled = self.rule.apply(ctx)?;
        self.inner
            .lookup(ruled.as_ref().unwrap_or(ctx), query)
            .await
    }

    async fn check(
        &self,
        ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Result<Reply<CheckOutcome>, RegistryError> {
        let ruled = self.rule.apply(ctx)?;
        self.inner.check(ruled.as_ref().unwrap_or(ctx), query).await
    }
}
