//! `altitude serve`, started for real on a temporary playbook and spoken to
//! over real HTTP: edits appear, broken edits keep the last good site, a
//! burst of changes is one rebuild, traversal is refused, and a deleted and
//! restored folder is picked up again.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::support::*;

pub use crate::served::Served;

/// Starts `altitude serve DIR --port 0` and waits for its address.
pub fn serve(dir: &std::path::Path) -> Served {
    Served::start(env!("CARGO_BIN_EXE_altitude"), dir)
}

pub fn wait_for<T>(limit: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(v) = f() {
            return Some(v);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// Sends a raw request line; returns (status, body).
pub fn raw(port: u16, line: &str) -> (u16, String) {
    let text = raw_response(port, line);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

/// A connection that has sent `request` (the request line, then the
/// headers after `Host`) and waits up to `timeout` for each read.
fn send(port: u16, request: &str, timeout: Duration) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(timeout)).unwrap();
    let (line, headers) = request.split_once("\r\n").unwrap_or((request, ""));
    let request = format!("{line}\r\nHost: 127.0.0.1\r\n{headers}\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    stream
}

/// Sends a raw request line; returns the whole response, headers included.
fn raw_response(port: u16, line: &str) -> String {
    let request = format!("{line}\r\nConnection: close\r\n");
    let mut stream = send(port, &request, Duration::from_secs(10));
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

pub fn get(port: u16, path: &str) -> (u16, String) {
    raw(port, &format!("GET {path} HTTP/1.1"))
}

fn status(port: u16) -> serde_json::Value {
    serde_json::from_str(&get(port, "/__altitude/status").1).expect("status json")
}

const PAGE: &str = "/principles/own-the-outcome/";

#[test]
fn an_edit_appears_and_a_broken_edit_keeps_the_last_good_site() {
    let site = copy_fixture("minimal");
    let server = serve(site.path());
    let (code, page) = get(server.port, PAGE);
    assert_eq!(code, 200);
    assert!(page.contains("named owner"));
    assert!(page.contains("<script src=\"/__altitude/live.js\"></script></body>"));

    let file = site.join("principles/own-the-outcome.md");
    let original = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, original.replace("named owner", "SENTINEL ONE")).unwrap();
    wait_for(Duration::from_secs(10), || {
        get(server.port, PAGE)
            .1
            .contains("SENTINEL ONE")
            .then_some(())
    })
    .expect("the edit appears");

    std::fs::write(
        &file,
        original.replacen("+++\n", "+++\ntitle = \"Unclosed\n", 1),
    )
    .unwrap();
    let failure = wait_for(Duration::from_secs(10), || {
        status(server.port)["failure"].as_str().map(str::to_string)
    })
    .expect("the build fails");
    assert!(failure.contains("own-the-outcome.md:2:"), "{failure}");
    assert!(failure.contains("^"), "an excerpt with a caret: {failure}");
    let (code, page) = get(server.port, PAGE);
    assert_eq!(code, 200);
    assert!(
        page.contains("SENTINEL ONE"),
        "the last good page is still served"
    );

    std::fs::write(&file, &original).unwrap();
    wait_for(Duration::from_secs(10), || {
        status(server.port)["failure"].is_null().then_some(())
    })
    .expect("the next good build clears the failure");
    assert!(get(server.port, PAGE).1.contains("named owner"));
}

#[test]
fn serve_run_in_the_playbook_folder_sees_saves_under_a_hidden_folder() {
    // `altitude serve` with no path, in a playbook that lives under a
    // hidden folder (as in ~/.local/…) and beside its base layer: the
    // saves to either must rebuild.
    let root = TempDir::new("serve-here");
    let company = root.join(".work/company");
    copy_dir(&fixture("layers/company"), &company);
    copy_dir(&fixture("layers/base"), &root.join(".work/base"));
    let server = Served::start_in(env!("CARGO_BIN_EXE_altitude"), &company);
    for file in [
        company.join("handbook/index.md"),
        root.join(".work/base/principles/own.md"),
    ] {
        let builds = status(server.port)["builds"].as_u64().unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, format!("{text}\nSaved.\n")).unwrap();
        wait_for(Duration::from_secs(10), || {
            (status(server.port)["builds"].as_u64() > Some(builds)).then_some(())
        })
        .unwrap_or_else(|| {
            panic!(
                "a save of {} rebuilds: {:#?}",
                file.display(),
                server.lines()
            )
        });
    }
}

#[test]
fn a_burst_of_500_files_is_one_rebuild() {
    let site = copy_fixture("minimal");
    let server = serve(site.path());
    let before = status(server.port)["builds"].as_u64().unwrap();
    let bulk = site.join("bulk");
    std::fs::create_dir_all(&bulk).unwrap();
    for i in 0..500 {
        std::fs::write(
            bulk.join(format!("f-{i}.md")),
            format!("# Bulk {i}\n\nText.\n"),
        )
        .unwrap();
    }
    wait_for(Duration::from_secs(20), || {
        (get(server.port, "/bulk/f-499/").0 == 200).then_some(())
    })
    .expect("the new pages are served");
    std::thread::sleep(Duration::from_millis(700));
    let after = status(server.port)["builds"].as_u64().unwrap();
    assert_eq!(after - before, 1, "{:?}", server.lines());
    // Files the build never reads trigger nothing.
    std::fs::write(site.join("principles/.own.md.swp"), "x").unwrap();
    std::fs::write(site.join("principles/own.md~"), "x").unwrap();
    std::thread::sleep(Duration::from_millis(700));
    assert_eq!(status(server.port)["builds"].as_u64().unwrap(), after);
}

/// Saves in quick succession, of which the next may stop a build before
/// its search index (`incremental.rs` checks the stopped builds
/// themselves): the index served in the end is the last save's, and so is
/// the page.
#[test]
fn the_search_index_follows_the_last_of_quick_saves() {
    let site = copy_fixture("minimal");
    let server = serve(site.path());
    let file = site.join("principles/own-the-outcome.md");
    let original = std::fs::read_to_string(&file).unwrap();
    let words = ["quokkaone", "quokkatwo", "quokkathree", "quokkafour"];
    for word in words {
        std::fs::write(&file, format!("{original}\nA {word} sentence.\n")).unwrap();
        std::thread::sleep(Duration::from_millis(15));
    }
    let last = words[words.len() - 1];
    wait_for(Duration::from_secs(10), || {
        get(server.port, "/search/search.js")
            .1
            .contains(last)
            .then_some(())
    })
    .expect("the last save's words are searchable");
    assert!(get(server.port, PAGE).1.contains(last));
    assert!(status(server.port)["failure"].is_null());
}

#[test]
fn no_request_reaches_outside_the_site() {
    let site = copy_fixture("minimal");
    let server = serve(site.path());
    let long = format!("GET /{} HTTP/1.1", "a/".repeat(2000));
    for line in [
        "GET /../Cargo.toml HTTP/1.1",
        "GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1",
        "GET /principles/..%2f..%2fsecret.txt HTTP/1.1",
        "GET /..\\..\\secret.txt HTTP/1.1",
        "GET /index.html%00.txt HTTP/1.1",
        "GET //etc/passwd HTTP/1.1",
        "GET http://evil.example/etc/passwd HTTP/1.1",
        long.as_str(),
    ] {
        let (code, body) = raw(server.port, line);
        assert!(matches!(code, 400 | 404), "{line}: {code}");
        assert!(
            !body.contains("root:") && !body.contains("[package]"),
            "{line}"
        );
    }
    // Sources are not served, only what the build made of them.
    assert_eq!(get(server.port, "/principles/own-the-outcome.md").0, 404);
    assert_eq!(get(server.port, "/playbook.toml").0, 404);
    assert_eq!(raw(server.port, "POST / HTTP/1.1").0, 405);
    assert_eq!(raw(server.port, "DELETE /index.html HTTP/1.1").0, 405);
    let (code, body) = get(server.port, "/no/such/page/");
    assert_eq!(code, 404);
    assert!(body.contains("<h1>Page not found</h1>"), "{body}");
    // A page's folder without its slash: redirected, so its relative links
    // and live reload see the page's own URL.
    let moved = raw_response(
        server.port,
        "GET /principles/own-the-outcome?h=owner HTTP/1.1",
    );
    assert!(moved.starts_with("HTTP/1.1 301"), "{moved}");
    assert!(
        moved.contains("\r\nLocation: /principles/own-the-outcome/?h=owner\r\n"),
        "{moved}"
    );
    // Folders are not listed.
    assert_eq!(get(server.port, "/assets/").0, 404);
    let head = raw(server.port, "HEAD / HTTP/1.1");
    assert_eq!(head.0, 200);
    assert!(head.1.is_empty());
}

#[test]
fn a_deleted_and_restored_folder_is_picked_up_again() {
    let site = copy_fixture("minimal");
    let server = serve(site.path());
    let principles = site.join("principles");
    let aside = site.path().parent().unwrap().join(format!(
        "{}-aside",
        site.path().file_name().unwrap().to_string_lossy()
    ));
    std::fs::rename(&principles, &aside).unwrap();
    wait_for(Duration::from_secs(10), || {
        (get(server.port, PAGE).0 == 404 || status(server.port)["failure"].is_string())
            .then_some(())
    })
    .expect("the removal is noticed");
    std::fs::rename(&aside, &principles).unwrap();
    wait_for(Duration::from_secs(10), || {
        (get(server.port, PAGE).0 == 200 && status(server.port)["failure"].is_null()).then_some(())
    })
    .expect("the folder is back");
    let file = principles.join("own-the-outcome.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("named owner", "AFTER RESTORE")).unwrap();
    wait_for(Duration::from_secs(10), || {
        get(server.port, PAGE)
            .1
            .contains("AFTER RESTORE")
            .then_some(())
    })
    .expect("edits in the restored folder appear");
}

/// An open page's event stream: connected, and past the server's hello.
fn subscribe(port: u16, path: &str) -> TcpStream {
    let request = format!("GET /__altitude/events?path={path} HTTP/1.1");
    let mut stream = send(port, &request, Duration::from_secs(20));
    read_until(&mut stream, "event: hello").expect("the server says hello");
    stream
}

/// Reads `stream` until `needle` has arrived; `None` on timeout or close.
fn read_until(stream: &mut TcpStream, needle: &str) -> Option<String> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains(needle) {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return None,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    Some(String::from_utf8_lossy(&seen).into_owned())
}

#[test]
fn two_hundred_open_and_slow_connections_do_not_stall_reloads() {
    let site = copy_fixture("minimal");
    let server = serve(site.path());
    // 150 open pages, each holding its event stream...
    let mut pages: Vec<TcpStream> = (0..150).map(|_| subscribe(server.port, PAGE)).collect();
    // ...and 50 clients that connect and stall: half send nothing, half
    // stop in the middle of their request.
    let stalled: Vec<TcpStream> = (0..50)
        .map(|i| {
            let mut stream = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
            if i % 2 == 1 {
                stream.write_all(b"GET / HTTP/1.1\r\nHost: 12").unwrap();
            }
            stream
        })
        .collect();

    let file = site.join("principles/own-the-outcome.md");
    let original = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, original.replace("named owner", "SENTINEL CROWD")).unwrap();
    for (i, stream) in pages.iter_mut().enumerate() {
        let events = read_until(stream, "event: swap");
        assert!(events.is_some(), "open page {i} was not told of the edit");
    }
    let (code, page) = get(server.port, PAGE);
    assert_eq!(code, 200);
    assert!(page.contains("SENTINEL CROWD"));
    drop(stalled);
}

#[test]
fn timings_show_where_each_rebuild_goes() {
    let site = copy_fixture("minimal");
    let server = Served::start_with(env!("CARGO_BIN_EXE_altitude"), site.path(), &["--timings"]);
    let file = site.join("principles/own-the-outcome.md");
    let original = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, original.replace("named owner", "SENTINEL TIMED")).unwrap();
    let stages = |line: &str| -> Option<Vec<String>> {
        let rest = line.strip_prefix("altitude: stages: ")?;
        Some(
            rest.split(", ")
                .map(|s| s.split(' ').next().unwrap_or_default().to_string())
                .collect(),
        )
    };
    // One breakdown for the first build, one for the rebuild after the edit.
    let rebuilt = wait_for(Duration::from_secs(10), || {
        let lines = server.lines();
        let all: Vec<Vec<String>> = lines.iter().filter_map(|l| stages(l)).collect();
        (all.len() >= 2).then_some(all)
    })
    .unwrap_or_else(|| panic!("no stage lines: {:?}", server.lines()));
    for line in &rebuilt {
        assert_eq!(
            line,
            &["load", "resolve", "render", "show", "index", "publish"]
        );
    }
}

