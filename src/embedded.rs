//! The bundled playbook and default theme, compiled into the binary so that
//! `altitude` works from any folder after `cargo install`.

use include_dir::{include_dir, Dir};

use crate::source::MemSource;

static PLAYBOOK: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/playbook");
static THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// How the bundled playbook's files are named in messages.
pub const BUNDLED_ROOT: &str = "<bundled>/";

/// The principles and concepts that ship with Altitude.
pub fn playbook() -> MemSource {
    MemSource::from_embedded(BUNDLED_ROOT, &PLAYBOOK)
}

/// The default theme: `templates/` and `static/`.
pub fn theme() -> MemSource {
    MemSource::from_embedded("<theme>/", &THEME)
}
