//! The bundled playbook: complete, linked, and in its own words.

use crate::support::*;

#[test]
fn bundled_playbook_checks_clean() {
    let tmp = TempDir::new("check-bundled");
    let r = run(altitude().current_dir(tmp.path()).arg("check"));
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("altitude: checked ") && r.stderr.lines().count() == 1,
        "{}",
        r.stderr
    );
    let json = run(altitude()
        .current_dir(tmp.path())
        .args(["check", "--format", "json"]));
    assert_eq!((json.status, json.stdout.as_str()), (0, ""));
}

#[test]
fn every_principle_is_actionable_and_linked() {
    let dir = repo().join("playbook/principles");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap() == "index.md" {
            continue;
        }
        count += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        for key in [
            "title = ",
            "summary = ",
            "altitude = ",
            "horizon = ",
            "role_shift = ",
            "concepts = ",
        ] {
            assert!(text.contains(key), "{} lacks {key}", path.display());
        }
        for heading in [
            "## The idea",
            "## Why it matters",
            "## Signs you are getting it wrong",
            "## Practices to adopt",
            "## Questions for this week",
        ] {
            assert!(text.contains(heading), "{} lacks {heading}", path.display());
        }
        assert!(
            text.matches("[[").count() >= 3,
            "{} has few wiki links",
            path.display()
        );
    }
    assert_eq!(count, 11);
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// A run of words, hashed (FNV-1a, 64 bits): the repository keeps the
/// seed's runs only as hashes, so the check runs on any clone without the
/// seed's sentences being copied into the project.
fn shingle_hash(run: &[String]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in run.join(" ").bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The playbook, the examples and the docs are written in our own words: no
/// run of eight words of the seed text appears in them.
#[test]
fn no_sentence_of_the_seed_is_copied() {
    let kept = repo().join("tests/seed-shingles.txt");
    let seed_dir = repo().join("../shared/seed");
    // Where the seed is at hand, the kept hashes must be its runs.
    if let Ok(entries) = std::fs::read_dir(&seed_dir) {
        let mut hashes = std::collections::BTreeSet::new();
        for e in entries {
            let seed = std::fs::read_to_string(e.expect("entry").path()).expect("seed text");
            hashes.extend(words(&seed).windows(8).map(shingle_hash));
        }
        let text: String = hashes.iter().map(|h| format!("{h}\n")).collect();
        if std::env::var_os("ALTITUDE_BLESS").is_some() {
            std::fs::write(&kept, &text).expect("hashes written");
        }
        let on_file = std::fs::read_to_string(&kept).unwrap_or_default();
        assert!(
            on_file == text,
            "tests/seed-shingles.txt is stale: ALTITUDE_BLESS=1"
        );
    }
    let hashes: std::collections::HashSet<String> = std::fs::read_to_string(&kept)
        .expect("tests/seed-shingles.txt")
        .lines()
        .map(String::from)
        .collect();
    assert!(hashes.len() > 400, "the seed's runs are kept");
    let mut files = read_tree(&repo().join("playbook"));
    for (folder, prefix) in [("examples", "examples/"), ("docs", "docs/")] {
        let tree = read_tree(&repo().join(folder));
        files.extend(tree.into_iter().map(|(p, b)| (format!("{prefix}{p}"), b)));
    }
    let readme = std::fs::read(repo().join("README.md")).expect("README");
    files.insert("README.md".into(), readme);
    for (path, bytes) in files {
        let text = String::from_utf8_lossy(&bytes);
        for run in words(&text).windows(8) {
            assert!(
                !hashes.contains(&shingle_hash(run)),
                "{path} copies the seed: `{}`",
                run.join(" ")
            );
        }
    }
}

#[test]
fn every_concept_has_backlinks_and_every_principle_related_principles() {
    let tmp = TempDir::new("bundled-links");
    let r = run(altitude()
        .current_dir(tmp.path())
        .args(["build", "--out", "site"]));
    assert_eq!(r.status, 0, "{}", r.stderr);
    let files = read_tree(&tmp.join("site"));
    // The search client ships once, with the index, not also as an asset.
    assert!(files.contains_key("search/search.js"));
    assert!(!files.contains_key("assets/search.js"));
    let pages = |section: &str| -> Vec<(String, String)> {
        files
            .iter()
            .filter(|(p, _)| p.starts_with(section) && p.matches('/').count() == 2)
            .map(|(p, b)| (p.clone(), String::from_utf8_lossy(b).into_owned()))
            .collect()
    };
    for (path, html) in pages("concepts/") {
        assert!(
            html.contains("<ul class=\"backlink-list\">"),
            "{path} has no backlinks"
        );
        assert!(
            html.contains("class=\"concept-map\""),
            "{path} has no local map"
        );
    }
    for (path, html) in pages("principles/") {
        assert!(
            html.contains("<ul class=\"related-list\">"),
            "{path} has no related principles"
        );
    }
    let map = String::from_utf8_lossy(&files["map/index.html"]);
    assert!(
        map.matches("class=\"node node-principle\"").count() == 11,
        "the concept map draws every principle"
    );
}
