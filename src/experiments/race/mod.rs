//! The algorithmic driver, measured: identical nets that differ only in the hidden activation
//! (and the initialisation usually paired with it: Xavier for sigmoid and tanh, He for ReLU),
//! each with its own learning rate chosen by a small search, trained over several seeds; how many
//! gradient steps and seconds each needs to reach a training error, at two targets.

use crate::data::Dataset;
use crate::error::{Result, TakeoffError};
use crate::experiments::Verdict;
use crate::lang::Text;
use crate::models::activation::Activation;
use crate::models::conv::{ConvParams, Stage};
use crate::models::history::Checkpoint;
use crate::models::history::History;
use crate::models::mlp::MlpParams;
use crate::models::optim::OptimizerConfig;
use serde::{Deserialize, Serialize};

/// The net that races: an MLP of these hidden widths, or a convolutional net of these stages
/// (Krizhevsky et al.'s comparison was on a convolutional net).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RaceNet {
    Mlp(Vec<usize>),
    Conv(Vec<Stage>),
}

/// Krizhevsky et al. (2012): a four-layer convolutional net with ReLUs reached 25% training
/// error on CIFAR-10 six times faster (in epochs) than the same net with tanh units.
pub const KRIZHEVSKY_SPEEDUP: f64 = 6.0;

/// Times a race's learning-rate grid may grow past an edge its pick sits on.
pub const MAX_GROWTHS: usize = 3;

/// What the race is run on and with.
#[derive(Debug, Clone)]
pub struct RaceConfig {
    pub data: Dataset,
    pub net: RaceNet,
    pub activations: Vec<Activation>,
    /// Learning rates tried first for each activation; a pick on an edge of the grid extends it
    /// that way by the grid's own step (up to [`MAX_GROWTHS`] times, between 1e-5 and 10).
    pub learning_rates: Vec<f64>,
    /// SGD's momentum: 0.9 as Krizhevsky et al., 0 for plain gradient descent.
    pub momentum: f64,
    /// Epochs of each search run; the rate with the lowest final training loss wins.
    pub search_epochs: usize,
    pub epochs: usize,
    pub batch_size: usize,
    pub seeds: Vec<u64>,
    /// Training error to reach (e.g. 0.25 for Krizhevsky et al.'s 25%).
    pub target_error: f64,
    /// A stricter training error, to see whether the gap grows as training goes on.
    pub strict_error: f64,
}

/// One activation's results.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Lane {
    pub activation: Activation,
    pub learning_rate: f64,
    /// Final training loss of each searched rate (NaN when it diverged), the grid's growth
    /// included, in the order tried.
    #[serde(deserialize_with = "crate::models::history::nan_as_null::pairs")]
    pub search: Vec<(f64, f64)>,
    /// True when the pick still sat on an edge of the grid after [`MAX_GROWTHS`] growths (or at
    /// the growth's limits).
    #[serde(default)]
    pub on_edge: bool,
    /// One history per seed.
    pub histories: Vec<History>,
}

impl Lane {
    /// The lane's name in charts and tables: the activation and its searched learning rate.
    pub fn label(&self) -> String {
        format!(
            "{} (lr {})",
            self.activation.name(),
            crate::text::significant(self.learning_rate)
        )
    }

    /// The first checkpoint of each seed at which the training error ([`Checkpoint::train_error`]:
    /// the error on the batches since the previous checkpoint, about a tenth of an epoch, as
    /// training classified them) is ≤ `target`. Every "to target" figure of a race (steps, epochs,
    /// seconds, the chart and its table) reads this one measure.
    fn at_target(&self, target: f64) -> Vec<Option<&Checkpoint>> {
        self.histories.iter().map(|h| h.first_below(target)).collect()
    }

    /// Epochs until the training error is ≤ `target`, per seed: the checkpoint's step over the
    /// steps of an epoch (fractional: 4.2 is two tenths into the fifth epoch).
    pub fn epochs_to(&self, target: f64) -> Vec<Option<f64>> {
        self.histories
            .iter()
            .map(|h| {
                let per_epoch = h.steps() as f64 / h.epochs.len().max(1) as f64;
                h.first_below(target).map(|c| c.step as f64 / per_epoch)
            })
            .collect()
    }

