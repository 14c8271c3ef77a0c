//! Auto-linking: the first mention of a concept in a page's prose links to it.
//!
//! Every concept name and alias, looked up by its first word or two, finds
//! all mentions in a single pass per page (see [`super::mentions`]), so the
//! cost is linear in the text, whatever the number of concepts. A mention
//! must stand as whole words; it is never taken from headings, code, raw
//! HTML or existing links (the load stage only hands over plain prose
//! spans), never on the concept's own page, and never for a concept the
//! page already links to by hand.

use crate::key::FastMap;
use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;

use crate::content::{Page, PageId};
use crate::key::{Kept, Key};
use crate::links::mentions::NameIndex;
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
    /// `context`'s key (see `LinkRef::sentence_key`).
    pub sentence_key: u128,
}

#[derive(Debug)]
pub(crate) struct AutoLinker {
    names: NameIndex,
    /// Each pattern's concept, as a slot: concepts are numbered by their
    /// names, not by page id, so a page added or removed elsewhere (which
    /// shifts page ids) leaves every page's auto-links as they were kept.
    pattern_slots: Vec<u32>,
    /// Each slot's concept page, in this build.
    concepts: Vec<PageId>,
    slot_of: FastMap<PageId, u32>,
    /// The names and the slots they stand for: what a page's auto-links
    /// depend on besides the page itself.
    names_key: u128,
}

/// A mention found, with its concept as a slot (see [`AutoLinker`]).
#[derive(Clone, Debug)]
pub struct Mention {
    span: Range<usize>,
    slot: u32,
    context: std::sync::Arc<str>,
    sentence_key: u128,
}

/// Each page's mentions from the previous build (`serve`), by everything
/// [`AutoLinker::find`] reads: scanning every page's prose for every name
/// was most of resolving a big site, and a save changes one page.
pub type AutolinkCache = Kept<Vec<Mention>>;

impl AutoLinker {
    pub fn new(names: &Names) -> AutoLinker {
        let mut patterns: Vec<(&str, PageId)> = names
            .concept_names()
            .filter(|(name, _)| !name.trim().is_empty())
            .collect();
        // Longest first, then alphabetical: of two names alike but for
        // case, the same one always wins.
        patterns.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(b.0)));
        let names = NameIndex::new(patterns.iter().map(|(name, _)| *name));
        // Slots in order of each concept's first pattern.
        let mut slot_of: FastMap<PageId, u32> = FastMap::default();
        let mut concepts = Vec::new();
        let mut names_key = Key::new();
        let pattern_slots = patterns
            .iter()
            .map(|(name, id)| {
                let slot = *slot_of.entry(*id).or_insert_with(|| {
                    concepts.push(*id);
                    concepts.len() as u32 - 1
                });
                names_key.add(name).add(slot);
                slot
            })
            .collect();
        AutoLinker {
            names,
            pattern_slots,
            concepts,
            slot_of,
            names_key: names_key.finish(),
        }
    }

    /// Every page's auto-links (none where `enabled` says so), from `cache`
    /// where the page and the names are as they were; `cache` is left
    /// holding this build's.
    pub fn find_all(
        &self,
        pages: &[Arc<Page>],
        owner: &[PageId],
        targets: &[Arc<[Target]>],
        enabled: impl Fn(&Page) -> bool + Sync,
        cache: &mut AutolinkCache,
    ) -> Vec<Vec<AutoLink>> {
        let keep = cache.keeps();
        // Each page's links, its key, and the mentions found if they were
        // not kept: those kept are read where they are.
        type Found = (Vec<AutoLink>, u128, Option<Vec<Mention>>);
        let found: Vec<Found> = pages
            .par_iter()
            .with_max_len(crate::sync::PAGES_PER_TASK)
            .enumerate()
            .map(|(id, page)| {
                if !enabled(page) {
                    return (Vec::new(), 0, None);
                }
                let done = self.linked_already(owner[id], &targets[id]);
                let key = if keep { self.page_key(page, &done) } else { 0 };
                match cache.get(key) {
                    Some(mentions) => (self.links(mentions), key, None),
                    None => {
                        let mentions = self.find(page, done);
                        (self.links(&mentions), key, Some(mentions))
                    }
                }
            })
            .collect();
        let used: Vec<u128> = found.iter().map(|(_, key, _)| *key).collect();
        let mut fresh = Vec::new();
        let links = found
            .into_iter()
            .map(|(links, key, found)| {
                fresh.extend(found.map(|mentions| (key, mentions)));
                links
            })
            .collect();
        cache.keep_used(used, fresh);
        links
    }

    /// Mentions as links to their concepts' pages in this build.
    fn links(&self, mentions: &[Mention]) -> Vec<AutoLink> {
        mentions.iter().map(|m| self.link(m)).collect()
    }

    /// The auto-links of page `id`, with links to `targets`, as
    /// [`AutoLinker::find_all`] finds them.
    pub fn links_of(&self, id: PageId, page: &Page, targets: &[Target]) -> Vec<AutoLink> {
        self.links(&self.find(page, self.linked_already(id, targets)))
    }

    /// The concepts page `id` (with links to `targets`) does not auto-link:
    /// itself, and those it links to by hand; in slot order.
    fn linked_already(&self, id: PageId, targets: &[Target]) -> Vec<u32> {
        let linked = targets.iter().filter_map(|t| match t {
            Target::Page { page, .. } => Some(page),
            _ => None,
        });
        let mut done: Vec<u32> = std::iter::once(&id)
            .chain(linked)
            .filter_map(|p| self.slot_of.get(p).copied())
            .collect();
        done.sort_unstable();
        done.dedup();
        done
    }

    /// Everything `find` reads for a page: its prose spans are found in
    /// its text from where the body starts, so those stand for them.
    fn page_key(&self, page: &Page, done: &[u32]) -> u128 {
        let mut key = Key::new();
        key.add(self.names_key)
            .add(page.text_key)
            .add(page.body_start)
            .add(done);
        key.finish()
    }

    /// The mentions in one page's prose of concepts not in `done`, in text
    /// order.
    fn find(&self, page: &Page, mut done: Vec<u32>) -> Vec<Mention> {
        let mut found = Vec::new();
        for span in page.prose.iter() {
            let text = &page.text[span.clone()];
            self.names.each_mention(text, |pattern, at| {
                let slot = self.pattern_slots[pattern as usize];
                if done.contains(&slot) {
                    return;
                }
                done.push(slot);
                let context = crate::markdown::sentence_around(text, at.start);
                found.push(Mention {
                    span: span.start + at.start..span.start + at.end,
                    slot,
                    sentence_key: crate::key::text_key(&context),
                    context: context.into(),
                });
            });
        }
        found
    }

    /// A mention as a link to its concept's page in this build.
    fn link(&self, mention: &Mention) -> AutoLink {
        AutoLink {
            span: mention.span.clone(),
            concept: self.concepts[mention.slot as usize],
            context: mention.context.clone(),
            sentence_key: mention.sentence_key,
        }
    }
}
