//! Plans a tool made and will carry out only when called again with the plan's id: a preview a
//! person can read before anything changes, bound to what was previewed.
//!
//! A plan lives in this process's memory for [`PLAN_LIFETIME`]. It is bound to the tool that made
//! it and to its owner (the Hex account and the HTTP caller, see [`Owner`]), so another tenant
//! of a shared HTTP server cannot carry out someone else's plan even if it learned the id. A plan
//! is opened by one call at a time: a second call while the first carries it out is refused
//! rather than doing the same work twice. The body is the tool's own type.
//!
//! One store serves the whole process (every session and every server built in it), like the
//! Hex client's pacing windows: plans are few and small, and a plan made through one session of
//! the HTTP transport can be applied through the next one.

use std::{
    any::Any,
    collections::HashMap,
    sync::{Arc, LazyLock, Mutex, PoisonError},
    time::{Duration, Instant},
};

use sha2::{Digest, Sha256};
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

/// How long a plan can be applied after it was made.
pub const PLAN_LIFETIME: Duration = Duration::from_secs(3_600);

/// The most plans kept at once; making one more drops the oldest that is not in use.
pub const MAX_PLANS: usize = 64;

/// Who may apply a plan: a digest of the Hex base URL, the Hex token and the HTTP caller's
/// bearer token (none over stdio). Only the digest is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Owner([u8; 32]);

impl Owner {
    /// The owner of calls made with this Hex account (`base_url` and `token`) by this caller.
    pub fn of(base_url: &str, token: &str, caller: Option<&[u8; 32]>) -> Owner {
        let mut hash = Sha256::new();
        for part in [
            b"hex-mcp plan owner".as_slice(),
            base_url.as_bytes(),
            token.as_bytes(),
        ] {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part);
        }
        hash.update(caller.map_or(&[0u8; 32][..], |digest| &digest[..]));
        Owner(hash.finalize().into())
    }
}

/// Why a plan cannot be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanError {
    /// No such plan for this tool and owner: never made, made by someone else, expired, or
    /// dropped to make room (or this server restarted).
    Unknown,
    /// Another call is carrying it out right now.
    InUse,
    /// Every kept plan is in use: none can be dropped to make room.
    Full,
}

impl PlanError {
    pub fn explain(self) -> String {
        match self {
            PlanError::Unknown => format!(
                "no plan with this id for this caller: plans are kept {} min in the memory of the server that made them (and only for the caller that made them)",
                PLAN_LIFETIME.as_secs() / 60
            ),
            PlanError::InUse => "this plan is being applied by another call right now: wait for that call to finish, then call again to see what is left".into(),
            PlanError::Full => format!("{MAX_PLANS} plans are being applied right now: try again when one has finished"),
        }
    }
}

/// A new plan's id and how long it can be applied.
#[derive(Debug, Clone)]
pub struct Ticket {
    pub id: String,
    pub expires_in: Duration,
}

struct Kept {
    tool: &'static str,
    owner: Owner,
    made: Instant,
    /// `AsyncMutex<T>` of the tool's plan type; a clone is held while the plan is open.
    body: Arc<dyn Any + Send + Sync>,
}

impl Kept {
    fn expired(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.made) >= PLAN_LIFETIME
    }

    fn in_use(&self) -> bool {
        Arc::strong_count(&self.body) > 1
    }
}

/// The plans of this process.
#[derive(Default)]
pub struct PlanStore {
    plans: Mutex<HashMap<String, Kept>>,
}

static PLANS: LazyLock<PlanStore> = LazyLock::new(PlanStore::default);

