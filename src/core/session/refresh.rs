//! The refresh coordinator: one refresh in flight per tab, run under the cross-tab lock, committed
//! only if nothing newer happened meanwhile (see [`super::state`] for the whole state machine).
//!
//! Every caller that needs a refresh joins the flight in progress (one future its callers share,
//! `single_flight`) if there is one, else starts it. Checking for a flight and starting one happen
//! without an `.await` in between, so two callers can never start two flights. The flight:
//! 1. notes the generation, and fails at once while backing off after transient failures;
//! 2. takes its snapshot of the access token (the failed token, or the one this tab knows) and asks
//!    `accessTokenProvider`, if any, outside the lock (bounded by the request timeout);
//! 3. waits for the lock `{prefix}:session-refresh` (bounded);
//! 4. inside it, reads the stored slots (waiting, bounded, for writes of another tab still on their
//!    way: see `read_consistent`): if adoption is allowed and another tab rotated the access
//!    token to a newer one, adopts it and sends nothing; else sends the refresh (bounded);
//! 5. commits only if the generation is unchanged and the stored slots still hold what it read in 4
//!    (refresh token first, then access token; a refused write falls back to memory); a terminal
//!    answer clears the slots under the same condition;
//! 6. releases the lock, leaves the coordinator, announces the change, and only then resolves, so
//!    no caller's continuation and no listener runs under the lock.
//!
//! A transition of this tab (`setTokens`, `logout`, `clearSessionData`, another tab's `Supersede`)
//! aborts the flight: its request is cancelled, its lock released, and its callers get
//! [`RefreshOutcome::Superseded`].
//!
//! **A rotation not seen yet.** Under the lock, a flight may still read the refresh token it knew
//! although another tab has just rotated it away: neither that tab's writes nor its news may have
//! reached this one yet (Chromium carries them by messages of their own, unordered with the grant).
//! - Granted after a wait ([`Grant::AfterWait`]), a flight that reads the very pair it knew waits a
//!   little (`AFTER_WAIT_MS`, 200 ms) for the previous holder's writes.
//! - Granted at once, just after the other tab let go, it cannot tell. So a tab that rotates leaves
//!   a mark as it lets go of the lock ([`Holding::leave`]: the lock
//!   [`StorageKeys::rotated_mark`](crate::core::keys::StorageKeys::rotated_mark) of the token it
//!   rotated away, held for [`MARK_HOLD_MS`](crate::core::lock::MARK_HOLD_MS)), and a flight looks
//!   for the mark of the token it knows ([`Holding::look_for`]). The locks' state is one for the
//!   whole origin, so a mark left before the release is there for the next holder. Found, the
//!   rotation counts as heard: `read_consistent` waits (bounded) for the new tokens. Only between
//!   tabs that know of each other ([`Broadcast::has_peers`](super::Broadcast::has_peers)): the
//!   look is a trip to the browser, which a tab alone does not pay.

use std::cell::{Cell, RefCell};
use std::rc::Weak;

use futures::FutureExt;

use super::backoff::parse_retry_after;
use super::classify::{classify_response, classify_transport_error, Failure};
use super::jwt;
use super::manager::Inner;
use super::options::STORAGE_TIMEOUT_MS;
use super::single_flight::{Flight as Work, Joined};
use super::state::{AuthEvent, Change, Memory, Origin, SyncMessage};
use super::wire;
use crate::core::clock::{within, Clock};
use crate::core::error::{AuthErrorCode, Error, Result};
use crate::core::keys::Slot;
use crate::core::lock::{Grant, Holding, Lock};
use crate::core::text;
use crate::core::transport::{HttpRequest, HttpResponse, Transport};

/// What a refresh did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// A refresh request was sent and its answer committed.
    Refreshed {
        /// The encrypted `session_data` JSON text of the answer, if any.
        session_data: Option<String>,
        /// The session id stored with the tokens this refresh used: the key of `session_data`.
        session_id: Option<String>,
    },
    /// Another tab (or an earlier refresh) had already rotated the access token to a newer one:
    /// this tab adopted the stored tokens and sent nothing. No `session_data`.
    Adopted,
    /// The session changed while the refresh was prepared or in flight (`setTokens`, `logout`,
    /// `clearSessionData`, here or in another tab): nothing was committed.
    Superseded,
}

