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

/// `é` → `e`, `ß` → `s`: the Latin letters with marks that English-language
/// playbooks meet (names, loanwords), folded to their base letter.
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
        'ć' | 'č' => 'c',
        'ē' | 'ė' | 'ę' | 'ě' => 'e',
        'ł' => 'l',
        'ń' | 'ň' => 'n',
        'ő' => 'o',
        'ř' => 'r',
        'ś' | 'š' | 'ş' => 's',
        'ť' => 't',
        'ū' | 'ů' | 'ű' => 'u',
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

/// Index terms: words without stop words, stemmed.
pub(crate) struct Analyzer {
    stemmer: Stemmer,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer {
            stemmer: Stemmer::create(Algorithm::English),
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
