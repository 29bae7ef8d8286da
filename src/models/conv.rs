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

use crate::data::{Dataset, SeededRng};
use crate::error::{Result, TakeoffError};
use crate::mlp::{matmul, real, softmax_cross_entropy, Activation, Init, Real};
use crate::models::train::{flat, Fitted, History, Model, Step, TrainParams, Trainer};
use ndarray::{Array1, Array2, ArrayView2, Axis, Zip};
use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

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

/// Each window of `x` (B × H·W·C, shape `s`) as one row: (B·H'·W') × (k·k·C), H' = H − k + 1.
fn im2col<F: Real>(x: &Array2<F>, s: Shape, k: usize) -> Array2<F> {
    let (ho, wo, c) = (s.height - k + 1, s.width - k + 1, s.channels);
    let row_len = k * k * c;
    let mut cols = Array2::<F>::zeros((x.nrows() * ho * wo, row_len));
    let xs = x.as_standard_layout();
    cols.as_slice_mut()
        .expect("new array")
        .par_chunks_mut(ho * wo * row_len) // one example per chunk
        .zip(xs.as_slice().expect("standard layout").par_chunks(s.len()))
        .for_each(|(out, img)| {
            for i in 0..ho {
                for j in 0..wo {
                    let row = &mut out[(i * wo + j) * row_len..][..row_len];
                    for di in 0..k {
                        let src = ((i + di) * s.width + j) * c; // k·C contiguous values
                        row[di * k * c..][..k * c].copy_from_slice(&img[src..src + k * c]);
                    }
                }
            }
        });
    cols
}

