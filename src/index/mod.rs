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
mod text;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use crate::content::{Loaded, PageId, PageKind};
use crate::key::{Kept, Key};
use crate::links::Resolved;
use crate::render::Sections;
pub use docs::SectionDoc;
use rayon::prelude::*;
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

/// The index in memory: documents and, per term, the documents it scores in.
#[derive(Debug, Default)]
pub struct Index {
    pub docs: Vec<SectionDoc>,
    /// Term → (document, score), documents ascending.
    pub postings: BTreeMap<String, Vec<(u32, f32)>>,
    /// Term → the words of the text that stem to it, other than itself: the
    /// client does not stem, so a word's shard must point to its stem.
    pub surfaces: BTreeMap<String, BTreeSet<String>>,
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
/// says, between its steps, that the files are no longer wanted.
pub fn files(
    loaded: &Loaded,
    resolved: &Resolved,
    texts: Texts<'_>,
    cache: &mut IndexCache,
    superseded: &(dyn Fn() -> bool + Sync),
) -> Option<BTreeMap<String, Vec<u8>>> {
    if superseded() {
        return None;
    }
    let index = build_unless(loaded, resolved, texts, cache, superseded)?;
    if superseded() {
        return None;
    }
    let client = loaded
        .assets
        .iter()
        .find(|a| a.path == CLIENT)
        .map_or(&[][..], |a| &a.bytes[..]);
    let info = encode::PageInfo {
        pages: &loaded.pages,
        url_style: loaded.config.url_style,
    };
    encode::encode(&index, &info, client, superseded)
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
}

impl IndexCache {
    pub fn keeping() -> IndexCache {
        IndexCache {
            pages: Kept::keeping(),
            vocabulary: Vocabulary::default(),
        }
    }
}

/// One worker's pages, by slot, numbered its own way, with the stem of
/// each of its term numbers and the surface word of each word number.
type Chunk = (Vec<(usize, Analysed)>, Vec<String>, Vec<(String, u32)>);

/// The index of the output pages. The documents take the sections' text
/// over rather than copy it.
#[cfg(test)]
pub fn build(
    loaded: &Loaded,
    resolved: &Resolved,
    texts: Texts<'_>,
    cache: &mut IndexCache,
) -> Index {
    let never = || false;
    build_unless(loaded, resolved, texts, cache, &never).unwrap_or_default()
}

/// The index of the output pages, or `None` when `superseded` says, once
/// the pages are analysed (and kept for the next build) or halfway through
/// scoring them, that the index is no longer wanted.
fn build_unless(
    loaded: &Loaded,
    resolved: &Resolved,
    texts: Texts<'_>,
    cache: &mut IndexCache,
    superseded: &(dyn Fn() -> bool + Sync),
) -> Option<Index> {
    let Texts {
        mut sections,
        body_keys,
    } = texts;
    // Each output page with its own and its extensions' sections, moved out.
    let pages: Vec<(PageId, Vec<Sections>)> = (0..loaded.pages.len())
        .filter(|&id| resolved.is_output(id))
        .map(|id| {
            let texts = resolved
                .shown(id)
                .map(|p| sections.get_mut(p).map(std::mem::take).unwrap_or_default())
                .collect();
            (id, texts)
        })
        .collect();
    let ids: Vec<PageId> = pages.iter().map(|(id, _)| *id).collect();
    // A one-off build keeps nothing: no key to compute. Nor does a build
    // whose bodies were not keyed.
    let keys: Option<Vec<u128>> = body_keys.filter(|_| cache.pages.keeps()).map(|bodies| {
        pages
            .iter()
            .map(|(id, _)| analysis_key(loaded, resolved, *id, bodies))
            .collect()
    });
    let mut analysed: Vec<Option<Arc<Analysed>>> = match &keys {
        Some(keys) => keys
            .iter()
            .map(|&key| cache.pages.get(key).cloned())
            .collect(),
        None => vec![None; pages.len()],
    };
    let misses = pages
        .into_iter()
        .enumerate()
        .filter(|(slot, _)| analysed[*slot].is_none())
        .map(|(slot, (id, texts))| (slot, id, texts))
        .collect();
    for (slot, page) in analyse(loaded, resolved, misses, &mut cache.vocabulary) {
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
    let index = assemble(analysed, &cache.vocabulary, superseded)?;
    // The vocabulary only grows (every word half typed while saving on
    // the fly is in it), and scoring sizes its tables by it: once it is
    // mostly words no page uses, the next build analyses afresh.
    if cache.pages.keeps()
        && cache.vocabulary.stems.len() > 2 * index.postings.len() + VOCABULARY_SLACK
    {
        *cache = IndexCache::keeping();
    }
    Some(index)
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
    // Each worker keeps its analyzer across pages, numbering terms its own
    // way. Few, long chunks: each new analyzer stems the vocabulary afresh.
    let min_chunk = misses.len().div_ceil(rayon::current_num_threads().max(1));
    let chunks: Vec<Chunk> = misses
        .into_par_iter()
        .with_min_len(min_chunk.max(1))
        .fold(
            || (Vec::new(), Analyzer::default(), Counter::default()),
            |(mut done, mut analyzer, mut counter), (slot, id, texts)| {
                let page = page_documents(loaded, resolved, &mut analyzer, &mut counter, id, texts);
                done.push((slot, page));
                (done, analyzer, counter)
            },
        )
        .map(|(done, analyzer, _)| {
            let (stems, surfaces) = analyzer.into_parts();
            (done, stems, surfaces)
        })
        .collect();
    let mut out = Vec::new();
    for (done, stems, surfaces) in chunks {
        let stems: Vec<u32> = stems.into_iter().map(|s| vocabulary.stem(s)).collect();
        let words: Vec<u32> = surfaces
            .into_iter()
            .map(|(word, term)| vocabulary.surface(word, stems[term as usize]))
            .collect();
        for (slot, mut page) in done {
            for doc in &mut page.terms {
                for (term, _) in &mut doc.counts {
                    *term = stems[*term as usize];
                }
            }
            for word in &mut page.surfaces {
                *word = words[*word as usize];
            }
            out.push((slot, page));
        }
    }
    out
}

/// The index of the analysed pages, in order.
fn assemble(
    pages: Vec<(PageId, Arc<Analysed>)>,
    vocabulary: &Vocabulary,
    superseded: &(dyn Fn() -> bool + Sync),
) -> Option<Index> {
    let terms: Vec<&DocTerms> = pages.iter().flat_map(|(_, p)| &p.terms).collect();
    let by_number = score(&terms, vocabulary.stems.len(), superseded)?;
    drop(terms);
    let mut used = vec![false; vocabulary.surfaces.len()];
    for &word in pages.iter().flat_map(|(_, p)| &p.surfaces) {
        used[word as usize] = true;
    }
    let mut surfaces: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for ((word, stem), _) in vocabulary.surfaces.iter().zip(used).filter(|(_, u)| *u) {
        let stem = *stem as usize;
        if !by_number[stem].is_empty() {
            surfaces
                .entry(vocabulary.stems[stem].clone())
                .or_default()
                .insert(word.clone());
        }
    }
    let postings = by_number
        .into_iter()
        .enumerate()
        .filter(|(_, docs)| !docs.is_empty())
        .map(|(term, docs)| (vocabulary.stems[term].clone(), docs))
        .collect();
    // A page no cache shares gives its documents up; a kept one shares its
    // sections' text.
    let docs = pages
        .into_iter()
        .flat_map(|(id, page)| {
            let docs = match Arc::try_unwrap(page) {
                Ok(page) => page.docs,
                Err(kept) => kept.docs.clone(),
            };
            docs.into_iter()
                .map(move |doc| SectionDoc { page: id, ..doc })
        })
        .collect();
    Some(Index {
        docs,
        postings,
        surfaces,
    })
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

    /// The document counted so far; the counter starts afresh.
    fn take(&mut self) -> DocTerms {
        for &(term, _) in &self.doc.counts {
            self.slot[term as usize] = 0;
        }
        std::mem::take(&mut self.doc)
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

/// Field-weighted BM25: each field's frequency is length-normalised and
/// saturated on its own, then the fields are added with their weights. A
/// title hit is therefore worth several body hits, however long the body:
/// a query for a concept's name finds the concept first. Returns, per term
/// number, its documents in order with their scores; `None` when
/// `superseded` says, halfway, that they are no longer wanted.
fn score(
    docs: &[&DocTerms],
    terms: usize,
    superseded: &(dyn Fn() -> bool + Sync),
) -> Option<Vec<Vec<(u32, f32)>>> {
    let n = docs.len().max(1) as f32;
    let mut average = [0f32; 4];
    let mut df = vec![0usize; terms];
    for doc in docs {
        for (i, len) in doc.lengths.iter().enumerate() {
            average[i] += *len as f32 / n;
        }
        for &(term, _) in &doc.counts {
            df[term as usize] += 1;
        }
    }
    let scores: Vec<Vec<f32>> = docs
        .par_iter()
        .map(|doc| {
            doc.counts
                .iter()
                .map(|(_, tf)| field_score(&doc.lengths, tf, &average))
                .collect()
        })
        .collect();
    if superseded() {
        return None;
    }
    // Documents are visited in order, so each list comes out sorted.
    let mut by_term: Vec<Vec<(u32, f32)>> = df.iter().map(|&n| Vec::with_capacity(n)).collect();
    for (d, (doc, scores)) in docs.iter().zip(&scores).enumerate() {
        for (&(term, _), &score) in doc.counts.iter().zip(scores) {
            by_term[term as usize].push((d as u32, score));
        }
    }
    by_term.par_iter_mut().for_each(|docs| {
        let df = docs.len() as f32;
        let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        for (_, s) in docs.iter_mut() {
            *s *= idf;
        }
    });
    Some(by_term)
}

/// One term's score in one document, before its rarity is counted.
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
            &|| false,
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
