//! `playbook.toml`: the site's settings.
//!
//! Every key is optional; a playbook folder with an empty `playbook.toml`
//! builds. Wrong values are errors at their position, unknown keys warnings.

#[cfg(test)]
use crate::content::meta::parse_toml;
use crate::content::meta::{Fields, Table};
use crate::diag::{Code, Diagnostic, FileId, Severity};

/// How internal links are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UrlStyle {
    /// `principles/owner/`: pretty on a web host.
    Pretty,
    /// `principles/owner/index.html`: works opened from disk without JS.
    Files,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LinkSettings {
    /// How a broken link is reported (`[links] level`).
    pub level: Severity,
    /// Whether first mentions of concepts become links.
    pub autolink: bool,
}

/// A company's look over the default theme (`[theme]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ThemeSettings {
    /// Accent colour in light mode, a CSS colour.
    pub accent: String,
    /// Accent colour in dark mode.
    pub accent_dark: String,
    /// Output path of a logo image, replacing the default mark.
    pub logo: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Config {
    pub title: String,
    pub description: String,
    pub language: String,
    /// Absolute URL of the published site, ending in `/`, or empty.
    pub base_url: String,
    pub url_style: UrlStyle,
    pub links: LinkSettings,
    pub theme: ThemeSettings,
    /// `last_updated = true`: pages show the date of their last commit.
    /// Where it was set, for a message when git cannot tell.
    pub last_updated: Option<(FileId, std::ops::Range<usize>)>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Playbook".into(),
            description: String::new(),
            language: "en".into(),
            base_url: String::new(),
            url_style: UrlStyle::Pretty,
            links: LinkSettings {
                level: Severity::Error,
                autolink: true,
            },
            theme: ThemeSettings::default(),
            last_updated: None,
        }
    }
}

const TOP_KEYS: &[&str] = &[
    "title",
    "description",
    "language",
    "base_url",
    "url_style",
    "links",
    "theme",
    "last_updated",
];
const LINK_KEYS: &[&str] = &["level", "autolink"];
const THEME_KEYS: &[&str] = &["accent", "accent_dark", "logo"];

impl Config {
    /// Parses one `playbook.toml` and applies it (the unit tests' way in;
    /// a build parses each layer's file once, in the layer stack).
    #[cfg(test)]
    pub fn apply(&mut self, text: &str, file: FileId, diags: &mut Vec<Diagnostic>) {
        let table = parse_toml(text, 0, file, Code::ConfigSyntax, diags);
        self.apply_table(&table, file, diags);
    }

    /// Applies the settings in one `playbook.toml` on top of `self`, so later
    /// layers override earlier ones key by key.
    pub(crate) fn apply_table(&mut self, table: &Table, file: FileId, diags: &mut Vec<Diagnostic>) {
        let mut f = Fields::config(table, file, "playbook.toml");
        if let Some(v) = f.str("title") {
            self.title = v.value;
        }
        if let Some(v) = f.str("description") {
            self.description = v.value;
        }
        if let Some(v) = f.str("language") {
            self.language = v.value;
        }
        if let Some(v) = f.str("base_url") {
            self.base_url = normalize_base_url(&v.value);
        }
        if let Some(v) = f.choice("url_style", &["pretty", "files"]) {
            self.url_style = match v.value.as_str() {
                "files" => UrlStyle::Files,
                _ => UrlStyle::Pretty,
            };
        }
        if let Some(v) = f.spanned_bool("last_updated") {
            self.last_updated = v.value.then_some((file, v.span));
        }
        let links = f.table("links");
        let theme = f.table("theme");
        // The layer stack's keys (`content::layers`) are known here too.
        f.accept(crate::content::STACK_KEYS);
        diags.extend(f.finish(&[TOP_KEYS, crate::content::STACK_KEYS].concat()));
        if let Some(theme) = theme {
            self.apply_theme(theme, file, diags);
        }
        if let Some(links) = links {
            let mut f = Fields::config(links, file, "[links]");
            if let Some(v) = f.choice("level", &["error", "warn"]) {
                self.links.level = match v.value.as_str() {
                    "warn" => Severity::Warning,
                    _ => Severity::Error,
                };
            }
            if let Some(v) = f.bool("autolink") {
                self.links.autolink = v;
            }
            diags.extend(f.finish(LINK_KEYS));
        }
    }
}

impl Config {
    fn apply_theme(&mut self, table: &Table, file: FileId, diags: &mut Vec<Diagnostic>) {
        let mut f = Fields::config(table, file, "[theme]");
        for (key, slot) in [
            ("accent", &mut self.theme.accent),
            ("accent_dark", &mut self.theme.accent_dark),
        ] {
            let Some(v) = f.str(key) else { continue };
            if is_css_colour(&v.value) {
                *slot = v.value;
            } else {
                f.diags.push(
                    Diagnostic::error(
                        Code::ConfigInvalidValue,
                        format!("`{key}` must be a CSS colour, not `{}`", v.value),
                    )
                    .at(file, v.span, "not a colour")
                    .with_help("write a colour such as `#0b6e4f` or `rgb(11 110 79)`"),
                );
            }
        }
        if let Some(v) = f.str("logo") {
            self.theme.logo = v.value.trim_start_matches('/').to_string();
        }
        diags.extend(f.finish(THEME_KEYS));
    }
}

/// A colour that is safe to put in a style attribute: `#hex`, a name, or a
/// colour function, and nothing that could end the declaration.
fn is_css_colour(value: &str) -> bool {
    let value = value.trim();
    let safe = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || " #(),.%/-".contains(c));
    let hex = value.strip_prefix('#').is_some_and(|h| {
        matches!(h.len(), 3 | 4 | 6 | 8) && h.chars().all(|c| c.is_ascii_hexdigit())
    });
    let function = ["rgb(", "rgba(", "hsl(", "hsla(", "oklch(", "lab("]
        .iter()
        .any(|f| value.starts_with(f))
        && value.ends_with(')');
    let name = value.chars().all(|c| c.is_ascii_alphabetic()) && !value.is_empty();
    safe && (hex || function || name)
}

/// `https://x.y/sub` → `https://x.y/sub/`; empty stays empty.
pub fn normalize_base_url(url: &str) -> String {
    let url = url.trim();
    if url.is_empty() || url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_apply_in_layer_order() {
        let mut diags = Vec::new();
        let mut c = Config::default();
        c.apply(
            "title = \"Base\"\n[links]\nlevel = \"warn\"\n",
            0,
            &mut diags,
        );
        c.apply(
            "title = \"Acme\"\nbase_url = \"https://x.y/h\"\n",
            1,
            &mut diags,
        );
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(c.title, "Acme");
        assert_eq!(c.base_url, "https://x.y/h/");
        assert_eq!(c.links.level, Severity::Warning);
    }

    #[test]
    fn bad_values_are_reported_not_applied() {
        let mut diags = Vec::new();
        let mut c = Config::default();
        c.apply("url_style = \"fancy\"\ntitel = \"x\"\n", 0, &mut diags);
        assert_eq!(c.url_style, UrlStyle::Pretty);
        let messages: Vec<_> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "`url_style` must be one of `pretty`, `files`, not `fancy`",
                "unknown key `titel` in playbook.toml"
            ]
        );
    }
}
