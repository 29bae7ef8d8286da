//! The hidden units' activations and how weights start: shared by the MLP and the convolutional
//! net, and by the charts of chapter 3 that draw g and g′.

use crate::kernels::Real;
use serde::{Deserialize, Serialize};

/// A hidden unit's non-linearity g, with its derivative g′ written in terms of g's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Activation {
    Sigmoid,
    Tanh,
    Relu,
}

impl Activation {
    /// g(z).
    pub fn apply<F: Real>(self, z: F) -> F {
        match self {
            Activation::Sigmoid => F::one() / (F::one() + (-z).exp()),
            Activation::Tanh => z.tanh(),
            Activation::Relu => z.max(F::zero()),
        }
    }

    /// g'(z), written in terms of a = g(z) (what the forward pass kept).
    pub fn derivative_from_output<F: Real>(self, a: F) -> F {
        match self {
            Activation::Sigmoid => a * (F::one() - a),
            Activation::Tanh => F::one() - a * a,
            Activation::Relu => {
                if a > F::zero() {
                    F::one()
                } else {
                    F::zero()
                }
            }
        }
    }

    /// The initialisation usually paired with this activation.
    pub fn usual_init(self) -> Init {
        match self {
            Activation::Relu => Init::He,
            _ => Init::Xavier,
        }
    }

    /// A short name ("sigmoid", "tanh", "ReLU").
    pub fn name(self) -> &'static str {
        match self {
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Relu => "ReLU",
        }
    }
}

/// How the weights start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Init {
    /// Glorot/Xavier: N(0, 2 / (fan_in + fan_out)); keeps sigmoid and tanh layers in range.
    Xavier,
    /// He: N(0, 2 / fan_in); keeps ReLU layers' variance constant.
    He,
    /// The course's first attempt, `W = randn * 0.01`: every layer shrinks the signal.
    NaiveSmall,
    /// PyTorch's default for its linear and convolution layers: weights and biases uniform in
    /// ±1/√fan_in (Kaiming's uniform with a = √5), a variance of 1 / (3 fan_in).
    Uniform,
}

impl Init {
    /// The initialisation's name for a reader: "Xavier", "He", and the course's naive one as
    /// "small random (× 0.01)" / "小随机数（× 0.01）".
    pub fn name_in(self, l: crate::lang::Lang) -> &'static str {
        match self {
            Init::Xavier => "Xavier",
            Init::He => "He",
            Init::NaiveSmall => l.pick("small random (× 0.01)", "小随机数（× 0.01）"),
            Init::Uniform => l.pick("uniform ±1/√fan-in", "均匀分布 ±1/√扇入"),
        }
    }

    /// One weight of a layer with `fan_in` inputs and `fan_out` outputs.
    pub(crate) fn weight(self, fan_in: usize, fan_out: usize, rng: &mut crate::random::SeededRng) -> f64 {
        match self {
            Init::Uniform => uniform_within(1.0 / (fan_in as f64).sqrt(), rng),
            _ => crate::random::normal(rng) as f64 * self.std(fan_in, fan_out),
        }
    }

    /// One bias of a layer with `fan_in` inputs: zero, or uniform in ±1/√fan_in for
    /// [`Init::Uniform`] (no draw otherwise, so the other initialisations' weights keep their
    /// random stream).
    pub(crate) fn bias(self, fan_in: usize, rng: &mut crate::random::SeededRng) -> f64 {
        match self {
            Init::Uniform => uniform_within(1.0 / (fan_in as f64).sqrt(), rng),
            _ => 0.0,
        }
    }

    pub(crate) fn std(self, fan_in: usize, fan_out: usize) -> f64 {
        match self {
            Init::Xavier => (2.0 / (fan_in + fan_out) as f64).sqrt(),
            Init::He => (2.0 / fan_in as f64).sqrt(),
            Init::NaiveSmall => 0.01,
            Init::Uniform => (1.0 / (3 * fan_in) as f64).sqrt(),
        }
    }
}

/// One draw uniform in (−bound, bound).
fn uniform_within(bound: f64, rng: &mut crate::random::SeededRng) -> f64 {
    use rand::Rng;
    (2.0 * rng.gen::<f64>() - 1.0) * bound
}
