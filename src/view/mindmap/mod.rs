//! Mermaid `mindmap` text → a tree → an SVG drawn here (no JavaScript, no network), so the lesson's
//! mind map looks the same in JupyterLab, in the static pages and in a saved `.svg` file.
//!
//! Syntax read: a first line `mindmap`; one node per line, its depth given by its indentation
//! (spaces); shapes `id((text))` (circle), `id(text)` (rounded), `id[text]` (square),
//! `id{{text}}` (hexagon) where `id` is an ASCII identifier; labels in straight double quotes
//! or backticks are unquoted; `**bold**` spans are drawn bold. One deliberate difference from
//! Mermaid: a line such as `数据规模(Scale of Data)` whose prefix is not an ASCII identifier is kept
//! whole as its label (Mermaid would show only "Scale of Data"), so the lesson's bilingual labels
//! survive.
//!
//! ```
//! # fn main() -> takeoff::Result<()> {
//! let map = takeoff::mindmap::MindMap::parse("mindmap\n  root((Why now?))\n    Data\n    Compute\n")?;
//! assert_eq!(map.root.children.len(), 2);
//! assert!(map.to_svg().contains("Compute"));
//! # Ok(()) }
//! ```

use crate::error::{Result, TakeoffError};
use crate::view::display::{escape, Html};

/// The node's outline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Plain,
    Circle,
    Rounded,
    Square,
    Hexagon,
}

/// A run of label text, bold or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub bold: bool,
}

/// One node and its children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub spans: Vec<Span>,
    pub shape: Shape,
    pub line: usize,
    pub children: Vec<Node>,
}

impl Node {
    /// The label without markup.
    pub fn label(&self) -> String {
        self.spans.iter().map(|s| s.text.as_str()).collect()
    }

    /// This node and all below it, depth first.
    pub fn all(&self) -> Vec<&Node> {
        let mut v = vec![self];
        for c in &self.children {
            v.extend(c.all());
        }
        v
    }
}

/// A parsed mind map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MindMap {
    pub root: Node,
}

fn err(line: usize, message: impl Into<String>) -> TakeoffError {
    TakeoffError::Mindmap {
        line,
        message: message.into(),
    }
}

fn parse_spans(text: &str, line: usize) -> Result<Vec<Span>> {
    let parts: Vec<&str> = text.split("**").collect();
    if parts.len().is_multiple_of(2) {
        return Err(err(
            line,
            format!("unclosed ** in {text:?}: bold text needs a closing **"),
        ));
    }
    Ok(parts
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.is_empty())
        .map(|(i, p)| Span {
            text: p.to_string(),
            bold: i % 2 == 1,
        })
        .collect())
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    for q in ['"', '`'] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return &s[1..s.len() - 1];
        }
    }
    s
}

fn parse_node(text: &str, line: usize) -> Result<(Shape, Vec<Span>)> {
    let id_len = text
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
        .map(|(i, _)| i)
        .unwrap_or(text.len());
    let (id, rest) = text.split_at(id_len);
    let shapes = [
        ("((", "))", Shape::Circle),
        ("{{", "}}", Shape::Hexagon),
        ("(", ")", Shape::Rounded),
        ("[", "]", Shape::Square),
    ];
    let (shape, label) = match shapes
        .iter()
        .find(|(open, _, _)| !id.is_empty() && rest.starts_with(open))
    {
        Some(&(open, close, shape)) => {
            if !rest.ends_with(close) || rest.len() < open.len() + close.len() {
                return Err(err(
                    line,
                    format!("unclosed shape in {text:?}: expected it to end with {close}"),
                ));
            }
            (shape, &rest[open.len()..rest.len() - close.len()])
        }
        None => (Shape::Plain, text),
    };
    let label = unquote(label);
    if label.trim().is_empty() {
        return Err(err(line, "empty node text: give the node a label"));
    }
    Ok((shape, parse_spans(label, line)?))
}

