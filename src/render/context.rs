//! The Tera context of each template: what a theme author can use.
//!
//! The shape is documented in the README (Themes). Every `url` in it is
//! relative to the site root and final (it already carries `index.html` in the
//! `files` URL style), so templates always write `{{ root }}{{ x.url }}`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Serialize;

use crate::content::page::AxisStep;
use crate::content::{Altitude, Horizon, Loaded, Page, PageId, PageKind};
use crate::links::{Resolved, Target};
use crate::render::graph::{self, Node};
use crate::render::lists::{self, BacklinkCtx, TocEntry};
use crate::render::nav::NavCache;
use crate::render::overwrite::overwrite;
use crate::render::urls::{link_url, root_prefix, shared_root_prefix};
use crate::render::Body;

/// Where the print edition lives.
pub(crate) const PRINT_URL: &str = "print/";
/// Where the search page lives; the index is written beside it.
pub(crate) const SEARCH_URL: &str = "search/";

#[derive(Serialize)]
struct Link {
    title: String,
    url: String,
}

#[derive(Serialize)]
struct SiteCtx<'a> {
    accent: &'a str,
    accent_dark: &'a str,
    base_url: &'a str,
    description: &'a str,
    home_url: String,
    language: &'a str,
    /// `[theme]`: logo URL relative to the root, accent colours.
    logo: &'a str,
    map_url: String,
    print_url: String,
    search_url: String,
    title: &'a str,
}

#[derive(Serialize)]
struct ConceptRef {
    definition: String,
    title: String,
    url: String,
}

#[derive(Serialize)]
struct PrincipleCtx {
    altitude: AxisStep,
    concepts: Vec<ConceptRef>,
    horizon: AxisStep,
    order: i64,
    role_shift: String,
}

#[derive(Serialize)]
struct ConceptCtx {
    aliases: Vec<String>,
    backlinks: Vec<BacklinkCtx>,
    /// `backlinks` as a list, ready to show.
    backlinks_html: String,
    definition: String,
    /// SVG: the pages that use this concept and the concepts they also use.
    local_map: String,
}

/// What a link's preview popover shows. Written by [`previews_json`];
/// serde only checks it in a test.
#[cfg_attr(test, derive(Serialize))]
struct Preview<'a> {
    /// Title.
    t: &'a str,
    /// Definition or summary.
    d: &'a str,
    /// Kind label: Concept, Principle, Page.
    k: &'static str,
}

#[derive(Serialize)]
struct RelatedCtx {
    shared: Vec<String>,
    title: String,
    url: String,
}

#[derive(Serialize)]
struct SectionPage {
    summary: String,
    title: String,
    url: String,
}

/// Which layer a page or section comes from, for its provenance badge.
#[derive(Serialize)]
struct LayerCtx<'a> {
    /// Not the bottom layer: an addition, shown with a badge.
    addition: bool,
    name: &'a str,
}

/// A company section added to a page by an upper layer (`extends`).
#[derive(Serialize)]
struct ExtensionCtx<'a> {
    content: &'a str,
    /// Id of the section, for the table of contents.
    id: String,
    layer: LayerCtx<'a>,
    title: String,
}

#[derive(Serialize)]
struct PageCtx<'a> {
    breadcrumbs: Vec<Link>,
    concept: Option<ConceptCtx>,
    /// SVG of every principle and the concepts it relies on (map page only).
    concept_map: String,
    content: &'a str,
    /// Where an author edits the source (the layer's `edit_url`).
    edit_url: Option<String>,
    extensions: Vec<ExtensionCtx<'a>>,
    kind: &'a str,
    layer: LayerCtx<'a>,
    next: Option<Link>,
    prev: Option<Link>,
    /// JSON: href → preview, for every page this page links to.
    previews: String,
    principle: Option<PrincipleCtx>,
    related: Vec<RelatedCtx>,
    section_pages: Vec<SectionPage>,
    summary: &'a str,
    title: &'a str,
    toc: Vec<TocEntry<'a>>,
    /// `toc` as nested lists, ready to show.
    toc_html: String,
    /// The day of the source's last commit (`last_updated = true`).
    updated: Option<&'a str>,
    url: String,
}

