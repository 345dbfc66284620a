//! Hex's agent: threads (their life RUNNING → IDLE or ERROR, their messages) and topics.
//!
//! A thread is a list of turns (a prompt and the agent's planned answer). Where a turn is at a
//! given moment is computed from its timestamps, as runs are: no task runs in the background.
//! Thread and topic ids are plain strings (32 hex digits), as new-style operations type them.

mod plan;
mod seed;

use std::collections::{BTreeSet, HashMap};

use uuid::Uuid;

use super::{Millis, Workspace};

pub(crate) use plan::{Block, ERROR_HOOK, Plan, plan};
pub(crate) use seed::seed;

/// ListThreads `source` values (the sandbox writes the same words in answers).
pub(crate) const SOURCES: &[&str] = &["HEX", "SLACK", "MCP", "PUBLIC_API"];
/// ListThreads `type` values (the sandbox writes the same words in answers).
pub(crate) const KINDS: &[&str] = &["THREADS", "NOTEBOOK", "MODELING"];
/// ListThreads `warnings` values.
pub(crate) const WARNING_TYPES: &[&str] =
    &["DATA_LIMITATION", "USER_DOUBT", "MISSING_CONTEXT", "OTHER"];
/// ListThreads `roles` values.
pub(crate) const ROLES: &[&str] = &["ADMIN", "MANAGER", "EDITOR", "EXPLORER", "MEMBER", "GUEST"];

/// The workspace's threads and topics.
#[derive(Default)]
pub(crate) struct ThreadStore {
    pub(crate) threads: HashMap<Uuid, Thread>,
    /// ListThreads' order (newest created first, read backwards).
    pub(crate) created: BTreeSet<(Millis, Uuid)>,
    pub(crate) topics: HashMap<Uuid, String>,
    /// ListTopics' order: by name, case-insensitive.
    pub(crate) topic_names: BTreeSet<(String, Uuid)>,
}

impl ThreadStore {
    pub(crate) fn insert(&mut self, thread: Thread) {
        self.created.insert((thread.created_at, thread.id));
        self.threads.insert(thread.id, thread);
    }

    pub(crate) fn add_topic(&mut self, id: Uuid, name: &str) {
        self.topic_names.insert((name.to_lowercase(), id));
        self.topics.insert(id, name.to_owned());
    }

    /// Topics whose name shares a word with `text`, in name order.
    pub(crate) fn topics_about(&self, text: &str) -> Vec<Uuid> {
        let words = plan::words(text);
        self.topic_names
            .iter()
            .filter(|(name, _)| plan::words(name).iter().any(|w| words.contains(w)))
            .map(|(_, id)| *id)
            .collect()
    }
}

/// The string form of a thread or topic id.
pub(crate) fn format_id(id: &Uuid) -> String {
    id.simple().to_string()
}

/// A thread or topic id as sent; anything else than 32 hex digits names nothing.
pub(crate) fn parse_id(text: &str) -> Option<Uuid> {
    (text.len() == 32)
        .then(|| Uuid::try_parse(text).ok())
        .flatten()
}

pub(crate) struct Warning {
    pub(crate) id: Uuid,
    pub(crate) kind: &'static str,
    pub(crate) summary: String,
}

pub(crate) struct Feedback {
    pub(crate) id: Uuid,
    pub(crate) text: String,
    pub(crate) kind: &'static str,
    pub(crate) reason: Option<&'static str>,
    pub(crate) liked: bool,
}

/// An object a thread refers to (`resources`).
pub(crate) struct Resource {
    pub(crate) id: Uuid,
    pub(crate) kind: &'static str,
    pub(crate) name: String,
}

pub(crate) struct Thread {
    pub(crate) id: Uuid,
    pub(crate) user: Option<Uuid>,
    pub(crate) kind: &'static str,
    pub(crate) source: &'static str,
    pub(crate) title: String,
    pub(crate) sensitive: bool,
    /// Left out of ListThreads; still readable by id.
    pub(crate) muted: bool,
    pub(crate) created_at: Millis,
    /// The project backing the thread (CreateThread `projectId` or `newProject`).
    pub(crate) project: Option<Uuid>,
    pub(crate) topics: Vec<Uuid>,
    pub(crate) warnings: Vec<Warning>,
    pub(crate) warnings_generated_at: Option<Millis>,
    pub(crate) feedback: Vec<Feedback>,
    pub(crate) summary: Option<String>,
    pub(crate) intent: Option<String>,
    pub(crate) resources: Vec<Resource>,
    pub(crate) turns: Vec<Turn>,
}

/// One prompt and what the agent does with it.
pub(crate) struct Turn {
    pub(crate) prompt: String,
    pub(crate) asked_at: Millis,
    pub(crate) running_ms: Millis,
    pub(crate) plan: Plan,
}

/// GetThread `status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Idle,
    Running,
    Error,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Idle => "IDLE",
            Status::Running => "RUNNING",
            Status::Error => "ERROR",
        }
    }
}

impl Turn {
    pub(crate) fn done_at(&self) -> Millis {
        self.asked_at + self.running_ms
    }

    pub(crate) fn is_done(&self, now: Millis) -> bool {
        now >= self.done_at()
    }

