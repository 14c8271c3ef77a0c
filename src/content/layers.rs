//! The stack of layers a site is built from, bottom first.
//!
//! The folder a command is given names its base in `playbook.toml`
//! (`base = "bundled"` by default, `"none"`, or a path to another playbook,
//! which may name a base of its own) and any further `layers`; `--layer`
//! folders go on top. Later layers win. Everything about a layer that is not
//! a page — its name, what it hides, what it ignores — is read here, before
//! any page is, so a missing folder or a cycle of bases is reported at the
//! `playbook.toml` line that named it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::meta::{parse_toml, Fields, Spanned, Table};
use super::SiteInput;
use crate::diag::{Code, Diagnostic, Diagnostics, FileId, SourceMap};
use crate::embedded;
use crate::source::{FsSource, Source};

/// One layer, with the settings that shape how its files are read.
pub(crate) struct Layer {
    pub source: Arc<dyn Source>,
    pub name: String,
    /// Its `playbook.toml`, parsed once (syntax errors already reported);
    /// the file is in the source map.
    pub config: Option<(FileId, Table)>,
    /// Source paths of lower-layer pages this layer hides.
    pub hide: Vec<Spanned<String>>,
    /// Patterns of this layer's files that are not read.
    pub ignore: Vec<String>,
    /// Where its pages are edited: a URL with `{path}` for the source path.
    pub edit_url: Option<String>,
}

/// What the rest of the build, `altitude layers` and `serve` need to know
/// about a layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerInfo {
    pub name: String,
    /// As shown in messages: `<bundled>/`, `examples/acme/`.
    pub root: String,
    /// The folder on disk, when there is one (watched by `serve`).
    pub disk_root: Option<PathBuf>,
    /// The layer's `edit_url`: a URL with `{path}` for a page's source path.
    pub edit_url: Option<String>,
    /// Patterns of its files that are not read (`ignore`).
    pub ignore: Vec<String>,
}

/// Settings in a layer's `playbook.toml` that concern the stack.
#[derive(Default)]
struct StackSettings {
    name: Option<String>,
    base: Option<Spanned<String>>,
    layers: Vec<Spanned<String>>,
    hide: Vec<Spanned<String>>,
    ignore: Vec<String>,
    edit_url: Option<String>,
}

/// The layers a playbook.toml names under itself: its base, then `layers`.
struct Links {
    base: Option<Spanned<String>>,
    layers: Vec<Spanned<String>>,
}

/// A folder already on the chain of bases, and where it was named.
struct ChainLink {
    folder: PathBuf,
    /// As shown in messages.
    shown: String,
    named_at: Option<(FileId, Spanned<String>)>,
}

pub(crate) fn stack(
    input: &SiteInput,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Vec<Layer> {
    let mut stacker = Stacker {
        sources,
        diags,
        skip: &input.skip,
        layers: Vec::new(),
        chain: Vec::new(),
    };
    stacker.with_base(input.top.clone(), None);
    for extra in &input.extra {
        let (layer, links) = stacker.read_layer(extra.clone());
        stacker.ignored_links(&layer, &links, "--layer");
        stacker.layers.push(layer);
    }
    stacker.layers
}

struct Stacker<'a> {
    sources: &'a mut SourceMap,
    diags: &'a mut Diagnostics,
    skip: &'a [PathBuf],
    layers: Vec<Layer>,
    chain: Vec<ChainLink>,
}