#[derive(Serialize)]
struct PrincipleSummary<'a> {
    altitude: AxisStep,
    content: &'a str,
    horizon: AxisStep,
    order: i64,
    role_shift: &'a str,
    summary: &'a str,
    title: &'a str,
    url: String,
}

#[derive(Serialize)]
struct ConceptSummary<'a> {
    aliases: Vec<&'a str>,
    definition: &'a str,
    title: &'a str,
    url: String,
}

pub(crate) struct ContextBuilder<'a> {
    loaded: &'a Loaded,
    resolved: &'a Resolved,
    nav: &'a NavCache,
    /// Position of each page in the reading order.
    position: Vec<Option<usize>>,
    /// Each section's index page, by the section's key.
    section_index: crate::key::FastMap<&'a str, PageId>,
    map_page: Option<PageId>,
    /// What every context holds alike (`site` and the map's axes), made
    /// once: each page's context starts as a copy of it.
    shared: tera::Context,
}

impl<'a> ContextBuilder<'a> {
    pub fn new(loaded: &'a Loaded, resolved: &'a Resolved, nav: &'a NavCache) -> Self {
        let mut position = vec![None; loaded.pages.len()];
        for (i, &id) in resolved.reading_order.iter().enumerate() {
            position[id] = Some(i);
        }
        let section_index = resolved
            .sections
            .iter()
            .filter_map(|s| Some((s.key.as_str(), s.index?)))
            .collect();
        let mut builder = ContextBuilder {
            loaded,
            resolved,
            nav,
            position,
            section_index,
            map_page: map_page(loaded),
            shared: tera::Context::new(),
        };
        builder.shared.insert("site", &builder.site());
        builder
            .shared
            .insert("altitudes", &Altitude::ALL.map(Altitude::step));
        builder
            .shared
            .insert("horizons", &Horizon::ALL.map(Horizon::step));
        builder
    }

    /// The index page of page `id`'s section, if it has one.
    pub(super) fn section_index(&self, id: PageId) -> Option<PageId> {
        let section = self.loaded.pages[id].section();
        self.section_index.get(section).copied()
    }

    /// The page `step` places from page `id` in the reading order.
    pub(super) fn neighbour_id(&self, id: PageId, step: isize) -> Option<PageId> {
        let other = self.position[id]?.checked_add_signed(step)?;
        self.resolved.reading_order.get(other).copied()
    }

    /// Whether page `id` lists every principle and concept: the home page
    /// and the concept map.
    pub(super) fn lists_all(&self, id: PageId) -> bool {
        matches!(self.loaded.pages[id].kind, PageKind::Home) || Some(id) == self.map_page
    }

    pub(super) fn map_page(&self) -> Option<PageId> {
        self.map_page
    }

    /// The key of the sidebar of a page outside the sections, shown at
    /// depth `root`.
    pub(super) fn outside_sidebar_key(&self, root: &str) -> u128 {
        self.nav.key(None, root)
    }

    /// The key of the sidebar page `id` is shown with.
    pub(super) fn sidebar_key(&self, id: PageId) -> u128 {
        self.nav
            .key(Some(id), &shared_root_prefix(&self.loaded.pages[id].url))
    }

    fn url(&self, id: PageId) -> String {
        link_url(&self.loaded.pages[id].url, self.loaded.config.url_style)
    }

    fn link(&self, id: PageId) -> Link {
        Link {
            title: self.loaded.pages[id].title.clone(),
            url: self.url(id),
        }
    }

