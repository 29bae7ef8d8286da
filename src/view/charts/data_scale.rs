//! Chapter 1's charts: the data, the learning curves, fit times, the lecture's schematic.

use super::{add_band, layout, pct, PALETTE};
use crate::data::Dataset;
use crate::display::{Figure, Table};
use plotly::common::{Mode, Title};
use plotly::layout::{Axis, Layout};
use plotly::{Bar, Plot, Scatter};

/// How many examples each class of `data` has, as bars.
pub fn class_balance(data: &Dataset) -> Figure {
    let counts = data.class_counts();
    let mut plot = Plot::new();
    plot.add_trace(Bar::new(data.class_names.clone(), counts.clone()).name("examples"));
    plot.set_layout(layout(
        &format!("Class balance of {}", data.name),
        "class",
        "examples (count)",
    ));
    let (min, max) = (
        counts.iter().min().copied().unwrap_or(0),
        counts.iter().max().copied().unwrap_or(0),
    );
    let mut table = Table::new(&["class", "examples"]);
    for (n, c) in data.class_names.iter().zip(&counts) {
        table.push(vec![n.clone(), c.to_string()]);
    }
    Figure::new(
        plot,
        format!(
            "{} has {} examples in {} classes; the smallest class has {min} and the largest {max}.",
            data.name,
            data.len(),
            data.n_classes()
        ),
    )
    .with_table(table)
}

/// The first image of each class of a 28 × 28 image dataset, as inline SVG.
pub fn first_of_each_class(data: &Dataset) -> crate::display::Html {
    let side = (data.n_features() as f64).sqrt() as usize;
    let images: Vec<(Vec<f32>, String)> = (0..data.n_classes())
        .filter_map(|k| data.y.iter().position(|&y| y == k))
        .map(|i| (data.x.row(i).to_vec(), data.class_names[data.y[i]].clone()))
        .collect();
    crate::display::image_strip(&images, side, side)
}

