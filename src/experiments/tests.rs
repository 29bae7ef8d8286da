//! Tests of the runner, the cache, the search and the power law.

use super::*;
use crate::data::TeacherTask;
use std::path::PathBuf;

fn config() -> CurveConfig {
    let t = TeacherTask::new(5, 2, 1, 8, 0.05, 1).unwrap();
    CurveConfig {
        train: t.generate(400, 1).unwrap(),
        test: t.generate(200, 2).unwrap(),
        validation: None,
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
fn a_search_over_several_seeds_picks_on_the_mean_and_shows_the_range() {
    let mut c = config();
    c.sizes = vec![200];
    c.seeds = vec![0, 1];
    // nets, whose seed changes their initial weights and batch order, so the seeds differ
    let net = |lr: f64| ModelSpec::Mlp(MlpParams::new(&[8]).epochs(3).learning_rate(lr));
    c.models = vec![("slow".into(), net(1e-3)), ("fast".into(), net(3e-2))];
    let search = validation_search(&c, &Cache::none(), &net(1e-3)).unwrap();
    let points = search.curve.points();
    assert!(points.iter().all(|p| p.seeds == 2), "{points:?}");
    assert!(
        points.iter().any(|p| p.max > p.min),
        "the seeds differ: {points:?}"
    );
    let best = points.iter().map(|p| p.mean).fold(0.0, f64::max);
    assert_eq!(
        search.chosen.mean, best,
        "the pick is the best mean over the seeds"
    );
    let both = [crate::lang::Lang::En, crate::lang::Lang::Zh];
    let html = crate::lang::with_languages(&both, || search.table().0);
    assert!(html.contains("mean over the seeds"), "{html}");
    for p in &points {
        let (min, max) = (p.min * 100.0, p.max * 100.0);
        let range = format!("({min:.1}–{max:.1})");
        assert!(html.contains(&range), "{range} missing from {html}");
        // the Chinese table in full-width brackets
        let range_zh = format!("（{min:.1}–{max:.1}）");
        assert!(html.contains(&range_zh), "{range_zh} missing from {html}");
    }
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
fn side_by_side_runs_match_runs_made_alone() {
    // the curve fits its nets two at a time on the global pool (each net's parallel work nested
    // in the other's); each run must score what the same run scores made alone, one at a time
    let mut c = config();
    c.models.push((
        "wider mlp".into(),
        ModelSpec::Mlp(MlpParams::new(&[32, 16]).epochs(3)),
    ));
    let curve = learning_curve(&c, &Cache::none()).unwrap();
    assert_eq!(curve.runs.len(), 3 * 2 * 2);
    for run in &curve.runs {
        let spec = &c.models.iter().find(|(n, _)| n == &run.model).unwrap().1;
        let alone = run_one(&c, &run.model, spec, run.m, run.seed).unwrap();
        let scores = |r: &Run| match &r.outcome {
            Outcome::Ran(s) => (s.test_accuracy, s.train_accuracy),
            Outcome::NotRun { .. } => panic!("{} at m = {} not run", r.model, r.m),
        };
        assert_eq!(
            scores(run),
            scores(&alone),
            "{} m = {} seed {}",
            run.model,
            run.m,
            run.seed
        );
    }
}

#[test]
fn over_budget_models_are_recorded_not_run() {
    let mut c = config();
    c.models = vec![(
        "svm".into(),
        ModelSpec::Svm(SvmParams::new().budget(crate::models::baselines::Budget {
            memory_gb: 0.0,
            minutes: 0.0,
        })),
    )];
    let curve = learning_curve(&c, &Cache::none()).unwrap();
    assert_eq!(curve.not_run().len(), 2);
    assert!(curve.not_run()[0].2.en.contains("not run at m = 50"));
    assert!(curve.not_run()[0].2.zh.contains("m = 50 时未运行"));
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

/// A cached value reads back bit for bit (a page drawn from the cache must equal the page drawn
/// from the run): 0.10173842414792743 is a gradient norm that came back one unit off before.
#[test]
fn cached_floats_read_back_bit_for_bit() {
    use rand::Rng;
    let mut r = crate::random::rng(3);
    let mut values: Vec<f64> = (0..10_000)
        .map(|_| r.gen::<f64>() * 10f64.powi(r.gen_range(-8..8)))
        .collect();
    values.push(0.101_738_424_147_927_43);
    let dir = tmp("floats");
    let cache = Cache::at(&dir);
    cache.put_value("floats", &values).unwrap();
    let back: Vec<f64> = cache.get_value("floats").unwrap();
    assert!(back.iter().zip(&values).all(|(a, b)| a.to_bits() == b.to_bits()));
    let _ = std::fs::remove_dir_all(dir);
}

/// A curve of two "engineered" and one "raw" model at one size, with the given (test,
/// validation) accuracy per model.
fn best_of_curve(scores: &[(&str, f64, Option<f64>)]) -> LearningCurve {
    LearningCurve {
        task: "t".into(),
        runs: scores
            .iter()
            .map(|&(model, test_accuracy, validation_accuracy)| Run {
                model: model.into(),
                m: 100,
                seed: 0,
                outcome: Outcome::Ran(Scores {
                    train_accuracy: 1.0,
                    test_accuracy,
                    validation_accuracy,
                    fit_seconds: 0.1,
                    training: None,
                }),
                cached: false,
            })
            .collect(),
        ceiling: None,
        models: scores.iter().map(|s| s.0.to_string()).collect(),
        sizes: vec![100],
        test_size: 1000,
    }
}

#[test]
fn best_of_each_picks_on_validation_and_reports_the_test_accuracy() {
    // on the test set "hog b" looks best, but validation picks "hog a": the table shows a's test score
    let curve = best_of_curve(&[
        ("hog a", 0.70, Some(0.80)),
        ("hog b", 0.75, Some(0.60)),
        ("pixels", 0.65, Some(0.66)),
    ]);
    let best = curve.best_of_each(&["hog a", "hog b"], &["pixels"]).unwrap();
    assert_eq!(best.rows.len(), 1);
    assert_eq!(best.rows[0].1.model, "hog a");
    assert_eq!(best.rows[0].1.mean, 0.70);
    assert_eq!(best.rows[0].2.model, "pixels");
    // without validation scores there is nothing honest to pick on: an error that says so
    let bare = best_of_curve(&[("hog a", 0.70, None), ("pixels", 0.65, None)]);
    let e = bare
        .best_of_each(&["hog a"], &["pixels"])
        .unwrap_err()
        .to_string();
    assert!(e.contains("validation set"), "{e}");
}

#[test]
fn a_validation_set_is_scored_by_every_run_and_changes_the_key() {
    let mut cfg = config();
    cfg.models.truncate(1);
    cfg.seeds = vec![0];
    cfg.sizes = vec![cfg.sizes[0]];
    let dir = std::env::temp_dir().join(format!("takeoff-validation-{}", std::process::id()));
    let cache = Cache::at(&dir);
    let without = learning_curve(&cfg, &cache).unwrap();
    assert!(without.points()[0].validation_mean.is_none());
    cfg.validation = Some(cfg.test.clone());
    let with = learning_curve(&cfg, &cache).unwrap();
    assert!(!with.runs[0].cached, "another validation set is another run");
    let p = &with.points()[0];
    assert_eq!(
        p.validation_mean,
        Some(p.mean),
        "the same examples score the same"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// A run's seed moves a net's own seed (initialisation, batch order, held-out part), so runs on
/// the same examples still differ; linfa's learners are left as they are.
#[test]
fn a_runs_seed_moves_a_nets_seed_only() {
    use crate::models::baselines::LogisticParams;
    let net = ModelSpec::Mlp(MlpParams::new(&[4]).seed(3));
    assert_eq!(net.for_run(0), net);
    assert_eq!(net.for_run(2), ModelSpec::Mlp(MlpParams::new(&[4]).seed(5)));
    let logistic = ModelSpec::Logistic(LogisticParams::new());
    assert_eq!(logistic.for_run(7), logistic);
}

/// Images are scaled by one mean and one standard deviation, tabular features one by one.
#[test]
fn the_convolutional_net_scales_every_pixel_alike() {
    use crate::data::Standardizer;
    assert_eq!(
        ModelSpec::Conv(crate::models::conv::ConvParams::lenet()).scaling(),
        Scaling::Global
    );
    assert_eq!(
        ModelSpec::Mlp(MlpParams::new(&[4])).scaling(),
        Scaling::PerFeature
    );
    let data = crate::data::spirals(50, 2, 0.1, 0).unwrap();
    let s = Standardizer::fit_global(&data).unwrap();
    assert!(s.mean.iter().all(|&m| m == s.mean[0]) && s.std.iter().all(|&v| v == s.std[0]));
    let x = s.transform(&data).unwrap().x;
    let n = x.len() as f64;
    let mean = x.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let var = x.iter().map(|&v| (f64::from(v) - mean).powi(2)).sum::<f64>() / n;
    assert!(mean.abs() < 1e-5 && (var - 1.0).abs() < 1e-4, "{mean} {var}");
}

/// At m = every example of the pool, logistic regression fits once for all seeds (its seeds'
/// subsamples hold the same examples and it has no seed of its own); the net still runs once a
/// seed, and its seeds differ.
#[test]
fn at_the_whole_pool_a_learner_without_a_seed_fits_once() {
    let mut c = config();
    c.sizes = vec![50, 400];
    let cache = Cache::at(tmp("whole"));
    let curve = learning_curve(&c, &cache).unwrap();
    assert_eq!(curve.runs.len(), 8);
    // 7 entries in the cache: logistic regression at m = 400 is stored once
    let stored = std::fs::read_dir(cache.dir.as_ref().unwrap()).unwrap().count();
    assert_eq!(stored, 7);
    let at = |model: &str, seed| {
        curve
            .runs
            .iter()
            .find(|r| r.model == model && r.m == 400 && r.seed == seed)
            .unwrap()
            .outcome
            .clone()
    };
    assert_eq!(at("logistic", 0), at("logistic", 1));
    assert_ne!(at("mlp", 0), at("mlp", 1));
    assert_eq!(curve.point("logistic", 400).unwrap().seeds, 2);
}

/// Two curves merged name one task when the second is the first's data seen another way, and
/// both tasks otherwise; the runs and sizes of both are kept.
#[test]
fn merged_curves_name_their_task_once() {
    let curve = |task: &str, m: usize| LearningCurve {
        task: task.into(),
        runs: Vec::new(),
        ceiling: None,
        models: Vec::new(),
        sizes: vec![m],
        test_size: 1_000,
    };
    let same = curve("Fashion-MNIST", 100).merge(curve("Fashion-MNIST (train) (HOG)", 200));
    assert_eq!(same.task, "Fashion-MNIST");
    assert_eq!(same.sizes, vec![100, 200]);
    let two = curve("moons", 100).merge(curve("flower", 100));
    assert_eq!(two.task, "moons and flower");
}
