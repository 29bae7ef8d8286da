//! 中文 and English: everything the crate writes for a reader (chart titles, axes, legends,
//! summaries, table headers, verdicts, "not run" reasons) comes in both languages from here.
//!
//! Which languages a cell prints is one setting, read in this order:
//! 1. [`with_languages`] (for one closure on this thread; the tests use it),
//! 2. [`set_languages`] (for the whole kernel: a teacher's first cell, `takeoff::lang::set_languages("zh")?`),
//! 3. the environment variable `TAKEOFF_LANG` (`zh`, `en`, or both, `zh,en`; `make render` sets both,
//!    so one run of the experiments writes both languages and the page's switch picks one),
//! 4. English.
//!
//! With more than one language, HTML outputs hold one block per language, each with its `lang`
//! attribute and the class `takeoff-lang` (`view::display::per_language` writes them);
//! the static pages show the reader's choice. The numbers in both blocks come from the same
//! values, so they are the same. Nothing here writes HTML.
//!
//! Error messages stay in English: they are for the person changing the code, and carry the
//! names of the code they point at.

use crate::error::{Result, TakeoffError};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::sync::RwLock;

/// A language of the lesson.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    /// 简体中文, the language of the lesson's source notes.
    Zh,
    /// English.
    En,
}

impl Lang {
    /// Both languages, Chinese first (the order of blocks in a two-language output).
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    /// The BCP 47 tag for `lang` attributes (`zh-Hans` makes browsers pick Simplified Chinese fonts).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-Hans",
            Lang::En => "en",
        }
    }

    /// The short key used by `TAKEOFF_LANG` and the pages' `?lang=` links.
    pub fn key(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// One of two fixed strings: `l.pick("class", "类别")`.
    pub fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// Parses `zh` or `en` (also `zh-Hans`, `zh-CN`, `en-US`, any case).
    pub fn parse(s: &str) -> Result<Lang> {
        let k = s.trim().to_ascii_lowercase();
        if k == "zh" || k.starts_with("zh-") || k == "中文" {
            Ok(Lang::Zh)
        } else if k == "en" || k.starts_with("en-") || k == "english" {
            Ok(Lang::En)
        } else {
            Err(TakeoffError::invalid("language", s.to_string(), "zh or en"))
        }
    }
}

static CHOSEN: RwLock<Option<Vec<Lang>>> = RwLock::new(None);

thread_local! {
    static LOCAL: RefCell<Option<Vec<Lang>>> = const { RefCell::new(None) };
}

/// Parses a list such as `zh`, `en`, `zh,en` or `both` (no repeats, at least one).
pub fn parse_languages(spec: &str) -> Result<Vec<Lang>> {
    if spec.trim().eq_ignore_ascii_case("both") {
        return Ok(Lang::ALL.to_vec());
    }
    let mut out = Vec::new();
    for part in spec.split(',').filter(|p| !p.trim().is_empty()) {
        let l = Lang::parse(part)?;
        if !out.contains(&l) {
            out.push(l);
        }
    }
    if out.is_empty() {
        return Err(TakeoffError::invalid(
            "TAKEOFF_LANG",
            spec.to_string(),
            "zh, en, or both (zh,en)",
        ));
    }
    Ok(out)
}

/// The languages outputs are written in now (see the module's order of settings).
pub fn languages() -> Vec<Lang> {
    if let Some(l) = LOCAL.with(|c| c.borrow().clone()) {
        return l;
    }
    if let Some(l) = CHOSEN.read().ok().and_then(|g| g.clone()) {
        return l;
    }
    std::env::var("TAKEOFF_LANG")
        .ok()
        .and_then(|s| parse_languages(&s).ok())
        .unwrap_or_else(|| vec![Lang::En])
}

/// Chooses the languages of every later output in this kernel: `"zh"`, `"en"` or `"zh,en"`.
/// An unknown language is an error and changes nothing.
pub fn set_languages(spec: &str) -> Result<Vec<Lang>> {
    let langs = parse_languages(spec)?;
    if let Ok(mut g) = CHOSEN.write() {
        *g = Some(langs.clone());
    }
    Ok(langs)
}

