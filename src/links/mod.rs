//! Stage 2, resolve: names, links, backlinks and the shape of the site.
//!
//! Takes the loaded pages and answers, for every link, where it goes; for every
//! page, who refers to it and which pages are related; and for the site, the
//! reading order. Every step is linear in the number of pages and links: maps
//! from names to pages, never a scan of all pairs.

mod autolink;
mod mentions;
mod names;
mod paths;

use std::collections::BTreeMap;

use crate::key::{FastMap, FastSet};
use std::sync::Arc;

use rayon::prelude::*;

use crate::content::{Loaded, Page, PageId, PageKind};
use crate::diag::{did_you_mean, Code, Diagnostic, Diagnostics, Severity};
use crate::markdown::{slugify, Heading, LinkKind, LinkRef};
pub use autolink::{AutoLink, AutolinkCache};
pub use names::Names;

/// Where a link goes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    Page {
        page: PageId,
        anchor: Option<String>,
    },
    /// A file copied to the output, by output path.
    Asset(String),
    External,
    Broken,
    /// A page an upper layer hid: the link renders as its text.
    Hidden,
}

/// A page that refers to another, with the sentence it does so in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backlink {
    pub from: PageId,
    /// Where the sentence shown with it is: see [`Resolved::context`].
    pub said: Said,
}

/// Where a reference's sentence is kept: a backlink points to it rather
/// than copying it, since a big site has hundreds of thousands of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Said {
    /// In the `index`th link of `page`.
    Link { page: PageId, index: usize },
    /// In the `index`th auto-link of `page`.
    Auto { page: PageId, index: usize },
    /// The referring page's summary: it declares the concept it refers to.
    Summary,
}

/// A principle related to another by the concepts they share.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub page: PageId,
    pub shared: Vec<PageId>,
}

/// A top-level folder of the site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// First URL segment, `principles`.
    pub key: String,
    pub index: Option<PageId>,
    /// The pages of the section in reading order, index page excluded.
    pub pages: Vec<PageId>,
}

/// The output of the resolve stage.
#[derive(Clone, Debug, Default)]
pub struct Resolved {
    /// Per page, the target of each of its links, in `page.links` order;
    /// shared with the next build's, where the page's links are the same.
    pub targets: Vec<Arc<[Target]>>,
    /// Per page, concept mentions turned into links, in text order.
    pub autolinks: Vec<Vec<AutoLink>>,
    /// Per page, who refers to it; shared with the next build's, which
    /// finds them kept while every page's links stay the same.
    pub backlinks: Arc<Vec<Vec<Backlink>>>,
    /// Concepts each page relies on: front matter, then linked ones.
    pub concepts: Vec<Vec<PageId>>,
    pub related: Arc<Vec<Vec<Related>>>,
    pub home: Option<PageId>,
    pub sections: Arc<Vec<Section>>,
    /// Every page in reading order: home, then section by section.
    pub reading_order: Vec<PageId>,
    /// Principles in their `order`.
    pub principles: Vec<PageId>,
    /// Concepts by title.
    pub concept_list: Vec<PageId>,
    /// Per page, the extensions (company sections) shown on it, bottom
    /// layer first.
    pub extensions: Vec<Vec<PageId>>,
    /// Per page, the page it is shown on: itself, or for an extension the
    /// page it extends. Only pages that are their own owner are written.
    pub owner: Vec<PageId>,
    /// Per page, the pages in the folder it is the index of, in order.
    pub children: Arc<Vec<Vec<PageId>>>,
    /// The auto-linker these links were found with: a saved page's are
    /// found again with it (see `pipeline::provisional`).
    pub(crate) linker: Option<Arc<autolink::AutoLinker>>,
    /// Per page, when a cache keeps links, the key its links were resolved
    /// under: the world every page's links are resolved in (each page's
    /// path, URL, title and headings), and the page's own text. Empty
    /// otherwise.
    pub(crate) link_keys: Vec<u128>,
}

impl Resolved {
    /// The auto-links of `page`, as page `id` of the site `loaded` these
    /// links were resolved over, with the same links, would have.
    pub(crate) fn autolinks_of(
        &self,
        loaded: &Loaded,
        id: PageId,
        page: &Page,
    ) -> Option<Vec<AutoLink>> {
        let linker = self.linker.as_ref()?;
        let enabled = page.autolink.unwrap_or(loaded.config.links.autolink);
        Some(if enabled {
            linker.links_of(id, page, self.targets.get(id)?)
        } else {
            Vec::new()
        })
    }

    /// Whether the page is written as a page of its own.
    pub fn is_output(&self, id: PageId) -> bool {
        self.owner.get(id) == Some(&id)
    }

