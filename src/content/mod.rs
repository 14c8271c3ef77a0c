//! Stage 1, load: layers of source files → pages, templates and assets.
//!
//! Reads every file of every layer through [`Source`], splits front matter from
//! markdown, reads the front matter into typed fields, and scans each body for
//! headings and links. Nothing here knows about other pages: whether a link
//! resolves is the next stage's question.

mod history;
mod layers;
pub mod meta;
mod overlay;
pub mod page;
mod reads;
pub(crate) mod resave;
pub mod static_change;
mod yaml;

use std::collections::hash_map::Entry;
use std::collections::BTreeMap;

use crate::key::FastMap;
use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::diag::{Code, Diagnostic, Diagnostics, FileId, SourceMap};
use crate::markdown;
use crate::source::Source;
use meta::{parse_toml, Fields};
pub use page::{
    Altitude, ConceptMeta, DefinedConcept, Horizon, Page, PageId, PageKind, PrincipleMeta,
};

pub use history::HistoryCache;
pub use layers::LayerInfo;
pub(crate) use layers::STACK_KEYS;
use reads::{Content, ReadCache};

/// Everything a build reads: the theme, the playbook the command was given
/// (whose `playbook.toml` names its base and further layers), and the
/// `--layer` folders stacked on top, in order. Later layers win.
#[derive(Clone)]
pub struct SiteInput {
    pub theme: Arc<dyn Source>,
    pub top: Arc<dyn Source>,
    pub extra: Vec<Arc<dyn Source>>,
    /// Folders never read from any layer (the output folder).
    pub skip: Vec<std::path::PathBuf>,
}

impl SiteInput {
    /// The bundled playbook alone, with the default theme.
    pub fn bundled() -> SiteInput {
        SiteInput::over(Arc::new(crate::embedded::playbook()))
    }

    /// `top` and the layers it names, with the default theme.
    pub fn over(top: Arc<dyn Source>) -> SiteInput {
        SiteInput {
            theme: Arc::new(crate::embedded::theme()),
            top,
            extra: Vec::new(),
            skip: Vec::new(),
        }
    }
}

/// A page of a lower layer that a `hide` setting removed. Links to it are
/// not errors: they render as plain text, since the company cannot edit
/// the base pages that contain them.
#[derive(Clone, Debug)]
pub struct HiddenPage {
    pub path: String,
    pub names: Vec<String>,
    /// The layer whose `hide` removed it.
    pub by_layer: usize,
}

/// A page replaced by one at another path (`replaces`): links to its old
/// path or title lead to the new page.
#[derive(Clone, Debug)]
pub struct Redirect {
    pub from_path: String,
    pub from_title: String,
    pub to_path: String,
}

/// A file copied to the output as it is.
#[derive(Clone, Debug)]
pub struct Asset {
    /// Output path, `assets/altitude.css`.
    pub path: String,
    pub bytes: Arc<[u8]>,
}

/// A Tera template, by name (`page.html`).
#[derive(Clone, Debug)]
pub struct Template {
    pub name: String,
    pub text: String,
    /// The file it came from, for error positions.
    pub file: FileId,
}

/// The output of the load stage.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    pub config: Config,
    pub sources: SourceMap,
    /// The layers, bottom first; `Page::layer` indexes this.
    pub layers: Vec<LayerInfo>,
    pub hidden: Vec<HiddenPage>,
    pub redirects: Vec<Redirect>,
    pub pages: Vec<Arc<Page>>,
    pub templates: Vec<Template>,
    pub assets: Vec<Asset>,
}

/// A file as read, before it is parsed.
struct RawFile {
    layer: usize,
    path: String,
    content: Content,
    /// The key to keep the read under for the next build, if it may be.
    kept_as: Option<u128>,
}

/// What a file is for, by where it lives in its layer (`playbook.toml` is
/// read by the layer stack, not listed).
#[derive(PartialEq)]
enum Role<'a> {
    Template(&'a str),
    Static(&'a str),
    Page,
    Asset,
}

fn role(path: &str) -> Role<'_> {
    if let Some(name) = path.strip_prefix("templates/") {
        Role::Template(name)
    } else if let Some(rest) = path.strip_prefix("static/") {
        Role::Static(rest)
    } else if path.ends_with(".md") {
        Role::Page
    } else {
        Role::Asset
    }
}

/// Each page file as parsed by the previous build (`serve`), keyed by
/// everything `parse_keyed` reads, so a save re-parses only what changed.
pub type ParseCache = crate::key::Kept<Parsed>;

