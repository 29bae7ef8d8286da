//! The convolutional net's own layers, forward and backward: `im2col` and its adjoint `col2im`
//! (a convolution as one matrix product), max pooling, and the activation applied in place.

use super::Shape;
use crate::kernels::Real;
use crate::models::activation::Activation;
use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

/// Each window of `x` (B × H·W·C, shape `s`) as one row: (B·H'·W') × (k·k·C), H' = H − k + 1.
#[cfg(test)]
pub(super) fn im2col<F: Real>(x: &Array2<F>, s: Shape, k: usize) -> Array2<F> {
    let (ho, wo) = (s.height - k + 1, s.width - k + 1);
    let mut cols = Array2::<F>::zeros((x.nrows() * ho * wo, k * k * s.channels));
    im2col_into(x.view(), s, k, &mut cols);
    cols
}

/// cols ← [`im2col`] of `x`, every entry overwritten (`cols` is B·H'·W' × k·k·C, kept across
/// batches).
pub(super) fn im2col_into<F: Real>(x: ArrayView2<F>, s: Shape, k: usize, cols: &mut Array2<F>) {
    let (ho, wo, c) = (s.height - k + 1, s.width - k + 1, s.channels);
    let row_len = k * k * c;
    assert_eq!(
        cols.dim(),
        (x.nrows() * ho * wo, row_len),
        "im2col's output is B·H'·W' × k·k·C"
    );
    let xs = x.as_standard_layout();
    cols.as_slice_mut()
        .expect("a kept buffer is contiguous")
        .par_chunks_mut(ho * wo * row_len) // one example per chunk
        .zip(xs.as_slice().expect("standard layout").par_chunks(s.len()))
        .for_each(|(out, img)| {
            for i in 0..ho {
                for j in 0..wo {
                    let row = &mut out[(i * wo + j) * row_len..][..row_len];
                    for di in 0..k {
                        let src = ((i + di) * s.width + j) * c; // k·C contiguous values
                        copy_short(&mut row[di * k * c..][..k * c], &img[src..src + k * c]);
                    }
                }
            }
        });
}

/// out ← `x` (B × H·W·C, shape `s`) with `pad` zeros around each side of every image
/// (B × (H+2p)·(W+2p)·C, every entry overwritten).
pub(super) fn pad_into<F: Real>(x: ArrayView2<F>, s: Shape, pad: usize, out: &mut Array2<F>) {
    let big = s.padded(pad);
    let row = s.width * s.channels; // one image row, contiguous in both
    let xs = x.as_standard_layout();
    out.as_slice_mut()
        .expect("a kept buffer is contiguous")
        .par_chunks_mut(big.len())
        .zip(xs.as_slice().expect("standard layout").par_chunks(s.len()))
        .for_each(|(to, img)| {
            to.fill(F::zero());
            for i in 0..s.height {
                let at = ((i + pad) * big.width + pad) * s.channels;
                to[at..at + row].copy_from_slice(&img[i * row..(i + 1) * row]);
            }
        });
}

/// The adjoint of [`pad_into`]: d_x ← the inner values of `d_padded` (B × (H+2p)·(W+2p)·C),
/// the gradient of the zeros dropped (`d_x` is B × H·W·C, every entry overwritten).
pub(super) fn crop_into<F: Real>(d_padded: ArrayView2<F>, s: Shape, pad: usize, d_x: &mut Array2<F>) {
    let big = s.padded(pad);
    let row = s.width * s.channels;
    let dp = d_padded.as_standard_layout();
    d_x.as_slice_mut()
        .expect("a kept buffer is contiguous")
        .par_chunks_mut(s.len())
        .zip(dp.as_slice().expect("standard layout").par_chunks(big.len()))
        .for_each(|(to, from)| {
            for i in 0..s.height {
                let at = ((i + pad) * big.width + pad) * s.channels;
                to[i * row..(i + 1) * row].copy_from_slice(&from[at..at + row]);
            }
        });
}

/// dst ← src for the short runs im2col copies (k·C values: 5 for a first 5 × 5 layer on grey
/// images), in blocks of a fixed length that the compiler turns into plain moves, where
/// `copy_from_slice` would call `memmove` once per run and spend more on the calls than on the
/// copying.
#[inline(always)]
fn copy_short<F: Copy>(dst: &mut [F], src: &[F]) {
    let mut to = dst.chunks_exact_mut(4);
    let mut from = src.chunks_exact(4);
    for (t, f) in (&mut to).zip(&mut from) {
        t.copy_from_slice(f);
    }
    for (t, f) in to.into_remainder().iter_mut().zip(from.remainder()) {
        *t = *f;
    }
}

