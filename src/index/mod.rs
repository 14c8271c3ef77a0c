//! Stage 4, index: the search index, built from the pages in Rust.
//!
//! Each heading section is a document, so results deep-link to
//! `page#heading`. Fields are weighted title > concept names and aliases >
//! headings > body, scored with field-weighted BM25 at build time, so the client only
//! adds up precomputed scores.
//! The on-disk format, shared with the theme's client, is described in
//! `docs/search-index.md`.

mod docs;
mod encode;
mod keys;
mod scored;
mod text;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::content::{Loaded, PageId, PageKind};
use crate::key::{Kept, Key};
use crate::links::Resolved;
use crate::pipeline::{Bytes, Sink};
use crate::render::Sections;
pub use docs::SectionDoc;
use rayon::prelude::*;
use scored::{Change, Scored};
use text::Analyzer;

/// The fields of a document, most telling first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Title,
    Names,
    Heading,
    Body,
}

impl Field {
    const ALL: [Field; 4] = [Field::Title, Field::Names, Field::Heading, Field::Body];

    fn weight(self) -> f32 {
        match self {
            Field::Title => 8.0,
            Field::Names => 6.0,
            Field::Heading => 3.0,
            Field::Body => 1.0,
        }
    }

    /// BM25's length normalisation, per field: short fields barely vary.
    fn b(self) -> f32 {
        match self {
            Field::Title | Field::Names => 0.3,
            Field::Heading => 0.5,
            Field::Body => 0.75,
        }
    }
}

const K1: f32 = 1.2;

/// The index in memory, as the unit tests query it: documents and, per
/// term, the documents it scores in.
#[cfg(test)]
#[derive(Debug, Default)]
pub struct Index {
    pub docs: Vec<SectionDoc>,
    /// Term → (document, score), documents ascending.
    pub postings: BTreeMap<String, Vec<(u32, f32)>>,
}

/// The theme's search client. The index stage ships it, followed by the
/// manifest, as `search/search.js`; it is not copied as it is.
pub(crate) const CLIENT: &str = "assets/search.js";

/// Whether `path` is one of the files the index stage writes: the client
/// with its manifest, and the shard packs.
pub fn writes(path: &str) -> bool {
    path == encode::SCRIPT || path.starts_with(encode::SHARDS)
}

/// The pages' text as the render stage took it from the pages it rendered.
pub struct Texts<'a> {
    /// Each page's sections, by page id.
    pub sections: Vec<Sections>,
    /// The key each page's body and sections were rendered under, when the
    /// render stage keeps bodies: a page's analysis is kept by them.
    pub body_keys: Option<&'a [u128]>,
}

/// The index stage: the search files of the site, from its pages and the
/// theme's client script (`assets/search.js`). `None` when `superseded`
/// says, between its steps, that the files are no longer wanted; but not
/// right after the stage last stopped so (see [`IndexCache::stopped`]).
pub fn files(
    loaded: &Loaded,
    resolved: &Resolved,
    texts: Texts<'_>,
    cache: &mut IndexCache,
    (superseded, sink): (&(dyn Fn() -> bool + Sync), Option<&dyn Sink>),
) -> Option<BTreeMap<String, Bytes>> {
    let never = || false;
    let superseded = if cache.stopped { &never } else { superseded };
    let files = files_unless(loaded, resolved, texts, cache, (superseded, sink));
    cache.stopped = files.is_none();
    files
}

