//! Locks over data that stays whole even if a thread panicked while
//! holding it: every update under them is a single push, insert or
//! assignment, so the next holder carries on instead of failing too.

use std::sync::{Mutex, MutexGuard};

/// The lock of `mutex`, poisoned or not (see the module docs).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
