//! Helpers for the unit tests of more than one module.

/// Every text made of up to `len` of `pieces` one after another, repeats
/// allowed, the empty text first: to check a function that scans text
/// byte by byte against a plain one on every mix.
pub(crate) fn every_mix(pieces: &[&str], len: usize) -> Vec<String> {
    let mut all = vec![String::new()];
    let mut longest = all.clone();
    for _ in 0..len {
        longest = longest
            .iter()
            .flat_map(|t| pieces.iter().map(move |p| format!("{t}{p}")))
            .collect();
        all.extend(longest.iter().cloned());
    }
    all
}
