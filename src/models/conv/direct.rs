//! A convolution computed where its windows lie, without the im2col copy: the forward pass, the
//! weight gradient and the input gradient of a convolution with 16 or 32 output channels (the
//! lesson's LeNet: 16 then 32), each as register-blocked loops over one example's image.
//!
//! Through im2col, LeNet's first layer copies every 5 × 5 window of a batch into a 73,728 × 25
//! matrix (7.4 MB a batch of 128), its second a 8,192 × 400 one (13 MB), and the input gradient
//! writes and re-reads a second matrix of that size; those passes over memory cost about as much
//! as the products. Here each output position reads its window from the image itself (a window is
//! k runs of k·C contiguous values, one per image row), so nothing the size of the windows is ever
//! written:
//! - forward, z = Σ window · W + b: R positions of a row at a time, their N sums in registers;
//! - weight gradient, ∂W = Σ windowᵀ ∂z: T taps (rows of W) at a time, their N sums in registers
//!   over every position of a block of examples; blocks of [`EXAMPLES_PER_BLOCK`] examples give
//!   partial sums added in block order, so the thread count changes no bit;
//! - input gradient, ∂x = Σ over positions of ∂z · Wᵀ added back onto the window: 16 values of a
//!   window run for R positions at a time, from Wᵀ.
//!
//! Every entry is a sequence of fused multiply-adds in a fixed order, so the bits are the same
//! with or without AVX-512, on any thread count, in f32 and f64 alike (the f64 gradient check
//! runs this code). The loops are plain Rust over fixed-size arrays; the compiler vectorises them
//! in the copies compiled for AVX-512 and for AVX2 (both with FMA), chosen when the processor has
//! them. A processor with neither, or another number of channels, keeps im2col and a product.

use super::Shape;
use crate::kernels::Real;
use crate::models::activation::Activation;
use rayon::prelude::*;
use std::sync::OnceLock;

/// Examples per block of the weight gradient's partial sums: a fixed size, so the sums are
/// grouped the same way whatever the thread count.
pub const EXAMPLES_PER_BLOCK: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Isa {
    Avx512,
    Avx2,
    Plain,
}

fn isa() -> Isa {
    static ISA: OnceLock<Isa> = OnceLock::new();
    *ISA.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            if !is_x86_feature_detected!("fma") {
                return Isa::Plain;
            }
            if is_x86_feature_detected!("avx512f") {
                return Isa::Avx512;
            }
            if is_x86_feature_detected!("avx2") {
                return Isa::Avx2;
            }
        }
        Isa::Plain
    })
}

/// Whether a convolution with `channels` output channels runs on these kernels on this processor.
pub fn applies(channels: usize) -> bool {
    matches!(channels, 16 | 32) && isa() != Isa::Plain
}

/// Defines `$name::<F, N, R>(args)`, which runs `$body_fn::<F, N, R>(args)` compiled for AVX-512
/// or AVX2 (with FMA) as the processor allows, plain otherwise.
macro_rules! dispatched {
    ($name:ident => $inner:ident ($($arg:ident : $ty:ty),* $(,)?)) => {
        fn $name<F: Real, const N: usize, const R: usize>($($arg: $ty),*) {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512vl,fma")]
                unsafe fn wide<F: Real, const N: usize, const R: usize>($($arg: $ty),*) {
                    $inner::<F, N, R>($($arg),*)
                }
                #[target_feature(enable = "avx2,fma")]
                unsafe fn narrow<F: Real, const N: usize, const R: usize>($($arg: $ty),*) {
                    $inner::<F, N, R>($($arg),*)
                }
                match isa() {
                    // SAFETY: isa() found these features on this processor.
                    Isa::Avx512 => return unsafe { wide::<F, N, R>($($arg),*) },
                    Isa::Avx2 => return unsafe { narrow::<F, N, R>($($arg),*) },
                    Isa::Plain => {}
                }
            }
            $inner::<F, N, R>($($arg),*)
        }
    };
}

/// Output positions of a convolution with kernel `k` on `s` (stride 1, no padding).
fn out_size(s: Shape, k: usize) -> (usize, usize) {
    (s.height - k + 1, s.width - k + 1)
}

// ---------------------------------------------------------------------------------------------
// forward

