//! Tests of the mind map: parsing, errors, layout, wrapping.

use super::*;

/// A tiny checker: every tag closes in order, attributes are quoted.
fn well_formed(xml: &str) -> bool {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find('<') {
        let Some(j) = rest[i..].find('>') else {
            return false;
        };
        let tag = &rest[i + 1..i + j];
        rest = &rest[i + j + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            if stack.pop().as_deref() != Some(name) {
                return false;
            }
        } else if !tag.ends_with('/') {
            stack.push(tag.split_whitespace().next().unwrap_or("").to_string());
        }
        if !tag.matches('"').count().is_multiple_of(2) {
            return false;
        }
    }
    stack.is_empty()
}

#[test]
fn reads_the_seed_block_and_draws_every_label() {
    let map = MindMap::parse(LESSON_ZH).unwrap();
    assert_eq!(map.root.label(), "深度学习为何起飞？");
    assert_eq!(map.root.shape, Shape::Circle);
    assert_eq!(map.root.children.len(), 4);
    assert_eq!(map.len(), 32, "33 non-empty lines, less `mindmap`");
    let svg = map.to_svg();
    assert!(well_formed(&svg), "SVG is not well-formed");
    for n in map.root.all() {
        for s in &n.spans {
            for word in s.text.split(' ').filter(|w| !w.is_empty()) {
                assert!(svg.contains(&escape(word)), "label {:?} missing", s.text);
            }
        }
    }
    let key = map
        .root
        .all()
        .into_iter()
        .find(|n| n.label().contains("标注数据"))
        .unwrap();
    assert!(key.spans.iter().any(|s| s.bold && s.text == "标注数据"));
    assert!(svg.contains("<tspan font-weight=\"bold\">标注数据</tspan>"));
}

#[test]
fn english_map_has_the_same_shape() {
    let (zh, en) = (
        MindMap::parse(LESSON_ZH).unwrap(),
        MindMap::parse(LESSON_EN).unwrap(),
    );
    assert_eq!(zh.len(), en.len());
    assert!(well_formed(&en.to_svg()));
}

#[test]
fn labels_do_not_overlap_and_the_english_map_fits_a_page() {
    for text in [LESSON_ZH, LESSON_EN] {
        let map = MindMap::parse(text).unwrap();
        let l = Layout::of(&map);
        for p in &l.nodes {
            let words = words(&p.node.spans).len();
            assert!(
                p.w <= MAX_TEXT + 2.0 * PAD || words == 1,
                "{:?} is {} px wide",
                p.node.label(),
                p.w
            );
        }
        assert_no_overlap(&l);
    }
    // fitted to a page of about 900 px, the labels keep at least about 10 px
    let en_map = MindMap::parse(LESSON_EN).unwrap();
    let en = Layout::of(&en_map);
    assert!(en.width <= 1_300.0, "{} px wide", en.width);
    let bilingual = wrap(&[
        Span {
            text: "关键：大量".into(),
            bold: false,
        },
        Span {
            text: "标注数据".into(),
            bold: true,
        },
        Span {
            text: "（m）".into(),
            bold: false,
        },
    ]);
    assert_eq!(bilingual.len(), 1);
    assert_eq!(bilingual[0].len(), 1, "no space is inserted between spans");
}

fn assert_no_overlap(l: &Layout) {
    for (i, a) in l.nodes.iter().enumerate() {
        for b in &l.nodes[i + 1..] {
            let overlap_x = a.x < b.x + b.w && b.x < a.x + a.w;
            let overlap_y = (a.y - b.y).abs() < (a.h + b.h) / 2.0;
            assert!(
                !(overlap_x && overlap_y),
                "{:?} overlaps {:?}",
                a.node.label(),
                b.node.label()
            );
        }
    }
}

#[test]
fn errors_name_the_line() {
    let e = MindMap::parse("mindmap\n  root((a))\n    b\n      c\n     d\n")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("line 5") && e.contains("inconsistent indentation"),
        "{e}"
    );
    let e = MindMap::parse("mindmap\n  root((a\n").unwrap_err().to_string();
    assert!(e.contains("line 2") && e.contains("unclosed shape"), "{e}");
    let e = MindMap::parse("mindmap\n  root((a))\n    \"\"\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 3") && e.contains("empty node text"), "{e}");
    let e = MindMap::parse("mindmap\n  root((a))\n    **b\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 3") && e.contains("unclosed **"), "{e}");
    assert!(MindMap::parse("graph TD\n")
        .unwrap_err()
        .to_string()
        .contains("line 1"));
    let e = MindMap::parse("mindmap\n  root((a))\n  other\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 3") && e.contains("second root"), "{e}");
}
