//! Experiments behind the lesson's claims: learning curves (models × sizes × seeds), run in
//! parallel where that does not oversubscribe the cores, and cached on disk so that a re-render
//! or a remix recomputes only the runs that changed.

use crate::baselines::{Budget, LogisticParams, SvmParams};
use crate::data::{Dataset, FashionMnist, Standardizer, TeacherTask};
use crate::error::{Result, TakeoffError};
use crate::mlp::MlpParams;
use crate::models::conv::ConvParams;
use crate::profile::Profile;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::time::Instant;

pub mod claims;
pub use claims::{claims_table, Claim, Verdict};

/// A model to fit: any of the crate's learners, behind one set of verbs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ModelSpec {
    Logistic(LogisticParams),
    Svm(SvmParams),
    /// An MLP; its sample budget ([`MlpParams::min_samples`]) gives nets at small m enough
    /// gradient steps.
    Mlp(MlpParams),
    /// A convolutional net, for images.
    Conv(ConvParams),
}

impl ModelSpec {
    /// A cost that does not depend on the clock, for breaking ties between equally accurate
    /// candidates (smaller is cheaper): (iterations or epochs, then C for the SVM or α for
    /// logistic regression, since a larger C makes the solver work longer and a smaller α
    /// regularises less).
    pub fn cost_key(&self) -> (f64, f64) {
        match self {
            ModelSpec::Logistic(p) => (p.get_max_iterations() as f64, -p.get_alpha()),
            ModelSpec::Svm(p) => (0.0, p.get_c()),
            ModelSpec::Mlp(p) => (p.training().epochs_for(1) as f64, 0.0),
            ModelSpec::Conv(p) => (p.training().epochs_for(1) as f64, 0.0),
        }
    }

    /// True for learners whose fit uses one core (they can run side by side).
    pub fn single_threaded(&self) -> bool {
        !matches!(self, ModelSpec::Mlp(_) | ModelSpec::Conv(_))
    }

    /// Fits on `train` and scores on `train` and `test`.
    pub fn fit_and_score(&self, train: &Dataset, test: &Dataset) -> Result<Scores> {
        let t = Instant::now();
        let (train_accuracy, test_accuracy) = match self {
            ModelSpec::Logistic(p) => {
                let m = p.fit(train)?;
                (m.accuracy(train)?, m.accuracy(test)?)
            }
            ModelSpec::Svm(p) => {
                let m = p.fit(train)?;
                (m.accuracy(train)?, m.accuracy(test)?)
            }
            ModelSpec::Mlp(p) => {
                let m = p.clone().verbose(false).fit(train)?;
                (m.accuracy(train)?, m.accuracy(test)?)
            }
            ModelSpec::Conv(p) => {
                let m = p.clone().verbose(false).fit(train)?;
                (m.accuracy(train)?, m.accuracy(test)?)
            }
        };
        Ok(Scores {
            train_accuracy,
            test_accuracy,
            fit_seconds: t.elapsed().as_secs_f64(),
        })
    }
}

/// At each m, the best of the `engineered` models against the best of the `raw` ones, as an
/// HTML table with the difference in points.
pub fn best_of_each(curve: &LearningCurve, engineered: &[&str], raw: &[&str]) -> crate::display::Html {
    let mut t = crate::display::Table::new(&[
        "m",
        "best on engineered features",
        "best on raw pixels",
        "difference",
    ]);
    let pts = curve.points();
    let best = |names: &[&str], m: usize| {
        pts.iter()
            .filter(|p| p.m == m && names.contains(&p.model.as_str()))
            .max_by(|a, b| a.mean.total_cmp(&b.mean))
            .cloned()
    };
    for &m in &curve.sizes {
        if let (Some(e), Some(r)) = (best(engineered, m), best(raw, m)) {
            t.push(vec![
                m.to_string(),
                format!("{} {:.1} %", e.model, e.mean * 100.0),
                format!("{} {:.1} %", r.model, r.mean * 100.0),
                format!("{:+.1} points", (e.mean - r.mean) * 100.0),
            ]);
        }
    }
    crate::display::Html(t.to_html())
}

/// Accuracy and time of one finished run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    pub train_accuracy: f64,
    pub test_accuracy: f64,
    /// Fit plus scoring, wall time (s); depends on the machine.
    pub fit_seconds: f64,
}

/// A run's outcome: scores, or why it was not run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Outcome {
    Ran(Scores),
    NotRun { reason: String },
}

/// One (model, m, seed) run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub model: String,
    pub m: usize,
    pub seed: u64,
    pub outcome: Outcome,
    /// True when the result came from the cache.
    #[serde(skip)]
    pub cached: bool,
}

/// What a learning curve is run on and with.
#[derive(Debug, Clone)]
pub struct CurveConfig {
    /// Pool of training examples; each run takes a nested stratified subsample of size m.
    pub train: Dataset,
    /// Held-out test set, the same for every run.
    pub test: Dataset,
    /// Named models.
    pub models: Vec<(String, ModelSpec)>,
    /// Training-set sizes (ascending).
    pub sizes: Vec<usize>,
    /// One run per seed for each (model, m).
    pub seeds: Vec<u64>,
    /// Best achievable accuracy, when known (the teacher task's).
    pub ceiling: Option<f64>,
}

