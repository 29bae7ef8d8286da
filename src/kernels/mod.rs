//! Numeric kernels every layer above uses: the element type of the networks, the threaded matrix
//! product the trainers, the SVM's kernels and chapter 2 run, and a row-wise argmax.
//! [`reference`] holds the slower loops chapter 2 measures against it.

pub mod reference;

use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2, Axis, ScalarOperand};
use num_traits::{Float, FromPrimitive};
use rayon::prelude::*;

/// The element type of a network: `f32` for training, `f64` for the gradient check.
pub trait Real:
    ndarray::LinalgScalar + Float + FromPrimitive + ScalarOperand + std::fmt::Debug + Send + Sync + 'static
{
}

impl Real for f32 {}

impl Real for f64 {}

pub(crate) fn real<F: Real>(v: f64) -> F {
    F::from_f64(v).expect("representable")
}

/// `a · b` (m × k times k × n), split over the threads of the current rayon pool along its
/// longer side: by rows when m ≥ n, by columns otherwise, so each thread packs only its share of
/// the larger operand. Every entry is computed exactly as a one-thread product computes it, so
/// the thread count never changes a result; products under about a million multiply-adds stay
/// on one thread.
pub fn matmul<F: Real>(a: ArrayView2<F>, b: ArrayView2<F>) -> Array2<F> {
    let (m, n) = (a.nrows(), b.ncols());
    let mut c = Array2::zeros((m, n)); // m × n
    let axis = if m >= n { Axis(0) } else { Axis(1) };
    let threads = rayon::current_num_threads().min(m.max(n) / 16).max(1);
    if threads == 1 || m * n * a.ncols() < 1 << 20 {
        general_mat_mul(F::one(), &a, &b, F::zero(), &mut c);
        return c;
    }
    let len = m.max(n).div_ceil(threads).next_multiple_of(16); // whole 16-wide tiles per thread
    let (a, b) = (&a, &b);
    let parts: Vec<_> = c.axis_chunks_iter_mut(axis, len).enumerate().collect();
    parts.into_par_iter().for_each(|(i, mut c)| {
        let part = ndarray::Slice::from(i * len..(i * len + len).min(m.max(n)));
        if axis == Axis(0) {
            general_mat_mul(F::one(), &a.slice_axis(Axis(0), part), b, F::zero(), &mut c)
        } else {
            general_mat_mul(F::one(), a, &b.slice_axis(Axis(1), part), F::zero(), &mut c)
        }
    });
    c
}

/// The index of the largest entry of each row (the first one on ties).
pub fn argmax_rows(a: &Array2<f32>) -> Vec<usize> {
    a.rows()
        .into_iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .fold(
                    (0, f32::NEG_INFINITY),
                    |best, (k, &v)| if v > best.1 { (k, v) } else { best },
                )
                .0
        })
        .collect()
}