    /// Seconds until the training error is ≤ `target`, per seed (machine-dependent).
    pub fn seconds_to(&self, target: f64) -> Vec<Option<f64>> {
        self.at_target(target)
            .into_iter()
            .map(|c| c.map(|c| c.seconds))
            .collect()
    }

    /// Mean over the seeds that got there, and how many did.
    pub fn mean_epochs_to(&self, target: f64) -> (Option<f64>, usize) {
        mean(self.epochs_to(target).into_iter())
    }

    /// Mean seconds over the seeds that got there, and how many did.
    pub fn mean_seconds_to(&self, target: f64) -> (Option<f64>, usize) {
        mean(self.seconds_to(target).into_iter())
    }

    /// Gradient steps until the training error over the last few batches is ≤ `target`, per
    /// seed (the trainer's checkpoints, about ten an epoch).
    pub fn steps_to(&self, target: f64) -> Vec<Option<usize>> {
        self.at_target(target)
            .into_iter()
            .map(|c| c.map(|c| c.step))
            .collect()
    }

    /// Mean steps over the seeds that got there, and how many did.
    pub fn mean_steps_to(&self, target: f64) -> (Option<f64>, usize) {
        mean(self.steps_to(target).into_iter().map(|s| s.map(|v| v as f64)))
    }

    /// Seconds per gradient step, over every seed's whole run (machine-dependent: the cost of
    /// computing this activation in this implementation, apart from how fast it learns).
    pub fn seconds_per_step(&self) -> f64 {
        let (steps, seconds) = self.histories.iter().fold((0usize, 0.0), |(n, t), h| {
            (n + h.steps(), t + h.checkpoints.last().map_or(0.0, |c| c.seconds))
        });
        seconds / steps.max(1) as f64
    }

    /// Gradient steps each seed ran.
    pub fn steps_run(&self) -> usize {
        self.histories.first().map_or(0, |h| h.steps())
    }
}

fn mean(v: impl Iterator<Item = Option<f64>>) -> (Option<f64>, usize) {
    let got: Vec<f64> = v.flatten().collect();
    if got.is_empty() {
        (None, 0)
    } else {
        (Some(got.iter().sum::<f64>() / got.len() as f64), got.len())
    }
}

/// The results of a race.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Race {
    pub task: String,
    /// The net that raced, in words.
    pub net: String,
    pub target_error: f64,
    pub strict_error: f64,
    /// SGD's momentum (0: plain gradient descent).
    #[serde(default)]
    pub momentum: f64,
    pub lanes: Vec<Lane>,
    /// The seeds each lane trained with.
    #[serde(default)]
    pub seeds: Vec<u64>,
    /// True when the race was read from the experiment cache.
    #[serde(skip)]
    pub cached: bool,
}

impl Race {
    /// Each lane's label with the history of its first seed (for [`crate::view::charts::training_loss`]).
    pub fn first_seed_histories(&self) -> Vec<(String, History)> {
        self.lanes
            .iter()
            .filter_map(|l| Some((l.label(), l.histories.first()?.clone())))
            .collect()
    }

    /// The lane of `a`.
    pub fn lane(&self, a: Activation) -> Option<&Lane> {
        self.lanes.iter().find(|l| l.activation == a)
    }

    /// The same in seconds.
    pub fn speedup_seconds(&self, fast: Activation, slow: Activation) -> Option<f64> {
        let f = self.lane(fast)?.mean_seconds_to(self.target_error).0?;
        let s = self.lane(slow)?.mean_seconds_to(self.target_error).0?;
        Some(s / f)
    }

