//! How a network is trained, whatever the network: [`TrainParams`], checked before any work
//! starts (the memory a model and its batch need included), and the setters every network's
//! params share ([`train_setters!`](crate::train_setters)).

use super::optim::OptimizerConfig;
use crate::error::{Result, TakeoffError};
use serde::{Deserialize, Serialize};

/// Early stopping: hold out `validation_fraction` of the training data (at least one example),
/// measure the accuracy on it after every *round* of training, and stop when it has not improved
/// for `patience` rounds, keeping the weights of the best round (the earliest, on a tie). A round
/// is one epoch, or as many epochs as it takes to see at least `round_samples` examples, so that
/// a net on a few hundred examples is not judged after a handful of gradient steps. The cap on
/// training is the one of [`TrainParams::epochs_for`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EarlyStopping {
    pub validation_fraction: f64,
    pub patience: usize,
    /// Examples seen in a round at the least (0: every epoch is a round).
    #[serde(default)]
    pub round_samples: usize,
}

impl EarlyStopping {
    /// Epochs in one round on `n` training examples (those left after the held-out part).
    pub fn round_epochs(&self, n: usize) -> usize {
        self.round_samples.div_ceil(n.max(1)).max(1)
    }
}

/// Why a training run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stop {
    /// The planned epochs ran (no early stopping).
    Planned,
    /// The held-out accuracy had not improved for the patience.
    Patience,
    /// Early stopping was on, but the cap on epochs came first (the net might have improved
    /// further).
    Cap,
}

/// How a network is trained, whatever the network. Each model's params hold one and get its
/// setters from [`train_setters!`](crate::train_setters).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainParams {
    pub optimizer: OptimizerConfig,
    pub learning_rate: f64,
    /// Each epoch's learning rate is the previous one's times this (1: constant); with early
    /// stopping's rounds of several epochs, each round's.
    #[serde(default = "one")]
    pub learning_rate_decay: f64,
    pub batch_size: usize,
    pub epochs: usize,
    /// Train for at least this many examples seen (more epochs when m is small), at most
    /// [`MAX_EPOCHS`] epochs.
    pub min_samples: Option<usize>,
    pub l2: f64,
    pub early_stopping: Option<EarlyStopping>,
    pub seed: u64,
    pub verbose: bool,
    /// Not part of a result's identity (the thread count changes no number), so not serialised.
    #[serde(skip)]
    pub threads: Option<usize>,
    /// Memory the model, its optimiser state and one batch's activations may take (GB).
    #[serde(skip, default = "default_memory_gb")]
    pub memory_gb: f64,
}

/// The most epochs a sample budget ([`TrainParams::min_samples`]) can ask for.
pub const MAX_EPOCHS: usize = 2_000;

fn one() -> f64 {
    1.0
}

fn default_memory_gb() -> f64 {
    4.0
}

impl Default for TrainParams {
    /// Adam at learning rate 1e-3, batch 128, 10 epochs, no sample budget, no L2, no early
    /// stopping, seed 0, one progress line per epoch, every core, 4 GB.
    fn default() -> Self {
        TrainParams {
            optimizer: OptimizerConfig::adam(),
            learning_rate: 1e-3,
            learning_rate_decay: 1.0,
            batch_size: 128,
            epochs: 10,
            min_samples: None,
            l2: 0.0,
            early_stopping: None,
            seed: 0,
            verbose: true,
            threads: None,
            memory_gb: default_memory_gb(),
        }
    }
}

impl TrainParams {
    /// Epochs to run on `m` examples: the set number, or more to meet the sample budget.
    pub fn epochs_for(&self, m: usize) -> usize {
        match self.min_samples {
            Some(s) => self.epochs.max(s.div_ceil(m.max(1))).min(MAX_EPOCHS),
            None => self.epochs,
        }
    }

