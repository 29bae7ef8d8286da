//! Chapter 2's charts: matrix-product speeds against the peak, the cost of an epoch.

use super::{layout, PALETTE};
use crate::lang::{name, Lang};
use crate::view::display::{Figure, Table};
use plotly::common::Mode;
use plotly::{Bar, Plot, Scatter};

/// Measured GFLOP/s of each matrix-product kernel as bars, with the processor's peak on one core
/// and on every core (measured by an FMA loop when [`crate::experiments::hardware::Cpu::with_measured_peak`]
/// ran, else from the /proc/cpuinfo formula). A kernel named "… 1 thread …" is set against one
/// core's peak.
pub fn kernel_speeds(speeds: &[(String, f64)], cpu: &crate::experiments::hardware::Cpu, n: usize) -> Figure {
    Figure::each_language(|l| kernel_speeds_in(speeds, cpu, n, l))
}

fn kernel_speeds_in(
    speeds: &[(String, f64)],
    cpu: &crate::experiments::hardware::Cpu,
    n: usize,
    l: Lang,
) -> Figure {
    use plotly::common::{DashType, Line};
    let mut plot = Plot::new();
    let names: Vec<String> = speeds.iter().map(|(k, _)| name(k, l)).collect();
    plot.add_trace(
        Bar::new(names.clone(), speeds.iter().map(|(_, g)| *g).collect())
            .name(l.pick("measured (median)", "实测（中位数）")),
    );
    let source = match (cpu.measured.is_some(), l) {
        (true, Lang::En) => "measured",
        (false, Lang::En) => "formula",
        (true, Lang::Zh) => "实测",
        (false, Lang::Zh) => "公式",
    };
    let (peak, one) = (cpu.peak_gflops(), cpu.one_core_peak_gflops());
    let cores = cpu.cores;
    for (value, label, dash) in [
        (
            peak,
            match l {
                Lang::En => format!("peak, {cores} cores ({source}) {peak:.0} GFLOP/s"),
                Lang::Zh => format!("峰值，{cores} 个核心（{source}）{peak:.0} GFLOP/s"),
            },
            DashType::Dash,
        ),
        (
            one,
            match l {
                Lang::En => format!("peak, one core ({source}) {one:.0} GFLOP/s"),
                Lang::Zh => format!("峰值，单核（{source}）{one:.0} GFLOP/s"),
            },
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
    let ways = speeds.len();
    plot.set_layout(layout(
        &match l {
            Lang::En => format!("One {n} × {n} matrix product, {ways} ways (measured on this machine)"),
            Lang::Zh => format!("同一个 {n} × {n} 矩阵乘法的 {ways} 种实现（本机实测）"),
        },
        l.pick("implementation", "实现方式"),
        "GFLOP/s",
    ));
    let peak_of = |k: &str| if k.contains("1 thread") { one } else { peak };
    let mut table = Table::new(&[
        l.pick("implementation", "实现方式"),
        "GFLOP/s",
        l.pick(
            "share of its peak (one core or all)",
            "占其峰值的比例（单核或全部核心）",
        ),
    ]);
    for (k, g) in speeds {
        table.push(vec![
            name(k, l),
            format!("{g:.2}"),
            format!("{:.1}%", g / peak_of(k) * 100.0),
        ]);
    }
    let (slow, fast) = (
        speeds.first().map(|s| s.1).unwrap_or(1.0),
        speeds.last().map(|s| s.1).unwrap_or(1.0),
    );
    let fast_name = speeds.last().map(|s| s.0.as_str()).unwrap_or("");
    let (times, share, machine) = (
        crate::view::display::ratio(fast / slow.max(1e-9)),
        fast / peak_of(fast_name) * 100.0,
        cpu.describe(),
    );
    let summary = match l {
        Lang::En => format!(
            "The same product runs {times} faster through the optimised kernel than through naive loops, reaching {share:.0}% of the {source} peak ({}). Timing: varies between runs. Every bar ran on the same processor: this gap is software (blocking for the caches, vector instructions, threads), the part of the compute story that needs no new hardware; the lecture's point, faster hardware, is the peak line itself rising from one generation of chips to the next (the published figures below).",
            machine.en
        ),
        Lang::Zh => format!(
            "同一个乘法，优化内核比朴素循环快 {}，达到{source}峰值的 {share:.0}%（{}）。计时每次运行会有波动。所有柱子都在同一颗处理器上运行：这里的差距来自软件（按缓存分块、向量指令、多线程），是算力故事中不需要新硬件的那一部分；讲座说的更快的硬件，是峰值这条线本身随芯片换代而升高（见下面的公开数据）。",
            times.replace('×', " 倍"),
            machine.zh
        ),
    };
    Figure::new(plot, summary).with_table(table)
}

/// Seconds per epoch against the epoch's training FLOPs, one colour per model, with the fitted
/// line through the origin (its slope is the trainer's achieved throughput).
pub fn epoch_cost(costs: &[crate::experiments::hardware::EpochCost]) -> Figure {
    Figure::each_language(|l| epoch_cost_in(costs, l))
}

fn epoch_cost_in(costs: &[crate::experiments::hardware::EpochCost], l: Lang) -> Figure {
    use plotly::common::Line;
    let mut plot = Plot::new();
    let mut models: Vec<String> = Vec::new();
    for c in costs {
        if !models.contains(&c.model) {
            models.push(c.model.clone());
        }
    }
    let mut table = Table::new(&[
        l.pick("model", "模型"),
        "m",
        l.pick("training FLOPs per epoch", "每轮训练的 FLOPs"),
        l.pick("seconds per epoch", "每轮用时（秒）"),
        "GFLOP/s",
    ]);
    let mut rates = Vec::new();
    for (i, model) in models.iter().enumerate() {
        let pts: Vec<&crate::experiments::hardware::EpochCost> =
            costs.iter().filter(|c| &c.model == model).collect();
        // the model's own rate: the median over its sizes
        let mut own: Vec<f64> = pts.iter().map(|c| c.gflops()).collect();
        own.sort_by(f64::total_cmp);
        let rate = own[own.len() / 2];
        let shown = name(model, l);
        rates.push(format!("{shown} {rate:.1}"));
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
            .name(match l {
                Lang::En => format!("{shown} ({rate:.1} GFLOP/s)"),
                Lang::Zh => format!("{shown}（{rate:.1} GFLOP/s）"),
            }),
        );
        for c in pts {
            table.push(vec![
                shown.clone(),
                crate::text::thousands(c.m),
                format!("{:.2e}", c.flops()),
                format!("{:.3}", c.seconds),
                format!("{:.1}", c.gflops()),
            ]);
        }
    }
    let slope = crate::experiments::hardware::seconds_per_flop(costs);
    let max = costs.iter().map(|c| c.flops()).fold(0.0, f64::max);
    plot.add_trace(
        Scatter::new(vec![0.0, max], vec![0.0, max * slope])
            .mode(Mode::Lines)
            .line(Line::new().color("#333"))
            .name(format!(
                "{} {:.1} GFLOP/s",
                l.pick("fit:", "拟合："),
                1.0 / slope / 1e9
            )),
    );
    plot.set_layout(layout(
        l.pick(
            "Training cost grows with the model and the data (measured on this machine)",
            "训练代价随模型和数据增长（本机实测）",
        ),
        l.pick(
            "training FLOPs in one epoch (model size × m)",
            "一轮训练的 FLOPs（模型规模 × m）",
        ),
        l.pick("seconds per epoch", "每轮用时（秒）"),
    ));
    let (rates, fit) = (rates.join(", "), 1.0 / slope / 1e9);
    let summary = match l {
        Lang::En => format!(
            "Seconds per epoch against the epoch's FLOPs for several model sizes and amounts of data. Each model's own rate (median over its sizes, GFLOP/s): {rates}; the line is the least-squares rate over every run, {fit:.1} GFLOP/s. A point above the line trained slower than that overall rate."
        ),
        Lang::Zh => format!(
            "不同规模的模型、不同数据量下，每轮用时与该轮 FLOPs 的关系。各模型自己的速率（各数据量的中位数，GFLOP/s）：{rates}；直线是对全部运行做最小二乘得到的速率 {fit:.1} GFLOP/s。在直线上方的点，训练得比这个总体速率慢。"
        ),
    };
    Figure::new(plot, summary).with_table(table)
}
