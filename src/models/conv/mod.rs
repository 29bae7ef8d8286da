//! Convolutional networks, the kind that made the lecture's point on images (LeNet, AlexNet):
//! 2-D convolutions (stride 1, no padding) and max pooling, then the dense layers the MLP has,
//! softmax cross-entropy, trained by the same [`Trainer`] as the MLP.
//!
//! Every activation is a B × (H·W·C) matrix: one row per example, its values in height, width,
//! channel order (channels last). A convolution is a matrix product: `im2col` copies each
//! k × k × C window of the input into one row, so for a batch the output z is
//! `cols (B·H'·W' × k·k·C) · W (k·k·C × C')`, already in channels-last order. Backward runs the
//! same steps in reverse: `dW = colsᵀ · dz`, `d_cols = dz · Wᵀ`, and `col2im` adds each window's
//! gradient back onto the input positions it was copied from. A convolution with 16 or 32 output
//! channels computes the same sums without the copy ([`direct`]: each window read where it lies),
//! the path LeNet's two convolutions take.
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

use crate::kernels::{matmul_into, real, reshaped, Real};
use crate::models::activation::{Activation, Init};
use crate::models::loss::softmax_cross_entropy_into;
use crate::models::train::{Model, Step};
use crate::random::SeededRng;
use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2, Axis, Zip};
use rand::Rng;
use serde::{Deserialize, Serialize};

#[doc(hidden)] // public for `examples/cnn_epoch.rs`, which times each kernel alone; shapes are asserted
pub mod direct;
mod layers;
mod params;
mod products;

use crate::models::ops::{add_bias_activate, column_sums_into, times_derivative};
use layers::{col2im_into, crop_into, im2col_into, max_pool_back_into, max_pool_into, pad_into};
pub use params::{ConvParams, FittedCnn};
pub use products::{Product, ProductKind, OPERANDS_BUDGET_GB};

/// One stage of a convolutional net, as a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    /// `channels` filters of `kernel` × `kernel` (stride 1, no padding), then the activation.
    Conv { channels: usize, kernel: usize },
    /// The same convolution on the input with (`kernel` − 1) / 2 zeros added around each side
    /// ("same" padding, for an odd `kernel`): the output keeps the input's height and width, and
    /// the border pixels take part in as many windows as the others. LeNet with both its
    /// convolutions padded does 2.7 times the multiply-adds a step (its later layers see 14 × 14
    /// and 7 × 7 maps instead of 12 × 12 and 4 × 4), so [`ConvParams::lenet`] stays unpadded.
    ConvSame { channels: usize, kernel: usize },
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
    /// The shape with `pad` zeros added on each side of the height and the width.
    pub fn padded(&self, pad: usize) -> Shape {
        Shape {
            height: self.height + 2 * pad,
            width: self.width + 2 * pad,
            channels: self.channels,
        }
    }

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
    /// The input (shape `input`) with `pad` zeros around each side: what a "same" convolution
    /// ([`Stage::ConvSame`]) reads; its backward pass keeps the gradient of the inner values.
    Pad { input: Shape, pad: usize },
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

/// What a training pass keeps between batches, block by block: each block's output, what its
/// backward pass needs (the convolution's input windows, where each pooled value came from, the
/// dropout mask), the gradient with respect to its output and, for a convolution, with respect to
/// its windows. Sized by the first batch, resized only when the batch size changes, so a step
/// allocates no array.
#[derive(Debug, Clone, Default)]
pub struct Workspace<F> {
    outs: Vec<Array2<F>>,   // block l's output: B × out_len
    cols: Vec<Array2<F>>,   // convolution: im2col(input), B·H'·W' × k·k·C
    winners: Vec<Vec<u32>>, // pooling: the position of each pooled value's input
    masks: Vec<Array2<F>>,  // dropout: 0 or 1 / (1 − p), the output's shape
    d: Vec<Array2<F>>,      // ∂loss/∂(block l's output)
    d_cols: Vec<Array2<F>>, // convolution: ∂loss/∂cols
    partials: Vec<Vec<F>>,  // direct convolution: ∂W per block of examples
    w_t: Vec<Vec<F>>,       // direct convolution: Wᵀ, N × k·k·C
}

