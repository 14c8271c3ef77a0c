//! `altitude build`: a complete, deterministic site, written all or nothing.

use crate::support::*;

fn build_bundled(out: &std::path::Path, cwd: &std::path::Path) -> Run {
    run(altitude()
        .current_dir(cwd)
        .arg("build")
        .arg("--out")
        .arg(out))
}

#[test]
fn bundled_playbook_builds_every_page_kind() {
    let tmp = TempDir::new("bundled");
    let r = build_bundled(&tmp.join("public"), tmp.path());
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(r.stderr.starts_with("altitude: built "), "{}", r.stderr);
    let files = read_tree(&tmp.join("public"));
    let count = |prefix: &str| {
        files
            .keys()
            .filter(|p| {
                p.starts_with(prefix) && p.ends_with("/index.html") && p.matches('/').count() == 2
            })
            .count()
    };
    assert_eq!(count("principles/"), 11);
    assert!(count("concepts/") >= 12, "{} concepts", count("concepts/"));
    for path in [
        "index.html",
        "map/index.html",
        "print/index.html",
        "principles/index.html",
        "concepts/index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "assets/altitude.css",
        "assets/altitude.js",
    ] {
        assert!(files.contains_key(path), "missing {path}");
    }
    let print = String::from_utf8_lossy(&files["print/index.html"]);
    assert_eq!(
        print.matches("<article class=\"print-principle\"").count(),
        11
    );
    // Nothing in the site points outside it.
    for (path, bytes) in &files {
        if path.ends_with(".html") || path.ends_with(".css") {
            let text = String::from_utf8_lossy(bytes);
            for needle in ["src=\"http", "href=\"//", "url(http", "@import"] {
                assert!(
                    !text.contains(needle),
                    "{path} loads an external resource ({needle})"
                );
            }
        }
    }
}

/// The print edition shows each principle's body as its page does: a
/// build renders each body once from the events its load kept, and frees
/// them, so the print edition's copy is parsed again.
#[test]
fn the_print_edition_shows_every_principles_prose() {
    let tmp = TempDir::new("print");
    let r = build_bundled(&tmp.join("public"), tmp.path());
    assert_eq!(r.status, 0, "{}", r.stderr);
    let files = read_tree(&tmp.join("public"));
    let print = String::from_utf8_lossy(&files["print/index.html"]);
    let principles: Vec<&String> = files
        .keys()
        .filter(|p| p.starts_with("principles/") && p.matches('/').count() == 2)
        .filter(|p| p.as_str() != "principles/index.html")
        .collect();
    assert_eq!(principles.len(), 11);
    for path in principles {
        let page = String::from_utf8_lossy(&files[path]);
        let prose = &page[page.find("<div class=\"prose\">").expect(path)..];
        // Paragraphs without links read the same in both places (links
        // are relative to where they are shown).
        let plain: Vec<&str> = prose
            .split("<p>")
            .skip(1)
            .filter_map(|p| p.split_once("</p>").map(|(p, _)| p))
            .filter(|p| !p.contains('<'))
            .collect();
        assert!(!plain.is_empty(), "{path} has no plain paragraph");
        for paragraph in plain {
            assert!(
                print.contains(&format!("<p>{paragraph}</p>")),
                "the print edition lacks {path}'s paragraph {paragraph:?}"
            );
        }
    }
}

#[test]
fn two_builds_are_byte_identical() {
    let tmp = TempDir::new("determinism");
    assert_eq!(build_bundled(&tmp.join("a"), tmp.path()).status, 0);
    assert_eq!(build_bundled(&tmp.join("b"), tmp.path()).status, 0);
    let a = read_tree(&tmp.join("a"));
    let b = read_tree(&tmp.join("b"));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs between two builds");
    }
}

#[test]
fn fixture_page_renders_as_expected() {
    let site = copy_fixture("minimal");
    let r = run(altitude().arg("build").arg(site.path()));
    assert_eq!(r.status, 0, "{}", r.stderr);
    let html =
        std::fs::read_to_string(site.join("public/principles/own-the-outcome/index.html")).unwrap();
    assert_snapshot("minimal-principle.html", &html);
    let html =
        std::fs::read_to_string(site.join("public/concepts/single-owner/index.html")).unwrap();
    assert_snapshot("minimal-concept.html", &html);
}

