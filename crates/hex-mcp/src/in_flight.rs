//! Tool calls in progress, so that a server asked to stop can let them finish first.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use tokio::sync::Notify;

#[derive(Debug, Clone, Default)]
pub struct InFlight(Arc<State>);

#[derive(Debug, Default)]
struct State {
    calls: AtomicUsize,
    idle: Notify,
}

/// One call in progress, until dropped.
#[derive(Debug)]
pub struct Entered(Arc<State>);

impl InFlight {
    pub fn enter(&self) -> Entered {
        self.0.calls.fetch_add(1, Ordering::SeqCst);
        crate::metrics::in_progress(1.0);
        Entered(self.0.clone())
    }

    pub fn count(&self) -> usize {
        self.0.calls.load(Ordering::SeqCst)
    }

    /// Returns once no call is in progress (at once if none is).
    pub async fn idle(&self) {
        loop {
            // Registered before the count is read, so a call ending in between still wakes us.
            let notified = self.0.idle.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.count() == 0 {
                return;
            }
            notified.await;
        }
    }
}

impl Drop for Entered {
    fn drop(&mut self) {
        crate::metrics::in_progress(-1.0);
        if self.0.calls.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn idle_waits_for_the_last_call() {
        let in_flight = InFlight::default();
        tokio::time::timeout(Duration::from_millis(100), in_flight.idle())
            .await
            .unwrap();
        let first = in_flight.enter();
        let second = in_flight.enter();
        assert_eq!(in_flight.count(), 2);
        let waiting = tokio::spawn({
            let in_flight = in_flight.clone();
            async move { in_flight.idle().await }
        });
        drop(first);
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished());
        drop(second);
        tokio::time::timeout(Duration::from_secs(1), waiting)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(in_flight.count(), 0);
    }
}
