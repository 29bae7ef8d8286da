//! Chapter 3's charts: the activations and their derivatives, gradient norms, the races,
//! decision boundaries.

use super::{counting_axis, layout, log_axis, pct, rgba, PALETTE};
use crate::data::Dataset;
use crate::lang::Lang;
use crate::view::display::{Figure, Table};
use plotly::common::{Mode, Title};
use plotly::layout::{Axis, Layout};
use plotly::{Plot, Scatter};

/// Sigmoid, tanh and ReLU with their derivatives on z ∈ [-6, 6], drawn from the trainer's own
/// [`Activation::apply`](crate::models::activation::Activation::apply) and
/// [`Activation::derivative_from_output`](crate::models::activation::Activation::derivative_from_output).
pub fn activations() -> Figure {
    Figure::each_language(activations_in)
}

fn activations_in(l: Lang) -> Figure {
    let z: Vec<f64> = (0..=240).map(|i| -6.0 + i as f64 * 0.05).collect();
    use crate::models::activation::Activation::{Relu, Sigmoid, Tanh};
    // g and g' exactly as the trainer computes them: g'(z) from the output a = g(z)
    let g = |act: crate::models::activation::Activation| move |v: f64| act.apply(v);
    let d =
        |act: crate::models::activation::Activation| move |v: f64| act.derivative_from_output(act.apply(v));
    type Curve<'a> = (&'a str, Box<dyn Fn(f64) -> f64>);
    let curves: [Curve; 6] = [
        ("sigmoid σ(z)", Box::new(g(Sigmoid))),
        (
            l.pick("σ'(z) = σ(1−σ), at most 0.25", "σ'(z) = σ(1−σ)，最大 0.25"),
            Box::new(d(Sigmoid)),
        ),
        ("tanh(z)", Box::new(g(Tanh))),
        (
            l.pick("tanh'(z) = 1 − tanh², at most 1", "tanh'(z) = 1 − tanh²，最大 1"),
            Box::new(d(Tanh)),
        ),
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
    // ReLU grows without bound: the view stays at −1.1..1.6 so the derivatives read, and a
    // curve stops at 1.5 instead of leaving the plot through its top, whatever z a remix draws.
    for (name, f) in curves.iter() {
        let y: Vec<Option<f64>> = z.iter().map(|&v| f(v)).map(|y| (y <= 1.5).then_some(y)).collect();
        plot.add_trace(Scatter::new(z.clone(), y).mode(Mode::Lines).name(*name));
    }
    plot.set_layout(
        layout(
            l.pick("Activations and their derivatives", "激活函数及其导数"),
            l.pick("pre-activation z", "激活前的值 z"),
            l.pick("value", "函数值"),
        )
        .y_axis(
            Axis::new()
                .title(Title::with_text(l.pick("value", "函数值")))
                .range(vec![-1.1, 1.6]),
        ),
    );
    Figure::new(
        plot,
        l.pick(
            "Sigmoid's derivative peaks at 0.25 and vanishes at both ends; tanh's peaks at 1 and also vanishes; \
ReLU's is exactly 1 for every z > 0.",
            "sigmoid 的导数最大只有 0.25，在两端趋于 0（梯度消失）；tanh 的导数最大为 1，两端同样趋于 0；\
ReLU 的导数在 z > 0 时恒为 1。",
        ),
    )
    .with_table(table)
}

/// Gradient norm of each layer (first layer first, log scale), one line per labelled net.
pub fn gradient_norms(nets: &[(String, Vec<f64>)]) -> Figure {
    Figure::each_language(|l| gradient_norms_in(nets, l))
}

/// The gradient norm per layer of each untrained net of `sweep` (one chart for all its nets,
/// whatever their depth), each net named by its activation and initialisation in the reader's
/// language ("sigmoid + small random (× 0.01)", "sigmoid + 小随机数（× 0.01）").
pub fn gradient_norms_at_init(sweep: &crate::experiments::gradients::DepthSweep) -> Figure {
    Figure::each_language(|l| {
        let nets: Vec<(String, Vec<f64>)> = sweep
            .runs
            .iter()
            .map(|r| {
                (
                    format!("{} + {}", r.activation.name(), r.init.name_in(l)),
                    r.norms.clone(),
                )
            })
            .collect();
        gradient_norms_in(&nets, l)
    })
}

