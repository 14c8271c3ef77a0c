//! `cargo bench --bench build`: build-time figures on generated playbooks,
//! each printed beside its target. Not a test: it measures, it does not fail.
//!
//! For each corpus size (1,000 and 10,000 pages; 100,000 with
//! `ALTITUDE_BENCH_100K=1`), the median of five runs of `altitude build`,
//! `altitude check` and a no-change rebuild, with peak memory (the child's
//! `ru_maxrss` from `wait4`) and the stage breakdown from `--timings`. Where
//! `hugo` or `mdbook` are on PATH, the same pages are built with them too.
//!
//! Full builds are measured two ways. First into new folders, on a disk
//! that has deleted nothing for six minutes, as a CI runner builds a fresh
//! clone; then over the previous output deleted just before, as
//! `rm -rf public && altitude build` does. On this machine's disk the two
//! differ by seconds (see `measure::INODES_HELD_BACK`). So the bench
//! deletes nothing until its last figure is taken, except the outputs the
//! second way deletes on purpose: the sites of the first are moved aside,
//! with 100,000 pages about 30 GB. Every timed run, the peers' included,
//! starts with the disk's pending writes done and its sources in the page
//! cache, as on a CI runner that has just cloned them
//! (`measure::ready_for_run`).

#[path = "support/cached.rs"]
mod cached;
#[path = "support/corpus.rs"]
mod corpus;
#[path = "support/measure.rs"]
mod measure;
#[path = "support/peers.rs"]
mod peers;

use std::path::PathBuf;

use measure::{
    median, ready_for_run, remove_noted, run_measured, wait_for_freed_inodes, Measured, Trash,
};
use peers::OutputFolder;

/// The folder of the corpus of `pages` pages, generated first if it is not
/// on disk. Only then is the corpus made in memory: every child this bench
/// starts shares its memory until it runs, and would report it as its own
/// peak (`ru_maxrss`).
fn corpus_dir(pages: usize) -> PathBuf {
    if cached::on_disk(pages) {
        return corpus::folder(&pages.to_string());
    }
    cached::corpus(pages).1
}

/// The layers of the corpus in `dir`: what a build reads.
fn sources(dir: &std::path::Path) -> Vec<PathBuf> {
    vec![dir.join("base"), dir.join("company")]
}

fn altitude(args: &[&str]) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_altitude"));
    cmd.args(args).env("NO_COLOR", "1");
    cmd
}

/// Runs per figure. This machine's disk stalls now and then for a second
/// or more, whatever runs: the median of five, with the fastest beside it.
const RUNS: usize = 5;

fn median_of_runs(mut f: impl FnMut() -> Measured) -> Measured {
    let runs: Vec<Measured> = (0..RUNS).map(|_| f()).collect();
    let fastest = runs.iter().map(|m| m.wall_ms).fold(f64::MAX, f64::min);
    let mut m = median(runs);
    m.fastest_ms = fastest;
    m
}

/// Stage name → milliseconds, from `--timings` output. A stage that ran
/// during the one before it (the index, beside the page templates) is
/// named `index (during render)`.
fn stages(stderr: &str) -> Vec<(String, f64)> {
    let mut found: Vec<(String, f64)> = Vec::new();
    for line in stderr.lines() {
        let mut parts = line.split_whitespace();
        let (Some(name), Some(ms), Some("ms")) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let Ok(ms) = ms.parse() else { continue };
        let name = match (parts.next(), found.last()) {
            (Some("(during"), Some((before, _))) => format!("{name} (during {before})"),
            _ => name.to_string(),
        };
        found.push((name, ms));
    }
    found
}

struct Row {
    pages: usize,
    /// Into a new folder each time (see the module's doc).
    fresh: Measured,
    build: Measured,
    check: Measured,
    rebuild: Measured,
    /// `cp -r` of the built site into a new folder: what this disk takes
    /// to write its files at all, the floor under the build into one.
    copy: Measured,
    /// Of the median build after deleting the last output.
    stages: Vec<(String, f64)>,
    /// Of the median build into a new folder: with no inodes just freed
    /// to pass over (see `measure::INODES_HELD_BACK`), the stages that
    /// write, the render stage (pages) and the index stage (the search
    /// index's files, written as they are made), show the code's cost.
    fresh_stages: Vec<(String, f64)>,
}

/// Writes every corpus this run needs that is not on disk yet, Altitude's
/// and the peers'; whether any was written.
fn write_missing_corpora(sizes: &[usize]) -> bool {
    let mut wrote = false;
    for &n in sizes {
        if !cached::on_disk(n) {
            corpus_dir(n);
            wrote = true;
        }
    }
    peers::write_missing(&generate) || wrote
}

/// Altitude's figures into new folders at one size.
struct NewFolders {
    build: Measured,
    /// The median build's stages, from its `--timings`.
    stages: Vec<(String, f64)>,
    /// `cp -r` of the first of those sites into new folders.
    copy: Measured,
}

