//! Structured metadata with positions: front matter and `playbook.toml`.
//!
//! Both are parsed into one small [`Table`] model that keeps the byte span of
//! every key and value, so a wrong value or an unknown key is reported at its
//! exact place in the file. Reading typed fields out of a table goes through
//! [`Fields`], which collects every problem instead of stopping at the first
//! and warns about keys nobody asked for ("did you mean …").

use std::ops::Range;

use crate::diag::{did_you_mean, Code, Diagnostic, FileId};

#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Range<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    List(Vec<Spanned<Value>>),
    Table(Table),
    /// A value we never read (a TOML date); kept so its key is still known.
    Other(&'static str),
}

impl Value {
    fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::List(_) => "a list",
            Value::Table(_) => "a table",
            Value::Other(name) => name,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Table {
    pub entries: Vec<(Spanned<String>, Spanned<Value>)>,
}

impl Table {
    pub fn get(&self, key: &str) -> Option<&Spanned<Value>> {
        self.entries
            .iter()
            .find(|(k, _)| k.value == key)
            .map(|(_, v)| v)
    }
}

/// Parses TOML that starts at byte `offset` of file `file`. Syntax errors are
/// returned as diagnostics with `code`; what could be parsed is kept.
pub(crate) fn parse_toml(
    text: &str,
    offset: usize,
    file: FileId,
    code: Code,
    diags: &mut Vec<Diagnostic>,
) -> Table {
    let (doc, errors) = toml::de::DeTable::parse_recoverable(text);
    for e in errors {
        let span = e
            .span()
            .map(|s| s.start + offset..s.end + offset)
            .unwrap_or(offset..offset);
        diags.push(
            Diagnostic::error(code, format!("invalid TOML: {}", e.message().trim())).at(
                file,
                span,
                e.message().trim().to_string(),
            ),
        );
    }
    convert_toml_table(doc.get_ref(), offset)
}

fn convert_toml_table(table: &toml::de::DeTable<'_>, offset: usize) -> Table {
    let entries = table
        .iter()
        .map(|(k, v)| {
            let key = Spanned {
                value: k.get_ref().to_string(),
                span: shift(k.span(), offset),
            };
            (key, convert_toml_value(v, offset))
        })
        .collect();
    Table { entries }
}

fn convert_toml_value(v: &toml::Spanned<toml::de::DeValue<'_>>, offset: usize) -> Spanned<Value> {
    use toml::de::DeValue;
    let value = match v.get_ref() {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
            .map(Value::Int)
            .unwrap_or(Value::Other("an integer")),
        DeValue::Float(f) => f
            .as_str()
            .replace('_', "")
            .parse()
            .map(Value::Float)
            .unwrap_or(Value::Other("a number")),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(_) => Value::Other("a date"),
        DeValue::Array(items) => Value::List(
            items
                .iter()
                .map(|item| convert_toml_value(item, offset))
                .collect(),
        ),
        DeValue::Table(t) => Value::Table(convert_toml_table(t, offset)),
    };
    Spanned {
        value,
        span: shift(v.span(), offset),
    }
}

fn shift(span: Range<usize>, offset: usize) -> Range<usize> {
    span.start + offset..span.end + offset
}

/// Reads typed fields out of a [`Table`], reporting wrong types and, at the
/// end, keys that nothing read.
pub(crate) struct Fields<'a> {
    table: &'a Table,
    file: FileId,
    used: Vec<bool>,
    invalid: Code,
    unknown: Code,
    /// Where this table lives, for messages ("front matter", "[links]").
    context: &'static str,
    pub diags: Vec<Diagnostic>,
}

impl<'a> Fields<'a> {
    pub fn new(
        table: &'a Table,
        file: FileId,
        context: &'static str,
        invalid: Code,
        unknown: Code,
    ) -> Self {
        Fields {
            table,
            file,
            used: vec![false; table.entries.len()],
            invalid,
            unknown,
            context,
            diags: Vec::new(),
        }
    }

    /// The fields of `playbook.toml` or one of its tables.
    pub fn config(table: &'a Table, file: FileId, context: &'static str) -> Self {
        Fields::new(
            table,
            file,
            context,
            Code::ConfigInvalidValue,
            Code::ConfigUnknownKey,
        )
    }

    /// The fields of a page's front matter or one of its tables.
    pub fn front_matter(table: &'a Table, file: FileId, context: &'static str) -> Self {
        Fields::new(
            table,
            file,
            context,
            Code::FrontMatterInvalidValue,
            Code::FrontMatterUnknownKey,
        )
    }

