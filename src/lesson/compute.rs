//! Chapter 2's published figures, cited with their sources and kept apart from what this machine
//! measured, and the projections built from both.

use crate::data::Dataset;
use crate::error::Result;
use crate::experiments::hardware::{self, Cpu, EpochCost};
use crate::lesson::data_scale::{lesson_cnn, LARGE_NN, MEDIUM_NN, SMALL_NN};
use crate::models::mlp::MlpParams;
use crate::profile::Profile;

/// The nets whose epochs chapter 2 times: chapter 1's three fully connected nets, under the
/// names chapter 1 gives them.
pub fn timed_nets() -> Vec<(String, MlpParams)> {
    vec![
        (SMALL_NN.to_string(), MlpParams::small()),
        (MEDIUM_NN.to_string(), MlpParams::medium()),
        (LARGE_NN.to_string(), MlpParams::large()),
    ]
}

/// Chapter 2's epoch costs: each of [`timed_nets`] timed for one epoch (the median of the
/// profile's repetitions) on nested subsets of `train` of the profile's sizes.
pub fn epoch_costs(profile: Profile, train: &Dataset) -> Result<Vec<EpochCost>> {
    let sizes = profile.pick(
        vec![1_000, 4_000],
        vec![2_000, 8_000, 16_000],
        vec![5_000, 20_000, 60_000],
    );
    hardware::epoch_costs(&timed_nets(), train, &sizes, profile.pick(1, 3, 3))
}

/// One epoch of chapter 1's convolutional net ([`lesson_cnn`]) on 5,000 of `train`'s images,
/// the median of three, named "LeNet".
pub fn lenet_epoch_cost(train: &Dataset) -> Result<EpochCost> {
    hardware::conv_epoch_cost("LeNet", &lesson_cnn(), train, 5_000, 3)
}

/// A published hardware figure, for projections.
#[derive(Debug, Clone, PartialEq)]
pub struct Hardware {
    pub name: &'static str,
    pub peak_tflops_f32: f64,
    pub source: &'static str,
}

/// The hardware the lesson projects onto (peak single-precision figures from the vendors' specifications).
pub fn published_hardware() -> Vec<Hardware> {
    vec![
        Hardware {
            name: "2 × GTX 580 (AlexNet, 2012)",
            peak_tflops_f32: 2.0 * 1.581,
            source: "NVIDIA GeForce GTX 580 specification: 1,581 GFLOP/s each; Krizhevsky et al. 2012 trained on two for 5–6 days",
        },
        Hardware {
            name: "NVIDIA H100 SXM (2022), FP32",
            peak_tflops_f32: 67.0,
            source: "NVIDIA H100 SXM datasheet: 67 TFLOP/s FP32 without tensor cores",
        },
    ]
}

/// Seconds a computation of `flops` would take on `hw` if it reached the same fraction of peak
/// as it did here (`achieved_fraction`): a projection, not a measurement.
pub fn project_seconds(flops: f64, hw: &Hardware, achieved_fraction: f64) -> f64 {
    flops / (hw.peak_tflops_f32 * 1e12 * achieved_fraction.clamp(1e-6, 1.0))
}

/// The training batch of the lesson's nets (and of the GPU measurements in [`gpu_steps`]).
pub const BATCH: usize = 128;

/// The GPU measurements shipped with the lesson: `bench/gpu_step.py`, run three times on NVIDIA H200s
/// (PyTorch 2.11, CUDA 13) on 2026-12-04; `data/gpu/README.md` says how and what each column is.
const GPU_STEPS_CSV: &str = include_str!("../../data/gpu/h200-steps.csv");

/// A range over repeated runs of one measurement (low, high).
pub type Spread = (f64, f64);

