//! Runs one of the headless-Chromium scripts of `tests/browser/` and reads
//! the JSON it prints; an error says why (Node.js missing, the script
//! failed, its output was not JSON), so a bench never blames the wrong thing.

use std::path::Path;
use std::process::Command;

pub fn node_json(
    script: &str,
    args: &[&dyn AsRef<std::ffi::OsStr>],
) -> Result<serde_json::Value, String> {
    let browser = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let out = Command::new("node")
        .arg(script)
        .args(args.iter().map(|a| a.as_ref()))
        .current_dir(&browser)
        .output()
        .map_err(|e| format!("Node.js cannot run: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{script} failed (is Chromium installed?):\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("{script} printed no JSON: {e}"))
}
