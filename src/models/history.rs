//! What a training run records: each epoch's loss, accuracies, time and gradient norms, step
//! checkpoints, the epoch whose weights were kept and why training stopped; stored in the
//! experiment cache as JSON.

use super::params::Stop;
use serde::{Deserialize, Serialize};

/// What one epoch did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochStats {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Mean cross-entropy over the epoch's batches.
    #[serde(deserialize_with = "nan_as_null::number")]
    pub train_loss: f64,
    /// Accuracy on the batches as they were seen during the epoch.
    pub train_accuracy: f64,
    /// Accuracy on the validation split, when early stopping holds one out.
    pub val_accuracy: Option<f64>,
    /// Wall time since training started (s); depends on the machine.
    pub seconds: f64,
    /// Mean Frobenius norm of ∂loss/∂W for each layer, first layer first.
    #[serde(deserialize_with = "nan_as_null::numbers")]
    pub grad_norms: Vec<f64>,
}

/// JSON has no NaN or infinity: serde_json writes them as `null`, then refuses to read `null` back
/// into an `f64`, so a cached result holding a diverged loss would never be read again. These read
/// `null` as NaN.
pub mod nan_as_null {
    use serde::{Deserialize, Deserializer};

    /// An `f64` that may have been written as `null`.
    pub fn number<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }

    /// `f64`s that may have been written as `null`.
    pub fn numbers<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        let v = Vec::<Option<f64>>::deserialize(d)?;
        Ok(v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
    }

    /// (x, y) pairs whose y may have been written as `null`.
    pub fn pairs<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(f64, f64)>, D::Error> {
        let v = Vec::<(f64, Option<f64>)>::deserialize(d)?;
        Ok(v.into_iter().map(|(x, y)| (x, y.unwrap_or(f64::NAN))).collect())
    }
}

/// The training error over the last few minibatches, recorded about ten times an epoch, so
/// that "how long until the error is below x" can be counted in gradient steps, not whole epochs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Gradient steps taken since training started.
    pub step: usize,
    /// Examples seen since training started.
    pub examples: usize,
    /// Error on the batches since the previous checkpoint, as the training pass classified them.
    pub train_error: f64,
    /// Wall time since training started (s); depends on the machine.
    pub seconds: f64,
}

/// Per-epoch record of a training run, with step checkpoints.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    pub epochs: Vec<EpochStats>,
    #[serde(default)]
    pub checkpoints: Vec<Checkpoint>,
    /// With early stopping, the epoch whose weights were kept (the best held-out accuracy).
    #[serde(default)]
    pub best_epoch: Option<usize>,
    /// Why training ended, once it has.
    #[serde(default)]
    pub stop: Option<Stop>,
}

impl History {
    /// The last epoch's stats, if any.
    pub fn last(&self) -> Option<&EpochStats> {
        self.epochs.last()
    }

    /// The first checkpoint at which the training error is ≤ `target`.
    pub fn first_below(&self, target: f64) -> Option<&Checkpoint> {
        self.checkpoints.iter().find(|c| c.train_error <= target)
    }

    /// Gradient steps taken so far.
    pub fn steps(&self) -> usize {
        self.checkpoints.last().map_or(0, |c| c.step)
    }
}

/// Checkpoints per epoch in [`History::checkpoints`].
pub const CHECKPOINTS_PER_EPOCH: usize = 10;
