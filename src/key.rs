//! Content keys for the caches `serve` keeps between builds: equal keys
//! must mean equal inputs, so a rebuild reuses only what a full build would
//! make the same.

use std::hash::Hash;

use xxhash_rust::xxh3::Xxh3Default;

/// A 128-bit XXH3 of everything added: a collision would serve a stale
/// page, and 64 bits over a big site's many rebuilds leave too little
/// margin. (SipHash, twice, took an eighth of a 10k-page rebuild.)
pub(crate) struct Key(Xxh3Default);

impl Key {
    pub fn new() -> Key {
        Key(Xxh3Default::new())
    }

    pub fn add(&mut self, value: impl Hash) -> &mut Key {
        value.hash(&mut self.0);
        self
    }

    pub fn finish(&self) -> u128 {
        self.0.digest128()
    }
}

impl std::io::Write for Key {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
