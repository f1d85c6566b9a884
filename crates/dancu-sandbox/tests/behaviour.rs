//! The connector's behaviour suite, run against the sandbox over real HTTP
//! on every channel.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use dancu_core::{CalendarDate, PersonalId, Precision};
use dancu_popdb::config::Config;
use dancu_popdb::connect;
use dancu_popdb::suite::{OtpCitizen, SuiteFixture, behaviour_suite};
use dancu_sandbox::{Sandbox, SandboxConfig};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behaviour_suite_passes_on_every_channel() {
    let sandbox = Sandbox::start(SandboxConfig {
        seed: 21,
        citizens: 3_000,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let config = Config::parse(
        &sandbox.config_toml("audit.sqlite"),
        Path::new("."),
        &|_| None,
    )
    .unwrap();
    for (gateway, with_otp) in [("lgsp", false), ("c06", false), ("provincial_json", true)] {
        let registry = connect::gateway(config.gateway(gateway).unwrap(), None).unwrap();
        behaviour_suite(registry.as_ref(), &fixture(&sandbox, with_otp)).await;
        // And through the whole resilience stack.
        let stacked = connect::registry(config.gateway(gateway).unwrap(), None, None).unwrap();
        behaviour_suite(stacked.as_ref(), &fixture(&sandbox, with_otp)).await;
    }
    sandbox.shutdown().await.unwrap();
}