/// Runs `f` with outputs in `langs` on this thread only (restored afterwards).
pub fn with_languages<T>(langs: &[Lang], f: impl FnOnce() -> T) -> T {
    let before = LOCAL.with(|c| c.replace(Some(langs.to_vec())));
    let out = f();
    LOCAL.with(|c| *c.borrow_mut() = before);
    out
}

/// Words for a reader in both languages. Build it with both: [`Text::new`] takes the English and
/// the Chinese, so no message can lack a language.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

impl Text {
    /// The same message in English and in Chinese.
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Text {
        Text {
            en: en.into(),
            zh: zh.into(),
        }
    }

    /// Text that reads the same in both languages (a number, a name, a formula).
    pub fn same(s: impl Into<String>) -> Text {
        let s = s.into();
        Text { en: s.clone(), zh: s }
    }

    /// The message in one language.
    pub fn get(&self, l: Lang) -> &str {
        match l {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }

    /// Joins two messages with a space in English and without one in Chinese.
    pub fn then(mut self, more: &Text) -> Text {
        if !self.en.is_empty() && !more.en.is_empty() {
            self.en.push(' ');
        }
        self.en += &more.en;
        self.zh += &more.zh;
        self
    }
}

impl std::fmt::Display for Text {
    /// The chosen languages, one per line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<&str> = languages().into_iter().map(|l| self.get(l)).collect();
        write!(f, "{}", parts.join("\n"))
    }
}

/// Display names of the lesson's models and datasets in Chinese (the keys stay English: they
/// name cached runs). Names not listed are shown as they are.
const NAMES_ZH: [(&str, &str); 27] = [
    (" (lr ", "（学习率 "),
    ("logistic regression", "逻辑回归"),
    ("small NN", "小型神经网络"),
    ("medium NN", "中型神经网络"),
    ("large NN", "大型神经网络"),
    ("CNN (LeNet", "卷积神经网络 (LeNet"),
    ("on HOG", "（HOG 特征）"),
    ("on pixels", "（原始像素）"),
    ("teacher task", "教师网络任务"),
    ("(train)", "（训练集）"),
    ("(test)", "（测试集）"),
    ("(held out)", "（留出集）"),
    ("best possible (Bayes)", "可达最佳（贝叶斯）"),
    ("class ", "类别 "),
    ("moons", "双月数据"),
    ("flower", "花形数据"),
    ("naive loops", "朴素循环"),
    ("cache-friendly loops", "缓存友好的循环"),
    ("optimised kernel", "优化内核"),
    ("1 thread", "单线程"),
    ("all cores", "全部核心"),
    (", the trainer's", "，训练器所用"),
    (" and ", " 与 "),
    (" classes", " 类"),
    ("noise ", "标签噪声 "),
    (" iterations", " 次迭代"),
    ("lr = ", "学习率 = "),
];

/// Fashion-MNIST's class names in Chinese.
const CLASSES_ZH: [(&str, &str); 10] = [
    ("T-shirt/top", "T恤/上衣"),
    ("Trouser", "裤子"),
    ("Pullover", "套头衫"),
    ("Dress", "连衣裙"),
    ("Coat", "外套"),
    ("Sandal", "凉鞋"),
    ("Shirt", "衬衫"),
    ("Sneaker", "运动鞋"),
    ("Bag", "包"),
    ("Ankle boot", "短靴"),
];

