//! A body's markdown events, kept from the load stage's parse for the
//! render stage to replay.
//!
//! Why: the render stage needs the same events the load stage's scan read,
//! and parsing each body a second time was 8 % of a 10,000-page build.
//! Kept as pulldown-cmark gives them (`Event`, 80 bytes and more, each
//! string its own allocation) they would cost about 8 KB a page, 800 MB at
//! 100,000 pages. Kept here they cost 16 bytes an event, about 1.3 KB a
//! page: a text is the range of the body it was read from (pulldown-cmark
//! hands out most strings as slices of its input), a tag without strings
//! is itself, and a link is an index into a table of its strings' ranges.
//! An event with a string that is not a slice of the body (text with an
//! entity or an escape, say) or with lists (a table's alignments, a
//! heading's classes) is kept as it is, in a list of its own: such events
//! are few.

use std::ops::Range;
use std::sync::{Arc, Mutex};

use crate::sync::lock;

use pulldown_cmark::{
    BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, OffsetIter, Parser, Tag,
    TagEnd,
};

/// A page's events until a one-off build takes them: it renders each
/// body once and frees the events with it, so they are gone before the
/// page templates and the index, where the build's memory peaks (at
/// 100,000 pages they are about 250 MB). `serve` leaves them for the
/// builds after. Without them a body is parsed again.
#[derive(Debug, Default)]
pub struct KeptEvents(Mutex<Option<Arc<Events>>>);

impl KeptEvents {
    pub fn new(events: Events) -> Self {
        KeptEvents(Mutex::new(Some(Arc::new(events))))
    }

    /// The events, taken away when `take`, else left for later.
    pub fn get(&self, take: bool) -> Option<Arc<Events>> {
        let mut slot = lock(&self.0);
        match take {
            true => slot.take(),
            false => slot.clone(),
        }
    }
}

impl Clone for KeptEvents {
    fn clone(&self) -> Self {
        KeptEvents(Mutex::new(lock(&self.0).clone()))
    }
}

/// The events of one body, in order, with where each starts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Events {
    items: Vec<Item>,
    links: Vec<LinkItem>,
    /// Events kept as they are (see the module docs).
    others: Vec<Event<'static>>,
    /// Whether the body was too long for positions in a `u32` (4 GiB):
    /// then nothing is kept, and the body is parsed again.
    lost: bool,
}

// The events are a function of the body, and `Event` has no float.
impl Eq for Events {}

/// An event and the byte of the body where it starts.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Item {
    start: u32,
    kept: Kept,
}

/// A range of the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    from: u32,
    to: u32,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kept {
    Start(Plain),
    End(TagEnd),
    Text(Span),
    Code(Span),
    Html(Span),
    InlineHtml(Span),
    FootnoteReference(Span),
    /// `Start(FootnoteDefinition(label))`.
    FootnoteDefinition(Span),
    /// `Start(CodeBlock(Fenced(info)))`.
    Fenced(Span),
    /// `Start(List(first))`: 0 for none, else the first number plus one.
    List(u32),
    /// `Start(Link)` or `Start(Image)`: an index into `links`.
    Link(u32),
    SoftBreak,
    HardBreak,
    Rule,
    TaskListMarker(bool),
    /// An index into `others`.
    Other(u32),
}

/// The tags that hold no string.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Plain {
    Paragraph,
    /// Without an id, classes or attributes.
    Heading(HeadingLevel),
    BlockQuote(Option<BlockQuoteKind>),
    IndentedCode,
    HtmlBlock,
    Item,
    DefinitionList,
    DefinitionListTitle,
    DefinitionListDefinition,
    TableHead,
    TableRow,
    TableCell,
    Emphasis,
    Strong,
    Strikethrough,
    Superscript,
    Subscript,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct LinkItem {
    image: bool,
    link_type: LinkType,
    dest: Span,
    title: Span,
    id: Span,
}

impl Events {
    /// Keeps `event`, which starts at byte `start` of `body`, the text
    /// every event kept so far came from.
    pub fn keep(&mut self, event: &Event<'_>, start: usize, body: &str) {
        if self.lost || body.len() > u32::MAX as usize {
            self.lost = true;
            return;
        }
        let kept = self.compact(event, body).unwrap_or_else(|| {
            self.others.push(event.clone().into_static());
            Kept::Other(self.others.len() as u32 - 1)
        });
        self.items.push(Item {
            start: start as u32,
            kept,
        });
    }

