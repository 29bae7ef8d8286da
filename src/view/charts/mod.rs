//! Plotly figures for the lesson. Each function returns a [`Figure`] (a `Plot` plus its text
//! summary and data table) and never shows it; tests check the JSON.

//!
//! | chapter | module |
//! |---|---|
//! | 1, data scale | [`data_scale`] |
//! | 2, compute scale | [`compute`] |
//! | 3, algorithms | [`algorithms`] |

pub mod algorithms;
pub mod compute;
pub mod data_scale;
pub mod fit_time;
pub mod race;

pub use algorithms::*;
pub use compute::*;
pub use data_scale::*;
pub use fit_time::*;
pub use race::*;

use plotly::common::{Mode, Title};
use plotly::layout::{Axis, Layout};
use plotly::{Plot, Scatter};

const PALETTE: [&str; 8] = [
    "#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#eeca3b", "#9d755d",
];

/// A layout with a title and named axes (units in the names).
/// An axis that counts (layers, epochs): ticks on whole numbers only, at most about ten of them.
pub fn counting_axis(title: &str, max: usize) -> Axis {
    Axis::new()
        .title(Title::with_text(title))
        .tick0(1.0)
        .dtick(max.div_ceil(10).max(1) as f64)
}

/// A log axis over `values` (their positive finite part) that stays readable whatever range a
/// remix gives it: at most about six labelled decades (every decade up to six, every second up
/// to twelve, and so on), exponents set as powers (10⁻¹⁶); under two decades, plotly's own ticks,
/// so a narrow range still shows several labels.
pub fn log_axis(title: &str, values: impl IntoIterator<Item = f64>) -> Axis {
    let (lo, hi) = values
        .into_iter()
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold((f64::INFINITY, 0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let axis = Axis::new()
        .title(Title::with_text(title))
        .type_(plotly::layout::AxisType::Log)
        .exponent_format(plotly::common::ExponentFormat::Power);
    let decades = hi.log10().ceil() - lo.log10().floor();
    if hi > lo && decades >= 2.0 {
        axis.dtick((decades / 6.0).ceil())
    } else {
        axis
    }
}

pub fn layout(title: &str, x: &str, y: &str) -> Layout {
    Layout::new()
        .title(Title::with_text(title))
        .x_axis(Axis::new().title(Title::with_text(x)))
        .y_axis(Axis::new().title(Title::with_text(y)))
}

/// A dropdown of views over the figure's traces: each entry (label, which traces show) is one
/// view, applied by plotly itself (nothing is computed in the browser). Sits right of the plot,
/// above the legend.
fn views_menu(views: Vec<(String, Vec<bool>)>) -> plotly::layout::update_menu::UpdateMenu {
    use plotly::layout::update_menu::{Button, ButtonMethod, UpdateMenu};
    UpdateMenu::new()
        .buttons(
            views
                .into_iter()
                .map(|(label, visible)| {
                    Button::new()
                        .label(label)
                        .method(ButtonMethod::Restyle)
                        .args(serde_json::json!([{ "visible": visible }]))
                })
                .collect(),
        )
        .active(0)
        .x(1.02)
        .x_anchor(plotly::common::Anchor::Left)
        .y(1.0)
        .y_anchor(plotly::common::Anchor::Bottom)
}

/// The seeds and cache use of a learning curve's runs.
fn curve_source(curve: &crate::experiments::LearningCurve) -> crate::view::display::Source {
    let mut seeds: Vec<u64> = curve.runs.iter().map(|r| r.seed).collect();
    seeds.sort_unstable();
    seeds.dedup();
    crate::view::display::Source {
        seeds,
        runs: curve.runs.len(),
        cached: curve.runs.iter().filter(|r| r.cached).count(),
    }
}

fn rgba(hex: &str, alpha: f64) -> String {
    let v = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0);
    format!("rgba({},{},{},{alpha})", v(1), v(3), v(5))
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// A shaded band between `lo` and `hi` (two borderless traces, the upper one filled down to the
/// lower), in `color` at 20% opacity, left out of the legend; `names` label the two edges.
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
