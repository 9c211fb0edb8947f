//! The published flow schema, `docs/flow.schema.json`, generated from the engine's types exactly
//! as the collector serves it. Run `UPDATE_SCHEMA=1 cargo test -p engine --features schema schema`
//! to regenerate it after a format change; without the variable the test fails when it is stale.
#![cfg(feature = "schema")]

use std::path::Path;

#[test]
fn committed_schema_file_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/flow.schema.json");
    let schema = schemars::schema_for!(engine::Flow).to_value();
    let generated = serde_json::to_string_pretty(&schema).unwrap() + "\n";
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale: run `UPDATE_SCHEMA=1 cargo test -p engine --features schema schema`",
        path.display()
    );
}
