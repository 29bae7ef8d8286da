//! Chapter 1's configurations: the models, sizes and seeds of each data-scale curve, the
//! small-data and feature-engineering curves, the baselines' validation searches, and a curve
//! for the reader's own data.

use crate::experiments::search::{grid_search, GridAxis};
use crate::experiments::{log_sizes, Cache, CurveConfig, ModelSpec, Search};

use crate::data::{Dataset, FashionMnist, TeacherTask};
use crate::error::Result;
use crate::models::baselines::{Budget, LogisticParams, SvmParams};
use crate::models::conv::ConvParams;
use crate::models::mlp::MlpParams;
use crate::profile::Profile;
use linfa::ParamGuard;

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

/// How the lesson trains every net of its curves: to its best by held-out stopping. Each net
/// holds out [`HELD_OUT`] of its own *m* examples (so every learner still sees exactly *m*
/// labelled examples), measures its accuracy on them after every round (one epoch, or more at
/// small *m*, so that a round sees at least `round_samples` examples), stops when it has not
/// improved for `patience` rounds, and keeps the weights of its best round; at most `max_epochs`
/// epochs (or [`MAX_EPOCHS`](crate::models::train::MAX_EPOCHS) at small *m*), the learning rate
/// multiplied by `decay` after every epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StoppingRule {
    pub patience: usize,
    pub round_samples: usize,
    pub max_epochs: usize,
    pub decay: f64,
}

/// The share of its *m* examples a net holds out for its stopping rule (scikit-learn's
/// `early_stopping` default).
pub const HELD_OUT: f64 = 0.1;

impl StoppingRule {
    /// The profile's rule for the fully connected nets.
    pub fn mlp(profile: Profile) -> StoppingRule {
        StoppingRule {
            patience: profile.pick(3, 5, 8),
            round_samples: profile.pick(5_000, 10_000, 10_000),
            max_epochs: profile.pick(40, 100, 200),
            decay: 1.0,
        }
    }

    /// The profile's rule for the convolutional net.
    pub fn cnn(profile: Profile) -> StoppingRule {
        StoppingRule {
            patience: profile.pick(3, 5, 8),
            round_samples: profile.pick(5_000, 10_000, 10_000),
            max_epochs: profile.pick(20, 60, 120),
            decay: CNN_DECAY,
        }
    }

    /// The rule in a sentence, for the page.
    pub fn describe(&self) -> crate::lang::Text {
        let (p, r, e) = (self.patience, self.round_samples, self.max_epochs);
        let held = HELD_OUT * 100.0;
        let decay_en = if self.decay < 1.0 {
            format!(
                "; the learning rate is multiplied by {} after every epoch",
                self.decay
            )
        } else {
            String::new()
        };
        let decay_zh = if self.decay < 1.0 {
            format!("；每轮之后学习率乘以 {}", self.decay)
        } else {
            String::new()
        };
        crate::lang::Text::new(
            format!(
                "each net holds out {held:.0}% of its own m examples, measures its accuracy on them after every round (one epoch, or as many as it takes to see {r} examples), stops when it has not improved for {p} rounds, and keeps the weights of its best round; at most {e} epochs (more at small m, up to 2000){decay_en}"
            ),
            format!(
                "每个网络从自己的 m 个样本中留出 {held:.0}%，每训练一个回合（一轮，或在 m 较小时看满 {r} 个样本所需的轮数）后在留出样本上测准确率，连续 {p} 个回合没有提高就停止，并保留最好回合的权重；最多 {e} 轮（m 较小时更多，至多 2000 轮）{decay_zh}"
            ),
        )
    }

    /// `p` trained by this rule, as the curves train their MLPs.
    pub fn mlp_spec(&self, p: MlpParams) -> ModelSpec {
        ModelSpec::Mlp(
            p.epochs(self.max_epochs)
                .min_samples(self.max_epochs * self.round_samples)
                .learning_rate_decay(self.decay)
                .early_stopping_rounds(HELD_OUT, self.patience, self.round_samples),
        )
    }

    /// `p` trained by this rule, as the curves train their convolutional net.
    pub fn conv_spec(&self, p: ConvParams) -> ModelSpec {
        ModelSpec::Conv(
            p.epochs(self.max_epochs)
                .min_samples(self.max_epochs * self.round_samples)
                .learning_rate_decay(self.decay)
                .early_stopping_rounds(HELD_OUT, self.patience, self.round_samples),
        )
    }
}

/// The convolutional net's learning-rate decay per round of its stopping rule (one epoch at
/// large m). Measured at m = 10,000 with held-out stopping and Xavier's initialisation: a
/// constant rate kept weights at 87.1% and 86.7% on the test set (seeds 0 and 1), a decay of
/// 0.93 an epoch 87.7% and 87.4%. At m = 10,000 a round is two epochs, so 0.85 a round is about
/// 0.92 an epoch there, and at 60,000, where a round is one epoch, a faster decay.
pub const CNN_DECAY: f64 = 0.85;