impl RefreshOutcome {
    /// The `session_data` of a [`RefreshOutcome::Refreshed`].
    pub fn session_data(&self) -> Option<&str> {
        match self {
            Self::Refreshed { session_data, .. } => session_data.as_deref(),
            _ => None,
        }
    }
}

/// The future every caller of one flight shares.
pub(super) type SharedRefresh = Joined<Result<RefreshOutcome>>;

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
    work: Work<Result<RefreshOutcome>>,
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
            .map(|f| (f.work.join(), f.adopt))
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
        let work = Work::new(run_flight(inner, id, plan).boxed_local());
        let joined = work.join();
        *self.current.borrow_mut() = Some(Flight { id, adopt, work });
        (joined, adopt)
    }

    /// Aborts the flight in progress, if any: its request and lock wait are dropped (which cancels
    /// the fetch and releases the lock) and its callers get [`RefreshOutcome::Superseded`].
    pub(super) fn supersede(&self) {
        let flight = self.current.borrow_mut().take();
        if let Some(flight) = flight {
            flight.work.abort(Ok(RefreshOutcome::Superseded));
        }
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
    let (result, changes) = flight_body(&inner, plan).await;
    inner.coordinator.finish(id);
    for change in changes {
        inner.announce(change);
    }
    result
}

/// The flight's result and the changes to announce once the lock is released.
type FlightResult = (Result<RefreshOutcome>, Vec<Change>);

async fn flight_body<T, L, C>(inner: &Inner<T, L, C>, plan: FlightPlan) -> FlightResult
where
    T: Transport,
    L: Lock,
    C: Clock,
{
    inner.wait_for_remote_transition().await;
    let generation = inner.generation.get();
    // The refresh token this tab knew when it decided to refresh: the one paired with its snapshot.
    let known_refresh = inner.memory.borrow().refresh_token.clone();
    if let Some((error, wait_ms)) = inner.backoff.blocked(inner.clock.now_ms()) {
        return (Err(backing_off(error, wait_ms)), Vec::new());
    }
    if let Err(e) = inner.options.api_base() {
        return (Err(e), Vec::new());
    }
    let snapshot = match plan.snapshot {
        Snapshot::Failed(token) => token,
        Snapshot::Current => {
            let known = inner.memory.borrow().access_token.clone();
            match known {
                Some(token) => Some(token),
                // Nothing in memory: the stored token is this tab's current one, so that a fresh
                // instance never takes its own stale stored token for one another tab rotated.
                None => match bounded_read(inner, Slot::AccessToken).await {
                    Ok(token) => token,
                    Err(e) => return (Err(e), Vec::new()),
                },
            }
        }
    };
    // The app's provider runs outside the lock, bounded: a slow or hanging provider holds no tab.
    let provided = match inner.provide_access_token().await {
        Ok(token) => token,
        Err(e) => return (Err(e), Vec::new()),
    };
    let name = inner.slots.keys().lock_name();
    let known = Known {
        adopt: plan.adopt,
        snapshot,
        refresh: known_refresh,
        provided,
        generation,
    };
    // Between tabs that know of each other, look for the mark of a rotation of the refresh token
    // this tab knows (see the module's doc).
    let holding = Holding {
        look_for: known
            .refresh
            .as_deref()
            .filter(|_| inner.has_peers())
            .map(|r| inner.slots.keys().rotated_mark(SyncMessage::fingerprint(r))),
        ..Holding::default()
    };
    let task = locked_refresh(inner, known, &holding).boxed_local();
    match inner
        .lock
        .with_lock(&name, inner.options.lock_wait_ms, &holding, task)
        .await
    {
        Ok(out) => out,
        Err(e) => (Err(e), Vec::new()),
    }
}

/// The stored slots a refresh reads before sending and checks again before committing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// The session id.
    pub session_id: Option<String>,
    /// The access token.
    pub access_token: Option<String>,
    /// The refresh token.
    pub refresh_token: Option<String>,
}

impl Stored {
    /// Another tab's rotation, half arrived: a refresh token other than `known_refresh` next to
    /// the very access token this tab knew (`snapshot`). Sending that pair would rotate a second
    /// time.
    fn rotation_half_arrived(&self, snapshot: Option<&str>, known_refresh: Option<&str>) -> bool {
        known_refresh.is_some()
            && self.refresh_token.is_some()
            && self.refresh_token.as_deref() != known_refresh
            && self.access_token.is_some()
            && self.access_token.as_deref() == snapshot
    }

