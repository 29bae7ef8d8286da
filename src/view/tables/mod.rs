//! Tables for the notebooks: the typed results of the experiments and the lesson, as HTML.
//! Each result type gets `to_html` and `evcxr_display` here, so a cell that ends with the value
//! shows the table, and the numbers stay reusable.

use crate::experiments::claims::NOISE_RULE_ZH;
use crate::experiments::hardware::ThreadScaling;
use crate::experiments::search::SEARCH_RULE_ZH;
use crate::experiments::{BestOfEach, Claim, LearningCurve, Search, NOISE_RULE, SEARCH_RULE};
use crate::lang::{name, Lang};
use crate::lesson::compute::{human_in, AlexNetHere, ExperimentsPerHour, Growth, LoopTurn};
use crate::lesson::takeaways::{Findings, SuccessFormula};
use crate::view::display::{escape, per_language, ratio, Html, Table};

mod compute;
pub use compute::growth_table;

/// `to_html` shown as a cell's output.
macro_rules! shown_as_html {
    ($($t:ty),*) => {$(
        impl $t {
            /// Called by evcxr when a cell ends with this value: shows [`Self::to_html`].
            pub fn evcxr_display(&self) {
                Html(self.to_html()).evcxr_display();
            }
        }
    )*};
}

shown_as_html!(
    BestOfEach,
    ThreadScaling,
    ExperimentsPerHour,
    SuccessFormula,
    AlexNetHere,
    LoopTurn
);

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

fn points(l: Lang, x: f64) -> String {
    match l {
        Lang::En => format!("{x:+.1} points"),
        Lang::Zh => format!("{x:+.1} 个百分点"),
    }
}

impl BestOfEach {
    /// The table: m, the best on engineered features, the best on raw inputs, the difference.
    pub fn to_html(&self) -> String {
        per_language(|l| {
            let mut t = Table::new(&[
                "m",
                l.pick("best on engineered features", "使用人工特征的最好模型"),
                l.pick("best on raw pixels", "使用原始像素的最好模型"),
                l.pick("difference (test set)", "差别（测试集）"),
            ]);
            for (m, e, r) in &self.rows {
                t.push(vec![
                    crate::text::thousands(*m),
                    format!("{} {}", name(&e.model, l), pct(e.mean)),
                    format!("{} {}", name(&r.model, l), pct(r.mean)),
                    points(l, (e.mean - r.mean) * 100.0),
                ]);
            }
            let note = l.pick(
                "Each side's entry is the model with the highest accuracy on validation images (held out from every fit, never the test set); the percentages and the difference are on the test set.",
                "每一边列出的是在验证图像（不参与任何训练，也绝不是测试集）上准确率最高的模型；表中的百分比和差别都是测试集上的结果。",
            );
            format!("{}<p>{note}</p>", t.to_html())
        })
    }
}

/// The badge class of a verdict, as the pages style it: `holds`, `fails`, `unclear`, `untested`.
pub fn verdict_class(v: &crate::experiments::Verdict) -> &'static str {
    use crate::experiments::Verdict;
    match v {
        Verdict::Holds => "holds",
        Verdict::DoesNotHold => "fails",
        Verdict::NotShown => "unclear",
        Verdict::NotTested { .. } => "untested",
    }
}

/// A claims table as a cell shows it: the HTML (each verdict in its badge, the noise rule under
/// the table, one block per chosen language) and the same claims as data (both languages, the
/// verdict's class, *m*, the margin and its noise), which the static pages' index reads.
#[derive(Clone, Debug)]
pub struct ClaimsTable {
    pub html: String,
    pub data: serde_json::Value,
}

/// The MIME type of a claims table's data part.
pub const CLAIMS_MIME: &str = "application/vnd.takeoff.claims+json";

impl ClaimsTable {
    /// Called by evcxr when a cell ends with a claims table: the data part and the HTML.
    pub fn evcxr_display(&self) {
        println!(
            "EVCXR_BEGIN_CONTENT {CLAIMS_MIME}\n{}\nEVCXR_END_CONTENT\nEVCXR_BEGIN_CONTENT text/html\n{}\nEVCXR_END_CONTENT",
            self.data, self.html
        );
    }
}

