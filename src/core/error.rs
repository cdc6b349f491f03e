//! The crate's one error type. Every failure the browser or the server can cause is a variant here,
//! with a stable `code()` and `name()` that the bindings expose on the JS `Error` object.

/// Codes of the original's `AuthError` (PROTOCOL.md §4), plus nothing else: other failures use [`Error`]'s own codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthErrorCode {
    /// The access token expired.
    Expired,
    /// A token or the session data is not valid.
    Invalid,
    /// The refresh request failed.
    RefreshFailed,
    /// The network failed (no answer, timeout, CORS).
    Network,
    /// `session_data` could not be decrypted.
    DecryptFailed,
    /// No session id is stored.
    NoSessionId,
    /// The session is over: the server refused the refresh, or a retried request failed to refresh.
    SessionExpired,
}

impl AuthErrorCode {
    /// The code string of the original (`"REFRESH_FAILED"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Expired => "EXPIRED",
            Self::Invalid => "INVALID",
            Self::RefreshFailed => "REFRESH_FAILED",
            Self::Network => "NETWORK",
            Self::DecryptFailed => "DECRYPT_FAILED",
            Self::NoSessionId => "NO_SESSION_ID",
            Self::SessionExpired => "SESSION_EXPIRED",
        }
    }
}

impl std::fmt::Display for AuthErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything that can go wrong, typed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// PROTOCOL.md §3: the original's message, kept word for word.
    #[error("Session id must be a hex string")]
    InvalidSessionId,
    /// The storage API does not exist here or refuses access (no window, blocked by privacy settings).
    #[error("storage unavailable: {0}")]
    StorageUnavailable(String),
    /// A write was refused (quota exceeded, the adapter threw or rejected).
    #[error("storage write failed: {0}")]
    StorageWrite(String),
    /// A cookie whose `name=value` part is over the browser limit: the browser would drop it silently.
    #[error("cookie \"{name}\" would be {size} bytes, over the {limit}-byte limit")]
    CookieTooLarge {
        /// The cookie name.
        name: String,
        /// The size of `name=value` in bytes.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// `SameSite=None` without `Secure`: browsers reject such a cookie.
    #[error("a cookie with SameSite=None must be Secure")]
    CookieInsecureSameSiteNone,
    /// An option object or argument is not what the API takes.
    #[error("invalid option: {0}")]
    InvalidOption(String),
    /// A failure of the session flow, with the original's `AuthError` code.
    #[error("{message}")]
    Auth {
        /// The code.
        code: AuthErrorCode,
        /// A human message.
        message: String,
    },
    /// Decryption or signature failure (bad MAC, malformed ciphertext, invalid key).
    #[error("crypto: {0}")]
    Crypto(String),
    /// An HTTP answer outside 2xx.
    #[error("HTTP {status} {status_text} from {url}")]
    Http {
        /// The status code.
        status: u16,
        /// The status text.
        status_text: String,
        /// The request URL.
        url: String,
        /// The body: parsed JSON as a JSON string, or the text.
        body: String,
    },
    /// No answer: the connection failed or was refused.
    #[error("network error: {0}")]
    Network(String),
    /// The request did not finish within its timeout and was aborted.
    #[error("request to {url} timed out after {ms} ms")]
    Timeout {
        /// The request URL.
        url: String,
        /// The timeout.
        ms: u32,
    },
    /// The cross-tab lock could not be taken within its bound.
    #[error("the cross-tab lock \"{0}\" was not granted in time")]
    LockTimeout(String),
    /// An answer that does not have the expected shape (not JSON, missing fields).
    #[error("malformed response: {0}")]
    MalformedResponse(String),
}

impl Error {
    /// A shorthand for [`Error::Auth`].
    pub fn auth(code: AuthErrorCode, message: impl Into<String>) -> Self {
        Self::Auth {
            code,
            message: message.into(),
        }
    }

    /// The stable code exposed to JS as `err.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidSessionId => "INVALID_SESSION_ID",
            Self::StorageUnavailable(_) => "STORAGE_UNAVAILABLE",
            Self::StorageWrite(_) => "STORAGE_WRITE_FAILED",
            Self::CookieTooLarge { .. } => "COOKIE_TOO_LARGE",
            Self::CookieInsecureSameSiteNone => "COOKIE_INSECURE",
            Self::InvalidOption(_) => "INVALID_OPTION",
            Self::Auth { code, .. } => code.as_str(),
            Self::Crypto(_) => "DECRYPT_FAILED",
            Self::Http { .. } => "HTTP_ERROR",
            Self::Network(_) => "NETWORK",
            Self::Timeout { .. } => "TIMEOUT",
            Self::LockTimeout(_) => "LOCK_TIMEOUT",
            Self::MalformedResponse(_) => "MALFORMED_RESPONSE",
        }
    }

    /// The JS error class name exposed as `err.name`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::StorageUnavailable(_)
            | Self::StorageWrite(_)
            | Self::CookieTooLarge { .. }
            | Self::CookieInsecureSameSiteNone => "StorageError",
            Self::Crypto(_) => "CryptoError",
            Self::Http { .. }
            | Self::Network(_)
            | Self::Timeout { .. }
            | Self::MalformedResponse(_) => "HttpError",
            Self::InvalidSessionId | Self::InvalidOption(_) => "TypeError",
            Self::Auth { .. } | Self::LockTimeout(_) => "AuthError",
        }
    }

    /// True for failures that say nothing about the session's validity (network, timeout, 5xx, 429,
    /// lock wait): the session must be kept.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Network(_) | Self::Timeout { .. } | Self::LockTimeout(_) => true,
            Self::Http { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            Self::Auth { code, .. } => matches!(code, AuthErrorCode::Network),
            _ => false,
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
