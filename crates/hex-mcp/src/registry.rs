//! How a tool is declared, and the one place that decides which tools a session sees.
//!
//! A tool is a type implementing [`HexTool`]. Its toolset, its effect on the workspace (from
//! which all four MCP annotations derive) and its confirmation policy are required items of
//! the trait, so no tool can be added without saying what it does and how risky it is.

use std::{
    collections::BTreeSet,
    future::Future,
    pin::Pin,
    sync::{Arc, OnceLock},
};

use hex_client::Operation;
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{
    bounds::{self, Bound},
    context::ToolContext,
    errors::{Creation, ToolError},
    schema,
    subject::Subject,
    tools::common::add_noted_skips,
};

/// The groups tools are enabled by (`--toolsets`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Toolset {
    Projects,
    Runs,
    Cells,
    Results,
    Sharing,
    Collections,
    Groups,
    Connections,
    Users,
    Endorsements,
    Threads,
    Guides,
    Semantic,
    Embedding,
    Workflows,
}

impl Toolset {
    pub const ALL: [Toolset; 15] = [
        Toolset::Projects,
        Toolset::Runs,
        Toolset::Cells,
        Toolset::Results,
        Toolset::Sharing,
        Toolset::Collections,
        Toolset::Groups,
        Toolset::Connections,
        Toolset::Users,
        Toolset::Endorsements,
        Toolset::Threads,
        Toolset::Guides,
        Toolset::Semantic,
        Toolset::Embedding,
        Toolset::Workflows,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Toolset::Projects => "projects",
            Toolset::Runs => "runs",
            Toolset::Cells => "cells",
            Toolset::Results => "results",
            Toolset::Sharing => "sharing",
            Toolset::Collections => "collections",
            Toolset::Groups => "groups",
            Toolset::Connections => "connections",
            Toolset::Users => "users",
            Toolset::Endorsements => "endorsements",
            Toolset::Threads => "threads",
            Toolset::Guides => "guides",
            Toolset::Semantic => "semantic",
            Toolset::Embedding => "embedding",
            Toolset::Workflows => "workflows",
        }
    }

    /// One line for the server instructions: what the set lets an agent do.
    pub fn summary(self) -> &'static str {
        match self {
            Toolset::Projects => {
                "find projects (list with Hex's filters, search titles), read, create and export them, list the tables they query"
            }
            Toolset::Runs => "run a published project, follow a run's status, list and cancel runs",
            Toolset::Cells => "read notebook cells with their SQL/Python source and change them",
            Toolset::Results => "read a SQL cell's latest result as a table and charts as images",
            Toolset::Sharing => {
                "grant or revoke project access for users, groups, collections, the workspace and the public web"
            }
            Toolset::Collections => "list, read, create and edit collections",
            Toolset::Groups => "list, read, create, edit and delete groups and their members",
            Toolset::Connections => {
                "list, read, create and edit data connections (secrets are never shown)"
            }
            Toolset::Users => {
                "read the current user, list users (e.g. a group's members), deactivate a user"
            }
            Toolset::Endorsements => {
                "set a project's status and endorse a data connection's databases, schemas and tables"
            }
            Toolset::Threads => {
                "ask Hex's agent a question and follow up, read its threads, messages and topics"
            }
            Toolset::Guides => "list, write, delete and publish the guides that steer Hex's agent",
            Toolset::Semantic => "ingest semantic projects and endorse their datasets and views",
            Toolset::Embedding => "create signed URLs that embed a published app",
            Toolset::Workflows => {
                "resolve pasted links, find and replace code across notebooks, bulk sharing, access audits, scheduled-run checks"
            }
        }
    }

    pub fn parse(name: &str) -> Option<Toolset> {
        Toolset::ALL
            .into_iter()
            .find(|set| set.name().eq_ignore_ascii_case(name.trim()))
    }
}

/// What a call does to the workspace. The MCP hints are derived from it, never written by hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Effect {
    /// Changes nothing.
    pub read_only: bool,
    /// May overwrite or remove existing state (as opposed to only adding).
    pub destructive: bool,
    /// A second identical call leaves the workspace as the first one did.
    pub idempotent: bool,
}

