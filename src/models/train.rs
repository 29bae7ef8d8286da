//! One training core for every network: a [`Model`] trait (a training pass that returns the loss
//! and the gradients, an evaluation pass, the parameters), an [`Optimizer`] trait whose optimisers
//! own their state (SGD with momentum, Adam), and a [`Trainer`] generic over the model, with the
//! training settings of [`TrainParams`] (learning rate, batch, epochs, sample budget, early
//! stopping, seed, threads, memory budget). A new model implements [`Model`]; the trainer does
//! not change.

pub use super::history::{Checkpoint, EpochStats, History, CHECKPOINTS_PER_EPOCH};
pub use super::optim::{Optimizer, OptimizerConfig};
pub use super::params::{EarlyStopping, Stop, TrainParams, MAX_EPOCHS};
use crate::data::Dataset;
use crate::error::{Result, TakeoffError};
use crate::kernels::pool::{gather_rows, sum_of_squares, with_helpers_awake};
use crate::kernels::{argmax_rows, RowStore};
use crate::random::{rng, SeededRng};
use ndarray::{Array2, ArrayView2};
use rand::Rng;
use std::time::Instant;

/// The result of one training pass over a batch (its gradients are written into the trainer's
/// buffers).
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Mean cross-entropy over the batch, plus the L2 term.
    pub loss: f32,
    /// Rows of the batch the training pass classified correctly.
    pub correct: usize,
}

/// A network the [`Trainer`] can train.
pub trait Model: Clone + Send + Sync {
    /// Number of input features each example must have.
    fn n_inputs(&self) -> usize;
    /// Evaluation pass: the output logits for a batch `x` (B × d → B × K).
    fn logits(&self, x: ArrayView2<f32>) -> Array2<f32>;
    /// What a training pass keeps between batches (activations, gradients with respect to
    /// them, im2col copies …), so that a step allocates no array: the trainer makes one with
    /// `Default` and hands it to every [`Model::train_step`] of the run.
    type Workspace: Default + Send;
    /// Training pass: forward on the batch `x` (B × d) with labels `y`, then backward, with an
    /// L2 penalty `l2` on the weights, writing ∂loss/∂parameter into `grads` (flat, in the
    /// order of [`Model::params_mut`], every entry overwritten); `rng` (the trainer's seeded
    /// generator) draws whatever the pass needs at random, such as dropout masks.
    fn train_step(
        &self,
        x: ArrayView2<f32>,
        y: &[usize],
        l2: f32,
        rng: &mut SeededRng,
        work: &mut Self::Workspace,
        grads: &mut [Vec<f32>],
    ) -> Step;
    /// The parameters, flat, in the order of the gradients [`Model::train_step`] writes.
    fn params_mut(&mut self) -> Vec<&mut [f32]>;
    /// The positions among the gradients of the weight tensors whose gradient norms the
    /// history records, one per layer, first layer first.
    fn weight_positions(&self) -> Vec<usize>;
}

/// Rows per evaluation pass: small enough that a convolutional net's im2col copy of a block
/// stays in the tens of MB.
const EVAL_ROWS: usize = 1024;

/// Fraction of `data` that `model` classifies correctly (evaluation passes of [`EVAL_ROWS`] rows).
pub fn accuracy_of<M: Model>(model: &M, data: &Dataset) -> f64 {
    let mut correct = 0;
    for start in (0..data.len()).step_by(EVAL_ROWS) {
        let end = (start + EVAL_ROWS).min(data.len());
        let logits = model.logits(data.x.slice(ndarray::s![start..end, ..]));
        correct += argmax_rows(&logits)
            .iter()
            .zip(data.y.slice(ndarray::s![start..end]))
            .filter(|(p, y)| *p == *y)
            .count();
    }
    correct as f64 / data.len().max(1) as f64
}

/// A trained network with its training history and the params that made it.
#[derive(Debug, Clone)]
pub struct Fitted<M, P> {
    pub net: M,
    pub history: History,
    pub params: P,
    pub class_names: Vec<String>,
}

