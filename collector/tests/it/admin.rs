//! Admin flow API: CRUD, publish/archive, import/export round trip, funnels and every way a
//! flow can be refused.

use axum::http::Method;
use serde_json::{Value, json};

use crate::support::{TestApp, check_error, on_every_backend, tour, track};

on_every_backend!(
    create_update_publish_archive,
    export_then_import_elsewhere_round_trips,
    funnel_counts_distinct_users,
    refuses_bad_flows_with_every_problem,
    unknown_flows_are_404_naming_the_id
);

async fn create_update_publish_archive(app: TestApp) {
    let mut flow = tour("welcome-tour");
    flow["status"] = json!("published");
    flow["version"] = json!(7);
    let created = app
        .admin(Method::POST, "/v1/admin/flows", Some(&flow))
        .await;
    assert_eq!(created.status, 201);
    let created = created.json();
    assert_eq!(
        (created["status"].as_str(), created["version"].as_u64()),
        (Some("draft"), Some(1))
    );
    assert_eq!(
        created["steps"][0]["body_doc"][0]["children"][1]["tag"],
        "strong"
    );

    let again = app
        .admin(Method::POST, "/v1/admin/flows", Some(&flow))
        .await;
    check_error("create twice", &again, 409, "flow_exists", Some("id"));

    let published = app
        .admin(Method::POST, "/v1/admin/flows/welcome-tour/publish", None)
        .await
        .json();
    assert_eq!(published["status"], "published");

    flow["name"] = json!("Renamed");
    let updated = app
        .admin(Method::PUT, "/v1/admin/flows/welcome-tour", Some(&flow))
        .await;
    assert_eq!(updated.status, 200);
    let updated = updated.json();
    assert_eq!(
        (updated["version"].as_u64(), updated["status"].as_str()),
        (Some(2), Some("published"))
    );

    let shown = app
        .admin(Method::GET, "/v1/admin/flows/welcome-tour", None)
        .await
        .json();
    assert_eq!(shown["name"], "Renamed");

    let list = app.admin(Method::GET, "/v1/admin/flows", None).await.json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let summary = &list[0];
    assert_eq!(summary["id"], "welcome-tour");
    assert_eq!(summary["name"], "Renamed");
    assert_eq!(summary["status"], "published");
    assert_eq!(summary["version"], 2);
    assert_eq!(summary["trigger"], json!({"type": "url", "pattern": "/"}));
    assert_eq!(summary["step_count"], 3);
    assert!(summary["updated_at"].as_i64().unwrap() > 0);

    let archived = app
        .admin(Method::POST, "/v1/admin/flows/welcome-tour/archive", None)
        .await
        .json();
    assert_eq!(archived["status"], "archived");
}

async fn export_then_import_elsewhere_round_trips(source: TestApp) {
    source.publish(&tour("welcome-tour")).await;
    let export = source
        .admin(Method::GET, "/v1/admin/flows/welcome-tour/export", None)
        .await;
    assert_eq!(export.status, 200);
    assert!(
        export
            .header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );
    let file = export.json();
    assert_eq!(file["format"], "waymark.flow/v1");

    let Some(target) = source.fresh().await else {
        return;
    };
    let imported = target
        .admin(Method::POST, "/v1/admin/flows/import", Some(&file))
        .await;
    assert_eq!(
        imported.status,
        200,
        "{}",
        String::from_utf8_lossy(&imported.body)
    );
    let imported = imported.json();
    assert_eq!(
        (imported["status"].as_str(), imported["version"].as_u64()),
        (Some("draft"), Some(1))
    );
    let original = source
        .admin(Method::GET, "/v1/admin/flows/welcome-tour", None)
        .await
        .json();
    assert_eq!(
        imported["steps"], original["steps"],
        "same steps, same compiled bodies"
    );
    assert_eq!(imported["trigger"], original["trigger"]);

    let reimported = target
        .admin(Method::POST, "/v1/admin/flows/import", Some(&file))
        .await
        .json();
    assert_eq!(
        reimported["version"], 2,
        "importing over an existing flow replaces it"
    );
}

