//! Where source files come from.
//!
//! The core never touches the file system itself: it asks a [`Source`] for the
//! list of files and their bytes. The CLI hands it folders on disk, the binary
//! hands it the bundled playbook and theme embedded at compile time, and tests
//! hand it an in-memory file set. `serve` can therefore rebuild from memory.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use rayon::prelude::*;

/// A file listed, with its stamp if asked for.
pub type Listed = (String, Option<Stamp>);

/// A tree of files addressed by `/`-separated paths relative to its root.
pub trait Source: Send + Sync {
    /// How the root is shown in diagnostics, ending in `/` unless empty
    /// (`playbook/`, `examples/acme/`).
    fn display_root(&self) -> &str;
    /// Every file below the root, sorted, `/`-separated.
    fn list(&self) -> io::Result<Vec<String>>;
    fn read(&self, rel: &str) -> io::Result<Vec<u8>>;
    /// The folder on disk, for sources that have one (watching, `.gitignore`).
    fn disk_root(&self) -> Option<&Path> {
        None
    }
    /// What tells the file changed without reading it, for sources that
    /// can say.
    fn stamp(&self, _rel: &str) -> Option<Stamp> {
        None
    }
    /// [`Source::list`], each file with its [`Source::stamp`].
    fn list_stamped(&self) -> io::Result<Vec<Listed>> {
        let paths = self.list()?;
        Ok(paths
            .into_iter()
            .map(|path| {
                let stamp = self.stamp(&path);
                (path, stamp)
            })
            .collect())
    }
}

/// What tells a file on disk changed without reading it, as git's index
/// does: its device, inode, size, and times of modification and of change.
/// No tool sets a change time (`ctime`) back, so content written again
/// always gets a new stamp, unless it is written within the file system's
/// timestamp granularity of the stamp being taken: see [`Stamp::settled`].
/// Only Unix has a change time; elsewhere a copy that keeps the
/// modification time could keep the stamp too, so there is no stamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Stamp {
    len: u64,
    modified: SystemTime,
    /// Change time, seconds and nanoseconds.
    changed: (i64, i64),
    device: u64,
    inode: u64,
}

impl Stamp {
    #[cfg(unix)]
    pub fn of(meta: &std::fs::Metadata) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        Some(Stamp {
            len: meta.len(),
            modified: meta.modified().ok()?,
            changed: (meta.ctime(), meta.ctime_nsec()),
            device: meta.dev(),
            inode: meta.ino(),
        })
    }

    #[cfg(not(unix))]
    pub fn of(_meta: &std::fs::Metadata) -> Option<Stamp> {
        None
    }

    /// Whether the file was last changed well before `now`, beyond any
    /// file system's timestamp granularity, so that a write after `now`
    /// would carry a later time and so a new stamp. A file changed just
    /// before may be written again with the same stamp: a read of it is
    /// not kept.
    pub fn settled(&self, now: SystemTime) -> bool {
        const GRANULARITY: std::time::Duration = std::time::Duration::from_secs(2);
        let (secs, nanos) = self.changed;
        let changed = std::time::UNIX_EPOCH.checked_add(std::time::Duration::new(
            secs.max(0) as u64,
            nanos.clamp(0, 999_999_999) as u32,
        ));
        [Some(self.modified), changed].into_iter().all(|t| {
            t.and_then(|t| now.duration_since(t).ok())
                .is_some_and(|age| age > GRANULARITY)
        })
    }
}

/// An in-memory file set.
#[derive(Clone, Default)]
pub struct MemSource {
    root: String,
    files: BTreeMap<String, Arc<[u8]>>,
}

impl MemSource {
    pub fn new(display_root: impl Into<String>) -> Self {
        MemSource {
            root: display_root.into(),
            files: BTreeMap::new(),
        }
    }

    pub fn with(mut self, path: &str, bytes: impl AsRef<[u8]>) -> Self {
        self.insert(path, bytes);
        self
    }

    pub fn insert(&mut self, path: &str, bytes: impl AsRef<[u8]>) {
        self.files
            .insert(path.to_string(), Arc::from(bytes.as_ref()));
    }

    pub fn remove(&mut self, path: &str) {
        self.files.remove(path);
    }

    pub fn get(&self, path: &str) -> Option<Vec<u8>> {
        self.files.get(path).map(|b| b.to_vec())
    }

    /// Every path, sorted.
    pub fn paths(&self) -> Vec<String> {
        self.files.keys().cloned().collect()
    }

    /// Copies a folder embedded with `include_dir!`.
    pub fn from_embedded(display_root: &str, dir: &include_dir::Dir<'static>) -> Self {
        let mut source = MemSource::new(display_root);
        add_embedded(&mut source, dir);
        source
    }
}

