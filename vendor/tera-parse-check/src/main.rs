//! Parses random templates with published Tera 1.20.1 and with
//! `vendor/tera`, and fails if any template gets another tree or another
//! error from the two. Patch 8 rewrote the grammar's text rules; this is
//! how it was checked, and how a later change to the grammar can be.
//!
//! `cargo run --release -- [templates] [pieces per template]`

/// What templates are made of: the grammar's delimiters, alone and in
/// tags, keywords, and text around them.
const PIECES: &[&str] = &[
    "{{",
    "}}",
    "{%",
    "%}",
    "{#",
    "#}",
    "-",
    " ",
    "a",
    "b",
    "if",
    "endif",
    "for",
    "in",
    "endfor",
    "else",
    "x",
    "{",
    "}",
    "%",
    "#",
    "\n",
    "raw",
    "endraw",
    "block",
    "endblock",
    "set",
    "=",
    "1",
    "\"",
    "|",
    "upper",
    "(",
    ")",
    ".",
    "{{ x }}",
    "{% if x %}",
    "{% endif %}",
    "{# c #}",
    "text ",
    "é",
    "{{-",
    "-}}",
    "{%-",
    "-%}",
    "{#-",
    "-#}",
    "macro",
    "endmacro",
    "{% raw %}",
    "{% endraw %}",
    "~",
    "'",
    "[",
    "]",
    ",",
    "not",
    "and",
    "is",
];

/// A xorshift generator: the same templates on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn main() {
    let arg = |i: usize, default: usize| {
        std::env::args()
            .nth(i)
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let (runs, max_pieces) = (arg(1, 1_000_000), arg(2, 24));
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut parsed, mut rejected, mut differ) = (0, 0, 0);
    for _ in 0..runs {
        let len = rng.below(max_pieces + 1);
        let template: String = (0..len).map(|_| PIECES[rng.below(PIECES.len())]).collect();
        let old = published::Template::new("t", None, &template);
        let new = patched::Template::new("t", None, &template);
        let (old, new) = match (old, new) {
            (Ok(o), Ok(n)) => {
                parsed += 1;
                (format!("{:?}", o.ast), format!("{:?}", n.ast))
            }
            (Err(o), Err(n)) => {
                rejected += 1;
                (format!("{o:?}"), format!("{n:?}"))
            }
            (o, n) => (format!("{:?}", o.is_ok()), format!("{:?}", n.is_ok())),
        };
        if old != new {
            differ += 1;
            if differ <= 5 {
                println!("differ on {template:?}\n  published: {old}\n  patched:   {new}");
            }
        }
    }
    println!(
        "{runs} templates: {parsed} parsed by both, {rejected} rejected by both, {differ} differ"
    );
    if differ > 0 {
        std::process::exit(1);
    }
}
