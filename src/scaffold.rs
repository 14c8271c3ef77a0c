//! `altitude new DIR`: a company layer over the bundled playbook that builds
//! as soon as it is written.
//!
//! The files live in `scaffold/` at the crate root, so they are ordinary
//! files to read and review; `{name}` in them becomes the layer's name.

use std::path::Path;

use include_dir::{include_dir, Dir};

static SCAFFOLD: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/scaffold");

/// Writes the scaffold into `dir`, which must not exist or be empty.
/// Returns the paths written, relative to `dir`.
pub fn create(dir: &Path) -> Result<Vec<String>, String> {
    if dir.exists() {
        let empty = dir
            .read_dir()
            .map_err(|e| format!("cannot read `{}`: {e}", dir.display()))?
            .next()
            .is_none();
        if !empty {
            return Err(format!(
                "`{}` already exists and is not empty\nhelp: pick a new folder name",
                dir.display()
            ));
        }
    }
    let name = layer_name(dir);
    let mut written = Vec::new();
    let mut files = Vec::new();
    collect(&SCAFFOLD, &mut files);
    files.sort_by_key(|f| f.path());
    for file in files {
        let rel = file.path().to_string_lossy().replace('\\', "/");
        let target = dir.join(&rel);
        let text = String::from_utf8_lossy(file.contents()).replace("{name}", &name);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
        }
        std::fs::write(&target, text)
            .map_err(|e| format!("cannot write `{}`: {e}", target.display()))?;
        written.push(rel);
    }
    Ok(written)
}

fn collect<'a>(dir: &'a Dir<'static>, out: &mut Vec<&'a include_dir::File<'static>>) {
    for entry in dir.entries() {
        match entry {
            include_dir::DirEntry::Dir(d) => collect(d, out),
            include_dir::DirEntry::File(f) => out.push(f),
        }
    }
}

/// `acme-corp` → `Acme corp`.
fn layer_name(dir: &Path) -> String {
    let name = dir
        .file_name()
        .map(|n| crate::content::title_case(&n.to_string_lossy()))
        .unwrap_or_default();
    if name.is_empty() {
        "Our company".into()
    } else {
        name
    }
}
