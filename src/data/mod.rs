//! Datasets for the lesson: real Fashion-MNIST (shipped in `data/`), a synthetic "teacher" task
//! whose difficulty we control, small 2-D sets for pictures of decision boundaries, the reader's
//! own CSV, and engineered features (HOG).
//!
//! Every model in the crate takes the same [`Dataset`]: features `x` (m × d, `f32`), labels `y`
//! (m, class indices), class names and a name.
//!
//! | what | module |
//! |---|---|
//! | Fashion-MNIST and its IDX files | [`fashion`] |
//! | the teacher task | [`teacher`] |
//! | 2-D sets (spirals, moons, circles, flower) | [`toy`] |
//! | CSV in and out | [`csv`] |
//! | engineered features: HOG | [`features`] |

pub mod csv;
pub mod fashion;
pub mod features;
pub mod teacher;
pub mod toy;

pub use csv::{read_csv, write_csv};
pub use fashion::{fashion_mnist, fashion_mnist_from, FashionMnist, FASHION_CLASSES};
pub use features::{hog, HogParams};
pub use teacher::TeacherTask;
pub use toy::{circles, flower, moons, spirals};

use crate::error::{Result, TakeoffError};
use crate::random::rng;
use ndarray::{Array1, Array2, Axis};
use rand::Rng;

/// Labelled examples: `x` is m × d, `y` holds class indices into `class_names`.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub name: String,
    pub x: Array2<f32>,   // m × d
    pub y: Array1<usize>, // m
    pub class_names: Vec<String>,
}

impl Dataset {
    /// Builds a dataset, checking that shapes and labels agree.
    pub fn new(
        name: impl Into<String>,
        x: Array2<f32>,
        y: Array1<usize>,
        class_names: Vec<String>,
    ) -> Result<Dataset> {
        if x.nrows() != y.len() {
            return Err(TakeoffError::invalid(
                "number of labels",
                y.len(),
                format!("one label per row of features ({} rows)", x.nrows()),
            ));
        }
        if class_names.is_empty() {
            return Err(TakeoffError::invalid(
                "number of classes",
                0,
                "at least 1 class name",
            ));
        }
        if let Some(&bad) = y.iter().find(|&&c| c >= class_names.len()) {
            return Err(TakeoffError::invalid(
                "label",
                bad,
                format!("a class index below {}", class_names.len()),
            ));
        }
        Ok(Dataset {
            name: name.into(),
            x,
            y,
            class_names,
        })
    }

    /// Number of examples m.
    pub fn len(&self) -> usize {
        self.y.len()
    }

    /// True when there are no examples.
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    /// Number of features d.
    pub fn n_features(&self) -> usize {
        self.x.ncols()
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.class_names.len()
    }

    /// How many examples each class has.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut c = vec![0; self.n_classes()];
        for &k in self.y.iter() {
            c[k] += 1;
        }
        c
    }

    /// The rows at `idx`, in that order.
    pub fn select(&self, idx: &[usize]) -> Dataset {
        Dataset {
            name: self.name.clone(),
            x: self.x.select(Axis(0), idx),
            y: self.y.select(Axis(0), idx),
            class_names: self.class_names.clone(),
        }
    }

    /// A stratified order of all rows for `seed`: each class shuffled, then the classes
    /// interleaved in proportion to their size. Any prefix of it is a stratified sample, and a
    /// shorter prefix is contained in a longer one (nested subsamples).
    pub fn stratified_order(&self, seed: u64) -> Vec<usize> {
        let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); self.n_classes()];
        for (i, &k) in self.y.iter().enumerate() {
            by_class[k].push(i);
        }
        let mut r = rng(seed);
        let mut keyed: Vec<(f64, usize, usize)> = Vec::with_capacity(self.len());
        for (k, idx) in by_class.iter_mut().enumerate() {
            // Fisher–Yates with our own generator, so the order is the same on every platform.
            for i in (1..idx.len()).rev() {
                let j = r.gen_range(0..=i);
                idx.swap(i, j);
            }
            let n = idx.len() as f64;
            for (rank, &i) in idx.iter().enumerate() {
                keyed.push(((rank as f64 + 0.5) / n, k, i));
            }
        }
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        keyed.into_iter().map(|(_, _, i)| i).collect()
    }

    /// A stratified subsample of `m` points. For a given seed, the sample of size m is contained
    /// in the sample of any larger size (learning curves at growing m are nested).
    ///
    /// Errors when `m` is 0, larger than the dataset, or too small to hold every class.
    pub fn subsample(&self, m: usize, seed: u64) -> Result<Dataset> {
        if m == 0 || m > self.len() {
            return Err(TakeoffError::invalid(
                "m",
                m,
                format!("between 1 and the {} examples of {}", self.len(), self.name),
            ));
        }
        let order = self.stratified_order(seed);
        let sub = self.select(&order[..m]);
        sub.require_every_class(&format!("a subsample of m = {m} from {}", self.name))?;
        Ok(sub)
    }

    /// Errors if some class has no example.
    pub fn require_every_class(&self, context: &str) -> Result<()> {
        let counts = self.class_counts();
        if let Some(k) = counts.iter().position(|&c| c == 0) {
            return Err(TakeoffError::EmptyClass {
                class: self.class_names[k].clone(),
                context: context.to_string(),
            });
        }
        Ok(())
    }

    /// A stratified split into (train, test), `test_fraction` of the points going to test.
    pub fn split(&self, test_fraction: f64, seed: u64) -> Result<(Dataset, Dataset)> {
        if !(test_fraction > 0.0 && test_fraction < 1.0) {
            return Err(TakeoffError::invalid(
                "test fraction",
                test_fraction,
                "a number strictly between 0 and 1",
            ));
        }
        let n_test = ((self.len() as f64) * test_fraction).round() as usize;
        if n_test == 0 || n_test == self.len() {
            return Err(TakeoffError::invalid(
                "test fraction",
                test_fraction,
                format!(
                    "a fraction that leaves both parts non-empty with {} examples",
                    self.len()
                ),
            ));
        }
        let order = self.stratified_order(seed);
        let mut test = self.select(&order[..n_test]);
        let mut train = self.select(&order[n_test..]);
        // "Fashion-MNIST (train)" splits into "… (train)" and "… (held out)", not "(train) (train)"
        let base = self.name.trim_end_matches(" (train)");
        test.name = format!("{base} (held out)");
        train.name = format!("{base} (train)");
        Ok((train, test))
    }

    /// Converts to linfa's dataset (one copy, into `f64`, which linfa's models need).
    pub fn to_linfa(&self) -> linfa::Dataset<f64, usize, ndarray::Ix1> {
        linfa::Dataset::new(self.x.mapv(f64::from), self.y.clone())
    }
}

