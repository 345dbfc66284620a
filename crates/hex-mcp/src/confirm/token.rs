//! Confirmation tokens: self-contained, tamper-proof, short-lived and single-use.
//!
//! A token carries its expiry and a random nonce, signed with HMAC-SHA256 over the tool, the
//! exact arguments, the expiry and the nonce. Any process holding the same key can check it
//! without asking the one that issued it, so behind a load balancer a preview shown by one
//! replica is confirmed on another (`HEX_MCP_CONFIRM_KEY`, the same on every replica). A token
//! issued to delete group A cannot delete group B: other arguments fail the signature.
//!
//! Single use is kept by remembering spent nonces until they expire. That memory is per
//! process: across replicas without a shared store, one token could be redeemed once on each
//! replica within its lifetime, for the very call it was issued for.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use ring::hmac;
use rmcp::model::JsonObject;
use serde_json::Value;
use subtle::ConstantTimeEq;

/// How long a preview stays confirmable.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(300);

/// The variable that holds the signing key shared by replicas.
pub const ENV_CONFIRM_KEY: &str = "HEX_MCP_CONFIRM_KEY";

/// A shared key shorter than this could be guessed offline from one token.
const MIN_KEY_LEN: usize = 32;

/// The format's version, first in every token (a later format can be told apart).
const VERSION: &str = "hc1";

/// A nonce: this many random bytes, then this many bytes of its tag.
const NONCE_RANDOM: usize = 16;
const NONCE_TAG: usize = 16;

/// Why a token was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// Not something this key signed: made up, altered, or from a server with another key.
    Malformed,
    /// Already redeemed.
    Used,
    Expired,
    /// Signed for another tool or other arguments.
    Mismatch,
}

impl Rejection {
    pub fn explain(self) -> &'static str {
        match self {
            Rejection::Malformed => {
                "the confirmation token is not one this server issued (altered, or signed by a \
                 server with another HEX_MCP_CONFIRM_KEY)"
            }
            Rejection::Used => "the confirmation token was already used",
            Rejection::Expired => "the confirmation token has expired",
            Rejection::Mismatch => {
                "the confirmation token was issued for a different tool or different arguments"
            }
        }
    }
}

/// The signing key: shared through [`ENV_CONFIRM_KEY`], or random for this process alone.
pub struct ConfirmKey {
    key: hmac::Key,
    shared: bool,
}

impl ConfirmKey {
    /// The key from the variable's value, or a random one when it is unset. A key too short to
    /// resist guessing is refused with how to make a good one.
    pub fn from_env(value: Option<&str>) -> Result<ConfirmKey, String> {
        let Some(secret) = value.map(str::trim).filter(|secret| !secret.is_empty()) else {
            return ConfirmKey::random();
        };
        if secret.len() < MIN_KEY_LEN {
            return Err(format!(
                "{ENV_CONFIRM_KEY} is shorter than {MIN_KEY_LEN} characters; set it to the same long \
                 random value on every replica (e.g. `openssl rand -hex 32`)"
            ));
        }
        Ok(ConfirmKey {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes()),
            shared: true,
        })
    }

    /// A key only this process knows: its tokens are redeemable here and nowhere else.
    pub fn random() -> Result<ConfirmKey, String> {
        let rng = ring::rand::SystemRandom::new();
        let key = hmac::Key::generate(hmac::HMAC_SHA256, &rng)
            .map_err(|_| "the system's random number generator failed".to_string())?;
        Ok(ConfirmKey { key, shared: false })
    }

    /// Whether other processes can check this key's tokens.
    pub fn shared(&self) -> bool {
        self.shared
    }
}

/// Issues and redeems tokens; remembers which were spent.
pub struct Tokens {
    key: ConfirmKey,
    /// Spent nonces and when their tokens expire (after which they need no remembering).
    spent: Mutex<HashMap<String, u64>>,
}

impl Tokens {
    pub fn new(key: ConfirmKey) -> Tokens {
        Tokens {
            key,
            spent: Mutex::new(HashMap::new()),
        }
    }

    /// Whether a token issued here can be redeemed by another process with the same key.
    pub fn shared(&self) -> bool {
        self.key.shared()
    }

    /// A token for this exact call.
    pub fn issue(&self, tool: &str, arguments: &JsonObject) -> String {
        self.issue_at(tool, arguments, now())
    }

    fn issue_at(&self, tool: &str, arguments: &JsonObject, now: u64) -> String {
        let expires = now + TOKEN_LIFETIME.as_secs();
        let nonce = self.nonce(expires);
        let signed = signed_text(tool, arguments, expires, &nonce);
        let tag = hmac::sign(&self.key.key, signed.as_bytes());
        format!(
            "{VERSION}.{expires}.{nonce}.{}",
            URL_SAFE_NO_PAD.encode(tag.as_ref())
        )
    }

