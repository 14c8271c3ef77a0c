//! The index on disk: a manifest appended to the client script and, for a
//! large site, shards loaded on demand (see `docs/search-index.md`).
//!
//! A query loads the client and one shard: the shard of its first two
//! letters holds those terms' best documents together with the titles,
//! headings and snippets needed to show them, so no further request is
//! needed to display results.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::{Index, SectionDoc};
use crate::config::UrlStyle;
use crate::content::Page;
use crate::render::urls::link_url;

/// Above this many bytes of JSON, the index is split into shards.
const SINGLE_FILE_LIMIT: usize = 48 * 1024;
/// Postings kept per term in a shard: enough for a page of results.
const SHARD_POSTINGS: usize = 40;
const SNIPPET_CHARS: usize = 160;

/// What the client needs to know about the site's pages.
pub(crate) struct PageInfo<'a> {
    pub pages: &'a [Page],
    pub url_style: UrlStyle,
}

#[derive(Serialize)]
struct ShardJson {
    pages: Vec<(String, String, &'static str)>,
    docs: Vec<(usize, String, String, String)>,
    terms: Vec<(String, String)>,
    see: Vec<(String, String)>,
}

/// Output path → bytes: `search/search.js` (the client followed by the
/// manifest) and, when sharded, `search/s/<key>.js`.
pub(crate) fn encode(
    index: &Index,
    info: &PageInfo<'_>,
    client: &[u8],
) -> BTreeMap<String, Vec<u8>> {
    let quantised = quantise(index);
    let mut files = BTreeMap::new();
    let all_terms: Vec<&str> = quantised.keys().map(String::as_str).collect();
    // Each posting takes at least two bytes: past the limit, no need to try.
    let postings: usize = quantised.values().map(Vec::len).sum();
    let single_text = if postings * 2 <= SINGLE_FILE_LIMIT {
        to_json(&shard_json(
            index,
            info,
            &quantised,
            &all_terms,
            &[],
            usize::MAX,
        ))
    } else {
        String::new()
    };
    let manifest = if !single_text.is_empty() && single_text.len() <= SINGLE_FILE_LIMIT {
        format!("{{\"v\":1,\"mode\":\"single\",\"data\":{single_text}}}")
    } else {
        let shards = shard_terms(&all_terms);
        let mut keys = String::new();
        for (key, (own, see)) in &shards {
            keys.push_str(key);
            let json = shard_json(index, info, &quantised, own, see, SHARD_POSTINGS);
            let body = format!(
                "altitudeSearch.shard({},\n{}\n);",
                to_json(key),
                to_json(&json)
            );
            files.insert(format!("search/s/{key}.js"), body.into_bytes());
        }
        format!(
            "{{\"v\":1,\"mode\":\"sharded\",\"keys\":{},\"docs\":{}}}",
            to_json(&keys),
            index.docs.len()
        )
    };
    let mut script = client.to_vec();
    script.extend_from_slice(format!("\naltitudeSearch.manifest({manifest});\n").as_bytes());
    files.insert("search/search.js".into(), script);
    files
}

fn to_json<T: Serialize>(value: &T) -> String {
    // Serialising plain strings and numbers cannot fail.
    serde_json::to_string(value).unwrap_or_default()
}

/// Scores to 1–63 against the best score in the index, best first.
fn quantise(index: &Index) -> BTreeMap<String, Vec<(u32, u8)>> {
    let max = index
        .postings
        .values()
        .flatten()
        .map(|(_, s)| *s)
        .fold(f32::MIN_POSITIVE, f32::max);
    index
        .postings
        .iter()
        .map(|(term, postings)| {
            let mut q: Vec<(u32, u8)> = postings
                .iter()
                .map(|&(d, s)| (d, ((s / max) * 63.0).round().clamp(1.0, 63.0) as u8))
                .collect();
            q.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            (term.clone(), q)
        })
        .collect()
}

/// A term's shard: its first two characters.
pub(crate) fn key(term: &str) -> String {
    let mut chars = term.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) => format!("{a}{b}"),
        (Some(a), None) => format!("{a}_"),
        _ => "__".into(),
    }
}

