//! Stage 3, render: resolved pages → HTML files, through Tera templates.
//!
//! Each page is rendered on its own (in parallel) from a context that holds
//! only what its template shows: the sidebar lists a window of sections and
//! of the current section's pages (see `nav`), never the whole site, so a
//! page costs the same at ten pages or a hundred thousand.

mod body;
pub(crate) mod cache;
mod context;
mod face;
mod graph;
mod lists;
mod nav;
mod overwrite;
mod theme;
pub(crate) mod urls;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rayon::prelude::*;

use crate::content::{Loaded, PageId, PageKind};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::links::Resolved;
use body::BodyInput;
use context::ContextBuilder;

/// One rendered page.
#[derive(Clone, Debug)]
pub struct RenderedPage {
    /// Output path, `principles/owner/index.html`.
    pub path: String,
    /// Shared with the render cache in `serve`, so a page reused from the
    /// previous build is not copied.
    pub html: crate::pipeline::Bytes,
}

/// The output of the render stage: every file of the site but the search index.
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    /// The pages, unless a [`crate::pipeline::Sink`] took each as it was
    /// rendered.
    pub pages: Vec<RenderedPage>,
    /// Per page (by id), its sections' plain text, for the search index;
    /// empty for pages not rendered, and empty throughout when the render
    /// stage gave them to a [`Beside`] instead.
    pub sections: Vec<Sections>,
    /// Per page, the key its body and sections were rendered under, when
    /// the cache keeps bodies (`serve`): whatever is made of a page's
    /// sections can be keyed by it, without hashing them again.
    pub body_keys: Option<Vec<u128>>,
    /// Everything else: assets, print edition, 404, sitemap, robots.
    pub files: BTreeMap<String, Vec<u8>>,
}

/// A page as the render stage found it: the keys it is cached under, and
/// whether it came from the cache.
struct Found {
    /// Its key by its face (see [`face`]), when the cache keeps pages.
    face_key: Option<u128>,
    /// Its key by its whole template context.
    context_key: u128,
    reused: bool,
    page: RenderedPage,
}

/// Finds each page's HTML: in the cache by its face, else by its
/// whole context, else by rendering it.
struct Finder<'a> {
    loaded: &'a Loaded,
    resolved: &'a Resolved,
    cache: &'a RenderCache,
    builder: &'a ContextBuilder<'a>,
    tera: &'a tera::Tera,
    body_keys: &'a [u128],
    templates: u128,
    faces: Option<face::Faces>,
    /// The size of a page just rendered.
    size_hint: AtomicUsize,
}

impl Finder<'_> {
    /// Page `id`, showing the bodies `shown` (see [`Shown`]), found in
    /// the cache or rendered; `context` is a context of this build's to
    /// fill (see `ContextBuilder::fill_page_context`).
    fn find(
        &self,
        (id, shown): (PageId, &[Arc<Body>]),
        context: &mut tera::Context,
    ) -> Result<Found, Box<Diagnostic>> {
        let template = template_for(self.loaded, id);
        let shown_bodies: Vec<u128> = self.resolved.shown(id).map(|p| self.body_keys[p]).collect();
        let face_key = self
            .faces
            .as_ref()
            .map(|faces| faces.page_key(self.builder, self.resolved, id, &template, &shown_bodies));
        let known = face_key
            .and_then(|k| self.cache.faces.get(&k))
            .and_then(|&key| Some((key, self.cache.pages.get(&key)?.clone())));
        let (context_key, html, reused) = match known {
            Some((key, html)) => {
                debug_assert_eq!(
                    page_key(
                        self.templates,
                        &template,
                        &self.builder.page_context(id, shown)
                    ),
                    key,
                    "render::face misses an input of the context of `{}`",
                    self.loaded.pages[id].path
                );
                (key, html, true)
            }
            None => self.by_context((id, shown), &template, context)?,
        };
        Ok(Found {
            face_key,
            context_key,
            reused,
            page: RenderedPage {
                path: urls::output_path(&self.loaded.pages[id].url),
                html,
            },
        })
    }

    /// Builds the page's context: the cache may have its HTML under the
    /// context's key; if not, renders it.
    fn by_context(
        &self,
        (id, shown): (PageId, &[Arc<Body>]),
        template: &str,
        context: &mut tera::Context,
    ) -> Result<(u128, crate::pipeline::Bytes, bool), Box<Diagnostic>> {
        self.builder.fill_page_context(context, id, shown);
        let context = &*context;
        let key = if self.cache.keep {
            page_key(self.templates, template, context)
        } else {
            0
        };
        Ok(match self.cache.pages.get(&key) {
            Some(html) => (key, html.clone(), true),
            None => {
                // Sized like the page before: pages of a site are alike,
                // so the buffer seldom grows while the template writes.
                let hint = self.size_hint.load(Ordering::Relaxed);
                let mut html = Vec::with_capacity(hint + hint / 8);
                render_template(self.tera, template, context, (self.loaded, id), &mut html)?;
                self.size_hint.store(html.len(), Ordering::Relaxed);
                (key, crate::pipeline::Bytes::new(html), false)
            }
        })
    }
}

