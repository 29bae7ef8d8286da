//! Plotly figures for the lesson. Each function returns a [`Figure`] (a `Plot` plus its text
//! summary and data table) and never shows it; tests check the JSON.

use crate::data::Dataset;
use crate::display::{Figure, Table};
use plotly::common::{Mode, Title};
use plotly::layout::{Axis, Layout};
use plotly::{Bar, Plot, Scatter};

/// A layout with a title and named axes (units in the names).
/// An axis that counts (layers, epochs): ticks on whole numbers only, at most about ten of them.
pub fn counting_axis(title: &str, max: usize) -> Axis {
    Axis::new()
        .title(Title::with_text(title))
        .tick0(1.0)
        .dtick(max.div_ceil(10).max(1) as f64)
}

pub fn layout(title: &str, x: &str, y: &str) -> Layout {
    Layout::new()
        .title(Title::with_text(title))
        .x_axis(Axis::new().title(Title::with_text(x)))
        .y_axis(Axis::new().title(Title::with_text(y)))
}

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

/// Sigmoid, tanh and ReLU with their derivatives on z ∈ [-6, 6], drawn from the trainer's own
/// [`Activation::apply`](crate::mlp::Activation::apply) and
/// [`Activation::derivative_from_output`](crate::mlp::Activation::derivative_from_output).
pub fn activations() -> Figure {
    let z: Vec<f64> = (0..=240).map(|i| -6.0 + i as f64 * 0.05).collect();
    use crate::mlp::Activation::{Relu, Sigmoid, Tanh};
    // g and g' exactly as the trainer computes them: g'(z) from the output a = g(z)
    let g = |act: crate::mlp::Activation| move |v: f64| act.apply(v);
    let d = |act: crate::mlp::Activation| move |v: f64| act.derivative_from_output(act.apply(v));
    type Curve = (&'static str, Box<dyn Fn(f64) -> f64>);
    let curves: [Curve; 6] = [
        ("sigmoid σ(z)", Box::new(g(Sigmoid))),
        ("σ'(z) = σ(1−σ), at most 0.25", Box::new(d(Sigmoid))),
        ("tanh(z)", Box::new(g(Tanh))),
        ("tanh'(z) = 1 − tanh², at most 1", Box::new(d(Tanh))),
        ("ReLU max(0, z)", Box::new(g(Relu))),
        ("ReLU'(z) ∈ {0, 1}", Box::new(d(Relu))),
    ];
    let mut plot = Plot::new();
    let mut table = Table::new(&["z", "σ'(z)", "tanh'(z)", "ReLU'(z)"]);
    for zz in [-6.0, -3.0, -1.0, 0.0, 1.0, 3.0, 6.0] {
        table.push(
            [zz, curves[1].1(zz), curves[3].1(zz), curves[5].1(zz)]
                .iter()
                .map(|v| format!("{v:.4}"))
                .collect(),
        );
    }
    for (name, f) in curves.iter() {
        let y: Vec<f64> = z.iter().map(|&v| f(v)).collect();
        plot.add_trace(Scatter::new(z.clone(), y).mode(Mode::Lines).name(*name));
    }
    // ReLU grows without bound: clip the view so the derivatives stay readable.
    plot.set_layout(
        layout("Activations and their derivatives", "pre-activation z", "value").y_axis(
            Axis::new()
                .title(Title::with_text("value"))
                .range(vec![-1.1, 1.6]),
        ),
    );
    Figure::new(
        plot,
        "Sigmoid's derivative peaks at 0.25 and vanishes at both ends; tanh's peaks at 1 and also vanishes; \
ReLU's is exactly 1 for every z > 0.",
    )
    .with_table(table)
}

// ---------------------------------------------------------------- data scale

const PALETTE: [&str; 8] = [
    "#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#eeca3b", "#9d755d",
];

fn rgba(hex: &str, alpha: f64) -> String {
    let v = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0);
    format!("rgba({},{},{},{alpha})", v(1), v(3), v(5))
}

fn pct(v: f64) -> String {
    format!("{:.1} %", v * 100.0)
}

