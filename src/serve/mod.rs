//! `altitude serve`: build into memory, serve it, rebuild on every save and
//! tell the open pages.
//!
//! This module only decides *when* to build; the pipeline decides what a
//! build is. The site is never written to disk: a failed build keeps the
//! last good one served, with its problems shown over every open page.

mod http;
mod paths;
mod site;
mod watch;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use crate::content::{LayerInfo, SiteInput};
use crate::diag;
use crate::pipeline::{self, Outcome, Stopped};
use site::Site;

pub struct Options {
    pub bind: IpAddr,
    /// The port asked for, if any; otherwise the first free from 4000.
    pub port: Option<u16>,
    pub open: bool,
    pub color: bool,
    /// Print each rebuild's stage breakdown.
    pub timings: bool,
}

const DEFAULT_PORT: u16 = 4000;
const WORKERS: usize = 8;

/// Runs until the process is stopped. Returns an exit status only when it
/// cannot start.
pub fn run(input: SiteInput, options: Options) -> i32 {
    let site = Arc::new(Site::default());
    // Watch before the first build, so no save is missed while it runs; the
    // build then names every layer's folder.
    let first_roots: Vec<PathBuf> = std::iter::once(&input.top)
        .chain(&input.extra)
        .filter_map(|s| s.disk_root().map(PathBuf::from))
        .collect();
    let mut watcher = match watch::Watcher::new(first_roots) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: cannot watch the playbook's folders: {e}");
            return crate::cli::EXIT_USAGE;
        }
    };
    let mut cache = pipeline::Cache::keeping();
    // The search index is made after the pages are shown, while the open
    // pages fetch them: on one thread, leaving the others to the server
    // and the browser. (Its word counting runs no faster on two.)
    let index_pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(|_| "altitude-index".into())
        .build()
        .ok();
    // A big site's pages take a while to free: one thread frees each
    // build's outcome, off the way to the next build.
    let (free, freed) = std::sync::mpsc::channel::<Outcome>();
    let _ = std::thread::Builder::new()
        .name("altitude-free".into())
        .spawn(move || freed.into_iter().for_each(drop));
    let serving = Serving {
        input: &input,
        site: &site,
        options: &options,
        index_pool: index_pool.as_ref(),
        free,
    };
    let never = || false;
    // The last build's site, kept until the next build is done: a saved
    // page is shown over it before the build (`pipeline::provisional`).
    let mut last = serving.build(&mut cache, "start", &never, false);
    let mut roots = roots_of(&last.loaded.layers);
    watcher.set_roots(roots.clone());
    let server = match bind(&options) {
        Ok(server) => server,
        Err(message) => {
            eprintln!("error: {message}");
            return crate::cli::EXIT_USAGE;
        }
    };
    let server = Arc::new(server);
    let address = server
        .server_addr()
        .to_ip()
        .unwrap_or_else(|| SocketAddr::new(options.bind, 0));
    let url = format!("http://{address}/");
    if !options.bind.is_loopback() {
        eprintln!(
            "altitude: warning: serving on {} makes the playbook reachable from other machines",
            options.bind
        );
    }
    eprintln!("altitude: serving {url} (Ctrl-C to stop)");
    for _ in 0..WORKERS {
        let (server, site) = (server.clone(), site.clone());
        std::thread::spawn(move || {
            while let Ok(request) = server.recv() {
                http::handle(&site, request);
            }
        });
    }
    if options.open {
        open_browser(&url);
    }
    loop {
        let changed = watcher.next_batch();
        if changed.is_empty() {
            continue;
        }
        let reason = describe_change(&changed);
        let shown = serving.show_early(&mut last, &cache, &changed, &reason);
        // A build a newer change stops short of its search index is
        // followed by that change's batch, whose build makes the index
        // whatever comes (see `index::IndexCache`).
        // It may stop before it makes the pages only if its change is on
        // show already: a change only a build can show is always shown.
        let pending = watcher.pending();
        let built = serving.build(&mut cache, &reason, &pending, shown);
        // Its layers are the latest, even if it stopped early.
        let new_roots = roots_of(&built.loaded.layers);
        // A build stopped before its pages leaves the last site as it was.
        let done = if built.stopped == Stopped::BeforePages {
            built
        } else {
            std::mem::replace(&mut last, built)
        };
        // Without the freeing thread, the send fails and frees it here.
        let _ = serving.free.send(done);
        if new_roots != roots {
            roots = new_roots;
            watcher.set_roots(roots.clone());
        }
    }
}

