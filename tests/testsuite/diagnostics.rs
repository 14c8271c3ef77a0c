//! Diagnostics: every problem in one run, with position, excerpt and help.

use crate::support::*;

#[test]
fn bad_input_reports_every_problem_with_excerpts() {
    let r = run(altitude().current_dir(fixture("bad-input")).arg("check"));
    assert_eq!(r.status, 1);
    assert_eq!(r.stdout, "");
    assert_snapshot("bad-input.txt", &r.stderr);
}

#[test]
fn json_format_is_one_object_per_problem() {
    let r = run(altitude()
        .current_dir(fixture("bad-input"))
        .args(["check", "--format", "json"]));
    assert_eq!(r.status, 1);
    assert_snapshot("bad-input.jsonl", &r.stdout);
    for line in r.stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("valid JSON");
        assert!(v["code"].as_str().unwrap().starts_with('A'));
    }
}

#[test]
fn github_format_is_chosen_under_github_actions() {
    let r = run(altitude()
        .current_dir(fixture("bad-input"))
        .env("GITHUB_ACTIONS", "true")
        .arg("check"));
    assert_eq!(r.status, 1);
    assert!(
        r.stdout
            .lines()
            .all(|l| l.starts_with("::error ") || l.starts_with("::warning ")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("::error file=playbook.toml,line=3,col=13,"),
        "{}",
        r.stdout
    );
}

#[test]
fn strict_turns_warnings_into_errors() {
    let site = copy_fixture("minimal");
    std::fs::write(site.join("notes/typo.md"), "+++\ntitel = \"x\"\n+++\n").unwrap();
    let lenient = run(altitude().arg("check").arg(site.path()));
    assert_eq!(lenient.status, 0, "{}", lenient.stderr);
    assert!(lenient.stderr.contains("warning[A0012"));
    let strict = run(altitude().arg("check").arg("--strict").arg(site.path()));
    assert_eq!(strict.status, 1);
    assert!(strict.stderr.contains("error[A0012"));
}

/// Templates are compiled once per build: every broken one is reported
/// in the same run, with its excerpt; once they parse, a parent that is
/// missing is named.
#[test]
fn every_broken_template_is_reported_then_a_missing_parent() {
    let site = copy_fixture("minimal");
    let templates = site.join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    let concept =
        "{% extends \"base.html\" %}\n{% block content %}{{ page. }}{% endblock content %}\n";
    std::fs::write(templates.join("concept.html"), concept).unwrap();
    std::fs::write(templates.join("section.html"), "{% if %}\n").unwrap();
    let broken = run(altitude().current_dir(site.path()).arg("check"));
    assert_eq!(broken.status, 1);
    let expected = "\
error[A0201 template-error]: template `concept.html` does not parse: expected `or`, `and`, `not`, `<=`, `>=`, `<`, `>`, `==`, `!=`, `+`, `-`, `*`, `/`, `%`, a filter, or a variable end (`}}`)
  --> templates/concept.html:2:27
  |
2 | {% block content %}{{ page. }}{% endblock content %}
  |                           ^ expected `or`, `and`, `not`, `<=`, `>=`, `<`, `>`, `==`, `!=`, `+`, `-`, `*`, `/`, `%`, a filter, or a variable end (`}}`)

error[A0201 template-error]: template `section.html` does not parse: expected a value that can be negated
  --> templates/section.html:1:7
  |
1 | {% if %}
  |       ^ expected a value that can be negated

altitude: 2 error(s), 0 warning(s)
";
    assert_eq!(broken.stderr, expected);

    std::fs::remove_file(templates.join("concept.html")).unwrap();
    std::fs::write(
        templates.join("section.html"),
        "{% extends \"nowhere.html\" %}\n",
    )
    .unwrap();
    let orphan = run(altitude().current_dir(site.path()).arg("check"));
    assert_eq!(orphan.status, 1);
    assert_eq!(
        orphan.stderr,
        "error[A0201 template-error]: templates: Template 'section.html' is inheriting from \
         'nowhere.html', which doesn't exist or isn't loaded.\n\n\
         altitude: 1 error(s), 0 warning(s)\n"
    );
}

/// Odd and hostile inputs: never a panic, always a clean exit 0 or 1.
#[test]
fn no_input_makes_altitude_panic() {
    let site = copy_fixture("minimal");
    let deep = "> ".repeat(5000);
    let nasty: &[(&str, &[u8])] = &[
        ("empty.md", b""),
        ("only-fence.md", b"+++"),
        ("fence-crlf.md", b"+++\r\ntitle = \"x\"\r\n+++\r\nbody\r\n"),
        ("nested.md", b"+++\n[a.b.c]\nd = [[1], {e = 2}]\ntitle = 1979-05-27\n+++\n"),
        ("deep.md", deep.as_bytes()),
        ("links.md", b"[[]] [[|]] [[#]] [[a|b|c]] [x](<>) [y](../../../../etc/passwd) [z](%zz) ![](nope.png)"),
        ("headings.md", b"# \n## \n## \n###### x {#}\n"),
        ("bom.md", b"\xef\xbb\xbf+++\ntitle = \"bom\"\n+++\n"),
        ("binary.md", &[0, 159, 146, 150, 255, 0, 10]),
        ("principles/huge-order.md", b"+++\ntitle = \"H\"\norder = 99999999999999999999\naltitude = \"team\"\nhorizon = \"weeks\"\n+++\n"),
        ("concepts/empty-alias.md", b"+++\ntitle = \"E\"\naliases = [\"\", \"  \"]\n+++\n"),
        ("templates/page.html", b"{% extends \"page.html\" %}"),
    ];
    for (path, bytes) in nasty {
        let dest = site.join(path);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::write(dest, bytes).unwrap();
    }
    for command in ["check", "build"] {
        let r = run(altitude().arg(command).arg(site.path()));
        assert!(
            r.status == 0 || r.status == 1,
            "{command}: status {}\n{}",
            r.status,
            r.stderr
        );
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
}

/// The codes the README's table lists, in order.
fn documented_codes() -> Vec<String> {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README");
    readme
        .lines()
        .filter_map(|l| l.strip_prefix("| A"))
        .filter_map(|rest| rest.split(' ').next())
        .filter(|digits| digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()))
        .map(|digits| format!("A{digits}"))
        .collect()
}

#[test]
fn every_documented_code_is_reported_once_by_its_fixture() {
    let r = run(altitude()
        .current_dir(fixture("every-code"))
        .env("GIT_DIR", "no-such-git-dir")
        .args(["check", "--format", "json"]));
    assert_eq!(r.status, 1, "{}", r.stderr);
    assert_eq!(r.stderr, "");
    assert_snapshot("every-code.jsonl", &r.stdout);
    let mut reported: Vec<String> = r
        .stdout
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).expect("valid JSON");
            for key in ["file", "line", "column", "end_line", "end_column"] {
                assert!(!v[key].is_null(), "`{key}` missing in {line}");
            }
            v["code"].as_str().expect("a code").to_string()
        })
        .collect();
    reported.sort();
    let mut documented = documented_codes();
    documented.sort();
    assert_eq!(reported, documented);
}