/// A model's, dataset's or class's name as a reader of `l` sees it: in Chinese the lesson's words
/// (逻辑回归, 大型神经网络, …) replace the English ones; sizes and acronyms stay.
pub fn name(s: &str, l: Lang) -> String {
    match l {
        Lang::En => s.to_string(),
        Lang::Zh if CLASSES_ZH.iter().any(|(en, _)| *en == s) => CLASSES_ZH
            .iter()
            .find(|(en, _)| *en == s)
            .map_or(s, |c| c.1)
            .to_string(),
        Lang::Zh => {
            let mut out = s.to_string();
            for (en, zh) in NAMES_ZH {
                out = out.replace(en, zh);
            }
            // a name inside Chinese text takes full-width brackets (also around Latin words:
            // "RBF SVM（C = 10）"), full-width commas between Chinese words, and "10%"
            out = out
                .replace(" (", "（")
                .replace('(', "（")
                .replace(')', "）")
                .replace(" %", "%");
            if has_han(&out) {
                out = out.replace(", ", "，");
            }
            // "NVIDIA H100 SXM（2022）, FP32": no half-width comma after a full-width bracket
            out = out.replace("）, ", "），");
            out.replace(" （", "（")
        }
    }
}

/// `s` with a space between a Han character and a Latin letter or digit that touch ("超过RBF SVM"
/// → "超过 RBF SVM", "SVM趋于平缓" → "SVM 趋于平缓"), as Chinese typography sets mixed scripts;
/// "T恤" (a T-shirt, one word) stays as it is; a space beside full-width punctuation goes
/// ("（256-128） 3.3" → "（256-128）3.3"). Safe on HTML: a tag's `<` and `>` never touch a
/// Han character and a letter at once.
pub fn spaced(s: &str) -> String {
    let han = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    // full-width punctuation carries its own space: none beside it
    let full_width = |c: char| "（）【】，。：；、！？“”".contains(c);
    let mut out = String::with_capacity(s.len() + 8);
    let mut prev: Option<char> = None;
    for c in s.chars() {
        if c == ' ' && prev.is_some_and(full_width) {
            continue;
        }
        if full_width(c) && out.ends_with(' ') {
            out.pop();
        }
        if let Some(p) = prev {
            let word = p == 'T' && c == '恤';
            if !word && ((han(p) && c.is_ascii_alphanumeric()) || (p.is_ascii_alphanumeric() && han(c))) {
                out.push(' ');
            }
        }
        out.push(c);
        prev = Some(c);
    }
    out
}

/// True when `s` has a Han character (the check that a Chinese text is Chinese).
pub fn has_han(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The English words (three or more Latin letters) in `s` that are not in `allowed`: what a
/// Chinese reader would meet untranslated. Acronyms and the names of functions, activations and
/// data sets that Chinese texts also write in Latin letters go in `allowed`.
pub fn english_words<'a>(s: &'a str, allowed: &[&str]) -> Vec<&'a str> {
    s.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 3 && !allowed.iter().any(|a| a.eq_ignore_ascii_case(w)))
        .collect()
}

