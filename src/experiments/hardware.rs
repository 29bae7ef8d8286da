//! Chapter 2's measurements on the machine that runs the lesson: where the speed of a matrix
//! product comes from, what the processor could do at most, what training costs, and how many
//! experiments fit in an hour — with projections onto published hardware, labelled as such.

use crate::error::{Result, TakeoffError};
use crate::kernels::reference::{matmul_flops, Kernel};
use linfa::ParamGuard;
use ndarray::Array2;
use rayon::prelude::*;
use std::time::Instant;

/// Median GFLOP/s of `kernel` on an n × n product over `reps` runs (machine-dependent).
pub fn measure(kernel: Kernel, n: usize, reps: usize) -> Result<f64> {
    if n == 0 || reps == 0 {
        return Err(TakeoffError::invalid(
            "matrix size and repetitions",
            format!("{n}, {reps}"),
            "both at least 1",
        ));
    }
    let a = Array2::from_shape_fn((n, n), |(i, j)| ((i * 7 + j * 3) % 11) as f32 / 11.0);
    let b = Array2::from_shape_fn((n, n), |(i, j)| ((i * 5 + j) % 13) as f32 / 13.0);
    let mut t: Vec<f64> = (0..reps)
        .map(|_| {
            let s = Instant::now();
            std::hint::black_box(kernel.run(&a, &b));
            s.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    Ok(matmul_flops(n, n, n) / t[t.len() / 2] / 1e9)
}

/// This process's peak resident memory so far in MB (Linux's VmHWM; NaN elsewhere).
pub fn peak_resident_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM")).map(|l| l.to_string()))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse::<f64>().ok()))
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// The f32 multiply-add throughput this machine reaches, measured by a loop of independent
/// fused multiply-adds (no memory traffic), on one core and on every core.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeasuredPeak {
    pub one_core_gflops: f64,
    pub all_cores_gflops: f64,
    /// The instructions used: "AVX-512 FMA", "AVX2 FMA" or "scalar multiply-add".
    pub method: &'static str,
}

/// Independent accumulators per loop: enough to hide an FMA's latency on two units.
const CHAINS: usize = 12;

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn fma_loop_avx512(iters: usize) -> f32 {
    use std::arch::x86_64::*;
    let (a, b) = (_mm512_set1_ps(0.999_999), _mm512_set1_ps(1e-7));
    let mut acc = [_mm512_set1_ps(1.0); CHAINS];
    for _ in 0..iters {
        for v in acc.iter_mut() {
            *v = _mm512_fmadd_ps(*v, a, b);
        }
    }
    let mut sum = _mm512_setzero_ps();
    for v in acc {
        sum = _mm512_add_ps(sum, v);
    }
    _mm512_reduce_add_ps(sum)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn fma_loop_avx2(iters: usize) -> f32 {
    use std::arch::x86_64::*;
    let (a, b) = (_mm256_set1_ps(0.999_999), _mm256_set1_ps(1e-7));
    let mut acc = [_mm256_set1_ps(1.0); CHAINS];
    for _ in 0..iters {
        for v in acc.iter_mut() {
            *v = _mm256_fmadd_ps(*v, a, b);
        }
    }
    let mut out = [0.0f32; 8];
    let mut sum = _mm256_setzero_ps();
    for v in acc {
        sum = _mm256_add_ps(sum, v);
    }
    _mm256_storeu_ps(out.as_mut_ptr(), sum);
    out.iter().sum()
}

/// `iters` rounds of multiply-adds over [`CHAINS`] independent vectors with the widest
/// instructions this processor has: (flops done, method, a value that depends on every one).
fn fma_loop(iters: usize) -> (f64, &'static str, f32) {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("avx512f") {
            // SAFETY: the processor reports AVX-512F, the only feature the function enables.
            let v = unsafe { fma_loop_avx512(iters) };
            return ((iters * CHAINS * 16 * 2) as f64, "AVX-512 FMA", v);
        }
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            // SAFETY: the processor reports AVX2 and FMA, the features the function enables.
            let v = unsafe { fma_loop_avx2(iters) };
            return ((iters * CHAINS * 8 * 2) as f64, "AVX2 FMA", v);
        }
    }
    let mut acc = [1.0f32; CHAINS * 8];
    for _ in 0..iters {
        for v in acc.iter_mut() {
            *v = *v * 0.999_999 + 1e-7;
        }
    }
    (
        (iters * CHAINS * 8 * 2) as f64,
        "scalar multiply-add",
        acc.iter().sum(),
    )
}