    /// The page and the company sections shown on it, bottom layer first.
    pub fn shown(&self, id: PageId) -> impl Iterator<Item = PageId> + '_ {
        std::iter::once(id).chain(self.extensions[id].iter().copied())
    }

    /// The sentence a backlink shows.
    pub fn context<'a>(&'a self, pages: &'a [Arc<Page>], backlink: &Backlink) -> &'a str {
        match backlink.said {
            Said::Link { page, index } => &pages[page].links[index].context,
            Said::Auto { page, index } => &self.autolinks[page][index].context,
            Said::Summary => &pages[backlink.from].summary,
        }
    }

    /// The key of the sentence a backlink shows (see [`Resolved::context`]).
    pub(crate) fn sentence_key(&self, pages: &[Arc<Page>], backlink: &Backlink) -> u128 {
        match backlink.said {
            Said::Link { page, index } => pages[page].links[index].sentence_key,
            Said::Auto { page, index } => self.autolinks[page][index].sentence_key,
            Said::Summary => crate::key::text_key(&pages[backlink.from].summary),
        }
    }

    /// A concept's aliases, its extensions' included.
    pub fn aliases<'a>(
        &'a self,
        pages: &'a [Arc<Page>],
        id: PageId,
    ) -> impl Iterator<Item = &'a str> {
        self.shown(id)
            .filter_map(|p| pages[p].concept.as_ref())
            .flat_map(|c| c.aliases.iter().map(|a| a.value.as_str()))
    }
}

const MAX_RELATED: usize = 5;

pub fn resolve(loaded: &Loaded, diags: &mut Diagnostics) -> Resolved {
    resolve_cached(loaded, &mut ResolveCache::default(), diags)
}

/// What one resolve keeps for the next (`serve`): the table of names, the
/// auto-linker made from it, and each page's link targets, all under the
/// [`world_key`] they were made in; and each page's auto-links. A save
/// that changes no page's names, paths or headings resolves only the links
/// of the pages it changed.
#[derive(Default)]
pub struct ResolveCache {
    autolinks: AutolinkCache,
    /// The names and their auto-linker, what building the names reported,
    /// and their world key.
    names: Option<(u128, Named, Diagnostics)>,
    /// A page's targets, shared with the builds that find them here, and
    /// what resolving them reported.
    targets: crate::key::Kept<Resolving>,
    /// The lists by order, with the key of what they were made from.
    ordered: Option<(u128, Ordered)>,
    /// The backlinks, with the key of what they were made from.
    backlinks: Option<(u128, Arc<Vec<Vec<Backlink>>>)>,
    /// Each page's part of the world key.
    world_parts: crate::key::ByPage,
}

impl ResolveCache {
    /// A cache that keeps each resolve's work for the next.
    pub fn keeping() -> ResolveCache {
        ResolveCache {
            autolinks: AutolinkCache::keeping(),
            names: None,
            targets: crate::key::Kept::keeping(),
            ordered: None,
            backlinks: None,
            world_parts: Default::default(),
        }
    }

    fn keeps(&self) -> bool {
        self.targets.keeps()
    }

    /// The names of the site whose world key is `world`, kept or built;
    /// with their auto-linker when it was kept. A new one is for the caller
    /// to build (beside the links, which need only the names) and hand to
    /// [`ResolveCache::keep_names`].
    fn names(
        &mut self,
        world: u128,
        build: impl FnOnce(&mut Diagnostics) -> Names,
        diags: &mut Diagnostics,
    ) -> (Arc<Names>, Option<Arc<autolink::AutoLinker>>, Diagnostics) {
        let (names, linker, found) = match self.names.take() {
            Some((key, (names, linker), found)) if key == world => (names, Some(linker), found),
            _ => {
                let mut found = Diagnostics::default();
                (Arc::new(build(&mut found)), None, found)
            }
        };
        diags.extend(found.clone());
        (names, linker, found)
    }

    /// Keeps the names of the site whose world key is `world`, their
    /// auto-linker and what building them reported, if this cache keeps.
    fn keep_names(
        &mut self,
        world: u128,
        (names, linker): (&Arc<Names>, &Arc<autolink::AutoLinker>),
        found: Diagnostics,
    ) {
        if self.keeps() {
            self.names = Some((world, (names.clone(), linker.clone()), found));
        }
    }
}

/// A page's link targets and what resolving them reported.
type Resolving = (Arc<[Target]>, Diagnostics);

/// The table of names, and the auto-linker made from it.
type Named = (Arc<Names>, Arc<autolink::AutoLinker>);

