//! Tests of the claim rules on curves built by hand.

use super::*;
use crate::experiments::{Outcome, Run, Scores};

/// A curve from (model, m, accuracies per seed); `None` accuracies are "not run".
fn curve(rows: &[(&str, usize, Option<&[f64]>)], test_size: usize) -> LearningCurve {
    let mut runs = Vec::new();
    let (mut models, mut sizes): (Vec<String>, Vec<usize>) = (Vec::new(), Vec::new());
    for &(model, m, accs) in rows {
        if !models.iter().any(|x| x == model) {
            models.push(model.into());
        }
        if !sizes.contains(&m) {
            sizes.push(m);
        }
        let outcomes: Vec<Outcome> = match accs {
            Some(a) => a
                .iter()
                .map(|&test_accuracy| {
                    Outcome::Ran(Scores {
                        train_accuracy: 1.0,
                        test_accuracy,
                        validation_accuracy: None,
                        fit_seconds: 0.1,
                        training: None,
                    })
                })
                .collect(),
            None => vec![Outcome::NotRun {
                reason: crate::lang::Text::same("over the time budget"),
            }],
        };
        for (seed, outcome) in outcomes.into_iter().enumerate() {
            runs.push(Run {
                model: model.into(),
                m,
                seed: seed as u64,
                outcome,
                cached: false,
            });
        }
    }
    sizes.sort_unstable();
    LearningCurve {
        task: "hand-made".into(),
        runs,
        ceiling: None,
        models,
        sizes,
        test_size,
    }
}

fn find<'a>(claims: &'a [Claim], start: &str) -> &'a Claim {
    claims
        .iter()
        .find(|c| c.claim.en.starts_with(start))
        .unwrap_or_else(|| panic!("no claim starting with {start:?} in {claims:?}"))
}

#[test]
fn noise_is_seed_spread_plus_test_standard_error() {
    let c = curve(
        &[("a", 100, Some(&[0.79, 0.81])), ("b", 100, Some(&[0.8, 0.8]))],
        10_000,
    );
    let (a, b) = (c.point("a", 100).unwrap(), c.point("b", 100).unwrap());
    // spread 0.01 (population std of 0.79, 0.81) + √(0.8 · 0.2 / 10,000) = 0.004
    assert!((noise(&[&a, &b], 10_000) - 0.014).abs() < 1e-12);
    assert_eq!(decide(0.02, 0.014), Verdict::Holds);
    assert_eq!(decide(-0.02, 0.014), Verdict::DoesNotHold);
    assert_eq!(decide(0.01, 0.014), Verdict::NotShown);
}

#[test]
fn claims_are_decided_at_equal_m_not_at_each_models_last_size() {
    // the SVM stops at m = 1,000, where it leads; the net only leads at 10,000
    let c = curve(
        &[
            ("svm", 100, Some(&[0.60])),
            ("svm", 1000, Some(&[0.85])),
            ("svm", 10000, None),
            ("net", 100, Some(&[0.55])),
            ("net", 1000, Some(&[0.80])),
            ("net", 10000, Some(&[0.90])),
        ],
        10_000,
    );
    let claims = c.check_claims(&["svm"], &["net"]).unwrap();
    let beats = find(&claims, "with the most data");
    assert_eq!(beats.m, Some(1000));
    assert_eq!(beats.verdict, Verdict::DoesNotHold, "{beats:?}");
    assert!(beats
        .evidence
        .en
        .contains("svm did not run at m = 10,000 (over the time budget)"));
}

#[test]
fn a_model_that_never_ran_with_the_others_is_not_tested() {
    let c = curve(
        &[
            ("svm", 100, None),
            ("svm", 1000, None),
            ("net", 100, Some(&[0.5])),
            ("net", 1000, Some(&[0.8])),
        ],
        1_000,
    );
    let claims = c.check_claims(&["svm"], &["net"]).unwrap();
    let beats = find(&claims, "with the most data");
    assert!(matches!(beats.verdict, Verdict::NotTested { .. }), "{beats:?}");
    assert!(beats.verdict.label().contains("svm did not run at m = 1,000"));
    assert!(matches!(
        find(&claims, "svm flattens").verdict,
        Verdict::NotTested { .. }
    ));
}

