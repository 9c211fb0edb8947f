//! Localization: per-locale texts for a flow, the choice of locale (a `locale` trait, else the
//! browser's languages, else the base texts), and the widget's own words in each built-in
//! language. The collector resolves all of it at boot, so the widget receives one language.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::doc::Node;

/// A flow's texts in one locale. Every step (and checklist item) must be covered.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Translation {
    /// By step id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub steps: BTreeMap<String, StepText>,
    /// The checklist's title in this locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checklist_title: Option<String>,
    /// By checklist item id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub items: BTreeMap<String, ItemText>,
}

/// One step's texts in one locale.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct StepText {
    pub title: String,
    #[serde(default)]
    pub body: String,
    /// Compiled by the collector at save time, like `Step::body_doc`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub body_doc: Vec<Node>,
    /// Button labels in the same order as the step's buttons; missing ones keep the base label.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buttons: Vec<String>,
    /// Choice questions: option labels in the same order as the question's options; missing or
    /// blank ones keep the base label.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// Scale questions: the words under the lowest value; blank keeps the base (or the standard
    /// wording in this translation's language when the base has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_label: Option<String>,
    /// Scale questions: the words under the highest value; blank keeps the base, like `low_label`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high_label: Option<String>,
}

/// One checklist item's texts in one locale.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ItemText {
    pub title: String,
    #[serde(default)]
    pub description: String,
}

/// Defines [`UiStrings`] and everything that lists its words, from one list: the struct, building
/// it from a language's table, and reading each word by its key.
macro_rules! ui_words {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        /// The widget's own words. `{n}` and `{total}` are replaced in `step_of` and `done_of`.
        #[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
        pub struct UiStrings {
            $($(#[$doc])* pub $name: String,)*
        }

        impl UiStrings {
            /// Every word with its key, to be overwritten in place (the widget's settings reader).
            pub fn words_mut(&mut self) -> Vec<(&'static str, &mut String)> {
                vec![$((stringify!($name), &mut self.$name),)*]
            }
        }

        fn from_words(words: Words) -> UiStrings {
            let [$($name,)*] = words.map(str::to_string);
            UiStrings { $($name,)* }
        }
    };
}

ui_words! {
    next,
    back,
    skip,
    close,
    done,
    /// "{n} of {total}" (steps).
    step_of,
    /// "{n} of {total} done" (checklist items).
    done_of,
    show_me_how,
    help,
    search,
    send_feedback,
    checklists,
    guides,
    articles,
    locked,
    mark_done,
    badge_earned,
    open_hint,
    /// The feedback form's category question.
    feedback_kind,
    feedback_bug,
    feedback_idea,
    feedback_question,
    feedback_other,
    feedback_text,
    /// The feedback form's checkbox that sends the page's address along.
    feedback_include_page,
    send,
    cancel,
    feedback_thanks,
}

/// Right-to-left scripts, by primary language subtag.
const RTL_LANGUAGES: [&str; 6] = ["ar", "he", "fa", "ur", "ps", "yi"];

/// Whether a locale is written right to left.
pub fn is_rtl(locale: &str) -> bool {
    let language = primary(locale);
    RTL_LANGUAGES.contains(&language.as_str())
}

fn primary(locale: &str) -> String {
    locale
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Picks from `available` the best locale for the user's `wanted` list (most preferred first):
/// an exact match (case-insensitive, `_` as `-`), else the same primary language. `None` means
/// use the base texts.
pub fn choose_locale<'a>(
    wanted: &[String],
    available: impl Iterator<Item = &'a String> + Clone,
) -> Option<&'a String> {
    let normal = |tag: &str| tag.replace('_', "-").to_ascii_lowercase();
    for want in wanted {
        if let Some(found) = available
            .clone()
            .find(|candidate| normal(candidate) == normal(want))
        {
            return Some(found);
        }
        if let Some(found) = available
            .clone()
            .find(|candidate| primary(candidate) == primary(want))
        {
            return Some(found);
        }
    }
    None
}

/// The built-in languages of the widget's own words.
pub const BUILT_IN_LANGUAGES: [&str; 7] = ["en", "fr", "de", "es", "pt", "ar", "he"];

/// The widget's words for `locale` (by primary language), English when it is not built in.
pub fn ui_strings(locale: &str) -> UiStrings {
    let words = match primary(locale).as_str() {
        "fr" => FRENCH,
        "de" => GERMAN,
        "es" => SPANISH,
        "pt" => PORTUGUESE,
        "ar" => ARABIC,
        "he" => HEBREW,
        _ => ENGLISH,
    };
    from_words(words)
}

/// The English words: the defaults, without linking the other languages' tables (the widget
/// gets its words resolved by the collector, so only this one needs to be in its wasm).
pub fn english() -> UiStrings {
    from_words(ENGLISH)
}

