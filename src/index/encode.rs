//! The index on disk: a manifest appended to the client script and, for a
//! large site, shards loaded on demand (see `docs/search-index.md`).
//!
//! A query loads the client and one shard: the shard of its word's prefix
//! (see [`super::keys`]) holds those terms' best documents together with
//! the titles, headings and snippets needed to show them, so no further
//! request is needed to display results.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;
use serde::Serialize;

use super::keys::KeySpace;
use super::Index;
use crate::config::UrlStyle;
use crate::content::Page;
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
    pub pages: &'a [Page],
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

/// A JSON string, escaped as serde_json escapes it.
fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            out.push_str(&format!("\\u{b:04x}"));
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// What every shard shows of pages, as JSON rows prepared once: a page
/// can appear in many shards. (Documents carry their own rows.)
struct Shown {
    pages: Vec<String>,
}

impl Shown {
    fn new(info: &PageInfo<'_>) -> Shown {
        Shown {
            pages: info
                .pages
                .par_iter()
                .map(|p| {
                    let url = link_url(&p.url, info.url_style);
                    format!("[{}]", json_strs(&[&url, &p.title, p.kind.name()]))
                })
                .collect(),
        }
    }
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

/// Output path → bytes: `search/search.js` (the client followed by the
/// manifest) and, when sharded, `search/s/<key>.js`, each a pack of shards
/// named by its first.
pub(crate) fn encode(
    index: &Index,
    info: &PageInfo<'_>,
    client: &[u8],
    superseded: &(dyn Fn() -> bool + Sync),
) -> Option<BTreeMap<String, Vec<u8>>> {
    // Each posting takes at least two bytes: past the limit, no need to try
    // a single file, and shards keep only each term's best postings.
    let postings: usize = index.postings.values().map(Vec::len).sum();
    let may_be_single = postings * 2 <= SINGLE_FILE_LIMIT;
    let keep = if may_be_single {
        usize::MAX
    } else {
        SHARD_POSTINGS
    };
    let quantised = quantise(index, keep);
    if superseded() {
        return None;
    }
    let shown = Shown::new(info);
    let mut files = BTreeMap::new();
    let all_terms: Vec<&str> = quantised.keys().copied().collect();
    let mut single_text = String::new();
    if may_be_single {
        let see = single_file_see(&index.surfaces);
        shard_json(index, &shown, &quantised, &all_terms, &see, usize::MAX).write(&mut single_text);
    }
    let manifest = if !single_text.is_empty() && single_text.len() <= SINGLE_FILE_LIMIT {
        format!("{{\"v\":1,\"mode\":\"single\",\"data\":{single_text}}}")
    } else {
        let sizes: Vec<(&str, usize)> = all_terms
            .iter()
            .map(|t| {
                let postings = quantised.get(*t).map_or(0, |p| p.len().min(SHARD_POSTINGS));
                (*t, t.len() + 8 + postings * POSTING_BYTES)
            })
            .collect();
        let mut space = KeySpace::plan(&sizes, SHARD_BUDGET);
        let shards = shard_terms(&space, &all_terms, &index.surfaces);
        // Shards that only point elsewhere are keys too.
        space.keys.extend(shards.keys().cloned());
        // Each shard asks whether the files are still wanted: the shards
        // are most of the stage.
        let mut bodies: HashMap<&str, String> = shards
            .par_iter()
            .map(|(key, (own, see))| {
                if superseded() {
                    return None;
                }
                let json = shard_json(index, &shown, &quantised, own, see, SHARD_POSTINGS);
                let mut body = String::with_capacity(4096);
                body.push_str("altitudeSearch.shard(");
                push_json_str(&mut body, key);
                body.push_str(",\n");
                json.write(&mut body);
                body.push_str("\n);");
                Some((key.as_str(), body))
            })
            .collect::<Option<_>>()?;
        let (tree, packs) = space.packed_tree(|key| bodies.get(key).map(String::len), SHARD_BUDGET);
        for pack in packs {
            let text: Vec<String> = pack
                .iter()
                .filter_map(|key| bodies.remove(key.as_str()))
                .collect();
            files.insert(
                format!("{SHARDS}{}.js", file_name(&pack[0])),
                text.join("\n").into_bytes(),
            );
        }
        debug_assert!(bodies.is_empty(), "every shard is in a pack");
        format!(
            "{{\"v\":1,\"mode\":\"sharded\",\"keys\":{},\"docs\":{}}}",
            to_json(&tree),
            index.docs.len()
        )
    };
    let mut script = client.to_vec();
    script.extend_from_slice(format!("\naltitudeSearch.manifest({manifest});\n").as_bytes());
    files.insert(SCRIPT.into(), script);
    Some(files)
}

fn to_json<T: Serialize>(value: &T) -> String {
    // Serialising plain strings and numbers cannot fail.
    serde_json::to_string(value).unwrap_or_default()
}

/// Scores to 1–63 against the best score in the index, best first; at
/// most `keep` postings per term.
fn quantise(index: &Index, keep: usize) -> BTreeMap<&str, Vec<(u32, u8)>> {
    let max = index
        .postings
        .values()
        .flatten()
        .map(|(_, s)| *s)
        .fold(f32::MIN_POSITIVE, f32::max);
    let best_first = |a: &(u32, u8), b: &(u32, u8)| b.1.cmp(&a.1).then(a.0.cmp(&b.0));
    index
        .postings
        .par_iter()
        .map(|(term, postings)| {
            let mut q: Vec<(u32, u8)> = postings
                .iter()
                .map(|&(d, s)| (d, ((s / max) * 63.0).round().clamp(1.0, 63.0) as u8))
                .collect();
            if q.len() > keep {
                q.select_nth_unstable_by(keep, best_first);
                q.truncate(keep);
            }
            q.sort_by(best_first);
            (term.as_str(), q)
        })
        .collect()
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

/// Per shard key: the terms it holds, and the words it points elsewhere.
type Shards<'a> = BTreeMap<String, (Vec<&'a str>, Vec<See>)>;

/// Each term goes to the shard of its key, and by name to the shards a
/// word one edit away, or a word that stems to it, would look in.
fn shard_terms<'a>(
    space: &KeySpace,
    terms: &[&'a str],
    surfaces: &BTreeMap<String, BTreeSet<String>>,
) -> Shards<'a> {
    let mut shards: Shards<'a> = BTreeMap::new();
    for &term in terms {
        let own = space.key_of(term);
        for other in space.typo_keys(term) {
            let entry = shards.entry(other.clone()).or_default();
            if other == own {
                entry.0.push(term);
            } else {
                entry.1.push(See {
                    word: term.to_string(),
                    key: own.clone(),
                    term: None,
                });
            }
        }
        // The client does not stem: a word of the text is listed in its own
        // shard with the stem it is indexed under.
        for word in surfaces.get(term).into_iter().flatten() {
            let key = space.key_of(word);
            if key == own && client_finds_stem(word, term) {
                continue;
            }
            shards.entry(key).or_default().1.push(See {
                word: word.clone(),
                key: own.clone(),
                term: Some(term.to_string()),
            });
        }
    }
    for (_, see) in shards.values_mut() {
        see.sort();
    }
    shards
}