impl Effect {
    /// Reads only.
    pub const READ: Effect = Effect {
        read_only: true,
        destructive: false,
        idempotent: true,
    };
    /// Adds something new on every call (a run, a group, a collection…).
    pub const CREATE: Effect = Effect {
        read_only: false,
        destructive: false,
        idempotent: false,
    };
    /// Sets existing state to given values, possibly replacing or revoking what was there.
    pub const OVERWRITE: Effect = Effect {
        read_only: false,
        destructive: true,
        idempotent: true,
    };
    /// Removes something.
    pub const DELETE: Effect = Effect {
        read_only: false,
        destructive: true,
        idempotent: true,
    };
}

/// Whether a tool can need a human's confirmation before it acts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confirm {
    /// Never asks.
    Never,
    /// Asks when [`HexTool::risk`] says the given arguments are risky (delete, widen access,
    /// replace credentials…). Such tools get a `confirmation_token` parameter.
    WhenRisky,
}

/// The static description of a tool.
#[derive(Clone, Copy, Debug)]
pub struct ToolSpec {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub toolset: Toolset,
    pub effect: Effect,
    pub confirm: Confirm,
    /// The Hex operations the tool calls (`hex-mcp tools --json` shows them as
    /// `_meta["hex-mcp/operations"]`; docs/COVERAGE.md is generated from them).
    pub operations: &'static [Operation],
}

/// What a tool answers: a JSON object with Hex's field names (nulls are pruned later).
pub type ToolResult = Result<Value, ToolError>;

/// A tool of this server.
pub trait HexTool: Send + Sync + 'static {
    /// The arguments; deserialised strictly (unknown fields are errors) and described by the
    /// schema clients see.
    type Input: DeserializeOwned + JsonSchema + Send + 'static;

    const SPEC: ToolSpec;

    /// For [`Confirm::WhenRisky`] tools: a one-line statement of exactly what these arguments
    /// would change that needs a human's yes, or `None` when nothing risky would happen.
    fn risk(_input: &Self::Input) -> Option<String> {
        None
    }

    /// What a risky change is about, so the preview can name it as a person knows it (the
    /// group's name, the user's name and email, the project's title) beside its id.
    fn subject(_input: &Self::Input) -> Option<Subject> {
        None
    }

    /// Whether these arguments make the call wait for something slow (a run, Hex's agent): such
    /// calls are served as tasks to clients that use the Tasks extension.
    fn waits(_input: &Self::Input) -> bool {
        false
    }

    /// For a tool that creates something: how to find out whether a failed call created it
    /// anyway ("look for the run with get_hex_project_runs"), said when the failure may have
    /// come after Hex acted.
    const CREATED_CHECK: &'static str = "look for it with the matching list or search tool";

    fn call(ctx: ToolContext, input: Self::Input) -> impl Future<Output = ToolResult> + Send;
}

/// Runs a tool; a failure of a tool that creates something says, when Hex may have acted before
/// it failed, that the object may exist and how to check (unless the tool checked itself).
/// Items of lists inside Hex's answers that did not read are reported in the answer's
/// `skipped`, whatever the tool.
async fn call_checked<T: HexTool>(ctx: ToolContext, input: T::Input) -> ToolResult {
    let (result, noted) = hex_client::noting_skipped(T::call(ctx, input)).await;
    let result = result.map(|mut answer| {
        add_noted_skips(&mut answer, noted);
        answer
    });
    if T::SPEC.effect.idempotent {
        return result;
    }
    result.map_err(|error| error.after_create(|| Creation::unchecked(T::CREATED_CHECK)))
}

type BoxedCall = Pin<Box<dyn Future<Output = ToolResult> + Send>>;

/// A call whose arguments were parsed and validated, ready to run.
pub struct PreparedCall {
    /// What needs confirming before [`PreparedCall::run`], if anything.
    pub risk: Option<String>,
    /// What the risky change is about, to name in its preview.
    pub subject: Option<Subject>,
    /// Whether it waits for something slow ([`HexTool::waits`]).
    pub waits: bool,
    run: Box<dyn FnOnce(ToolContext) -> BoxedCall + Send>,
}

