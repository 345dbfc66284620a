//! Regular expressions from tool arguments: bounded in length and in compiled size, and compiled
//! off the I/O threads. Matching is linear in the text (the `regex` crate), so a pattern cannot
//! make a search take exponential time.

use regex::{Regex, RegexBuilder};

use crate::errors::ToolError;

/// The longest pattern, in characters: far more than a search needs, and short enough that
/// checking and compiling it takes microseconds.
pub const MAX_PATTERN_CHARS: usize = 1_000;

/// The most memory a compiled pattern, and its lazy DFA's cache, may take.
const MAX_COMPILED_BYTES: usize = 1 << 20;

/// Compiles `pattern` (the argument `field`) on a blocking thread: even a bounded pattern can
/// take milliseconds (case folding of Unicode classes), which would stall every other request
/// sharing the I/O threads.
pub async fn compile_off_the_io_threads(
    field: &'static str,
    pattern: String,
    case_insensitive: bool,
) -> Result<Regex, ToolError> {
    check_pattern_length(field, &pattern)?;
    tokio::task::spawn_blocking(move || compile(field, &pattern, case_insensitive))
        .await
        .map_err(|error| ToolError::internal(format!("compiling {field} failed: {error}")))?
}

/// Refuses a pattern too long before anything (the compiler included) looks at it.
fn check_pattern_length(field: &'static str, pattern: &str) -> Result<(), ToolError> {
    // Bytes bound characters from above: only count when the cheap check is not enough.
    if pattern.len() <= MAX_PATTERN_CHARS {
        return Ok(());
    }
    let chars = pattern.chars().count();
    if chars <= MAX_PATTERN_CHARS {
        return Ok(());
    }
    Err(ToolError::input(
        field,
        format!("must be 0–{MAX_PATTERN_CHARS} characters long; this one has {chars}"),
    ))
}

fn compile(field: &'static str, pattern: &str, case_insensitive: bool) -> Result<Regex, ToolError> {
    RegexBuilder::new(pattern)
        .case_insensitive(case_insensitive)
        .size_limit(MAX_COMPILED_BYTES)
        .dfa_size_limit(MAX_COMPILED_BYTES)
        .build()
        .map_err(|error| {
            ToolError::input(field, format!("not a valid regular expression: {error}"))
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn long_or_huge_patterns_are_refused_naming_the_field() {
        let long = "a".repeat(MAX_PATTERN_CHARS + 1);
        let error = compile_off_the_io_threads("pattern", long, false)
            .await
            .unwrap_err();
        assert!(error.to_string().contains("`pattern`"), "{error}");
        // Short, but its compiled form is far above the size limit.
        let huge = r"\w{500}\w{500}".to_string();
        let error = compile_off_the_io_threads("pattern", huge, true)
            .await
            .unwrap_err();
        assert!(error.to_string().contains("not a valid regular expression"));
        let plain = compile_off_the_io_threads("pattern", "Dev\\.".into(), false)
            .await
            .unwrap();
        assert!(plain.is_match("FROM Dev.x") && !plain.is_match("FROM dev.x"));
    }
}
