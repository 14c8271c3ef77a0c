//! The index on disk: a manifest appended to the client script and, for a
//! large site, shards loaded on demand (see `docs/search-index.md`).
//!
//! A query loads the client and one shard: the shard of its word's prefix
//! (see [`super::keys`]) holds those terms' best documents together with
//! the titles, headings and snippets needed to show them, so no further
//! request is needed to display results.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use super::keys::KeySpace;
use super::scored::{Change, Scored};
use super::SectionDoc;
use crate::config::UrlStyle;
use crate::content::{Page, PageId, PageKind};
use crate::escape::push_json_str;
use crate::pipeline::{Bytes, Sink};
use crate::render::urls::link_url;
use crate::render::SectionText;

type FastHash = foldhash::fast::FixedState;

/// Above this many bytes of JSON, the index is split into shards.
const SINGLE_FILE_LIMIT: usize = 48 * 1024;
/// Postings kept per term in a shard: enough for a screen of results.
const SHARD_POSTINGS: usize = 16;
const SNIPPET_CHARS: usize = 96;
/// Shards above this size (estimated) are split by a longer prefix.
const SHARD_BUDGET: usize = 12 * 1024;
/// Estimated bytes a posting adds to a shard, its document row included.
const POSTING_BYTES: usize = 150;

/// What the client needs to know about the site's pages.
pub(crate) struct PageInfo<'a> {
    pub pages: &'a [Arc<Page>],
    pub url_style: UrlStyle,
}

/// A shard's content. Page and document rows arrive as JSON already (see
/// [`Shown`]): a document shows in many shards, so it is escaped once.
struct ShardJson<'a> {
    /// `["url","title","kind"]` per page.
    pages: Vec<&'a str>,
    /// Local page number, and `"anchor","heading","snippet"`.
    docs: Vec<(usize, &'a str)>,
    terms: Vec<(&'a str, String)>,
    /// `[word, key]`, or `[word, key, term]` for a word found under its stem.
    see: Vec<Vec<&'a str>>,
}

impl ShardJson<'_> {
    /// The shard as JSON, written straight into `out`: thousands of shards
    /// are written per build. The text is what serde would make of the rows
    /// as tuples (a test checks it).
    fn write(&self, out: &mut String) {
        fn list<T>(out: &mut String, items: &[T], mut item: impl FnMut(&mut String, &T)) {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                item(out, x);
            }
            out.push(']');
        }
        out.push_str("{\"pages\":");
        list(out, &self.pages, |out, row| out.push_str(row));
        out.push_str(",\"docs\":");
        list(out, &self.docs, |out, (page, row)| {
            out.push('[');
            out.push_str(&page.to_string());
            out.push(',');
            out.push_str(row);
            out.push(']');
        });
        out.push_str(",\"terms\":");
        list(out, &self.terms, |out, (term, postings)| {
            out.push('[');
            push_json_str(out, term);
            out.push(',');
            push_json_str(out, postings);
            out.push(']');
        });
        out.push_str(",\"see\":");
        list(out, &self.see, |out, row| {
            list(out, row, |out, text| push_json_str(out, text));
        });
        out.push('}');
    }
}

/// Strings as JSON, comma-separated.
fn json_strs(texts: &[&str]) -> String {
    let mut out = String::with_capacity(texts.iter().map(|t| t.len() + 3).sum());
    for (i, text) in texts.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_str(&mut out, text);
    }
    out
}

/// Each page's row in the shards, `["url","title","kind"]`, by page id:
/// prepared once, as a page can appear in many shards. (Documents carry
/// their own rows.) With what each was made from, so that a save makes
/// again only the rows of pages whose URL, title or kind changed.
struct PageRows {
    style: UrlStyle,
    made_of: Vec<(String, String, PageKind)>,
    rows: Vec<String>,
}

impl PageRows {
    /// The rows of `info`'s pages; what each was made from too, if the
    /// rows are to be brought up to date (`remember`).
    fn new(info: &PageInfo<'_>, remember: bool) -> PageRows {
        let made_of = match remember {
            true => info.pages.iter().map(|p| made_of(p)).collect(),
            false => Vec::new(),
        };
        PageRows {
            style: info.url_style,
            made_of,
            rows: info
                .pages
                .par_iter()
                .map(|p| page_row(p, info.url_style))
                .collect(),
        }
    }

    /// Whether these rows are of the same pages, in the same URL style,
    /// and remember what they were made from.
    fn fit(&self, info: &PageInfo<'_>) -> bool {
        self.style == info.url_style
            && self.rows.len() == info.pages.len()
            && self.made_of.len() == self.rows.len()
    }

    /// The rows brought up to date with the pages of `info` (which they
    /// fit); the ids of the pages whose row changed.
    fn refresh(&mut self, info: &PageInfo<'_>) -> Vec<PageId> {
        let mut changed = Vec::new();
        for (id, page) in info.pages.iter().enumerate() {
            let (url, title, kind) = &self.made_of[id];
            if page.url != *url || page.title != *title || page.kind != *kind {
                self.made_of[id] = made_of(page);
                self.rows[id] = page_row(page, self.style);
                changed.push(id);
            }
        }
        changed
    }
}

fn made_of(page: &Page) -> (String, String, PageKind) {
    (page.url.clone(), page.title.clone(), page.kind)
}

fn page_row(page: &Page, style: UrlStyle) -> String {
    let url = link_url(&page.url, style);
    format!("[{}]", json_strs(&[&url, &page.title, page.kind.name()]))
}

/// A document's row in the shards: `"anchor","heading","snippet"`.
pub(super) fn doc_row(section: &SectionText) -> String {
    let anchor = section.anchor.as_deref().unwrap_or("");
    json_strs(&[anchor, &section.heading, &snippet(&section.body)])
}

/// The client followed by the manifest.
pub(crate) const SCRIPT: &str = "search/search.js";
/// The folder of the shard packs.
pub(crate) const SHARDS: &str = "search/s/";

/// The sharded index as a build encoded it, kept by `serve` so that the
/// next build re-encodes only the shards a save changed.
pub(super) struct Encoded {
    /// The best score in the index, against which scores are quantised.
    max: f32,
    /// Per term number: its best score, and a document that has it.
    term_max: Vec<Best>,
    /// Per term number: its best postings, best first, quantised.
    quantised: Vec<Vec<(u32, u8)>>,
    page_rows: PageRows,
    layout: Layout,
    /// The key space as the manifest carries it, packs marked.
    tree: BTreeMap<String, String>,
    /// Shard key → the shard's script.
    bodies: Bodies,
    /// The manifest: the key space, packs marked, and the documents.
    manifest: String,
    packs: Vec<Pack>,
    /// The shards this encoding wrote, rather than took from the last.
    pub written: usize,
}

/// Which shards there are, and what each holds.
struct Layout {
    /// The terms that have postings, in the order of their names.
    terms: Vec<u32>,
    space: KeySpace,
    shards: Shards,
}

