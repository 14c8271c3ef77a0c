//! Concept names found in prose as whole words, through a table of each
//! name's first word.
//!
//! Why not an Aho–Corasick automaton over the names (as before): it steps
//! through every byte of the text, and its DFA grows with the names (6 MB
//! for the 2,000 names of a 10k-page corpus), far past the caches. At 100k
//! pages its scan was a sixth of the build's CPU time, and building it held
//! up a core. Here each word of the text costs a look at one bit of a small
//! filter of first words; a word it lets through is looked up, alone and
//! with the word after it, and a name is compared whole only where its
//! first words stand. At 10k pages this costs about what the DFA's scan
//! did; at 100k, less than half. (The DFA walked from each word's start
//! instead missed the caches all the same.)
//!
//! A mention is the longest name that stands at a word's start and ends a
//! word, compared ignoring ASCII case; mentions do not overlap. Words are
//! runs of letters and digits (any script).

use std::ops::Range;

use crate::key::FastMap;

/// The names, numbered, looked up by their first word or two.
#[derive(Debug)]
pub(crate) struct NameIndex {
    names: Vec<Box<[u8]>>,
    /// One bit per [`filter_slot`], set for the first word of each name:
    /// a word whose bit is clear starts no name.
    first_words: Box<[u64; FILTER_WORDS]>,
    /// The [`word_key`] of a name's first word → what starts with it.
    by_first_word: FastMap<u64, Start>,
    /// The [`two_words_key`] of a name's first word, the character after
    /// it and the word after that → the names that start so, longest
    /// first. Made-up names share first words: with 20,000 names, a word
    /// of the text was the first word of three on average, each compared
    /// whole; hardly any share their first two.
    by_two_words: FastMap<u64, Vec<u32>>,
    /// Names that start with a character that is not a letter or digit,
    /// by their first byte (which no case folds); longest first.
    by_first_byte: Box<[Vec<u32>; 256]>,
}

/// The names that start with a word.
#[derive(Debug, Default)]
struct Start {
    /// Those that do not go on with one character and a second word: the
    /// word alone, or such as `c++`. Longest first.
    others: Vec<u32>,
    /// Whether some name goes on with one character and a second word.
    goes_on: bool,
}

/// The filter's size in `u64`s: 64 Kbit, 8 KB, a cache's worth.
const FILTER_WORDS: usize = 1024;

impl NameIndex {
    /// The index of `names`; each is found as its number in this order.
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> NameIndex {
        let mut index = NameIndex {
            names: Vec::new(),
            first_words: Box::new([0; FILTER_WORDS]),
            by_first_word: FastMap::default(),
            by_two_words: FastMap::default(),
            by_first_byte: Box::new([const { Vec::new() }; 256]),
        };
        for (number, name) in (0u32..).zip(names) {
            index.add(number, name);
        }
        let names = &index.names;
        // Of two names alike but for case, the first numbered wins.
        let longest_first = |list: &mut Vec<u32>| {
            list.sort_by_key(|&n| (std::cmp::Reverse(names[n as usize].len()), n));
        };
        index.by_two_words.values_mut().for_each(longest_first);
        index.by_first_byte.iter_mut().for_each(longest_first);
        for start in index.by_first_word.values_mut() {
            longest_first(&mut start.others);
        }
        index
    }

    fn add(&mut self, number: u32, name: &str) {
        let bytes = name.as_bytes();
        self.names.push(bytes.into());
        let first_end = word_end(name, 0);
        if first_end == 0 {
            if let Some(&first) = bytes.first() {
                self.by_first_byte[usize::from(first)].push(number);
            }
            return;
        }
        let first = &bytes[..first_end];
        let slot = filter_slot(first);
        self.first_words[slot / 64] |= 1 << (slot % 64);
        let first = word_key(first);
        let start = self.by_first_word.entry(first).or_default();
        match second_word(name, first_end) {
            Some(second) => {
                start.goes_on = true;
                let key = two_words_key(first, &bytes[first_end..second.start], &bytes[second]);
                self.by_two_words.entry(key).or_default().push(number);
            }
            None => start.others.push(number),
        }
    }

