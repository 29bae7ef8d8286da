//! Numeric kernels every layer above uses: the element type of the networks, the threaded matrix
//! product the trainers, the SVM's kernels and chapter 2 run, and a row-wise argmax.
//! [`reference`] holds the slower loops chapter 2 measures against it.

mod narrow;
pub(crate) mod pool;
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

/// Products whose output has fewer rows and columns than this are split along their sum (see
/// [`matmul_into`]) when it is at least two [`K_BLOCK`]s long.
const SPLIT_K_BELOW: usize = 64;

/// Terms of the sum per block when a product is split along it.
const K_BLOCK: usize = 8192;

/// `a · b` (m × k times k × n) in a new array; see [`matmul_into`].
pub fn matmul<F: Real>(a: ArrayView2<F>, b: ArrayView2<F>) -> Array2<F> {
    let mut c = Array2::zeros((a.nrows(), b.ncols())); // m × n
    matmul_into(a, b, c.view_mut());
    c
}

/// c ← `a · b` (m × k times k × n), overwriting `c` (m × n) without reading it, split over the
/// threads of the current rayon pool along its longer side: by rows when m ≥ n, by columns
/// otherwise, so each thread packs only its share of the larger operand; a product with a
/// small output and a long sum is split along the sum in fixed blocks instead. Every entry is
/// computed exactly as a one-thread product computes it, so the thread count never changes a
/// result; products under about a million multiply-adds stay on one thread. A product with 16 or
/// 32 output columns goes to `narrow.rs` (no packing, the same bits). The trainers keep
/// `c` across batches (see [`reshaped`]), so a training step allocates no product.
pub fn matmul_into<F: Real>(a: ArrayView2<F>, b: ArrayView2<F>, mut c: ArrayViewMut2<F>) {
    let (m, n) = (a.nrows(), b.ncols());
    assert_eq!(c.dim(), (m, n), "the product's output is m × n");
    let k = a.ncols();
    if m.max(n) < SPLIT_K_BELOW && k >= 2 * K_BLOCK {
        // A small output over a long sum (a first convolution's weight gradient: 25 × 16 over
        // every window of the batch) has no rows or columns to share out: split the sum into
        // fixed blocks of k instead, their partial products in parallel, added in block order.
        // The blocks depend on the shapes alone, so the thread count still changes no bit.
        let parts: Vec<Array2<F>> = (0..k.div_ceil(K_BLOCK))
            .into_par_iter()
            .map(|block| {
                let part = ndarray::Slice::from(block * K_BLOCK..((block + 1) * K_BLOCK).min(k));
                let mut p = Array2::zeros((m, n));
                general_mat_mul(
                    F::one(),
                    &a.slice_axis(Axis(1), part),
                    &b.slice_axis(Axis(0), part),
                    F::zero(),
                    &mut p,
                );
                p
            })
            .collect();
        c.fill(F::zero());
        for p in parts {
            c.zip_mut_with(&p, |c, &p| *c = *c + p);
        }
        return;
    }
    if narrow::try_narrow(&a, &b, &mut c) {
        return;
    }
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

/// Bytes in one of the large pages (2 MB on x86-64 Linux) that [`RowStore`] asks for.
const LARGE_PAGE: usize = 2 << 20;

/// A copy of a matrix's rows (row-major, f32) in memory aligned to 2 MB and, on Linux, advised to
/// be backed by transparent huge pages (`madvise(MADV_HUGEPAGE)`) before it is first written.
///
/// Why: a trainer reads its training rows in a fresh random order every epoch, one row (3 KB for
/// a Fashion-MNIST image) from anywhere in a matrix of hundreds of MB. With 4 KB pages nearly
/// every row costs a TLB miss, and inside a virtual machine each miss is a nested page walk
/// (the README's Measurements give the cost with and without huge pages). Elsewhere the advice
/// is a no-op.
pub struct RowStore {
    ptr: std::ptr::NonNull<f32>,
    rows: usize,
    cols: usize,
    layout: std::alloc::Layout,
}

// SAFETY: a RowStore owns its allocation and hands out shared slices only.
unsafe impl Send for RowStore {}
// SAFETY: as above; no interior mutability.
unsafe impl Sync for RowStore {}

impl RowStore {
    /// A copy of the rows of `x` (the caller has checked that the memory is there: this is one
    /// more copy of data already held).
    pub fn copy_of(x: ArrayView2<f32>) -> RowStore {
        let (rows, cols) = x.dim();
        let bytes = (rows * cols * std::mem::size_of::<f32>()).next_multiple_of(LARGE_PAGE);
        let layout = std::alloc::Layout::from_size_align(bytes.max(LARGE_PAGE), LARGE_PAGE)
            .expect("a size well under isize::MAX");
        // SAFETY: the layout has a non-zero size.
        let raw = unsafe { std::alloc::alloc(layout) };
        let Some(ptr) = std::ptr::NonNull::new(raw.cast::<f32>()) else {
            std::alloc::handle_alloc_error(layout)
        };
        #[cfg(target_os = "linux")]
        // SAFETY: the range is exactly the allocation just made; the advice changes how pages
        // are backed, never their contents.
        unsafe {
            libc::madvise(raw.cast(), layout.size(), libc::MADV_HUGEPAGE);
        }
        // SAFETY: the allocation holds at least rows × cols f32 values, aligned for f32; every
        // one is written below before any is read.
        let all = unsafe { std::slice::from_raw_parts_mut(ptr.as_ptr(), rows * cols) };
        for (to, from) in all.chunks_exact_mut(cols.max(1)).zip(x.rows()) {
            match from.as_slice() {
                Some(f) => to.copy_from_slice(f),
                None => to.iter_mut().zip(from.iter()).for_each(|(t, &f)| *t = f),
            }
        }
        RowStore {
            ptr,
            rows,
            cols,
            layout,
        }
    }

    /// Number of rows.
    pub fn nrows(&self) -> usize {
        self.rows
    }

    /// Values per row.
    pub fn ncols(&self) -> usize {
        self.cols
    }

    /// Row `i` (panics when `i` ≥ the number of rows, as slice indexing does).
    pub fn row(&self, i: usize) -> &[f32] {
        assert!(i < self.rows, "row {i} of {}", self.rows);
        // SAFETY: row i lies inside the initialised rows × cols values.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr().add(i * self.cols), self.cols) }
    }
}

impl Drop for RowStore {
    fn drop(&mut self) {
        // SAFETY: allocated in `copy_of` with this layout, freed once.
        unsafe { std::alloc::dealloc(self.ptr.as_ptr().cast(), self.layout) }
    }
}

impl std::fmt::Debug for RowStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RowStore({} × {})", self.rows, self.cols)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_store_holds_the_rows_it_copied() {
        let x = Array2::from_shape_fn((300, 7), |(i, j)| (i * 7 + j) as f32);
        let store = RowStore::copy_of(x.view());
        assert_eq!((store.nrows(), store.ncols()), (300, 7));
        for i in [0, 1, 150, 299] {
            assert_eq!(store.row(i), x.row(i).as_slice().unwrap());
        }
        // a view whose rows are not contiguous (a transpose) copies its logical rows
        let t = RowStore::copy_of(x.t());
        assert_eq!(t.row(3), x.column(3).to_vec().as_slice());
        // no rows at all
        let empty = RowStore::copy_of(Array2::<f32>::zeros((0, 5)).view());
        assert_eq!(empty.nrows(), 0);
    }

    /// A small output over a long sum (split along the sum in fixed blocks): the same bits on 1
    /// and 3 threads, and the product it should be.
    #[test]
    fn a_product_split_along_its_sum_is_the_same_for_any_thread_count() {
        let k = 2 * K_BLOCK + 1234;
        let a = Array2::from_shape_fn((25, k), |(i, j)| ((i * 7 + j * 3) % 11) as f32 / 11.0 - 0.5);
        let b = Array2::from_shape_fn((k, 16), |(i, j)| ((i * 5 + j) % 13) as f32 / 13.0 - 0.5);
        let on = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| matmul(a.view(), b.view()))
        };
        let one = on(1);
        assert_eq!(one, on(3));
        let exact = a.mapv(f64::from).dot(&b.mapv(f64::from));
        for (x, y) in one.iter().zip(&exact) {
            assert!(
                (f64::from(*x) - y).abs() <= 1e-3 * y.abs().max(1.0),
                "{x} against {y}"
            );
        }
        // the same product through a transposed view, as a weight gradient is taken
        let at = a.t().to_owned();
        assert_eq!(on(2), on(1).clone());
        let from_view = on(2);
        let via_t = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap()
            .install(|| matmul(at.t(), b.view()));
        assert_eq!(via_t, from_view);
    }

    #[test]
    #[should_panic(expected = "row 300 of 300")]
    fn a_row_past_the_end_panics_as_slice_indexing_does() {
        let store = RowStore::copy_of(Array2::<f32>::zeros((300, 2)).view());
        let _ = store.row(300);
    }
}
