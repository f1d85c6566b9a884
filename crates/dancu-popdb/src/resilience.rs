//! Decorators that wrap any registry, as [`Layer`]s: a per-attempt
//! timeout under the overall deadline, retries of transient failures, a
//! rate and concurrency limit per gateway, and a default deadline.
//!
//! The usual stack, outermost first:
//! `Audited(DefaultDeadline(Retrying(RateLimited(gateway))))` — one audit
//! record per logical check, every attempt within the deadline and the
//! gateway's limits. A gateway bounds each of its HTTP exchanges by its own
//! attempt timeout (the one owner of that timeout);
//! [`AttemptTimeout`] does the same for registries that have none.
//! [`ResilienceConfig::wrap`] builds the usual stack.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use dancu_core::registry::{
    GatewayQuota, PopulationRegistry, QuotaError, RegistryError, RequestContext,
};
use tokio::sync::{Mutex, Semaphore};

use crate::layer::{Answer, Call, Layer, Layered, Next, Outcome};

/// Bounds each attempt by the layer's timeout and by the time left before
/// the context's overall deadline; past either, the attempt fails with
/// [`RegistryError::TimedOut`]: `AttemptLimit(timeout).over(registry)`.
pub type AttemptTimeout<R> = Layered<AttemptLimit, R>;

/// Retries transient failures ([`RegistryError::is_transient`]) with
/// exponential backoff and jitter, honouring a gateway's `Retry-After`,
/// within the context's overall deadline. Every retry keeps the request id:
/// it is the same logical check. Counts attempts in the context and in
/// [`dancu_core::registry::ReplyMeta::attempts`]: `Retry(policy).over(registry)`.
pub type Retrying<R> = Layered<Retry, R>;

/// Limits the calls a gateway receives: at most `rate_per_second` started
/// per second (evenly spaced) and at most `max_concurrency` in flight.
/// A call that could only start after the context's deadline fails at once
/// with [`RegistryError::TimedOut`] instead of waiting in vain:
/// `RateLimit::new(rate, concurrency).over(registry)`.
pub type RateLimited<R> = Layered<RateLimit, R>;

/// Limits the calls a gateway receives across every instance that shares
/// its quota ([`GatewayQuota`]): each call waits for its slot of the shared
/// rate and concurrency, and is not made when the shared state cannot be
/// reached (fails closed: [`RegistryError::Unavailable`]):
/// `SharedQuota(quota).over(registry)`.
pub type SharedLimited<R> = Layered<SharedQuota, R>;

/// Gives a logical check the gateway's overall deadline when its context
/// has none, so retries and attempts always stop in time:
/// `Deadline(d).over(registry)`.
pub type DefaultDeadline<R> = Layered<Deadline, R>;

/// The layer of [`AttemptTimeout`]: the timeout of one attempt.
#[derive(Debug)]
pub struct AttemptLimit(pub Duration);

async fn bounded<T>(
    limit: Duration,
    ctx: &RequestContext,
    call: impl Future<Output = Result<T, RegistryError>> + Send,
) -> Result<T, RegistryError> {
    let limit = ctx.remaining().map_or(limit, |r| r.min(limit));
    if limit.is_zero() {
        return Err(RegistryError::TimedOut);
    }
    tokio::time::timeout(limit, call)
        .await
        .unwrap_or(Err(RegistryError::TimedOut))
}

#[async_trait]
impl Layer for AttemptLimit {
    async fn around<T: Outcome>(&self, call: Call<'_>, next: &dyn Next<T>) -> Answer<T> {
        bounded(self.0, call.ctx, next.call(call.ctx)).await
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
        let half = exp.checked_div(2).unwrap_or(Duration::ZERO);
        let jitter = rand::random_range(0..=half.as_micros().min(u128::from(u64::MAX)) as u64);
        half.saturating_add(Duration::from_micros(jitter))
    }
}

/// The layer of [`Retrying`]: its policy.
#[derive(Debug)]
pub struct Retry(pub RetryPolicy);

