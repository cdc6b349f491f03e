//! Request extractors whose failures are JSON errors: the raw body (413 past the limit), JSON
//! bodies (400), and strict `Authorization: Bearer <token>` parsing (401).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ApiResult};
use crate::store::SessionRecord;
use crate::tokens::{Claims, MAX_TOKEN_LEN};
use crate::SharedApp;

/// The request body of a state-changing call, within the body limit. A `POST`/`PUT`/`PATCH` body
/// must be sent as `application/json` (or `application/*+json`): a cross-site form post (a "simple"
/// request that needs no CORS preflight) is 415 `unsupported_media_type`. An empty body without a
/// `Content-Type` is allowed (it reads as `{}`).
#[derive(Debug)]
pub struct RawBody(pub Bytes);

/// Whether `value` is a JSON media type.
pub fn is_json_content_type(value: &str) -> bool {
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|sub| sub.ends_with("+json"))
}

fn unsupported(description: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        description,
    )
}

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let writes = matches!(
            *request.method(),
            Method::POST | Method::PUT | Method::PATCH
        );
        let mut types = request.headers().get_all(CONTENT_TYPE).iter();
        let content_type = types
            .next()
            .map(|v| v.to_str().unwrap_or("\u{0}").to_owned());
        if writes && types.next().is_some() {
            return Err(unsupported("more than one Content-Type header"));
        }
        if writes
            && content_type
                .as_deref()
                .is_some_and(|t| !is_json_content_type(t))
        {
            return Err(unsupported(
                "the request body must be sent as application/json",
            ));
        }
        let AnyBody(bytes) = AnyBody::from_request(request, state).await?;
        if writes && content_type.is_none() && !bytes.is_empty() {
            return Err(unsupported(
                "a request body needs Content-Type: application/json",
            ));
        }
        Ok(Self(bytes))
    }
}

/// Any request body, within the body limit, whatever its content type (`/v1/echo`).
#[derive(Debug)]
pub struct AnyBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for AnyBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Bytes::from_request(request, state).await {
            Ok(bytes) => Ok(Self(bytes)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::too_large(format!(
                    "request body over {} bytes",
                    crate::config::MAX_BODY_BYTES
                )))
            }
            Err(rejection) => Err(ApiError::bad_request(format!(
                "could not read the request body: {}",
                rejection.body_text()
            ))),
        }
    }
}

/// Parses a JSON object body; an empty body reads as `{}`.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    let value: serde_json::Value = if bytes.iter().all(u8::is_ascii_whitespace) {
        serde_json::Value::Object(Default::default())
    } else {
        serde_json::from_slice(bytes)
            .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))?
    };
    if !value.is_object() {
        return Err(ApiError::bad_request("the JSON body must be an object"));
    }
    serde_json::from_value(value)
        .map_err(|e| ApiError::bad_request(format!("invalid request: {e}")))
}

/// A JSON body (an empty body reads as `{}`), sent as `application/json` (see [`RawBody`]).
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let RawBody(bytes) = RawBody::from_request(request, state).await?;
        parse_json(&bytes).map(Self)
    }
}

fn bearer_error(description: &str) -> ApiError {
    ApiError::invalid_token(description)
}

/// The Bearer token of `headers`: `Ok(None)` without an Authorization header; an error for more than
/// one header, another scheme, a scheme not spelled exactly `Bearer`, anything but exactly one space,
/// or a token with characters outside the token68 set.
pub fn bearer_token(headers: &HeaderMap) -> ApiResult<Option<&str>> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(bearer_error("more than one Authorization header"));
    }
    let value = value
        .to_str()
        .map_err(|_| bearer_error("Authorization header is not ASCII"))?;
    let token = value
        .strip_prefix("Bearer ")
        .ok_or_else(|| bearer_error("Authorization must be `Bearer <token>`"))?;
    let token68 = |b: u8| {
        b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=')
    };
    if token.is_empty() || token.len() > MAX_TOKEN_LEN || !token.bytes().all(token68) {
        return Err(bearer_error("Authorization must be `Bearer <token>`"));
    }
    Ok(Some(token))
}

/// An authenticated request: the verified access token's claims and its live session.
#[derive(Debug, Clone)]
pub struct Bearer {
    /// The access token as sent.
    pub token: String,
    /// Its claims.
    pub claims: Claims,
    /// Its session.
    pub session: SessionRecord,
}

impl FromRequestParts<SharedApp> for Bearer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &SharedApp,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers)?
            .ok_or_else(|| bearer_error("missing Authorization: Bearer <token>"))?
            .to_owned();
        let (claims, session) = app.lifecycle.authenticate(&token).await?;
        Ok(Self {
            token,
            claims,
            session,
        })
    }
}

/// Like [`Bearer`], but a request without any Authorization header passes as `None`
/// (a present but invalid one is still a 401).
#[derive(Debug, Clone)]
pub struct MaybeBearer(pub Option<Bearer>);

impl FromRequestParts<SharedApp> for MaybeBearer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &SharedApp,
    ) -> Result<Self, Self::Rejection> {
        if parts.headers.get(AUTHORIZATION).is_none() {
            return Ok(Self(None));
        }
        Bearer::from_request_parts(parts, app)
            .await
            .map(|b| Self(Some(b)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(AUTHORIZATION, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn strict_bearer() {
        assert_eq!(bearer_token(&with(&[])).unwrap(), None);
        assert_eq!(
            bearer_token(&with(&["Bearer a.b-c_d"])).unwrap(),
            Some("a.b-c_d")
        );
        for bad in [
            "bearer x",
            "Bearer  x",
            "Bearer",
            "Bearer ",
            "Basic dXNlcjpwYXNz",
            "Bearer x y",
            "BEARER x",
        ] {
            assert!(bearer_token(&with(&[bad])).is_err(), "{bad:?} accepted");
        }
        assert!(bearer_token(&with(&["Bearer x", "Bearer x"])).is_err());
    }
}

/// The client of the request: peer IP (from the connection) and `User-Agent` (at most 256 chars).
#[derive(Debug, Clone, Default)]
pub struct Client(pub crate::lifecycle::ClientInfo);

/// The client IP of a request: the TCP peer (when the server was started with connection info),
/// or, with `--trust-forwarded-for`, the last address of `X-Forwarded-For` (the one the nearest
/// proxy appended; earlier ones are client-supplied and ignored).
pub fn client_ip(
    trust_forwarded_for: bool,
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
) -> Option<std::net::IpAddr> {
    if trust_forwarded_for {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|ip| ip.trim().parse().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
}

impl FromRequestParts<SharedApp> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &SharedApp,
    ) -> Result<Self, Self::Rejection> {
        let user_agent = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().filter(|c| !c.is_control()).take(256).collect());
        let ip = client_ip(
            app.settings.trust_forwarded_for,
            &parts.headers,
            &parts.extensions,
        );
        Ok(Self(crate::lifecycle::ClientInfo {
            ip: ip.map(|ip| ip.to_string()),
            user_agent,
        }))
    }
}
