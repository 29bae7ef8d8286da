//! Charts of what the fits cost: each learner's fit time against m (chapter 1), and test
//! accuracy against fit time with what each time budget would have bought (chapter 2).

use super::{curve_source, pct, PALETTE};
use crate::experiments::SCHEDULE;
use crate::lang::{name, Lang};
use crate::view::display::{Figure, Table};
use plotly::common::{Mode, Title};
use plotly::layout::{Axis, Layout};
use plotly::{Plot, Scatter};

/// Fit time against m for each model (both axes log): the cost side of the scaling chart.
pub fn fit_time(curve: &crate::experiments::LearningCurve) -> Figure {
    Figure::each_language(|l| fit_time_in(curve, l)).with_source(curve_source(curve))
}

fn fit_time_in(curve: &crate::experiments::LearningCurve, l: Lang) -> Figure {
    use plotly::common::Line;
    use plotly::layout::AxisType;
    let points = curve.points();
    let mut plot = Plot::new();
    let mut table = Table::new(&[
        l.pick("model", "模型"),
        "m",
        l.pick("fit + scoring time (s)", "训练 + 评估用时（秒）"),
    ]);
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
            .name(name(model, l)),
        );
        for p in pts {
            table.push(vec![
                name(model, l),
                crate::text::thousands(p.m),
                format!("{:.3}", p.seconds_mean),
            ]);
        }
    }
    let layout = Layout::new()
        .title(Title::with_text(match l {
            Lang::En => format!("Fit time vs m: {} (measured on this machine)", curve.task),
            Lang::Zh => format!("训练用时与 m 的关系：{}（本机实测）", name(&curve.task, l)),
        }))
        .x_axis(
            Axis::new()
                .title(Title::with_text(l.pick(
                    "labelled training examples m (log scale)",
                    "标注训练样本数 m（对数坐标）",
                )))
                .type_(AxisType::Log)
                .dtick(1.0),
        )
        .y_axis(
            Axis::new()
                .title(Title::with_text(l.pick(
                    "fit + scoring time (s, log scale)",
                    "训练 + 评估用时（秒，对数坐标）",
                )))
                .type_(AxisType::Log)
                .dtick(1.0),
        );
    plot.set_layout(layout);
    let slowest = points
        .iter()
        .max_by(|a, b| a.seconds_mean.total_cmp(&b.seconds_mean));
    let summary = match (slowest, l) {
        (Some(p), Lang::En) => format!(
            "Wall time of each fit (plus scoring) against m, on this machine; the slowest is {} at m = {} with {:.1} s. Timings vary from run to run. {}",
            p.model,
            crate::text::thousands(p.m),
            p.seconds_mean,
            SCHEDULE.0
        ),
        (Some(p), Lang::Zh) => format!(
            "本机上每次训练（加评估）的实际用时随 m 的变化；最慢的是{}，m = {} 时 {:.1} 秒。每次运行的计时都会有波动。{}",
            name(&p.model, l),
            crate::text::thousands(p.m),
            p.seconds_mean,
            SCHEDULE.1
        ),
        (None, _) => l.pick("No run finished.", "没有一次运行完成。").to_string(),
    };
    Figure::new(plot, summary).with_table(table)
}

/// Test accuracy against the seconds each fit took, from a learning curve: what a time budget buys.
pub fn accuracy_vs_time(curve: &crate::experiments::LearningCurve) -> Figure {
    Figure::each_language(|l| accuracy_vs_time_in(curve, l)).with_source(curve_source(curve))
}