#[test]
fn differences_inside_the_noise_are_not_shown() {
    // 84.5 / 84.8 / 84.9% with a 1.2-point spread: the case a teacher saw called "holds"
    let c = curve(
        &[
            ("small", 100, Some(&[0.50, 0.52])),
            ("medium", 100, Some(&[0.51, 0.53])),
            ("large", 100, Some(&[0.52, 0.54])),
            ("small", 10000, Some(&[0.833, 0.857])),
            ("medium", 10000, Some(&[0.836, 0.860])),
            ("large", 10000, Some(&[0.837, 0.861])),
        ],
        10_000,
    );
    let claims = c.check_claims(&[], &["small", "medium", "large"]).unwrap();
    let larger = find(&claims, "with the most data, the larger");
    assert_eq!(larger.verdict, Verdict::NotShown, "{larger:?}");
    assert_eq!(larger.m, Some(10000));
}

#[test]
fn each_verdict_is_reachable() {
    let rows = |large_top: f64, logistic_top: f64| {
        curve(
            &[
                ("logistic", 100, Some(&[0.60, 0.60][..])),
                ("logistic", 1000, Some(&[0.70, 0.70][..])),
                ("logistic", 4000, Some(&[logistic_top, logistic_top][..])),
                ("small", 100, Some(&[0.61, 0.61][..])),
                ("small", 1000, Some(&[0.70, 0.70][..])),
                ("small", 4000, Some(&[0.74, 0.74][..])),
                ("large", 100, Some(&[0.60, 0.60][..])),
                ("large", 1000, Some(&[0.72, 0.72][..])),
                ("large", 4000, Some(&[large_top, large_top][..])),
            ],
            100_000,
        )
    };
    let holds = rows(0.85, 0.71)
        .check_claims(&["logistic"], &["small", "large"])
        .unwrap();
    for c in holds
        .iter()
        .filter(|c| !c.claim.en.starts_with("at the smallest"))
    {
        assert_eq!(c.verdict, Verdict::Holds, "{c:?}");
    }
    let fails = rows(0.72, 0.80)
        .check_claims(&["logistic"], &["small", "large"])
        .unwrap();
    for start in [
        "logistic flattens",
        "with the most data, the large",
        "with the most data, the larger",
    ] {
        assert_eq!(find(&fails, start).verdict, Verdict::DoesNotHold, "{start}");
    }
    let tie = rows(0.7401, 0.7400)
        .check_claims(&["logistic"], &["small", "large"])
        .unwrap();
    assert_eq!(
        find(&tie, "with the most data, the large").verdict,
        Verdict::NotShown
    );
    // at m = 100 the best leads by 1 point against a noise of 0.15: ordering clear
    assert_eq!(find(&holds, "at the smallest m").verdict, Verdict::DoesNotHold);
    // the same gap on 1,000 test examples (standard error 1.5 points): unclear
    let mut small_test = rows(0.85, 0.71);
    small_test.test_size = 1_000;
    let unclear = small_test
        .check_claims(&["logistic"], &["small", "large"])
        .unwrap();
    assert_eq!(find(&unclear, "at the smallest m").verdict, Verdict::Holds);
    assert_eq!(
        small_test.unclear_sizes(),
        vec![100],
        "the chart shades what the table decides"
    );
}

