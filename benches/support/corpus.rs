//! A generated playbook for benchmarks and scale tests, deterministic from a
//! seed: N pages of prose with headings, lists, tables, code and quotes, in
//! sections of 50; N/10 concepts with aliases; about five links per page
//! (`[[Concept]]`, `[[Page#Heading]]`, relative `.md` links with anchors);
//! and a company layer that extends one page in ten.
//!
//! Shared by the benchmarks in `benches/` and the 2,000-page test
//! (`#[path]`-included), so all three build the same kind of site.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::Path;

/// splitmix64: small, fast, and the same numbers on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// Skewed towards small numbers, like word frequencies in prose.
    pub fn zipf(&mut self, n: usize) -> usize {
        let a = self.below(n) + 1;
        let b = self.below(n) + 1;
        (a * b / n).min(n - 1)
    }
}

const ONSETS: &[&str] = &[
    "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br",
    "cr", "dr", "fl", "gr", "pl", "pr", "sh", "st", "tr", "th", "ch",
];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ea", "ou", "io"];
const CODAS: &[&str] = &[
    "", "n", "r", "l", "s", "t", "m", "nd", "rk", "st", "ng", "x",
];
const FUNCTION_WORDS: &[&str] = &[
    "the", "a", "and", "of", "to", "in", "is", "that", "for", "it", "with", "as", "on", "be", "by",
    "this", "are", "or", "from", "at", "not", "but", "your", "team", "we", "they",
];

/// The corpus: its pages and its company layer, as (path, text).
pub struct Corpus {
    pub pages: Vec<(String, String)>,
    pub layer: Vec<(String, String)>,
    /// Page titles and where they live, for queries with known answers.
    pub titles: Vec<(String, String)>,
    pub concepts: Vec<Concept>,
    pub vocabulary: Vec<String>,
}

pub struct Concept {
    pub title: String,
    pub alias: String,
    pub path: String,
}

struct PagePlan {
    section: usize,
    slug: String,
    title: String,
    headings: Vec<String>,
}

/// The second half of an alias: `ownership-loop`, `cadence-gap`.
const ALIAS_ENDS: &[&str] = &["loop", "gap", "map", "debt", "check"];

/// Bump when the generator changes: the corpora written under
/// `target/bench-corpus` are then generated afresh.
pub const GENERATION: u32 = 2;

/// Where this generation's corpus called `name` is written, under
/// `target/bench-corpus`.
pub fn folder(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("target/bench-corpus/g{GENERATION}"))
        .join(name)
}

fn vocabulary(rng: &mut Rng, size: usize) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut words = Vec::with_capacity(size);
    while words.len() < size {
        let syllables = 2 + rng.below(2);
        let mut w = String::new();
        for _ in 0..syllables {
            w.push_str(ONSETS[rng.below(ONSETS.len())]);
            w.push_str(VOWELS[rng.below(VOWELS.len())]);
        }
        w.push_str(CODAS[rng.below(CODAS.len())]);
        if w.len() >= 4 && seen.insert(w.clone()) {
            words.push(w);
        }
    }
    words
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn slug(s: &str) -> String {
    s.to_lowercase().replace(' ', "-")
}

impl Corpus {
    pub fn generate(pages: usize, seed: u64) -> Corpus {
        let mut rng = Rng::new(seed);
        let vocab = vocabulary(&mut rng, 4000);
        let concept_count = (pages / 10).max(1);
        let mut used = std::collections::HashSet::new();
        let mut phrase = |rng: &mut Rng, words: usize| loop {
            let p: Vec<&str> = (0..words)
                .map(|_| vocab[rng.below(vocab.len())].as_str())
                .collect();
            let p = capitalise(&p.join(" "));
            if used.insert(p.to_lowercase()) {
                return p;
            }
        };
        // An alias is a term of its own (`word-loop`), as a playbook's
        // are, so prose mentions it only on purpose: a plain vocabulary
        // word would be auto-linked wherever the prose happens to use it.
        let mut aliases = std::collections::HashSet::new();
        let concepts: Vec<Concept> = (0..concept_count)
            .map(|_| {
                let title = phrase(&mut rng, 2);
                let alias = loop {
                    let word = &vocab[rng.below(vocab.len())];
                    let alias = format!("{word}-{}", ALIAS_ENDS[rng.below(ALIAS_ENDS.len())]);
                    if aliases.insert(alias.clone()) {
                        break alias;
                    }
                };
                Concept {
                    path: format!("concepts/{}.md", slug(&title)),
                    title,
                    alias,
                }
            })
            .collect();
        let plans: Vec<PagePlan> = (0..pages)
            .map(|i| PagePlan {
                section: i / 50,
                slug: format!("page-{i}"),
                title: phrase(&mut rng, 3),
                headings: {
                    let count = 3 + rng.below(3);
                    (0..count).map(|_| phrase(&mut rng, 2)).collect()
                },
            })
            .collect();
        let mut out = Corpus {
            pages: Vec::new(),
            layer: Vec::new(),
            titles: Vec::new(),
            concepts: Vec::new(),
            vocabulary: vocab.clone(),
        };
        out.pages.push((
            "playbook.toml".into(),
            "title = \"Generated playbook\"\nbase = \"none\"\n".into(),
        ));
        out.pages.push((
            "index.md".into(),
            "# Generated playbook\n\nThe home page.\n".into(),
        ));
        for section in 0..pages.div_ceil(50) {
            out.pages.push((
                format!("section-{section}/index.md"),
                format!("+++\ntitle = \"Section {section}\"\norder = {section}\n+++\n"),
            ));
        }
        out.pages.push((
            "concepts/index.md".into(),
            "+++\ntitle = \"Concepts\"\n+++\n".into(),
        ));
        for c in &concepts {
            let text = format!(
                "+++\ntitle = \"{}\"\naliases = [\"{}\"]\ndefinition = \"{}.\"\n+++\n{}\n",
                c.title,
                c.alias,
                sentence(&mut rng, &vocab, 10),
                paragraph(&mut rng, &vocab, &concepts, 3),
            );
            out.pages.push((c.path.clone(), text));
        }
        for (i, plan) in plans.iter().enumerate() {
            let path = format!("section-{}/{}.md", plan.section, plan.slug);
            let text = page_text(&mut rng, &vocab, &concepts, &plans, i);
            out.titles.push((plan.title.clone(), path.clone()));
            out.pages.push((path.clone(), text));
            if i % 10 == 3 {
                out.layer.push((
                    format!("extensions/{}.md", plan.slug),
                    format!(
                        "+++\nextends = \"{path}\"\n+++\n### Our practice\n\n{}\n",
                        paragraph(&mut rng, &vocab, &concepts, 4)
                    ),
                ));
            }
        }
        out.layer.push((
            "playbook.toml".into(),
            "name = \"Company\"\nbase = \"../base\"\n".into(),
        ));
        out.concepts = concepts;
        out
    }

