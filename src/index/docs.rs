//! Search documents: one per heading section, so a result can land on the
//! heading that matched rather than the top of a long page.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::content::{Page, PageId};
use crate::markdown;

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

/// Splits a page into sections at its level-2 and level-3 headings. The
/// text before the first such heading is the page's own section.
pub(crate) fn sections(id: PageId, page: &Page) -> Vec<SectionDoc> {
    let mut docs = vec![SectionDoc {
        page: id,
        anchor: None,
        heading: String::new(),
        body: String::new(),
    }];
    let mut heading_index = 0;
    // Inside a heading whose text is not body text: the title (level 1) or a
    // section's own heading.
    let mut in_heading = false;
    for event in Parser::new_ext(page.body(), markdown::options()) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let heading = page.headings.get(heading_index);
                heading_index += 1;
                let splits = matches!(level as u8, 2 | 3);
                if let (true, Some(h)) = (splits, heading) {
                    docs.push(SectionDoc {
                        page: id,
                        anchor: Some(h.id.clone()),
                        heading: h.text.clone(),
                        body: String::new(),
                    });
                }
                in_heading = splits || level as u8 == 1;
            }
            Event::End(TagEnd::Heading(_)) => in_heading = false,
            Event::Text(t) | Event::Code(t) if !in_heading => {
                if let Some(doc) = docs.last_mut() {
                    doc.body.push_str(&t);
                    doc.body.push(' ');
                }
            }
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph) => {
                if let Some(doc) = docs.last_mut() {
                    doc.body.push(' ');
                }
            }
            _ => {}
        }
    }
    for doc in &mut docs {
        doc.body = doc.body.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    // The lead section stays even when empty: it carries the page's title
    // and leads to the top of the page.
    docs
}
