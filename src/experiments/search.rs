//! Validation searches: each candidate fitted on the training part, scored on held-out data.

use super::{learning_curve, Cache, CurveConfig, LearningCurve, ModelSpec, Point};

use crate::error::{Result, TakeoffError};

/// A finished validation search: every candidate's validation accuracy and fit time, the one it
/// picks, and the default's own result.
#[derive(Debug, Clone)]
pub struct Search {
    pub curve: LearningCurve,
    /// The candidate with the highest validation accuracy; a tie goes to the cheaper one by
    /// [`ModelSpec::cost_key`] (never by the clock, so the pick is the same on every run).
    pub chosen: Point,
    /// The chosen candidate's model, to use where the search's choice is applied.
    pub chosen_spec: ModelSpec,
    /// The default's own result, when it is one of the candidates.
    pub default_point: Option<Point>,
    /// Values a grid search added past an edge of its grid because the pick sat there
    /// (axis, value), in the order added ([`grid_search`]).
    pub grown: Grown,
    /// Axes on whose edge the pick still sits after the grid grew as far as it may.
    pub on_edge: Vec<&'static str>,
}

/// [`SEARCH_RULE`] in Chinese.
pub const SEARCH_RULE_ZH: &str = "验证集准确率最高者；相同时选代价更低的候选（迭代次数或轮数更少，其次 C 或 α 更小），绝不按计时上更快的那次训练来选";

/// The rule of [`validation_search`], in words.
pub const SEARCH_RULE: &str = "the highest validation accuracy; a tie goes to the cheaper candidate \
(fewer iterations or epochs, then a smaller C or α), never to the faster fit on the clock";

/// Runs (or reads from `cache`) a validation search (see [`crate::lesson::data_scale::baseline_searches`]) and picks the
/// candidate with the highest validation accuracy, a tie going to the cheaper candidate by
/// [`ModelSpec::cost_key`] ([`SEARCH_RULE`]). `default` is the crate's default for that learner,
/// reported as matching the pick or not. An error when no candidate ran.
pub fn validation_search(config: &CurveConfig, cache: &Cache, default: &ModelSpec) -> Result<Search> {
    let curve = learning_curve(config, cache)?;
    let points = curve.points();
    let cost = |p: &Point| {
        config
            .models
            .iter()
            .find(|(name, _)| name == &p.model)
            .map_or((f64::MAX, f64::MAX), |(_, spec)| spec.cost_key())
    };
    let chosen = points
        .iter()
        .max_by(|a, b| {
            a.mean
                .total_cmp(&b.mean)
                // on equal accuracy the cheaper candidate is the greater
                .then_with(|| {
                    let (ca, cb) = (cost(a), cost(b));
                    cb.0.total_cmp(&ca.0).then(cb.1.total_cmp(&ca.1))
                })
        })
        .cloned()
        .ok_or_else(|| {
            TakeoffError::invalid(
                "validation search",
                "no candidate ran",
                "at least one candidate within its budget",
            )
        })?;
    let default_point = config
        .models
        .iter()
        .find(|(_, spec)| spec == default)
        .and_then(|(name, _)| points.into_iter().find(|p| &p.model == name));
    let chosen_spec = config
        .models
        .iter()
        .find(|(name, _)| name == &chosen.model)
        .map(|(_, spec)| spec.clone())
        .ok_or_else(|| {
            TakeoffError::invalid(
                "validation search",
                format!("a result for {}, which is not a candidate", chosen.model),
                "results only for the search's own candidates",
            )
        })?;
    Ok(Search {
        curve,
        chosen,
        chosen_spec,
        default_point,
        grown: Vec::new(),
        on_edge: Vec::new(),
    })
}

impl Search {
    /// The pick is the default it was checked against.
    pub fn default_matches(&self) -> bool {
        self.default_point
            .as_ref()
            .is_some_and(|d| d.model == self.chosen.model)
    }
}

// ---------------------------------------------------------------- grids that grow off their edges

/// One axis of a search grid: the values tried (increasing), the factor that extends it past
/// either end, and the range it may grow into.
#[derive(Debug, Clone, PartialEq)]
pub struct GridAxis {
    /// What the axis sets, for the reader ("learning rate", "C" …).
    pub name: &'static str,
    /// Values tried, increasing.
    pub values: Vec<f64>,
    /// A new value past an edge is the edge's value times (or divided by) this factor.
    pub factor: f64,
    /// The smallest and largest value the axis may grow to.
    pub limits: (f64, f64),
}

