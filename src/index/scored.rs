//! Every document's score for every term it holds, kept by `serve` so that
//! a save rescores only the terms of the pages it changed.
//!
//! Why a patch can give the very numbers a full scoring gives: BM25 needs
//! three things of the whole index, the number of documents, each field's
//! average length and each term's document frequency. The averages are
//! taken from whole-number totals and rounded to a sixteenth of a term, so
//! an edit to one page almost never moves them, and the number of
//! documents moves only when a section comes or goes; when either moves,
//! everything is scored afresh. Otherwise a document's score depends only
//! on the document, and a term's rarity only on its own postings: patching
//! the changed pages' documents into their terms' postings, and recounting
//! those terms' rarity, is exact.

use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;

use super::{Analysed, DocTerms, Field, SectionDoc, K1};
use crate::content::PageId;

/// The index in numbers: documents, and per term number its postings.
pub(super) struct Scored {
    /// Each output page in order, with its analysis and documents.
    pub(super) pages: Vec<Slot>,
    pub(super) docs: Vec<SectionDoc>,
    /// Each field's length summed over the documents.
    totals: [u64; 4],
    averages: [f32; 4],
    /// Per term number: its documents, ascending, with their scores before
    /// the term's rarity is counted.
    base: Vec<Vec<(u32, f32)>>,
    /// Per surface word number: how many pages use it.
    surface_uses: Vec<u32>,
    /// Postings in all.
    postings: usize,
}

/// One output page's place in the index.
pub(super) struct Slot {
    pub id: PageId,
    pub analysed: Arc<Analysed>,
    /// Its documents' numbers.
    pub docs: Range<u32>,
}

/// What a patch changed.
pub(super) struct Change {
    /// The documents of the pages whose analysis changed, one range per
    /// page, ascending.
    pub ranges: Vec<Range<u32>>,
    /// The terms whose postings may have changed, ascending.
    pub terms: Vec<u32>,
    /// Those of them whose documents are more or fewer, ascending: their
    /// rarity, and so every one of their scores, moved. The others' scores
    /// moved only in the changed pages' documents.
    pub recounted: Vec<u32>,
    /// Whether a surface word came into use or went out of it.
    pub words: bool,
}

/// A patch touches at most one page in this many (and at least a few):
/// past that, scoring afresh is as quick.
const PAGES_PER_PATCHED: usize = 50;
const PATCH_PAGES: usize = 8;

impl Scored {
    /// Scores `pages` afresh; `None` when `superseded` says, once they
    /// are scored, that they are no longer wanted.
    pub fn new(
        pages: Vec<(PageId, Arc<Analysed>)>,
        terms: usize,
        words: usize,
        superseded: &(dyn Fn() -> bool + Sync),
    ) -> Option<Scored> {
        let mut next = 0u32;
        let pages: Vec<Slot> = pages
            .into_iter()
            .map(|(id, analysed)| {
                let start = next;
                next += analysed.terms.len() as u32;
                Slot {
                    id,
                    analysed,
                    docs: start..next,
                }
            })
            .collect();
        let all: Vec<&DocTerms> = pages.iter().flat_map(|s| &s.analysed.terms).collect();
        let totals = pages.iter().fold([0u64; 4], |totals, slot| {
            combine(totals, lengths(&slot.analysed), |total, n| total + n)
        });
        let averages = averages(&totals, all.len());
        let base = postings_in_runs(&all, terms, &averages);
        drop(all);
        if superseded() {
            return None;
        }
        let postings = base.iter().map(Vec::len).sum();
        let mut surface_uses = vec![0u32; words];
        for &word in pages.iter().flat_map(|s| &s.analysed.surfaces) {
            surface_uses[word as usize] += 1;
        }
        Some(Scored {
            docs: docs_of(&pages),
            pages,
            totals,
            averages,
            postings,
            base,
            surface_uses,
        })
    }

