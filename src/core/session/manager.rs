//! `SessionManager`: the target-independent `AuthSessionManager` (PROTOCOL.md §4). The state machine
//! it follows is written down in [`super::state`]; the refresh flight in [`super::refresh`].

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::future::LocalBoxFuture;
use futures::FutureExt;

use super::backoff::Backoff;
use super::options::{SessionOptions, STORAGE_TIMEOUT_MS};
use super::refresh::{
    bounded_read, read_consistent, read_stored, send_bounded, storage_timeout, Coordinator,
    FlightPlan, Snapshot,
};
use super::schedule::Schedule;
use super::state::{
    AuthEvent, Broadcast, Change, Generation, HeardRotation, Listener, Listeners, Memory,
    MemoryCell, Notify, Origin, SyncMessage, TransitionGuard, Transitions,
};
use super::wire;
use super::{jwt, RefreshOutcome};
use crate::core::clock::{within, Clock};
use crate::core::crypto;
use crate::core::error::{AuthErrorCode, Error, Result};
use crate::core::keys::{normalize_session_id, Slot};
use crate::core::lock::{Grant, Holding, Lock};
use crate::core::text;
use crate::core::transport::Transport;

pub use super::refresh::Stored;

/// The app's own source of access tokens (`accessTokenProvider`): replaces every read of the
/// access-token slot.
pub type AccessTokenProvider = Rc<dyn Fn() -> LocalBoxFuture<'static, Result<Option<String>>>>;

/// How many times a caller that needs a real refresh (with `session_data`) goes round when the
/// flight it joined only adopted tokens or was superseded.
const FULL_REFRESH_ATTEMPTS: usize = 3;

/// The argument of [`SessionManager::set_tokens`] (camelCase or snake_case keys in JS).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokensInput {
    /// The session id (validated and normalised, PROTOCOL.md §3).
    pub session_id: Option<String>,
    /// The access token.
    pub access_token: Option<String>,
    /// The refresh token.
    pub refresh_token: Option<String>,
    /// The id token.
    pub id_token: Option<String>,
}

/// A synchronous view of the manager (`getState()`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionState {
    /// True after a successful authorize/refresh/adoption, false after a clear or logout.
    pub is_authenticated: bool,
    /// The session id this manager last read or wrote.
    pub session_id: Option<String>,
    /// The access token this manager last read or wrote.
    pub access_token: Option<String>,
    /// The refresh token this manager last read or wrote.
    pub refresh_token: Option<String>,
    /// The id token this manager last read or wrote.
    pub id_token: Option<String>,
    /// True while a refresh of this manager is in flight.
    pub is_refreshing: bool,
}

/// The shared state behind a [`SessionManager`] handle.
pub(crate) struct Inner<T, L, C> {
    pub(super) options: SessionOptions,
    pub(super) slots: super::SessionSlots,
    pub(super) transport: T,
    pub(super) lock: L,
    pub(super) clock: C,
    provider: RefCell<Option<AccessTokenProvider>>,
    pub(super) memory: MemoryCell,
    pub(super) authenticated: Cell<bool>,
    pub(super) generation: Generation,
    pub(super) coordinator: Coordinator,
    pub(super) backoff: Backoff,
    pub(super) schedule: Schedule,
    listeners: Listeners,
    broadcast: RefCell<Option<Rc<dyn Broadcast>>>,
    disposed: Cell<bool>,
    transitions: Rc<Transitions>,
    /// Until when (epoch ms) another tab's announced transition (`Supersede`) is awaited: its
    /// `Changed` message ends the wait, the lock wait bounds it.
    remote_until: Cell<u64>,
    /// What this tab held when another tab announced its transition (`Supersede`): the session
    /// its `Changed` message replaces, which this tab's storage may still show for a while.
    before_remote: RefCell<Option<Memory>>,
    remote_done: Notify,
    /// The refresh tokens other tabs said they rotated away (see [`SyncMessage::Rotated`]).
    pub(super) heard: HeardRotation,
}

impl<T, L, C: Clock> Inner<T, L, C> {
    /// Waits while another tab's transition, announced by `Supersede`, is under way (until its
    /// `Changed` message, at most the lock wait), so that a refresh this tab starts meanwhile never
    /// overtakes it. A `Supersede` and the other tab's lock request travel on different channels:
    /// without this wait, this tab's new lock request could be queued first.
    pub(super) async fn wait_for_remote_transition(&self) {
        loop {
            let now = self.clock.now_ms();
            let until = self.remote_until.get();
            if until <= now {
                return;
            }
            let done = self.remote_done.notified();
            futures::future::select(done, self.clock.sleep(until - now)).await;
        }
    }

    fn remote_transition_over(&self) {
        self.remote_until.set(0);
        self.remote_done.notify();
    }

    pub(super) fn provider_is_set(&self) -> bool {
        self.provider.borrow().is_some()
    }

