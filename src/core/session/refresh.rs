//! The refresh coordinator: one refresh in flight per tab, run under the cross-tab lock.
//!
//! Every caller that needs a refresh joins the in-flight [`Shared`] future if there is one, else
//! starts it. Checking for a flight and starting one happen without an `.await` in between, so two
//! callers can never start two flights. The flight:
//! 1. takes its snapshot of the access token (the failed token, or the one this tab knows);
//! 2. waits for the lock `{prefix}:session-refresh` (bounded);
//! 3. inside it, re-reads the stored tokens: if adoption is allowed and another tab rotated the access
//!    token to one that is not expired, adopts it and sends nothing; else sends the refresh with the
//!    stored tokens and commits the answer (or clears the session on a terminal answer);
//! 4. releases the lock, leaves the coordinator, and only then resolves, so the callers'
//!    continuations never run under the lock.

use std::cell::{Cell, RefCell};
use std::rc::Weak;

use futures::future::{LocalBoxFuture, Shared};
use futures::FutureExt;

use super::classify::{classify_response, classify_transport_error, Failure};
use super::jwt;
use super::manager::Inner;
use super::wire;
use crate::core::clock::Clock;
use crate::core::error::{AuthErrorCode, Error, Result};
use crate::core::keys::Slot;
use crate::core::lock::Lock;
use crate::core::transport::Transport;

/// What a refresh did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// A refresh request was sent and its answer committed.
    Refreshed {
        /// The encrypted `session_data` JSON text of the answer, if any.
        session_data: Option<String>,
    },
    /// Another tab (or an earlier refresh) had already rotated the access token to one that is not
    /// expired: this tab adopted the stored tokens and sent nothing. No `session_data`.
    Adopted,
}

impl RefreshOutcome {
    /// The `session_data` of a [`RefreshOutcome::Refreshed`].
    pub fn session_data(&self) -> Option<&str> {
        match self {
            Self::Refreshed { session_data } => session_data.as_deref(),
            Self::Adopted => None,
        }
    }
}

/// The future every caller of one flight shares.
pub(super) type SharedRefresh = Shared<LocalBoxFuture<'static, Result<RefreshOutcome>>>;

/// What this tab believed the access token was when it decided to refresh.
#[derive(Debug, Clone)]
pub(super) enum Snapshot {
    /// The token a request failed with (`handle_unauthorized`): never taken for a fresh one.
    Failed(Option<String>),
    /// The token this tab knows: the one in memory, else the stored one.
    Current,
}

/// A flight's parameters.
#[derive(Debug, Clone)]
pub(super) struct FlightPlan {
    /// May the flight adopt tokens another tab rotated instead of sending a request?
    pub adopt: bool,
    /// The snapshot to compare the stored token with.
    pub snapshot: Snapshot,
}

struct Flight {
    id: u64,
    adopt: bool,
    future: SharedRefresh,
}

/// The in-flight refresh of one manager.
#[derive(Default)]
pub(super) struct Coordinator {
    current: RefCell<Option<Flight>>,
    next_id: Cell<u64>,
}

impl std::fmt::Debug for Coordinator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Coordinator")
            .field("in_flight", &self.in_flight().is_some())
            .finish()
    }
}

impl Coordinator {
    /// The flight in progress, and whether it may adopt instead of refreshing.
    pub(super) fn in_flight(&self) -> Option<(SharedRefresh, bool)> {
        self.current
            .borrow()
            .as_ref()
            .map(|f| (f.future.clone(), f.adopt))
    }

    /// Joins the flight in progress, or starts one with `plan`. Returns the future and whether the
    /// flight may adopt. Synchronous: no other caller can interleave.
    pub(super) fn join_or_start<T, L, C>(
        &self,
        inner: Weak<Inner<T, L, C>>,
        plan: FlightPlan,
    ) -> (SharedRefresh, bool)
    where
        T: Transport + 'static,
        L: Lock + 'static,
        C: Clock + 'static,
    {
        if let Some(joined) = self.in_flight() {
            return joined;
        }
        let id = self.next_id.get().wrapping_add(1);
        self.next_id.set(id);
        let adopt = plan.adopt;
        let future = run_flight(inner, id, plan).boxed_local().shared();
        *self.current.borrow_mut() = Some(Flight {
            id,
            adopt,
            future: future.clone(),
        });
        (future, adopt)
    }

