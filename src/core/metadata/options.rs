//! `new StorageManager(options)`: the option object of PROTOCOL.md §7 and its resolution to what the
//! requests carry. In the browser the JS object is read field by field by
//! `bindings::storage_manager` (through `bindings::options`); the native compatibility harness
//! (`examples/crypto_vectors.rs`) builds them from JSON the same way.

use crate::core::error::{Error, Result};
use crate::core::keys::normalize_session_id;

/// The default session lifetime on the server, in seconds (one day).
pub const DEFAULT_SESSION_TIME: u64 = 86_400;
/// The namespace part of the local cache key when no `sessionNamespace` is set.
pub const DEFAULT_CACHE_NAMESPACE: &str = "w3a_session_manager_default";
/// The default `allowedOrigin`.
pub const ANY_ORIGIN: &str = "*";
/// The timeout of every metadata request, in milliseconds (the original races POSTs against 60 s).
pub const REQUEST_TIMEOUT_MS: u32 = 60_000;

/// `allowedOrigin`: an origin string (`"*"` for any), or a boolean (`true`: bind to the Origin the
/// server sees at create).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedOrigin {
    /// `true` or `false`.
    Bool(bool),
    /// An origin, or `"*"`.
    Origin(String),
}

impl Default for AllowedOrigin {
    fn default() -> Self {
        Self::Origin(ANY_ORIGIN.to_owned())
    }
}

impl AllowedOrigin {
    /// The value sent: as in the original, a falsy option (`false`, `""`) becomes `"*"`, which is
    /// what "disabled" means to the server (no origin check).
    pub fn resolved(&self) -> AllowedOrigin {
        match self {
            Self::Bool(false) => Self::default(),
            Self::Origin(s) if s.is_empty() => Self::default(),
            other => other.clone(),
        }
    }
}

/// How the metadata `data` is encrypted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Scheme {
    /// eccrypto ECIES to the session's own public key (PROTOCOL.md §6): what the original sends.
    #[default]
    Ecies,
    /// This SDK's AES-256-GCM envelope (`crate::core::crypto::aead`): opt-in; only this SDK reads it.
    AesGcm,
}

/// The options of `new StorageManager(...)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StorageManagerOptions {
    /// The session server, e.g. `https://session.example`; request URLs are this plus `/v2/store/...`.
    pub session_server_base_url: String,
    /// Namespace on the server and in the cache key; empty means none.
    pub session_namespace: Option<String>,
    /// Lifetime of a created session in seconds; missing or 0 means [`DEFAULT_SESSION_TIME`].
    pub session_time: Option<u64>,
    /// The session id (a secp256k1 secret key in hex, PROTOCOL.md §3).
    pub session_id: Option<String>,
    /// Which origins may read the session; default `"*"`.
    pub allowed_origin: Option<AllowedOrigin>,
    /// Keep an encrypted copy of the session data in the local cache.
    pub use_local_storage: bool,
    /// `"ecies"` (default) or `"aes-gcm"`.
    pub scheme: Scheme,
}

/// The options after defaults and validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedOptions {
    /// The base URL.
    pub base_url: String,
    /// The namespace, `None` if missing or empty.
    pub namespace: Option<String>,
    /// Seconds.
    pub session_time: u64,
    /// The normalised session id, if one was given.
    pub session_id: Option<String>,
    /// The value sent as `allowedOrigin`.
    pub allowed_origin: AllowedOrigin,
    /// Whether the local cache is used.
    pub use_local_storage: bool,
    /// The encryption scheme.
    pub scheme: Scheme,
}

impl StorageManagerOptions {
    /// Applies the defaults of the original and validates: `sessionServerBaseUrl` must be set
    /// (`Error::InvalidOption`), a session id must be hex (`Error::InvalidSessionId`).
    pub fn resolve(&self) -> Result<ResolvedOptions> {
        if self.session_server_base_url.is_empty() {
            return Err(Error::InvalidOption(
                "sessionServerBaseUrl is required".to_owned(),
            ));
        }
        let session_id = match self.session_id.as_deref() {
            None | Some("") => None,
            Some(id) => Some(normalize_session_id(id)?),
        };
        Ok(ResolvedOptions {
            base_url: self.session_server_base_url.clone(),
            namespace: self.session_namespace.clone().filter(|n| !n.is_empty()),
            session_time: self
                .session_time
                .filter(|t| *t > 0)
                .unwrap_or(DEFAULT_SESSION_TIME),
            session_id,
            allowed_origin: self.allowed_origin.clone().unwrap_or_default().resolved(),
            use_local_storage: self.use_local_storage,
            scheme: self.scheme,
        })
    }
}
