//! Company layers: a layer over a base adds, replaces, extends, aliases and
//! hides; conflicts are errors naming both places; existing handbooks build
//! as they are; `altitude new` scaffolds a layer that builds at once.

use crate::support::*;

fn read(path: std::path::PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `<article>` of a page: what the page itself says.
fn article(html: &str) -> &str {
    let start = html.find("<article").expect("article");
    let end = html.find("</article>").expect("article end") + "</article>".len();
    &html[start..end]
}

#[test]
fn a_company_layer_adds_replaces_extends_aliases_and_hides() {
    let site = copy_fixture("layers");
    let company = site.join("company");
    let r = run(altitude().current_dir(&company).arg("build"));
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("altitude: company additions on 1 of 1 principles\n"),
        "{}",
        r.stderr
    );
    let out = company.join("public");

    // Extend: the base text, then the company section with its badge.
    let principle = read(out.join("principles/own/index.html"));
    assert_snapshot("layers-extended-principle.html", article(&principle));

    // Hide: the page is gone and links to it are plain text.
    assert!(!out.join("principles/drop/index.html").exists());
    assert!(principle.contains("read Drop the ceremony again"));

    // Replace at another path: links to the old concept lead to the new one.
    assert!(!out.join("concepts/focus/index.html").exists());
    let focus = read(out.join("concepts/corp-focus/index.html"));
    assert!(focus.contains("Saying no to good ideas"));

    // Alias added to a base concept, and backlinks across layers.
    let owner = read(out.join("concepts/owner/index.html"));
    assert!(owner.contains("<span class=\"alias\">decider</span>"));
    assert!(owner.contains("../../handbook/\">Corp handbook</a>"));
    assert!(owner.contains("At Corp, owners are named in the weekly review."));

    // Replace at the same URL, settings and template overrides.
    let home = read(out.join("index.html"));
    assert!(home.contains("<h1>Corp home"), "{home}");
    assert!(home.contains("<title>Corp playbook</title>"));
    assert!(home.contains(":root { --accent: #0b6e4f;"));
    assert!(read(out.join("404.html")).contains("Corp: that page is not here."));
    // A page added by the company carries its badge.
    let handbook = read(out.join("handbook/index.html"));
    assert!(handbook.contains("<h1>Corp handbook <span class=\"layer-badge\""));
    // A link to a heading of a company section, from another page, shows
    // the heading as a link to one on the page itself would.
    assert!(
        handbook.contains(
            "<a href=\"../principles/own/#corp-practice\">Own the outcome › Practice</a>"
        ),
        "{handbook}"
    );
}

#[test]
fn layer_conflicts_are_errors_naming_both_places() {
    let site = copy_fixture("layers");
    let conflicts = run(altitude().current_dir(site.join("conflicts")).arg("check"));
    assert_eq!(conflicts.status, 1);
    let cycle = run(altitude().current_dir(site.join("cycle-a")).arg("check"));
    assert_eq!(cycle.status, 1);
    assert_snapshot(
        "layers-conflicts.txt",
        &format!("{}\n{}", conflicts.stderr, cycle.stderr),
    );
}

