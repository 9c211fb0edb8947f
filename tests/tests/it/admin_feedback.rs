//! The admin's feedback pages in a real browser, against data sent through the collector's real
//! APIs: a specialist adds an objection on an account's register card (kept after a reload); the
//! problems view ranks a tag raised by three accounts above one raised by one; a survey's results
//! page draws its NPS chart; and axe-core finds no violation on any of the new pages.

use anyhow::{Context, bail, ensure};
use fantoccini::Client;
use serde_json::{Value, json};
use tests::actions::{
    choose_option, click_host_element, fill_field, log_in_to_admin, open_url, reload,
};
use tests::checks::{
    Observation, STEP_TIMEOUT, check_admin_page_is_accessible, check_no_page_errors,
    wait_for_page_element, wait_until,
};
use tests::locators::{admin, page_element};

use crate::admin_authoring::publish_from_the_editor;
use tests::world::{ADMIN_KEY, WRITE_KEY, World};

const NPS_SURVEY_ID: &str = "nps-e2e";

#[tokio::test]
async fn a_specialist_adds_an_objection_that_stays_after_a_reload() -> anyhow::Result<()> {
    World::run(|world| Box::pin(add_an_objection(world))).await
}

async fn add_an_objection(world: &mut World) -> anyhow::Result<()> {
    let axe = world.axe_source()?;
    let account = world.fresh_user_id("acct");
    let user = world.fresh_user_id("register-user");
    send_batch(
        world,
        &user,
        vec![identify(&user), group(&account, "Globex Corporation")],
    )
    .await?;

    log_in_to_admin(world).await?;
    let client = world.client();
    click_host_element(client, "#nav-accounts").await?;
    let row = format!("#accounts-table tr[data-account-row=\"{account}\"]");
    wait_for_page_element(client, &row, "the accounts list shows the new account").await?;
    check_admin_page_is_accessible(client, &axe, "the accounts list").await?;

    click_host_element(client, &format!("{row} a[data-link]")).await?;
    wait_for_page_text(client, "#account-title", "Globex Corporation").await?;
    wait_for_page_element(
        client,
        &format!("[data-user-row=\"{user}\"]"),
        "the card lists the account's user",
    )
    .await?;
    check_admin_page_is_accessible(client, &axe, "the register card").await?;

    const OBJECTION: &str = "Legal needs a data processing agreement before the pilot.";
    choose_option(client, "#note-kind", "objection").await?;
    fill_field(client, "#note-text", OBJECTION).await?;
    fill_field(client, "#note-tags", "legal").await?;
    click_host_element(client, "#add-note").await?;
    let objection = "#objections-list li[data-note-kind=\"objection\"]";
    wait_for_page_text(client, objection, OBJECTION).await?;

    reload(client).await?;
    wait_for_page_text(client, objection, OBJECTION).await?;
    wait_for_page_text(
        client,
        &format!("{objection} [data-tag=\"legal\"]"),
        "legal",
    )
    .await?;
    let card = admin_call(
        world,
        reqwest::Method::GET,
        &format!("accounts/{account}"),
        None,
    )
    .await?;
    ensure!(
        card["objections"][0]["text"] == OBJECTION
            && card["objections"][0]["tags"] == json!(["legal"]),
        "the collector should hold the objection, it has {}",
        card["objections"]
    );
    check_no_page_errors(client).await
}

#[tokio::test]
async fn recurring_problems_rank_a_tag_of_three_accounts_above_one_of_one() -> anyhow::Result<()> {
    World::run(|world| Box::pin(rank_problems(world))).await
}

