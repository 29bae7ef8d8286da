//! Chapter 3's configurations: the races of sigmoid, tanh and ReLU on the lesson's data.

use crate::data::Dataset;
use crate::error::Result;
use crate::experiments::race::{RaceConfig, RaceNet};
use crate::models::activation::Activation;
use crate::models::conv::ConvParams;

/// The data of the lesson's race on Fashion-MNIST: a fixed subsample of the training images
/// sized by the profile (2,000 / 10,000 / 60,000), standardised on itself.
pub fn lesson_race_data(profile: crate::Profile, fashion: &crate::data::FashionMnist) -> Result<Dataset> {
    let pool = fashion.train.subsample(profile.pick(2_000, 10_000, 60_000), 1)?;
    crate::data::Standardizer::fit(&pool)?.transform(&pool)
}

/// The lesson's race on `data` (standardised features), sized by the profile: three hidden
/// layers of 256 units, sigmoid vs tanh vs ReLU, SGD with momentum, rates searched over
/// {0.003, 0.01, 0.03, 0.1, 0.3}; the strict target is 5% training error.
pub fn lesson_race(profile: crate::Profile, data: Dataset, target_error: f64) -> RaceConfig {
    RaceConfig {
        data,
        net: RaceNet::Mlp(vec![256, 256, 256]),
        activations: vec![Activation::Sigmoid, Activation::Tanh, Activation::Relu],
        learning_rates: vec![0.003, 0.01, 0.03, 0.1, 0.3],
        momentum: 0.9,
        search_epochs: profile.pick(1, 2, 3),
        epochs: profile.pick(6, 15, 30),
        batch_size: 128,
        seeds: (0..profile.pick(2, 3, 5)).collect(),
        target_error,
        strict_error: 0.05,
    }
}

/// Krizhevsky et al.'s comparison on images: the LeNet-shaped convolutional net
/// ([`ConvParams::lenet`]), tanh vs ReLU, SGD with momentum, rates searched over
/// {0.003, 0.01, 0.03, 0.1}, sized by the profile; the strict target is 5% training error.
pub fn conv_race(profile: crate::Profile, data: Dataset, target_error: f64) -> RaceConfig {
    RaceConfig {
        data,
        net: RaceNet::Conv(ConvParams::lenet_stages()),
        activations: vec![Activation::Tanh, Activation::Relu],
        learning_rates: vec![0.003, 0.01, 0.03, 0.1],
        momentum: 0.9,
        search_epochs: 1,
        epochs: profile.pick(3, 8, 20),
        batch_size: 128,
        seeds: (0..profile.pick(1, 2, 3)).collect(),
        target_error,
        strict_error: 0.05,
    }
}

/// The setting the vanishing-gradient argument is about: a deeper net (five hidden layers of 256
/// units) trained by plain gradient descent (SGD without momentum), each activation with its
/// usual initialisation (Xavier for sigmoid and tanh, He for ReLU), rates searched over
/// {0.01, 0.03, 0.1, 0.3, 1} (grown past an edge its pick sits on), sized as [`lesson_race`].
pub fn deep_race(profile: crate::Profile, data: Dataset, target_error: f64) -> RaceConfig {
    RaceConfig {
        net: RaceNet::Mlp(vec![256; 5]),
        learning_rates: vec![0.01, 0.03, 0.1, 0.3, 1.0],
        momentum: 0.0,
        ..lesson_race(profile, data, target_error)
    }
}

/// The training error both chapters 3 and 4 race the activations to on Fashion-MNIST.
pub const RACE_TARGET_ERROR: f64 = 0.15;

/// [`deep_race`] on [`lesson_race_data`] to [`RACE_TARGET_ERROR`], run or read from `cache`:
/// the race chapter 3 shows and chapter 4's success formula reads.
pub fn deep_race_run(
    profile: crate::Profile,
    fashion: &crate::data::FashionMnist,
    cache: &crate::experiments::Cache,
) -> Result<crate::experiments::race::Race> {
    let data = lesson_race_data(profile, fashion)?;
    crate::experiments::race::activation_race_cached(&deep_race(profile, data, RACE_TARGET_ERROR), cache)
}
