//! Tables for the notebooks: the typed results of the experiments and the lesson, as HTML.
//! Each result type gets `to_html` and `evcxr_display` here, so a cell that ends with the value
//! shows the table, and the numbers stay reusable.

use crate::display::{escape, ratio, Html, Table};
use crate::experiments::hardware::ThreadScaling;
use crate::experiments::{BestOfEach, Claim, Search, NOISE_RULE, SEARCH_RULE};
use crate::lesson::compute::{human, AlexNetHere, ExperimentsPerHour, Growth};
use crate::lesson::takeaways::SuccessFormula;

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
    AlexNetHere
);

fn pct(v: f64) -> String {
    format!("{:.1} %", v * 100.0)
}

impl BestOfEach {
    /// The table: m, the best on engineered features, the best on raw inputs, the difference.
    pub fn to_html(&self) -> String {
        let mut t = Table::new(&[
            "m",
            "best on engineered features",
            "best on raw pixels",
            "difference",
        ]);
        for (m, e, r) in &self.rows {
            t.push(vec![
                m.to_string(),
                format!("{} {}", e.model, pct(e.mean)),
                format!("{} {}", r.model, pct(r.mean)),
                format!("{:+.1} points", (e.mean - r.mean) * 100.0),
            ]);
        }
        t.to_html()
    }
}

/// Claims as an HTML table (for a notebook cell), with the noise rule under it.
pub fn claims_table(claims: &[Claim]) -> Html {
    let mut t = Table::new(&[
        "claim of the lesson",
        "on this run",
        "decided at",
        "task",
        "measured",
    ]);
    for c in claims {
        t.push(vec![
            c.claim.clone(),
            c.verdict.label(),
            c.m.map_or("—".into(), |m| format!("m = {m}")),
            c.task.clone(),
            c.evidence.clone(),
        ]);
    }
    Html(format!(
        "{}<p><em>Rule:</em> {}</p>",
        t.to_html(),
        escape(NOISE_RULE)
    ))
}

impl Search {
    /// The search as an HTML table (candidate, validation accuracy, fit time, the pick) and a
    /// sentence saying whether the pick is the crate's default.
    pub fn table(&self) -> Html {
        let mut t = Table::new(&["candidate", "validation accuracy", "fit time", "picked"]);
        for p in self.curve.points() {
            t.push(vec![
                p.model.clone(),
                format!("{:.1} %", p.mean * 100.0),
                format!("{:.1} s", p.seconds_mean),
                if p.model == self.chosen.model { "←" } else { "" }.into(),
            ]);
        }
        for (model, _, why) in self.curve.not_run() {
            t.push(vec![model, "not run".into(), why, String::new()]);
        }
        let rule = SEARCH_RULE;
        let verdict = if self.default_matches() {
            format!(
                "The search picks {}, {rule}: the crate's default.",
                escape(&self.chosen.model)
            )
        } else {
            let default = match &self.default_point {
                Some(d) => format!(
                    " (the default, {}, scores {:.1} %, {:+.1} points against the pick, in {:.1} s)",
                    escape(&d.model),
                    d.mean * 100.0,
                    (d.mean - self.chosen.mean) * 100.0,
                    d.seconds_mean
                ),
                None => String::new(),
            };
            format!(
                "The search picks {}, {rule}, which is <b>not</b> the crate's default{default}.",
                escape(&self.chosen.model)
            )
        };
        Html(format!("{}<p>{verdict}</p>", t.to_html()))
    }
}

impl ThreadScaling {
    /// The table: threads, one epoch's time, the speed-up, whether the weights are the same.
    pub fn to_html(&self) -> String {
        let mut t = Table::new(&["threads", "one epoch", "speed-up", "same weights"]);
        for r in &self.runs {
            t.push(vec![
                r.threads.to_string(),
                format!("{:.2} s", r.seconds),
                ratio(r.speedup),
                match r.same_weights {
                    None => "reference",
                    Some(true) => "yes",
                    Some(false) => "no",
                }
                .into(),
            ]);
        }
        t.to_html()
    }
}

