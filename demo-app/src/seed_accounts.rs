//! Demo customer accounts (seeded with `--seed-patterns`): a few B2B accounts whose users send
//! real events through the collector's public `POST /v1/batch` (identify, group, pages, tracks,
//! tour progress, survey answers, feedback), then, through the admin API, each account's
//! specialist, objections and challenges, onboarding plan, the tag dictionary and tags, so the
//! Surveys, Feedback, Accounts and Problems pages have something true to show.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use serde_json::{Value, json};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// One demo account and its people.
struct DemoAccount {
    id: &'static str,
    name: &'static str,
    plan: &'static str,
    size: u32,
    industry: &'static str,
    mrr: u32,
    specialist: &'static str,
    users: &'static [DemoUser],
    /// `(kind, text, tags)`.
    notes: &'static [(&'static str, &'static str, &'static [&'static str])],
    /// `(title, owner, due in days from today (negative: past), status)`.
    plan_tasks: &'static [(&'static str, &'static str, i64, &'static str)],
}

/// One user of a demo account and what they did.
struct DemoUser {
    id: &'static str,
    first_name: &'static str,
    last_name: &'static str,
    role: &'static str,
    /// When they signed up, in days before today.
    signed_up_days_ago: i64,
    /// How far they got in the welcome tour (0–4 steps; 4 completes it).
    tour_steps: usize,
    /// NPS score, the days ago it was given, and the follow-up text.
    nps: Option<(u8, i64, &'static str)>,
    /// CES after the welcome tour (needs `tour_steps == 4`).
    ces: Option<u8>,
    /// CSAT and the days ago it was given.
    csat: Option<(u8, i64)>,
    /// `(category, text, tags)`.
    feedback: Option<(&'static str, &'static str, &'static [&'static str])>,
}

/// The tag dictionary: `(tag, keywords)`.
const TAG_RULES: [(&str, &[&str]); 5] = [
    ("csv-import", &["import", "csv", "spreadsheet"]),
    ("pricing", &["price", "pricing", "expensive", "cost"]),
    ("sso", &["sso", "saml", "okta"]),
    ("mobile", &["mobile", "phone", "ios", "android"]),
    ("reports", &["report", "dashboard", "export"]),
];

