//! `AuthSessionManager` as JS sees it (PROTOCOL.md §4): a thin handle over the core
//! [`SessionManager`] wired to the browser seams.

use std::cell::RefCell;
use std::rc::Rc;

use futures::FutureExt;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::bindings::errors::invalid_option;
use crate::bindings::js_value::{option_field, parse_session_data, set_field};
use crate::bindings::options;
use crate::bindings::promise::spawn;
use crate::bindings::storage::{adapter_from_js, cookie_options};
use crate::core::clock::SystemClock;
use crate::core::error::{AuthErrorCode, Error};
use crate::core::session::{
    AccessTokenProvider, BackoffPolicy, Change, SessionManager, SessionOptions, SessionSlots,
    TokensInput,
};
use crate::core::storage::StorageAdapter;
use crate::core::text;
use crate::web::cookie_storage::CookieStorage;
use crate::web::fetch::FetchTransport;
use crate::web::js_adapter::resolve;
use crate::web::js_error;
use crate::web::locks::WebLock;
use crate::web::tab_sync::TabSync;
use crate::web::web_storage::{WebStorage, WebStorageKind};

/// The core manager over the browser seams.
pub type WebSessionManager = SessionManager<FetchTransport, WebLock, SystemClock>;

#[wasm_bindgen(typescript_custom_section)]
const TS_OPTIONS: &str = r#"
/** Where and how the session server is reached. */
export interface ApiClientConfig {
  baseURL: string;
  /** Default "/v1/auth/session". */
  sessionsEndpoint?: string;
  /** Default "/v1/auth/logout". */
  logoutEndpoint?: string;
  /** Timeout of refresh and logout requests, in ms (the original ignores it; here it aborts the request). */
  timeout?: number;
}

/** Adapters per slot; defaults: localStorage, except the refresh token in a cookie. */
export interface SessionStorageConfig {
  sessionId?: IStorageAdapter;
  accessToken?: IStorageAdapter;
  refreshToken?: IStorageAdapter;
  idToken?: IStorageAdapter;
}

/** The backoff after transient refresh failures (defaults shown); `false` sends every refresh asked for. */
export interface BackoffOptions {
  /** First delay, 1000 ms; doubles up to `maxMs`, each drawn in [d/2, d]; Retry-After is honoured. */
  initialMs?: number;
  /** Largest delay, 30000 ms. */
  maxMs?: number;
  /** Failures in a row before the cool-down, 5. */
  coolDownAfter?: number;
  /** The cool-down, 60000 ms. */
  coolDownMs?: number;
}

/** What changed: by this tab or another one. */
export type AuthChangeEvent = "SIGNED_IN" | "TOKEN_REFRESHED" | "SIGNED_OUT" | "SESSION_EXPIRED" | "STORAGE_FALLBACK";

/** The second argument of an `onAuthStateChange` callback. */
export interface AuthStateChange {
  isAuthenticated: boolean;
  sessionId: string | null;
  isRefreshing: boolean;
  /** True when another tab made the change. */
  remote: boolean;
  /** For STORAGE_FALLBACK: the storage error (the slot lives in memory in this tab from now on). */
  error?: Error;
}

export interface AuthSessionManagerOptions {
  /** Required for authorize/refresh/logout (without it they reject with AuthError INVALID, as the original). */
  apiClientConfig?: ApiClientConfig;
  storage?: SessionStorageConfig;
  /** Default "w3a": keys "w3a:session_id", ... and the Web Lock "w3a:session-refresh". */
  storageKeyPrefix?: string;
  /** Replaces every read of the access token. */
  accessTokenProvider?: () => Promise<string | null | undefined> | string | null | undefined;
  /** Options of the default refresh-token cookie. */
  cookieOptions?: CookieOptions;
  /** Bound on the wait for the cross-tab refresh lock, in ms (default 10000); past it: AuthError LOCK_TIMEOUT. */
  lockWaitMs?: number;
  /** Backoff after transient refresh failures (default on); `false` disables it. */
  backoff?: boolean | BackoffOptions;
  /** Refresh before the access token expires: `true` (60 s before) or `{ leadTimeMs }`. Default off. */
  autoRefresh?: boolean | { leadTimeMs?: number };
  /** Keep other tabs' managers in step over BroadcastChannel (default true). */
  sync?: boolean;
}

