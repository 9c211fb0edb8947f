//! A small, closed tree of safe rich-text nodes. The collector compiles an author's Markdown
//! into it when a flow is saved; the widget turns it into DOM nodes one by one, so no author
//! HTML or script ever reaches `innerHTML`.

use serde::{Deserialize, Serialize};

/// One node of rendered step text.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Node {
    /// Plain text; may contain `{{trait|fallback}}` placeholders filled in at display time.
    Text { v: String },
    /// A hard line break.
    Break,
    /// An element from the allowed set, with children.
    El {
        tag: Tag,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        children: Vec<Node>,
        /// Only on links, and only `http(s):`, `mailto:` or relative URLs.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        href: Option<String>,
    },
}

/// The only elements a step body can contain.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Tag {
    P,
    Strong,
    Em,
    Code,
    Pre,
    A,
    Ul,
    Ol,
    Li,
    Blockquote,
    H3,
    H4,
}

impl Tag {
    /// The HTML element name the widget creates for this tag.
    pub fn element_name(self) -> &'static str {
        match self {
            Tag::P => "p",
            Tag::Strong => "strong",
            Tag::Em => "em",
            Tag::Code => "code",
            Tag::Pre => "pre",
            Tag::A => "a",
            Tag::Ul => "ul",
            Tag::Ol => "ol",
            Tag::Li => "li",
            Tag::Blockquote => "blockquote",
            Tag::H3 => "h3",
            Tag::H4 => "h4",
        }
    }
}

/// Whether a link target is safe to put in an `href`: no `javascript:`, `data:` or other schemes.
pub fn is_safe_href(href: &str) -> bool {
    let lowered = href.trim().to_ascii_lowercase();
    match lowered.find(':') {
        None => true,
        Some(colon) => {
            // A colon after a path, query or fragment separator is not a scheme.
            let before = &lowered[..colon];
            if before.contains(['/', '?', '#']) {
                return true;
            }
            matches!(before, "http" | "https" | "mailto")
        }
    }
}

/// The concatenated text of nodes, used for accessible descriptions and search.
pub fn plain_text(nodes: &[Node]) -> String {
    let mut out = String::new();
    for node in nodes {
        match node {
            Node::Text { v } => out.push_str(v),
            Node::Break => out.push(' '),
            Node::El { children, .. } => {
                out.push_str(&plain_text(children));
                out.push(' ');
            }
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::is_safe_href;

    fn check(href: &str, safe: bool) {
        assert_eq!(is_safe_href(href), safe, "{href}");
    }

    #[test]
    fn href_schemes() {
        for (href, safe) in [
            ("https://example.com", true),
            ("http://x", true),
            ("mailto:a@b.c", true),
            ("/settings", true),
            ("settings?a=b:c", true),
            ("javascript:alert(1)", false),
            (" JavaScript:alert(1)", false),
            ("data:text/html,x", false),
            ("vbscript:x", false),
        ] {
            check(href, safe);
        }
    }
}
