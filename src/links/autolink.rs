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

use crate::content::{Page, PageId};
use crate::links::{Names, Target};

/// A mention turned into a link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AutoLink {
    /// Byte span of the mention in the file.
    pub span: Range<usize>,
    pub concept: PageId,
    /// The sentence it stands in, for backlinks.
    pub context: String,
}

pub(crate) struct AutoLinker {
    automaton: Option<AhoCorasick>,
    concepts: Vec<PageId>,
}

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
        AutoLinker {
            automaton,
            concepts: patterns.iter().map(|(_, id)| *id).collect(),
        }
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
        for span in &page.prose {
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
                    context: crate::markdown::sentence_around(text, m.start()),
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
