//! Configuration text: `dancu.toml` as the connector reads it (and builds
//! each gateway's stack from it, as `dancu verify` and `dancu serve` do)
//! and as `dancu serve` reads its own sections, and the sandbox's faults
//! and dialect settings.

use std::path::Path;
use std::sync::OnceLock;

use dancu_popdb::config::Config;
use dancu_popdb::connect;
use dancu_sandbox::{Dialects, Faults};
use dancu_serve::Service;

/// Every variable a configuration names resolves to this.
const ENV_VALUE: &str = "fuzz-env-value-0123456789";

/// One HTTP client for every gateway built (building one per input would
/// measure rustls, not the configuration).
fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(reqwest::Client::new)
}

/// Configuration text: `dancu.toml`, then every gateway's full stack
/// built from it and the service's `[serve]` and `[dossiers]`; the
/// sandbox's faults (their derived token lifetime and
/// latencies too) and dialect settings. Errors are fine; a panic is not,
/// and a file that parses must build or refuse each gateway cleanly.
pub(crate) fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let env = |var: &str| (!var.is_empty()).then(|| ENV_VALUE.to_owned());
    let base = Path::new("/nonexistent/dancu-fuzz");
    match Config::parse(text, base, &env) {
        Ok(config) => {
            drop(format!("{config:?}"));
            for name in config.gateways.keys() {
                if let Err(e) = connect::configured(&config, name, Some(client()), None) {
                    drop(e.to_string());
                }
            }
            // `[serve]` and `[dossiers]` as `dancu serve` reads them: without
            // `[audit]` the service refuses to start right after reading
            // them, before it opens any file.
            let mut unaudited = config;
            unaudited.audit = None;
            match Service::new(&unaudited, base, &env) {
                Ok(_) => panic!("a service started without an audit trail"),
                Err(e) => drop(e.to_string()),
            }
        }
        Err(e) => drop(e.to_string()),
    }
    match Faults::parse(text) {
        Ok(faults) => {
            let lifetime = faults.token_lifetime();
            assert!(lifetime.as_secs() <= dancu_sandbox::faults::MAX_TOKEN_LIFETIME_S);
            if let Some(latency) = faults.latency_ms {
                for u in [0.0, 0.5, 1.0 - f64::EPSILON] {
                    let _ = latency.sample(u);
                }
            }
        }
        Err(e) => drop(e.to_string()),
    }
    if let Err(e) = Dialects::parse_settings(text) {
        drop(e);
    }
}

/// Seeds: every TOML example of the README (the whole `dancu.toml`, the
/// `[serve]` section), one gateway of each kind with every resilience key,
/// the sandbox's faults and settings, and absurd numbers.
pub(crate) fn config_seeds() -> Vec<Vec<u8>> {
    let readme = include_str!("../../../README.md");
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    let mut rest = readme;
    while let Some(start) = rest.find("```toml\n") {
        let block = &rest[start + "```toml\n".len()..];
        let Some(end) = block.find("```") else {
            break;
        };
        let example = &block[..end];
        seeds.push(example.as_bytes().to_vec());
        // The same without the CA file (which is not there), so that every
        // gateway of the example gets built.
        let without_files: String = example
            .lines()
            .filter(|l| !l.starts_with("ca_cert"))
            .flat_map(|l| [l, "\n"])
            .collect();
        seeds.push(without_files.into_bytes());
        rest = &block[end..];
    }
    for extra in [
        r#"[officer]
id = "canbo.motcua01"
unit = "000.00.21.H06"

[gateway.tinh]
kind = "provincial_json"
preset = "dongthap_json"
base_url = "http://127.0.0.1:8080"
lookup_path = "/csdldc/tracuu"
verify_path = "/csdldc/xacthuc"
token_path = "/token"
access_key_env = "AK"
secret_key_env = "SK"
app_name = "motcua"
partner_code = "000.00.21.H06"
partner_code_cus = "000.00.21.H06"
service_codes = { "1.001776" = "G15-TP110" }
request_id = "prefix_time"
request_id_prefix = "MC-"
request_id_max_len = 32
element_order = ["MaYeuCau", "MaDVC", "MaTichHop", "MaCanBo", "MaDonVi", "SoDinhDanh", "HoVaTen", "NgayThangNamSinh"]
extra_elements = { userNameService = "motcua" }
date_format = "yyyy-MM-dd"
json_keys = "camel"
json_nulls = true
citizen_otp = false
deadline_ms = 15000
attempt_timeout_ms = 5000
max_retries = 3
rate_per_second = 0.5
max_concurrency = 0
token_refresh_margin_ms = 1000
"#,
        r#"[gateway.c06]
kind = "c06"
preset = "c06_csharp"
base_url = "https://c06.example.gov.vn"
lookup_path = "/api/tracuu"
verify_path = "/api/xacthuc"
username = "motcua"
secret_env = "C06_SECRET"
api_key_env = "C06_KEY"
x_road_client = "VN/GOV/000.00.21.H06/motcua"
auth_url = "https://c06.example.gov.vn/api"
timestamp_unit = "ms"
name_form = "unaccented"
send_unit = false
headers_env = { "X-Key" = "K" }
rate_per_second = 1e-300
max_concurrency = 9223372036854775807
deadline_ms = -1
"#,
        "latency_ms = { min = 10, max = 200 }\nerror_rate = 0.1\nserver_fault_rate = 0.1\nrejected_rate = 0.1\nreset_rate = 1\nmalformed_rate = 0.1\nquota_per_second = 100\nretry_after_s = 1\ntoken_lifetime_s = 18446744073709551615\n[outage]\nstart_after_ms = 0\nduration_ms = 30000\n",
        r#"{"latency_ms": {"mean": 40}, "error_rate": 0.3, "token_lifetime_s": 5}"#,
        r#"[serve]
addr = "0.0.0.0:8443"
allow_plain_http = true
max_body_bytes = 16777216
max_concurrent_lookups = 64
request_timeout_s = 0.5
shutdown_grace_s = 30
max_connections = 1024

[serve.clients.motcua]
key_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
scopes = ["identity", "address", "lookup", "audit", "dossier_codes"]
rate_per_second = 1e-9
burst = 10000000

[serve.clients.reports]
key_env = "DANCU_REPORTS_KEY"
scopes = ["audit"]

[dossiers]
path = "dossiers.sqlite"
"#,
        "[dialect]\nlgsp = \"opencps_lgsp\"\nc06 = \"c06_php\"\nprovincial_json = \"tandan_json\"\n",
        r#"{"dialect": {"provincial_json": "dongthap_json"}}"#,
    ] {
        seeds.push(extra.as_bytes().to_vec());
    }
    seeds
}