#[async_trait]
impl Layer for Retry {
    async fn around<T: Outcome>(&self, call: Call<'_>, next: &dyn Next<T>) -> Answer<T> {
        let ctx = call.ctx;
        let mut retry = 0;
        loop {
            let attempts = ctx.note_attempt();
            let error = match next.call(ctx).await {
                Ok(mut reply) => {
                    reply.meta.attempts = attempts;
                    return Ok(reply);
                }
                Err(e) => e,
            };
            if !error.is_transient() || retry >= self.0.max_retries {
                return Err(error);
            }
            retry = retry.saturating_add(1); // below max_retries
            let mut delay = self.0.backoff(retry);
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

/// The layer of [`RateLimited`].
pub struct RateLimit {
    interval: Option<Duration>,
    next_slot: Mutex<Instant>,
    permits: Option<Arc<Semaphore>>,
}

impl fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimit")
            .field("interval", &self.interval)
            .field("max_concurrency", &self.permits.as_ref().map(|_| "set"))
            .finish_non_exhaustive()
    }
}

/// How far off a slot too late for the clock is put.
const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

impl RateLimit {
    /// The limits; `None` (or 0) disables one. A rate so low its interval
    /// is not a duration disables it too; one whose next slot is later than
    /// the clock can hold (about 1e-19 per second) allows a call a
    /// century; a concurrency above
    /// [`Semaphore::MAX_PERMITS`] is capped there (the configuration
    /// reader refuses both).
    #[must_use]
    pub fn new(rate_per_second: Option<f64>, max_concurrency: Option<usize>) -> Self {
        let interval = rate_per_second
            .filter(|r| r.is_finite() && *r > 0.0)
            .and_then(|r| Duration::try_from_secs_f64(1.0 / r).ok());
        Self {
            interval,
            next_slot: Mutex::new(Instant::now()),
            permits: max_concurrency
                .filter(|&n| n > 0)
                .map(|n| Arc::new(Semaphore::new(n.min(Semaphore::MAX_PERMITS)))),
        }
    }
}

#[async_trait]
impl Layer for RateLimit {
    async fn around<T: Outcome>(&self, call: Call<'_>, next: &dyn Next<T>) -> Answer<T> {
        let deadline = call.ctx.deadline();
        if let Some(interval) = self.interval {
            let start = {
                let mut slot = self.next_slot.lock().await;
                let now = Instant::now();
                let start = (*slot).max(now);
                if deadline.is_some_and(|d| start >= d) {
                    return Err(RegistryError::TimedOut);
                }
                // A slot later than the clock can hold (a rate of 1e-19
                // per second) is taken as a century away.
                *slot = start
                    .checked_add(interval)
                    .or_else(|| start.checked_add(CENTURY))
                    .unwrap_or(start);
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
        next.call(call.ctx).await
    }
}

/// The layer of [`SharedLimited`]: the quota every instance shares.
#[derive(Clone, Debug)]
pub struct SharedQuota(pub Arc<dyn GatewayQuota>);

#[async_trait]
impl Layer for SharedQuota {
    async fn around<T: Outcome>(&self, call: Call<'_>, next: &dyn Next<T>) -> Answer<T> {
        let lease = self
            .0
            .acquire(call.ctx.deadline())
            .await
            .map_err(|e| match e {
                QuotaError::TimedOut => RegistryError::TimedOut,
                e => {
                    tracing::warn!(
                        request_id = %call.ctx.request_id(),
                        error = %e,
                        "the shared gateway quota cannot be checked; the call is not made"
                    );
                    RegistryError::Unavailable {
                        reason: e.to_string(),
                    }
                }
            })?;
        let answer = next.call(call.ctx).await;
        drop(lease);
        answer
    }
}

/// The layer of [`DefaultDeadline`]: the overall deadline.
#[derive(Debug)]
pub struct Deadline(pub Duration);

#[async_trait]
impl Layer for Deadline {
    async fn around<T: Outcome>(&self, call: Call<'_>, next: &dyn Next<T>) -> Answer<T> {
        if call.ctx.deadline().is_some() {
            return next.call(call.ctx).await;
        }
        // A clone shares the attempt counter and the request id.
        let bounded = call.ctx.clone().with_timeout(self.0);
        next.call(&bounded).await
    }
}

/// The resilience settings of one gateway (`[gateway.<name>]` in `dancu.toml`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ResilienceConfig {
    /// Overall deadline of one logical check, applied when the context has
    /// none (`deadline_ms`, default 15 s).
    pub deadline: Duration,
    /// Retry policy (`max_retries`, default 3).
    pub retry: RetryPolicy,
    /// Calls started per second (`rate_per_second`; `None`: unlimited).
    pub rate_per_second: Option<f64>,
    /// Calls in flight (`max_concurrency`; `None`: unlimited).
    pub max_concurrency: Option<usize>,
}

impl Default for ResilienceConfig {
    fn default() -> Self {
        Self {
            deadline: Duration::from_secs(15),
            retry: RetryPolicy::default(),
            rate_per_second: None,
            max_concurrency: None,
        }
    }
}

impl ResilienceConfig {
    /// Wraps a gateway in
    /// `DefaultDeadline(Retrying(RateLimited(gateway)))`.
    pub fn wrap<R: PopulationRegistry>(
        &self,
        gateway: R,
    ) -> DefaultDeadline<Retrying<RateLimited<R>>> {
        let limited = RateLimit::new(self.rate_per_second, self.max_concurrency).over(gateway);
        Deadline(self.deadline).over(Retry(self.retry).over(limited))
    }