/// One built-in language's words, in the order of the [`UiStrings`] fields. Plain arrays keep
/// the tables compact in the wasm widget (no map, no parsing).
type Words = [&'static str; 28];

const ENGLISH: Words = [
    "Next",
    "Back",
    "Skip",
    "Close",
    "Done",
    "{n} of {total}",
    "{n} of {total} done",
    "Show me how",
    "Help",
    "Search",
    "Send feedback",
    "Checklists",
    "Guides",
    "Articles",
    "Locked",
    "Mark as done",
    "Badge earned",
    "Open tip",
    "What is it about?",
    "Bug",
    "Idea",
    "Question",
    "Other",
    "Your feedback",
    "Include this page's address",
    "Send",
    "Cancel",
    "Thanks for your feedback!",
];

const FRENCH: Words = [
    "Suivant",
    "Retour",
    "Passer",
    "Fermer",
    "Terminé",
    "{n} sur {total}",
    "{n} sur {total} terminées",
    "Montrez-moi comment",
    "Aide",
    "Rechercher",
    "Envoyer un commentaire",
    "Listes de tâches",
    "Guides",
    "Articles",
    "Verrouillé",
    "Marquer comme terminé",
    "Badge obtenu",
    "Ouvrir l’astuce",
    "De quoi s'agit-il ?",
    "Anomalie",
    "Idée",
    "Une question",
    "Autre",
    "Votre avis",
    "Inclure l'adresse de cette page",
    "Envoyer",
    "Annuler",
    "Merci pour votre avis !",
];

const GERMAN: Words = [
    "Weiter",
    "Zurück",
    "Überspringen",
    "Schließen",
    "Fertig",
    "{n} von {total}",
    "{n} von {total} erledigt",
    "Zeig mir, wie",
    "Hilfe",
    "Suchen",
    "Feedback senden",
    "Checklisten",
    "Anleitungen",
    "Artikel",
    "Gesperrt",
    "Als erledigt markieren",
    "Abzeichen erhalten",
    "Tipp öffnen",
    "Worum geht es?",
    "Fehler",
    "Idee",
    "Frage",
    "Sonstiges",
    "Ihr Feedback",
    "Adresse dieser Seite mitsenden",
    "Senden",
    "Abbrechen",
    "Danke für Ihr Feedback!",
];

const SPANISH: Words = [
    "Siguiente",
    "Atrás",
    "Omitir",
    "Cerrar",
    "Listo",
    "{n} de {total}",
    "{n} de {total} completadas",
    "Muéstrame cómo",
    "Ayuda",
    "Buscar",
    "Enviar comentarios",
    "Listas de tareas",
    "Guías",
    "Artículos",
    "Bloqueado",
    "Marcar como hecho",
    "Insignia obtenida",
    "Abrir consejo",
    "¿De qué se trata?",
    "Error",
    "Idea",
    "Pregunta",
    "Otro",
    "Tus comentarios",
    "Incluir la dirección de esta página",
    "Enviar",
    "Cancelar",
    "¡Gracias por tus comentarios!",
];

const PORTUGUESE: Words = [
    "Próximo",
    "Voltar",
    "Pular",
    "Fechar",
    "Concluído",
    "{n} de {total}",
    "{n} de {total} concluídas",
    "Mostre-me como",
    "Ajuda",
    "Pesquisar",
    "Enviar feedback",
    "Listas de tarefas",
    "Guias",
    "Artigos",
    "Bloqueado",
    "Marcar como concluído",
    "Selo conquistado",
    "Abrir dica",
    "Sobre o que é?",
    "Erro",
    "Ideia",
    "Pergunta",
    "Outro",
    "O seu feedback",
    "Incluir o endereço desta página",
    "Enviar",
    "Cancelar",
    "Obrigado pelo seu feedback!",
];

const ARABIC: Words = [
    "التالي",
    "السابق",
    "تخطٍّ",
    "إغلاق",
    "تم",
    "{n} من {total}",
    "تم إنجاز {n} من {total}",
    "أرني كيف",
    "مساعدة",
    "بحث",
    "إرسال ملاحظات",
    "قوائم المهام",
    "الأدلة",
    "المقالات",
    "مقفل",
    "تحديد كمكتمل",
    "حصلت على شارة",
    "فتح التلميح",
    "ما موضوع ملاحظتك؟",
    "خطأ",
    "فكرة",
    "سؤال",
    "أخرى",
    "ملاحظاتك",
    "تضمين عنوان هذه الصفحة",
    "إرسال",
    "إلغاء",
    "شكرًا على ملاحظاتك!",
];

const HEBREW: Words = [
    "הבא",
    "הקודם",
    "דילוג",
    "סגירה",
    "סיום",
    "{n} מתוך {total}",
    "{n} מתוך {total} הושלמו",
    "הראו לי איך",
    "עזרה",
    "חיפוש",
    "שליחת משוב",
    "רשימות משימות",
    "מדריכים",
    "מאמרים",
    "נעול",
    "סימון כבוצע",
    "התקבל תג",
    "פתיחת טיפ",
    "במה מדובר?",
    "תקלה",
    "רעיון",
    "שאלה",
    "אחר",
    "המשוב שלך",
    "לכלול את כתובת הדף הזה",
    "שליחה",
    "ביטול",
    "תודה על המשוב!",
];

/// The built-in language for the widget's own words: the primary language of the first wanted
/// locale that is built in, else `en`. This is `ClientSettings::locale`.
pub fn built_in_language(wanted: &[String]) -> &'static str {
    wanted
        .iter()
        .find_map(|locale| {
            let language = primary(locale);
            BUILT_IN_LANGUAGES
                .iter()
                .find(|built_in| **built_in == language)
        })
        .copied()
        .unwrap_or("en")
}