/// How much to render.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every page: a build.
    All,
    /// One page per template, enough to find every template error: `check`,
    /// which writes nothing and must stay fast on big sites.
    OnePerTemplate,
}

pub use body::{Body, SectionText, Sections};
pub use cache::RenderCache;

/// Work that needs only the pages' section texts (the search index), run
/// beside the page templates as soon as the bodies are rendered: it has
/// steps that keep one core alone, and the templates fill the other.
/// With the texts come the keys of the bodies, when the cache keeps them
/// (see [`Rendered::body_keys`]).
pub type Beside<'a> = Box<dyn FnOnce(Vec<Sections>, Option<&[u128]>) + Send + 'a>;

pub fn render(
    loaded: &Loaded,
    resolved: &Resolved,
    scope: Scope,
    diags: &mut Diagnostics,
) -> Rendered {
    let progress = crate::pipeline::Progress::default();
    let mut cache = RenderCache::default();
    let theme = compile(loaded, &cache, diags);
    render_cached(
        (loaded, resolved, theme),
        scope,
        &mut cache,
        &progress,
        (None, None),
        diags,
    )
}

/// The theme's templates, compiled, and the key they are kept by
/// (`serve`); no templates when one of them does not compile.
pub struct Theme {
    key: u128,
    tera: Option<Arc<tera::Tera>>,
}

/// The theme's templates compiled, or taken from `cache` when it kept
/// them as they are; what fails to compile is reported in `diags`. The
/// pipeline compiles them beside the resolve stage: they need no links,
/// and resolving starts with steps that keep one core alone.
pub fn compile(loaded: &Loaded, cache: &RenderCache, diags: &mut Diagnostics) -> Theme {
    let key = if cache.keep { templates_key(loaded) } else { 0 };
    let kept = cache.compiled.as_ref().filter(|(k, _)| *k == key);
    let tera = match kept {
        Some((_, tera)) => Some(tera.clone()),
        None => theme::compile(&loaded.templates, &loaded.sources, diags).map(Arc::new),
    };
    Theme { key, tera }
}