    /// Patches in `pages`, the same output pages as before with some of
    /// their analyses changed, and says what changed; or gives `pages`
    /// back when only scoring afresh is exact (a page came, went or gained
    /// a section, an average moved) or as quick.
    pub fn patch(
        &mut self,
        pages: Vec<(PageId, Arc<Analysed>)>,
        terms: usize,
        words: usize,
    ) -> Result<Change, Vec<(PageId, Arc<Analysed>)>> {
        let Some(changed) = self.changed_slots(&pages) else {
            return Err(pages);
        };
        let totals = changed.iter().fold(self.totals, |totals, &slot| {
            let totals = combine(totals, lengths(&pages[slot].1), |total, n| total + n);
            combine(totals, lengths(&self.pages[slot].analysed), |total, n| {
                total - n
            })
        });
        if averages(&totals, self.docs.len()) != self.averages {
            return Err(pages);
        }
        self.totals = totals;
        self.base.resize_with(terms.max(self.base.len()), Vec::new);
        self.surface_uses
            .resize(words.max(self.surface_uses.len()), 0);
        let mut touched: Vec<u32> = Vec::new();
        let mut gone: Vec<Arc<Analysed>> = Vec::with_capacity(changed.len());
        let mut words_changed = false;
        for &slot in &changed {
            let (id, new) = &pages[slot];
            let old = std::mem::replace(&mut self.pages[slot].analysed, new.clone());
            touched.extend(old.terms.iter().flat_map(|d| d.counts.iter().map(|c| c.0)));
            touched.extend(new.terms.iter().flat_map(|d| d.counts.iter().map(|c| c.0)));
            words_changed |= self.use_words(&new.surfaces);
            let first = self.pages[slot].docs.start as usize;
            for (n, doc) in docs_of_page(*id, new).enumerate() {
                self.docs[first + n] = doc;
            }
            gone.push(old);
        }
        // The new words counted in before the old are counted out: a word
        // the page keeps never looks unused on the way.
        for old in &gone {
            words_changed |= self.unuse_words(&old.surfaces);
        }
        touched.sort_unstable();
        touched.dedup();
        let ranges: Vec<Range<u32>> = changed
            .iter()
            .map(|&s| self.pages[s].docs.clone())
            .collect();
        let mut fresh: Vec<(u32, u32, f32)> = Vec::new();
        for &slot in &changed {
            let Slot { analysed, docs, .. } = &self.pages[slot];
            for (d, doc) in docs.clone().zip(&analysed.terms) {
                fresh.extend(doc_scores(doc, &self.averages).map(|(term, score)| (term, d, score)));
            }
        }
        fresh.sort_unstable_by_key(|&(term, d, _)| (term, d));
        let mut fresh = fresh.as_slice();
        let mut recounted = Vec::new();
        for &term in &touched {
            let run = fresh.partition_point(|f| f.0 == term);
            let list = &mut self.base[term as usize];
            let before = list.len();
            // Each changed page's documents are one run of the list, sorted
            // by document: spliced in place, not the whole list sorted.
            for range in &ranges {
                let docs = within(list, range);
                let new = fresh[..run].iter().filter(|f| range.contains(&f.1));
                list.splice(docs, new.map(|&(_, d, score)| (d, score)));
            }
            if list.len() != before {
                recounted.push(term);
            }
            self.postings = self.postings - before + list.len();
            fresh = &fresh[run..];
        }
        Ok(Change {
            ranges,
            terms: touched,
            recounted,
            words: words_changed,
        })
    }

    /// The slots whose analysis differs from the kept one, when `pages` are
    /// the same pages with as many documents each, and few changed.
    fn changed_slots(&self, pages: &[(PageId, Arc<Analysed>)]) -> Option<Vec<usize>> {
        if pages.len() != self.pages.len() {
            return None;
        }
        let most = PATCH_PAGES.max(pages.len() / PAGES_PER_PATCHED);
        let mut changed = Vec::new();
        for (slot, ((id, analysed), kept)) in pages.iter().zip(&self.pages).enumerate() {
            if *id != kept.id || analysed.terms.len() != kept.analysed.terms.len() {
                return None;
            }
            if !Arc::ptr_eq(analysed, &kept.analysed) {
                changed.push(slot);
                if changed.len() > most {
                    return None;
                }
            }
        }
        Some(changed)
    }

    /// Counts a page's surface words in; whether one came into use.
    fn use_words(&mut self, words: &[u32]) -> bool {
        let mut came = false;
        for &word in words {
            let uses = &mut self.surface_uses[word as usize];
            came |= *uses == 0;
            *uses += 1;
        }
        came
    }

