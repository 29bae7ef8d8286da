//! Optimisers that own their state: SGD with momentum and Adam, behind the [`Optimize`] trait,
//! chosen by the serialisable [`Optimizer`] setting.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// An update rule that owns its state (moments), made for one model's parameter shapes.
pub trait Optimize: Send {
    /// Updates every parameter from its gradient, with step size `lr`.
    fn step(&mut self, params: &mut [&mut [f32]], grads: &[Vec<f32>], lr: f32);
}

/// The update rule, as a setting.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Optimizer {
    /// v ← μ v − η g; w ← w + v.
    Sgd { momentum: f64 },
    /// Kingma & Ba (2015) with bias correction.
    Adam { beta1: f64, beta2: f64, eps: f64 },
}

impl Optimizer {
    /// Adam with its usual constants (β₁ 0.9, β₂ 0.999, ε 1e-8).
    pub fn adam() -> Optimizer {
        Optimizer::Adam {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        }
    }

    /// SGD with momentum μ.
    pub fn sgd(momentum: f64) -> Optimizer {
        Optimizer::Sgd { momentum }
    }

    /// The optimiser with zeroed state for parameters of these lengths.
    pub fn build(self, lengths: &[usize]) -> Box<dyn Optimize> {
        let zeros = || lengths.iter().map(|&n| vec![0.0f32; n]).collect::<Vec<_>>();
        match self {
            Optimizer::Sgd { momentum } => Box::new(Sgd {
                momentum: momentum as f32,
                velocity: zeros(),
            }),
            Optimizer::Adam { beta1, beta2, eps } => Box::new(Adam {
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

/// Element-wise updates over parameters of at least this many values are split over the threads.
const PARALLEL_UPDATE: usize = 1 << 15;

/// SGD with momentum.
struct Sgd {
    momentum: f32,
    velocity: Vec<Vec<f32>>,
}

impl Optimize for Sgd {
    fn step(&mut self, params: &mut [&mut [f32]], grads: &[Vec<f32>], lr: f32) {
        let mu = self.momentum;
        let update = |(w, v, g): (&mut f32, &mut f32, &f32)| {
            *v = mu * *v - lr * g;
            *w += *v;
        };
        for ((w, v), g) in params.iter_mut().zip(&mut self.velocity).zip(grads) {
            if w.len() >= PARALLEL_UPDATE {
                w.par_iter_mut()
                    .zip(v.par_iter_mut())
                    .zip(g.par_iter())
                    .for_each(|((w, v), g)| update((w, v, g)));
            } else {
                w.iter_mut()
                    .zip(v.iter_mut())
                    .zip(g)
                    .for_each(|((w, v), g)| update((w, v, g)));
            }
        }
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

impl Optimize for Adam {
    fn step(&mut self, params: &mut [&mut [f32]], grads: &[Vec<f32>], lr: f32) {
        self.t += 1;
        let (b1, b2) = (self.beta1, self.beta2);
        let c1 = 1.0 - b1.powi(self.t);
        let c2 = 1.0 - b2.powi(self.t);
        let step = lr * c2.sqrt() / c1;
        let eps_hat = self.eps * c2.sqrt();
        let update = |w: &mut f32, m: &mut f32, v: &mut f32, g: f32| {
            *m = b1 * *m + (1.0 - b1) * g;
            *v = b2 * *v + (1.0 - b2) * g * g;
            *w -= step * *m / (v.sqrt() + eps_hat);
        };
        for (((w, m), v), g) in params.iter_mut().zip(&mut self.m).zip(&mut self.v).zip(grads) {
            if w.len() >= PARALLEL_UPDATE {
                w.par_iter_mut()
                    .zip(m.par_iter_mut())
                    .zip(v.par_iter_mut())
                    .zip(g.par_iter())
                    .for_each(|(((w, m), v), &g)| update(w, m, v, g));
            } else {
                for (((w, m), v), &g) in w.iter_mut().zip(m.iter_mut()).zip(v.iter_mut()).zip(g) {
                    update(w, m, v, g);
                }
            }
        }
    }
}
