//! Markdown dialect and the first look at a page's body.
//!
//! The load stage scans each body once for what the resolve stage needs
//! (headings with their ids, every link with its position and the sentence
//! around it) without rendering anything. Rendering happens later, when every
//! link target is known, from the events the scan kept ([`Events`]), not
//! from a second parse (but for a body a one-off build shows twice: the
//! print edition's copy of a principle is parsed again).

use crate::key::FastMap;
use std::ops::Range;

mod events;
pub use events::{Events, KeptEvents, Replay};

use pulldown_cmark::{Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

/// The markdown extensions Altitude supports, the same in every pass.
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_WIKILINKS
        | Options::ENABLE_GFM
}

/// A heading of a page, with the id its anchor gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub id: String,
    /// Byte span in the file.
    pub span: Range<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind {
    /// `[[target]]` or `[[target|label]]`.
    Wiki,
    /// `[text](dest)`.
    Markdown,
    /// `![alt](src)`.
    Image,
}

/// A link as written, before resolution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkRef {
    pub kind: LinkKind,
    pub dest: String,
    /// Byte span of the whole link in the file.
    pub span: Range<usize>,
    /// The sentence the link stands in, as plain text (for backlinks),
    /// shared: a page kept from the last build hands it on without a copy.
    pub context: std::sync::Arc<str>,
    /// `context`'s key (`key::text_key`): a concept page's cache key holds
    /// every sentence its backlinks show, and hashes each once this way.
    pub sentence_key: u128,
}

/// What the load stage learns from a body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scan {
    pub headings: Vec<Heading>,
    pub links: Vec<LinkRef>,
    /// Byte spans (in the file) of plain prose text where a concept's first
    /// mention may become a link: not in headings, links, code or raw HTML,
    /// and written exactly as it reads (no escapes or entities).
    pub prose: Vec<Range<usize>>,
    /// Template syntax of other generators found in prose, which Altitude
    /// shows as text: the span and the generator it belongs to.
    pub foreign: Vec<(Range<usize>, &'static str)>,
    /// The events read, for the render stage to replay (see [`Events`]).
    pub events: Events,
}

/// Openings of other generators' template tags, and whose they are.
const FOREIGN_OPENINGS: &[(&str, &str, &str)] = &[
    ("{{<", ">}}", "a Hugo shortcode"),
    ("{{%", "%}}", "a Hugo shortcode"),
    (
        "{%",
        "%}",
        "a Liquid/Jinja tag (Jekyll, Eleventy, MkDocs macros)",
    ),
];