    /// Counts a page's surface words out; whether one went out of use.
    fn unuse_words(&mut self, words: &[u32]) -> bool {
        let mut went = false;
        for &word in words {
            let uses = &mut self.surface_uses[word as usize];
            debug_assert!(*uses > 0, "a word counted out more than in");
            *uses = uses.saturating_sub(1);
            went |= *uses == 0;
        }
        went
    }

    /// The slot of output page `id`, if it is one.
    pub fn slot_of(&self, id: PageId) -> Option<usize> {
        self.pages.binary_search_by_key(&id, |s| s.id).ok()
    }

    /// The terms and fields of document `doc`.
    pub fn doc_terms(&self, doc: u32) -> &DocTerms {
        let slot = self.pages.partition_point(|s| s.docs.end <= doc);
        let page = &self.pages[slot];
        &page.analysed.terms[(doc - page.docs.start) as usize]
    }

    /// How many terms are numbered (some with no postings).
    pub fn term_count(&self) -> usize {
        self.base.len()
    }

    /// How many terms some document holds.
    pub fn terms_in_use(&self) -> usize {
        self.base.iter().filter(|l| !l.is_empty()).count()
    }

    /// Whether any document holds `term`.
    pub fn has(&self, term: u32) -> bool {
        self.base.get(term as usize).is_some_and(|l| !l.is_empty())
    }

    /// Whether some page uses the surface word `word`.
    pub fn word_used(&self, word: u32) -> bool {
        self.surface_uses.get(word as usize).is_some_and(|&n| n > 0)
    }

    /// Postings in all.
    pub fn postings(&self) -> usize {
        self.postings
    }

    /// `term`'s documents, ascending, with their scores: field-weighted
    /// BM25, its rarity counted.
    pub fn scores(&self, term: u32) -> impl Iterator<Item = (u32, f32)> + '_ {
        let list = self.list(term);
        let idf = idf(self.docs.len(), list.len());
        list.iter().map(move |&(d, s)| (d, s * idf))
    }

    /// [`Scored::scores`] of the documents in `ranges` only (ascending,
    /// apart), found by halving rather than read through.
    pub fn scores_within<'a>(
        &'a self,
        term: u32,
        ranges: &'a [Range<u32>],
    ) -> impl Iterator<Item = (u32, f32)> + 'a {
        let list = self.list(term);
        let idf = idf(self.docs.len(), list.len());
        ranges
            .iter()
            .flat_map(move |range| &list[within(list, range)])
            .map(move |&(d, s)| (d, s * idf))
    }

    /// How many documents hold `term`.
    pub fn holders(&self, term: u32) -> usize {
        self.list(term).len()
    }

    fn list(&self, term: u32) -> &[(u32, f32)] {
        self.base.get(term as usize).map_or(&[][..], Vec::as_slice)
    }
}

impl Change {
    /// Whether document `doc` is one of the changed pages'.
    pub fn changed(&self, doc: u32) -> bool {
        self.ranges.iter().any(|r| r.contains(&doc))
    }

    /// Whether `term`'s rarity stayed: then each of its scores outside the
    /// changed pages' documents stayed too.
    pub fn rarity_kept(&self, term: u32) -> bool {
        self.recounted.binary_search(&term).is_err()
    }
}

/// Where the documents of `range` are in `list`, sorted by document.
fn within(list: &[(u32, f32)], range: &Range<u32>) -> Range<usize> {
    let start = list.partition_point(|(d, _)| *d < range.start);
    start..start + list[start..].partition_point(|(d, _)| *d < range.end)
}

/// The documents of the pages, in order, each knowing its page.
fn docs_of(pages: &[Slot]) -> Vec<SectionDoc> {
    pages
        .iter()
        .flat_map(|slot| docs_of_page(slot.id, &slot.analysed))
        .collect()
}

/// The documents of page `id`, knowing it.
fn docs_of_page(id: PageId, page: &Analysed) -> impl Iterator<Item = SectionDoc> + '_ {
    page.docs.iter().map(move |doc| SectionDoc {
        page: id,
        ..doc.clone()
    })
}

/// At most this many runs in [`postings_in_runs`]: each keeps a few bytes
/// per term of the vocabulary, which more threads would multiply.
const MOST_RUNS: usize = 8;

