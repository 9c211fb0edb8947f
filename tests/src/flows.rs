//! Flows the scenarios create through the collector's admin API (the welcome tour comes from the
//! demo-app's seed instead). Each is written in the open flow format, v1.

use serde_json::{Value, json};

/// A one-step tooltip flow on `target`, started on pages matching `trigger_pattern`.
pub fn single_tooltip_flow(
    flow_id: &str,
    trigger_pattern: &str,
    target: &str,
    placement: &str,
) -> Value {
    json!({
        "format": "waymark.flow/v1",
        "id": flow_id,
        "name": format!("Tooltip on {target}"),
        "trigger": { "type": "url", "pattern": trigger_pattern },
        "frequency": "once",
        "steps": [{
            "id": "pointer",
            "kind": "tooltip",
            "target": target,
            "placement": placement,
            "title": "Your payment methods",
            "body": "Add a card here before your trial ends.",
            "buttons": [{ "action": "next", "label": "Got it" }],
        }],
    })
}

/// The id of the tooltip step whose target never exists, in `missing_target_flow`.
pub const MISSING_TARGET_STEP_ID: &str = "points-at-nothing";
/// The id of the modal after it, which the flow skips to.
pub const AFTER_MISSING_TARGET_STEP_ID: &str = "after-the-missing-target";

/// A flow whose first step is a tooltip on `#does-not-exist` with a short target timeout (skipped
/// when missing), followed by a modal that shows only on pages matching `modal_page`.
pub fn missing_target_flow(
    flow_id: &str,
    trigger_pattern: &str,
    modal_page: &str,
    target_timeout_ms: u32,
) -> Value {
    json!({
        "format": "waymark.flow/v1",
        "id": flow_id,
        "name": "Points at nothing",
        "trigger": { "type": "url", "pattern": trigger_pattern },
        "frequency": "once",
        "steps": [
            {
                "id": MISSING_TARGET_STEP_ID,
                "kind": "tooltip",
                "target": "#does-not-exist",
                "title": "This target never appears",
                "buttons": [{ "action": "next", "label": "Next" }],
                "when_target_missing": "skip",
                "target_timeout_ms": target_timeout_ms,
            },
            {
                "id": AFTER_MISSING_TARGET_STEP_ID,
                "kind": "modal",
                "page": modal_page,
                "title": "The flow went on without its missing target",
                "buttons": [{ "action": "next", "label": "Done" }],
            },
        ],
    })
}

/// The audience "users on the pro plan" (the demo host's `plan` trait, `?plan=`).
pub fn pro_plan_audience() -> Value {
    json!({ "trait": "plan", "op": "eq", "value": "pro" })
}

/// A one-step modal tour started on pages matching `trigger_pattern`; its `next` button reads "Done".
pub fn single_modal_tour(flow_id: &str, trigger_pattern: &str, title: &str) -> Value {
    json!({
        "format": "waymark.flow/v1",
        "id": flow_id,
        "name": format!("Tour {flow_id}"),
        "trigger": { "type": "url", "pattern": trigger_pattern },
        "frequency": "once",
        "steps": [{
            "id": "only-step",
            "kind": "modal",
            "title": title,
            "body": "One screen, then you are done.",
            "buttons": [
                { "action": "dismiss", "label": "Not now" },
                { "action": "next", "label": "Done" },
            ],
        }],
    })
}

/// The onboarding checklist's items (`onboarding_checklist`).
pub mod onboarding {
    /// Manual: the user ticks it.
    pub const READ_GUIDE: &str = "read-guide";
    /// Done when the host tracks `project_created`.
    pub const CREATE_PROJECT: &str = "create-project";
    /// Done once the user has been on `/settings`.
    pub const VISIT_SETTINGS: &str = "visit-settings";
    pub const ITEM_IDS: [&str; 3] = [READ_GUIDE, CREATE_PROJECT, VISIT_SETTINGS];
    pub const BADGE_ID: &str = "tasklane-starter";
    pub const BADGE_NAME: &str = "Tasklane Starter";
    pub const TITLE: &str = "Get started with Tasklane";
}

