//! The sidebar, rendered once per (section, depth) rather than once per
//! page. It lists every section, so per page it would cost time in the
//! number of sections: quadratic in the size of a big handbook. Each page
//! takes the cached HTML and marks its own link.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use crate::content::{Loaded, PageId};
use crate::links::Resolved;
use crate::render::urls::link_url;

#[derive(Serialize)]
struct NavPage {
    title: String,
    url: String,
}

#[derive(Serialize)]
struct NavSection {
    title: String,
    url: String,
    current: bool,
    pages: Vec<NavPage>,
}

/// (current section key, root prefix) → the rendered `nav.html`.
#[derive(Default)]
pub(crate) struct NavCache {
    html: HashMap<(String, String), String>,
}

impl NavCache {
    /// Renders `nav.html` for each (section, root) pair a page needs. A theme
    /// without `nav.html` gets an empty sidebar.
    pub fn build(
        tera: &tera::Tera,
        loaded: &Loaded,
        resolved: &Resolved,
        keys: BTreeSet<(String, String)>,
    ) -> Result<NavCache, tera::Error> {
        let mut cache = NavCache::default();
        if !tera.get_template_names().any(|n| n == "nav.html") {
            return Ok(cache);
        }
        for (section, root) in keys {
            let mut ctx = tera::Context::new();
            ctx.insert("root", &root);
            ctx.insert("nav", &sections(loaded, resolved, &section));
            let html = tera.render("nav.html", &ctx)?;
            cache.html.insert((section, root), html);
        }
        Ok(cache)
    }

    /// The sidebar for a page in `section` shown at depth `root`, with the
    /// link to `current_url` (if any) marked as the current page.
    pub fn for_page(&self, section: &str, root: &str, current_url: Option<&str>) -> String {
        let Some(html) = self.html.get(&(section.to_string(), root.to_string())) else {
            return String::new();
        };
        match current_url {
            Some(url) => {
                let href = format!("href=\"{root}{url}\"");
                html.replacen(&href, &format!("{href} aria-current=\"page\""), 1)
            }
            None => html.clone(),
        }
    }
}

fn sections(loaded: &Loaded, resolved: &Resolved, current: &str) -> Vec<NavSection> {
    let pages = &loaded.pages;
    let url = |i: PageId| link_url(&pages[i].url, loaded.config.url_style);
    resolved
        .sections
        .iter()
        .map(|s| {
            let is_current = s.key == current;
            let listed = if is_current { s.pages.as_slice() } else { &[] };
            NavSection {
                title: s.index.map_or_else(
                    || crate::content::title_case(&s.key),
                    |i| pages[i].title.clone(),
                ),
                url: match (s.index, s.pages.first()) {
                    (Some(i), _) | (None, Some(&i)) => url(i),
                    (None, None) => String::new(),
                },
                current: is_current,
                pages: listed
                    .iter()
                    .map(|&i| NavPage {
                        title: pages[i].title.clone(),
                        url: url(i),
                    })
                    .collect(),
            }
        })
        .collect()
}
