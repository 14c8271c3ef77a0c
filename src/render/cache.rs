//! Reuse between builds in `serve`: a page whose inputs did not change is
//! not rendered again.
//!
//! The key of a body is everything `render_body_and_text` reads (the page's text,
//! the href and label of each link, the auto-links, where it is shown); the
//! key of a page is its template and its whole template context, plus the
//! templates themselves. Equal keys give equal output, so an incremental
//! build is byte for byte a full one; only the work differs. Building every
//! context to key it is most of a rebuild of a big site, so a page is first
//! looked up by a cheaper key: its face and its own bodies (see
//! `render::face`).

use std::collections::HashMap;

use crate::key::KeyHash;

/// Rendered bodies and pages of the previous build, by key. The default
/// keeps nothing (a one-off build has no next build to help);
/// [`RenderCache::keeping`] keeps everything for the next build.
#[derive(Default)]
pub struct RenderCache {
    pub(crate) keep: bool,
    /// Body HTML and its sections' text.
    pub(crate) bodies: crate::key::Kept<std::sync::Arc<super::Body>>,
    /// A body's stand-in key → its key (see `body::body_key_stand_in`).
    pub(crate) body_key_by_stand_in: crate::key::Kept<u128>,
    /// Each page's identity and own face, kept with the page (see
    /// `face::Faces::new`).
    pub(crate) page_parts: crate::key::ByPage<(u128, u128)>,
    /// The print edition, 404 and search pages, by their key (see
    /// `face::Faces::special_key`).
    pub(crate) specials: crate::key::Kept<Vec<u8>>,
    pub(crate) pages: HashMap<u128, crate::pipeline::Bytes, KeyHash>,
    /// Rendered sidebars.
    pub(crate) sidebars: super::nav::Sidebars,
    /// A page's key by its face (see `render::face`) → its key in
    /// `pages`: how a page is found without building its context.
    pub(crate) faces: HashMap<u128, u128, KeyHash>,
    /// The templates as last compiled, by their key: a save that changed
    /// no template compiles none.
    pub(crate) compiled: Option<(u128, std::sync::Arc<tera::Tera>)>,
    /// Pages rendered and pages reused by the last build.
    pub rendered: usize,
    pub reused: usize,
}

impl RenderCache {
    /// A cache that keeps each build's output for the next (`serve`).
    pub fn keeping() -> RenderCache {
        RenderCache {
            keep: true,
            bodies: crate::key::Kept::keeping(),
            body_key_by_stand_in: crate::key::Kept::keeping(),
            specials: crate::key::Kept::keeping(),
            sidebars: crate::key::Kept::keeping(),
            ..RenderCache::default()
        }
    }
}
