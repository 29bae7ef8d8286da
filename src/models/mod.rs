//! The networks and the traditional learners, and the one training core the networks share.
//!
//! | concept | module |
//! |---|---|
//! | the model trait, the trainer, a fitted model | [`train`] |
//! | what a training run records (epochs, checkpoints, why it stopped) | [`history`] |
//! | the hidden units' activations and the weights' initialisations | [`activation`] |
//! | the softmax cross-entropy loss and its gradient | [`loss`] |
//! | the training settings every network shares | [`params`] |
//! | element-wise passes the networks share (bias and activation, g′, bias gradients) | [`ops`] |
//! | optimisers that own their state (SGD with momentum, Adam) | [`optim`] |
//! | multilayer perceptrons | [`mlp`] |
//! | convolutional networks | [`conv`] |
//! | logistic regression and the RBF SVM, on linfa | [`baselines`] |

pub mod activation;
pub mod baselines;
pub mod conv;
pub mod history;
pub mod loss;
pub mod mlp;
pub mod ops;
pub mod optim;
pub mod params;
pub mod train;