    fn site(&self) -> SiteCtx<'a> {
        let config = &self.loaded.config;
        SiteCtx {
            title: &config.title,
            description: &config.description,
            language: &config.language,
            base_url: &config.base_url,
            home_url: link_url("", config.url_style),
            map_url: self.map_page.map(|i| self.url(i)).unwrap_or_default(),
            print_url: link_url(PRINT_URL, config.url_style),
            search_url: link_url(SEARCH_URL, config.url_style),
            logo: &config.theme.logo,
            accent: &config.theme.accent,
            accent_dark: &config.theme.accent_dark,
        }
    }

    /// Every name `page_context` sets: a page's cache key hashes their values
    /// in place, instead of copying the whole context to hash it.
    pub const PAGE_KEYS: &'static [&'static str] = &[
        "nav",
        "root",
        "site",
        "principles",
        "concepts",
        "altitudes",
        "horizons",
        "page",
    ];

    fn base_context(
        &self,
        current: Option<PageId>,
        root: String,
        with_lists: bool,
        print: Option<&[Arc<Body>]>,
    ) -> tera::Context {
        let mut ctx = self.blank_context();
        self.fill_base(&mut ctx, current, root, with_lists, print);
        ctx
    }

    /// A context with only what every context holds alike, to be filled
    /// by [`ContextBuilder::fill_page_context`].
    pub fn blank_context(&self) -> tera::Context {
        self.shared.clone()
    }

    /// Sets in `ctx` what [`ContextBuilder::base_context`] adds to the
    /// blank context: the same names whatever the page.
    fn fill_base(
        &self,
        ctx: &mut tera::Context,
        current: Option<PageId>,
        root: String,
        with_lists: bool,
        print: Option<&[Arc<Body>]>,
    ) {
        let current_url = current.map(|id| self.url(id));
        set(
            ctx,
            "nav",
            &self.nav.for_page(current, &root, current_url.as_deref()),
        );
        set(ctx, "root", &root);
        let principles: Vec<PrincipleSummary<'_>> = if with_lists {
            self.resolved
                .principles
                .iter()
                .enumerate()
                .filter_map(|(n, &id)| self.principle_summary(id, print.and_then(|b| b.get(n))))
                .collect()
        } else {
            Vec::new()
        };
        set(ctx, "principles", &principles);
        let concepts: Vec<ConceptSummary<'_>> = if with_lists {
            self.resolved
                .concept_list
                .iter()
                .map(|&id| self.concept_summary(id))
                .collect()
        } else {
            Vec::new()
        };
        set(ctx, "concepts", &concepts);
    }

    fn principle_summary(
        &self,
        id: PageId,
        content: Option<&'a Arc<Body>>,
    ) -> Option<PrincipleSummary<'a>> {
        let page: &'a Page = &self.loaded.pages[id];
        let meta = page.principle.as_ref()?;
        Some(PrincipleSummary {
            title: &page.title,
            url: self.url(id),
            summary: &page.summary,
            order: page.order.unwrap_or(0),
            altitude: meta.altitude.step(),
            horizon: meta.horizon.step(),
            role_shift: &meta.role_shift,
            content: content.map_or("", |b| b.html.as_str()),
        })
    }

    fn concept_summary(&self, id: PageId) -> ConceptSummary<'a> {
        let page: &'a Page = &self.loaded.pages[id];
        ConceptSummary {
            title: &page.title,
            url: self.url(id),
            definition: page.concept.as_ref().map_or("", |c| c.definition.as_str()),
            aliases: page
                .concept
                .iter()
                .flat_map(|c| &c.aliases)
                .map(|a| a.value.as_str())
                .collect(),
        }
    }

    /// `shown` holds the bodies page `id` shows, as [`Resolved::shown`]
    /// lists them: its own, then its extensions'.
    pub fn page_context(&self, id: PageId, shown: &[Arc<Body>]) -> tera::Context {
        let mut ctx = self.blank_context();
        self.fill_page_context(&mut ctx, id, shown);
        ctx
    }

    /// Makes `ctx`, a [`ContextBuilder::blank_context`] or any context
    /// this filled before, the context of page `id`. Each page sets the
    /// same names ([`ContextBuilder::PAGE_KEYS`]), so nothing of the page
    /// before is left; and a context filled again is not copied from the
    /// blank one for every page.
    pub fn fill_page_context(&self, ctx: &mut tera::Context, id: PageId, shown: &[Arc<Body>]) {
        let page: &'a Page = &self.loaded.pages[id];
        let body = shown.first().map_or("", |b| b.html.as_str());
        let extensions = self.extensions(id, shown.get(1..).unwrap_or_default());
        let with_lists = self.lists_all(id);
        self.fill_base(ctx, Some(id), root_prefix(&page.url), with_lists, None);
        let kind = if Some(id) == self.map_page {
            "map"
        } else {
            page.kind.name()
        };
        let toc = self.toc(id, &extensions);
        let toc_html = lists::toc_html(&toc);
        let page_ctx = PageCtx {
            title: &page.title,
            url: self.url(id),
            kind,
            updated: page.updated.as_deref(),
            edit_url: self.edit_url(page),
            summary: &page.summary,
            content: body,
            layer: self.layer(page.layer),
            toc,
            toc_html,
            extensions,
            breadcrumbs: self.breadcrumbs(id),
            prev: self.neighbour(id, -1),
            next: self.neighbour(id, 1),
            principle: self.principle_ctx(id),
            concept: self.concept_ctx(id),
            related: self.resolved.related[id]
                .iter()
                .map(|r| RelatedCtx {
                    title: self.loaded.pages[r.page].title.clone(),
                    url: self.url(r.page),
                    shared: r
                        .shared
                        .iter()
                        .map(|&c| self.loaded.pages[c].title.clone())
                        .collect(),
                })
                .collect(),
            section_pages: self.section_pages(id),
            previews: self.previews(id),
            concept_map: if kind == "map" {
                self.concept_map(&page.url)
            } else {
                String::new()
            },
        };
        set(ctx, "page", &page_ctx);
        debug_assert_page_keys(ctx);
    }

    fn edit_url(&self, page: &Page) -> Option<String> {
        let template = self.loaded.layers.get(page.layer)?.edit_url.as_ref()?;
        Some(template.replace("{path}", page.source_path()?))
    }

    fn layer(&self, layer: usize) -> LayerCtx<'a> {
        LayerCtx {
            name: self
                .loaded
                .layers
                .get(layer)
                .map_or("", |l| l.name.as_str()),
            addition: layer > 0,
        }
    }

    /// Page `id`'s extensions, whose bodies are `bodies`, in order.
    fn extensions<'b>(&'b self, id: PageId, bodies: &'b [Arc<Body>]) -> Vec<ExtensionCtx<'b>> {
        self.resolved.extensions[id]
            .iter()
            .enumerate()
            .map(|(n, &e)| {
                let ext = &self.loaded.pages[e];
                let layer = self.layer(ext.layer);
                let title = if ext.title.is_empty() {
                    format!("How we do this at {}", layer.name)
                } else {
                    ext.title.clone()
                };
                ExtensionCtx {
                    title,
                    id: crate::content::extension_anchor(layer.name),
                    layer,
                    content: bodies.get(n).map_or("", |b| b.html.as_str()),
                }
            })
            .collect()
    }

    /// Second- and third-level headings, then each company section and its
    /// headings one level down.
    fn toc(&self, id: PageId, extensions: &[ExtensionCtx<'_>]) -> Vec<TocEntry<'a>> {
        let pages = &self.loaded.pages;
        let entry = |h: &'a crate::markdown::Heading, level: u8| TocEntry {
            level,
            id: h.id.as_str().into(),
            title: h.text.as_str().into(),
        };
        let mut toc: Vec<TocEntry<'a>> = pages[id]
            .headings
            .iter()
            .filter(|h| h.level == 2 || h.level == 3)
            .map(|h| entry(h, h.level))
            .collect();
        for (&e, ext) in self.resolved.extensions[id].iter().zip(extensions) {
            toc.push(TocEntry {
                level: 2,
                id: ext.id.clone().into(),
                title: ext.title.clone().into(),
            });
            let headings = pages[e].headings.iter().filter(|h| h.level <= 3);
            toc.extend(headings.map(|h| entry(h, 3)));
        }
        toc
    }

    fn breadcrumbs(&self, id: PageId) -> Vec<Link> {
        let mut crumbs = Vec::new();
        if let Some(home) = self.resolved.home {
            crumbs.push(self.link(home));
        }
        if let Some(index) = self.section_index(id) {
            if index != id {
                crumbs.push(self.link(index));
            }
        }
        if Some(id) != self.resolved.home {
            crumbs.push(self.link(id));
        }
        crumbs
    }

    fn neighbour(&self, id: PageId, step: isize) -> Option<Link> {
        self.neighbour_id(id, step).map(|o| self.link(o))
    }

    fn principle_ctx(&self, id: PageId) -> Option<PrincipleCtx> {
        let page = &self.loaded.pages[id];
        let meta = page.principle.as_ref()?;
        Some(PrincipleCtx {
            order: page.order.unwrap_or(0),
            altitude: meta.altitude.step(),
            horizon: meta.horizon.step(),
            role_shift: meta.role_shift.clone(),
            concepts: self.resolved.concepts[id]
                .iter()
                .map(|&c| {
                    let concept = &self.loaded.pages[c];
                    ConceptRef {
                        title: concept.title.clone(),
                        url: self.url(c),
                        definition: concept
                            .concept
                            .as_ref()
                            .map(|m| m.definition.clone())
                            .unwrap_or_default(),
                    }
                })
                .collect(),
        })
    }

    fn concept_ctx(&self, id: PageId) -> Option<ConceptCtx> {
        let page = &self.loaded.pages[id];
        let meta = page.concept.as_ref()?;
        let backlinks: Vec<BacklinkCtx> = self.resolved.backlinks[id]
            .iter()
            .map(|b| BacklinkCtx {
                title: self.loaded.pages[b.from].title.clone(),
                url: self.url(b.from),
                context: self.resolved.context(&self.loaded.pages, b).to_string(),
            })
            .collect();
        let backlinks_html = lists::backlinks_html(&shared_root_prefix(&page.url), &backlinks);
        Some(ConceptCtx {
            definition: meta.definition.clone(),
            aliases: self
                .resolved
                .aliases(&self.loaded.pages, id)
                .map(String::from)
                .collect(),
            backlinks,
            backlinks_html,
            local_map: self.local_map(id),
        })
    }

    /// A section's listing: the pages in its folder, subfolders included
    /// by their own index page.
    fn section_pages(&self, id: PageId) -> Vec<SectionPage> {
        if self.loaded.pages[id].kind != PageKind::Section {
            return Vec::new();
        }
        self.resolved.children[id]
            .iter()
            .map(|&p| SectionPage {
                title: self.loaded.pages[p].title.clone(),
                url: self.url(p),
                summary: self.loaded.pages[p].summary.clone(),
            })
            .collect()
    }

    /// The print edition: every principle, in order, on one page.
    pub fn print_context(&self, bodies: &'a [Arc<Body>]) -> tera::Context {
        let mut ctx = self.base_context(None, root_prefix(PRINT_URL), true, Some(bodies));
        ctx.insert(
            "page",
            &self.special_page("Print edition", PRINT_URL, "print"),
        );
        ctx
    }

    /// The search page: the client fills it from `?q=`.
    pub fn search_context(&self) -> tera::Context {
        let mut ctx = self.base_context(None, root_prefix(SEARCH_URL), false, None);
        ctx.insert("page", &self.special_page("Search", SEARCH_URL, "search"));
        ctx
    }

    /// The 404 page is served at any depth, so its links are absolute.
    pub fn not_found_context(&self) -> tera::Context {
        let root = not_found_root(&self.loaded.config.base_url);
        let mut ctx = self.base_context(None, root, false, None);
        ctx.insert(
            "page",
            &self.special_page("Page not found", "404.html", "404"),
        );
        ctx
    }

    fn special_page(&self, title: &'a str, url: &str, kind: &'a str) -> PageCtx<'a> {
        PageCtx {
            title,
            url: url.to_string(),
            kind,
            updated: None,
            edit_url: None,
            summary: "",
            content: "",
            layer: self.layer(0),
            extensions: Vec::new(),
            toc: Vec::new(),
            toc_html: String::new(),
            breadcrumbs: self
                .resolved
                .home
                .map(|h| self.link(h))
                .into_iter()
                .collect(),
            prev: None,
            next: None,
            principle: None,
            concept: None,
            related: Vec::new(),
            section_pages: Vec::new(),
            previews: "{}".into(),
            concept_map: String::new(),
        }
    }

    /// `href` of page `to` as written on a page shown at `from_url`.
    fn href(&self, from_url: &str, to: PageId) -> String {
        let to_url = &self.loaded.pages[to].url;
        super::urls::page_href(from_url, to_url, self.loaded.config.url_style)
    }

    fn node(&self, from_url: &str, id: PageId) -> Node {
        let page = &self.loaded.pages[id];
        Node {
            label: page.title.clone(),
            href: self.href(from_url, id),
            class: page.kind.name(),
        }
    }

    fn previews(&self, id: PageId) -> String {
        let pages = &self.loaded.pages;
        let from = &pages[id].url;
        let linked = self
            .resolved
            .shown(id)
            .flat_map(|p| {
                let targets = self.resolved.targets[p].iter().filter_map(|t| match t {
                    Target::Page { page, .. } => Some(*page),
                    _ => None,
                });
                targets.chain(self.resolved.autolinks[p].iter().map(|a| a.concept))
            })
            .filter(|&t| t != id);
        let mut map = BTreeMap::new();
        for target in linked {
            let page = &pages[target];
            let (d, k) = match (&page.concept, page.kind) {
                (Some(c), _) => (c.definition.as_str(), "Concept"),
                (None, PageKind::Principle) => (page.summary.as_str(), "Principle"),
                (None, _) => (page.summary.as_str(), "Page"),
            };
            map.insert(
                self.href(from, target),
                Preview {
                    t: &page.title,
                    d,
                    k,
                },
            );
        }
        let json = previews_json(&map);
        // Safe inside <script>: no `</` can close the element early. Few
        // titles hold one: looked for first, the fast way.
        match memchr::memmem::find(json.as_bytes(), b"</") {
            Some(_) => json.replace("</", "<\\/"),
            None => json,
        }
    }

    /// Every principle, and the concepts each relies on.
    fn concept_map(&self, shown_at: &str) -> String {
        let principles = &self.resolved.principles;
        let mut row_of = HashMap::new();
        for (row, &p) in principles.iter().enumerate() {
            row_of.insert(p, row);
        }
        let concepts = &self.resolved.concept_list;
        let neighbours: Vec<Vec<usize>> = concepts
            .iter()
            .map(|c| {
                self.resolved.backlinks[*c]
                    .iter()
                    .filter_map(|b| row_of.get(&b.from).copied())
                    .collect()
            })
            .collect();
        let titles: Vec<String> = concepts
            .iter()
            .map(|&c| self.loaded.pages[c].title.clone())
            .collect();
        let order = graph::barycentre_order(concepts.len(), &neighbours, &titles);
        let mut edges = Vec::new();
        for (position, &index) in order.iter().enumerate() {
            for &row in &neighbours[index] {
                edges.push(((0, row), (1, position)));
            }
        }
        edges.sort_unstable();
        let columns = [
            principles.iter().map(|&p| self.node(shown_at, p)).collect(),
            order
                .iter()
                .map(|&i| self.node(shown_at, concepts[i]))
                .collect(),
        ];
        graph::layered_svg("Principles and the concepts they rely on", &columns, &edges)
    }

    /// The concept, the pages that use it, and the other concepts of those pages.
    fn local_map(&self, id: PageId) -> String {
        const MAX: usize = 12;
        let shown_at = &self.loaded.pages[id].url;
        let users: Vec<PageId> = self.resolved.backlinks[id]
            .iter()
            .map(|b| b.from)
            .take(MAX)
            .collect();
        let mut others: Vec<PageId> = Vec::new();
        let mut neighbours: Vec<Vec<usize>> = Vec::new();
        for (row, &user) in users.iter().enumerate() {
            for &c in &self.resolved.concepts[user] {
                if c == id {
                    continue;
                }
                let index = match others.iter().position(|&o| o == c) {
                    Some(i) => i,
                    None => {
                        others.push(c);
                        neighbours.push(Vec::new());
                        others.len() - 1
                    }
                };
                neighbours[index].push(row);
            }
        }
        let titles: Vec<String> = others
            .iter()
            .map(|&c| self.loaded.pages[c].title.clone())
            .collect();
        let mut order = graph::barycentre_order(others.len(), &neighbours, &titles);
        order.truncate(MAX);
        let mut edges: Vec<graph::Edge> = (0..users.len()).map(|row| ((0, row), (1, 0))).collect();
        for (position, &index) in order.iter().enumerate() {
            edges.extend(
                neighbours[index]
                    .iter()
                    .map(|&row| ((0, row), (2, position))),
            );
        }
        edges.sort_unstable();
        let columns = [
            users.iter().map(|&p| self.node(shown_at, p)).collect(),
            vec![self.node(shown_at, id)],
            order
                .iter()
                .map(|&i| self.node(shown_at, others[i]))
                .collect(),
        ];
        graph::layered_svg(
            &format!("Where {} is used", self.loaded.pages[id].title),
            &columns,
            &edges,
        )
    }
}

