//! What the gateway test binaries share: the reference date, a context
//! and the standard query.

use std::time::Duration;

use dancu_core::registry::{IdentityQuery, RequestContext};
use dancu_core::{CalendarDate, IdNumber};

/// The tests' today.
pub(crate) fn today() -> CalendarDate {
    CalendarDate::new(2026, 11, 27).expect("date")
}

/// An officer's context at a unit, with a deadline.
pub(crate) fn ctx() -> RequestContext {
    RequestContext::new("canbo.motcua01", "1.001776".parse().expect("procedure"))
        .expect("context")
        .with_unit("000.00.21.H06".parse().expect("unit"))
        .with_timeout(Duration::from_secs(10))
}

/// NGUYỄN VĂN AN, 12/05/1989, by personal ID.
pub(crate) fn query() -> IdentityQuery {
    IdentityQuery::new(
        IdNumber::parse_on("006089000001", today()).expect("id"),
        "Nguyễn Văn An".parse().expect("name"),
        "12/05/1989".parse().expect("date"),
    )
    .expect("query")
}

/// ĐẶNG THỊ BÌNH, born 1962, by her old 9-digit CMND.
pub(crate) fn cmnd_query() -> IdentityQuery {
    IdentityQuery::new(
        IdNumber::parse_on("095123456", today()).expect("cmnd"),
        "Đặng Thị Bình".parse().expect("name"),
        "1962".parse().expect("year"),
    )
    .expect("query")
}
