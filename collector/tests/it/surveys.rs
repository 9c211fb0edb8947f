//! Surveys at the collector: answers checked against the live flow at ingest (the whole batch
//! refused, nothing stored), and the admin reports (results with NPS, CES and CSAT from a
//! hand-checked fixture, CES by the flow or step it follows, the response list with its filters
//! and bands, and the CSV export).

use axum::http::Method;
use serde_json::{Value, json};

use crate::support::{TestApp, WRITE_KEY, check_error, on_every_backend, tour, track};

on_every_backend!(
    a_survey_branching_to_a_missing_question_is_refused_at_save_time,
    ingest_refuses_bad_answers_and_feedback,
    reports_score_a_hand_checked_fixture,
    responses_filter_band_and_export,
);

/// 2024-01-15T10:00:00Z and 2024-02-10T00:00:00Z: two months of the fixture.
pub const JANUARY: i64 = 1_705_312_800_000;
pub const FEBRUARY: i64 = 1_707_523_200_000;

/// The contract's NPS survey: a score, a follow-up text question by band, and a thank-you step.
pub fn nps_survey(id: &str) -> Value {
    json!({
        "id": id, "name": "NPS every quarter",
        "trigger": {"type": "days_after", "since": "signup", "days": 14},
        "frequency": "until_completed",
        "survey": {"sample_percent": 100, "reask_days": 90},
        "steps": [
            {"id": "score", "kind": "slideout", "title": "",
             "question": {"kind": "nps",
                          "branches": [{"when": {"max": 6}, "goto": "better"},
                                       {"when": {"min": 9}, "goto": "love"}]}},
            {"id": "passive", "kind": "slideout", "title": "What is one thing we could do better?",
             "question": {"kind": "text", "next": "thanks"}},
            {"id": "better", "kind": "slideout", "title": "What would make it better?",
             "question": {"kind": "text", "next": "thanks"}},
            {"id": "love", "kind": "slideout", "title": "What do you like most?",
             "question": {"kind": "text", "next": "thanks", "max_length": 200}},
            {"id": "thanks", "kind": "slideout", "title": "Thank you!", "body": "Your answer helps us improve."}
        ]
    })
}

/// Saving (creating or updating) a survey whose branch names a step that does not exist is refused
/// (422, like every invalid flow) naming the branch's field, and nothing is stored.
async fn a_survey_branching_to_a_missing_question_is_refused_at_save_time(app: TestApp) {
    let mut broken = nps_survey("broken-nps");
    broken["steps"][0]["question"]["branches"][1]["goto"] = json!("delighted");
    let created = app
        .admin(Method::POST, "/v1/admin/flows", Some(&broken))
        .await;
    check_error(
        "create with a missing branch target",
        &created,
        422,
        "invalid_flow",
        Some("steps[0].question.branches[1].goto"),
    );
    assert_eq!(created.json()["errors"][0]["code"], "unknown_step");
    let stored = app
        .admin(Method::GET, "/v1/admin/flows/broken-nps", None)
        .await;
    assert_eq!(stored.status, 404, "a refused survey must not be stored");

    app.publish(&nps_survey("good-nps")).await;
    let mut edited = nps_survey("good-nps");
    edited["steps"][2]["question"]["next"] = json!("nowhere");
    let updated = app
        .admin(Method::PUT, "/v1/admin/flows/good-nps", Some(&edited))
        .await;
    check_error(
        "update with a missing next step",
        &updated,
        422,
        "invalid_flow",
        Some("steps[2].question.next"),
    );
    assert_eq!(updated.json()["errors"][0]["code"], "unknown_step");
}

/// A one-question survey of `kind` shown after `trigger`.
fn one_question(id: &str, kind: &str, trigger: Value) -> Value {
    let mut question = json!({"kind": kind});
    if kind == "ces" {
        question["task"] = json!("set up a project");
    }
    json!({
        "id": id, "name": format!("{kind} survey"), "trigger": trigger,
        "survey": {},
        "steps": [{"id": "q", "kind": "modal", "title": "", "question": question}]
    })
}

