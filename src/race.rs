//! The algorithmic driver, measured: identical nets that differ only in the hidden activation,
//! each with its own learning rate chosen by a small search, trained over several seeds; how many
//! epochs and seconds each needs to reach a fixed training error.

use crate::data::Dataset;
use crate::error::{Result, TakeoffError};
use crate::mlp::{Activation, History, MlpParams, Optimizer};
use serde::{Deserialize, Serialize};

/// What the race is run on and with.
#[derive(Debug, Clone)]
pub struct RaceConfig {
    pub data: Dataset,
    pub hidden: Vec<usize>,
    pub activations: Vec<Activation>,
    /// Learning rates tried for each activation (SGD with momentum 0.9, as Krizhevsky et al.).
    pub learning_rates: Vec<f64>,
    /// Epochs of each search run; the rate with the lowest final training loss wins.
    pub search_epochs: usize,
    pub epochs: usize,
    pub batch_size: usize,
    pub seeds: Vec<u64>,
    /// Training error to reach (e.g. 0.25 for Krizhevsky et al.'s 25 %).
    pub target_error: f64,
}

/// One activation's results.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Lane {
    pub activation: Activation,
    pub learning_rate: f64,
    /// Final training loss of each searched rate (NaN when it diverged).
    pub search: Vec<(f64, f64)>,
    /// One history per seed.
    pub histories: Vec<History>,
}

impl Lane {
    /// The lane's name in charts and tables: the activation and its searched learning rate.
    pub fn label(&self) -> String {
        format!("{} (lr {})", self.activation.name(), self.learning_rate)
    }

    /// `value` of the first epoch at which the training error (1 − accuracy) is ≤ `target`, per seed.
    fn at_target(&self, target: f64, value: impl Fn(&crate::mlp::EpochStats) -> f64) -> Vec<Option<f64>> {
        self.histories
            .iter()
            .map(|h| {
                h.epochs
                    .iter()
                    .find(|e| 1.0 - e.train_accuracy <= target)
                    .map(&value)
            })
            .collect()
    }

    /// First epoch at which the training error (1 − accuracy) is ≤ `target`, per seed.
    pub fn epochs_to(&self, target: f64) -> Vec<Option<usize>> {
        self.at_target(target, |e| e.epoch as f64)
            .into_iter()
            .map(|v| v.map(|e| e as usize))
            .collect()
    }

    /// Seconds until the training error is ≤ `target`, per seed (machine-dependent).
    pub fn seconds_to(&self, target: f64) -> Vec<Option<f64>> {
        self.at_target(target, |e| e.seconds)
    }

    /// Mean over the seeds that got there, and how many did.
    pub fn mean_epochs_to(&self, target: f64) -> (Option<f64>, usize) {
        mean(self.at_target(target, |e| e.epoch as f64).into_iter())
    }

    /// Mean seconds over the seeds that got there, and how many did.
    pub fn mean_seconds_to(&self, target: f64) -> (Option<f64>, usize) {
        mean(self.seconds_to(target).into_iter())
    }
}

fn mean(v: impl Iterator<Item = Option<f64>>) -> (Option<f64>, usize) {
    let got: Vec<f64> = v.flatten().collect();
    if got.is_empty() {
        (None, 0)
    } else {
        (Some(got.iter().sum::<f64>() / got.len() as f64), got.len())
    }
}

/// The results of a race.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Race {
    pub task: String,
    pub hidden: Vec<usize>,
    pub target_error: f64,
    pub lanes: Vec<Lane>,
}

impl Race {
    /// Each lane's label with the history of its first seed (for [`crate::charts::training_loss`]).
    pub fn first_seed_histories(&self) -> Vec<(String, History)> {
        self.lanes
            .iter()
            .filter_map(|l| Some((l.label(), l.histories.first()?.clone())))
            .collect()
    }

    /// The lane of `a`.
    pub fn lane(&self, a: Activation) -> Option<&Lane> {
        self.lanes.iter().find(|l| l.activation == a)
    }