/// Standardisation fitted on training data only: each feature minus its mean, divided by its
/// standard deviation (features with zero spread are only centred).
#[derive(Clone, Debug)]
pub struct Standardizer {
    pub mean: Array1<f32>, // d
    pub std: Array1<f32>,  // d
}

impl Standardizer {
    /// Learns mean and spread of each feature of `train`.
    pub fn fit(train: &Dataset) -> Result<Standardizer> {
        if train.is_empty() {
            return Err(TakeoffError::invalid(
                "training set size",
                0,
                "at least 1 example",
            ));
        }
        let mean = train.x.mean_axis(Axis(0)).expect("non-empty"); // d
        let std = train
            .x
            .std_axis(Axis(0), 0.0)
            .mapv(|s| if s > 1e-6 { s } else { 1.0 }); // d
        Ok(Standardizer { mean, std })
    }

    /// Learns one mean and one standard deviation over every value of `train` (all features
    /// alike), as images are scaled: each pixel keeps its brightness relative to the others.
    pub fn fit_global(train: &Dataset) -> Result<Standardizer> {
        if train.is_empty() {
            return Err(TakeoffError::invalid(
                "training set size",
                0,
                "at least 1 example",
            ));
        }
        let n = train.x.len() as f64;
        let mean = train.x.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
        let var = train
            .x
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / n;
        let std = if var.sqrt() > 1e-6 { var.sqrt() } else { 1.0 };
        let d = train.n_features();
        Ok(Standardizer {
            mean: Array1::from_elem(d, mean as f32),
            std: Array1::from_elem(d, std as f32),
        })
    }

    /// Applies the learnt scaling to any dataset with the same features.
    pub fn transform(&self, data: &Dataset) -> Result<Dataset> {
        if data.n_features() != self.mean.len() {
            return Err(TakeoffError::FeatureMismatch {
                expected: self.mean.len(),
                found: data.n_features(),
            });
        }
        let x = (&data.x - &self.mean) / &self.std; // m × d
        Ok(Dataset { x, ..data.clone() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::s;

    fn tiny() -> Dataset {
        let x = Array2::from_shape_fn((30, 2), |(i, j)| (i * 2 + j) as f32);
        let y = Array1::from_iter((0..30).map(|i| i % 3));
        Dataset::new("tiny", x, y, vec!["a".into(), "b".into(), "c".into()]).unwrap()
    }

    #[test]
    fn subsamples_are_nested_stratified_and_deterministic() {
        let d = tiny();
        let a = d.subsample(9, 1).unwrap();
        let b = d.subsample(18, 1).unwrap();
        assert_eq!(a.class_counts(), vec![3, 3, 3]);
        assert_eq!(b.class_counts(), vec![6, 6, 6]);
        assert_eq!(
            a.x,
            b.x.slice(s![..9, ..]).to_owned(),
            "smaller sample is a prefix of the larger"
        );
        assert_eq!(d.subsample(9, 1).unwrap().x, a.x, "same seed, same sample");
        assert_ne!(d.subsample(9, 2).unwrap().x, a.x, "other seed, other sample");
    }

    #[test]
    fn rejects_bad_m_and_empty_classes_and_bad_fraction() {
        let d = tiny();
        assert!(d.subsample(0, 1).unwrap_err().to_string().contains("m = 0"));
        assert!(d
            .subsample(31, 1)
            .unwrap_err()
            .to_string()
            .contains("between 1 and the 30"));
        let e = d.subsample(2, 1).unwrap_err().to_string();
        assert!(e.contains("no examples"), "{e}");
        assert!(d.split(0.0, 1).is_err() && d.split(1.0, 1).is_err() && d.split(f64::NAN, 1).is_err());
    }

    #[test]
    fn split_is_stratified_and_disjoint() {
        let (tr, te) = tiny().split(0.2, 3).unwrap();
        assert_eq!(tr.len() + te.len(), 30);
        assert_eq!(te.class_counts(), vec![2, 2, 2]);
        for row in te.x.rows() {
            assert!(!tr.x.rows().into_iter().any(|r| r == row));
        }
    }

    #[test]
    fn standardizer_uses_training_statistics() {
        let (tr, te) = tiny().split(0.5, 0).unwrap();
        let s = Standardizer::fit(&tr).unwrap();
        let t = s.transform(&tr).unwrap();
        for m in t.x.mean_axis(Axis(0)).unwrap() {
            assert!(m.abs() < 1e-4);
        }
        assert!(s.transform(&te).is_ok());
        let other = Dataset::new("o", Array2::zeros((2, 3)), Array1::zeros(2), vec!["a".into()]).unwrap();
        assert!(matches!(
            s.transform(&other),
            Err(TakeoffError::FeatureMismatch {
                expected: 2,
                found: 3
            })
        ));
    }
}