    /// Still the refresh token this tab knew (and it knew one).
    fn still_holds(&self, known_refresh: Option<&str>) -> bool {
        known_refresh.is_some() && self.refresh_token.as_deref() == known_refresh
    }

    /// Exactly the session `replaced` (which held a token): another tab said it replaced that
    /// session, and its writes have not reached this tab yet.
    fn shows(&self, replaced: &Memory) -> bool {
        (replaced.access_token.is_some() || replaced.refresh_token.is_some())
            && (
                &replaced.session_id,
                &replaced.access_token,
                &replaced.refresh_token,
            ) == (&self.session_id, &self.access_token, &self.refresh_token)
    }
}

/// Reads the session id, access token and refresh token from storage, each bounded.
pub(super) async fn read_stored<T, L, C: Clock>(inner: &Inner<T, L, C>) -> Result<Stored> {
    Ok(Stored {
        session_id: bounded_read(inner, Slot::SessionId).await?,
        access_token: bounded_read(inner, Slot::AccessToken).await?,
        refresh_token: bounded_read(inner, Slot::RefreshToken).await?,
    })
}

/// How long a tab that finds the refresh token rotated but the access token not yet waits for the
/// rotating tab's access token to arrive (in 20 ms steps).
const CATCH_UP_MS: u64 = 1_000;

/// How long a flight granted the lock after a wait, that finds the very pair it knew still stored,
/// waits (in 20 ms steps) for the writes of the tab that held the lock before it. A holder that
/// changed nothing (its refresh failed, or it only read) costs the next holder this much.
const AFTER_WAIT_MS: u64 = 200;

/// Reads the stored slots, waiting (at most [`CATCH_UP_MS`]) until they are consistent with the
/// pair this tab knew (`snapshot` access token, `known_refresh` refresh token). Chromium carries
/// localStorage writes and cookies to other tabs' processes asynchronously and separately, and a
/// lock grant or a BroadcastChannel message can arrive first. Right after another tab rotated, this
/// tab may read:
/// - the new refresh token next to the old access token. Sending that pair would rotate a second
///   time; taking it for this tab's pair would hide the rotation from the next refresh. Waiting for
///   the access token lets a flight adopt (or refresh once with the right pair).
/// - the old pair, when the other tab's [`SyncMessage::Rotated`](super::SyncMessage::Rotated)
///   named `known_refresh`: sending it would present a rotated-away token. Waiting for the new
///   one lets a flight adopt.
/// - the old pair, when the lock was granted after a wait ([`Grant::AfterWait`]) and the news has
///   not arrived either: the holder before it may have just rotated. Waiting (at most
///   [`AFTER_WAIT_MS`]) for any change lets a flight adopt; a holder that changed nothing costs
///   that wait.
/// - exactly `replaced`, with a token, when another tab said it replaced that session (a logout,
///   a login): its writes may reach this tab after its news.
pub(super) async fn read_consistent<T, L, C: Clock>(
    inner: &Inner<T, L, C>,
    snapshot: Option<&str>,
    known_refresh: Option<&str>,
    grant: Grant,
    replaced: Option<&Memory>,
) -> Result<Stored> {
    let mut stored = read_stored(inner).await?;
    let mut waited = 0;
    while waited < CATCH_UP_MS
        && (stored.rotation_half_arrived(snapshot, known_refresh)
            || stored.still_holds(known_refresh)
                && (known_refresh.is_some_and(|r| inner.heard.has(r))
                    || grant == Grant::AfterWait
                        && waited < AFTER_WAIT_MS
                        && stored.access_token.as_deref() == snapshot)
            || replaced.is_some_and(|r| stored.shows(r)))
    {
        inner.clock.sleep(20).await;
        waited += 20;
        stored = read_stored(inner).await?;
    }
    // The rotation heard of arrived, or is not coming: its news has been acted on. News of another
    // token is kept for the read it concerns.
    if let Some(known) = known_refresh {
        inner.heard.forget(known);
    }
    Ok(stored)
}

/// One slot read, bounded by [`STORAGE_TIMEOUT_MS`].
pub(super) async fn bounded_read<T, L, C: Clock>(
    inner: &Inner<T, L, C>,
    slot: Slot,
) -> Result<Option<String>> {
    within(&inner.clock, STORAGE_TIMEOUT_MS, inner.slots.get(slot))
        .await
        .unwrap_or_else(|| Err(storage_timeout()))
}

pub(super) fn storage_timeout() -> Error {
    Error::StorageUnavailable("the storage adapter did not answer within 5 s".to_owned())
}