#[test]
fn bundled_playbook_checks_clean_and_silent() {
    let dir = TempDir::new("bundled-check");
    for format in ["json", "github"] {
        let r = run(altitude()
            .current_dir(dir.path())
            .args(["check", "--format", format]));
        assert_eq!(r.status, 0, "{}", r.stderr);
        assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("", ""), "{format}");
    }
}

#[test]
fn verbose_shows_layers_pages_and_stages_and_excludes_quiet() {
    let dir = TempDir::new("verbose");
    let r = run(altitude()
        .current_dir(dir.path())
        .args(["check", "--verbose"]));
    assert_eq!(r.status, 0, "{}", r.stderr);
    for expected in [
        "altitude: layers, lowest first:\n  Shared playbook      <bundled>/\n",
        "altitude: pages: 16 concept, 1 home, 1 page, 11 principle, 2 section\n",
        "altitude: stages:\n  load ",
        "\n  total ",
    ] {
        assert!(
            r.stderr.contains(expected),
            "`{expected}` in:\n{}",
            r.stderr
        );
    }
    let both = run(altitude().args(["check", "--verbose", "--quiet"]));
    assert_eq!(both.status, 2);
    assert!(
        both.stderr
            .contains("'--verbose' cannot be used with '--quiet'"),
        "{}",
        both.stderr
    );
}

/// `altitude check` on the bad-input fixture inside a terminal, with
/// `NO_COLOR` set or not; the terminal's output.
fn check_on_a_terminal(no_color: bool) -> String {
    let no_color = if no_color { "NO_COLOR=1 " } else { "" };
    let command = format!("{no_color}{} check", env!("CARGO_BIN_EXE_altitude"));
    on_a_terminal(&command, &fixture("bad-input"))
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let coloured = check_on_a_terminal(false);
    assert!(coloured.contains("\x1b["), "{coloured}");
    assert!(coloured.contains("A0102"), "{coloured}");
    let plain = check_on_a_terminal(true);
    assert!(
        plain.contains("A0102") && !plain.contains("\x1b["),
        "{plain}"
    );
    let piped = run(altitude()
        .current_dir(fixture("bad-input"))
        .env_remove("NO_COLOR")
        .arg("check"));
    assert!(!piped.stderr.contains('\x1b'), "{}", piped.stderr);
}