/// The lesson's models for a data-scale curve: logistic regression, the RBF SVM (with the
/// profile's time budget), and the small, medium and large MLP presets, each trained to its best
/// by the profile's [`StoppingRule::mlp`].
pub fn data_scale_models(profile: Profile) -> Vec<(String, ModelSpec)> {
    let rule = StoppingRule::mlp(profile);
    let nn = |name: &str, p: MlpParams| (name.to_string(), rule.mlp_spec(p));
    vec![
        (LOGISTIC.into(), ModelSpec::Logistic(LogisticParams::new())),
        (
            SVM.into(),
            ModelSpec::Svm(SvmParams::new().budget(svm_budget(profile))),
        ),
        nn(SMALL_NN, MlpParams::small()),
        nn(MEDIUM_NN, MlpParams::medium()),
        nn(LARGE_NN, MlpParams::large()),
    ]
}

/// The SVM's memory and time budget on the data-scale curves. The time estimate
/// ([`SvmParams::estimate_for`]) is pessimistic for Fashion-MNIST by about 4×: all 60,000 images
/// are estimated at 8.4 minutes on 2 cores and fit in 1.5 alone (4.5 in the cold default render,
/// beside the nets); on their HOG features (1,296 per image) at 9.3 minutes.
pub fn svm_budget(profile: Profile) -> Budget {
    Budget {
        memory_gb: 4.0,
        minutes: profile.pick(0.3, 10.0, 60.0),
    }
}

/// The data-scale curve on the teacher task (10 inputs, 4 classes, 10% label noise), sized by
/// the profile: the traditional learners at the settings their validation searches picked
/// ([`teacher_baselines`]), the nets at the learning rates theirs picked ([`teacher_net_searches`]).
pub fn data_scale_teacher(profile: Profile, cache: &Cache) -> Result<CurveConfig> {
    let mut config = teacher_curve_untuned_nets(profile, cache)?;
    let (pool, validation) = teacher_search_split(profile)?;
    let m = net_search_size(profile);
    run_net_searches(&config, net_search_on(&config, &pool, &validation, m), cache)?.apply(&mut config);
    Ok(config)
}

/// The nets' validation searches on the teacher task, on the same fresh examples and held-out part
/// as its baselines' searches ([`teacher_baselines`]); see [`net_search`].
pub fn teacher_net_searches(profile: Profile, cache: &Cache) -> Result<NetSearches> {
    let curve = teacher_curve_untuned_nets(profile, cache)?;
    let (pool, validation) = teacher_search_split(profile)?;
    let m = net_search_size(profile);
    run_net_searches(&curve, net_search_on(&curve, &pool, &validation, m), cache)
}

/// The teacher task's curve with the baselines' searched settings and the nets' presets.
fn teacher_curve_untuned_nets(profile: Profile, cache: &Cache) -> Result<CurveConfig> {
    let task = TeacherTask::lesson_default();
    // into big data: past what the SVM's dense kernels can hold on this machine
    let top = profile.pick(3_000, 200_000, 300_000);
    let sizes = log_sizes(100, top, profile.pick(4, 9, 10));
    // the traditional learners' settings, chosen on the teacher task's own validation data
    let (logistic, svm) = teacher_baselines(profile, cache)?;
    let mut config = CurveConfig {
        train: task.generate(top, 1)?,
        test: task.generate(profile.pick(2_000, 10_000, 20_000), 2)?,
        validation: None,
        sizes,
        models: data_scale_models(profile),
        seeds: (0..profile.pick(1, 2, 3)).collect(),
        ceiling: Some(task.bayes_accuracy()),
    };
    apply_baselines(&mut config, &logistic, &svm);
    Ok(config)
}

/// The data-scale curve on Fashion-MNIST (its official test set, or a fixed stratified part of it
/// in the quick profile), sized by the profile.
pub fn data_scale_fashion(profile: Profile, fashion: &FashionMnist) -> Result<CurveConfig> {
    let mut models = data_scale_models(profile);
    // the network that made the lecture's point on images, trained to its best too
    models.push((CNN.into(), StoppingRule::cnn(profile).conv_spec(lesson_cnn())));
    Ok(CurveConfig {
        train: fashion.train.clone(),
        test: fashion_test(profile, fashion)?,
        validation: None,
        models,
        sizes: fashion_sizes(profile),
        seeds: fashion_seeds(profile),
        ceiling: None,
    })
}

/// The Fashion-MNIST curve's seeds.
fn fashion_seeds(profile: Profile) -> Vec<u64> {
    (0..profile.pick(1, 2, 3)).collect()
}