/// One net's training step on a GPU, measured (not projected): PyTorch, FP32, Adam, the batch of
/// [`BATCH`], images already on the GPU. Each figure is the range over the shipped runs.
#[derive(Debug, Clone, PartialEq)]
pub struct GpuStep {
    pub model: String,
    /// The GPU, as the driver names it.
    pub device: String,
    /// PyTorch's version.
    pub torch: String,
    /// The date of the runs.
    pub date: String,
    /// How many runs the ranges below span.
    pub runs: usize,
    /// CUDA kernels one step launches (counted by PyTorch's profiler).
    pub kernels_per_step: usize,
    /// Seconds per step, run eagerly (each kernel launched from Python).
    pub eager: Spread,
    /// Seconds per step, the step captured once and replayed as one CUDA graph.
    pub graph: Spread,
    /// Seconds one kernel launch costs the host: a one-element add launched 20,000 times.
    pub launch_latency: Spread,
}

impl GpuStep {
    /// The launch floor of one eager step: its kernels times the launch latency (low, high).
    pub fn launch_floor(&self) -> Spread {
        let k = self.kernels_per_step as f64;
        (k * self.launch_latency.0, k * self.launch_latency.1)
    }
}

/// The shipped GPU measurements, one entry per net (see [`GPU_STEPS_CSV`]'s source).
pub fn gpu_steps() -> crate::error::Result<Vec<GpuStep>> {
    parse_gpu_steps(GPU_STEPS_CSV)
}

fn parse_gpu_steps(text: &str) -> crate::error::Result<Vec<GpuStep>> {
    const HEADER: &str = "run,model,kernels_per_step,seconds_per_step_eager,seconds_per_step_graph,launch_latency_seconds,device,torch,batch,date";
    let mut lines = text.lines();
    if lines.next().map(str::trim) != Some(HEADER) {
        return Err(crate::error::TakeoffError::invalid(
            "GPU measurements' header",
            text.lines().next().unwrap_or(""),
            HEADER,
        ));
    }
    let number = |field: &str| -> crate::error::Result<f64> {
        field
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && *x > 0.0)
            .ok_or_else(|| crate::error::TakeoffError::invalid("GPU measurement", field, "a positive number"))
    };
    let widen = |s: &mut Spread, x: f64| *s = (s.0.min(x), s.1.max(x));
    let mut out: Vec<GpuStep> = Vec::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != 10 {
            return Err(crate::error::TakeoffError::invalid(
                "GPU measurement row",
                line,
                "10 comma-separated fields, as the header names them",
            ));
        }
        let kernels = f[2]
            .parse::<usize>()
            .map_err(|_| crate::error::TakeoffError::invalid("kernels_per_step", f[2], "a whole number"))?;
        if f[8] != BATCH.to_string() {
            return Err(crate::error::TakeoffError::invalid(
                "GPU measurement's batch",
                f[8],
                BATCH.to_string(),
            ));
        }
        let (eager, graph, latency) = (number(f[3])?, number(f[4])?, number(f[5])?);
        match out.iter_mut().find(|g| g.model == f[1]) {
            Some(g) => {
                g.runs += 1;
                widen(&mut g.eager, eager);
                widen(&mut g.graph, graph);
                widen(&mut g.launch_latency, latency);
            }
            None => out.push(GpuStep {
                model: f[1].to_string(),
                device: f[6].to_string(),
                torch: f[7].to_string(),
                date: f[9].to_string(),
                runs: 1,
                kernels_per_step: kernels,
                eager: (eager, eager),
                graph: (graph, graph),
                launch_latency: (latency, latency),
            }),
        }
    }
    Ok(out)
}

/// One model's experiment: its training FLOPs, the time it takes here and the experiments that
/// fit in an hour, the time projected onto each published machine (same order as
/// [`ExperimentsPerHour::hardware`]), and the time its steps took on a GPU where one was measured.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentCost {
    pub model: String,
    /// The examples of the one epoch that was timed here; `seconds` scales its rate to the
    /// whole experiment (an extrapolation from a measurement, labelled so).
    pub measured_m: usize,
    pub flops: f64,
    pub seconds: f64,
    pub per_hour: f64,
    pub projected_seconds: Vec<f64>,
    /// Training steps of the experiment (batches of [`BATCH`]).
    pub steps: usize,
    /// The same net's step measured on a GPU ([`gpu_steps`]), when one was.
    pub gpu: Option<GpuStep>,
}