    /// Asks `accessTokenProvider`, if set, bounded by the request timeout. `Ok(None)` without one.
    pub(super) async fn provide_access_token(&self) -> Result<Option<String>> {
        let provider = self.provider.borrow().clone();
        let Some(provide) = provider else {
            return Ok(None);
        };
        let bound = u64::from(self.options.request_timeout_ms());
        match within(&self.clock, bound, provide()).await {
            Some(token) => Ok(token?.filter(|t| !t.is_empty())),
            None => Err(Error::auth(
                AuthErrorCode::Invalid,
                "accessTokenProvider did not answer in time",
            )),
        }
    }

    /// The access token: from the provider if there is one, else from its slot.
    pub(super) async fn read_access_token(&self) -> Result<Option<String>> {
        let token = if self.provider_is_set() {
            self.provide_access_token().await?
        } else {
            bounded_read(self, Slot::AccessToken).await?
        };
        self.memory.borrow_mut().access_token = token.clone();
        Ok(token)
    }

    /// Reads `slot` (not the access token: use [`Inner::read_access_token`]) and remembers it.
    async fn read_slot(&self, slot: Slot) -> Result<Option<String>> {
        let value = bounded_read(self, slot).await?;
        let mut memory = self.memory.borrow_mut();
        let known = match slot {
            Slot::SessionId => &mut memory.session_id,
            Slot::AccessToken => &mut memory.access_token,
            Slot::RefreshToken => &mut memory.refresh_token,
            Slot::IdToken => &mut memory.id_token,
        };
        *known = value.clone();
        Ok(value)
    }

    /// Takes the tokens another tab stored (adoption): no write.
    pub(super) fn adopt(&self, stored: &Stored) {
        let id_token = self.memory.borrow().id_token.clone();
        self.commit_memory(Memory {
            session_id: stored.session_id.clone(),
            access_token: stored.access_token.clone(),
            refresh_token: stored.refresh_token.clone(),
            id_token,
        });
        self.authenticated.set(true);
        self.backoff.reset();
        self.schedule_from_current();
    }

    /// Writes `values` in order, each bounded by [`STORAGE_TIMEOUT_MS`]; a slot whose storage refuses
    /// (or does not answer) is kept in memory. Gives the `STORAGE_FALLBACK` changes to announce.
    pub(super) async fn write_slots(&self, values: &[(Slot, &str)]) -> Vec<Change> {
        let mut fallbacks = Vec::new();
        for &(slot, value) in values {
            let write = within(
                &self.clock,
                STORAGE_TIMEOUT_MS,
                self.slots.set_or_fall_back(slot, value),
            )
            .await;
            if let Some(error) = write.unwrap_or_else(|| Some(storage_timeout())) {
                self.slots.keep_in_memory(slot, value);
                fallbacks.push(Change::fallback(error));
            }
        }
        fallbacks
    }

    pub(super) fn commit_memory(&self, memory: Memory) {
        *self.memory.borrow_mut() = memory;
    }

    /// Forgets the session this tab holds in memory (the slots are not touched): for when a read
    /// of the storage says there is none. A read made while another tab's logout was still on its
    /// way to this tab's view of the storage may have put that session's tokens back in memory,
    /// which `getAccessToken()` answers from.
    pub(super) fn forget_session(&self) {
        *self.memory.borrow_mut() = Memory::default();
        self.authenticated.set(false);
        self.schedule.clear();
    }

    /// Clears the four slots, the memory and the authentication, and starts a new generation.
    /// Every removal is attempted (bounded); the first error is returned.
    pub(super) async fn clear_now(&self) -> Result<()> {
        self.generation.bump();
        *self.memory.borrow_mut() = Memory::default();
        self.authenticated.set(false);
        self.schedule.clear();
        within(&self.clock, STORAGE_TIMEOUT_MS, self.slots.clear())
            .await
            .unwrap_or_else(|| Err(storage_timeout()))
    }

    /// Tells the listeners, and for a change made here, the other tabs.
    pub(super) fn announce(&self, change: Change) {
        if self.disposed.get() {
            return;
        }
        // A refresh posted its news itself, before it released the lock (`SyncMessage::Rotated`).
        if change.origin == Origin::Local
            && change.event != AuthEvent::StorageFallback
            && change.event != AuthEvent::TokenRefreshed
        {
            self.post(SyncMessage::Changed(change.event));
        }
        self.listeners.emit(&change);
    }

    /// Is another tab of this SDK known to share the session (see [`Broadcast::has_peers`])?
    pub(super) fn has_peers(&self) -> bool {
        self.broadcast
            .borrow()
            .as_ref()
            .is_some_and(|b| b.has_peers())
    }

    pub(super) fn post(&self, message: SyncMessage) {
        let broadcast = self.broadcast.borrow().clone();
        if let Some(broadcast) = broadcast {
            broadcast.post(message);
        }
    }