const ACCOUNTS: [DemoAccount; 5] = [
    DemoAccount {
        id: "northwind",
        name: "Northwind Logistics",
        plan: "business",
        size: 240,
        industry: "Logistics",
        mrr: 4800,
        specialist: "Maya Chen",
        users: &[
            DemoUser {
                id: "nw-olivia",
                first_name: "Olivia",
                last_name: "Hart",
                role: "Operations lead",
                signed_up_days_ago: 62,
                tour_steps: 4,
                nps: Some((9, 40, "The timeline view keeps our depots in sync.")),
                ces: Some(6),
                csat: Some((5, 38)),
                feedback: Some((
                    "idea",
                    "Let us import our shipment plan from a CSV spreadsheet.",
                    &["csv-import"],
                )),
            },
            DemoUser {
                id: "nw-samir",
                first_name: "Samir",
                last_name: "Okafor",
                role: "Dispatcher",
                signed_up_days_ago: 55,
                tour_steps: 2,
                nps: Some((6, 20, "Importing our routes took a whole afternoon.")),
                ces: None,
                csat: Some((3, 18)),
                feedback: None,
            },
            DemoUser {
                id: "nw-jade",
                first_name: "Jade",
                last_name: "Moreau",
                role: "Analyst",
                signed_up_days_ago: 30,
                tour_steps: 4,
                nps: Some((8, 9, "Reports could be faster.")),
                ces: Some(5),
                csat: None,
                feedback: Some((
                    "bug",
                    "The weekly report export times out for big projects.",
                    &["reports"],
                )),
            },
        ],
        notes: &[
            (
                "objection",
                "Worried the CSV import won't handle 20k shipment rows.",
                &["csv-import"],
            ),
            (
                "challenge",
                "Three depots run their own spreadsheets; rollout must go depot by depot.",
                &["csv-import"],
            ),
        ],
        plan_tasks: &[
            ("Kick-off call with operations", "Maya Chen", -20, "done"),
            (
                "Import the first depot's routes",
                "Olivia Hart",
                4,
                "in_progress",
            ),
            ("Train the dispatch team", "Maya Chen", 10, "todo"),
        ],
    },
    DemoAccount {
        id: "brightpath",
        name: "Brightpath Health",
        plan: "enterprise",
        size: 1200,
        industry: "Healthcare",
        mrr: 12500,
        specialist: "Tomás Rivera",
        users: &[
            DemoUser {
                id: "bp-amara",
                first_name: "Amara",
                last_name: "Nwosu",
                role: "IT admin",
                signed_up_days_ago: 50,
                tour_steps: 4,
                nps: Some((4, 33, "We can't roll out without SSO through Okta.")),
                ces: Some(2),
                csat: Some((2, 30)),
                feedback: Some((
                    "question",
                    "Do you support SAML single sign-on with Okta?",
                    &["sso"],
                )),
            },
            DemoUser {
                id: "bp-lucas",
                first_name: "Lucas",
                last_name: "Berg",
                role: "Clinic manager",
                signed_up_days_ago: 41,
                tour_steps: 1,
                nps: Some((
                    7,
                    12,
                    "Fine so far, the import from our old tool was painful.",
                )),
                ces: None,
                csat: Some((4, 11)),
                feedback: Some((
                    "bug",
                    "The spreadsheet import skipped every row with an accent.",
                    &["csv-import"],
                )),
            },
        ],
        notes: &[
            (
                "objection",
                "Security review requires SAML SSO before more than 50 seats.",
                &["sso"],
            ),
            (
                "challenge",
                "Clinic managers rarely sit at a desk; they want a mobile view.",
                &["mobile"],
            ),
        ],
        plan_tasks: &[
            ("Security questionnaire", "Tomás Rivera", -12, "done"),
            ("SSO pilot with IT", "Amara Nwosu", -5, "todo"),
            ("Clinic manager training", "Tomás Rivera", 14, "todo"),
        ],
    },
    DemoAccount {
        id: "fernleaf",
        name: "Fernleaf Studio",
        plan: "starter",
        size: 12,
        industry: "Design agency",
        mrr: 180,
        specialist: "Maya Chen",
        users: &[
            DemoUser {
                id: "fl-noor",
                first_name: "Noor",
                last_name: "Haddad",
                role: "Founder",
                signed_up_days_ago: 35,
                tour_steps: 4,
                nps: Some((10, 26, "Finally a project tool the whole studio likes.")),
                ces: Some(7),
                csat: Some((5, 25)),
                feedback: Some((
                    "idea",
                    "Pricing per seat is expensive for freelancers who drop in for a week.",
                    &["pricing"],
                )),
            },
            DemoUser {
                id: "fl-ben",
                first_name: "Ben",
                last_name: "Carter",
                role: "Designer",
                signed_up_days_ago: 20,
                tour_steps: 4,
                nps: Some((9, 5, "Love the timeline.")),
                ces: Some(6),
                csat: None,
                // Untagged: the Feedback page offers "mobile" as a one-click suggestion.
                feedback: Some(("bug", "The iOS app logs me out every day.", &[])),
            },
        ],
        notes: &[(
            "note",
            "Happy with the product; may refer two other studios.",
            &[],
        )],
        plan_tasks: &[(
            "Set up the client projects template",
            "Noor Haddad",
            7,
            "todo",
        )],
    },
    DemoAccount {
        id: "quarry",
        name: "Quarry & Co",
        plan: "business",
        size: 85,
        industry: "Construction",
        mrr: 2100,
        specialist: "Tomás Rivera",
        users: &[
            DemoUser {
                id: "qc-ines",
                first_name: "Inés",
                last_name: "Alvarez",
                role: "Project director",
                signed_up_days_ago: 45,
                tour_steps: 4,
                nps: Some((8, 40, "Good, but our site teams need it on their phones.")),
                ces: Some(4),
                csat: Some((4, 44)),
                feedback: Some((
                    "bug",
                    "Importing the bill of quantities from CSV loses the decimals.",
                    &["csv-import"],
                )),
            },
            DemoUser {
                id: "qc-tom",
                first_name: "Tom",
                last_name: "Fischer",
                role: "Site manager",
                signed_up_days_ago: 44,
                tour_steps: 3,
                nps: Some((5, 16, "Useless on the phone at the site.")),
                ces: None,
                csat: Some((2, 15)),
                feedback: Some((
                    "idea",
                    "An Android app for site managers, please.",
                    &["mobile"],
                )),
            },
            DemoUser {
                id: "qc-ravi",
                first_name: "Ravi",
                last_name: "Menon",
                role: "Estimator",
                signed_up_days_ago: 14,
                tour_steps: 0,
                nps: None,
                ces: None,
                csat: None,
                feedback: None,
            },
        ],
        notes: &[(
            "objection",
            "Thinks the business plan price is high for seasonal staff.",
            &["pricing"],
        )],
        plan_tasks: &[
            (
                "Import the current tenders",
                "Inés Alvarez",
                3,
                "in_progress",
            ),
            (
                "Mobile workaround for site managers",
                "Tomás Rivera",
                21,
                "todo",
            ),
        ],
    },
    DemoAccount {
        id: "lumen",
        name: "Lumen Learning",
        plan: "pro",
        size: 40,
        industry: "Education",
        mrr: 650,
        specialist: "Priya Nair",
        users: &[
            DemoUser {
                id: "ll-chloe",
                first_name: "Chloé",
                last_name: "Dubois",
                role: "Course coordinator",
                signed_up_days_ago: 27,
                tour_steps: 4,
                nps: Some((
                    7,
                    22,
                    "The course import from a spreadsheet needed support.",
                )),
                ces: Some(3),
                csat: Some((3, 21)),
                feedback: Some((
                    "question",
                    "How do I import last term's courses from a CSV file?",
                    &["csv-import"],
                )),
            },
            DemoUser {
                id: "ll-marcus",
                first_name: "Marcus",
                last_name: "Lee",
                role: "Teacher",
                signed_up_days_ago: 10,
                tour_steps: 2,
                nps: Some((10, 2, "My students' projects are finally in one place.")),
                ces: None,
                csat: None,
                feedback: Some((
                    "idea",
                    "A dashboard of overdue tasks per class would help.",
                    &[],
                )),
            },
        ],
        notes: &[(
            "challenge",
            "Term starts in two weeks: all courses must be imported before then.",
            &["csv-import"],
        )],
        plan_tasks: &[("Bulk-import the courses", "Priya Nair", 6, "todo")],
    },
];