/// GFLOP/s of [`fma_loop`] on `threads` threads at once (median of `reps` runs of about 0.1 s).
fn fma_gflops(threads: usize, reps: usize) -> Result<(f64, &'static str)> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| {
            TakeoffError::invalid("threads", threads, format!("a count the system can start ({e})"))
        })?;
    let iters = 20_000_000;
    let mut runs = Vec::new();
    let mut method = "";
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        let done: Vec<(f64, &'static str, f32)> =
            pool.install(|| (0..threads).into_par_iter().map(|_| fma_loop(iters)).collect());
        let seconds = t.elapsed().as_secs_f64();
        method = done[0].1;
        std::hint::black_box(done.iter().map(|d| d.2).sum::<f32>());
        runs.push(done.iter().map(|d| d.0).sum::<f64>() / seconds / 1e9);
    }
    runs.sort_by(f64::total_cmp);
    Ok((runs[runs.len() / 2], method))
}

/// Measures [`MeasuredPeak`] on one core and on `cores` cores (machine-dependent: a timing cell).
pub fn measure_peak(cores: usize) -> Result<MeasuredPeak> {
    let (one, method) = fma_gflops(1, 3)?;
    let (all, _) = fma_gflops(cores.max(1), 3)?;
    Ok(MeasuredPeak {
        one_core_gflops: one,
        all_cores_gflops: all,
        method,
    })
}

/// What the processor could do at most: from what it reports, and, once measured, from an FMA
/// loop ([`Cpu::with_measured_peak`]), which is the figure fractions of peak use.
#[derive(Debug, Clone, PartialEq)]
pub struct Cpu {
    pub model: String,
    pub cores: usize,
    pub ghz: f64,
    /// f32 lanes of the widest vector unit (16 for AVX-512, 8 for AVX2, 4 for SSE/NEON).
    pub f32_lanes: usize,
    pub fma: bool,
    /// Vector FMA units per core: not reported by the CPU, assumed 2 (true of most x86 cores
    /// since 2013); the peak is labelled with this assumption.
    pub fma_units: usize,
    /// The peak measured by an FMA loop, once [`Cpu::with_measured_peak`] ran.
    pub measured: Option<MeasuredPeak>,
}

impl Cpu {
    /// Reads `/proc/cpuinfo` (Linux) and the number of cores rayon uses; falls back to SSE-class
    /// figures when a field is missing.
    pub fn detect() -> Cpu {
        let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        Cpu::from_cpuinfo(&info, rayon::current_num_threads())
    }

