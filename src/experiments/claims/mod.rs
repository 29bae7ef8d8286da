//! The lesson's data-scale claims, decided on a measured learning curve by rules that can fail.
//!
//! Every claim compares the models it names **at the same m**: the largest size at which all of
//! them ran. A difference counts only beyond the noise ([`noise`]): the larger seed spread of the
//! points compared plus the test set's standard error. Each claim ends in one of the verdicts of
//! [`Verdict`]; "does not hold" and "not shown" are results too.

use super::{LearningCurve, Point};
use crate::error::Result;
use crate::lang::{name, Lang, Text};

mod crossover;
mod features;

/// The outcome of checking one claim on one run.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The numbers show the claim, beyond the noise.
    Holds,
    /// The numbers show the opposite, beyond the noise.
    DoesNotHold,
    /// The difference the claim is about is inside the noise.
    NotShown,
    /// A model the claim names did not run at a size where the others did.
    NotTested { reason: Text },
}

impl Verdict {
    /// The verdict in words, as the claims table prints it (English).
    pub fn label(&self) -> String {
        self.label_in(Lang::En)
    }

    /// The verdict in words in one language: holds / 成立, does not hold / 不成立,
    /// not shown (inside the noise) / 不显著（差别在误差范围内）, not tested / 未检验.
    pub fn label_in(&self, l: Lang) -> String {
        match (self, l) {
            (Verdict::Holds, _) => l.pick("holds", "成立").into(),
            (Verdict::DoesNotHold, _) => l.pick("does not hold", "不成立").into(),
            (Verdict::NotShown, _) => l
                .pick("not shown (inside the noise)", "不显著（差别在误差范围内）")
                .into(),
            (Verdict::NotTested { reason }, Lang::En) => format!("not tested: {}", reason.en),
            (Verdict::NotTested { reason }, Lang::Zh) => format!("未检验：{}", reason.zh),
        }
    }
}

/// A claim of the lesson, checked on a measured curve.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    /// The task the curve was run on (a claims table may gather several).
    pub task: String,
    pub claim: Text,
    pub verdict: Verdict,
    /// The size the claim was decided at (None when it could not be tested).
    pub m: Option<usize>,
    pub evidence: Text,
    /// The difference the verdict was decided on and its noise (fractions of accuracy), when one
    /// difference decided it.
    pub margin: Option<(f64, f64)>,
}

/// The rule of [`noise`] and [`decide`], in Chinese, for the line under a claims table.
pub const NOISE_RULE_ZH: &str = "模型在相同的 m 上比较：取一条结论所涉及的每个模型都运行过的最大 m。\
只有差别大于误差范围才算数：误差范围 = 所比较各点中较大的种子波动（各种子间的标准差）+ 测试集在其平均准确率 p 处的标准误 √(p(1−p)/n)（n 为测试集大小）。\
沿结论方向超出误差范围：成立；反方向超出误差范围：不成立；在误差范围之内：不显著。";

/// The rule of [`noise`] and [`decide`], in words, for the line under a claims table.
pub const NOISE_RULE: &str = "Models are compared at the same m: the largest at which every model a claim names ran. \
A difference counts only when it is larger than the noise: the larger seed spread (standard deviation over seeds) \
of the points compared plus the test set's standard error √(p(1−p)/n_test) at their mean accuracy p. \
Beyond it in the claim's direction: holds; beyond it the other way: does not hold; inside it: not shown.";

/// The noise of a comparison between `points` measured on a test set of `test_size` examples:
/// the largest seed spread among them plus the standard error √(p(1 − p)/n) of an accuracy p
/// (their mean) on that test set. With one seed the spread is 0 and only the standard error
/// remains.
pub fn noise(points: &[&Point], test_size: usize) -> f64 {
    if points.is_empty() {
        return 0.0;
    }
    let spread = points.iter().map(|p| p.std).fold(0.0, f64::max);
    let p = points.iter().map(|p| p.mean).sum::<f64>() / points.len() as f64;
    spread + (p * (1.0 - p) / test_size.max(1) as f64).sqrt()
}

/// The verdict on "the difference `diff` is positive", given its `noise`.
pub fn decide(diff: f64, noise: f64) -> Verdict {
    if diff > noise {
        Verdict::Holds
    } else if diff < -noise {
        Verdict::DoesNotHold
    } else {
        Verdict::NotShown
    }
}

fn pts(x: f64) -> String {
    format!("{:+.1} points", x * 100.0)
}

fn pts_zh(x: f64) -> String {
    format!("{:+.1} 个百分点", x * 100.0)
}

fn pct_zh(p: &Point) -> String {
    format!("{} {:.1}%", name(&p.model, Lang::Zh), p.mean * 100.0)
}