/// Latin words a Chinese page of this lesson may show: acronyms, activations, optimisers, data
/// set and network names, units.
pub const LATIN_IN_CHINESE: &[&str] = &[
    "ReLU",
    "tanh",
    "sigmoid",
    "SVM",
    "RBF",
    "HOG",
    "CNN",
    "MLP",
    "Adam",
    "SGD",
    "Fashion",
    "MNIST",
    "LeNet",
    "AlexNet",
    "ImageNet",
    "GFLOP",
    "FLOP",
    "FLOPs",
    "TFLOP",
    "PFLOP",
    "GPU",
    "CPU",
    "FMA",
    "AVX",
    "log",
    "std",
    "Bayes",
    "Xavier",
    "He",
    "Krizhevsky",
    "Ng",
    "GHz",
    "GiB",
    "SVC",
    "LeCun",
    "Glorot",
    "PyTorch",
    "numpy",
    "linfa",
    "takeoff",
    "softmax",
    "lr",
    "max",
    "min",
    "quick",
    "default",
    "full",
    "TAKEOFF",
    "PROFILE",
    "NVIDIA",
    "Intel",
    "AMD",
    "Xeon",
    "EPYC",
    "Tesla",
    "H100",
    "H200",
    "CUDA",
    "V100",
    "A100",
    "GTX",
    "TPU",
    "Google",
    "JFT",
    "CIFAR",
    "LSUN",
    "ILSVRC",
    "JFT",
    "SXM",
    "Common",
    "Crawl",
    "GPT",
    "BERT",
    "Chinchilla",
    "Kaplan",
    "Hoffmann",
    "Epoch",
    "OpenAI",
    "Hestness",
    "Sevilla",
    "Sun",
    "Deng",
    "Russakovsky",
    "Nair",
    "Hinton",
    "Sutskever",
    "Xiao",
    "Rasul",
    "Vollgraf",
    "Zalando",
    "Dalal",
    "Triggs",
    "Jupyter",
    "JupyterLab",
    "evcxr",
    "Rust",
    "gemm",
    "sgemm",
    "eval",
    "nan",
    "inf",
    "loss",
    "proc",
    "cpuinfo",
    "matrixmultiply",
    "Mermaid",
    "SVG",
    "PDF",
    "HTML",
    "CSV",
    "API",
    "mean",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_settings_and_rejects_unknown_ones() {
        assert_eq!(parse_languages("zh,en").unwrap(), vec![Lang::Zh, Lang::En]);
        assert_eq!(parse_languages("both").unwrap(), Lang::ALL.to_vec());
        assert_eq!(parse_languages("EN").unwrap(), vec![Lang::En]);
        assert_eq!(parse_languages("zh-CN, zh").unwrap(), vec![Lang::Zh]);
        let e = parse_languages("fr").unwrap_err().to_string();
        assert!(e.contains("zh or en"), "{e}");
        assert!(parse_languages(" , ").is_err());
    }

    #[test]
    fn with_languages_is_local_and_restored() {
        with_languages(&[Lang::Zh], || {
            assert_eq!(languages(), vec![Lang::Zh]);
            with_languages(&Lang::ALL, || assert_eq!(languages().len(), 2));
            assert_eq!(languages(), vec![Lang::Zh]);
        });
    }

    #[test]
    fn latin_words_in_chinese_get_their_spaces() {
        assert_eq!(
            spaced("RBF SVM趋于平缓，超过RBF SVM"),
            "RBF SVM 趋于平缓，超过 RBF SVM"
        );
        assert_eq!(spaced("m = 100 时：成立"), "m = 100 时：成立");
        assert_eq!(spaced("在 m（100）处"), "在 m（100）处");
        assert_eq!(
            spaced("领先中型神经网络（256-128） 3.3 个百分点，T恤 （上衣）"),
            "领先中型神经网络（256-128）3.3 个百分点，T恤（上衣）"
        );
    }

    #[test]
    fn names_translate_the_lessons_words_and_keep_sizes() {
        assert_eq!(
            name("large NN (512-256-128)", Lang::Zh),
            "大型神经网络（512-256-128）"
        );
        // full-width brackets and commas, "10%", label noise named as such, a name said once
        assert_eq!(
            name("teacher task (d = 10, 4 classes, noise 10%) (held out)", Lang::Zh),
            "教师网络任务（d = 10，4 类，标签噪声 10%）（留出集）"
        );
        assert_eq!(
            name("CNN (LeNet 16-32-128)", Lang::Zh),
            "卷积神经网络（LeNet 16-32-128）"
        );
        // a search's candidates
        assert_eq!(name("α = 0.1, 10 iterations", Lang::Zh), "α = 0.1，10 次迭代");
        assert_eq!(
            name("small NN (32), lr = 0.001", Lang::Zh),
            "小型神经网络（32），学习率 = 0.001"
        );
        // names without Chinese words keep their ASCII punctuation
        assert_eq!(name("C = 10, γ = 0.5/d", Lang::Zh), "C = 10, γ = 0.5/d");
        assert_eq!(name("RBF SVM on HOG", Lang::Zh), "RBF SVM（HOG 特征）");
        assert_eq!(name("logistic regression", Lang::En), "logistic regression");
        assert_eq!(
            english_words("大型神经网络 (512) ReLU class", LATIN_IN_CHINESE),
            vec!["class"]
        );
    }
}
