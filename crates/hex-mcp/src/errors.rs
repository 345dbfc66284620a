//! Tool errors: one line a model can act on (what failed, Hex's status, reason and traceId, and
//! the next step) plus the same facts as structure.

use std::fmt;

use hex_client::{ErrorDetails, HexError, RateLimitSource};
use serde_json::{Map, Value, json};

/// The object a call was about, so a 404 can say which id to check and how to find it.
#[derive(Clone, Debug)]
pub struct Subject {
    /// "project", "run", "cell", "group"…
    pub kind: &'static str,
    pub id: String,
    /// The tool that finds valid ids of this kind.
    pub finder: &'static str,
}

/// What is known, after a creating call failed in a way that may have reached Hex, about
/// whether Hex created the object anyway. Following "retry" then could create it twice.
#[derive(Clone, Debug)]
pub struct Creation {
    /// The next step: what a check found, or how to check before calling again.
    pub next: String,
    /// The ids a check found (empty: none), or `None` when the tool did not check.
    pub found: Option<Vec<String>>,
}

impl Creation {
    /// Not checked by the tool: says the object may exist and how to look for it.
    pub fn unchecked(check: &str) -> Creation {
        Creation {
            next: format!(
                "Hex may have created it before failing, so calling again could create a second one: first {check}, and call again only if it is not there"
            ),
            found: None,
        }
    }
}

#[derive(Debug)]
pub enum ToolError {
    /// An argument is wrong; nothing was sent.
    Input { field: String, problem: String },
    /// No usable token or URL; nothing was sent. `fix` says which setting to change.
    NotConfigured { problem: String, fix: &'static str },
    /// Hex (or the way to it) failed.
    Hex {
        error: Box<HexError>,
        subject: Option<Subject>,
        /// A feature Hex offers to some organizations only (export, its agent), named so a 403
        /// can say so.
        limited: Option<&'static str>,
        /// For a call that creates something and failed after Hex may have acted: whether the
        /// object exists now, or how to find out, in place of "retry".
        creation: Option<Box<Creation>>,
    },
    /// The server will not do this (read-only mode, declined confirmation…); nothing was done.
    Refused { reason: String },
    /// A bug of ours, reported rather than panicking.
    Internal { message: String },
}

impl ToolError {
    pub fn input(field: impl Into<String>, problem: impl Into<String>) -> ToolError {
        ToolError::Input {
            field: field.into(),
            problem: problem.into(),
        }
    }

    pub fn refused(reason: impl Into<String>) -> ToolError {
        ToolError::Refused {
            reason: reason.into(),
        }
    }

    pub fn internal(message: impl Into<String>) -> ToolError {
        ToolError::Internal {
            message: message.into(),
        }
    }

    /// No token: the fix is to configure one.
    pub fn not_configured(problem: impl Into<String>) -> ToolError {
        ToolError::NotConfigured {
            problem: problem.into(),
            fix: NOT_CONFIGURED_FIX,
        }
    }

    /// A token but settings the client refuses (the base URL): the fix is the URL, not the key.
    pub fn unusable_settings(problem: impl Into<String>) -> ToolError {
        ToolError::NotConfigured {
            problem: problem.into(),
            fix: UNUSABLE_SETTINGS_FIX,
        }
    }

    /// Names the object a failed call was about, for a precise 404 hint.
    pub fn about(
        self,
        kind: &'static str,
        id: impl fmt::Display,
        finder: &'static str,
    ) -> ToolError {
        match self {
            ToolError::Hex {
                error,
                limited,
                creation,
                ..
            } => ToolError::Hex {
                error,
                subject: Some(Subject {
                    kind,
                    id: id.to_string(),
                    finder,
                }),
                limited,
                creation,
            },
            other => other,
        }
    }

    /// Marks a failure of a feature Hex makes available to some organizations only (ExportProject,
    /// CreateThread, ContinueThread: "Contact Hex support to request access"), so a 403 says so.
    pub fn for_limited_feature(self, feature: &'static str) -> ToolError {
        match self {
            ToolError::Hex {
                error,
                subject,
                creation,
                ..
            } => ToolError::Hex {
                error,
                subject,
                limited: Some(feature),
                creation,
            },
            other => other,
        }
    }

