//! Multinomial logistic regression on linfa-logistic (patched in `patches/`).

use super::{accuracy, check_features, require_two_classes};
use crate::data::Dataset;
use crate::error::{Result, TakeoffError};
use linfa::prelude::*;
use linfa_logistic::{MultiFittedLogisticRegression, MultiLogisticRegression};
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// Multinomial logistic regression. Defaults: L2 penalty `alpha` 10 (on the summed log-loss, as
/// scikit-learn's C = 1/alpha) and at most 30 L-BFGS iterations, both picked by the validation
/// search of [`crate::experiments::baseline_search`] (shown in the data-scale notebook), and
/// gradient tolerance 1e-4. The linfa-logistic in `patches/` computes the log-sum-exp per row,
/// stops its line search at L-BFGS-B's width tolerance and gets the gradient from the cost's
/// forward pass, so time grows with the iteration cap in proportion (at m = 10,000: 1.8 s for
/// 30 iterations and 5.4 s for 100, against 9.7 s and 105 s with the published crate).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticParams {
    alpha: f64,
    max_iterations: u64,
    gradient_tolerance: f64,
}

impl Default for LogisticParams {
    fn default() -> Self {
        LogisticParams {
            alpha: 10.0,
            max_iterations: 30,
            gradient_tolerance: 1e-4,
        }
    }
}

impl LogisticParams {
    /// The defaults above.
    pub fn new() -> Self {
        Self::default()
    }
    /// L2 penalty (default 10); must be finite and ≥ 0.
    pub fn alpha(mut self, a: f64) -> Self {
        self.alpha = a;
        self
    }
    /// Most L-BFGS iterations (default 30); must be ≥ 1.
    pub fn max_iterations(mut self, n: u64) -> Self {
        self.max_iterations = n;
        self
    }
    /// Stop when the gradient norm falls below this (default 1e-4); must be finite and > 0.
    pub fn gradient_tolerance(mut self, t: f64) -> Self {
        self.gradient_tolerance = t;
        self
    }

    /// The L2 penalty α.
    pub fn get_alpha(&self) -> f64 {
        self.alpha
    }
    /// The most L-BFGS iterations.
    pub fn get_max_iterations(&self) -> u64 {
        self.max_iterations
    }

    /// A short description.
    pub fn describe(&self) -> String {
        format!("logistic regression (α = {})", self.alpha)
    }

    /// Checks the parameters.
    pub fn check(&self) -> Result<()> {
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return Err(TakeoffError::invalid("alpha", self.alpha, "a finite number ≥ 0"));
        }
        if self.max_iterations == 0 {
            return Err(TakeoffError::invalid("max iterations", 0, "at least 1"));
        }
        if !(self.gradient_tolerance.is_finite() && self.gradient_tolerance > 0.0) {
            return Err(TakeoffError::invalid(
                "gradient tolerance",
                self.gradient_tolerance,
                "a finite number > 0",
            ));
        }
        Ok(())
    }

    /// Fits on `train` (features are used as given: standardise first).
    pub fn fit(&self, train: &Dataset) -> Result<Logistic> {
        self.check()?;
        require_two_classes(train, "logistic regression")?;
        let data = train.to_linfa();
        let t = Instant::now();
        let model = MultiLogisticRegression::default()
            .alpha(self.alpha)
            .max_iterations(self.max_iterations)
            .gradient_tolerance(self.gradient_tolerance)
            .fit(&data)
            .map_err(|e| TakeoffError::Solver {
                model: "logistic regression".into(),
                params: format!(
                    "alpha {}, {} iterations, tolerance {}, m = {}",
                    self.alpha,
                    self.max_iterations,
                    self.gradient_tolerance,
                    train.len()
                ),
                message: format!("{e}; try a larger alpha or standardised features"),
            })?;
        Ok(Logistic {
            model,
            n_features: train.n_features(),
            fit_seconds: t.elapsed().as_secs_f64(),
        })
    }
}

/// A fitted logistic regression.
#[derive(Debug, Clone)]
pub struct Logistic {
    model: MultiFittedLogisticRegression<f64, usize>,
    n_features: usize,
    /// Wall time of the fit (s).
    pub fit_seconds: f64,
}

impl Logistic {
    /// Predicted class of each row.
    pub fn predict(&self, x: &Array2<f32>) -> Result<Array1<usize>> {
        check_features(self.n_features, x)?;
        Ok(self.model.predict(&x.mapv(f64::from)))
    }
    /// Fraction of `data` classified correctly.
    pub fn accuracy(&self, data: &Dataset) -> Result<f64> {
        Ok(accuracy(&self.predict(&data.x)?, &data.y))
    }
}
