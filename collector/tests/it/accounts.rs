//! Accounts (customer onboarding): the account list and register card built from real ingested
//! events, specialists, notes with suggested tags, the onboarding plan, tags and recurring problems.

use axum::http::Method;
use collector::storage::now_ms;
use serde_json::{Value, json};

use crate::support::{TestApp, check_error, on_every_backend, tour};

on_every_backend!(
    register_card_from_events,
    notes_and_plan,
    problems_rank_tags_by_accounts
);

/// An event of `kind` sent now (the card counts activity in the last 7 days).
fn event(message_id: &str, kind: &str, fields: Value) -> Value {
    let mut event = json!({"message_id": message_id, "type": kind, "timestamp": now_ms()});
    for (key, value) in fields.as_object().unwrap() {
        event[key] = value.clone();
    }
    event
}

fn tracked(message_id: &str, name: &str, properties: Value) -> Value {
    event(
        message_id,
        "track",
        json!({"name": name, "properties": properties}),
    )
}

fn group(message_id: &str, account: &str, traits: Value) -> Value {
    event(
        message_id,
        "group",
        json!({"group_id": account, "traits": traits}),
    )
}

fn feedback(message_id: &str, text: &str) -> Value {
    tracked(
        message_id,
        "feedback_submitted",
        json!({"category": "idea", "text": text, "page_url": "http://localhost:3000/projects"}),
    )
}

/// An NPS survey whose second question takes text.
fn survey() -> Value {
    json!({
        "format": "waymark.flow/v1",
        "id": "nps", "name": "NPS",
        "trigger": {"type": "url", "pattern": "/"},
        "frequency": "until_completed",
        "survey": {"sample_percent": 100},
        "steps": [
            {"id": "score", "kind": "slideout", "title": "", "question": {"kind": "nps"}},
            {"id": "why", "kind": "slideout", "title": "Why?", "question": {"kind": "text"}},
            {"id": "thanks", "kind": "slideout", "title": "Thank you!"}
        ]
    })
}

fn answer(message_id: &str, step: &str, index: usize, kind: &str, value: Value) -> Value {
    tracked(
        message_id,
        "survey_answered",
        json!({"flow_id": "nps", "step_id": step, "step_index": index, "kind": kind, "answer": value}),
    )
}

fn started(message_id: &str, flow_id: &str) -> Value {
    tracked(
        message_id,
        "flow_started",
        json!({"flow_id": flow_id, "version": 1}),
    )
}

async fn ok(app: &TestApp, method: Method, uri: &str, body: Option<&Value>) -> Value {
    let reply = app.admin(method, uri, body).await;
    assert!(
        reply.status.is_success(),
        "{uri}: {} {}",
        reply.status,
        String::from_utf8_lossy(&reply.body)
    );
    if reply.body.is_empty() {
        Value::Null
    } else {
        reply.json()
    }
}

