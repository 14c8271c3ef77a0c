//! Provenance across layers: which layer each page comes from, and which
//! principles a company has made its own.
//!
//! A leadership team layering its practice over the shared principles wants
//! to know where it has not yet said how it works. `build` prints the short
//! form; `altitude layers` prints the whole table, or JSON for CI.

use serde::Serialize;

use crate::content::Loaded;
use crate::links::Resolved;

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct LayerRow {
    pub name: String,
    pub root: String,
    /// Pages this layer writes (added or replacing a lower one).
    pub pages: usize,
    /// Company sections this layer adds to lower pages.
    pub extensions: usize,
    /// Lower pages this layer hides.
    pub hidden: usize,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct PrincipleRow {
    pub title: String,
    pub path: String,
    /// The layer the page itself comes from.
    pub layer: String,
    /// Layers that add a section to it, bottom first.
    pub extended_by: Vec<String>,
    /// Whether any layer above the base added to or replaced it.
    pub covered: bool,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Coverage {
    pub layers: Vec<LayerRow>,
    pub principles: Vec<PrincipleRow>,
}

pub fn coverage(loaded: &Loaded, resolved: &Resolved) -> Coverage {
    let pages = &loaded.pages;
    let layer_name = |i: usize| loaded.layers.get(i).map_or("", |l| l.name.as_str());
    let layers = loaded
        .layers
        .iter()
        .enumerate()
        .map(|(i, l)| LayerRow {
            name: l.name.clone(),
            root: l.root.clone(),
            pages: (0..pages.len())
                .filter(|&p| resolved.is_output(p) && pages[p].layer == i)
                .count(),
            extensions: (0..pages.len())
                .filter(|&p| !resolved.is_output(p) && pages[p].layer == i)
                .count(),
            hidden: loaded.hidden.iter().filter(|h| h.by_layer == i).count(),
        })
        .collect();
    let principles = resolved
        .principles
        .iter()
        .map(|&id| {
            let page = &pages[id];
            let extended_by: Vec<String> = resolved.extensions[id]
                .iter()
                .map(|&e| layer_name(pages[e].layer).to_string())
                .collect();
            PrincipleRow {
                title: page.title.clone(),
                path: page.path.clone(),
                layer: layer_name(page.layer).to_string(),
                covered: page.layer > 0 || !extended_by.is_empty(),
                extended_by,
            }
        })
        .collect();
    Coverage { layers, principles }
}

impl Coverage {
    /// One line for the end of a build, or nothing for a single layer.
    pub fn summary(&self) -> Option<String> {
        if self.layers.len() < 2 || self.principles.is_empty() {
            return None;
        }
        let covered = self.principles.iter().filter(|p| p.covered).count();
        let total = self.principles.len();
        let line = format!("company additions on {covered} of {total} principles");
        Some(if covered == total {
            line
        } else {
            format!(
                "{line}; `altitude layers` lists the {} without",
                total - covered
            )
        })
    }

    /// The full report, as `altitude layers` prints it.
    pub fn table(&self) -> String {
        let mut out = String::from("Layers, bottom first:\n");
        for (i, l) in self.layers.iter().enumerate() {
            out.push_str(&format!(
                "  {}. {:<20} {:<28} {:>4} pages  {:>3} extensions  {:>3} hidden\n",
                i + 1,
                l.name,
                l.root,
                l.pages,
                l.extensions,
                l.hidden
            ));
        }
        out.push_str("\nPrinciples:\n");
        for p in &self.principles {
            let mark = if p.covered { "✓" } else { "·" };
            let from = if p.extended_by.is_empty() {
                format!("from {}", p.layer)
            } else {
                format!("from {}, extended by {}", p.layer, p.extended_by.join(", "))
            };
            out.push_str(&format!("  {mark} {:<52} {from}\n", p.title));
        }
        let covered = self.principles.iter().filter(|p| p.covered).count();
        out.push_str(&format!(
            "\n{covered} of {} principles have additions above the base layer\n",
            self.principles.len()
        ));
        out
    }
}