/// What encoding reads: the scored documents and the terms' names.
pub(super) struct Input<'a> {
    pub scored: &'a Scored,
    pub stems: &'a [String],
    /// Each surface word with its stem's number.
    pub words: &'a [(String, u32)],
    pub info: PageInfo<'a>,
    /// The theme's search client, which the manifest follows.
    pub client: &'a [u8],
    /// Where a build that keeps nothing writes the packs as it makes
    /// them (see [`streamed`]), rather than returning them with the other
    /// files.
    pub sink: Option<&'a dyn Sink>,
}

/// What the shards' JSON is made from.
#[derive(Clone, Copy)]
struct Sources<'a> {
    docs: &'a [SectionDoc],
    stems: &'a [String],
    page_rows: &'a [String],
    quantised: &'a [Vec<(u32, u8)>],
}

impl<'a> Sources<'a> {
    fn new(input: &Input<'a>, page_rows: &'a PageRows, quantised: &'a [Vec<(u32, u8)>]) -> Self {
        Sources {
            docs: &input.scored.docs,
            stems: input.stems,
            page_rows: &page_rows.rows,
            quantised,
        }
    }
}

/// Output path → bytes: `search/search.js` (the client followed by the
/// manifest) and, when sharded, `search/s/<key>.js`, each a pack of shards
/// named by its first (unless written to `input.sink`). Patches `kept`,
/// the last build's encoding, when `change` says what changed since;
/// leaves the encoding there when `keep`. `None` when `superseded` says
/// the files are no longer wanted (and then nothing is kept).
pub(super) fn encode(
    input: &Input<'_>,
    change: Option<&Change>,
    kept: &mut Option<Encoded>,
    keep: bool,
    superseded: &(dyn Fn() -> bool + Sync),
) -> Option<BTreeMap<String, Bytes>> {
    let patch = match (change, kept.take()) {
        (Some(change), Some(last)) => patched(input, change, last, superseded),
        _ => Patch::Afresh,
    };
    let encoded = match patch {
        Patch::Done(encoded) => *encoded,
        Patch::Stopped => return None,
        Patch::Afresh => match afresh(input, keep, superseded)? {
            Ok(encoded) => encoded,
            Err(single) => return Some(single),
        },
    };
    let mut files = script_file(input.client, &encoded.manifest);
    for (keys, bytes) in &encoded.packs {
        files.insert(pack_path(keys), bytes.clone());
    }
    if keep {
        *kept = Some(encoded);
    } else {
        crate::sync::drop_aside(encoded);
    }
    Some(files)
}

/// What patching the last encoding came to.
enum Patch {
    Done(Box<Encoded>),
    /// `superseded` said the files are no longer wanted.
    Stopped,
    /// Only encoding afresh is exact.
    Afresh,
}

/// The index encoded afresh: sharded, or the files of a site small enough
/// for one file; made to be patched by the next build if `keep`. `None`
/// when `superseded`.
fn afresh(
    input: &Input<'_>,
    keep: bool,
    superseded: &(dyn Fn() -> bool + Sync),
) -> Option<Result<Encoded, BTreeMap<String, Bytes>>> {
    let scored = input.scored;
    let term_max: Vec<Best> = (0..scored.term_count() as u32)
        .into_par_iter()
        .map(|term| term_best(scored, term))
        .collect();
    let max = overall_best(&term_max);
    // Each posting takes at least two bytes: past the limit, no need to try
    // a single file, and shards keep only each term's best postings.
    let may_be_single = scored.postings() * 2 <= SINGLE_FILE_LIMIT;
    let postings_kept = if may_be_single {
        usize::MAX
    } else {
        SHARD_POSTINGS
    };
    let mut quantised: Vec<Vec<(u32, u8)>> = (0..scored.term_count() as u32)
        .into_par_iter()
        .map(|term| quantise(scored, term, max, postings_kept))
        .collect();
    if superseded() {
        return None;
    }
    let page_rows = PageRows::new(&input.info, keep);
    let terms = terms_by_name(scored, input.stems);
    let surfaces = surfaces(input);
    if may_be_single {
        let sources = Sources::new(input, &page_rows, &quantised);
        let see = single_file_see(&surfaces);
        let mut single = String::new();
        shard_json(&sources, &terms, &see, usize::MAX).write(&mut single);
        if single.len() <= SINGLE_FILE_LIMIT {
            let manifest = format!("{{\"v\":1,\"mode\":\"single\",\"data\":{single}}}");
            return Some(Err(script_file(input.client, &manifest)));
        }
        // Sharded after all: each term keeps the postings a shard shows,
        // as a patch quantises them.
        quantised
            .iter_mut()
            .for_each(|q| q.truncate(SHARD_POSTINGS));
    }
    let sources = Sources::new(input, &page_rows, &quantised);
    let layout = Layout::plan(input.stems, terms, &quantised, &surfaces);
    let written = layout.shards.len();
    let (tree, packs, bodies) = match input.sink.filter(|_| !keep) {
        Some(out) => {
            let tree = streamed(&sources, &layout, out, superseded)?;
            (tree, Vec::new(), Bodies::default())
        }
        None => {
            let none = Bodies::default();
            let (mut bodies, _) = encode_shards(&sources, (&layout, None), none, superseded)?;
            let (tree, packs) = pack(&layout, &mut bodies, (&[], &HashSet::new()), keep);
            (tree, packs, bodies)
        }
    };
    Some(Ok(Encoded {
        written,
        max,
        term_max,
        manifest: manifest(&tree, scored.docs.len()),
        tree,
        packs,
        quantised,
        page_rows,
        layout,
        bodies,
    }))
}

