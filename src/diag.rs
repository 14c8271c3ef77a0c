//! Diagnostics: every problem a build finds, collected rather than thrown.
//!
//! A stage never stops at the first bad page: it records a [`Diagnostic`] and
//! carries on, so one run shows an author every broken link and every bad front
//! matter at once. Each diagnostic points into a source file by byte span; the
//! [`SourceMap`] turns spans into `file:line:col` and excerpts when printing.
//! The three output formats (human, json, github) are views of the same list,
//! so `build`, `check` and `serve` can never disagree about a problem.

use std::fmt::Write as _;
use std::ops::Range;
use std::sync::Arc;

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{self, Files};
use codespan_reporting::term;

/// Index of a file in the [`SourceMap`].
pub type FileId = usize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Every kind of problem has a stable code, listed in the README. Codes never
/// change meaning; CI filters and suppressions may depend on them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    ConfigSyntax,
    ConfigUnknownKey,
    ConfigInvalidValue,
    InvalidUtf8,
    ReadError,
    HistoryUnavailable,
    FrontMatterSyntax,
    FrontMatterUnknownKey,
    FrontMatterInvalidValue,
    MissingTitle,
    UrlCollision,
    ForeignSyntax,
    BrokenLink,
    UnknownPage,
    BrokenAnchor,
    AmbiguousLink,
    DuplicateConcept,
    TemplateError,
    LayerMissing,
    LayerCycle,
    LayerTargetMissing,
    LayerSettingIgnored,
}

impl Code {
    /// The stable identifier and its kebab-case name.
    pub fn id(self) -> (&'static str, &'static str) {
        match self {
            Code::ConfigSyntax => ("A0001", "config-syntax"),
            Code::ConfigUnknownKey => ("A0002", "config-unknown-key"),
            Code::ConfigInvalidValue => ("A0003", "config-invalid-value"),
            Code::InvalidUtf8 => ("A0004", "invalid-utf8"),
            Code::ReadError => ("A0005", "read-error"),
            Code::HistoryUnavailable => ("A0006", "history-unavailable"),
            Code::FrontMatterSyntax => ("A0011", "front-matter-syntax"),
            Code::FrontMatterUnknownKey => ("A0012", "front-matter-unknown-key"),
            Code::FrontMatterInvalidValue => ("A0013", "front-matter-invalid-value"),
            Code::MissingTitle => ("A0014", "missing-title"),
            Code::UrlCollision => ("A0015", "url-collision"),
            Code::ForeignSyntax => ("A0016", "foreign-syntax"),
            Code::BrokenLink => ("A0101", "broken-link"),
            Code::UnknownPage => ("A0102", "unknown-page"),
            Code::BrokenAnchor => ("A0103", "broken-anchor"),
            Code::AmbiguousLink => ("A0104", "ambiguous-link"),
            Code::DuplicateConcept => ("A0105", "duplicate-concept"),
            Code::TemplateError => ("A0201", "template-error"),
            Code::LayerMissing => ("A0301", "layer-missing"),
            Code::LayerCycle => ("A0302", "layer-cycle"),
            Code::LayerTargetMissing => ("A0303", "layer-target-missing"),
            Code::LayerSettingIgnored => ("A0304", "layer-setting-ignored"),
        }
    }
}

/// A place in a source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: FileId,
    pub span: Range<usize>,
}

/// A secondary place that explains the primary one ("first defined here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub location: Location,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    /// Where the problem is; `None` for problems with no source (a missing folder).
    pub location: Option<Location>,
    /// Text under the caret.
    pub label: String,
    pub related: Vec<Note>,
    /// "did you mean …" and other ways out.
    pub help: Option<String>,
}

impl Diagnostic {
    /// Points what pointed into file `from` into file `to` instead: the
    /// same text, now under another id.
    pub(crate) fn move_file(&mut self, from: FileId, to: FileId) {
        let notes = self.related.iter_mut().map(|n| &mut n.location);
        for location in self.location.iter_mut().chain(notes) {
            if location.file == from {
                location.file = to;
            }
        }
    }

    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Error, code, message)
    }

    /// A diagnostic whose severity is configured (`[links] level`).
    pub fn new(severity: Severity, code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            location: None,
            label: String::new(),
            related: Vec::new(),
            help: None,
        }
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Warning, code, message)
    }

    pub fn at(mut self, file: FileId, span: Range<usize>, label: impl Into<String>) -> Self {
        self.location = Some(Location { file, span });
        self.label = label.into();
        self
    }

    pub fn with_note(mut self, file: FileId, span: Range<usize>, msg: impl Into<String>) -> Self {
        self.related.push(Note {
            location: Location { file, span },
            message: msg.into(),
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }
}

/// The collected diagnostics of one run.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Turns every warning into an error (`--strict`).
    pub fn make_strict(&mut self) {
        for d in &mut self.items {
            d.severity = Severity::Error;
        }
    }

    /// Orders diagnostics by file and position, so output is stable whatever
    /// order parallel stages produced them in.
    pub fn sort(&mut self, sources: &SourceMap) {
        self.items.sort_by(|a, b| {
            let key = |d: &Diagnostic| {
                d.location
                    .as_ref()
                    .map(|l| (sources.name(l.file), l.span.start, l.span.end))
            };
            key(a)
                .cmp(&key(b))
                .then(a.code.cmp(&b.code))
                .then(a.message.cmp(&b.message))
        });
        self.items.dedup();
    }
}