/// A page as parsed, shared: a save hands every page it did not parse
/// again to the next build without copying it.
type Parsed = (Option<Arc<Page>>, Vec<Diagnostic>);

/// A page file to parse: its id, layer, path, and text with its key.
type PageInput = (FileId, usize, String, (Arc<str>, u128));

impl ParseCache {
    /// The pages of `inputs`, an extension's headings prefixed with its
    /// layer's name (from `layers`).
    fn parse_all(&mut self, inputs: Vec<PageInput>, layers: &[LayerInfo]) -> Vec<Parsed> {
        let keep = self.keeps();
        let parsed: Vec<(u128, Parsed)> = inputs
            .into_par_iter()
            .with_max_len(crate::sync::PAGES_PER_TASK)
            .map(|(file, layer, path, (text, text_key))| {
                let layer_name = layers.get(layer).map_or("", |l| l.name.as_str());
                // Not keyed by file id: a new file shifts the ids of the
                // files after it, whose pages are the same.
                let key = if keep {
                    let mut key = crate::key::Key::new();
                    key.add(layer).add(layer_name).add(&path).add(text_key);
                    key.finish()
                } else {
                    0
                };
                match self.get(key) {
                    Some(done) => (key, in_file(done.clone(), file)),
                    None => {
                        let (page, found) = parse_keyed(file, layer, path, (text, text_key));
                        let page = page.map(|mut page| {
                            if page.extends.is_some() {
                                prefix_heading_ids(&mut page, layer_name);
                            }
                            Arc::new(page)
                        });
                        (key, (page, found))
                    }
                }
            })
            .collect();
        self.keep_only(parsed.iter().map(|(key, p)| (*key, p)));
        parsed.into_iter().map(|(_, p)| p).collect()
    }
}

/// A page parsed from a file that now has id `file`, and its diagnostics,
/// pointing there.
fn in_file((mut page, mut diags): Parsed, file: FileId) -> Parsed {
    // Parsing a file reports problems in that file only.
    let was = page.as_ref().map(|p| p.file).or_else(|| {
        diags
            .iter()
            .find_map(|d| d.location.as_ref().map(|l| l.file))
    });
    if let Some(was) = was.filter(|&was| was != file) {
        if let Some(page) = &mut page {
            Arc::make_mut(page).file = file;
        }
        for d in &mut diags {
            d.move_file(was, file);
        }
    }
    (page, diags)
}

/// What one load keeps for the next (`serve`): the files it read, the
/// pages it parsed, and each layer's git dates.
#[derive(Default)]
pub struct LoadCache {
    reads: ReadCache,
    parsed: ParseCache,
    history: HistoryCache,
}

impl LoadCache {
    /// A cache that keeps each load's work for the next.
    pub fn keeping() -> LoadCache {
        LoadCache {
            reads: ReadCache::keeping(),
            parsed: ParseCache::keeping(),
            history: HistoryCache::keeping(),
        }
    }
}

