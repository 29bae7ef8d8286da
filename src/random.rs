//! Seeded random numbers: one portable generator for the whole crate, so the same seed gives
//! the same numbers on every machine.

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The crate's seeded generator (fast, portable, same stream on every machine).
pub type SeededRng = Xoshiro256PlusPlus;

/// A generator from a seed.
pub fn rng(seed: u64) -> SeededRng {
    SeededRng::seed_from_u64(seed)
}

/// One standard normal draw (Box–Muller; uses exactly two uniforms).
pub fn normal(rng: &mut SeededRng) -> f32 {
    let u1: f64 = rng.gen::<f64>().max(1e-300);
    let u2: f64 = rng.gen::<f64>();
    ((-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()) as f32
}
