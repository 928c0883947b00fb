//! URLs of HTTP skill sources: checked, and resolved against the index.

use crate::error::{CoreError, CoreResult, ErrorCode};

pub fn check(url: &str) -> CoreResult<()> {
    if split(url).is_some() && url.len() <= 2048 && !url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Ok(())
    } else {
        Err(CoreError::new(
            ErrorCode::InvalidSkillSource,
            "skill source url must be an absolute http(s) URL such as \"https://example.com/skills/index.json\"",
        ))
    }
}

/// `(origin, path)` of an absolute http(s) URL: `("https://h:1", "/a/b?q")`.
fn split(url: &str) -> Option<(&str, &str)> {
    let scheme_end = if url.starts_with("https://") {
        8
    } else if url.starts_with("http://") {
        7
    } else {
        return None;
    };
    let rest = url.get(scheme_end..)?;
    let host_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if host_len == 0 {
        return None;
    }
    let at = scheme_end + host_len;
    Some((url.get(..at)?, url.get(at..)?))
}

/// `reference` resolved against `base` (RFC 3986 for the forms an index
/// uses: absolute, scheme-relative, absolute-path and relative paths with
/// `.` and `..` segments).
pub fn resolve(base: &str, reference: &str) -> Option<String> {
    if reference.is_empty() || reference.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    if split(reference).is_some() {
        return Some(reference.to_string());
    }
    let (origin, base_path) = split(base)?;
    if let Some(rest) = reference.strip_prefix("//") {
        let scheme = crate::text::split_once(origin, "//")?.0;
        let absolute = format!("{scheme}//{rest}");
        return split(&absolute).map(|_| absolute.clone());
    }
    let path = if reference.starts_with('/') {
        reference.to_string()
    } else {
        let base_path = base_path.split(['?', '#']).next().unwrap_or_default();
        let dir = base_path.rfind('/').map_or("/", |at| base_path.get(..=at).unwrap_or("/"));
        format!("{dir}{reference}")
    };
    Some(format!("{origin}{}", normalize(&path)))
}

/// Remove `.` and `..` segments (a `..` never climbs above the root).
fn normalize(path: &str) -> String {
    let (path, query) = match path.find(['?', '#']) {
        Some(at) => (path.get(..at).unwrap_or(path), path.get(at..).unwrap_or_default()),
        None => (path, ""),
    };
    let mut out: Vec<&str> = Vec::new();
    let mut segments = path.split('/').skip(1).peekable();
    while let Some(segment) = segments.next() {
        let last = segments.peek().is_none();
        match segment {
            "." => {}
            ".." => {
                out.pop();
            }
            other => out.push(other),
        }
        if last && matches!(segment, "." | "..") {
            out.push("");
        }
    }
    let mut joined = String::new();
    for segment in out {
        joined.push('/');
        joined.push_str(segment);
    }
    if joined.is_empty() {
        joined.push('/');
    }
    joined.push_str(query);
    joined
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_against_the_index() {
        let base = "http://127.0.0.1:3100/skills/index.json?v=1";
        assert_eq!(resolve(base, "email.md").unwrap(), "http://127.0.0.1:3100/skills/email.md");
        assert_eq!(resolve(base, "./a/b.md").unwrap(), "http://127.0.0.1:3100/skills/a/b.md");
        assert_eq!(resolve(base, "../x.md").unwrap(), "http://127.0.0.1:3100/x.md");
        assert_eq!(resolve(base, "../../../x.md").unwrap(), "http://127.0.0.1:3100/x.md");
        assert_eq!(resolve(base, "/root.md").unwrap(), "http://127.0.0.1:3100/root.md");
        assert_eq!(resolve(base, "//other:1/y.md").unwrap(), "http://other:1/y.md");
        assert_eq!(resolve(base, "https://e.com/z.md").unwrap(), "https://e.com/z.md");
        assert_eq!(resolve("http://h", "a.md").unwrap(), "http://h/a.md");
        assert!(resolve(base, "").is_none());
        assert!(resolve(base, "a b.md").is_none());
        assert!(resolve("ftp://h/x", "a.md").is_none());
        assert!(check("http://h/i.json").is_ok());
        for bad in ["", "h/i.json", "http://", "file:///etc/passwd", "http://h/a b"] {
            assert!(check(bad).is_err(), "{bad}");
        }
    }
}
