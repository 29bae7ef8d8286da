//! Learning curves: every (model, m, seed) run, from the cache when it holds the run.

use super::{cache::run_key, fingerprint, run_one, Cache, ModelSpec, Outcome, PowerLaw, Run, Scores};

use crate::data::Dataset;
use crate::error::{Result, TakeoffError};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// What a learning curve is run on and with.
#[derive(Debug, Clone)]
pub struct CurveConfig {
    /// Pool of training examples; each run takes a nested stratified subsample of size m.
    pub train: Dataset,
    /// Held-out test set, the same for every run.
    pub test: Dataset,
    /// Held-out validation examples (drawn apart from the pool and the test set), scored by every
    /// run when present: what a "best of" table picks on, so it never picks on the test set it
    /// reports.
    pub validation: Option<Dataset>,
    /// Named models.
    pub models: Vec<(String, ModelSpec)>,
    /// Training-set sizes (ascending).
    pub sizes: Vec<usize>,
    /// One run per seed for each (model, m).
    pub seeds: Vec<u64>,
    /// Best achievable accuracy, when known (the teacher task's).
    pub ceiling: Option<f64>,
}

impl CurveConfig {
    /// The spec of the model named `name`; an error naming the configuration's models otherwise.
    pub fn spec(&self, name: &str) -> Result<&ModelSpec> {
        self.models
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s)
            .ok_or_else(|| {
                let names: Vec<&str> = self.models.iter().map(|(n, _)| n.as_str()).collect();
                TakeoffError::invalid("model name", name, format!("one of: {}", names.join(", ")))
            })
    }
}

/// `n` sizes spaced evenly on a log scale from `lo` to `hi` (rounded, distinct).
pub fn log_sizes(lo: usize, hi: usize, n: usize) -> Vec<usize> {
    if n <= 1 || hi <= lo {
        return vec![hi.max(lo)];
    }
    let (a, b) = ((lo as f64).ln(), (hi as f64).ln());
    let mut v: Vec<usize> = (0..n)
        .map(|i| (a + (b - a) * i as f64 / (n - 1) as f64).exp().round() as usize)
        .collect();
    v.dedup();
    v
}

/// Results of a learning curve.
#[derive(Debug, Clone)]
pub struct LearningCurve {
    pub task: String,
    pub runs: Vec<Run>,
    pub ceiling: Option<f64>,
    pub models: Vec<String>,
    pub sizes: Vec<usize>,
    /// Examples in the test set every run is scored on (for the test set's standard error).
    pub test_size: usize,
}

/// At each m, the best model on engineered features and the best on raw inputs
/// (see [`LearningCurve::best_of_each`]).
#[derive(Debug, Clone, PartialEq)]
pub struct BestOfEach {
    /// (m, best engineered, best raw), by increasing m.
    pub rows: Vec<(usize, Point, Point)>,
}

/// Mean and spread over seeds at one (model, m).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub model: String,
    pub m: usize,
    pub mean: f64,
    pub std: f64,
    pub min: f64,
    pub max: f64,
    pub train_mean: f64,
    pub seconds_mean: f64,
    pub seeds: usize,
    /// Mean validation accuracy over the seeds, when every run was scored on validation data.
    #[serde(default)]
    pub validation_mean: Option<f64>,
}

impl LearningCurve {
    /// An error when a name is not one of this curve's models (a typo would drop a claim).
    pub fn check_names(&self, names: &[&str]) -> Result<()> {
        match names.iter().find(|n| !self.models.iter().any(|m| m == *n)) {
            Some(n) => Err(TakeoffError::invalid(
                "model name",
                n,
                format!("one of this curve's models: {}", self.models.join(", ")),
            )),
            None => Ok(()),
        }
    }

