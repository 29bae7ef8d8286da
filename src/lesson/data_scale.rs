//! Chapter 1's configurations: the models, sizes and seeds of each data-scale curve, the
//! small-data and feature-engineering curves, the baselines' validation searches, and a curve
//! for the reader's own data.

use crate::experiments::{log_sizes, validation_search, Cache, CurveConfig, ModelSpec, Search};

use crate::data::{Dataset, FashionMnist, TeacherTask};
use crate::error::Result;
use crate::mlp::MlpParams;
use crate::models::baselines::{Budget, LogisticParams, SvmParams};
use crate::models::conv::ConvParams;
use crate::profile::Profile;

/// The data-scale curves' model names, so that a notebook names a model by a constant the
/// compiler checks; a name a curve does not hold is an error, never a dropped claim.
pub const LOGISTIC: &str = "logistic regression";
/// The RBF SVM of the data-scale curves.
pub const SVM: &str = "RBF SVM";
/// The small MLP (one hidden layer of 32).
pub const SMALL_NN: &str = "small NN (32)";
/// The medium MLP (256-128).
pub const MEDIUM_NN: &str = "medium NN (256-128)";
/// The large MLP (512-256-128).
pub const LARGE_NN: &str = "large NN (512-256-128)";
/// The convolutional net that joins the Fashion-MNIST curve.
pub const CNN: &str = "CNN (LeNet 16-32-128)";
/// The traditional learners of the data-scale claims.
pub const TRADITIONAL: [&str; 2] = [LOGISTIC, SVM];
/// The MLPs of the data-scale claims, from small to large.
pub const NETS: [&str; 3] = [SMALL_NN, MEDIUM_NN, LARGE_NN];
/// The feature-engineering curve's models on HOG features.
pub const ON_HOG: [&str; 2] = ["RBF SVM on HOG", "logistic regression on HOG"];
/// The feature-engineering curve's models on raw pixels.
pub const ON_PIXELS: [&str; 3] = ["RBF SVM on pixels", "medium NN on pixels", "large NN on pixels"];

/// The lesson's models for a data-scale curve: logistic regression, the RBF SVM (with the
/// profile's time budget), and the small, medium and large MLP presets, each trained for at least
/// `epochs` epochs and at least `samples` examples seen.
pub fn data_scale_models(profile: Profile, samples: usize, epochs: usize) -> Vec<(String, ModelSpec)> {
    let svm_minutes = profile.pick(0.3, 1.0, 30.0);
    let nn = |name: &str, p: MlpParams| {
        (
            name.to_string(),
            ModelSpec::Mlp(p.epochs(epochs).min_samples(samples)),
        )
    };
    vec![
        (LOGISTIC.into(), ModelSpec::Logistic(LogisticParams::new())),
        (
            SVM.into(),
            ModelSpec::Svm(SvmParams::new().budget(Budget {
                memory_gb: 4.0,
                minutes: svm_minutes,
            })),
        ),
        nn(SMALL_NN, MlpParams::small()),
        nn(MEDIUM_NN, MlpParams::medium()),
        nn(LARGE_NN, MlpParams::large()),
    ]
}

/// The data-scale curve on the teacher task (10 inputs, 4 classes, 10 % label noise), sized by
/// the profile: the traditional learners at the settings their validation searches picked
/// ([`teacher_baselines`]), the nets at the learning rates theirs picked ([`teacher_net_searches`]).
pub fn data_scale_teacher(profile: Profile, cache: &Cache) -> Result<CurveConfig> {
    let mut config = teacher_curve_untuned_nets(profile, cache)?;
    let (pool, validation) = teacher_search_split(profile)?;
    run_net_searches(&config, net_search_on(&config, &pool, &validation), cache)?.apply(&mut config);
    Ok(config)
}

