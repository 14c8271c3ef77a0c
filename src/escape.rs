//! Escaping text for the formats the site is written in (HTML, JSON):
//! one loop for both. Every page's titles and summaries pass through it,
//! and every snippet of the search index; most have nothing to escape, and
//! the rest an apostrophe or two.

/// Appends `text` to `out`, each byte that `special` picks written by
/// `write` instead. Only ASCII bytes may be picked, so every cut falls
/// between characters.
pub(crate) fn push_escaped_with(
    out: &mut String,
    text: &str,
    special: impl Fn(u8) -> bool,
    write: impl Fn(&mut String, u8),
) {
    // Every byte is looked at, without stopping at the first special one,
    // so that the compiler checks many bytes at once; text with nothing
    // to escape is then copied whole.
    if !text.bytes().fold(false, |seen, b| seen | special(b)) {
        out.push_str(text);
        return;
    }
    // The runs between special bytes copied whole.
    let mut run = 0;
    for (at, byte) in text.bytes().enumerate() {
        if !special(byte) {
            continue;
        }
        debug_assert!(byte.is_ascii(), "a non-ASCII byte escaped");
        out.push_str(&text[run..at]);
        write(out, byte);
        run = at + 1;
    }
    out.push_str(&text[run..]);
}

/// A JSON string, escaped as serde_json escapes it.
pub(crate) fn push_json_str(out: &mut String, s: &str) {
    use std::fmt::Write;
    out.push('"');
    let special = |b| matches!(b, b'"' | b'\\' | 0..=0x1f);
    let write = |out: &mut String, b| match b {
        b'"' => out.push_str("\\\""),
        b'\\' => out.push_str("\\\\"),
        b'\n' => out.push_str("\\n"),
        b'\r' => out.push_str("\\r"),
        b'\t' => out.push_str("\\t"),
        0x08 => out.push_str("\\b"),
        0x0c => out.push_str("\\f"),
        _ => {
            // Writing to a String cannot fail.
            let _ = write!(out, "\\u{b:04x}");
        }
    };
    push_escaped_with(out, s, special, write);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::push_json_str;

    /// Every ASCII byte, alone and among others, and some beyond ASCII.
    #[test]
    fn json_strings_are_escaped_as_serde_json_escapes_them() {
        let mut texts: Vec<String> = (0u8..0x80).map(|b| char::from(b).to_string()).collect();
        texts.push((0u8..0x80).map(char::from).collect());
        texts.push("é </script> \u{7f} \u{2028} 😀".to_string());
        for text in texts {
            let mut ours = String::new();
            push_json_str(&mut ours, &text);
            assert_eq!(ours, serde_json::to_string(&text).unwrap(), "{text:?}");
        }
    }
}