fn zh(s: &str) -> String {
    name(s, Lang::Zh)
}

fn pct(p: &Point) -> String {
    format!("{} {:.1}%", p.model, p.mean * 100.0)
}

impl LearningCurve {
    /// The sizes at which every one of `models` ran, ascending.
    pub fn common_sizes(&self, models: &[&str]) -> Vec<usize> {
        let points = self.points();
        self.sizes
            .iter()
            .copied()
            .filter(|&m| {
                models
                    .iter()
                    .all(|n| points.iter().any(|p| p.m == m && p.model == *n))
            })
            .collect()
    }

    /// The largest m at which every one of `models` ran.
    pub fn largest_common_m(&self, models: &[&str]) -> Option<usize> {
        self.common_sizes(models).last().copied()
    }

    /// Why the models among `models` that did not run at `m` were not run there.
    fn missing_at(&self, models: &[&str], m: usize) -> Vec<Text> {
        models
            .iter()
            .filter(|n| self.point(n, m).is_none())
            .map(|n| {
                let reason = self
                    .not_run()
                    .into_iter()
                    .find(|(model, size, _)| model == n && *size == m)
                    .map(|(_, _, r)| r)
                    .unwrap_or_else(|| Text::new("it has no result at this size", "在这个数据量上没有结果"));
                let shown = crate::text::thousands(m);
                Text::new(
                    format!("{n} did not run at m = {shown} ({})", reason.en),
                    format!("{} 没有在 m = {shown} 上运行（{}）", zh(n), reason.zh),
                )
            })
            .collect()
    }

    /// "Decided at m = …" and, when that is below the curve's largest m, which named models did
    /// not run there and why.
    fn decided_at(&self, models: &[&str], m: usize) -> Text {
        let top = self.sizes.last().copied().unwrap_or(m);
        if m == top {
            Text::same("")
        } else {
            let missing = self.missing_at(models, top);
            let en: Vec<&str> = missing.iter().map(|t| t.en.as_str()).collect();
            let zh: Vec<&str> = missing.iter().map(|t| t.zh.as_str()).collect();
            Text::new(
                format!(" Decided below the largest m: {}.", en.join("; ")),
                format!("在低于最大 m 处判定：{}。", zh.join("；")),
            )
        }
    }

    /// Sizes at which the two best models differ by no more than the noise (ordering unclear).
    pub fn unclear_sizes(&self) -> Vec<usize> {
        let points = self.points();
        self.sizes
            .iter()
            .copied()
            .filter(|&m| {
                let mut at: Vec<&Point> = points.iter().filter(|p| p.m == m).collect();
                at.sort_by(|a, b| b.mean.total_cmp(&a.mean));
                at.len() >= 2 && at[0].mean - at[1].mean <= noise(&at[..2], self.test_size)
            })
            .collect()
    }

    /// Checks the lesson's data-scale claims against this curve by the rule of [`NOISE_RULE`].
    /// `traditional` and `nets` name the models (nets from small to large); a name that is not
    /// one of the curve's models is an error.
    pub fn check_claims(&self, traditional: &[&str], nets: &[&str]) -> Result<Vec<Claim>> {
        self.check_names(traditional)?;
        self.check_names(nets)?;
        let mut claims = Vec::new();
        if let Some(large) = nets.last() {
            for t in traditional {
                claims.push(self.flattens(t, large));
            }
            if !traditional.is_empty() {
                claims.push(self.large_beats_traditional(traditional, large));
                if let Some(c) = self.practitioner(traditional, large) {
                    claims.push(c);
                }
                claims.extend(traditional.iter().map(|t| self.crossover(large, t)));
            }
        }
        if nets.len() >= 2 {
            claims.push(self.larger_is_higher(nets));
        }
        if let Some(&small_m) = self.sizes.first() {
            claims.push(self.unclear_at(small_m));
        }
        Ok(claims)
    }