    /// For a call that creates something: when it failed after Hex may have acted, replaces the
    /// next step ("retry") with what `creation` says. Any other failure is left as it is.
    pub fn after_create(self, creation: impl FnOnce() -> Creation) -> ToolError {
        match self {
            ToolError::Hex {
                error,
                subject,
                limited,
                creation: None,
            } if error.may_have_taken_effect() => ToolError::Hex {
                error,
                subject,
                limited,
                creation: Some(Box::new(creation())),
            },
            other => other,
        }
    }

    /// Whether this failure may have come after Hex created what was asked.
    pub fn may_have_created(&self) -> bool {
        matches!(self, ToolError::Hex { error, .. } if error.may_have_taken_effect())
    }

    /// Whether making the same call again is safe, for a failure a retry can heal: `true` when
    /// the tool only reads or sets values, or when Hex cannot have acted; `false` when Hex may
    /// have created something already. `None` for failures the same call would only meet again
    /// (a wrong argument, a refusal, a 4xx): the next step says what to change instead.
    pub fn safe_to_retry(&self) -> Option<bool> {
        match self {
            ToolError::Hex {
                creation: Some(_), ..
            } => Some(false),
            ToolError::Hex { error, .. }
                if error.is_transient()
                    || matches!(error.as_ref(), HexError::Decode { .. })
                    || error.status().is_some_and(|status| status >= 500) =>
            {
                Some(true)
            }
            _ => None,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            ToolError::Input { .. } => "invalid_input",
            ToolError::NotConfigured { .. } => "not_configured",
            ToolError::Hex { error, .. } => match error.as_ref() {
                HexError::RateLimited { .. } => "rate_limited",
                HexError::Unavailable { .. } => "unavailable",
                HexError::Timeout { .. } => "timeout",
                HexError::Network { .. } => "network",
                HexError::InvalidInput { .. } => "invalid_input",
                _ => "hex_api",
            },
            ToolError::Refused { .. } => "refused",
            ToolError::Internal { .. } => "internal",
        }
    }

    /// The next step for the model or its user.
    fn next_step(&self) -> Option<String> {
        match self {
            ToolError::Input { .. } => Some("fix the argument and call again".into()),
            ToolError::NotConfigured { fix, .. } => Some((*fix).into()),
            ToolError::Hex {
                creation: Some(creation),
                ..
            } => Some(creation.next.clone()),
            ToolError::Hex {
                error,
                limited: Some(feature),
                ..
            } if error.status() == Some(403) => Some(format!(
                "{feature} is available to some Hex organizations only: ask Hex support to enable it for the workspace (or check the token's access)"
            )),
            ToolError::Hex { error, subject, .. } => Some(hex_next_step(error, subject.as_ref())),
            ToolError::Refused { .. } | ToolError::Internal { .. } => None,
        }
    }

