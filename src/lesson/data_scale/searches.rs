//! The traditional learners' validation searches: the grids behind their settings, each
//! candidate fitted on part of a pool and scored on another part held out for validation.

use super::*;

/// A traditional learner's search: where its candidates are fitted and scored, and its grid.
#[derive(Debug, Clone)]
pub struct BaselineGrid {
    /// The pool, the held-out validation part (as `test`), the size and seed of the fits; its
    /// models are the grid's points.
    pub base: CurveConfig,
    /// The grid's axes, which grow past an edge the pick sits on.
    pub axes: Vec<GridAxis>,
    /// Features per example (the SVM's γ is searched in units of 1/d).
    pub d: usize,
}

/// The grids behind the traditional learners' settings, on a pool of training examples whose
/// held-out part scores candidates fitted on the rest: logistic regression's L2 penalty α ∈ {0.1,
/// 1, 10} × L-BFGS iterations ∈ {10, 30, 100}, the SVM's C ∈ {1, 10, 100} × γ ∈ {0.5, 1, 2} / d;
/// a pick on an edge grows its axis (α and C by 10, iterations by 3, γ by 2).
pub fn baseline_grids(profile: Profile, train: &Dataset) -> Result<(BaselineGrid, BaselineGrid)> {
    let validation_size = profile.pick(1_000, 2_000, 5_000);
    let (pool, validation) = train.split(validation_size as f64 / train.len() as f64, 11)?;
    let config = |m| CurveConfig {
        train: pool.clone(),
        test: validation.clone(),
        validation: None,
        models: Vec::new(),
        sizes: vec![m],
        seeds: vec![0],
        ceiling: None,
    };
    let d = train.n_features();
    Ok((
        BaselineGrid {
            base: config(profile.pick(500, 2_000, 4_000)),
            axes: vec![
                GridAxis::new("α", &[0.1, 1.0, 10.0], 10.0, (1e-4, 1e4)),
                GridAxis::new("iterations", &[10.0, 30.0, 100.0], 3.0, (1.0, 1_000.0)),
            ],
            d,
        },
        BaselineGrid {
            base: config(profile.pick(500, 1_000, 2_000)),
            axes: vec![
                GridAxis::new("C", &[1.0, 10.0, 100.0], 10.0, (1e-3, 1e4)),
                GridAxis::new("γ·d", &[0.5, 1.0, 2.0], 2.0, (1.0 / 64.0, 64.0)),
            ],
            d,
        },
    ))
}

/// Logistic regression's candidate at (α, iterations).
fn logistic_candidate(p: &[f64]) -> Result<(String, ModelSpec)> {
    let (alpha, iterations) = (p[0], p[1].round() as u64);
    Ok((
        format!("α = {alpha}, {iterations} iterations"),
        ModelSpec::Logistic(LogisticParams::new().alpha(alpha).max_iterations(iterations)),
    ))
}

/// The SVM's candidate at (C, γ·d) on `d` features; the default γ is left unset, so that
/// candidate equals the default spec.
fn svm_candidate(d: usize, p: &[f64]) -> (String, ModelSpec) {
    let (c, g) = (p[0], p[1]);
    let params = if g == crate::models::baselines::DEFAULT_GAMMA_PER_FEATURE {
        SvmParams::new().c(c)
    } else {
        SvmParams::new().c(c).gamma(g / d as f64)
    };
    (format!("C = {c}, γ = {g}/d"), ModelSpec::Svm(params))
}

pub(super) fn run_baseline_grids(
    (logistic, svm): &(BaselineGrid, BaselineGrid),
    cache: &Cache,
) -> Result<(Search, Search)> {
    Ok((run_logistic_grid(logistic, cache)?, run_svm_grid(svm, cache)?))
}

pub(super) fn run_logistic_grid(logistic: &BaselineGrid, cache: &Cache) -> Result<Search> {
    grid_search(
        &logistic.base,
        &logistic.axes,
        logistic_candidate,
        cache,
        &ModelSpec::Logistic(LogisticParams::new()),
    )
}

pub(super) fn run_svm_grid(svm: &BaselineGrid, cache: &Cache) -> Result<Search> {
    let d = svm.d;
    grid_search(
        &svm.base,
        &svm.axes,
        |p| Ok(svm_candidate(d, p)),
        cache,
        &ModelSpec::Svm(SvmParams::new()),
    )
}
