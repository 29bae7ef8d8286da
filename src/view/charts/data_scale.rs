//! Chapter 1's charts: the data, the learning curves, fit times, the lecture's schematic.

use super::{add_band, curve_source, layout, pct, views_menu, PALETTE};
use crate::data::Dataset;
use crate::lang::{name, Lang};
use crate::view::display::{Figure, Table};
use plotly::common::{Mode, Title};
use plotly::layout::{Axis, Layout};
use plotly::{Bar, Plot, Scatter};

/// How many examples each class of `data` has, as bars.
pub fn class_balance(data: &Dataset) -> Figure {
    Figure::each_language(|l| class_balance_in(data, l))
}

fn class_balance_in(data: &Dataset, l: Lang) -> Figure {
    let counts = data.class_counts();
    let mut plot = Plot::new();
    let dname = name(&data.name, l);
    let classes: Vec<String> = data.class_names.iter().map(|c| name(c, l)).collect();
    plot.add_trace(Bar::new(classes.clone(), counts.clone()).name(l.pick("examples", "样本数")));
    plot.set_layout(layout(
        &match l {
            Lang::En => format!("Class balance of {dname}"),
            Lang::Zh => format!("{dname}的类别分布"),
        },
        l.pick("class", "类别"),
        l.pick("examples (count)", "样本数（个）"),
    ));
    let (min, max) = (
        counts.iter().min().copied().unwrap_or(0),
        counts.iter().max().copied().unwrap_or(0),
    );
    let mut table = Table::new(&[l.pick("class", "类别"), l.pick("examples", "样本数")]);
    for (n, c) in classes.iter().zip(&counts) {
        table.push(vec![n.clone(), crate::text::thousands(*c)]);
    }
    let (n, k) = (crate::text::thousands(data.len()), data.n_classes());
    let (min, max) = (crate::text::thousands(min), crate::text::thousands(max));
    let summary = match l {
        Lang::En => format!(
            "{dname} has {n} examples in {k} classes; the smallest class has {min} and the largest {max}."
        ),
        Lang::Zh => {
            format!("{dname}共有 {n} 个样本，分为 {k} 类；最小的类有 {min} 个，最大的类有 {max} 个。")
        }
    };
    Figure::new(plot, summary).with_table(table)
}

/// The first image of each class of a 28 × 28 image dataset, as inline SVG.
pub fn first_of_each_class(data: &Dataset) -> crate::view::display::Html {
    let side = (data.n_features() as f64).sqrt() as usize;
    crate::view::display::Html(crate::view::display::per_language(|l| {
        let images: Vec<(Vec<f32>, String)> = (0..data.n_classes())
            .filter_map(|k| data.y.iter().position(|&y| y == k))
            .map(|i| (data.x.row(i).to_vec(), name(&data.class_names[data.y[i]], l)))
            .collect();
        crate::view::display::image_strip(&images, side, side).0
    }))
}

/// The lesson's central picture, measured: test accuracy against the number of labelled
/// training examples m (log axis), one line per model with a band of ± one standard deviation
/// over seeds, the best achievable accuracy when known, and the sizes where the two best models
/// differ by no more than the noise (the rule of the claims table) shaded as
/// "ordering unclear".
pub fn scaling(curve: &crate::experiments::LearningCurve) -> Figure {
    Figure::each_language(|l| scaling_in(curve, l)).with_source(curve_source(curve))
}

