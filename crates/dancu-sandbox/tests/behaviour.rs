//! The connector's behaviour suite, run against the sandbox over real HTTP
//! on every channel.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use dancu_core::{CalendarDate, PersonalId, Precision};
use dancu_popdb::config::Config;
use dancu_popdb::connect;
use dancu_popdb::suite::{OtpCitizen, SuiteFixture, behaviour_suite};
use dancu_sandbox::{Dialects, Sandbox, SandboxConfig};
use dancu_wire::Preset;

/// A fixture of real sandbox citizens, found in its population.
fn fixture(sandbox: &Sandbox, with_otp: bool) -> SuiteFixture {
    let pop = sandbox.population();
    let index = |f: &dyn Fn(&dancu_sandbox::Person) -> bool| {
        pop.people().iter().position(f).expect("such a citizen") as u32
    };
    let citizen =
        index(&|p| p.otp.is_none() && p.cmnd.is_some() && p.birth.precision() == Precision::Day);
    let year_only = index(&|p| p.otp.is_none() && p.birth.precision() == Precision::Year);
    let today = CalendarDate::new(2026, 11, 27).unwrap();
    let unknown_id = (1..)
        .map(|n: u32| PersonalId::parse_on(&format!("001090{n:06}"), today).unwrap())
        .find(|id| !pop.people().iter().any(|p| p.id == *id))
        .unwrap();
    let otp = with_otp.then(|| {
        let i = index(&|p| p.otp.is_some());
        let code = pop.people()[i as usize].otp.unwrap();
        let wrong = if code.as_str() == "000000" {
            "111111"
        } else {
            "000000"
        };
        OtpCitizen {
            record: pop.record(i).unwrap(),
            otp: code,
            wrong_otp: wrong.parse().unwrap(),
        }
    });
    SuiteFixture {
        citizen: pop.record(citizen).unwrap(),
        year_only: pop.record(year_only).unwrap(),
        unknown_id,
        otp,
        today,
    }
}

async fn suite_on_every_channel(sandbox: &Sandbox) {
    let config = Config::parse(
        &sandbox.config_toml("audit.sqlite"),
        Path::new("."),
        &|_| None,
    )
    .unwrap();
    let dialects = sandbox.dialects();
    for gateway in ["lgsp", "c06", "provincial_json"] {
        let preset = dialects.of(gateway);
        let gw = config.gateway(gateway).unwrap();
        assert_eq!(gw.preset(), preset, "{gateway}");
        // The citizen OTP round trip exists only in the contract's JSON.
        let with_otp = gateway == "provincial_json" && preset.dialect().citizen_otp;
        let registry = connect::gateway(gw, None).unwrap();
        behaviour_suite(registry.as_ref(), &fixture(sandbox, with_otp)).await;
        // And through the whole resilience stack.
        let stacked = connect::registry(gw, None, None).unwrap();
        behaviour_suite(stacked.as_ref(), &fixture(sandbox, with_otp)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behaviour_suite_passes_on_every_channel() {
    let sandbox = Sandbox::start(SandboxConfig {
        seed: 21,
        citizens: 3_000,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    suite_on_every_channel(&sandbox).await;
    sandbox.shutdown().await.unwrap();
}

/// The sandbox set to every preset, over real HTTP: three sandboxes cover
/// the five field presets (the contract is the test above).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behaviour_suite_passes_in_every_dialect() {
    let mut a = Dialects::default();
    a.set("lgsp", Preset::OpencpsLgsp).unwrap();
    a.set("c06", Preset::C06Csharp).unwrap();
    a.set("provincial_json", Preset::TandanJson).unwrap();
    let mut b = Dialects::default();
    b.apply("c06=c06_php").unwrap();
    b.apply("provincial_json=dongthap_json").unwrap();
    for dialects in [a, b] {
        let sandbox = Sandbox::start(SandboxConfig {
            seed: 22,
            citizens: 2_000,
            dialects,
            ..SandboxConfig::default()
        })
        .await
        .unwrap();
        suite_on_every_channel(&sandbox).await;
        sandbox.shutdown().await.unwrap();
    }
    assert!(Dialects::default().apply("c06=tandan_json").is_err());
    assert!(Dialects::default().apply("tinh=contract").is_err());
    let parsed = Dialects::parse_settings("[dialect]\nlgsp = \"opencps_lgsp\"\n").unwrap();
    assert_eq!(parsed.lgsp, Preset::OpencpsLgsp);
    let parsed =
        Dialects::parse_settings(r#"{"dialect": {"provincial_json": "tandan_json"}}"#).unwrap();
    assert_eq!(parsed.provincial_json, Preset::TandanJson);
    assert!(Dialects::parse_settings("[dialect]\nc06 = \"nope\"\n").is_err());
}

/// A query for the fixture's citizen, and a context.
fn citizen_query(f: &SuiteFixture) -> dancu_core::registry::IdentityQuery {
    let c = &f.citizen;
    let birth = c.birth_date.unwrap().to_string();
    f.query(c.personal_id.as_str(), c.name.as_str(), &birth)
}

fn officer() -> dancu_core::registry::RequestContext {
    dancu_core::registry::RequestContext::new("canbo.sandbox", "1.001776".parse().unwrap())
        .unwrap()
        .with_timeout(std::time::Duration::from_secs(10))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_absurd_token_lifetime_never_panics_the_token_call() {
    let sandbox = Sandbox::start(SandboxConfig {
        seed: 23,
        citizens: 500,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    // Set directly (no validation): the sandbox clamps it.
    sandbox.set_faults(dancu_sandbox::Faults {
        token_lifetime_s: Some(u64::MAX),
        ..dancu_sandbox::Faults::default()
    });
    let f = fixture(&sandbox, false);
    let registry = sandbox.registry("lgsp", None).unwrap();
    for _ in 0..2 {
        let reply = registry
            .lookup(&officer(), &citizen_query(&f))
            .await
            .unwrap();
        assert!(matches!(
            reply.outcome,
            dancu_core::registry::LookupOutcome::Found(_)
        ));
    }
    sandbox.shutdown().await.unwrap();
}

/// Sends one raw HTTP/1.1 request and reads until the server closes; `None`
/// when the connection was reset or closed before any answer.
async fn raw_request(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    body: &str,
) -> Option<String> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(addr).await.ok()?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: sandbox\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.ok()?;
    (!answer.is_empty()).then(|| String::from_utf8_lossy(&answer).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_rate_of_one_resets_gateway_routes_but_not_the_admin_api() {
    let sandbox = Sandbox::start(SandboxConfig {
        seed: 24,
        citizens: 200,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let addr = sandbox.addr();
    let put = |body: &'static str| raw_request(addr, "PUT", "/admin/faults", body);
    let answer = put("reset_rate = 1").await.expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // The gateway routes are reset, every time.
    for _ in 0..5 {
        assert_eq!(raw_request(addr, "POST", "/c06/tracuu", "<x/>").await, None);
    }
    // The admin API still answers, and can undo it.
    let stats = raw_request(addr, "GET", "/admin/stats", "")
        .await
        .expect("stats");
    assert!(stats.starts_with("HTTP/1.1 200"), "{stats}");
    let answer = put("reset_rate = 0").await.expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let answer = raw_request(addr, "POST", "/c06/tracuu", "<x/>")
        .await
        .expect("answered again");
    assert!(answer.starts_with("HTTP/1.1 "), "{answer}");
    sandbox.shutdown().await.unwrap();
}