impl MindMap {
    /// Reads Mermaid `mindmap` text. Errors name the line.
    pub fn parse(text: &str) -> Result<MindMap> {
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l))
            .filter(|(_, l)| !l.trim().is_empty());
        match lines.next() {
            Some((_, l)) if l.trim() == "mindmap" => {}
            Some((n, l)) => {
                return Err(err(
                    n,
                    format!("expected the first line to be `mindmap`, found {:?}", l.trim()),
                ))
            }
            None => {
                return Err(err(
                    1,
                    "empty text: a mind map starts with `mindmap` and a root node",
                ))
            }
        }
        // (indent, node) stack of open ancestors
        let mut stack: Vec<(usize, Node)> = Vec::new();
        let mut root: Option<Node> = None;
        let close = |stack: &mut Vec<(usize, Node)>, root: &mut Option<Node>| {
            let (_, node) = stack.pop().expect("non-empty");
            match stack.last_mut() {
                Some((_, parent)) => parent.children.push(node),
                None => *root = Some(node),
            }
        };
        for (n, l) in lines {
            if l.starts_with('\t') || l.trim_start_matches(' ').starts_with('\t') {
                return Err(err(n, "tab in indentation: indent with spaces"));
            }
            let indent = l.len() - l.trim_start().len();
            let (shape, spans) = parse_node(l.trim(), n)?;
            let node = Node {
                spans,
                shape,
                line: n,
                children: Vec::new(),
            };
            if stack.is_empty() {
                if root.is_some() {
                    return Err(err(
                        n,
                        "a second root: every node after the first must be indented below it",
                    ));
                }
                stack.push((indent, node));
                continue;
            }
            while stack.last().is_some_and(|(i, _)| *i >= indent) {
                if stack.len() == 1 {
                    return Err(err(
                        n,
                        format!(
                            "indented {indent} spaces, not more than the root's {}: a second root",
                            stack[0].0
                        ),
                    ));
                }
                close(&mut stack, &mut root);
            }
            // the new node must match a sibling's indentation if its parent already has children
            let (_, parent) = stack.last().expect("root stays open");
            if let Some(sib) = parent.children.last() {
                let sib_indent = indent_of(text, sib.line);
                if sib_indent != indent {
                    return Err(err(
                        n,
                        format!("inconsistent indentation: {indent} spaces, but its sibling on line {} has {sib_indent}", sib.line),
                    ));
                }
            }
            stack.push((indent, node));
        }
        while !stack.is_empty() {
            close(&mut stack, &mut root);
        }
        root.map(|root| MindMap { root })
            .ok_or_else(|| err(1, "no root node after `mindmap`"))
    }

    /// The first ```` ```mermaid ```` block of a Markdown text that holds a mind map.
    pub fn from_markdown(md: &str) -> Result<MindMap> {
        let start = md
            .find("```mermaid")
            .ok_or_else(|| err(1, "no ```mermaid block in the text"))?;
        let body = &md[start + "```mermaid".len()..];
        let end = body
            .find("```")
            .ok_or_else(|| err(1, "the ```mermaid block is not closed"))?;
        MindMap::parse(&body[..end])
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.root.all().len()
    }

    /// Always false: a mind map has a root.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The map drawn as a left-to-right tree in SVG.
    pub fn to_svg(&self) -> String {
        Layout::of(self).svg()
    }

    /// Writes the SVG to a file (a standalone picture that opens in any browser).
    pub fn save_svg(&self, path: impl AsRef<std::path::Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, self.to_svg()).map_err(|e| TakeoffError::io(path, e))
    }

    /// The SVG as a notebook output.
    pub fn to_html(&self) -> Html {
        Html(format!("<div class=\"takeoff-mindmap\">{}</div>", self.to_svg()))
    }

    /// Called by evcxr when a cell ends with a `MindMap`.
    pub fn evcxr_display(&self) {
        self.to_html().evcxr_display();
    }
}

fn indent_of(text: &str, line: usize) -> usize {
    let l = text.lines().nth(line - 1).unwrap_or("");
    l.len() - l.trim_start().len()
}

// ---------------------------------------------------------------- layout

const FONT: f64 = 14.0;
const ROW: f64 = 30.0;
/// Line spacing inside a wrapped label.
const LINE: f64 = 18.0;
/// Labels wider than this wrap onto more lines, so that a map fitted to a page keeps a readable
/// font: unwrapped, the English map was 1,851 px wide and its 14 px labels shrank to about 7 px.
const MAX_TEXT: f64 = 190.0;
const GAP: f64 = 36.0;
const PAD: f64 = 10.0;
const COLORS: [&str; 8] = [
    "#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#eeca3b", "#9d755d",
];