/// Everything resolving a link reads besides the linking page's own
/// text: every page's path, address, title, kind, layer, file, names,
/// extension and headings; the redirects and hidden pages; the assets; the
/// link check's level. While it is the same, a page whose text is the same
/// has the same targets and the same problems, and the names are the same.
fn world_key(loaded: &Loaded, kept: &mut crate::key::ByPage) -> u128 {
    // Each page's part on its own: kept with the page it was made from.
    let parts = kept.values(&loaded.pages, page_world_part);
    let mut key = crate::key::Key::new();
    key.add(&parts);
    for r in &loaded.redirects {
        key.add(&r.from_path).add(&r.from_title).add(&r.to_path);
    }
    for h in &loaded.hidden {
        key.add(&h.path).add(&h.names);
    }
    for a in &loaded.assets {
        key.add(&a.path);
    }
    key.add(loaded.config.links.level as u8);
    key.finish()
}

/// What [`world_key`] reads of one page.
fn page_world_part(page: &Page) -> u128 {
    let mut key = crate::key::Key::new();
    key.add(&page.path)
        .add(&page.url)
        .add(&page.title)
        .add(page.kind as u8)
        .add(page.layer)
        .add(page.file)
        .add(&page.defined_in)
        .add(page.extends.as_ref().map(|e| &e.value));
    // Where a concept's names are written is in the problems they can
    // have (a name two concepts use); other pages' spans are not read,
    // so an edit above a page's title changes nothing here.
    if page.kind == PageKind::Concept {
        key.add(&page.title_span);
    }
    let aliases = page.concept.iter().flat_map(|c| &c.aliases);
    key.add(aliases.clone().count());
    for alias in aliases {
        key.add(&alias.value).add(&alias.span);
    }
    key.add(page.headings.len());
    for h in page.headings.iter() {
        key.add(&h.id).add(&h.text);
    }
    key.finish()
}

/// A page's links' key: the world they are resolved in, and the page.
fn links_key(world: u128, id: PageId, page: &Page) -> u128 {
    let mut key = crate::key::Key::new();
    key.add(world)
        .add(id)
        .add(page.text_key)
        .add(page.body_start)
        .add(page.links.len());
    key.finish()
}

/// Like [`resolve`], reusing the auto-links `cache` holds from the previous
/// build and leaving there this build's (`serve`).
pub fn resolve_cached(
    loaded: &Loaded,
    cache: &mut ResolveCache,
    diags: &mut Diagnostics,
) -> Resolved {
    let pages = &loaded.pages;
    // A one-off resolve keeps nothing: no key to compute.
    let world = match cache.keeps() {
        true => world_key(loaded, &mut cache.world_parts),
        false => 0,
    };
    let extension_of = extension_targets(pages, diags);
    let owner: Vec<PageId> = (0..pages.len())
        .map(|id| extension_of[id].unwrap_or(id))
        .collect();
    let mut extensions: Vec<Vec<PageId>> = vec![Vec::new(); pages.len()];
    for (id, target) in extension_of.iter().enumerate() {
        if let Some(target) = target {
            extensions[*target].push(id);
        }
    }
    for list in &mut extensions {
        list.sort_by_key(|&e| (pages[e].layer, pages[e].path.clone()));
    }
    let (names, kept_linker, naming) =
        cache.names(world, |d| Names::build(loaded, &extension_of, d), diags);
    let level = loaded.config.links.level;
    let assets: FastSet<&str> = loaded.assets.iter().map(|a| a.path.as_str()).collect();

    // Each page's links in parallel, each with its own diagnostics, which
    // are reported in page order; beside them, a new auto-linker is built.
    let keep = cache.keeps();
    let kept = &cache.targets;
    let linker = || match &kept_linker {
        Some(linker) => linker.clone(),
        None => Arc::new(autolink::AutoLinker::new(&names)),
    };
    let each_page = || -> Vec<(u128, Resolving)> {
        pages
            .par_iter()
            .with_max_len(crate::sync::PAGES_PER_TASK)
            .enumerate()
            .map(|(id, page)| {
                let key = if keep { links_key(world, id, page) } else { 0 };
                if let Some(done) = kept.get(key) {
                    return (key, done.clone());
                }
                let resolver = LinkResolver {
                    pages,
                    names: &names,
                    assets: &assets,
                    extensions: &extensions,
                    page: id,
                    level,
                };
                let mut found = Diagnostics::default();
                let page_targets: Arc<[Target]> = page
                    .links
                    .iter()
                    .map(|link| match resolver.resolve(link, &mut found) {
                        // A link into an extension leads to the page it is shown on.
                        Target::Page { page, anchor } => Target::Page {
                            page: owner[page],
                            anchor,
                        },
                        other => other,
                    })
                    .collect();
                (key, (page_targets, found))
            })
            .collect()
    };
    let (linker, per_page) = rayon::join(linker, each_page);
    cache.keep_names(world, (&names, &linker), naming);
    cache
        .targets
        .keep_only(per_page.iter().map(|(key, done)| (*key, done)));
    let mut targets = Vec::with_capacity(pages.len());
    let mut link_keys = Vec::with_capacity(if keep { pages.len() } else { 0 });
    for (key, (page_targets, found)) in per_page {
        targets.push(page_targets);
        diags.extend(found);
        if keep {
            link_keys.push(key);
        }
    }

    let autolink_default = loaded.config.links.autolink;
    let autolinks = linker.find_all(
        pages,
        &owner,
        &targets,
        |page| page.autolink.unwrap_or(autolink_default),
        &mut cache.autolinks,
    );
    let concepts = page_concepts(pages, &names, &targets, &autolinks, level, diags);
    let concepts = with_extension_concepts(concepts, &extensions);
    let is_output = |id: PageId| owner[id] == id;
    // The lists by order, kept while the pages' places and concepts stay;
    // the backlinks, kept while every page's links stay.
    let lists_key = keep.then(|| ordered_key(world, pages, &concepts));
    let backlinks_key = keep.then(|| backlinks_key(world, &targets, &autolinks, &concepts));
    let (kept_lists, kept_backlinks) = (cache.ordered.take(), cache.backlinks.take());
    // The backlinks, and the lists by order, are made side by side: the
    // lists are mostly one thread's work.
    let (backlinks, lists) = rayon::join(
        || {
            let make = || Arc::new(backlinks(pages, &owner, &targets, &autolinks, &concepts));
            kept_or_made(kept_backlinks, backlinks_key, make)
        },
        || {
            let make = || ordered_lists(pages, &concepts, &is_output);
            kept_or_made(kept_lists, lists_key, make)
        },
    );
    cache.ordered = lists_key.map(|key| (key, lists.clone()));
    cache.backlinks = backlinks_key.map(|key| (key, backlinks.clone()));
    Resolved {
        targets,
        autolinks,
        backlinks,
        concepts,
        related: lists.related,
        home: lists.home,
        sections: lists.sections,
        reading_order: lists.reading_order,
        principles: lists.principles,
        concept_list: lists.concept_list,
        extensions,
        owner,
        children: lists.children,
        linker: Some(linker),
        link_keys,
    }
}

