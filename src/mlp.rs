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

use crate::data::{argmax_rows, rng, Dataset, SeededRng};
use crate::error::{Result, TakeoffError};
use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, ArrayView2, Axis, ScalarOperand, Zip};
use num_traits::{Float, FromPrimitive};
use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// The element type of a network: `f32` for training, `f64` for the gradient check.
pub trait Real:
    ndarray::LinalgScalar + Float + FromPrimitive + ScalarOperand + std::fmt::Debug + Send + Sync + 'static
{
}
impl Real for f32 {}
impl Real for f64 {}

fn real<F: Real>(v: f64) -> F {
    F::from_f64(v).expect("representable")
}

/// The hidden units' non-linearity.
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
    fn std(self, fan_in: usize, fan_out: usize) -> f64 {
        match self {
            Init::Xavier => (2.0 / (fan_in + fan_out) as f64).sqrt(),
            Init::He => (2.0 / fan_in as f64).sqrt(),
            Init::NaiveSmall => 0.01,
        }
    }
}

/// The update rule.
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

/// `a · b` (m × k times k × n), split over the threads of the current rayon pool along its
/// longer side: by rows when m ≥ n, by columns otherwise, so each thread packs only its share of
/// the larger operand. Every entry is computed exactly as a one-thread product computes it, so
/// the thread count never changes a result; products under about a million multiply-adds stay
/// on one thread.
pub fn matmul<F: Real>(a: ArrayView2<F>, b: ArrayView2<F>) -> Array2<F> {
    let (m, n) = (a.nrows(), b.ncols());
    let mut c = Array2::zeros((m, n)); // m × n
    let axis = if m >= n { Axis(0) } else { Axis(1) };
    let threads = rayon::current_num_threads().min(m.max(n) / 16).max(1);
    if threads == 1 || m * n * a.ncols() < 1 << 20 {
        general_mat_mul(F::one(), &a, &b, F::zero(), &mut c);
        return c;
    }
    let len = m.max(n).div_ceil(threads).next_multiple_of(16); // whole 16-wide tiles per thread
    let (a, b) = (&a, &b);
    let parts: Vec<_> = c.axis_chunks_iter_mut(axis, len).enumerate().collect();
    parts.into_par_iter().for_each(|(i, mut c)| {
        let part = ndarray::Slice::from(i * len..(i * len + len).min(m.max(n)));
        if axis == Axis(0) {
            general_mat_mul(F::one(), &a.slice_axis(Axis(0), part), b, F::zero(), &mut c)
        } else {
            general_mat_mul(F::one(), a, &b.slice_axis(Axis(1), part), F::zero(), &mut c)
        }
    });
    c
}

/// The rows `idx` of `x`, copied row by row (a minibatch).
fn gather_rows(x: &Array2<f32>, idx: &[usize]) -> Array2<f32> {
    let d = x.ncols();
    let mut out = Vec::with_capacity(idx.len() * d);
    for &i in idx {
        match x.row(i).to_slice() {
            Some(row) => out.extend_from_slice(row),
            None => out.extend(x.row(i).iter()),
        }
    }
    Array2::from_shape_vec((idx.len(), d), out).expect("rows × d values")
}

/// Σ v², accumulated in eight f32 lanes (so the compiler can vectorise it), returned as f64.
fn sum_of_squares(a: &Array2<f32>) -> f64 {
    let v: Vec<f32>;
    let s = match a.as_slice() {
        Some(s) => s,
        None => {
            v = a.iter().copied().collect();
            &v
        }
    };
    let mut lanes = [0.0f32; 8];
    let chunks = s.chunks_exact(8);
    let tail: f64 = chunks.remainder().iter().map(|&x| f64::from(x * x)).sum();
    for c in chunks {
        for (l, &x) in lanes.iter_mut().zip(c) {
            *l += x * x;
        }
    }
    lanes.iter().map(|&l| f64::from(l)).sum::<f64>() + tail
}