pub fn load(input: &SiteInput, cache: &mut LoadCache, diags: &mut Diagnostics) -> Loaded {
    let mut loaded = Loaded::default();
    let stack = layers::stack(input, &mut loaded.sources, diags);
    for layer in &stack {
        if let Some((id, table)) = &layer.config {
            let mut found = Vec::new();
            loaded.config.apply_table(table, *id, &mut found);
            diags.extend(found);
        }
    }
    loaded.layers = stack
        .iter()
        .map(|l| LayerInfo {
            name: l.name.clone(),
            root: l.source.display_root().to_string(),
            disk_root: l.source.disk_root().map(Into::into),
            edit_url: l.edit_url.clone(),
            ignore: l.ignore.clone(),
        })
        .collect();
    let mut read = |source: &dyn Source, layer: usize, ignore: &[String]| {
        read_all(
            source,
            layer,
            ignore,
            &cache.reads,
            &mut loaded.sources,
            diags,
        )
    };
    let theme = read(input.theme.as_ref(), usize::MAX, &[]);
    let mut files = Vec::new();
    for (index, layer) in stack.iter().enumerate() {
        files.extend(read(layer.source.as_ref(), index, &layer.ignore));
    }
    cache.reads.keep_only(
        theme
            .iter()
            .chain(&files)
            .filter_map(|f| Some((f.kept_as?, &f.content))),
    );
    let display = |layer: usize| {
        if layer == usize::MAX {
            input.theme.display_root()
        } else {
            stack[layer].source.display_root()
        }
    };

    // File ids are assigned in a fixed order, so diagnostics are deterministic.
    let mut page_inputs = Vec::new();
    for file in theme.into_iter().chain(files) {
        let name = || [display(file.layer), &file.path].concat();
        let mut text_of = |content: &Content| match content {
            Content::Text(text, key) => (
                loaded.sources.add(name(), text.clone()),
                Some((text.clone(), *key)),
            ),
            Content::Bytes(bytes) => {
                let (id, text) = add_text(&mut loaded.sources, name(), bytes, diags);
                let keyed = text.map(|t| {
                    let key = crate::key::text_key(&t);
                    (t, key)
                });
                (id, keyed)
            }
        };
        match role(&file.path) {
            Role::Template(template) => {
                if let (id, Some((text, _))) = text_of(&file.content) {
                    loaded.templates.push(Template {
                        name: template.to_string(),
                        text: text.to_string(),
                        file: id,
                    });
                }
            }
            Role::Static(rest) => loaded.assets.push(Asset {
                path: rest.to_string(),
                bytes: file.content.into_bytes(),
            }),
            Role::Asset => loaded.assets.push(Asset {
                path: file.path.clone(),
                bytes: file.content.into_bytes(),
            }),
            Role::Page => {
                if let (id, Some(text)) = text_of(&file.content) {
                    page_inputs.push((id, file.layer, file.path, text));
                }
            }
        }
    }

    let parsed = cache.parsed.parse_all(page_inputs, &loaded.layers);
    for (page, found) in parsed {
        diags.extend(found);
        if let Some(page) = page {
            let defined = defined_concept_pages(&page);
            loaded.pages.push(page);
            loaded.pages.extend(defined.into_iter().map(Arc::new));
        }
    }
    overlay::hide(&stack, &mut loaded, diags);
    overlay::replace(&mut loaded, diags);
    dedupe_layers(&mut loaded);
    check_url_collisions(&loaded.pages, diags);
    overlay::add_folder_listings(&mut loaded);
    add_history(&mut loaded, &mut cache.history, diags);
    loaded
}

/// A file's text, added to the source map under `name`. Text that is not
/// UTF-8 is kept lossily, so the message can show it, and reported at its
/// first bad byte (which the lossy conversion leaves in place); it is not
/// returned.
pub(crate) fn add_text(
    sources: &mut SourceMap,
    name: String,
    bytes: &[u8],
    diags: &mut Diagnostics,
) -> (FileId, Option<Arc<str>>) {
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            let text: Arc<str> = Arc::from(text);
            (sources.add(name, text.clone()), Some(text))
        }
        Err(e) => {
            let lossy: Arc<str> = Arc::from(String::from_utf8_lossy(bytes).as_ref());
            let id = sources.add(name, lossy);
            let at = e.valid_up_to();
            diags.push(
                Diagnostic::error(Code::InvalidUtf8, "file is not valid UTF-8")
                    .at(id, at..at + 1, "invalid byte sequence here")
                    .with_help("save the file as UTF-8"),
            );
            (id, None)
        }
    }
}

/// `last_updated = true`: each page's date, from its layer's git history.
/// Layers that are not on disk (the bundled playbook) have none.
fn add_history(loaded: &mut Loaded, history: &mut HistoryCache, diags: &mut Diagnostics) {
    let last = std::mem::take(&mut history.dated);
    let Some((file, span)) = loaded.config.last_updated.clone() else {
        return;
    };
    let mut failed = None;
    let dates: Vec<Option<history::Dates>> = loaded
        .layers
        .iter()
        .map(
            |layer| match history.last_changed(layer.disk_root.as_ref()?) {
                Ok(dates) => Some(dates),
                Err(why) => {
                    failed.get_or_insert((layer.root.clone(), why));
                    None
                }
            },
        )
        .collect();
    let mut kept = Vec::new();
    for (id, page) in loaded.pages.iter_mut().enumerate() {
        let undated = page.clone();
        if let Some(Some(dates)) = dates.get(page.layer) {
            let updated = page.source_path().and_then(|p| dates.get(p));
            // A kept page is copied only if its date moved; and only once:
            // the next build finds the copy made of the very same page.
            if page.updated.as_ref() != updated {
                let made = last.get(id, page).filter(|d| d.updated.as_ref() == updated);
                match made {
                    Some(dated) => *page = dated.clone(),
                    None => Arc::make_mut(page).updated = updated.cloned(),
                }
            }
        }
        if history.keeps() {
            kept.push((undated, page.clone()));
        }
    }
    history.dated.keep(kept);
    // One warning for the build: every layer fails alike when git is missing.
    if let Some((root, why)) = failed {
        let root = if root.is_empty() { "./" } else { root.as_str() };
        diags.push(
            Diagnostic::warning(
                Code::HistoryUnavailable,
                format!("no git history for `{root}`, so its pages show no date: {why}"),
            )
            .at(file, span, "dates asked for here")
            .with_help(
                "build inside a git clone with its history (in CI, check out with \
                 `fetch-depth: 0`), or remove `last_updated`",
            ),
        );
    }
}

