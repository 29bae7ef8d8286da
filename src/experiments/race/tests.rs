use super::*;

#[test]
fn race_picks_a_rate_per_activation_and_counts_epochs_to_target() {
    let data = crate::data::spirals(100, 2, 0.05, 0).unwrap();
    let race = activation_race(&RaceConfig {
        data,
        net: RaceNet::Mlp(vec![32, 32]),
        activations: vec![Activation::Sigmoid, Activation::Relu],
        learning_rates: vec![0.01, 0.1],
        momentum: 0.9,
        search_epochs: 3,
        epochs: 40,
        batch_size: 32,
        seeds: vec![0, 1],
        target_error: 0.3,
        strict_error: 0.1,
    })
    .unwrap();
    assert_eq!(race.lanes.len(), 2);
    for lane in &race.lanes {
        let tried: Vec<f64> = lane.search.iter().map(|s| s.0).collect();
        assert!(tried.starts_with(&[0.01, 0.1]) && tried.contains(&lane.learning_rate));
        assert!(!lane.on_edge || tried.len() == 2 + MAX_GROWTHS, "{tried:?}");
        assert_eq!(lane.histories.len(), 2);
        assert_eq!(lane.histories[0].epochs.len(), 40);
    }
    let first = race.first_seed_histories();
    assert_eq!(first.len(), 2);
    assert_eq!(first[1].0, format!("ReLU (lr {})", race.lanes[1].learning_rate));
    assert_eq!(first[1].1, race.lanes[1].histories[0]);
    let relu = race.lane(Activation::Relu).unwrap();
    assert_eq!(
        relu.mean_epochs_to(0.3).1,
        2,
        "ReLU reaches 30% training error on spirals"
    );
    assert!(!race.verdict().en.is_empty() && crate::lang::has_han(&race.verdict().zh));
}

/// A lane whose seeds cross each error in `errors` (one per checkpoint of 10 steps).
fn lane(activation: Activation, errors: &[f64]) -> Lane {
    use crate::models::history::Checkpoint;
    let history = History {
        epochs: Vec::new(),
        checkpoints: errors
            .iter()
            .enumerate()
            .map(|(i, &e)| Checkpoint {
                step: 10 * (i + 1),
                examples: 1280 * (i + 1),
                train_error: e,
                seconds: 0.01 * (i + 1) as f64,
            })
            .collect(),
        ..History::default()
    };
    Lane {
        activation,
        learning_rate: 0.1,
        search: Vec::new(),
        on_edge: false,
        histories: vec![history.clone(), history],
    }
}

