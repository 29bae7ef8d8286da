//! The claims that follow a curve past where a learner stopped: the practitioner's claim (the
//! large net with all the data against what each traditional learner reached at its own largest
//! m), why a learner stopped, and where a net passes a rival for good.

use super::*;

impl LearningCurve {
    /// The practitioner's claim, which compares sizes on purpose: "with all the data, the large
    /// net beats what each traditional learner reached at the largest m it could be trained at
    /// on this machine". Only when some traditional learner stopped below the net's largest m
    /// (otherwise the equal-m claim says the same); the net at its largest m against the best of
    /// the traditional learners' last points, by the same noise rule; the evidence names each
    /// learner's last size and why it went no further.
    pub fn practitioner(&self, traditional: &[&str], large: &str) -> Option<Claim> {
        let net = self.last_point(large)?;
        let lasts: Vec<Point> = traditional.iter().filter_map(|t| self.last_point(t)).collect();
        if lasts.is_empty() || lasts.iter().all(|p| p.m >= net.m) {
            return None;
        }
        let claim = Text::new(
            format!("with all the data, the {large} beats what each traditional learner reached at the largest m it could be trained at here"),
            format!("用上全部数据时，{}胜过每一种传统算法在本机能训练的最大 m 上达到的准确率", zh(large)),
        );
        let best = lasts
            .iter()
            .max_by(|a, b| a.mean.total_cmp(&b.mean))
            .expect("not empty");
        let noise = noise(&[&net, best], self.test_size);
        let stops: Vec<Text> = lasts.iter().map(|p| self.stopped_at(&p.model, p.m)).collect();
        let en: Vec<&str> = stops.iter().map(|t| t.en.as_str()).collect();
        let zhs: Vec<&str> = stops.iter().map(|t| t.zh.as_str()).collect();
        Some(Claim {
            task: self.task.clone(),
            claim,
            verdict: decide(net.mean - best.mean, noise),
            margin: Some((net.mean - best.mean, noise)),
            m: Some(net.m),
            evidence: Text::new(
                format!(
                    "{} at m = {}; best traditional {} at m = {}; difference {}, noise {:.1} points. {}.",
                    pct(&net),
                    crate::text::thousands(net.m),
                    pct(best),
                    crate::text::thousands(best.m),
                    pts(net.mean - best.mean),
                    noise * 100.0,
                    en.join("; "),
                ),
                format!(
                    "{}（m = {}）；最好的传统算法 {}（m = {}）；差 {}，误差范围 {:.1} 个百分点。{}。",
                    pct_zh(&net),
                    crate::text::thousands(net.m),
                    pct_zh(best),
                    crate::text::thousands(best.m),
                    pts_zh(net.mean - best.mean),
                    noise * 100.0,
                    zhs.join("；"),
                ),
            ),
        })
    }

    /// "`model` stops at m = `last` (why)": the reason it was not run at the next size, or that it
    /// ran up to `last` when it has none.
    pub fn stopped_at(&self, model: &str, last: usize) -> Text {
        let next = self.sizes.iter().copied().find(|&m| m > last);
        let why = next.and_then(|m| {
            self.not_run()
                .into_iter()
                .find(|(n, size, _)| n == model && *size == m)
                .map(|(_, _, r)| r)
        });
        let last = crate::text::thousands(last);
        match why {
            Some(r) => Text::new(
                format!("{model} stops at m = {last} ({})", r.en),
                format!("{}止步于 m = {last}（{}）", zh(model), r.zh),
            ),
            None => Text::new(
                format!("{model} ran up to m = {last}"),
                format!("{}运行到 m = {last}", zh(model)),
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
        let claim = Text::new(
            format!("the {net} passes {rival} as m grows"),
            format!("随着 m 增大，{}超过{}", zh(net), zh(rival)),
        );
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
            margin: Some((n.mean - r.mean, noise_top)),
            m: Some(n.m),
            evidence: Text::new(
                format!(
                    "at m = {}: {}, {}; difference {}, noise {:.1} points; {}.",
                    crate::text::thousands(n.m),
                    pct(&n),
                    pct(&r),
                    pts(n.mean - r.mean),
                    noise_top * 100.0,
                    match from {
                        Some(m) => format!(
                            "it leads beyond the noise from m = {} on",
                            crate::text::thousands(m)
                        ),
                        None => "it does not lead beyond the noise at the largest m".into(),
                    },
                ),
                format!(
                    "m = {} 时：{}，{}；差 {}，误差范围 {:.1} 个百分点；{}。",
                    crate::text::thousands(n.m),
                    pct_zh(&n),
                    pct_zh(&r),
                    pts_zh(n.mean - r.mean),
                    noise_top * 100.0,
                    match from {
                        Some(m) => format!("从 m = {} 起领先幅度超出误差范围", crate::text::thousands(m)),
                        None => "在最大的 m 处领先幅度没有超出误差范围".into(),
                    },
                ),
            )
            .then(&self.decided_at(&[net, rival], n.m)),
        }
    }
}
