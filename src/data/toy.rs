//! Small 2-D sets for pictures of decision boundaries: spirals, moons, circles, the flower.

use super::Dataset;
use crate::error::{Result, TakeoffError};
use crate::random::{normal, rng};
use ndarray::{Array1, Array2};

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

#[cfg(test)]
mod tests {
    use super::*;

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