    /// Writes the base playbook to `dir/base` and the company layer to
    /// `dir/company`; build `dir/company` to get both.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        for (root, files) in [("base", &self.pages), ("company", &self.layer)] {
            for (path, text) in files {
                let target = dir.join(root).join(path);
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(target, text)?;
            }
        }
        Ok(())
    }
}

fn sentence(rng: &mut Rng, vocab: &[String], words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        let w = if rng.below(3) == 0 {
            FUNCTION_WORDS[rng.below(FUNCTION_WORDS.len())]
        } else {
            vocab[rng.zipf(vocab.len())].as_str()
        };
        if i == 0 {
            s.push_str(&capitalise(w));
        } else {
            s.push(' ');
            s.push_str(w);
        }
    }
    s
}

fn paragraph(rng: &mut Rng, vocab: &[String], concepts: &[Concept], sentences: usize) -> String {
    let mut p = String::new();
    for i in 0..sentences {
        if i > 0 {
            p.push(' ');
        }
        let words = 8 + rng.below(10);
        p.push_str(&sentence(rng, vocab, words));
        // Now and then a concept is mentioned in passing, by its title or
        // its alias (auto-linking).
        if rng.below(6) == 0 {
            let c = &concepts[rng.below(concepts.len())];
            let name = if rng.below(2) == 0 {
                c.title.to_lowercase()
            } else {
                c.alias.clone()
            };
            let _ = write!(p, " with {name}");
        }
        p.push('.');
    }
    p
}

fn page_text(
    rng: &mut Rng,
    vocab: &[String],
    concepts: &[Concept],
    plans: &[PagePlan],
    i: usize,
) -> String {
    let plan = &plans[i];
    let mut t = format!(
        "+++\ntitle = \"{}\"\nsummary = \"{}.\"\norder = {i}\n+++\n{}\n",
        plan.title,
        sentence(rng, vocab, 9),
        paragraph(rng, vocab, concepts, 3)
    );
    // About five links: two concepts, one page#heading, two relative links.
    let mut links = Vec::new();
    for _ in 0..2 {
        links.push(format!("[[{}]]", concepts[rng.below(concepts.len())].title));
    }
    let other = &plans[rng.below(plans.len())];
    let heading = &other.headings[rng.below(other.headings.len())];
    links.push(format!("[[{}#{}]]", other.title, heading));
    for _ in 0..2 {
        let o = &plans[rng.below(plans.len())];
        let h = &o.headings[rng.below(o.headings.len())];
        let dir = if o.section == plan.section {
            String::new()
        } else {
            format!("../section-{}/", o.section)
        };
        links.push(format!(
            "[{}]({dir}{}.md#{})",
            o.title.to_lowercase(),
            o.slug,
            slug(h)
        ));
    }
    for (n, heading) in plan.headings.iter().enumerate() {
        let _ = write!(
            t,
            "\n## {heading}\n\n{}",
            paragraph(rng, vocab, concepts, 3)
        );
        if let Some(link) = links.get(n) {
            let _ = write!(t, " See {link}.");
        }
        t.push('\n');
        match n % 4 {
            0 => {
                t.push('\n');
                for _ in 0..3 {
                    let _ = writeln!(t, "- {}", sentence(rng, vocab, 6));
                }
            }
            1 => {
                let _ = write!(
                    t,
                    "\n| {} | {} |\n|---|---|\n| {} | {} |\n| {} | {} |\n",
                    vocab[rng.below(vocab.len())],
                    vocab[rng.below(vocab.len())],
                    sentence(rng, vocab, 3),
                    sentence(rng, vocab, 3),
                    sentence(rng, vocab, 3),
                    sentence(rng, vocab, 3)
                );
            }
            2 => {
                let _ = write!(
                    t,
                    "\n```text\n{} = {}\n```\n",
                    vocab[rng.below(vocab.len())],
                    rng.below(1000)
                );
            }
            _ => {
                let _ = write!(t, "\n> {}.\n", sentence(rng, vocab, 12));
            }
        }
    }
    for link in links.iter().skip(plan.headings.len()) {
        let _ = write!(t, "\nAlso: {link}.\n");
    }
    t
}
