//! Content keys for the caches `serve` keeps between builds: equal keys
//! must mean equal inputs, so a rebuild reuses only what a full build would
//! make the same.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::content::{Page, PageId};

/// Maps and sets of the site's own names and numbers, looked up many
/// times per page on every build: a fast hash with a fixed seed
/// (foldhash), which is also the same from run to run.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;
pub(crate) type FastSet<K> = std::collections::HashSet<K, foldhash::fast::FixedState>;

/// A 128-bit XXH3 of everything added: a collision would serve a stale
/// page, and 64 bits over a big site's many rebuilds leave too little
/// margin. (SipHash, twice, took an eighth of a 10k-page rebuild.)
///
/// What is added is gathered into a buffer and hashed at the end: keys are
/// made of many small parts (a page's title, each heading, each link's
/// target), and XXH3's streaming state costs about four times more per
/// small part than copying it. A key with more than a buffer's worth (a
/// concept page's key holds every backlink) streams each full buffer
/// instead of growing it: the digest is XXH3's of all the bytes either way.
pub(crate) struct Key(Gathered);

/// The bytes added since the last full buffer was streamed.
struct Gathered {
    bytes: Vec<u8>,
    streamed: Option<Box<xxhash_rust::xxh3::Xxh3>>,
}

/// How many bytes a key gathers before it streams them: a buffer the
/// allocator keeps ready per thread.
const GATHER: usize = 1000;

impl Gathered {
    /// Room for `more` bytes, streaming what is gathered if it is full.
    #[inline]
    fn room(&mut self, more: usize) {
        if self.bytes.len() + more > GATHER {
            self.stream();
        }
    }

    /// A number's bytes, whose count the compiler knows.
    #[inline]
    fn put<const N: usize>(&mut self, bytes: [u8; N]) {
        self.room(N);
        self.bytes.extend_from_slice(&bytes);
    }

    #[cold]
    fn stream(&mut self) {
        let state = self
            .streamed
            .get_or_insert_with(|| Box::new(xxhash_rust::xxh3::Xxh3::new()));
        state.update(&self.bytes);
        self.bytes.clear();
    }
}

impl Hasher for Gathered {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        self.room(bytes.len());
        self.bytes.extend_from_slice(bytes);
    }

    // Numbers are most of what keys are made of: copied by their fixed
    // size, not through a call to copy a slice of any length.
    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.put(n.to_le_bytes());
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.put(n.to_le_bytes());
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.put(n.to_le_bytes());
    }

    #[inline]
    fn write_u128(&mut self, n: u128) {
        self.put(n.to_le_bytes());
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.put(n.to_le_bytes());
    }

    /// Never asked for: [`Key::finish`] hashes the bytes.
    fn finish(&self) -> u64 {
        0
    }
}

impl Key {
    pub fn new() -> Key {
        Key(Gathered {
            bytes: Vec::with_capacity(GATHER),
            streamed: None,
        })
    }

    #[inline]
    pub fn add(&mut self, value: impl Hash) -> &mut Key {
        value.hash(&mut self.0);
        self
    }

    pub fn finish(&self) -> u128 {
        match &self.0.streamed {
            None => xxhash_rust::xxh3::xxh3_128(&self.0.bytes),
            Some(state) => {
                let mut state = state.clone();
                state.update(&self.0.bytes);
                state.digest128()
            }
        }
    }
}

impl std::io::Write for Key {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The key of a text, in one pass: a page's text is in several keys, and
/// hashing it once, whole, spares copying all of it into each [`Key`]'s
/// buffer and hashing it again.
pub(crate) fn text_key(text: &str) -> u128 {
    xxhash_rust::xxh3::xxh3_128(text.as_bytes())
}

/// A value worked out from each page alone, kept with the very page it
/// was worked out from (`serve`): a page the load hands on unchanged is the
/// same `Arc`, and has the same value. Holding the page keeps its address
/// from being another page's; a page changed in place would have been
/// copied first (`Arc::make_mut`), since this holds it too. By page id: a
/// page that moved to another id is worked out again.
pub(crate) struct ByPage<V = u128> {
    kept: Vec<(Arc<Page>, V)>,
}

impl<V> Default for ByPage<V> {
    fn default() -> Self {
        ByPage { kept: Vec::new() }
    }
}

impl<V: Clone + Send + Sync> ByPage<V> {
    /// Each page's value, `make` worked out only for pages not kept here;
    /// leaves this build's pages and values here.
    pub(crate) fn values(
        &mut self,
        pages: &[Arc<Page>],
        make: impl Fn(&Page) -> V + Sync,
    ) -> Vec<V> {
        use rayon::prelude::*;
        let values: Vec<V> = pages
            .par_iter()
            .enumerate()
            .map(|(id, page)| match self.get(id, page) {
                Some(value) => value.clone(),
                None => make(page),
            })
            .collect();
        self.keep(pages.iter().cloned().zip(values.iter().cloned()).collect());
        values
    }

    /// The value kept for page `id`, if `page` is the very page it was
    /// kept for.
    pub(crate) fn get(&self, id: PageId, page: &Arc<Page>) -> Option<&V> {
        let (was, value) = self.kept.get(id)?;
        Arc::ptr_eq(was, page).then_some(value)
    }

