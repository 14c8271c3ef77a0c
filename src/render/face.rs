//! Each page's face: everything its template context reads except the
//! pages' bodies. `serve` keys each page by its face, its template and its
//! bodies' keys, so after a save it finds every page the save did not reach
//! without building its context.
//!
//! A face is made of parts hashed on their own: the site's (templates,
//! settings, layers), the page's own (its front matter, headings and
//! everything the resolve stage found for it), its sidebar's key, and the
//! shown part of each page its context reads of (a link target's title and
//! summary, a backlink's title, a neighbour's title, ...). So a save that
//! changes a sentence a backlink quotes reaches the page it links to, not
//! the whole site. The home page and the concept map list every page: their
//! face holds every page's own part.
//!
//! The pages' byte spans are left out on purpose: an edit shifts every span
//! after it, and no context shows one. For the same reason pages are named
//! by identity (layer, path, URL), not by id: a new page shifts the ids of
//! every page after it. Each list is hashed with its length
//! and each optional part with its presence, so no two faces feed the hash
//! the same bytes. Whatever else a context reads must be here; in
//! debug builds every page found this way is checked against its full
//! context key, so a part missed here fails the incremental tests.

use std::hash::Hash;
use std::sync::Arc;

use rayon::prelude::*;

use crate::content::{Loaded, Page, PageId};
use crate::key::{ByPage, Key};
use crate::links::{Resolved, Target};

use super::context::ContextBuilder;

/// The parts faces are made of, for one build.
pub(super) struct Faces {
    /// Templates, settings, layers, and which page is the concept map.
    site: u128,
    /// Each page's own part: the page and what the resolve stage found
    /// for it.
    own: Vec<u128>,
    /// Each page's shown part: what other pages' contexts read of it.
    shown: Vec<u128>,
    /// Each page's concepts' shown parts, counted: what a concept page's
    /// local map reads of each page that refers to it.
    concepts_shown: Vec<u128>,
    /// Every page's own part and the site's lists, for the pages that
    /// list every principle and concept.
    whole: u128,
}

impl Faces {
    /// The parts of the site `loaded` and `resolved` describe, whose
    /// contexts `builder` makes, under templates with key `templates`;
    /// each page's identity and own face from `kept` where the page is the
    /// one they were made from.
    pub(super) fn new(
        (loaded, resolved): (&Loaded, &Resolved),
        builder: &ContextBuilder<'_>,
        templates: u128,
        kept: &mut ByPage<(u128, u128)>,
    ) -> Faces {
        let map_page = builder.map_page();
        let mut site = Key::new();
        site.add(templates).add(&loaded.config);
        site.add(loaded.layers.len());
        for layer in &loaded.layers {
            site.add(&layer.name).add(&layer.edit_url);
        }
        site.add(map_page.map(|m| &loaded.pages[m].url));
        let parts = kept.values(&loaded.pages, |p| (identity(p), page_face(p)));
        let (ident, page_faces): (Vec<u128>, Vec<u128>) = parts.into_iter().unzip();
        // Each page's parts are hashed on their own, in parallel: a big
        // site's parts are hashed on every save.
        let (own, shown): (Vec<u128>, Vec<u128>) = (0..loaded.pages.len())
            .into_par_iter()
            .map(|id| {
                let shown = shown_part(resolved, (&ident, &page_faces), id);
                (own_part(&loaded.pages, resolved, &ident, id, shown), shown)
            })
            .unzip();
        let concepts_shown = (0..loaded.pages.len())
            .into_par_iter()
            .map(|id| {
                let mut key = Key::new();
                let concepts = resolved.concepts.get(id).map_or(&[][..], Vec::as_slice);
                add_values(&mut key, concepts.iter().map(|&c| shown[c]));
                key.finish()
            })
            .collect();
        let mut whole = Key::new();
        whole.add(&own);
        add_lists(&mut whole, resolved, &ident);
        Faces {
            site: site.finish(),
            own,
            shown,
            concepts_shown,
            whole: whole.finish(),
        }
    }