impl ExperimentCost {
    /// The experiment's time on the measured GPU: steps × seconds a step (low, high), eager and
    /// as one CUDA graph a step, and the eager launch floor; `None` without a measurement.
    pub fn gpu_seconds(&self) -> Option<(Spread, Spread, Spread)> {
        let g = self.gpu.as_ref()?;
        let n = self.steps as f64;
        let scale = |s: Spread| (s.0 * n, s.1 * n);
        Some((scale(g.eager), scale(g.graph), scale(g.launch_floor())))
    }
}

/// How many full experiments fit in an hour, model by model (see [`experiments_per_hour`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentsPerHour {
    pub hardware: Vec<Hardware>,
    pub rows: Vec<ExperimentCost>,
}

/// How many full experiments (`epochs` epochs on `m` examples) fit in an hour for each model,
/// measured here from its epoch cost (at its largest measured m), projected onto published
/// hardware at the same fraction of peak, and timed on a GPU from the shipped step measurements
/// ([`gpu_steps`]) for the nets they cover.
pub fn experiments_per_hour(
    costs: &[EpochCost],
    m: usize,
    epochs: usize,
    cpu: &Cpu,
) -> crate::error::Result<ExperimentsPerHour> {
    let hardware = published_hardware();
    let gpu = gpu_steps()?;
    let mut rows: Vec<ExperimentCost> = Vec::new();
    for c in costs {
        if rows.iter().any(|r| r.model == c.model) {
            continue;
        }
        let best = costs
            .iter()
            .filter(|x| x.model == c.model)
            .max_by_key(|x| x.m)
            .expect("present");
        let flops = best.flops_per_example * m as f64 * epochs as f64;
        let seconds = flops / (best.gflops() * 1e9);
        let fraction = best.gflops() / cpu.peak_gflops();
        rows.push(ExperimentCost {
            model: c.model.clone(),
            measured_m: best.m,
            flops,
            seconds,
            per_hour: 3600.0 / seconds,
            projected_seconds: hardware
                .iter()
                .map(|h| project_seconds(flops, h, fraction))
                .collect(),
            steps: m.div_ceil(BATCH) * epochs,
            gpu: gpu.iter().find(|g| g.model == c.model).cloned(),
        });
    }
    Ok(ExperimentsPerHour { hardware, rows })
}

/// AlexNet's training, from published figures: about 0.71 billion multiply-adds per 224 × 224
/// image in the forward pass (torchvision's AlexNet, whose model table lists "0.71 GFLOPS"
/// counting multiply-adds), 1.2 million training images, about 90 passes over them, five to six
/// days on two GTX 580 GPUs (Krizhevsky, Sutskever and Hinton 2012). Training is counted as three
/// forward passes (forward, and backward for the activations and the weights), two FLOPs per
/// multiply-add.
pub const ALEXNET_FORWARD_MULTIPLY_ADDS: f64 = 0.71e9;
/// AlexNet's training images.
pub const ALEXNET_IMAGES: f64 = 1.2e6;
/// AlexNet's passes over its training images.
pub const ALEXNET_EPOCHS: f64 = 90.0;

/// "Weeks against minutes" as a number: AlexNet's training FLOPs at a rate this machine measured.
#[derive(Debug, Clone, PartialEq)]
pub struct AlexNetHere {
    /// Training FLOPs, from the published figures above.
    pub training_flops: f64,
    /// The rate measured here (GFLOP/s) that the estimate uses.
    pub gflops_here: f64,
    /// The training time at that rate.
    pub seconds_here: f64,
    /// The published time on two GTX 580s (days, low and high).
    pub published_days: (f64, f64),
}

