//! A saved page whose body alone changed: the same front matter, title,
//! summary, headings and links, only other prose. Nothing another page
//! shows of it changed, nor where its links lead, so `serve` can render its
//! own page again over the last build's site before the build (see
//! `pipeline::provisional`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{parse_keyed, role, static_change, Loaded, Page, PageId, Role};

/// The page of the last build `loaded` that file `changed` holds, and that
/// page as the file now reads, when its body alone changed and it parses
/// without a problem; `None` otherwise.
/// `roots` are the layers' folders (see `static_change::disk_roots`).
pub(crate) fn reparse(
    loaded: &Loaded,
    roots: &[Option<PathBuf>],
    changed: &Path,
) -> Option<(PageId, Page)> {
    let found = static_change::locate(&loaded.layers, roots, changed)?;
    if !matches!(role(&found.rel), Role::Page) {
        return None;
    }
    let id = loaded.pages.iter().position(|p| {
        p.layer == found.layer && p.path == found.rel && !p.generated && p.defined_in.is_none()
    })?;
    let old = &loaded.pages[id];
    if old.extends.is_some() || old.replaces.is_some() {
        return None;
    }
    let bytes = std::fs::read(&found.real).ok()?;
    let text: Arc<str> = Arc::from(std::str::from_utf8(&bytes).ok()?);
    let key = crate::key::text_key(&text);
    let (page, problems) = parse_keyed(old.file, found.layer, found.rel, (text, key));
    let mut page = page.filter(|_| problems.is_empty())?;
    // Its dates come from git, by path: as they were.
    page.updated = old.updated.clone();
    same_but_body(old, &page).then_some((id, page))
}

/// Whether `path`, named in a save, is a file that is gone and that the
/// last build (`loaded`) did not read: an editor's temporary file, written
/// and renamed over the page it saves.
pub(crate) fn gone_unread(loaded: &Loaded, roots: &[Option<PathBuf>], path: &Path) -> bool {
    if path.symlink_metadata().is_ok() {
        return false;
    }
    let (Some(folder), Some(name)) = (path.parent(), path.file_name()) else {
        return false;
    };
    let Ok(folder) = folder.canonicalize() else {
        return false;
    };
    let Some((layer, rel)) = static_change::in_one_layer(roots, &folder.join(name)) else {
        return false;
    };
    // Read by the build: the settings, a page (kept, hidden or replaced),
    // a template or an asset, or a folder that held any of them.
    let under = format!("{rel}/");
    let read = |path: &str| path == rel || path.starts_with(&under);
    let settings = rel == "playbook.toml";
    let page = loaded
        .pages
        .iter()
        .any(|p| p.layer == layer && read(&p.path))
        || loaded.hidden.iter().any(|h| read(&h.path))
        || loaded.redirects.iter().any(|r| read(&r.from_path));
    let template = loaded
        .templates
        .iter()
        .any(|t| read(&format!("templates/{}", t.name)));
    let asset = loaded
        .assets
        .iter()
        .any(|a| read(&a.path) || read(&format!("static/{}", a.path)));
    !(settings || page || template || asset)
}

/// Whether `new` differs from `old` only in its body's prose: the same
/// front matter (which, with the same path, decides the kind, URL,
/// template, order and principle or concept fields), and the same of what
/// the body may give a page: its title, summary, headings and links, but
/// for where they are.
fn same_but_body(old: &Page, new: &Page) -> bool {
    fn same<T>(a: &[T], b: &[T], eq: impl Fn(&T, &T) -> bool) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| eq(x, y))
    }
    fn front(p: &Page) -> &str {
        &p.text[..p.body_start]
    }
    front(old) == front(new)
        && (&old.title, &old.title_span, &old.summary, old.skip_first_h1)
            == (&new.title, &new.title_span, &new.summary, new.skip_first_h1)
        && same(&old.headings, &new.headings, |a, b| {
            (a.level, &a.text, &a.id) == (b.level, &b.text, &b.id)
        })
        && same(&old.links, &new.links, |a, b| {
            (a.kind, &a.dest) == (b.kind, &b.dest)
        })
}