    /// The same comparisons in wall-clock time (machine-dependent: print it in a timing cell),
    /// each as one factor N ≥ 1 of less or more time (see [`crate::text::factor`]).
    pub fn verdict_time(&self) -> Text {
        let target = self.target_error * 100.0;
        let mut out = (Vec::new(), Vec::new());
        for o in [Activation::Sigmoid, Activation::Tanh] {
            // the other's time over ReLU's: ReLU took less when it is at least 1
            if let Some(ratio) = self.speedup_seconds(Activation::Relu, o) {
                let (n, less) = crate::text::factor(1.0, ratio);
                let (en_n, zh_n) = (crate::text::ratio(n), crate::text::ratio_number(n));
                let name = o.name();
                out.0.push(format!(
                    "ReLU reached {target:.0}% training error in {en_n} {} time than {name} on this machine",
                    if less { "less" } else { "more" }
                ));
                out.1.push(if less {
                    format!("在本机上，{name} 降到 {target:.0}% 训练误差所用的时间是 ReLU 的 {zh_n} 倍")
                } else {
                    format!("在本机上，ReLU 降到 {target:.0}% 训练误差所用的时间是 {name} 的 {zh_n} 倍")
                });
            }
        }
        if out.0.is_empty() {
            Text::new(
                "No time ratio: some activation did not reach the target on every seed.",
                "没有时间比：有的激活函数没有在每个种子上都达到目标。",
            )
        } else {
            Text::new(out.0.join("; ") + ".", out.1.join("；") + "。")
        }
    }

    /// How many times fewer gradient steps `fast` needs than `slow` to reach `target` (means
    /// over seeds), or None when either did not get there on some seed.
    pub fn speedup_steps(&self, fast: Activation, slow: Activation, target: f64) -> Option<f64> {
        let (f, nf) = self.lane(fast)?.mean_steps_to(target);
        let (s, ns) = self.lane(slow)?.mean_steps_to(target);
        let seeds = self.lane(fast)?.histories.len();
        (nf == seeds && ns == self.lane(slow)?.histories.len()).then_some(s? / f?)
    }

    /// Whether `fast` needed fewer steps than `slow` to reach `target` on every seed (`Holds`),
    /// more on every seed (`DoesNotHold`), or the two lanes' ranges over the seeds overlap
    /// (`NotShown`); None when some seed of either did not get there.
    pub fn beyond_seeds(&self, fast: Activation, slow: Activation, target: f64) -> Option<Verdict> {
        let steps =
            |a: Activation| -> Option<Vec<usize>> { self.lane(a)?.steps_to(target).into_iter().collect() };
        let (f, s) = (steps(fast)?, steps(slow)?);
        let range = |v: &[usize]| (v.iter().min().copied(), v.iter().max().copied());
        let ((f_lo, f_hi), (s_lo, s_hi)) = (range(&f), range(&s));
        Some(if f_hi? < s_lo? {
            Verdict::Holds
        } else if f_lo? > s_hi? {
            Verdict::DoesNotHold
        } else {
            Verdict::NotShown
        })
    }

