//! Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 70,000 28 × 28 grey images of ten kinds of
//! clothing, shipped gzipped in `data/` in the IDX format, checked against their SHA-256 sums.

use super::Dataset;
use crate::error::{Result, TakeoffError};
use flate2::read::GzDecoder;
use ndarray::{Array1, Array2};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
