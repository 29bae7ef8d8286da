//! The matrix products of one training step, as chapter 2 times them: each product's shape and
//! the layout of its operands.

use super::{Block, ConvNet};
use crate::error::{Result, TakeoffError};
use crate::kernels::Real;
use ndarray::{Array2, ArrayView2};

/// One matrix product of a training step: `m × k` times `k × n`, laid out as the step lays it
/// out (see [`ProductKind`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// "conv 1", "dense 1", "output".
    pub layer: String,
    pub kind: ProductKind,
    pub m: usize,
    pub k: usize,
    pub n: usize,
}

impl Product {
    /// Floating-point operations: 2 m k n.
    pub fn flops(&self) -> f64 {
        2.0 * (self.m * self.k * self.n) as f64
    }
}

/// The most memory [`ProductKind::operands`] allocates for one product's two operands.
pub const OPERANDS_BUDGET_GB: f64 = 4.0;

/// Which product of a layer, and so how its operands lie in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductKind {
    /// z = x W: both operands row-major.
    Forward,
    /// ∂W = xᵀ dz: the first operand a transposed view.
    WeightGradient,
    /// ∂x = dz Wᵀ: the second operand a transposed view.
    InputGradient,
}

impl ProductKind {
    /// "forward", "weight gradient", "input gradient".
    pub fn name(self) -> &'static str {
        match self {
            ProductKind::Forward => "forward",
            ProductKind::WeightGradient => "weight gradient",
            ProductKind::InputGradient => "input gradient",
        }
    }

    /// Operands of these dimensions laid out as this product's are in a training step (filled
    /// with ones): `a` is m × k and `b` is k × n, as views; time `matmul(a.view(), b.view())`
    /// through [`ProductKind::views`]. Refused before allocating when the two would take more
    /// than [`OPERANDS_BUDGET_GB`] (a product of a very large batch).
    pub fn operands<F: Real>(self, p: &Product) -> Result<(Array2<F>, Array2<F>)> {
        let values = p.m as f64 * p.k as f64 + p.k as f64 * p.n as f64;
        let gb = values * std::mem::size_of::<F>() as f64 / 1e9;
        if gb > OPERANDS_BUDGET_GB {
            return Err(TakeoffError::invalid(
                "product operands",
                format!(
                    "{} {}: {} × {} and {} × {} values, {gb:.1} GB",
                    p.layer,
                    self.name(),
                    p.m,
                    p.k,
                    p.k,
                    p.n
                ),
                format!("at most {OPERANDS_BUDGET_GB} GB: time the products of a smaller batch"),
            ));
        }
        Ok(match self {
            ProductKind::Forward => (Array2::ones((p.m, p.k)), Array2::ones((p.k, p.n))),
            ProductKind::WeightGradient => (Array2::ones((p.k, p.m)), Array2::ones((p.k, p.n))),
            ProductKind::InputGradient => (Array2::ones((p.m, p.k)), Array2::ones((p.n, p.k))),
        })
    }

    /// The m × k and k × n views of [`ProductKind::operands`]' arrays.
    pub fn views<'a, F: Real>(
        self,
        a: &'a Array2<F>,
        b: &'a Array2<F>,
    ) -> (ArrayView2<'a, F>, ArrayView2<'a, F>) {
        match self {
            ProductKind::Forward => (a.view(), b.view()),
            ProductKind::WeightGradient => (a.t(), b.view()),
            ProductKind::InputGradient => (a.view(), b.t()),
        }
    }
}

impl<F: Real> ConvNet<F> {
    /// The matrix products of one training step on a batch of `batch` examples, layer by layer
    /// in the order the step runs them (forward, then backward from the output): what a
    /// benchmark times alone to tell the products' share of an epoch and each layer's GFLOP/s.
    pub fn step_products(&self, batch: usize) -> Vec<Product> {
        let mut forward = Vec::new();
        let mut backward = Vec::new();
        let (mut convs, mut denses) = (0, 0);
        for (l, block) in self.blocks.iter().enumerate() {
            let (layer, rows, w) = match block {
                Block::Conv { input, kernel, w, .. } => {
                    convs += 1;
                    let positions = (input.height - kernel + 1) * (input.width - kernel + 1);
                    (format!("conv {convs}"), batch.saturating_mul(positions), w)
                }
                Block::Dense { w, output, .. } => {
                    denses += 1;
                    let name = if *output {
                        "output".to_string()
                    } else {
                        format!("dense {denses}")
                    };
                    (name, batch, w)
                }
                Block::Pool { .. } | Block::Dropout { .. } | Block::Pad { .. } => continue,
            };
            let (fan_in, fan_out) = w.dim();
            let product = |kind, m, k, n| Product {
                layer: layer.clone(),
                kind,
                m,
                k,
                n,
            };
            forward.push(product(ProductKind::Forward, rows, fan_in, fan_out));
            let mut back = vec![product(ProductKind::WeightGradient, fan_in, rows, fan_out)];
            if l > 0 {
                back.push(product(ProductKind::InputGradient, rows, fan_out, fan_in));
            }
            backward.push(back);
        }
        forward
            .into_iter()
            .chain(backward.into_iter().rev().flatten())
            .collect()
    }
}
