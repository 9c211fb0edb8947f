//! Which languages a user wants (a `locale` trait, then the widget's `navigator.languages`, then
//! `Accept-Language`) and the widget settings resolved for them: the best built-in language for
//! the widget's own words, and whether the page reads right to left.

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;
use engine::Flow;
use engine::i18n::{
    BUILT_IN_LANGUAGES, built_in_language, choose_locale, is_rtl, ui_strings,
    wanted_locales as engine_wanted_locales,
};
use engine::settings::{AppSettings, ClientSettings};
use serde_json::{Map, Value};

/// Longest list of wanted locales kept; browsers send a handful.
const MAX_WANTED: usize = 16;

/// The user's locales, most preferred first, without repeats (compared case-insensitively).
pub fn wanted_locales(
    traits: &Map<String, Value>,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Vec<String> {
    let from_trait = traits
        .get("locale")
        .and_then(Value::as_str)
        .map(engine_wanted_locales)
        .unwrap_or_default();
    let from_header = headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .map(engine_wanted_locales)
        .unwrap_or_default();
    let from_query = engine_wanted_locales(query.unwrap_or_default());
    let mut wanted: Vec<String> = Vec::new();
    for tag in from_trait.into_iter().chain(from_query).chain(from_header) {
        if !tag.is_empty()
            && tag.starts_with(|first: char| first.is_ascii_alphabetic())
            && !wanted.iter().any(|known| known.eq_ignore_ascii_case(&tag))
            && wanted.len() < MAX_WANTED
        {
            wanted.push(tag);
        }
    }
    wanted
}

/// The app settings as the widget needs them for this user. `flows` are the (not yet localized)
/// flows the user gets: a language one of them is translated into counts as served.
pub fn client_settings(
    settings: &AppSettings,
    wanted: &[String],
    flows: &[Flow],
) -> ClientSettings {
    let built_in: Vec<String> = BUILT_IN_LANGUAGES
        .iter()
        .map(|tag| tag.to_string())
        .collect();
    let locale = built_in_language(wanted).to_string();
    // The direction follows the first wanted language the user actually gets something in (the
    // widget's words or a flow's texts), so an Arabic reader gets a right-to-left widget, and a
    // Persian reader with only English content does not.
    let served = wanted.iter().find(|tag| {
        let one = std::slice::from_ref(*tag);
        choose_locale(one, built_in.iter()).is_some()
            || flows
                .iter()
                .any(|flow| choose_locale(one, flow.translations.keys()).is_some())
    });
    let rtl = is_rtl(served.unwrap_or(&locale));
    ClientSettings {
        theme: settings.theme.clone(),
        fatigue: settings.fatigue,
        resource_center: settings.resource_center.clone(),
        strings: ui_strings(&locale),
        locale,
        rtl,
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderMap;
    use axum::http::header::ACCEPT_LANGUAGE;
    use engine::settings::AppSettings;
    use serde_json::{Map, Value};

    use super::{client_settings, wanted_locales};

    fn check(
        trait_locale: Option<&str>,
        query: Option<&str>,
        header: Option<&str>,
        expected: &[&str],
    ) {
        let mut traits = Map::new();
        if let Some(locale) = trait_locale {
            traits.insert("locale".into(), Value::from(locale));
        }
        let mut headers = HeaderMap::new();
        if let Some(header) = header {
            headers.insert(ACCEPT_LANGUAGE, header.parse().unwrap());
        }
        assert_eq!(
            wanted_locales(&traits, query, &headers),
            expected,
            "{trait_locale:?} {query:?} {header:?}"
        );
    }

    #[test]
    fn wanted_locales_cases() {
        check(None, None, None, &[]);
        check(
            Some("fr"),
            Some("de-DE,en"),
            Some("es;q=0.5,pt"),
            &["fr", "de-DE", "en", "pt", "es"],
        );
        check(
            None,
            Some(" EN , en-US,,"),
            Some("*, en;q=0.1"),
            &["EN", "en-US"],
        );
        check(None, None, Some("de;q=0, it"), &["it"]);
        check(None, Some("<script>,fr"), None, &["fr"]);
    }

    #[test]
    fn client_settings_pick_language_and_direction() {
        let settings = AppSettings::default();
        let cases = [
            (vec!["fr-CA"], "fr", false),
            (vec!["ar-EG", "en"], "ar", true),
            (vec!["fa", "en"], "en", false),
            (vec!["xx"], "en", false),
            (vec![], "en", false),
        ];
        for (wanted, locale, rtl) in cases {
            let wanted: Vec<String> = wanted.into_iter().map(String::from).collect();
            let resolved = client_settings(&settings, &wanted, &[]);
            assert_eq!(
                (resolved.locale.as_str(), resolved.rtl),
                (locale, rtl),
                "{wanted:?}"
            );
        }
    }
}
