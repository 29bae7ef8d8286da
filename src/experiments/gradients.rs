//! The vanishing gradient measured across depth: the gradient norm of every layer of untrained
//! nets of several depths, for each (activation, initialisation) pair, on one batch.

use crate::data::Dataset;
use crate::error::{Result, TakeoffError};
use crate::models::activation::{Activation, Init};
use crate::models::mlp::MlpParams;

/// One net of the sweep: its activation, initialisation and depth, and the gradient norm of each
/// layer's weights (first layer first; the output layer last).
#[derive(Debug, Clone, PartialEq)]
pub struct DepthRun {
    pub activation: Activation,
    pub init: Init,
    pub depth: usize,
    pub norms: Vec<f64>,
}

impl DepthRun {
    /// The first layer's gradient norm over the last layer's: how much of the gradient that the
    /// output layer gets reaches the layer nearest the input.
    pub fn first_over_last(&self) -> f64 {
        match (self.norms.first(), self.norms.last()) {
            (Some(&f), Some(&l)) if l > 0.0 => f / l,
            _ => f64::NAN,
        }
    }
}

/// Gradient norms by depth (see [`depth_sweep`]).
#[derive(Debug, Clone, PartialEq)]
pub struct DepthSweep {
    pub depths: Vec<usize>,
    pub width: usize,
    pub runs: Vec<DepthRun>,
}

/// For every depth in `depths` and every (activation, initialisation) in `nets`, an untrained
/// MLP of `depth` hidden layers of `width` units (seed `seed`), and the gradient norm of each
/// layer on `batch`. Cheap: one forward and backward pass per net.
pub fn depth_sweep(
    batch: &Dataset,
    depths: &[usize],
    width: usize,
    nets: &[(Activation, Init)],
    seed: u64,
) -> Result<DepthSweep> {
    if depths.is_empty() || nets.is_empty() {
        return Err(TakeoffError::invalid(
            "depth sweep",
            "no depths or no nets",
            "at least one depth and one (activation, initialisation)",
        ));
    }
    let mut runs = Vec::new();
    for &depth in depths {
        for &(activation, init) in nets {
            let params = MlpParams::new(&vec![width; depth])
                .activation(activation)
                .init(init)
                .seed(seed)
                .verbose(false);
            let norms = params.untrained(batch)?.gradient_norms(batch)?;
            runs.push(DepthRun {
                activation,
                init,
                depth,
                norms,
            });
        }
    }
    Ok(DepthSweep {
        depths: depths.to_vec(),
        width,
        runs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_depth_and_net_is_measured_and_sigmoid_loses_more_with_depth() {
        let data = crate::data::spirals(64, 3, 0.1, 0).unwrap();
        let nets = [(Activation::Sigmoid, Init::Xavier), (Activation::Relu, Init::He)];
        let sweep = depth_sweep(&data, &[2, 8], 16, &nets, 0).unwrap();
        assert_eq!(sweep.runs.len(), 4);
        for r in &sweep.runs {
            assert_eq!(
                r.norms.len(),
                r.depth + 1,
                "one norm per hidden layer and the output"
            );
            assert!(r.first_over_last().is_finite());
        }
        let sig = |d| {
            sweep
                .runs
                .iter()
                .find(|r| r.activation == Activation::Sigmoid && r.depth == d)
                .unwrap()
                .first_over_last()
        };
        assert!(sig(8) < sig(2), "{} vs {}", sig(8), sig(2));
        assert!(depth_sweep(&data, &[], 16, &nets, 0).is_err());
    }
}
