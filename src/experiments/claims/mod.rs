//! The lesson's data-scale claims, decided on a measured learning curve by rules that can fail.
//!
//! Every claim compares the models it names **at the same m**: the largest size at which all of
//! them ran. A difference counts only beyond the noise ([`noise`]): the larger seed spread of the
//! points compared plus the test set's standard error. Each claim ends in one of the verdicts of
//! [`Verdict`]; "does not hold" and "not shown" are results too.

use super::{LearningCurve, Point};
use crate::error::Result;

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
    NotTested { reason: String },
}

impl Verdict {
    /// The verdict in words, as the claims table prints it.
    pub fn label(&self) -> String {
        match self {
            Verdict::Holds => "holds".into(),
            Verdict::DoesNotHold => "does not hold".into(),
            Verdict::NotShown => "not shown (inside the noise)".into(),
            Verdict::NotTested { reason } => format!("not tested: {reason}"),
        }
    }
}

/// A claim of the lesson, checked on a measured curve.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    /// The task the curve was run on (a claims table may gather several).
    pub task: String,
    pub claim: String,
    pub verdict: Verdict,
    /// The size the claim was decided at (None when it could not be tested).
    pub m: Option<usize>,
    pub evidence: String,
}

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

fn pct(p: &Point) -> String {
    format!("{} {:.1} %", p.model, p.mean * 100.0)
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
    fn missing_at(&self, models: &[&str], m: usize) -> Vec<String> {
        models
            .iter()
            .filter(|n| self.point(n, m).is_none())
            .map(|n| {
                let reason = self
                    .not_run()
                    .into_iter()
                    .find(|(model, size, _)| model == n && *size == m)
                    .map(|(_, _, r)| r)
                    .unwrap_or_else(|| "it has no result at this size".into());
                format!("{n} did not run at m = {m} ({reason})")
            })
            .collect()
    }

    /// "Decided at m = …" and, when that is below the curve's largest m, which named models did
    /// not run there and why.
    fn decided_at(&self, models: &[&str], m: usize) -> String {
        let top = self.sizes.last().copied().unwrap_or(m);
        if m == top {
            String::new()
        } else {
            format!(
                " Decided below the largest m: {}.",
                self.missing_at(models, top).join("; ")
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

    /// "`t` flattens": over the last doubling of m (at sizes where both ran), its gain is smaller
    /// than the large net's, beyond the noise of the four points.
    fn flattens(&self, t: &str, large: &str) -> Claim {
        let claim = format!("{t} flattens: over the last doubling of m it gains less than the {large}");
        let both = self.common_sizes(&[t, large]);
        let hi = both.last().copied();
        let lo = hi.and_then(|hi| both.iter().rev().copied().find(|&m| m * 2 <= hi));
        let (Some(hi), Some(lo)) = (hi, lo) else {
            return Claim {
                task: self.task.clone(),
                claim,
                verdict: Verdict::NotTested {
                    reason: format!("{t} and the {large} did not both run at two sizes a doubling apart"),
                },
                m: None,
                evidence: String::new(),
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
            m: Some(hi),
            evidence: format!(
                "from m = {lo} to {hi}: {t} {}, {large} {}; difference {}, noise {:.1} points.{}",
                pts(gain_t),
                pts(gain_n),
                pts(gain_n - gain_t),
                noise * 100.0,
                self.decided_at(&[t, large], hi)
            ),
        }
    }

    /// "The large net beats every traditional learner", at the largest m where all of them ran.
    fn large_beats_traditional(&self, traditional: &[&str], large: &str) -> Claim {
        let mut named: Vec<&str> = traditional.to_vec();
        named.push(large);
        let claim = format!("with the most data, the {large} beats every traditional learner");
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
            m: Some(m),
            evidence: format!(
                "at m = {m}: {}; best traditional {}; difference {}, noise {:.1} points.{}",
                pct(&net),
                pct(best),
                pts(net.mean - best.mean),
                noise * 100.0,
                self.decided_at(&named, m)
            ),
        }
    }

    /// Claims about one more network (a convolutional net on images, say): that with the most
    /// data it beats every traditional learner, and where it passes each of them ([`Self::crossover`]).
    pub fn net_claims(&self, traditional: &[&str], net: &str) -> Result<Vec<Claim>> {
        self.check_names(traditional)?;
        self.check_names(&[net])?;
        let mut claims = vec![self.large_beats_traditional(traditional, net)];
        claims.extend(traditional.iter().map(|t| self.crossover(net, t)));
        Ok(claims)
    }

    /// "`net` passes `rival` as m grows": at the largest m where both ran, `net` leads beyond the
    /// noise; the evidence names the smallest m from which it leads beyond the noise at every
    /// larger size where both ran.
    pub fn crossover(&self, net: &str, rival: &str) -> Claim {
        let claim = format!("the {net} passes {rival} as m grows");
        let both: Vec<(Point, Point)> = self
            .sizes
            .iter()
            .filter_map(|&m| Some((self.point(net, m)?, self.point(rival, m)?)))
            .collect();
        let Some((n, r)) = both.last().cloned() else {
            return self.not_tested(claim, &[net, rival]);
        };
        let leads = |(a, b): &(Point, Point)| a.mean - b.mean > noise(&[a, b], self.test_size);
        let from = both
            .iter()
            .rposition(|p| !leads(p))
            .map_or(Some(0), |i| (i + 1 < both.len()).then_some(i + 1))
            .map(|i| both[i].0.m);
        let noise_top = noise(&[&n, &r], self.test_size);
        Claim {
            task: self.task.clone(),
            claim,
            verdict: decide(n.mean - r.mean, noise_top),
            m: Some(n.m),
            evidence: format!(
                "at m = {}: {}, {}; difference {}, noise {:.1} points; {}.{}",
                n.m,
                pct(&n),
                pct(&r),
                pts(n.mean - r.mean),
                noise_top * 100.0,
                match from {
                    Some(m) => format!("it leads beyond the noise from m = {m} on"),
                    None => "it does not lead beyond the noise at the largest m".into(),
                },
                self.decided_at(&[net, rival], n.m)
            ),
        }
    }

    /// "The larger the net the higher": each step up in size gains beyond the noise.
    fn larger_is_higher(&self, nets: &[&str]) -> Claim {
        let claim = "with the most data, the larger the net the higher its accuracy".to_string();
        let Some(m) = self.largest_common_m(nets) else {
            return self.not_tested(claim, nets);
        };
        let at: Vec<Point> = nets.iter().filter_map(|n| self.point(n, m)).collect();
        let steps: Vec<(Verdict, String)> = at
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
            m: Some(m),
            evidence: format!(
                "at m = {m}: {}; {}.{}",
                at.iter().map(pct).collect::<Vec<_>>().join(", "),
                steps.into_iter().map(|s| s.1).collect::<Vec<_>>().join("; "),
                self.decided_at(nets, m)
            ),
        }
    }

    /// "At the smallest m the ordering is unclear": the two best models there are within the noise.
    fn unclear_at(&self, m: usize) -> Claim {
        let claim = format!("at the smallest m ({m}) the ordering is unclear");
        let points = self.points();
        let mut at: Vec<&Point> = points.iter().filter(|p| p.m == m).collect();
        at.sort_by(|a, b| b.mean.total_cmp(&a.mean));
        if at.len() < 2 {
            return Claim {
                task: self.task.clone(),
                claim,
                verdict: Verdict::NotTested {
                    reason: format!("fewer than two models ran at m = {m}"),
                },
                m: None,
                evidence: String::new(),
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
            m: Some(m),
            evidence: format!(
                "{}; the best leads the runner-up by {} (noise {:.1} points){}",
                at.iter()
                    .map(|p| format!("{} {:.1} ± {:.1} %", p.model, p.mean * 100.0, p.std * 100.0))
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
        }
    }

    fn not_tested(&self, claim: String, named: &[&str]) -> Claim {
        let top = self.sizes.last().copied().unwrap_or(0);
        Claim {
            task: self.task.clone(),
            claim,
            verdict: Verdict::NotTested {
                reason: format!(
                    "no size at which all of them ran; {}",
                    self.missing_at(named, top).join("; ")
                ),
            },
            m: None,
            evidence: String::new(),
        }
    }
}

#[cfg(test)]
mod tests;
