//! The command line: parses arguments, finds the playbook, runs the pipeline,
//! prints diagnostics and a summary, and maps the outcome to an exit status
//! (0 ok, 1 content problems, 2 usage or environment problems).

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};

use crate::config::normalize_base_url;
use crate::content::SiteInput;
use crate::coverage;
use crate::diag::{self, Format, Severity};
use crate::embedded;
use crate::output;
use crate::pipeline::{self, Mode, Outcome};
use crate::scaffold;
use crate::source::{FsSource, Source};

pub const EXIT_OK: i32 = 0;
pub const EXIT_CONTENT: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

#[derive(Parser)]
#[command(
    name = "altitude",
    version,
    about = "Build leadership playbooks into searchable, cross-linked sites."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into an output folder.
    Build(BuildArgs),
    /// Validate everything a build would, and write nothing.
    Check(CheckArgs),
    /// Serve the site from memory and rebuild on every save, with live reload.
    Serve(ServeArgs),
    /// Show the layers and which principles each company layer adds to.
    Layers(LayersArgs),
    /// Create a company playbook: a layer over the bundled principles.
    New(NewArgs),
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Port to listen on (default: the first free one from 4000; 0 lets the
    /// system choose).
    #[arg(long)]
    port: Option<u16>,
    /// Address to listen on. Anything but loopback exposes the playbook.
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// Open the site in the default browser.
    #[arg(long)]
    open: bool,
    /// Print the time each pipeline stage took, on every rebuild.
    #[arg(long)]
    timings: bool,
}

#[derive(Args)]
struct LayersArgs {
    #[command(flatten)]
    site: SiteArgs,
}

#[derive(Args)]
struct NewArgs {
    /// Folder to create (must not exist, or be empty).
    dir: PathBuf,
}

#[derive(Args)]
struct SiteArgs {
    /// Folder holding playbook.toml (default: the current folder if it has
    /// one, else the bundled playbook).
    path: Option<PathBuf>,
    /// How to print diagnostics (default: github under GitHub Actions, else human).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Print only diagnostics, no summary.
    #[arg(long, short, conflicts_with = "verbose")]
    quiet: bool,
    /// Also print the layer stack, the pages of each kind and each stage's time.
    #[arg(long, short)]
    verbose: bool,
    /// Treat warnings as errors.
    #[arg(long)]
    strict: bool,
    /// Add a layer on top of the playbook (repeatable; later layers win).
    #[arg(long = "layer", value_name = "PATH")]
    layers: Vec<PathBuf>,
}

#[derive(Args)]
struct BuildArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Output folder (default: `public/` beside playbook.toml).
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Absolute URL the site is published at, e.g. https://example.com/handbook/.
    #[arg(long)]
    base_url: Option<String>,
    /// Print the time each pipeline stage took.
    #[arg(long)]
    timings: bool,
}

#[derive(Args)]
struct CheckArgs {
    #[command(flatten)]
    site: SiteArgs,
}

/// Runs the CLI and returns the process exit status. The process is to
/// exit right after: `build` leaves its site's memory for the exit to
/// hand back (see `exit_keeping`).
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
        }
    };
    match cli.command {
        Command::Build(args) => build(args),
        Command::Check(args) => check(args),
        Command::Serve(args) => serve(args),
        Command::Layers(args) => layers(args),
        Command::New(args) => new(args),
    }
}

/// Where the playbook comes from.
enum Playbook {
    Folder(PathBuf),
    Bundled,
}

fn locate(path: Option<&Path>) -> Result<Playbook, String> {
    match path {
        Some(p) => {
            let folder = if p.file_name().is_some_and(|n| n == "playbook.toml") {
                p.parent().map(Path::to_path_buf).unwrap_or_default()
            } else {
                p.to_path_buf()
            };
            if !folder.is_dir() {
                return Err(format!("`{}` is not a folder", p.display()));
            }
            // A folder without playbook.toml is a layer with every setting
            // at its default: an existing handbook over the bundled playbook.
            Ok(Playbook::Folder(folder))
        }
        None if Path::new("playbook.toml").is_file() => Ok(Playbook::Folder(PathBuf::from("."))),
        None => Ok(Playbook::Bundled),
    }
}