#[test]
fn crossover_names_the_size_where_the_net_pulls_ahead() {
    let c = curve(
        &[
            ("svm", 100, Some(&[0.70])),
            ("svm", 1000, Some(&[0.80])),
            ("svm", 10000, Some(&[0.84])),
            ("cnn", 100, Some(&[0.60])),
            ("cnn", 1000, Some(&[0.82])),
            ("cnn", 10000, Some(&[0.90])),
        ],
        10_000,
    );
    let claims = c.net_claims(&["svm"], "cnn").unwrap();
    let passes = find(&claims, "the cnn passes svm");
    assert_eq!(passes.verdict, Verdict::Holds);
    assert!(passes.evidence.en.contains("from m = 1,000 on"), "{passes:?}");
    assert_eq!(find(&claims, "with the most data").verdict, Verdict::Holds);
    let behind = curve(&[("svm", 100, Some(&[0.8])), ("cnn", 100, Some(&[0.7]))], 10_000);
    let c = behind.crossover("cnn", "svm");
    assert_eq!(c.verdict, Verdict::DoesNotHold);
    assert!(c.evidence.en.contains("does not lead"), "{c:?}");
}

#[test]
fn success_formula_is_a_two_by_two_decided_by_the_noise_rule() {
    use crate::models::activation::Activation;
    use crate::models::history::Checkpoint;
    use crate::models::history::History;
    let c = curve(
        &[
            ("small", 100, Some(&[0.60])),
            ("small", 10000, Some(&[0.70])),
            ("large", 100, Some(&[0.58])),
            ("large", 10000, Some(&[0.85])),
        ],
        10_000,
    );
    let history = History {
        epochs: Vec::new(),
        checkpoints: vec![Checkpoint {
            step: 40,
            examples: 5120,
            train_error: 0.1,
            seconds: 0.1,
        }],
        ..History::default()
    };
    let race = crate::experiments::race::Race {
        task: "t".into(),
        net: "MLP 8".into(),
        target_error: 0.15,
        strict_error: 0.05,
        momentum: 0.9,
        lanes: vec![crate::experiments::race::Lane {
            activation: Activation::Relu,
            learning_rate: 0.1,
            search: Vec::new(),
            on_edge: false,
            histories: vec![history],
        }],
        seeds: vec![0],
        cached: false,
    };
    let formula = crate::lesson::takeaways::success_formula(&c, "small", "large", &race).unwrap();
    assert_eq!(formula.data_times_model.verdict, Verdict::Holds);
    assert_eq!(formula.algorithms.steps, [(Activation::Relu, Some(40.0))]);
    let html = formula.to_html();
    assert!(
        html.contains("(+10.0 points)") && html.contains("(+27.0 points)"),
        "{html}"
    );
    assert!(html.contains("Data helps the big model more: holds"), "{html}");
    assert!(html.contains("ReLU 40 steps"), "{html}");
    let apart = curve(
        &[("small", 100, Some(&[0.6])), ("large", 1000, Some(&[0.7]))],
        100,
    );
    assert!(crate::lesson::takeaways::success_formula(&apart, "small", "large", &race).is_err());
    assert!(crate::lesson::takeaways::success_formula(&c, "smal", "large", &race).is_err());
}

#[test]
fn an_unknown_model_name_is_an_error() {
    let c = curve(&[("net", 100, Some(&[0.5]))], 100);
    let e = c
        .check_claims(&["logistic regresion"], &["net"])
        .unwrap_err()
        .to_string();
    assert!(e.contains("logistic regresion") && e.contains("net"), "{e}");
}

#[test]
fn the_table_states_the_rule() {
    let c = curve(&[("a", 100, Some(&[0.5])), ("b", 100, Some(&[0.6]))], 100);
    let html = crate::view::tables::claims_table(&c.check_claims(&["a"], &["b"]).unwrap()).html;
    assert!(html.contains("decided at") && html.contains("standard error"));
}

/// `curve` with every run also scored on validation data (its test accuracy, for simplicity).
pub(crate) fn with_validation(mut c: LearningCurve) -> LearningCurve {
    for r in &mut c.runs {
        if let Outcome::Ran(s) = &mut r.outcome {
            s.validation_accuracy = Some(s.test_accuracy);
        }
    }
    c
}

