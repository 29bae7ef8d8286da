//! The lesson's neural networks: multilayer perceptrons with sigmoid, tanh or ReLU hidden units,
//! softmax cross-entropy, trained by minibatch gradient descent (SGD with momentum, or Adam).
//!
//! Forward and backward are written out by hand, side by side, in [`Network::loss_and_grads`]:
//! for a batch `x` (B × d) and layers `z_l = a_{l-1} W_l + b_l`, `a_l = g(z_l)`,
//! the loss is `−mean log softmax(z_L)[y] + (λ/2) Σ‖W_l‖²`, and backpropagation runs the same
//! layers in reverse, multiplying by `g'(z_l)` at each one.
//!
//! ```
//! # fn main() -> takeoff::Result<()> {
//! use takeoff::mlp::{Activation, MlpParams};
//! let data = takeoff::data::spirals(100, 2, 0.05, 0)?;
//! let model = MlpParams::new(&[16]).activation(Activation::Relu).epochs(5).seed(1).fit(&data)?;
//! assert_eq!(model.history.epochs.len(), 5);
//! # Ok(()) }
//! ```

use crate::data::Dataset;
use crate::error::{Result, TakeoffError};
use crate::kernels::{matmul, matmul_into, real, reshaped, Real};
pub use crate::models::activation::{Activation, Init};
use crate::models::loss::{softmax, softmax_cross_entropy_into};
use crate::models::ops::{add_bias_activate, column_sums_into, times_derivative};
pub use crate::models::train::{EarlyStopping, EpochStats, History, OptimizerConfig, Trainer};
use crate::models::train::{Fitted, Model, Step, TrainParams};
use crate::random::SeededRng;
use linfa::ParamGuard;
use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2};
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------- the network

/// One affine layer: `z = a W + b`.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer<F> {
    pub w: Array2<F>, // fan_in × fan_out
    pub b: Array1<F>, // fan_out
}

/// The layers and the hidden activation (the output layer is linear, followed by softmax).
#[derive(Debug, Clone, PartialEq)]
pub struct Network<F> {
    pub layers: Vec<Layer<F>>,
    pub activation: Activation,
}

impl<F: Real> Network<F> {
    /// Random weights for layer sizes `sizes` (input, hidden…, output); zero biases but for
    /// [`Init::Uniform`]'s.
    pub fn init(sizes: &[usize], activation: Activation, init: Init, rng: &mut SeededRng) -> Network<F> {
        let layers = sizes
            .windows(2)
            .map(|io| {
                let w = Array2::from_shape_fn((io[0], io[1]), |_| real(init.weight(io[0], io[1], rng)));
                Layer {
                    w,
                    b: Array1::from_shape_fn(io[1], |_| real(init.bias(io[0], rng))),
                }
            })
            .collect();
        Network { layers, activation }
    }

    /// Number of inputs.
    pub fn n_inputs(&self) -> usize {
        self.layers[0].w.nrows()
    }

    /// Number of weights and biases.
    pub fn n_params(&self) -> usize {
        self.layers.iter().map(|l| l.w.len() + l.b.len()).sum()
    }

    /// The output logits for a batch `x` (B × d).
    pub fn logits(&self, x: ArrayView2<F>) -> Array2<F> {
        let mut a = x.to_owned(); // B × d
        for (l, layer) in self.layers.iter().enumerate() {
            a = matmul(a.view(), layer.w.view()); // B × fan_out
            let hidden = l + 1 < self.layers.len();
            add_bias_activate(a.view_mut(), &layer.b, hidden.then_some(self.activation));
            // g(z + b)
        }
        a // B × K
    }

    /// Class probabilities for a batch (B × K).
    pub fn predict_proba(&self, x: ArrayView2<F>) -> Array2<F> {
        softmax(&self.logits(x))
    }

    /// Forward and backward on one batch: the mean cross-entropy (plus the L2 term) and the
    /// gradient of that loss with respect to every weight and bias.
    pub fn loss_and_grads(&self, x: ArrayView2<F>, y: &[usize], l2: F) -> (F, Vec<Layer<F>>) {
        let (loss, grads, _) = self.forward_backward(x.to_owned(), y, l2);
        (loss, grads)
    }

