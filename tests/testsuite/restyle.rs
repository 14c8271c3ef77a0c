//! A save that changes only static files' bytes is shown before the build
//! (`pipeline::restyled`); anything that may reach further waits for it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use altitude::content::SiteInput;
use altitude::pipeline::{self, Mode, Outcome};
use altitude::source::FsSource;

use crate::support::TempDir;

fn write(root: &Path, path: &str, text: &str) -> PathBuf {
    let file = root.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, text).unwrap();
    file
}

/// A base layer and a company layer over it, and the site they built.
struct Stack {
    _tmp: TempDir,
    base: PathBuf,
    company: PathBuf,
    built: Outcome,
}

fn stack() -> Stack {
    let tmp = TempDir::new("restyle");
    let (base, company) = (tmp.join("base"), tmp.join("company"));
    write(
        &base,
        "playbook.toml",
        "title = \"Base\"\nbase = \"none\"\nignore = [\"static/drafts/\"]\n",
    );
    write(&base, "index.md", "# Home\n\nWelcome.\n");
    write(&base, "notes/a.md", "# A\n\nA note.\n");
    write(&base, "static/site.css", "old");
    write(&base, "logo.svg", "old");
    write(&base, "static/drafts/x.css", "old");
    write(&base, "static/robots.txt", "old");
    write(&base, "static/twice.css", "old");
    write(&base, "twice.css", "old");
    write(
        &company,
        "playbook.toml",
        "name = \"Company\"\nbase = \"../base\"\n",
    );
    write(&company, "static/logo.svg", "company");
    let input = SiteInput::over(Arc::new(FsSource::new(company.clone(), Vec::new())));
    let built = pipeline::run(&input, Mode::Build);
    assert!(!built.diagnostics.has_errors(), "{:?}", built.diagnostics);
    Stack {
        _tmp: tmp,
        base,
        company,
        built,
    }
}

/// The files the save of `changed` changes, with their new text.
fn restyled(s: &Stack, changed: &[PathBuf]) -> Option<Vec<(String, String)>> {
    let files = pipeline::restyled(&s.built.loaded, changed, &s.built.files)?;
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    Some(files.into_iter().map(|(p, b)| (p, text(&b))).collect())
}

#[test]
fn a_changed_stylesheet_gets_its_new_bytes_and_nothing_else_changes() {
    let s = stack();
    assert_eq!(
        s.built.files.get("site.css").map(|b| b.as_slice()),
        Some(&b"old"[..])
    );
    let css = write(&s.base, "static/site.css", "new");
    let changes = restyled(&s, &[css]).expect("shown at once");
    assert_eq!(changes, [("site.css".to_string(), "new".to_string())]);
}

#[test]
fn whatever_may_reach_further_waits_for_the_build() {
    let s = stack();
    let cases = [
        // Another layer's file is copied to the same place.
        (
            write(&s.base, "logo.svg", "new"),
            "a file a higher layer shadows",
        ),
        (
            write(&s.base, "static/twice.css", "new"),
            "a file the same layer has twice",
        ),
        (
            write(&s.base, "static/robots.txt", "new"),
            "a file the build writes itself",
        ),
        (write(&s.base, "notes/a.md", "# B\n"), "a page"),
        (
            write(&s.base, "static/drafts/x.css", "new"),
            "an ignored file",
        ),
        (write(&s.base, "static/fresh.css", "new"), "a new file"),
        (
            write(&s.base, "playbook.toml", "title = \"T\"\n"),
            "the settings",
        ),
        (write(&s.base, "templates/page.html", "x"), "a template"),
        (s.base.join("static/gone.css"), "a deleted file"),
    ];
    for (path, what) in cases {
        assert!(restyled(&s, &[path]).is_none(), "{what}");
    }
    // With anything else in the same batch, the stylesheet waits too.
    let css = write(&s.base, "static/site.css", "new");
    let page = s.base.join("notes/a.md");
    assert!(restyled(&s, &[css, page]).is_none());
    // The company layer's own file is its output's top copy.
    let logo = write(&s.company, "static/logo.svg", "newer");
    let changes = restyled(&s, &[logo]).expect("top copy");
    assert_eq!(changes, [("logo.svg".to_string(), "newer".to_string())]);
}
