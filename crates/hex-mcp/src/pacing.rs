//! `HEX_MCP_RATE_LIMITS`: the client-side pacing, configurable because Hex says its limits "may
//! vary" by workspace. `off` turns pacing off (Hex's 429s are then the only brake: for a
//! workspace with higher limits, or for measuring against the sandbox); otherwise a
//! comma-separated list of `GROUP=QUOTA[+QUOTA]`, a quota being `N/min`, `N/h` or `none`, e.g.
//! `hex-api=60/min+3600/h,hex-run-kernel=20/min`.

use std::time::Duration;

use hex_client::{Quota, RateGroup, RateLimits};

/// The environment variable.
pub const ENV_RATE_LIMITS: &str = "HEX_MCP_RATE_LIMITS";

/// Hex's documented defaults with the variable's changes; an unreadable value is an error that
/// says what is accepted.
pub fn from_env(value: Option<&str>) -> Result<RateLimits, String> {
    let Some(spec) = value.map(str::trim).filter(|spec| !spec.is_empty()) else {
        return Ok(RateLimits::default());
    };
    if spec.eq_ignore_ascii_case("off") {
        return Ok(RateLimits::disabled());
    }
    let mut limits = RateLimits::default();
    for item in spec
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
    {
        let (group, quotas) = item
            .split_once('=')
            .ok_or_else(|| problem(item, "write GROUP=QUOTA"))?;
        let group = RateGroup::from_name(group).ok_or_else(|| {
            let names: Vec<&str> = RateGroup::ALL.iter().map(|group| group.name()).collect();
            problem(item, &format!("the groups are {}", names.join(", ")))
        })?;
        limits = limits.with_group(group, quotas_of(item, quotas)?);
    }
    Ok(limits)
}

fn quotas_of(item: &str, text: &str) -> Result<Vec<Quota>, String> {
    if text.trim().eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    text.split('+').map(|quota| quota_of(item, quota)).collect()
}

fn quota_of(item: &str, text: &str) -> Result<Quota, String> {
    let (count, per) = text
        .trim()
        .split_once('/')
        .ok_or_else(|| problem(item, "a quota is N/min or N/h"))?;
    let max: u32 = count
        .trim()
        .parse()
        .ok()
        .filter(|max| *max > 0)
        .ok_or_else(|| problem(item, "a quota's count is a whole number above 0"))?;
    let per = match per.trim().to_ascii_lowercase().as_str() {
        "s" | "sec" | "second" => Duration::from_secs(1),
        "min" | "m" | "minute" => Duration::from_secs(60),
        "h" | "hour" => Duration::from_secs(3600),
        _ => return Err(problem(item, "a quota is per s, min or h")),
    };
    Ok(Quota { max, per })
}

fn problem(item: &str, fix: &str) -> String {
    format!("{ENV_RATE_LIMITS}: cannot read `{item}`: {fix} (or `off`)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_is_hexs_defaults_and_off_disables_pacing() {
        assert_eq!(from_env(None).unwrap(), RateLimits::default());
        assert_eq!(from_env(Some(" ")).unwrap(), RateLimits::default());
        assert!(!from_env(Some("OFF")).unwrap().enabled);
    }

    #[test]
    fn groups_take_their_own_quotas() {
        let limits = from_env(Some(
            "hex-api=60/min+3600/h, hex-run-kernel=20/min, hex-chart-image=none",
        ))
        .unwrap();
        assert_eq!(
            limits.groups[&RateGroup::HexApi],
            vec![Quota::per_minute(60), Quota::per_hour(3600)]
        );
        assert_eq!(
            limits.groups[&RateGroup::RunKernel],
            vec![Quota::per_minute(20)]
        );
        assert!(limits.groups[&RateGroup::ChartImage].is_empty());
        assert_eq!(
            limits.groups[&RateGroup::HexApi30Rpm],
            RateLimits::default().groups[&RateGroup::HexApi30Rpm]
        );
    }

    #[test]
    fn mistakes_say_what_is_accepted() {
        for (spec, hint) in [
            ("hex-apy=1/min", "hex-api-30rpm"),
            ("hex-api", "GROUP=QUOTA"),
            ("hex-api=0/min", "above 0"),
            ("hex-api=5/day", "per s, min or h"),
        ] {
            let error = from_env(Some(spec)).unwrap_err();
            assert!(
                error.contains(hint) && error.contains(ENV_RATE_LIMITS),
                "{error}"
            );
        }
    }
}
