//! Deployment: the built site's own links, checked by crawling the output
//! folder as a web server or a browser opening files would resolve them,
//! with and without a base sub-path.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::*;

/// Every `href="…"` and `src="…"` value in an HTML file, unescaped.
fn references(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in [" href=\"", " src=\""] {
        let mut rest = html;
        while let Some(at) = rest.find(attr) {
            rest = &rest[at + attr.len()..];
            let end = rest.find('"').unwrap_or(rest.len());
            out.push(rest[..end].replace("&amp;", "&"));
        }
    }
    out
}

fn ids(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(" id=\"") {
        rest = &rest[at + 5..];
        let end = rest.find('"').unwrap_or(rest.len());
        out.push(rest[..end].to_string());
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = s
            .get(i + 1..i + 3)
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The file a reference from `page` leads to, or `None` when it leaves the
/// site. `base` is the URL the site is published at (`""` for none).
fn target(site: &Path, page: &Path, reference: &str, base: &str) -> Option<PathBuf> {
    let external = ["mailto:", "tel:", "data:", "javascript:"];
    if external.iter().any(|p| reference.starts_with(p)) {
        return None;
    }
    let path = reference.split(['?', '#']).next().unwrap_or("");
    // Root-relative links (the 404 page's, served at any depth) assume the
    // site at the root of its host, or at the base URL's path.
    let on_site = |path: &str| -> Option<PathBuf> {
        let sub_path = match base.split_once("://") {
            Some((_, host_and_path)) => host_and_path.split_once('/').map_or("", |(_, p)| p),
            None => "",
        };
        let within = path.strip_prefix('/')?.strip_prefix(sub_path)?;
        Some(site.join(percent_decode(within)))
    };
    let file = if let Some(rest) = path.strip_prefix(base).filter(|_| !base.is_empty()) {
        site.join(percent_decode(rest))
    } else if path.starts_with("http://") || path.starts_with("https://") {
        return None;
    } else if path.starts_with('/') {
        // Root-relative: only meaningful under the base URL's path.
        match on_site(path) {
            Some(file) => file,
            None => panic!(
                "{}: `{reference}` is root-relative outside the site",
                page.display()
            ),
        }
    } else if path.is_empty() {
        page.to_path_buf()
    } else {
        page.parent()
            .expect("a page has a folder")
            .join(percent_decode(path))
    };
    Some(if file.is_dir() {
        file.join("index.html")
    } else {
        file
    })
}

/// Crawls every HTML file of `site`: each internal reference must lead to a
/// file, and each `#fragment` into an HTML file to an element with that id.
fn crawl(site: &Path, base: &str) -> usize {
    let mut pages = BTreeMap::new();
    let mut stack = vec![site.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable output") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "html") {
                let html = std::fs::read_to_string(&path).expect("UTF-8 HTML");
                pages.insert(path, html);
            }
        }
    }
    let mut problems = Vec::new();
    let mut checked = 0;
    for (page, html) in &pages {
        for reference in references(html) {
            let Some(file) = target(site, page, &reference, base) else {
                continue;
            };
            checked += 1;
            let shown = page.strip_prefix(site).unwrap_or(page).display();
            let fragment = reference.split_once('#').map(|(_, f)| percent_decode(f));
            match pages.get(&file) {
                None if !file.is_file() => {
                    problems.push(format!("{shown}: `{reference}`: no file"))
                }
                Some(target_html) => {
                    if let Some(id) = fragment.filter(|f| !f.is_empty()) {
                        if !ids(target_html).contains(&id) {
                            problems.push(format!("{shown}: `{reference}`: no id `{id}`"));
                        }
                    }
                }
                None => {}
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} broken:\n{}",
        problems.len(),
        problems.join("\n")
    );
    checked
}

/// Builds into `out`, from a folder without a playbook (so the bundled
/// playbook unless `args` names one).
fn build(args: &[&str], out: &Path) {
    let cwd = out.parent().expect("a parent folder");
    let r = run(altitude()
        .current_dir(cwd)
        .args(args)
        .arg("--out")
        .arg(out)
        .arg("-q"));
    assert_eq!(r.status, 0, "{}", r.stderr);
}

#[test]
fn every_internal_link_of_the_output_resolves() {
    let tmp = TempDir::new("crawl");
    let acme = repo().join("examples/acme");
    let acme = acme.to_str().expect("UTF-8 path");
    for (name, args, base) in [
        ("bundled", vec!["build"], ""),
        ("acme", vec!["build", acme], ""),
        (
            "bundled-sub",
            vec!["build", "--base-url", "https://example.com/handbook/"],
            "https://example.com/handbook/",
        ),
        (
            "acme-sub",
            vec!["build", acme, "--base-url", "https://example.com/handbook/"],
            "https://example.com/handbook/",
        ),
    ] {
        let out = tmp.join(name);
        build(&args, &out);
        let checked = crawl(&out, base);
        assert!(checked > 500, "{name}: only {checked} references found");
    }
}

#[test]
fn sitemap_and_robots_follow_the_base_url() {
    let tmp = TempDir::new("sitemap");
    let out = tmp.join("site");
    build(
        &["build", "--base-url", "https://example.com/handbook"],
        &out,
    );
    let robots = std::fs::read_to_string(out.join("robots.txt")).expect("robots.txt");
    assert!(
        robots.contains("Sitemap: https://example.com/handbook/sitemap.xml\n"),
        "{robots}"
    );
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).expect("sitemap.xml");
    let locs: Vec<&str> = sitemap
        .split("<loc>")
        .skip(1)
        .filter_map(|s| s.split("</loc>").next())
        .collect();
    assert!(locs.len() > 20, "{sitemap}");
    for loc in locs {
        let file = target(
            &out,
            &out.join("index.html"),
            loc,
            "https://example.com/handbook/",
        );
        let file = file.unwrap_or_else(|| panic!("`{loc}` is not under the base URL"));
        assert!(file.is_file(), "`{loc}` has no file");
    }
}

#[test]
#[should_panic(expected = "`a/#nope`: no id `nope`")]
fn the_crawler_catches_a_missing_file_and_anchor() {
    let tmp = TempDir::new("crawler");
    std::fs::create_dir_all(tmp.join("a")).expect("folder");
    std::fs::write(tmp.join("a/index.html"), "<h1 id=\"top\">A</h1>").expect("page");
    std::fs::write(
        tmp.join("index.html"),
        "<a href=\"a/#top\">ok</a> <a href=\"a/#nope\">x</a> <img src=\"gone.png\">",
    )
    .expect("page");
    crawl(tmp.path(), "");
}
