//! What the SOAP bench and the codec example share: the sample answer and
//! the request of one lookup.

use dancu_core::registry::{IdentityQuery, RequestContext};
use dancu_core::{CalendarDate, IdNumber};

/// The full-record sample answer.
pub(crate) const FOUND: &[u8] = include_bytes!("../../tests/fixtures/lookup-response-found.xml");

/// The reference date, an officer's context at a unit, and the query.
pub(crate) fn lookup() -> (CalendarDate, RequestContext, IdentityQuery) {
    let on = CalendarDate::new(2026, 11, 27).expect("valid date");
    let ctx = RequestContext::new("canbo.motcua01", "1.001776".parse().expect("procedure"))
        .expect("context")
        .with_unit("000.00.21.H06".parse().expect("unit"));
    let query = IdentityQuery::new(
        IdNumber::parse_on("006089000001", on).expect("id"),
        "Nguyễn Văn An".parse().expect("name"),
        "12/05/1989".parse().expect("date"),
    )
    .expect("query");
    (on, ctx, query)
}
