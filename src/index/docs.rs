//! Search documents: one per heading section, so a result can land on the
//! heading that matched rather than the top of a long page.

use std::sync::Arc;

use crate::content::PageId;
use crate::render::{SectionText, Sections};

/// One section of a page as search sees it: the render stage's text of it
/// (shared with the render cache, which `serve` keeps), and the page it
/// belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SectionDoc {
    pub page: PageId,
    pub section: Arc<SectionText>,
}

/// A page's sections as documents. The render stage split them, from the
/// events it rendered the page from; this adds the page they belong to.
pub(crate) fn sections(id: PageId, texts: Sections) -> Vec<SectionDoc> {
    let mut docs: Vec<SectionDoc> = texts
        .into_iter()
        .map(|section| SectionDoc { page: id, section })
        .collect();
    // Every page has its lead document, even one rendered without text.
    if docs.is_empty() {
        docs.push(SectionDoc {
            page: id,
            section: Arc::default(),
        });
    }
    docs
}
