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

    fn walk(&self, dir: &Path, prefix: &str, out: &mut Vec<String>) -> io::Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            if skipped_name(&name) {
                continue;
            }
            let path = entry.path();
            // An entry that cannot be inspected (a dangling symlink) is
            // listed anyway: reading it reports the problem for that file
            // alone, and the rest of the folder still loads.
            let Ok(kind) = std::fs::metadata(&path) else {
                out.push(format!("{prefix}{name}"));
                continue;
            };
            if kind.is_dir() {
                // Only a build has folders to skip (its output).
                let skipped = !self.skip.is_empty() && {
                    let canonical = path.canonicalize().unwrap_or_else(|_| path.clone());
                    self.skip.contains(&canonical)
                };
                if skipped {
                    continue;
                }
                self.walk(&path, &format!("{prefix}{name}/"), out)?;
            } else if kind.is_file() {
                out.push(format!("{prefix}{name}"));
            }
        }
        Ok(())
    }
}

impl Source for FsSource {
    fn display_root(&self) -> &str {
        &self.display
    }

    fn list(&self) -> io::Result<Vec<String>> {
        let mut out = Vec::new();
        self.walk(&self.root, "", &mut out)?;
        out.sort();
        Ok(out)
    }

    fn read(&self, rel: &str) -> io::Result<Vec<u8>> {
        std::fs::read(self.root.join(rel))
    }

    fn disk_root(&self) -> Option<&Path> {
        Some(&self.root)
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
}
