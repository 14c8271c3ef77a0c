//! Words as search sees them: case and diacritics folded, English stems.
//!
//! The same functions run at build time (here) and, re-implemented in the
//! theme's search client, at query time; the unit tests pin the behaviour
//! both must share.

use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};

/// Words too common to help a query find anything; left out of the index.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "if", "in", "into",
    "is", "it", "its", "of", "on", "or", "so", "that", "the", "their", "then", "there", "these",
    "this", "to", "was", "were", "will", "with",
];

/// `é` → `e`, `ß` → `s`: the letters with marks of Latin-1 and Latin
/// Extended-A, folded to their base letter, as the client's
/// `normalize('NFD')` does (see `docs/search-index.md`).
pub(crate) fn fold(c: char) -> char {
    match c {
        'à'..='å' => 'a',
        'ç' => 'c',
        'è'..='ë' => 'e',
        'ì'..='ï' => 'i',
        'ñ' => 'n',
        'ò'..='ö' | 'ø' => 'o',
        'ù'..='ü' => 'u',
        'ý' | 'ÿ' => 'y',
        'ß' => 's',
        'ā' | 'ă' | 'ą' => 'a',
        'ć' | 'ĉ' | 'ċ' | 'č' => 'c',
        'ď' => 'd',
        'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => 'g',
        'ĥ' => 'h',
        'ĩ' | 'ī' | 'ĭ' | 'į' => 'i',
        'ĵ' => 'j',
        'ķ' => 'k',
        'ĺ' | 'ļ' | 'ľ' | 'ł' => 'l',
        'ń' | 'ņ' | 'ň' => 'n',
        'ō' | 'ŏ' | 'ő' => 'o',
        'ŕ' | 'ŗ' | 'ř' => 'r',
        'ś' | 'ŝ' | 'ş' | 'š' => 's',
        'ţ' | 'ť' => 't',
        'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => 'u',
        'ŵ' => 'w',
        'ŷ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        other => other,
    }
}

/// The words of `text`, lowercased and folded: runs of letters and digits.
/// An apostrophe inside a word is dropped (`team's` → `teams`).
#[cfg(test)]
pub(crate) fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_word(text, &mut String::new(), |w| out.push(w.to_string()));
    out
}

/// How [`each_word`] treats a byte.
#[derive(Clone, Copy, PartialEq)]
enum Class {
    /// ASCII that ends a word: space, punctuation (but the apostrophe).
    Gap,
    /// `a`–`z` and `0`–`9`: a word's bytes as they stand.
    Plain,
    /// Capitals, the apostrophe and every byte of a non-ASCII char: taken
    /// char by char, the careful way.
    Careful,
}

const CLASS: [Class; 256] = {
    let mut class = [Class::Careful; 256];
    let mut b = 0;
    while b < 0x80 {
        let byte = b as u8;
        class[b] = if byte.is_ascii_lowercase() || byte.is_ascii_digit() {
            Class::Plain
        } else if byte.is_ascii_uppercase() || byte == b'\'' {
            Class::Careful
        } else {
            Class::Gap
        };
        b += 1;
    }
    class
};

/// Calls `f` with each word of `text`, folded, from one reused buffer
/// (`word`, empty): the index reads every word of the site, so no
/// allocation per word, and the common bytes go through a table, not
/// through tests.
fn each_word(text: &str, word: &mut String, mut f: impl FnMut(&str)) {
    debug_assert!(word.is_empty(), "a word left over from the last text");
    let bytes = text.as_bytes();
    let class = |i: usize| bytes.get(i).map(|&b| CLASS[usize::from(b)]);
    let mut i = 0;
    while i < bytes.len() {
        if word.is_empty() {
            while class(i) == Some(Class::Gap) {
                i += 1;
            }
        }
        // Most words are lowercase ASCII ending at an ASCII gap: handed
        // over as a slice of `text`, with no copy.
        let start = i;
        while class(i) == Some(Class::Plain) {
            i += 1;
        }
        if i > start {
            let ends_here = matches!(class(i), None | Some(Class::Gap));
            if ends_here && word.is_empty() {
                f(&text[start..i]);
                continue;
            }
            word.push_str(&text[start..i]);
        }
        if i < bytes.len() {
            i = careful_char(text, i, word, &mut f);
        }
    }
    if !word.is_empty() {
        f(word);
        word.clear();
    }
}

/// Takes the char at byte `i` of `text` into `word`, or ends the word
/// there; returns where the next char starts.
fn careful_char(text: &str, i: usize, word: &mut String, f: &mut impl FnMut(&str)) -> usize {
    let b = text.as_bytes()[i];
    // ASCII byte by byte; anything else as a char.
    let (c, len) = if b < 0x80 {
        (b as char, 1)
    } else {
        let c = text[i..].chars().next().unwrap_or(' ');
        (c, c.len_utf8())
    };
    let next = i + len;
    if c.is_ascii_alphanumeric() {
        word.push(c.to_ascii_lowercase());
    } else if !c.is_ascii() && c.is_alphanumeric() {
        word.extend(c.to_lowercase().map(fold));
    } else if matches!(c, '\'' | '’') && !word.is_empty() {
        let after = text[next..].chars().next();
        if !after.is_some_and(|n| n.is_alphanumeric()) {
            f(word);
            word.clear();
        }
    } else if !word.is_empty() {
        f(word);
        word.clear();
    }
    next
}