#[test]
fn layers_report_in_text_and_json() {
    let r = run(altitude()
        .arg("layers")
        .arg(repo().join("examples/acme"))
        .arg("--format")
        .arg("json"));
    assert_eq!(r.status, 0, "{}", r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let layers = report["layers"].as_array().expect("layers");
    assert_eq!(layers.len(), 2);
    assert_eq!(layers[1]["name"], "Acme");
    assert_eq!(layers[1]["extensions"], 4);
    assert_eq!(layers[1]["hidden"], 1);
    let principles = report["principles"].as_array().expect("principles");
    assert_eq!(principles.len(), 10, "one of eleven is hidden");
    let extended = principles
        .iter()
        .filter(|p| p["extended_by"] == serde_json::json!(["Acme"]))
        .count();
    assert_eq!(extended, 3);

    let text = run(altitude().arg("layers").arg(repo().join("examples/acme")));
    assert!(text.stdout.contains("2. Acme"), "{}", text.stdout);
    assert!(text
        .stdout
        .contains("✓ Decide with one owner, not a committee"));
}

#[test]
fn the_acme_example_builds_cleanly() {
    let tmp = TempDir::new("acme");
    let r = run(altitude()
        .arg("build")
        .arg(repo().join("examples/acme"))
        .arg("--out")
        .arg(tmp.join("site"))
        .arg("--strict"));
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    let page = read(tmp.join("site/principles/decide-with-one-owner-not-a-committee/index.html"));
    assert!(page.contains("<section class=\"extension\" id=\"acme\""));
    assert!(page.contains("<img class=\"site-logo\" src=\"../../assets/acme-logo.svg\""));
    assert!(tmp.join("site/assets/acme-logo.svg").is_file());
}

#[test]
fn a_github_handbook_builds_as_it_is() {
    let site = copy_fixture("handbook");
    let r = run(altitude().current_dir(site.path()).arg("check").arg("."));
    assert_eq!(r.status, 1);
    assert_snapshot("handbook.txt", &r.stderr);

    // Mend the one broken link: the handbook builds over the bundled playbook.
    let deploy = site.join("engineering/Deploy Process.md");
    let text = read(deploy.clone()).replace("../templates/postmortem.md", "../README.md");
    std::fs::write(&deploy, text).unwrap();
    let r = run(altitude().current_dir(site.path()).arg("build").arg("."));
    assert_eq!(r.status, 0, "{}", r.stderr);
    let out = site.join("public");

    let on_call = read(out.join("engineering/on-call/index.html"));
    assert!(on_call.contains("<h1>On Call <span class=\"layer-badge\""));
    assert_eq!(on_call.matches("<h1").count(), 1, "no duplicate H1");
    for kind in ["tip", "caution", "important"] {
        assert!(
            on_call.contains(&format!("callout callout-{kind}")),
            "{kind}"
        );
    }
    assert!(on_call.contains("href=\"../../engineering/escalation.txt\""));
    assert!(on_call.contains("[[not a link]]"), "code is left alone");

    let readme = read(out.join("index.html"));
    assert!(readme.contains("<h1>Company Handbook"), "YAML title");
    assert!(readme.contains("<details>"), "raw HTML passes through");
    assert!(
        readme.contains("href=\"./engineering/on-call/#paging-rules\""),
        "{readme}"
    );
    assert!(readme.contains("href=\"./hiring/\""));

    // A folder without README gets a generated listing.
    let hiring = read(out.join("hiring/index.html"));
    assert!(hiring.contains("<h3 class=\"card-title\"><a href=\"../hiring/interview-loop/\">"));
    assert!(hiring.contains("<h3 class=\"card-title\"><a href=\"../hiring/offer-approval/\">"));

    // Other generators' syntax stays visible.
    let deploy = read(out.join("engineering/deploy-process/index.html"));
    assert!(deploy.contains("{% include warning.html %}"));
    // The shared principles are still there, under the handbook.
    assert!(out.join("principles/index.html").is_file());
}

#[test]
fn new_scaffolds_a_layer_that_builds_at_once() {
    let tmp = TempDir::new("new");
    let dir = tmp.join("acme-corp");
    let r = run(altitude().arg("new").arg(&dir));
    assert_eq!(r.status, 0, "{}", r.stderr);
    let r = run(altitude().arg("build").arg(&dir));
    assert_eq!(r.status, 0, "{}", r.stderr);
    let page = read(dir.join("public/principles/decide-with-one-owner-not-a-committee/index.html"));
    assert!(page.contains("How we do this at Acme corp"));
    assert!(dir
        .join("public/concepts/decision-log/index.html")
        .is_file());
    assert!(
        !dir.join("public/readme/index.html").exists(),
        "README is ignored"
    );
    let again = run(altitude().arg("new").arg(&dir));
    assert_eq!(again.status, 2);
    assert!(again.stderr.contains("already exists and is not empty"));
}

#[test]
fn extra_layers_from_the_command_line_and_from_playbook_toml_add_their_pages() {
    let site = copy_fixture("minimal");
    let extra = TempDir::new("extra-layer");
    std::fs::create_dir_all(extra.join("notes")).expect("folder");
    std::fs::write(extra.join("playbook.toml"), "name = \"Extra\"\n").expect("toml");
    std::fs::write(extra.join("notes/extra.md"), "# From the extra layer\n").expect("page");
    // Over the command line…
    let out = site.join("out-cli");
    let r = run(altitude()
        .arg("build")
        .arg(site.path())
        .arg("--layer")
        .arg(extra.path())
        .arg("--out")
        .arg(&out));
    assert_eq!(r.status, 0, "{}", r.stderr);
    let page = read(out.join("notes/extra/index.html"));
    assert!(page.contains("From the extra layer"), "{page}");
    assert!(page.contains(">Extra</span>"), "the layer's badge: {page}");
    // …and named in playbook.toml.
    let toml = std::fs::read_to_string(site.join("playbook.toml")).expect("toml");
    std::fs::write(
        site.join("playbook.toml"),
        format!(
            "layers = [{:?}]\n{toml}",
            extra.path().display().to_string()
        ),
    )
    .expect("toml");
    let named = site.join("out-toml");
    let r = run(altitude()
        .arg("build")
        .arg(site.path())
        .arg("--out")
        .arg(&named));
    assert_eq!(r.status, 0, "{}", r.stderr);
    // Named layers sit under the playbook naming them (here the lowest of
    // all, with base = "none"), so the page carries no badge.
    let page = read(named.join("notes/extra/index.html"));
    assert!(page.contains("<h1>From the extra layer</h1>"), "{page}");
}

#[test]
fn a_layer_added_on_top_says_its_own_base_and_layers_are_ignored() {
    let site = copy_fixture("minimal");
    let extra = TempDir::new("extra-with-base");
    std::fs::write(
        extra.join("playbook.toml"),
        "name = \"Extra\"\nbase = \"../somewhere\"\n",
    )
    .expect("toml");
    let r = run(altitude()
        .current_dir(extra.path())
        .env("NO_COLOR", "1")
        .arg("check")
        .arg(site.path())
        .arg("--layer")
        .arg("."));
    assert_eq!(r.status, 0, "a warning, not an error: {}", r.stderr);
    assert!(
        r.stderr.starts_with(
            "warning[A0304 layer-setting-ignored]: `base` is ignored in a layer added with --layer: `../somewhere` is not stacked\n  \
             --> playbook.toml:2:8\n  \
             |\n\
             2 | base = \"../somewhere\"\n  \
             |        ^^^^^^^^^^^^^^ ignored here\n  \
             |\n  \
             = help: only the playbook a command is given names its `base`; set it in that playbook.toml\n\n\
             altitude: checked 9 pages in "
        ),
        "{}",
        r.stderr
    );
}
