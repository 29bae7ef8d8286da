//! The convolutional net's own layers, forward and backward: `im2col` and its adjoint `col2im`
//! (a convolution as one matrix product), max pooling, and the activation applied in place.

use super::Shape;
use crate::kernels::Real;
use ndarray::Array2;
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
