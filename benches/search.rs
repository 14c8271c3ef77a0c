//! `cargo bench --bench search`: the search index on the bundled playbook and
//! on a generated 10,000-page one, each figure beside its target. Sizes are
//! read off the output; bytes, requests, query times and recall come from
//! headless Chromium (`tests/browser/bench-search.mjs`), so they include the
//! real client. Needs Node.js and Chromium, like the browser tests.

#[path = "support/cached.rs"]
mod cached;
#[path = "support/corpus.rs"]
mod corpus;
#[path = "support/node.rs"]
mod node;

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn build(args: &[&str]) {
    let status = Command::new(env!("CARGO_BIN_EXE_altitude"))
        .args(args)
        .arg("-q")
        .status()
        .expect("altitude runs");
    assert!(status.success(), "altitude {args:?} failed");
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut child = Command::new("gzip")
        .args(["-9", "-c"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("gzip runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || std::io::Write::write_all(&mut stdin, &input));
    let out = child.wait_with_output().expect("gzip output");
    let _ = writer.join();
    out.stdout.len()
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// (raw, gzip) bytes of the search files, each file compressed on its own
/// as a server would send it.
fn index_size(site: &Path) -> (usize, usize) {
    let mut files = Vec::new();
    files_under(&site.join("search"), &mut files);
    let mut raw = 0;
    let mut gz = 0;
    for f in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "js"))
    {
        let bytes = std::fs::read(f).unwrap_or_default();
        raw += bytes.len();
        gz += gzip_len(&bytes);
    }
    (raw, gz)
}

fn markdown_text(dir: &Path) -> Vec<u8> {
    let mut files = Vec::new();
    files_under(dir, &mut files);
    files.sort();
    let mut text = Vec::new();
    for f in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "md"))
    {
        text.extend(std::fs::read(f).unwrap_or_default());
    }
    text
}

/// One edit at a random place: substitute, delete, insert or swap.
fn typo(rng: &mut corpus::Rng, word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    let at = rng.below(chars.len());
    let letter = (b'a' + rng.below(26) as u8) as char;
    match rng.below(4) {
        0 => chars[at] = if chars[at] == letter { 'q' } else { letter },
        1 if chars.len() > 4 => {
            chars.remove(at);
        }
        2 => chars.insert(at, letter),
        _ if at + 1 < chars.len() => chars.swap(at, at + 1),
        _ => chars[at] = if chars[at] == 'x' { 'z' } else { 'x' },
    }
    chars.into_iter().collect()
}

fn queries(corpus: &corpus::Corpus) -> serde_json::Value {
    let mut rng = corpus::Rng::new(9);
    let mut cases = Vec::new();
    let mut first = Vec::new();
    let mut further = Vec::new();
    for (title, path) in corpus.titles.iter().step_by(corpus.titles.len() / 100) {
        let words: Vec<String> = title
            .to_lowercase()
            .split(' ')
            .map(str::to_string)
            .collect();
        let expect = format!("{}/", path.trim_end_matches(".md"));
        let (a, b) = (&words[0], &words[1]);
        cases.push(serde_json::json!({"q": format!("{a} {b}"), "kind": "exact", "expect": expect}));
        let typo_word = typo(&mut rng, b);
        cases.push(
            serde_json::json!({"q": format!("{a} {typo_word}"), "kind": "typo", "expect": expect}),
        );
        let prefix: String = b.chars().take(4).collect();
        cases.push(
            serde_json::json!({"q": format!("{a} {prefix}"), "kind": "prefix", "expect": expect}),
        );
        if first.len() < 10 && a.get(..2) != b.get(..2) {
            first.push(a.clone());
            further.push(b.clone());
        }
    }
    serde_json::json!({"first": first, "further": further, "cases": cases})
}

fn browser_figures(site: &Path, queries: &serde_json::Value) -> Result<serde_json::Value, String> {
    let file = site.with_extension("queries.json");
    std::fs::write(&file, queries.to_string()).map_err(|e| e.to_string())?;
    node::node_json("bench-search.mjs", &[&site, &file])
}