/// A shaded band between `lo` and `hi` (two borderless traces, the upper one filled down to the
/// lower), in `color` at 20 % opacity, left out of the legend; `names` label the two edges.
fn add_band(plot: &mut Plot, x: &[f64], lo: Vec<f64>, hi: Vec<f64>, color: &'static str, names: [String; 2]) {
    use plotly::common::{Fill, Line};
    let [lo_name, hi_name] = names;
    plot.add_trace(
        Scatter::new(x.to_vec(), lo)
            .mode(Mode::Lines)
            .line(Line::new().width(0.0).color(color))
            .show_legend(false)
            .name(lo_name),
    );
    plot.add_trace(
        Scatter::new(x.to_vec(), hi)
            .mode(Mode::Lines)
            .line(Line::new().width(0.0).color(color))
            .fill(Fill::ToNextY)
            .fill_color(rgba(color, 0.2))
            .show_legend(false)
            .name(hi_name),
    );
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

// ---------------------------------------------------------------- algorithms

/// Gradient norm of each layer (first layer first, log scale), one line per labelled net.
pub fn gradient_norms(nets: &[(String, Vec<f64>)]) -> Figure {
    use plotly::layout::AxisType;
    let mut plot = Plot::new();
    let mut table = Table::new(&["net", "layer", "‖∂loss/∂W‖"]);
    for (i, (name, norms)) in nets.iter().enumerate() {
        plot.add_trace(
            Scatter::new((1..=norms.len()).collect::<Vec<_>>(), norms.clone())
                .mode(Mode::LinesMarkers)
                .line(plotly::common::Line::new().color(PALETTE[i % PALETTE.len()]))
                .name(name.as_str()),
        );
        for (l, n) in norms.iter().enumerate() {
            table.push(vec![name.clone(), (l + 1).to_string(), format!("{n:.3e}")]);
        }
    }
    plot.set_layout(
        Layout::new()
            .title(Title::with_text("Gradient norm per layer at initialisation"))
            .x_axis(counting_axis(
                "layer (1 = nearest the input)",
                nets.iter().map(|(_, n)| n.len()).max().unwrap_or(1),
            ))
            .y_axis(
                Axis::new()
                    .title(Title::with_text("‖∂loss/∂W‖ (log scale)"))
                    .type_(AxisType::Log)
                    .dtick(1.0),
            ),
    );
    let ratio =
        |n: &Vec<f64>| n.last().copied().unwrap_or(1.0) / n.first().copied().unwrap_or(1.0).max(1e-300);
    let parts: Vec<String> = nets
        .iter()
        .map(|(name, n)| {
            format!(
                "{name}: the last layer's gradient is {} the first's",
                crate::display::ratio(ratio(n))
            )
        })
        .collect();
    Figure::new(
        plot,
        format!("How much gradient reaches each layer. {}.", parts.join("; ")),
    )
    .with_table(table)
}

/// Training loss against epochs for several runs.
pub fn training_loss(runs: &[(String, crate::mlp::History)]) -> Figure {
    let mut plot = Plot::new();
    let mut table = Table::new(&["run", "epoch", "training loss", "training accuracy"]);
    for (i, (name, h)) in runs.iter().enumerate() {
        plot.add_trace(
            Scatter::new(
                h.epochs.iter().map(|e| e.epoch).collect::<Vec<_>>(),
                h.epochs.iter().map(|e| e.train_loss).collect::<Vec<_>>(),
            )
            .mode(Mode::LinesMarkers)
            .line(plotly::common::Line::new().color(PALETTE[i % PALETTE.len()]))
            .name(name.as_str()),
        );
        for e in &h.epochs {
            table.push(vec![
                name.clone(),
                e.epoch.to_string(),
                format!("{:.4}", e.train_loss),
                pct(e.train_accuracy),
            ]);
        }
    }
    let epochs = runs.iter().map(|(_, h)| h.epochs.len()).max().unwrap_or(1);
    plot.set_layout(
        layout("Training loss by epoch", "epoch", "mean cross-entropy (nats)")
            .x_axis(counting_axis("epoch", epochs)),
    );
    let finals: Vec<String> = runs
        .iter()
        .filter_map(|(n, h)| h.last().map(|e| format!("{n} ends at {:.3}", e.train_loss)))
        .collect();
    Figure::new(
        plot,
        format!("Training loss after each epoch: {}.", finals.join(", ")),
    )
    .with_table(table)
}

/// Training error of each activation in a race, mean over seeds with a min–max band, against
/// epochs (`by_seconds` false) or wall-clock seconds (true), with the target as a dashed line.
pub fn race_progress(race: &crate::race::Race, by_seconds: bool) -> Figure {
    use plotly::common::{DashType, Line};
    let mut plot = Plot::new();
    let mut table = Table::new(&[
        "activation",
        "learning rate",
        if by_seconds {
            "seconds to target (mean)"
        } else {
            "epochs to target (mean)"
        },
        "seeds that got there",
    ]);
    let mut x_max: f64 = 0.0;
    for (i, lane) in race.lanes.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let n = lane.histories.iter().map(|h| h.epochs.len()).min().unwrap_or(0);
        let at = |k: usize, f: &dyn Fn(&crate::mlp::EpochStats) -> f64| -> Vec<f64> {
            lane.histories.iter().map(|h| f(&h.epochs[k])).collect()
        };
        let (mut xs, mut mean, mut lo, mut hi) = (vec![], vec![], vec![], vec![]);
        for k in 0..n {
            let err = at(k, &|e| (1.0 - e.train_accuracy) * 100.0);
            let x = if by_seconds {
                at(k, &|e| e.seconds).iter().sum::<f64>() / err.len() as f64
            } else {
                (k + 1) as f64
            };
            xs.push(x);
            mean.push(err.iter().sum::<f64>() / err.len() as f64);
            lo.push(err.iter().cloned().fold(f64::MAX, f64::min));
            hi.push(err.iter().cloned().fold(f64::MIN, f64::max));
        }
        x_max = x_max.max(xs.last().copied().unwrap_or(0.0));
        let name = lane.label();
        add_band(
            &mut plot,
            &xs,
            lo,
            hi,
            color,
            [format!("{name} min"), format!("{name} max")],
        );
        plot.add_trace(
            Scatter::new(xs, mean)
                .mode(Mode::Lines)
                .line(Line::new().color(color).width(2.5))
                .name(name),
        );
        let (e, got) = lane.mean_epochs_to(race.target_error);
        let (secs, _) = lane.mean_seconds_to(race.target_error);
        let reached = if by_seconds {
            secs.map(|v| format!("{v:.2}"))
        } else {
            e.map(|v| format!("{v:.1}"))
        };
        table.push(vec![
            lane.activation.name().into(),
            lane.learning_rate.to_string(),
            reached.unwrap_or_else(|| "not reached".into()),
            format!("{got} of {}", lane.histories.len()),
        ]);
    }
    let t = race.target_error * 100.0;
    plot.add_trace(
        Scatter::new(vec![0.0, x_max], vec![t, t])
            .mode(Mode::Lines)
            .line(Line::new().color("#333").dash(DashType::Dash))
            .name(format!("target {t:.0} %")),
    );
    let x_name = if by_seconds {
        "wall-clock time (s, this machine)"
    } else {
        "epoch"
    };
    let mut race_layout = layout(
        &format!(
            "Training error by {}: {}",
            if by_seconds { "time" } else { "epoch" },
            race.task
        ),
        x_name,
        "training error (%)",
    );
    if !by_seconds {
        race_layout = race_layout.x_axis(counting_axis(x_name, x_max.round() as usize));
    }
    plot.set_layout(race_layout);
    Figure::new(
        plot,
        format!(
            "Identical nets differing only in the hidden activation, mean over seeds with min–max bands. {}",
            if by_seconds {
                race.verdict_time()
            } else {
                race.verdict()
            }
        ),
    )
    .with_table(table)
}