#[test]
fn a_saved_stylesheet_is_shown_before_the_build() {
    let site = copy_fixture("minimal");
    let css = site.join("static/extra.css");
    std::fs::create_dir_all(css.parent().unwrap()).unwrap();
    std::fs::write(&css, "a { color: red }\n").unwrap();
    let server = serve(site.path());
    assert_eq!(
        get(server.port, "/extra.css"),
        (200, "a { color: red }\n".into())
    );
    let builds = status(server.port)["builds"].as_u64().unwrap();

    std::fs::write(&css, "a { color: blue }\n").unwrap();
    build_after_saying(&server, builds, "altitude: shown at once, before the build");
    assert_eq!(get(server.port, "/extra.css").1, "a { color: blue }\n");
    assert!(status(server.port)["failure"].is_null());
}

/// Waits for the build after the first `builds`, and checks that the
/// server said `said` on the way.
fn build_after_saying(server: &Served, builds: u64, said: &str) {
    wait_for(Duration::from_secs(10), || {
        (status(server.port)["builds"].as_u64().unwrap() > builds).then_some(())
    })
    .expect("the build after the save");
    let lines = server.lines();
    assert!(lines.iter().any(|l| l.starts_with(said)), "{lines:#?}");
}

#[test]
fn a_page_whose_prose_alone_changed_is_shown_before_the_build() {
    let site = copy_fixture("minimal");
    let server = serve(site.path());
    let builds = status(server.port)["builds"].as_u64().unwrap();
    let file = site.join("principles/own-the-outcome.md");
    let original = std::fs::read_to_string(&file).unwrap();
    // Saved whole at once, as editors that write a copy and rename it do:
    // written in place, the file is empty for a moment, and on a busy
    // machine the watcher can hand that moment over as a save of its own,
    // whose page is no longer the same but for its prose.
    let copy = site.join("principles/own-the-outcome.md.tmp");
    std::fs::write(&copy, original.replace("named owner", "PROSE ONLY")).unwrap();
    std::fs::rename(&copy, &file).unwrap();
    build_after_saying(&server, builds, "altitude: the saved page shown in");
    assert!(get(server.port, PAGE).1.contains("PROSE ONLY"));
}