/// Claims as an HTML table (for a notebook cell), with the noise rule under it, in each chosen
/// language, and as data for the pages ([`ClaimsTable`]).
pub fn claims_table(claims: &[Claim]) -> ClaimsTable {
    let set = |text: &str, l: Lang| match l {
        Lang::Zh => crate::lang::spaced(text),
        Lang::En => text.to_string(),
    };
    let decided = |c: &Claim| {
        c.m.map_or("—".into(), |m| format!("m = {}", crate::text::thousands(m)))
    };
    let html = per_language(|l| {
        let mut t = Table::new(&[
            l.pick("claim of the lesson", "课程中的结论"),
            l.pick("on this run", "本次运行"),
            l.pick("decided at", "判定位置"),
            l.pick("task", "任务"),
            l.pick("measured", "测量结果"),
        ]);
        for c in claims {
            t.push(vec![
                set(c.claim.get(l), l),
                c.verdict.label_in(l),
                decided(c),
                name(&c.task, l),
                set(c.evidence.get(l), l),
            ]);
        }
        let badges: Vec<&str> = claims.iter().map(|c| verdict_class(&c.verdict)).collect();
        format!(
            "{}<p><em>{}</em> {}</p>",
            t.to_html_with_badges(1, &badges),
            l.pick("Rule:", "判定规则："),
            escape(l.pick(NOISE_RULE, NOISE_RULE_ZH))
        )
    });
    let both = |f: &dyn Fn(Lang) -> String| serde_json::json!({"en": f(Lang::En), "zh": f(Lang::Zh)});
    let rows: Vec<serde_json::Value> = claims
        .iter()
        .map(|c| {
            serde_json::json!({
                "claim": both(&|l| set(c.claim.get(l), l)),
                "verdict": both(&|l| c.verdict.label_in(l)),
                "class": verdict_class(&c.verdict),
                "decided_at": both(&|_| decided(c)),
                "task": both(&|l| name(&c.task, l)),
                "m": c.m,
                "margin": c.margin.map(|m| m.0),
                "noise": c.margin.map(|m| m.1),
            })
        })
        .collect();
    ClaimsTable {
        html,
        data: serde_json::json!({ "claims": rows }),
    }
}

impl Search {
    /// The search as an HTML table (candidate, validation accuracy, fit time, the pick) and a
    /// sentence saying whether the pick is the crate's default.
    pub fn table(&self) -> Html {
        Html(per_language(|l| self.table_in(l)))
    }

    fn table_in(&self, l: Lang) -> String {
        let points = self.curve.points();
        let seeds = points.iter().map(|p| p.seeds).max().unwrap_or(1);
        let accuracy_header = if seeds > 1 {
            l.pick(
                "validation accuracy (mean over the seeds, their range)",
                "验证集准确率（各种子的平均值，括号内为范围）",
            )
        } else {
            l.pick("validation accuracy", "验证集准确率")
        };
        let mut t = Table::new(&[
            l.pick("candidate", "候选"),
            accuracy_header,
            l.pick("fit time", "训练用时"),
            l.pick("picked", "选中"),
        ]);
        for p in &points {
            // over several seeds, the mean and the seeds' range, so that a reader sees whether the
            // pick's lead is larger than what separates two seeds
            let accuracy = if p.seeds > 1 {
                let (mean, min, max) = (p.mean * 100.0, p.min * 100.0, p.max * 100.0);
                match l {
                    Lang::En => format!("{mean:.1}% ({min:.1}–{max:.1})"),
                    Lang::Zh => format!("{mean:.1}%（{min:.1}–{max:.1}）"),
                }
            } else {
                format!("{:.1}%", p.mean * 100.0)
            };
            t.push(vec![
                name(&p.model, l),
                accuracy,
                format!("{:.1} {}", p.seconds_mean, l.pick("s", "秒")),
                if p.model == self.chosen.model { "←" } else { "" }.into(),
            ]);
        }
        for (model, _, why) in self.curve.not_run() {
            t.push(vec![
                name(&model, l),
                l.pick("not run", "未运行").into(),
                why.get(l).to_string(),
                String::new(),
            ]);
        }
        let rule = escape(l.pick(SEARCH_RULE, SEARCH_RULE_ZH));
        let chosen = escape(&name(&self.chosen.model, l));
        let verdict = if self.default_matches() {
            match l {
                Lang::En => format!("The search picks {chosen}, {rule}: the crate's default."),
                Lang::Zh => format!("搜索选中 {chosen}（规则：{rule}），与本库的默认值相同。"),
            }
        } else {
            let default = match &self.default_point {
                Some(d) => {
                    let (dm, acc, diff, secs) = (
                        escape(&name(&d.model, l)),
                        d.mean * 100.0,
                        (d.mean - self.chosen.mean) * 100.0,
                        d.seconds_mean,
                    );
                    match l {
                        Lang::En => format!(
                            " (the default, {dm}, scores {acc:.1}%, {diff:+.1} points against the pick, in {secs:.1} s)"
                        ),
                        Lang::Zh => format!(
                            "（默认值 {dm} 得 {acc:.1}%，与选中值相差 {diff:+.1} 个百分点，用时 {secs:.1} 秒）"
                        ),
                    }
                }
                None => String::new(),
            };
            match l {
                Lang::En => format!(
                    "The search picks {chosen}, {rule}, which is <b>not</b> the crate's default{default}."
                ),
                Lang::Zh => format!("搜索选中 {chosen}（规则：{rule}），<b>不是</b>本库的默认值{default}。"),
            }
        };
        let grown = if self.grown.is_empty() {
            String::new()
        } else {
            let added: Vec<String> = self
                .grown
                .iter()
                .map(|(axis, v)| format!("{} = {v}", axis_name(axis, l)))
                .collect();
            let sep = l.pick(", ", "、");
            escape(&match l {
                Lang::En => format!(
                    " The pick sat on an edge of the starting grid, so the grid grew past it: {} added.",
                    added.join(sep)
                ),
                Lang::Zh => format!(
                    "选中值落在初始网格的边缘，因此网格向外扩展：加入了 {}。",
                    added.join(sep)
                ),
            })
        };
        let edge = if self.on_edge.is_empty() {
            String::new()
        } else {
            let axes: Vec<&str> = self.on_edge.iter().map(|a| axis_name(a, l)).collect();
            let axes = axes.join(l.pick(", ", "、"));
            escape(&match l {
                Lang::En => format!(" The pick is still on the edge of {axes}, as far as the grid may grow: a better setting may lie beyond."),
                Lang::Zh => format!("扩展到允许的范围后，选中值仍在 {axes} 的边缘：更好的设置可能在范围之外。"),
            })
        };
        format!("{}<p>{verdict}{grown}{edge}</p>", t.to_html())
    }
}

