//! The trainer's matrix product at the shapes of the MLPs' and the LeNet's training steps, on the
//! given number of threads: the side-by-side benchmark against NumPy's OpenBLAS
//! (`bench/numpy_gemm.py`), driven by `bench/compare_gemm.py`.
//!
//! `cargo run --release --example gemm -- <threads>` prints one line per product: its shape, the
//! layout of its operands (`t` for a transposed view, as a weight gradient takes aᵀ) and its
//! GFLOP/s, the median of five timings of enough repetitions to take about 0.1 s.
use ndarray::{Array2, ArrayView2};
use std::time::Instant;
use takeoff::kernels::matmul_into;

/// (m, k, n, a transposed, b transposed): the products of a step at batch 128 of the medium MLP
/// (784-256-128-10), the large MLP's hidden layers (784-512-256-128) and LeNet's two convolutions
/// (their im2col products); `bench/numpy_gemm.py` holds the same list.
const SHAPES: [(usize, usize, usize, bool, bool); 14] = [
    (128, 784, 256, false, false), // medium, layer 1 forward
    (784, 128, 256, true, false),  // medium, layer 1 weight gradient aᵀ·dz
    (128, 256, 128, false, false), // medium, layer 2 forward
    (256, 128, 128, true, false),  // medium, layer 2 weight gradient
    (128, 128, 256, false, true),  // medium, layer 2 input gradient dz·Wᵀ
    (128, 784, 512, false, false), // large, layer 1 forward
    (784, 128, 512, true, false),  // large, layer 1 weight gradient
    (128, 512, 256, false, false), // large, layer 2 forward
    (128, 256, 512, false, true),  // large, layer 2 input gradient
    (73728, 25, 16, false, false), // LeNet conv 1 forward
    (8192, 400, 32, false, false), // LeNet conv 2 forward
    (400, 8192, 32, true, false),  // LeNet conv 2 weight gradient
    (8192, 32, 400, false, true),  // LeNet conv 2 input gradient
    (25, 73728, 16, true, false),  // LeNet conv 1 weight gradient
];

fn main() {
    let threads: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a pool of the asked size");
    for (m, k, n, ta, tb) in SHAPES {
        // operands stored as the trainer stores them: a transposed one is the view of a k × m
        // (or n × k) array
        let fill = |r, c| Array2::from_shape_fn((r, c), |(i, j)| ((i * 7 + j * 3) % 17) as f32 / 17.0 - 0.5);
        let a_store = if ta { fill(k, m) } else { fill(m, k) };
        let b_store = if tb { fill(n, k) } else { fill(k, n) };
        let a: ArrayView2<f32> = if ta { a_store.t() } else { a_store.view() };
        let b: ArrayView2<f32> = if tb { b_store.t() } else { b_store.view() };
        let mut c = Array2::<f32>::zeros((m, n));
        let flops = 2.0 * (m * k * n) as f64;
        let reps = (2e10 / flops).ceil() as usize;
        let mut times: Vec<f64> = pool.install(|| {
            (0..5)
                .map(|_| {
                    let t = Instant::now();
                    for _ in 0..reps {
                        matmul_into(a, b, c.view_mut());
                    }
                    t.elapsed().as_secs_f64() / reps as f64
                })
                .collect()
        });
        std::hint::black_box(&c);
        times.sort_by(f64::total_cmp);
        let layout = format!("{}{}", if ta { "t" } else { "n" }, if tb { "t" } else { "n" });
        println!(
            "takeoff {threads} threads: gemm {m} {k} {n} {layout}: {:.1} GFLOP/s",
            flops / times[2] / 1e9
        );
    }
}