/// A save to a playbook big enough for a sharded search index: once its
/// build is done, every search file the server serves is the one a fresh
/// `altitude build` of the saved playbook writes, and the new word is in
/// it. The word is its own stem, so the server patches its index in place
/// (checked to fail when a new term is not added to its shards).
#[test]
fn a_sharded_search_index_served_after_a_save_is_the_one_a_build_writes() {
    let (tmp, corpus) = generated_on_disk("serve-sharded", 160, 5);
    let site = tmp.join("company");
    let server = serve(&site);
    let builds = |port| status(port)["builds"].as_u64().unwrap_or(0);
    let before = builds(server.port);
    let (_, path) = &corpus.titles[10];
    let page = tmp.join("base").join(path);
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, format!("{text}\nZqxv.\n")).unwrap();
    wait_for(Duration::from_secs(20), || {
        (builds(server.port) > before).then_some(())
    })
    .expect("the save was built");
    assert!(status(server.port)["failure"].is_null());
    let out = tmp.join("out");
    let r = run(altitude().arg("build").arg(&site).arg("--out").arg(&out));
    assert_eq!(r.status, 0, "{}", r.stderr);
    // The index's files: the client with its manifest, and the shards.
    let built: Vec<(String, Vec<u8>)> = read_tree(&out.join("search"))
        .into_iter()
        .filter(|(file, _)| altitude::index::writes(&format!("search/{file}")))
        .collect();
    assert!(built.len() > 10, "a sharded index: {} files", built.len());
    assert!(built
        .iter()
        .any(|(_, bytes)| String::from_utf8_lossy(bytes).contains("\"zqxv\"")));
    for (file, bytes) in &built {
        let (code, served) = get(server.port, &format!("/search/{file}"));
        assert_eq!(code, 200, "{file}");
        assert!(
            served.as_bytes() == &bytes[..],
            "search/{file} differs from the build's"
        );
    }
}
