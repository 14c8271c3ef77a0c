//! `serve` rebuilds reuse what did not change; the result must be the very
//! same files a full build gives. A seeded series of random edits (text,
//! links, definitions, titles, new and deleted pages, settings, templates)
//! compares the two after every edit.

use std::sync::Arc;

use altitude::content::SiteInput;
use altitude::pipeline::{self, Mode, Stopped};
use altitude::source::MemSource;

use crate::corpus::Rng;
use crate::support::*;

fn load_fixture(name: &str) -> MemSource {
    let mut source = MemSource::new(format!("{name}/"));
    for (path, bytes) in read_tree(&fixture(name)) {
        source.insert(&path, bytes);
    }
    source
}

fn text(source: &MemSource, path: &str) -> String {
    String::from_utf8(source.get(path).unwrap_or_default()).unwrap_or_default()
}

fn pages(source: &MemSource) -> Vec<String> {
    source
        .paths()
        .into_iter()
        .filter(|p| p.ends_with(".md"))
        .collect()
}

/// The incremental build made exactly the full build's files, byte for byte.
/// A cached build, with the files it showed before its index stage ran.
fn run_cached(
    input: &SiteInput,
    cache: &mut pipeline::Cache,
) -> (pipeline::Outcome, pipeline::SiteFiles) {
    run_stopping(input, cache, usize::MAX)
}

/// A cached build that a newer change overtakes, if it gets that far, at
/// the `stop_at`th time it asks (0: once it has loaded the pages; 1: once
/// it has resolved their links, both before it makes them; 2: before the
/// index stage; 3: once it has analysed every page, and kept that for the
/// next build; 4: halfway through scoring them; 5 and on: before and while
/// it encodes); with the files it showed.
fn run_stopping(
    input: &SiteInput,
    cache: &mut pipeline::Cache,
    stop_at: usize,
) -> (pipeline::Outcome, pipeline::SiteFiles) {
    run_stopping_if(input, cache, stop_at, true)
}

/// [`run_stopping`], where the build may stop before it makes the pages
/// only if `may_abort`.
fn run_stopping_if(
    input: &SiteInput,
    cache: &mut pipeline::Cache,
    stop_at: usize,
    may_abort: bool,
) -> (pipeline::Outcome, pipeline::SiteFiles) {
    let mut shown = pipeline::SiteFiles::new();
    let asked = std::sync::atomic::AtomicUsize::new(0);
    let superseded = || asked.fetch_add(1, std::sync::atomic::Ordering::Relaxed) >= stop_at;
    let hooks = pipeline::Hooks {
        show: &mut |pages| shown = pages.clone(),
        superseded: &superseded,
        index_pool: None,
        may_abort,
    };
    let outcome = pipeline::run_cached(input, cache, hooks);
    (outcome, shown)
}

/// A full build's files but its search index's.
fn pages_of(full: &pipeline::Outcome) -> pipeline::SiteFiles {
    full.files
        .iter()
        .filter(|(path, _)| !altitude::index::writes(path))
        .map(|(path, bytes)| (path.clone(), bytes.clone()))
        .collect()
}

/// A stopped build (see [`run_stopping`]) showed the pages and made
/// nothing else; or, stopped before it made them, showed nothing.
fn assert_stopped(
    (stopped, shown): &(pipeline::Outcome, pipeline::SiteFiles),
    stop_at: usize,
    full: &pipeline::Outcome,
    step: &str,
) {
    if full.diagnostics.has_errors() {
        return;
    }
    let expected = if stop_at <= 1 {
        Stopped::BeforePages
    } else {
        Stopped::BeforeIndex
    };
    assert_eq!(stopped.stopped, expected, "{step}: stopped at {stop_at}");
    if stopped.stopped == Stopped::BeforePages {
        assert!(
            shown.is_empty() && stopped.files.is_empty(),
            "{step}: a build stopped before its pages showed some"
        );
        return;
    }
    let pages = pages_of(full);
    assert!(shown == &pages, "{step}: the pages shown differ");
    assert!(
        stopped.files == pages,
        "{step}: a stopped build has its pages only"
    );
}

/// The incremental build made the full build's files, and showed all of
/// them but the search index's before its index stage.
fn assert_same_site(
    (incremental, shown): &(pipeline::Outcome, pipeline::SiteFiles),
    full: &pipeline::Outcome,
    step: &str,
) {
    let pages = pages_of(full);
    assert!(shown == &pages, "{step}: the pages shown early differ");
    assert_eq!(
        incremental.files.keys().collect::<Vec<_>>(),
        full.files.keys().collect::<Vec<_>>(),
        "{step}"
    );
    for (path, bytes) in &full.files {
        assert!(
            incremental.files.get(path) == Some(bytes),
            "{step}: {path} differs from a full build"
        );
    }
}

/// The incremental build reported what the full build did, each problem
/// at the same place in the same file.
fn assert_same_diagnostics(incremental: &pipeline::Outcome, full: &pipeline::Outcome, step: &str) {
    let shown = |o: &pipeline::Outcome| {
        altitude::diag::render_human(&o.diagnostics, &o.loaded.sources, false)
    };
    assert_eq!(shown(incremental), shown(full), "{step}");
}