async fn rank_problems(world: &mut World) -> anyhow::Result<()> {
    let axe = world.axe_source()?;
    admin_call(
        world,
        reqwest::Method::PUT,
        "tag-rules",
        Some(json!({ "threshold": 3, "rules": [{ "tag": "pricing", "keywords": ["price", "expensive"] }] })),
    )
    .await?;
    // Three accounts raise "csv-import" once each; one account raises "sso" four times.
    for index in 0..3 {
        let account = world.fresh_user_id("import-acct");
        let user = world.fresh_user_id("import-user");
        let feedback = format!("e2e-feedback-{user}");
        send_batch(
            world,
            &user,
            vec![
                identify(&user),
                group(&account, &format!("Importer {index}")),
                feedback_event(&feedback, "bug", "The CSV import drops rows."),
            ],
        )
        .await?;
        tag(world, "feedback", &feedback, &["csv-import"]).await?;
    }
    let sso_account = world.fresh_user_id("sso-acct");
    let sso_user = world.fresh_user_id("sso-user");
    let mut events = vec![
        identify(&sso_user),
        group(&sso_account, "Single sign-on Ltd"),
    ];
    let ids: Vec<String> = (0..4)
        .map(|index| format!("e2e-sso-{sso_user}-{index}"))
        .collect();
    for id in &ids {
        events.push(feedback_event(id, "question", "Do you support SAML?"));
    }
    let untagged = format!("e2e-untagged-{sso_user}");
    events.push(feedback_event(
        &untagged,
        "idea",
        "The price per seat is too expensive for us.",
    ));
    send_batch(world, &sso_user, events).await?;
    for id in &ids {
        tag(world, "feedback", id, &["sso"]).await?;
    }

    log_in_to_admin(world).await?;
    let client = world.client();
    click_host_element(client, "#nav-problems").await?;
    let import_row = "#problems-table tr[data-problem-row=\"csv-import\"]";
    let sso_row = "#problems-table tr[data-problem-row=\"sso\"]";
    wait_for_page_element(client, sso_row, "the problems table lists sso").await?;
    let import_rank = attribute(client, import_row, "data-rank").await?;
    let sso_rank = attribute(client, sso_row, "data-rank").await?;
    ensure!(
        import_rank == "1" && sso_rank == "2",
        "csv-import (3 accounts) should rank first and sso (1 account, 4 entries) second, got {import_rank} and {sso_rank}"
    );
    wait_for_page_text(
        client,
        &format!("{import_row} [data-problem-badge]"),
        "Recurrent",
    )
    .await?;
    wait_for_page_text(
        client,
        &format!("{sso_row} [data-problem-badge]"),
        "Specific",
    )
    .await?;
    page_element(
        client,
        &format!("{import_row} svg.sparkline[role=\"img\"][aria-label]"),
    )
    .await?;
    check_admin_page_is_accessible(client, &axe, "the problems page").await?;

    click_host_element(client, &format!("{import_row} [data-action=\"drill\"]")).await?;
    wait_for_page_element_count(
        client,
        "#problem-table tbody tr[data-problem-source]",
        3,
        "the drill-down lists the three entries",
    )
    .await?;
    check_admin_page_is_accessible(client, &axe, "the problems page with its drill-down").await?;

    // The feedback list offers "pricing" for the untagged entry; one click tags it.
    click_host_element(client, "#nav-feedback").await?;
    let suggestion =
        format!("tr[data-feedback-row=\"{untagged}\"] [data-suggested-tag=\"pricing\"]");
    wait_for_page_element(client, &suggestion, "the feedback list suggests pricing").await?;
    check_admin_page_is_accessible(client, &axe, "the feedback page").await?;
    click_host_element(client, &suggestion).await?;
    wait_for_page_text(
        client,
        &format!("tr[data-feedback-row=\"{untagged}\"] [data-tag=\"pricing\"]"),
        "pricing",
    )
    .await?;
    let stored = admin_call(world, reqwest::Method::GET, "feedback?tag=pricing", None).await?;
    ensure!(
        stored["rows"][0]["id"] == json!(untagged),
        "the suggestion should have tagged the entry: {stored}"
    );
    check_no_page_errors(client).await
}

#[tokio::test]
async fn the_survey_results_page_draws_the_nps_chart() -> anyhow::Result<()> {
    World::run(|world| Box::pin(draw_the_nps_chart(world))).await
}