fn add_embedded(source: &mut MemSource, dir: &include_dir::Dir<'static>) {
    for entry in dir.entries() {
        match entry {
            include_dir::DirEntry::Dir(d) => add_embedded(source, d),
            include_dir::DirEntry::File(f) => {
                let path = f.path().to_string_lossy().replace('\\', "/");
                source.insert(&path, f.contents());
            }
        }
    }
}

impl Source for MemSource {
    fn display_root(&self) -> &str {
        &self.root
    }

    fn list(&self) -> io::Result<Vec<String>> {
        Ok(self.files.keys().cloned().collect())
    }

    fn read(&self, rel: &str) -> io::Result<Vec<u8>> {
        self.files
            .get(rel)
            .map(|b| b.to_vec())
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, rel.to_string()))
    }
}

/// Names a folder source never reads, at any depth: hidden entries and
/// other tools' build folders. `serve` ignores changes there alike.
pub(crate) fn skipped_name(name: &str) -> bool {
    name.starts_with('.') || name == "node_modules" || name == "target"
}

/// A folder on disk. Hidden entries, `node_modules`, `target` and the folders
/// named in `skip` (the output folder) are not part of the source.
pub struct FsSource {
    root: PathBuf,
    display: String,
    skip: Vec<PathBuf>,
}

impl FsSource {
    pub fn new(root: PathBuf, skip: Vec<PathBuf>) -> Self {
        let mut display = root.to_string_lossy().replace('\\', "/");
        if display == "." {
            display.clear();
        } else if !display.ends_with('/') {
            display.push('/');
        }
        let display = display.trim_start_matches("./").to_string();
        let skip = skip
            .into_iter()
            .map(|p| p.canonicalize().unwrap_or(p))
            .collect();
        FsSource {
            root,
            display,
            skip,
        }
    }

    /// The files under `dir`, named from the root (`prefix` names `dir`),
    /// sorted by name, each with its stamp if `stamped`. Subfolders are
    /// walked in parallel: listing a big playbook's folders is most of
    /// what a `serve` rebuild spends reading. A stamp taken here looks the
    /// file up in the folder being listed, not along its whole path again.
    fn walk(&self, dir: &Path, prefix: &str, stamped: bool) -> io::Result<Vec<Listed>> {
        let mut files = Vec::new();
        let mut folders = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if skipped_name(&name) {
                continue;
            }
            // The folder listing tells an entry's kind without a `stat`,
            // except for a symbolic link, which is followed. An entry that
            // cannot be inspected (a dangling symlink) is listed anyway:
            // reading it reports the problem for that file alone, and the
            // rest of the folder still loads.
            let (kind, followed) = match entry.file_type() {
                Ok(kind) if !kind.is_symlink() => (kind, None),
                _ => match std::fs::metadata(entry.path()) {
                    Ok(meta) => (meta.file_type(), Some(meta)),
                    Err(_) => {
                        files.push(([prefix, &name].concat(), None));
                        continue;
                    }
                },
            };
            if kind.is_dir() {
                let path = entry.path();
                if !self.skipped(&path) {
                    folders.push((path, [prefix, &name, "/"].concat()));
                }
            } else if kind.is_file() {
                let stamp = match followed {
                    _ if !stamped => None,
                    Some(meta) => Stamp::of(&meta),
                    None => entry.metadata().ok().and_then(|m| Stamp::of(&m)),
                };
                files.push(([prefix, &name].concat(), stamp));
            }
        }
        // Sorted folder by folder, where names are short: a subfolder's
        // files all sort where its name with a `/` does, so the sorted
        // files and subfolders merge into the sorted whole.
        files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        folders.sort_unstable_by(|a, b| a.1.cmp(&b.1));
        let nested: Vec<Vec<Listed>> = folders
            .par_iter()
            .map(|(path, prefix)| self.walk(path, prefix, stamped))
            .collect::<io::Result<_>>()?;
        let mut sorted =
            Vec::with_capacity(files.len() + nested.iter().map(Vec::len).sum::<usize>());
        let mut files = files.into_iter().peekable();
        for ((_, folder), inside) in folders.iter().zip(nested) {
            while let Some(file) = files.next_if(|file| file.0 < *folder) {
                sorted.push(file);
            }
            sorted.extend(inside);
        }
        sorted.extend(files);
        Ok(sorted)
    }

    /// Whether `folder` is one the source leaves out: only a build has
    /// folders to skip (its output).
    fn skipped(&self, folder: &Path) -> bool {
        !self.skip.is_empty() && {
            let canonical = folder
                .canonicalize()
                .unwrap_or_else(|_| folder.to_path_buf());
            self.skip.contains(&canonical)
        }
    }
}

/// Bytes a read of a source file starts with room for (it grows past).
const READ_AHEAD: usize = 16 * 1024;

impl Source for FsSource {
    fn display_root(&self) -> &str {
        &self.display
    }

