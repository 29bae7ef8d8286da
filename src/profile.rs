//! Profiles size every experiment: `quick` for tests and CI, `default` for `make render`,
//! `full` for the long, faithful run. One environment variable, `TAKEOFF_PROFILE`, chooses.

use crate::error::{Result, TakeoffError};
use serde::{Deserialize, Serialize};

/// How big the lesson's experiments are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Profile {
    /// Seconds per chapter: small m, few epochs, one or two seeds.
    Quick,
    /// What `make render` uses: minutes per chapter.
    Default,
    /// The faithful run: all of Fashion-MNIST, several seeds; as long as it needs.
    Full,
}

impl Profile {
    /// Reads `TAKEOFF_PROFILE`; unset or empty means [`Profile::Default`].
    ///
    /// ```
    /// # fn main() -> takeoff::Result<()> {
    /// assert_eq!(takeoff::Profile::parse("quick")?, takeoff::Profile::Quick);
    /// assert!(takeoff::Profile::parse("fast").is_err());
    /// # Ok(()) }
    /// ```
    pub fn from_env() -> Result<Profile> {
        match std::env::var("TAKEOFF_PROFILE") {
            Ok(v) if !v.trim().is_empty() => Profile::parse(&v),
            _ => Ok(Profile::Default),
        }
    }

    /// Parses a profile name (case-insensitive).
    pub fn parse(name: &str) -> Result<Profile> {
        match name.trim().to_ascii_lowercase().as_str() {
            "quick" => Ok(Profile::Quick),
            "default" => Ok(Profile::Default),
            "full" => Ok(Profile::Full),
            _ => Err(TakeoffError::Profile {
                value: name.to_string(),
            }),
        }
    }

    /// The profile's name, as `TAKEOFF_PROFILE` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Quick => "quick",
            Profile::Default => "default",
            Profile::Full => "full",
        }
    }

    /// The profile in a sentence, with how to change it, for the reader.
    pub fn note(self) -> crate::lang::Text {
        let n = self.name();
        crate::lang::Text::new(
            format!("profile: {n} (set TAKEOFF_PROFILE=quick|default|full to change the size of every experiment)"),
            format!("配置：{n}（设置 TAKEOFF_PROFILE=quick|default|full 可改变所有实验的规模）"),
        )
    }

    /// Picks one of three values by profile: `profile.pick(quick, default, full)`.
    pub fn pick<T>(self, quick: T, default: T, full: T) -> T {
        match self {
            Profile::Quick => quick,
            Profile::Default => default,
            Profile::Full => full,
        }
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_profile_and_rejects_others() {
        assert_eq!(Profile::parse("QUICK").unwrap(), Profile::Quick);
        assert_eq!(Profile::parse(" default ").unwrap(), Profile::Default);
        assert_eq!(Profile::parse("full").unwrap(), Profile::Full);
        let err = Profile::parse("fast").unwrap_err().to_string();
        assert!(
            err.contains("\"fast\"") && err.contains("quick, default or full"),
            "{err}"
        );
    }

    #[test]
    fn pick_follows_profile() {
        assert_eq!(Profile::Quick.pick(1, 2, 3), 1);
        assert_eq!(Profile::Full.pick(1, 2, 3), 3);
    }
}