/// AlexNet's training FLOPs at `gflops_here`, a training rate measured on this machine (for
/// example the epoch-cost fit of [`crate::experiments::hardware::seconds_per_flop`]). An estimate
/// built on published figures, labelled as such where it is shown.
pub fn alexnet_here(gflops_here: f64) -> AlexNetHere {
    let training_flops = 3.0 * 2.0 * ALEXNET_FORWARD_MULTIPLY_ADDS * ALEXNET_IMAGES * ALEXNET_EPOCHS;
    AlexNetHere {
        training_flops,
        gflops_here,
        seconds_here: training_flops / (gflops_here * 1e9),
        published_days: (5.0, 6.0),
    }
}

/// One turn of the idea → code → experiment loop, timed on this machine: a setting of one model
/// changed, that model trained and scored again at one m (one seed, never from the cache: a new
/// idea has no cached result), and its test accuracy read back.
#[derive(Debug, Clone, PartialEq)]
pub struct LoopTurn {
    /// What was changed, for the reader.
    pub change: crate::lang::Text,
    pub model: String,
    pub m: usize,
    /// Wall time of the turn: fit plus scoring (s).
    pub seconds: f64,
    pub test_accuracy: f64,
}

/// Times one turn of the loop: `model` of `config` with its spec replaced by `changed`, trained
/// and scored at `m` with seed 0, bypassing the cache. Takes references, so a notebook cell can
/// end with the call and keep its variables (evcxr shows a cell's value as plain text when the
/// final expression moves a variable of the cell). An error when `model` is not in `config`
/// or the run was refused by its budget.
pub fn loop_turn(
    config: &crate::experiments::CurveConfig,
    model: &str,
    changed: &crate::experiments::ModelSpec,
    change: &crate::lang::Text,
    m: usize,
) -> crate::error::Result<LoopTurn> {
    if !config.models.iter().any(|(n, _)| n == model) {
        return Err(crate::error::TakeoffError::invalid(
            "model",
            model,
            "one of the configuration's models",
        ));
    }
    let run = crate::experiments::run_one(config, model, changed, m, 0)?;
    match run.outcome {
        crate::experiments::Outcome::Ran(s) => Ok(LoopTurn {
            change: change.clone(),
            model: model.to_string(),
            m,
            seconds: s.fit_seconds,
            test_accuracy: s.test_accuracy,
        }),
        crate::experiments::Outcome::NotRun { reason } => Err(crate::error::TakeoffError::invalid(
            "loop turn",
            reason.en,
            "a change that fits the budget",
        )),
    }
}

/// Seconds as a readable duration.
pub fn human(s: f64) -> String {
    human_in(s, crate::lang::Lang::En)
}

/// Seconds as a readable duration in one language (3.0 days, 3.0 天).
pub fn human_in(s: f64, l: crate::lang::Lang) -> String {
    if s < 1.0 {
        format!("{:.0} {}", s * 1e3, l.pick("ms", "毫秒"))
    } else if s < 120.0 {
        format!("{s:.1} {}", l.pick("s", "秒"))
    } else if s < 7200.0 {
        format!("{:.1} {}", s / 60.0, l.pick("min", "分钟"))
    } else if s < 172_800.0 {
        format!("{:.1} {}", s / 3600.0, l.pick("h", "小时"))
    } else {
        format!("{:.1} {}", s / 86_400.0, l.pick("days", "天"))
    }
}

/// A published figure of how data and compute grew, with its source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Growth {
    pub year: &'static str,
    pub what: &'static str,
    pub amount: &'static str,
    /// `what` and `amount` in Chinese.
    pub what_zh: &'static str,
    pub amount_zh: &'static str,
    pub source: &'static str,
}