/// One random edit, described for the failure message.
fn edit(rng: &mut Rng, source: &mut MemSource, step: usize) -> String {
    let all = pages(source);
    let page = all[rng.below(all.len())].clone();
    match rng.below(10) {
        0 => {
            let t = text(source, &page) + &format!("\nA new sentence, step {step}.\n");
            source.insert(&page, t);
            format!("append to {page}")
        }
        1 => {
            let t = text(source, &page) + "\nSee [[Owner]] and [[Focus]].\n";
            source.insert(&page, t);
            format!("links in {page}")
        }
        2 => {
            let t = text(source, "concepts/focus.md")
                .replace("definition = \"", &format!("definition = \"Step {step}: "));
            source.insert("concepts/focus.md", t);
            "focus definition".into()
        }
        3 => {
            let t = text(source, "guide/Other Page.md");
            source.insert(
                "guide/Other Page.md",
                format!("{t}\n## Heading {step}\n\nMore.\n"),
            );
            "heading added".into()
        }
        4 => {
            source.insert(
                &format!("guide/new-{step}.md"),
                format!("# New page {step}\n\nMentions leverage and the [[Owner]].\n"),
            );
            format!("new page {step}")
        }
        5 => {
            let new: Vec<String> = pages(source)
                .into_iter()
                .filter(|p| p.starts_with("guide/new-"))
                .collect();
            match new.first() {
                Some(p) => {
                    source.remove(p);
                    format!("delete {p}")
                }
                None => "nothing to delete".into(),
            }
        }
        6 => {
            source.insert(
                "playbook.toml",
                format!("base = \"none\"\ntitle = \"Link forms {step}\"\n"),
            );
            "site title".into()
        }
        7 => {
            // A front-matter title: shown in other pages' sidebars, links,
            // backlinks and previews.
            let titled: Vec<String> = all
                .iter()
                .filter(|p| text(source, p).contains("title = \""))
                .cloned()
                .collect();
            let page = &titled[rng.below(titled.len())];
            let t =
                text(source, page).replacen("title = \"", &format!("title = \"Step {step} "), 1);
            source.insert(page, t);
            format!("title of {page}")
        }
        8 => {
            // A front-matter summary: shown in previews and listings elsewhere.
            let t = text(source, "principles/weekly-review.md");
            let t = match t.find("summary = \"") {
                Some(_) => t.replacen("summary = \"", &format!("summary = \"Step {step} "), 1),
                None => t.replacen("+++\n", &format!("+++\nsummary = \"Summary {step}\"\n"), 1),
            };
            source.insert("principles/weekly-review.md", t);
            "summary of the weekly review".into()
        }
        _ => {
            source.insert(
                "templates/404.html",
                format!("<!DOCTYPE html><title>Lost {step}</title><p>Lost.</p>"),
            );
            "template".into()
        }
    }
}

#[test]
fn incremental_rebuilds_equal_full_builds_over_random_edits() {
    let mut source = load_fixture("links");
    let mut rng = Rng::new(11);
    let mut cache = altitude::pipeline::Cache::keeping();
    let mut reused = 0;
    for step in 0..40 {
        let what = edit(&mut rng, &mut source, step);
        let input = SiteInput::over(Arc::new(source.clone()));
        let full = pipeline::run(&input, Mode::Build);
        // Every third edit is overtaken by the next save first, which
        // finds nothing new: the build after it must still be whole, whether
        // the stopped one stopped before its pages, before its index stage
        // or partway through it.
        if step % 3 == 0 {
            let stop_at = (step / 3) % 7;
            let stopped = run_stopping(&input, &mut cache, stop_at);
            let what = format!("step {step} ({what})");
            assert_stopped(&stopped, stop_at, &full, &what);
        }
        let incremental = run_cached(&input, &mut cache);
        reused += cache.reused();
        assert_eq!(
            incremental
                .0
                .diagnostics
                .count(altitude::diag::Severity::Error),
            full.diagnostics.count(altitude::diag::Severity::Error),
            "step {step} ({what})"
        );
        assert_same_diagnostics(&incremental.0, &full, &format!("step {step} ({what})"));
        assert_same_site(&incremental, &full, &format!("step {step} ({what})"));
    }
    assert!(reused > 40, "the rebuilds reused pages: {reused}");
}

/// A build stopped partway through its index leaves the next to encode
/// every shard afresh. That one finishes its index (`IndexCache`), even
/// when every question says a newer change is waiting: the whole site,
/// the same as a full build's. A build stopped before its pages between
/// the two, which makes no index, leaves it so.
#[test]
fn a_build_owed_an_index_finishes_it_though_overtaken() {
    let mut source = load_fixture("links");
    let mut rng = Rng::new(5);
    let mut cache = altitude::pipeline::Cache::keeping();
    run_cached(&SiteInput::over(Arc::new(source.clone())), &mut cache);
    for step in 0..6 {
        let what = edit(&mut rng, &mut source, step);
        let input = SiteInput::over(Arc::new(source.clone()));
        let full = pipeline::run(&input, Mode::Build);
        if full.diagnostics.has_errors() {
            continue;
        }
        let stopped = run_stopping(&input, &mut cache, 6);
        assert_eq!(
            stopped.0.stopped,
            Stopped::BeforeIndex,
            "step {step} ({what})"
        );
        let (no_pages, _) = run_stopping(&input, &mut cache, 0);
        assert_eq!(
            no_pages.stopped,
            Stopped::BeforePages,
            "step {step} ({what})"
        );
        let owed = run_stopping_if(&input, &mut cache, 0, false);
        assert_eq!(owed.0.stopped, Stopped::No, "step {step} ({what})");
        assert_same_site(&owed, &full, &format!("step {step} ({what})"));
    }
}