async fn funnel_counts_distinct_users(app: TestApp) {
    app.publish(&tour("welcome-tour")).await;
    let started = || {
        track(
            "",
            "flow_started",
            json!({"flow_id": "welcome-tour", "version": 1}),
        )
    };
    let step = |name: &str, index: usize| {
        track(
            "",
            name,
            json!({"flow_id": "welcome-tour", "step_id": "x", "step_index": index}),
        )
    };
    let with_ids = |user: &str, events: Vec<Value>| {
        Value::Array(
            events
                .into_iter()
                .enumerate()
                .map(|(index, mut event)| {
                    event["message_id"] = json!(format!("{user}-{index}"));
                    event
                })
                .collect(),
        )
    };
    let finisher = vec![
        started(),
        step("step_viewed", 0),
        step("step_viewed", 0),
        step("step_completed", 0),
        step("step_viewed", 1),
        step("step_completed", 1),
        step("step_viewed", 2),
        step("step_completed", 2),
        track("", "flow_completed", json!({"flow_id": "welcome-tour"})),
    ];
    app.batch("ada", "/", with_ids("ada", finisher)).await;
    let quitter = vec![
        started(),
        step("step_viewed", 0),
        step("step_completed", 0),
        step("step_viewed", 1),
        track(
            "",
            "flow_dismissed",
            json!({"flow_id": "welcome-tour", "step_index": 1}),
        ),
    ];
    app.batch("bob", "/", with_ids("bob", quitter)).await;
    app.batch(
        "cy",
        "/",
        with_ids("cy", vec![started(), step("step_viewed", 0)]),
    )
    .await;

    let funnel = app
        .admin(Method::GET, "/v1/admin/flows/welcome-tour/funnel", None)
        .await;
    assert_eq!(funnel.status, 200);
    let funnel = funnel.json();
    assert_eq!(funnel["flow_id"], "welcome-tour");
    assert_eq!(
        (
            funnel["started"].as_i64(),
            funnel["completed"].as_i64(),
            funnel["dismissed"].as_i64()
        ),
        (Some(3), Some(1), Some(1))
    );
    let steps: Vec<(String, i64, i64)> = funnel["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| {
            (
                step["step_id"].as_str().unwrap().to_string(),
                step["viewed"].as_i64().unwrap(),
                step["completed"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("welcome".to_string(), 3, 2),
            ("projects-nav".to_string(), 2, 1),
            ("new-project".to_string(), 1, 1)
        ]
    );
    assert_eq!(funnel["steps"][0]["title"], "Hi {{first_name|there}}");
    assert_eq!(funnel["steps"][2]["step_index"], 2);
}

async fn refuses_bad_flows_with_every_problem(app: TestApp) {
    let mut unknown_kind = tour("t");
    unknown_kind["steps"][0]["kind"] = json!("carousel");
    let mut wrong_type = tour("t");
    wrong_type["priority"] = json!("high");
    let mut no_name = tour("t");
    no_name.as_object_mut().unwrap().remove("name");

    for (case, body, status, code, field) in [
        (
            "unknown step kind",
            unknown_kind.to_string(),
            400,
            "invalid_body",
            Some("steps[0].kind"),
        ),
        (
            "wrong type",
            wrong_type.to_string(),
            400,
            "invalid_body",
            Some("priority"),
        ),
        (
            "missing name",
            no_name.to_string(),
            400,
            "invalid_body",
            Some("name"),
        ),
        (
            "malformed JSON",
            "{\"id\": ".to_string(),
            400,
            "invalid_body",
            None,
        ),
    ] {
        check_error(
            case,
            &app.admin_raw(Method::POST, "/v1/admin/flows", body).await,
            status,
            code,
            field,
        );
    }

    let invalid = json!({
        "id": "Bad Id",
        "name": "",
        "trigger": {"type": "url", "pattern": "projects"},
        "steps": [
            {"id": "a", "kind": "tooltip", "title": "No target", "buttons": [{"action": "back", "label": "Back"}]},
            {"id": "a", "kind": "modal", "title": "Dup", "buttons": [{"action": "cta", "label": "Go", "url": "javascript:alert(1)"}]}
        ]
    });
    let reply = app
        .admin(Method::POST, "/v1/admin/flows", Some(&invalid))
        .await;
    assert_eq!(reply.status, 422);
    let body = reply.json();
    assert_eq!(body["code"], "invalid_flow");
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["field"].as_str().unwrap())
        .collect();
    for expected in [
        "id",
        "name",
        "trigger.pattern",
        "steps[0].target",
        "steps[0].buttons",
        "steps[0].buttons[0].action",
        "steps[1].id",
        "steps[1].buttons[0].url",
    ] {
        assert!(
            fields.contains(&expected),
            "{expected} missing from {fields:?}"
        );
    }
    assert!(
        app.admin(Method::GET, "/v1/admin/flows", None)
            .await
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );

    // The same rules hold for update and import.
    app.publish(&tour("t")).await;
    check_error(
        "update invalid",
        &app.admin(
            Method::PUT,
            "/v1/admin/flows/t",
            Some(&{
                let mut flow = tour("t");
                flow["steps"] = json!([]);
                flow
            }),
        )
        .await,
        422,
        "invalid_flow",
        Some("steps"),
    );
    check_error(
        "update other id",
        &app.admin(Method::PUT, "/v1/admin/flows/t", Some(&tour("u")))
            .await,
        400,
        "id_mismatch",
        Some("id"),
    );
    check_error(
        "import invalid",
        &app.admin(Method::POST, "/v1/admin/flows/import", Some(&invalid))
            .await,
        422,
        "invalid_flow",
        None,
    );
}

async fn unknown_flows_are_404_naming_the_id(app: TestApp) {
    for (method, uri) in [
        (Method::GET, "/v1/admin/flows/nope"),
        (Method::POST, "/v1/admin/flows/nope/publish"),
        (Method::POST, "/v1/admin/flows/nope/archive"),
        (Method::GET, "/v1/admin/flows/nope/export"),
        (Method::GET, "/v1/admin/flows/nope/funnel"),
    ] {
        check_error(
            uri,
            &app.admin(method, uri, None).await,
            404,
            "flow_not_found",
            Some("id"),
        );
    }
    check_error(
        "PUT",
        &app.admin(Method::PUT, "/v1/admin/flows/nope", Some(&tour("nope")))
            .await,
        404,
        "flow_not_found",
        Some("id"),
    );
}