/// The id of a company section on the page it extends, from its layer's
/// name; its headings' ids start with it, and search results land on it.
pub(crate) fn extension_anchor(layer_name: &str) -> String {
    url_slug(layer_name)
}

/// An extension's headings are shown on another page: its ids get the
/// layer's name in front, so they cannot clash with the page's own.
fn prefix_heading_ids(page: &mut Page, layer_name: &str) {
    let prefix = extension_anchor(layer_name);
    page.headings = page
        .headings
        .iter()
        .map(|h| markdown::Heading {
            id: format!("{prefix}-{}", h.id),
            ..h.clone()
        })
        .collect();
}

/// Later layers replace earlier files: templates and assets by name, pages
/// by URL.
fn dedupe_layers(loaded: &mut Loaded) {
    fn keep_last<T>(items: &mut Vec<T>, key: impl Fn(&T) -> String) {
        let mut last: BTreeMap<String, usize> = BTreeMap::new();
        for (i, item) in items.iter().enumerate() {
            last.insert(key(item), i);
        }
        let mut index = 0;
        items.retain(|item| {
            let keep = last.get(&key(item)) == Some(&index);
            index += 1;
            keep
        });
    }
    keep_last(&mut loaded.templates, |t| t.name.clone());
    keep_last(&mut loaded.assets, |a| a.path.clone());
    // Pages by URL, so a layer's `README.md` replaces a lower `index.md`.
    // Within one layer, two files with one URL are a collision, reported next.
    let mut top_layer: FastMap<&str, usize> =
        FastMap::with_capacity_and_hasher(loaded.pages.len(), Default::default());
    for page in loaded.pages.iter().filter(|p| p.extends.is_none()) {
        let layer = top_layer.entry(&page.url).or_insert(page.layer);
        *layer = (*layer).max(page.layer);
    }
    let kept: Vec<bool> = loaded
        .pages
        .iter()
        .map(|p| p.extends.is_some() || top_layer.get(p.url.as_str()) == Some(&p.layer))
        .collect();
    let mut kept = kept.into_iter();
    loaded.pages.retain(|_| kept.next().unwrap_or(true));
}

/// Whether the build reads the file at `path` of a layer that ignores
/// `ignore`: not its settings, which the stack reads, nor an ignored file.
fn read_from_layer(ignore: &[String], path: &str) -> bool {
    path != "playbook.toml" && !layers::ignored(ignore, path)
}

