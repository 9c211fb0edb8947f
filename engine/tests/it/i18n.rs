//! Data-driven tests of localization: the widget's own words per built-in language, the choice of
//! a flow's locale for a user, right-to-left detection, and replacing a flow's texts.

use engine::Flow;
use engine::i18n::{
    BUILT_IN_LANGUAGES, built_in_language, choose_locale, is_rtl, localize, ui_strings,
    wanted_locales,
};
use serde_json::json;

fn strings_of(locale: &str) -> Vec<String> {
    let value = serde_json::to_value(ui_strings(locale)).unwrap();
    value
        .as_object()
        .unwrap()
        .values()
        .map(|text| text.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_built_in_language_has_its_own_complete_words() {
    let english = strings_of("en");
    for language in BUILT_IN_LANGUAGES {
        let words = ui_strings(language);
        assert!(
            strings_of(language)
                .iter()
                .all(|word| !word.trim().is_empty()),
            "{language}"
        );
        for template in [&words.step_of, &words.done_of] {
            assert!(
                template.contains("{n}") && template.contains("{total}"),
                "{language}: {template}"
            );
        }
        if language != "en" {
            assert_ne!(words.next, "Next", "{language} is translated");
            // Most words differ from English (a few, like "Articles", are spelled alike).
            let same = strings_of(language)
                .iter()
                .zip(&english)
                .filter(|(word, english)| word == english)
                .count();
            assert!(same <= 3, "{language}: {same} words left in English");
        }
    }
}

fn check_ui(locale: &str, next: &str) {
    assert_eq!(ui_strings(locale).next, next, "{locale}");
}

#[test]
fn ui_strings_by_primary_language() {
    for (locale, next) in [
        ("en", "Next"),
        ("fr", "Suivant"),
        ("fr-CA", "Suivant"),
        ("DE_at", "Weiter"),
        ("es-419", "Siguiente"),
        ("pt-BR", "Próximo"),
        ("ar", "التالي"),
        ("he-IL", "הבא"),
        ("ja", "Next"),
        ("", "Next"),
    ] {
        check_ui(locale, next);
    }
}

fn check_choice(wanted: &[&str], available: &[&str], expected: Option<&str>) {
    let wanted: Vec<String> = wanted.iter().map(|tag| tag.to_string()).collect();
    let available: Vec<String> = available.iter().map(|tag| tag.to_string()).collect();
    assert_eq!(
        choose_locale(&wanted, available.iter()).map(String::as_str),
        expected,
        "{wanted:?} from {available:?}"
    );
}

#[test]
fn locale_choice() {
    for (wanted, available, expected) in [
        (&["fr-CA"][..], &["de", "fr"][..], Some("fr")),
        (&["pt-BR"], &["pt", "pt-BR"], Some("pt-BR")),
        (&["pt_br"], &["pt-BR"], Some("pt-BR")),
        (&["ja", "de"], &["de", "fr"], Some("de")),
        (&["fr"], &["fr-CA"], Some("fr-CA")),
        (&["ja"], &["de", "fr"], None),
        (&[], &["de"], None),
        (&["fr"], &[], None),
    ] {
        check_choice(wanted, available, expected);
    }
}

#[test]
fn right_to_left_and_built_in_language_and_wanted_lists() {
    for (locale, rtl) in [
        ("ar", true),
        ("ar-EG", true),
        ("he", true),
        ("fa_IR", true),
        ("en", false),
        ("fr-CA", false),
        ("", false),
    ] {
        assert_eq!(is_rtl(locale), rtl, "{locale}");
    }
    for (wanted, expected) in [
        (vec!["ja", "fr-CA"], "fr"),
        (vec!["he-IL"], "he"),
        (vec!["ja"], "en"),
        (vec![], "en"),
    ] {
        let wanted: Vec<String> = wanted.into_iter().map(String::from).collect();
        assert_eq!(built_in_language(&wanted), expected, "{wanted:?}");
    }
    for (list, expected) in [
        ("fr-CA,fr;q=0.9,en;q=0.8", vec!["fr-CA", "fr", "en"]),
        ("en;q=0.5, de", vec!["de", "en"]),
        ("en-US,en", vec!["en-US", "en"]),
        ("*, es;q=0, <script>", vec![]),
        ("", vec![]),
    ] {
        assert_eq!(wanted_locales(list), expected, "{list}");
    }
}

fn flow() -> Flow {
    serde_json::from_value(json!({
        "id": "welcome", "name": "Welcome", "trigger": {"type": "manual"},
        "steps": [
            {"id": "hello", "kind": "modal", "title": "Hello", "body": "Welcome aboard",
             "body_doc": [{"t": "text", "v": "Welcome aboard"}],
             "buttons": [{"action": "dismiss", "label": "Skip"}, {"action": "next", "label": "Next"}]},
            {"id": "bye", "kind": "modal", "title": "Bye", "buttons": [{"action": "next", "label": "Done"}]}
        ],
        "translations": {
            "fr": {"steps": {
                "hello": {"title": "Bonjour", "body": "Bienvenue", "body_doc": [{"t": "text", "v": "Bienvenue"}],
                          "buttons": ["Passer"]},
                "bye": {"title": "Au revoir", "buttons": ["Terminé"]}
            }},
            "de": {"steps": {"hello": {"title": "Hallo"}, "bye": {"title": "Tschüss"}}}
        }
    }))
    .unwrap()
}

/// Localizes the flow for `wanted`; returns step titles, bodies and button labels.
fn check_localized(wanted: &[&str], expected: serde_json::Value) {
    let mut flow = flow();
    let wanted: Vec<String> = wanted.iter().map(|tag| tag.to_string()).collect();
    localize(&mut flow, &wanted);
    assert!(
        flow.translations.is_empty(),
        "translations cleared for {wanted:?}"
    );
    let texts: Vec<serde_json::Value> = flow
        .steps
        .iter()
        .map(|step| {
            json!([
                step.title,
                step.body,
                step.body_doc.len(),
                step.buttons
                    .iter()
                    .map(|button| button.label.clone())
                    .collect::<Vec<_>>()
            ])
        })
        .collect();
    assert_eq!(json!(texts), expected, "{wanted:?}");
}

#[test]
fn localize_replaces_texts_or_keeps_the_base() {
    for (wanted, expected) in [
        (
            &["fr-CA"][..],
            json!([
                ["Bonjour", "Bienvenue", 1, ["Passer", "Next"]],
                ["Au revoir", "", 0, ["Terminé"]]
            ]),
        ),
        (
            &["de"],
            json!([
                ["Hallo", "Welcome aboard", 1, ["Skip", "Next"]],
                ["Tschüss", "", 0, ["Done"]]
            ]),
        ),
        (
            &["ja"],
            json!([
                ["Hello", "Welcome aboard", 1, ["Skip", "Next"]],
                ["Bye", "", 0, ["Done"]]
            ]),
        ),
        (
            &[],
            json!([
                ["Hello", "Welcome aboard", 1, ["Skip", "Next"]],
                ["Bye", "", 0, ["Done"]]
            ]),
        ),
    ] {
        check_localized(wanted, expected);
    }
}

#[test]
fn localize_translates_checklists() {
    let mut flow: Flow = serde_json::from_value(json!({
        "id": "onboarding", "name": "Onboarding", "trigger": {"type": "manual"},
        "checklist": {"title": "Get started", "items": [
            {"id": "a", "title": "Create", "description": "Make one", "manual": true},
            {"id": "b", "title": "Invite", "manual": true}
        ]},
        "translations": {"es": {"checklist_title": "Empieza", "items": {
            "a": {"title": "Crear", "description": "Haz uno"}, "b": {"title": "Invitar"}
        }}}
    }))
    .unwrap();
    localize(&mut flow, &["es-MX".to_string()]);
    let checklist = flow.checklist.unwrap();
    assert_eq!(checklist.title, "Empieza");
    let items: Vec<(&str, &str)> = checklist
        .items
        .iter()
        .map(|item| (item.title.as_str(), item.description.as_str()))
        .collect();
    assert_eq!(items, [("Crear", "Haz uno"), ("Invitar", "")]);
    assert!(flow.translations.is_empty());
}

/// A survey with a choice question and an NPS question that has its own high end label only.
fn survey(translations: serde_json::Value) -> Flow {
    serde_json::from_value(json!({
        "id": "why", "name": "Why", "trigger": {"type": "manual"}, "survey": {},
        "steps": [
            {"id": "pick", "kind": "modal", "title": "Why do you use us?",
             "question": {"kind": "single", "options": [
                 {"id": "speed", "label": "Speed"}, {"id": "price", "label": "Price"},
                 {"id": "docs", "label": "Docs"}]}},
            {"id": "score", "kind": "slideout", "title": "",
             "question": {"kind": "nps", "high_label": "Love it"}}
        ],
        "translations": translations
    }))
    .unwrap()
}

#[test]
fn localize_translates_question_texts() {
    let french = |pick: serde_json::Value, score: serde_json::Value| json!({"fr": {"steps": {"pick": pick, "score": score}}});
    // (translations, the user's locales, option labels served, then the NPS low and high ends)
    let cases = [
        (
            french(
                json!({"title": "Pourquoi ?", "options": ["Vitesse", "", "Documentation"]}),
                json!({"title": "", "low_label": "Jamais", "high_label": "J'adore"}),
            ),
            vec!["fr-CA"],
            ["Vitesse", "Price", "Documentation"],
            ("Jamais", "J'adore"),
        ),
        // Fewer labels and blank ends keep the base; an absent base end takes the French standard.
        (
            french(
                json!({"title": "Pourquoi ?", "options": ["Vitesse"]}),
                json!({"title": "", "low_label": " ", "high_label": ""}),
            ),
            vec!["fr"],
            ["Vitesse", "Price", "Docs"],
            ("Pas du tout probable", "Love it"),
        ),
        // No translation fits: the base labels, and the standard wording in English.
        (
            french(
                json!({"title": "Pourquoi ?", "options": ["Vitesse", "Prix", "Docs"]}),
                json!({"title": "", "low_label": "Jamais"}),
            ),
            vec!["ja"],
            ["Speed", "Price", "Docs"],
            ("Not at all likely", "Love it"),
        ),
    ];
    for (translations, wanted, options, (low, high)) in cases {
        let mut flow = survey(translations);
        let wanted: Vec<String> = wanted.into_iter().map(String::from).collect();
        localize(&mut flow, &wanted);
        let question = |index: usize| flow.steps[index].question.as_ref().unwrap();
        let labels: Vec<&str> = question(0)
            .options
            .iter()
            .map(|option| option.label.as_str())
            .collect();
        assert_eq!(labels, options, "{wanted:?}");
        assert_eq!(
            (
                question(1).low_label.as_deref(),
                question(1).high_label.as_deref()
            ),
            (Some(low), Some(high)),
            "{wanted:?}"
        );
        assert!(flow.translations.is_empty());
    }
}

#[test]
fn question_texts_round_trip_and_stay_out_when_absent() {
    let text: engine::i18n::StepText = serde_json::from_value(json!({
        "title": "Pourquoi ?", "options": ["Vitesse"], "low_label": "Jamais"
    }))
    .unwrap();
    assert_eq!(text.options, ["Vitesse"]);
    assert_eq!(
        serde_json::to_value(&text).unwrap(),
        json!({"title": "Pourquoi ?", "body": "", "options": ["Vitesse"], "low_label": "Jamais"})
    );
    let bare: engine::i18n::StepText = serde_json::from_value(json!({"title": "Merci"})).unwrap();
    assert_eq!(
        serde_json::to_value(&bare).unwrap(),
        json!({"title": "Merci", "body": ""})
    );
    let unknown = serde_json::from_value::<engine::i18n::StepText>(json!({
        "title": "Merci", "choices": ["Un"]
    }));
    assert!(unknown.is_err(), "deny_unknown_fields");
}