/** Tokens to store after a login; snake_case keys are accepted too. */
export interface SessionTokens {
  sessionId?: string;
  accessToken?: string;
  refreshToken?: string;
  idToken?: string;
}

export interface AuthSessionManager {
  /**
   * Refreshes the session and decrypts its data: the data object, or null when there is no session
   * or the server ended it. A transient failure (network, 5xx) rejects with an `AuthError` and keeps
   * the session.
   * @example
   * ```ts
   * const data = await session.authorize<{ email: string }>();
   * ```
   */
  authorize<T = unknown>(): Promise<T | null>;
}

/** What `getState()` gives: the original's two fields, plus whether a refresh is in flight. */
export interface SessionState {
  isAuthenticated: boolean;
  sessionId: string | null;
  isRefreshing: boolean;
}

/** What `ensureRefresh()` resolves to; `session_data` is "" when the tokens were adopted from another tab. */
export interface RefreshResponse {
  access_token: string;
  refresh_token: string;
  session_data: string;
}
"#;

fn slot_adapter(
    storage: Option<&JsValue>,
    name: &str,
    default: impl FnOnce() -> Rc<dyn StorageAdapter>,
) -> Result<Rc<dyn StorageAdapter>, JsValue> {
    let value = match storage {
        Some(storage) => option_field(storage, name)?,
        None => None,
    };
    match value {
        Some(v) => adapter_from_js(v, &text::cat(&["storage.", name])),
        None => Ok(default()),
    }
}

fn provider_from_js(f: js_sys::Function) -> AccessTokenProvider {
    Rc::new(move || {
        let result = f.call0(&JsValue::UNDEFINED);
        async move {
            let fail = |e: JsValue| {
                Error::auth(
                    AuthErrorCode::Invalid,
                    text::cat(&["accessTokenProvider failed: ", &js_error::describe(&e)]),
                )
            };
            let value = result.map_err(fail)?;
            let value = resolve(value).await.map_err(fail)?;
            Ok(value.as_string().filter(|s| !s.is_empty()))
        }
        .boxed_local()
    })
}

/// `apiClientConfig`: `{ baseURL (or baseUrl), sessionsEndpoint?, logoutEndpoint?, timeout? (or
/// timeoutMs) }`, plus `storageKeyPrefix` and `lockWaitMs` when present there.
fn session_options(api: &JsValue) -> options::Read<SessionOptions> {
    let api = options::object(api)?;
    let base_url = options::member_aliased(api, "baseURL", "baseUrl")?
        .ok_or_else(|| "missing field `baseURL`".to_owned())?;
    let mut opts = SessionOptions::new(options::string(&base_url, "baseURL")?);
    // Optional fields given as `undefined` or `null` take their default (the original: `?? default`).
    if let Some(v) = options::opt_string(
        options::member(api, "sessionsEndpoint")?,
        "sessionsEndpoint",
    )? {
        opts.sessions_endpoint = v;
    }
    if let Some(v) = options::opt_string(options::member(api, "logoutEndpoint")?, "logoutEndpoint")?
    {
        opts.logout_endpoint = v;
    }
    opts.timeout_ms = options::opt_millis(
        options::member_aliased(api, "timeout", "timeoutMs")?,
        "timeout",
    )?;
    if let Some(v) = options::opt_string(
        options::member(api, "storageKeyPrefix")?,
        "storageKeyPrefix",
    )? {
        opts.storage_key_prefix = v;
    }
    if let Some(v) = options::opt_millis(options::member(api, "lockWaitMs")?, "lockWaitMs")? {
        opts.lock_wait_ms = v;
    }
    Ok(opts)
}

