//! The sidebar, rendered once per (section, block of pages, depth) rather
//! than once per page, and never longer than a screenful or two.
//!
//! Listing every section on every page is quadratic in the size of a big
//! handbook: 2,000 sections of 50 pages put 120 KB of sidebar on each of
//! 100,000 pages, 12 GB in all. So the sidebar lists a window of at most
//! [`SECTIONS_SHOWN`] sections (the current one's) and, in the current
//! section, a block of at most [`PAGES_SHOWN`] pages (the current page's),
//! with a link onward at each cut. Each page takes the cached HTML and
//! marks its own link.

use std::sync::Arc;

use crate::key::FastMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::content::{Loaded, Page, PageId};
use crate::links::Resolved;
use crate::render::urls::link_url;

/// Sections listed at most; the rest are behind links onward.
const SECTIONS_SHOWN: usize = 30;
/// Pages of the current section listed at most.
const PAGES_SHOWN: usize = 60;

#[derive(Serialize, Hash)]
struct NavPage {
    title: String,
    url: String,
    /// A link onward to pages not listed, not a page.
    more: bool,
}

#[derive(Serialize, Hash)]
struct NavSection {
    title: String,
    url: String,
    current: bool,
    /// A link onward to sections not listed, not a section.
    more: bool,
    pages: Vec<NavPage>,
}

/// Where a page's sidebar is cut: its section's key and its block of pages.
/// The key is shared: every page of a section has one.
pub(crate) type Place = (Arc<str>, usize);

/// Rendered sidebars by everything they are made from, kept from one
/// build to the next (`serve`), with where their links end: a save that
/// changes no title or section renders and scans none.
pub(crate) type Sidebars = crate::key::Kept<Arc<Sidebar>>;

/// place → root prefix → the rendered `nav.html`: looked up for every
/// page, by borrowed place and prefix.
#[derive(Default)]
pub(crate) struct NavCache {
    html: FastMap<Place, FastMap<String, Arc<Sidebar>>>,
    places: FastMap<PageId, Place>,
}

/// A rendered sidebar, with its key, and where the first link to each
/// address ends: every page marks its own link, and searching the whole
/// sidebar for it was a search set up and run per page.
pub(crate) struct Sidebar {
    key: u128,
    html: String,
    /// `href` value → the offset just past its closing quote, the first
    /// time it appears.
    link_ends: FastMap<Box<str>, usize>,
}

impl Sidebar {
    fn new(key: u128, html: String) -> Sidebar {
        const HREF: &str = "href=\"";
        let mut link_ends: FastMap<Box<str>, usize> = FastMap::default();
        for at in memchr::memmem::find_iter(html.as_bytes(), HREF) {
            let value = &html[at + HREF.len()..];
            if let Some(len) = value.find('"') {
                let end = at + HREF.len() + len + 1;
                link_ends.entry(value[..len].into()).or_insert(end);
            }
        }
        Sidebar {
            key,
            html,
            link_ends,
        }
    }

    /// The sidebar with its first link to `href` (if any) marked as the
    /// current page.
    fn marked(&self, href: Option<&str>) -> String {
        let html = &self.html;
        let Some(end) = href.and_then(|href| self.link_ends.get(href).copied()) else {
            return html.clone();
        };
        // Made in one piece: every page of a big site pays for this.
        const CURRENT: &str = " aria-current=\"page\"";
        let mut marked = String::with_capacity(html.len() + CURRENT.len());
        marked.push_str(&html[..end]);
        marked.push_str(CURRENT);
        marked.push_str(&html[end..]);
        marked
    }
}

/// Every page's place: its section and which block of that section's pages
/// it falls in (a section's index page, the first).
pub(crate) fn places(resolved: &Resolved) -> FastMap<PageId, Place> {
    let mut places = FastMap::default();
    for s in resolved.sections.iter() {
        let key: Arc<str> = Arc::from(s.key.as_str());
        if let Some(index) = s.index {
            places.insert(index, (key.clone(), 0));
        }
        for (n, &id) in s.pages.iter().enumerate() {
            places.insert(id, (key.clone(), n / PAGES_SHOWN));
        }
    }
    places
}

impl NavCache {
    /// Renders `nav.html` for each (place, root) pair a page needs, or
    /// takes it from `previous` when neither it nor the templates (key
    /// `templates`) changed. A theme without `nav.html` gets an empty
    /// sidebar.
    pub fn build(
        tera: &tera::Tera,
        loaded: &Loaded,
        resolved: &Resolved,
        places: FastMap<PageId, Place>,
        keys: Vec<(Place, String)>,
        (templates, previous): (u128, &Sidebars),
    ) -> Result<NavCache, tera::Error> {
        let mut cache = NavCache {
            places,
            ..NavCache::default()
        };
        if !tera.get_template_names().any(|n| n == "nav.html") {
            return Ok(cache);
        }
        cache.html = keys
            .into_par_iter()
            .map(|(place, root)| {
                let nav = sections(loaded, resolved, &place);
                let key = if previous.keeps() {
                    let mut key = crate::key::Key::new();
                    key.add(templates).add(&root).add(&nav);
                    key.finish()
                } else {
                    0
                };
                let sidebar = match previous.get(key) {
                    Some(sidebar) => sidebar.clone(),
                    None => {
                        let mut ctx = tera::Context::new();
                        ctx.insert("root", &root);
                        ctx.insert("nav", &nav);
                        Arc::new(Sidebar::new(key, tera.render("nav.html", &ctx)?))
                    }
                };
                Ok(((place, root), sidebar))
            })
            .collect::<Result<Vec<_>, tera::Error>>()?
            .into_iter()
            .fold(FastMap::default(), |mut by_place, ((place, root), made)| {
                by_place
                    .entry(place)
                    .or_insert_with(FastMap::default)
                    .insert(root, made);
                by_place
            });
        Ok(cache)
    }