/// out ← g(Σ window · W + b) for every example of `x` (B × H·W·C) into `out` (B × H'·W'·N):
/// `w` is the k·k·C × N weight matrix in row-major order, `b` its N biases.
pub fn forward<F: Real>(x: &[F], s: Shape, k: usize, w: &[F], b: &[F], g: Activation, out: &mut [F]) {
    let (ho, wo) = out_size(s, k);
    let n = b.len();
    assert!(
        applies(n) && w.len() == k * k * s.channels * n && x.len() / s.len() == out.len() / (ho * wo * n),
        "the direct forward pass's shapes"
    );
    out.par_chunks_mut(ho * wo * n)
        .zip(x.par_chunks(s.len()))
        .for_each(|(o, img)| match n {
            16 => forward_image::<F, 16, 12>(img, s, k, w, b, g, o),
            _ => forward_image::<F, 32, 8>(img, s, k, w, b, g, o),
        });
}

dispatched!(forward_image => forward_image_plain(img: &[F], s: Shape, k: usize, w: &[F], b: &[F], g: Activation, out: &mut [F]));

/// One image: R positions of each output row at a time, then one at a time.
#[inline(always)]
fn forward_image_plain<F: Real, const N: usize, const R: usize>(
    img: &[F],
    s: Shape,
    k: usize,
    w: &[F],
    b: &[F],
    g: Activation,
    out: &mut [F],
) {
    let (ho, wo) = out_size(s, k);
    assert!(img.len() == s.len() && w.len() == k * k * s.channels * N && out.len() == ho * wo * N);
    let bias: &[F; N] = b.try_into().expect("N biases");
    for i in 0..ho {
        let mut j = 0;
        while j + R <= wo {
            // SAFETY: positions (i, j..j + R) and their windows lie inside the image and the
            // output, whose lengths are checked above.
            unsafe { forward_block::<F, N, R>(img, s, k, w, bias, g, i, j, out) };
            j += R;
        }
        while j < wo {
            unsafe { forward_block::<F, N, 1>(img, s, k, w, bias, g, i, j, out) };
            j += 1;
        }
    }
}