/// `altitude build` of `pages` pages into new folders, one per run, then
/// `cp -r` of the first into new folders; every folder goes to `trash`.
fn build_into_new_folders(pages: usize, trash: &mut Trash) -> NewFolders {
    let dir = corpus_dir(pages);
    let site_arg = dir.join("company").to_string_lossy().to_string();
    let mut folders = Vec::new();
    let build = median_of_runs(|| {
        let out = dir.join(format!("out-new-{}", folders.len()));
        let out_arg = out.to_string_lossy().to_string();
        folders.push(out);
        ready_for_run(&sources(&dir));
        timed_build(&site_arg, &out_arg)
    });
    let mut copies = Vec::new();
    let copy = median_of_runs(|| {
        let to = dir.join(format!("copy-new-{}", copies.len()));
        ready_for_run(&folders[..1]);
        let mut cp = std::process::Command::new("cp");
        cp.arg("-r").arg(&folders[0]).arg(&to);
        copies.push(to);
        run_measured(cp)
    });
    for folder in folders.iter().chain(&copies) {
        trash.take(folder);
    }
    let stages = stages(&build.stderr);
    NewFolders {
        build,
        stages,
        copy,
    }
}

/// `altitude build --timings` of `site` into `out`, measured.
fn timed_build(site: &str, out: &str) -> Measured {
    run_measured(altitude(&["build", site, "--out", out, "-q", "--timings"]))
}

fn bench_size(pages: usize, fresh: NewFolders) -> Row {
    let dir = corpus_dir(pages);
    let site = dir.join("company");
    let out = dir.join("out");
    let out_arg = out.to_string_lossy().to_string();
    let site_arg = site.to_string_lossy().to_string();
    let build = median_of_runs(|| {
        remove_noted(&out);
        ready_for_run(&sources(&dir));
        timed_build(&site_arg, &out_arg)
    });
    let stages = stages(&build.stderr);
    let check = median_of_runs(|| run_measured(altitude(&["check", &site_arg, "-q"])));
    let rebuild =
        median_of_runs(|| run_measured(altitude(&["build", &site_arg, "--out", &out_arg, "-q"])));
    Row {
        pages,
        fresh_stages: fresh.stages,
        fresh: fresh.build,
        build,
        check,
        rebuild,
        copy: fresh.copy,
        stages,
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        // `cargo test --benches` asks benches to list tests; there are none.
        return;
    }
    let mut sizes = vec![1_000, 10_000];
    if std::env::var("ALTITUDE_BENCH_100K").is_ok_and(|v| v == "1") {
        sizes.push(100_000);
    }
    // A child started from this process counts the process's memory as
    // its own peak (`ru_maxrss`), so a corpus made in memory here would
    // swell every figure after it: the corpora are written first, and if
    // any was, the bench starts again in a fresh process.
    if write_missing_corpora(&sizes) {
        let status = std::process::Command::new(std::env::current_exe().expect("bench path"))
            .args(std::env::args_os().skip(1))
            .status();
        std::process::exit(status.map_or(1, |s| s.code().unwrap_or(1)));
    }
    println!("altitude build benchmark ({} cores)", measure::cores());
    let mut trash = Trash::new();
    let fresh = bench_new_folders(&sizes, &mut trash);
    let bundled = bench_bundled();
    let rows: Vec<Row> = sizes
        .iter()
        .zip(fresh)
        .map(|(&n, fresh)| {
            let row = bench_size(n, fresh);
            print_row(&row);
            row
        })
        .collect();
    print_targets(&bundled, &rows);
    let deleted_ms: Vec<(usize, f64)> = rows.iter().map(|r| (r.pages, r.build.wall_ms)).collect();
    peers::compare(&deleted_ms, OutputFolder::Deleted);
    trash.empty();
}

fn generate(pages: usize) -> corpus::Corpus {
    corpus::Corpus::generate(pages, 42)
}

/// The bundled playbook's full build.
fn bench_bundled() -> Measured {
    let tmp = std::env::temp_dir().join(format!("altitude-bench-{}", std::process::id()));
    let tmp_arg = tmp.to_string_lossy().to_string();
    let bundled = median_of_runs(|| {
        remove_noted(&tmp);
        ready_for_run(&[]);
        run_measured(altitude(&["build", "--out", &tmp_arg, "-q"]))
    });
    remove_noted(&tmp);
    println!(
        "bundled playbook: build {:.0} ms (target ≤ 50 ms), peak {:.0} MB",
        bundled.wall_ms, bundled.peak_mb
    );
    bundled
}

