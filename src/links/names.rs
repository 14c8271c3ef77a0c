//! The name registry: every way a page can be named in a wiki link.
//!
//! A page is named by its title and by its path; a concept also by each of
//! its aliases. Names match case-insensitively. Two concepts may not claim the
//! same name: that is an error naming both places.

use std::ops::Range;
use std::sync::Arc;

use crate::content::{Loaded, Page, PageId, PageKind};
use crate::diag::{did_you_mean, Code, Diagnostic, Diagnostics, FileId};
use crate::key::{FastMap, FastSet};

/// Looked up for every link of the site, and filled with every page's
/// names, hence the fast hasher (no name is iterated in an order that
/// shows).
#[derive(Debug, Default)]
pub struct Names {
    by_name: FastMap<String, Vec<PageId>>,
    /// Names and paths of pages a layer hid, lowercase.
    hidden: FastSet<String>,
    concepts: FastMap<String, (PageId, FileId, Range<usize>)>,
    paths: FastMap<String, PageId>,
    /// Every name as written, for "did you mean".
    shown: Vec<String>,
    concept_shown: Vec<String>,
}

impl Names {
    /// `extension_of[id]` is the page an extension adds to; extensions are
    /// not named themselves, but may add aliases to the concept they extend.
    pub fn build(
        loaded: &Loaded,
        extension_of: &[Option<PageId>],
        diags: &mut Diagnostics,
    ) -> Names {
        let pages = &loaded.pages;
        // The paths and the names side by side: two maps of every page,
        // made on one thread, were the slowest part of resolving a big site.
        let (paths, (mut names, found)) = rayon::join(
            || paths_of(pages, extension_of),
            || {
                let mut found = Diagnostics::default();
                let names = Names::named(pages, extension_of, &mut found);
                (names, found)
            },
        );
        diags.extend(found);
        names.paths = paths;
        for redirect in &loaded.redirects {
            if let Some(&to) = names.paths.get(&redirect.to_path) {
                let stem = redirect.from_path.trim_end_matches(".md").to_string();
                names.paths.insert(redirect.from_path.clone(), to);
                names.paths.insert(stem, to);
                names.add_name(&redirect.from_title, to);
            }
        }
        for hidden in &loaded.hidden {
            names.hidden.insert(hidden.path.to_lowercase());
            let stem = hidden.path.trim_end_matches(".md").to_lowercase();
            names.hidden.insert(stem);
            names
                .hidden
                .extend(hidden.names.iter().map(|n| n.to_lowercase()));
        }
        names.shown.sort();
        names.shown.dedup();
        names.concept_shown.sort();
        names
    }

    /// The names of `pages`: titles, and concepts' names and aliases (an
    /// extension's aliases go to the concept it extends).
    fn named(
        pages: &[Arc<Page>],
        extension_of: &[Option<PageId>],
        diags: &mut Diagnostics,
    ) -> Names {
        let mut names = Names::default();
        names.by_name.reserve(pages.len());
        for (id, page) in pages.iter().enumerate() {
            if let Some(target) = extension_of[id] {
                names.add_extension_aliases(pages, id, target, diags);
                continue;
            }
            if page.extends.is_some() {
                continue;
            }
            names.add_name(&page.title, id);
            if page.kind == PageKind::Concept {
                names.add_concept(pages, id, &page.title, page.title_span.clone(), diags);
                let aliases = page.concept.iter().flat_map(|c| &c.aliases);
                for alias in aliases.filter(|a| !a.value.trim().is_empty()) {
                    names.add_name(&alias.value, id);
                    names.add_concept(pages, id, &alias.value, alias.span.clone(), diags);
                }
            }
        }
        names
    }

    /// Aliases an extension gives the concept it extends.
    fn add_extension_aliases(
        &mut self,
        pages: &[Arc<Page>],
        extension: PageId,
        target: PageId,
        diags: &mut Diagnostics,
    ) {
        let aliases = pages[extension].concept.iter().flat_map(|c| &c.aliases);
        for alias in aliases.filter(|a| !a.value.trim().is_empty()) {
            if pages[target].kind != PageKind::Concept {
                diags.push(
                    Diagnostic::warning(
                        Code::FrontMatterInvalidValue,
                        format!(
                            "`{}` is not a concept, so it takes no aliases",
                            pages[target].path
                        ),
                    )
                    .at(pages[extension].file, alias.span.clone(), "ignored")
                    .with_help("aliases can only be added to concept pages"),
                );
                return;
            }
            self.add_name(&alias.value, target);
            self.add_concept_from(
                pages,
                target,
                pages[extension].file,
                &alias.value,
                alias.span.clone(),
                diags,
            );
        }
    }

