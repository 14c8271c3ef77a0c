//! YAML front matter (`---` fences), as GitHub-style handbooks, Jekyll, MkDocs
//! and Eleventy write it, read into the same spanned [`Table`] as TOML.
//!
//! Reading goes through the event parser rather than a document loader
//! because events carry positions: a wrong value in YAML front matter is
//! reported at its line and column like one in TOML.

use std::ops::Range;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::meta::{Spanned, Table, Value};
use crate::diag::{Code, Diagnostic, FileId};

/// Parses YAML that starts at byte `offset` of file `file`. A syntax error is
/// returned as a diagnostic; keys read before it are kept.
pub(crate) fn parse_yaml(
    text: &str,
    offset: usize,
    file: FileId,
    diags: &mut Vec<Diagnostic>,
) -> Table {
    let mut reader = Reader {
        parser: Parser::new_from_str(text),
        text,
        offset,
        char_starts: text.char_indices().map(|(i, _)| i).collect(),
    };
    match reader.document() {
        Ok(table) => table,
        Err((partial, error)) => {
            let at = reader.byte_index(*error.marker()) + offset;
            diags.push(
                Diagnostic::error(
                    Code::FrontMatterSyntax,
                    format!("invalid YAML: {}", error.info()),
                )
                .at(file, at..at, error.info().to_string()),
            );
            partial
        }
    }
}

type Failure = (Table, yaml_rust2::ScanError);

struct Reader<'a> {
    parser: Parser<std::str::Chars<'a>>,
    text: &'a str,
    offset: usize,
    /// Byte offset of each character: markers count characters.
    char_starts: Vec<usize>,
}

impl Reader<'_> {
    fn byte_index(&self, marker: Marker) -> usize {
        self.char_starts
            .get(marker.index())
            .copied()
            .unwrap_or(self.text.len())
    }

    fn next(&mut self) -> Result<(Event, Marker), yaml_rust2::ScanError> {
        self.parser.next_token()
    }

    /// The top-level mapping; an empty document is an empty table.
    fn document(&mut self) -> Result<Table, Failure> {
        loop {
            let (event, marker) = self.next().map_err(|e| (Table::default(), e))?;
            match event {
                Event::StreamStart | Event::DocumentStart => continue,
                Event::MappingStart(..) => return self.mapping(),
                Event::StreamEnd | Event::DocumentEnd => return Ok(Table::default()),
                _ => {
                    let error = yaml_rust2::ScanError::new_string(
                        marker,
                        "front matter must be a mapping of `key: value` lines".into(),
                    );
                    return Err((Table::default(), error));
                }
            }
        }
    }

    fn mapping(&mut self) -> Result<Table, Failure> {
        let mut table = Table::default();
        loop {
            let (event, marker) = match self.next() {
                Ok(e) => e,
                Err(e) => return Err((table, e)),
            };
            let key = match event {
                Event::MappingEnd => return Ok(table),
                Event::Scalar(key, ..) => Spanned {
                    span: self.span_of(marker, key.len()),
                    value: key,
                },
                // Complex keys never name a field; read and drop the value.
                other => {
                    if let Err(e) = self.value_from(other, marker) {
                        return Err((table, e.1));
                    }
                    Spanned {
                        value: String::new(),
                        span: self.span_of(marker, 0),
                    }
                }
            };
            match self.value() {
                Ok(value) => table.entries.push((key, value)),
                Err((_, e)) => return Err((table, e)),
            }
        }
    }

    fn value(&mut self) -> Result<Spanned<Value>, Failure> {
        let (event, marker) = self.next().map_err(|e| (Table::default(), e))?;
        self.value_from(event, marker)
    }

    fn value_from(&mut self, event: Event, marker: Marker) -> Result<Spanned<Value>, Failure> {
        let start = self.byte_index(marker) + self.offset;
        let value = match event {
            Event::Scalar(text, style, ..) => {
                let len = match style {
                    TScalarStyle::Plain => text.len(),
                    TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => text.len() + 2,
                    _ => 1,
                };
                return Ok(Spanned {
                    span: self.span_of(marker, len),
                    value: scalar(text, style),
                });
            }
            Event::SequenceStart(..) => {
                let mut items = Vec::new();
                loop {
                    let (event, marker) = self.next().map_err(|e| (Table::default(), e))?;
                    if event == Event::SequenceEnd {
                        break;
                    }
                    items.push(self.value_from(event, marker)?);
                }
                Value::List(items)
            }
            Event::MappingStart(..) => Value::Table(self.mapping()?),
            Event::Alias(_) => Value::Other("an alias"),
            _ => Value::Other("nothing"),
        };
        let end = self.parser_position().max(start);
        Ok(Spanned {
            value,
            span: start..end,
        })
    }

    /// Where the parser has got to, for the end of a list or table.
    fn parser_position(&mut self) -> usize {
        match self.parser.peek() {
            Ok((_, marker)) => {
                let marker = *marker;
                self.byte_index(marker) + self.offset
            }
            Err(_) => self.offset + self.text.len(),
        }
    }

    /// A span of `len` bytes at `marker`, kept within its line.
    fn span_of(&self, marker: Marker, len: usize) -> Range<usize> {
        let start = self.byte_index(marker);
        let line_end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        let mut end = (start + len).min(line_end);
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        start + self.offset..end + self.offset
    }
}

/// Plain scalars are typed the YAML 1.2 core way; quoted ones are strings.
fn scalar(text: String, style: TScalarStyle) -> Value {
    if style != TScalarStyle::Plain {
        return Value::Str(text);
    }
    match text.as_str() {
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        "" | "~" | "null" | "Null" | "NULL" => Value::Other("empty"),
        _ => {
            if let Ok(i) = text.parse::<i64>() {
                Value::Int(i)
            } else if let Ok(f) = text.parse::<f64>() {
                Value::Float(f)
            } else {
                Value::Str(text)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values_keep_their_positions() {
        let mut diags = Vec::new();
        let text = "title: \"Café rules\"\nweight: 3\ntags: [eng, ops]\ndraft: false\n";
        let t = parse_yaml(text, 4, 0, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        let (key, value) = &t.entries[0];
        assert_eq!(key.value, "title");
        assert_eq!(key.span, 4..9);
        assert_eq!(value.value, Value::Str("Café rules".into()));
        assert_eq!(
            &text[value.span.start - 4..value.span.end - 4],
            "\"Café rules\""
        );
        assert_eq!(t.get("weight").map(|v| &v.value), Some(&Value::Int(3)));
        assert_eq!(t.get("draft").map(|v| &v.value), Some(&Value::Bool(false)));
        let Some(Value::List(tags)) = t.get("tags").map(|v| &v.value) else {
            panic!("tags is a list");
        };
        assert_eq!(tags[1].value, Value::Str("ops".into()));
        assert_eq!(&text[tags[1].span.start - 4..tags[1].span.end - 4], "ops");
    }

    #[test]
    fn syntax_errors_keep_what_parsed() {
        let mut diags = Vec::new();
        let t = parse_yaml("title: Ok\nbad: [unclosed\n", 0, 0, &mut diags);
        assert_eq!(diags.len(), 1);
        assert!(diags[0].message.starts_with("invalid YAML"));
        assert!(t.get("title").is_some());
    }

    #[test]
    fn a_list_document_is_an_error_not_a_panic() {
        let mut diags = Vec::new();
        let t = parse_yaml("- a\n- b\n", 0, 0, &mut diags);
        assert_eq!(diags.len(), 1);
        assert!(t.entries.is_empty());
    }
}