/// Row-wise softmax, stabilised by subtracting each row's maximum.
fn softmax<F: Real>(logits: &Array2<F>) -> Array2<F> {
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
                    w: Array2::from_shape_fn((io[0], io[1]), |_| real(crate::data::normal(rng) as f64 * std)),
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
            a = matmul(a.view(), layer.w.view()) + &layer.b; // B × fan_out
            if l + 1 < self.layers.len() {
                a.mapv_inplace(|z| self.activation.apply(z));
            }
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
        let batch = real::<F>(y.len() as f64);
        // forward: keep every layer's output a_l (a_0 = x)
        let mut acts: Vec<Array2<F>> = Vec::with_capacity(n_layers + 1);
        acts.push(x); // B × d
        for (l, layer) in self.layers.iter().enumerate() {
            let mut z = matmul(acts[l].view(), layer.w.view()) + &layer.b; // B × fan_out
            if l + 1 < n_layers {
                z.mapv_inplace(|v| self.activation.apply(v)); // a_l = g(z_l)
            }
            acts.push(z);
        }
        let p = softmax(&acts[n_layers]); // B × K
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
        loss = loss / batch;
        if l2 != F::zero() {
            let half_l2 = l2 * real(0.5);
            for layer in &self.layers {
                loss = loss + half_l2 * layer.w.iter().fold(F::zero(), |s, &v| s + v * v);
            }
        }

        // backward: d_z for the softmax cross-entropy is (p − onehot(y)) / B
        let mut d_z = p; // B × K
        for (mut row, &k) in d_z.rows_mut().into_iter().zip(y) {
            row[k] = row[k] - F::one();
        }
        d_z.mapv_inplace(|v| v / batch);
        let mut grads: Vec<Layer<F>> = Vec::with_capacity(n_layers);
        for l in (0..n_layers).rev() {
            let layer = &self.layers[l];
            let mut d_w = matmul(acts[l].t(), d_z.view()); // fan_in × fan_out
            if l2 != F::zero() {
                d_w.scaled_add(l2, &layer.w);
            }
            let d_b = d_z.sum_axis(Axis(0)); // fan_out
            if l > 0 {
                let mut d_a = matmul(d_z.view(), layer.w.t()); // B × fan_in
                let act = self.activation;
                Zip::from(&mut d_a)
                    .and(&acts[l])
                    .for_each(|d, &a| *d = *d * act.derivative_from_output(a)); // d_z_{l-1} = d_a ⊙ g'(z)
                d_z = d_a;
            }
            grads.push(Layer { w: d_w, b: d_b });
        }
        grads.reverse();
        (loss, grads, correct)
    }
}

// ---------------------------------------------------------------- params

/// Early stopping: hold out `validation_fraction` of the training data and stop when validation
/// accuracy has not improved for `patience` epochs (the best weights are kept).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EarlyStopping {
    pub validation_fraction: f64,
    pub patience: usize,
}

/// Everything that determines a trained MLP. Build with [`MlpParams::new`] or a preset, change
/// with the setters, then [`MlpParams::fit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MlpParams {
    hidden: Vec<usize>,
    activation: Activation,
    init: Option<Init>,
    optimizer: Optimizer,
    learning_rate: f64,
    batch_size: usize,
    epochs: usize,
    l2: f64,
    early_stopping: Option<EarlyStopping>,
    seed: u64,
    verbose: bool,
    /// Not part of a result's identity (the thread count changes no number), so not serialised.
    #[serde(skip)]
    threads: Option<usize>,
}