/// Every file of a layer not ignored, each with the key its read may be
/// kept under for the next build (see `reads`).
fn read_all(
    source: &dyn Source,
    layer: usize,
    ignore: &[String],
    cache: &ReadCache,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Vec<RawFile> {
    // Stamps tell a file the last build read; a build that keeps nothing
    // reads every file anyway.
    let listed = if cache.keeps() {
        source.list_stamped()
    } else {
        source
            .list()
            .map(|paths| paths.into_iter().map(|p| (p, None)).collect())
    };
    let paths = match listed {
        Ok(paths) => paths
            .into_iter()
            .filter(|(p, _)| read_from_layer(ignore, p))
            .collect::<Vec<_>>(),
        Err(e) => {
            diags.push(Diagnostic::error(
                Code::ReadError,
                format!("cannot read folder `{}`: {e}", source.display_root()),
            ));
            return Vec::new();
        }
    };
    let results: Vec<_> = paths
        .into_par_iter()
        .map(|(path, stamp)| {
            let as_text = matches!(role(&path), Role::Page | Role::Template(_));
            let (bytes, key) = reads::read(source, (&path, stamp), as_text, cache);
            (path, bytes, key)
        })
        .collect();
    let mut files = Vec::new();
    for (path, bytes, kept_as) in results {
        match bytes {
            Ok(content) => files.push(RawFile {
                layer,
                path,
                content,
                kept_as,
            }),
            Err(e) => {
                // The file has no text to show; its name still leads to it.
                let name = format!("{}{path}", source.display_root());
                let id = sources.add(name.clone(), Arc::from(""));
                diags.push(
                    Diagnostic::error(Code::ReadError, format!("cannot read `{name}`: {e}"))
                        .at(id, 0..0, "this file")
                        .with_help(match e.kind() {
                            std::io::ErrorKind::NotFound => {
                                "is it a symbolic link to a file that no longer exists?"
                            }
                            std::io::ErrorKind::PermissionDenied => {
                                "the user running altitude must be able to read it"
                            }
                            _ => "check the file on disk",
                        }),
                );
            }
        }
    }
    files
}

const PAGE_KEYS: &[&str] = &[
    "title",
    "summary",
    "description",
    "template",
    "order",
    "weight",
    "kind",
    "autolink",
    "altitude",
    "horizon",
    "role_shift",
    "concepts",
    "definition",
    "aliases",
    "defines",
    "extends",
    "replaces",
];

/// Keys other generators put in front matter (Jekyll, Hugo, MkDocs,
/// Docusaurus, Eleventy). A handbook brought in as a layer keeps them; they
/// mean nothing here, so they are accepted without a warning.
const FOREIGN_KEYS: &[&str] = &[
    "layout",
    "permalink",
    "tags",
    "categories",
    "category",
    "date",
    "lastmod",
    "author",
    "authors",
    "slug",
    "draft",
    "published",
    "sidebar_position",
    "sidebar_label",
    "nav_order",
    "nav_exclude",
    "parent",
    "grand_parent",
    "has_children",
    "toc",
    "keywords",
    "id",
    "hide",
    "search",
    "comments",
    "redirect_from",
    "eleventyNavigation",
    "status",
    "owner",
    "image",
    "excerpt",
    "menu",
    "icon",
    "subtitle",
    "lang",
    "sitemap",
];

/// Which fence a front matter block uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fence {
    /// `+++`: TOML.
    Toml,
    /// `---`: YAML.
    Yaml,
}

impl Fence {
    fn marker(self) -> &'static str {
        match self {
            Fence::Toml => "+++",
            Fence::Yaml => "---",
        }
    }
}

/// Front matter found at the top of a file: its fence, its text's range,
/// and where the body starts.
type FrontMatter = (Fence, Range<usize>, usize);

/// Splits `+++` TOML or `---` YAML front matter from the body. An opening
/// fence that is never closed is an error at the fence.
fn split_front_matter(text: &str) -> Result<Option<FrontMatter>, (Fence, Range<usize>)> {
    let Some((fence, first_line_end)) = [Fence::Toml, Fence::Yaml].iter().find_map(|&fence| {
        ["\n", "\r\n"]
            .iter()
            .map(|eol| format!("{}{eol}", fence.marker()))
            .find(|open| text.starts_with(open.as_str()))
            .map(|open| (fence, open.len()))
    }) else {
        return Ok(None);
    };
    let mut pos = first_line_end;
    while pos <= text.len() {
        let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        let line = text[pos..line_end].trim_end_matches(['\n', '\r']);
        if line == fence.marker() {
            return Ok(Some((fence, first_line_end..pos, line_end)));
        }
        if line_end == text.len() {
            break;
        }
        pos = line_end;
    }
    Err((fence, 0..3))
}

/// A page parsed from its file's text (the tests' way in).
#[cfg(test)]
fn parse_page(
    file: FileId,
    layer: usize,
    path: String,
    text: Arc<str>,
) -> (Option<Page>, Vec<Diagnostic>) {
    let text_key = crate::key::text_key(&text);
    parse_keyed(file, layer, path, (text, text_key))
}

