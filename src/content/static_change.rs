//! A save that changes only the bytes of static files (a stylesheet, an
//! image) changes nothing a page is made of: links check which files
//! exist, never what is in them. So `serve` shows it at once, before the
//! build: the last site, with those files' new bytes. The build that
//! follows stays the judge (a file reached through a link under another
//! name, say, is caught there). A change that may reach further waits for
//! the build: a file added or removed, a page, template or setting, a file
//! that another file of the same output shadows, a file under a layer's
//! `ignore`, or a path that is not plainly inside one layer.

use std::path::{Path, PathBuf};

use super::{role, LayerInfo, Role};

/// The output path and new bytes of each file in `changed` (absolute
/// paths, as the watcher reports them), when every one of them is a static
/// file of a layer on disk that the last build copied; `None` otherwise.
pub fn new_bytes(layers: &[LayerInfo], changed: &[PathBuf]) -> Option<Vec<(String, Vec<u8>)>> {
    // Compared as the file system names them: a layer given as `.` and the
    // watcher's absolute paths, or a folder reached through a link.
    let roots: Vec<Option<PathBuf>> = layers
        .iter()
        .map(|l| l.disk_root.as_ref().and_then(|r| r.canonicalize().ok()))
        .collect();
    changed
        .iter()
        .map(|path| new_bytes_of(layers, &roots, path))
        .collect()
}

fn new_bytes_of(
    layers: &[LayerInfo],
    roots: &[Option<PathBuf>],
    path: &Path,
) -> Option<(String, Vec<u8>)> {
    let real = path.canonicalize().ok()?;
    let mut inside = roots.iter().enumerate().filter_map(|(at, root)| {
        let rel = real.strip_prefix(root.as_ref()?).ok()?;
        Some((at, rel.to_str()?.to_string()))
    });
    let (at, rel) = inside.next()?;
    if inside.next().is_some() {
        return None;
    }
    let skipped = rel.split('/').any(crate::source::skipped_name);
    if skipped || rel == "playbook.toml" || super::layers::ignored(&layers[at].ignore, &rel) {
        return None;
    }
    let output = match role(&rel) {
        Role::Static(rest) => rest.to_string(),
        Role::Asset => rel.clone(),
        Role::Page | Role::Template(_) => return None,
    };
    // Every file of this layer or a higher one that is copied to the same
    // output path, besides this one, would decide which bytes are shown.
    let others = [format!("static/{output}"), output.clone()];
    let shadowed = roots[at..].iter().flatten().any(|root| {
        others
            .iter()
            .any(|other| root.join(other) != real && root.join(other).exists())
    });
    if shadowed {
        return None;
    }
    Some((output, std::fs::read(&real).ok()?))
}