/// `n` sizes spaced evenly on a log scale from `lo` to `hi` (rounded, distinct).
pub fn log_sizes(lo: usize, hi: usize, n: usize) -> Vec<usize> {
    if n <= 1 || hi <= lo {
        return vec![hi.max(lo)];
    }
    let (a, b) = ((lo as f64).ln(), (hi as f64).ln());
    let mut v: Vec<usize> = (0..n)
        .map(|i| (a + (b - a) * i as f64 / (n - 1) as f64).exp().round() as usize)
        .collect();
    v.dedup();
    v
}

/// Results of a learning curve.
#[derive(Debug, Clone)]
pub struct LearningCurve {
    pub task: String,
    pub runs: Vec<Run>,
    pub ceiling: Option<f64>,
    pub models: Vec<String>,
    pub sizes: Vec<usize>,
    /// Examples in the test set every run is scored on (for the test set's standard error).
    pub test_size: usize,
}

/// Mean and spread over seeds at one (model, m).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub model: String,
    pub m: usize,
    pub mean: f64,
    pub std: f64,
    pub min: f64,
    pub max: f64,
    pub train_mean: f64,
    pub seconds_mean: f64,
    pub seeds: usize,
}

impl LearningCurve {
    /// Test accuracy per (model, m), averaged over seeds; runs not run are left out.
    pub fn points(&self) -> Vec<Point> {
        let mut out = Vec::new();
        for model in &self.models {
            for &m in &self.sizes {
                let s: Vec<Scores> = self
                    .runs
                    .iter()
                    .filter(|r| &r.model == model && r.m == m)
                    .filter_map(|r| match r.outcome {
                        Outcome::Ran(s) => Some(s),
                        _ => None,
                    })
                    .collect();
                if s.is_empty() {
                    continue;
                }
                let n = s.len() as f64;
                let acc: Vec<f64> = s.iter().map(|x| x.test_accuracy).collect();
                let mean = acc.iter().sum::<f64>() / n;
                let std = (acc.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / n).sqrt();
                out.push(Point {
                    model: model.clone(),
                    m,
                    mean,
                    std,
                    min: acc.iter().cloned().fold(f64::MAX, f64::min),
                    max: acc.iter().cloned().fold(f64::MIN, f64::max),
                    train_mean: s.iter().map(|x| x.train_accuracy).sum::<f64>() / n,
                    seconds_mean: s.iter().map(|x| x.fit_seconds).sum::<f64>() / n,
                    seeds: s.len(),
                });
            }
        }
        out
    }

    /// The point of `model` at `m`, if it ran.
    pub fn point(&self, model: &str, m: usize) -> Option<Point> {
        self.points().into_iter().find(|p| p.model == model && p.m == m)
    }

    /// The largest m at which `model` ran.
    pub fn last_point(&self, model: &str) -> Option<Point> {
        self.points()
            .into_iter()
            .filter(|p| p.model == model)
            .max_by_key(|p| p.m)
    }

    /// Runs that were not run, with their reasons.
    pub fn not_run(&self) -> Vec<(String, usize, String)> {
        let mut v: Vec<(String, usize, String)> = self
            .runs
            .iter()
            .filter_map(|r| match &r.outcome {
                Outcome::NotRun { reason } => Some((r.model.clone(), r.m, reason.clone())),
                _ => None,
            })
            .collect();
        v.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        v
    }

    /// A power law fitted to `model`'s test error on every size but the largest, and how far
    /// its prediction for the largest size is from the measurement: (law, predicted, measured).
    pub fn extrapolate(&self, model: &str) -> Result<(PowerLaw, f64, f64)> {
        let pts: Vec<Point> = self.points().into_iter().filter(|p| p.model == model).collect();
        if pts.len() < 3 {
            return Err(TakeoffError::invalid(
                "sizes run for a power-law check",
                pts.len(),
                "at least 3 (two to fit, one to check)",
            ));
        }
        let (fit, last) = pts.split_at(pts.len() - 1);
        let law = PowerLaw::fit(&fit.iter().map(|p| (p.m, 1.0 - p.mean)).collect::<Vec<_>>())?;
        Ok((law, law.predict(last[0].m), 1.0 - last[0].mean))
    }

    /// This curve and `other` (same sizes) as one, e.g. raw pixels and engineered features.
    pub fn merge(mut self, other: LearningCurve) -> LearningCurve {
        self.task = format!("{} and {}", self.task, other.task);
        // the smaller test set has the larger standard error: the noise rule stays on the safe side
        self.test_size = self.test_size.min(other.test_size);
        self.runs.extend(other.runs);
        self.models.extend(other.models);
        for m in other.sizes {
            if !self.sizes.contains(&m) {
                self.sizes.push(m);
            }
        }
        self.sizes.sort_unstable();
        self
    }

    /// How many runs came from the cache.
    pub fn cached_runs(&self) -> usize {
        self.runs.iter().filter(|r| r.cached).count()
    }
}

// ---------------------------------------------------------------- the cache

