//! Reading a layer's files, reusing what the previous build read (`serve`).
//!
//! A save changes one file, yet a build reads every file of every layer:
//! at ten thousand pages that is most of the load stage. A file whose
//! [`Stamp`] (size, inode, modification and change times) is the one it
//! had when the previous build read it is taken from that read instead.
//! Only reads of settled files are kept (see [`Stamp::settled`]), so a file
//! written twice within a timestamp's granularity is never mistaken for
//! the first version.

use std::io;
use std::sync::Arc;

use crate::key::{Kept, Key};
use crate::source::{Source, Stamp};

/// A file's content: text for the files read as text (pages, templates)
/// that are valid UTF-8, with its key (`key::text_key`, hashed once per
/// read rather than on every build that keeps the read), else bytes.
#[derive(Clone, Debug)]
pub(super) enum Content {
    Text(Arc<str>, u128),
    Bytes(Arc<[u8]>),
}

impl Content {
    fn new(bytes: Vec<u8>, as_text: bool) -> Content {
        if !as_text {
            return Content::Bytes(Arc::from(bytes));
        }
        match String::from_utf8(bytes) {
            Ok(text) => {
                let key = crate::key::text_key(&text);
                Content::Text(Arc::from(text), key)
            }
            Err(e) => Content::Bytes(Arc::from(e.into_bytes())),
        }
    }
}

impl Content {
    /// The bytes, copied from a text (a static file is rarely text).
    pub(super) fn into_bytes(self) -> Arc<[u8]> {
        match self {
            Content::Text(text, _) => Arc::from(text.as_bytes()),
            Content::Bytes(bytes) => bytes,
        }
    }
}

/// File contents by their source, path and stamp.
pub(super) type ReadCache = Kept<Content>;

/// The file `rel` of `source`, whose stamp was `stamp` when it was listed,
/// as text if `as_text` and it is UTF-8: from `cache` when it holds this
/// version, else read. With the content comes the key to keep it under,
/// if it may be kept.
pub(super) fn read(
    source: &dyn Source,
    (rel, stamp): (&str, Option<Stamp>),
    as_text: bool,
    cache: &ReadCache,
) -> (io::Result<Content>, Option<u128>) {
    // A source without stamps (not on disk) is simply read.
    let Some(stamp) = stamp.filter(|_| cache.keeps()) else {
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
