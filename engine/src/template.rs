//! Personalisation: `{{first_name|there}}` in titles and body text is filled from the user's
//! traits, falling back to the text after `|` (or nothing) when the trait is missing.

use serde_json::{Map, Value};

/// Replaces every `{{ key | fallback }}` in `text` with the trait's value or the fallback.
/// Dotted keys (`company.name`) reach into nested objects. Unclosed braces stay as written.
pub fn render(text: &str, traits: &Map<String, Value>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open + 2..].find("}}") else {
            break;
        };
        out.push_str(&rest[..open]);
        let inner = &rest[open + 2..open + 2 + close];
        let (key, fallback) = match inner.split_once('|') {
            Some((key, fallback)) => (key.trim(), fallback.trim()),
            None => (inner.trim(), ""),
        };
        match lookup(traits, key) {
            Some(value) => out.push_str(&value),
            None => out.push_str(fallback),
        }
        rest = &rest[open + 2 + close + 2..];
    }
    out.push_str(rest);
    out
}

fn lookup(traits: &Map<String, Value>, key: &str) -> Option<String> {
    let mut parts = key.split('.');
    let mut current = traits.get(parts.next()?)?;
    for part in parts {
        current = current.as_object()?.get(part)?;
    }
    match current {
        Value::String(text) if !text.trim().is_empty() => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// The trait keys a text refers to, for validation and the admin's preview.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open + 2..].find("}}") else {
            break;
        };
        let inner = &rest[open + 2..open + 2 + close];
        keys.push(inner.split('|').next().unwrap_or("").trim().to_string());
        rest = &rest[open + 2 + close + 2..];
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::render;
    use serde_json::json;

    fn check(text: &str, traits: serde_json::Value, expected: &str) {
        let traits = traits.as_object().cloned().unwrap_or_default();
        assert_eq!(render(text, &traits), expected, "{text}");
    }

    #[test]
    fn templates() {
        for (text, traits, expected) in [
            (
                "Hi {{first_name|there}}!",
                json!({"first_name": "Ada"}),
                "Hi Ada!",
            ),
            ("Hi {{first_name|there}}!", json!({}), "Hi there!"),
            (
                "Hi {{ first_name | there }}!",
                json!({"first_name": ""}),
                "Hi there!",
            ),
            ("Hi {{first_name}}!", json!({}), "Hi !"),
            (
                "{{company.name|your team}}",
                json!({"company": {"name": "Acme"}}),
                "Acme",
            ),
            ("{{seats}} seats", json!({"seats": 5}), "5 seats"),
            ("Unclosed {{name", json!({"name": "x"}), "Unclosed {{name"),
            (
                "<b>{{name}}</b>",
                json!({"name": "<script>"}),
                "<b><script></b>",
            ),
        ] {
            check(text, traits, expected);
        }
    }
}