    /// Checks every setting before any work starts.
    pub fn check(&self) -> Result<()> {
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(TakeoffError::invalid(
                "learning rate",
                self.learning_rate,
                "a finite number > 0",
            ));
        }
        if !(self.learning_rate_decay > 0.0 && self.learning_rate_decay <= 1.0) {
            return Err(TakeoffError::invalid(
                "learning-rate decay",
                self.learning_rate_decay,
                "a factor in (0, 1]",
            ));
        }
        if self.batch_size == 0 {
            return Err(TakeoffError::invalid("batch size", 0, "at least 1"));
        }
        if self.epochs == 0 {
            return Err(TakeoffError::invalid("epochs", 0, "at least 1"));
        }
        if let Some(n) = self.threads.filter(|&n| n == 0 || n > 1024) {
            return Err(TakeoffError::invalid("threads", n, "between 1 and 1024"));
        }
        if !(self.l2.is_finite() && self.l2 >= 0.0) {
            return Err(TakeoffError::invalid("l2", self.l2, "a finite number ≥ 0"));
        }
        if !(self.memory_gb.is_finite() && self.memory_gb > 0.0) {
            return Err(TakeoffError::invalid(
                "memory budget",
                self.memory_gb,
                "a number of GB > 0",
            ));
        }
        match self.optimizer {
            OptimizerConfig::Sgd { momentum } if !(0.0..1.0).contains(&momentum) => {
                return Err(TakeoffError::invalid("momentum", momentum, "a number in [0, 1)"));
            }
            OptimizerConfig::Adam { beta1, beta2, eps }
                if !((0.0..1.0).contains(&beta1) && (0.0..1.0).contains(&beta2) && eps > 0.0) =>
            {
                return Err(TakeoffError::invalid(
                    "Adam constants",
                    format!("β₁ {beta1}, β₂ {beta2}, ε {eps}"),
                    "β₁ and β₂ in [0, 1) and ε > 0",
                ));
            }
            _ => {}
        }
        if let Some(es) = self.early_stopping {
            if !(es.validation_fraction > 0.0 && es.validation_fraction < 1.0) {
                return Err(TakeoffError::invalid(
                    "validation fraction",
                    es.validation_fraction,
                    "a number strictly between 0 and 1",
                ));
            }
            if es.patience == 0 {
                return Err(TakeoffError::invalid("patience", 0, "at least 1 epoch"));
            }
        }
        Ok(())
    }

    /// Refuses, before anything is allocated, a model of `n_params` parameters whose training
    /// pass keeps `activations_per_example` values per example, trained on `examples` examples:
    /// it needs four copies of the parameters (weights, gradients, two optimiser moments) and
    /// twice a batch's activations (forward values and their gradients), in f32; a batch is never
    /// larger than the data.
    pub fn check_memory(
        &self,
        model: &str,
        n_params: f64,
        activations_per_example: f64,
        examples: usize,
    ) -> Result<()> {
        let batch = self.batch_size.min(examples) as f64;
        let needed_gb = 4.0 * (4.0 * n_params + 2.0 * activations_per_example * batch) / 1e9;
        if needed_gb > self.memory_gb {
            return Err(TakeoffError::OverMemory {
                model: model.to_string(),
                needed_gb,
                budget_gb: self.memory_gb,
            });
        }
        Ok(())
    }
}

/// Setters for an unchecked params newtype whose checked params hold a `train: TrainParams` field, one value each, with their
/// defaults documented (the same for every network).
#[macro_export]
macro_rules! train_setters {
    ($t:ty) => {
        impl $t {
            /// Update rule (default Adam).
            pub fn optimizer(mut self, o: $crate::models::train::OptimizerConfig) -> Self {
                self.0.train.optimizer = o;
                self
            }
            /// Step size (default 1e-3); must be finite and > 0.
            pub fn learning_rate(mut self, lr: f64) -> Self {
                self.0.train.learning_rate = lr;
                self
            }
            /// Multiply the learning rate by this after every epoch (default 1, constant); a
            /// factor in (0, 1].
            pub fn learning_rate_decay(mut self, factor: f64) -> Self {
                self.0.train.learning_rate_decay = factor;
                self
            }
            /// Examples per gradient step (default 128); must be ≥ 1.
            pub fn batch_size(mut self, b: usize) -> Self {
                self.0.train.batch_size = b;
                self
            }
            /// Passes over the training data (default 10); must be ≥ 1.
            pub fn epochs(mut self, e: usize) -> Self {
                self.0.train.epochs = e;
                self
            }
            /// Train for at least `n` examples seen, with more epochs when the data is small (at
            /// most 2,000 epochs; default: no budget, just the epochs).
            pub fn min_samples(mut self, n: usize) -> Self {
                self.0.train.min_samples = Some(n);
                self
            }
            /// L2 penalty λ on the weights (default 0); must be finite and ≥ 0.
            pub fn l2(mut self, l2: f64) -> Self {
                self.0.train.l2 = l2;
                self
            }
            /// Early stopping on a validation split (default off): hold out
            /// `validation_fraction` of the data, stop when its accuracy has not improved for
            /// `patience` epochs, keep the best epoch's weights.
            pub fn early_stopping(mut self, validation_fraction: f64, patience: usize) -> Self {
                self.0.train.early_stopping = Some($crate::models::train::EarlyStopping {
                    validation_fraction,
                    patience,
                    round_samples: 0,
                });
                self
            }
            /// [`early_stopping`](Self::early_stopping) judged by rounds of at least
            /// `round_samples` examples seen (several epochs when the data is small).
            pub fn early_stopping_rounds(
                mut self,
                validation_fraction: f64,
                patience: usize,
                round_samples: usize,
            ) -> Self {
                self.0.train.early_stopping = Some($crate::models::train::EarlyStopping {
                    validation_fraction,
                    patience,
                    round_samples,
                });
                self
            }
            /// Seed for initialisation, shuffling and the validation split (default 0).
            pub fn seed(mut self, s: u64) -> Self {
                self.0.train.seed = s;
                self
            }
            /// Print one progress line per epoch (default true).
            pub fn verbose(mut self, v: bool) -> Self {
                self.0.train.verbose = v;
                self
            }
            /// Threads for the matrix products and the optimiser's updates (default: every
            /// core). The weights and history are the same for any count.
            pub fn threads(mut self, n: usize) -> Self {
                self.0.train.threads = Some(n);
                self
            }
            /// Memory the model, its optimiser state and a batch's activations may take, in GB
            /// (default 4); checked before anything is allocated.
            pub fn memory_budget(mut self, gb: f64) -> Self {
                self.0.train.memory_gb = gb;
                self
            }
        }
    };
}