/// A folder of JSON results, one file per run, keyed by a hash of everything that determines
/// the result: crate source, data, model parameters, m and seed. An entry that does not parse or
/// whose stored key differs is recomputed, never trusted.
#[derive(Debug, Clone)]
pub struct Cache {
    pub dir: Option<PathBuf>,
}

impl Cache {
    /// `TAKEOFF_CACHE_DIR`, or `target/takeoff-cache` next to the crate (outside git).
    pub fn default_dir() -> PathBuf {
        std::env::var_os("TAKEOFF_CACHE_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("target")
                    .join("takeoff-cache")
            })
    }

    /// The lesson's cache.
    pub fn standard() -> Cache {
        Cache {
            dir: Some(Cache::default_dir()),
        }
    }

    /// No cache: every run is computed.
    pub fn none() -> Cache {
        Cache { dir: None }
    }

    /// A cache in `dir`.
    pub fn at(dir: impl Into<PathBuf>) -> Cache {
        Cache {
            dir: Some(dir.into()),
        }
    }

    fn path(&self, key: &str) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join(format!("{key}.json")))
    }

    /// The cached run for `key`, if present and intact.
    pub fn get(&self, key: &str) -> Option<Run> {
        self.get_value::<Run>(key).map(|run| Run { cached: true, ..run })
    }

    /// Stores a run (atomically: a crash never leaves a half-written entry under its name).
    pub fn put(&self, key: &str, run: &Run) -> Result<()> {
        self.put_value(key, run)
    }

    /// Any cached result for `key` (a race, say), if present, intact and stored under that key.
    pub fn get_value<T: serde::de::DeserializeOwned>(&self, key: &str) -> Option<T> {
        let text = std::fs::read_to_string(self.path(key)?).ok()?;
        let v: serde_json::Value = serde_json::from_str(&text).ok()?;
        (v.get("key")?.as_str()? == key).then_some(())?;
        serde_json::from_value(v.get("value")?.clone()).ok()
    }

    /// Stores any result under `key` (atomically, as [`Cache::put`]).
    pub fn put_value<T: Serialize>(&self, key: &str, value: &T) -> Result<()> {
        let Some(path) = self.path(key) else { return Ok(()) };
        let dir = path.parent().expect("cache file has a folder");
        std::fs::create_dir_all(dir).map_err(|e| TakeoffError::io(dir, e))?;
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let text = serde_json::json!({"key": key, "value": value}).to_string();
        std::fs::write(&tmp, text).map_err(|e| TakeoffError::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| TakeoffError::io(&path, e))
    }
}

/// A cache key for anything serialisable: SHA-256 of the crate's version and source hash and the
/// value's JSON.
pub fn value_key<T: Serialize>(what: &T) -> String {
    let mut h = Sha256::new();
    h.update(
        serde_json::to_string(&(env!("CARGO_PKG_VERSION"), env!("TAKEOFF_SOURCE_HASH"), what))
            .expect("keys serialise"),
    );
    hex(&h.finalize())[..32].to_string()
}

