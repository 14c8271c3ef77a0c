//! Reuse between builds in `serve`: a page whose inputs did not change is
//! not rendered again.
//!
//! The key of a body is everything `render_body_and_text` reads (the page's text,
//! the href and label of each link, the auto-links, where it is shown); the
//! key of a page is its template and its whole template context, plus the
//! templates themselves. Equal keys give equal output, so an incremental
//! build is byte for byte a full one; only the work differs.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

/// Two independent 64-bit hashes: a collision would serve a stale page.
pub(crate) struct Key {
    a: DefaultHasher,
    b: DefaultHasher,
}

impl Key {
    pub fn new() -> Key {
        let mut b = DefaultHasher::new();
        "altitude-render-cache".hash(&mut b);
        Key {
            a: DefaultHasher::new(),
            b,
        }
    }

    pub fn add(&mut self, value: impl Hash) -> &mut Key {
        value.hash(&mut self.a);
        value.hash(&mut self.b);
        self
    }

    pub fn finish(&self) -> u128 {
        (u128::from(self.a.finish()) << 64) | u128::from(self.b.finish())
    }
}

impl std::io::Write for Key {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.a.write(buf);
        self.b.write(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Rendered bodies and pages of the previous build, by key. The default
/// keeps nothing (a one-off build has no next build to help);
/// [`RenderCache::keeping`] keeps everything for the next build.
#[derive(Default)]
pub struct RenderCache {
    pub(crate) keep: bool,
    /// Body HTML and its sections' text.
    pub(crate) bodies: HashMap<u128, (String, Vec<super::SectionText>)>,
    pub(crate) pages: HashMap<u128, String>,
    /// Pages rendered and pages reused by the last build.
    pub rendered: usize,
    pub reused: usize,
}

impl RenderCache {
    /// A cache that keeps each build's output for the next (`serve`).
    pub fn keeping() -> RenderCache {
        RenderCache {
            keep: true,
            ..RenderCache::default()
        }
    }
}
