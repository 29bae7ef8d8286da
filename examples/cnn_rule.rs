//! Trains one of chapter 1's nets on m Fashion-MNIST training images under the `default` render's
//! stopping rule and prints the test accuracy of the kept weights: the convolutional net
//! ([`lesson_cnn`], fed one mean and one standard deviation, as the curve feeds it; the figure
//! `bench/torch_cnn_accuracy.py` prints for PyTorch's net of the same shape), or one of the MLP
//! presets (each pixel standardised on its own, as the curve does).
//!
//! `cargo run --release --example cnn_rule -- <m> <seed> [lr] [decay] [xavier|uniform|he]
//! [cnn|small|medium|large]`
use linfa::ParamGuard;
use takeoff::data::Standardizer;
use takeoff::lesson::data_scale::{lesson_cnn, StoppingRule, HELD_OUT};
use takeoff::models::activation::Init;
use takeoff::models::mlp::MlpParams;

fn main() -> takeoff::Result<()> {
    let arg = |i: usize| std::env::args().nth(i);
    let m: usize = arg(1).and_then(|a| a.parse().ok()).unwrap_or(60_000);
    let seed: u64 = arg(2).and_then(|a| a.parse().ok()).unwrap_or(0);
    let lr: f64 = arg(3).and_then(|a| a.parse().ok()).unwrap_or(3e-3);
    let net = arg(6).unwrap_or_else(|| "cnn".into());
    let default = takeoff::Profile::Default;
    let rule = match net.as_str() {
        "cnn" => StoppingRule::cnn(default),
        _ => StoppingRule::mlp(default),
    };
    let decay: f64 = arg(4).and_then(|a| a.parse().ok()).unwrap_or(rule.decay);
    let init = match arg(5).as_deref() {
        Some("uniform") => Init::Uniform,
        Some("he") => Init::He,
        _ => Init::Xavier,
    };
    let fashion = takeoff::data::fashion_mnist()?;
    let sub = fashion.train.subsample(m, seed)?;
    let t = std::time::Instant::now();
    let (accuracy, best, run) = if net == "cnn" {
        let scaler = Standardizer::fit_global(&sub)?;
        let (train, test) = (scaler.transform(&sub)?, scaler.transform(&fashion.test)?);
        let model = lesson_cnn()
            .init(init)
            .learning_rate(lr)
            .epochs(rule.max_epochs)
            .min_samples(rule.max_epochs * rule.round_samples)
            .learning_rate_decay(decay)
            .early_stopping_rounds(HELD_OUT, rule.patience, rule.round_samples)
            .seed(seed)
            .verbose(false)
            .check()?
            .fit(&train)?;
        let h = &model.history;
        (model.accuracy(&test)?, h.best_epoch, h.epochs.len())
    } else {
        let preset = match net.as_str() {
            "small" => MlpParams::small(),
            "medium" => MlpParams::medium(),
            _ => MlpParams::large(),
        };
        let scaler = Standardizer::fit(&sub)?;
        let (train, test) = (scaler.transform(&sub)?, scaler.transform(&fashion.test)?);
        let model = preset
            .learning_rate(lr)
            .epochs(rule.max_epochs)
            .min_samples(rule.max_epochs * rule.round_samples)
            .learning_rate_decay(decay)
            .early_stopping_rounds(HELD_OUT, rule.patience, rule.round_samples)
            .seed(seed)
            .verbose(false)
            .check()?
            .fit(&train)?;
        let h = &model.history;
        (model.accuracy(&test)?, h.best_epoch, h.epochs.len())
    };
    println!(
        "crate {net} m={m} seed={seed} lr={lr} decay={decay}: test {:.2}% best epoch {best:?} of {run} ({:.0} s)",
        accuracy * 100.0,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
