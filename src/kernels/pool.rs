//! A training step's parallel housekeeping: a minibatch's rows gathered over the threads, a pool's
//! workers kept awake between a step's parallel parts, and the sums of squares behind the
//! gradient norms.

use super::RowStore;
use ndarray::Array2;
use rayon::prelude::*;

/// out ← the rows `idx` of `x`, copied row by row (a minibatch, into a buffer kept across
/// batches), blocks of rows in parallel.
pub(crate) fn gather_rows(x: &RowStore, idx: &[usize], out: &mut Array2<f32>) {
    let d = x.ncols();
    let out = crate::kernels::reshaped(out, idx.len(), d);
    let out = out.as_slice_mut().expect("a kept buffer is contiguous");
    out.par_chunks_exact_mut(d.max(1))
        .zip(idx)
        .with_min_len(GATHER_ROWS_PER_TASK)
        .for_each(|(to, &i)| to.copy_from_slice(x.row(i)));
}

/// Rows per parallel task of [`gather_rows`]: a batch of 128 Fashion-MNIST images (400 KB) in
/// four tasks (what the copy costs an epoch, on one thread and shared: the README's Measurements).
const GATHER_ROWS_PER_TASK: usize = 32;

/// Runs `work` on this worker of a pool while every other worker of the pool waits for the
/// parallel parts of `work` by polling for them instead of falling asleep. Meant for a pool that
/// runs nothing else meanwhile: the other workers poll until `work` returns (any other job they
/// find, they run), so every core of the pool shows busy for the whole of `work`.
///
/// Why: a training step's parallel passes (a product split in two, the optimiser's blocks) come
/// between short passes on one thread (the batch's rows, the softmax, the biases' sums, the
/// gradient norms). An idle rayon worker falls asleep after a few tens of microseconds without
/// work, and waking it costs about as much again, so each split product waited for its second half
/// to start (the README's Measurements give the epoch times before and after). Which worker
/// computes which part does not change, so neither does any result.
pub(crate) fn with_helpers_awake<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    use std::sync::atomic::{AtomicBool, Ordering};
    let done = AtomicBool::new(false);
    let this = rayon::current_thread_index();
    rayon::scope(|s| {
        for _ in 1..rayon::current_num_threads() {
            s.spawn(|_| {
                // Taken back by the working thread itself (while it waited for a part): it has
                // nobody to keep awake.
                if rayon::current_thread_index() == this {
                    return;
                }
                while !done.load(Ordering::Acquire) {
                    if rayon::yield_now() != Some(rayon::Yield::Executed) {
                        // a pause of a microsecond or so between looks, so that many polling
                        // workers do not crowd the working thread's queue
                        for _ in 0..16 {
                            std::hint::spin_loop();
                        }
                    }
                }
            });
        }
        let r = work();
        done.store(true, Ordering::Release);
        r
    })
}

/// Σ v², accumulated in 64 f32 lanes (so the compiler can vectorise it over several independent
/// registers: with one register of eight lanes every addition waited for the previous one, and
/// the gradient norms took 2% of an MLP epoch on one thread), returned as f64.
pub(crate) fn sum_of_squares(s: &[f32]) -> f64 {
    const LANES: usize = 64;
    let mut lanes = [0.0f32; LANES];
    let chunks = s.chunks_exact(LANES);
    let tail: f64 = chunks.remainder().iter().map(|&x| f64::from(x * x)).sum();
    for c in chunks {
        for (l, &x) in lanes.iter_mut().zip(c) {
            *l += x * x;
        }
    }
    lanes.iter().map(|&l| f64::from(l)).sum::<f64>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    /// A batch gathered on several threads holds the rows asked for, in their order.
    #[test]
    fn a_gathered_batch_holds_its_rows_in_order() {
        let x = Array2::from_shape_fn((500, 9), |(i, j)| (i * 9 + j) as f32);
        let store = RowStore::copy_of(x.view());
        let idx: Vec<usize> = (0..130).map(|i| (i * 37) % 500).collect();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let mut out = Array2::zeros((0, 0));
        pool.install(|| gather_rows(&store, &idx, &mut out));
        assert_eq!(out.dim(), (130, 9));
        for (row, &i) in out.rows().into_iter().zip(&idx) {
            assert_eq!(row, x.row(i));
        }
    }

    /// The work runs to its end and returns its value on pools of every size, its own parallel
    /// parts (nested ones too) computed, and the pool is free again afterwards.
    #[test]
    fn helpers_kept_awake_leave_the_work_and_its_result_alone() {
        let expected: u64 = (0..200_000u64).map(|i| i * i % 7).sum();
        for threads in [1, 2, 4] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            for _ in 0..20 {
                let (a, b) = pool.install(|| {
                    with_helpers_awake(|| {
                        rayon::join(
                            || (0..200_000u64).into_par_iter().map(|i| i * i % 7).sum::<u64>(),
                            || {
                                (0..100u64)
                                    .into_par_iter()
                                    .map(|i| (0..1000u64).into_par_iter().map(|j| i * j % 7).sum::<u64>())
                                    .sum::<u64>()
                            },
                        )
                    })
                });
                assert_eq!(a, expected);
                let nested: u64 = (0..100u64)
                    .flat_map(|i| (0..1000u64).map(move |j| i * j % 7))
                    .sum();
                assert_eq!(b, nested);
            }
            // nothing is left spinning: the pool takes other work at once
            assert_eq!(
                pool.install(|| (0..1000u32).into_par_iter().sum::<u32>()),
                499_500
            );
        }
    }
}