/// `last` patched with `change`: only the terms it touched quantised
/// again, and only the shards whose JSON can differ written again. Not
/// when the best score moved, which requantises every term, or the pages
/// came or went.
fn patched(
    input: &Input<'_>,
    change: &Change,
    last: Encoded,
    superseded: &(dyn Fn() -> bool + Sync),
) -> Patch {
    let scored = input.scored;
    // A site that may now fit in one file, pages come or gone, or a new
    // best score (every term quantised against it): only afresh is exact.
    let may_be_single = scored.postings() * 2 <= SINGLE_FILE_LIMIT;
    if may_be_single || !last.page_rows.fit(&input.info) {
        return Patch::Afresh;
    }
    let mut term_max = last.term_max;
    term_max.resize(scored.term_count(), Best::NONE);
    for &term in &change.terms {
        let best = &mut term_max[term as usize];
        *best = best_after(scored, change, term, *best);
    }
    if overall_best(&term_max) != last.max {
        return Patch::Afresh;
    }
    let mut page_rows = last.page_rows;
    let moved_pages = page_rows.refresh(&input.info);
    let max = last.max;
    let mut quantised = last.quantised;
    quantised.resize_with(scored.term_count(), Vec::new);
    let mut dirty_terms: Vec<u32> = Vec::new();
    // A term's postings size its shard: a new count may move the keys.
    let mut resized: Vec<u32> = Vec::new();
    for &term in &change.terms {
        let old = &mut quantised[term as usize];
        let fresh = quantised_after(scored, change, term, (max, SHARD_POSTINGS), old);
        if fresh != *old {
            if fresh.len() != old.len() {
                resized.push(term);
            }
            dirty_terms.push(term);
            *old = fresh;
        }
    }
    for doc in dirty_docs(scored, change, &moved_pages) {
        for &(term, _) in &scored.doc_terms(doc).counts {
            if quantised[term as usize].iter().any(|&(d, _)| d == doc) {
                dirty_terms.push(term);
            }
        }
    }
    let mut bodies = last.bodies;
    // Whether the key space, and so the tree, is the last one.
    let mut same_space = true;
    let layout = if !resized.is_empty() || change.words {
        let mut last_layout = last.layout;
        let mut terms = std::mem::take(&mut last_layout.terms);
        let moved = patch_terms(&mut terms, &change.terms, scored, input.stems);
        let (layout, replanned) = Layout::replan(
            input,
            terms,
            &quantised,
            last_layout,
            (&moved, &resized),
            change.words,
        );
        same_space = matches!(replanned, Replanned::Same);
        match replanned {
            Replanned::Same => {}
            Replanned::Shards(keys) => keys.iter().for_each(|key| {
                bodies.remove(key);
            }),
            // A shard whose terms or pointers changed is written again.
            Replanned::All(old) => {
                bodies.retain(|key, _| layout.shards.get(key) == old.shards.get(key))
            }
        }
        layout
    } else {
        last.layout
    };
    let mut dirty: Vec<String> = dirty_terms
        .iter()
        .map(|&term| layout.space.key_of(&input.stems[term as usize]))
        .collect();
    dirty.sort_unstable();
    dirty.dedup();
    for key in &dirty {
        bodies.remove(key);
    }
    let sources = Sources::new(input, &page_rows, &quantised);
    // Over the last shards, only the dirty ones need encoding.
    let only = same_space.then_some(&dirty[..]);
    let Some((mut bodies, fresh)) = encode_shards(&sources, (&layout, only), bodies, superseded)
    else {
        return Patch::Stopped;
    };
    let (tree, packs, moved) = match same_space {
        true => {
            let repacked = repack(&bodies, (last.tree, last.packs), &fresh);
            debug_assert!(
                packed_alike(
                    &repacked,
                    pack(&layout, &mut bodies.clone(), (&[], &fresh), true)
                ),
                "packed again in part unlike packing afresh"
            );
            repacked
        }
        false => {
            let (tree, packs) = pack(&layout, &mut bodies, (&last.packs, &fresh), true);
            let moved = tree != last.tree;
            (tree, packs, moved)
        }
    };
    let manifest = match moved {
        true => manifest(&tree, scored.docs.len()),
        false => last.manifest,
    };
    Patch::Done(Box::new(Encoded {
        written: fresh.len(),
        max,
        term_max,
        tree,
        manifest,
        packs,
        quantised,
        page_rows,
        layout,
        bodies,
    }))
}

/// `terms`, in the order of their names, with those of `touched` that
/// came into use added and those that went out of it removed; returns
/// those, each with whether it came.
fn patch_terms(
    terms: &mut Vec<u32>,
    touched: &[u32],
    scored: &Scored,
    stems: &[String],
) -> Vec<(u32, bool)> {
    let mut moved = Vec::new();
    for &term in touched {
        let name = &stems[term as usize];
        let at = terms.partition_point(|&t| stems[t as usize] < *name);
        let listed = terms.get(at) == Some(&term);
        match (scored.has(term), listed) {
            (true, false) => terms.insert(at, term),
            (false, true) => {
                terms.remove(at);
            }
            _ => continue,
        }
        moved.push((term, !listed));
    }
    moved
}

/// The documents whose JSON may read differently: those of the pages
/// `change` changed, and those of the pages whose row changed (`moved`: a
/// page's URL can move while its text stays).
fn dirty_docs(scored: &Scored, change: &Change, moved: &[PageId]) -> Vec<u32> {
    let mut docs: Vec<u32> = change.ranges.iter().flat_map(Range::clone).collect();
    for &id in moved {
        if let Some(slot) = scored.slot_of(id) {
            docs.extend(scored.pages[slot].docs.clone());
        }
    }
    docs.sort_unstable();
    docs.dedup();
    docs
}

/// A term's best score, and a document that has it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Best {
    pub score: f32,
    doc: u32,
}

impl Best {
    /// A term no document holds.
    pub const NONE: Best = Best {
        score: f32::MIN_POSITIVE,
        doc: u32::MAX,
    };

    fn better(self, (doc, score): (u32, f32)) -> Best {
        match score > self.score {
            true => Best { score, doc },
            false => self,
        }
    }
}

pub(super) fn term_best(scored: &Scored, term: u32) -> Best {
    scored.scores(term).fold(Best::NONE, Best::better)
}

/// `term`'s best after `change`, from `last`, its best before. A term
/// whose rarity stayed kept every score outside the changed pages: only
/// their documents are read, unless one of them had the best score, which
/// may have dropped.
pub(super) fn best_after(scored: &Scored, change: &Change, term: u32, last: Best) -> Best {
    match change.rarity_kept(term) && !change.changed(last.doc) {
        true => scored
            .scores_within(term, &change.ranges)
            .fold(last, Best::better),
        false => term_best(scored, term),
    }
}

/// [`quantise`] after `change`, from `old`, the term's postings quantised
/// before, against the same best score and as many kept. As for
/// [`best_after`]: while the rarity stayed and none of `old` is of the
/// changed pages, those are the best outside them, and only the changed
/// pages' documents can join them.
pub(super) fn quantised_after(
    scored: &Scored,
    change: &Change,
    term: u32,
    (max, keep): (f32, usize),
    old: &[(u32, u8)],
) -> Vec<(u32, u8)> {
    let from_old = change.rarity_kept(term)
        && scored.holders(term) > keep
        && !old.iter().any(|&(doc, _)| change.changed(doc));
    if !from_old {
        return quantise(scored, term, max, keep);
    }
    let changed = scored
        .scores_within(term, &change.ranges)
        .map(|(doc, score)| (doc, quantum(score, max)));
    best_of(old.iter().copied().chain(changed), keep)
}

/// The best of the terms' best scores.
fn overall_best(term_max: &[Best]) -> f32 {
    term_max
        .iter()
        .map(|b| b.score)
        .fold(f32::MIN_POSITIVE, f32::max)
}

/// A score to 1–63 against the best score in the index.
fn quantum(score: f32, max: f32) -> u8 {
    ((score / max) * 63.0).round().clamp(1.0, 63.0) as u8
}