fn scaling_in(curve: &crate::experiments::LearningCurve, l: Lang) -> Figure {
    use plotly::common::{Line, Marker};
    use plotly::layout::{AxisType, Shape, ShapeLine, ShapeType};
    let points = curve.points();
    let mut plot = Plot::new();
    let mut table = Table::new(&[
        l.pick("model", "模型"),
        "m",
        l.pick("test accuracy (mean)", "测试准确率（均值）"),
        l.pick("± std", "± 标准差"),
        l.pick("seeds", "种子数"),
        l.pick("train accuracy", "训练准确率"),
    ]);
    for (i, model) in curve.models.iter().enumerate() {
        let pts: Vec<&crate::experiments::Point> = points.iter().filter(|p| &p.model == model).collect();
        if pts.is_empty() {
            continue;
        }
        let color = PALETTE[i % PALETTE.len()];
        let shown = name(model, l);
        let m: Vec<f64> = pts.iter().map(|p| p.m as f64).collect();
        let hi: Vec<f64> = pts.iter().map(|p| (p.mean + p.std) * 100.0).collect();
        let lo: Vec<f64> = pts.iter().map(|p| (p.mean - p.std) * 100.0).collect();
        add_band(
            &mut plot,
            &m,
            lo,
            hi,
            color,
            [
                format!("{shown} − {}", l.pick("std", "标准差")),
                format!("{shown} + {}", l.pick("std", "标准差")),
            ],
        );
        plot.add_trace(
            Scatter::new(m, pts.iter().map(|p| p.mean * 100.0).collect())
                .mode(Mode::LinesMarkers)
                .line(Line::new().color(color).width(2.5))
                .marker(Marker::new().color(color).size(7))
                .name(shown.as_str()),
        );
        for p in pts {
            table.push(vec![
                shown.clone(),
                crate::text::thousands(p.m),
                pct(p.mean),
                pct(p.std),
                p.seeds.to_string(),
                pct(p.train_mean),
            ]);
        }
    }
    let (lo_m, hi_m) = (
        *curve.sizes.first().unwrap_or(&1) as f64,
        *curve.sizes.last().unwrap_or(&1) as f64,
    );
    if let Some(c) = curve.ceiling {
        plot.add_trace(
            Scatter::new(vec![lo_m, hi_m], vec![c * 100.0, c * 100.0])
                .mode(Mode::Lines)
                .line(Line::new().color("#333").dash(plotly::common::DashType::Dash))
                .name(l.pick("best possible (Bayes)", "可达最佳（贝叶斯）")),
        );
    }
    let unclear = curve.unclear_sizes();
    let task = name(&curve.task, l);
    let m_axis = l.pick(
        "labelled training examples m (log scale)",
        "标注训练样本数 m（对数坐标）",
    );
    let mut layout = layout(
        &match l {
            Lang::En => format!("Performance vs amount of labelled data: {task}"),
            Lang::Zh => format!("性能与标注数据量的关系：{task}"),
        },
        m_axis,
        l.pick("test accuracy (%)", "测试准确率（%）"),
    );
    layout = layout.x_axis(
        Axis::new()
            .title(Title::with_text(m_axis))
            .type_(AxisType::Log)
            .dtick(1.0),
    );
    let sizes = &curve.sizes;
    for &m in &unclear {
        let i = sizes.iter().position(|&s| s == m).unwrap_or(0);
        let left = if i == 0 {
            m as f64 / 1.3
        } else {
            ((sizes[i - 1] * m) as f64).sqrt()
        };
        let right = if i + 1 == sizes.len() {
            m as f64 * 1.3
        } else {
            ((sizes[i + 1] * m) as f64).sqrt()
        };
        layout.add_shape(
            Shape::new()
                .shape_type(ShapeType::Rect)
                .x_ref("x")
                .y_ref("paper")
                .x0(left)
                .x1(right)
                .y0(0.0)
                .y1(1.0)
                .fill_color("rgba(128,128,128,0.12)")
                .line(ShapeLine::new().width(0.0)),
        );
    }
    if !unclear.is_empty() {
        layout.add_annotation(
            plotly::layout::Annotation::new()
                .text(l.pick("grey: ordering unclear", "灰色：排序不明"))
                .x_ref("paper")
                .y_ref("paper")
                .x(0.0)
                .y(1.06)
                .show_arrow(false),
        );
    }
    // one view per model (its band and line, with the ceiling), and all of them together
    let drawn: Vec<&String> = curve
        .models
        .iter()
        .filter(|m| points.iter().any(|p| &p.model == *m))
        .collect();
    if drawn.len() >= 2 {
        let ceiling = usize::from(curve.ceiling.is_some());
        let visible = |k: Option<usize>| -> Vec<bool> {
            (0..drawn.len())
                .flat_map(|i| [k.is_none() || k == Some(i); 3])
                .chain(std::iter::repeat_n(true, ceiling))
                .collect()
        };
        let mut views = vec![(l.pick("all models", "全部模型").to_string(), visible(None))];
        views.extend(
            drawn
                .iter()
                .enumerate()
                .map(|(i, m)| (name(m, l), visible(Some(i)))),
        );
        layout = layout.update_menus(vec![views_menu(views)]);
    }
    plot.set_layout(layout);
    let best_at_end = curve
        .models
        .iter()
        .filter_map(|mdl| curve.last_point(mdl))
        .filter(|p| p.m == *sizes.last().unwrap_or(&0))
        .max_by(|a, b| a.mean.total_cmp(&b.mean));
    let (n_models, n_sizes) = (curve.models.len(), sizes.len());
    let mut summary = match l {
        Lang::En => format!(
            "Test accuracy of {n_models} models on {task} at {n_sizes} sizes from m = {lo_m} to {hi_m}, averaged over seeds (bands: ± one standard deviation).", lo_m = crate::text::thousands(lo_m as usize), hi_m = crate::text::thousands(hi_m as usize)),
        Lang::Zh => format!(
            "{n_models} 个模型在{task}上的测试准确率，{n_sizes} 个数据量，从 m = {lo_m} 到 {hi_m}，对种子取平均（阴影带：± 一个标准差）。", lo_m = crate::text::thousands(lo_m as usize), hi_m = crate::text::thousands(hi_m as usize)),
    };
    if let Some(b) = best_at_end {
        let (best, acc) = (name(&b.model, l), pct(b.mean));
        summary += &match l {
            Lang::En => format!(" At the largest m the best is {best} with {acc}"),
            Lang::Zh => format!("在最大的 m 处，最好的是{best}，{acc}"),
        };
        let points = curve.points();
        let runner_up = points
            .iter()
            .filter(|p| p.m == b.m && p.model != b.model)
            .max_by(|x, y| x.mean.total_cmp(&y.mean));
        match runner_up {
            Some(r) => {
                let noise = crate::experiments::claims::noise(&[&b, r], curve.test_size);
                let (lead, other, beyond, noise) = (
                    (b.mean - r.mean) * 100.0,
                    name(&r.model, l),
                    b.mean - r.mean > noise,
                    noise * 100.0,
                );
                summary += &match l {
                    Lang::En => format!(
                        ", {lead:.1} points ahead of {other} ({} the noise of {noise:.1} points).",
                        if beyond { "beyond" } else { "inside" }
                    ),
                    Lang::Zh => format!(
                        "，领先{other} {lead:.1} 个百分点（{}误差范围 {noise:.1} 个百分点）。",
                        if beyond { "超出" } else { "未超出" }
                    ),
                };
            }
            None => summary += l.pick(".", "。"),
        }
    }
    if !unclear.is_empty() {
        let u: Vec<String> = unclear.iter().map(|&m| crate::text::thousands(m)).collect();
        let u = u.join(l.pick(", ", "、"));
        summary += &match l {
            Lang::En => format!(
                " The two best models differ by no more than the noise (ordering unclear, grey) at m = {u}."
            ),
            Lang::Zh => format!("在 m = {u} 处，最好的两个模型之差不超过误差范围（排序不明，灰色）。"),
        };
    }
    if let Some(c) = curve.ceiling {
        summary += &match l {
            Lang::En => format!(" The dashed line is the best possible accuracy, {}.", pct(c)),
            Lang::Zh => format!("虚线是可达到的最佳准确率 {}。", pct(c)),
        };
    }
    Figure::new(plot, summary).with_table(table)
}