    /// Forgets flight `id` (and only it).
    fn finish(&self, id: u64) {
        let mut current = self.current.borrow_mut();
        if current.as_ref().is_some_and(|f| f.id == id) {
            *current = None;
        }
    }
}

async fn run_flight<T, L, C>(
    inner: Weak<Inner<T, L, C>>,
    id: u64,
    plan: FlightPlan,
) -> Result<RefreshOutcome>
where
    T: Transport + 'static,
    L: Lock + 'static,
    C: Clock + 'static,
{
    let Some(inner) = inner.upgrade() else {
        return Err(Error::auth(
            AuthErrorCode::RefreshFailed,
            "the session manager was dropped before the refresh ran",
        ));
    };
    let result = flight_body(&inner, plan).await;
    inner.coordinator.finish(id);
    result
}

async fn flight_body<T, L, C>(inner: &Inner<T, L, C>, plan: FlightPlan) -> Result<RefreshOutcome>
where
    T: Transport,
    L: Lock,
    C: Clock,
{
    let epoch = inner.epoch.get();
    let snapshot = match plan.snapshot {
        Snapshot::Failed(token) => token,
        Snapshot::Current => {
            let known = inner.memory.borrow().access_token.clone();
            match known {
                Some(token) => Some(token),
                // Nothing in memory: the stored token is this tab's current one, so that a fresh
                // instance never takes its own stale stored token for one another tab rotated.
                None => inner.read_access_token().await?,
            }
        }
    };
    let name = inner.slots.keys().lock_name();
    let task = locked_refresh(inner, plan.adopt, snapshot, epoch).boxed_local();
    inner
        .lock
        .with_lock(&name, inner.options.lock_wait_ms, task)
        .await?
}

/// The part under the lock: re-read, adopt or send, commit.
async fn locked_refresh<T, L, C>(
    inner: &Inner<T, L, C>,
    adopt: bool,
    snapshot: Option<String>,
    epoch: u64,
) -> Result<RefreshOutcome>
where
    T: Transport,
    L: Lock,
    C: Clock,
{
    if inner.epoch.get() != epoch {
        return Err(cleared_meanwhile());
    }
    let stored_access = inner.read_access_token().await?;
    let stored_refresh = inner.slots.get(Slot::RefreshToken).await?;
    if adopt {
        if let Some(stored) = stored_access.as_deref() {
            let rotated = snapshot.as_deref() != Some(stored);
            if rotated && !jwt::is_expired(stored, inner.clock.now_ms()) {
                inner.remember_tokens(stored_access.clone(), stored_refresh.clone());
                inner.authenticated.set(true);
                return Ok(RefreshOutcome::Adopted);
            }
        }
    }

    let request = wire::refresh_request(
        &inner.options,
        stored_access.as_deref(),
        stored_refresh.as_deref(),
    );
    let answer = match inner.transport.send(request).await {
        Ok(response) => classify_response(&response),
        Err(e) => Err(classify_transport_error(e)),
    };
    if inner.epoch.get() != epoch {
        // The app cleared the session (or logged out) while the request was in flight: never
        // resurrect it.
        return Err(cleared_meanwhile());
    }
    match answer {
        Ok(answer) => {
            inner
                .slots
                .set(Slot::AccessToken, &answer.access_token)
                .await?;
            if let Some(refresh) = answer.refresh_token.as_deref() {
                inner.slots.set(Slot::RefreshToken, refresh).await?;
            }
            let refresh = answer.refresh_token.or(stored_refresh);
            inner.remember_tokens(Some(answer.access_token), refresh);
            inner.authenticated.set(true);
            Ok(RefreshOutcome::Refreshed {
                session_data: answer.session_data,
            })
        }
        Err(Failure::Terminal(e)) => {
            // Best effort: the error to report is the server's answer, not a storage hiccup.
            let _ = inner.clear().await;
            Err(e)
        }
        Err(Failure::Transient(e)) => Err(e),
    }
}

fn cleared_meanwhile() -> Error {
    Error::auth(
        AuthErrorCode::SessionExpired,
        "the session was cleared while the refresh was in flight",
    )
}
