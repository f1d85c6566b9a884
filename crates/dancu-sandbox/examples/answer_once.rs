//! Answers one SOAP full lookup `N` times (default 1000) the way the
//! sandbox does, without HTTP: the gateway side's work per request, for an
//! instruction count that does not depend on the machine's load:
//! `valgrind --tool=callgrind target/release/examples/answer_once 1000`.
use std::future::Future;
use std::hint::black_box;
use std::sync::Arc;

use dancu_core::CalendarDate;
use dancu_core::registry::{Operation, RequestContext};
use dancu_popdb::InMemoryRegistry;
use dancu_sandbox::Population;
use dancu_wire::server::GatewaySide;
use dancu_wire::{Dialect, WireRequest};

fn ready<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    match f
        .as_mut()
        .poll(&mut std::task::Context::from_waker(std::task::Waker::noop()))
    {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => unreachable!("the in-memory registry never waits"),
    }
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let population = Arc::new(Population::generate(1, 2_000));
    let registry = InMemoryRegistry::over("sandbox", Arc::clone(&population)).without_otp();
    let side = GatewaySide::new(Dialect::default());
    let today = CalendarDate::new(2026, 11, 27).expect("date");
    let p = &population.people()[7];
    let ctx = RequestContext::new("canbo.bench", "1.001776".parse().expect("procedure"))
        .expect("context");
    let query = dancu_core::registry::IdentityQuery::new(
        dancu_core::IdNumber::PersonalId(p.id),
        p.name.clone(),
        p.birth,
    )
    .expect("query");
    let d = Dialect::default();
    let body = dancu_wire::request::soap::encode(
        &WireRequest::new(Operation::Lookup, &ctx, &query, &d, "1.001776"),
        &d,
    );
    for _ in 0..n {
        let reply = ready(side.answer_soap(
            &registry,
            Some(Operation::Lookup),
            black_box(body.as_bytes()),
            today,
            Some("2026-11-20T08:00:00"),
        ));
        assert_eq!(reply.status, 200);
        black_box(reply);
    }
}
