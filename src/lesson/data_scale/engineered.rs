//! Engineered features as the data grows: the engineered-feature learner that the small-data
//! curve picked, taken on to every Fashion-MNIST training image on the main curve's axis, and the
//! claims that decide whether the nets pass it.

use super::*;
use crate::error::TakeoffError;
use crate::experiments::{learning_curve, Claim, LearningCurve};

/// The engineered-feature learner of [`ON_HOG`] that the small-data curve picked on validation
/// images at its largest m, against the best on raw pixels ([`LearningCurve::best_of_each`]).
/// An error when the curve holds no size at which a learner of each side ran.
pub fn engineered_learner(small_data: &LearningCurve) -> Result<&'static str> {
    let best = small_data.best_of_each(&ON_HOG, &ON_PIXELS)?;
    best.rows
        .last()
        .and_then(|(_, picked, _)| ON_HOG.into_iter().find(|&n| n == picked.model))
        .ok_or_else(|| {
            TakeoffError::invalid(
                "small-data curve",
                "no size at which a learner on HOG features and one on raw pixels both ran",
                "the two curves of small_data_fashion, run and merged",
            )
        })
}

/// `learner` (one of [`ON_HOG`]) on the HOG features of every Fashion-MNIST training image: its
/// settings searched on validation data as the raw-pixel learners' are ([`baseline_grids`] over
/// HOG features of the training images), and a curve with the main Fashion-MNIST curve's sizes,
/// seeds and test images ([`data_scale_fashion`]) and the SVM's budget ([`svm_budget`]), so that
/// [`LearningCurve::merge`] draws it on the main curve's axis. Returns (the search, the curve).
pub fn engineered_fashion(
    profile: Profile,
    fashion: &FashionMnist,
    learner: &str,
    cache: &Cache,
) -> Result<(Search, CurveConfig)> {
    let hog = crate::data::HogParams::default();
    let train = crate::data::hog(&fashion.train, hog)?;
    let (logistic, svm) = baseline_grids(profile, &train)?;
    let (search, spec) = if learner == ON_HOG[0] {
        let search = run_svm_grid(&svm, cache)?;
        let spec = match &search.chosen_spec {
            ModelSpec::Svm(p) => ModelSpec::Svm(p.clone().budget(svm_budget(profile))),
            other => other.clone(),
        };
        (search, spec)
    } else if learner == ON_HOG[1] {
        let search = run_logistic_grid(&logistic, cache)?;
        let spec = search.chosen_spec.clone();
        (search, spec)
    } else {
        return Err(TakeoffError::invalid(
            "engineered-feature learner",
            learner,
            format!("one of {}", ON_HOG.join(", ")),
        ));
    };
    let config = CurveConfig {
        test: crate::data::hog(&fashion_test(profile, fashion)?, hog)?,
        train,
        validation: None,
        models: vec![(learner.to_string(), spec)],
        sizes: fashion_sizes(profile),
        seeds: fashion_seeds(profile),
        ceiling: None,
    };
    Ok((search, config))
}

/// Chapter 1's Fashion-MNIST curve ([`data_scale_fashion_tuned`]) with the engineered-feature
/// learner on its axis, run (or read from `cache`) as chapter 1 runs them: the small-data curves
/// ([`small_data_fashion`]) pick the learner ([`engineered_learner`]), [`engineered_fashion`]
/// takes it on to every training image.
pub fn fashion_with_features(
    profile: Profile,
    fashion: &FashionMnist,
    cache: &Cache,
) -> Result<LearningCurve> {
    let main = learning_curve(&data_scale_fashion_tuned(profile, fashion, cache)?, cache)?;
    let (pixels, features) = small_data_fashion(profile, fashion)?;
    let small = learning_curve(&pixels, cache)?.merge(learning_curve(&features, cache)?);
    let learner = engineered_learner(&small)?;
    let (_, config) = engineered_fashion(profile, fashion, learner, cache)?;
    Ok(main.merge(learning_curve(&config, cache)?))
}

/// The lecture's large-data claim against engineered features, on a curve that holds the
/// convolutional net ([`CNN`]), the large MLP ([`LARGE_NN`]) and `learner`: "the CNN passes the
/// learner as m grows" and "the large MLP passes it as m grows" ([`LearningCurve::crossover`]:
/// decided at the largest m where both ran; the evidence names the m from which the net leads
/// beyond the noise for good), and "the learner flattens: over the last step of m that at least
/// doubles it, it gains less than the CNN" ([`LearningCurve::flattens`]). A name the curve does
/// not hold is an error.
pub fn engineered_claims(curve: &LearningCurve, learner: &str) -> Result<Vec<Claim>> {
    curve.check_names(&[CNN, LARGE_NN, learner])?;
    Ok(vec![
        curve.crossover(CNN, learner),
        curve.crossover(LARGE_NN, learner),
        curve.flattens(learner, CNN),
    ])
}

/// The Fashion-MNIST curve's claims: the data-scale claims of [`TRADITIONAL`] against [`NETS`],
/// then the convolutional net's ([`CNN`]) against the traditional learners, then, where the
/// curve holds an engineered-feature learner of [`ON_HOG`] ([`fashion_with_features`]), the
/// nets against it ([`engineered_claims`]).
pub fn fashion_claims(curve: &LearningCurve) -> Result<Vec<Claim>> {
    let mut claims = curve.check_claims(&TRADITIONAL, &NETS)?;
    claims.extend(curve.net_claims(&TRADITIONAL, CNN)?);
    if let Some(learner) = ON_HOG.into_iter().find(|n| curve.models.iter().any(|m| m == n)) {
        claims.extend(engineered_claims(curve, learner)?);
    }
    Ok(claims)
}