/// How data and compute grew, with sources (published figures, not measured here).
pub fn growth() -> Vec<Growth> {
    [
        (
            "1998",
            ("MNIST", "MNIST"),
            ("60,000 training images", "60,000 张训练图像"),
            "LeCun et al. 1998, Gradient-based learning applied to document recognition",
        ),
        (
            "2009",
            ("CIFAR-10", "CIFAR-10"),
            ("50,000 training images", "50,000 张训练图像"),
            "Krizhevsky 2009, Learning multiple layers of features from tiny images",
        ),
        (
            "2012",
            ("ImageNet (ILSVRC-2012)", "ImageNet（ILSVRC-2012）"),
            ("about 1.28 million training images", "约 128 万张训练图像"),
            "Russakovsky et al. 2015, ImageNet Large Scale Visual Recognition Challenge",
        ),
        (
            "2012",
            ("AlexNet", "AlexNet"),
            ("5–6 days on two GTX 580 GPUs", "在两块 GTX 580 GPU 上训练 5–6 天"),
            "Krizhevsky, Sutskever and Hinton 2012",
        ),
        (
            "2017",
            ("JFT-300M", "JFT-300M"),
            ("300 million images (noisy labels)", "3 亿张图像（标注有噪声）"),
            "Sun et al. 2017, Revisiting unreasonable effectiveness of data in deep learning era",
        ),
        (
            "2012–2018",
            ("largest training runs", "规模最大的训练"),
            (
                "compute doubled every 3.4 months (about 300,000× in six years)",
                "算力每 3.4 个月翻一番（六年约 30 万倍）",
            ),
            "Amodei and Hernandez 2018, AI and Compute",
        ),
    ]
    .into_iter()
    .map(|(year, (what, what_zh), (amount, amount_zh), source)| Growth {
        year,
        what,
        amount,
        what_zh,
        amount_zh,
        source,
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_scales_with_peak() {
        let hw = &published_hardware()[0];
        let s = project_seconds(hw.peak_tflops_f32 * 1e12, hw, 0.5);
        assert!((s - 2.0).abs() < 1e-9);
    }

    #[test]
    fn experiments_per_hour_follow_the_measured_rate() {
        let costs: Vec<EpochCost> = [1_000, 4_000]
            .iter()
            .map(|&m| EpochCost {
                model: "x".into(),
                m,
                flops_per_example: 1e6,
                seconds: m as f64 * 1e6 / 5e9,
            })
            .collect();
        let cpu = Cpu::from_cpuinfo("cpu MHz : 1000\nflags : avx2 fma\n", 1);
        let table = experiments_per_hour(&costs, 10_000, 2, &cpu).unwrap();
        // 2 epochs × 10,000 × 1e6 FLOPs at 5 GFLOP/s = 4 s → 900 per hour
        assert_eq!(table.rows.len(), 1);
        assert!((table.rows[0].seconds - 4.0).abs() < 1e-9);
        assert!((table.rows[0].per_hour - 900.0).abs() < 1e-6);
        assert_eq!(table.rows[0].projected_seconds.len(), table.hardware.len());
        assert_eq!(human(3.0 * 86_400.0), "3.0 days");
        // 2 epochs of ⌈10,000 / 128⌉ = 79 steps; no GPU measurement for a net named "x"
        assert_eq!(table.rows[0].steps, 158);
        assert!(table.rows[0].gpu.is_none() && table.rows[0].gpu_seconds().is_none());
    }

    #[test]
    fn the_shipped_gpu_measurements_cover_chapter_twos_nets() {
        let steps = gpu_steps().unwrap();
        for net in [
            "small NN (32)",
            "medium NN (256-128)",
            "large NN (512-256-128)",
            "LeNet",
        ] {
            let g = steps.iter().find(|g| g.model == net).unwrap();
            assert!(g.kernels_per_step > 0 && g.eager.0 <= g.eager.1 && g.graph.0 <= g.graph.1);
            assert!(g.device.contains("H200"));
        }
        let cost = EpochCost {
            model: "small NN (32)".into(),
            m: 1_000,
            flops_per_example: 1e6,
            seconds: 0.2,
        };
        let cpu = Cpu::from_cpuinfo("cpu MHz : 1000\nflags : avx2 fma\n", 1);
        let row = &experiments_per_hour(&[cost], 1_280, 3, &cpu).unwrap().rows[0];
        let g = row.gpu.as_ref().unwrap();
        let (eager, graph, floor) = row.gpu_seconds().unwrap();
        // 3 epochs × 10 steps, each at the measured seconds a step
        assert_eq!(row.steps, 30);
        assert!((eager.0 - 30.0 * g.eager.0).abs() < 1e-12 && (graph.1 - 30.0 * g.graph.1).abs() < 1e-12);
        assert!((floor.0 - 30.0 * g.kernels_per_step as f64 * g.launch_latency.0).abs() < 1e-12);
    }

    #[test]
    fn gpu_measurements_spread_over_runs_and_refuse_damaged_rows() {
        let header = "run,model,kernels_per_step,seconds_per_step_eager,seconds_per_step_graph,launch_latency_seconds,device,torch,batch,date";
        let two_runs = format!(
            "{header}\n1,n,10,2e-3,2e-4,1e-5,GPU,2.11,128,2026-12-04\n2,n,10,3e-3,1e-4,2e-5,GPU,2.11,128,2026-12-04\n"
        );
        let g = &parse_gpu_steps(&two_runs).unwrap()[0];
        assert_eq!(
            (g.eager, g.graph, g.launch_latency),
            ((2e-3, 3e-3), (1e-4, 2e-4), (1e-5, 2e-5))
        );
        assert_eq!(g.launch_floor(), (1e-4, 2e-4));
        for bad in [
            "model,x\n".to_string(),
            format!("{header}\n1,n,10,2e-3\n"),
            format!("{header}\n1,n,ten,2e-3,2e-4,1e-5,GPU,2.11,128,d\n"),
            format!("{header}\n1,n,10,-2e-3,2e-4,1e-5,GPU,2.11,128,d\n"),
            format!("{header}\n1,n,10,2e-3,2e-4,1e-5,GPU,2.11,64,d\n"),
        ] {
            let e = parse_gpu_steps(&bad).unwrap_err().to_string();
            assert!(e.contains("expected"), "{e}");
        }
    }

    #[test]
    fn a_loop_turn_trains_the_changed_model_once_and_never_reads_the_cache() {
        use crate::experiments::{CurveConfig, ModelSpec};
        let data = crate::data::moons(300, 0.2, 0).unwrap();
        let (train, test) = data.split(0.3, 0).unwrap();
        let config = CurveConfig {
            train,
            test,
            validation: None,
            models: vec![(
                "net".into(),
                ModelSpec::Mlp(crate::models::mlp::MlpParams::new(&[8]).epochs(3)),
            )],
            sizes: vec![100],
            seeds: vec![0],
            ceiling: None,
        };
        let idea = config.spec("net").unwrap().with_learning_rate(0.01).unwrap();
        let change = crate::lang::Text::new("lr 0.01", "学习率 0.01");
        let turn = loop_turn(&config, "net", &idea, &change, 100).unwrap();
        assert!(turn.seconds > 0.0 && (0.0..=1.0).contains(&turn.test_accuracy));
        assert!(loop_turn(&config, "other", &idea, &change, 100).is_err());
        assert!(config
            .spec("other")
            .unwrap_err()
            .to_string()
            .contains("one of: net"));
        let logistic = ModelSpec::Logistic(crate::models::baselines::LogisticParams::new());
        assert!(logistic.with_learning_rate(0.1).is_err());
    }

    #[test]
    fn alexnet_estimate_follows_the_rate() {
        let a = alexnet_here(100.0);
        // 3 × 2 × 0.71e9 × 1.2e6 × 90 ≈ 4.6e17 FLOPs; at 100 GFLOP/s ≈ 53 days
        assert!((a.training_flops - 4.6008e17).abs() < 1e14);
        assert!((a.seconds_here / 86_400.0 - 53.25).abs() < 0.01);
        assert!((alexnet_here(200.0).seconds_here * 2.0 - a.seconds_here).abs() < 1e-6);
    }
}