    /// Whether a name or path belongs to a page a layer hid.
    pub fn is_hidden(&self, name: &str) -> bool {
        self.hidden
            .contains(&name.trim_start_matches('/').to_lowercase())
    }

    fn add_name(&mut self, name: &str, id: PageId) {
        let ids = self.by_name.entry(name.to_lowercase()).or_default();
        if !ids.contains(&id) {
            ids.push(id);
        }
        self.shown.push(name.to_string());
    }

    fn add_concept(
        &mut self,
        pages: &[Arc<Page>],
        id: PageId,
        name: &str,
        span: Range<usize>,
        diags: &mut Diagnostics,
    ) {
        self.add_concept_from(pages, id, pages[id].file, name, span, diags);
    }

    /// Claims `name` for concept `id`, written at `span` of `file`.
    fn add_concept_from(
        &mut self,
        pages: &[Arc<Page>],
        id: PageId,
        file: FileId,
        name: &str,
        span: Range<usize>,
        diags: &mut Diagnostics,
    ) {
        let key = name.to_lowercase();
        match self.concepts.get(&key) {
            Some((first, first_file, first_span)) if *first != id => {
                let (first_page, this_page) = (&pages[*first], &pages[id]);
                let help = if first_page.layer != this_page.layer {
                    format!(
                        "to replace the lower layer's concept, add `replaces = \"{}\"` to `{}`'s front matter; to add to it, use `extends`",
                        first_page.path, this_page.path
                    )
                } else {
                    "remove the name from one of them, or merge the two concepts".to_string()
                };
                diags.push(
                    Diagnostic::error(
                        Code::DuplicateConcept,
                        format!(
                            "`{name}` is claimed by two concepts: `{}` and `{}`",
                            pages[*first].origin(),
                            pages[id].origin()
                        ),
                    )
                    .at(file, span, "claimed again here")
                    .with_note(*first_file, first_span.clone(), "first claimed here")
                    .with_help(help),
                );
            }
            Some(_) => {}
            None => {
                self.concepts.insert(key, (id, file, span));
                self.concept_shown.push(name.to_string());
            }
        }
    }

    /// Pages a wiki-link target names: by path first, then by title or alias.
    pub fn lookup(&self, name: &str) -> &[PageId] {
        if let Some(id) = self.paths.get(name.trim_start_matches('/')) {
            return std::slice::from_ref(id);
        }
        self.by_name
            .get(&name.to_lowercase())
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn by_path(&self, path: &str) -> Option<PageId> {
        self.paths.get(path).copied()
    }

    pub fn concept(&self, name: &str) -> Option<PageId> {
        self.concepts.get(&name.to_lowercase()).map(|(id, ..)| *id)
    }

    pub fn suggest(&self, name: &str) -> Option<String> {
        did_you_mean(name, self.shown.iter().map(String::as_str))
    }

    pub fn suggest_concept(&self, name: &str) -> Option<String> {
        did_you_mean(name, self.concept_shown.iter().map(String::as_str))
    }

    /// Suggests pages whose file name is close to the missing one's: whole
    /// paths share long prefixes and would all look alike.
    pub fn suggest_path(&self, path: &str) -> Option<String> {
        let file_name = |p: &str| p.rsplit('/').next().unwrap_or(p).to_lowercase();
        let wanted = file_name(path);
        let close: Vec<&str> = self
            .paths
            .keys()
            .filter(|p| p.ends_with(".md"))
            .filter(|p| strsim::jaro_winkler(&file_name(p), &wanted) >= 0.85)
            .map(String::as_str)
            .collect();
        did_you_mean(path, close)
    }

    /// Every concept name and alias with its concept, for auto-linking.
    pub fn concept_names(&self) -> impl Iterator<Item = (&str, PageId)> {
        self.concepts.iter().map(|(k, (id, ..))| (k.as_str(), *id))
    }
}

/// Each named page's paths: as written, without `.md`, and for an index
/// page its folder, with and without the `/`.
fn paths_of(pages: &[Arc<Page>], extension_of: &[Option<PageId>]) -> FastMap<String, PageId> {
    let mut paths = FastMap::default();
    // Two paths a page, most of them: sized once, not grown.
    paths.reserve(pages.len() * 2);
    for (id, page) in pages.iter().enumerate() {
        if extension_of[id].is_some() || page.extends.is_some() {
            continue;
        }
        let stem = page.path.strip_suffix(".md").unwrap_or(&page.path);
        paths.insert(page.path.clone(), id);
        paths.insert(stem.to_string(), id);
        if page.url.is_empty() || crate::content::is_index_file(&page.path) {
            // A folder path names its index page: `principles/`, `principles`.
            let dir = page.dir().to_string();
            paths.insert(dir.trim_end_matches('/').to_string(), id);
            paths.insert(dir, id);
        }
    }
    paths
}