impl MlpParams {
    /// An MLP with the given hidden layer widths. Defaults: ReLU, the activation's usual
    /// initialisation, Adam at learning rate 1e-3, batch 128, 10 epochs, no L2, no early
    /// stopping, seed 0, one progress line per epoch.
    pub fn new(hidden: &[usize]) -> MlpParams {
        MlpParams {
            hidden: hidden.to_vec(),
            activation: Activation::Relu,
            init: None,
            optimizer: Optimizer::adam(),
            learning_rate: 1e-3,
            batch_size: 128,
            epochs: 10,
            l2: 0.0,
            early_stopping: None,
            seed: 0,
            verbose: true,
            threads: None,
        }
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
        self.activation = a;
        self
    }
    /// Weight initialisation (default: the activation's usual one, He for ReLU, Xavier otherwise).
    pub fn init(mut self, i: Init) -> Self {
        self.init = Some(i);
        self
    }
    /// Update rule (default Adam).
    pub fn optimizer(mut self, o: Optimizer) -> Self {
        self.optimizer = o;
        self
    }
    /// Step size (default 1e-3); must be finite and > 0.
    pub fn learning_rate(mut self, lr: f64) -> Self {
        self.learning_rate = lr;
        self
    }
    /// Examples per gradient step (default 128); must be ≥ 1.
    pub fn batch_size(mut self, b: usize) -> Self {
        self.batch_size = b;
        self
    }
    /// Passes over the training data (default 10).
    pub fn epochs(mut self, e: usize) -> Self {
        self.epochs = e;
        self
    }
    /// L2 penalty λ on the weights (default 0); must be finite and ≥ 0.
    pub fn l2(mut self, l2: f64) -> Self {
        self.l2 = l2;
        self
    }
    /// Early stopping on a validation split (default off).
    pub fn early_stopping(mut self, validation_fraction: f64, patience: usize) -> Self {
        self.early_stopping = Some(EarlyStopping {
            validation_fraction,
            patience,
        });
        self
    }
    /// Seed for initialisation, shuffling and the validation split (default 0).
    pub fn seed(mut self, s: u64) -> Self {
        self.seed = s;
        self
    }
    /// Print one progress line per epoch (default true).
    pub fn verbose(mut self, v: bool) -> Self {
        self.verbose = v;
        self
    }

    /// Threads for the matrix products and the optimiser's updates (default: every core). The
    /// weights and history are the same for any count.
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = Some(n);
        self
    }

    /// Hidden layer widths.
    pub fn hidden(&self) -> &[usize] {
        &self.hidden
    }
    /// The hidden activation.
    pub fn get_activation(&self) -> Activation {
        self.activation
    }
    /// The initialisation actually used.
    pub fn get_init(&self) -> Init {
        self.init.unwrap_or(self.activation.usual_init())
    }
    /// Batch size.
    pub fn get_batch_size(&self) -> usize {
        self.batch_size
    }
    /// Number of epochs.
    pub fn get_epochs(&self) -> usize {
        self.epochs
    }
    /// The learning rate.
    pub fn get_learning_rate(&self) -> f64 {
        self.learning_rate
    }
    /// The seed.
    pub fn get_seed(&self) -> u64 {
        self.seed
    }

    /// A short description, e.g. "MLP 256-128 ReLU".
    pub fn describe(&self) -> String {
        let h: Vec<String> = self.hidden.iter().map(|w| w.to_string()).collect();
        format!("MLP {} {}", h.join("-"), self.activation.name())
    }

    /// Checks every parameter before any work starts.
    pub fn check(&self) -> Result<()> {
        if let Some(w) = self.hidden.iter().find(|&&w| w == 0) {
            return Err(TakeoffError::invalid(
                "hidden layer width",
                w,
                "at least 1 unit per layer",
            ));
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(TakeoffError::invalid(
                "learning rate",
                self.learning_rate,
                "a finite number > 0",
            ));
        }
        if self.batch_size == 0 {
            return Err(TakeoffError::invalid("batch size", 0, "at least 1"));
        }
        if let Some(n) = self.threads.filter(|&n| n == 0 || n > 1024) {
            return Err(TakeoffError::invalid("threads", n, "between 1 and 1024"));
        }
        if !(self.l2.is_finite() && self.l2 >= 0.0) {
            return Err(TakeoffError::invalid("l2", self.l2, "a finite number ≥ 0"));
        }
        match self.optimizer {
            Optimizer::Sgd { momentum } if !(0.0..1.0).contains(&momentum) => {
                return Err(TakeoffError::invalid("momentum", momentum, "a number in [0, 1)"));
            }
            Optimizer::Adam { beta1, beta2, eps }
                if !((0.0..1.0).contains(&beta1) && (0.0..1.0).contains(&beta2) && eps > 0.0) =>
            {
                return Err(TakeoffError::invalid(
                    "Adam constants",
                    format!("β₁ {beta1}, β₂ {beta2}, ε {eps}"),
                    "β₁ and β₂ in [0, 1) and ε > 0",
                ));
            }
            _ => {}
        }
        if let Some(es) = self.early_stopping {
            if !(es.validation_fraction > 0.0 && es.validation_fraction < 1.0) {
                return Err(TakeoffError::invalid(
                    "validation fraction",
                    es.validation_fraction,
                    "a number strictly between 0 and 1",
                ));
            }
            if es.patience == 0 {
                return Err(TakeoffError::invalid("patience", 0, "at least 1 epoch"));
            }
        }
        Ok(())
    }

    /// Trains on `data` for the configured epochs (stopping early if asked).
    pub fn fit(&self, data: &Dataset) -> Result<Mlp> {
        let mut trainer = Trainer::new(self, data)?;
        while trainer.epoch() < self.epochs && !trainer.should_stop() {
            trainer.train_epoch()?;
        }
        Ok(trainer.into_model())
    }
}

