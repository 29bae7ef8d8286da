//! Display glue: a [`Figure`] is a plotly [`Plot`] with the text a reader needs beside it
//! (a one- or two-sentence summary and, where it helps, the numbers as a table).
//!
//! Ending a notebook cell with a `Figure` (or calling [`Figure::show`]) prints one output holding
//! two MIME types: `application/vnd.plotly.v1+json`, drawn by JupyterLab's plotly renderer, and
//! `text/html`, a `<div>` with a fixed id plus a `Plotly.newPlot` call, drawn in the static pages
//! (which load `plotly.js` once per page). The HTML is a pure function of the figure, so outputs
//! are identical from one run to the next.

use plotly::Plot;
use sha2::{Digest, Sha256};

/// A chart plus its text alternative. Chart functions in [`crate::view::charts`] return these.
#[derive(Clone)]
pub struct Figure {
    /// The plotly figure in the first chosen language; to change every language's plot before
    /// showing, use [`Figure::update_plots`].
    pub plot: Plot,
    /// What the chart shows, in one or two sentences, printed under it.
    pub summary: String,
    /// The chart's numbers as a table (header row, then data rows), shown under the chart.
    pub table: Option<Table>,
    /// The language of this figure's words, when it was built per language ([`Figure::each_language`]).
    pub lang: Option<crate::lang::Lang>,
    /// The same figure in the other chosen languages (same numbers, other words).
    pub translations: Vec<Figure>,
    /// Where the numbers came from (seeds, runs, cache), when the chart knows.
    pub source: Option<Source>,
}

/// Where a figure's numbers came from, as far as the chart knows: the seeds its runs used and how
/// many of its runs were read from the experiment cache. The static pages add the profile, the
/// crate's commit, the date and the machine, in a caption under the chart and in `render.json`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Source {
    pub seeds: Vec<u64>,
    /// Runs behind the figure (0 when it does not count them).
    pub runs: usize,
    /// Of those, how many came from the cache.
    pub cached: usize,
}

