//! Experiments behind the lesson's claims: a learning curve (models × sizes × seeds) run in
//! parallel where that does not oversubscribe the cores and cached on disk, so that a re-render
//! or a remix recomputes only the runs that changed; the rules that decide claims on it; the
//! validation searches; the activation races; the hardware measurements of chapter 2.
//!
//! | what | module |
//! |---|---|
//! | one model behind one set of verbs, one (model, m, seed) run | this module |
//! | learning curves | [`curve`] |
//! | the on-disk cache and its keys | [`cache`] |
//! | claims decided at equal m, beyond the noise | [`claims`] |
//! | validation searches | [`search`] |
//! | power-law fits of error against m | [`power_law`] |
//! | activation races (steps and seconds to a training error) | [`race`] |
//! | gradient norms by depth at initialisation | [`gradients`] |
//! | the machine measured: matrix products, FMA peak, epoch costs, threads | [`hardware`] |

pub mod cache;
pub mod claims;
pub mod curve;
pub mod gradients;
pub mod hardware;
pub mod power_law;
pub mod race;
pub mod search;

pub use cache::{fingerprint, value_key, Cache};
pub use claims::{Claim, Verdict, NOISE_RULE};
pub use curve::{learning_curve, log_sizes, BestOfEach, CurveConfig, LearningCurve, Point, SCHEDULE};
pub use power_law::PowerLaw;
pub use search::{validation_search, Search, SEARCH_RULE};

use crate::data::{Dataset, Standardizer};
use crate::error::{Result, TakeoffError};
use crate::models::baselines::{LogisticParams, SvmParams};
use crate::models::conv::ConvParams;
use crate::models::mlp::MlpParams;
use linfa::ParamGuard;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// A model to fit: any of the crate's learners, behind one set of verbs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ModelSpec {
    Logistic(LogisticParams),
    Svm(SvmParams),
    /// An MLP; its sample budget ([`MlpParams::min_samples`]) gives nets at small m enough
    /// gradient steps.
    Mlp(MlpParams),
    /// A convolutional net, for images.
    Conv(ConvParams),
}

impl ModelSpec {
    /// A cost that does not depend on the clock, for breaking ties between equally accurate
    /// candidates (smaller is cheaper): (iterations or epochs, then C for the SVM or α for
    /// logistic regression, since a larger C makes the solver work longer and a smaller α
    /// regularises less).
    /// Unchecked parameters (which no run accepts) cost the most.
    pub fn cost_key(&self) -> (f64, f64) {
        let most = (f64::INFINITY, f64::INFINITY);
        match self {
            ModelSpec::Logistic(p) => p
                .check_ref()
                .map_or(most, |p| (p.max_iterations() as f64, -p.alpha())),
            ModelSpec::Svm(p) => p.check_ref().map_or(most, |p| (0.0, p.c())),
            ModelSpec::Mlp(p) => p
                .check_ref()
                .map_or(most, |p| (p.train().epochs_for(1) as f64, 0.0)),
            ModelSpec::Conv(p) => p
                .check_ref()
                .map_or(most, |p| (p.train().epochs_for(1) as f64, 0.0)),
        }
    }

    /// The same net with another learning rate (an error for a traditional learner, which has none).
    pub fn with_learning_rate(&self, lr: f64) -> Result<ModelSpec> {
        match self {
            ModelSpec::Mlp(p) => Ok(ModelSpec::Mlp(p.clone().learning_rate(lr))),
            ModelSpec::Conv(p) => Ok(ModelSpec::Conv(p.clone().learning_rate(lr))),
            _ => Err(TakeoffError::invalid(
                "learning rate",
                lr,
                "a net (MLP or convolutional): logistic regression and the SVM have no learning rate",
            )),
        }
    }

    /// True for learners that a learning curve fits side by side, one per core: linfa's learners
    /// (one core each by construction) and the fully connected nets: two nets side by side on one
    /// thread each train more samples a second than one net on every thread, since a step's short
    /// element-wise passes and its narrow products leave the other cores idle much of the time.
    /// The convolutional net is the other way round: its large products split well, so it trains
    /// alone on every core (both measured in the README's Measurements).
    pub fn runs_side_by_side(&self) -> bool {
        !matches!(self, ModelSpec::Conv(_))
    }

    /// True for the learners a seed changes beyond their examples (the nets: initial weights,
    /// batch order, held-out part); linfa's learners are deterministic given their examples.
    pub fn has_seed(&self) -> bool {
        matches!(self, ModelSpec::Mlp(_) | ModelSpec::Conv(_))
    }

    /// The spec as run `seed` of a curve fits it: a net's own seed (its initial weights, its
    /// batch order, its held-out part) moves with the run's, so that runs on the same examples
    /// (at the curve's largest m, where every seed's subsample holds the whole pool) still differ
    /// in what a seed changes in practice. linfa's learners are deterministic given their data.
    pub fn for_run(&self, seed: u64) -> ModelSpec {
        match self {
            ModelSpec::Mlp(p) => {
                let own = p.check_ref().map_or(0, |v| v.train().seed);
                ModelSpec::Mlp(p.clone().seed(own.wrapping_add(seed)))
            }
            ModelSpec::Conv(p) => {
                let own = p.check_ref().map_or(0, |v| v.train().seed);
                ModelSpec::Conv(p.clone().seed(own.wrapping_add(seed)))
            }
            other => other.clone(),
        }
    }

