//! Answers requests: files of the built site, the live-reload script and
//! event stream, and a styled 404. GET and HEAD only; no directory
//! listings; nothing but the build's own output.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use tiny_http::{Header, Method, Request, Response, StatusCode};

use super::paths::{content_type, percent_decode, site_path, Lookup};
use super::site::{Event, Site};

const LIVE_JS: &str = include_str!("live.js");
const LIVE_TAG: &str = "<script src=\"/__altitude/live.js\"></script>";

fn header(name: &str, value: &str) -> Header {
    // Names and values here are ASCII constants or content types.
    Header::from_bytes(name.as_bytes(), value.as_bytes())
        .unwrap_or_else(|_| Header::from_bytes(&b"X-Altitude"[..], &b"1"[..]).expect("ascii"))
}

/// Sends a whole response; for HEAD, tiny_http sends the headers only.
fn respond(request: Request, status: u16, kind: &str, body: Vec<u8>) {
    let response = Response::from_data(body)
        .with_status_code(StatusCode(status))
        .with_header(header("Content-Type", kind))
        // Every save changes the site: never serve a stale copy.
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"));
    // The client may have gone; nothing to do about it.
    let _ = request.respond(response);
}

/// 301 to the same URL with a slash after its path.
fn redirect(request: Request, url: &str) {
    let (path, query) = url.split_once('?').map_or((url, ""), |(p, q)| (p, q));
    let location = if query.is_empty() {
        format!("{path}/")
    } else {
        format!("{path}/?{query}")
    };
    let response = Response::from_data(Vec::new())
        .with_status_code(StatusCode(301))
        .with_header(header("Location", &location))
        .with_header(header("Cache-Control", "no-store"));
    let _ = request.respond(response);
}

fn text(request: Request, status: u16, message: &str) {
    respond(
        request,
        status,
        "text/plain; charset=utf-8",
        message.as_bytes().to_vec(),
    );
}

pub(crate) fn handle(site: &Arc<Site>, request: Request) {
    if !matches!(request.method(), Method::Get | Method::Head) {
        return text(request, 405, "Only GET and HEAD are served.\n");
    }
    let url = request.url().to_string();
    if let Some(rest) = url.strip_prefix("/__altitude/") {
        return internal(site, request, rest);
    }
    let path = match site_path(&url) {
        Lookup::Path(path) => path,
        Lookup::BadRequest => return text(request, 400, "Bad request.\n"),
    };
    let files = site.files();
    if !files.contains_key(&path) && files.contains_key(&format!("{path}/index.html")) {
        // `/principles/owner` without its slash: to the folder, as static
        // hosts do, so relative links and live reload see the page's own URL.
        return redirect(request, &url);
    }
    match files.get(&path) {
        Some(bytes) => {
            let kind = content_type(&path);
            let body = if kind.starts_with("text/html") {
                with_live_reload(bytes)
            } else {
                bytes.to_vec()
            };
            respond(request, 200, kind, body);
        }
        None => {
            let page = files
                .get("404.html")
                .map(|b| with_live_reload(b))
                .unwrap_or_else(|| b"<!DOCTYPE html><title>Not found</title><p>Not found. <a href=\"/\">Home</a></p>".to_vec());
            respond(request, 404, "text/html; charset=utf-8", page);
        }
    }
}

/// The page with the live-reload script before `</body>`.
fn with_live_reload(html: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(at) => format!("{}{LIVE_TAG}{}", &text[..at], &text[at..]).into_bytes(),
        None => format!("{text}{LIVE_TAG}").into_bytes(),
    }
}

fn internal(site: &Arc<Site>, request: Request, rest: &str) {
    let (name, query) = rest.split_once('?').unwrap_or((rest, ""));
    match name {
        "live.js" => respond(
            request,
            200,
            "text/javascript; charset=utf-8",
            LIVE_JS.as_bytes().to_vec(),
        ),
        "status" => {
            let status = site.status();
            let json = serde_json::json!({
                "version": status.version,
                "builds": status.builds,
                "failure": status.failure.as_deref(),
            });
            respond(
                request,
                200,
                "application/json",
                json.to_string().into_bytes(),
            );
        }
        "events" => events(site, request, query),
        _ => text(request, 404, "Not found.\n"),
    }
}

/// The page's file in the site, from the `path=` it reports.
fn watched_file(query: &str) -> String {
    let path = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("path="))
        .unwrap_or("/");
    let decoded = percent_decode(path).unwrap_or_default();
    match site_path(&decoded) {
        Lookup::Path(p) => p,
        Lookup::BadRequest => "index.html".into(),
    }
}

/// A server-sent event stream, on its own thread so a slow reader never
/// holds up the others: events queue in its channel.
fn events(site: &Arc<Site>, request: Request, query: &str) {
    let file = watched_file(query);
    let receiver = site.subscribe();
    let status = site.status();
    let hello = serde_json::json!({
        "version": status.version,
        "failure": status.failure.as_deref(),
    });
    let mut writer = request.into_writer();
    let spawned = std::thread::Builder::new()
        .name("altitude-sse".into())
        .stack_size(64 * 1024)
        .spawn(move || {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n";
            if writer.write_all(head.as_bytes()).is_err() {
                return;
            }
            let mut send = |event: &str, data: &str| -> bool {
                writer
                    .write_all(format!("event: {event}\ndata: {data}\n\n").as_bytes())
                    .and_then(|_| writer.flush())
                    .is_ok()
            };
            if !send("hello", &hello.to_string()) {
                return;
            }
            loop {
                let (event, data) = match receiver.recv_timeout(Duration::from_secs(15)) {
                    Ok(event) => describe(&event, &file),
                    // A comment keeps proxies and the browser from timing out.
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => ("ping", "{}".into()),
                    Err(_) => return,
                };
                if !send(event, &data) {
                    return;
                }
            }
        });
    if let Err(e) = spawned {
        eprintln!("altitude: cannot start a live-reload stream: {e}");
    }
}

/// What a page showing `file` is told about an event.
fn describe(event: &Event, file: &str) -> (&'static str, String) {
    match event {
        Event::Built {
            version,
            changed,
            gone,
            kinds,
        } => {
            let data = serde_json::json!({ "version": version, "search": kinds.search });
            let data = data.to_string();
            if gone.contains(file) {
                return ("gone", data);
            }
            // A changed script needs a real reload; a changed page only its
            // new content, swapped in place. A changed search index is for
            // the page to judge: only one that loaded the old one reloads.
            let name = if kinds.script {
                "reload"
            } else if changed.contains(file) {
                "swap"
            } else if kinds.only_css {
                "css"
            } else {
                "built"
            };
            (name, data)
        }
        Event::Failed { report } => (
            "failed",
            serde_json::json!({ "report": report.as_str() }).to_string(),
        ),
    }
}