/// [`files`], stopping wherever `superseded` says.
fn files_unless(
    loaded: &Loaded,
    resolved: &Resolved,
    texts: Texts<'_>,
    cache: &mut IndexCache,
    (superseded, sink): (&(dyn Fn() -> bool + Sync), Option<&dyn Sink>),
) -> Option<BTreeMap<String, Bytes>> {
    if superseded() {
        return None;
    }
    // The files show each document's row, made when it is analysed: a
    // build that keeps nothing for the next frees the text after.
    let keep_text = cache.pages.keeps();
    let (scored, change) = build_unless(loaded, resolved, (texts, keep_text), cache, superseded)?;
    if superseded() {
        cache.keep_scores_only(scored);
        return None;
    }
    let client = loaded
        .assets
        .iter()
        .find(|a| a.path == CLIENT)
        .map_or(&[][..], |a| &a.bytes[..]);
    let input = encode::Input {
        scored: &scored,
        stems: &cache.vocabulary.stems,
        words: &cache.vocabulary.surfaces,
        info: encode::PageInfo {
            pages: &loaded.pages,
            url_style: loaded.config.url_style,
        },
        client,
        sink,
    };
    let keep = cache.pages.keeps();
    let files = encode::encode(
        &input,
        change.as_ref(),
        &mut cache.encoded,
        keep,
        superseded,
    );
    if keep {
        let in_use = scored.terms_in_use();
        cache.scored = Some(scored);
        cache.forget_if_mostly_unused(in_use);
    } else {
        crate::sync::drop_aside(scored);
    }
    files
}

/// What BM25 needs of a document: each field's length in terms, and how
/// often each of its terms occurs in each field.
#[derive(Clone, Debug, Default)]
struct DocTerms {
    lengths: [u32; 4],
    counts: Vec<(u32, [u16; 4])>,
}

/// One output page as the index sees it: its sections (its extensions'
/// included) as documents, their terms counted, and the surface words it
/// uses. Numbers are an analyzer's while the page is analysed, then the
/// [`Vocabulary`]'s.
#[derive(Debug, Default)]
struct Analysed {
    docs: Vec<SectionDoc>,
    terms: Vec<DocTerms>,
    surfaces: Vec<u32>,
}

impl Analysed {
    /// Frees each document's text, which its analysis and its row needed
    /// and nothing after: at 100k pages, hundreds of MB held to the end of
    /// the build. Text shared elsewhere (the render cache's bodies, in
    /// `serve`) is left as it is.
    fn forget_texts(&mut self) {
        for doc in &mut self.docs {
            if let Some(section) = Arc::get_mut(&mut doc.section) {
                section.body = String::new();
            }
        }
    }
}

/// Every stem and surface word numbered so far: by one build, or by all
/// the builds of a `serve` session, so that pages analysed by an earlier
/// build keep their numbers.
#[derive(Default)]
struct Vocabulary {
    stems: Vec<String>,
    stem_numbers: HashMap<String, u32, foldhash::fast::FixedState>,
    /// A surface word, with its stem's number.
    surfaces: Vec<(String, u32)>,
    surface_numbers: HashMap<String, u32, foldhash::fast::FixedState>,
}

impl Vocabulary {
    fn stem(&mut self, stem: String) -> u32 {
        let next = self.stems.len() as u32;
        *self.stem_numbers.entry(stem).or_insert_with_key(|stem| {
            self.stems.push(stem.clone());
            next
        })
    }

    /// A surface word's number; a word always has the same stem.
    fn surface(&mut self, word: String, stem: u32) -> u32 {
        let next = self.surfaces.len() as u32;
        *self.surface_numbers.entry(word).or_insert_with_key(|word| {
            self.surfaces.push((word.clone(), stem));
            next
        })
    }
}

/// Each output page's analysis, kept for the next build (`serve`), by
/// everything it was made from: a save re-analyses only the pages whose
/// text, title or names changed. The default keeps nothing.
#[derive(Default)]
pub struct IndexCache {
    pages: Kept<Arc<Analysed>>,
    vocabulary: Vocabulary,
    /// The last build's scores and encoding, which a save patches.
    scored: Option<Scored>,
    encoded: Option<encode::Encoded>,
    /// The last index stage stopped for a newer change (`serve`). It kept
    /// nothing of the encoding, so the next encodes every shard afresh,
    /// several times a patch's work; and the next finishes, whatever comes:
    /// stopped too, it would leave the same to the one after, and while
    /// saves came faster than a whole encoding, none would finish.
    stopped: bool,
}