    /// How a run scales this learner's inputs: every learner on tabular features (and the fully
    /// connected nets) standardises each feature on its own; the convolutional net scales every
    /// pixel by one mean and one standard deviation, as image models are fed, so that a border
    /// pixel that is almost always 0 is not blown up into large values by its tiny spread, and
    /// neighbouring pixels keep their relative brightness, which its filters compare.
    pub fn scaling(&self) -> Scaling {
        match self {
            ModelSpec::Conv(_) => Scaling::Global,
            _ => Scaling::PerFeature,
        }
    }

    /// Fits on `train` and scores on `train` and `test`.
    pub fn fit_and_score(&self, train: &Dataset, test: &Dataset) -> Result<Scores> {
        self.fit_and_score_with(train, test, None)
    }

    /// Fits on `train` and scores on `train`, `test` and, when given, `validation`.
    pub fn fit_and_score_with(
        &self,
        train: &Dataset,
        test: &Dataset,
        validation: Option<&Dataset>,
    ) -> Result<Scores> {
        let t = Instant::now();
        // every set the fitted model scores: train, test, then validation when there is one
        let sets: Vec<&Dataset> = [train, test].into_iter().chain(validation).collect();
        let mut training = None;
        let acc: Vec<f64> = match self {
            ModelSpec::Logistic(p) => {
                let m = p.fit(train)?;
                sets.iter().map(|d| m.accuracy(d)).collect::<Result<_>>()?
            }
            ModelSpec::Svm(p) => {
                let m = p.fit(train)?;
                sets.iter().map(|d| m.accuracy(d)).collect::<Result<_>>()?
            }
            ModelSpec::Mlp(p) => {
                let m = p.clone().verbose(false).fit(train)?;
                training = Some(Training::of(&m.history));
                sets.iter().map(|d| m.accuracy(d)).collect::<Result<_>>()?
            }
            ModelSpec::Conv(p) => {
                let m = p.clone().verbose(false).fit(train)?;
                training = Some(Training::of(&m.history));
                sets.iter().map(|d| m.accuracy(d)).collect::<Result<_>>()?
            }
        };
        Ok(Scores {
            train_accuracy: acc[0],
            test_accuracy: acc[1],
            validation_accuracy: acc.get(2).copied(),
            fit_seconds: t.elapsed().as_secs_f64(),
            training,
        })
    }
}

/// How a run scales its inputs (fitted on the run's own training examples).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scaling {
    /// Each feature minus its mean, divided by its standard deviation.
    PerFeature,
    /// Every feature minus one mean, divided by one standard deviation (images).
    Global,
}

/// Accuracy and time of one finished run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    pub train_accuracy: f64,
    pub test_accuracy: f64,
    /// Accuracy on the curve's validation set, when it has one.
    #[serde(default)]
    pub validation_accuracy: Option<f64>,
    /// Fit plus scoring, wall time (s); depends on the machine.
    pub fit_seconds: f64,
    /// How long a net trained and why it stopped (none for linfa's learners).
    #[serde(default)]
    pub training: Option<Training>,
}

/// How long a net trained, the epoch whose weights it kept and why it stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Training {
    /// Epochs run.
    pub epochs: usize,
    /// The epoch whose weights were kept (the last one without early stopping).
    pub kept_epoch: usize,
    /// Why training ended.
    pub stop: crate::models::train::Stop,
}

impl Training {
    /// What `history` (of a finished run) says.
    pub fn of(history: &crate::models::history::History) -> Training {
        let epochs = history.epochs.len();
        Training {
            epochs,
            kept_epoch: history.best_epoch.unwrap_or(epochs),
            stop: history.stop.unwrap_or(crate::models::train::Stop::Planned),
        }
    }
}

/// A run's outcome: scores, or why it was not run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Outcome {
    Ran(Scores),
    /// Why it was not run, for a reader, in both languages.
    NotRun {
        reason: crate::lang::Text,
    },
}

/// One (model, m, seed) run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub model: String,
    pub m: usize,
    pub seed: u64,
    pub outcome: Outcome,
    /// True when the result came from the cache.
    #[serde(skip)]
    pub cached: bool,
}

/// One run: nested stratified subsample of size m, standardisation fitted on it, fit, score.
/// A model over its time or memory budget is recorded as not run, with the reason.
pub fn run_one(config: &CurveConfig, name: &str, spec: &ModelSpec, m: usize, seed: u64) -> Result<Run> {
    let sub = config.train.subsample(m, seed)?;
    let scaler = match spec.scaling() {
        Scaling::PerFeature => Standardizer::fit(&sub)?,
        Scaling::Global => Standardizer::fit_global(&sub)?,
    };
    let (train, test) = (scaler.transform(&sub)?, scaler.transform(&config.test)?);
    let validation = config
        .validation
        .as_ref()
        .map(|v| scaler.transform(v))
        .transpose()?;
    let spec = spec.for_run(seed);
    let outcome = match spec.fit_and_score_with(&train, &test, validation.as_ref()) {
        Ok(s) => Outcome::Ran(s),
        Err(e @ (TakeoffError::OverBudget { .. } | TakeoffError::OverMemory { .. })) => Outcome::NotRun {
            reason: e.reason_for_reader(),
        },
        Err(e) => return Err(e),
    };
    Ok(Run {
        model: name.to_string(),
        m,
        seed,
        outcome,
        cached: false,
    })
}

#[cfg(test)]
mod tests;