/// A page parsed from its file's text, given with its key
/// (`key::text_key`).
fn parse_keyed(
    file: FileId,
    layer: usize,
    path: String,
    (text, text_key): (Arc<str>, u128),
) -> (Option<Page>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let (table, body_start, fm_span) = match split_front_matter(&text) {
        Ok(Some((fence, fm, body_start))) => {
            let source = &text[fm.clone()];
            let table = match fence {
                Fence::Toml => {
                    parse_toml(source, fm.start, file, Code::FrontMatterSyntax, &mut diags)
                }
                Fence::Yaml => yaml::parse_yaml(source, fm.start, file, &mut diags),
            };
            (table, body_start, 0..3)
        }
        Ok(None) => (meta::Table::default(), 0, 0..0),
        Err((fence, span)) => {
            diags.push(
                Diagnostic::error(Code::FrontMatterSyntax, "front matter is not closed")
                    .at(file, span, "opened here")
                    .with_help(format!(
                        "end the front matter with a line containing only `{}`",
                        fence.marker()
                    )),
            );
            return (None, diags);
        }
    };

    // After a syntax error, keys may be missing only because they did not
    // parse: reporting them as missing too would be noise.
    let front_matter_parsed = diags.is_empty();
    let url = url_for(&path);
    let mut f = Fields::front_matter(&table, file, "front matter");
    let title = f.str("title");
    let summary = f.str("summary").or_else(|| f.str("description"));
    let template = f.str("template").map(|s| s.value);
    let order = f.int("order").or_else(|| f.int("weight")).map(|s| s.value);
    let autolink = f.bool("autolink");
    let extends = f.str("extends");
    let kind = match f.choice("kind", &["principle", "concept", "page"]) {
        // An extension is a section of another page, whatever its folder.
        _ if extends.is_some() => PageKind::Page,
        Some(k) => match k.value.as_str() {
            "principle" => PageKind::Principle,
            "concept" => PageKind::Concept,
            _ => PageKind::Page,
        },
        None => default_kind(&path),
    };
    let principle = (kind == PageKind::Principle)
        .then(|| read_principle(&mut f, file, fm_span.clone(), front_matter_parsed))
        .flatten();
    let concept = if kind == PageKind::Concept || extends.is_some() {
        Some(read_concept(&mut f))
    } else {
        None
    };
    let replaces = f.str("replaces");
    f.accept(FOREIGN_KEYS);
    diags.extend(f.finish(PAGE_KEYS));

    let scan = markdown::scan(&text[body_start..], body_start);
    for (span, what) in &scan.foreign {
        diags.push(
            Diagnostic::warning(
                Code::ForeignSyntax,
                format!("{what} is not Altitude syntax; it is shown as text"),
            )
            .at(file, span.clone(), "shown as written")
            .with_help("replace it with markdown, a link, or an `[[wiki link]]`"),
        );
    }
    let h1 = scan.first_h1().cloned();
    let (title, title_span) = match (title, &h1) {
        (Some(t), _) => (t.value, t.span),
        // An extension without a title gets one from its layer's name.
        (None, _) if extends.is_some() => (String::new(), 0..0),
        (None, Some(h)) => (h.text.clone(), h.span.clone()),
        (None, None) => {
            if front_matter_parsed && matches!(kind, PageKind::Principle | PageKind::Concept) {
                diags.push(
                    Diagnostic::error(
                        Code::MissingTitle,
                        format!("this {} has no title", kind.name()),
                    )
                    .at(file, fm_span.clone(), "no `title` in this front matter")
                    .with_help("add `title = \"…\"` to the front matter"),
                );
            }
            (title_from_path(&path), 0..0)
        }
    };
    // Drop an opening H1 that only repeats the title.
    let skip_first_h1 = h1
        .as_ref()
        .is_some_and(|h| h.text == title && text[body_start..h.span.start].trim().is_empty());

    let page = Page {
        file,
        layer,
        path,
        url,
        kind,
        title,
        title_span,
        summary: summary.map(|s| s.value).unwrap_or_default(),
        template,
        order,
        autolink,
        principle,
        concept,
        text_key,
        text,
        body_start,
        headings: scan.headings.into(),
        links: scan.links.into(),
        prose: scan.prose.into(),
        events: crate::markdown::KeptEvents::new(scan.events),
        skip_first_h1,
        defined_in: None,
        extends,
        replaces,
        generated: false,
        updated: None,
    };
    (Some(page), diags)
}

fn read_principle(
    f: &mut Fields<'_>,
    file: FileId,
    fm_span: Range<usize>,
    report_missing: bool,
) -> Option<PrincipleMeta> {
    let altitude = f.choice("altitude", &Altitude::KEYS);
    let horizon = f.choice("horizon", &Horizon::KEYS);
    let role_shift = f.str("role_shift").map(|s| s.value).unwrap_or_default();
    let mut concepts = f.str_list("concepts");
    let defines = read_defines(f, file);
    concepts.extend(defines.iter().map(|d| d.title.clone()));
    for (key, present) in [
        ("altitude", f.has("altitude")),
        ("horizon", f.has("horizon")),
    ] {
        if !present && report_missing {
            f.diags.push(
                Diagnostic::error(
                    Code::FrontMatterInvalidValue,
                    format!("this principle has no `{key}`"),
                )
                .at(
                    file,
                    fm_span.clone(),
                    format!("`{key}` missing in this front matter"),
                )
                .with_help(match key {
                    "altitude" => format!(
                        "add `altitude = \"…\"`, one of: {}",
                        Altitude::KEYS.join(", ")
                    ),
                    _ => format!(
                        "add `horizon = \"…\"`, one of: {}",
                        Horizon::KEYS.join(", ")
                    ),
                }),
            );
        }
    }
    Some(PrincipleMeta {
        altitude: Altitude::from_key(&altitude?.value)?,
        horizon: Horizon::from_key(&horizon?.value)?,
        role_shift,
        concepts,
        defines,
    })
}