    /// Wraps a gateway in
    /// `DefaultDeadline(Retrying(SharedLimited(gateway)))`: the rate and
    /// concurrency are the shared `quota`'s (kept for every instance), not
    /// this process's; each retry takes a slot of its own.
    pub fn wrap_shared<R: PopulationRegistry>(
        &self,
        gateway: R,
        quota: Arc<dyn GatewayQuota>,
    ) -> DefaultDeadline<Retrying<SharedLimited<R>>> {
        let limited = SharedQuota(quota).over(gateway);
        Deadline(self.deadline).over(Retry(self.retry).over(limited))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use dancu_core::registry::{
        CheckOutcome, IdentityQuery, LookupOutcome, RegistryInfo, Reply, ReplyMeta,
    };
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
        let r = Retry(fast_policy(3)).over(inner);
        let ctx = ctx();
        let reply = r.lookup(&ctx, &query()).await.unwrap();
        assert_eq!(reply.outcome, LookupOutcome::NotFound);
        assert_eq!((reply.meta.attempts, ctx.attempts()), (3, 3));
        let ids = r.inner().request_ids.lock().unwrap().clone();
        assert_eq!(ids.len(), 3);
        assert!(ids.iter().all(|id| *id == ctx.request_id().to_string()));
    }

    #[tokio::test]
    async fn never_retries_a_rejection_and_stops_after_max_retries() {
        let rejected = RegistryError::Rejected {
            fault: "MaCanBo chua duoc dang ky".into(),
        };
        let r = Retry(fast_policy(3)).over(Scripted::new(vec![rejected.clone()], Duration::ZERO));
        assert_eq!(r.lookup(&ctx(), &query()).await.unwrap_err(), rejected);
        assert_eq!(r.inner().calls.load(Ordering::SeqCst), 1);

        let r = Retry(fast_policy(2)).over(Scripted::new(
            vec![unavailable(), unavailable(), unavailable()],
            Duration::ZERO,
        ));
        assert_eq!(r.lookup(&ctx(), &query()).await.unwrap_err(), unavailable());
        assert_eq!(r.inner().calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn honours_retry_after_within_the_deadline() {
        let limited = RegistryError::RateLimited {
            retry_after: Some(Duration::from_millis(150)),
        };
        let r = Retry(fast_policy(3)).over(Scripted::new(vec![limited.clone()], Duration::ZERO));
        let started = Instant::now();
        r.lookup(&ctx(), &query()).await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(150));

        // A Retry-After past the deadline is not waited for.
        let r = Retry(fast_policy(3)).over(Scripted::new(vec![limited.clone()], Duration::ZERO));
        let ctx = ctx().with_timeout(Duration::from_millis(50));
        assert_eq!(r.lookup(&ctx, &query()).await.unwrap_err(), limited);
        assert_eq!(r.inner().calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn attempt_timeout_and_overall_deadline() {
        let slow = AttemptLimit(Duration::from_millis(50))
            .over(Scripted::new(vec![], Duration::from_millis(300)));
        assert_eq!(
            slow.lookup(&ctx(), &query()).await.unwrap_err(),
            RegistryError::TimedOut
        );

        let slow = AttemptLimit(Duration::from_secs(10))
            .over(Scripted::new(vec![], Duration::from_millis(300)));
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
            retry: fast_policy(100),
            ..ResilienceConfig::default()
        };
        let r = cfg.wrap(
            AttemptLimit(Duration::from_millis(40))
                .over(Scripted::new(vec![], Duration::from_secs(5))),
        );
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
        /// How long `n` concurrent lookups take.
        async fn concurrently(r: RateLimited<Scripted>, n: usize) -> Duration {
            let r = Arc::new(r);
            let started = Instant::now();
            let calls: Vec<_> = (0..n)
                .map(|_| {
                    let r = Arc::clone(&r);
                    tokio::spawn(async move { r.lookup(&ctx(), &query()).await })
                })
                .collect();
            for c in calls {
                c.await.unwrap().unwrap();
            }
            started.elapsed()
        }
        let rated = RateLimit::new(Some(50.0), None).over(Scripted::new(vec![], Duration::ZERO));
        // 10 calls at 50/s are spread over at least 9 intervals of 20 ms.
        let took = concurrently(rated, 10).await;
        assert!(took >= Duration::from_millis(170), "{took:?}");
        let two_at_once =
            RateLimit::new(None, Some(2)).over(Scripted::new(vec![], Duration::from_millis(100)));
        assert!(concurrently(two_at_once, 4).await >= Duration::from_millis(200));

        // Waiting past the deadline fails fast.
        let r = RateLimit::new(Some(1.0), None).over(Scripted::new(vec![], Duration::ZERO));
        r.lookup(&ctx(), &query()).await.unwrap();
        let ctx = ctx().with_timeout(Duration::from_millis(100));
        assert_eq!(
            r.lookup(&ctx, &query()).await.unwrap_err(),
            RegistryError::TimedOut
        );
    }

    #[tokio::test]
    async fn a_rate_too_low_for_the_clock_allows_one_call_then_times_out() {
        // 1e-19 per second: an interval of 1e19 s, which Instant + Duration
        // could not hold (it panicked on the first call).
        let r = RateLimit::new(Some(1e-19), None).over(Scripted::new(vec![], Duration::ZERO));
        r.lookup(&ctx(), &query()).await.unwrap();
        let ctx = ctx().with_timeout(Duration::from_millis(50));
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