impl IndexCache {
    pub fn keeping() -> IndexCache {
        IndexCache {
            pages: Kept::keeping(),
            ..IndexCache::default()
        }
    }

    /// The search shards the last build wrote, and those it had in all;
    /// `None` when it kept no sharded index.
    pub fn shards_written(&self) -> Option<(usize, usize)> {
        self.encoded.as_ref().map(|e| (e.written, e.shards()))
    }

    /// Keeps `scored` (if this cache keeps anything) without its
    /// encoding: that was of the scores before them, and a build that
    /// stops before encoding leaves the next to encode afresh.
    fn keep_scores_only(&mut self, scored: Scored) {
        self.scored = self.pages.keeps().then_some(scored);
        self.encoded = None;
    }

    /// The vocabulary only grows (every word half typed while saving on
    /// the fly is in it), and scoring sizes its tables by it: once it is
    /// mostly words no page uses (`in_use` do), the next build analyses
    /// afresh.
    fn forget_if_mostly_unused(&mut self, in_use: usize) {
        if self.pages.keeps() && self.vocabulary.stems.len() > 2 * in_use + VOCABULARY_SLACK {
            *self = IndexCache::keeping();
        }
    }
}

/// One worker's pages, by slot, numbered its own way, with the stem of
/// each of its term numbers and the surface word of each word number.
type Chunk = (Vec<(usize, Analysed)>, Vec<String>, Vec<(String, u32)>);

/// A [`Chunk`] with the vocabulary's number of each of its term and word
/// numbers, its pages not yet renumbered.
type Numbered = (Vec<u32>, Vec<u32>, Vec<(usize, Analysed)>);

/// The index of the output pages.
#[cfg(test)]
pub fn build(
    loaded: &Loaded,
    resolved: &Resolved,
    texts: Texts<'_>,
    cache: &mut IndexCache,
) -> Index {
    let never = || false;
    let Some((scored, _)) = build_unless(loaded, resolved, (texts, true), cache, &never) else {
        return Index::default();
    };
    let postings = (0..scored.term_count() as u32)
        .filter(|&t| scored.has(t))
        .map(|t| {
            (
                cache.vocabulary.stems[t as usize].clone(),
                scored.scores(t).collect(),
            )
        })
        .collect();
    cache.forget_if_mostly_unused(scored.terms_in_use());
    Index {
        docs: scored.docs,
        postings,
    }
}