impl<M: Model, P> Fitted<M, P> {
    /// An error unless `x` has the number of features the net was trained on.
    pub fn check_features(&self, x: &Array2<f32>) -> Result<()> {
        if x.ncols() != self.net.n_inputs() {
            return Err(TakeoffError::FeatureMismatch {
                expected: self.net.n_inputs(),
                found: x.ncols(),
            });
        }
        Ok(())
    }

    /// The most likely class of each row of `x` (m × d).
    pub fn predict(&self, x: &Array2<f32>) -> Result<ndarray::Array1<usize>> {
        self.check_features(x)?;
        let mut out = Vec::with_capacity(x.nrows());
        for start in (0..x.nrows()).step_by(EVAL_ROWS) {
            let end = (start + EVAL_ROWS).min(x.nrows());
            out.extend(argmax_rows(
                &self.net.logits(x.slice(ndarray::s![start..end, ..])),
            ));
        }
        Ok(ndarray::Array1::from(out))
    }

    /// Fraction of `data` classified correctly.
    pub fn accuracy(&self, data: &Dataset) -> Result<f64> {
        self.check_features(&data.x)?;
        Ok(accuracy_of(&self.net, data))
    }
}

/// Checks that `data` can train a network: examples present, at least two classes.
pub fn check_data(data: &Dataset) -> Result<()> {
    if data.is_empty() {
        return Err(TakeoffError::invalid(
            "training set size",
            0,
            "at least 1 example",
        ));
    }
    let present = data.class_counts().iter().filter(|&&n| n > 0).count();
    if present < 2 {
        return Err(TakeoffError::invalid(
            "number of classes present in the training data",
            present,
            "at least 2",
        ));
    }
    Ok(())
}

/// Drives training one epoch at a time, so a notebook can plot the loop itself. Generic over
/// the model: an MLP and a convolutional net train through the same loop.
pub struct Trainer<M: Model> {
    params: TrainParams,
    describe: String,
    model: M,
    optimizer: Box<dyn Optimizer>,
    /// Buffers kept across batches: the model's, the gradients, the batch and its labels.
    work: M::Workspace,
    grads: Vec<Vec<f32>>,
    batch_x: Array2<f32>,
    batch_y: Vec<usize>,
    /// The training rows, in memory backed by large pages where the system allows, and labels.
    train_x: RowStore,
    train_y: Vec<usize>,
    val: Option<Dataset>,
    /// Epochs between two measurements of the held-out accuracy (early stopping's rounds).
    round_epochs: usize,
    rng: SeededRng,
    history: History,
    /// The best held-out accuracy so far, its epoch and the weights then.
    best: Option<(f64, usize, M)>,
    /// Rounds since the best one.
    since_best: usize,
    started: Instant,
    /// A pool of the asked thread count; `None` runs on rayon's global pool (every core).
    pool: Option<std::sync::Arc<rayon::ThreadPool>>,
}

impl<M: Model> Trainer<M> {
    /// A trainer for `model` (named `describe` in progress lines) on `data`. `init` makes the
    /// model from the seeded random generator that then shuffles the batches.
    pub fn start(
        params: &TrainParams,
        describe: String,
        data: &Dataset,
        init: impl FnOnce(&mut SeededRng) -> M,
    ) -> Result<Trainer<M>> {
        params.check()?;
        check_data(data)?;
        let (train_x, train_y, val) = match params.early_stopping {
            Some(es) => {
                // at least one held-out example, however small the data
                let fraction = es.validation_fraction.max(1.0 / data.len().max(1) as f64);
                let (t, v) = data.split(fraction, params.seed ^ 0xea21)?;
                (RowStore::copy_of(t.x.view()), t.y.to_vec(), Some(v))
            }
            None => (RowStore::copy_of(data.x.view()), data.y.to_vec(), None),
        };
        let round_epochs = params
            .early_stopping
            .map_or(1, |es| es.round_epochs(train_y.len()));
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
        let mut model = init(&mut r);
        let lengths: Vec<usize> = model.params_mut().iter().map(|p| p.len()).collect();
        Ok(Trainer {
            params: params.clone(),
            describe,
            model,
            optimizer: params.optimizer.build(&lengths),
            work: M::Workspace::default(),
            grads: lengths.iter().map(|&n| vec![0.0; n]).collect(),
            batch_x: Array2::zeros((0, 0)),
            batch_y: Vec::new(),
            train_x,
            train_y,
            val,
            round_epochs,
            rng: r,
            history: History::default(),
            best: None,
            since_best: 0,
            started: Instant::now(),
            pool,
        })
    }