/// Per term number (of `terms`): the documents of `docs` that hold it, in
/// order, with their scores before the term's rarity is counted. Made in
/// runs of documents, one per thread, cut where each has as many postings
/// as the next: each run counts its documents per term, every term's list
/// is cut into one piece per run, and each run fills its own pieces in
/// document order, so the lists come out sorted and no thread waits on
/// another. (One thread adding every document's scores to the lists was
/// a tenth of the index stage, the other core idle.)
fn postings_in_runs(docs: &[&DocTerms], terms: usize, averages: &[f32; 4]) -> Vec<Vec<(u32, f32)>> {
    let runs = runs_of(docs, rayon::current_num_threads().clamp(1, MOST_RUNS));
    let run_df: Vec<Vec<u32>> = runs.par_iter().map(|(_, run)| df_of(run, terms)).collect();
    // Made on every thread: the lists are most of the stage's memory, and
    // a perf timeline showed one thread alone in the allocator's page
    // faults and zeroing while they were made on it.
    let mut lists: Vec<Vec<(u32, f32)>> = (0..terms)
        .into_par_iter()
        .map(|t| vec![(0, 0.0); run_df.iter().map(|df| df[t] as usize).sum()])
        .collect();
    let pieces = pieces_per_run(&mut lists, &run_df);
    let jobs: Vec<_> = runs.into_iter().zip(pieces).collect();
    jobs.into_par_iter().for_each(|((first, run), mut pieces)| {
        for (d, doc) in (first..).zip(run) {
            for (term, score) in doc_scores(doc, averages) {
                // Each piece shrinks from the front as it is filled.
                let piece = std::mem::take(&mut pieces[term as usize]);
                let (slot, rest) = piece
                    .split_first_mut()
                    .expect("a piece has room for every posting its run counted");
                *slot = (d, score);
                pieces[term as usize] = rest;
            }
        }
    });
    lists
}

/// `docs` cut into at most `most` runs of about as many postings each,
/// each with the number of its first document.
fn runs_of<'a, 'd>(docs: &'a [&'d DocTerms], most: usize) -> Vec<(u32, &'a [&'d DocTerms])> {
    let total: usize = docs.iter().map(|d| d.counts.len()).sum();
    let per_run = total.div_ceil(most).max(1);
    let mut runs = Vec::with_capacity(most);
    let (mut start, mut held) = (0, 0);
    for (i, doc) in docs.iter().enumerate() {
        held += doc.counts.len();
        if held >= per_run || i + 1 == docs.len() {
            runs.push((start as u32, &docs[start..=i]));
            (start, held) = (i + 1, 0);
        }
    }
    runs
}

/// Each of `lists` cut into one piece per run, run by run: piece `t` of
/// run `r` has room for `run_df[r][t]` postings.
fn pieces_per_run<'a>(
    lists: &'a mut [Vec<(u32, f32)>],
    run_df: &[Vec<u32>],
) -> Vec<Vec<&'a mut [(u32, f32)]>> {
    let mut pieces: Vec<Vec<&mut [(u32, f32)]>> = run_df.iter().map(|_| Vec::new()).collect();
    for (t, list) in lists.iter_mut().enumerate() {
        let mut rest = list.as_mut_slice();
        for (run, df) in pieces.iter_mut().zip(run_df) {
            let (piece, after) = std::mem::take(&mut rest).split_at_mut(df[t] as usize);
            run.push(piece);
            rest = after;
        }
    }
    pieces
}

/// How many of `docs` hold each of `terms` terms.
fn df_of(docs: &[&DocTerms], terms: usize) -> Vec<u32> {
    let mut df = vec![0u32; terms];
    for &(term, _) in docs.iter().flat_map(|doc| &doc.counts) {
        df[term as usize] += 1;
    }
    df
}

/// Each field's length summed over a page's documents.
fn lengths(page: &Analysed) -> [u64; 4] {
    page.terms.iter().fold([0; 4], |sums, doc| {
        combine(sums, doc.lengths.map(u64::from), |sum, n| sum + n)
    })
}

/// `a` and `b` combined field by field with `with`.
fn combine(a: [u64; 4], b: [u64; 4], with: impl Fn(u64, u64) -> u64) -> [u64; 4] {
    std::array::from_fn(|i| with(a[i], b[i]))
}

