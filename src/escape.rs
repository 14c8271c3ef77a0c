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