/// `backoff`: `true`/absent the defaults, `false` none, or `{ initialMs, maxMs, coolDownAfter, coolDownMs }`.
fn backoff_option(value: Option<JsValue>) -> options::Read<BackoffPolicy> {
    let Some(value) = value.filter(|v| !v.is_undefined() && !v.is_null()) else {
        return Ok(BackoffPolicy::default());
    };
    if let Some(on) = value.as_bool() {
        return Ok(if on {
            BackoffPolicy::default()
        } else {
            BackoffPolicy::disabled()
        });
    }
    let value = options::object(&value)?;
    let mut policy = BackoffPolicy::default();
    if let Some(v) = options::opt_millis(options::member(value, "initialMs")?, "backoff.initialMs")?
    {
        policy.initial_ms = v.into();
    }
    if let Some(v) = options::opt_millis(options::member(value, "maxMs")?, "backoff.maxMs")? {
        policy.max_ms = v.into();
    }
    if let Some(v) = options::opt_millis(
        options::member(value, "coolDownAfter")?,
        "backoff.coolDownAfter",
    )? {
        policy.cool_down_after = v;
    }
    if let Some(v) =
        options::opt_millis(options::member(value, "coolDownMs")?, "backoff.coolDownMs")?
    {
        policy.cool_down_ms = v.into();
    }
    Ok(policy)
}

/// `autoRefresh`: `true` the default lead time, `false`/absent off, `{ leadTimeMs }`.
fn auto_refresh_option(value: Option<JsValue>) -> options::Read<Option<u64>> {
    let Some(value) = value.filter(|v| !v.is_undefined() && !v.is_null()) else {
        return Ok(None);
    };
    if let Some(on) = value.as_bool() {
        return Ok(on.then_some(crate::core::session::options::DEFAULT_AUTO_REFRESH_LEAD_MS));
    }
    let value = options::object(&value)?;
    let lead = options::opt_millis(
        options::member(value, "leadTimeMs")?,
        "autoRefresh.leadTimeMs",
    )?;
    Ok(Some(lead.map_or(
        crate::core::session::options::DEFAULT_AUTO_REFRESH_LEAD_MS,
        u64::from,
    )))
}

/// The argument of `setTokens`: camelCase or snake_case keys, `undefined`/`null` values absent.
fn tokens_input(tokens: &JsValue) -> options::Read<TokensInput> {
    let tokens = options::object(tokens)?;
    let token = |name: &str, alias: &str| {
        options::opt_string(options::member_aliased(tokens, name, alias)?, name)
    };
    Ok(TokensInput {
        session_id: token("sessionId", "session_id")?,
        access_token: token("accessToken", "access_token")?,
        refresh_token: token("refreshToken", "refresh_token")?,
        id_token: token("idToken", "id_token")?,
    })
}

/// Reads the option object into the core manager; also says whether to sync with other tabs.
/// A manager built from its options, and what its bindings need to know of them.
struct Built {
    manager: WebSessionManager,
    /// The `sync` option (default true).
    sync: bool,
    /// The access token's slot is the default (this page's localStorage), not an app's adapter.
    default_access_slot: bool,
}

