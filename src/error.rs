//! The crate's one error type. Every message names the bad value and what would be valid,
//! so a learner reading it in a notebook knows what to change.

use std::path::PathBuf;

/// Everything that can go wrong in `takeoff`.
#[derive(Debug, thiserror::Error)]
pub enum TakeoffError {
    /// `TAKEOFF_PROFILE` holds something other than `quick`, `default` or `full`.
    #[error("TAKEOFF_PROFILE = {value:?} is not a profile: use quick, default or full (or leave it unset for default)")]
    Profile { value: String },

    /// A parameter outside its valid range.
    #[error("{name} = {value} is invalid: expected {expected}")]
    InvalidParam {
        name: &'static str,
        value: String,
        expected: String,
    },

    /// A file could not be read or written.
    #[error("cannot access {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A data file whose content is not what its format promises.
    #[error("{path}: expected {expected}, found {found}")]
    DataFormat {
        path: PathBuf,
        expected: String,
        found: String,
    },

    /// A data file whose SHA-256 differs from the one recorded in `data/README.md`.
    #[error("{path}: SHA-256 is {found}, expected {expected}; the file is corrupted or replaced: fetch it again as data/README.md explains")]
    Checksum {
        path: PathBuf,
        expected: String,
        found: String,
    },

    /// A class with no examples where every class needs some.
    #[error("class {class:?} has no examples in {context}: use more points (m) or fewer classes")]
    EmptyClass { class: String, context: String },

    /// Data whose shape does not fit the model.
    #[error("the data has {found} features but the model expects {expected}")]
    FeatureMismatch { expected: usize, found: usize },

    /// Training produced a NaN or infinite loss.
    #[error("training diverged at epoch {epoch}: loss is {loss}; try a smaller learning rate than {learning_rate}")]
    Diverged {
        epoch: usize,
        loss: f64,
        learning_rate: f64,
    },

    /// A fit that would exceed the memory or time budget, refused before any allocation.
    #[error("{model} not run at m = {m}: {}; it would need about {needed_gb:.1} GB (budget {budget_gb:.1} GB) and about {minutes:.1} minutes (budget {budget_minutes:.1} minutes)", over_budget_limits(*needed_gb > *budget_gb, *minutes > *budget_minutes), m = crate::text::thousands(*m))]
    OverBudget {
        model: String,
        m: usize,
        needed_gb: f64,
        budget_gb: f64,
        minutes: f64,
        budget_minutes: f64,
    },

    /// A network whose parameters and batch would exceed the memory budget, refused before any
    /// allocation.
    #[error("{model} not trained: it would need about {needed_gb:.1} GB for its parameters, optimiser state and one batch (budget {budget_gb:.1} GB); use fewer or narrower layers, a smaller batch, or raise the budget with .memory_budget(gb)")]
    OverMemory {
        model: String,
        needed_gb: f64,
        budget_gb: f64,
    },

    /// A solver of a baseline model failed.
    #[error("{model} failed with {params}: {message}")]
    Solver {
        model: String,
        params: String,
        message: String,
    },

    /// Malformed Mermaid mind-map text.
    #[error("mind map, line {line}: {message}")]
    Mindmap { line: usize, message: String },

    /// A bad CSV file supplied by the reader.
    #[error("{path}, line {line}: {message}")]
    Csv {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// Shorthand used across the crate.
pub type Result<T> = std::result::Result<T, TakeoffError>;

impl TakeoffError {
    /// An [`TakeoffError::InvalidParam`] from any displayable value.
    pub fn invalid(name: &'static str, value: impl std::fmt::Display, expected: impl Into<String>) -> Self {
        TakeoffError::InvalidParam {
            name,
            value: value.to_string(),
            expected: expected.into(),
        }
    }

    /// An [`TakeoffError::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        TakeoffError::Io {
            path: path.into(),
            source,
        }
    }
}

/// Which limits an over-budget fit exceeds, in words.
impl TakeoffError {
    /// Why a run was not run, for a reader, in both languages (the budgets' refusals; any other
    /// error reads as its message).
    pub fn reason_for_reader(&self) -> crate::lang::Text {
        match self {
            TakeoffError::OverBudget {
                model,
                m,
                needed_gb,
                budget_gb,
                minutes,
                budget_minutes,
            } => {
                let over_zh = match (needed_gb > budget_gb, minutes > budget_minutes) {
                    (true, true) => "同时超出内存和时间预算",
                    (true, false) => "超出内存预算",
                    _ => "超出时间预算",
                };
                crate::lang::Text::new(
                    self.to_string(),
                    format!(
                        "{} 在 m = {m} 时未运行：{over_zh}；约需 {needed_gb:.1} GB（预算 {budget_gb:.1} GB）、约 {minutes:.1} 分钟（预算 {budget_minutes:.1} 分钟）",
                        crate::lang::name(model, crate::lang::Lang::Zh),
                        m = crate::text::thousands(*m),
                    ),
                )
            }
            TakeoffError::OverMemory {
                model,
                needed_gb,
                budget_gb,
            } => crate::lang::Text::new(
                self.to_string(),
                format!(
                    "{} 未训练：参数、优化器状态和一个批次约需 {needed_gb:.1} GB（预算 {budget_gb:.1} GB）",
                    crate::lang::name(model, crate::lang::Lang::Zh)
                ),
            ),
            other => crate::lang::Text::same(other.to_string()),
        }
    }
}

fn over_budget_limits(memory: bool, time: bool) -> &'static str {
    match (memory, time) {
        (true, true) => "over both the memory and the time budget",
        (true, false) => "over the memory budget",
        _ => "over the time budget",
    }
}
