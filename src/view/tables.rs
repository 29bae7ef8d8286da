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
use crate::view::display::per_language;
use crate::view::display::{escape, ratio, Html, Table};

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
    LoopTurn,
    Findings
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
                    m.to_string(),
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

/// Claims as an HTML table (for a notebook cell), with the noise rule under it, in each chosen
/// language.
pub fn claims_table(claims: &[Claim]) -> Html {
    Html(per_language(|l| {
        let mut t = Table::new(&[
            l.pick("claim of the lesson", "课程中的结论"),
            l.pick("on this run", "本次运行"),
            l.pick("decided at", "判定位置"),
            l.pick("task", "任务"),
            l.pick("measured", "测量结果"),
        ]);
        let set = |text: &str| match l {
            Lang::Zh => crate::lang::spaced(text),
            Lang::En => text.to_string(),
        };
        for c in claims {
            t.push(vec![
                set(c.claim.get(l)),
                c.verdict.label_in(l),
                c.m.map_or("—".into(), |m| {
                    format!("m = {m}", m = crate::text::thousands(m))
                }),
                name(&c.task, l),
                set(c.evidence.get(l)),
            ]);
        }
        format!(
            "{}<p><em>{}</em> {}</p>",
            t.to_html(),
            l.pick("Rule:", "判定规则："),
            escape(l.pick(NOISE_RULE, NOISE_RULE_ZH))
        )
    }))
}

impl Search {
    /// The search as an HTML table (candidate, validation accuracy, fit time, the pick) and a
    /// sentence saying whether the pick is the crate's default.
    pub fn table(&self) -> Html {
        Html(per_language(|l| self.table_in(l)))
    }

