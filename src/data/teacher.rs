//! The teacher task: labels made by a fixed random network ("the teacher") with label noise, so
//! the best achievable accuracy is known and the amount of data is unlimited.

use super::Dataset;
use crate::error::{Result, TakeoffError};
use crate::kernels::argmax_rows;
use crate::random::{normal, rng};
use ndarray::{Array1, Array2};
use rand::Rng;

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

    /// The lesson's default teacher: 10 inputs, 4 classes, 2 hidden layers of 32, 10% label noise.
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
                "teacher task (d = {}, {} classes, noise {:.0}%)",
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

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::s;

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
}