/// A three-item checklist for pro-plan users: one item ticked by hand, one done by a real host
/// action (`project_created`), one by visiting `/settings`; finishing earns a badge.
pub fn onboarding_checklist(checklist_id: &str) -> Value {
    json!({
        "format": "waymark.flow/v1",
        "id": checklist_id,
        "name": "Onboarding checklist",
        "trigger": { "type": "manual" },
        "audience": pro_plan_audience(),
        "steps": [],
        "checklist": {
            "title": onboarding::TITLE,
            "items": [
                {
                    "id": onboarding::READ_GUIDE,
                    "title": "Read the quick-start guide",
                    "description": "Tick this once you have skimmed it.",
                    "manual": true,
                },
                {
                    "id": onboarding::CREATE_PROJECT,
                    "title": "Create your first project",
                    "done_when": { "event": "project_created", "op": "done" },
                },
                {
                    "id": onboarding::VISIT_SETTINGS,
                    "title": "Look around the settings",
                    "done_when": { "visited": "/settings*" },
                },
            ],
            "badge": { "id": onboarding::BADGE_ID, "name": onboarding::BADGE_NAME },
            "open_on_first_show": false,
        },
    })
}

/// The gated checklist's items (`gated_checklist`).
pub mod gated {
    pub const BASICS: &str = "basics";
    /// Locked until the user completes the prerequisite tour.
    pub const ADVANCED: &str = "advanced";
}

/// A two-item checklist whose second item stays locked until `required_tour_id` is completed.
pub fn gated_checklist(checklist_id: &str, required_tour_id: &str) -> Value {
    json!({
        "format": "waymark.flow/v1",
        "id": checklist_id,
        "name": "Gated checklist",
        "trigger": { "type": "manual" },
        "steps": [],
        "checklist": {
            "title": "Level up",
            "items": [
                { "id": gated::BASICS, "title": "Learn the basics", "manual": true },
                {
                    "id": gated::ADVANCED,
                    "title": "Try the advanced views",
                    "manual": true,
                    "requires": { "completed": required_tour_id },
                },
            ],
        },
    })
}

/// A hotspot on `target`, started on pages matching `trigger_pattern`; its `next` reads "Got it".
pub fn hotspot_flow(flow_id: &str, trigger_pattern: &str, target: &str, title: &str) -> Value {
    json!({
        "format": "waymark.flow/v1",
        "id": flow_id,
        "name": format!("Hotspot {flow_id}"),
        "trigger": { "type": "url", "pattern": trigger_pattern },
        "frequency": "once",
        "steps": [{
            "id": "beacon",
            "kind": "hotspot",
            "target": target,
            "title": title,
            "body": "Start a project for each initiative.",
            "buttons": [{ "action": "next", "label": "Got it" }],
        }],
    })
}

/// A modal announcement with an image (the demo host's own logo, allowed by its CSP).
pub fn modal_announcement_with_image(
    flow_id: &str,
    trigger_pattern: &str,
    image_alt: &str,
) -> Value {
    json!({
        "format": "waymark.flow/v1",
        "id": flow_id,
        "name": "Modal announcement",
        "trigger": { "type": "url", "pattern": trigger_pattern },
        "frequency": "once",
        "steps": [{
            "id": "announce",
            "kind": "modal",
            "title": "Timelines are here",
            "body": "Plan every project on a **timeline**.",
            "media": { "kind": "image", "url": "/favicon.svg", "alt": image_alt },
            "buttons": [
                { "action": "dismiss", "label": "Later" },
                { "action": "next", "label": "Nice" },
            ],
        }],
    })
}

/// A slide-out announcement in the bottom corner on `placement` (`left` or `right`).
pub fn slideout_announcement(flow_id: &str, trigger_pattern: &str, placement: &str) -> Value {
    json!({
        "format": "waymark.flow/v1",
        "id": flow_id,
        "name": "Slide-out announcement",
        "trigger": { "type": "url", "pattern": trigger_pattern },
        "frequency": "once",
        "steps": [{
            "id": "announce",
            "kind": "slideout",
            "placement": placement,
            "title": "New: recurring tasks",
            "body": "Set a task to repeat every week.",
            "buttons": [{ "action": "next", "label": "Got it" }],
        }],
    })
}