/// `term`'s scores quantised, best first; at most `keep` postings.
pub(super) fn quantise(scored: &Scored, term: u32, max: f32, keep: usize) -> Vec<(u32, u8)> {
    let scores = scored.scores(term);
    if keep > FEW_KEPT || scored.holders(term) <= keep.saturating_mul(2) {
        return best_of(scores.map(|(d, s)| (d, quantum(s, max))), keep);
    }
    best_few(scores, max, keep)
}

/// Past this many postings kept, [`best_few`]'s scan of those it keeps
/// for the worst, at each better one, would cost more than it saves.
const FEW_KEPT: usize = 64;

/// [`best_of`] the scores quantised, for a few `keep`: most of a common
/// term's scores are passed over unquantised. Quantising keeps the order
/// of scores, and the scores come by ascending document, so a score below
/// the worst kept one quantises at best to a tie with it, of a later
/// document, which loses.
fn best_few(scores: impl Iterator<Item = (u32, f32)>, max: f32, keep: usize) -> Vec<(u32, u8)> {
    debug_assert!(
        max > 0.0,
        "quantising keeps the order of scores only against a positive best"
    );
    let ranked = |(doc, score): (u32, f32)| (rank((doc, quantum(score, max))), score);
    #[cfg(debug_assertions)]
    let scores = {
        let mut last_doc = None;
        scores.inspect(move |&(doc, _)| {
            assert!(last_doc < Some(doc), "scores come by ascending document");
            last_doc = Some(doc);
        })
    };
    let mut scores = scores;
    let mut kept: Vec<(u64, f32)> = scores.by_ref().take(keep).map(ranked).collect();
    let worst_of = |kept: &[(u64, f32)]| (0..kept.len()).max_by_key(|&i| kept[i].0).unwrap_or(0);
    let mut worst = worst_of(&kept);
    for (doc, score) in scores {
        // Also false for a worst score that is NaN: nothing passed over.
        if kept.get(worst).is_none_or(|w| score < w.1) {
            continue;
        }
        let candidate = ranked((doc, score));
        if candidate.0 < kept[worst].0 {
            kept[worst] = candidate;
            worst = worst_of(&kept);
        }
    }
    let mut ranks: Vec<u64> = kept.into_iter().map(|(rank, _)| rank).collect();
    ranks.sort_unstable();
    ranks.into_iter().map(posting).collect()
}

/// A posting as one number that sorts best first, then by document:
/// sorting numbers is cheaper than sorting pairs through a comparison.
fn rank((doc, q): (u32, u8)) -> u64 {
    u64::from(u8::MAX - q) << 32 | u64::from(doc)
}

/// The posting [`rank`] numbered.
fn posting(rank: u64) -> (u32, u8) {
    (rank as u32, u8::MAX - (rank >> 32) as u8)
}

/// The best `keep` of `postings`, best first, ties by document.
fn best_of(postings: impl Iterator<Item = (u32, u8)>, keep: usize) -> Vec<(u32, u8)> {
    // Sorted as ranks. The stable sort, though the order is total (equal
    // numbers are equal postings): `serve` hands it a term's postings of
    // the last build, already sorted, with the changed ones after them,
    // runs that the stable sort merges rather than sorts again. So the
    // best `keep` are picked out first only from many more than `keep`,
    // where picking them out scrambles little worth keeping.
    let mut ranks: Vec<u64> = postings.map(rank).collect();
    if ranks.len() > keep.saturating_mul(2) {
        ranks.select_nth_unstable(keep);
        ranks.truncate(keep);
    }
    ranks.sort();
    ranks.truncate(keep);
    ranks.into_iter().map(posting).collect()
}

/// The terms that have postings, in the order of their names.
fn terms_by_name(scored: &Scored, stems: &[String]) -> Vec<u32> {
    let mut terms: Vec<u32> = (0..scored.term_count() as u32)
        .filter(|&t| scored.has(t))
        .collect();
    terms.par_sort_unstable_by(|&a, &b| stems[a as usize].cmp(&stems[b as usize]));
    terms
}

/// Term → the words of the text that stem to it, other than itself, for
/// the terms that have postings: the client does not stem, so a word's
/// shard must point to its stem.
fn surfaces<'a>(input: &Input<'a>) -> BTreeMap<&'a str, BTreeSet<&'a str>> {
    let mut surfaces: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (n, (word, stem)) in input.words.iter().enumerate() {
        if input.scored.word_used(n as u32) && input.scored.has(*stem) {
            surfaces
                .entry(input.stems[*stem as usize].as_str())
                .or_default()
                .insert(word.as_str());
        }
    }
    surfaces
}

impl Layout {
    /// Shards of about [`SHARD_BUDGET`] bytes for `terms` (by name), each
    /// with the words it points elsewhere.
    fn plan(
        stems: &[String],
        terms: Vec<u32>,
        quantised: &[Vec<(u32, u8)>],
        surfaces: &BTreeMap<&str, BTreeSet<&str>>,
    ) -> Layout {
        let space = Layout::key_space(stems, &terms, quantised);
        Layout::with_space(stems, terms, space, surfaces)
    }

    /// The keys of shards of about [`SHARD_BUDGET`] bytes for `terms`.
    fn key_space(stems: &[String], terms: &[u32], quantised: &[Vec<(u32, u8)>]) -> KeySpace {
        let sizes: Vec<(&str, usize)> = terms
            .iter()
            .map(|&t| term_size(stems, quantised, t))
            .collect();
        KeySpace::plan(&sizes, SHARD_BUDGET)
    }

    fn with_space(
        stems: &[String],
        terms: Vec<u32>,
        mut space: KeySpace,
        surfaces: &BTreeMap<&str, BTreeSet<&str>>,
    ) -> Layout {
        let shards = shard_terms(&space, stems, &terms, surfaces);
        // Shards that only point elsewhere are keys too.
        space.keys.extend(shards.keys().cloned());
        Layout {
            terms,
            space,
            shards,
        }
    }