#[test]
fn engineered_features_are_judged_at_the_smallest_and_the_largest_m() {
    // HOG leads by 10 points at m = 100, by 0.2 (inside the noise) at m = 1,000
    let c = with_validation(curve(
        &[
            ("hog svm", 100, Some(&[0.70, 0.70])),
            ("pixel svm", 100, Some(&[0.60, 0.60])),
            ("pixel net", 100, Some(&[0.58, 0.58])),
            ("hog svm", 1_000, Some(&[0.852, 0.852])),
            ("pixel svm", 1_000, Some(&[0.85, 0.85])),
            ("pixel net", 1_000, Some(&[0.84, 0.84])),
        ],
        10_000,
    ));
    let claims = c
        .feature_claims(&["hog svm"], &["pixel svm", "pixel net"])
        .unwrap();
    let small = find(&claims, "at this curve's smallest m");
    assert_eq!((small.verdict.clone(), small.m), (Verdict::Holds, Some(100)));
    assert!(
        small.evidence.en.contains("pixel svm 60.0%"),
        "{}",
        small.evidence.en
    );
    let large = find(&claims, "at this curve's largest m");
    assert_eq!((large.verdict.clone(), large.m), (Verdict::NotShown, Some(1_000)));
    // each claim names the size it speaks of
    assert!(large.claim.en.ends_with("(m = 1,000)"), "{}", large.claim.en);
    assert!(large.claim.zh.ends_with("（m = 1,000）"), "{}", large.claim.zh);
    // raw pixels ahead beyond the noise at the largest m: does not hold
    let c = with_validation(curve(
        &[
            ("hog svm", 100, Some(&[0.70])),
            ("pixel svm", 100, Some(&[0.60])),
            ("hog svm", 1_000, Some(&[0.80])),
            ("pixel svm", 1_000, Some(&[0.85])),
        ],
        10_000,
    ));
    let claims = c.feature_claims(&["hog svm"], &["pixel svm"]).unwrap();
    assert_eq!(
        find(&claims, "at this curve's largest m").verdict,
        Verdict::DoesNotHold
    );
    // a side that never ran: not tested; a curve without validation scores: an error
    let c = with_validation(curve(
        &[("hog svm", 100, None), ("pixel svm", 100, Some(&[0.60]))],
        10_000,
    ));
    let claims = c.feature_claims(&["hog svm"], &["pixel svm"]).unwrap();
    assert!(matches!(claims[0].verdict, Verdict::NotTested { .. }));
    let plain = curve(
        &[("hog svm", 100, Some(&[0.7])), ("pixel svm", 100, Some(&[0.6]))],
        10_000,
    );
    assert!(plain.feature_claims(&["hog svm"], &["pixel svm"]).is_err());
    assert!(c.feature_claims(&["no such model"], &["pixel svm"]).is_err());
}