    /// Parses the text of `/proc/cpuinfo`.
    pub fn from_cpuinfo(info: &str, cores: usize) -> Cpu {
        let field = |name: &str| {
            info.lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split(':').nth(1))
                .map(|v| v.trim().to_string())
        };
        let flags = field("flags").unwrap_or_default();
        let has = |f: &str| flags.split_whitespace().any(|x| x == f);
        let f32_lanes = if has("avx512f") {
            16
        } else if has("avx2") || has("avx") {
            8
        } else {
            4
        };
        Cpu {
            model: field("model name").unwrap_or_else(|| "unknown processor".into()),
            cores: cores.max(1),
            ghz: field("cpu MHz")
                .and_then(|v| v.parse::<f64>().ok())
                .map(|m| m / 1000.0)
                .unwrap_or(1.0),
            f32_lanes,
            fma: has("fma"),
            fma_units: 2,
            measured: None,
        }
    }

    /// This processor with its peak measured on every core it uses ([`measure_peak`]).
    pub fn with_measured_peak(mut self) -> Result<Cpu> {
        self.measured = Some(measure_peak(self.cores)?);
        Ok(self)
    }

    /// The peak fractions are taken of: measured on every core when it was, else the formula.
    pub fn peak_gflops(&self) -> f64 {
        self.measured
            .map_or(self.formula_gflops(), |m| m.all_cores_gflops)
    }

    /// One core's peak: measured when it was, else the formula's share.
    pub fn one_core_peak_gflops(&self) -> f64 {
        self.measured
            .map_or(self.formula_gflops() / self.cores as f64, |m| m.one_core_gflops)
    }

    /// Theoretical f32 peak from /proc/cpuinfo: cores × GHz × lanes × (2 flops per FMA, else 1)
    /// × FMA units. The clock is the one at the moment of reading, not the boost clock the loops
    /// run at, so this can be far from what the processor does.
    pub fn formula_gflops(&self) -> f64 {
        let per_op = if self.fma { 2.0 } else { 1.0 };
        self.cores as f64 * self.ghz * self.f32_lanes as f64 * per_op * self.fma_units as f64
    }

    /// One line describing the machine, the formula and, once measured, the measured peak.
    pub fn describe(&self) -> crate::lang::Text {
        let (cores, model, ghz, lanes, units) =
            (self.cores, &self.model, self.ghz, self.f32_lanes, self.fma_units);
        let formula = format!(
            "{:.0} GFLOP/s = {cores} × {ghz:.2} × {lanes} × {} × {units}",
            self.formula_gflops(),
            if self.fma { 2 } else { 1 }
        );
        let (fma_en, fma_zh) = if self.fma {
            (" with FMA", "，支持 FMA")
        } else {
            ("", "")
        };
        let (measured_en, measured_zh) = match self.measured {
            Some(m) => (
                format!(
                    "; measured with an {} loop: {:.0} GFLOP/s on one core, {:.0} on {cores} (fractions of peak below use the measured figures)",
                    m.method, m.one_core_gflops, m.all_cores_gflops
                ),
                format!(
                    "；用 {} 循环实测：单核 {:.0} GFLOP/s，{cores} 核 {:.0}（下文占峰值的比例都用实测值）",
                    m.method, m.one_core_gflops, m.all_cores_gflops
                ),
            ),
            None => (String::new(), String::new()),
        };
        crate::lang::Text::new(
            format!(
                "{cores} cores of {model} at {ghz:.2} GHz (as /proc/cpuinfo reports it now), {lanes} f32 lanes{fma_en}, assumed {units} vector units per core: formula peak {formula}{measured_en}"
            ),
            format!(
                "{model} 的 {cores} 个核心，主频 {ghz:.2} GHz（/proc/cpuinfo 此刻的读数），{lanes} 条 f32 向量通道{fma_zh}，假定每核 {units} 个向量单元：公式峰值 {formula}{measured_zh}"
            ),
        )
    }
}

/// Training FLOPs per example of an MLP with layer sizes `sizes`: forward 2·Σ in·out, backward
/// about twice that (the gradients of the weights and of the inputs).
pub fn mlp_flops_per_example(sizes: &[usize]) -> f64 {
    3.0 * sizes.windows(2).map(|w| 2.0 * (w[0] * w[1]) as f64).sum::<f64>()
}

/// Measured cost of one training epoch.
#[derive(Debug, Clone, PartialEq)]
pub struct EpochCost {
    pub model: String,
    pub m: usize,
    pub flops_per_example: f64,
    /// Median wall time of one epoch (s, machine-dependent).
    pub seconds: f64,
}

impl EpochCost {
    /// Training FLOPs of the epoch.
    pub fn flops(&self) -> f64 {
        self.flops_per_example * self.m as f64
    }
    /// Achieved GFLOP/s.
    pub fn gflops(&self) -> f64 {
        self.flops() / self.seconds / 1e9
    }
}