/// SHA-256 of a dataset's features, labels and class names.
pub fn fingerprint(data: &Dataset) -> String {
    let mut h = Sha256::new();
    h.update(format!("{:?}|{:?}", data.x.dim(), data.class_names).as_bytes());
    for v in data.x.iter() {
        h.update(v.to_le_bytes());
    }
    for &y in data.y.iter() {
        h.update((y as u64).to_le_bytes());
    }
    hex(&h.finalize())
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn run_key(source: &str, train: &str, test: &str, spec: &ModelSpec, m: usize, seed: u64) -> String {
    value_key(&(source, train, test, spec, m, seed))
}

/// One run: nested stratified subsample of size m, standardisation fitted on it, fit, score.
/// A model over its time or memory budget is recorded as not run, with the reason.
pub fn run_one(config: &CurveConfig, name: &str, spec: &ModelSpec, m: usize, seed: u64) -> Result<Run> {
    let sub = config.train.subsample(m, seed)?;
    let scaler = Standardizer::fit(&sub)?;
    let (train, test) = (scaler.transform(&sub)?, scaler.transform(&config.test)?);
    let outcome = match spec.fit_and_score(&train, &test) {
        Ok(s) => Outcome::Ran(s),
        Err(e @ (TakeoffError::OverBudget { .. } | TakeoffError::OverMemory { .. })) => Outcome::NotRun {
            reason: e.to_string(),
        },
        Err(e) => return Err(e),
    };
    Ok(Run {
        model: name.to_string(),
        m,
        seed,
        outcome,
        cached: false,
    })
}

/// Runs every (model, m, seed) not already in `cache`: linfa's single-threaded learners side
/// by side on every core, the MLPs one at a time (their matrix products use every core).
/// Prints one line per finished run.
pub fn learning_curve(config: &CurveConfig, cache: &Cache) -> Result<LearningCurve> {
    if config.sizes.is_empty() || config.seeds.is_empty() || config.models.is_empty() {
        return Err(TakeoffError::invalid(
            "learning curve",
            format!(
                "{} models × {} sizes × {} seeds",
                config.models.len(),
                config.sizes.len(),
                config.seeds.len()
            ),
            "at least one of each",
        ));
    }
    if let Some(&m) = config.sizes.iter().find(|&&m| m == 0 || m > config.train.len()) {
        return Err(TakeoffError::invalid(
            "m",
            m,
            format!("sizes between 1 and the {} training examples", config.train.len()),
        ));
    }
    let (train_fp, test_fp) = (fingerprint(&config.train), fingerprint(&config.test));
    let mut jobs = Vec::new();
    for (name, spec) in &config.models {
        for &m in &config.sizes {
            for &seed in &config.seeds {
                let key = run_key(&config.train.name, &train_fp, &test_fp, spec, m, seed);
                jobs.push((name.clone(), spec.clone(), m, seed, key));
            }
        }
    }
    let started = Instant::now();
    let total = jobs.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let work = |(name, spec, m, seed, key): &(String, ModelSpec, usize, u64, String)| -> Result<Run> {
        if let Some(run) = cache.get(key) {
            done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            return Ok(run);
        }
        let run = run_one(config, name, spec, *m, *seed)?;
        cache.put(key, &run)?;
        let k = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        let what = match &run.outcome {
            Outcome::Ran(s) => format!(
                "test acc {:5.1} %  ({:.1} s)",
                s.test_accuracy * 100.0,
                s.fit_seconds
            ),
            Outcome::NotRun { .. } => "not run: over budget".to_string(),
        };
        println!(
            "[{k}/{total}] {name:<22} m = {m:<6} seed {seed}  {what}  elapsed {:.0} s",
            started.elapsed().as_secs_f64()
        );
        Ok(run)
    };
    let (single, multi): (Vec<_>, Vec<_>) = jobs.iter().partition(|j| j.1.single_threaded());
    let mut runs: Vec<Run> = single.par_iter().map(|j| work(j)).collect::<Result<Vec<_>>>()?;
    for j in multi {
        runs.push(work(j)?);
    }
    // a stable order, whatever finished first
    let order = |r: &Run| {
        (
            config
                .models
                .iter()
                .position(|(n, _)| n == &r.model)
                .unwrap_or(usize::MAX),
            r.m,
            r.seed,
        )
    };
    runs.sort_by_key(order);
    let cached = runs.iter().filter(|r| r.cached).count();
    println!(
        "learning curve on {}: {total} runs, {cached} from the cache, {:.0} s",
        config.train.name,
        started.elapsed().as_secs_f64()
    );
    Ok(LearningCurve {
        task: config.train.name.clone(),
        runs,
        ceiling: config.ceiling,
        models: config.models.iter().map(|(n, _)| n.clone()).collect(),
        sizes: config.sizes.clone(),
        test_size: config.test.len(),
    })
}

/// The lesson's models for a data-scale curve: logistic regression, the RBF SVM (with the
/// profile's time budget), and the small, medium and large MLP presets, each trained for at least
/// `epochs` epochs and at least `samples` examples seen.
pub fn data_scale_models(profile: Profile, samples: usize, epochs: usize) -> Vec<(String, ModelSpec)> {
    let svm_minutes = profile.pick(0.3, 1.0, 30.0);
    let nn = |name: &str, p: MlpParams| {
        (
            name.to_string(),
            ModelSpec::Mlp(p.epochs(epochs).min_samples(samples)),
        )
    };
    vec![
        (
            "logistic regression".into(),
            ModelSpec::Logistic(LogisticParams::new()),
        ),
        (
            "RBF SVM".into(),
            ModelSpec::Svm(SvmParams::new().budget(Budget {
                memory_gb: 4.0,
                minutes: svm_minutes,
            })),
        ),
        nn("small NN (32)", MlpParams::small()),
        nn("medium NN (256-128)", MlpParams::medium()),
        nn("large NN (512-256-128)", MlpParams::large()),
    ]
}

/// The data-scale curve on the teacher task (10 inputs, 4 classes, 10 % label noise), sized by
/// the profile.
pub fn data_scale_teacher(profile: Profile) -> Result<CurveConfig> {
    let task = TeacherTask::lesson_default();
    let top = profile.pick(3_000, 20_000, 300_000);
    let sizes = log_sizes(100, top, profile.pick(4, 6, 8));
    Ok(CurveConfig {
        train: task.generate(top, 1)?,
        test: task.generate(profile.pick(2_000, 10_000, 20_000), 2)?,
        models: data_scale_models(profile, profile.pick(20_000, 100_000, 300_000), 5),
        sizes,
        seeds: (0..profile.pick(1, 2, 3)).collect(),
        ceiling: Some(task.bayes_accuracy()),
    })
}

/// The name of the convolutional net on the Fashion-MNIST curve.
pub const CNN_NAME: &str = "CNN (LeNet 16-32-128)";

/// The data-scale curve on Fashion-MNIST (its official test set, or a fixed stratified part of it
/// in the quick profile), sized by the profile.
pub fn data_scale_fashion(profile: Profile, fashion: &FashionMnist) -> Result<CurveConfig> {
    let top = profile.pick(3_000, 10_000, 60_000);
    let samples = profile.pick(20_000, 60_000, 300_000);
    // 20 epochs at the largest m: fewer leave the large net behind the medium one, undertrained
    let mut models = data_scale_models(profile, samples, profile.pick(5, 20, 20));
    // the network that made the lecture's point on images, at the same sizes and sample budget
    models.push((
        CNN_NAME.into(),
        ModelSpec::Conv(
            ConvParams::lenet()
                .epochs(profile.pick(3, 10, 15))
                .min_samples(samples),
        ),
    ));
    let test = match profile {
        Profile::Quick => fashion.test.subsample(2_000, 0)?,
        _ => fashion.test.clone(),
    };
    Ok(CurveConfig {
        train: fashion.train.clone(),
        test,
        models,
        sizes: log_sizes(100, top, profile.pick(4, 6, 8)),
        seeds: (0..profile.pick(1, 2, 3)).collect(),
        ceiling: None,
    })
}

/// The small-data regime on Fashion-MNIST: (raw pixels, HOG features) configurations over the
/// same images, so a traditional learner on engineered features can be set against raw-pixel
/// learners and nets at small m. Merge the two curves with [`LearningCurve::merge`].
pub fn small_data_fashion(profile: Profile, fashion: &FashionMnist) -> Result<(CurveConfig, CurveConfig)> {
    let top = profile.pick(500, 2_000, 10_000);
    let pool = fashion.train.subsample(top, 7)?;
    let test = fashion.test.subsample(profile.pick(2_000, 5_000, 10_000), 0)?;
    let sizes = log_sizes(profile.pick(50, 30, 30), top, profile.pick(4, 5, 7));
    let seeds: Vec<u64> = (0..profile.pick(1, 2, 5)).collect();
    let budget = Budget {
        memory_gb: 4.0,
        minutes: profile.pick(1.0, 0.5, 30.0),
    };
    let samples = profile.pick(20_000, 60_000, 200_000);
    let pixels = CurveConfig {
        train: pool.clone(),
        test: test.clone(),
        models: vec![
            (
                "RBF SVM on pixels".into(),
                ModelSpec::Svm(SvmParams::new().budget(budget)),
            ),
            (
                "medium NN on pixels".into(),
                ModelSpec::Mlp(MlpParams::medium().epochs(5).min_samples(samples)),
            ),
            (
                "large NN on pixels".into(),
                ModelSpec::Mlp(MlpParams::large().epochs(5).min_samples(samples)),
            ),
        ],
        sizes: sizes.clone(),
        seeds: seeds.clone(),
        ceiling: None,
    };
    let hog = crate::baselines::HogParams::default();
    let features = CurveConfig {
        train: crate::baselines::hog(&pool, hog)?,
        test: crate::baselines::hog(&test, hog)?,
        models: vec![
            (
                "RBF SVM on HOG".into(),
                ModelSpec::Svm(SvmParams::new().budget(budget)),
            ),
            (
                "logistic regression on HOG".into(),
                ModelSpec::Logistic(LogisticParams::new()),
            ),
        ],
        sizes,
        seeds,
        ceiling: None,
    };
    Ok((pixels, features))
}

/// The validation searches behind the baselines' defaults: (logistic regression, RBF SVM)
/// candidates, each fitted once on `m` examples of Fashion-MNIST's training set and scored on a
/// held-out part of the *training* set (the test set is never looked at). Run each with
/// [`validation_search`].
///
/// Logistic regression: L2 penalty α ∈ {0.1, 1, 10} × L-BFGS iterations ∈ {10, 30, 100}.
/// SVM: C ∈ {1, 10, 100} × γ ∈ {0.5, 1, 2} / d.
pub fn baseline_search(profile: Profile, fashion: &FashionMnist) -> Result<(CurveConfig, CurveConfig)> {
    let validation_size = profile.pick(1_000, 2_000, 5_000);
    let (pool, validation) = fashion
        .train
        .split(validation_size as f64 / fashion.train.len() as f64, 11)?;
    let d = fashion.train.n_features() as f64;
    let mut logistic = Vec::new();
    for alpha in [0.1, 1.0, 10.0] {
        for iterations in [10, 30, 100] {
            logistic.push((
                format!("α = {alpha}, {iterations} iterations"),
                ModelSpec::Logistic(LogisticParams::new().alpha(alpha).max_iterations(iterations)),
            ));
        }
    }
    let mut svm = Vec::new();
    for c in [1.0, 10.0, 100.0] {
        for g in [0.5, 1.0, 2.0] {
            // the default γ is left unset, so that candidate equals the default spec
            let params = if g == crate::baselines::DEFAULT_GAMMA_PER_FEATURE {
                SvmParams::new().c(c)
            } else {
                SvmParams::new().c(c).gamma(g / d)
            };
            svm.push((format!("C = {c}, γ = {g}/d"), ModelSpec::Svm(params)));
        }
    }
    let config = |models, m| CurveConfig {
        train: pool.clone(),
        test: validation.clone(),
        models,
        sizes: vec![m],
        seeds: vec![0],
        ceiling: None,
    };
    Ok((
        config(logistic, profile.pick(500, 2_000, 4_000)),
        config(svm, profile.pick(500, 1_000, 2_000)),
    ))
}

/// A finished validation search: every candidate's validation accuracy and fit time, the one it
/// picks, and the default's own result.
#[derive(Debug, Clone)]
pub struct Search {
    pub curve: LearningCurve,
    /// The candidate with the highest validation accuracy; a tie goes to the cheaper one by
    /// [`ModelSpec::cost_key`] (never by the clock, so the pick is the same on every run).
    pub chosen: Point,
    /// The default's own result, when it is one of the candidates.
    pub default_point: Option<Point>,
}

/// The rule of [`validation_search`], in words.
pub const SEARCH_RULE: &str = "the highest validation accuracy; a tie goes to the cheaper candidate \
(fewer iterations or epochs, then a smaller C or α), never to the faster fit on the clock";

/// Runs (or reads from `cache`) a validation search from [`baseline_search`] and picks the
/// candidate with the highest validation accuracy, a tie going to the cheaper candidate by
/// [`ModelSpec::cost_key`] ([`SEARCH_RULE`]). `default` is the crate's default for that learner,
/// reported as matching the pick or not. An error when no candidate ran.
pub fn validation_search(config: &CurveConfig, cache: &Cache, default: &ModelSpec) -> Result<Search> {
    let curve = learning_curve(config, cache)?;
    let points = curve.points();
    let cost = |p: &Point| {
        config
            .models
            .iter()
            .find(|(name, _)| name == &p.model)
            .map_or((f64::MAX, f64::MAX), |(_, spec)| spec.cost_key())
    };
    let chosen = points
        .iter()
        .max_by(|a, b| {
            a.mean
                .total_cmp(&b.mean)
                // on equal accuracy the cheaper candidate is the greater
                .then_with(|| {
                    let (ca, cb) = (cost(a), cost(b));
                    cb.0.total_cmp(&ca.0).then(cb.1.total_cmp(&ca.1))
                })
        })
        .cloned()
        .ok_or_else(|| {
            TakeoffError::invalid(
                "validation search",
                "no candidate ran",
                "at least one candidate within its budget",
            )
        })?;
    let default_point = config
        .models
        .iter()
        .find(|(_, spec)| spec == default)
        .and_then(|(name, _)| points.into_iter().find(|p| &p.model == name));
    Ok(Search {
        curve,
        chosen,
        default_point,
    })
}

impl Search {
    /// The pick is the default it was checked against.
    pub fn default_matches(&self) -> bool {
        self.default_point
            .as_ref()
            .is_some_and(|d| d.model == self.chosen.model)
    }

    /// The search as an HTML table (candidate, validation accuracy, fit time, the pick) and a
    /// sentence saying whether the pick is the crate's default.
    pub fn table(&self) -> crate::display::Html {
        let mut t = crate::display::Table::new(&["candidate", "validation accuracy", "fit time", "picked"]);
        for p in self.curve.points() {
            t.push(vec![
                p.model.clone(),
                format!("{:.1} %", p.mean * 100.0),
                format!("{:.1} s", p.seconds_mean),
                if p.model == self.chosen.model { "←" } else { "" }.into(),
            ]);
        }
        for (model, _, why) in self.curve.not_run() {
            t.push(vec![model, "not run".into(), why, String::new()]);
        }
        let rule = SEARCH_RULE;
        let verdict = if self.default_matches() {
            format!(
                "The search picks {}, {rule}: the crate's default.",
                crate::display::escape(&self.chosen.model)
            )
        } else {
            let default = match &self.default_point {
                Some(d) => format!(
                    " (the default, {}, scores {:.1} %, {:+.1} points against the pick, in {:.1} s)",
                    crate::display::escape(&d.model),
                    d.mean * 100.0,
                    (d.mean - self.chosen.mean) * 100.0,
                    d.seconds_mean
                ),
                None => String::new(),
            };
            format!(
                "The search picks {}, {rule}, which is <b>not</b> the crate's default{default}: the curves below use the default.",
                crate::display::escape(&self.chosen.model)
            )
        };
        crate::display::Html(format!("{}<p>{verdict}</p>", t.to_html()))
    }
}

/// A power law `error = a · m^(−b)` fitted by least squares on log error vs log m.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PowerLaw {
    pub a: f64,
    pub b: f64,
}

