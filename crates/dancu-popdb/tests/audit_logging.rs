//! No personal data or secret reaches the logs of an audited lookup.
//!
//! In its own test binary: tracing caches which call sites are enabled, and
//! other tests running in parallel without a subscriber could hide events
//! from this one.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use dancu_core::PopulationRegistry;
use dancu_popdb::audit::Audited;
use support::{BIRTH, Flaky, ID, NAME, SALT, ctx, hasher, key, open, population, query_for};

/// Captures everything logged at TRACE into a buffer.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn nothing_personal_or_secret_is_logged() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let dir = tempfile::tempdir().expect("tempdir");
    tracing::subscriber::with_default(subscriber, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let sqlite = open(dir.path());
            let ok = Audited::new(population(), sqlite.clone(), hasher());
            ok.lookup(&ctx(), &query_for(ID)).await.expect("lookup");
            ok.check(&ctx(), &query_for(ID)).await.expect("check");
            for (fail_begin, fail_complete) in [(true, false), (false, true)] {
                let flaky = Arc::new(Flaky {
                    inner: sqlite.clone(),
                    fail_begin,
                    fail_complete,
                });
                let audited = Audited::new(population(), flaky, hasher());
                let _ = audited.lookup(&ctx(), &query_for(ID)).await;
            }
        });
    });
    let logged = String::from_utf8(capture.0.lock().expect("lock").clone()).expect("utf-8");
    // The log is there and says something useful...
    assert!(logged.contains("audit record written"), "{logged}");
    assert!(logged.contains("could not be written"), "{logged}");
    assert!(logged.contains("stays pending"), "{logged}");
    assert!(logged.contains("********0001"), "{logged}");
    // ...without the subject or the salt.
    for f in [
        ID,
        NAME,
        &NAME.to_uppercase(),
        "NGUYEN VAN AN",
        BIRTH,
        "1989-05-12",
        "19890512",
        SALT,
        &hasher().hash(&key(ID)),
    ] {
        assert!(!logged.contains(f), "{f:?} was logged:\n{logged}");
    }
}
