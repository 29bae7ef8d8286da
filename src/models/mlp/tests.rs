//! Tests of the MLP: gradients against finite differences, training, determinism, errors.

use super::*;
use crate::data::spirals;
use crate::random::rng;

/// Central finite differences on a small f64 net, every parameter, every activation.
#[test]
#[allow(clippy::needless_range_loop)]
fn gradients_match_finite_differences_for_every_activation() {
    let mut r = rng(3);
    let x = Array2::from_shape_fn((7, 4), |_| crate::random::normal(&mut r) as f64); // 7 × 4
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
        ndarray::concatenate(ndarray::Axis(1), &vec![data.x.view(); 30]).unwrap(),
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
        .optimizer(OptimizerConfig::sgd(0.9))
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
    let mut t = p.trainer(&data).unwrap();
    for _ in 0..4 {
        t.train_epoch().unwrap();
    }
    assert!(t.should_stop(), "the planned epochs are done");
    assert_eq!(t.finish().0, p.fit(&data).unwrap().net);
}

#[test]
fn a_net_too_big_for_memory_is_refused_before_allocating() {
    let data = spirals(60, 2, 0.1, 0).unwrap();
    // a billion hidden units: about 16 GB of weights, gradients and moments
    let e = MlpParams::new(&[1_000_000_000])
        .fit(&data)
        .unwrap_err()
        .to_string();
    assert!(e.contains("GB") && e.contains("budget 4.0 GB"), "{e}");
    let e = MlpParams::new(&[8]).epochs(0).fit(&data).unwrap_err().to_string();
    assert!(e.contains("epochs"), "{e}");
    let one_class = data.select(&(0..data.len()).filter(|&i| data.y[i] == 0).collect::<Vec<_>>());
    let e = MlpParams::new(&[8]).fit(&one_class).unwrap_err().to_string();
    assert!(e.contains("classes present") && e.contains("at least 2"), "{e}");
}

#[test]
fn sample_budget_adds_epochs_on_small_data() {
    let data = spirals(50, 2, 0.1, 0).unwrap(); // 100 examples
    let m = MlpParams::new(&[4])
        .epochs(2)
        .min_samples(1_000)
        .verbose(false)
        .fit(&data)
        .unwrap();
    assert_eq!(m.history.epochs.len(), 10);
}

/// linfa's parameter pattern: setters on the unchecked params, getters on the checked ones, the
/// same JSON for both (so cache keys do not depend on which one was serialised).
#[test]
fn params_are_checked_before_their_getters_are_reachable() {
    use linfa::ParamGuard;
    let e = MlpParams::new(&[8, 0]).check().unwrap_err().to_string();
    assert!(e.contains("hidden layer width"), "{e}");
    assert!(MlpParams::small().epochs(0).check_ref().is_err());
    let p = MlpParams::medium().activation(Activation::Tanh).seed(3);
    let checked = p.clone().check().unwrap();
    assert_eq!(checked.hidden(), [256, 128]);
    assert_eq!(checked.activation(), Activation::Tanh);
    assert_eq!(checked.init(), Init::Xavier);
    assert_eq!(checked.train().seed, 3);
    assert_eq!(
        serde_json::to_string(&p).unwrap(),
        serde_json::to_string(&checked).unwrap()
    );
}

/// The trainer keeps a pass's buffers across batches: a pass through buffers that batches of
/// another size and of the same size used before gives every number a fresh pass gives.
#[test]
fn kept_buffers_change_no_number() {
    let data = spirals(90, 3, 0.1, 4).unwrap();
    let net: Network<f32> = Network::init(&[2, 12, 7, 3], Activation::Tanh, Init::Xavier, &mut rng(2));
    let y: Vec<usize> = data.y.to_vec();
    let rows = |r: std::ops::Range<usize>| (data.x.slice(ndarray::s![r.clone(), ..]), &y[r]);
    let (x, labels) = rows(50..90);
    let (fresh_loss, fresh_grads, fresh_correct) = net.forward_backward(x.to_owned(), labels, 0.01);
    let mut work = Workspace::default();
    let mut grads: Vec<Vec<f32>> = net
        .layers
        .iter()
        .flat_map(|l| [vec![f32::NAN; l.w.len()], vec![f32::NAN; l.b.len()]])
        .collect();
    for r in [0..10, 10..50] {
        let (x, labels) = rows(r);
        net.forward_backward_into(x, labels, 0.01, &mut work, &mut grads);
    }
    let (loss, correct) = net.forward_backward_into(x, labels, 0.01, &mut work, &mut grads);
    assert_eq!((loss, correct), (fresh_loss, fresh_correct));
    let fresh: Vec<f32> = fresh_grads
        .iter()
        .flat_map(|l| l.w.iter().chain(l.b.iter()).copied().collect::<Vec<_>>())
        .collect();
    assert_eq!(grads.concat(), fresh);
}

