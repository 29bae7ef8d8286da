//! # takeoff: why is deep learning taking off now?
//!
//! The helper crate of an executable lesson (Andrew Ng, *Neural Networks and Deep Learning*,
//! week 1). Notebooks in `notebooks/` load it with `:dep takeoff = { path = ".." }` and call it
//! in short cells; the heavy work is compiled here, once, with optimisation.
//!
//! | lesson section | module |
//! |---|---|
//! | the data behind every claim: Fashion-MNIST, the teacher task, 2-D sets, CSV | [`data`] |
//! | data scale: traditional learners vs small, medium and large nets | [`baselines`], [`mlp`], [`experiments`] |
//! | algorithms: sigmoid vs tanh vs ReLU, the vanishing gradient | [`mlp`], [`race`] |
//! | the lesson's mind map | [`mindmap`] |
//! | charts, each with a text summary and a data table | [`charts`], [`display`] |
//! | sizing experiments for tests, renders and full runs | [`profile`] |
//!
//! Every random function takes a seed; the same inputs and seed give the same numbers.

pub mod baselines;
pub mod charts;
pub mod compute;
pub mod data;
pub mod display;
pub mod error;
pub mod experiments;
pub mod mindmap;
pub mod models;
pub mod profile;
pub mod race;

pub use data::{Dataset, FashionMnist, Standardizer, TeacherTask};
pub use display::{Figure, Html, Table};
pub use error::{Result, TakeoffError};
/// The multilayer perceptrons (at `takeoff::mlp`, where notebooks name them).
pub use models::mlp;
/// The plotly crate itself, so a cell can name `takeoff::plotly::Plot`.
pub use plotly;
pub use profile::Profile;