impl PreparedCall {
    pub fn run(self, ctx: ToolContext) -> BoxedCall {
        (self.run)(ctx)
    }
}

/// A tool with its type erased, as the registry holds it.
pub struct RegisteredTool {
    pub spec: ToolSpec,
    schema: fn() -> JsonObject,
    prepare: fn(JsonObject) -> Result<PreparedCall, ToolError>,
    /// The integer bounds of the input schema, read from it once.
    bounds: OnceLock<Vec<Bound>>,
}

impl RegisteredTool {
    pub fn of<T: HexTool>() -> RegisteredTool {
        RegisteredTool {
            spec: T::SPEC,
            schema: input_schema::<T>,
            prepare: prepare::<T>,
            bounds: OnceLock::new(),
        }
    }

    /// Parses and validates arguments without sending anything. Integers outside the bounds
    /// the tool's schema states are refused first, in one wording for all tools.
    pub fn prepare(&self, arguments: JsonObject) -> Result<PreparedCall, ToolError> {
        bounds::check(self.bounds(), &arguments)?;
        (self.prepare)(arguments)
    }

    /// The integer parameters whose schema states a minimum or a maximum.
    pub fn bounds(&self) -> &[Bound] {
        self.bounds
            .get_or_init(|| bounds::from_schema(&(self.schema)()))
    }

    /// The tool as `tools/list` shows it.
    pub fn describe(&self) -> Tool {
        let spec = &self.spec;
        // The title is the tool's own `title`; repeating it in the annotations would cost
        // every session's context for clients that read either.
        let annotations = ToolAnnotations::new()
            .read_only(spec.effect.read_only)
            .destructive(spec.effect.destructive)
            .idempotent(spec.effect.idempotent)
            .open_world(true);
        Tool::new(spec.name, spec.description, (self.schema)())
            .with_title(spec.title)
            .with_annotations(annotations)
    }

    /// [`RegisteredTool::describe`] plus `_meta["hex-mcp/operations"]`: the Hex operations the
    /// tool calls. `hex-mcp tools --json` shows it; `tools/list` leaves it out, since a model
    /// gains nothing from it and every byte there costs each session's context.
    pub fn describe_with_operations(&self) -> Tool {
        let operations: Vec<Value> = self
            .spec
            .operations
            .iter()
            .map(|operation| Value::String(operation.name().into()))
            .collect();
        let mut meta = rmcp::model::MetaObject::new();
        meta.0
            .insert(OPERATIONS_META.into(), Value::Array(operations));
        let mut tool = self.describe();
        tool.meta = Some(meta);
        tool
    }
}

/// The `_meta` key under which `hex-mcp tools --json` lists a tool's Hex operations.
pub const OPERATIONS_META: &str = "hex-mcp/operations";

/// The name of the parameter added to tools that can need a confirmation.
pub const CONFIRMATION_TOKEN: &str = "confirmation_token";

fn input_schema<T: HexTool>() -> JsonObject {
    let mut schema = schema::input_schema::<T::Input>();
    if T::SPEC.confirm == Confirm::WhenRisky {
        // Undescribed: the confirmationRequired answer says how to use it, and the words
        // would cost context on every tool that can ask.
        schema::add_string_property(&mut schema, CONFIRMATION_TOKEN);
    }
    schema
}

fn prepare<T: HexTool>(arguments: JsonObject) -> Result<PreparedCall, ToolError> {
    let input: T::Input = crate::input::parse(arguments)?;
    let risk = match T::SPEC.confirm {
        Confirm::Never => None,
        Confirm::WhenRisky => T::risk(&input),
    };
    let subject = risk.as_ref().and_then(|_| T::subject(&input));
    Ok(PreparedCall {
        risk,
        subject,
        waits: T::waits(&input),
        run: Box::new(move |ctx| Box::pin(call_checked::<T>(ctx, input))),
    })
}

