//! Asking a person through the client: the form, and reading the answer back.

use rmcp::model::{
    ElicitRequestParams, ElicitResult, ElicitationAction, ElicitationSchema, InputResponses,
    ProtocolVersion,
};
use rmcp::{RoleServer, service::RequestContext};
use serde_json::Value;

use crate::errors::ToolError;

/// The field of the confirmation form, and the key of the input request.
pub const CONFIRM_FIELD: &str = "confirm";

/// How the person behind this request can be asked.
pub enum Channel<'a> {
    /// The client cannot show a form: answer with a preview and a token.
    Preview,
    /// Since 2026-07-28 a server may not send requests to the client: it answers
    /// input-required and the client calls again with the answer.
    InputRequired,
    /// Before 2026-07-28: an elicitation request to the client, answered within this call.
    Elicitation(&'a RequestContext<RoleServer>),
}

impl<'a> Channel<'a> {
    pub fn of(peer: Option<&'a RequestContext<RoleServer>>) -> Channel<'a> {
        match peer.filter(|context| can_elicit(context)) {
            None => Channel::Preview,
            Some(context) if uses_input_required(context) => Channel::InputRequired,
            Some(context) => Channel::Elicitation(context),
        }
    }
}

/// A form with one box to tick.
pub fn form(change: &str) -> ElicitRequestParams {
    let schema = ElicitationSchema::builder()
        .required_bool_with(CONFIRM_FIELD, |field| {
            field
                .title("Make this change")
                .description("Tick to confirm; leave unticked or decline to cancel.")
        })
        .build()
        .unwrap_or_else(|_| ElicitationSchema::builder().build_unchecked());
    ElicitRequestParams::FormElicitationParams {
        meta: None,
        message: format!("{change}\n\nDo you want hex-mcp to make this change?"),
        requested_schema: schema,
    }
}

fn can_elicit(context: &RequestContext<RoleServer>) -> bool {
    context
        .client_capabilities()
        .and_then(|capabilities| capabilities.elicitation)
        .is_some_and(|elicitation| elicitation.form.is_some() || elicitation.url.is_none())
}

fn uses_input_required(context: &RequestContext<RoleServer>) -> bool {
    context
        .protocol_version()
        .is_some_and(|version| version.as_str() >= ProtocolVersion::V_2026_07_28.as_str())
}

/// The answer a client sent back with an input-required retry.
pub fn input_answer(responses: Option<&InputResponses>) -> Result<(), ToolError> {
    let answer = responses
        .and_then(|responses| responses.get(CONFIRM_FIELD))
        .and_then(|value| serde_json::from_value::<ElicitResult>(value.clone()).ok())
        .ok_or_else(|| {
            ToolError::refused("no confirmation answer was received; nothing was changed")
        })?;
    check(&answer)
}

/// Whether the person ticked the box and accepted.
pub fn check(answer: &ElicitResult) -> Result<(), ToolError> {
    let confirmed = answer
        .content
        .as_ref()
        .and_then(|content| content.get(CONFIRM_FIELD))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    match answer.action {
        ElicitationAction::Accept if confirmed => Ok(()),
        ElicitationAction::Accept => Err(ToolError::refused(
            "the user did not tick the confirmation; nothing was changed",
        )),
        ElicitationAction::Decline => Err(ToolError::refused(
            "the user declined the change; nothing was changed",
        )),
        _ => Err(ToolError::refused(
            "the user cancelled the confirmation; nothing was changed",
        )),
    }
}