/// Every source file a build read, by id: the names shown to the user and the
/// text excerpts are cut from.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

#[derive(Clone, Debug)]
struct SourceFile {
    name: String,
    text: Arc<str>,
    /// Where each line starts, found the first time a diagnostic needs
    /// it: most files never have one, and finding them all is a pass over
    /// the whole playbook.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl SourceFile {
    fn line_starts(&self) -> &[usize] {
        self.line_starts
            .get_or_init(|| files::line_starts(&self.text).collect())
    }
}

impl SourceMap {
    pub fn add(&mut self, name: String, text: Arc<str>) -> FileId {
        self.files.push(SourceFile {
            name,
            text,
            line_starts: std::sync::OnceLock::new(),
        });
        self.files.len() - 1
    }

    pub fn name(&self, id: FileId) -> &str {
        self.files.get(id).map_or("<unknown>", |f| f.name.as_str())
    }

    pub fn text(&self, id: FileId) -> &str {
        self.files.get(id).map_or("", |f| &f.text)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, id: FileId, offset: usize) -> (usize, usize) {
        let Some(f) = self.files.get(id) else {
            return (1, 1);
        };
        let offset = clamp_to_char_boundary(&f.text, offset);
        let starts = f.line_starts();
        let line = starts.partition_point(|&s| s <= offset).max(1) - 1;
        let col = f.text[starts[line]..offset].chars().count();
        (line + 1, col + 1)
    }
}

fn clamp_to_char_boundary(text: &str, offset: usize) -> usize {
    let mut o = offset.min(text.len());
    while !text.is_char_boundary(o) {
        o -= 1;
    }
    o
}

