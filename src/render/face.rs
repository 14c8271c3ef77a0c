//! The site's face: everything a page's template context reads except the
//! pages' bodies. `serve` keys each page by the face, its template, its id
//! and its own bodies' keys, so after a save that changed one page's prose
//! (the common case) it finds every other page without building its context.
//!
//! The pages' byte spans are left out on purpose: an edit shifts every span
//! after it, and no context shows one. Each list is hashed with its length
//! and each optional part with its presence, so no two faces feed the hash
//! the same bytes. Whatever else a context reads must be here; in
//! debug builds every page found this way is checked against its full
//! context key, so a field missed here fails the incremental tests.

use std::hash::Hash;

use rayon::prelude::*;

use crate::content::{Loaded, Page, PageId};
use crate::key::Key;
use crate::links::Resolved;

/// The face of the site `loaded` and `resolved` describe, under templates
/// with key `templates`.
pub(super) fn key(loaded: &Loaded, resolved: &Resolved, templates: u128) -> u128 {
    let mut key = Key::new();
    key.add(templates).add(&loaded.config);
    key.add(loaded.layers.len()).add(loaded.pages.len());
    for layer in &loaded.layers {
        key.add(&layer.name).add(&layer.edit_url);
    }
    // Each page's part is hashed on its own, in parallel: a big site's
    // face is hashed on every save.
    let pages: Vec<u128> = (0..loaded.pages.len())
        .into_par_iter()
        .map(|id| page_part(loaded, resolved, id))
        .collect();
    key.add(&pages);
    add_site(&mut key, resolved);
    key.finish()
}

/// A page's key when its face is `face`: its template, and the keys of the
/// bodies it shows (its own, then its extensions').
pub(super) fn page_key(face: u128, template: &str, id: PageId, bodies: &[u128]) -> u128 {
    let mut key = Key::new();
    key.add(face).add(template).add(id).add(bodies);
    key.finish()
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

/// Page `id`, and what the resolve stage found for it.
fn page_part(loaded: &Loaded, r: &Resolved, id: PageId) -> u128 {
    fn of<T>(lists: &[Vec<T>], id: PageId) -> &[T] {
        lists.get(id).map_or(&[], Vec::as_slice)
    }
    let mut key = Key::new();
    add_page(&mut key, &loaded.pages[id]);
    key.add(of(&r.targets, id));
    add_values(
        &mut key,
        of(&r.autolinks, id).iter().map(|a| (a.concept, &a.context)),
    );
    // A backlink's sentence is another page's text: hashed as shown, so a
    // save that changes no sentence a backlink shows keeps the face.
    add_values(
        &mut key,
        of(&r.backlinks, id)
            .iter()
            .map(|b| (b.from, r.context(&loaded.pages, b))),
    );
    add_values(
        &mut key,
        of(&r.related, id).iter().map(|x| (x.page, &x.shared)),
    );
    key.add(of(&r.concepts, id))
        .add(of(&r.extensions, id))
        .add(of(&r.children, id))
        .add(r.owner.get(id));
    key.finish()
}

/// The resolve stage's lists that are not per page, and the lengths of
/// those that are.
fn add_site(key: &mut Key, r: &Resolved) {
    key.add(r.targets.len())
        .add(r.autolinks.len())
        .add(r.backlinks.len())
        .add(r.related.len())
        .add(r.concepts.len())
        .add(r.extensions.len())
        .add(r.children.len())
        .add(r.owner.len());
    key.add(r.sections.len());
    for s in &r.sections {
        key.add(&s.key).add(s.index).add(&s.pages);
    }
    key.add(r.home)
        .add(&r.reading_order)
        .add(&r.principles)
        .add(&r.concept_list);
}
