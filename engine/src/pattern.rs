//! URL patterns for triggers, step pages and advance rules: a path with `*` wildcards,
//! matched against the path (and query, when the pattern has one) of the current URL.

/// Whether `url` (absolute or a path) matches `pattern`, where `*` matches any run of characters.
/// A pattern without a query ignores the URL's query and fragment.
pub fn url_matches(pattern: &str, url: &str) -> bool {
    let path_and_query = strip_origin(url);
    let candidate = if pattern.contains('?') {
        path_and_query.split('#').next().unwrap_or("")
    } else {
        path_and_query.split(['?', '#']).next().unwrap_or("")
    };
    let candidate = if candidate.is_empty() { "/" } else { candidate };
    glob(pattern.trim(), candidate)
}

fn strip_origin(url: &str) -> &str {
    match url.find("://") {
        Some(scheme_end) => {
            let rest = &url[scheme_end + 3..];
            match rest.find('/') {
                Some(slash) => &rest[slash..],
                None => "/",
            }
        }
        None => url,
    }
}

/// Iterative wildcard matching (no recursion, linear backtracking on the last star).
fn glob(pattern: &str, text: &str) -> bool {
    let pattern = pattern.as_bytes();
    let text = text.as_bytes();
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    while p < pattern.len() && pattern[p] == b'*' {
        p += 1;
    }
    p == pattern.len()
}

#[cfg(test)]
mod tests {
    use super::url_matches;

    fn check(pattern: &str, url: &str, expected: bool) {
        assert_eq!(url_matches(pattern, url), expected, "{pattern} vs {url}");
    }

    #[test]
    fn patterns() {
        for (pattern, url, expected) in [
            ("/", "http://localhost:3000/", true),
            ("/", "http://localhost:3000", true),
            ("/", "/projects", false),
            ("/projects", "/projects?tab=1#x", true),
            ("/projects*", "/projects/42", true),
            ("*", "/anything/at/all", true),
            ("/p/*/edit", "/p/7/edit", true),
            ("/p/*/edit", "/p/7/view", false),
            ("/search?q=*", "/search?q=rust", true),
            ("/search?q=*", "/search", false),
            ("/a*b*c", "/aXbYc", true),
            ("/a*b*c", "/aXbY", false),
        ] {
            check(pattern, url, expected);
        }
    }
}
