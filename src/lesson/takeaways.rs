//! Chapter 4: the success formula, one measured line per term, from the chapters' results.

use crate::error::{Result, TakeoffError};
use crate::experiments::claims::{decide, noise};
use crate::experiments::race::Race;
use crate::experiments::{Claim, LearningCurve, Point, Verdict};
use crate::models::activation::Activation;

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

/// What a render found, one paragraph per task, written from its claims' verdicts (never typed):
/// see [`findings`].
#[derive(Debug, Clone, PartialEq)]
pub struct Findings {
    pub paragraphs: Vec<crate::lang::Text>,
}

/// One paragraph on what `claims` (decided on `curve`) found: how many claims hold, do not hold,
/// are not shown or not tested; each claim with its verdict, the size it was decided at and its
/// difference against the noise; and the run's limits: its sizes, its seeds, the learners that
/// stopped before the largest size and why, the profile and the cores that ran it.
pub fn findings(curve: &LearningCurve, claims: &[Claim], profile: crate::Profile) -> crate::lang::Text {
    use crate::lang::{name, Lang, Text};
    let count = |f: fn(&Verdict) -> bool| claims.iter().filter(|c| f(&c.verdict)).count();
    let holds = count(|v| *v == Verdict::Holds);
    let fails = count(|v| *v == Verdict::DoesNotHold);
    let unclear = count(|v| *v == Verdict::NotShown);
    let untested = count(|v| matches!(v, Verdict::NotTested { .. }));
    let (lo, hi) = (
        curve.sizes.first().copied().unwrap_or(0),
        curve.sizes.last().copied().unwrap_or(0),
    );
    let seeds = curve.points().iter().map(|p| p.seeds).max().unwrap_or(0);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let item = |c: &Claim, l: Lang| -> String {
        let verdict = c.verdict.label_in(l);
        let claim = c.claim.get(l);
        match (c.m.map(crate::text::thousands), c.margin, l) {
            (Some(m), Some((d, n)), Lang::En) => format!(
                "“{claim}”: {verdict} at m = {m} ({:+.1} points against a noise of {:.1})",
                d * 100.0,
                n * 100.0
            ),
            (Some(m), Some((d, n)), Lang::Zh) => format!(
                "“{claim}”：{verdict}（m = {m}，差 {:+.1} 个百分点，误差范围 {:.1} 个百分点）",
                d * 100.0,
                n * 100.0
            ),
            (Some(m), None, Lang::En) => format!("“{claim}”: {verdict} at m = {m}"),
            (Some(m), None, Lang::Zh) => format!("“{claim}”：{verdict}（m = {m}）"),
            (None, _, Lang::En) => format!("“{claim}”: {verdict}"),
            (None, _, Lang::Zh) => format!("“{claim}”：{verdict}"),
        }
    };
    // the learners that stopped before the largest size, and why
    let stopped: Vec<Text> = curve
        .models
        .iter()
        .filter_map(|model| {
            let last = curve.last_point(model)?;
            (last.m < hi).then(|| curve.stopped_at(model, last.m))
        })
        .collect();
    let task = &curve.task;
    let en_items: Vec<String> = claims.iter().map(|c| item(c, Lang::En)).collect();
    let zh_items: Vec<String> = claims.iter().map(|c| item(c, Lang::Zh)).collect();
    let en_stops = if stopped.is_empty() {
        "Every learner ran up to the largest m.".to_string()
    } else {
        let s: Vec<&str> = stopped.iter().map(|t| t.en.as_str()).collect();
        format!("{}.", s.join("; "))
    };
    let zh_stops = if stopped.is_empty() {
        "每种算法都运行到了最大的 m。".to_string()
    } else {
        let s: Vec<&str> = stopped.iter().map(|t| t.zh.as_str()).collect();
        format!("{}。", s.join("；"))
    };
    Text::new(
        format!(
            "{task}: {holds} of {n} claims hold, {fails} do not hold, {unclear} are not shown (inside the noise), {untested} not tested. {}. Limits of this run: m from {lo} to {hi}, {seeds} {}, the {profile} profile, on this machine's {cores} cores. {en_stops}",
            en_items.join("; "),
            if seeds == 1 { "seed" } else { "seeds" },
            n = claims.len(),
            lo = crate::text::thousands(lo),
            hi = crate::text::thousands(hi),
        ),
        crate::lang::spaced(&format!(
            "{}：{n} 条结论中 {holds} 条成立，{fails} 条不成立，{unclear} 条差别不显著（在误差范围内），{untested} 条未检验。{}。本次运行的范围：m 从 {lo} 到 {hi}，{seeds} 个种子，{profile} 配置，本机 {cores} 个核心。{zh_stops}",
            name(task, Lang::Zh),
            zh_items.join("；"),
            n = claims.len(),
            lo = crate::text::thousands(lo),
            hi = crate::text::thousands(hi),
        )),
    )
}

impl Findings {
    /// The findings of each (curve, its claims), one paragraph each.
    pub fn of(tasks: &[(&LearningCurve, &[Claim])], profile: crate::Profile) -> Findings {
        Findings {
            paragraphs: tasks
                .iter()
                .map(|(c, claims)| findings(c, claims, profile))
                .collect(),
        }
    }
}