/// The first free port from 4000, or exactly the one asked for.
fn bind(options: &Options) -> Result<tiny_http::Server, String> {
    let ports: Vec<u16> = match options.port {
        Some(port) => vec![port],
        None => (DEFAULT_PORT..DEFAULT_PORT + 50).collect(),
    };
    let mut last = String::new();
    for port in ports {
        match tiny_http::Server::http(SocketAddr::new(options.bind, port)) {
            Ok(server) => {
                if options.port.is_none() && port != DEFAULT_PORT {
                    eprintln!("altitude: port {DEFAULT_PORT} is busy; using {port}");
                }
                return Ok(server);
            }
            Err(e) => last = e.to_string(),
        }
    }
    Err(match options.port {
        Some(port) => format!(
            "cannot listen on {}:{port}: {last}\nhelp: pick another `--port`, or leave it out to take the first free one",
            options.bind
        ),
        None => format!("no free port from {DEFAULT_PORT}: {last}"),
    })
}

/// What every build of a session shares.
struct Serving<'a> {
    input: &'a SiteInput,
    site: &'a Site,
    options: &'a Options,
    index_pool: Option<&'a rayon::ThreadPool>,
    /// Where each build's outcome goes to be freed.
    free: std::sync::mpsc::Sender<Outcome>,
}

impl Serving<'_> {
    /// A change shown at once, before the build that follows and confirms
    /// it: static files' new bytes (see `content::static_change`), or the
    /// page a save changed the prose of (see `pipeline::provisional`).
    /// Only over a good last build. Returns whether one was.
    fn show_early(
        &self,
        last: &mut Outcome,
        cache: &pipeline::Cache,
        changed: &[PathBuf],
        reason: &str,
    ) -> bool {
        if self.site.status().failure.is_some() || last.diagnostics.has_errors() {
            return false;
        }
        let started = Instant::now();
        if let Some(files) = pipeline::restyled(&last.loaded, changed, &self.site.files()) {
            self.site.show_changed(files);
            eprintln!("altitude: shown at once, before the build ({reason})");
            return true;
        }
        let Some(page) = pipeline::provisional(last, cache, changed) else {
            return false;
        };
        self.site.show_changed(vec![page]);
        eprintln!(
            "altitude: the saved page shown in {} ms, before the build ({reason})",
            started.elapsed().as_millis()
        );
        true
    }

    /// Builds, publishes the result and reports it, and returns what it
    /// made but the files (its layers' folders are watched). `superseded`
    /// tells the build that a newer change is waiting; `may_abort`, that it
    /// may then stop before it makes the pages.
    fn build(
        &self,
        cache: &mut pipeline::Cache,
        reason: &str,
        superseded: &(dyn Fn() -> bool + Sync),
        may_abort: bool,
    ) -> Outcome {
        let Serving {
            input,
            site,
            options,
            index_pool,
            ..
        } = *self;
        let color = options.color;
        let started = Instant::now();
        // The pages are shown as soon as they are made, with the search index
        // of the last build until this one's is ready.
        let hooks = pipeline::Hooks {
            show: &mut |pages| site.show_pages(pages.clone()),
            superseded,
            index_pool,
            may_abort,
        };
        let mut outcome = pipeline::run_cached(input, cache, hooks);
        if outcome.stopped == Stopped::BeforePages {
            // Its problems, if any, are the next build's to report.
            site.stopped();
            eprintln!("altitude: a newer change came before the pages were made ({reason})");
            return outcome;
        }
        let sources = &outcome.loaded.sources;
        let shown = (!outcome.diagnostics.is_empty())
            .then(|| diag::render_human(&outcome.diagnostics, sources, color));
        eprint!("{}", shown.as_deref().unwrap_or_default());
        if outcome.diagnostics.has_errors() {
            eprintln!("altitude: build failed ({reason}); still serving the last good build");
            // The page overlay has no colours: the same text without them.
            let report = match shown {
                Some(text) if !color => text,
                _ => diag::render_human(&outcome.diagnostics, sources, false),
            };
            site.fail(report);
        } else if outcome.stopped == Stopped::BeforeIndex {
            site.stopped();
            eprintln!(
                "altitude: showed {} pages in {} ms; a newer change came before the search index ({reason})",
                outcome.loaded.pages.len(),
                started.elapsed().as_millis(),
            );
        } else {
            let files = std::mem::take(&mut outcome.files);
            eprintln!(
                "altitude: built {} pages in {} ms, {} re-rendered ({reason})",
                outcome.loaded.pages.len(),
                started.elapsed().as_millis(),
                cache.rendered()
            );
            let published = Instant::now();
            site.publish(files);
            outcome
                .timings
                .stages
                .push(("publish", published.elapsed()));
        }
        if options.timings {
            eprintln!("altitude: stages: {}", outcome.timings);
        }
        outcome.files = Default::default();
        outcome
    }
}

fn roots_of(layers: &[LayerInfo]) -> Vec<PathBuf> {
    layers.iter().filter_map(|l| l.disk_root.clone()).collect()
}

fn describe_change(paths: &[PathBuf]) -> String {
    match paths {
        [one] => format!("{} changed", one.display()),
        many => format!("{} files changed", many.len()),
    }
}

fn open_browser(url: &str) {
    let command = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(command)
        .arg(url)
        .spawn()
        .is_err()
    {
        eprintln!("altitude: could not open a browser; visit {url}");
    }
}
