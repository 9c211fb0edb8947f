//! Table tests of the pure survey rules: which answers a question accepts, where an answer
//! branches to, who is sampled, when a survey may be asked again, and the standard wording.

use engine::Flow;
use engine::survey::{
    Answer, Question, check_answer, fill_standard_wording, next_step, reask_due, sampled,
    standard_title,
};
use serde_json::{Value, json};

fn question(value: Value) -> Question {
    serde_json::from_value(value.clone()).unwrap_or_else(|error| panic!("{value}: {error}"))
}

/// The NPS survey of `docs/feedback.md`: score → better (0–6) / love (9–10) / passive (7–8).
pub(crate) fn nps_survey() -> Flow {
    serde_json::from_value(json!({
        "id": "nps-quarterly", "name": "NPS every quarter", "status": "published",
        "trigger": {"type": "days_after", "since": "signup", "days": 14},
        "frequency": "until_completed",
        "survey": {"sample_percent": 50, "reask_days": 90},
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
             "question": {"kind": "text", "next": "thanks"}},
            {"id": "thanks", "kind": "slideout", "title": "Thank you!", "body": "Your answer helps us improve."}
        ]
    }))
    .unwrap()
}

#[test]
fn answers_are_checked_against_their_question() {
    let nps = json!({"kind": "nps"});
    let ces = json!({"kind": "ces"});
    let csat = json!({"kind": "csat"});
    let options = json!([{"id": "speed", "label": "Speed"}, {"id": "price", "label": "Price"},
                         {"id": "docs", "label": "Docs"}]);
    let single = json!({"kind": "single", "options": options});
    let multiple = json!({"kind": "multiple", "options": options});
    let text = json!({"kind": "text"});
    let short_text = json!({"kind": "text", "max_length": 5});
    let huge_limit = json!({"kind": "text", "max_length": 9000});
    let nps_rule = "an NPS score is an integer from 0 to 10";
    // (question, answer, Ok(answer) or Err(message))
    let cases: Vec<(&Value, Value, Result<Answer, &str>)> = vec![
        (&nps, json!(0), Ok(Answer::Score(0))),
        (&nps, json!(10), Ok(Answer::Score(10))),
        (&nps, json!(11), Err(nps_rule)),
        (&nps, json!(-1), Err(nps_rule)),
        (&nps, json!(7.5), Err(nps_rule)),
        (&nps, json!("7"), Err(nps_rule)),
        (&nps, json!(null), Err(nps_rule)),
        (&ces, json!(1), Ok(Answer::Score(1))),
        (&ces, json!(7), Ok(Answer::Score(7))),
        (&ces, json!(0), Err("a CES score is an integer from 1 to 7")),
        (&ces, json!(8), Err("a CES score is an integer from 1 to 7")),
        (&csat, json!(5), Ok(Answer::Score(5))),
        (
            &csat,
            json!(6),
            Err("a CSAT score is an integer from 1 to 5"),
        ),
        (&single, json!("price"), Ok(Answer::Choice("price".into()))),
        (&single, json!("cost"), Err("\"cost\" is not an option")),
        (
            &single,
            json!(["price"]),
            Err("a single-choice answer is one option id"),
        ),
        (
            &multiple,
            json!(["docs", "speed"]),
            Ok(Answer::Choices(vec!["docs".into(), "speed".into()])),
        ),
        (
            &multiple,
            json!([]),
            Err("a multiple-choice answer is a non-empty list of option ids"),
        ),
        (
            &multiple,
            json!("speed"),
            Err("a multiple-choice answer is a non-empty list of option ids"),
        ),
        (
            &multiple,
            json!(["speed", 3]),
            Err("a multiple-choice answer is a non-empty list of option ids"),
        ),
        (
            &multiple,
            json!(["speed", "speed"]),
            Err("\"speed\" is chosen twice"),
        ),
        (
            &multiple,
            json!(["speed", "cost"]),
            Err("\"cost\" is not an option"),
        ),
        (&text, json!("Faster"), Ok(Answer::Text("Faster".into()))),
        (
            &text,
            json!(""),
            Err("a text answer needs at least one character"),
        ),
        (
            &text,
            json!("   "),
            Err("a text answer needs at least one character"),
        ),
        (&text, json!(5), Err("a text answer is a string")),
        (
            &text,
            json!("x".repeat(1000)),
            Ok(Answer::Text("x".repeat(1000))),
        ),
        (
            &text,
            json!("x".repeat(1001)),
            Err("a text answer is at most 1000 characters"),
        ),
        // Characters, not bytes: five two-byte letters fit a limit of five.
        (
            &short_text,
            json!("ééééé"),
            Ok(Answer::Text("ééééé".into())),
        ),
        (
            &short_text,
            json!("éééééé"),
            Err("a text answer is at most 5 characters"),
        ),
        // A limit above the cap (refused at save time) still never lets more than 5000 through.
        (
            &huge_limit,
            json!("x".repeat(5001)),
            Err("a text answer is at most 5000 characters"),
        ),
    ];
    for (question_json, answer, expected) in cases {
        let result = check_answer(&question(question_json.clone()), &answer);
        match (&result, &expected) {
            (Ok(got), Ok(wanted)) => assert_eq!(got, wanted, "{question_json} {answer}"),
            (Err(error), Err(message)) => {
                assert_eq!(error.field, "answer", "{question_json} {answer}");
                assert_eq!(&error.message, message, "{question_json} {answer}");
            }
            _ => panic!("{question_json} {answer}: got {result:?}, wanted {expected:?}"),
        }
    }
}