fn manager_from_options(options: &JsValue) -> Result<Built, JsValue> {
    let options = &if options.is_undefined() || options.is_null() {
        js_sys::Object::new().into()
    } else {
        options.clone()
    };
    let mut opts = match option_field(options, "apiClientConfig")? {
        Some(api) => session_options(&api).map_err(|e| invalid_option("apiClientConfig", &e))?,
        None => SessionOptions::without_api(),
    };
    opts.backoff = backoff_option(option_field(options, "backoff")?)
        .map_err(|e| invalid_option("backoff", &e))?;
    opts.auto_refresh_lead_ms = auto_refresh_option(option_field(options, "autoRefresh")?)
        .map_err(|e| invalid_option("autoRefresh", &e))?;
    let sync = match option_field(options, "sync")? {
        Some(v) => v
            .as_bool()
            .ok_or_else(|| invalid_option("sync", "must be a boolean"))?,
        None => true,
    };
    if let Some(prefix) = option_field(options, "storageKeyPrefix")? {
        opts.storage_key_prefix = prefix
            .as_string()
            .ok_or_else(|| invalid_option("storageKeyPrefix", "must be a string"))?;
    }
    if let Some(ms) = option_field(options, "lockWaitMs")? {
        opts.lock_wait_ms =
            options::millis(&ms, "lockWaitMs").map_err(|e| invalid_option("lockWaitMs", &e))?;
    }
    opts.validate()?;
    let storage = option_field(options, "storage")?;
    let local = || -> Rc<dyn StorageAdapter> { Rc::new(WebStorage::new(WebStorageKind::Local)) };
    let cookie = CookieStorage::new(cookie_options(option_field(options, "cookieOptions")?)?)?;
    let access_option = match &storage {
        Some(storage) => option_field(storage, "accessToken")?,
        None => None,
    };
    let default_access_slot = access_option.is_none();
    let access_adapter = match access_option {
        Some(v) => adapter_from_js(v, "storage.accessToken")?,
        None => local(),
    };
    let slots = SessionSlots::new(
        opts.keys(),
        slot_adapter(storage.as_ref(), "sessionId", local)?,
        access_adapter,
        slot_adapter(storage.as_ref(), "refreshToken", || Rc::new(cookie))?,
        slot_adapter(storage.as_ref(), "idToken", local)?,
    );
    let manager = SessionManager::new(opts, slots, FetchTransport, WebLock, SystemClock);
    if let Some(f) = option_field(options, "accessTokenProvider")? {
        let f = f
            .dyn_into::<js_sys::Function>()
            .map_err(|_| invalid_option("accessTokenProvider", "must be a function"))?;
        manager.set_access_token_provider(Some(provider_from_js(f)));
    }
    Ok(Built {
        manager,
        sync,
        default_access_slot,
    })
}

/// Connects `manager` to the other tabs and the page's wake-ups, and starts its proactive refresh.
fn connect(manager: &WebSessionManager, sync: bool) -> Option<TabSync> {
    let auto = manager.options().auto_refresh_lead_ms.is_some();
    if auto {
        crate::web::task::spawn(manager.auto_refresh_task());
    }
    if !sync && !auto {
        return None;
    }
    let weak = manager.downgrade();
    let on_sync: Rc<dyn Fn(Option<crate::core::session::SyncMessage>)> = if sync {
        let weak = weak.clone();
        Rc::new(move |message| {
            if let Some(manager) = weak.upgrade() {
                crate::web::task::spawn(async move { manager.on_sync(message).await });
            }
        })
    } else {
        Rc::new(|_| {})
    };
    let on_wake: Option<Rc<dyn Fn()>> = auto.then(|| {
        Rc::new(move || {
            if let Some(manager) = weak.upgrade() {
                manager.wake();
            }
        }) as Rc<dyn Fn()>
    });
    let prefix = manager.slots().keys().prefix().to_owned();
    let (tab_sync, poster) = TabSync::install(&prefix, on_sync, on_wake);
    if sync {
        manager.set_broadcast(poster);
    }
    Some(tab_sync)
}

/// The state object of `getState()` and of event callbacks.
fn state_object(manager: &WebSessionManager) -> js_sys::Object {
    let state = js_sys::Object::new();
    let memory = manager.state();
    set_field(&state, "isAuthenticated", &memory.is_authenticated.into());
    set_field(&state, "sessionId", &opt_string(memory.session_id));
    set_field(&state, "isRefreshing", &memory.is_refreshing.into());
    state
}

