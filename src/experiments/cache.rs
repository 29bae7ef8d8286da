//! The experiment cache: one JSON file per result, keyed by everything that can change it.

use super::{ModelSpec, Run};

use crate::data::Dataset;
use crate::error::{Result, TakeoffError};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

// ---------------------------------------------------------------- the cache

/// A folder of JSON results, one file per run, keyed by a hash of everything that determines
/// the result: crate source, data, model parameters, m and seed. An entry that does not parse or
/// whose stored key differs is recomputed, never trusted.
#[derive(Debug, Clone)]
pub struct Cache {
    pub dir: Option<PathBuf>,
}

impl Cache {
    /// `TAKEOFF_CACHE_DIR`, or `target/takeoff-cache` next to the crate (outside git).
    pub fn default_dir() -> PathBuf {
        std::env::var_os("TAKEOFF_CACHE_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("target")
                    .join("takeoff-cache")
            })
    }

    /// The lesson's cache.
    pub fn standard() -> Cache {
        Cache {
            dir: Some(Cache::default_dir()),
        }
    }

    /// No cache: every run is computed.
    pub fn none() -> Cache {
        Cache { dir: None }
    }

    /// A cache in `dir`.
    pub fn at(dir: impl Into<PathBuf>) -> Cache {
        Cache {
            dir: Some(dir.into()),
        }
    }

    fn path(&self, key: &str) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join(format!("{key}.json")))
    }

    /// The cached run for `key`, if present and intact.
    pub fn get(&self, key: &str) -> Option<Run> {
        self.get_value::<Run>(key).map(|run| Run { cached: true, ..run })
    }

    /// Stores a run (atomically: a crash never leaves a half-written entry under its name).
    pub fn put(&self, key: &str, run: &Run) -> Result<()> {
        self.put_value(key, run)
    }

    /// Any cached result for `key` (a race, say), if present, intact and stored under that key.
    pub fn get_value<T: serde::de::DeserializeOwned>(&self, key: &str) -> Option<T> {
        let text = std::fs::read_to_string(self.path(key)?).ok()?;
        let v: serde_json::Value = serde_json::from_str(&text).ok()?;
        (v.get("key")?.as_str()? == key).then_some(())?;
        serde_json::from_value(v.get("value")?.clone()).ok()
    }

    /// Stores any result under `key` (atomically, as [`Cache::put`]).
    pub fn put_value<T: Serialize>(&self, key: &str, value: &T) -> Result<()> {
        let Some(path) = self.path(key) else { return Ok(()) };
        let dir = path.parent().expect("cache file has a folder");
        std::fs::create_dir_all(dir).map_err(|e| TakeoffError::io(dir, e))?;
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let text = serde_json::json!({"key": key, "value": value}).to_string();
        std::fs::write(&tmp, text).map_err(|e| TakeoffError::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| TakeoffError::io(&path, e))
    }
}

/// A cache key for anything serialisable: SHA-256 of the crate's version and source hash and the
/// value's JSON.
pub fn value_key<T: Serialize>(what: &T) -> String {
    let mut h = Sha256::new();
    h.update(
        serde_json::to_string(&(env!("CARGO_PKG_VERSION"), env!("TAKEOFF_SOURCE_HASH"), what))
            .expect("keys serialise"),
    );
    hex(&h.finalize())[..32].to_string()
}

/// SHA-256 of a dataset's features, labels and class names.
pub fn fingerprint(data: &Dataset) -> String {
    let mut h = Sha256::new();
    h.update(format!("{:?}|{:?}", data.x.dim(), data.class_names).as_bytes());
    for v in data.x.iter() {
        h.update(v.to_le_bytes());
    }
    for &y in data.y.iter() {
        h.update((y as u64).to_le_bytes());
    }
    hex(&h.finalize())
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub(crate) fn run_key(
    source: &str,
    train: &str,
    test: &str,
    spec: &ModelSpec,
    m: usize,
    seed: u64,
) -> String {
    value_key(&(source, train, test, spec, m, seed))
}
