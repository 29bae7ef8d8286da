//! Products with a narrow output, 16 or 32 columns (a convolution's forward pass: LeNet's first
//! layer is 73,728 × 25 · 25 × 16, its second 8,192 × 400 · 400 × 32), without packing the
//! long operand. `matrixmultiply` copies the whole of `a` into packed panels before multiplying;
//! with only 16 or 32 columns of output, each value of `a` is then used 16 or 32 times after its
//! copy, and the copy costs about as much as the arithmetic (`perf` put 18% of a LeNet epoch
//! in packing).
//! Here each block of rows of `a` is read where it lies, and `b` (at most a few hundred rows of
//! 32) stays in the cache.
//!
//! Every entry is computed with the operations `matrixmultiply`'s AVX-512 kernel uses, in its
//! order: a fused multiply-add per term over blocks of [`KC`] terms, each block's sum added to
//! the entry (`C ← 1·ab` for the first block, `C ← 1·ab + 1·C` after), so the result is the same
//! bits as the product it replaces (tested against it). Used only where `matrixmultiply` would
//! use that kernel (f32 on a processor with AVX-512).

use super::Real;
use ndarray::{ArrayView2, ArrayViewMut2};
use rayon::prelude::*;
use std::any::TypeId;

/// Terms of the sum per block: `matrixmultiply`'s `S_KC` for f32.
const KC: usize = 256;

/// Rows of output per parallel task: a fixed size (rows are independent, so any split gives the
/// same bits; this one only shares the work out).
const ROWS_PER_TASK: usize = 512;

/// c ← a · b when the product qualifies (f32, `b` with 16 or 32 columns, all three in standard
/// layout, AVX-512 and FMA present); false, with nothing written, otherwise.
pub(super) fn try_narrow<F: Real>(a: &ArrayView2<F>, b: &ArrayView2<F>, c: &mut ArrayViewMut2<F>) -> bool {
    let (k, n) = b.dim();
    if TypeId::of::<F>() != TypeId::of::<f32>()
        || !(n == 16 || n == 32)
        || k == 0
        || a.ncols() != k
        || c.dim() != (a.nrows(), n)
        || !avx512()
    {
        return false;
    }
    let (Some(a), Some(b)) = (a.as_slice(), b.as_slice()) else {
        return false;
    };
    let Some(c) = c.as_slice_mut() else {
        return false;
    };
    // SAFETY: F is f32 (same TypeId), so these are the same slices, reinterpreted as what they are.
    let (a, b, c) = unsafe {
        (
            std::slice::from_raw_parts(a.as_ptr().cast::<f32>(), a.len()),
            std::slice::from_raw_parts(b.as_ptr().cast::<f32>(), b.len()),
            std::slice::from_raw_parts_mut(c.as_mut_ptr().cast::<f32>(), c.len()),
        )
    };
    c.par_chunks_mut(ROWS_PER_TASK * n)
        .zip(a.par_chunks(ROWS_PER_TASK * k))
        .for_each(|(c, a)| {
            // SAFETY: avx512() checked AVX-512F and FMA on this processor.
            unsafe {
                if n == 16 {
                    rows::<16, 16>(a, k, b, c)
                } else {
                    rows::<8, 32>(a, k, b, c)
                }
            }
        });
    true
}

/// Whether this processor has what the kernel is compiled for (and `matrixmultiply` then uses its
/// AVX-512 kernel, whose bits these are).
fn avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// c ← a · b for the rows of `a` (each `k` long) into the rows of `c` (each `N` long), `R` rows
/// at a time (R × N/16 accumulator registers: 16), the last rows one at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,fma")]
unsafe fn rows<const R: usize, const N: usize>(a: &[f32], k: usize, b: &[f32], c: &mut [f32]) {
    assert!(
        a.len() / k == c.len() / N
            && a.len().is_multiple_of(k)
            && c.len().is_multiple_of(N)
            && b.len() == k * N,
        "the rows of a and c and the shape of b agree"
    );
    let m = c.len() / N;
    let whole = m / R * R;
    let mut i = 0;
    while i < whole {
        // SAFETY: rows i..i + R exist in a and c (i + R ≤ m), and b has k rows of N.
        unsafe { block::<R, N>(a.as_ptr().add(i * k), k, b.as_ptr(), c.as_mut_ptr().add(i * N)) };
        i += R;
    }
    while i < m {
        unsafe { block::<1, N>(a.as_ptr().add(i * k), k, b.as_ptr(), c.as_mut_ptr().add(i * N)) };
        i += 1;
    }
}

