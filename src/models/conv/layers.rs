//! The convolutional net's own layers, forward and backward: `im2col` and its adjoint `col2im`
//! (a convolution as one matrix product), max pooling, and the activation applied in place.

use super::Shape;
use crate::kernels::Real;
use crate::mlp::Activation;
use ndarray::{Array2, Zip};
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

/// Max pooling of `x` (B × H·W·C): the pooled values and, for each, the position (within its
/// example) of the input value that won.
pub(super) fn max_pool<F: Real>(x: &Array2<F>, s: Shape, size: usize) -> (Array2<F>, Vec<u32>) {
    let (ho, wo, c) = (s.height / size, s.width / size, s.channels);
    let mut out = Array2::<F>::zeros((x.nrows(), ho * wo * c));
    let mut arg = vec![0u32; x.nrows() * ho * wo * c];
    for ((img, mut o), a) in x
        .rows()
        .into_iter()
        .zip(out.rows_mut())
        .zip(arg.chunks_mut(ho * wo * c))
    {
        for i in 0..ho {
            for j in 0..wo {
                for ch in 0..c {
                    let mut best = ((i * size * s.width + j * size) * c + ch, F::neg_infinity());
                    for di in 0..size {
                        for dj in 0..size {
                            let p = (((i * size + di) * s.width) + j * size + dj) * c + ch;
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
    }
    (out, arg)
}

/// Applies g in place.
pub(super) fn activate<F: Real>(z: &mut Array2<F>, g: Activation) {
    z.mapv_inplace(|v| g.apply(v));
}

/// d ← d ⊙ g'(z), from the layer's output a = g(z).
pub(super) fn times_derivative<F: Real>(d: &mut Array2<F>, a: &Array2<F>, g: Activation) {
    Zip::from(d)
        .and(a)
        .for_each(|d, &a| *d = *d * g.derivative_from_output(a));
}
