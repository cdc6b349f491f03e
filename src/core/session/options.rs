//! Options of the session manager: the original's `apiClientConfig` plus this SDK's own knobs. The
//! bindings read them from JS (`bindings::auth`); native callers build them with [`SessionOptions::new`].

use super::backoff::BackoffPolicy;
use crate::core::error::{AuthErrorCode, Error, Result};
use crate::core::keys::{StorageKeys, DEFAULT_PREFIX};

/// The default refresh endpoint (PROTOCOL.md §4).
pub const DEFAULT_SESSIONS_ENDPOINT: &str = "/v1/auth/session";
/// The default logout endpoint (PROTOCOL.md §4).
pub const DEFAULT_LOGOUT_ENDPOINT: &str = "/v1/auth/logout";
/// The default bound on the wait for the cross-tab refresh lock, in milliseconds.
pub const DEFAULT_LOCK_WAIT_MS: u32 = 10_000;
/// The default timeout of the refresh and logout requests (and of `accessTokenProvider`), in ms.
pub const DEFAULT_REQUEST_TIMEOUT_MS: u32 = 10_000;
/// The bound on the storage writes of one commit, in milliseconds (a custom adapter that never
/// settles cannot keep the cross-tab lock).
pub const STORAGE_TIMEOUT_MS: u64 = 5_000;
/// The default lead time of the proactive refresh: this long before the access token expires.
pub const DEFAULT_AUTO_REFRESH_LEAD_MS: u64 = 60_000;

/// The original's error when a manager without `apiClientConfig` is asked to talk to the server.
pub fn api_config_required() -> Error {
    Error::auth(
        AuthErrorCode::Invalid,
        "apiClientConfig is required for API operations",
    )
}

/// Options of a [`SessionManager`](super::SessionManager).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionOptions {
    /// The server's base URL (`apiClientConfig.baseURL`); endpoints are appended by plain
    /// concatenation. `None`: no `apiClientConfig`, so every call that needs the server rejects
    /// with `AuthError` `INVALID`, as in the original.
    pub base_url: Option<String>,
    /// The refresh endpoint, default `/v1/auth/session`.
    pub sessions_endpoint: String,
    /// The logout endpoint, default `/v1/auth/logout`.
    pub logout_endpoint: String,
    /// `apiClientConfig.timeout` in milliseconds, when given: the timeout of the refresh and logout
    /// requests, of `accessTokenProvider`, and the default of `HttpClient` requests. Without it,
    /// [`DEFAULT_REQUEST_TIMEOUT_MS`] for the session's own requests (see
    /// [`SessionOptions::request_timeout_ms`]) and the `HttpClient` default for its requests.
    pub timeout_ms: Option<u32>,
    /// The storage key prefix, default `w3a`. Build the slots' keys with [`SessionOptions::keys`].
    pub storage_key_prefix: String,
    /// The bound on the wait for the cross-tab lock, in milliseconds, default 10 000.
    pub lock_wait_ms: u32,
    /// Backoff after transient refresh failures (`backoff`; `false` disables it).
    pub backoff: BackoffPolicy,
    /// Proactive refresh: refresh this many milliseconds before the access token expires
    /// (`autoRefresh: true` gives [`DEFAULT_AUTO_REFRESH_LEAD_MS`]); `None` (the default) never
    /// refreshes on its own.
    pub auto_refresh_lead_ms: Option<u64>,
}

impl SessionOptions {
    /// Options for `base_url` with every default.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: Some(base_url.into()),
            ..Self::without_api()
        }
    }

    /// Options with no `apiClientConfig`: storage works, server calls reject.
    pub fn without_api() -> Self {
        Self {
            base_url: None,
            sessions_endpoint: DEFAULT_SESSIONS_ENDPOINT.to_owned(),
            logout_endpoint: DEFAULT_LOGOUT_ENDPOINT.to_owned(),
            timeout_ms: None,
            storage_key_prefix: DEFAULT_PREFIX.to_owned(),
            lock_wait_ms: DEFAULT_LOCK_WAIT_MS,
            backoff: BackoffPolicy::default(),
            auto_refresh_lead_ms: None,
        }
    }

    /// The timeout of the refresh and logout requests and of `accessTokenProvider`.
    pub fn request_timeout_ms(&self) -> u32 {
        self.timeout_ms.unwrap_or(DEFAULT_REQUEST_TIMEOUT_MS)
    }

    /// The storage keys (and lock name) for this prefix.
    pub fn keys(&self) -> StorageKeys {
        StorageKeys::new(&self.storage_key_prefix)
    }

    /// The base URL, or the original's `INVALID` error without `apiClientConfig`.
    pub fn api_base(&self) -> Result<&str> {
        self.base_url.as_deref().ok_or_else(api_config_required)
    }

    /// `{baseURL}{sessionsEndpoint}`.
    pub fn refresh_url(&self) -> Result<String> {
        Ok(concat(self.api_base()?, &self.sessions_endpoint))
    }

    /// `{baseURL}{logoutEndpoint}`.
    pub fn logout_url(&self) -> Result<String> {
        Ok(concat(self.api_base()?, &self.logout_endpoint))
    }

    /// Checks what the original would only find out at the first request: a base URL given in
    /// `apiClientConfig` must not be empty.
    pub fn validate(&self) -> Result<()> {
        if self
            .base_url
            .as_deref()
            .is_some_and(|u| u.trim().is_empty())
        {
            return Err(Error::InvalidOption(
                "apiClientConfig.baseURL must not be empty".to_owned(),
            ));
        }
        Ok(())
    }
}

fn concat(base: &str, endpoint: &str) -> String {
    let mut url = String::with_capacity(base.len() + endpoint.len());
    url.push_str(base);
    url.push_str(endpoint);
    url
}
