//! The reader's own data: a CSV file with a header row, numeric features and one label column.

use super::Dataset;
use crate::error::{Result, TakeoffError};
use ndarray::{Array1, Array2};
use std::path::Path;

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
mod tests {
    use super::*;
    use crate::data::moons;
    use std::path::PathBuf;

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