async fn register_card_from_events(app: TestApp) {
    app.publish(&tour("welcome")).await;
    app.publish(&crate::checklists::checklist("start")).await;
    app.publish(&survey()).await;

    // Ada joins Acme, starts the welcome tour and gets past its first step: stuck on the second.
    app.batch(
        "ada",
        "/",
        json!([
            event(
                "ada-id",
                "identify",
                json!({"traits": {"first_name": "Ada"}})
            ),
            group(
                "ada-g",
                "acme",
                json!({"name": "Acme", "plan": "free", "size": 40})
            ),
            started("ada-start", "welcome"),
            tracked(
                "ada-step",
                "step_completed",
                json!({"flow_id": "welcome", "step_id": "welcome", "step_index": 0})
            ),
            feedback("ada-fb", "Importing a CSV is too slow"),
            answer("ada-nps", "score", 0, "nps", json!(10)),
        ]),
    )
    .await;
    // Bob joins later and upgrades the plan; he completes the tour and gives a low score.
    app.batch(
        "bob",
        "/",
        json!([
            group("bob-g", "acme", json!({"plan": "pro"})),
            started("bob-start", "welcome"),
            tracked("bob-done", "flow_completed", json!({"flow_id": "welcome"})),
            answer("bob-nps", "score", 0, "nps", json!(3)),
        ]),
    )
    .await;
    // Cy was in Acme, then moved to Globex: Cy's feedback sent from Acme stays Acme's.
    app.batch(
        "cy",
        "/",
        json!([
            group("cy-g1", "acme", json!({})),
            feedback("cy-fb", "Love the reports"),
            group("cy-g2", "globex", json!({"name": "Globex"})),
            feedback("cy-fb2", "Pricing page is confusing"),
        ]),
    )
    .await;

    let card = ok(&app, Method::GET, "/v1/admin/accounts/acme", None).await;
    assert_eq!(card["id"], "acme");
    assert_eq!(card["name"], "Acme");
    assert_eq!(
        card["traits"],
        json!({"name": "Acme", "plan": "pro", "size": 40})
    );
    assert_eq!(card["specialist"], Value::Null);
    let users = card["users"].as_array().unwrap();
    let ids: Vec<&str> = users
        .iter()
        .map(|user| user["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["ada", "bob"]);
    assert_eq!(users[0]["traits"]["first_name"], "Ada");
    assert!(users[0]["last_active_at"].as_i64().unwrap() > now_ms() - 60_000);
    assert_eq!(
        users[0]["stuck"],
        json!({"flow_id": "welcome", "flow_name": "Welcome tour",
               "step_id": "projects-nav", "step_title": "Projects"})
    );
    assert_eq!(users[0]["completed"], json!([]));
    assert_eq!(users[1]["stuck"], Value::Null);
    assert_eq!(users[1]["completed"], json!(["welcome"]));

    // Key flows are the live checklist and tour, not the survey.
    let onboarding = card["onboarding"].as_array().unwrap();
    let summary: Vec<(&str, &str, u64, u64, u64)> = onboarding
        .iter()
        .map(|row| {
            (
                row["flow_id"].as_str().unwrap(),
                row["kind"].as_str().unwrap(),
                row["completed_users"].as_u64().unwrap(),
                row["total_users"].as_u64().unwrap(),
                row["percent"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("start", "checklist", 0, 2, 0),
            ("welcome", "flow", 1, 2, 50)
        ]
    );

    // One promoter and one detractor: NPS 0 from two answers.
    assert_eq!(card["scores"]["nps"]["n"], 2);
    assert_eq!(card["scores"]["nps"]["score"].as_f64(), Some(0.0));
    assert_eq!(card["scores"]["ces"], Value::Null);

    let feedback: Vec<&str> = card["feedback"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["id"].as_str().unwrap())
        .collect();
    assert_eq!(feedback.len(), 2);
    assert!(feedback.contains(&"ada-fb") && feedback.contains(&"cy-fb"));
    let ada_feedback = &card["feedback"].as_array().unwrap()
        [feedback.iter().position(|id| *id == "ada-fb").unwrap()];
    assert_eq!(ada_feedback["category"], "idea");
    assert_eq!(ada_feedback["account_id"], "acme");
    assert_eq!(ada_feedback["tags"], json!([]));

    // The timeline holds the members' events, newest first.
    let timeline = card["timeline"].as_array().unwrap();
    assert!(!timeline.is_empty() && timeline.len() <= 100);
    assert!(
        timeline
            .windows(2)
            .all(|pair| pair[0]["at"].as_i64() >= pair[1]["at"].as_i64())
    );
    assert!(timeline.iter().all(|row| row["user_id"] != "cy"));
    assert!(
        timeline
            .iter()
            .any(|row| row["name"] == "feedback_submitted"
                && row["detail"] == "idea: Importing a CSV is too slow")
    );

    let list = ok(&app, Method::GET, "/v1/admin/accounts", None).await;
    let acme = list
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["id"] == "acme")
        .unwrap();
    assert_eq!(acme["name"], "Acme");
    assert_eq!(acme["users"], 2);
    assert_eq!(acme["active_users_7d"], 2);
    // 1 of 4 (flow, user) pairs done.
    assert_eq!(acme["onboarding_percent"], 25);
    assert_eq!(acme["nps"].as_f64(), Some(0.0));
    assert_eq!(acme["overdue_tasks"], 0);
    let globex = list
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["id"] == "globex")
        .unwrap();
    assert_eq!(
        (globex["name"].as_str(), globex["users"].as_u64()),
        (Some("Globex"), Some(1))
    );

    // Specialist: set, cleared, checked.
    let set = ok(
        &app,
        Method::PUT,
        "/v1/admin/accounts/acme/specialist",
        Some(&json!({"specialist": "Maya Chen"})),
    )
    .await;
    assert_eq!(set["specialist"], "Maya Chen");
    let card = ok(&app, Method::GET, "/v1/admin/accounts/acme", None).await;
    assert_eq!(card["specialist"], "Maya Chen");
    let list = ok(&app, Method::GET, "/v1/admin/accounts", None).await;
    assert_eq!(list[0]["specialist"], "Maya Chen");
    ok(
        &app,
        Method::PUT,
        "/v1/admin/accounts/acme/specialist",
        Some(&json!({"specialist": null})),
    )
    .await;
    let card = ok(&app, Method::GET, "/v1/admin/accounts/acme", None).await;
    assert_eq!(card["specialist"], Value::Null);

    for (case, uri, body, status, code, field) in [
        (
            "long specialist",
            "/v1/admin/accounts/acme/specialist",
            json!({"specialist": "x".repeat(101)}),
            400,
            "too_long",
            Some("specialist"),
        ),
        (
            "blank specialist",
            "/v1/admin/accounts/acme/specialist",
            json!({"specialist": "  "}),
            400,
            "empty",
            Some("specialist"),
        ),
        (
            "unknown account",
            "/v1/admin/accounts/nope/specialist",
            json!({"specialist": "Maya"}),
            404,
            "not_found",
            Some("id"),
        ),
    ] {
        let reply = app.admin(Method::PUT, uri, Some(&body)).await;
        check_error(case, &reply, status, code, field);
    }
    let unknown = app
        .admin(Method::GET, "/v1/admin/accounts/nope", None)
        .await;
    check_error("unknown card", &unknown, 404, "not_found", Some("id"));
}

async fn notes_and_plan(app: TestApp) {
    app.batch("ada", "/", json!([group("ada-g", "acme", json!({}))]))
        .await;
    let rules = json!({"threshold": 2, "rules": [
        {"tag": "pricing", "keywords": ["price", "Expensive", "cost"]},
        {"tag": "import", "keywords": ["csv"]}
    ]});
    let saved = ok(&app, Method::PUT, "/v1/admin/tag-rules", Some(&rules)).await;
    assert_eq!(saved["rules"][0]["keywords"][1], "expensive");
    assert_eq!(
        ok(&app, Method::GET, "/v1/admin/tag-rules", None).await,
        saved
    );

    let note = ok(
        &app,
        Method::POST,
        "/v1/admin/accounts/acme/notes",
        Some(&json!({"kind": "objection", "text": "Too expensive; CSV import is missing"})),
    )
    .await;
    assert_eq!(note["kind"], "objection");
    assert_eq!(note["author"], "admin");
    assert_eq!(note["tags"], json!([]));
    assert_eq!(note["suggested_tags"], json!(["pricing", "import"]));
    assert!(note["created_at"].as_i64().unwrap() > 0);
    let id = note["id"].as_i64().unwrap();

    let updated = ok(
        &app,
        Method::PUT,
        &format!("/v1/admin/notes/{id}"),
        Some(
            &json!({"kind": "objection", "text": "Too expensive; CSV import is missing",
                     "tags": ["pricing"]}),
        ),
    )
    .await;
    assert_eq!(updated["tags"], json!(["pricing"]));
    assert_eq!(updated["suggested_tags"], json!(["import"]));

    ok(
        &app,
        Method::POST,
        "/v1/admin/accounts/acme/notes",
        Some(&json!({"kind": "challenge", "text": "Migrating 40 projects", "author": "Maya Chen"})),
    )
    .await;
    let gone = ok(
        &app,
        Method::POST,
        "/v1/admin/accounts/acme/notes",
        Some(&json!({"kind": "note", "text": "Call on Monday", "tags": ["call"]})),
    )
    .await;
    let card = ok(&app, Method::GET, "/v1/admin/accounts/acme", None).await;
    assert_eq!(card["objections"][0]["id"], id);
    assert_eq!(card["challenges"][0]["author"], "Maya Chen");
    assert_eq!(card["notes"][0]["text"], "Call on Monday");
    let gone_uri = format!("/v1/admin/notes/{}", gone["id"]);
    let deleted = app.admin(Method::DELETE, &gone_uri, None).await;
    assert_eq!(deleted.status, 204);
    let again = app.admin(Method::DELETE, &gone_uri, None).await;
    check_error("deleted note", &again, 404, "not_found", Some("id"));
    let card = ok(&app, Method::GET, "/v1/admin/accounts/acme", None).await;
    assert_eq!(card["notes"], json!([]));
    // The deleted note's tag no longer counts as a problem.
    let problems = ok(&app, Method::GET, "/v1/admin/problems", None).await;
    let tags: Vec<&str> = problems["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["tag"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["pricing"]);

    let eleven: Vec<String> = (0..11).map(|index| format!("t{index}")).collect();
    for (case, method, uri, body, status, code, field) in [
        (
            "bad kind",
            Method::POST,
            "/v1/admin/accounts/acme/notes",
            json!({"kind": "rant", "text": "x"}),
            400,
            "invalid_kind",
            Some("kind"),
        ),
        (
            "empty text",
            Method::POST,
            "/v1/admin/accounts/acme/notes",
            json!({"kind": "note", "text": " "}),
            400,
            "empty",
            Some("text"),
        ),
        (
            "long text",
            Method::POST,
            "/v1/admin/accounts/acme/notes",
            json!({"kind": "note", "text": "x".repeat(2001)}),
            400,
            "too_long",
            Some("text"),
        ),
        (
            "bad tag",
            Method::POST,
            "/v1/admin/accounts/acme/notes",
            json!({"kind": "note", "text": "x", "tags": ["ok", "Not OK"]}),
            400,
            "invalid_tag",
            Some("tags[1]"),
        ),
        (
            "too many tags",
            Method::POST,
            "/v1/admin/accounts/acme/notes",
            json!({"kind": "note", "text": "x", "tags": eleven}),
            400,
            "too_many_tags",
            Some("tags"),
        ),
        (
            "missing text",
            Method::POST,
            "/v1/admin/accounts/acme/notes",
            json!({"kind": "note"}),
            400,
            "invalid_body",
            Some("text"),
        ),
        (
            "unknown account",
            Method::POST,
            "/v1/admin/accounts/nope/notes",
            json!({"kind": "note", "text": "x"}),
            404,
            "not_found",
            Some("id"),
        ),
        (
            "unknown note",
            Method::PUT,
            "/v1/admin/notes/999999",
            json!({"kind": "note", "text": "x"}),
            404,
            "not_found",
            Some("id"),
        ),
        (
            "bad threshold",
            Method::PUT,
            "/v1/admin/tag-rules",
            json!({"threshold": 1, "rules": []}),
            400,
            "invalid_threshold",
            Some("threshold"),
        ),
        (
            "bad rule tag",
            Method::PUT,
            "/v1/admin/tag-rules",
            json!({"rules": [{"tag": "Price", "keywords": ["a"]}]}),
            400,
            "invalid_tag",
            Some("rules[0].tag"),
        ),
        (
            "duplicate rule",
            Method::PUT,
            "/v1/admin/tag-rules",
            json!({"rules": [{"tag": "a", "keywords": ["a"]}, {"tag": "a", "keywords": ["b"]}]}),
            400,
            "duplicate_tag",
            Some("rules[1].tag"),
        ),
        (
            "blank keyword",
            Method::PUT,
            "/v1/admin/tag-rules",
            json!({"rules": [{"tag": "a", "keywords": ["a", " "]}]}),
            400,
            "invalid_keyword",
            Some("rules[0].keywords[1]"),
        ),
    ] {
        let reply = app.admin(method, uri, Some(&body)).await;
        check_error(case, &reply, status, code, field);
    }

    // The plan: overdue means due before today and not done.
    let day = |offset: i64| collector_day(now_ms() / 86_400_000 + offset);
    let task = |title: &str, due: String, status: &str| json!({"title": title, "owner": "Maya Chen", "due": due, "status": status});
    let late = ok(
        &app,
        Method::POST,
        "/v1/admin/accounts/acme/plan",
        Some(&task("Import projects", day(-2), "in_progress")),
    )
    .await;
    assert_eq!(late["overdue"], true);
    assert_eq!(late["status"], "in_progress");
    let done = ok(
        &app,
        Method::POST,
        "/v1/admin/accounts/acme/plan",
        Some(&task("Kick-off call", day(-5), "done")),
    )
    .await;
    assert_eq!(done["overdue"], false);
    let today = ok(
        &app,
        Method::POST,
        "/v1/admin/accounts/acme/plan",
        Some(&task("Train the team", day(0), "todo")),
    )
    .await;
    assert_eq!(today["overdue"], false);
    let card = ok(&app, Method::GET, "/v1/admin/accounts/acme", None).await;
    let titles: Vec<&str> = card["plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|task| task["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        ["Kick-off call", "Import projects", "Train the team"]
    );
    let list = ok(&app, Method::GET, "/v1/admin/accounts", None).await;
    assert_eq!(list[0]["overdue_tasks"], 1);

    let late_uri = format!("/v1/admin/plan/{}", late["id"]);
    let finished = ok(
        &app,
        Method::PUT,
        &late_uri,
        Some(&task("Import projects", day(-2), "done")),
    )
    .await;
    assert_eq!(finished["overdue"], false);
    let list = ok(&app, Method::GET, "/v1/admin/accounts", None).await;
    assert_eq!(list[0]["overdue_tasks"], 0);
    assert_eq!(app.admin(Method::DELETE, &late_uri, None).await.status, 204);
    let again = app.admin(Method::DELETE, &late_uri, None).await;
    check_error("deleted task", &again, 404, "not_found", Some("id"));

    for (case, body, field, code) in [
        (
            "bad status",
            json!({"title": "t", "owner": "o", "due": "2026-01-01", "status": "later"}),
            "status",
            "invalid_status",
        ),
        (
            "bad date",
            json!({"title": "t", "owner": "o", "due": "2026-02-30", "status": "todo"}),
            "due",
            "invalid_date",
        ),
        (
            "not a date",
            json!({"title": "t", "owner": "o", "due": "next week", "status": "todo"}),
            "due",
            "invalid_date",
        ),
        (
            "empty title",
            json!({"title": "", "owner": "o", "due": "2026-01-01", "status": "todo"}),
            "title",
            "empty",
        ),
        (
            "long title",
            json!({"title": "t".repeat(201), "owner": "o", "due": "2026-01-01", "status": "todo"}),
            "title",
            "too_long",
        ),
        (
            "long owner",
            json!({"title": "t", "owner": "o".repeat(101), "due": "2026-01-01", "status": "todo"}),
            "owner",
            "too_long",
        ),
    ] {
        let reply = app
            .admin(Method::POST, "/v1/admin/accounts/acme/plan", Some(&body))
            .await;
        check_error(case, &reply, 400, code, Some(field));
    }
    let reply = app
        .admin(
            Method::POST,
            "/v1/admin/accounts/nope/plan",
            Some(&task("t", day(0), "todo")),
        )
        .await;
    check_error(
        "plan of unknown account",
        &reply,
        404,
        "not_found",
        Some("id"),
    );
}

/// `YYYY-MM-DD` of a day number, computed independently of the collector's own helper.
fn collector_day(days: i64) -> String {
    // Walk from the epoch by years and months: slow but obviously right.
    let mut remaining = days;
    let mut year = 1970;
    loop {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let length = if leap { 366 } else { 365 };
        if remaining < length {
            let months = [
                31,
                if leap { 29 } else { 28 },
                31,
                30,
                31,
                30,
                31,
                31,
                30,
                31,
                30,
                31,
            ];
            let mut month = 0;
            while remaining >= months[month] {
                remaining -= months[month];
                month += 1;
            }
            return format!("{year:04}-{:02}-{:02}", month + 1, remaining + 1);
        }
        remaining -= length;
        year += 1;
    }
}

async fn problems_rank_tags_by_accounts(app: TestApp) {
    app.publish(&survey()).await;
    // Three accounts raise pricing; one account raises import twice.
    for account in ["acme", "globex", "initech"] {
        let user = format!("{account}-user");
        app.batch(
            &user,
            "/",
            json!([
                group(&format!("{account}-g"), account, json!({})),
                feedback(&format!("{account}-fb"), "The price is too high"),
            ]),
        )
        .await;
    }
    app.batch(
        "hooli-user",
        "/",
        json!([
            group("hooli-g", "hooli", json!({})),
            feedback("hooli-fb1", "CSV import fails"),
            feedback("hooli-fb2", "Import again"),
            answer("hooli-a", "why", 1, "text", json!("Imports are slow")),
        ]),
    )
    .await;
    for account in ["acme", "globex", "initech"] {
        ok(
            &app,
            Method::PUT,
            &format!("/v1/admin/tags/feedback/{account}-fb"),
            Some(&json!({"tags": ["pricing"]})),
        )
        .await;
    }
    for id in ["feedback/hooli-fb1", "feedback/hooli-fb2", "answer/hooli-a"] {
        let tagged = ok(
            &app,
            Method::PUT,
            &format!("/v1/admin/tags/{id}"),
            Some(&json!({"tags": ["import", "import"]})),
        )
        .await;
        assert_eq!(tagged["tags"], json!(["import"]));
    }

    let problems = ok(&app, Method::GET, "/v1/admin/problems", None).await;
    assert_eq!(problems["threshold"], 3);
    let rows = problems["rows"].as_array().unwrap();
    let summary: Vec<(&str, u64, u64, bool)> = rows
        .iter()
        .map(|row| {
            (
                row["tag"].as_str().unwrap(),
                row["accounts"].as_u64().unwrap(),
                row["responses"].as_u64().unwrap(),
                row["recurrent"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(summary, [("pricing", 3, 3, true), ("import", 1, 3, false)]);
    // Eight Monday-starting weeks, the last being this one, where all of it happened.
    let trend = rows[0]["trend"].as_array().unwrap();
    assert_eq!(trend.len(), 8);
    let this_week = {
        let days = now_ms() / 86_400_000;
        collector_day(days - (days + 3).rem_euclid(7))
    };
    assert_eq!(trend[7], json!({"week": this_week, "accounts": 3}));
    assert!(trend[..7].iter().all(|point| point["accounts"] == 0));

    // A higher threshold makes pricing specific to its accounts.
    ok(
        &app,
        Method::PUT,
        "/v1/admin/tag-rules",
        Some(&json!({"threshold": 4, "rules": []})),
    )
    .await;
    let problems = ok(&app, Method::GET, "/v1/admin/problems", None).await;
    assert_eq!(problems["threshold"], 4);
    assert_eq!(problems["rows"][0]["recurrent"], false);
    // A range before anything happened has no problems.
    let past = ok(
        &app,
        Method::GET,
        "/v1/admin/problems?from=2020-01-01&to=2020-12-31",
        None,
    )
    .await;
    assert_eq!(past["rows"], json!([]));

    let drill = ok(&app, Method::GET, "/v1/admin/problems/import", None).await;
    assert_eq!(drill["tag"], "import");
    let mut sources: Vec<(String, String)> = drill["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            assert_eq!(row["account_id"], "hooli");
            assert_eq!(row["user_id"], "hooli-user");
            (
                row["source"].as_str().unwrap().to_string(),
                row["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    sources.sort();
    assert_eq!(
        sources,
        [
            ("answer".to_string(), "Imports are slow".to_string()),
            ("feedback".to_string(), "CSV import fails".to_string()),
            ("feedback".to_string(), "Import again".to_string()),
        ]
    );
    // Untagging removes the item from its problem.
    ok(
        &app,
        Method::PUT,
        "/v1/admin/tags/answer/hooli-a",
        Some(&json!({"tags": []})),
    )
    .await;
    let drill = ok(&app, Method::GET, "/v1/admin/problems/import", None).await;
    assert_eq!(drill["rows"].as_array().unwrap().len(), 2);
    // The card shows a feedback entry's tags.
    let card = ok(&app, Method::GET, "/v1/admin/accounts/hooli", None).await;
    let tagged: Vec<&Value> = card["feedback"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| &row["tags"])
        .collect();
    assert_eq!(tagged, [&json!(["import"]), &json!(["import"])]);

    let eleven: Vec<String> = (0..11).map(|index| format!("t{index}")).collect();
    for (case, method, uri, body, status, code, field) in [
        (
            "unknown kind",
            Method::PUT,
            "/v1/admin/tags/user/acme-user",
            Some(json!({"tags": ["a"]})),
            400,
            "invalid_kind",
            Some("kind"),
        ),
        (
            "unknown feedback",
            Method::PUT,
            "/v1/admin/tags/feedback/nope",
            Some(json!({"tags": ["a"]})),
            404,
            "not_found",
            Some("id"),
        ),
        (
            "feedback is no answer",
            Method::PUT,
            "/v1/admin/tags/answer/acme-fb",
            Some(json!({"tags": ["a"]})),
            404,
            "not_found",
            Some("id"),
        ),
        (
            "unknown note",
            Method::PUT,
            "/v1/admin/tags/note/12345",
            Some(json!({"tags": ["a"]})),
            404,
            "not_found",
            Some("id"),
        ),
        (
            "uppercase tag",
            Method::PUT,
            "/v1/admin/tags/feedback/acme-fb",
            Some(json!({"tags": ["Pricing"]})),
            400,
            "invalid_tag",
            Some("tags[0]"),
        ),
        (
            "long tag",
            Method::PUT,
            "/v1/admin/tags/feedback/acme-fb",
            Some(json!({"tags": ["a".repeat(41)]})),
            400,
            "invalid_tag",
            Some("tags[0]"),
        ),
        (
            "too many tags",
            Method::PUT,
            "/v1/admin/tags/feedback/acme-fb",
            Some(json!({"tags": eleven})),
            400,
            "too_many_tags",
            Some("tags"),
        ),
        (
            "bad from",
            Method::GET,
            "/v1/admin/problems?from=2026-13-01",
            None,
            400,
            "invalid_date",
            Some("from"),
        ),
        (
            "bad to",
            Method::GET,
            "/v1/admin/problems?to=yesterday",
            None,
            400,
            "invalid_date",
            Some("to"),
        ),
        (
            "reversed range",
            Method::GET,
            "/v1/admin/problems?from=2026-02-01&to=2026-01-01",
            None,
            400,
            "invalid_range",
            Some("from"),
        ),
        (
            "bad drill-down tag",
            Method::GET,
            "/v1/admin/problems/Not%20a%20tag",
            None,
            400,
            "invalid_tag",
            Some("tag"),
        ),
    ] {
        let reply = app.admin(method, uri, body.as_ref()).await;
        check_error(case, &reply, status, code, field);
    }
}