/// The Fashion-MNIST curve's sizes: up to every training image in `default` and `full`.
fn fashion_sizes(profile: Profile) -> Vec<usize> {
    log_sizes(100, profile.pick(3_000, 60_000, 60_000), profile.pick(4, 9, 9))
}

/// The Fashion-MNIST curve's test images: the official test set, or a fixed stratified part of
/// it in the quick profile.
fn fashion_test(profile: Profile, fashion: &FashionMnist) -> Result<Dataset> {
    match profile {
        Profile::Quick => fashion.test.subsample(2_000, 0),
        _ => Ok(fashion.test.clone()),
    }
}

/// The lesson's convolutional net: LeNet's shape ([`ConvParams::lenet`]) with Xavier's
/// initialisation. Measured at m = 10,000 with held-out stopping (two seeds each), He's
/// initialisation (the crate's default for ReLU) kept weights 0.4 points lower (86.5% against
/// 86.9% on the test set).
pub fn lesson_cnn() -> ConvParams {
    ConvParams::lenet().init(crate::models::activation::Init::Xavier)
}

/// Learning rates the nets' validation searches start from (Adam; the presets use 1e-3); a pick
/// on an edge grows the grid past it ([`grid_search`]).
pub const NET_LEARNING_RATES: [f64; 3] = [3e-4, 1e-3, 3e-3];

/// The nets' learning-rate axis: [`NET_LEARNING_RATES`], grown by a factor of 3 between 1e-5
/// and 0.03.
pub fn learning_rate_axis() -> GridAxis {
    GridAxis::new("learning rate", &NET_LEARNING_RATES, 3.0, (1e-5, 0.03))
}

/// The size at which the nets' learning rates are searched: the curve's largest m in `quick`,
/// 10,000 examples in `default` (a search at all 60,000 images would cost the convolutional net
/// several times its curve), 20,000 in `full`.
pub fn net_search_size(profile: Profile) -> usize {
    profile.pick(3_000, 10_000, 20_000)
}

/// The nets' validation searches on Fashion-MNIST, so the nets are tuned with the same care as
/// the traditional learners: for each MLP of [`data_scale_fashion`] and its convolutional net, as
/// that curve trains it (same epochs and sample budget), one candidate per learning rate of
/// [`NET_LEARNING_RATES`], fitted at [`net_search_size`] on training images once with each of the
/// curve's seeds and scored on other training images held out for validation (10,000 in
/// `default`; never the test set), picked on the mean over the seeds (why: the README's "Nets
/// trained to their best"). Returns (the curve's model name, its candidates).
pub fn net_search(profile: Profile, fashion: &FashionMnist) -> Result<Vec<(String, CurveConfig)>> {
    fashion_net_search(profile, fashion, &data_scale_fashion(profile, fashion)?)
}

/// [`net_search`] for an already built Fashion-MNIST `curve` (building one clones the images).
fn fashion_net_search(
    profile: Profile,
    fashion: &FashionMnist,
    curve: &CurveConfig,
) -> Result<Vec<(String, CurveConfig)>> {
    let validation_size = profile.pick(1_000, 10_000, 10_000);
    let (pool, validation) = fashion
        .train
        .split(validation_size as f64 / fashion.train.len() as f64, 11)?;
    Ok(net_search_on(curve, &pool, &validation, net_search_size(profile)))
}

/// Each net of `curve` (its MLPs, and its convolutional net where it has one) with its
/// candidates at the starting learning rates, fitted on `pool` at `m` (or the pool's size, if
/// smaller) with each of the curve's seeds and scored on `validation`.
fn net_search_on(
    curve: &CurveConfig,
    pool: &Dataset,
    validation: &Dataset,
    m: usize,
) -> Vec<(String, CurveConfig)> {
    NETS.iter()
        .chain([&CNN])
        .filter_map(|&net| {
            let (_, spec) = curve.models.iter().find(|(n, _)| n == net)?;
            let candidates = NET_LEARNING_RATES
                .iter()
                .map(|&lr| net_candidate(net, spec, lr))
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
                    seeds: curve.seeds.clone(),
                    ceiling: None,
                },
            ))
        })
        .collect()
}