/// The nets' validation searches on the teacher task, on the same fresh examples and held-out part
/// as its baselines' searches ([`teacher_baseline_search`]); see [`net_search`].
pub fn teacher_net_searches(profile: Profile, cache: &Cache) -> Result<NetSearches> {
    let curve = teacher_curve_untuned_nets(profile, cache)?;
    let (pool, validation) = teacher_search_split(profile)?;
    run_net_searches(&curve, net_search_on(&curve, &pool, &validation), cache)
}

/// The teacher task's curve with the baselines' searched settings and the nets' presets.
fn teacher_curve_untuned_nets(profile: Profile, cache: &Cache) -> Result<CurveConfig> {
    let task = TeacherTask::lesson_default();
    let top = profile.pick(3_000, 20_000, 300_000);
    let sizes = log_sizes(100, top, profile.pick(4, 6, 8));
    // the traditional learners' settings, chosen on the teacher task's own validation data
    let (logistic, svm) = teacher_baselines(profile, cache)?;
    let mut models = data_scale_models(profile, profile.pick(20_000, 100_000, 300_000), 5);
    for (name, spec) in models.iter_mut() {
        if name == LOGISTIC {
            *spec = logistic.chosen_spec.clone();
        } else if name == SVM {
            *spec = svm.chosen_spec.clone();
        }
    }
    Ok(CurveConfig {
        train: task.generate(top, 1)?,
        test: task.generate(profile.pick(2_000, 10_000, 20_000), 2)?,
        validation: None,
        models,
        sizes,
        seeds: (0..profile.pick(1, 2, 3)).collect(),
        ceiling: Some(task.bayes_accuracy()),
    })
}

/// The data-scale curve on Fashion-MNIST (its official test set, or a fixed stratified part of it
/// in the quick profile), sized by the profile.
pub fn data_scale_fashion(profile: Profile, fashion: &FashionMnist) -> Result<CurveConfig> {
    let top = profile.pick(3_000, 10_000, 60_000);
    let samples = profile.pick(20_000, 60_000, 300_000);
    // 20 epochs at the largest m: fewer leave the large net behind the medium one, undertrained
    let mut models = data_scale_models(profile, samples, profile.pick(5, 20, 20));
    // the network that made the lecture's point on images, at the same sizes and sample budget
    models.push((
        CNN.into(),
        ModelSpec::Conv(
            ConvParams::lenet()
                .epochs(profile.pick(3, 10, 15))
                .min_samples(samples),
        ),
    ));
    let test = match profile {
        Profile::Quick => fashion.test.subsample(2_000, 0)?,
        _ => fashion.test.clone(),
    };
    Ok(CurveConfig {
        train: fashion.train.clone(),
        test,
        validation: None,
        models,
        sizes: log_sizes(100, top, profile.pick(4, 6, 8)),
        seeds: (0..profile.pick(1, 2, 3)).collect(),
        ceiling: None,
    })
}

/// Learning rates the nets' validation searches try (Adam; the presets use 1e-3).
pub const NET_LEARNING_RATES: [f64; 3] = [3e-4, 1e-3, 3e-3];

/// The nets' validation searches on Fashion-MNIST, so the nets are tuned with the same care as
/// the traditional learners: for each MLP of [`data_scale_fashion`] and its convolutional net, as
/// that curve trains it (same epochs and sample budget), one candidate per learning rate of
/// [`NET_LEARNING_RATES`], fitted at the curve's largest m on training images and scored on other
/// training images held out for validation (never the test set). Returns (the curve's model name,
/// its candidates).
pub fn net_search(profile: Profile, fashion: &FashionMnist) -> Result<Vec<(String, CurveConfig)>> {
    fashion_net_search(profile, fashion, &data_scale_fashion(profile, fashion)?)
}

/// [`net_search`] for an already built Fashion-MNIST `curve` (building one clones the images).
fn fashion_net_search(
    profile: Profile,
    fashion: &FashionMnist,
    curve: &CurveConfig,
) -> Result<Vec<(String, CurveConfig)>> {
    let validation_size = profile.pick(1_000, 2_000, 5_000);
    let (pool, validation) = fashion
        .train
        .split(validation_size as f64 / fashion.train.len() as f64, 11)?;
    Ok(net_search_on(curve, &pool, &validation))
}