    /// How many of the planned tasks the agent has started by `now`: they appear one by one,
    /// evenly spread over the running time, so a follower sees the work move on.
    pub(crate) fn tasks_seen(&self, now: Millis) -> usize {
        let planned = self.plan.tasks.len();
        if self.is_done(now) {
            return planned;
        }
        let elapsed = (now - self.asked_at).max(0);
        let step = self.running_ms / (planned as Millis + 1);
        if step <= 0 {
            return 0;
        }
        usize::try_from(elapsed / step).unwrap_or(0).min(planned)
    }

    pub(crate) fn status_at(&self, now: Millis) -> Status {
        match (self.is_done(now), &self.plan.failure) {
            (false, _) => Status::Running,
            (true, Some(_)) => Status::Error,
            (true, None) => Status::Idle,
        }
    }

    /// The response as it stands at `now`: the tasks started so far, then (once answered) the
    /// project, cell and text blocks. `None` while nothing is there yet.
    pub(crate) fn response_at(&self, now: Millis) -> Option<Vec<&Block>> {
        let tasks = self.plan.tasks.iter().take(self.tasks_seen(now));
        let answered = self.status_at(now) == Status::Idle;
        let blocks: Vec<&Block> = tasks
            .chain(self.plan.result.iter().filter(|_| answered))
            .collect();
        (!blocks.is_empty()).then_some(blocks)
    }
}

impl Thread {
    /// The latest turn (every thread has at least one).
    pub(crate) fn latest(&self) -> Option<&Turn> {
        self.turns.last()
    }

    pub(crate) fn status_at(&self, now: Millis) -> Status {
        self.latest()
            .map_or(Status::Idle, |turn| turn.status_at(now))
    }

    pub(crate) fn updated_at(&self, now: Millis) -> Millis {
        self.turns
            .iter()
            .map(|turn| {
                if turn.is_done(now) {
                    turn.done_at()
                } else {
                    turn.asked_at
                }
            })
            .fold(self.created_at, Millis::max)
    }

    /// Credits of the turns that have finished; `None` before the first one has.
    pub(crate) fn credits_at(&self, now: Millis) -> Option<f64> {
        let done: Vec<f64> = self
            .turns
            .iter()
            .filter(|turn| turn.is_done(now))
            .map(|turn| turn.plan.credits)
            .collect();
        (!done.is_empty()).then(|| done.iter().sum())
    }

    /// Whether `viewer` may see the contents (a sensitive thread shows them to its author only).
    pub(crate) fn visible_to(&self, viewer: Uuid) -> bool {
        !self.sensitive || self.user == Some(viewer)
    }
}

/// Shortens a prompt to a thread title: its first line, at most 80 characters, without the
/// sandbox's test hook.
pub(crate) fn title_of(prompt: &str) -> String {
    let line = prompt
        .replace(ERROR_HOOK, "")
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("Untitled thread")
        .to_owned();
    if line.chars().count() <= 80 {
        return line;
    }
    let cut: String = line.chars().take(79).collect();
    format!("{}…", cut.trim_end())
}

impl Workspace {
    pub(crate) fn thread(&self, id: &Uuid) -> Option<&Thread> {
        self.threads.threads.get(id)
    }
}

/// Test accessors for threads and topics.
impl super::SandboxState {
    /// Every thread id (muted ones too), newest created first.
    pub fn thread_ids(&self) -> Vec<String> {
        let ws = self.shared.read();
        ws.threads
            .created
            .iter()
            .rev()
            .map(|(_, id)| format_id(id))
            .collect()
    }

    /// A thread's status now (`IDLE`, `RUNNING`, `ERROR`), or `None` for an unknown id.
    pub fn thread_status(&self, thread_id: &str) -> Option<String> {
        let now = super::now_ms();
        self.with_thread(thread_id, |t| t.status_at(now).as_str().to_owned())
    }

    /// The prompts a thread was given, oldest first.
    pub fn thread_prompts(&self, thread_id: &str) -> Vec<String> {
        self.with_thread(thread_id, |t| {
            t.turns.iter().map(|turn| turn.prompt.clone()).collect()
        })
        .unwrap_or_default()
    }

    /// The `text` blocks of a thread's response now, joined by blank lines (`None` when there
    /// are none).
    pub fn thread_answer_text(&self, thread_id: &str) -> Option<String> {
        let now = super::now_ms();
        self.with_thread(thread_id, |t| {
            let texts: Vec<&str> = t
                .latest()
                .and_then(|turn| turn.response_at(now))
                .into_iter()
                .flatten()
                .filter_map(|block| match block {
                    Block::Text(text) => Some(text.as_str()),
                    _ => None,
                })
                .collect();
            (!texts.is_empty()).then(|| texts.join("\n\n"))
        })
        .flatten()
    }

    /// The project backing a thread (CreateThread `projectId` or `newProject`).
    pub fn thread_project(&self, thread_id: &str) -> Option<String> {
        self.with_thread(thread_id, |t| t.project.map(|id| id.to_string()))
            .flatten()
    }

    /// Topic ids, by name.
    pub fn topic_ids(&self) -> Vec<String> {
        let ws = self.shared.read();
        ws.threads
            .topic_names
            .iter()
            .map(|(_, id)| format_id(id))
            .collect()
    }

    fn with_thread<T>(&self, thread_id: &str, read: impl FnOnce(&Thread) -> T) -> Option<T> {
        let ws = self.shared.read();
        parse_id(thread_id).and_then(|id| ws.thread(&id)).map(read)
    }
}