thread_local! {
    /// One rejection handler for every promise a callback returns.
    static IGNORE: Closure<dyn FnMut(JsValue)> = Closure::new(|_: JsValue| {});
}

/// Calls an `onAuthStateChange` callback; what it throws or rejects with is swallowed (a listener
/// never breaks the session), and nothing waits for it.
fn deliver(callback: &js_sys::Function, manager: &WebSessionManager, change: &Change) {
    let state = state_object(manager);
    set_field(
        &state,
        "remote",
        &(change.origin == crate::core::session::Origin::Remote).into(),
    );
    if let Some(error) = &change.error {
        set_field(&state, "error", &JsValue::from(error.clone()));
    }
    let event = JsValue::from_str(change.event.as_str());
    if let Ok(returned) = callback.call2(&JsValue::UNDEFINED, &event, &state) {
        if let Some(promise) = returned.dyn_ref::<js_sys::Promise>() {
            IGNORE.with(|ignore| {
                let _ = promise.catch(ignore);
            });
        }
    }
}

fn opt_string(v: Option<String>) -> JsValue {
    v.map(JsValue::from).unwrap_or(JsValue::NULL)
}

/// Keeps a user's session alive: stores the tokens, refreshes them (once per tab and, with Web Locks,
/// once across tabs), decrypts the session data, and logs out.
///
/// @example
/// ```ts
/// const session = new AuthSessionManager({ apiClientConfig: { baseURL: "https://auth.example.com" } });
/// await session.setTokens({ sessionId, accessToken, refreshToken });
/// const data = await session.authorize(); // the decrypted session data, or null when logged out
/// ```
#[wasm_bindgen]
#[derive(Debug, Clone)]
pub struct AuthSessionManager {
    inner: WebSessionManager,
    web: Rc<RefCell<Option<TabSync>>>,
    /// `getAccessToken()` answers from memory: the slot is this page's localStorage (the default)
    /// and the cross-tab sync keeps the memory in step with it.
    memory_answers: bool,
}

impl AuthSessionManager {
    /// The core manager (shared with `HttpClient`).
    pub fn core(&self) -> &WebSessionManager {
        &self.inner
    }
}