    fn list(&self) -> io::Result<Vec<String>> {
        let listed = self.walk(&self.root, "", false)?;
        Ok(listed.into_iter().map(|(path, _)| path).collect())
    }

    fn list_stamped(&self) -> io::Result<Vec<Listed>> {
        self.walk(&self.root, "", true)
    }

    /// Without asking the file's size first, as `std::fs::read` does: a
    /// playbook's files are mostly a few KB, one read fills the buffer and
    /// the next finds the end, and the `stat` was a tenth of the calls a
    /// build makes to read its sources.
    fn read(&self, rel: &str) -> io::Result<Vec<u8>> {
        let file = std::fs::File::open(self.root.join(rel))?;
        let mut bytes = Vec::with_capacity(READ_AHEAD);
        // `File` would ask its size; read through `take`, it does not.
        io::Read::read_to_end(&mut io::Read::take(file, u64::MAX), &mut bytes)?;
        Ok(bytes)
    }

    fn disk_root(&self) -> Option<&Path> {
        Some(&self.root)
    }

    fn stamp(&self, rel: &str) -> Option<Stamp> {
        std::fs::metadata(self.root.join(rel))
            .ok()
            .and_then(|m| Stamp::of(&m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fs_source_lists_files_sorted_and_skips_hidden_and_output() {
        let dir = std::env::temp_dir().join(format!("altitude-src-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for p in [
            "b.md",
            "a/c.md",
            ".git/x",
            "public/index.html",
            "node_modules/m.js",
        ] {
            let path = dir.join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        let src = FsSource::new(dir.clone(), vec![dir.join("public")]);
        assert_eq!(src.list().unwrap(), vec!["a/c.md", "b.md"]);
        assert_eq!(src.read("a/c.md").unwrap(), b"x");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Folders are sorted one at a time and merged: the listing is the
    /// sorted list of paths all the same, whatever sorts beside a `/`.
    #[test]
    fn a_listing_is_sorted_as_whole_paths_are() {
        let dir = std::env::temp_dir().join(format!("altitude-order-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let paths = [
            "a.md", "a/b.md", "a/a/z.md", "a-b/c.md", "a b.md", "a0.md", "a", "ab/x.md", "é/y.md",
            "z.md", "a/b/c.md", "a/b.m", "a/.md",
        ];
        for p in paths.iter().filter(|p| **p != "a") {
            let path = dir.join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        let listed = FsSource::new(dir.clone(), Vec::new()).list().unwrap();
        let mut sorted = listed.clone();
        sorted.sort();
        assert_eq!(listed, sorted);
        // Every file but the hidden one, which the source skips.
        assert_eq!(listed.len(), paths.len() - 2, "{listed:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_listing_stamps_each_file_as_a_stamp_of_its_path_does() {
        let dir = std::env::temp_dir().join(format!("altitude-listed-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("a")).unwrap();
        std::fs::write(dir.join("a/b.md"), "b").unwrap();
        std::fs::write(dir.join("c.md"), "c").unwrap();
        // A link is stamped as the file it leads to, as `stamp` does.
        std::os::unix::fs::symlink(dir.join("c.md"), dir.join("link.md")).unwrap();
        std::os::unix::fs::symlink(dir.join("a"), dir.join("linked")).unwrap();
        let src = FsSource::new(dir.clone(), Vec::new());
        let listed = src.list_stamped().unwrap();
        let names: Vec<&str> = listed.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(names, src.list().unwrap());
        assert_eq!(names, ["a/b.md", "c.md", "link.md", "linked/b.md"]);
        for (path, stamp) in &listed {
            assert!(stamp.is_some(), "{path} has no stamp");
            assert_eq!(*stamp, src.stamp(path), "{path}");
        }
        assert_eq!(listed[1].1, listed[2].1, "a link's stamp is its file's");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_stamp_changes_with_the_file_and_settles_later() {
        let dir = std::env::temp_dir().join(format!("altitude-stamp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.md"), "one").unwrap();
        let src = FsSource::new(dir.clone(), Vec::new());
        let first = src.stamp("a.md").unwrap();
        assert_eq!(src.stamp("a.md"), Some(first), "unchanged, the same stamp");
        // Just written: a write within the same clock tick could look the
        // same, so not settled now; two seconds on, it is.
        let now = SystemTime::now();
        assert!(!first.settled(now));
        assert!(first.settled(now + std::time::Duration::from_secs(3)));
        let from_the_future = Stamp {
            modified: now + std::time::Duration::from_secs(3600),
            ..first
        };
        assert!(!from_the_future.settled(now));
        std::fs::write(dir.join("a.md"), "two three").unwrap();
        assert_ne!(src.stamp("a.md"), Some(first), "the size changed");
        assert_eq!(src.stamp("gone.md"), None);
        assert_eq!(MemSource::new("m/").with("a.md", "x").stamp("a.md"), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