/// Rows per evaluation pass of a convolutional net: its buffers (the im2col copies above all)
/// stay in the tens of MB for any number of rows asked.
const EVAL_CHUNK: usize = 256;

/// A B·H'·W' × C' view of a convolution's B × H'·W'·C' output (the same values, channels last).
fn per_position<F: Real>(a: &mut Array2<F>, channels: usize) -> ArrayViewMut2<'_, F> {
    let rows = a.len() / channels;
    ArrayViewMut2::from_shape(
        (rows, channels),
        a.as_slice_mut().expect("a kept buffer is contiguous"),
    )
    .expect("H'·W'·C' values per example")
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
        // weights (fan_in × fan_out), then the biases
        let weights = |rows: usize, cols: usize, fan_out: usize, rng: &mut SeededRng| {
            Array2::from_shape_fn((rows, cols), |_| real::<F>(init.weight(rows, fan_out, rng)))
        };
        let biases = |fan_in: usize, n: usize, rng: &mut SeededRng| {
            Array1::from_shape_fn(n, |_| real::<F>(init.bias(fan_in, rng)))
        };
        for stage in stages {
            match *stage {
                Stage::Conv { channels, kernel } | Stage::ConvSame { channels, kernel } => {
                    if let Stage::ConvSame { .. } = stage {
                        let pad = (kernel - 1) / 2;
                        blocks.push(Block::Pad { input: s, pad });
                        s = s.padded(pad);
                    }
                    let fan_in = kernel * kernel * s.channels;
                    let w = weights(fan_in, channels, kernel * kernel * channels, rng);
                    blocks.push(Block::Conv {
                        input: s,
                        kernel,
                        w,
                        b: biases(fan_in, channels, rng),
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
                    let w = weights(fan_in, width, width, rng);
                    blocks.push(Block::Dense {
                        w,
                        b: biases(fan_in, width, rng),
                        output: false,
                    });
                    flat = Some(width);
                }
            }
        }
        let fan_in = flat.unwrap_or(s.len());
        let w = weights(fan_in, classes, classes, rng);
        blocks.push(Block::Dense {
            w,
            b: biases(fan_in, classes, rng),
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
                Block::Pool { .. } | Block::Dropout { .. } | Block::Pad { .. } => 0,
            })
            .sum()
    }

    /// Forward through every block into `work`: `work.outs[l]` is block l's output. A training
    /// pass (`rng` given: it draws the dropout masks) keeps what each block's backward pass
    /// needs; an evaluation pass (`None`) lets dropout pass every value.
    fn forward_into(&self, x: ArrayView2<F>, mut rng: Option<&mut SeededRng>, work: &mut Workspace<F>) {
        let (batch, n) = (x.nrows(), self.blocks.len());
        for v in [
            &mut work.outs,
            &mut work.cols,
            &mut work.masks,
            &mut work.d,
            &mut work.d_cols,
        ] {
            v.resize_with(n, Default::default);
        }
        work.winners.resize_with(n, Default::default);
        work.partials.resize_with(n, Default::default);
        work.w_t.resize_with(n, Default::default);
        for (l, block) in self.blocks.iter().enumerate() {
            let (below, here) = work.outs.split_at_mut(l);
            let a = if l == 0 { x.view() } else { below[l - 1].view() }; // B × H·W·C: the block's input
            let out = &mut here[0];
            match block {
                Block::Conv { input, kernel, w, b } if direct::applies(w.ncols()) => {
                    let (ho, wo) = (input.height - kernel + 1, input.width - kernel + 1);
                    let out = reshaped(out, batch, ho * wo * w.ncols()); // B × H'·W'·C'
                    let a = a.as_standard_layout();
                    direct::forward(
                        a.as_slice().expect("standard layout"),
                        *input,
                        *kernel,
                        w.as_slice().expect("weights in standard layout"),
                        b.as_slice().expect("a bias is contiguous"),
                        self.activation,
                        out.as_slice_mut().expect("a kept buffer is contiguous"),
                    );
                }
                Block::Conv { input, kernel, w, b } => {
                    let (ho, wo) = (input.height - kernel + 1, input.width - kernel + 1);
                    let cols = reshaped(&mut work.cols[l], batch * ho * wo, w.nrows());
                    im2col_into(a, *input, *kernel, cols); // B·H'·W' × k·k·C
                    let out = reshaped(out, batch, ho * wo * w.ncols()); // B × H'·W'·C'
                    let mut z = per_position(out, w.ncols()); // B·H'·W' × C'
                    matmul_into(cols.view(), w.view(), z.view_mut());
                    add_bias_activate(z, b, Some(self.activation));
                }
                Block::Pool { input, size } => {
                    let out = reshaped(out, batch, input.len() / (size * size)); // B × H/s·W/s·C
                    let winners = &mut work.winners[l];
                    winners.resize(out.len(), 0);
                    max_pool_into(a, *input, *size, out, winners);
                }
                Block::Pad { input, pad } => {
                    let out = reshaped(out, batch, input.padded(*pad).len()); // B × (H+2p)·(W+2p)·C
                    pad_into(a, *input, *pad, out);
                }
                Block::Dropout { percent } => {
                    let out = reshaped(out, batch, a.ncols());
                    match rng.as_deref_mut() {
                        // evaluation passes leave the values as they are
                        None => out.assign(&a),
                        Some(rng) => {
                            let p = *percent as f64 / 100.0;
                            let scale = real::<F>(1.0 / (1.0 - p));
                            let mask = reshaped(&mut work.masks[l], batch, a.ncols()); // same shape as a
                            mask.mapv_inplace(|_| if rng.gen::<f64>() < p { F::zero() } else { scale });
                            Zip::from(&mut *out)
                                .and(&a)
                                .and(&*mask)
                                .for_each(|o, &v, &m| *o = v * m);
                        }
                    }
                }
                Block::Dense { w, b, output } => {
                    let z = reshaped(out, batch, w.ncols()); // B × fan_out
                    matmul_into(a, w.view(), z.view_mut());
                    add_bias_activate(z.view_mut(), b, (!output).then_some(self.activation));
                }
            }
        }
    }

    /// The output logits for a batch `x` (B × H·W·C), in passes of [`EVAL_CHUNK`] rows.
    pub fn logits(&self, x: ArrayView2<F>) -> Array2<F> {
        let classes = match self.blocks.last() {
            Some(Block::Dense { w, .. }) => w.ncols(),
            _ => unreachable!("a convolutional net ends with its dense output layer"),
        };
        let mut logits = Array2::zeros((x.nrows(), classes)); // B × K
        let mut work = Workspace::default();
        for (rows, mut to) in x
            .axis_chunks_iter(Axis(0), EVAL_CHUNK)
            .zip(logits.axis_chunks_iter_mut(Axis(0), EVAL_CHUNK))
        {
            self.forward_into(rows, None, &mut work);
            to.assign(work.outs.last().expect("the logits"));
        }
        logits
    }

    /// Forward and backward on one batch: the mean cross-entropy (plus (λ/2) Σ‖W‖²), the rows
    /// classified correctly, and the gradients (weights then bias, block by block); `rng` draws
    /// the dropout masks. In new arrays: the trainer calls [`ConvNet::forward_backward_into`]
    /// with buffers kept across batches.
    pub fn forward_backward(
        &self,
        x: Array2<F>,
        y: &[usize],
        l2: F,
        rng: &mut SeededRng,
    ) -> (F, usize, Vec<Array2<F>>, Vec<Array1<F>>) {
        let shapes: Vec<(&Array2<F>, &Array1<F>)> = self
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Conv { w, b, .. } | Block::Dense { w, b, .. } => Some((w, b)),
                Block::Pool { .. } | Block::Dropout { .. } | Block::Pad { .. } => None,
            })
            .collect();
        let mut grads: Vec<Vec<F>> = shapes
            .iter()
            .flat_map(|(w, b)| [vec![F::zero(); w.len()], vec![F::zero(); b.len()]])
            .collect();
        let (loss, correct) =
            self.forward_backward_into(x.view(), y, l2, rng, &mut Workspace::default(), &mut grads);
        let mut flat = grads.into_iter();
        let (mut d_ws, mut d_bs) = (Vec::new(), Vec::new());
        for (w, _) in shapes {
            d_ws.push(
                Array2::from_shape_vec(w.raw_dim(), flat.next().expect("a weight gradient"))
                    .expect("W's shape"),
            );
            d_bs.push(Array1::from(flat.next().expect("a bias gradient")));
        }
        (loss, correct, d_ws, d_bs)
    }

    /// Forward and backward on one batch `x` (B × H·W·C) with labels `y`: returns the mean
    /// cross-entropy (plus (λ/2) Σ‖W‖²) and the rows classified correctly, and writes the
    /// gradients into `grads` (flat: weights then bias, layer by layer); `rng` draws the dropout
    /// masks. Every intermediate array lives in `work`, kept across batches.
    pub fn forward_backward_into(
        &self,
        x: ArrayView2<F>,
        y: &[usize],
        l2: F,
        rng: &mut SeededRng,
        work: &mut Workspace<F>,
        grads: &mut [Vec<F>],
    ) -> (F, usize) {
        let batch = x.nrows();
        self.forward_into(x, Some(rng), work);
        let n = self.blocks.len();
        let logits = &work.outs[n - 1];
        let d_logits = reshaped(&mut work.d[n - 1], batch, logits.ncols()); // B × K
        let (mut loss, correct) = softmax_cross_entropy_into(logits, y, d_logits);
        let half_l2 = l2 * real(0.5);
        for block in &self.blocks {
            if let Block::Conv { w, .. } | Block::Dense { w, .. } = block {
                if l2 != F::zero() {
                    loss = loss + half_l2 * w.iter().fold(F::zero(), |s, &v| s + v * v);
                }
            }
        }

        // backward from d = ∂loss/∂logits, block by block in reverse; `g` counts down the
        // gradients' positions (weights then bias per layer)
        let mut g = grads.len();
        for (l, block) in self.blocks.iter().enumerate().rev() {
            let input = if l == 0 { x.view() } else { work.outs[l - 1].view() }; // the block's input
            let out = work.outs[l].view(); // and its output
            let (below, here) = work.d.split_at_mut(l);
            let d = &mut here[0]; // ∂loss/∂out

            // a pooling right after a convolution applies g' in its own backward pass
            let pooled_next = matches!(self.blocks.get(l + 1), Some(Block::Pool { .. }));
            match block {
                // a first block without parameters needs no gradient for the input
                Block::Pool { .. } | Block::Dropout { .. } | Block::Pad { .. } if l == 0 => {}
                Block::Pad { input: shape, pad } => {
                    let d_in = reshaped(&mut below[l - 1], batch, shape.len()); // B × H·W·C
                    crop_into(d.view(), *shape, *pad, d_in);
                }
                Block::Dense { w, b: _, output } => {
                    if !output {
                        times_derivative(d.view_mut(), out, self.activation); // d_z = d_a ⊙ g'(z)
                    }
                    g -= 2;
                    let (d_w, d_b) = grads[g..].split_at_mut(1);
                    let mut d_w =
                        ArrayViewMut2::from_shape(w.raw_dim(), &mut d_w[0][..]).expect("fan_in × fan_out");
                    matmul_into(input.t(), d.view(), d_w.view_mut()); // fan_in × fan_out
                    if l2 != F::zero() {
                        d_w.scaled_add(l2, w);
                    }
                    column_sums_into(d.view(), &mut d_b[0]); // fan_out
                    if l > 0 {
                        let d_in = reshaped(&mut below[l - 1], batch, w.nrows()); // B × fan_in
                        matmul_into(d.view(), w.t(), d_in.view_mut());
                    }
                }
                Block::Conv {
                    input: shape,
                    kernel,
                    w,
                    ..
                } if direct::applies(w.ncols()) => {
                    if !pooled_next {
                        times_derivative(d.view_mut(), out, self.activation); // d_z = d_a ⊙ g'(z)
                    }
                    g -= 2;
                    let (d_w, d_b) = grads[g..].split_at_mut(1);
                    let input = input.as_standard_layout();
                    let input = input.as_slice().expect("standard layout");
                    let d_z = d.as_slice().expect("a kept buffer is contiguous"); // B × H'·W'·C'
                    direct::weight_gradient(input, d_z, *shape, *kernel, &mut d_w[0], &mut work.partials[l]);
                    if l2 != F::zero() {
                        let mut d_w =
                            ArrayViewMut2::from_shape(w.raw_dim(), &mut d_w[0][..]).expect("k·k·C × C'");
                        d_w.scaled_add(l2, w);
                    }
                    column_sums_into(per_position(d, w.ncols()).view(), &mut d_b[0]); // C'
                    if l > 0 {
                        let w_t = &mut work.w_t[l];
                        w_t.clear();
                        w_t.extend(w.t().iter().copied()); // C' × k·k·C
                        let d_in = reshaped(&mut below[l - 1], batch, shape.len()); // B × H·W·C
                        let d_z = d.as_slice().expect("a kept buffer is contiguous");
                        direct::input_gradient(
                            d_z,
                            w_t,
                            *shape,
                            *kernel,
                            d_in.as_slice_mut().expect("a kept buffer is contiguous"),
                        );
                    }
                }
                Block::Conv {
                    input: shape,
                    kernel,
                    w,
                    ..
                } => {
                    if !pooled_next {
                        times_derivative(d.view_mut(), out, self.activation); // d_z = d_a ⊙ g'(z), B × H'·W'·C'
                    } // (else the pooling's backward pass above already applied g')
                    let d_z = per_position(d, w.ncols()); // B·H'·W' × C'
                    g -= 2;
                    let (d_w, d_b) = grads[g..].split_at_mut(1);
                    let mut d_w =
                        ArrayViewMut2::from_shape(w.raw_dim(), &mut d_w[0][..]).expect("k·k·C × C'");
                    matmul_into(work.cols[l].t(), d_z.view(), d_w.view_mut()); // k·k·C × C'
                    if l2 != F::zero() {
                        d_w.scaled_add(l2, w);
                    }
                    column_sums_into(d_z.view(), &mut d_b[0]); // C'
                    if l > 0 {
                        let d_cols = reshaped(&mut work.d_cols[l], d_z.nrows(), w.nrows()); // B·H'·W' × k·k·C
                        matmul_into(d_z.view(), w.t(), d_cols.view_mut());
                        let d_in = reshaped(&mut below[l - 1], batch, shape.len()); // B × H·W·C
                        col2im_into(d_cols.view(), *shape, *kernel, d_in);
                    }
                }
                Block::Dropout { .. } => {
                    // only the kept values pass gradient
                    let d_in = reshaped(&mut below[l - 1], batch, d.ncols());
                    Zip::from(d_in)
                        .and(&*d)
                        .and(&work.masks[l])
                        .for_each(|i, &v, &m| *i = v * m);
                }
                Block::Pool { input: shape, .. } => {
                    // each pooled value's gradient goes to the input value that won its window,
                    // times g' there when that input is a convolution's output
                    let through =
                        matches!(self.blocks[l - 1], Block::Conv { .. }).then(|| (out, self.activation)); // g' from the pooled output: the winner's a
                    let d_in = reshaped(&mut below[l - 1], batch, shape.len()); // B × H·W·C
                    max_pool_back_into(d.view(), &work.winners[l], through, d_in);
                }
            }
        }
        (loss, correct)
    }
}

impl Model for ConvNet<f32> {
    fn n_inputs(&self) -> usize {
        self.input.len()
    }

    fn logits(&self, x: ArrayView2<f32>) -> Array2<f32> {
        ConvNet::logits(self, x)
    }

    type Workspace = Workspace<f32>;

    fn train_step(
        &self,
        x: ArrayView2<f32>,
        y: &[usize],
        l2: f32,
        rng: &mut SeededRng,
        work: &mut Workspace<f32>,
        grads: &mut [Vec<f32>],
    ) -> Step {
        let (loss, correct) = self.forward_backward_into(x, y, l2, rng, work, grads);
        Step { loss, correct }
    }

    fn params_mut(&mut self) -> Vec<&mut [f32]> {
        self.blocks
            .iter_mut()
            .filter_map(|b| match b {
                Block::Conv { w, b, .. } | Block::Dense { w, b, .. } => Some([
                    w.as_slice_mut().expect("weights in standard layout"),
                    b.as_slice_mut().expect("biases in standard layout"),
                ]),
                Block::Pool { .. } | Block::Dropout { .. } | Block::Pad { .. } => None,
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
