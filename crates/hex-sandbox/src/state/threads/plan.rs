//! What the sandbox's "agent" does with a prompt: a deterministic plan drawn from the prompt
//! and the workspace. It picks the project whose title shares the most words with the prompt
//! (else one chosen by the prompt's fingerprint), uses that project's first SQL cell, and
//! answers with figures derived from the prompt, so the same prompt always gets the same answer.

use uuid::Uuid;

use crate::state::{CellType, Workspace};

/// A prompt containing this ends in ERROR: the test hook for the agent's failures.
pub(crate) const ERROR_HOOK: &str = "[sandbox:error]";

/// A block of GetThread's `response`.
pub(crate) enum Block {
    Text(String),
    Cell {
        id: Uuid,
        static_id: Uuid,
        label: Option<String>,
    },
    Project {
        id: Uuid,
        title: String,
    },
    Task(String),
}

/// Why a turn ends in ERROR.
pub(crate) struct Failure {
    pub(crate) kind: &'static str,
    pub(crate) message: String,
}

/// What the agent will have done once a turn ends.
pub(crate) struct Plan {
    /// `task` blocks, shown one by one while the turn runs.
    pub(crate) tasks: Vec<Block>,
    /// The project, cell and text blocks of the answer (shown when the turn ends IDLE).
    pub(crate) result: Vec<Block>,
    pub(crate) failure: Option<Failure>,
    pub(crate) credits: f64,
    /// The project the answer used.
    pub(crate) project: Option<Uuid>,
}

/// Words a prompt does not choose a project by.
const STOP_WORDS: &[&str] = &[
    "the", "and", "for", "what", "was", "were", "how", "why", "which", "who", "did", "does", "our",
    "last", "this", "that", "with", "from", "into", "per", "are", "show", "give", "many", "much",
    "tell", "about", "each", "by", "vs",
];

/// Lower-case words of at least three letters or digits, without stop words.
pub(crate) fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| word.chars().count() >= 3)
        .map(str::to_lowercase)
        .filter(|word| !STOP_WORDS.contains(&word.as_str()))
        .collect()
}

/// FNV-1a: a stable fingerprint of the prompt (std's hasher may change between releases).
pub(crate) fn fingerprint(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The plan for `prompt`, in `project` when given (CreateThread `projectId`, `newProject`, or
/// an attached project), else in the project the prompt is most about.
pub(crate) fn plan(ws: &Workspace, prompt: &str, project: Option<Uuid>) -> Plan {
    let print = fingerprint(prompt);
    let project = project.or_else(|| pick_project(ws, prompt, print));
    let project_ref = project.and_then(|id| ws.projects.get(&id));
    let cell = project.and_then(|id| main_cell(ws, &id));
    let title = project_ref.map_or("the workspace", |p| p.title.as_str());
    let label = cell.and_then(|c| c.label.clone());
    let source = label.as_ref().map_or_else(
        || "its data".to_owned(),
        |label| format!("the cell \"{label}\""),
    );
    let tasks = vec![
        Block::Task(format!("Find the data in {title}")),
        Block::Task(format!("Query {source}")),
        Block::Task("Summarise the result".to_owned()),
    ];
    let mut result = Vec::new();
    if let Some(p) = project_ref {
        result.push(Block::Project {
            id: p.id,
            title: p.title.clone(),
        });
    }
    if let Some(c) = cell {
        result.push(Block::Cell {
            id: c.id,
            static_id: c.static_id,
            label,
        });
    }
    result.push(Block::Text(answer_text(title, &source, print)));
    Plan {
        tasks,
        result,
        failure: prompt.contains(ERROR_HOOK).then(|| Failure {
            kind: "AGENT_ERROR",
            message: format!(
                "The agent stopped while querying {source}: the prompt asked the sandbox to fail ({ERROR_HOOK})"
            ),
        }),
        credits: 1.0 + (words(prompt).len() as f64) / 10.0,
        project,
    }
}

/// The answer's text, with figures derived from the prompt's fingerprint.
fn answer_text(title: &str, source: &str, print: u64) -> String {
    let cents = 1_000_000 + print % 900_000_000;
    let rows = 120 + (print >> 24) % 4_880;
    let tenths = i64::try_from((print >> 44) % 400).unwrap_or(0) - 200;
    format!(
        "In {title}, the total comes to {} across {} rows, {}{}.{}% on the previous period (from {source}).",
        money(cents),
        grouped(rows),
        if tenths < 0 { "-" } else { "+" },
        tenths.abs() / 10,
        tenths.abs() % 10,
    )
}

/// `1234567` → `1,234,567`.
fn grouped(number: u64) -> String {
    let digits = number.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `123456705` cents → `1,234,567.05`.
fn money(cents: u64) -> String {
    format!("{}.{:02}", grouped(cents / 100), cents % 100)
}

/// The live project sharing most words with the prompt (first created wins a tie), else one
/// picked by the fingerprint.
fn pick_project(ws: &Workspace, prompt: &str, print: u64) -> Option<Uuid> {
    let wanted = words(prompt);
    let live: Vec<Uuid> = ws
        .project_index
        .created
        .iter()
        .map(|(_, id)| *id)
        .filter(|id| {
            ws.projects
                .get(id)
                .is_some_and(|p| p.archived_at.is_none() && p.trashed_at.is_none())
        })
        .collect();
    let score = |id: &Uuid| {
        ws.projects.get(id).map_or(0, |p| {
            words(&p.title)
                .iter()
                .filter(|w| wanted.contains(w))
                .count()
        })
    };
    let mut best: Option<(usize, Uuid)> = None;
    for id in &live {
        let points = score(id);
        if points > 0 && best.is_none_or(|(top, _)| points > top) {
            best = Some((points, *id));
        }
    }
    best.map(|(_, id)| id).or_else(|| {
        let index = usize::try_from(print % (live.len().max(1) as u64)).unwrap_or(0);
        live.get(index).copied()
    })
}

/// The project's first SQL cell, else its first cell.
fn main_cell<'a>(ws: &'a Workspace, project: &Uuid) -> Option<&'a crate::state::Cell> {
    let cells: Vec<&crate::state::Cell> = ws
        .cell_order
        .get(project)?
        .iter()
        .filter_map(|(_, id)| ws.cells.get(id))
        .collect();
    cells
        .iter()
        .find(|c| c.kind == CellType::Sql)
        .or_else(|| cells.first())
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_grouped_by_thousands() {
        assert_eq!(money(123_456_705), "1,234,567.05");
        assert_eq!(money(99_910), "999.10");
        assert_eq!(grouped(4_096), "4,096");
        assert_eq!(grouped(120), "120");
    }

    #[test]
    fn words_ignore_case_short_words_and_stop_words() {
        assert_eq!(
            words("What was Revenue by region in Q3?"),
            ["revenue", "region"]
        );
    }

    #[test]
    fn the_same_prompt_gives_the_same_text() {
        let a = answer_text(
            "Finance - Revenue dashboard",
            "Revenue by month",
            fingerprint("x"),
        );
        let b = answer_text(
            "Finance - Revenue dashboard",
            "Revenue by month",
            fingerprint("x"),
        );
        let c = answer_text(
            "Finance - Revenue dashboard",
            "Revenue by month",
            fingerprint("y"),
        );
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
