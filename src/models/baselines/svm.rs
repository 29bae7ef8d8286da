//! The RBF-kernel SVM: linfa-svm's binary SVM (on the kernels of the patched linfa-kernel in
//! `patches/`), made multi-class by one-vs-one, with a time and memory budget checked before any
//! kernel is allocated.

use super::{accuracy, check_features, require_two_classes, Budget};
use crate::data::Dataset;
use crate::error::{Result, TakeoffError};
use linfa::prelude::*;
use linfa::ParamGuard;
use linfa_svm::Svm;
use ndarray::{Array1, Array2, Axis};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// The default kernel width is this many over d, the number of features (scikit-learn's
/// `gamma="scale"` is 1/d for standardised features).
pub const DEFAULT_GAMMA_PER_FEATURE: f64 = 0.5;

/// The RBF-kernel SVM's checked parameters, with plain getters; built through [`SvmParams`].
/// One-vs-one. Defaults: C = 10 and γ = 0.5/d, both picked by the validation
/// search of [`crate::lesson::data_scale::baseline_searches`] (γ = 1/d scored 0.2 points lower there, within
/// the validation set's noise), solver tolerance 1e-3 (linfa's default 1e-7 is
/// many times slower for no accuracy), budget 4 GB / 10 min. Shrinking stays off: linfa-svm
/// 0.8.1's shrinking step can underflow its active-set counter (a panic in debug builds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SvmValidParams {
    c: f64,
    gamma: Option<f64>,
    tolerance: f64,
    budget: Budget,
}

/// The SVM's parameters, unchecked: set them with the setters, then [`fit`](SvmParams::fit)
/// (which checks them) or [`ParamGuard::check`] for the [`SvmValidParams`] and their getters
/// (linfa's parameter pattern).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SvmParams(SvmValidParams);

impl Default for SvmValidParams {
    fn default() -> Self {
        SvmValidParams {
            c: 10.0,
            gamma: None,
            tolerance: 1e-3,
            budget: Budget::default(),
        }
    }
}

/// Rough cost of one-vs-one RBF SVM fits on linfa-svm (dense f64 kernel matrices).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SvmCost {
    pub memory_gb: f64,
    pub minutes: f64,
}

impl SvmParams {
    /// The defaults above.
    pub fn new() -> Self {
        Self::default()
    }
    /// Soft-margin penalty C (default 10); must be finite and > 0.
    pub fn c(mut self, c: f64) -> Self {
        self.0.c = c;
        self
    }
    /// Kernel width γ in exp(−γ‖x − x'‖²) (default 0.5/d); must be finite and > 0.
    pub fn gamma(mut self, g: f64) -> Self {
        self.0.gamma = Some(g);
        self
    }
    /// Solver stopping tolerance (default 1e-3); must be finite and > 0.
    pub fn tolerance(mut self, t: f64) -> Self {
        self.0.tolerance = t;
        self
    }
    /// Memory and time budget (default 4 GB, 10 minutes).
    pub fn budget(mut self, b: Budget) -> Self {
        self.0.budget = b;
        self
    }
    /// A short description (the values as set, checked or not).
    pub fn describe(&self) -> String {
        self.0.describe()
    }
    /// Checks the parameters, then fits on `train` (see [`SvmValidParams::fit`]).
    pub fn fit(&self, train: &Dataset) -> Result<SvmModel> {
        self.check_ref()?.fit(train)
    }

    /// Estimated cost for `m` examples of `d` features in `k` classes of equal size on
    /// `threads` cores; see [`SvmParams::estimate_for`].
    pub fn estimate(m: usize, d: usize, k: usize, threads: usize) -> SvmCost {
        let k = k.max(2);
        let counts: Vec<usize> = (0..k).map(|c| m / k + usize::from(c < m % k)).collect();
        SvmParams::estimate_for(&counts, d, threads)
    }

    /// Estimated cost of the one-vs-one fits for these class sizes and `d` features, with the
    /// pairs fitted side by side on `threads` cores. Each binary fit on n examples holds a dense
    /// n × n f64 kernel matrix (8 n² bytes) while it runs, so up to `threads` of them are alive at
    /// once: the memory estimate counts the largest `threads` kernels. A fit takes about
    /// 1e-9 · n² · (d / 30 + 130) seconds on one core: the kernel's inner products come from a
    /// matrix product (the patched linfa-kernel, `patches/`), about n² d / 30 ns, and the
    /// exponentials and the solver's passes over kernel columns up to about 130 ns per entry.
    /// The README's Measurements compare the estimate with measured fits.
    pub fn estimate_for(class_counts: &[usize], d: usize, threads: usize) -> SvmCost {
        let present: Vec<f64> = class_counts
            .iter()
            .filter(|&&n| n > 0)
            .map(|&n| n as f64)
            .collect();
        let mut sizes = Vec::new();
        for (i, a) in present.iter().enumerate() {
            for b in &present[i + 1..] {
                sizes.push(a + b);
            }
        }
        sizes.sort_by(|a, b| b.total_cmp(a));
        let threads = threads.clamp(1, sizes.len().max(1));
        let alive: f64 = sizes.iter().take(threads).map(|n| 8.0 * n * n).sum();
        let minutes_of = |n: f64| 1e-9 * n * n * (d as f64 / 30.0 + 130.0) / 60.0;
        let total: f64 = sizes.iter().map(|&n| minutes_of(n)).sum();
        let longest = sizes.first().map_or(0.0, |&n| minutes_of(n));
        SvmCost {
            memory_gb: alive / 1e9 + 0.1,
            minutes: (total / threads as f64).max(longest),
        }
    }
}

