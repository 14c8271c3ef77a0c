//! Auto-linking: the first mention of a concept in a page's prose links to it.
//!
//! One Aho–Corasick automaton over every concept name and alias finds all
//! mentions in a single pass per page, so the cost is linear in the text,
//! whatever the number of concepts. A mention must stand as whole words; it is
//! never taken from headings, code, raw HTML or existing links (the load stage
//! only hands over plain prose spans), never on the concept's own page, and
//! never for a concept the page already links to by hand.

use std::collections::HashSet;
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use rayon::prelude::*;

use crate::content::{Page, PageId};
use crate::key::{Kept, Key};
use crate::links::{Names, Target};

/// A mention turned into a link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AutoLink {
    /// Byte span of the mention in the file.
    pub span: Range<usize>,
    pub concept: PageId,
    /// The sentence it stands in, for backlinks (shared: a kept page's
    /// auto-links are handed on without copying it).
    pub context: std::sync::Arc<str>,
}

pub(crate) struct AutoLinker {
    automaton: Option<AhoCorasick>,
    concepts: Vec<PageId>,
    /// The names and the concepts they stand for: what a page's auto-links
    /// depend on besides the page itself.
    names_key: u128,
}

/// Each page's auto-links from the previous build (`serve`), by everything
/// [`AutoLinker::find`] reads: scanning every page's prose for every name
/// was most of resolving a big site, and a save changes one page.
pub type AutolinkCache = Kept<Vec<AutoLink>>;

impl AutoLinker {
    pub fn new(names: &Names) -> AutoLinker {
        let mut patterns: Vec<(&str, PageId)> = names
            .concept_names()
            .filter(|(name, _)| !name.trim().is_empty())
            .collect();
        // Longest first, then alphabetical: a deterministic automaton.
        patterns.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(b.0)));
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(patterns.iter().map(|(name, _)| name))
            .ok();
        let mut names_key = Key::new();
        for (name, id) in &patterns {
            names_key.add(name).add(id);
        }
        AutoLinker {
            automaton,
            names_key: names_key.finish(),
            concepts: patterns.iter().map(|(_, id)| *id).collect(),
        }
    }

    /// Every page's auto-links (none where `enabled` says so), from `cache`
    /// where the page and the names are as they were; `cache` is left
    /// holding this build's.
    pub fn find_all(
        &self,
        pages: &[Page],
        owner: &[PageId],
        targets: &[Vec<Target>],
        enabled: impl Fn(&Page) -> bool + Sync,
        cache: &mut AutolinkCache,
    ) -> Vec<Vec<AutoLink>> {
        let keep = cache.keeps();
        let found: Vec<(u128, Vec<AutoLink>)> = pages
            .par_iter()
            .enumerate()
            .map(|(id, page)| {
                if !enabled(page) {
                    return (0, Vec::new());
                }
                let key = if keep {
                    self.page_key(owner[id], page, &targets[id])
                } else {
                    0
                };
                match cache.get(key) {
                    Some(links) => (key, links.clone()),
                    None => (key, self.find(owner[id], page, &targets[id])),
                }
            })
            .collect();
        cache.keep_only(found.iter().map(|(key, links)| (*key, links)));
        found.into_iter().map(|(_, links)| links).collect()
    }

    /// Everything `find` reads for a page.
    fn page_key(&self, id: PageId, page: &Page, targets: &[Target]) -> u128 {
        let mut key = Key::new();
        key.add(self.names_key)
            .add(id)
            .add(page.text_key)
            .add(&page.prose);
        for t in targets {
            if let Target::Page { page, .. } = t {
                key.add(page);
            }
        }
        key.finish()
    }

    /// The auto-links of one page, in text order.
    pub fn find(&self, id: PageId, page: &Page, targets: &[Target]) -> Vec<AutoLink> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        let mut done: HashSet<PageId> = targets
            .iter()
            .filter_map(|t| match t {
                Target::Page { page, .. } => Some(*page),
                _ => None,
            })
            .collect();
        done.insert(id);
        let mut found = Vec::new();
        for span in page.prose.iter() {
            let text = &page.text[span.clone()];
            for m in automaton.find_iter(text) {
                let concept = self.concepts[m.pattern().as_usize()];
                if done.contains(&concept) || !whole_words(text, m.start(), m.end()) {
                    continue;
                }
                done.insert(concept);
                found.push(AutoLink {
                    span: span.start + m.start()..span.start + m.end(),
                    concept,
                    context: crate::markdown::sentence_around(text, m.start()).into(),
                });
            }
        }
        found
    }
}

fn whole_words(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_only() {
        assert!(whole_words("an owner here", 3, 8));
        assert!(!whole_words("co-owners", 3, 8));
        assert!(whole_words("(owner)", 1, 6));
    }
}
