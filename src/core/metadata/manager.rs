//! `StorageManager`: session data kept encrypted on the session server (PROTOCOL.md §7), with an
//! optional encrypted local cache.

use std::cell::RefCell;
use std::rc::Rc;

use super::cache::{cache_key_of_public, is_json, LocalCache};
use super::options::{ResolvedOptions, Scheme, StorageManagerOptions};
use super::request::{json_request, GetBody, Operation, StoreBody};
use crate::core::crypto::{aead, ecies, signature, SessionKey};
use crate::core::error::{AuthErrorCode, Error, Result};
use crate::core::json::Value;
use crate::core::keys::normalize_session_id;
use crate::core::storage::StorageAdapter;
use crate::core::text;
use crate::core::transport::{HttpResponse, Method, Transport};

/// The original's message when the server has nothing for the key.
pub const SESSION_EXPIRED_MESSAGE: &str = "Session Expired or Invalid public key";
/// The original's message when an operation needs a session id and there is none.
pub const SESSION_ID_REQUIRED_MESSAGE: &str = "Session id is required";

/// A fresh session id: `0x` + 64 lowercase hex digits of a CSPRNG key in `[1, n)`.
pub fn generate_random_session_key() -> Result<String> {
    Ok(SessionKey::try_generate()?.to_hex())
}

/// The metadata `key` of a session id (normalised first): 130 lowercase hex digits, `04…`.
pub fn public_key_of(session_id: &str) -> Result<String> {
    Ok(SessionKey::from_hex(&normalize_session_id(session_id)?)?.public_key_hex())
}

/// The current session's key, and its public key as hex (the metadata `key`).
struct Current {
    id: String,
    key: SessionKey,
    public: String,
}

/// The legacy `StorageManager`. Methods take `&self`; no borrow is held across an `.await`.
pub struct StorageManager {
    options: ResolvedOptions,
    session_id: RefCell<Option<String>>,
    /// The key of the session id last used: a public key is a scalar multiplication, which every
    /// operation needed up to three of (the cache entry's name, the request's `key`, ECIES).
    current: RefCell<Option<Rc<Current>>>,
    transport: Rc<dyn Transport>,
    cache: Option<LocalCache>,
}

impl std::fmt::Debug for StorageManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StorageManager")
            .field("base_url", &self.options.base_url)
            .field("namespace", &self.options.namespace)
            .field("scheme", &self.options.scheme)
            .field("has_session_id", &self.session_id.borrow().is_some())
            .field("cache", &self.cache.is_some())
            .finish_non_exhaustive()
    }
}

impl StorageManager {
    /// A manager sending through `transport`. `cache` is the store for `useLocalStorage` (the
    /// bindings pass localStorage); it is used only when that option is true.
    pub fn new(
        options: &StorageManagerOptions,
        transport: Rc<dyn Transport>,
        cache: Option<Rc<dyn StorageAdapter>>,
    ) -> Result<Self> {
        let options = options.resolve()?;
        let cache = cache
            .filter(|_| options.use_local_storage)
            .map(LocalCache::new);
        Ok(Self {
            session_id: RefCell::new(options.session_id.clone()),
            current: RefCell::new(None),
            options,
            transport,
            cache,
        })
    }

    /// The resolved options.
    pub fn options(&self) -> &ResolvedOptions {
        &self.options
    }

    /// The normalised session id (`0x` + 64 hex digits, letter case kept), if set.
    pub fn session_id(&self) -> Option<String> {
        self.session_id.borrow().clone()
    }

    /// Sets the session id (validated and normalised, PROTOCOL.md §3).
    pub fn set_session_id(&self, session_id: &str) -> Result<()> {
        let id = normalize_session_id(session_id)?;
        *self.session_id.borrow_mut() = Some(id);
        Ok(())
    }

    /// The session id and its keys, or `NO_SESSION_ID` "Session id is required".
    fn current(&self) -> Result<Rc<Current>> {
        let id = self
            .session_id()
            .ok_or_else(|| Error::auth(AuthErrorCode::NoSessionId, SESSION_ID_REQUIRED_MESSAGE))?;
        if let Some(current) = self.current.borrow().as_ref().filter(|c| c.id == id) {
            return Ok(current.clone());
        }
        let key = SessionKey::from_hex(&id)?;
        let public = key.public_key_hex();
        let current = Rc::new(Current { id, key, public });
        *self.current.borrow_mut() = Some(current.clone());
        Ok(current)
    }

    fn cache_key(&self, current: &Current) -> String {
        cache_key_of_public(self.options.namespace.as_deref(), &current.public)
    }

    /// Stores `data` (JSON text, e.g. `JSON.stringify(value)`) under a new server session that
    /// lives `sessionTime` seconds. Returns the session id.
    pub async fn create_session(&self, data: &str, headers: &[(String, String)]) -> Result<String> {
        let current = self.current()?;
        self.store(&current, data, Operation::Create, headers)
            .await?;
        if let Some(cache) = &self.cache {
            cache
                .set(&current.key, &self.cache_key(&current), data)
                .await;
        }
        Ok(current.id.clone())
    }

    /// Replaces the session's data (JSON text).
    pub async fn update_session(&self, data: &str, headers: &[(String, String)]) -> Result<()> {
        let current = self.current()?;
        self.store(&current, data, Operation::Update, headers)
            .await?;
        if let Some(cache) = &self.cache {
            cache
                .set(&current.key, &self.cache_key(&current), data)
                .await;
        }
        Ok(())
    }