#[test]
fn failed_build_leaves_previous_output_untouched() {
    let site = copy_fixture("minimal");
    let out = site.join("out");
    let ok = run(altitude()
        .arg("build")
        .arg(site.path())
        .arg("--out")
        .arg(&out));
    assert_eq!(ok.status, 0, "{}", ok.stderr);
    let before = read_tree(&out);
    std::fs::write(
        site.join("principles/broken.md"),
        "+++\ntitle = \"B\"\naltitude = \"team\"\nhorizon = \"weeks\"\n+++\n[[Nope]]\n",
    )
    .unwrap();
    let failed = run(altitude()
        .arg("build")
        .arg(site.path())
        .arg("--out")
        .arg(&out));
    assert_eq!(failed.status, 1, "{}", failed.stderr);
    assert!(
        failed.stderr.contains("previous output"),
        "{}",
        failed.stderr
    );
    assert_eq!(read_tree(&out), before);
}

/// Every file and folder under `root`, hidden ones included.
fn all_paths(root: &std::path::Path) -> Vec<String> {
    let mut paths = Vec::new();
    let mut dirs = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap()) {
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type().unwrap().is_dir() {
                dirs.push((entry.path(), format!("{name}/")));
            }
            paths.push(name);
        }
    }
    paths.sort();
    paths
}