/// Like [`render`], reusing what `cache` holds from the previous build and
/// leaving there what this one made. Each page goes to `sink`, if any, as
/// it is rendered; `beside`, if any, gets the section texts instead of
/// [`Rendered::sections`] (see [`Beside`]).
pub fn render_cached(
    (loaded, resolved, theme): (&Loaded, &Resolved, Theme),
    scope: Scope,
    cache: &mut RenderCache,
    progress: &crate::pipeline::Progress,
    (sink, beside): (Option<&dyn crate::pipeline::Sink>, Option<Beside<'_>>),
    diags: &mut Diagnostics,
) -> Rendered {
    let mut rendered = Rendered::default();
    // `check` renders to find problems and writes nothing: no files but pages.
    let all = scope == Scope::All;
    if all {
        for asset in loaded
            .assets
            .iter()
            .filter(|a| a.path != crate::index::CLIENT)
        {
            rendered
                .files
                .insert(asset.path.clone(), asset.bytes.to_vec());
        }
    }
    let Theme {
        key: templates,
        tera: Some(tera),
    } = theme
    else {
        return rendered;
    };
    let mut templates_seen = std::collections::HashSet::new();
    let to_render: Vec<PageId> = (0..loaded.pages.len())
        .filter(|&id| resolved.is_output(id))
        .filter(|&id| scope == Scope::All || templates_seen.insert(template_for(loaded, id)))
        .collect();
    // A page shows its extensions' bodies too.
    let mut needed = vec![scope == Scope::All; loaded.pages.len()];
    for &id in &to_render {
        needed[id] = true;
        for &e in &resolved.extensions[id] {
            needed[e] = true;
        }
    }
    let with_text = all;
    // A page's body as shown at `shown_at`, from the cache when it has it;
    // with its key, and the key's stand-in if it has one.
    let body_at = |id: PageId, shown_at: &str, with_text: bool| {
        let input = BodyInput {
            // A one-off build renders each body once, and frees its events.
            take_events: !cache.keep,
            ..body_input(loaded, resolved, id, shown_at)
        };
        // A one-off build keeps nothing: no key to compute.
        let (stand_in, key) = match cache.keep {
            true => body_key(
                &input,
                resolved.link_keys.get(id),
                &cache.body_key_by_stand_in,
            ),
            false => (None, 0),
        };
        let body = match cache.bodies.get(key) {
            Some(done) => done.clone(),
            None => Arc::new(body::render_body_and_text(&input, with_text)),
        };
        (stand_in, key, body)
    };
    let unshown = Arc::new(Body::default());
    let bodies: Vec<(Option<u128>, u128, Arc<Body>)> = (0..loaded.pages.len())
        .into_par_iter()
        .with_max_len(crate::sync::PAGES_PER_TASK)
        .map(|id| {
            if !needed[id] {
                return (None, 0, unshown.clone());
            }
            body_at(id, &loaded.pages[resolved.owner[id]].url, with_text)
        })
        .collect();
    // Links in the print edition are relative to it, not to each principle;
    // the template makes ids unique across principles.
    let print_bodies: Vec<(Option<u128>, u128, Arc<Body>)> = match scope {
        Scope::All => resolved
            .principles
            .par_iter()
            .map(|&id| body_at(id, context::PRINT_URL, false))
            .collect(),
        Scope::OnePerTemplate => Vec::new(),
    };
    // The cache keeps exactly the bodies this build used, and their keys'
    // stand-ins.
    let used = || {
        let pages = bodies.iter().enumerate().filter(|(id, _)| needed[*id]);
        pages.map(|(_, used)| used).chain(&print_bodies)
    };
    cache
        .bodies
        .keep_only(used().map(|(_, key, body)| (*key, body)));
    cache
        .body_key_by_stand_in
        .keep_only(used().filter_map(|(stand_in, key, _)| Some(((*stand_in)?, key))));
    let (body_keys, mut bodies): (Vec<u128>, Vec<Arc<Body>>) =
        bodies.into_iter().map(|(_, key, body)| (key, body)).unzip();
    // The texts of bodies made for this build alone (a one-off build's)
    // are moved out, not shared: the index then frees each page's as it
    // goes, while the templates still hold the bodies.
    let sections: Vec<Sections> = bodies
        .iter_mut()
        .map(|body| match Arc::get_mut(body) {
            Some(body) => std::mem::take(&mut body.sections),
            None => body.sections.clone(),
        })
        .collect();
    let work = shown_bodies(resolved, &to_render, bodies);
    let places = nav::places(resolved);
    let keys = nav_keys(loaded, &places, &to_render);
    let previous = (templates, &cache.sidebars);
    let nav = match nav::NavCache::build(&tera, loaded, resolved, places, keys, previous) {
        Ok(nav) => {
            cache.sidebars.keep_only(nav.rendered());
            nav
        }
        Err(e) => {
            diags.push(Diagnostic::error(
                Code::TemplateError,
                format!("template `nav.html` failed: {}", theme::error_chain(&e)),
            ));
            nav::NavCache::default()
        }
    };
    let builder = ContextBuilder::new(loaded, resolved, &nav);
    progress
        .total
        .store(to_render.len(), std::sync::atomic::Ordering::Relaxed);
    progress.done.store(0, std::sync::atomic::Ordering::Relaxed);
    // Only a cache that keeps pages needs faces (see `face`).
    let faces = cache.keep.then(|| {
        let kept = &mut cache.page_parts;
        face::Faces::new((loaded, resolved), &builder, templates, kept)
    });
    let finder = Finder {
        loaded,
        resolved,
        cache,
        builder: &builder,
        tera: &tera,
        body_keys: &body_keys,
        templates,
        faces,
        size_hint: AtomicUsize::new(0),
    };
    let (print_keys, print_bodies): (Vec<u128>, Vec<Arc<Body>>) =
        print_bodies.into_iter().map(|(_, key, b)| (key, b)).unzip();
    // The pages, and beside them the few files made of the whole site.
    let find_pages = || -> Vec<Result<Found, Box<Diagnostic>>> {
        work.into_par_iter()
            .with_max_len(crate::sync::PAGES_PER_TASK)
            .map_init(
                || builder.blank_context(),
                |context, (id, shown)| {
                    progress
                        .done
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let mut found = finder.find((id, &shown), context)?;
                    // Handed over, the page's HTML is not kept (a build that keeps
                    // pages for the next, `serve`, has no sink).
                    if let Some(sink) = sink {
                        debug_assert!(!cache.keep, "a sink with a keeping cache");
                        sink.put(&found.page.path, &found.page.html);
                        found.page.html = Default::default();
                    }
                    Ok(found)
                },
            )
            .collect()
    };
    let specials = (finder.faces.as_ref(), &cache.specials);
    let whole_site = || {
        whole_site_files(
            (&tera, &builder),
            (&print_bodies, &print_keys),
            (loaded, resolved),
            specials,
            all,
        )
    };
    let (results, whole_site) = match beside {
        Some(beside) => {
            let (results, (whole_site, ())) = rayon::join(find_pages, || {
                rayon::join(whole_site, || {
                    beside(sections, cache.keep.then_some(&body_keys[..]))
                })
            });
            (results, whole_site)
        }
        None => {
            rendered.sections = sections;
            rayon::join(find_pages, whole_site)
        }
    };
    // The cache keeps exactly what this build used, if it keeps anything.
    let mut next = RenderCache {
        keep: cache.keep,
        bodies: std::mem::take(&mut cache.bodies),
        body_key_by_stand_in: std::mem::take(&mut cache.body_key_by_stand_in),
        specials: std::mem::take(&mut cache.specials),
        page_parts: std::mem::take(&mut cache.page_parts),
        sidebars: std::mem::take(&mut cache.sidebars),
        compiled: cache.keep.then(|| (templates, tera.clone())),
        ..RenderCache::default()
    };
    if next.keep {
        next.pages.reserve(results.len());
        next.faces.reserve(results.len());
    }
    rendered.body_keys = cache.keep.then_some(body_keys);
    let mut seen_errors = std::collections::BTreeSet::new();
    for r in results {
        match r {
            Ok(found) => {
                if found.reused {
                    next.reused += 1;
                } else {
                    next.rendered += 1;
                }
                if next.keep {
                    next.pages
                        .insert(found.context_key, found.page.html.clone());
                    if let Some(face_key) = found.face_key {
                        next.faces.insert(face_key, found.context_key);
                    }
                }
                if sink.is_none() {
                    rendered.pages.push(found.page);
                }
            }
            // One broken template fails every page that uses it: say it once.
            Err(d) if seen_errors.insert(d.message.clone()) => diags.push(*d),
            Err(_) => {}
        }
    }

    // The special pages come first, each with its key if it has one.
    let keyed = whole_site.files.iter();
    next.specials
        .keep_only(keyed.filter_map(|(_, html, key)| Some(((*key)?, html))));
    let files = whole_site.files.into_iter();
    rendered
        .files
        .extend(files.map(|(path, html, _)| (path, html)));
    diags.extend(whole_site.problems);
    *cache = next;
    rendered
}

/// The bodies a page shows (see [`Resolved::shown`]): its own, then its
/// extensions'.
type Shown = Vec<Arc<Body>>;

/// Each page of `to_render` with the bodies it shows, each moved out of
/// `bodies` (by page id) for the last page that shows it: once that page
/// is rendered, a body no cache keeps is freed, so a big build never holds
/// every body while it renders its templates and, beside them, its index.
fn shown_bodies(
    resolved: &Resolved,
    to_render: &[PageId],
    bodies: Vec<Arc<Body>>,
) -> Vec<(PageId, Shown)> {
    let mut uses = vec![0usize; bodies.len()];
    for p in to_render.iter().flat_map(|&id| resolved.shown(id)) {
        uses[p] += 1;
    }
    let mut bodies: Vec<Option<Arc<Body>>> = bodies.into_iter().map(Some).collect();
    let mut take = |p: PageId| {
        uses[p] -= 1;
        let body = match uses[p] {
            0 => bodies[p].take(),
            _ => bodies[p].clone(),
        };
        body.unwrap_or_default()
    };
    to_render
        .iter()
        .map(|&id| (id, resolved.shown(id).map(&mut take).collect()))
        .collect()
}

/// The files made of the whole site rather than of one page: the print
/// edition, the 404 and search pages, and, when the build writes every
/// file, the sitemap and `robots.txt`; with the problems they had. Where
/// `faces` are made (`serve`), a special page is kept in `kept` by its key:
/// a save seldom changes what it shows.
fn whole_site_files(
    (tera, builder): (&tera::Tera, &ContextBuilder<'_>),
    (print_bodies, print_keys): (&[Arc<Body>], &[u128]),
    (loaded, resolved): (&Loaded, &Resolved),
    (faces, kept): (Option<&face::Faces>, &crate::key::Kept<Vec<u8>>),
    all: bool,
) -> WholeSite {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    // A theme without a search page simply has none.
    let made_here =
        |s: &Special| *s != Special::Search || tera.get_template_names().any(|n| n == s.template());
    for special in Special::ALL.into_iter().filter(made_here) {
        let template = special.template();
        let root = special.root(&loaded.config.base_url);
        let print_keys = special.lists().then_some(print_keys);
        let key = faces.map(|f| f.special_key((builder, resolved), template, &root, print_keys));
        let made = || tera.render(template, &special.context(builder, print_bodies));
        let html = match key.and_then(|key| kept.get(key)) {
            Some(html) => {
                debug_assert!(
                    made().ok().as_deref().map(str::as_bytes) == Some(&html[..]),
                    "{template} kept by a key it was not made from"
                );
                Ok(html.clone())
            }
            None => made().map(String::into_bytes),
        };
        match html {
            Ok(html) => files.push((special.path(), html, key)),
            Err(e) => problems.push(Diagnostic::error(
                Code::TemplateError,
                format!("template `{template}` failed: {}", theme::error_chain(&e)),
            )),
        }
    }
    if all {
        files.push((SITEMAP.into(), sitemap(loaded, resolved).into_bytes(), None));
        files.push((ROBOTS.into(), robots(loaded).into_bytes(), None));
    }
    WholeSite { files, problems }
}

/// What [`whole_site_files`] made.
struct WholeSite {
    /// Each file, with its key if it is kept by one.
    files: Vec<(String, Vec<u8>, Option<u128>)>,
    problems: Vec<Diagnostic>,
}

/// A body's key, and its stand-in when its page's links were resolved
/// under a key (`link_key`): the key is looked up by the stand-in in
/// `known`, the keys of the last build's bodies, before it is made.
fn body_key(
    input: &BodyInput<'_>,
    link_key: Option<&u128>,
    known: &crate::key::Kept<u128>,
) -> (Option<u128>, u128) {
    let stand_in = link_key.map(|&k| body::body_key_stand_in(input, k));
    match stand_in.and_then(|s| known.get(s)) {
        Some(&key) => {
            debug_assert_eq!(key, body::body_key(input), "a stand-in for another key");
            (stand_in, key)
        }
        None => (stand_in, body::body_key(input)),
    }
}

fn body_input<'a>(
    loaded: &'a Loaded,
    resolved: &'a Resolved,
    id: PageId,
    shown_at: &'a str,
) -> BodyInput<'a> {
    BodyInput {
        page: &loaded.pages[id],
        targets: &resolved.targets[id],
        autolinks: &resolved.autolinks[id],
        pages: &loaded.pages,
        extensions: &resolved.extensions,
        style: loaded.config.url_style,
        shown_at,
        take_events: false,
    }
}