impl GridAxis {
    /// An axis over `values` (increasing), grown by `factor` within `limits`.
    pub fn new(name: &'static str, values: &[f64], factor: f64, limits: (f64, f64)) -> GridAxis {
        GridAxis {
            name,
            values: values.to_vec(),
            factor,
            limits,
        }
    }
}

/// A value rounded to three significant digits, so that 3e-4 / 3 reads 1e-4.
fn three_digits(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powf(2.0 - v.abs().log10().floor());
    (v * scale).round() / scale
}

/// Where a pick at `chosen` (one value per axis) sits on an edge of `axes`, the axes grown by one
/// value past that edge (within their limits), and what was added: (axis, value) pairs. An
/// axis of one value is not searched and never grows. `None` when the pick is off every edge
/// it may grow past.
pub fn grow_off_edges(axes: &[GridAxis], chosen: &[f64]) -> Option<(Vec<GridAxis>, Grown)> {
    let mut grown = axes.to_vec();
    let mut added = Vec::new();
    for (axis, &c) in grown.iter_mut().zip(chosen) {
        if axis.values.len() < 2 {
            continue;
        }
        let (lo, hi) = (axis.values[0], axis.values[axis.values.len() - 1]);
        if c == lo {
            let v = three_digits(lo / axis.factor);
            if v >= axis.limits.0 {
                axis.values.insert(0, v);
                added.push((axis.name, v));
            }
        } else if c == hi {
            let v = three_digits(hi * axis.factor);
            if v <= axis.limits.1 {
                axis.values.push(v);
                added.push((axis.name, v));
            }
        }
    }
    (!added.is_empty()).then_some((grown, added))
}

/// Every point of the grid, first axis slowest.
fn grid_points(axes: &[GridAxis]) -> Vec<Vec<f64>> {
    axes.iter().fold(vec![Vec::new()], |points, axis| {
        points
            .iter()
            .flat_map(|p| {
                axis.values.iter().map(move |&v| {
                    let mut q = p.clone();
                    q.push(v);
                    q
                })
            })
            .collect()
    })
}

/// The most times a search grows its grid before it stops and says the pick is still on an edge.
pub const MAX_GROWTHS: usize = 3;

/// A validation search over a grid whose pick is never left on an edge it may grow past: the
/// search of [`validation_search`] over every point of `axes` (each made into a named candidate
/// by `candidate`, fitted as `base` fits: its data, size and seed); when the pick sits on an edge
/// of an axis, that axis grows by one value past the edge ([`grow_off_edges`]) and the search
/// runs again (the candidates already fitted come from `cache`), at most [`MAX_GROWTHS`] times.
/// The returned search records what was added and any edge the pick is still on.
pub fn grid_search(
    base: &CurveConfig,
    axes: &[GridAxis],
    candidate: impl Fn(&[f64]) -> Result<(String, ModelSpec)>,
    cache: &Cache,
    default: &ModelSpec,
) -> Result<Search> {
    let (mut search, grown, on_edge) = growing(axes, |axes| {
        let points = grid_points(axes);
        let named = points.iter().map(|p| candidate(p)).collect::<Result<Vec<_>>>()?;
        let config = CurveConfig {
            models: named.clone(),
            ..base.clone()
        };
        let search = validation_search(&config, cache, default)?;
        let at = named
            .iter()
            .position(|(n, _)| *n == search.chosen.model)
            .map(|i| points[i].clone())
            .unwrap_or_default();
        Ok((search, at))
    })?;
    search.grown = grown;
    search.on_edge = on_edge;
    Ok(search)
}

/// Values added to a grid: (axis, value), in the order added.
pub type Grown = Vec<(&'static str, f64)>;

/// The loop of [`grid_search`]: `run` searches a grid and returns its result and the pick's
/// point; while the pick sits on an edge the grid may grow past, the grid grows and `run` runs
/// again, at most [`MAX_GROWTHS`] times. Returns the last result, the values added and the
/// edges the pick is still on.
fn growing<S>(
    axes: &[GridAxis],
    mut run: impl FnMut(&[GridAxis]) -> Result<(S, Vec<f64>)>,
) -> Result<(S, Grown, Vec<&'static str>)> {
    let mut axes = axes.to_vec();
    let mut grown = Vec::new();
    let mut rounds = 0;
    loop {
        let (result, at) = run(&axes)?;
        match grow_off_edges(&axes, &at) {
            Some((next, added)) if rounds < MAX_GROWTHS => {
                grown.extend(added);
                axes = next;
                rounds += 1;
            }
            _ => return Ok((result, grown, edges_of(&axes, &at))),
        }
    }
}

/// The axes (of more than one value) on whose edge `at` sits.
fn edges_of(axes: &[GridAxis], at: &[f64]) -> Vec<&'static str> {
    axes.iter()
        .zip(at)
        .filter(|(a, &c)| a.values.len() > 1 && (c == a.values[0] || c == a.values[a.values.len() - 1]))
        .map(|(a, _)| a.name)
        .collect()
}