impl Stacker<'_> {
    /// Pushes `source`'s base (recursively), its `layers`, then itself.
    fn with_base(&mut self, source: Arc<dyn Source>, named_at: Option<(FileId, Spanned<String>)>) {
        let (layer, links) = self.read_layer(source.clone());
        if let Some(folder) = source.disk_root().and_then(|d| d.canonicalize().ok()) {
            let shown = source.display_root().to_string();
            self.chain.push(ChainLink {
                folder,
                shown,
                named_at,
            });
        }
        let file = layer.config.as_ref().map(|(id, _)| *id);
        let base = links.base.as_ref().zip(file);
        match base.map(|(b, f)| (b.value.as_str(), b, f)) {
            Some(("none", _, _)) => {}
            Some((name, named, file)) if name != "bundled" => {
                if let Some(folder) = self.folder(&source, file, named, "base") {
                    if !self.closes_cycle(&folder, file, named) {
                        let base: Arc<dyn Source> =
                            Arc::new(FsSource::new(folder, self.skip.to_vec()));
                        self.with_base(base, Some((file, named.clone())));
                    }
                }
            }
            // The bundled playbook is the default base, and has none itself.
            _ if source.display_root() == embedded::BUNDLED_ROOT => {}
            _ => self.with_base(Arc::new(embedded::playbook()), None),
        }
        for path in &links.layers {
            let Some(file) = file else { break };
            if let Some(folder) = self.folder(&source, file, path, "layer") {
                let (extra, extra_links) =
                    self.read_layer(Arc::new(FsSource::new(folder, self.skip.to_vec())));
                self.ignored_links(&extra, &extra_links, "`layers`");
                self.layers.push(extra);
            }
        }
        self.layers.push(layer);
    }

    /// A layer added on top (by `added_by`) is stacked as it is: its own
    /// `base` and `layers` would change what lies below it, so they are
    /// ignored, and said so.
    fn ignored_links(&mut self, layer: &Layer, links: &Links, added_by: &str) {
        let Some((file, _)) = &layer.config else {
            return;
        };
        let named = links.base.iter().map(|b| ("base", b));
        let listed = links.layers.iter().map(|l| ("layers", l));
        for (key, value) in named.chain(listed) {
            self.diags.push(
                Diagnostic::warning(
                    Code::LayerSettingIgnored,
                    format!(
                        "`{key}` is ignored in a layer added with {added_by}: `{}` is not stacked",
                        value.value
                    ),
                )
                .at(*file, value.span.clone(), "ignored here")
                .with_help(format!(
                    "only the playbook a command is given names its `{key}`; set it in that playbook.toml"
                )),
            );
        }
    }

    /// A folder named in `playbook.toml`, relative to the layer naming it.
    fn folder(
        &mut self,
        source: &Arc<dyn Source>,
        file: FileId,
        named: &Spanned<String>,
        what: &str,
    ) -> Option<PathBuf> {
        let path = match source.disk_root() {
            Some(root) => root.join(&named.value),
            None => PathBuf::from(&named.value),
        };
        if path.is_dir() {
            return Some(path);
        }
        self.diags.push(
            Diagnostic::error(
                Code::LayerMissing,
                format!("the {what} folder `{}` does not exist", named.value),
            )
            .at(file, named.span.clone(), "no such folder")
            .with_help("paths are relative to the folder holding this playbook.toml"),
        );
        None
    }

    fn closes_cycle(&mut self, folder: &Path, file: FileId, named: &Spanned<String>) -> bool {
        let Ok(canonical) = folder.canonicalize() else {
            return false;
        };
        let Some(first) = self.chain.iter().position(|l| l.folder == canonical) else {
            return false;
        };
        let mut steps: Vec<String> = self.chain[first..]
            .iter()
            .map(|l| shown_folder(&l.shown))
            .collect();
        steps.push(shown_folder(&self.chain[first].shown));
        let mut diag = Diagnostic::error(
            Code::LayerCycle,
            format!("the bases form a cycle: {}", steps.join(" → ")),
        )
        .at(file, named.span.clone(), "this base leads back");
        if let Some((first_file, first_named)) = &self.chain[first + 1..]
            .first()
            .and_then(|l| l.named_at.as_ref())
        {
            diag = diag.with_note(
                *first_file,
                first_named.span.clone(),
                "the cycle starts here",
            );
        }
        self.diags
            .push(diag.with_help("one playbook in the chain must name another base, or `none`"));
        true
    }

    fn read_layer(&mut self, source: Arc<dyn Source>) -> (Layer, Links) {
        let config = self.read_config(source.as_ref()).map(|(file, text)| {
            let mut found = Vec::new();
            let table = parse_toml(&text, 0, file, Code::ConfigSyntax, &mut found);
            self.diags.extend(found);
            (file, table)
        });
        let settings = match &config {
            Some((file, table)) => {
                let mut found = Vec::new();
                let settings = read_settings(table, *file, &mut found);
                self.diags.extend(found);
                settings
            }
            None => StackSettings::default(),
        };
        let StackSettings {
            name,
            base,
            layers,
            hide,
            ignore,
            edit_url,
        } = settings;
        let layer = Layer {
            name: name.unwrap_or_else(|| default_name(source.as_ref())),
            source,
            config,
            hide,
            ignore,
            edit_url,
        };
        (layer, Links { base, layers })
    }

    fn read_config(&mut self, source: &dyn Source) -> Option<(FileId, Arc<str>)> {
        let bytes = source.read("playbook.toml").ok()?;
        let name = format!("{}playbook.toml", source.display_root());
        match super::add_text(self.sources, name, &bytes, self.diags) {
            (id, Some(text)) => Some((id, text)),
            (_, None) => None,
        }
    }
}

