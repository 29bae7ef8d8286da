//! # takeoff: why is deep learning taking off now?
//!
//! The helper crate of an executable lesson (Andrew Ng, *Neural Networks and Deep Learning*,
//! week 1). Notebooks in `notebooks/` load it with `:dep takeoff = { path = ".." }` and call it
//! in short cells; the heavy work is compiled here, once, with optimisation.
//!
//! The folders are layers; each imports only from the layers below it:
//!
//! | layer | module | holds |
//! |---|---|---|
//! | view | [`view`] | charts by chapter, tables, the mind map, display glue: typed values in, HTML out |
//! | lesson | [`lesson`] | each chapter's configurations (models, sizes, seeds), published figures |
//! | experiments | [`experiments`] | learning curves, the cache, claims and their noise rule, searches, races, hardware measurements |
//! | models | [`models`] | the model and optimiser traits, one trainer, the MLP, the convolutional net, linfa's baselines |
//! | kernels, data | [`kernels`], [`data`] | the matrix product and its reference loops; Fashion-MNIST, the teacher task, 2-D sets, CSV, HOG |
//!
//! [`error`], [`lang`] (中文 and English), [`profile`], [`random`] and [`text`] are used by every layer. The notebooks' short paths
//! (`takeoff::charts`, `takeoff::mlp`, …) are re-exports of the modules below.
//!
//! Every random function takes a seed; the same inputs and seed give the same numbers.

pub mod data;
pub mod error;
pub mod experiments;
pub mod kernels;
pub mod lang;
pub mod lesson;
pub mod models;
pub mod profile;
pub mod random;
pub mod text;
pub mod view;

pub use data::{Dataset, FashionMnist, Standardizer, TeacherTask};
pub use error::{Result, TakeoffError};
pub use lang::{set_languages, Lang, Text};
/// The traditional learners, the MLPs and the convolutional nets, where notebooks name them.
pub use models::{baselines, conv, mlp};
/// The plotly crate itself, so a cell can name `takeoff::plotly::Plot`.
pub use plotly;
pub use profile::Profile;
/// Charts, tables, display glue and the mind map, where notebooks name them.
pub use view::{charts, display, mindmap, tables};
pub use view::{Figure, Html, Table};