impl PlanStore {
    /// The store every tool of this process uses.
    pub fn global() -> &'static PlanStore {
        &PLANS
    }

    /// Keeps `body` as a plan of `tool` for `owner`, under a new random id.
    pub fn save<T: Send + 'static>(
        &self,
        tool: &'static str,
        owner: Owner,
        body: T,
    ) -> Result<Ticket, PlanError> {
        self.save_at(tool, owner, body, Instant::now())
    }

    fn save_at<T: Send + 'static>(
        &self,
        tool: &'static str,
        owner: Owner,
        body: T,
        now: Instant,
    ) -> Result<Ticket, PlanError> {
        let mut plans = self.plans.lock().unwrap_or_else(PoisonError::into_inner);
        plans.retain(|_, kept| kept.in_use() || !kept.expired(now));
        if plans.len() >= MAX_PLANS {
            let oldest = plans
                .iter()
                .filter(|(_, kept)| !kept.in_use())
                .min_by_key(|(_, kept)| kept.made)
                .map(|(id, _)| id.clone())
                .ok_or(PlanError::Full)?;
            plans.remove(&oldest);
        }
        let id = uuid::Uuid::new_v4().simple().to_string();
        let body: Arc<dyn Any + Send + Sync> = Arc::new(AsyncMutex::new(body));
        plans.insert(
            id.clone(),
            Kept {
                tool,
                owner,
                made: now,
                body,
            },
        );
        Ok(Ticket {
            id,
            expires_in: PLAN_LIFETIME,
        })
    }

    /// Opens plan `id` of `tool` for `owner`: the body, held by this call until the guard is
    /// dropped (changes made through it are kept for the next call).
    pub fn open<T: Send + 'static>(
        &self,
        id: &str,
        tool: &'static str,
        owner: Owner,
    ) -> Result<OwnedMutexGuard<T>, PlanError> {
        self.open_at(id, tool, owner, Instant::now())
    }

    fn open_at<T: Send + 'static>(
        &self,
        id: &str,
        tool: &'static str,
        owner: Owner,
        now: Instant,
    ) -> Result<OwnedMutexGuard<T>, PlanError> {
        let body = {
            let plans = self.plans.lock().unwrap_or_else(PoisonError::into_inner);
            let kept = plans
                .get(id.trim())
                .filter(|kept| kept.tool == tool && kept.owner == owner && !kept.expired(now))
                .ok_or(PlanError::Unknown)?;
            kept.body.clone()
        };
        let body = body
            .downcast::<AsyncMutex<T>>()
            .map_err(|_| PlanError::Unknown)?;
        body.try_lock_owned().map_err(|_| PlanError::InUse)
    }

    /// Forgets plan `id` (e.g. once it is fully applied and reported).
    pub fn remove(&self, id: &str) {
        self.plans
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(id.trim());
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.plans
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn owner(token: &str) -> Owner {
        Owner::of("https://app.hex.tech/api/v1", token, None)
    }

    #[test]
    fn a_plan_opens_for_its_tool_and_owner_only() {
        let store = PlanStore::default();
        let ticket = store.save("replace", owner("a"), vec![1, 2]).unwrap();
        assert_eq!(ticket.expires_in, PLAN_LIFETIME);
        let caller = [7u8; 32];
        let tenant = Owner::of("https://app.hex.tech/api/v1", "a", Some(&caller));
        for (tool, who) in [
            ("replace", owner("b")),
            ("share", owner("a")),
            ("replace", tenant),
        ] {
            let opened = store.open::<Vec<i32>>(&ticket.id, tool, who);
            assert_eq!(opened.err(), Some(PlanError::Unknown));
        }
        let wrong_type = store.open::<String>(&ticket.id, "replace", owner("a"));
        assert_eq!(wrong_type.err(), Some(PlanError::Unknown));
        let mut body = store
            .open::<Vec<i32>>(&ticket.id, "replace", owner("a"))
            .unwrap();
        body.push(3);
        drop(body);
        let body = store
            .open::<Vec<i32>>(&format!(" {} ", ticket.id), "replace", owner("a"))
            .unwrap();
        assert_eq!(*body, vec![1, 2, 3], "changes are kept for the next call");
    }

    #[test]
    fn one_call_at_a_time_and_plans_expire() {
        let store = PlanStore::default();
        let now = Instant::now();
        let ticket = store.save_at("replace", owner("a"), 1u8, now).unwrap();
        let held = store.open_at::<u8>(&ticket.id, "replace", owner("a"), now);
        assert!(held.is_ok());
        let again = store.open_at::<u8>(&ticket.id, "replace", owner("a"), now);
        assert_eq!(again.err(), Some(PlanError::InUse));
        drop(held);
        let later = now + PLAN_LIFETIME;
        let expired = store.open_at::<u8>(&ticket.id, "replace", owner("a"), later);
        assert_eq!(expired.err(), Some(PlanError::Unknown));
        store.save_at("replace", owner("a"), 2u8, later).unwrap();
        assert_eq!(store.len(), 1, "the expired plan was dropped");
    }

    #[test]
    fn the_store_is_bounded_and_keeps_plans_in_use() {
        let store = PlanStore::default();
        let now = Instant::now();
        let first = store.save_at("t", owner("a"), 0usize, now).unwrap();
        let held = store
            .open_at::<usize>(&first.id, "t", owner("a"), now)
            .unwrap();
        let second = store
            .save_at("t", owner("a"), 1usize, now + Duration::from_secs(1))
            .unwrap();
        for n in 2..MAX_PLANS + 1 {
            let at = now + Duration::from_secs(n as u64);
            store.save_at("t", owner("a"), n, at).unwrap();
        }
        assert_eq!(store.len(), MAX_PLANS);
        let dropped = store.open::<usize>(&second.id, "t", owner("a"));
        assert_eq!(
            dropped.err(),
            Some(PlanError::Unknown),
            "the oldest unused went"
        );
        assert_eq!(*held, 0, "the plan in use was kept");
        store.remove(&first.id);
        assert_eq!(store.len(), MAX_PLANS - 1);
    }
}