impl<'a> Files<'a> for SourceMap {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, files::Error> {
        self.files
            .get(id)
            .map(|f| f.name.as_str())
            .ok_or(files::Error::FileMissing)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, files::Error> {
        self.files
            .get(id)
            .map(|f| &*f.text)
            .ok_or(files::Error::FileMissing)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, files::Error> {
        let f = self.files.get(id).ok_or(files::Error::FileMissing)?;
        Ok(f.line_starts().partition_point(|&s| s <= byte_index).max(1) - 1)
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, files::Error> {
        let f = self.files.get(id).ok_or(files::Error::FileMissing)?;
        let starts = f.line_starts();
        let start = *starts.get(line_index).ok_or(files::Error::LineTooLarge {
            given: line_index,
            max: starts.len() - 1,
        })?;
        let end = starts.get(line_index + 1).copied().unwrap_or(f.text.len());
        Ok(start..end)
    }
}

/// How diagnostics are printed (`--format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Github,
}

/// Renders diagnostics for people: rustc-style excerpts with a caret.
pub fn render_human(diags: &Diagnostics, sources: &SourceMap, color: bool) -> String {
    let config = term::Config {
        chars: term::Chars::ascii(),
        ..term::Config::default()
    };
    let mut out = Vec::new();
    for d in diags.iter() {
        let cs_diag = to_codespan(d);
        let result = if color {
            let styles = term::Styles::default();
            let mut buffer = term::termcolor::Buffer::ansi();
            let mut writer = term::StylesWriter::new(&mut buffer, &styles);
            let r = term::emit_to_write_style(&mut writer, &config, sources, &cs_diag);
            out.extend_from_slice(buffer.as_slice());
            r
        } else {
            term::emit_to_io_write(&mut out, &config, sources, &cs_diag)
        };
        if result.is_err() {
            // The span did not fit its file; still say what went wrong.
            out.extend_from_slice(format!("{}: {}\n", d.severity.as_str(), d.message).as_bytes());
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn to_codespan(d: &Diagnostic) -> cs::Diagnostic<FileId> {
    let severity = match d.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
    };
    let mut labels = Vec::new();
    if let Some(loc) = &d.location {
        labels.push(cs::Label::primary(loc.file, loc.span.clone()).with_message(&d.label));
    }
    for n in &d.related {
        labels.push(
            cs::Label::secondary(n.location.file, n.location.span.clone()).with_message(&n.message),
        );
    }
    let (code, name) = d.code.id();
    let mut notes = Vec::new();
    if let Some(help) = &d.help {
        notes.push(format!("help: {help}"));
    }
    cs::Diagnostic::new(severity)
        .with_message(&d.message)
        .with_code(format!("{code} {name}"))
        .with_labels(labels)
        .with_notes(notes)
}

/// One JSON object per line, documented in the README as a stable interface.
pub fn render_json(diags: &Diagnostics, sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diags.iter() {
        let (code, name) = d.code.id();
        let mut obj = serde_json::json!({
            "severity": d.severity.as_str(),
            "code": code,
            "name": name,
            "message": d.message,
            "file": null,
            "line": null,
            "column": null,
            "end_line": null,
            "end_column": null,
            "label": d.label,
            "suggestion": d.help,
        });
        if let Some(loc) = &d.location {
            let (line, column) = sources.line_col(loc.file, loc.span.start);
            let (end_line, end_column) = sources.line_col(loc.file, loc.span.end);
            obj["file"] = sources.name(loc.file).into();
            obj["line"] = line.into();
            obj["column"] = column.into();
            obj["end_line"] = end_line.into();
            obj["end_column"] = end_column.into();
        }
        out.push_str(&obj.to_string());
        out.push('\n');
    }
    out
}

/// GitHub Actions workflow commands: annotations on the pull request's diff.
pub fn render_github(diags: &Diagnostics, sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diags.iter() {
        let (code, name) = d.code.id();
        let mut props = Vec::new();
        if let Some(loc) = &d.location {
            let (line, col) = sources.line_col(loc.file, loc.span.start);
            let (end_line, end_col) = sources.line_col(loc.file, loc.span.end);
            props.push(format!(
                "file={}",
                escape_github_property(sources.name(loc.file))
            ));
            props.push(format!("line={line}"));
            props.push(format!("col={col}"));
            props.push(format!("endLine={end_line}"));
            props.push(format!("endColumn={end_col}"));
        }
        props.push(format!("title={code} {name}"));
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        let _ = writeln!(
            out,
            "::{} {}::{}",
            d.severity.as_str(),
            props.join(","),
            escape_github_data(&message)
        );
    }
    out
}

fn escape_github_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_github_property(s: &str) -> String {
    escape_github_data(s)
        .replace(':', "%3A")
        .replace(',', "%2C")
}

/// The nearest candidates to `wanted`, for "did you mean …" help.
pub fn did_you_mean<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let wanted_lower = wanted.to_lowercase();
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&wanted_lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    match scored.as_slice() {
        [] => None,
        [(_, one)] => Some(format!("did you mean `{one}`?")),
        [(_, a), (_, b), ..] => Some(format!("did you mean `{a}` or `{b}`?")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map_with(text: &str) -> (SourceMap, FileId) {
        let mut m = SourceMap::default();
        let id = m.add("a.md".into(), Arc::from(text));
        (m, id)
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let (m, id) = map_with("ab\nçé x\n");
        assert_eq!(m.line_col(id, 0), (1, 1));
        assert_eq!(m.line_col(id, 3), (2, 1));
        let x = "ab\nçé x".find('x').unwrap();
        assert_eq!(m.line_col(id, x), (2, 4));
    }

    #[test]
    fn human_output_has_caret_and_position() {
        let (m, id) = map_with("+++\ntitle = 3\n+++\n");
        let mut d = Diagnostics::default();
        d.push(
            Diagnostic::error(Code::FrontMatterInvalidValue, "`title` must be a string").at(
                id,
                12..13,
                "expected a string",
            ),
        );
        let text = render_human(&d, &m, false);
        assert_eq!(
            text,
            "error[A0013 front-matter-invalid-value]: `title` must be a string\n  \
             --> a.md:2:9\n  |\n2 | title = 3\n  |         ^ expected a string\n\n"
        );
    }

    #[test]
    fn json_and_github_formats_carry_positions() {
        let (m, id) = map_with("x\n[[Nope]]\n");
        let mut d = Diagnostics::default();
        d.push(
            Diagnostic::error(Code::UnknownPage, "no page or concept named `Nope`")
                .at(id, 2..10, "unknown")
                .with_help("did you mean `Note`?"),
        );
        let json = render_json(&d, &m);
        let v: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
        assert_eq!(v["line"], 2);
        assert_eq!(v["column"], 1);
        assert_eq!(v["end_column"], 9);
        assert_eq!(v["code"], "A0102");
        let gh = render_github(&d, &m);
        assert_eq!(
            gh,
            "::error file=a.md,line=2,col=1,endLine=2,endColumn=9,title=A0102 unknown-page::\
             no page or concept named `Nope`%0Ahelp: did you mean `Note`?\n"
        );
    }

    #[test]
    fn did_you_mean_offers_the_closest_names() {
        let got = did_you_mean("titel", ["title", "summary", "order"]);
        assert_eq!(got.as_deref(), Some("did you mean `title`?"));
        assert_eq!(did_you_mean("zzz", ["title"]), None);
    }
}