/// A diverged learning rate leaves a NaN loss, which JSON writes as null: the race must
/// still come back from the cache.
#[test]
fn a_race_with_a_diverged_rate_reads_back_from_the_cache() {
    use crate::models::history::EpochStats;
    let mut lane = lane(Activation::Sigmoid, &[0.5, 0.2]);
    lane.search = vec![(0.1, 0.7), (3.0, f64::NAN)];
    lane.histories[0].epochs.push(EpochStats {
        epoch: 1,
        train_loss: f64::INFINITY,
        train_accuracy: 0.1,
        val_accuracy: None,
        seconds: 0.1,
        grad_norms: vec![f64::NAN, 1.0],
    });
    let race = Race {
        task: "t".into(),
        net: "MLP 8".into(),
        target_error: 0.15,
        strict_error: 0.05,
        momentum: 0.9,
        lanes: vec![lane],
        seeds: vec![0],
        cached: false,
    };
    let dir = std::env::temp_dir().join(format!("takeoff-race-nan-{}", std::process::id()));
    let cache = crate::experiments::Cache::at(&dir);
    cache.put_value("k", &race).unwrap();
    let back: Race = cache.get_value("k").expect("read back");
    assert!(back.lanes[0].search[1].1.is_nan());
    assert!(back.lanes[0].histories[0].epochs[0].train_loss.is_nan());
    assert!(back.lanes[0].histories[0].epochs[0].grad_norms[0].is_nan());
    assert_eq!(back.lanes[0].search[0], (0.1, 0.7));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn verdict_counts_steps_at_both_targets_and_states_krizhevskys_ratio_plainly() {
    let race = Race {
        task: "t".into(),
        net: "MLP 8".into(),
        target_error: 0.25,
        strict_error: 0.05,
        momentum: 0.9,
        lanes: vec![
            lane(Activation::Tanh, &[0.5, 0.4, 0.3, 0.2, 0.1, 0.08]),
            lane(Activation::Relu, &[0.4, 0.2, 0.04]),
        ],
        seeds: vec![0, 1],
        cached: false,
    };
    assert_eq!(
        race.lane(Activation::Relu).unwrap().steps_to(0.25),
        vec![Some(20), Some(20)]
    );
    assert_eq!(
        race.speedup_steps(Activation::Relu, Activation::Tanh, 0.25),
        Some(2.0)
    );
    let v = race.verdict().en;
    assert!(
        v.contains("ReLU took 20 steps against 40 for tanh (means of 2 seeds): ReLU needed 2.0× fewer steps, fewer on every seed"),
        "{v}"
    );
    // one ReLU seed as slow as tanh: the seeds' ranges overlap, nothing is claimed
    let mut overlap = race.clone();
    overlap.lanes[1].histories[1] = overlap.lanes[0].histories[0].clone();
    assert_eq!(
        overlap.beyond_seeds(Activation::Relu, Activation::Tanh, 0.25),
        Some(Verdict::NotShown)
    );
    let v2 = overlap.verdict().en;
    assert!(
        v2.contains("the seeds' ranges overlap, so the difference is not shown"),
        "{v2}"
    );
    assert!(
        v2.contains("6× against tanh (a convolutional net on CIFAR-10, to 25%): not shown here"),
        "{v2}"
    );
    assert!(
        v.contains("tanh did not get there on every seed within 60 steps"),
        "{v}"
    );
    assert!(
        v.contains("not reproduced here: ReLU needed 2.0× fewer steps, not 6×"),
        "{v}"
    );
    assert!(v.contains("so ReLU needed at least 2.0× fewer steps"), "{v}");
    let zh = race.verdict().zh;
    assert!(zh.contains("tanh 的步数是 ReLU 的 2.0 倍"), "{zh}");
    assert!(
        race.step_costs().en.contains("ReLU 1.00 ms"),
        "{}",
        race.step_costs()
    );
}

/// A made-up search: the loss is the squared distance (in decades) from `best`, NaN (diverged)
/// above `diverges`.
fn grown(best: f64, diverges: f64) -> (Vec<(f64, f64)>, f64, bool) {
    let loss = |lr: f64| -> Result<f64> {
        Ok(if lr > diverges {
            f64::NAN
        } else {
            (lr / best).log10().powi(2)
        })
    };
    let mut search: Vec<(f64, f64)> = [0.003, 0.01, 0.03, 0.1, 0.3]
        .iter()
        .map(|&lr| (lr, loss(lr).unwrap()))
        .collect();
    let (lr, on_edge) = grow_off_edges(&mut search, &loss, Activation::Relu).unwrap();
    (search, lr, on_edge)
}

#[test]
fn a_race_grid_grows_past_the_edge_its_pick_sits_on() {
    // best at 1: the grid grows to 0.9 (picked, on the edge), then 2.7 (worse): off the edge
    let (search, lr, on_edge) = grown(1.0, f64::INFINITY);
    assert_eq!(search.len(), 7, "{search:?}");
    assert!((lr - 0.9).abs() < 1e-12 && !on_edge, "{lr} {on_edge}");
    // downwards too, by the grid's own step at that edge (0.003 / 0.01)
    let (search, lr, on_edge) = grown(1e-3, f64::INFINITY);
    assert!((search[5].0 - 9e-4).abs() < 1e-15 && (lr - 9e-4).abs() < 1e-15 && !on_edge);
    // a rate past the top that diverges ends the growth: the pick is no longer on an edge
    let (search, lr, on_edge) = grown(10.0, 0.5);
    assert!(
        search[5].1.is_nan() && (lr - 0.3).abs() < 1e-12 && !on_edge,
        "{search:?}"
    );
    // at most MAX_GROWTHS growths: still on the edge, and the result says so
    let (search, _, on_edge) = grown(1e3, f64::INFINITY);
    assert_eq!(search.len(), 5 + MAX_GROWTHS);
    assert!(on_edge);
    // an unchanged grid when the pick is inside it
    let (search, lr, on_edge) = grown(0.03, f64::INFINITY);
    assert_eq!((search.len(), lr, on_edge), (5, 0.03, false));
}

#[test]
fn rejects_empty_grids() {
    let data = crate::data::spirals(10, 2, 0.05, 0).unwrap();
    let c = RaceConfig {
        data,
        net: RaceNet::Mlp(vec![4]),
        activations: vec![Activation::Relu],
        learning_rates: vec![],
        momentum: 0.9,
        search_epochs: 1,
        epochs: 1,
        batch_size: 8,
        seeds: vec![0],
        target_error: 0.2,
        strict_error: 0.1,
    };
    assert!(activation_race(&c)
        .unwrap_err()
        .to_string()
        .contains("at least one of each"));
}
