//! Escaping text for the formats the site is written in (HTML, JSON):
//! one loop for both, which copies the runs between special bytes whole.
//! Every page's titles and summaries pass through it, and the search
//! index's every snippet.

use std::borrow::Cow;

/// Appends `text` to `out`, each byte that `escape` names replaced by
/// what it gives. Only ASCII bytes may be named, so every cut falls
/// between characters.
pub(crate) fn push_escaped_with(
    out: &mut String,
    text: &str,
    escape: impl Fn(u8) -> Option<Cow<'static, str>>,
) {
    let mut run = 0;
    for (at, byte) in text.bytes().enumerate() {
        let Some(escaped) = escape(byte) else {
            continue;
        };
        debug_assert!(byte.is_ascii(), "a non-ASCII byte escaped");
        out.push_str(&text[run..at]);
        out.push_str(&escaped);
        run = at + 1;
    }
    out.push_str(&text[run..]);
}