    /// How many times fewer epochs `fast` needs than `slow` to reach the target (mean over seeds),
    /// or None when either never got there.
    pub fn speedup_epochs(&self, fast: Activation, slow: Activation) -> Option<f64> {
        let f = self.lane(fast)?.mean_epochs_to(self.target_error).0?;
        let s = self.lane(slow)?.mean_epochs_to(self.target_error).0?;
        Some(s / f)
    }

    /// The same in seconds.
    pub fn speedup_seconds(&self, fast: Activation, slow: Activation) -> Option<f64> {
        let f = self.lane(fast)?.mean_seconds_to(self.target_error).0?;
        let s = self.lane(slow)?.mean_seconds_to(self.target_error).0?;
        Some(s / f)
    }

    /// The same comparisons in wall-clock time (machine-dependent: print it in a timing cell).
    pub fn verdict_time(&self) -> String {
        let target = self.target_error * 100.0;
        let parts: Vec<String> = [Activation::Sigmoid, Activation::Tanh]
            .iter()
            .filter_map(|&o| {
                self.speedup_seconds(Activation::Relu, o).map(|s| {
                    format!("ReLU reached {target:.0} % training error in {s:.1}× less time than {} on this machine", o.name())
                })
            })
            .collect();
        if parts.is_empty() {
            "No time ratio: some activation did not reach the target on every seed.".into()
        } else {
            parts.join("; ") + "."
        }
    }

    /// A sentence per comparison with ReLU, in epochs (the same on every machine).
    pub fn verdict(&self) -> String {
        let target = self.target_error * 100.0;
        let mut parts = Vec::new();
        for other in [Activation::Sigmoid, Activation::Tanh] {
            if self.lane(other).is_none() {
                continue;
            }
            let name = other.name();
            match self.speedup_epochs(Activation::Relu, other) {
                Some(e) => parts.push(format!(
                    "ReLU reached {target:.0} % training error in {e:.1}× fewer epochs than {name}"
                )),
                _ => {
                    let relu = self
                        .lane(Activation::Relu)
                        .map(|l| l.mean_epochs_to(self.target_error));
                    let slow = self.lane(other).map(|l| l.mean_epochs_to(self.target_error));
                    let run = self
                        .lane(other)
                        .and_then(|l| l.histories.first())
                        .map(|h| h.epochs.len())
                        .unwrap_or(0);
                    match (relu, slow) {
                        (Some((Some(e), _)), Some((None, _))) => parts.push(format!(
                            "ReLU reached {target:.0} % training error in {e:.1} epochs on average; {name} did not reach it within {run} epochs (so ReLU was at least {:.1}× faster in epochs)",
                            run as f64 / e
                        )),
                        _ => parts.push(format!(
                            "within the {run} epochs run, ReLU did not reach {target:.0} % training error on every seed, so no ratio against {name} can be measured"
                        )),
                    }
                }
            }
        }
        parts.join("; ") + "."
    }
}