    /// Accepts a token once, for the call it was issued for.
    pub fn redeem(&self, token: &str, tool: &str, arguments: &JsonObject) -> Result<(), Rejection> {
        self.redeem_at(token, tool, arguments, now())
    }

    fn redeem_at(
        &self,
        token: &str,
        tool: &str,
        arguments: &JsonObject,
        now: u64,
    ) -> Result<(), Rejection> {
        let parts = Parts::parse(token.trim())
            .filter(|parts| self.genuine_nonce(parts.nonce, parts.expires))
            .ok_or(Rejection::Malformed)?;
        // Spent whatever the outcome: a token that failed a check cannot be tried again. Only
        // nonces this key made are remembered, so made-up tokens cannot fill the memory.
        let fresh = self.spend(parts.nonce, parts.expires, now);
        let signed = signed_text(tool, arguments, parts.expires, parts.nonce);
        // Constant-time comparison (ring's verify), so timing says nothing about the tag.
        hmac::verify(&self.key.key, signed.as_bytes(), &parts.tag)
            .map_err(|_| Rejection::Mismatch)?;
        if parts.expires <= now {
            return Err(Rejection::Expired);
        }
        fresh
    }

    /// A token's nonce and how long until it expires, to mark it spent elsewhere too.
    pub fn nonce_of(token: &str) -> Option<(String, Duration)> {
        let parts = Parts::parse(token.trim())?;
        let left = parts.expires.saturating_sub(now());
        Some((parts.nonce.to_string(), Duration::from_secs(left.max(1))))
    }

    /// A random nonce that carries its own short tag, so a redemption can tell a nonce this key
    /// made from a made-up one before remembering it.
    fn nonce(&self, expires: u64) -> String {
        let random = *uuid::Uuid::new_v4().as_bytes();
        let mut nonce = random.to_vec();
        nonce.extend_from_slice(&self.nonce_tag(&random, expires));
        URL_SAFE_NO_PAD.encode(nonce)
    }

    fn genuine_nonce(&self, nonce: &str, expires: u64) -> bool {
        let Ok(bytes) = URL_SAFE_NO_PAD.decode(nonce) else {
            return false;
        };
        let Some((random, tag)) = bytes.split_at_checked(NONCE_RANDOM) else {
            return false;
        };
        tag.len() == NONCE_TAG && bool::from(tag.ct_eq(&self.nonce_tag(random, expires)))
    }

    fn nonce_tag(&self, random: &[u8], expires: u64) -> Vec<u8> {
        let mut text = format!("{VERSION}-nonce\n{expires}\n").into_bytes();
        text.extend_from_slice(random);
        let tag = hmac::sign(&self.key.key, &text);
        tag.as_ref().iter().take(NONCE_TAG).copied().collect()
    }

    /// Records the nonce as spent (until its token expires, or a minute for a token already
    /// expired); a second redemption is refused.
    fn spend(&self, nonce: &str, expires: u64, now: u64) -> Result<(), Rejection> {
        let until = expires.clamp(now + 60, now + TOKEN_LIFETIME.as_secs());
        // A panic elsewhere while holding the lock leaves a map that is still consistent.
        let mut spent = self
            .spent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        spent.retain(|_, until| *until > now);
        if spent.insert(nonce.to_string(), until).is_some() {
            return Err(Rejection::Used);
        }
        Ok(())
    }
}

/// A token split into its fields.
struct Parts<'a> {
    expires: u64,
    nonce: &'a str,
    tag: Vec<u8>,
}

