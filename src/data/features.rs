//! Engineered features: histograms of oriented gradients (HOG) of 28 × 28 images, the feature
//! engineering that helps the traditional learners at small m.
//!
//! Written here rather than taken from `imageproc` (whose `hog` it reproduces bit for bit, as a
//! test checks against it): that crate brought `image`, `nalgebra` and 17 more crates, 30% of the
//! source every notebook kernel loads at start (see `Cargo.toml`).

use super::Dataset;
use crate::error::{Result, TakeoffError};
use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// Settings of the histogram-of-oriented-gradients features (as imageproc's `HogOptions`, unsigned).
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

/// The largest array of features [`hog`] allocates.
const MAX_GB: f64 = 4.0;

/// Engineered features: the HOG descriptor of each square grey image of `data` (pixels in
/// [0, 1], one image per row). Feature engineering in the lesson's small-data regime: edges and
/// their directions, pooled over cells, instead of raw pixels.
pub fn hog(data: &Dataset, params: HogParams) -> Result<Dataset> {
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
    let layout = Layout::new(side, params)?;
    // checked before allocating: settings decide the size (orientations, cells and blocks)
    let gb = data.len() as f64 * layout.descriptor_len() as f64 * 4.0 / 1e9;
    if gb > MAX_GB {
        return Err(TakeoffError::invalid(
            "HOG features",
            format!("{gb:.1} GB for {} images with {params:?}", data.len()),
            format!("at most {MAX_GB} GB: fewer orientations, larger cells or blocks, or fewer images"),
        ));
    }
    let mut x = Array2::zeros((data.len(), layout.descriptor_len()));
    let mut pixels = vec![0u8; side * side];
    for (row, mut out) in data.x.rows().into_iter().zip(x.rows_mut()) {
        for (p, &v) in pixels.iter_mut().zip(row) {
            *p = (v * 255.0).round() as u8;
        }
        let features = layout.descriptor(&pixels);
        out.iter_mut().zip(features).for_each(|(o, f)| *o = f);
    }
    Dataset::new(
        format!("{} (HOG)", data.name),
        x,
        data.y.clone(),
        data.class_names.clone(),
    )
}

/// Cells and blocks of a HOG descriptor over a `side` × `side` image.
struct Layout {
    side: usize,
    p: HogParams,
    cells: usize,
    blocks: usize,
}

impl Layout {
    fn new(side: usize, p: HogParams) -> Result<Layout> {
        let fits = p.orientations > 0
            && p.cell_side > 0
            && p.block_side > 0
            && p.block_stride > 0
            && side.is_multiple_of(p.cell_side)
            && p.block_side <= side / p.cell_side
            && (side / p.cell_side - p.block_side).is_multiple_of(p.block_stride);
        if !fits {
            return Err(TakeoffError::invalid(
                "HOG settings",
                format!("{p:?}"),
                format!(
                    "settings that fit a {side} × {side} image: positive values, a cell side that \
                     divides {side}, and blocks of cells that tile the cells with their stride"
                ),
            ));
        }
        let cells = side / p.cell_side;
        Ok(Layout {
            side,
            p,
            cells,
            blocks: (cells - p.block_side) / p.block_stride + 1,
        })
    }

    fn block_len(&self) -> usize {
        self.p.orientations * self.p.block_side * self.p.block_side
    }

    fn descriptor_len(&self) -> usize {
        self.blocks * self.blocks * self.block_len()
    }

    /// Per cell, a histogram of gradient directions (unsigned, 0 to π) weighted by the gradient's
    /// magnitude; each pixel's vote is shared between the two nearest bins in direction and, in
    /// position, between its cell and the next one right and below (bilinear weights).
    fn cell_histograms(&self, pixels: &[u8]) -> Vec<f32> {
        let (side, bins) = (self.side, self.p.orientations);
        let at = |x: isize, y: isize| {
            let c = |v: isize| v.clamp(0, side as isize - 1) as usize;
            i32::from(pixels[c(y) * side + c(x)])
        };
        let mut grid = vec![0f32; self.cells * self.cells * bins];
        let cell = self.p.cell_side as f32;
        let area = (self.p.cell_side * self.p.cell_side) as f32;
        let width = std::f32::consts::PI / bins as f32;
        let split = |pos: f32| (pos as usize, 1.0 - (pos - pos.floor()), pos - pos.floor());
        for y in 0..side {
            let (cy, wy0, wy1) = split(y as f32 / cell);
            for x in 0..side {
                let (cx, wx0, wx1) = split(x as f32 / cell);
                let (xi, yi) = (x as isize, y as isize);
                // Sobel, borders repeated
                let h = (at(xi + 1, yi - 1) - at(xi - 1, yi - 1))
                    + 2 * (at(xi + 1, yi) - at(xi - 1, yi))
                    + (at(xi + 1, yi + 1) - at(xi - 1, yi + 1));
                let v = (at(xi - 1, yi + 1) - at(xi - 1, yi - 1))
                    + 2 * (at(xi, yi + 1) - at(xi, yi - 1))
                    + (at(xi + 1, yi + 1) - at(xi + 1, yi - 1));
                let (h, v) = (h as f32, v as f32);
                let magnitude = (h * h + v * v).sqrt();
                let mut direction = v.atan2(h);
                if direction < 0.0 {
                    direction += std::f32::consts::PI;
                }
                if direction >= std::f32::consts::PI {
                    direction -= std::f32::consts::PI;
                }
                let (o0, wo0, wo1) = split(direction / width);
                let o1 = if o0 + 1 >= bins { 0 } else { o0 + 1 };
                for (py, wy) in [(cy, wy0), (cy + 1, wy1)] {
                    for (px, wx) in [(cx, wx0), (cx + 1, wx1)] {
                        if px >= self.cells || py >= self.cells {
                            continue;
                        }
                        for (po, wo) in [(o0, wo0), (o1, wo1)] {
                            grid[(py * self.cells + px) * bins + po] += wy * wx * wo * magnitude / area;
                        }
                    }
                }
            }
        }
        grid
    }

