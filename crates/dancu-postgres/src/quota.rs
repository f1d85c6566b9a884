//! A gateway's quota in PostgreSQL, shared by every instance.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use dancu_core::registry::{GatewayQuota, QuotaError, QuotaLease};

use crate::database::{Database, DbError, describe, query};

/// How long a waiting call sleeps between tries for a concurrency slot, at
/// most.
const MAX_POLL: Duration = Duration::from_millis(25);

const RESERVE: &str = "INSERT INTO dancu_quota_rate AS q (gateway, next_free)
    VALUES ($1, clock_timestamp() + make_interval(secs => $2))
    ON CONFLICT (gateway) DO UPDATE
    SET next_free = GREATEST(q.next_free, clock_timestamp()) + make_interval(secs => $2)
    RETURNING GREATEST(0, EXTRACT(EPOCH FROM
        (q.next_free - make_interval(secs => $2) - clock_timestamp())))::float8";

const CLAIM: &str = "UPDATE dancu_quota_slot
    SET holder = $3, expires_at = clock_timestamp() + make_interval(secs => $4)
    WHERE (gateway, slot) = (
        SELECT gateway, slot FROM dancu_quota_slot
        WHERE gateway = $1 AND slot < $2
          AND (holder IS NULL OR expires_at < clock_timestamp())
        ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING slot";

/// [`CLAIM`] and [`RESERVE`] in one statement, so a call under a gateway
/// with both limits costs one round trip: the start is reserved only when a
/// slot was claimed, and both happen in the statement's one transaction.
const CLAIM_AND_RESERVE: &str = "WITH claimed AS (
        UPDATE dancu_quota_slot
        SET holder = $3, expires_at = clock_timestamp() + make_interval(secs => $4)
        WHERE (gateway, slot) = (
            SELECT gateway, slot FROM dancu_quota_slot
            WHERE gateway = $1 AND slot < $2
              AND (holder IS NULL OR expires_at < clock_timestamp())
            ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING slot),
    reserved AS (
        INSERT INTO dancu_quota_rate AS q (gateway, next_free)
        SELECT $1, clock_timestamp() + make_interval(secs => $5) FROM claimed
        ON CONFLICT (gateway) DO UPDATE
        SET next_free = GREATEST(q.next_free, clock_timestamp()) + make_interval(secs => $5)
        RETURNING GREATEST(0, EXTRACT(EPOCH FROM
            (q.next_free - make_interval(secs => $5) - clock_timestamp())))::float8 AS wait)
    SELECT claimed.slot, reserved.wait FROM claimed CROSS JOIN reserved";

const RELEASE: &str = "UPDATE dancu_quota_slot SET holder = NULL, expires_at = NULL WHERE gateway = $1 AND slot = $2 AND holder = $3";

/// One gateway's `rate_per_second` and `max_concurrency`, kept in
/// PostgreSQL for every instance on the database.
///
/// * **Rate**: one row holds when the gateway's next call may start; each
///   call moves it on by `1 / rate` in one statement (the row lock orders
///   instances), then waits for its start. Calls are evenly spaced, across
///   instances, as the local limiter spaces them in one process.
/// * **Concurrency**: `max_concurrency` slot rows; a call claims a free one
///   (`FOR UPDATE SKIP LOCKED`, one round trip), and frees it when its
///   lease is dropped. A slot's claim expires after `lease` (the gateway's
///   deadline and a margin), so an instance killed mid-call gives its
///   slots back.
/// * **One round trip** for a call under quota: with both limits, the slot
///   is claimed and the start reserved by one statement; the slot is freed
///   after the call, off its path.
/// * **Fails closed**: when the database cannot be reached, no call is
///   made ([`QuotaError::Unavailable`]).
pub struct PgGatewayQuota {
    db: Database,
    gateway: String,
    interval: Option<f64>,
    slots: Option<i32>,
    lease: f64,
}

impl fmt::Debug for PgGatewayQuota {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgGatewayQuota")
            .field("gateway", &self.gateway)
            .field("interval_s", &self.interval)
            .field("slots", &self.slots)
            .finish_non_exhaustive()
    }
}

impl PgGatewayQuota {
    /// The shared quota of `gateway` in `db` (migrated): at most
    /// `rate_per_second` calls started per second and `max_concurrency` in
    /// flight across every instance (`None` or 0: no such limit); a slot
    /// claimed by an instance that died is free again after `lease`.
    ///
    /// # Errors
    ///
    /// [`DbError`] when the slots cannot be created.
    pub async fn new(
        db: Database,
        gateway: &str,
        rate_per_second: Option<f64>,
        max_concurrency: Option<usize>,
        lease: Duration,
    ) -> Result<Self, DbError> {
        let interval = rate_per_second
            .filter(|r| r.is_finite() && *r > 0.0)
            .map(|r| 1.0 / r)
            .filter(|i| i.is_finite());
        let slots = max_concurrency
            .filter(|&n| n > 0)
            .map(|n| i32::try_from(n).unwrap_or(i32::MAX));
        if let Some(n) = slots {
            let client = db.client().await?;
            client
                .execute(
                    "INSERT INTO dancu_quota_slot (gateway, slot)
                     SELECT $1, s FROM generate_series(0, $2 - 1) AS s
                     ON CONFLICT DO NOTHING",
                    &[&gateway, &n],
                )
                .await
                .map_err(query("creating the quota's concurrency slots"))?;
        }
        Ok(Self {
            db,
            gateway: gateway.to_owned(),
            interval,
            slots,
            lease: lease.as_secs_f64().max(1.0),
        })
    }

