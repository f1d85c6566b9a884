//! Decorators that wrap any registry: a per-attempt timeout under the
//! overall deadline, retries of transient failures, and a rate and
//! concurrency limit per gateway.
//!
//! The usual stack, outermost first:
//! `Audited(Retrying(RateLimited(AttemptTimeout(gateway))))` — one audit
//! record per logical check, every attempt within the deadline and the
//! gateway's limits. [`ResilienceConfig::wrap`] builds the inner three.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use dancu_core::registry::{
    CheckOutcome, IdentityQuery, LookupOutcome, PopulationRegistry, RegistryError, RegistryInfo,
    Reply, RequestContext,
};
use tokio::sync::{Mutex, Semaphore};

/// Bounds each attempt by `attempt_timeout` and by the time left before the
/// context's overall deadline; past either, the attempt fails with
/// [`RegistryError::TimedOut`].
#[derive(Debug)]
pub struct AttemptTimeout<R> {
    inner: R,
    attempt_timeout: Duration,
}

impl<R> AttemptTimeout<R> {
    /// Wraps `inner`.
    pub fn new(inner: R, attempt_timeout: Duration) -> Self {
        Self {
            inner,
            attempt_timeout,
        }
    }

    async fn bounded<T>(
        &self,
        ctx: &RequestContext,
        call: impl Future<Output = Result<T, RegistryError>> + Send,
    ) -> Result<T, RegistryError> {
        let limit = ctx
            .remaining()
            .map_or(self.attempt_timeout, |r| r.min(self.attempt_timeout));
        if limit.is_zero() {
            return Err(RegistryError::TimedOut);
        }
        tokio::time::timeout(limit, call)
            .await
            .unwrap_or(Err(RegistryError::TimedOut))
    }
}

#[async_trait]
impl<R: PopulationRegistry> PopulationRegistry for AttemptTimeout<R> {
    fn info(&self) -> RegistryInfo {
        self.inner.info()
    }

    async fn lookup(
        &self,
        ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Result<Reply<LookupOutcome>, RegistryError> {
        self.bounded(ctx, self.inner.lookup(ctx, query)).await
    }

    async fn check(
        &self,
        ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Result<Reply<CheckOutcome>, RegistryError> {
        self.bounded(ctx, self.inner.check(ctx, query)).await
    }
}

/// How transient failures are retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0: no retry).
    pub max_retries: u32,
    /// The first backoff; doubled after each failed attempt.
    pub base_delay: Duration,
    /// The largest backoff.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
        }
    }
}

impl RetryPolicy {
    /// The backoff before retry number `retry` (1-based): exponential,
    /// capped, with "equal jitter" (half fixed, half random) so concurrent
    /// clients spread out without ever retrying at once.
    #[must_use]
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(
                1u32.checked_shl(retry.saturating_sub(1))
                    .unwrap_or(u32::MAX),
            )
            .min(self.max_delay);
        let half = exp / 2;
        let jitter = rand::random_range(0..=half.as_micros().min(u128::from(u64::MAX)) as u64);
        half + Duration::from_micros(jitter)
    }
}

/// Retries transient failures ([`RegistryError::is_transient`]) with
/// exponential backoff and jitter, honouring a gateway's `Retry-After`,
/// within the context's overall deadline. Every retry keeps the request id:
/// it is the same logical check. Counts attempts in the context and in
/// [`dancu_core::registry::ReplyMeta::attempts`].
#[derive(Debug)]
pub struct Retrying<R> {
    inner: R,
    policy: RetryPolicy,
}

impl<R> Retrying<R> {
    /// Wraps `inner`.
    pub fn new(inner: R, policy: RetryPolicy) -> Self {
        Self { inner, policy }
    }

