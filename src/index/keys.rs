//! Which shard a term lives in. Shards are named by a prefix of their terms,
//! two characters to start with; a shard that would be too big is split by
//! one more character, and so on, so that shards stay small however the
//! site's vocabulary clusters. The client rebuilds the same key space from
//! the list of keys in the manifest (see `docs/search-index.md`).

use std::collections::{BTreeMap, BTreeSet, HashSet};

/// The keys in use, and the prefixes that were split into longer keys.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct KeySpace {
    pub keys: BTreeSet<String>,
    /// Hashed: every term of the site and each word one edit away from it
    /// asks [`KeySpace::key_of`] whether its prefixes are split, and a
    /// sorted set compared whole strings all the way down.
    split: HashSet<String, foldhash::fast::FixedState>,
}

fn chars_prefix(s: &str, n: usize) -> Option<String> {
    let prefix: String = s.chars().take(n).collect();
    (prefix.chars().count() == n).then_some(prefix)
}

/// Whether `term`'s start (see `KeySpace::start`) is `key`, without
/// making the start.
fn starts_with_key(term: &str, key: &str) -> bool {
    let mut chars = term.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) => key.chars().eq([a, b]),
        (Some(a), None) => key.chars().eq([a, '_']),
        (None, _) => key == "_",
    }
}

/// `prefix` extended by the next character of `s`, or by `_` when `s` ends.
fn extend(prefix: &str, s: &str) -> String {
    let n = prefix.chars().count();
    match s.chars().nth(n) {
        Some(c) => format!("{prefix}{c}"),
        None => format!("{prefix}_"),
    }
}

impl KeySpace {
    /// Splits `terms` (sorted, each with its estimated size in bytes) into
    /// shards of at most `budget` bytes where a longer prefix can divide them.
    pub fn plan(terms: &[(&str, usize)], budget: usize) -> KeySpace {
        let mut space = KeySpace::default();
        let mut groups: Vec<(String, Vec<(&str, usize)>)> = Vec::new();
        // Sorted terms come in runs of one start: a key is made once a run.
        for &(term, size) in terms {
            match groups.last_mut() {
                Some((key, members)) if starts_with_key(term, key) => members.push((term, size)),
                _ => groups.push((KeySpace::start(term), vec![(term, size)])),
            }
        }
        while let Some((prefix, members)) = groups.pop() {
            let total: usize = members.iter().map(|m| m.1).sum();
            let splittable = !prefix.ends_with('_') && members.len() > 1;
            if total <= budget || !splittable {
                space.keys.insert(prefix);
                continue;
            }
            space.split.insert(prefix.clone());
            let mut sub: Vec<(String, Vec<(&str, usize)>)> = Vec::new();
            let depth = prefix.chars().count();
            for (term, size) in members {
                // Each member's key is the prefix and its next character.
                let next = term.chars().nth(depth).unwrap_or('_');
                match sub.iter_mut().find(|(key, _)| key.ends_with(next)) {
                    Some((_, list)) => list.push((term, size)),
                    None => sub.push((extend(&prefix, term), vec![(term, size)])),
                }
            }
            groups.extend(sub);
        }
        space
    }

    /// The key space as the manifest carries it: `""` → every key and split
    /// prefix of two characters, concatenated; each split prefix → the
    /// characters that extend it. A child that is itself split has its own
    /// entry; every other child is a key.
    pub fn tree(&self) -> BTreeMap<String, String> {
        let mut tree: BTreeMap<String, String> = BTreeMap::new();
        let starts = self
            .keys
            .iter()
            .chain(&self.split)
            .filter(|k| k.chars().count() == 2);
        tree.insert(
            String::new(),
            starts
                .map(String::as_str)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
        );
        for k in self.keys.iter().chain(&self.split) {
            let parent = KeySpace::parent_of(k);
            if parent.is_empty() {
                continue;
            }
            let last = k.chars().last().unwrap_or('_');
            tree.entry(parent.to_string()).or_default().push(last);
        }
        for children in tree.values_mut().skip(1) {
            let mut sorted: Vec<char> = children.chars().collect();
            sorted.sort_unstable();
            sorted.dedup();
            *children = sorted.into_iter().collect();
        }
        tree
    }

    /// The key space as the manifest carries it, with neighbouring shards
    /// grouped into packs of at most `budget` bytes (one file each): a `|`
    /// goes before each entry that starts a new pack; a pack also starts at
    /// the first shard of each entry list. `size` gives a shard's bytes;
    /// split prefixes have none and belong to no pack. Returns the tree and
    /// the packs, each its keys in order.
    ///
    /// Why packs: a split prefix leaves many small shards (half of a 10,000-
    /// page site's are under 2 KB), and on a slow disk each file costs more
    /// to create than its bytes to write.
    pub fn packed_tree(
        &self,
        size: impl Fn(&str) -> Option<usize>,
        budget: usize,
    ) -> (BTreeMap<String, String>, Vec<Vec<String>>) {
        let mut tree = self.tree();
        let mut packs: Vec<Vec<String>> = Vec::new();
        for (parent, entries) in tree.iter_mut() {
            let (marked, more) = KeySpace::pack_entries(parent, entries, &size, budget);
            *entries = marked;
            packs.extend(more);
        }
        (tree, packs)
    }

