//! The matrix product written the slow ways chapter 2 measures (a textbook triple loop, a
//! cache-friendly loop order, the same on every core) beside the crate's own product.

use ndarray::Array2;
use rayon::prelude::*;

/// Floating-point operations of an (m × k) · (k × n) product: one multiply and one add per term.
pub fn matmul_flops(m: usize, k: usize, n: usize) -> f64 {
    2.0 * m as f64 * k as f64 * n as f64
}

/// Textbook triple loop, i-j-k order: the inner loop strides down a column of `b` (cache-unfriendly).
pub fn matmul_naive(a: &Array2<f32>, b: &Array2<f32>) -> Array2<f32> {
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    let mut c = Array2::zeros((m, n)); // m × n
    for i in 0..m {
        for j in 0..n {
            let mut s = 0.0;
            for p in 0..k {
                s += a[[i, p]] * b[[p, j]];
            }
            c[[i, j]] = s;
        }
    }
    c
}

fn row_times(a_row: &[f32], b: &[f32], n: usize, c_row: &mut [f32]) {
    // i-k-j order: the inner loop walks a row of b and a row of c contiguously (vectorises).
    for (p, &a) in a_row.iter().enumerate() {
        let b_row = &b[p * n..(p + 1) * n];
        for (c, &bv) in c_row.iter_mut().zip(b_row) {
            *c += a * bv;
        }
    }
}

/// Cache-friendly loops (i-k-j order) on one thread.
pub fn matmul_loops(a: &Array2<f32>, b: &Array2<f32>) -> Array2<f32> {
    let (m, n) = (a.nrows(), b.ncols());
    let (a, b) = (a.as_standard_layout(), b.as_standard_layout());
    let (a_s, b_s) = (a.as_slice().expect("standard"), b.as_slice().expect("standard"));
    let k = a.ncols();
    let mut c = vec![0.0f32; m * n];
    for (i, c_row) in c.chunks_mut(n).enumerate() {
        row_times(&a_s[i * k..(i + 1) * k], b_s, n, c_row);
    }
    Array2::from_shape_vec((m, n), c).expect("m × n")
}

/// The same cache-friendly loops, rows split over every core with rayon.
pub fn matmul_loops_parallel(a: &Array2<f32>, b: &Array2<f32>) -> Array2<f32> {
    let (m, n) = (a.nrows(), b.ncols());
    let (a, b) = (a.as_standard_layout(), b.as_standard_layout());
    let (a_s, b_s) = (a.as_slice().expect("standard"), b.as_slice().expect("standard"));
    let k = a.ncols();
    let mut c = vec![0.0f32; m * n];
    c.par_chunks_mut(n)
        .enumerate()
        .for_each(|(i, c_row)| row_times(&a_s[i * k..(i + 1) * k], b_s, n, c_row));
    Array2::from_shape_vec((m, n), c).expect("m × n")
}

/// Which implementation of the product to time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    Naive,
    Loops,
    LoopsAllCores,
    /// The trainer's product ([`crate::kernels::matmul`]: matrixmultiply's packed, blocked SIMD
    /// micro-kernels) on one thread.
    OptimisedOneThread,
    /// The same, split by rows or columns over every core: what the trainer runs.
    Optimised,
}

/// A one-thread rayon pool, built once, for the one-thread kernels.
fn one_thread() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("a one-thread pool starts")
    })
}

impl Kernel {
    /// Every kernel, slowest first.
    pub const ALL: [Kernel; 5] = [
        Kernel::Naive,
        Kernel::Loops,
        Kernel::LoopsAllCores,
        Kernel::OptimisedOneThread,
        Kernel::Optimised,
    ];

    /// A readable name.
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Naive => "naive loops (1 thread)",
            Kernel::Loops => "cache-friendly loops (1 thread)",
            Kernel::LoopsAllCores => "cache-friendly loops (all cores)",
            Kernel::OptimisedOneThread => "optimised kernel (matrixmultiply, 1 thread)",
            Kernel::Optimised => "optimised kernel (all cores, the trainer's)",
        }
    }

    /// Runs the product.
    pub fn run(self, a: &Array2<f32>, b: &Array2<f32>) -> Array2<f32> {
        match self {
            Kernel::Naive => matmul_naive(a, b),
            Kernel::Loops => matmul_loops(a, b),
            Kernel::LoopsAllCores => matmul_loops_parallel(a, b),
            Kernel::OptimisedOneThread => one_thread().install(|| crate::kernels::matmul(a.view(), b.view())),
            Kernel::Optimised => crate::kernels::matmul(a.view(), b.view()),
        }
    }
}
