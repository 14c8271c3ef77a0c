//! Internal URLs, always written relative to the page they appear on, so one
//! output works at any sub-path of a web host and opened from disk.

use crate::config::UrlStyle;
use crate::links::Target;
use crate::render::body::BodyInput;

/// The way back to the site root from a page URL: `./`, `../`, `../../`.
pub(crate) fn root_prefix(url: &str) -> String {
    shared_root_prefix(url).into_owned()
}

/// [`root_prefix`], made only for a page deeper than any playbook's
/// usual folders: every page looks its prefix up on every build.
pub(crate) fn shared_root_prefix(url: &str) -> std::borrow::Cow<'static, str> {
    const UP: &str = "../../../../../../../../";
    match url.bytes().filter(|&b| b == b'/').count() {
        0 => "./".into(),
        depth if 3 * depth <= UP.len() => UP[..3 * depth].into(),
        depth => "../".repeat(depth).into(),
    }
}

/// A page URL as links write it: `principles/owner/`, or with `index.html`
/// appended in the `files` style.
pub(crate) fn link_url(url: &str, style: UrlStyle) -> String {
    let mut out = String::with_capacity(url.len() + "index.html".len());
    push_link_url(&mut out, url, style);
    out
}

/// [`link_url`], appended to `out`.
fn push_link_url(out: &mut String, url: &str, style: UrlStyle) {
    out.push_str(url);
    if style == UrlStyle::Files && (url.is_empty() || url.ends_with('/')) {
        out.push_str("index.html");
    }
}

/// The output file a page URL is written to.
pub(crate) fn output_path(url: &str) -> String {
    let mut path = String::with_capacity(url.len() + 10);
    path.push_str(url);
    path.push_str("index.html");
    path
}

/// The `href` for a resolved link target; `None` leaves the link as written.
/// The `href` of the page at `to_url` as written on a page shown at
/// `from_url`. Link previews are keyed by it, so bodies and templates must
/// write it alike.
pub(crate) fn page_href(from_url: &str, to_url: &str, style: UrlStyle) -> String {
    page_href_to(from_url, to_url, style, None)
}

/// [`page_href`], then `#anchor` when there is one. Every link of every
/// body is made here: one allocation, sized up front.
fn page_href_to(from_url: &str, to_url: &str, style: UrlStyle, anchor: Option<&str>) -> String {
    let prefix = shared_root_prefix(from_url);
    let fragment = anchor.map_or(0, |a| a.len() + 1);
    let mut href =
        String::with_capacity(prefix.len() + to_url.len() + "index.html".len() + fragment);
    href.push_str(&prefix);
    push_link_url(&mut href, to_url, style);
    if let Some(anchor) = anchor {
        href.push('#');
        href.push_str(anchor);
    }
    href
}

pub(crate) fn href_for(input: &BodyInput<'_>, target: &Target) -> Option<String> {
    match target {
        Target::Page { page, anchor } => {
            let url = &input.pages[*page].url;
            match anchor {
                Some(anchor) if url == input.shown_at => Some(format!("#{anchor}")),
                _ => Some(page_href_to(
                    input.shown_at,
                    url,
                    input.style,
                    anchor.as_deref(),
                )),
            }
        }
        Target::Asset(path) => Some(format!("{}{path}", shared_root_prefix(input.shown_at))),
        Target::External | Target::Broken | Target::Hidden => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_styles() {
        assert_eq!(root_prefix(""), "./");
        assert_eq!(root_prefix("principles/owner/"), "../../");
        let deep = "a/".repeat(12);
        assert_eq!(root_prefix(&deep), "../".repeat(12));
        assert_eq!(root_prefix("a/b/c/d/e/f/g/h/"), "../".repeat(8));
        assert_eq!(link_url("", UrlStyle::Files), "index.html");
        assert_eq!(link_url("a/", UrlStyle::Pretty), "a/");
        assert_eq!(output_path("a/b/"), "a/b/index.html");
    }
}
