//! Running a command and measuring it: wall time, and peak memory from the
//! kernel's own accounting of the child (`wait4`'s `ru_maxrss`), which
//! catches the peak however short it is.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

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

/// Deletes a folder and notes when, for [`wait_for_freed_inodes`]. The
/// next timed run's [`ready_for_run`] waits for the disk to finish with
/// it: on this machine's ext4 (mounted with `discard`) the deletion's
/// block discards otherwise land in that run's write stage.
pub fn remove_noted(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    note_deletion();
}

/// Readies the disk and the page cache for a timed run as they are on a
/// CI runner that has just cloned the playbook: no writes or discards of
/// an earlier run still pending (`sync`), and the files of `sources` read once, so
/// in the page cache. Without it each 100,000-page build of a row found
/// its sources pushed out of the cache by the sites written before it and
/// read them from the disk again: the load stage took 4.2 s, against
/// 1.4 s with them cached. Every timed run gets the same, the peers' too.
pub fn ready_for_run(sources: &[PathBuf]) {
    let _ = Command::new("sync").status();
    for source in sources {
        read_all(source);
    }
}

/// Reads every file under `path` (or `path`, a file), ignoring errors.
fn read_all(path: &Path) {
    let Ok(entries) = std::fs::read_dir(path) else {
        let _ = std::fs::read(path);
        return;
    };
    for entry in entries.flatten() {
        read_all(&entry.path());
    }
}

/// How long ext4 without a journal (this machine's `/`) holds back an
/// inode after it is freed. Its allocator (`find_inode_bit` in
/// `fs/ext4/ialloc.c`) passes over every free inode deleted less than 60
/// seconds ago, and less than 360 seconds ago when the block of the inode
/// table that holds it is dirty (`recently_deleted`, `RECENTCY_DIRTY`).
/// A build dirties the blocks it allocates from, so in practice the wait
/// is six minutes. Checking each one reads the inode table: a build just
/// after another site's thousands of files were deleted spends half its
/// time there (`perf`: `recently_deleted` under `ext4_mkdir` and
/// `ext4_create`). A CI runner building a fresh clone has deleted nothing,
/// so the bench takes its figures into new folders only when six minutes
/// have passed since the last deletion it made.
pub const INODES_HELD_BACK: Duration = Duration::from_secs(370);

/// Where the time of this bench's last deletion is kept, so that a run
/// started soon after another (or after one stopped halfway) waits too.
fn deletion_stamp() -> PathBuf {
    crate::corpus::folder("last-deletion")
}

fn note_deletion() {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let _ = std::fs::write(deletion_stamp(), now.to_string());
}

/// Waits until the files this bench deleted, in this run or the last, no
/// longer slow the creation of new ones (see [`INODES_HELD_BACK`]).
pub fn wait_for_freed_inodes() {
    let Some(deleted) = std::fs::read_to_string(deletion_stamp())
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
    else {
        return;
    };
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH + Duration::from_secs(deleted))
        .unwrap_or_default();
    if let Some(left) = INODES_HELD_BACK.checked_sub(since) {
        println!(
            "waiting {} s: this bench deleted files {} s ago, and the disk passes over their inodes until {} s have passed",
            left.as_secs(),
            since.as_secs(),
            INODES_HELD_BACK.as_secs()
        );
        std::thread::sleep(left);
    }
}

/// Output folders the bench is done with, moved aside (a rename: nothing
/// is deleted) and deleted only once every figure is taken, since
/// deleting them sooner would slow every build after (see
/// [`INODES_HELD_BACK`]).
pub struct Trash {
    dir: PathBuf,
    next: usize,
}

impl Trash {
    /// The trash folder, with what a bench stopped halfway left in it.
    pub fn new() -> Trash {
        let dir = crate::corpus::folder("trash");
        let _ = std::fs::create_dir_all(&dir);
        Trash { dir, next: 0 }
    }

    /// Moves `folder`, if it exists, into the trash.
    pub fn take(&mut self, folder: &Path) {
        if !folder.exists() {
            return;
        }
        loop {
            let to = self.dir.join(self.next.to_string());
            self.next += 1;
            if !to.exists() {
                if let Err(e) = std::fs::rename(folder, &to) {
                    println!("could not move {} aside: {e}", folder.display());
                }
                return;
            }
        }
    }

    /// Deletes everything in the trash.
    pub fn empty(self) {
        remove_noted(&self.dir);
    }
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
