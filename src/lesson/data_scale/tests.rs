use super::*;

#[test]
fn each_net_is_searched_over_the_learning_rates_as_its_curve_trains_it() {
    let fashion = crate::data::fashion_mnist().unwrap();
    let curve = data_scale_fashion(Profile::Quick, &fashion).unwrap();
    let searches = net_search(Profile::Quick, &fashion).unwrap();
    // the MLPs, then the convolutional net
    assert_eq!(
        searches.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(),
        [NETS.as_slice(), &[CNN]].concat()
    );
    for (net, candidates) in &searches {
        assert_eq!(candidates.models.len(), NET_LEARNING_RATES.len());
        assert_eq!(candidates.sizes, vec![*curve.sizes.last().unwrap()]);
        // the curve's own setting is one of the candidates, so the search can confirm it
        let own = &curve.models.iter().find(|(n, _)| n == net).unwrap().1;
        assert!(candidates.models.iter().any(|(_, s)| s == own), "{net}");
        // validation images are training images, never the test set
        assert_ne!(candidates.test.name, curve.test.name);
    }
}

/// (model, m, (test, validation) accuracy of each seed).
type Row<'a> = (&'a str, usize, &'a [(f64, f64)]);

/// A curve from its rows, on a test set of 10,000.
fn hand_made(rows: &[Row]) -> crate::experiments::LearningCurve {
    use crate::experiments::{Outcome, Run, Scores};
    let mut curve = crate::experiments::LearningCurve {
        task: "hand-made".into(),
        runs: Vec::new(),
        ceiling: None,
        models: Vec::new(),
        sizes: Vec::new(),
        test_size: 10_000,
    };
    for &(model, m, accs) in rows {
        if !curve.models.iter().any(|x| x == model) {
            curve.models.push(model.into());
        }
        if !curve.sizes.contains(&m) {
            curve.sizes.push(m);
        }
        for (seed, &(test_accuracy, validation)) in accs.iter().enumerate() {
            curve.runs.push(Run {
                model: model.into(),
                m,
                seed: seed as u64,
                outcome: Outcome::Ran(Scores {
                    train_accuracy: 1.0,
                    test_accuracy,
                    validation_accuracy: Some(validation),
                    fit_seconds: 0.1,
                    training: None,
                }),
                cached: false,
            });
        }
    }
    curve.sizes.sort_unstable();
    curve
}

#[test]
fn the_engineered_learner_is_picked_on_validation_at_the_largest_m() {
    let (svm, logistic) = (ON_HOG[0], ON_HOG[1]);
    let small = hand_made(&[
        // at the smallest m the SVM leads on validation
        (svm, 100, &[(0.70, 0.72)]),
        (logistic, 100, &[(0.69, 0.70)]),
        (ON_PIXELS[0], 100, &[(0.60, 0.60)]),
        (ON_PIXELS[1], 100, &[(0.60, 0.60)]),
        (ON_PIXELS[2], 100, &[(0.60, 0.60)]),
        // at the largest, logistic regression leads on validation though the SVM leads on test
        (svm, 1_000, &[(0.86, 0.80)]),
        (logistic, 1_000, &[(0.84, 0.83)]),
        (ON_PIXELS[0], 1_000, &[(0.80, 0.80)]),
        (ON_PIXELS[1], 1_000, &[(0.80, 0.80)]),
        (ON_PIXELS[2], 1_000, &[(0.80, 0.80)]),
    ]);
    assert_eq!(engineered_learner(&small).unwrap(), logistic);
    // no learner on raw pixels: nothing to pick against, and an error that names them
    let alone = hand_made(&[(svm, 100, &[(0.7, 0.7)]), (logistic, 100, &[(0.7, 0.7)])]);
    assert!(engineered_learner(&alone).is_err());
}

#[test]
fn the_nets_are_decided_against_the_engineered_features_where_both_ran() {
    use crate::experiments::Verdict;
    let hog = ON_HOG[0];
    let curve = hand_made(&[
        (hog, 1_000, &[(0.80, 0.0), (0.80, 0.0)]),
        (CNN, 1_000, &[(0.74, 0.0), (0.76, 0.0)]),
        (LARGE_NN, 1_000, &[(0.73, 0.0), (0.73, 0.0)]),
        (hog, 10_000, &[(0.88, 0.0), (0.88, 0.0)]),
        (CNN, 10_000, &[(0.88, 0.0), (0.88, 0.0)]),
        (LARGE_NN, 10_000, &[(0.85, 0.0), (0.85, 0.0)]),
        (hog, 60_000, &[(0.90, 0.0), (0.90, 0.0)]),
        (CNN, 60_000, &[(0.93, 0.0), (0.93, 0.0)]),
        (LARGE_NN, 60_000, &[(0.89, 0.0), (0.89, 0.0)]),
    ]);
    let claims = engineered_claims(&curve, hog).unwrap();
    assert_eq!(claims.len(), 3);
    // the CNN ties at 10,000 and leads beyond the noise only at 60,000: the crossover m
    assert_eq!(claims[0].verdict, Verdict::Holds);
    assert_eq!(claims[0].m, Some(60_000));
    assert!(
        claims[0].evidence.en.contains("from m = 60,000 on"),
        "{:?}",
        claims[0].evidence
    );
    // the large MLP stays behind by a point against a noise of 0.6
    assert_eq!(claims[1].verdict, Verdict::DoesNotHold);
    // from 10,000 to 60,000 the engineered features gain 2 points, the CNN 5
    assert_eq!(claims[2].verdict, Verdict::Holds);
    assert!(claims[2].claim.en.starts_with(&format!("{hog} flattens")));
    // a curve without the nets and the learner: an error, never a dropped claim
    let without = hand_made(&[(CNN, 1_000, &[(0.7, 0.0)])]);
    assert!(engineered_claims(&without, hog).is_err());
}

#[test]
fn the_svm_on_hog_features_fits_every_training_image_within_its_budget_on_two_cores() {
    // 6,000 images of each of the 10 classes, 1,296 HOG features each (HogParams::default)
    let fashion = crate::data::fashion_mnist().unwrap();
    let d = crate::data::hog(&fashion.test.subsample(10, 0).unwrap(), Default::default())
        .unwrap()
        .n_features();
    assert_eq!(d, 1_296);
    let cost = SvmParams::estimate_for(&[6_000; 10], d, 2);
    let budget = svm_budget(Profile::Default);
    assert!(
        cost.minutes <= budget.minutes && cost.memory_gb <= budget.memory_gb,
        "{cost:?} against {budget:?}"
    );
}
