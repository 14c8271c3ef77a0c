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
#[should_panic(
    expected = "2 broken:\nindex.html: `a/#nope`: no id `nope`\nindex.html: `gone.png`: no file"
)]
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

fn git(dir: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .current_dir(dir)
        .args(args)
        // The developer's own settings (signing, hooks) stay out of it.
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "A")
        .env("GIT_AUTHOR_EMAIL", "a@example.com")
        .env("GIT_COMMITTER_NAME", "A")
        .env("GIT_COMMITTER_EMAIL", "a@example.com")
        .env("GIT_COMMITTER_DATE", "2021-03-04T12:00:00Z")
        .env("GIT_AUTHOR_DATE", "2021-03-04T12:00:00Z")
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

/// `dir` as a repository with everything in it committed.
pub(crate) fn commit_all(dir: &Path) {
    git(dir, &["init", "-q"]);
    git(dir, &["add", "."]);
    git(dir, &["commit", "-qm", "start"]);
}

/// A company layer over the bundled playbook with one page of its own.
fn company_layer(settings: &str) -> TempDir {
    let dir = TempDir::new("company");
    std::fs::create_dir_all(dir.join("notes")).expect("folder");
    std::fs::write(dir.join("playbook.toml"), settings).expect("playbook.toml");
    std::fs::write(dir.join("notes/ours.md"), "# Ours\n\nHow we do it.\n").expect("page");
    dir
}

#[test]
fn edit_links_lead_to_each_layers_own_sources() {
    let layer = company_layer(
        "name = \"Acme\"\nedit_url = \"https://git.example.com/acme/playbook/edit/main/{path}\"\n",
    );
    let out = layer.join("out");
    build(&["build", layer.path().to_str().expect("UTF-8")], &out);
    let ours = std::fs::read_to_string(out.join("notes/ours/index.html")).expect("page");
    assert!(
        ours.contains(
            "<a href=\"https://git.example.com/acme/playbook/edit/main/notes/ours.md\" rel=\"edit\">Edit this page</a>"
        ),
        "{ours}"
    );
    // The bundled pages are not in the company's repository.
    let home = std::fs::read_to_string(out.join("index.html")).expect("home");
    assert!(!home.contains("rel=\"edit\""));

    std::fs::write(
        layer.join("playbook.toml"),
        "edit_url = \"https://x.example/edit\"\n",
    )
    .expect("playbook.toml");
    let r = run(altitude().arg("check").arg(layer.path()));
    assert_eq!(r.status, 1);
    assert!(
        r.stderr
            .contains("error[A0003 config-invalid-value]: `edit_url` must contain `{path}`"),
        "{}",
        r.stderr
    );
}

#[test]
fn last_updated_dates_come_from_git_and_are_deterministic() {
    let layer = company_layer("last_updated = true\n");
    commit_all(layer.path());
    std::fs::write(layer.join("notes/new.md"), "# New\n\nNot committed yet.\n").expect("page");
    let first = layer.join("first");
    let second = layer.join("second");
    for out in [&first, &second] {
        build(&["build", layer.path().to_str().expect("UTF-8")], out);
    }
    let ours = std::fs::read_to_string(first.join("notes/ours/index.html")).expect("page");
    assert!(
        ours.contains("Last updated <time datetime=\"2021-03-04\">2021-03-04</time>"),
        "{ours}"
    );
    let new = std::fs::read_to_string(first.join("notes/new/index.html")).expect("page");
    assert!(!new.contains("Last updated"), "never committed: no date");
    let sitemap = std::fs::read_to_string(first.join("sitemap.xml")).expect("sitemap");
    assert!(
        sitemap.contains("notes/ours/</loc><lastmod>2021-03-04</lastmod>"),
        "{sitemap}"
    );
    assert_eq!(
        std::fs::read(first.join("notes/ours/index.html")).ok(),
        std::fs::read(second.join("notes/ours/index.html")).ok()
    );

    // Without git history: the pages build, with one warning saying why.
    let r = run(altitude()
        .arg("check")
        .arg(layer.path())
        .env("GIT_DIR", layer.join("no-such-git-dir")));
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr
            .matches("warning[A0006 history-unavailable]")
            .count(),
        1,
        "{}",
        r.stderr
    );
}

/// The README's YAML blocks: the GitHub Actions workflow and the GitLab CI one.
fn readme_workflows() -> Vec<yaml_rust2::Yaml> {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README");
    readme
        .split("```yaml\n")
        .skip(1)
        .filter_map(|block| block.split("```").next())
        .map(|text| {
            let mut docs = yaml_rust2::YamlLoader::load_from_str(text).expect("valid YAML");
            docs.remove(0)
        })
        .collect()
}

/// Every shell line of a workflow: GitHub's `run:` steps, GitLab's scripts.
fn shell_lines(workflow: &yaml_rust2::Yaml) -> Vec<String> {
    let mut lines = Vec::new();
    let mut stack = vec![workflow];
    while let Some(node) = stack.pop() {
        match node {
            yaml_rust2::Yaml::Hash(map) => {
                for (key, value) in map {
                    match (key.as_str(), value) {
                        (Some("run"), yaml_rust2::Yaml::String(line)) => lines.push(line.clone()),
                        (Some("script" | "before_script"), yaml_rust2::Yaml::Array(items)) => {
                            lines.extend(items.iter().filter_map(|i| i.as_str().map(String::from)))
                        }
                        _ => stack.push(value),
                    }
                }
            }
            yaml_rust2::Yaml::Array(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    lines
}

#[test]
fn ci_workflows_in_the_readme_build_and_check() {
    let workflows = readme_workflows();
    assert_eq!(
        workflows.len(),
        2,
        "a GitHub Actions and a GitLab CI workflow"
    );
    let manifest = std::fs::read_to_string(repo().join("Cargo.toml")).expect("Cargo.toml");
    let repository = manifest
        .lines()
        .find_map(|l| l.strip_prefix("repository = \""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("Cargo.toml names the repository");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_altitude"))
        .parent()
        .expect("bin folder");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for workflow in &workflows {
        let lines = shell_lines(workflow);
        let install = lines
            .iter()
            .find(|l| l.contains("cargo install"))
            .expect("an install step");
        assert!(
            install.contains(&format!("--git {repository} altitude")),
            "{install}"
        );
        let commands: Vec<&String> = lines
            .iter()
            .filter(|l| l.starts_with("altitude "))
            .collect();
        assert!(commands.len() >= 2, "{lines:?}");
        let layer = company_layer("name = \"Acme\"\nlast_updated = true\n");
        commit_all(layer.path());
        for command in commands {
            // What GitHub puts in place of its expressions before the shell runs.
            let command = command.replace(
                "${{ steps.pages.outputs.base_url }}",
                "https://acme.github.io/playbook",
            );
            assert!(
                !command.contains("${{"),
                "unknown expression in `{command}`"
            );
            let status = std::process::Command::new("sh")
                .args(["-c", &command])
                .current_dir(layer.path())
                .env("PATH", &path)
                .env("NO_COLOR", "1")
                .env("GITHUB_ACTIONS", "true")
                .env("CI_PAGES_URL", "https://acme.gitlab.io/playbook")
                .status()
                .expect("sh runs");
            assert!(status.success(), "`{command}` failed");
        }
        let home = std::fs::read_to_string(layer.join("public/index.html")).expect("built");
        assert!(home.contains("<h1"), "{home}");
        let robots = std::fs::read_to_string(layer.join("public/robots.txt")).expect("robots");
        assert!(robots.contains("Sitemap: https://"), "{robots}");
    }
}
