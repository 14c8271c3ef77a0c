//! A page's markdown body → HTML, with every link pointed at its resolved target.
//!
//! Replays the events the load stage's scan kept of the body (see
//! `markdown::Events`) and rewrites them on the way to the HTML writer:
//! link destinations, heading ids, GitHub alert blocks, and the opening H1
//! that would repeat the title.

use pulldown_cmark::{BlockQuoteKind, CowStr, Event, LinkType, Tag, TagEnd};
use std::sync::Arc;

use crate::config::UrlStyle;
use crate::content::{Page, PageId};
use crate::links::{AutoLink, Target};
use crate::markdown::{Heading, LinkKind};
use crate::render::urls;

/// Everything the body of one page needs from the rest of the site.
pub(crate) struct BodyInput<'a> {
    pub page: &'a Page,
    pub targets: &'a [Target],
    pub autolinks: &'a [AutoLink],
    pub pages: &'a [Arc<Page>],
    /// Per page, the company sections shown on it (their headings are the
    /// page's too).
    pub extensions: &'a [Vec<PageId>],
    pub style: UrlStyle,
    /// The URL the HTML will be shown at (the page's own, or the print edition's).
    pub shown_at: &'a str,
    /// Whether to take the page's events (see `markdown::KeptEvents`).
    pub take_events: bool,
}

/// Everything [`render_body_and_text`] reads, hashed: the cache key of a body.
pub(crate) fn body_key(input: &BodyInput<'_>) -> u128 {
    let page = input.page;
    let mut key = crate::key::Key::new();
    add_page_and_place(&mut key, input);
    key.add(input.targets.len());
    for (link, target) in page.links.iter().zip(input.targets) {
        add_href(&mut key, input, target);
        // A wiki link without a label shows the heading it leads to.
        if let (
            LinkKind::Wiki,
            Target::Page {
                page: p,
                anchor: Some(anchor),
            },
        ) = (link.kind, target)
        {
            key.add(heading_on(input, *p, anchor).map(|h| &h.text));
        }
    }
    for a in input.autolinks {
        key.add(&a.span).add(&input.pages[a.concept].url);
    }
    key.finish()
}

/// A key standing for [`body_key`] where the page's links were resolved
/// under `link_key` (see `Resolved::link_keys`): that holds every page's
/// URL and headings, which the body key reads of the pages linked to, so
/// an equal key here means an equal body key. It is far cheaper to make,
/// and changes with any page's URL or headings: the body key it stood for
/// last time is looked up by it, and made only when it is not found.
pub(crate) fn body_key_stand_in(input: &BodyInput<'_>, link_key: u128) -> u128 {
    let mut key = crate::key::Key::new();
    key.add(link_key);
    add_page_and_place(&mut key, input);
    key.add(input.autolinks.len());
    for a in input.autolinks {
        key.add(&a.span).add(a.concept);
    }
    key.finish()
}

/// What a body reads of its own page, and where it is shown.
fn add_page_and_place(key: &mut crate::key::Key, input: &BodyInput<'_>) {
    let page = input.page;
    key.add(page.text_key)
        .add(page.body_start)
        .add(page.skip_first_h1)
        .add(input.shown_at)
        .add(input.style == UrlStyle::Files);
    // The text (its key, above) makes the headings and links a page was
    // read with; only an extension's heading ids are changed after, by its
    // layer's name.
    if page.extends.is_some() {
        for h in page.headings.iter() {
            key.add(&h.id);
        }
    }
}

/// What a target's `href` is made of (`urls::href_for`), given the page it
/// is shown at, which the key holds already: cheaper to hash than the href,
/// which a key would otherwise build for every link of the site.
fn add_href(key: &mut crate::key::Key, input: &BodyInput<'_>, target: &Target) {
    match target {
        Target::Page { page, anchor } => key.add(0u8).add(&input.pages[*page].url).add(anchor),
        Target::Asset(path) => key.add(1u8).add(path),
        Target::External => key.add(2u8),
        Target::Broken => key.add(3u8),
        Target::Hidden => key.add(4u8),
    };
}