/// Decision regions of several fitted 2-D classifiers side by side, as SVG (one panel each),
/// with the training points on top.
pub fn decision_boundaries(models: &[(String, crate::mlp::Mlp)], data: &Dataset) -> crate::display::Html {
    use crate::display::escape;
    let (n, px) = (60usize, 4.0);
    let col = |j: usize| data.x.column(j).to_vec();
    let (xs, ys) = (col(0), col(1));
    let range = |v: &[f32]| {
        let lo = v.iter().cloned().fold(f32::MAX, f32::min);
        let hi = v.iter().cloned().fold(f32::MIN, f32::max);
        let pad = (hi - lo) * 0.05;
        (lo - pad, hi + pad)
    };
    let ((x0, x1), (y0, y1)) = (range(&xs), range(&ys));
    let grid = ndarray::Array2::from_shape_fn((n * n, 2), |(k, j)| {
        let (i, r) = (k % n, k / n);
        if j == 0 {
            x0 + (x1 - x0) * (i as f32 + 0.5) / n as f32
        } else {
            y1 - (y1 - y0) * (r as f32 + 0.5) / n as f32
        }
    });
    let size = n as f64 * px;
    let mut s =
        String::from("<div class=\"takeoff-boundaries\" style=\"display:flex;flex-wrap:wrap;gap:16px\">");
    for (name, model) in models {
        let Ok(pred) = model.predict(&grid) else { continue };
        let acc = model.accuracy(data).unwrap_or(f64::NAN);
        s += &format!("<figure style=\"margin:0\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{size}\" height=\"{size}\" role=\"img\" aria-label=\"{a}\">", a = escape(name));
        for (k, &c) in pred.iter().enumerate() {
            s += &format!(
                "<rect x=\"{}\" y=\"{}\" width=\"{px}\" height=\"{px}\" fill=\"{}\"/>",
                (k % n) as f64 * px,
                (k / n) as f64 * px,
                rgba(PALETTE[c % PALETTE.len()], 0.3)
            );
        }
        for ((&x, &y), &c) in xs.iter().zip(&ys).zip(data.y.iter()) {
            let cx = (x - x0) as f64 / (x1 - x0) as f64 * size;
            let cy = (y1 - y) as f64 / (y1 - y0) as f64 * size;
            s += &format!(
                "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"2.2\" fill=\"{}\"/>",
                PALETTE[c % PALETTE.len()]
            );
        }
        s += &format!(
            "</svg><figcaption style=\"text-align:center;font-size:.9rem\">{}: training accuracy {:.1} %</figcaption></figure>",
            escape(name),
            acc * 100.0
        );
    }
    crate::display::Html(s + "</div>")
}

