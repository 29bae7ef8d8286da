//! linfa baselines on Fashion-MNIST at several m, for the side-by-side comparison with
//! scikit-learn in `bench/compare_baselines.py` (which runs this first).
//!
//! Writes `target/bench-baselines/m{M}.json`: the training and test row indices used, and the fit
//! time and test accuracy of logistic regression and the RBF SVM (or why the SVM was not run).
use linfa::ParamGuard;
use std::time::Instant;
use takeoff::baselines::{Budget, LogisticParams, SvmParams};
use takeoff::data::Standardizer;

fn main() -> takeoff::Result<()> {
    let sizes: Vec<usize> = std::env::var("BENCH_SIZES")
        .unwrap_or_else(|_| "1000,4000,16000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let svm_minutes: f64 = std::env::var("BENCH_SVM_MINUTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10.0);
    let fashion = takeoff::data::fashion_mnist()?;
    let out = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-baselines");
    std::fs::create_dir_all(&out).map_err(|e| takeoff::TakeoffError::io(&out, e))?;
    let test_idx: Vec<usize> = fashion.test.stratified_order(0)[..5_000].to_vec();
    let test_raw = fashion.test.select(&test_idx);
    for m in sizes {
        let train_idx: Vec<usize> = fashion.train.stratified_order(0)[..m].to_vec();
        let raw = fashion.train.select(&train_idx);
        let scaler = Standardizer::fit(&raw)?;
        let (train, test) = (scaler.transform(&raw)?, scaler.transform(&test_raw)?);
        let t = Instant::now();
        let logistic_params = LogisticParams::new();
        let logistic = logistic_params.fit(&train)?;
        let (lt, la) = (t.elapsed().as_secs_f64(), logistic.accuracy(&test)?);
        println!(
            "m = {m:>6}  linfa logistic: {lt:8.2} s  test accuracy {:.2} %",
            la * 100.0
        );
        let svm = SvmParams::new().budget(Budget {
            memory_gb: 8.0,
            minutes: svm_minutes,
        });
        let t = Instant::now();
        let svm_json = match svm.fit(&train) {
            Ok(model) => {
                let fit = t.elapsed().as_secs_f64();
                let acc = model.accuracy(&test)?;
                println!(
                    "m = {m:>6}  linfa RBF SVM:  {fit:8.2} s  test accuracy {:.2} %",
                    acc * 100.0
                );
                serde_json::json!({"seconds": fit, "accuracy": acc, "c": svm.check_ref()?.c(), "gamma": svm.check_ref()?.gamma_for(train.n_features())})
            }
            Err(e) => {
                println!("m = {m:>6}  linfa RBF SVM:  {e}");
                serde_json::json!({"not_run": e.to_string()})
            }
        };
        let record = serde_json::json!({
            "m": m,
            "train_indices": train_idx,
            "test_indices": test_idx,
            // the parameters actually used (alpha, max_iterations, gradient_tolerance), for scikit-learn
            "logistic": {"seconds": lt, "accuracy": la, "params": logistic_params},
            "svm": svm_json,
        });
        let path = out.join(format!("m{m}.json"));
        std::fs::write(&path, record.to_string()).map_err(|e| takeoff::TakeoffError::io(&path, e))?;
    }
    Ok(())
}
