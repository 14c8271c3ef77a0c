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
    let roots = disk_roots(layers);
    changed
        .iter()
        .map(|path| new_bytes_of(layers, &roots, path))
        .collect()
}

/// Each layer's folder as the file system names it (none for a layer not
/// on disk): a layer given as `.` is compared with the watcher's absolute
/// paths, a folder reached through a link by where it is.
pub(crate) fn disk_roots(layers: &[LayerInfo]) -> Vec<Option<PathBuf>> {
    layers
        .iter()
        .map(|l| l.disk_root.as_ref().and_then(|r| r.canonicalize().ok()))
        .collect()
}

/// A changed file, as the build reads it: its layer, its path in the layer
/// and where it really is. `None` when it is not plainly one file of one
/// layer that the build reads: gone, under no layer or under two, hidden,
/// ignored, or the layer's settings.
pub(crate) struct Located {
    pub layer: usize,
    pub rel: String,
    pub real: PathBuf,
}

/// `path` (changed, named by the watcher), located among the layers'
/// folders `roots` (see [`disk_roots`]).
pub(crate) fn locate(
    layers: &[LayerInfo],
    roots: &[Option<PathBuf>],
    path: &Path,
) -> Option<Located> {
    let real = path.canonicalize().ok()?;
    let (layer, rel) = in_one_layer(roots, &real)?;
    let skipped = rel.split('/').any(crate::source::skipped_name);
    if skipped || !super::read_from_layer(&layers[layer].ignore, &rel) {
        return None;
    }
    Some(Located { layer, rel, real })
}

/// The layer whose folder (of `roots`) holds `real`, a path as the file
/// system names it, and the path in it; `None` under none or under two.
pub(crate) fn in_one_layer(roots: &[Option<PathBuf>], real: &Path) -> Option<(usize, String)> {
    let mut inside = roots.iter().enumerate().filter_map(|(at, root)| {
        let rel = real.strip_prefix(root.as_ref()?).ok()?;
        Some((at, rel.to_str()?.to_string()))
    });
    let found = inside.next()?;
    inside.next().is_none().then_some(found)
}

fn new_bytes_of(
    layers: &[LayerInfo],
    roots: &[Option<PathBuf>],
    path: &Path,
) -> Option<(String, Vec<u8>)> {
    let Located {
        layer: at,
        rel,
        real,
    } = locate(layers, roots, path)?;
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
