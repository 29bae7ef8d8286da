//! The loss every network of the lesson trains on: softmax cross-entropy, with its gradient with
//! respect to the logits (where backpropagation starts).

use crate::kernels::{real, Real};
use ndarray::Array2;

/// The softmax cross-entropy of `logits` (B × K) against the labels `y`: returns the mean loss
/// and how many rows have their label as the most likely class, and writes into `d_logits`
/// (B × K, overwritten) the gradient of the mean loss with respect to the logits,
/// (softmax − onehot(y)) / B, where backpropagation starts.
pub(crate) fn softmax_cross_entropy_into<F: Real>(
    logits: &Array2<F>,
    y: &[usize],
    d_logits: &mut Array2<F>,
) -> (F, usize) {
    let batch = real::<F>(y.len() as f64);
    let mut loss = F::zero();
    let mut correct = 0;
    for ((z, mut p), &k) in logits.rows().into_iter().zip(d_logits.rows_mut()).zip(y) {
        // p = softmax(z), stabilised by subtracting the row's maximum
        let max = z.fold(F::neg_infinity(), |m, &v| m.max(v));
        p.zip_mut_with(&z, |p, &v| *p = (v - max).exp());
        let sum = p.sum();
        p.mapv_inplace(|v| v / sum);
        loss = loss - (p[k] + real(1e-30)).ln(); // NaN stays NaN: divergence is caught
        let best = p.iter().enumerate().fold(
            (0, F::neg_infinity()),
            |b, (j, &v)| if v > b.1 { (j, v) } else { b },
        );
        correct += usize::from(best.0 == k);
        p[k] = p[k] - F::one();
        p.mapv_inplace(|v| v / batch);
    }
    (loss / batch, correct)
}

/// Row-wise softmax, stabilised by subtracting each row's maximum.
pub(crate) fn softmax<F: Real>(logits: &Array2<F>) -> Array2<F> {
    let mut p = logits.clone(); // B × K
    for mut row in p.rows_mut() {
        let max = row.fold(F::neg_infinity(), |m, &v| m.max(v));
        row.mapv_inplace(|v| (v - max).exp());
        let sum = row.sum();
        row.mapv_inplace(|v| v / sum);
    }
    p
}