const DEFINES_KEYS: &[&str] = &["title", "definition", "aliases"];

fn read_defines(f: &mut Fields<'_>, file: FileId) -> Vec<DefinedConcept> {
    let mut defines = Vec::new();
    for table in f.tables("defines") {
        let mut d = Fields::front_matter(table, file, "a `[[defines]]` table");
        let title = d.str("title");
        let definition = d.str("definition").map(|s| s.value).unwrap_or_default();
        let aliases = d.str_list("aliases");
        f.diags.append(&mut d.diags);
        f.diags.extend(d.finish(DEFINES_KEYS));
        match title {
            Some(title) if !title.value.trim().is_empty() => defines.push(DefinedConcept {
                title,
                definition,
                aliases,
            }),
            _ => f.diags.push(
                Diagnostic::error(Code::MissingTitle, "this `[[defines]]` table has no title")
                    .at(file, table_span(table), "in this table")
                    .with_help("add `title = \"…\"` naming the concept"),
            ),
        }
    }
    defines
}

/// The span from a table's first key to its last value.
fn table_span(table: &meta::Table) -> Range<usize> {
    let start = table.entries.iter().map(|(k, _)| k.span.start).min();
    let end = table.entries.iter().map(|(_, v)| v.span.end).max();
    start.unwrap_or(0)..end.unwrap_or(0)
}

/// The generated concept pages for the concepts a principle defines, at
/// `concepts/<slug>.md` in the principle's layer. Their names point into the
/// principle's front matter, so a clash is reported where it was written.
fn defined_concept_pages(principle: &Page) -> Vec<Page> {
    let defines = principle.principle.iter().flat_map(|p| &p.defines);
    defines
        .map(|d| {
            let path = format!("concepts/{}.md", url_slug(&d.title.value));
            let link_target = principle.path.trim_end_matches(".md");
            let body = format!(
                "This concept is defined by the principle [[{link_target}|{}]].\n",
                principle.title.replace(['[', ']', '|'], " ")
            );
            let mut page = Page::generated(
                principle.file,
                principle.layer,
                path,
                PageKind::Concept,
                d.title.value.clone(),
                body,
            );
            page.title_span = d.title.span.clone();
            page.summary = d.definition.clone();
            page.autolink = principle.autolink;
            page.concept = Some(ConceptMeta {
                definition: d.definition.clone(),
                aliases: d.aliases.clone(),
            });
            page.defined_in = Some(principle.path.clone());
            page
        })
        .collect()
}

fn read_concept(f: &mut Fields<'_>) -> ConceptMeta {
    ConceptMeta {
        definition: f.str("definition").map(|s| s.value).unwrap_or_default(),
        aliases: f.str_list("aliases"),
    }
}

fn default_kind(path: &str) -> PageKind {
    let is_index = is_index_file(path);
    match path.split('/').next() {
        _ if is_index && !path.contains('/') => PageKind::Home,
        _ if is_index => PageKind::Section,
        Some("principles") => PageKind::Principle,
        Some("concepts") => PageKind::Concept,
        _ => PageKind::Page,
    }
}

/// `index.md` or `README.md` (any case): the page of its folder.
pub(crate) fn is_index_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.eq_ignore_ascii_case("index.md") || name.eq_ignore_ascii_case("readme.md")
}

/// `principles/Owner Notes.md` → `principles/owner-notes/`; index files give
/// their folder's URL.
pub fn url_for(path: &str) -> String {
    let stem = path.strip_suffix(".md").unwrap_or(path);
    let mut parts: Vec<&str> = stem.split('/').collect();
    if is_index_file(path) {
        parts.pop();
    }
    let mut url = String::new();
    for part in parts {
        url.push_str(&url_slug(part));
        url.push('/');
    }
    url
}

/// Lowercase, letters and digits kept, everything else one `-`.
pub fn url_slug(name: &str) -> String {
    match is_slug(name) {
        true => name.to_string(),
        false => slug_by_chars(name),
    }
}