    /// Calls `found` with each mention in `text`, in order: the name's
    /// number and where it stands.
    pub fn each_mention(&self, text: &str, mut found: impl FnMut(u32, Range<usize>)) {
        // `at` is always where a word may start: at the start, or after a
        // character that is not a letter or digit.
        let mut at = 0;
        while at < text.len() {
            let end = word_end(text, at);
            if let Some((name, name_end)) = self.longest_at(text, at, end) {
                found(name, at..name_end);
                // After a letter or digit, the next place is past the
                // character that ends the name's last word.
                let last = text[..name_end].chars().next_back();
                at = match last.is_some_and(is_word_char) {
                    true => name_end + char_width(text, name_end),
                    false => name_end,
                };
                continue;
            }
            // Past the word, if one starts here, and the character after.
            at = end + char_width(text, end);
        }
    }

    /// The longest name at `at` that ends a word, and its end; the word at
    /// `at` (if one starts there) ends at `first_end`.
    fn longest_at(&self, text: &str, at: usize, first_end: usize) -> Option<(u32, usize)> {
        let bytes = text.as_bytes();
        if first_end == at {
            return self.first_standing(&self.by_first_byte[usize::from(bytes[at])], text, at);
        }
        let first = &bytes[at..first_end];
        let slot = filter_slot(first);
        if self.first_words[slot / 64] & 1 << (slot % 64) == 0 {
            return None;
        }
        let first = word_key(first);
        let start = self.by_first_word.get(&first)?;
        // A name that goes on with a second word is longer than any other
        // that stands here: those stop before the second word's first
        // letter.
        let two_words = match start.goes_on {
            true => second_word(text, first_end).and_then(|second| {
                let between = &bytes[first_end..second.start];
                let key = two_words_key(first, between, &bytes[second]);
                self.first_standing(self.by_two_words.get(&key)?, text, at)
            }),
            false => None,
        };
        two_words.or_else(|| self.first_standing(&start.others, text, at))
    }

    /// The first of `names` that stands at `at` in `text` and ends a word,
    /// and its end.
    fn first_standing(&self, names: &[u32], text: &str, at: usize) -> Option<(u32, usize)> {
        names.iter().find_map(|&n| {
            let name = &self.names[n as usize];
            let end = at + name.len();
            let stands = text.as_bytes().get(at..end)?.eq_ignore_ascii_case(name);
            (stands && word_end_at(text, end)).then_some((n, end))
        })
    }
}