async fn draw_the_nps_chart(world: &mut World) -> anyhow::Result<()> {
    let axe = world.axe_source()?;
    world
        .admin_api
        .create_and_publish_flow(&nps_survey())
        .await?;
    // 10 and 9 promote, 7 is passive, 3 detracts: NPS = (2 - 1) / 4 = 25.
    for score in [10, 9, 7, 3] {
        let user = world.fresh_user_id("nps-user");
        let answer = json!({ "flow_id": NPS_SURVEY_ID, "step_id": "score", "step_index": 0, "kind": "nps", "answer": score });
        send_batch(
            world,
            &user,
            vec![
                identify(&user),
                track(
                    &format!("e2e-start-{user}"),
                    "flow_started",
                    json!({ "flow_id": NPS_SURVEY_ID, "version": 1 }),
                ),
                track(&format!("e2e-answer-{user}"), "survey_answered", answer),
            ],
        )
        .await?;
    }

    log_in_to_admin(world).await?;
    let client = world.client();
    click_host_element(client, "#nav-surveys").await?;
    let row = format!("#surveys-table tr[data-survey-row=\"{NPS_SURVEY_ID}\"]");
    wait_for_page_element(client, &row, "the surveys list shows the NPS survey").await?;
    wait_for_page_element(
        client,
        "[data-chart=\"ces\"] svg[role=\"img\"]",
        "the CES chart is drawn",
    )
    .await?;
    wait_for_page_element(
        client,
        "[data-chart=\"csat-over-time\"] svg[role=\"img\"]",
        "the CSAT chart is drawn",
    )
    .await?;
    check_admin_page_is_accessible(client, &axe, "the surveys page").await?;

    click_host_element(client, &format!("{row} a[data-link]")).await?;
    let split = "[data-question=\"score\"] [data-chart=\"nps-split\"] svg[role=\"img\"]";
    let chart = wait_for_page_element(client, split, "the NPS split bar is drawn").await?;
    let name = chart.attr("aria-label").await?.unwrap_or_default();
    ensure!(
        name.starts_with("NPS 25:")
            && name.contains("50% promoters")
            && name.contains("of 4 answers"),
        "the NPS chart should be named with its numbers, it is {name:?}"
    );
    let bars = client
        .find_all(fantoccini::Locator::Css(&format!("{split} rect")))
        .await?;
    ensure!(
        bars.len() == 3,
        "promoters, passives and detractors should be three bars, found {}",
        bars.len()
    );
    wait_for_page_element(
        client,
        "[data-question=\"score\"] [data-chart=\"nps-over-time\"] svg[role=\"img\"] circle",
        "the NPS-over-time line has its point",
    )
    .await?;
    wait_for_page_element_count(
        client,
        "#responses-table tr[data-response-row]",
        4,
        "the response list shows the four scores",
    )
    .await?;
    let csv = attribute(client, "#download-csv", "href").await?;
    ensure!(
        csv.contains("/api/responses.csv?") && csv.contains(&format!("survey={NPS_SURVEY_ID}")),
        "CSV link {csv}"
    );
    check_admin_page_is_accessible(client, &axe, "the survey results page").await?;

    // The flow editor shows the stored survey as a survey with its branches.
    open_url(
        client,
        &format!("{}/flows/{NPS_SURVEY_ID}/edit", world.admin_origin()),
    )
    .await?;
    let first_goto =
        "#steps > li[data-step-index=\"0\"] [data-branch-index=\"0\"] [name=\"branch-goto\"]";
    wait_for_page_element(client, first_goto, "the editor shows the first branch").await?;
    ensure!(
        attribute(client, "#flow-type", "value").await? == "survey",
        "#flow-type should read survey"
    );
    ensure!(
        attribute(client, first_goto, "value").await? == "better",
        "the first branch should go to `better`"
    );
    check_admin_page_is_accessible(client, &axe, "the survey editor").await?;
    check_no_page_errors(client).await
}

#[tokio::test]
async fn a_survey_built_in_the_editor_shows_the_collectors_field_error_then_publishes()
-> anyhow::Result<()> {
    World::run(|world| Box::pin(build_a_survey(world))).await
}

