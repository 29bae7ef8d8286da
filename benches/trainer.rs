//! Trainer throughput: one epoch of 784-256-128-10 (ReLU, batch 128, Adam) over Fashion-MNIST's
//! 60,000 training images, against the matrix-multiply throughput of the same shapes.
//!
//! `cargo bench --bench trainer` prints medians over several runs.
use ndarray::Array2;
use std::time::Instant;
use takeoff::kernels::matmul;
use takeoff::mlp::MlpParams;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> takeoff::Result<()> {
    let t = Instant::now();
    let fashion = takeoff::data::fashion_mnist()?;
    println!(
        "load Fashion-MNIST (70,000 images, checksums verified): {:.3} s",
        t.elapsed().as_secs_f64()
    );
    let loads: Vec<f64> = (0..3)
        .map(|_| {
            let t = Instant::now();
            let _ = takeoff::data::fashion_mnist();
            t.elapsed().as_secs_f64()
        })
        .collect();
    println!("load, median of 3: {:.3} s", median(loads));

    let n = fashion.train.len();
    let runs = 3;
    let mut epoch_s = Vec::new();
    for r in 0..runs {
        let p = MlpParams::new(&[256, 128])
            .epochs(1)
            .batch_size(128)
            .seed(r)
            .verbose(false);
        let t = Instant::now();
        p.fit(&fashion.train)?;
        epoch_s.push(t.elapsed().as_secs_f64());
    }
    let e = median(epoch_s);
    let mut one_s = Vec::new();
    for r in 0..runs {
        let p = MlpParams::new(&[256, 128])
            .epochs(1)
            .seed(r)
            .verbose(false)
            .threads(1);
        let t = Instant::now();
        p.fit(&fashion.train)?;
        one_s.push(t.elapsed().as_secs_f64());
    }
    let one = median(one_s);
    println!(
        "trainer on 1 thread: median {one:.2} s = {:.0} samples/s ({:.2}× the time on {} threads)",
        n as f64 / one,
        one / e,
        rayon::current_num_threads()
    );
    println!(
        "trainer: one epoch 784-256-128-10 ReLU Adam batch 128: median {e:.2} s = {:.0} samples/s",
        n as f64 / e
    );

    // The same matrix products, alone (same function, same threads, arrays made beforehand): per
    // batch, forward a·W for each layer, backward aᵀ·dz for each layer and dz·Wᵀ for every layer
    // but the first (the input needs no gradient).
    let sizes = [784usize, 256, 128, 10];
    let b = 128;
    let layers: Vec<(Array2<f32>, Array2<f32>, Array2<f32>)> = sizes
        .windows(2)
        .map(|io| {
            (
                Array2::ones((b, io[0])),     // a: B × fan_in
                Array2::ones((io[0], io[1])), // W: fan_in × fan_out
                Array2::ones((b, io[1])),     // dz: B × fan_out
            )
        })
        .collect();
    let mut mm_s = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        // on a worker of the pool, as the trainer runs its epoch
        rayon::scope(|_| {
            for _ in 0..n.div_ceil(b) {
                for (l, (a, w, dz)) in layers.iter().enumerate() {
                    std::hint::black_box(matmul(a.view(), w.view())); // forward
                    std::hint::black_box(matmul(a.t(), dz.view())); // weight gradient
                    if l > 0 {
                        std::hint::black_box(matmul(dz.view(), w.t())); // input gradient
                    }
                }
            }
        });
        mm_s.push(t.elapsed().as_secs_f64());
    }
    let m = median(mm_s);
    let flops: f64 = sizes
        .windows(2)
        .enumerate()
        .map(|(l, io)| (if l > 0 { 3.0 } else { 2.0 }) * 2.0 * (b * io[0] * io[1]) as f64)
        .sum::<f64>()
        * n.div_ceil(b) as f64;
    println!(
        "matrix products alone: median {m:.2} s ({:.1} GFLOP/s); trainer / matmul time = {:.2}",
        flops / m / 1e9,
        e / m
    );
    Ok(())
}