/// Pages are written as they are rendered. A template that fails after
/// every page was written (the 404 page is rendered after them) fails the
/// build: every page written is taken back, over a previous site (updated
/// in place) and into a fresh folder.
#[test]
fn a_build_that_fails_after_its_pages_takes_them_back() {
    let site = copy_fixture("minimal");
    let out = site.join("out");
    let build = || {
        run(altitude()
            .arg("build")
            .arg(site.path())
            .arg("--out")
            .arg(&out))
    };
    let ok = build();
    assert_eq!(ok.status, 0, "{}", ok.stderr);
    let before = read_tree(&out);
    let everything_before = all_paths(site.path());
    // A changed page, to be written; and a new page, in a new folder.
    let page = site.join("principles/own-the-outcome.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, format!("{text}\nA new closing line.\n")).unwrap();
    std::fs::create_dir_all(site.join("fresh-notes")).unwrap();
    std::fs::write(site.join("fresh-notes/new.md"), "# New\n\nText.\n").unwrap();
    std::fs::create_dir_all(site.join("templates")).unwrap();
    std::fs::write(
        site.join("templates/404.html"),
        "<!DOCTYPE html><p>{{ no_such_thing.anywhere }}</p>",
    )
    .unwrap();
    let failed = build();
    assert_eq!(failed.status, 1, "{}", failed.stderr);
    assert!(failed.stderr.contains("404.html"), "{}", failed.stderr);
    let after = read_tree(&out);
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    assert!(after == before, "the previous site is as it was");
    let mut expected = everything_before.clone();
    expected.extend(
        [
            "fresh-notes",
            "fresh-notes/new.md",
            "templates",
            "templates/404.html",
        ]
        .map(String::from),
    );
    expected.sort();
    assert_eq!(all_paths(site.path()), expected, "nothing is left over");

    std::fs::remove_dir_all(&out).unwrap();
    let failed = build();
    assert_eq!(failed.status, 1, "{}", failed.stderr);
    assert!(!out.exists(), "a fresh folder is not left half written");
    expected.retain(|p| !p.starts_with("out"));
    assert_eq!(all_paths(site.path()), expected, "nothing is left over");
}

/// A site whose new shape does not fit over the previous one in place (a
/// file that becomes a folder) is written again, whole: its pages were
/// handed to the writer as they were rendered, and are built once more.
#[test]
fn a_site_that_changes_shape_is_written_whole() {
    let site = copy_fixture("minimal");
    let outputs = TempDir::new("reshape");
    let out = outputs.join("out");
    let build = |out: &std::path::Path| {
        run(altitude()
            .arg("build")
            .arg(site.path())
            .arg("--out")
            .arg(out))
    };
    std::fs::create_dir_all(site.join("static")).unwrap();
    std::fs::write(site.join("static/guide"), "a file").unwrap();
    let ok = build(&out);
    assert_eq!(ok.status, 0, "{}", ok.stderr);
    assert!(out.join("guide").is_file());
    std::fs::remove_file(site.join("static/guide")).unwrap();
    std::fs::write(site.join("guide.md"), "# Guide\n\nNow a page.\n").unwrap();
    let again = build(&out);
    assert_eq!(again.status, 0, "{}", again.stderr);
    assert!(out.join("guide/index.html").is_file());
    let fresh = outputs.join("fresh");
    let whole = build(&fresh);
    assert_eq!(whole.status, 0, "{}", whole.stderr);
    let (updated, whole) = (read_tree(&out), read_tree(&fresh));
    assert_eq!(
        updated.keys().collect::<Vec<_>>(),
        whole.keys().collect::<Vec<_>>()
    );
    assert!(updated == whole, "the files differ");
    // Nothing but the two sites: no folder or temporary file left over.
    let mut expected: Vec<String> = ["out", "fresh"]
        .iter()
        .flat_map(|site| {
            let root = outputs.join(site);
            std::iter::once(site.to_string()).chain(
                all_paths(&root)
                    .into_iter()
                    .map(move |p| format!("{site}/{p}")),
            )
        })
        .collect();
    expected.sort();
    assert_eq!(all_paths(outputs.path()), expected);
}

#[test]
fn bad_input_build_leaves_previous_output_byte_identical() {
    let good = copy_fixture("minimal");
    let bad = copy_fixture("bad-input");
    let out = good.join("site");
    assert_eq!(
        run(altitude()
            .arg("build")
            .arg(good.path())
            .arg("--out")
            .arg(&out))
        .status,
        0
    );
    let before = read_tree(&out);
    let r = run(altitude()
        .arg("build")
        .arg(bad.path())
        .arg("--out")
        .arg(&out));
    assert_eq!(r.status, 1);
    assert_eq!(read_tree(&out), before);
    assert_eq!(
        read_tree(bad.path()),
        read_tree(&fixture("bad-input")),
        "sources untouched"
    );
}

#[test]
fn stale_files_do_not_survive_a_rebuild() {
    let site = copy_fixture("minimal");
    assert_eq!(run(altitude().arg("build").arg(site.path())).status, 0);
    assert!(site.join("public/notes/table/index.html").exists());
    std::fs::remove_file(site.join("notes/table.md")).unwrap();
    std::fs::write(
        site.join("principles/own-the-outcome.md"),
        std::fs::read_to_string(site.join("principles/own-the-outcome.md"))
            .unwrap()
            .replace(
                "and the [notes](../notes/table.md#a-table) for a table. ",
                "",
            ),
    )
    .unwrap();
    let r = run(altitude().arg("build").arg(site.path()));
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(!site.join("public/notes/table/index.html").exists());
    assert!(site.join("public/.altitude-output").exists());
}

#[test]
fn refuses_output_folders_that_would_lose_data() {
    let site = copy_fixture("minimal");
    let before = read_tree(site.path());
    for out in [
        site.path().to_path_buf(),
        site.path().parent().unwrap().to_path_buf(),
    ] {
        let r = run(altitude()
            .arg("build")
            .arg(site.path())
            .arg("--out")
            .arg(&out));
        assert_eq!(r.status, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains("contains the playbook source"),
            "{}",
            r.stderr
        );
    }
    let foreign = TempDir::new("foreign");
    std::fs::write(foreign.join("keep.txt"), "mine").unwrap();
    let r = run(altitude()
        .arg("build")
        .arg(site.path())
        .arg("--out")
        .arg(foreign.path()));
    assert_eq!(r.status, 2);
    assert_eq!(
        r.stderr,
        format!(
            "error: refusing to write the site to `{0}`: the folder is not empty and was not made by altitude\n\
             help: choose another folder with `--out`, or remove or empty `{0}` first\n",
            foreign.path().display()
        )
    );
    assert_eq!(
        std::fs::read_to_string(foreign.join("keep.txt")).unwrap(),
        "mine"
    );
    assert_eq!(read_tree(site.path()), before);
}

#[test]
fn files_url_style_and_base_url() {
    let site = copy_fixture("minimal");
    std::fs::write(
        site.join("playbook.toml"),
        "base = \"none\"\ntitle = \"Minimal\"\nurl_style = \"files\"\n",
    )
    .unwrap();
    let r = run(altitude()
        .arg("build")
        .arg(site.path())
        .arg("--base-url")
        .arg("https://example.com/handbook"));
    assert_eq!(r.status, 0, "{}", r.stderr);
    let page =
        std::fs::read_to_string(site.join("public/principles/say-no-early/index.html")).unwrap();
    assert!(
        page.contains("href=\"../../concepts/single-owner/index.html\""),
        "{page}"
    );
    assert!(page.contains("<link rel=\"canonical\" href=\"https://example.com/handbook/principles/say-no-early/index.html\">"));
    let sitemap = std::fs::read_to_string(site.join("public/sitemap.xml")).unwrap();
    assert!(
        sitemap.contains("<loc>https://example.com/handbook/principles/say-no-early/</loc>"),
        "{sitemap}"
    );
    let robots = std::fs::read_to_string(site.join("public/robots.txt")).unwrap();
    assert!(robots.contains("Sitemap: https://example.com/handbook/sitemap.xml"));
    let not_found = std::fs::read_to_string(site.join("public/404.html")).unwrap();
    assert!(
        not_found.contains("href=\"/handbook/assets/altitude.css\""),
        "{not_found}"
    );
}

#[test]
fn theme_overrides_from_the_playbook_folder() {
    let site = copy_fixture("minimal");
    std::fs::create_dir_all(site.join("templates")).unwrap();
    std::fs::create_dir_all(site.join("static/assets")).unwrap();
    std::fs::write(
        site.join("templates/section.html"),
        "{% extends \"page.html\" %}{% block page_body %}<p class=\"custom\">{{ page.section_pages | length }} pages</p>{% endblock page_body %}",
    )
    .unwrap();
    std::fs::write(site.join("static/assets/extra.css"), "body{}").unwrap();
    let r = run(altitude().arg("build").arg(site.path()));
    assert_eq!(r.status, 0, "{}", r.stderr);
    let section = std::fs::read_to_string(site.join("public/principles/index.html")).unwrap();
    assert!(
        section.contains("<p class=\"custom\">2 pages</p>"),
        "{section}"
    );
    assert!(site.join("public/assets/extra.css").exists());
}

#[test]
fn a_theme_lays_out_the_written_lists_from_their_entries() {
    // The build writes the table of contents and a concept's backlinks
    // (page.toc_html, page.concept.backlinks_html); a theme that wants
    // them otherwise loops over the entries, which stay in the context.
    let site = copy_fixture("minimal");
    std::fs::create_dir_all(site.join("templates")).unwrap();
    std::fs::write(
        site.join("templates/principle.html"),
        "{% extends \"page.html\" %}{% block toc %}<p class=\"my-toc\">\
         {% for e in page.toc %}[{{ e.level }} {{ e.id }} {{ e.title }}]{% endfor %}</p>{% endblock toc %}",
    )
    .unwrap();
    std::fs::write(
        site.join("templates/concept.html"),
        "{% extends \"page.html\" %}{% block page_after %}<p class=\"my-backlinks\">\
         {% for b in page.concept.backlinks %}[{{ b.url }} {{ b.title }}: {{ b.context }}]{% endfor %}</p>\
         {% endblock page_after %}",
    )
    .unwrap();
    let r = run(altitude().arg("build").arg(site.path()));
    assert_eq!(r.status, 0, "{}", r.stderr);
    let principle =
        std::fs::read_to_string(site.join("public/principles/own-the-outcome/index.html")).unwrap();
    assert!(
        principle.contains("<p class=\"my-toc\">[2 the-idea The idea][2 practices Practices]</p>"),
        "{principle}"
    );
    let concept =
        std::fs::read_to_string(site.join("public/concepts/single-owner/index.html")).unwrap();
    assert!(
        concept.contains(
            "<p class=\"my-backlinks\">\
             [principles/own-the-outcome/ Own the outcome: Every result has a named owner.]\
             [principles/say-no-early/ Say no early: Focus needs a single owner who can refuse work.]</p>"
        ),
        "{concept}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let tmp = TempDir::new("usage");
    let missing = tmp.join("nowhere");
    let r = run(altitude().arg("build").arg(&missing));
    assert_eq!(r.status, 2);
    assert_eq!(
        r.stderr,
        format!("error: `{}` is not a folder\n", missing.display())
    );
    let r = run(altitude().arg("check").arg("--layer").arg(&missing));
    assert_eq!(r.status, 2);
    assert_eq!(
        r.stderr,
        format!(
            "error: the layer folder `{}` does not exist\nhelp: `--layer` takes a folder of markdown files\n",
            missing.display()
        )
    );
    assert_eq!(run(altitude().arg("frobnicate")).status, 2);
    assert_eq!(run(altitude().arg("--help")).status, 0);
}

/// The HTML of the page body alone: what links and auto-links produce.
fn prose(html: &str) -> &str {
    let start = html.find("<div class=\"prose\">").expect("prose block");
    let end = html[start..].find("</div>").expect("prose end") + start;
    &html[start..end]
}

#[test]
fn every_link_form_and_autolink_rule() {
    let site = copy_fixture("links");
    let r = run(altitude().arg("build").arg(site.path()));
    assert_eq!(r.status, 0, "{}", r.stderr);
    let page = std::fs::read_to_string(site.join("public/guide/all-forms/index.html")).unwrap();
    assert_snapshot("links-all-forms.html", prose(&page));
    let concept = std::fs::read_to_string(site.join("public/concepts/owner/index.html")).unwrap();
    assert_eq!(
        prose(&concept).matches("<a ").count(),
        0,
        "a concept page never links to itself"
    );
    let focus = std::fs::read_to_string(site.join("public/concepts/focus/index.html")).unwrap();
    assert!(prose(&focus).contains("needs an <a href=\"../../concepts/owner/\">owner</a>"));
}

/// Adds a page titled Mentions with `body` to `site` (a copy of the
/// links fixture), builds it, and returns the page's HTML.
fn mentions_page_built(site: &TempDir, body: &str) -> String {
    std::fs::write(
        site.join("guide/mentions.md"),
        format!("+++\ntitle = \"Mentions\"\n+++\n{body}\n"),
    )
    .unwrap();
    let r = run(altitude().arg("build").arg(site.path()));
    assert_eq!(r.status, 0, "{}", r.stderr);
    std::fs::read_to_string(site.join("public/guide/mentions/index.html")).unwrap()
}

#[test]
fn a_mention_is_the_longest_name_that_ends_a_word() {
    let site = copy_fixture("links");
    for (name, title) in [("product", "Product"), ("product-owner", "Product owner")] {
        std::fs::write(
            site.join(&format!("concepts/{name}.md")),
            format!("+++\ntitle = \"{title}\"\ndefinition = \"{title}.\"\n+++\nBody.\n"),
        )
        .unwrap();
    }
    let page = mentions_page_built(&site, "The product owners meet; a co-owner decides.");
    // `product owner` does not end a word here; `product` does. `owner`
    // inside `co-owner` stands after a dash, a word of its own.
    assert_eq!(
        prose(&page)
            .trim_start_matches("<div class=\"prose\">")
            .trim(),
        "<p>The <a href=\"../../concepts/product/\">product</a> owners meet; \
         a co-<a href=\"../../concepts/owner/\">owner</a> decides.</p>"
    );
}

#[test]
fn a_title_that_would_close_the_previews_script_is_escaped_in_it() {
    let site = copy_fixture("links");
    std::fs::write(
        site.join("concepts/closing.md"),
        "+++\ntitle = \"Ends </script> here\"\ndefinition = \"A </p> too.\"\n+++\nBody.\n",
    )
    .unwrap();
    let page = mentions_page_built(&site, "See [[Ends </script> here]].");
    let open = "<script type=\"application/json\" id=\"altitude-previews\">";
    let start = page.find(open).expect("previews script") + open.len();
    let json = &page[start..start + page[start..].find("</script>").expect("script end")];
    let previews: serde_json::Value = serde_json::from_str(json).expect(json);
    let preview = &previews["../../concepts/closing/"];
    assert_eq!(preview["t"], "Ends </script> here", "{json}");
    assert_eq!(preview["d"], "A </p> too.", "{json}");
    assert!(json.contains(r"Ends <\/script> here"), "{json}");
}

#[test]
fn principle_front_matter_declares_concepts() {
    let site = copy_fixture("links");
    let r = run(altitude().arg("build").arg(site.path()));
    assert_eq!(r.status, 0, "{}", r.stderr);
    let concept =
        std::fs::read_to_string(site.join("public/concepts/review-cadence/index.html")).unwrap();
    assert!(concept.contains("The fixed rhythm at which a team looks back"));
    assert!(concept.contains("<span class=\"alias\">cadence</span>"));
    assert!(prose(&concept)
        .contains("defined by the principle <a href=\"../../principles/weekly-review/\">"));
    // Both the wiki link in the principle and the auto-linked alias in the
    // guide are backlinks.
    let backlinks = &concept[concept.find("backlink-list").expect("backlinks")..];
    assert!(backlinks.contains("../../principles/weekly-review/\">Review the week</a>"));
    assert!(backlinks.contains("../../guide/rhythm/\">Rhythm</a>"));
    let guide = std::fs::read_to_string(site.join("public/guide/rhythm/index.html")).unwrap();
    assert!(prose(&guide).contains("<a href=\"../../concepts/review-cadence/\">cadence</a>"));
}

#[test]
fn index_files_name_their_folder_in_any_case_and_only_they_do() {
    let site = TempDir::new("index-files");
    for (path, text) in [
        ("playbook.toml", "base = \"none\"\n"),
        (
            "readme.md",
            "# Home\n\nSee [the team](team/) and [[notes]].\n",
        ),
        ("team/readme.md", "# Team\n"),
        ("notes/index.md", "# Notes\n"),
        ("notes/reindex.md", "# Reindex\n"),
    ] {
        let file = site.join(path);
        std::fs::create_dir_all(file.parent().expect("folder")).expect("folder");
        std::fs::write(file, text).expect("file");
    }
    let out = site.join("out");
    let r = run(altitude()
        .arg("build")
        .arg(site.path())
        .arg("--out")
        .arg(&out));
    assert_eq!(r.status, 0, "{}", r.stderr);
    let home = std::fs::read_to_string(out.join("index.html")).expect("home");
    assert!(
        home.contains("class=\"kind-home"),
        "a root readme.md is the home page"
    );
    let body = prose(&home);
    assert!(body.contains("href=\"./team/\""), "{body}");
    assert!(body.contains("href=\"./notes/\""), "{body}");
}

#[test]
fn timings_list_every_stage_in_pipeline_order() {
    let dir = TempDir::new("timings");
    let r = run(altitude()
        .current_dir(dir.path())
        .args(["build", "--timings", "--out", "site"]));
    assert_eq!(r.status, 0, "{}", r.stderr);
    let stages: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("  ") && l.contains(" ms"))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        stages,
        ["load", "resolve", "render", "index", "write", "total"],
        "{}",
        r.stderr
    );
    // A one-off build makes its search index while it renders the pages'
    // templates: the total counts that time once.
    let line = |stage: &str| {
        let found = r.stderr.lines().find(|l| l.trim_start().starts_with(stage));
        found.unwrap_or_default().to_string()
    };
    assert!(
        line("index ").ends_with(" ms  (during the stage above)"),
        "{}",
        r.stderr
    );
    let ms = |stage: &str| -> f64 {
        let line = line(stage);
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    let counted = ms("load ") + ms("resolve ") + ms("render ") + ms("write ");
    assert!((ms("total ") - counted).abs() < 0.5, "{}", r.stderr);
}

#[test]
fn a_rebuild_leaves_unchanged_files_alone_and_rewrites_changed_ones() {
    let site = copy_fixture("minimal");
    assert_eq!(run(altitude().arg("build").arg(site.path())).status, 0);
    let modified = |p: &str| {
        std::fs::metadata(site.join("public").join(p))
            .and_then(|m| m.modified())
            .unwrap()
    };
    let note = "notes/table/index.html";
    let principle = "principles/own-the-outcome/index.html";
    let (note_before, principle_before) = (modified(note), modified(principle));
    std::thread::sleep(std::time::Duration::from_millis(20));
    let file = site.join("principles/own-the-outcome.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("named owner", "named OWNER")).unwrap();
    let r = run(altitude().arg("build").arg(site.path()));
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(
        modified(note),
        note_before,
        "an unchanged page was rewritten"
    );
    assert_ne!(modified(principle), principle_before);
    let html = std::fs::read_to_string(site.join("public").join(principle)).unwrap();
    assert!(html.contains("named OWNER"));
}
