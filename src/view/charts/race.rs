//! Chapter 3's race charts: each lane's training error against gradient steps or seconds, and
//! each layer's gradient norm during training.

use super::{add_band, counting_axis, layout, log_axis, views_menu, PALETTE};
use crate::lang::Lang;
use crate::view::display::{Figure, Table};
use plotly::common::{Mode, Title};
use plotly::layout::Layout;
use plotly::{Plot, Scatter};

/// Training error of each activation in a race, mean over seeds with a min–max band, against
/// epochs (`by_seconds` false) or wall-clock seconds (true), with the target as a dashed line.
pub fn race_progress(race: &crate::experiments::race::Race, by_seconds: bool) -> Figure {
    Figure::each_language(|l| race_progress_in(race, by_seconds, l)).with_source(race_source(race))
}

fn race_progress_in(race: &crate::experiments::race::Race, by_seconds: bool, l: Lang) -> Figure {
    use plotly::common::{DashType, Line};
    let mut plot = Plot::new();
    let mut table = Table::new(&[
        l.pick("activation", "激活函数"),
        l.pick("learning rate", "学习率"),
        match (by_seconds, l) {
            (true, Lang::En) => "seconds to target (mean)",
            (false, Lang::En) => "epochs to target (mean)",
            (true, Lang::Zh) => "达到目标的秒数（均值）",
            (false, Lang::Zh) => "达到目标的轮数（均值）",
        },
        l.pick("seeds that got there", "达到目标的种子"),
    ]);
    let mut x_max: f64 = 0.0;
    for (i, lane) in race.lanes.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        // the checkpoints' training error (about ten an epoch): the measure the table and the
        // verdict read too
        let n = lane
            .histories
            .iter()
            .map(|h| h.checkpoints.len())
            .min()
            .unwrap_or(0);
        let per_epoch = lane
            .histories
            .first()
            .map_or(1.0, |h| h.steps() as f64 / h.epochs.len().max(1) as f64);
        let (mut xs, mut mean, mut lo, mut hi) = (vec![], vec![], vec![], vec![]);
        for k in 0..n {
            let at = |f: &dyn Fn(&crate::models::history::Checkpoint) -> f64| -> Vec<f64> {
                lane.histories.iter().map(|h| f(&h.checkpoints[k])).collect()
            };
            let err = at(&|c| c.train_error * 100.0);
            let x = if by_seconds {
                at(&|c| c.seconds).iter().sum::<f64>() / err.len() as f64
            } else {
                lane.histories[0].checkpoints[k].step as f64 / per_epoch
            };
            xs.push(x);
            mean.push(err.iter().sum::<f64>() / err.len() as f64);
            lo.push(err.iter().cloned().fold(f64::MAX, f64::min));
            hi.push(err.iter().cloned().fold(f64::MIN, f64::max));
        }
        x_max = x_max.max(xs.last().copied().unwrap_or(0.0));
        let name = match l {
            Lang::En => lane.label(),
            Lang::Zh => format!(
                "{}（学习率 {}）",
                lane.activation.name(),
                crate::text::significant(lane.learning_rate)
            ),
        };
        add_band(
            &mut plot,
            &xs,
            lo,
            hi,
            color,
            [
                format!("{name} {}", l.pick("min", "最小")),
                format!("{name} {}", l.pick("max", "最大")),
            ],
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
            match (lane.on_edge, l) {
                (false, _) => crate::text::significant(lane.learning_rate),
                (true, Lang::En) => format!(
                    "{} (still on an edge of its grid after {} growths)",
                    crate::text::significant(lane.learning_rate),
                    crate::experiments::race::MAX_GROWTHS
                ),
                (true, Lang::Zh) => format!(
                    "{}（扩展 {} 次后仍在网格边缘）",
                    crate::text::significant(lane.learning_rate),
                    crate::experiments::race::MAX_GROWTHS
                ),
            },
            reached.unwrap_or_else(|| l.pick("not reached", "未达到").into()),
            match l {
                Lang::En => format!("{got} of {}", lane.histories.len()),
                Lang::Zh => format!("{} 个中的 {got} 个", lane.histories.len()),
            },
        ]);
    }
    let t = race.target_error * 100.0;
    plot.add_trace(
        Scatter::new(vec![0.0, x_max], vec![t, t])
            .mode(Mode::Lines)
            .line(Line::new().color("#333").dash(DashType::Dash))
            .name(format!("{} {t:.0}%", l.pick("target", "目标"))),
    );
    let x_name = match (by_seconds, l) {
        (true, Lang::En) => "wall-clock time (s, this machine)",
        (false, Lang::En) => "epoch",
        (true, Lang::Zh) => "实际用时（秒，本机）",
        (false, Lang::Zh) => "轮次（epoch）",
    };
    let task = crate::lang::name(&race.task, l);
    let mut race_layout = layout(
        &match (by_seconds, l) {
            (true, Lang::En) => format!("Training error by time: {task}"),
            (false, Lang::En) => format!("Training error by epoch: {task}"),
            (true, Lang::Zh) => format!("训练误差随时间的变化：{task}"),
            (false, Lang::Zh) => format!("训练误差随轮次的变化：{task}"),
        },
        x_name,
        l.pick("training error (%)", "训练误差（%）"),
    );
    if !by_seconds {
        race_layout = race_layout.x_axis(counting_axis(x_name, x_max.round() as usize));
    }
    plot.set_layout(race_layout);
    let verdict = if by_seconds {
        race.verdict_time()
    } else {
        race.verdict()
    };
    let summary = match l {
        Lang::En => format!(
            "The same nets, each with its hidden activation and that activation's usual initialisation, mean over seeds with min–max bands. Training error here, in the table and in the sentence that follows, is one measure: the error on the batches since the previous checkpoint (about a tenth of an epoch), as training classified them. {}",
            verdict.en
        ),
        Lang::Zh => format!(
            "同样的网络，各用自己的隐藏层激活函数及其常用的初始化，对种子取平均，阴影带为最小–最大范围。图中、表中和下面这句话里的训练误差是同一个量：自上一个检查点以来（约十分之一轮）各批次在训练时的分类误差。{}",
            verdict.zh
        ),
    };
    Figure::new(plot, summary).with_table(table)
}