impl PowerLaw {
    /// Fits on (m, error) pairs; needs at least two distinct m and positive errors.
    pub fn fit(points: &[(usize, f64)]) -> Result<PowerLaw> {
        let pts: Vec<(f64, f64)> = points
            .iter()
            .filter(|(_, e)| *e > 0.0)
            .map(|&(m, e)| ((m as f64).ln(), e.ln()))
            .collect();
        if pts.len() < 2 {
            return Err(TakeoffError::invalid(
                "points for a power-law fit",
                pts.len(),
                "at least 2 sizes with non-zero error",
            ));
        }
        let n = pts.len() as f64;
        let (mx, my) = (
            pts.iter().map(|p| p.0).sum::<f64>() / n,
            pts.iter().map(|p| p.1).sum::<f64>() / n,
        );
        let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
        if sxx == 0.0 {
            return Err(TakeoffError::invalid(
                "sizes for a power-law fit",
                "one distinct m",
                "at least 2",
            ));
        }
        let slope = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum::<f64>() / sxx;
        Ok(PowerLaw {
            a: (my - slope * mx).exp(),
            b: -slope,
        })
    }

    /// The predicted error at m.
    pub fn predict(&self, m: usize) -> f64 {
        self.a * (m as f64).powf(-self.b)
    }
}