/// `kept`'s value if it was kept under `key`, else one `make` makes. In
/// debug builds, a kept value is checked against one made afresh: a key
/// that misses something its value is made from shows there.
fn kept_or_made<T: PartialEq>(
    kept: Option<(u128, T)>,
    key: Option<u128>,
    make: impl Fn() -> T,
) -> T {
    match kept.filter(|(was, _)| Some(*was) == key) {
        Some((_, value)) => {
            debug_assert!(value == make(), "kept by a key it was not made from");
            value
        }
        None => make(),
    }
}

/// The resolve stage's lists of pages in their order; the big ones shared
/// with the next build's, which finds them kept while they stay the same.
#[derive(Clone, Debug, PartialEq)]
struct Ordered {
    related: Arc<Vec<Vec<Related>>>,
    home: Option<PageId>,
    sections: Arc<Vec<Section>>,
    children: Arc<Vec<Vec<PageId>>>,
    reading_order: Vec<PageId>,
    principles: Vec<PageId>,
    concept_list: Vec<PageId>,
}

fn ordered_lists(
    pages: &[Arc<Page>],
    concepts: &[Vec<PageId>],
    is_output: &(dyn Fn(PageId) -> bool + Sync),
) -> Ordered {
    let rank = order_ranks(pages);
    let related = related_principles(pages, concepts, &rank);
    let (home, sections) = sections(pages, is_output, &rank);
    let children = children(pages, is_output, &rank);
    let mut reading_order: Vec<PageId> = home.into_iter().collect();
    for s in &sections {
        reading_order.extend(s.index);
        reading_order.extend(&s.pages);
    }
    let principles = by_order(pages, &rank, |p| p.kind == PageKind::Principle);
    let mut concept_list: Vec<PageId> = (0..pages.len())
        .filter(|&i| pages[i].kind == PageKind::Concept && is_output(i))
        .collect();
    concept_list.sort_by_cached_key(|&i| pages[i].title.to_lowercase());
    Ordered {
        related: Arc::new(related),
        home,
        sections: Arc::new(sections),
        children: Arc::new(children),
        reading_order,
        principles,
        concept_list,
    }
}

/// Everything [`ordered_lists`] reads: the world (each page's path, URL,
/// title, kind and what it extends), each page's `order`, and each page's
/// concepts.
fn ordered_key(world: u128, pages: &[Arc<Page>], concepts: &[Vec<PageId>]) -> u128 {
    let mut key = crate::key::Key::new();
    key.add(world);
    for (page, concepts) in pages.iter().zip(concepts) {
        key.add(page.order).add(concepts);
    }
    key.finish()
}

