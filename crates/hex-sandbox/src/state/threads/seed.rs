//! Seeded topics and past threads: finished conversations of several users, sources and kinds,
//! some with warnings, feedback or an error, so ListThreads' filters have something to sort.

use uuid::Uuid;

use super::plan::{Failure, plan};
use super::{Feedback, KINDS, Resource, SOURCES, Thread, Turn, WARNING_TYPES, Warning, title_of};
use crate::seed::Rng;
use crate::state::{Millis, OrgRole, Workspace};

/// 2026-06-01T00:00:00Z, the seeded workspace's "now" (as in `seed.rs`).
const EPOCH: Millis = 1_780_272_000_000;
const DAY: Millis = 86_400_000;
const THREADS: usize = 24;

const TOPICS: &[&str] = &[
    "Revenue",
    "Churn",
    "Marketing funnel",
    "Sales pipeline",
    "Engineering reliability",
    "Web traffic",
    "Budget",
    "Customer support",
];

const PROMPTS: &[&str] = &[
    "What was revenue by month last quarter?",
    "Why did churn go up in March?",
    "Which campaign funnel stage loses the most leads?",
    "Compare pipeline coverage by territory",
    "How many incidents burned the error budget in May?",
    "Summarise web traffic by channel",
    "What is our quota attainment this year?",
    "Show the cash flow forecast against budget",
    "Which accounts are at risk of churn?",
    "Break down deploy frequency by team",
    "How did email engagement change after the redesign?",
    "Explain the ARR bridge for April",
];

const FOLLOW_UPS: &[&str] = &[
    "Now split that by region",
    "Can you chart it by week?",
    "Exclude internal test accounts",
];

const WARNINGS: &[&str] = &[
    "The data stops two weeks before the period asked about",
    "The question could mean gross or net figures",
    "No documentation describes the status column",
    "Some rows could not be attributed",
];

/// Seeds this area after the rest of the workspace, from its own random stream (so the ids of
/// everything seeded before stay the same).
pub(crate) fn seed(ws: &mut Workspace, rng: &mut Rng) {
    for name in TOPICS {
        let id = rng.uuid();
        ws.threads.add_topic(id, name);
    }
    let authors: Vec<Uuid> = ws
        .users
        .iter()
        .filter(|u| !matches!(u.role, OrgRole::EmbeddedUser | OrgRole::Anonymous))
        .map(|u| u.id)
        .collect();
    for index in 0..THREADS {
        let thread = past_thread(ws, rng, &authors, index);
        ws.threads.insert(thread);
    }
}

fn past_thread(ws: &Workspace, rng: &mut Rng, authors: &[Uuid], index: usize) -> Thread {
    let prompt = PROMPTS
        .get(index % PROMPTS.len())
        .copied()
        .unwrap_or("Hello");
    let created_at = EPOCH - DAY - rng.millis(90 * DAY);
    let user = match index {
        5 => None,
        _ if index.is_multiple_of(4) => Some(ws.me),
        _ => Some(rng.pick(authors)),
    };
    let mut turns = vec![past_turn(ws, rng, prompt, created_at)];
    if rng.chance(35) {
        let follow_up = rng.pick_or(FOLLOW_UPS, "Thanks");
        let asked_at = created_at + 60_000 + rng.millis(DAY / 4);
        turns.push(past_turn(ws, rng, follow_up, asked_at));
    }
    if index == 7
        && let Some(turn) = turns.last_mut()
    {
        turn.plan.failure = Some(Failure {
            kind: "NO_DATA",
            message: "The query returned no rows for the period asked about".to_owned(),
        });
    }
    let finished = turns.last().map_or(created_at, Turn::done_at);
    let warnings = past_warnings(rng);
    let project = turns.first().and_then(|turn| turn.plan.project);
    Thread {
        id: rng.uuid(),
        user,
        kind: pick_kind(rng),
        source: rng.pick_or(SOURCES, "HEX"),
        title: title_of(prompt),
        sensitive: rng.chance(10),
        muted: false,
        created_at,
        project: None,
        topics: ws.threads.topics_about(prompt),
        warnings_generated_at: (!warnings.is_empty()).then_some(finished),
        warnings,
        feedback: past_feedback(rng),
        summary: Some(format!("Answered: {}", title_of(prompt))),
        intent: Some(
            rng.pick_or(&["Analysis", "Lookup", "Explanation"], "Analysis")
                .to_owned(),
        ),
        resources: project
            .and_then(|id| ws.projects.get(&id))
            .map(|p| Resource {
                id: p.id,
                kind: "PROJECT",
                name: p.title.clone(),
            })
            .into_iter()
            .collect(),
        turns,
    }
}

fn past_turn(ws: &Workspace, rng: &mut Rng, prompt: &str, asked_at: Millis) -> Turn {
    Turn {
        prompt: prompt.to_owned(),
        asked_at,
        running_ms: 20_000 + rng.millis(160_000),
        plan: plan(ws, prompt, None),
    }
}

fn pick_kind(rng: &mut Rng) -> &'static str {
    let kind = match rng.below(10) {
        0..=6 => 0,
        7..=8 => 1,
        _ => 2,
    };
    KINDS.get(kind).copied().unwrap_or("THREADS")
}

fn past_warnings(rng: &mut Rng) -> Vec<Warning> {
    if !rng.chance(30) {
        return Vec::new();
    }
    let kind = rng.index(WARNING_TYPES.len());
    vec![Warning {
        id: rng.uuid(),
        kind: WARNING_TYPES.get(kind).copied().unwrap_or("OTHER"),
        summary: WARNINGS.get(kind).copied().unwrap_or("Other").to_owned(),
    }]
}

fn past_feedback(rng: &mut Rng) -> Vec<Feedback> {
    if !rng.chance(30) {
        return Vec::new();
    }
    let liked = rng.chance(60);
    vec![Feedback {
        id: rng.uuid(),
        text: if liked {
            "Exactly what I needed".to_owned()
        } else {
            "The numbers look off".to_owned()
        },
        kind: if liked || rng.chance(50) {
            "THUMBS"
        } else {
            "FLAG"
        },
        reason: (!liked).then_some("Incorrect data"),
        liked,
    }]
}