/// The bytes of a word of up to 16 as one number, little-endian, padded
/// with zeros: a word holds no NUL, so two words share a number only when
/// they are the same. From 4 bytes on, read as two (possibly overlapping)
/// loads per half, not byte by byte.
fn packed(w: &[u8]) -> Option<u128> {
    let len = w.len();
    let low_word = |w: &[u8]| -> u64 {
        match w.len() {
            8.. => u64::from_le_bytes(take(w)),
            4..=7 => {
                let first = u32::from_le_bytes(take(w));
                let last = u32::from_le_bytes(take(&w[w.len() - 4..]));
                u64::from(first) | (u64::from(last) >> ((8 - w.len()) * 8)) << 32
            }
            _ => w.iter().rev().fold(0, |n, &b| (n << 8) | u64::from(b)),
        }
    };
    match len {
        0..=8 => Some(u128::from(low_word(w))),
        9..=16 => {
            let high = u64::from_le_bytes(take(&w[len - 8..])) >> ((16 - len) * 8);
            Some(u128::from(low_word(&w[..8])) | u128::from(high) << 64)
        }
        _ => None,
    }
}

/// The first `N` bytes of `w`, which has at least that many.
fn take<const N: usize>(w: &[u8]) -> [u8; N] {
    let mut out = [0; N];
    out.copy_from_slice(&w[..N]);
    out
}

/// A term's number within one [`Analyzer`].
pub(crate) type LocalTerm = u32;

/// A surface word's number within one [`Analyzer`]: a word that differs
/// from its stem (`making` → `make`), which the client cannot find alone.
pub(crate) type LocalWord = u32;

/// A word as the analyzer has seen it: a stop word, or a term, with its
/// number as a surface word when it differs from its stem.
type Seen = Option<(LocalTerm, Option<LocalWord>)>;

/// Index terms: words without stop words, stemmed, as numbers local to the
/// analyzer (one per thread): prose repeats its words, so each is stemmed
/// once, and documents hold plain numbers rather than strings.
pub(crate) struct Analyzer {
    stemmer: Stemmer,
    /// Word → what it is. Looked up once per word of the site: a word of
    /// up to 16 bytes, nearly every word, by its bytes as a number (see
    /// [`packed`]), which hashes and compares without a call; a longer
    /// word by itself.
    short_words: HashMap<u128, Seen, foldhash::fast::FixedState>,
    long_words: HashMap<String, Seen, foldhash::fast::FixedState>,
    /// Stem → number, and number → stem.
    numbers: HashMap<String, LocalTerm, foldhash::fast::FixedState>,
    stems: Vec<String>,
    /// Number → surface word and its term.
    surfaces: Vec<(String, LocalTerm)>,
    /// The word being put together, for words not taken whole from the
    /// text (see `each_word`): kept from text to text, always left empty.
    scratch: String,
    /// The surface words met since [`Analyzer::take_surfaces`] last ran,
    /// each once: `taken[word]` is the number of the take it was last met
    /// in, so a repeat costs a comparison, not a sort.
    met: Vec<LocalWord>,
    taken: Vec<u32>,
    takes: u32,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer {
            stemmer: Stemmer::create(Algorithm::English),
            short_words: HashMap::default(),
            long_words: HashMap::default(),
            numbers: HashMap::default(),
            stems: Vec::new(),
            surfaces: Vec::new(),
            scratch: String::new(),
            met: Vec::new(),
            taken: Vec::new(),
            takes: 0,
        }
    }
}

impl Analyzer {
    pub fn terms(&mut self, text: &str) -> Vec<LocalTerm> {
        let mut out = Vec::new();
        self.each_term(text, |t| out.push(t));
        out
    }

    /// Calls `f` with the number of each term of `text`, in order, noting
    /// the surface words met.
    pub fn each_term(&mut self, text: &str, mut f: impl FnMut(LocalTerm)) {
        let Analyzer {
            stemmer,
            short_words,
            long_words,
            numbers,
            stems,
            surfaces,
            scratch,
            met,
            taken,
            takes,
        } = self;
        each_word(text, scratch, |word| {
            let key = packed(word.as_bytes());
            let known = match key {
                Some(key) => short_words.get(&key),
                None => long_words.get(word),
            };
            let seen = match known {
                Some(seen) => *seen,
                None => {
                    let seen = (!STOP_WORDS.contains(&word)).then(|| {
                        let stem = stemmer.stem(word);
                        let term = match numbers.get(stem.as_ref()) {
                            Some(&n) => n,
                            None => {
                                let n = stems.len() as LocalTerm;
                                stems.push(stem.to_string());
                                numbers.insert(stem.to_string(), n);
                                n
                            }
                        };
                        let surface = (stem != word).then(|| {
                            surfaces.push((word.to_string(), term));
                            taken.push(u32::MAX);
                            (surfaces.len() - 1) as LocalWord
                        });
                        (term, surface)
                    });
                    match key {
                        Some(key) => short_words.insert(key, seen),
                        None => long_words.insert(word.to_string(), seen),
                    };
                    seen
                }
            };
            if let Some((term, surface)) = seen {
                if let Some(w) = surface {
                    if taken[w as usize] != *takes {
                        taken[w as usize] = *takes;
                        met.push(w);
                    }
                }
                f(term);
            }
        });
    }