fn input_for(
    playbook: &Playbook,
    args: &SiteArgs,
    skip: Vec<PathBuf>,
) -> Result<SiteInput, String> {
    let top: Arc<dyn Source> = match playbook {
        Playbook::Folder(dir) => Arc::new(FsSource::new(dir.clone(), skip.clone())),
        Playbook::Bundled => Arc::new(embedded::playbook()),
    };
    let mut extra: Vec<Arc<dyn Source>> = Vec::new();
    for layer in &args.layers {
        if !layer.is_dir() {
            return Err(format!(
                "the layer folder `{}` does not exist\nhelp: `--layer` takes a folder of markdown files",
                layer.display()
            ));
        }
        extra.push(Arc::new(FsSource::new(layer.clone(), skip.clone())));
    }
    Ok(SiteInput {
        theme: Arc::new(embedded::theme()),
        top,
        extra,
        skip,
    })
}

/// The playbook named on the command line, with its `--layer`s, for the
/// commands that write nothing.
fn site_input(args: &SiteArgs) -> Result<SiteInput, String> {
    input_for(&locate(args.path.as_deref())?, args, Vec::new())
}

/// Colour on a terminal only, and never with `NO_COLOR`.
fn use_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn usage_error(message: &str) -> i32 {
    eprintln!("error: {message}");
    EXIT_USAGE
}

fn build(args: BuildArgs) -> i32 {
    let started = Instant::now();
    let playbook = match locate(args.site.path.as_deref()) {
        Ok(p) => p,
        Err(e) => return usage_error(&e),
    };
    let (out, source_dirs) = match &playbook {
        Playbook::Folder(dir) => (
            args.out.clone().unwrap_or_else(|| dir.join("public")),
            vec![dir.clone()],
        ),
        Playbook::Bundled => (
            args.out.clone().unwrap_or_else(|| PathBuf::from("public")),
            vec![],
        ),
    };
    if let Err(e) = output::check_out_dir(&out, &source_dirs) {
        return usage_error(&e.0);
    }
    let input = match input_for(&playbook, &args.site, vec![out.clone()]) {
        Ok(input) => input,
        Err(e) => return usage_error(&e),
    };
    let progress = Arc::new(pipeline::Progress::default());
    let mut line = ProgressLine::start(progress.clone(), !args.site.quiet);
    let writer = match output::Writer::open(&out) {
        Ok(writer) => writer,
        Err(e) => return cannot_write(&out, &e),
    };
    let mut outcome = run_build(&input, &args, &progress, &writer);
    if outcome.diagnostics.has_errors() {
        line.stop();
    }
    let status = report(&mut outcome, &args.site);
    if status != EXIT_OK {
        if !args.site.quiet {
            eprintln!(
                "altitude: build failed; the previous output in `{}` is untouched",
                out.display()
            );
        }
        return status;
    }
    let written = Instant::now();
    progress.enter("write");
    let (mut files, mut write_result) = write_the_rest(writer, &outcome);
    if let Err(output::WriteError::Reshaped) = write_result {
        // Rare (a file became a folder, or a name changed only by case):
        // the pages went to the writer as they were rendered, so the site
        // is built again, into a fresh folder.
        match build_fresh(&input, &args, &progress, &out) {
            Ok((again, given, result)) => (outcome, files, write_result) = (again, given, result),
            Err(status) => {
                line.stop();
                return status;
            }
        }
    }
    line.stop();
    if let Err(e) = write_result {
        return cannot_write(&out, &e);
    }
    outcome.timings.stages.push(("write", written.elapsed()));
    if args.site.verbose {
        print_details(&outcome);
    }
    if args.timings || args.site.verbose {
        print_timings(&outcome);
    }
    if !args.site.quiet {
        if let Some(line) = coverage::coverage(&outcome.loaded, &outcome.resolved).summary() {
            eprintln!("altitude: {line}");
        }
    }
    if !args.site.quiet {
        eprintln!(
            "altitude: built {} pages ({} files) in {} ms → {}{}",
            outcome.loaded.pages.len(),
            files,
            started.elapsed().as_millis(),
            out.display(),
            warnings_suffix(&outcome)
        );
    }
    exit_keeping(outcome);
    EXIT_OK
}

/// Leaves a finished build's pages, links and index for the process's
/// end to hand back to the system in one go: freeing them one allocation
/// at a time, on one thread, was the last tenth of a 10k-page build.
/// Only for a process about to exit (`altitude build` and `altitude
/// check` end with this).
fn exit_keeping(outcome: pipeline::Outcome) {
    std::mem::forget(outcome);
}

/// The build, each page handed to `writer` as soon as it is rendered.
fn run_build(
    input: &SiteInput,
    args: &BuildArgs,
    progress: &pipeline::Progress,
    writer: &output::Writer,
) -> pipeline::Outcome {
    let overrides = |config: &mut crate::config::Config| {
        if let Some(url) = &args.base_url {
            config.base_url = normalize_base_url(url);
        }
    };
    pipeline::run_reporting(input, Mode::Build, overrides, progress, Some(writer))
}

