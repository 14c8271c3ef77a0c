//! `cargo bench --bench serve`: edit-to-browser latency of `altitude serve`
//! (file written → the open page in headless Chromium shows the new text),
//! median and p95 over 50 edits, on the bundled playbook and on a generated
//! 10,000-page one; and the time of an incremental rebuild against a full
//! build. Needs Node.js and Chromium, like the browser tests.

#[path = "support/cached.rs"]
mod cached;
#[path = "support/corpus.rs"]
mod corpus;
#[path = "support/node.rs"]
mod node;
#[path = "support/served.rs"]
mod served;

use std::path::{Path, PathBuf};

use served::Served;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("folder");
    for entry in std::fs::read_dir(from).expect("read").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

fn serve(dir: &Path) -> Served {
    Served::start(env!("CARGO_BIN_EXE_altitude"), dir)
}

/// Build times (ms) and pages re-rendered, from the server's log lines.
fn builds(log: &[String]) -> Vec<(f64, usize)> {
    log.iter()
        .filter_map(|l| {
            let rest = l.split(" pages in ").nth(1)?;
            let ms: f64 = rest.split(" ms").next()?.parse().ok()?;
            let rendered = rest.split(", ").nth(1)?.split(' ').next()?.parse().ok()?;
            Some((ms, rendered))
        })
        .collect()
}

fn latency(
    url: &str,
    file: &Path,
    marker: &str,
    edits: usize,
) -> Result<serde_json::Value, String> {
    node::node_json(
        "bench-serve.mjs",
        &[&url, &file, &marker, &edits.to_string()],
    )
}

/// Edits made one at a time, each once the last build has finished, for
/// the rebuild figure: the latency edits come too fast for that, and a
/// build that a newer edit overtakes stops before its search index.
const REBUILDS: usize = 10;

/// Makes [`REBUILDS`] edits to `file`, each after the build of the last
/// one has finished, then restores it and waits for that build too, so the
/// last [`REBUILDS`] builds are the edits'.
fn edit_one_at_a_time(server: &Served, file: &Path) {
    let original = std::fs::read_to_string(file).expect("page source");
    let write_and_wait = |text: &str| {
        let done = builds(&server.lines()).len();
        std::fs::write(file, text).expect("edit");
        let started = std::time::Instant::now();
        while builds(&server.lines()).len() == done {
            assert!(
                started.elapsed().as_secs() < 60,
                "no build finished within a minute of an edit"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
    };
    for n in 0..REBUILDS {
        write_and_wait(&format!("{original}\nRebuild {n}.\n"));
    }
    let edits = builds(&server.lines()).len();
    write_and_wait(&original);
    // The restoring build is not one of the figures.
    assert_eq!(builds(&server.lines()).len(), edits + 1);
}

fn report(name: &str, server: &Served, figures: Result<serde_json::Value, String>, target: &str) {
    match figures {
        Ok(f) => println!(
            "edit-to-browser latency, {name} | median {:.0} ms, p95 {:.0} ms ({} edits) | median {target}",
            f["median"].as_f64().unwrap_or(f64::NAN),
            f["p95"].as_f64().unwrap_or(f64::NAN),
            f["n"]
        ),
        Err(why) => println!("{name}: skipped: {why}"),
    }
    let b = builds(&server.lines());
    // The edits' builds: the last but the restoring one.
    if let (Some(first), true) = (b.first(), b.len() > REBUILDS + 1) {
        let edits = &b[b.len() - 1 - REBUILDS..b.len() - 1];
        let mut later: Vec<f64> = edits.iter().map(|x| x.0).collect();
        later.sort_by(f64::total_cmp);
        let median = later[later.len() / 2];
        println!(
            "rebuild after a one-page edit, {name} | median {median:.0} ms against {:.0} ms for the first, full build ({:.1} %) | ≤ 5 % at 10k pages",
            first.0,
            100.0 * median / first.0
        );
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let work = repo().join("target/bench-serve");
    let _ = std::fs::remove_dir_all(&work);
    println!("figure | measured | target");
    println!("---|---|---");

    let bundled = work.join("bundled");
    copy_dir(&repo().join("playbook"), &bundled);
    let server = serve(&bundled);
    let page = "principles/decide-with-one-owner-not-a-committee";
    let figures = latency(
        &format!("http://127.0.0.1:{}/{page}/", server.port),
        &bundled.join(format!("{page}.md")),
        "Speed compounds.",
        50,
    );
    edit_one_at_a_time(&server, &bundled.join(format!("{page}.md")));
    report("bundled playbook", &server, figures, "≤ 50 ms");
    drop(server);

    let (corpus, big) = cached::corpus(10_000);
    let server = serve(&big.join("company"));
    let (_, path) = &corpus.titles[1234];
    let source = big.join("base").join(path);
    let text = std::fs::read_to_string(&source).expect("page source");
    let marker = text
        .lines()
        .find(|l| l.starts_with("- "))
        .map(|l| l.trim_start_matches("- ").to_string())
        .unwrap_or_default();
    let url = format!(
        "http://127.0.0.1:{}/{}/",
        server.port,
        path.trim_end_matches(".md")
    );
    let figures = latency(&url, &source, &marker, 50);
    edit_one_at_a_time(&server, &source);
    report("10k pages", &server, figures, "≤ 150 ms");
}