fn gradient_norms_in(nets: &[(String, Vec<f64>)], lang: Lang) -> Figure {
    let mut plot = Plot::new();
    let mut table = Table::new(&[lang.pick("net", "网络"), lang.pick("layer", "层"), "‖∂loss/∂W‖"]);
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
            .title(Title::with_text(lang.pick(
                "Gradient norm per layer at initialisation",
                "初始化时每层的梯度范数",
            )))
            .x_axis(counting_axis(
                lang.pick("layer (1 = nearest the input)", "层（1 = 最靠近输入）"),
                nets.iter().map(|(_, n)| n.len()).max().unwrap_or(1),
            ))
            .y_axis(log_axis(
                lang.pick("‖∂loss/∂W‖ (log scale)", "‖∂loss/∂W‖（对数坐标）"),
                nets.iter().flat_map(|(_, n)| n.iter().copied()),
            )),
    );
    let ratio =
        |n: &Vec<f64>| n.last().copied().unwrap_or(1.0) / n.first().copied().unwrap_or(1.0).max(1e-300);
    let parts: Vec<String> = nets
        .iter()
        .map(|(name, n)| {
            let r = crate::view::display::ratio(ratio(n));
            match lang {
                Lang::En => format!("{name}: the last layer's gradient is {r} the first's"),
                Lang::Zh => format!("{name}：最后一层的梯度是第一层的 {r}"),
            }
        })
        .collect();
    let summary = match lang {
        Lang::En => format!("How much gradient reaches each layer. {}.", parts.join("; ")),
        Lang::Zh => format!("梯度传到每一层还剩多少。{}。", parts.join("；")),
    };
    Figure::new(plot, summary).with_table(table)
}

/// Training loss against epochs for several runs.
pub fn training_loss(runs: &[(String, crate::models::history::History)]) -> Figure {
    Figure::each_language(|l| training_loss_in(runs, l))
}

fn training_loss_in(runs: &[(String, crate::models::history::History)], l: Lang) -> Figure {
    let mut plot = Plot::new();
    let epoch = l.pick("epoch", "轮次（epoch）");
    let mut table = Table::new(&[
        l.pick("run", "运行"),
        epoch,
        l.pick("training loss", "训练损失"),
        l.pick("training accuracy", "训练准确率"),
    ]);
    for (i, (run, h)) in runs.iter().enumerate() {
        let name = crate::lang::name(run, l);
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
        layout(
            l.pick("Training loss by epoch", "每轮的训练损失"),
            epoch,
            l.pick("mean cross-entropy (nats)", "平均交叉熵（奈特）"),
        )
        .x_axis(counting_axis(epoch, epochs)),
    );
    let finals: Vec<String> = runs
        .iter()
        .filter_map(|(n, h)| {
            let n = crate::lang::name(n, l);
            h.last().map(|e| match l {
                Lang::En => format!("{n} ends at {:.3}", e.train_loss),
                Lang::Zh => format!("{n} 最终为 {:.3}", e.train_loss),
            })
        })
        .collect();
    let summary = match l {
        Lang::En => format!("Training loss after each epoch: {}.", finals.join(", ")),
        Lang::Zh => format!("每轮结束后的训练损失：{}。", finals.join("，")),
    };
    Figure::new(plot, summary).with_table(table)
}

/// Decision regions of several fitted 2-D classifiers side by side, as SVG (one panel each),
/// with the training points on top.
pub fn decision_boundaries(
    models: &[(String, crate::models::mlp::FittedMlp)],
    data: &Dataset,
) -> crate::view::display::Html {
    crate::view::display::Html(crate::view::display::per_language(|l| {
        decision_boundaries_in(models, data, l)
    }))
}

fn decision_boundaries_in(
    models: &[(String, crate::models::mlp::FittedMlp)],
    data: &Dataset,
    l: Lang,
) -> String {
    use crate::view::display::escape;
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
            "</svg><figcaption style=\"text-align:center;font-size:.9rem\">{}{} {:.1}%</figcaption></figure>",
            escape(name),
            l.pick(": training accuracy", "：训练准确率"),
            acc * 100.0
        );
    }
    s + "</div>"
}

/// The gradient norm of each layer at initialisation, one depth at a time: a slider (plotly's
/// own, over results the render computed) picks the depth; every depth's numbers are in the
/// table, and the summary gives each net's first-layer gradient as a fraction of its last
/// layer's, at every depth.
pub fn gradient_norms_by_depth(sweep: &crate::experiments::gradients::DepthSweep) -> Figure {
    Figure::each_language(|l| gradient_norms_by_depth_in(sweep, l))
}

