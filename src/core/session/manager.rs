//! `SessionManager`: the target-independent `AuthSessionManager` (PROTOCOL.md §4).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::future::LocalBoxFuture;
use serde::{Deserialize, Serialize};

use super::jwt;
use super::options::SessionOptions;
use super::refresh::{Coordinator, FlightPlan, RefreshOutcome, Snapshot};
use super::slots::SessionSlots;
use super::wire;
use crate::core::clock::Clock;
use crate::core::crypto;
use crate::core::error::{AuthErrorCode, Error, Result};
use crate::core::keys::{normalize_session_id, Slot};
use crate::core::lock::Lock;
use crate::core::transport::Transport;

/// The app's own source of access tokens (`accessTokenProvider`): replaces every read of the
/// access-token slot.
pub type AccessTokenProvider = Rc<dyn Fn() -> LocalBoxFuture<'static, Result<Option<String>>>>;

/// How many times a caller that needs a real refresh (with `session_data`) goes round when the
/// flight it joined only adopted tokens.
const FULL_REFRESH_ATTEMPTS: usize = 3;

/// The argument of [`SessionManager::set_tokens`]. Deserialises from camelCase keys and from the
/// snake_case keys of the original's README.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TokensInput {
    /// The session id (validated and normalised, PROTOCOL.md §3).
    #[serde(alias = "session_id")]
    pub session_id: Option<String>,
    /// The access token.
    #[serde(alias = "access_token")]
    pub access_token: Option<String>,
    /// The refresh token.
    #[serde(alias = "refresh_token")]
    pub refresh_token: Option<String>,
    /// The id token.
    #[serde(alias = "id_token")]
    pub id_token: Option<String>,
}

/// A synchronous view of the manager (`getState()`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
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

/// The values this manager last read or wrote.
#[derive(Debug, Clone, Default)]
pub(super) struct Memory {
    pub session_id: Option<String>,
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    pub id_token: Option<String>,
}

/// The shared state behind a [`SessionManager`] handle.
pub(crate) struct Inner<T, L, C> {
    pub(super) options: SessionOptions,
    pub(super) slots: SessionSlots,
    pub(super) transport: T,
    pub(super) lock: L,
    pub(super) clock: C,
    provider: RefCell<Option<AccessTokenProvider>>,
    pub(super) memory: RefCell<Memory>,
    pub(super) authenticated: Cell<bool>,
    /// Bumped by every clear, so that a refresh in flight never commits into a cleared session.
    pub(super) epoch: Cell<u64>,
    pub(super) coordinator: Coordinator,
}

impl<T, L, C> Inner<T, L, C> {
    /// The access token: from the provider if there is one, else from its slot.
    pub(super) async fn read_access_token(&self) -> Result<Option<String>> {
        let provider = self.provider.borrow().clone();
        let token = match provider {
            Some(provide) => provide().await?.filter(|t| !t.is_empty()),
            None => self.slots.get(Slot::AccessToken).await?,
        };
        self.memory.borrow_mut().access_token = token.clone();
        Ok(token)
    }

    /// Reads `slot` (not the access token: use [`Inner::read_access_token`]) and remembers it.
    async fn read_slot(&self, slot: Slot) -> Result<Option<String>> {
        let value = self.slots.get(slot).await?;
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

    pub(super) fn remember_tokens(&self, access: Option<String>, refresh: Option<String>) {
        let mut memory = self.memory.borrow_mut();
        memory.access_token = access;
        memory.refresh_token = refresh;
    }

    /// Clears all four slots and the memory; unauthenticated.
    pub(super) async fn clear(&self) -> Result<()> {
        self.epoch.set(self.epoch.get().wrapping_add(1));
        *self.memory.borrow_mut() = Memory::default();
        self.authenticated.set(false);
        self.slots.clear().await
    }
}

/// The session manager: tokens in their storage slots, single-flight refresh within the tab and
/// (through [`Lock`]) across tabs, `authorize`, logout.
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
            .field(
                "has_access_token_provider",
                &self.inner.provider.borrow().is_some(),
            )
            .field("coordinator", &self.inner.coordinator)
            .finish_non_exhaustive()
    }
}

