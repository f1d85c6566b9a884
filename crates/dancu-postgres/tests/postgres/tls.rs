//! TLS to the server: with `sslmode=require` and the province's own
//! certificate authority (`ca_file`), the connection is encrypted and
//! verified; the public roots do not trust that authority, so without it
//! the connection is refused rather than made in the clear.

use dancu_postgres::{ConnectOptions, Database, PostgresUrl};

use crate::support::server_url;

fn required(base: &str) -> PostgresUrl {
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}sslmode=require").parse().unwrap()
}

#[tokio::test]
async fn tls_is_verified_against_the_configured_authority() {
    let Some(base) = server_url("tls") else {
        return;
    };
    let ca = dancu_postgres::testkit::ca_file().unwrap_or_else(|| {
        panic!(
            "{} is not set: `bash .ci/postgres run …` serves TLS and sets it",
            dancu_postgres::testkit::CA_ENV
        )
    });
    let url = required(&base);

    let db = Database::connect_unmigrated(&url, &ConnectOptions::default().ca_file(&ca))
        .expect("a pool");
    db.ping()
        .await
        .expect("TLS with the server's own authority");

    let untrusted = Database::connect_unmigrated(&url, &ConnectOptions::default()).expect("a pool");
    let e = untrusted
        .ping()
        .await
        .expect_err("the public roots do not know the test authority")
        .to_string();
    assert!(
        e.contains("UnknownIssuer") && e.contains("`ca_file`"),
        "an untrusted certificate, said as such, with what to do: {e}"
    );

    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "not a certificate\n").unwrap();
    let e = Database::connect_unmigrated(&url, &ConnectOptions::default().ca_file(&empty))
        .map(|_| ())
        .expect_err("a CA file without a certificate is refused")
        .to_string();
    assert!(e.contains("no certificate"), "{e}");
}
