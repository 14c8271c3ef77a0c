//! From a request URL to a file of the built site, refusing anything that
//! could name a file outside it. The site lives in memory, so there is no
//! file system to escape to; the rules still reject every trick a path can
//! play, so that what is served is exactly what the build wrote.

/// Longest URL served; longer ones are refused before any work.
const MAX_URL: usize = 2048;

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// A site path to look up (`principles/owner/index.html`).
    Path(String),
    /// Malformed or hostile: answer 400.
    BadRequest,
}

/// Maps `/principles/owner/?h=x#y` to `principles/owner/index.html`.
pub(crate) fn site_path(url: &str) -> Lookup {
    if url.len() > MAX_URL || !url.starts_with('/') {
        return Lookup::BadRequest;
    }
    let path = url.split(['?', '#']).next().unwrap_or("");
    let Some(decoded) = percent_decode(path) else {
        return Lookup::BadRequest;
    };
    if decoded.contains(['\0', '\\']) || decoded.starts_with("//") {
        return Lookup::BadRequest;
    }
    let mut parts = Vec::new();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => return Lookup::BadRequest,
            p if p.contains(':') => return Lookup::BadRequest,
            p => parts.push(p),
        }
    }
    let mut path = parts.join("/");
    if decoded.ends_with('/') || path.is_empty() {
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str("index.html");
    }
    Lookup::Path(path)
}

/// `%2e` → `.`; `None` for a malformed escape or bytes that are not UTF-8.
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            // Two hex digits exactly: from_str_radix alone would take `%+2`.
            let hex = s.get(i + 1..i + 3)?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The Content-Type for a path, by extension.
pub(crate) fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "xml" => "application/xml",
        "txt" | "md" => "text/plain; charset=utf-8",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_files() {
        assert_eq!(site_path("/"), Lookup::Path("index.html".into()));
        assert_eq!(
            site_path("/principles/owner/?h=a+b#why"),
            Lookup::Path("principles/owner/index.html".into())
        );
        assert_eq!(
            site_path("/assets/altitude.css"),
            Lookup::Path("assets/altitude.css".into())
        );
        assert_eq!(
            site_path("/engineering/On%20Call.txt"),
            Lookup::Path("engineering/On Call.txt".into())
        );
    }

    #[test]
    fn every_trick_is_refused() {
        for url in [
            "/../Cargo.toml",
            "/a/../../etc/passwd",
            "/%2e%2e/Cargo.toml",
            "/%2E%2E%2fCargo.toml",
            "/a%2f..%2f..%2fetc/passwd",
            "/..%5c..%5cwindows",
            "/a\\..\\b",
            "/a%00.html",
            "//etc/passwd",
            "/C:/Windows/win.ini",
            "http://evil.example/",
            "/%zz",
            "/%+2e%+2e/Cargo.toml",
            "/%c0%ae%c0%ae/",
        ] {
            assert_eq!(site_path(url), Lookup::BadRequest, "{url}");
        }
        assert_eq!(
            site_path(&format!("/{}", "a".repeat(3000))),
            Lookup::BadRequest
        );
    }
}
