//! Plotly figures for the lesson. Each function returns a [`Figure`] (a `Plot` plus its text
//! summary and data table) and never shows it; tests check the JSON.

use crate::data::Dataset;
use crate::display::{Figure, Table};
use plotly::common::{Mode, Title};
use plotly::layout::{Axis, Layout};
use plotly::{Bar, Plot, Scatter};

/// A layout with a title and named axes (units in the names).
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

/// Sigmoid, tanh and ReLU with their derivatives on z ∈ [-6, 6].
pub fn activations() -> Figure {
    let z: Vec<f64> = (0..=240).map(|i| -6.0 + i as f64 * 0.05).collect();
    let sig = |v: f64| 1.0 / (1.0 + (-v).exp());
    let curves: [(&str, Box<dyn Fn(f64) -> f64>); 6] = [
        ("sigmoid σ(z)", Box::new(sig)),
        (
            "σ'(z) = σ(1−σ), at most 0.25",
            Box::new(move |v| sig(v) * (1.0 - sig(v))),
        ),
        ("tanh(z)", Box::new(f64::tanh)),
        (
            "tanh'(z) = 1 − tanh², at most 1",
            Box::new(|v: f64| 1.0 - v.tanh().powi(2)),
        ),
        ("ReLU max(0, z)", Box::new(|v: f64| v.max(0.0))),
        (
            "ReLU'(z) ∈ {0, 1}",
            Box::new(|v: f64| if v > 0.0 { 1.0 } else { 0.0 }),
        ),
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
    plot.set_layout(layout(
        "Activations and their derivatives",
        "pre-activation z",
        "value",
    ));
    Figure::new(
        plot,
        "Sigmoid's derivative peaks at 0.25 and vanishes at both ends; tanh's peaks at 1 and also vanishes; \
ReLU's is exactly 1 for every z > 0.",
    )
    .with_table(table)
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
