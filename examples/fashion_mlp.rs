//! Trains an MLP preset on all 60,000 Fashion-MNIST training images (standardised) and reports
//! test accuracy and the process's peak resident memory.
//!
//! `cargo run --release --example fashion_mlp -- medium 20`
use takeoff::data::Standardizer;
use takeoff::mlp::MlpParams;

fn main() -> takeoff::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let preset = args.get(1).map(String::as_str).unwrap_or("medium");
    let epochs: usize = args.get(2).and_then(|e| e.parse().ok()).unwrap_or(20);
    let params = match preset {
        "small" => MlpParams::small(),
        "medium" => MlpParams::medium(),
        "large" => MlpParams::large(),
        other => {
            return Err(takeoff::TakeoffError::invalid(
                "preset",
                other,
                "small, medium or large",
            ));
        }
    };
    let fashion = takeoff::data::fashion_mnist()?;
    let scaler = Standardizer::fit(&fashion.train)?;
    let (train, test) = (
        scaler.transform(&fashion.train)?,
        scaler.transform(&fashion.test)?,
    );
    let model = params.epochs(epochs).seed(0).fit(&train)?;
    println!(
        "{} on 60,000 images, {epochs} epochs: test accuracy {:.2} %, peak resident memory {:.0} MB",
        model.params.describe(),
        model.accuracy(&test)? * 100.0,
        takeoff::experiments::hardware::peak_resident_mb()
    );
    Ok(())
}
