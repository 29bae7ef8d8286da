//! Runs the data-scale learning curves of the profile in `TAKEOFF_PROFILE` and prints the table,
//! filling the experiment cache the notebooks read.
//!
//! `TAKEOFF_PROFILE=default cargo run --release --example data_scale [-- --small-data | --search
//! | --net-search]`: `--search` runs the baselines' validation searches, `--net-search` the nets'
//! learning-rate searches on Fashion-MNIST (each candidate's mean and spread over the seeds).
use takeoff::experiments::{learning_curve, Cache};
use takeoff::lesson::data_scale::{
    baseline_searches, data_scale_fashion_tuned, data_scale_teacher, net_searches, small_data_fashion,
};

fn main() -> takeoff::Result<()> {
    let profile = takeoff::Profile::from_env()?;
    let cache = Cache::standard();
    let fashion = takeoff::data::fashion_mnist()?;
    if std::env::args().any(|a| a == "--search") {
        let (logistic, svm) = baseline_searches(profile, &fashion, &cache)?;
        for search in [logistic, svm] {
            for p in search.curve.points() {
                println!(
                    "{:<28} validation {:5.1} %  {:.1} s",
                    p.model,
                    p.mean * 100.0,
                    p.seconds_mean
                );
            }
            println!(
                "picked: {} (the default: {}; grown: {:?}; on an edge: {:?})",
                search.chosen.model,
                search.default_matches(),
                search.grown,
                search.on_edge
            );
        }
        return Ok(());
    }
    if std::env::args().any(|a| a == "--net-search") {
        for (net, search) in net_searches(profile, &fashion, &cache)?.searches {
            for p in search.curve.points() {
                println!(
                    "{:<40} validation {:5.2} % (spread {:.2})",
                    p.model,
                    p.mean * 100.0,
                    (p.max - p.min) * 100.0
                );
            }
            println!("{net}: picked {}", search.chosen.model);
        }
        return Ok(());
    }
    let only_small = std::env::args().any(|a| a == "--small-data");
    let (pixels, hog) = small_data_fashion(profile, &fashion)?;
    let mut configs = vec![pixels, hog];
    if !only_small {
        configs.insert(0, data_scale_fashion_tuned(profile, &fashion, &cache)?);
        configs.insert(0, data_scale_teacher(profile, &cache)?);
    }
    for config in configs {
        let curve = learning_curve(&config, &cache)?;
        for p in curve.points() {
            println!(
                "{:<24} m = {:<6} test {:5.1} %  train {:5.1} %  {:.1} s",
                p.model,
                p.m,
                p.mean * 100.0,
                p.train_mean * 100.0,
                p.seconds_mean
            );
        }
        for (model, m, why) in curve.not_run() {
            println!("{model} m = {m}: {why}");
        }
    }
    Ok(())
}
