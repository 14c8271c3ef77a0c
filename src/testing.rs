//! Helpers for the unit tests of more than one module.

/// Every text made of `len` of `pieces` one after another, repeats
/// allowed: `pieces.len()` to the power `len` texts, to check a function
/// that scans text byte by byte against a plain one on every mix.
pub(crate) fn every_mix(pieces: &[&str], len: usize) -> Vec<String> {
    let mut texts = vec![String::new()];
    for _ in 0..len {
        texts = texts
            .iter()
            .flat_map(|t| pieces.iter().map(move |p| format!("{t}{p}")))
            .collect();
    }
    texts
}
