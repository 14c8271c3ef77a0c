//! The same generated pages in Hugo's and mdBook's layouts, built by those
//! tools when they are on PATH, so the comparison is made in the same run on
//! the same machine.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::corpus::Corpus;
use super::measure::{on_path, ready_for_run, remove_noted, run_measured};

/// Wiki links become their text: the peers have no equivalent, and plain
/// text costs them nothing extra.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("[[") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("]]") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let inner = &after[..end];
        let label = inner.split('|').next_back().unwrap_or(inner);
        out.push_str(label.split('#').next().unwrap_or(label));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// TOML front matter → the title only, in YAML.
fn body_and_title(text: &str) -> (String, String) {
    let title = text
        .lines()
        .find_map(|l| l.strip_prefix("title = "))
        .map(|t| t.trim_matches('"').to_string())
        .unwrap_or_else(|| "Page".into());
    let body = match text
        .strip_prefix("+++\n")
        .and_then(|t| t.split_once("\n+++\n"))
    {
        Some((_, body)) => body.to_string(),
        None => text.to_string(),
    };
    (title, plain(&body))
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let _ = std::fs::write(path, text);
}

fn write_hugo(corpus: &Corpus, dir: &Path) {
    write(
        &dir.join("hugo.toml"),
        "baseURL = 'https://example.com/'\ntitle = 'Generated'\ndisableKinds = ['taxonomy', 'term', 'RSS']\n",
    );
    write(
        &dir.join("layouts/_default/baseof.html"),
        "<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body><nav>{{ range .CurrentSection.Pages }}<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a> {{ end }}</nav><main>{{ block \"main\" . }}{{ end }}</main></body></html>",
    );
    write(
        &dir.join("layouts/_default/single.html"),
        "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ .TableOfContents }}{{ .Content }}{{ end }}",
    );
    write(
        &dir.join("layouts/_default/list.html"),
        "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ .Content }}<ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}",
    );
    for (path, text) in &corpus.pages {
        if !path.ends_with(".md") {
            continue;
        }
        let (title, body) = body_and_title(text);
        let target = match path.strip_suffix("index.md") {
            Some(folder) => format!("content/{folder}_index.md"),
            None => format!("content/{path}"),
        };
        write(
            &dir.join(target),
            &format!("---\ntitle: \"{title}\"\n---\n{body}"),
        );
    }
}

fn write_mdbook(corpus: &Corpus, dir: &Path) {
    write(
        &dir.join("book.toml"),
        "[book]\ntitle = \"Generated\"\n[output.html]\n",
    );
    let mut summary = String::from("# Summary\n\n");
    for (path, text) in &corpus.pages {
        if !path.ends_with(".md") {
            continue;
        }
        let (title, body) = body_and_title(text);
        let depth = if path.ends_with("index.md") {
            ""
        } else {
            "    "
        };
        summary.push_str(&format!("{depth}- [{title}]({path})\n"));
        write(&dir.join("src").join(path), &format!("# {title}\n\n{body}"));
    }
    write(&dir.join("src/SUMMARY.md"), &summary);
}

/// A peer generator: how to lay the pages out for it, how to run it (its
/// arguments, then its output folder), and the corpus size its target is
/// set at.
struct Peer {
    name: &'static str,
    write: fn(&Corpus, &Path),
    args: &'static [&'static str],
    /// Its output folder, removed before it builds, as Altitude's is.
    out: &'static str,
    /// What it reads, in [`Peer::dir`].
    sources: &'static [&'static str],
    size: usize,
}

impl Peer {
    /// Where its layout of the pages is written, and it builds.
    fn dir(&self) -> PathBuf {
        crate::corpus::folder(&format!("{}-{}", self.name, self.size))
    }

    /// Its output folder when it builds into a new one.
    fn new_out(&self) -> String {
        format!("{}-new", self.out)
    }
}

/// The peers, each at the corpus size its target is set at.
fn peers() -> [Peer; 2] {
    [
        Peer {
            name: "hugo",
            write: write_hugo,
            args: &["--quiet", "-d"],
            out: "public",
            sources: &["hugo.toml", "layouts", "content"],
            size: 10_000,
        },
        Peer {
            name: "mdbook",
            write: write_mdbook,
            args: &["build", "-d"],
            out: "book",
            sources: &["book.toml", "src"],
            size: 1_000,
        },
    ]
}

/// Where the peers build.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum OutputFolder {
    /// Their last output's, deleted just before, as Altitude's is.
    Deleted,
    /// A new one, left for the caller to delete.
    New,
}

/// Writes the pages in the layout of each peer on PATH that has not got
/// them yet; whether any were written.
pub fn write_missing(generate: &dyn Fn(usize) -> Corpus) -> bool {
    let mut wrote = false;
    for peer in peers() {
        if on_path(peer.name) && !peer.dir().exists() {
            (peer.write)(&generate(peer.size), &peer.dir());
            wrote = true;
        }
    }
    wrote
}

/// The new folders [`compare`] builds into, which a bench stopped halfway
/// may have left behind.
pub fn new_folders() -> Vec<PathBuf> {
    peers().iter().map(|p| p.dir().join(p.new_out())).collect()
}

/// Builds the pages [`write_missing`] wrote with each peer found on PATH,
/// prints the ratios to Altitude's times, and returns the folders built
/// `OutputFolder::New`.
pub fn compare(altitude_ms: &[(usize, f64)], into: OutputFolder) -> Vec<PathBuf> {
    let mut new_folders = Vec::new();
    for peer in peers() {
        let (name, size, dir) = (peer.name, peer.size, peer.dir());
        if !on_path(name) || !dir.exists() {
            println!("{name}: not on PATH, skipped (see README, Performance)");
            continue;
        }
        let Some(&(_, ours)) = altitude_ms.iter().find(|(n, _)| *n == size) else {
            continue;
        };
        let out = match into {
            OutputFolder::Deleted => {
                remove_noted(&dir.join(peer.out));
                peer.out.to_string()
            }
            OutputFolder::New => {
                new_folders.push(dir.join(peer.new_out()));
                peer.new_out()
            }
        };
        ready_for_run(&peer.sources.iter().map(|s| dir.join(s)).collect::<Vec<_>>());
        let mut cmd = Command::new(name);
        cmd.args(peer.args).arg(&out).current_dir(&dir);
        let m = run_measured(cmd);
        let status = if m.ok { "" } else { " (FAILED)" };
        println!(
            "{name}, {size} pages, into {out}/: {:.2} s, {:.0} MB{status}; Altitude is {:.1} × faster",
            m.wall_ms / 1000.0,
            m.peak_mb,
            m.wall_ms / ours
        );
    }
    new_folders
}