    /// At each m where both sides ran, the best of the `engineered` models against the best of
    /// the `raw` ones, each picked on **validation** accuracy (the config's validation set) and
    /// reported with its test accuracy. A name that is not one of the curve's models is an error,
    /// and so is a curve whose runs were not scored on validation data (picking on the test set
    /// would report a best that was chosen by the very numbers it shows).
    pub fn best_of_each(&self, engineered: &[&str], raw: &[&str]) -> Result<BestOfEach> {
        self.check_names(engineered)?;
        self.check_names(raw)?;
        let pts = self.points();
        if let Some(p) = pts.iter().find(|p| {
            (engineered.contains(&p.model.as_str()) || raw.contains(&p.model.as_str()))
                && p.validation_mean.is_none()
        }) {
            return Err(TakeoffError::invalid(
                "validation scores",
                format!("{} at m = {} has none", p.model, p.m),
                "a curve whose config has a validation set (CurveConfig::validation), so the best is picked on it and not on the test set",
            ));
        }
        let best = |names: &[&str], m: usize| {
            pts.iter()
                .filter(|p| p.m == m && names.contains(&p.model.as_str()))
                .max_by(|a, b| {
                    a.validation_mean
                        .unwrap_or(0.0)
                        .total_cmp(&b.validation_mean.unwrap_or(0.0))
                })
                .cloned()
        };
        let rows = self
            .sizes
            .iter()
            .filter_map(|&m| Some((m, best(engineered, m)?, best(raw, m)?)))
            .collect();
        Ok(BestOfEach { rows })
    }

    /// Test accuracy per (model, m), averaged over seeds; runs not run are left out.
    pub fn points(&self) -> Vec<Point> {
        let mut out = Vec::new();
        for model in &self.models {
            for &m in &self.sizes {
                let s: Vec<Scores> = self
                    .runs
                    .iter()
                    .filter(|r| &r.model == model && r.m == m)
                    .filter_map(|r| match r.outcome {
                        Outcome::Ran(s) => Some(s),
                        _ => None,
                    })
                    .collect();
                if s.is_empty() {
                    continue;
                }
                let n = s.len() as f64;
                let acc: Vec<f64> = s.iter().map(|x| x.test_accuracy).collect();
                let mean = acc.iter().sum::<f64>() / n;
                let std = (acc.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / n).sqrt();
                out.push(Point {
                    model: model.clone(),
                    m,
                    mean,
                    std,
                    min: acc.iter().cloned().fold(f64::MAX, f64::min),
                    max: acc.iter().cloned().fold(f64::MIN, f64::max),
                    train_mean: s.iter().map(|x| x.train_accuracy).sum::<f64>() / n,
                    seconds_mean: s.iter().map(|x| x.fit_seconds).sum::<f64>() / n,
                    seeds: s.len(),
                    validation_mean: s
                        .iter()
                        .map(|x| x.validation_accuracy)
                        .sum::<Option<f64>>()
                        .map(|v| v / n),
                });
            }
        }
        out
    }

    /// The point of `model` at `m`, if it ran.
    pub fn point(&self, model: &str, m: usize) -> Option<Point> {
        self.points().into_iter().find(|p| p.model == model && p.m == m)
    }

    /// The largest m at which `model` ran.
    pub fn last_point(&self, model: &str) -> Option<Point> {
        self.points()
            .into_iter()
            .filter(|p| p.model == model)
            .max_by_key(|p| p.m)
    }

    /// Runs that were not run, with their reasons.
    pub fn not_run(&self) -> Vec<(String, usize, crate::lang::Text)> {
        let mut v: Vec<(String, usize, crate::lang::Text)> = self
            .runs
            .iter()
            .filter_map(|r| match &r.outcome {
                Outcome::NotRun { reason } => Some((r.model.clone(), r.m, reason.clone())),
                _ => None,
            })
            .collect();
        v.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        v
    }

    /// Every run that was not run and why, one sentence each, for the reader (or a sentence
    /// saying that every run ran).
    pub fn not_run_note(&self) -> crate::lang::Text {
        let missing = self.not_run();
        if missing.is_empty() {
            return crate::lang::Text::new(
                "Every model ran at every size.",
                "每个模型都在每个数据量上运行了。",
            );
        }
        let en: Vec<&str> = missing.iter().map(|(_, _, t)| t.en.as_str()).collect();
        let zh: Vec<&str> = missing.iter().map(|(_, _, t)| t.zh.as_str()).collect();
        crate::lang::Text::new(en.join(". ") + ".", zh.join("。") + "。")
    }