/// The welcome tour's steps, in order (its file is `flows/welcome-tour.json`).
const TOUR_STEPS: [&str; 4] = ["welcome", "projects-nav", "new-project", "invite"];

/// Seeds the demo accounts once: skipped when the first account already has notes.
pub async fn seed_accounts(
    http: &reqwest::Client,
    collector_base: &str,
    write_key: &str,
    admin_key: &str,
) -> anyhow::Result<super::seed::SeedOutcome> {
    let admin = Admin {
        http,
        base: collector_base,
        key: admin_key,
    };
    let first = admin
        .send(http.get(admin.url(&format!("accounts/{}", ACCOUNTS[0].id))))
        .await;
    if let Ok(card) = &first
        && card["objections"]
            .as_array()
            .is_some_and(|notes| !notes.is_empty())
    {
        return Ok(super::seed::SeedOutcome::AlreadyPresent);
    }
    let now = now_ms();
    for account in &ACCOUNTS {
        for user in account.users {
            send_batch(http, collector_base, write_key, user, account, now).await?;
        }
    }
    let rules: Vec<Value> = TAG_RULES
        .iter()
        .map(|(tag, keywords)| json!({ "tag": tag, "keywords": keywords }))
        .collect();
    admin
        .send(
            http.put(admin.url("tag-rules"))
                .json(&json!({ "threshold": 3, "rules": rules })),
        )
        .await?;
    for account in &ACCOUNTS {
        seed_account_admin(&admin, account, now).await?;
    }
    Ok(super::seed::SeedOutcome::Imported)
}