fn choice_survey(id: &str) -> Value {
    json!({
        "id": id, "name": "Which features", "trigger": {"type": "manual"}, "survey": {},
        "steps": [{"id": "features", "kind": "modal", "title": "Which do you use?",
                   "question": {"kind": "multiple", "options": [
                       {"id": "boards", "label": "Boards"}, {"id": "gantt", "label": "Gantt"},
                       {"id": "docs", "label": "Docs"}]}}]
    })
}

/// A `survey_answered` event sent at `timestamp`.
pub fn answer(
    message_id: &str,
    flow_id: &str,
    (step_id, step_index): (&str, u32),
    kind: &str,
    value: Value,
    timestamp: i64,
) -> Value {
    let mut event = track(
        message_id,
        "survey_answered",
        json!({"flow_id": flow_id, "step_id": step_id, "step_index": step_index, "kind": kind, "answer": value}),
    );
    event["timestamp"] = json!(timestamp);
    event
}

pub fn started(message_id: &str, flow_id: &str, timestamp: i64) -> Value {
    let mut event = track(
        message_id,
        "flow_started",
        json!({"flow_id": flow_id, "version": 1}),
    );
    event["timestamp"] = json!(timestamp);
    event
}

pub fn group(message_id: &str, group_id: &str) -> Value {
    json!({"message_id": message_id, "type": "group", "group_id": group_id, "traits": {"name": group_id}, "timestamp": 1})
}

async fn refused(app: &TestApp, events: Value) -> crate::support::Reply {
    let body = json!({"write_key": WRITE_KEY, "user_id": "ada", "url": "/", "events": events});
    app.post("/v1/batch", body.to_string()).await
}

async fn ingest_refuses_bad_answers_and_feedback(app: TestApp) {
    app.publish(&nps_survey("nps")).await;
    app.publish(&choice_survey("features")).await;
    let draft = nps_survey("draft-nps");
    let created = app
        .admin(Method::POST, "/v1/admin/flows", Some(&draft))
        .await;
    assert_eq!(created.status, 201);

    let ok = answer("ok", "nps", ("score", 0), "nps", json!(8), JANUARY);
    let long = "x".repeat(201);
    let feedback = |category: Value, text: Value, page_url: Value| {
        track(
            "fb",
            "feedback_submitted",
            json!({"category": category, "text": text, "page_url": page_url}),
        )
    };
    let cases = [
        (
            "score out of range",
            answer("a", "nps", ("score", 0), "nps", json!(11), JANUARY),
            "invalid_answer",
            "answer",
        ),
        (
            "score not an integer",
            answer("a", "nps", ("score", 0), "nps", json!(7.5), JANUARY),
            "invalid_answer",
            "answer",
        ),
        (
            "unknown step",
            answer("a", "nps", ("nope", 0), "nps", json!(8), JANUARY),
            "unknown_question",
            "step_id",
        ),
        (
            "step without a question",
            answer("a", "nps", ("thanks", 4), "text", json!("hi"), JANUARY),
            "unknown_question",
            "step_id",
        ),
        (
            "unknown flow",
            answer("a", "nope", ("score", 0), "nps", json!(8), JANUARY),
            "unknown_question",
            "step_id",
        ),
        (
            "a draft is not live",
            answer("a", "draft-nps", ("score", 0), "nps", json!(8), JANUARY),
            "unknown_question",
            "step_id",
        ),
        (
            "oversized text",
            answer("a", "nps", ("love", 3), "text", json!(long), JANUARY),
            "invalid_answer",
            "answer",
        ),
        (
            "blank text",
            answer("a", "nps", ("love", 3), "text", json!("  "), JANUARY),
            "invalid_answer",
            "answer",
        ),
        (
            "kind differs from the question",
            answer("a", "nps", ("score", 0), "csat", json!(4), JANUARY),
            "invalid_answer",
            "kind",
        ),
        (
            "not an option",
            answer(
                "a",
                "features",
                ("features", 0),
                "multiple",
                json!(["boards", "wiki"]),
                JANUARY,
            ),
            "invalid_answer",
            "answer",
        ),
        (
            "an option twice",
            answer(
                "a",
                "features",
                ("features", 0),
                "multiple",
                json!(["docs", "docs"]),
                JANUARY,
            ),
            "invalid_answer",
            "answer",
        ),
        (
            "bad feedback category",
            feedback(json!("rant"), json!("Slow"), Value::Null),
            "invalid_feedback",
            "category",
        ),
        (
            "missing feedback category",
            track("fb", "feedback_submitted", json!({"text": "Slow"})),
            "invalid_feedback",
            "category",
        ),
        (
            "blank feedback",
            feedback(json!("bug"), json!("   "), Value::Null),
            "invalid_feedback",
            "text",
        ),
        (
            "feedback too long",
            feedback(json!("bug"), json!("y".repeat(2001)), Value::Null),
            "invalid_feedback",
            "text",
        ),
        (
            "page address too long",
            feedback(json!("bug"), json!("Slow"), json!("/".repeat(2049))),
            "invalid_feedback",
            "page_url",
        ),
    ];
    for (case, event, code, key) in cases {
        // The bad event comes second: the good one before it must not be stored either.
        let reply = refused(&app, json!([ok.clone(), event])).await;
        let field = format!("events[1].properties.{key}");
        check_error(case, &reply, 400, code, Some(&field));
    }
    assert!(app.stored_events("ada").await.is_empty());

    // The same answers, valid, are stored and counted.
    app.batch(
        "ada",
        "/",
        json!([
            ok,
            answer(
                "love",
                "nps",
                ("love", 3),
                "text",
                json!("y".repeat(200)),
                JANUARY
            ),
            answer(
                "f",
                "features",
                ("features", 0),
                "multiple",
                json!(["docs", "boards"]),
                JANUARY
            ),
            feedback(json!("idea"), json!(" Dark mode "), json!("/projects")),
        ]),
    )
    .await;
    let results = results(&app, "nps", "").await;
    assert_eq!(results["responses"], 1);
    assert_eq!(question(&results, "score")["n"], 1);
    assert_eq!(question(&results, "love")["n"], 1);
    let features = self::results(&app, "features", "").await;
    assert_eq!(
        question(&features, "features")["distribution"],
        json!([{"value": "boards", "count": 1}, {"value": "gantt", "count": 0}, {"value": "docs", "count": 1}])
    );
}

