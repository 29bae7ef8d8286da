//! Multinomial logistic regression on linfa-logistic (patched in `patches/`).

use super::{accuracy, check_features, require_two_classes};
use crate::data::Dataset;
use crate::error::{Result, TakeoffError};
use linfa::prelude::*;
use linfa::ParamGuard;
use linfa_logistic::{MultiFittedLogisticRegression, MultiLogisticRegression};
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// Multinomial logistic regression's checked parameters, with plain getters; built through
/// [`LogisticParams`]. Defaults: L2 penalty `alpha` 10 (on the summed log-loss, as
/// scikit-learn's C = 1/alpha) and at most 30 L-BFGS iterations, both picked by the validation
/// search of [`crate::lesson::data_scale::baseline_searches`] (shown in the data-scale notebook), and
/// gradient tolerance 1e-4. The linfa-logistic in `patches/` computes the log-sum-exp per row,
/// stops its line search at L-BFGS-B's width tolerance and gets the gradient from the cost's
/// forward pass, so time grows with the iteration cap in proportion (timed against the published
/// crate in `patches/README.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticValidParams {
    alpha: f64,
    max_iterations: u64,
    gradient_tolerance: f64,
}

/// Logistic regression's parameters, unchecked: set them with the setters, then
/// [`fit`](LogisticParams::fit) (which checks them) or [`ParamGuard::check`] for the
/// [`LogisticValidParams`] and their getters (linfa's parameter pattern).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LogisticParams(LogisticValidParams);

impl Default for LogisticValidParams {
    fn default() -> Self {
        LogisticValidParams {
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
        self.0.alpha = a;
        self
    }
    /// Most L-BFGS iterations (default 30); must be ≥ 1.
    pub fn max_iterations(mut self, n: u64) -> Self {
        self.0.max_iterations = n;
        self
    }
    /// Stop when the gradient norm falls below this (default 1e-4); must be finite and > 0.
    pub fn gradient_tolerance(mut self, t: f64) -> Self {
        self.0.gradient_tolerance = t;
        self
    }
    /// A short description (the values as set, checked or not).
    pub fn describe(&self) -> String {
        self.0.describe()
    }
    /// Checks the parameters, then fits on `train` (see [`LogisticValidParams::fit`]).
    pub fn fit(&self, train: &Dataset) -> Result<Logistic> {
        self.check_ref()?.fit(train)
    }
}

impl ParamGuard for LogisticParams {
    type Checked = LogisticValidParams;
    type Error = TakeoffError;

    fn check_ref(&self) -> Result<&LogisticValidParams> {
        let p = &self.0;
        if !(p.alpha.is_finite() && p.alpha >= 0.0) {
            return Err(TakeoffError::invalid("alpha", p.alpha, "a finite number ≥ 0"));
        }
        if p.max_iterations == 0 {
            return Err(TakeoffError::invalid("max iterations", 0, "at least 1"));
        }
        if !(p.gradient_tolerance.is_finite() && p.gradient_tolerance > 0.0) {
            return Err(TakeoffError::invalid(
                "gradient tolerance",
                p.gradient_tolerance,
                "a finite number > 0",
            ));
        }
        Ok(p)
    }

    fn check(self) -> Result<LogisticValidParams> {
        self.check_ref()?;
        Ok(self.0)
    }
}

impl LogisticValidParams {
    /// The L2 penalty α.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }
    /// The most L-BFGS iterations.
    pub fn max_iterations(&self) -> u64 {
        self.max_iterations
    }
    /// The gradient tolerance.
    pub fn gradient_tolerance(&self) -> f64 {
        self.gradient_tolerance
    }
    /// A short description.
    pub fn describe(&self) -> String {
        format!("logistic regression (α = {})", self.alpha)
    }

    /// Fits on `train` (features are used as given: standardise first).
    pub fn fit(&self, train: &Dataset) -> Result<Logistic> {
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
