//! Concept maps as SVG, drawn at build time: readable without JavaScript,
//! identical on every build, and every node a link.
//!
//! The layout is layered: nodes stand in columns (principles | concepts, or
//! pages | concept | related concepts) and edges run between columns. Nodes of
//! a column are ordered by the mean position of their neighbours in the column
//! before (the barycentre heuristic), which removes most crossings at a cost
//! linear in the edges.

use std::fmt::Write as _;

use crate::render::theme::{escape_html, push_escaped};

/// A node: its label, where it links, and a CSS class (`principle`, `concept`).
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub label: String,
    pub href: String,
    pub class: &'static str,
}

/// An edge from (column, index) to (column, index).
pub(crate) type Edge = ((usize, usize), (usize, usize));

const ROW: f64 = 34.0;
const NODE_HEIGHT: f64 = 26.0;
const COLUMN_WIDTH: f64 = 250.0;
const GAP: f64 = 110.0;
const MAX_LABEL: usize = 34;

/// Orders `column` by the barycentre of each node's neighbours in `fixed`;
/// returns the new order as indices into `column`.
pub(crate) fn barycentre_order(
    len: usize,
    neighbours: &[Vec<usize>],
    fallback: &[String],
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    let centre = |i: usize| {
        let n = &neighbours[i];
        if n.is_empty() {
            f64::MAX
        } else {
            n.iter().sum::<usize>() as f64 / n.len() as f64
        }
    };
    order.sort_by(|&a, &b| {
        centre(a)
            .total_cmp(&centre(b))
            .then_with(|| fallback[a].cmp(&fallback[b]))
    });
    order
}

/// A coordinate, printed as `{}` prints an `f64`, but the integer way when
/// it is whole, as nearly all are: printing floats was most of the work of
/// drawing a map.
struct Num(f64);

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = self.0;
        match Num::whole(v) {
            // `itoa`, not `{}`: an integer's `Display` goes through the
            // formatter's padding machinery.
            Some(n) => f.write_str(itoa::Buffer::new().format(n)),
            None => write!(f, "{v}"),
        }
    }
}

impl Num {
    /// `v` as an integer, when it prints as one.
    fn whole(v: f64) -> Option<i64> {
        let whole = v.fract() == 0.0 && v.abs() < 1e15 && !(v == 0.0 && v.is_sign_negative());
        whole.then_some(v as i64)
    }

    /// Appends each piece of text and number after it to `out`, as
    /// `write!` would, without its machinery: a concept's map has hundreds.
    fn push_each(out: &mut String, pieces: &[(&str, f64)]) {
        for &(text, v) in pieces {
            out.push_str(text);
            match Num::whole(v) {
                Some(n) => out.push_str(itoa::Buffer::new().format(n)),
                None => {
                    let _ = write!(out, "{v}");
                }
            }
        }
    }
}

/// Draws `columns` of nodes joined by `edges`.
pub(crate) fn layered_svg(label: &str, columns: &[Vec<Node>], edges: &[Edge]) -> String {
    let rows = columns.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let height = rows as f64 * ROW + 16.0;
    let width =
        columns.len() as f64 * COLUMN_WIDTH + (columns.len().saturating_sub(1)) as f64 * GAP;
    // Centre each column vertically.
    let y = |col: usize, i: usize| {
        let offset = (rows - columns[col].len()) as f64 * ROW / 2.0;
        8.0 + offset + i as f64 * ROW
    };
    let x = |col: usize| col as f64 * (COLUMN_WIDTH + GAP);

    let mut svg = String::new();
    let (width, height) = (Num(width), Num(height));
    let _ = write!(
        svg,
        "<svg class=\"concept-map\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" \
         role=\"group\" aria-label=\"{}\">",
        escape_html(label)
    );
    svg.push_str("<g class=\"edges\" aria-hidden=\"true\">");
    for &((c1, i1), (c2, i2)) in edges {
        let (x1, y1) = (x(c1) + COLUMN_WIDTH, y(c1, i1) + NODE_HEIGHT / 2.0);
        let (x2, y2) = (x(c2), y(c2, i2) + NODE_HEIGHT / 2.0);
        let mid = (x1 + x2) / 2.0;
        let d = [
            ("<path d=\"M", x1),
            (" ", y1),
            ("C", mid),
            (" ", y1),
            (" ", mid),
            (" ", y2),
            (" ", x2),
            (" ", y2),
        ];
        Num::push_each(&mut svg, &d);
        svg.push_str("\"/>");
    }
    svg.push_str("</g>");
    for (c, column) in columns.iter().enumerate() {
        for (i, node) in column.iter().enumerate() {
            let (nx, ny) = (x(c), y(c, i));
            svg.push_str("<a href=\"");
            push_escaped(&mut svg, &node.href);
            svg.push_str("\" class=\"node node-");
            svg.push_str(node.class);
            svg.push_str("\"><title>");
            push_escaped(&mut svg, &node.label);
            let rect_and_text = [
                ("</title><rect x=\"", nx),
                ("\" y=\"", ny),
                ("\" width=\"", COLUMN_WIDTH),
                ("\" height=\"", NODE_HEIGHT),
                ("\" rx=\"6\"/><text x=\"", nx + 10.0),
                ("\" y=\"", ny + NODE_HEIGHT / 2.0 + 5.0),
            ];
            Num::push_each(&mut svg, &rect_and_text);
            svg.push_str("\">");
            push_escaped(
                &mut svg,
                &crate::markdown::truncate_chars(&node.label, MAX_LABEL),
            );
            svg.push_str("</text></a>");
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(label: &str) -> Node {
        Node {
            label: label.into(),
            href: format!("{label}/"),
            class: "concept",
        }
    }

    #[test]
    fn coordinates_print_as_floats_print() {
        for v in [
            0.0,
            -0.0,
            8.0,
            8.5,
            305.0,
            -17.0,
            1e15,
            -999_999_999_999_999.0,
            999_999_999_999_999.0,
            1e16,
            0.1 + 0.2,
            f64::NAN,
        ] {
            assert_eq!(Num(v).to_string(), format!("{v}"));
        }
    }

    /// The map's pieces print their numbers as `Num` does, whole or not.
    #[test]
    fn pieces_print_numbers_as_num_does() {
        let values = [8.0, 8.5, -0.0, 1e16, 0.1 + 0.2, f64::NAN];
        let mut pushed = String::new();
        let pieces: Vec<(&str, f64)> = values.iter().map(|&v| (" ", v)).collect();
        Num::push_each(&mut pushed, &pieces);
        let printed: String = values.iter().map(|&v| format!(" {}", Num(v))).collect();
        assert_eq!(pushed, printed);
    }

    #[test]
    fn barycentre_puts_nodes_near_their_neighbours() {
        // Node 0 links to row 5, node 1 to row 0, node 2 to nothing.
        let order = barycentre_order(
            3,
            &[vec![5], vec![0], vec![]],
            &["a".into(), "b".into(), "c".into()],
        );
        assert_eq!(order, vec![1, 0, 2]);
    }

    #[test]
    fn svg_has_a_link_per_node_and_a_path_per_edge() {
        let svg = layered_svg(
            "Map",
            &[vec![node("a"), node("b")], vec![node("c")]],
            &[((0, 0), (1, 0)), ((0, 1), (1, 0))],
        );
        assert_eq!(svg.matches("<a href=").count(), 3);
        assert_eq!(svg.matches("<path ").count(), 2);
        assert!(
            svg.starts_with("<svg class=\"concept-map\" viewBox=\"0 0 610 84\""),
            "{svg}"
        );
    }
}