const SITEMAP: &str = "sitemap.xml";
const ROBOTS: &str = "robots.txt";

/// The pages the render stage makes besides the playbook's own.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Special {
    Print,
    NotFound,
    Search,
}

impl Special {
    const ALL: [Special; 3] = [Special::Print, Special::NotFound, Special::Search];

    fn template(self) -> &'static str {
        match self {
            Special::Print => "print.html",
            Special::NotFound => "404.html",
            Special::Search => "search.html",
        }
    }

    fn path(self) -> String {
        match self {
            Special::Print => urls::output_path(context::PRINT_URL),
            Special::NotFound => "404.html".into(),
            Special::Search => urls::output_path(context::SEARCH_URL),
        }
    }

    /// The way back to the site's root, as its context has it.
    fn root(self, base_url: &str) -> String {
        match self {
            Special::Print => urls::root_prefix(context::PRINT_URL),
            Special::NotFound => context::not_found_root(base_url),
            Special::Search => urls::root_prefix(context::SEARCH_URL),
        }
    }

    /// Whether it lists every principle, with its printed body, and every
    /// concept: the print edition does.
    fn lists(self) -> bool {
        self == Special::Print
    }

    fn context(self, builder: &ContextBuilder<'_>, print_bodies: &[Arc<Body>]) -> tera::Context {
        match self {
            Special::Print => builder.print_context(print_bodies),
            Special::NotFound => builder.not_found_context(),
            Special::Search => builder.search_context(),
        }
    }
}

