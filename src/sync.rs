//! Threads: locks over data that stays whole even if a thread panicked
//! while holding it (every update under them is a single push, insert or
//! assignment, so the next holder carries on instead of failing too), and
//! big values dropped off the thread that is finishing a build, and how
//! finely per-page work is shared out.

use std::sync::{Mutex, MutexGuard};

/// The lock of `mutex`, poisoned or not (see the module docs).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Drops `value` on a pool thread, not this one: freeing a big site's
/// search index allocation by allocation held up the end of a build by a
/// twentieth of its time, with the other core idle. A process that exits
/// first (`altitude build`) leaves the freeing to the system. (`serve`
/// frees each whole build on a thread of its own instead.)
pub(crate) fn drop_aside<T: Send + 'static>(value: T) {
    rayon::spawn(move || drop(value));
}

/// At most this many pages in one task of a per-page parallel loop. Left
/// to itself, rayon hands each thread a few long runs of pages; when the
/// last run of one thread holds the heavier pages, the other thread has
/// nothing to take and waits (a tenth of a 10k-page render, seen in a
/// profile). Tasks this small cost nothing next to a page's work.
pub(crate) const PAGES_PER_TASK: usize = 32;
