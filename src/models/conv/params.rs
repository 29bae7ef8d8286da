//! [`ConvParams`]: the stages of a convolutional net and how it is trained, the presets, and the
//! checks run before anything is allocated.

use super::{ConvNet, Shape, Stage};
use crate::data::Dataset;
use crate::error::{Result, TakeoffError};
use crate::models::activation::{Activation, Init};
use crate::models::train::{Fitted, History, TrainParams, Trainer};
use linfa::ParamGuard;
use serde::{Deserialize, Serialize};

/// Everything that determines a trained convolutional net, checked: the input image shape, the
/// stages, the activation and initialisation, and its [`TrainParams`], with plain getters.
/// Built through [`ConvParams`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConvValidParams {
    input: Shape,
    stages: Vec<Stage>,
    activation: Activation,
    init: Option<Init>,
    #[serde(flatten)]
    train: TrainParams,
}

/// A convolutional net's parameters, unchecked (linfa's parameter pattern): build with
/// [`ConvParams::new`] or a preset, change with the setters, then [`ConvParams::fit`] (which
/// checks them), or [`ParamGuard::check`] for the [`ConvValidParams`] and their getters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ConvParams(ConvValidParams);

crate::train_setters!(ConvParams);

/// A trained convolutional net with its training history.
pub type FittedCnn = Fitted<ConvNet<f32>, ConvValidParams>;

impl ConvParams {
    /// A net of these stages (an output layer with one unit per class follows them) on 28 × 28
    /// grey images. Defaults: ReLU, the activation's usual initialisation, and the training
    /// defaults of [`TrainParams`].
    pub fn new(stages: &[Stage]) -> ConvParams {
        ConvParams(ConvValidParams {
            input: Shape {
                height: 28,
                width: 28,
                channels: 1,
            },
            stages: stages.to_vec(),
            activation: Activation::Relu,
            init: None,
            train: TrainParams::default(),
        })
    }

    /// LeNet's shape at Fashion-MNIST's size: two 5 × 5 convolutions of 16 and 32 channels,
    /// each followed by 2 × 2 max pooling, then a dense layer of 128 (28×28×1 → 24×24×16 →
    /// 12×12×16 → 8×8×32 → 4×4×32 → 128 → classes); 80,202 parameters for 10 classes.
    pub fn lenet() -> ConvParams {
        ConvParams::new(&Self::lenet_stages())
    }

    /// The stages of [`ConvParams::lenet`].
    pub fn lenet_stages() -> Vec<Stage> {
        vec![
            Stage::Conv {
                channels: 16,
                kernel: 5,
            },
            Stage::MaxPool { size: 2 },
            Stage::Conv {
                channels: 32,
                kernel: 5,
            },
            Stage::MaxPool { size: 2 },
            Stage::Dense { width: 128 },
        ]
    }

    /// [`ConvParams::lenet`] twice as wide, 32 and 64 channels and a dense layer of 256, with
    /// half of that layer's outputs dropped in training (about 3.5× LeNet's multiply-adds per
    /// image; 317,066 parameters for 10 classes). The recipe of `examples/fashion_cnn.rs`.
    pub fn lenet_wide() -> ConvParams {
        ConvParams::new(&[
            Stage::Conv {
                channels: 32,
                kernel: 5,
            },
            Stage::MaxPool { size: 2 },
            Stage::Conv {
                channels: 64,
                kernel: 5,
            },
            Stage::MaxPool { size: 2 },
            Stage::Dense { width: 256 },
            Stage::Dropout { percent: 50 },
        ])
    }

    /// The input images' height, width and channels (default 28 × 28 × 1).
    pub fn image(mut self, height: usize, width: usize, channels: usize) -> Self {
        self.0.input = Shape {
            height,
            width,
            channels,
        };
        self
    }
    /// Hidden activation (default ReLU).
    pub fn activation(mut self, a: Activation) -> Self {
        self.0.activation = a;
        self
    }
    /// Weight initialisation (default: the activation's usual one, He for ReLU, Xavier otherwise).
    pub fn init(mut self, i: Init) -> Self {
        self.0.init = Some(i);
        self
    }

