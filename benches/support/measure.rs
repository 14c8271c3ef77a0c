//! Running a command and measuring it: wall time, and peak memory from the
//! kernel's own accounting of the child (`wait4`'s `ru_maxrss`), which
//! catches the peak however short it is.

use std::process::{Command, Stdio};
use std::time::Instant;

pub struct Measured {
    pub wall_ms: f64,
    /// Of several runs summarised in one, the fastest's wall time.
    pub fastest_ms: f64,
    pub peak_mb: f64,
    pub stderr: String,
    pub ok: bool,
}

// The child is reaped by `wait4` below, which std's `wait` cannot replace:
// it is what reports the peak memory.
#[allow(clippy::zombie_processes)]
pub fn run_measured(mut cmd: Command) -> Measured {
    let start = Instant::now();
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("command starts");
    let pid = child.id() as libc::pid_t;
    let stderr = child.stderr;
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut s) = stderr {
            let _ = std::io::Read::read_to_string(&mut s, &mut text);
        }
        text
    });
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value to be overwritten.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet waited for; both pointers are
    // to live locals.
    unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall_ms = start.elapsed().as_secs_f64() * 1000.0;
    let stderr = reader.join().unwrap_or_default();
    Measured {
        wall_ms,
        fastest_ms: wall_ms,
        // Linux reports kilobytes.
        peak_mb: usage.ru_maxrss as f64 / 1024.0,
        ok: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        stderr,
    }
}

/// Deletes a previous output folder and waits until the disk has finished
/// with it: on this machine's ext4 (mounted with `discard`) the deletion's
/// block discards otherwise land in the next build's write stage.
pub fn remove_settled(dir: &std::path::Path) {
    let _ = std::fs::remove_dir_all(dir);
    let _ = Command::new("sync").status();
}

/// How long ext4 without a journal (this machine's `/`) holds back an
/// inode after it is freed: its allocator skips those deleted in the last
/// 60 seconds (`recently_deleted` in `fs/ext4/ialloc.c`), checking each
/// one, so a build just after another site's thousands of files were
/// deleted spends seconds in the kernel finding free inodes. A CI runner
/// building a fresh clone has deleted nothing: to measure that build, the
/// bench waits this long after its own deletions.
pub const INODES_HELD_BACK: std::time::Duration = std::time::Duration::from_secs(65);

/// Waits until the files this bench deleted no longer slow the creation of
/// new ones (see [`INODES_HELD_BACK`]).
pub fn wait_for_freed_inodes() {
    let _ = Command::new("sync").status();
    std::thread::sleep(INODES_HELD_BACK);
}

/// The run with the median wall time.
pub fn median(mut runs: Vec<Measured>) -> Measured {
    runs.sort_by(|a, b| a.wall_ms.total_cmp(&b.wall_ms));
    let mid = runs.len() / 2;
    runs.swap_remove(mid)
}

pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

pub fn on_path(program: &str) -> bool {
    Command::new(program)
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}
