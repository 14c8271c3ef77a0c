//! Which files a layer's folder has, kept between the builds of `serve`.
//!
//! Listing a big handbook's folders and taking a stamp of each file is
//! most of what a save costs the load stage, though a save changes one
//! file. `serve`'s watcher knows which paths changed; given them, a load
//! updates the last listing with just those paths and takes the other
//! files' reads as they were, without asking the disk. Whatever the
//! watcher cannot vouch for (a folder created, removed or renamed, an
//! event it could not read) makes the next load list everything again.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::source::Source;

/// What `serve`'s watcher saw change since the last build.
#[derive(Clone, Debug, Default)]
pub enum Changes {
    /// Not known: every folder is listed and every file stamped.
    #[default]
    Unknown,
    /// Only these paths (absolute, files or gone) changed.
    Paths(Vec<PathBuf>),
}

/// A folder's files as the last load listed them, and for each file whose
/// read was kept, the key it was kept under.
#[derive(Default)]
pub(super) struct Listed {
    files: BTreeSet<String>,
    kept: HashMap<String, u128>,
}

impl Listed {
    pub fn new(files: impl IntoIterator<Item = String>) -> Listed {
        Listed {
            files: files.into_iter().collect(),
            kept: HashMap::new(),
        }
    }

    /// Notes the key each file's read was kept under, forgetting the rest.
    pub fn set_kept<'a>(&mut self, kept: impl IntoIterator<Item = (&'a String, u128)>) {
        self.kept = kept
            .into_iter()
            .map(|(rel, key)| (rel.clone(), key))
            .collect();
    }

    /// The key the unchanged file `rel`'s read was kept under, if any.
    pub fn kept_key(&self, rel: &str) -> Option<u128> {
        self.kept.get(rel).copied()
    }

    /// Every file, sorted.
    pub fn files(&self) -> impl Iterator<Item = &String> {
        self.files.iter()
    }
}

/// This listing of `source` (on disk at `root`) brought up to date with
/// the changed `paths`, and the changed files among it, by path relative
/// to the root; `None` if a change is one a listing cannot be updated with.
pub(super) fn update(
    mut last: Listed,
    source: &dyn Source,
    root: &Path,
    paths: &[PathBuf],
) -> Option<(Listed, HashSet<String>)> {
    let mut changed = HashSet::new();
    for path in paths {
        let Ok(inside) = path.strip_prefix(root) else {
            continue;
        };
        let rel = relative(inside)?;
        // A folder made, or one that held listed files: list it all.
        let held_files = last
            .files
            .range(format!("{rel}/")..)
            .next()
            .is_some_and(|f| f.starts_with(&format!("{rel}/")));
        if rel.is_empty() || path.is_dir() || held_files {
            return None;
        }
        if source.lists(&rel)? {
            last.files.insert(rel.clone());
        } else {
            last.files.remove(&rel);
        }
        last.kept.remove(&rel);
        changed.insert(rel);
    }
    Some((last, changed))
}

/// `a/b.md` from the components of a path inside a root; `None` if one is
/// not Unicode.
fn relative(inside: &Path) -> Option<String> {
    let parts: Option<Vec<&str>> = inside
        .components()
        .map(|c| c.as_os_str().to_str())
        .collect();
    Some(parts?.join("/"))
}