/// Sends `request`; `None` when it ran out of time. The transport aborts at the request's timeout;
/// a transport that does not promise to settle by then (see [`Transport::enforces_timeout`]) is
/// also bounded here, a second later.
pub(super) async fn send_bounded<T: Transport, L, C: Clock>(
    inner: &Inner<T, L, C>,
    request: HttpRequest,
) -> Option<Result<HttpResponse>> {
    if inner.transport.enforces_timeout() {
        return Some(inner.transport.send(request).await);
    }
    let bound = u64::from(inner.options.request_timeout_ms()) + 1_000;
    within(&inner.clock, bound, inner.transport.send(request)).await
}

/// What a flight knew before it took the lock.
struct Known {
    /// May it adopt tokens another tab rotated?
    adopt: bool,
    /// The access token it believed current.
    snapshot: Option<String>,
    /// The refresh token it believed current.
    refresh: Option<String>,
    /// The access token from `accessTokenProvider`, if any.
    provided: Option<String>,
    /// The generation it belongs to.
    generation: u64,
}

/// The part under the lock: read, adopt or send, check, commit.
async fn locked_refresh<T, L, C>(
    inner: &Inner<T, L, C>,
    known: Known,
    holding: &Holding,
) -> FlightResult
where
    T: Transport,
    L: Lock,
    C: Clock,
{
    let Known {
        adopt,
        snapshot,
        refresh: known_refresh,
        provided,
        generation,
    } = known;
    let nothing = Vec::new();
    if inner.generation.get() != generation {
        return (Ok(RefreshOutcome::Superseded), nothing);
    }
    if holding.found.get() {
        if let Some(known) = known_refresh.as_deref() {
            inner.heard.note(SyncMessage::fingerprint(known));
        }
    }
    let before = match read_consistent(
        inner,
        snapshot.as_deref(),
        known_refresh.as_deref(),
        holding.grant.get(),
        None,
    )
    .await
    {
        Ok(stored) => stored,
        Err(e) => return (Err(e), nothing),
    };
    let access = provided.or_else(|| before.access_token.clone());
    if access.is_none() && before.refresh_token.is_none() {
        // Nothing to refresh with (never stored, or cleared before this flight got the lock): the
        // original's error, and no request. This read is the stored session: memory follows it.
        inner.forget_session();
        return (
            Err(Error::auth(
                AuthErrorCode::Expired,
                "No access token or refresh token available",
            )),
            nothing,
        );
    }
    if adopt && !inner.provider_is_set() {
        if let Some(stored) = before.access_token.as_deref() {
            if is_newer(stored, snapshot.as_deref(), inner.clock.now_ms()) {
                inner.adopt(&before);
                return (Ok(RefreshOutcome::Adopted), nothing);
            }
        }
    }

    let request = match wire::refresh_request(
        &inner.options,
        access.as_deref(),
        before.refresh_token.as_deref(),
    ) {
        Ok(request) => request,
        Err(e) => return (Err(e), nothing),
    };
    let sent = send_bounded(inner, request).await;
    let (answer, retry_after) = match sent {
        Some(Ok(response)) => {
            let retry_after = response
                .header_value("retry-after")
                .and_then(parse_retry_after);
            (classify_response(&response), retry_after)
        }
        Some(Err(e)) => (Err(classify_transport_error(e)), None),
        None => (
            Err(classify_transport_error(Error::Timeout {
                url: inner.options.refresh_url().unwrap_or_default(),
                ms: inner.options.request_timeout_ms(),
            })),
            None,
        ),
    };

    // Newer always wins: a transition of this tab, or a change of the stored session by any tab
    // (ours or the original's), while the request was in flight drops this answer. One change does
    // not: the access token alone arriving late (see `read_consistent`) while the refresh token
    // this flight presented is still the stored one. The server has just rotated that very token,
    // so this answer is the newest pair there is; dropping it would leave the stored refresh token
    // a replayed parent, which a server revokes the session for once its grace window is over.
    if inner.generation.get() != generation {
        return (Ok(RefreshOutcome::Superseded), nothing);
    }
    match read_stored(inner).await {
        Ok(after) if after == before || rotated_what_is_stored(&answer, &before, &after) => {}
        Ok(_) => return (Ok(RefreshOutcome::Superseded), nothing),
        Err(e) => return (Err(e), nothing),
    }

    match answer {
        Ok(answer) => {
            // The rotated refresh token first: if it cannot be stored, it is kept in memory, and
            // the next refresh never replays the revoked one.
            let mut writes = Vec::with_capacity(2);
            if let Some(refresh) = answer.refresh_token.as_deref() {
                writes.push((Slot::RefreshToken, refresh));
            }
            writes.push((Slot::AccessToken, answer.access_token.as_str()));
            let mut changes = inner.write_slots(&writes).await;
            // The news goes out, and the mark is left, before the lock is released (see
            // `SyncMessage::Rotated` and the module's doc).
            let rotated = match (
                before.refresh_token.as_deref(),
                answer.refresh_token.as_deref(),
            ) {
                (Some(parent), Some(new)) if new != parent => {
                    Some(SyncMessage::fingerprint(parent))
                }
                _ => None,
            };
            inner.post(match rotated {
                Some(parent) => SyncMessage::Rotated(parent),
                None => SyncMessage::Changed(AuthEvent::TokenRefreshed),
            });
            if let Some(parent) = rotated.filter(|_| inner.has_peers()) {
                *holding.leave.borrow_mut() = Some(inner.slots.keys().rotated_mark(parent));
            }
            let id_token = inner.memory.borrow().id_token.clone();
            inner.commit_memory(Memory {
                session_id: before.session_id.clone(),
                access_token: Some(answer.access_token),
                refresh_token: answer.refresh_token.or(before.refresh_token),
                id_token,
            });
            inner.authenticated.set(true);
            inner.backoff.reset();
            inner.schedule_from_current();
            changes.insert(0, Change::local(AuthEvent::TokenRefreshed));
            (
                Ok(RefreshOutcome::Refreshed {
                    session_data: answer.session_data,
                    session_id: before.session_id,
                }),
                changes,
            )
        }
        Err(Failure::Terminal(e)) => {
            // Best effort: the error to report is the server's answer, not a storage hiccup.
            let _ = inner.clear_now().await;
            (Err(e), vec![Change::local(AuthEvent::SessionExpired)])
        }
        Err(Failure::Transient(e)) => {
            inner.backoff.failed(
                &inner.options.backoff,
                inner.clock.now_ms(),
                e.clone(),
                retry_after,
            );
            (Err(e), nothing)
        }
    }
}

