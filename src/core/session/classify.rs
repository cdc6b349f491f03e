//! What a refresh answer means for the session (DESIGN.md "Refresh coordination").
//!
//! | answer | error code | session |
//! |---|---|---|
//! | no answer, timeout | `NETWORK` | kept |
//! | 5xx, 429, 408 | `REFRESH_FAILED` | kept |
//! | 2xx that is not JSON or has no `access_token` | `REFRESH_FAILED` | kept |
//! | 401 | `SESSION_EXPIRED` | cleared |
//! | any other 4xx (400 `invalid_grant`, 403, 404, ...) | `SESSION_EXPIRED` | cleared |
//! | any other status (1xx, 3xx) | `REFRESH_FAILED` | kept |
//!
//! The original clears the session on every failure; this SDK clears it only when the server's
//! answer says the grant is over, so a flaky network never logs a user out.

use super::wire::{excerpt, parse_refresh_answer, RefreshAnswer};
use crate::core::error::{AuthErrorCode, Error};
use crate::core::json::Value;
use crate::core::text;
use crate::core::transport::HttpResponse;

/// A failed refresh, by what it means for the stored session.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// Says nothing about the session's validity: keep everything, report the error.
    Transient(Error),
    /// The server says the grant is invalid or the session is gone: clear the session.
    Terminal(Error),
}

impl Failure {
    /// The error to report.
    pub fn into_error(self) -> Error {
        match self {
            Self::Transient(e) | Self::Terminal(e) => e,
        }
    }

    /// True for [`Failure::Terminal`].
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Terminal(_))
    }
}

/// Classifies a transport failure (no answer): always transient.
pub fn classify_transport_error(err: Error) -> Failure {
    let message = match &err {
        Error::Timeout { .. } | Error::Network(_) => {
            text::cat(&["refresh request failed: ", &err.message()])
        }
        other => text::cat(&["refresh request could not be sent: ", &other.message()]),
    };
    Failure::Transient(Error::auth(AuthErrorCode::Network, message))
}

/// Classifies an answer: a usable 2xx gives the parsed answer, anything else a [`Failure`].
pub fn classify_response(response: &HttpResponse) -> Result<RefreshAnswer, Failure> {
    if response.is_success() {
        return parse_refresh_answer(response).map_err(|e| {
            Failure::Transient(Error::auth(AuthErrorCode::RefreshFailed, e.message()))
        });
    }
    let status = response.status;
    let detail = server_detail(response);
    let mut what = String::from("HTTP ");
    text::push_dec(&mut what, u64::from(status));
    if !response.status_text.is_empty() {
        what.push(' ');
        what.push_str(&response.status_text);
    }
    let terminal = (400..500).contains(&status) && !matches!(status, 408 | 429);
    if terminal {
        Err(Failure::Terminal(Error::auth(
            AuthErrorCode::SessionExpired,
            text::cat(&["the server refused the refresh (", &what, "): ", &detail]),
        )))
    } else {
        Err(Failure::Transient(Error::auth(
            AuthErrorCode::RefreshFailed,
            text::cat(&["refresh failed (", &what, "): ", &detail]),
        )))
    }
}

/// A one-line description of the body: the server's JSON `error` and `error_description`, or an
/// excerpt of the text.
fn server_detail(response: &HttpResponse) -> String {
    if let Ok(map @ Value::Object(_)) = response.body_json().as_deref() {
        let code = map.get("error").and_then(Value::as_str).map(str::to_owned);
        let description = map
            .get("error_description")
            .or_else(|| map.get("message"))
            .and_then(Value::as_str);
        return match (&code, description) {
            (Some(c), Some(d)) => text::cat(&[c.as_str(), ": ", d]),
            (Some(c), None) => c.clone(),
            (None, Some(d)) => d.to_owned(),
            (None, None) => excerpt(&response.body_text()),
        };
    }
    // The text is written back from the transport's parse only here, where it is shown.
    let body = response.body_text();
    if body.trim().is_empty() {
        "(empty body)".to_owned()
    } else {
        excerpt(body.trim())
    }
}