/// Gradient norm of the first and the last weight layer during training, per epoch, for the
/// first seed of each lane of a race (log scale).
pub fn gradient_norms_in_training(race: &crate::race::Race) -> Figure {
    use plotly::common::{DashType, Line};
    use plotly::layout::AxisType;
    let mut plot = Plot::new();
    let mut table = Table::new(&["activation", "epoch", "first layer", "last layer"]);
    for (i, lane) in race.lanes.iter().enumerate() {
        let Some(h) = lane.histories.first() else { continue };
        let color = PALETTE[i % PALETTE.len()];
        let ep: Vec<usize> = h.epochs.iter().map(|e| e.epoch).collect();
        let first: Vec<f64> = h
            .epochs
            .iter()
            .map(|e| e.grad_norms.first().copied().unwrap_or(0.0))
            .collect();
        let last: Vec<f64> = h
            .epochs
            .iter()
            .map(|e| e.grad_norms.last().copied().unwrap_or(0.0))
            .collect();
        for (k, e) in ep.iter().enumerate() {
            table.push(vec![
                lane.activation.name().into(),
                e.to_string(),
                format!("{:.3e}", first[k]),
                format!("{:.3e}", last[k]),
            ]);
        }
        plot.add_trace(
            Scatter::new(ep.clone(), first)
                .mode(Mode::LinesMarkers)
                .line(Line::new().color(color))
                .name(format!("{}: first layer", lane.activation.name())),
        );
        plot.add_trace(
            Scatter::new(ep, last)
                .mode(Mode::Lines)
                .line(Line::new().color(color).dash(DashType::Dot))
                .name(format!("{}: last layer", lane.activation.name())),
        );
    }
    plot.set_layout(
        Layout::new()
            .title(Title::with_text(format!(
                "Gradient norms during training: {}",
                race.task
            )))
            .x_axis(counting_axis(
                "epoch",
                race.lanes
                    .iter()
                    .flat_map(|l| l.histories.iter().map(|h| h.epochs.len()))
                    .max()
                    .unwrap_or(1),
            ))
            .y_axis(
                Axis::new()
                    .title(Title::with_text("mean ‖∂loss/∂W‖ per batch (log scale)"))
                    .type_(AxisType::Log)
                    .dtick(1.0),
            ),
    );
    let ratios: Vec<String> = race
        .lanes
        .iter()
        .filter_map(|l| {
            let e = l.histories.first()?.epochs.first()?;
            Some(format!(
                "{}: first layer {:.2}× the last in epoch 1",
                l.activation.name(),
                e.grad_norms.first()? / e.grad_norms.last()?.max(1e-300)
            ))
        })
        .collect();
    Figure::new(
        plot,
        format!(
            "How much gradient reaches the first layer compared with the last while training; {}.",
            ratios.join("; ")
        ),
    )
    .with_table(table)
}

