//! Trains the convolutional preset ([`ConvParams::lenet`]: two 5 × 5 convolutions of 16 and 32
//! channels with 2 × 2 max pooling, a dense layer of 128) on all 60,000 Fashion-MNIST training
//! images (standardised), printing test accuracy after each epoch, the time taken and the
//! process's peak resident memory.
//!
//! `cargo run --release --example fashion_cnn -- 15 [lenet|wide] [dropout]`, with `CNN_DECAY`
//! (learning-rate decay per epoch) and `CNN_L2` in the environment
use takeoff::data::Standardizer;
use takeoff::models::conv::{ConvParams, Stage};

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM")).map(|l| l.to_string()))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse::<f64>().ok()))
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn main() -> takeoff::Result<()> {
    let epochs: usize = std::env::args().nth(1).and_then(|e| e.parse().ok()).unwrap_or(15);
    let fashion = takeoff::data::fashion_mnist()?;
    let raw = std::env::var("CNN_RAW").is_ok();
    let (train, test) = if raw {
        (fashion.train.clone(), fashion.test.clone())
    } else {
        let scaler = Standardizer::fit(&fashion.train)?;
        (
            scaler.transform(&fashion.train)?,
            scaler.transform(&fashion.test)?,
        )
    };
    let l2: f64 = std::env::var("CNN_L2")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    let decay: f64 = std::env::var("CNN_DECAY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1.0);
    let mut preset = match std::env::args().nth(2).as_deref() {
        Some("wide") => ConvParams::lenet_wide(),
        _ => ConvParams::lenet(),
    };
    // a third argument `dropout` drops half of the last hidden layer's outputs in training
    if std::env::args().nth(3).as_deref() == Some("dropout") {
        let stages = [preset.stages(), &[Stage::Dropout { percent: 50 }]].concat();
        preset = ConvParams::new(&stages);
    }
    let params = preset.epochs(epochs).l2(l2).learning_rate_decay(decay).seed(0);
    let mut trainer = params.trainer(&train)?;
    while !trainer.should_stop() {
        let stats = trainer.train_epoch()?;
        let model = takeoff::models::conv::Cnn {
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
        peak_rss_mb()
    );
    Ok(())
}
