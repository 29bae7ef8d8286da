//! The remix exercises of chapter 4 (`notebooks/04-takeaways.ipynb`), run with the statements the
//! exercises print, in the `quick` profile and without the cache; only the sizes are cut further
//! (marked below) so that `cargo test` stays quick.
use takeoff::experiments::race::activation_race_cached;
use takeoff::experiments::{self, Cache};
use takeoff::lesson::algorithms::lesson_race;
use takeoff::lesson::data_scale as lesson;

#[test]
fn exercise_1_noisier_labels() -> takeoff::Result<()> {
    let profile = takeoff::Profile::Quick;
    let cache = Cache::none();
    // as printed in the exercise
    let noisy_task = takeoff::data::TeacherTask::new(10, 4, 2, 32, 0.3, 7)?; // 30% of labels flipped
    let mut noisy = lesson::data_scale_teacher(profile, &cache)?;
    noisy.train = noisy_task.generate(noisy.train.len(), 1)?;
    noisy.test = noisy_task.generate(noisy.test.len(), 2)?;
    noisy.ceiling = Some(noisy_task.bayes_accuracy());
    // cut for the test: two sizes, logistic regression and the SVM
    noisy.sizes = vec![100, 400];
    noisy.models.truncate(2);
    let chart = takeoff::charts::scaling(&experiments::learning_curve(&noisy, &cache)?);
    assert!(
        chart.summary.contains("best possible accuracy, 70.0%"),
        "{}",
        chart.summary
    );
    Ok(())
}

#[test]
fn exercise_2_deeper_nets_is_the_depth_variable_of_chapter_3() {
    let notebook = include_str!("../notebooks/03-sigmoid-to-relu.ipynb");
    assert!(
        notebook.contains("let depth = 6;"),
        "exercise 2 changes `let depth = 6;`"
    );
}

#[test]
fn exercise_3_one_learning_rate_for_all() -> takeoff::Result<()> {
    let profile = takeoff::Profile::Quick;
    let cache = Cache::none();
    let fashion = takeoff::data::fashion_mnist()?;
    // cut for the test: 300 images instead of chapter 3's 2,000
    let train = fashion.train.subsample(300, 1)?;
    let target_error = 0.15;
    // as printed in the exercise
    let mut config = lesson_race(profile, train.clone(), target_error);
    config.learning_rates = vec![0.01];
    // cut for the test: one seed, two epochs
    config.seeds = vec![0];
    config.epochs = 2;
    let one_rate = activation_race_cached(&config, &cache)?;
    println!("{}", one_rate.verdict());
    assert!(one_rate.lanes.iter().all(|l| l.learning_rate == 0.01));
    assert!(one_rate.verdict().en.contains("Krizhevsky"));
    Ok(())
}
