//! Chapter 4: the success formula, one measured line per term, from the chapters' results.

use crate::error::{Result, TakeoffError};
use crate::experiments::claims::{decide, noise};
use crate::experiments::race::Race;
use crate::experiments::{LearningCurve, Point, Verdict};
use crate::mlp::Activation;

/// Big data × big model as a 2 × 2: the small and the large net at the smallest and the largest
/// m where both ran. The claim "data helps the big model more" is decided by the claims' noise
/// rule on the difference of the two gains.
#[derive(Debug, Clone, PartialEq)]
pub struct DataTimesModel {
    pub task: String,
    /// The small net at the smallest and the largest common m.
    pub small: (Point, Point),
    /// The large net at the same two sizes.
    pub large: (Point, Point),
    pub noise: f64,
    pub verdict: Verdict,
}

impl DataTimesModel {
    /// Accuracy gained from the smallest to the largest m: (small net, large net).
    pub fn gains(&self) -> (f64, f64) {
        (
            self.small.1.mean - self.small.0.mean,
            self.large.1.mean - self.large.0.mean,
        )
    }
}

/// The best test accuracy on the curve among fits that took at most `limit_seconds` (infinite:
/// any fit), on this machine.
#[derive(Debug, Clone, PartialEq)]
pub struct ComputeBudget {
    pub limit_seconds: f64,
    pub best: Point,
}

/// The algorithms term: each activation's mean steps to the race's target error (`None`: not
/// reached), at its own searched learning rate.
#[derive(Debug, Clone, PartialEq)]
pub struct AlgorithmTerm {
    pub target_error: f64,
    pub seeds: usize,
    pub steps: Vec<(Activation, Option<f64>)>,
    /// The race it comes from (its net and task).
    pub source: crate::lang::Text,
}

/// The success formula, measured: see [`success_formula`].
#[derive(Debug, Clone, PartialEq)]
pub struct SuccessFormula {
    pub data_times_model: DataTimesModel,
    pub compute: Vec<ComputeBudget>,
    pub algorithms: AlgorithmTerm,
}

/// The success formula, one measured line per term, from the chapters' own results:
/// big data × big model as a 2 × 2 (the small and the large net at the smallest and the
/// largest m where both ran: does data help the big model more?), decided by the claims'
/// noise rule; compute as the best accuracy each fit-time budget (1 s, 10 s, any) bought on the
/// curve; good algorithms from the tuned activation race (steps to its target error).
pub fn success_formula(
    curve: &LearningCurve,
    small: &str,
    large: &str,
    race: &Race,
) -> Result<SuccessFormula> {
    curve.check_names(&[small, large])?;
    let both = curve.common_sizes(&[small, large]);
    let (Some(&lo), Some(&hi)) = (both.first(), both.last()) else {
        return Err(TakeoffError::invalid(
            "learning curve",
            format!("{small} and {large} never ran at the same size"),
            "a curve on which both nets ran at two sizes or more",
        ));
    };
    let p = |n: &str, m: usize| curve.point(n, m).expect("both ran at these sizes");
    let (s0, s1, l0, l1) = (p(small, lo), p(small, hi), p(large, lo), p(large, hi));
    let n = noise(&[&s0, &s1, &l0, &l1], curve.test_size);
    let verdict = decide((l1.mean - l0.mean) - (s1.mean - s0.mean), n);
    let points = curve.points();
    let compute = [1.0, 10.0, f64::INFINITY]
        .iter()
        .filter_map(|&limit_seconds| {
            let best = points
                .iter()
                .filter(|p| p.seconds_mean <= limit_seconds)
                .max_by(|a, b| a.mean.total_cmp(&b.mean))?;
            Some(ComputeBudget {
                limit_seconds,
                best: best.clone(),
            })
        })
        .collect();
    let target_error = race.target_error;
    let algorithms = AlgorithmTerm {
        target_error,
        seeds: race.lanes.first().map_or(0, |l| l.histories.len()),
        steps: race
            .lanes
            .iter()
            .map(|l| (l.activation, l.mean_steps_to(target_error).0))
            .collect(),
        source: crate::lang::Text::new(
            format!("the activation race of chapter 3 ({}, {})", race.net, race.task),
            format!(
                "第 3 章的激活函数竞赛（{}，{}）",
                race.net,
                crate::lang::name(&race.task, crate::lang::Lang::Zh)
            ),
        ),
    };
    Ok(SuccessFormula {
        data_times_model: DataTimesModel {
            task: curve.task.clone(),
            small: (s0, s1),
            large: (l0, l1),
            noise: n,
            verdict,
        },
        compute,
        algorithms,
    })
}