/// Ng's schematic, drawn from formulas (not data): a traditional learner that rises fast and
/// plateaus, and small, medium and large nets whose curves keep rising, the larger the higher.
pub fn ng_schematic() -> Figure {
    Figure::each_language(ng_schematic_in)
}

fn ng_schematic_in(l: Lang) -> Figure {
    use plotly::common::Line;
    use plotly::layout::AxisType;
    let m: Vec<f64> = (0..=60).map(|i| 10f64.powf(1.0 + i as f64 * 0.08)).collect();
    let curve = |ceiling: f64, scale: f64| -> Vec<f64> {
        m.iter()
            .map(|&x| ceiling * (1.0 - (-(x / scale).powf(0.6)).exp()))
            .collect()
    };
    let series = [
        (
            l.pick("traditional learner (schematic)", "传统算法（示意）"),
            curve(0.62, 40.0),
        ),
        (
            l.pick("small NN (schematic)", "小型神经网络（示意）"),
            curve(0.72, 120.0),
        ),
        (
            l.pick("medium NN (schematic)", "中型神经网络（示意）"),
            curve(0.85, 400.0),
        ),
        (
            l.pick("large NN (schematic)", "大型神经网络（示意）"),
            curve(0.97, 1500.0),
        ),
    ];
    let mut plot = Plot::new();
    for (i, (name, y)) in series.iter().enumerate() {
        plot.add_trace(
            Scatter::new(m.clone(), y.clone())
                .mode(Mode::Lines)
                .line(Line::new().color(PALETTE[i]).width(2.5))
                .name(*name),
        );
    }
    plot.set_layout(
        Layout::new()
            .title(Title::with_text(l.pick(
                "Ng's schematic (drawn, not measured)",
                "吴恩达的示意图（按公式画出，不是测量）",
            )))
            .x_axis(
                Axis::new()
                    .title(Title::with_text(l.pick(
                        "amount of labelled data m (log scale)",
                        "标注数据量 m（对数坐标）",
                    )))
                    .type_(AxisType::Log)
                    .dtick(1.0),
            )
            .y_axis(Axis::new().title(Title::with_text(
                l.pick("performance (arbitrary units)", "性能（任意单位）"),
            ))),
    );
    Figure::new(
        plot,
        l.pick(
            "The shape the lesson describes, drawn from formulas, not measured: a traditional learner rises fast and plateaus; small, medium and large networks keep improving with more data, the larger the higher.",
            "课程描述的曲线形状，按公式画出而不是测量得到：传统算法起初上升很快，随后进入平台期；小型、中型和大型神经网络随数据增多持续提升，网络越大越高。",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve() -> crate::experiments::LearningCurve {
        use crate::experiments::{Outcome, Run, Scores};
        let mut runs = Vec::new();
        for (model, accs) in [
            ("logistic", [0.60, 0.70, 0.71]),
            ("large NN", [0.595, 0.75, 0.85]),
        ] {
            for (i, m) in [100, 1000, 10000].into_iter().enumerate() {
                for seed in 0..2 {
                    let a = accs[i] + seed as f64 * 0.01;
                    runs.push(Run {
                        model: model.into(),
                        m,
                        seed,
                        outcome: Outcome::Ran(Scores {
                            train_accuracy: 1.0,
                            test_accuracy: a,
                            validation_accuracy: None,
                            fit_seconds: 0.1,
                            training: None,
                        }),
                        cached: false,
                    });
                }
            }
        }
        crate::experiments::LearningCurve {
            task: "toy".into(),
            runs,
            ceiling: Some(0.9),
            models: vec!["logistic".into(), "large NN".into()],
            sizes: vec![100, 1000, 10000],
            test_size: 10_000,
        }
    }

    #[test]
    fn scaling_chart_has_log_axis_bands_ceiling_and_unclear_region() {
        let c = curve();
        let f = scaling(&c);
        let v: serde_json::Value = serde_json::from_str(&f.to_json()).unwrap();
        assert_eq!(v["layout"]["xaxis"]["type"], "log");
        let data = v["data"].as_array().unwrap();
        assert_eq!(
            data.len(),
            2 * 3 + 1,
            "band low, band high, mean per model, plus the ceiling"
        );
        assert_eq!(data[1]["fill"], "tonexty");
        assert_eq!(data[6]["y"], serde_json::json!([90.0, 90.0]));
        assert_eq!(
            c.unclear_sizes(),
            vec![100],
            "bands overlap only at the smallest m"
        );
        assert_eq!(v["layout"]["shapes"].as_array().unwrap().len(), 1);
        assert!(f.summary.contains("large NN with 85.5%"), "{}", f.summary);
        assert_eq!(f.table.as_ref().unwrap().rows.len(), 6);
        // a dropdown: all models, then each model alone (its band and line) with the ceiling
        let buttons = v["layout"]["updatemenus"][0]["buttons"].as_array().unwrap();
        assert_eq!(buttons.len(), 3);
        assert_eq!(buttons[2]["label"], "large NN");
        let only_large = &buttons[2]["args"][0]["visible"];
        assert_eq!(
            only_large,
            &serde_json::json!([false, false, false, true, true, true, true])
        );
        // where the numbers came from: seeds 0 and 1, twelve runs, none cached
        let src = f.source.as_ref().unwrap();
        assert_eq!((src.seeds.clone(), src.runs, src.cached), (vec![0, 1], 12, 0));
        assert!(f
            .to_html()
            .contains("data-seeds=\"0,1\" data-runs=\"12\" data-cached=\"0\""));
    }

    #[test]
    fn claims_are_checked_against_the_numbers() {
        let claims = curve().check_claims(&["logistic"], &["large NN"]).unwrap();
        let verdicts: Vec<_> = claims.iter().map(|c| c.verdict.clone()).collect();
        use crate::experiments::Verdict::Holds;
        // flattens, beats, passes, ordering unclear at the smallest m
        assert_eq!(verdicts, vec![Holds, Holds, Holds, Holds], "{claims:?}");
        assert!(claims[0].evidence.en.contains("+1.0 points"), "{claims:?}");
    }
}