/// Everything [`backlinks`] reads: the world (which page extends which),
/// and each page's references in order: the pages its links lead to, the
/// concepts it auto-links, and its concepts. Not its text: most saves
/// change some page's text and none of its references.
fn backlinks_key(
    world: u128,
    targets: &[Arc<[Target]>],
    autolinks: &[Vec<AutoLink>],
    concepts: &[Vec<PageId>],
) -> u128 {
    let mut key = crate::key::Key::new();
    key.add(world);
    for ((targets, autolinks), concepts) in targets.iter().zip(autolinks).zip(concepts) {
        key.add(targets.len());
        for target in targets.iter() {
            key.add(match target {
                Target::Page { page, .. } => *page,
                _ => usize::MAX,
            });
        }
        key.add(autolinks.len());
        for autolink in autolinks {
            key.add(autolink.concept);
        }
        key.add(concepts);
    }
    key.finish()
}

/// For each page, the page its `extends` names, if any. An extension must
/// name a page of a lower layer.
fn extension_targets(pages: &[Arc<Page>], diags: &mut Diagnostics) -> Vec<Option<PageId>> {
    // The paths extensions name: few extensions, many pages.
    let named: FastSet<&str> = pages
        .iter()
        .filter_map(|p| Some(p.extends.as_ref()?.value.trim_start_matches('/')))
        .collect();
    // Each named path with the last page that has it, with or without `.md`.
    let mut by_path: FastMap<&str, PageId> = FastMap::default();
    if !named.is_empty() {
        for (id, p) in pages
            .iter()
            .enumerate()
            .filter(|(_, p)| p.extends.is_none())
        {
            for path in [p.path.as_str(), p.path.trim_end_matches(".md")] {
                if let Some(&path) = named.get(path) {
                    by_path.insert(path, id);
                }
            }
        }
    }
    pages
        .iter()
        .map(|page| {
            let wanted = page.extends.as_ref()?;
            let path = wanted.value.trim_start_matches('/');
            match by_path.get(path) {
                Some(&target) if pages[target].layer < page.layer => Some(target),
                found => {
                    let why = if found.is_some() {
                        "that page is in this layer or above it"
                    } else {
                        "no layer has that page"
                    };
                    let lower = pages
                        .iter()
                        .filter(|p| p.layer < page.layer && p.extends.is_none())
                        .map(|p| p.path.as_str());
                    diags.push(
                        Diagnostic::error(
                            Code::LayerTargetMissing,
                            format!("`extends` names `{path}`, but {why}"),
                        )
                        .at(page.file, wanted.span.clone(), "nothing to extend")
                        .with_help(did_you_mean(path, lower).unwrap_or_else(|| {
                            "name the source path of a page in a lower layer, e.g. `principles/x.md`"
                                .into()
                        })),
                    );
                    None
                }
            }
        })
        .collect()
}

/// A page relies on the concepts its extensions rely on too.
fn with_extension_concepts(
    mut concepts: Vec<Vec<PageId>>,
    extensions: &[Vec<PageId>],
) -> Vec<Vec<PageId>> {
    for (id, list) in extensions.iter().enumerate() {
        for &e in list {
            let extra = concepts[e].clone();
            for c in extra {
                if c != id && !concepts[id].contains(&c) {
                    concepts[id].push(c);
                }
            }
        }
    }
    concepts
}

/// Pages by the folder they sit in: the children of each folder's page.
fn children(
    pages: &[Arc<Page>],
    is_output: &dyn Fn(PageId) -> bool,
    rank: &[u32],
) -> Vec<Vec<PageId>> {
    let by_url: FastMap<&str, PageId> = (0..pages.len())
        .filter(|&i| is_output(i))
        .map(|i| (pages[i].url.as_str(), i))
        .collect();
    let mut out = vec![Vec::new(); pages.len()];
    for id in (0..pages.len()).filter(|&i| is_output(i) && !pages[i].url.is_empty()) {
        let url = pages[id].url.trim_end_matches('/');
        let parent = url.rfind('/').map_or("", |i| &url[..=i]);
        if let Some(&p) = by_url.get(parent) {
            out[p].push(id);
        }
    }
    for list in &mut out {
        list.sort_unstable_by_key(|&i| rank[i]);
    }
    out
}

struct LinkResolver<'a> {
    pages: &'a [Arc<Page>],
    names: &'a Names,
    assets: &'a FastSet<&'a str>,
    extensions: &'a [Vec<PageId>],
    page: PageId,
    level: Severity,
}

