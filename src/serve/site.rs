//! The site as served: the files of the last good build, the problems of the
//! last build if it failed, and the open pages waiting to hear about either.
//!
//! Builds publish here; HTTP handlers read. A failed build never replaces
//! the files, so readers always get a whole, good site.

use std::collections::HashSet;

use crate::pipeline::SiteFiles;
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{mpsc, Arc, Mutex};

pub(crate) type Files = Arc<SiteFiles>;

/// What an open page is told.
#[derive(Clone, Debug)]
pub(crate) enum Event {
    /// A good build: these files changed; a stylesheet-only change is
    /// swapped in place.
    Built {
        version: u64,
        changed: Arc<HashSet<String>>,
        /// Files of the previous build that this one no longer has.
        gone: Arc<HashSet<String>>,
        /// What kinds of file changed, judged once for every open page.
        kinds: ChangeKinds,
    },
    /// A failed build: the problems, as text.
    Failed { report: Arc<String> },
}

/// The kinds of file a build changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ChangeKinds {
    /// One of the site's own scripts: open pages reload.
    pub script: bool,
    /// Stylesheets and nothing else: swapped in place.
    pub only_css: bool,
    /// The search index: a page that loaded it reloads, to search the new one.
    pub search: bool,
}

impl ChangeKinds {
    fn of(changed: &HashSet<String>) -> ChangeKinds {
        ChangeKinds {
            script: changed
                .iter()
                .any(|p| p.ends_with(".js") && !crate::index::writes(p)),
            only_css: !changed.is_empty() && changed.iter().all(|p| p.ends_with(".css")),
            search: changed.iter().any(|p| crate::index::writes(p)),
        }
    }
}

#[derive(Default)]
struct State {
    files: Files,
    version: u64,
    builds: u64,
    failure: Option<Arc<String>>,
    subscribers: Vec<Sender<Event>>,
}

#[derive(Default)]
pub(crate) struct Site {
    state: Mutex<State>,
}

/// A snapshot for the status endpoint and tests.
pub(crate) struct Status {
    pub version: u64,
    pub builds: u64,
    pub failure: Option<Arc<String>>,
}

impl Site {
    pub fn files(&self) -> Files {
        self.lock().files.clone()
    }

    pub fn status(&self) -> Status {
        let state = self.lock();
        Status {
            version: state.version,
            builds: state.builds,
            failure: state.failure.clone(),
        }
    }

    /// A new good build: swap the files in and tell every open page what
    /// changed.
    pub fn publish(&self, files: SiteFiles) {
        let mut state = self.lock();
        state.builds += 1;
        Self::swap_in(&mut state, files);
    }

    /// A build's files but its search index, before the build is done:
    /// published with the search files of the site served so far, which
    /// the build's own replace when [`Site::publish`] gets them.
    pub fn show_pages(&self, mut files: SiteFiles) {
        let mut state = self.lock();
        for (path, bytes) in state.files.iter() {
            if crate::index::writes(path) {
                files.entry(path.clone()).or_insert_with(|| bytes.clone());
            }
        }
        Self::swap_in(&mut state, files);
    }

    /// Files changed ahead of a build (a page shown early, a static file):
    /// the site served so far, with those in place.
    pub fn show_changed(&self, changes: Vec<(String, crate::pipeline::Bytes)>) {
        let mut state = self.lock();
        let mut files = (*state.files).clone();
        files.extend(changes);
        Self::swap_in(&mut state, files);
    }

    fn swap_in(state: &mut State, files: SiteFiles) {
        let (changed, gone) = differences(&state.files, &files);
        let kinds = ChangeKinds::of(&changed);
        state.files = Arc::new(files);
        state.version += 1;
        state.failure = None;
        let event = Event::Built {
            version: state.version,
            changed: Arc::new(changed),
            gone: Arc::new(gone),
            kinds,
        };
        Self::broadcast(state, event);
    }

    /// A build that a newer change stopped before its search index: its
    /// pages are shown already; it counts as a build.
    pub fn stopped(&self) {
        self.lock().builds += 1;
    }

    /// A failed build: keep the files, tell every open page why.
    pub fn fail(&self, report: String) {
        let mut state = self.lock();
        state.builds += 1;
        let report = Arc::new(report);
        state.failure = Some(report.clone());
        Self::broadcast(&mut state, Event::Failed { report });
    }

    /// A channel that receives every event from now on.
    pub fn subscribe(&self) -> Receiver<Event> {
        let (tx, rx) = mpsc::channel();
        self.lock().subscribers.push(tx);
        rx
    }

    fn broadcast(state: &mut State, event: Event) {
        // Sending never blocks; a page that went away is dropped.
        state.subscribers.retain(|s| s.send(event.clone()).is_ok());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        crate::sync::lock(&self.state)
    }
}

/// The paths whose files differ between two sites (added, changed or
/// gone), and those gone. Both are sorted, so one walk in step compares
/// them: a big site's every build and early show is compared.
fn differences(old: &SiteFiles, new: &SiteFiles) -> (HashSet<String>, HashSet<String>) {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let (mut changed, mut gone) = (HashSet::new(), HashSet::new());
    let (mut olds, mut news) = (old.iter().peekable(), new.iter().peekable());
    loop {
        let order = match (olds.peek(), news.peek()) {
            (None, None) => break,
            (Some(_), None) => Less,
            (None, Some(_)) => Greater,
            (Some((o, _)), Some((n, _))) => o.cmp(n),
        };
        match order {
            Less => {
                if let Some((path, _)) = olds.next() {
                    gone.insert(path.clone());
                }
            }
            Greater => {
                if let Some((path, _)) = news.next() {
                    changed.insert(path.clone());
                }
            }
            Equal => {
                if let (Some((path, was)), Some((_, now))) = (olds.next(), news.next()) {
                    // A page reused from the last build is the same allocation.
                    if !Arc::ptr_eq(was, now) && was != now {
                        changed.insert(path.clone());
                    }
                }
            }
        }
    }
    changed.extend(gone.iter().cloned());
    (changed, gone)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::Bytes;

    #[test]
    fn differences_name_what_came_changed_and_went() {
        let site = |files: &[(&str, &Bytes)]| -> SiteFiles {
            files
                .iter()
                .map(|(path, bytes)| (path.to_string(), (*bytes).clone()))
                .collect()
        };
        let bytes = |text: &str| Bytes::new(text.as_bytes().to_vec());
        let shared = bytes("same");
        let old = site(&[
            ("a.html", &shared),
            ("b.html", &bytes("old")),
            ("c.html", &bytes("equal")),
            ("gone.html", &bytes("x")),
        ]);
        let new = site(&[
            ("a.html", &shared),
            ("b.html", &bytes("new")),
            ("c.html", &bytes("equal")),
            ("d.html", &bytes("came")),
        ]);
        let (changed, gone) = differences(&old, &new);
        let sorted = |set: HashSet<String>| {
            let mut v: Vec<String> = set.into_iter().collect();
            v.sort();
            v
        };
        assert_eq!(sorted(changed), ["b.html", "d.html", "gone.html"]);
        assert_eq!(sorted(gone), ["gone.html"]);
    }
}