impl<'a> Parts<'a> {
    fn parse(token: &'a str) -> Option<Parts<'a>> {
        let mut fields = token.split('.');
        let (version, expires, nonce, tag) = (
            fields.next()?,
            fields.next()?,
            fields.next()?,
            fields.next()?,
        );
        if version != VERSION || fields.next().is_some() || nonce.is_empty() {
            return None;
        }
        Some(Parts {
            expires: expires.parse().ok()?,
            nonce,
            tag: URL_SAFE_NO_PAD.decode(tag).ok()?,
        })
    }
}

/// What the tag covers: the format, the tool, the expiry, the nonce and the arguments, one per
/// line (a tool name cannot hold a newline, and the arguments are JSON, which escapes them).
fn signed_text(tool: &str, arguments: &JsonObject, expires: u64, nonce: &str) -> String {
    format!(
        "{VERSION}\n{tool}\n{expires}\n{nonce}\n{}",
        fingerprint(arguments)
    )
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

/// The arguments in a canonical form (keys sorted at every depth, nulls dropped at the top,
/// as the parser drops them), so `{a, b}` and `{b, a}` are the same call.
fn fingerprint(arguments: &JsonObject) -> String {
    let canonical: JsonObject = arguments
        .iter()
        .filter(|(_, value)| !value.is_null())
        .map(|(key, value)| (key.clone(), canonical(value)))
        .collect();
    let mut entries: Vec<(&String, &Value)> = canonical.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    serde_json::to_string(&entries).unwrap_or_default()
}

fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(object) => {
            let mut entries: Vec<(&String, &Value)> = object.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(key, value)| (key.clone(), canonical(value)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const KEY: &str = "0123456789abcdef0123456789abcdef";

    fn args(value: Value) -> JsonObject {
        value.as_object().cloned().unwrap()
    }

    fn tokens() -> Tokens {
        Tokens::new(ConfirmKey::from_env(Some(KEY)).unwrap())
    }

    #[test]
    fn a_token_works_once_for_its_exact_call() {
        let tokens = tokens();
        let call = args(json!({"group_id": "a", "extra": {"y": 1, "x": 2}}));
        let token = tokens.issue("delete_hex_group", &call);
        let reordered = args(json!({"extra": {"x": 2, "y": 1}, "group_id": "a", "n": null}));
        assert_eq!(
            tokens.redeem(&token, "delete_hex_group", &reordered),
            Ok(())
        );
        assert_eq!(
            tokens.redeem(&token, "delete_hex_group", &call),
            Err(Rejection::Used)
        );
    }

    #[test]
    fn other_arguments_tools_or_keys_are_refused() {
        let tokens = tokens();
        let call = args(json!({"group_id": "a"}));
        let token = tokens.issue("delete_hex_group", &call);
        let other = args(json!({"group_id": "b"}));
        let refused = Err(Rejection::Mismatch);
        assert_eq!(tokens.redeem(&token, "delete_hex_group", &other), refused);
        assert_eq!(tokens.redeem(&token, "update_hex_group", &call), refused);
        // A failed attempt spends the token: it cannot be tried again, even for its own call.
        assert_eq!(
            tokens.redeem(&token, "delete_hex_group", &call),
            Err(Rejection::Used)
        );
        let token = tokens.issue("delete_hex_group", &call);
        let elsewhere = Tokens::new(ConfirmKey::random().unwrap());
        assert_eq!(
            elsewhere.redeem(&token, "delete_hex_group", &call),
            Err(Rejection::Malformed)
        );
    }

    #[test]
    fn another_replica_with_the_same_key_redeems_it() {
        let call = args(json!({"user_id": "u"}));
        let token = tokens().issue("deactivate_hex_user", &call);
        assert_eq!(
            tokens().redeem(&token, "deactivate_hex_user", &call),
            Ok(())
        );
    }

    #[test]
    fn altered_tokens_are_refused() {
        let tokens = tokens();
        let call = args(json!({"group_id": "a"}));
        let token = tokens.issue_at("delete_hex_group", &call, 1_000);
        // A later expiry written in matches neither the nonce's tag nor the token's.
        let extended = token.replacen(".1300.", ".99999999999.", 1);
        assert_ne!(extended, token);
        assert_eq!(
            tokens.redeem_at(&extended, "delete_hex_group", &call, 1_000),
            Err(Rejection::Malformed)
        );
        // Nor does a tag that was altered.
        let (rest, tag) = token.rsplit_once('.').unwrap();
        let flipped = if tag.starts_with('A') { 'B' } else { 'A' };
        let altered = format!("{rest}.{flipped}{}", &tag[1..]);
        assert_eq!(
            tokens.redeem_at(&altered, "delete_hex_group", &call, 1_000),
            Err(Rejection::Mismatch)
        );
        for malformed in [
            "",
            "made-up",
            "hc1.1.2",
            "hc2.1.n.AAAA",
            "hc1.x.n.AAAA",
            &format!("{token}.x"),
        ] {
            assert_eq!(
                tokens.redeem_at(malformed, "delete_hex_group", &call, 1_000),
                Err(Rejection::Malformed),
                "{malformed}"
            );
        }
    }

    #[test]
    fn stale_tokens_are_refused() {
        let tokens = tokens();
        let call = args(json!({"group_id": "a"}));
        let token = tokens.issue_at("delete_hex_group", &call, 1_000);
        let later = 1_000 + TOKEN_LIFETIME.as_secs();
        assert_eq!(
            tokens.redeem_at(&token, "delete_hex_group", &call, later),
            Err(Rejection::Expired)
        );
    }

    #[test]
    fn short_shared_keys_are_refused_and_unset_means_random() {
        let error = ConfirmKey::from_env(Some("short")).err().unwrap();
        assert!(error.contains(ENV_CONFIRM_KEY) && error.contains("openssl rand"));
        assert!(!ConfirmKey::from_env(None).unwrap().shared());
        assert!(!ConfirmKey::from_env(Some("  ")).unwrap().shared());
        assert!(ConfirmKey::from_env(Some(KEY)).unwrap().shared());
    }
}
