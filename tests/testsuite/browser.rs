//! Browser tests: the built site in headless Chromium, driven by Playwright
//! (`tests/browser/`). Required in CI (`ALTITUDE_BROWSER_TESTS=required`);
//! elsewhere a missing browser or Node.js is reported and the test skipped.

use std::path::Path;
use std::process::Command;

use crate::support::*;

fn chromium() -> Option<String> {
    std::env::var("CHROMIUM_PATH").ok().or_else(|| {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
            .iter()
            .find(|p| Path::new(p).exists())
            .map(|p| p.to_string())
    })
}

fn prerequisites() -> Result<String, String> {
    let browser = chromium().ok_or("Chromium not found (apt-get install -y chromium)")?;
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return Err("Node.js not found".into());
    }
    let dir = repo().join("tests/browser");
    let installed = ["playwright-core", "axe-core", "vnu-jar"]
        .iter()
        .all(|package| dir.join("node_modules").join(package).exists());
    if !installed {
        let npm = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--silent"])
            .current_dir(&dir)
            .status();
        if !npm.is_ok_and(|s| s.success()) {
            return Err("`npm ci` in tests/browser failed".into());
        }
    }
    Ok(browser)
}

#[test]
fn site_works_in_a_real_browser() {
    let browser = match prerequisites() {
        Ok(b) => b,
        Err(why) => {
            if std::env::var("ALTITUDE_BROWSER_TESTS").is_ok_and(|v| v == "required") {
                panic!("browser tests are required but cannot run: {why}");
            }
            eprintln!("SKIPPED browser tests: {why}");
            return;
        }
    };
    let tmp = TempDir::new("browser");
    let site = tmp.join("site");
    let r = run(altitude()
        .current_dir(tmp.path())
        .arg("build")
        .arg("--out")
        .arg(&site));
    assert_eq!(r.status, 0, "{}", r.stderr);
    let acme = tmp.join("acme");
    let r = run(altitude()
        .arg("build")
        .arg(repo().join("examples/acme"))
        .arg("--out")
        .arg(&acme));
    assert_eq!(r.status, 0, "{}", r.stderr);
    // A generated playbook big enough for a sharded search index.
    let corpus = crate::corpus::Corpus::generate(400, 3);
    corpus.write(&tmp.join("corpus")).expect("corpus written");
    let sharded = tmp.join("sharded");
    let r = run(altitude()
        .arg("build")
        .arg(tmp.join("corpus/company"))
        .arg("--out")
        .arg(&sharded));
    assert_eq!(r.status, 0, "{}", r.stderr);
    let queries: Vec<serde_json::Value> = corpus
        .titles
        .iter()
        .step_by(40)
        .map(|(title, path)| {
            serde_json::json!({"title": title, "url": format!("{}/", path.trim_end_matches(".md"))})
        })
        .collect();
    std::fs::write(
        tmp.join("sharded-titles.json"),
        serde_json::to_string(&queries).unwrap(),
    )
    .unwrap();
    // A served playbook, for live reload.
    let served = copy_fixture("minimal");
    let server = crate::serve::serve(served.path());
    let status = Command::new("node")
        .args(["--test", "--test-reporter=spec"])
        .current_dir(repo().join("tests/browser"))
        .env("ALTITUDE_SITE", &site)
        .env("ALTITUDE_ACME_SITE", &acme)
        .env("ALTITUDE_SHARDED_SITE", &sharded)
        .env(
            "ALTITUDE_SERVE_URL",
            format!("http://127.0.0.1:{}/", server.port),
        )
        .env("ALTITUDE_SERVE_DIR", served.path())
        .env("ALTITUDE_SHARDED_TITLES", tmp.join("sharded-titles.json"))
        .env("CHROMIUM_PATH", browser)
        .status()
        .expect("node runs");
    drop(server);
    assert!(status.success(), "browser tests failed (see output above)");
}