/// The concept map: the first page with `template = "map"`.
pub(super) fn map_page(loaded: &Loaded) -> Option<PageId> {
    (0..loaded.pages.len()).find(|&i| loaded.pages[i].template.as_deref() == Some("map"))
}

/// The 404 page is served at any depth, so its links start from the path of
/// the base URL (or `/`).
pub(crate) fn not_found_root(base_url: &str) -> String {
    match base_url.find("://").map(|i| i + 3) {
        Some(after_scheme) => base_url[after_scheme..]
            .find('/')
            .map_or("/".to_string(), |i| {
                base_url[after_scheme + i..].to_string()
            }),
        None => "/".to_string(),
    }
}

/// Sets `key` in `ctx` to `value`, written over the value `key` had (see
/// [`overwrite`]): a context filled again for each page reuses the page
/// before's strings, lists and objects. Tera's public API has no way to
/// reach a value in place; taking it out and putting it back costs a few
/// allocations, where serializing afresh cost hundreds.
fn set<T: Serialize + ?Sized>(ctx: &mut tera::Context, key: &str, value: &T) {
    if let Some(mut slot) = ctx.remove(key) {
        if overwrite(&mut slot, value).is_ok() {
            let mut one = serde_json::Map::new();
            one.insert(key.to_owned(), slot);
            if let Ok(again) = tera::Context::from_value(serde_json::Value::Object(one)) {
                ctx.extend(again);
                return;
            }
        }
    }
    // The first page, or (as `insert` alone did before, for values that
    // cannot fail to serialize) a value not written over.
    ctx.insert(key, value);
}