fn flush_run(
    body: &str,
    offset: usize,
    run: &mut Option<Range<usize>>,
    found: &mut Vec<(Range<usize>, &'static str)>,
) {
    if let Some(run) = run.take() {
        if let Some(text) = body.get(run.clone()) {
            find_foreign(text, run.start + offset, found);
        }
    }
}

/// Finds other generators' tags in a piece of prose at byte `start`: at
/// each `{` (every opening starts with one, and prose rarely has any), the
/// longest opening there, up to its closing.
fn find_foreign(text: &str, start: usize, found: &mut Vec<(Range<usize>, &'static str)>) {
    let mut from = 0;
    while let Some(i) = text[from..].find('{') {
        let at = from + i;
        let rest = &text[at..];
        let opening = FOREIGN_OPENINGS
            .iter()
            .filter(|(open, ..)| rest.starts_with(open))
            .max_by_key(|(open, ..)| open.len());
        let Some((open, close, what)) = opening else {
            from = at + 1;
            continue;
        };
        let end = text[at + open.len()..]
            .find(close)
            .map_or(text.len(), |i| at + open.len() + i + close.len());
        found.push((start + at..start + end, what));
        from = end;
    }
}

impl Scan {
    /// The first level-1 heading, used as the title when front matter has none.
    pub fn first_h1(&self) -> Option<&Heading> {
        self.headings.iter().find(|h| h.level == 1)
    }
}

/// Scans `body`, which starts at byte `offset` of its file.
pub(crate) fn scan(body: &str, offset: usize) -> Scan {
    let mut scan = Scan::default();
    let mut ids = HeadingIds::default();
    // Plain text of the block being read, and the links waiting for it to end.
    let mut block = String::new();
    let mut pending: Vec<(usize, usize)> = Vec::new(); // (link index, position in block)
    let mut heading: Option<(u8, Option<String>, Range<usize>, String)> = None;
    // Depth of links, images and code blocks: no auto-links inside them.
    let mut no_autolink_depth = 0usize;
    let mut in_code_block = false;
    // A run of adjacent prose text, searched for other generators' syntax.
    let mut text_run: Option<Range<usize>> = None;
    // Their tags all open with `{`: in a body without one, there are no
    // runs to search.
    let may_be_foreign = memchr::memchr(b'{', body.as_bytes()).is_some();

    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        scan.events.keep(&event, range.start, body);
        let span = range.start + offset..range.end + offset;
        if may_be_foreign && !matches!(event, Event::Text(_)) {
            flush_run(body, offset, &mut text_run, &mut scan.foreign);
        }
        match &event {
            Event::Start(
                Tag::Link { .. } | Tag::Image { .. } | Tag::CodeBlock(_) | Tag::HtmlBlock,
            ) => no_autolink_depth += 1,
            Event::End(TagEnd::Link | TagEnd::Image | TagEnd::CodeBlock | TagEnd::HtmlBlock) => {
                no_autolink_depth = no_autolink_depth.saturating_sub(1)
            }
            _ => {}
        }
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                heading = Some((
                    heading_level(level),
                    id.map(|s| s.to_string()),
                    span,
                    String::new(),
                ));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, explicit, span, text)) = heading.take() {
                    let text = text.trim().to_string();
                    let id = ids.assign(explicit.as_deref(), &text);
                    scan.headings.push(Heading {
                        level,
                        text,
                        id,
                        span,
                    });
                }
                finish_block(&mut scan.links, &mut pending, &mut block);
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) => {
                let kind = match link_type {
                    LinkType::WikiLink { .. } => LinkKind::Wiki,
                    LinkType::Autolink | LinkType::Email => continue,
                    _ => LinkKind::Markdown,
                };
                pending.push((scan.links.len(), block.len()));
                scan.links.push(LinkRef {
                    kind,
                    dest: dest_url.to_string(),
                    span,
                    context: std::sync::Arc::from(""),
                    sentence_key: crate::key::text_key(""),
                });
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                scan.links.push(LinkRef {
                    kind: LinkKind::Image,
                    dest: dest_url.to_string(),
                    span,
                    context: std::sync::Arc::from(""),
                    sentence_key: crate::key::text_key(""),
                });
            }
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            Event::Text(t) => {
                let verbatim = body.get(range.clone()) == Some(&*t);
                // The parser splits text at `<` and friends: look at whole runs.
                if may_be_foreign && !in_code_block && verbatim {
                    match &mut text_run {
                        Some(run) if run.end == range.start => run.end = range.end,
                        _ => {
                            flush_run(body, offset, &mut text_run, &mut scan.foreign);
                            text_run = Some(range.clone());
                        }
                    }
                }
                if heading.is_none() && no_autolink_depth == 0 && verbatim {
                    scan.prose.push(span.clone());
                }
                block.push_str(&t);
                if let Some(h) = heading.as_mut() {
                    h.3.push_str(&t);
                }
            }
            Event::Code(t) => {
                block.push_str(&t);
                if let Some(h) = heading.as_mut() {
                    h.3.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => block.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell) => {
                finish_block(&mut scan.links, &mut pending, &mut block);
            }
            _ => {}
        }
    }
    finish_block(&mut scan.links, &mut pending, &mut block);
    flush_run(body, offset, &mut text_run, &mut scan.foreign);
    scan.events.finish();
    scan
}

/// Gives every link that stood in the finished block the sentence around it.
fn finish_block(links: &mut [LinkRef], pending: &mut Vec<(usize, usize)>, block: &mut String) {
    for (index, position) in pending.drain(..) {
        if let Some(link) = links.get_mut(index) {
            link.context = sentence_around(block, position).into();
            link.sentence_key = crate::key::text_key(&link.context);
        }
    }
    block.clear();
}

/// The sentence of `text` that contains byte `position`.
pub(crate) fn sentence_around(text: &str, position: usize) -> String {
    let position = position.min(text.len());
    let is_end = |c: char| matches!(c, '.' | '!' | '?');
    let start = text[..position]
        .char_indices()
        .rev()
        .find(|&(i, c)| is_end(c) && text[i + 1..].starts_with(' '))
        .map_or(0, |(i, _)| i + 1);
    let end = text[position..]
        .char_indices()
        .find(|&(_, c)| is_end(c))
        .map_or(text.len(), |(i, c)| position + i + c.len_utf8());
    let sentence = text[start..end].trim();
    truncate_chars(sentence, 240)
}

pub(crate) fn truncate_chars(s: &str, max: usize) -> String {
    // No char starts at `max` or later in fewer bytes than that: most
    // strings are told apart without counting.
    if s.len() <= max {
        return s.to_string();
    }
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", s[..i].trim_end()),
        None => s.to_string(),
    }
}

pub(crate) fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Assigns unique heading ids within a page the way GitHub does, so anchors
/// written for a repository's markdown keep working.
#[derive(Default)]
struct HeadingIds {
    /// How many headings have each id so far, counting the theme's own
    /// use of a [`RESERVED_IDS`] id as one.
    seen: FastMap<String, usize>,
}

