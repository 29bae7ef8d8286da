//! Datasets for the lesson: real Fashion-MNIST (shipped in `data/`), a synthetic "teacher" task
//! whose difficulty we control, and small 2-D sets for pictures of decision boundaries.
//!
//! Every model in the crate takes the same [`Dataset`]: features `x` (m × d, `f32`), labels `y`
//! (m, class indices), class names and a name.

use crate::error::{Result, TakeoffError};
use flate2::read::GzDecoder;
use ndarray::{Array1, Array2, Axis};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The index of the largest entry of each row (the first one on ties).
pub fn argmax_rows(a: &Array2<f32>) -> Vec<usize> {
    a.rows()
        .into_iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .fold(
                    (0, f32::NEG_INFINITY),
                    |best, (k, &v)| if v > best.1 { (k, v) } else { best },
                )
                .0
        })
        .collect()
}

/// The crate's seeded generator (fast, portable, same stream on every machine).
pub type SeededRng = Xoshiro256PlusPlus;

/// A generator from a seed.
pub fn rng(seed: u64) -> SeededRng {
    SeededRng::seed_from_u64(seed)
}

/// One standard normal draw (Box–Muller; uses exactly two uniforms).
pub fn normal(rng: &mut SeededRng) -> f32 {
    let u1: f64 = rng.gen::<f64>().max(1e-300);
    let u2: f64 = rng.gen::<f64>();
    ((-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()) as f32
}

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

// ---------------------------------------------------------------- Fashion-MNIST

/// Fashion-MNIST's ten classes, in label order.
pub const FASHION_CLASSES: [&str; 10] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

/// The four files and their SHA-256, as recorded in `data/README.md`.
pub const FASHION_FILES: [(&str, &str); 4] = [
    (
        "train-images-idx3-ubyte.gz",
        "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
    ),
    (
        "train-labels-idx1-ubyte.gz",
        "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
    ),
    (
        "t10k-images-idx3-ubyte.gz",
        "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
    ),
    (
        "t10k-labels-idx1-ubyte.gz",
        "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
    ),
];

/// Where the crate's shipped data lives (`data/` next to `Cargo.toml`).
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// Fashion-MNIST's official split: 60,000 training and 10,000 test images.
#[derive(Clone, Debug)]
pub struct FashionMnist {
    pub train: Dataset,
    pub test: Dataset,
}

/// Loads Fashion-MNIST from `data/fashion-mnist/`, verifying each file's checksum.
/// Pixels are `f32` in [0, 1]; standardise separately with [`Standardizer`].
pub fn fashion_mnist() -> Result<FashionMnist> {
    fashion_mnist_from(&data_dir().join("fashion-mnist"), true)
}

/// Loads Fashion-MNIST from `dir`; with `verify`, checks the SHA-256 of each file first.
pub fn fashion_mnist_from(dir: &Path, verify: bool) -> Result<FashionMnist> {
    let mut bytes = Vec::new();
    for (name, sha) in FASHION_FILES {
        let path = dir.join(name);
        let raw = std::fs::read(&path).map_err(|e| TakeoffError::io(&path, e))?;
        if verify {
            let found: String = Sha256::digest(&raw).iter().map(|b| format!("{b:02x}")).collect();
            if found != sha {
                return Err(TakeoffError::Checksum {
                    path,
                    expected: sha.to_string(),
                    found,
                });
            }
        }
        bytes.push((path, raw));
    }
    let classes: Vec<String> = FASHION_CLASSES.iter().map(|s| s.to_string()).collect();
    let part = |img: &(PathBuf, Vec<u8>), lab: &(PathBuf, Vec<u8>), name: &str| -> Result<Dataset> {
        let images = parse_idx_images(&img.0, &gunzip(&img.0, &img.1)?)?;
        let labels = parse_idx_labels(&lab.0, &gunzip(&lab.0, &lab.1)?)?;
        images_and_labels(name, images, labels, &img.0, &lab.0, classes.clone())
    };
    let train = part(&bytes[0], &bytes[1], "Fashion-MNIST (train)")?;
    let test = part(&bytes[2], &bytes[3], "Fashion-MNIST (test)")?;
    Ok(FashionMnist { train, test })
}

/// Joins IDX images and labels into a dataset, checking that their counts agree.
pub fn images_and_labels(
    name: &str,
    images: IdxImages,
    labels: Vec<u8>,
    image_path: &Path,
    label_path: &Path,
    class_names: Vec<String>,
) -> Result<Dataset> {
    if images.count != labels.len() {
        return Err(TakeoffError::DataFormat {
            path: label_path.to_path_buf(),
            expected: format!(
                "{} labels, one per image in {}",
                images.count,
                image_path.display()
            ),
            found: format!("{} labels", labels.len()),
        });
    }
    if let Some(&bad) = labels.iter().find(|&&l| l as usize >= class_names.len()) {
        return Err(TakeoffError::DataFormat {
            path: label_path.to_path_buf(),
            expected: format!("labels below {}", class_names.len()),
            found: format!("label {bad}"),
        });
    }
    let d = images.rows * images.cols;
    let x = Array2::from_shape_vec(
        (images.count, d),
        images.pixels.iter().map(|&p| p as f32 / 255.0).collect(),
    )
    .expect("IDX size checked");
    let y = Array1::from_iter(labels.iter().map(|&l| l as usize));
    Dataset::new(name, x, y, class_names)
}

/// Decompresses a gzip file's bytes.
pub fn gunzip(path: &Path, raw: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(raw.len() * 2);
    GzDecoder::new(raw)
        .read_to_end(&mut out)
        .map_err(|e| TakeoffError::DataFormat {
            path: path.to_path_buf(),
            expected: "a complete gzip stream".into(),
            found: format!("a broken one ({e})"),
        })?;
    Ok(out)
}

/// Images from an IDX3 file: `count` images of `rows` × `cols` bytes.
#[derive(Clone, Debug)]
pub struct IdxImages {
    pub count: usize,
    pub rows: usize,
    pub cols: usize,
    pub pixels: Vec<u8>,
}

fn be_u32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Parses an uncompressed IDX3 (unsigned byte) image file.
pub fn parse_idx_images(path: &Path, b: &[u8]) -> Result<IdxImages> {
    let bad = |expected: String, found: String| TakeoffError::DataFormat {
        path: path.to_path_buf(),
        expected,
        found,
    };
    if b.len() < 4 {
        return Err(bad(
            "an IDX3 header of 16 bytes".into(),
            format!("{} bytes", b.len()),
        ));
    }
    let magic = be_u32(b, 0);
    if magic != 0x0803 {
        return Err(bad(
            "magic number 0x00000803 (IDX3, unsigned bytes)".into(),
            format!("0x{magic:08x}"),
        ));
    }
    if b.len() < 16 {
        return Err(bad(
            "an IDX3 header of 16 bytes".into(),
            format!("{} bytes", b.len()),
        ));
    }
    let (count, rows, cols) = (
        be_u32(b, 4) as usize,
        be_u32(b, 8) as usize,
        be_u32(b, 12) as usize,
    );
    let want = count * rows * cols;
    if b.len() - 16 != want {
        return Err(bad(
            format!("{want} pixel bytes for {count} images of {rows}×{cols}"),
            format!("{} bytes (truncated or padded file)", b.len() - 16),
        ));
    }
    Ok(IdxImages {
        count,
        rows,
        cols,
        pixels: b[16..].to_vec(),
    })
}

/// Parses an uncompressed IDX1 (unsigned byte) label file.
pub fn parse_idx_labels(path: &Path, b: &[u8]) -> Result<Vec<u8>> {
    let bad = |expected: String, found: String| TakeoffError::DataFormat {
        path: path.to_path_buf(),
        expected,
        found,
    };
    if b.len() < 8 {
        return Err(bad(
            "an IDX1 header of 8 bytes".into(),
            format!("{} bytes", b.len()),
        ));
    }
    let magic = be_u32(b, 0);
    if magic != 0x0801 {
        return Err(bad(
            "magic number 0x00000801 (IDX1, unsigned bytes)".into(),
            format!("0x{magic:08x}"),
        ));
    }
    let count = be_u32(b, 4) as usize;
    if b.len() - 8 != count {
        return Err(bad(
            format!("{count} label bytes"),
            format!("{} bytes (truncated or padded file)", b.len() - 8),
        ));
    }
    Ok(b[8..].to_vec())
}

/// Writes images and labels as gzip IDX files (for tests and for readers' own data).
pub fn write_idx_gz(images_path: &Path, labels_path: &Path, images: &IdxImages, labels: &[u8]) -> Result<()> {
    use flate2::{write::GzEncoder, Compression};
    use std::io::Write;
    let mut img = Vec::with_capacity(16 + images.pixels.len());
    for v in [
        0x0803u32,
        images.count as u32,
        images.rows as u32,
        images.cols as u32,
    ] {
        img.extend_from_slice(&v.to_be_bytes());
    }
    img.extend_from_slice(&images.pixels);
    let mut lab = Vec::with_capacity(8 + labels.len());
    for v in [0x0801u32, labels.len() as u32] {
        lab.extend_from_slice(&v.to_be_bytes());
    }
    lab.extend_from_slice(labels);
    for (path, bytes) in [(images_path, img), (labels_path, lab)] {
        let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
        enc.write_all(&bytes).map_err(|e| TakeoffError::io(path, e))?;
        let gz = enc.finish().map_err(|e| TakeoffError::io(path, e))?;
        std::fs::write(path, gz).map_err(|e| TakeoffError::io(path, e))?;
    }
    Ok(())
}

// ---------------------------------------------------------------- the teacher task

/// A synthetic task whose difficulty we control: inputs x ~ N(0, I_d), labels from a fixed random
/// deep ReLU network (the teacher), then a fraction `noise` of labels replaced by a different class
/// chosen uniformly. The best possible accuracy is `1 - noise`.
#[derive(Clone, Debug, PartialEq)]
pub struct TeacherTask {
    pub d: usize,
    pub classes: usize,
    pub depth: usize,
    pub width: usize,
    pub noise: f64,
    pub teacher_seed: u64,
    weights: Vec<(Array2<f32>, Array1<f32>)>,
}

impl TeacherTask {
    /// A teacher with `d` inputs, `classes` outputs and `depth` hidden ReLU layers of `width` units.
    pub fn new(
        d: usize,
        classes: usize,
        depth: usize,
        width: usize,
        noise: f64,
        teacher_seed: u64,
    ) -> Result<TeacherTask> {
        if d == 0 {
            return Err(TakeoffError::invalid("d", d, "at least 1 input dimension"));
        }
        if classes < 2 {
            return Err(TakeoffError::invalid("classes", classes, "at least 2"));
        }
        if width == 0 {
            return Err(TakeoffError::invalid("teacher width", width, "at least 1"));
        }
        let max_noise = (classes - 1) as f64 / classes as f64;
        if !(0.0..max_noise).contains(&noise) {
            return Err(TakeoffError::invalid(
                "noise",
                noise,
                format!("a fraction in [0, {max_noise:.3}) so the true class stays the most likely"),
            ));
        }
        let mut r = rng(teacher_seed);
        let mut weights = Vec::new();
        let mut fan_in = d;
        for l in 0..=depth {
            let out = if l == depth { classes } else { width };
            let scale = (2.0 / fan_in as f32).sqrt();
            let w = Array2::from_shape_fn((fan_in, out), |_| normal(&mut r) * scale); // fan_in × out
            weights.push((w, Array1::zeros(out)));
            fan_in = out;
        }
        let mut t = TeacherTask {
            d,
            classes,
            depth,
            width,
            noise,
            teacher_seed,
            weights,
        };
        t.balance_classes();
        Ok(t)
    }

    /// The lesson's default teacher: 10 inputs, 4 classes, 2 hidden layers of 32, 10 % label noise.
    pub fn lesson_default() -> TeacherTask {
        TeacherTask::new(10, 4, 2, 32, 0.10, 7).expect("valid default teacher")
    }

    /// Best achievable accuracy: a perfect model of the teacher is wrong exactly on the flipped labels.
    pub fn bayes_accuracy(&self) -> f64 {
        1.0 - self.noise
    }

    /// The teacher's clean label for each row of `x` (m × d).
    pub fn clean_labels(&self, x: &Array2<f32>) -> Array1<usize> {
        let mut a = x.clone(); // m × d
        for (l, (w, b)) in self.weights.iter().enumerate() {
            a = a.dot(w) + b; // m × out
            if l + 1 < self.weights.len() {
                a.mapv_inplace(|z| z.max(0.0));
            }
        }
        Array1::from(argmax_rows(&a))
    }

    /// Shifts the output biases so that the classes are roughly balanced on a calibration draw.
    fn balance_classes(&mut self) {
        let x = self.inputs(4096, self.teacher_seed ^ 0x5eed_ba1a);
        for _ in 0..30 {
            let y = self.clean_labels(&x);
            let mut freq = vec![0.0f32; self.classes];
            for &k in y.iter() {
                freq[k] += 1.0 / y.len() as f32;
            }
            let target = 1.0 / self.classes as f32;
            let spread = {
                let (w, _) = self.weights.last().unwrap();
                let logits_scale = w.iter().map(|v| v.abs()).sum::<f32>() / w.len() as f32;
                logits_scale.max(1e-3)
            };
            let b = &mut self.weights.last_mut().unwrap().1;
            for k in 0..self.classes {
                b[k] -= spread * (freq[k] - target) * 4.0;
            }
        }
    }

    fn inputs(&self, m: usize, seed: u64) -> Array2<f32> {
        let mut r = rng(seed);
        Array2::from_shape_fn((m, self.d), |_| normal(&mut r)) // m × d
    }

    /// The first `m` points of the draw for `seed`: the first m of a larger draw are the same
    /// points, so learning curves at growing m are nested.
    pub fn generate(&self, m: usize, seed: u64) -> Result<Dataset> {
        if m == 0 {
            return Err(TakeoffError::invalid("m", 0, "at least 1 point"));
        }
        // Inputs and noise come from two separate streams, each consumed at a fixed rate per point.
        let x = self.inputs(m, seed); // m × d
        let clean = self.clean_labels(&x); // m
        let mut r = rng(seed ^ 0x9e37_79b9_7f4a_7c15);
        let y = clean.mapv(|c| {
            let flip = r.gen::<f64>() < self.noise;
            let other = r.gen_range(0..self.classes - 1);
            if flip {
                if other >= c {
                    other + 1
                } else {
                    other
                }
            } else {
                c
            }
        });
        let names = (0..self.classes).map(|k| format!("class {k}")).collect();
        Dataset::new(
            format!(
                "teacher task (d = {}, {} classes, noise {:.0} %)",
                self.d,
                self.classes,
                self.noise * 100.0
            ),
            x,
            y,
            names,
        )
    }
}

// ---------------------------------------------------------------- small 2-D sets

fn two_d(name: &str, pts: Vec<[f32; 2]>, y: Vec<usize>, classes: usize) -> Result<Dataset> {
    let x = Array2::from_shape_fn((pts.len(), 2), |(i, j)| pts[i][j]);
    Dataset::new(
        name,
        x,
        Array1::from(y),
        (0..classes).map(|k| format!("class {k}")).collect(),
    )
}

fn check_n(n: usize) -> Result<()> {
    if n == 0 {
        Err(TakeoffError::invalid("points per class", 0, "at least 1"))
    } else {
        Ok(())
    }
}

/// Interleaved spirals: `classes` arms of `n` points each, with Gaussian `noise`.
pub fn spirals(n: usize, classes: usize, noise: f32, seed: u64) -> Result<Dataset> {
    check_n(n)?;
    if classes < 2 {
        return Err(TakeoffError::invalid("classes", classes, "at least 2"));
    }
    let mut r = rng(seed);
    let (mut pts, mut y) = (Vec::new(), Vec::new());
    for k in 0..classes {
        for i in 0..n {
            let t = i as f32 / n as f32;
            let angle = 4.0 * t + k as f32 * std::f32::consts::TAU / classes as f32 + noise * normal(&mut r);
            pts.push([t * angle.sin(), t * angle.cos()]);
            y.push(k);
        }
    }
    two_d("spirals", pts, y, classes)
}

/// Two interleaving half circles, `n` points each.
pub fn moons(n: usize, noise: f32, seed: u64) -> Result<Dataset> {
    check_n(n)?;
    let mut r = rng(seed);
    let (mut pts, mut y) = (Vec::new(), Vec::new());
    for i in 0..n {
        let t = std::f32::consts::PI * i as f32 / (n.max(2) - 1) as f32;
        pts.push([t.cos() + noise * normal(&mut r), t.sin() + noise * normal(&mut r)]);
        y.push(0);
        pts.push([
            1.0 - t.cos() + noise * normal(&mut r),
            0.5 - t.sin() + noise * normal(&mut r),
        ]);
        y.push(1);
    }
    two_d("moons", pts, y, 2)
}

/// A small circle inside a large one (radius ratio `factor`), `n` points each.
pub fn circles(n: usize, noise: f32, factor: f32, seed: u64) -> Result<Dataset> {
    check_n(n)?;
    if !(factor > 0.0 && factor < 1.0) {
        return Err(TakeoffError::invalid(
            "factor",
            factor,
            "a radius ratio strictly between 0 and 1",
        ));
    }
    let mut r = rng(seed);
    let (mut pts, mut y) = (Vec::new(), Vec::new());
    for i in 0..n {
        let t = std::f32::consts::TAU * i as f32 / n as f32;
        pts.push([t.cos() + noise * normal(&mut r), t.sin() + noise * normal(&mut r)]);
        y.push(0);
        pts.push([
            factor * t.cos() + noise * normal(&mut r),
            factor * t.sin() + noise * normal(&mut r),
        ]);
        y.push(1);
    }
    two_d("circles", pts, y, 2)
}

/// The course's "flower": two classes of `n` points each on the petals of r = 4 sin(4t).
pub fn flower(n: usize, seed: u64) -> Result<Dataset> {
    check_n(n)?;
    let mut r = rng(seed);
    let (mut pts, mut y) = (Vec::new(), Vec::new());
    for k in 0..2 {
        for i in 0..n {
            let base = k as f32 * 3.12 + 3.12 * i as f32 / (n.max(2) - 1) as f32;
            let t = base + 0.2 * normal(&mut r);
            let rad = 4.0 * (4.0 * t).sin() + 0.2 * normal(&mut r);
            pts.push([rad * t.sin(), rad * t.cos()]);
            y.push(k);
        }
    }
    two_d("flower", pts, y, 2)
}

// ---------------------------------------------------------------- CSV, for the reader's own data

/// Reads a CSV file with a header row: the column named `label` holds the class (any text),
/// every other column must be numeric. Errors name the file and the line: a missing file, a row
/// with the wrong number of fields, a value that is not a number, or a single class.
pub fn read_csv(path: impl AsRef<Path>, label: &str) -> Result<Dataset> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|e| TakeoffError::io(path, e))?;
    let bad = |line: usize, message: String| TakeoffError::Csv {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines
        .next()
        .ok_or_else(|| bad(1, "the file is empty: expected a header row".into()))?;
    let names: Vec<String> = header
        .split(',')
        .map(|s| s.trim().trim_matches('"').to_string())
        .collect();
    let label_at = names.iter().position(|n| n == label).ok_or_else(|| {
        bad(
            1,
            format!("no column named {label:?}; the header has {}", names.join(", ")),
        )
    })?;
    if names.len() < 2 {
        return Err(bad(
            1,
            "expected at least one feature column besides the label".into(),
        ));
    }
    let mut features: Vec<f32> = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    for (n, l) in lines {
        let fields: Vec<&str> = l.split(',').map(|s| s.trim().trim_matches('"')).collect();
        if fields.len() != names.len() {
            return Err(bad(
                n,
                format!(
                    "{} fields, expected {} as in the header",
                    fields.len(),
                    names.len()
                ),
            ));
        }
        for (j, f) in fields.iter().enumerate() {
            if j == label_at {
                labels.push(f.to_string());
            } else {
                let v: f32 = f.parse().map_err(|_| {
                    bad(
                        n,
                        format!("column {:?} holds {f:?}, which is not a number", names[j]),
                    )
                })?;
                if !v.is_finite() {
                    return Err(bad(
                        n,
                        format!("column {:?} holds {f:?}: use finite numbers", names[j]),
                    ));
                }
                features.push(v);
            }
        }
    }
    let mut classes: Vec<String> = labels.clone();
    classes.sort();
    classes.dedup();
    if classes.len() < 2 {
        return Err(bad(
            1,
            format!(
                "column {label:?} has {} class{}: a classifier needs at least 2",
                classes.len(),
                if classes.len() == 1 { "" } else { "es" }
            ),
        ));
    }
    let m = labels.len();
    let x = Array2::from_shape_vec((m, names.len() - 1), features).expect("rows checked");
    let y = Array1::from_iter(labels.iter().map(|l| classes.binary_search(l).expect("present")));
    let name = path
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default();
    Dataset::new(name, x, y, classes)
}