/// A heading section's plain text, as search indexes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SectionText {
    /// Heading id; `None` for the text before the first h2/h3.
    pub anchor: Option<String>,
    pub heading: String,
    pub body: String,
}

/// A body's sections' text, each shared (see [`Body`]), and the list too:
/// the index takes every page's list on every save.
pub type Sections = Arc<[Arc<SectionText>]>;

/// A page's body as rendered: its HTML and its sections' text. `serve`
/// keeps it from build to build, so it is shared, never copied: by the
/// cache, the pages that show it, and the search index.
#[derive(Debug, Default)]
pub struct Body {
    pub html: String,
    pub sections: Sections,
}

/// The body's HTML and, when `with_text`, its sections' plain text, taken
/// from the same events: the index needs no second parse of the page.
pub(crate) fn render_body_and_text(input: &BodyInput<'_>, with_text: bool) -> Body {
    let page = input.page;
    let body = page.body();
    let offset = page.body_start;
    let mut events: Vec<Event<'_>> = Vec::with_capacity(body.len() / 8);
    let mut heading_index = 0;
    let mut skipping_h1 = false;
    let mut skipped_h1 = !page.skip_first_h1;
    // Replacement text for a wiki link without a label, while inside it.
    let mut wiki_text: Option<String> = None;
    // Inside a link to a hidden page: its text stays, the link goes.
    let mut in_hidden_link = false;

    let kept = page.events.get(input.take_events);
    let replay = match &kept {
        Some(kept) => kept.replay(body),
        None => crate::markdown::Replay::parse(body),
    };
    for (event, start) in replay {
        if skipping_h1 {
            if matches!(event, Event::End(TagEnd::Heading(_))) {
                skipping_h1 = false;
                heading_index += 1;
            }
            continue;
        }
        if wiki_text.is_some() {
            if let Event::End(TagEnd::Link) = event {
                if let Some(text) = wiki_text.take() {
                    events.push(Event::Text(text.into()));
                }
                if !std::mem::take(&mut in_hidden_link) {
                    events.push(event);
                }
            }
            continue;
        }
        match event {
            Event::Start(Tag::Heading {
                level,
                id: _,
                classes,
                attrs,
            }) => {
                if !skipped_h1 && level == pulldown_cmark::HeadingLevel::H1 {
                    skipped_h1 = true;
                    skipping_h1 = true;
                    continue;
                }
                let id = page.headings.get(heading_index).map(|h| h.id.clone());
                heading_index += 1;
                events.push(Event::Start(Tag::Heading {
                    level,
                    id: id.map(CowStr::from),
                    classes,
                    attrs,
                }));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let target = target_at(input, start + offset);
                let href = target.and_then(|t| urls::href_for(input, t));
                if let LinkType::WikiLink { has_pothole: false } = link_type {
                    wiki_text = Some(wiki_display(input, &dest_url, target));
                }
                if target == Some(&Target::Hidden) {
                    in_hidden_link = true;
                    continue;
                }
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: href.map_or(dest_url, CowStr::from),
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let target = target_at(input, start + offset);
                let href = target.and_then(|t| urls::href_for(input, t));
                events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url: href.map_or(dest_url, CowStr::from),
                    title,
                    id,
                }));
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let (class, label) = alert(kind);
                events.push(Event::Html(
                    format!(
                        "<div class=\"callout callout-{class}\" role=\"note\">\
                         <p class=\"callout-title\">{label}</p>\n"
                    )
                    .into(),
                ));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => {
                events.push(Event::Html("</div>\n".into()));
            }
            Event::End(TagEnd::Link) if in_hidden_link => in_hidden_link = false,
            Event::Text(text) => {
                let start = start + offset;
                push_text_with_autolinks(input, &mut events, text, start);
            }
            other => events.push(other),
        }
    }
    let sections = if with_text {
        section_texts(&events, page)
    } else {
        Sections::default()
    };
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    Body { html, sections }
}