/// A net's candidate at learning rate `lr`, named "net, lr = …".
fn net_candidate(net: &str, spec: &ModelSpec, lr: f64) -> Result<(String, ModelSpec)> {
    Ok((format!("{net}, lr = {lr}"), spec.with_learning_rate(lr)?))
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
        let axes = [learning_rate_axis()];
        let search = grid_search(
            &candidates,
            &axes,
            |p| net_candidate(&net, &default, p[0]),
            cache,
            &default,
        )?;
        searches.push((net, search));
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

/// [`data_scale_fashion`] as chapter 1 runs it: logistic regression and the SVM at the settings
/// their validation searches picked ([`baseline_searches`]), each net at the learning rate its
/// search picked ([`net_searches`]).
pub fn data_scale_fashion_tuned(
    profile: Profile,
    fashion: &FashionMnist,
    cache: &Cache,
) -> Result<CurveConfig> {
    let mut config = data_scale_fashion(profile, fashion)?;
    let (logistic, svm) = baseline_searches(profile, fashion, cache)?;
    apply_baselines(&mut config, &logistic, &svm);
    run_net_searches(&config, fashion_net_search(profile, fashion, &config)?, cache)?.apply(&mut config);
    Ok(config)
}

/// Gives the curve's logistic regression and SVM the settings their searches picked.
pub fn apply_baselines(config: &mut CurveConfig, logistic: &Search, svm: &Search) {
    for (name, spec) in config.models.iter_mut() {
        if name == LOGISTIC {
            *spec = logistic.chosen_spec.clone();
        } else if name == SVM {
            // the curve's own time and memory budget stays
            if let (ModelSpec::Svm(own), ModelSpec::Svm(picked)) = (&*spec, &svm.chosen_spec) {
                if let Ok(budget) = own.check_ref().map(|v| v.budget()) {
                    *spec = ModelSpec::Svm(picked.clone().budget(budget));
                }
            }
        }
    }
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
    let rule = StoppingRule::mlp(profile);
    let pixels = CurveConfig {
        train: pool.clone(),
        test: test.clone(),
        validation: Some(validation.clone()),
        models: vec![
            (
                ON_PIXELS[0].into(),
                ModelSpec::Svm(SvmParams::new().budget(budget)),
            ),
            (ON_PIXELS[1].into(), rule.mlp_spec(MlpParams::medium())),
            (ON_PIXELS[2].into(), rule.mlp_spec(MlpParams::large())),
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

/// The validation searches behind the traditional learners' settings on Fashion-MNIST, run (or
/// read from `cache`): (logistic regression's, the RBF SVM's), each candidate fitted once on
/// training images and scored on other training images held out for validation (the test set is
/// never looked at); see [`baseline_grids`] for the grids.
pub fn baseline_searches(
    profile: Profile,
    fashion: &FashionMnist,
    cache: &Cache,
) -> Result<(Search, Search)> {
    run_baseline_grids(&baseline_grids(profile, &fashion.train)?, cache)
}

/// The same validation searches as [`baseline_searches`] on the teacher task: candidates fitted
/// on fresh examples of the task and scored on a held-out part of them (never on the curve's test
/// set).
pub fn teacher_baselines(profile: Profile, cache: &Cache) -> Result<(Search, Search)> {
    let task = TeacherTask::lesson_default();
    let train = task.generate(profile.pick(3_000, 12_000, 20_000), 4)?;
    run_baseline_grids(&baseline_grids(profile, &train)?, cache)
}

/// The (pool, held-out validation) split of the teacher task's search examples, as
/// [`teacher_baselines`] makes it.
fn teacher_search_split(profile: Profile) -> Result<(Dataset, Dataset)> {
    let train = TeacherTask::lesson_default().generate(profile.pick(3_000, 12_000, 20_000), 4)?;
    let validation_size = profile.pick(1_000, 2_000, 5_000);
    train.split(validation_size as f64 / train.len() as f64, 11)
}

/// A learning curve for the reader's own data: a stratified 25% test split, log-spaced sizes
/// from a few examples per class to the whole training part, logistic regression and the small
/// and medium nets (trained to their best by the `default` profile's [`StoppingRule::mlp`]),
/// `seeds` seeds.
pub fn your_curve(data: &Dataset, seeds: usize) -> Result<CurveConfig> {
    let (train, test) = data.split(0.25, 0)?;
    let lo = (5 * data.n_classes()).max(20).min(train.len());
    let rule = StoppingRule::mlp(Profile::Default);
    Ok(CurveConfig {
        models: vec![
            (LOGISTIC.into(), ModelSpec::Logistic(LogisticParams::new())),
            (SMALL_NN.into(), rule.mlp_spec(MlpParams::small())),
            (MEDIUM_NN.into(), rule.mlp_spec(MlpParams::medium())),
        ],
        validation: None,
        sizes: log_sizes(lo, train.len(), 5),
        seeds: (0..seeds.max(1) as u64).collect(),
        ceiling: None,
        train,
        test,
    })
}

mod engineered;
mod searches;
pub use engineered::{
    engineered_claims, engineered_fashion, engineered_learner, fashion_claims, fashion_with_features,
};
pub use searches::{baseline_grids, BaselineGrid};
use searches::{run_baseline_grids, run_logistic_grid, run_svm_grid};

#[cfg(test)]
mod tests;