/// The shards a word one edit away from `term` may look in first: its own
/// key, and the keys of the term without its first or second character.
pub(crate) fn keys(term: &str) -> BTreeSet<String> {
    let chars: Vec<char> = term.chars().collect();
    let mut out = BTreeSet::from([key(term)]);
    for skip in 0..2.min(chars.len()) {
        let rest: String = chars
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, c)| c)
            .collect();
        if !rest.is_empty() {
            out.insert(key(&rest));
        }
    }
    out
}

/// Per shard key: the terms it holds, and the terms it points elsewhere
/// (with their own key).
type Shards<'a> = BTreeMap<String, (Vec<&'a str>, Vec<(&'a str, String)>)>;

fn shard_terms<'a>(terms: &[&'a str]) -> Shards<'a> {
    let mut shards: Shards<'a> = BTreeMap::new();
    for &term in terms {
        let own = key(term);
        for other in keys(term) {
            let entry = shards.entry(other.clone()).or_default();
            if other == own {
                entry.0.push(term);
            } else {
                entry.1.push((term, own.clone()));
            }
        }
    }
    shards
}

fn shard_json(
    index: &Index,
    info: &PageInfo<'_>,
    quantised: &BTreeMap<String, Vec<(u32, u8)>>,
    terms: &[&str],
    see: &[(&str, String)],
    per_term: usize,
) -> ShardJson {
    let mut json = ShardJson {
        pages: Vec::new(),
        docs: Vec::new(),
        terms: Vec::new(),
        see: see
            .iter()
            .map(|(t, k)| (t.to_string(), k.clone()))
            .collect(),
    };
    let mut local_page: HashMap<usize, usize> = HashMap::new();
    let mut local_doc: HashMap<u32, usize> = HashMap::new();
    for &term in terms {
        let Some(postings) = quantised.get(term) else {
            continue;
        };
        let mut kept = Vec::new();
        for &(doc, score) in postings.iter().take(per_term) {
            let local = *local_doc.entry(doc).or_insert_with(|| {
                let section = &index.docs[doc as usize];
                let page = *local_page.entry(section.page).or_insert_with(|| {
                    let p = &info.pages[section.page];
                    json.pages.push((
                        link_url(&p.url, info.url_style),
                        p.title.clone(),
                        p.kind.name(),
                    ));
                    json.pages.len() - 1
                });
                json.docs.push(doc_row(section, page));
                json.docs.len() - 1
            });
            kept.push((local as u32, score));
        }
        json.terms.push((term.to_string(), encode_postings(kept)));
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

fn doc_row(section: &SectionDoc, page: usize) -> (usize, String, String, String) {
    (
        page,
        section.anchor.clone().unwrap_or_default(),
        section.heading.clone(),
        snippet(&section.body),
    )
}

/// The start of a section's text, cut at a word boundary.
fn snippet(body: &str) -> String {
    if body.chars().count() <= SNIPPET_CHARS {
        return body.to_string();
    }
    let cut: String = body.chars().take(SNIPPET_CHARS).collect();
    let at_word = cut.rfind(' ').map_or(cut.as_str(), |i| &cut[..i]);
    format!("{}…", at_word.trim_end_matches([',', ';', ':', '.']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cover_one_edit_in_the_first_letters() {
        assert_eq!(key("owner"), "ow");
        assert_eq!(key("a"), "a_");
        assert_eq!(
            keys("owner"),
            BTreeSet::from(["ow".to_string(), "wn".into(), "on".into()])
        );
        // Each kind of edit at the start shares a key with the term.
        for typo in ["pwner", "woner", "wner", "oowner", "onwer"] {
            assert!(
                !keys(typo).is_disjoint(&keys("owner")),
                "{typo} shares no shard with owner"
            );
        }
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
