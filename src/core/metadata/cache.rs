//! The local cache of `useLocalStorage` (PROTOCOL.md §7). Unlike the original, which stores the
//! decrypted data as plain JSON, the entry is this SDK's AES-256-GCM envelope under the session key.
//! The cache is best effort: a failing store never fails an operation, and an entry that does not
//! decrypt (corrupt, another key, the original's plaintext) is removed and treated as a miss.
//!
//! The entry's name does not contain the session id (the original's does: `{namespace}:{session id}`,
//! the very secret the entry's key derives from): it is `{namespace}:` followed by 40 hex digits of
//! `SHA-256("wsm-cache:" + the session's public key, uncompressed hex)`, which reveals nothing.

use std::rc::Rc;

use super::options::DEFAULT_CACHE_NAMESPACE;
use crate::core::crypto::{aead, SessionKey};
use crate::core::storage::StorageAdapter;

/// The cache entry's name: `{namespace or "w3a_session_manager_default"}:{name}`, where `name` is
/// 40 hex digits of `SHA-256("wsm-cache:" + public key hex)` (see the module docs). A session id that
/// is not a key (never stored by this SDK) is hashed as given.
pub fn cache_key(namespace: Option<&str>, session_id: &str) -> String {
    let public = SessionKey::from_hex(session_id)
        .map(|k| k.public_key_hex())
        .unwrap_or_else(|_| session_id.to_owned());
    cache_key_of_public(namespace, &public)
}

/// [`cache_key`] of a session whose public key (hex) is known.
pub fn cache_key_of_public(namespace: Option<&str>, public: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(b"wsm-cache:");
    hasher.update(public.as_bytes());
    let digest = crate::core::text::hex(&hasher.finalize());
    let mut key = String::from(namespace.unwrap_or(DEFAULT_CACHE_NAMESPACE));
    key.push(':');
    key.push_str(&digest[..40]);
    key
}

/// A best-effort encrypted cache over a storage adapter.
#[derive(Clone)]
pub struct LocalCache {
    store: Rc<dyn StorageAdapter>,
}

impl std::fmt::Debug for LocalCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalCache").finish_non_exhaustive()
    }
}

impl LocalCache {
    /// A cache over `store`.
    pub fn new(store: Rc<dyn StorageAdapter>) -> Self {
        Self { store }
    }

    /// The cached session data (JSON text), or `None` on a miss, a store failure or an entry that
    /// does not decrypt to JSON (which is then removed).
    pub async fn get(&self, key: &SessionKey, storage_key: &str) -> Option<String> {
        let entry = self.store.get(storage_key).await.ok().flatten()?;
        let plain = aead::open_envelope(key, &entry)
            .await
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .filter(|text| is_json(text));
        if plain.is_none() {
            let _ = self.store.remove(storage_key).await;
        }
        plain
    }

    /// Stores `data` (JSON text) encrypted; failures are ignored.
    pub async fn set(&self, key: &SessionKey, storage_key: &str, data: &str) {
        if let Ok(envelope) = aead::seal_envelope(key, data.as_bytes()).await {
            let _ = self.store.set(storage_key, &envelope).await;
        }
    }

    /// Removes the entry; failures are ignored.
    pub async fn remove(&self, storage_key: &str) {
        let _ = self.store.remove(storage_key).await;
    }
}

/// True when `text` is one JSON value.
pub(crate) fn is_json(text: &str) -> bool {
    crate::core::json::is_valid(text)
}