/// One binary problem of a one-vs-one SVM: decision = Σ alpha · k(x, support vector) − rho,
/// positive for `first`.
impl ParamGuard for SvmParams {
    type Checked = SvmValidParams;
    type Error = TakeoffError;

    fn check_ref(&self) -> Result<&SvmValidParams> {
        let p = &self.0;
        if !(p.c.is_finite() && p.c > 0.0) {
            return Err(TakeoffError::invalid("C", p.c, "a finite number > 0"));
        }
        if let Some(g) = p.gamma {
            if !(g.is_finite() && g > 0.0) {
                return Err(TakeoffError::invalid("gamma", g, "a finite number > 0"));
            }
        }
        if !(p.tolerance.is_finite() && p.tolerance > 0.0) {
            return Err(TakeoffError::invalid(
                "tolerance",
                p.tolerance,
                "a finite number > 0",
            ));
        }
        Ok(p)
    }

    fn check(self) -> Result<SvmValidParams> {
        self.check_ref()?;
        Ok(self.0)
    }
}

impl SvmValidParams {
    /// The soft-margin penalty C.
    pub fn c(&self) -> f64 {
        self.c
    }
    /// The kernel width used on data with `d` features.
    pub fn gamma_for(&self, d: usize) -> f64 {
        self.gamma.unwrap_or(DEFAULT_GAMMA_PER_FEATURE / d.max(1) as f64)
    }
    /// The solver's stopping tolerance.
    pub fn tolerance(&self) -> f64 {
        self.tolerance
    }
    /// The memory and time budget.
    pub fn budget(&self) -> Budget {
        self.budget
    }
    /// A short description.
    pub fn describe(&self) -> String {
        format!("RBF SVM (C = {})", self.c)
    }

    /// Fits one binary SVM per pair of classes present in `train`, the pairs side by side on the
    /// current rayon pool's threads, after checking the budget.
    pub fn fit(&self, train: &Dataset) -> Result<SvmModel> {
        require_two_classes(train, "the SVM")?;
        let counts = train.class_counts();
        let cost = SvmParams::estimate_for(&counts, train.n_features(), rayon::current_num_threads());
        if cost.memory_gb > self.budget.memory_gb || cost.minutes > self.budget.minutes {
            return Err(TakeoffError::OverBudget {
                model: self.describe(),
                m: train.len(),
                needed_gb: cost.memory_gb,
                budget_gb: self.budget.memory_gb,
                minutes: cost.minutes,
                budget_minutes: self.budget.minutes,
            });
        }
        let gamma = self.gamma_for(train.n_features());
        let present: Vec<usize> = (0..counts.len()).filter(|&k| counts[k] > 0).collect();
        let t = Instant::now();
        let class_pairs: Vec<(usize, usize)> = present
            .iter()
            .enumerate()
            .flat_map(|(i, &a)| present[i + 1..].iter().map(move |&b| (a, b)))
            .collect();
        // each pair: its training rows and linfa's fitted (alpha, rho)
        let fitted: Vec<(Vec<usize>, Vec<f64>, f64)> = class_pairs
            .par_iter()
            .map(|&(a, b)| self.fit_pair(train, a, b, gamma))
            .collect::<Result<Vec<_>>>()?;
        let mut pairs = Vec::new();
        let mut support_rows: Vec<usize> = Vec::new(); // training rows that are a support vector somewhere
        let mut support_index = std::collections::HashMap::new();
        for (&(a, b), (rows, alpha, rho)) in class_pairs.iter().zip(fitted) {
            // linfa keeps the support vectors whose |alpha| > 100 ε, in row order
            let mut terms = Vec::new();
            for (&row, &alpha) in rows.iter().zip(&alpha) {
                if alpha.abs() > 100.0 * f64::EPSILON {
                    let j = *support_index.entry(row).or_insert_with(|| {
                        support_rows.push(row);
                        support_rows.len() - 1
                    });
                    terms.push((j, alpha));
                }
            }
            pairs.push(Pair {
                first: a,
                second: b,
                terms,
                rho,
            });
        }
        let support = train.x.select(Axis(0), &support_rows).mapv(f64::from); // u × d
        Ok(SvmModel {
            support_sq: support.rows().into_iter().map(|r| r.dot(&r)).collect(),
            support,
            gamma,
            pairs,
            n_features: train.n_features(),
            n_classes: train.n_classes(),
            fit_seconds: t.elapsed().as_secs_f64(),
        })
    }