    /// Epochs done so far.
    pub fn epoch(&self) -> usize {
        self.history.epochs.len()
    }

    /// Epochs this run is set to train (the sample budget included).
    pub fn planned_epochs(&self) -> usize {
        self.params.epochs_for(self.train_y.len())
    }

    /// True when the planned epochs are done or early stopping has run out of patience.
    pub fn should_stop(&self) -> bool {
        self.epoch() >= self.planned_epochs() || self.out_of_patience()
    }

    fn out_of_patience(&self) -> bool {
        matches!(self.params.early_stopping, Some(es) if self.since_best >= es.patience)
    }

    /// Epochs between two measurements of the held-out accuracy (1 without early stopping).
    pub fn round_epochs(&self) -> usize {
        self.round_epochs
    }

    /// The history so far.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// The model as it is now.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// One pass over the training data in shuffled minibatches, run on a worker thread of the
    /// trainer's pool (or of rayon's global pool): called from any other thread (a notebook's,
    /// a program's main thread), every parallel pass of the epoch would otherwise be handed to
    /// the pool and waited for, thousands of hand-overs an epoch, while the calling thread does
    /// none of the work (on 2 threads that made the epoch slower than on one).
    ///
    /// The pool's other workers wait for the epoch's parallel parts awake (see
    /// `with_helpers_awake`) on the trainer's own pool, and on rayon's global pool when the
    /// epoch is asked for from outside any pool (a notebook's cell, a program's main thread, a
    /// learning curve's convolutional nets, which it trains one after another): the caller is
    /// then doing nothing else. Asked for from inside a pool (fits run side by side in a parallel
    /// iterator, as a learning curve's fully connected nets), the other workers have work of
    /// their own, and sleep as usual when they run out.
    pub fn train_epoch(&mut self) -> Result<EpochStats> {
        match self.pool.clone() {
            Some(pool) => pool.install(|| with_helpers_awake(|| self.run_epoch())),
            None if rayon::current_thread_index().is_none() => {
                rayon::scope(|_| with_helpers_awake(|| self.run_epoch()))
            }
            None => rayon::scope(|_| self.run_epoch()),
        }
    }

    /// Trains until [`Trainer::should_stop`], then ends training.
    pub fn run(mut self) -> Result<(M, History)> {
        while !self.should_stop() {
            self.train_epoch()?;
        }
        Ok(self.finish())
    }