    /// Re-arms the proactive refresh from the access token this tab holds now.
    pub(super) fn schedule_from_current(&self) {
        if self.options.auto_refresh_lead_ms.is_none() {
            return;
        }
        let token = self.memory.borrow().access_token.clone();
        match token {
            Some(token) => self.schedule.arm(
                &token,
                self.clock.now_ms(),
                self.options.auto_refresh_lead_ms.unwrap_or_default(),
            ),
            None => self.schedule.clear(),
        }
    }
}

/// The session manager: tokens in their storage slots, single-flight refresh within the tab and
/// (through [`Lock`]) across tabs, `authorize`, logout, events and cross-tab sync.
///
/// A cheap handle: clones share one state. All methods take `&self`; no `RefCell` borrow is held
/// across an `.await`, so a JS caller may re-enter any method while another is pending.
pub struct SessionManager<T, L, C> {
    inner: Rc<Inner<T, L, C>>,
}

impl<T, L, C> Clone for SessionManager<T, L, C> {
    fn clone(&self) -> Self {
        Self {
            inner: Rc::clone(&self.inner),
        }
    }
}

impl<T, L, C> std::fmt::Debug for SessionManager<T, L, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionManager")
            .field("options", &self.inner.options)
            .field("slots", &self.inner.slots)
            .field("authenticated", &self.inner.authenticated.get())
            .field("generation", &self.inner.generation.get())
            .field("coordinator", &self.inner.coordinator)
            .field("listeners", &self.inner.listeners)
            .finish_non_exhaustive()
    }
}

/// A handle that does not keep the manager alive (for event handlers the page holds).
pub struct WeakSessionManager<T, L, C> {
    inner: std::rc::Weak<Inner<T, L, C>>,
}

impl<T, L, C> Clone for WeakSessionManager<T, L, C> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<T, L, C> std::fmt::Debug for WeakSessionManager<T, L, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeakSessionManager").finish_non_exhaustive()
    }
}

impl<T, L, C> WeakSessionManager<T, L, C> {
    /// The manager, if it is still alive.
    pub fn upgrade(&self) -> Option<SessionManager<T, L, C>> {
        self.inner.upgrade().map(|inner| SessionManager { inner })
    }
}