/// Splits the body at its h2 and h3 headings into plain text. The lead
/// section is always there, even empty: it carries the page's title in the
/// index and leads to the top of the page.
fn section_texts(events: &[Event<'_>], page: &Page) -> Sections {
    // Each section's text sized first: grown from nothing, a page's texts
    // were reallocated some thirty times.
    let mut sizes = vec![0];
    each_section_piece(events, page, |piece| match piece {
        Piece::Heading(_) => sizes.push(0),
        Piece::Text(t) => {
            if let Some(size) = sizes.last_mut() {
                *size += t.len() + 1;
            }
        }
    });
    let mut sizes = sizes.into_iter();
    let mut body = || String::with_capacity(sizes.next().unwrap_or(0));
    let mut sections = vec![SectionText {
        body: body(),
        ..SectionText::default()
    }];
    each_section_piece(events, page, |piece| match piece {
        Piece::Heading(h) => sections.push(SectionText {
            anchor: Some(h.id.clone()),
            heading: h.text.clone(),
            body: body(),
        }),
        Piece::Text(t) => {
            if let Some(s) = sections.last_mut() {
                push_words(&mut s.body, t);
            }
        }
    });
    sections.into_iter().map(Arc::new).collect()
}

/// What [`each_section_piece`] meets.
enum Piece<'h, 'e> {
    /// An h2 or h3 heading, which starts a section.
    Heading(&'h crate::markdown::Heading),
    /// A piece of body text.
    Text(&'e str),
}

/// Walks the body's sections, heading by heading and text by text, in
/// order.
fn each_section_piece<'h, 'e>(
    events: &'e [Event<'_>],
    page: &'h Page,
    mut f: impl FnMut(Piece<'h, 'e>),
) {
    // Inside a heading whose text is not body text: a level-1 heading or a
    // section's own heading.
    let mut in_heading = false;
    for event in events {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                let splits = matches!(*level as u8, 2 | 3);
                let found = id
                    .as_ref()
                    .and_then(|id| page.headings.iter().find(|h| h.id == id.as_ref()));
                if let (true, Some(h)) = (splits, found) {
                    f(Piece::Heading(h));
                }
                in_heading = splits || *level as u8 == 1;
            }
            Event::End(TagEnd::Heading(_)) => in_heading = false,
            Event::Text(t) | Event::Code(t) if !in_heading => f(Piece::Text(t)),
            _ => {}
        }
    }
}

/// Appends the words of `text` to `out`, each after one space unless it is
/// the first: every run of whitespace becomes one space, and a piece's
/// words never run into the next piece's, as `split_whitespace` and
/// `join(" ")` over the pieces, each followed by a space, would make it;
/// in one pass. Words already apart by one plain space are copied as one
/// run.
fn push_words(out: &mut String, text: &str) {
    // Most pieces of prose are one such run already, but for a space
    // before or after a link: copied whole.
    let inner = text.strip_prefix(' ').unwrap_or(text);
    let inner = inner.strip_suffix(' ').unwrap_or(inner);
    if is_one_run(inner.as_bytes()) {
        push_word(out, inner);
        return;
    }
    let mut i = 0;
    while i < text.len() {
        while let Some(width) = whitespace_at(text, i) {
            i += width;
        }
        let start = i;
        i = run_end(text, i);
        if i > start {
            push_word(out, &text[start..i]);
        }
    }
}