    /// The layout for `terms`, those `resized` since `last` and those
    /// `moved` come or gone, and what changed. While the sizes split the
    /// same prefixes (which decide every key) and no surface word came or
    /// went (`words`), `last`'s shards stay, with the terms that moved added
    /// or removed; else every shard is assigned again.
    fn replan(
        input: &Input<'_>,
        terms: Vec<u32>,
        quantised: &[Vec<(u32, u8)>],
        last: Layout,
        (moved, resized): (&[(u32, bool)], &[u32]),
        words: bool,
    ) -> (Layout, Replanned) {
        // The usual save: the same terms, a few with a new size.
        if !words
            && moved.is_empty()
            && splits_stay(&last.space, input.stems, &terms, quantised, resized)
        {
            debug_assert!(
                Layout::key_space(input.stems, &terms, quantised).splits_like(&last.space),
                "a start planned on its own splits unlike the whole plan"
            );
            return (Layout { terms, ..last }, Replanned::Same);
        }
        let mut space = Layout::key_space(input.stems, &terms, quantised);
        if words || !space.splits_like(&last.space) {
            let layout = Layout::with_space(input.stems, terms, space, &surfaces(input));
            return (layout, Replanned::All(last));
        }
        if moved.is_empty() {
            return (Layout { terms, ..last }, Replanned::Same);
        }
        // A term that came or went names no surface word: a word that
        // stems to it would have come or gone with it.
        let mut shards = last.shards;
        let mut touched = Vec::new();
        for &(term, came) in moved {
            touched.extend(assign(&mut shards, &space, input.stems, term, came));
        }
        space.keys.extend(shards.keys().cloned());
        // It rests on a used word's stem having postings: the test builds
        // check it against assigning every term again.
        debug_assert!(
            shards == shard_terms(&space, input.stems, &terms, &surfaces(input)),
            "terms assigned in place differ from a new layout"
        );
        let layout = Layout {
            terms,
            space,
            shards,
        };
        (layout, Replanned::Shards(touched))
    }
}

/// Whether `space` splits the starts of the terms `resized` (of `terms`,
/// by name) as a plan with their new sizes would: each start is planned
/// on its own, so only theirs are planned again.
fn splits_stay(
    space: &KeySpace,
    stems: &[String],
    terms: &[u32],
    quantised: &[Vec<(u32, u8)>],
    resized: &[u32],
) -> bool {
    resized.iter().all(|&term| {
        let name = stems[term as usize].as_str();
        let group = &terms[KeySpace::group_around(terms, |&t| &stems[t as usize], name)];
        let sizes: Vec<(&str, usize)> = group
            .iter()
            .map(|&t| term_size(stems, quantised, t))
            .collect();
        space.splits_group_like(&sizes, SHARD_BUDGET)
    })
}

/// A term's name, and the bytes it is estimated to add to its shard.
fn term_size<'a>(stems: &'a [String], quantised: &[Vec<(u32, u8)>], term: u32) -> (&'a str, usize) {
    let name = stems[term as usize].as_str();
    let postings = quantised[term as usize].len().min(SHARD_POSTINGS);
    (name, name.len() + 8 + postings * POSTING_BYTES)
}

/// What changed in a layout planned again.
enum Replanned {
    Same,
    /// The shards of these keys.
    Shards(Vec<String>),
    /// Everything: the layout before.
    All(Layout),
}

/// `term` added to the shards (`add`) or removed from them, as
/// [`shard_terms`] assigns it: to its key's shard, and by name to the
/// shards of the keys a word one edit away would have. Returns the keys of
/// the shards changed.
fn assign(
    shards: &mut Shards,
    space: &KeySpace,
    stems: &[String],
    term: u32,
    add: bool,
) -> Vec<String> {
    let name = stems[term as usize].as_str();
    let own = space.key_of(name);
    let keys = space.typo_keys(name);
    for key in &keys {
        let (terms, see) = shards.entry(key.clone()).or_default();
        if *key == own {
            let at = terms.partition_point(|&t| stems[t as usize].as_str() < name);
            match add {
                true => terms.insert(at, term),
                false if terms.get(at) == Some(&term) => {
                    terms.remove(at);
                }
                false => {}
            }
        } else {
            let row = See {
                word: name.to_string(),
                key: own.clone(),
                term: None,
            };
            match (see.binary_search(&row), add) {
                (Err(at), true) => see.insert(at, row),
                (Ok(at), false) => {
                    see.remove(at);
                }
                _ => {}
            }
        }
        if terms.is_empty() && see.is_empty() {
            shards.remove(key);
        }
    }
    keys
}

/// The shards of `layout` not in `bodies` encoded and added to them, with
/// their keys. Each shard asks whether the files are still wanted: the
/// shards are most of the stage.
fn encode_shards(
    sources: &Sources<'_>,
    (layout, only): (&Layout, Option<&[String]>),
    mut bodies: Bodies,
    superseded: &(dyn Fn() -> bool + Sync),
) -> Option<(Bodies, HashSet<String>)> {
    let missing: Vec<(&String, &Shard)> = match only {
        Some(keys) => keys
            .iter()
            .filter_map(|key| layout.shards.get_key_value(key))
            .collect(),
        None => layout
            .shards
            .iter()
            .filter(|(key, _)| !bodies.contains_key(*key))
            .collect(),
    };
    debug_assert!(
        only.is_none()
            || layout
                .shards
                .keys()
                .all(|k| bodies.contains_key(k) || only.is_some_and(|o| o.contains(k))),
        "a shard missing that was not dirty"
    );
    let made: Vec<(String, Arc<str>)> = missing
        .into_par_iter()
        .map(|(key, (own, see))| {
            if superseded() {
                return None;
            }
            // Sized to the script: thousands are kept.
            Some((key.clone(), Arc::from(shard_script(sources, key, own, see))))
        })
        .collect::<Option<_>>()?;
    if only.is_none() {
        bodies.retain(|key, _| layout.shards.contains_key(key));
    }
    let fresh = made.iter().map(|(key, _)| key.clone()).collect();
    bodies.extend(made);
    Some((bodies, fresh))
}

/// The script of the shard of `key`, holding `own` and pointing `see`
/// elsewhere.
fn shard_script(sources: &Sources<'_>, key: &str, own: &[u32], see: &[See]) -> String {
    let json = shard_json(sources, own, see, SHARD_POSTINGS);
    let mut body = String::with_capacity(4096);
    body.push_str("altitudeSearch.shard(");
    push_json_str(&mut body, key);
    body.push_str(",\n");
    json.write(&mut body);
    body.push_str("\n);");
    body
}

/// The packs of a one-off build, written to `out` an entry list of the
/// key space at a time: the list's shards encoded, packed as [`pack`]
/// packs them, and freed once written. The shards are never all in
/// memory at once: with 1,000 pages they were a quarter of the build's
/// peak memory. Returns the key space, packs marked; `None` when
/// `superseded` (some packs may have been written by then).
fn streamed(
    sources: &Sources<'_>,
    layout: &Layout,
    out: &dyn Sink,
    superseded: &(dyn Fn() -> bool + Sync),
) -> Option<BTreeMap<String, String>> {
    let mut lists: BTreeMap<&str, Vec<(&String, &Shard)>> = BTreeMap::new();
    for (key, shard) in &layout.shards {
        lists
            .entry(KeySpace::parent_of(key))
            .or_default()
            .push((key, shard));
    }
    let mut tree = layout.space.tree();
    let marked: Vec<(&str, String)> = lists
        .into_par_iter()
        .map(|(parent, shards)| {
            let mut bodies: HashMap<&str, String, FastHash> = HashMap::default();
            for (key, (own, see)) in shards {
                if superseded() {
                    return None;
                }
                bodies.insert(key, shard_script(sources, key, own, see));
            }
            let entries = tree.get(parent).map_or("", String::as_str);
            let size = |key: &str| bodies.get(key).map(String::len);
            let (marked, packs) = KeySpace::pack_entries(parent, entries, size, SHARD_BUDGET);
            debug_assert_eq!(
                packs.iter().map(Vec::len).sum::<usize>(),
                bodies.len(),
                "a shard of the list `{parent}` left out of its packs"
            );
            for keys in packs {
                let texts = keys.iter().filter_map(|k| bodies.get(k.as_str()));
                out.put(&pack_path(&keys), &joined(texts.map(String::as_str)));
            }
            Some((parent, marked))
        })
        .collect::<Option<_>>()?;
    for (parent, marked) in marked {
        if let Some(entries) = tree.get_mut(parent) {
            *entries = marked;
        }
    }
    Some(tree)
}