/// Did this successful answer rotate the refresh token that is stored now (same session, same
/// refresh token as when the request was sent, only the access token changed meanwhile)?
fn rotated_what_is_stored(
    answer: &std::result::Result<wire::RefreshAnswer, Failure>,
    before: &Stored,
    after: &Stored,
) -> bool {
    matches!(answer, Ok(a) if a.refresh_token.is_some())
        && before.refresh_token.is_some()
        && after.refresh_token == before.refresh_token
        && after.session_id == before.session_id
}

/// Is the stored access token one another tab rotated after this tab's `snapshot`?
///
/// It must differ from the snapshot, and be newer: an `exp` no earlier than the snapshot's (no client
/// clock involved, so a clock that is hours off neither loops nor adopts a stale token); when
/// either has no readable `exp`, it must not be expired by the local clock.
fn is_newer(stored: &str, snapshot: Option<&str>, now_ms: u64) -> bool {
    if snapshot == Some(stored) {
        return false;
    }
    match snapshot.and_then(|s| jwt::expires_no_earlier(stored, s)) {
        Some(later) => later,
        None => !jwt::is_expired(stored, now_ms),
    }
}

fn backing_off(error: Error, wait_ms: u64) -> Error {
    let secs = wait_ms.div_ceil(1000);
    let message = match &error {
        Error::Auth { message, .. } => message.clone(),
        other => other.message(),
    };
    let code = match &error {
        Error::Auth { code, .. } => *code,
        _ => AuthErrorCode::RefreshFailed,
    };
    let mut out = message;
    out.push_str(" (not retried for ");
    text::push_dec(&mut out, secs);
    out.push_str(" s: backing off after failed refreshes)");
    Error::auth(code, out)
}

impl Change {
    /// A change made by this tab.
    pub fn local(event: AuthEvent) -> Self {
        Self {
            event,
            origin: Origin::Local,
            error: None,
        }
    }

    /// This tab's `STORAGE_FALLBACK`, with the write error that caused it.
    pub fn fallback(error: Error) -> Self {
        Self {
            error: Some(error),
            ..Self::local(AuthEvent::StorageFallback)
        }
    }
}