#[test]
fn answers_travel_as_numbers_strings_and_arrays() {
    for (answer, wire) in [
        (Answer::Score(9), json!(9)),
        (Answer::Choice("a".into()), json!("a")),
        (
            Answer::Choices(vec!["a".into(), "b".into()]),
            json!(["a", "b"]),
        ),
        (Answer::Text("hi".into()), json!("hi")),
    ] {
        assert_eq!(answer.to_value(), wire);
    }
}

#[test]
fn answers_branch_to_the_right_step() {
    let flow = nps_survey();
    let text = || Answer::Text("ok".into());
    // (step index, answer, next step id or None for "completes")
    let cases: Vec<(usize, Answer, Option<&str>)> = vec![
        (0, Answer::Score(0), Some("better")),
        (0, Answer::Score(6), Some("better")),
        (0, Answer::Score(7), Some("passive")),
        (0, Answer::Score(8), Some("passive")),
        (0, Answer::Score(9), Some("love")),
        (0, Answer::Score(10), Some("love")),
        // `next` jumps over the other follow-ups.
        (1, text(), Some("thanks")),
        (2, text(), Some("thanks")),
        (3, text(), Some("thanks")),
        // The last step has nowhere to go: the flow completes.
        (4, text(), None),
    ];
    for (index, answer, expected) in cases {
        let next = next_step(&flow, index, &answer).map(|next| flow.steps[next].id.as_str());
        assert_eq!(next, expected, "step {index} answered {answer:?}");
    }
}

#[test]
fn choice_branches_and_broken_targets() {
    let flow: Flow = serde_json::from_value(json!({
        "id": "pick", "name": "Pick", "trigger": {"type": "manual"}, "survey": {},
        "steps": [
            {"id": "q", "kind": "modal", "title": "Why?", "question": {"kind": "multiple",
              "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}, {"id": "c", "label": "C"}],
              "branches": [{"when": {"choice": "a"}, "goto": "gone"},
                           {"when": {"choice": "b"}, "goto": "q"},
                           {"when": {"choice": "c"}, "goto": "end"}]}},
            {"id": "middle", "kind": "modal", "title": "M", "question": {"kind": "single",
              "options": [{"id": "x", "label": "X"}, {"id": "y", "label": "Y"}],
              "branches": [{"when": {"choice": "y"}, "goto": "end"}]}},
            {"id": "skipped", "kind": "modal", "title": "S"},
            {"id": "end", "kind": "modal", "title": "E"}
        ]
    }))
    .unwrap();
    let choices = |ids: &[&str]| Answer::Choices(ids.iter().map(|id| id.to_string()).collect());
    let cases: Vec<(usize, Answer, Option<usize>)> = vec![
        // A missing target and a backward one are ignored (both refused at save time).
        (0, choices(&["a"]), Some(1)),
        (0, choices(&["b"]), Some(1)),
        // The first branch that matches *and* leads somewhere wins.
        (0, choices(&["a", "c"]), Some(3)),
        (0, choices(&["c"]), Some(3)),
        (1, Answer::Choice("y".into()), Some(3)),
        (1, Answer::Choice("x".into()), Some(2)),
    ];
    for (index, answer, expected) in cases {
        assert_eq!(
            next_step(&flow, index, &answer),
            expected,
            "{index} {answer:?}"
        );
    }
}

#[test]
fn sampling_is_deterministic_and_proportional() {
    // The same inputs always agree, and 0 % and 100 % are exact.
    for user in ["u1", "someone@example.com", ""] {
        assert_eq!(sampled(user, "nps", 30), sampled(user, "nps", 30));
        assert!(!sampled(user, "nps", 0));
        assert!(sampled(user, "nps", 100));
    }
    // Monotone in the percentage: sampled at p means sampled at every higher p.
    for user in 0..200 {
        let id = format!("user-{user}");
        let first = (0..=100).find(|percent| sampled(&id, "nps", *percent));
        for percent in first.unwrap_or(101)..=100 {
            assert!(sampled(&id, "nps", percent), "{id} at {percent}");
        }
    }
    for (percent, low, high) in [(30, 250, 350), (50, 450, 550), (10, 60, 140)] {
        let count = (0..1000)
            .filter(|user| sampled(&format!("user-{user}"), "nps-quarterly", percent))
            .count();
        assert!(
            (low..=high).contains(&count),
            "{count} of 1000 sampled at {percent}%"
        );
    }
    // Keyed by flow: two surveys at 50 % do not pick the same half.
    let both = (0..1000)
        .filter(|user| {
            let id = format!("user-{user}");
            sampled(&id, "nps", 50) && sampled(&id, "csat", 50)
        })
        .count();
    assert!((150..=350).contains(&both), "{both} sampled for both");
}