/// Writes the files the build kept (all but the pages) and puts the site
/// in place; with the number of files the site has.
fn write_the_rest(
    writer: output::Writer,
    outcome: &pipeline::Outcome,
) -> (usize, Result<(), output::WriteError>) {
    writer.put_all(&outcome.files);
    (writer.files_given(), writer.finish())
}

/// The build again, written whole into a fresh folder. Its problems were
/// reported by the first build; problems only this one finds mean the
/// sources changed in between, and nothing is written.
type Rebuilt = (pipeline::Outcome, usize, Result<(), output::WriteError>);
fn build_fresh(
    input: &SiteInput,
    args: &BuildArgs,
    progress: &pipeline::Progress,
    out: &Path,
) -> Result<Rebuilt, i32> {
    let writer = output::Writer::fresh(out).map_err(|e| cannot_write(out, &e))?;
    let outcome = run_build(input, args, progress, &writer);
    if outcome.diagnostics.has_errors() {
        eprintln!(
            "error: the playbook changed while it was being built; the previous output in `{}` is untouched\nhelp: build again",
            out.display()
        );
        return Err(EXIT_CONTENT);
    }
    let (given, result) = write_the_rest(writer, &outcome);
    Ok((outcome, given, result))
}

fn cannot_write(out: &Path, e: &dyn std::fmt::Display) -> i32 {
    eprintln!("error: cannot write the site to `{}`: {e}", out.display());
    EXIT_USAGE
}

fn check(args: CheckArgs) -> i32 {
    let started = Instant::now();
    let input = match site_input(&args.site) {
        Ok(input) => input,
        Err(e) => return usage_error(&e),
    };
    let mut outcome = pipeline::run(&input, Mode::Check);
    let status = report(&mut outcome, &args.site);
    if args.site.verbose {
        print_details(&outcome);
        print_timings(&outcome);
    }
    if status == EXIT_OK
        && !args.site.quiet
        && args.site.format.unwrap_or_else(default_format) == Format::Human
    {
        eprintln!(
            "altitude: checked {} pages in {} ms: no problems{}",
            outcome.loaded.pages.len(),
            started.elapsed().as_millis(),
            warnings_suffix(&outcome)
        );
    }
    exit_keeping(outcome);
    status
}

fn serve(args: ServeArgs) -> i32 {
    let input = match site_input(&args.site) {
        Ok(input) => input,
        Err(e) => return usage_error(&e),
    };
    let color = use_color();
    crate::serve::run(
        input,
        crate::serve::Options {
            bind: args.bind,
            port: args.port,
            open: args.open,
            color,
            timings: args.timings || args.site.verbose,
        },
    )
}

fn layers(args: LayersArgs) -> i32 {
    let input = match site_input(&args.site) {
        Ok(input) => input,
        Err(e) => return usage_error(&e),
    };
    let mut outcome = pipeline::run(&input, Mode::Check);
    let table = coverage::coverage(&outcome.loaded, &outcome.resolved);
    match args.site.format.unwrap_or(Format::Human) {
        Format::Json => match serde_json::to_string_pretty(&table) {
            Ok(json) => println!("{json}"),
            Err(e) => return usage_error(&format!("cannot write JSON: {e}")),
        },
        _ => print!("{}", table.table()),
    }
    // Problems still matter: say them on stderr, in human form.
    let problems = SiteArgs {
        format: Some(Format::Human),
        quiet: true,
        ..args.site
    };
    report(&mut outcome, &problems)
}

fn new(args: NewArgs) -> i32 {
    match scaffold::create(&args.dir) {
        Ok(files) => {
            eprintln!("altitude: created {}", args.dir.display());
            for f in files {
                eprintln!("  {f}");
            }
            eprintln!(
                "next: altitude build {}   (or: altitude layers {})",
                args.dir.display(),
                args.dir.display()
            );
            EXIT_OK
        }
        Err(e) => usage_error(&e),
    }
}

