//! The published flow schema: served at `/schema/flow-v1.json` and committed as
//! `docs/flow.schema.json`. Run with `UPDATE_SCHEMA=1` to regenerate the file after a format change.

use std::path::Path;

use collector::schema::flow_schema;

use crate::support::TestApp;

#[tokio::test]
async fn schema_is_served() {
    let app = TestApp::new().await;
    let reply = app.get("/schema/flow-v1.json").await;
    assert_eq!(reply.status, 200);
    let schema = reply.json();
    assert_eq!(schema, flow_schema());
    assert_eq!(schema["title"], "Flow");
    assert!(
        schema["required"]
            .as_array()
            .unwrap()
            .iter()
            .any(|field| field == "trigger")
    );
    assert!(
        schema["properties"]["checklist"].is_object(),
        "checklists are flows"
    );
}

#[test]
fn committed_schema_file_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/flow.schema.json");
    let generated = serde_json::to_string_pretty(&flow_schema()).unwrap() + "\n";
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale: run `UPDATE_SCHEMA=1 cargo test -p collector --test it schema` and commit it",
        path.display()
    );
}