#[cfg(test)]
mod race_chart_tests {
    use super::*;
    use crate::mlp::{Activation, MlpParams};

    #[test]
    fn race_chart_and_boundaries_show_every_activation() {
        let data = crate::data::moons(40, 0.1, 0).unwrap();
        let race = crate::race::activation_race(&crate::race::RaceConfig {
            data: data.clone(),
            net: crate::race::RaceNet::Mlp(vec![8]),
            activations: vec![Activation::Sigmoid, Activation::Relu],
            learning_rates: vec![0.1],
            search_epochs: 1,
            epochs: 3,
            batch_size: 16,
            seeds: vec![0],
            target_error: 0.5,
            strict_error: 0.2,
        })
        .unwrap();
        let f = race_progress(&race, false);
        let v: serde_json::Value = serde_json::from_str(&f.to_json()).unwrap();
        assert_eq!(v["data"].as_array().unwrap().len(), 2 * 3 + 1);
        assert!(v["data"][2]["name"].as_str().unwrap().starts_with("sigmoid"));
        assert_eq!(f.table.as_ref().unwrap().rows.len(), 2);
        let g = gradient_norms_in_training(&race);
        assert_eq!(g.table.as_ref().unwrap().rows.len(), 6);
        let models: Vec<(String, crate::mlp::Mlp)> = [Activation::Sigmoid, Activation::Relu]
            .iter()
            .map(|&a| {
                (
                    a.name().to_string(),
                    MlpParams::new(&[8])
                        .activation(a)
                        .epochs(2)
                        .verbose(false)
                        .fit(&data)
                        .unwrap(),
                )
            })
            .collect();
        let html = decision_boundaries(&models, &data).0;
        assert_eq!(html.matches("<svg").count(), 2);
        assert!(html.contains("ReLU: training accuracy"));
    }
}

#[cfg(test)]
mod scaling_tests {
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

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, Array2};

    #[test]
    fn class_balance_counts_each_class() {
        let d = Dataset::new(
            "d",
            Array2::zeros((3, 1)),
            Array1::from(vec![0, 1, 1]),
            vec!["x".into(), "y".into()],
        )
        .unwrap();
        let f = class_balance(&d);
        let v: serde_json::Value = serde_json::from_str(&f.to_json()).unwrap();
        assert_eq!(v["data"][0]["y"], serde_json::json!([1, 2]));
        assert_eq!(v["data"][0]["type"], "bar");
        assert!(f.summary.contains("smallest class has 1"));
    }

    #[test]
    fn activation_derivatives_peak_where_the_lesson_says() {
        let f = activations();
        let v: serde_json::Value = serde_json::from_str(&f.to_json()).unwrap();
        let max = |i: usize| {
            v["data"][i]["y"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .fold(f64::MIN, f64::max)
        };
        assert!((max(1) - 0.25).abs() < 1e-9, "sigmoid' peaks at 0.25");
        assert!((max(3) - 1.0).abs() < 1e-9, "tanh' peaks at 1");
        assert_eq!(max(5), 1.0);
        assert!(v["layout"]["xaxis"]["title"]["text"]
            .as_str()
            .unwrap()
            .contains("z"));
    }
}

// ---------------------------------------------------------------- compute

