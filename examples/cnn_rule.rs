//! Trains one of chapter 1's nets on m Fashion-MNIST training images as the `default` curve
//! trains it (its stopping rule, its scaling: one mean and one standard deviation for the
//! convolutional net, each pixel on its own for the MLPs) and prints the test accuracy of the kept
//! weights: for [`lesson_cnn`], the figure `bench/torch_cnn_accuracy.py` prints for PyTorch's net
//! of the same shape.
//!
//! `cargo run --release --example cnn_rule -- <m> <seed> [lr] [decay] [xavier|uniform|he]
//! [cnn|small|medium|large]`
use takeoff::data::Standardizer;
use takeoff::experiments::Scaling;
use takeoff::lesson::data_scale::{lesson_cnn, StoppingRule};
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
    let rule = StoppingRule { decay, ..rule };
    let init = match arg(5).as_deref() {
        Some("uniform") => Init::Uniform,
        Some("he") => Init::He,
        _ => Init::Xavier,
    };
    let spec = match net.as_str() {
        "cnn" => rule.conv_spec(lesson_cnn().init(init).learning_rate(lr)),
        "small" => rule.mlp_spec(MlpParams::small().learning_rate(lr)),
        "medium" => rule.mlp_spec(MlpParams::medium().learning_rate(lr)),
        _ => rule.mlp_spec(MlpParams::large().learning_rate(lr)),
    }
    .for_run(seed);
    let fashion = takeoff::data::fashion_mnist()?;
    let sub = fashion.train.subsample(m, seed)?;
    let scaler = match spec.scaling() {
        Scaling::Global => Standardizer::fit_global(&sub)?,
        Scaling::PerFeature => Standardizer::fit(&sub)?,
    };
    let (train, test) = (scaler.transform(&sub)?, scaler.transform(&fashion.test)?);
    let scores = spec.fit_and_score(&train, &test)?;
    let (kept, run) = scores.training.map_or((0, 0), |t| (t.kept_epoch, t.epochs));
    println!(
        "crate {net} m={m} seed={seed} lr={lr} decay={decay}: test {:.2}% best epoch {kept} of {run} ({:.0} s)",
        scores.test_accuracy * 100.0,
        scores.fit_seconds
    );
    Ok(())
}
