//! Optimisers that own their state: SGD with momentum and Adam, behind the [`Optimizer`] trait,
//! chosen by the serialisable [`OptimizerConfig`] setting.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// An update rule that owns its state (moments), made for one model's parameter shapes.
pub trait Optimizer: Send {
    /// Updates every parameter from its gradient, with step size `lr`.
    fn step(&mut self, params: &mut [&mut [f32]], grads: &[Vec<f32>], lr: f32);
}

/// The update rule, as a setting.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum OptimizerConfig {
    /// v ← μ v − η g; w ← w + v.
    Sgd { momentum: f64 },
    /// Kingma & Ba (2015) with bias correction.
    Adam { beta1: f64, beta2: f64, eps: f64 },
}

impl OptimizerConfig {
    /// Adam with its usual constants (β₁ 0.9, β₂ 0.999, ε 1e-8).
    pub fn adam() -> OptimizerConfig {
        OptimizerConfig::Adam {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        }
    }

    /// SGD with momentum μ.
    pub fn sgd(momentum: f64) -> OptimizerConfig {
        OptimizerConfig::Sgd { momentum }
    }

    /// The optimiser with zeroed state for parameters of these lengths.
    pub fn build(self, lengths: &[usize]) -> Box<dyn Optimizer> {
        let zeros = || lengths.iter().map(|&n| vec![0.0f32; n]).collect::<Vec<_>>();
        match self {
            OptimizerConfig::Sgd { momentum } => Box::new(Sgd {
                momentum: momentum as f32,
                velocity: zeros(),
            }),
            OptimizerConfig::Adam { beta1, beta2, eps } => Box::new(Adam {
                beta1: beta1 as f32,
                beta2: beta2 as f32,
                eps: eps as f32,
                m: zeros(),
                v: zeros(),
                t: 0,
            }),
        }
    }
}

/// Values per parallel task of an update: a fixed block, so the work is split the same way for
/// any thread count (each value's update depends on that value alone, so no result changes
/// anyway), large enough to be worth a task.
const UPDATE_BLOCK: usize = 1 << 14;

/// One block of a parameter, its state slices (S of them) and its gradient.
type Block<'a, const S: usize> = (&'a mut [f32], [&'a mut [f32]; S], &'a [f32]);

/// Runs `update` over every parameter tensor in blocks of [`UPDATE_BLOCK`] values, the blocks in
/// parallel: each call gets one block of a parameter, its gradient and its state slices.
fn blocks<const S: usize>(
    params: &mut [&mut [f32]],
    state: [&mut Vec<Vec<f32>>; S],
    grads: &[Vec<f32>],
    update: impl Fn(&mut [f32], [&mut [f32]; S], &[f32]) + Sync,
) {
    let mut state = state.map(|s| s.iter_mut());
    for (w, g) in params.iter_mut().zip(grads) {
        let s: [&mut Vec<f32>; S] = std::array::from_fn(|i| state[i].next().expect("state per parameter"));
        let mut parts: Vec<Block<S>> = Vec::new();
        let mut s_chunks = s.map(|v| v.chunks_mut(UPDATE_BLOCK));
        for (wc, gc) in w.chunks_mut(UPDATE_BLOCK).zip(g.chunks(UPDATE_BLOCK)) {
            let sc = std::array::from_fn(|i| s_chunks[i].next().expect("state as long as the parameter"));
            parts.push((wc, sc, gc));
        }
        if parts.len() == 1 {
            let (wc, sc, gc) = parts.pop().expect("one block");
            update(wc, sc, gc);
        } else {
            parts.into_par_iter().for_each(|(wc, sc, gc)| update(wc, sc, gc));
        }
    }
}

/// `x`, or 0 when `x` is subnormal (smaller in size than f32's smallest normal number, about
/// 1.2e-38).
///
/// Why: an optimiser's state decays geometrically wherever a gradient is 0 (a weight from a pixel
/// that is blank in every image of the batch, a unit whose ReLU is off): Adam's first moment is
/// multiplied by 0.9 every step, so after some hundreds of steps it passes below 1.2e-38, and the
/// processor computes on such subnormal numbers through a slow microcode path (the README's
/// Measurements give what it cost an epoch). Set to 0 once, a state stays 0 at full speed until a gradient
/// arrives. The weights do not change: the update such a state could still make to a weight is
/// about 1e-38 times the learning rate, far below half a unit in the last place of any weight
/// (tested against the update without the flush).
#[inline(always)]
fn normal_or_zero(x: f32) -> f32 {
    if x.abs() < f32::MIN_POSITIVE {
        0.0
    } else {
        x
    }
}

/// SGD with momentum.
struct Sgd {
    momentum: f32,
    velocity: Vec<Vec<f32>>,
}