/// A learning curve for the reader's own data: a stratified 25 % test split, log-spaced sizes
/// from a few examples per class to the whole training part, logistic regression and the small
/// and medium nets (trained on at least 20,000 examples seen), `seeds` seeds.
pub fn your_curve(data: &Dataset, seeds: usize) -> Result<CurveConfig> {
    let (train, test) = data.split(0.25, 0)?;
    let lo = (5 * data.n_classes()).max(20).min(train.len());
    let samples = 20_000;
    Ok(CurveConfig {
        models: vec![
            (
                "logistic regression".into(),
                ModelSpec::Logistic(LogisticParams::new()),
            ),
            (
                "small NN (32)".into(),
                ModelSpec::Mlp(MlpParams::small().epochs(5).min_samples(samples)),
            ),
            (
                "medium NN (256-128)".into(),
                ModelSpec::Mlp(MlpParams::medium().epochs(5).min_samples(samples)),
            ),
        ],
        sizes: log_sizes(lo, train.len(), 5),
        seeds: (0..seeds.max(1) as u64).collect(),
        ceiling: None,
        train,
        test,
    })
}

/// The success formula, one measured line per term, from the chapters' own results:
/// big data × big model as a 2 × 2 (the small and the large net at the smallest and the
/// largest m where both ran: does data help the big model more?), decided by the claims'
/// noise rule; compute as the best accuracy each fit-time budget bought on the curve; good
/// algorithms from the tuned activation race (steps to its target error).
pub fn success_formula(
    curve: &LearningCurve,
    small: &str,
    large: &str,
    race: &crate::race::Race,
) -> Result<crate::display::Html> {
    use claims::{decide, noise};
    let mut t = crate::display::Table::new(&["term", "measured", "from"]);
    let pct = |v: f64| format!("{:.1} %", v * 100.0);
    let both = curve.common_sizes(&[small, large]);
    let (Some(&lo), Some(&hi)) = (both.first(), both.last()) else {
        return Err(TakeoffError::invalid(
            "learning curve",
            format!("{small} and {large} never ran at the same size"),
            "a curve on which both nets ran at two sizes or more",
        ));
    };
    let p = |n: &str, m: usize| curve.point(n, m).expect("both ran at these sizes");
    let (s0, s1, l0, l1) = (p(small, lo), p(small, hi), p(large, lo), p(large, hi));
    let (gain_s, gain_l) = (s1.mean - s0.mean, l1.mean - l0.mean);
    let n = noise(&[&s0, &s1, &l0, &l1], curve.test_size);
    t.push(vec![
        "big data × big model".into(),
        format!(
            "{small}: {} at m = {lo}, {} at m = {hi} ({:+.1} points); {large}: {} → {} ({:+.1} points). Data helps the big model more: {} (difference {:+.1} points, noise {:.1})",
            pct(s0.mean),
            pct(s1.mean),
            gain_s * 100.0,
            pct(l0.mean),
            pct(l1.mean),
            gain_l * 100.0,
            decide(gain_l - gain_s, n).label(),
            (gain_l - gain_s) * 100.0,
            n * 100.0
        ),
        curve.task.clone(),
    ]);
    let points = curve.points();
    let budgets: Vec<String> = [1.0, 10.0, f64::INFINITY]
        .iter()
        .filter_map(|&limit| {
            let best = points
                .iter()
                .filter(|p| p.seconds_mean <= limit)
                .max_by(|a, b| a.mean.total_cmp(&b.mean))?;
            let within = if limit.is_finite() {
                format!("fits of at most {limit:.0} s")
            } else {
                "any fit".into()
            };
            Some(format!(
                "{within}: {} ({}, m = {})",
                pct(best.mean),
                best.model,
                best.m
            ))
        })
        .collect();
    t.push(vec![
        "compute".into(),
        format!(
            "best test accuracy bought by {} (this machine)",
            budgets.join("; ")
        ),
        curve.task.clone(),
    ]);
    let target = race.target_error;
    let steps = |a: crate::mlp::Activation| {
        race.lane(a)
            .and_then(|l| l.mean_steps_to(target).0)
            .map_or("not reached".into(), |s| format!("{s:.0} steps"))
    };
    let lanes: Vec<String> = race
        .lanes
        .iter()
        .map(|l| format!("{} {}", l.activation.name(), steps(l.activation)))
        .collect();
    t.push(vec![
        "good algorithms".into(),
        format!(
            "to {:.0} % training error, each activation at its own searched learning rate, mean of {} seeds: {}",
            target * 100.0,
            race.lanes.first().map_or(0, |l| l.histories.len()),
            lanes.join(", ")
        ),
        format!("the activation race of chapter 3 ({}, {})", race.net, race.task),
    ]);
    Ok(crate::display::Html(t.to_html()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::TeacherTask;

    fn config() -> CurveConfig {
        let t = TeacherTask::new(5, 2, 1, 8, 0.05, 1).unwrap();
        CurveConfig {
            train: t.generate(400, 1).unwrap(),
            test: t.generate(200, 2).unwrap(),
            models: vec![
                ("logistic".into(), ModelSpec::Logistic(LogisticParams::new())),
                ("mlp".into(), ModelSpec::Mlp(MlpParams::new(&[8]).epochs(3))),
            ],
            sizes: vec![50, 200],
            seeds: vec![0, 1],
            ceiling: Some(t.bayes_accuracy()),
        }
    }

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("takeoff-cache-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn validation_search_picks_the_best_and_breaks_ties_by_cost() {
        let mut c = config();
        c.sizes = vec![200];
        c.seeds = vec![0];
        c.models = vec![
            (
                "one iteration".into(),
                ModelSpec::Logistic(LogisticParams::new().max_iterations(1)),
            ),
            ("default".into(), ModelSpec::Logistic(LogisticParams::new())),
            (
                "weak penalty".into(),
                ModelSpec::Logistic(LogisticParams::new().alpha(0.01)),
            ),
            // the default again, dearer: equal accuracy, so never picked
            (
                "default, more iterations".into(),
                ModelSpec::Logistic(LogisticParams::new().max_iterations(1_000)),
            ),
        ];
        let default = ModelSpec::Logistic(LogisticParams::new());
        let search = validation_search(&c, &Cache::none(), &default).unwrap();
        let points = search.curve.points();
        let best = points.iter().map(|p| p.mean).fold(0.0, f64::max);
        assert_eq!(search.chosen.mean, best, "the pick is a best one");
        assert_ne!(search.chosen.model, "default, more iterations");
        assert_eq!(search.default_matches(), search.chosen.model == "default");
        assert_eq!(
            search.default_point.as_ref().map(|p| p.model.as_str()),
            Some("default")
        );
        // the same pick again: nothing depends on the clock
        let again = validation_search(&c, &Cache::none(), &default).unwrap();
        assert_eq!(again.chosen.model, search.chosen.model);
        let html = search.table().0;
        assert!(
            html.contains("validation accuracy") && html.contains("The search picks"),
            "{html}"
        );
    }

    #[test]
    fn runs_every_combination_and_caches_them() {
        let cache = Cache::at(tmp("all"));
        let c = config();
        let first = learning_curve(&c, &cache).unwrap();
        assert_eq!(first.runs.len(), 8);
        assert_eq!(first.cached_runs(), 0);
        let second = learning_curve(&c, &cache).unwrap();
        assert_eq!(second.cached_runs(), 8);
        assert_eq!(
            first.points(),
            second.points(),
            "cached results are the same numbers"
        );
        // a remix: one changed model recomputes only its own runs
        let mut remix = c.clone();
        remix.models[1].1 = ModelSpec::Mlp(MlpParams::new(&[16]).epochs(3));
        let third = learning_curve(&remix, &cache).unwrap();
        assert_eq!(third.cached_runs(), 4);
    }

    #[test]
    fn corrupt_cache_entries_are_recomputed() {
        let dir = tmp("corrupt");
        let cache = Cache::at(&dir);
        let c = config();
        let first = learning_curve(&c, &cache).unwrap();
        for e in std::fs::read_dir(&dir).unwrap() {
            std::fs::write(e.unwrap().path(), "{ not json").unwrap();
        }
        let again = learning_curve(&c, &cache).unwrap();
        assert_eq!(again.cached_runs(), 0);
        let acc = |c: &LearningCurve| {
            c.points()
                .iter()
                .map(|p| (p.mean, p.train_mean))
                .collect::<Vec<_>>()
        };
        assert_eq!(acc(&first), acc(&again), "recomputed, same numbers");
    }

    #[test]
    fn over_budget_models_are_recorded_not_run() {
        let mut c = config();
        c.models = vec![(
            "svm".into(),
            ModelSpec::Svm(SvmParams::new().budget(crate::baselines::Budget {
                memory_gb: 0.0,
                minutes: 0.0,
            })),
        )];
        let curve = learning_curve(&c, &Cache::none()).unwrap();
        assert_eq!(curve.not_run().len(), 2);
        assert!(curve.not_run()[0].2.contains("not run at m = 50"));
        assert!(curve.points().is_empty());
    }

    #[test]
    fn power_law_recovers_its_exponent() {
        let pts: Vec<(usize, f64)> = [100, 400, 1600]
            .iter()
            .map(|&m| (m, 2.0 * (m as f64).powf(-0.3)))
            .collect();
        let p = PowerLaw::fit(&pts).unwrap();
        assert!((p.b - 0.3).abs() < 1e-9 && (p.a - 2.0).abs() < 1e-9);
        assert!(PowerLaw::fit(&pts[..1]).is_err());
    }

    #[test]
    fn log_sizes_are_increasing_and_span_the_range() {
        let s = log_sizes(100, 60_000, 6);
        assert_eq!(s.first(), Some(&100));
        assert_eq!(s.last(), Some(&60_000));
        assert!(s.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn bad_sizes_are_errors() {
        let mut c = config();
        c.sizes = vec![10_000];
        assert!(learning_curve(&c, &Cache::none())
            .unwrap_err()
            .to_string()
            .contains("m = 10000"));
    }
}
