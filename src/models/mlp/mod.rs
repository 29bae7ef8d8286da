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
use crate::kernels::{matmul, real, Real};
use crate::models::ops::{add_bias_activate, column_sums};
use crate::models::train::{flat, Fitted, Model, Step, TrainParams};
pub use crate::models::train::{EarlyStopping, EpochStats, History, Optimizer, Trainer};
use crate::random::SeededRng;
use linfa::ParamGuard;
use ndarray::{Array1, Array2, ArrayView2, Zip};
use serde::{Deserialize, Serialize};

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
}

impl Init {
    pub(crate) fn std(self, fan_in: usize, fan_out: usize) -> f64 {
        match self {
            Init::Xavier => (2.0 / (fan_in + fan_out) as f64).sqrt(),
            Init::He => (2.0 / fan_in as f64).sqrt(),
            Init::NaiveSmall => 0.01,
        }
    }
}

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

/// The softmax cross-entropy of `logits` (B × K) against the labels `y`: the mean loss, how many
/// rows have their label as the most likely class, and the gradient of the mean loss with
/// respect to the logits, (softmax − onehot(y)) / B, where backpropagation starts.
pub(crate) fn softmax_cross_entropy<F: Real>(logits: &Array2<F>, y: &[usize]) -> (F, usize, Array2<F>) {
    let batch = real::<F>(y.len() as f64);
    let p = softmax(logits); // B × K
    let mut loss = F::zero();
    let mut correct = 0;
    for (row, &k) in p.rows().into_iter().zip(y) {
        loss = loss - (row[k] + real(1e-30)).ln(); // NaN stays NaN: divergence is caught
        let best = row.iter().enumerate().fold(
            (0, F::neg_infinity()),
            |b, (j, &v)| if v > b.1 { (j, v) } else { b },
        );
        correct += usize::from(best.0 == k);
    }
    let mut d_logits = p; // B × K
    for (mut row, &k) in d_logits.rows_mut().into_iter().zip(y) {
        row[k] = row[k] - F::one();
    }
    d_logits.mapv_inplace(|v| v / batch);
    (loss / batch, correct, d_logits)
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

impl<F: Real> Network<F> {
    /// Random weights for layer sizes `sizes` (input, hidden…, output), zero biases.
    pub fn init(sizes: &[usize], activation: Activation, init: Init, rng: &mut SeededRng) -> Network<F> {
        let layers = sizes
            .windows(2)
            .map(|io| {
                let std = init.std(io[0], io[1]);
                Layer {
                    w: Array2::from_shape_fn((io[0], io[1]), |_| {
                        real(crate::random::normal(rng) as f64 * std)
                    }),
                    b: Array1::zeros(io[1]),
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
            add_bias_activate(&mut a, &layer.b, hidden.then_some(self.activation));
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
    /// correctly (so training accuracy costs no second forward pass).
    /// Takes the batch by value: it is kept as the first layer's input for the backward pass.
    pub fn forward_backward(&self, x: Array2<F>, y: &[usize], l2: F) -> (F, Vec<Layer<F>>, usize) {
        let n_layers = self.layers.len();
        // forward: keep every layer's output a_l (a_0 = x)
        let mut acts: Vec<Array2<F>> = Vec::with_capacity(n_layers + 1);
        acts.push(x); // B × d
        for (l, layer) in self.layers.iter().enumerate() {
            let mut z = matmul(acts[l].view(), layer.w.view()); // B × fan_out
            let hidden = l + 1 < n_layers;
            add_bias_activate(&mut z, &layer.b, hidden.then_some(self.activation)); // a_l = g(z_l + b_l)
            acts.push(z);
        }
        let (mut loss, correct, mut d_z) = softmax_cross_entropy(&acts[n_layers], y); // d_z: B × K
        if l2 != F::zero() {
            let half_l2 = l2 * real(0.5);
            for layer in &self.layers {
                loss = loss + half_l2 * layer.w.iter().fold(F::zero(), |s, &v| s + v * v);
            }
        }

        let mut grads: Vec<Layer<F>> = Vec::with_capacity(n_layers);
        // ANCHOR: backward
        for l in (0..n_layers).rev() {
            let layer = &self.layers[l];
            let mut d_w = matmul(acts[l].t(), d_z.view()); // fan_in × fan_out
            if l2 != F::zero() {
                d_w.scaled_add(l2, &layer.w);
            }
            let d_b = column_sums(d_z.view()); // fan_out
            if l > 0 {
                let mut d_a = matmul(d_z.view(), layer.w.t()); // B × fan_in
                let act = self.activation;
                Zip::from(&mut d_a)
                    .and(&acts[l])
                    .par_for_each(|d, &a| *d = *d * act.derivative_from_output(a)); // d_z_{l-1} = d_a ⊙ g'(z)
                d_z = d_a;
            }
            grads.push(Layer { w: d_w, b: d_b });
        }
        // ANCHOR_END: backward
        grads.reverse();
        (loss, grads, correct)
    }
}

// ---------------------------------------------------------------- the training core

impl Model for Network<f32> {
    fn n_inputs(&self) -> usize {
        self.layers[0].w.nrows()
    }

    fn logits(&self, x: ArrayView2<f32>) -> Array2<f32> {
        Network::logits(self, x)
    }

    fn train_step(&self, x: Array2<f32>, y: &[usize], l2: f32, _rng: &mut SeededRng) -> Step {
        let (loss, grads, correct) = self.forward_backward(x, y, l2);
        Step {
            loss,
            correct,
            grads: grads.into_iter().flat_map(|g| [flat(g.w), flat(g.b)]).collect(),
        }
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
    pub fn untrained(&self, data: &Dataset) -> Result<Mlp> {
        self.check_ref()?.untrained(data)
    }

    /// Checks the parameters, then trains on `data` (see [`MlpValidParams::fit`]).
    pub fn fit(&self, data: &Dataset) -> Result<Mlp> {
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
    pub fn untrained(&self, data: &Dataset) -> Result<Mlp> {
        let trainer = self.trainer(data)?;
        Ok(self.model_of(trainer.finish(), data))
    }

    fn model_of(&self, (net, history): (Network<f32>, History), data: &Dataset) -> Mlp {
        Mlp {
            net,
            history,
            params: self.clone(),
            class_names: data.class_names.clone(),
        }
    }

    /// Trains on `data` for the configured epochs (more for a sample budget; stopping early if
    /// asked).
    pub fn fit(&self, data: &Dataset) -> Result<Mlp> {
        Ok(self.model_of(self.trainer(data)?.run()?, data))
    }
}

/// This file's source, so a page can show the lines it teaches (see
/// [`crate::display::source_excerpt`]) and they cannot drift from the code that runs.
pub const SOURCE: &str = include_str!("mod.rs");

/// A trained MLP with its training history.
pub type Mlp = Fitted<Network<f32>, MlpValidParams>;

impl Mlp {
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