/// Each net of `curve` (its MLPs, and its convolutional net where it has one), one candidate per
/// learning rate, fitted on `pool` at the curve's largest m (or the pool's size, if smaller) and
/// scored on `validation`.
fn net_search_on(curve: &CurveConfig, pool: &Dataset, validation: &Dataset) -> Vec<(String, CurveConfig)> {
    let m = curve.sizes.last().copied().unwrap_or(1_000);
    NETS.iter()
        .chain([&CNN])
        .filter_map(|&net| {
            let (_, spec) = curve.models.iter().find(|(n, _)| n == net)?;
            let candidates = NET_LEARNING_RATES
                .iter()
                .map(|&lr| Ok((format!("{net}, lr = {lr}"), spec.with_learning_rate(lr)?)))
                .collect::<Result<Vec<_>>>()
                .ok()?;
            Some((
                net.to_string(),
                CurveConfig {
                    train: pool.clone(),
                    test: validation.clone(),
                    validation: None,
                    models: candidates,
                    sizes: vec![m.min(pool.len())],
                    seeds: vec![0],
                    ceiling: None,
                },
            ))
        })
        .collect()
}

/// The nets' searches of [`net_search`], run (or read from `cache`): one [`Search`] per net,
/// each checked against the curve's own setting of that net.
#[derive(Debug, Clone)]
pub struct NetSearches {
    /// (the curve's model name, its search).
    pub searches: Vec<(String, Search)>,
}

/// Runs the nets' validation searches of [`net_search`].
pub fn net_searches(profile: Profile, fashion: &FashionMnist, cache: &Cache) -> Result<NetSearches> {
    let curve = data_scale_fashion(profile, fashion)?;
    run_net_searches(&curve, fashion_net_search(profile, fashion, &curve)?, cache)
}

fn run_net_searches(
    curve: &CurveConfig,
    candidates: Vec<(String, CurveConfig)>,
    cache: &Cache,
) -> Result<NetSearches> {
    let mut searches = Vec::new();
    for (net, candidates) in candidates {
        let default = curve
            .models
            .iter()
            .find(|(n, _)| *n == net)
            .map(|(_, s)| s.clone())
            .expect("net_search names the curve's nets");
        searches.push((net, validation_search(&candidates, cache, &default)?));
    }
    Ok(NetSearches { searches })
}

impl NetSearches {
    /// Gives each searched net of `config` the setting its search picked.
    pub fn apply(&self, config: &mut CurveConfig) {
        for (net, search) in &self.searches {
            if let Some((_, spec)) = config.models.iter_mut().find(|(n, _)| n == net) {
                *spec = search.chosen_spec.clone();
            }
        }
    }
}

/// [`data_scale_fashion`] with each MLP at the learning rate its validation search picked
/// ([`net_searches`]), as chapter 1 runs it.
pub fn data_scale_fashion_tuned(
    profile: Profile,
    fashion: &FashionMnist,
    cache: &Cache,
) -> Result<CurveConfig> {
    let mut config = data_scale_fashion(profile, fashion)?;
    run_net_searches(&config, fashion_net_search(profile, fashion, &config)?, cache)?.apply(&mut config);
    Ok(config)
}