/// The median wall time of `reps` (at least one) calls of `run`, each given its repetition's
/// number (the seed of that fit).
fn median_seconds(reps: usize, mut run: impl FnMut(u64) -> Result<()>) -> Result<f64> {
    let mut t: Vec<f64> = Vec::new();
    for r in 0..reps.max(1) {
        let s = Instant::now();
        run(r as u64)?;
        t.push(s.elapsed().as_secs_f64());
    }
    t.sort_by(f64::total_cmp);
    Ok(t[t.len() / 2])
}

/// Times one epoch (median of `reps`) of each named MLP on the first `m` rows of `data`.
pub fn epoch_costs(
    models: &[(String, crate::models::mlp::MlpParams)],
    data: &crate::Dataset,
    sizes: &[usize],
    reps: usize,
) -> Result<Vec<EpochCost>> {
    let mut out = Vec::new();
    for (name, params) in models {
        for &m in sizes {
            let sub = data.subsample(m, 0)?;
            let mut layer_sizes = vec![data.n_features()];
            layer_sizes.extend(params.check_ref()?.hidden());
            layer_sizes.push(data.n_classes());
            let seconds = median_seconds(reps, |r| {
                params
                    .clone()
                    .epochs(1)
                    .seed(r)
                    .verbose(false)
                    .fit(&sub)
                    .map(drop)
            })?;
            out.push(EpochCost {
                model: name.clone(),
                m,
                flops_per_example: mlp_flops_per_example(&layer_sizes),
                seconds,
            });
        }
    }
    Ok(out)
}

/// Times one epoch (median of `reps`) of the convolutional net `params` on the first `m` rows of
/// `data` (images of the net's input shape); its FLOPs per example are those of its products,
/// forward and backward ([`crate::models::conv::ConvNet::step_products`] at one example: the
/// direct convolution kernels do the same multiply-adds).
pub fn conv_epoch_cost(
    name: &str,
    params: &crate::models::conv::ConvParams,
    data: &crate::Dataset,
    m: usize,
    reps: usize,
) -> Result<EpochCost> {
    let sub = data.subsample(m, 0)?;
    let net = params.check_ref()?.trainer(&sub)?.model().clone();
    let flops_per_example = net.step_products(1).iter().map(|p| p.flops()).sum();
    let seconds = median_seconds(reps, |r| {
        params
            .clone()
            .epochs(1)
            .seed(r)
            .verbose(false)
            .fit(&sub)
            .map(drop)
    })?;
    Ok(EpochCost {
        model: name.to_string(),
        m,
        flops_per_example,
        seconds,
    })
}

/// One epoch trained on a given number of threads.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadRun {
    pub threads: usize,
    pub seconds: f64,
    /// The first run's time over this one's (1 for the first).
    pub speedup: f64,
    /// Whether the weights equal the first run's bit for bit (`None` for the first run).
    pub same_weights: Option<bool>,
}

/// The same epoch on each thread count, in the order asked (see [`thread_counts`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadScaling {
    pub runs: Vec<ThreadRun>,
}

/// Trains `params` for one epoch on `data` with each thread count in `counts`: the time, the
/// speed-up over the first count, and whether the weights are the same bit for bit.
pub fn thread_counts(
    params: &crate::models::mlp::MlpParams,
    data: &crate::Dataset,
    counts: &[usize],
) -> Result<ThreadScaling> {
    let mut runs = Vec::new();
    let mut reference: Option<(f64, crate::models::mlp::Network<f32>)> = None;
    for &n in counts {
        let s = Instant::now();
        let model = params.clone().epochs(1).verbose(false).threads(n).fit(data)?;
        let seconds = s.elapsed().as_secs_f64();
        let (speedup, same_weights) = match &reference {
            Some((r, net)) => (r / seconds, Some(*net == model.net)),
            None => (1.0, None),
        };
        runs.push(ThreadRun {
            threads: n,
            seconds,
            speedup,
            same_weights,
        });
        reference.get_or_insert((seconds, model.net));
    }
    Ok(ThreadScaling { runs })
}

