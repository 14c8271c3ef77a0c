//! The pipeline, in one direction: load → resolve → render → index → write.
//!
//! Each stage is a function from the previous stage's output to its own, all
//! adding to one list of diagnostics. `check` stops after render; `build`
//! also assembles the files of the site. Where they go is the caller's
//! choice: the build command gives each page to the output folder's
//! writer (a [`Sink`]) as it is rendered, and `serve` keeps the site in
//! memory.
//!
//! Two stages overlap where a stage has steps that keep one core alone:
//! the theme is compiled beside the resolve stage (it needs no links), and
//! a one-off build makes its search index beside the render stage's page
//! templates, as soon as the bodies it needs are rendered (see
//! [`render::Beside`]). Data still flows one way; `serve` keeps the index
//! after the pages, which it shows first.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::content::{self, Loaded, SiteInput};
use crate::diag::Diagnostics;
use crate::index;
use crate::links::{self, Resolved};
use crate::render::{self, Rendered};

/// How far to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Load, resolve, render; produce no files.
    Check,
    /// Everything, producing the site's files.
    Build,
}

/// How far a running build has got, for a progress line: the stage, and
/// for the render stage, pages done of the total.
#[derive(Debug, Default)]
pub struct Progress {
    stage: std::sync::Mutex<&'static str>,
    pub(crate) done: std::sync::atomic::AtomicUsize,
    pub(crate) total: std::sync::atomic::AtomicUsize,
}

impl Progress {
    pub fn enter(&self, stage: &'static str) {
        if let Ok(mut s) = self.stage.lock() {
            *s = stage;
        }
    }

    /// (stage, pages done, pages in all).
    pub fn read(&self) -> (&'static str, usize, usize) {
        use std::sync::atomic::Ordering::Relaxed;
        let stage = self.stage.lock().map(|s| *s).unwrap_or("");
        (stage, self.done.load(Relaxed), self.total.load(Relaxed))
    }
}

/// Wall time of each stage, in order.
#[derive(Clone, Debug, Default)]
pub struct Timings {
    pub stages: Vec<(&'static str, Duration)>,
    /// The stages that ran during the one before them (the index, beside
    /// the page templates of a one-off build): part of its time, not
    /// added to the total.
    pub during_previous: Vec<&'static str>,
}

impl Timings {
    fn time<T>(&mut self, stage: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let value = f();
        self.stages.push((stage, start.elapsed()));
        value
    }

    /// Whether `stage` ran during the stage before it.
    pub fn ran_during_previous(&self, stage: &str) -> bool {
        self.during_previous.contains(&stage)
    }

    pub fn total(&self) -> Duration {
        self.stages
            .iter()
            .filter(|(stage, _)| !self.ran_during_previous(stage))
            .map(|(_, d)| *d)
            .sum()
    }
}

/// One line: `load 12.0 ms, resolve 3.1 ms, …`.
impl std::fmt::Display for Timings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (stage, time)) in self.stages.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{stage} {:.1} ms", time.as_secs_f64() * 1000.0)?;
            if self.ran_during_previous(stage) {
                f.write_str(" (during the one before)")?;
            }
        }
        Ok(())
    }
}

/// A file's bytes, shared: `serve` keeps a page reused from the previous
/// build without copying it, and tells an unchanged file by its pointer.
pub type Bytes = std::sync::Arc<Vec<u8>>;

/// The site as a build makes it: output path → bytes.
pub type SiteFiles = BTreeMap<String, Bytes>;

/// Everything a run produced.
pub struct Outcome {
    /// Output path → bytes. Empty in check mode or when errors were found;
    /// without the pages and the search index's packs when a [`Sink`]
    /// took them.
    pub files: SiteFiles,
    pub diagnostics: Diagnostics,
    pub timings: Timings,
    pub loaded: Loaded,
    pub resolved: Resolved,
    /// Whether, and where, a newer change stopped the build (see
    /// [`Hooks::superseded`]).
    pub stopped: Stopped,
}

