//! A generated 2,000-page playbook, every feature on: the fast path must
//! also be the correct one. Not timed; the figures are `cargo bench`'s job.

use std::collections::BTreeMap;
use std::sync::Arc;

use altitude::content::SiteInput;
use altitude::pipeline::{self, Mode};
use altitude::source::FsSource;

use crate::corpus;
use crate::support::*;

#[test]
fn a_generated_2000_page_playbook_builds_completely() {
    let tmp = TempDir::new("scale");
    let corpus = corpus::Corpus::generate(2000, 7);
    corpus.write(tmp.path()).expect("corpus written");
    let out = tmp.join("site");
    let r = run(altitude()
        .arg("build")
        .arg(tmp.join("company"))
        .arg("--out")
        .arg(&out)
        .arg("--strict"));
    // --strict: not a single warning, so every link resolved.
    assert_eq!(r.status, 0, "{}", r.stderr);
    // A long build shows no progress line in a pipe…
    assert!(
        !r.stderr.contains('\r') && !r.stderr.contains('\x1b'),
        "{}",
        r.stderr
    );
    // …and shows one on a terminal (`script` gives it one), here at once:
    // whether a build outlasts the half second before it shows depends on
    // the machine.
    let shown = on_a_terminal(
        &format!(
            "ALTITUDE_PROGRESS_DELAY_MS=0 {} build {} --out {}",
            env!("CARGO_BIN_EXE_altitude"),
            tmp.join("company").display(),
            out.display()
        ),
        tmp.path(),
    );
    assert!(shown.contains("\x1b[2Kaltitude: render"), "{shown}");
    assert!(shown.contains(" pages"), "{shown}");

    // Every page written.
    for (_, path) in &corpus.titles {
        let url = path.trim_end_matches(".md");
        assert!(out.join(url).join("index.html").is_file(), "{url}");
    }
    // Every concept page lists backlinks, and extensions are shown.
    for concept in &corpus.concepts {
        let url = concept.path.trim_end_matches(".md");
        let html = std::fs::read_to_string(out.join(url).join("index.html")).unwrap();
        assert!(
            html.contains("class=\"backlink-list\""),
            "{url} has no backlinks"
        );
    }
    // The sidebar lists a window of sections, the current one's, and links
    // onward to the rest: 41 sections (40 and Concepts) put 30 in the first window.
    let late = std::fs::read_to_string(out.join("section-35/page-1750/index.html")).unwrap();
    let sidebar = &late[late.find("id=\"sidebar-sections\"").unwrap()..];
    let sidebar = &sidebar[..sidebar.find("</nav>").unwrap()];
    assert!(
        sidebar.contains(
            "<li class=\"nav-more\"><a href=\"../../section-0/\">30 more sections</a></li>"
        ),
        "{sidebar}"
    );
    assert!(sidebar.contains("href=\"../../section-35/page-1750/\" aria-current=\"page\""));
    assert!(!sidebar.contains("section-29/"), "{sidebar}");
    // The link back, sections 30 to 39 and Concepts, the section's 50 pages.
    assert_eq!(sidebar.matches("<li").count(), 1 + 11 + 50, "{sidebar}");
    // 200 concepts: a concept page lists its block of 60, and links onward.
    let url = corpus.concepts[0].path.trim_end_matches(".md");
    let concept = std::fs::read_to_string(out.join(url).join("index.html")).unwrap();
    let pages = &concept[concept.find("<ul class=\"nav-pages\">").unwrap()..];
    let pages = &pages[..pages.find("</ul>").unwrap()];
    assert!(pages.contains("more pages</a></li>"), "{pages}");
    assert!(pages.matches("<li").count() <= 60 + 2, "{pages}");
    let extended = std::fs::read_to_string(out.join("section-0/page-3/index.html")).unwrap();
    assert!(extended.contains("<section class=\"extension\" id=\"company\""));

    // The search index covers every page: each title's words are in it.
    let manifest = std::fs::read_to_string(out.join("search/search.js")).unwrap();
    assert!(manifest.contains("\"mode\":\"sharded\""));
    let shards = std::fs::read_dir(out.join("search/s")).unwrap().count();
    assert!(shards > 100, "{shards} shards");
    let mut all = String::new();
    for entry in std::fs::read_dir(out.join("search/s")).unwrap() {
        all.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    for (title, path) in corpus.titles.iter().step_by(97) {
        let url = path.trim_end_matches(".md");
        assert!(
            all.contains(&format!("[\"{url}/\",\"{title}\"")),
            "{url} not indexed"
        );
    }
    // The build wrote each pack of the index as soon as it was made; a
    // build that keeps its files in memory makes the same ones.
    let input = SiteInput::over(Arc::new(FsSource::new(tmp.join("company"), Vec::new())));
    let kept = pipeline::run(&input, Mode::Build);
    let kept: BTreeMap<String, Vec<u8>> = kept
        .files
        .iter()
        .filter_map(|(path, bytes)| {
            Some((path.strip_prefix("search/")?.to_string(), bytes.to_vec()))
        })
        .collect();
    let written = read_tree(&out.join("search"));
    assert!(written.keys().eq(kept.keys()), "other files in search/");
    for (path, bytes) in &written {
        assert!(kept[path] == *bytes, "search/{path} differs");
    }
}