    /// [`Network::loss_and_grads`] plus how many rows of the batch the forward pass classified
    /// correctly (so training accuracy costs no second forward pass), in new arrays: the
    /// trainer calls [`Network::forward_backward_into`] with buffers kept across batches.
    pub fn forward_backward(&self, x: Array2<F>, y: &[usize], l2: F) -> (F, Vec<Layer<F>>, usize) {
        let mut grads: Vec<Vec<F>> = self
            .layers
            .iter()
            .flat_map(|l| [vec![F::zero(); l.w.len()], vec![F::zero(); l.b.len()]])
            .collect();
        let (loss, correct) =
            self.forward_backward_into(x.view(), y, l2, &mut Workspace::default(), &mut grads);
        let mut flat = grads.into_iter();
        let grads = self
            .layers
            .iter()
            .map(|l| Layer {
                w: Array2::from_shape_vec(l.w.raw_dim(), flat.next().expect("a weight gradient"))
                    .expect("fan_in × fan_out"),
                b: Array1::from(flat.next().expect("a bias gradient")),
            })
            .collect();
        (loss, grads, correct)
    }

    /// Forward and backward on one batch `x` (B × d) with labels `y`: returns the mean
    /// cross-entropy (plus the L2 term) and how many rows the forward pass classified correctly,
    /// and writes ∂loss/∂W and ∂loss/∂b of every layer into `grads` (flat, W₁, b₁, W₂, b₂ …).
    /// Every layer's output and gradient lives in `work`, kept across batches: a step allocates
    /// no array.
    pub fn forward_backward_into(
        &self,
        x: ArrayView2<F>,
        y: &[usize],
        l2: F,
        work: &mut Workspace<F>,
        grads: &mut [Vec<F>],
    ) -> (F, usize) {
        let n_layers = self.layers.len();
        let batch = x.nrows();
        work.acts.resize_with(n_layers, Default::default);
        work.d.resize_with(n_layers, Default::default);
        // forward: keep every layer's output a_l = g(z_l + b_l) (a_0 = x is the batch itself)
        for (l, layer) in self.layers.iter().enumerate() {
            let (below, here) = work.acts.split_at_mut(l);
            let input = if l == 0 { x.view() } else { below[l - 1].view() }; // B × fan_in
            let z = reshaped(&mut here[0], batch, layer.w.ncols()); // B × fan_out
            matmul_into(input, layer.w.view(), z.view_mut());
            let hidden = l + 1 < n_layers;
            add_bias_activate(z.view_mut(), &layer.b, hidden.then_some(self.activation));
        }
        let classes = self.layers[n_layers - 1].w.ncols();
        let d_out = reshaped(&mut work.d[n_layers - 1], batch, classes); // B × K
        let (mut loss, correct) = softmax_cross_entropy_into(&work.acts[n_layers - 1], y, d_out);
        if l2 != F::zero() {
            let half_l2 = l2 * real(0.5);
            for layer in &self.layers {
                loss = loss + half_l2 * layer.w.iter().fold(F::zero(), |s, &v| s + v * v);
            }
        }

        // ANCHOR: backward
        for l in (0..n_layers).rev() {
            let layer = &self.layers[l];
            let (fan_in, fan_out) = layer.w.dim();
            let input = if l == 0 { x.view() } else { work.acts[l - 1].view() }; // B × fan_in
            let (below, here) = work.d.split_at_mut(l);
            let d_z = here[0].view(); // ∂loss/∂z_l: B × fan_out
            let (d_w, d_b) = grads[2 * l..].split_at_mut(1);
            let mut d_w =
                ArrayViewMut2::from_shape((fan_in, fan_out), &mut d_w[0][..]).expect("fan_in × fan_out");
            matmul_into(input.t(), d_z, d_w.view_mut()); // ∂loss/∂W_l = a_{l-1}ᵀ d_z
            if l2 != F::zero() {
                d_w.scaled_add(l2, &layer.w);
            }
            column_sums_into(d_z, &mut d_b[0]); // ∂loss/∂b_l: fan_out
            if l > 0 {
                let d_a = reshaped(&mut below[l - 1], batch, fan_in); // ∂loss/∂a_{l-1} = d_z W_lᵀ
                matmul_into(d_z, layer.w.t(), d_a.view_mut());
                // d_z_{l-1} = d_a ⊙ g'(z), g' from the kept output a_{l-1} = g(z)
                times_derivative(d_a.view_mut(), work.acts[l - 1].view(), self.activation);
            }
        }
        // ANCHOR_END: backward
        (loss, correct)
    }
}