// ---------------------------------------------------------------- training

/// What one epoch did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochStats {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Mean cross-entropy over the epoch's batches.
    pub train_loss: f64,
    /// Accuracy on the batches as they were seen during the epoch.
    pub train_accuracy: f64,
    /// Accuracy on the validation split, when early stopping holds one out.
    pub val_accuracy: Option<f64>,
    /// Wall time since training started (s); depends on the machine.
    pub seconds: f64,
    /// Mean Frobenius norm of ∂loss/∂W for each layer, first layer first.
    pub grad_norms: Vec<f64>,
}

/// Per-epoch record of a training run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    pub epochs: Vec<EpochStats>,
}

impl History {
    /// The last epoch's stats, if any.
    pub fn last(&self) -> Option<&EpochStats> {
        self.epochs.last()
    }
}

enum OptState {
    Sgd {
        v: Vec<Layer<f32>>,
    },
    Adam {
        m: Vec<Layer<f32>>,
        v: Vec<Layer<f32>>,
        t: i32,
    },
}

fn zeros_like(net: &Network<f32>) -> Vec<Layer<f32>> {
    net.layers
        .iter()
        .map(|l| Layer {
            w: Array2::zeros(l.w.raw_dim()),
            b: Array1::zeros(l.b.len()),
        })
        .collect()
}

/// Drives training one epoch at a time, so a notebook can plot the loop itself.
pub struct Trainer {
    params: MlpParams,
    net: Network<f32>,
    state: OptState,
    train: Dataset,
    val: Option<Dataset>,
    rng: SeededRng,
    history: History,
    best: Option<(f64, Network<f32>)>,
    since_best: usize,
    started: Instant,
    class_names: Vec<String>,
    /// A pool of the asked thread count; `None` runs on rayon's global pool (every core).
    pool: Option<std::sync::Arc<rayon::ThreadPool>>,
}

impl Trainer {
    /// Checks params against the data and initialises the network.
    pub fn new(params: &MlpParams, data: &Dataset) -> Result<Trainer> {
        params.check()?;
        if data.is_empty() {
            return Err(TakeoffError::invalid(
                "training set size",
                0,
                "at least 1 example",
            ));
        }
        if data.n_classes() < 2 {
            return Err(TakeoffError::invalid(
                "number of classes",
                data.n_classes(),
                "at least 2",
            ));
        }
        let (train, val) = match params.early_stopping {
            Some(es) => {
                let (t, v) = data.split(es.validation_fraction, params.seed ^ 0xea21)?;
                (t, Some(v))
            }
            None => (data.clone(), None),
        };
        let mut sizes = vec![data.n_features()];
        sizes.extend(&params.hidden);
        sizes.push(data.n_classes());
        let pool = match params.threads {
            Some(n) => Some(std::sync::Arc::new(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build()
                    .map_err(|e| {
                        TakeoffError::invalid("threads", n, format!("a count the system can start ({e})"))
                    })?,
            )),
            None => None,
        };
        let mut r = rng(params.seed);
        let net = Network::init(&sizes, params.activation, params.get_init(), &mut r);
        let state = match params.optimizer {
            Optimizer::Sgd { .. } => OptState::Sgd { v: zeros_like(&net) },
            Optimizer::Adam { .. } => OptState::Adam {
                m: zeros_like(&net),
                v: zeros_like(&net),
                t: 0,
            },
        };
        Ok(Trainer {
            params: params.clone(),
            net,
            state,
            train,
            val,
            rng: r,
            history: History::default(),
            best: None,
            since_best: 0,
            started: Instant::now(),
            class_names: data.class_names.clone(),
            pool,
        })
    }