    /// The cells' histograms gathered block by block, each block scaled to unit length.
    fn descriptor(&self, pixels: &[u8]) -> Vec<f32> {
        let grid = self.cell_histograms(pixels);
        let (bins, bs) = (self.p.orientations, self.p.block_side);
        let mut out = Vec::with_capacity(self.descriptor_len());
        for by in 0..self.blocks {
            for bx in 0..self.blocks {
                let start = out.len();
                for iy in 0..bs {
                    for ix in 0..bs {
                        let (cx, cy) = (bx * self.p.block_stride + ix, by * self.p.block_stride + iy);
                        let cell = (cy * self.cells + cx) * bins;
                        out.extend_from_slice(&grid[cell..cell + bins]);
                    }
                }
                let block = &mut out[start..];
                let norm = block.iter().fold(0f32, |acc, v| acc + v * v).sqrt();
                if norm > 0.0 {
                    block.iter_mut().for_each(|v| *v /= norm);
                }
            }
        }
        out
    }
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

    /// The hand-written HOG gives imageproc's numbers bit for bit: on Fashion-MNIST images and on
    /// noise (every direction, every border), for the lesson's settings and two others.
    #[test]
    fn hog_is_imageprocs_bit_for_bit() {
        use imageproc::hog::{hog as reference, HogOptions};
        use rand::Rng;
        let f = crate::data::fashion_mnist().unwrap();
        let images = f.test.subsample(100, 3).unwrap();
        let mut rng = crate::random::rng(7);
        let noise = Array2::from_shape_fn((20, 784), |_| rng.gen::<f32>());
        let noise = Dataset::new("noise", noise, ndarray::Array1::zeros(20), vec!["a".into()]).unwrap();
        let settings = [
            HogParams::default(),
            HogParams {
                orientations: 8,
                cell_side: 7,
                block_side: 2,
                block_stride: 1,
            },
            HogParams {
                orientations: 6,
                cell_side: 4,
                block_side: 3,
                block_stride: 2,
            },
        ];
        for data in [&images, &noise] {
            for p in settings {
                let ours = hog(data, p).unwrap();
                let opts = HogOptions::new(p.orientations, false, p.cell_side, p.block_side, p.block_stride);
                for (row, got) in data.x.rows().into_iter().zip(ours.x.rows()) {
                    let pixels: Vec<u8> = row.iter().map(|&v| (v * 255.0).round() as u8).collect();
                    let img = imageproc::image::GrayImage::from_raw(28, 28, pixels).unwrap();
                    let want = reference(&img, opts).unwrap();
                    let got: Vec<u32> = got.iter().map(|v| v.to_bits()).collect();
                    let want: Vec<u32> = want.iter().map(|v| v.to_bits()).collect();
                    assert_eq!(got, want, "{p:?}");
                }
            }
        }
    }

    #[test]
    fn hog_settings_that_do_not_tile_the_image_are_errors_not_panics() {
        let f = crate::data::fashion_mnist().unwrap();
        let small = f.test.subsample(20, 0).unwrap();
        for bad in [
            HogParams {
                block_side: 8,
                ..HogParams::default()
            },
            HogParams {
                block_stride: 0,
                ..HogParams::default()
            },
            HogParams {
                orientations: 0,
                ..HogParams::default()
            },
            HogParams {
                cell_side: 0,
                ..HogParams::default()
            },
            HogParams {
                block_side: 3,
                block_stride: 3,
                ..HogParams::default()
            },
        ] {
            let e = hog(&small, bad).unwrap_err().to_string();
            assert!(e.contains("HOG settings"), "{e}");
        }
        let huge = HogParams {
            orientations: 100_000_000,
            ..HogParams::default()
        };
        let e = hog(&small, huge).unwrap_err().to_string();
        assert!(e.contains("at most 4 GB"), "{e}");
    }
}
