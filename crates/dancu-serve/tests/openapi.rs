//! The committed `docs/openapi.json` is the document the service serves:
//! vendors generate their clients from the file. After changing the API,
//! regenerate it with `DANCU_BLESS=1 cargo test -p dancu-serve --test openapi`.

use std::path::Path;

#[test]
fn the_committed_document_is_the_generated_one() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    let generated = dancu_serve::openapi::document_json();
    if std::env::var_os("DANCU_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/openapi.json differs from the service's document: run \
         `DANCU_BLESS=1 cargo test -p dancu-serve --test openapi` and commit it"
    );
}

#[test]
fn the_document_is_openapi_3_1_with_every_operation() {
    let doc: serde_json::Value =
        serde_json::from_str(&dancu_serve::openapi::document_json()).unwrap_or_default();
    assert_eq!(doc["openapi"], "3.1.0");
    for path in dancu_serve::openapi::documented_paths() {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} is not in the document"
        );
    }
    assert!(doc["components"]["securitySchemes"].is_object());
}