/// The first phase: every full build into a new folder, Altitude's at each
/// size and the peers', once the disk has forgotten what this bench (or
/// its last run) deleted. A stopped run's leftovers are moved to `trash`,
/// and so is every folder built here.
fn bench_new_folders(sizes: &[usize], trash: &mut Trash) -> Vec<NewFolders> {
    let leftovers = sizes
        .iter()
        .flat_map(|&n| {
            let dir = corpus_dir(n);
            (0..RUNS).flat_map(move |i| {
                [
                    dir.join(format!("out-new-{i}")),
                    dir.join(format!("copy-new-{i}")),
                ]
            })
        })
        .chain(peers::new_folders());
    for folder in leftovers {
        trash.take(&folder);
    }
    wait_for_freed_inodes();
    let mut fresh = Vec::new();
    for &n in sizes {
        let measured = build_into_new_folders(n, trash);
        println!(
            "{n} pages into new folders (median of {RUNS}, fastest in brackets): build {:.0} ms ({:.0}), {:.0} MB peak; the site copied with `cp -r` {:.0} ms ({:.0})",
            measured.build.wall_ms,
            measured.build.fastest_ms,
            measured.build.peak_mb,
            measured.copy.wall_ms,
            measured.copy.fastest_ms
        );
        println!("  stages: {}", stage_text(&measured.stages));
        fresh.push(measured);
    }
    let fresh_ms: Vec<(usize, f64)> = sizes
        .iter()
        .zip(&fresh)
        .map(|(&n, m)| (n, m.build.wall_ms))
        .collect();
    for folder in peers::compare(&fresh_ms, OutputFolder::New) {
        trash.take(&folder);
    }
    fresh
}

/// One size's figures after deleting the last output, as measured.
fn print_row(row: &Row) {
    let n = row.pages;
    println!(
        "\n{n} pages (median of {RUNS}, fastest in brackets), each build after deleting the last: build {:.0} ms ({:.0}), {:.0} MB peak | check {:.0} ms ({:.0}) | no-change rebuild {:.0} ms ({:.0})",
        row.build.wall_ms,
        row.build.fastest_ms,
        row.build.peak_mb,
        row.check.wall_ms,
        row.check.fastest_ms,
        row.rebuild.wall_ms,
        row.rebuild.fastest_ms
    );
    println!("  stages: {}", stage_text(&row.stages));
}

/// `load 18 ms, resolve 9 ms, …`
fn stage_text(stages: &[(String, f64)]) -> String {
    let each: Vec<String> = stages
        .iter()
        .map(|(s, ms)| format!("{s} {ms:.0} ms"))
        .collect();
    each.join(", ")
}

/// Each figure the issue sets a target for, beside its target.
fn print_targets(bundled: &Measured, rows: &[Row]) {
    let find = |n: usize| rows.iter().find(|r| r.pages == n);
    println!("\nfigure | measured | target");
    println!("---|---|---");
    println!(
        "bundled playbook, full build | {:.0} ms | ≤ 50 ms",
        bundled.wall_ms
    );
    if let Some(r) = find(10_000) {
        println!(
            "full build, 10k pages, into a new folder | {:.2} s (fastest {:.2} s), {:.0} MB; `cp -r` of the site into one {:.2} s | ≤ 1.0 s, ≤ 300 MB",
            r.fresh.wall_ms / 1000.0,
            r.fresh.fastest_ms / 1000.0,
            r.fresh.peak_mb,
            r.copy.wall_ms / 1000.0
        );
        println!(
            "full build, 10k pages, the last output deleted just before | {:.2} s (fastest {:.2} s), {:.0} MB | ≤ 1.0 s, ≤ 300 MB",
            r.build.wall_ms / 1000.0,
            r.build.fastest_ms / 1000.0,
            r.build.peak_mb
        );
        println!(
            "`altitude check`, 10k pages | {:.2} s (fastest {:.2} s) | ≤ 0.5 s",
            r.check.wall_ms / 1000.0,
            r.check.fastest_ms / 1000.0
        );
        let index = r
            .fresh_stages
            .iter()
            .find(|(s, _)| s.starts_with("index"))
            .map_or(0.0, |s| s.1);
        println!(
            "indexing, 10k pages, into a new folder (writing its files included; beside the page templates, sharing the cores with them) | {:.2} s | ≤ 0.5 s",
            index / 1000.0
        );
    }
    if let (Some(big), Some(r10)) = (find(100_000), find(10_000)) {
        println!(
            "full build, 100k pages, into a new folder | {:.1} s (fastest {:.1} s), {:.0} MB; `cp -r` of the site into one {:.1} s | ≤ 12 s, ≤ 2.5 GB",
            big.fresh.wall_ms / 1000.0,
            big.fresh.fastest_ms / 1000.0,
            big.fresh.peak_mb,
            big.copy.wall_ms / 1000.0
        );
        println!(
            "full build, 100k pages, the last output deleted just before | {:.1} s, {:.0} MB | ≤ 12 s, ≤ 2.5 GB",
            big.build.wall_ms / 1000.0,
            big.build.peak_mb
        );
        let growth = |m: fn(&Row) -> f64| (m(big) / 100_000.0) / (m(r10) / 10_000.0);
        println!(
            "time per page, 100k against 10k | {:.2} × into new folders, {:.2} × after deleting | ≤ 1.3 ×",
            growth(|r| r.fresh.wall_ms),
            growth(|r| r.build.wall_ms)
        );
    }
}
