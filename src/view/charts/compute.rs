//! Chapter 2's charts: matrix-product speeds against the peak, the cost of an epoch.

use super::{layout, PALETTE};
use crate::display::{Figure, Table};
use plotly::common::Mode;
use plotly::{Bar, Plot, Scatter};

/// Measured GFLOP/s of each matrix-product kernel as bars, with the processor's peak on one core
/// and on every core (measured by an FMA loop when [`crate::experiments::hardware::Cpu::with_measured_peak`]
/// ran, else from the /proc/cpuinfo formula). A kernel named "… 1 thread …" is set against one
/// core's peak.
pub fn kernel_speeds(speeds: &[(String, f64)], cpu: &crate::experiments::hardware::Cpu, n: usize) -> Figure {
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
pub fn epoch_cost(costs: &[crate::experiments::hardware::EpochCost]) -> Figure {
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
    let mut rates = Vec::new();
    for (i, model) in models.iter().enumerate() {
        let pts: Vec<&crate::experiments::hardware::EpochCost> =
            costs.iter().filter(|c| &c.model == model).collect();
        // the model's own rate: the median over its sizes
        let mut own: Vec<f64> = pts.iter().map(|c| c.gflops()).collect();
        own.sort_by(f64::total_cmp);
        let rate = own[own.len() / 2];
        rates.push(format!("{model} {rate:.1}"));
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
            .name(format!("{model} ({rate:.1} GFLOP/s)")),
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
    let slope = crate::experiments::hardware::seconds_per_flop(costs);
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
            "Seconds per epoch against the epoch's FLOPs for several model sizes and amounts of data. Each model's own rate (median over its sizes, GFLOP/s): {}; the line is the least-squares rate over every run, {:.1} GFLOP/s. A point above the line trained slower than that overall rate.",
            rates.join(", "),
            1.0 / slope / 1e9
        ),
    )
    .with_table(table)
}