fn shown_folder(root: &str) -> String {
    if root.is_empty() {
        "`./`".into()
    } else {
        format!("`{root}`")
    }
}

/// The keys of `playbook.toml` that concern the stack; [`crate::config`]
/// knows them too, so they are not reported as unknown there.
pub(crate) const STACK_KEYS: &[&str] = &["name", "base", "layers", "hide", "ignore", "edit_url"];

fn read_settings(table: &Table, file: FileId, diags: &mut Vec<Diagnostic>) -> StackSettings {
    let mut f = Fields::config(table, file, "playbook.toml");
    let settings = StackSettings {
        name: f.str("name").map(|s| s.value),
        base: f.str("base"),
        layers: f.str_list("layers"),
        hide: f.str_list("hide"),
        ignore: f.str_list("ignore").into_iter().map(|s| s.value).collect(),
        edit_url: f
            .str("edit_url")
            .and_then(|url| edit_url(url, file, &mut f.diags)),
    };
    diags.append(&mut f.diags);
    settings
}

/// An `edit_url` names where each page goes with `{path}`; without it
/// every page would link to one place.
fn edit_url(url: Spanned<String>, file: FileId, diags: &mut Vec<Diagnostic>) -> Option<String> {
    if url.value.contains("{path}") {
        return Some(url.value);
    }
    diags.push(
        Diagnostic::error(
            Code::ConfigInvalidValue,
            "`edit_url` must contain `{path}`, where each page's source path goes",
        )
        .at(file, url.span, "no `{path}` in this URL")
        .with_help("for GitHub: \"https://github.com/ORG/REPO/edit/main/{path}\""),
    );
    None
}

/// A layer without a `name`: its folder's name, capitalised.
fn default_name(source: &dyn Source) -> String {
    let folder = source
        .disk_root()
        .and_then(|d| d.canonicalize().ok())
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()));
    let raw = folder.unwrap_or_else(|| {
        source
            .display_root()
            .trim_matches(['/', '<', '>'])
            .to_string()
    });
    let mut chars = raw.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => "Layer".into(),
    }
}

/// Whether `path` matches an `ignore` pattern: an exact path, a folder
/// (`drafts/`), or a glob where `*` matches within one path segment and `**`
/// across segments.
pub(crate) fn ignored(patterns: &[String], path: &str) -> bool {
    patterns.iter().any(|p| {
        let p = p.trim_start_matches("./").trim_start_matches('/');
        if let Some(folder) = p.strip_suffix('/') {
            path.starts_with(folder) && path[folder.len()..].starts_with('/')
        } else {
            glob_match(p.as_bytes(), path.as_bytes())
        }
    })
}

fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    match pattern {
        [] => text.is_empty(),
        [b'*', b'*', rest @ ..] => {
            let rest = rest.strip_prefix(b"/").unwrap_or(rest);
            (0..=text.len()).any(|i| glob_match(rest, &text[i..]))
        }
        [b'*', rest @ ..] => {
            let segment = text.iter().position(|&c| c == b'/').unwrap_or(text.len());
            (0..=segment).any(|i| glob_match(rest, &text[i..]))
        }
        [c, rest @ ..] => text.first() == Some(c) && glob_match(rest, &text[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_patterns() {
        let p = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(ignored(&p(&["README.md"]), "README.md"));
        assert!(!ignored(&p(&["README.md"]), "team/README.md"));
        assert!(ignored(&p(&["drafts/"]), "drafts/a/b.md"));
        assert!(!ignored(&p(&["drafts/"]), "drafts-old/a.md"));
        assert!(ignored(&p(&["*.tmp.md"]), "x.tmp.md"));
        assert!(!ignored(&p(&["*.tmp.md"]), "a/x.tmp.md"));
        assert!(ignored(&p(&["**/*.tmp.md"]), "a/b/x.tmp.md"));
        assert!(ignored(&p(&["**/*.tmp.md"]), "x.tmp.md"));
    }
}