impl ExperimentsPerHour {
    /// The table: each model's training FLOPs, time and experiments per hour here, then its time
    /// projected onto each published machine.
    pub fn to_html(&self) -> String {
        let mut header = vec![
            "model".to_string(),
            "training FLOPs per experiment".into(),
            "measured here: time".into(),
            "measured here: experiments per hour".into(),
        ];
        header.extend(
            self.hardware
                .iter()
                .map(|h| format!("projected on {}: time", h.name)),
        );
        let mut t = Table {
            header,
            rows: Vec::new(),
        };
        for r in &self.rows {
            let mut row = vec![
                r.model.clone(),
                format!("{:.2e}", r.flops),
                human(r.seconds),
                format!("{:.1}", r.per_hour),
            ];
            row.extend(r.projected_seconds.iter().map(|&s| human(s)));
            t.push(row);
        }
        t.to_html()
    }
}

/// Published figures of how data and compute grew, with their sources.
pub fn growth_table(rows: &[Growth]) -> Html {
    let mut t = Table::new(&[
        "year",
        "data set or system",
        "labelled examples / compute",
        "source",
    ]);
    for g in rows {
        t.push(vec![
            g.year.into(),
            g.what.into(),
            g.amount.into(),
            g.source.into(),
        ]);
    }
    Html(t.to_html())
}

impl SuccessFormula {
    /// The table: each term, what was measured, where it comes from.
    pub fn to_html(&self) -> String {
        let mut t = Table::new(&["term", "measured", "from"]);
        let d = &self.data_times_model;
        let (gain_s, gain_l) = d.gains();
        t.push(vec![
            "big data × big model".into(),
            format!(
                "{}: {} at m = {}, {} at m = {} ({:+.1} points); {}: {} → {} ({:+.1} points). Data helps the big model more: {} (difference {:+.1} points, noise {:.1})",
                d.small.0.model,
                pct(d.small.0.mean),
                d.small.0.m,
                pct(d.small.1.mean),
                d.small.1.m,
                gain_s * 100.0,
                d.large.0.model,
                pct(d.large.0.mean),
                pct(d.large.1.mean),
                gain_l * 100.0,
                d.verdict.label(),
                (gain_l - gain_s) * 100.0,
                d.noise * 100.0
            ),
            d.task.clone(),
        ]);
        let budgets: Vec<String> = self
            .compute
            .iter()
            .map(|b| {
                let within = if b.limit_seconds.is_finite() {
                    format!("fits of at most {:.0} s", b.limit_seconds)
                } else {
                    "any fit".into()
                };
                format!(
                    "{within}: {} ({}, m = {})",
                    pct(b.best.mean),
                    b.best.model,
                    b.best.m
                )
            })
            .collect();
        t.push(vec![
            "compute".into(),
            format!(
                "best test accuracy bought by {} (this machine)",
                budgets.join("; ")
            ),
            d.task.clone(),
        ]);
        let a = &self.algorithms;
        let lanes: Vec<String> = a
            .steps
            .iter()
            .map(|(act, steps)| {
                let s = steps.map_or("not reached".into(), |s| format!("{s:.0} steps"));
                format!("{} {s}", act.name())
            })
            .collect();
        t.push(vec![
            "good algorithms".into(),
            format!(
                "to {:.0} % training error, each activation at its own searched learning rate, mean of {} seeds: {}",
                a.target_error * 100.0,
                a.seeds,
                lanes.join(", ")
            ),
            a.source.clone(),
        ]);
        t.to_html()
    }
}

impl AlexNetHere {
    /// The table: the published run beside the same FLOPs at this machine's measured rate.
    pub fn to_html(&self) -> String {
        let mut t = Table::new(&[
            "AlexNet's training",
            "FLOPs (estimated from published figures)",
            "rate",
            "time",
        ]);
        t.push(vec![
            "published: two GTX 580 GPUs (Krizhevsky et al. 2012)".into(),
            format!("{:.1e}", self.training_flops),
            "—".into(),
            format!("{:.0}–{:.0} days", self.published_days.0, self.published_days.1),
        ]);
        t.push(vec![
            "the same FLOPs at the training rate measured here".into(),
            format!("{:.1e}", self.training_flops),
            format!("{:.1} GFLOP/s", self.gflops_here),
            human(self.seconds_here),
        ]);
        t.to_html()
    }
}