    /// Epochs done so far.
    pub fn epoch(&self) -> usize {
        self.history.epochs.len()
    }

    /// True when early stopping has run out of patience.
    pub fn should_stop(&self) -> bool {
        matches!(self.params.early_stopping, Some(es) if self.since_best >= es.patience)
    }

    /// The history so far.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// The network as it is now.
    pub fn network(&self) -> &Network<f32> {
        &self.net
    }

    /// One pass over the training data in shuffled minibatches.
    pub fn train_epoch(&mut self) -> Result<EpochStats> {
        match self.pool.clone() {
            Some(pool) => pool.install(|| self.run_epoch()),
            None => self.run_epoch(),
        }
    }

    fn run_epoch(&mut self) -> Result<EpochStats> {
        let n = self.train.len();
        let mut order: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = self.rng.gen_range(0..=i);
            order.swap(i, j);
        }
        let lr = self.params.learning_rate as f32;
        let l2 = self.params.l2 as f32;
        let epoch = self.epoch() + 1;
        let (mut loss_sum, mut correct, mut batches) = (0.0f64, 0usize, 0usize);
        let mut norm_sum = vec![0.0f64; self.net.layers.len()];
        for idx in order.chunks(self.params.batch_size) {
            let xb = gather_rows(&self.train.x, idx); // B × d
            let yb: Vec<usize> = idx.iter().map(|&i| self.train.y[i]).collect();
            let (loss, grads, batch_correct) = self.net.forward_backward(xb, &yb, l2);
            if !loss.is_finite() {
                return Err(TakeoffError::Diverged {
                    epoch,
                    loss: loss as f64,
                    learning_rate: self.params.learning_rate,
                });
            }
            loss_sum += loss as f64;
            batches += 1;
            correct += batch_correct;
            for (s, g) in norm_sum.iter_mut().zip(&grads) {
                *s += sum_of_squares(&g.w).sqrt();
            }
            self.step(&grads, lr);
        }
        let val_accuracy = self.val.as_ref().map(|v| accuracy_of(&self.net, v));
        let stats = EpochStats {
            epoch,
            train_loss: loss_sum / batches as f64,
            train_accuracy: correct as f64 / n as f64,
            val_accuracy,
            seconds: self.started.elapsed().as_secs_f64(),
            grad_norms: norm_sum.iter().map(|s| s / batches as f64).collect(),
        };
        if let Some(acc) = val_accuracy {
            if self.best.as_ref().is_none_or(|(b, _)| acc > *b) {
                self.best = Some((acc, self.net.clone()));
                self.since_best = 0;
            } else {
                self.since_best += 1;
            }
        }
        if self.params.verbose {
            let val = val_accuracy
                .map(|a| format!("  val acc {:5.1} %", a * 100.0))
                .unwrap_or_default();
            println!(
                "{} epoch {epoch}/{}  loss {:.4}  train acc {:5.1} %{val}  {:.1} s",
                self.params.describe(),
                self.params.epochs,
                stats.train_loss,
                stats.train_accuracy * 100.0,
                stats.seconds
            );
        }
        self.history.epochs.push(stats.clone());
        Ok(stats)
    }

    fn step(&mut self, grads: &[Layer<f32>], lr: f32) {
        match (&mut self.state, self.params.optimizer) {
            (OptState::Sgd { v }, Optimizer::Sgd { momentum }) => {
                let mu = momentum as f32;
                for ((layer, g), v) in self.net.layers.iter_mut().zip(grads).zip(v.iter_mut()) {
                    Zip::from(&mut layer.w)
                        .and(&mut v.w)
                        .and(&g.w)
                        .par_for_each(|w, v, &g| {
                            *v = mu * *v - lr * g;
                            *w += *v;
                        });
                    Zip::from(&mut layer.b)
                        .and(&mut v.b)
                        .and(&g.b)
                        .for_each(|b, v, &g| {
                            *v = mu * *v - lr * g;
                            *b += *v;
                        });
                }
            }
            (OptState::Adam { m, v, t }, Optimizer::Adam { beta1, beta2, eps }) => {
                *t += 1;
                let (b1, b2, eps) = (beta1 as f32, beta2 as f32, eps as f32);
                let c1 = 1.0 - b1.powi(*t);
                let c2 = 1.0 - b2.powi(*t);
                let step = lr * c2.sqrt() / c1;
                let eps_hat = eps * c2.sqrt();
                for (((layer, g), m), v) in self
                    .net
                    .layers
                    .iter_mut()
                    .zip(grads)
                    .zip(m.iter_mut())
                    .zip(v.iter_mut())
                {
                    Zip::from(&mut layer.w)
                        .and(&mut m.w)
                        .and(&mut v.w)
                        .and(&g.w)
                        .par_for_each(|w, m, v, &g| {
                            *m = b1 * *m + (1.0 - b1) * g;
                            *v = b2 * *v + (1.0 - b2) * g * g;
                            *w -= step * *m / (v.sqrt() + eps_hat);
                        });
                    Zip::from(&mut layer.b)
                        .and(&mut m.b)
                        .and(&mut v.b)
                        .and(&g.b)
                        .for_each(|b, m, v, &g| {
                            *m = b1 * *m + (1.0 - b1) * g;
                            *v = b2 * *v + (1.0 - b2) * g * g;
                            *b -= step * *m / (v.sqrt() + eps_hat);
                        });
                }
            }
            _ => unreachable!("optimizer state is built from the same params"),
        }
    }

    /// The model as it is now (a copy; training can go on).
    pub fn model(&self) -> Mlp {
        Mlp {
            net: self.net.clone(),
            history: self.history.clone(),
            params: self.params.clone(),
            class_names: self.class_names.clone(),
        }
    }

    /// Ends training; with early stopping, the weights of the best validation epoch are kept.
    pub fn into_model(self) -> Mlp {
        let net = match (self.params.early_stopping, self.best) {
            (Some(_), Some((_, best))) => best,
            _ => self.net,
        };
        Mlp {
            net,
            history: self.history,
            params: self.params,
            class_names: self.class_names,
        }
    }
}

