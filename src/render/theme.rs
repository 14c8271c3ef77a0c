//! Tera templates: compiled once per build, errors reported with positions.

use crate::content::Template;
use crate::diag::{Code, Diagnostic, Diagnostics, SourceMap};

/// Compiles every template. Each template is parsed on its own, in
/// parallel, so one run reports a syntax error in every broken template,
/// not only the first; and only once: parsing is most of compiling, and
/// it comes before any page can be rendered.
pub(crate) fn compile(
    templates: &[Template],
    sources: &SourceMap,
    diags: &mut Diagnostics,
) -> Option<tera::Tera> {
    use rayon::prelude::*;
    let parsed: Vec<_> = templates
        .par_iter()
        .map(|t| tera::Template::new(&t.name, None, &t.text))
        .collect();
    let mut parents = std::collections::HashMap::new();
    let mut ok = true;
    for (t, parsed) in templates.iter().zip(&parsed) {
        match parsed {
            Ok(parsed) => {
                parents.insert(t.name.as_str(), parsed.parent.clone());
            }
            Err(e) => {
                ok = false;
                diags.push(template_error(t, sources, &e.to_string()));
            }
        }
    }
    if !ok || !check_inheritance(templates, &parents, diags) {
        return None;
    }
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    tera.set_escape_fn(escape_html);
    // What `add_raw_templates` does after parsing each template, without
    // parsing them again: `templates` is public, if hidden from the docs
    // (hence tera pinned to 1.20 in Cargo.toml). Every parse is `Ok` here.
    let names = templates.iter().map(|t| t.name.clone());
    tera.templates.extend(
        names
            .zip(parsed)
            .filter_map(|(name, p)| Some((name, p.ok()?))),
    );
    let linked = tera
        .build_inheritance_chains()
        .and_then(|()| tera.check_macro_files());
    match linked {
        Ok(()) => Some(tera),
        Err(e) => {
            // Inheritance problems: a missing parent, a cycle.
            diags.push(Diagnostic::error(
                Code::TemplateError,
                format!("templates: {}", error_chain(&e)),
            ));
            None
        }
    }
}

/// Reports `extends` chains that loop. Tera recurses without end on a chain
/// like `principle.html → page.html → page.html`, so this must run first.
fn check_inheritance(
    templates: &[Template],
    parents: &std::collections::HashMap<&str, Option<String>>,
    diags: &mut Diagnostics,
) -> bool {
    let mut ok = true;
    for t in templates {
        let mut chain = vec![t.name.as_str()];
        let mut current = t.name.as_str();
        while let Some(Some(parent)) = parents.get(current) {
            if chain.contains(&parent.as_str()) {
                chain.push(parent);
                ok = false;
                diags.push(
                    Diagnostic::error(
                        Code::TemplateError,
                        format!("templates extend each other in a loop: {}", chain.join(" → ")),
                    )
                    .at(t.file, 0..0, "this template")
                    .with_help("a template cannot extend itself; copy the theme's template and edit the copy"),
                );
                break;
            }
            chain.push(parent);
            current = parent;
        }
        if !ok {
            break;
        }
    }
    ok
}

/// Escapes what HTML needs escaped in text and quoted attributes. Tera's
/// default also escapes `/`, which turns every relative URL into `..&#x2F;`.
pub(crate) fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    push_escaped(&mut out, input);
    out
}

/// [`escape_html`], onto the end of `out`.
pub(crate) fn push_escaped(out: &mut String, input: &str) {
    let special = |b| html_entity(b).is_some();
    let write = |out: &mut String, b| out.push_str(html_entity(b).unwrap_or_default());
    crate::escape::push_escaped_with(out, input, special, write);
}

/// The entity a byte of text is written as, if it is not written as is.
fn html_entity(byte: u8) -> Option<&'static str> {
    match byte {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#39;"),
        _ => None,
    }
}

/// Turns Tera's ` --> 3:8 … = message` into a diagnostic at that position.
fn template_error(t: &Template, sources: &SourceMap, text: &str) -> Diagnostic {
    let message = text
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("= "))
        .unwrap_or(text)
        .trim()
        .to_string();
    let position = text.lines().find_map(|l| {
        let (line, col) = l.trim().strip_prefix("--> ")?.split_once(':')?;
        Some((line.parse::<usize>().ok()?, col.parse::<usize>().ok()?))
    });
    let d = Diagnostic::error(
        Code::TemplateError,
        format!("template `{}` does not parse: {message}", t.name),
    );
    match position {
        Some((line, col)) => {
            let offset = offset_of(sources.text(t.file), line, col);
            d.at(t.file, offset..offset, message)
        }
        None => d.at(t.file, 0..0, message),
    }
}

fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let line_text = text[line_start..].lines().next().unwrap_or("");
    let col_bytes = line_text
        .char_indices()
        .nth(col.saturating_sub(1))
        .map_or(line_text.len(), |(i, _)| i);
    line_start + col_bytes
}

/// Tera's error and every cause under it, on one line.
pub(crate) fn error_chain(e: &tera::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::escape_html;

    #[test]
    fn escaping_replaces_each_special_byte_and_keeps_the_rest() {
        assert_eq!(escape_html("plain / text"), "plain / text");
        assert_eq!(
            escape_html("Don't <b>\"mix\"</b> & — über"),
            "Don&#39;t &lt;b&gt;&quot;mix&quot;&lt;/b&gt; &amp; — über"
        );
        assert_eq!(escape_html("&"), "&amp;");
        assert_eq!(escape_html("é'"), "é&#39;");
        assert_eq!(escape_html(""), "");
    }

    /// What vendor/tera's patches touch, rendered as published Tera 1.20.1
    /// renders it: plain dotted paths (into objects and arrays), keys with
    /// JSON-pointer escapes, `if` on strings that escaping would change,
    /// escaped values, and plain text.
    #[test]
    fn patched_tera_renders_as_published_tera() {
        let mut tera = tera::Tera::default();
        tera.set_escape_fn(escape_html);
        let template = "<p>{% if empty %}E{% endif %}{% if lt %}L{% endif %}\
                        {% if not empty %}N{% endif %}{% if obj.plain %}P{% endif %}\
                        {% if missing | default(value=\"<br>\") | striptags %}D{% endif %}\
                        {% if lt | striptags %}S{% endif %}\
                        |{{ obj.plain }}|{{ obj.nested.deep }}|{{ obj[\"a~1b\"] }}\
                        |{{ obj[\"c~0d\"] }}|{{ lt }}|{{ n }}|{{ obj.list.1 }}</p>";
        tera.add_raw_template("t.html", template).unwrap();
        let mut context = tera::Context::new();
        context.insert("empty", "");
        context.insert("lt", "<");
        context.insert("n", &7);
        context.insert(
            "obj",
            &serde_json::json!({
                "plain": "p&q", "nested": {"deep": "d"}, "a/b": "slash", "c~d": "tilde",
                "list": ["zero", "<one>"]
            }),
        );
        assert_eq!(
            tera.render("t.html", &context).unwrap(),
            "<p>LNPDS|p&amp;q|d|slash|tilde|&lt;|7|&lt;one&gt;</p>"
        );
    }
}
