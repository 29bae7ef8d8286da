//! The convolutional net's own layers, forward and backward: `im2col` and its adjoint `col2im`
//! (a convolution as one matrix product), max pooling, and the activation applied in place.

use super::Shape;
use crate::kernels::Real;
use crate::mlp::Activation;
use ndarray::{Array1, Array2, ArrayView2, Axis, Zip};
use rayon::prelude::*;

/// Each window of `x` (B × H·W·C, shape `s`) as one row: (B·H'·W') × (k·k·C), H' = H − k + 1.
pub(super) fn im2col<F: Real>(x: &Array2<F>, s: Shape, k: usize) -> Array2<F> {
    let (ho, wo, c) = (s.height - k + 1, s.width - k + 1, s.channels);
    let row_len = k * k * c;
    let mut cols = Array2::<F>::zeros((x.nrows() * ho * wo, row_len));
    let xs = x.as_standard_layout();
    cols.as_slice_mut()
        .expect("new array")
        .par_chunks_mut(ho * wo * row_len) // one example per chunk
        .zip(xs.as_slice().expect("standard layout").par_chunks(s.len()))
        .for_each(|(out, img)| {
            for i in 0..ho {
                for j in 0..wo {
                    let row = &mut out[(i * wo + j) * row_len..][..row_len];
                    for di in 0..k {
                        let src = ((i + di) * s.width + j) * c; // k·C contiguous values
                        row[di * k * c..][..k * c].copy_from_slice(&img[src..src + k * c]);
                    }
                }
            }
        });
    cols
}

/// The adjoint of [`im2col`]: adds each row of `d_cols` back onto the window it came from.
pub(super) fn col2im<F: Real>(d_cols: &Array2<F>, s: Shape, k: usize, batch: usize) -> Array2<F> {
    let (ho, wo, c) = (s.height - k + 1, s.width - k + 1, s.channels);
    let row_len = k * k * c;
    let mut d_x = Array2::<F>::zeros((batch, s.len())); // B × H·W·C
    let dc = d_cols.as_standard_layout();
    d_x.as_slice_mut()
        .expect("new array")
        .par_chunks_mut(s.len())
        .zip(
            dc.as_slice()
                .expect("standard layout")
                .par_chunks(ho * wo * row_len),
        )
        .for_each(|(img, rows)| {
            for i in 0..ho {
                for j in 0..wo {
                    let row = &rows[(i * wo + j) * row_len..][..row_len];
                    for di in 0..k {
                        let dst = ((i + di) * s.width + j) * c;
                        for (d, &v) in img[dst..dst + k * c].iter_mut().zip(&row[di * k * c..][..k * c]) {
                            *d = *d + v;
                        }
                    }
                }
            }
        });
    d_x
}

/// Rows per parallel task in the element-wise passes: a fixed number, so that sums are grouped
/// the same way whatever the thread count (the thread count changes no result bit).
const ROWS_PER_TASK: usize = 256;

/// Max pooling of `x` (B × H·W·C): the pooled values and, for each, the position (within its
/// example) of the input value that won. Examples are pooled in parallel.
pub(super) fn max_pool<F: Real>(x: &Array2<F>, s: Shape, size: usize) -> (Array2<F>, Vec<u32>) {
    let (ho, wo, c) = (s.height / size, s.width / size, s.channels);
    let per = ho * wo * c;
    let mut out = Array2::<F>::zeros((x.nrows(), per));
    let mut arg = vec![0u32; x.nrows() * per];
    let xs = x.as_standard_layout();
    out.as_slice_mut()
        .expect("new array")
        .par_chunks_mut(per)
        .zip(arg.par_chunks_mut(per))
        .zip(xs.as_slice().expect("standard layout").par_chunks(s.len()))
        .for_each(|((o, a), img)| {
            for i in 0..ho {
                for j in 0..wo {
                    for ch in 0..c {
                        let mut best = ((i * size * s.width + j * size) * c + ch, F::neg_infinity());
                        for di in 0..size {
                            let row = ((i * size + di) * s.width + j * size) * c + ch;
                            for dj in 0..size {
                                let p = row + dj * c;
                                if img[p] > best.1 {
                                    best = (p, img[p]);
                                }
                            }
                        }
                        let q = (i * wo + j) * c + ch;
                        o[q] = best.1;
                        a[q] = best.0 as u32;
                    }
                }
            }
        });
    (out, arg)
}

/// The adjoint of [`max_pool`]: each pooled value's gradient goes to the input value that won
/// its window (B × H·W·C, zero elsewhere).
pub(super) fn max_pool_back<F: Real>(d: &Array2<F>, arg: &[u32], input_len: usize) -> Array2<F> {
    let per = d.ncols();
    let mut d_x = Array2::<F>::zeros((d.nrows(), input_len)); // B × H·W·C
    let ds = d.as_standard_layout();
    d_x.as_slice_mut()
        .expect("new array")
        .par_chunks_mut(input_len)
        .zip(ds.as_slice().expect("standard layout").par_chunks(per))
        .zip(arg.par_chunks(per))
        .for_each(|((dx, dout), a)| {
            for (&v, &p) in dout.iter().zip(a) {
                dx[p as usize] = v;
            }
        });
    d_x
}

/// z ← g(z + b), row by row (b broadcast over rows), in parallel; `g` is skipped for an output
/// layer. Each activation gets its own loop (its `match` resolved outside the loop), so the
/// compiler can vectorise it.
pub(super) fn add_bias_activate<F: Real>(z: &mut Array2<F>, b: &Array1<F>, g: Option<Activation>) {
    fn rows_with<F: Real>(z: &mut Array2<F>, b: &[F], f: impl Fn(F) -> F + Sync) {
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
        None => rows_with(z, b, |v| v),
        Some(Activation::Relu) => rows_with(z, b, |v| Activation::Relu.apply(v)),
        Some(Activation::Tanh) => rows_with(z, b, |v| Activation::Tanh.apply(v)),
        Some(Activation::Sigmoid) => rows_with(z, b, |v| Activation::Sigmoid.apply(v)),
    }
}

/// d ← d ⊙ g'(z), from the layer's output a = g(z), in parallel (one loop per activation, as
/// in [`add_bias_activate`]).
pub(super) fn times_derivative<F: Real>(d: &mut Array2<F>, a: &Array2<F>, g: Activation) {
    fn with<F: Real>(d: &mut Array2<F>, a: &Array2<F>, f: impl Fn(F) -> F + Sync + Send) {
        Zip::from(d).and(a).par_for_each(|d, &a| *d = *d * f(a));
    }
    match g {
        Activation::Relu => with(d, a, |a| Activation::Relu.derivative_from_output(a)),
        Activation::Tanh => with(d, a, |a| Activation::Tanh.derivative_from_output(a)),
        Activation::Sigmoid => with(d, a, |a| Activation::Sigmoid.derivative_from_output(a)),
    }
}

/// The column sums of `d` (a bias's gradient): partial sums over fixed blocks of rows in
/// parallel, then added in block order, so the result is the same for any thread count.
pub(super) fn column_sums<F: Real>(d: ArrayView2<F>) -> Array1<F> {
    let parts: Vec<Array1<F>> = d
        .axis_chunks_iter(Axis(0), 4 * ROWS_PER_TASK)
        .into_par_iter()
        .map(|rows| rows.sum_axis(Axis(0)))
        .collect();
    parts.into_iter().fold(Array1::zeros(d.ncols()), |acc, p| acc + p)
}