/// The second word of `text`, whose first ends at `first_end`: the word
/// that starts one character after it, if one does.
fn second_word(text: &str, first_end: usize) -> Option<Range<usize>> {
    let start = first_end + text.get(first_end..)?.chars().next()?.len_utf8();
    let end = word_end(text, start);
    (end > start).then_some(start..end)
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Where the run of letters and digits that starts at byte `at` of `text`
/// ends: `at` when none starts there.
fn word_end(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    let mut end = at;
    loop {
        // A run of ASCII letters and digits, in a loop that asks nothing
        // else of each byte; then what stopped it.
        end += bytes.get(end..).map_or(0, |rest| {
            rest.iter().take_while(|&&b| is_ascii_word(b)).count()
        });
        match bytes.get(end).map(|&b| CLASSES[usize::from(b)]) {
            Some(Class::Multi) => match text.get(end..).and_then(|rest| rest.chars().next()) {
                Some(c) if is_word_char(c) => end += c.len_utf8(),
                _ => break,
            },
            _ => break,
        }
    }
    end
}

/// Whether a byte is an ASCII letter or digit, by a table.
fn is_ascii_word(byte: u8) -> bool {
    matches!(CLASSES[usize::from(byte)], Class::Word)
}

/// What a byte of UTF-8 text says of the character it is in.
#[derive(Clone, Copy)]
enum Class {
    /// An ASCII letter or digit.
    Word,
    /// Any other ASCII character.
    Other,
    /// A byte of a character of more than one byte: decoded to tell.
    Multi,
}

/// Each byte's [`Class`]: a table, as the scan asks of every byte.
static CLASSES: [Class; 256] = {
    let mut classes = [Class::Multi; 256];
    let mut byte = 0;
    while byte < 128 {
        classes[byte] = match (byte as u8).is_ascii_alphanumeric() {
            true => Class::Word,
            false => Class::Other,
        };
        byte += 1;
    }
    classes
};

/// Whether byte `at` of `text` ends a word: no letter or digit starts there.
fn word_end_at(text: &str, at: usize) -> bool {
    text.get(at..)
        .is_some_and(|rest| !rest.chars().next().is_some_and(is_word_char))
}

/// The width of the character at byte `at` of `text`; 1 past its end.
fn char_width(text: &str, at: usize) -> usize {
    match text.as_bytes().get(at) {
        Some(byte) if byte.is_ascii() => 1,
        _ => text
            .get(at..)
            .and_then(|rest| rest.chars().next())
            .map_or(1, char::len_utf8),
    }
}

/// A word's bit in the filter of first words: from its length and its
/// first four bytes, folded so that ASCII letters of either case (and a
/// few other bytes) fold alike. Cheaper than [`word_key`], and as
/// blind to case.
fn filter_slot(word: &[u8]) -> usize {
    let first = match word.first_chunk::<4>() {
        Some(first) => u32::from_le_bytes(*first) | 0x2020_2020,
        None => word
            .iter()
            .rev()
            .fold(0, |n, &b| n << 8 | u32::from(b | 0x20)),
    };
    let mixed = (first ^ (word.len() as u32).wrapping_mul(0x9e37_79b9)).wrapping_mul(0x85eb_ca6b);
    (mixed >> 16) as usize % (FILTER_WORDS * 64)
}

/// Two words and the character between them as a number, ASCII letters
/// lowercased, as [`word_key`]; `first` is the first word's key.
fn two_words_key(first: u64, between: &[u8], second: &[u8]) -> u64 {
    let between = between
        .iter()
        .fold(0u64, |key, &b| key << 8 | u64::from(b.to_ascii_lowercase()));
    let second = word_key(second).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    first ^ second.rotate_left(29) ^ between.rotate_left(47)
}

/// A word as a number, its ASCII letters lowercased. Two words may share
/// a number: a match is always confirmed by comparing the whole name.
fn word_key(word: &[u8]) -> u64 {
    if word.len() > 16 {
        // FNV-1a over the lowercased bytes.
        return word.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
            (hash ^ u64::from(byte.to_ascii_lowercase())).wrapping_mul(0x0100_0000_01b3)
        });
    }
    // Up to 16 bytes: the bytes themselves, folded to 64 bits.
    let mut bytes = [0u8; 16];
    for (to, from) in bytes.iter_mut().zip(word) {
        *to = from.to_ascii_lowercase();
    }
    let key = u128::from_le_bytes(bytes);
    key as u64
        ^ ((key >> 64) as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The mentions of `names` in `text`, as `name=text found`.
    fn mentions(names: &[&str], text: &str) -> Vec<String> {
        let index = NameIndex::new(names.iter().copied());
        let mut found = Vec::new();
        index.each_mention(text, |n, at| {
            found.push(format!("{}={}", names[n as usize], &text[at]));
        });
        found
    }

    #[test]
    fn names_are_found_as_whole_words_only() {
        let names = [
            "owner",
            "product owner",
            "product",
            "c++",
            "été",
            "(r)evolution",
        ];
        assert_eq!(mentions(&names, "an Owner here"), ["owner=Owner"]);
        assert!(mentions(&names, "co-owners, coowner, owner1, éowner, ownerété").is_empty());
        assert_eq!(mentions(&names, "(owner)"), ["owner=owner"]);
        assert_eq!(
            mentions(&names, "the product owner, then the product owners"),
            ["product owner=product owner", "product=product"]
        );
        assert_eq!(mentions(&names, "c++ and xc++ and c++x"), ["c++=c++"]);
        // Only ASCII letters are compared ignoring case.
        assert_eq!(mentions(&names, "en été, étés, Été"), ["été=été"]);
        assert_eq!(
            mentions(&names, "a (R)evolution, x(r)evolution"),
            ["(r)evolution=(R)evolution"]
        );
        assert!(mentions(&names, "").is_empty());
    }

    #[test]
    fn a_name_inside_a_word_hides_no_mention_after_it() {
        // An unanchored automaton matched `owner team` inside `xowner`
        // and went on after it, past `team`.
        let names = ["owner team", "team"];
        assert_eq!(mentions(&names, "xowner team"), ["team=team"]);
        assert_eq!(mentions(&names, "Owner Team"), ["owner team=Owner Team"]);
    }

    #[test]
    fn long_words_are_found_by_their_hash() {
        let names = ["accountabilityframeworks rule", "accountabilityframework"];
        assert_eq!(
            mentions(
                &names,
                "AccountabilityFrameworks rule; accountabilityframework."
            ),
            [
                "accountabilityframeworks rule=AccountabilityFrameworks rule",
                "accountabilityframework=accountabilityframework"
            ]
        );
        // Up to 16 bytes, a word is its bytes: "Ab" is "ab", unhashed.
        assert_eq!(word_key(b"Ab"), u64::from_le_bytes(*b"ab\0\0\0\0\0\0"));
        assert_ne!(
            word_key(b"accountabilityframework"),
            word_key(b"accountabilityframeworks")
        );
        assert_eq!(
            word_key(b"AccountabilityFrameworks"),
            word_key(b"accountabilityframeworks")
        );
    }

    /// The mentions as a plain search finds them: at each place a word may
    /// start, every name tried, the longest that stands there taken.
    fn plainly(names: &[&str], text: &str) -> Vec<(u32, Range<usize>)> {
        let mut found = Vec::new();
        let mut at = 0;
        while at < text.len() {
            let starts = !text[..at]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric);
            let longest = (0u32..)
                .zip(names)
                .filter(|(_, name)| {
                    let end = at + name.len();
                    starts
                        && text
                            .as_bytes()
                            .get(at..end)
                            .is_some_and(|t| t.eq_ignore_ascii_case(name.as_bytes()))
                        && word_end_at(text, end)
                })
                .max_by_key(|(n, name)| (name.len(), std::cmp::Reverse(*n)));
            match longest {
                Some((n, name)) => {
                    found.push((n, at..at + name.len()));
                    at += name.len();
                }
                None => at += char_width(text, at),
            }
        }
        found
    }

    #[test]
    fn mentions_are_what_a_plain_search_finds() {
        let names = [
            "ab",
            "ab cd",
            "Cd",
            "b",
            "é",
            "-x",
            "ab-cd ef",
            "ab-",
            "ab cd-",
            "cd ab cd",
            "AB cd",
            "—x",
            "ababababababababab",
            "abababababababab cd",
            "ABABABABABABABABAB ef",
        ];
        let long = "abababababababab";
        let pieces = ["ab", "AB", " ", "cd", "-", "x", "é", "b", "ef", "—", long];
        let index = NameIndex::new(names.iter().copied());
        let texts = crate::testing::every_mix(&pieces, 5);
        for text in &texts {
            let mut found = Vec::new();
            index.each_mention(text, |n, at| found.push((n, at)));
            assert_eq!(found, plainly(&names, text), "{text:?}");
        }
        assert!(texts.len() > 170_000);
    }
}