/// Gradient norm of the first and the last weight layer during training, per epoch, for the
/// first seed of each lane of a race (log scale).
pub fn gradient_norms_in_training(race: &crate::experiments::race::Race) -> Figure {
    Figure::each_language(|l| gradient_norms_in_training_in(race, l)).with_source(race_source(race))
}

/// The seeds of a race and whether it was read from the cache.
fn race_source(race: &crate::experiments::race::Race) -> crate::view::display::Source {
    let runs = race.lanes.iter().map(|l| l.histories.len()).sum();
    crate::view::display::Source {
        seeds: race.seeds.clone(),
        runs,
        cached: if race.cached { runs } else { 0 },
    }
}

fn gradient_norms_in_training_in(race: &crate::experiments::race::Race, lang: Lang) -> Figure {
    use plotly::common::{DashType, Line};
    let mut plot = Plot::new();
    let (first_layer, last_layer) = (
        lang.pick("first layer", "第一层"),
        lang.pick("last layer", "最后一层"),
    );
    let mut table = Table::new(&[
        lang.pick("activation", "激活函数"),
        lang.pick("epoch", "轮次"),
        first_layer,
        last_layer,
    ]);
    let mut drawn = Vec::new();
    for (i, lane) in race.lanes.iter().enumerate() {
        let Some(h) = lane.histories.first() else { continue };
        drawn.push(lane.activation.name());
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
                .name(format!("{}: {first_layer}", lane.activation.name())),
        );
        plot.add_trace(
            Scatter::new(ep, last)
                .mode(Mode::Lines)
                .line(Line::new().color(color).dash(DashType::Dot))
                .name(format!("{}: {last_layer}", lane.activation.name())),
        );
    }
    plot.set_layout(
        Layout::new()
            .title(Title::with_text(match lang {
                Lang::En => format!("Gradient norms during training: {}", race.task),
                Lang::Zh => format!("训练过程中的梯度范数：{}", crate::lang::name(&race.task, lang)),
            }))
            .x_axis(counting_axis(
                lang.pick("epoch", "轮次（epoch）"),
                race.lanes
                    .iter()
                    .flat_map(|l| l.histories.iter().map(|h| h.epochs.len()))
                    .max()
                    .unwrap_or(1),
            ))
            .y_axis(log_axis(
                lang.pick(
                    "mean ‖∂loss/∂W‖ per batch (log scale)",
                    "每批的平均 ‖∂loss/∂W‖（对数坐标）",
                ),
                race.lanes
                    .iter()
                    .filter_map(|l| l.histories.first())
                    .flat_map(|h| h.epochs.iter())
                    .flat_map(|e| [e.grad_norms.first(), e.grad_norms.last()])
                    .flatten()
                    .copied(),
            ))
            // one view per activation (its first and last layer), and all of them
            .update_menus(vec![views_menu(
                std::iter::once((lang.pick("all activations", "全部激活函数").to_string(), None))
                    .chain(drawn.iter().enumerate().map(|(i, a)| (a.to_string(), Some(i))))
                    .map(|(label, k)| {
                        let visible = (0..drawn.len())
                            .flat_map(|i| [k.is_none() || k == Some(i); 2])
                            .collect();
                        (label, visible)
                    })
                    .collect(),
            )]),
    );
    let ratios: Vec<String> = race
        .lanes
        .iter()
        .filter_map(|l| {
            let e = l.histories.first()?.epochs.first()?;
            let (a, r) = (
                l.activation.name(),
                e.grad_norms.first()? / e.grad_norms.last()?.max(1e-300),
            );
            Some(match lang {
                Lang::En => format!("{a}: first layer {r:.2}× the last in epoch 1"),
                Lang::Zh => format!("{a}：第 1 轮中第一层是最后一层的 {r:.2}×"),
            })
        })
        .collect();
    let summary = match lang {
        Lang::En => format!(
            "How much gradient reaches the first layer compared with the last while training; {}.",
            ratios.join("; ")
        ),
        Lang::Zh => format!(
            "训练过程中，传到第一层的梯度与最后一层相比有多少；{}。",
            ratios.join("；")
        ),
    };
    Figure::new(plot, summary).with_table(table)
}
