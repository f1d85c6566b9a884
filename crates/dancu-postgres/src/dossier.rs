//! Dossier codes and dossiers in PostgreSQL, shared by every instance.

use std::fmt;

use async_trait::async_trait;
use dancu_core::dossier::{Dossier, DossierStatus, DossierStore, StoreError};
use dancu_core::{CalendarDate, DossierCode};
use tokio_postgres::types::ToSql;

use crate::database::{Database, describe};

/// The highest serial a unit can issue in a day: serials have four digits.
const LAST_SERIAL: i32 = 9_999;

const UPSERT: &str = "INSERT INTO dancu_dossier (code, unit, status, channel, procedure_code,
        owner_id_masked, intake_date, updated_at, body)
    VALUES ($1, $2, $3, $4, $5, $6, $7::text::date, now(), $8::text::json)
    ON CONFLICT (code) DO UPDATE SET
        unit = excluded.unit, status = excluded.status, channel = excluded.channel,
        procedure_code = excluded.procedure_code, owner_id_masked = excluded.owner_id_masked,
        intake_date = excluded.intake_date, updated_at = excluded.updated_at,
        body = excluded.body";

const REPLACE_IF: &str = "UPDATE dancu_dossier SET unit = $2, status = $3, channel = $4,
        procedure_code = $5, owner_id_masked = $6, intake_date = $7::text::date,
        updated_at = now(), body = $8::text::json
    WHERE code = $1 AND status = $9";

/// A [`DossierStore`] in PostgreSQL: every instance on the database shares
/// one serial counter per unit and day and one set of dossiers.
///
/// * [`DossierStore::issue_code`] is one `INSERT … ON CONFLICT DO UPDATE …
///   RETURNING` on the unit's counter row for the day: the row lock makes
///   concurrent issues, from any instance, take turns, so no two ever get
///   the same serial and none is skipped.
/// * [`DossierStore::save`] writes the dossier and moves the counter past
///   an imported code's serial in one transaction: all or nothing.
/// * [`DossierStore::replace_if_status`] is one `UPDATE … WHERE status =
///   expected`: a real compare-and-swap (PostgreSQL re-checks the condition
///   on the latest row version after waiting for a concurrent writer).
///
/// Commits run with `synchronous_commit=on`. Errors name codes and units,
/// never a dossier's personal data.
#[derive(Clone)]
pub struct PgDossierStore {
    db: Database,
}

impl fmt::Debug for PgDossierStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgDossierStore")
            .field("db", &self.db)
            .finish()
    }
}

impl PgDossierStore {
    /// The store in `db` (migrated by [`Database::connect`]).
    #[must_use]
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// The database.
    #[must_use]
    pub fn database(&self) -> &Database {
        &self.db
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.db
            .client()
            .await
            .map_err(|e| StoreError::Backend(e.to_string()))
    }
}

fn backend(doing: &str) -> impl Fn(tokio_postgres::Error) -> StoreError + '_ {
    move |e| {
        let reason = describe(&e);
        tracing::warn!(doing, error = %reason, "dossier store operation failed");
        StoreError::Backend(format!("PostgreSQL error while {doing}: {reason}"))
    }
}

/// The columns stored beside a dossier's JSON body.
struct Row {
    code: String,
    unit: String,
    status: i16,
    channel: i16,
    procedure: String,
    owner_id_masked: String,
    intake_date: Option<String>,
    body: String,
}

impl Row {
    fn of(dossier: &Dossier) -> Result<Self, StoreError> {
        let code = dossier.code.to_string();
        let body = serde_json::to_string(dossier).map_err(|e| {
            StoreError::Backend(format!(
                "cannot encode dossier {code}: {}",
                dancu_core::dossier::describe_stored_json(&e)
            ))
        })?;
        Ok(Self {
            code,
            unit: dossier.unit.clone(),
            status: i16::from(dossier.status.code()),
            channel: i16::from(dossier.channel.code()),
            procedure: dossier.procedure.to_string(),
            owner_id_masked: dossier.owner.id().value.masked().to_string(),
            intake_date: dossier.intake_date.map(|d| d.to_string()),
            body,
        })
    }

    /// The row's values as `$1`…`$8` of [`UPSERT`] and [`REPLACE_IF`], in
    /// their column order.
    fn params(&self) -> [&(dyn ToSql + Sync); 8] {
        [
            &self.code,
            &self.unit,
            &self.status,
            &self.channel,
            &self.procedure,
            &self.owner_id_masked,
            &self.intake_date,
            &self.body,
        ]
    }
}

fn decode(code: &str, body: &str) -> Result<Dossier, StoreError> {
    let corrupt = |reason: String| {
        StoreError::Backend(format!("stored dossier {code} is unreadable: {reason}"))
    };
    let dossier: Dossier = serde_json::from_str(body)
        .map_err(|e| corrupt(dancu_core::dossier::describe_stored_json(&e)))?;
    if dossier.code.to_string() != code {
        return Err(corrupt("the body holds another dossier code".to_owned()));
    }
    Ok(dossier)
}