/// Whether the render stage writes `path` itself, over any asset of that
/// path: a page of `loaded`, a special page, the sitemap or the robots
/// file.
pub(crate) fn writes(loaded: &Loaded, path: &str) -> bool {
    let page_url = path.strip_suffix(&urls::output_path(""));
    [SITEMAP, ROBOTS].contains(&path)
        || Special::ALL.iter().any(|s| s.path() == path)
        || page_url.is_some_and(|url| loaded.pages.iter().any(|p| p.url == url))
}

/// Page `id` alone, rendered as the render stage renders it, over the site
/// `loaded` and `resolved`, with the templates and sidebars `cache` kept
/// from the last build (`serve` shows a saved page this way before the
/// build; see `pipeline::provisional`): its output path and HTML. `None`
/// when the cache kept no templates, the page is not an output page or
/// shows other pages' bodies, or rendering fails (the build reports why).
pub(crate) fn render_page(
    loaded: &Loaded,
    resolved: &Resolved,
    cache: &RenderCache,
    id: PageId,
) -> Option<(String, Vec<u8>)> {
    let (templates, tera) = cache.compiled.as_ref()?;
    if !resolved.is_output(id) || !resolved.extensions[id].is_empty() {
        return None;
    }
    let url = &loaded.pages[id].url;
    let body = body::render_body_and_text(&body_input(loaded, resolved, id, url), false);
    let places = nav::places(resolved);
    let keys = nav_keys(loaded, &places, &[id]);
    let previous = (*templates, &cache.sidebars);
    let nav = nav::NavCache::build(tera, loaded, resolved, places, keys, previous).ok()?;
    let context = ContextBuilder::new(loaded, resolved, &nav).page_context(id, &[Arc::new(body)]);
    let mut html = Vec::new();
    render_template(
        tera,
        &template_for(loaded, id),
        &context,
        (loaded, id),
        &mut html,
    )
    .ok()?;
    Some((urls::output_path(url), html))
}