    /// A power law fitted to `model`'s test error on every size but the largest, and how far
    /// its prediction for the largest size is from the measurement: (law, predicted, measured).
    pub fn extrapolate(&self, model: &str) -> Result<(PowerLaw, f64, f64)> {
        let pts: Vec<Point> = self.points().into_iter().filter(|p| p.model == model).collect();
        if pts.len() < 3 {
            return Err(TakeoffError::invalid(
                "sizes run for a power-law check",
                pts.len(),
                "at least 3 (two to fit, one to check)",
            ));
        }
        let (fit, last) = pts.split_at(pts.len() - 1);
        let law = PowerLaw::fit(&fit.iter().map(|p| (p.m, 1.0 - p.mean)).collect::<Vec<_>>())?;
        Ok((law, law.predict(last[0].m), 1.0 - last[0].mean))
    }

    /// [`Self::extrapolate`] for each of `models`, one sentence each: the law, the prediction for
    /// the largest m and how far it is from the measurement (or why no law could be fitted).
    pub fn extrapolations(&self, models: &[&str]) -> crate::lang::Text {
        use crate::lang::{name, Lang, Text};
        let mut out = Text::same("");
        for &model in models {
            let zh = name(model, Lang::Zh);
            let line = match self.extrapolate(model) {
                Ok((law, predicted, measured)) => {
                    let (a, b, p, m, off) = (
                        law.a,
                        law.b,
                        predicted * 100.0,
                        measured * 100.0,
                        (predicted - measured) * 100.0,
                    );
                    Text::new(
                        format!("{model}: error ≈ {a:.2}·m^(−{b:.3}); predicted error at the largest m {p:.1}%, measured {m:.1}% (off by {off:+.1} points)."),
                        format!("{zh}：误差 ≈ {a:.2}·m^(−{b:.3})；预测最大 m 处的误差为 {p:.1}%，实测 {m:.1}%（相差 {off:+.1} 个百分点）。"),
                    )
                }
                Err(e) => Text::new(format!("{model}: {e}."), format!("{zh}：无法拟合幂律（{e}）。")),
            };
            out = out.then(&line);
        }
        out
    }

    /// This curve and `other` (same sizes) as one, e.g. raw pixels and engineered features. The
    /// task keeps this curve's name when `other` is the same data seen another way (its name
    /// starts with this one's: "Fashion-MNIST (train) (HOG)" after "Fashion-MNIST"), else both.
    pub fn merge(mut self, other: LearningCurve) -> LearningCurve {
        if !other.task.starts_with(&self.task) {
            self.task = format!("{} and {}", self.task, other.task);
        }
        // the smaller test set has the larger standard error: the noise rule stays on the safe side
        self.test_size = self.test_size.min(other.test_size);
        self.runs.extend(other.runs);
        self.models.extend(other.models);
        for m in other.sizes {
            if !self.sizes.contains(&m) {
                self.sizes.push(m);
            }
        }
        self.sizes.sort_unstable();
        self
    }

    /// How many runs came from the cache.
    pub fn cached_runs(&self) -> usize {
        self.runs.iter().filter(|r| r.cached).count()
    }
}

/// How a learning curve schedules its fits, for the captions of the charts that show their times.
pub const SCHEDULE: (&str, &str) = (
    "Each time is measured as the fit ran: linfa's learners and the fully connected nets side by side, one fit per core (a net still running when the other cores have no fit left gets their help); the convolutional net alone, on every core.",
    "每个用时都按训练实际运行的方式测得：linfa 的学习器和全连接网络并排运行，每个核心一个训练（其他核心没有训练可做时，仍在运行的网络会得到它们的帮助）；卷积网络单独运行，占用全部核心。",
);