    async fn run<T, F, Fut>(&self, ctx: &RequestContext, call: F) -> Result<Reply<T>, RegistryError>
    where
        F: Fn() -> Fut + Send + Sync,
        Fut: Future<Output = Result<Reply<T>, RegistryError>> + Send,
        T: Send,
    {
        let mut retry = 0;
        loop {
            let attempts = ctx.note_attempt();
            let error = match call().await {
                Ok(mut reply) => {
                    reply.meta.attempts = attempts;
                    return Ok(reply);
                }
                Err(e) => e,
            };
            if !error.is_transient() || retry >= self.policy.max_retries {
                return Err(error);
            }
            retry += 1;
            let mut delay = self.policy.backoff(retry);
            if let RegistryError::RateLimited {
                retry_after: Some(after),
            } = error
            {
                delay = delay.max(after);
            }
            if ctx.remaining().is_some_and(|remaining| delay >= remaining) {
                // No time for another attempt: report what happened.
                return Err(error);
            }
            tracing::debug!(
                request_id = %ctx.request_id(),
                retry,
                delay_ms = delay.as_millis() as u64,
                error = error.code(),
                "retrying a transient failure"
            );
            tokio::time::sleep(delay).await;
        }
    }
}

#[async_trait]
impl<R: PopulationRegistry> PopulationRegistry for Retrying<R> {
    fn info(&self) -> RegistryInfo {
        self.inner.info()
    }

    async fn lookup(
        &self,
        ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Result<Reply<LookupOutcome>, RegistryError> {
        self.run(ctx, || self.inner.lookup(ctx, query)).await
    }

    async fn check(
        &self,
        ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Result<Reply<CheckOutcome>, RegistryError> {
        self.run(ctx, || self.inner.check(ctx, query)).await
    }
}

/// Limits the calls a gateway receives: at most `rate_per_second` started
/// per second (evenly spaced) and at most `max_concurrency` in flight.
/// A call that could only start after the context's deadline fails at once
/// with [`RegistryError::TimedOut`] instead of waiting in vain.
pub struct RateLimited<R> {
    inner: R,
    interval: Option<Duration>,
    next_slot: Mutex<Instant>,
    permits: Option<Arc<Semaphore>>,
}

impl<R: fmt::Debug> fmt::Debug for RateLimited<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimited")
            .field("inner", &self.inner)
            .field("interval", &self.interval)
            .field("max_concurrency", &self.permits.as_ref().map(|_| "set"))
            .finish_non_exhaustive()
    }
}

impl<R> RateLimited<R> {
    /// Wraps `inner`. `None` (or 0) disables a limit.
    pub fn new(inner: R, rate_per_second: Option<f64>, max_concurrency: Option<usize>) -> Self {
        let interval = rate_per_second
            .filter(|r| r.is_finite() && *r > 0.0)
            .map(|r| Duration::from_secs_f64(1.0 / r));
        Self {
            inner,
            interval,
            next_slot: Mutex::new(Instant::now()),
            permits: max_concurrency
                .filter(|&n| n > 0)
                .map(|n| Arc::new(Semaphore::new(n))),
        }
    }

    async fn admit<T>(
        &self,
        ctx: &RequestContext,
        call: impl Future<Output = Result<T, RegistryError>> + Send,
    ) -> Result<T, RegistryError> {
        let deadline = ctx.deadline();
        if let Some(interval) = self.interval {
            let start = {
                let mut next = self.next_slot.lock().await;
                let now = Instant::now();
                let start = (*next).max(now);
                if deadline.is_some_and(|d| start >= d) {
                    return Err(RegistryError::TimedOut);
                }
                *next = start + interval;
                start
            };
            tokio::time::sleep_until(start.into()).await;
        }
        let _permit = match &self.permits {
            Some(sem) => {
                let acquire = Arc::clone(sem).acquire_owned();
                let permit = match deadline {
                    Some(d) => tokio::time::timeout_at(d.into(), acquire)
                        .await
                        .map_err(|_| RegistryError::TimedOut)?,
                    None => acquire.await,
                };
                Some(permit.map_err(|_| RegistryError::Unavailable {
                    reason: "the concurrency limiter was closed".into(),
                })?)
            }
            None => None,
        };
        call.await
    }
}

