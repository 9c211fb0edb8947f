//! Pages served by both origins: filling the snippet placeholders, hashing inline scripts for
//! the Content-Security-Policy, and answering embedded static files with the right headers.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Placeholder in HTML templates replaced by the collector URL as a JS string literal.
pub const HOST_PLACEHOLDER: &str = "\"__WAYMARK_HOST__\"";
/// Placeholder in HTML templates replaced by the write key as a JS string literal.
pub const WRITE_KEY_PLACEHOLDER: &str = "\"__WAYMARK_WRITE_KEY__\"";

/// An HTML page rendered once at start-up, with the policy that lets exactly its inline script run.
#[derive(Clone, Debug)]
pub struct Page {
    pub html: String,
    pub csp: String,
}

impl Page {
    /// Fills the snippet placeholders of `template` and builds the page's CSP.
    pub fn with_snippet(
        template: &str,
        collector_url: &str,
        write_key: &str,
        collector_origin: &str,
    ) -> Self {
        let html = template
            .replace(HOST_PLACEHOLDER, &js_string(collector_url))
            .replace(WRITE_KEY_PLACEHOLDER, &js_string(write_key));
        let hashes = inline_script_hashes(&html);
        let csp = content_security_policy(collector_origin, &hashes);
        Self { html, csp }
    }

    /// The page as a response, never cached so a restart with other flags takes effect.
    pub fn response(&self) -> Response {
        html_response(StatusCode::OK, self.html.clone(), &self.csp)
    }
}

/// An HTML response with the security headers both origins use.
pub fn html_response(status: StatusCode, html: String, csp: &str) -> Response {
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(value) = HeaderValue::from_str(csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    response
}

/// A strict policy: scripts only from this origin, the collector and the hashed inline snippet;
/// WebAssembly allowed; no inline styles.
pub fn content_security_policy(collector_origin: &str, script_hashes: &[String]) -> String {
    let hashes: String = script_hashes
        .iter()
        .map(|hash| format!(" '{hash}'"))
        .collect();
    format!(
        "default-src 'self'; \
         script-src 'self' {collector_origin} 'wasm-unsafe-eval'{hashes}; \
         connect-src 'self' {collector_origin}; \
         style-src 'self' {collector_origin}; \
         img-src 'self' data: {collector_origin}; \
         font-src 'self'; \
         object-src 'none'; \
         base-uri 'self'; \
         form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// `sha256-…` sources for every inline `<script>` (one without attributes) in `html`.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script>") {
        let after = &rest[start + "<script>".len()..];
        let Some(end) = after.find("</script>") else {
            break;
        };
        let digest = Sha256::digest(&after.as_bytes()[..end]);
        hashes.push(format!(
            "sha256-{}",
            base64::engine::general_purpose::STANDARD.encode(digest)
        ));
        rest = &after[end..];
    }
    hashes
}

/// A JS string literal that is also safe inside an HTML `<script>` element.
pub fn js_string(value: &str) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "\"\"".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn html_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for ch in value.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// An embedded static file (CSS, JS, SVG) with its content type.
pub fn asset(content_type: &'static str, body: &'static [u8]) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// The origin (`scheme://host[:port]`) of a URL, for CSP sources.
pub fn origin_of(url: &str) -> anyhow::Result<String> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|error| anyhow::anyhow!("invalid collector URL {url:?}: {error}"))?;
    let origin = parsed.origin();
    if !origin.is_tuple() {
        anyhow::bail!("collector URL {url:?} has no origin");
    }
    Ok(origin.ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_each_inline_script_only() {
        let html = "<script src=\"/a.js\"></script><script>alert(1)</script><p></p>";
        let hashes = inline_script_hashes(html);
        assert_eq!(
            hashes,
            vec!["sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI=".to_string()]
        );
    }

    #[test]
    fn js_strings_cannot_close_the_script() {
        assert_eq!(js_string("</script>"), "\"\\u003c/script\\u003e\"");
    }

    #[test]
    fn origins_drop_paths() {
        assert_eq!(
            origin_of("http://127.0.0.1:8787/").unwrap(),
            "http://127.0.0.1:8787"
        );
        assert_eq!(
            origin_of("https://waymark.example.com/base").unwrap(),
            "https://waymark.example.com"
        );
        assert!(origin_of("not a url").is_err());
    }
}