/// Runs every (model, m, seed) not already in `cache`: linfa's learners and the fully connected
/// nets side by side, one fit per core, the largest m first (see [`SCHEDULE`]); then the
/// convolutional nets one at a time on every core. Prints one line per finished run.
pub fn learning_curve(config: &CurveConfig, cache: &Cache) -> Result<LearningCurve> {
    if config.sizes.is_empty() || config.seeds.is_empty() || config.models.is_empty() {
        return Err(TakeoffError::invalid(
            "learning curve",
            format!(
                "{} models × {} sizes × {} seeds",
                config.models.len(),
                config.sizes.len(),
                config.seeds.len()
            ),
            "at least one of each",
        ));
    }
    if let Some(&m) = config.sizes.iter().find(|&&m| m == 0 || m > config.train.len()) {
        return Err(TakeoffError::invalid(
            "m",
            m,
            format!("sizes between 1 and the {} training examples", config.train.len()),
        ));
    }
    let train_fp = fingerprint(&config.train);
    // the validation set is part of what a run scores, so part of its key
    let test_fp = match &config.validation {
        Some(v) => format!("{}+validation {}", fingerprint(&config.test), fingerprint(v)),
        None => fingerprint(&config.test),
    };
    let mut jobs = Vec::new();
    // (model, m, seed) runs that repeat the first seed's: a learner without a seed of its own at
    // m = every example of the pool, where every seed's subsample holds the same examples
    let mut repeats = Vec::new();
    for (name, spec) in &config.models {
        for &m in &config.sizes {
            for (i, &seed) in config.seeds.iter().enumerate() {
                if i > 0 && m == config.train.len() && !spec.has_seed() {
                    repeats.push((name.clone(), m, seed));
                    continue;
                }
                let key = run_key(&config.train.name, &train_fp, &test_fp, spec, m, seed);
                jobs.push((name.clone(), spec.clone(), m, seed, key));
            }
        }
    }
    let started = Instant::now();
    let total = jobs.len();
    if !repeats.is_empty() {
        println!(
            "{} runs at m = {} (every example) share the first seed's fit: logistic regression and the SVM have no seed of their own",
            repeats.len(),
            config.train.len()
        );
    }
    let done = std::sync::atomic::AtomicUsize::new(0);
    let work = |(name, spec, m, seed, key): &(String, ModelSpec, usize, u64, String)| -> Result<Run> {
        if let Some(run) = cache.get(key) {
            done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            return Ok(run);
        }
        let run = run_one(config, name, spec, *m, *seed)?;
        cache.put(key, &run)?;
        let k = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        let what = match &run.outcome {
            // named by the set it was scored on: a search's runs score held-out training
            // examples, never the test set, and the line must not say otherwise
            Outcome::Ran(s) => format!(
                "acc {:5.1}% on {}  ({:.1} s)",
                s.test_accuracy * 100.0,
                config.test.name,
                s.fit_seconds
            ),
            Outcome::NotRun { .. } => "not run: over budget".to_string(),
        };
        println!(
            "[{k}/{total}] {name:<22} m = {m:<6} seed {seed}  {what}  elapsed {:.0} s",
            started.elapsed().as_secs_f64()
        );
        Ok(run)
    };
    let (mut side_by_side, alone): (Vec<_>, Vec<_>) = jobs.iter().partition(|j| j.1.runs_side_by_side());
    // Largest m first, each core taking the next job as it frees up (`par_bridge` hands them out
    // one at a time, in this order): the last jobs to start are the short ones, so the cores
    // finish close together. A net's own parallel work runs on the pool too: while both cores
    // fit, each fit keeps its products on its own core; when one core has no job left, it helps
    // the other's fit. The thread count changes no result bit, so neither does the schedule.
    side_by_side.sort_by_key(|j| std::cmp::Reverse(j.2));
    let mut runs: Vec<Run> = side_by_side
        .into_iter()
        .par_bridge()
        .map(&work)
        .collect::<Result<Vec<_>>>()?;
    for j in alone {
        runs.push(work(j)?);
    }
    for (name, m, seed) in repeats {
        let first = runs
            .iter()
            .find(|r| r.model == name && r.m == m && r.seed == config.seeds[0])
            .cloned()
            .expect("the first seed's run is among the jobs");
        runs.push(Run { seed, ..first });
    }
    // a stable order, whatever finished first
    let order = |r: &Run| {
        (
            config
                .models
                .iter()
                .position(|(n, _)| n == &r.model)
                .unwrap_or(usize::MAX),
            r.m,
            r.seed,
        )
    };
    runs.sort_by_key(order);
    // counted over every run behind the curve, a seed that shares its first seed's fit included
    // (an SVM whose subsample the seed cannot change), so "from the cache" never exceeds "runs"
    let cached = runs.iter().filter(|r| r.cached).count();
    println!(
        "learning curve on {}: {} runs, {cached} from the cache, {:.0} s",
        config.train.name,
        runs.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(LearningCurve {
        // the task, not the part of it the runs trained on: a curve reports test accuracy
        task: config.train.name.trim_end_matches(" (train)").to_string(),
        runs,
        ceiling: config.ceiling,
        models: config.models.iter().map(|(n, _)| n.clone()).collect(),
        sizes: config.sizes.clone(),
        test_size: config.test.len(),
    })
}