/// A small table of numbers, shown under a chart for readers who cannot see the plot.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with the given column names and no rows yet.
    pub fn new(header: &[&str]) -> Table {
        Table {
            header: header.iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends one row.
    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    /// The table as an HTML `<table>`.
    pub fn to_html(&self) -> String {
        self.to_html_with_badges(usize::MAX, &[])
    }

    /// The table as HTML with the cells of column `column` in badges: row i's cell in a
    /// `<span class="takeoff-badge {classes[i]}">` (the pages style the classes).
    pub fn to_html_with_badges(&self, column: usize, classes: &[&str]) -> String {
        let mut s = String::from("<table class=\"takeoff-table\"><thead><tr>");
        for h in &self.header {
            s += &format!("<th>{}</th>", escape(h));
        }
        s += "</tr></thead><tbody>";
        for (i, row) in self.rows.iter().enumerate() {
            s += "<tr>";
            for (j, c) in row.iter().enumerate() {
                match classes.get(i).filter(|_| j == column) {
                    Some(class) => {
                        s += &format!(
                            "<td><span class=\"takeoff-badge {class}\">{}</span></td>",
                            escape(c)
                        )
                    }
                    None => s += &format!("<td>{}</td>", escape(c)),
                }
            }
            s += "</tr>";
        }
        s + "</tbody></table>"
    }
}

impl Figure {
    /// A figure with a summary and no table.
    pub fn new(plot: Plot, summary: impl Into<String>) -> Figure {
        Figure {
            plot,
            summary: summary.into(),
            table: None,
            lang: None,
            translations: Vec::new(),
            source: None,
        }
    }

    /// Records where the numbers came from (see [`Source`]), in every language.
    pub fn with_source(mut self, source: Source) -> Figure {
        for t in &mut self.translations {
            t.source = Some(source.clone());
        }
        self.source = Some(source);
        self
    }

    /// The figure in every chosen language ([`crate::lang::languages`]): `build` makes it in one,
    /// from the same numbers. The first language's figure is the value's own `plot`, `summary`
    /// and `table`; the others travel with it and show in the HTML, one block each.
    pub fn each_language(build: impl Fn(crate::lang::Lang) -> Figure) -> Figure {
        let mut figures: Vec<Figure> = crate::lang::languages()
            .into_iter()
            .map(|l| {
                let mut f = build(l);
                f.lang = Some(l);
                if l == crate::lang::Lang::Zh {
                    f.summary = crate::lang::spaced(&f.summary);
                    if let Some(t) = &mut f.table {
                        t.rows
                            .iter_mut()
                            .flatten()
                            .for_each(|c| *c = crate::lang::spaced(c));
                    }
                }
                f
            })
            .collect();
        let mut first = figures.remove(0);
        first.translations = figures;
        first
    }

    /// This figure and its translations.
    pub fn all_languages(&self) -> impl Iterator<Item = &Figure> {
        std::iter::once(self).chain(self.translations.iter())
    }

    /// Applies `change` to the plot in every language (a remix: `fig.update_plots(|p| …)`).
    pub fn update_plots(mut self, change: impl Fn(&mut Plot)) -> Figure {
        change(&mut self.plot);
        for t in &mut self.translations {
            change(&mut t.plot);
        }
        self
    }

    /// Adds the numbers behind the chart.
    pub fn with_table(mut self, table: Table) -> Figure {
        self.table = Some(table);
        self
    }

    /// The plotly JSON (`{"data": …, "layout": …, "config": …}`).
    pub fn to_json(&self) -> String {
        self.plot.to_json()
    }

    /// A deterministic element id, derived from the figure's content.
    pub fn id(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.to_json().as_bytes());
        h.update(self.summary.as_bytes());
        let d = h.finalize();
        let hex: String = d.iter().take(6).map(|b| format!("{b:02x}")).collect();
        format!("takeoff-chart-{hex}")
    }

    /// The static-page HTML: the chart's `<div>`, the `Plotly.newPlot` call, the summary and the table,
    /// once per language (each in its `takeoff-lang` block). `Plotly` itself must be provided once by the page.
    pub fn to_html(&self) -> String {
        match self.lang {
            None => self.one_html(),
            Some(_) => self
                .all_languages()
                .map(|f| crate::view::display::block(f.lang.unwrap_or(crate::lang::Lang::En), &f.one_html()))
                .collect(),
        }
    }

    fn one_html(&self) -> String {
        let en = crate::lang::Lang::En;
        let numbers = self
            .lang
            .unwrap_or(en)
            .pick("The numbers behind this chart", "图中的数据");
        let json = self.to_json().replace("</", "<\\/");
        let id = self.id();
        let data = match &self.source {
            Some(src) => {
                let seeds: Vec<String> = src.seeds.iter().map(|s| s.to_string()).collect();
                format!(
                    " data-seeds=\"{}\" data-runs=\"{}\" data-cached=\"{}\"",
                    seeds.join(","),
                    src.runs,
                    src.cached
                )
            }
            None => String::new(),
        };
        let mut s = format!(
            "<figure class=\"takeoff-figure\"{data} role=\"group\" aria-label=\"{aria}\">\
<div id=\"{id}\" class=\"takeoff-chart\" style=\"width:100%;min-height:450px\"></div>\
<script type=\"text/javascript\">(function(){{var f={json};\
Plotly.newPlot(document.getElementById(\"{id}\"),f.data,f.layout,Object.assign({{responsive:true}},f.config||{{}}));}})();</script>\
<figcaption class=\"takeoff-summary\">{summary}</figcaption>",
            aria = escape(&self.summary),
            summary = escape(&self.summary),
        );
        if let Some(t) = &self.table {
            s += &format!("<details class=\"takeoff-data\"><summary>{numbers}</summary>");
            s += &t.to_html();
            s += "</details>";
        }
        s + "</figure>"
    }

    /// Plain-text form: the summary in each language (what a terminal or a screen reader gets).
    pub fn to_text(&self) -> String {
        let s: Vec<&str> = self.all_languages().map(|f| f.summary.as_str()).collect();
        s.join("\n")
    }

    /// The evcxr envelope: both MIME types in one output.
    pub fn to_evcxr(&self) -> String {
        format!(
            "EVCXR_BEGIN_CONTENT application/vnd.plotly.v1+json\n{}\nEVCXR_END_CONTENT\n\
EVCXR_BEGIN_CONTENT text/html\n{}\nEVCXR_END_CONTENT\n\
EVCXR_BEGIN_CONTENT text/plain\n{}\nEVCXR_END_CONTENT\n",
            self.to_json(),
            self.to_html(),
            self.to_text()
        )
    }

    /// Called by evcxr when a cell ends with a `Figure`.
    pub fn evcxr_display(&self) {
        print!("{}", self.to_evcxr());
    }

    /// Shows the figure now. evcxr keeps one output per MIME type in a cell (the last), so a
    /// cell shows one figure: end the cell with it, or give each figure its own cell.
    pub fn show(&self) {
        self.evcxr_display();
    }
}

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Raw HTML (an SVG, a table) shown as a cell's output.
#[derive(Clone, Debug)]
pub struct Html(pub String);

