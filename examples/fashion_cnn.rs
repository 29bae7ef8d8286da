//! Trains a convolutional net on all 60,000 Fashion-MNIST training images (standardised),
//! printing test accuracy after each epoch, the time taken and the process's peak resident
//! memory. The default is the README's recipe: [`ConvParams::lenet_wide`] (32 and 64 channels
//! of 5 × 5, 2 × 2 pooling, a dense layer of 256 with dropout 50%), Adam at 1e-3 decayed by
//! 0.9 per epoch, batch 128, 15 epochs, seed 0.
//!
//! `cargo run --release --example fashion_cnn -- [epochs] [wide|lenet]`, with `CNN_DECAY`
//! (learning-rate decay per epoch, default 0.9) and `CNN_L2` (default 0) in the environment.
use linfa::ParamGuard;
use takeoff::data::Standardizer;
use takeoff::models::conv::{ConvParams, FittedCnn};

fn env_or(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> takeoff::Result<()> {
    let epochs: usize = std::env::args().nth(1).and_then(|e| e.parse().ok()).unwrap_or(15);
    let preset = match std::env::args().nth(2).as_deref() {
        Some("lenet") => ConvParams::lenet(),
        _ => ConvParams::lenet_wide(),
    };
    let fashion = takeoff::data::fashion_mnist()?;
    let scaler = Standardizer::fit(&fashion.train)?;
    let (train, test) = (
        scaler.transform(&fashion.train)?,
        scaler.transform(&fashion.test)?,
    );
    let params = preset
        .epochs(epochs)
        .l2(env_or("CNN_L2", 0.0))
        .learning_rate_decay(env_or("CNN_DECAY", 0.9))
        .seed(0)
        .check()?;
    let mut trainer = params.trainer(&train)?;
    while !trainer.should_stop() {
        let stats = trainer.train_epoch()?;
        let model = FittedCnn {
            net: trainer.model().clone(),
            history: trainer.history().clone(),
            params: params.clone(),
            class_names: train.class_names.clone(),
        };
        println!(
            "epoch {:>2}: test accuracy {:.2} % after {:.0} s",
            stats.epoch,
            model.accuracy(&test)? * 100.0,
            stats.seconds
        );
    }
    println!(
        "{} on 60,000 images, {epochs} epochs; peak resident memory {:.0} MB",
        params.describe(),
        takeoff::experiments::hardware::peak_resident_mb()
    );
    Ok(())
}