/// Neighbouring shards grouped into packs, one file each, and the key
/// space with the packs marked (see [`KeySpace::packed_tree`]). A pack of
/// `last` with the same shards, none of them `fresh`, keeps its bytes.
/// Unless the encoding is kept, each shard is taken out of `bodies` as its
/// pack is made.
fn pack(
    layout: &Layout,
    bodies: &mut Bodies,
    (last, fresh): (&[Pack], &HashSet<String>),
    keep: bool,
) -> (BTreeMap<String, String>, Vec<Pack>) {
    let (tree, packs) = layout
        .space
        .packed_tree(|key| bodies.get(key).map(|b| b.len()), SHARD_BUDGET);
    let last: HashMap<&[String], &Bytes> = last.iter().map(|(k, b)| (k.as_slice(), b)).collect();
    let parts: Vec<(Vec<String>, PackPart)> = packs
        .into_iter()
        .map(|keys| {
            let kept = last
                .get(keys.as_slice())
                .filter(|_| !keys.iter().any(|k| fresh.contains(k)));
            let part = match kept {
                Some(&bytes) => Ok(bytes.clone()),
                None => Err(keys
                    .iter()
                    .filter_map(|k| match keep {
                        true => bodies.get(k).cloned(),
                        false => bodies.remove(k),
                    })
                    .collect()),
            };
            (keys, part)
        })
        .collect();
    let packs = parts
        .into_par_iter()
        .map(|(keys, part)| {
            let bytes = part.unwrap_or_else(|texts| joined(texts.iter().map(|t| &t[..])));
            (keys, bytes)
        })
        .collect();
    (tree, packs)
}

/// The file of the pack of shards `keys`: named by its first.
fn pack_path(keys: &[String]) -> String {
    let first = keys.first().map_or("", String::as_str);
    format!("{SHARDS}{}.js", file_name(first))
}

/// [`pack`] over the last key space (`tree`, its packs marked), only the
/// entry lists with `fresh` shards packed again; and whether a list's
/// marks moved.
fn repack(
    bodies: &Bodies,
    (mut tree, last): (BTreeMap<String, String>, Vec<Pack>),
    fresh: &HashSet<String>,
) -> (BTreeMap<String, String>, Vec<Pack>, bool) {
    let redo: BTreeSet<&str> = fresh.iter().map(|k| KeySpace::parent_of(k)).collect();
    let (mut packs, redone): (Vec<Pack>, Vec<Pack>) = last
        .into_iter()
        .partition(|(keys, _)| !redo.contains(KeySpace::parent_of(&keys[0])));
    let redone: HashMap<&[String], &Bytes, FastHash> =
        redone.iter().map(|(k, b)| (k.as_slice(), b)).collect();
    let mut moved = false;
    for parent in redo {
        let Some(marked) = tree.get_mut(parent) else {
            continue;
        };
        let entries: String = marked.chars().filter(|&c| c != '|').collect();
        let size = |key: &str| bodies.get(key).map(|b| b.len());
        let (remarked, keys) = KeySpace::pack_entries(parent, &entries, size, SHARD_BUDGET);
        moved |= remarked != *marked;
        *marked = remarked;
        packs.extend(keys.into_iter().map(|keys| {
            let kept = redone
                .get(keys.as_slice())
                .filter(|_| !keys.iter().any(|k| fresh.contains(k)));
            let bytes = match kept {
                Some(&bytes) => bytes.clone(),
                None => joined(keys.iter().filter_map(|k| bodies.get(k)).map(|t| &t[..])),
            };
            (keys, bytes)
        }));
    }
    (tree, packs, moved)
}

/// Whether `ours`, packed in part, is `afresh`, the packs in any order.
fn packed_alike(
    ours: &(BTreeMap<String, String>, Vec<Pack>, bool),
    afresh: (BTreeMap<String, String>, Vec<Pack>),
) -> bool {
    let sorted = |packs: &[Pack]| {
        let mut packs = packs.to_vec();
        packs.sort();
        packs
    };
    ours.0 == afresh.0 && sorted(&ours.1) == sorted(&afresh.1)
}

/// Shard scripts joined into one pack.
fn joined<'a>(texts: impl Iterator<Item = &'a str>) -> Bytes {
    let texts: Vec<&str> = texts.collect();
    Bytes::new(texts.join("\n").into_bytes())
}

impl Encoded {
    /// How many shards the index has.
    pub fn shards(&self) -> usize {
        self.bodies.len()
    }
}

/// The manifest of a sharded index of `docs` documents, its key space
/// `tree`.
fn manifest(tree: &BTreeMap<String, String>, docs: usize) -> String {
    format!(
        "{{\"v\":1,\"mode\":\"sharded\",\"keys\":{},\"docs\":{docs}}}",
        to_json(tree),
    )
}

/// `search/search.js`: the client, followed by the manifest.
fn script_file(client: &[u8], manifest: &str) -> BTreeMap<String, Bytes> {
    let mut script = client.to_vec();
    script.extend_from_slice(format!("\naltitudeSearch.manifest({manifest});\n").as_bytes());
    BTreeMap::from([(SCRIPT.to_string(), Bytes::new(script))])
}

fn to_json<T: Serialize>(value: &T) -> String {
    // Serialising plain strings and numbers cannot fail.
    serde_json::to_string(value).unwrap_or_default()
}

/// A shard's file name: its key, with each byte outside `[a-z0-9_]` written
/// as `~` and two hex digits, so every file system and URL takes it as it
/// is; the client names files alike.
fn file_name(key: &str) -> String {
    let mut name = String::new();
    for c in key.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
            name.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                name.push_str(&format!("~{b:02x}"));
            }
        }
    }
    name
}

/// A word a shard names without holding its postings.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct See {
    word: String,
    /// The shard that holds them.
    key: String,
    /// The term they are under, when it is not `word` itself (its stem).
    term: Option<String>,
}

/// A shard: the terms it holds (by number), and the words it points
/// elsewhere.
type Shard = (Vec<u32>, Vec<See>);

/// Each shard by its key.
type Shards = BTreeMap<String, Shard>;