/// A search grid's axis in the reader's language.
fn axis_name(axis: &str, l: Lang) -> &str {
    match (axis, l) {
        ("learning rate", Lang::Zh) => "学习率",
        ("iterations", Lang::Zh) => "迭代次数",
        _ => axis,
    }
}

/// How long each net of `curve` trained, size by size: the epochs it ran and the epoch whose
/// weights it kept (means over the seeds), and how many of its runs stopped at the cap on
/// epochs instead of for lack of improvement.
pub fn training(curve: &LearningCurve) -> Html {
    use crate::experiments::{Outcome, Training};
    use crate::models::train::Stop;
    Html(per_language(|l| {
        let mut head = vec![l.pick("model", "模型").to_string()];
        head.extend(
            curve
                .sizes
                .iter()
                .map(|m| format!("m = {m}", m = crate::text::thousands(*m))),
        );
        let head: Vec<&str> = head.iter().map(|s| s.as_str()).collect();
        let mut t = Table::new(&head);
        let mut capped = 0;
        for model in &curve.models {
            let mut row = vec![name(model, l)];
            let mut any = false;
            for &m in &curve.sizes {
                let runs: Vec<Training> = curve
                    .runs
                    .iter()
                    .filter(|r| &r.model == model && r.m == m)
                    .filter_map(|r| match &r.outcome {
                        Outcome::Ran(s) => s.training,
                        _ => None,
                    })
                    .collect();
                if runs.is_empty() {
                    row.push("–".into());
                    continue;
                }
                any = true;
                let n = runs.len() as f64;
                let ran = runs.iter().map(|r| r.epochs as f64).sum::<f64>() / n;
                let kept = runs.iter().map(|r| r.kept_epoch as f64).sum::<f64>() / n;
                let caps = runs.iter().filter(|r| r.stop == Stop::Cap).count();
                capped += caps;
                row.push(format!(
                    "{kept:.0} / {ran:.0}{}",
                    if caps > 0 { " ⚑" } else { "" }
                ));
            }
            if any {
                t.push(row);
            }
        }
        let note = match l {
            Lang::En => format!(
                "Each cell: the epoch whose weights were kept / the epochs run (means over the seeds). ⚑: a run stopped at the cap on epochs, still improving ({capped} runs)."
            ),
            Lang::Zh => format!(
                "每格：保留其权重的那一轮 / 实际训练的轮数（各种子的平均）。⚑：有训练在轮数上限处停止、仍在提高（{capped} 次）。"
            ),
        };
        format!("{}<p>{}</p>", t.to_html(), escape(&note))
    }))
}

impl crate::lesson::data_scale::NetSearches {
    /// Each net's search as a table under the net's name, with the rule and the pick.
    pub fn to_html(&self) -> String {
        per_language(|l| {
            self.searches
                .iter()
                .map(|(net, search)| format!("<h4>{}</h4>{}", escape(&name(net, l)), search.table_in(l)))
                .collect()
        })
    }

