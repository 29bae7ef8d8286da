//! The networks and the traditional learners, and the one training core the networks share.
//!
//! | concept | module |
//! |---|---|
//! | the model and optimiser traits, the trainer, the training settings | [`train`] |
//! | multilayer perceptrons | [`mlp`] |
//! | convolutional networks | [`conv`] |

pub mod conv;
pub mod mlp;
pub mod train;
