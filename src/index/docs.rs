//! Search documents: one per heading section, so a result can land on the
//! heading that matched rather than the top of a long page.

use crate::content::PageId;
use crate::render::SectionText;

/// One section of a page as search sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SectionDoc {
    pub page: PageId,
    /// Heading id the result links to; `None` for the text before the first
    /// heading.
    pub anchor: Option<String>,
    pub heading: String,
    pub body: String,
}

/// A page's sections as documents. The render stage split them, from the
/// events it rendered the page from; this adds the page they belong to.
pub(crate) fn sections(id: PageId, texts: Vec<SectionText>) -> Vec<SectionDoc> {
    let mut docs: Vec<SectionDoc> = texts
        .into_iter()
        .map(|t| SectionDoc {
            page: id,
            anchor: t.anchor,
            heading: t.heading,
            body: t.body,
        })
        .collect();
    // Every page has its lead document, even one rendered without text.
    if docs.is_empty() {
        docs.push(SectionDoc {
            page: id,
            anchor: None,
            heading: String::new(),
            body: String::new(),
        });
    }
    docs
}
