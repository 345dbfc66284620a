//! Planting what Hex's API cannot create, for tests: a project's schedule, and a finished
//! scheduled run with the outcome a test needs (a failing scheduled project, say).

use std::time::Duration;

use uuid::Uuid;

use super::{Cadence, Outcome, Run, RunTrigger, SandboxState, Schedule, now_ms};

impl SandboxState {
    /// Replaces a project's schedules with one daily schedule, enabled or not. False for an
    /// unknown project.
    pub fn plant_schedule(&self, project_id: &str, enabled: bool) -> bool {
        let Ok(id) = Uuid::try_parse(project_id) else {
            return false;
        };
        let mut ws = self.shared.write();
        let Some(project) = ws.projects.get_mut(&id) else {
            return false;
        };
        project.schedules = vec![Schedule {
            cadence: Cadence::Daily,
            enabled,
            timezone: "+00:00",
            minute: 0,
            hour: 6,
            day_of_week: "MONDAY",
            day: 1,
            cron: "0 6 * * *",
        }];
        true
    }

    /// Adds a scheduled run of a project that started `ago` before now, ran for `took` and
    /// ended `status` (`COMPLETED`, `ERRORED`, `KILLED` or `UNABLE_TO_ALLOCATE_KERNEL`); it is
    /// the project's newest run. Returns its id; `None` for an unknown project or status.
    pub fn plant_scheduled_run(
        &self,
        project_id: &str,
        status: &str,
        ago: Duration,
        took: Duration,
    ) -> Option<String> {
        let project_id = Uuid::try_parse(project_id).ok()?;
        let (outcome, killed) = match status {
            "COMPLETED" => (Outcome::Completed, false),
            "ERRORED" => (Outcome::Errored, false),
            "KILLED" => (Outcome::Completed, true),
            "UNABLE_TO_ALLOCATE_KERNEL" => (Outcome::UnableToAllocateKernel, false),
            _ => return None,
        };
        let millis = |span: Duration| i64::try_from(span.as_millis()).unwrap_or(i64::MAX);
        let created_at = now_ms() - millis(ago);
        let running_ms = millis(took);
        let mut ws = self.shared.write();
        let version = ws.projects.get(&project_id)?.published_version.max(1);
        let id = Uuid::new_v4();
        ws.insert_run(Run {
            id,
            project_id,
            project_version: version,
            trigger: RunTrigger::Scheduled,
            created_at,
            pending_ms: 0,
            running_ms,
            outcome,
            killed_at: killed.then_some(created_at + running_ms),
            notifications: Vec::new(),
            flag_config_override: None,
        });
        Some(id.to_string())
    }
}