/// Where the run of words starting at byte `i` of `text` ends: at
/// whitespace other than one plain space followed by printable ASCII.
/// Printable ASCII, the bulk of any text, is taken a byte at a time;
/// anything else as the char it starts.
fn run_end(text: &str, mut i: usize) -> usize {
    let bytes = text.as_bytes();
    let printable = |i: usize| bytes.get(i).is_some_and(|b| (b'!'..=b'~').contains(b));
    while i < bytes.len() {
        match bytes[i] {
            b' ' if printable(i + 1) => i += 2,
            b'!'..=b'~' => i += 1,
            _ if whitespace_at(text, i).is_some() => break,
            _ => i += text[i..].chars().next().map_or(1, char::len_utf8),
        }
    }
    i
}

/// Whether `text` is, start to end, one run as [`run_end`] takes it: ASCII
/// at or above a space, no space first or last, no two together. (Some
/// texts that are one run are not found so, such as those with a control
/// character: [`run_end`] takes them.) Tested eight bytes at a time: at
/// 10,000 pages, taking the pieces a byte at a time was 3 % of a build.
fn is_one_run(text: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = ONES * 0x80;
    let (Some(&first), Some(&last)) = (text.first(), text.last()) else {
        return false;
    };
    if first == b' ' || last == b' ' {
        return false;
    }
    let mut chunks = text.chunks_exact(8);
    // Whether the chunk before ended with a space.
    let mut space_before = 0;
    for chunk in &mut chunks {
        let Ok(bytes) = <[u8; 8]>::try_from(chunk) else {
            return false;
        };
        let v = u64::from_le_bytes(bytes);
        // Per byte, its high bit: set for a byte below a space or not
        // ASCII...
        let low = v & !HIGHS;
        let control = !(low + ONES * 0x60) & HIGHS;
        if (v & HIGHS) | control != 0 {
            return false;
        }
        // ...and for a space (all ASCII here, so no carry between bytes).
        let spaced = v ^ (ONES * 0x20);
        let spaces = !(((spaced & !HIGHS) + !HIGHS) | spaced) & HIGHS;
        if spaces & (spaces >> 8) != 0 || space_before & spaces & 0x80 != 0 {
            return false;
        }
        space_before = spaces >> 56;
    }
    let mut before_was_space = space_before != 0;
    for &b in chunks.remainder() {
        if !(b' '..=0x7f).contains(&b) || (b == b' ' && before_was_space) {
            return false;
        }
        before_was_space = b == b' ';
    }
    true
}

/// The width of the whitespace char at byte `i` of `text`, if one is there.
fn whitespace_at(text: &str, i: usize) -> Option<usize> {
    let c = match *text.as_bytes().get(i)? {
        b if b < 0x80 => char::from(b),
        _ => text[i..].chars().next()?,
    };
    c.is_whitespace().then(|| c.len_utf8())
}

fn push_word(out: &mut String, word: &str) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(word);
}

/// Pushes a text event, turning the auto-linked mentions inside it into links.
fn push_text_with_autolinks<'a>(
    input: &BodyInput<'_>,
    events: &mut Vec<Event<'a>>,
    text: CowStr<'a>,
    start: usize,
) {
    let end = start + text.len();
    let first = input.autolinks.partition_point(|a| a.span.start < start);
    let inside: Vec<&AutoLink> = input.autolinks[first..]
        .iter()
        .take_while(|a| a.span.end <= end)
        .collect();
    if inside.is_empty() {
        events.push(Event::Text(text));
        return;
    }
    let mut cursor = 0;
    for link in inside {
        let (from, to) = (link.span.start - start, link.span.end - start);
        let target = Target::Page {
            page: link.concept,
            anchor: None,
        };
        let Some(href) = urls::href_for(input, &target) else {
            continue;
        };
        if from > cursor {
            events.push(Event::Text(text[cursor..from].to_string().into()));
        }
        events.push(Event::Start(Tag::Link {
            link_type: LinkType::Inline,
            dest_url: href.into(),
            title: "".into(),
            id: "".into(),
        }));
        events.push(Event::Text(text[from..to].to_string().into()));
        events.push(Event::End(TagEnd::Link));
        cursor = to;
    }
    if cursor < text.len() {
        events.push(Event::Text(text[cursor..].to_string().into()));
    }
}

