//! The confirmation gate: every risky change passes [`Gate::check`] once before it runs.
//!
//! Inside, one decision: the call already carries an answer (a confirmation token, or the
//! state and answer of an input-required retry), or the person is asked the way the client
//! allows (an elicitation request, an input-required result, or a preview with a token).

mod ask;
mod token;

use rmcp::{
    RoleServer,
    model::{
        CallToolResponse, ElicitRequest, InputRequest, InputRequests, InputRequiredResult,
        InputResponses, JsonObject,
    },
    service::RequestContext,
};
use serde_json::json;

use crate::{
    context::ToolContext, errors::ToolError, output, registry::CONFIRMATION_TOKEN, subject::Subject,
};

use ask::Channel;
use hex_client::RateStore;
pub use token::{ConfirmKey, ENV_CONFIRM_KEY, Rejection, TOKEN_LIFETIME, Tokens};

/// One `tools/call`: the tool, its arguments, and any confirmation the caller sent with them.
pub struct Call {
    pub name: String,
    pub arguments: JsonObject,
    /// `confirmation_token`, taken out of the arguments.
    pub token: Option<String>,
    /// An input-required retry: the state the server handed out, and the client's answers.
    pub request_state: Option<String>,
    pub input_responses: Option<InputResponses>,
}

impl Call {
    pub fn new(name: &str, mut arguments: JsonObject) -> Call {
        let token = match arguments.remove(CONFIRMATION_TOKEN) {
            Some(serde_json::Value::String(token)) if !token.trim().is_empty() => Some(token),
            _ => None,
        };
        Call {
            name: name.to_string(),
            arguments,
            token,
            request_state: None,
            input_responses: None,
        }
    }
}

/// What the gate decided.
pub enum Verdict {
    /// Confirmed, or nothing to confirm: run the call.
    Proceed,
    /// Answer with this instead of running (a preview, a question, or a refusal).
    Answer(Box<CallToolResponse>),
}

impl From<CallToolResponse> for Verdict {
    fn from(response: CallToolResponse) -> Verdict {
        Verdict::Answer(Box::new(response))
    }
}

/// The one place where risky changes are confirmed.
pub struct Gate {
    /// `--no-confirm` turns it off.
    enabled: bool,
    tokens: Tokens,
    /// The Redis replicas share (`--rate-store`): a redeemed token is spent for all of them.
    shared: Option<RateStore>,
}

impl Gate {
    pub fn new(enabled: bool, key: ConfirmKey) -> Gate {
        Gate {
            enabled,
            tokens: Tokens::new(key),
            shared: None,
        }
    }

    /// Spends redeemed tokens in the store every replica shares too, so that a token works
    /// once across all of them rather than once per replica.
    pub fn spend_in(mut self, store: Option<RateStore>) -> Gate {
        self.shared = store;
        self
    }

    /// Whether risky changes are confirmed at all (not `--no-confirm`).
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Whether another process with the same key can redeem this one's tokens.
    pub fn shared(&self) -> bool {
        self.tokens.shared()
    }

    /// Whether a call may run now, or what to answer instead. `risk` says what needs confirming
    /// (nothing if `None`), `subject` what it is about.
    pub async fn check(
        &self,
        call: &Call,
        (risk, subject): (Option<&str>, Option<&Subject>),
        peer: Option<&RequestContext<RoleServer>>,
        ctx: &ToolContext,
    ) -> Verdict {
        let Some(risk) = risk.filter(|_| self.enabled) else {
            return Verdict::Proceed;
        };
        if let Some(token) = &call.token {
            let again = format!(
                "Call {} again without {CONFIRMATION_TOKEN} to get a new preview",
                call.name
            );
            return self.redeem(call, token, &again).await;
        }
        if let Some(state) = &call.request_state {
            return match self
                .redeem(call, state, "Call it again to be asked again")
                .await
            {
                Verdict::Proceed => {
                    refusal_or_proceed(ask::input_answer(call.input_responses.as_ref()))
                }
                answer => answer,
            };
        }
        // Asking a person: name what they approve, not only its id.
        let change = match subject {
            Some(subject) => subject.name_in(risk, ctx).await,
            None => risk.to_string(),
        };
        match Channel::of(peer) {
            Channel::Preview => self.preview(call, &change).into(),
            Channel::InputRequired => self.input_required(call, &change).into(),
            Channel::Elicitation(context) => {
                match context.peer.create_elicitation(ask::form(&change)).await {
                    Ok(answer) => refusal_or_proceed(ask::check(&answer)),
                    Err(error) => refused(format!(
                        "could not ask for confirmation ({error}); nothing was changed"
                    )),
                }
            }
        }
    }

    async fn redeem(&self, call: &Call, token: &str, again: &str) -> Verdict {
        let redeemed = match self.tokens.redeem(token, &call.name, &call.arguments) {
            Ok(()) => self.spend_shared(token).await,
            Err(rejection) => Err(rejection),
        };
        match redeemed {
            Ok(()) => Verdict::Proceed,
            Err(rejection) => refused(format!(
                "{}; nothing was changed. {again}",
                rejection.explain()
            )),
        }
    }

    /// Spends a token this replica accepted in the shared store too. If the store cannot say,
    /// the replica's own memory stands (as pacing falls back to it): refusing every
    /// confirmation while Redis restarts would help no one.
    async fn spend_shared(&self, token: &str) -> Result<(), Rejection> {
        let (Some(store), Some((nonce, left))) = (&self.shared, Tokens::nonce_of(token)) else {
            return Ok(());
        };
        match store.claim_once(&format!("confirm:{nonce}"), left).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(Rejection::Used),
            Err(error) => {
                tracing::warn!(
                    store = %store.shown_url(),
                    %error,
                    "the shared store could not record a confirmation token as spent; it is \
                     spent on this replica only"
                );
                Ok(())
            }
        }
    }

    fn preview(&self, call: &Call, change: &str) -> CallToolResponse {
        let token = self.tokens.issue(&call.name, &call.arguments);
        output::success(json!({
            "confirmationRequired": true,
            "change": change,
            "confirmationToken": token,
            "expiresInSeconds": TOKEN_LIFETIME.as_secs(),
            "next": format!(
                "Nothing was changed. Show this change to the user; only if they agree, call {} again with the same arguments plus {CONFIRMATION_TOKEN}.",
                call.name
            ),
        }))
        .into()
    }

    /// The question, with the signed state that lets any replica accept the answer.
    fn input_required(&self, call: &Call, change: &str) -> CallToolResponse {
        let state = self.tokens.issue(&call.name, &call.arguments);
        let mut requests = InputRequests::new();
        requests.insert(
            ask::CONFIRM_FIELD.to_string(),
            InputRequest::Elicitation(ElicitRequest::new(ask::form(change))),
        );
        InputRequiredResult::new(Some(requests), Some(state)).into()
    }
}

fn refusal_or_proceed(answer: Result<(), ToolError>) -> Verdict {
    match answer {
        Ok(()) => Verdict::Proceed,
        Err(error) => CallToolResponse::from(output::failure(&error)).into(),
    }
}

fn refused(message: String) -> Verdict {
    CallToolResponse::from(output::failure(&ToolError::refused(message))).into()
}