    async fn claim(&self, slots: i32, holder: &str) -> Result<Option<i32>, QuotaError> {
        let client = self.db.client().await.map_err(unavailable)?;
        let stmt = client.prepare_cached(CLAIM).await.map_err(pg_unavailable)?;
        let row = client
            .query_opt(&stmt, &[&self.gateway, &slots, &holder, &self.lease])
            .await
            .map_err(pg_unavailable)?;
        Ok(row.map(|r| r.get(0)))
    }

    /// Claims a slot and, with it, reserves the next start: the slot and
    /// when the start comes, or `None` when every slot is taken.
    async fn claim_and_reserve(
        &self,
        slots: i32,
        interval: f64,
        holder: &str,
    ) -> Result<Option<(i32, Start)>, QuotaError> {
        let client = self.db.client().await.map_err(unavailable)?;
        let stmt = client
            .prepare_cached(CLAIM_AND_RESERVE)
            .await
            .map_err(pg_unavailable)?;
        let row = client
            .query_opt(
                &stmt,
                &[&self.gateway, &slots, &holder, &self.lease, &interval],
            )
            .await
            .map_err(pg_unavailable)?;
        Ok(row.map(|r| (r.get(0), Start::after(r.get(1)))))
    }

    /// Reserves the next start; when it comes.
    async fn reserve(&self, interval: f64) -> Result<Start, QuotaError> {
        let client = self.db.client().await.map_err(unavailable)?;
        let stmt = client
            .prepare_cached(RESERVE)
            .await
            .map_err(pg_unavailable)?;
        let row = client
            .query_one(&stmt, &[&self.gateway, &interval])
            .await
            .map_err(pg_unavailable)?;
        Ok(Start::after(row.get(0)))
    }
}

/// When a reserved start comes: the database's wait (counted from when it
/// ran the statement, after any wait for the row lock), from when its answer
/// arrived. The start is never earlier than the database reserved it, so
/// the gateway never sees calls closer than the shared rate spaces them.
#[derive(Clone, Copy, Debug)]
struct Start(Option<Instant>);

impl Start {
    fn after(wait_s: f64) -> Self {
        let wait = Duration::try_from_secs_f64(wait_s).unwrap_or(Duration::ZERO);
        Self(Instant::now().checked_add(wait))
    }
}

fn unavailable(e: DbError) -> QuotaError {
    QuotaError::Unavailable(e.to_string())
}

fn pg_unavailable(e: tokio_postgres::Error) -> QuotaError {
    QuotaError::Unavailable(format!("PostgreSQL: {}", describe(&e)))
}

/// A claimed slot, freed when dropped.
struct Slot {
    db: Database,
    gateway: String,
    slot: i32,
    holder: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let (db, gateway, slot, holder) = (
            self.db.clone(),
            std::mem::take(&mut self.gateway),
            self.slot,
            std::mem::take(&mut self.holder),
        );
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!(gateway = %gateway, slot, "quota slot left to expire: no runtime");
            return;
        };
        runtime.spawn(async move {
            let released = async {
                let client = db.client().await.map_err(|e| e.to_string())?;
                client
                    .execute(RELEASE, &[&gateway, &slot, &holder])
                    .await
                    .map_err(|e| describe(&e))
            };
            if let Err(e) = released.await {
                tracing::warn!(gateway = %gateway, slot, error = %e, "quota slot left to expire");
            }
        });
    }
}

/// A holder name no other lease, in this process or another, has.
fn holder() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{}-{nanos}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

#[async_trait]
impl GatewayQuota for PgGatewayQuota {
    async fn acquire(&self, deadline: Option<Instant>) -> Result<QuotaLease, QuotaError> {
        let past = |d: Option<Instant>| d.is_some_and(|d| Instant::now() >= d);
        // The slot first, then the start: a call never waits for a slot
        // after its start came, so starts stay spaced.
        let (lease, start) = match self.slots {
            None => {
                let start = match self.interval {
                    Some(interval) => Some(self.reserve(interval).await?),
                    None => None,
                };
                (QuotaLease::none(), start)
            }
            Some(slots) => {
                let holder = holder();
                let mut pause = Duration::from_millis(2);
                loop {
                    // With a rate too, the start is reserved with the slot.
                    let claimed = match self.interval {
                        Some(interval) => self
                            .claim_and_reserve(slots, interval, &holder)
                            .await?
                            .map(|(slot, start)| (slot, Some(start))),
                        None => self.claim(slots, &holder).await?.map(|slot| (slot, None)),
                    };
                    if let Some((slot, start)) = claimed {
                        let lease = QuotaLease::new(Slot {
                            db: self.db.clone(),
                            gateway: self.gateway.clone(),
                            slot,
                            holder,
                        });
                        break (lease, start);
                    }
                    if past(deadline) {
                        return Err(QuotaError::TimedOut);
                    }
                    tokio::time::sleep(pause).await;
                    pause = pause.saturating_mul(2).min(MAX_POLL);
                }
            }
        };
        if let Some(Start(start)) = start {
            if deadline.is_some_and(|d| start.is_none_or(|s| s >= d)) {
                return Err(QuotaError::TimedOut);
            }
            match start {
                Some(s) => tokio::time::sleep_until(s.into()).await,
                None => std::future::pending().await,
            }
        }
        Ok(lease)
    }
}