    /// One entry list of [`KeySpace::packed_tree`], `parent`'s: its
    /// entries (without marks) marked, and its packs. The packs of one list
    /// depend on its shards' sizes only.
    pub fn pack_entries(
        parent: &str,
        entries: &str,
        size: impl Fn(&str) -> Option<usize>,
        budget: usize,
    ) -> (String, Vec<Vec<String>>) {
        let width = if parent.is_empty() { 2 } else { 1 };
        let chars: Vec<char> = entries.chars().collect();
        let mut marked = String::with_capacity(entries.len());
        let mut packs: Vec<Vec<String>> = Vec::new();
        // One buffer for every entry's key: a big site has thousands.
        let mut key = String::with_capacity(parent.len() + 8);
        let mut used = 0;
        for entry in chars.chunks(width) {
            key.clear();
            key.push_str(parent);
            key.extend(entry);
            if let Some(bytes) = size(&key) {
                match packs.last_mut() {
                    Some(pack) if used + bytes <= budget => {
                        used += bytes;
                        pack.push(key.clone());
                    }
                    open => {
                        if open.is_some() {
                            marked.push('|');
                        }
                        used = bytes;
                        packs.push(vec![key.clone()]);
                    }
                }
            }
            marked.extend(entry);
        }
        (marked, packs)
    }

    /// The entry list of the tree a key is listed in: the key one
    /// character shorter, or the first list's (`""`) for a key of two.
    pub fn parent_of(key: &str) -> &str {
        match key.char_indices().nth(2) {
            Some(_) => key.char_indices().last().map_or("", |(at, _)| &key[..at]),
            None => "",
        }
    }