/// A pack's bytes kept from the last encoding, or its shards' scripts to
/// join.
type PackPart = Result<Bytes, Vec<Arc<str>>>;

/// Each shard's script, by its key.
type Bodies = HashMap<String, Arc<str>, FastHash>;

/// A pack of shards, one file: its shards' keys, and its bytes.
type Pack = (Vec<String>, Bytes);

/// Each term goes to the shard of its key, and by name to the shards a
/// word one edit away, or a word that stems to it, would look in.
fn shard_terms(
    space: &KeySpace,
    stems: &[String],
    terms: &[u32],
    surfaces: &BTreeMap<&str, BTreeSet<&str>>,
) -> Shards {
    // Where each term goes is worked out in parallel (the keys of its
    // typos are most of the work); the shards are filled in term order.
    let placed: Vec<Vec<(String, Placed)>> = terms
        .par_iter()
        .map(|&number| place_term(space, stems, number, surfaces))
        .collect();
    // Gathered by hash, then sorted once: a tree compared whole keys for
    // every one of the tens of thousands placed.
    let mut gathered: HashMap<String, Shard, FastHash> = HashMap::default();
    for (key, placed) in placed.into_iter().flatten() {
        let entry = gathered.entry(key).or_default();
        match placed {
            Placed::Held(number) => entry.0.push(number),
            Placed::Named(see) => entry.1.push(see),
        }
    }
    let mut shards: Shards = gathered.into_iter().collect();
    for (_, see) in shards.values_mut() {
        see.sort();
    }
    shards
}

/// What a shard gets of a term: the term itself, or a word that points
/// to the shard holding it.
enum Placed {
    Held(u32),
    Named(See),
}

/// The shards term `number` goes to, by key, in the order they get it.
fn place_term(
    space: &KeySpace,
    stems: &[String],
    number: u32,
    surfaces: &BTreeMap<&str, BTreeSet<&str>>,
) -> Vec<(String, Placed)> {
    let term = stems[number as usize].as_str();
    let own = space.key_of(term);
    let mut placed = Vec::new();
    for other in space.typo_keys(term) {
        let what = if other == own {
            Placed::Held(number)
        } else {
            Placed::Named(See {
                word: term.to_string(),
                key: own.clone(),
                term: None,
            })
        };
        placed.push((other, what));
    }
    // The client does not stem: a word of the text is listed in its own
    // shard with the stem it is indexed under.
    for &word in surfaces.get(term).into_iter().flatten() {
        let key = space.key_of(word);
        if key == own && client_finds_stem(word, term) {
            continue;
        }
        let see = See {
            word: word.to_string(),
            key: own.clone(),
            term: Some(term.to_string()),
        };
        placed.push((key, Placed::Named(see)));
    }
    placed
}

/// The client finds a stem that begins its word by itself, in the file it
/// already has (see the contract's stem rule): no `see` row needed.
fn client_finds_stem(word: &str, term: &str) -> bool {
    word.starts_with(term) && term.len() >= 3 && word.len() - term.len() <= 4
}

/// A single-file index's `see` rows: each word of the text found under a
/// stem the client would not reach from it; the key is empty, the file
/// itself.
fn single_file_see(surfaces: &BTreeMap<&str, BTreeSet<&str>>) -> Vec<See> {
    let mut see: Vec<See> = surfaces
        .iter()
        .flat_map(|(&term, words)| words.iter().map(move |&word| (term, word)))
        .filter(|(term, word)| !client_finds_stem(word, term))
        .map(|(term, word)| See {
            word: word.to_string(),
            key: String::new(),
            term: Some(term.to_string()),
        })
        .collect();
    see.sort();
    see
}

fn shard_json<'a>(
    sources: &Sources<'a>,
    terms: &[u32],
    see: &'a [See],
    per_term: usize,
) -> ShardJson<'a> {
    let Sources {
        docs,
        stems,
        page_rows,
        quantised,
    } = *sources;
    let mut json = ShardJson {
        pages: Vec::new(),
        docs: Vec::new(),
        terms: Vec::with_capacity(terms.len()),
        see: see
            .iter()
            .map(|s| {
                let mut row = vec![s.word.as_str(), s.key.as_str()];
                row.extend(s.term.as_deref());
                row
            })
            .collect(),
    };
    // Small maps, many shards: the fast hasher.
    let mut local_page: HashMap<usize, usize, FastHash> = HashMap::default();
    let mut local_doc: HashMap<u32, usize, FastHash> = HashMap::default();
    for &term in terms {
        let postings = quantised.get(term as usize).map_or(&[][..], Vec::as_slice);
        let postings = &postings[..postings.len().min(per_term)];
        let mut kept = Vec::with_capacity(postings.len());
        for &(doc, score) in postings {
            let local = *local_doc.entry(doc).or_insert_with(|| {
                let page_id = docs[doc as usize].page;
                let page = *local_page.entry(page_id).or_insert_with(|| {
                    json.pages.push(&page_rows[page_id]);
                    json.pages.len() - 1
                });
                json.docs.push((page, &docs[doc as usize].row));
                json.docs.len() - 1
            });
            kept.push((local as u32, score));
        }
        json.terms
            .push((&stems[term as usize], encode_postings(kept)));
    }
    json
}

/// The 64 characters postings are written in (see `docs/search-index.md`).
const ALPHABET: &[u8; 64] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

/// Postings as gap varints and score characters, in document order.
fn encode_postings(mut postings: Vec<(u32, u8)>) -> String {
    postings.sort_by_key(|(doc, _)| *doc);
    let mut out = String::with_capacity(postings.len() * 2);
    let mut previous = 0;
    for (doc, score) in postings {
        let mut gap = doc - previous;
        previous = doc;
        while gap >= 32 {
            out.push(ALPHABET[32 + (gap & 31) as usize] as char);
            gap >>= 5;
        }
        out.push(ALPHABET[gap as usize] as char);
        out.push(ALPHABET[usize::from(score.min(63))] as char);
    }
    out
}

/// The inverse of [`encode_postings`], as the client does it.
#[cfg(test)]
fn decode_postings(text: &str) -> Vec<(u32, u8)> {
    let digit = |c: u8| ALPHABET.iter().position(|&a| a == c).unwrap_or(0) as u32;
    let bytes = text.as_bytes();
    let (mut out, mut i, mut doc) = (Vec::new(), 0, 0);
    while i < bytes.len() {
        let (mut gap, mut shift) = (0, 0);
        loop {
            let d = digit(bytes[i]);
            i += 1;
            gap |= (d & 31) << shift;
            shift += 5;
            if d < 32 {
                break;
            }
        }
        doc += gap;
        out.push((doc, digit(bytes[i]) as u8));
        i += 1;
    }
    out
}