/// Each of `doc`'s terms with its score there, before its rarity is
/// counted.
fn doc_scores<'a>(
    doc: &'a DocTerms,
    averages: &'a [f32; 4],
) -> impl Iterator<Item = (u32, f32)> + 'a {
    doc.counts
        .iter()
        .map(|(term, tf)| (*term, field_score(&doc.lengths, tf, averages)))
}

/// Each field's average length over `docs` documents, to a sixteenth of a
/// term: fine enough for ranking, coarse enough that a saved page seldom
/// moves it (see the module's note).
fn averages(totals: &[u64; 4], docs: usize) -> [f32; 4] {
    let docs = docs.max(1) as f64;
    totals.map(|total| ((total as f64 / docs * 16.0).round() / 16.0) as f32)
}

/// A term's rarity among `docs` documents, `df` of which hold it.
fn idf(docs: usize, df: usize) -> f32 {
    let (n, df) = (docs.max(1) as f32, df as f32);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// One term's score in one document, before its rarity is counted. Each
/// field's frequency is length-normalised and saturated on its own, then
/// the fields are added with their weights: a title hit is worth several
/// body hits, however long the body, so a query for a concept's name
/// finds the concept first.
fn field_score(lengths: &[u32; 4], tf: &[u16; 4], average: &[f32; 4]) -> f32 {
    let mut total = 0.0;
    for (i, field) in Field::ALL.iter().enumerate() {
        if tf[i] == 0 {
            continue;
        }
        let tf = f32::from(tf[i]);
        let norm = 1.0 - field.b() + field.b() * lengths[i] as f32 / average[i].max(1.0);
        total += field.weight() * tf * (K1 + 1.0) / (tf + K1 * norm);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pages of a few documents each, with terms picked pseudo-randomly
    /// from `terms` (some never used).
    fn pages(count: usize, terms: u32) -> Vec<(PageId, Arc<Analysed>)> {
        let mut seed = 11u64;
        let mut pick = move |below: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % below
        };
        (0..count)
            .map(|id| {
                let docs = 1 + pick(4) as usize;
                let doc_terms = (0..docs)
                    .map(|_| {
                        let mut counts: Vec<(u32, [u16; 4])> = Vec::new();
                        for _ in 0..pick(12) {
                            let term = pick(u64::from(terms) - 3) as u32;
                            if !counts.iter().any(|(t, _)| *t == term) {
                                counts.push((term, [pick(3) as u16, 0, pick(9) as u16, 0]));
                            }
                        }
                        let lengths = [4, 0, 30 + pick(50) as u32, 0];
                        DocTerms { lengths, counts }
                    })
                    .collect();
                let analysed = Analysed {
                    terms: doc_terms,
                    ..Analysed::default()
                };
                (id, Arc::new(analysed))
            })
            .collect()
    }

    /// Every term's postings as one thread makes them: the documents in
    /// order, each one's terms added to their lists.
    fn postings_one_by_one(
        pages: &[(PageId, Arc<Analysed>)],
        terms: usize,
    ) -> Vec<Vec<(u32, f32)>> {
        let all: Vec<&DocTerms> = pages.iter().flat_map(|(_, a)| &a.terms).collect();
        let totals = pages
            .iter()
            .fold([0u64; 4], |t, (_, a)| combine(t, lengths(a), |x, y| x + y));
        let averages = averages(&totals, all.len());
        let mut lists = vec![Vec::new(); terms];
        for (d, doc) in all.iter().enumerate() {
            for (term, score) in doc_scores(doc, &averages) {
                lists[term as usize].push((d as u32, score));
            }
        }
        lists
    }

    #[test]
    fn postings_made_in_runs_are_those_made_one_document_at_a_time() {
        let terms = 40;
        for (count, threads) in [(0, 2), (1, 3), (7, 2), (50, 3), (200, 4), (300, 12)] {
            let pages = pages(count, terms);
            let expected = postings_one_by_one(&pages, terms as usize);
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build();
            let never = || false;
            let scored = pool
                .expect("a pool")
                .install(|| Scored::new(pages, terms as usize, 0, &never))
                .expect("nothing supersedes it");
            assert_eq!(scored.base, expected, "{count} pages on {threads} threads");
            let postings: usize = expected.iter().map(Vec::len).sum();
            assert_eq!(scored.postings, postings);
        }
    }
}
