//! The population-registry port: what a one-stop system asks the National
//! Population Database, and what comes back. Adapters (gateways, the
//! in-memory registry, decorators) live in `dancu-popdb`.

mod audit;
mod codes;
mod context;
mod error;
mod matching;
mod names;
mod outcome;
mod query;
mod quota;
mod record;
mod rule;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

pub use audit::{
    AuditCompletion, AuditEntry, AuditError, AuditQuery, AuditRecord, AuditSink, AuditSubject,
    AuditTicket, Operation,
};
pub use codes::CodeTable;
pub use context::{ContextError, OfficerId, RequestContext, RequestId, UnitCode};
pub use error::RegistryError;
pub use matching::{GenderAgreement, IdAgreement, MatchReport, MatchReportVi};
pub use outcome::{CheckOutcome, ExchangeDigest, LookupOutcome, Reply, ReplyMeta};
pub use query::{IdentityQuery, LookupKey, Otp, QueryError};
pub use quota::{GatewayQuota, QuotaError, QuotaLease};
pub use record::{
    AddressEra, CitizenRecord, HouseholdHead, NamedUnit, Person, RecordAddress, RecordField,
    Relative, Undecodable,
};
pub use rule::RequestRule;

/// What a registry is, for the audit trail and logs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RegistryInfo {
    /// The configured name (`[gateway.<name>]`).
    pub name: String,
    /// The channel kind: `lgsp`, `c06`, `provincial_json`, `in_memory`.
    pub channel: &'static str,
}

/// The National Population Database, as seen through one channel.
///
/// The required surface is small: a full lookup and a yes/no check.
/// Retries, deadlines, rate limits and the audit trail are decorators that
/// wrap any implementation.
#[async_trait]
pub trait PopulationRegistry: Send + Sync + fmt::Debug {
    /// The registry's name and channel.
    fn info(&self) -> RegistryInfo;

    /// What the registry can refuse without a call: a request it cannot
    /// send (a procedure without a registered service code, a one-time
    /// password its channel has no slot for). Decorators forward it, and the
    /// audit trail asks it before writing a record, so such a request is
    /// neither sent nor half-audited. The default admits everything.
    ///
    /// # Errors
    ///
    /// [`RegistryError::Configuration`] (or another error) saying why.
    fn precheck(
        &self,
        _operation: Operation,
        _ctx: &RequestContext,
        _query: &IdentityQuery,
    ) -> Result<(), RegistryError> {
        Ok(())
    }

    /// The full lookup (`TraCuuThongTinCongDan`).
    ///
    /// # Errors
    ///
    /// [`RegistryError`]; `is_transient()` says whether to retry.
    async fn lookup(
        &self,
        ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Result<Reply<LookupOutcome>, RegistryError>;

    /// The yes/no check (`XacThucThongTinCongDan`), which returns no data.
    ///
    /// # Errors
    ///
    /// [`RegistryError`]; `is_transient()` says whether to retry.
    async fn check(
        &self,
        ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Result<Reply<CheckOutcome>, RegistryError>;
}

/// A shared or boxed registry is a registry (one forwarding impl, written
/// once for both pointers).
macro_rules! forward_through_pointer {
    ($($pointer:ident),+) => {$(
        #[async_trait]
        impl<T: PopulationRegistry + ?Sized> PopulationRegistry for $pointer<T> {
            fn info(&self) -> RegistryInfo {
                (**self).info()
            }

            fn precheck(
                &self,
                operation: Operation,
                ctx: &RequestContext,
                query: &IdentityQuery,
            ) -> Result<(), RegistryError> {
                (**self).precheck(operation, ctx, query)
            }

            async fn lookup(
                &self,
                ctx: &RequestContext,
                query: &IdentityQuery,
            ) -> Result<Reply<LookupOutcome>, RegistryError> {
                (**self).lookup(ctx, query).await
            }

            async fn check(
                &self,
                ctx: &RequestContext,
                query: &IdentityQuery,
            ) -> Result<Reply<CheckOutcome>, RegistryError> {
                (**self).check(ctx, query).await
            }
        }
    )+};
}

forward_through_pointer!(Arc, Box);

/// Conveniences on top of [`PopulationRegistry`].
#[async_trait]
pub trait PopulationRegistryExt: PopulationRegistry {
    /// Looks up and, when found, compares the record with the query.
    ///
    /// # Errors
    ///
    /// As [`PopulationRegistry::lookup`].
    async fn verify(
        &self,
        ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Result<(Reply<LookupOutcome>, Option<MatchReport>), RegistryError> {
        let reply = self.lookup(ctx, query).await?;
        let report = match &reply.outcome {
            LookupOutcome::Found(record) => Some(MatchReport::compare(query, record)),
            _ => None,
        };
        Ok((reply, report))
    }
}

impl<T: PopulationRegistry + ?Sized> PopulationRegistryExt for T {}