/// The lesson's central picture, measured: test accuracy against the number of labelled
/// training examples m (log axis), one line per model with a band of ± one standard deviation
/// over seeds, the best achievable accuracy when known, and the sizes where the two best models
/// differ by no more than the noise (the rule of the claims table) shaded as
/// "ordering unclear".
pub fn scaling(curve: &crate::experiments::LearningCurve) -> Figure {
    use plotly::common::{Line, Marker};
    use plotly::layout::{AxisType, Shape, ShapeLine, ShapeType};
    let points = curve.points();
    let mut plot = Plot::new();
    let mut table = Table::new(&[
        "model",
        "m",
        "test accuracy (mean)",
        "± std",
        "seeds",
        "train accuracy",
    ]);
    for (i, model) in curve.models.iter().enumerate() {
        let pts: Vec<&crate::experiments::Point> = points.iter().filter(|p| &p.model == model).collect();
        if pts.is_empty() {
            continue;
        }
        let color = PALETTE[i % PALETTE.len()];
        let m: Vec<f64> = pts.iter().map(|p| p.m as f64).collect();
        let hi: Vec<f64> = pts.iter().map(|p| (p.mean + p.std) * 100.0).collect();
        let lo: Vec<f64> = pts.iter().map(|p| (p.mean - p.std) * 100.0).collect();
        add_band(
            &mut plot,
            &m,
            lo,
            hi,
            color,
            [format!("{model} − std"), format!("{model} + std")],
        );
        plot.add_trace(
            Scatter::new(m, pts.iter().map(|p| p.mean * 100.0).collect())
                .mode(Mode::LinesMarkers)
                .line(Line::new().color(color).width(2.5))
                .marker(Marker::new().color(color).size(7))
                .name(model.as_str()),
        );
        for p in pts {
            table.push(vec![
                model.clone(),
                p.m.to_string(),
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
                .name("best possible (Bayes)"),
        );
    }
    let unclear = curve.unclear_sizes();
    let mut layout = layout(
        &format!("Performance vs amount of labelled data: {}", curve.task),
        "labelled training examples m (log scale)",
        "test accuracy (%)",
    );
    layout = layout.x_axis(
        Axis::new()
            .title(Title::with_text("labelled training examples m (log scale)"))
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
                .text("grey: ordering unclear")
                .x_ref("paper")
                .y_ref("paper")
                .x(0.0)
                .y(1.06)
                .show_arrow(false),
        );
    }
    plot.set_layout(layout);
    let best_at_end = curve
        .models
        .iter()
        .filter_map(|mdl| curve.last_point(mdl))
        .filter(|p| p.m == *sizes.last().unwrap_or(&0))
        .max_by(|a, b| a.mean.total_cmp(&b.mean));
    let mut summary = format!(
        "Test accuracy of {} models on {} at {} sizes from m = {} to {}, averaged over seeds (bands: ± one standard deviation).",
        curve.models.len(),
        curve.task,
        sizes.len(),
        lo_m,
        hi_m
    );
    if let Some(b) = best_at_end {
        summary += &format!(" At the largest m the best is {} with {}", b.model, pct(b.mean));
        let points = curve.points();
        let runner_up = points
            .iter()
            .filter(|p| p.m == b.m && p.model != b.model)
            .max_by(|x, y| x.mean.total_cmp(&y.mean));
        match runner_up {
            Some(r) => {
                let noise = crate::experiments::claims::noise(&[&b, r], curve.test_size);
                summary += &format!(
                    ", {:.1} points ahead of {} ({} the noise of {:.1} points).",
                    (b.mean - r.mean) * 100.0,
                    r.model,
                    if b.mean - r.mean > noise {
                        "beyond"
                    } else {
                        "inside"
                    },
                    noise * 100.0
                );
            }
            None => summary += ".",
        }
    }
    if !unclear.is_empty() {
        let u: Vec<String> = unclear.iter().map(|m| m.to_string()).collect();
        summary += &format!(
            " The two best models differ by no more than the noise (ordering unclear, grey) at m = {}.",
            u.join(", ")
        );
    }
    if let Some(c) = curve.ceiling {
        summary += &format!(" The dashed line is the best possible accuracy, {}.", pct(c));
    }
    Figure::new(plot, summary).with_table(table)
}

/// Fit time against m for each model (both axes log): the cost side of the scaling chart.
pub fn fit_time(curve: &crate::experiments::LearningCurve) -> Figure {
    use plotly::common::Line;
    use plotly::layout::AxisType;
    let points = curve.points();
    let mut plot = Plot::new();
    let mut table = Table::new(&["model", "m", "fit + scoring time (s)"]);
    for (i, model) in curve.models.iter().enumerate() {
        let pts: Vec<_> = points.iter().filter(|p| &p.model == model).collect();
        if pts.is_empty() {
            continue;
        }
        plot.add_trace(
            Scatter::new(
                pts.iter().map(|p| p.m as f64).collect(),
                pts.iter().map(|p| p.seconds_mean.max(1e-4)).collect(),
            )
            .mode(Mode::LinesMarkers)
            .line(Line::new().color(PALETTE[i % PALETTE.len()]))
            .name(model.as_str()),
        );
        for p in pts {
            table.push(vec![
                model.clone(),
                p.m.to_string(),
                format!("{:.3}", p.seconds_mean),
            ]);
        }
    }
    let layout = Layout::new()
        .title(Title::with_text(format!(
            "Fit time vs m: {} (measured on this machine)",
            curve.task
        )))
        .x_axis(
            Axis::new()
                .title(Title::with_text("labelled training examples m (log scale)"))
                .type_(AxisType::Log)
                .dtick(1.0),
        )
        .y_axis(
            Axis::new()
                .title(Title::with_text("fit + scoring time (s, log scale)"))
                .type_(AxisType::Log)
                .dtick(1.0),
        );
    plot.set_layout(layout);
    let slowest = points
        .iter()
        .max_by(|a, b| a.seconds_mean.total_cmp(&b.seconds_mean));
    let summary = match slowest {
        Some(p) => format!(
            "Wall time of each fit (plus scoring) against m, on this machine; the slowest is {} at m = {} with {:.1} s. Timings vary from run to run.",
            p.model, p.m, p.seconds_mean
        ),
        None => "No run finished.".to_string(),
    };
    Figure::new(plot, summary).with_table(table)
}

/// Ng's schematic, drawn from formulas (not data): a traditional learner that rises fast and
/// plateaus, and small, medium and large nets whose curves keep rising, the larger the higher.
pub fn ng_schematic() -> Figure {
    use plotly::common::Line;
    use plotly::layout::AxisType;
    let m: Vec<f64> = (0..=60).map(|i| 10f64.powf(1.0 + i as f64 * 0.08)).collect();
    let curve = |ceiling: f64, scale: f64| -> Vec<f64> {
        m.iter()
            .map(|&x| ceiling * (1.0 - (-(x / scale).powf(0.6)).exp()))
            .collect()
    };
    let series = [
        ("traditional learner (schematic)", curve(0.62, 40.0)),
        ("small NN (schematic)", curve(0.72, 120.0)),
        ("medium NN (schematic)", curve(0.85, 400.0)),
        ("large NN (schematic)", curve(0.97, 1500.0)),
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
            .title(Title::with_text("Ng's schematic (drawn, not measured)"))
            .x_axis(
                Axis::new()
                    .title(Title::with_text("amount of labelled data m (log scale)"))
                    .type_(AxisType::Log)
                    .dtick(1.0),
            )
            .y_axis(Axis::new().title(Title::with_text("performance (arbitrary units)"))),
    );
    Figure::new(
        plot,
        "The shape the lesson describes, drawn from formulas, not measured: a traditional learner rises fast and plateaus; small, medium and large networks keep improving with more data, the larger the higher.",
    )
}

/// Test accuracy against the seconds each fit took, from a learning curve: what a time budget buys.
pub fn accuracy_vs_time(curve: &crate::experiments::LearningCurve) -> Figure {
    use plotly::common::Line;
    use plotly::layout::AxisType;
    let mut plot = Plot::new();
    let mut table = Table::new(&["model", "m", "seconds", "test accuracy"]);
    for (i, model) in curve.models.iter().enumerate() {
        let pts: Vec<_> = curve.points().into_iter().filter(|p| &p.model == model).collect();
        if pts.is_empty() {
            continue;
        }
        for p in &pts {
            table.push(vec![
                model.clone(),
                p.m.to_string(),
                format!("{:.2}", p.seconds_mean),
                pct(p.mean),
            ]);
        }
        plot.add_trace(
            Scatter::new(
                pts.iter().map(|p| p.seconds_mean.max(1e-3)).collect(),
                pts.iter().map(|p| p.mean * 100.0).collect(),
            )
            .mode(Mode::LinesMarkers)
            .line(Line::new().color(PALETTE[i % PALETTE.len()]))
            .name(model.as_str()),
        );
    }
    plot.set_layout(
        Layout::new()
            .title(Title::with_text(format!(
                "What a time budget buys: {}",
                curve.task
            )))
            .x_axis(
                Axis::new()
                    .title(Title::with_text(
                        "fit + scoring time (s, log scale, this machine)",
                    ))
                    .type_(AxisType::Log)
                    .dtick(1.0),
            )
            .y_axis(Axis::new().title(Title::with_text("test accuracy (%)"))),
    );
    Figure::new(
        plot,
        "The learning-curve runs re-plotted as accuracy against the time each took: reading across at a fixed time shows which model and data size that much compute buys.",
    )
    .with_table(table)
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
                            fit_seconds: 0.1,
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
        assert!(f.summary.contains("large NN with 85.5 %"), "{}", f.summary);
        assert_eq!(f.table.as_ref().unwrap().rows.len(), 6);
    }

    #[test]
    fn claims_are_checked_against_the_numbers() {
        let claims = curve().check_claims(&["logistic"], &["large NN"]).unwrap();
        let verdicts: Vec<_> = claims.iter().map(|c| c.verdict.clone()).collect();
        use crate::experiments::Verdict::Holds;
        assert_eq!(verdicts, vec![Holds, Holds, Holds], "{claims:?}");
        assert!(claims[0].evidence.contains("+1.0 points"), "{claims:?}");
    }
}