impl<T, L, C> SessionManager<T, L, C>
where
    T: Transport + 'static,
    L: Lock + 'static,
    C: Clock + 'static,
{
    /// A handle that does not keep this manager alive.
    pub fn downgrade(&self) -> WeakSessionManager<T, L, C> {
        WeakSessionManager {
            inner: Rc::downgrade(&self.inner),
        }
    }

    /// A manager over `slots`, sending through `transport`, refreshing under `lock`.
    ///
    /// The lock name and storage keys come from `slots.keys()` (build them with
    /// [`SessionOptions::keys`]).
    pub fn new(
        options: SessionOptions,
        slots: super::SessionSlots,
        transport: T,
        lock: L,
        clock: C,
    ) -> Self {
        Self {
            inner: Rc::new(Inner {
                options,
                slots,
                transport,
                lock,
                clock,
                provider: RefCell::new(None),
                memory: MemoryCell::default(),
                authenticated: Cell::new(false),
                generation: Generation::default(),
                coordinator: Coordinator::default(),
                backoff: Backoff::default(),
                schedule: Schedule::default(),
                listeners: Listeners::default(),
                broadcast: RefCell::new(None),
                disposed: Cell::new(false),
                transitions: Rc::default(),
                remote_until: Cell::new(0),
                before_remote: RefCell::new(None),
                remote_done: Notify::default(),
                heard: HeardRotation::default(),
            }),
        }
    }

    /// Sets the `accessTokenProvider`: every read of the access token asks it instead of storage.
    pub fn with_access_token_provider(self, provider: AccessTokenProvider) -> Self {
        self.set_access_token_provider(Some(provider));
        self
    }

    /// Sets or removes the `accessTokenProvider`.
    pub fn set_access_token_provider(&self, provider: Option<AccessTokenProvider>) {
        *self.inner.provider.borrow_mut() = provider;
    }

    /// Sends this manager's changes to other tabs through `broadcast`.
    pub fn set_broadcast(&self, broadcast: Option<Rc<dyn Broadcast>>) {
        *self.inner.broadcast.borrow_mut() = broadcast;
    }

    /// The options.
    pub fn options(&self) -> &SessionOptions {
        &self.inner.options
    }

    /// The storage slots.
    pub fn slots(&self) -> &super::SessionSlots {
        &self.inner.slots
    }

    /// The clock.
    pub fn clock(&self) -> &C {
        &self.inner.clock
    }

    /// `onAuthStateChange`: `listener` is called after every change of the session, made here or
    /// in another tab, outside every lock. Returns the id to pass to [`SessionManager::unsubscribe`].
    pub fn subscribe(&self, listener: Listener) -> u64 {
        self.inner.listeners.add(listener)
    }

    /// Removes a listener.
    pub fn unsubscribe(&self, id: u64) {
        self.inner.listeners.remove(id);
    }

    /// `dispose()`: aborts a refresh in flight, drops the listeners, stops the proactive refresh.
    /// Every call afterwards rejects with `AuthError` `INVALID`.
    pub fn dispose(&self) {
        self.inner.disposed.set(true);
        self.inner.coordinator.supersede();
        self.inner.listeners.clear();
        self.inner.schedule.clear();
        self.inner.schedule.wake();
        *self.inner.broadcast.borrow_mut() = None;
    }

    /// True after [`SessionManager::dispose`].
    pub fn is_disposed(&self) -> bool {
        self.inner.disposed.get()
    }

    fn check_alive(&self) -> Result<()> {
        if self.inner.disposed.get() {
            return Err(Error::auth(
                AuthErrorCode::Invalid,
                "this AuthSessionManager was disposed",
            ));
        }
        Ok(())
    }

    /// Starts a transition of this tab: a new generation, the refresh in flight here aborted, the
    /// other tabs told to drop theirs, the backoff forgotten. The transition lasts until the guard
    /// is dropped; callers whose refresh it superseded wait for that.
    fn begin_transition(&self) -> TransitionGuard {
        let guard = self.inner.transitions.start();
        self.inner.generation.bump();
        self.inner.coordinator.supersede();
        self.inner.backoff.reset();
        self.inner.post(SyncMessage::Supersede);
        guard
    }

    /// Runs `task` under the cross-tab lock (bounded wait); if the lock is not granted in time, runs
    /// it anyway: a transition made by the app (a login, a logout) is never lost to a frozen tab.
    async fn under_lock_or_anyway<F, O>(&self, task: F) -> O
    where
        F: Fn() -> LocalBoxFuture<'static, O>,
        O: 'static,
    {
        let name = self.inner.slots.keys().lock_name();
        let holding = Holding::default();
        match self
            .inner
            .lock
            .with_lock(&name, self.inner.options.lock_wait_ms, &holding, task())
            .await
        {
            Ok(out) => out,
            Err(_) => task().await,
        }
    }

    /// `setTokens`: writes each non-empty value to its slot (the refresh token before the access
    /// token). The session id is validated and normalised first; an invalid one writes nothing and
    /// gives `Error::InvalidSessionId`. A refresh in flight (here or in another tab) is dropped. A
    /// slot whose storage refuses the write is kept in memory and reported (`STORAGE_FALLBACK`).
    pub async fn set_tokens(&self, tokens: TokensInput) -> Result<()> {
        self.check_alive()?;
        let session_id = match non_empty(tokens.session_id) {
            Some(id) => Some(normalize_session_id(&id)?),
            None => None,
        };
        let values: Vec<(Slot, String)> = [
            (Slot::SessionId, session_id),
            (Slot::RefreshToken, non_empty(tokens.refresh_token)),
            (Slot::AccessToken, non_empty(tokens.access_token)),
            (Slot::IdToken, non_empty(tokens.id_token)),
        ]
        .into_iter()
        .filter_map(|(slot, value)| value.map(|v| (slot, v)))
        .collect();
        if values.is_empty() {
            return Ok(());
        }
        let transition = self.begin_transition();
        let values = Rc::new(values);
        let inner = self.inner.clone();
        let fallbacks = self
            .under_lock_or_anyway(|| {
                let (inner, values) = (inner.clone(), values.clone());
                async move {
                    let borrowed: Vec<(Slot, &str)> =
                        values.iter().map(|(s, v)| (*s, v.as_str())).collect();
                    inner.write_slots(&borrowed).await
                }
                .boxed_local()
            })
            .await;
        {
            let mut memory = self.inner.memory.borrow_mut();
            for (slot, value) in values.iter() {
                let known = match slot {
                    Slot::SessionId => &mut memory.session_id,
                    Slot::AccessToken => &mut memory.access_token,
                    Slot::RefreshToken => &mut memory.refresh_token,
                    Slot::IdToken => &mut memory.id_token,
                };
                *known = Some(value.clone());
            }
        }
        self.inner.schedule_from_current();
        drop(transition);
        self.inner.announce(Change::local(AuthEvent::SignedIn));
        for change in fallbacks {
            self.inner.announce(change);
        }
        Ok(())
    }

    /// `authorize()`: refreshes (joining a refresh in flight), decrypts `session_data` with the
    /// session id, and returns the plaintext JSON text.
    ///
    /// - No `apiClientConfig` → `AuthError` `INVALID`, as the original.
    /// - No session id, or neither an access nor a refresh token → unauthenticated, `Ok(None)`
    ///   (as the original: a first visit is "logged out", not an error), no request.
    /// - The server ends the session (terminal answer) → session cleared, `Ok(None)`.
    /// - `session_data` missing, not decryptable, or carrying an `error` → the session is ended
    ///   (if it is still the stored one), `Ok(None)`, as the original.
    /// - A transient failure (network, timeout, 5xx, 408, 429, malformed answer, lock timeout,
    ///   backing off) → the typed error; nothing is cleared.
    /// - The session changed meanwhile (`setTokens`, `logout`, here or in another tab) → the
    ///   current session is authorized instead, or `Ok(None)` if there is none.
    pub async fn authorize(&self) -> Result<Option<String>> {
        self.check_alive()?;
        self.inner.options.api_base()?;
        for _ in 0..FULL_REFRESH_ATTEMPTS {
            let Some(_) = self.get_session_id().await? else {
                self.inner.forget_session();
                return Ok(None);
            };
            let access = self.inner.read_access_token().await?;
            let refresh = self.inner.read_slot(Slot::RefreshToken).await?;
            if access.is_none() && refresh.is_none() {
                self.inner.forget_session();
                return Ok(None);
            }
            let outcome = match self.refresh_with_session_data().await {
                Ok(outcome) => outcome,
                // Ended by the server, or nothing left to refresh with (cleared meanwhile).
                Err(e) if is_terminal(&e) || e.code() == "EXPIRED" => {
                    self.inner.forget_session();
                    return Ok(None);
                }
                Err(e) => return Err(e),
            };
            let RefreshOutcome::Refreshed {
                session_data,
                session_id,
            } = outcome
            else {
                // Superseded: once this tab's transition is done, go round with whatever session
                // is stored then.
                self.inner.transitions.settled().await;
                continue;
            };
            let Some(session_id) = session_id else {
                self.inner.authenticated.set(false);
                return Ok(None);
            };
            let decrypted = match session_data {
                Some(data) => decrypt_session_data(&session_id, &data).await,
                None => Err(Error::auth(
                    AuthErrorCode::DecryptFailed,
                    "the refresh answer carried no session_data",
                )),
            };
            return match decrypted {
                Ok(text) => Ok(Some(text)),
                Err(_) => {
                    self.end_if_still(&session_id).await;
                    Ok(None)
                }
            };
        }
        Err(kept_changing())
    }

    /// Ends the session as expired if the stored session id is still `session_id` (a decrypt
    /// failure of that session's data); a newer login is left alone.
    async fn end_if_still(&self, session_id: &str) {
        let inner = self.inner.clone();
        let expected = session_id.to_owned();
        let ended = self
            .under_lock_or_anyway(move || {
                let inner = inner.clone();
                let expected = expected.clone();
                async move {
                    let stored = bounded_read(&inner, Slot::SessionId).await.ok().flatten();
                    if stored.as_deref() != Some(expected.as_str()) {
                        return false;
                    }
                    let _ = inner.clear_now().await;
                    true
                }
                .boxed_local()
            })
            .await;
        if ended {
            self.inner.coordinator.supersede();
            self.inner
                .announce(Change::local(AuthEvent::SessionExpired));
        }
    }

    /// `getAccessToken()`: from the provider if set, else from storage.
    pub async fn get_access_token(&self) -> Result<Option<String>> {
        self.inner.read_access_token().await
    }

    /// The access token this tab holds in memory, when `getAccessToken()` may answer with it
    /// without reading storage: no `accessTokenProvider`, not disposed. Only a caller that knows
    /// the memory follows the stored slot (a storage of this page, with the other tabs' changes
    /// delivered by the cross-tab sync) may take it for the stored one.
    pub fn access_token_in_memory(&self) -> Option<String> {
        if self.access_token_stamp() == 0 {
            return None;
        }
        self.inner.memory.borrow().access_token.clone()
    }

    /// The access and refresh tokens this tab holds: right after a refresh, the ones it committed
    /// (the answer's, and the refresh token it presented when the answer has none), or adopted.
    pub fn tokens_in_memory(&self) -> (Option<String>, Option<String>) {
        let memory = self.inner.memory.borrow();
        (memory.access_token.clone(), memory.refresh_token.clone())
    }

    /// 0 when [`SessionManager::access_token_in_memory`] has nothing to give; otherwise a number that
    /// changes whenever what it gives may have changed, so a caller may keep a copy until then.
    pub fn access_token_stamp(&self) -> u32 {
        if self.inner.provider_is_set() || self.inner.disposed.get() {
            return 0;
        }
        self.inner.memory.stamp()
    }

    /// `getRefreshToken()`.
    pub async fn get_refresh_token(&self) -> Result<Option<String>> {
        self.inner.read_slot(Slot::RefreshToken).await
    }

    /// `getIdToken()`.
    pub async fn get_id_token(&self) -> Result<Option<String>> {
        self.inner.read_slot(Slot::IdToken).await
    }

    /// `getSessionId()`.
    pub async fn get_session_id(&self) -> Result<Option<String>> {
        self.inner.read_slot(Slot::SessionId).await
    }

    /// `isAuthenticated()`: true after a successful authorize/refresh, false after a clear/logout.
    pub fn is_authenticated(&self) -> bool {
        self.inner.authenticated.get()
    }

    /// `getState()`.
    pub fn state(&self) -> SessionState {
        let memory = self.inner.memory.borrow().clone();
        SessionState {
            is_authenticated: self.is_authenticated(),
            session_id: memory.session_id,
            access_token: memory.access_token,
            refresh_token: memory.refresh_token,
            id_token: memory.id_token,
            is_refreshing: self.is_refreshing(),
        }
    }

    /// True while a refresh of this manager is in flight.
    pub fn is_refreshing(&self) -> bool {
        self.inner.coordinator.in_flight().is_some()
    }

    /// The current generation (bumped by every transition this tab makes or learns of).
    pub fn generation(&self) -> u64 {
        self.inner.generation.get()
    }

    /// `clearSessionData()`: removes all four slots; unauthenticated. A refresh in flight (here or
    /// in another tab) will not commit into the cleared session.
    pub async fn clear_session_data(&self) -> Result<()> {
        self.check_alive()?;
        let transition = self.begin_transition();
        let inner = self.inner.clone();
        let result = self
            .under_lock_or_anyway(|| {
                let inner = inner.clone();
                async move { inner.clear_now().await }.boxed_local()
            })
            .await;
        drop(transition);
        self.inner.announce(Change::local(AuthEvent::SignedOut));
        result
    }

    /// `ensureRefresh(skipIfFresh)`: joins the refresh in flight or starts one.
    ///
    /// With `skip_if_fresh`, a refresh that finds (under the lock) that another tab has rotated
    /// the access token to a newer one adopts it and sends nothing ([`RefreshOutcome::Adopted`]).
    /// Without it, the outcome is always a real refresh. A refresh overtaken by a transition gives
    /// the outcome for the session stored now (or `AuthError` `EXPIRED` if there is none).
    pub async fn ensure_refresh(&self, skip_if_fresh: bool) -> Result<RefreshOutcome> {
        self.check_alive()?;
        self.inner.options.api_base()?;
        for _ in 0..FULL_REFRESH_ATTEMPTS {
            let outcome = if skip_if_fresh {
                self.join_or_start(FlightPlan {
                    adopt: true,
                    snapshot: Snapshot::Current,
                })
                .await?
            } else {
                self.refresh_with_session_data().await?
            };
            if outcome != RefreshOutcome::Superseded {
                return Ok(outcome);
            }
            self.require_stored_tokens().await?;
        }
        Err(kept_changing())
    }

    /// `handleUnauthorized()`: a request failed with 401 using `failed_access_token` (or, if
    /// `None`, the token this manager knows). If the current token is already another, newer one,
    /// adopts it at once; else joins or starts a refresh that may adopt a token another tab rotated
    /// meanwhile. The failed token is never taken for a fresh one.
    pub async fn handle_unauthorized(
        &self,
        failed_access_token: Option<&str>,
    ) -> Result<RefreshOutcome> {
        self.check_alive()?;
        self.inner.options.api_base()?;
        let failed = failed_access_token.filter(|t| !t.is_empty());
        if let Some(failed) = failed {
            if !self.is_refreshing() {
                let current = self.inner.read_access_token().await?;
                if let Some(current) = current {
                    let newer = jwt::expires_no_earlier(&current, failed)
                        .unwrap_or_else(|| !jwt::is_expired(&current, self.inner.clock.now_ms()));
                    if current != failed && newer {
                        self.inner.authenticated.set(true);
                        return Ok(RefreshOutcome::Adopted);
                    }
                }
            }
        }
        for _ in 0..FULL_REFRESH_ATTEMPTS {
            let snapshot = match failed {
                Some(token) => Snapshot::Failed(Some(token.to_owned())),
                None => Snapshot::Current,
            };
            let outcome = self
                .join_or_start(FlightPlan {
                    adopt: true,
                    snapshot,
                })
                .await?;
            if outcome != RefreshOutcome::Superseded {
                return Ok(outcome);
            }
            self.require_stored_tokens().await?;
        }
        Err(kept_changing())
    }

    /// `logout()`: drops a refresh in flight (here and in other tabs), sends the logout request
    /// with the stored tokens, then clears all four slots whatever the server answered. Bounded:
    /// the request by the timeout, the lock wait by `lockWaitMs` (past it, the logout goes ahead
    /// without the lock: a logout always sticks).
    pub async fn logout(&self) -> Result<()> {
        self.check_alive()?;
        self.inner.options.api_base()?;
        let transition = self.begin_transition();
        // The provider runs outside the lock.
        let provided = self.inner.provide_access_token().await.unwrap_or(None);
        let inner = self.inner.clone();
        let result = self
            .under_lock_or_anyway(move || {
                let inner = inner.clone();
                let provided = provided.clone();
                async move {
                    let stored = read_stored(&inner).await.unwrap_or(Stored {
                        session_id: None,
                        access_token: None,
                        refresh_token: None,
                    });
                    let access = provided.or(stored.access_token);
                    if access.is_some() || stored.refresh_token.is_some() {
                        if let Ok(request) = wire::logout_request(
                            &inner.options,
                            access.as_deref(),
                            stored.refresh_token.as_deref(),
                        ) {
                            // Whatever the server answers (or if it cannot be reached), the
                            // session ends here.
                            let _ = send_bounded(&inner, request).await;
                        }
                    }
                    inner.clear_now().await
                }
                .boxed_local()
            })
            .await;
        drop(transition);
        self.inner.announce(Change::local(AuthEvent::SignedOut));
        result
    }

    /// Resolves when no refresh of this manager is in flight, whoever started it. Bounded: a
    /// flight is bounded by the lock wait, the request timeout and the storage bound.
    pub async fn wait_for_refresh(&self) {
        while let Some((flight, _)) = self.inner.coordinator.in_flight() {
            let _ = flight.await;
        }
    }

    /// The access token to send now: from the provider if set, else from storage (which picks up a
    /// token another tab rotated).
    pub async fn current_access_token(&self) -> Result<Option<String>> {
        self.inner.read_access_token().await
    }

    /// A message from another tab (BroadcastChannel) or a `storage` event (`None`): re-reads the
    /// slots (no request), updates this tab, and tells the listeners.
    pub async fn on_sync(&self, message: Option<SyncMessage>) {
        if self.inner.disposed.get() {
            return;
        }
        if message == Some(SyncMessage::Supersede) {
            let until = self.inner.clock.now_ms() + u64::from(self.inner.options.lock_wait_ms);
            self.inner.remote_until.set(until);
            *self.inner.before_remote.borrow_mut() = Some(self.inner.memory.borrow().clone());
            self.inner.generation.bump();
            self.inner.coordinator.supersede();
            return;
        }
        if let Some(SyncMessage::Rotated(parent)) = message {
            self.inner.heard.note(parent);
        }
        // The message can arrive before the other tab's access token does: wait for the pair, so
        // that this tab never holds the new refresh token next to the old access token.
        let known = self.inner.memory.borrow().clone();
        let said = message.and_then(SyncMessage::event);
        // The news of another tab's transition (a logout, a login) can arrive before its writes
        // do: while the slots still show the session it replaced (what this tab held when the
        // transition was announced, or holds now if a session ended), wait for them, so that
        // nothing here (an authorize going round, a refresh) reads the old tokens and sends them.
        let ended = said.is_some_and(AuthEvent::ends_session);
        let replaced = self
            .inner
            .before_remote
            .borrow_mut()
            .take()
            .or_else(|| ended.then(|| known.clone()));
        if ended {
            // Ended, whatever this tab's storage still shows (refreshes wait for the end of the
            // transition, below).
            self.inner.authenticated.set(false);
            self.inner.commit_memory(Memory::default());
        }
        let stored = read_consistent(
            &self.inner,
            known.access_token.as_deref(),
            known.refresh_token.as_deref(),
            Grant::AtOnce,
            replaced.as_ref().filter(|_| said.is_some()),
        )
        .await;
        // Whatever the outcome, the other tab's transition is over: refreshes may go ahead.
        let _over = OnDrop(|| self.inner.remote_transition_over());
        let Ok(stored) = stored else {
            return;
        };
        let old = self.inner.memory.borrow().clone();
        let gone = stored.access_token.is_none() && stored.refresh_token.is_none();
        let inferred = if gone {
            (old.access_token.is_some() || old.refresh_token.is_some() || old.session_id.is_some())
                .then_some(AuthEvent::SignedOut)
        } else if stored.session_id != old.session_id {
            Some(AuthEvent::SignedIn)
        } else if stored.access_token != old.access_token
            || stored.refresh_token != old.refresh_token
        {
            Some(AuthEvent::TokenRefreshed)
        } else {
            None
        };
        let Some(event) = said.or(inferred) else {
            return;
        };
        let ends = event.ends_session() || gone;
        if ends {
            self.inner.generation.bump();
            self.inner.coordinator.supersede();
            self.inner.authenticated.set(false);
        } else if event == AuthEvent::SignedIn {
            self.inner.generation.bump();
            self.inner.backoff.reset();
        } else if event == AuthEvent::TokenRefreshed {
            self.inner.authenticated.set(true);
            self.inner.backoff.reset();
        }
        // A session that ended leaves nothing in memory, whatever a late read still showed.
        self.inner.commit_memory(if ends {
            Memory::default()
        } else {
            Memory {
                session_id: stored.session_id,
                access_token: stored.access_token,
                refresh_token: stored.refresh_token,
                id_token: old.id_token,
            }
        });
        self.inner.schedule_from_current();
        self.inner.announce(Change {
            event,
            origin: Origin::Remote,
            error: None,
        });
    }

    /// The proactive refresh (`autoRefresh`): runs until [`SessionManager::dispose`], refreshing
    /// (or adopting another tab's refresh) when the access token nears its expiry, as measured on
    /// the local clock since the token was received. Call [`SessionManager::wake`] when the page
    /// wakes up (visibility, focus, online): a due refresh then runs at once.
    pub fn auto_refresh_task(&self) -> LocalBoxFuture<'static, ()> {
        let weak = Rc::downgrade(&self.inner);
        async move {
            loop {
                let Some(inner) = weak.upgrade() else { return };
                if inner.disposed.get() || inner.options.auto_refresh_lead_ms.is_none() {
                    return;
                }
                let now = inner.clock.now_ms();
                let due = inner
                    .schedule
                    .due_at()
                    .map(|at| at.max(inner.backoff.until_ms()));
                let woken = inner.schedule.woken();
                match due {
                    Some(at) if at <= now => {
                        let manager = SessionManager { inner };
                        let _ = manager.ensure_refresh(true).await;
                        // Not due again until a new token arrives (or a failure's backoff ends).
                        manager.inner.schedule.fired(manager.inner.clock.now_ms());
                    }
                    Some(at) => {
                        let sleep = inner.clock.sleep(at - now);
                        drop(inner);
                        futures::future::select(sleep, woken).await;
                    }
                    None => {
                        drop(inner);
                        woken.await;
                    }
                }
            }
        }
        .boxed_local()
    }

    /// The page woke up (`visibilitychange` to visible, `pageshow`, `focus`, `online`): re-checks
    /// the proactive refresh now.
    pub fn wake(&self) {
        self.inner.schedule.wake();
    }

    /// When the proactive refresh is due (epoch ms on the local clock), if armed.
    pub fn next_auto_refresh_ms(&self) -> Option<u64> {
        self.inner.schedule.due_at()
    }

    /// Joins the flight in progress or starts one with `plan`.
    async fn join_or_start(&self, plan: FlightPlan) -> Result<RefreshOutcome> {
        let (flight, _) = self
            .inner
            .coordinator
            .join_or_start(Rc::downgrade(&self.inner), plan);
        flight.await
    }

    /// A refresh that really went to the server. A joined flight that only adopted tokens does not
    /// count: then a real one is run (fix of the original's defect 2). A superseded one is given
    /// to the caller, which decides with the session stored now.
    async fn refresh_with_session_data(&self) -> Result<RefreshOutcome> {
        for _ in 0..FULL_REFRESH_ATTEMPTS {
            let (flight, may_adopt) = self.inner.coordinator.join_or_start(
                Rc::downgrade(&self.inner),
                FlightPlan {
                    adopt: false,
                    snapshot: Snapshot::Current,
                },
            );
            match flight.await {
                // The joined flight was allowed to adopt and did: go round and run a real one.
                Ok(RefreshOutcome::Adopted) if may_adopt => continue,
                other => return other,
            }
        }
        Err(Error::auth(
            AuthErrorCode::RefreshFailed,
            "could not run a refresh: every refresh joined only adopted tokens",
        ))
    }

    /// After a superseded flight (once this tab's transitions are done): `Ok` when a session is
    /// stored (a new login: go round for it), else `SESSION_EXPIRED` (logged out or cleared).
    async fn require_stored_tokens(&self) -> Result<()> {
        self.inner.transitions.settled().await;
        let access = self.inner.read_access_token().await?;
        let refresh = self.inner.read_slot(Slot::RefreshToken).await?;
        if access.is_none() && refresh.is_none() {
            self.inner.authenticated.set(false);
            return Err(Error::auth(
                AuthErrorCode::SessionExpired,
                "the session was ended (logout or clearSessionData) while the refresh was in flight",
            ));
        }
        Ok(())
    }
}

