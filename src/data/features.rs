//! Engineered features: histograms of oriented gradients (HOG) of 28 × 28 images, computed with
//! `imageproc`, the feature engineering that helps the traditional learners at small m.

use super::Dataset;
use crate::error::{Result, TakeoffError};
use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// Settings of the histogram-of-oriented-gradients features (imageproc's `hog`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HogParams {
    /// Orientation bins per cell (default 9, unsigned gradients).
    pub orientations: usize,
    /// Cell side in pixels (default 4: a 28 × 28 image has 7 × 7 cells).
    pub cell_side: usize,
    /// Block side in cells (default 2), normalised to unit length.
    pub block_side: usize,
    /// Step between blocks in cells (default 1).
    pub block_stride: usize,
}

impl Default for HogParams {
    fn default() -> Self {
        HogParams {
            orientations: 9,
            cell_side: 4,
            block_side: 2,
            block_stride: 1,
        }
    }
}

/// Engineered features: the HOG descriptor of each square grey image of `data` (pixels in
/// [0, 1], one image per row). Feature engineering in the lesson's small-data regime: edges and
/// their directions, pooled over cells, instead of raw pixels.
pub fn hog(data: &Dataset, params: HogParams) -> Result<Dataset> {
    use imageproc::hog::{hog as hog_of, HogOptions};
    let side = (data.n_features() as f64).sqrt().round() as usize;
    if side * side != data.n_features() {
        return Err(TakeoffError::invalid(
            "features per image",
            data.n_features(),
            "a square number of pixels (28 × 28 = 784 for Fashion-MNIST)",
        ));
    }
    if let Some(v) = data.x.iter().find(|v| !(0.0..=1.0).contains(*v)) {
        return Err(TakeoffError::invalid(
            "pixel value",
            v,
            "raw pixels in [0, 1]: compute HOG before standardising",
        ));
    }
    let opts = HogOptions::new(
        params.orientations,
        false,
        params.cell_side,
        params.block_side,
        params.block_stride,
    );
    let mut rows = Vec::with_capacity(data.len());
    for row in data.x.rows() {
        let pixels: Vec<u8> = row.iter().map(|&v| (v * 255.0).round() as u8).collect();
        let img =
            imageproc::image::GrayImage::from_raw(side as u32, side as u32, pixels).expect("side² pixels");
        let f = hog_of(&img, opts).map_err(|e| {
            TakeoffError::invalid(
                "HOG settings",
                format!("{params:?}"),
                format!("settings that fit a {side} × {side} image ({e})"),
            )
        })?;
        rows.push(f);
    }
    let d = rows.first().map(Vec::len).unwrap_or(0);
    let x =
        Array2::from_shape_vec((rows.len(), d), rows.into_iter().flatten().collect()).expect("equal lengths");
    Dataset::new(
        format!("{} (HOG)", data.name),
        x,
        data.y.clone(),
        data.class_names.clone(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hog_of_fashion_images_has_the_expected_length_and_rejects_standardised_input() {
        let f = crate::data::fashion_mnist().unwrap();
        let small = f.test.subsample(20, 0).unwrap();
        let h = hog(&small, HogParams::default()).unwrap();
        assert_eq!(h.x.dim(), (20, 6 * 6 * 2 * 2 * 9));
        assert_eq!(h.y, small.y);
        let s = crate::data::Standardizer::fit(&small)
            .unwrap()
            .transform(&small)
            .unwrap();
        assert!(hog(&s, HogParams::default())
            .unwrap_err()
            .to_string()
            .contains("before standardising"));
        let bad = HogParams {
            cell_side: 30,
            ..HogParams::default()
        };
        assert!(hog(&small, bad).is_err());
    }
}
