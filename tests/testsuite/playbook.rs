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

/// The playbook is written in our own words: no run of eight words of the
/// seed text appears in it.
#[test]
fn no_sentence_of_the_seed_is_copied() {
    let seed_dir = repo().join("../shared/seed");
    let Ok(entries) = std::fs::read_dir(&seed_dir) else {
        eprintln!("seed text not found at {}: skipped", seed_dir.display());
        return;
    };
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric() && c != '\'')
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let mut shingles = std::collections::HashSet::new();
    for e in entries {
        let seed = std::fs::read_to_string(e.unwrap().path()).unwrap();
        for w in words(&seed).windows(8) {
            shingles.insert(w.join(" "));
        }
    }
    assert!(!shingles.is_empty());
    for (path, bytes) in read_tree(&repo().join("playbook")) {
        let text = String::from_utf8_lossy(&bytes);
        for w in words(&text).windows(8) {
            assert!(
                !shingles.contains(&w.join(" ")),
                "playbook/{path} copies the seed: `{}`",
                w.join(" ")
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
