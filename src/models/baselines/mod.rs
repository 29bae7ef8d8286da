//! The "traditional" learners the lesson compares neural nets with, on linfa:
//! multinomial logistic regression (linfa-logistic) and an RBF-kernel SVM (linfa-svm, binary
//! only, made multi-class here by **one-vs-one**, as libsvm and scikit-learn do: one binary SVM
//! per pair of classes, trained on those two classes' examples; the class with the most votes
//! wins).
//!
//! Same verbs as the MLP: params → [`LogisticParams::fit`] / [`SvmParams::fit`] → `predict` /
//! `accuracy`; every fitted model records how long its fit took.

//! | learner | module |
//! |---|---|
//! | multinomial logistic regression | [`logistic`] |
//! | RBF SVM, one-vs-one | [`svm`] |

pub mod logistic;
pub mod svm;

pub use logistic::{Logistic, LogisticParams};
pub use svm::{SvmCost, SvmModel, SvmParams, DEFAULT_GAMMA_PER_FEATURE};

use crate::data::Dataset;
use crate::error::{Result, TakeoffError};
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

/// Fraction of equal entries.
pub fn accuracy(pred: &Array1<usize>, truth: &Array1<usize>) -> f64 {
    pred.iter().zip(truth).filter(|(p, t)| p == t).count() as f64 / truth.len().max(1) as f64
}

/// Memory and time limits a fit must fit in; checked before any allocation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    pub memory_gb: f64,
    pub minutes: f64,
}

impl Default for Budget {
    /// 4 GB and 10 minutes: safe on a 2-core, 24 GB machine next to a notebook.
    fn default() -> Self {
        Budget {
            memory_gb: 4.0,
            minutes: 10.0,
        }
    }
}

fn require_two_classes(train: &Dataset, model: &str) -> Result<()> {
    let present = train.class_counts().iter().filter(|&&c| c > 0).count();
    if present < 2 {
        return Err(TakeoffError::invalid(
            "classes present in the training data",
            present,
            format!("at least 2 for {model}"),
        ));
    }
    Ok(())
}

fn check_features(expected: usize, x: &Array2<f32>) -> Result<()> {
    if x.ncols() != expected {
        return Err(TakeoffError::FeatureMismatch {
            expected,
            found: x.ncols(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
