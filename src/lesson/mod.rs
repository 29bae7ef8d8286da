//! The lesson's own choices, chapter by chapter: which models, sizes, seeds and targets each
//! experiment uses, and the published figures it cites (kept apart from what this machine
//! measured). Everything here is configuration or a combination of experiment results; the
//! work itself is done by [`crate::experiments`].
//!
//! | chapter | module |
//! |---|---|
//! | 1, data scale | [`data_scale`] |
//! | 2, compute scale | [`compute`] |
//! | 3, algorithms | [`algorithms`] |
//! | 4, takeaways | [`takeaways`] |

pub mod algorithms;
pub mod compute;
pub mod data_scale;
pub mod takeaways;