impl Html {
    /// Called by evcxr when a cell ends with an `Html`.
    pub fn evcxr_display(&self) {
        println!("EVCXR_BEGIN_CONTENT text/html\n{}\nEVCXR_END_CONTENT", self.0);
    }
}

pub use crate::text::ratio;

/// The lines of `source` between `// ANCHOR: name` and `// ANCHOR_END: name`, de-indented, as
/// a code block (the markers are those of mdBook, as plotly.rs's book uses them). An error when
/// the markers are missing.
pub fn source_excerpt(source: &str, name: &str) -> crate::Result<Html> {
    let (start, end) = (format!("// ANCHOR: {name}"), format!("// ANCHOR_END: {name}"));
    let lines: Vec<&str> = source.lines().collect();
    let from = lines.iter().position(|l| l.trim() == start);
    let to = lines.iter().position(|l| l.trim() == end);
    let (Some(from), Some(to)) = (from, to) else {
        return Err(crate::TakeoffError::invalid(
            "source excerpt",
            name.to_string(),
            "a name marked by // ANCHOR: name and // ANCHOR_END: name in the source",
        ));
    };
    let body = &lines[from + 1..to.max(from + 1)];
    let indent = body
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let text: Vec<&str> = body.iter().map(|l| l.get(indent..).unwrap_or("")).collect();
    Ok(Html(format!(
        "<pre class=\"source-excerpt\"><code class=\"language-rust\">{}</code></pre>",
        escape(&text.join("\n"))
    )))
}

/// A row of grey images (values in [0, 1], `rows × cols` each) as an inline SVG with captions.
pub fn image_strip(images: &[(Vec<f32>, String)], rows: usize, cols: usize) -> Html {
    let px = 3;
    let (w, h) = (cols * px, rows * px);
    let mut s = String::from("<div class=\"takeoff-images\" style=\"display:flex;flex-wrap:wrap;gap:10px\">");
    for (pixels, caption) in images {
        s += &format!(
            "<figure style=\"margin:0;text-align:center\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{c}\">",
            c = escape(caption)
        );
        for (i, &v) in pixels.iter().enumerate() {
            let g = 255 - (v.clamp(0.0, 1.0) * 255.0) as u8;
            if g < 250 {
                s += &format!(
                    "<rect x=\"{}\" y=\"{}\" width=\"{px}\" height=\"{px}\" fill=\"rgb({g},{g},{g})\"/>",
                    (i % cols) * px,
                    (i / cols) * px
                );
            }
        }
        s += &format!(
            "</svg><figcaption style=\"font-size:.8rem\">{}</figcaption></figure>",
            escape(caption)
        );
    }
    Html(s + "</div>")
}

/// One HTML block per language now chosen, each `<div class="takeoff-lang" lang="…">`;
/// `f` writes the block's content in its language. With one language, its block alone.
pub fn per_language(f: impl Fn(crate::lang::Lang) -> String) -> String {
    crate::lang::languages()
        .into_iter()
        .map(|l| match l {
            crate::lang::Lang::Zh => block(l, &crate::lang::spaced(&f(l))),
            crate::lang::Lang::En => block(l, &f(l)),
        })
        .collect()
}

/// `html` inside the block of language `l`.
pub fn block(l: crate::lang::Lang, html: &str) -> String {
    format!("<div class=\"takeoff-lang\" lang=\"{}\">{html}</div>", l.code())
}

impl crate::lang::Text {
    /// The message as HTML, one block per chosen language (escaped).
    pub fn to_html(&self) -> String {
        per_language(|l| format!("<p>{}</p>", escape(self.get(l))))
    }

    /// Called by evcxr when a cell ends with a `Text`: the chosen languages as HTML and as plain text.
    pub fn evcxr_display(&self) {
        println!(
            "EVCXR_BEGIN_CONTENT text/html\n{}\nEVCXR_END_CONTENT\nEVCXR_BEGIN_CONTENT text/plain\n{}\nEVCXR_END_CONTENT",
            self.to_html(),
            self
        );
    }
}