    /// One comparison with ReLU at `target`, in steps (the same on every machine), as one factor
    /// N ≥ 1 of fewer or more steps.
    fn compare(&self, other: Activation, target: f64) -> Option<Text> {
        let (relu, o) = (self.lane(Activation::Relu)?, self.lane(other)?);
        let (t, name) = (target * 100.0, other.name());
        let (r_steps, r_got) = relu.mean_steps_to(target);
        let (o_steps, o_got) = o.mean_steps_to(target);
        let seeds = relu.histories.len();
        Some(match (r_steps, o_steps) {
            (Some(r), Some(s)) if r_got == seeds && o_got == o.histories.len() => {
                let (n, fewer) = crate::text::factor(r, s);
                let (en_n, zh_n) = (crate::text::ratio(n), crate::text::ratio_number(n));
                let (en, zh) = match self.beyond_seeds(Activation::Relu, other, target) {
                    Some(Verdict::Holds) => ("fewer on every seed", "ReLU 在每个种子上都更少"),
                    Some(Verdict::DoesNotHold) => ("more on every seed", "ReLU 在每个种子上都更多"),
                    _ => (
                        "the seeds' ranges overlap, so the difference is not shown",
                        "各种子的范围相互重叠，所以差别没有显示出来",
                    ),
                };
                let zh_factor = if zh_n == "1.0" {
                    "两者的步数大致相同".to_string()
                } else if fewer {
                    format!("{name} 的步数是 ReLU 的 {zh_n} 倍")
                } else {
                    format!("ReLU 的步数是 {name} 的 {zh_n} 倍")
                };
                let en_factor = match (zh_n.as_str(), fewer) {
                    ("1.0", _) => "ReLU needed about as many steps".to_string(),
                    (_, true) => format!("ReLU needed {en_n} fewer steps"),
                    (_, false) => format!("ReLU needed {en_n} more steps"),
                };
                Text::new(
                    format!(
                        "to {t:.0}% training error ReLU took {r:.0} steps against {s:.0} for {name} (means of {seeds} seeds): {en_factor}, {en}"
                    ),
                    format!("降到 {t:.0}% 训练误差，ReLU 用了 {r:.0} 步，{name} 用了 {s:.0} 步（{seeds} 个种子的均值）：{zh_factor}，{zh}"),
                )
            }
            (Some(r), _) if r_got == seeds => {
                let run = o.steps_run();
                let n = run as f64 / r;
                let (en_n, zh_n) = (crate::text::ratio(n), crate::text::ratio_number(n));
                Text::new(
                    format!("to {t:.0}% training error ReLU took {r:.0} steps; {name} did not get there on every seed within {run} steps, so ReLU needed at least {en_n} fewer steps"),
                    format!("降到 {t:.0}% 训练误差，ReLU 用了 {r:.0} 步；{name} 在 {run} 步内没有在每个种子上都达到，所以 {name} 的步数至少是 ReLU 的 {zh_n} 倍"),
                )
            }
            _ => {
                let run = relu.steps_run();
                Text::new(
                    format!("ReLU did not reach {t:.0}% training error on every seed within {run} steps: no ratio against {name}"),
                    format!("ReLU 在 {run} 步内没有在每个种子上都降到 {t:.0}% 训练误差：无法与 {name} 比较"),
                )
            }
        })
    }

    /// The comparisons with ReLU at both targets, in gradient steps, and the verdict against
    /// Krizhevsky et al.'s six times (ReLU against tanh).
    pub fn verdict(&self) -> Text {
        let mut parts = Vec::new();
        for target in [self.target_error, self.strict_error] {
            for other in [Activation::Sigmoid, Activation::Tanh] {
                parts.extend(self.compare(other, target));
            }
        }
        let en: Vec<&str> = parts.iter().map(|p| p.en.as_str()).collect();
        let zh: Vec<&str> = parts.iter().map(|p| p.zh.as_str()).collect();
        let mut out = Text::new(capitalise(&en.join("; ")) + ".", zh.join("；") + "。");
        if self.lane(Activation::Tanh).is_some() {
            let (relu, tanh) = (Activation::Relu, Activation::Tanh);
            let head = Text::new(
                "Krizhevsky et al. report 6× against tanh (a convolutional net on CIFAR-10, to 25%):",
                "Krizhevsky 等人报告 ReLU 比 tanh 快 6 倍（CIFAR-10 上的卷积网络，降到 25%）：",
            );
            // speedup_steps is tanh's steps over ReLU's
            let ratio = self.speedup_steps(relu, tanh, self.target_error);
            let tail = match (ratio, self.beyond_seeds(relu, tanh, self.target_error)) {
                (Some(r), Some(Verdict::Holds)) if r >= KRIZHEVSKY_SPEEDUP => Text::new(
                    format!(
                        "reproduced here: ReLU needed {} fewer steps.",
                        crate::text::ratio(r)
                    ),
                    format!(
                        "这里复现了：tanh 的步数是 ReLU 的 {} 倍。",
                        crate::text::ratio_number(r)
                    ),
                ),
                (Some(r), Some(Verdict::Holds)) => Text::new(
                    format!(
                        "not reproduced here: ReLU needed {} fewer steps, not 6×.",
                        crate::text::ratio(r)
                    ),
                    format!(
                        "这里没有复现：tanh 的步数是 ReLU 的 {} 倍，而不是 6 倍。",
                        crate::text::ratio_number(r)
                    ),
                ),
                (Some(r), Some(Verdict::DoesNotHold)) => Text::new(
                    format!(
                        "not reproduced here: ReLU needed {} more steps than tanh.",
                        crate::text::ratio(1.0 / r)
                    ),
                    format!(
                        "这里没有复现：ReLU 的步数是 tanh 的 {} 倍。",
                        crate::text::ratio_number(1.0 / r)
                    ),
                ),
                (Some(r), _) => {
                    let (n, fewer) = crate::text::factor(1.0, r);
                    let (en_n, zh_n) = (crate::text::ratio(n), crate::text::ratio_number(n));
                    Text::new(
                        format!(
                            "not shown here: the means give ReLU {en_n} {} steps, but the seeds' ranges overlap.",
                            if fewer { "fewer" } else { "more" }
                        ),
                        if fewer {
                            format!("这里没有显示出来：按均值 tanh 的步数是 ReLU 的 {zh_n} 倍，但各种子的范围相互重叠。")
                        } else {
                            format!("这里没有显示出来：按均值 ReLU 的步数是 tanh 的 {zh_n} 倍，但各种子的范围相互重叠。")
                        },
                    )
                }
                (None, _) => Text::new("no ratio could be measured here.", "这里测不出比值。"),
            };
            out = out.then(&head.then(&tail));
        }
        out
    }

