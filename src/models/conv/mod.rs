//! Convolutional networks, the kind that made the lecture's point on images (LeNet, AlexNet):
//! 2-D convolutions (stride 1, no padding) and max pooling, then the dense layers the MLP has,
//! softmax cross-entropy, trained by the same [`Trainer`] as the MLP.
//!
//! Every activation is a B × (H·W·C) matrix: one row per example, its values in height, width,
//! channel order (channels last). A convolution is a matrix product: `im2col` copies each
//! k × k × C window of the input into one row, so for a batch the output z is
//! `cols (B·H'·W' × k·k·C) · W (k·k·C × C')`, already in channels-last order. Backward runs the
//! same steps in reverse: `dW = colsᵀ · dz`, `d_cols = dz · Wᵀ`, and `col2im` adds each window's
//! gradient back onto the input positions it was copied from.
//!
//! ```
//! # fn main() -> takeoff::Result<()> {
//! use takeoff::models::conv::{ConvParams, Stage};
//! let images = takeoff::data::fashion_mnist()?.train.subsample(200, 0)?;
//! let net = ConvParams::new(&[Stage::Conv { channels: 4, kernel: 5 }, Stage::MaxPool { size: 4 }])
//!     .epochs(10)
//!     .batch_size(20)
//!     .learning_rate(3e-3)
//!     .verbose(false)
//!     .fit(&images)?;
//! assert!(net.accuracy(&images)? > 0.5);
//! # Ok(()) }
//! ```

use crate::kernels::{matmul, real, Real};
use crate::mlp::{softmax_cross_entropy, Activation, Init};
use crate::models::train::{flat, Model, Step};
use crate::random::SeededRng;
use ndarray::{Array1, Array2, ArrayView2};
use rand::Rng;
use serde::{Deserialize, Serialize};

mod layers;
mod params;

use crate::models::ops::{add_bias_activate, column_sums, times_derivative};
use layers::{col2im, im2col, max_pool, max_pool_back};
pub use params::{Cnn, ConvParams};

/// One stage of a convolutional net, as a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    /// `channels` filters of `kernel` × `kernel` (stride 1, no padding), then the activation.
    Conv { channels: usize, kernel: usize },
    /// The maximum over each `size` × `size` window (stride `size`; it must divide the input).
    MaxPool { size: usize },
    /// A fully connected layer of `width` units on the flattened input, then the activation.
    Dense { width: usize },
    /// During training, each value of the previous stage's output is set to 0 with probability
    /// `percent` / 100 and the others are scaled by 1 / (1 − p) (inverted dropout, Srivastava et
    /// al. 2014); evaluation passes leave every value as it is.
    Dropout { percent: u32 },
}

/// The shape of one example's activations: height × width × channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shape {
    pub height: usize,
    pub width: usize,
    pub channels: usize,
}

impl Shape {
    /// Values per example.
    pub fn len(&self) -> usize {
        self.height * self.width * self.channels
    }
    /// True when the shape holds no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One layer with its parameters (or none, for pooling).
#[derive(Debug, Clone, PartialEq)]
pub enum Block<F> {
    /// z = im2col(x) W + b, then the activation; `input` is the input's shape.
    Conv {
        input: Shape,
        kernel: usize,
        w: Array2<F>, // k·k·C × C'
        b: Array1<F>, // C'
    },
    /// Max over `size` × `size` windows of an input of shape `input`.
    Pool { input: Shape, size: usize },
    /// Training passes zero each value with probability `percent` / 100 and scale the rest.
    Dropout { percent: u32 },
    /// z = x W + b, then the activation unless it is the output layer.
    Dense {
        w: Array2<F>, // fan_in × fan_out
        b: Array1<F>, // fan_out
        output: bool,
    },
}

/// A convolutional network: its blocks, input shape and hidden activation.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvNet<F> {
    pub input: Shape,
    pub blocks: Vec<Block<F>>,
    pub activation: Activation,
}

/// What the forward pass keeps for the backward pass of one block.
/// (Every block's input and output are kept once, in the forward pass's list of activations.)
enum Kept<F> {
    /// The input windows.
    Conv {
        cols: Array2<F>,
    },
    /// Where each pooled value came from.
    Pool {
        arg: Vec<u32>,
    },
    /// The mask the values were multiplied by (0 or 1 / (1 − p)).
    Dropout {
        mask: Array2<F>,
    },
    Dense,
}