    /// Page `id`'s key by its face, when it is rendered with `template`
    /// by `builder`, showing bodies of keys `bodies` (its own, then its
    /// extensions'). Its own part names it (its path, layer and URL).
    pub(super) fn page_key(
        &self,
        builder: &ContextBuilder<'_>,
        resolved: &Resolved,
        id: PageId,
        template: &str,
        bodies: &[u128],
    ) -> u128 {
        let mut key = Key::new();
        key.add(self.site)
            .add(template)
            .add(bodies)
            .add(builder.sidebar_key(id))
            .add(self.own[id]);
        // An extension's links are previewed on the page it extends.
        for &e in &resolved.extensions[id] {
            key.add(self.own[e]);
        }
        let mut count = 0usize;
        // The pages read at fixed places (the breadcrumbs' home and
        // section index, the neighbours in reading order), each hashed
        // present or not; then the lists of pages read, as one counted
        // list. A shown part names its page.
        let fixed = [
            resolved.home,
            builder.section_index(id),
            builder.neighbour_id(id, -1),
            builder.neighbour_id(id, 1),
        ];
        for p in fixed {
            key.add(p.map(|p| self.shown[p]));
        }
        for_each_read(resolved, id, |read| {
            key.add(match read {
                Read::Page(p) => self.shown[p],
                Read::ConceptsOf(p) => self.concepts_shown[p],
            });
            count += 1;
        });
        key.add(count);
        if builder.lists_all(id) {
            key.add(self.whole);
        }
        key.finish()
    }

