//! Reading a layer's files, reusing what the previous build read (`serve`).
//!
//! A save changes one file, yet a build reads every file of every layer:
//! at ten thousand pages that is most of the load stage. A file whose
//! [`Stamp`] (size, inode, modification and change times) is the one it
//! had when the previous build read it is taken from that read instead.
//! Only reads of settled files are kept (see [`Stamp::settled`]), so a file
//! written twice within a timestamp's granularity is never mistaken for
//! the first version.

use std::collections::{HashMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::key::{Kept, Key};
use crate::source::Source;

/// A file's content: text for the files read as text (pages, templates)
/// that are valid UTF-8, else bytes.
#[derive(Clone, Debug)]
pub(super) enum Content {
    Text(Arc<str>),
    Bytes(Arc<[u8]>),
}

impl Content {
    fn new(bytes: Vec<u8>, as_text: bool) -> Content {
        if !as_text {
            return Content::Bytes(Arc::from(bytes));
        }
        match String::from_utf8(bytes) {
            Ok(text) => Content::Text(Arc::from(text)),
            Err(e) => Content::Bytes(Arc::from(e.into_bytes())),
        }
    }
}

impl Content {
    /// The bytes, copied from a text (a static file is rarely text).
    pub(super) fn into_bytes(self) -> Arc<[u8]> {
        match self {
            Content::Text(text) => Arc::from(text.as_bytes()),
            Content::Bytes(bytes) => bytes,
        }
    }
}

/// File contents by their source, path and stamp.
pub(super) type ReadCache = Kept<Content>;

/// The file `rel` of `source`, as text if `as_text` and it is UTF-8: from
/// `cache` when it holds this version, else read. With the content comes
/// the key to keep it under, if it may be kept.
pub(super) fn read(
    source: &dyn Source,
    rel: &str,
    as_text: bool,
    cache: &ReadCache,
) -> (io::Result<Content>, Option<u128>) {
    // A source without stamps (not on disk) is simply read.
    let Some(stamp) = cache.keeps().then(|| source.stamp(rel)).flatten() else {
        return (source.read(rel).map(|b| Content::new(b, as_text)), None);
    };
    let mut key = Key::new();
    key.add(source.disk_root()).add(rel).add(stamp).add(as_text);
    let key = key.finish();
    if let Some(bytes) = cache.get(key) {
        return (Ok(bytes.clone()), Some(key));
    }
    // Kept only if the file was settled before the read began and its
    // stamp is the same after it: then nothing was written meanwhile, and
    // a later write will change the stamp.
    let now = std::time::SystemTime::now();
    let bytes = source.read(rel).map(|b| Content::new(b, as_text));
    let unchanged = source.stamp(rel) == Some(stamp);
    (bytes, (stamp.settled(now) && unchanged).then_some(key))
}

/// A folder on disk as the last load found it: its files, and each one's
/// read with the key it was kept under.
#[derive(Default)]
pub(super) struct Listed {
    files: Vec<String>,
    reads: HashMap<String, (Content, Option<u128>)>,
}

impl Listed {
    pub(super) fn new(
        files: Vec<String>,
        reads: HashMap<String, (Content, Option<u128>)>,
    ) -> Listed {
        Listed { files, reads }
    }
}

/// What a load may take, without a look at the disk, from the last load's
/// look at a folder, when it is told every file that changed there since
/// (`serve`'s watcher, which saw every change). Listing a big playbook's
/// folders and taking every file's stamp is most of a save's load stage.
pub(super) struct Trust<'a> {
    root: &'a Path,
    last: &'a Listed,
    /// The changed paths, relative to `root`.
    changed: HashSet<String>,
}

impl<'a> Trust<'a> {
    /// Trust in the last look at `root`, told the `changed` paths (all of
    /// them, anywhere); `None` when there was no last look.
    pub(super) fn new(
        root: &'a Path,
        last: Option<&'a Listed>,
        changed: &[PathBuf],
    ) -> Option<Trust<'a>> {
        let changed = changed
            .iter()
            .filter_map(|p| p.strip_prefix(root).ok())
            .map(|rel| rel.to_string_lossy().replace('\\', "/"))
            .collect();
        Some(Trust {
            root,
            last: last?,
            changed,
        })
    }

    /// The last listing, when no changed path came, went or is a folder.
    pub(super) fn listing(&self) -> Option<Vec<String>> {
        let same = self
            .changed
            .iter()
            .all(|rel| self.last.reads.contains_key(rel) && self.root.join(rel).is_file());
        same.then(|| self.last.files.clone())
    }

    /// The last read of `rel`, when it did not change. Never of a name the
    /// watcher passes over (an editor's backup or swap file): a change to
    /// it would not have been told.
    pub(super) fn read(&self, rel: &str) -> Option<(Content, Option<u128>)> {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        if self.changed.contains(rel) || crate::source::editor_file(name) {
            return None;
        }
        self.last.reads.get(rel).cloned()
    }
}
