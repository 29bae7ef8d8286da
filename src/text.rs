//! Number formatting shared by every layer (the experiments' verdict sentences and the view's
//! tables write ratios the same way).

/// A ratio with two significant figures and a "×": 0.45×, 1.5×, 12×, 120× (never "0×").
pub fn ratio(x: f64) -> String {
    if !x.is_finite() || x <= 0.0 {
        return format!("{x}×");
    }
    let decimals = (1 - x.log10().floor() as i32).max(0) as usize;
    let rounded = format!("{x:.decimals$}");
    // 9.96 rounds to "10.0": keep two significant figures there too
    match rounded.parse::<f64>() {
        Ok(r) if decimals > 0 && r >= 10f64.powi(2 - decimals as i32) => {
            format!("{x:.prec$}×", prec = decimals - 1)
        }
        _ => format!("{rounded}×"),
    }
}