/// Where a newer change stopped a build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stopped {
    /// Nowhere: the build ran to the end.
    No,
    /// Before its search index: `files` holds the pages, already shown,
    /// and no search files.
    BeforeIndex,
    /// Before it made the pages: nothing was shown, `files` is empty and
    /// `resolved` too; `loaded` and `diagnostics` are as far as it got.
    BeforePages,
}

pub fn run(input: &SiteInput, mode: Mode) -> Outcome {
    run_with(input, mode, |_| {})
}

/// What one build keeps for the next (`serve`): parsed pages, each page's
/// auto-links, rendered pages and bodies, each page's search analysis, and
/// each layer's git dates.
#[derive(Default)]
pub struct Cache {
    render: render::RenderCache,
    load: content::LoadCache,
    links: links::ResolveCache,
    index: index::IndexCache,
}

impl Cache {
    /// A cache that keeps everything for the next build.
    pub fn keeping() -> Cache {
        Cache {
            render: render::RenderCache::keeping(),
            load: content::LoadCache::keeping(),
            links: links::ResolveCache::keeping(),
            index: index::IndexCache::keeping(),
        }
    }

    /// Pages the last build rendered afresh.
    pub fn rendered(&self) -> usize {
        self.render.rendered
    }

    /// The search shards the last build wrote, and those it had in all,
    /// when it kept a sharded index.
    pub fn shards_written(&self) -> Option<(usize, usize)> {
        self.index.shards_written()
    }

    /// Pages the last build took from the previous one.
    pub fn reused(&self) -> usize {
        self.render.reused
    }
}

/// Where the build command sends each page as soon as it is rendered
/// (the output folder's [`crate::output::Writer`]), so that a big site's
/// pages are never all in memory at once. Without one, pages are kept in
/// [`Outcome::files`].
pub trait Sink: Sync {
    fn put(&self, path: &str, bytes: &[u8]);
}

/// What `serve` hooks into a cached build.
pub struct Hooks<'a> {
    /// Gets the site's files but its search index as soon as they are
    /// made, timed as the stage `show`: the index stage, the slowest on a
    /// save (it scores every document again), runs after, so `serve` can
    /// show a saved page without waiting for it.
    pub show: &'a mut dyn FnMut(&SiteFiles),
    /// Whether a newer change is waiting. Asked before each step of the
    /// index stage (unless the last one stopped: see `index::IndexCache`):
    /// an index that the next build replaces at once is not worth making,
    /// and the next build would wait for it. And, if `may_abort`, after
    /// load and after resolve: pages the next build makes at once are not
    /// worth making either.
    pub superseded: &'a (dyn Fn() -> bool + Sync),
    /// Whether the build may stop before it makes the pages: `serve` says
    /// so only when its change is on show already (see `provisional`).
    pub may_abort: bool,
    /// Where the index stage runs, if not on every core: `serve` gives it
    /// one thread, so that the other serves and draws the pages just shown.
    pub index_pool: Option<&'a rayon::ThreadPool>,
}

/// The new bytes of the static files among `changed`, by output path,
/// when those are all that changed (see [`content::static_change`]) and
/// the last build (`loaded`, serving `files`) copied each of them as it
/// is; `None` when only a build can say.
pub fn restyled(
    loaded: &Loaded,
    changed: &[std::path::PathBuf],
    files: &SiteFiles,
) -> Option<Vec<(String, Bytes)>> {
    let new = content::static_change::new_bytes(&loaded.layers, changed)?;
    // Not a file the build writes itself over the asset: a page, the
    // sitemap, the search client with the index's manifest.
    let copied = |path: &str| {
        loaded.assets.iter().any(|a| a.path == path)
            && path != index::CLIENT
            && !index::writes(path)
            && !render::writes(loaded, path)
    };
    new.into_iter()
        .map(|(path, bytes)| {
            let served = files.contains_key(&path);
            (served && copied(&path)).then(|| (path, Bytes::new(bytes)))
        })
        .collect()
}

