//! One epoch of the LeNet-shaped convolutional net ([`ConvParams::lenet`]: two 5 × 5
//! convolutions of 16 and 32 channels, 2 × 2 max pooling, dense 128; Adam at 1e-3, batch 128)
//! over the 60,000 Fashion-MNIST training images, on the given number of threads: the
//! side-by-side benchmark against `bench/torch_cnn.py`, driven by `bench/compare_cnn.py`.
//!
//! `cargo run --release --example cnn_epoch -- <threads> [epochs]` prints one line per epoch
//! (seconds, samples per second) and the process's peak resident memory.
use std::time::Instant;
use takeoff::models::conv::ConvParams;

fn main() -> takeoff::Result<()> {
    let mut args = std::env::args().skip(1);
    let threads: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let epochs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let train = takeoff::data::fashion_mnist()?.train;
    for epoch in 0..epochs {
        let params = ConvParams::lenet()
            .epochs(1)
            .batch_size(128)
            .learning_rate(1e-3)
            .threads(threads)
            .seed(epoch as u64)
            .verbose(false);
        let t = Instant::now();
        params.fit(&train)?;
        let s = t.elapsed().as_secs_f64();
        println!(
            "takeoff {threads} threads: one epoch {s:.2} s = {:.0} samples/s",
            train.len() as f64 / s
        );
    }
    println!(
        "takeoff peak resident memory {:.0} MB",
        takeoff::experiments::hardware::peak_resident_mb()
    );
    Ok(())
}
