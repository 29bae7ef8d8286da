//! Chapter 2's tables: thread scaling, experiments per hour (with the GPU note), how data and
//! compute grew, one turn of the idea → code → experiment loop, AlexNet's training here.

use super::*;

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
pub(super) fn about(seconds: f64, l: Lang) -> String {
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
pub(super) fn whole_count(x: f64) -> String {
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
