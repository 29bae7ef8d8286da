//! Hashes everything that can change an experiment's result, so that cached results are keyed by
//! the code that made them: the crate's source, its manifest and lockfile (dependency versions),
//! the patched dependencies' sources and manifests in `patches/` (not the lockfiles their own
//! tests write there: the lesson builds them with this crate's `Cargo.lock`), and the compiler's
//! version. The hash is FNV-1a over the
//! files' paths and bytes, the same on every toolchain and machine (std's `DefaultHasher` is not).
use std::path::{Path, PathBuf};

fn visit(dir: &Path, files: &mut Vec<PathBuf>) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n == "target") {
                    continue;
                }
                visit(&p, files);
            } else if p.extension().is_some_and(|x| x == "rs" || x == "toml") {
                files.push(p);
            }
        }
    }
}

/// 64-bit FNV-1a, continued from `h`.
fn fnv1a(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn main() {
    let mut files = vec![PathBuf::from("Cargo.toml"), PathBuf::from("Cargo.lock")];
    visit(Path::new("src"), &mut files);
    visit(Path::new("patches"), &mut files);
    files.sort();
    let mut h = 0xcbf2_9ce4_8422_2325;
    for f in &files {
        // paths with '/' on every system, each field ended so that names and contents cannot run together
        h = fnv1a(h, f.to_string_lossy().replace('\\', "/").as_bytes());
        h = fnv1a(h, &[0]);
        h = fnv1a(h, &std::fs::read(f).unwrap_or_default());
        h = fnv1a(h, &[0]);
    }
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .map(|o| o.stdout)
        .unwrap_or_default();
    h = fnv1a(h, &version);
    println!("cargo:rustc-env=TAKEOFF_SOURCE_HASH={h:016x}");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=patches");
    println!("cargo:rerun-if-changed=Cargo.toml");
    println!("cargo:rerun-if-changed=Cargo.lock");
}