fn kb(bytes: f64) -> String {
    format!("{:.1} KB", bytes / 1024.0)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let work = repo().join("target/bench-search");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("bench folder");

    // The bundled playbook.
    let bundled = work.join("bundled");
    build(&["build", "--out", &bundled.to_string_lossy()]);
    let (raw, gz) = index_size(&bundled);
    println!(
        "bundled playbook: search files {} raw, {} gzip",
        kb(raw as f64),
        kb(gz as f64)
    );
    let bundled_queries = serde_json::json!({
        "first": ["owner"], "further": ["clarity"], "cases": []
    });
    if let Ok(f) = browser_figures(&bundled, &bundled_queries) {
        println!(
            "bundled playbook, first query | {} request(s), {} raw, {} gzip | one request, ≤ 25 KB",
            f["first"]["requests"],
            kb(f["first"]["raw"].as_f64().unwrap_or(0.0)),
            kb(f["first"]["gzip"].as_f64().unwrap_or(0.0))
        );
    }

    // 10,000 generated pages.
    let (corpus, source) = cached::corpus(10_000);
    let site = work.join("site-10k");
    let started = std::time::Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_altitude"))
        .args(["build", "--timings", "-q", "--out"])
        .arg(&site)
        .arg(source.join("company"))
        .output()
        .expect("altitude runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let index_ms = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("index"))
        .and_then(|l| l.split_whitespace().next()?.parse::<f64>().ok())
        .unwrap_or(f64::NAN);
    println!(
        "10k pages built in {:.1} s (indexing {:.0} ms)",
        started.elapsed().as_secs_f64(),
        index_ms
    );
    let (raw, gz) = index_size(&site);
    let mut text = markdown_text(&source.join("base"));
    text.extend(markdown_text(&source.join("company")));
    let text_gz = gzip_len(&text);

    println!("\nfigure | measured | target");
    println!("---|---|---");
    println!(
        "index size, gzip, against the text gzip | {} / {} = {:.2} × | ≤ 0.8 ×",
        kb(gz as f64),
        kb(text_gz as f64),
        gz as f64 / text_gz as f64
    );
    println!(
        "index size, raw | {} | (text raw {})",
        kb(raw as f64),
        kb(text.len() as f64)
    );
    println!("indexing time, 10k pages | {index_ms:.0} ms | ≤ 500 ms");
    match browser_figures(&site, &queries(&corpus)) {
        Ok(f) => {
            let size = |k: &str, field: &str| kb(f[k][field].as_f64().unwrap_or(0.0));
            println!(
                "first query, incl. the search JS | {} requests, {} raw, {} gzip | ≤ 2 requests, ≤ 50 KB",
                f["first"]["requests"],
                size("first", "raw"),
                size("first", "gzip")
            );
            println!(
                "further new-term query | {} request(s), {} raw, {} gzip | ≤ 15 KB",
                f["further"]["requests"],
                size("further", "raw"),
                size("further", "gzip")
            );
            println!(
                "query time, warm (median / p95) | {:.2} / {:.2} ms | p95 ≤ 5 ms",
                f["query_ms"]["median"].as_f64().unwrap_or(f64::NAN),
                f["query_ms"]["p95"].as_f64().unwrap_or(f64::NAN)
            );
            if std::env::var_os("ALTITUDE_BENCH_VERBOSE").is_some() {
                println!("misses: {:#}", f["misses"]);
            }
            for (kind, target) in [("exact", "—"), ("typo", "≥ 90 %"), ("prefix", "≥ 95 %")] {
                let r = &f["recall"][kind];
                let hit = r["hit"].as_f64().unwrap_or(0.0);
                let total = r["total"].as_f64().unwrap_or(1.0);
                println!(
                    "{kind} queries, right page in top 5 | {:.0} % ({hit}/{total}) | {target}",
                    100.0 * hit / total
                );
            }
        }
        Err(why) => println!("browser figures: skipped: {why}"),
    }
}