    /// The sidebar for page `current` (none: a page outside every section)
    /// shown at depth `root`, with the link to `current_url` (if any) marked
    /// as the current page.
    pub fn for_page(
        &self,
        current: Option<PageId>,
        root: &str,
        current_url: Option<&str>,
    ) -> String {
        let Some(sidebar) = self.sidebar(current, root) else {
            return String::new();
        };
        // The link is `href="{root}{url}"`, root and URL as given.
        sidebar.marked(current_url.map(|url| [root, url].concat()).as_deref())
    }

    /// The key of the sidebar [`NavCache::for_page`] gives page `current`
    /// (none: a page outside the sections) shown at depth `root` (0 when it
    /// has none).
    pub fn key(&self, current: Option<PageId>, root: &str) -> u128 {
        self.sidebar(current, root).map_or(0, |sidebar| sidebar.key)
    }

    /// The sidebar, with its key, of `page` shown at depth `root`.
    fn sidebar(&self, page: Option<PageId>, root: &str) -> Option<&Sidebar> {
        let outside = Place::default();
        let place = page.and_then(|id| self.places.get(&id)).unwrap_or(&outside);
        self.html.get(place)?.get(root).map(Arc::as_ref)
    }

    /// Each sidebar with its key, to keep for the next build.
    pub fn rendered(&self) -> impl Iterator<Item = (u128, &Arc<Sidebar>)> {
        self.html
            .values()
            .flat_map(|by_root| by_root.values())
            .map(|sidebar| (sidebar.key, sidebar))
    }
}

/// The `n`th run of `size` of `len` things.
fn window(len: usize, n: usize, size: usize) -> std::ops::Range<usize> {
    (n * size).min(len)..((n + 1) * size).min(len)
}

/// `text` for a link onward over `count` things.
fn onward(count: usize, one: &str, many: &str) -> String {
    match count {
        1 => format!("1 more {one}"),
        n => format!("{n} more {many}"),
    }
}

fn sections(loaded: &Loaded, resolved: &Resolved, (current, block): &Place) -> Vec<NavSection> {
    let pages = &loaded.pages;
    let url = |i: PageId| link_url(&pages[i].url, loaded.config.url_style);
    let section_url = |s: &crate::links::Section| match (s.index, s.pages.first()) {
        (Some(i), _) | (None, Some(&i)) => url(i),
        (None, None) => String::new(),
    };
    let all = &resolved.sections;
    let at = all.iter().position(|s| *s.key == **current).unwrap_or(0);
    let window = window(all.len(), at / SECTIONS_SHOWN, SECTIONS_SHOWN);
    let more = |from: usize, count: usize| NavSection {
        title: onward(count, "section", "sections"),
        url: section_url(&all[from]),
        current: false,
        more: true,
        pages: Vec::new(),
    };
    let mut out = Vec::new();
    if window.start > 0 {
        out.push(more(window.start - SECTIONS_SHOWN, window.start));
    }
    for s in &all[window.clone()] {
        let is_current = *s.key == **current;
        out.push(NavSection {
            title: s.index.map_or_else(
                || crate::content::title_case(&s.key),
                |i| pages[i].title.clone(),
            ),
            url: section_url(s),
            current: is_current,
            more: false,
            pages: if is_current {
                block_of(&s.pages, *block, pages, &url)
            } else {
                Vec::new()
            },
        });
    }
    if window.end < all.len() {
        out.push(more(window.end, all.len() - window.end));
    }
    out
}

/// The pages of block `block` of `list`, with links onward at each cut.
fn block_of(
    list: &[PageId],
    block: usize,
    pages: &[Arc<Page>],
    url: &impl Fn(PageId) -> String,
) -> Vec<NavPage> {
    let std::ops::Range { start, end } = window(list.len(), block, PAGES_SHOWN);
    let more = |to: PageId, count: usize| NavPage {
        title: onward(count, "page", "pages"),
        url: url(to),
        more: true,
    };
    let mut out = Vec::new();
    if start > 0 {
        out.push(more(list[start - PAGES_SHOWN], start));
    }
    out.extend(list[start..end].iter().map(|&i| NavPage {
        title: pages[i].title.clone(),
        url: url(i),
        more: false,
    }));
    if end < list.len() {
        out.push(more(list[end], list.len() - end));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::Sidebar;

    #[test]
    fn the_first_link_to_the_page_is_marked_and_no_other() {
        let html =
            r#"<a href="../a/">A</a> <a data-href="x" href="../b/">B</a> <a href="../b/">B</a>"#;
        let sidebar = Sidebar::new(0, html.to_string());
        assert_eq!(
            sidebar.marked(Some("../b/")),
            r#"<a href="../a/">A</a> <a data-href="x" href="../b/" aria-current="page">B</a> <a href="../b/">B</a>"#
        );
        assert_eq!(sidebar.marked(Some("../c/")), html);
        assert_eq!(
            sidebar.marked(Some("../")),
            html,
            "a prefix of a link is not it"
        );
        assert_eq!(sidebar.marked(None), html);
    }
}