fn gradient_norms_by_depth_in(sweep: &crate::experiments::gradients::DepthSweep, lang: Lang) -> Figure {
    use plotly::layout::{Slider, SliderCurrentValue, SliderMethod, SliderStep};
    let mut plot = Plot::new();
    let mut table = Table::new(&[
        lang.pick("depth", "深度"),
        lang.pick("net", "网络"),
        lang.pick("layer", "层"),
        "‖∂loss/∂W‖",
        lang.pick("first ÷ last", "第一层 ÷ 最后一层"),
    ]);
    let name = |r: &crate::experiments::gradients::DepthRun| {
        format!("{} + {}", r.activation.name(), r.init.name_in(lang))
    };
    let mut nets: Vec<String> = Vec::new();
    for r in &sweep.runs {
        if !nets.contains(&name(r)) {
            nets.push(name(r));
        }
    }
    let first_depth = sweep.depths.first().copied().unwrap_or(0);
    for r in &sweep.runs {
        let color = PALETTE[nets.iter().position(|n| *n == name(r)).unwrap_or(0) % PALETTE.len()];
        plot.add_trace(
            Scatter::new((1..=r.norms.len()).collect::<Vec<_>>(), r.norms.clone())
                .mode(Mode::LinesMarkers)
                .line(plotly::common::Line::new().color(color))
                .name(name(r))
                .visible(if r.depth == first_depth {
                    plotly::common::Visible::True
                } else {
                    plotly::common::Visible::False
                }),
        );
        for (l, n) in r.norms.iter().enumerate() {
            table.push(vec![
                r.depth.to_string(),
                name(r),
                (l + 1).to_string(),
                format!("{n:.3e}"),
                if l == 0 {
                    format!("{:.2e}", r.first_over_last())
                } else {
                    String::new()
                },
            ]);
        }
    }
    let steps: Vec<SliderStep> = sweep
        .depths
        .iter()
        .map(|&d| {
            let visible: Vec<bool> = sweep.runs.iter().map(|r| r.depth == d).collect();
            SliderStep::new()
                .label(d.to_string())
                .method(SliderMethod::Restyle)
                .args(serde_json::json!([{ "visible": visible }]))
        })
        .collect();
    let max_layers = sweep.runs.iter().map(|r| r.norms.len()).max().unwrap_or(1);
    plot.set_layout(
        Layout::new()
            .title(Title::with_text(match lang {
                Lang::En => format!(
                    "Gradient norm per layer at initialisation, by depth ({} units per hidden layer)",
                    sweep.width
                ),
                Lang::Zh => format!(
                    "初始化时每层的梯度范数，按深度（每个隐藏层 {} 个单元）",
                    sweep.width
                ),
            }))
            .x_axis(counting_axis(
                lang.pick(
                    "layer (1 = nearest the input; the last is the output layer)",
                    "层（1 = 最靠近输入；最后一层是输出层）",
                ),
                max_layers,
            ))
            .y_axis(log_axis(
                lang.pick("‖∂loss/∂W‖ (log scale)", "‖∂loss/∂W‖（对数坐标）"),
                sweep.runs.iter().flat_map(|r| r.norms.iter().copied()),
            ))
            // room under the axis title for the slider
            .height(540)
            .margin(plotly::layout::Margin::new().bottom(150))
            .sliders(vec![Slider::new()
                .active(0)
                .y(-0.35)
                .current_value(SliderCurrentValue::new().prefix(lang.pick("hidden layers: ", "隐藏层数：")))
                .steps(steps)]),
    );
    let parts: Vec<String> = nets
        .iter()
        .map(|n| {
            let by_depth: Vec<String> = sweep
                .runs
                .iter()
                .filter(|r| name(r) == *n)
                .map(|r| match lang {
                    Lang::En => format!("{:.1e} at depth {}", r.first_over_last(), r.depth),
                    Lang::Zh => format!("深度 {} 时为 {:.1e}", r.depth, r.first_over_last()),
                })
                .collect();
            format!("{n}: {}", by_depth.join(", "))
        })
        .collect();
    let summary = match lang {
        Lang::En => format!(
            "The first layer's gradient as a fraction of the last layer's, by the number of hidden layers (move the slider to see each depth's layers). {}.",
            parts.join("; ")
        ),
        Lang::Zh => format!(
            "第一层的梯度占最后一层梯度的比例，按隐藏层数列出（拖动滑块查看每个深度的各层）。{}。",
            parts.join("；")
        ),
    };
    Figure::new(plot, summary).with_table(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_slider_shows_one_depth_at_a_time() {
        use crate::models::activation::{Activation, Init};
        let data = crate::data::spirals(48, 3, 0.1, 0).unwrap();
        let nets = [(Activation::Sigmoid, Init::Xavier), (Activation::Relu, Init::He)];
        let sweep = crate::experiments::gradients::depth_sweep(&data, &[2, 4, 8], 8, &nets, 0).unwrap();
        let fig = gradient_norms_by_depth(&sweep);
        let json: serde_json::Value = serde_json::from_str(&fig.to_json()).unwrap();
        let steps = json["layout"]["sliders"][0]["steps"].as_array().unwrap();
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[1]["label"], "4");
        let visible = steps[1]["args"][0]["visible"].as_array().unwrap();
        assert_eq!(visible.iter().filter(|v| v.as_bool() == Some(true)).count(), 2);
        assert_eq!(json["data"].as_array().unwrap().len(), 6);
        assert!(fig.summary.contains("at depth 8"), "{}", fig.summary);
    }

    /// How many decades a log axis labels over its data: (decades spanned) ÷ its dtick.
    fn labelled_decades(json: &serde_json::Value, values: &[f64]) -> f64 {
        let axis = &json["layout"]["yaxis"];
        assert_eq!(axis["type"], "log");
        assert_eq!(axis["exponentformat"], "power");
        let (lo, hi) = values
            .iter()
            .filter(|v| **v > 0.0)
            .fold((f64::INFINITY, 0f64), |(a, b), &v| (a.min(v), b.max(v)));
        let decades = hi.log10().ceil() - lo.log10().floor();
        decades / axis["dtick"].as_f64().unwrap_or(1.0)
    }

    #[test]
    fn log_axes_stay_readable_at_the_remixes_extremes() {
        use crate::models::activation::{Activation, Init};
        // chapter 3's depth remix at 10 hidden layers, the naive initialisation vanishing fastest
        let data = crate::data::spirals(48, 3, 0.1, 0).unwrap();
        let nets = [
            (Activation::Sigmoid, Init::NaiveSmall),
            (Activation::Sigmoid, Init::Xavier),
            (Activation::Relu, Init::He),
        ];
        let sweep = crate::experiments::gradients::depth_sweep(&data, &[2, 10], 16, &nets, 0).unwrap();
        let norms: Vec<f64> = sweep.runs.iter().flat_map(|r| r.norms.clone()).collect();
        let json: serde_json::Value =
            serde_json::from_str(&gradient_norms_by_depth(&sweep).to_json()).unwrap();
        let labels = labelled_decades(&json, &norms);
        assert!(labels <= 7.0, "{labels} labelled decades");
        let per_layer: Vec<(String, Vec<f64>)> = sweep
            .runs
            .iter()
            .map(|r| (format!("{:?}", r.activation), r.norms.clone()))
            .collect();
        let json: serde_json::Value = serde_json::from_str(&gradient_norms(&per_layer).to_json()).unwrap();
        assert!(labelled_decades(&json, &norms) <= 7.0);
        // a narrow range keeps plotly's own ticks (several labels), not one decade mark
        let narrow = vec![("a".to_string(), vec![0.5, 0.7, 0.9])];
        let json: serde_json::Value = serde_json::from_str(&gradient_norms(&narrow).to_json()).unwrap();
        assert!(json["layout"]["yaxis"]["dtick"].is_null());
    }

    #[test]
    fn every_activation_curve_stays_inside_its_plot() {
        let json: serde_json::Value = serde_json::from_str(&activations().to_json()).unwrap();
        let range = json["layout"]["yaxis"]["range"].as_array().unwrap();
        let (lo, hi) = (range[0].as_f64().unwrap(), range[1].as_f64().unwrap());
        for trace in json["data"].as_array().unwrap() {
            for y in trace["y"].as_array().unwrap().iter().filter_map(|y| y.as_f64()) {
                assert!((lo..=hi).contains(&y), "{} reaches {y}", trace["name"]);
            }
        }
    }
    use crate::models::activation::Activation;
    use crate::models::mlp::MlpParams;

    #[test]
    fn race_chart_and_boundaries_show_every_activation() {
        let data = crate::data::moons(40, 0.1, 0).unwrap();
        let race = crate::experiments::race::activation_race(&crate::experiments::race::RaceConfig {
            data: data.clone(),
            net: crate::experiments::race::RaceNet::Mlp(vec![8]),
            activations: vec![Activation::Sigmoid, Activation::Relu],
            learning_rates: vec![0.1],
            momentum: 0.9,
            search_epochs: 1,
            epochs: 3,
            batch_size: 16,
            seeds: vec![0],
            target_error: 0.5,
            strict_error: 0.2,
        })
        .unwrap();
        let f = super::super::race_progress(&race, false);
        let v: serde_json::Value = serde_json::from_str(&f.to_json()).unwrap();
        assert_eq!(v["data"].as_array().unwrap().len(), 2 * 3 + 1);
        assert!(v["data"][2]["name"].as_str().unwrap().starts_with("sigmoid"));
        assert_eq!(f.table.as_ref().unwrap().rows.len(), 2);
        let g = super::super::gradient_norms_in_training(&race);
        assert_eq!(g.table.as_ref().unwrap().rows.len(), 6);
        let models: Vec<(String, crate::models::mlp::FittedMlp)> = [Activation::Sigmoid, Activation::Relu]
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
mod more_tests {
    use crate::data::Dataset;
    use crate::view::charts::*;
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