/// The page a save changed, rendered at once over the last build's site
/// (`last`, whose page and auto-links it takes over), when the save changed
/// its body alone (see `content::resave`) and nothing it shows of itself
/// elsewhere on its page: its output path and HTML. The build that follows
/// stays the judge; a randomized test checks that the two agree. `None`
/// when only a build can say.
pub fn provisional(
    last: &mut Outcome,
    cache: &Cache,
    changed: &[std::path::PathBuf],
) -> Option<(String, Bytes)> {
    // An editor's temporary file, renamed over the page it saves, is in
    // the same save, in the same folder.
    let roots = content::static_change::disk_roots(&last.loaded.layers);
    let (temporary, saved): (Vec<_>, Vec<_>) = changed
        .iter()
        .partition(|p| content::resave::gone_unread(&last.loaded, &roots, p));
    let [path] = saved[..] else {
        return None;
    };
    if temporary.iter().any(|t| t.parent() != path.parent()) {
        return None;
    }
    // A page's date comes from git, which a commit may have moved.
    if last.loaded.config.last_updated.is_some() {
        return None;
    }
    let (id, page) = content::resave::reparse(&last.loaded, &roots, path)?;
    let resolved = &mut last.resolved;
    if resolved.owner[id] != id {
        return None;
    }
    let autolinks = resolved.autolinks_of(&last.loaded, id, &page)?;
    let concepts = |links: &[links::AutoLink]| links.iter().map(|a| a.concept).collect::<Vec<_>>();
    if concepts(&autolinks) != concepts(&resolved.autolinks[id]) {
        return None;
    }
    last.loaded.pages[id] = Arc::new(page);
    resolved.autolinks[id] = autolinks;
    let (path, html) = render::render_page(&last.loaded, resolved, &cache.render, id)?;
    Some((path, Bytes::new(html)))
}

/// A build that reuses what the previous one made (`serve`). The files
/// are the same as a full build's; only the work differs.
pub fn run_cached(input: &SiteInput, cache: &mut Cache, hooks: Hooks<'_>) -> Outcome {
    let progress = Progress::default();
    run_inner(
        input,
        Mode::Build,
        |_| {},
        cache,
        &progress,
        Some(hooks),
        None,
    )
}

/// Like [`run`], with settings from the command line applied over the
/// playbook's own (`--base-url`).
pub fn run_with(input: &SiteInput, mode: Mode, overrides: impl FnOnce(&mut Config)) -> Outcome {
    run_reporting(input, mode, overrides, &Progress::default(), None)
}

/// Like [`run_with`], telling `progress` how far it has got, and giving
/// each page to `sink`, if any, instead of keeping it in the outcome.
pub fn run_reporting(
    input: &SiteInput,
    mode: Mode,
    overrides: impl FnOnce(&mut Config),
    progress: &Progress,
    sink: Option<&dyn Sink>,
) -> Outcome {
    run_inner(
        input,
        mode,
        overrides,
        &mut Cache::default(),
        progress,
        None,
        sink,
    )
}