    /// A short description, e.g. "CNN c16k5-p2-c32k5-p2-d128 ReLU" (the values as set, checked
    /// or not).
    pub fn describe(&self) -> String {
        self.0.describe()
    }

    /// The net's shape without its activation, e.g. "CNN c16k5-p2-c32k5-p2-d128".
    pub fn shape_name(&self) -> String {
        self.0.shape_name()
    }

    /// Checks the parameters, then builds a trainer (see [`ConvValidParams::trainer`]).
    pub fn trainer(&self, data: &Dataset) -> Result<Trainer<ConvNet<f32>>> {
        self.check_ref()?.trainer(data)
    }

    /// Checks the parameters, then trains on `data` (see [`ConvValidParams::fit`]).
    pub fn fit(&self, data: &Dataset) -> Result<FittedCnn> {
        self.check_ref()?.fit(data)
    }
}

impl ParamGuard for ConvParams {
    type Checked = ConvValidParams;
    type Error = TakeoffError;

    /// Checks the training settings and that every stage fits the input shape.
    fn check_ref(&self) -> Result<&ConvValidParams> {
        self.0.train.check()?;
        self.0.check_shapes(1)?;
        Ok(&self.0)
    }

    fn check(self) -> Result<ConvValidParams> {
        self.check_ref()?;
        Ok(self.0)
    }
}

impl ConvValidParams {
    /// The input images' shape.
    pub fn input(&self) -> Shape {
        self.input
    }
    /// The hidden activation.
    pub fn activation(&self) -> Activation {
        self.activation
    }
    /// How it is trained (batch, epochs, learning rate, seed, …).
    pub fn train(&self) -> &TrainParams {
        &self.train
    }
    /// The initialisation actually used.
    pub fn init(&self) -> Init {
        self.init.unwrap_or(self.activation.usual_init())
    }
    /// The stages.
    pub fn stages(&self) -> &[Stage] {
        &self.stages
    }

    /// A short description, e.g. "CNN c16k5-p2-c32k5-p2-d128 ReLU".
    pub fn describe(&self) -> String {
        format!("{} {}", self.shape_name(), self.activation.name())
    }

    /// The net's shape without its activation, e.g. "CNN c16k5-p2-c32k5-p2-d128".
    pub fn shape_name(&self) -> String {
        let s: Vec<String> = self
            .stages
            .iter()
            .map(|s| match s {
                Stage::Conv { channels, kernel } => format!("c{channels}k{kernel}"),
                Stage::ConvSame { channels, kernel } => format!("c{channels}k{kernel}s"),
                Stage::MaxPool { size } => format!("p{size}"),
                Stage::Dense { width } => format!("d{width}"),
                Stage::Dropout { percent } => format!("drop{percent}"),
            })
            .collect();
        format!("CNN {}", s.join("-"))
    }