/// The client finds a stem that begins its word by itself, in the file it
/// already has (see the contract's stem rule): no `see` row needed.
fn client_finds_stem(word: &str, term: &str) -> bool {
    word.starts_with(term) && term.len() >= 3 && word.len() - term.len() <= 4
}

/// A single-file index's `see` rows: each word of the text found under a
/// stem the client would not reach from it; the key is empty, the file
/// itself.
fn single_file_see(surfaces: &BTreeMap<String, BTreeSet<String>>) -> Vec<See> {
    let mut see: Vec<See> = surfaces
        .iter()
        .flat_map(|(term, words)| words.iter().map(move |word| (term, word)))
        .filter(|(term, word)| !client_finds_stem(word, term))
        .map(|(term, word)| See {
            word: word.clone(),
            key: String::new(),
            term: Some(term.clone()),
        })
        .collect();
    see.sort();
    see
}

fn shard_json<'a>(
    index: &'a Index,
    shown: &'a Shown,
    quantised: &BTreeMap<&str, Vec<(u32, u8)>>,
    terms: &[&'a str],
    see: &'a [See],
    per_term: usize,
) -> ShardJson<'a> {
    let mut json = ShardJson {
        pages: Vec::new(),
        docs: Vec::new(),
        terms: Vec::new(),
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
        let Some(postings) = quantised.get(term) else {
            continue;
        };
        let mut kept = Vec::new();
        for &(doc, score) in postings.iter().take(per_term) {
            let local = *local_doc.entry(doc).or_insert_with(|| {
                let page_id = index.docs[doc as usize].page;
                let page = *local_page.entry(page_id).or_insert_with(|| {
                    json.pages.push(&shown.pages[page_id]);
                    json.pages.len() - 1
                });
                json.docs.push((page, &index.docs[doc as usize].row));
                json.docs.len() - 1
            });
            kept.push((local as u32, score));
        }
        json.terms.push((term, encode_postings(kept)));
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
    let Some((end, _)) = body.char_indices().nth(SNIPPET_CHARS) else {
        return body.to_string();
    };
    let cut = &body[..end];
    let at_word = cut.rfind(' ').map_or(cut, |i| &cut[..i]);
    format!("{}…", at_word.trim_end_matches([',', ';', ':', '.']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_written_json_is_serde_json() {
        let tricky = "quote \" back \\ tab \t nl \n bell \u{7} é </script>";
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

    #[test]
    fn snippets_cut_at_a_word() {
        let long = "word ".repeat(60);
        let s = snippet(&long);
        assert!(s.ends_with("word…"), "{s}");
        assert!(s.chars().count() <= SNIPPET_CHARS + 1);
        assert_eq!(snippet("short text"), "short text");
    }
}