/// Every template's name and text: a change to any may change any page.
fn templates_key(loaded: &Loaded) -> u128 {
    let mut key = crate::key::Key::new();
    for t in &loaded.templates {
        key.add(&t.name).add(&t.text);
    }
    key.finish()
}

/// A page's cache key: the templates, its template, its whole context.
/// (Every context it is given is filled by `fill_page_context`, which
/// checks in debug builds that it holds exactly `PAGE_KEYS`.)
fn page_key(templates: u128, template: &str, context: &tera::Context) -> u128 {
    let mut key = crate::key::Key::new();
    key.add(templates).add(template);
    for name in ContextBuilder::PAGE_KEYS {
        key.add(*name);
        // Serialising plain data into a hasher cannot fail.
        let _ = serde_json::to_writer(&mut key, &context.get(name));
    }
    key.finish()
}

/// Every (place, root) pair a rendered page shows the sidebar at.
fn nav_keys(
    loaded: &Loaded,
    places: &crate::key::FastMap<PageId, nav::Place>,
    pages: &[PageId],
) -> Vec<(nav::Place, String)> {
    let outside = nav::Place::default();
    // Borrowed while they are gathered: most pages share both.
    let mut keys: crate::key::FastSet<(&nav::Place, std::borrow::Cow<'static, str>)> = pages
        .iter()
        .map(|&id| {
            let place = places.get(&id).unwrap_or(&outside);
            (place, urls::shared_root_prefix(&loaded.pages[id].url))
        })
        .collect();
    for special in Special::ALL {
        let root = special.root(&loaded.config.base_url);
        keys.insert((&outside, root.into()));
    }
    // In order, so that the first problem a broken sidebar has is
    // always the one told.
    let mut keys: Vec<(nav::Place, String)> = keys
        .into_iter()
        .map(|(place, root)| (place.clone(), root.into_owned()))
        .collect();
    keys.sort_unstable();
    keys
}

/// `template = "map"` in front matter, else the template of the page's kind.
fn template_for(loaded: &Loaded, id: PageId) -> std::borrow::Cow<'static, str> {
    let page = &loaded.pages[id];
    if let Some(t) = &page.template {
        return if t.ends_with(".html") {
            t.clone().into()
        } else {
            format!("{t}.html").into()
        };
    }
    match page.kind {
        PageKind::Home => "home.html",
        PageKind::Section => "section.html",
        PageKind::Principle => "principle.html",
        PageKind::Concept => "concept.html",
        PageKind::Page => "page.html",
    }
    .into()
}