fn run_inner(
    input: &SiteInput,
    mode: Mode,
    overrides: impl FnOnce(&mut Config),
    cache: &mut Cache,
    progress: &Progress,
    hooks: Option<Hooks<'_>>,
    sink: Option<&dyn Sink>,
) -> Outcome {
    let mut diags = Diagnostics::default();
    let mut timings = Timings::default();
    // Between stages, a build that a newer change supersedes stops: the
    // next build makes everything (each stage's cache stays whole).
    let superseded = hooks.as_ref().filter(|h| h.may_abort).map(|h| h.superseded);
    let overtaken = || superseded.is_some_and(|s| s());
    progress.enter("load");
    let mut loaded = timings.time("load", || content::load(input, &mut cache.load, &mut diags));
    overrides(&mut loaded.config);
    if overtaken() {
        return Outcome::stopped_before_pages(loaded, diags, timings);
    }
    progress.enter("resolve");
    let mut theme_problems = Diagnostics::default();
    let (resolved, theme) = timings.time("resolve", || {
        rayon::join(
            || links::resolve_cached(&loaded, &mut cache.links, &mut diags),
            || render::compile(&loaded, &cache.render, &mut theme_problems),
        )
    });
    diags.extend(theme_problems);
    if overtaken() {
        return Outcome::stopped_before_pages(loaded, diags, timings);
    }
    let scope = match mode {
        Mode::Build => render::Scope::All,
        Mode::Check => render::Scope::OnePerTemplate,
    };
    progress.enter("render");
    // A build that has failed already writes nothing.
    let sink = sink.filter(|_| !diags.has_errors());
    let never = || false;
    // A one-off build makes its search index beside the page templates
    // (see `render::Beside`); `serve` shows the pages before it starts.
    let mut made_beside = None;
    let index_beside = mode == Mode::Build && hooks.is_none() && !diags.has_errors();
    let beside = index_beside.then(|| {
        let site = (&loaded, &resolved);
        search_beside(site, &mut cache.index, sink, &mut made_beside)
    });
    let mut rendered = timings.time("render", || {
        render::render_cached(
            (&loaded, &resolved, theme),
            scope,
            &mut cache.render,
            progress,
            (sink, beside),
            &mut diags,
        )
    });
    let mut stopped = Stopped::No;
    let files = if mode == Mode::Build && !diags.has_errors() {
        let sections = std::mem::take(&mut rendered.sections);
        let body_keys = rendered.body_keys.take();
        let mut files = assemble(rendered);
        let (superseded, pool): (&(dyn Fn() -> bool + Sync), _) = match hooks {
            Some(hooks) => {
                timings.time("show", || (hooks.show)(&files));
                (hooks.superseded, hooks.index_pool)
            }
            None => (&never, None),
        };
        progress.enter("index");
        let search = match made_beside {
            Some((search, time)) => {
                timings.stages.push(("index", time));
                timings.during_previous.push("index");
                search
            }
            None => timings.time("index", || {
                let texts = index::Texts {
                    sections,
                    body_keys: body_keys.as_deref(),
                };
                // The search index's packs go to the sink too, as they are made.
                let index = || {
                    index::files(
                        &loaded,
                        &resolved,
                        texts,
                        &mut cache.index,
                        (superseded, sink),
                    )
                };
                match pool {
                    Some(pool) => pool.install(index),
                    None => index(),
                }
            }),
        };
        match search {
            Some(search) => files.extend(search),
            None => stopped = Stopped::BeforeIndex,
        }
        files
    } else {
        BTreeMap::new()
    };
    diags.sort(&loaded.sources);
    Outcome {
        files,
        diagnostics: diags,
        timings,
        loaded,
        resolved,
        stopped,
    }
}

/// The search index's files, or `None`, and the time they took.
type MadeBeside = (Option<BTreeMap<String, Bytes>>, Duration);

/// The index stage as a one-off build runs it, beside the page templates:
/// it puts its files and its time in `made`.
fn search_beside<'a>(
    (loaded, resolved): (&'a Loaded, &'a Resolved),
    cache: &'a mut index::IndexCache,
    sink: Option<&'a dyn Sink>,
    made: &'a mut Option<MadeBeside>,
) -> render::Beside<'a> {
    Box::new(move |sections, body_keys| {
        let start = Instant::now();
        let texts = index::Texts {
            sections,
            body_keys,
        };
        let never = || false;
        let files = index::files(loaded, resolved, texts, cache, (&never, sink));
        *made = Some((files, start.elapsed()));
    })
}

impl Outcome {
    /// A build a newer change stopped before it made the pages.
    fn stopped_before_pages(loaded: Loaded, diagnostics: Diagnostics, timings: Timings) -> Outcome {
        Outcome {
            files: SiteFiles::new(),
            diagnostics,
            timings,
            loaded,
            resolved: Resolved::default(),
            stopped: Stopped::BeforePages,
        }
    }
}

fn assemble(rendered: Rendered) -> SiteFiles {
    // The pages collected at once (the map is built from their sorted
    // entries rather than by an insert per page), then the few other
    // files; a page's HTML wins over a file at the same path.
    let mut files: SiteFiles = rendered
        .pages
        .into_iter()
        .map(|page| (page.path, page.html))
        .collect();
    for (path, bytes) in rendered.files {
        files.entry(path).or_insert_with(|| Bytes::new(bytes));
    }
    files
}