    fn run_epoch(&mut self) -> Result<EpochStats> {
        let n = self.train_y.len();
        let mut order: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = self.rng.gen_range(0..=i);
            order.swap(i, j);
        }
        let epoch = self.epoch() + 1;
        // the decay applies once per round of early stopping (once per epoch without), so that a
        // net on a few examples, many epochs to a round, keeps its rate as long as a large one
        let round = (epoch - 1) / self.round_epochs;
        let lr = (self.params.learning_rate * self.params.learning_rate_decay.powi(round as i32)) as f32;
        let l2 = self.params.l2 as f32;
        let weights = self.model.weight_positions();
        let (mut loss_sum, mut correct, mut batches) = (0.0f64, 0usize, 0usize);
        let mut norm_sum = vec![0.0f64; weights.len()];
        let steps_per_epoch = n.div_ceil(self.params.batch_size);
        let every = steps_per_epoch.div_ceil(CHECKPOINTS_PER_EPOCH).max(1);
        let (mut window_seen, mut window_correct) = (0usize, 0usize);
        let (step0, examples0) = self
            .history
            .checkpoints
            .last()
            .map_or((0, 0), |c| (c.step, c.examples));
        let mut seen = 0usize;
        for idx in order.chunks(self.params.batch_size) {
            gather_rows(&self.train_x, idx, &mut self.batch_x); // B × d
            self.batch_y.clear();
            self.batch_y.extend(idx.iter().map(|&i| self.train_y[i]));
            let step = self.model.train_step(
                self.batch_x.view(),
                &self.batch_y,
                l2,
                &mut self.rng,
                &mut self.work,
                &mut self.grads,
            );
            if !step.loss.is_finite() {
                return Err(TakeoffError::Diverged {
                    epoch,
                    loss: step.loss as f64,
                    learning_rate: self.params.learning_rate,
                });
            }
            loss_sum += step.loss as f64;
            batches += 1;
            correct += step.correct;
            seen += idx.len();
            window_seen += idx.len();
            window_correct += step.correct;
            if batches % every == 0 || batches == steps_per_epoch {
                self.history.checkpoints.push(Checkpoint {
                    step: step0 + batches,
                    examples: examples0 + seen,
                    train_error: 1.0 - window_correct as f64 / window_seen as f64,
                    seconds: self.started.elapsed().as_secs_f64(),
                });
                (window_seen, window_correct) = (0, 0);
            }
            for (s, &w) in norm_sum.iter_mut().zip(&weights) {
                *s += sum_of_squares(&self.grads[w]).sqrt();
            }
            self.optimizer.step(&mut self.model.params_mut(), &self.grads, lr);
        }
        // held-out accuracy at the end of each round, and after the last planned epoch
        let val_accuracy = self
            .val
            .as_ref()
            .filter(|_| epoch.is_multiple_of(self.round_epochs) || epoch >= self.planned_epochs())
            .map(|v| accuracy_of(&self.model, v));
        let stats = EpochStats {
            epoch,
            train_loss: loss_sum / batches as f64,
            train_accuracy: correct as f64 / n as f64,
            val_accuracy,
            seconds: self.started.elapsed().as_secs_f64(),
            grad_norms: norm_sum.iter().map(|s| s / batches as f64).collect(),
        };
        if let Some(acc) = val_accuracy {
            if self.best.as_ref().is_none_or(|(b, _, _)| acc > *b) {
                self.best = Some((acc, epoch, self.model.clone()));
                self.since_best = 0;
            } else {
                self.since_best += 1;
            }
        }
        if self.params.verbose {
            let val = val_accuracy
                .map(|a| format!("  val acc {:5.1}%", a * 100.0))
                .unwrap_or_default();
            println!(
                "{} epoch {epoch}/{}  loss {:.4}  train acc {:5.1}%{val}  {:.1} s",
                self.describe,
                self.planned_epochs(),
                stats.train_loss,
                stats.train_accuracy * 100.0,
                stats.seconds
            );
        }
        self.history.epochs.push(stats.clone());
        Ok(stats)
    }

    /// Ends training: the model (with early stopping, the one of the best validation epoch) and
    /// the history.
    pub fn finish(self) -> (M, History) {
        let stop = match self.params.early_stopping {
            None => Stop::Planned,
            Some(_) if self.out_of_patience() => Stop::Patience,
            Some(_) => Stop::Cap,
        };
        let mut history = self.history;
        history.stop = Some(stop);
        let model = match (self.params.early_stopping, self.best) {
            (Some(_), Some((_, epoch, best))) => {
                history.best_epoch = Some(epoch);
                best
            }
            _ => self.model,
        };
        (model, history)
    }
}