    /// Seconds per gradient step of each activation (machine-dependent: print it in a timing
    /// cell), apart from the steps it needed.
    pub fn step_costs(&self) -> Text {
        let parts: Vec<String> = self
            .lanes
            .iter()
            .map(|l| format!("{} {:.2} ms", l.activation.name(), l.seconds_per_step() * 1e3))
            .collect();
        Text::new(
            format!(
                "Time per gradient step on this machine: {}. The differences are the cost of computing each g and g′ in this implementation, not how fast each learns.",
                parts.join(", ")
            ),
            format!(
                "本机上每个梯度更新步的用时：{}。这些差别是本实现中计算各个 g 和 g′ 的开销，而不是学得快慢。",
                parts.join("，")
            ),
        )
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}

/// [`activation_race`] through the experiment cache: a race already run with the same data,
/// settings and crate source is read back instead of run again (chapter 4 reads chapter 3's).
pub fn activation_race_cached(config: &RaceConfig, cache: &crate::experiments::Cache) -> Result<Race> {
    let key = crate::experiments::value_key(&(
        "race",
        crate::experiments::fingerprint(&config.data),
        &config.net,
        &config.activations,
        &config.learning_rates,
        config.momentum,
        MAX_GROWTHS,
        config.search_epochs,
        config.epochs,
        config.batch_size,
        &config.seeds,
        config.target_error,
        config.strict_error,
    ));
    if let Some(mut race) = cache.get_value::<Race>(&key) {
        println!("race on {}: from the cache", race.task);
        race.cached = true;
        return Ok(race);
    }
    let race = activation_race(config)?;
    cache.put_value(&key, &race)?;
    Ok(race)
}

/// Runs the race: a learning-rate search per activation, then every seed at the chosen rate.
pub fn activation_race(config: &RaceConfig) -> Result<Race> {
    if config.learning_rates.is_empty() || config.seeds.is_empty() || config.activations.is_empty() {
        return Err(TakeoffError::invalid(
            "race",
            format!(
                "{} rates, {} seeds, {} activations",
                config.learning_rates.len(),
                config.seeds.len(),
                config.activations.len()
            ),
            "at least one of each",
        ));
    }
    for t in [config.target_error, config.strict_error] {
        if !(t > 0.0 && t < 1.0) {
            return Err(TakeoffError::invalid(
                "target error",
                t,
                "a fraction strictly between 0 and 1",
            ));
        }
    }
    // the same settings for either kind of net
    macro_rules! configure {
        ($params:expr, $a:expr, $lr:expr, $epochs:expr, $seed:expr) => {
            $params
                .activation($a)
                .optimizer(OptimizerConfig::sgd(config.momentum))
                .learning_rate($lr)
                .batch_size(config.batch_size)
                .epochs($epochs)
                .seed($seed)
                .verbose(false)
        };
    }
    let train = |a: Activation, lr: f64, epochs: usize, seed: u64| -> Result<History> {
        match &config.net {
            RaceNet::Mlp(hidden) => Ok(configure!(MlpParams::new(hidden), a, lr, epochs, seed)
                .fit(&config.data)?
                .history),
            RaceNet::Conv(stages) => Ok(configure!(ConvParams::new(stages), a, lr, epochs, seed)
                .fit(&config.data)?
                .history),
        }
    };
    let mut lanes = Vec::new();
    for &a in &config.activations {
        let search_loss = |lr: f64| -> Result<f64> {
            let loss = match train(a, lr, config.search_epochs, 1_000) {
                Ok(h) => h.last().map(|e| e.train_loss).unwrap_or(f64::NAN),
                Err(TakeoffError::Diverged { .. }) => f64::NAN,
                Err(e) => return Err(e),
            };
            println!("{} lr {lr:<6} search loss {loss:.4}", a.name());
            Ok(loss)
        };
        let mut search = Vec::new();
        for &lr in &config.learning_rates {
            search.push((lr, search_loss(lr)?));
        }
        let (learning_rate, on_edge) = grow_off_edges(&mut search, &search_loss, a)?;
        let mut histories = Vec::new();
        for &seed in &config.seeds {
            let history = train(a, learning_rate, config.epochs, seed)?;
            let last = history.last().map(|e| 1.0 - e.train_accuracy).unwrap_or(1.0);
            println!(
                "{} lr {learning_rate} seed {seed}: final training error {:.1}%",
                a.name(),
                last * 100.0
            );
            histories.push(history);
        }
        lanes.push(Lane {
            activation: a,
            learning_rate,
            search,
            on_edge,
            histories,
        });
    }
    let net = match &config.net {
        RaceNet::Mlp(hidden) => MlpParams::new(hidden).shape_name(),
        RaceNet::Conv(stages) => ConvParams::new(stages).shape_name(),
    };
    Ok(Race {
        task: config.data.name.clone(),
        net,
        target_error: config.target_error,
        strict_error: config.strict_error,
        momentum: config.momentum,
        lanes,
        seeds: config.seeds.clone(),
        cached: false,
    })
}

/// The rate with the lowest finite search loss, and whether it sits on an edge of the rates tried.
fn pick(search: &[(f64, f64)], a: Activation) -> Result<(f64, bool, bool)> {
    let (lr, _) = search
        .iter()
        .filter(|(_, l)| l.is_finite())
        .min_by(|x, y| x.1.total_cmp(&y.1))
        .copied()
        .ok_or_else(|| {
            TakeoffError::invalid(
                "learning rates",
                format!("{:?}", search.iter().map(|s| s.0).collect::<Vec<_>>()),
                format!("at least one that does not diverge for {}", a.name()),
            )
        })?;
    let lowest = search.iter().all(|&(r, _)| r >= lr);
    let highest = search.iter().all(|&(r, _)| r <= lr);
    Ok((lr, lowest, highest))
}

/// Grows `search` past the edge its pick sits on, by the grid's step at that edge (the ratio of
/// its two outermost rates there), at most [`MAX_GROWTHS`] times and within 1e-5..10; returns
/// the pick and whether it still sits on an edge. A grid of one rate cannot grow.
fn grow_off_edges(
    search: &mut Vec<(f64, f64)>,
    loss: &dyn Fn(f64) -> Result<f64>,
    a: Activation,
) -> Result<(f64, bool)> {
    let mut rates: Vec<f64> = search.iter().map(|s| s.0).collect();
    rates.sort_by(f64::total_cmp);
    if rates.len() < 2 {
        let (lr, ..) = pick(search, a)?;
        return Ok((lr, true));
    }
    let (down, up) = (
        rates[0] / rates[1],
        rates[rates.len() - 1] / rates[rates.len() - 2],
    );
    for _ in 0..MAX_GROWTHS {
        let (lr, lowest, highest) = pick(search, a)?;
        let next = if highest {
            lr * up
        } else if lowest {
            lr * down
        } else {
            return Ok((lr, false));
        };
        if !(1e-5..=10.0).contains(&next) {
            return Ok((lr, true));
        }
        search.push((next, loss(next)?));
    }
    let (lr, lowest, highest) = pick(search, a)?;
    Ok((lr, lowest || highest))
}

#[cfg(test)]
mod tests;
