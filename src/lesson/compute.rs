//! Chapter 2's published figures, cited with their sources and kept apart from what this machine
//! measured, and the projections built from both.

use crate::experiments::hardware::{Cpu, EpochCost};

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

/// One model's experiment: its training FLOPs, the time it takes here and the experiments that
/// fit in an hour, and the time projected onto each published machine (same order as
/// [`ExperimentsPerHour::hardware`]).
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
}

/// How many full experiments fit in an hour, model by model (see [`experiments_per_hour`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentsPerHour {
    pub hardware: Vec<Hardware>,
    pub rows: Vec<ExperimentCost>,
}

/// How many full experiments (`epochs` epochs on `m` examples) fit in an hour for each model,
/// measured here from its epoch cost (at its largest measured m) and projected onto published
/// hardware at the same fraction of peak.
pub fn experiments_per_hour(costs: &[EpochCost], m: usize, epochs: usize, cpu: &Cpu) -> ExperimentsPerHour {
    let hardware = published_hardware();
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
        });
    }
    ExperimentsPerHour { hardware, rows }
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
        let table = experiments_per_hour(&costs, 10_000, 2, &cpu);
        // 2 epochs × 10,000 × 1e6 FLOPs at 5 GFLOP/s = 4 s → 900 per hour
        assert_eq!(table.rows.len(), 1);
        assert!((table.rows[0].seconds - 4.0).abs() < 1e-9);
        assert!((table.rows[0].per_hour - 900.0).abs() < 1e-6);
        assert_eq!(table.rows[0].projected_seconds.len(), table.hardware.len());
        assert_eq!(human(3.0 * 86_400.0), "3.0 days");
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
                ModelSpec::Mlp(crate::mlp::MlpParams::new(&[8]).epochs(3)),
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
        let logistic = ModelSpec::Logistic(crate::baselines::LogisticParams::new());
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