/// The resolved target of the link that starts at byte `start` of the file.
fn target_at<'a>(input: &'a BodyInput<'_>, start: usize) -> Option<&'a Target> {
    let links = &input.page.links;
    let index = links.partition_point(|l| l.span.start < start);
    links
        .get(index)
        .filter(|l| l.span.start == start)
        .and_then(|_| input.targets.get(index))
}

/// The heading with id `anchor` on `page`, whose company sections' headings
/// are shown on it too (links resolve to them the same way).
fn heading_on<'a>(input: &BodyInput<'a>, page: PageId, anchor: &str) -> Option<&'a Heading> {
    let extensions = input.extensions.get(page).map_or(&[][..], Vec::as_slice);
    std::iter::once(&page)
        .chain(extensions)
        .flat_map(|&p| input.pages[p].headings.iter())
        .find(|h| h.id == anchor)
}

/// The text of `[[name#heading]]`: the name as written, then the heading.
fn wiki_display(input: &BodyInput<'_>, dest: &str, target: Option<&Target>) -> String {
    let (name, fragment) = match dest.split_once('#') {
        Some((n, f)) => (n.trim(), Some(f)),
        None => (dest.trim(), None),
    };
    let heading = match (target, fragment) {
        (
            Some(Target::Page {
                page,
                anchor: Some(anchor),
            }),
            _,
        ) => heading_on(input, *page, anchor).map(|h| h.text.clone()),
        (_, fragment) => fragment.map(str::to_string),
    };
    match (name.is_empty(), heading) {
        (true, Some(h)) => h,
        (false, Some(h)) => format!("{name} › {h}"),
        (_, None) => name.to_string(),
    }
}

fn alert(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}

#[cfg(test)]
mod tests {
    use super::push_words;

    #[test]
    fn words_are_pushed_as_split_whitespace_and_join_make_them() {
        let pieces = [
            "  lead\tand\u{0B}tab\r\n",
            "",
            "   ",
            "no-space-before",
            "\u{a0}non\u{2003}breaking\u{3000}é\u{85}end ",
            "x\u{1c}y",
            "café",
        ];
        let mut out = String::new();
        for piece in pieces {
            push_words(&mut out, piece);
        }
        let expected = pieces
            .iter()
            .flat_map(|p| p.split_whitespace())
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(out, expected);
        assert_eq!(
            out,
            "lead and tab no-space-before non breaking é end x\u{1c}y café"
        );
    }

    /// Pieces long enough to be tested eight bytes at a time, with every
    /// kind of byte at every place of a chunk and across chunks.
    #[test]
    fn long_pieces_are_pushed_as_split_whitespace_makes_them() {
        let pieces = [
            "abcdefg", " ", "  ", "\t", "é", "~\u{7f}", "\u{1f}", "\u{a0}",
        ];
        for text in &crate::testing::every_mix(&pieces, 4) {
            for lead in ["", "x", "xyz"] {
                let text = format!("{lead}{text}");
                let mut out = String::from("before");
                push_words(&mut out, &text);
                let expected = std::iter::once("before")
                    .chain(text.split_whitespace())
                    .collect::<Vec<_>>()
                    .join(" ");
                assert_eq!(out, expected, "{text:?}");
            }
        }
    }

    #[test]
    fn runs_of_words_apart_by_one_space_are_pushed_as_split_whitespace_makes_them() {
        let pieces = ["ab", " ", "  ", "\t", "\u{a0}", "é", "-"];
        for text in &crate::testing::every_mix(&pieces, 5) {
            let mut out = String::from("before");
            push_words(&mut out, text);
            let expected = std::iter::once("before")
                .chain(text.split_whitespace())
                .collect::<Vec<_>>()
                .join(" ");
            assert_eq!(out, expected, "{text:?}");
        }
    }
}
