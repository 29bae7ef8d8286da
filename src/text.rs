//! Number formatting shared by every layer (the experiments' verdict sentences and the view's
//! tables write ratios the same way).

/// A ratio with two significant figures and a "×": 0.45×, 1.5×, 12×, 120×, and from 10,000 on in
/// scientific notation, 4.4 × 10⁷× (never "0×").
pub fn ratio(x: f64) -> String {
    format!("{}×", ratio_number(x))
}

/// The number of [`ratio`] without its "×" (for "1.5 倍").
pub fn ratio_number(x: f64) -> String {
    if !x.is_finite() || x <= 0.0 {
        return format!("{x}");
    }
    if x >= 1e4 {
        let mut e = x.log10().floor() as i32;
        let mut m = x / 10f64.powi(e);
        if (m * 10.0).round() >= 100.0 {
            (m, e) = (m / 10.0, e + 1); // 9.96 × 10⁴ rounds to 10 × 10⁴: 1.0 × 10⁵
        }
        return format!("{m:.1} × 10{}", superscript(e));
    }
    if x >= 999.5 {
        return thousands(x.round() as usize); // 1,720
    }
    let decimals = (1 - x.log10().floor() as i32).max(0) as usize;
    let rounded = format!("{x:.decimals$}");
    // 9.96 rounds to "10.0": keep two significant figures there too
    match rounded.parse::<f64>() {
        Ok(r) if decimals > 0 && r >= 10f64.powi(2 - decimals as i32) => {
            format!("{x:.prec$}", prec = decimals - 1)
        }
        _ => rounded,
    }
}

fn superscript(e: i32) -> String {
    e.to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            d => ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'][d.to_digit(10).unwrap_or(0) as usize],
        })
        .collect()
}

/// `x` to two significant figures, as plain decimals: 0.0033, 0.03, 0.1, 3, 120 (for settings
/// such as learning rates, where 0.003333333333333334 says nothing more).
pub fn significant(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return format!("{x}");
    }
    let decimals = (1 - x.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A count with its thousands separated: 12,123.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `a` against `b` as one factor N ≥ 1 and which way: (N, true) when a ≤ b ("N× fewer"), (N,
/// false) when a > b ("N× more"). Every comparison of two counts in the lesson reads this way.
pub fn factor(a: f64, b: f64) -> (f64, bool) {
    if a <= b {
        (b / a, true)
    } else {
        (a / b, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_keep_two_significant_figures_and_go_scientific_when_huge() {
        assert_eq!(ratio(0.4512), "0.45×");
        assert_eq!(ratio(1.54), "1.5×");
        assert_eq!(ratio(9.96), "10×");
        assert_eq!(ratio(123.0), "123×");
        assert_eq!(ratio(1720.4), "1,720×");
        assert_eq!(ratio(44_291_543.0), "4.4 × 10⁷×");
        assert_eq!(ratio(99_600.0), "1.0 × 10⁵×");
        assert_eq!(ratio_number(1.54), "1.5");
    }

    #[test]
    fn settings_keep_two_significant_figures_and_counts_their_commas() {
        assert_eq!(significant(0.003333333333333334), "0.0033");
        assert_eq!(significant(0.03), "0.03");
        assert_eq!(significant(0.1), "0.1");
        assert_eq!(significant(1.0), "1");
        assert_eq!(thousands(12_123), "12,123");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn a_factor_is_never_below_one() {
        assert_eq!(factor(100.0, 330.0), (3.3, true));
        assert_eq!(factor(330.0, 100.0), (3.3, false));
        assert_eq!(factor(5.0, 5.0), (1.0, true));
    }
}