/// Whether `unit` and `date` can make a dossier code
/// ([`DossierCode::check_parts`]).
fn check_code_parts(unit: &str, date: CalendarDate) -> Result<(), StoreError> {
    DossierCode::check_parts(unit, date).map_err(|reason| {
        StoreError::Backend(format!(
            "cannot issue a dossier code for unit {unit:?}: {reason}"
        ))
    })
}

#[async_trait]
impl DossierStore for PgDossierStore {
    async fn issue_code(&self, unit: &str, date: CalendarDate) -> Result<DossierCode, StoreError> {
        check_code_parts(unit, date)?;
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "INSERT INTO dancu_dossier_serial (unit, day, last) VALUES ($1, $2::text::date, 1)
                 ON CONFLICT (unit, day) DO UPDATE SET last = dancu_dossier_serial.last + 1
                 WHERE dancu_dossier_serial.last < $3
                 RETURNING last",
            )
            .await
            .map_err(backend("preparing the serial upsert"))?;
        let row = client
            .query_opt(&stmt, &[&unit, &date.to_string(), &LAST_SERIAL])
            .await
            .map_err(backend("counting the serial"))?;
        let Some(row) = row else {
            tracing::warn!(unit, %date, "every dossier serial of the day is used");
            return Err(StoreError::SerialsExhausted {
                unit: unit.to_owned(),
                date,
            });
        };
        let serial = u32::try_from(row.get::<_, i32>(0))
            .map_err(|_| StoreError::Backend("a stored serial is negative".to_owned()))?;
        let code = DossierCode::new(unit, date, serial)
            .map_err(|e| StoreError::Backend(format!("cannot make the code: {e}")))?;
        tracing::debug!(%code, "dossier code issued");
        Ok(code)
    }

    async fn save(&self, dossier: &Dossier) -> Result<(), StoreError> {
        let row = Row::of(dossier)?;
        let mut client = self.client().await?;
        let tx = client
            .transaction()
            .await
            .map_err(backend("starting the save"))?;
        let upsert = tx
            .prepare_cached(UPSERT)
            .await
            .map_err(backend("preparing the dossier upsert"))?;
        tx.execute(&upsert, &row.params())
            .await
            .map_err(backend("writing the dossier"))?;
        if !dossier.code.is_reissued() {
            // A dossier whose code this store did not issue (an import)
            // moves the counter past its serial, so the code is never
            // issued again.
            let serial = i32::try_from(dossier.code.serial())
                .map_err(|_| StoreError::Backend("serial out of range".to_owned()))?;
            tx.execute(
                "INSERT INTO dancu_dossier_serial (unit, day, last) VALUES ($1, $2::text::date, $3)
                 ON CONFLICT (unit, day) DO UPDATE
                 SET last = GREATEST(dancu_dossier_serial.last, excluded.last)",
                &[
                    &dossier.code.unit(),
                    &dossier.code.date().to_string(),
                    &serial,
                ],
            )
            .await
            .map_err(backend("catching the serial counter up"))?;
        }
        tx.commit()
            .await
            .map_err(backend("committing the dossier"))?;
        tracing::debug!(code = %row.code, "dossier saved");
        Ok(())
    }

    async fn replace_if_status(
        &self,
        dossier: &Dossier,
        expected: DossierStatus,
    ) -> Result<(), StoreError> {
        let row = Row::of(dossier)?;
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(REPLACE_IF)
            .await
            .map_err(backend("preparing the conditional replace"))?;
        let changed = client
            .execute(
                &stmt,
                &[row.params().as_slice(), &[&i16::from(expected.code())]].concat(),
            )
            .await
            .map_err(backend("replacing the dossier"))?;
        if changed == 0 {
            let found = client
                .query_opt(
                    "SELECT status FROM dancu_dossier WHERE code = $1",
                    &[&row.code],
                )
                .await
                .map_err(backend("reading the dossier's status"))?
                .and_then(|r| u8::try_from(r.get::<_, i16>(0)).ok())
                .and_then(DossierStatus::from_code);
            return Err(StoreError::StatusChanged {
                code: row.code,
                expected,
                found,
            });
        }
        tracing::debug!(code = %row.code, "dossier replaced");
        Ok(())
    }

    async fn load(&self, code: &DossierCode) -> Result<Option<Dossier>, StoreError> {
        let code = code.to_string();
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT body::text FROM dancu_dossier WHERE code = $1",
                &[&code],
            )
            .await
            .map_err(backend("reading the dossier"))?;
        row.map(|r| decode(&code, r.get(0))).transpose()
    }

    async fn list(&self, unit: &str, status: DossierStatus) -> Result<Vec<Dossier>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT code, body::text FROM dancu_dossier
                 WHERE unit = $1 AND status = $2 ORDER BY code",
                &[&unit, &i16::from(status.code())],
            )
            .await
            .map_err(backend("listing dossiers"))?;
        rows.iter().map(|r| decode(r.get(0), r.get(1))).collect()
    }
}