fn accuracy_of(net: &Network<f32>, data: &Dataset) -> f64 {
    let mut correct = 0;
    for start in (0..data.len()).step_by(4096) {
        let end = (start + 4096).min(data.len());
        let logits = net.logits(data.x.slice(ndarray::s![start..end, ..]));
        correct += argmax_rows(&logits)
            .iter()
            .zip(data.y.slice(ndarray::s![start..end]))
            .filter(|(p, y)| *p == *y)
            .count();
    }
    correct as f64 / data.len().max(1) as f64
}

/// A trained MLP with its training history.
#[derive(Debug, Clone)]
pub struct Mlp {
    pub net: Network<f32>,
    pub history: History,
    pub params: MlpParams,
    pub class_names: Vec<String>,
}

impl Mlp {
    fn check_features(&self, x: &Array2<f32>) -> Result<()> {
        if x.ncols() != self.net.n_inputs() {
            return Err(TakeoffError::FeatureMismatch {
                expected: self.net.n_inputs(),
                found: x.ncols(),
            });
        }
        Ok(())
    }

    /// The most likely class of each row of `x` (m × d).
    pub fn predict(&self, x: &Array2<f32>) -> Result<Array1<usize>> {
        self.check_features(x)?;
        Ok(Array1::from(argmax_rows(&self.net.logits(x.view()))))
    }