#[test]
fn sampling_matches_a_known_hash() {
    // FNV-1a 32-bit of "a:b" (user "a", flow "b"), from the offset basis 0x811c9dc5 with the
    // prime 0x01000193, each product taken mod 2^32:
    //   0x811c9dc5 ^ 0x61 ('a') = 0x811c9da4, × prime = 0xe40c292c
    //   0xe40c292c ^ 0x3a (':') = 0xe40c2916, × prime = 0x1524ada2
    //   0x1524ada2 ^ 0x62 ('b') = 0x1524adc0, × prime = 0x08bd8540 = 146638144
    // 146638144 % 100 = 44, so "a" is in flow "b"'s sample from 45 % up and not at 44 %.
    assert!(!sampled("a", "b", 44));
    assert!(sampled("a", "b", 45));
}

#[test]
fn reask_due_boundaries() {
    let day = 86_400_000_i64;
    let asked = 1_700_000_000_000_i64;
    // (reask_days, last asked, now, due)
    let cases = [
        (None, None, asked, true),
        (Some(90), None, asked, true),
        (None, Some(asked), asked + 1000 * day, false),
        (Some(90), Some(asked), asked + 90 * day - 1, false),
        (Some(90), Some(asked), asked + 90 * day, true),
        (Some(90), Some(asked), asked + 91 * day, true),
        (Some(1), Some(asked), asked + day, true),
        (Some(1), Some(asked), asked, false),
        // A clock behind the recorded time (another device) is not due.
        (Some(1), Some(asked), asked - day, false),
    ];
    for (days, last, now, due) in cases {
        assert_eq!(reask_due(days, last, now), due, "{days:?} {last:?} {now}");
    }
}

#[test]
fn standard_wording_fills_blank_scale_questions() {
    let cases = [
        (
            json!({"kind": "nps"}),
            Some("How likely are you to recommend us to a friend or colleague?"),
        ),
        (
            json!({"kind": "ces", "task": "import a project"}),
            Some("How easy was it to import a project?"),
        ),
        (json!({"kind": "ces"}), Some("How easy was it?")),
        (json!({"kind": "csat"}), Some("How satisfied are you?")),
        (json!({"kind": "text"}), None),
    ];
    for (question_json, title) in cases {
        assert_eq!(
            standard_title(&question(question_json.clone())).as_deref(),
            title,
            "{question_json}"
        );
    }
    let mut flow = nps_survey();
    flow.steps[1].title = String::new();
    fill_standard_wording(&mut flow);
    let score = &flow.steps[0];
    assert_eq!(
        score.title,
        "How likely are you to recommend us to a friend or colleague?"
    );
    let labels = score.question.as_ref().map(|question| {
        (
            question.low_label.as_deref(),
            question.high_label.as_deref(),
        )
    });
    assert_eq!(
        labels,
        Some((Some("Not at all likely"), Some("Extremely likely")))
    );
    // Text questions are never filled (a blank one is refused at save time).
    assert_eq!(flow.steps[1].title, "");
    // `localize` fills them too, so the collector serves every flow filled.
    let mut localized = nps_survey();
    engine::i18n::localize(&mut localized, &[]);
    assert_eq!(localized.steps[0].title, score.title);
}

#[test]
fn localize_words_a_blank_scale_question_in_the_flow_or_user_language() {
    let translated = |locale: &str, title: &str| {
        let mut flow = nps_survey();
        flow.translations = serde_json::from_value(json!({
            locale: {"steps": {"score": {"title": title}}}
        }))
        .unwrap();
        flow
    };
    // (flow, the user's locales, the NPS title served, its low end)
    let cases = [
        (
            nps_survey(),
            vec!["fr-CA"],
            "Quelle est la probabilité que vous nous recommandiez à un ami ou à un collègue ?",
            "Pas du tout probable",
        ),
        (
            nps_survey(),
            vec!["ja", "de"],
            "Wie wahrscheinlich ist es, dass Sie uns einem Freund oder Kollegen empfehlen?",
            "Sehr unwahrscheinlich",
        ),
        (
            nps_survey(),
            vec!["ja"],
            "How likely are you to recommend us to a friend or colleague?",
            "Not at all likely",
        ),
        // A Spanish translation that leaves the title blank: the Spanish standard one.
        (
            translated("es", ""),
            vec!["es-MX"],
            "¿Qué probabilidad hay de que nos recomiende a un amigo o colega?",
            "Nada probable",
        ),
        // An authored title is never replaced.
        (
            translated("pt", "Recomendaria a Tasklane?"),
            vec!["pt-BR"],
            "Recomendaria a Tasklane?",
            "Nada provável",
        ),
    ];
    for (mut flow, wanted, title, low) in cases {
        let wanted: Vec<String> = wanted.into_iter().map(String::from).collect();
        engine::i18n::localize(&mut flow, &wanted);
        let score = &flow.steps[0];
        assert_eq!(score.title, title, "{wanted:?}");
        assert_eq!(
            score.question.as_ref().and_then(|q| q.low_label.as_deref()),
            Some(low),
            "{wanted:?}"
        );
    }
}
