//! Every chart and table the notebooks show, built in Chinese from small runs: no English word is
//! left outside the allowed acronyms and names, and the numbers are those of the English build.

use crate::experiments::{LearningCurve, Outcome, Run, Scores};
use crate::lang::{english_words, has_han, with_languages, Lang, LATIN_IN_CHINESE};
use crate::lesson::data_scale::{LARGE_NN, LOGISTIC, NETS, SMALL_NN, SVM, TRADITIONAL};
use crate::view::charts;
use crate::view::display::Figure;

/// A curve with the lesson's model names, two seeds, three sizes; the SVM skips the largest.
fn curve() -> LearningCurve {
    let mut runs = Vec::new();
    let models = [LOGISTIC, SVM, SMALL_NN, NETS[1], LARGE_NN];
    for (k, model) in models.iter().enumerate() {
        for (i, m) in [100, 1000, 10000].into_iter().enumerate() {
            for seed in 0..2 {
                let outcome = if *model == SVM && m == 10000 {
                    Outcome::NotRun {
                        reason: crate::TakeoffError::OverBudget {
                            model: SVM.into(),
                            m,
                            needed_gb: 1.0,
                            budget_gb: 8.0,
                            minutes: 30.0,
                            budget_minutes: 10.0,
                        }
                        .reason_for_reader(),
                    }
                } else {
                    Outcome::Ran(Scores {
                        train_accuracy: 0.9,
                        test_accuracy: 0.5 + 0.05 * i as f64 * k as f64 + 0.01 * seed as f64,
                        validation_accuracy: None,
                        fit_seconds: 0.1 * (i + 1) as f64,
                        training: None,
                    })
                };
                runs.push(Run {
                    model: (*model).into(),
                    m,
                    seed,
                    outcome,
                    cached: false,
                });
            }
        }
    }
    LearningCurve {
        task: "teacher task (d = 20, 4 classes, noise 5%)".into(),
        runs,
        ceiling: Some(0.95),
        models: models.iter().map(|m| m.to_string()).collect(),
        sizes: vec![100, 1000, 10000],
        test_size: 2000,
    }
}

/// The texts a reader sees in a plotly figure: titles, trace names, slider labels, bar categories.
fn plot_texts(v: &serde_json::Value, key: &str, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) if ["text", "name", "prefix", "x"].contains(&key) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| plot_texts(x, key, out)),
        serde_json::Value::Object(o) => o.iter().for_each(|(k, x)| plot_texts(x, k, out)),
        _ => {}
    }
}