/// g(z) at positions (i, j..j + R): the window's values in im2col's order (rows of the window,
/// each a run of k·C values), one fused multiply-add per term, then the bias and the activation.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn forward_block<F: Real, const N: usize, const R: usize>(
    img: &[F],
    s: Shape,
    k: usize,
    w: &[F],
    bias: &[F; N],
    g: Activation,
    i: usize,
    j: usize,
    out: &mut [F],
) {
    let c = s.channels;
    let run = k * c;
    let mut acc = [[F::zero(); N]; R];
    for di in 0..k {
        let x = unsafe { img.as_ptr().add(((i + di) * s.width + j) * c) };
        let wr = unsafe { w.as_ptr().add(di * run * N) };
        for u in 0..run {
            let wv = unsafe { &*(wr.add(u * N) as *const [F; N]) };
            for (r, acc) in acc.iter_mut().enumerate() {
                let xv = unsafe { *x.add(r * c + u) };
                for (a, &wn) in acc.iter_mut().zip(wv) {
                    *a = xv.mul_add(wn, *a);
                }
            }
        }
    }
    let o = &mut out[(i * out_size(s, k).1 + j) * N..][..R * N];
    for (o, acc) in o.chunks_exact_mut(N).zip(&acc) {
        let z: [F; N] = std::array::from_fn(|n| acc[n] + bias[n]);
        match g {
            Activation::Relu => o
                .iter_mut()
                .zip(z)
                .for_each(|(o, z)| *o = Activation::Relu.apply(z)),
            Activation::Tanh => o
                .iter_mut()
                .zip(z)
                .for_each(|(o, z)| *o = Activation::Tanh.apply(z)),
            Activation::Sigmoid => o
                .iter_mut()
                .zip(z)
                .for_each(|(o, z)| *o = Activation::Sigmoid.apply(z)),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// weight gradient

/// ∂W ← Σ over every example and position of windowᵀ · ∂z, into `d_w` (k·k·C × N, row-major):
/// `x` is the layer's input (B × H·W·C), `d_z` the gradient at its pre-activation output
/// (B × H'·W'·N). `partials` is scratch kept across batches (one ∂W per block of examples).
pub fn weight_gradient<F: Real>(
    x: &[F],
    d_z: &[F],
    s: Shape,
    k: usize,
    d_w: &mut [F],
    partials: &mut Vec<F>,
) {
    let (ho, wo) = out_size(s, k);
    let taps = k * k * s.channels;
    let n = d_w.len() / taps;
    let examples = x.len() / s.len();
    assert!(
        applies(n) && d_w.len() == taps * n && d_z.len() == examples * ho * wo * n,
        "the direct weight gradient's shapes"
    );
    let blocks = examples.div_ceil(EXAMPLES_PER_BLOCK);
    partials.resize(blocks * taps * n, F::zero());
    partials
        .par_chunks_mut(taps * n)
        .zip(x.par_chunks(EXAMPLES_PER_BLOCK * s.len()))
        .zip(d_z.par_chunks(EXAMPLES_PER_BLOCK * ho * wo * n))
        .for_each(|((p, x), d)| match n {
            16 => weight_gradient_block::<F, 16, 12>(x, d, s, k, p),
            _ => weight_gradient_block::<F, 32, 6>(x, d, s, k, p),
        });
    // the blocks' sums added in block order, spans of ∂W in parallel
    let partials = &partials[..];
    d_w.par_chunks_mut(MERGE_SPAN).enumerate().for_each(|(span, d)| {
        let (at, len) = (span * MERGE_SPAN, d.len());
        let mut parts = partials.chunks(taps * n).map(|p| &p[at..at + len]);
        d.copy_from_slice(parts.next().expect("at least one example"));
        for p in parts {
            d.iter_mut().zip(p).for_each(|(d, &v)| *d = *d + v);
        }
    });
}

/// Values of ∂W per parallel task when the blocks' partial sums are added.
const MERGE_SPAN: usize = 2048;

dispatched!(weight_gradient_block => weight_gradient_block_plain(x: &[F], d_z: &[F], s: Shape, k: usize, out: &mut [F]));

/// One block of examples' ∂W: T taps (rows of ∂W) at a time, then one at a time.
#[inline(always)]
fn weight_gradient_block_plain<F: Real, const N: usize, const T: usize>(
    x: &[F],
    d_z: &[F],
    s: Shape,
    k: usize,
    out: &mut [F],
) {
    let (ho, wo) = out_size(s, k);
    let taps = k * k * s.channels;
    assert!(
        x.len().is_multiple_of(s.len())
            && d_z.len() == x.len() / s.len() * ho * wo * N
            && out.len() == taps * N
    );
    let mut t = 0;
    while t + T <= taps {
        // SAFETY: taps t..t + T exist, and every window of every image lies inside `x` (checked above).
        unsafe { weight_gradient_tile::<F, N, T>(x, d_z, s, k, t, &mut out[t * N..(t + T) * N]) };
        t += T;
    }
    while t < taps {
        unsafe { weight_gradient_tile::<F, N, 1>(x, d_z, s, k, t, &mut out[t * N..(t + 1) * N]) };
        t += 1;
    }
}

/// Rows t0..t0 + T of ∂W over every example of the block and every position, in that order.
#[inline(always)]
unsafe fn weight_gradient_tile<F: Real, const N: usize, const T: usize>(
    x: &[F],
    d_z: &[F],
    s: Shape,
    k: usize,
    t0: usize,
    out: &mut [F],
) {
    let (ho, wo) = out_size(s, k);
    let (c, run) = (s.channels, k * s.channels);
    // where tap t0 + tt sits in the image, from its window's top-left value
    let at: [usize; T] = std::array::from_fn(|tt| (t0 + tt) / run * s.width * c + (t0 + tt) % run);
    let mut acc = [[F::zero(); N]; T];
    for (img, dz) in x.chunks_exact(s.len()).zip(d_z.chunks_exact(ho * wo * N)) {
        for i in 0..ho {
            for j in 0..wo {
                let window = unsafe { img.as_ptr().add((i * s.width + j) * c) };
                let d = unsafe { &*(dz.as_ptr().add((i * wo + j) * N) as *const [F; N]) };
                for (acc, &at) in acc.iter_mut().zip(&at) {
                    let xv = unsafe { *window.add(at) };
                    for (a, &dn) in acc.iter_mut().zip(d) {
                        *a = xv.mul_add(dn, *a);
                    }
                }
            }
        }
    }
    for (o, acc) in out.chunks_exact_mut(N).zip(&acc) {
        o.copy_from_slice(acc);
    }
}

// ---------------------------------------------------------------------------------------------
// input gradient

/// ∂x ← for every position, ∂z · Wᵀ added back onto its window, into `d_x` (B × H·W·C, every
/// entry overwritten): `d_z` is B × H'·W'·N, `w_t` the N × k·k·C transpose of W.
pub fn input_gradient<F: Real>(d_z: &[F], w_t: &[F], s: Shape, k: usize, d_x: &mut [F]) {
    let (ho, wo) = out_size(s, k);
    let n = w_t.len() / (k * k * s.channels);
    assert!(
        applies(n) && d_z.len() / (ho * wo * n) == d_x.len() / s.len(),
        "the direct input gradient's shapes"
    );
    d_x.par_chunks_mut(s.len())
        .zip(d_z.par_chunks(ho * wo * n))
        .for_each(|(dx, dz)| match n {
            16 => input_gradient_image::<F, 16, 8>(dz, w_t, s, k, dx),
            _ => input_gradient_image::<F, 32, 8>(dz, w_t, s, k, dx),
        });
}

dispatched!(input_gradient_image => input_gradient_image_plain(d_z: &[F], w_t: &[F], s: Shape, k: usize, d_x: &mut [F]));

/// Values of a window's run handled together (one AVX-512 register of f32).
const SPAN: usize = 16;

/// One image: R positions of each output row at a time, each window run in spans of [`SPAN`]
/// values (the run's tail one value at a time).
#[inline(always)]
fn input_gradient_image_plain<F: Real, const N: usize, const R: usize>(
    d_z: &[F],
    w_t: &[F],
    s: Shape,
    k: usize,
    d_x: &mut [F],
) {
    let (ho, wo) = out_size(s, k);
    let run = k * s.channels;
    assert!(d_z.len() == ho * wo * N && w_t.len() == N * k * run && d_x.len() == s.len());
    d_x.fill(F::zero());
    for i in 0..ho {
        let mut j = 0;
        while j < wo {
            let r = if j + R <= wo { R } else { 1 };
            for di in 0..k {
                let mut u = 0;
                while u + SPAN <= run {
                    // SAFETY: positions (i, j..j + r), their windows and the values u..u + SPAN of
                    // window row di lie inside d_z, w_t and d_x, whose lengths are checked above.
                    unsafe {
                        if r == R {
                            input_gradient_span::<F, N, R, SPAN>(d_z, w_t, s, k, i, j, di, u, d_x)
                        } else {
                            input_gradient_span::<F, N, 1, SPAN>(d_z, w_t, s, k, i, j, di, u, d_x)
                        }
                    }
                    u += SPAN;
                }
                while u < run {
                    unsafe {
                        if r == R {
                            input_gradient_span::<F, N, R, 1>(d_z, w_t, s, k, i, j, di, u, d_x)
                        } else {
                            input_gradient_span::<F, N, 1, 1>(d_z, w_t, s, k, i, j, di, u, d_x)
                        }
                    }
                    u += 1;
                }
            }
            j += r;
        }
    }
}

/// Values u..u + S of window row di, for positions (i, j..j + R): Σ over the N channels of
/// ∂z · Wᵀ (fused multiply-adds from zero, channel by channel), then added onto ∂x position by
/// position.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn input_gradient_span<F: Real, const N: usize, const R: usize, const S: usize>(
    d_z: &[F],
    w_t: &[F],
    s: Shape,
    k: usize,
    i: usize,
    j: usize,
    di: usize,
    u: usize,
    d_x: &mut [F],
) {
    let (_, wo) = out_size(s, k);
    let (c, run) = (s.channels, k * s.channels);
    let taps = k * run;
    let dz = unsafe { d_z.as_ptr().add((i * wo + j) * N) };
    let mut acc = [[F::zero(); S]; R];
    for n in 0..N {
        let wv = unsafe { &*(w_t.as_ptr().add(n * taps + di * run + u) as *const [F; S]) };
        for (r, acc) in acc.iter_mut().enumerate() {
            let dv = unsafe { *dz.add(r * N + n) };
            for (a, &wn) in acc.iter_mut().zip(wv) {
                *a = dv.mul_add(wn, *a);
            }
        }
    }
    let dx = unsafe { d_x.as_mut_ptr().add(((i + di) * s.width + j) * c + u) };
    for (r, acc) in acc.iter().enumerate() {
        for (v, &a) in acc.iter().enumerate() {
            let p = unsafe { dx.add(r * c + v) };
            unsafe { *p = *p + a };
        }
    }
}