/// Renders `template` onto the end of `out`: straight into the bytes a
/// page is written from, without checking them again as UTF-8 (Tera
/// writes strings only).
fn render_template(
    tera: &tera::Tera,
    template: &str,
    context: &tera::Context,
    (loaded, id): (&Loaded, PageId),
    out: &mut Vec<u8>,
) -> Result<(), Box<Diagnostic>> {
    let page = &loaded.pages[id];
    if !tera.get_template_names().any(|n| n == template) {
        let known: Vec<&str> = tera.get_template_names().collect();
        return Err(Box::new(
            Diagnostic::error(
                Code::TemplateError,
                format!(
                    "`{}` asks for template `{template}`, which does not exist",
                    page.path
                ),
            )
            .at(page.file, 0..0, "in this page's front matter")
            .with_help_opt(crate::diag::did_you_mean(template, known)),
        ));
    }
    tera.render_to(template, context, out).map_err(|e| {
        Box::new(Diagnostic::error(
            Code::TemplateError,
            format!("template `{template}` failed: {}", theme::error_chain(&e)),
        ))
    })
}

fn sitemap(loaded: &Loaded, resolved: &Resolved) -> String {
    let base = if loaded.config.base_url.is_empty() {
        "/".to_string()
    } else {
        loaded.config.base_url.clone()
    };
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    // Written in place: a big site has tens of thousands of lines.
    for &id in &resolved.reading_order {
        let page = &loaded.pages[id];
        xml.push_str("  <url><loc>");
        theme::push_escaped(&mut xml, &base);
        theme::push_escaped(&mut xml, &page.url);
        xml.push_str("</loc>");
        if let Some(day) = &page.updated {
            xml.push_str("<lastmod>");
            xml.push_str(day);
            xml.push_str("</lastmod>");
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

fn robots(loaded: &Loaded) -> String {
    let mut txt = String::from("User-agent: *\nAllow: /\n");
    if !loaded.config.base_url.is_empty() {
        txt.push_str(&format!("Sitemap: {}sitemap.xml\n", loaded.config.base_url));
    }
    txt
}