/// On a terminal, once a build has run for half a second, a line saying
/// which stage it is in and how many pages are done; never in CI logs or
/// pipes, where it would only be noise.
struct ProgressLine {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// How long a build runs before its progress line shows: half a second,
/// or `ALTITUDE_PROGRESS_DELAY_MS` (the tests show it at once, so that
/// whether it shows does not hang on how fast the machine is).
fn progress_delay() -> std::time::Duration {
    let ms = std::env::var("ALTITUDE_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .unwrap_or(500);
    std::time::Duration::from_millis(ms)
}

impl ProgressLine {
    fn start(progress: Arc<pipeline::Progress>, wanted: bool) -> ProgressLine {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let on_terminal = std::io::stderr().is_terminal()
            && std::env::var_os("CI").is_none()
            && std::env::var_os("GITHUB_ACTIONS").is_none();
        let thread = (wanted && on_terminal).then(|| {
            let stop = stop.clone();
            std::thread::spawn(move || show_progress(&progress, &stop))
        });
        ProgressLine { stop, thread }
    }

    /// Stops and clears the line; safe to call again.
    fn stop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The progress line's loop, until `stop`: looks every 10 ms, so that no
/// stage passes unseen, and writes when the stage changes, when its count
/// of pages appears (the render stage learns its total after it begins),
/// or 100 ms after the last line.
fn show_progress(progress: &pipeline::Progress, stop: &std::sync::atomic::AtomicBool) {
    use std::time::Duration;
    let (started, delay) = (Instant::now(), progress_delay());
    let mut shown: Option<(&str, bool, Instant)> = None;
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(10));
        if started.elapsed() < delay {
            continue;
        }
        let (stage, done, total) = progress.read();
        let counted = total > 0;
        let due = shown.is_none_or(|(last, was_counted, at)| {
            (last, was_counted) != (stage, counted) || at.elapsed() >= Duration::from_millis(100)
        });
        if !due {
            continue;
        }
        let count = if stage == "render" && counted {
            format!(" {done}/{total} pages")
        } else {
            String::new()
        };
        eprint!("\r\x1b[2Kaltitude: {stage}{count}");
        shown = Some((stage, counted, Instant::now()));
    }
    if shown.is_some() {
        eprint!("\r\x1b[2K");
    }
}

impl Drop for ProgressLine {
    fn drop(&mut self) {
        self.stop();
    }
}

fn default_format() -> Format {
    if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
        Format::Github
    } else {
        Format::Human
    }
}

/// Prints the diagnostics and returns the exit status they call for.
fn report(outcome: &mut Outcome, args: &SiteArgs) -> i32 {
    if args.strict {
        outcome.diagnostics.make_strict();
    }
    let diags = &outcome.diagnostics;
    match args.format.unwrap_or_else(default_format) {
        Format::Human => {
            let color = use_color();
            let text = diag::render_human(diags, &outcome.loaded.sources, color);
            let _ = std::io::stderr().write_all(text.as_bytes());
            if diags.has_errors() && !args.quiet {
                eprintln!(
                    "altitude: {} error(s), {} warning(s)",
                    diags.count(Severity::Error),
                    diags.count(Severity::Warning)
                );
            }
        }
        Format::Json => print!("{}", diag::render_json(diags, &outcome.loaded.sources)),
        Format::Github => print!("{}", diag::render_github(diags, &outcome.loaded.sources)),
    }
    if diags.has_errors() {
        EXIT_CONTENT
    } else {
        EXIT_OK
    }
}

fn warnings_suffix(outcome: &Outcome) -> String {
    match outcome.diagnostics.count(Severity::Warning) {
        0 => String::new(),
        1 => " (1 warning)".into(),
        n => format!(" ({n} warnings)"),
    }
}

/// `--verbose`: what the build was made of.
fn print_details(outcome: &Outcome) {
    let loaded = &outcome.loaded;
    eprintln!("altitude: layers, lowest first:");
    for layer in &loaded.layers {
        let root = if layer.root.is_empty() {
            "./"
        } else {
            &layer.root
        };
        eprintln!("  {:<20} {root}", layer.name);
    }
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for (id, page) in loaded.pages.iter().enumerate() {
        if outcome.resolved.is_output(id) {
            *kinds.entry(page.kind.name()).or_default() += 1;
        }
    }
    let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
    eprintln!("altitude: pages: {}", kinds.join(", "));
    eprintln!("altitude: stages:");
}

fn print_timings(outcome: &Outcome) {
    let timings = &outcome.timings;
    for (stage, time) in &timings.stages {
        let during = match timings.ran_during_previous(stage) {
            true => "  (during the stage above)",
            false => "",
        };
        eprintln!(
            "  {stage:<8} {:>8.1} ms{during}",
            time.as_secs_f64() * 1000.0
        );
    }
    eprintln!(
        "  {:<8} {:>8.1} ms",
        "total",
        outcome.timings.total().as_secs_f64() * 1000.0
    );
}
