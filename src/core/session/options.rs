//! Options of the session manager: the original's `apiClientConfig` plus this SDK's own knobs.

use serde::Deserialize;

use crate::core::error::{Error, Result};
use crate::core::keys::{StorageKeys, DEFAULT_PREFIX};

/// The default refresh endpoint (PROTOCOL.md §4).
pub const DEFAULT_SESSIONS_ENDPOINT: &str = "/v1/auth/session";
/// The default logout endpoint (PROTOCOL.md §4).
pub const DEFAULT_LOGOUT_ENDPOINT: &str = "/v1/auth/logout";
/// The default bound on the wait for the cross-tab refresh lock, in milliseconds.
pub const DEFAULT_LOCK_WAIT_MS: u32 = 10_000;

/// Options of a [`SessionManager`](super::SessionManager).
///
/// Deserialises from the original's `apiClientConfig` object
/// (`{ baseURL, sessionsEndpoint?, logoutEndpoint?, timeout? }`); `storageKeyPrefix` and `lockWaitMs`
/// are read too when present, so the bindings may deserialise the whole option object into this.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionOptions {
    /// The server's base URL; endpoints are appended by plain concatenation.
    #[serde(rename = "baseURL", alias = "baseUrl")]
    pub base_url: String,
    /// The refresh endpoint, default `/v1/auth/session`.
    #[serde(default = "default_sessions_endpoint")]
    pub sessions_endpoint: String,
    /// The logout endpoint, default `/v1/auth/logout`.
    #[serde(default = "default_logout_endpoint")]
    pub logout_endpoint: String,
    /// Timeout of the refresh and logout requests, in milliseconds (JS `timeout`); none by default.
    #[serde(default, rename = "timeout", alias = "timeoutMs")]
    pub timeout_ms: Option<u32>,
    /// The storage key prefix, default `w3a`. Build the slots' keys with [`SessionOptions::keys`].
    #[serde(default = "default_prefix")]
    pub storage_key_prefix: String,
    /// The bound on the wait for the cross-tab lock, in milliseconds, default 10 000.
    #[serde(default = "default_lock_wait_ms")]
    pub lock_wait_ms: u32,
}

fn default_sessions_endpoint() -> String {
    DEFAULT_SESSIONS_ENDPOINT.to_owned()
}

fn default_logout_endpoint() -> String {
    DEFAULT_LOGOUT_ENDPOINT.to_owned()
}

fn default_prefix() -> String {
    DEFAULT_PREFIX.to_owned()
}

fn default_lock_wait_ms() -> u32 {
    DEFAULT_LOCK_WAIT_MS
}

impl SessionOptions {
    /// Options for `base_url` with every default.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            sessions_endpoint: default_sessions_endpoint(),
            logout_endpoint: default_logout_endpoint(),
            timeout_ms: None,
            storage_key_prefix: default_prefix(),
            lock_wait_ms: DEFAULT_LOCK_WAIT_MS,
        }
    }

    /// The storage keys (and lock name) for this prefix.
    pub fn keys(&self) -> StorageKeys {
        StorageKeys::new(&self.storage_key_prefix)
    }

    /// `{baseURL}{sessionsEndpoint}`.
    pub fn refresh_url(&self) -> String {
        format!("{}{}", self.base_url, self.sessions_endpoint)
    }

    /// `{baseURL}{logoutEndpoint}`.
    pub fn logout_url(&self) -> String {
        format!("{}{}", self.base_url, self.logout_endpoint)
    }

    /// Checks what the original would only find out at the first request: a base URL is required.
    pub fn validate(&self) -> Result<()> {
        if self.base_url.trim().is_empty() {
            return Err(Error::InvalidOption(
                "apiClientConfig.baseURL is required".to_owned(),
            ));
        }
        Ok(())
    }
}