impl<F: Real> ConvNet<F> {
    /// Random weights for the stages on inputs of shape `input` with `classes` outputs, zero
    /// biases; the shapes must already be checked ([`ConvParams::check_shapes`]).
    pub fn init(
        input: Shape,
        stages: &[Stage],
        classes: usize,
        activation: Activation,
        init: Init,
        rng: &mut SeededRng,
    ) -> ConvNet<F> {
        let mut blocks = Vec::new();
        let mut s = input;
        let mut flat: Option<usize> = None;
        let weights = |rows: usize, cols: usize, std: f64, rng: &mut SeededRng| {
            Array2::from_shape_fn((rows, cols), |_| {
                real::<F>(crate::random::normal(rng) as f64 * std)
            })
        };
        for stage in stages {
            match *stage {
                Stage::Conv { channels, kernel } => {
                    let fan_in = kernel * kernel * s.channels;
                    let std = init.std(fan_in, kernel * kernel * channels);
                    blocks.push(Block::Conv {
                        input: s,
                        kernel,
                        w: weights(fan_in, channels, std, rng),
                        b: Array1::zeros(channels),
                    });
                    s = Shape {
                        height: s.height - kernel + 1,
                        width: s.width - kernel + 1,
                        channels,
                    };
                }
                Stage::MaxPool { size } => {
                    blocks.push(Block::Pool { input: s, size });
                    s = Shape {
                        height: s.height / size,
                        width: s.width / size,
                        channels: s.channels,
                    };
                }
                Stage::Dropout { percent } => blocks.push(Block::Dropout { percent }),
                Stage::Dense { width } => {
                    let fan_in = flat.unwrap_or(s.len());
                    blocks.push(Block::Dense {
                        w: weights(fan_in, width, init.std(fan_in, width), rng),
                        b: Array1::zeros(width),
                        output: false,
                    });
                    flat = Some(width);
                }
            }
        }
        let fan_in = flat.unwrap_or(s.len());
        blocks.push(Block::Dense {
            w: weights(fan_in, classes, init.std(fan_in, classes), rng),
            b: Array1::zeros(classes),
            output: true,
        });
        ConvNet {
            input,
            blocks,
            activation,
        }
    }

    /// Number of weights and biases.
    pub fn n_params(&self) -> usize {
        self.blocks
            .iter()
            .map(|b| match b {
                Block::Conv { w, b, .. } | Block::Dense { w, b, .. } => w.len() + b.len(),
                Block::Pool { .. } | Block::Dropout { .. } => 0,
            })
            .sum()
    }

    /// Forward through every block. A training pass (`rng` given: it draws the dropout masks)
    /// returns every activation, `acts[0]` = x and `acts[l + 1]` = block l's output, and what
    /// each block's backward pass needs besides; an evaluation pass (`None`) keeps only the last
    /// activation, the logits.
    fn forward(&self, x: Array2<F>, mut rng: Option<&mut SeededRng>) -> (Vec<Array2<F>>, Vec<Kept<F>>) {
        let keep = rng.is_some();
        let batch = x.nrows();
        let mut acts = vec![x]; // B × H·W·C, then each block's output
        let mut kept = Vec::new();
        for block in &self.blocks {
            let a = acts.last().expect("the input at least");
            let (out, record) = match block {
                Block::Conv { input, kernel, w, b } => {
                    let cols = im2col(a, *input, *kernel); // B·H'·W' × k·k·C
                    let mut z = matmul(cols.view(), w.view()); // B·H'·W' × C'
                    add_bias_activate(&mut z, b, Some(self.activation));
                    let per_example = z.len() / batch;
                    let out = z.into_shape_with_order((batch, per_example)).expect("contiguous"); // B × H'·W'·C'
                    (out, Kept::Conv { cols })
                }
                Block::Pool { input, size } => {
                    let (out, arg) = max_pool(a, *input, *size); // B × H/s·W/s·C
                    (out, Kept::Pool { arg })
                }
                // evaluation passes leave the values as they are
                Block::Dropout { .. } if !keep => continue,
                Block::Dropout { percent } => {
                    let rng = rng.as_deref_mut().expect("a training pass has a generator");
                    let p = *percent as f64 / 100.0;
                    let scale = real::<F>(1.0 / (1.0 - p));
                    let mask = Array2::from_shape_fn(a.raw_dim(), |_| {
                        if rng.gen::<f64>() < p {
                            F::zero()
                        } else {
                            scale
                        }
                    }); // same shape as a
                    (a * &mask, Kept::Dropout { mask })
                }
                Block::Dense { w, b, output } => {
                    let mut z = matmul(a.view(), w.view()); // B × fan_out
                    add_bias_activate(&mut z, b, (!output).then_some(self.activation));
                    (z, Kept::Dense)
                }
            };
            if keep {
                acts.push(out);
                kept.push(record);
            } else {
                *acts.last_mut().expect("the input at least") = out;
            }
        }
        (acts, kept)
    }

    /// The output logits for a batch `x` (B × H·W·C).
    pub fn logits(&self, x: ArrayView2<F>) -> Array2<F> {
        let (mut acts, _) = self.forward(x.to_owned(), None);
        acts.pop().expect("the logits")
    }

