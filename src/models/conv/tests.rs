//! Tests of the convolutional net: gradients against finite differences, shapes, determinism.

use super::layers::{col2im, im2col};
use super::*;
use crate::data::Dataset;
use crate::random::rng;
use linfa::ParamGuard;

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
    let x = Array2::from_shape_fn((4, 72), |_| crate::random::normal(&mut r) as f64);
    (net, x, vec![0, 2, 1, 2])
}

fn params_of(net: &mut ConvNet<f64>) -> Vec<&mut f64> {
    net.blocks
        .iter_mut()
        .flat_map(|b| match b {
            Block::Conv { w, b, .. } | Block::Dense { w, b, .. } => {
                w.iter_mut().chain(b.iter_mut()).collect()
            }
            Block::Pool { .. } | Block::Dropout { .. } | Block::Pad { .. } => Vec::new(),
        })
        .collect()
}

/// Central finite differences in f64 for every parameter of `net` on `x`, `y`, with an L2 term.
fn assert_gradients_match(net: &ConvNet<f64>, x: &Array2<f64>, y: &[usize], what: &str) {
    let l2 = 0.01;
    // the same dropout mask in every pass: a fresh generator from one seed each time
    let (_, _, d_ws, d_bs) = net.forward_backward(x.clone(), y, l2, &mut rng(9));
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
        let numeric = (up.forward_backward(x.clone(), y, l2, &mut rng(9)).0
            - down.forward_backward(x.clone(), y, l2, &mut rng(9)).0)
            / (2.0 * h);
        assert!(
            (numeric - backprop).abs() < 1e-6 * (1.0 + numeric.abs()),
            "{what} parameter {i}: numeric {numeric}, backprop {backprop}"
        );
    }
}

/// Every layer type (convolution, pooling in between, dense, output), for each activation.
#[test]
fn gradients_match_finite_differences_for_every_layer_type() {
    for activation in [Activation::Sigmoid, Activation::Tanh, Activation::Relu] {
        let (net, x, y) = tiny(activation);
        assert_gradients_match(&net, &x, &y, &format!("{activation:?}"));
    }
}

/// The direct convolution kernels (16 and 32 channels): forward, weight and input gradients,
/// the pooling's g′ after them, for each activation.
#[test]
fn gradients_match_finite_differences_through_direct_convolutions() {
    // on a processor with FMA these nets take the direct kernels (elsewhere, im2col: checked too)
    #[cfg(target_arch = "x86_64")]
    assert!(direct::applies(16) || !std::is_x86_feature_detected!("fma"));
    // 8×8×2 images: conv 3×3 → 6×6×16, pool 2 → 3×3×16, conv 2×2 → 2×2×32, dense 5, output 3
    let input = Shape {
        height: 8,
        width: 8,
        channels: 2,
    };
    let stages = [
        Stage::Conv {
            channels: 16,
            kernel: 3,
        },
        Stage::MaxPool { size: 2 },
        Stage::Conv {
            channels: 32,
            kernel: 2,
        },
        Stage::Dense { width: 5 },
    ];
    for activation in [Activation::Sigmoid, Activation::Tanh, Activation::Relu] {
        let mut r = rng(4);
        let net = ConvNet::<f64>::init(input, &stages, 3, activation, Init::Xavier, &mut r);
        let x = Array2::from_shape_fn((3, input.len()), |_| crate::random::normal(&mut r) as f64);
        assert_gradients_match(&net, &x, &[2, 0, 1], &format!("direct, {activation:?}"));
    }
}