/// Runs the race: a learning-rate search per activation, then every seed at the chosen rate.
pub fn activation_race(config: &RaceConfig) -> Result<Race> {
    if config.learning_rates.is_empty() || config.seeds.is_empty() || config.activations.is_empty() {
        return Err(TakeoffError::invalid(
            "race",
            format!(
                "{} rates, {} seeds, {} activations",
                config.learning_rates.len(),
                config.seeds.len(),
                config.activations.len()
            ),
            "at least one of each",
        ));
    }
    if !(config.target_error > 0.0 && config.target_error < 1.0) {
        return Err(TakeoffError::invalid(
            "target error",
            config.target_error,
            "a fraction strictly between 0 and 1",
        ));
    }
    let base = |a: Activation, lr: f64, epochs: usize, seed: u64| {
        MlpParams::new(&config.hidden)
            .activation(a)
            .optimizer(Optimizer::sgd(0.9))
            .learning_rate(lr)
            .batch_size(config.batch_size)
            .epochs(epochs)
            .seed(seed)
            .verbose(false)
    };
    let mut lanes = Vec::new();
    for &a in &config.activations {
        let mut search = Vec::new();
        for &lr in &config.learning_rates {
            let loss = match base(a, lr, config.search_epochs, 1_000).fit(&config.data) {
                Ok(m) => m.history.last().map(|e| e.train_loss).unwrap_or(f64::NAN),
                Err(TakeoffError::Diverged { .. }) => f64::NAN,
                Err(e) => return Err(e),
            };
            println!("{} lr {lr:<6} search loss {loss:.4}", a.name());
            search.push((lr, loss));
        }
        let (learning_rate, _) = search
            .iter()
            .filter(|(_, l)| l.is_finite())
            .min_by(|x, y| x.1.total_cmp(&y.1))
            .copied()
            .ok_or_else(|| {
                TakeoffError::invalid(
                    "learning rates",
                    format!("{:?}", config.learning_rates),
                    format!("at least one that does not diverge for {}", a.name()),
                )
            })?;
        let mut histories = Vec::new();
        for &seed in &config.seeds {
            let m = base(a, learning_rate, config.epochs, seed).fit(&config.data)?;
            let last = m.history.last().map(|e| 1.0 - e.train_accuracy).unwrap_or(1.0);
            println!(
                "{} lr {learning_rate} seed {seed}: final training error {:.1} %",
                a.name(),
                last * 100.0
            );
            histories.push(m.history);
        }
        lanes.push(Lane {
            activation: a,
            learning_rate,
            search,
            histories,
        });
    }
    Ok(Race {
        task: config.data.name.clone(),
        hidden: config.hidden.clone(),
        target_error: config.target_error,
        lanes,
    })
}

/// The lesson's race on `data` (standardised features), sized by the profile: three hidden
/// layers of 256 units, sigmoid vs tanh vs ReLU, SGD with momentum, rates searched over
/// {0.003, 0.01, 0.03, 0.1, 0.3}.
pub fn lesson_race(profile: crate::Profile, data: Dataset, target_error: f64) -> RaceConfig {
    RaceConfig {
        data,
        hidden: vec![256, 256, 256],
        activations: vec![Activation::Sigmoid, Activation::Tanh, Activation::Relu],
        learning_rates: vec![0.003, 0.01, 0.03, 0.1, 0.3],
        search_epochs: profile.pick(1, 2, 3),
        epochs: profile.pick(6, 15, 30),
        batch_size: 128,
        seeds: (0..profile.pick(2, 3, 5)).collect(),
        target_error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn race_picks_a_rate_per_activation_and_counts_epochs_to_target() {
        let data = crate::data::spirals(100, 2, 0.05, 0).unwrap();
        let race = activation_race(&RaceConfig {
            data,
            hidden: vec![32, 32],
            activations: vec![Activation::Sigmoid, Activation::Relu],
            learning_rates: vec![0.01, 0.1],
            search_epochs: 3,
            epochs: 40,
            batch_size: 32,
            seeds: vec![0, 1],
            target_error: 0.3,
        })
        .unwrap();
        assert_eq!(race.lanes.len(), 2);
        for lane in &race.lanes {
            assert!([0.01, 0.1].contains(&lane.learning_rate));
            assert_eq!(lane.histories.len(), 2);
            assert_eq!(lane.histories[0].epochs.len(), 40);
        }
        let first = race.first_seed_histories();
        assert_eq!(first.len(), 2);
        assert_eq!(first[1].0, format!("ReLU (lr {})", race.lanes[1].learning_rate));
        assert_eq!(first[1].1, race.lanes[1].histories[0]);
        let relu = race.lane(Activation::Relu).unwrap();
        assert_eq!(
            relu.mean_epochs_to(0.3).1,
            2,
            "ReLU reaches 30 % training error on spirals"
        );
        assert!(!race.verdict().is_empty());
    }

    #[test]
    fn rejects_empty_grids() {
        let data = crate::data::spirals(10, 2, 0.05, 0).unwrap();
        let c = RaceConfig {
            data,
            hidden: vec![4],
            activations: vec![Activation::Relu],
            learning_rates: vec![],
            search_epochs: 1,
            epochs: 1,
            batch_size: 8,
            seeds: vec![0],
            target_error: 0.2,
        };
        assert!(activation_race(&c)
            .unwrap_err()
            .to_string()
            .contains("at least one of each"));
    }
}
