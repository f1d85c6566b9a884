//! Decorators, written once: a [`Layer`] says what happens around one call
//! (a lookup or a check alike), and [`Layered`] makes any layer over any
//! registry a registry. The retry, rate-limit, deadline and audit
//! decorators are layers; none forwards methods by hand. A
//! [`RequestRule`] of the core — the `[officer]` unit given to a request
//! without one, the Tân Dân officer's one-time-code gate — is run by the
//! [`Rule`] layer ([`Ruled`]).
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! use std::sync::atomic::{AtomicU32, Ordering};
//! use async_trait::async_trait;
//! use dancu_core::registry::RequestContext;
//! use dancu_popdb::layer::{Answer, Call, Layer, Next, Outcome};
//! use dancu_popdb::InMemoryRegistry;
//! use dancu_core::PopulationRegistry;
//!
//! /// Counts the calls that reach the registry.
//! #[derive(Debug, Default)]
//! struct Count(AtomicU32);
//!
//! #[async_trait]
//! impl Layer for Count {
//!     async fn around<T: Outcome>(&self, call: Call<'_>, next: &dyn Next<T>) -> Answer<T> {
//!         self.0.fetch_add(1, Ordering::Relaxed);
//!         next.call(call.ctx).await
//!     }
//! }
//!
//! let counted = Count::default().over(InMemoryRegistry::new("memory"));
//! let ctx = RequestContext::new("canbo.motcua01", "1.001776".parse().unwrap()).unwrap();
//! # let on = dancu_core::CalendarDate::new(2026, 11, 27).unwrap();
//! # let query = dancu_core::registry::IdentityQuery::new(dancu_core::IdNumber::parse_on("006089000001", on).unwrap(), "Nguyễn Văn An".parse().unwrap(), "1989".parse().unwrap()).unwrap();
//! counted.check(&ctx, &query).await.unwrap();
//! counted.lookup(&ctx, &query).await.unwrap();
//! assert_eq!(counted.layer().0.load(Ordering::Relaxed), 2);
//! # });
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use async_trait::async_trait;
use dancu_core::registry::{
    CheckOutcome, CitizenRecord, IdentityQuery, LookupOutcome, Operation, PopulationRegistry,
    RegistryError, RegistryInfo, Reply, RequestContext, RequestRule,
};

/// What a call answers: [`LookupOutcome`] or [`CheckOutcome`].
pub trait Outcome: Send + Sync + 'static {
    /// The outcome's stable key (`found`, `not_confirmed`, …).
    fn key(&self) -> &'static str;

    /// The record the call returned, for a lookup that found one (the
    /// audit layer indexes it under the record's numbers).
    fn record(&self) -> Option<&CitizenRecord> {
        None
    }
}

impl Outcome for LookupOutcome {
    fn key(&self) -> &'static str {
        self.as_str()
    }

    fn record(&self) -> Option<&CitizenRecord> {
        match self {
            Self::Found(record) => Some(record),
            _ => None,
        }
    }
}

impl Outcome for CheckOutcome {
    fn key(&self) -> &'static str {
        self.as_str()
    }
}

/// The call a layer is around.
#[derive(Clone, Copy)]
pub struct Call<'a> {
    /// Lookup or check.
    pub operation: Operation,
    /// The context the call came with.
    pub ctx: &'a RequestContext,
    /// The query.
    pub query: &'a IdentityQuery,
    registry: &'a dyn PopulationRegistry,
}

impl Call<'_> {
    /// The wrapped registry's name and channel (asked only by the layers
    /// that need it).
    #[must_use]
    pub fn info(&self) -> RegistryInfo {
        self.registry.info()
    }
}

impl fmt::Debug for Call<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("operation", &self.operation)
            .field("request_id", &self.ctx.request_id())
            .finish_non_exhaustive()
    }
}

/// What a precheck gives: nothing, or why the call is refused.
pub type Checked = Result<(), RegistryError>;

/// What a call gives: the reply, or why there is none.
pub type Answer<T> = Result<Reply<T>, RegistryError>;

/// A boxed future of a call's result.
pub type CallFuture<'c, T> = Pin<Box<dyn Future<Output = Answer<T>> + Send + 'c>>;

/// The rest of the stack below a layer: call it once, several times
/// (retries), or not at all; with the call's context or another one (a
/// clone with a deadline).
pub trait Next<T>: Sync {
    /// Calls the wrapped registry.
    fn call<'c>(&'c self, ctx: &'c RequestContext) -> CallFuture<'c, T>;