/// Which tools a session enables.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// `None`: the default toolsets.
    pub toolsets: Option<BTreeSet<Toolset>>,
    /// Single tools added to the toolsets.
    pub tools: BTreeSet<String>,
    /// Only tools that change nothing; wins over everything else.
    pub read_only: bool,
}

/// The toolsets enabled when none are named: every tool of the Python hex-mcp (projects, runs,
/// cells, sharing, collections, groups, data connections), so a client configured for it keeps
/// every tool it had, plus query results and charts (read-only, and what agents most often
/// need from a notebook). Users, endorsements, Hex's agent (threads), guides, semantic models and
/// embedding are enabled by name or with `--toolsets all`, which keeps the default under 20 KB.
pub const DEFAULT_TOOLSETS: [Toolset; 8] = [
    Toolset::Projects,
    Toolset::Runs,
    Toolset::Cells,
    Toolset::Results,
    Toolset::Sharing,
    Toolset::Collections,
    Toolset::Groups,
    Toolset::Connections,
];

impl Selection {
    pub fn enables(&self, spec: &ToolSpec) -> bool {
        if self.read_only && !spec.effect.read_only {
            return false;
        }
        let in_sets = match &self.toolsets {
            Some(sets) => sets.contains(&spec.toolset),
            None => DEFAULT_TOOLSETS.contains(&spec.toolset),
        };
        in_sets || self.tools.contains(spec.name)
    }

    /// The toolsets with at least one enabled tool, for the instructions.
    pub fn enabled_toolsets(&self, registry: &Registry) -> BTreeSet<Toolset> {
        registry
            .enabled(self)
            .map(|tool| tool.spec.toolset)
            .collect()
    }
}

/// Every tool this binary has.
pub struct Registry {
    tools: Vec<RegisteredTool>,
}

impl Registry {
    pub fn new(tools: Vec<RegisteredTool>) -> Registry {
        Registry { tools }
    }

    pub fn all(&self) -> impl Iterator<Item = &RegisteredTool> {
        self.tools.iter()
    }

    pub fn get(&self, name: &str) -> Option<&RegisteredTool> {
        self.tools.iter().find(|tool| tool.spec.name == name)
    }

    pub fn enabled<'a>(
        &'a self,
        selection: &'a Selection,
    ) -> impl Iterator<Item = &'a RegisteredTool> + 'a {
        self.tools
            .iter()
            .filter(move |tool| selection.enables(&tool.spec))
    }

    /// Checks `--tools` names; the error lists the valid ones.
    pub fn check_tool_names<'a>(
        &self,
        names: impl IntoIterator<Item = &'a String>,
    ) -> Result<(), String> {
        let unknown: Vec<&str> = names
            .into_iter()
            .filter(|name| self.get(name).is_none())
            .map(String::as_str)
            .collect();
        if unknown.is_empty() {
            return Ok(());
        }
        let valid: Vec<&str> = self.tools.iter().map(|tool| tool.spec.name).collect();
        Err(format!(
            "unknown tool name(s): {}. Valid tools: {}",
            unknown.join(", "),
            valid.join(", ")
        ))
    }
}

/// Parses `--toolsets a,b`; the error lists the valid names.
pub fn parse_toolsets(list: &str) -> Result<BTreeSet<Toolset>, String> {
    let mut sets = BTreeSet::new();
    let mut unknown = Vec::new();
    for name in list
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
    {
        if name.eq_ignore_ascii_case("all") {
            sets.extend(Toolset::ALL);
        } else if name.eq_ignore_ascii_case("default") {
            sets.extend(DEFAULT_TOOLSETS);
        } else {
            match Toolset::parse(name) {
                Some(set) => {
                    sets.insert(set);
                }
                None => unknown.push(name.to_string()),
            }
        }
    }
    if unknown.is_empty() {
        return Ok(sets);
    }
    let valid: Vec<&str> = Toolset::ALL.iter().map(|set| set.name()).collect();
    Err(format!(
        "unknown toolset(s): {}. Valid toolsets: {} (or `all`, `default`)",
        unknown.join(", "),
        valid.join(", ")
    ))
}

/// Shared so the server, `tools` and `call` all see the same registry.
pub type SharedRegistry = Arc<Registry>;
