//! The feature-engineering claims: engineered features against raw inputs at the curve's sizes.

use super::*;

impl LearningCurve {
    /// Claims about engineered features against raw inputs (the lecture: with little data,
    /// feature engineering decides): "at the smallest m, engineered features beat raw inputs" and
    /// "at the largest m, they still do", each at the size where both sides ran, the best model
    /// of each side picked on validation data ([`LearningCurve::best_of_each`]) and compared on
    /// the test set by the noise rule. A name that is not one of the curve's models, or a curve
    /// without validation scores, is an error.
    pub fn feature_claims(&self, engineered: &[&str], raw: &[&str]) -> Result<Vec<Claim>> {
        let best = self.best_of_each(engineered, raw)?;
        let named: Vec<&str> = engineered.iter().chain(raw).copied().collect();
        let at = |row: Option<&(usize, Point, Point)>, claim: Text| -> Claim {
            let Some((m, e, r)) = row else {
                return self.not_tested(claim, &named);
            };
            let noise = noise(&[e, r], self.test_size);
            let diff = e.mean - r.mean;
            Claim {
                task: self.task.clone(),
                claim,
                verdict: decide(diff, noise),
                margin: Some((diff, noise)),
                m: Some(*m),
                evidence: Text::new(
                    format!(
                        "at m = {m}: best on engineered features {}, best on raw inputs {} (each picked on validation data); difference {}, noise {:.1} points.",
                        pct(e),
                        pct(r),
                        pts(diff),
                        noise * 100.0, m = crate::text::thousands(*m)),
                    format!(
                        "m = {m} 时：使用人工特征的最好模型 {}，使用原始输入的最好模型 {}（各自在验证数据上选出）；差 {}，误差范围 {:.1} 个百分点。",
                        pct_zh(e),
                        pct_zh(r),
                        pts_zh(diff),
                        noise * 100.0, m = crate::text::thousands(*m)),
                ),
            }
        };
        // each claim names its m: this curve's largest is small data still, not the lecture's
        // large-m end
        let named_at = |row: Option<&(usize, Point, Point)>, en: &str, zh: &str| {
            let (m_en, m_zh) = row.map_or((String::new(), String::new()), |r| {
                let m = crate::text::thousands(r.0);
                (format!(" (m = {m})"), format!("（m = {m}）"))
            });
            at(row, Text::new(format!("{en}{m_en}"), format!("{zh}{m_zh}")))
        };
        Ok(vec![
            named_at(
                best.rows.first(),
                "at this curve's smallest m, engineered features beat raw inputs",
                "在这条曲线最小的 m 处，人工特征胜过原始输入",
            ),
            named_at(
                best.rows.last(),
                "at this curve's largest m, engineered features still beat raw inputs",
                "在这条曲线最大的 m 处，人工特征仍然胜过原始输入",
            ),
        ])
    }
}