#[cfg(test)]
mod grid_tests {
    use super::*;

    fn axes() -> Vec<GridAxis> {
        vec![
            GridAxis::new("learning rate", &[3e-4, 1e-3, 3e-3], 3.0, (1e-5, 0.1)),
            GridAxis::new("iterations", &[10.0, 30.0, 100.0], 3.0, (1.0, 300.0)),
        ]
    }

    #[test]
    fn a_pick_inside_the_grid_grows_nothing() {
        assert!(grow_off_edges(&axes(), &[1e-3, 30.0]).is_none());
    }

    #[test]
    fn a_pick_on_an_edge_grows_that_axis_past_it_only() {
        let (grown, added) = grow_off_edges(&axes(), &[3e-4, 30.0]).unwrap();
        assert_eq!(added, vec![("learning rate", 1e-4)]);
        assert_eq!(grown[0].values, vec![1e-4, 3e-4, 1e-3, 3e-3]);
        assert_eq!(grown[1].values, axes()[1].values);
        // both edges at once
        let (_, added) = grow_off_edges(&axes(), &[3e-3, 10.0]).unwrap();
        assert_eq!(added, vec![("learning rate", 9e-3), ("iterations", 3.33)]);
    }

    #[test]
    fn an_axis_stops_at_its_limit_and_a_single_value_is_not_searched() {
        // 100 × 3 = 300 is allowed, then 900 is past the limit
        let (grown, _) = grow_off_edges(&axes(), &[1e-3, 100.0]).unwrap();
        assert!(grow_off_edges(&grown, &[1e-3, 300.0]).is_none());
        let single = vec![GridAxis::new("C", &[1.0], 10.0, (0.0, 1e9))];
        assert!(grow_off_edges(&single, &[1.0]).is_none());
        assert_eq!(edges_of(&single, &[1.0]), Vec::<&str>::new());
    }

    /// A made-up search over learning rates whose accuracy peaks at `peak`: the pick's point
    /// and how many times the grid was searched.
    fn made_up_search(peak: f64) -> (f64, usize, Grown, Vec<&'static str>) {
        let axes = vec![GridAxis::new(
            "learning rate",
            &[3e-4, 1e-3, 3e-3],
            3.0,
            (1e-6, 0.1),
        )];
        let mut runs = 0;
        let (picked, grown, edge) = growing(&axes, |axes| {
            runs += 1;
            let best = grid_points(axes)
                .into_iter()
                .max_by(|a, b| {
                    let score = |p: &Vec<f64>| -(p[0].ln() - peak.ln()).abs();
                    score(a).total_cmp(&score(b))
                })
                .unwrap();
            Ok((best[0], best))
        })
        .unwrap();
        (picked, runs, grown, edge)
    }

    #[test]
    fn a_search_grows_until_its_pick_is_off_the_edge() {
        // inside the grid: searched once
        assert_eq!(made_up_search(1e-3), (1e-3, 1, vec![], vec![]));
        // a peak just below: one value added, found, then one more to show it is a peak
        let (picked, runs, grown, edge) = made_up_search(1e-4);
        assert_eq!(picked, 1e-4);
        assert_eq!(runs, 3);
        assert_eq!(grown, vec![("learning rate", 1e-4), ("learning rate", 3.33e-5)]);
        assert!(edge.is_empty());
        // far below: the grid stops growing after MAX_GROWTHS and the edge is reported
        let (picked, runs, grown, edge) = made_up_search(1e-9);
        assert_eq!((runs, grown.len()), (MAX_GROWTHS + 1, MAX_GROWTHS));
        assert!(picked < 2e-5, "{picked}");
        assert_eq!(edge, vec!["learning rate"]);
        // the limit stops it before MAX_GROWTHS
        let axes = vec![GridAxis::new("C", &[1.0, 10.0, 100.0], 10.0, (1.0, 1000.0))];
        let (_, grown, edge) = growing(&axes, |a| Ok(((), vec![*a[0].values.last().unwrap()]))).unwrap();
        assert_eq!(grown, vec![("C", 1000.0)]);
        assert_eq!(edge, vec!["C"]);
    }
}
