//! Watching the layers' folders, and turning a burst of file events into
//! one rebuild.
//!
//! Editors save in many ways (write in place, write a temporary file and
//! rename it over, delete then create, leave swap and backup files about)
//! and `git checkout` touches hundreds of files at once. So events are
//! filtered (files the build never reads do not count) and coalesced: a
//! batch ends when the folder has been quiet for a moment.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher as _};

use crate::sync::lock;

/// How long the folders must be quiet before a batch ends: short after an
/// editor's save (a few events), longer once a burst shows (a checkout).
const QUIET_SAVE: Duration = Duration::from_millis(5);
const QUIET_BURST: Duration = Duration::from_millis(300);
/// More events than this in a batch make it a burst.
const BURST: usize = 8;
/// A batch never waits longer than this, however busy the folders.
const MAX_WAIT: Duration = Duration::from_secs(2);
/// How often a folder that disappeared is looked for again.
const RECHECK: Duration = Duration::from_millis(400);

/// An event as the handler judged it, once: its kind (none for an error
/// the watcher reported) and the paths in it the build reads.
struct Noted {
    kind: Option<EventKind>,
    relevant: Vec<PathBuf>,
}

pub(crate) struct Watcher {
    inner: notify::RecommendedWatcher,
    events: Receiver<Noted>,
    /// Each watched folder, and whether a watch is in place on it now.
    roots: Vec<(PathBuf, bool)>,
    /// The folders, as the event handler judges paths by them.
    shared_roots: Arc<Mutex<Vec<PathBuf>>>,
    /// Set by the event handler as soon as a change the build cares about
    /// happens, while a build may still be running; cleared when a batch
    /// is handed out. It is set only with sending that change, so a build
    /// it stops is always followed by a batch, whose build does the rest.
    pending: Arc<AtomicBool>,
}

