//! A power law of error against the amount of data, fitted on a learning curve.

use crate::error::{Result, TakeoffError};
use serde::{Deserialize, Serialize};

/// A power law `error = a · m^(−b)` fitted by least squares on log error vs log m.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PowerLaw {
    pub a: f64,
    pub b: f64,
}

impl PowerLaw {
    /// Fits on (m, error) pairs; needs at least two distinct m and positive errors.
    pub fn fit(points: &[(usize, f64)]) -> Result<PowerLaw> {
        let pts: Vec<(f64, f64)> = points
            .iter()
            .filter(|(_, e)| *e > 0.0)
            .map(|&(m, e)| ((m as f64).ln(), e.ln()))
            .collect();
        if pts.len() < 2 {
            return Err(TakeoffError::invalid(
                "points for a power-law fit",
                pts.len(),
                "at least 2 sizes with non-zero error",
            ));
        }
        let n = pts.len() as f64;
        let (mx, my) = (
            pts.iter().map(|p| p.0).sum::<f64>() / n,
            pts.iter().map(|p| p.1).sum::<f64>() / n,
        );
        let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
        if sxx == 0.0 {
            return Err(TakeoffError::invalid(
                "sizes for a power-law fit",
                "one distinct m",
                "at least 2",
            ));
        }
        let slope = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum::<f64>() / sxx;
        Ok(PowerLaw {
            a: (my - slope * mx).exp(),
            b: -slope,
        })
    }

    /// The predicted error at m.
    pub fn predict(&self, m: usize) -> f64 {
        self.a * (m as f64).powf(-self.b)
    }
}