    /// Called by evcxr when a cell ends with the searches.
    pub fn evcxr_display(&self) {
        Html(self.to_html()).evcxr_display();
    }
}

impl SuccessFormula {
    /// The table: each term, what was measured, where it comes from.
    pub fn to_html(&self) -> String {
        per_language(|l| self.table_in(l))
    }

    fn table_in(&self, l: Lang) -> String {
        let mut t = Table::new(&[
            l.pick("term", "要素"),
            l.pick("measured", "测量结果"),
            l.pick("from", "来源"),
        ]);
        let d = &self.data_times_model;
        let (gain_s, gain_l) = d.gains();
        let (small, large) = (name(&d.small.0.model, l), name(&d.large.0.model, l));
        let (s0, s1, l0, l1) = (
            pct(d.small.0.mean),
            pct(d.small.1.mean),
            pct(d.large.0.mean),
            pct(d.large.1.mean),
        );
        let (m0, m1) = (d.small.0.m, d.small.1.m);
        let (gs, gl, diff, noise) = (
            points(l, gain_s * 100.0),
            points(l, gain_l * 100.0),
            (gain_l - gain_s) * 100.0,
            d.noise * 100.0,
        );
        let verdict = d.verdict.label_in(l);
        t.push(vec![
            l.pick("big data × big model", "大数据 × 大模型").into(),
            match l {
                Lang::En => format!(
                    "{small}: {s0} at m = {m0}, {s1} at m = {m1} ({gs}); {large}: {l0} → {l1} ({gl}). Data helps the big model more: {verdict} (difference {diff:+.1} points, noise {noise:.1})", m0 = crate::text::thousands(m0), m1 = crate::text::thousands(m1)),
                Lang::Zh => format!(
                    "{small}：m = {m0} 时 {s0}，m = {m1} 时 {s1}（{gs}）；{large}：{l0} → {l1}（{gl}）。数据对大模型帮助更大：{verdict}（差 {diff:+.1} 个百分点，误差范围 {noise:.1} 个百分点）", m0 = crate::text::thousands(m0), m1 = crate::text::thousands(m1)),
            },
            name(&d.task, l),
        ]);
        let budgets: Vec<String> = self
            .compute
            .iter()
            .map(|b| {
                let within = match (b.limit_seconds.is_finite(), l) {
                    (true, Lang::En) => format!("fits of at most {:.0} s", b.limit_seconds),
                    (true, Lang::Zh) => format!("每次训练不超过 {:.0} 秒", b.limit_seconds),
                    (false, _) => l.pick("any fit", "不限用时").into(),
                };
                let (acc, model, m) = (
                    pct(b.best.mean),
                    name(&b.best.model, l),
                    crate::text::thousands(b.best.m),
                );
                match l {
                    Lang::En => format!("{within}: {acc} ({model}, m = {m})"),
                    Lang::Zh => format!("{within}：{acc}（{model}，m = {m}）"),
                }
            })
            .collect();
        t.push(vec![
            l.pick("compute", "算力").into(),
            match l {
                Lang::En => format!(
                    "best test accuracy bought by {} (this machine)",
                    budgets.join("; ")
                ),
                Lang::Zh => format!("各预算能换来的最好测试准确率：{}（本机）", budgets.join("；")),
            },
            name(&d.task, l),
        ]);
        let a = &self.algorithms;
        let lanes: Vec<String> = a
            .steps
            .iter()
            .map(|(act, steps)| {
                let s = match (steps, l) {
                    (None, _) => l.pick("not reached", "未达到").to_string(),
                    (Some(s), Lang::En) => format!("{s:.0} steps"),
                    (Some(s), Lang::Zh) => format!("{s:.0} 步"),
                };
                format!("{} {s}", act.name())
            })
            .collect();
        let (target, seeds) = (a.target_error * 100.0, a.seeds);
        t.push(vec![
            l.pick("good algorithms", "好的算法").into(),
            match l {
                Lang::En => format!(
                    "to {target:.0}% training error, each activation at its own searched learning rate, mean of {seeds} seeds: {}",
                    lanes.join(", ")
                ),
                Lang::Zh => format!(
                    "降到 {target:.0}% 训练误差，每种激活函数用各自搜索出的学习率，{seeds} 个种子的均值：{}",
                    lanes.join("，")
                ),
            },
            a.source.get(l).to_string(),
        ]);
        t.to_html()
    }
}