    /// Class probabilities (m × K).
    pub fn predict_proba(&self, x: &Array2<f32>) -> Result<Array2<f32>> {
        self.check_features(x)?;
        Ok(self.net.predict_proba(x.view()))
    }

    /// Fraction of `data` classified correctly.
    pub fn accuracy(&self, data: &Dataset) -> Result<f64> {
        self.check_features(&data.x)?;
        Ok(accuracy_of(&self.net, data))
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
mod tests {
    use super::*;
    use crate::data::spirals;

    /// Central finite differences on a small f64 net, every parameter, every activation.
    #[test]
    #[allow(clippy::needless_range_loop)]
    fn gradients_match_finite_differences_for_every_activation() {
        let mut r = rng(3);
        let x = Array2::from_shape_fn((7, 4), |_| crate::data::normal(&mut r) as f64); // 7 × 4
        let y = [0, 2, 1, 1, 0, 2, 2];
        for act in [Activation::Sigmoid, Activation::Tanh, Activation::Relu] {
            let net: Network<f64> = Network::init(&[4, 5, 6, 3], act, Init::Xavier, &mut rng(11));
            let l2 = 0.01;
            let (_, grads) = net.loss_and_grads(x.view(), &y, l2);
            let h = 1e-6;
            let mut worst: f64 = 0.0;
            for l in 0..net.layers.len() {
                for (idx, &g) in grads[l].w.indexed_iter() {
                    let mut plus = net.clone();
                    plus.layers[l].w[idx] += h;
                    let mut minus = net.clone();
                    minus.layers[l].w[idx] -= h;
                    let numeric = (plus.loss_and_grads(x.view(), &y, l2).0
                        - minus.loss_and_grads(x.view(), &y, l2).0)
                        / (2.0 * h);
                    let rel = (numeric - g).abs() / (numeric.abs() + g.abs()).max(1e-8);
                    worst = worst.max(rel);
                }
                for (i, &g) in grads[l].b.indexed_iter() {
                    let mut plus = net.clone();
                    plus.layers[l].b[i] += h;
                    let mut minus = net.clone();
                    minus.layers[l].b[i] -= h;
                    let numeric = (plus.loss_and_grads(x.view(), &y, l2).0
                        - minus.loss_and_grads(x.view(), &y, l2).0)
                        / (2.0 * h);
                    let rel = (numeric - g).abs() / (numeric.abs() + g.abs()).max(1e-8);
                    worst = worst.max(rel);
                }
            }
            assert!(worst < 1e-4, "{act:?}: worst relative error {worst:e}");
        }
    }

    #[test]
    fn learns_spirals() {
        let data = spirals(200, 2, 0.05, 0).unwrap();
        let model = MlpParams::new(&[64, 64])
            .learning_rate(0.01)
            .batch_size(32)
            .epochs(200)
            .verbose(false)
            .seed(1)
            .fit(&data)
            .unwrap();
        let acc = model.accuracy(&data).unwrap();
        assert!(acc > 0.95, "training accuracy on spirals {acc}");
    }

    #[test]
    fn same_seed_same_weights_and_history() {
        let data = spirals(50, 3, 0.1, 2).unwrap();
        let p = MlpParams::new(&[8]).epochs(3).verbose(false).seed(5);
        let (a, b) = (p.fit(&data).unwrap(), p.fit(&data).unwrap());
        assert_eq!(a.net, b.net);
        let strip = |h: &History| {
            h.epochs
                .iter()
                .map(|e| (e.train_loss, e.train_accuracy, e.grad_norms.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(&a.history), strip(&b.history));
        let c = p.clone().seed(6).fit(&data).unwrap();
        assert_ne!(a.net, c.net);
    }

    #[test]
    fn thread_count_changes_no_number() {
        // 256 × 64 × 300 products are large enough to be split across threads
        let data = crate::data::TeacherTask::lesson_default()
            .generate(600, 3)
            .unwrap();
        let data = crate::data::Dataset::new(
            "wide",
            ndarray::concatenate(Axis(1), &vec![data.x.view(); 30]).unwrap(),
            data.y.clone(),
            data.class_names.clone(),
        )
        .unwrap();
        let p = MlpParams::new(&[256, 64])
            .batch_size(256)
            .epochs(2)
            .verbose(false);
        let one = p.clone().threads(1).fit(&data).unwrap();
        let three = p.clone().threads(3).fit(&data).unwrap();
        assert_eq!(one.net, three.net);
        assert_eq!(
            one.history.epochs[1].train_loss,
            three.history.epochs[1].train_loss
        );
        let err = p.threads(0).fit(&data).unwrap_err().to_string();
        assert!(
            err.contains("threads") && err.contains("between 1 and 1024"),
            "{err}"
        );
    }

    #[test]
    fn split_product_equals_one_thread_product() {
        let a = Array2::from_shape_fn((203, 150), |(i, j)| ((i * 7 + j * 3) % 11) as f32 - 5.0);
        let b = Array2::from_shape_fn((150, 77), |(i, j)| ((i * 5 + j) % 13) as f32 / 13.0);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
        let split = pool.install(|| matmul(a.view(), b.view()));
        let single = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| matmul(a.view(), b.view()));
        assert_eq!(split, single);
        let wide = pool.install(|| matmul(b.t(), a.t())); // 77 × 203: split by columns
        assert_eq!(wide, split.t());
        let plain = a.dot(&b);
        assert!(split
            .iter()
            .zip(&plain)
            .all(|(x, y)| (x - y).abs() <= 1e-3 * y.abs().max(1.0)));
        let t = matmul(a.t(), a.view()); // 150 × 150 from a transposed view
        assert_eq!(t.dim(), (150, 150));
    }

    #[test]
    fn rejects_bad_params_before_training() {
        let data = spirals(10, 2, 0.1, 0).unwrap();
        let err = |p: MlpParams| p.verbose(false).fit(&data).unwrap_err().to_string();
        assert!(err(MlpParams::new(&[4, 0])).contains("hidden layer width = 0"));
        assert!(err(MlpParams::new(&[4]).learning_rate(0.0)).contains("learning rate = 0"));
        assert!(err(MlpParams::new(&[4]).learning_rate(f64::NAN)).contains("learning rate = NaN"));
        assert!(err(MlpParams::new(&[4]).batch_size(0)).contains("batch size = 0"));
        assert!(err(MlpParams::new(&[4]).early_stopping(1.5, 2)).contains("validation fraction"));
        let model = MlpParams::new(&[4]).epochs(1).verbose(false).fit(&data).unwrap();
        let wrong = Array2::zeros((3, 5));
        assert!(matches!(
            model.predict(&wrong),
            Err(TakeoffError::FeatureMismatch {
                expected: 2,
                found: 5
            })
        ));
    }

    #[test]
    fn divergence_is_an_error_naming_the_epoch() {
        let data = spirals(100, 2, 0.1, 0).unwrap();
        let e = MlpParams::new(&[32, 32])
            .optimizer(Optimizer::sgd(0.9))
            .learning_rate(1e30)
            .epochs(5)
            .verbose(false)
            .fit(&data)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("diverged at epoch 1") && e.contains("smaller learning rate"),
            "{e}"
        );
    }

    #[test]
    fn early_stopping_keeps_best_and_stops() {
        let data = spirals(100, 2, 0.3, 0).unwrap();
        let m = MlpParams::new(&[16])
            .early_stopping(0.25, 2)
            .epochs(200)
            .learning_rate(0.05)
            .verbose(false)
            .fit(&data)
            .unwrap();
        assert!(m.history.epochs.len() < 200, "stopped early");
        assert!(m.history.epochs.iter().all(|e| e.val_accuracy.is_some()));
    }

    #[test]
    fn one_epoch_steps_match_fit() {
        let data = spirals(60, 2, 0.1, 0).unwrap();
        let p = MlpParams::new(&[8]).epochs(4).verbose(false).seed(2);
        let mut t = Trainer::new(&p, &data).unwrap();
        for _ in 0..4 {
            t.train_epoch().unwrap();
        }
        assert_eq!(t.into_model().net, p.fit(&data).unwrap().net);
    }
}