/// A banner at the `top` or `bottom` of the page, pushing the page or overlaying it; its close
/// button dismisses it.
pub fn banner_announcement(
    flow_id: &str,
    trigger_pattern: &str,
    placement: &str,
    push: bool,
    title: &str,
) -> Value {
    json!({
        "format": "waymark.flow/v1",
        "id": flow_id,
        "name": format!("Banner {flow_id}"),
        "trigger": { "type": "url", "pattern": trigger_pattern },
        "frequency": "once",
        "steps": [{
            "id": "banner",
            "kind": "banner",
            "placement": placement,
            "push": push,
            "title": title,
            "body": "Scheduled maintenance on Sunday at 02:00 UTC.",
            // Its close button (always there) dismisses it; `next` acknowledges it.
            "buttons": [{ "action": "next", "label": "Got it" }],
        }],
    })
}

/// A manual two-step tour offered in the resource center (`replayable`).
pub fn replayable_tour(flow_id: &str, first_step_id: &str) -> Value {
    json!({
        "format": "waymark.flow/v1",
        "id": flow_id,
        "name": "Replay: projects basics",
        "trigger": { "type": "manual" },
        "replayable": true,
        "steps": [
            {
                "id": first_step_id,
                "kind": "modal",
                "title": "Projects in two minutes",
                "buttons": [{ "action": "next", "label": "Next" }],
            },
            {
                "id": "projects-second",
                "kind": "modal",
                "title": "That is all",
                "buttons": [{ "action": "next", "label": "Finish" }],
            },
        ],
    })
}

/// A two-modal tour on pages matching `trigger_pattern`, translated into French and Arabic.
pub fn translated_tour(flow_id: &str, trigger_pattern: &str) -> Value {
    json!({
        "format": "waymark.flow/v1",
        "id": flow_id,
        "name": "Translated settings tour",
        "trigger": { "type": "url", "pattern": trigger_pattern },
        "frequency": "once",
        "steps": [
            {
                "id": "first",
                "kind": "modal",
                "title": "Welcome to your settings",
                "body": "Your profile and your team live here.",
                "buttons": [
                    { "action": "dismiss", "label": "Skip" },
                    { "action": "next", "label": "Next" },
                ],
            },
            {
                "id": "second",
                "kind": "modal",
                "title": "Invite your team",
                "buttons": [
                    { "action": "back", "label": "Back" },
                    { "action": "next", "label": "Done" },
                ],
            },
        ],
        "translations": {
            "fr": {
                "steps": {
                    "first": {
                        "title": "Bienvenue dans vos paramètres",
                        "body": "Votre profil et votre équipe sont ici.",
                        "buttons": ["Passer", "Suivant"],
                    },
                    "second": {
                        "title": "Invitez votre équipe",
                        "buttons": ["Retour", "Terminé"],
                    },
                },
            },
            "ar": {
                "steps": {
                    "first": {
                        "title": "مرحبًا بك في إعداداتك",
                        "body": "ملفك الشخصي وفريقك هنا.",
                        "buttons": ["تخطي", "التالي"],
                    },
                    "second": {
                        "title": "ادعُ فريقك",
                        "buttons": ["رجوع", "تم"],
                    },
                },
            },
        },
    })
}

/// A one-modal announcement whose theme override changes the accent of its own surfaces.
pub fn themed_modal(flow_id: &str, trigger_pattern: &str, accent: &str) -> Value {
    let mut flow = single_modal_tour(flow_id, trigger_pattern, "A flow in its own colours");
    flow["theme"] = json!({ "accent": accent, "accent_text": "#ffffff" });
    flow
}

/// The trigger "right after that flow or checklist completes" (docs/feedback.md §1).
pub fn completed_trigger(flow_id: &str) -> Value {
    json!({ "type": "completed", "flow": flow_id })
}

/// The trigger "on pages matching `pattern`".
pub fn url_trigger(pattern: &str) -> Value {
    json!({ "type": "url", "pattern": pattern })
}

/// The step ids of `nps_survey` (the example of docs/feedback.md §1).
pub mod nps {
    /// The 0–10 score, with its standard title.
    pub const SCORE: &str = "score";
    /// Asked after a 7 or 8.
    pub const PASSIVE: &str = "passive";
    /// Asked after 0–6 (detractors).
    pub const BETTER: &str = "better";
    /// Asked after 9 or 10 (promoters).
    pub const LOVE: &str = "love";
    /// The thank-you step, without a question.
    pub const THANKS: &str = "thanks";
}

