//! One epoch of the LeNet-shaped convolutional net ([`ConvParams::lenet`]: two 5 × 5
//! convolutions of 16 and 32 channels, 2 × 2 max pooling, dense 128; Adam at 1e-3, batch 128)
//! over the 60,000 Fashion-MNIST training images, on the given number of threads: the
//! side-by-side benchmark against `bench/torch_cnn.py`, driven by `bench/compare_cnn.py`.
//!
//! `cargo run --release --example cnn_epoch -- <threads> [epochs] [layers]` prints one line per
//! epoch (seconds, samples per second), the trainer's start and the process's peak resident
//! memory; with `layers`, then each matrix product of a training step timed alone at the batch's
//! shapes (GFLOP/s per layer) and the products' share of the epoch.
use linfa::ParamGuard;
use std::time::Instant;
use takeoff::kernels::matmul;
use takeoff::models::conv::ConvParams;

fn main() -> takeoff::Result<()> {
    let mut args = std::env::args().skip(1);
    let threads: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let epochs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let layers = args.next().as_deref() == Some("layers");
    let train = takeoff::data::fashion_mnist()?.train;
    // One trainer, its epochs timed one by one, as `bench/torch_cnn.py` times PyTorch's: the
    // start (checks, the net's initialisation, the copy of the training rows) is timed apart.
    let t = Instant::now();
    let mut trainer = ConvParams::lenet()
        .epochs(epochs)
        .batch_size(128)
        .learning_rate(1e-3)
        .threads(threads)
        .seed(0)
        .verbose(false)
        .trainer(&train)?;
    println!(
        "takeoff {threads} threads: trainer start {:.3} s",
        t.elapsed().as_secs_f64()
    );
    let mut epoch_s = Vec::new();
    for _ in 0..epochs {
        let t = Instant::now();
        trainer.train_epoch()?;
        let s = t.elapsed().as_secs_f64();
        epoch_s.push(s);
        println!(
            "takeoff {threads} threads: one epoch {s:.2} s = {:.0} samples/s",
            train.len() as f64 / s
        );
    }
    println!(
        "takeoff peak resident memory {:.0} MB",
        takeoff::experiments::hardware::peak_resident_mb()
    );
    if layers {
        epoch_s.sort_by(f64::total_cmp);
        products_alone(threads, &train, epoch_s[epoch_s.len() / 2])?;
    }
    Ok(())
}

/// Each matrix product of one training step at batch 128, timed alone through the trainer's
/// `matmul` on `threads` threads (operands made beforehand, median of 5 timings), with its GFLOP/s;
/// then the products of a whole epoch (469 steps) against the epoch's measured `epoch_s`.
fn products_alone(threads: usize, train: &takeoff::data::Dataset, epoch_s: f64) -> takeoff::Result<()> {
    let net = ConvParams::lenet().check()?.trainer(train)?.model().clone();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a pool of the asked size");
    let steps = train.len().div_ceil(128) as f64;
    let mut step_s = 0.0;
    for p in net.step_products(128) {
        let (a, b) = p.kind.operands::<f32>(&p)?;
        let (a, b) = p.kind.views(&a, &b);
        let reps = (2e8 / p.flops()).ceil().max(1.0) as usize;
        // inside the pool, as the trainer runs its whole epoch there (no hand-over per product)
        let mut times: Vec<f64> = pool.install(|| {
            (0..5)
                .map(|_| {
                    let t = Instant::now();
                    for _ in 0..reps {
                        std::hint::black_box(matmul(a, b));
                    }
                    t.elapsed().as_secs_f64() / reps as f64
                })
                .collect()
        });
        times.sort_by(f64::total_cmp);
        let s = times[2];
        step_s += s;
        println!(
            "  {:<7} {:<15} {:>6} × {:<4} · {:>4} × {:<4} {:6.1} GFLOP/s  {:6.3} ms a step",
            p.layer,
            p.kind.name(),
            p.m,
            p.k,
            p.k,
            p.n,
            p.flops() / s / 1e9,
            s * 1e3
        );
    }
    println!(
        "products alone: {:.2} s an epoch ({threads} threads); epoch / products = {:.2}",
        step_s * steps,
        epoch_s / (step_s * steps)
    );
    Ok(())
}
