//! Data-driven tests of checklist evaluation: each case is what the user has done (facts and
//! recorded progress) and the lifecycle events the collector must store, never twice.

use std::collections::{BTreeSet, HashMap};

use engine::audience::Facts;
use engine::checklist::{Checklist, completed_ids, evaluate};
use engine::progress::{ChecklistProgress, FlowProgress, RunStatus};
use engine::{LifecycleEvent, UserProgress};
use serde_json::json;

/// Invite (after the basics tour), create a project (event), then a locked-or-not item that
/// depends on the project, and a manual item; the badge comes last.
fn checklist(locked_third: bool) -> Checklist {
    serde_json::from_value(json!({
        "title": "Get started",
        "items": [
            {"id": "tour", "title": "Take the tour", "done_when": {"completed": "basics-tour"}},
            {"id": "project", "title": "Create a project",
             "done_when": {"event": "project_created", "op": "done"}},
            {"id": "invite", "title": "Invite a teammate", "depends_on": ["project"],
             "done_when": {"event": "invite_sent", "op": "at_least", "count": 1},
             "locked": locked_third},
            {"id": "profile", "title": "Fill in your profile", "manual": true}
        ],
        "badge": {"id": "starter", "name": "Starter"}
    }))
    .unwrap()
}

fn facts(events: &[&str], completed: &[&str]) -> Facts {
    let events: HashMap<String, Vec<i64>> = events
        .iter()
        .map(|name| (name.to_string(), vec![1_000]))
        .collect();
    Facts {
        events,
        completed: completed.iter().map(|id| id.to_string()).collect(),
        now_ms: 2_000,
        ..Facts::default()
    }
}

fn progress(done: &[&str], completed: bool, badge: bool) -> UserProgress {
    let mut progress = UserProgress::default();
    progress.checklists.insert(
        "onboarding".into(),
        ChecklistProgress {
            done: done.iter().map(|id| id.to_string()).collect(),
            completed,
            badge: badge.then(|| "starter".to_string()),
        },
    );
    progress
}

/// Short names of the events: `item:<id>`, `completed`, `badge:<id>`.
fn names(events: &[LifecycleEvent]) -> Vec<String> {
    events
        .iter()
        .map(|event| match event {
            LifecycleEvent::ChecklistItemCompleted {
                checklist_id,
                item_id,
                manual,
            } => {
                assert_eq!(checklist_id, "onboarding");
                assert!(!manual, "evaluation never records a hand tick");
                format!("item:{item_id}")
            }
            LifecycleEvent::ChecklistCompleted { .. } => "completed".into(),
            LifecycleEvent::BadgeEarned { badge_id, .. } => format!("badge:{badge_id}"),
            other => panic!("unexpected {other:?}"),
        })
        .collect()
}

fn check(
    checklist: &Checklist,
    progress: &UserProgress,
    facts: &Facts,
    expected: &[&str],
    case: &str,
) {
    let events = evaluate("onboarding", checklist, progress, facts);
    assert_eq!(names(&events), expected, "{case}");
    // Applying what came out and evaluating again yields nothing: no duplicates, ever.
    let mut after = progress.clone();
    for event in &events {
        after.apply(event);
    }
    assert_eq!(
        names(&evaluate("onboarding", checklist, &after, facts)),
        Vec::<String>::new(),
        "second pass of {case}"
    );
}

#[test]
fn items_complete_in_order_and_only_once_available() {
    let open = checklist(false);
    let locked = checklist(true);
    let none = UserProgress::default();
    let cases: Vec<(&Checklist, UserProgress, Facts, Vec<&str>, &str)> = vec![
        (&open, none.clone(), facts(&[], &[]), vec![], "nothing done"),
        (
            &open,
            none.clone(),
            facts(&["project_created"], &["basics-tour"]),
            vec!["item:tour", "item:project"],
            "two conditions hold, reported in checklist order",
        ),
        (
            &open,
            none.clone(),
            facts(&["invite_sent"], &[]),
            vec![],
            "a dependency not done keeps the item open",
        ),
        (
            &open,
            none.clone(),
            facts(&["project_created", "invite_sent"], &[]),
            vec!["item:project", "item:invite"],
            "an item done earlier in the same pass unlocks its dependant",
        ),
        (
            &locked,
            none.clone(),
            facts(&["project_created", "invite_sent"], &[]),
            vec!["item:project"],
            "a locked item never completes",
        ),
        (
            &open,
            progress(&["project"], false, false),
            facts(&["project_created", "invite_sent"], &[]),
            vec!["item:invite"],
            "items already done are skipped",
        ),
        (
            &open,
            progress(&["tour", "project", "profile"], false, false),
            facts(&["invite_sent"], &[]),
            vec!["item:invite", "completed", "badge:starter"],
            "the last item completes the checklist and earns the badge",
        ),
        (
            &open,
            progress(&["tour", "project", "invite"], false, false),
            facts(&["project_created", "invite_sent"], &["basics-tour"]),
            vec![],
            "a manual item is never ticked by evaluation",
        ),
        (
            &open,
            progress(&["tour", "project", "invite", "profile"], true, true),
            facts(&["project_created", "invite_sent"], &["basics-tour"]),
            vec![],
            "completion and badge already recorded",
        ),
        (
            &open,
            progress(&["tour", "project", "invite", "profile"], true, false),
            facts(&[], &[]),
            vec!["badge:starter"],
            "a missing badge is still earned",
        ),
        (
            &open,
            progress(&["tour", "project", "invite", "profile"], false, false),
            facts(&[], &[]),
            vec!["completed", "badge:starter"],
            "all done by hand: completion follows",
        ),
    ];
    for (checklist, progress, facts, expected, case) in cases {
        check(checklist, &progress, &facts, &expected, case);
    }
}

#[test]
fn no_badge_means_no_badge_event() {
    let mut plain = checklist(false);
    plain.badge = None;
    check(
        &plain,
        &progress(&["tour", "project", "invite"], false, false),
        &facts(&[], &[]),
        &[],
        "manual item still open",
    );
    check(
        &plain,
        &progress(&["tour", "project", "invite", "profile"], false, false),
        &facts(&[], &[]),
        &["completed"],
        "completed without a badge",
    );
}

#[test]
fn completed_ids_are_completed_flows_and_checklists() {
    let mut progress = progress(&["tour"], true, false);
    progress.checklists.insert(
        "half-done".into(),
        ChecklistProgress {
            done: vec!["a".into()],
            ..ChecklistProgress::default()
        },
    );
    for (id, completions, status) in [
        ("finished", 1, RunStatus::Completed),
        ("restarted", 2, RunStatus::Active),
        ("dismissed", 0, RunStatus::Dismissed),
        ("running", 0, RunStatus::Active),
    ] {
        progress.flows.insert(
            id.into(),
            FlowProgress {
                status,
                completions,
                ..FlowProgress::default()
            },
        );
    }
    let expected: BTreeSet<String> = ["finished", "onboarding", "restarted"]
        .map(String::from)
        .into();
    assert_eq!(completed_ids(&progress), expected);
    assert_eq!(engine::progress::completed_ids(&progress), expected);
}
