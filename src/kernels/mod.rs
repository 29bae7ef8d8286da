//! Numeric kernels every layer above uses: the element type of the networks, the threaded matrix
//! product the trainers, the SVM's kernels and chapter 2 run, and a row-wise argmax.
//! [`reference`] holds the slower loops chapter 2 measures against it.

pub mod reference;

use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis, ScalarOperand};
use num_traits::{Float, FromPrimitive};
use rayon::prelude::*;

/// The element type of a network: `f32` for training, `f64` for the gradient check.
pub trait Real:
    ndarray::LinalgScalar
    + Float
    + FromPrimitive
    + ScalarOperand
    + Default
    + std::fmt::Debug
    + Send
    + Sync
    + 'static
{
}

impl Real for f32 {}

impl Real for f64 {}

pub(crate) fn real<F: Real>(v: f64) -> F {
    F::from_f64(v).expect("representable")
}

/// `a · b` (m × k times k × n) in a new array; see [`matmul_into`].
pub fn matmul<F: Real>(a: ArrayView2<F>, b: ArrayView2<F>) -> Array2<F> {
    let mut c = Array2::zeros((a.nrows(), b.ncols())); // m × n
    matmul_into(a, b, c.view_mut());
    c
}

/// c ← `a · b` (m × k times k × n), overwriting `c` (m × n) without reading it, split over the
/// threads of the current rayon pool along its longer side: by rows when m ≥ n, by columns
/// otherwise, so each thread packs only its share of the larger operand. Every entry is
/// computed exactly as a one-thread product computes it, so the thread count never changes a
/// result; products under about a million multiply-adds stay on one thread. The trainers keep
/// `c` across batches (see [`reshaped`]), so a training step allocates no product.
pub fn matmul_into<F: Real>(a: ArrayView2<F>, b: ArrayView2<F>, mut c: ArrayViewMut2<F>) {
    let (m, n) = (a.nrows(), b.ncols());
    assert_eq!(c.dim(), (m, n), "the product's output is m × n");
    let axis = if m >= n { Axis(0) } else { Axis(1) };
    let threads = rayon::current_num_threads().min(m.max(n) / 16).max(1);
    if threads == 1 || m * n * a.ncols() < 1 << 20 {
        general_mat_mul(F::one(), &a, &b, F::zero(), &mut c);
        return;
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
}

/// `buf` as a `rows × cols` array: kept as it is when it already has that shape (its values
/// are then whatever the previous batch left, for a caller that overwrites them), reallocated
/// (zeros) only when the shape changes, as for an epoch's last, shorter batch.
pub fn reshaped<F: Real>(buf: &mut Array2<F>, rows: usize, cols: usize) -> &mut Array2<F> {
    if buf.dim() != (rows, cols) {
        *buf = Array2::zeros((rows, cols));
    }
    buf
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