/// The user's locales, most preferred first, from an `Accept-Language` header
/// (`fr-CA,fr;q=0.9,en;q=0.5`) or the widget's `navigator.languages.join(",")`. Entries with
/// `q=0`, `*` and empty ones are dropped; equal weights keep their order.
pub fn wanted_locales(list: &str) -> Vec<String> {
    let mut weighted: Vec<(String, f32)> = list
        .split(',')
        .filter_map(|entry| {
            let mut parts = entry.split(';');
            let tag = parts.next()?.trim();
            let weight = parts
                .find_map(|part| part.trim().strip_prefix("q="))
                .map_or(Some(1.0), |weight| weight.trim().parse::<f32>().ok())?;
            let valid = !tag.is_empty()
                && tag != "*"
                && tag.len() <= 35
                && tag
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
            (valid && weight > 0.0).then(|| (tag.to_string(), weight))
        })
        .collect();
    // A stable sort keeps the given order among equal weights.
    weighted.sort_by(|left, right| right.1.total_cmp(&left.1));
    weighted.into_iter().map(|(tag, _)| tag).collect()
}

/// Replaces the flow's texts with the best translation for `wanted` (most preferred first) and
/// clears `translations`, so the widget receives one language. The base texts stay when none fits,
/// and so does any text a translation leaves empty (a missing button or option label, say). Blank scale
/// question titles and absent end labels then get the standard wording
/// (`survey::fill_standard_wording_in`), so every served flow has them: in the chosen
/// translation's language, or else in the user's, when it is built in (English otherwise).
pub fn localize(flow: &mut crate::Flow, wanted: &[String]) {
    let language = match apply_translation(flow, wanted) {
        Some(chosen) => built_in_language(&[chosen]),
        None => built_in_language(wanted),
    };
    crate::survey::fill_standard_wording_in(flow, language);
}

/// The translation part of [`localize`]; returns the locale chosen, if any.
fn apply_translation(flow: &mut crate::Flow, wanted: &[String]) -> Option<String> {
    let translations = std::mem::take(&mut flow.translations);
    let chosen = choose_locale(wanted, translations.keys())?;
    let translation = translations.get(chosen)?;
    for step in &mut flow.steps {
        let Some(text) = translation.steps.get(&step.id) else {
            continue;
        };
        if !text.title.trim().is_empty() {
            step.title.clone_from(&text.title);
        }
        if !text.body.trim().is_empty() || !text.body_doc.is_empty() {
            // The compiled body goes with its source, so the two never disagree in language.
            step.body.clone_from(&text.body);
            step.body_doc.clone_from(&text.body_doc);
        }
        for (button, label) in step.buttons.iter_mut().zip(&text.buttons) {
            if !label.trim().is_empty() {
                button.label.clone_from(label);
            }
        }
        if let Some(question) = &mut step.question {
            for (option, label) in question.options.iter_mut().zip(&text.options) {
                if !label.trim().is_empty() {
                    option.label.clone_from(label);
                }
            }
            for (base, label) in [
                (&mut question.low_label, &text.low_label),
                (&mut question.high_label, &text.high_label),
            ] {
                if let Some(label) = label.as_ref().filter(|label| !label.trim().is_empty()) {
                    *base = Some(label.clone());
                }
            }
        }
    }
    if let Some(checklist) = &mut flow.checklist {
        if let Some(title) = translation
            .checklist_title
            .as_ref()
            .filter(|title| !title.trim().is_empty())
        {
            checklist.title.clone_from(title);
        }
        for item in &mut checklist.items {
            let Some(text) = translation.items.get(&item.id) else {
                continue;
            };
            if !text.title.trim().is_empty() {
                item.title.clone_from(&text.title);
            }
            if !text.description.trim().is_empty() {
                item.description.clone_from(&text.description);
            }
        }
    }
    Some(chosen.clone())
}