/// What [`Network::forward_backward_into`] keeps between batches: each layer's output a_l and
/// the gradient ∂loss/∂z_l, each B × fan_out. Sized by the first batch; resized only when the
/// batch size changes.
#[derive(Debug, Clone, Default)]
pub struct Workspace<F> {
    acts: Vec<Array2<F>>,
    d: Vec<Array2<F>>,
}

// ---------------------------------------------------------------- the training core

impl Model for Network<f32> {
    fn n_inputs(&self) -> usize {
        self.layers[0].w.nrows()
    }

    fn logits(&self, x: ArrayView2<f32>) -> Array2<f32> {
        Network::logits(self, x)
    }

    type Workspace = Workspace<f32>;

    fn train_step(
        &self,
        x: ArrayView2<f32>,
        y: &[usize],
        l2: f32,
        _rng: &mut SeededRng,
        work: &mut Workspace<f32>,
        grads: &mut [Vec<f32>],
    ) -> Step {
        let (loss, correct) = self.forward_backward_into(x, y, l2, work, grads);
        Step { loss, correct }
    }

    fn params_mut(&mut self) -> Vec<&mut [f32]> {
        self.layers
            .iter_mut()
            .flat_map(|l| {
                [
                    l.w.as_slice_mut().expect("weights in standard layout"),
                    l.b.as_slice_mut().expect("biases in standard layout"),
                ]
            })
            .collect()
    }

    fn weight_positions(&self) -> Vec<usize> {
        (0..self.layers.len()).map(|l| 2 * l).collect()
    }
}

// ---------------------------------------------------------------- params

/// Everything that determines a trained MLP, checked: its shape and its [`TrainParams`], with
/// plain getters. Built through [`MlpParams`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MlpValidParams {
    hidden: Vec<usize>,
    activation: Activation,
    init: Option<Init>,
    #[serde(flatten)]
    train: TrainParams,
}

/// An MLP's parameters, unchecked (linfa's parameter pattern): build with [`MlpParams::new`] or
/// a preset, change with the setters, then [`MlpParams::fit`] (which checks them), or
/// [`ParamGuard::check`] for the [`MlpValidParams`] and their getters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MlpParams(MlpValidParams);

crate::train_setters!(MlpParams);

impl MlpParams {
    /// An MLP with the given hidden layer widths. Defaults: ReLU, the activation's usual
    /// initialisation, Adam at learning rate 1e-3, batch 128, 10 epochs, no L2, no early
    /// stopping, seed 0, one progress line per epoch.
    pub fn new(hidden: &[usize]) -> MlpParams {
        MlpParams(MlpValidParams {
            hidden: hidden.to_vec(),
            activation: Activation::Relu,
            init: None,
            train: TrainParams::default(),
        })
    }

    /// One hidden layer of 32 units.
    pub fn small() -> MlpParams {
        MlpParams::new(&[32])
    }

    /// Two hidden layers, 256 and 128 units.
    pub fn medium() -> MlpParams {
        MlpParams::new(&[256, 128])
    }

    /// Three hidden layers, 512, 256 and 128 units.
    pub fn large() -> MlpParams {
        MlpParams::new(&[512, 256, 128])
    }

    /// Hidden activation (default ReLU).
    pub fn activation(mut self, a: Activation) -> Self {
        self.0.activation = a;
        self
    }
    /// Weight initialisation (default: the activation's usual one, He for ReLU, Xavier otherwise).
    pub fn init(mut self, i: Init) -> Self {
        self.0.init = Some(i);
        self
    }

    /// A short description, e.g. "MLP 256-128 ReLU" (the values as set, checked or not).
    pub fn describe(&self) -> String {
        self.0.describe()
    }

    /// The net's shape without its activation, e.g. "MLP 256-128".
    pub fn shape_name(&self) -> String {
        self.0.shape_name()
    }

    /// Checks the parameters, then builds a trainer (see [`MlpValidParams::trainer`]).
    pub fn trainer(&self, data: &Dataset) -> Result<Trainer<Network<f32>>> {
        self.check_ref()?.trainer(data)
    }

    /// Checks the parameters, then the MLP as initialised, before any training.
    pub fn untrained(&self, data: &Dataset) -> Result<FittedMlp> {
        self.check_ref()?.untrained(data)
    }

    /// Checks the parameters, then trains on `data` (see [`MlpValidParams::fit`]).
    pub fn fit(&self, data: &Dataset) -> Result<FittedMlp> {
        self.check_ref()?.fit(data)
    }
}

impl ParamGuard for MlpParams {
    type Checked = MlpValidParams;
    type Error = TakeoffError;