/// The adjoint of [`im2col`]: adds each row of `d_cols` back onto the window it came from.
fn col2im<F: Real>(d_cols: &Array2<F>, s: Shape, k: usize, batch: usize) -> Array2<F> {
    let (ho, wo, c) = (s.height - k + 1, s.width - k + 1, s.channels);
    let row_len = k * k * c;
    let mut d_x = Array2::<F>::zeros((batch, s.len())); // B × H·W·C
    let dc = d_cols.as_standard_layout();
    d_x.as_slice_mut()
        .expect("new array")
        .par_chunks_mut(s.len())
        .zip(
            dc.as_slice()
                .expect("standard layout")
                .par_chunks(ho * wo * row_len),
        )
        .for_each(|(img, rows)| {
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
    d_x
}

/// Max pooling of `x` (B × H·W·C): the pooled values and, for each, the position (within its
/// example) of the input value that won.
fn max_pool<F: Real>(x: &Array2<F>, s: Shape, size: usize) -> (Array2<F>, Vec<u32>) {
    let (ho, wo, c) = (s.height / size, s.width / size, s.channels);
    let mut out = Array2::<F>::zeros((x.nrows(), ho * wo * c));
    let mut arg = vec![0u32; x.nrows() * ho * wo * c];
    for ((img, mut o), a) in x
        .rows()
        .into_iter()
        .zip(out.rows_mut())
        .zip(arg.chunks_mut(ho * wo * c))
    {
        for i in 0..ho {
            for j in 0..wo {
                for ch in 0..c {
                    let mut best = ((i * size * s.width + j * size) * c + ch, F::neg_infinity());
                    for di in 0..size {
                        for dj in 0..size {
                            let p = (((i * size + di) * s.width) + j * size + dj) * c + ch;
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
    }
    (out, arg)
}

/// Applies g in place.
fn activate<F: Real>(z: &mut Array2<F>, g: Activation) {
    z.mapv_inplace(|v| g.apply(v));
}

/// d ← d ⊙ g'(z), from the layer's output a = g(z).
fn times_derivative<F: Real>(d: &mut Array2<F>, a: &Array2<F>, g: Activation) {
    Zip::from(d)
        .and(a)
        .for_each(|d, &a| *d = *d * g.derivative_from_output(a));
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
            Array2::from_shape_fn((rows, cols), |_| real::<F>(crate::data::normal(rng) as f64 * std))
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
                    let mut z = matmul(cols.view(), w.view()) + b; // B·H'·W' × C'
                    activate(&mut z, self.activation);
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
                    let mut z = matmul(a.view(), w.view()) + b; // B × fan_out
                    if !output {
                        activate(&mut z, self.activation);
                    }
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
                    d_bs.push(d.sum_axis(Axis(0))); // fan_out
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
                    d_bs.push(d_z.sum_axis(Axis(0))); // C'
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
                    let mut d_x = Array2::<F>::zeros((batch, input.len())); // B × H·W·C
                    let per = d.ncols();
                    for ((mut dx, dout), a) in d_x.rows_mut().into_iter().zip(d.rows()).zip(arg.chunks(per)) {
                        for (&v, &p) in dout.iter().zip(a) {
                            dx[p as usize] = v;
                        }
                    }
                    d = d_x;
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

/// Everything that determines a trained convolutional net: the input image shape, the stages,
/// the activation and initialisation, and its [`TrainParams`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConvParams {
    input: Shape,
    stages: Vec<Stage>,
    activation: Activation,
    init: Option<Init>,
    #[serde(flatten)]
    train: TrainParams,
}

crate::train_setters!(ConvParams);

/// A trained convolutional net with its training history.
pub type Cnn = Fitted<ConvNet<f32>, ConvParams>;

impl ConvParams {
    /// A net of these stages (an output layer with one unit per class follows them) on 28 × 28
    /// grey images. Defaults: ReLU, the activation's usual initialisation, and the training
    /// defaults of [`TrainParams`].
    pub fn new(stages: &[Stage]) -> ConvParams {
        ConvParams {
            input: Shape {
                height: 28,
                width: 28,
                channels: 1,
            },
            stages: stages.to_vec(),
            activation: Activation::Relu,
            init: None,
            train: TrainParams::default(),
        }
    }

    /// LeNet's shape at Fashion-MNIST's size: two 5 × 5 convolutions of 16 and 32 channels,
    /// each followed by 2 × 2 max pooling, then a dense layer of 128 (28×28×1 → 24×24×16 →
    /// 12×12×16 → 8×8×32 → 4×4×32 → 128 → classes); 80,202 parameters for 10 classes.
    pub fn lenet() -> ConvParams {
        ConvParams::new(&[
            Stage::Conv {
                channels: 16,
                kernel: 5,
            },
            Stage::MaxPool { size: 2 },
            Stage::Conv {
                channels: 32,
                kernel: 5,
            },
            Stage::MaxPool { size: 2 },
            Stage::Dense { width: 128 },
        ])
    }

    /// [`ConvParams::lenet`] twice as wide, 32 and 64 channels and a dense layer of 256, with
    /// half of that layer's outputs dropped in training (about 3.5× LeNet's multiply-adds per
    /// image; 317,066 parameters for 10 classes). The recipe of `examples/fashion_cnn.rs`.
    pub fn lenet_wide() -> ConvParams {
        ConvParams::new(&[
            Stage::Conv {
                channels: 32,
                kernel: 5,
            },
            Stage::MaxPool { size: 2 },
            Stage::Conv {
                channels: 64,
                kernel: 5,
            },
            Stage::MaxPool { size: 2 },
            Stage::Dense { width: 256 },
            Stage::Dropout { percent: 50 },
        ])
    }

    /// The input images' height, width and channels (default 28 × 28 × 1).
    pub fn image(mut self, height: usize, width: usize, channels: usize) -> Self {
        self.input = Shape {
            height,
            width,
            channels,
        };
        self
    }
    /// Hidden activation (default ReLU).
    pub fn activation(mut self, a: Activation) -> Self {
        self.activation = a;
        self
    }
    /// Weight initialisation (default: the activation's usual one, He for ReLU, Xavier otherwise).
    pub fn init(mut self, i: Init) -> Self {
        self.init = Some(i);
        self
    }
    /// The initialisation actually used.
    pub fn get_init(&self) -> Init {
        self.init.unwrap_or(self.activation.usual_init())
    }
    /// The stages.
    pub fn stages(&self) -> &[Stage] {
        &self.stages
    }

    /// A short description, e.g. "CNN c16k5-p2-c32k5-p2-d128 ReLU".
    pub fn describe(&self) -> String {
        format!("{} {}", self.shape_name(), self.activation.name())
    }

    /// The net's shape without its activation, e.g. "CNN c16k5-p2-c32k5-p2-d128".
    pub fn shape_name(&self) -> String {
        let s: Vec<String> = self
            .stages
            .iter()
            .map(|s| match s {
                Stage::Conv { channels, kernel } => format!("c{channels}k{kernel}"),
                Stage::MaxPool { size } => format!("p{size}"),
                Stage::Dense { width } => format!("d{width}"),
                Stage::Dropout { percent } => format!("drop{percent}"),
            })
            .collect();
        format!("CNN {}", s.join("-"))
    }

    /// Walks the stages over the input shape: an error for a stage that does not fit (a kernel
    /// larger than its input, a pool that does not divide it, a zero size, a convolution or
    /// pooling after a dense layer). Returns (parameters, activations kept per example) for
    /// `classes` outputs, for the memory check.
    pub fn check_shapes(&self, classes: usize) -> Result<(f64, f64)> {
        let mut s = self.input;
        if s.is_empty() {
            return Err(TakeoffError::invalid(
                "image shape",
                format!("{s:?}"),
                "height, width and channels ≥ 1",
            ));
        }
        let (mut params, mut kept) = (0.0f64, s.len() as f64);
        let mut flat: Option<usize> = None;
        for (i, stage) in self.stages.iter().enumerate() {
            let at = format!(
                "stage {} ({stage:?}) on a {}×{}×{} input",
                i + 1,
                s.height,
                s.width,
                s.channels
            );
            if flat.is_some() && !matches!(stage, Stage::Dense { .. } | Stage::Dropout { .. }) {
                return Err(TakeoffError::invalid(
                    "network stage",
                    format!("{at}: after a dense layer"),
                    "convolutions and pooling before every dense layer",
                ));
            }
            match *stage {
                Stage::Conv { channels, kernel } => {
                    if channels == 0 || kernel == 0 {
                        return Err(TakeoffError::invalid(
                            "network stage",
                            format!("{at}: zero channels or kernel"),
                            "channels ≥ 1 and kernel ≥ 1",
                        ));
                    }
                    if kernel > s.height || kernel > s.width {
                        return Err(TakeoffError::invalid(
                            "network stage",
                            format!("{at}: a {kernel}×{kernel} kernel"),
                            "a kernel no larger than its input",
                        ));
                    }
                    let fan_in = (kernel * kernel * s.channels) as f64;
                    s = Shape {
                        height: s.height - kernel + 1,
                        width: s.width - kernel + 1,
                        channels,
                    };
                    params += (fan_in + 1.0) * channels as f64;
                    kept += (s.height * s.width) as f64 * fan_in + 2.0 * s.len() as f64;
                }
                Stage::MaxPool { size } => {
                    if size == 0 || !s.height.is_multiple_of(size) || !s.width.is_multiple_of(size) {
                        return Err(TakeoffError::invalid(
                            "network stage",
                            format!("{at}: a {size}×{size} pool"),
                            "a pool size ≥ 1 that divides the input's height and width",
                        ));
                    }
                    s = Shape {
                        height: s.height / size,
                        width: s.width / size,
                        channels: s.channels,
                    };
                    kept += 2.0 * s.len() as f64;
                }
                Stage::Dropout { percent } => {
                    if percent >= 100 {
                        return Err(TakeoffError::invalid(
                            "network stage",
                            format!("{at}: dropout of {percent} %"),
                            "a percentage from 0 to 99",
                        ));
                    }
                    kept += flat.unwrap_or(s.len()) as f64;
                }
                Stage::Dense { width } => {
                    if width == 0 {
                        return Err(TakeoffError::invalid(
                            "network stage",
                            format!("{at}: width 0"),
                            "a width ≥ 1",
                        ));
                    }
                    let fan_in = flat.unwrap_or(s.len()) as f64;
                    params += (fan_in + 1.0) * width as f64;
                    kept += 2.0 * width as f64;
                    flat = Some(width);
                }
            }
        }
        params += (flat.unwrap_or(s.len()) as f64 + 1.0) * classes as f64;
        kept += classes as f64;
        Ok((params, kept))
    }

    /// A trainer for this net on `data` (rows of images of the stated shape), after checking
    /// the settings, the shapes, the data and the memory.
    pub fn trainer(&self, data: &Dataset) -> Result<Trainer<ConvNet<f32>>> {
        self.train.check()?;
        if data.n_features() != self.input.len() {
            return Err(TakeoffError::invalid(
                "features per example",
                data.n_features(),
                format!(
                    "{} ({}×{}×{} images, as set with .image(height, width, channels))",
                    self.input.len(),
                    self.input.height,
                    self.input.width,
                    self.input.channels
                ),
            ));
        }
        let (params, kept) = self.check_shapes(data.n_classes())?;
        self.train
            .check_memory(&self.describe(), params, kept, data.len())?;
        let (input, stages, classes) = (self.input, self.stages.clone(), data.n_classes());
        let (activation, init) = (self.activation, self.get_init());
        Trainer::start(&self.train, self.describe(), data, |r| {
            ConvNet::init(input, &stages, classes, activation, init, r)
        })
    }

    /// Trains on `data` for the configured epochs (more for a sample budget; stopping early if
    /// asked).
    pub fn fit(&self, data: &Dataset) -> Result<Cnn> {
        let (net, history): (ConvNet<f32>, History) = self.trainer(data)?.run()?;
        Ok(Cnn {
            net,
            history,
            params: self.clone(),
            class_names: data.class_names.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::rng;

    fn tiny(activation: Activation) -> (ConvNet<f64>, Array2<f64>, Vec<usize>) {
        // 6×6×2 images: conv 3×3 → 4×4×3, pool 2 → 2×2×3, dense 5, output 3
        let input = Shape {
            height: 6,
            width: 6,
            channels: 2,
        };
        let stages = [
            Stage::Conv {
                channels: 3,
                kernel: 3,
            },
            Stage::MaxPool { size: 2 },
            Stage::Dense { width: 5 },
            Stage::Dropout { percent: 40 },
        ];
        let mut r = rng(3);
        let net = ConvNet::<f64>::init(input, &stages, 3, activation, Init::Xavier, &mut r);
        let x = Array2::from_shape_fn((4, 72), |_| crate::data::normal(&mut r) as f64);
        (net, x, vec![0, 2, 1, 2])
    }

    fn params_of(net: &mut ConvNet<f64>) -> Vec<&mut f64> {
        net.blocks
            .iter_mut()
            .flat_map(|b| match b {
                Block::Conv { w, b, .. } | Block::Dense { w, b, .. } => {
                    w.iter_mut().chain(b.iter_mut()).collect()
                }
                Block::Pool { .. } | Block::Dropout { .. } => Vec::new(),
            })
            .collect()
    }

    /// Central finite differences in f64 for every parameter of every layer type (convolution,
    /// pooling in between, dense, output), for each activation, with an L2 term.
    #[test]
    fn gradients_match_finite_differences_for_every_layer_type() {
        for activation in [Activation::Sigmoid, Activation::Tanh, Activation::Relu] {
            let (net, x, y) = tiny(activation);
            let l2 = 0.01;
            // the same dropout mask in every pass: a fresh generator from one seed each time
            let (_, _, d_ws, d_bs) = net.forward_backward(x.clone(), &y, l2, &mut rng(9));
            let analytic: Vec<f64> = d_ws
                .iter()
                .zip(&d_bs)
                .flat_map(|(w, b)| w.iter().chain(b.iter()).copied().collect::<Vec<_>>())
                .collect();
            let mut probe = net.clone();
            let n = params_of(&mut probe).len();
            assert_eq!(n, analytic.len());
            assert_eq!(n, net.n_params());
            let h = 1e-6;
            for (i, &backprop) in analytic.iter().enumerate() {
                let mut up = net.clone();
                *params_of(&mut up)[i] += h;
                let mut down = net.clone();
                *params_of(&mut down)[i] -= h;
                let numeric = (up.forward_backward(x.clone(), &y, l2, &mut rng(9)).0
                    - down.forward_backward(x.clone(), &y, l2, &mut rng(9)).0)
                    / (2.0 * h);
                assert!(
                    (numeric - backprop).abs() < 1e-6 * (1.0 + numeric.abs()),
                    "{activation:?} parameter {i}: numeric {numeric}, backprop {backprop}"
                );
            }
        }
    }

    #[test]
    fn im2col_and_col2im_are_adjoint() {
        // <im2col(x), c> = <x, col2im(c)> for any x and c
        let s = Shape {
            height: 5,
            width: 4,
            channels: 3,
        };
        let mut r = rng(1);
        let x = Array2::from_shape_fn((2, s.len()), |_| crate::data::normal(&mut r) as f64);
        let cols = im2col(&x, s, 2);
        assert_eq!(cols.dim(), (2 * 4 * 3, 12));
        let c = Array2::from_shape_fn(cols.dim(), |_| crate::data::normal(&mut r) as f64);
        let lhs = (&cols * &c).sum();
        let rhs = (&x * &col2im(&c, s, 2, 2)).sum();
        assert!((lhs - rhs).abs() < 1e-10, "{lhs} vs {rhs}");
    }

    #[test]
    fn shapes_that_do_not_fit_are_clear_errors() {
        let big_kernel = ConvParams::new(&[Stage::Conv {
            channels: 4,
            kernel: 30,
        }]);
        let e = big_kernel.check_shapes(10).unwrap_err().to_string();
        assert!(e.contains("30×30 kernel") && e.contains("28×28×1"), "{e}");
        let odd_pool = ConvParams::new(&[
            Stage::Conv {
                channels: 4,
                kernel: 5,
            },
            Stage::MaxPool { size: 5 },
        ]);
        let e = odd_pool.check_shapes(10).unwrap_err().to_string();
        assert!(e.contains("5×5 pool") && e.contains("24×24×4"), "{e}");
        let after_dense = ConvParams::new(&[Stage::Dense { width: 8 }, Stage::MaxPool { size: 2 }]);
        assert!(after_dense
            .check_shapes(10)
            .unwrap_err()
            .to_string()
            .contains("after a dense layer"));
        let (params, _) = ConvParams::lenet().check_shapes(10).unwrap();
        assert_eq!(params, 80_202.0);
        // not an image of the stated size
        let d = Dataset::new(
            "flat",
            Array2::zeros((4, 10)),
            Array1::from(vec![0, 1, 0, 1]),
            vec!["a".into(), "b".into()],
        )
        .unwrap();
        let e = ConvParams::lenet().fit(&d).unwrap_err().to_string();
        assert!(e.contains("784") && e.contains("28×28×1"), "{e}");
    }

    #[test]
    fn thread_count_changes_no_number() {
        let images = crate::data::fashion_mnist()
            .unwrap()
            .train
            .subsample(300, 2)
            .unwrap();
        let params = ConvParams::new(&[
            Stage::Conv {
                channels: 6,
                kernel: 5,
            },
            Stage::MaxPool { size: 2 },
            Stage::Dense { width: 16 },
        ])
        .epochs(2)
        .batch_size(64)
        .verbose(false);
        let one = params.clone().threads(1).fit(&images).unwrap();
        let three = params.threads(3).fit(&images).unwrap();
        assert_eq!(one.net, three.net);
        assert_eq!(
            one.history.epochs[1].train_loss,
            three.history.epochs[1].train_loss
        );
    }

    #[test]
    fn learns_fashion_images() {
        let f = crate::data::fashion_mnist().unwrap();
        let train = f.train.subsample(2_000, 0).unwrap();
        let net = ConvParams::new(&[
            Stage::Conv {
                channels: 8,
                kernel: 5,
            },
            Stage::MaxPool { size: 2 },
            Stage::Dense { width: 32 },
        ])
        .epochs(3)
        .verbose(false)
        .fit(&train)
        .unwrap();
        let test = f.test.subsample(1_000, 0).unwrap();
        assert!(
            net.accuracy(&test).unwrap() > 0.7,
            "{}",
            net.accuracy(&test).unwrap()
        );
    }
}
