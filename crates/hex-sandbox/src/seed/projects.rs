//! Seeded projects with their notebooks and past runs.

use std::borrow::Cow;

use uuid::Uuid;

use super::pools::{self, CATEGORIES, INPUTS, STATUSES};
use super::{Context, DAY, EPOCH, Rng, some_of};
use crate::state::{
    Access, Analytics, CELL_ORDER_GAP, Cadence, Cell, CellType, Millis, Outcome, Project,
    ProjectType, Run, RunTrigger, Schedule, Sharing,
};

fn title(rng: &mut Rng, index: usize) -> (String, &'static str) {
    let topics: usize = pools::DEPARTMENTS.iter().map(|(_, t)| t.len()).sum();
    let slot = index % topics;
    let (dept, topic) = pools::DEPARTMENTS
        .iter()
        .flat_map(|(dept, topics)| topics.iter().map(move |t| (*dept, *t)))
        .nth(slot)
        .unwrap_or(("Finance", "Revenue dashboard"));
    let base = if rng.chance(60) {
        format!("{dept} - {topic}")
    } else {
        format!("{dept} {}", lower_first(topic))
    };
    if index < topics {
        (base, dept)
    } else {
        (format!("{base}{}", rng.pick(pools::TITLE_SUFFIXES)), dept)
    }
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.clone().next()) {
        // Keep acronyms such as "ARR" or "NPS" as they are.
        (Some(first), Some(second)) if !second.is_uppercase() => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => text.to_owned(),
    }
}

pub(super) fn project(rng: &mut Rng, cx: &Context, index: usize) -> Project {
    let id = rng.uuid();
    let (title, dept) = title(rng, index);
    let created_at = EPOCH - 30 * DAY - rng.millis(700 * DAY);
    let last_edited_at = created_at + rng.millis(EPOCH - created_at);
    let published = !rng.chance(12);
    let last_published_at =
        published.then(|| created_at + rng.millis(last_edited_at - created_at + 1));
    let archived_at = rng
        .chance(8)
        .then(|| last_edited_at + rng.millis(EPOCH - last_edited_at));
    let trashed_at = (archived_at.is_none() && rng.chance(5))
        .then(|| last_edited_at + rng.millis(EPOCH - last_edited_at));
    let creator = rng.pick(&cx.editors);
    let owner = if rng.chance(80) {
        creator
    } else {
        rng.pick(&cx.editors)
    };
    let mut categories: Vec<_> = CATEGORIES.iter().filter(|c| c.name == dept).collect();
    if rng.chance(15) {
        categories.extend(CATEGORIES.iter().filter(|c| c.name == "Executive"));
    }
    if rng.chance(10) {
        categories.extend(CATEGORIES.iter().filter(|c| c.name == "Certified"));
    }
    let input_count = 1 + rng.index(3);
    let first_input = rng.index(INPUTS.len());
    Project {
        id,
        title,
        description: rng
            .chance(80)
            .then(|| rng.pick(pools::DESCRIPTIONS).to_owned()),
        kind: if rng.chance(8) {
            ProjectType::Component
        } else {
            ProjectType::Project
        },
        creator,
        owner,
        status: rng.chance(75).then(|| rng.pick(STATUSES)),
        categories,
        reviews_required: rng.chance(15),
        analytics: analytics(rng, last_published_at),
        last_edited_at,
        last_published_at,
        created_at,
        archived_at,
        trashed_at,
        schedules: if published && rng.chance(25) {
            vec![schedule(rng)]
        } else {
            Vec::new()
        },
        sharing: sharing(rng, cx, owner),
        inputs: (0..input_count)
            .filter_map(|k| INPUTS.get((first_input + k * 2) % INPUTS.len()))
            .collect(),
        runs_fail: published && rng.chance(10),
        published_version: if published {
            1 + rng.below(40) as u32
        } else {
            0
        },
    }
}

fn analytics(rng: &mut Rng, last_published_at: Option<Millis>) -> Analytics {
    let Some(published) = last_published_at else {
        return Analytics {
            published_results_updated_at: None,
            last_viewed_at: None,
            app_views: [0; 4],
        };
    };
    let all_time = rng.below(5000) as u32;
    let thirty = if all_time == 0 {
        0
    } else {
        rng.below(u64::from(all_time.min(600)) + 1) as u32
    };
    let fourteen = thirty / 2;
    let seven = fourteen / 2;
    Analytics {
        published_results_updated_at: Some(published + rng.millis(EPOCH - published)),
        last_viewed_at: (all_time > 0).then(|| EPOCH - rng.millis(45 * DAY)),
        app_views: [all_time, thirty, fourteen, seven],
    }
}

fn schedule(rng: &mut Rng) -> Schedule {
    Schedule {
        cadence: rng.pick_or(Cadence::ALL, Cadence::Daily),
        enabled: rng.chance(85),
        timezone: rng.pick(pools::TIMEZONES),
        minute: rng.pick(&[0u8, 15, 30, 45]),
        hour: rng.below(24) as u8,
        day_of_week: rng.pick(pools::DAYS),
        day: 1 + rng.below(28) as u8,
        cron: rng.pick(pools::CRONS),
    }
}