/// The small-data regime on Fashion-MNIST: (raw pixels, HOG features) configurations over the
/// same images, so a traditional learner on engineered features can be set against raw-pixel
/// learners and nets at small m. Merge the two curves with [`LearningCurve::merge`].
pub fn small_data_fashion(profile: Profile, fashion: &FashionMnist) -> Result<(CurveConfig, CurveConfig)> {
    let top = profile.pick(500, 2_000, 10_000);
    // the pool, and right after it in the same stratified order a validation set no run trains on
    // (what the best-of table picks on; the test set only reports)
    let order = fashion.train.stratified_order(7);
    let pool = fashion.train.subsample(top, 7)?;
    let held_out = profile.pick(1_000, 2_000, 5_000);
    let validation = fashion
        .train
        .select(&order[top..(top + held_out).min(order.len())]);
    let test = fashion.test.subsample(profile.pick(2_000, 5_000, 10_000), 0)?;
    let sizes = log_sizes(profile.pick(50, 30, 30), top, profile.pick(4, 5, 7));
    let seeds: Vec<u64> = (0..profile.pick(1, 2, 5)).collect();
    let budget = Budget {
        memory_gb: 4.0,
        minutes: profile.pick(1.0, 0.5, 30.0),
    };
    let samples = profile.pick(20_000, 60_000, 200_000);
    let pixels = CurveConfig {
        train: pool.clone(),
        test: test.clone(),
        validation: Some(validation.clone()),
        models: vec![
            (
                ON_PIXELS[0].into(),
                ModelSpec::Svm(SvmParams::new().budget(budget)),
            ),
            (
                ON_PIXELS[1].into(),
                ModelSpec::Mlp(MlpParams::medium().epochs(5).min_samples(samples)),
            ),
            (
                ON_PIXELS[2].into(),
                ModelSpec::Mlp(MlpParams::large().epochs(5).min_samples(samples)),
            ),
        ],
        sizes: sizes.clone(),
        seeds: seeds.clone(),
        ceiling: None,
    };
    let hog = crate::data::HogParams::default();
    let features = CurveConfig {
        train: crate::data::hog(&pool, hog)?,
        test: crate::data::hog(&test, hog)?,
        validation: Some(crate::data::hog(&validation, hog)?),
        models: vec![
            (ON_HOG[0].into(), ModelSpec::Svm(SvmParams::new().budget(budget))),
            (ON_HOG[1].into(), ModelSpec::Logistic(LogisticParams::new())),
        ],
        sizes,
        seeds,
        ceiling: None,
    };
    Ok((pixels, features))
}

/// The validation searches behind the baselines' defaults: (logistic regression, RBF SVM)
/// candidates, each fitted once on `m` examples of Fashion-MNIST's training set and scored on a
/// held-out part of the *training* set (the test set is never looked at). Run each with
/// [`validation_search`].
///
/// Logistic regression: L2 penalty α ∈ {0.1, 1, 10} × L-BFGS iterations ∈ {10, 30, 100}.
/// SVM: C ∈ {1, 10, 100} × γ ∈ {0.5, 1, 2} / d.
pub fn baseline_search(profile: Profile, fashion: &FashionMnist) -> Result<(CurveConfig, CurveConfig)> {
    baseline_search_on(profile, &fashion.train)
}

/// The same validation searches as [`baseline_search`] on the teacher task: candidates fitted on
/// fresh examples of the task and scored on a held-out part of them (never on the curve's test set).
pub fn teacher_baseline_search(profile: Profile) -> Result<(CurveConfig, CurveConfig)> {
    let task = TeacherTask::lesson_default();
    baseline_search_on(profile, &task.generate(profile.pick(3_000, 12_000, 20_000), 4)?)
}

/// The (pool, held-out validation) split of the teacher task's search examples, as
/// [`teacher_baseline_search`] makes it.
fn teacher_search_split(profile: Profile) -> Result<(Dataset, Dataset)> {
    let train = TeacherTask::lesson_default().generate(profile.pick(3_000, 12_000, 20_000), 4)?;
    let validation_size = profile.pick(1_000, 2_000, 5_000);
    train.split(validation_size as f64 / train.len() as f64, 11)
}

/// Runs (or reads from `cache`) the teacher task's validation searches of
/// [`teacher_baseline_search`]: logistic regression's and the SVM's.
pub fn teacher_baselines(profile: Profile, cache: &Cache) -> Result<(Search, Search)> {
    let (logistic, svm) = teacher_baseline_search(profile)?;
    Ok((
        validation_search(&logistic, cache, &ModelSpec::Logistic(LogisticParams::new()))?,
        validation_search(&svm, cache, &ModelSpec::Svm(SvmParams::new()))?,
    ))
}