/// [`url_slug`], character by character.
fn slug_by_chars(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '_' || c == '.' {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_string()
}

/// Whether `name` is its own slug, as most file and folder names are:
/// [`slug_by_chars`] takes each character through Unicode's lowercasing.
fn is_slug(name: &str) -> bool {
    let bytes = name.as_bytes();
    let kept = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.');
    bytes.iter().all(|b| kept(b) || *b == b'-')
        && bytes.first().is_none_or(kept)
        && bytes.last().is_none_or(kept)
        && !bytes.windows(2).any(|pair| pair == b"--")
}

fn title_from_path(path: &str) -> String {
    let stem = path.strip_suffix(".md").unwrap_or(path);
    let name = if is_index_file(path) {
        stem.rsplit('/').nth(1).unwrap_or("Home")
    } else {
        stem.rsplit('/').next().unwrap_or(stem)
    };
    match title_case(name) {
        title if title.is_empty() => "Home".into(),
        title => title,
    }
}

/// A file or folder name as words: `acme-corp` → `Acme corp`.
pub(crate) fn title_case(name: &str) -> String {
    let words = name.replace(['-', '_'], " ");
    let mut chars = words.trim().chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn check_url_collisions(pages: &[Arc<Page>], diags: &mut Diagnostics) {
    let mut first: FastMap<&str, &Page> =
        FastMap::with_capacity_and_hasher(pages.len(), Default::default());
    let mut clashes: BTreeMap<&str, Vec<&Page>> = BTreeMap::new();
    for page in pages.iter().filter(|p| p.extends.is_none()) {
        match first.entry(&page.url) {
            Entry::Vacant(slot) => {
                slot.insert(page);
            }
            Entry::Occupied(seen) => clashes
                .entry(&page.url)
                .or_insert_with(|| vec![*seen.get()])
                .push(page),
        }
    }
    for (url, clash) in clashes {
        let [first, rest @ ..] = clash.as_slice() else {
            continue;
        };
        for other in rest {
            let shown = if url.is_empty() { "/" } else { url };
            diags.push(
                Diagnostic::error(
                    Code::UrlCollision,
                    format!(
                        "`{}` and `{}` would both be written to `{shown}`",
                        first.origin(),
                        other.origin()
                    ),
                )
                .at(other.file, 0..0, "this page")
                .with_note(first.file, 0..0, "and this page have the same URL")
                .with_help("rename one of the files"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_are_their_own_slug_are_found_so() {
        let pieces = ["a", "Z", "-", "_", ".", "9", "é", " ", "/"];
        for name in &crate::testing::every_mix(&pieces, 4) {
            assert_eq!(url_slug(name), slug_by_chars(name), "{name:?}");
        }
    }

    #[test]
    fn urls_from_paths() {
        assert_eq!(url_for("index.md"), "");
        assert_eq!(url_for("principles/index.md"), "principles/");
        assert_eq!(
            url_for("principles/Own the Outcome.md"),
            "principles/own-the-outcome/"
        );
        assert_eq!(url_for("team/README.md"), "team/");
    }

    #[test]
    fn front_matter_split() {
        assert_eq!(
            split_front_matter("+++\na = 1\n+++\nbody"),
            Ok(Some((Fence::Toml, 4..10, 14)))
        );
        assert_eq!(
            split_front_matter("---\r\na: 1\r\n---\r\nbody"),
            Ok(Some((Fence::Yaml, 5..11, 16)))
        );
        assert_eq!(split_front_matter("no front matter"), Ok(None));
        assert_eq!(split_front_matter("+++\na = 1\n"), Err((Fence::Toml, 0..3)));
    }

    #[test]
    fn title_falls_back_to_h1_then_file_name() {
        let (p, d) = parse_page(
            0,
            0,
            "notes/on-call.md".into(),
            Arc::from("# On call\n\ntext\n"),
        );
        let p = p.unwrap();
        assert!(d.is_empty());
        assert_eq!(p.title, "On call");
        assert!(p.skip_first_h1);
        let (p, _) = parse_page(0, 0, "notes/on-call.md".into(), Arc::from("text\n"));
        assert_eq!(p.unwrap().title, "On call");
    }

    #[test]
    fn principle_needs_altitude_and_horizon() {
        let text = "+++\ntitle = \"P\"\naltitude = \"hgh\"\n+++\nbody\n";
        let (p, d) = parse_page(0, 0, "principles/p.md".into(), Arc::from(text));
        assert!(p.unwrap().principle.is_none());
        let messages: Vec<_> = d.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "`altitude` must be one of `ground`, `product`, `team`, `portfolio`, `company`, not `hgh`",
                "this principle has no `horizon`",
            ]
        );
    }
}
