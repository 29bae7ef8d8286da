//! The chapter-3 race (sigmoid vs tanh vs ReLU) on standardised Fashion-MNIST, sized by
//! `TAKEOFF_PROFILE`: `cargo run --release --example race`.
use takeoff::data::Standardizer;

fn main() -> takeoff::Result<()> {
    let profile = takeoff::Profile::from_env()?;
    let fashion = takeoff::data::fashion_mnist()?;
    let pool = fashion.train.subsample(profile.pick(2_000, 10_000, 60_000), 1)?;
    let train = Standardizer::fit(&pool)?.transform(&pool)?;
    let race = takeoff::experiments::race::activation_race(&takeoff::lesson::algorithms::lesson_race(
        profile, train, 0.15,
    ))?;
    for lane in &race.lanes {
        println!(
            "{}: lr {}, epochs to 15% {:?}, seconds {:?}",
            lane.activation.name(),
            lane.learning_rate,
            lane.epochs_to(0.15),
            lane.seconds_to(0.15)
        );
    }
    println!("{}", race.verdict());
    Ok(())
}
