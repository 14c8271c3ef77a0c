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
    /// The document as the index files show it (its anchor, heading and
    /// snippet, as JSON): made when the page is analysed, so `serve` keeps
    /// it with the analysis instead of writing every document's row again
    /// on every save.
    pub(crate) row: Arc<str>,
}

impl SectionDoc {
    fn new(page: PageId, section: Arc<SectionText>) -> SectionDoc {
        let row = super::encode::doc_row(&section).into();
        SectionDoc { page, section, row }
    }
}

/// A page's sections as documents. The render stage split them, from the
/// events it rendered the page from; this adds the page they belong to.
/// `lead_anchor` is where the lead section (the text before the first
/// heading) lands, when not at the top of the page.
pub(crate) fn sections(id: PageId, texts: Sections, lead_anchor: Option<&str>) -> Vec<SectionDoc> {
    // Every page has its lead document, even one rendered without text.
    let lead = texts.is_empty().then(Arc::default);
    texts
        .iter()
        .cloned()
        .chain(lead)
        .map(|mut section| {
            if let (None, Some(anchor)) = (&section.anchor, lead_anchor) {
                Arc::make_mut(&mut section).anchor = Some(anchor.to_string());
            }
            SectionDoc::new(id, section)
        })
        .collect()
}