impl<T, L, C> SessionManager<T, L, C>
where
    T: Transport + 'static,
    L: Lock + 'static,
    C: Clock + 'static,
{
    /// A manager over `slots`, sending through `transport`, refreshing under `lock`.
    ///
    /// The lock name and storage keys come from `slots.keys()` (build them with
    /// [`SessionOptions::keys`]).
    pub fn new(
        options: SessionOptions,
        slots: SessionSlots,
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
                memory: RefCell::new(Memory::default()),
                authenticated: Cell::new(false),
                epoch: Cell::new(0),
                coordinator: Coordinator::default(),
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

    /// The options.
    pub fn options(&self) -> &SessionOptions {
        &self.inner.options
    }

    /// The storage slots.
    pub fn slots(&self) -> &SessionSlots {
        &self.inner.slots
    }

    /// `setTokens`: writes each non-empty value to its slot. The session id is validated and
    /// normalised first; an invalid one writes nothing and gives `Error::InvalidSessionId`.
    pub async fn set_tokens(&self, tokens: TokensInput) -> Result<()> {
        let session_id = match non_empty(tokens.session_id) {
            Some(id) => Some(normalize_session_id(&id)?),
            None => None,
        };
        let values = [
            (Slot::SessionId, session_id),
            (Slot::AccessToken, non_empty(tokens.access_token)),
            (Slot::RefreshToken, non_empty(tokens.refresh_token)),
            (Slot::IdToken, non_empty(tokens.id_token)),
        ];
        for (slot, value) in values {
            let Some(value) = value else { continue };
            self.inner.slots.set(slot, &value).await?;
            let mut memory = self.inner.memory.borrow_mut();
            match slot {
                Slot::SessionId => memory.session_id = Some(value),
                Slot::AccessToken => memory.access_token = Some(value),
                Slot::RefreshToken => memory.refresh_token = Some(value),
                Slot::IdToken => memory.id_token = Some(value),
            }
        }
        Ok(())
    }

    /// `authorize()`: refreshes (joining a refresh in flight), decrypts `session_data` with the
    /// session id, and returns the plaintext JSON text.
    ///
    /// - No session id, or neither an access nor a refresh token → unauthenticated, `Ok(None)`
    ///   (as the original: a first visit is "logged out", not an error), no request.
    /// - The server ends the session (terminal answer) → session cleared, `Ok(None)`.
    /// - A transient failure (network, 5xx, 429, malformed answer, lock timeout) → the typed error;
    ///   nothing is cleared.
    /// - `session_data` missing or not decryptable → `Auth{DecryptFailed}`; the tokens stay.
    pub async fn authorize(&self) -> Result<Option<String>> {
        let Some(session_id) = self.get_session_id().await? else {
            self.inner.authenticated.set(false);
            return Ok(None);
        };
        let access = self.inner.read_access_token().await?;
        let refresh = self.inner.read_slot(Slot::RefreshToken).await?;
        if access.is_none() && refresh.is_none() {
            self.inner.authenticated.set(false);
            return Ok(None);
        }
        let outcome = match self.refresh_with_session_data().await {
            Ok(outcome) => outcome,
            Err(e) if is_terminal(&e) => return Ok(None),
            Err(e) => return Err(e),
        };
        let Some(session_data) = outcome.session_data() else {
            return Err(Error::auth(
                AuthErrorCode::DecryptFailed,
                "the refresh answer carried no session_data",
            ));
        };
        decrypt_session_data(&session_id, session_data).map(Some)
    }

    /// `getAccessToken()`: from the provider if set, else from storage.
    pub async fn get_access_token(&self) -> Result<Option<String>> {
        self.inner.read_access_token().await
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

    /// `clearSessionData()`: removes all four slots; unauthenticated. A refresh in flight will not
    /// commit into the cleared session.
    pub async fn clear_session_data(&self) -> Result<()> {
        self.inner.clear().await
    }

    /// `ensureRefresh(skipIfFresh)`: joins the refresh in flight or starts one.
    ///
    /// With `skip_if_fresh`, a refresh that finds (under the lock) that another tab has rotated
    /// the access token to one that is not expired adopts it and sends nothing
    /// ([`RefreshOutcome::Adopted`]). Without it, the outcome is always a real refresh.
    pub async fn ensure_refresh(&self, skip_if_fresh: bool) -> Result<RefreshOutcome> {
        if skip_if_fresh {
            self.join_or_start(FlightPlan {
                adopt: true,
                snapshot: Snapshot::Current,
            })
            .await
        } else {
            self.refresh_with_session_data().await
        }
    }

    /// `handleUnauthorized()`: a request failed with 401 using `failed_access_token` (or, if
    /// `None`, the token this manager knows). If the current token is already another one that is
    /// not expired, adopts it at once; else joins or starts a refresh that may adopt a token
    /// another tab rotated meanwhile. The failed token is never taken for a fresh one.
    pub async fn handle_unauthorized(
        &self,
        failed_access_token: Option<&str>,
    ) -> Result<RefreshOutcome> {
        let failed = failed_access_token.filter(|t| !t.is_empty());
        if let Some(failed) = failed {
            if !self.is_refreshing() {
                let current = self.inner.read_access_token().await?;
                if let Some(current) = current {
                    if current != failed && !jwt::is_expired(&current, self.inner.clock.now_ms()) {
                        self.inner.authenticated.set(true);
                        return Ok(RefreshOutcome::Adopted);
                    }
                }
            }
        }
        let snapshot = match failed {
            Some(token) => Snapshot::Failed(Some(token.to_owned())),
            None => Snapshot::Current,
        };
        self.join_or_start(FlightPlan {
            adopt: true,
            snapshot,
        })
        .await
    }

    /// `logout()`: waits for a refresh in flight (so the server gets the current tokens), sends
    /// the logout request, then clears all four slots whatever the server answered.
    pub async fn logout(&self) -> Result<()> {
        self.wait_for_refresh().await;
        let access = self.inner.read_access_token().await.unwrap_or(None);
        let refresh = self
            .inner
            .slots
            .get(Slot::RefreshToken)
            .await
            .unwrap_or(None);
        let request =
            wire::logout_request(&self.inner.options, access.as_deref(), refresh.as_deref());
        // Whatever the server answers (or if it cannot be reached), the session ends here.
        let _ = self.inner.transport.send(request).await;
        self.inner.clear().await
    }

    /// Resolves when no refresh of this manager is in flight, whoever started it.
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

    /// Joins the flight in progress or starts one with `plan`.
    async fn join_or_start(&self, plan: FlightPlan) -> Result<RefreshOutcome> {
        let (flight, _) = self
            .inner
            .coordinator
            .join_or_start(Rc::downgrade(&self.inner), plan);
        flight.await
    }

    /// A refresh that really went to the server. A joined flight that only adopted tokens does not
    /// count: then a real one is run (fix of the original's defect 2).
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
fn decrypt_session_data(session_id: &str, session_data: &str) -> Result<String> {
    let decrypt_failed = |e: Error| {
        Error::auth(
            AuthErrorCode::DecryptFailed,
            format!("could not decrypt session_data: {e}"),
        )
    };
    let normalized = normalize_session_id(session_id).map_err(decrypt_failed)?;
    let key = crypto::keys::SessionKey::from_hex(&normalized).map_err(decrypt_failed)?;
    crypto::ecies::decrypt_json_str(&key, session_data).map_err(decrypt_failed)
}