fn sharing(rng: &mut Rng, cx: &Context, owner: Uuid) -> Sharing {
    const SHARE: &[Access] = &[
        Access::AppOnly,
        Access::CanView,
        Access::CanEdit,
        Access::FullAccess,
    ];
    let users = some_of(rng, &cx.users, 0, 3)
        .into_iter()
        .filter(|id| *id != owner)
        .map(|id| (id, rng.pick_or(SHARE, Access::CanView)))
        .collect();
    let groups = some_of(rng, &cx.groups, 0, 2)
        .into_iter()
        .map(|id| (id, rng.pick_or(SHARE, Access::CanView)))
        .collect();
    let collections = if rng.chance(40) {
        vec![(
            rng.pick(&cx.collections),
            rng.pick_or(&[Access::AppOnly, Access::CanView], Access::CanView),
        )]
    } else {
        Vec::new()
    };
    Sharing {
        users,
        groups,
        collections,
        workspace: rng.pick_or(
            &[
                Access::None,
                Access::AppOnly,
                Access::CanView,
                Access::CanView,
                Access::CanEdit,
            ],
            Access::CanView,
        ),
        public_web: if rng.chance(5) {
            Access::AppOnly
        } else {
            Access::None
        },
        support: if rng.chance(3) {
            Access::CanView
        } else {
            Access::None
        },
    }
}

/// A notebook: markdown, an input, SQL, Python, SQL, then charts and tables.
pub(super) fn cells(rng: &mut Rng, cx: &Context, project: &Project, count: usize) -> Vec<Cell> {
    const AFTER_FIVE: &[CellType] = &[
        CellType::Chart,
        CellType::Sql,
        CellType::Code,
        CellType::Markdown,
        CellType::DisplayTable,
    ];
    let connection = Some(rng.pick(&cx.connections)).filter(|id| !id.is_nil());
    (0..count)
        .map(|i| {
            let kind = match i {
                0 => CellType::Markdown,
                1 => CellType::Input,
                2 | 4 => CellType::Sql,
                3 => CellType::Code,
                _ => AFTER_FIVE
                    .get((i - 5) % AFTER_FIVE.len())
                    .copied()
                    .unwrap_or(CellType::Sql),
            };
            let mut cell = Cell {
                id: rng.uuid(),
                static_id: rng.uuid(),
                project_id: project.id,
                kind,
                label: None,
                data_connection: None,
                source: Cow::Borrowed(""),
                output_dataframe: None,
                order: (i as u64 + 1) * CELL_ORDER_GAP,
            };
            fill_cell(rng, &mut cell, project, connection);
            cell
        })
        .collect()
}

fn fill_cell(rng: &mut Rng, cell: &mut Cell, project: &Project, connection: Option<Uuid>) {
    match cell.kind {
        CellType::Markdown => cell.source = Cow::Borrowed(rng.pick(pools::MARKDOWN)),
        CellType::Input => cell.label = project.inputs.first().map(|i| i.name.to_owned()),
        CellType::Sql => {
            let (label, dataframe, sql) = rng.pick(pools::SQL);
            cell.label = Some(label.to_owned());
            cell.output_dataframe = Some(dataframe.to_owned());
            cell.source = Cow::Borrowed(sql);
            cell.data_connection = connection;
        }
        CellType::Code => {
            let (label, source) = rng.pick(pools::PYTHON);
            cell.label = Some(label.to_owned());
            cell.source = Cow::Borrowed(source);
        }
        _ => cell.label = Some("Chart".to_owned()),
    }
}

/// Past runs of published projects: API and scheduled triggers, mixed outcomes.
pub(super) fn runs(rng: &mut Rng, project: &Project) -> Vec<Run> {
    let Some(published) = project.last_published_at else {
        return Vec::new();
    };
    let count = rng.below(6) as usize;
    let mut start = published;
    (0..count)
        .map(|_| {
            start += rng.millis((EPOCH - start) / 3 + 1);
            let pending_ms = 500 + rng.millis(4_500);
            let running_ms = 5_000 + rng.millis(600_000);
            let roll = rng.below(100);
            let (outcome, killed) = match roll {
                _ if project.runs_fail && roll < 85 => (Outcome::Errored, false),
                0..=79 => (Outcome::Completed, false),
                80..=89 => (Outcome::Errored, false),
                90..=96 => (Outcome::Completed, true),
                _ => (Outcome::UnableToAllocateKernel, false),
            };
            let trigger = match rng.below(100) {
                0..=49 => RunTrigger::Api,
                50..=84 => RunTrigger::Scheduled,
                _ => RunTrigger::AppRefresh,
            };
            Run {
                id: rng.uuid(),
                project_id: project.id,
                project_version: project.published_version.max(1),
                trigger,
                created_at: start,
                pending_ms,
                running_ms,
                outcome,
                killed_at: killed.then(|| start + pending_ms + rng.millis(running_ms)),
                notifications: Vec::new(),
                flag_config_override: None,
            }
        })
        .collect()
}