/// "New survey" starts an NPS question and a thank-you step; a promoter branch goes to an added
/// text question; an out-of-range sample share is refused next to its field, then fixed.
async fn build_a_survey(world: &mut World) -> anyhow::Result<()> {
    const SURVEY_ID: &str = "built-survey";
    log_in_to_admin(world).await?;
    let client = world.client();
    click_host_element(client, "#nav-surveys").await?;
    click_host_element(client, "#new-survey").await?;
    let first_kind = admin::step_field(0, "question-kind");
    wait_for_page_element(client, &first_kind, "the editor opens as a survey").await?;
    ensure!(
        attribute(client, &first_kind, "value").await? == "nps",
        "the first question should be NPS"
    );
    let title = attribute(client, &admin::step_field(0, "title"), "value").await?;
    ensure!(
        title == "How likely are you to recommend us to a friend or colleague?",
        "the NPS title should be prefilled, it is {title:?}"
    );
    fill_field(client, admin::FLOW_ID, SURVEY_ID).await?;
    fill_field(client, admin::FLOW_NAME, "Built in the editor").await?;
    choose_option(client, admin::TRIGGER_TYPE, "days_after").await?;
    fill_field(client, "#trigger-days", "30").await?;

    // A text question for promoters (9–10), moved above the thank-you; everyone else goes to thanks.
    click_host_element(client, "#add-step").await?;
    wait_for_page_element(
        client,
        &admin::step_field(2, "question-kind"),
        "the new question shows",
    )
    .await?;
    fill_field(client, &admin::step_field(2, "step-id"), "love").await?;
    fill_field(
        client,
        &admin::step_field(2, "title"),
        "What do you like most?",
    )
    .await?;
    click_host_element(
        client,
        "#steps > li[data-step-index=\"2\"] [data-step-action=\"up\"]",
    )
    .await?;
    wait_for_page_text(
        client,
        "#steps > li[data-step-index=\"1\"] [data-step-number]",
        "What do you like most?",
    )
    .await?;
    choose_option(client, &admin::step_field(0, "question-next"), "thanks").await?;
    click_host_element(
        client,
        "#steps > li[data-step-index=\"0\"] [data-question-action=\"add-branch\"]",
    )
    .await?;
    let branch = |name: &str| {
        format!("#steps > li[data-step-index=\"0\"] [data-branch-index=\"0\"] [name=\"{name}\"]")
    };
    fill_field(client, &branch("branch-min"), "9").await?;
    choose_option(client, &branch("branch-goto"), "love").await?;
    fill_field(client, "#survey-reask-days", "90").await?;
    fill_field(client, "#survey-sample-percent", "0").await?;

    click_host_element(client, admin::PUBLISH_FLOW).await?;
    let error = "#survey-settings [data-error-for=\"survey.sample_percent\"]";
    wait_for_page_element(client, error, "the sample share's error shows next to it").await?;
    ensure!(
        attribute(client, "#survey-sample-percent", "aria-invalid").await? == "true",
        "the refused field should be marked invalid"
    );
    fill_field(client, "#survey-sample-percent", "40").await?;
    publish_from_the_editor(world).await?;

    let stored = world
        .admin_api
        .flow(SURVEY_ID)
        .await?
        .context("the survey is not stored")?;
    ensure!(
        stored["survey"] == json!({ "sample_percent": 40, "reask_days": 90 })
            && stored["trigger"] == json!({ "type": "days_after", "since": "signup", "days": 30 })
            && stored["steps"][0]["question"]["kind"] == "nps"
            && stored["steps"][0]["question"]["branches"]
                == json!([{ "when": { "min": 9 }, "goto": "love" }])
            && stored["steps"][0]["question"]["next"] == "thanks"
            && stored["steps"][1]["question"]["kind"] == "text"
            && stored["steps"][2]["id"] == "thanks"
            && stored["steps"][2]["question"].is_null(),
        "the collector holds {stored}"
    );
    check_no_page_errors(client).await
}

/// A published NPS survey: score, then a text question for detractors, then thanks.
fn nps_survey() -> Value {
    json!({
        "format": "waymark.flow/v1", "id": NPS_SURVEY_ID, "name": "NPS (e2e)", "trigger": { "type": "manual" },
        "frequency": "once", "survey": { "sample_percent": 100, "reask_days": 90 },
        "steps": [
            { "id": "score", "kind": "slideout", "placement": "right", "title": "", "buttons": [], "advance": { "type": "button" },
              "question": { "kind": "nps", "branches": [{ "when": { "max": 6 }, "goto": "better" }], "next": "thanks" } },
            { "id": "better", "kind": "slideout", "placement": "right", "title": "What would make it better?", "buttons": [], "advance": { "type": "button" },
              "question": { "kind": "text" } },
            { "id": "thanks", "kind": "slideout", "placement": "right", "title": "Thank you!", "buttons": [], "advance": { "type": "button" } }
        ]
    })
}