    /// Checks every parameter before any work starts.
    fn check_ref(&self) -> Result<&MlpValidParams> {
        if let Some(w) = self.0.hidden.iter().find(|&&w| w == 0) {
            return Err(TakeoffError::invalid(
                "hidden layer width",
                w,
                "at least 1 unit per layer",
            ));
        }
        self.0.train.check()?;
        Ok(&self.0)
    }

    fn check(self) -> Result<MlpValidParams> {
        self.check_ref()?;
        Ok(self.0)
    }
}

impl MlpValidParams {
    /// Hidden layer widths.
    pub fn hidden(&self) -> &[usize] {
        &self.hidden
    }
    /// The hidden activation.
    pub fn activation(&self) -> Activation {
        self.activation
    }
    /// The initialisation actually used.
    pub fn init(&self) -> Init {
        self.init.unwrap_or(self.activation.usual_init())
    }
    /// How it is trained (batch, epochs, learning rate, seed, …).
    pub fn train(&self) -> &TrainParams {
        &self.train
    }

    /// A short description, e.g. "MLP 256-128 ReLU".
    pub fn describe(&self) -> String {
        format!("{} {}", self.shape_name(), self.activation.name())
    }

    /// The net's shape without its activation, e.g. "MLP 256-128".
    pub fn shape_name(&self) -> String {
        let h: Vec<String> = self.hidden.iter().map(|w| w.to_string()).collect();
        format!("MLP {}", h.join("-"))
    }

    /// Layer sizes on `data`: inputs, hidden widths, classes.
    fn sizes(&self, data: &Dataset) -> Vec<usize> {
        let mut sizes = vec![data.n_features()];
        sizes.extend(&self.hidden);
        sizes.push(data.n_classes());
        sizes
    }

    /// A trainer for this MLP on `data`, after checking the data and the memory the net and a
    /// batch need; drive it with [`Trainer::train_epoch`].
    pub fn trainer(&self, data: &Dataset) -> Result<Trainer<Network<f32>>> {
        let sizes = self.sizes(data);
        let n_params: f64 = sizes
            .windows(2)
            .map(|io| (io[0] as f64 + 1.0) * io[1] as f64)
            .sum();
        let activations: f64 = sizes.iter().map(|&n| n as f64).sum();
        self.train
            .check_memory(&self.describe(), n_params, activations, data.len())?;
        let (activation, init) = (self.activation, self.init());
        Trainer::start(&self.train, self.describe(), data, |r| {
            Network::init(&sizes, activation, init, r)
        })
    }

    /// The MLP as initialised, before any training (for looking at its gradients).
    pub fn untrained(&self, data: &Dataset) -> Result<FittedMlp> {
        let trainer = self.trainer(data)?;
        Ok(self.model_of(trainer.finish(), data))
    }

    fn model_of(&self, (net, history): (Network<f32>, History), data: &Dataset) -> FittedMlp {
        FittedMlp {
            net,
            history,
            params: self.clone(),
            class_names: data.class_names.clone(),
        }
    }

    /// Trains on `data` for the configured epochs (more for a sample budget; stopping early if
    /// asked).
    pub fn fit(&self, data: &Dataset) -> Result<FittedMlp> {
        Ok(self.model_of(self.trainer(data)?.run()?, data))
    }
}

/// This file's source, so a page can show the lines it teaches (see
/// [`crate::view::display::source_excerpt`]) and they cannot drift from the code that runs.
pub const SOURCE: &str = include_str!("mod.rs");

/// A trained MLP with its training history.
pub type FittedMlp = Fitted<Network<f32>, MlpValidParams>;

impl FittedMlp {
    /// Class probabilities (m × K).
    pub fn predict_proba(&self, x: &Array2<f32>) -> Result<Array2<f32>> {
        self.check_features(x)?;
        Ok(self.net.predict_proba(x.view()))
    }

    /// Mean Frobenius norm of each layer's weight gradient on `data` for the current weights,
    /// without changing them (first layer first).
    pub fn gradient_norms(&self, data: &Dataset) -> Result<Vec<f64>> {
        self.check_features(&data.x)?;
        let (_, grads) =
            self.net
                .loss_and_grads(data.x.view(), data.y.as_slice().unwrap_or(&data.y.to_vec()), 0.0);
        Ok(grads
            .iter()
            .map(|g| g.w.iter().map(|&v| (v as f64).powi(2)).sum::<f64>().sqrt())
            .collect())
    }
}

#[cfg(test)]
mod tests;