    /// Gives back the room the lists grew into beyond what they hold: a
    /// site's events are kept until its pages are rendered. (A copy of
    /// the exact size: shrinking in place keeps the room.)
    pub fn finish(&mut self) {
        self.items = self.items.as_slice().to_vec();
        self.links = self.links.as_slice().to_vec();
    }

    /// The events as they were kept, or as `body` parses again when they
    /// could not be kept; each with the byte where it starts.
    pub fn replay<'a>(&'a self, body: &'a str) -> Replay<'a> {
        match self.lost {
            false => Replay(Source::Kept(self, body, self.items.iter())),
            true => Replay::parse(body),
        }
    }

    fn compact(&mut self, event: &Event<'_>, body: &str) -> Option<Kept> {
        let span = |s: &CowStr<'_>| span_in(s, body);
        Some(match event {
            Event::Start(tag) => return self.compact_start(tag, body),
            Event::End(end) => Kept::End(*end),
            Event::Text(t) => Kept::Text(span(t)?),
            Event::Code(t) => Kept::Code(span(t)?),
            Event::Html(t) => Kept::Html(span(t)?),
            Event::InlineHtml(t) => Kept::InlineHtml(span(t)?),
            Event::FootnoteReference(t) => Kept::FootnoteReference(span(t)?),
            Event::SoftBreak => Kept::SoftBreak,
            Event::HardBreak => Kept::HardBreak,
            Event::Rule => Kept::Rule,
            Event::TaskListMarker(done) => Kept::TaskListMarker(*done),
            Event::InlineMath(_) | Event::DisplayMath(_) => return None,
        })
    }

    fn compact_start(&mut self, tag: &Tag<'_>, body: &str) -> Option<Kept> {
        let plain = match tag {
            Tag::Paragraph => Plain::Paragraph,
            Tag::Heading {
                level,
                id: None,
                classes,
                attrs,
            } if classes.is_empty() && attrs.is_empty() => Plain::Heading(*level),
            Tag::BlockQuote(kind) => Plain::BlockQuote(*kind),
            Tag::CodeBlock(CodeBlockKind::Indented) => Plain::IndentedCode,
            Tag::CodeBlock(CodeBlockKind::Fenced(info)) => {
                return Some(Kept::Fenced(span_in(info, body)?))
            }
            Tag::HtmlBlock => Plain::HtmlBlock,
            Tag::List(first) => {
                let first = match first {
                    None => 0,
                    Some(n) => u32::try_from(n.checked_add(1)?).ok()?,
                };
                return Some(Kept::List(first));
            }
            Tag::Item => Plain::Item,
            Tag::FootnoteDefinition(label) => {
                return Some(Kept::FootnoteDefinition(span_in(label, body)?))
            }
            Tag::DefinitionList => Plain::DefinitionList,
            Tag::DefinitionListTitle => Plain::DefinitionListTitle,
            Tag::DefinitionListDefinition => Plain::DefinitionListDefinition,
            Tag::TableHead => Plain::TableHead,
            Tag::TableRow => Plain::TableRow,
            Tag::TableCell => Plain::TableCell,
            Tag::Emphasis => Plain::Emphasis,
            Tag::Strong => Plain::Strong,
            Tag::Strikethrough => Plain::Strikethrough,
            Tag::Superscript => Plain::Superscript,
            Tag::Subscript => Plain::Subscript,
            Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            } => return self.compact_link(false, *link_type, [dest_url, title, id], body),
            Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            } => return self.compact_link(true, *link_type, [dest_url, title, id], body),
            Tag::Heading { .. } | Tag::Table(_) | Tag::MetadataBlock(_) => return None,
        };
        Some(Kept::Start(plain))
    }

    fn compact_link(
        &mut self,
        image: bool,
        link_type: LinkType,
        [dest, title, id]: [&CowStr<'_>; 3],
        body: &str,
    ) -> Option<Kept> {
        self.links.push(LinkItem {
            image,
            link_type,
            dest: span_in(dest, body)?,
            title: span_in(title, body)?,
            id: span_in(id, body)?,
        });
        Some(Kept::Link(self.links.len() as u32 - 1))
    }

    fn event<'a>(&'a self, kept: Kept, body: &'a str) -> Event<'a> {
        let text =
            |s: Span| CowStr::Borrowed(body.get(s.from as usize..s.to as usize).unwrap_or(""));
        match kept {
            Kept::Start(plain) => Event::Start(plain.tag()),
            Kept::End(end) => Event::End(end),
            Kept::Text(s) => Event::Text(text(s)),
            Kept::Code(s) => Event::Code(text(s)),
            Kept::Html(s) => Event::Html(text(s)),
            Kept::InlineHtml(s) => Event::InlineHtml(text(s)),
            Kept::FootnoteReference(s) => Event::FootnoteReference(text(s)),
            Kept::FootnoteDefinition(s) => Event::Start(Tag::FootnoteDefinition(text(s))),
            Kept::Fenced(s) => Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(text(s)))),
            Kept::List(first) => Event::Start(Tag::List(first.checked_sub(1).map(u64::from))),
            Kept::Link(n) => match self.links.get(n as usize) {
                Some(link) => Event::Start(link.tag(text)),
                None => Event::Text(CowStr::Borrowed("")),
            },
            Kept::SoftBreak => Event::SoftBreak,
            Kept::HardBreak => Event::HardBreak,
            Kept::Rule => Event::Rule,
            Kept::TaskListMarker(done) => Event::TaskListMarker(done),
            Kept::Other(n) => self
                .others
                .get(n as usize)
                .cloned()
                .unwrap_or(Event::Text(CowStr::Borrowed(""))),
        }
    }

    /// How many events are kept whole rather than compact.
    #[cfg(test)]
    fn whole(&self) -> usize {
        self.others.len()
    }
}