fn event(message_id: &str, kind: &str) -> Value {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as i64);
    json!({ "message_id": message_id, "type": kind, "timestamp": now })
}

fn identify(user: &str) -> Value {
    let mut identify = event(&format!("e2e-identify-{user}"), "identify");
    identify["traits"] = json!({ "first_name": "Robin", "plan": "pro" });
    identify
}

fn group(account: &str, name: &str) -> Value {
    let mut group = event(
        &format!("e2e-group-{account}-{}", uuid::Uuid::new_v4()),
        "group",
    );
    group["group_id"] = json!(account);
    group["traits"] =
        json!({ "name": name, "plan": "business", "size": 50, "industry": "Software", "mrr": 900 });
    group
}

fn track(message_id: &str, name: &str, properties: Value) -> Value {
    let mut track = event(message_id, "track");
    track["name"] = json!(name);
    track["properties"] = properties;
    track
}

fn feedback_event(message_id: &str, category: &str, text: &str) -> Value {
    track(
        message_id,
        "feedback_submitted",
        json!({ "category": category, "text": text, "page_url": "https://app.example.test/projects" }),
    )
}

/// Sends events for `user` through the collector's public batch endpoint, as a product's server would.
async fn send_batch(world: &World, user: &str, events: Vec<Value>) -> anyhow::Result<()> {
    let response = reqwest::Client::new()
        .post(format!("{}/v1/batch", world.collector_origin()))
        .json(&json!({ "write_key": WRITE_KEY, "user_id": user, "events": events }))
        .send()
        .await
        .with_context(|| format!("sending the events of {user}"))?;
    let status = response.status();
    if !status.is_success() {
        bail!(
            "the events of {user} were refused: {status} {}",
            response.text().await.unwrap_or_default()
        );
    }
    Ok(())
}

/// One call to the collector's admin API.
async fn admin_call(
    world: &World,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> anyhow::Result<Value> {
    let mut request = reqwest::Client::new()
        .request(
            method,
            format!("{}/v1/admin/{path}", world.collector_origin()),
        )
        .bearer_auth(ADMIN_KEY);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request
        .send()
        .await
        .with_context(|| format!("calling {path}"))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    ensure!(
        status.is_success(),
        "{path}: the collector answered {status}: {text}"
    );
    serde_json::from_str(&text).with_context(|| format!("{path} answered {text}"))
}

async fn tag(world: &World, kind: &str, id: &str, tags: &[&str]) -> anyhow::Result<()> {
    admin_call(
        world,
        reqwest::Method::PUT,
        &format!("tags/{kind}/{id}"),
        Some(json!({ "tags": tags })),
    )
    .await?;
    Ok(())
}

async fn attribute(client: &Client, selector: &str, name: &str) -> anyhow::Result<String> {
    let element = page_element(client, selector).await?;
    Ok(element
        .prop(name)
        .await?
        .or(element.attr(name).await?)
        .unwrap_or_default())
}

/// Waits until exactly `count` elements of the page match `selector`.
async fn wait_for_page_element_count(
    client: &Client,
    selector: &str,
    count: usize,
    what: &str,
) -> anyhow::Result<()> {
    wait_until(what, STEP_TIMEOUT, async || {
        let found = client
            .find_all(fantoccini::Locator::Css(selector))
            .await?
            .len();
        Ok(if found == count {
            Observation::Ready(())
        } else {
            Observation::NotYet(format!("{found} elements match `{selector}`"))
        })
    })
    .await
}

/// Waits until the element matching `selector` contains `text`.
async fn wait_for_page_text(client: &Client, selector: &str, text: &str) -> anyhow::Result<()> {
    wait_until(
        &format!("`{selector}` reads {text:?}"),
        STEP_TIMEOUT,
        async || {
            Ok(match page_element(client, selector).await {
                Ok(element) => {
                    let seen = element.text().await?;
                    if seen.contains(text) {
                        Observation::Ready(())
                    } else {
                        Observation::NotYet(seen)
                    }
                }
                Err(error) => Observation::NotYet(format!("{error:#}")),
            })
        },
    )
    .await
}