/// Width of text in px at 14 px: CJK and full-width characters one em, others about 0.6 em.
pub fn text_width(s: &str) -> f64 {
    s.chars()
        .map(|c| {
            let u = c as u32;
            let wide = (0x2E80..=0x9FFF).contains(&u)
                || (0xF900..=0xFAFF).contains(&u)
                || (0xFF00..=0xFFEF).contains(&u);
            if wide {
                FONT
            } else if c == ' ' {
                FONT * 0.3
            } else {
                FONT * 0.6
            }
        })
        .sum()
}

/// A word: the pieces of text between two spaces, each with its boldness (a word may change
/// weight inside, as in `**标注数据**（m）`, and is never broken).
type Word = Vec<(String, bool)>;
/// A label broken into lines of words.
type Lines = Vec<Vec<Word>>;

/// The words of a label's spans: spaces separate words; span boundaries without a space do not.
fn words(spans: &[Span]) -> Vec<Word> {
    let mut words: Vec<Word> = vec![Vec::new()];
    for span in spans {
        for (i, piece) in span.text.split(' ').enumerate() {
            if i > 0 && !words.last().expect("one word at least").is_empty() {
                words.push(Vec::new());
            }
            if !piece.is_empty() {
                words
                    .last_mut()
                    .expect("one word at least")
                    .push((piece.to_string(), span.bold));
            }
        }
    }
    words.retain(|w| !w.is_empty());
    words
}

fn word_text(w: &Word) -> String {
    w.iter().map(|(t, _)| t.as_str()).collect()
}

fn line_width(line: &[Word]) -> f64 {
    text_width(&line.iter().map(word_text).collect::<Vec<_>>().join(" "))
}

/// Breaks a label into lines no wider than [`MAX_TEXT`], at spaces only (a longer word keeps a
/// line of its own; a label without spaces, as most Chinese ones, stays whole).
fn wrap(spans: &[Span]) -> Lines {
    let mut lines: Lines = vec![Vec::new()];
    for word in words(spans) {
        let line = lines.last_mut().expect("one line at least");
        let mut with = line.clone();
        with.push(word.clone());
        if !line.is_empty() && line_width(&with) > MAX_TEXT {
            lines.push(vec![word]);
        } else {
            *line = with;
        }
    }
    lines
}

struct Placed<'a> {
    node: &'a Node,
    depth: usize,
    x: f64,
    y: f64,
    w: f64,
    /// Box height.
    h: f64,
    lines: Lines,
    color: &'static str,
    parent: Option<usize>,
}

struct Layout<'a> {
    nodes: Vec<Placed<'a>>,
    width: f64,
    height: f64,
}

