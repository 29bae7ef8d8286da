//! What the reader sees: typed results in, figures and HTML out. Nothing here measures.
//!
//! | what | module |
//! |---|---|
//! | a figure with its summary and table; HTML output for evcxr | [`display`] |
//! | the lesson's charts, by chapter | [`charts`] |
//! | tables of claims, searches, measurements | [`tables`] |
//! | the mind map, drawn as SVG | [`mindmap`] |

pub mod charts;
pub mod display;
pub mod mindmap;
pub mod tables;

pub use display::{Figure, Html, Source, Table};

#[cfg(test)]
mod lang_tests;
