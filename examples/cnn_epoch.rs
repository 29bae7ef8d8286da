//! One epoch of the LeNet-shaped convolutional net ([`ConvParams::lenet`]: two 5 × 5
//! convolutions of 16 and 32 channels, 2 × 2 max pooling, dense 128; Adam at 1e-3, batch 128)
//! over the 60,000 Fashion-MNIST training images, on the given number of threads: the
//! side-by-side benchmark against `bench/torch_cnn.py`, driven by `bench/compare_cnn.py`.
//!
//! `cargo run --release --example cnn_epoch -- <threads> [epochs] [layers]` prints one line per
//! epoch (seconds, samples per second), the trainer's start and the process's peak resident
//! memory; with `layers`, then each product of a training step timed alone at the batch's shapes
//! (GFLOP/s and share of the measured FMA peak per layer) and the products' share of the epoch.
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

/// Each product of one training step at batch 128, timed alone as the trainer runs it on
/// `threads` threads (operands made beforehand, median of 5 timings), with its GFLOP/s and its
/// share of the FMA peak measured on as many cores: a convolution's forward pass, weight gradient
/// and input gradient through the direct kernels (`models::conv::direct`: the windows read where
/// they lie, bias and activation in the forward pass), a dense layer's through `matmul`; then the
/// products of a whole epoch (469 steps) against the epoch's measured `epoch_s`.
fn products_alone(threads: usize, train: &takeoff::data::Dataset, epoch_s: f64) -> takeoff::Result<()> {
    use takeoff::models::conv::{direct, Block};
    use takeoff::models::mlp::Activation;
    let net = ConvParams::lenet().check()?.trainer(train)?.model().clone();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a pool of the asked size");
    let peak = takeoff::experiments::hardware::measure_peak(threads)?;
    let peak = if threads == 1 {
        peak.one_core_gflops
    } else {
        peak.all_cores_gflops
    };
    println!("FMA peak on {threads} threads: {peak:.0} GFLOP/s");
    let (batch, steps) = (128, train.len().div_ceil(128) as f64);
    let mut step_s = 0.0;
    // median seconds of `f` over 5 timings of enough repetitions for about 0.2 GFLOP
    let time = |flops: f64, f: &mut (dyn FnMut() + Send)| -> f64 {
        let reps = (2e8 / flops).ceil().max(1.0) as usize;
        let mut times: Vec<f64> = pool.install(|| {
            (0..5)
                .map(|_| {
                    let t = Instant::now();
                    for _ in 0..reps {
                        f();
                    }
                    t.elapsed().as_secs_f64() / reps as f64
                })
                .collect()
        });
        times.sort_by(f64::total_cmp);
        times[2]
    };
    let mut report = |layer: &str, pass: &str, shape: String, flops: f64, s: f64| {
        step_s += s;
        println!(
            "  {layer:<7} {pass:<15} {shape:<28} {:6.1} GFLOP/s {:4.0} % of peak {:7.3} ms a step",
            flops / s / 1e9,
            100.0 * flops / s / 1e9 / peak,
            s * 1e3
        );
    };
    let conv_blocks = net.blocks.iter().filter(|b| matches!(b, Block::Conv { .. }));
    for (l, block) in conv_blocks.enumerate() {
        let Block::Conv { input, kernel, w, b } = block else {
            unreachable!()
        };
        let (k, n) = (*kernel, w.ncols());
        let positions = (input.height - k + 1) * (input.width - k + 1);
        let flops = 2.0 * (batch * positions * k * k * input.channels * n) as f64;
        let x = vec![0.5f32; batch * input.len()];
        let d_z = vec![0.25f32; batch * positions * n];
        let (w, b) = (w.as_slice().expect("standard"), b.as_slice().expect("standard"));
        let layer = format!("conv {}", l + 1);
        let shape = format!(
            "{batch}·{positions} × {} · {} × {n}",
            k * k * input.channels,
            k * k * input.channels
        );
        let mut out = vec![0.0f32; batch * positions * n];
        let s = time(flops, &mut || {
            direct::forward(&x, *input, k, w, b, Activation::Relu, &mut out)
        });
        report(&layer, "forward", shape.clone(), flops, s);
        let (mut d_w, mut partials) = (vec![0.0f32; w.len()], Vec::new());
        let s = time(flops, &mut || {
            direct::weight_gradient(&x, &d_z, *input, k, &mut d_w, &mut partials)
        });
        report(&layer, "weight gradient", shape.clone(), flops, s);
        if l > 0 {
            let w_t: Vec<f32> = block_w_t(block);
            let mut d_x = vec![0.0f32; x.len()];
            let s = time(flops, &mut || {
                direct::input_gradient(&d_z, &w_t, *input, k, &mut d_x)
            });
            report(&layer, "input gradient", shape, flops, s);
        }
    }
    for p in net
        .step_products(batch)
        .iter()
        .filter(|p| !p.layer.starts_with("conv"))
    {
        let (a, b) = p.kind.operands::<f32>(p)?;
        let (a, b) = p.kind.views(&a, &b);
        let s = time(p.flops(), &mut || {
            std::hint::black_box(matmul(a, b));
        });
        let shape = format!("{} × {} · {} × {}", p.m, p.k, p.k, p.n);
        report(&p.layer, p.kind.name(), shape, p.flops(), s);
    }
    println!(
        "products alone: {:.2} s an epoch ({threads} threads); epoch / products = {:.2}",
        step_s * steps,
        epoch_s / (step_s * steps)
    );
    Ok(())
}

/// Wᵀ of a convolution block (C' × k·k·C), as the trainer keeps it for the input gradient.
fn block_w_t(block: &takeoff::models::conv::Block<f32>) -> Vec<f32> {
    match block {
        takeoff::models::conv::Block::Conv { w, .. } => w.t().iter().copied().collect(),
        _ => Vec::new(),
    }
}
