//! What upper layers do to lower ones once every page is read: hide pages,
//! replace pages that live at another path, and give folders without an
//! index page a generated listing (as a GitHub-style handbook expects).

use std::collections::BTreeMap;

use crate::key::{FastMap, FastSet};
use std::sync::Arc;

use super::layers::Layer;
use super::{title_from_path, url_for, HiddenPage, Loaded, Page, PageKind, Redirect};
use crate::diag::{did_you_mean, Code, Diagnostic, Diagnostics};

/// Removes the lower-layer pages each layer's `hide` names.
pub(super) fn hide(stack: &[Layer], loaded: &mut Loaded, diags: &mut Diagnostics) {
    for (layer_index, layer) in stack.iter().enumerate() {
        let Some((file, _)) = layer.config else {
            continue;
        };
        for hidden in &layer.hide {
            let wanted = hidden.value.trim_start_matches('/');
            let is_target = |p: &Page| {
                p.layer < layer_index && p.extends.is_none() && same_path(&p.path, wanted)
            };
            let found: Vec<&Arc<Page>> = loaded.pages.iter().filter(|p| is_target(p)).collect();
            if found.is_empty() {
                let lower = lower_paths(&loaded.pages, layer_index);
                diags.push(
                    Diagnostic::error(
                        Code::LayerTargetMissing,
                        format!("`hide` names `{wanted}`, but no lower layer has that page"),
                    )
                    .at(file, hidden.span.clone(), "no such page below this layer")
                    .with_help_opt(did_you_mean(wanted, lower.iter().map(String::as_str))),
                );
                continue;
            }
            for page in found {
                let mut names = vec![page.title.clone()];
                names.extend(
                    page.concept
                        .iter()
                        .flat_map(|c| c.aliases.iter().map(|a| a.value.clone())),
                );
                loaded.hidden.push(HiddenPage {
                    path: page.path.clone(),
                    names,
                    by_layer: layer_index,
                });
            }
            loaded.pages.retain(|p| !is_target(p));
        }
    }
}

/// Applies `replaces`: the named lower-layer page goes, and links to its path
/// or title lead to the page that replaced it.
pub(super) fn replace(loaded: &mut Loaded, diags: &mut Diagnostics) {
    let requests: Vec<(usize, String, crate::content::meta::Spanned<String>)> = loaded
        .pages
        .iter()
        .filter_map(|p| p.replaces.clone().map(|r| (p.layer, p.path.clone(), r)))
        .collect();
    for (layer, to_path, replaces) in requests {
        let wanted = replaces.value.trim_start_matches('/').to_string();
        let is_target =
            |p: &Page| p.layer < layer && p.extends.is_none() && same_path(&p.path, &wanted);
        let Some(old) = loaded.pages.iter().find(|p| is_target(p)) else {
            let lower = lower_paths(&loaded.pages, layer);
            let file = loaded
                .pages
                .iter()
                .find(|p| p.path == to_path && p.layer == layer)
                .map(|p| p.file);
            if let Some(file) = file {
                diags.push(
                    Diagnostic::error(
                        Code::LayerTargetMissing,
                        format!("`replaces` names `{wanted}`, but no lower layer has that page"),
                    )
                    .at(file, replaces.span.clone(), "no such page below this layer")
                    .with_help_opt(did_you_mean(&wanted, lower.iter().map(String::as_str))),
                );
            }
            continue;
        };
        loaded.redirects.push(Redirect {
            from_path: old.path.clone(),
            from_title: old.title.clone(),
            to_path,
        });
        loaded.pages.retain(|p| !is_target(p));
    }
}

/// `team/oncall` and `team/oncall.md` name the same page.
fn same_path(path: &str, wanted: &str) -> bool {
    path == wanted || path.strip_suffix(".md") == Some(wanted)
}

fn lower_paths(pages: &[Arc<Page>], layer: usize) -> Vec<String> {
    pages
        .iter()
        .filter(|p| p.layer < layer && p.extends.is_none())
        .map(|p| p.path.clone())
        .collect()
}

/// Every folder that holds pages but no `index.md` or `README.md` gets a
/// generated section page listing them, so links to the folder resolve and
/// the reader can browse it.
pub(super) fn add_folder_listings(loaded: &mut Loaded) {
    // Each folder with the top layer of the pages under it: folders are
    // few, pages many, so each folder's index is looked for once.
    let mut folders: FastMap<&str, usize> = FastMap::default();
    for page in loaded.pages.iter().filter(|p| p.extends.is_none()) {
        let mut path = page.path.as_str();
        while let Some(i) = path.rfind('/') {
            path = &path[..i];
            let layer = folders.entry(path).or_insert(page.layer);
            *layer = (*layer).max(page.layer);
        }
    }
    let existing: FastSet<&str> = loaded.pages.iter().map(|p| p.url.as_str()).collect();
    let missing: BTreeMap<String, usize> = folders
        .into_iter()
        .map(|(path, layer)| (format!("{path}/index.md"), layer))
        .filter(|(folder, _)| !existing.contains(url_for(folder).as_str()))
        .collect();
    for (path, layer) in missing {
        let name = format!("{path} (generated listing)");
        let file = loaded.sources.add(name, Arc::from(""));
        let title = title_from_path(&path);
        loaded.pages.push(Arc::new(Page::generated(
            file,
            layer,
            path,
            PageKind::Section,
            title,
            String::new(),
        )));
    }
}