impl LinkResolver<'_> {
    fn diag(&self, code: Code, message: String) -> Diagnostic {
        Diagnostic::new(self.level, code, message)
    }

    fn resolve(&self, link: &LinkRef, diags: &mut Diagnostics) -> Target {
        match link.kind {
            LinkKind::Wiki => self.resolve_wiki(link, diags),
            LinkKind::Markdown | LinkKind::Image => self.resolve_path(link, diags),
        }
    }

    fn resolve_wiki(&self, link: &LinkRef, diags: &mut Diagnostics) -> Target {
        let page = &self.pages[self.page];
        let (name, fragment) = split_fragment(&link.dest);
        let name = name.trim();
        let target = if name.is_empty() {
            self.page
        } else {
            match self.names.lookup(name) {
                [] if self.names.is_hidden(name) => return Target::Hidden,
                [] => {
                    diags.push(
                        self.diag(
                            Code::UnknownPage,
                            format!("no page or concept is named `{name}`"),
                        )
                        .at(page.file, link.span.clone(), "unknown name")
                        .with_help_opt(self.names.suggest(name)),
                    );
                    return Target::Broken;
                }
                [one] => *one,
                several => {
                    let paths: Vec<String> = several
                        .iter()
                        .map(|&p| format!("`{}`", self.pages[p].path))
                        .collect();
                    diags.push(
                        self.diag(
                            Code::AmbiguousLink,
                            format!("`{name}` names more than one page: {}", paths.join(", ")),
                        )
                        .at(page.file, link.span.clone(), "ambiguous")
                        .with_help(format!(
                            "link by path instead, e.g. `[[{}]]`",
                            self.pages[several[0]].path.trim_end_matches(".md")
                        )),
                    );
                    return Target::Broken;
                }
            }
        };
        self.with_anchor(target, fragment, link, diags)
    }

    fn resolve_path(&self, link: &LinkRef, diags: &mut Diagnostics) -> Target {
        let page = &self.pages[self.page];
        if paths::is_external(&link.dest) {
            return Target::External;
        }
        let (path, fragment) = split_fragment(&link.dest);
        if path.is_empty() {
            return self.with_anchor(self.page, fragment, link, diags);
        }
        let resolved = paths::join(page.dir(), path);
        let found = resolved.as_deref().and_then(|p| {
            if link.kind == LinkKind::Markdown {
                self.names.by_path(p).map(Ok)
            } else {
                None
            }
            .or_else(|| self.assets.contains(p).then(|| Err(p.to_string())))
        });
        match found {
            Some(Ok(target)) => self.with_anchor(target, fragment, link, diags),
            Some(Err(asset)) => Target::Asset(asset),
            None if resolved.as_deref().is_some_and(|p| self.names.is_hidden(p)) => Target::Hidden,
            None => {
                let what = if link.kind == LinkKind::Image {
                    "image"
                } else {
                    "file"
                };
                diags.push(
                    self.diag(
                        Code::BrokenLink,
                        format!("link to a missing {what}: `{path}`"),
                    )
                    .at(page.file, link.span.clone(), "no such file")
                    .with_help_opt(resolved.and_then(|p| self.names.suggest_path(&p))),
                );
                Target::Broken
            }
        }
    }

    fn with_anchor(
        &self,
        target: PageId,
        fragment: Option<&str>,
        link: &LinkRef,
        diags: &mut Diagnostics,
    ) -> Target {
        let Some(fragment) = fragment.filter(|f| !f.is_empty()) else {
            return Target::Page {
                page: target,
                anchor: None,
            };
        };
        // A page's anchors include those of the company sections shown on it.
        let shown = std::iter::once(target).chain(self.extensions[target].iter().copied());
        let headings: Vec<&Heading> = shown.flat_map(|p| self.pages[p].headings.iter()).collect();
        if let Some(h) = find_heading(&headings, fragment) {
            return Target::Page {
                page: target,
                anchor: Some(h.id.clone()),
            };
        }
        let page = &self.pages[self.page];
        let where_ = if target == self.page {
            "this page".to_string()
        } else {
            format!("`{}`", self.pages[target].path)
        };
        diags.push(
            self.diag(
                Code::BrokenAnchor,
                format!("{where_} has no heading `{fragment}`"),
            )
            .at(page.file, link.span.clone(), "no such heading")
            .with_help_opt(did_you_mean(
                fragment,
                headings.iter().map(|h| h.text.as_str()),
            )),
        );
        Target::Broken
    }
}

fn find_heading<'a>(headings: &[&'a Heading], fragment: &str) -> Option<&'a Heading> {
    let decoded = paths::percent_decode(fragment);
    let slug = slugify(&decoded);
    headings
        .iter()
        .find(|h| h.id == decoded || h.id == slug || h.text.eq_ignore_ascii_case(&decoded))
        .copied()
}

