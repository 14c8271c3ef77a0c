//! The content model: what a page is once its source has been read.

use std::sync::Arc;

use serde::Serialize;

use crate::content::meta::Spanned;
use crate::diag::FileId;
use crate::markdown::{Heading, LinkRef};

/// Index of a page in [`crate::content::Loaded::pages`].
pub type PageId = usize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PageKind {
    Home,
    Section,
    Principle,
    Concept,
    Page,
}

impl PageKind {
    /// The lowercase name templates and messages use: `principle`, `home` …
    pub fn name(self) -> &'static str {
        match self {
            PageKind::Home => "home",
            PageKind::Section => "section",
            PageKind::Principle => "principle",
            PageKind::Concept => "concept",
            PageKind::Page => "page",
        }
    }
}

/// How far above the single user and feature a principle operates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Altitude {
    Ground,
    Product,
    Team,
    Portfolio,
    Company,
}

/// How far ahead a principle asks a leader to look.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Horizon {
    Weeks,
    Months,
    Quarters,
    Years,
}

/// One step of an axis of the altitude × horizon map, as templates see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AxisStep {
    pub key: &'static str,
    pub label: &'static str,
    pub rank: usize,
}

impl Altitude {
    pub const ALL: [Altitude; 5] = [
        Altitude::Ground,
        Altitude::Product,
        Altitude::Team,
        Altitude::Portfolio,
        Altitude::Company,
    ];
    pub const KEYS: [&'static str; 5] = ["ground", "product", "team", "portfolio", "company"];
    const LABELS: [&'static str; 5] = [
        "Ground: users and features",
        "Product: one product end to end",
        "Team: the people and how they work",
        "Portfolio: several products and bets",
        "Company: the whole business",
    ];

    pub fn from_key(key: &str) -> Option<Self> {
        Self::KEYS
            .iter()
            .position(|k| *k == key)
            .map(|i| Self::ALL[i])
    }

    pub fn step(self) -> AxisStep {
        let i = self as usize;
        AxisStep {
            key: Self::KEYS[i],
            label: Self::LABELS[i],
            rank: i + 1,
        }
    }
}

impl Horizon {
    pub const ALL: [Horizon; 4] = [
        Horizon::Weeks,
        Horizon::Months,
        Horizon::Quarters,
        Horizon::Years,
    ];
    pub const KEYS: [&'static str; 4] = ["weeks", "months", "quarters", "years"];
    const LABELS: [&'static str; 4] = ["Weeks", "Months", "Quarters", "Years"];

    pub fn from_key(key: &str) -> Option<Self> {
        Self::KEYS
            .iter()
            .position(|k| *k == key)
            .map(|i| Self::ALL[i])
    }

    pub fn step(self) -> AxisStep {
        let i = self as usize;
        AxisStep {
            key: Self::KEYS[i],
            label: Self::LABELS[i],
            rank: i + 1,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct PrincipleMeta {
    pub altitude: Altitude,
    pub horizon: Horizon,
    pub role_shift: String,
    /// Concept names as written in front matter, resolved later; includes
    /// the concepts the principle defines.
    pub concepts: Vec<Spanned<String>>,
    /// Concepts declared in this principle's front matter (`[[defines]]`).
    pub defines: Vec<DefinedConcept>,
}

/// A concept declared inside a principle rather than in a page of its own.
/// Load turns each into a generated concept page, so it gets backlinks,
/// previews and a place on the map like any other concept.
#[derive(Clone, Debug, PartialEq)]
pub struct DefinedConcept {
    pub title: Spanned<String>,
    pub definition: String,
    pub aliases: Vec<Spanned<String>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConceptMeta {
    pub definition: String,
    pub aliases: Vec<Spanned<String>>,
}

#[derive(Clone, Debug)]
pub struct Page {
    pub file: FileId,
    pub layer: usize,
    /// Source path within its layer, `principles/owner.md`.
    pub path: String,
    /// Output URL relative to the site root: `""` (home), `principles/owner/`.
    pub url: String,
    pub kind: PageKind,
    pub title: String,
    /// Where the title was written (front matter value, H1, or file start).
    pub title_span: std::ops::Range<usize>,
    pub summary: String,
    pub template: Option<String>,
    pub order: Option<i64>,
    pub autolink: Option<bool>,
    pub principle: Option<PrincipleMeta>,
    pub concept: Option<ConceptMeta>,
    /// The whole source file.
    pub text: Arc<str>,
    /// `text`'s key (`key::text_key`), for every cache key the text is in.
    pub text_key: u128,
    /// Where the markdown body starts in `text`.
    pub body_start: usize,
    /// Headings, links and prose spans are shared: `serve` hands each page
    /// it did not re-parse to the next build without copying them.
    pub headings: Arc<[Heading]>,
    pub links: Arc<[LinkRef]>,
    /// Spans of prose where concepts may be auto-linked.
    pub prose: Arc<[std::ops::Range<usize>]>,
    /// The body's markdown events, kept by the scan for the render stage.
    pub events: crate::markdown::KeptEvents,
    /// The body starts with an H1 that repeats the title; the template
    /// already prints the title, so rendering skips it.
    pub skip_first_h1: bool,
    /// For a concept declared in a principle's front matter: that
    /// principle's source path. The page itself is generated.
    pub defined_in: Option<String>,
    /// `extends`: this file is a company section added to the page at that
    /// source path in a lower layer, not a page of its own.
    pub extends: Option<Spanned<String>>,
    /// `replaces`: the lower-layer page at that path is replaced by this one.
    pub replaces: Option<Spanned<String>>,
    /// Made by the build (a folder listing, a declared concept), not a file.
    pub generated: bool,
    /// The day of the last commit to its source (`last_updated = true`).
    pub updated: Option<String>,
}

impl Page {
    /// A page the build makes up (a folder listing, a declared concept):
    /// `body` is its whole markdown text, scanned like a file's.
    pub fn generated(
        file: FileId,
        layer: usize,
        path: String,
        kind: PageKind,
        title: String,
        body: String,
    ) -> Page {
        // A folder listing has no body: nothing to scan (a big playbook
        // makes hundreds of them on every build).
        let scan = if body.is_empty() {
            crate::markdown::Scan::default()
        } else {
            crate::markdown::scan(&body, 0)
        };
        Page {
            file,
            layer,
            url: crate::content::url_for(&path),
            path,
            kind,
            title,
            title_span: 0..0,
            summary: String::new(),
            template: None,
            order: None,
            autolink: None,
            principle: None,
            concept: None,
            text_key: crate::key::text_key(&body),
            text: Arc::from(body),
            body_start: 0,
            headings: scan.headings.into(),
            links: scan.links.into(),
            prose: scan.prose.into(),
            events: crate::markdown::KeptEvents::new(scan.events),
            skip_first_h1: false,
            defined_in: None,
            extends: None,
            replaces: None,
            generated: true,
            updated: None,
        }
    }

    /// The file an author edits to change this page: its own, a declared
    /// concept's principle, or none for a folder listing.
    pub fn source_path(&self) -> Option<&str> {
        match (&self.defined_in, self.generated) {
            (Some(principle), _) => Some(principle),
            (None, false) => Some(&self.path),
            (None, true) => None,
        }
    }

    /// How messages name the page: its path, or where it was declared.
    pub fn origin(&self) -> String {
        match &self.defined_in {
            Some(principle) => format!("{} (declared in {principle})", self.title),
            None => self.path.clone(),
        }
    }
}

impl Page {
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }

    /// Folder of the source file within its layer, `principles/` or `""`.
    pub fn dir(&self) -> &str {
        self.path.rfind('/').map_or("", |i| &self.path[..=i])
    }

    /// The top-level section this page belongs to (`principles`), `""` at the root.
    pub fn section(&self) -> &str {
        self.url.split('/').next().unwrap_or("")
    }
}