    fn table_in(&self, l: Lang) -> String {
        let mut t = Table::new(&[
            l.pick("candidate", "候选"),
            l.pick("validation accuracy", "验证集准确率"),
            l.pick("fit time", "训练用时"),
            l.pick("picked", "选中"),
        ]);
        for p in self.curve.points() {
            t.push(vec![
                name(&p.model, l),
                format!("{:.1}%", p.mean * 100.0),
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

impl ThreadScaling {
    /// The table: threads, one epoch's time, the speed-up, whether the weights are the same.
    pub fn to_html(&self) -> String {
        per_language(|l| {
            let mut t = Table::new(&[
                l.pick("threads", "线程数"),
                l.pick("one epoch", "一轮用时"),
                l.pick("speed-up", "加速比"),
                l.pick("same weights", "权重相同"),
            ]);
            for r in &self.runs {
                t.push(vec![
                    r.threads.to_string(),
                    format!("{:.2} {}", r.seconds, l.pick("s", "秒")),
                    ratio(r.speedup),
                    match r.same_weights {
                        None => l.pick("reference", "基准"),
                        Some(true) => l.pick("yes", "是"),
                        Some(false) => l.pick("no", "否"),
                    }
                    .into(),
                ]);
            }
            t.to_html()
        })
    }
}

impl ExperimentsPerHour {
    /// The table: each model's training FLOPs, time and experiments per hour here, its time
    /// projected onto each published machine, then the time its steps took on the GPU where they
    /// were measured (the eager launch floor, eager, one CUDA graph a step); under it, what the
    /// measurements say against the projections and against this machine.
    pub fn to_html(&self) -> String {
        let measured = self.rows.iter().find_map(|r| r.gpu.as_ref());
        per_language(|l| {
            let mut header = vec![
                l.pick("model", "模型").to_string(),
                l.pick("training FLOPs per experiment", "每次实验的训练 FLOPs")
                    .into(),
                l.pick(
                    "here: time (scaled from one measured epoch)",
                    "本机：用时（由一轮实测按比例推算）",
                )
                .into(),
                l.pick("here: experiments per hour", "本机：每小时实验次数")
                    .into(),
            ];
            header.extend(self.hardware.iter().map(|h| match l {
                Lang::En => format!("projected on {} from FLOPs: time", h.name),
                Lang::Zh => format!("按 FLOPs 推算到 {}：用时", name(h.name, l)),
            }));
            if let Some(g) = measured {
                header.extend([
                    match l {
                        Lang::En => format!(
                            "{}, eager launch floor: kernels × launch latency × steps",
                            g.device
                        ),
                        Lang::Zh => format!("{}，逐个启动的下限：内核数 × 启动延迟 × 步数", g.device),
                    },
                    match l {
                        Lang::En => format!("{}, measured: PyTorch, eager", g.device),
                        Lang::Zh => format!("{}，实测：PyTorch 逐个启动", g.device),
                    },
                    match l {
                        Lang::En => format!("{}, measured: one CUDA graph a step", g.device),
                        Lang::Zh => format!("{}，实测：每步一个 CUDA 图", g.device),
                    },
                ]);
            }
            let mut t = Table {
                header,
                rows: Vec::new(),
            };
            for r in &self.rows {
                let mut row = vec![
                    match l {
                        Lang::En => {
                            format!(
                                "{} (epoch timed on {} examples)",
                                name(&r.model, l),
                                crate::text::thousands(r.measured_m)
                            )
                        }
                        Lang::Zh => format!(
                            "{}（实测一轮：{} 个样本）",
                            name(&r.model, l),
                            crate::text::thousands(r.measured_m)
                        ),
                    },
                    format!("{:.2e}", r.flops),
                    human_in(r.seconds, l),
                    whole_count(r.per_hour),
                ];
                row.extend(r.projected_seconds.iter().map(|&s| human_in(s, l)));
                if measured.is_some() {
                    match r.gpu_seconds() {
                        Some((eager, graph, floor)) => {
                            row.extend([floor, eager, graph].map(|s| spread(s, l)))
                        }
                        None => {
                            row.extend(std::iter::repeat_n(l.pick("not measured", "未测").to_string(), 3))
                        }
                    }
                }
                t.push(row);
            }
            format!("{}{}", t.to_html(), gpu_note(self, l))
        })
    }
}

/// A measured range (low, high) as durations, "2.1–2.5 s", or one duration when both ends read
/// the same.
fn spread((lo, hi): (f64, f64), l: Lang) -> String {
    let (a, b) = (human_in(lo, l), human_in(hi, l));
    if a == b {
        a
    } else {
        format!("{a} – {b}")
    }
}

/// What the GPU columns say, generated from them: how far the FLOP projection onto the H100 (the
/// last published machine) falls below the measured time, why, and each net's measured time on
/// the GPU against this machine's. Empty when no row was measured.
fn gpu_note(t: &ExperimentsPerHour, l: Lang) -> String {
    let rows: Vec<_> = t
        .rows
        .iter()
        .filter_map(|r| Some((r, r.gpu.as_ref()?, r.gpu_seconds()?)))
        .collect();
    let (Some((_, g, _)), Some(projected_on)) = (rows.first(), t.hardware.last()) else {
        return String::new();
    };
    let below = |pick: fn(&(f64, f64, f64)) -> f64| {
        let xs: Vec<f64> = rows
            .iter()
            .filter_map(|(r, _, s)| {
                let projected = *r.projected_seconds.last()?;
                Some(pick(&(s.0 .0, s.1 .0, projected)))
            })
            .collect();
        let lo = xs.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = xs.iter().cloned().fold(0.0, f64::max);
        if crate::text::ratio(lo) == crate::text::ratio(hi) {
            crate::text::ratio_number(lo)
        } else {
            format!(
                "{}–{}",
                crate::text::ratio_number(lo),
                crate::text::ratio_number(hi)
            )
        }
    };
    let graph_factor = below(|&(_, graph, projected)| graph / projected);
    let eager_factor = below(|&(eager, _, projected)| eager / projected);
    let kernels: Vec<usize> = rows.iter().map(|(_, g, _)| g.kernels_per_step).collect();
    let (kmin, kmax) = (
        kernels.iter().min().copied().unwrap_or(0),
        kernels.iter().max().copied().unwrap_or(0),
    );
    let latency = format!("{:.0}–{:.0}", g.launch_latency.0 * 1e6, g.launch_latency.1 * 1e6);
    let against_here = |r: &crate::lesson::compute::ExperimentCost, gpu: f64| {
        let (n, gpu_faster) = crate::text::factor(gpu, r.seconds);
        match (l, gpu_faster) {
            (Lang::En, true) => format!("{} faster than here", crate::text::ratio(n)),
            (Lang::En, false) => format!("{} slower than here", crate::text::ratio(n)),
            (Lang::Zh, true) => format!("速度是本机的 {} 倍", crate::text::ratio_number(n)),
            (Lang::Zh, false) => format!("用时是本机的 {} 倍", crate::text::ratio_number(n)),
        }
    };
    let items: String = rows
        .iter()
        .map(|(r, _, (eager, graph, _))| {
            let mid = |s: &(f64, f64)| (s.0 * s.1).sqrt();
            let (model, here) = (name(&r.model, l), human_in(r.seconds, l));
            let (e, e_vs) = (spread(*eager, l), against_here(r, mid(eager)));
            let (g, g_vs) = (spread(*graph, l), against_here(r, mid(graph)));
            match l {
                Lang::En => format!(
                    "<li>{model}: here {here}; eager on the GPU {e}, {e_vs}; one CUDA graph a step {g}, {g_vs}.</li>"
                ),
                Lang::Zh => format!("<li>{model}：本机 {here}；GPU 上逐个启动 {e}，{e_vs}；每步一个 CUDA 图 {g}，{g_vs}。</li>"),
            }
        })
        .collect();
    match l {
        Lang::En => format!(
            "<p>Measured, not projected: the GPU columns multiply the experiment's steps by the seconds a step took on an {dev} \
             (PyTorch {torch}, FP32, Adam, batch 128, the images already on the GPU; <code>bench/gpu_step.py</code>, {runs} runs on {date}, \
             their range shown; <code>data/gpu/h200-steps.csv</code>). The H200 has the H100's FP32 peak (NVIDIA's datasheets). \
             The projection onto the {hw} from FLOPs alone is {graph_factor}× below the measured time with one CUDA graph a step, \
             and {eager_factor}× below it run eagerly: a step of these nets at batch 128 is too little arithmetic to keep the GPU busy, \
             so its time is set by launching its {kmin}–{kmax} kernels (each launch measured at {latency} µs) and by the host, \
             not by the chip's peak. The eager floor is that launch cost alone; one CUDA graph a step launches once and goes under it.</p>\
             <p>The same experiment against this machine:</p><ul>{items}</ul>",
            dev = g.device,
            torch = g.torch,
            date = g.date,
            runs = g.runs,
            hw = projected_on.name,
        ),
        Lang::Zh => format!(
            "<p>以下 GPU 各列是实测，不是推算：实验的步数乘以 {dev} 上每步的实测用时\
             （PyTorch {torch}，FP32，Adam，批量 128，图像已在 GPU 上；<code>bench/gpu_step.py</code>，{date} 运行 {runs} 次，\
             列出各次的范围；<code>data/gpu/h200-steps.csv</code>）。按 NVIDIA 的规格书，H200 的 FP32 峰值与 H100 相同。\
             每步一个 CUDA 图的实测用时是只按 FLOPs 推算到 {hw} 的用时的 {graph_factor} 倍，逐个启动则是 {eager_factor} 倍：\
             批量 128 时，这些网络每一步的计算量太小，填不满 GPU，用时取决于启动这一步的 {kmin}–{kmax} 个内核\
             （实测每次启动 {latency} 微秒）和主机，而不是芯片的峰值。逐个启动的下限只算启动的开销；\
             每步一个 CUDA 图只启动一次，所以能低于这个下限。</p><p>同一个实验与本机相比：</p><ul>{items}</ul>",
            dev = g.device,
            torch = g.torch,
            date = g.date,
            runs = g.runs,
            hw = name(projected_on.name, l),
        ),
    }
}

/// A duration to one significant figure, "about 40 days": what an estimate from a FLOP count and
/// a rate measured to tens of percent supports.
fn about(seconds: f64, l: Lang) -> String {
    let (value, unit_en, unit_zh) = match seconds {
        s if s >= 2.0 * 86_400.0 => (s / 86_400.0, "days", "天"),
        s if s >= 2.0 * 3_600.0 => (s / 3_600.0, "hours", "小时"),
        s if s >= 120.0 => (s / 60.0, "minutes", "分钟"),
        s => (s, "seconds", "秒"),
    };
    let step = 10f64.powi(value.log10().floor() as i32);
    let rounded = (value / step).round() * step;
    match l {
        Lang::En => format!("about {rounded} {unit_en}"),
        Lang::Zh => format!("约 {rounded} {unit_zh}"),
    }
}

/// A count of whole things (experiments in an hour): rounded down, with thousands separated,
/// "< 1" below one.
fn whole_count(x: f64) -> String {
    if x.is_nan() || x < 1.0 {
        return "< 1".into();
    }
    crate::text::thousands(x.floor() as usize)
}

/// Published figures of how data and compute grew, with their sources.
pub fn growth_table(rows: &[Growth]) -> Html {
    Html(per_language(|l| {
        let mut t = Table::new(&[
            l.pick("year", "年份"),
            l.pick("data set or system", "数据集或系统"),
            l.pick("labelled examples / compute", "标注样本数 / 算力"),
            l.pick("source", "出处"),
        ]);
        for g in rows {
            t.push(vec![
                g.year.into(),
                l.pick(g.what, g.what_zh).into(),
                l.pick(g.amount, g.amount_zh).into(),
                g.source.into(),
            ]);
        }
        // a source is cited as published (its title in its own language)
        let html = t.to_html();
        let mut out = String::new();
        for (i, row) in html.split("<tr>").enumerate() {
            if i > 1 {
                out += "<tr>";
                out += &row.rsplit_once("<td>").map_or(row.to_string(), |(a, b)| {
                    format!(
                        "{a}<td><cite lang=\"en\">{}",
                        b.replacen("</td>", "</cite></td>", 1)
                    )
                });
            } else {
                if i == 1 {
                    out += "<tr>";
                }
                out += row;
            }
        }
        out
    }))
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

impl LoopTurn {
    /// The turn as a table: the change, the model and m, the time it took, the accuracy it gave.
    pub fn to_html(&self) -> String {
        per_language(|l| {
            let mut t = Table::new(&[
                l.pick("the idea (one changed setting)", "想法（改动一个设置）"),
                l.pick("experiment", "实验"),
                l.pick("time for the turn (this machine)", "这一轮用时（本机）"),
                l.pick("test accuracy", "测试准确率"),
            ]);
            t.push(vec![
                self.change.get(l).to_string(),
                match l {
                    Lang::En => format!(
                        "{} at m = {}, one seed",
                        self.model,
                        crate::text::thousands(self.m)
                    ),
                    Lang::Zh => format!(
                        "{}，m = {}，一个种子",
                        name(&self.model, l),
                        crate::text::thousands(self.m)
                    ),
                },
                human_in(self.seconds, l),
                pct(self.test_accuracy),
            ]);
            t.to_html()
        })
    }
}

impl AlexNetHere {
    /// The table: the published run beside the same FLOPs at this machine's measured rate.
    pub fn to_html(&self) -> String {
        per_language(|l| {
            let mut t = Table::new(&[
                l.pick("AlexNet's training", "AlexNet 的训练"),
                l.pick(
                    "FLOPs (estimated from published figures)",
                    "FLOPs（按已发表的数字估算）",
                ),
                l.pick("rate", "速率"),
                l.pick("time", "用时"),
            ]);
            let (d0, d1) = self.published_days;
            t.push(vec![
                l.pick(
                    "published: two GTX 580 GPUs (Krizhevsky et al. 2012)",
                    "已发表：两块 GTX 580 GPU（Krizhevsky 等，2012）",
                )
                .into(),
                format!("{:.1e}", self.training_flops),
                "—".into(),
                format!("{d0:.0}–{d1:.0} {}", l.pick("days", "天")),
            ]);
            t.push(vec![
                l.pick(
                    "the same FLOPs at the convolutional net's training rate measured here",
                    "同样的 FLOPs，按本机实测的卷积网络训练速率",
                )
                .into(),
                format!("{:.1e}", self.training_flops),
                format!("{:.0} GFLOP/s", self.gflops_here),
                about(self.seconds_here, l),
            ]);
            t.to_html()
        })
    }
}

impl Findings {
    /// The paragraphs in a `takeoff-findings` block per language (the index copies it).
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
    #[test]
    fn experiments_are_counted_whole() {
        assert_eq!(super::whole_count(1494.4), "1,494");
        assert_eq!(super::whole_count(12.9), "12");
        assert_eq!(super::whole_count(0.4), "< 1");
        assert_eq!(super::whole_count(1_234_567.0), "1,234,567");
    }

    #[test]
    fn estimates_keep_one_significant_figure() {
        use crate::lang::Lang;
        assert_eq!(super::about(42.7 * 86_400.0, Lang::En), "about 40 days");
        assert_eq!(super::about(5.4 * 3_600.0, Lang::Zh), "约 5 小时");
        assert_eq!(super::about(30.0, Lang::En), "about 30 seconds");
    }
}