    /// The binary SVM of class `a` (positive) against class `b`: its training rows, the signed
    /// alpha of each, and rho.
    fn fit_pair(
        &self,
        train: &Dataset,
        a: usize,
        b: usize,
        gamma: f64,
    ) -> Result<(Vec<usize>, Vec<f64>, f64)> {
        let rows: Vec<usize> = (0..train.len())
            .filter(|&r| train.y[r] == a || train.y[r] == b)
            .collect();
        let records = train.x.select(Axis(0), &rows).mapv(f64::from); // n × d
        let targets: Array1<bool> = rows.iter().map(|&r| train.y[r] == a).collect();
        let ds = linfa::Dataset::new(records, targets);
        let params = || {
            format!(
                "C {}, gamma {gamma}, tolerance {}, classes {a} vs {b}",
                self.c, self.tolerance
            )
        };
        // linfa-svm may panic inside its solver: turn that into an error, not a lost kernel.
        let fitted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Svm::<f64, bool>::params()
                .gaussian_kernel(1.0 / gamma)
                .pos_neg_weights(self.c, self.c)
                .eps(self.tolerance)
                .shrinking(false)
                .fit(&ds)
        }))
        .map_err(|_| TakeoffError::Solver {
            model: "RBF SVM".into(),
            params: params(),
            message: "the linfa-svm solver panicked".into(),
        })?;
        let model = fitted.map_err(|e| TakeoffError::Solver {
            model: "RBF SVM".into(),
            params: params(),
            message: e.to_string(),
        })?;
        Ok((rows, model.alpha.clone(), model.rho))
    }
}

#[derive(Debug, Clone)]
pub(super) struct Pair {
    pub(super) first: usize,
    pub(super) second: usize,
    /// (index into the shared support vectors, signed alpha)
    pub(super) terms: Vec<(usize, f64)>,
    pub(super) rho: f64,
}

/// A fitted one-vs-one SVM.
#[derive(Debug, Clone)]
pub struct SvmModel {
    /// Every training example that is a support vector of some pair (u × d), and its squared norm.
    support: Array2<f64>,
    support_sq: Array1<f64>,
    gamma: f64,
    pub(super) pairs: Vec<Pair>,
    n_features: usize,
    n_classes: usize,
    /// Wall time of the fit (s).
    pub fit_seconds: f64,
}

impl SvmModel {
    /// Decision values (rows × number of class pairs): positive votes for the pair's first class.
    /// The RBF kernel between the rows and the support vectors is computed once, with a matrix
    /// product (‖x − s‖² = ‖x‖² + ‖s‖² − 2 x·s), and shared by every pair: the same values as
    /// linfa's per-model `weighted_sum`, without a scalar loop per support vector and pair.
    pub fn decision(&self, x: &Array2<f32>) -> Result<Array2<f64>> {
        check_features(self.n_features, x)?;
        let x = x.mapv(f64::from); // r × d
                                   // r × pairs, filled 1,024 rows at a time so the kernel block stays small (1,024 × u)
        let mut out = Array2::zeros((x.nrows(), self.pairs.len()));
        let blocks = x
            .axis_chunks_iter(Axis(0), 1024)
            .zip(out.axis_chunks_iter_mut(Axis(0), 1024));
        for (xs, mut os) in blocks {
            let mut k = crate::kernels::matmul(xs, self.support.t()); // rows × u: x·s, then k(x, s)
                                                                      // the kernel's own formula from inner products (the patched linfa-kernel's, which
                                                                      // fitted the model: a build against the published crate does not compile)
            let kernel = linfa_kernel::KernelMethod::Gaussian(1.0 / self.gamma);
            for ((xi, mut ki), mut o) in xs.rows().into_iter().zip(k.rows_mut()).zip(os.rows_mut()) {
                let x_sq = xi.dot(&xi);
                ki.zip_mut_with(&self.support_sq, |d, &s| {
                    *d = kernel.from_inner_product(*d, x_sq, s)
                });
                for (o, pair) in o.iter_mut().zip(&self.pairs) {
                    *o = pair.terms.iter().map(|&(j, alpha)| alpha * ki[j]).sum::<f64>() - pair.rho;
                }
            }
        }
        Ok(out)
    }

    /// Predicted class of each row: the most votes over the pairs; a tie goes to the lower
    /// class index (libsvm's rule).
    pub fn predict(&self, x: &Array2<f32>) -> Result<Array1<usize>> {
        let d = self.decision(x)?;
        Ok(d.rows()
            .into_iter()
            .map(|r| {
                let mut votes = vec![0usize; self.n_classes];
                for (&v, pair) in r.iter().zip(&self.pairs) {
                    votes[if v > 0.0 { pair.first } else { pair.second }] += 1;
                }
                votes
                    .iter()
                    .enumerate()
                    .fold((0, 0), |best, (k, &n)| if n > best.1 { (k, n) } else { best })
                    .0
            })
            .collect())
    }

    /// Fraction of `data` classified correctly.
    pub fn accuracy(&self, data: &Dataset) -> Result<f64> {
        Ok(accuracy(&self.predict(&data.x)?, &data.y))
    }
}
