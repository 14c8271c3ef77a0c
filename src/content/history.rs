//! Last-updated dates from git history (`last_updated = true`).
//!
//! One `git log` per layer folder, not one per page: a 10,000-page handbook
//! must not start 10,000 processes. The date is the committer date of the
//! last commit that touched the file, so the same commit always gives the
//! same site; files with uncommitted changes keep their last committed date,
//! and files git has never seen get none.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use crate::content::Page;
use crate::key::ByPage;

/// Source path → the day its last commit landed (`YYYY-MM-DD`, UTC).
pub(crate) type Dates = Arc<HashMap<String, String>>;

/// Each folder's dates with the commit they were read at: `serve` asks on
/// every save, and the dates change only with a new commit, so a save costs
/// one `git rev-parse` rather than a walk of the whole history.
#[derive(Default)]
pub struct HistoryCache {
    folders: HashMap<PathBuf, (String, Dates)>,
    /// Whether dated pages are kept for the next build (`serve`).
    keep: bool,
    /// Each page as parsed, with itself dated: the parse cache hands the
    /// next build the same page, which gets the same dated copy.
    pub(crate) dated: ByPage<Arc<Page>>,
}

impl HistoryCache {
    /// A cache that keeps each build's dated pages for the next.
    pub(crate) fn keeping() -> HistoryCache {
        HistoryCache {
            keep: true,
            ..HistoryCache::default()
        }
    }

    /// Whether dated pages are kept for the next build.
    pub(crate) fn keeps(&self) -> bool {
        self.keep
    }

    /// The dates of the files in `folder`; an error says why git could not
    /// tell.
    pub(crate) fn last_changed(&mut self, folder: &Path) -> Result<Dates, String> {
        let head = git(folder, &["rev-parse", "HEAD"])?;
        if let Some((seen, dates)) = self.folders.get(folder) {
            if *seen == head {
                return Ok(dates.clone());
            }
        }
        let log = git(
            folder,
            &[
                "log",
                "--format=%x00%ct",
                "--name-only",
                "--no-renames",
                "--relative",
                "--",
                ".",
            ],
        )?;
        let dates = Arc::new(parse_log(&log));
        self.folders
            .insert(folder.to_path_buf(), (head, dates.clone()));
        Ok(dates)
    }
}

/// What git prints, or the first line of its complaint.
fn git(folder: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(folder)
        .args(["-c", "core.quotepath=off"])
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        let why = String::from_utf8_lossy(&output.stderr);
        return Err(why.lines().next().unwrap_or("git failed").to_string());
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// `git log` lists commits newest first: a file's first mention is its
/// latest change.
fn parse_log(log: &str) -> HashMap<String, String> {
    let mut dates = HashMap::new();
    let mut day = None;
    for line in log.lines() {
        if let Some(stamp) = line.strip_prefix('\0') {
            day = stamp.trim().parse::<i64>().ok().map(civil_day);
        } else if let (false, Some(day)) = (line.is_empty(), &day) {
            dates.entry(line.to_string()).or_insert_with(|| day.clone());
        }
    }
    dates
}

/// Seconds since 1970 (UTC) → `YYYY-MM-DD`, by Howard Hinnant's
/// days-to-civil algorithm (no calendar crate for one conversion).
fn civil_day(seconds: i64) -> String {
    let z = seconds.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_utc_calendar_days() {
        assert_eq!(civil_day(0), "1970-01-01");
        assert_eq!(civil_day(951_782_400), "2000-02-29");
        assert_eq!(civil_day(1_795_996_799), "2026-11-29");
        assert_eq!(civil_day(-86_400), "1969-12-31");
    }

    fn commit(dir: &Path, file: &str, date: &str) {
        std::fs::write(dir.join(file), date).expect("file");
        for args in [&["add", "."][..], &["commit", "-qm", date][..]] {
            let ok = Command::new("git")
                .arg("-C")
                .arg(dir)
                .args(args)
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_AUTHOR_NAME", "A")
                .env("GIT_AUTHOR_EMAIL", "a@example.com")
                .env("GIT_COMMITTER_NAME", "A")
                .env("GIT_COMMITTER_EMAIL", "a@example.com")
                .env("GIT_COMMITTER_DATE", date)
                .env("GIT_AUTHOR_DATE", date)
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "git {args:?}");
        }
    }

    #[test]
    fn the_log_is_read_again_only_after_a_commit() {
        let dir = std::env::temp_dir().join(format!("altitude-history-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("folder");
        let init = Command::new("git")
            .arg("-C")
            .arg(&dir)
            .args(["init", "-q"])
            .status();
        assert!(init.is_ok_and(|s| s.success()));
        commit(&dir, "a.md", "2021-03-04T12:00:00Z");
        let mut cache = HistoryCache::default();
        let first = cache.last_changed(&dir).expect("dates");
        assert_eq!(first["a.md"], "2021-03-04");
        let again = cache.last_changed(&dir).expect("dates");
        assert!(
            Arc::ptr_eq(&first, &again),
            "same commit: the dates are reused"
        );
        commit(&dir, "a.md", "2022-05-06T12:00:00Z");
        let after = cache.last_changed(&dir).expect("dates");
        assert_eq!(after["a.md"], "2022-05-06");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_newest_commit_of_a_file_wins() {
        let log = "\u{0}1795996799\n\na.md\n\n\u{0}951782400\n\na.md\nb.md\n";
        let dates = parse_log(log);
        assert_eq!(dates["a.md"], "2026-11-29");
        assert_eq!(dates["b.md"], "2000-02-29");
    }
}