/// Where `s` lies in `body`, when it is a slice of it; an empty string
/// lies anywhere.
fn span_in(s: &CowStr<'_>, body: &str) -> Option<Span> {
    if s.is_empty() {
        return Some(Span { from: 0, to: 0 });
    }
    let CowStr::Borrowed(s) = s else {
        return None;
    };
    let from = (s.as_ptr() as usize).checked_sub(body.as_ptr() as usize)?;
    let to = from + s.len();
    (to <= body.len()).then_some(Span {
        from: u32::try_from(from).ok()?,
        to: u32::try_from(to).ok()?,
    })
}

impl Plain {
    fn tag(self) -> Tag<'static> {
        match self {
            Plain::Paragraph => Tag::Paragraph,
            Plain::Heading(level) => Tag::Heading {
                level,
                id: None,
                classes: Vec::new(),
                attrs: Vec::new(),
            },
            Plain::BlockQuote(kind) => Tag::BlockQuote(kind),
            Plain::IndentedCode => Tag::CodeBlock(CodeBlockKind::Indented),
            Plain::HtmlBlock => Tag::HtmlBlock,
            Plain::Item => Tag::Item,
            Plain::DefinitionList => Tag::DefinitionList,
            Plain::DefinitionListTitle => Tag::DefinitionListTitle,
            Plain::DefinitionListDefinition => Tag::DefinitionListDefinition,
            Plain::TableHead => Tag::TableHead,
            Plain::TableRow => Tag::TableRow,
            Plain::TableCell => Tag::TableCell,
            Plain::Emphasis => Tag::Emphasis,
            Plain::Strong => Tag::Strong,
            Plain::Strikethrough => Tag::Strikethrough,
            Plain::Superscript => Tag::Superscript,
            Plain::Subscript => Tag::Subscript,
        }
    }
}

impl LinkItem {
    fn tag<'a>(&self, text: impl Fn(Span) -> CowStr<'a>) -> Tag<'a> {
        let (dest_url, title, id) = (text(self.dest), text(self.title), text(self.id));
        let link_type = self.link_type;
        match self.image {
            false => Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            },
            true => Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            },
        }
    }
}

/// A body's events, replayed or parsed again (see [`Events::replay`]).
pub struct Replay<'a>(Source<'a>);