    /// "`t` flattens": over the last step of m that at least doubles it (at sizes where both
    /// ran), its gain is smaller than the `large` model's, beyond the noise of the four points.
    pub fn flattens(&self, t: &str, large: &str) -> Claim {
        let claim = Text::new(
            format!("{t} flattens: over the last step of m that at least doubles it, it gains less than the {large}"),
            format!(
                "{}趋于平缓：在 m 最后一段至少翻倍的增长中，它的提升小于{}",
                zh(t),
                zh(large)
            ),
        );
        let both = self.common_sizes(&[t, large]);
        let hi = both.last().copied();
        let lo = hi.and_then(|hi| both.iter().rev().copied().find(|&m| m * 2 <= hi));
        let (Some(hi), Some(lo)) = (hi, lo) else {
            return Claim {
                task: self.task.clone(),
                claim,
                verdict: Verdict::NotTested {
                    reason: Text::new(
                        format!("{t} and the {large} did not both run at two sizes a doubling apart"),
                        format!("{}和{}没有在相差一倍的两个数据量上都运行", zh(t), zh(large)),
                    ),
                },
                m: None,
                evidence: Text::same(""),
                margin: None,
            };
        };
        let p = |n: &str, m: usize| self.point(n, m).expect("both ran at these sizes");
        let (t0, t1, n0, n1) = (p(t, lo), p(t, hi), p(large, lo), p(large, hi));
        let (gain_t, gain_n) = (t1.mean - t0.mean, n1.mean - n0.mean);
        let noise = noise(&[&t0, &t1, &n0, &n1], self.test_size);
        Claim {
            task: self.task.clone(),
            claim,
            verdict: decide(gain_n - gain_t, noise),
            margin: Some((gain_n - gain_t, noise)),
            m: Some(hi),
            evidence: Text::new(
                format!(
                    "from m = {lo} to {hi} (×{:.1}): {t} {}, {large} {}; difference {}, noise {:.1} points.",
                    hi as f64 / lo as f64,
                    pts(gain_t),
                    pts(gain_n),
                    pts(gain_n - gain_t),
                    noise * 100.0,
                    lo = crate::text::thousands(lo),
                    hi = crate::text::thousands(hi)
                ),
                format!(
                    "从 m = {lo} 到 {hi}（{:.1} 倍）：{} {}，{} {}；差 {}，误差范围 {:.1} 个百分点。",
                    hi as f64 / lo as f64,
                    zh(t),
                    pts_zh(gain_t),
                    zh(large),
                    pts_zh(gain_n),
                    pts_zh(gain_n - gain_t),
                    noise * 100.0,
                    lo = crate::text::thousands(lo),
                    hi = crate::text::thousands(hi)
                ),
            )
            .then(&self.decided_at(&[t, large], hi)),
        }
    }

    /// "The large net beats every traditional learner", at the largest m where all of them ran.
    fn large_beats_traditional(&self, traditional: &[&str], large: &str) -> Claim {
        let mut named: Vec<&str> = traditional.to_vec();
        named.push(large);
        let claim = Text::new(
            format!("with the most data, the {large} beats every traditional learner"),
            format!("数据最多时，{}胜过每一种传统算法", zh(large)),
        );
        let Some(m) = self.largest_common_m(&named) else {
            return self.not_tested(claim, &named);
        };
        let net = self.point(large, m).expect("ran at the common m");
        let rivals: Vec<Point> = traditional.iter().filter_map(|t| self.point(t, m)).collect();
        // the verdict against the strongest rival decides: beating it beyond the noise beats all
        let best = rivals
            .iter()
            .max_by(|a, b| a.mean.total_cmp(&b.mean))
            .expect("at least one traditional learner");
        let noise = noise(&[&net, best], self.test_size);
        Claim {
            task: self.task.clone(),
            claim,
            verdict: decide(net.mean - best.mean, noise),
            margin: Some((net.mean - best.mean, noise)),
            m: Some(m),
            evidence: Text::new(
                format!(
                    "at m = {m}: {}; best traditional {}; difference {}, noise {:.1} points.",
                    pct(&net),
                    pct(best),
                    pts(net.mean - best.mean),
                    noise * 100.0,
                    m = crate::text::thousands(m)
                ),
                format!(
                    "m = {m} 时：{}；最好的传统算法 {}；差 {}，误差范围 {:.1} 个百分点。",
                    pct_zh(&net),
                    pct_zh(best),
                    pts_zh(net.mean - best.mean),
                    noise * 100.0,
                    m = crate::text::thousands(m)
                ),
            )
            .then(&self.decided_at(&named, m)),
        }
    }

