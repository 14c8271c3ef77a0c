//! Relative paths in markdown links, resolved the way GitHub resolves them.

/// `https:`, `mailto:`, `//cdn…`: links that leave the site. Never fetched.
pub(crate) fn is_external(dest: &str) -> bool {
    if dest.starts_with("//") {
        return true;
    }
    match dest.split_once(':') {
        Some((scheme, _)) => {
            scheme.len() >= 2
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// Joins a link path to the folder of the page it is written in. `None` when
/// it climbs above the layer root.
pub(crate) fn join(dir: &str, link: &str) -> Option<String> {
    let link = percent_decode(link.split(['?']).next().unwrap_or(link));
    let (base, rest) = match link.strip_prefix('/') {
        Some(rest) => ("", rest.to_string()),
        None => (dir, link),
    };
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    let trailing_slash = rest.ends_with('/');
    for part in rest.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    let mut joined = parts.join("/");
    if trailing_slash && !joined.is_empty() {
        joined.push('/');
    }
    Some(joined)
}

/// Decodes `%20` and friends; invalid escapes are kept as written.
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_links() {
        assert!(is_external("https://x.y"));
        assert!(is_external("mailto:a@b"));
        assert!(is_external("//cdn.x/y.js"));
        assert!(!is_external("../a.md"));
        assert!(!is_external("a.md#x:y"));
    }

    #[test]
    fn joins_like_github() {
        assert_eq!(
            join("principles/", "../concepts/a.md").as_deref(),
            Some("concepts/a.md")
        );
        assert_eq!(join("a/b/", "./c%20d.md").as_deref(), Some("a/b/c d.md"));
        assert_eq!(join("a/", "/top.md").as_deref(), Some("top.md"));
        assert_eq!(join("a/", "sub/").as_deref(), Some("a/sub/"));
        assert_eq!(join("", "../x.md"), None);
    }

    #[test]
    fn percent_decoding_keeps_bad_escapes() {
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