#[wasm_bindgen]
impl AuthSessionManager {
    /// A manager; throws a `TypeError` (`INVALID_OPTION`) for options it cannot use.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "AuthSessionManagerOptions")] options: JsValue,
    ) -> Result<AuthSessionManager, JsValue> {
        let Built {
            manager: inner,
            sync,
            default_access_slot,
        } = manager_from_options(&options)?;
        let web = connect(&inner, sync);
        Ok(Self {
            inner,
            memory_answers: sync && default_access_slot && web.is_some(),
            web: Rc::new(RefCell::new(web)),
        })
    }

    /// Calls `callback(event, state)` after every change of the session, made by this tab or another
    /// one: `SIGNED_IN`, `TOKEN_REFRESHED`, `SIGNED_OUT`, `SESSION_EXPIRED`, `STORAGE_FALLBACK`.
    /// Callbacks run outside every lock; one that throws or never settles blocks nothing. Returns
    /// the function that unsubscribes.
    ///
    /// @example
    /// ```ts
    /// const off = session.onAuthStateChange((event, state) => {
    ///   if (event === "SIGNED_OUT" || event === "SESSION_EXPIRED") showLogin();
    /// });
    /// off();
    /// ```
    #[wasm_bindgen(js_name = onAuthStateChange, unchecked_return_type = "() => void")]
    pub fn on_auth_state_change(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "(event: AuthChangeEvent, state: AuthStateChange) => unknown"
        )]
        callback: JsValue,
    ) -> Result<JsValue, JsValue> {
        let callback: js_sys::Function = callback
            .dyn_into()
            .map_err(|_| invalid_option("onAuthStateChange", "expected a function"))?;
        let weak = self.inner.downgrade();
        let id = self.inner.subscribe(Rc::new(move |change: &Change| {
            if let Some(manager) = weak.upgrade() {
                deliver(&callback, &manager, change);
            }
        }));
        let weak = self.inner.downgrade();
        let unsubscribe = Closure::<dyn Fn()>::new(move || {
            if let Some(manager) = weak.upgrade() {
                manager.unsubscribe(id);
            }
        });
        Ok(unsubscribe.into_js_value())
    }

    /// Stops everything this manager runs: the proactive refresh, the cross-tab channel and page
    /// listeners, the event callbacks; a refresh in flight is aborted. Calls afterwards reject with
    /// `AuthError` `INVALID`.
    pub fn dispose(&self) {
        self.inner.dispose();
        drop(self.web.borrow_mut().take());
    }

    /// Stores the tokens of a login; empty values are skipped; the session id is validated and normalised.
    #[wasm_bindgen(js_name = setTokens, unchecked_return_type = "Promise<void>")]
    pub fn set_tokens(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SessionTokens")] tokens: JsValue,
    ) -> js_sys::Promise {
        let inner = self.inner.clone();
        let tokens = tokens_input(&tokens);
        spawn(async move {
            let tokens =
                tokens.map_err(|e| Error::InvalidOption(text::cat(&["setTokens: ", &e])))?;
            inner.set_tokens(tokens).await.map(|()| JsValue::UNDEFINED)
        })
    }

    /// Refreshes the session and decrypts its data: the data object, or null when there is no session
    /// or the server ended it. A transient failure (network, 5xx) rejects and keeps the session.
    /// (Typed in the `.d.ts` as the generic `authorize<T>()` of the interface above.)
    #[wasm_bindgen(skip_typescript)]
    pub fn authorize(&self) -> js_sys::Promise {
        let inner = self.inner.clone();
        spawn(async move {
            match inner.authorize().await? {
                Some(text) => parse_session_data(&text),
                None => Ok(JsValue::NULL),
            }
        })
    }

    /// The access token (from `accessTokenProvider` when set), or null.
    ///
    /// With the default storage and `sync` on, the token this manager holds answers at once, as the
    /// original's does: the cross-tab sync brings every other tab's refresh, login and logout into
    /// it. An app's own adapter for `storage.accessToken`, or `sync: false`, reads the slot on every
    /// call instead. A write to localStorage that bypasses the SDK in this very page (no `storage`
    /// event fires there) is seen by the next refresh, not by this getter.
    #[wasm_bindgen(js_name = getAccessToken, unchecked_return_type = "Promise<string | null>")]
    pub fn get_access_token(&self) -> js_sys::Promise {
        // The hot path (an app asks before each request): the token this tab holds, when its
        // memory follows the stored slot. Otherwise (and when none is held) storage is read.
        if self.memory_answers {
            if let Some(token) = self.inner.access_token_in_memory() {
                return js_sys::Promise::resolve(&JsValue::from(token));
            }
        }
        let inner = self.inner.clone();
        spawn(async move { inner.get_access_token().await.map(opt_string) })
    }

    /// For the package's `getAccessToken()` wrapper: 0 when the token must be asked for with
    /// `getAccessToken()`, else a stamp that changes whenever [`Self::access_token_in_memory`] may.
    #[wasm_bindgen(js_name = __accessTokenStamp, skip_typescript)]
    pub fn access_token_stamp(&self) -> u32 {
        if self.memory_answers {
            self.inner.access_token_stamp()
        } else {
            0
        }
    }

    /// For the package's `getAccessToken()` wrapper: the token this manager holds (see
    /// `getAccessToken()` for when it answers from memory).
    #[wasm_bindgen(js_name = __accessTokenInMemory, skip_typescript)]
    pub fn access_token_in_memory(&self) -> Option<String> {
        self.inner.access_token_in_memory()
    }

    /// The refresh token, or null.
    #[wasm_bindgen(js_name = getRefreshToken, unchecked_return_type = "Promise<string | null>")]
    pub fn get_refresh_token(&self) -> js_sys::Promise {
        let inner = self.inner.clone();
        spawn(async move { inner.get_refresh_token().await.map(opt_string) })
    }

    /// The id token, or null.
    #[wasm_bindgen(js_name = getIdToken, unchecked_return_type = "Promise<string | null>")]
    pub fn get_id_token(&self) -> js_sys::Promise {
        let inner = self.inner.clone();
        spawn(async move { inner.get_id_token().await.map(opt_string) })
    }

    /// The session id, or null.
    #[wasm_bindgen(js_name = getSessionId, unchecked_return_type = "Promise<string | null>")]
    pub fn get_session_id(&self) -> js_sys::Promise {
        let inner = self.inner.clone();
        spawn(async move { inner.get_session_id().await.map(opt_string) })
    }

    /// True after a successful authorize or refresh, false after a clear or logout.
    #[wasm_bindgen(js_name = isAuthenticated)]
    pub fn is_authenticated(&self) -> bool {
        self.inner.is_authenticated()
    }

    /// `{ isAuthenticated, sessionId, isRefreshing }`, async like the original's.
    #[wasm_bindgen(js_name = getState, unchecked_return_type = "Promise<SessionState>")]
    pub fn get_state(&self) -> js_sys::Promise {
        let inner = self.inner.clone();
        spawn(async move {
            inner.get_session_id().await?;
            Ok(state_object(&inner).into())
        })
    }

    /// Removes the four tokens from storage; the manager becomes unauthenticated.
    #[wasm_bindgen(js_name = clearSessionData, unchecked_return_type = "Promise<void>")]
    pub fn clear_session_data(&self) -> js_sys::Promise {
        let inner = self.inner.clone();
        spawn(async move {
            inner
                .clear_session_data()
                .await
                .map(|()| JsValue::UNDEFINED)
        })
    }

    /// Refreshes now, joining a refresh in flight; with `skipIfFresh`, adopts a token another tab
    /// already rotated instead of sending a request.
    /// Without `skipIfFresh` (the default, as in the original) it always asks the server, because
    /// the caller needs `session_data`.
    #[wasm_bindgen(js_name = ensureRefresh, unchecked_return_type = "Promise<RefreshResponse>")]
    pub fn ensure_refresh(
        &self,
        #[wasm_bindgen(js_name = skipIfFresh)] skip_if_fresh: Option<bool>,
    ) -> js_sys::Promise {
        let inner = self.inner.clone();
        spawn(async move {
            let outcome = inner.ensure_refresh(skip_if_fresh.unwrap_or(false)).await?;
            // The tokens the refresh committed (or adopted), which it left in memory, as the
            // original answers with the server's answer: no storage read after it (a cookie read
            // is a trip to the browser).
            let (access, refresh) = inner.tokens_in_memory();
            Ok(crate::web::snippet::refresh_response(
                access.as_deref().unwrap_or_default(),
                refresh.as_deref().unwrap_or_default(),
                outcome.session_data().unwrap_or_default(),
            ))
        })
    }

    /// Call after a request failed with 401: refreshes unless another caller already did, and gives
    /// the access token to retry with.
    #[wasm_bindgen(js_name = handleUnauthorized, unchecked_return_type = "Promise<string | null>")]
    pub fn handle_unauthorized(
        &self,
        #[wasm_bindgen(js_name = failedAccessToken)] failed_access_token: Option<String>,
    ) -> js_sys::Promise {
        let inner = self.inner.clone();
        spawn(async move {
            inner
                .handle_unauthorized(failed_access_token.as_deref())
                .await?;
            inner.current_access_token().await.map(opt_string)
        })
    }

    /// Tells the server, then clears the four slots whatever it answered.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn logout(&self) -> js_sys::Promise {
        let inner = self.inner.clone();
        spawn(async move { inner.logout().await.map(|()| JsValue::UNDEFINED) })
    }
}
