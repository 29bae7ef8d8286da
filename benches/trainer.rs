//! Trainer throughput: one epoch of 784-256-128-10 (ReLU, batch 128, Adam) over Fashion-MNIST's
//! 60,000 training images, against the matrix-multiply throughput of the same shapes.
//!
//! `cargo bench --bench trainer` prints medians over several runs.
use ndarray::Array2;
use std::time::Instant;
use takeoff::kernels::matmul_into;
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
    let runs = 5;
    let pools: Vec<(usize, rayon::ThreadPool)> = [rayon::current_num_threads(), 1]
        .into_iter()
        .map(|t| {
            (
                t,
                rayon::ThreadPoolBuilder::new()
                    .num_threads(t)
                    .build()
                    .expect("a pool"),
            )
        })
        .collect();
    // One trainer per thread count, their epochs alternating (the machine's speed drifts), each
    // epoch timed as PyTorch's are in `bench/torch_mlp.py`: the trainer's start apart.
    let mut trainers = Vec::new();
    for &(t, _) in &pools {
        let start = Instant::now();
        let trainer = MlpParams::new(&[256, 128])
            .epochs(runs)
            .batch_size(128)
            .threads(t)
            .seed(0)
            .verbose(false)
            .trainer(&fashion.train)?;
        println!(
            "trainer start on {t} threads: {:.3} s",
            start.elapsed().as_secs_f64()
        );
        trainers.push(trainer);
    }
    // The same matrix products alone (the trainer's `matmul_into`, outputs made beforehand, on a
    // worker of a pool of the same size, as the trainer runs its epoch): per batch, forward a·W
    // for each layer, backward aᵀ·dz for each layer and dz·Wᵀ for every layer but the first (the
    // input needs no gradient).
    let sizes = [784usize, 256, 128, 10];
    let b = 128;
    let layers: Vec<_> = sizes
        .windows(2)
        .map(|io| {
            (
                Array2::<f32>::ones((b, io[0])),     // a: B × fan_in
                Array2::<f32>::ones((io[0], io[1])), // W: fan_in × fan_out
                Array2::<f32>::ones((b, io[1])),     // dz: B × fan_out
            )
        })
        .collect();
    let products = |pool: &rayon::ThreadPool| {
        let mut outs: Vec<_> = sizes
            .windows(2)
            .map(|io| {
                (
                    Array2::<f32>::zeros((b, io[1])),
                    Array2::<f32>::zeros((io[0], io[1])),
                    Array2::<f32>::zeros((b, io[0])),
                )
            })
            .collect();
        let t = Instant::now();
        pool.install(|| {
            for _ in 0..n.div_ceil(b) {
                for (l, ((a, w, dz), (z, dw, da))) in layers.iter().zip(&mut outs).enumerate() {
                    matmul_into(a.view(), w.view(), z.view_mut()); // forward
                    matmul_into(a.t(), dz.view(), dw.view_mut()); // weight gradient
                    if l > 0 {
                        matmul_into(dz.view(), w.t(), da.view_mut()); // input gradient
                    }
                }
            }
        });
        std::hint::black_box(&outs);
        t.elapsed().as_secs_f64()
    };
    let mut epoch_s = vec![Vec::new(); pools.len()];
    let mut mm_s = vec![Vec::new(); pools.len()];
    for _ in 0..runs {
        for (i, trainer) in trainers.iter_mut().enumerate() {
            let t = Instant::now();
            trainer.train_epoch()?;
            epoch_s[i].push(t.elapsed().as_secs_f64());
            mm_s[i].push(products(&pools[i].1));
        }
    }
    let flops: f64 = sizes
        .windows(2)
        .enumerate()
        .map(|(l, io)| (if l > 0 { 3.0 } else { 2.0 }) * 2.0 * (b * io[0] * io[1]) as f64)
        .sum::<f64>()
        * n.div_ceil(b) as f64;
    let mut medians = Vec::new();
    for (i, (threads, _)) in pools.iter().enumerate() {
        let (e, m) = (median(epoch_s[i].clone()), median(mm_s[i].clone()));
        medians.push(e);
        println!(
            "{threads} threads: one epoch 784-256-128-10 ReLU Adam batch 128: median {e:.3} s = {:.0} \
             samples/s; its matrix products alone {m:.3} s ({:.1} GFLOP/s); epoch / products = {:.2}",
            n as f64 / e,
            flops / m / 1e9,
            e / m
        );
    }
    println!(
        "{} threads give the epoch {:.2}× the speed of 1 thread",
        pools[0].0,
        medians[1] / medians[0]
    );
    Ok(())
}