#[async_trait]
impl<R: PopulationRegistry> PopulationRegistry for RateLimited<R> {
    fn info(&self) -> RegistryInfo {
        self.inner.info()
    }

    async fn lookup(
        &self,
        ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Result<Reply<LookupOutcome>, RegistryError> {
        self.admit(ctx, self.inner.lookup(ctx, query)).await
    }

    async fn check(
        &self,
        ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Result<Reply<CheckOutcome>, RegistryError> {
        self.admit(ctx, self.inner.check(ctx, query)).await
    }
}

/// Gives a logical check the gateway's overall deadline when its context
/// has none, so retries and attempts always stop in time.
#[derive(Debug)]
pub struct DefaultDeadline<R> {
    inner: R,
    deadline: Duration,
}

impl<R> DefaultDeadline<R> {
    /// Wraps `inner`.
    pub fn new(inner: R, deadline: Duration) -> Self {
        Self { inner, deadline }
    }

    fn bounded(&self, ctx: &RequestContext) -> Option<RequestContext> {
        // A clone shares the attempt counter and the request id.
        ctx.deadline()
            .is_none()
            .then(|| ctx.clone().with_timeout(self.deadline))
    }
}

#[async_trait]
impl<R: PopulationRegistry> PopulationRegistry for DefaultDeadline<R> {
    fn info(&self) -> RegistryInfo {
        self.inner.info()
    }

    async fn lookup(
        &self,
        ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Result<Reply<LookupOutcome>, RegistryError> {
        match self.bounded(ctx) {
            Some(bounded) => self.inner.lookup(&bounded, query).await,
            None => self.inner.lookup(ctx, query).await,
        }
    }

    async fn check(
        &self,
        ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Result<Reply<CheckOutcome>, RegistryError> {
        match self.bounded(ctx) {
            Some(bounded) => self.inner.check(&bounded, query).await,
            None => self.inner.check(ctx, query).await,
        }
    }
}

/// The resilience settings of one gateway (`[gateway.<name>]` in `dancu.toml`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ResilienceConfig {
    /// Overall deadline of one logical check, applied when the context has none.
    pub deadline: Duration,
    /// Timeout of one attempt.
    pub attempt_timeout: Duration,
    /// Retry policy.
    pub retry: RetryPolicy,
    /// Calls started per second (`None`: unlimited).
    pub rate_per_second: Option<f64>,
    /// Calls in flight (`None`: unlimited).
    pub max_concurrency: Option<usize>,
}

impl Default for ResilienceConfig {
    fn default() -> Self {
        Self {
            deadline: Duration::from_secs(15),
            attempt_timeout: Duration::from_secs(5),
            retry: RetryPolicy::default(),
            rate_per_second: None,
            max_concurrency: None,
        }
    }
}

impl ResilienceConfig {
    /// Wraps a gateway in
    /// `DefaultDeadline(Retrying(RateLimited(AttemptTimeout(gateway))))`.
    pub fn wrap<R: PopulationRegistry>(
        &self,
        gateway: R,
    ) -> DefaultDeadline<Retrying<RateLimited<AttemptTimeout<R>>>> {
        DefaultDeadline::new(
            Retrying::new(
                RateLimited::new(
                    AttemptTimeout::new(gateway, self.attempt_timeout),
                    self.rate_per_second,
                    self.max_concurrency,
                ),
                self.retry,
            ),
            self.deadline,
        )
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use dancu_core::registry::ReplyMeta;
    use dancu_core::{CalendarDate, IdNumber};

    use super::*;

    /// Fails with the scripted errors, then answers `NotFound`.
    #[derive(Debug)]
    struct Scripted {
        errors: std::sync::Mutex<Vec<RegistryError>>,
        calls: AtomicU32,
        delay: Duration,
        request_ids: std::sync::Mutex<Vec<String>>,
    }

    impl Scripted {
        fn new(mut errors: Vec<RegistryError>, delay: Duration) -> Self {
            errors.reverse();
            Self {
                errors: std::sync::Mutex::new(errors),
                calls: AtomicU32::new(0),
                delay,
                request_ids: std::sync::Mutex::default(),
            }
        }
    }

    #[async_trait]
    impl PopulationRegistry for Scripted {
        fn info(&self) -> RegistryInfo {
            RegistryInfo {
                name: "scripted".into(),
                channel: "in_memory",
            }
        }

        async fn lookup(
            &self,
            ctx: &RequestContext,
            _query: &IdentityQuery,
        ) -> Result<Reply<LookupOutcome>, RegistryError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            self.request_ids
                .lock()
                .unwrap()
                .push(ctx.request_id().to_string());
            tokio::time::sleep(self.delay).await;
            match self.errors.lock().unwrap().pop() {
                Some(e) => Err(e),
                None => Ok(Reply::new(
                    LookupOutcome::NotFound,
                    ReplyMeta::single(None, None),
                )),
            }
        }

        async fn check(
            &self,
            _ctx: &RequestContext,
            _query: &IdentityQuery,
        ) -> Result<Reply<CheckOutcome>, RegistryError> {
            Ok(Reply::new(
                CheckOutcome::Confirmed,
                ReplyMeta::single(None, None),
            ))
        }
    }

    fn query() -> IdentityQuery {
        let on = CalendarDate::new(2026, 11, 27).unwrap();
        IdentityQuery::new(
            IdNumber::parse_on("006089000001", on).unwrap(),
            "Nguyễn Văn An".parse().unwrap(),
            "1989".parse().unwrap(),
        )
        .unwrap()
    }

    fn ctx() -> RequestContext {
        RequestContext::new("canbo.motcua01", "1.001776".parse().unwrap()).unwrap()
    }

    fn unavailable() -> RegistryError {
        RegistryError::Unavailable {
            reason: "503".into(),
        }
    }

    fn fast_policy(max_retries: u32) -> RetryPolicy {
        RetryPolicy {
            max_retries,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(40),
        }
    }

    #[tokio::test]
    async fn retries_transient_failures_with_the_same_request_id() {
        let inner = Scripted::new(vec![unavailable(), RegistryError::TimedOut], Duration::ZERO);
        let r = Retrying::new(inner, fast_policy(3));
        let ctx = ctx();
        let reply = r.lookup(&ctx, &query()).await.unwrap();
        assert_eq!(reply.outcome, LookupOutcome::NotFound);
        assert_eq!((reply.meta.attempts, ctx.attempts()), (3, 3));
        let ids = r.inner.request_ids.lock().unwrap().clone();
        assert_eq!(ids.len(), 3);
        assert!(ids.iter().all(|id| *id == ctx.request_id().to_string()));
    }

    #[tokio::test]
    async fn never_retries_a_rejection_and_stops_after_max_retries() {
        let rejected = RegistryError::Rejected {
            fault: "MaCanBo chua duoc dang ky".into(),
        };
        let r = Retrying::new(
            Scripted::new(vec![rejected.clone()], Duration::ZERO),
            fast_policy(3),
        );
        assert_eq!(r.lookup(&ctx(), &query()).await.unwrap_err(), rejected);
        assert_eq!(r.inner.calls.load(Ordering::SeqCst), 1);

        let r = Retrying::new(
            Scripted::new(
                vec![unavailable(), unavailable(), unavailable()],
                Duration::ZERO,
            ),
            fast_policy(2),
        );
        assert_eq!(r.lookup(&ctx(), &query()).await.unwrap_err(), unavailable());
        assert_eq!(r.inner.calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn honours_retry_after_within_the_deadline() {
        let limited = RegistryError::RateLimited {
            retry_after: Some(Duration::from_millis(150)),
        };
        let r = Retrying::new(
            Scripted::new(vec![limited.clone()], Duration::ZERO),
            fast_policy(3),
        );
        let started = Instant::now();
        r.lookup(&ctx(), &query()).await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(150));

        // A Retry-After past the deadline is not waited for.
        let r = Retrying::new(
            Scripted::new(vec![limited.clone()], Duration::ZERO),
            fast_policy(3),
        );
        let ctx = ctx().with_timeout(Duration::from_millis(50));
        assert_eq!(r.lookup(&ctx, &query()).await.unwrap_err(), limited);
        assert_eq!(r.inner.calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn attempt_timeout_and_overall_deadline() {
        let slow = AttemptTimeout::new(
            Scripted::new(vec![], Duration::from_millis(300)),
            Duration::from_millis(50),
        );
        assert_eq!(
            slow.lookup(&ctx(), &query()).await.unwrap_err(),
            RegistryError::TimedOut
        );

        let slow = AttemptTimeout::new(
            Scripted::new(vec![], Duration::from_millis(300)),
            Duration::from_secs(10),
        );
        let ctx = ctx().with_timeout(Duration::from_millis(50));
        let started = Instant::now();
        assert_eq!(
            slow.lookup(&ctx, &query()).await.unwrap_err(),
            RegistryError::TimedOut
        );
        assert!(started.elapsed() < Duration::from_millis(250));
    }

    #[tokio::test]
    async fn retries_stop_at_the_overall_deadline() {
        let cfg = ResilienceConfig {
            attempt_timeout: Duration::from_millis(40),
            retry: fast_policy(100),
            ..ResilienceConfig::default()
        };
        let r = cfg.wrap(Scripted::new(vec![], Duration::from_secs(5)));
        let ctx = ctx().with_timeout(Duration::from_millis(300));
        let started = Instant::now();
        assert_eq!(
            r.lookup(&ctx, &query()).await.unwrap_err(),
            RegistryError::TimedOut
        );
        let elapsed = started.elapsed();
        assert!(
            elapsed >= Duration::from_millis(250) && elapsed < Duration::from_millis(900),
            "{elapsed:?}"
        );
        assert!(ctx.attempts() >= 3);
    }

    #[tokio::test]
    async fn rate_and_concurrency_limits() {
        let r = Arc::new(RateLimited::new(
            Scripted::new(vec![], Duration::ZERO),
            Some(50.0),
            None,
        ));
        let started = Instant::now();
        let calls: Vec<_> = (0..10)
            .map(|_| {
                let r = Arc::clone(&r);
                tokio::spawn(async move { r.lookup(&ctx(), &query()).await })
            })
            .collect();
        for c in calls {
            c.await.unwrap().unwrap();
        }
        // 10 calls at 50/s are spread over at least 9 intervals of 20 ms.
        assert!(
            started.elapsed() >= Duration::from_millis(170),
            "{:?}",
            started.elapsed()
        );

        let r = Arc::new(RateLimited::new(
            Scripted::new(vec![], Duration::from_millis(100)),
            None,
            Some(2),
        ));
        let started = Instant::now();
        let calls: Vec<_> = (0..4)
            .map(|_| {
                let r = Arc::clone(&r);
                tokio::spawn(async move { r.lookup(&ctx(), &query()).await })
            })
            .collect();
        for c in calls {
            c.await.unwrap().unwrap();
        }
        assert!(started.elapsed() >= Duration::from_millis(200));

        // Waiting past the deadline fails fast.
        let r = RateLimited::new(Scripted::new(vec![], Duration::ZERO), Some(1.0), None);
        r.lookup(&ctx(), &query()).await.unwrap();
        let ctx = ctx().with_timeout(Duration::from_millis(100));
        assert_eq!(
            r.lookup(&ctx, &query()).await.unwrap_err(),
            RegistryError::TimedOut
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            max_retries: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        for retry in 1..=10 {
            let d = p.backoff(retry);
            let cap =
                (Duration::from_millis(100) * 2u32.pow(retry - 1)).min(Duration::from_secs(1));
            assert!(d >= cap / 2 && d <= cap, "{retry}: {d:?}");
        }
        assert!(p.backoff(u32::MAX) <= Duration::from_secs(1));
    }
}