    /// The wrapped registry's [`PopulationRegistry::precheck`] of the call.
    ///
    /// # Errors
    ///
    /// Why the registry refuses the call without making it.
    fn precheck(&self, ctx: &RequestContext) -> Result<(), RegistryError>;
}

/// What happens around one call.
#[async_trait]
pub trait Layer: Send + Sync + fmt::Debug {
    /// Runs the call through `next`.
    async fn around<T: Outcome>(&self, call: Call<'_>, next: &dyn Next<T>) -> Answer<T>;

    /// This layer over `inner`: a registry.
    fn over<R: PopulationRegistry>(self, inner: R) -> Layered<Self, R>
    where
        Self: Sized,
    {
        Layered::wrap(self, inner)
    }
}

/// A layer over a registry: itself a registry.
#[derive(Debug)]
pub struct Layered<L, R> {
    layer: L,
    inner: R,
}

impl<L, R> Layered<L, R> {
    /// Wraps `inner` in `layer`.
    pub const fn wrap(layer: L, inner: R) -> Self {
        Self { layer, inner }
    }

    /// The layer.
    pub const fn layer(&self) -> &L {
        &self.layer
    }

    /// The wrapped registry.
    pub const fn inner(&self) -> &R {
        &self.inner
    }
}

/// The rest of the stack for one operation: the wrapped registry's
/// method of that operation, with the query.
macro_rules! next_of {
    ($name:ident, $outcome:ty, $method:ident, $op:expr) => {
        struct $name<'a, R> {
            inner: &'a R,
            query: &'a IdentityQuery,
        }

        impl<R: PopulationRegistry> Next<$outcome> for $name<'_, R> {
            fn call<'c>(&'c self, ctx: &'c RequestContext) -> CallFuture<'c, $outcome> {
                self.inner.$method(ctx, self.query)
            }

            fn precheck(&self, ctx: &RequestContext) -> Result<(), RegistryError> {
                self.inner.precheck($op, ctx, self.query)
            }
        }
    };
}

next_of!(LookupNext, LookupOutcome, lookup, Operation::Lookup);
next_of!(CheckNext, CheckOutcome, check, Operation::Check);

#[async_trait]
impl<L: Layer, R: PopulationRegistry> PopulationRegistry for Layered<L, R> {
    fn info(&self) -> RegistryInfo {
        self.inner.info()
    }

    fn precheck(&self, op: Operation, ctx: &RequestContext, q: &IdentityQuery) -> Checked {
        self.inner.precheck(op, ctx, q)
    }

    async fn lookup(&self, ctx: &RequestContext, query: &IdentityQuery) -> Answer<LookupOutcome> {
        let next = LookupNext {
            inner: &self.inner,
            query,
        };
        self.through(Operation::Lookup, ctx, query, &next).await
    }

    async fn check(&self, ctx: &RequestContext, query: &IdentityQuery) -> Answer<CheckOutcome> {
        let next = CheckNext {
            inner: &self.inner,
            query,
        };
        self.through(Operation::Check, ctx, query, &next).await
    }
}

impl<L: Layer, R: PopulationRegistry> Layered<L, R> {
    async fn through<T: Outcome>(
        &self,
        operation: Operation,
        ctx: &RequestContext,
        query: &IdentityQuery,
        next: &dyn Next<T>,
    ) -> Answer<T> {
        let call = Call {
            operation,
            ctx,
            query,
            registry: &self.inner,
        };
        self.layer.around(call, next).await
    }
}

/// The layer that runs a [`RequestRule`] before the call goes on: the
/// call continues under the context the rule gives (or the one it came
/// with), or is refused with the rule's error and the registry below is
/// not called. Put it inside the audit layer when a refusal must be on the
/// record (`Audit` over `Rule(gate)` over the gateway), outside it when the
/// record must carry what the rule gives (the `[officer]` unit).
#[derive(Debug)]
pub struct Rule<U>(pub U);

/// A registry behind a [`RequestRule`] ([`Rule`]).
pub type Ruled<R, U> = Layered<Rule<U>, R>;

impl<R: PopulationRegistry, U: RequestRule> Ruled<R, U> {
    /// `inner`, behind `rule`.
    pub const fn new(inner: R, rule: U) -> Self {
        Self::wrap(Rule(rule), inner)
    }

    /// The rule.
    pub const fn rule(&self) -> &U {
        &self.layer().0
    }
}

#[async_trait]
impl<U: RequestRule> Layer for Rule<U> {
    async fn around<T: Outcome>(&self, call: Call<'_>, next: &dyn Next<T>) -> Answer<T> {
        match self.0.apply(call.ctx)? {
            Some(ruled) => next.call(&ruled).await,
            None => next.call(call.ctx).await,
        }
    }
}