fn split_fragment(dest: &str) -> (&str, Option<&str>) {
    match dest.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (dest, None),
    }
}

/// Concepts each page relies on: a principle's front matter `concepts`, then
/// every concept its body links to, each once.
fn page_concepts(
    pages: &[Arc<Page>],
    names: &Names,
    targets: &[Arc<[Target]>],
    autolinks: &[Vec<AutoLink>],
    level: Severity,
    diags: &mut Diagnostics,
) -> Vec<Vec<PageId>> {
    // In parallel, each page with its own problems, reported in page order.
    let per_page: Vec<(Vec<PageId>, Diagnostics)> = (0..pages.len())
        .into_par_iter()
        .map(|id| concepts_of((pages, names), (targets, autolinks), id, level))
        .collect();
    let mut out = Vec::with_capacity(pages.len());
    for (list, found) in per_page {
        out.push(list);
        diags.extend(found);
    }
    out
}

/// The concepts page `id` relies on (see [`page_concepts`]), with the
/// problems of its front matter's.
fn concepts_of(
    (pages, names): (&[Arc<Page>], &Names),
    (targets, autolinks): (&[Arc<[Target]>], &[Vec<AutoLink>]),
    id: PageId,
    level: Severity,
) -> (Vec<PageId>, Diagnostics) {
    let page = &pages[id];
    let mut diags = Diagnostics::default();
    let mut list: Vec<PageId> = Vec::new();
    let declared = page
        .principle
        .as_ref()
        .map(|p| p.concepts.as_slice())
        .unwrap_or(&[]);
    for name in declared {
        match names.concept(&name.value) {
            Some(c) => list.push(c),
            None => {
                diags.push(
                    Diagnostic::new(
                        level,
                        Code::UnknownPage,
                        format!("no concept is named `{}`", name.value),
                    )
                    .at(page.file, name.span.clone(), "unknown concept")
                    .with_help_opt(names.suggest_concept(&name.value)),
                );
            }
        }
    }
    for target in targets[id].iter() {
        if let Target::Page { page: t, .. } = target {
            if pages[*t].kind == PageKind::Concept && *t != id {
                list.push(*t);
            }
        }
    }
    list.extend(autolinks[id].iter().map(|a| a.concept));
    // Each once, first place kept; most lists are short enough to scan.
    if list.len() > 32 {
        let mut seen = FastSet::default();
        list.retain(|c| seen.insert(*c));
    } else {
        let mut kept = 0;
        for i in 0..list.len() {
            if !list[..kept].contains(&list[i]) {
                list[kept] = list[i];
                kept += 1;
            }
        }
        list.truncate(kept);
    }
    (list, diags)
}