impl<'a> Layout<'a> {
    fn of(map: &'a MindMap) -> Layout<'a> {
        let mut nodes: Vec<Placed> = Vec::new();
        let mut next_row = 0.0;
        fn place<'a>(
            n: &'a Node,
            depth: usize,
            color: &'static str,
            parent: Option<usize>,
            nodes: &mut Vec<Placed<'a>>,
            next_row: &mut f64,
        ) -> f64 {
            let me = nodes.len();
            let lines = wrap(&n.spans);
            let widest = lines.iter().map(|l| line_width(l)).fold(0.0, f64::max);
            let h = ROW - 6.0 + LINE * (lines.len() - 1) as f64;
            nodes.push(Placed {
                node: n,
                depth,
                x: 0.0,
                y: 0.0,
                w: widest + 2.0 * PAD,
                h,
                lines,
                color,
                parent,
            });
            // rows are in units of ROW; a wrapped leaf takes the rows its lines need
            let y = if n.children.is_empty() {
                let rows = (h + 6.0) / ROW;
                *next_row += rows;
                *next_row - rows / 2.0
            } else {
                let ys: Vec<f64> = n
                    .children
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let col = if depth == 0 {
                            COLORS[i % COLORS.len()]
                        } else {
                            color
                        };
                        place(c, depth + 1, col, Some(me), nodes, next_row)
                    })
                    .collect();
                (ys[0] + ys[ys.len() - 1]) / 2.0
            };
            nodes[me].y = y * ROW + ROW;
            y
        }
        place(&map.root, 0, "#333333", None, &mut nodes, &mut next_row);
        let max_depth = nodes.iter().map(|p| p.depth).max().unwrap_or(0);
        let mut col_x = vec![20.0; max_depth + 2];
        for d in 0..=max_depth {
            let w = nodes
                .iter()
                .filter(|p| p.depth == d)
                .map(|p| p.w)
                .fold(0.0, f64::max);
            col_x[d + 1] = col_x[d] + w + GAP;
        }
        for p in nodes.iter_mut() {
            p.x = col_x[p.depth];
        }
        Layout {
            width: col_x[max_depth + 1] - GAP + 20.0,
            height: (next_row + 1.0) * ROW,
            nodes,
        }
    }

    fn svg(&self) -> String {
        let mut s = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w:.0} {h:.0}\" width=\"{w:.0}\" height=\"{h:.0}\" \
font-family=\"'Noto Sans CJK SC','Noto Sans SC','PingFang SC','Microsoft YaHei',sans-serif\" font-size=\"{FONT}\" role=\"img\" aria-label=\"{label}\">",
            w = self.width,
            h = self.height,
            label = escape(&self.nodes[0].node.label()),
        );
        s += &format!("<title>{}</title>", escape(&self.nodes[0].node.label()));
        for p in &self.nodes {
            if let Some(pi) = p.parent {
                let q = &self.nodes[pi];
                let (x1, y1, x2, y2) = (q.x + q.w, q.y, p.x, p.y);
                let mx = (x1 + x2) / 2.0;
                s += &format!(
                    "<path d=\"M{x1:.1},{y1:.1} C{mx:.1},{y1:.1} {mx:.1},{y2:.1} {x2:.1},{y2:.1}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.6\" opacity=\"0.7\"/>",
                    p.color
                );
            }
        }
        for p in &self.nodes {
            let h = p.h;
            let (rx, fill, stroke, text_color) = match (p.depth, p.node.shape) {
                (0, _) | (_, Shape::Circle) => (h / 2.0, "#333333", "#333333", "#ffffff"),
                (_, Shape::Square) => (0.0, "#ffffff", p.color, "#222222"),
                (1, _) => (6.0, p.color, p.color, "#ffffff"),
                _ => (6.0, "#ffffff", p.color, "#222222"),
            };
            s += &format!(
                "<g><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\" rx=\"{rx:.1}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.4\"/>",
                p.x,
                p.y - h / 2.0,
                p.w
            );
            let top = p.y - LINE * (p.lines.len() - 1) as f64 / 2.0;
            s += &format!(
                "<text x=\"{:.1}\" y=\"{top:.1}\" fill=\"{text_color}\" dominant-baseline=\"central\">",
                p.x + PAD
            );
            for (i, line) in p.lines.iter().enumerate() {
                s += &format!(
                    "<tspan x=\"{:.1}\" y=\"{:.1}\">",
                    p.x + PAD,
                    top + LINE * i as f64
                );
                for (j, word) in line.iter().enumerate() {
                    for (k, (text, bold)) in word.iter().enumerate() {
                        // the space after a word goes with its last piece
                        let text = if k + 1 == word.len() && j + 1 < line.len() {
                            format!("{text} ")
                        } else {
                            text.clone()
                        };
                        if *bold {
                            s += &format!("<tspan font-weight=\"bold\">{}</tspan>", escape(&text));
                        } else {
                            s += &format!("<tspan>{}</tspan>", escape(&text));
                        }
                    }
                }
                s += "</tspan>";
            }
            s += "</text></g>";
        }
        s + "</svg>"
    }
}

/// The seed lesson's mind map: its Mermaid block's words, typeset for Chinese (full-width
/// punctuation, a space between Chinese and Latin words).
pub const LESSON_ZH: &str = include_str!("../../../notebooks/mindmap.zh.mmd");
/// The same map in English.
pub const LESSON_EN: &str = include_str!("../../../notebooks/mindmap.en.mmd");

/// The lesson's mind map in each chosen language ([`crate::lang::languages`]): the seed's Chinese
/// map ([`LESSON_ZH`], as the source notes give it) and its English rendering ([`LESSON_EN`]).
pub fn lesson() -> Result<Html> {
    let maps = [
        (crate::lang::Lang::Zh, MindMap::parse(LESSON_ZH)?),
        (crate::lang::Lang::En, MindMap::parse(LESSON_EN)?),
    ];
    Ok(Html(crate::view::display::per_language(|l| {
        maps.iter()
            .find(|(k, _)| *k == l)
            .map(|(_, m)| m.to_html().0)
            .unwrap_or_default()
    })))
}

#[cfg(test)]
mod tests;
