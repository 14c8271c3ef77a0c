//! The generated corpora every bench uses, written once under
//! `target/bench-corpus/g<generation>/<pages>` and reused by later runs and other benches.

use std::path::PathBuf;

use crate::corpus::Corpus;

/// The corpus of `pages` pages (seed 42) and the folder it is written in.
pub fn corpus(pages: usize) -> (Corpus, PathBuf) {
    let corpus = Corpus::generate(pages, 42);
    let dir = crate::corpus::folder(&pages.to_string());
    if !on_disk(pages) {
        let _ = std::fs::remove_dir_all(&dir);
        eprintln!("generating {pages} pages in {} …", dir.display());
        corpus.write(&dir).expect("corpus written");
    }
    (corpus, dir)
}

/// Whether the corpus of `pages` pages is written already (its last file,
/// the company layer's `playbook.toml`, is there).
pub fn on_disk(pages: usize) -> bool {
    crate::corpus::folder(&pages.to_string())
        .join("company/playbook.toml")
        .is_file()
}
