//! A save that changes only static files' bytes is shown before the build
//! (`pipeline::restyled`); anything that may reach further waits for it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use altitude::content::LayerInfo;
use altitude::pipeline::{self, SiteFiles};

use crate::support::TempDir;

fn layer(name: &str, root: &Path, ignore: &[&str]) -> LayerInfo {
    LayerInfo {
        name: name.into(),
        root: format!("{name}/"),
        disk_root: Some(root.to_path_buf()),
        edit_url: None,
        ignore: ignore.iter().map(|s| s.to_string()).collect(),
    }
}

fn write(root: &Path, path: &str, text: &str) -> PathBuf {
    let file = root.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, text).unwrap();
    file
}

/// A base layer and a company layer over it, and the site they last built.
struct Stack {
    _tmp: TempDir,
    base: PathBuf,
    company: PathBuf,
    layers: Vec<LayerInfo>,
    site: SiteFiles,
}

fn stack() -> Stack {
    let tmp = TempDir::new("restyle");
    let (base, company) = (tmp.join("base"), tmp.join("company"));
    write(&base, "static/site.css", "old");
    write(&base, "logo.svg", "old");
    write(&base, "static/drafts/x.css", "old");
    write(&base, "notes/a.md", "# A\n");
    write(&base, "assets/search.js", "old");
    write(&company, "static/logo.svg", "company");
    let layers = vec![
        layer("base", &base, &["static/drafts/"]),
        layer("company", &company, &[]),
    ];
    let site: SiteFiles = [
        "site.css",
        "logo.svg",
        "drafts/x.css",
        "assets/search.js",
        "notes/a/index.html",
    ]
    .into_iter()
    .map(|p| (p.to_string(), Arc::new(b"old".to_vec())))
    .collect();
    Stack {
        _tmp: tmp,
        base,
        company,
        layers,
        site,
    }
}

#[test]
fn a_changed_stylesheet_gets_its_new_bytes_and_nothing_else_changes() {
    let s = stack();
    let css = write(&s.base, "static/site.css", "new");
    let site = pipeline::restyled(&s.layers, &[css], &s.site).expect("shown at once");
    assert_eq!(
        site.get("site.css").map(|b| b.as_slice()),
        Some(&b"new"[..])
    );
    let others = |files: &SiteFiles| {
        files
            .iter()
            .filter(|(p, _)| *p != "site.css")
            .map(|(p, b)| (p.clone(), b.to_vec()))
            .collect::<Vec<_>>()
    };
    assert_eq!(others(&site), others(&s.site));
}

#[test]
fn whatever_may_reach_further_waits_for_the_build() {
    let s = stack();
    let cases = [
        // Another layer's file is copied to the same place.
        (write(&s.base, "logo.svg", "new"), "a shadowed file"),
        (write(&s.base, "notes/a.md", "# B\n"), "a page"),
        (
            write(&s.base, "static/drafts/x.css", "new"),
            "an ignored file",
        ),
        (write(&s.base, "static/fresh.css", "new"), "a new file"),
        (
            write(&s.base, "assets/search.js", "new"),
            "the search client",
        ),
        (
            write(&s.base, "playbook.toml", "title = \"T\"\n"),
            "the settings",
        ),
        (write(&s.base, "templates/page.html", "x"), "a template"),
        (s.base.join("static/gone.css"), "a deleted file"),
    ];
    for (path, what) in cases {
        assert!(
            pipeline::restyled(&s.layers, &[path], &s.site).is_none(),
            "{what}"
        );
    }
    // With anything else in the same batch, the stylesheet waits too.
    let css = write(&s.base, "static/site.css", "new");
    let page = s.base.join("notes/a.md");
    assert!(pipeline::restyled(&s.layers, &[css, page], &s.site).is_none());
    // The company layer's own file is its output's top copy.
    let logo = write(&s.company, "static/logo.svg", "newer");
    let site = pipeline::restyled(&s.layers, &[logo], &s.site).expect("top copy");
    assert_eq!(
        site.get("logo.svg").map(|b| b.as_slice()),
        Some(&b"newer"[..])
    );
}