    /// Forward and backward on one batch: the mean cross-entropy (plus (λ/2) Σ‖W‖²), the rows
    /// classified correctly, and the gradients (weights then bias, block by block); `rng` draws
    /// the dropout masks.
    pub fn forward_backward(
        &self,
        x: Array2<F>,
        y: &[usize],
        l2: F,
        rng: &mut SeededRng,
    ) -> (F, usize, Vec<Array2<F>>, Vec<Array1<F>>) {
        let batch = x.nrows();
        let (acts, kept) = self.forward(x, Some(rng));
        let (mut loss, correct, mut d) = softmax_cross_entropy(acts.last().expect("the logits"), y); // d: B × K
        let half_l2 = l2 * real(0.5);
        for block in &self.blocks {
            if let Block::Conv { w, .. } | Block::Dense { w, .. } = block {
                if l2 != F::zero() {
                    loss = loss + half_l2 * w.iter().fold(F::zero(), |s, &v| s + v * v);
                }
            }
        }

        // backward from d = ∂loss/∂logits, block by block in reverse
        let (mut d_ws, mut d_bs) = (Vec::new(), Vec::new());
        for (l, (block, kept)) in self.blocks.iter().zip(kept).enumerate().rev() {
            let (input, out) = (&acts[l], &acts[l + 1]); // the block's input and output
            match (block, kept) {
                (Block::Dense { w, output, .. }, Kept::Dense) => {
                    if !output {
                        times_derivative(&mut d, out, self.activation); // d_z = d_a ⊙ g'(z)
                    }
                    let mut d_w = matmul(input.t(), d.view()); // fan_in × fan_out
                    if l2 != F::zero() {
                        d_w.scaled_add(l2, w);
                    }
                    d_bs.push(column_sums(d.view())); // fan_out
                    d_ws.push(d_w);
                    if l > 0 {
                        d = matmul(d.view(), w.t()); // B × fan_in
                    }
                }
                (Block::Conv { input, kernel, w, .. }, Kept::Conv { cols }) => {
                    times_derivative(&mut d, out, self.activation); // d_z = d_a ⊙ g'(z), B × H'·W'·C'
                    let channels = w.ncols();
                    let rows = d.len() / channels;
                    let d_z = d.into_shape_with_order((rows, channels)).expect("contiguous"); // B·H'·W' × C'
                    let mut d_w = matmul(cols.t(), d_z.view()); // k·k·C × C'
                    if l2 != F::zero() {
                        d_w.scaled_add(l2, w);
                    }
                    d_bs.push(column_sums(d_z.view())); // C'
                    d_ws.push(d_w);
                    d = if l > 0 {
                        let d_cols = matmul(d_z.view(), w.t()); // B·H'·W' × k·k·C
                        col2im(&d_cols, *input, *kernel, batch) // B × H·W·C
                    } else {
                        Array2::zeros((0, 0))
                    };
                }
                (Block::Dropout { .. }, Kept::Dropout { mask }) => {
                    d.zip_mut_with(&mask, |v, &m| *v = *v * m); // only the kept values pass gradient
                }
                (Block::Pool { input, .. }, Kept::Pool { arg }) => {
                    // each pooled value's gradient goes to the input value that won its window
                    d = max_pool_back(&d, &arg, input.len()); // B × H·W·C
                }
                _ => unreachable!("forward keeps one record per block, of the block's kind"),
            }
        }
        d_ws.reverse();
        d_bs.reverse();
        (loss, correct, d_ws, d_bs)
    }
}

impl Model for ConvNet<f32> {
    fn n_inputs(&self) -> usize {
        self.input.len()
    }

    fn logits(&self, x: ArrayView2<f32>) -> Array2<f32> {
        ConvNet::logits(self, x)
    }

    fn train_step(&self, x: Array2<f32>, y: &[usize], l2: f32, rng: &mut SeededRng) -> Step {
        let (loss, correct, d_ws, d_bs) = self.forward_backward(x, y, l2, rng);
        Step {
            loss,
            correct,
            grads: d_ws
                .into_iter()
                .zip(d_bs)
                .flat_map(|(w, b)| [flat(w), flat(b)])
                .collect(),
        }
    }

    fn params_mut(&mut self) -> Vec<&mut [f32]> {
        self.blocks
            .iter_mut()
            .filter_map(|b| match b {
                Block::Conv { w, b, .. } | Block::Dense { w, b, .. } => Some([
                    w.as_slice_mut().expect("weights in standard layout"),
                    b.as_slice_mut().expect("biases in standard layout"),
                ]),
                Block::Pool { .. } | Block::Dropout { .. } => None,
            })
            .flatten()
            .collect()
    }

    fn weight_positions(&self) -> Vec<usize> {
        let layers = self
            .blocks
            .iter()
            .filter(|b| matches!(b, Block::Conv { .. } | Block::Dense { .. }))
            .count();
        (0..layers).map(|l| 2 * l).collect()
    }
}

#[cfg(test)]
mod tests;