/// Runs a closure when dropped.
struct OnDrop<F: FnMut()>(F);

impl<F: FnMut()> Drop for OnDrop<F> {
    fn drop(&mut self) {
        (self.0)();
    }
}

fn kept_changing() -> Error {
    Error::auth(
        AuthErrorCode::RefreshFailed,
        "the session kept changing while the refresh ran",
    )
}

/// True for the error of a refresh the server refused: the session has been cleared.
fn is_terminal(e: &Error) -> bool {
    matches!(
        e,
        Error::Auth {
            code: AuthErrorCode::SessionExpired,
            ..
        }
    )
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

/// Decrypts `session_data` with the session key `session_id` (PROTOCOL.md §6).
async fn decrypt_session_data(session_id: &str, session_data: &str) -> Result<String> {
    let decrypt_failed = |e: Error| {
        Error::auth(
            AuthErrorCode::DecryptFailed,
            text::cat(&["could not decrypt session_data: ", &e.message()]),
        )
    };
    let normalized = normalize_session_id(session_id).map_err(decrypt_failed)?;
    let key = crypto::keys::SessionKey::from_hex(&normalized).map_err(decrypt_failed)?;
    crypto::ecies::open_json_str(&key, session_data)
        .await
        .map_err(decrypt_failed)
}