/// A slide-out NPS survey started by `trigger` (until completed) with the `survey` settings
/// (`sample_percent`, `reask_days`): the score branches to a detractor, passive or promoter
/// follow-up text question, each followed by the thank-you step.
pub fn nps_survey(flow_id: &str, trigger: Value, survey: Value) -> Value {
    let text_step = |id: &str, title: &str| {
        json!({
            "id": id, "kind": "slideout", "title": title,
            "question": { "kind": "text", "next": nps::THANKS },
        })
    };
    json!({
        "format": "waymark.flow/v1",
        "id": flow_id,
        "name": format!("NPS {flow_id}"),
        "trigger": trigger,
        "frequency": "until_completed",
        "survey": survey,
        "steps": [
            {
                "id": nps::SCORE, "kind": "slideout", "title": "",
                "question": {
                    "kind": "nps",
                    "branches": [
                        { "when": { "max": 6 }, "goto": nps::BETTER },
                        { "when": { "min": 9 }, "goto": nps::LOVE },
                    ],
                },
            },
            text_step(nps::PASSIVE, "What is one thing we could do better?"),
            text_step(nps::BETTER, "What would make it better?"),
            text_step(nps::LOVE, "What do you like most?"),
            {
                "id": nps::THANKS, "kind": "slideout", "title": "Thank you!",
                "body": "Your answer helps us improve.",
            },
        ],
    })
}

/// The step ids of `ces_survey`.
pub mod ces {
    /// "How easy was it to {task}?" on a 1–7 scale.
    pub const EASE: &str = "ease";
    pub const THANKS: &str = "thanks";
}

/// A modal CES survey asked right after `after_flow_id` completes: "How easy was it to {task}?",
/// then a thank-you step.
pub fn ces_survey(flow_id: &str, after_flow_id: &str, task: &str) -> Value {
    json!({
        "format": "waymark.flow/v1",
        "id": flow_id,
        "name": format!("CES after {after_flow_id}"),
        "trigger": completed_trigger(after_flow_id),
        "frequency": "once",
        "survey": {},
        "steps": [
            {
                "id": ces::EASE, "kind": "modal", "title": "",
                "question": { "kind": "ces", "task": task },
            },
            {
                "id": ces::THANKS, "kind": "modal", "title": "Thanks for telling us",
                "body": "We read every answer.",
            },
        ],
    })
}

/// The step ids and texts of `translated_choice_survey`.
pub mod choice {
    /// The single-choice question.
    pub const PICK: &str = "pick";
    pub const THANKS: &str = "thanks";
    pub const TITLE: &str = "What brought you to Tasklane?";
    pub const TITLE_FR: &str = "Qu'est-ce qui vous a amené à Tasklane ?";
    /// Each option's id, English (base) label and French label, in order.
    pub const OPTIONS: [(&str, &str, &str); 3] = [
        ("speed", "Speed", "La rapidité"),
        ("price", "Price", "Le prix"),
        ("team", "My team uses it", "Mon équipe l'utilise"),
    ];
}

/// A modal single-choice survey started by `trigger`, then a thank-you step, with a French
/// translation of its titles and option labels.
pub fn translated_choice_survey(flow_id: &str, trigger: Value) -> Value {
    let options: Vec<Value> = choice::OPTIONS
        .iter()
        .map(|(id, label, _)| json!({ "id": id, "label": label }))
        .collect();
    let french: Vec<&str> = choice::OPTIONS.iter().map(|(_, _, label)| *label).collect();
    json!({
        "format": "waymark.flow/v1",
        "id": flow_id,
        "name": format!("Choice survey {flow_id}"),
        "trigger": trigger,
        "frequency": "until_completed",
        "survey": {},
        "steps": [
            {
                "id": choice::PICK, "kind": "modal", "title": choice::TITLE,
                "question": { "kind": "single", "options": options },
            },
            { "id": choice::THANKS, "kind": "modal", "title": "Thank you!" },
        ],
        "translations": {
            "fr": {
                "steps": {
                    choice::PICK: { "title": choice::TITLE_FR, "options": french },
                    choice::THANKS: { "title": "Merci !" },
                },
            },
        },
    })
}