/// The output pages scored: patched into the last build's scores when it
/// can be exact, with what changed, or scored afresh. The documents keep
/// their sections' text if `keep_text`, else only what the index files
/// show of them. `None` when
/// `superseded` says, once the pages are analysed (and kept for the next
/// build) or halfway through scoring them, that the index is no longer
/// wanted.
fn build_unless(
    loaded: &Loaded,
    resolved: &Resolved,
    (texts, keep_text): (Texts<'_>, bool),
    cache: &mut IndexCache,
    superseded: &(dyn Fn() -> bool + Sync),
) -> Option<(Scored, Option<Change>)> {
    let Texts {
        mut sections,
        body_keys,
    } = texts;
    let ids: Vec<PageId> = (0..loaded.pages.len())
        .filter(|&id| resolved.is_output(id))
        .collect();
    // A one-off build keeps nothing: no key to compute. Nor does a build
    // whose bodies were not keyed.
    let keys: Option<Vec<u128>> = body_keys.filter(|_| cache.pages.keeps()).map(|bodies| {
        ids.iter()
            .map(|&id| analysis_key(loaded, resolved, id, bodies))
            .collect()
    });
    let mut analysed: Vec<Option<Arc<Analysed>>> = match &keys {
        Some(keys) => keys
            .iter()
            .map(|&key| cache.pages.get(key).cloned())
            .collect(),
        None => vec![None; ids.len()],
    };
    // The pages to analyse, each with its own and its extensions' sections,
    // moved out.
    let misses = ids
        .iter()
        .enumerate()
        .filter(|(slot, _)| analysed[*slot].is_none())
        .map(|(slot, &id)| {
            let texts = resolved
                .shown(id)
                .map(|p| sections.get_mut(p).map(std::mem::take).unwrap_or_default())
                .collect();
            (slot, id, texts)
        })
        .collect();
    for (slot, mut page) in analyse(loaded, resolved, misses, &mut cache.vocabulary) {
        if !keep_text {
            page.forget_texts();
        }
        analysed[slot] = Some(Arc::new(page));
    }
    let analysed: Vec<(PageId, Arc<Analysed>)> = ids
        .into_iter()
        .zip(analysed.into_iter().flatten())
        .collect();
    if let Some(keys) = keys {
        cache
            .pages
            .keep_only(keys.into_iter().zip(analysed.iter().map(|(_, a)| a)));
    }
    if superseded() {
        return None;
    }
    let terms = cache.vocabulary.stems.len();
    let words = cache.vocabulary.surfaces.len();
    let pages = match cache.scored.take() {
        Some(mut scored) => match scored.patch(analysed, terms, words) {
            // Asked as scoring afresh asks halfway.
            Ok(_) if superseded() => {
                cache.keep_scores_only(scored);
                return None;
            }
            Ok(change) => return Some((scored, Some(change))),
            Err(pages) => {
                // Scored afresh, the index is encoded afresh.
                cache.encoded = None;
                pages
            }
        },
        None => analysed,
    };
    Scored::new(pages, terms, words, superseded).map(|scored| (scored, None))
}

/// Stems a `serve` session's vocabulary may hold beyond twice those in use.
const VOCABULARY_SLACK: usize = 10_000;

/// Everything a page's analysis is made from: its title and names, and
/// each page it shows with its layer and the key of its body, which
/// stands for the sections' text (the render stage's bodies are cached by
/// the same key). Not its id: a new page shifts the ids after it, and the
/// documents are given their page's id when the index is assembled.
fn analysis_key(loaded: &Loaded, resolved: &Resolved, id: PageId, body_keys: &[u128]) -> u128 {
    let mut key = Key::new();
    key.add(&loaded.pages[id].title)
        .add(concept_names(loaded, resolved, id));
    let mut shown = 0usize;
    for p in resolved.shown(id) {
        key.add(loaded.layers.get(loaded.pages[p].layer).map(|l| &l.name))
            .add(body_keys.get(p));
        shown += 1;
    }
    key.add(shown);
    key.finish()
}

/// The pages `misses` (slot, page, its sections) analysed, in the
/// vocabulary's numbers.
fn analyse(
    loaded: &Loaded,
    resolved: &Resolved,
    misses: Vec<(usize, PageId, Vec<Sections>)>,
    vocabulary: &mut Vocabulary,
) -> Vec<(usize, Analysed)> {
    // One worker per thread, each keeping its analyzer across pages and
    // numbering terms its own way (a new analyzer stems the vocabulary
    // afresh), taking pages a few at a time as it gets to them: a worker
    // that finds its pages shorter goes on with the others'.
    const PAGES_AT_ONCE: usize = 16;
    let queue = std::sync::Mutex::new(misses.into_iter());
    let take = || -> Vec<_> {
        crate::sync::lock(&queue)
            .by_ref()
            .take(PAGES_AT_ONCE)
            .collect()
    };
    let chunks: Vec<Chunk> = (0..rayon::current_num_threads().max(1))
        .into_par_iter()
        .map(|_| {
            let (mut analyzer, mut counter) = (Analyzer::default(), Counter::default());
            let mut done = Vec::new();
            loop {
                let pages = take();
                if pages.is_empty() {
                    break;
                }
                for (slot, id, texts) in pages {
                    let page =
                        page_documents(loaded, resolved, &mut analyzer, &mut counter, id, texts);
                    done.push((slot, page));
                }
            }
            let (stems, surfaces) = analyzer.into_parts();
            (done, stems, surfaces)
        })
        .collect();
    // The vocabulary numbers each worker's words, one worker after the
    // other; the pages are renumbered in parallel.
    let numbered: Vec<Numbered> = chunks
        .into_iter()
        .map(|(done, stems, surfaces)| {
            let stems: Vec<u32> = stems.into_iter().map(|s| vocabulary.stem(s)).collect();
            let words: Vec<u32> = surfaces
                .into_iter()
                .map(|(word, term)| vocabulary.surface(word, stems[term as usize]))
                .collect();
            (stems, words, done)
        })
        .collect();
    numbered
        .into_par_iter()
        .flat_map_iter(|(stems, words, done)| {
            done.into_iter().map(move |(slot, mut page)| {
                for doc in &mut page.terms {
                    for (term, _) in &mut doc.counts {
                        *term = stems[*term as usize];
                    }
                }
                for word in &mut page.surfaces {
                    *word = words[*word as usize];
                }
                (slot, page)
            })
        })
        .collect()
}

/// A page's sections, its extensions' included, with their terms counted.
/// `texts` holds the page's sections, then each extension's.
fn page_documents(
    loaded: &Loaded,
    resolved: &Resolved,
    analyzer: &mut Analyzer,
    counter: &mut Counter,
    id: PageId,
    texts: Vec<Sections>,
) -> Analysed {
    let page = &loaded.pages[id];
    let title_terms = analyzer.terms(&page.title);
    let name_terms = analyzer.terms(&concept_names(loaded, resolved, id));
    let docs: Vec<SectionDoc> = resolved
        .shown(id)
        .zip(texts)
        .flat_map(|(p, texts)| {
            // An extension's opening text sits under its own section heading.
            let anchor = (p != id).then(|| {
                let layer = loaded.layers.get(loaded.pages[p].layer);
                crate::content::extension_anchor(layer.map_or("", |l| &l.name))
            });
            docs::sections(id, texts, anchor.as_deref())
        })
        .collect();
    let terms = docs
        .iter()
        .enumerate()
        .map(|(n, doc)| {
            // The title and names belong to the page's first section only:
            // repeated in every section they would make a page's sections
            // crowd out other pages, and the names look common.
            if n == 0 {
                title_terms
                    .iter()
                    .for_each(|&t| counter.add(t, Field::Title));
                name_terms
                    .iter()
                    .for_each(|&t| counter.add(t, Field::Names));
            }
            let text = &doc.section;
            analyzer.each_term(&text.heading, |t| counter.add(t, Field::Heading));
            analyzer.each_term(&text.body, |t| counter.add(t, Field::Body));
            counter.take()
        })
        .collect();
    Analysed {
        docs,
        terms,
        surfaces: analyzer.take_surfaces(),
    }
}

/// Counts one document's terms at a time, by local term number: a dense
/// table, reused from document to document, so counting costs no sort.
#[derive(Default)]
struct Counter {
    doc: DocTerms,
    /// Per term number: where it is in `doc.counts`, plus one (0: not yet).
    slot: Vec<u32>,
}

impl Counter {
    fn add(&mut self, term: u32, field: Field) {
        let term_index = term as usize;
        if term_index >= self.slot.len() {
            self.slot.resize(term_index + 1, 0);
        }
        if self.slot[term_index] == 0 {
            self.doc.counts.push((term, [0; 4]));
            self.slot[term_index] = self.doc.counts.len() as u32;
        }
        let tf = &mut self.doc.counts[self.slot[term_index] as usize - 1].1;
        tf[field as usize] = tf[field as usize].saturating_add(1);
        self.doc.lengths[field as usize] += 1;
    }

    /// The document counted so far; the counter starts afresh, with room
    /// for as many terms: grown from nothing, the lists were reallocated
    /// a quarter of a million times in a 10k build.
    fn take(&mut self) -> DocTerms {
        for &(term, _) in &self.doc.counts {
            self.slot[term as usize] = 0;
        }
        let next = DocTerms {
            counts: Vec::with_capacity(self.doc.counts.len()),
            ..DocTerms::default()
        };
        std::mem::replace(&mut self.doc, next)
    }
}

/// A concept page's title and aliases, extensions' aliases included.
fn concept_names(loaded: &Loaded, resolved: &Resolved, id: usize) -> String {
    let page = &loaded.pages[id];
    if page.kind != PageKind::Concept {
        return String::new();
    }
    std::iter::once(page.title.as_str())
        .chain(resolved.aliases(&loaded.pages, id))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
impl Index {
    /// Documents for a query, best first: the sum of each query term's
    /// scores (exact terms; prefixes and typos are the client's job). The
    /// ranking the unit tests check; readers query through the theme's client.
    pub fn search(&self, query: &str) -> Vec<(u32, f32)> {
        let mut analyzer = Analyzer::default();
        let mut total: HashMap<u32, f32> = HashMap::new();
        for number in analyzer.terms(query) {
            let term = analyzer.stem_of(number);
            for &(doc, score) in self.postings.get(term).into_iter().flatten() {
                *total.entry(doc).or_default() += score;
            }
        }
        let mut ranked: Vec<(u32, f32)> = total.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::SiteInput;
    use crate::pipeline::{self, Mode};
    use crate::source::MemSource;
    use std::sync::Arc;

    fn site() -> (Loaded, Resolved) {
        let source = MemSource::new("t/")
            .with("playbook.toml", "base = \"none\"\n")
            .with(
                "concepts/owner.md",
                "+++\ntitle = \"Owner\"\naliases = [\"DRI\"]\ndefinition = \"Decides.\"\n+++\nOne person.\n",
            )
            .with(
                "notes/meetings.md",
                "# Meetings\n\nIntro text on making calls.\n\n## Who decides\n\nThe owner decides, the DRI of the week; ownership matters.\n",
            )
            .with("notes/ownership.md", "# Ownership in practice\n\nShort.\n");
        let outcome = pipeline::run(&SiteInput::over(Arc::new(source)), Mode::Check);
        assert!(!outcome.diagnostics.has_errors());
        (outcome.loaded, outcome.resolved)
    }

    /// A render's sections, without body keys (nothing kept).
    fn texts(rendered: crate::render::Rendered) -> Texts<'static> {
        Texts {
            sections: rendered.sections,
            body_keys: None,
        }
    }

    /// The index of a site, from its pages as the render stage splits them.
    fn indexed(loaded: &Loaded, resolved: &Resolved) -> Index {
        let mut diags = crate::diag::Diagnostics::default();
        let rendered =
            crate::render::render(loaded, resolved, crate::render::Scope::All, &mut diags);
        build(
            loaded,
            resolved,
            texts(rendered),
            &mut IndexCache::default(),
        )
    }

    fn ranked_pages(index: &Index, loaded: &Loaded, query: &str) -> Vec<String> {
        index
            .search(query)
            .iter()
            .map(|(d, _)| {
                let doc = &index.docs[*d as usize];
                let anchor = doc.section.anchor.as_deref().unwrap_or("");
                format!("{}#{anchor}", loaded.pages[doc.page].path)
            })
            .collect()
    }

    #[test]
    fn sections_are_documents_with_their_heading() {
        let (loaded, resolved) = site();
        let index = indexed(&loaded, &resolved);
        let meetings: Vec<&SectionDoc> = index
            .docs
            .iter()
            .filter(|d| loaded.pages[d.page].path == "notes/meetings.md")
            .collect();
        assert_eq!(meetings.len(), 2);
        assert_eq!(meetings[0].section.anchor, None);
        assert_eq!(meetings[0].section.body, "Intro text on making calls.");
        assert_eq!(meetings[1].section.anchor.as_deref(), Some("who-decides"));
        assert_eq!(meetings[1].section.heading, "Who decides");
    }

    #[test]
    fn a_small_site_points_words_to_stems_the_client_would_not_find() {
        let (loaded, resolved) = site();
        let mut diags = crate::diag::Diagnostics::default();
        let rendered =
            crate::render::render(&loaded, &resolved, crate::render::Scope::All, &mut diags);
        let files = files(
            &loaded,
            &resolved,
            texts(rendered),
            &mut IndexCache::default(),
            (&|| false, None),
        )
        .expect("nothing supersedes it");
        let script = String::from_utf8_lossy(&files["search/search.js"]).into_owned();
        assert!(
            script.contains("\"mode\":\"single\""),
            "a small site is one file"
        );
        // "making" is indexed as "make", which it does not begin with.
        assert!(script.contains("[\"making\",\"\",\"make\"]"), "{script}");
        // "decides" begins its stem "decid": the client finds that alone.
        assert!(!script.contains("[\"decides\","), "{script}");
    }

    #[test]
    fn title_and_alias_rank_above_body() {
        let (loaded, resolved) = site();
        let index = indexed(&loaded, &resolved);
        // "DRI" is an alias of Owner and a word in a meeting note's body.
        let dri = ranked_pages(&index, &loaded, "dri");
        assert_eq!(dri[0], "concepts/owner.md#");
        assert!(dri.contains(&"notes/meetings.md#who-decides".to_string()));
        // "ownership" is in one page's title and another's body.
        let ownership = ranked_pages(&index, &loaded, "Ownership");
        assert_eq!(ownership[0], "notes/ownership.md#");
        assert_eq!(ownership[1], "notes/meetings.md#who-decides");
    }

    /// A word made of letters from `n`, distinct for each `n`.
    fn word(mut n: usize) -> String {
        let mut word = String::from("zq");
        loop {
            word.push((b'a' + (n % 26) as u8) as char);
            n /= 26;
            if n == 0 {
                return word;
            }
        }
    }

    /// The pages of a site, each a lead and one section of as many words
    /// as before, the words picked by `pick`.
    fn pages_of(pick: &mut impl FnMut() -> usize) -> MemSource {
        let mut source = MemSource::new("t/").with("playbook.toml", "base = \"none\"\n");
        for page in 0..6 {
            let mut words = |n: usize| (0..n).map(|_| word(pick())).collect::<Vec<_>>().join(" ");
            let text = format!(
                "# Page {page}\n\n{}\n\n## Part\n\n{}\n",
                words(40 + page),
                words(25)
            );
            source = source.with(&format!("notes/page-{page}.md"), text);
        }
        source
    }

    /// Each term's scores, by its name, as bits.
    fn scores_by_name(scored: &Scored, stems: &[String]) -> BTreeMap<String, Vec<(u32, u32)>> {
        (0..scored.term_count() as u32)
            .filter(|&t| scored.has(t))
            .map(|t| {
                let scores = scored.scores(t).map(|(d, s)| (d, s.to_bits())).collect();
                (stems[t as usize].clone(), scores)
            })
            .collect()
    }

    /// Patching a save's pages into the kept scores gives, to the bit, the
    /// scores made afresh: new words, words gone, words moved between
    /// pages, over the same documents of the same lengths. So do each
    /// term's best score and best postings patched from the last.
    #[test]
    fn patched_scores_are_the_scores_made_afresh() {
        let mut seed = 7u64;
        let mut pick = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) % 300) as usize
        };
        let mut kept = IndexCache::keeping();
        let mut patched = 0;
        let mut bests = Bests::default();
        for round in 0..25 {
            let source = pages_of(&mut pick);
            let outcome = pipeline::run(&SiteInput::over(Arc::new(source)), Mode::Check);
            let (loaded, resolved) = (&outcome.loaded, &outcome.resolved);
            let text = || {
                let mut diags = crate::diag::Diagnostics::default();
                texts(crate::render::render(
                    loaded,
                    resolved,
                    crate::render::Scope::All,
                    &mut diags,
                ))
            };
            let never = || false;
            let (scored, change) =
                build_unless(loaded, resolved, (text(), true), &mut kept, &never)
                    .expect("nothing supersedes it");
            patched += usize::from(change.is_some());
            bests.patch_and_check(&scored, change.as_ref(), round);
            let mut afresh = IndexCache::keeping();
            let (fresh, _) = build_unless(loaded, resolved, (text(), true), &mut afresh, &never)
                .expect("nothing supersedes it");
            assert_eq!(
                scores_by_name(&scored, &kept.vocabulary.stems),
                scores_by_name(&fresh, &afresh.vocabulary.stems),
                "round {round}"
            );
            kept.scored = Some(scored);
        }
        assert!(patched >= 20, "patched {patched} of 25 rounds");
    }

    /// Each term's best score and best postings, as the encoding keeps
    /// them from build to build, and patches them.
    #[derive(Default)]
    struct Bests {
        best: Vec<encode::Best>,
        quantised: Vec<Vec<(u32, u8)>>,
    }

    impl Bests {
        /// Postings kept per term: fewer than the documents that hold
        /// the test's common words, so that some fall outside.
        const KEEP: usize = 3;
        /// Against which scores are quantised: each test build's is near.
        const MAX: f32 = 12.0;

        /// Patched with `change`, or made afresh without one; either way
        /// what `scored` gives afresh.
        fn patch_and_check(&mut self, scored: &Scored, change: Option<&Change>, round: usize) {
            let terms = scored.term_count() as u32;
            let afresh = |t| encode::quantise(scored, t, Bests::MAX, Bests::KEEP);
            let Some(change) = change else {
                self.best = (0..terms).map(|t| encode::term_best(scored, t)).collect();
                self.quantised = (0..terms).map(afresh).collect();
                return;
            };
            self.best.resize(terms as usize, encode::Best::NONE);
            self.quantised.resize_with(terms as usize, Vec::new);
            for &t in &change.terms {
                let (best, old) = (self.best[t as usize], &self.quantised[t as usize]);
                let best = encode::best_after(scored, change, t, best);
                let quantised =
                    encode::quantised_after(scored, change, t, (Bests::MAX, Bests::KEEP), old);
                let fresh = encode::term_best(scored, t);
                assert_eq!(best.score, fresh.score, "round {round}, term {t}");
                assert_eq!(quantised, afresh(t), "round {round}, term {t}");
                self.best[t as usize] = best;
                self.quantised[t as usize] = quantised;
            }
        }
    }

    #[test]
    fn a_serve_vocabulary_of_words_no_page_uses_starts_afresh() {
        let mut cache = IndexCache::keeping();
        for round in 0..6 {
            // Each round's page has 3,000 words no other round has.
            let words: String = (0..3000).map(|i| format!("r{round}w{i} ")).collect();
            let source = MemSource::new("t/")
                .with("playbook.toml", "base = \"none\"\n")
                .with("notes/words.md", format!("# Words\n\n{words}\n"));
            let outcome = pipeline::run(&SiteInput::over(Arc::new(source)), Mode::Check);
            let mut diags = crate::diag::Diagnostics::default();
            let (loaded, resolved) = (&outcome.loaded, &outcome.resolved);
            let rendered =
                crate::render::render(loaded, resolved, crate::render::Scope::All, &mut diags);
            let index = build(loaded, resolved, texts(rendered), &mut cache);
            assert!(index.postings.contains_key(&format!("r{round}w0")));
            assert!(
                cache.vocabulary.stems.len() <= 2 * index.postings.len() + VOCABULARY_SLACK,
                "round {round}: {} stems kept for {} in use",
                cache.vocabulary.stems.len(),
                index.postings.len()
            );
        }
    }
}