#[cfg(not(target_arch = "x86_64"))]
unsafe fn rows<const R: usize, const N: usize>(_: &[f32], _: usize, _: &[f32], _: &mut [f32]) {
    unreachable!("only called where avx512() holds")
}

/// One block of `R` rows of `a` (each `k` long, from `a`) times `b` (k × N) into `c`: each entry's
/// sum in [`KC`]-term blocks of fused multiply-adds, as `matrixmultiply`'s AVX-512 kernel.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,fma")]
#[inline]
unsafe fn block<const R: usize, const N: usize>(a: *const f32, k: usize, b: *const f32, c: *mut f32) {
    use std::arch::x86_64::*;
    let mut start = 0;
    while start < k {
        let end = (start + KC).min(k);
        let mut acc = [[_mm512_setzero_ps(); 2]; R];
        for t in start..end {
            // SAFETY (whole function): the caller's pointers cover R rows of k, k rows of N, R rows of N.
            let b0 = unsafe { _mm512_loadu_ps(b.add(t * N)) };
            let b1 = if N == 32 {
                unsafe { _mm512_loadu_ps(b.add(t * N + 16)) }
            } else {
                b0
            };
            for (r, acc) in acc.iter_mut().enumerate() {
                let v = _mm512_set1_ps(unsafe { *a.add(r * k + t) });
                acc[0] = _mm512_fmadd_ps(v, b0, acc[0]);
                if N == 32 {
                    acc[1] = _mm512_fmadd_ps(v, b1, acc[1]);
                }
            }
        }
        for (r, acc) in acc.iter().enumerate() {
            for (h, &s) in acc.iter().enumerate().take(N / 16) {
                let at = unsafe { c.add(r * N + 16 * h) };
                let sum = if start == 0 {
                    s
                } else {
                    _mm512_add_ps(s, unsafe { _mm512_loadu_ps(at) })
                };
                unsafe { _mm512_storeu_ps(at, sum) };
            }
        }
        start = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::linalg::general_mat_mul;
    use ndarray::Array2;
    use rand::{Rng, SeedableRng};

    fn random(rows: usize, cols: usize, seed: u64) -> Array2<f32> {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
        Array2::from_shape_fn((rows, cols), |_| rng.gen_range(-1.0..1.0))
    }

    #[test]
    fn the_same_bits_as_matrixmultiply() {
        if !avx512() {
            return; // nothing to compare: the product goes to matrixmultiply
        }
        // lengths of the sum under, at and over one block and two; rows a multiple of the block
        // of rows, and not; both widths
        for &(m, k, n) in &[
            (37, 25, 16),
            (1_100, 400, 32),
            (9, 256, 32),
            (40, 257, 16),
            (3, 600, 32),
            (1_030, 513, 16),
        ] {
            let (a, b) = (random(m, k, 1), random(k, n, 2));
            let mut expected = Array2::<f32>::zeros((m, n));
            general_mat_mul(1.0, &a, &b, 0.0, &mut expected);
            let mut got = Array2::<f32>::from_elem((m, n), f32::NAN);
            assert!(try_narrow(&a.view(), &b.view(), &mut got.view_mut()));
            let differ = expected
                .iter()
                .zip(&got)
                .filter(|(e, g)| e.to_bits() != g.to_bits())
                .count();
            assert_eq!(differ, 0, "{m} × {k} · {k} × {n}: {differ} entries differ");
        }
    }

    #[test]
    fn other_products_are_left_alone() {
        let (a, b) = (random(20, 30, 1), random(30, 10, 2));
        let mut c = Array2::<f32>::zeros((20, 10));
        assert!(!try_narrow(&a.view(), &b.view(), &mut c.view_mut()), "10 columns");
        let (stored, b16) = (random(30, 20, 3), random(30, 16, 4));
        let mut c16 = Array2::<f32>::zeros((20, 16));
        assert!(
            !try_narrow(&stored.t(), &b16.view(), &mut c16.view_mut()),
            "a transposed view is not in standard layout"
        );
        let (a64, b64) = (a.mapv(f64::from), b16.mapv(f64::from));
        let mut c64 = Array2::<f64>::zeros((20, 16));
        assert!(!try_narrow(&a64.view(), &b64.view(), &mut c64.view_mut()), "f64");
    }
}