/// The direct kernels against im2col, a product and col2im, in f64, on shapes with tails
/// (positions not a multiple of the register block, runs not a multiple of 16, one channel,
/// examples not a multiple of the gradient's block).
#[test]
fn direct_kernels_match_im2col() {
    if !direct::applies(16) {
        return; // nothing to compare: every convolution goes through im2col here
    }
    let close = |expected: &[f64], got: &[f64], what: &str| {
        assert_eq!(expected.len(), got.len(), "{what}");
        for (i, (e, g)) in expected.iter().zip(got).enumerate() {
            assert!(
                (e - g).abs() < 1e-12 * (1.0 + e.abs()),
                "{what} [{i}]: {e} vs {g}"
            );
        }
    };
    for &(h, w, c, k, n) in &[
        (9, 7, 1, 5, 16),
        (8, 8, 3, 3, 32),
        (12, 12, 16, 5, 32),
        (6, 11, 2, 2, 16),
    ] {
        let s = Shape {
            height: h,
            width: w,
            channels: c,
        };
        let mut r = rng(5);
        let mut normal = || crate::random::normal(&mut r) as f64;
        let batch = 11;
        let (ho, wo) = (h - k + 1, w - k + 1);
        let x = Array2::from_shape_fn((batch, s.len()), |_| normal());
        let wm = Array2::from_shape_fn((k * k * c, n), |_| normal());
        let b = Array1::from_shape_fn(n, |_| normal());
        let dz = Array2::from_shape_fn((batch * ho * wo, n), |_| normal());
        let cols = im2col(&x, s, k);
        let what = format!("{h}×{w}×{c}, k {k}, {n} channels");

        let z = (cols.dot(&wm) + &b).mapv(|v| Activation::Tanh.apply(v));
        let mut got = vec![f64::NAN; batch * ho * wo * n];
        let slice = |a: &Array2<f64>| a.as_slice().unwrap().to_vec();
        direct::forward(
            &slice(&x),
            s,
            k,
            &slice(&wm),
            b.as_slice().unwrap(),
            Activation::Tanh,
            &mut got,
        );
        close(&slice(&z), &got, &format!("forward, {what}"));

        let mut got = vec![f64::NAN; k * k * c * n];
        direct::weight_gradient(&slice(&x), &slice(&dz), s, k, &mut got, &mut Vec::new());
        close(
            &slice(&cols.t().dot(&dz)),
            &got,
            &format!("weight gradient, {what}"),
        );

        let mut got = vec![f64::NAN; batch * s.len()];
        let w_t = wm.t().as_standard_layout().to_owned();
        direct::input_gradient(&slice(&dz), &slice(&w_t), s, k, &mut got);
        close(
            &slice(&col2im(&dz.dot(&wm.t()), s, k, batch)),
            &got,
            &format!("input gradient, {what}"),
        );
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
    let x = Array2::from_shape_fn((2, s.len()), |_| crate::random::normal(&mut r) as f64);
    let cols = im2col(&x, s, 2);
    assert_eq!(cols.dim(), (2 * 4 * 3, 12));
    let c = Array2::from_shape_fn(cols.dim(), |_| crate::random::normal(&mut r) as f64);
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
    let e = big_kernel.check_ref().unwrap_err().to_string();
    assert!(e.contains("30×30 kernel") && e.contains("28×28×1"), "{e}");
    let odd_pool = ConvParams::new(&[
        Stage::Conv {
            channels: 4,
            kernel: 5,
        },
        Stage::MaxPool { size: 5 },
    ]);
    let e = odd_pool.check_ref().unwrap_err().to_string();
    assert!(e.contains("5×5 pool") && e.contains("24×24×4"), "{e}");
    let after_dense = ConvParams::new(&[Stage::Dense { width: 8 }, Stage::MaxPool { size: 2 }]);
    assert!(after_dense
        .check_ref()
        .unwrap_err()
        .to_string()
        .contains("after a dense layer"));
    let (params, _) = ConvParams::lenet().check().unwrap().check_shapes(10).unwrap();
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
    // and a net whose convolutions run on the direct kernels (16 and 32 channels)
    let direct = ConvParams::new(&[
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
        Stage::Dense { width: 16 },
    ])
    .epochs(2)
    .batch_size(64)
    .verbose(false);
    for params in [params, direct] {
        let one = params.clone().threads(1).fit(&images).unwrap();
        let three = params.threads(3).fit(&images).unwrap();
        assert_eq!(one.net, three.net);
        assert_eq!(
            one.history.epochs[1].train_loss,
            three.history.epochs[1].train_loss
        );
    }
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

/// The trainer keeps a pass's buffers (im2col copies, pooling winners, dropout masks, gradients)
/// across batches: a pass through buffers that batches of another size and of the same size
/// used before gives every number a fresh pass gives, and the evaluation pass (in chunks) the
/// same logits row by row.
#[test]
fn kept_buffers_change_no_number() {
    let images = crate::data::fashion_mnist()
        .unwrap()
        .train
        .subsample(130, 5)
        .unwrap();
    let params = ConvParams::new(&[
        Stage::Conv {
            channels: 3,
            kernel: 5,
        },
        Stage::MaxPool { size: 2 },
        Stage::Dropout { percent: 30 },
        Stage::Conv {
            channels: 4,
            kernel: 3,
        },
        Stage::MaxPool { size: 2 },
        Stage::Dense { width: 8 },
    ])
    .check()
    .unwrap();
    let net = params.trainer(&images).unwrap().model().clone();
    let y: Vec<usize> = images.y.to_vec();
    let rows = |r: std::ops::Range<usize>| (images.x.slice(ndarray::s![r.clone(), ..]), &y[r]);
    let (x, labels) = rows(80..130);
    let (fresh_loss, fresh_correct, d_ws, d_bs) =
        net.forward_backward(x.to_owned(), labels, 0.01, &mut rng(3));
    let mut grads: Vec<Vec<f32>> = d_ws
        .iter()
        .zip(&d_bs)
        .flat_map(|(w, b)| [vec![f32::NAN; w.len()], vec![f32::NAN; b.len()]])
        .collect();
    let mut work = Workspace::default();
    for (r, seed) in [(0..30, 4), (30..80, 5)] {
        let (x, labels) = rows(r);
        net.forward_backward_into(x, labels, 0.01, &mut rng(seed), &mut work, &mut grads);
    }
    let (loss, correct) = net.forward_backward_into(x, labels, 0.01, &mut rng(3), &mut work, &mut grads);
    assert_eq!((loss, correct), (fresh_loss, fresh_correct));
    let fresh: Vec<f32> = d_ws
        .iter()
        .zip(&d_bs)
        .flat_map(|(w, b)| w.iter().chain(b.iter()).copied().collect::<Vec<_>>())
        .collect();
    assert_eq!(grads.concat(), fresh);
    let all = net.logits(images.x.view());
    for (i, row) in images.x.rows().into_iter().enumerate().step_by(17) {
        let one = net.logits(row.insert_axis(ndarray::Axis(0)));
        assert_eq!(one.row(0), all.row(i));
    }
}

/// A net may start with pooling or dropout (no gradient is needed for the images themselves).
#[test]
fn a_net_may_start_with_pooling() {
    let images = crate::data::fashion_mnist()
        .unwrap()
        .train
        .subsample(200, 1)
        .unwrap();
    for first in [Stage::MaxPool { size: 2 }, Stage::Dropout { percent: 10 }] {
        let net = ConvParams::new(&[
            first,
            Stage::Conv {
                channels: 2,
                kernel: 3,
            },
            Stage::Dense { width: 8 },
        ])
        .epochs(2)
        .batch_size(50)
        .verbose(false)
        .fit(&images)
        .unwrap();
        assert!(net.history.last().unwrap().train_loss.is_finite(), "{first:?}");
    }
}

/// A step's products, as the benchmark times them: LeNet at batch 128 runs 11 (a forward product
/// and a weight gradient for each of its 4 layers, an input gradient for all but the first).
#[test]
fn a_steps_products_follow_the_layers() {
    let images = crate::data::fashion_mnist()
        .unwrap()
        .train
        .subsample(50, 1)
        .unwrap();
    let net = ConvParams::lenet().trainer(&images).unwrap().model().clone();
    let products = net.step_products(128);
    assert_eq!(products.len(), 4 + 4 + 3);
    let first = &products[0];
    assert_eq!(
        (first.layer.as_str(), first.kind),
        ("conv 1", ProductKind::Forward)
    );
    assert_eq!((first.m, first.k, first.n), (128 * 24 * 24, 25, 16));
    let last = products.last().unwrap();
    assert_eq!(
        (last.layer.as_str(), last.kind),
        ("conv 1", ProductKind::WeightGradient)
    );
    assert!(!products
        .iter()
        .any(|p| p.layer == "conv 1" && p.kind == ProductKind::InputGradient));
    // the operands have the shapes the product needs, laid out as the step lays them out
    for p in &products {
        let (a, b) = p.kind.operands::<f32>(p).unwrap();
        let (a, b) = p.kind.views(&a, &b);
        assert_eq!((a.dim(), b.dim()), ((p.m, p.k), (p.k, p.n)), "{p:?}");
    }
    // a batch too large to hold: an error that says what to do, before anything is allocated
    let huge = &net.step_products(usize::MAX / 2)[0];
    let err = huge.kind.operands::<f32>(huge).unwrap_err().to_string();
    assert!(
        err.contains("product operands") && err.contains("smaller batch"),
        "{err}"
    );
    let flops: f64 = products.iter().map(Product::flops).sum();
    assert!(flops > 0.0);
}

/// "Same" convolutions: the output keeps the input's height and width, gradients match finite
/// differences with the padding first and in the middle of the net, through im2col (3 channels)
/// and the direct kernels (16 and 32), and every parameter count and step product follows.
#[test]
fn same_convolutions_keep_the_shape_and_their_gradients() {
    // 6×6×2 images: same 3×3 → 6×6×3, pool 2 → 3×3×3, same 3×3 → 3×3×16, dense 5, output 3
    let input = Shape {
        height: 6,
        width: 6,
        channels: 2,
    };
    for (first, second) in [(3, 16), (16, 32), (3, 4)] {
        let stages = [
            Stage::ConvSame {
                channels: first,
                kernel: 3,
            },
            Stage::MaxPool { size: 2 },
            Stage::ConvSame {
                channels: second,
                kernel: 3,
            },
            Stage::Dense { width: 5 },
        ];
        for activation in [Activation::Sigmoid, Activation::Relu] {
            let mut r = rng(5);
            let net = ConvNet::<f64>::init(input, &stages, 3, activation, Init::Xavier, &mut r);
            // the pooled output is 3×3×first, so the second convolution's output is 3×3×second
            let Block::Dense { w, .. } = &net.blocks[5] else {
                panic!("blocks: pad, conv, pool, pad, conv, dense")
            };
            assert_eq!(w.nrows(), 3 * 3 * second);
            let x = Array2::from_shape_fn((3, input.len()), |_| crate::random::normal(&mut r) as f64);
            assert_gradients_match(
                &net,
                &x,
                &[2, 0, 1],
                &format!("same {first}-{second}, {activation:?}"),
            );
        }
        let params = ConvParams::new(&stages).image(6, 6, 2).check().unwrap();
        let (n, _) = params.check_shapes(3).unwrap();
        let mut r = rng(5);
        let net = ConvNet::<f32>::init(input, &stages, 3, Activation::Relu, Init::He, &mut r);
        assert_eq!(n as usize, net.n_params());
        // the first convolution reads the padded 8×8 image: 36 positions per example
        let products = net.step_products(10);
        assert_eq!(products[0].layer, "conv 1");
        assert_eq!((products[0].m, products[0].k), (10 * 36, 3 * 3 * 2));
    }
    assert!(ConvParams::new(&[Stage::ConvSame {
        channels: 4,
        kernel: 3
    }])
    .shape_name()
    .contains("c4k3s"));
}

/// Padding and cropping are adjoint: ⟨pad(x), y⟩ = ⟨x, crop(y)⟩; the border is zero.
#[test]
fn padding_and_cropping_are_adjoint() {
    use super::layers::{crop_into, pad_into};
    let s = Shape {
        height: 4,
        width: 5,
        channels: 3,
    };
    let pad = 2;
    let big = s.padded(pad);
    let mut r = rng(6);
    let x = Array2::from_shape_fn((2, s.len()), |_| crate::random::normal(&mut r) as f64);
    let y = Array2::from_shape_fn((2, big.len()), |_| crate::random::normal(&mut r) as f64);
    let mut px = Array2::from_elem((2, big.len()), 7.0);
    pad_into(x.view(), s, pad, &mut px);
    let mut cy = Array2::from_elem((2, s.len()), 7.0);
    crop_into(y.view(), s, pad, &mut cy);
    let (lhs, rhs) = ((&px * &y).sum(), (&x * &cy).sum());
    assert!((lhs - rhs).abs() < 1e-12, "{lhs} vs {rhs}");
    assert_eq!(px.sum(), x.sum()); // zeros around, every value of x once
    assert_eq!(px[[0, 0]], 0.0);
}

/// A "same" convolution needs an odd kernel: an even one is a clear error, not a shifted output.
#[test]
fn a_same_convolution_with_an_even_kernel_is_an_error() {
    let p = ConvParams::new(&[Stage::ConvSame {
        channels: 4,
        kernel: 4,
    }]);
    let err = p.check().unwrap_err().to_string();
    assert!(err.contains("even kernel") && err.contains("odd"), "{err}");
}