impl Watcher {
    pub fn new(roots: Vec<PathBuf>) -> notify::Result<Watcher> {
        let (tx, events) = channel();
        let pending = Arc::new(AtomicBool::new(false));
        let shared_roots = Arc::new(Mutex::new(Vec::new()));
        let (flag, judged_by) = (pending.clone(), shared_roots.clone());
        let inner = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            let noted = match &event {
                Ok(e) => Noted {
                    kind: Some(e.kind),
                    relevant: relevant(&lock(&judged_by), e),
                },
                Err(_) => Noted {
                    kind: None,
                    relevant: Vec::new(),
                },
            };
            if !noted.relevant.is_empty() {
                flag.store(true, Ordering::Release);
            }
            let _ = tx.send(noted);
        })?;
        let mut watcher = Watcher {
            inner,
            events,
            roots: Vec::new(),
            shared_roots,
            pending,
        };
        watcher.set_roots(roots);
        Ok(watcher)
    }

    /// Whether a change has happened since the last batch was handed out,
    /// as a question any thread can ask.
    pub fn pending(&self) -> impl Fn() -> bool + Sync {
        let pending = self.pending.clone();
        move || pending.load(Ordering::Acquire)
    }

    /// Watches exactly these folders (the layers can change with a save of
    /// playbook.toml). A relative folder is made absolute first: the
    /// watcher reports absolute paths, and a path not found inside its
    /// layer is judged whole, so a playbook under a hidden folder or a
    /// `target` folder would have had every save ignored.
    pub fn set_roots(&mut self, roots: Vec<PathBuf>) {
        let roots: Vec<PathBuf> = roots
            .into_iter()
            .map(|r| std::path::absolute(&r).unwrap_or(r))
            .collect();
        for (root, watched) in &self.roots {
            if *watched && !roots.contains(root) {
                let _ = self.inner.unwatch(root);
            }
        }
        *lock(&self.shared_roots) = roots.clone();
        let old = std::mem::take(&mut self.roots);
        self.roots = roots
            .into_iter()
            .map(|r| {
                let watched = old.iter().any(|(o, w)| *o == r && *w);
                (r, watched)
            })
            .collect();
        self.rewatch();
    }

    /// Puts a watch on every root that exists and has none; returns whether
    /// one came back after being gone.
    fn rewatch(&mut self) -> bool {
        let mut returned = false;
        for (root, watched) in &mut self.roots {
            if root.is_dir() && !*watched {
                *watched = self.inner.watch(root, RecursiveMode::Recursive).is_ok();
                returned |= *watched;
            } else if !root.is_dir() && *watched {
                let _ = self.inner.unwatch(root);
                *watched = false;
            }
        }
        returned
    }

    /// Blocks until a batch of changes the build cares about has settled,
    /// and returns the paths that changed.
    pub fn next_batch(&mut self) -> Vec<PathBuf> {
        let batch = self.collect_batch();
        // Changes from now on are the next batch's: a build they arrive
        // during is superseded.
        self.pending.store(false, Ordering::Release);
        batch
    }

    fn collect_batch(&mut self) -> Vec<PathBuf> {
        let mut batch: Vec<PathBuf> = Vec::new();
        let mut started: Option<Instant> = None;
        // A new folder starts a burst (a checkout, an unpacked archive),
        // however slowly its files follow.
        let mut new_folder = false;
        loop {
            let wait = match started {
                None => RECHECK,
                Some(_) if new_folder || batch.len() > BURST => QUIET_BURST,
                Some(_) => QUIET_SAVE,
            };
            match self.events.recv_timeout(wait) {
                Ok(noted) => {
                    new_folder |= matches!(
                        noted.kind,
                        Some(EventKind::Create(notify::event::CreateKind::Folder))
                    );
                    if !noted.relevant.is_empty() {
                        started.get_or_insert_with(Instant::now);
                        batch.extend(noted.relevant);
                    }
                    // A whole folder removed: its watch is gone with it.
                    if matches!(noted.kind, Some(EventKind::Remove(_))) {
                        self.rewatch();
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    if let Some(root) = self.reappeared() {
                        batch.push(root);
                        started.get_or_insert_with(Instant::now);
                    }
                    if started.is_some() {
                        break;
                    }
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if started.is_some_and(|s| s.elapsed() > MAX_WAIT) {
                break;
            }
        }
        batch.sort();
        batch.dedup();
        batch
    }

    /// A root that was gone and is back, now watched again.
    fn reappeared(&mut self) -> Option<PathBuf> {
        let before: Vec<bool> = self.roots.iter().map(|(_, w)| *w).collect();
        self.rewatch();
        self.roots
            .iter()
            .zip(before)
            .find(|((_, now), was)| *now && !was)
            .map(|((root, _), _)| root.clone())
    }
}

/// The paths of `event` the build reads.
fn relevant(roots: &[PathBuf], event: &notify::Event) -> Vec<PathBuf> {
    if matches!(event.kind, EventKind::Access(_)) {
        return Vec::new();
    }
    event
        .paths
        .iter()
        .filter(|p| {
            // Judge the path inside its layer: the layer itself may live
            // under a hidden folder.
            let inside = roots.iter().find_map(|r| p.strip_prefix(r).ok());
            read_by_build(inside.unwrap_or(p))
        })
        .cloned()
        .collect()
}

/// Whether the build reads this path: not in a folder the source skips
/// (hidden, `node_modules`, `target`), not an editor's swap, backup or
/// probe file.
pub(crate) fn read_by_build(path: &Path) -> bool {
    let skipped = path
        .components()
        .any(|c| crate::source::skipped_name(&c.as_os_str().to_string_lossy()));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let editor_file = name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913";
    !skipped && !editor_file
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_droppings_do_not_count() {
        for ignored in [
            "/p/.git/index",
            "/p/principles/.owner.md.swp",
            "/p/principles/owner.md~",
            "/p/#owner.md#",
            "/p/principles/4913",
            "/p/x.tmp",
            "/p/node_modules/pkg/index.md",
            "/p/target/debug/notes.md",
        ] {
            assert!(!read_by_build(Path::new(ignored)), "{ignored}");
        }
        assert!(read_by_build(Path::new("/p/principles/owner.md")));
        assert!(read_by_build(Path::new("/p/static/assets/site.css")));
    }
}