/// In debug builds, that `context` holds exactly the names of
/// `ContextBuilder::PAGE_KEYS`: a page's key hashes those, and a context
/// filled page after page must leave nothing of the page before.
fn debug_assert_page_keys(context: &tera::Context) {
    debug_assert_eq!(
        context_names(context),
        ContextBuilder::PAGE_KEYS
            .iter()
            .map(|n| n.to_string())
            .collect::<std::collections::BTreeSet<_>>(),
        "PAGE_KEYS must name everything a page's context holds"
    );
}

/// The names a context holds (checked in debug builds only: it copies).
fn context_names(context: &tera::Context) -> std::collections::BTreeSet<String> {
    match context.clone().into_json() {
        serde_json::Value::Object(map) => map.keys().cloned().collect(),
        _ => Default::default(),
    }
}

/// `previews` as compact JSON, `{"href":{"t":..,"d":..,"k":..},..}`, as
/// `serde_json` writes it (a test compares them), written straight into
/// one string: every page has a map.
fn previews_json(previews: &BTreeMap<String, Preview<'_>>) -> String {
    use crate::escape::push_json_str;
    let bytes: usize = previews
        .iter()
        // `"":{"t":"","d":"","k":""},` around the texts.
        .map(|(href, p)| href.len() + p.t.len() + p.d.len() + p.k.len() + 26)
        .sum();
    let mut json = String::with_capacity(bytes + 2);
    json.push('{');
    for (n, (href, preview)) in previews.iter().enumerate() {
        if n > 0 {
            json.push(',');
        }
        push_json_str(&mut json, href);
        json.push_str(":{\"t\":");
        push_json_str(&mut json, preview.t);
        json.push_str(",\"d\":");
        push_json_str(&mut json, preview.d);
        json.push_str(",\"k\":");
        push_json_str(&mut json, preview.k);
        json.push('}');
    }
    json.push('}');
    json
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::lists::{BacklinkCtx, TocEntry};

    /// The contexts' structs declare their fields in key order, so that a
    /// page's context is written over the page before's in one pass (see
    /// `render::overwrite`): each, with every list and option filled,
    /// serializes in declaration order as in key order.
    #[test]
    fn contexts_declare_their_fields_in_key_order() {
        fn in_key_order(value: &impl Serialize) {
            let declared = serde_json::to_string(value).unwrap();
            let sorted = serde_json::to_string(&serde_json::to_value(value).unwrap()).unwrap();
            assert_eq!(declared, sorted);
        }
        let s = || "s".to_string();
        let link = || Link {
            title: s(),
            url: s(),
        };
        let layer = || LayerCtx {
            addition: true,
            name: "n",
        };
        let (altitude, horizon) = (Altitude::ALL[0].step(), Horizon::ALL[0].step());
        in_key_order(&PageCtx {
            breadcrumbs: vec![link()],
            concept: Some(ConceptCtx {
                aliases: vec![s()],
                backlinks: vec![BacklinkCtx {
                    context: s(),
                    title: s(),
                    url: s(),
                }],
                backlinks_html: s(),
                definition: s(),
                local_map: s(),
            }),
            concept_map: s(),
            content: "c",
            edit_url: Some(s()),
            extensions: vec![ExtensionCtx {
                content: "c",
                id: s(),
                layer: layer(),
                title: s(),
            }],
            kind: "k",
            layer: layer(),
            next: Some(link()),
            prev: Some(link()),
            previews: s(),
            principle: Some(PrincipleCtx {
                altitude: altitude.clone(),
                concepts: vec![ConceptRef {
                    definition: s(),
                    title: s(),
                    url: s(),
                }],
                horizon: horizon.clone(),
                order: 1,
                role_shift: s(),
            }),
            related: vec![RelatedCtx {
                shared: vec![s()],
                title: s(),
                url: s(),
            }],
            section_pages: vec![SectionPage {
                summary: s(),
                title: s(),
                url: s(),
            }],
            summary: "s",
            title: "t",
            toc: vec![TocEntry {
                id: "i".into(),
                level: 2,
                title: "t".into(),
            }],
            toc_html: s(),
            updated: Some("u"),
            url: s(),
        });
        in_key_order(&PrincipleSummary {
            altitude,
            content: "c",
            horizon,
            order: 1,
            role_shift: "r",
            summary: "s",
            title: "t",
            url: s(),
        });
        in_key_order(&ConceptSummary {
            aliases: vec!["a"],
            definition: "d",
            title: "t",
            url: s(),
        });
    }

    #[test]
    fn previews_are_written_as_serde_json_writes_them() {
        let tricky = "quote \" back \\ tab \t nl \n bell \u{7} é </script>";
        let mut map = std::collections::BTreeMap::new();
        for (href, t) in [("../a/", "A"), ("../b/#x", tricky), ("../\"c\"/", "")] {
            map.insert(
                href.to_string(),
                Preview {
                    t,
                    d: tricky,
                    k: "Concept",
                },
            );
        }
        assert_eq!(previews_json(&map), serde_json::to_string(&map).unwrap());
        map.clear();
        assert_eq!(previews_json(&map), "{}");
    }
}