    /// Keeps `kept`, each page (by id) with its value, in place of what
    /// was kept.
    pub(crate) fn keep(&mut self, kept: Vec<(Arc<Page>, V)>) {
        self.kept = kept;
    }
}

/// What one build made, by content key, kept for the next (`serve`). The
/// default keeps nothing: a one-off build has no next build to help, and
/// computes no keys.
pub struct Kept<V> {
    keep: bool,
    map: std::collections::HashMap<u128, V, KeyHash>,
}

/// Hashes a [`Key`] by taking its low bits: it is a hash already, and a
/// big site's caches look up and keep tens of thousands of them per save.
#[derive(Clone, Copy, Default)]
pub(crate) struct KeyHash;

impl std::hash::BuildHasher for KeyHash {
    type Hasher = KeyHasher;

    fn build_hasher(&self) -> KeyHasher {
        KeyHasher(0)
    }
}

/// See [`KeyHash`]. Anything but a `u128` is folded in, in case.
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }

    fn write_u128(&mut self, key: u128) {
        self.0 ^= key as u64;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl<V> Default for Kept<V> {
    fn default() -> Self {
        Kept {
            keep: false,
            map: Default::default(),
        }
    }
}

impl<V: Clone> Kept<V> {
    /// A cache that keeps each build's work for the next.
    pub fn keeping() -> Self {
        Kept {
            keep: true,
            ..Kept::default()
        }
    }

    /// Whether keys are worth computing.
    pub(crate) fn keeps(&self) -> bool {
        self.keep
    }

    pub(crate) fn get(&self, key: u128) -> Option<&V> {
        self.map.get(&key)
    }

    /// Leaves exactly the keys this build `used` for the next one, those
    /// it found here where they are and the values it made (`fresh`)
    /// moved in: for a build that takes what it finds here by reference.
    pub(crate) fn keep_used(
        &mut self,
        used: impl IntoIterator<Item = u128>,
        fresh: impl IntoIterator<Item = (u128, V)>,
    ) {
        if !self.keep {
            return;
        }
        self.retain(used);
        for (key, value) in fresh {
            self.map.entry(key).or_insert(value);
        }
    }

    /// Leaves exactly what this build `used` for the next one: what it
    /// found here stays where it is (a save finds almost everything
    /// again, and values can be big to move), and only what it made is
    /// copied in.
    pub(crate) fn keep_only<'v>(&mut self, used: impl IntoIterator<Item = (u128, &'v V)>)
    where
        V: 'v,
    {
        if !self.keep {
            return;
        }
        let used: Vec<(u128, &V)> = used.into_iter().collect();
        self.retain(used.iter().map(|(key, _)| *key));
        for (key, value) in used {
            self.map.entry(key).or_insert_with(|| value.clone());
        }
    }

    /// Drops every value but those of `keys`.
    fn retain(&mut self, keys: impl IntoIterator<Item = u128>) {
        let keys: std::collections::HashSet<u128, KeyHash> = keys.into_iter().collect();
        self.map.retain(|key, _| keys.contains(key));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_the_hash_of_everything_added_however_long() {
        for parts in [0u64, 3, 124, 125, 126, 1000] {
            let mut key = Key::new();
            let mut bytes = Vec::new();
            for n in 0..parts {
                key.add(n).add("part");
                bytes.extend_from_slice(&n.to_le_bytes());
                bytes.extend_from_slice(b"part\xff");
            }
            assert_eq!(
                key.finish(),
                xxhash_rust::xxh3::xxh3_128(&bytes),
                "{parts} parts"
            );
        }
    }

    #[test]
    fn a_page_value_is_kept_for_the_very_page_it_was_made_from() {
        use crate::content::{Page, PageKind};
        use std::sync::Arc;
        let page = |title: &str| {
            let path = format!("{title}.md");
            let kind = PageKind::Page;
            Arc::new(Page::generated(
                0,
                0,
                path,
                kind,
                title.into(),
                String::new(),
            ))
        };
        let made = std::sync::atomic::AtomicUsize::new(0);
        let make = |p: &Page| {
            made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            text_key(&p.title)
        };
        let (a, b) = (page("a"), page("b"));
        let mut kept = ByPage::default();
        assert_eq!(
            kept.values(&[a.clone(), b.clone()], make),
            [text_key("a"), text_key("b")]
        );
        assert_eq!(made.swap(0, std::sync::atomic::Ordering::Relaxed), 2);
        // The same pages: nothing made. An equal page that is another
        // `Arc`, or a page at another id: made again.
        let values = kept.values(&[a.clone(), page("b")], make);
        assert_eq!(values, [text_key("a"), text_key("b")]);
        assert_eq!(made.swap(0, std::sync::atomic::Ordering::Relaxed), 1);
        let mut changed = a.clone();
        Arc::make_mut(&mut changed).title = "c".into();
        assert_eq!(
            kept.values(&[b, changed], make),
            [text_key("b"), text_key("c")]
        );
        assert_eq!(made.load(std::sync::atomic::Ordering::Relaxed), 2);
    }

    #[test]
    fn a_kept_cache_holds_exactly_what_the_last_build_used() {
        let mut kept = Kept::keeping();
        let (a, b, c) = ("a".to_string(), "b".to_string(), "c".to_string());
        kept.keep_only([(1, &a), (2, &b)]);
        assert_eq!(kept.get(1), Some(&a));
        // Key 2 found again: what is kept stays (an equal key means equal
        // content), and key 1, unused, is dropped.
        kept.keep_only([(2, &c), (3, &c)]);
        assert_eq!(
            (kept.get(1), kept.get(2), kept.get(3)),
            (None, Some(&b), Some(&c))
        );
        let mut one_off: Kept<String> = Kept::default();
        one_off.keep_only([(1, &a)]);
        assert!(!one_off.keeps() && one_off.get(1).is_none());
    }
}