    /// Where the terms of `name`'s start are in `sorted` (sorted by name,
    /// `name_of`): sorted terms come in runs of one start.
    pub fn group_around<'n, T>(
        sorted: &[T],
        name_of: impl Fn(&T) -> &'n str,
        name: &str,
    ) -> std::ops::Range<usize> {
        let start = KeySpace::start(name);
        let of_start = |t: &T| starts_with_key(name_of(t), &start);
        let at = sorted.partition_point(|t| name_of(t) < name);
        let first = at
            - sorted[..at]
                .iter()
                .rev()
                .take_while(|t| of_start(t))
                .count();
        first..at + sorted[at..].iter().take_while(|t| of_start(t)).count()
    }

    /// Whether planning `group`, the terms of one start (sorted, with
    /// their sizes), gives the prefixes of that start this space splits.
    pub fn splits_group_like(&self, group: &[(&str, usize)], budget: usize) -> bool {
        let Some(&(first, _)) = group.first() else {
            return true;
        };
        let start = KeySpace::start(first);
        let planned = KeySpace::plan(group, budget).split;
        planned.len() == self.split.iter().filter(|s| s.starts_with(&start)).count()
            && planned.iter().all(|s| self.split.contains(s))
    }

    /// Whether `other` splits the same prefixes, and so gives every
    /// string the same key.
    pub fn splits_like(&self, other: &KeySpace) -> bool {
        self.split == other.split
    }

    /// The two-character start of every key: `ow`, or `o_` for `o`.
    fn start(s: &str) -> String {
        chars_prefix(s, 2).unwrap_or_else(|| format!("{s}_"))
    }

    /// The key a string belongs to, whether or not a shard has that key.
    pub fn key_of(&self, s: &str) -> String {
        // The same walk as `start` then `extend`, over slices of `s`: every
        // term of the site and its typo variants come through here.
        let whole = || {
            let mut key = String::with_capacity(s.len() + 1);
            key.push_str(s);
            key.push('_');
            key
        };
        let mut ends = s.char_indices().map(|(i, c)| i + c.len_utf8()).skip(1);
        let mut end = match ends.next() {
            Some(end) => end,
            None => return whole(),
        };
        while self.split.contains(&s[..end]) {
            match ends.next() {
                Some(next) => end = next,
                None => return whole(),
            }
        }
        s[..end].to_string()
    }

    /// The keys a word one edit away from `term` may have: its own, and the
    /// keys of the term without one of the characters its key is made of;
    /// sorted, each once.
    pub fn typo_keys(&self, term: &str) -> Vec<String> {
        let own = self.key_of(term);
        let depth = own.trim_end_matches('_').chars().count();
        let mut out = Vec::with_capacity(depth + 1);
        out.push(own);
        // One buffer for every shortened term.
        let mut rest = String::with_capacity(term.len());
        for (at, c) in term.char_indices().take(depth) {
            rest.clear();
            rest.push_str(&term[..at]);
            rest.push_str(&term[at + c.len_utf8()..]);
            if !rest.is_empty() {
                out.push(self.key_of(&rest));
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Terms under `o` and `p`, with their sizes.
    const TERMS: [(&str, usize); 6] = [
        ("ow", 10),
        ("owl", 40),
        ("own", 40),
        ("owner", 40),
        ("ox", 10),
        ("p", 5),
    ];

    #[test]
    fn a_term_is_in_a_start_exactly_when_its_start_is_that() {
        let terms = ["", "a", "a_", "a_b", "ab", "abc", "é", "éa", "_", "__x"];
        for term in terms {
            for other in terms {
                let key = KeySpace::start(other);
                assert_eq!(
                    starts_with_key(term, &key),
                    KeySpace::start(term) == key,
                    "{term:?} in {key:?}"
                );
            }
        }
    }

    #[test]
    fn big_prefixes_split_small_ones_stay() {
        let terms = TERMS;
        let space = KeySpace::plan(&terms, 100);
        let keys: Vec<&str> = space.keys.iter().map(String::as_str).collect();
        assert_eq!(keys, vec!["ow_", "owl", "own", "ox", "p_"]);
        let tree: Vec<(String, String)> = space.tree().into_iter().collect();
        assert_eq!(
            tree,
            vec![("".into(), "owoxp_".into()), ("ow".into(), "_ln".into())]
        );
        assert_eq!(space.key_of("owner"), "own");
        assert_eq!(space.key_of("ow"), "ow_");
        assert_eq!(space.key_of("oxen"), "ox");
        // A word no term shares a key with still has one: its shard is empty.
        assert_eq!(space.key_of("owm"), "owm");
        let tight = KeySpace::plan(&terms, 60);
        assert_eq!(tight.key_of("owner"), "owne");
        assert_eq!(tight.key_of("own"), "own_");
    }

    #[test]
    fn small_neighbouring_shards_share_a_pack() {
        let space = KeySpace::plan(&TERMS, 100);
        // Shard sizes as written: `ow_` and `owl` fit together, `own` not.
        let size = |k: &str| match k {
            "ow_" => Some(30),
            "owl" => Some(60),
            "own" => Some(80),
            "ox" | "p_" => Some(10),
            _ => None,
        };
        let (tree, packs) = space.packed_tree(size, 100);
        let tree: Vec<(String, String)> = tree.into_iter().collect();
        assert_eq!(
            tree,
            vec![("".into(), "owoxp_".into()), ("ow".into(), "_l|n".into())]
        );
        assert_eq!(
            packs,
            vec![
                vec!["ox".to_string(), "p_".into()],
                vec!["ow_".into(), "owl".into()],
                vec!["own".into()],
            ]
        );
        for (key, parent) in [
            ("ow_", "ow"),
            ("ox", ""),
            ("p_", ""),
            ("ówn", "ów"),
            ("éé", ""),
        ] {
            assert_eq!(KeySpace::parent_of(key), parent, "{key}");
        }
    }

    #[test]
    fn a_start_planned_on_its_own_splits_as_in_the_whole_plan() {
        let space = KeySpace::plan(&TERMS, 100);
        let names: Vec<&str> = TERMS.iter().map(|t| t.0).collect();
        let ow = KeySpace::group_around(&TERMS, |t| t.0, "owner");
        assert_eq!(&names[ow.clone()], ["ow", "owl", "own", "owner"]);
        assert_eq!(KeySpace::group_around(&TERMS, |t| t.0, "p"), 5..6);
        assert!(space.splits_group_like(&TERMS[ow.clone()], 100));
        // Grown, `own` and `owner` no longer fit one shard: `own` splits.
        let mut grown = TERMS;
        grown[3].1 = 80;
        assert!(!space.splits_group_like(&grown[ow.clone()], 100));
        assert!(!KeySpace::plan(&grown, 100).splits_like(&space));
        // Shrunk, `ow` need not split.
        assert!(!space.splits_group_like(&TERMS[ow], 1000));
    }

    /// The key space of `words`, each 30 bytes of postings, in shards of
    /// 50: small enough that most prefixes split.
    fn planned_small(words: &[&str]) -> KeySpace {
        let terms: Vec<(&str, usize)> = words.iter().map(|t| (*t, 30)).collect();
        KeySpace::plan(&terms, 50)
    }

    #[test]
    fn one_edit_shares_a_key() {
        let space = planned_small(&["owner", "owners", "ownership", "pw", "wner", "onwer"]);
        let owner = space.typo_keys("owner");
        for typo in ["pwner", "woner", "wner", "oowner", "onwer", "owmer"] {
            assert!(
                space.typo_keys(typo).iter().any(|k| owner.contains(k)),
                "{typo} shares no shard with owner"
            );
        }
    }

    /// The keys of a term's typos come sorted and each once: a shard
    /// names a term once.
    #[test]
    fn typo_keys_are_sorted_and_each_once() {
        let space = planned_small(&["oo", "ooo", "oops", "op", "owner", "ow"]);
        for term in ["oops", "ooo", "o", "owner", "é", "éa"] {
            let keys = space.typo_keys(term);
            let mut sorted = keys.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(keys, sorted, "{term}");
            assert!(keys.contains(&space.key_of(term)), "{term}");
        }
    }
}