async fn results(app: &TestApp, flow_id: &str, query: &str) -> Value {
    let reply = app
        .admin(
            Method::GET,
            &format!("/v1/admin/surveys/{flow_id}/results{query}"),
            None,
        )
        .await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()
}

fn question<'a>(results: &'a Value, step_id: &str) -> &'a Value {
    results["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|question| question["step_id"] == step_id)
        .unwrap_or_else(|| panic!("{step_id} missing in {results}"))
}

fn close(actual: &Value, expected: f64, what: &str) {
    let actual = actual
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: {actual} is not a number"));
    assert!(
        (actual - expected).abs() < 1e-6,
        "{what}: {actual} is not {expected}"
    );
}

/// Seven NPS answers (10, 10, 9, 8 in January; 7, 6, 0 in February), users n1–n3 in account
/// acme and n4–n7 in globex, n1 and n2 on the pro plan (segment `pros`); n1 answers twice in one run (only the
/// second counts) and leaves a text answer meant to trip a spreadsheet.
async fn nps_fixture(app: &TestApp) {
    app.publish(&nps_survey("nps")).await;
    let segment = json!({"id": "pros", "name": "Pros", "rule": {"trait": "plan", "op": "eq", "value": "pro"}});
    let created = app
        .admin(Method::POST, "/v1/admin/segments", Some(&segment))
        .await;
    assert_eq!(created.status, 201);
    let scores = [10, 10, 9, 8, 7, 6, 0];
    for (index, score) in scores.into_iter().enumerate() {
        let user = format!("n{}", index + 1);
        let at = if index < 4 { JANUARY } else { FEBRUARY };
        let account = if index < 3 { "acme" } else { "globex" };
        let plan = if index < 2 { "pro" } else { "free" };
        let mut events = vec![
            json!({"message_id": format!("{user}-id"), "type": "identify", "traits": {"plan": plan}, "timestamp": 1}),
            group(&format!("{user}-group"), account),
            started(&format!("{user}-start"), "nps", at),
        ];
        if index == 0 {
            events.push(answer("n1-first", "nps", ("score", 0), "nps", json!(2), at));
        }
        events.push(answer(
            &format!("{user}-score"),
            "nps",
            ("score", 0),
            "nps",
            json!(score),
            at + 1000,
        ));
        app.batch(&user, "/", Value::Array(events)).await;
    }
    app.batch(
        "n1",
        "/",
        json!([
            answer(
                "n1-love",
                "nps",
                ("love", 3),
                "text",
                json!("=HYPERLINK(\"x\"), \"quoted\""),
                JANUARY + 2000
            ),
            // Moving account later does not move the answers given before.
            group("n1-moved", "globex"),
        ]),
    )
    .await;
}