    /// Makes the server forget the session (overwrites it with `{}` for 1 s), clears the cache entry
    /// and forgets the session id. Returns `true`.
    pub async fn invalidate_session(&self, headers: &[(String, String)]) -> Result<bool> {
        let current = self.current()?;
        self.store(&current, "{}", Operation::Invalidate, headers)
            .await?;
        if let Some(cache) = &self.cache {
            cache.remove(&self.cache_key(&current)).await;
        }
        *self.session_id.borrow_mut() = None;
        *self.current.borrow_mut() = None;
        Ok(true)
    }

    /// The session data (JSON text): from the cache if it holds a valid entry, else from the server
    /// (then cached). No data on the server → `SESSION_EXPIRED` "Session Expired or Invalid public
    /// key"; a message that does not decrypt → `Error::Crypto` (`DECRYPT_FAILED`).
    pub async fn authorize_session(&self, headers: &[(String, String)]) -> Result<String> {
        let current = self.current()?;
        let key = &current.key;
        let storage_key = self.cache_key(&current);
        if let Some(cache) = &self.cache {
            if let Some(data) = cache.get(key, &storage_key).await {
                return Ok(data);
            }
        }
        let body = GetBody {
            key: &current.public,
            namespace: self.options.namespace.as_deref(),
        }
        .to_json();
        let request = json_request(
            Method::Post,
            &self.options.base_url,
            "/v2/store/get",
            body,
            headers,
        )
        .parse_json();
        let response = match self.send(request).await {
            // A server that answers "not found" for an unknown or expired key (session-server
            // does) means what the original's empty `message` means.
            Err(Error::Http { status: 404, .. }) => {
                return Err(Error::auth(
                    AuthErrorCode::SessionExpired,
                    SESSION_EXPIRED_MESSAGE,
                ))
            }
            other => other?,
        };
        let message = message_of(&response)?;
        let data = self.open(key, &message).await?;
        if let Some(cache) = &self.cache {
            cache.set(key, &storage_key, &data).await;
        }
        Ok(data)
    }

    /// Removes the cache entry of the current session (the server copy expires on its own).
    /// Needs a session id, as in the original.
    pub async fn clear_storage(&self) -> Result<()> {
        let current = self.current()?;
        if let Some(cache) = &self.cache {
            cache.remove(&self.cache_key(&current)).await;
        }
        Ok(())
    }

    /// Encrypts `plaintext` with the configured scheme.
    async fn seal(&self, key: &SessionKey, plaintext: &str) -> Result<String> {
        match self.options.scheme {
            Scheme::Ecies => Ok(ecies::seal(&key.public_key_bytes(), plaintext.as_bytes())
                .await?
                .to_json()),
            Scheme::AesGcm => aead::seal_envelope(key, plaintext.as_bytes()).await,
        }
    }

    /// Decrypts a server message. With `ecies`, an AES-GCM envelope (written by an `aes-gcm` client
    /// of the same session) is read too; with `aes-gcm`, only envelopes are accepted, so that a
    /// server cannot substitute an ECIES message anyone could have made for the public key.
    async fn open(&self, key: &SessionKey, message: &str) -> Result<String> {
        let text = if aead::is_envelope(message) {
            let bytes = aead::open_envelope(key, message).await?;
            String::from_utf8(bytes)
                .map_err(|_| Error::Crypto("decrypted data is not UTF-8".to_owned()))?
        } else if self.options.scheme == Scheme::AesGcm {
            return Err(Error::Crypto(
                "expected an AES-GCM envelope (scheme \"aes-gcm\")".to_owned(),
            ));
        } else {
            ecies::open_json_str(key, message).await?
        };
        if !is_json(&text) {
            return Err(Error::Crypto("decrypted data is not JSON".to_owned()));
        }
        Ok(text)
    }

    async fn store(
        &self,
        current: &Current,
        plaintext: &str,
        op: Operation,
        headers: &[(String, String)],
    ) -> Result<()> {
        let key = &current.key;
        let data = self.seal(key, plaintext).await?;
        let sig = signature::sign_keccak(key, data.as_bytes());
        let body = StoreBody {
            key: &current.public,
            data: &data,
            signature: &sig,
            namespace: self.options.namespace.as_deref(),
            allowed_origin: match op {
                Operation::Create | Operation::Update => Some(&self.options.allowed_origin),
                Operation::Invalidate => None,
            },
            timeout: match op {
                Operation::Create => Some(self.options.session_time),
                Operation::Update => None,
                Operation::Invalidate => Some(1),
            },
        };
        let (method, path) = op.endpoint();
        let request = json_request(
            method,
            &self.options.base_url,
            path,
            body.to_json(),
            headers,
        );
        self.send(request).await.map(drop)
    }

    /// Sends and turns a non-2xx answer into `Error::Http`.
    async fn send(&self, request: crate::core::transport::HttpRequest) -> Result<HttpResponse> {
        let url = request.url.clone();
        let response = self.transport.send(request).await?;
        if response.is_success() {
            Ok(response)
        } else {
            Err(Error::Http {
                status: response.status,
                body: response.body_text().into_owned(),
                status_text: response.status_text,
                url,
            })
        }
    }
}

/// `message` of a `/v2/store/get` answer. A falsy or missing message (or a body that is not a JSON
/// object) → `SESSION_EXPIRED`, as in the original; a truthy non-string → `MalformedResponse`.
fn message_of(response: &HttpResponse) -> Result<String> {
    let expired = || Error::auth(AuthErrorCode::SessionExpired, SESSION_EXPIRED_MESSAGE);
    let Ok(value) = response.body_json() else {
        return Err(expired());
    };
    let Value::Object(_) = *value else {
        return Err(expired());
    };
    match value.get("message") {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(other) if other.is_truthy() => Err(Error::MalformedResponse(text::cat(&[
            "message is not a string: ",
            &other.to_json(),
        ]))),
        _ => Err(expired()),
    }
}