/// Least-squares slope of seconds against FLOPs through the origin: seconds per FLOP overall,
/// so 1 / slope is the achieved FLOP/s of the trainer across all the runs.
pub fn seconds_per_flop(costs: &[EpochCost]) -> f64 {
    let sxy: f64 = costs.iter().map(|c| c.flops() * c.seconds).sum();
    let sxx: f64 = costs.iter().map(|c| c.flops() * c.flops()).sum();
    if sxx > 0.0 {
        sxy / sxx
    } else {
        f64::NAN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flop_counts() {
        assert_eq!(matmul_flops(2, 3, 4), 48.0);
        // 784-256-128-10: forward 2·(784·256 + 256·128 + 128·10) = 469,504; training ≈ 3×
        assert_eq!(mlp_flops_per_example(&[784, 256, 128, 10]), 3.0 * 469_504.0);
    }

    #[test]
    fn every_kernel_computes_the_same_product() {
        let a = Array2::from_shape_fn((17, 9), |(i, j)| (i as f32 - j as f32) / 7.0);
        let b = Array2::from_shape_fn((9, 13), |(i, j)| (i * j) as f32 / 50.0);
        let reference = a.dot(&b);
        for k in Kernel::ALL {
            let c = k.run(&a, &b);
            assert!(
                c.iter().zip(reference.iter()).all(|(x, y)| (x - y).abs() < 1e-4),
                "{}",
                k.name()
            );
        }
        assert!(measure(Kernel::Loops, 0, 1).is_err());
    }

    #[test]
    fn peak_formula_reads_cpuinfo() {
        let info = "model name\t: Test CPU\ncpu MHz\t\t: 2500.000\nflags\t\t: fpu sse avx avx2 fma\n";
        let cpu = Cpu::from_cpuinfo(info, 2);
        assert_eq!(cpu.f32_lanes, 8);
        assert!(cpu.fma);
        // 2 cores × 2.5 GHz × 8 lanes × 2 (FMA) × 2 units = 160 GFLOP/s
        assert!((cpu.peak_gflops() - 160.0).abs() < 1e-9);
        let old = Cpu::from_cpuinfo("flags : sse2\n", 1);
        assert_eq!((old.f32_lanes, old.fma), (4, false));
    }

    #[test]
    fn thread_counts_report_identical_weights() {
        let data = crate::data::TeacherTask::lesson_default()
            .generate(400, 1)
            .unwrap();
        let scaling =
            thread_counts(&crate::models::mlp::MlpParams::new(&[128, 64]), &data, &[1, 2, 3]).unwrap();
        let same: Vec<Option<bool>> = scaling.runs.iter().map(|r| r.same_weights).collect();
        assert_eq!(same, [None, Some(true), Some(true)]);
        assert_eq!(scaling.runs[0].speedup, 1.0);
        assert!(thread_counts(&crate::models::mlp::MlpParams::small(), &data, &[0]).is_err());
    }

    #[test]
    fn fitted_rate_recovers_a_constant_throughput() {
        let costs: Vec<EpochCost> = [1_000, 4_000]
            .iter()
            .map(|&m| EpochCost {
                model: "x".into(),
                m,
                flops_per_example: 1e6,
                seconds: m as f64 * 1e6 / 5e9,
            })
            .collect();
        assert!((1.0 / seconds_per_flop(&costs) - 5e9).abs() < 1.0);
    }

    #[test]
    fn measured_peak_is_positive_and_used_for_fractions() {
        let cpu = Cpu::from_cpuinfo("model name : x\ncpu MHz : 2000\nflags : avx2 fma\n", 2)
            .with_measured_peak()
            .unwrap();
        let m = cpu.measured.unwrap();
        assert!(m.one_core_gflops > 0.0 && m.all_cores_gflops > 0.0, "{m:?}");
        assert_eq!(cpu.peak_gflops(), m.all_cores_gflops);
        assert_eq!(cpu.formula_gflops(), 2.0 * 2.0 * 8.0 * 2.0 * 2.0);
        assert!(cpu.describe().en.contains("measured with an"));
    }
}
