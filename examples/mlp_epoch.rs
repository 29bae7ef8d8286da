//! One epoch of an MLP preset (`medium`, the trainer benchmark's 784-256-128-10, or `large`,
//! 784-512-256-128-10; ReLU, Adam at 1e-3, batch 128) over the 60,000 Fashion-MNIST training
//! images (pixels in [0, 1]), on the given number of threads: the side-by-side benchmark against
//! `bench/torch_mlp.py` and `bench/numpy_mlp.py`, driven by `bench/compare_mlp.py`.
//!
//! `cargo run --release --example mlp_epoch -- <threads> [epochs] [medium|large]` prints one line
//! per epoch (seconds, samples per second), the trainer's start and the process's peak resident
//! memory.
use std::time::Instant;
use takeoff::mlp::MlpParams;

fn main() -> takeoff::Result<()> {
    let mut args = std::env::args().skip(1);
    let threads: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let epochs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let preset = args.next().unwrap_or_else(|| "medium".into());
    let base = match preset.as_str() {
        "medium" => MlpParams::medium(),
        "large" => MlpParams::large(),
        other => {
            return Err(takeoff::TakeoffError::invalid("preset", other, "medium or large"));
        }
    };
    let train = takeoff::data::fashion_mnist()?.train;
    // One trainer, its epochs timed one by one, as `bench/torch_mlp.py` times PyTorch's: the
    // start (checks, the net's initialisation, the copy of the training rows) is timed apart.
    let t = Instant::now();
    let mut trainer = base
        .epochs(epochs)
        .batch_size(128)
        .learning_rate(1e-3)
        .threads(threads)
        .seed(0)
        .verbose(false)
        .trainer(&train)?;
    println!(
        "takeoff {preset} {threads} threads: trainer start {:.3} s",
        t.elapsed().as_secs_f64()
    );
    for _ in 0..epochs {
        let t = Instant::now();
        trainer.train_epoch()?;
        let s = t.elapsed().as_secs_f64();
        println!(
            "takeoff {preset} {threads} threads: one epoch {s:.3} s = {:.0} samples/s",
            train.len() as f64 / s
        );
    }
    println!(
        "takeoff peak resident memory {:.0} MB",
        takeoff::experiments::hardware::peak_resident_mb()
    );
    Ok(())
}
