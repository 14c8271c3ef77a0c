//! The bundled playbook and default theme, compiled into the binary so that
//! `altitude` works from any folder after `cargo install`.

use include_dir::{include_dir, Dir};

use crate::source::MemSource;

static PLAYBOOK: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/playbook");
static THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// The principles and concepts that ship with Altitude.
pub fn playbook() -> MemSource {
    MemSource::from_embedded("<bundled>/", &PLAYBOOK)
}

/// The default theme: `templates/` and `static/`.
pub fn theme() -> MemSource {
    MemSource::from_embedded("<theme>/", &THEME)
}