fn accuracy_vs_time_in(curve: &crate::experiments::LearningCurve, l: Lang) -> Figure {
    use plotly::common::Line;
    use plotly::layout::AxisType;
    let mut plot = Plot::new();
    let mut table = Table::new(&[
        l.pick("model", "模型"),
        "m",
        l.pick("seconds", "秒"),
        l.pick("test accuracy", "测试准确率"),
    ]);
    for (i, model) in curve.models.iter().enumerate() {
        let pts: Vec<_> = curve.points().into_iter().filter(|p| &p.model == model).collect();
        if pts.is_empty() {
            continue;
        }
        for p in &pts {
            table.push(vec![
                name(model, l),
                crate::text::thousands(p.m),
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
            .name(name(model, l)),
        );
    }
    plot.set_layout(
        Layout::new()
            .title(Title::with_text(match l {
                Lang::En => format!("What a time budget buys: {}", curve.task),
                Lang::Zh => format!("一份时间预算能换来什么：{}", name(&curve.task, l)),
            }))
            .x_axis(
                Axis::new()
                    .title(Title::with_text(l.pick(
                        "fit + scoring time (s, log scale, this machine)",
                        "训练 + 评估用时（秒，对数坐标，本机）",
                    )))
                    .type_(AxisType::Log)
                    .dtick(1.0),
            )
            .y_axis(Axis::new().title(Title::with_text(l.pick("test accuracy (%)", "测试准确率（%）")))),
    );
    Figure::new(
        plot,
        match l {
            Lang::En => format!(
                "The learning-curve runs re-plotted as accuracy against the time each took: reading across at a fixed time shows which model and data size that much compute buys. {} {}",
                budget_sentence(curve, l),
                SCHEDULE.0
            ),
            Lang::Zh => format!(
                "把学习曲线的各次运行重新画成准确率与用时的关系：在某个固定用时处横向读图，就能看出这么多算力能换来哪个模型、多大的数据量。{}{}",
                budget_sentence(curve, l),
                SCHEDULE.1
            ),
        },
    )
    .with_table(table)
}

/// Which run each budget (1 s, 10 s, 100 s, none) favours on this curve, and why: how each
/// model's time grew between its two largest sizes (t ∝ m^k), from the runs themselves.
fn budget_sentence(curve: &crate::experiments::LearningCurve, l: Lang) -> String {
    let points = curve.points();
    let mut best = Vec::new();
    for limit in [1.0, 10.0, 100.0, f64::INFINITY] {
        let Some(p) = points
            .iter()
            .filter(|p| p.seconds_mean <= limit)
            .max_by(|a, b| a.mean.total_cmp(&b.mean))
        else {
            continue;
        };
        let within = match (limit.is_finite(), l) {
            (true, Lang::En) => format!("within {limit} s"),
            (true, Lang::Zh) => format!("{limit} 秒以内"),
            (false, Lang::En) => "with no limit".to_string(),
            (false, Lang::Zh) => "不限时间".to_string(),
        };
        best.push(match l {
            Lang::En => format!(
                "{within}, {} at m = {} ({})",
                p.model,
                crate::text::thousands(p.m),
                pct(p.mean)
            ),
            Lang::Zh => format!(
                "{within}是 m = {} 的{}（{}）",
                crate::text::thousands(p.m),
                name(&p.model, l),
                pct(p.mean)
            ),
        });
    }
    let growth: Vec<String> = curve
        .models
        .iter()
        .filter_map(|model| {
            let mut pts: Vec<_> = points
                .iter()
                .filter(|p| &p.model == model && p.seconds_mean > 0.0)
                .collect();
            pts.sort_by_key(|p| p.m);
            let [.., a, b] = pts[..] else { return None };
            let k = (b.seconds_mean / a.seconds_mean).ln() / (b.m as f64 / a.m as f64).ln();
            k.is_finite().then(|| match l {
                Lang::En => format!("{model} m^{k:.1}"),
                Lang::Zh => format!("{} m^{k:.1}", name(model, l)),
            })
        })
        .collect();
    if best.is_empty() {
        return String::new();
    }
    match l {
        Lang::En => format!(
            "Here the most accurate run {}. Between each model's two largest sizes its time grew about as m^k: {}; a model whose time grows fastest buys the least with each added second, which is why a budget's pick can change as m grows.",
            best.join("; "),
            growth.join(", ")
        ),
        Lang::Zh => format!(
            "这里准确率最高的运行：{}。在各模型最大的两个规模之间，用时大约按 m^k 增长：{}；用时增长最快的模型，每多花一秒换来的最少，所以随着 m 增大，同一份预算的最佳选择可能改变。",
            best.join("；"),
            growth.join("，")
        ),
    }
}
