//! Lists written by the build, ready to show: a page's table of contents
//! (`page.toc_html`) and a concept's backlinks (`page.concept.backlinks_html`).
//!
//! Templates get the entries too (`page.toc`, `page.concept.backlinks`), to
//! lay out as they like. But Tera pays for every variable it looks up, and
//! these lists are long or fiddly: a concept on a 10,000-page site lists a
//! hundred pages or more, five lookups each, and nesting the flat table of
//! contents takes a variable carried across iterations and several
//! comparisons per entry. Written by template loops, the two were 8 % of
//! a 10,000-page build's instructions. So the build writes them once, here,
//! as Hugo does with `.TableOfContents`.

use std::borrow::Cow;

use serde::Serialize;

use crate::render::theme::push_escaped;

/// One heading in the table of contents (`page.toc`). Fields in key
/// order, as every context's (see `render::overwrite`).
#[derive(Serialize)]
pub(crate) struct TocEntry<'a> {
    pub id: Cow<'a, str>,
    /// 2 or 3: a level-3 entry is nested in the level-2 entry before it.
    pub level: u8,
    pub title: Cow<'a, str>,
}

/// The entries as an ordered list, one line each, the level-3 entries in a
/// list inside the level-2 entry before them (or inside an item of their
/// own when no level-2 entry comes first). No entries, no list: "".
pub(crate) fn toc_html(entries: &[TocEntry<'_>]) -> String {
    if entries.is_empty() {
        return String::new();
    }
    let mut html = String::from("<ol>");
    let mut previous = 0;
    for entry in entries {
        let opening = match (entry.level > 2, previous) {
            (true, 0) => "<li><ol>",
            (true, p) if p > 2 => "</li>",
            (true, _) => "<ol>",
            (false, 0) => "",
            (false, p) => closing(p),
        };
        html.push_str(opening);
        html.push_str("\n<li class=\"toc-level-");
        html.push(char::from(b'0' + entry.level.min(9)));
        html.push_str("\"><a href=\"#");
        push_escaped(&mut html, &entry.id);
        html.push_str("\">");
        push_escaped(&mut html, &entry.title);
        html.push_str("</a>");
        previous = entry.level;
    }
    html.push_str(closing(previous));
    html.push_str("\n</ol>");
    html
}

/// What closes the item of an entry at `level` before a level-2 entry
/// (or the end): a level-3 entry's list closes with it.
fn closing(level: u8) -> &'static str {
    if level > 2 {
        "</li></ol></li>"
    } else {
        "</li>"
    }
}

/// A page that refers to a concept, and the sentence it does so in
/// (`page.concept.backlinks`). Fields in key order, as every context's.
#[derive(Serialize)]
pub(crate) struct BacklinkCtx {
    /// May be empty.
    pub context: String,
    pub title: String,
    /// Relative to the site root.
    pub url: String,
}

/// The backlinks as a list, one line each: the page's title as a link,
/// then the sentence, quoted. No backlinks, no list: "".
pub(crate) fn backlinks_html(root: &str, backlinks: &[BacklinkCtx]) -> String {
    if backlinks.is_empty() {
        return String::new();
    }
    let mut html = String::from("<ul class=\"backlink-list\">");
    for link in backlinks {
        html.push_str("\n<li><a href=\"");
        push_escaped(&mut html, root);
        push_escaped(&mut html, &link.url);
        html.push_str("\">");
        push_escaped(&mut html, &link.title);
        html.push_str("</a>");
        if !link.context.is_empty() {
            html.push_str("<blockquote class=\"backlink-context\"><p>");
            push_escaped(&mut html, &link.context);
            html.push_str("</p></blockquote>");
        }
        html.push_str("</li>");
    }
    html.push_str("\n</ul>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(level: u8, id: &'static str, title: &'static str) -> TocEntry<'static> {
        TocEntry {
            level,
            id: id.into(),
            title: title.into(),
        }
    }

    #[test]
    fn level_three_entries_nest_in_the_entry_before_them() {
        let html = toc_html(&[
            line(2, "a", "A & B"),
            line(3, "a-1", "<One>"),
            line(3, "a-2", "Two"),
            line(2, "c", "C"),
            line(3, "c-1", "\"Quoted\""),
        ]);
        assert_eq!(
            html,
            "<ol>\n\
             <li class=\"toc-level-2\"><a href=\"#a\">A &amp; B</a><ol>\n\
             <li class=\"toc-level-3\"><a href=\"#a-1\">&lt;One&gt;</a></li>\n\
             <li class=\"toc-level-3\"><a href=\"#a-2\">Two</a></li></ol></li>\n\
             <li class=\"toc-level-2\"><a href=\"#c\">C</a><ol>\n\
             <li class=\"toc-level-3\"><a href=\"#c-1\">&quot;Quoted&quot;</a></li></ol></li>\n\
             </ol>"
        );
    }

    #[test]
    fn a_leading_level_three_entry_gets_an_item_of_its_own() {
        let html = toc_html(&[line(3, "x", "X"), line(2, "y", "Y")]);
        assert_eq!(
            html,
            "<ol><li><ol>\n\
             <li class=\"toc-level-3\"><a href=\"#x\">X</a></li></ol></li>\n\
             <li class=\"toc-level-2\"><a href=\"#y\">Y</a></li>\n\
             </ol>"
        );
    }

    #[test]
    fn no_entries_make_no_list() {
        assert_eq!(toc_html(&[]), "");
        assert_eq!(backlinks_html("../", &[]), "");
    }

    #[test]
    fn each_backlink_links_its_page_and_quotes_its_sentence() {
        let html = backlinks_html(
            "../../",
            &[
                BacklinkCtx {
                    title: "Owners & teams".into(),
                    url: "principles/owners/".into(),
                    context: "Give the <team> the call.".into(),
                },
                BacklinkCtx {
                    title: "Quiet".into(),
                    url: "notes/quiet/".into(),
                    context: String::new(),
                },
            ],
        );
        assert_eq!(
            html,
            "<ul class=\"backlink-list\">\n\
             <li><a href=\"../../principles/owners/\">Owners &amp; teams</a>\
             <blockquote class=\"backlink-context\"><p>Give the &lt;team&gt; the call.</p></blockquote></li>\n\
             <li><a href=\"../../notes/quiet/\">Quiet</a></li>\n\
             </ul>"
        );
    }
}