/// A data set in one sentence per language: its name, rows, features and classes, the counts
/// with thousands separators ("moons: 1,200 rows, 2 features, 2 classes (class 0, class 1)").
pub fn describe(data: &crate::data::Dataset) -> crate::lang::Text {
    use crate::lang::{name, Lang};
    use crate::text::thousands;
    let (rows, features, k) = (
        thousands(data.len()),
        thousands(data.n_features()),
        data.n_classes(),
    );
    let classes = |l: Lang| {
        let names: Vec<String> = data.class_names.iter().map(|c| name(c, l)).collect();
        names.join(l.pick(", ", "、"))
    };
    crate::lang::Text::new(
        format!(
            "{}: {rows} rows, {features} features, {k} classes ({})",
            data.name,
            classes(Lang::En)
        ),
        format!(
            "{}：{rows} 行，{features} 个特征，{k} 个类别（{}）",
            name(&data.name, Lang::Zh),
            classes(Lang::Zh)
        ),
    )
}

/// Fashion-MNIST's two parts in one sentence per language ("train: 60,000 images × 784 pixels,
/// test: 10,000 images").
pub fn describe_fashion(fashion: &crate::data::FashionMnist) -> crate::lang::Text {
    use crate::text::thousands;
    let (n, d, t) = (
        thousands(fashion.train.len()),
        thousands(fashion.train.n_features()),
        thousands(fashion.test.len()),
    );
    crate::lang::Text::new(
        format!("train: {n} images × {d} pixels, test: {t} images"),
        format!("训练集：{n} 张图像 × {d} 个像素，测试集：{t} 张图像"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotly::Scatter;

    fn fig() -> Figure {
        let mut p = Plot::new();
        p.add_trace(Scatter::new(vec![1.0, 2.0], vec![3.0, 4.0]).name("a</script>"));
        Figure::new(p, "Two points <rising>.")
    }

    #[test]
    fn html_has_fixed_id_and_newplot_and_escapes() {
        let f = fig();
        let h = f.to_html();
        assert_eq!(f.id(), fig().id(), "id must be deterministic");
        assert!(h.contains(&format!("id=\"{}\"", f.id())));
        assert!(h.contains("Plotly.newPlot"));
        assert!(!h.contains("a</script>"), "JSON must not close the script tag");
        assert!(h.contains("Two points &lt;rising&gt;."));
    }

    #[test]
    fn evcxr_output_has_both_mime_types() {
        let s = fig().to_evcxr();
        assert!(s.contains("EVCXR_BEGIN_CONTENT application/vnd.plotly.v1+json\n{"));
        assert!(s.contains("EVCXR_BEGIN_CONTENT text/html\n<figure"));
    }

    #[test]
    fn table_renders_rows() {
        let mut t = Table::new(&["m", "accuracy"]);
        t.push(vec!["100".into(), "0.5".into()]);
        let h = fig().with_table(t).to_html();
        assert!(h.contains("<th>m</th>") && h.contains("<td>100</td>"));
    }
}

#[cfg(test)]
mod excerpt_tests {
    use super::*;

    #[test]
    fn ratios_have_two_significant_figures() {
        assert_eq!(ratio(0.45), "0.45×");
        assert_eq!(ratio(1.49), "1.5×");
        assert_eq!(ratio(12.3), "12×");
        assert_eq!(ratio(123.0), "123×");
        assert_eq!(ratio(0.996), "1.0×");
        assert_eq!(ratio(9.96), "10×");
    }

    #[test]
    fn the_backward_pass_excerpt_is_the_trainers_code() {
        let html = source_excerpt(crate::models::mlp::SOURCE, "backward").unwrap().0;
        assert!(
            html.contains("times_derivative") && html.contains("d_a ⊙ g'(z)"),
            "{html}"
        );
        assert!(html.starts_with("<pre") && !html.contains("ANCHOR"));
        assert!(source_excerpt("fn x() {}", "backward").is_err());
    }
}

#[cfg(test)]
mod describe_tests {
    use crate::lang::{with_languages, Lang};

    /// A data set reads as a sentence in each language, counts with separators, no debug text.
    #[test]
    fn a_data_set_is_described_in_words() {
        let data = crate::data::moons(600, 0.3, 0).unwrap();
        let t = super::describe(&data);
        assert!(
            t.en.contains("moons: 1,200 rows, 2 features, 2 classes (class 0, class 1)"),
            "{}",
            t.en
        );
        assert!(
            t.zh.contains("双月数据：1,200 行，2 个特征，2 个类别（类别 0、类别 1）"),
            "{}",
            t.zh
        );
        assert!(!t.en.contains('[') && !t.zh.contains('"'), "{t:?}");
        let shown = with_languages(&[Lang::Zh], || t.to_string());
        assert_eq!(shown, t.zh);
    }
}