    /// The surface words met since the last call, each once, in the order
    /// first met.
    pub fn take_surfaces(&mut self) -> Vec<LocalWord> {
        self.takes = self.takes.wrapping_add(1);
        std::mem::take(&mut self.met)
    }

    /// The stem of each local term number, and the surface word (with its
    /// term) of each local word number.
    pub fn into_parts(self) -> (Vec<String>, Vec<(String, LocalTerm)>) {
        (self.stems, self.surfaces)
    }

    #[cfg(test)]
    pub fn stem_of(&self, term: LocalTerm) -> &str {
        &self.stems[term as usize]
    }

    #[cfg(test)]
    pub fn stem(&self, word: &str) -> String {
        self.stemmer.stem(word).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fold_case_and_diacritics() {
        assert_eq!(
            words("Café-owner's RÉSUMÉ, 2 teams’ wins"),
            vec!["cafe", "owners", "resume", "2", "teams", "wins"]
        );
        assert_eq!(
            words("plain don't Mixed mIXed x2y naïve end"),
            vec!["plain", "dont", "mixed", "mixed", "x2y", "naive", "end"]
        );
    }

    #[test]
    fn a_word_packs_into_its_bytes_padded_with_zeros() {
        let text = b"abcdefghijklmnopqrstu";
        for len in 0..=text.len() {
            let mut bytes = [0; 16];
            let fits = len <= 16;
            if fits {
                bytes[..len].copy_from_slice(&text[..len]);
            }
            let expected = fits.then(|| u128::from_le_bytes(bytes));
            assert_eq!(packed(&text[..len]), expected, "length {len}");
        }
    }

    #[test]
    fn words_split_alike_whatever_mix_of_classes() {
        // Every mix of plain, capital, gap, apostrophe and non-ASCII
        // bytes, against a plain char-by-char splitter.
        let pieces = ["ab", "Cd", " ", "'", "’", "é", "-", "9", "Ÿ", "—", "x"];
        for text in &crate::testing::every_mix(&pieces, 4) {
            assert_eq!(words(text), plain_words(text), "{text:?}");
        }
    }

    /// The words of `text`, one char at a time: what [`each_word`] must
    /// give.
    fn plain_words(text: &str) -> Vec<String> {
        let (mut out, mut word) = (Vec::new(), String::new());
        let chars: Vec<char> = text.chars().collect();
        for (n, &c) in chars.iter().enumerate() {
            if c.is_alphanumeric() {
                word.extend(c.to_lowercase().map(fold));
            } else if matches!(c, '\'' | '’')
                && !word.is_empty()
                && chars.get(n + 1).is_some_and(|n| n.is_alphanumeric())
            {
                continue;
            } else if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
        }
        if !word.is_empty() {
            out.push(word);
        }
        out
    }

    #[test]
    fn terms_drop_stop_words_and_stem() {
        let mut a = Analyzer::default();
        let numbers = a.terms("The owners of decisions are deciding");
        let terms: Vec<&str> = numbers.iter().map(|&t| a.stem_of(t)).collect();
        assert_eq!(terms, vec!["owner", "decis", "decid"]);
        // Query and text meet on the same stem.
        assert_eq!(a.terms("ownership"), a.terms("Ownership"));
        // A text ending in a word put together (capitals) leaves nothing
        // of it for the next.
        assert_eq!(a.terms("Teams"), a.terms("Teams"));
        assert_eq!(a.stem("horizons"), a.stem("horizon"));
    }

    #[test]
    fn surface_words_are_noted_once_per_take() {
        let mut a = Analyzer::default();
        a.terms("Making decisions, making owners");
        let met = a.take_surfaces();
        assert!(
            a.take_surfaces().is_empty(),
            "taken, the list starts afresh"
        );
        a.terms("owner");
        assert!(a.take_surfaces().is_empty(), "a word that is its own stem");
        let (stems, surfaces) = a.into_parts();
        let named: Vec<(&str, &str)> = met
            .iter()
            .map(|&w| {
                let (word, term) = &surfaces[w as usize];
                (word.as_str(), stems[*term as usize].as_str())
            })
            .collect();
        assert_eq!(
            named,
            vec![
                ("making", "make"),
                ("decisions", "decis"),
                ("owners", "owner")
            ]
        );
    }
}