    fn take(&mut self, key: &str) -> Option<&'a Spanned<Value>> {
        let index = self
            .table
            .entries
            .iter()
            .position(|(k, _)| k.value == key)?;
        self.used[index] = true;
        Some(&self.table.entries[index].1)
    }

    fn wrong_type(&mut self, key: &str, expected: &str, value: &Spanned<Value>) {
        self.diags.push(
            Diagnostic::error(
                self.invalid,
                format!("`{key}` in {} must be {expected}", self.context),
            )
            .at(
                self.file,
                value.span.clone(),
                format!("this is {}", value.value.type_name()),
            ),
        );
    }

    pub fn str(&mut self, key: &str) -> Option<Spanned<String>> {
        let v = self.take(key)?;
        match &v.value {
            Value::Str(s) => Some(Spanned {
                value: s.clone(),
                span: v.span.clone(),
            }),
            _ => {
                self.wrong_type(key, "a string", v);
                None
            }
        }
    }

    pub fn int(&mut self, key: &str) -> Option<Spanned<i64>> {
        let v = self.take(key)?;
        match &v.value {
            Value::Int(i) => Some(Spanned {
                value: *i,
                span: v.span.clone(),
            }),
            _ => {
                self.wrong_type(key, "an integer", v);
                None
            }
        }
    }

    pub fn bool(&mut self, key: &str) -> Option<bool> {
        self.spanned_bool(key).map(|b| b.value)
    }

    /// A boolean with where it was written.
    pub fn spanned_bool(&mut self, key: &str) -> Option<Spanned<bool>> {
        let v = self.take(key)?;
        match &v.value {
            Value::Bool(b) => Some(Spanned {
                value: *b,
                span: v.span.clone(),
            }),
            _ => {
                self.wrong_type(key, "true or false", v);
                None
            }
        }
    }

    /// A list of strings; a single string is accepted as a list of one.
    pub fn str_list(&mut self, key: &str) -> Vec<Spanned<String>> {
        let Some(v) = self.take(key) else {
            return Vec::new();
        };
        match &v.value {
            Value::Str(s) => vec![Spanned {
                value: s.clone(),
                span: v.span.clone(),
            }],
            Value::List(items) => {
                let mut out = Vec::new();
                for item in items {
                    match &item.value {
                        Value::Str(s) => out.push(Spanned {
                            value: s.clone(),
                            span: item.span.clone(),
                        }),
                        _ => self.wrong_type(key, "a list of strings", item),
                    }
                }
                out
            }
            _ => {
                self.wrong_type(key, "a list of strings", v);
                Vec::new()
            }
        }
    }

    pub fn table(&mut self, key: &str) -> Option<&'a Table> {
        let v = self.take(key)?;
        match &v.value {
            Value::Table(t) => Some(t),
            _ => {
                self.wrong_type(key, "a table", v);
                None
            }
        }
    }

    /// An array of tables (`[[defines]]`); a single table counts as one.
    pub fn tables(&mut self, key: &str) -> Vec<&'a Table> {
        let Some(v) = self.take(key) else {
            return Vec::new();
        };
        match &v.value {
            Value::Table(t) => vec![t],
            Value::List(items) => {
                let mut out = Vec::new();
                for item in items {
                    match &item.value {
                        Value::Table(t) => out.push(t),
                        _ => self.wrong_type(key, "a list of tables", item),
                    }
                }
                out
            }
            _ => {
                self.wrong_type(key, "a list of tables", v);
                Vec::new()
            }
        }
    }

    /// A string that must be one of `allowed`.
    pub fn choice(&mut self, key: &str, allowed: &[&str]) -> Option<Spanned<String>> {
        let s = self.str(key)?;
        if allowed.contains(&s.value.as_str()) {
            return Some(s);
        }
        let list = allowed
            .iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", ");
        self.diags.push(
            Diagnostic::error(
                self.invalid,
                format!("`{key}` must be one of {list}, not `{}`", s.value),
            )
            .at(self.file, s.span.clone(), "unknown value")
            .with_help_opt(did_you_mean(&s.value, allowed.iter().copied())),
        );
        None
    }

    /// Marks keys as read without reading them: keys that are allowed and
    /// mean nothing here.
    pub fn accept(&mut self, keys: &[&str]) {
        for key in keys {
            self.take(key);
        }
    }

    pub fn has(&self, key: &str) -> bool {
        self.table.get(key).is_some()
    }

    /// Warns about every key that was not read, suggesting the nearest known one.
    pub fn finish(mut self, known: &[&str]) -> Vec<Diagnostic> {
        for (index, (key, _)) in self.table.entries.iter().enumerate() {
            if self.used[index] {
                continue;
            }
            let help = did_you_mean(&key.value, known.iter().copied())
                .unwrap_or_else(|| format!("known keys: {}", known.join(", ")));
            self.diags.push(
                Diagnostic::warning(
                    self.unknown,
                    format!("unknown key `{}` in {}", key.value, self.context),
                )
                .at(self.file, key.span.clone(), "not a known key")
                .with_help(help),
            );
        }
        self.diags
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_spans_are_absolute_in_the_file() {
        let mut diags = Vec::new();
        let text = "title = \"Hi\"\norder = 2\n";
        let t = parse_toml(text, 4, 0, Code::FrontMatterSyntax, &mut diags);
        assert!(diags.is_empty());
        let (k, v) = &t.entries[0];
        assert_eq!(k.value, "order");
        assert_eq!(k.span, 17..22);
        assert_eq!(v.value, Value::Int(2));
    }

    #[test]
    fn syntax_errors_are_all_reported_with_positions() {
        let mut diags = Vec::new();
        let text = "title = \nsummary = \"ok\"\norder = [1,\n";
        let t = parse_toml(text, 0, 0, Code::FrontMatterSyntax, &mut diags);
        assert!(!diags.is_empty());
        assert!(diags.iter().all(|d| d.location.is_some()));
        // What parsed is kept.
        assert!(t.get("summary").is_some());
    }

    #[test]
    fn fields_report_wrong_types_and_unknown_keys() {
        let mut diags = Vec::new();
        let t = parse_toml(
            "title = 3\ntitel = \"x\"\n",
            0,
            0,
            Code::FrontMatterSyntax,
            &mut diags,
        );
        let mut f = Fields::new(
            &t,
            0,
            "front matter",
            Code::FrontMatterInvalidValue,
            Code::FrontMatterUnknownKey,
        );
        assert_eq!(f.str("title"), None);
        let diags = f.finish(&["title", "summary"]);
        assert_eq!(diags.len(), 2);
        assert_eq!(diags[0].message, "`title` in front matter must be a string");
        assert_eq!(diags[1].message, "unknown key `titel` in front matter");
        assert_eq!(diags[1].help.as_deref(), Some("did you mean `title`?"));
    }
}