fn untranslated(html_or_text: &str) -> Vec<String> {
    // tags and entities are markup, not words
    let text = regex_lite_strip(&without_code_and_citations(html_or_text));
    english_words(&text, LATIN_IN_CHINESE)
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// `html` without its `<cite>` and `<code>` elements: a cited title stays in its own language,
/// and code (a path, a command) is what it is in every language.
fn without_code_and_citations(html: &str) -> String {
    let mut kept = html.to_string();
    for (open, close) in [("<cite", "</cite>"), ("<code", "</code>")] {
        let mut out = String::new();
        let mut rest = kept.as_str();
        while let Some(i) = rest.find(open) {
            out += &rest[..i];
            rest = rest[i..].split_once(close).map_or("", |(_, b)| b);
        }
        out += rest;
        kept = out;
    }
    kept
}

fn regex_lite_strip(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// Mixed-script slips in a Chinese text (tags, code and citations left out): half-width
/// punctuation touching a Han character, and a Han character touching a Latin letter or digit
/// with no space between ("T恤", one word, aside).
fn typography(html_or_text: &str) -> Vec<String> {
    // a tag separates what it stands between (two table cells are not one word)
    let spaced_tags = without_code_and_citations(html_or_text)
        .replace('<', " <")
        .replace('>', "> ");
    let text = regex_lite_strip(&spaced_tags);
    let chars: Vec<char> = text.chars().collect();
    let han = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    let mut slips = Vec::new();
    for (i, w) in chars.windows(2).enumerate() {
        let (a, b) = (w[0], w[1]);
        let half = |c: char| ",;:()!?".contains(c);
        let touching = (han(a) && b.is_ascii_alphanumeric()) || (a.is_ascii_alphanumeric() && han(b));
        // "(" after a space opens a bracket in running text ("任务 (d = 10"), where Chinese takes
        // "（"; a formula's "N(0, I)" or "m^(−0.3)" keeps its own
        let opening = b == '(' && a == ' ';
        if (han(a) && half(b)) || (half(a) && han(b)) || opening || (touching && !(a == 'T' && b == '恤')) {
            let from = i.saturating_sub(8);
            slips.push(chars[from..(i + 10).min(chars.len())].iter().collect());
        }
    }
    slips
}

fn check_figure(what: &str, f: &Figure) {
    assert_eq!(f.lang, Some(Lang::Zh), "{what}");
    let mut texts = vec![f.summary.clone()];
    plot_texts(&serde_json::from_str(&f.to_json()).unwrap(), "", &mut texts);
    if let Some(t) = &f.table {
        texts.extend(t.header.iter().cloned());
        texts.extend(t.rows.iter().flatten().cloned());
    }
    let words: Vec<String> = texts.iter().flat_map(|t| untranslated(t)).collect();
    assert!(
        words.is_empty(),
        "{what}: English left in the Chinese figure: {words:?}\n{texts:?}"
    );
    let slips: Vec<String> = texts.iter().flat_map(|t| typography(t)).collect();
    assert!(
        slips.is_empty(),
        "{what}: mixed-script slips in Chinese: {slips:?}"
    );
    assert!(has_han(&f.summary), "{what}: {}", f.summary);
}

fn check_html(what: &str, html: &str) {
    let words = untranslated(html);
    assert!(
        words.is_empty(),
        "{what}: English left in the Chinese HTML: {words:?}\n{html}"
    );
    let zh = html.split("lang=\"en\"").next().unwrap_or(html);
    let slips = typography(zh);
    assert!(
        slips.is_empty(),
        "{what}: mixed-script slips in Chinese: {slips:?}"
    );
    assert!(has_han(html), "{what}");
    assert!(
        html.contains("lang=\"zh-Hans\"") && !html.contains("class=\"takeoff-lang\" lang=\"en\""),
        "{what}"
    );
}

#[test]
fn every_chart_reads_in_chinese() {
    let c = curve();
    let race = crate::experiments::race::activation_race(&crate::experiments::race::RaceConfig {
        data: crate::data::moons(40, 0.1, 0).unwrap(),
        net: crate::experiments::race::RaceNet::Mlp(vec![8]),
        activations: vec![
            crate::models::activation::Activation::Sigmoid,
            crate::models::activation::Activation::Tanh,
            crate::models::activation::Activation::Relu,
        ],
        learning_rates: vec![0.1],
        momentum: 0.9,
        search_epochs: 1,
        epochs: 3,
        batch_size: 16,
        seeds: vec![0, 1],
        target_error: 0.5,
        strict_error: 0.2,
    })
    .unwrap();
    let spirals = crate::data::spirals(48, 3, 0.1, 0).unwrap();
    let nets = [
        (
            crate::models::activation::Activation::Sigmoid,
            crate::models::activation::Init::Xavier,
        ),
        (
            crate::models::activation::Activation::Relu,
            crate::models::activation::Init::He,
        ),
    ];
    let sweep = crate::experiments::gradients::depth_sweep(&spirals, &[2, 4], 8, &nets, 0).unwrap();
    let cpu = crate::experiments::hardware::Cpu::from_cpuinfo(
        "model name : Intel Xeon\ncpu MHz : 2000\nflags : avx2 fma\n",
        2,
    );
    let speeds: Vec<(String, f64)> = crate::kernels::reference::Kernel::ALL
        .iter()
        .enumerate()
        .map(|(i, k)| (k.name().to_string(), 1.0 + i as f64))
        .collect();
    let costs: Vec<crate::experiments::hardware::EpochCost> = ["small NN (32)", "large NN (512-256-128)"]
        .iter()
        .flat_map(|m| {
            [1000, 4000].map(|n| crate::experiments::hardware::EpochCost {
                model: m.to_string(),
                m: n,
                flops_per_example: 1e6,
                seconds: n as f64 * 1e-4,
            })
        })
        .collect();
    let fashion_like = crate::data::Dataset::new(
        "Fashion-MNIST (train)",
        ndarray::Array2::zeros((3, 4)),
        ndarray::Array1::from(vec![0, 1, 1]),
        vec!["T-shirt/top".into(), "Ankle boot".into()],
    )
    .unwrap();
    with_languages(&[Lang::Zh], || {
        check_figure("scaling", &charts::scaling(&c));
        check_figure("fit_time", &charts::fit_time(&c));
        check_figure("accuracy_vs_time", &charts::accuracy_vs_time(&c));
        check_figure("ng_schematic", &charts::ng_schematic());
        check_figure("class_balance", &charts::class_balance(&fashion_like));
        check_figure("activations", &charts::activations());
        check_figure("race_progress", &charts::race_progress(&race, false));
        check_figure("race_progress by time", &charts::race_progress(&race, true));
        check_figure(
            "gradient_norms_in_training",
            &charts::gradient_norms_in_training(&race),
        );
        check_figure(
            "gradient_norms_by_depth",
            &charts::gradient_norms_by_depth(&sweep),
        );
        check_figure(
            "gradient_norms",
            &charts::gradient_norms(&[("sigmoid + Xavier".into(), vec![1e-3, 1e-1])]),
        );
        check_figure(
            "training_loss",
            &charts::training_loss(&race.first_seed_histories()),
        );
        check_figure("kernel_speeds", &charts::kernel_speeds(&speeds, &cpu, 64));
        check_figure("epoch_cost", &charts::epoch_cost(&costs));
        check_html(
            "first_of_each_class",
            &charts::first_of_each_class(&fashion_like).0,
        );
        let claims = c.check_claims(&TRADITIONAL, &NETS).unwrap();
        check_html("claims_table", &crate::view::tables::claims_table(&claims).html);
        check_html(
            "growth_table",
            &crate::view::tables::growth_table(&crate::lesson::compute::growth()).0,
        );
        check_html(
            "alexnet_here",
            &crate::lesson::compute::alexnet_here(100.0).to_html(),
        );
        check_html(
            "experiments_per_hour",
            &crate::lesson::compute::experiments_per_hour(&costs, 60_000, 20, &cpu)
                .unwrap()
                .to_html(),
        );
        let formula = crate::lesson::takeaways::success_formula(&c, SMALL_NN, LARGE_NN, &race).unwrap();
        check_html("success_formula", &formula.to_html());
        check_html("race verdict", &race.verdict().to_html());
        check_html("race verdict_time", &race.verdict_time().to_html());
        check_html("step_costs", &race.step_costs().to_html());
        check_html("not_run_note", &c.not_run_note().to_html());
        check_html("extrapolations", &c.extrapolations(&NETS).to_html());
        check_html("cpu", &cpu.describe().to_html());
        let with_validation = crate::experiments::claims::tests::with_validation(c.clone());
        let best = with_validation
            .best_of_each(&[LOGISTIC], &[SMALL_NN, LARGE_NN])
            .unwrap();
        check_html("best_of_each", &best.to_html());
        let features = with_validation
            .feature_claims(&[LOGISTIC], &[SMALL_NN, LARGE_NN])
            .unwrap();
        check_html(
            "feature_claims",
            &crate::view::tables::claims_table(&features).html,
        );
        // a validation search, as chapter 1's nets' searches show it
        let moons = crate::data::moons(200, 0.2, 0).unwrap();
        let (pool, held) = moons.split(0.3, 0).unwrap();
        let candidates = crate::experiments::CurveConfig {
            train: pool,
            test: held,
            validation: None,
            models: [0.1, 1.0]
                .iter()
                .map(|&a| {
                    (
                        format!("{LOGISTIC}, α = {a}"),
                        crate::experiments::ModelSpec::Logistic(
                            crate::models::baselines::LogisticParams::new().alpha(a),
                        ),
                    )
                })
                .collect(),
            sizes: vec![100],
            seeds: vec![0],
            ceiling: None,
        };
        let dir = std::env::temp_dir().join(format!("takeoff-lang-search-{}", std::process::id()));
        let default =
            crate::experiments::ModelSpec::Logistic(crate::models::baselines::LogisticParams::new());
        let search = crate::experiments::validation_search(
            &candidates,
            &crate::experiments::Cache::at(&dir),
            &default,
        )
        .unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        check_html("search", &search.table().0);
        let nets = crate::lesson::data_scale::NetSearches {
            searches: vec![(LARGE_NN.to_string(), search)],
        };
        check_html("net searches", &nets.to_html());
        let turn = crate::lesson::compute::LoopTurn {
            change: crate::lang::Text::new("large NN: learning rate 0.002", "大型神经网络：学习率改为 0.002"),
            model: LARGE_NN.into(),
            m: 10_000,
            seconds: 12.0,
            test_accuracy: 0.85,
        };
        check_html("loop turn", &turn.to_html());
        // the seed's own map, as its notes write it (with English terms in brackets)
        let map = crate::view::mindmap::lesson().unwrap().0;
        assert!(has_han(&map) && !map.contains("Why is deep learning"), "{map}");
    });
}

#[test]
fn both_languages_carry_the_same_numbers() {
    let c = curve();
    let f = with_languages(&Lang::ALL, || charts::scaling(&c));
    assert_eq!(f.lang, Some(Lang::Zh));
    assert_eq!(f.translations.len(), 1);
    let en = &f.translations[0];
    assert_eq!(en.lang, Some(Lang::En));
    let data = |f: &Figure| {
        let v: serde_json::Value = serde_json::from_str(&f.to_json()).unwrap();
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["x"].clone(), t["y"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(data(&f), data(en), "the same points in both languages");
    let html = f.to_html();
    assert_eq!(html.matches("class=\"takeoff-lang\"").count(), 2);
    assert!(html.contains("lang=\"zh-Hans\"") && html.contains("lang=\"en\""));
    let t = en.table.as_ref().unwrap();
    let z = f.table.as_ref().unwrap();
    let numbers =
        |t: &crate::view::display::Table| t.rows.iter().map(|r| r[1..].to_vec()).collect::<Vec<_>>();
    assert_eq!(numbers(t), numbers(z));
    assert_eq!(
        with_languages(&[Lang::En], || charts::scaling(&c))
            .translations
            .len(),
        0
    );
}

#[test]
fn the_typography_check_catches_each_slip() {
    assert!(typography("<td>超过 RBF SVM（C = 10）</td><td>成立</td><td>T恤</td>").is_empty());
    for slip in [
        "超过RBF SVM",
        "SVM趋于平缓",
        "教师网络任务 (d = 10)",
        "4 类, 噪声",
        "在 m = 10 时:",
        "<p>RBF SVM (C = 1)的</p>",
    ] {
        assert!(!typography(slip).is_empty(), "{slip}");
    }
    assert!(typography("<code>bench/x.py</code>上").is_empty());
}

#[test]
fn text_renders_one_block_per_language() {
    use crate::lang::Text;
    let t = Text::new("holds <b>", "成立 <b>");
    let html = with_languages(&Lang::ALL, || t.to_html());
    assert!(
        html.contains("lang=\"zh-Hans\"><p>成立 &lt;b&gt;</p></div>"),
        "{html}"
    );
    assert!(
        html.contains("lang=\"en\"><p>holds &lt;b&gt;</p></div>"),
        "{html}"
    );
    assert_eq!(with_languages(&[Lang::Zh], || t.to_string()), "成立 <b>");
    assert_eq!(t.clone().then(&Text::new("too.", "也是。")).zh, "成立 <b>也是。");
}

/// The nets of the gradient chart at initialisation are named in each language, never by a
/// type's debug name ("NaiveSmall").
#[test]
fn nets_at_initialisation_are_named_in_words() {
    use crate::models::activation::{Activation, Init};
    let data = crate::data::spirals(32, 3, 0.1, 0).unwrap();
    let pairs = [
        (Activation::Sigmoid, Init::NaiveSmall),
        (Activation::Relu, Init::He),
    ];
    let sweep = crate::experiments::gradients::depth_sweep(&data, &[3], 8, &pairs, 0).unwrap();
    let f = with_languages(&Lang::ALL, || charts::gradient_norms_at_init(&sweep));
    let all = format!(
        "{} {}",
        f.summary,
        f.translations
            .iter()
            .map(|t| t.summary.clone())
            .collect::<String>()
    );
    assert!(!all.contains("NaiveSmall"), "{all}");
    assert!(
        all.contains("sigmoid + small random (× 0.01)") && all.contains("sigmoid + 小随机数（× 0.01）"),
        "{all}"
    );
}