/// The start of a section's text, cut at a word boundary.
fn snippet(body: &str) -> String {
    // Only as far into the body as the snippet goes: bodies can be long.
    // In ASCII, the char that ends it is its byte.
    let end = match body.as_bytes().get(..SNIPPET_CHARS) {
        Some(head) if head.is_ascii() => (body.len() > SNIPPET_CHARS).then_some(SNIPPET_CHARS),
        _ => body.char_indices().nth(SNIPPET_CHARS).map(|(end, _)| end),
    };
    let Some(end) = end else {
        return body.to_string();
    };
    let cut = &body[..end];
    let at_word = cut.rfind(' ').map_or(cut, |i| &cut[..i]);
    let at_word = at_word.trim_end_matches([',', ';', ':', '.']);
    let mut snippet = String::with_capacity(at_word.len() + '…'.len_utf8());
    snippet.push_str(at_word);
    snippet.push('…');
    snippet
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_postings_come_best_first_then_by_document() {
        // Scores from a fixed scramble, with ties, and the extremes.
        let postings: Vec<(u32, u8)> = (0..200u32)
            .map(|doc| {
                (
                    doc.wrapping_mul(2_654_435_761) % 1000,
                    (doc * 37 % 7) as u8 * 9,
                )
            })
            .chain([(5000, 0), (5001, u8::MAX), (7, u8::MAX)])
            .collect();
        let by_comparison = |keep: usize| {
            let mut all = postings.clone();
            all.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            all.truncate(keep);
            all
        };
        for keep in [0, 1, 2, 10, 150, 203, 500] {
            let best = best_of(postings.iter().copied(), keep);
            assert_eq!(best, by_comparison(keep), "keep {keep}");
        }
    }

    #[test]
    fn the_best_few_are_the_best_of_all_quantised() {
        // Scores by ascending document from a fixed scramble: many
        // quantise alike, some rise to the best late, and one is NaN.
        let scores: Vec<(u32, f32)> = (0..400u32)
            .map(|doc| {
                let scramble = doc.wrapping_mul(2_654_435_761) % 1000;
                (doc * 3, scramble as f32 / 100.0 + doc as f32 / 80.0)
            })
            .chain([(1300, f32::NAN), (1301, 0.0), (1302, 14.9)])
            .collect();
        let max = 15.0;
        for len in [0, 1, 5, 40, 403] {
            let scores = &scores[..len];
            for keep in [0, 1, 2, 3, 16, 64] {
                let all = scores.iter().map(|&(d, s)| (d, quantum(s, max)));
                assert_eq!(
                    best_few(scores.iter().copied(), max, keep),
                    best_of(all, keep),
                    "{len} scores, keep {keep}"
                );
            }
        }
    }

    #[test]
    fn page_rows_are_made_again_only_where_a_page_moved() {
        let page = |url: &str, title: &str, kind| {
            let mut page =
                Page::generated(0, 0, format!("{url}.md"), kind, title.into(), String::new());
            page.url = url.into();
            Arc::new(page)
        };
        let mut pages = vec![
            page("a/", "A", PageKind::Page),
            page("b/", "B", PageKind::Page),
            page("c/", "C", PageKind::Page),
        ];
        fn info(pages: &[Arc<Page>]) -> PageInfo<'_> {
            PageInfo {
                pages,
                url_style: UrlStyle::Pretty,
            }
        }
        let mut rows = PageRows::new(&info(&pages), true);
        assert!(rows.refresh(&info(&pages)).is_empty());
        Arc::make_mut(&mut pages[0]).url = "moved/".into();
        Arc::make_mut(&mut pages[2]).kind = PageKind::Principle;
        assert_eq!(rows.refresh(&info(&pages)), [0, 2]);
        assert_eq!(rows.rows, PageRows::new(&info(&pages), true).rows);
        assert!(rows.fit(&info(&pages)));
        let files = PageInfo {
            pages: &pages,
            url_style: UrlStyle::Files,
        };
        assert!(!rows.fit(&files), "another URL style makes every row again");
    }

    #[test]
    fn hand_written_json_is_serde_json() {
        let tricky = "quote \" back \\ tab \t nl \n cr \r bs \u{8} ff \u{c} bell \u{7} é </script>";
        let page = format!("[{}]", json_strs(&["a/", tricky, "page"]));
        let doc = json_strs(&["", "Heading", tricky]);
        let json = ShardJson {
            pages: vec![&page],
            docs: vec![(0, &doc)],
            terms: vec![("owner", "3_B19".into())],
            see: vec![vec!["wner", "ow"], vec!["making", "ma", "make"]],
        };
        let mut out = String::new();
        json.write(&mut out);
        #[derive(Serialize)]
        struct Reference<'a> {
            pages: Vec<(&'a str, &'a str, &'a str)>,
            docs: Vec<(usize, &'a str, &'a str, &'a str)>,
            terms: Vec<(&'a str, &'a str)>,
            see: Vec<Vec<&'a str>>,
        }
        let reference = Reference {
            pages: vec![("a/", tricky, "page")],
            docs: vec![(0, "", "Heading", tricky)],
            terms: vec![("owner", "3_B19")],
            see: json.see.clone(),
        };
        assert_eq!(out, to_json(&reference));
    }

    #[test]
    fn file_names_are_plain_ascii() {
        assert_eq!(file_name("ow"), "ow");
        assert_eq!(file_name("o_"), "o_");
        assert_eq!(file_name("çа"), "~c3~a7~d0~b0");
    }

    #[test]
    fn postings_round_trip() {
        assert_eq!(encode_postings(vec![(40, 9), (3, 63)]), "3_B19");
        let postings: Vec<(u32, u8)> = (0..300).map(|i| (i * i, (i % 63 + 1) as u8)).collect();
        let encoded = encode_postings(postings.clone());
        assert_eq!(decode_postings(&encoded), postings);
    }

    /// The same snippets as counting chars from the start makes, in
    /// ASCII or not, at every length around the cut.
    #[test]
    fn snippets_cut_after_as_many_chars_in_any_script() {
        let by_chars = |body: &str| match body.char_indices().nth(SNIPPET_CHARS) {
            None => body.to_string(),
            Some((end, _)) => {
                let cut = &body[..end];
                let at_word = cut.rfind(' ').map_or(cut, |i| &cut[..i]);
                format!("{}…", at_word.trim_end_matches([',', ';', ':', '.']))
            }
        };
        for word in ["word", "wörd", "mot,"] {
            for len in SNIPPET_CHARS - 8..SNIPPET_CHARS + 8 {
                let body: String = format!("{word} ").repeat(60).chars().take(len).collect();
                assert_eq!(snippet(&body), by_chars(&body), "{body:?}");
            }
        }
    }

    #[test]
    fn snippets_cut_at_a_word() {
        let long = "word ".repeat(60);
        let s = snippet(&long);
        assert!(s.ends_with("word…"), "{s}");
        assert!(s.chars().count() <= SNIPPET_CHARS + 1);
        assert_eq!(snippet("short text"), "short text");
    }
}
