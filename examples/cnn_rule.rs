//! Trains chapter 1's convolutional net ([`lesson_cnn`]) on m Fashion-MNIST training images under
//! the `default` render's stopping rule and prints the test accuracy of the kept weights, the
//! figure `bench/torch_cnn_accuracy.py` prints for PyTorch's net of the same shape.
//!
//! `cargo run --release --example cnn_rule -- <m> <seed> [lr] [decay] [xavier|uniform|he]`
use linfa::ParamGuard;
use takeoff::data::Standardizer;
use takeoff::lesson::data_scale::{lesson_cnn, StoppingRule, HELD_OUT};
use takeoff::models::activation::Init;

fn main() -> takeoff::Result<()> {
    let arg = |i: usize| std::env::args().nth(i);
    let m: usize = arg(1).and_then(|a| a.parse().ok()).unwrap_or(60_000);
    let seed: u64 = arg(2).and_then(|a| a.parse().ok()).unwrap_or(0);
    let lr: f64 = arg(3).and_then(|a| a.parse().ok()).unwrap_or(3e-3);
    let rule = StoppingRule::cnn(takeoff::Profile::Default);
    let decay: f64 = arg(4).and_then(|a| a.parse().ok()).unwrap_or(rule.decay);
    let init = match arg(5).as_deref() {
        Some("uniform") => Init::Uniform,
        Some("he") => Init::He,
        _ => Init::Xavier,
    };
    let fashion = takeoff::data::fashion_mnist()?;
    let sub = fashion.train.subsample(m, seed)?;
    let scaler = Standardizer::fit_global(&sub)?;
    let (train, test) = (scaler.transform(&sub)?, scaler.transform(&fashion.test)?);
    let params = lesson_cnn()
        .init(init)
        .learning_rate(lr)
        .epochs(rule.max_epochs)
        .min_samples(rule.max_epochs * rule.round_samples)
        .learning_rate_decay(decay)
        .early_stopping_rounds(HELD_OUT, rule.patience, rule.round_samples)
        .seed(seed)
        .verbose(false);
    let t = std::time::Instant::now();
    let model = params.check()?.fit(&train)?;
    println!(
        "crate m={m} seed={seed} lr={lr} decay={decay} {init:?}: test {:.2}% best epoch {:?} of {} ({:.0} s)",
        model.accuracy(&test)? * 100.0,
        model.history.best_epoch,
        model.history.epochs.len(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
