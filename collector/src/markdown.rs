//! Compiles a step's Markdown body into `engine::doc::Node`s when a flow is saved, so the widget
//! never parses Markdown nor touches `innerHTML`. Only the tags in `engine::doc::Tag` survive;
//! raw HTML stays visible as plain text and unsafe links lose their `href`.

use engine::doc::{Node, Tag, is_safe_href};
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag as MdTag};

/// What happens to a Markdown element's contents when it closes.
enum Frame {
    Element {
        tag: Tag,
        href: Option<String>,
    },
    /// A code block: `pre > code`.
    CodeBlock,
    /// Not allowed: the contents join the parent as if the element were not there.
    Unwrap,
}

pub fn compile(markdown: &str) -> Vec<Node> {
    let mut stack: Vec<(Frame, Vec<Node>)> = Vec::new();
    let mut root: Vec<Node> = Vec::new();

    for event in Parser::new_ext(markdown, Options::empty()) {
        match event {
            Event::Start(tag) => stack.push((frame_for(tag), Vec::new())),
            Event::End(_) => {
                let Some((frame, children)) = stack.pop() else {
                    continue;
                };
                let parent = current(&mut stack, &mut root);
                match frame {
                    Frame::Element { tag, href } => parent.push(Node::El {
                        tag,
                        children,
                        href,
                    }),
                    Frame::CodeBlock => {
                        parent.push(element(Tag::Pre, vec![element(Tag::Code, children)]))
                    }
                    Frame::Unwrap => children.into_iter().for_each(|child| push(parent, child)),
                }
            }
            Event::Text(text) | Event::Html(text) | Event::InlineHtml(text) => {
                push_text(current(&mut stack, &mut root), &text);
            }
            Event::Code(code) => {
                current(&mut stack, &mut root).push(element(
                    Tag::Code,
                    vec![Node::Text {
                        v: code.to_string(),
                    }],
                ));
            }
            Event::SoftBreak => push_text(current(&mut stack, &mut root), " "),
            Event::HardBreak => current(&mut stack, &mut root).push(Node::Break),
            _ => {}
        }
    }
    root
}

/// The children of the innermost open element.
fn current<'a>(stack: &'a mut [(Frame, Vec<Node>)], root: &'a mut Vec<Node>) -> &'a mut Vec<Node> {
    stack.last_mut().map_or(root, |(_, children)| children)
}

fn frame_for(tag: MdTag<'_>) -> Frame {
    let tag = match tag {
        MdTag::Paragraph | MdTag::HtmlBlock => Tag::P,
        MdTag::Heading {
            level: HeadingLevel::H1 | HeadingLevel::H2 | HeadingLevel::H3,
            ..
        } => Tag::H3,
        MdTag::Heading { .. } => Tag::H4,
        MdTag::BlockQuote(_) => Tag::Blockquote,
        MdTag::CodeBlock(_) => return Frame::CodeBlock,
        MdTag::List(Some(_)) => Tag::Ol,
        MdTag::List(None) => Tag::Ul,
        MdTag::Item => Tag::Li,
        MdTag::Emphasis => Tag::Em,
        MdTag::Strong => Tag::Strong,
        MdTag::Link { dest_url, .. } if is_safe_href(&dest_url) => {
            return Frame::Element {
                tag: Tag::A,
                href: Some(dest_url.to_string()),
            };
        }
        _ => return Frame::Unwrap,
    };
    Frame::Element { tag, href: None }
}

fn element(tag: Tag, children: Vec<Node>) -> Node {
    Node::El {
        tag,
        children,
        href: None,
    }
}

fn push(nodes: &mut Vec<Node>, node: Node) {
    match node {
        Node::Text { v } => push_text(nodes, &v),
        node => nodes.push(node),
    }
}

/// Appends text, merging with a preceding text node so placeholders stay in one piece.
fn push_text(nodes: &mut Vec<Node>, text: &str) {
    if let Some(Node::Text { v }) = nodes.last_mut() {
        v.push_str(text);
    } else {
        nodes.push(Node::Text {
            v: text.to_string(),
        });
    }
}

#[cfg(test)]
mod tests {
    use engine::doc::Node;
    use serde_json::{Value, json};

    use super::compile;

    fn check(markdown: &str, expected: Value) {
        let nodes = compile(markdown);
        let expected: Vec<Node> = serde_json::from_value(expected).unwrap();
        assert_eq!(nodes, expected, "{markdown}");
    }

    #[test]
    fn markdown_cases() {
        let cases = [
            (
                "Hello **{{first_name|there}}**",
                json!([{"t": "el", "tag": "p", "children": [
                {"t": "text", "v": "Hello "},
                {"t": "el", "tag": "strong", "children": [{"t": "text", "v": "{{first_name|there}}"}]}]}]),
            ),
            (
                "[docs](https://example.com) and [bad](javascript:alert(1))",
                json!([{"t": "el", "tag": "p", "children": [
                {"t": "el", "tag": "a", "href": "https://example.com", "children": [{"t": "text", "v": "docs"}]},
                {"t": "text", "v": " and bad"}]}]),
            ),
            (
                "a <b onclick=\"x()\">b</b>",
                json!([{"t": "el", "tag": "p", "children": [
                {"t": "text", "v": "a <b onclick=\"x()\">b</b>"}]}]),
            ),
            (
                "<script>alert(1)</script>",
                json!([{"t": "el", "tag": "p", "children": [
                {"t": "text", "v": "<script>alert(1)</script>"}]}]),
            ),
            (
                "- one\n- *two*",
                json!([{"t": "el", "tag": "ul", "children": [
                {"t": "el", "tag": "li", "children": [{"t": "text", "v": "one"}]},
                {"t": "el", "tag": "li", "children": [{"t": "el", "tag": "em", "children": [{"t": "text", "v": "two"}]}]}]}]),
            ),
            (
                "# Title\n\n`x`  \nline",
                json!([
                {"t": "el", "tag": "h3", "children": [{"t": "text", "v": "Title"}]},
                {"t": "el", "tag": "p", "children": [
                    {"t": "el", "tag": "code", "children": [{"t": "text", "v": "x"}]}, {"t": "break"}, {"t": "text", "v": "line"}]}]),
            ),
            (
                "```\nlet x;\n```",
                json!([{"t": "el", "tag": "pre", "children": [
                {"t": "el", "tag": "code", "children": [{"t": "text", "v": "let x;\n"}]}]}]),
            ),
            (
                "![alt](https://x/y.png)",
                json!([{"t": "el", "tag": "p", "children": [{"t": "text", "v": "alt"}]}]),
            ),
            ("", json!([])),
        ];
        for (markdown, expected) in cases {
            check(markdown, expected);
        }
    }
}