async fn reports_score_a_hand_checked_fixture(app: TestApp) {
    nps_fixture(&app).await;
    // CES after the onboarding tour (2, 4, 6) and after one of its steps (7, 6); CSAT 5, 4, 2, 1.
    app.publish(&tour("onboarding")).await;
    app.publish(&one_question(
        "ces-after-tour",
        "ces",
        json!({"type": "completed", "flow": "onboarding"}),
    ))
    .await;
    app.publish(&one_question(
        "ces-after-nav",
        "ces",
        json!({"type": "step_completed", "flow": "onboarding", "step": "projects-nav"}),
    ))
    .await;
    app.publish(&one_question("csat", "csat", json!({"type": "manual"})))
        .await;
    for (user, flow, kind, value, at) in [
        ("c1", "ces-after-tour", "ces", 2, JANUARY),
        ("c2", "ces-after-tour", "ces", 4, JANUARY),
        ("c3", "ces-after-tour", "ces", 6, FEBRUARY),
        ("c1", "ces-after-nav", "ces", 7, JANUARY),
        ("c2", "ces-after-nav", "ces", 6, JANUARY),
        ("c1", "csat", "csat", 5, JANUARY),
        ("c2", "csat", "csat", 4, JANUARY),
        ("c3", "csat", "csat", 2, FEBRUARY),
        ("c4", "csat", "csat", 1, FEBRUARY),
    ] {
        let id = format!("{user}-{flow}");
        app.batch(
            user,
            "/",
            json!([answer(&id, flow, ("q", 0), kind, json!(value), at)]),
        )
        .await;
    }

    let nps = results(&app, "nps", "").await;
    assert_eq!(nps["name"], "NPS every quarter");
    assert_eq!(nps["responses"], 7);
    let score = question(&nps, "score");
    assert_eq!(score["kind"], "nps");
    assert_eq!(
        score["title"],
        "How likely are you to recommend us to a friend or colleague?"
    );
    assert_eq!(score["n"], 7);
    let summary = &score["nps"];
    assert_eq!(
        (
            &summary["promoters"],
            &summary["passives"],
            &summary["detractors"]
        ),
        (&json!(3), &json!(2), &json!(2))
    );
    // p = 3/7, d = 2/7: 100·(p − d) ± 1.96·sqrt((p + d − (p − d)²)/7)·100.
    close(&summary["score"], 14.285_714_285_714, "nps score");
    close(&summary["ci_low"], -47.423_280_196_452, "nps ci_low");
    close(&summary["ci_high"], 75.994_708_767_880, "nps ci_high");
    let counts: Vec<i64> = score["distribution"]
        .as_array()
        .unwrap()
        .iter()
        .map(|bucket| bucket["count"].as_i64().unwrap())
        .collect();
    assert_eq!(counts, [1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2]);
    let over_time = score["over_time"].as_array().unwrap();
    assert_eq!(over_time.len(), 2, "{over_time:?}");
    assert_eq!(over_time[0]["period"], "2024-01-01");
    assert_eq!(over_time[0]["n"], 4);
    close(&over_time[0]["score"], 75.0, "january");
    assert_eq!(over_time[1]["period"], "2024-02-01");
    close(&over_time[1]["score"], -200.0 / 3.0, "february");
    let weekly = results(&app, "nps", "?interval=week").await;
    assert_eq!(
        question(&weekly, "score")["over_time"][0]["period"],
        "2024-01-15"
    );
    assert_eq!(question(&nps, "love")["n"], 1);
    assert_eq!(question(&nps, "love")["distribution"], json!([]));

    // Filters narrow every number: the pro segment, one account, a date range.
    for (query, n) in [
        ("?segment=pros", 2),
        ("?account=acme", 3),
        ("?account=globex", 4),
        ("?from=2024-02-01", 3),
        ("?to=2024-01-31", 4),
        ("?from=2024-01-15&to=2024-01-15", 4),
    ] {
        assert_eq!(
            question(&results(&app, "nps", query).await, "score")["n"],
            n,
            "{query}"
        );
    }

    let ces = app.admin(Method::GET, "/v1/admin/ces", None).await.json();
    let rows = ces.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{ces}");
    assert_eq!(rows[0]["flow_id"], "onboarding");
    assert_eq!(rows[0]["flow_name"], "Welcome tour");
    assert_eq!(rows[0]["step_id"], Value::Null);
    assert_eq!(rows[0]["survey_flow_id"], "ces-after-tour");
    assert_eq!(rows[0]["n"], 3);
    close(&rows[0]["mean"], 4.0, "ces mean");
    close(&rows[0]["ci_low"], 1.736_786_944_777, "ces ci_low");
    close(&rows[0]["ci_high"], 6.263_213_055_223, "ces ci_high");
    assert_eq!(rows[1]["step_id"], "projects-nav");
    assert_eq!(rows[1]["step_title"], "Projects");
    assert_eq!(rows[1]["survey_flow_id"], "ces-after-nav");
    close(&rows[1]["mean"], 6.5, "step mean");
    close(&rows[1]["ci_low"], 5.52, "step ci_low");
    let ces_results = results(&app, "ces-after-tour", "").await;
    assert_eq!(
        question(&ces_results, "q")["title"],
        "How easy was it to set up a project?"
    );

    let csat = app
        .admin(Method::GET, "/v1/admin/csat?interval=month", None)
        .await
        .json();
    assert_eq!(csat["n"], 4);
    close(&csat["mean"], 3.0, "csat mean");
    close(&csat["satisfied_percent"], 50.0, "satisfied");
    close(&csat["ci_low"], 1.210_772_978_816, "csat ci_low");
    assert_eq!(csat["over_time"].as_array().unwrap().len(), 2);
    close(&csat["over_time"][0]["mean"], 4.5, "january csat");

    let list = app
        .admin(Method::GET, "/v1/admin/surveys", None)
        .await
        .json();
    let nps_row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["flow_id"] == "nps")
        .unwrap();
    assert_eq!(nps_row["status"], "published");
    assert_eq!(nps_row["kinds"], json!(["nps", "text"]));
    assert_eq!(nps_row["responses"], 7);
    assert_eq!(nps_row["last_response_at"], FEBRUARY + 1000);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|row| row["flow_id"] != "onboarding"),
        "a tour is not a survey: {list}"
    );

    for (case, uri, field) in [
        ("unknown survey", "/v1/admin/surveys/nope/results", "id"),
        (
            "a tour is not a survey",
            "/v1/admin/surveys/onboarding/results",
            "id",
        ),
    ] {
        let reply = app.admin(Method::GET, uri, None).await;
        check_error(case, &reply, 404, "flow_not_found", Some(field));
    }
    for (case, uri, code, field) in [
        (
            "bad interval",
            "/v1/admin/surveys/nps/results?interval=day",
            "invalid_query",
            "interval",
        ),
        (
            "bad from",
            "/v1/admin/surveys/nps/results?from=2024-13-01",
            "invalid_date",
            "from",
        ),
        (
            "to before from",
            "/v1/admin/ces?from=2024-02-01&to=2024-01-01",
            "invalid_range",
            "from",
        ),
        (
            "unknown segment",
            "/v1/admin/csat?segment=nope",
            "unknown_segment",
            "segment",
        ),
    ] {
        let reply = app.admin(Method::GET, uri, None).await;
        check_error(case, &reply, 400, code, Some(field));
    }
}