/// A company layer over the links fixture: a section added to a principle,
/// an alias added to a concept, and a page linking into both.
fn company_layer() -> MemSource {
    MemSource::new("corp/")
        .with("playbook.toml", "name = \"Corp\"\n")
        .with(
            "extensions/weekly.md",
            "+++\nextends = \"principles/weekly-review.md\"\n+++\n### Practice\n\nAt Corp the [[decider]] reviews.\n",
        )
        .with(
            "concepts/owner-alias.md",
            "+++\nextends = \"concepts/owner.md\"\naliases = [\"decider\"]\n+++\nAt Corp, owners are named.\n",
        )
        .with(
            "notes/corp.md",
            "# Corp notes\n\nSee [[Review the week#Practice]] and ask the decider.\n",
        )
}

/// One random edit to either layer, described for the failure message.
fn layered_edit(rng: &mut Rng, base: &mut MemSource, corp: &mut MemSource, step: usize) -> String {
    let append = |source: &mut MemSource, path: &str, more: &str| {
        let t = text(source, path) + more;
        source.insert(path, t);
    };
    match rng.below(6) {
        0 => {
            append(
                corp,
                "extensions/weekly.md",
                &format!("\nStep {step} at Corp.\n"),
            );
            "extension text".into()
        }
        1 => {
            let heading = format!("Practice {step}");
            let t = text(corp, "extensions/weekly.md");
            let renamed = t
                .lines()
                .map(|l| {
                    if l.starts_with("### ") {
                        format!("### {heading}")
                    } else {
                        l.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            corp.insert("extensions/weekly.md", renamed + "\n");
            corp.insert(
                "notes/corp.md",
                format!("# Corp notes\n\nSee [[Review the week#{heading}]] and ask the decider.\n"),
            );
            "extension heading renamed, and the link to it".into()
        }
        2 => {
            let t = text(corp, "concepts/owner-alias.md").replace(
                "aliases = [\"decider\"",
                &format!("aliases = [\"decider\", \"alias {step}\""),
            );
            corp.insert("concepts/owner-alias.md", t);
            "alias added".into()
        }
        3 => {
            append(
                base,
                "principles/weekly-review.md",
                &format!("\n## Base {step}\n\nMore.\n"),
            );
            "extended page edited".into()
        }
        4 => {
            append(corp, "notes/corp.md", "\nThe owner decides.\n");
            "company page edited".into()
        }
        _ => {
            append(base, "concepts/owner.md", &format!("\nStep {step}.\n"));
            "extended concept edited".into()
        }
    }
}

#[test]
fn incremental_rebuilds_equal_full_builds_with_a_company_layer() {
    let mut base = load_fixture("links");
    let mut corp = company_layer();
    let mut rng = Rng::new(7);
    let mut cache = altitude::pipeline::Cache::keeping();
    for step in 0..25 {
        let what = layered_edit(&mut rng, &mut base, &mut corp, step);
        let mut input = SiteInput::over(Arc::new(base.clone()));
        input.extra = vec![Arc::new(corp.clone())];
        let incremental = run_cached(&input, &mut cache);
        let full = pipeline::run(&input, Mode::Build);
        assert!(
            !full.diagnostics.has_errors(),
            "step {step} ({what}): {:?}",
            full.diagnostics
        );
        assert_same_diagnostics(&incremental.0, &full, &format!("step {step} ({what})"));
        assert_same_site(&incremental, &full, &format!("step {step} ({what})"));
    }
}

/// The links fixture copied to disk and left to settle (files changed two
/// seconds ago or more are settled: their reads are kept for the next
/// build), with a site input over it.
fn settled_links_on_disk() -> (TempDir, SiteInput) {
    let site = copy_fixture("links");
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let input = SiteInput::over(Arc::new(altitude::source::FsSource::new(
        site.path().to_path_buf(),
        Vec::new(),
    )));
    (site, input)
}

/// A cached build of `input`, checked against a full build without
/// errors; the full build.
fn cached_equals_full(
    input: &SiteInput,
    cache: &mut pipeline::Cache,
    step: &str,
) -> pipeline::Outcome {
    let incremental = run_cached(input, cache);
    let full = pipeline::run(input, Mode::Build);
    assert!(
        !full.diagnostics.has_errors(),
        "{step}: {:?}",
        full.diagnostics
    );
    assert_same_site(&incremental, &full, step);
    full
}

/// Edits on disk, as an editor makes them: `serve` takes a file it read
/// before from that read while the file's stamp (size, inode, times) is
/// unchanged. An edit that keeps the size, and an edit made again within
/// the same second, must still be seen.
#[test]
fn incremental_rebuilds_see_every_edit_on_disk() {
    let (site, input) = settled_links_on_disk();
    let mut cache = altitude::pipeline::Cache::keeping();
    let page = site.join("principles/weekly-review.md");
    let original = std::fs::read_to_string(&page).unwrap();
    let check = |cache: &mut pipeline::Cache, step: &str| {
        let full = cached_equals_full(&input, cache, step);
        String::from_utf8_lossy(&full.files["principles/weekly-review/index.html"]).into_owned()
    };
    check(&mut cache, "first build");
    check(&mut cache, "every file read before");
    // Same size, so only the times tell; then again at once.
    for (step, word) in ["ZEBRA", "YACHT", "XENON"].iter().enumerate() {
        let edited = original.replacen("short", word, 1);
        assert_eq!(edited.len(), original.len());
        std::fs::write(&page, &edited).unwrap();
        let html = check(&mut cache, &format!("same-size edit {step}"));
        assert!(html.contains(word), "edit {step} ({word}) not seen");
    }
    std::fs::write(&page, format!("{original}\nA closing line.\n")).unwrap();
    let html = check(&mut cache, "longer");
    assert!(html.contains("A closing line."));
}

/// A save that leaves a sharded site's index small enough for one file:
/// the patched index must become one file, as a full build's does. The
/// page keeps its length (one word 30,000 times instead of 30,000
/// words), so the index is patched rather than made afresh.
#[test]
fn a_patched_index_becomes_one_file_when_the_site_shrinks() {
    // "zq" and four letters of `n` in base 26: distinct words.
    let word = |n: usize| -> String {
        let letters = (0..4).map(|i| char::from(b'a' + (n / 26usize.pow(i) % 26) as u8));
        "zq".chars().chain(letters).collect()
    };
    let site = |body: String| {
        let source = MemSource::new("t/")
            .with("playbook.toml", "base = \"none\"\n")
            .with("notes/words.md", format!("# Words\n\n{body}\n"))
            .with("notes/other.md", "# Other\n\nA short page.\n");
        SiteInput::over(Arc::new(source))
    };
    let many: Vec<String> = (0..30_000).map(word).collect();
    let mut cache = altitude::pipeline::Cache::keeping();
    let (sharded, _) = run_cached(&site(many.join(" ")), &mut cache);
    assert!(sharded.files.keys().any(|p| p.starts_with("search/s/")));
    let input = site(vec![word(1); 30_000].join(" "));
    let incremental = run_cached(&input, &mut cache);
    let full = pipeline::run(&input, Mode::Build);
    let script = String::from_utf8_lossy(&full.files["search/search.js"]).into_owned();
    assert!(script.contains("\"mode\":\"single\""), "one file");
    assert_same_site(&incremental, &full, "the site shrunk");
}

/// A page's links are kept while nothing they can reach changed. Renaming
/// only the heading another page links to must break that link, though
/// the linking page is untouched; naming it back must mend it.
#[test]
fn a_link_breaks_when_only_its_target_heading_changes() {
    let mut source = load_fixture("links");
    let mut cache = altitude::pipeline::Cache::keeping();
    let errors = |outcome: &pipeline::Outcome| {
        outcome
            .diagnostics
            .iter()
            .filter(|d| d.severity == altitude::diag::Severity::Error)
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
    };
    let first = run_cached(&SiteInput::over(Arc::new(source.clone())), &mut cache);
    assert!(errors(&first.0).is_empty(), "{:?}", errors(&first.0));
    for (heading, broken) in [("## Installing", true), ("## Setup", false)] {
        source.insert("guide/index.md", format!("# Guide\n\n{heading}\n"));
        let input = SiteInput::over(Arc::new(source.clone()));
        let incremental = run_cached(&input, &mut cache);
        let full = pipeline::run(&input, Mode::Build);
        assert_eq!(errors(&incremental.0), errors(&full), "{heading}");
        assert_eq!(
            errors(&full)
                .iter()
                .any(|e| e.contains("no heading `Setup`")),
            broken,
            "{heading}: {:?}",
            errors(&full)
        );
        if !broken {
            assert_same_site(&incremental, &full, heading);
        }
    }
}

/// A generated playbook of several sections with its company layer, as
/// two in-memory layers. Broken links only warn, so that retitled pages
/// leave a site to compare.
fn generated_layers() -> (MemSource, MemSource) {
    let corpus = crate::corpus::Corpus::generate(160, 5);
    let mut base = MemSource::new("base/");
    for (path, text) in &corpus.pages {
        base.insert(path, text);
    }
    let settings = text(&base, "playbook.toml") + "[links]\nlevel = \"warn\"\n";
    base.insert("playbook.toml", settings);
    let mut corp = MemSource::new("company/");
    for (path, text) in &corpus.layer {
        corp.insert(path, text);
    }
    corp.insert("playbook.toml", "name = \"Company\"\n");
    // A page with a problem in its front matter, after the sections new
    // pages go in: its warning must still name it.
    base.insert(
        "section-9/zz-colour.md",
        "+++\ntitle = \"Colour\"\ncolour = \"red\"\n+++\nPlain.\n",
    );
    (base, corp)
}

/// `base` with its company layer `corp`, built with `cache` and checked
/// against a full build; the full build.
fn layered_equals_full(
    (base, corp): (&MemSource, &MemSource),
    cache: &mut pipeline::Cache,
    step: &str,
) -> pipeline::Outcome {
    let mut input = SiteInput::over(Arc::new(base.clone()));
    input.extra = vec![Arc::new(corp.clone())];
    let incremental = run_cached(&input, cache);
    let full = pipeline::run(&input, Mode::Build);
    assert_same_site(&incremental, &full, step);
    full
}

/// The value of `field = "…"` in a page's front matter.
fn front_matter_value(text: &str, field: &str) -> Option<String> {
    let start = text.find(&format!("{field} = \""))? + field.len() + 4;
    let end = text[start..].find('"')?;
    Some(text[start..start + end].to_string())
}

/// One random edit to a page anywhere in a generated playbook: what other
/// pages show of it changes (title, summary, definition, a sentence a
/// backlink quotes, its place in the reading order), or it links across
/// sections, or pages come and go.
fn cross_section_edit(
    rng: &mut Rng,
    base: &mut MemSource,
    corp: &mut MemSource,
    step: usize,
) -> String {
    let all = pages(base);
    // Concepts half the time: they are shown on the most other pages.
    let concepts: Vec<&String> = all.iter().filter(|p| p.starts_with("concepts/")).collect();
    let page = match rng.below(2) {
        0 => concepts[rng.below(concepts.len())].clone(),
        _ => all[rng.below(all.len())].clone(),
    };
    let t = text(base, &page);
    let title_of = |rng: &mut Rng| {
        let other = &all[rng.below(all.len())];
        front_matter_value(&text(base, other), "title").unwrap_or_default()
    };
    let (changed, what) = match rng.below(10) {
        0 => (
            t.replacen("title = \"", &format!("title = \"Step {step} "), 1),
            "title",
        ),
        1 => (
            t.replacen("summary = \"", &format!("summary = \"Step {step} "), 1),
            "summary",
        ),
        2 => (
            t.replacen(
                "definition = \"",
                &format!("definition = \"Step {step} "),
                1,
            ),
            "definition",
        ),
        3 => (
            t.replacen(" See ", &format!(" At step {step} see "), 1),
            "a sentence with a link",
        ),
        4 => {
            let title = title_of(rng);
            (
                format!("{t}\nStep {step} relies on [[{title}]].\n"),
                "a link",
            )
        }
        5 => (
            t.replacen("order = ", &format!("order = {}", rng.below(300)), 1),
            "order",
        ),
        6 => {
            let section = page.split('/').next().unwrap_or("extra");
            let new = format!("{section}/new-{step}.md");
            base.insert(
                &new,
                format!("# New page {step}\n\nIt links to [[{}]].\n", all[0]),
            );
            return format!("new page {new}");
        }
        8 => match swap_opening_words(&t) {
            Some(swapped) => (swapped, "the opening words of a section"),
            None => return "no section to reword".into(),
        },
        7 => match all.iter().find(|p| p.contains("/new-")) {
            Some(gone) => {
                base.remove(gone);
                return format!("deleted {gone}");
            }
            None => return "nothing to delete".into(),
        },
        _ => {
            let extensions = pages(corp);
            let extension = &extensions[rng.below(extensions.len())];
            let title = title_of(rng);
            let more = text(corp, extension) + &format!("\nStep {step} relies on [[{title}]].\n");
            corp.insert(extension, more);
            return format!("extension {extension}");
        }
    };
    base.insert(&page, changed);
    format!("{what} of {page}")
}

/// `text` with the first two words of its first `##` section swapped:
/// the same words, so the same scores, but a new snippet in search.
fn swap_opening_words(text: &str) -> Option<String> {
    let heading = text.find("\n## ")?;
    let opening = heading + text[heading..].find("\n\n")? + 2;
    let end = opening + text[opening..].find('\n')?;
    let mut words: Vec<&str> = text[opening..end].splitn(3, ' ').collect();
    if words.len() < 3 {
        return None;
    }
    words.swap(0, 1);
    Some(format!(
        "{}{}{}",
        &text[..opening],
        words.join(" "),
        &text[end..]
    ))
}

/// Each page is found by its face: what it shows of other pages must be
/// in it. A generated playbook of several sections, where a page's sidebar
/// lists neither the pages it links to nor those that link to it, checks
/// that without the sidebar doing the work.
#[test]
fn incremental_rebuilds_equal_full_builds_across_sections() {
    const STEPS: usize = 40;
    let (mut base, mut corp) = generated_layers();
    let mut rng = Rng::new(3);
    let mut cache = altitude::pipeline::Cache::keeping();
    let mut reused = 0;
    let mut patched = 0;
    for step in 0..STEPS {
        let what = cross_section_edit(&mut rng, &mut base, &mut corp, step);
        let mut input = SiteInput::over(Arc::new(base.clone()));
        input.extra = vec![Arc::new(corp.clone())];
        let incremental = run_cached(&input, &mut cache);
        reused += cache.reused();
        // The search index was patched: only some of its shards written.
        if let Some((written, all)) = cache.shards_written() {
            patched += usize::from(written < all / 2);
        }
        let full = pipeline::run(&input, Mode::Build);
        assert_eq!(
            incremental
                .0
                .diagnostics
                .count(altitude::diag::Severity::Error),
            0,
            "step {step} ({what})"
        );
        assert_same_diagnostics(&incremental.0, &full, &format!("step {step} ({what})"));
        assert_same_site(&incremental, &full, &format!("step {step} ({what})"));
    }
    assert!(reused > STEPS * 100, "the rebuilds reused pages: {reused}");
    assert!(
        patched > STEPS / 4,
        "the search index was patched {patched} times"
    );
}

/// A save that brings a new word into the index, and one that takes it
/// out again: the word is its own stem (no surface word comes or goes), so
/// its term is added to and removed from its shards in place, and the
/// index is each time the full build's.
#[test]
fn a_new_word_comes_into_the_index_and_goes_again() {
    let (mut base, corp) = generated_layers();
    let page = pages(&base)
        .into_iter()
        .find(|p| p.starts_with("section-1/"))
        .expect("a page");
    let original = text(&base, &page);
    let mut cache = altitude::pipeline::Cache::keeping();
    for (step, text) in [
        original.clone(),
        format!("{original}\nZqxv.\n"),
        original.clone(),
    ]
    .into_iter()
    .enumerate()
    {
        base.insert(&page, text);
        let full = layered_equals_full((&base, &corp), &mut cache, &format!("step {step}"));
        let written = cache.shards_written();
        if step > 0 {
            let (written, all) = written.expect("a sharded index");
            assert!(
                written < all / 10,
                "step {step}: {written} of {all} shards written"
            );
        }
        let search: String = full
            .files
            .iter()
            .filter(|(path, _)| altitude::index::writes(path))
            .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
            .collect();
        assert_eq!(search.contains("\"zqxv\""), step == 1, "step {step}");
    }
}

/// One random edit to a page of a generated playbook on disk: mostly to its
/// prose only (a word, a sentence, a sentence with a link, a concept named
/// in passing), sometimes to what more than its body shows (a heading, its
/// summary, a new link). Returns the file and what was done.
fn prose_edit(
    rng: &mut Rng,
    root: &std::path::Path,
    pages: &[String],
    concepts: &[String],
    step: usize,
) -> (std::path::PathBuf, String) {
    let rel = &pages[rng.below(pages.len())];
    let file = root.join(rel);
    let text = std::fs::read_to_string(&file).unwrap();
    let body_at = text.rfind("+++\n").map_or(0, |at| at + 4);
    let (front, body) = text.split_at(body_at);
    let (body, what) = match rng.below(7) {
        0 => (
            body.replacen(" the ", &format!(" the step-{step} "), 1),
            "a word",
        ),
        1 => (
            format!("{body}\nStep {step} adds a sentence.\n"),
            "a sentence",
        ),
        2 => (
            body.replacen(" See ", &format!(" At step {step} see "), 1),
            "a sentence with a link",
        ),
        3 => (
            format!(
                "{body}\nStep {step} works with {}.\n",
                concepts[rng.below(concepts.len())]
            ),
            "a concept named",
        ),
        4 => (format!("{body}\n## Step {step}\n\nMore.\n"), "a heading"),
        5 => (body.to_string(), "its summary"),
        _ => (format!("{body}\nSee [[{}]].\n", pages[0]), "a new link"),
    };
    let front = match what {
        "its summary" => front.replacen("summary = \"", &format!("summary = \"Step {step} "), 1),
        _ => front.to_string(),
    };
    std::fs::write(&file, format!("{front}{body}")).unwrap();
    (file, format!("{what} in {rel}"))
}

/// Random prose edits to the pages `pages` of the playbook `input` (on
/// disk, its pages under `root`), each followed by the build: whenever
/// `pipeline::provisional` shows the saved page before the build, it must
/// be the very page the build makes. Returns how many were shown.
fn provisional_agrees_with_build(
    input: &SiteInput,
    root: &std::path::Path,
    pages: &[String],
    concepts: &[String],
    seed: u64,
) -> usize {
    let mut rng = Rng::new(seed);
    let mut cache = altitude::pipeline::Cache::keeping();
    let (mut last, _) = run_cached(input, &mut cache);
    let mut shown = 0;
    for step in 0..30 {
        // Now and then a save comes first whose build the next save stops
        // after it resolved the links: the next page shown early is then
        // shown over a site it took over, with caches the stopped build
        // left.
        // The stopped build also saw a page that came and went meanwhile,
        // shifting every page id after it: the page shown next must still
        // be auto-linked as `last` was resolved.
        if step % 4 == 3 {
            let (file, _) = prose_edit(&mut rng, root, pages, concepts, 100 + step);
            if pipeline::provisional(&mut last, &cache, &[file]).is_some() {
                let passing = root.join("aaa-passing.md");
                std::fs::write(&passing, "# Passing\n\nBriefly here.\n").unwrap();
                let stopped = run_stopping(input, &mut cache, 1).0.stopped;
                assert_eq!(stopped, Stopped::BeforePages);
                std::fs::remove_file(&passing).unwrap();
            } else {
                // A change not on show is always built to the end.
                let (built, _) = run_stopping_if(input, &mut cache, 0, false);
                assert_eq!(built.stopped, Stopped::BeforeIndex);
                let (built, _) = run_cached(input, &mut cache);
                last = built;
            }
        }
        let (file, what) = prose_edit(&mut rng, root, pages, concepts, step);
        let provisional = pipeline::provisional(&mut last, &cache, &[file]);
        let (built, _) = run_cached(input, &mut cache);
        assert!(!built.diagnostics.has_errors(), "step {step} ({what})");
        if let Some((path, html)) = provisional {
            assert!(
                built.files.get(&path) == Some(&html),
                "step {step} ({what}): {path} shown before the build differs from the build's"
            );
            shown += 1;
        }
        last = built;
    }
    shown
}

/// A saved page is shown before the build when its body alone changed
/// (`pipeline::provisional`): it must be the page the build that follows
/// makes. On a generated playbook with a company layer, and on the bundled
/// playbook (principles show their concepts and related principles), on
/// disk as an author has them.
#[test]
fn a_page_shown_before_the_build_is_the_page_the_build_makes() {
    let (tmp, corpus) = generated_on_disk("provisional", 120, 13);
    let top = tmp.join("company");
    let input = SiteInput::over(Arc::new(altitude::source::FsSource::new(top, Vec::new())));
    let pages: Vec<String> = corpus
        .pages
        .iter()
        .map(|(path, _)| path.clone())
        .filter(|p| p.ends_with(".md"))
        .collect();
    let aliases: Vec<String> = corpus.concepts.iter().map(|c| c.alias.clone()).collect();
    let shown = provisional_agrees_with_build(&input, &tmp.join("base"), &pages, &aliases, 21);
    assert!(
        shown >= 10,
        "generated: {shown} of 30 shown before the build"
    );

    let bundled = tmp.join("bundled");
    copy_dir(&repo().join("playbook"), &bundled);
    let input = SiteInput::over(Arc::new(altitude::source::FsSource::new(
        bundled.clone(),
        Vec::new(),
    )));
    let pages: Vec<String> = read_tree(&bundled)
        .into_keys()
        .filter(|p| p.ends_with(".md") && !p.ends_with("index.md"))
        .collect();
    let concepts: Vec<String> = pages
        .iter()
        .filter(|p| p.starts_with("concepts/"))
        .filter_map(|p| {
            front_matter_value(&std::fs::read_to_string(bundled.join(p)).ok()?, "title")
        })
        .map(|t| t.to_lowercase())
        .collect();
    let shown = provisional_agrees_with_build(&input, &bundled, &pages, &concepts, 5);
    assert!(shown >= 10, "bundled: {shown} of 30 shown before the build");
}

/// A concept page's local map names the other concepts of each page that
/// uses it: retitling one of those, which nothing else on the concept page
/// shows (not its sidebar, which lists only its own section's pages, nor
/// its neighbours), must reach it.
#[test]
fn a_concept_map_follows_the_title_of_a_neighbouring_concept() {
    let mut source = MemSource::new("map/");
    source.insert("playbook.toml", "base = \"none\"\ntitle = \"Map\"\n");
    let concept = |title: &str| {
        format!(
            "+++\ntitle = \"{title}\"\nkind = \"concept\"\ndefinition = \"What {title} means.\"\n+++\nA concept.\n"
        )
    };
    for (path, title) in [
        ("concepts/alpha.md", "Alpha"),
        ("concepts/focus.md", "Focus"),
        ("concepts/zeta.md", "Zeta"),
        ("models/owner.md", "Owner"),
    ] {
        source.insert(path, concept(title));
    }
    source.insert(
        "guide/rhythm.md",
        "# Rhythm\n\nKeep [focus](../concepts/focus.md) and name an [owner](../models/owner.md).\n",
    );
    let messages = |o: &pipeline::Outcome| {
        o.diagnostics
            .iter()
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
    };
    let mut cache = pipeline::Cache::keeping();
    let first = run_cached(&SiteInput::over(Arc::new(source.clone())), &mut cache);
    assert!(
        !first.0.diagnostics.has_errors(),
        "{:?}",
        messages(&first.0)
    );
    source.insert("models/owner.md", concept("Accountable owner"));
    let input = SiteInput::over(Arc::new(source.clone()));
    let incremental = run_cached(&input, &mut cache);
    let full = pipeline::run(&input, Mode::Build);
    assert!(!full.diagnostics.has_errors(), "{:?}", messages(&full));
    let focus = String::from_utf8_lossy(&full.files["concepts/focus/index.html"]).into_owned();
    assert!(
        focus.contains("Accountable owner"),
        "the map of Focus names its neighbour"
    );
    assert_same_site(&incremental, &full, "retitled a neighbouring concept");
}

/// Words of six letters or more in `text`: index terms all (no stop word
/// is that long), each one term.
fn long_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(' ')
        .filter(|w| w.len() >= 6 && w.bytes().all(|b| b.is_ascii_lowercase()))
}

/// `text` with the first `n` long words other than `word`, on its lines
/// that have `word`, made `word`: as many terms in each section as before,
/// and as many sections holding `word`, one holding it far more often.
fn crowd_with(text: &str, word: &str, n: usize) -> String {
    let mut left = n;
    let mut crowd = |line: &str| {
        line.split(' ')
            .map(
                |w| match left > 0 && w != word && long_words(w).next().is_some() {
                    true => {
                        left -= 1;
                        word
                    }
                    false => w,
                },
            )
            .collect::<Vec<_>>()
            .join(" ")
    };
    text.lines()
        .map(|line| match long_words(line).any(|w| w == word) {
            true => crowd(line),
            false => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Saves that move pages into and out of a common word's best postings
/// (the few each shard keeps), and so its best score, with the pages'
/// lengths kept: the index is patched, not made afresh, and is each time
/// the full build's.
#[test]
fn a_page_crowded_with_a_common_word_enters_its_best_postings_and_leaves() {
    let (mut base, corp) = generated_layers();
    let pages_using = |word: &str| {
        pages(&base)
            .iter()
            .filter(|p| long_words(&text(&base, p)).any(|w| w == word))
            .count()
    };
    // The long word the most pages use.
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for page in pages(&base) {
        let words: std::collections::BTreeSet<String> =
            long_words(&text(&base, &page)).map(String::from).collect();
        for word in words {
            *counts.entry(word).or_default() += 1;
        }
    }
    let (common, _) = counts
        .iter()
        .max_by_key(|(word, n)| (**n, std::cmp::Reverse(word.len())))
        .expect("a long word");
    let common = common.clone();
    assert!(pages_using(&common) > 40, "{common} is common");
    let (one, two) = {
        // The pages that use it least, for their length: far from its best.
        let mut using: Vec<(usize, String)> = pages(&base)
            .into_iter()
            .filter_map(|p| {
                let text = text(&base, &p);
                let uses = long_words(&text).filter(|w| *w == common).count();
                (uses > 0).then(|| (1000 * uses / long_words(&text).count(), p))
            })
            .collect();
        using.sort();
        (using[0].1.clone(), using[1].1.clone())
    };
    let (text_one, text_two) = (text(&base, &one), text(&base, &two));
    let steps = [
        (one.clone(), crowd_with(&text_one, &common, 12)),
        (two.clone(), crowd_with(&text_two, &common, 30)),
        (one.clone(), text_one.clone()),
        (one.clone(), crowd_with(&text_one, &common, 3)),
        (two.clone(), text_two.clone()),
    ];
    let mut cache = altitude::pipeline::Cache::keeping();
    layered_equals_full((&base, &corp), &mut cache, "first build");
    let mut patched = 0;
    for (step, (page, text)) in steps.into_iter().enumerate() {
        base.insert(&page, text);
        layered_equals_full((&base, &corp), &mut cache, &format!("step {step}"));
        let (written, all) = cache.shards_written().expect("a sharded index");
        patched += usize::from(written < all / 10);
    }
    assert!(patched >= 4, "{patched} of 5 saves patched the index");
}

/// A link that leads to another page after a save, with as many links as
/// before and no concept among them: the backlinks move with it (the
/// resolve stage keeps them while every page's references stay; debug
/// builds check kept backlinks against backlinks made afresh).
#[test]
fn a_retargeted_link_moves_its_backlink() {
    let mut source = MemSource::new("t/")
        .with("playbook.toml", "base = \"none\"\n")
        .with("notes/b.md", "# Bee\n\nB.\n")
        .with("notes/c.md", "# Sea\n\nC.\n");
    let mut cache = altitude::pipeline::Cache::keeping();
    for (step, (to, file)) in [("Bee", "b"), ("Sea", "c"), ("Bee", "b")]
        .into_iter()
        .enumerate()
    {
        source.insert("notes/a.md", format!("# Ay\n\nSee [[{to}]] first.\n"));
        let input = SiteInput::over(Arc::new(source.clone()));
        let incremental = run_cached(&input, &mut cache);
        let full = pipeline::run(&input, Mode::Build);
        assert_same_site(&incremental, &full, &format!("step {step}"));
        assert!(full.files.contains_key(&format!("notes/{file}/index.html")));
    }
}

/// With `last_updated`, `serve` dates a page it keeps once: the next save
/// finds the dated copy made of the very page the parse cache hands on,
/// instead of copying every page again, and builds what a full build does.
#[test]
fn a_kept_page_is_dated_once() {
    let site = TempDir::new("dated");
    std::fs::create_dir_all(site.join("notes")).unwrap();
    let settings = "base = \"none\"\nlast_updated = true\n";
    std::fs::write(site.join("playbook.toml"), settings).unwrap();
    for name in ["a", "b"] {
        let text = format!("# {name}\n\nText.\n");
        std::fs::write(site.join(&format!("notes/{name}.md")), text).unwrap();
    }
    crate::deploy::commit_all(site.path());
    let source = altitude::source::FsSource::new(site.path().to_path_buf(), Vec::new());
    let input = SiteInput::over(Arc::new(source));
    let mut cache = altitude::pipeline::Cache::keeping();
    let dated = |outcome: &pipeline::Outcome| -> Vec<Arc<altitude::content::Page>> {
        let pages = outcome.loaded.pages.iter();
        pages.filter(|p| p.updated.is_some()).cloned().collect()
    };
    let (first, _) = run_cached(&input, &mut cache);
    let (again, _) = run_cached(&input, &mut cache);
    assert_eq!(dated(&first).len(), 2, "both pages dated");
    let same = dated(&first)
        .iter()
        .zip(dated(&again))
        .all(|(a, b)| Arc::ptr_eq(a, &b));
    assert!(same, "a kept page dated again");
    std::fs::write(site.join("notes/a.md"), "# a\n\nMore text.\n").unwrap();
    cached_equals_full(&input, &mut cache, "edited");
    cached_equals_full(&input, &mut cache, "again");
}