/// Held-out stopping as the learning curves use it: the net trains on its m examples less the
/// held-out part, measures that part after every round (several epochs when m is small), stops
/// for lack of improvement, keeps the best round's weights, and does the same on every run.
#[test]
fn held_out_stopping_stops_keeps_the_best_round_and_sees_only_its_examples() {
    use crate::models::train::{accuracy_of, Stop};
    let data = spirals(70, 3, 0.4, 1).unwrap();
    let held = (data.len() as f64 * 0.1).round() as usize;
    let n = data.len() - held;
    let params = MlpParams::new(&[32])
        .learning_rate(0.05)
        .epochs(400)
        .early_stopping_rounds(0.1, 3, 900)
        .verbose(false);
    let mut t = params.trainer(&data).unwrap();
    // a round of 900 examples is several epochs of the n examples trained on
    let round = 900usize.div_ceil(n);
    assert!(round > 1);
    assert_eq!(t.round_epochs(), round);
    while !t.should_stop() {
        t.train_epoch().unwrap();
    }
    let history = t.history().clone();
    let (net, h) = t.finish();
    // each epoch saw the n examples left after the held-out part, never more
    let per_epoch: Vec<usize> = h
        .epochs
        .iter()
        .map(|e| {
            h.checkpoints
                .iter()
                .rfind(|c| c.step <= e.epoch * n.div_ceil(128))
                .unwrap()
                .examples
        })
        .collect();
    assert!(
        per_epoch.iter().enumerate().all(|(i, &k)| k == n * (i + 1)),
        "{per_epoch:?}"
    );
    // held-out accuracy measured at the end of each round only
    for e in &h.epochs {
        assert_eq!(
            e.val_accuracy.is_some(),
            e.epoch % round == 0,
            "epoch {}",
            e.epoch
        );
    }
    // stopped for lack of improvement, 3 rounds after the best, well before the cap
    assert_eq!(h.stop, Some(Stop::Patience));
    let best = h.best_epoch.unwrap();
    assert_eq!(h.epochs.len(), best + 3 * round);
    // the best round is the first with the highest held-out accuracy
    let scores: Vec<(usize, f64)> = h
        .epochs
        .iter()
        .filter_map(|e| Some((e.epoch, e.val_accuracy?)))
        .collect();
    let top = scores.iter().map(|s| s.1).fold(f64::MIN, f64::max);
    assert_eq!(scores.iter().find(|s| s.1 == top).unwrap().0, best);
    // and its weights are the ones kept: they score that accuracy on the held-out part
    let (_, held_out) = data.split(0.1, 0xea21).unwrap();
    assert_eq!(accuracy_of(&net, &held_out), top);
    assert_eq!(history.epochs, h.epochs);
    // the same on a second run
    assert_eq!(params.fit(&data).unwrap().net, net);
}

/// With early stopping, the cap on epochs is reported as the reason when it comes first; without,
/// training ends as planned.
#[test]
fn a_run_says_why_it_stopped() {
    use crate::models::train::Stop;
    let data = spirals(100, 2, 0.2, 0).unwrap();
    let capped = MlpParams::new(&[16])
        .epochs(3)
        .early_stopping(0.2, 50)
        .verbose(false)
        .fit(&data)
        .unwrap();
    assert_eq!(
        (capped.history.stop, capped.history.epochs.len()),
        (Some(Stop::Cap), 3)
    );
    let planned = MlpParams::new(&[16]).epochs(3).verbose(false).fit(&data).unwrap();
    assert_eq!(
        (planned.history.stop, planned.history.best_epoch),
        (Some(Stop::Planned), None)
    );
}

/// The learning rate decays once per round of early stopping, so a net on a few examples (many
/// epochs to a round) keeps its rate as long, in examples seen, as a net on many.
#[test]
fn the_decay_applies_per_round() {
    let data = spirals(60, 2, 0.2, 0).unwrap();
    let run = |round_samples| {
        MlpParams::new(&[8])
            .learning_rate(0.05)
            .learning_rate_decay(0.5)
            .epochs(6)
            .early_stopping_rounds(0.1, 100, round_samples)
            .verbose(false)
            .fit(&data)
            .unwrap()
            .net
    };
    // rounds of 3 epochs (54 training examples, 150 examples a round): the rate halves twice in
    // 6 epochs instead of five times, so the weights differ from per-epoch decay
    assert_ne!(run(150), run(0));
}

/// PyTorch's default initialisation: weights and biases inside ±1/√fan_in with its variance of
/// 1 / (3 fan_in); the other initialisations keep zero biases.
#[test]
fn uniform_init_draws_weights_and_biases_within_one_over_root_fan_in() {
    let net: Network<f64> = Network::init(&[400, 300, 10], Activation::Relu, Init::Uniform, &mut rng(5));
    for (layer, fan_in) in net.layers.iter().zip([400.0f64, 300.0]) {
        let bound = 1.0 / fan_in.sqrt();
        assert!(layer.w.iter().chain(&layer.b).all(|v| v.abs() < bound));
        let var = layer.w.iter().map(|v| v * v).sum::<f64>() / layer.w.len() as f64;
        assert!((var * 3.0 * fan_in - 1.0).abs() < 0.05, "{var}");
        assert!(layer.b.iter().any(|&b| b != 0.0));
    }
    let he: Network<f64> = Network::init(&[400, 300, 10], Activation::Relu, Init::He, &mut rng(5));
    assert!(he.layers.iter().all(|l| l.b.iter().all(|&b| b == 0.0)));
}
