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
}

/// [`SEARCH_RULE`] in Chinese.
pub const SEARCH_RULE_ZH: &str = "验证集准确率最高者；相同时选代价更低的候选（迭代次数或轮数更少，其次 C 或 α 更小），绝不按计时上更快的那次训练来选";

/// The rule of [`validation_search`], in words.
pub const SEARCH_RULE: &str = "the highest validation accuracy; a tie goes to the cheaper candidate \
(fewer iterations or epochs, then a smaller C or α), never to the faster fit on the clock";

/// Runs (or reads from `cache`) a validation search from [`baseline_search`] and picks the
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