/// The specialist, notes, plan tasks and tags of one account (admin API).
async fn seed_account_admin(
    admin: &Admin<'_>,
    account: &DemoAccount,
    now: i64,
) -> anyhow::Result<()> {
    let http = admin.http;
    admin
        .send(
            http.put(admin.url(&format!("accounts/{}/specialist", account.id)))
                .json(&json!({ "specialist": account.specialist })),
        )
        .await?;
    for (kind, text, tags) in account.notes {
        admin
            .send(
                http.post(admin.url(&format!("accounts/{}/notes", account.id)))
                    .json(&json!({ "kind": kind, "text": text, "tags": tags })),
            )
            .await?;
    }
    for (title, owner, due_in_days, status) in account.plan_tasks {
        let due = iso_date(now + due_in_days * DAY_MS);
        admin
            .send(
                http.post(admin.url(&format!("accounts/{}/plan", account.id)))
                    .json(&json!({ "title": title, "owner": owner, "due": due, "status": status })),
            )
            .await?;
    }
    for user in account.users {
        if let Some((_, _, tags)) = user.feedback
            && !tags.is_empty()
        {
            admin
                .send(
                    http.put(admin.url(&format!("tags/feedback/{}", feedback_id(user))))
                        .json(&json!({ "tags": tags })),
                )
                .await?;
        }
    }
    Ok(())
}

/// The admin API with the admin key.
struct Admin<'a> {
    http: &'a reqwest::Client,
    base: &'a str,
    key: &'a str,
}

impl Admin<'_> {
    fn url(&self, path: &str) -> String {
        format!("{}/v1/admin/{path}", self.base)
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> anyhow::Result<Value> {
        let response = request.bearer_auth(self.key).send().await?;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        anyhow::ensure!(
            status.is_success(),
            "the collector answered {status}: {body}"
        );
        Ok(serde_json::from_str(&body).unwrap_or(Value::Null))
    }
}

fn feedback_id(user: &DemoUser) -> String {
    format!("seed:{}:feedback", user.id)
}

/// Everything one user did, oldest first, as one batch through the public ingest endpoint.
async fn send_batch(
    http: &reqwest::Client,
    base: &str,
    write_key: &str,
    user: &DemoUser,
    account: &DemoAccount,
    now: i64,
) -> anyhow::Result<()> {
    let events = user_events(user, account, now);
    let response = http
        .post(format!("{base}/v1/batch"))
        .json(&json!({ "write_key": write_key, "user_id": user.id, "events": events }))
        .timeout(Duration::from_secs(20))
        .send()
        .await?;
    let status = response.status();
    if status != StatusCode::OK {
        let body = response.text().await.unwrap_or_default();
        anyhow::bail!("the events of {} were refused: {status} {body}", user.id);
    }
    Ok(())
}

/// Builds the events of one user with deterministic message ids (a second seeding is deduplicated).
struct Timeline<'a> {
    user: &'a str,
    events: Vec<Value>,
}