    /// The key of a page made of the whole site (the print edition, the
    /// 404 and search pages), rendered with `template` at depth `root`:
    /// everything its context reads. The sidebar of a page outside the
    /// sections, the home (in the breadcrumbs), and, on a page that lists
    /// them (the print edition, `print_bodies` the keys of its bodies),
    /// each principle with its body as printed and each concept.
    pub(super) fn special_key(
        &self,
        (builder, resolved): (&ContextBuilder<'_>, &Resolved),
        template: &str,
        root: &str,
        print_bodies: Option<&[u128]>,
    ) -> u128 {
        let mut key = Key::new();
        key.add(self.site)
            .add(template)
            .add(root)
            .add(builder.outside_sidebar_key(root))
            .add(resolved.home.map(|h| self.shown[h]));
        if let Some(print_bodies) = print_bodies {
            add_values(&mut key, resolved.principles.iter().map(|&p| self.shown[p]));
            key.add(print_bodies);
            let concepts = resolved.concept_list.iter();
            add_values(&mut key, concepts.map(|&c| self.shown[c]));
        }
        key.finish()
    }
}

/// What a context reads of another page: the page, or its concepts.
enum Read {
    Page(PageId),
    ConceptsOf(PageId),
}

/// Calls `read` with each page in the lists of pages page `id`'s context
/// reads, as `render::context` does: concepts, related pages, backlinks and
/// the concepts of their pages (the local map), the section's listing, and
/// the link targets previewed.
fn for_each_read(r: &Resolved, id: PageId, mut read: impl FnMut(Read)) {
    let mut page = |p: PageId| read(Read::Page(p));
    r.concepts[id].iter().copied().for_each(&mut page);
    for related in &r.related[id] {
        page(related.page);
        related.shared.iter().copied().for_each(&mut page);
    }
    for backlink in &r.backlinks[id] {
        page(backlink.from);
    }
    r.children[id].iter().copied().for_each(&mut page);
    for p in r.shown(id) {
        for t in r.targets[p].iter() {
            if let Target::Page { page: to, .. } = t {
                page(*to);
            }
        }
        r.autolinks[p].iter().for_each(|a| page(a.concept));
    }
    // A concept page's local map shows the concepts of each page that
    // refers to it.
    for backlink in &r.backlinks[id] {
        read(Read::ConceptsOf(backlink.from));
    }
}

fn add_page(key: &mut Key, page: &Page) {
    key.add(page.layer)
        .add(&page.path)
        .add(&page.url)
        .add(page.kind)
        .add(&page.title)
        .add(&page.summary)
        .add(&page.template)
        .add(page.order)
        .add(page.autolink)
        .add(page.skip_first_h1)
        .add(&page.defined_in)
        .add(page.generated)
        .add(&page.updated);
    key.add(page.extends.as_ref().map(|s| &s.value))
        .add(page.replaces.as_ref().map(|s| &s.value));
    add_values(key, page.headings.iter().map(|h| (h.level, &h.text, &h.id)));
    key.add(page.principle.is_some())
        .add(page.concept.is_some());
    if let Some(p) = &page.principle {
        key.add(p.altitude).add(p.horizon).add(&p.role_shift);
        add_values(key, p.concepts.iter().map(|c| &c.value));
        key.add(p.defines.len());
        for d in &p.defines {
            key.add(&d.title.value).add(&d.definition);
            add_values(key, d.aliases.iter().map(|a| &a.value));
        }
    }
    if let Some(c) = &page.concept {
        key.add(&c.definition);
        add_values(key, c.aliases.iter().map(|a| &a.value));
    }
}

fn add_values<T: Hash>(key: &mut Key, values: impl Iterator<Item = T>) {
    let mut count = 0usize;
    for v in values {
        key.add(v);
        count += 1;
    }
    key.add(count);
}

/// What names a page in other pages' keys: its layer, path and URL, not
/// its id. Adding or removing a page shifts the ids of the pages after it,
/// which changes nothing any of them shows.
fn identity(page: &Page) -> u128 {
    let mut key = Key::new();
    key.add(page.layer).add(&page.path).add(&page.url);
    key.finish()
}

/// What other pages' contexts read of a page itself (see [`add_page`]).
fn page_face(page: &Page) -> u128 {
    let mut key = Key::new();
    add_page(&mut key, page);
    key.finish()
}

/// `pages` by identity, counted.
fn add_pages(key: &mut Key, ident: &[u128], pages: &[PageId]) {
    add_values(key, pages.iter().map(|&p| ident[p]));
}

/// Where a link goes, with the page it goes to by identity.
fn add_target(key: &mut Key, ident: &[u128], target: &Target) {
    match target {
        Target::Page { page, anchor } => key.add(0u8).add(ident[*page]).add(anchor),
        Target::Asset(path) => key.add(1u8).add(path),
        Target::External => key.add(2u8),
        Target::Broken => key.add(3u8),
        Target::Hidden => key.add(4u8),
    };
}

/// Page `id` (its shown part, `shown`), and what the resolve stage found
/// for it.
fn own_part(pages: &[Arc<Page>], r: &Resolved, ident: &[u128], id: PageId, shown: u128) -> u128 {
    fn of<T>(lists: &[Vec<T>], id: PageId) -> &[T] {
        lists.get(id).map_or(&[], Vec::as_slice)
    }
    let mut key = Key::new();
    key.add(shown);
    let targets = r.targets.get(id).map_or(&[][..], |t| &t[..]);
    targets.iter().for_each(|t| add_target(&mut key, ident, t));
    key.add(targets.len());
    add_values(
        &mut key,
        of(&r.autolinks, id)
            .iter()
            .map(|a| (ident[a.concept], a.sentence_key)),
    );
    // A backlink's sentence is another page's text: its key stands for it
    // (a link's hashed once, when the page was read; a summary's, short,
    // here), so a save that changes no sentence a backlink shows keeps the
    // face.
    add_values(
        &mut key,
        of(&r.backlinks, id)
            .iter()
            .map(|b| (ident[b.from], r.sentence_key(pages, b))),
    );
    for related in of(&r.related, id) {
        key.add(ident[related.page]);
        add_pages(&mut key, ident, &related.shared);
    }
    key.add(of(&r.related, id).len());
    add_pages(&mut key, ident, of(&r.extensions, id));
    add_pages(&mut key, ident, of(&r.children, id));
    key.add(r.owner.get(id).map(|&o| ident[o]));
    key.finish()
}

/// What other pages' contexts read of page `id`: the page (its title, URL,
/// kind, summary, definition), and its concepts (a concept's local map
/// shows those of the pages that use it).
fn shown_part(r: &Resolved, (ident, page_faces): (&[u128], &[u128]), id: PageId) -> u128 {
    let mut key = Key::new();
    key.add(page_faces[id]);
    add_pages(
        &mut key,
        ident,
        r.concepts.get(id).map_or(&[], Vec::as_slice),
    );
    key.finish()
}

/// The resolve stage's site-wide lists, which the home page and the
/// concept map show.
fn add_lists(key: &mut Key, r: &Resolved, ident: &[u128]) {
    key.add(r.home.map(|h| ident[h]));
    add_pages(key, ident, &r.reading_order);
    add_pages(key, ident, &r.principles);
    add_pages(key, ident, &r.concept_list);
}