/// Measured GFLOP/s of each matrix-product kernel as bars, with the processor's peak on one core
/// and on every core (measured by an FMA loop when [`crate::compute::Cpu::with_measured_peak`]
/// ran, else from the /proc/cpuinfo formula). A kernel named "… 1 thread …" is set against one
/// core's peak.
pub fn kernel_speeds(speeds: &[(String, f64)], cpu: &crate::compute::Cpu, n: usize) -> Figure {
    use plotly::common::{DashType, Line};
    let mut plot = Plot::new();
    let names: Vec<String> = speeds.iter().map(|(n, _)| n.clone()).collect();
    plot.add_trace(
        Bar::new(names.clone(), speeds.iter().map(|(_, g)| *g).collect()).name("measured (median)"),
    );
    let source = if cpu.measured.is_some() {
        "measured"
    } else {
        "formula"
    };
    let (peak, one) = (cpu.peak_gflops(), cpu.one_core_peak_gflops());
    for (value, label, dash) in [
        (
            peak,
            format!("peak, {} cores ({source}) {peak:.0} GFLOP/s", cpu.cores),
            DashType::Dash,
        ),
        (
            one,
            format!("peak, one core ({source}) {one:.0} GFLOP/s"),
            DashType::Dot,
        ),
    ] {
        plot.add_trace(
            Scatter::new(names.clone(), vec![value; speeds.len()])
                .mode(Mode::Lines)
                .line(Line::new().color("#333").dash(dash))
                .name(label),
        );
    }
    plot.set_layout(layout(
        &format!(
            "One {n} × {n} matrix product, {} ways (measured on this machine)",
            speeds.len()
        ),
        "implementation",
        "GFLOP/s",
    ));
    let peak_of = |name: &str| if name.contains("1 thread") { one } else { peak };
    let mut table = Table::new(&["implementation", "GFLOP/s", "share of its peak (one core or all)"]);
    for (name, g) in speeds {
        table.push(vec![
            name.clone(),
            format!("{g:.2}"),
            format!("{:.1} %", g / peak_of(name) * 100.0),
        ]);
    }
    let (slow, fast) = (
        speeds.first().map(|s| s.1).unwrap_or(1.0),
        speeds.last().map(|s| s.1).unwrap_or(1.0),
    );
    let fast_name = speeds.last().map(|s| s.0.as_str()).unwrap_or("");
    Figure::new(
        plot,
        format!(
            "The same product runs {} faster through the optimised kernel than through naive loops, reaching {:.0} % of the {source} peak ({}). Timing: varies between runs.",
            crate::display::ratio(fast / slow.max(1e-9)),
            fast / peak_of(fast_name) * 100.0,
            cpu.describe()
        ),
    )
    .with_table(table)
}

/// Seconds per epoch against the epoch's training FLOPs, one colour per model, with the fitted
/// line through the origin (its slope is the trainer's achieved throughput).
pub fn epoch_cost(costs: &[crate::compute::EpochCost]) -> Figure {
    use plotly::common::Line;
    let mut plot = Plot::new();
    let mut models: Vec<String> = Vec::new();
    for c in costs {
        if !models.contains(&c.model) {
            models.push(c.model.clone());
        }
    }
    let mut table = Table::new(&[
        "model",
        "m",
        "training FLOPs per epoch",
        "seconds per epoch",
        "GFLOP/s",
    ]);
    for (i, model) in models.iter().enumerate() {
        let pts: Vec<&crate::compute::EpochCost> = costs.iter().filter(|c| &c.model == model).collect();
        plot.add_trace(
            Scatter::new(
                pts.iter().map(|c| c.flops()).collect(),
                pts.iter().map(|c| c.seconds).collect(),
            )
            .mode(Mode::Markers)
            .marker(
                plotly::common::Marker::new()
                    .size(9)
                    .color(PALETTE[i % PALETTE.len()]),
            )
            .name(model.as_str()),
        );
        for c in pts {
            table.push(vec![
                model.clone(),
                c.m.to_string(),
                format!("{:.2e}", c.flops()),
                format!("{:.3}", c.seconds),
                format!("{:.1}", c.gflops()),
            ]);
        }
    }
    let slope = crate::compute::seconds_per_flop(costs);
    let max = costs.iter().map(|c| c.flops()).fold(0.0, f64::max);
    plot.add_trace(
        Scatter::new(vec![0.0, max], vec![0.0, max * slope])
            .mode(Mode::Lines)
            .line(Line::new().color("#333"))
            .name(format!("fit: {:.1} GFLOP/s", 1.0 / slope / 1e9)),
    );
    plot.set_layout(layout(
        "Training cost grows with the model and the data (measured on this machine)",
        "training FLOPs in one epoch (model size × m)",
        "seconds per epoch",
    ));
    Figure::new(
        plot,
        format!(
            "Seconds per epoch against the epoch's FLOPs for several model sizes and amounts of data: one line through the origin fits them all, at about {:.1} GFLOP/s. Bigger models and more data cost compute in proportion.",
            1.0 / slope / 1e9
        ),
    )
    .with_table(table)
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
