//! Element-wise passes every network shares, each split over the rayon pool by fixed blocks of
//! rows (so the thread count changes no result bit): bias and activation in one pass, the
//! activation's derivative, a bias's gradient.

use crate::kernels::Real;
use crate::models::activation::Activation;
use ndarray::{Array1, ArrayView2, ArrayViewMut2, Axis};
use rayon::prelude::*;

/// Rows per parallel task in the element-wise passes: a fixed number, so that sums are grouped
/// the same way whatever the thread count (the thread count changes no result bit).
const ROWS_PER_TASK: usize = 256;

/// z ← g(z + b), row by row (b broadcast over rows), in parallel; `g` is skipped for an output
/// layer. Each activation gets its own loop (its `match` resolved outside the loop), so the
/// compiler can vectorise it.
pub(crate) fn add_bias_activate<F: Real>(mut z: ArrayViewMut2<F>, b: &Array1<F>, g: Option<Activation>) {
    fn rows_with<F: Real>(z: &mut ArrayViewMut2<F>, b: &[F], f: impl Fn(F) -> F + Sync) {
        z.axis_chunks_iter_mut(Axis(0), ROWS_PER_TASK)
            .into_par_iter()
            .for_each(|mut rows| {
                for mut row in rows.rows_mut() {
                    for (v, &bb) in row.iter_mut().zip(b) {
                        *v = f(*v + bb);
                    }
                }
            });
    }
    let b = b.as_slice().expect("a bias is contiguous");
    match g {
        None => rows_with(&mut z, b, |v| v),
        Some(Activation::Relu) => rows_with(&mut z, b, |v| Activation::Relu.apply(v)),
        Some(Activation::Tanh) => rows_with(&mut z, b, |v| Activation::Tanh.apply(v)),
        Some(Activation::Sigmoid) => rows_with(&mut z, b, |v| Activation::Sigmoid.apply(v)),
    }
}

/// d ← d ⊙ g'(z), from the layer's output a = g(z), by fixed blocks of rows in parallel, one
/// loop per activation over plain slices (as in [`add_bias_activate`]) so the compiler can
/// vectorise it (with the activation's `match` inside, through ndarray's `Zip`, the MLP's
/// backward pass spent about 9% of its epoch here).
pub(crate) fn times_derivative<F: Real>(mut d: ArrayViewMut2<F>, a: ArrayView2<F>, g: Activation) {
    fn with<F: Real>(d: &mut ArrayViewMut2<F>, a: &ArrayView2<F>, f: impl Fn(F) -> F + Sync + Send) {
        d.axis_chunks_iter_mut(Axis(0), ROWS_PER_TASK)
            .into_par_iter()
            .zip(a.axis_chunks_iter(Axis(0), ROWS_PER_TASK))
            .for_each(|(mut d, a)| {
                let d = d.as_slice_mut().expect("a kept buffer is contiguous");
                let a = a.as_slice().expect("a layer's kept output is contiguous");
                d.iter_mut().zip(a).for_each(|(d, &a)| *d = *d * f(a));
            });
    }
    assert_eq!(
        d.dim(),
        a.dim(),
        "a gradient and its layer's output have one shape"
    );
    match g {
        Activation::Relu => with(&mut d, &a, |a| Activation::Relu.derivative_from_output(a)),
        Activation::Tanh => with(&mut d, &a, |a| Activation::Tanh.derivative_from_output(a)),
        Activation::Sigmoid => with(&mut d, &a, |a| Activation::Sigmoid.derivative_from_output(a)),
    }
}

/// out ← the column sums of `d` (a bias's gradient): partial sums over fixed blocks of rows in parallel, then added
/// in block order, so the result is the same for any thread count.
pub(crate) fn column_sums_into<F: Real>(d: ArrayView2<F>, out: &mut [F]) {
    /// Σ of a block's rows, added one row after another (as ndarray's `sum_axis(Axis(0))` adds
    /// them), in a plain loop over slices.
    fn block_sum<F: Real>(rows: ArrayView2<F>) -> Vec<F> {
        let mut acc = vec![F::zero(); rows.ncols()];
        for row in rows.rows() {
            match row.as_slice() {
                Some(r) => acc.iter_mut().zip(r).for_each(|(a, &v)| *a = *a + v),
                None => acc.iter_mut().zip(row.iter()).for_each(|(a, &v)| *a = *a + v),
            }
        }
        acc
    }
    let parts: Vec<Vec<F>> = d
        .axis_chunks_iter(Axis(0), 4 * ROWS_PER_TASK)
        .into_par_iter()
        .map(block_sum)
        .collect();
    out.fill(F::zero());
    for p in parts {
        for (o, &v) in out.iter_mut().zip(&p) {
            *o = *o + v;
        }
    }
}