/// The adjoint of [`im2col`]: adds each row of `d_cols` back onto the window it came from.
#[cfg(test)]
pub(super) fn col2im<F: Real>(d_cols: &Array2<F>, s: Shape, k: usize, batch: usize) -> Array2<F> {
    let mut d_x = Array2::<F>::zeros((batch, s.len())); // B × H·W·C
    col2im_into(d_cols.view(), s, k, &mut d_x);
    d_x
}

/// d_x ← [`col2im`] of `d_cols` (`d_x` is B × H·W·C, kept across batches, zeroed first).
pub(super) fn col2im_into<F: Real>(d_cols: ArrayView2<F>, s: Shape, k: usize, d_x: &mut Array2<F>) {
    let (ho, wo, c) = (s.height - k + 1, s.width - k + 1, s.channels);
    let row_len = k * k * c;
    let dc = d_cols.as_standard_layout();
    d_x.as_slice_mut()
        .expect("a kept buffer is contiguous")
        .par_chunks_mut(s.len())
        .zip(
            dc.as_slice()
                .expect("standard layout")
                .par_chunks(ho * wo * row_len),
        )
        .for_each(|(img, rows)| {
            img.fill(F::zero());
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
}

/// Max pooling of `x` (B × H·W·C) into `out` (B × H/s·W/s·C) and, for each pooled value, the
/// position (within its example) of the input value that won into `arg`; every entry of both is
/// overwritten. Examples are pooled in parallel.
pub(super) fn max_pool_into<F: Real>(
    x: ArrayView2<F>,
    s: Shape,
    size: usize,
    out: &mut Array2<F>,
    arg: &mut [u32],
) {
    let (ho, wo, c) = (s.height / size, s.width / size, s.channels);
    let per = ho * wo * c;
    assert_eq!(
        (out.dim(), arg.len()),
        ((x.nrows(), per), x.nrows() * per),
        "pooled shapes"
    );
    let xs = x.as_standard_layout();
    out.as_slice_mut()
        .expect("a kept buffer is contiguous")
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
}

/// The adjoint of [`max_pool_into`]: each pooled value's gradient goes to the input value that
/// won its window, into `d_x` (B × H·W·C, kept across batches; zero elsewhere). With
/// `through = Some((pooled, g))`, where the pooled input was a convolution's output a = g(z), each
/// value is also multiplied by g′ at the winner, so d_x is already ∂loss/∂z: the convolution's
/// own pass over its whole output to apply g′ is saved. g′ is read from the pooled output itself
/// (B × H/s·W/s·C), which is the winner's a: the same value the convolution's pass would use, read
/// in order rather than at scattered positions (zeros elsewhere stay zeros: the same bits).
pub(super) fn max_pool_back_into<F: Real>(
    d: ArrayView2<F>,
    arg: &[u32],
    through: Option<(ArrayView2<F>, Activation)>,
    d_x: &mut Array2<F>,
) {
    let Some((pooled, g)) = through else {
        return scatter(d, arg, d_x, |_, v| v);
    };
    assert_eq!(
        pooled.dim(),
        d.dim(),
        "a pooled output and its gradient have one shape"
    );
    let pooled = pooled.as_standard_layout();
    let a = pooled.as_slice().expect("standard layout");
    // one loop per activation (its `match` resolved outside the loop); `at` indexes the batch's
    // pooled values
    match g {
        Activation::Relu => scatter(d, arg, d_x, |at, v| {
            v * Activation::Relu.derivative_from_output(a[at])
        }),
        Activation::Tanh => scatter(d, arg, d_x, |at, v| {
            v * Activation::Tanh.derivative_from_output(a[at])
        }),
        Activation::Sigmoid => scatter(d, arg, d_x, |at, v| {
            v * Activation::Sigmoid.derivative_from_output(a[at])
        }),
    }
}

/// d_x ← zeros, then at each pooled value's winner `value(the pooled value's position in the
/// batch, d)`; examples in parallel.
fn scatter<F: Real>(
    d: ArrayView2<F>,
    arg: &[u32],
    d_x: &mut Array2<F>,
    value: impl Fn(usize, F) -> F + Sync,
) {
    let (per, input_len) = (d.ncols(), d_x.ncols());
    let ds = d.as_standard_layout();
    d_x.as_slice_mut()
        .expect("a kept buffer is contiguous")
        .par_chunks_mut(input_len)
        .enumerate()
        .zip(ds.as_slice().expect("standard layout").par_chunks(per))
        .zip(arg.par_chunks(per))
        .for_each(|(((e, dx), dout), w)| {
            dx.fill(F::zero());
            for (q, (&v, &p)) in dout.iter().zip(w).enumerate() {
                dx[p as usize] = value(e * per + q, v);
            }
        });
}