async fn responses_filter_band_and_export(app: TestApp) {
    nps_fixture(&app).await;
    let tagged = app
        .admin(
            Method::PUT,
            "/v1/admin/tags/answer/n1-love",
            Some(&json!({"tags": ["pricing", "import"]})),
        )
        .await;
    assert_eq!(
        tagged.status,
        200,
        "{}",
        String::from_utf8_lossy(&tagged.body)
    );

    let all = responses(&app, "").await;
    assert_eq!(all["total"], 8);
    let first = &all["rows"][0];
    // Newest first: n7's February score; the replaced first answer of n1 is not listed.
    assert_eq!(first["message_id"], "n7-score");
    assert_eq!(first["account_id"], "globex");
    assert_eq!(first["flow_id"], "nps");
    assert_eq!(first["step_id"], "score");
    assert_eq!(first["kind"], "nps");
    assert_eq!(first["answer"], 0);
    assert_eq!(first["answered_at"], FEBRUARY + 1000);
    assert_eq!(first["tags"], json!([]));
    let ids = |body: &Value| -> Vec<String> {
        body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["message_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(!ids(&all).contains(&"n1-first".to_string()));
    let love = all["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["message_id"] == "n1-love")
        .unwrap();
    assert_eq!(love["account_id"], "acme", "the account when answered");
    assert_eq!(love["tags"], json!(["import", "pricing"]));

    for (query, expected) in [
        ("?band=promoter", vec!["n3-score", "n2-score", "n1-score"]),
        ("?band=passive", vec!["n5-score", "n4-score"]),
        ("?band=detractor", vec!["n7-score", "n6-score"]),
        ("?band=low", vec![]),
        (
            "?account=acme&band=promoter&segment=pros",
            vec!["n2-score", "n1-score"],
        ),
        ("?from=2024-02-01", vec!["n7-score", "n6-score", "n5-score"]),
        ("?survey=nps&limit=2&offset=1", vec!["n6-score", "n5-score"]),
        ("?survey=other", vec![]),
    ] {
        assert_eq!(ids(&responses(&app, query).await), expected, "{query}");
    }
    assert_eq!(responses(&app, "?limit=2").await["total"], 8);

    for (case, query, code, field) in [
        ("unknown band", "?band=happy", "invalid_query", "band"),
        ("bad date", "?from=15/01/2024", "invalid_date", "from"),
        ("bad to", "?to=2024-02-30", "invalid_date", "to"),
        (
            "unknown segment",
            "?segment=nope",
            "unknown_segment",
            "segment",
        ),
        ("zero limit", "?limit=0", "invalid_query", "limit"),
        ("negative offset", "?offset=-1", "invalid_query", "offset"),
    ] {
        let reply = app
            .admin(Method::GET, &format!("/v1/admin/responses{query}"), None)
            .await;
        check_error(case, &reply, 400, code, Some(field));
        // The export takes the same filters; it is never paged.
        if field != "limit" && field != "offset" {
            let csv = app
                .admin(
                    Method::GET,
                    &format!("/v1/admin/responses.csv{query}"),
                    None,
                )
                .await;
            check_error(case, &csv, 400, code, Some(field));
        }
    }

    let csv = app
        .admin(Method::GET, "/v1/admin/responses.csv?account=acme", None)
        .await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(
        csv.header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );
    let text = String::from_utf8(csv.body.to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(
        lines,
        [
            "answered_at,user_id,account_id,survey,question,kind,answer,tags",
            "2024-01-15T10:00:02Z,n1,acme,nps,love,text,\"'=HYPERLINK(\"\"x\"\"), \"\"quoted\"\"\",import;pricing",
            "2024-01-15T10:00:01Z,n3,acme,nps,score,nps,9,",
            "2024-01-15T10:00:01Z,n2,acme,nps,score,nps,10,",
            "2024-01-15T10:00:01Z,n1,acme,nps,score,nps,10,",
            "",
        ]
    );
}

async fn responses(app: &TestApp, query: &str) -> Value {
    let reply = app
        .admin(Method::GET, &format!("/v1/admin/responses{query}"), None)
        .await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()
}
