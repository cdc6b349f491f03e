//! The crate's one error type. Every failure the browser or the server can cause is a variant here,
//! with a stable `code()` and `name()` that the bindings expose on the JS `Error` object.

use crate::core::text;

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
///
/// Its text ([`Error::message`], also its `Display`) is built without `core::fmt`, so that the wasm,
/// which turns every error into a JS `Error` with that text, carries no formatting machinery.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// PROTOCOL.md §3: the original's message, kept word for word.
    InvalidSessionId,
    /// The storage API does not exist here or refuses access (no window, blocked by privacy settings).
    StorageUnavailable(String),
    /// A write was refused (quota exceeded, the adapter threw or rejected).
    StorageWrite(String),
    /// A cookie whose `name=value` part is over the browser limit: the browser would drop it silently.
    CookieTooLarge {
        /// The cookie name.
        name: String,
        /// The size of `name=value` in bytes.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// `SameSite=None` without `Secure`: browsers reject such a cookie.
    CookieInsecureSameSiteNone,
    /// An option object or argument is not what the API takes.
    InvalidOption(String),
    /// A failure of the session flow, with the original's `AuthError` code.
    Auth {
        /// The code.
        code: AuthErrorCode,
        /// A human message.
        message: String,
    },
    /// Decryption or signature failure (bad MAC, malformed ciphertext, invalid key).
    Crypto(String),
    /// An HTTP answer outside 2xx.
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
    Network(String),
    /// The request did not finish within its timeout and was aborted.
    Timeout {
        /// The request URL.
        url: String,
        /// The timeout.
        ms: u32,
    },
    /// The cross-tab lock could not be taken within its bound.
    LockTimeout(String),
    /// An answer that does not have the expected shape (not JSON, missing fields).
    MalformedResponse(String),
}

impl Error {
    /// The human message (the JS `Error`'s `message`).
    pub fn message(&self) -> String {
        let prefixed = |what: &str, detail: &str| text::cat(&[what, detail]);
        match self {
            Self::InvalidSessionId => "Session id must be a hex string".to_owned(),
            Self::StorageUnavailable(d) => prefixed("storage unavailable: ", d),
            Self::StorageWrite(d) => prefixed("storage write failed: ", d),
            Self::CookieTooLarge { name, size, limit } => {
                let mut out = text::cat(&["cookie \"", name, "\" would be "]);
                text::push_dec(&mut out, *size as u64);
                out.push_str(" bytes, over the ");
                text::push_dec(&mut out, *limit as u64);
                out.push_str("-byte limit");
                out
            }
            Self::CookieInsecureSameSiteNone => {
                "a cookie with SameSite=None must be Secure".to_owned()
            }
            Self::InvalidOption(d) => prefixed("invalid option: ", d),
            Self::Auth { message, .. } => message.clone(),
            Self::Crypto(d) => prefixed("crypto: ", d),
            Self::Http {
                status,
                status_text,
                url,
                ..
            } => {
                let mut out = String::from("HTTP ");
                text::push_dec(&mut out, u64::from(*status));
                out.push(' ');
                out.push_str(status_text);
                out.push_str(" from ");
                out.push_str(url);
                out
            }
            Self::Network(d) => prefixed("network error: ", d),
            Self::Timeout { url, ms } => {
                let mut out = text::cat(&["request to ", url, " timed out after "]);
                text::push_dec(&mut out, u64::from(*ms));
                out.push_str(" ms");
                out
            }
            Self::LockTimeout(name) => {
                text::cat(&["the cross-tab lock \"", name, "\" was not granted in time"])
            }
            Self::MalformedResponse(d) => prefixed("malformed response: ", d),
        }
    }

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

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for Error {}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts the `thiserror` attributes used to write, word for word.
    #[test]
    fn messages_keep_their_text() {
        let s = |t: &str| t.to_owned();
        let cases = [
            (Error::InvalidSessionId, "Session id must be a hex string"),
            (
                Error::StorageUnavailable(s("localStorage is not available")),
                "storage unavailable: localStorage is not available",
            ),
            (Error::StorageWrite(s("x")), "storage write failed: x"),
            (
                Error::CookieTooLarge {
                    name: s("rt"),
                    size: 4097,
                    limit: 4096,
                },
                "cookie \"rt\" would be 4097 bytes, over the 4096-byte limit",
            ),
            (
                Error::CookieInsecureSameSiteNone,
                "a cookie with SameSite=None must be Secure",
            ),
            (Error::InvalidOption(s("a: b")), "invalid option: a: b"),
            (
                Error::auth(AuthErrorCode::RefreshFailed, "as given"),
                "as given",
            ),
            (Error::Crypto(s("bad mac")), "crypto: bad mac"),
            (
                Error::Http {
                    status: 503,
                    status_text: s("Service Unavailable"),
                    url: s("https://a.test/x"),
                    body: s("{}"),
                },
                "HTTP 503 Service Unavailable from https://a.test/x",
            ),
            (
                Error::Http {
                    status: 0,
                    status_text: String::new(),
                    url: s("u"),
                    body: String::new(),
                },
                "HTTP 0  from u",
            ),
            (Error::Network(s("offline")), "network error: offline"),
            (
                Error::Timeout {
                    url: s("https://a.test/r"),
                    ms: 10_000,
                },
                "request to https://a.test/r timed out after 10000 ms",
            ),
            (
                Error::LockTimeout(s("p:session-refresh")),
                "the cross-tab lock \"p:session-refresh\" was not granted in time",
            ),
            (
                Error::MalformedResponse(s("not JSON")),
                "malformed response: not JSON",
            ),
        ];
        for (error, text) in cases {
            assert_eq!(error.message(), text);
            assert_eq!(error.to_string(), text);
        }
    }
}