enum Source<'a> {
    Kept(&'a Events, &'a str, std::slice::Iter<'a, Item>),
    /// Boxed: the parser is large, and rarely needed.
    Parsed(Box<OffsetIter<'a, pulldown_cmark::DefaultBrokenLinkCallback>>),
}

impl<'a> Replay<'a> {
    /// The events of `body`, parsed.
    pub fn parse(body: &'a str) -> Self {
        Replay(Source::Parsed(Box::new(
            Parser::new_ext(body, super::options()).into_offset_iter(),
        )))
    }
}

impl<'a> Iterator for Replay<'a> {
    type Item = (Event<'a>, usize);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            Source::Kept(events, body, items) => {
                let item = items.next()?;
                Some((events.event(item.kept, body), item.start as usize))
            }
            Source::Parsed(parser) => parser
                .next()
                .map(|(event, range): (_, Range<usize>)| (event, range.start)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every construct the dialect knows, and strings that are not slices
    /// of the body (entities, escapes, a heading id, a table).
    const BODY: &str =
        "Intro with *emphasis*, **strong**, ~~gone~~, `code` and a [link](a.md \"Title\").

## Heading one {#custom .class key=value}

### Plain heading

- item one
- [x] done task
- [ ] open task

3. third
4. fourth

> quote
> > nested

> [!WARNING]
> Careful.

```rust
fn main() {}
```

    indented code

<div class=\"raw\">html block</div>

Inline <span>html</span>, entity &amp; escape \\* and hard  
break, soft
break.

| a | b |
|:--|--:|
| 1 | 2 |

Footnote[^1], [[Wiki Page]], [[Wiki#Heading|label]], ![image](i.png), <https://example.com>,
[ref link][ref], [collapsed][], [shortcut].

[^1]: The note.

[ref]: https://example.com/ref \"Ref title\"
[collapsed]: c.md
[shortcut]: s.md

---

999999999. a big list start

Last line with é and ✓.";

    fn parsed(body: &str) -> Vec<(Event<'_>, usize)> {
        Parser::new_ext(body, super::super::options())
            .into_offset_iter()
            .map(|(event, range)| (event, range.start))
            .collect()
    }

    fn kept(body: &str) -> Events {
        let mut events = Events::default();
        for (event, range) in Parser::new_ext(body, super::super::options()).into_offset_iter() {
            events.keep(&event, range.start, body);
        }
        events
    }

    #[test]
    fn replayed_events_are_the_parsed_events() {
        let events = kept(BODY);
        let replayed: Vec<_> = events.replay(BODY).collect();
        assert_eq!(replayed, parsed(BODY));
        assert!(events.items.len() > 100, "{}", events.items.len());
    }

    /// The point of it: common prose is kept compact.
    #[test]
    fn prose_with_links_and_lists_is_kept_compact() {
        let body = "Some *prose* with [a link](x.md) and [[A Concept]].\n\n## A heading\n\n- one\n- two\n\n```sh\nls\n```\n";
        let events = kept(body);
        assert_eq!(events.whole(), 0);
        assert_eq!(events.replay(body).collect::<Vec<_>>(), parsed(body));
        // Text that is not a slice of the body is kept whole.
        let body = "An entity: &amp; here.";
        let events = kept(body);
        assert_eq!(events.whole(), 1);
        assert_eq!(events.replay(body).collect::<Vec<_>>(), parsed(body));
    }

    /// A one-off build takes a page's events; `serve` leaves them.
    #[test]
    fn kept_events_are_taken_once_or_left() {
        let kept_events = KeptEvents::new(kept(BODY));
        assert!(kept_events.get(false).is_some());
        assert!(kept_events.clone().get(true).is_some());
        assert!(kept_events.get(true).is_some());
        assert!(kept_events.get(false).is_none());
    }

    /// Events too far into a body for a `u32` are not kept: the body is
    /// parsed again.
    #[test]
    fn events_that_could_not_be_kept_are_parsed_again() {
        let events = Events {
            lost: true,
            ..Events::default()
        };
        assert_eq!(events.replay(BODY).collect::<Vec<_>>(), parsed(BODY));
    }
}