    /// "The larger the net the higher": each step up in size gains beyond the noise.
    fn larger_is_higher(&self, nets: &[&str]) -> Claim {
        let claim = Text::new(
            "with the most data, the larger the net the higher its accuracy",
            "数据最多时，网络越大准确率越高",
        );
        let Some(m) = self.largest_common_m(nets) else {
            return self.not_tested(claim, nets);
        };
        let at: Vec<Point> = nets.iter().filter_map(|n| self.point(n, m)).collect();
        let steps: Vec<(Verdict, String, String)> = at
            .windows(2)
            .map(|w| {
                let noise = noise(&[&w[0], &w[1]], self.test_size);
                let diff = w[1].mean - w[0].mean;
                (
                    decide(diff, noise),
                    format!(
                        "{} → {}: {} (noise {:.1})",
                        w[0].model,
                        w[1].model,
                        pts(diff),
                        noise * 100.0
                    ),
                    format!(
                        "{} → {}：{}（误差范围 {:.1}）",
                        zh(&w[0].model),
                        zh(&w[1].model),
                        pts_zh(diff),
                        noise * 100.0
                    ),
                )
            })
            .collect();
        let verdict = if steps.iter().any(|s| s.0 == Verdict::DoesNotHold) {
            Verdict::DoesNotHold
        } else if steps.iter().all(|s| s.0 == Verdict::Holds) {
            Verdict::Holds
        } else {
            Verdict::NotShown
        };
        Claim {
            task: self.task.clone(),
            claim,
            verdict,
            // several steps decide it; each step's margin is in the evidence
            margin: None,
            m: Some(m),
            evidence: Text::new(
                format!(
                    "at m = {m}: {}; {}.",
                    at.iter().map(pct).collect::<Vec<_>>().join(", "),
                    steps.iter().map(|s| s.1.as_str()).collect::<Vec<_>>().join("; "),
                    m = crate::text::thousands(m)
                ),
                format!(
                    "m = {m} 时：{}；{}。",
                    at.iter().map(pct_zh).collect::<Vec<_>>().join("，"),
                    steps.iter().map(|s| s.2.as_str()).collect::<Vec<_>>().join("；"),
                    m = crate::text::thousands(m)
                ),
            )
            .then(&self.decided_at(nets, m)),
        }
    }

    /// "At the smallest m the ordering is unclear": the two best models there are within the noise.
    fn unclear_at(&self, m: usize) -> Claim {
        let shown = crate::text::thousands(m);
        let claim = Text::new(
            format!("at the smallest m ({shown}) the ordering is unclear"),
            format!("在最小的 m（{shown}）处，模型的排序不明"),
        );
        let points = self.points();
        let mut at: Vec<&Point> = points.iter().filter(|p| p.m == m).collect();
        at.sort_by(|a, b| b.mean.total_cmp(&a.mean));
        if at.len() < 2 {
            return Claim {
                task: self.task.clone(),
                claim,
                verdict: Verdict::NotTested {
                    reason: Text::new(
                        format!(
                            "fewer than two models ran at m = {m}",
                            m = crate::text::thousands(m)
                        ),
                        format!("在 m = {m} 上运行的模型少于两个", m = crate::text::thousands(m)),
                    ),
                },
                m: None,
                evidence: Text::same(""),
                margin: None,
            };
        }
        let noise = noise(&at[..2], self.test_size);
        let gap = at[0].mean - at[1].mean;
        let one_seed = at.iter().any(|p| p.seeds < 2);
        Claim {
            task: self.task.clone(),
            claim,
            // unclear means: the best does not lead the runner-up beyond the noise
            verdict: if gap <= noise {
                Verdict::Holds
            } else {
                Verdict::DoesNotHold
            },
            margin: Some((gap, noise)),
            m: Some(m),
            evidence: Text::new(
                format!(
                    "{}; the best leads the runner-up by {} (noise {:.1} points){}",
                    at.iter()
                        .map(|p| format!("{} {:.1} ± {:.1}%", p.model, p.mean * 100.0, p.std * 100.0))
                        .collect::<Vec<_>>()
                        .join(", "),
                    pts(gap),
                    noise * 100.0,
                    if one_seed {
                        "; one seed only, so the noise is the test set's standard error alone"
                    } else {
                        ""
                    }
                ),
                format!(
                    "{}；最好的领先第二名 {}（误差范围 {:.1} 个百分点）{}",
                    at.iter()
                        .map(|p| format!("{} {:.1} ± {:.1}%", zh(&p.model), p.mean * 100.0, p.std * 100.0))
                        .collect::<Vec<_>>()
                        .join("，"),
                    pts_zh(gap),
                    noise * 100.0,
                    if one_seed {
                        "；只有一个种子，所以误差范围只是测试集的标准误"
                    } else {
                        ""
                    }
                ),
            ),
        }
    }

    fn not_tested(&self, claim: Text, named: &[&str]) -> Claim {
        let top = self.sizes.last().copied().unwrap_or(0);
        let missing = self.missing_at(named, top);
        let en: Vec<&str> = missing.iter().map(|t| t.en.as_str()).collect();
        let zh: Vec<&str> = missing.iter().map(|t| t.zh.as_str()).collect();
        Claim {
            task: self.task.clone(),
            claim,
            verdict: Verdict::NotTested {
                reason: Text::new(
                    format!("no size at which all of them ran; {}", en.join("; ")),
                    format!("没有一个数据量让它们全部运行；{}", zh.join("；")),
                ),
            },
            m: None,
            evidence: Text::same(""),
            margin: None,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