/// Ids the theme's templates use; a heading "Main" becomes `main-1`.
const RESERVED_IDS: &[&str] = &[
    "main",
    "theme-toggle",
    "sidebar-sections",
    "glossary",
    "altitude-previews",
    "altitude-preview",
    "concept-map",
];

impl HeadingIds {
    fn assign(&mut self, explicit: Option<&str>, text: &str) -> String {
        let base = explicit.map_or_else(|| slugify(text), str::to_string);
        let base = if base.is_empty() {
            "section".to_string()
        } else {
            base
        };
        let reserved = usize::from(RESERVED_IDS.contains(&base.as_str()));
        let count = self.seen.entry(base.clone()).or_insert(reserved);
        let id = if *count == 0 {
            base.clone()
        } else {
            format!("{base}-{count}")
        };
        *count += 1;
        id
    }
}

/// GitHub's anchor algorithm: lowercase, keep letters, digits, `-` and `_`,
/// spaces become `-`.
pub fn slugify(text: &str) -> String {
    let text = text.trim();
    // Sized once, and ASCII lowercased without `to_lowercase`'s iterator:
    // every heading and anchor of the site comes through here.
    let mut slug = String::with_capacity(text.len());
    let mut keep = |c: char| match c {
        ' ' => slug.push('-'),
        c if c.is_alphanumeric() || c == '-' || c == '_' => slug.push(c),
        _ => {}
    };
    for c in text.chars() {
        if c.is_ascii() {
            keep(c.to_ascii_lowercase());
        } else {
            c.to_lowercase().for_each(&mut keep);
        }
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_body_scans_to_nothing() {
        // `Page::generated` skips the scan of an empty body on this account.
        assert_eq!(scan("", 0), Scan::default());
    }

    #[test]
    fn other_generators_tags_are_found_longest_first_up_to_their_close() {
        let text = "a {b} {{< note >}} c {{% x %}} d {% if y %} e {{ z }} f {% open";
        let mut found = Vec::new();
        find_foreign(text, 100, &mut found);
        let tags: Vec<(&str, &str)> = found
            .iter()
            .map(|(span, what)| (&text[span.start - 100..span.end - 100], *what))
            .collect();
        assert_eq!(
            tags,
            [
                ("{{< note >}}", "a Hugo shortcode"),
                ("{{% x %}}", "a Hugo shortcode"),
                (
                    "{% if y %}",
                    "a Liquid/Jinja tag (Jekyll, Eleventy, MkDocs macros)"
                ),
                (
                    "{% open",
                    "a Liquid/Jinja tag (Jekyll, Eleventy, MkDocs macros)"
                ),
            ]
        );
    }

    #[test]
    fn truncation_counts_chars_not_bytes() {
        assert_eq!(truncate_chars("abc", 3), "abc");
        assert_eq!(truncate_chars("abcd", 3), "abc…");
        assert_eq!(truncate_chars("ab d", 3), "ab…");
        assert_eq!(truncate_chars("éé", 2), "éé");
        assert_eq!(truncate_chars("ééé", 2), "éé…");
    }

    #[test]
    fn slugify_matches_github() {
        assert_eq!(slugify("Why it matters"), "why-it-matters");
        assert_eq!(slugify("PM vs. Director (2024)"), "pm-vs-director-2024");
        assert_eq!(slugify("Ça va?"), "ça-va");
    }

    #[test]
    fn heading_ids_are_unique_and_honor_explicit_ids() {
        let s = scan("# A\n\n## Notes\n\n## Notes\n\n## Custom {#mine}\n", 0);
        let ids: Vec<_> = s.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, vec!["a", "notes", "notes-1", "mine"]);
        let main = scan("## Main\n", 0);
        assert_eq!(main.headings[0].id, "main-1", "theme ids are never reused");
        assert_eq!(s.first_h1().unwrap().text, "A");
    }

    #[test]
    fn links_carry_kind_span_and_sentence() {
        let body = "Intro. See [[Owner|the owner]] now! Then [x](a.md#b).\n\n`[[not]]`\n";
        let s = scan(body, 10);
        assert_eq!(s.links.len(), 2);
        assert_eq!(s.links[0].kind, LinkKind::Wiki);
        assert_eq!(s.links[0].dest, "Owner");
        assert_eq!(s.links[0].span.start, 10 + body.find("[[").unwrap());
        assert_eq!(&*s.links[0].context, "See the owner now!");
        assert_eq!(s.links[1].kind, LinkKind::Markdown);
        assert_eq!(s.links[1].dest, "a.md#b");
        assert_eq!(&*s.links[1].context, "Then x.");
    }
}