/// Who refers to each page. A reference from an extension counts as one
/// from the page it is shown on.
fn backlinks(
    pages: &[Arc<Page>],
    owner: &[PageId],
    targets: &[Arc<[Target]>],
    autolinks: &[Vec<AutoLink>],
    concepts: &[Vec<PageId>],
) -> Vec<Vec<Backlink>> {
    // Every reference as (to, from, where its sentence is), in source order: per page its
    // links, then its auto-links, then the concepts its front matter
    // declares (a reference too). Gathered in parallel, in order.
    let refs: Vec<(PageId, Backlink)> = targets
        .par_iter()
        .enumerate()
        .flat_map_iter(|(page, page_targets)| {
            let from = owner[page];
            let linked = move |c: PageId| {
                page_targets
                    .iter()
                    .any(|t| matches!(t, Target::Page { page, .. } if *page == c))
                    || autolinks[page].iter().any(|a| a.concept == c)
            };
            let links = page_targets
                .iter()
                .enumerate()
                .filter_map(move |(index, target)| match target {
                    Target::Page { page: to, .. } if *to != from => {
                        let said = Said::Link { page, index };
                        Some((*to, Backlink { from, said }))
                    }
                    _ => None,
                });
            let auto = autolinks[page].iter().enumerate().map(move |(index, a)| {
                let said = Said::Auto { page, index };
                (a.concept, Backlink { from, said })
            });
            // A concept the page links to is referred to by that link,
            // which comes first and is the one kept.
            let declared = concepts[page]
                .iter()
                .filter(move |&&c| c != from && !linked(c))
                .map(move |&c| {
                    let said = Said::Summary;
                    (c, Backlink { from, said })
                });
            links.chain(auto).chain(declared)
        })
        .collect();
    // The references by target, in source order (a counting sort: one
    // pass, no comparisons), then each target's ordered by the page they
    // come from. A stable sort keeps each pair's first reference first:
    // its context is the one shown.
    let mut start = vec![0usize; pages.len() + 1];
    for &(to, _) in &refs {
        start[to + 1] += 1;
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    let mut next = start.clone();
    let nobody = Backlink {
        from: 0,
        said: Said::Summary,
    };
    let mut by_target = vec![nobody; refs.len()];
    for (to, backlink) in refs {
        by_target[next[to]] = backlink;
        next[to] += 1;
    }
    (0..pages.len())
        .into_par_iter()
        .map(|to| {
            let mut refs = by_target[start[to]..start[to + 1]].to_vec();
            refs.sort_by_key(|b| b.from);
            refs.dedup_by_key(|b| b.from);
            refs
        })
        .collect()
}

/// For each principle, the other principles that share its concepts, most
/// shared first. Uses the concept → principles index, so the cost is the sum
/// over concepts of their users, not pages squared.
fn related_principles(
    pages: &[Arc<Page>],
    concepts: &[Vec<PageId>],
    rank: &[u32],
) -> Vec<Vec<Related>> {
    let mut users: FastMap<PageId, Vec<PageId>> = FastMap::default();
    for (id, list) in concepts.iter().enumerate() {
        if pages[id].kind == PageKind::Principle {
            for &c in list {
                users.entry(c).or_default().push(id);
            }
        }
    }
    let mut out = vec![Vec::new(); pages.len()];
    for (id, list) in concepts.iter().enumerate() {
        if pages[id].kind != PageKind::Principle {
            continue;
        }
        let mut shared: BTreeMap<PageId, Vec<PageId>> = BTreeMap::new();
        for &c in list {
            for &other in users.get(&c).map(Vec::as_slice).unwrap_or(&[]) {
                if other != id {
                    shared.entry(other).or_default().push(c);
                }
            }
        }
        let mut related: Vec<Related> = shared
            .into_iter()
            .map(|(page, shared)| Related { page, shared })
            .collect();
        related.sort_by(|a, b| {
            b.shared
                .len()
                .cmp(&a.shared.len())
                .then_with(|| rank[a.page].cmp(&rank[b.page]))
        });
        related.truncate(MAX_RELATED);
        out[id] = related;
    }
    out
}

fn order_key(page: &Page) -> (i64, String, &str) {
    (
        page.order.unwrap_or(i64::MAX),
        page.title.to_lowercase(),
        &page.path,
    )
}

/// Each page's place in the order pages are listed in: by `order`, then
/// title, then path, then id. Ranked once, so that the many lists sorted
/// by it compare numbers.
fn order_ranks(pages: &[Arc<Page>]) -> Vec<u32> {
    let mut keyed: Vec<((i64, String, &str), PageId)> = pages
        .par_iter()
        .enumerate()
        .map(|(id, page)| (order_key(page), id))
        .collect();
    // Keys are distinct (the id breaks ties), so an unstable sort is exact.
    keyed.par_sort_unstable();
    let mut rank = vec![0u32; pages.len()];
    for (place, (_, id)) in keyed.into_iter().enumerate() {
        rank[id] = place as u32;
    }
    rank
}

fn by_order(pages: &[Arc<Page>], rank: &[u32], keep: impl Fn(&Page) -> bool) -> Vec<PageId> {
    let mut ids: Vec<PageId> = (0..pages.len()).filter(|&i| keep(&pages[i])).collect();
    ids.sort_unstable_by_key(|&i| rank[i]);
    ids
}

/// Groups pages by their first URL segment. Sections are ordered by their
/// index page's `order`, then title; pages within them likewise.
fn sections(
    pages: &[Arc<Page>],
    is_output: &dyn Fn(PageId) -> bool,
    rank: &[u32],
) -> (Option<PageId>, Vec<Section>) {
    let mut home = None;
    let mut groups: BTreeMap<&str, Section> = BTreeMap::new();
    for (id, page) in pages.iter().enumerate().filter(|(id, _)| is_output(*id)) {
        if page.url.is_empty() {
            home = Some(id);
            continue;
        }
        let key = page.section();
        let section = groups.entry(key).or_insert_with(|| Section {
            key: key.to_string(),
            index: None,
            pages: Vec::new(),
        });
        if page.url.strip_suffix('/') == Some(key) {
            section.index = Some(id);
        } else {
            section.pages.push(id);
        }
    }
    let mut sections: Vec<Section> = groups.into_values().collect();
    for s in &mut sections {
        s.pages.sort_unstable_by_key(|&i| rank[i]);
    }
    sections.sort_by_cached_key(|s| match s.index {
        Some(i) => (order_key(&pages[i]), s.key.clone()),
        None => ((i64::MAX, s.key.clone(), ""), s.key.clone()),
    });
    (home, sections)
}