impl Timeline<'_> {
    fn push(&mut self, at: i64, mut event: Value) {
        event["message_id"] = json!(format!("seed:{}:{}", self.user, self.events.len()));
        event["timestamp"] = json!(at);
        self.events.push(event);
    }

    fn track(&mut self, at: i64, name: &str, properties: Value) {
        self.push(
            at,
            json!({ "type": "track", "name": name, "properties": properties }),
        );
    }

    /// A survey run: started, each `(step id, step index, kind, answer, next index)` answered and
    /// completed, then the flow completed.
    fn survey(
        &mut self,
        at: i64,
        flow_id: &str,
        answers: &[(&str, usize, &str, Value, Option<usize>)],
    ) {
        self.track(
            at,
            "flow_started",
            json!({ "flow_id": flow_id, "version": 1 }),
        );
        for (offset, (step_id, index, kind, answer, next)) in answers.iter().enumerate() {
            let at = at + 1000 * (offset as i64 + 1);
            let step = json!({ "flow_id": flow_id, "step_id": step_id, "step_index": index });
            self.track(at, "step_viewed", step.clone());
            self.track(
                at + 1,
                "survey_answered",
                json!({ "flow_id": flow_id, "step_id": step_id, "step_index": index, "kind": kind, "answer": answer }),
            );
            let mut completed = step;
            if let Some(next) = next {
                completed["next_step_index"] = json!(next);
            }
            self.track(at + 2, "step_completed", completed);
        }
        self.track(
            at + 1000 * (answers.len() as i64 + 1),
            "flow_completed",
            json!({ "flow_id": flow_id }),
        );
    }
}

fn user_events(user: &DemoUser, account: &DemoAccount, now: i64) -> Vec<Value> {
    let mut timeline = Timeline {
        user: user.id,
        events: Vec::new(),
    };
    let start = now - user.signed_up_days_ago * DAY_MS;
    let email = format!(
        "{}.{}@{}.test",
        user.first_name.to_lowercase(),
        user.last_name.to_lowercase(),
        account.id
    );
    timeline.push(
        start,
        json!({ "type": "identify", "traits": {
            "first_name": user.first_name, "last_name": user.last_name, "email": email,
            "role": user.role, "plan": account.plan, "signed_up_at": iso_date(start),
        }}),
    );
    timeline.push(
        start + 1,
        json!({ "type": "group", "group_id": account.id, "traits": {
            "name": account.name, "plan": account.plan, "size": account.size,
            "industry": account.industry, "mrr": account.mrr,
        }}),
    );
    timeline.push(start + 2, json!({ "type": "page", "url": "/" }));
    if user.tour_steps > 0 {
        timeline.track(
            start + 10,
            "flow_started",
            json!({ "flow_id": "welcome-tour", "version": 1 }),
        );
        for (index, step_id) in TOUR_STEPS.iter().enumerate().take(user.tour_steps) {
            let step =
                json!({ "flow_id": "welcome-tour", "step_id": step_id, "step_index": index });
            let at = start + 20 + 10 * index as i64;
            timeline.track(at, "step_viewed", step.clone());
            timeline.track(at + 5, "step_completed", step);
        }
        if user.tour_steps < TOUR_STEPS.len() {
            // Stuck: the next step was shown and never finished.
            let index = user.tour_steps;
            timeline.track(
                start + 20 + 10 * index as i64,
                "step_viewed",
                json!({ "flow_id": "welcome-tour", "step_id": TOUR_STEPS[index], "step_index": index }),
            );
        } else {
            timeline.track(
                start + 80,
                "flow_completed",
                json!({ "flow_id": "welcome-tour" }),
            );
        }
    }
    if user.tour_steps >= 2 {
        timeline.push(start + 100, json!({ "type": "page", "url": "/projects" }));
        timeline.track(
            start + 110,
            "project_created",
            json!({ "name": format!("{} kick-off", account.name) }),
        );
    }
    if user.tour_steps >= 4 {
        timeline.push(start + 120, json!({ "type": "page", "url": "/settings" }));
        timeline.track(start + 130, "teammate_invited", json!({}));
        if let Some(score) = user.ces {
            // A low score branches to "hardest" (the following step); otherwise on to "thanks".
            let mut answers = vec![("effort", 0, "ces", json!(score), Some(2))];
            if score <= 3 {
                answers[0].4 = None;
                answers.push((
                    "hardest",
                    1,
                    "text",
                    json!("Finding where the project settings live."),
                    None,
                ));
            }
            timeline.survey(start + DAY_MS / 2, "ces-after-task", &answers);
            // Setting up the workspace (the checklist) is harder than the tour for everyone.
            timeline.survey(
                start + 3 * DAY_MS,
                "ces-after-checklist",
                &[(
                    "effort",
                    0,
                    "ces",
                    json!(score.saturating_sub(2).max(1)),
                    None,
                )],
            );
        }
    }
    if let Some((score, days_ago, text)) = user.nps {
        let (step, index) = match score {
            0..=6 => ("better", 2),
            9..=10 => ("love", 3),
            _ => ("passive", 1),
        };
        timeline.survey(
            now - days_ago * DAY_MS,
            "nps-survey",
            &[
                ("score", 0, "nps", json!(score), Some(index)),
                (step, index, "text", json!(text), Some(4)),
            ],
        );
    }
    if let Some((score, days_ago)) = user.csat {
        let focus = if score <= 3 { "import" } else { "reports" };
        timeline.survey(
            now - days_ago * DAY_MS,
            "csat-survey",
            &[
                ("satisfaction", 0, "csat", json!(score), None),
                ("focus", 1, "single", json!(focus), None),
            ],
        );
    }
    let mut events = timeline.events;
    if let Some((category, text, _)) = user.feedback {
        events.push(json!({
            "message_id": feedback_id(user), "type": "track", "name": "feedback_submitted",
            "properties": { "category": category, "text": text, "page_url": "https://app.tasklane.test/projects" },
            "timestamp": now - (user.signed_up_days_ago / 2) * DAY_MS,
        }));
    }
    events.sort_by_key(|event| event["timestamp"].as_i64().unwrap_or(0));
    events
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as i64)
}