    /// The structured form, placed under `error` in `structuredContent`.
    pub fn details(&self) -> Value {
        let mut details = Map::new();
        details.insert("kind".into(), json!(self.kind()));
        details.insert("message".into(), json!(self.to_string()));
        details.insert("next".into(), json!(self.next_step()));
        details.insert("safeToRetry".into(), json!(self.safe_to_retry()));
        if let ToolError::Input { field, .. } = self
            && !field.is_empty()
        {
            details.insert("field".into(), json!(field));
        }
        if let ToolError::Hex {
            error,
            subject,
            creation,
            ..
        } = self
        {
            if let Some(creation) = creation {
                details.insert("mayHaveBeenCreated".into(), json!(true));
                if let Some(found) = &creation.found {
                    details.insert("found".into(), json!(found));
                }
            }
            details.insert("status".into(), json!(error.status()));
            details.insert("traceId".into(), json!(error.trace_id()));
            let wait = error.retry_after().map(|wait| wait.as_secs().max(1));
            details.insert("retryAfterSeconds".into(), json!(wait));
            if let HexError::Api {
                reason,
                code,
                invalid,
                not_found,
                details: hex_details,
                ..
            } = error.as_ref()
            {
                details.insert("reason".into(), json!(reason));
                details.insert("code".into(), json!(code));
                // The items a status batch rejected, the problems an ingest found.
                match hex_details.as_deref() {
                    Some(ErrorDetails::Items(items)) => {
                        details.insert("details".into(), json!(items));
                    }
                    Some(ErrorDetails::Problems { problems, .. }) => {
                        details.insert("problems".into(), json!(problems));
                    }
                    _ => {}
                }
                if !invalid.is_empty() {
                    details.insert("invalid".into(), json!(invalid));
                }
                if !not_found.is_empty() {
                    details.insert("notFound".into(), json!(not_found));
                }
            }
            if let Some(subject) = subject {
                details.insert(subject.kind.into(), json!(subject.id));
            }
        }
        Value::Object(details)
    }
}

const UNUSABLE_SETTINGS_FIX: &str = "set HEX_API_URL (or `hex-mcp config --api-url …`) to your workspace's https://<host>/api/v1 (e.g. https://app.hex.tech/api/v1), then restart the server; `hex-mcp doctor` checks the setup";
const NOT_CONFIGURED_FIX: &str = "run `hex-mcp config --api-key -` (reads the key from stdin) or set HEX_API_KEY in the MCP server's environment, then restart the server; `hex-mcp doctor` checks the setup. A token is created in Hex under Settings → API keys";

fn hex_next_step(error: &HexError, subject: Option<&Subject>) -> String {
    match error {
        HexError::Api { status: 401, .. } => {
            format!("the token was rejected: {NOT_CONFIGURED_FIX}")
        }
        HexError::Api { status: 403, .. } => "the token is not allowed to do this: a personal token acts with its user's access, a workspace token needs the matching scope (e.g. Projects → Write, Collections → Write)".into(),
        HexError::Api { status: 404, .. } => match subject {
            Some(subject) => format!(
                "no {} with id {} is visible to this token: check the id with {}",
                subject.kind, subject.id, subject.finder
            ),
            None => "check the ids with the list or search tools".into(),
        },
        HexError::Api {
            status: 422,
            invalid,
            not_found,
            ..
        } if !invalid.is_empty() || !not_found.is_empty() => {
            "Hex refused these values: correct the fields it names and call again".into()
        }
        HexError::Api { status: 422, .. } => {
            "Hex cannot do this in the object's current state: read its reason (e.g. a project that was never published cannot be run)".into()
        }
        HexError::Api { status, .. } if *status >= 500 => "Hex failed on its side: retry in a minute; quote the traceId to Hex support if it persists".into(),
        HexError::Api { .. } => "check the arguments against the tool's schema and Hex's reason".into(),
        HexError::RateLimited { retry_after, source } => {
            let wait = retry_after
                .map(|wait| format!("wait {} s", wait.as_secs().max(1)))
                .unwrap_or_else(|| "wait a minute".into());
            match source {
                RateLimitSource::Server => format!("Hex's rate limit was hit: {wait} and call again"),
                RateLimitSource::ClientPacing { .. } => format!("{wait} and call again: calling now would exceed Hex's documented rate limit"),
            }
        }
        HexError::Unavailable { .. } => "Hex is unavailable right now: retry in a minute".into(),
        HexError::Timeout { .. } => format!("retry; if the call started something (a run), check with get_hex_project_runs before starting it again. If Hex is only slow, the server's operator can allow longer with --hex-timeout SECONDS or {}", crate::config::ENV_HEX_TIMEOUT),
        HexError::Network { .. } => "check the network and the API URL (`hex-mcp show-config`, `hex-mcp doctor`)".into(),
        HexError::InvalidBaseUrl { .. } => "fix the API URL with `hex-mcp config --api-url …` or HEX_API_URL".into(),
        HexError::Decode { .. } => "Hex answered with something this server cannot read (a proxy's page, a cut answer, or a change in Hex's API): retry in a minute, and if it persists report it with the start of the body quoted above".into(),
        _ => "see the message".into(),
    }
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ToolError::Input { field, problem } if field.is_empty() => {
                write!(f, "invalid arguments: {problem}")
            }
            ToolError::Input { field, problem } => {
                write!(f, "invalid argument `{field}`: {problem}")
            }
            ToolError::NotConfigured { problem, .. } => write!(f, "{problem}"),
            ToolError::Hex { error, .. } => write!(f, "{error}"),
            ToolError::Refused { reason } => f.write_str(reason),
            ToolError::Internal { message } => write!(f, "internal error: {message}"),
        }?;
        if let Some(next) = self.next_step() {
            write!(f, ". Next: {next}")?;
        }
        if self.safe_to_retry() == Some(true) {
            f.write_str(". It is safe to call again")?;
        }
        Ok(())
    }
}

impl From<HexError> for ToolError {
    fn from(error: HexError) -> ToolError {
        match error {
            HexError::InvalidInput { message } => ToolError::input("", message),
            error => ToolError::Hex {
                error: Box::new(error),
                subject: None,
                limited: None,
                creation: None,
            },
        }
    }
}
