//! `HttpClient`: JSON requests over a [`Transport`], authenticated through a [`SessionManager`].
//!
//! The 401 policy (PROTOCOL.md §8), which keeps N concurrent 401s to one refresh:
//! 1. before sending, wait for any refresh in flight (whoever started it), then take the current token;
//! 2. on 401, if the current token is no longer the one sent, another refresh already replaced it:
//!    retry with the current token, no refresh;
//! 3. only a 401 for the current token starts (or joins) the shared refresh, then retries;
//! 4. at most one retry, with the same body; a 401 after it is `Error::Http` 401.

use std::cell::RefCell;
use std::rc::Rc;

use super::request::{
    into_result, HttpResult, Prepared, RequestOptions, DEFAULT_API_KEY, DEFAULT_TIMEOUT_MS,
};
use crate::core::clock::Clock;
use crate::core::error::{AuthErrorCode, Error, Result};
use crate::core::lock::Lock;
use crate::core::session::SessionManager;
use crate::core::text;
use crate::core::transport::{Method, Transport};

/// The client. Cheap to share behind an `Rc`; all methods take `&self`.
pub struct HttpClient<T, L, C> {
    session: Rc<SessionManager<T, L, C>>,
    transport: T,
    api_key: RefCell<Option<String>>,
}

impl<T, L, C> std::fmt::Debug for HttpClient<T, L, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("session", &self.session)
            .field("api_key_set", &self.api_key.borrow().is_some())
            .finish_non_exhaustive()
    }
}

impl<T, L, C> HttpClient<T, L, C>
where
    T: Transport + 'static,
    L: Lock + 'static,
    C: Clock + 'static,
{
    /// `new HttpClient(session)`, sending through `transport`.
    pub fn new(session: Rc<SessionManager<T, L, C>>, transport: T) -> Self {
        Self {
            session,
            transport,
            api_key: RefCell::new(None),
        }
    }

    /// The session manager.
    pub fn session(&self) -> &Rc<SessionManager<T, L, C>> {
        &self.session
    }

    /// Sets the `x-api-key` value sent with `useAPIKey` (`None`: back to `torus-default`).
    pub fn set_api_key(&self, key: Option<String>) {
        *self.api_key.borrow_mut() = key;
    }

    /// The `x-api-key` value sent with `useAPIKey`.
    pub fn api_key(&self) -> String {
        self.api_key
            .borrow()
            .clone()
            .unwrap_or_else(|| DEFAULT_API_KEY.to_owned())
    }

    /// `get(url, options)`.
    pub async fn get(&self, url: &str, options: RequestOptions) -> Result<HttpResult> {
        self.request(Method::Get, url, None, options).await
    }

    /// `post(url, data = {}, options)`; `data` is JSON text.
    pub async fn post(
        &self,
        url: &str,
        data: Option<String>,
        options: RequestOptions,
    ) -> Result<HttpResult> {
        self.request(Method::Post, url, data, options).await
    }

    /// `put(url, data = {}, options)`.
    pub async fn put(
        &self,
        url: &str,
        data: Option<String>,
        options: RequestOptions,
    ) -> Result<HttpResult> {
        self.request(Method::Put, url, data, options).await
    }

    /// `patch(url, data = {}, options)`.
    pub async fn patch(
        &self,
        url: &str,
        data: Option<String>,
        options: RequestOptions,
    ) -> Result<HttpResult> {
        self.request(Method::Patch, url, data, options).await
    }

    /// `delete(url, data = {}, options)`.
    pub async fn delete(
        &self,
        url: &str,
        data: Option<String>,
        options: RequestOptions,
    ) -> Result<HttpResult> {
        self.request(Method::Delete, url, data, options).await
    }

    /// Any method. Non-GET bodies default to `{}`. A 2xx answer is the result; anything else
    /// `Error::Http`; no answer `Error::Network` / `Error::Timeout`. Authenticated requests follow
    /// the 401 policy of this module.
    pub async fn request(
        &self,
        method: Method,
        url: &str,
        data: Option<String>,
        options: RequestOptions,
    ) -> Result<HttpResult> {
        let default_timeout = self
            .session
            .options()
            .timeout_ms
            .unwrap_or(DEFAULT_TIMEOUT_MS);
        let api_key = self.api_key();
        let prepared = Prepared::new(method, url, data, &options, Some(&api_key), default_timeout);
        if !options.authenticated {
            let response = self.transport.send(prepared.request(None)).await?;
            return into_result(url, response);
        }

        self.session.wait_for_refresh().await;
        let sent_token = self.session.current_access_token().await?;
        let response = self
            .transport
            .send(prepared.request(sent_token.as_deref()))
            .await?;
        if response.status != 401 {
            return into_result(url, response);
        }

        if !self.session.is_refreshing() && self.session_is_gone().await? {
            // Cleared by a terminal refresh (or logout) meanwhile, or never set: nothing to refresh
            // with, and a refresh of nothing would only be refused.
            return Err(Error::auth(
                AuthErrorCode::SessionExpired,
                text::cat(&[url, " answered 401 and no session is stored to refresh"]),
            ));
        }
        // The manager's 401 path: if the current token is already another, unexpired one (a refresh
        // replaced the token this request was sent with), it is adopted at once; otherwise this
        // joins the refresh in flight or starts the one shared refresh. A terminal failure is
        // `Auth{SessionExpired}` with the manager cleared; a transient one keeps the session.
        self.session
            .handle_unauthorized(sent_token.as_deref())
            .await?;
        let retry_token = self.session.current_access_token().await?;
        let response = self
            .transport
            .send(prepared.request(retry_token.as_deref()))
            .await?;
        into_result(url, response)
    }

    /// True when neither an access token nor a refresh token is stored.
    async fn session_is_gone(&self) -> Result<bool> {
        Ok(self.session.current_access_token().await?.is_none()
            && self.session.get_refresh_token().await?.is_none())
    }
}