/// `YYYY-MM-DD` (UTC) of a time in epoch milliseconds.
pub fn iso_date(ms: i64) -> String {
    engine::calendar::day_string(engine::calendar::day_of(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        for (ms, date) in [
            (0, "1970-01-01"),
            (951_782_400_000, "2000-02-29"),
            (1_795_392_000_000, "2026-11-23"),
            (-DAY_MS, "1969-12-31"),
        ] {
            assert_eq!(iso_date(ms), date, "{ms}");
        }
    }

    #[test]
    fn demo_accounts_make_one_recurrent_and_several_specific_problems() {
        let mut accounts_per_tag =
            std::collections::BTreeMap::<&str, std::collections::BTreeSet<&str>>::new();
        for account in &ACCOUNTS {
            let user_tags = account
                .users
                .iter()
                .filter_map(|user| user.feedback)
                .flat_map(|(_, _, tags)| tags.iter());
            let note_tags = account.notes.iter().flat_map(|(_, _, tags)| tags.iter());
            for tag in user_tags.chain(note_tags) {
                accounts_per_tag.entry(tag).or_default().insert(account.id);
            }
        }
        let recurrent: Vec<&str> = accounts_per_tag
            .iter()
            .filter(|(_, accounts)| accounts.len() >= 3)
            .map(|(tag, _)| *tag)
            .collect();
        assert_eq!(recurrent, ["csv-import"]);
        assert!(
            accounts_per_tag.len() - recurrent.len() >= 3,
            "{accounts_per_tag:?}"
        );
        assert!(
            ACCOUNTS
                .iter()
                .all(|account| (2..=5).contains(&account.users.len()))
        );
        let overdue = ACCOUNTS
            .iter()
            .flat_map(|account| account.plan_tasks)
            .filter(|task| task.2 < 0 && task.3 != "done")
            .count();
        assert!(overdue >= 1);
        let known: Vec<&str> = TAG_RULES.iter().map(|(tag, _)| *tag).collect();
        assert!(accounts_per_tag.keys().all(|tag| known.contains(tag)));
    }
}