/// A traditional learner that stopped for its budget: the equal-m claim is decided where all
/// ran, the practitioner's claim sets the net at its largest m against the learner's last point,
/// names both sizes and why the learner stopped; the crossover names where the net pulls ahead.
#[test]
fn a_learner_that_stopped_for_budget_is_met_by_the_practitioners_claim() {
    let rows: Vec<(&str, usize, Option<&[f64]>)> = vec![
        ("logistic", 1_000, Some(&[0.70, 0.70])),
        ("logistic", 10_000, Some(&[0.71, 0.71])),
        ("logistic", 100_000, Some(&[0.71, 0.71])),
        ("svm", 1_000, Some(&[0.74, 0.74])),
        ("svm", 10_000, Some(&[0.78, 0.78])),
        ("svm", 100_000, None),
        ("small", 1_000, Some(&[0.70, 0.70])),
        ("small", 10_000, Some(&[0.74, 0.74])),
        ("small", 100_000, Some(&[0.76, 0.76])),
        ("large", 1_000, Some(&[0.68, 0.68])),
        ("large", 10_000, Some(&[0.75, 0.75])),
        ("large", 100_000, Some(&[0.84, 0.84])),
    ];
    let c = curve(&rows, 100_000);
    let claims = c.check_claims(&["logistic", "svm"], &["small", "large"]).unwrap();
    // at equal m (10,000, the largest where all ran) the SVM leads: does not hold
    let equal = find(&claims, "with the most data, the large beats");
    assert_eq!(
        (equal.verdict.clone(), equal.m),
        (Verdict::DoesNotHold, Some(10_000))
    );
    // with all the data: the large net's 84% against the SVM's 78% at 10,000
    let prac = find(&claims, "with all the data");
    assert_eq!((prac.verdict.clone(), prac.m), (Verdict::Holds, Some(100_000)));
    assert!(
        prac.evidence.en.contains("svm 78.0% at m = 10,000"),
        "{}",
        prac.evidence.en
    );
    assert!(
        prac.evidence
            .en
            .contains("svm stops at m = 10,000 (over the time budget)"),
        "{}",
        prac.evidence.en
    );
    // larger is higher, decided at the curve's largest m among the nets
    assert_eq!(find(&claims, "with the most data, the larger").m, Some(100_000));
    // the crossover against logistic regression: ahead from 10,000 on
    let cross = find(&claims, "the large passes logistic");
    assert_eq!(cross.verdict, Verdict::Holds);
    assert!(
        cross.evidence.en.contains("from m = 10,000 on"),
        "{}",
        cross.evidence.en
    );
    // and against the SVM, decided where both ran: behind
    assert_eq!(
        find(&claims, "the large passes svm").verdict,
        Verdict::DoesNotHold
    );
    // when every learner ran at the top size there is no practitioner's claim
    let all: Vec<_> = rows.iter().filter(|r| r.0 != "svm").cloned().collect();
    let c = curve(&all, 100_000);
    let claims = c.check_claims(&["logistic"], &["small", "large"]).unwrap();
    assert!(!claims.iter().any(|c| c.claim.en.starts_with("with all the data")));
}

/// The findings paragraph is written from the verdicts: the counts, each claim with its size and
/// margin, and the learner that stopped before the largest size, with its reason.
#[test]
fn findings_are_written_from_the_verdicts() {
    let rows: Vec<(&str, usize, Option<&[f64]>)> = vec![
        ("svm", 1_000, Some(&[0.74, 0.74])),
        ("svm", 10_000, Some(&[0.78, 0.78])),
        ("svm", 100_000, None),
        ("small", 1_000, Some(&[0.70, 0.70])),
        ("small", 10_000, Some(&[0.74, 0.74])),
        ("small", 100_000, Some(&[0.76, 0.76])),
        ("large", 1_000, Some(&[0.68, 0.68])),
        ("large", 10_000, Some(&[0.75, 0.75])),
        ("large", 100_000, Some(&[0.84, 0.84])),
    ];
    let c = curve(&rows, 100_000);
    let claims = c.check_claims(&["svm"], &["small", "large"]).unwrap();
    let text = crate::lesson::takeaways::findings(&c, &claims, crate::Profile::Default);
    let holds = claims.iter().filter(|c| c.verdict == Verdict::Holds).count();
    assert!(
        text.en
            .starts_with(&format!("hand-made: {holds} of {} claims hold", claims.len())),
        "{}",
        text.en
    );
    assert!(
        text.en.contains("“with all the data, the large beats what each traditional learner reached at the largest m it could be trained at here”: holds at m = 100,000 (+6.0 points"),
        "{}",
        text.en
    );
    assert!(
        text.en.contains("svm stops at m = 10,000 (over the time budget)"),
        "{}",
        text.en
    );
    assert!(
        text.en
            .contains("m from 1,000 to 100,000, 2 seeds, the default profile"),
        "{}",
        text.en
    );
    assert!(text.zh.contains("止步于 m = 10,000"), "{}", text.zh);
}