/// The MIME type of the findings' data part.
pub const FINDINGS_MIME: &str = "application/vnd.takeoff.findings+json";

impl Findings {
    /// Called by evcxr when a cell ends with the findings: their data part (the paragraphs in
    /// both languages, which the static pages' index opens with) and the HTML.
    pub fn evcxr_display(&self) {
        println!(
            "EVCXR_BEGIN_CONTENT {FINDINGS_MIME}\n{}\nEVCXR_END_CONTENT\nEVCXR_BEGIN_CONTENT text/html\n{}\nEVCXR_END_CONTENT",
            self.to_json(),
            self.to_html()
        );
    }

    /// The paragraphs as data: `{"en": [...], "zh": [...]}`.
    pub fn to_json(&self) -> serde_json::Value {
        let all = |l: Lang| -> Vec<String> { self.paragraphs.iter().map(|p| p.get(l).to_string()).collect() };
        serde_json::json!({"en": all(Lang::En), "zh": all(Lang::Zh)})
    }

    /// The paragraphs in a `takeoff-findings` block per language.
    pub fn to_html(&self) -> String {
        per_language(|l| {
            let ps: String = self
                .paragraphs
                .iter()
                .map(|p| format!("<p>{}</p>", escape(p.get(l))))
                .collect();
            format!("<div class=\"takeoff-findings\">{ps}</div>")
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::experiments::{Claim, Verdict};
    use crate::lang::{with_languages, Lang, Text};

    fn claim(verdict: Verdict, m: Option<usize>, margin: Option<(f64, f64)>) -> Claim {
        Claim {
            task: "teacher task".into(),
            claim: Text::new("large NN beats RBF SVM", "大型神经网络胜过 RBF SVM"),
            verdict,
            m,
            evidence: Text::same("x"),
            margin,
        }
    }

    /// The claims table carries its claims as data beside the HTML (what the pages' index reads),
    /// and each verdict's badge in the HTML, in both languages.
    #[test]
    fn a_claims_table_carries_its_claims_as_data() {
        let claims = [
            claim(Verdict::Holds, Some(77_339), Some((0.031, 0.004))),
            claim(
                Verdict::NotTested {
                    reason: Text::new("no run", "未运行"),
                },
                None,
                None,
            ),
        ];
        let t = with_languages(&Lang::ALL, || super::claims_table(&claims));
        let rows = t.data["claims"].as_array().unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["class"], "holds");
        assert_eq!(rows[0]["m"], 77_339);
        assert_eq!(rows[0]["margin"], 0.031);
        assert_eq!(rows[0]["noise"], 0.004);
        assert_eq!(rows[0]["decided_at"]["en"], "m = 77,339");
        assert_eq!(rows[0]["task"]["zh"], "教师网络任务");
        assert_eq!(rows[0]["verdict"]["zh"], "成立");
        assert_eq!(rows[1]["class"], "untested");
        assert!(rows[1]["m"].is_null() && rows[1]["margin"].is_null());
        assert_eq!(rows[1]["verdict"]["en"], "not tested: no run");
        assert!(
            t.html
                .contains("<span class=\"takeoff-badge holds\">holds</span>"),
            "{}",
            t.html
        );
        assert!(
            t.html.contains("<span class=\"takeoff-badge holds\">成立</span>"),
            "{}",
            t.html
        );
        assert!(t.html.contains("takeoff-badge untested"));
    }

    /// The findings carry their paragraphs as data in both languages.
    #[test]
    fn findings_carry_their_paragraphs_as_data() {
        let f = crate::lesson::takeaways::Findings {
            paragraphs: vec![Text::new("3 of 5 hold.", "5 条中 3 条成立。")],
        };
        let j = f.to_json();
        assert_eq!(j["en"][0], "3 of 5 hold.");
        assert_eq!(j["zh"][0], "5 条中 3 条成立。");
    }

    #[test]
    fn experiments_are_counted_whole() {
        assert_eq!(super::compute::whole_count(1494.4), "1,494");
        assert_eq!(super::compute::whole_count(12.9), "12");
        assert_eq!(super::compute::whole_count(0.4), "< 1");
        assert_eq!(super::compute::whole_count(1_234_567.0), "1,234,567");
    }

    #[test]
    fn estimates_keep_one_significant_figure() {
        use crate::lang::Lang;
        assert_eq!(super::compute::about(42.7 * 86_400.0, Lang::En), "about 40 days");
        assert_eq!(super::compute::about(5.4 * 3_600.0, Lang::Zh), "约 5 小时");
        assert_eq!(super::compute::about(30.0, Lang::En), "about 30 seconds");
    }
}