impl Optimizer for Sgd {
    fn step(&mut self, params: &mut [&mut [f32]], grads: &[Vec<f32>], lr: f32) {
        let mu = self.momentum;
        blocks(params, [&mut self.velocity], grads, |w, [v], g| {
            // plain indexed loops over equal-length slices, constants in locals: vectorised
            let n = w.len();
            let (v, g) = (&mut v[..n], &g[..n]);
            for i in 0..n {
                v[i] = normal_or_zero(mu * v[i] - lr * g[i]);
                w[i] += v[i];
            }
        });
    }
}

/// Adam with bias correction, in one pass over each parameter.
struct Adam {
    beta1: f32,
    beta2: f32,
    eps: f32,
    m: Vec<Vec<f32>>,
    v: Vec<Vec<f32>>,
    t: i32,
}

impl Optimizer for Adam {
    fn step(&mut self, params: &mut [&mut [f32]], grads: &[Vec<f32>], lr: f32) {
        self.t += 1;
        let (b1, b2) = (self.beta1, self.beta2);
        let c1 = 1.0 - b1.powi(self.t);
        let c2 = 1.0 - b2.powi(self.t);
        let step = lr * c2.sqrt() / c1;
        let eps_hat = self.eps * c2.sqrt();
        blocks(params, [&mut self.m, &mut self.v], grads, |w, [m, v], g| {
            let n = w.len();
            let (m, v, g) = (&mut m[..n], &mut v[..n], &g[..n]);
            for i in 0..n {
                m[i] = normal_or_zero(b1 * m[i] + (1.0 - b1) * g[i]);
                v[i] = normal_or_zero(b2 * v[i] + (1.0 - b2) * g[i] * g[i]);
                w[i] -= step * m[i] / (v[i].sqrt() + eps_hat);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gradients that stop for long stretches (as a blank pixel's weights get), on weights of
    /// every size a net holds, more values than one update block.
    fn gradients(step: usize, n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| match (step / 300 + i) % 4 {
                0 => ((i * 7 + step * 3) % 23) as f32 * 1e-3 - 0.011,
                1 if i % 3 == 0 => 1e-21, // its square is subnormal
                _ => 0.0,
            })
            .collect()
    }

    fn start(n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| ((i % 101) as f32 - 50.0) * 10f32.powi(-((i % 7) as i32)))
            .collect()
    }

    fn subnormals(x: &[f32]) -> usize {
        x.iter().filter(|v| v.is_subnormal()).count()
    }

    /// Adam with the flush gives the same weights, bit for bit, as the plain update (which holds
    /// subnormal states on the way).
    #[test]
    fn adam_without_subnormal_states_gives_the_same_weights() {
        let n = UPDATE_BLOCK + 1000;
        let (b1, b2, eps, lr) = (0.9f32, 0.999f32, 1e-8f32, 1e-3f32);
        let mut adam = OptimizerConfig::adam().build(&[n]);
        let mut w = start(n);
        let (mut w0, mut m0, mut v0) = (start(n), vec![0f32; n], vec![0f32; n]);
        let mut plain_subnormals = 0;
        for t in 1..=2000 {
            let g = gradients(t, n);
            adam.step(&mut [&mut w[..]], std::slice::from_ref(&g), lr);
            let (c1, c2) = (1.0 - b1.powi(t as i32), 1.0 - b2.powi(t as i32));
            let (step, eps_hat) = (lr * c2.sqrt() / c1, eps * c2.sqrt());
            for i in 0..n {
                m0[i] = b1 * m0[i] + (1.0 - b1) * g[i];
                v0[i] = b2 * v0[i] + (1.0 - b2) * g[i] * g[i];
                w0[i] -= step * m0[i] / (v0[i].sqrt() + eps_hat);
            }
            plain_subnormals = plain_subnormals.max(subnormals(&m0) + subnormals(&v0));
        }
        assert!(
            plain_subnormals > 100,
            "the plain update had {plain_subnormals} subnormal states"
        );
        let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&w), bits(&w0));
    }

    /// The same for SGD's velocity.
    #[test]
    fn sgd_without_subnormal_velocity_gives_the_same_weights() {
        let n = 5000;
        let (mu, lr) = (0.9f32, 1e-2f32);
        let mut sgd = OptimizerConfig::sgd(mu as f64).build(&[n]);
        let (mut w, mut w0, mut v0) = (start(n), start(n), vec![0f32; n]);
        let mut plain_subnormals = 0;
        for t in 1..=2000 {
            let g = gradients(t, n);
            sgd.step(&mut [&mut w[..]], std::slice::from_ref(&g), lr);
            for i in 0..n {
                v0[i] = mu * v0[i] - lr * g[i];
                w0[i] += v0[i];
            }
            plain_subnormals = plain_subnormals.max(subnormals(&v0));
        }
        assert!(
            plain_subnormals > 100,
            "the plain update had {plain_subnormals} subnormal states"
        );
        assert_eq!(w, w0);
    }
}