/// Writes a dataset as CSV (feature columns `x0`, `x1`, … and a `label` column with class names).
pub fn write_csv(data: &Dataset, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let mut s: String = (0..data.n_features()).map(|j| format!("x{j},")).collect();
    s += "label\n";
    for (row, &k) in data.x.rows().into_iter().zip(data.y.iter()) {
        for v in row {
            s += &format!("{v},");
        }
        s += &data.class_names[k];
        s.push('\n');
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| TakeoffError::io(dir, e))?;
    }
    std::fs::write(path, s).map_err(|e| TakeoffError::io(path, e))
}

#[cfg(test)]
mod csv_tests {
    use super::*;

    fn file(name: &str, text: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("takeoff-csv-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let p = d.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn round_trip_and_errors_with_line_numbers() {
        let moons = moons(10, 0.1, 0).unwrap();
        let p = std::env::temp_dir().join(format!("takeoff-csv-rt-{}.csv", std::process::id()));
        write_csv(&moons, &p).unwrap();
        let back = read_csv(&p, "label").unwrap();
        assert_eq!(back.x, moons.x);
        assert_eq!(back.y, moons.y);

        let e = read_csv("/nowhere/data.csv", "label").unwrap_err().to_string();
        assert!(e.contains("/nowhere/data.csv"), "{e}");
        let e = read_csv(file("a.csv", "a,b,label\n1,2,x\n3,y\n"), "label")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("2 fields, expected 3"), "{e}");
        let e = read_csv(file("b.csv", "a,label\n1,x\nseven,y\n"), "label")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 3") && e.contains("\"seven\"") && e.contains("not a number"),
            "{e}"
        );
        let e = read_csv(file("c.csv", "a,label\n1,x\n2,x\n"), "label")
            .unwrap_err()
            .to_string();
        assert!(e.contains("1 class") && e.contains("at least 2"), "{e}");
        let e = read_csv(file("d.csv", "a,b\n1,2\n"), "label")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no column named \"label\""), "{e}");
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

    fn write_tiny_idx(dir: &Path, count: usize, labels: usize) -> (PathBuf, PathBuf) {
        let img = IdxImages {
            count,
            rows: 2,
            cols: 3,
            pixels: (0..count * 6).map(|i| (i * 7 % 256) as u8).collect(),
        };
        let lab: Vec<u8> = (0..labels).map(|i| (i % 10) as u8).collect();
        let (ip, lp) = (dir.join("img.gz"), dir.join("lab.gz"));
        write_idx_gz(&ip, &lp, &img, &lab).unwrap();
        (ip, lp)
    }

    fn load(ip: &Path, lp: &Path) -> Result<Dataset> {
        let img = parse_idx_images(ip, &gunzip(ip, &std::fs::read(ip).unwrap())?)?;
        let lab = parse_idx_labels(lp, &gunzip(lp, &std::fs::read(lp).unwrap())?)?;
        let names = FASHION_CLASSES.iter().map(|s| s.to_string()).collect();
        images_and_labels("t", img, lab, ip, lp, names)
    }

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("takeoff-test-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn idx_round_trip() {
        let dir = tmp("idx");
        let (ip, lp) = write_tiny_idx(&dir, 5, 5);
        let d = load(&ip, &lp).unwrap();
        assert_eq!(d.x.dim(), (5, 6));
        assert_eq!(d.x[[1, 0]], 42.0 / 255.0);
        assert_eq!(d.y.to_vec(), vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn idx_errors_name_file_and_what_was_wrong() {
        let dir = tmp("idxerr");
        let (ip, lp) = write_tiny_idx(&dir, 5, 4);
        let e = load(&ip, &lp).unwrap_err().to_string();
        assert!(
            e.contains("lab.gz") && e.contains("5 labels") && e.contains("found 4 labels"),
            "{e}"
        );
        // wrong magic: labels read as images
        let e = parse_idx_images(&lp, &gunzip(&lp, &std::fs::read(&lp).unwrap()).unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("magic number 0x00000803") && e.contains("0x00000801"),
            "{e}"
        );
        // truncated gzip
        let raw = std::fs::read(&ip).unwrap();
        let e = gunzip(&ip, &raw[..raw.len() / 2]).unwrap_err().to_string();
        assert!(e.contains("img.gz") && e.contains("gzip"), "{e}");
        // truncated payload
        let mut body = gunzip(&ip, &raw).unwrap();
        body.truncate(20);
        let e = parse_idx_images(&ip, &body).unwrap_err().to_string();
        assert!(e.contains("truncated"), "{e}");
        // missing file
        let e = fashion_mnist_from(&dir.join("nowhere"), false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("nowhere") && e.contains("train-images"), "{e}");
    }

    #[test]
    fn checksum_mismatch_is_reported() {
        let dir = tmp("sha");
        for (name, _) in FASHION_FILES {
            std::fs::write(dir.join(name), b"not the data").unwrap();
        }
        let e = fashion_mnist_from(&dir, true).unwrap_err().to_string();
        assert!(
            e.contains("SHA-256") && e.contains("train-images-idx3-ubyte.gz"),
            "{e}"
        );
    }

    #[test]
    fn shipped_fashion_mnist_loads() {
        let f = fashion_mnist().unwrap();
        assert_eq!(f.train.x.dim(), (60_000, 784));
        assert_eq!(f.test.len(), 10_000);
        assert_eq!(f.train.class_counts(), vec![6000; 10]);
        assert!(f.train.x.iter().all(|&p| (0.0..=1.0).contains(&p)));
    }

    #[test]
    fn teacher_is_nested_deterministic_and_noisy_as_asked() {
        let t = TeacherTask::new(10, 3, 2, 16, 0.2, 1).unwrap();
        let small = t.generate(100, 5).unwrap();
        let big = t.generate(20_000, 5).unwrap();
        assert_eq!(small.x, big.x.slice(s![..100, ..]).to_owned());
        assert_eq!(small.y, big.y.slice(s![..100]).to_owned());
        let clean = t.clean_labels(&big.x);
        let flipped = clean.iter().zip(big.y.iter()).filter(|(a, b)| a != b).count() as f64 / 20_000.0;
        assert!((flipped - 0.2).abs() < 0.015, "measured noise {flipped}");
        assert!((t.bayes_accuracy() - 0.8).abs() < 1e-12);
        let counts = big.class_counts();
        assert!(
            counts.iter().all(|&c| c > 20_000 / 3 / 3),
            "classes roughly balanced: {counts:?}"
        );
        assert!(TeacherTask::new(10, 3, 2, 16, 0.7, 1).is_err());
    }

    #[test]
    fn two_d_sets_have_expected_shapes() {
        assert_eq!(spirals(50, 3, 0.1, 0).unwrap().x.dim(), (150, 2));
        assert_eq!(moons(40, 0.1, 0).unwrap().class_counts(), vec![40, 40]);
        assert_eq!(circles(40, 0.05, 0.5, 0).unwrap().len(), 80);
        assert_eq!(flower(200, 0).unwrap().class_counts(), vec![200, 200]);
        assert!(circles(10, 0.1, 1.5, 0).is_err());
        assert!(spirals(0, 2, 0.1, 0).is_err());
    }
}
