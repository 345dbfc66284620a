//! A cell's change as a unified diff, as people review code changes: the changed lines with a
//! line of context, cut when long.

use std::time::Duration;

use similar::TextDiff;

use crate::output::cut_text;

/// Lines of context around each change.
const CONTEXT: usize = 1;

/// The longest a diff is worked on: beyond, the differ gives a coarser (still correct) diff.
const DIFF_TIME: Duration = Duration::from_millis(200);

/// The hunks turning `before` into `after`, cut to `max_chars` with a marker naming the cell.
pub fn unified(before: &str, after: &str, max_chars: usize, cell_id: &str) -> String {
    let diff = TextDiff::configure()
        .timeout(DIFF_TIME)
        .diff_lines(before, after);
    let text = diff
        .unified_diff()
        .context_radius(CONTEXT)
        .missing_newline_hint(false)
        .to_string();
    cut_text(
        &text,
        max_chars,
        &format!("get_hex_cell with cell_id {cell_id} shows its whole source"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_show_the_changed_lines_with_context() {
        let before = "select *\nfrom dev.orders\nwhere x\nand y\n";
        let after = "select *\nfrom prod.orders\nwhere x\nand y\n";
        let diff = unified(before, after, 1_000, "c1");
        assert_eq!(
            diff,
            "@@ -1,3 +1,3 @@\n select *\n-from dev.orders\n+from prod.orders\n where x\n"
        );
        let long = unified(&"a\n".repeat(500), &"b\n".repeat(500), 100, "c1");
        assert!(long.contains("more characters; get_hex_cell with cell_id c1"));
    }
}