/// The validation searches on a pool of training examples: a held-out part scores candidates
/// fitted on the rest.
fn baseline_search_on(profile: Profile, train: &Dataset) -> Result<(CurveConfig, CurveConfig)> {
    let validation_size = profile.pick(1_000, 2_000, 5_000);
    let (pool, validation) = train.split(validation_size as f64 / train.len() as f64, 11)?;
    let d = train.n_features() as f64;
    let mut logistic = Vec::new();
    for alpha in [0.1, 1.0, 10.0] {
        for iterations in [10, 30, 100] {
            logistic.push((
                format!("α = {alpha}, {iterations} iterations"),
                ModelSpec::Logistic(LogisticParams::new().alpha(alpha).max_iterations(iterations)),
            ));
        }
    }
    let mut svm = Vec::new();
    for c in [1.0, 10.0, 100.0] {
        for g in [0.5, 1.0, 2.0] {
            // the default γ is left unset, so that candidate equals the default spec
            let params = if g == crate::models::baselines::DEFAULT_GAMMA_PER_FEATURE {
                SvmParams::new().c(c)
            } else {
                SvmParams::new().c(c).gamma(g / d)
            };
            svm.push((format!("C = {c}, γ = {g}/d"), ModelSpec::Svm(params)));
        }
    }
    let config = |models, m| CurveConfig {
        train: pool.clone(),
        test: validation.clone(),
        validation: None,
        models,
        sizes: vec![m],
        seeds: vec![0],
        ceiling: None,
    };
    Ok((
        config(logistic, profile.pick(500, 2_000, 4_000)),
        config(svm, profile.pick(500, 1_000, 2_000)),
    ))
}

/// A learning curve for the reader's own data: a stratified 25 % test split, log-spaced sizes
/// from a few examples per class to the whole training part, logistic regression and the small
/// and medium nets (trained on at least 20,000 examples seen), `seeds` seeds.
pub fn your_curve(data: &Dataset, seeds: usize) -> Result<CurveConfig> {
    let (train, test) = data.split(0.25, 0)?;
    let lo = (5 * data.n_classes()).max(20).min(train.len());
    let samples = 20_000;
    Ok(CurveConfig {
        models: vec![
            (LOGISTIC.into(), ModelSpec::Logistic(LogisticParams::new())),
            (
                SMALL_NN.into(),
                ModelSpec::Mlp(MlpParams::small().epochs(5).min_samples(samples)),
            ),
            (
                MEDIUM_NN.into(),
                ModelSpec::Mlp(MlpParams::medium().epochs(5).min_samples(samples)),
            ),
        ],
        validation: None,
        sizes: log_sizes(lo, train.len(), 5),
        seeds: (0..seeds.max(1) as u64).collect(),
        ceiling: None,
        train,
        test,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_net_is_searched_over_the_learning_rates_as_its_curve_trains_it() {
        let fashion = crate::data::fashion_mnist().unwrap();
        let curve = data_scale_fashion(Profile::Quick, &fashion).unwrap();
        let searches = net_search(Profile::Quick, &fashion).unwrap();
        // the MLPs, then the convolutional net
        assert_eq!(
            searches.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(),
            [NETS.as_slice(), &[CNN]].concat()
        );
        for (net, candidates) in &searches {
            assert_eq!(candidates.models.len(), NET_LEARNING_RATES.len());
            assert_eq!(candidates.sizes, vec![*curve.sizes.last().unwrap()]);
            // the curve's own setting is one of the candidates, so the search can confirm it
            let own = &curve.models.iter().find(|(n, _)| n == net).unwrap().1;
            assert!(candidates.models.iter().any(|(_, s)| s == own), "{net}");
            // validation images are training images, never the test set
            assert_ne!(candidates.test.name, curve.test.name);
        }
    }
}
