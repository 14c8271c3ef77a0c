//! Words as search sees them: case and diacritics folded, English stems.
//!
//! The same functions run at build time (here) and, re-implemented in the
//! theme's search client, at query time; the unit tests pin the behaviour
//! both must share.

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
pub(crate) fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase().map(fold));
        } else if matches!(c, '\'' | '’') && !word.is_empty() {
            if !chars.peek().is_some_and(|n| n.is_alphanumeric()) {
                out.push(std::mem::take(&mut word));
            }
        } else if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Index terms: words without stop words, stemmed. Each analyzer remembers
/// the stems it made: prose repeats its words, and stemming is the costly
/// part. One per thread.
pub(crate) struct Analyzer {
    stemmer: Stemmer,
    stems: std::cell::RefCell<std::collections::HashMap<String, String>>,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer {
            stemmer: Stemmer::create(Algorithm::English),
            stems: Default::default(),
        }
    }
}

impl Analyzer {
    pub fn terms(&self, text: &str) -> Vec<String> {
        words(text)
            .into_iter()
            .filter(|w| !STOP_WORDS.contains(&w.as_str()))
            .map(|w| self.stem(&w))
            .collect()
    }

    /// Every word this analyzer stemmed, with its stem.
    pub fn into_stems(self) -> std::collections::HashMap<String, String> {
        self.stems.into_inner()
    }

    pub fn stem(&self, word: &str) -> String {
        if let Some(stem) = self.stems.borrow().get(word) {
            return stem.clone();
        }
        let stem = self.stemmer.stem(word).into_owned();
        self.stems
            .borrow_mut()
            .insert(word.to_string(), stem.clone());
        stem
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
    }

    #[test]
    fn terms_drop_stop_words_and_stem() {
        let a = Analyzer::default();
        assert_eq!(
            a.terms("The owners of decisions are deciding"),
            vec!["owner", "decis", "decid"]
        );
        // Query and text meet on the same stem.
        assert_eq!(a.terms("ownership"), a.terms("Ownership"));
        assert_eq!(a.stem("horizons"), a.stem("horizon"));
    }
}
