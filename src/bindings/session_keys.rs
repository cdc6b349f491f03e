//! `SessionKeys`: the session-key helpers a login needs (a random session id, its public key), the
//! same functions as `StorageManager`'s statics. They are their own class so that the npm package's
//! `auth` entry, built without StorageManager (the `storage-manager` feature), still has them: that
//! entry's `StorageManager` is these two statics only (pkg-template/auth.js).

use wasm_bindgen::prelude::*;

use crate::core::metadata::{generate_random_session_key, public_key_of};

/// The session-key helpers (also `StorageManager.generateRandomSessionKey` / `getPublicKey`).
#[wasm_bindgen]
#[derive(Debug)]
pub struct SessionKeys;

#[wasm_bindgen]
impl SessionKeys {
    /// A fresh session id: `0x` and 64 hex digits of a random secp256k1 secret key.
    #[wasm_bindgen(js_name = generateRandomSessionKey)]
    pub fn generate_random_session_key() -> std::result::Result<String, JsValue> {
        Ok(generate_random_session_key()?)
    }

    /// The public key of a session id (130 hex digits, `04…`, no `0x`): the server's key for the
    /// session, and what a login sends to the auth server.
    ///
    /// @example
    /// ```ts
    /// const publicKey = StorageManager.getPublicKey(StorageManager.generateRandomSessionKey());
    /// ```
    #[wasm_bindgen(js_name = getPublicKey)]
    pub fn get_public_key(
        #[wasm_bindgen(js_name = sessionId)] session_id: &str,
    ) -> std::result::Result<String, JsValue> {
        Ok(public_key_of(session_id)?)
    }
}
