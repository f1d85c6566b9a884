//! A rule applied to each request before the registry is called: give the
//! context a default, or refuse the lookup without any call.

use std::fmt;

use super::{RegistryError, RequestContext};

/// What a one-stop system decides about a request before it reaches the
/// population database: the `[officer] unit` of a configuration given to a
/// context without one, an officer who has not confirmed their one-time
/// code refused.
///
/// A rule is a port, like the registry: it is run by the rule layer of
/// `dancu-popdb` (`dancu_popdb::layer::Rule`, a layer like the retry and
/// the audit trail), so a stack reads `Audit · Rule(gate) · gateway` and a
/// refusal inside the audit layer is on the record.
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