    /// Walks the stages over the input shape: an error for a stage that does not fit (a kernel
    /// larger than its input, a pool that does not divide it, a zero size, a convolution or
    /// pooling after a dense layer). Returns (parameters, activations kept per example) for
    /// `classes` outputs, for the memory check.
    pub fn check_shapes(&self, classes: usize) -> Result<(f64, f64)> {
        let mut s = self.input;
        if s.is_empty() {
            return Err(TakeoffError::invalid(
                "image shape",
                format!("{s:?}"),
                "height, width and channels ≥ 1",
            ));
        }
        let (mut params, mut kept) = (0.0f64, s.len() as f64);
        let mut flat: Option<usize> = None;
        for (i, stage) in self.stages.iter().enumerate() {
            let at = format!(
                "stage {} ({stage:?}) on a {}×{}×{} input",
                i + 1,
                s.height,
                s.width,
                s.channels
            );
            if flat.is_some() && !matches!(stage, Stage::Dense { .. } | Stage::Dropout { .. }) {
                return Err(TakeoffError::invalid(
                    "network stage",
                    format!("{at}: after a dense layer"),
                    "convolutions and pooling before every dense layer",
                ));
            }
            match *stage {
                Stage::Conv { channels, kernel } | Stage::ConvSame { channels, kernel } => {
                    if channels == 0 || kernel == 0 {
                        return Err(TakeoffError::invalid(
                            "network stage",
                            format!("{at}: zero channels or kernel"),
                            "channels ≥ 1 and kernel ≥ 1",
                        ));
                    }
                    if let Stage::ConvSame { .. } = stage {
                        if kernel.is_multiple_of(2) {
                            return Err(TakeoffError::invalid(
                                "network stage",
                                format!("{at}: a \"same\" convolution with an even kernel ({kernel})"),
                                "an odd kernel (3, 5, 7) for \"same\" padding, or Stage::Conv",
                            ));
                        }
                        s = s.padded((kernel - 1) / 2);
                        kept += s.len() as f64;
                    }
                    if kernel > s.height || kernel > s.width {
                        return Err(TakeoffError::invalid(
                            "network stage",
                            format!("{at}: a {kernel}×{kernel} kernel"),
                            "a kernel no larger than its input",
                        ));
                    }
                    let fan_in = (kernel * kernel * s.channels) as f64;
                    s = Shape {
                        height: s.height - kernel + 1,
                        width: s.width - kernel + 1,
                        channels,
                    };
                    params += (fan_in + 1.0) * channels as f64;
                    kept += (s.height * s.width) as f64 * fan_in + 2.0 * s.len() as f64;
                }
                Stage::MaxPool { size } => {
                    if size == 0 || !s.height.is_multiple_of(size) || !s.width.is_multiple_of(size) {
                        return Err(TakeoffError::invalid(
                            "network stage",
                            format!("{at}: a {size}×{size} pool"),
                            "a pool size ≥ 1 that divides the input's height and width",
                        ));
                    }
                    s = Shape {
                        height: s.height / size,
                        width: s.width / size,
                        channels: s.channels,
                    };
                    kept += 2.0 * s.len() as f64;
                }
                Stage::Dropout { percent } => {
                    if percent >= 100 {
                        return Err(TakeoffError::invalid(
                            "network stage",
                            format!("{at}: dropout of {percent}%"),
                            "a percentage from 0 to 99",
                        ));
                    }
                    kept += flat.unwrap_or(s.len()) as f64;
                }
                Stage::Dense { width } => {
                    if width == 0 {
                        return Err(TakeoffError::invalid(
                            "network stage",
                            format!("{at}: width 0"),
                            "a width ≥ 1",
                        ));
                    }
                    let fan_in = flat.unwrap_or(s.len()) as f64;
                    params += (fan_in + 1.0) * width as f64;
                    kept += 2.0 * width as f64;
                    flat = Some(width);
                }
            }
        }
        params += (flat.unwrap_or(s.len()) as f64 + 1.0) * classes as f64;
        kept += classes as f64;
        Ok((params, kept))
    }

    /// A trainer for this net on `data` (rows of images of the stated shape), after checking
    /// the settings, the shapes, the data and the memory.
    pub fn trainer(&self, data: &Dataset) -> Result<Trainer<ConvNet<f32>>> {
        if data.n_features() != self.input.len() {
            return Err(TakeoffError::invalid(
                "features per example",
                data.n_features(),
                format!(
                    "{} ({}×{}×{} images, as set with .image(height, width, channels))",
                    self.input.len(),
                    self.input.height,
                    self.input.width,
                    self.input.channels
                ),
            ));
        }
        let (params, kept) = self.check_shapes(data.n_classes())?;
        self.train
            .check_memory(&self.describe(), params, kept, data.len())?;
        let (input, stages, classes) = (self.input, self.stages.clone(), data.n_classes());
        let (activation, init) = (self.activation, self.init());
        Trainer::start(&self.train, self.describe(), data, |r| {
            ConvNet::init(input, &stages, classes, activation, init, r)
        })
    }

    /// Trains on `data` for the configured epochs (more for a sample budget; stopping early if
    /// asked).
    pub fn fit(&self, data: &Dataset) -> Result<FittedCnn> {
        let (net, history): (ConvNet<f32>, History) = self.trainer(data)?.run()?;
        Ok(FittedCnn {
            net,
            history,
            params: self.clone(),
            class_names: data.class_names.clone(),
        })
    }
}
